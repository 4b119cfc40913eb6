//! The `string` command (Tcl 8.6.13), and string helpers other commands
//! reuse (case mapping, character classes, indexing, comparison).
//!
//! Characters are Unicode scalar values: a character outside the Basic
//! Multilingual Plane counts as one character (Tcl 8.6 stores it as a
//! surrogate pair and counts two; Tcl 9 counts one). `string bytelength`
//! still reports Tcl 8.6's internal size (`\0` is 2 bytes, a non-BMP
//! character 6).
//!
//! `string is ... -failindex var` needs to set a variable, which a native
//! command cannot do: [`string_cmd`] reports an error for it, and the
//! bytecode compiler/VM should instead call [`parse_is_args`], then
//! [`string_is`], and store the failure index itself (see
//! [`parse_is_args`]).

use std::cmp::Ordering;
use std::sync::OnceLock;

use regex::Regex;

use crate::cmds::NativeFn;
use crate::error::{lookup_index, Exception};
use crate::index::{get_int, parse_index, scan_number, IndexPos, NumKind};
use crate::{Interp, Value};

/// The commands this module provides.
pub const COMMANDS: &[(&str, NativeFn)] = &[("string", string_cmd)];

/// The subcommands of `string`, in the order Tcl lists them.
pub const SUBCOMMANDS: &[&str] = &[
    "bytelength",
    "cat",
    "compare",
    "equal",
    "first",
    "index",
    "is",
    "last",
    "length",
    "map",
    "match",
    "range",
    "repeat",
    "replace",
    "reverse",
    "tolower",
    "totitle",
    "toupper",
    "trim",
    "trimleft",
    "trimright",
    "wordend",
    "wordstart",
];

pub use crate::error::lookup_subcommand;

/// `Tcl_GetIndexFromObj`, where (unlike `lookup_index`) the empty string
/// is an ambiguous abbreviation of every entry.
fn get_index(what: &str, word: &str, table: &[&str]) -> Result<usize, Exception> {
    if word.is_empty() {
        if table.len() == 1 {
            return Ok(0);
        }
        return Err(Exception::bad_index(what, word, table, true));
    }
    lookup_index(what, word, table)
}

/// `wrong # args` naming the command as invoked and the full subcommand.
fn wrong(args: &[Value], sub: &str, usage: &str) -> Exception {
    let head = [args.first().cloned().unwrap_or_else(|| Value::from("string")), Value::from(sub)];
    Exception::wrong_args(&head, 2, usage)
}

