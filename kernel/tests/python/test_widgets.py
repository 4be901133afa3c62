"""Issue 12: a widget change reaches the user's Rust closure without compiling a cell.

Drives the installed ``distsim`` kernel through jupyter_client as a front end would: a cell shows a
slider with ``interact``; the test sends the ``update`` comm_msg a browser sends when the knob moves,
and waits (for messages, never for the clock) for the state echo and for the widget's Output to
show the closure's new output. A panicking closure gives an ``error`` output and the next change
still works; a later cell reads the slider's value.
"""

from __future__ import annotations

import json
import time
from queue import Empty

from conftest import CELL_TIMEOUT, execute, of_type, result_plain

CELL = r"""
let loss = FloatSlider::new("loss", 0.0..=0.5).step(0.01);
let mut runs = 0;
loss.interact(move |v| {
    runs += 1;
    if v > 0.4 {
        panic!("too lossy: {v}");
    }
    display(&MimeBundle::text(format!("shown {v}")).with("text/html", format!("<b>{v}</b>")));
    println!("run {runs}: loss = {v}");
})?;
"""


def comm_opens(outputs: list[dict]) -> dict[str, dict]:
    """Model name -> comm_open content, for the models a cell opened."""
    return {m["content"]["data"]["state"]["_model_name"]: m["content"] for m in of_type(outputs, "comm_open")}


def send_update(kc, comm_id: str, state: dict) -> str:
    msg = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": state, "buffer_paths": []}})
    kc.shell_channel.send(msg)
    return msg["header"]["msg_id"]


