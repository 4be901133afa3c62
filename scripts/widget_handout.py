"""Widgets in the HTML handouts: each widget keeps its last state, readable offline.

nbclient records every widget model the kernel opened or updated while a notebook ran
(``metadata.widgets``, nbconvert's widget-state embedding, which the page keeps in a
``<script type="application/vnd.jupyter.widget-state+json">``). A browser needs the widget
manager's JavaScript to draw those, and the handouts load nothing from the network, so
``freeze_widgets`` also writes each shown widget out as plain outputs: one line with every
control's label and last value, then the outputs its Output model held (the table and plot an
``interact`` drew for that value). See docs/handouts.md.
"""

from __future__ import annotations

import html

VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"


def _models(nb) -> dict:
    return nb.metadata.get("widgets", {}).get(STATE, {}).get("state", {})


def _children(models: dict, model_id: str) -> list[str]:
    state = models.get(model_id, {}).get("state", {})
    return [c.removeprefix("IPY_MODEL_") for c in state.get("children", []) if isinstance(c, str)]


def _frozen(models: dict, model_id: str) -> tuple[list[str], list[dict]]:
    """(one 'label = value' text per control, the Output outputs) of a widget and its children."""
    model = models.get(model_id, {})
    name, state = model.get("model_name", ""), model.get("state", {})
    if name == "OutputModel":
        return [], list(state.get("outputs", []))
    if name in ("VBoxModel", "HBoxModel"):
        texts, outputs = [], []
        for child in _children(models, model_id):
            t, o = _frozen(models, child)
            texts += t
            outputs += o
        return texts, outputs
    label = state.get("description", name.removesuffix("Model"))
    if "_options_labels" in state and isinstance(state.get("index"), int):
        value = state["_options_labels"][state["index"]]
    else:
        value = state.get("value", "")
    return [f"{label} = {value}"], []


def freeze_widgets(nb) -> int:
    """Replaces every widget view in `nb` with its last state as plain outputs; returns how many."""
    models, frozen = _models(nb), 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(VIEW)
            if not view or view.get("model_id") not in models:
                outputs.append(output)
                continue
            texts, inner = _frozen(models, view["model_id"])
            line = ", ".join(texts) or "a widget"
            outputs.append({
                "output_type": "display_data", "metadata": {},
                "data": {"text/plain": f"[{line}]",
                         "text/html": f'<p class="distsim-widget-state"><em>{html.escape(line)}</em> '
                                      "(a widget at its last state; it moves in Jupyter)</p>"},
            })
            outputs.extend(inner)
            frozen += 1
        cell["outputs"] = outputs
    return frozen
