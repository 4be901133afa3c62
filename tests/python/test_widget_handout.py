"""The handouts keep each widget's last state as plain outputs (scripts/widget_handout.py)."""

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from widget_handout import STATE, VIEW, freeze_widgets  # noqa: E402


def model(name: str, **state) -> dict:
    return {"model_name": name, "model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0",
            "state": {"_model_name": name, **state}}


def test_a_shown_interact_becomes_its_label_value_and_last_outputs():
    table = {"output_type": "display_data", "metadata": {}, "data": {"text/html": "<table></table>", "text/plain": "t"}}
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {STATE: {"version_major": 2, "version_minor": 0, "state": {
        "s": model("FloatSliderModel", description="capture", value=0.3),
        "o": model("OutputModel", outputs=[table]),
        "b": model("VBoxModel", children=["IPY_MODEL_s", "IPY_MODEL_o"]),
    }}}
    shown = nbformat.v4.new_output("display_data", data={VIEW: {"model_id": "b", "version_major": 2, "version_minor": 0},
                                                         "text/plain": "FloatSlider(capture = 0.3)"})
    plain = nbformat.v4.new_output("stream", name="stdout", text="hello\n")
    cell = nbformat.v4.new_code_cell("x", outputs=[plain, shown])
    nb.cells = [cell]
    assert freeze_widgets(nb) == 1
    outs = nb.cells[0]["outputs"]
    assert outs[0] == plain
    assert outs[1]["data"]["text/plain"] == "[capture = 0.3]"
    assert "capture = 0.3" in outs[1]["data"]["text/html"]
    assert outs[2] == table
    assert len(outs) == 3


def test_a_view_of_an_unknown_model_is_left_alone():
    nb = nbformat.v4.new_notebook()
    shown = nbformat.v4.new_output("display_data", data={VIEW: {"model_id": "gone"}, "text/plain": "w"})
    nb.cells = [nbformat.v4.new_code_cell("x", outputs=[shown])]
    assert freeze_widgets(nb) == 0
    assert nb.cells[0]["outputs"] == [shown]