/// The `string` command.
pub fn string_cmd(interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() < 2 {
        return Err(Exception::wrong_args(args, 1, "subcommand ?arg ...?"));
    }
    let sub = lookup_subcommand(&args[1].as_str(), SUBCOMMANDS)?;
    let name = SUBCOMMANDS[sub];
    let a = &args[2..];
    match name {
        "bytelength" => {
            if a.len() != 1 {
                return Err(wrong(args, name, "string"));
            }
            Ok(Value::int(tcl_byte_length(&a[0].as_str()) as i64))
        }
        "cat" => string_cat(interp, a),
        "compare" | "equal" => {
            let (nocase, length, s1, s2) = compare_args(args, name)?;
            let ord = compare(&s1.as_str(), &s2.as_str(), nocase, length);
            Ok(if name == "equal" { Value::bool(ord == Ordering::Equal) } else { Value::int(ord as i64) })
        }
        "first" | "last" => {
            if a.len() < 2 || a.len() > 3 {
                return Err(wrong(args, name, "needleString haystackString ?startIndex?"));
            }
            let needle = a[0].as_str();
            let hay = a[1].as_str();
            let start = match a.get(2) {
                Some(v) => Some(parse_index(v, char_len(&hay))?),
                None => None,
            };
            let r = if name == "first" {
                string_first(&needle, &hay, start.unwrap_or(0))
            } else {
                string_last(&needle, &hay, start.unwrap_or(i64::MAX))
            };
            Ok(Value::int(r))
        }
        "index" => {
            if a.len() != 2 {
                return Err(wrong(args, name, "string charIndex"));
            }
            let s = a[0].as_str();
            let i = parse_index(&a[1], char_len(&s))?;
            Ok(match char_at(&s, i) {
                Some(c) => Value::from(c.to_string()),
                None => Value::empty(),
            })
        }
        "is" => {
            let call = parse_is_args(args)?;
            let (ok, fail_at) = string_is(call.class, &call.value, call.strict);
            if let (false, Some(var), Some(at)) = (ok, &call.fail_var, fail_at) {
                interp.set_var_value(&var.as_str(), Value::int(at))?;
            }
            Ok(Value::bool(ok))
        }
        "length" => {
            if a.len() != 1 {
                return Err(wrong(args, name, "string"));
            }
            Ok(Value::int(char_len(&a[0].as_str()) as i64))
        }
        "map" => {
            let nocase = nocase_flag(args, name, "?-nocase? charMap string")?;
            let (map, s) = (&a[a.len() - 2], &a[a.len() - 1]);
            string_map(interp, map, s, nocase)
        }
        "match" => {
            let nocase = nocase_flag(args, name, "?-nocase? pattern string")?;
            let (p, s) = (&a[a.len() - 2], &a[a.len() - 1]);
            Ok(Value::bool(crate::glob::string_match(&p.as_str(), &s.as_str(), nocase)))
        }
        "range" => {
            if a.len() != 3 {
                return Err(wrong(args, name, "string first last"));
            }
            let s = a[0].as_str();
            let len = char_len(&s);
            let first = parse_index(&a[1], len)?;
            let last = parse_index(&a[2], len)?;
            if first <= 0 && last >= len as i64 - 1 {
                return Ok(a[0].clone());
            }
            Ok(Value::from(string_range(&s, first, last).to_owned()))
        }
        "repeat" => {
            if a.len() != 2 {
                return Err(wrong(args, name, "string count"));
            }
            let count = get_int(&a[1])?;
            string_repeat(interp, &a[0], count)
        }
        "replace" => {
            if a.len() < 3 || a.len() > 4 {
                return Err(wrong(args, name, "string first last ?string?"));
            }
            let s = a[0].as_str();
            let len = char_len(&s);
            let first = parse_index(&a[1], len)?;
            let last = parse_index(&a[2], len)?;
            let new = a.get(3).map(|v| v.as_str());
            match string_replace(&s, first, last) {
                Some((head, tail)) => {
                    let new = new.as_deref().unwrap_or("");
                    interp.check_string(head.len() + new.len() + tail.len())?;
                    let mut out = String::with_capacity(head.len() + new.len() + tail.len());
                    out.push_str(head);
                    out.push_str(new);
                    out.push_str(tail);
                    Ok(Value::from(out))
                }
                None => Ok(a[0].clone()),
            }
        }
        "reverse" => {
            if a.len() != 1 {
                return Err(wrong(args, name, "string"));
            }
            Ok(Value::from(string_reverse(&a[0].as_str())))
        }
        "tolower" | "toupper" | "totitle" => {
            if a.is_empty() || a.len() > 3 {
                return Err(wrong(args, name, "string ?first? ?last?"));
            }
            let s = a[0].as_str();
            let conv: fn(&str) -> String = match name {
                "tolower" => to_lower,
                "toupper" => to_upper,
                _ => to_title,
            };
            if a.len() == 1 {
                return Ok(Value::from(conv(&s)));
            }
            let len = char_len(&s);
            let first = parse_index(&a[1], len)?.max(0);
            let last = match a.get(2) {
                Some(v) => parse_index(v, len)?,
                None => first,
            };
            let last = last.min(len as i64 - 1);
            if last < first {
                return Ok(a[0].clone());
            }
            let b0 = char_to_byte(&s, first as usize);
            let b1 = char_to_byte(&s, last as usize + 1);
            let mut out = String::with_capacity(s.len());
            out.push_str(&s[..b0]);
            out.push_str(&conv(&s[b0..b1]));
            out.push_str(&s[b1..]);
            Ok(Value::from(out))
        }
        "trim" | "trimleft" | "trimright" => {
            if a.is_empty() || a.len() > 2 {
                return Err(wrong(args, name, "string ?chars?"));
            }
            let s = a[0].as_str();
            let chars = a.get(1).map(|v| v.as_str());
            let set = chars.as_deref();
            let r = match name {
                "trim" => trim(&s, set, true, true),
                "trimleft" => trim(&s, set, true, false),
                _ => trim(&s, set, false, true),
            };
            if r.len() == s.len() {
                return Ok(a[0].clone());
            }
            Ok(Value::from(r.to_owned()))
        }
        "wordend" | "wordstart" => {
            if a.len() != 2 {
                return Err(wrong(args, name, "string index"));
            }
            let s = a[0].as_str();
            let i = parse_index(&a[1], char_len(&s))?;
            let r = if name == "wordend" { word_end(&s, i) } else { word_start(&s, i) };
            Ok(Value::int(r as i64))
        }
        _ => Err(Exception::error(format!("string {name}: not implemented"))),
    }
}

