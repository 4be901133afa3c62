use super::*;
use crate::render::{capture, protocol_display_line, DisplayLine, DISPLAY_PREFIX};

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
    assert_eq!(parameter_of(FloatSlider::new("loss", 0.0..=0.5).value(0.7).validate().unwrap_err()), "loss.value");
    assert_eq!(parameter_of(IntSlider::new("nodes", 3..=3).validate().unwrap_err()), "nodes.range");
    assert_eq!(parameter_of(IntSlider::new("nodes", 1..=9).step(0).validate().unwrap_err()), "nodes.step");
    assert_eq!(parameter_of(IntSlider::new("nodes", 1..=9).value(10).validate().unwrap_err()), "nodes.value");
    assert!(FloatSlider::new("loss", 0.0..=0.5).step(0.01).validate().is_ok());
    assert!(IntSlider::new("nodes", 1..=9).step(2).value(5).validate().is_ok());
}

#[test]
fn an_invalid_slider_shows_nothing() {
    let (result, printed) = capture(|| FloatSlider::new("loss", 0.0..=0.5).step(0.0).show());
    assert!(result.is_err());
    assert_eq!(printed, "");
}

#[test]
fn the_request_carries_the_state_the_kernel_sets() {
    let request = FloatSlider::new("loss", 0.0..=0.5).step(0.01).value(0.1).request().unwrap();
    assert_eq!(request.kind, "FloatSlider");
    assert_eq!(
        Value::Object(request.state),
        json!({"description": "loss", "min": 0.0, "max": 0.5, "step": 0.01, "value": 0.1})
    );
    let request = IntSlider::new("nodes", 1..=9).request().unwrap();
    assert_eq!(request.kind, "IntSlider");
    assert_eq!(
        Value::Object(request.state),
        json!({"description": "nodes", "min": 1, "max": 9, "step": 1, "value": 1})
    );
}

#[test]
fn showing_emits_the_widget_request_and_a_text_fallback() {
    // Outside the kernel (as here) the bundle goes out as evcxr blocks; in the kernel the same
    // bundle becomes one DISTSIM_DISPLAY line (`protocol_display_line`).
    let (result, printed) = capture(|| FloatSlider::new("loss", 0.0..=0.5).step(0.01).value(0.1).show());
    result.unwrap();
    assert!(printed.contains(WIDGET_MIME), "{printed}");
    assert!(printed.contains("FloatSlider(loss = 0.1)"), "{printed}");
    let bundle = Shown(FloatSlider::new("loss", 0.0..=0.5).request().unwrap(), "x".into()).mime_bundle();
    let line: DisplayLine = serde_json::from_str(
        protocol_display_line(&bundle, None, false).trim_end().strip_prefix(DISPLAY_PREFIX).unwrap(),
    )
    .unwrap();
    let request: WidgetRequest = serde_json::from_str(&line.data[WIDGET_MIME]).unwrap();
    assert_eq!(request, FloatSlider::new("loss", 0.0..=0.5).request().unwrap());
}
