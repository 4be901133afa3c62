use super::channel::{serve_for_test, Captured, Done, Receiver};
use super::*;
use crate::concepts::two_generals;
use crate::experiment::Experiment;
use crate::render::{capture, protocol_display_line, DisplayLine, DISPLAY_PREFIX};
use serde_json::json;
use std::sync::Mutex;

fn parameter_of(error: Error) -> String {
    match error {
        Error::InvalidParameter { parameter, .. } => parameter,
        other => panic!("expected InvalidParameter, got {other:?}"),
    }
}

#[test]
fn bad_ranges_steps_and_values_are_errors_naming_the_parameter() {
    assert_eq!(parameter_of(FloatSlider::new("loss", 0.5..=0.5).validate().unwrap_err()), "loss.range");
    assert_eq!(parameter_of(FloatSlider::new("loss", 0.5..=0.1).validate().unwrap_err()), "loss.range");
    assert_eq!(parameter_of(FloatSlider::new("loss", 0.0..=f64::NAN).validate().unwrap_err()), "loss.range");
    assert_eq!(parameter_of(FloatSlider::new("loss", 0.0..=0.5).step(0.0).validate().unwrap_err()), "loss.step");
    assert_eq!(parameter_of(FloatSlider::new("loss", 0.0..=0.5).step(-0.1).validate().unwrap_err()), "loss.step");
    assert_eq!(parameter_of(FloatSlider::new("loss", 0.0..=0.5).step(0.6).validate().unwrap_err()), "loss.step");
    assert_eq!(parameter_of(FloatSlider::new("loss", 0.0..=0.5).initial(0.7).validate().unwrap_err()), "loss.value");
    assert_eq!(parameter_of(IntSlider::new("nodes", 3..=3).validate().unwrap_err()), "nodes.range");
    assert_eq!(parameter_of(IntSlider::new("nodes", 1..=9).step(0).validate().unwrap_err()), "nodes.step");
    assert_eq!(parameter_of(IntSlider::new("nodes", 1..=9).initial(10).validate().unwrap_err()), "nodes.value");
    assert_eq!(parameter_of(Dropdown::new("mode", &[]).validate().unwrap_err()), "mode.options");
    assert_eq!(parameter_of(Dropdown::new("mode", &["a", "b"]).initial("c").validate().unwrap_err()), "mode.initial");
    assert_eq!(parameter_of(Play::new("step", 0..=9).interval_ms(0).validate().unwrap_err()), "step.interval_ms");
    assert!(FloatSlider::new("loss", 0.0..=0.5).step(0.01).validate().is_ok());
    assert!(IntSlider::new("nodes", 1..=9).step(2).initial(5).validate().is_ok());
}

#[test]
fn an_invalid_widget_shows_nothing_and_interact_runs_nothing() {
    let (result, printed) = capture(|| FloatSlider::new("loss", 0.0..=0.5).step(0.0).show());
    assert!(result.is_err());
    assert_eq!(printed, "");
    let ran = std::sync::Arc::new(Mutex::new(false));
    let flag = ran.clone();
    let result = FloatSlider::new("loss", 0.0..=0.0).interact(move |_| *flag.lock().unwrap() = true);
    assert_eq!(parameter_of(result.unwrap_err()), "loss.range");
    assert!(!*ran.lock().unwrap());
}

#[test]
fn the_request_carries_the_state_the_kernel_sets() {
    let request = FloatSlider::new("loss", 0.0..=0.5).step(0.01).initial(0.1).request().unwrap();
    assert_eq!(request.kind, "FloatSlider");
    assert_eq!(
        Value::Object(request.state),
        json!({"description": "loss", "min": 0.0, "max": 0.5, "step": 0.01, "value": 0.1})
    );
    assert_eq!((request.key, request.output), (None, None), "outside the kernel: no side channel");
    let request = IntSlider::new("nodes", 1..=9).request().unwrap();
    assert_eq!(request.kind, "IntSlider");
    assert_eq!(
        Value::Object(request.state),
        json!({"description": "nodes", "min": 1, "max": 9, "step": 1, "value": 1})
    );
    let request = Dropdown::new("mode", &["quorum", "all"]).initial("all").request().unwrap();
    assert_eq!(
        Value::Object(request.state),
        json!({"description": "mode", "_options_labels": ["quorum", "all"], "index": 1})
    );
}