def wait_for(kc, predicate, timeout: float = CELL_TIMEOUT) -> tuple[dict, list[dict]]:
    """The first IOPub message `predicate` accepts, and every message read before it."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        except Empty:
            continue
        if predicate(msg):
            return msg, seen
        seen.append(msg)
    raise TimeoutError(f"no matching IOPub message within {timeout} s; saw {[m['msg_type'] for m in seen]}")


def output_update_for(comm_id: str):
    def matches(msg: dict) -> bool:
        content = msg["content"]
        return (
            msg["msg_type"] == "comm_msg"
            and content["comm_id"] == comm_id
            and content["data"].get("method") == "update"
            and "outputs" in content["data"]["state"]
        )

    return matches


def texts(outputs: list[dict]) -> str:
    return "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")


def test_a_slider_change_reruns_the_closure_into_the_widget_output(kernel):
    reply, outputs = execute(kernel, CELL)
    assert reply["content"]["status"] == "ok", reply["content"]
    models = comm_opens(outputs)
    assert {"FloatSliderModel", "OutputModel", "VBoxModel"} <= models.keys(), models.keys()
    slider, output = models["FloatSliderModel"]["comm_id"], models["OutputModel"]["comm_id"]
    assert models["FloatSliderModel"]["data"]["state"]["value"] == 0.0
    first = models["OutputModel"]["data"]["state"]["outputs"]
    assert texts(first) == "run 1: loss = 0\n", first
    assert first[0]["data"]["text/html"] == "<b>0</b>"
    view = of_type(outputs, "display_data")[0]["content"]["data"]["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == models["VBoxModel"]["comm_id"]

    # The knob moves: the change is echoed to every front end and the closure runs again.
    sent = send_update(kernel, slider, {"value": 0.25})
    echo, _ = wait_for(kernel, lambda m: m["msg_type"] == "comm_msg" and m["content"]["data"].get("method") == "echo_update")
    assert echo["parent_header"]["msg_id"] == sent
    assert echo["content"]["data"]["state"] == {"value": 0.25}
    update, _ = wait_for(kernel, output_update_for(output))
    assert update["parent_header"]["msg_id"] == sent
    new = update["content"]["data"]["state"]["outputs"]
    assert texts(new) == "run 2: loss = 0.25\n", new
    assert new[0]["output_type"] == "display_data" and new[0]["data"]["text/plain"] == "shown 0.25"

    # A panic shows as an error in the Output, and the session lives on.
    send_update(kernel, slider, {"value": 0.45})
    update, _ = wait_for(kernel, output_update_for(output))
    errors = [o for o in update["content"]["data"]["state"]["outputs"] if o["output_type"] == "error"]
    assert [(e["ename"], e["evalue"]) for e in errors] == [("Panic", "too lossy: 0.45")], update["content"]
    assert "panicked" not in texts(update["content"]["data"]["state"]["outputs"])
    send_update(kernel, slider, {"value": 0.3})
    update, _ = wait_for(kernel, output_update_for(output))
    assert texts(update["content"]["data"]["state"]["outputs"]) == "run 4: loss = 0.3\n"

    # A later cell reads the value the knob is at, and the kernel's state answers a new tab.
    _, outputs = execute(kernel, "loss.value()")
    assert result_plain(outputs) == "0.3"
    control = kernel.session.msg(
        "comm_open",
        {"comm_id": "tab-2", "target_name": "jupyter.widget.control", "data": {}},
    )
    kernel.shell_channel.send(control)
    ask = kernel.session.msg("comm_msg", {"comm_id": "tab-2", "data": {"method": "request_states"}})
    kernel.shell_channel.send(ask)
    states, _ = wait_for(kernel, lambda m: m["msg_type"] == "comm_msg" and m["content"]["data"].get("method") == "update_states")
    every = states["content"]["data"]["states"]
    assert every[slider]["state"]["value"] == 0.3
    assert texts(every[output]["state"]["outputs"]) == "run 4: loss = 0.3\n"


def test_showing_the_same_slider_again_shows_the_same_widget(kernel):
    _, outputs = execute(kernel, 'let nodes = IntSlider::new("nodes", 1..=9);\nnodes.show()?;')
    first = of_type(outputs, "display_data")[0]["content"]["data"]["application/vnd.jupyter.widget-view+json"]
    _, outputs = execute(kernel, "nodes")
    assert not of_type(outputs, "comm_open"), "no new models"
    again = of_type(outputs, "display_data")[0]["content"]["data"]["application/vnd.jupyter.widget-view+json"]
    assert again["model_id"] == first["model_id"]


def test_bad_input_is_an_error_naming_the_parameter(kernel):
    reply, _ = execute(kernel, 'FloatSlider::new("loss", 0.0..=0.5).step(0.0).show()?;')
    assert reply["content"]["status"] == "error"
    assert "loss.step" in reply["content"]["evalue"], reply["content"]
    reply, _ = execute(kernel, 'concepts::two_generals::Config::default().interact("captur", 0.0..=0.9, 7)?;')
    assert reply["content"]["status"] == "error"
    assert "captur" in reply["content"]["evalue"] and "capture" in reply["content"]["evalue"], reply["content"]


def test_interact_over_an_experiment_shows_its_table_and_plot_and_reruns(kernel):
    reply, outputs = execute(kernel, 'concepts::two_generals::Config::default().interact("capture", 0.0..=0.9, 7)?;')
    assert reply["content"]["status"] == "ok", reply["content"]
    models = comm_opens(outputs)
    slider, output = models["FloatSliderModel"]["comm_id"], models["OutputModel"]["comm_id"]
    first = models["OutputModel"]["data"]["state"]["outputs"]
    assert [sorted(o["data"]) for o in first] == [["text/html", "text/plain"], ["image/svg+xml", "text/plain"]], first
    send_update(kernel, slider, {"value": 0.9})
    update, _ = wait_for(kernel, output_update_for(output))
    moved = update["content"]["data"]["state"]["outputs"]
    assert len(moved) == 2 and moved[0]["data"]["text/html"] != first[0]["data"]["text/html"]


# --- the controls and layouts of the second round: a button, the trace stepper, a stuck callback ---

BUTTON_CELL = r"""
let run = Button::new("run");
run.on_click(|clicks| println!("clicked {clicks} times"));
run.show()?;
"""


def click(kc, comm_id: str) -> str:
    """What a browser sends when the button is pressed: a custom message, no state."""
    msg = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"method": "custom", "content": {"event": "click"}}})
    kc.shell_channel.send(msg)
    return msg["header"]["msg_id"]


def test_each_click_of_a_button_runs_its_closure_with_the_count(kernel):
    reply, outputs = execute(kernel, BUTTON_CELL)
    assert reply["content"]["status"] == "ok", reply["content"]
    models = comm_opens(outputs)
    button, output = models["ButtonModel"]["comm_id"], models["OutputModel"]["comm_id"]
    assert models["ButtonModel"]["data"]["state"]["description"] == "run"
    for clicks in (1, 2):
        sent = click(kernel, button)
        update, _ = wait_for(kernel, output_update_for(output))
        assert update["parent_header"]["msg_id"] == sent
        assert texts(update["content"]["data"]["state"]["outputs"]) == f"clicked {clicks} times\n", update["content"]


STEPPER_CELL = r"""
#[derive(Clone, Debug)]
struct Ball(u32);
struct Player { volleys: u32 }
impl Node for Player {
    type Msg = Ball;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<Ball>) {
        if ctx.id() == 0 {
            ctx.send(1, Ball(1));
        }
    }
    fn on_message(&mut self, ctx: &mut Context<Ball>, from: NodeId, Ball(n): Ball) {
        if n < self.volleys {
            ctx.send(from, Ball(n + 1));
        }
    }
}
let mut rally = Simulation::new(7, vec![Player { volleys: 3 }, Player { volleys: 3 }])?;
rally.run_until_quiet()?;
SpaceTime::new(rally.trace()).stepper(300)?
"""


def test_the_stepper_plays_through_a_runs_events(kernel):
    reply, outputs = execute(kernel, STEPPER_CELL)
    assert reply["content"]["status"] == "ok", reply["content"]
    models = comm_opens(outputs)
    assert {"PlayModel", "IntSliderModel", "LinkModel", "OutputModel", "HBoxModel", "VBoxModel"} <= models.keys()
    play = models["PlayModel"]["comm_id"]
    last = models["PlayModel"]["data"]["state"]["max"]
    assert last == models["IntSliderModel"]["data"]["state"]["max"] and last >= 3, models["PlayModel"]
    # The Play prints into the Output placed under the controls; it starts at event 0.
    placed = [m["content"] for m in of_type(outputs, "comm_open")
              if m["content"]["data"]["state"]["_model_name"] == "OutputModel"
              and texts(m["content"]["data"]["state"]["outputs"]).startswith("event 0, ")]
    assert len(placed) == 1, [m["content"]["data"]["state"] for m in of_type(outputs, "comm_open")]
    output = placed[0]["comm_id"]
    # Pressing play moves the Play's value; each step redraws with that event ringed.
    send_update(kernel, play, {"value": 2})
    update, _ = wait_for(kernel, output_update_for(output))
    step = update["content"]["data"]["state"]["outputs"]
    assert texts(step).startswith("event 2, "), step
    svg = "".join(o["data"].get("image/svg+xml", "") + o["data"].get("text/html", "") for o in step if "data" in o)
    assert "<title>event 2</title>" in svg, step


STUCK_CELL = r"""
let knob = IntSlider::new("knob", 0..=9);
knob.interact(|v| {
    if v == 9 {
        std::fs::write(MARK, "started").unwrap();
        loop { std::hint::spin_loop(); }
    }
    println!("knob = {v}");
})?;
"""


def test_an_interrupt_stops_a_widget_callback_that_never_returns(kernel, tmp_path):
    mark = tmp_path / "started"
    reply, outputs = execute(kernel, STUCK_CELL.replace("MARK", json.dumps(str(mark))))
    assert reply["content"]["status"] == "ok", reply["content"]
    models = comm_opens(outputs)
    slider, output = models["IntSliderModel"]["comm_id"], models["OutputModel"]["comm_id"]
    send_update(kernel, slider, {"value": 9})
    deadline = time.monotonic() + CELL_TIMEOUT
    while not mark.exists():  # the callback's own mark: it is inside the loop now
        assert time.monotonic() < deadline, "the callback never started"
        time.sleep(0.05)
    kernel.control_channel.send(kernel.session.msg("interrupt_request", {}))
    update, _ = wait_for(kernel, output_update_for(output))
    errors = [o for o in update["content"]["data"]["state"]["outputs"] if o["output_type"] == "error"]
    assert [e["ename"] for e in errors] == ["Interrupted"], update["content"]
    assert "widget callback" in errors[0]["evalue"], errors[0]["evalue"]
    # The kernel lives on: the next cell runs.
    reply, outputs = execute(kernel, "20 + 22")
    assert reply["content"]["status"] == "ok", reply["content"]
    assert result_plain(outputs) == "42"
