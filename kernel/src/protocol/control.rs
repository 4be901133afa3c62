//! The control channel, on its own thread: kernel_info, interrupt and shutdown are answered
//! even while the shell thread is inside a long cell.

use super::content::*;
use super::dispatch::{decode, next_request, serve_one, BadRequest, Handled, HandlerTable, Next, Poll, Served};
use super::kernel::RestartMode;
use super::message::Message;
use super::requests;
use super::shared::{lock, Shared};
use crate::transport::RouterSocket;
use std::sync::atomic::Ordering;

/// What the control channel answers.
pub fn table() -> HandlerTable {
    HandlerTable::new()
        .on::<KernelInfoRequest>(requests::kernel_info)
        .on::<InterruptRequest>(interrupt)
        .on::<ShutdownRequest>(shutdown)
}

/// Serves control requests until shutdown (which also stops the shell loop) or socket failure.
pub fn serve(shared: &Shared, socket: &mut dyn RouterSocket) {
    let table = table();
    while !shared.stop.load(Ordering::SeqCst) {
        let request = match next_request(shared, socket, "control") {
            Poll::Request(request) => request,
            Poll::Nothing => continue,
            Poll::Closed => return,
        };
        if matches!(serve_one(&table, shared, socket, &request), Served::Stop) {
            return;
        }
    }
}

/// Stops the running cell (if any) and any wait for input. Never takes the session lock.
fn stop_running_cell(shared: &Shared) {
    shared.input_cancel.store(true, Ordering::SeqCst);
    shared.interrupter().interrupt();
}

fn interrupt(shared: &Shared, request: &Message) -> Result<Handled, BadRequest> {
    let _: InterruptRequest = decode(request)?;
    stop_running_cell(shared);
    Ok(Handled::reply(&InterruptReply { status: ReplyStatus::Ok }))
}

/// Shutdown. With `restart: true` under [`RestartMode::InPlace`] the interpreter restarts inside
/// this process (state gone, counting from 1 again, a new history session) and the kernel keeps
/// serving. Otherwise the kernel replies and exits; that is what jupyter_client expects even for
/// a restart, since it waits for the old process to end before starting a new one.
fn shutdown(shared: &Shared, request: &Message) -> Result<Handled, BadRequest> {
    let req: ShutdownRequest = decode(request)?;
    stop_running_cell(shared);
    if req.restart && shared.restart_mode == RestartMode::InPlace {
        let mut session = shared.session();
        let status = match session.interpreter.restart() {
            Ok(()) => ReplyStatus::Ok,
            Err(e) => {
                crate::log::warn(&format!("restart failed: {e}"));
                ReplyStatus::Error
            }
        };
        session.execution_count = 0;
        session.history.new_session();
        *lock(&shared.interrupter) = session.interpreter.interrupter();
        return Ok(Handled::reply(&ShutdownReply { status, restart: true }));
    }
    Ok(Handled::reply(&ShutdownReply { status: ReplyStatus::Ok, restart: req.restart }).then(Next::Stop))
}
