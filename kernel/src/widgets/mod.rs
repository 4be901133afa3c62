//! Jupyter widgets (message protocol 2.1, ipywidgets 8) kept in the kernel.
//!
//! Each widget is a model: a JSON state on a comm to the `jupyter.widget` target, its id being the
//! comm id. The kernel holds every model's state, so whatever a front end does is known here:
//! - `update` from a front end is applied to the state and echoed to every front end as
//!   `echo_update` (IOPub is a broadcast: a second tab follows the first);
//! - `request_state` is answered with an `update` of the whole state;
//! - the `jupyter.widget.control` comm's `request_states` is answered with `update_states`, every
//!   open model's state at once, which is how a reloaded page or a new tab rebuilds its widgets;
//! - a Button's click (`custom` `{"event": "click"}`) becomes a call to its closure; other
//!   `custom` messages are logged.
//!
//! [`Widgets::create`] makes a model from the kernel side (with its Layout and style companions)
//! and [`view_bundle`] is the display_data that shows it. A widget with a live value in the
//! evaluation process ([`live`]) also gets an Output model below it, and its changes become
//! calls over the [`side_channel`] (`kernel/HOW_IT_WORKS.md`, section 6).

pub mod live;
pub mod models;
pub mod output;
pub mod side_channel;

use crate::comm::{CommTarget, Data, Outbox};
use models::Kind;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The comm target of widget models.
pub const WIDGET_TARGET: &str = "jupyter.widget";
/// The comm target of the manager's control channel (`request_states`).
pub const CONTROL_TARGET: &str = "jupyter.widget.control";
/// The widget message protocol version, sent in every widget comm_open's metadata.
pub const PROTOCOL_VERSION: &str = "2.1.0";
/// The MIME type of a widget view in display_data.
pub const VIEW_MIME: &str = "application/vnd.jupyter.widget-view+json";

/// Every widget model and control comm of the session.
#[derive(Default)]
pub struct Widgets {
    /// model id (comm id) -> state.
    models: BTreeMap<String, Data>,
    control_comms: BTreeSet<String>,
    /// Controls whose value lives in the evaluation process, and their changes not yet delivered.
    live: live::LiveWidgets,
}

pub(crate) fn object(value: Value) -> Data {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("a json! object literal is an object"),
    }
}

/// The display_data bundle that shows model `model_id`, with a text/plain for consoles and text
/// exports.
pub fn view_bundle(model_id: &str, description: &str) -> Data {
    object(json!({
        VIEW_MIME: { "model_id": model_id, "version_major": 2, "version_minor": 0 },
        "text/plain": description,
    }))
}

/// A reference to another model inside a state (`layout`, `style`, `children`).
pub fn reference(model_id: &str) -> Value {
    Value::String(format!("IPY_MODEL_{model_id}"))
}

impl Widgets {
    pub fn new() -> Self {
        Self::default()
    }

    /// The state of model `model_id`, if it is open.
    pub fn state(&self, model_id: &str) -> Option<&Data> {
        self.models.get(model_id)
    }

    /// Opens one model comm from the kernel with `state`.
    pub(crate) fn open_model(&mut self, out: &mut Outbox, state: Data) -> String {
        let body = object(json!({ "state": state, "buffer_paths": [] }));
        let id = out.open(WIDGET_TARGET, body, object(json!({ "version": PROTOCOL_VERSION })));
        self.models.insert(id.clone(), state);
        id
    }

    /// Creates a widget of `kind` from the kernel side: its Layout, its style model (if the kind
    /// has one), then the model itself with `state` (the widget's own keys: value, min, ...) over
    /// its identity. Returns the model id. Companions are opened first so the references resolve.
    pub fn create(&mut self, out: &mut Outbox, kind: Kind, state: Data) -> String {
        let mut full = kind.identity();
        let layout = self.open_model(out, models::layout());
        full.insert("layout".into(), reference(&layout));
        if let Some(style) = kind.style_model() {
            let style = self.open_model(out, models::style(style));
            full.insert("style".into(), reference(&style));
        }
        full.extend(state.into_iter().filter(|(key, _)| !models::is_identity_key(key)));
        self.open_model(out, full)
    }

