//! A cell that shows a widget (a display bundle with `distsim::render::WIDGET_MIME`, as
//! `distsim::widgets` prints it): the kernel opens the model's comms before the display of its
//! view, all inside the cell's busy/idle, and the model then answers like any other. A widget with
//! a live value (a side-channel key) gets an Output, and its changes become calls over the side
//! channel, here to a scripted evaluation process (`FakeProcess`) that logs what it is asked.

use crate::support::*;
use distsim::render::{WidgetRequest, WIDGET_MIME};
use distsim::widgets::channel::{Call, Captured, Done, Hello};
use distsim::widgets::{FloatSlider, Widget};
use distsim_kernel::comm::Data;
use distsim_kernel::interpreter::*;
use distsim_kernel::protocol::content::*;
use distsim_kernel::testing::FakeInterpreter;
use distsim_kernel::widgets::side_channel;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::sync::{mpsc, Arc, Mutex};

/// The fake interpreter, plus one command: `widget JSON` displays a widget request. Every cell's
/// start and end go to the log.
/// An interrupter may stand in for the fake one; `process lost` goes to the log.
pub(crate) struct WithWidgets(FakeInterpreter, Log, Option<Arc<dyn Interrupter>>);

/// What happened, in order: `cell CODE`, `cell end`, and the fake process's `call STATE`.
pub(crate) type Log = Arc<Mutex<Vec<String>>>;

impl Interpreter for WithWidgets {
    fn execute(&mut self, code: &str, sink: &dyn OutputSink) -> ExecOutcome {
        self.1.lock().unwrap().push(format!("cell {code}"));
        let outcome = self.run(code, sink);
        self.1.lock().unwrap().push("cell end".into());
        outcome
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
        self.2.clone().unwrap_or_else(|| self.0.interrupter())
    }
    fn process_lost(&mut self) {
        self.1.lock().unwrap().push("process lost".into());
    }
    fn restart(&mut self) -> Result<(), String> {
        self.0.restart()
    }
    fn language_version(&self) -> String {
        self.0.language_version()
    }
}

