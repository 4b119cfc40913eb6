//! The FIPA HTTP MTP listener (SC00084, inbound): `itin node start
//! --fipa-http HOST:PORT`. A POST of `multipart/mixed` (XML envelope, string
//! ACL payload) is delivered to each named local agent's mailbox as an ACL
//! message; `200 OK` when delivered, `400` (malformed) or `404` (no such
//! agent here) with a log line otherwise. Served by the dashboard's bounded
//! HTTP loop (`dashboard/http.rs`).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use itinerant_core::acl::Acl;
use itinerant_core::fipa_string::{parse_message, AclMessage, AgentIdentifier};
use itinerant_core::{AgentId, Message};

use super::multipart::{parse_body, MAX_BODY_BYTES};
use crate::dashboard::http::{serve, HttpLimits};
use crate::node::Node;

/// A node's FIPA HTTP listener, serving until dropped or stopped.
pub struct FipaHttp {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl FipaHttp {
    /// Serves `node`'s agents on `listen` (port 0: any). Call from a tokio runtime.
    pub async fn start(node: Arc<Node>, listen: SocketAddr) -> Result<FipaHttp, String> {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("FIPA HTTP MTP cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        node.fipa_outbound().set_own_url(&format!("http://{addr}/acc"));
        let router = Router::new()
            .route("/", post(receive))
            .route("/acc", post(receive))
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .with_state(node);
        let task = tokio::spawn(serve(listener, router, HttpLimits::default()));
        Ok(FipaHttp { addr, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address foreign platforms send to (`http://HOST:PORT/acc`).
    pub fn url(&self) -> String {
        format!("http://{}/acc", self.addr)
    }

    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for FipaHttp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn refuse(status: StatusCode, why: String) -> (StatusCode, String) {
    tracing::warn!("FIPA HTTP MTP: refused ({status}): {why}");
    (status, why)
}

async fn receive(State(node): State<Arc<Node>>, headers: HeaderMap, body: Bytes) -> (StatusCode, String) {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let (envelope, payload) = match parse_body(content_type, &body) {
        Ok(parsed) => parsed,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, e.0),
    };
    let message = match parse_message(&payload) {
        Ok(m) => m,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, e.to_string()),
    };
    // The envelope's intended receivers take precedence over its `to`, and
    // both over the message's own receivers (SC00067).
    let receivers = [&envelope.intended_receiver, &envelope.to, &message.receivers]
        .into_iter()
        .find(|r| !r.is_empty())
        .cloned()
        .unwrap_or_default();
    if receivers.is_empty() {
        return refuse(StatusCode::BAD_REQUEST, "no receiver in the envelope or the message".into());
    }
    let runtime = node.runtime();
    let mut missing = Vec::new();
    for receiver in &receivers {
        let Some(id) = local_agent(&receiver.name, |n| runtime.lookup(n)) else {
            missing.push(receiver.name.clone());
            continue;
        };
        let acl = to_local_acl(&message, &id);
        let msg = Message {
            from: None,
            code: 0,
            body: message.content.clone().unwrap_or_default(),
            acl: Some(Box::new(acl)),
            hops: 0,
            seq: None,
        };
        if let Err(e) = runtime.send(&id, msg) {
            missing.push(format!("{} ({e})", receiver.name));
        }
    }
    if missing.len() == receivers.len() {
        return refuse(StatusCode::NOT_FOUND, format!("no agent here for {}", missing.join(", ")));
    }
    if !missing.is_empty() {
        tracing::warn!("FIPA HTTP MTP: not delivered to {}", missing.join(", "));
    }
    (StatusCode::OK, String::new())
}

/// The local agent a FIPA name denotes: an agent id (`3@alpha`) as is, or
/// `NAME@PLATFORM` by the registered name NAME (the platform part is the
/// foreign sender's view of us and is not checked).
pub fn local_agent(fipa_name: &str, lookup: impl Fn(&str) -> Option<AgentId>) -> Option<AgentId> {
    if let Some(id) = AgentId::parse(fipa_name) {
        return Some(id);
    }
    let local = fipa_name.split_once('@').map(|(n, _)| n).unwrap_or(fipa_name);
    lookup(local)
}

/// The text a foreign agent identifier becomes in a local ACL message: its
/// name, and its first address after a space when it has one, so that an
/// agent can see (and a reply can use) where it lives.
pub fn aid_text(aid: &AgentIdentifier) -> String {
    match aid.addresses.first() {
        Some(url) => format!("{} {url}", aid.name),
        None => aid.name.clone(),
    }
}

/// A parsed FIPA message as the local ACL message `acl receive` returns.
pub fn to_local_acl(m: &AclMessage, receiver: &AgentId) -> Acl {
    let mut acl = Acl { performative: m.performative.clone(), params: Vec::new() };
    if let Some(s) = &m.sender {
        acl.set("sender", &aid_text(s));
    }
    acl.set("receiver", receiver.as_str());
    if let Some(r) = m.reply_to.first() {
        acl.set("reply-to", &aid_text(r));
    }
    let texts = [
        ("content", &m.content),
        ("language", &m.language),
        ("encoding", &m.encoding),
        ("ontology", &m.ontology),
        ("protocol", &m.protocol),
        ("conversation-id", &m.conversation_id),
        ("reply-with", &m.reply_with),
        ("in-reply-to", &m.in_reply_to),
        ("reply-by", &m.reply_by),
    ];
    for (key, value) in texts {
        if let Some(v) = value {
            acl.set(key, v);
        }
    }
    acl
}
