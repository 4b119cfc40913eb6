//! `format` and `scan`, as Tcl 8.6 (Tcl_AppendFormatToObj and
//! Tcl_ScanObjCmd on a 64-bit Unix build, where `long` is 64 bits).
//!
//! Differences from tclsh 8.6.13:
//! - widths, precisions and the output are bounded by the interpreter's
//!   [`Limits`] (`format %999999999d 1` is an error instead of a 1 GB
//!   string);
//! - `%c` of a surrogate code point (0xD800..0xDFFF) gives U+FFFD, since a
//!   Rust string cannot hold a lone surrogate;
//! - `scan` with variable names returns an error until the VM wires
//!   variables (see [`scan_values_for_vars`]).

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

use crate::interp::Limits;
use crate::ops;
use crate::ops::low_64;
use crate::value::{Number, Value};
use crate::{Exception, Interp};

/// The commands of this module.
pub const COMMANDS: &[(&str, crate::cmds::NativeFn)] = &[("format", format_cmd), ("scan", scan_cmd)];

fn format_error(msg: &str, code: &str) -> Exception {
    Exception::error_code(msg, &["TCL", "FORMAT", code])
}

fn overflow() -> Exception {
    format_error("max size for a Tcl value exceeded", "OVERFLOW")
}

/// A cursor over the characters of a format string. Reading past the end
/// gives '\0', as reading the terminator in C.
struct Cursor {
    chars: Vec<char>,
    i: usize,
}

impl Cursor {
    fn new(s: &str) -> Cursor {
        Cursor { chars: s.chars().collect(), i: 0 }
    }

    fn at_end(&self) -> bool {
        self.i >= self.chars.len()
    }

    fn char_at(&self, i: usize) -> char {
        self.chars.get(i).copied().unwrap_or('\0')
    }

    fn peek(&self) -> char {
        self.char_at(self.i)
    }

    /// Returns the current character and moves past it.
    fn next_char(&mut self) -> char {
        let c = self.peek();
        if self.i < self.chars.len() {
            self.i += 1;
        }
        c
    }

    /// C's strtoul on the ASCII digits starting at `start`: the value
    /// (saturated, as strtoul does on overflow) and the index after them.
    fn strtoul(&self, start: usize) -> (u64, usize) {
        let mut v: u64 = 0;
        let mut i = start;
        let mut overflowed = false;
        while let Some(d) = self.chars.get(i).and_then(|c| c.to_digit(10)) {
            match v.checked_mul(10).and_then(|x| x.checked_add(d as u64)) {
                Some(x) => v = x,
                None => overflowed = true,
            }
            i += 1;
        }
        (if overflowed { u64::MAX } else { v }, i)
    }
}

/// C's conversion of an unsigned long to int (the low 32 bits).
fn to_c_int(v: u64) -> i64 {
    v as u32 as i32 as i64
}

// ----- format ---------------------------------------------------------------

/// `format formatString ?arg ...?`
pub fn format_cmd(interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() < 2 {
        return Err(Exception::wrong_args(args, 1, "formatString ?arg ...?"));
    }
    let out = format_values(&interp.limits_within_quota(), &args[1].as_str(), &args[2..])?;
    interp.charge_memory(out.len())?;
    Ok(Value::from(out))
}

/// An integer argument of `%d`...: its low 64 bits (Tcl truncates big
/// integers unless `ll` is given).
fn format_long(v: &Value) -> Result<i64, Exception> {
    match v.as_number_opt() {
        Some(Number::Int(i)) => Ok(i),
        Some(Number::Big(b)) => Ok(low_64(&b)),
        _ => Err(ops::expected_error("integer", &v.as_str(), false)),
    }
}

fn format_big(v: &Value) -> Result<BigInt, Exception> {
    match v.as_number_opt() {
        Some(Number::Int(i)) => Ok(BigInt::from(i)),
        Some(Number::Big(b)) => Ok(b),
        _ => Err(ops::expected_error("integer", &v.as_str(), false)),
    }
}

/// TclGetIntFromObj, as used by `%c` and `*`: integers whose magnitude fits
/// in 32 unsigned bits, truncated to a C int.
fn format_int(v: &Value) -> Result<i64, Exception> {
    match v.as_number_opt() {
        Some(Number::Int(i)) => {
            if i.unsigned_abs() <= u32::MAX as u64 {
                Ok(i as u32 as i32 as i64)
            } else {
                Err(ops::iovf_error())
            }
        }
        Some(Number::Big(_)) => Err(ops::iovf_error()),
        _ => Err(Exception::error_code(
            format!("expected integer but got \"{}\"", v.as_str()),
            &["TCL", "VALUE", "INTEGER"],
        )),
    }
}

fn char_of_code(code: i64) -> char {
    if (0..=0xffff).contains(&code) {
        char::from_u32(code as u32).unwrap_or('\u{fffd}')
    } else {
        '\u{fffd}'
    }
}

