//! The FIPA string ACL representation (SC00070, `fipa.acl.rep.string.std`):
//! `(inform :sender (agent-identifier :name a@p :addresses (sequence http://..))
//! :receiver (set ...) :content "..." ...)`, parsed and printed.
//!
//! Pure functions: bounded by [`MAX_MESSAGE_BYTES`] and [`MAX_DEPTH`];
//! malformed input is an [`AclParseError`] with the byte offset, never a panic.

use crate::acl::PERFORMATIVES;
use std::fmt::{self, Write};

/// Largest message text accepted by [`parse_message`].
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;
/// Deepest nesting of parentheses accepted (agent identifiers inside
/// resolvers inside sets count as levels too).
pub const MAX_DEPTH: usize = 32;

/// A generic s-expression: a word (also numbers and date-times), a string or
/// a parenthesised list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    Word(String),
    Str(String),
    List(Vec<Expr>),
}

/// A FIPA agent identifier: `(agent-identifier :name n :addresses (sequence url..)
/// :resolvers (sequence aid..) :X-... expr)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgentIdentifier {
    pub name: String,
    pub addresses: Vec<String>,
    pub resolvers: Vec<AgentIdentifier>,
    /// User-defined parameters (names start with `X-`), in order.
    pub user: Vec<(String, Expr)>,
}

impl AgentIdentifier {
    pub fn named(name: &str) -> Self {
        AgentIdentifier { name: name.to_owned(), ..Default::default() }
    }
}

/// A FIPA ACL message with every parameter of SC00061.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AclMessage {
    pub performative: String,
    pub sender: Option<AgentIdentifier>,
    pub receivers: Vec<AgentIdentifier>,
    pub reply_to: Vec<AgentIdentifier>,
    /// The content as text (an expression given unquoted is kept as its
    /// printed form).
    pub content: Option<String>,
    pub language: Option<String>,
    pub encoding: Option<String>,
    pub ontology: Option<String>,
    pub protocol: Option<String>,
    pub conversation_id: Option<String>,
    pub reply_with: Option<String>,
    pub in_reply_to: Option<String>,
    /// A FIPA date-time such as `20261123T041200000Z`.
    pub reply_by: Option<String>,
    /// User-defined parameters (names start with `X-`), in order.
    pub user: Vec<(String, Expr)>,
}

/// Why a message could not be parsed, and where (byte offset in the input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AclParseError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for AclParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FIPA ACL string at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for AclParseError {}

fn fail<T>(offset: usize, message: impl Into<String>) -> Result<T, AclParseError> {
    Err(AclParseError { offset, message: message.into() })
}

/// An expression with the byte offset where it began (for error messages).
#[derive(Debug)]
struct Located {
    offset: usize,
    expr: Expr,
}

