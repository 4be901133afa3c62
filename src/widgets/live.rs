//! A widget's value in the process that runs cells, shared by the widget's clones: the value a
//! front end last sent, the observers to call when it changes, and the widget's side-channel key.

use super::channel::{self, Captured, Receiver};
use super::layout::Output;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex, MutexGuard};

type Observer<T> = Box<dyn FnMut(T) + Send>;

/// Shared by a widget's clones; see the module docs.
pub struct Live<T> {
    /// The state key that carries the value (`value`; `index` for a Dropdown).
    field: &'static str,
    value: Mutex<T>,
    observers: Mutex<Vec<Observer<T>>>,
    /// Set when the widget is first shown in the kernel; later shows reuse it (and its model).
    key: Mutex<Option<u64>>,
    /// Where the observers print, if not in an Output of the widget's own.
    into: Mutex<Option<Output>>,
    /// What an observer printed for the start value, until the widget is next shown.
    start_output: Mutex<Option<Captured>>,
}

/// A poisoned lock here only means an observer panicked; the value stays meaningful.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl<T: Clone + Send + DeserializeOwned + 'static> Live<T> {
    pub fn new(field: &'static str, value: T) -> Arc<Self> {
        Arc::new(Live {
            field,
            value: Mutex::new(value),
            observers: Mutex::new(Vec::new()),
            key: Mutex::new(None),
            into: Mutex::new(None),
            start_output: Mutex::new(None),
        })
    }

    /// The state key that carries the value.
    pub fn field(&self) -> &'static str {
        self.field
    }

    pub fn get(&self) -> T {
        lock(&self.value).clone()
    }

    pub fn set(&self, value: T) {
        *lock(&self.value) = value;
    }

    pub fn observe(&self, observer: impl FnMut(T) + Send + 'static) {
        lock(&self.observers).push(Box::new(observer));
    }

    /// Calls every observer with `value`, in the order they were added.
    pub fn notify(&self, value: &T) {
        for observer in lock(&self.observers).iter_mut() {
            observer(value.clone());
        }
    }

    /// The widget's key on the kernel's side channel, connecting on first use; `None` outside the
    /// kernel.
    pub fn key(self: &Arc<Self>) -> Option<u64> {
        connect_once(&self.key, || self.clone())
    }

    pub fn set_into(&self, output: Output) {
        *lock(&self.into) = Some(output);
    }

    pub fn into_output(&self) -> Option<Output> {
        lock(&self.into).clone()
    }

    pub fn set_start_output(&self, output: Captured) {
        *lock(&self.start_output) = Some(output);
    }

    /// The start output, once: a later show leaves the Output as the callbacks last left it.
    pub fn take_start_output(&self) -> Option<Captured> {
        lock(&self.start_output).take()
    }
}

/// The side-channel key in `slot`, connecting `receiver` on first use; `None` outside the kernel.
/// A failed connection is reported on stderr: the widget still shows, without callbacks.
pub(crate) fn connect_once(slot: &Mutex<Option<u64>>, receiver: impl FnOnce() -> Arc<dyn Receiver>) -> Option<u64> {
    let mut key = lock(slot);
    if key.is_none() {
        match channel::connect(receiver()) {
            Ok(connected) => *key = connected,
            Err(e) => eprintln!("widget callbacks are off: cannot reach the kernel's side channel: {e}"),
        }
    }
    *key
}

impl<T: Clone + Send + DeserializeOwned + 'static> Receiver for Live<T> {
    fn receive(&self, state: &Map<String, Value>) -> Result<(), String> {
        let Some(sent) = state.get(self.field) else { return Ok(()) };
        let value: T = serde_json::from_value(sent.clone())
            .map_err(|e| format!("the front end sent {} = {sent}, which does not fit: {e}", self.field))?;
        self.set(value.clone());
        self.notify(&value);
        Ok(())
    }
}