fn push_repeat(out: &mut String, c: char, n: i64, limits: &Limits) -> Result<(), Exception> {
    if n <= 0 {
        return Ok(());
    }
    let n = usize::try_from(n).map_err(|_| overflow())?;
    limits.check_string(out.len().saturating_add(n))?;
    out.extend(std::iter::repeat_n(c, n));
    Ok(())
}

/// The flags of one conversion.
#[derive(Default, Clone, Copy)]
struct Flags {
    minus: bool,
    hash: bool,
    zero: bool,
    space: bool,
    plus: bool,
}

/// Formats `objv` according to `fmt`, as Tcl's `format`.
pub fn format_values(limits: &Limits, fmt: &str, objv: &[Value]) -> Result<String, Exception> {
    let mut c = Cursor::new(fmt);
    let mut out = String::new();
    let objc = objv.len() as i64;
    let mut obj_index: i64 = 0;
    let mut got_xpg = false;
    let mut got_sequential = false;
    let bad_index = |xpg: bool| {
        if xpg {
            format_error("\"%n$\" argument index out of range", "INDEXRANGE")
        } else {
            format_error("not enough arguments for all format specifiers", "FIELDVARMISMATCH")
        }
    };
    let mixed = || format_error("cannot mix \"%\" and \"%n$\" conversion specifiers", "MIXEDSPECTYPES");
    while !c.at_end() {
        let ch = c.next_char();
        if ch != '%' {
            out.push(ch);
            continue;
        }
        let mut ch = c.peek();
        if ch == '%' {
            out.push('%');
            c.next_char();
            continue;
        }

        // Step 1: an XPG3 position specifier.
        let mut new_xpg = false;
        if ch.is_ascii_digit() {
            let (position, end) = c.strtoul(c.i);
            if c.char_at(end) == '$' {
                new_xpg = true;
                obj_index = to_c_int(position) - 1;
                c.i = end + 1;
                ch = c.peek();
            }
        }
        if new_xpg {
            if got_sequential {
                return Err(mixed());
            }
            got_xpg = true;
        } else {
            if got_xpg {
                return Err(mixed());
            }
            got_sequential = true;
        }
        if obj_index < 0 || obj_index >= objc {
            return Err(bad_index(got_xpg));
        }

        // Step 2: flags.
        let mut f = Flags::default();
        loop {
            match ch {
                '-' => f.minus = true,
                '#' => f.hash = true,
                '0' => f.zero = true,
                ' ' => f.space = true,
                '+' => f.plus = true,
                _ => break,
            }
            c.next_char();
            ch = c.peek();
        }

        // Step 3: width.
        let mut width: i64 = 0;
        if ch.is_ascii_digit() {
            let (w, end) = c.strtoul(c.i);
            width = to_c_int(w);
            if width < 0 {
                return Err(overflow());
            }
            c.i = end;
            ch = c.peek();
        } else if ch == '*' {
            if obj_index >= objc - 1 {
                return Err(bad_index(got_xpg));
            }
            width = format_int(&objv[obj_index as usize])?;
            if width < 0 {
                width = (width as i32).wrapping_neg() as i64;
                f.minus = true;
            }
            obj_index += 1;
            c.next_char();
            ch = c.peek();
        }

        // Step 4: precision.
        let mut got_precision = false;
        let mut precision: i64 = 0;
        if ch == '.' {
            got_precision = true;
            c.next_char();
            ch = c.peek();
        }
        if ch.is_ascii_digit() {
            let (p, end) = c.strtoul(c.i);
            precision = to_c_int(p);
            c.i = end;
            ch = c.peek();
        } else if ch == '*' {
            if obj_index >= objc - 1 {
                return Err(bad_index(got_xpg));
            }
            precision = format_int(&objv[obj_index as usize])?.max(0);
            obj_index += 1;
            c.next_char();
            ch = c.peek();
        }

        // Step 5: size modifiers (`l` alone changes nothing when long is
        // 64 bits).
        let mut use_short = false;
        let mut use_big = false;
        if ch == 'h' {
            use_short = true;
            c.next_char();
            ch = c.peek();
        } else if ch == 'l' {
            c.next_char();
            ch = c.peek();
            if ch == 'l' {
                use_big = true;
                c.next_char();
                ch = c.peek();
            }
        }

        // Step 6: the conversion.
        c.next_char();
        let arg = match objv.get(obj_index as usize) {
            Some(a) => a,
            None => return Err(bad_index(got_xpg)),
        };
        let mut num_chars: i64 = -1;
        let ch = if ch == 'i' { 'd' } else { ch };
        let segment: String = match ch {
            '\0' => return Err(format_error("format string ended in middle of field specifier", "INCOMPLETE")),
            's' => {
                let s = arg.as_str();
                if got_precision {
                    let n = s.chars().count() as i64;
                    if precision < n {
                        num_chars = precision;
                        s.chars().take(precision.max(0) as usize).collect()
                    } else {
                        num_chars = n;
                        s.into_owned()
                    }
                } else {
                    s.into_owned()
                }
            }
            'c' => char_of_code(format_int(arg)?).to_string(),
            'd' | 'u' | 'o' | 'x' | 'X' | 'b' => {
                if ch == 'u' && use_big {
                    return Err(format_error("unsigned bignum format is invalid", "BADUNSIGNED"));
                }
                format_integer(limits, arg, ch, &mut f, width, got_precision, precision, use_short, use_big, out.len())?
            }
            'e' | 'E' | 'f' | 'g' | 'G' => {
                let d = ops::fn_double(arg)?;
                let extra = width.max(0).saturating_add(if got_precision { precision.max(0) } else { 0 });
                limits.check_string(out.len().saturating_add(extra as usize).saturating_add(330))?;
                let prec = if got_precision { Some(precision.max(0) as usize) } else { None };
                c_format_double(d, ch, f, width.max(0) as usize, prec)
            }
            other => return Err(format_error(&format!("bad field specifier \"{other}\""), "BADTYPE")),
        };

        if width > 0 && num_chars < 0 {
            num_chars = segment.chars().count() as i64;
        }
        let pad = if f.zero { '0' } else { ' ' };
        if !f.minus && width > 0 && num_chars < width {
            push_repeat(&mut out, pad, width - num_chars, limits)?;
            num_chars = width;
        }
        limits.check_string(out.len().saturating_add(segment.len()))?;
        out.push_str(&segment);
        if width > 0 && num_chars < width {
            push_repeat(&mut out, pad, width - num_chars, limits)?;
        }
        if got_sequential {
            obj_index += 1;
        }
    }
    Ok(out)
}