struct Reader<'a> {
    text: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn skip_space(&mut self) {
        while self.pos < self.text.len() && self.text[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn expr(&mut self, depth: usize) -> Result<Located, AclParseError> {
        self.skip_space();
        let start = self.pos;
        match self.text.get(self.pos) {
            None => fail(start, "unexpected end of input"),
            Some(b'(') => {
                if depth >= MAX_DEPTH {
                    return fail(start, format!("nesting deeper than {MAX_DEPTH}"));
                }
                let items = self.list_items(depth + 1)?;
                Ok(Located { offset: start, expr: Expr::List(items.into_iter().map(|l| l.expr).collect()) })
            }
            Some(b')') => fail(start, "unexpected ')'"),
            Some(b'"') => self.string(),
            Some(b'#') => self.byte_length_string(),
            Some(_) => {
                while self.pos < self.text.len() && !is_delimiter(self.text[self.pos]) {
                    self.pos += 1;
                }
                let word = self.utf8(start, self.pos)?;
                Ok(Located { offset: start, expr: Expr::Word(word) })
            }
        }
    }

    /// The items of the list whose '(' is at the current position, through its ')'.
    fn list_items(&mut self, depth: usize) -> Result<Vec<Located>, AclParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_space();
            match self.text.get(self.pos) {
                None => return fail(start, "unclosed '('"),
                Some(b')') => {
                    self.pos += 1;
                    return Ok(items);
                }
                Some(_) => items.push(self.expr(depth)?),
            }
        }
    }

    fn utf8(&self, from: usize, to: usize) -> Result<String, AclParseError> {
        match std::str::from_utf8(&self.text[from..to]) {
            Ok(s) => Ok(s.to_owned()),
            Err(e) => fail(from + e.valid_up_to(), "invalid UTF-8"),
        }
    }

    /// `"..."` with `\"` and `\\` escapes (any other backslash is kept as is).
    fn string(&mut self) -> Result<Located, AclParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut bytes = Vec::new();
        loop {
            match self.text.get(self.pos) {
                None => return fail(start, "unterminated string"),
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') if matches!(self.text.get(self.pos + 1), Some(b'"' | b'\\')) => {
                    bytes.push(self.text[self.pos + 1]);
                    self.pos += 2;
                }
                Some(&b) => {
                    bytes.push(b);
                    self.pos += 1;
                }
            }
        }
        match String::from_utf8(bytes) {
            Ok(s) => Ok(Located { offset: start, expr: Expr::Str(s) }),
            Err(_) => fail(start, "invalid UTF-8 in string"),
        }
    }

    /// `#N"` followed by exactly N bytes.
    fn byte_length_string(&mut self) -> Result<Located, AclParseError> {
        let start = self.pos;
        self.pos += 1;
        let digits_start = self.pos;
        while self.pos < self.text.len() && self.text[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        if self.pos == digits_start || self.text.get(self.pos) != Some(&b'"') {
            return fail(start, "malformed byte-length string (want #N\"...)");
        }
        let len: usize = match std::str::from_utf8(&self.text[digits_start..self.pos]).ok().and_then(|d| d.parse().ok())
        {
            Some(n) => n,
            None => return fail(digits_start, "byte length too large"),
        };
        self.pos += 1;
        if self.text.len() - self.pos < len {
            return fail(start, "byte-length string runs past the end of input");
        }
        let s = self.utf8(self.pos, self.pos + len)?;
        self.pos += len;
        Ok(Located { offset: start, expr: Expr::Str(s) })
    }
}

fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace() || b == b'(' || b == b')' || b == b'"'
}

/// Parses one message in the string representation.
pub fn parse_message(text: &str) -> Result<AclMessage, AclParseError> {
    if text.len() > MAX_MESSAGE_BYTES {
        return fail(MAX_MESSAGE_BYTES, format!("message longer than {MAX_MESSAGE_BYTES} bytes"));
    }
    let mut reader = Reader { text: text.as_bytes(), pos: 0 };
    reader.skip_space();
    if reader.text.get(reader.pos) != Some(&b'(') {
        return fail(reader.pos, "a message starts with '('");
    }
    let start = reader.pos;
    let items = reader.list_items(1)?;
    reader.skip_space();
    if reader.pos != reader.text.len() {
        return fail(reader.pos, "text after the message");
    }
    message_from(items, start)
}

fn message_from(items: Vec<Located>, start: usize) -> Result<AclMessage, AclParseError> {
    let mut it = items.into_iter();
    let performative = match it.next() {
        Some(Located { expr: Expr::Word(w), .. }) => w.to_ascii_lowercase(),
        Some(other) => return fail(other.offset, "a message starts with its performative"),
        None => return fail(start, "empty message"),
    };
    if !PERFORMATIVES.contains(&performative.as_str()) {
        return fail(start + 1, format!("unknown performative \"{performative}\""));
    }
    let mut msg = AclMessage { performative, ..Default::default() };
    let mut seen = Vec::new();
    while let Some(key) = it.next() {
        let name = keyword(&key.expr, key.offset)?;
        let Some(Located { offset, expr: value }) = it.next() else {
            return fail(key.offset, format!("parameter :{name} has no value"));
        };
        let lower = name.to_ascii_lowercase();
        if !is_user_param(&name) {
            if seen.contains(&lower) {
                return fail(key.offset, format!("parameter :{name} given twice"));
            }
            seen.push(lower.clone());
        }
        let text = |what: &str| atom_text(&value, what, offset);
        match lower.as_str() {
            "sender" => msg.sender = Some(agent_identifier(&value, offset)?),
            "receiver" => msg.receivers = aid_collection(&value, "set", offset)?,
            "reply-to" => msg.reply_to = aid_collection(&value, "set", offset)?,
            "content" => {
                msg.content = Some(match &value {
                    Expr::List(_) => print_expr(&value),
                    _ => text("content")?,
                })
            }
            "language" => msg.language = Some(text("language")?),
            "encoding" => msg.encoding = Some(text("encoding")?),
            "ontology" => msg.ontology = Some(text("ontology")?),
            "protocol" => msg.protocol = Some(text("protocol")?),
            "conversation-id" => msg.conversation_id = Some(text("conversation-id")?),
            "reply-with" => msg.reply_with = Some(text("reply-with")?),
            "in-reply-to" => msg.in_reply_to = Some(text("in-reply-to")?),
            "reply-by" => msg.reply_by = Some(text("reply-by")?),
            _ if is_user_param(&name) => msg.user.push((name, value)),
            _ => return fail(key.offset, format!("unknown message parameter :{name}")),
        }
    }
    Ok(msg)
}

