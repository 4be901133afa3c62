//! Boxes a notebook builds (children, an Output placed by the notebook, jslinks), a Button's
//! clicks as calls, and an interrupt that stops a widget callback which never returns.

use crate::support::*;
use crate::widget_cells::*;
use distsim::render::WidgetRequest;
use distsim::widgets::channel::Captured;
use distsim::widgets::{Button, Element, HBox, IntSlider, Output, Play, VBox, Widget};
use distsim_kernel::comm::Data;
use distsim_kernel::interpreter::{errors, CallbackEnd, Interrupter};
use distsim_kernel::protocol::content::*;
use serde_json::{json, Value};
use std::sync::{mpsc, Arc, Mutex};

fn opened(iopub: &[distsim_kernel::protocol::Message]) -> Vec<CommOpen> {
    iopub.iter().filter(|m| m.msg_type() == "comm_open").map(CommOpen::deserialize_from).collect()
}

fn named<'a>(opened: &'a [CommOpen], model: &str) -> Vec<&'a CommOpen> {
    opened.iter().filter(|o| o.data["state"]["_model_name"] == model).collect()
}

fn model_ref(id: &str) -> Value {
    json!(format!("IPY_MODEL_{id}"))
}

#[test]
fn a_stepper_layout_links_play_and_slider_and_the_play_prints_into_the_placed_output() {
    let log = Log::default();
    let client = start_logged(log.clone());
    let process = fake_process(log.clone(), false, print_value);
    // The stepper's shape, with side-channel keys set by hand (outside the kernel there are none).
    let mut request = VBox::new([
        HBox::new([Play::new("step", 0..=4).boxed(), IntSlider::new("event", 0..=4).boxed()]).link(0, 1).boxed(),
        Output::new().boxed(),
    ])
    .live_request()
    .unwrap();
    let placed_key = process.key + 1000;
    request.children[0].children[0].key = Some(process.key);
    request.children[0].children[0].into = Some(placed_key);
    request.children[0].children[0].output = Some(Captured { stdout: "step 0\n".into(), ..Captured::default() });
    request.children[1].key = Some(placed_key);
    let (reply, iopub) = client.execute(&format!("widget {}", request_json(&request)));
    assert!(matches!(reply, ExecuteReply::Ok { .. }), "{reply:?}");
    let opened = opened(&iopub);
    let (play, slider) = (&named(&opened, "PlayModel")[0].comm_id, &named(&opened, "IntSliderModel")[0].comm_id);
    let outputs = named(&opened, "OutputModel");
    assert_eq!(outputs.len(), 1, "the play prints into the placed Output; the plain slider has none");
    let placed = &outputs[0].comm_id;
    assert_eq!(outputs[0].data["state"]["outputs"][0]["text"], "step 0\n", "the start output is in the placed Output");
    let hbox = named(&opened, "HBoxModel")[0];
    assert_eq!(hbox.data["state"]["children"], json!([model_ref(play), model_ref(slider)]));
    let vbox = named(&opened, "VBoxModel")[0];
    assert_eq!(vbox.data["state"]["children"], json!([model_ref(&hbox.comm_id), model_ref(placed)]));
    let link = named(&opened, "LinkModel")[0];
    assert_eq!(link.data["state"]["source"], json!([model_ref(play), "value"]));
    assert_eq!(link.data["state"]["target"], json!([model_ref(slider), "value"]));
    assert_eq!(link.data["state"]["_view_name"], Value::Null, "a link has no view");
    let shown: DisplayData = only(&iopub);
    assert_eq!(shown.data["application/vnd.jupyter.widget-view+json"]["model_id"], json!(vbox.comm_id));

    // A step of the Play reaches its process, and what it printed replaces the placed Output.
    client.send(
        Chan::Shell,
        &CommMsg { comm_id: play.clone(), data: data(json!({"method": "update", "state": {"value": 3}})) },
    );
    let (_, outputs) = next_outputs(&client, placed);
    assert_eq!(outputs, json!([{"output_type": "stream", "name": "stdout", "text": "value is 3\n"}]));
    client.shutdown();
}

#[test]
fn a_link_between_children_without_a_value_is_refused_with_the_reason() {
    let client = start_logged(Log::default());
    let request = HBox::new([Button::new("a").boxed(), Button::new("b").boxed()]).link(0, 1).live_request().unwrap();
    let (_, iopub) = client.execute(&format!("widget {}", request_json(&request)));
    let stream: Stream = only(&iopub);
    assert!(stream.text.contains("HBox link (0, 1): both must be controls with a value"), "{}", stream.text);
    client.shutdown();
}

