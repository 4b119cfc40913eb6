//! The string form of lists: parsing (as TclFindElement) and quoting each
//! element so that it parses back to itself (as TclScanElement and
//! TclConvertElement in Tcl 8.6, including their historical preferences).

use crate::error::Exception;
use crate::value::Value;

/// Tcl's list whitespace.
pub fn is_list_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// Parses a backslash sequence at the start of `s` (which starts with `\`).
/// Returns the substituted text and the number of bytes consumed.
pub fn parse_backslash(s: &str) -> (char, usize) {
    let b = s.as_bytes();
    if b.len() < 2 {
        return ('\\', 1);
    }
    let c = match s[1..].chars().next() {
        Some(c) => c,
        None => return ('\\', 1),
    };
    match c {
        'a' => ('\x07', 2),
        'b' => ('\x08', 2),
        'f' => ('\x0c', 2),
        'n' => ('\n', 2),
        'r' => ('\r', 2),
        't' => ('\t', 2),
        'v' => ('\x0b', 2),
        'x' => hex_escape(s, 2, 2, 'x'),
        'u' => hex_escape(s, 2, 4, 'u'),
        'U' => hex_escape(s, 2, 8, 'U'),
        '\n' => {
            // Backslash-newline and the whitespace after it become one space.
            let mut i = 2;
            while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                i += 1;
            }
            (' ', i)
        }
        '0'..='7' => {
            let mut v: u32 = 0;
            let mut i = 1;
            while i < b.len() && i < 4 && (b'0'..=b'7').contains(&b[i]) {
                v = v * 8 + (b[i] - b'0') as u32;
                i += 1;
            }
            (char::from_u32(v & 0xff).unwrap_or('\u{fffd}'), i)
        }
        other => (other, 1 + other.len_utf8()),
    }
}

fn hex_escape(s: &str, start: usize, max_digits: usize, letter: char) -> (char, usize) {
    let b = s.as_bytes();
    let mut v: u32 = 0;
    let mut i = start;
    while i < b.len() && i - start < max_digits && b[i].is_ascii_hexdigit() {
        v = v * 16 + (b[i] as char).to_digit(16).unwrap_or(0);
        i += 1;
    }
    if i == start {
        return (letter, 2);
    }
    if letter == 'U' && v > 0x10ffff {
        // Tcl stops before the digit that would overflow the range.
        let mut v2: u32 = 0;
        let mut j = start;
        while j < i {
            let nv = v2 * 16 + (b[j] as char).to_digit(16).unwrap_or(0);
            if nv > 0x10ffff {
                break;
            }
            v2 = nv;
            j += 1;
        }
        return (char::from_u32(v2).unwrap_or('\u{fffd}'), j);
    }
    (char::from_u32(v).unwrap_or('\u{fffd}'), i)
}

/// Applies backslash substitution to the whole of `s`.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('\\') {
        out.push_str(&rest[..pos]);
        let (c, n) = parse_backslash(&rest[pos..]);
        out.push(c);
        rest = &rest[pos + n..];
    }
    out.push_str(rest);
    out
}

/// Splits a string into list elements, or gives Tcl's error.
pub fn parse_list(s: &str) -> Result<Vec<Value>, Exception> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some((elem, next)) = find_element(rest)? {
        out.push(Value::from_string(elem));
        rest = next;
    }
    Ok(out)
}

/// The elements of `s` with the byte range of each element's text in `s`
/// (inside the braces for braced elements) and whether it was braced.
pub fn element_spans(s: &str) -> Result<Vec<(String, usize, usize, bool)>, Exception> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        let offset = s.len() - rest.len();
        let ws = rest.len() - rest.trim_start_matches(is_list_space).len();
        let Some((elem, next)) = find_element(rest)? else { break };
        let start = offset + ws;
        let end = s.len() - next.len();
        let braced = s.as_bytes().get(start) == Some(&b'{');
        if braced {
            out.push((elem, start + 1, end - 1, true));
        } else {
            out.push((elem, start, end, false));
        }
        rest = next;
    }
    Ok(out)
}