#[test]
fn showing_emits_the_widget_request_and_a_text_fallback() {
    // Outside the kernel (as here) the bundle goes out as evcxr blocks; in the kernel the same
    // bundle becomes one DISTSIM_DISPLAY line (`protocol_display_line`).
    let (result, printed) = capture(|| FloatSlider::new("loss", 0.0..=0.5).step(0.01).initial(0.1).show());
    result.unwrap();
    assert!(printed.contains(WIDGET_MIME), "{printed}");
    assert!(printed.contains("FloatSlider(loss = 0.1)"), "{printed}");
    let request = FloatSlider::new("loss", 0.0..=0.5).request().unwrap();
    let bundle = Shown(request.clone(), "x".into()).mime_bundle();
    let line: DisplayLine = serde_json::from_str(
        protocol_display_line(&bundle, None, false).trim_end().strip_prefix(DISPLAY_PREFIX).unwrap(),
    )
    .unwrap();
    let parsed: WidgetRequest = serde_json::from_str(&line.data[WIDGET_MIME]).unwrap();
    assert_eq!(parsed, request);
}

#[test]
fn a_call_sets_the_value_runs_the_observers_in_order_and_answers_with_its_call_number() {
    let slider = FloatSlider::new("loss", 0.0..=0.5);
    let seen = std::sync::Arc::new(Mutex::new(Vec::new()));
    let (a, b) = (seen.clone(), seen.clone());
    slider
        .observe(move |v| a.lock().unwrap().push(format!("a {v}")))
        .observe(move |v| b.lock().unwrap().push(format!("b {v}")));
    let calls = "{\"call\":4,\"state\":{\"value\":0.25}}\n{\"call\":5,\"state\":{\"value\":\"high\"}}\n";
    let mut replies = Vec::new();
    serve_for_test(calls.as_bytes(), &mut replies, slider.live().clone() as std::sync::Arc<dyn Receiver>);
    let replies: Vec<Done> =
        String::from_utf8(replies).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(slider.value(), 0.25, "a value that does not fit leaves the last good one");
    assert_eq!(*seen.lock().unwrap(), ["a 0.25", "b 0.25"]);
    assert_eq!(replies[0], Done { call: 4, output: Captured::default() });
    assert_eq!(replies[1].call, 5);
    let error = replies[1].output.panic.as_deref().unwrap();
    assert!(error.contains("value = \"high\""), "{error}");
}

#[test]
fn a_panicking_observer_is_reported_with_its_message_and_the_next_call_still_runs() {
    let slider = IntSlider::new("n", 0..=9);
    slider.observe(|v| assert!(v != 3, "three is unlucky"));
    let calls = "{\"call\":1,\"state\":{\"value\":3}}\n{\"call\":2,\"state\":{\"value\":4}}\n";
    let mut replies = Vec::new();
    serve_for_test(calls.as_bytes(), &mut replies, slider.live().clone() as std::sync::Arc<dyn Receiver>);
    let replies: Vec<Done> =
        String::from_utf8(replies).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(replies[0].output.panic.as_deref(), Some("three is unlucky"));
    assert_eq!(replies[1].output.panic, None);
    assert_eq!(slider.value(), 4);
}

#[test]
fn interact_over_an_experiment_names_bad_parameters_and_ranges() {
    let config = two_generals::Config::default();
    let unknown = config.interact("captur", 0.0..=0.9, 7).unwrap_err();
    assert_eq!(parameter_of(unknown), "parameter name");
    let too_wide = config.interact("capture", 0.0..=1.5, 7).unwrap_err();
    assert_eq!(parameter_of(too_wide), "capture (slider range)");
    let empty = config.interact("capture", 0.5..=0.5, 7).unwrap_err();
    assert_eq!(parameter_of(empty), "capture.range");
}

