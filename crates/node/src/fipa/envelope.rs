//! The FIPA XML envelope (SC00085, `fipa.mts.env.rep.xml.std`): the transport
//! part of a message sent over the HTTP MTP, parsed (with quick-xml) and
//! printed.
//!
//! Bounded by [`MAX_ENVELOPE_BYTES`], [`MAX_XML_DEPTH`] and
//! [`MAX_XML_ELEMENTS`]; malformed input is an [`EnvelopeError`] with a byte
//! offset, never a panic. Several `<params index="N">` blocks are merged in
//! order, a later block overriding the fields it sets (SC00067).

use itinerant_core::fipa_string::AgentIdentifier;
use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use std::fmt::{self, Write};

pub const MAX_ENVELOPE_BYTES: usize = 64 * 1024;
pub const MAX_XML_DEPTH: usize = 24;
pub const MAX_XML_ELEMENTS: usize = 4096;

/// One `<received>` stamp, added by each message transport service on the way.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Received {
    pub by: String,
    pub from: Option<String>,
    pub date: String,
    pub id: Option<String>,
    pub via: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Envelope {
    pub to: Vec<AgentIdentifier>,
    pub from: Option<AgentIdentifier>,
    pub comments: Option<String>,
    pub acl_representation: Option<String>,
    pub payload_length: Option<u64>,
    pub payload_encoding: Option<String>,
    pub date: Option<String>,
    pub intended_receiver: Vec<AgentIdentifier>,
    pub received: Vec<Received>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FIPA XML envelope at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for EnvelopeError {}

fn fail<T>(offset: usize, message: impl Into<String>) -> Result<T, EnvelopeError> {
    Err(EnvelopeError { offset, message: message.into() })
}

/// A parsed element: the small tree the envelope is read from.
#[derive(Debug, Default)]
struct Element {
    name: String,
    offset: usize,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

fn start_element(e: &BytesStart<'_>, offset: usize) -> Result<Element, EnvelopeError> {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| EnvelopeError { offset, message: format!("bad attribute: {err}") })?;
        let value = a.unescape_value().map_err(|err| EnvelopeError { offset, message: format!("{err}") })?;
        attrs.push((String::from_utf8_lossy(a.key.as_ref()).into_owned(), value.into_owned()));
    }
    Ok(Element { name, offset, attrs, ..Default::default() })
}

/// Reads the whole document into a tree, within the limits.
fn read_tree(text: &str) -> Result<Element, EnvelopeError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                return fail(at, format!("malformed XML: {e}"));
            }
        };
        let (element, closes) = match event {
            Event::Start(e) => (Some(start_element(&e, offset)?), false),
            Event::Empty(e) => (Some(start_element(&e, offset)?), true),
            Event::End(_) => (None, true),
            Event::Text(t) => {
                let s = t.unescape().map_err(|e| EnvelopeError { offset, message: format!("{e}") })?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return fail(offset, "text outside the root element"),
                }
                continue;
            }
            Event::CData(c) => {
                let s = String::from_utf8(c.into_inner().into_owned())
                    .map_err(|_| EnvelopeError { offset, message: "invalid UTF-8 in CDATA".into() })?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&s),
                    None => return fail(offset, "CDATA outside the root element"),
                }
                continue;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => continue,
        };
        if let Some(el) = element {
            count += 1;
            if count > MAX_XML_ELEMENTS {
                return fail(offset, format!("more than {MAX_XML_ELEMENTS} elements"));
            }
            if stack.len() >= MAX_XML_DEPTH {
                return fail(offset, format!("nesting deeper than {MAX_XML_DEPTH}"));
            }
            if root.is_some() && stack.is_empty() {
                return fail(offset, "a second root element");
            }
            stack.push(el);
        }
        if closes {
            let Some(done) = stack.pop() else {
                return fail(offset, "closing tag without an opening one");
            };
            match stack.last_mut() {
                Some(parent) => parent.children.push(done),
                None => root = Some(done),
            }
        }
    }
    if !stack.is_empty() {
        return fail(text.len(), format!("<{}> is not closed", stack[stack.len() - 1].name));
    }
    root.ok_or(EnvelopeError { offset: 0, message: "no root element".into() })
}

/// Parses an envelope in the XML representation.
pub fn parse_envelope(text: &str) -> Result<Envelope, EnvelopeError> {
    if text.len() > MAX_ENVELOPE_BYTES {
        return fail(MAX_ENVELOPE_BYTES, format!("envelope longer than {MAX_ENVELOPE_BYTES} bytes"));
    }
    let root = read_tree(text)?;
    if root.name != "envelope" {
        return fail(root.offset, format!("root element is <{}>, not <envelope>", root.name));
    }
    let mut env = Envelope::default();
    let mut blocks: Vec<&Element> = root.children.iter().filter(|c| c.name == "params").collect();
    if blocks.is_empty() {
        return fail(root.offset, "envelope without <params>");
    }
    blocks.sort_by_key(|b| b.attr("index").and_then(|i| i.trim().parse::<u64>().ok()).unwrap_or(0));
    for block in blocks {
        apply_params(&mut env, block)?;
    }
    Ok(env)
}