// ----- argument parsing -------------------------------------------------

/// Options of `string compare|equal ?-nocase? ?-length int? s1 s2`:
/// (nocase, length limit, s1, s2). Negative lengths mean no limit.
fn compare_args<'a>(args: &'a [Value], name: &str) -> Result<(bool, Option<usize>, &'a Value, &'a Value), Exception> {
    let a = args.get(2..).unwrap_or(&[]);
    let usage = "?-nocase? ?-length int? string1 string2";
    if a.len() < 2 || a.len() > 5 {
        return Err(wrong(args, name, usage));
    }
    let n = a.len();
    let mut nocase = false;
    let mut length = None;
    let mut i = 0;
    while i + 2 < n {
        let opt = a[i].as_str();
        if opt.len() > 1 && "-nocase".starts_with(&*opt) {
            nocase = true;
        } else if opt.len() > 1 && "-length".starts_with(&*opt) {
            if i + 3 >= n {
                return Err(wrong(args, name, usage));
            }
            i += 1;
            let l = get_int(&a[i])?;
            length = usize::try_from(l).ok();
        } else {
            return Err(Exception::error_code(
                format!("bad option \"{opt}\": must be -nocase or -length"),
                &["TCL", "LOOKUP", "INDEX", "option", &opt],
            ));
        }
        i += 1;
    }
    Ok((nocase, length, &a[n - 2], &a[n - 1]))
}

/// `?-nocase? x y` for `string match` and `string map`.
fn nocase_flag(args: &[Value], name: &str, usage: &str) -> Result<bool, Exception> {
    let a = args.get(2..).unwrap_or(&[]);
    match a.len() {
        2 => Ok(false),
        3 => {
            let opt = a[0].as_str();
            if opt.len() > 1 && "-nocase".starts_with(&*opt) {
                Ok(true)
            } else {
                Err(Exception::error_code(
                    format!("bad option \"{opt}\": must be -nocase"),
                    &["TCL", "LOOKUP", "INDEX", "option", &opt],
                ))
            }
        }
        _ => Err(wrong(args, name, usage)),
    }
}

// ----- characters and indices -------------------------------------------

/// The number of characters in `s`.
pub fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// The byte offset of character `ci` (the length of `s` when past the end).
pub fn char_to_byte(s: &str, ci: usize) -> usize {
    if s.is_ascii() {
        return ci.min(s.len());
    }
    s.char_indices().nth(ci).map_or(s.len(), |(b, _)| b)
}

/// The character at index `i`, if in range.
pub fn char_at(s: &str, i: IndexPos) -> Option<char> {
    let i = usize::try_from(i).ok()?;
    if s.is_ascii() {
        return s.as_bytes().get(i).map(|&b| b as char);
    }
    s.chars().nth(i)
}

/// `string range`: the characters `first..=last`, clamped to the string.
pub fn string_range(s: &str, first: IndexPos, last: IndexPos) -> &str {
    let first = first.max(0);
    if last < first {
        return "";
    }
    let (first, last) = (first as u64, last as u64);
    if s.is_ascii() {
        let len = s.len() as u64;
        if first >= len {
            return "";
        }
        return &s[first as usize..=(last.min(len - 1) as usize)];
    }
    let b0 = char_to_byte(s, usize::try_from(first).unwrap_or(usize::MAX));
    let rest = &s[b0..];
    let n = usize::try_from(last - first + 1).unwrap_or(usize::MAX);
    let b1 = rest.char_indices().nth(n).map_or(rest.len(), |(b, _)| b);
    &rest[..b1]
}

/// The number of characters in `s[..byte]`.
fn chars_before(s: &str, byte: usize) -> usize {
    char_len(&s[..byte])
}

/// `string first`: the index of the first `needle` in `hay` at or after
/// character `start`, or -1.
pub fn string_first(needle: &str, hay: &str, start: IndexPos) -> i64 {
    if needle.is_empty() {
        return -1;
    }
    let start = start.max(0);
    let b0 = match usize::try_from(start) {
        Ok(s) if s < hay.len() => char_to_byte(hay, s),
        _ => return -1,
    };
    match hay[b0..].find(needle) {
        Some(k) => (start as usize + chars_before(&hay[b0..], k)) as i64,
        None => -1,
    }
}