#[test]
fn interact_over_an_experiment_shows_the_slider_then_the_run_at_the_current_value() {
    let config = two_generals::Config::default();
    let (result, printed) = capture(|| config.interact("capture", 0.0..=0.9, 7));
    result.unwrap();
    let expected = config.run(7).unwrap();
    let (_, table) = capture(|| display(&expected.table()));
    let slider = printed.find(WIDGET_MIME).unwrap();
    let run = printed.find(&table).expect("the run's table follows the slider");
    assert!(slider < run);
}

#[test]
fn interact_over_a_time_parameter_takes_times_and_shows_them_in_the_range_unit() {
    use crate::concepts::availability;
    use crate::time::{hours, secs};
    let config = availability::Config::default();
    let numbers = config.interact("mttr", 1.0..=24.0, 7).unwrap_err();
    assert_eq!(parameter_of(numbers), "mttr (slider range)");
    let flag_like = two_generals::Config::default().interact("capture", hours(1)..=hours(2), 7).unwrap_err();
    assert_eq!(parameter_of(flag_like), "capture (slider range)");
    let too_short = config.interact("mttr", crate::time::Duration::ZERO..=hours(24), 7).unwrap_err();
    assert_eq!(parameter_of(too_short), "mttr (slider range)", "mttr must be at least a second");
    let (result, printed) = capture(|| config.interact("mttr", secs(3600)..=hours(24), 7));
    result.unwrap();
    assert!(printed.contains("\"description\":\"mttr (h)\""), "{printed}");
    assert!(
        printed.contains("\"min\":1.0") && printed.contains("\"max\":24.0") && printed.contains("\"value\":6.0"),
        "{printed}"
    );
}

#[test]
fn the_new_controls_name_their_bad_parameter_and_its_valid_range() {
    let error = ToggleButtons::new("mode", &[]).validate().unwrap_err();
    assert!(error.to_string().contains("at least one option"), "{error}");
    assert_eq!(parameter_of(error), "mode.options");
    let log = |range| FloatLogSlider::new("timeout", range);
    assert_eq!(parameter_of(log(1e-3..=10.0).step(0.0).validate().unwrap_err()), "timeout.step");
    assert_eq!(
        parameter_of(log(1e-3..=10.0).step(5.0).validate().unwrap_err()),
        "timeout.step",
        "wider than 4 decades"
    );
    assert_eq!(parameter_of(log(10.0..=1e-3).validate().unwrap_err()), "timeout.range", "min > max");
    assert_eq!(parameter_of(log(0.0..=10.0).validate().unwrap_err()), "timeout.range", "log of 0");
    for base in [0.0, -2.0, 1.0, 0.5, f64::INFINITY] {
        let error = log(1e-3..=10.0).base(base).validate().unwrap_err();
        assert!(error.to_string().contains("a finite base > 1"), "{error}");
        assert_eq!(parameter_of(error), "timeout.base");
    }
    assert_eq!(parameter_of(log(1e-3..=10.0).initial(20.0).validate().unwrap_err()), "timeout.value");
    assert_eq!(parameter_of(Button::new(" ").validate().unwrap_err()), "Button.name");
    let empty = HBox::new([]).live_request().unwrap_err();
    assert_eq!(parameter_of(empty), "HBox.children");
    let slider = IntSlider::new("n", 0..=9);
    let bad_link = VBox::new([slider.boxed(), slider.boxed()]).link(0, 2).live_request().unwrap_err();
    assert_eq!(parameter_of(bad_link), "VBox.link");
}

