//! Widgets whose value lives in the evaluation process (shown by `distsim::widgets` with a
//! side-channel key): each is a control plus the Output its callbacks fill (its own, below it in a
//! VBox, or one the notebook placed in a box), and a front end's change to the control (or a
//! Button's click) waits here as a pending call until the shell thread delivers it. Boxes the
//! notebook builds are made here too, child by child.
//!
//! Pending calls coalesce: a change that arrives before the previous one was delivered is merged
//! into it (latest value wins), so a fast drag costs one call per closure run, not one per step.

use super::models::Kind;
use super::{object, reference, side_channel, Widgets};
use crate::comm::{Data, Outbox};
use crate::interpreter::ExecOutcome;
use crate::protocol::Message;
use distsim::render::WidgetRequest;
use distsim::widgets::channel::Captured;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A control with a live value: its key on the side channel, the Output its callbacks fill, and
/// (for a Button) the clicks counted so far.
#[derive(Clone, Debug)]
struct Bound {
    key: u64,
    output: String,
    clicks: u64,
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

/// What showing a request made: the model a display shows, and the control inside it (for links).
pub struct Created {
    pub view: String,
    pub control: Option<String>,
}

#[derive(Default)]
pub struct LiveWidgets {
    /// control model id -> its binding.
    bound: BTreeMap<String, Bound>,
    /// side-channel key -> the model that shows it (a control's VBox, the control itself when it
    /// prints into another Output, an Output), so showing the same value again shows the same
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

    /// A front end clicked Button `model_id`: if it is live, its click count goes out as a change.
    pub fn clicked(&mut self, model_id: &str, parent: &Message) {
        let Some(bound) = self.bound.get_mut(model_id) else { return };
        bound.clicks += 1;
        let clicks = bound.clicks;
        self.changed(model_id, object(json!({ "clicks": clicks })), parent);
    }

    pub fn forget(&mut self, model_id: &str) {
        self.bound.remove(model_id);
        self.pending.remove(model_id);
        self.views.retain(|_, view| view != model_id);
    }
}

impl Widgets {
    /// Makes the models for a library request and returns the one a display shows:
    /// - a box (`HBox`, `VBox` with children) creates each child, then itself, then a Link per
    ///   pair of linked children;
    /// - an `Output` with a key is one Output model per key;
    /// - a control with a key or a start output is live ([`Widgets::create_live`]);
    /// - anything else is a plain model.
    pub fn show(&mut self, out: &mut Outbox, request: &WidgetRequest) -> Result<String, String> {
        self.create_request(out, request).map(|created| created.view)
    }

    fn create_request(&mut self, out: &mut Outbox, request: &WidgetRequest) -> Result<Created, String> {
        let kind = Kind::from_name(&request.kind).ok_or_else(|| format!("unknown widget kind {:?}", request.kind))?;
        let initial = request.output.as_ref().map(super::output::outputs);
        match (kind, request.key) {
            (Kind::HBox | Kind::VBox, _) if !request.children.is_empty() => self.create_box(out, kind, request),
            (Kind::Output, Some(key)) => Ok(Created { view: self.output_for(out, key, initial), control: None }),
            (_, None) if initial.is_none() && request.into.is_none() => {
                let id = self.create(out, kind, request.state.clone());
                Ok(Created { view: id.clone(), control: Some(id) })
            }
            _ => Ok(self.create_live(out, kind, request, initial)),
        }
    }

    fn create_box(&mut self, out: &mut Outbox, kind: Kind, request: &WidgetRequest) -> Result<Created, String> {
        let children =
            request.children.iter().map(|child| self.create_request(out, child)).collect::<Result<Vec<_>, _>>()?;
        let mut links = Vec::new();
        for &[a, b] in &request.links {
            let control = |i: usize| {
                children
                    .get(i)
                    .and_then(|c| c.control.clone())
                    .filter(|id| self.models.get(id).is_some_and(|state| state.contains_key("value")))
            };
            match (control(a), control(b)) {
                (Some(a), Some(b)) => links.push((a, b)),
                _ => return Err(format!("{} link ({a}, {b}): both must be controls with a value", kind.name())),
            }
        }
        let refs: Vec<Value> = children.iter().map(|c| reference(&c.view)).collect();
        let mut state = request.state.clone();
        state.insert("children".into(), Value::Array(refs));
        let view = self.create(out, kind, state);
        for (a, b) in links {
            let mut link = Kind::Link.identity();
            link.insert("source".into(), json!([reference(&a), "value"]));
            link.insert("target".into(), json!([reference(&b), "value"]));
            self.open_model(out, link);
        }
        Ok(Created { view, control: None })
    }

