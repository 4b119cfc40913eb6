//! The FIPA HTTP MTP client (outbound): an agent's `acl send` to a foreign
//! receiver `{NAME http://HOST:PORT/PATH}` becomes a multipart POST to that
//! address, sent from the node's tokio runtime with a connect and an answer
//! timeout. The sender's identifier carries this node's FIPA address (when
//! it listens, `--fipa-http`) so that replies come back to it.

use std::sync::{Mutex, OnceLock, Weak};
use std::time::Duration;

use itinerant_core::acl::Acl;
use itinerant_core::fipa_string::{print_message, AclMessage, AgentIdentifier};
use itinerant_core::{AgentId, Runtime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::envelope::Envelope;
use super::multipart::build_body;

/// Longest wait for the connection and for the whole answer.
const POST_TIMEOUT: Duration = Duration::from_secs(10);
/// Bytes of an answer read (only its status line matters).
const MAX_ANSWER_BYTES: usize = 16 << 10;

/// The node's side of outbound FIPA messages.
#[derive(Default)]
pub struct Outbound {
    /// This node's FIPA HTTP address, once its listener started.
    own_url: Mutex<Option<String>>,
    /// Where a sender hears that its message did not get through.
    runtime: OnceLock<Weak<Runtime>>,
}

impl Outbound {
    pub fn set_own_url(&self, url: &str) {
        *self.own_url.lock().unwrap_or_else(|e| e.into_inner()) = Some(url.to_owned());
    }

    /// The runtime whose agents send (weak: the runtime holds the node's
    /// router, which holds this).
    pub fn set_runtime(&self, runtime: Weak<Runtime>) {
        let _ = self.runtime.set(runtime);
    }

    fn own_url(&self) -> Option<String> {
        self.own_url.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Sends `acl` (its receiver a foreign `{NAME URL}`) from local agent
    /// `from`; the POST runs on `handle`. A message the other platform did
    /// not take (no connection, no answer in time, a status other than
    /// 200) comes back to the sender as a FIPA `failure` (as one to an
    /// unknown local agent does), and is logged.
    pub fn send(&self, handle: &tokio::runtime::Handle, from: &str, acl: &Acl) -> Result<(), String> {
        let receiver = acl.get("receiver").unwrap_or("");
        let Some(to) = foreign_receiver(receiver) else {
            return Err(format!("\"{receiver}\" is not a foreign receiver {{NAME http://HOST:PORT/PATH}}"));
        };
        let (host_port, path) = split_http_url(&to.addresses[0])?;
        let mut sender = AgentIdentifier::named(from);
        sender.addresses.extend(self.own_url());
        let message = fipa_message(acl, sender.clone(), to.clone());
        let payload = print_message(&message);
        let envelope = Envelope {
            to: vec![to.clone()],
            from: Some(sender),
            acl_representation: Some("fipa.acl.rep.string.std".into()),
            payload_length: Some(payload.len() as u64),
            date: Some(fipa_now()),
            intended_receiver: vec![to.clone()],
            ..Default::default()
        };
        // A boundary that occurs in neither part.
        let envelope_text = super::envelope::print_envelope(&envelope);
        let boundary = (0u32..)
            .map(|n| format!("itinerant-{n:08x}-part"))
            .find(|b| !payload.contains(b.as_str()) && !envelope_text.contains(b.as_str()))
            .unwrap_or_default();
        let (content_type, body) = build_body(&envelope, &payload, &boundary);
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {host_port}\r\nCache-Control: no-cache\r\nMime-Version: 1.0\r\n\
             Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let name = to.name.clone();
        let tell_sender = (self.runtime.get().cloned(), AgentId::parse(from), receiver.to_owned());
        let reply_with = acl.get("reply-with").filter(|r| !r.is_empty()).map(str::to_owned);
        handle.spawn(async move {
            let why = match tokio::time::timeout(POST_TIMEOUT, post(&host_port, request, body)).await {
                Ok(Ok(200)) => {
                    tracing::debug!("FIPA HTTP MTP: delivered to {name} at {host_port}");
                    return;
                }
                Ok(Ok(status)) => format!("{name} at {host_port} answered HTTP {status}"),
                Ok(Err(e)) => format!("{name} at {host_port}: {e}"),
                Err(_) => format!("{name} at {host_port}: no answer in {POST_TIMEOUT:?}"),
            };
            tracing::warn!("FIPA HTTP MTP: {why}");
            if let (Some(rt), Some(sender), receiver) = tell_sender {
                if let Some(rt) = rt.upgrade() {
                    let why = format!("not delivered: {why}");
                    let _ = rt.send(&sender, crate::node::failure(&receiver, &why, reply_with));
                }
            }
        });
        Ok(())
    }
}

async fn post(host_port: &str, head: String, body: Vec<u8>) -> Result<u16, String> {
    let mut stream = tokio::net::TcpStream::connect(host_port).await.map_err(|e| e.to_string())?;
    stream.write_all(head.as_bytes()).await.map_err(|e| e.to_string())?;
    stream.write_all(&body).await.map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    while answer.len() < MAX_ANSWER_BYTES && !answer.windows(2).any(|w| w == b"\r\n") {
        let n = stream.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&chunk[..n]);
    }
    let line = String::from_utf8_lossy(&answer);
    line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| format!("not an HTTP answer: {line:.80}"))
}

