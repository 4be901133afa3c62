//! The handlers that do not run code: kernel_info, complete, inspect, is_complete, history and
//! comms. Each is a small function from a typed request to a typed reply.

use super::content::*;
use super::dispatch::{decode, BadRequest, Handled};
use super::message::{Message, PROTOCOL_VERSION};
use super::shared::Shared;
use crate::comm::Opened;
use crate::interpreter::Completeness;
use serde_json::{json, Map};

/// The kernel_info reply, built once at start-up (control answers it while a cell runs, without
/// touching the interpreter).
pub fn kernel_info_reply(language_version: String) -> KernelInfoReply {
    let version = env!("CARGO_PKG_VERSION");
    let link = |text: &str, url: &str| HelpLink { text: text.to_owned(), url: url.to_owned() };
    KernelInfoReply {
        status: ReplyStatus::Ok,
        protocol_version: PROTOCOL_VERSION.to_owned(),
        implementation: "distsim-kernel".to_owned(),
        implementation_version: version.to_owned(),
        language_info: LanguageInfo {
            name: "rust".to_owned(),
            version: language_version,
            mimetype: "text/rust".to_owned(),
            file_extension: ".rs".to_owned(),
            pygments_lexer: "rust".to_owned(),
            codemirror_mode: "rust".to_owned(),
        },
        banner: format!(
            "distsim-kernel {version}: Rust cells with `use distsim::prelude::*;` in effect. Type :help for commands."
        ),
        help_links: vec![
            link("Rust standard library", "https://doc.rust-lang.org/std/"),
            link("The Rust Programming Language", "https://doc.rust-lang.org/book/"),
            link("Rust by Example", "https://doc.rust-lang.org/rust-by-example/"),
        ],
        debugger: false,
    }
}

pub fn kernel_info(shared: &Shared, request: &Message) -> Result<Handled, BadRequest> {
    let _: KernelInfoRequest = decode(request)?;
    Ok(Handled::reply(&shared.kernel_info))
}

pub fn complete(shared: &Shared, request: &Message) -> Result<Handled, BadRequest> {
    let req: CompleteRequest = decode(request)?;
    let found = shared.session().interpreter.complete(&req.code, req.cursor_pos);
    Ok(Handled::reply(&CompleteReply {
        status: ReplyStatus::Ok,
        matches: found.matches,
        cursor_start: found.cursor_start,
        cursor_end: found.cursor_end,
        metadata: Map::new(),
    }))
}

pub fn inspect(shared: &Shared, request: &Message) -> Result<Handled, BadRequest> {
    let req: InspectRequest = decode(request)?;
    let found = shared.session().interpreter.inspect(&req.code, req.cursor_pos, req.detail_level);
    Ok(Handled::reply(&InspectReply {
        status: ReplyStatus::Ok,
        found: found.is_some(),
        data: found.unwrap_or_default(),
        metadata: Map::new(),
    }))
}

pub fn is_complete(shared: &Shared, request: &Message) -> Result<Handled, BadRequest> {
    let req: IsCompleteRequest = decode(request)?;
    let reply = match shared.session().interpreter.is_complete(&req.code) {
        Completeness::Complete => IsCompleteReply::Complete,
        Completeness::Incomplete { indent } => IsCompleteReply::Incomplete { indent },
        Completeness::Invalid => IsCompleteReply::Invalid,
        Completeness::Unknown => IsCompleteReply::Unknown,
    };
    Ok(Handled::reply(&reply))
}

pub fn history(shared: &Shared, request: &Message) -> Result<Handled, BadRequest> {
    let req: HistoryRequest = decode(request)?;
    let history = shared.session().history.query(&req);
    Ok(Handled::reply(&HistoryReply { status: ReplyStatus::Ok, history }))
}

/// The open comms, or only those to `target_name` when the request names one.
pub fn comm_info(shared: &Shared, request: &Message) -> Result<Handled, BadRequest> {
    let req: CommInfoRequest = decode(request)?;
    let comms = shared
        .comms()
        .info(req.target_name.as_deref())
        .into_iter()
        .map(|(id, target_name)| (id, json!({ "target_name": target_name })))
        .collect();
    Ok(Handled::reply(&CommInfoReply { status: ReplyStatus::Ok, comms }))
}

/// A front end opens a comm: its target takes it, or (unknown target, or refused) the kernel
/// answers with a `comm_close` on IOPub, which tells the front end's comm the other side is gone.
pub fn comm_open(shared: &Shared, request: &Message) -> Result<Handled, BadRequest> {
    let open: CommOpen = decode(request)?;
    if let Opened::Refused(why) = shared.comms().front_end_opened(&shared.publisher, request, &open) {
        crate::log::warn(&format!("{why}; closed comm {}", open.comm_id));
    }
    Ok(Handled::no_reply())
}

/// A message on an open comm goes to the comm's target; one for a comm that is not open is
/// logged and dropped (there is nothing to deliver it to).
pub fn comm_msg(shared: &Shared, request: &Message) -> Result<Handled, BadRequest> {
    let msg: CommMsg = decode(request)?;
    if !shared.comms().front_end_message(&shared.publisher, request, &msg) {
        crate::log::warn(&format!("comm_msg for comm {} which is not open; dropped", msg.comm_id));
    }
    Ok(Handled::no_reply())
}

pub fn comm_close(shared: &Shared, request: &Message) -> Result<Handled, BadRequest> {
    let close: CommClose = decode(request)?;
    if !shared.comms().front_end_closed(&shared.publisher, request, &close) {
        crate::log::warn(&format!("comm_close for comm {} which is not open", close.comm_id));
    }
    Ok(Handled::no_reply())
}