fn is_user_param(name: &str) -> bool {
    name.len() > 2 && (name.starts_with("X-") || name.starts_with("x-"))
}

fn keyword(e: &Expr, offset: usize) -> Result<String, AclParseError> {
    match e {
        Expr::Word(w) if w.len() > 1 && w.starts_with(':') => Ok(w[1..].to_owned()),
        other => fail(offset, format!("expected a :parameter, found {}", print_expr(other))),
    }
}

fn atom_text(e: &Expr, what: &str, offset: usize) -> Result<String, AclParseError> {
    match e {
        Expr::Word(w) | Expr::Str(w) => Ok(w.clone()),
        Expr::List(_) => fail(offset, format!(":{what} wants a word or a string")),
    }
}

/// `(set aid..)` or `(sequence aid..)`; a bare agent identifier is accepted
/// too, as some platforms send one receiver that way.
fn aid_collection(e: &Expr, head: &str, offset: usize) -> Result<Vec<AgentIdentifier>, AclParseError> {
    let Expr::List(items) = e else {
        return fail(offset, format!("expected ({head} agent-identifier..)"));
    };
    match items.first() {
        Some(Expr::Word(w)) if w.eq_ignore_ascii_case("set") || w.eq_ignore_ascii_case("sequence") => {
            items[1..].iter().map(|a| agent_identifier(a, offset)).collect()
        }
        Some(Expr::Word(w)) if w.eq_ignore_ascii_case("agent-identifier") => Ok(vec![agent_identifier(e, offset)?]),
        _ => fail(offset, format!("expected ({head} agent-identifier..)")),
    }
}

fn agent_identifier(e: &Expr, offset: usize) -> Result<AgentIdentifier, AclParseError> {
    let items = match e {
        Expr::List(items) if matches!(items.first(), Some(Expr::Word(w)) if w.eq_ignore_ascii_case("agent-identifier")) => {
            items
        }
        _ => return fail(offset, "expected (agent-identifier :name ...)"),
    };
    let mut aid = AgentIdentifier::default();
    let mut has_name = false;
    let mut rest = items[1..].iter();
    while let Some(key) = rest.next() {
        let name = keyword(key, offset)?;
        let Some(value) = rest.next() else {
            return fail(offset, format!("agent-identifier :{name} has no value"));
        };
        match name.to_ascii_lowercase().as_str() {
            "name" => {
                aid.name = atom_text(value, "name", offset)?;
                has_name = true;
            }
            "addresses" => aid.addresses = url_sequence(value, offset)?,
            "resolvers" => aid.resolvers = aid_collection(value, "sequence", offset)?,
            _ if is_user_param(&name) => aid.user.push((name, value.clone())),
            _ => return fail(offset, format!("unknown agent-identifier parameter :{name}")),
        }
    }
    if !has_name {
        return fail(offset, "agent-identifier without :name");
    }
    Ok(aid)
}

fn url_sequence(e: &Expr, offset: usize) -> Result<Vec<String>, AclParseError> {
    match e {
        Expr::List(items) if matches!(items.first(), Some(Expr::Word(w)) if w.eq_ignore_ascii_case("sequence")) => {
            items[1..].iter().map(|u| atom_text(u, "addresses", offset)).collect()
        }
        _ => fail(offset, "expected (sequence url..)"),
    }
}

