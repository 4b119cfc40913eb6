//! List commands that need no variables or script evaluation:
//! `llength`, `lindex`, `lrange`, `linsert`, `lreplace`, `lsearch`, `lsort`,
//! `lreverse`, `lrepeat`, `concat`, `join` and `split`, plus helpers for the
//! commands that do (`lset_in_value` for `lset`, and the resumable
//! [`MergeSorter`] for `lsort -command`).
//!
//! Behaviour and messages follow tclsh 8.6.13, including its index quirks:
//! integers in indices are 32-bit (values up to ±(2^32-1) are accepted and
//! wrap), `N+M`/`N-M` use wrapping 32-bit arithmetic, and any prefix of
//! `end` (`e`, `en`) means `end`.

use std::rc::Rc;

use crate::error::Exception;
use crate::interp::Interp;
use crate::number;
use crate::value::{list_make_mut, Number, Value};

use super::NativeFn;

/// The list commands, as `(name, function)` pairs.
pub const COMMANDS: &[(&str, NativeFn)] = &[
    ("llength", llength_cmd),
    ("lindex", lindex_cmd),
    ("lrange", lrange_cmd),
    ("linsert", linsert_cmd),
    ("lreplace", lreplace_cmd),
    ("lsearch", lsearch_cmd),
    ("lsort", lsort_cmd),
    ("lreverse", lreverse_cmd),
    ("lrepeat", lrepeat_cmd),
    ("concat", concat_cmd),
    ("join", join_cmd),
    ("split", split_cmd),
];

// ----- indices -------------------------------------------------------------

/// The syntactic form of a Tcl index, before it meets a list length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexForm {
    /// An absolute position (already folded from `N+M`).
    Abs(i32),
    /// `end` plus this (possibly negative) offset.
    End(i32),
}

impl IndexForm {
    /// The position this index names when `end` is `end_value`.
    pub fn resolve(self, end_value: i64) -> i64 {
        match self {
            IndexForm::Abs(n) => n as i64,
            IndexForm::End(off) => end_value + off as i64,
        }
    }
}

use crate::index::{bad_index, looks_like_bad_octal};

/// Tcl's whitespace (the list separators).
fn is_tcl_space(b: u8) -> bool {
    crate::list::is_list_space(b as char)
}

/// An integer as Tcl_GetInt reads it: Tcl integer syntax, any magnitude up
/// to 2^32-1, wrapped to 32 bits. `None` when not such an integer.
fn int32_of_str(s: &str) -> Option<i32> {
    if has_0d_prefix(s) {
        return None;
    }
    match number::parse_number(s)? {
        Number::Int(i) => wrap_u32_range(i),
        _ => None,
    }
}

fn wrap_u32_range(i: i64) -> Option<i32> {
    if i.unsigned_abs() <= u32::MAX as u64 {
        Some(i as i32)
    } else {
        None
    }
}

/// Tcl 8.6 has no `0d` radix prefix (the shared number parser accepts it).
fn has_0d_prefix(s: &str) -> bool {
    let t = s.trim_start_matches(|c: char| c.is_ascii() && is_tcl_space(c as u8));
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    t.starts_with("0d") || t.starts_with("0D")
}

/// Parses an index into its form (TclGetIntForIndex without the list).
pub fn parse_index_form(v: &Value) -> Result<IndexForm, Exception> {
    if let Value::Int(i) = v {
        if let Some(n) = wrap_u32_range(*i) {
            return Ok(IndexForm::Abs(n));
        }
    }
    let s = v.as_str();
    if let Some(n) = int32_of_str(&s) {
        return Ok(IndexForm::Abs(n));
    }
    let b = s.as_bytes();
    // end, or any prefix of it, with an optional +N / -N.
    if !b.is_empty() && b[0] == b'e' {
        let head = b.len().min(3);
        if b[..head] == b"end"[..head] {
            if b.len() <= 3 {
                return Ok(IndexForm::End(0));
            }
            if b.len() > 4 && (b[3] == b'-' || b[3] == b'+') && !is_tcl_space(b[4]) {
                if let Some(off) = int32_of_str(&s[4..]) {
                    let off = if b[3] == b'-' { off.wrapping_neg() } else { off };
                    return Ok(IndexForm::End(off));
                }
            }
        }
        return Err(bad_index(&s));
    }
    // N+M or N-M: an integer prefix, an operator, an integer.
    let mut p = 0;
    while p < b.len() && is_tcl_space(b[p]) {
        p += 1;
    }
    let start = p;
    if let Some(op) = integer_prefix_end(b, p) {
        if op < b.len() && (b[op] == b'+' || b[op] == b'-') && op + 1 < b.len() && !is_tcl_space(b[op + 1]) {
            if let (Some(first), Some(second)) = (int32_of_str(&s[start..op]), int32_of_str(&s[op + 1..])) {
                let n = if b[op] == b'+' { first.wrapping_add(second) } else { first.wrapping_sub(second) };
                return Ok(IndexForm::Abs(n));
            }
        }
    }
    Err(bad_index(&s))
}