/// The `d u o x X b` conversions.
#[allow(clippy::too_many_arguments)]
fn format_integer(
    limits: &Limits,
    arg: &Value,
    ch: char,
    f: &mut Flags,
    width: i64,
    got_precision: bool,
    mut precision: i64,
    use_short: bool,
    use_big: bool,
    out_len: usize,
) -> Result<String, Exception> {
    // The value: a short, a long (64 bits) or a big integer.
    let big;
    let long;
    let negative;
    if use_big {
        big = format_big(arg)?;
        long = 0;
        negative = big.is_negative();
    } else {
        let l = format_long(arg)?;
        long = if use_short { l as i16 as i64 } else { l };
        big = BigInt::zero();
        negative = long < 0;
    }
    let mut seg = String::new();
    if (negative || f.plus || f.space) && (use_big || ch == 'd') {
        seg.push(if negative {
            '-'
        } else if f.plus {
            '+'
        } else {
            ' '
        });
    }
    if f.hash {
        match ch {
            'o' => {
                seg.push('0');
                precision -= 1;
            }
            'x' => seg.push_str("0x"),
            'X' => seg.push_str("0X"),
            'b' => seg.push_str("0b"),
            _ => {}
        }
    }
    let digits: String = if ch == 'd' {
        if use_big {
            big.magnitude().to_string()
        } else {
            long.unsigned_abs().to_string()
        }
    } else {
        let radix = match ch {
            'u' => 10,
            'o' => 8,
            'b' => 2,
            _ => 16,
        };
        let s = if use_big {
            if big.is_zero() {
                String::new()
            } else {
                big.magnitude().to_str_radix(radix)
            }
        } else {
            let u = if use_short { long as u16 as u64 } else { long as u64 };
            if u == 0 {
                String::new()
            } else {
                match radix {
                    10 => format!("{u}"),
                    8 => format!("{u:o}"),
                    2 => format!("{u:b}"),
                    _ => format!("{u:x}"),
                }
            }
        };
        if s.is_empty() {
            if ch == 'o' && f.hash {
                String::new()
            } else {
                "0".into()
            }
        } else if ch == 'X' {
            s.to_ascii_uppercase()
        } else {
            s
        }
    };
    let mut length = digits.len() as i64;
    if got_precision {
        if length < precision {
            push_repeat(&mut seg, '0', precision - length, limits)?;
            length = precision;
        }
        f.zero = false;
    }
    if f.zero {
        length += seg.chars().count() as i64;
        if length < width {
            limits.check_string(out_len.saturating_add((width - length) as usize))?;
            push_repeat(&mut seg, '0', width - length, limits)?;
        }
    }
    seg.push_str(&digits);
    Ok(seg)
}

/// `a` (finite, not negative) with `prec` digits after the point. Rust's
/// formatter takes at most 65535; a double never has more than 1074
/// fractional digits, so larger precisions only add zeros.
fn fixed(a: f64, prec: usize) -> String {
    const EXACT: usize = 1100;
    if prec <= EXACT {
        return format!("{a:.prec$}");
    }
    let mut s = format!("{a:.EXACT$}");
    s.extend(std::iter::repeat_n('0', prec - EXACT));
    s
}