    /// The Output model for side-channel key `key`, made on first use; `initial` (if any)
    /// replaces its outputs.
    fn output_for(&mut self, out: &mut Outbox, key: u64, initial: Option<Vec<Value>>) -> String {
        if let Some(id) = self.live.views.get(&key).filter(|id| self.models.contains_key(*id)).cloned() {
            if let Some(outputs) = initial {
                self.set_outputs(out, &id, outputs);
            }
            return id;
        }
        let id = self.create(out, Kind::Output, object(json!({ "outputs": initial.unwrap_or_default() })));
        self.live.views.insert(key, id.clone());
        id
    }

    /// Creates a live control: the control (`kind`, its state) and where its callbacks print:
    /// the Output named by `into`, or an Output of its own below it in a VBox (what a display then
    /// shows). `initial` fills that Output. With a key, the control's changes become calls to that
    /// live value, and a second request with the same key shows the same models again (with the
    /// Output refreshed if the request brings a start output).
    pub fn create_live(
        &mut self,
        out: &mut Outbox,
        kind: Kind,
        request: &WidgetRequest,
        initial: Option<Vec<Value>>,
    ) -> Created {
        let key = request.key;
        if let Some(view) = key.and_then(|key| self.live.views.get(&key)).filter(|view| self.models.contains_key(*view))
        {
            let view = view.clone();
            let bound = self.live.bound.iter().find(|(_, b)| Some(b.key) == key);
            let (control, output) = match bound {
                Some((control, bound)) => (Some(control.clone()), Some(bound.output.clone())),
                None => (None, None),
            };
            if let (Some(output), Some(outputs)) = (output, initial) {
                self.set_outputs(out, &output, outputs);
            }
            return Created { view, control };
        }
        let control = self.create(out, kind, request.state.clone());
        let (output, view) = match request.into {
            Some(into) => (self.output_for(out, into, initial), control.clone()),
            None => {
                let output = self.create(out, Kind::Output, object(json!({ "outputs": initial.unwrap_or_default() })));
                let children = json!([reference(&control), reference(&output)]);
                (output, self.create(out, Kind::VBox, object(json!({ "children": children }))))
            }
        };
        if let Some(key) = key {
            self.live.bound.insert(control.clone(), Bound { key, output, clicks: 0 });
            self.live.views.insert(key, view.clone());
        }
        Created { view, control: Some(control) }
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

/// Delivers `call` over the side channel and returns what the callbacks printed, or why the
/// value could not be reached.
pub fn deliver(call: &PendingCall) -> Result<Captured, String> {
    side_channel::global().and_then(|channel| channel.call(call.key, &call.state))
}

/// The Output's new outputs after a call: what the callbacks printed (or an error if the value
/// could not be reached), then the interrupt's error if one stopped it. A callback killed by an
/// interrupt shows only that error: its process, and what it had printed, are gone.
pub fn outputs_after(delivered: Result<Captured, String>, interrupted: Option<ExecOutcome>) -> Vec<Value> {
    let mut outputs = match (&delivered, &interrupted) {
        (Ok(captured), _) => super::output::outputs(captured),
        (Err(_), Some(_)) => Vec::new(),
        (Err(why), None) => vec![super::output::error_output("WidgetUnreachable", why)],
    };
    if let Some(ExecOutcome::Error { ename, evalue, .. }) = interrupted {
        outputs.push(super::output::error_output(&ename, &evalue));
    }
    outputs
}