/// The end of the longest integer at `p` (sign, radix prefix, digits), as
/// TclParseNumber with TCL_PARSE_INTEGER_ONLY. `None` when there is none.
fn integer_prefix_end(b: &[u8], mut p: usize) -> Option<usize> {
    if p < b.len() && (b[p] == b'+' || b[p] == b'-') {
        p += 1;
    }
    if p >= b.len() || !b[p].is_ascii_digit() {
        return None;
    }
    if b[p] == b'0' && p + 1 < b.len() {
        let radix = match b[p + 1] {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            b'b' | b'B' => 2,
            _ => 0,
        };
        if radix != 0 {
            let q = p + 2;
            let mut e = q;
            while e < b.len() && (b[e] as char).is_digit(radix) {
                e += 1;
            }
            // "0x" with no digits is just "0".
            return Some(if e == q { p + 1 } else { e });
        }
        // Leading zero: octal digits.
        let mut e = p + 1;
        while e < b.len() && (b'0'..=b'7').contains(&b[e]) {
            e += 1;
        }
        return Some(e);
    }
    let mut e = p;
    while e < b.len() && b[e].is_ascii_digit() {
        e += 1;
    }
    Some(e)
}

/// An index checked for `-index` of lsort/lsearch (TclIndexEncode): one that
/// can never select an element (negative, `end+N`) is an error.
fn encode_sort_index(v: &Value) -> Result<IndexForm, Exception> {
    let form = parse_index_form(v)?;
    let ok = match form {
        IndexForm::Abs(n) => n >= 0 && n != i32::MAX,
        IndexForm::End(off) => (i32::MIN + 2..=0).contains(&off),
    };
    if ok {
        Ok(form)
    } else {
        Err(Exception::error_code(
            format!("index \"{}\" cannot select an element from any list", v.as_str()),
            &["TCL", "VALUE", "INDEXOUTOFRANGE"],
        ))
    }
}

/// The integer as Tcl_GetIntFromObj: 32-bit, with wrap for values up to
/// 2^32-1 in magnitude.
fn get_int32(v: &Value) -> Result<i32, Exception> {
    let s;
    let n = match v {
        Value::Int(i) => Some(Number::Int(*i)),
        _ => {
            s = v.as_str();
            if has_0d_prefix(&s) {
                None
            } else {
                v.as_number_opt()
            }
        }
    };
    let too_large = || {
        Exception::error_code(
            "integer value too large to represent",
            &["ARITH", "IOVERFLOW", "integer value too large to represent"],
        )
    };
    match n {
        Some(Number::Int(i)) => wrap_u32_range(i).ok_or_else(too_large),
        Some(Number::Big(_)) => Err(too_large()),
        _ => {
            let s = v.as_str();
            let mut msg = format!("expected integer but got \"{s}\"");
            if looks_like_bad_octal(&s) {
                msg.push_str(" (looks like invalid octal number)");
            }
            Err(Exception::error_code(msg, &["TCL", "VALUE", "INTEGER"]))
        }
    }
}

/// A double for lsort/lsearch -real: NaN is an error, as in Tcl.
fn get_real(v: &Value) -> Result<f64, Exception> {
    let d = v.as_double()?;
    if d.is_nan() {
        return Err(Exception::error_code("floating point value is Not a Number", &["TCL", "VALUE", "DOUBLE", "NAN"]));
    }
    Ok(d)
}

// ----- simple commands -----------------------------------------------------

pub(crate) fn llength_cmd(_interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() != 2 {
        return Err(Exception::wrong_args(args, 1, "list"));
    }
    Ok(Value::int(args[1].list_len()? as i64))
}

pub(crate) fn lindex_cmd(_interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() < 2 {
        return Err(Exception::wrong_args(args, 1, "list ?index ...?"));
    }
    match args.len() {
        2 => Ok(args[1].clone()),
        3 => {
            let idx = &args[2];
            if parse_index_form(idx).is_ok() {
                return lindex_flat(&args[1], std::slice::from_ref(idx));
            }
            match idx.as_list() {
                Ok(list) => lindex_flat(&args[1], &list),
                Err(_) => lindex_flat(&args[1], std::slice::from_ref(idx)),
            }
        }
        _ => lindex_flat(&args[1], &args[2..]),
    }
}

/// `lindex list i j k...`: nested selection. Out of range gives "" (after
/// checking that the remaining indices are well formed).
pub fn lindex_flat(list: &Value, indices: &[Value]) -> Result<Value, Exception> {
    let mut cur = list.clone();
    for (k, idx) in indices.iter().enumerate() {
        let items = cur.as_list()?;
        let i = crate::index::parse_index(idx, items.len())?;
        if i < 0 || i >= items.len() as i64 {
            for rest in &indices[k + 1..] {
                crate::index::parse_index(rest, 0)?;
            }
            return Ok(Value::empty());
        }
        let next = items[i as usize].clone();
        cur = next;
    }
    Ok(cur)
}

pub(crate) fn lrange_cmd(_interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() != 4 {
        return Err(Exception::wrong_args(args, 1, "list first last"));
    }
    let items = args[1].as_list()?;
    let len = items.len() as i64;
    let first = crate::index::parse_index(&args[2], items.len())?.max(0);
    let last = crate::index::parse_index(&args[3], items.len())?.min(len - 1);
    if first > last {
        return Ok(Value::empty());
    }
    Ok(Value::list(items[first as usize..=last as usize].to_vec()))
}

pub(crate) fn linsert_cmd(interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() < 3 {
        return Err(Exception::wrong_args(args, 1, "list index ?element ...?"));
    }
    let items = args[1].as_list()?;
    let len = items.len();
    // Here `end` means after the last element.
    let at = crate::index::parse_index(&args[2], len + 1)?.clamp(0, len as i64) as usize;
    let new = &args[3..];
    interp.check_list(len.saturating_add(new.len()))?;
    let mut out = Vec::with_capacity(len + new.len());
    out.extend_from_slice(&items[..at]);
    out.extend_from_slice(new);
    out.extend_from_slice(&items[at..]);
    Ok(Value::list(out))
}

