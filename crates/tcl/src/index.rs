//! Index arguments (`end-1`, `3+2`...) shared by the string and list
//! commands, and the integer readers they rest on, following Tcl 8.6.13.
//!
//! Tcl 8.6 reads indices and most counts as C `int`s: any integer whose
//! magnitude is at most `u32::MAX` is accepted and truncated to 32 bits
//! (so `4294967295` reads as -1 and `-4294967295` as 1); anything larger is
//! an error, and `N+M` / `N-M` wrap around. This module reproduces that,
//! so indices behave exactly as in tclsh 8.6.13 (strings and lists are far
//! below 2^31 elements in practice: see `Limits`).
//!
//! The number scanner here is also what `string is integer|double|...` use
//! to find where a number stops (`-failindex`), as `TclParseNumber` does.

use crate::error::Exception;
use crate::value::Value;

/// A position given by an index argument, counted from the start of the
/// string or list (0 is the first element). It may be negative or past the
/// end: each command decides what that means.
pub type IndexPos = i64;

/// Tcl's whitespace for numbers and indices (`TclIsSpaceProc`).
pub(crate) fn is_tcl_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// What a scanned number is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumKind {
    /// An integer: its magnitude (`None` when beyond `u128`) and sign.
    Int { magnitude: Option<u128>, negative: bool },
    /// A floating-point form (decimal point, exponent, Inf, NaN).
    Double,
}

/// The result of scanning the longest number at the start of a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NumScan {
    /// Where the number itself ends (byte offset).
    pub accept: usize,
    /// Where scanning stopped: `accept` plus trailing whitespace when
    /// whitespace is allowed (byte offset).
    pub stop: usize,
    pub kind: NumKind,
}

fn digit_value(b: u8) -> u32 {
    match b {
        b'0'..=b'9' => (b - b'0') as u32,
        b'a'..=b'f' => (b - b'a') as u32 + 10,
        b'A'..=b'F' => (b - b'A') as u32 + 10,
        _ => 99,
    }
}

fn magnitude(digits: &[u8], radix: u32) -> Option<u128> {
    let mut v: u128 = 0;
    for &d in digits {
        v = v.checked_mul(radix as u128)?.checked_add(digit_value(d) as u128)?;
    }
    Some(v)
}

fn count_digits(b: &[u8], from: usize, radix: u32) -> usize {
    b[from..].iter().take_while(|&&c| digit_value(c) < radix).count()
}

fn starts_with_ci(b: &[u8], at: usize, word: &[u8]) -> bool {
    b.len() >= at + word.len() && b[at..at + word.len()].eq_ignore_ascii_case(word)
}

