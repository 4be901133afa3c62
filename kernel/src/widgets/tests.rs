//! Widgets created from the kernel side: the comm_opens on IOPub (companions first, protocol
//! version in metadata), the model and view names of every kind, and the view bundle.

use super::models::Kind;
use super::*;
use crate::comm::Comms;
use crate::protocol::content::CommOpen;
use crate::protocol::iopub::{self, Publisher};
use crate::protocol::{KernelIdentity, Message};
use crate::transport::memory;
use crate::transport::signing::Signer;
use crate::transport::wire::RawMessage;
use crate::transport::Frames;
use std::sync::mpsc::Receiver;

fn kernel_side() -> (Comms, Publisher, Receiver<Frames>, Signer) {
    let (socket, rx) = memory::publisher();
    let signer = Signer::new("k", "hmac-sha256").unwrap();
    let (publisher, _thread) = iopub::spawn(Box::new(socket), signer.clone(), KernelIdentity::new());
    (Comms::new(vec![Box::new(Widgets::new())]), publisher, rx, signer)
}

/// The next `n` comm_opens published.
fn opens(rx: &Receiver<Frames>, signer: &Signer, n: usize) -> Vec<(CommOpen, Data)> {
    (0..n)
        .map(|_| {
            let frames = rx.recv_timeout(std::time::Duration::from_secs(20)).expect("an IOPub message");
            let message = Message::decode(RawMessage::from_frames(frames, signer).unwrap()).unwrap();
            assert_eq!(message.msg_type(), "comm_open");
            (message.content::<CommOpen>().unwrap(), message.metadata)
        })
        .collect()
}

fn create(comms: &mut Comms, publisher: &Publisher, kind: Kind, state: Value) -> String {
    let Value::Object(state) = state else { panic!("state must be an object") };
    comms.with_target(publisher, None, |w: &mut Widgets, out| w.create(out, kind, state)).unwrap()
}

#[test]
fn a_slider_opens_its_layout_and_style_first_then_itself_referring_to_them() {
    let (mut comms, publisher, rx, signer) = kernel_side();
    let id = create(&mut comms, &publisher, Kind::FloatSlider, json!({"value": 0.1, "step": 0.01, "_model_name": "X"}));
    let opened = opens(&rx, &signer, 3);
    for (open, metadata) in &opened {
        assert_eq!(open.target_name, WIDGET_TARGET);
        assert_eq!(json!(metadata), json!({"version": "2.1.0"}));
        assert_eq!(open.data["buffer_paths"], json!([]));
    }
    let (layout, style, model) = (&opened[0].0, &opened[1].0, &opened[2].0);
    assert_eq!(layout.data["state"]["_model_name"], "LayoutModel");
    assert_eq!(layout.data["state"]["_model_module"], "@jupyter-widgets/base");
    assert_eq!(style.data["state"]["_model_name"], "SliderStyleModel");
    assert_eq!(style.data["state"]["_view_name"], "StyleView");
    assert_eq!(model.comm_id, id);
    let state = &model.data["state"];
    assert_eq!(state["_model_name"], "FloatSliderModel", "a caller cannot override the identity");
    assert_eq!(state["_view_name"], "FloatSliderView");
    assert_eq!(state["_model_module_version"], "2.0.0");
    assert_eq!(state["layout"], json!(format!("IPY_MODEL_{}", layout.comm_id)));
    assert_eq!(state["style"], json!(format!("IPY_MODEL_{}", style.comm_id)));
    assert_eq!(state["step"], json!(0.01));
    // All three are open comms of the registry, listed by comm_info.
    assert_eq!(comms.info(Some(WIDGET_TARGET)).len(), 3);
}

#[test]
fn every_kind_has_its_ipywidgets_8_names_and_style() {
    let expected = [
        (Kind::IntSlider, "IntSliderModel", "IntSliderView", "@jupyter-widgets/controls", Some("SliderStyleModel")),
        (
            Kind::FloatSlider,
            "FloatSliderModel",
            "FloatSliderView",
            "@jupyter-widgets/controls",
            Some("SliderStyleModel"),
        ),
        (
            Kind::FloatLogSlider,
            "FloatLogSliderModel",
            "FloatLogSliderView",
            "@jupyter-widgets/controls",
            Some("SliderStyleModel"),
        ),
        (Kind::Dropdown, "DropdownModel", "DropdownView", "@jupyter-widgets/controls", Some("DescriptionStyleModel")),
        (Kind::Checkbox, "CheckboxModel", "CheckboxView", "@jupyter-widgets/controls", Some("CheckboxStyleModel")),
        (
            Kind::ToggleButtons,
            "ToggleButtonsModel",
            "ToggleButtonsView",
            "@jupyter-widgets/controls",
            Some("ToggleButtonsStyleModel"),
        ),
        (Kind::Button, "ButtonModel", "ButtonView", "@jupyter-widgets/controls", Some("ButtonStyleModel")),
        (Kind::Play, "PlayModel", "PlayView", "@jupyter-widgets/controls", Some("DescriptionStyleModel")),
        (Kind::HBox, "HBoxModel", "HBoxView", "@jupyter-widgets/controls", None),
        (Kind::VBox, "VBoxModel", "VBoxView", "@jupyter-widgets/controls", None),
        (Kind::Output, "OutputModel", "OutputView", "@jupyter-widgets/output", None),
        (Kind::Html, "HTMLModel", "HTMLView", "@jupyter-widgets/controls", Some("HTMLStyleModel")),
    ];
    assert_eq!(expected.len(), Kind::ALL.len());
    for (kind, model, view, module, style) in expected {
        let (mut comms, publisher, rx, signer) = kernel_side();
        create(&mut comms, &publisher, kind, json!({}));
        let opened = opens(&rx, &signer, if style.is_some() { 3 } else { 2 });
        let state = &opened.last().unwrap().0.data["state"];
        assert_eq!(state["_model_name"], model);
        assert_eq!(state["_view_name"], view);
        assert_eq!(state["_model_module"], module);
        assert_eq!(state["_view_module"], module);
        let version = if module.ends_with("output") { "1.0.0" } else { "2.0.0" };
        assert_eq!(state["_model_module_version"], version);
        assert_eq!(state["_view_module_version"], version);
        assert_eq!(
            style.map(str::to_owned),
            opened
                .get(1)
                .filter(|_| style.is_some())
                .map(|o| o.0.data["state"]["_model_name"].as_str().unwrap().to_owned())
        );
        assert_eq!(Kind::from_name(kind.name()), Some(kind));
    }
}

#[test]
fn the_view_bundle_names_the_model_and_has_text() {
    let bundle = view_bundle("abc", "FloatSlider(loss = 0.1)");
    assert_eq!(bundle[VIEW_MIME], json!({"model_id": "abc", "version_major": 2, "version_minor": 0}));
    assert_eq!(bundle["text/plain"], "FloatSlider(loss = 0.1)");
}