/// True when `s` may be printed bare: a FIPA word (not starting with `#`,
/// a digit, `-`, `@`; `:` is left out too, as it would read as a parameter),
/// or a number or date-time (digits, `.`, `+`, `-`, `e`, `E`, `T`, `Z`
/// only); nothing with white space, parentheses, quotes or backslashes.
fn prints_bare(s: &str) -> bool {
    let Some(first) = s.bytes().next() else { return false };
    let plain = s.is_ascii() && s.bytes().all(|b| b > 0x20 && b != 0x7f && !is_delimiter(b) && b != b'\\');
    let word = !b"#0123456789-@:".contains(&first);
    let number_or_date = first.is_ascii_digit() && s.bytes().all(|b| b.is_ascii_digit() || b".+-eETZ".contains(&b));
    plain && (word || number_or_date)
}

fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

fn print_atom(s: &str, out: &mut String) {
    if prints_bare(s) {
        out.push_str(s);
    } else {
        quote(s, out);
    }
}

/// Prints an expression (words bare, strings quoted, lists parenthesised).
pub fn print_expr(e: &Expr) -> String {
    let mut out = String::new();
    write_expr(e, &mut out);
    out
}

fn write_expr(e: &Expr, out: &mut String) {
    match e {
        Expr::Word(w) => out.push_str(w),
        Expr::Str(s) => quote(s, out),
        Expr::List(items) => {
            out.push('(');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_expr(item, out);
            }
            out.push(')');
        }
    }
}

fn write_aid(aid: &AgentIdentifier, out: &mut String) {
    out.push_str("(agent-identifier :name ");
    print_atom(&aid.name, out);
    if !aid.addresses.is_empty() {
        out.push_str(" :addresses (sequence");
        for a in &aid.addresses {
            out.push(' ');
            print_atom(a, out);
        }
        out.push(')');
    }
    if !aid.resolvers.is_empty() {
        out.push_str(" :resolvers (sequence");
        for r in &aid.resolvers {
            out.push(' ');
            write_aid(r, out);
        }
        out.push(')');
    }
    write_user(&aid.user, out);
    out.push(')');
}

fn write_user(user: &[(String, Expr)], out: &mut String) {
    for (k, v) in user {
        let _ = write!(out, " :{k} ");
        write_expr(v, out);
    }
}

fn write_aid_set(key: &str, aids: &[AgentIdentifier], out: &mut String) {
    if aids.is_empty() {
        return;
    }
    let _ = write!(out, " :{key} (set");
    for a in aids {
        out.push(' ');
        write_aid(a, out);
    }
    out.push(')');
}

/// Prints a message in the string representation, parameters in FIPA order.
/// The content is always a quoted string (what JADE and other platforms
/// expect); other text parameters are bare words when they can be.
pub fn print_message(msg: &AclMessage) -> String {
    let mut out = String::with_capacity(256);
    out.push('(');
    out.push_str(&msg.performative);
    if let Some(s) = &msg.sender {
        out.push_str(" :sender ");
        write_aid(s, &mut out);
    }
    write_aid_set("receiver", &msg.receivers, &mut out);
    write_aid_set("reply-to", &msg.reply_to, &mut out);
    if let Some(c) = &msg.content {
        out.push_str(" :content ");
        quote(c, &mut out);
    }
    let texts = [
        ("language", &msg.language),
        ("encoding", &msg.encoding),
        ("ontology", &msg.ontology),
        ("protocol", &msg.protocol),
        ("conversation-id", &msg.conversation_id),
        ("reply-with", &msg.reply_with),
        ("in-reply-to", &msg.in_reply_to),
        ("reply-by", &msg.reply_by),
    ];
    for (key, value) in texts {
        if let Some(v) = value {
            let _ = write!(out, " :{key} ");
            print_atom(v, &mut out);
        }
    }
    write_user(&msg.user, &mut out);
    out.push(')');
    out
}

#[cfg(test)]
#[path = "fipa_string_tests.rs"]
mod tests;
