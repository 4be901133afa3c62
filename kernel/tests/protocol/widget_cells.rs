//! A cell that shows a widget (a display bundle with `distsim::render::WIDGET_MIME`, as
//! `distsim::widgets` prints it): the kernel opens the model's comms before the display of its
//! view, all inside the cell's busy/idle, and the model then answers like any other.

use crate::support::*;
use distsim::render::{WidgetRequest, WIDGET_MIME};
use distsim::widgets::FloatSlider;
use distsim_kernel::interpreter::*;
use distsim_kernel::protocol::content::*;
use distsim_kernel::testing::FakeInterpreter;
use serde_json::{json, Value};
use std::sync::Arc;

/// The fake interpreter, plus one command: `widget JSON` displays a widget request.
struct WithWidgets(FakeInterpreter);

impl Interpreter for WithWidgets {
    fn execute(&mut self, code: &str, sink: &dyn OutputSink) -> ExecOutcome {
        match code.strip_prefix("widget ") {
            Some(json) => {
                let mut data = MimeBundle::new();
                data.insert(WIDGET_MIME.into(), Value::String(json.into()));
                data.insert("text/plain".into(), Value::String("the slider".into()));
                sink.display(data, MimeBundle::new(), None, false);
                ExecOutcome::Ok { result: None }
            }
            None => self.0.execute(code, sink),
        }
    }
    fn complete(&mut self, code: &str, cursor_pos: usize) -> Completions {
        self.0.complete(code, cursor_pos)
    }
    fn inspect(&mut self, code: &str, cursor_pos: usize, detail_level: u8) -> Option<MimeBundle> {
        self.0.inspect(code, cursor_pos, detail_level)
    }
    fn is_complete(&self, code: &str) -> Completeness {
        self.0.is_complete(code)
    }
    fn interrupter(&self) -> Arc<dyn Interrupter> {
        self.0.interrupter()
    }
    fn restart(&mut self) -> Result<(), String> {
        self.0.restart()
    }
    fn language_version(&self) -> String {
        self.0.language_version()
    }
}

fn start() -> Client {
    Client::start_with_interpreter(Box::new(WithWidgets(FakeInterpreter::new())))
}

fn request_json(request: &WidgetRequest) -> String {
    serde_json::to_string(request).unwrap()
}

#[test]
fn a_cell_showing_a_slider_opens_its_comms_then_displays_its_view() {
    let client = start();
    let slider = FloatSlider::new("loss", 0.0..=0.5).step(0.01).value(0.1).request().unwrap();
    let (reply, iopub) = client.execute(&format!("widget {}", request_json(&slider)));
    assert!(matches!(reply, ExecuteReply::Ok { .. }), "{reply:?}");
    assert_eq!(
        types(&iopub),
        ["status", "execute_input", "comm_open", "comm_open", "comm_open", "display_data", "status"],
        "layout, style and model are open before the view is shown"
    );
    let model = CommOpen::deserialize_from(&iopub[4]);
    assert_eq!(model.target_name, "jupyter.widget");
    assert_eq!(model.data["state"]["_model_name"], "FloatSliderModel");
    assert_eq!(model.data["state"]["description"], "loss");
    assert_eq!(model.data["state"]["step"], json!(0.01));
    let shown: DisplayData = only(&iopub);
    assert_eq!(
        shown.data["application/vnd.jupyter.widget-view+json"],
        json!({"model_id": model.comm_id, "version_major": 2, "version_minor": 0})
    );
    assert_eq!(shown.data["text/plain"], "the slider");
    assert!(!shown.data.contains_key(WIDGET_MIME), "the request itself is not shown");

    // The model lives on after the cell: a front end moves the knob and asks for the state.
    let update =
        CommMsg { comm_id: model.comm_id.clone(), data: data(json!({"method": "update", "state": {"value": 0.3}})) };
    let (_, iopub) = comm_request(&client, &update);
    assert_eq!(only::<CommMsg>(&iopub).data["method"], "echo_update");
    let ask = CommMsg { comm_id: model.comm_id.clone(), data: data(json!({"method": "request_state"})) };
    let (_, iopub) = comm_request(&client, &ask);
    assert_eq!(only::<CommMsg>(&iopub).data["state"]["value"], json!(0.3));
    client.shutdown();
}

#[test]
fn a_bad_widget_request_is_an_error_on_stderr_and_only_its_text_is_shown() {
    let client = start();
    let (_, iopub) = client.execute(r#"widget {"kind": "Spaceship", "state": {}}"#);
    assert_eq!(types(&iopub), ["status", "execute_input", "stream", "display_data", "status"]);
    let stream: Stream = only(&iopub);
    assert_eq!(stream.name, StreamKind::Stderr);
    assert!(stream.text.contains("unknown widget kind \"Spaceship\""), "{}", stream.text);
    let shown: DisplayData = only(&iopub);
    assert_eq!(json!(shown.data), json!({"text/plain": "the slider"}));
    client.shutdown();
}

#[test]
fn a_silent_cell_creates_no_widget() {
    let client = start();
    let slider = FloatSlider::new("loss", 0.0..=0.5).request().unwrap();
    let mut silent = execute_request(&format!("widget {}", request_json(&slider)));
    silent.silent = true;
    let (_, iopub) = client.execute_with(silent);
    assert_eq!(types(&iopub), ["status", "status"]);
    let sent = client.send(Chan::Shell, &CommInfoRequest { target_name: None });
    assert!(client.reply::<CommInfoReply>(Chan::Shell, &sent).comms.is_empty());
    client.shutdown();
}

trait FromMessage {
    fn deserialize_from(message: &distsim_kernel::protocol::Message) -> Self;
}

impl FromMessage for CommOpen {
    fn deserialize_from(message: &distsim_kernel::protocol::Message) -> Self {
        assert_eq!(message.msg_type(), "comm_open");
        message.content().unwrap()
    }
}