/// `a` in exponent form with `prec` mantissa digits after the point: the
/// mantissa and the decimal exponent.
fn scientific(a: f64, prec: usize) -> (String, i32) {
    const EXACT: usize = 800;
    let p = prec.min(EXACT);
    let s = format!("{a:.p$e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let mut mant = mant.to_string();
    if prec > EXACT {
        mant.extend(std::iter::repeat_n('0', prec - EXACT));
    }
    (mant, exp.parse().unwrap_or(0))
}

/// C's `%e`: mantissa digits, then `e`, a sign and at least two exponent
/// digits.
fn c_exp(a: f64, prec: usize, hash: bool, upper: bool) -> String {
    let (mant, exp) = scientific(a, prec);
    let mut out = String::with_capacity(mant.len() + 6);
    out.push_str(&mant);
    if hash && prec == 0 {
        out.push('.');
    }
    out.push(if upper { 'E' } else { 'e' });
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    out.push_str(&e.to_string());
    out
}

/// Removes trailing zeros after a decimal point (and the point itself when
/// nothing is left after it), as `%g` does without `#`.
fn strip_zeros(s: &str) -> String {
    if !s.contains('.') {
        return s.to_string();
    }
    let t = s.trim_end_matches('0');
    t.strip_suffix('.').unwrap_or(t).to_string()
}

/// C's printf for `%e %E %f %g %G` with flags, width and precision.
fn c_format_double(d: f64, conv: char, f: Flags, width: usize, prec: Option<usize>) -> String {
    let upper = conv == 'E' || conv == 'G';
    let a = d.abs();
    let body = if a.is_infinite() {
        if upper { "INF" } else { "inf" }.to_string()
    } else {
        match conv {
            'f' => {
                let p = prec.unwrap_or(6);
                let mut s = fixed(a, p);
                if f.hash && p == 0 {
                    s.push('.');
                }
                s
            }
            'e' | 'E' => c_exp(a, prec.unwrap_or(6), f.hash, upper),
            _ => {
                let p = match prec {
                    None => 6,
                    Some(0) => 1,
                    Some(p) => p,
                };
                let x: i64 = if a == 0.0 { 0 } else { scientific(a, p - 1).1 as i64 };
                if (p as i64) > x && x >= -4 {
                    let fp = (p as i64 - 1 - x) as usize;
                    let s = fixed(a, fp);
                    if f.hash {
                        if fp == 0 {
                            format!("{s}.")
                        } else {
                            s
                        }
                    } else {
                        strip_zeros(&s)
                    }
                } else {
                    let s = c_exp(a, p - 1, f.hash, upper);
                    if f.hash {
                        s
                    } else {
                        let (m, e) = s.split_at(s.find(['e', 'E']).unwrap_or(s.len()));
                        format!("{}{e}", strip_zeros(m))
                    }
                }
            }
        }
    };
    let sign = if d.is_sign_negative() && !d.is_nan() {
        "-"
    } else if f.plus {
        "+"
    } else if f.space {
        " "
    } else {
        ""
    };
    let len = sign.len() + body.len();
    if len >= width {
        return format!("{sign}{body}");
    }
    let fill = width - len;
    if f.minus {
        format!("{sign}{body}{}", " ".repeat(fill))
    } else if f.zero && a.is_finite() {
        format!("{sign}{}{body}", "0".repeat(fill))
    } else {
        format!("{}{sign}{body}", " ".repeat(fill))
    }
}

// ----- scan -----------------------------------------------------------------

/// What `scan` extracted from its input.
///
/// `values` has one slot per variable (or per list element in the inline
/// form): `values[i]` is `Some` when the i-th conversion (or, with XPG3
/// specifiers `%n$`, the n-th variable) matched, `None` when it did not
/// (the input ended, or stopped matching, first).
///
/// For `scan string format var ...` (see [`scan_values_for_vars`]) the VM
/// must, in order:
/// 1. set variable `i` to `values[i]` for every `Some` (leaving the others
///    untouched; Tcl sets all it can and reports the first failure);
/// 2. return [`ScanResult::count`]: -1 when the input ended before the
///    first conversion (`underflow` and no conversion done), otherwise the
///    number of variables set.
///
/// The inline form's result is [`ScanResult::to_list`].
#[derive(Clone, Debug)]
pub struct ScanResult {
    pub values: Vec<Option<Value>>,
    /// The input ended before the format did.
    pub underflow: bool,
    /// Conversions performed, including suppressed (`%*d`) ones and `%n`.
    pub conversions: usize,
}

impl ScanResult {
    /// The result of `scan` with variables: -1 if the input ended before
    /// any conversion, else the number of variables assigned.
    pub fn count(&self) -> i64 {
        if self.underflow && self.conversions == 0 {
            -1
        } else {
            self.values.iter().filter(|v| v.is_some()).count() as i64
        }
    }

    /// The result of inline `scan`: the values as a list with empty
    /// strings for unmatched conversions, or an empty list if the input
    /// ended before any conversion.
    pub fn to_list(&self) -> Value {
        if self.underflow && self.conversions == 0 {
            return Value::list(Vec::new());
        }
        Value::list(self.values.iter().map(|v| v.clone().unwrap_or_default()).collect())
    }
}

/// `scan string format ?varName ...?`.
pub fn scan_cmd(interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() < 3 {
        return Err(Exception::wrong_args(args, 1, "string format ?varName ...?"));
    }
    let num_vars = args.len() - 3;
    let r = scan_impl(&interp.limits, &args[1].as_str(), &args[2].as_str(), num_vars)?;
    if num_vars == 0 {
        return Ok(r.to_list());
    }
    for (name, value) in args[3..].iter().zip(&r.values) {
        if let Some(v) = value {
            interp.set_var_value(&name.as_str(), v.clone())?;
        }
    }
    Ok(Value::int(r.count()))
}

/// Inline `scan input format`: the converted values (see [`ScanResult`]).
pub fn scan_values(input: &str, format: &str) -> Result<ScanResult, Exception> {
    scan_impl(&Limits::default(), input, format, 0)
}

/// `scan input format var1 ... varN` with `num_vars` variable names: checks
/// the format against the number of variables exactly as Tcl does (errors
/// such as `different numbers of variable names and field specifiers`)
/// and returns `values` with exactly `num_vars` slots. See [`ScanResult`]
/// for what to do with it.
pub fn scan_values_for_vars(input: &str, format: &str, num_vars: usize) -> Result<ScanResult, Exception> {
    scan_impl(&Limits::default(), input, format, num_vars)
}

/// Tcl_UniCharIsSpace.
fn is_space(c: char) -> bool {
    if c.is_ascii() {
        matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
    } else {
        c.is_whitespace() || matches!(c, '\u{180e}' | '\u{200b}' | '\u{2060}' | '\u{feff}')
    }
}

/// Checks a scan format (Tcl's ValidateFormat) and returns the number of
/// values it produces.
fn validate_scan_format(limits: &Limits, format: &str, num_vars: usize) -> Result<usize, Exception> {
    let mut c = Cursor::new(format);
    let mut nassign: Vec<u32> = vec![0; num_vars];
    let mut xpg_size: usize = 0;
    let mut obj_index: usize = 0;
    let mut got_xpg = false;
    let mut got_sequential = false;
    let mixed = || format_error("cannot mix \"%\" and \"%n$\" conversion specifiers", "MIXEDSPECTYPES");
    let bad_index = |xpg: bool| {
        if xpg {
            format_error("\"%n$\" argument index out of range", "INDEXRANGE")
        } else {
            format_error("different numbers of variable names and field specifiers", "FIELDVARMISMATCH")
        }
    };
    let bad_set = || format_error("unmatched [ in format string", "BRACKET");
    while !c.at_end() {
        let ch = c.next_char();
        if ch != '%' {
            continue;
        }
        let mut ch = c.next_char();
        if ch == '%' {
            continue;
        }
        let mut suppress = false;
        let mut xpg_done = false;
        if ch == '*' {
            suppress = true;
            ch = c.next_char();
            xpg_done = true;
        } else if ch.is_ascii_digit() {
            let (value, end) = c.strtoul(c.i - 1);
            if c.char_at(end) == '$' {
                c.i = end + 1;
                ch = c.next_char();
                got_xpg = true;
                if got_sequential {
                    return Err(mixed());
                }
                let value = to_c_int(value);
                let index = value - 1;
                if index < 0 || (num_vars > 0 && index as u64 >= num_vars as u64) {
                    return Err(bad_index(got_xpg));
                }
                obj_index = index as usize;
                if num_vars == 0 {
                    xpg_size = xpg_size.max(value as usize);
                }
                xpg_done = true;
            }
        }
        if !xpg_done {
            got_sequential = true;
            if got_xpg {
                return Err(mixed());
            }
        }

        let mut width_given = false;
        if ch.is_ascii_digit() {
            let (_, end) = c.strtoul(c.i - 1);
            width_given = true;
            c.i = end;
            ch = c.next_char();
        }
        let mut longer = false;
        let mut big = false;
        match ch {
            'l' if c.peek() == 'l' && !c.at_end() => {
                big = true;
                c.next_char();
                ch = c.next_char();
            }
            'l' | 'L' => {
                longer = true;
                ch = c.next_char();
            }
            'h' => ch = c.next_char(),
            _ => {}
        }

        if !suppress && num_vars > 0 && obj_index >= num_vars {
            return Err(bad_index(got_xpg));
        }
        let bad_size = |ch: char| {
            format_error(&format!("field size modifier may not be specified in %{ch} conversion"), "BADSIZE")
        };
        match ch {
            'c' | 'n' | 's' => {
                if ch == 'c' && width_given {
                    return Err(format_error("field width may not be specified in %c conversion", "BADWIDTH"));
                }
                if longer || big {
                    return Err(bad_size(ch));
                }
            }
            'd' | 'e' | 'E' | 'f' | 'g' | 'G' | 'i' | 'o' | 'x' | 'X' | 'b' => {}
            'u' => {
                if big {
                    return Err(format_error("unsigned bignum scans are invalid", "BADUNSIGNED"));
                }
            }
            '[' => {
                if longer || big {
                    return Err(bad_size(ch));
                }
                if c.at_end() {
                    return Err(bad_set());
                }
                let mut ch = c.next_char();
                if ch == '^' {
                    if c.at_end() {
                        return Err(bad_set());
                    }
                    ch = c.next_char();
                }
                if ch == ']' {
                    if c.at_end() {
                        return Err(bad_set());
                    }
                    ch = c.next_char();
                }
                while ch != ']' {
                    if c.at_end() {
                        return Err(bad_set());
                    }
                    ch = c.next_char();
                }
            }
            other => return Err(format_error(&format!("bad scan conversion character \"{other}\""), "BADTYPE")),
        }
        if !suppress {
            if obj_index >= nassign.len() {
                let grown = if xpg_size > 0 { xpg_size } else { nassign.len() + 16 };
                let grown = grown.max(obj_index + 1);
                limits.check_list(grown)?;
                nassign.resize(grown, 0);
            }
            nassign[obj_index] += 1;
            obj_index += 1;
        }
    }
    let total = if num_vars > 0 {
        num_vars
    } else if xpg_size > 0 {
        xpg_size
    } else {
        obj_index
    };
    limits.check_list(total)?;
    for i in 0..total {
        let n = nassign.get(i).copied().unwrap_or(0);
        if n > 1 {
            return Err(format_error("variable is assigned by multiple \"%n$\" conversion specifiers", "POLYASSIGNED"));
        } else if xpg_size == 0 && n == 0 {
            return Err(format_error("variable is not assigned by any conversion specifiers", "UNASSIGNED"));
        }
    }
    Ok(total)
}

/// A `%[...]` set.
struct CharSet {
    exclude: bool,
    chars: Vec<char>,
    ranges: Vec<(char, char)>,
}

impl CharSet {
    /// Reads the set after `%[` (Tcl's BuildCharSet); the cursor ends after
    /// the closing `]`.
    fn parse(c: &mut Cursor) -> CharSet {
        let mut set = CharSet { exclude: false, chars: Vec::new(), ranges: Vec::new() };
        let mut ch = c.next_char();
        if ch == '^' {
            set.exclude = true;
            ch = c.next_char();
        }
        let mut start = ch;
        if ch == ']' || ch == '-' {
            set.chars.push(ch);
            ch = c.next_char();
        }
        while ch != ']' {
            if c.at_end() && ch == '\0' {
                break;
            }
            if c.peek() == '-' && !c.at_end() {
                // Possibly the start of a range: not added yet.
                start = ch;
            } else if ch == '-' {
                if c.peek() == ']' {
                    set.chars.push(start);
                    set.chars.push(ch);
                } else {
                    ch = c.next_char();
                    if start < ch {
                        set.ranges.push((start, ch));
                    } else {
                        set.ranges.push((ch, start));
                    }
                }
            } else {
                set.chars.push(ch);
            }
            ch = c.next_char();
        }
        set
    }

    fn contains(&self, c: char) -> bool {
        let found = self.chars.contains(&c) || self.ranges.iter().any(|&(a, b)| a <= c && c <= b);
        found != self.exclude
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum IntMode {
    Decimal,
    Any,
    Octal,
    Hex,
    Binary,
}

/// The longest integer at the start of `b` (TclParseNumber with
/// TCL_PARSE_INTEGER_ONLY): the value and the bytes used, or the position
/// where the scan stopped.
fn lex_int(b: &[u8], mode: IntMode) -> Result<(BigInt, usize), usize> {
    let n = b.len();
    let mut i = 0;
    let mut neg = false;
    if i < n && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    let prefix = |letter: u8| i + 1 < n && b[i] == b'0' && (b[i + 1] | 0x20) == letter;
    let (radix, start) = match mode {
        IntMode::Decimal => (10, i),
        IntMode::Octal => (8, i),
        IntMode::Hex => {
            if prefix(b'x') {
                (16, i + 2)
            } else {
                (16, i)
            }
        }
        IntMode::Binary => {
            if prefix(b'b') {
                (2, i + 2)
            } else {
                (2, i)
            }
        }
        IntMode::Any => {
            if prefix(b'x') {
                (16, i + 2)
            } else if i < n && b[i] == b'0' {
                (8, i)
            } else {
                (10, i)
            }
        }
    };
    let mut j = start;
    while j < n && (b[j] as char).is_digit(radix) {
        j += 1;
    }
    if j == start {
        if start > i {
            // "0x" with no digit after it: just the 0.
            return Ok((BigInt::zero(), i + 1));
        }
        return Err(j);
    }
    let v = BigInt::parse_bytes(&b[start..j], radix).unwrap_or_default();
    Ok((if neg { -v } else { v }, j))
}

/// The longest decimal floating-point number at the start of `b`
/// (TclParseNumber with TCL_PARSE_DECIMAL_ONLY), including Inf, Infinity
/// and NaN in any case.
fn lex_float(b: &[u8]) -> Result<(f64, usize), usize> {
    let n = b.len();
    let mut i = 0;
    let mut neg = false;
    if i < n && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    let sign = |d: f64| if neg { -d } else { d };
    let word_match = |word: &[u8]| {
        let mut k = 0;
        while k < word.len() && i + k < n && b[i + k].to_ascii_lowercase() == word[k] {
            k += 1;
        }
        k
    };
    if i < n && (b[i] | 0x20) == b'i' {
        let k = word_match(b"infinity");
        return match k {
            8 => Ok((sign(f64::INFINITY), i + 8)),
            3..=7 => Ok((sign(f64::INFINITY), i + 3)),
            _ => Err(i + k),
        };
    }
    if i < n && (b[i] | 0x20) == b'n' {
        let k = word_match(b"nan");
        return if k == 3 { Ok((f64::NAN, i + 3)) } else { Err(i + k) };
    }
    let mut j = i;
    while j < n && b[j].is_ascii_digit() {
        j += 1;
    }
    let mut digits = j - i;
    if j < n && b[j] == b'.' {
        j += 1;
        let f = j;
        while j < n && b[j].is_ascii_digit() {
            j += 1;
        }
        digits += j - f;
    }
    if digits == 0 {
        return Err(j);
    }
    let mut accept = j;
    if j < n && (b[j] | 0x20) == b'e' {
        let mut k = j + 1;
        if k < n && (b[k] == b'+' || b[k] == b'-') {
            k += 1;
        }
        let e = k;
        while k < n && b[k].is_ascii_digit() {
            k += 1;
        }
        if k > e {
            accept = k;
        }
    }
    let text = String::from_utf8_lossy(&b[..accept]);
    let v = text.parse::<f64>().or_else(|_| format!("{text}0").parse::<f64>()).unwrap_or(0.0);
    Ok((v, accept))
}

fn store(values: &mut [Option<Value>], index: &mut usize, v: Value) {
    if let Some(slot) = values.get_mut(*index) {
        *slot = Some(v);
    }
    *index += 1;
}

fn char_at(s: &str, pos: usize) -> Option<char> {
    s.get(pos..).and_then(|t| t.chars().next())
}

#[derive(Clone, Copy)]
enum Op {
    Int(IntMode, bool),
    Float,
    Str,
    Char,
    Set,
}

fn scan_impl(limits: &Limits, input: &str, format: &str, num_vars: usize) -> Result<ScanResult, Exception> {
    let total = validate_scan_format(limits, format, num_vars)?;
    let mut values: Vec<Option<Value>> = vec![None; total];
    let bytes = input.as_bytes();
    let len = bytes.len();
    let mut pos = 0usize;
    let mut conversions = 0usize;
    let mut underflow = false;
    let mut obj_index = 0usize;
    let mut c = Cursor::new(format);
    'scan: while !c.at_end() {
        let ch = c.next_char();
        if is_space(ch) {
            while let Some(sch) = char_at(input, pos) {
                if !is_space(sch) {
                    break;
                }
                pos += sch.len_utf8();
            }
            continue;
        }
        let literal = if ch != '%' {
            Some(ch)
        } else {
            let next = c.peek();
            if next == '%' && !c.at_end() {
                c.next_char();
                Some('%')
            } else {
                None
            }
        };
        if let Some(lit) = literal {
            match char_at(input, pos) {
                None => {
                    underflow = true;
                    break 'scan;
                }
                Some(sch) => {
                    pos += sch.len_utf8();
                    if sch != lit {
                        break 'scan;
                    }
                }
            }
            continue;
        }

        let mut ch = c.next_char();
        let mut suppress = false;
        if ch == '*' {
            suppress = true;
            ch = c.next_char();
        } else if ch.is_ascii_digit() {
            let (value, end) = c.strtoul(c.i - 1);
            if c.char_at(end) == '$' {
                c.i = end + 1;
                ch = c.next_char();
                obj_index = (to_c_int(value) - 1).max(0) as usize;
            }
        }
        let mut width: i64 = 0;
        if ch.is_ascii_digit() {
            let (w, end) = c.strtoul(c.i - 1);
            width = to_c_int(w);
            c.i = end;
            ch = c.next_char();
        }
        // Size modifiers: `ll` keeps big integers; `l`, `L` and `h` change
        // nothing when long is 64 bits.
        let mut big = false;
        match ch {
            'l' if c.peek() == 'l' && !c.at_end() => {
                big = true;
                c.next_char();
                ch = c.next_char();
            }
            'l' | 'L' | 'h' => ch = c.next_char(),
            _ => {}
        }
        let op = match ch {
            'n' => {
                if !suppress {
                    // Tcl counts bytes of its internal UTF-8, where NUL
                    // takes two.
                    let nuls = bytes[..pos].iter().filter(|&&b| b == 0).count();
                    store(&mut values, &mut obj_index, Value::Int((pos + nuls) as i64));
                }
                conversions += 1;
                continue;
            }
            'd' => Op::Int(IntMode::Decimal, false),
            'i' => Op::Int(IntMode::Any, false),
            'o' => Op::Int(IntMode::Octal, false),
            'x' | 'X' => Op::Int(IntMode::Hex, false),
            'b' => Op::Int(IntMode::Binary, false),
            'u' => Op::Int(IntMode::Decimal, true),
            'f' | 'e' | 'E' | 'g' | 'G' => Op::Float,
            's' => Op::Str,
            'c' => Op::Char,
            '[' => Op::Set,
            _ => break 'scan,
        };

        if pos >= len {
            underflow = true;
            break 'scan;
        }
        if !matches!(op, Op::Char | Op::Set) {
            while let Some(sch) = char_at(input, pos) {
                if !is_space(sch) {
                    break;
                }
                pos += sch.len_utf8();
            }
            if pos >= len {
                underflow = true;
                break 'scan;
            }
        }

        // Characters (for %s and %[) or bytes (for numbers) allowed.
        let limit: Option<usize> = if width <= 0 { None } else { Some(width as usize) };
        match op {
            Op::Str | Op::Set => {
                let set = if let Op::Set = op { Some(CharSet::parse(&mut c)) } else { None };
                let start = pos;
                let mut end = pos;
                let mut taken = 0usize;
                while let Some(sch) = char_at(input, end) {
                    let ok = match &set {
                        Some(s) => s.contains(sch),
                        None => !is_space(sch),
                    };
                    if !ok {
                        break;
                    }
                    end += sch.len_utf8();
                    taken += 1;
                    if limit == Some(taken) {
                        break;
                    }
                }
                if set.is_some() && end == start {
                    break 'scan;
                }
                if !suppress {
                    store(&mut values, &mut obj_index, Value::from(&input[start..end]));
                }
                pos = end;
            }
            Op::Char => {
                let sch = char_at(input, pos).unwrap_or('\0');
                if !suppress {
                    store(&mut values, &mut obj_index, Value::Int(sch as i64));
                }
                pos += sch.len_utf8();
            }
            Op::Int(mode, unsigned) => {
                let avail = &bytes[pos..];
                let window = match limit {
                    Some(w) if w < avail.len() => &avail[..w],
                    _ => avail,
                };
                match lex_int(window, mode) {
                    Err(stop) => {
                        let at_limit = match limit {
                            None => pos + stop >= len,
                            Some(w) => stop == w,
                        };
                        if at_limit {
                            underflow = true;
                        }
                        break 'scan;
                    }
                    Ok((v, used)) => {
                        pos += used;
                        if !suppress {
                            let value = if big {
                                Value::big(v)
                            } else {
                                let l = long_of(&v);
                                if unsigned && l < 0 {
                                    Value::big(BigInt::from(l as u64))
                                } else {
                                    Value::Int(l)
                                }
                            };
                            store(&mut values, &mut obj_index, value);
                        }
                    }
                }
            }
            Op::Float => {
                let avail = &bytes[pos..];
                let window = match limit {
                    Some(w) if w < avail.len() => &avail[..w],
                    _ => avail,
                };
                match lex_float(window) {
                    Err(stop) => {
                        let at_limit = match limit {
                            None => pos + stop >= len,
                            Some(w) => stop == w,
                        };
                        if at_limit {
                            underflow = true;
                        }
                        break 'scan;
                    }
                    Ok((d, used)) => {
                        if suppress {
                            pos += used;
                        } else if d.is_nan() {
                            // Tcl cannot make a double of NaN: the scan stops.
                            break 'scan;
                        } else {
                            store(&mut values, &mut obj_index, Value::Double(d));
                            pos += used;
                        }
                    }
                }
            }
        }
        conversions += 1;
    }
    Ok(ScanResult { values, underflow, conversions })
}

/// A scanned integer as a C long: wrapped when its magnitude fits in 64
/// unsigned bits, otherwise clamped (as TclGetLongFromObj and the scan
/// code around it).
fn long_of(v: &BigInt) -> i64 {
    if let Some(i) = v.to_i64() {
        return i;
    }
    match v.magnitude().to_u64() {
        Some(m) => {
            if v.is_negative() {
                (m as i64).wrapping_neg()
            } else {
                m as i64
            }
        }
        None => {
            if v.is_negative() {
                i64::MIN
            } else {
                i64::MAX
            }
        }
    }
}

#[cfg(test)]
mod tests;