/// Finds the first element of `s`: returns it and the text after it, or
/// `None` when only whitespace is left.
pub fn find_element(s: &str) -> Result<Option<(String, &str)>, Exception> {
    let b = s.as_bytes();
    let mut p = 0;
    while p < b.len() && is_list_space(b[p] as char) {
        p += 1;
    }
    if p == b.len() {
        return Ok(None);
    }
    let mut open_braces = 0usize;
    let mut in_quotes = false;
    if b[p] == b'{' {
        open_braces = 1;
        p += 1;
    } else if b[p] == b'"' {
        in_quotes = true;
        p += 1;
    }
    let start = p;
    let mut literal = true;
    while p < b.len() {
        match b[p] {
            b'{' if open_braces > 0 => open_braces += 1,
            b'}' if open_braces > 1 => open_braces -= 1,
            b'}' if open_braces == 1 => {
                let elem = &s[start..p];
                p += 1;
                if p >= b.len() || is_list_space(b[p] as char) {
                    return Ok(Some((elem.to_owned(), &s[p..])));
                }
                return Err(followed_by(s, p, "braces", "BRACE"));
            }
            b'\\' => {
                if open_braces == 0 {
                    literal = false;
                }
                let (_, n) = parse_backslash(&s[p..]);
                p += n;
                continue;
            }
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c if open_braces == 0 && !in_quotes => {
                let elem = &s[start..p];
                return Ok(Some((collapse(elem, literal), &s[p..])));
            }
            b'"' if in_quotes => {
                let elem = &s[start..p];
                p += 1;
                if p >= b.len() || is_list_space(b[p] as char) {
                    return Ok(Some((collapse(elem, literal), &s[p..])));
                }
                return Err(followed_by(s, p, "quotes", "QUOTE"));
            }
            _ => {}
        }
        p += 1;
    }
    if open_braces != 0 {
        return Err(Exception::error_code("unmatched open brace in list", &["TCL", "VALUE", "LIST", "BRACE"]));
    }
    if in_quotes {
        return Err(Exception::error_code("unmatched open quote in list", &["TCL", "VALUE", "LIST", "QUOTE"]));
    }
    Ok(Some((collapse(&s[start..], literal), "")))
}

fn collapse(elem: &str, literal: bool) -> String {
    if literal {
        elem.to_owned()
    } else {
        unescape(elem)
    }
}

fn followed_by(s: &str, p: usize, what: &str, code: &str) -> Exception {
    let b = s.as_bytes();
    let mut end = p;
    while end < b.len() && !is_list_space(b[end] as char) && end < p + 20 {
        end += 1;
    }
    while !s.is_char_boundary(end) {
        end += 1;
    }
    Exception::error_code(
        format!("list element in {what} followed by \"{}\" instead of space", &s[p..end]),
        &["TCL", "VALUE", "LIST", code],
    )
}

#[derive(PartialEq, Clone, Copy)]
enum Convert {
    None,
    Brace,
    Escape,
    /// Escape everything but braces (Tcl's CONVERT_MASK).
    Mask,
}

