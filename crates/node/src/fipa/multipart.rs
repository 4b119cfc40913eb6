//! The body of a FIPA HTTP MTP request (SC00084): `multipart/mixed` with the
//! XML envelope as the first part and the ACL payload as the second. Pure:
//! split and join bytes; the sockets are in `fipa/http.rs`.

use super::envelope::{parse_envelope, print_envelope, Envelope};
use std::fmt;

/// Largest request body accepted (envelope and payload together).
pub const MAX_BODY_BYTES: usize = 1 << 20;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MtpError(pub String);

impl fmt::Display for MtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MtpError {}

fn fail<T>(message: impl Into<String>) -> Result<T, MtpError> {
    Err(MtpError(message.into()))
}

/// The boundary parameter of a `multipart/mixed` content type.
pub fn boundary_of(content_type: &str) -> Result<String, MtpError> {
    let mut parts = content_type.split(';');
    let kind = parts.next().unwrap_or("").trim();
    if !kind.eq_ignore_ascii_case("multipart/mixed") {
        return fail(format!("content type is \"{kind}\", not multipart/mixed"));
    }
    for p in parts {
        if let Some((k, v)) = p.split_once('=') {
            if k.trim().eq_ignore_ascii_case("boundary") {
                let b = v.trim().trim_matches('"');
                if b.is_empty() || b.len() > 70 {
                    return fail("the multipart boundary must be 1 to 70 characters");
                }
                return Ok(b.to_owned());
            }
        }
    }
    fail("multipart/mixed without a boundary")
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay[from..].windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

/// The parts' contents (headers dropped), in order. Lines may end in CRLF
/// or LF (some senders use bare LF).
fn split_parts<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<&'a [u8]>, MtpError> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let Some(mut at) = find(body, delimiter, 0) else {
        return fail("no multipart boundary in the body");
    };
    let mut parts = Vec::new();
    loop {
        let after = at + delimiter.len();
        if body[after..].starts_with(b"--") {
            return Ok(parts);
        }
        let Some(next) = find(body, delimiter, after) else {
            return fail("the multipart body is not closed by its final boundary");
        };
        // The part is what lies between this delimiter's line end and the
        // line end before the next delimiter.
        let mut part = &body[after..next];
        part = part.strip_prefix(b"\r\n").or_else(|| part.strip_prefix(b"\n")).unwrap_or(part);
        part = part.strip_suffix(b"\r\n").or_else(|| part.strip_suffix(b"\n")).unwrap_or(part);
        let content = match find(part, b"\r\n\r\n", 0) {
            Some(i) => &part[i + 4..],
            None => match find(part, b"\n\n", 0) {
                Some(i) => &part[i + 2..],
                // A part with no headers starts with its blank line.
                None if part.starts_with(b"\r\n") || part.starts_with(b"\n") => part.trim_ascii_start(),
                None => return fail("a multipart part without a blank line after its headers"),
            },
        };
        parts.push(content);
        if parts.len() > 8 {
            return fail("more than 8 multipart parts");
        }
        at = next;
    }
}

/// Reads a request body into its envelope and ACL payload text.
pub fn parse_body(content_type: &str, body: &[u8]) -> Result<(Envelope, String), MtpError> {
    if body.len() > MAX_BODY_BYTES {
        return fail(format!("body longer than {MAX_BODY_BYTES} bytes"));
    }
    let boundary = boundary_of(content_type)?;
    let parts = split_parts(body, &boundary)?;
    let [envelope, payload, ..] = parts.as_slice() else {
        return fail(format!("{} multipart parts, want the envelope and the payload", parts.len()));
    };
    let envelope = std::str::from_utf8(envelope).map_err(|_| MtpError("the envelope is not UTF-8".into()))?;
    let envelope = parse_envelope(envelope).map_err(|e| MtpError(e.to_string()))?;
    if let Some(rep) = &envelope.acl_representation {
        if !rep.eq_ignore_ascii_case("fipa.acl.rep.string.std") {
            return fail(format!("ACL representation \"{rep}\" is not supported (fipa.acl.rep.string.std is)"));
        }
    }
    let payload = std::str::from_utf8(payload).map_err(|_| MtpError("the ACL payload is not UTF-8".into()))?;
    Ok((envelope, payload.to_owned()))
}

/// A request body for `envelope` and `payload`: (content type, bytes).
pub fn build_body(envelope: &Envelope, payload: &str, boundary: &str) -> (String, Vec<u8>) {
    let mut out = String::new();
    out.push_str("This is not part of the MIME multipart encoded message.\r\n");
    out.push_str(&format!("--{boundary}\r\nContent-Type: application/xml\r\n\r\n"));
    out.push_str(&print_envelope(envelope));
    out.push_str(&format!("\r\n--{boundary}\r\nContent-Type: application/text\r\n\r\n"));
    out.push_str(payload);
    out.push_str(&format!("\r\n--{boundary}--\r\n"));
    (format!("multipart/mixed ; boundary=\"{boundary}\""), out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use itinerant_core::fipa_string::AgentIdentifier;

    fn envelope() -> Envelope {
        Envelope {
            to: vec![AgentIdentifier::named("echo@itin")],
            from: Some(AgentIdentifier::named("ping@jade")),
            acl_representation: Some("fipa.acl.rep.string.std".into()),
            payload_length: Some(16),
            date: Some("20261123T041200000Z".into()),
            ..Default::default()
        }
    }

    #[test]
    fn build_then_parse_gives_envelope_and_payload() {
        let payload = "(inform :content \"--b1\r\n\")";
        let (ct, body) = build_body(&envelope(), payload, "b1x9");
        let (env, got) = parse_body(&ct, &body).unwrap();
        assert_eq!(env, envelope());
        assert_eq!(got, payload);
    }

    #[test]
    fn a_jade_style_body_with_lf_lines_parses() {
        let body = format!(
            "--abc\nContent-Type: application/xml\n\n{}\n--abc\nContent-Type: application/text\n\n(request)\n--abc--\n",
            print_envelope(&envelope())
        );
        let (_, payload) = parse_body("multipart/mixed; boundary=abc", body.as_bytes()).unwrap();
        assert_eq!(payload, "(request)");
    }

    #[test]
    fn malformed_bodies_are_refused() {
        let (ct, good) = build_body(&envelope(), "(inform)", "b");
        let cases: Vec<(String, Vec<u8>, &str)> = vec![
            ("text/plain".into(), good.clone(), "not multipart"),
            ("multipart/mixed".into(), good.clone(), "without a boundary"),
            (ct.clone(), b"no boundary here".to_vec(), "no multipart boundary"),
            (ct.clone(), good[..good.len() - 6].to_vec(), "not closed"),
            (ct.clone(), b"--b\r\nX: y\r\n\r\n<envelope/>\r\n--b--\r\n".to_vec(), "1 multipart parts"),
            (ct.clone(), b"--b\r\n\r\n<envelope>\r\n--b\r\n\r\n(inform)\r\n--b--".to_vec(), "envelope"),
            (ct.clone(), b"--b\r\nheaders only\r\n--b--".to_vec(), "blank line"),
            (ct.clone(), vec![b'x'; MAX_BODY_BYTES + 1], "longer"),
        ];
        for (ct, body, want) in cases {
            let e = parse_body(&ct, &body).unwrap_err();
            assert!(e.0.contains(want), "{want}: {e}");
        }
    }
}