/// `{NAME URL ...}` (a Tcl list whose second element is an http:// URL) as
/// an agent identifier; anything else is not foreign.
pub fn foreign_receiver(receiver: &str) -> Option<AgentIdentifier> {
    let mut words = receiver.split_whitespace();
    let name = words.next()?;
    let addresses: Vec<String> = words.map(str::to_owned).collect();
    if addresses.is_empty() || !addresses.iter().all(|a| a.starts_with("http://")) {
        return None;
    }
    Some(AgentIdentifier { name: name.to_owned(), addresses, ..Default::default() })
}

/// `http://HOST:PORT/PATH` as ("HOST:PORT", "/PATH").
fn split_http_url(url: &str) -> Result<(String, String), String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("\"{url}\" is not an http:// address"))?;
    let (host_port, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if host_port.is_empty() {
        return Err(format!("\"{url}\" has no host"));
    }
    let host_port = if host_port.contains(':') { host_port.to_owned() } else { format!("{host_port}:80") };
    Ok((host_port, path.to_owned()))
}

/// A local ACL message as the FIPA message sent abroad.
fn fipa_message(acl: &Acl, sender: AgentIdentifier, to: AgentIdentifier) -> AclMessage {
    let text = |k: &str| acl.get(k).filter(|v| !v.is_empty()).map(str::to_owned);
    AclMessage {
        performative: acl.performative.clone(),
        sender: Some(sender),
        receivers: vec![to],
        reply_to: acl.get("reply-to").and_then(foreign_receiver).into_iter().collect(),
        content: text("content"),
        language: text("language"),
        encoding: text("encoding"),
        ontology: text("ontology"),
        protocol: text("protocol"),
        conversation_id: text("conversation-id"),
        reply_with: text("reply-with"),
        in_reply_to: text("in-reply-to"),
        reply_by: text("reply-by"),
        user: Vec::new(),
    }
}

/// Now as a FIPA date-time, `YYYYMMDDTHHMMSSmmmZ` (UTC).
fn fipa_now() -> String {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let (days, rest) = ((ms / 86_400_000) as i64, ms % 86_400_000);
    let (h, m, s, milli) = (rest / 3_600_000, rest / 60_000 % 60, rest / 1000 % 60, rest % 1000);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}{month:02}{day:02}T{h:02}{m:02}{s:02}{milli:03}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_receivers_and_urls_are_recognised() {
        let aid = foreign_receiver("x@jade http://127.0.0.1:7778/acc").unwrap();
        assert_eq!(aid.name, "x@jade");
        assert_eq!(aid.addresses, ["http://127.0.0.1:7778/acc"]);
        assert!(foreign_receiver("3@alpha").is_none());
        assert!(foreign_receiver("x@jade ftp://h/acc").is_none());
        assert_eq!(split_http_url("http://h:7778/acc").unwrap(), ("h:7778".into(), "/acc".into()));
        assert_eq!(split_http_url("http://h").unwrap(), ("h:80".into(), "/".into()));
        assert!(split_http_url("https://h/acc").is_err());
        let now = fipa_now();
        assert_eq!(now.len(), 19, "{now}");
        assert!(now.starts_with("20") && now.ends_with('Z') && &now[8..9] == "T", "{now}");
    }
}
