//! The shell channel: execute and the code questions, one request at a time.

use super::content::*;
use super::dispatch::{next_request_within, send_reply, serve_one, HandlerTable, Poll, Reply, Served, POLL};
use super::execute::{aborted, execute};
use super::message::{Content, Message};
use super::requests;
use super::shared::Shared;
use super::widget_calls;
use crate::transport::RouterSocket;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// What the shell channel answers.
pub fn table() -> HandlerTable {
    HandlerTable::new()
        .on::<KernelInfoRequest>(requests::kernel_info)
        .on::<ExecuteRequest>(execute)
        .on::<CompleteRequest>(requests::complete)
        .on::<InspectRequest>(requests::inspect)
        .on::<IsCompleteRequest>(requests::is_complete)
        .on::<HistoryRequest>(requests::history)
        .on::<CommInfoRequest>(requests::comm_info)
        .on::<CommOpen>(requests::comm_open)
        .on::<CommMsg>(requests::comm_msg)
        .on::<CommClose>(requests::comm_close)
}

/// Serves shell requests until the kernel stops or the socket fails.
pub fn serve(shared: &Shared, socket: &mut dyn RouterSocket) {
    let table = table();
    while !shared.stop.load(Ordering::SeqCst) {
        // Widget changes go to their closures once nothing is waiting to be read (see widget_calls).
        let calls_waiting = widget_calls::pending(shared);
        let wait = if calls_waiting { Duration::ZERO } else { POLL };
        let request = match next_request_within(shared, socket, "shell", wait) {
            Poll::Request(request) => request,
            Poll::Nothing if calls_waiting => {
                widget_calls::deliver_one(shared);
                continue;
            }
            Poll::Nothing => continue,
            Poll::Closed => return,
        };
        if request.msg_type() == ExecuteRequest::MSG_TYPE {
            widget_calls::deliver_all(shared);
        }
        match serve_one(&table, shared, socket, &request) {
            Served::Continue => {}
            Served::AbortQueued(waiting) => abort_queued(&table, shared, socket, waiting),
            Served::Stop => return,
        }
    }
}

/// After a failed cell with stop_on_error: every execute_request that was waiting when the failing
/// reply went out is answered `aborted` without running (other requests are served as usual), as
/// in IPython.
///
/// `waiting` was read before that reply was sent (see [`serve_one`]). A client that sends a new
/// cell once it sees the error reply or an `aborted` reply is therefore never caught, however
/// quickly its request arrives: it is served by the loop as usual.
fn abort_queued(table: &HandlerTable, shared: &Shared, socket: &mut dyn RouterSocket, waiting: Vec<Message>) {
    for request in waiting {
        if request.msg_type() == ExecuteRequest::MSG_TYPE {
            abort_one(shared, socket, &request);
        } else {
            // A nested stop_on_error cannot arise from a non-execute request.
            serve_one(table, shared, socket, &request);
        }
    }
}

fn abort_one(shared: &Shared, socket: &mut dyn RouterSocket, request: &Message) {
    shared.publisher.status(Some(request), ExecutionState::Busy);
    send_reply(shared, socket, request, Reply::new(&aborted(shared)));
    shared.publisher.status(Some(request), ExecutionState::Idle);
}