#[test]
fn the_new_controls_ask_for_ipywidgets_8_state() {
    let request = FloatLogSlider::new("timeout", 1e-3..=10.0).base(10.0).step(0.5).initial(0.01).request().unwrap();
    assert_eq!(request.kind, "FloatLogSlider");
    assert_eq!(
        Value::Object(request.state),
        json!({"description": "timeout", "min": -3.0, "max": 1.0, "step": 0.5, "base": 10.0, "value": 0.01})
    );
    let request = ToggleButtons::new("mode", &["fifo", "lifo"]).initial("lifo").request().unwrap();
    assert_eq!(request.kind, "ToggleButtons");
    assert_eq!(
        Value::Object(request.state),
        json!({"description": "mode", "_options_labels": ["fifo", "lifo"], "index": 1})
    );
    let request = Button::new("run").request().unwrap();
    assert_eq!(
        (request.kind.as_str(), Value::Object(request.state)),
        ("Button", json!({"description": "run"})),
        "ButtonModel has no value: the click count stays out of its state"
    );
}

#[test]
fn a_box_asks_for_its_children_in_order_with_its_links() {
    let play = Play::new("step", 0..=4);
    let slider = IntSlider::new("event", 0..=4);
    let request = VBox::new([HBox::new([play.boxed(), slider.boxed()]).link(0, 1).boxed(), Output::new().boxed()])
        .live_request()
        .unwrap();
    assert_eq!(request.kind, "VBox");
    let kinds: Vec<&str> = request.children.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, ["HBox", "Output"]);
    let row = &request.children[0];
    assert_eq!(row.links, [[0, 1]]);
    assert_eq!(row.children.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(), ["Play", "IntSlider"]);
    let back: crate::render::WidgetRequest = serde_json::from_str(&serde_json::to_string(&request).unwrap()).unwrap();
    assert_eq!(back, request, "the nested request survives the display line");
}

#[test]
fn a_button_counts_clicks_and_its_observer_sees_the_count() {
    let button = Button::new("run");
    let seen = std::sync::Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    button.on_click(move |clicks| log.lock().unwrap().push(clicks));
    let calls = "{\"call\":1,\"state\":{\"clicks\":1}}\n{\"call\":2,\"state\":{\"clicks\":3}}\n";
    let mut replies = Vec::new();
    serve_for_test(calls.as_bytes(), &mut replies, button.live().clone() as std::sync::Arc<dyn Receiver>);
    assert_eq!(*seen.lock().unwrap(), [1, 3], "clicks made during a call arrive as one, with the latest count");
    assert_eq!(button.value(), 3);
}

#[test]
fn the_stepper_plays_a_runs_events_and_rings_the_current_one() {
    use crate::trace::{EventKind, Trace, TraceEvent};
    let mut trace = Trace::new(vec!["client".into(), "server".into()]);
    let ev = |seq, ms: u64, kind| TraceEvent {
        time: crate::time::Time::from_nanos(ms * 1_000_000),
        seq,
        kind,
        lamport: None,
    };
    trace.events.push(ev(0, 0, EventKind::Send { from: 0, to: 1, msg: 1, label: "get".into() }));
    trace.events.push(ev(1, 2, EventKind::Deliver { from: 0, to: 1, msg: 1 }));
    let diagram = crate::trace::spacetime::SpaceTime::new(&trace);
    // Outside the kernel the start step shows at once: event 0 ringed (its text line goes to
    // stdout, which `capture` does not see; the kernel test reads it).
    let (stepper, printed) = capture(|| diagram.stepper(300));
    let request = stepper.unwrap().live_request().unwrap();
    assert!(printed.contains(r#"stroke-width="2.5"><title>event 0</title></circle>"#), "event 0 is ringed");
    let row = &request.children[0];
    assert_eq!(row.links, [[0, 1]]);
    assert_eq!(row.children[0].state["interval"], json!(300));
    assert_eq!((row.children[0].state["max"].clone(), row.children[1].state["max"].clone()), (json!(1), json!(1)));
    let one = Trace::new(vec![]);
    let error = crate::trace::spacetime::SpaceTime::new(&one).stepper(300).unwrap_err();
    assert_eq!(parameter_of(error), "stepper.trace");
    assert_eq!(parameter_of(diagram.stepper(0).unwrap_err()), "step.interval_ms");
}