/// Scans the longest prefix of `s` that is a Tcl number, as `TclParseNumber`
/// in Tcl 8.6.13: optional leading whitespace (when `whitespace`), a sign,
/// then `0x`/`0o`/`0b` integers, leading-zero octal, decimal integers, and
/// unless `integer_only` also decimals with fraction and exponent, `Inf`,
/// `Infinity` and `NaN` (with an optional `(hex)` payload). Returns `None`
/// when no prefix is a number. (Tcl 8.6 has no `0d` prefix.)
pub(crate) fn scan_number(s: &str, integer_only: bool, whitespace: bool) -> Option<NumScan> {
    let b = s.as_bytes();
    let mut p = 0;
    if whitespace {
        while p < b.len() && is_tcl_space(b[p]) {
            p += 1;
        }
    }
    let mut negative = false;
    if p < b.len() && (b[p] == b'+' || b[p] == b'-') {
        negative = b[p] == b'-';
        p += 1;
    }
    let q = p;
    let mut best: Option<(usize, NumKind)>;
    let int = |digits: &[u8], radix: u32| NumKind::Int { magnitude: magnitude(digits, radix), negative };
    if q < b.len() && b[q].is_ascii_digit() {
        // The run of decimal digits.
        let n = count_digits(b, q, 10);
        if b[q] == b'0' {
            // "0" alone is a number; then a radix prefix or octal digits.
            best = Some((q + 1, int(&b[q..q + 1], 10)));
            let radix = match b.get(q + 1) {
                Some(b'x' | b'X') => Some(16),
                Some(b'o' | b'O') => Some(8),
                Some(b'b' | b'B') => Some(2),
                _ => None,
            };
            if let Some(radix) = radix {
                let m = count_digits(b, q + 2, radix);
                if m > 0 {
                    best = Some((q + 2 + m, int(&b[q + 2..q + 2 + m], radix)));
                }
                // "0x1.5" and the like stop before the point.
                return finish(b, best, whitespace);
            }
            // Leading-zero octal: the longest run of octal digits.
            let oct = count_digits(b, q, 8);
            best = Some((q + oct, int(&b[q..q + oct], 8)));
        } else {
            best = Some((q + n, int(&b[q..q + n], 10)));
        }
        if integer_only {
            return finish(b, best, whitespace);
        }
        let mut r = q + n;
        // Digits 8 and 9 after a leading zero ("08") only count when a
        // fraction or exponent follows; otherwise the octal prefix stands.
        if r < b.len() && b[r] == b'.' {
            r += 1;
            r += count_digits(b, r, 10);
            best = Some((r, NumKind::Double));
        }
        if let Some(e) = exponent(b, r) {
            best = Some((e, NumKind::Double));
        }
        return finish(b, best, whitespace);
    }
    if integer_only || q >= b.len() {
        return None;
    }
    match b[q] {
        b'.' => {
            let n = count_digits(b, q + 1, 10);
            if n == 0 {
                return None;
            }
            let mut r = q + 1 + n;
            if let Some(e) = exponent(b, r) {
                r = e;
            }
            finish(b, Some((r, NumKind::Double)), whitespace)
        }
        b'i' | b'I' => {
            if starts_with_ci(b, q, b"infinity") {
                finish(b, Some((q + 8, NumKind::Double)), whitespace)
            } else if starts_with_ci(b, q, b"inf") {
                finish(b, Some((q + 3, NumKind::Double)), whitespace)
            } else {
                None
            }
        }
        b'n' | b'N' => {
            if !starts_with_ci(b, q, b"nan") {
                return None;
            }
            let mut r = q + 3;
            if r < b.len() && b[r] == b'(' {
                let m = count_digits(b, r + 1, 16);
                if m > 0 && b.get(r + 1 + m) == Some(&b')') {
                    r += m + 2;
                }
            }
            finish(b, Some((r, NumKind::Double)), whitespace)
        }
        _ => None,
    }
}

/// The end of an exponent part starting at `r` (`e`, optional sign,
/// digits), if there is a complete one.
fn exponent(b: &[u8], r: usize) -> Option<usize> {
    if r < b.len() && (b[r] == b'e' || b[r] == b'E') {
        let mut e = r + 1;
        if e < b.len() && (b[e] == b'+' || b[e] == b'-') {
            e += 1;
        }
        let n = count_digits(b, e, 10);
        if n > 0 {
            return Some(e + n);
        }
    }
    None
}

fn finish(b: &[u8], best: Option<(usize, NumKind)>, whitespace: bool) -> Option<NumScan> {
    let (accept, kind) = best?;
    let mut stop = accept;
    if whitespace {
        while stop < b.len() && is_tcl_space(b[stop]) {
            stop += 1;
        }
    }
    Some(NumScan { accept, stop, kind })
}

/// The whole of `s` as an integer (whitespace allowed around it), as
/// `TclParseNumber` with `TCL_PARSE_INTEGER_ONLY`: the signed value when it
/// fits in an `i128`, `Err(true)` for a larger integer, `Err(false)` for
/// something that is not an integer.
pub(crate) fn parse_integer(s: &str) -> Result<i128, bool> {
    match scan_number(s, true, true) {
        Some(NumScan { stop, kind: NumKind::Int { magnitude, negative }, .. }) if stop == s.len() => {
            match magnitude.and_then(|m| i128::try_from(m).ok()) {
                Some(m) => Ok(if negative { -m } else { m }),
                None => Err(true),
            }
        }
        _ => Err(false),
    }
}

/// Reads a 32-bit integer the way `Tcl_GetInt` / `Tcl_GetIntFromObj` do in
/// Tcl 8.6: accepts magnitudes up to `u32::MAX` (truncating to 32 bits),
/// `None` for non-integers, `Some(Err(()))` for integers too large.
fn int32_of(s: &str) -> Option<Result<i32, ()>> {
    match parse_integer(s) {
        Ok(v) if v.unsigned_abs() <= u32::MAX as u128 => Some(Ok(v as i32)),
        Ok(_) | Err(true) => Some(Err(())),
        Err(false) => None,
    }
}