/// `string last`: the index of the last `needle` in `hay` that lies wholly
/// within characters `0..=last`, or -1.
pub fn string_last(needle: &str, hay: &str, last: IndexPos) -> i64 {
    if needle.is_empty() || last < 0 {
        return -1;
    }
    let end = char_to_byte(hay, usize::try_from(last).unwrap_or(usize::MAX).saturating_add(1));
    match hay[..end].rfind(needle) {
        Some(k) => chars_before(hay, k) as i64,
        None => -1,
    }
}

/// `string replace` on the string's characters: `None` when Tcl returns
/// the string unchanged, else the parts before and after the replaced range.
pub fn string_replace(s: &str, first: IndexPos, last: IndexPos) -> Option<(&str, &str)> {
    let end = char_len(s) as i64 - 1;
    if last < 0 || first > end || last < first {
        return None;
    }
    // With an empty string, `end` is -1 and `-1 0` still "replaces"
    // nothing at position 0, as in Tcl.
    let first = first.max(0) as usize;
    let stop = (last.min(end) + 1).max(0) as usize;
    let b0 = char_to_byte(s, first);
    let b1 = char_to_byte(s, stop).max(b0);
    Some((&s[..b0], &s[b1..]))
}

/// `string reverse`.
pub fn string_reverse(s: &str) -> String {
    if s.is_ascii() {
        let mut b = s.as_bytes().to_vec();
        b.reverse();
        return String::from_utf8(b).unwrap_or_default();
    }
    s.chars().rev().collect()
}

/// Tcl 8.6's internal (modified UTF-8) size of `s`: `\0` takes 2 bytes and
/// a character beyond the BMP 6 (a surrogate pair).
pub fn tcl_byte_length(s: &str) -> usize {
    if s.is_ascii() && !s.contains('\0') {
        return s.len();
    }
    s.chars()
        .map(|c| match c as u32 {
            0 => 2,
            0x10000.. => 6,
            _ => c.len_utf8(),
        })
        .sum()
}

fn string_cat(interp: &mut Interp, a: &[Value]) -> Result<Value, Exception> {
    match a.len() {
        0 => return Ok(Value::empty()),
        1 => return Ok(a[0].clone()),
        _ => {}
    }
    let mut out = String::new();
    for v in a {
        let s = v.as_str();
        interp.check_string_growth(out.len().saturating_add(s.len()), s.len())?;
        out.push_str(&s);
    }
    Ok(Value::from(out))
}

/// `string repeat`: `count` copies of `v` (none when `count < 1`).
pub fn string_repeat(interp: &mut Interp, v: &Value, count: i32) -> Result<Value, Exception> {
    if count == 1 {
        return Ok(v.clone());
    }
    let s = v.as_str();
    if count < 1 || s.is_empty() {
        return Ok(Value::empty());
    }
    let total = s.len().checked_mul(count as usize);
    match total {
        Some(t) if t <= i32::MAX as usize => interp.check_string(t)?,
        _ => {
            return Err(Exception::error_code(
                format!("result exceeds max size for a Tcl value ({} bytes)", i32::MAX),
                &["TCL", "MEMORY"],
            ))
        }
    }
    Ok(Value::from(s.repeat(count as usize)))
}

// ----- comparison ---------------------------------------------------------

/// `string compare`: compares by character (code point), after simple
/// lowercase mapping with `nocase`, only the first `length` characters
/// when given.
pub fn compare(a: &str, b: &str, nocase: bool, length: Option<usize>) -> Ordering {
    if !nocase && length.is_none() {
        // UTF-8 byte order is code point order.
        return a.as_bytes().cmp(b.as_bytes());
    }
    let n = length.unwrap_or(usize::MAX);
    let map = |c: char| if nocase { char_to_lower(c) } else { c };
    let mut x = a.chars().take(n).map(map);
    let mut y = b.chars().take(n).map(map);
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => match p.cmp(&q) {
                Ordering::Equal => {}
                o => return o,
            },
        }
    }
}

// ----- case mapping -------------------------------------------------------

/// Tcl's `Tcl_UniCharToLower`: the simple (one-character) lowercase mapping.
pub fn char_to_lower(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    // Only U+0130 has a longer full mapping; its simple mapping is its
    // first character.
    c.to_lowercase().next().unwrap_or(c)
}

/// Tcl's `Tcl_UniCharToUpper`: the simple uppercase mapping.
pub fn char_to_upper(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    let mut it = c.to_uppercase();
    let first = it.next().unwrap_or(c);
    if it.next().is_none() {
        return first;
    }
    // Characters whose full uppercase is several characters: only Greek
    // with ypogegrammeni has a simple mapping (to the prosgegrammeni form).
    let u = c as u32;
    let simple = match u {
        0x1F80..=0x1FAF => u | 8,
        0x1FB3 | 0x1FC3 | 0x1FF3 => u + 9,
        _ => u,
    };
    char::from_u32(simple).unwrap_or(c)
}

