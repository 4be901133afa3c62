//! Widgets whose value lives in the evaluation process (shown by `distsim::widgets` with a
//! side-channel key): each is a control plus an Output below it in a VBox, and a front end's change
//! to the control waits here as a pending call until the shell thread delivers it.
//!
//! Pending calls coalesce: a change that arrives before the previous one was delivered is merged
//! into it (latest value wins), so a fast drag costs one call per closure run, not one per step.

use super::models::Kind;
use super::{object, reference, side_channel, Widgets};
use crate::comm::{Data, Outbox};
use crate::protocol::Message;
use distsim::widgets::channel::Captured;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A control with a live value: its key on the side channel and the Output its callbacks fill.
#[derive(Clone, Debug)]
struct Bound {
    key: u64,
    output: String,
}

/// A change to deliver: the control's key, the keys the front end changed (merged), the Output to
/// fill, and the comm_msg that brought the latest change (the parent of the Output's update).
#[derive(Debug)]
pub struct PendingCall {
    pub key: u64,
    pub state: Data,
    pub output: String,
    pub parent: Message,
}

#[derive(Default)]
pub struct LiveWidgets {
    /// control model id -> its binding.
    bound: BTreeMap<String, Bound>,
    /// side-channel key -> the VBox that shows it, so showing the same value again shows the same
    /// widget.
    views: BTreeMap<u64, String>,
    /// control model id -> its undelivered change.
    pending: BTreeMap<String, PendingCall>,
}

impl LiveWidgets {
    /// A front end changed `applied` on `model_id`; queue it if the model has a live value.
    pub fn changed(&mut self, model_id: &str, applied: Data, parent: &Message) {
        let Some(bound) = self.bound.get(model_id) else { return };
        match self.pending.get_mut(model_id) {
            Some(pending) => {
                pending.state.extend(applied);
                pending.parent = parent.clone();
            }
            None => {
                let call = PendingCall {
                    key: bound.key,
                    state: applied,
                    output: bound.output.clone(),
                    parent: parent.clone(),
                };
                self.pending.insert(model_id.to_owned(), call);
            }
        }
    }

    pub fn forget(&mut self, model_id: &str) {
        self.bound.remove(model_id);
        self.pending.remove(model_id);
        self.views.retain(|_, view| view != model_id);
    }
}

impl Widgets {
    /// Creates a widget with an Output below it: the control (`kind`, `state`), the Output (with
    /// `initial` outputs) and the VBox holding both; returns the VBox's model id, which is what a
    /// display shows. With a `key`, the control's changes become calls to that live value, and a
    /// second request with the same key shows the same VBox again (with its Output refreshed).
    pub fn create_live(
        &mut self,
        out: &mut Outbox,
        kind: Kind,
        state: Data,
        key: Option<u64>,
        initial: Vec<Value>,
    ) -> String {
        if let Some(view) = key.and_then(|key| self.live.views.get(&key)).filter(|view| self.models.contains_key(*view))
        {
            let view = view.clone();
            if let Some(bound) = self.live.bound.values().find(|b| Some(b.key) == key).cloned() {
                self.set_outputs(out, &bound.output, initial);
            }
            return view;
        }
        let control = self.create(out, kind, state);
        let output = self.create(out, Kind::Output, object(json!({ "outputs": initial })));
        let children = json!([reference(&control), reference(&output)]);
        let view = self.create(out, Kind::VBox, object(json!({ "children": children })));
        if let Some(key) = key {
            self.live.bound.insert(control, Bound { key, output });
            self.live.views.insert(key, view.clone());
        }
        view
    }

    /// Replaces the outputs of Output model `output_id` and tells every front end.
    pub fn set_outputs(&mut self, out: &mut Outbox, output_id: &str, outputs: Vec<Value>) {
        let Some(state) = self.models.get_mut(output_id) else { return };
        state.insert("outputs".into(), Value::Array(outputs.clone()));
        let update = json!({ "method": "update", "state": { "outputs": outputs }, "buffer_paths": [] });
        out.send(output_id, object(update));
    }

    /// Whether a change waits to be delivered.
    pub fn has_pending_call(&self) -> bool {
        !self.live.pending.is_empty()
    }

    /// Takes one waiting change (the oldest widget first).
    pub fn take_pending_call(&mut self) -> Option<PendingCall> {
        self.live.pending.pop_first().map(|(_, call)| call)
    }
}

/// Delivers `call` over the side channel and returns the Output's new outputs: what the
/// callbacks printed, or an error output if the value could not be reached.
pub fn deliver(call: &PendingCall) -> Vec<Value> {
    let captured: Result<Captured, String> =
        side_channel::global().and_then(|channel| channel.call(call.key, &call.state));
    match captured {
        Ok(captured) => super::output::outputs(&captured),
        Err(why) => vec![super::output::error_output("WidgetUnreachable", &why)],
    }
}
