//! Comms: named two-way channels between a front end and the kernel, as the Jupyter messaging
//! spec defines them (comm_open, comm_msg, comm_close, comm_info_request).
//!
//! A [`CommTarget`] is a kind of comm, known by its `target_name` (`jupyter.widget`, ...). The
//! [`Comms`] registry holds the targets and every open comm (comm id -> target), so it can route a
//! comm_msg to the target that owns the comm and answer comm_info. Comms live in the kernel, not in
//! a cell, so they survive from one cell to the next. Either side may open or close a comm: a front
//! end through the shell handlers, the kernel through an [`Outbox`] (which publishes on IOPub and
//! records the comm, so comm_info lists it).

use crate::protocol::content::{CommClose, CommMsg, CommOpen};
use crate::protocol::iopub::Publisher;
use crate::protocol::Message;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The JSON object carried in a comm message's `data`.
pub type Data = Map<String, Value>;

/// A handler for comms to one or more target names (one handler may own several names that share
/// state, as the widget models and the widget control comm do). Called on the shell thread, one
/// message at a time.
pub trait CommTarget: Send {
    /// The `target_name`s front ends open comms to.
    fn names(&self) -> &'static [&'static str];

    /// A front end opened comm `comm_id` to `target_name`. `Err` refuses it: the kernel answers
    /// with a `comm_close` and does not record the comm.
    fn opened(&mut self, out: &mut Outbox, target_name: &str, comm_id: &str, data: &Data) -> Result<(), String>;

    /// A `comm_msg` from a front end on a comm this target owns.
    fn message(&mut self, out: &mut Outbox, comm_id: &str, data: &Data);

    /// The front end closed a comm this target owns.
    fn closed(&mut self, out: &mut Outbox, comm_id: &str, data: &Data);

    /// For the kernel's own calls into a concrete target (e.g. to create a widget).
    fn as_any(&mut self) -> &mut dyn std::any::Any;
}

/// What the kernel sends on comms while handling one message: every message goes to IOPub with
/// `parent` as its parent header (so it sits between that request's busy and idle), and the comms
/// the kernel opens or closes are recorded in the registry.
pub struct Outbox<'a> {
    publisher: &'a Publisher,
    parent: Option<&'a Message>,
    open: &'a mut BTreeMap<String, String>,
}

impl<'a> Outbox<'a> {
    /// Opens a comm from the kernel side; returns its new id.
    pub fn open(&mut self, target_name: &str, data: Data, metadata: Data) -> String {
        let comm_id = uuid::Uuid::new_v4().simple().to_string();
        let open =
            CommOpen { comm_id: comm_id.clone(), target_name: target_name.to_owned(), data, target_module: None };
        self.publisher.publish_with_metadata(self.parent, &open, metadata);
        self.open.insert(comm_id.clone(), target_name.to_owned());
        comm_id
    }

    /// Sends `data` on an open comm (to every front end: IOPub is a broadcast).
    pub fn send(&self, comm_id: &str, data: Data) {
        self.publisher.publish(self.parent, &CommMsg { comm_id: comm_id.to_owned(), data });
    }

    /// Closes a comm from the kernel side.
    pub fn close(&mut self, comm_id: &str, data: Data) {
        self.open.remove(comm_id);
        self.publisher.publish(self.parent, &CommClose { comm_id: comm_id.to_owned(), data });
    }

    pub fn parent(&self) -> Option<&'a Message> {
        self.parent
    }
}

/// The comm targets and the open comms.
#[derive(Default)]
pub struct Comms {
    targets: Vec<Box<dyn CommTarget>>,
    /// comm id -> target name, for every open comm, whichever side opened it.
    open: BTreeMap<String, String>,
}

/// What became of a front end's comm_open.
#[derive(Debug, PartialEq, Eq)]
pub enum Opened {
    Accepted,
    /// No such target, or the target refused; the front end has been sent a comm_close.
    Refused(String),
}

impl Comms {
    pub fn new(targets: Vec<Box<dyn CommTarget>>) -> Self {
        Self { targets, open: BTreeMap::new() }
    }

    fn target_index(&self, name: &str) -> Option<usize> {
        self.targets.iter().position(|t| t.names().contains(&name))
    }

    /// Open comms as `comm_id -> target_name`, only those to `target_name` when it is given.
    pub fn info(&self, target_name: Option<&str>) -> BTreeMap<String, String> {
        self.open
            .iter()
            .filter(|(_, target)| target_name.is_none_or(|wanted| wanted == target.as_str()))
            .map(|(id, target)| (id.clone(), target.clone()))
            .collect()
    }

    /// A front end's comm_open: the target accepts it, or it is closed at once (the spec's answer
    /// to an unknown target).
    pub fn front_end_opened(&mut self, publisher: &Publisher, parent: &Message, open: &CommOpen) -> Opened {
        let refusal = match self.target_index(&open.target_name) {
            None => Some(format!("no comm target {:?}", open.target_name)),
            Some(i) => {
                let Comms { targets, open: registry } = self;
                registry.insert(open.comm_id.clone(), open.target_name.clone());
                let mut out = Outbox { publisher, parent: Some(parent), open: registry };
                let result = targets[i].opened(&mut out, &open.target_name, &open.comm_id, &open.data);
                result.err().inspect(|_| {
                    self.open.remove(&open.comm_id);
                })
            }
        };
        match refusal {
            None => Opened::Accepted,
            Some(why) => {
                publisher.publish(Some(parent), &CommClose { comm_id: open.comm_id.clone(), data: Map::new() });
                Opened::Refused(why)
            }
        }
    }

    /// A front end's comm_msg, routed to the target that owns the comm. Returns false (and
    /// delivers nothing) for a comm that is not open.
    pub fn front_end_message(&mut self, publisher: &Publisher, parent: &Message, msg: &CommMsg) -> bool {
        self.with_owner(&msg.comm_id, publisher, parent, |target, out| target.message(out, &msg.comm_id, &msg.data))
    }

    /// A front end's comm_close: the comm is forgotten and its target told. False if it was not open.
    pub fn front_end_closed(&mut self, publisher: &Publisher, parent: &Message, close: &CommClose) -> bool {
        let delivered = self.with_owner(&close.comm_id, publisher, parent, |target, out| {
            target.closed(out, &close.comm_id, &close.data)
        });
        self.open.remove(&close.comm_id);
        delivered
    }

    fn with_owner(
        &mut self,
        comm_id: &str,
        publisher: &Publisher,
        parent: &Message,
        call: impl FnOnce(&mut dyn CommTarget, &mut Outbox),
    ) -> bool {
        let Some(i) = self.open.get(comm_id).and_then(|name| self.target_index(name)) else { return false };
        let Comms { targets, open } = self;
        call(targets[i].as_mut(), &mut Outbox { publisher, parent: Some(parent), open });
        true
    }

    /// Runs `call` on the target of type `T` (the kernel's own calls, e.g. creating a widget), with
    /// an outbox parented to `parent`. `None` if no target has that type.
    pub fn with_target<T: 'static, R>(
        &mut self,
        publisher: &Publisher,
        parent: Option<&Message>,
        call: impl FnOnce(&mut T, &mut Outbox) -> R,
    ) -> Option<R> {
        let Comms { targets, open } = self;
        let target = targets.iter_mut().find_map(|t| t.as_any().downcast_mut::<T>())?;
        Some(call(target, &mut Outbox { publisher, parent, open }))
    }
}

/// The comm targets every kernel has.
pub fn builtin_targets() -> Vec<Box<dyn CommTarget>> {
    vec![Box::new(crate::widgets::Widgets::new())]
}