/// Tcl's `Tcl_UniCharToTitle`: the simple titlecase mapping.
pub fn char_to_title(c: char) -> char {
    match c as u32 {
        0x01C4..=0x01C6 => '\u{01C5}',
        0x01C7..=0x01C9 => '\u{01C8}',
        0x01CA..=0x01CC => '\u{01CB}',
        0x01F1..=0x01F3 => '\u{01F2}',
        // Georgian Mkhedruli letters are their own titlecase.
        0x10D0..=0x10FA | 0x10FD..=0x10FF => c,
        _ => char_to_upper(c),
    }
}

/// Applies `f` to each character, keeping a character whose mapping would
/// take more UTF-8 bytes (as `Tcl_UtfToUpper` and friends do).
fn map_chars(s: &str, first: Option<fn(char) -> char>, f: fn(char) -> char) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        let g = match first {
            Some(t) if i == 0 => t,
            _ => f,
        };
        let m = g(c);
        out.push(if m.len_utf8() <= c.len_utf8() { m } else { c });
    }
    out
}

/// `string tolower`.
pub fn to_lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    map_chars(s, None, char_to_lower)
}

/// `string toupper`.
pub fn to_upper(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_uppercase();
    }
    map_chars(s, None, char_to_upper)
}

/// `string totitle`: the first character to titlecase, the rest lowercase.
pub fn to_title(s: &str) -> String {
    if s.is_ascii() {
        let mut out = s.to_ascii_lowercase();
        if let Some(f) = out.get_mut(..1) {
            f.make_ascii_uppercase();
        }
        return out;
    }
    map_chars(s, Some(char_to_title), char_to_lower)
}

// ----- trimming -------------------------------------------------------------

/// The characters `string trim` removes by default (Tcl's
/// `tclDefaultTrimSet`).
pub fn is_default_trim(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ' | '\0' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{180e}' | '\u{2000}'
            ..='\u{200b}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{2060}' | '\u{3000}' | '\u{feff}'
    )
}

/// `string trim|trimleft|trimright`: removes characters in `chars` (the
/// default set when `None`) from the chosen ends.
pub fn trim<'a>(s: &'a str, chars: Option<&str>, left: bool, right: bool) -> &'a str {
    let mut r = s;
    match chars {
        None => {
            if left {
                r = r.trim_start_matches(is_default_trim);
            }
            if right {
                r = r.trim_end_matches(is_default_trim);
            }
        }
        Some(set) => {
            if set.is_empty() {
                return s;
            }
            let pred = |c: char| set.contains(c);
            if left {
                r = r.trim_start_matches(pred);
            }
            if right {
                r = r.trim_end_matches(pred);
            }
        }
    }
    r
}

// ----- string map -------------------------------------------------------------

/// `string map ?-nocase? charMap string`.
pub fn string_map(interp: &mut Interp, map: &Value, s: &Value, nocase: bool) -> Result<Value, Exception> {
    let items = map.as_list()?;
    if items.len() % 2 != 0 {
        return Err(Exception::error_code("char map list unbalanced", &["TCL", "OPERATION", "MAP", "UNBALANCED"]));
    }
    if items.is_empty() {
        return Ok(s.clone());
    }
    let pairs: Vec<(String, String)> = items
        .chunks(2)
        .map(|p| (p[0].as_str().into_owned(), p[1].as_str().into_owned()))
        .filter(|(k, _)| !k.is_empty())
        .collect();
    let text = s.as_str();
    if pairs.is_empty() || text.is_empty() {
        return Ok(s.clone());
    }
    let mut out = String::new();
    let mut grow = |out: &mut String, piece: &str| -> Result<(), Exception> {
        interp.check_string_growth(out.len() + piece.len(), piece.len())?;
        out.push_str(piece);
        Ok(())
    };
    if !nocase {
        let b = text.as_bytes();
        let mut first_bytes = [false; 256];
        for (k, _) in &pairs {
            first_bytes[k.as_bytes()[0] as usize] = true;
        }
        let mut i = 0;
        let mut copied = 0;
        while i < b.len() {
            if first_bytes[b[i] as usize] {
                if let Some((k, v)) = pairs.iter().find(|(k, _)| b[i..].starts_with(k.as_bytes())) {
                    grow(&mut out, &text[copied..i])?;
                    grow(&mut out, v)?;
                    i += k.len();
                    copied = i;
                    continue;
                }
            }
            i += 1;
            // Keys start on character boundaries, so skip continuation bytes.
            while i < b.len() && (b[i] & 0xC0) == 0x80 {
                i += 1;
            }
        }
        grow(&mut out, &text[copied..])?;
    } else {
        let keys: Vec<Vec<char>> = pairs.iter().map(|(k, _)| k.chars().map(char_to_lower).collect()).collect();
        let mut i = 0;
        let mut copied = 0;
        while i < text.len() {
            let rest = &text[i..];
            let mut hit = None;
            for (n, key) in keys.iter().enumerate() {
                let mut len = 0;
                let mut it = rest.chars();
                let ok = key.iter().all(|kc| match it.next() {
                    Some(c) if char_to_lower(c) == *kc => {
                        len += c.len_utf8();
                        true
                    }
                    _ => false,
                });
                if ok {
                    hit = Some((n, len));
                    break;
                }
            }
            match hit {
                Some((n, len)) => {
                    grow(&mut out, &text[copied..i])?;
                    grow(&mut out, &pairs[n].1)?;
                    i += len;
                    copied = i;
                }
                None => i += rest.chars().next().map_or(1, char::len_utf8),
            }
        }
        grow(&mut out, &text[copied..])?;
    }
    Ok(Value::from(out))
}

