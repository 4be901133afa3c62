//! The widget model layer (protocol 2.1) through the kernel's built-in comm targets: models opened
//! by a front end, `update` applied and echoed, `request_state`, the control comm's
//! `request_states`, and models that outlive cells and survive a second front end.

use crate::support::*;
use distsim_kernel::protocol::content::*;
use distsim_kernel::widgets::models::Kind;
use serde_json::{json, Value};

fn slider_state(value: f64) -> Value {
    let mut state = Value::Object(Kind::FloatSlider.identity());
    state["value"] = json!(value);
    state["min"] = json!(0.0);
    state["max"] = json!(0.5);
    state
}

fn open_model(client: &Client, comm_id: &str, state: Value) -> Vec<distsim_kernel::protocol::Message> {
    let open = CommOpen {
        comm_id: comm_id.into(),
        target_name: "jupyter.widget".into(),
        data: data(json!({ "state": state, "buffer_paths": [] })),
        target_module: None,
    };
    comm_request(client, &open).1
}

fn open_control(client: &Client, comm_id: &str) {
    let open = CommOpen {
        comm_id: comm_id.into(),
        target_name: "jupyter.widget.control".into(),
        data: Default::default(),
        target_module: None,
    };
    let (_, iopub) = comm_request(client, &open);
    assert_eq!(types(&iopub), ["status", "status"], "the control comm is accepted");
}

fn send(client: &Client, comm_id: &str, payload: Value) -> Vec<distsim_kernel::protocol::Message> {
    comm_request(client, &CommMsg { comm_id: comm_id.into(), data: data(payload) }).1
}

fn request_states(client: &Client, control: &str) -> Value {
    let iopub = send(client, control, json!({"method": "request_states"}));
    assert_eq!(types(&iopub), ["status", "comm_msg", "status"]);
    let reply: CommMsg = only(&iopub);
    assert_eq!(reply.comm_id, control);
    assert_eq!(reply.data["method"], "update_states");
    assert_eq!(reply.data["buffer_paths"], json!({}));
    reply.data["states"].clone()
}

#[test]
fn the_widget_targets_are_built_in() {
    let client = Client::start();
    let iopub = open_model(&client, "m-1", slider_state(0.1));
    assert_eq!(types(&iopub), ["status", "status"], "a model with a _model_name is accepted");
    open_control(&client, "ctl");
    let sent = client.send(Chan::Shell, &CommInfoRequest { target_name: Some("jupyter.widget".into()) });
    let reply: CommInfoReply = client.reply(Chan::Shell, &sent);
    assert_eq!(json!(reply.comms), json!({"m-1": {"target_name": "jupyter.widget"}}));
    client.shutdown();
}

#[test]
fn a_model_without_a_model_name_is_refused() {
    let client = Client::start();
    let iopub = open_model(&client, "m-1", json!({"value": 3}));
    assert_eq!(types(&iopub), ["status", "comm_close", "status"]);
    open_control(&client, "ctl");
    assert_eq!(request_states(&client, "ctl"), json!({}));
    client.shutdown();
}

#[test]
fn an_update_is_applied_and_echoed_to_every_front_end() {
    let client = Client::start();
    open_model(&client, "m-1", slider_state(0.1));
    let iopub = send(&client, "m-1", json!({"method": "update", "state": {"value": 0.25}, "buffer_paths": []}));
    assert_eq!(types(&iopub), ["status", "comm_msg", "status"]);
    let echo: CommMsg = only(&iopub);
    assert_eq!(echo.comm_id, "m-1");
    assert_eq!(json!(echo.data), json!({"method": "echo_update", "state": {"value": 0.25}, "buffer_paths": []}));

    let iopub = send(&client, "m-1", json!({"method": "request_state"}));
    let full: CommMsg = only(&iopub);
    assert_eq!(full.data["method"], "update");
    assert_eq!(full.data["state"]["value"], json!(0.25), "the state kept the update");
    assert_eq!(full.data["state"]["max"], json!(0.5), "and the keys it did not touch");
    assert_eq!(full.data["state"]["_model_name"], "FloatSliderModel");
    client.shutdown();
}

#[test]
fn an_update_cannot_change_a_models_identity() {
    let client = Client::start();
    open_model(&client, "m-1", slider_state(0.1));
    let iopub = send(&client, "m-1", json!({"method": "update", "state": {"_model_name": "Evil", "value": 0.3}}));
    let echo: CommMsg = only(&iopub);
    assert_eq!(echo.data["state"], json!({"value": 0.3}), "only the allowed key is echoed");
    let iopub = send(&client, "m-1", json!({"method": "update", "state": {"_view_name": "Evil"}}));
    assert_eq!(types(&iopub), ["status", "status"], "nothing applied, nothing echoed");
    let full: CommMsg = only(&send(&client, "m-1", json!({"method": "request_state"})));
    assert_eq!(full.data["state"]["_model_name"], "FloatSliderModel");
    assert_eq!(full.data["state"]["_view_name"], "FloatSliderView");
    client.shutdown();
}

#[test]
fn request_states_lists_every_open_model_so_a_reloaded_page_sees_the_same_widgets() {
    let client = Client::start();
    open_model(&client, "m-1", slider_state(0.1));
    let mut check = Value::Object(Kind::Checkbox.identity());
    check["value"] = json!(true);
    open_model(&client, "m-2", check);
    send(&client, "m-1", json!({"method": "update", "state": {"value": 0.4}}));

    // A page that reloads (or a second tab) opens its own control comm and asks.
    open_control(&client, "ctl-tab-2");
    let states = request_states(&client, "ctl-tab-2");
    assert_eq!(states.as_object().unwrap().len(), 2);
    assert_eq!(states["m-1"]["model_name"], "FloatSliderModel");
    assert_eq!(states["m-1"]["model_module"], "@jupyter-widgets/controls");
    assert_eq!(states["m-1"]["model_module_version"], "2.0.0");
    assert_eq!(states["m-1"]["state"]["value"], json!(0.4), "the latest value, not the first");
    assert_eq!(states["m-2"]["model_name"], "CheckboxModel");
    assert_eq!(states["m-2"]["state"]["value"], json!(true));

    // A closed model is gone from the list.
    comm_request(&client, &CommClose { comm_id: "m-2".into(), data: Default::default() });
    let states = request_states(&client, "ctl-tab-2");
    assert_eq!(states.as_object().unwrap().keys().collect::<Vec<_>>(), ["m-1"]);
    client.shutdown();
}

#[test]
fn models_outlive_cells() {
    let client = Client::start();
    open_model(&client, "m-1", slider_state(0.1));
    client.execute("print a cell");
    send(&client, "m-1", json!({"method": "update", "state": {"value": 0.2}}));
    client.execute("value 1");
    let full: CommMsg = only(&send(&client, "m-1", json!({"method": "request_state"})));
    assert_eq!(full.data["state"]["value"], json!(0.2));
    client.shutdown();
}

#[test]
fn custom_and_unknown_methods_are_taken_without_output() {
    let client = Client::start();
    let mut button = Value::Object(Kind::Button.identity());
    button["description"] = json!("run");
    open_model(&client, "b-1", button);
    let iopub = send(&client, "b-1", json!({"method": "custom", "content": {"event": "click"}}));
    assert_eq!(types(&iopub), ["status", "status"]);
    let iopub = send(&client, "b-1", json!({"method": "no_such_method"}));
    assert_eq!(types(&iopub), ["status", "status"]);
    open_control(&client, "ctl");
    let iopub = send(&client, "ctl", json!({"method": "no_such_method"}));
    assert_eq!(types(&iopub), ["status", "status"]);
    client.shutdown();
}