/// `Tcl_GetIntFromObj`: the value as a C `int`, with Tcl 8.6's messages
/// (`expected integer but got "x"`, errorCode `TCL VALUE INTEGER`;
/// `integer value too large to represent`, `ARITH IOVERFLOW`). Values up to
/// `u32::MAX` in magnitude are accepted and truncated to 32 bits.
pub fn get_int(v: &Value) -> Result<i32, Exception> {
    if let Value::Int(i) = v {
        if i.unsigned_abs() <= u32::MAX as u64 {
            return Ok(*i as i32);
        }
        return Err(too_large());
    }
    let s = v.as_str();
    match int32_of(&s) {
        Some(Ok(i)) => Ok(i),
        Some(Err(())) => Err(too_large()),
        None => Err(Exception::error_code(format!("expected integer but got \"{s}\""), &["TCL", "VALUE", "INTEGER"])),
    }
}

fn too_large() -> Exception {
    Exception::error_code(
        "integer value too large to represent",
        &["ARITH", "IOVERFLOW", "integer value too large to represent"],
    )
}

/// Parses an index argument against a sequence of `len` elements, as
/// `TclGetIntForIndex` in Tcl 8.6.13 with `end` = `len - 1`:
///
/// * an integer (whitespace around it allowed; `0x`, `0o`, `0b` and
///   leading-zero octal forms);
/// * `end`, or any prefix of it (`e`, `en`), and `end+N` / `end-N` where N
///   is an integer that may not start with whitespace;
/// * `N+M` and `N-M` with integers N and M.
///
/// Arithmetic wraps at 32 bits as in Tcl 8.6's C code (the byte-compiled
/// forms of some commands differ from their own interpreted forms for such
/// overflowing indices; this follows the interpreted forms).
///
/// The result may be negative or `>= len`. For commands whose `end` means
/// one past the last element (`linsert`), pass `len + 1`.
pub fn parse_index(v: &Value, len: usize) -> Result<IndexPos, Exception> {
    let end = len as i64 - 1;
    if let Value::Int(i) = v {
        if i.unsigned_abs() <= u32::MAX as u64 {
            return Ok((*i as i32) as i64);
        }
        return Err(bad_index(&v.as_str()));
    }
    let s = v.as_str();
    parse_index_str(&s, end).ok_or_else(|| bad_index(&s))
}

/// Parses an index string with an explicit value for `end` (which may be
/// -1 for an empty sequence). `None` when the string is not an index.
pub fn parse_index_str(s: &str, end: i64) -> Option<IndexPos> {
    let b = s.as_bytes();
    // A plain integer.
    match int32_of(s) {
        Some(Ok(i)) => return Some(i as i64),
        Some(Err(())) => return None,
        None => {}
    }
    // end, e, en, end+N, end-N.
    if b.first() == Some(&b'e') {
        if b.len() <= 3 {
            return if b"end".starts_with(b) { Some(end) } else { None };
        }
        if !b.starts_with(b"end") || b.len() < 5 || !(b[3] == b'+' || b[3] == b'-') {
            return None;
        }
        if is_tcl_space(b[4]) {
            return None;
        }
        let n = int32_of(&s[4..])?.ok()?;
        let off = if b[3] == b'-' { n.wrapping_neg() } else { n };
        // C int arithmetic, as TclGetIntForIndex (lengths beyond i32 are
        // beyond any limit, but stay exact).
        return Some(match i32::try_from(end) {
            Ok(e) => e.wrapping_add(off) as i64,
            Err(_) => end + off as i64,
        });
    }
    // N+M and N-M.
    let mut p = 0;
    while p < b.len() && is_tcl_space(b[p]) {
        p += 1;
    }
    let scan = scan_number(&s[p..], true, false)?;
    let op = p + scan.accept;
    if op >= b.len() || !(b[op] == b'+' || b[op] == b'-') {
        return None;
    }
    if op + 1 < b.len() && is_tcl_space(b[op + 1]) {
        return None;
    }
    let first = int32_of(&s[p..op])?.ok()?;
    let second = int32_of(&s[op + 1..])?.ok()?;
    Some(if b[op] == b'+' { first.wrapping_add(second) } else { first.wrapping_sub(second) } as i64)
}

/// The error for a string that is not an index, with Tcl's hint for
/// numbers that look like bad octal (`08`, `end-09`).
pub fn bad_index(s: &str) -> Exception {
    let mut msg = format!("bad index \"{s}\": must be integer?[+-]integer? or end?[+-]integer?");
    let rest = s.strip_prefix("end-").unwrap_or(s);
    if looks_like_bad_octal(rest) {
        msg.push_str(" (looks like invalid octal number)");
    }
    Exception::error_code(msg, &["TCL", "VALUE", "INDEX"])
}