// ----- word boundaries ----------------------------------------------------------

/// `string wordend`: the index just after the word containing character
/// `i` (words are runs of word characters; any other character is a word
/// by itself).
pub fn word_end(s: &str, i: IndexPos) -> usize {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let i = i.max(0);
    if i >= n as i64 {
        return n;
    }
    let i = i as usize;
    let mut cur = i;
    while cur < n && is_wordchar(chars[cur]) {
        cur += 1;
    }
    if cur == i {
        cur += 1;
    }
    cur
}

/// `string wordstart`: the index of the first character of the word
/// containing character `i`.
pub fn word_start(s: &str, i: IndexPos) -> usize {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len() as i64;
    let i = if i >= n { n - 1 } else { i };
    if i <= 0 {
        return 0;
    }
    let i = i as usize;
    let mut cur = i as i64;
    while cur >= 0 && is_wordchar(chars[cur as usize]) {
        cur -= 1;
    }
    if cur != i as i64 {
        cur += 1;
    }
    cur as usize
}

// ----- character classes and `string is` ---------------------------------------

/// The classes of `string is`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IsClass {
    Alnum,
    Alpha,
    Ascii,
    Control,
    Boolean,
    Digit,
    Double,
    Entier,
    False,
    Graph,
    Integer,
    List,
    Lower,
    Print,
    Punct,
    Space,
    True,
    Upper,
    WideInteger,
    WordChar,
    XDigit,
}

/// The class names, in Tcl's order (matching [`IsClass`]).
pub const IS_CLASSES: &[&str] = &[
    "alnum",
    "alpha",
    "ascii",
    "control",
    "boolean",
    "digit",
    "double",
    "entier",
    "false",
    "graph",
    "integer",
    "list",
    "lower",
    "print",
    "punct",
    "space",
    "true",
    "upper",
    "wideinteger",
    "wordchar",
    "xdigit",
];

const IS_CLASS_VALUES: &[IsClass] = &[
    IsClass::Alnum,
    IsClass::Alpha,
    IsClass::Ascii,
    IsClass::Control,
    IsClass::Boolean,
    IsClass::Digit,
    IsClass::Double,
    IsClass::Entier,
    IsClass::False,
    IsClass::Graph,
    IsClass::Integer,
    IsClass::List,
    IsClass::Lower,
    IsClass::Print,
    IsClass::Punct,
    IsClass::Space,
    IsClass::True,
    IsClass::Upper,
    IsClass::WideInteger,
    IsClass::WordChar,
    IsClass::XDigit,
];

impl IsClass {
    /// Looks a class name up as Tcl does (unique prefixes allowed).
    pub fn lookup(word: &str) -> Result<IsClass, Exception> {
        Ok(IS_CLASS_VALUES[get_index("class", word, IS_CLASSES)?])
    }

    pub fn name(self) -> &'static str {
        IS_CLASSES[IS_CLASS_VALUES.iter().position(|c| *c == self).unwrap_or(0)]
    }
}

/// The parsed arguments of `string is class ?-strict? ?-failindex var? str`.
#[derive(Clone, Debug)]
pub struct IsArgs {
    pub class: IsClass,
    pub strict: bool,
    /// The variable to receive the failure index, if `-failindex` was given.
    pub fail_var: Option<Value>,
    pub value: Value,
}