pub(crate) fn lreplace_cmd(interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() < 4 {
        return Err(Exception::wrong_args(args, 1, "list first last ?element ...?"));
    }
    let items = args[1].as_list()?;
    let len = items.len();
    let first = crate::index::parse_index(&args[2], len)?.clamp(0, len as i64) as usize;
    let last = crate::index::parse_index(&args[3], len)?.min(len as i64 - 1);
    let delete_end = if last >= first as i64 { last as usize + 1 } else { first };
    let new = &args[4..];
    interp.check_list((len - (delete_end - first)).saturating_add(new.len()))?;
    let mut out = Vec::with_capacity(len - (delete_end - first) + new.len());
    out.extend_from_slice(&items[..first]);
    out.extend_from_slice(new);
    out.extend_from_slice(&items[delete_end..]);
    Ok(Value::list(out))
}

pub(crate) fn lreverse_cmd(_interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() != 2 {
        return Err(Exception::wrong_args(args, 1, "list"));
    }
    let items = args[1].as_list()?;
    Ok(Value::list(items.iter().rev().cloned().collect()))
}

pub(crate) fn lrepeat_cmd(interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() < 2 {
        return Err(Exception::wrong_args(args, 1, "count ?value ...?"));
    }
    let count = get_int32(&args[1])?;
    if count < 0 {
        return Err(Exception::error_code(
            format!("bad count \"{count}\": must be integer >= 0"),
            &["TCL", "OPERATION", "LREPEAT", "NEGARG"],
        ));
    }
    let vals = &args[2..];
    let total = (count as usize).saturating_mul(vals.len());
    interp.check_list(total)?;
    let mut out = Vec::with_capacity(total);
    for _ in 0..count {
        out.extend_from_slice(vals);
    }
    Ok(Value::list(out))
}

const CONCAT_TRIM: &[char] = &[' ', '\x0c', '\x0b', '\r', '\t', '\n'];

/// `concat`: each argument trimmed of surrounding white space, the non-empty
/// ones joined by single spaces (Tcl_ConcatObj).
pub fn concat_values(vals: &[Value]) -> String {
    let mut out = String::new();
    for v in vals {
        let s = v.as_str();
        let t = s.trim_start_matches(CONCAT_TRIM);
        let mut e = t.trim_end_matches(CONCAT_TRIM);
        // Keep one white space after a trailing backslash.
        if e.len() < t.len() && e.ends_with('\\') {
            let next = t[e.len()..].chars().next().map_or(0, |c| c.len_utf8());
            e = &t[..e.len() + next];
        }
        if e.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(e);
    }
    out
}

pub(crate) fn concat_cmd(interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    let total: usize = args[1..].iter().map(|v| value_len_hint(v) + 1).sum();
    interp.check_string(total)?;
    Ok(Value::from_string(concat_values(&args[1..])))
}

fn value_len_hint(v: &Value) -> usize {
    match v {
        Value::Int(_) | Value::Double(_) => 24,
        _ => v.as_str().len(),
    }
}

pub(crate) fn join_cmd(interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() != 2 && args.len() != 3 {
        return Err(Exception::wrong_args(args, 1, "list ?joinString?"));
    }
    let items = args[1].as_list()?;
    let sep = match args.get(2) {
        Some(v) => v.as_str().into_owned(),
        None => " ".to_owned(),
    };
    let mut total = sep.len().saturating_mul(items.len().saturating_sub(1));
    for v in items.iter() {
        total = total.saturating_add(value_len_hint(v));
    }
    interp.check_string(total)?;
    let mut out = String::with_capacity(total);
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        v.write_to(&mut out);
    }
    Ok(Value::from_string(out))
}

pub(crate) fn split_cmd(interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() != 2 && args.len() != 3 {
        return Err(Exception::wrong_args(args, 1, "string ?splitChars?"));
    }
    let s = args[1].as_str();
    let seps: Vec<char> = match args.get(2) {
        Some(v) => v.as_str().chars().collect(),
        None => vec![' ', '\n', '\t', '\r'],
    };
    let pieces = if seps.is_empty() { s.chars().count() } else { s.chars().filter(|c| seps.contains(c)).count() + 1 };
    interp.check_list(pieces)?;
    Ok(Value::list(split_string(&s, &seps)))
}

/// `split`: on any of `seps`, or into characters when `seps` is empty.
pub fn split_string(s: &str, seps: &[char]) -> Vec<Value> {
    if s.is_empty() {
        return Vec::new();
    }
    if seps.is_empty() {
        return s.chars().map(|c| Value::from_string(c.to_string())).collect();
    }
    s.split(|c: char| seps.contains(&c)).map(Value::from).collect()
}

// ----- lset on a value -----------------------------------------------------

fn lset_range_error() -> Exception {
    Exception::error_code("list index out of range", &["TCL", "OPERATION", "LSET", "BADINDEX"])
}