/// Chooses how to quote one element (TclScanElement).
fn scan_element(s: &str, quote_hash: bool) -> Convert {
    let b = s.as_bytes();
    if b.is_empty() {
        return Convert::Brace;
    }
    let mut nesting: i64 = 0;
    let mut forbid_none = false;
    let mut require_escape = false;
    let mut prefer_escape = false;
    let mut prefer_brace = quote_hash && b[0] == b'#';
    if b[0] == b'{' || b[0] == b'"' {
        forbid_none = true;
        prefer_brace = true;
    }
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' => nesting += 1,
            b'}' => {
                nesting -= 1;
                if nesting < 0 {
                    require_escape = true;
                }
            }
            b']' | b'"' => {
                forbid_none = true;
                prefer_escape = true;
            }
            b'[' | b'$' | b';' | b' ' | b'\x0c' | b'\n' | b'\r' | b'\t' | b'\x0b' => {
                forbid_none = true;
                prefer_brace = true;
            }
            b'\\' => {
                if i + 1 == b.len() {
                    require_escape = true;
                } else if b[i + 1] == b'\n' {
                    require_escape = true;
                    i += 1;
                } else {
                    if matches!(b[i + 1], b'{' | b'}' | b'\\') {
                        i += 1;
                    }
                    forbid_none = true;
                    prefer_brace = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if nesting != 0 {
        require_escape = true;
    }
    if require_escape {
        return Convert::Escape;
    }
    if forbid_none {
        if prefer_escape && !prefer_brace {
            return Convert::Mask;
        }
        return Convert::Brace;
    }
    if quote_hash && b[0] == b'#' {
        return Convert::Brace;
    }
    Convert::None
}

/// Appends one element, quoted as Tcl does. `quote_hash` is true for the
/// first element of a list (a leading `#` would read as a comment).
pub fn append_element(out: &mut String, s: &str, quote_hash: bool) {
    let mode = scan_element(s, quote_hash);
    match mode {
        Convert::None => out.push_str(s),
        Convert::Brace => {
            out.push('{');
            out.push_str(s);
            out.push('}');
        }
        Convert::Escape | Convert::Mask => {
            let mut chars = s.chars();
            if quote_hash && s.starts_with('#') {
                out.push_str("\\#");
                chars.next();
            }
            for c in chars {
                match c {
                    ']' | '[' | '$' | ';' | ' ' | '\\' | '"' => {
                        out.push('\\');
                        out.push(c);
                    }
                    '{' | '}' => {
                        if mode == Convert::Escape {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                    '\x0c' => out.push_str("\\f"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    '\x0b' => out.push_str("\\v"),
                    '\0' => out.push_str("\\0"),
                    c => out.push(c),
                }
            }
        }
    }
}

/// The string form of a list.
pub fn format_list(items: &[Value]) -> String {
    let mut out = String::new();
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        match v {
            Value::Int(_) | Value::Double(_) => v.write_to(&mut out),
            _ => append_element(&mut out, &v.as_str(), i == 0),
        }
    }
    out
}

/// One element quoted as a list of one (`list $s`).
pub fn quote_element(s: &str) -> String {
    let mut out = String::new();
    append_element(&mut out, s, true);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(items: &[&str]) -> String {
        format_list(&items.iter().map(|s| Value::from(*s)).collect::<Vec<_>>())
    }

    #[test]
    fn quoting_matches_tclsh() {
        // Recorded from tclsh 8.6.13.
        assert_eq!(
            l(&["a}", "a{", "{a", "a b}", "{a", "a\\", "a\\\nb", "{}", "a{b}c", "#x", "x#"]),
            "a\\} a\\{ \\{a a\\ b\\} \\{a a\\\\ a\\\\\\nb {{}} a{b}c #x x#"
        );
        assert_eq!(
            l(&["a\"b", "\"a", "a]", "a[", "a$", "{a}b", "", "a b\\", "}{", "{a b} c", "a\\b"]),
            "a\\\"b {\"a} a\\] {a[} {a$} {{a}b} {} a\\ b\\\\ \\}\\{ {{a b} c} {a\\b}"
        );
        assert_eq!(l(&["#", "", "a b"]), "{#} {} {a b}");
    }

    #[test]
    fn parsing() {
        let v = parse_list("a {b {c d}} \"e f\" g\\ h").unwrap();
        let s: Vec<String> = v.iter().map(|v| v.as_str().into_owned()).collect();
        assert_eq!(s, ["a", "b {c d}", "e f", "g h"]);
        let e = parse_list("{a}bcd efg").unwrap_err();
        assert_eq!(e.value().as_str(), "list element in braces followed by \"bcd\" instead of space");
        assert!(parse_list("{a").is_err());
        assert!(parse_list("\"a").is_err());
    }
}