fn apply_params(env: &mut Envelope, params: &Element) -> Result<(), EnvelopeError> {
    for field in &params.children {
        let text = || Some(field.text.trim().to_owned());
        match field.name.as_str() {
            "to" => env.to = aid_list(field)?,
            "from" => env.from = aid_list(field)?.into_iter().next(),
            "comments" => env.comments = Some(field.text.clone()),
            "acl-representation" => env.acl_representation = text(),
            "payload-length" => match field.text.trim().parse::<u64>() {
                Ok(n) => env.payload_length = Some(n),
                Err(_) => return fail(field.offset, format!("payload-length \"{}\" is not a number", field.text)),
            },
            "payload-encoding" => env.payload_encoding = text(),
            "date" => env.date = text(),
            "intended-receiver" => env.intended_receiver = aid_list(field)?,
            "received" => env.received.push(received(field)?),
            // Transport behaviour and user-defined slots are accepted and not used.
            _ => {}
        }
    }
    Ok(())
}

fn aid_list(parent: &Element) -> Result<Vec<AgentIdentifier>, EnvelopeError> {
    parent.children.iter().filter(|c| c.name == "agent-identifier").map(agent_identifier).collect()
}

fn agent_identifier(el: &Element) -> Result<AgentIdentifier, EnvelopeError> {
    let mut aid = AgentIdentifier::default();
    let mut named = false;
    for part in &el.children {
        match part.name.as_str() {
            "name" => {
                aid.name = part.text.trim().to_owned();
                named = true;
            }
            "addresses" => {
                aid.addresses =
                    part.children.iter().filter(|u| u.name == "url").map(|u| u.text.trim().to_owned()).collect()
            }
            "resolvers" => aid.resolvers = aid_list(part)?,
            _ => {}
        }
    }
    if !named || aid.name.is_empty() {
        return fail(el.offset, "agent-identifier without <name>");
    }
    Ok(aid)
}

/// `<received>` carries its fields as `<received-by value=".."/>` elements.
fn received(el: &Element) -> Result<Received, EnvelopeError> {
    let mut r = Received::default();
    for part in &el.children {
        let value = part.attr("value").map(str::to_owned);
        match part.name.as_str() {
            "received-by" => r.by = value.unwrap_or_default(),
            "received-from" => r.from = value,
            "received-date" => r.date = value.unwrap_or_default(),
            "received-id" => r.id = value,
            "received-via" => r.via = value,
            _ => {}
        }
    }
    if r.by.is_empty() || r.date.is_empty() {
        return fail(el.offset, "received without received-by and received-date");
    }
    Ok(r)
}

fn write_aid(aid: &AgentIdentifier, out: &mut String) {
    let _ = write!(out, "<agent-identifier><name>{}</name>", escape(aid.name.as_str()));
    if !aid.addresses.is_empty() {
        out.push_str("<addresses>");
        for url in &aid.addresses {
            let _ = write!(out, "<url>{}</url>", escape(url.as_str()));
        }
        out.push_str("</addresses>");
    }
    if !aid.resolvers.is_empty() {
        out.push_str("<resolvers>");
        for r in &aid.resolvers {
            write_aid(r, out);
        }
        out.push_str("</resolvers>");
    }
    out.push_str("</agent-identifier>");
}

fn write_aids(tag: &str, aids: &[AgentIdentifier], out: &mut String) {
    if aids.is_empty() {
        return;
    }
    let _ = write!(out, "<{tag}>");
    for a in aids {
        write_aid(a, out);
    }
    let _ = write!(out, "</{tag}>");
}

/// Prints an envelope as one `<params index="1">` block. Agent identifiers'
/// user-defined parameters have no XML form here and are left out.
pub fn print_envelope(env: &Envelope) -> String {
    let mut out = String::from("<?xml version=\"1.0\"?>\n<envelope><params index=\"1\">");
    write_aids("to", &env.to, &mut out);
    if let Some(from) = &env.from {
        write_aids("from", std::slice::from_ref(from), &mut out);
    }
    let text_field = |tag: &str, value: &Option<String>, out: &mut String| {
        if let Some(v) = value {
            let _ = write!(out, "<{tag}>{}</{tag}>", escape(v.as_str()));
        }
    };
    text_field("comments", &env.comments, &mut out);
    text_field("acl-representation", &env.acl_representation, &mut out);
    text_field("payload-length", &env.payload_length.map(|n| n.to_string()), &mut out);
    text_field("payload-encoding", &env.payload_encoding, &mut out);
    text_field("date", &env.date, &mut out);
    write_aids("intended-receiver", &env.intended_receiver, &mut out);
    for r in &env.received {
        out.push_str("<received>");
        let stamp = |tag: &str, value: Option<&str>, out: &mut String| {
            if let Some(v) = value {
                let _ = write!(out, "<{tag} value=\"{}\"/>", escape(v));
            }
        };
        stamp("received-by", Some(&r.by), &mut out);
        stamp("received-from", r.from.as_deref(), &mut out);
        stamp("received-date", Some(&r.date), &mut out);
        stamp("received-id", r.id.as_deref(), &mut out);
        stamp("received-via", r.via.as_deref(), &mut out);
        out.push_str("</received>");
    }
    out.push_str("</params></envelope>\n");
    out
}

#[cfg(test)]
#[path = "envelope_tests.rs"]
mod tests;