/// `lset`'s work on an owned value: `indices` are the words between the
/// variable name and the new value. No indices, or one word that is an
/// empty list, replace the whole value; one word that is not a single index
/// is read as a list of indices. An index equal to the length of its list
/// appends (8.6). Mutates in place when `list` is unshared; on error `list`
/// is left unchanged.
pub fn lset_in_value(list: &mut Value, indices: &[Value], new: Value) -> Result<(), Exception> {
    let owned;
    let path: &[Value] = if indices.len() == 1 {
        let idx = &indices[0];
        if parse_index_form(idx).is_ok() {
            indices
        } else {
            match idx.as_list() {
                Ok(l) => {
                    owned = l;
                    &owned
                }
                Err(_) => indices,
            }
        }
    } else {
        indices
    };
    if path.is_empty() {
        *list = new;
        return Ok(());
    }
    // Check everything first so that an error changes nothing.
    let mut positions = Vec::with_capacity(path.len());
    let mut cur: Option<Value> = Some(list.clone());
    for (k, idx) in path.iter().enumerate() {
        let items = match &cur {
            Some(v) => v.as_list()?,
            None => Rc::new(Vec::new()),
        };
        let len = items.len();
        let i = crate::index::parse_index(idx, len)?;
        if i < 0 || i > len as i64 {
            return Err(lset_range_error());
        }
        let i = i as usize;
        positions.push(i);
        if k + 1 < path.len() {
            cur = items.get(i).cloned();
        }
    }
    drop(cur);
    set_at(list, &positions, new)
}

fn set_at(slot: &mut Value, positions: &[usize], new: Value) -> Result<(), Exception> {
    let items = list_make_mut(slot)?;
    let i = positions[0];
    if i == items.len() {
        items.push(Value::empty());
    }
    if positions.len() == 1 {
        items[i] = new;
        Ok(())
    } else {
        set_at(&mut items[i], &positions[1..], new)
    }
}

// ----- comparisons ---------------------------------------------------------

/// Tcl_UniCharToLower: a one-to-one lower-case mapping.
fn lower(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(a), None) => a,
        _ => c,
    }
}

/// TclUtfCasecmp: character by character on lower-cased characters.
pub fn utf_casecmp(a: &str, b: &str) -> i32 {
    let mut ai = a.chars();
    let mut bi = b.chars();
    loop {
        match (ai.next(), bi.next()) {
            (Some(x), Some(y)) => {
                let (lx, ly) = (lower(x), lower(y));
                if lx != ly {
                    return lx as i32 - ly as i32;
                }
            }
            (None, None) => return 0,
            (None, Some(_)) => return -1,
            (Some(_), None) => return 1,
        }
    }
}