/// Parses the words of a `string is` call (`args[0]` is `string`, `args[1]`
/// is `is`), with Tcl's errors.
///
/// To support `-failindex`, the VM (or a compiler for `string is`) does:
/// `let c = parse_is_args(args)?; let (ok, fail) = string_is(c.class,
/// &c.value, c.strict);` and, when `!ok` and `c.fail_var` is `Some(var)`,
/// sets `var` to `fail.unwrap()` (an integer; any error from setting the
/// variable is the command's error); the result is `ok` as 0/1.
pub fn parse_is_args(args: &[Value]) -> Result<IsArgs, Exception> {
    let a = args.get(2..).unwrap_or(&[]);
    let n = a.len();
    if !(2..=5).contains(&n) {
        return Err(wrong(args, "is", "class ?-strict? ?-failindex var? str"));
    }
    let class = IsClass::lookup(&a[0].as_str())?;
    let mut strict = false;
    let mut fail_var = None;
    let mut i = 1;
    while i + 1 < n {
        match get_index("option", &a[i].as_str(), &["-strict", "-failindex"])? {
            0 => strict = true,
            _ => {
                if i + 2 >= n {
                    let head = [
                        args.first().cloned().unwrap_or_else(|| Value::from("string")),
                        Value::from("is"),
                        Value::from(class.name()),
                    ];
                    return Err(Exception::wrong_args(&head, 3, "?-strict? ?-failindex var? str"));
                }
                i += 1;
                fail_var = Some(a[i].clone());
            }
        }
        i += 1;
    }
    Ok(IsArgs { class, strict, fail_var, value: a[n - 1].clone() })
}

/// `string is class ?-strict? str`: whether `v` belongs to `class`, and on
/// failure the index Tcl stores with `-failindex` (always `Some` when the
/// answer is false).
///
/// The index is in characters for the character classes and `list`, the
/// point where number parsing stopped for the numeric classes, 0 for the
/// boolean classes, and -1 for an integer that is well-formed but too large
/// for the class (`integer` is 32-bit in Tcl 8.6 and accepts magnitudes up
/// to 2^32-1; `wideinteger` accepts up to 2^64-1), which is why this is an
/// `i64` rather than a `usize`.
pub fn string_is(class: IsClass, v: &Value, strict: bool) -> (bool, Option<i64>) {
    let fail = |at: i64| (false, Some(at));
    // Numbers that already are numbers.
    match (class, v) {
        (IsClass::Double | IsClass::Entier | IsClass::WideInteger, Value::Int(_)) => return (true, None),
        (IsClass::Integer, Value::Int(i)) if i.unsigned_abs() <= u32::MAX as u64 => return (true, None),
        (IsClass::Double, Value::Double(_)) => return (true, None),
        _ => {}
    }
    if class == IsClass::List {
        return match v.as_list() {
            Ok(_) => (true, None),
            Err(_) => fail(list_fail_index(&v.as_str())),
        };
    }
    let s = v.as_str();
    if s.is_empty() {
        return if strict { fail(0) } else { (true, None) };
    }
    match class {
        IsClass::Boolean | IsClass::True | IsClass::False => {
            let b = match &*s {
                "0" => Some(false),
                "1" => Some(true),
                w if w.len() <= 5 => crate::number::parse_bool_word(w),
                _ => None,
            };
            let ok = match (class, b) {
                (_, None) => false,
                (IsClass::True, Some(b)) => b,
                (IsClass::False, Some(b)) => !b,
                _ => true,
            };
            if ok {
                (true, None)
            } else {
                fail(0)
            }
        }
        IsClass::Double => match scan_number(&s, false, true) {
            Some(n) if n.stop == s.len() => (true, None),
            Some(n) => fail(n.stop as i64),
            None => fail(0),
        },
        IsClass::Integer | IsClass::WideInteger | IsClass::Entier => match scan_number(&s, true, true) {
            Some(n) if n.stop == s.len() => {
                let NumKind::Int { magnitude, .. } = n.kind else {
                    return fail(0);
                };
                let max = match class {
                    IsClass::Integer => Some(u32::MAX as u128),
                    IsClass::WideInteger => Some(u64::MAX as u128),
                    _ => None,
                };
                match (max, magnitude) {
                    (None, _) => (true, None),
                    (Some(m), Some(v)) if v <= m => (true, None),
                    _ => fail(-1),
                }
            }
            Some(n) => fail(n.stop as i64),
            None => fail(0),
        },
        _ => match first_not_in_class(class, &s) {
            None => (true, None),
            Some(at) => fail(at as i64),
        },
    }
}

