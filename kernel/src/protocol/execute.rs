//! execute_request: counting, execute_input, running the cell, execute_result or error, history.
//!
//! Counting follows IPython: a cell that stores history takes the next number (even if it then
//! fails); `silent` or `store_history: false` runs take no number and report the last one.

use super::content::{ErrorOutput, ErrorReply, ExecuteInput, ExecuteReply, ExecuteRequest, ExecuteResult, ReplyStatus};
use super::dispatch::{decode, BadRequest, Handled, Next};
use super::message::Message;
use super::shared::Shared;
use super::sink::{ensure_text_plain, CellSink};
use crate::interpreter::ExecOutcome;
use serde_json::{Map, Value};
use std::sync::atomic::Ordering;

pub fn execute(shared: &Shared, request: &Message) -> Result<Handled, BadRequest> {
    let req: ExecuteRequest = decode(request)?;
    let counted = req.store_history && !req.silent;
    let mut session = shared.session();
    let execution_count = if counted { session.execution_count + 1 } else { session.execution_count };
    if counted {
        session.execution_count = execution_count;
    }
    if !req.silent {
        shared.publisher.publish(Some(request), &ExecuteInput { code: req.code.clone(), execution_count });
    }
    shared.input_cancel.store(false, Ordering::SeqCst);
    let sink = CellSink { shared, request, silent: req.silent, allow_stdin: req.allow_stdin };
    let outcome = session.interpreter.execute(&req.code, &sink);
    match outcome {
        ExecOutcome::Ok { result } => {
            let result = result.map(ensure_text_plain);
            let text = result.as_ref().and_then(|data| data.get("text/plain")).and_then(Value::as_str);
            if counted {
                let text = text.map(str::to_owned);
                session.history.record(execution_count, &req.code, text);
            }
            if let (Some(data), false) = (result, req.silent) {
                shared.publisher.publish(Some(request), &ExecuteResult { execution_count, data, metadata: Map::new() });
            }
            Ok(Handled::reply(&ExecuteReply::Ok {
                execution_count,
                user_expressions: unsupported_expressions(&req.user_expressions),
                payload: Vec::new(),
            }))
        }
        ExecOutcome::Error { ename, evalue, traceback } => {
            if counted {
                session.history.record(execution_count, &req.code, None);
            }
            let error = ErrorOutput { ename, evalue, traceback };
            if !req.silent {
                shared.publisher.publish(Some(request), &error);
            }
            let ErrorOutput { ename, evalue, traceback } = error;
            let reply = Handled::reply(&ExecuteReply::Error { execution_count, ename, evalue, traceback });
            Ok(if req.stop_on_error { reply.then(Next::AbortQueuedExecutes) } else { reply })
        }
    }
}

/// The reply to an execute_request that was queued behind a failed cell.
pub fn aborted(shared: &Shared) -> ExecuteReply {
    ExecuteReply::Aborted { execution_count: shared.session().execution_count }
}

/// Rust has no expression evaluator outside a compiled cell, so each user expression is answered
/// with an error entry (the protocol's way to say "could not evaluate") rather than left out.
fn unsupported_expressions(expressions: &Map<String, Value>) -> Map<String, Value> {
    expressions
        .keys()
        .map(|name| {
            let entry = ErrorReply {
                status: ReplyStatus::Error,
                ename: "NotSupported".to_owned(),
                evalue: "user_expressions are not supported by distsim-kernel".to_owned(),
                traceback: Vec::new(),
            };
            (name.clone(), serde_json::to_value(entry).expect("error entries serialize"))
        })
        .collect()
}