    /// A front end's `update`: the keys it sent are applied and echoed to every front end. An
    /// attempt to change a model's identity is refused (logged); the other keys still apply.
    fn update(&mut self, out: &mut Outbox, model_id: &str, data: &Data) {
        let Some(Value::Object(changes)) = data.get("state") else {
            crate::log::warn(&format!("widget {model_id}: update without a state object; ignored"));
            return;
        };
        let Some(state) = self.models.get_mut(model_id) else { return };
        let mut applied = Map::new();
        for (key, value) in changes {
            if models::is_identity_key(key) {
                crate::log::warn(&format!("widget {model_id}: {key} cannot change; ignored"));
                continue;
            }
            state.insert(key.clone(), value.clone());
            applied.insert(key.clone(), value.clone());
        }
        if !applied.is_empty() {
            out.send(
                model_id,
                object(json!({ "method": "echo_update", "state": applied.clone(), "buffer_paths": [] })),
            );
            if let Some(parent) = out.parent() {
                self.live.changed(model_id, applied, parent);
            }
        }
    }

    /// `update_states`: every open model, for the control comm's `request_states`.
    fn all_states(&self) -> Data {
        let states: Map<String, Value> = self
            .models
            .iter()
            .map(|(id, state)| {
                let get = |key: &str| state.get(key).cloned().unwrap_or(Value::Null);
                let entry = json!({
                    "model_name": get("_model_name"),
                    "model_module": get("_model_module"),
                    "model_module_version": get("_model_module_version"),
                    "state": state,
                });
                (id.clone(), entry)
            })
            .collect();
        object(json!({ "method": "update_states", "states": states, "buffer_paths": {} }))
    }
}

impl CommTarget for Widgets {
    fn names(&self) -> &'static [&'static str] {
        &[WIDGET_TARGET, CONTROL_TARGET]
    }

    /// The control comm is always accepted. A model opened by a front end must name its model
    /// (`data.state._model_name`), as the spec requires; its state is kept like any other.
    fn opened(&mut self, _out: &mut Outbox, target_name: &str, comm_id: &str, data: &Data) -> Result<(), String> {
        if target_name == CONTROL_TARGET {
            self.control_comms.insert(comm_id.to_owned());
            return Ok(());
        }
        match data.get("state") {
            Some(Value::Object(state)) if state.get("_model_name").is_some_and(Value::is_string) => {
                self.models.insert(comm_id.to_owned(), state.clone());
                Ok(())
            }
            _ => Err(format!("widget comm {comm_id} opened without data.state._model_name")),
        }
    }

    fn message(&mut self, out: &mut Outbox, comm_id: &str, data: &Data) {
        let method = data.get("method").and_then(Value::as_str).unwrap_or("");
        if self.control_comms.contains(comm_id) {
            match method {
                "request_states" => out.send(comm_id, self.all_states()),
                other => crate::log::warn(&format!("widget control: unknown method {other:?}; ignored")),
            }
            return;
        }
        match method {
            "update" => self.update(out, comm_id, data),
            "request_state" => {
                let state = self.models.get(comm_id).cloned().unwrap_or_default();
                out.send(comm_id, object(json!({ "method": "update", "state": state, "buffer_paths": [] })));
            }
            "custom" if data.get("content").and_then(|c| c.get("event")) == Some(&json!("click")) => {
                if let Some(parent) = out.parent() {
                    self.live.clicked(comm_id, parent);
                }
            }
            "custom" => crate::log::warn(&format!("widget {comm_id}: custom message {}", json!(data.get("content")))),
            other => crate::log::warn(&format!("widget {comm_id}: unknown method {other:?}; ignored")),
        }
    }

    fn closed(&mut self, _out: &mut Outbox, comm_id: &str, _data: &Data) {
        self.live.forget(comm_id);
        self.models.remove(comm_id);
        self.control_comms.remove(comm_id);
    }

    fn as_any(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests;