/// Where a string stops being a list: the character index of the start of
/// the element that fails to parse (after its leading whitespace).
fn list_fail_index(s: &str) -> i64 {
    let mut rest = s;
    loop {
        match crate::list::find_element(rest) {
            Ok(Some((_, next))) => rest = next,
            Ok(None) => return -1,
            Err(_) => {
                let start = rest.trim_start_matches(crate::list::is_list_space);
                return char_len(&s[..s.len() - start.len()]) as i64;
            }
        }
    }
}

/// The character index of the first character of `s` not in the character
/// class `class` (one of the per-character classes).
fn first_not_in_class(class: IsClass, s: &str) -> Option<usize> {
    if s.is_ascii() {
        return s.bytes().position(|b| !ascii_in_class(class, b));
    }
    match class {
        IsClass::Ascii => s.chars().position(|c| !c.is_ascii()),
        IsClass::XDigit => s.chars().position(|c| !c.is_ascii_hexdigit()),
        _ => {
            let re = class_regex(class)?;
            re.find(s).map(|m| chars_before(s, m.start()))
        }
    }
}

/// Whether the ASCII byte `b` is in a per-character class.
fn ascii_in_class(class: IsClass, b: u8) -> bool {
    match class {
        IsClass::Alnum => b.is_ascii_alphanumeric(),
        IsClass::Alpha => b.is_ascii_alphabetic(),
        IsClass::Ascii => true,
        IsClass::Control => b.is_ascii_control(),
        IsClass::Digit => b.is_ascii_digit(),
        IsClass::Graph => b.is_ascii_graphic(),
        IsClass::Lower => b.is_ascii_lowercase(),
        IsClass::Print => b.is_ascii_graphic() || b == b' ',
        IsClass::Punct => {
            b.is_ascii_punctuation() && !matches!(b, b'$' | b'+' | b'<' | b'=' | b'>' | b'^' | b'`' | b'|' | b'~')
        }
        IsClass::Space => crate::index::is_tcl_space(b),
        IsClass::Upper => b.is_ascii_uppercase(),
        IsClass::WordChar => b.is_ascii_alphanumeric() || b == b'_',
        IsClass::XDigit => b.is_ascii_hexdigit(),
        _ => false,
    }
}

/// A regex matching one character *not* in the class, for non-ASCII text
/// (`None` for classes that are not per-character or need no regex).
fn class_regex(class: IsClass) -> Option<&'static Regex> {
    static CELLS: [OnceLock<Regex>; 11] = [const { OnceLock::new() }; 11];
    let (slot, pattern) = match class {
        IsClass::Alnum => (0, r"[^\p{L}\p{Nd}]"),
        IsClass::Alpha => (1, r"[^\p{L}]"),
        IsClass::Control => (2, r"[^\p{Cc}\p{Cf}\p{Co}]"),
        IsClass::Digit => (3, r"[^\p{Nd}]"),
        IsClass::Graph => (4, r"[\p{Z}\p{C}]"),
        IsClass::Lower => (5, r"[^\p{Ll}]"),
        IsClass::Print => (6, r"\p{C}"),
        IsClass::Punct => (7, r"[^\p{P}]"),
        IsClass::Space => (8, r"[^\t\n\x0B\x0C\r \x{85}\x{180E}\x{200B}\x{2060}\x{FEFF}\p{Z}]"),
        IsClass::Upper => (9, r"[^\p{Lu}]"),
        IsClass::WordChar => (10, r"[^\p{L}\p{Nd}\p{Pc}]"),
        _ => return None,
    };
    Some(CELLS[slot].get_or_init(|| Regex::new(pattern).expect("valid class regex")))
}

/// Whether `c` is in a per-character class of `string is` (`alnum`,
/// `alpha`, `ascii`, `control`, `digit`, `graph`, `lower`, `print`,
/// `punct`, `space`, `upper`, `wordchar`, `xdigit`); false for the others.
pub fn char_in_class(class: IsClass, c: char) -> bool {
    if c.is_ascii() {
        return ascii_in_class(class, c as u8);
    }
    let mut buf = [0u8; 4];
    match class_regex(class) {
        Some(re) => !re.is_match(c.encode_utf8(&mut buf)),
        None => false,
    }
}

/// Tcl's word characters (`\w`): letters, decimal digits and connector
/// punctuation such as `_`.
pub fn is_wordchar(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    char_in_class(IsClass::WordChar, c)
}

#[cfg(test)]
mod tests;