/// Tcl's `TclCheckBadOctal`: optional whitespace and sign, a `0`, an
/// optional `o`, digits, optional whitespace, and nothing else.
pub(crate) fn looks_like_bad_octal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut p = 0;
    while p < b.len() && is_tcl_space(b[p]) {
        p += 1;
    }
    if p < b.len() && (b[p] == b'+' || b[p] == b'-') {
        p += 1;
    }
    if p >= b.len() || b[p] != b'0' {
        return false;
    }
    if p + 1 < b.len() && (b[p + 1] == b'o' || b[p + 1] == b'O') {
        p += 2;
    }
    while p < b.len() && b[p].is_ascii_digit() {
        p += 1;
    }
    while p < b.len() && is_tcl_space(b[p]) {
        p += 1;
    }
    p == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(s: &str, len: usize) -> Result<i64, String> {
        parse_index(&Value::from(s), len).map_err(|e| e.value().as_str().into_owned())
    }

    #[test]
    fn indices_match_tclsh() {
        // Each pair recorded with `string index abc ...` in tclsh 8.6.13
        // (the position is what `string index` then looked up).
        let ok: &[(&str, i64)] = &[
            ("0", 0),
            ("1", 1),
            ("-1", -1),
            (" 1", 1),
            ("1 ", 1),
            ("\t1", 1),
            ("1\n", 1),
            ("+1", 1),
            ("-0", 0),
            ("0x1", 1),
            ("0X1", 1),
            ("0o1", 1),
            ("0b1", 1),
            ("010", 8),
            ("00", 0),
            ("end", 2),
            ("e", 2),
            ("en", 2),
            ("end-1", 1),
            ("end+1", 3),
            ("end-0", 2),
            ("end+-1", 1),
            ("end--1", 3),
            ("end-+1", 1),
            ("end-1 ", 1),
            ("end-1\t", 1),
            ("end+0x1", 3),
            ("end+1 ", 3),
            ("1+-1", 0),
            ("1++1", 2),
            ("1-+1", 0),
            ("-1+2", 1),
            (" 1+1", 2),
            ("1+1 ", 2),
            ("0x1+0x1", 2),
            ("1+0x1", 2),
            ("-0x1+2", 1),
            ("0x1 ", 1),
            // 32-bit behaviour of Tcl 8.6.
            ("2147483648", -2147483648),
            ("-2147483649", 2147483647),
            ("-4294967295", 1),
            ("4294967295", -1),
            ("2147483647+1", -2147483648),
            ("-2147483648+-1", 2147483647),
            ("2147483647--1", -2147483648),
            ("end-4294967295", 3),
        ];
        for (s, want) in ok {
            assert_eq!(idx(s, 3), Ok(*want), "index {s:?}");
        }
        assert_eq!(idx("end", 0), Ok(-1));
        // Recorded with `string range abcdef X end` (not byte-compiled).
        assert_eq!(idx("end+2147483647", 6), Ok(-2147483644));
        assert_eq!(idx("end--2147483648", 6), Ok(-2147483643));
        assert_eq!(idx("end-1", 0), Ok(-2));
    }

    #[test]
    fn bad_indices_match_tclsh() {
        let bad = [
            "x",
            "1.5",
            "end-x",
            "end -1",
            "1e0",
            "end-",
            "end+",
            "1+",
            "end- 1",
            " end-1",
            "1 +1",
            "1+ 1",
            "END",
            "1_0",
            "",
            "--1",
            "+-1",
            "endx",
            "ende",
            "e-1",
            "en-1",
            "e+0",
            "end-\t1",
            "end-  1",
            "end-0x",
            "0x",
            "1+0x",
            "0x8g",
            "08x",
            "0d1",
            "0d1+0b1",
            "1+end",
            "end-end",
            "end-1.0",
            "4294967296",
            "4294967297",
            "-4294967296",
            "end-4294967296",
            "4294967297+0",
            "1+4294967296",
            "99999999999999999999",
            "9223372036854775807",
            "end-99999999999999999999",
            "08+1",
            "1+08",
            "end+08",
        ];
        for s in bad {
            let e = idx(s, 3).unwrap_err();
            assert_eq!(
                e,
                format!("bad index \"{s}\": must be integer?[+-]integer? or end?[+-]integer?"),
                "index {s:?}"
            );
        }
        for s in ["08", " 08", "08 ", "-08", "+08", "end-+08", "end--08", "0o8", "009", "0189", "end-0o8", "end-08 "] {
            let e = idx(s, 3).unwrap_err();
            assert_eq!(
                e,
                format!(
                    "bad index \"{s}\": must be integer?[+-]integer? or end?[+-]integer? (looks like invalid octal number)"
                ),
                "index {s:?}"
            );
        }
        let e = parse_index(&Value::from("x"), 3).unwrap_err();
        assert_eq!(e.error_code_value().as_str(), "TCL VALUE INDEX");
    }

    #[test]
    fn pure_integers() {
        assert_eq!(parse_index(&Value::int(7), 3).unwrap(), 7);
        assert_eq!(parse_index(&Value::int(-4294967295), 3).unwrap(), 1);
        assert!(parse_index(&Value::int(1 << 32), 3).is_err());
    }

    #[test]
    fn get_int_matches_tclsh() {
        let g = |s: &str| get_int(&Value::from(s)).map_err(|e| e.value().as_str().into_owned());
        assert_eq!(g(" 2 "), Ok(2));
        assert_eq!(g("4294967295"), Ok(-1));
        assert_eq!(g("-4294967295"), Ok(1));
        assert_eq!(g("0x1"), Ok(1));
        assert_eq!(g("4294967296"), Err("integer value too large to represent".into()));
        assert_eq!(g("08"), Err("expected integer but got \"08\"".into()));
        assert_eq!(g("1e2"), Err("expected integer but got \"1e2\"".into()));
        assert_eq!(g("1.5"), Err("expected integer but got \"1.5\"".into()));
        assert_eq!(g("0d1"), Err("expected integer but got \"0d1\"".into()));
        let e = get_int(&Value::from("x")).unwrap_err();
        assert_eq!(e.error_code_value().as_str(), "TCL VALUE INTEGER");
        let e = get_int(&Value::from("9999999999")).unwrap_err();
        assert_eq!(e.error_code_value().as_str(), "ARITH IOVERFLOW {integer value too large to represent}");
    }

    #[test]
    fn number_scan_stops_as_tclsh() {
        // (string, integer_only, stop) from `string is integer|double
        // -failindex` in tclsh 8.6.13; None where Tcl reports no number.
        let cases: &[(&str, bool, Option<usize>)] = &[
            ("12a", true, Some(2)),
            ("  12a", true, Some(4)),
            ("1 2", true, Some(2)),
            (" ", true, None),
            ("+", true, None),
            ("08", true, Some(1)),
            ("0x", true, Some(1)),
            ("0x1g", true, Some(3)),
            ("0b102", true, Some(4)),
            ("0o19", true, Some(3)),
            (" 0o19", true, Some(4)),
            ("0d10", true, Some(1)),
            ("1e5", true, Some(1)),
            ("07.5", true, Some(2)),
            ("00x1", true, Some(2)),
            ("-0x", true, Some(2)),
            ("1.5x", false, Some(3)),
            ("08", false, Some(1)),
            ("0189", false, Some(2)),
            ("0189.5", false, Some(6)),
            ("08.5", false, Some(4)),
            ("08e1", false, Some(4)),
            ("1e", false, Some(1)),
            ("1e+", false, Some(1)),
            ("5e+", false, Some(1)),
            ("1.5e", false, Some(3)),
            ("1e-5x", false, Some(4)),
            ("infx", false, Some(3)),
            ("Infinit", false, Some(3)),
            ("Inf5", false, Some(3)),
            ("in", false, None),
            (".", false, None),
            ("-.", false, None),
            (".e5", false, None),
            ("0x1.8", false, Some(3)),
            ("0x1p3", false, Some(3)),
            ("1_000", false, Some(1)),
            ("1 .5", false, Some(2)),
            ("1.5.5", false, Some(3)),
            ("0o7.5", false, Some(3)),
            ("0b1.0", false, Some(3)),
            ("1e0x1", false, Some(3)),
            ("nan()", false, Some(3)),
            ("nan(x)", false, Some(3)),
            ("nan(1", false, Some(3)),
            ("nan(1)", false, Some(6)),
            ("nan(1) ", false, Some(7)),
            ("-infinity", false, Some(9)),
            ("+.5", false, Some(3)),
            ("1.e5", false, Some(4)),
            ("5.", false, Some(2)),
        ];
        for (s, int_only, want) in cases {
            let got = scan_number(s, *int_only, true).map(|n| n.stop);
            assert_eq!(got, *want, "scan {s:?} integer_only={int_only}");
        }
    }
}