impl WithWidgets {
    fn run(&mut self, code: &str, sink: &dyn OutputSink) -> ExecOutcome {
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
}

fn start() -> Client {
    start_logged(Log::default())
}

pub(crate) fn start_logged(log: Log) -> Client {
    start_with(log, None)
}

pub(crate) fn start_with(log: Log, interrupter: Option<Arc<dyn Interrupter>>) -> Client {
    Client::start_with_interpreter(Box::new(WithWidgets(FakeInterpreter::new(), log, interrupter)))
}

pub(crate) fn request_json(request: &WidgetRequest) -> String {
    serde_json::to_string(request).unwrap()
}

#[test]
fn a_cell_showing_a_slider_opens_its_comms_then_displays_its_view() {
    let client = start();
    let slider = FloatSlider::new("loss", 0.0..=0.5).step(0.01).initial(0.1).request().unwrap();
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

pub(crate) trait FromMessage {
    fn deserialize_from(message: &distsim_kernel::protocol::Message) -> Self;
}

impl FromMessage for CommOpen {
    fn deserialize_from(message: &distsim_kernel::protocol::Message) -> Self {
        assert_eq!(message.msg_type(), "comm_open");
        message.content().unwrap()
    }
}

// --- live widgets: calls over the side channel ---------------------------------------------------

/// A scripted evaluation process holding one widget value: it connects to the kernel's side
/// channel, logs each call's state as `call {state}`, and answers with `reply(state)`. A held
/// process waits for a message on `release` before answering each call (a closure still running)
/// and says on `running` that a call arrived.
pub(crate) struct FakeProcess {
    pub key: u64,
    pub release: mpsc::Sender<()>,
    pub running: mpsc::Receiver<()>,
}

/// A held process whose `release` is dropped ends without answering, as a killed process would.
pub(crate) fn fake_process(log: Log, hold: bool, reply: fn(&Data) -> Captured) -> FakeProcess {
    let address = side_channel::global().unwrap().address().to_owned();
    let stream = match address.strip_prefix('@') {
        Some(name) => {
            use std::os::linux::net::SocketAddrExt;
            UnixStream::connect_addr(&std::os::unix::net::SocketAddr::from_abstract_name(name).unwrap()).unwrap()
        }
        None => UnixStream::connect(&address).unwrap(),
    };
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut hello = String::new();
    reader.read_line(&mut hello).unwrap();
    let key = serde_json::from_str::<Hello>(&hello).unwrap().key;
    let (release, released) = mpsc::channel();
    let (started, running) = mpsc::channel();
    std::thread::spawn(move || {
        let mut writer = stream;
        for line in reader.lines() {
            let Ok(line) = line else { return };
            let call: Call = serde_json::from_str(&line).unwrap();
            log.lock().unwrap().push(format!("call {}", json!(call.state)));
            if hold {
                let _ = started.send(());
                if released.recv().is_err() {
                    return;
                }
            }
            let done = Done { call: call.call, output: reply(&call.state) };
            let _ = writeln!(writer, "{}", serde_json::to_string(&done).unwrap());
        }
    });
    FakeProcess { key, release, running }
}

/// Prints `value is V`, and panics at 0.45.
pub(crate) fn print_value(state: &Data) -> Captured {
    let value = &state["value"];
    if *value == json!(0.45) {
        return Captured {
            panic: Some("too lossy".into()),
            stderr: "thread 'distsim-widget' panicked at cell:1:\ntoo lossy\n".into(),
            ..Captured::default()
        };
    }
    Captured { stdout: format!("value is {value}\n"), ..Captured::default() }
}

/// Shows a live slider with key `key`; returns the control's and the Output's model ids.
pub(crate) fn show_live(client: &Client, key: u64) -> (String, String, Vec<distsim_kernel::protocol::Message>) {
    let mut request = FloatSlider::new("loss", 0.0..=0.5).step(0.01).request().unwrap();
    request.key = Some(key);
    request.output = Some(Captured { stdout: "start\n".into(), ..Captured::default() });
    let (reply, iopub) = client.execute(&format!("widget {}", request_json(&request)));
    assert!(matches!(reply, ExecuteReply::Ok { .. }), "{reply:?}");
    let opened: Vec<CommOpen> =
        iopub.iter().filter(|m| m.msg_type() == "comm_open").map(CommOpen::deserialize_from).collect();
    let named = |name: &str| opened.iter().find(|o| o.data["state"]["_model_name"] == name).unwrap().comm_id.clone();
    (named("FloatSliderModel"), named("OutputModel"), iopub)
}

pub(crate) fn update(client: &Client, comm_id: &str, value: f64) -> distsim_kernel::protocol::Message {
    client.send(
        Chan::Shell,
        &CommMsg { comm_id: comm_id.into(), data: data(json!({"method": "update", "state": {"value": value}})) },
    )
}

/// The next update of Output `output`'s outputs (other IOPub messages are skipped).
pub(crate) fn next_outputs(client: &Client, output: &str) -> (distsim_kernel::protocol::Message, Value) {
    loop {
        let message = client.next_iopub();
        if message.msg_type() != "comm_msg" {
            continue;
        }
        let msg: CommMsg = message.content().unwrap();
        if msg.comm_id == output && msg.data["method"] == "update" {
            return (message, msg.data["state"]["outputs"].clone());
        }
    }
}

#[test]
fn a_live_widget_shows_an_output_and_each_change_fills_it_with_what_its_process_printed() {
    let log = Log::default();
    let client = start_logged(log.clone());
    let process = fake_process(log.clone(), false, print_value);
    let (slider, output, iopub) = show_live(&client, process.key);
    let opened: Vec<CommOpen> =
        iopub.iter().filter(|m| m.msg_type() == "comm_open").map(CommOpen::deserialize_from).collect();
    let names: Vec<&Value> = opened.iter().map(|o| &o.data["state"]["_model_name"]).collect();
    assert_eq!(
        names,
        [
            "LayoutModel",
            "SliderStyleModel",
            "FloatSliderModel",
            "LayoutModel",
            "OutputModel",
            "LayoutModel",
            "VBoxModel"
        ]
    );
    let vbox = opened.last().unwrap();
    assert_eq!(vbox.data["state"]["children"], json!([format!("IPY_MODEL_{slider}"), format!("IPY_MODEL_{output}")]));
    let output_model = opened.iter().find(|o| o.comm_id == output).unwrap();
    assert_eq!(
        output_model.data["state"]["outputs"],
        json!([{"output_type": "stream", "name": "stdout", "text": "start\n"}])
    );
    let shown: DisplayData = only(&iopub);
    assert_eq!(shown.data["application/vnd.jupyter.widget-view+json"]["model_id"], json!(vbox.comm_id));

    let sent = update(&client, &slider, 0.25);
    let echo: CommMsg = only(&client.iopub_for(&sent));
    assert_eq!(echo.data["method"], "echo_update");
    let (message, outputs) = next_outputs(&client, &output);
    assert_eq!(message.parent_header.unwrap().msg_id, sent.header.msg_id, "parented to the change");
    assert_eq!(outputs, json!([{"output_type": "stream", "name": "stdout", "text": "value is 0.25\n"}]));

    // A panic is an error output (the hook's report on stderr is left out); the next change works.
    update(&client, &slider, 0.45);
    let (_, outputs) = next_outputs(&client, &output);
    assert_eq!(
        outputs,
        json!([{"output_type": "error", "ename": "Panic", "evalue": "too lossy", "traceback": ["Panic: too lossy"]}])
    );
    update(&client, &slider, 0.3);
    let (_, outputs) = next_outputs(&client, &output);
    assert_eq!(outputs[0]["text"], "value is 0.3\n");
    let ask = CommMsg { comm_id: output.clone(), data: data(json!({"method": "request_state"})) };
    let (_, iopub) = comm_request(&client, &ask);
    assert_eq!(only::<CommMsg>(&iopub).data["state"]["outputs"], outputs, "the kernel keeps the last outputs");
    let calls: Vec<String> = log.lock().unwrap().iter().filter(|l| l.starts_with("call")).cloned().collect();
    assert_eq!(calls, [r#"call {"value":0.25}"#, r#"call {"value":0.45}"#, r#"call {"value":0.3}"#]);
    client.shutdown();
}

#[test]
fn changes_that_arrive_while_the_closure_runs_coalesce_to_the_latest() {
    let log = Log::default();
    let client = start_logged(log.clone());
    let process = fake_process(log.clone(), true, print_value);
    let (slider, output, _) = show_live(&client, process.key);
    update(&client, &slider, 0.1);
    process.running.recv().unwrap();
    // The closure runs (held); three more changes arrive meanwhile.
    for value in [0.2, 0.3, 0.4] {
        update(&client, &slider, value);
    }
    process.release.send(()).unwrap();
    let (_, first) = next_outputs(&client, &output);
    assert_eq!(first[0]["text"], "value is 0.1\n");
    process.running.recv().unwrap();
    process.release.send(()).unwrap();
    let (_, latest) = next_outputs(&client, &output);
    assert_eq!(latest[0]["text"], "value is 0.4\n");
    let calls: Vec<String> = log.lock().unwrap().iter().filter(|l| l.starts_with("call")).cloned().collect();
    assert_eq!(calls, [r#"call {"value":0.1}"#, r#"call {"value":0.4}"#]);
    client.shutdown();
}

#[test]
fn changes_wait_for_a_running_cell_and_reach_the_process_before_the_next_cell() {
    let log = Log::default();
    let client = start_logged(log.clone());
    let process = fake_process(log.clone(), false, print_value);
    let (slider, output, _) = show_live(&client, process.key);
    log.lock().unwrap().clear();
    let cell = client.send(Chan::Shell, &execute_request("sleep"));
    update(&client, &slider, 0.2);
    let interrupt = client.send(Chan::Control, &InterruptRequest {});
    let _ = client.reply::<InterruptReply>(Chan::Control, &interrupt);
    let _ = client.reply::<ExecuteReply>(Chan::Shell, &cell);
    next_outputs(&client, &output);
    assert_eq!(*log.lock().unwrap(), ["cell sleep", "cell end", r#"call {"value":0.2}"#]);

    log.lock().unwrap().clear();
    update(&client, &slider, 0.3);
    client.execute("print after");
    assert_eq!(*log.lock().unwrap(), [r#"call {"value":0.3}"#, "cell print after", "cell end"]);
    client.shutdown();
}

#[test]
fn a_widget_whose_process_is_gone_reports_it_in_its_output_and_the_kernel_goes_on() {
    let client = start();
    let (slider, output, _) = show_live(&client, u64::MAX);
    update(&client, &slider, 0.2);
    let (_, outputs) = next_outputs(&client, &output);
    assert_eq!(outputs[0]["ename"], "WidgetUnreachable");
    assert!(outputs[0]["evalue"].as_str().unwrap().contains("run the cell that shows it again"));
    let (reply, _) = client.execute("print still here");
    assert!(matches!(reply, ExecuteReply::Ok { .. }));
    client.shutdown();
}