fn byte_cmp(a: &str, b: &str) -> i32 {
    match a.cmp(b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

/// Tcl's DictionaryCompare: case-insensitive, with embedded decimal numbers
/// compared by value; ties broken by leading zeros (more sorts later), then
/// case (upper before lower). Returns <0, 0 or >0.
pub fn dictionary_compare(left: &str, right: &str) -> i32 {
    let l = left.as_bytes();
    let r = right.as_bytes();
    let (mut li, mut ri) = (0usize, 0usize);
    let mut secondary = 0i32;
    let digit = |b: &[u8], i: usize| i < b.len() && b[i].is_ascii_digit();
    loop {
        if digit(r, ri) && digit(l, li) {
            let mut zeros = 0i32;
            while r[ri] == b'0' && digit(r, ri + 1) {
                ri += 1;
                zeros -= 1;
            }
            while l[li] == b'0' && digit(l, li + 1) {
                li += 1;
                zeros += 1;
            }
            if secondary == 0 {
                secondary = zeros;
            }
            let mut diff = 0i32;
            loop {
                if diff == 0 {
                    diff = l[li] as i32 - r[ri] as i32;
                }
                li += 1;
                ri += 1;
                if !digit(r, ri) {
                    if digit(l, li) {
                        return 1;
                    }
                    if diff != 0 {
                        return diff;
                    }
                    break;
                } else if !digit(l, li) {
                    return -1;
                }
            }
            continue;
        }
        if li >= l.len() || ri >= r.len() {
            let diff = match (li >= l.len(), ri >= r.len()) {
                (true, true) => 0,
                (true, false) => -1,
                _ => 1,
            };
            return if diff == 0 { secondary } else { diff };
        }
        // Both are on a character boundary here.
        let lc = left[li..].chars().next().unwrap_or('\0');
        let rc = right[ri..].chars().next().unwrap_or('\0');
        li += lc.len_utf8();
        ri += rc.len_utf8();
        let diff = lower(lc) as i32 - lower(rc) as i32;
        if diff != 0 {
            return diff;
        }
        if secondary == 0 {
            if lc.is_uppercase() && rc.is_lowercase() {
                secondary = -1;
            } else if rc.is_uppercase() && lc.is_lowercase() {
                secondary = 1;
            }
        }
    }
}

// ----- sorting -------------------------------------------------------------

/// One step of a [`MergeSorter`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SortStep {
    /// Compare the items at these two positions (of the original sequence),
    /// then call [`MergeSorter::answer`] with the result (<0, 0, >0).
    Compare(usize, usize),
    /// Sorting is finished: the positions in sorted order (duplicates
    /// removed for `unique`).
    Done(Vec<usize>),
}

#[derive(Clone, Debug)]
struct MergeRun {
    left: Vec<usize>,
    li: usize,
    right: Vec<usize>,
    ri: usize,
    out: Vec<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SortPhase {
    Build,
    Final,
    Done,
}

/// Tcl's lsort merge sort as a resumable state machine, so that comparisons
/// can be done by the caller one at a time (for `lsort -command`, the VM
/// runs the comparison script between steps). It performs exactly the
/// comparisons Tcl 8.6 does, in the same order: a bottom-up merge of up to
/// 30 sublists. The sort is stable; with `unique`, of several equal items
/// only the last (in input order) is kept.
#[derive(Clone, Debug)]
pub struct MergeSorter {
    n: usize,
    unique: bool,
    next: usize,
    level: usize,
    sub: Vec<Vec<usize>>,
    carry: Option<Vec<usize>>,
    merging: Option<MergeRun>,
    phase: SortPhase,
    result: Option<Vec<usize>>,
}

const NUM_LISTS: usize = 30;

impl MergeSorter {
    pub fn new(n: usize, unique: bool) -> MergeSorter {
        MergeSorter {
            n,
            unique,
            next: 0,
            level: 0,
            sub: vec![Vec::new(); NUM_LISTS],
            carry: None,
            merging: None,
            phase: SortPhase::Build,
            result: None,
        }
    }

    /// Advances to the next comparison needed, or to the end.
    pub fn step(&mut self) -> SortStep {
        loop {
            if let Some(m) = &mut self.merging {
                if m.li < m.left.len() && m.ri < m.right.len() {
                    return SortStep::Compare(m.left[m.li], m.right[m.ri]);
                }
                let mut m = match self.merging.take() {
                    Some(m) => m,
                    None => continue,
                };
                m.out.extend_from_slice(&m.left[m.li..]);
                m.out.extend_from_slice(&m.right[m.ri..]);
                self.carry = Some(m.out);
                self.level += 1;
                continue;
            }
            match self.phase {
                SortPhase::Build => {
                    let Some(carry) = self.carry.take() else {
                        if self.next == self.n {
                            self.phase = SortPhase::Final;
                            self.level = 0;
                            self.carry = Some(Vec::new());
                            continue;
                        }
                        self.carry = Some(vec![self.next]);
                        self.next += 1;
                        self.level = 0;
                        continue;
                    };
                    if self.level < NUM_LISTS && !self.sub[self.level].is_empty() {
                        let left = std::mem::take(&mut self.sub[self.level]);
                        self.start_merge(left, carry);
                    } else {
                        let at = self.level.min(NUM_LISTS - 1);
                        self.sub[at] = carry;
                    }
                }
                SortPhase::Final => {
                    let carry = self.carry.take().unwrap_or_default();
                    if self.level >= NUM_LISTS {
                        self.phase = SortPhase::Done;
                        self.result = Some(carry);
                        continue;
                    }
                    let left = std::mem::take(&mut self.sub[self.level]);
                    if left.is_empty() || carry.is_empty() {
                        self.carry = Some(if left.is_empty() { carry } else { left });
                        self.level += 1;
                    } else {
                        self.start_merge(left, carry);
                    }
                }
                SortPhase::Done => {
                    return SortStep::Done(self.result.take().unwrap_or_default());
                }
            }
        }
    }

    fn start_merge(&mut self, left: Vec<usize>, right: Vec<usize>) {
        let cap = left.len() + right.len();
        self.merging = Some(MergeRun { left, li: 0, right, ri: 0, out: Vec::with_capacity(cap) });
    }

    /// Gives the result of the comparison last asked for by
    /// [`step`](MergeSorter::step) (<0: first sorts before second).
    pub fn answer(&mut self, order: i32) {
        let unique = self.unique;
        let Some(m) = &mut self.merging else { return };
        if m.li >= m.left.len() || m.ri >= m.right.len() {
            return;
        }
        if order > 0 || (order == 0 && unique) {
            if order == 0 {
                m.li += 1;
            }
            m.out.push(m.right[m.ri]);
            m.ri += 1;
        } else {
            m.out.push(m.left[m.li]);
            m.li += 1;
        }
    }
}

/// Sorts positions `0..n` with Tcl's merge sort, asking `cmp(a, b)` for
/// each comparison. See [`MergeSorter`].
pub fn merge_sort_by<E>(
    n: usize,
    unique: bool,
    mut cmp: impl FnMut(usize, usize) -> Result<i32, E>,
) -> Result<Vec<usize>, E> {
    let mut sorter = MergeSorter::new(n, unique);
    loop {
        match sorter.step() {
            SortStep::Compare(a, b) => {
                let order = cmp(a, b)?;
                sorter.answer(order);
            }
            SortStep::Done(order) => return Ok(order),
        }
    }
}

/// How lsort compares.
#[derive(Clone, Debug)]
pub enum SortMode {
    Ascii,
    AsciiNoCase,
    Dictionary,
    Integer,
    Real,
    /// `-command`: the comparison is a script the caller evaluates.
    Command(Value),
}

/// lsort's parsed options and list.
#[derive(Clone, Debug)]
pub struct LsortOptions {
    pub mode: SortMode,
    pub increasing: bool,
    pub unique: bool,
    /// `-indices`: return positions instead of elements.
    pub indices: bool,
    /// `-stride`: group size (1 without the option).
    pub stride: usize,
    /// `-index` values, checked.
    pub index: Vec<IndexForm>,
    /// The list to sort.
    pub list: Value,
}

const LSORT_OPTIONS: &[&str] = &[
    "-ascii",
    "-command",
    "-decreasing",
    "-dictionary",
    "-increasing",
    "-index",
    "-indices",
    "-integer",
    "-nocase",
    "-real",
    "-stride",
    "-unique",
];

fn missing_arg(msg: &str) -> Exception {
    Exception::error_code(msg, &["TCL", "ARGUMENT", "MISSING"])
}

fn parse_index_list_option(v: &Value) -> Result<Vec<IndexForm>, Exception> {
    let items = v.as_list()?;
    items.iter().map(encode_sort_index).collect()
}

/// Parses `lsort ?options? list` (the whole objv).
pub fn lsort_parse_options(args: &[Value]) -> Result<LsortOptions, Exception> {
    if args.len() < 2 {
        return Err(Exception::wrong_args(args, 1, "?-option value ...? list"));
    }
    let mut mode = SortMode::Ascii;
    let mut nocase = false;
    let mut opts = LsortOptions {
        mode: SortMode::Ascii,
        increasing: true,
        unique: false,
        indices: false,
        stride: 1,
        index: Vec::new(),
        list: args[args.len() - 1].clone(),
    };
    let last = args.len() - 1;
    let mut i = 1;
    while i < last {
        let opt = crate::error::lookup_index("option", &args[i].as_str(), LSORT_OPTIONS)?;
        match LSORT_OPTIONS[opt] {
            "-ascii" => mode = SortMode::Ascii,
            "-command" => {
                if i + 1 == last {
                    return Err(missing_arg("\"-command\" option must be followed by comparison command"));
                }
                mode = SortMode::Command(args[i + 1].clone());
                i += 1;
            }
            "-decreasing" => opts.increasing = false,
            "-dictionary" => mode = SortMode::Dictionary,
            "-increasing" => opts.increasing = true,
            "-index" => {
                if i + 1 == last {
                    return Err(missing_arg("\"-index\" option must be followed by list index"));
                }
                opts.index = parse_index_list_option(&args[i + 1])?;
                i += 1;
            }
            "-indices" => opts.indices = true,
            "-integer" => mode = SortMode::Integer,
            "-nocase" => nocase = true,
            "-real" => mode = SortMode::Real,
            "-stride" => {
                if i + 1 == last {
                    return Err(missing_arg("\"-stride\" option must be followed by stride length"));
                }
                let n = get_int32(&args[i + 1])?;
                if n < 2 {
                    return Err(Exception::error_code(
                        "stride length must be at least 2",
                        &["TCL", "OPERATION", "LSORT", "BADSTRIDE"],
                    ));
                }
                opts.stride = n as usize;
                i += 1;
            }
            _ => opts.unique = true,
        }
        i += 1;
    }
    if nocase && matches!(mode, SortMode::Ascii) {
        mode = SortMode::AsciiNoCase;
    }
    opts.mode = mode;
    Ok(opts)
}

/// A prepared sort key.
#[derive(Clone, Debug)]
pub enum SortKey {
    Str(Value),
    Int(i64),
    Real(f64),
}

/// An lsort ready to run: the groups to sort and their keys.
#[derive(Clone, Debug)]
pub struct LsortJob {
    pub options: LsortOptions,
    items: Rc<Vec<Value>>,
    /// One key per group; for `-command`, the value passed to the script.
    pub keys: Vec<SortKey>,
}

/// Selects the `-index` element of `v` (SelectObjFromSublist).
fn select_from_sublist(v: &Value, index: &[IndexForm]) -> Result<Value, Exception> {
    let mut cur = v.clone();
    for form in index {
        let items = cur.as_list()?;
        let i = form.resolve(items.len() as i64 - 1);
        if i < 0 || i >= items.len() as i64 {
            return Err(Exception::error_code(
                format!("element {i} missing from sublist \"{}\"", cur.as_str()),
                &["TCL", "OPERATION", "LSORT", "INDEXFAILED"],
            ));
        }
        let next = items[i as usize].clone();
        cur = next;
    }
    Ok(cur)
}

/// Reads the list and computes each group's key (converting numbers), in
/// list order, with Tcl's errors.
pub fn lsort_prepare(options: LsortOptions) -> Result<LsortJob, Exception> {
    let items = options.list.as_list()?;
    let stride = options.stride;
    let mut index: &[IndexForm] = &options.index;
    let mut offset = 0usize;
    if stride > 1 {
        if items.len() % stride != 0 {
            return Err(Exception::error_code(
                "list size must be a multiple of the stride length",
                &["TCL", "OPERATION", "LSORT", "BADSTRIDE"],
            ));
        }
        if let Some(first) = index.first() {
            let o = first.resolve(stride as i64 - 1);
            if o < 0 || o >= stride as i64 {
                return Err(Exception::error_code(
                    "when used with \"-stride\", the leading \"-index\" value must be within the group",
                    &["TCL", "OPERATION", "LSORT", "BADINDEX"],
                ));
            }
            offset = o as usize;
            index = &index[1..];
        }
    }
    let groups = items.len() / stride;
    let mut keys = Vec::with_capacity(groups);
    for g in 0..groups {
        let elem = &items[g * stride + offset];
        let v = if index.is_empty() { elem.clone() } else { select_from_sublist(elem, index)? };
        keys.push(match options.mode {
            SortMode::Integer => SortKey::Int(v.as_int().map_err(|mut e| {
                // Tcl reports lsort's integer keys as numbers.
                e.0.error_code = Some(Value::from("TCL VALUE NUMBER"));
                e
            })?),
            SortMode::Real => SortKey::Real(get_real(&v)?),
            _ => SortKey::Str(v),
        });
    }
    Ok(LsortJob { options, items, keys })
}

fn num_order<T: PartialOrd>(a: T, b: T) -> i32 {
    (a >= b) as i32 - (a <= b) as i32
}

impl LsortJob {
    /// Number of groups to sort.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Compares groups `a` and `b` for the built-in modes (direction
    /// applied). For `-command` this is an error: the caller must evaluate
    /// the script with [`command_keys`](LsortJob::command_keys) and pass
    /// its result through [`lsort_command_order`] and
    /// [`directed`](LsortJob::directed).
    pub fn compare(&self, a: usize, b: usize) -> Result<i32, Exception> {
        let order = match (&self.options.mode, &self.keys[a], &self.keys[b]) {
            (SortMode::Integer, SortKey::Int(x), SortKey::Int(y)) => num_order(*x, *y),
            (SortMode::Real, SortKey::Real(x), SortKey::Real(y)) => num_order(*x, *y),
            (SortMode::Ascii, SortKey::Str(x), SortKey::Str(y)) => byte_cmp(&x.as_str(), &y.as_str()),
            (SortMode::AsciiNoCase, SortKey::Str(x), SortKey::Str(y)) => utf_casecmp(&x.as_str(), &y.as_str()),
            (SortMode::Dictionary, SortKey::Str(x), SortKey::Str(y)) => dictionary_compare(&x.as_str(), &y.as_str()),
            (SortMode::Command(_), _, _) => return Err(Exception::error("lsort -command: not wired yet")),
            _ => return Err(Exception::error("internal error: lsort key mismatch")),
        };
        Ok(self.directed(order))
    }

    /// The two values to append to the `-command` script for a comparison.
    pub fn command_keys(&self, a: usize, b: usize) -> (Value, Value) {
        let get = |k: &SortKey| match k {
            SortKey::Str(v) => v.clone(),
            SortKey::Int(i) => Value::int(*i),
            SortKey::Real(d) => Value::double(*d),
        };
        (get(&self.keys[a]), get(&self.keys[b]))
    }

    /// Applies `-decreasing` to a raw comparison result.
    pub fn directed(&self, order: i32) -> i32 {
        if self.options.increasing {
            order
        } else {
            order.wrapping_neg()
        }
    }

    /// The result of the sort given the sorted group order.
    pub fn finish(&self, order: &[usize]) -> Value {
        let stride = self.options.stride;
        let mut out = Vec::with_capacity(order.len() * stride);
        for &g in order {
            for k in 0..stride {
                let at = g * stride + k;
                if self.options.indices {
                    out.push(Value::int(at as i64));
                } else if let Some(v) = self.items.get(at) {
                    out.push(v.clone());
                }
            }
        }
        Value::list(out)
    }
}

/// Converts a `-command` script result to a comparison (Tcl_GetIntFromObj),
/// with Tcl's error.
pub fn lsort_command_order(result: &Value) -> Result<i32, Exception> {
    get_int32(result).map_err(|_| {
        Exception::error_code(
            "-compare command returned non-integer result",
            &["TCL", "OPERATION", "LSORT", "COMPARISONFAILED"],
        )
    })
}

pub(crate) fn lsort_cmd(interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    let options = lsort_parse_options(args)?;
    let job = lsort_prepare(options)?;
    if matches!(job.options.mode, SortMode::Command(_)) && job.len() > 1 {
        // Comparisons run scripts: sort in a frame (see vm_sort.rs).
        interp.start_command_sort(args)?;
        return Ok(Value::empty());
    }
    let order = merge_sort_by(job.len(), job.options.unique, |a, b| job.compare(a, b))?;
    Ok(job.finish(&order))
}

// ----- lsearch -------------------------------------------------------------

const LSEARCH_OPTIONS: &[&str] = &[
    "-all",
    "-ascii",
    "-bisect",
    "-decreasing",
    "-dictionary",
    "-exact",
    "-glob",
    "-increasing",
    "-index",
    "-inline",
    "-integer",
    "-nocase",
    "-not",
    "-real",
    "-regexp",
    "-sorted",
    "-start",
    "-subindices",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum SearchMode {
    Exact,
    Glob,
    Regexp,
    Sorted,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DataType {
    Ascii,
    Dictionary,
    Integer,
    Real,
}

enum Pattern {
    Str(String),
    Int(i64),
    Real(f64),
}

pub(crate) fn lsearch_cmd(_interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() < 3 {
        return Err(Exception::wrong_args(args, 1, "?-option value ...? list pattern"));
    }
    let objc = args.len();
    let mut mode = SearchMode::Glob;
    let mut data = DataType::Ascii;
    let mut all = false;
    let mut inline = false;
    let mut negate = false;
    let mut nocase = false;
    let mut increasing = true;
    let mut bisect = false;
    let mut subindices = false;
    let mut start: Option<Value> = None;
    let mut index: Vec<IndexForm> = Vec::new();
    let mut i = 1;
    while i < objc - 2 {
        let opt = crate::error::lookup_index("option", &args[i].as_str(), LSEARCH_OPTIONS)?;
        match LSEARCH_OPTIONS[opt] {
            "-all" => all = true,
            "-ascii" => data = DataType::Ascii,
            "-bisect" => {
                mode = SearchMode::Sorted;
                bisect = true;
            }
            "-decreasing" => increasing = false,
            "-dictionary" => data = DataType::Dictionary,
            "-exact" => mode = SearchMode::Exact,
            "-glob" => mode = SearchMode::Glob,
            "-increasing" => increasing = true,
            "-index" => {
                if i + 4 > objc {
                    return Err(missing_arg("\"-index\" option must be followed by list index"));
                }
                index = parse_index_list_option(&args[i + 1])?;
                i += 1;
            }
            "-inline" => inline = true,
            "-integer" => data = DataType::Integer,
            "-nocase" => nocase = true,
            "-not" => negate = true,
            "-real" => data = DataType::Real,
            "-regexp" => mode = SearchMode::Regexp,
            "-sorted" => mode = SearchMode::Sorted,
            "-start" => {
                if i + 4 > objc {
                    return Err(missing_arg("missing starting index"));
                }
                start = Some(args[i + 1].clone());
                i += 1;
            }
            _ => subindices = true,
        }
        i += 1;
    }
    if subindices && index.is_empty() {
        return Err(Exception::error_code(
            "-subindices cannot be used without -index option",
            &["TCL", "OPERATION", "LSEARCH", "BAD_OPTION_MIX"],
        ));
    }
    if bisect && (all || negate) {
        return Err(Exception::error_code(
            "-bisect is not compatible with -all or -not",
            &["TCL", "OPERATION", "LSEARCH", "BAD_OPTION_MIX"],
        ));
    }
    let pat_value = &args[objc - 1];
    let regex = if mode == SearchMode::Regexp {
        let flags = super::regexp::RegexFlags { nocase, ..Default::default() };
        Some(super::regexp::compile(&pat_value.as_str(), flags)?)
    } else {
        None
    };
    let items = args[objc - 2].as_list()?;
    let listc = items.len();
    let mut offset = 0usize;
    if let Some(sv) = &start {
        let o = crate::index::parse_index(sv, listc)?.max(0);
        if o > listc as i64 - 1 {
            return Ok(if all || inline { Value::empty() } else { Value::int(-1) });
        }
        offset = o as usize;
    }
    let pattern = if matches!(mode, SearchMode::Exact | SearchMode::Sorted) {
        match data {
            DataType::Integer => Pattern::Int(pat_value.as_int()?),
            DataType::Real => Pattern::Real(get_real(pat_value)?),
            _ => Pattern::Str(pat_value.as_str().into_owned()),
        }
    } else {
        Pattern::Str(pat_value.as_str().into_owned())
    };
    let select = |v: &Value| -> Result<Value, Exception> {
        if index.is_empty() {
            Ok(v.clone())
        } else {
            select_from_sublist(v, &index)
        }
    };
    let subindex_list = |at: i64| -> Value {
        let mut l = vec![Value::int(at)];
        for f in &index {
            l.push(Value::int(f.resolve(listc as i64)));
        }
        Value::list(l)
    };

    let mut found: i64 = -1;
    let mut matches = Vec::new();
    if mode == SearchMode::Sorted && !all && !negate {
        let mut lower = offset as i64 - 1;
        let mut upper = listc as i64;
        while lower + 1 != upper {
            let mid = (lower + upper) / 2;
            let item = select(&items[mid as usize])?;
            let m = match (&pattern, data) {
                (Pattern::Int(p), _) => num_order(*p, item.as_int()?),
                (Pattern::Real(p), _) => num_order(*p, get_real(&item)?),
                (Pattern::Str(p), DataType::Dictionary) => dictionary_compare(p, &item.as_str()),
                (Pattern::Str(p), _) => {
                    if nocase {
                        utf_casecmp(p, &item.as_str())
                    } else {
                        byte_cmp(p, &item.as_str())
                    }
                }
            };
            if m == 0 {
                found = mid;
                if bisect {
                    lower = mid;
                } else {
                    upper = mid;
                }
            } else if (m > 0) == increasing {
                lower = mid;
            } else {
                upper = mid;
            }
        }
        if bisect && found < 0 {
            found = lower;
        }
    } else {
        for (at, raw) in items.iter().enumerate().skip(offset) {
            let item = select(raw)?;
            let mut hit = match mode {
                SearchMode::Exact | SearchMode::Sorted => match &pattern {
                    Pattern::Int(p) => item.as_int()? == *p,
                    Pattern::Real(p) => get_real(&item)? == *p,
                    Pattern::Str(p) => {
                        let s = item.as_str();
                        if data == DataType::Dictionary {
                            dictionary_compare(&s, p) == 0
                        } else if s.len() != p.len() {
                            false
                        } else if nocase {
                            utf_casecmp(&s, p) == 0
                        } else {
                            *s == **p
                        }
                    }
                },
                SearchMode::Glob => match &pattern {
                    Pattern::Str(p) => crate::glob::string_match(p, &item.as_str(), nocase),
                    _ => false,
                },
                SearchMode::Regexp => match &regex {
                    Some(re) => re.is_match(&item.as_str())?,
                    None => false,
                },
            };
            if negate {
                hit = !hit;
            }
            if !hit {
                continue;
            }
            if !all {
                found = at as i64;
                break;
            }
            if inline {
                matches.push(if subindices { item } else { raw.clone() });
            } else if subindices {
                matches.push(subindex_list(at as i64));
            } else {
                matches.push(Value::int(at as i64));
            }
        }
    }
    if all {
        return Ok(Value::list(matches));
    }
    if !inline {
        if subindices {
            return Ok(subindex_list(found));
        }
        return Ok(Value::int(found));
    }
    if found < 0 {
        return Ok(Value::empty());
    }
    // tclsh 8.6 returns the whole element here, -subindices or not (only
    // -all -inline applies -subindices).
    Ok(items[found as usize].clone())
}

#[cfg(test)]
mod tests;