fn print_clicks(state: &Data) -> Captured {
    Captured { stdout: format!("clicks {}\n", state["clicks"]), ..Captured::default() }
}

#[test]
fn each_click_of_a_button_is_a_call_with_the_count_so_far() {
    let log = Log::default();
    let client = start_logged(log.clone());
    let process = fake_process(log.clone(), false, print_clicks);
    let mut request: WidgetRequest = Button::new("run").request().unwrap();
    request.key = Some(process.key);
    let (_, iopub) = client.execute(&format!("widget {}", request_json(&request)));
    let opened = opened(&iopub);
    let (button, output) = (&named(&opened, "ButtonModel")[0].comm_id, &named(&opened, "OutputModel")[0].comm_id);
    assert!(named(&opened, "ButtonModel")[0].data["state"].get("clicks").is_none());
    let click =
        CommMsg { comm_id: button.clone(), data: data(json!({"method": "custom", "content": {"event": "click"}})) };
    for expected in ["clicks 1\n", "clicks 2\n"] {
        client.send(Chan::Shell, &click);
        let (_, outputs) = next_outputs(&client, output);
        assert_eq!(outputs[0]["text"], expected);
    }
    let calls: Vec<String> = log.lock().unwrap().iter().filter(|l| l.starts_with("call")).cloned().collect();
    assert_eq!(calls, [r#"call {"clicks":1}"#, r#"call {"clicks":2}"#]);
    client.shutdown();
}

/// Stands in for the evcxr interrupter during a callback: an interrupt "kills" the fake process
/// (drops its release, so it ends without answering) and reports the state lost.
struct KillsCallbacks {
    running: Mutex<bool>,
    interrupted: Mutex<bool>,
    release: Mutex<Option<mpsc::Sender<()>>>,
}

impl Interrupter for KillsCallbacks {
    fn interrupt(&self) {
        if *self.running.lock().unwrap() {
            *self.interrupted.lock().unwrap() = true;
            self.release.lock().unwrap().take();
        }
    }
    fn begin_callback(&self) {
        *self.running.lock().unwrap() = true;
    }
    fn end_callback(&self) -> CallbackEnd {
        *self.running.lock().unwrap() = false;
        if !std::mem::take(&mut *self.interrupted.lock().unwrap()) {
            return CallbackEnd::default();
        }
        let lost = errors::interrupted_state_lost("widget callback", std::time::Duration::from_secs(2), None);
        CallbackEnd { interrupted: Some(lost), process_lost: true }
    }
}

#[test]
fn an_interrupt_stops_a_callback_that_never_returns_shows_why_and_the_kernel_goes_on() {
    let log = Log::default();
    let interrupter = Arc::new(KillsCallbacks {
        running: Mutex::new(false),
        interrupted: Mutex::new(false),
        release: Mutex::new(None),
    });
    let client = start_with(log.clone(), Some(interrupter.clone()));
    let process = fake_process(log.clone(), true, print_value);
    *interrupter.release.lock().unwrap() = Some(process.release.clone());
    drop(process.release);
    let (slider, output, _) = show_live(&client, process.key);
    update(&client, &slider, 0.1);
    process.running.recv().unwrap(); // the callback runs and would never return
    let interrupt = client.send(Chan::Control, &InterruptRequest {});
    let _ = client.reply::<InterruptReply>(Chan::Control, &interrupt);
    let (_, outputs) = next_outputs(&client, &output);
    assert_eq!(outputs.as_array().unwrap().len(), 1, "{outputs}");
    assert_eq!(outputs[0]["ename"], "Interrupted");
    let evalue = outputs[0]["evalue"].as_str().unwrap();
    assert!(evalue.contains("The widget callback did not stop within 2.0 s"), "{evalue}");
    assert!(evalue.contains("ALL VARIABLES WERE LOST"), "{evalue}");
    let (reply, _) = client.execute("print still here");
    assert!(matches!(reply, ExecuteReply::Ok { .. }), "{reply:?}");
    let events: Vec<String> = log.lock().unwrap().iter().filter(|l| !l.starts_with("call")).cloned().collect();
    assert_eq!(
        events[events.len() - 3..],
        ["process lost", "cell print still here", "cell end"],
        "the interpreter hears of the lost process before the next cell"
    );
    client.shutdown();
}
