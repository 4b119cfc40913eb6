//! The semantics of `expr` operators and math functions, as in Tcl 8.6.
//!
//! Everything here works on [`Value`]s and returns Tcl's results and error
//! messages (with Tcl's `errorCode`s): 64-bit integers that overflow into
//! big integers (results go back to `Value::Int` whenever they fit),
//! doubles, integer/double promotion, integer division and modulo flooring
//! toward negative infinity, string comparison when an operand is not a
//! number, list membership for `in`/`ni`.
//!
//! The bytecode VM calls [`binary`] and [`unary`] for operators,
//! [`math_func`] for the built-in `tcl::mathfunc` functions, [`truth`] where
//! it needs a boolean (`&&`, `||`, `?:`, conditions), and
//! [`to_numeric_result`] on the result of an expression whose root is an
//! operand rather than an operator (see its documentation).
//!
//! One deliberate difference from Tcl: integer results are limited to
//! [`MAX_INT_BITS`] bits (Tcl only refuses exponents of 2**28 and more and
//! shifts of more than 2**31 bits, and happily spends minutes and gigabytes
//! below those). Past the limit `**` fails with `exponent too large`, and
//! `<<` and `*` fail with `integer value too large to represent`, the
//! messages Tcl uses for its own limits on those operators.

use std::cmp::Ordering;

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{FromPrimitive, Signed, ToPrimitive, Zero};

use crate::error::Exception;
use crate::value::{Number, Value};

/// The largest integer result, in bits, that an operator or function
/// builds (about 315,000 decimal digits). See the module documentation.
pub const MAX_INT_BITS: u64 = 1 << 20;

/// The binary operators of `expr` (`&&`, `||` and `?:` are control flow and
/// live in the VM). `lt gt le ge` are Tcl 8.7 string comparisons: Tcl 8.6's
/// expr parser does not know them, but they are here for completeness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne,
    StrEq,
    StrNe,
    StrLt,
    StrGt,
    StrLe,
    StrGe,
    In,
    Ni,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

/// The unary operators of `expr`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Plus,
    Not,
    BitNot,
}

impl BinOp {
    /// The operator as written in an expression.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::StrEq => "eq",
            BinOp::StrNe => "ne",
            BinOp::StrLt => "lt",
            BinOp::StrGt => "gt",
            BinOp::StrLe => "le",
            BinOp::StrGe => "ge",
            BinOp::In => "in",
            BinOp::Ni => "ni",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
        }
    }
}

impl UnOp {
    /// The operator as written in an expression.
    pub fn symbol(self) -> &'static str {
        match self {
            UnOp::Neg => "-",
            UnOp::Plus => "+",
            UnOp::Not => "!",
            UnOp::BitNot => "~",
        }
    }
}

// ----- errors -------------------------------------------------------------

fn is_tcl_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Tcl's TclCheckBadOctal: a string that is not a number but looks like an
/// octal number with a bad digit ("08", " -0o9 ", "0o").
pub(crate) fn looks_like_bad_octal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && is_tcl_space(b[i]) {
        i += 1;
    }
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    if i >= b.len() || b[i] != b'0' {
        return false;
    }
    if i + 1 < b.len() && (b[i + 1] == b'o' || b[i + 1] == b'O') {
        i += 2;
    }
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    while i < b.len() && is_tcl_space(b[i]) {
        i += 1;
    }
    i == b.len()
}

/// The first 50 bytes of `s` (cut at a character boundary), as Tcl quotes a
/// bad value in "expected ... but got" messages.
pub(crate) fn limited(s: &str) -> &str {
    if s.len() <= 50 {
        return s;
    }
    let mut end = 50;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `expected WHAT but got "S"`, with the bad-octal hint, errorCode
/// `TCL VALUE NUMBER` (as TclParseNumber reports).
pub(crate) fn expected_error(what: &str, s: &str, octal_hint: bool) -> Exception {
    let mut msg = format!("expected {what} but got \"{}\"", limited(s));
    if octal_hint && looks_like_bad_octal(s) {
        msg.push_str(" (looks like invalid octal number)");
    }
    Exception::error_code(msg, &["TCL", "VALUE", "NUMBER"])
}

/// `floating point value is Not a Number`.
pub(crate) fn nan_value_error() -> Exception {
    Exception::error_code("floating point value is Not a Number", &["TCL", "VALUE", "DOUBLE", "NAN"])
}

fn domain_error() -> Exception {
    let s = "domain error: argument not in valid range";
    Exception::error_code(s, &["ARITH", "DOMAIN", s])
}

fn divide_by_zero() -> Exception {
    Exception::error_code("divide by zero", &["ARITH", "DIVZERO", "divide by zero"])
}

fn zero_negative_power() -> Exception {
    let s = "exponentiation of zero by negative power";
    Exception::error_code(s, &["ARITH", "DOMAIN", s])
}

fn too_large() -> Exception {
    Exception::error("integer value too large to represent")
}

fn exponent_too_large() -> Exception {
    Exception::error("exponent too large")
}

pub(crate) fn iovf_error() -> Exception {
    let s = "integer value too large to represent";
    Exception::error_code(s, &["ARITH", "IOVERFLOW", s])
}

/// Tcl's IllegalExprOperandType: `can't use X as operand of "OP"`.
fn illegal_operand(sym: &str, v: &Value) -> Exception {
    let desc = match v.as_number_opt() {
        None => {
            let s = v.as_str();
            if s.is_empty() {
                "empty string"
            } else if looks_like_bad_octal(&s) {
                "invalid octal number"
            } else {
                "non-numeric string"
            }
        }
        Some(Number::Double(d)) if d.is_nan() => "non-numeric floating-point value",
        Some(Number::Double(_)) => "floating-point value",
        Some(_) => "(big) integer",
    };
    Exception::error_code(format!("can't use {desc} as operand of \"{sym}\""), &["ARITH", "DOMAIN", desc])
}

// ----- operands -----------------------------------------------------------

/// A numeric operand of an arithmetic operator (not NaN).
fn arith_operand(sym: &str, v: &Value) -> Result<Number, Exception> {
    match v.as_number_opt() {
        Some(Number::Double(d)) if d.is_nan() => Err(illegal_operand(sym, v)),
        Some(n) => Ok(n),
        None => Err(illegal_operand(sym, v)),
    }
}

/// An integer operand (for `%`, bit operators and shifts).
fn int_operand(sym: &str, v: &Value) -> Result<Number, Exception> {
    match v.as_number_opt() {
        Some(n @ (Number::Int(_) | Number::Big(_))) => Ok(n),
        _ => Err(illegal_operand(sym, v)),
    }
}

fn to_big(n: &Number) -> BigInt {
    match n {
        Number::Int(i) => BigInt::from(*i),
        Number::Big(b) => b.clone(),
        Number::Double(d) => BigInt::from_f64(*d).unwrap_or_default(),
    }
}

fn num_bits(n: &Number) -> u64 {
    match n {
        Number::Int(i) => 64 - i.unsigned_abs().leading_zeros() as u64,
        Number::Big(b) => b.bits(),
        Number::Double(_) => 64,
    }
}

fn big_value(b: BigInt) -> Result<Value, Exception> {
    Ok(Value::big(b))
}

/// How a big integer is rounded to a double.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Round {
    Nearest,
    /// Toward zero (used for the magnitude).
    Down,
    /// Away from zero (used for the magnitude).
    Up,
}

/// The double nearest to a big integer (Inf when out of range), as
/// TclBignumToDouble.
pub fn big_to_f64(b: &BigInt) -> f64 {
    big_to_f64_round(b, Round::Nearest)
}

fn big_to_f64_round(b: &BigInt, mode: Round) -> f64 {
    let neg = b.sign() == Sign::Minus;
    let m = b.magnitude();
    let bits = m.bits();
    let mag = if bits <= 53 {
        m.to_u64().map(|u| u as f64).unwrap_or(0.0)
    } else if bits > 1024 && mode != Round::Down {
        f64::INFINITY
    } else if bits > 1024 {
        f64::MAX
    } else {
        let shift = bits - 53;
        let top = (m >> shift).to_u64().unwrap_or(0);
        let tz = m.trailing_zeros().unwrap_or(0);
        let exact = tz >= shift;
        let round_up = match mode {
            Round::Down => false,
            Round::Up => !exact,
            Round::Nearest => {
                let half = m.bit(shift - 1);
                let sticky = tz < shift - 1;
                half && (sticky || top & 1 == 1)
            }
        };
        let top = if round_up { top + 1 } else { top };
        let v = (top as f64) * 2f64.powi(shift as i32);
        if v.is_infinite() && mode == Round::Down {
            f64::MAX
        } else {
            v
        }
    };
    if neg {
        -mag
    } else {
        mag
    }
}

fn to_f64(n: &Number) -> f64 {
    match n {
        Number::Int(i) => *i as f64,
        Number::Big(b) => big_to_f64(b),
        Number::Double(d) => *d,
    }
}

fn double_result(d: f64) -> Result<Value, Exception> {
    if d.is_nan() {
        Err(domain_error())
    } else {
        Ok(Value::Double(d))
    }
}

// ----- comparison -----------------------------------------------------------

/// C's `(long) d` on x86-64: out-of-range values (and NaN) become LONG_MIN.
fn c_long(d: f64) -> i64 {
    if (-9223372036854775808.0..9223372036854775808.0).contains(&d) {
        d as i64
    } else {
        i64::MIN
    }
}

fn has_fraction(d: f64) -> bool {
    d.is_finite() && d.fract() != 0.0
}

fn cmp_f64(a: f64, b: f64) -> Ordering {
    if a < b {
        Ordering::Less
    } else if a > b {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

/// An integer against a double, exactly as TclCompareTwoNumbers (including
/// its treatment of 2**63 as a double).
fn cmp_long_double(l: i64, d: f64) -> Ordering {
    let dl = l as f64;
    if l == c_long(dl) || has_fraction(d) {
        return cmp_f64(dl, d);
    }
    if d < -9223372036854775808.0 {
        return Ordering::Greater;
    }
    if d > 9223372036854775807.0 {
        return Ordering::Less;
    }
    l.cmp(&c_long(d))
}

fn cmp_big_double(b: &BigInt, d: f64) -> Ordering {
    if d.is_infinite() {
        return if d > 0.0 { Ordering::Less } else { Ordering::Greater };
    }
    if d < 9223372036854775807.0 && d > -9223372036854775808.0 {
        return if b.is_negative() { Ordering::Less } else { Ordering::Greater };
    }
    match BigInt::from_f64(d) {
        Some(bd) => b.cmp(&bd),
        None => Ordering::Equal,
    }
}

/// Compares two numbers (neither NaN) as Tcl does.
pub fn compare_numbers(a: &Number, b: &Number) -> Ordering {
    use Number::*;
    match (a, b) {
        (Int(x), Int(y)) => x.cmp(y),
        (Int(x), Double(y)) => cmp_long_double(*x, *y),
        (Double(x), Int(y)) => cmp_long_double(*y, *x).reverse(),
        (Int(_), Big(y)) => {
            if y.is_negative() {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Big(x), Int(_)) => {
            if x.is_negative() {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        (Big(x), Big(y)) => x.cmp(y),
        (Big(x), Double(y)) => cmp_big_double(x, *y),
        (Double(x), Big(y)) => cmp_big_double(y, *x).reverse(),
        (Double(x), Double(y)) => cmp_f64(*x, *y),
    }
}

fn is_nan(n: &Number) -> bool {
    matches!(n, Number::Double(d) if d.is_nan())
}

fn ordering_result(op: BinOp, ord: Ordering) -> bool {
    match op {
        BinOp::Lt | BinOp::StrLt => ord == Ordering::Less,
        BinOp::Gt | BinOp::StrGt => ord == Ordering::Greater,
        BinOp::Le | BinOp::StrLe => ord != Ordering::Greater,
        BinOp::Ge | BinOp::StrGe => ord != Ordering::Less,
        BinOp::Eq | BinOp::StrEq => ord == Ordering::Equal,
        _ => ord != Ordering::Equal,
    }
}

fn numeric_compare(op: BinOp, a: &Value, b: &Value) -> bool {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return ordering_result(op, x.cmp(y));
    }
    let (x, y) = match (a.as_number_opt(), b.as_number_opt()) {
        (Some(x), Some(y)) => (x, y),
        _ => {
            // At least one operand is not a number: compare strings.
            let ord = if matches!(op, BinOp::Eq | BinOp::Ne) {
                if a.as_str() == b.as_str() {
                    Ordering::Equal
                } else {
                    Ordering::Less
                }
            } else {
                a.as_str().cmp(&b.as_str())
            };
            return ordering_result(op, ord);
        }
    };
    if is_nan(&x) || is_nan(&y) {
        // NaN is unequal to everything; every other comparison is false.
        return op == BinOp::Ne;
    }
    ordering_result(op, compare_numbers(&x, &y))
}

// ----- arithmetic -----------------------------------------------------------

fn int_add(op: BinOp, x: i64, y: i64) -> Option<i64> {
    match op {
        BinOp::Add => x.checked_add(y),
        BinOp::Sub => x.checked_sub(y),
        BinOp::Mul => x.checked_mul(y),
        _ => None,
    }
}

fn floor_div_i64(x: i64, y: i64) -> Option<i64> {
    let q = x.checked_div(y)?;
    if x % y != 0 && ((x < 0) != (y < 0)) {
        Some(q - 1)
    } else {
        Some(q)
    }
}

fn floor_mod_i64(x: i64, y: i64) -> i64 {
    if y == -1 {
        return 0;
    }
    let r = x % y;
    if r != 0 && ((r < 0) != (y < 0)) {
        r + y
    } else {
        r
    }
}

fn arith(op: BinOp, x: Number, y: Number) -> Result<Value, Exception> {
    use Number::*;
    if matches!(x, Double(_)) || matches!(y, Double(_)) {
        let (a, b) = (to_f64(&x), to_f64(&y));
        let r = match op {
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            _ => a / b,
        };
        return double_result(r);
    }
    if let (Int(a), Int(b)) = (&x, &y) {
        let (a, b) = (*a, *b);
        match op {
            BinOp::Div => {
                if b == 0 {
                    return Err(divide_by_zero());
                }
                if let Some(q) = floor_div_i64(a, b) {
                    return Ok(Value::Int(q));
                }
                // i64::MIN / -1
                return big_value(-BigInt::from(a));
            }
            _ => {
                if let Some(r) = int_add(op, a, b) {
                    return Ok(Value::Int(r));
                }
            }
        }
    }
    let (a, b) = (to_big(&x), to_big(&y));
    match op {
        BinOp::Add => big_value(a + b),
        BinOp::Sub => big_value(a - b),
        BinOp::Mul => {
            if a.bits() + b.bits() > MAX_INT_BITS + 1 {
                return Err(too_large());
            }
            big_value(a * b)
        }
        _ => {
            if b.is_zero() {
                return Err(divide_by_zero());
            }
            big_value(a.div_floor(&b))
        }
    }
}

fn modulo(x: Number, y: Number) -> Result<Value, Exception> {
    if let (Number::Int(a), Number::Int(b)) = (&x, &y) {
        if *b == 0 {
            return Err(divide_by_zero());
        }
        return Ok(Value::Int(floor_mod_i64(*a, *b)));
    }
    let (a, b) = (to_big(&x), to_big(&y));
    if b.is_zero() {
        return Err(divide_by_zero());
    }
    big_value(a.mod_floor(&b))
}

fn bitwise(op: BinOp, x: Number, y: Number) -> Result<Value, Exception> {
    if let (Number::Int(a), Number::Int(b)) = (&x, &y) {
        return Ok(Value::Int(match op {
            BinOp::BitAnd => a & b,
            BinOp::BitOr => a | b,
            _ => a ^ b,
        }));
    }
    let (a, b) = (to_big(&x), to_big(&y));
    big_value(match op {
        BinOp::BitAnd => a & b,
        BinOp::BitOr => a | b,
        _ => a ^ b,
    })
}

fn shift(op: BinOp, x: Number, y: Number) -> Result<Value, Exception> {
    let negative = match &y {
        Number::Int(i) => *i < 0,
        Number::Big(b) => b.is_negative(),
        Number::Double(_) => false,
    };
    if negative {
        return Err(Exception::error("negative shift argument"));
    }
    if let Number::Int(0) = x {
        return Ok(Value::Int(0));
    }
    if op == BinOp::Shl {
        let n = match y {
            Number::Int(i) if i <= i32::MAX as i64 => i as u64,
            _ => return Err(too_large()),
        };
        if let Number::Int(a) = x {
            if n < 64 {
                let mag = if a > 0 { a } else { !a };
                // The bits that would be shifted out (plus the sign bit).
                if mag & (-1i64 << (63 - n as u32)) == 0 {
                    return Ok(Value::Int(a << n));
                }
            }
        }
        if num_bits(&x).saturating_add(n) > MAX_INT_BITS {
            return Err(too_large());
        }
        return big_value(to_big(&x) << n);
    }
    let n = match y {
        Number::Int(i) => i as u64,
        _ => {
            let neg = match &x {
                Number::Int(a) => *a < 0,
                other => to_big(other).is_negative(),
            };
            return Ok(Value::Int(if neg { -1 } else { 0 }));
        }
    };
    if let Number::Int(a) = x {
        return Ok(Value::Int(if n >= 64 {
            if a < 0 {
                -1
            } else {
                0
            }
        } else {
            a >> n
        }));
    }
    let b = to_big(&x);
    if n >= b.bits() {
        return Ok(Value::Int(if b.is_negative() { -1 } else { 0 }));
    }
    big_value(b >> n)
}

fn is_odd(n: &Number) -> bool {
    match n {
        Number::Int(i) => i & 1 == 1,
        Number::Big(b) => b.is_odd(),
        Number::Double(_) => false,
    }
}

fn power(a: &Value, x: Number, y: Number) -> Result<Value, Exception> {
    use Number::*;
    if matches!(x, Double(_)) || matches!(y, Double(_)) {
        let (d1, d2) = (to_f64(&x), to_f64(&y));
        if d1 == 0.0 && d2 < 0.0 {
            return Err(zero_negative_power());
        }
        return double_result(d1.powf(d2));
    }
    match y {
        Int(0) => return Ok(Value::Int(1)),
        // Tcl returns the first operand itself.
        Int(1) => return Ok(a.clone()),
        _ => {}
    }
    let negative = match &y {
        Int(i) => *i < 0,
        Big(b) => b.is_negative(),
        Double(_) => false,
    };
    let odd = is_odd(&y);
    let small = match &x {
        Int(i) => Some(*i),
        _ => None,
    };
    if negative {
        return Ok(Value::Int(match small {
            Some(0) => return Err(zero_negative_power()),
            Some(-1) => {
                if odd {
                    -1
                } else {
                    1
                }
            }
            Some(1) => 1,
            // Magnitudes above 1 to a negative power give 0 (TIP 123).
            _ => 0,
        }));
    }
    match small {
        Some(0) => return Ok(Value::Int(0)),
        Some(1) => return Ok(Value::Int(1)),
        Some(-1) => return Ok(Value::Int(if odd { -1 } else { 1 })),
        _ => {}
    }
    let e = match y {
        Int(i) if i < (1 << 28) => i as u64,
        _ => return Err(exponent_too_large()),
    };
    // log2 of the result, from the base's top bits (slightly generous).
    let log2 = match &x {
        Int(i) => (i.unsigned_abs() as f64).log2(),
        other => num_bits(other) as f64,
    };
    if log2 * e as f64 > MAX_INT_BITS as f64 {
        return Err(exponent_too_large());
    }
    if let Some(b) = small {
        if let Ok(e32) = u32::try_from(e) {
            if let Some(r) = b.checked_pow(e32) {
                return Ok(Value::Int(r));
            }
        }
    }
    let base = to_big(&x);
    big_value(num_traits::pow::Pow::pow(&base, e))
}

fn list_contains(a: &Value, b: &Value) -> Result<bool, Exception> {
    let list = b.as_list()?;
    let needle = a.as_str();
    Ok(list.iter().any(|e| e.as_str() == needle))
}

/// Applies a binary operator to two operands.
pub fn binary(op: BinOp, a: &Value, b: &Value) -> Result<Value, Exception> {
    // Fast paths for the common pure-integer cases.
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        let (x, y) = (*x, *y);
        match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul => {
                if let Some(r) = int_add(op, x, y) {
                    return Ok(Value::Int(r));
                }
            }
            BinOp::Lt => return Ok(Value::bool(x < y)),
            BinOp::Gt => return Ok(Value::bool(x > y)),
            BinOp::Le => return Ok(Value::bool(x <= y)),
            BinOp::Ge => return Ok(Value::bool(x >= y)),
            BinOp::Eq => return Ok(Value::bool(x == y)),
            BinOp::Ne => return Ok(Value::bool(x != y)),
            _ => {}
        }
    }
    let sym = op.symbol();
    match op {
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
            let x = arith_operand(sym, a)?;
            let y = arith_operand(sym, b)?;
            arith(op, x, y)
        }
        BinOp::Pow => {
            let x = arith_operand(sym, a)?;
            let y = arith_operand(sym, b)?;
            power(a, x, y)
        }
        BinOp::Mod => {
            let x = int_operand(sym, a)?;
            let y = int_operand(sym, b)?;
            modulo(x, y)
        }
        BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
            let x = int_operand(sym, a)?;
            let y = int_operand(sym, b)?;
            bitwise(op, x, y)
        }
        BinOp::Shl | BinOp::Shr => {
            let x = int_operand(sym, a)?;
            let y = int_operand(sym, b)?;
            shift(op, x, y)
        }
        BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge | BinOp::Eq | BinOp::Ne => {
            Ok(Value::bool(numeric_compare(op, a, b)))
        }
        BinOp::StrEq => Ok(Value::bool(a.as_str() == b.as_str())),
        BinOp::StrNe => Ok(Value::bool(a.as_str() != b.as_str())),
        BinOp::StrLt | BinOp::StrGt | BinOp::StrLe | BinOp::StrGe => {
            Ok(Value::bool(ordering_result(op, a.as_str().cmp(&b.as_str()))))
        }
        BinOp::In => Ok(Value::bool(list_contains(a, b)?)),
        BinOp::Ni => Ok(Value::bool(!list_contains(a, b)?)),
    }
}

/// Applies a unary operator.
pub fn unary(op: UnOp, a: &Value) -> Result<Value, Exception> {
    let sym = op.symbol();
    match op {
        UnOp::Neg => match arith_operand(sym, a)? {
            Number::Int(i) => match i.checked_neg() {
                Some(n) => Ok(Value::Int(n)),
                None => big_value(-BigInt::from(i)),
            },
            Number::Big(b) => big_value(-b),
            Number::Double(d) => Ok(Value::Double(-d)),
        },
        UnOp::Plus => match a {
            Value::Int(_) | Value::Double(_) => {
                arith_operand(sym, a)?;
                Ok(a.clone())
            }
            _ => Ok(Value::from_number(arith_operand(sym, a)?)),
        },
        UnOp::BitNot => match int_operand(sym, a)? {
            Number::Int(i) => Ok(Value::Int(!i)),
            n => big_value(-to_big(&n) - 1),
        },
        UnOp::Not => match a.as_number_opt() {
            Some(Number::Int(i)) => Ok(Value::bool(i == 0)),
            Some(Number::Big(_)) => Ok(Value::Int(0)),
            Some(Number::Double(d)) if !d.is_nan() => Ok(Value::bool(d == 0.0)),
            Some(Number::Double(_)) => Err(illegal_operand(sym, a)),
            None => match crate::number::parse_bool_word(&a.as_str()) {
                Some(b) => Ok(Value::bool(!b)),
                None => Err(illegal_operand(sym, a)),
            },
        },
    }
}

/// The truth value of a condition operand (`&&`, `||`, `?:`, `if`...), with
/// Tcl's errors: `expected boolean value but got "x"`.
pub fn truth(v: &Value) -> Result<bool, Exception> {
    match v {
        Value::Int(i) => return Ok(*i != 0),
        Value::Double(d) if !d.is_nan() => return Ok(*d != 0.0),
        _ => {}
    }
    match v.as_number_opt() {
        Some(Number::Int(i)) => Ok(i != 0),
        Some(Number::Big(_)) => Ok(true),
        Some(Number::Double(d)) if d.is_nan() => Err(nan_value_error()),
        Some(Number::Double(d)) => Ok(d != 0.0),
        None => {
            let s = v.as_str();
            crate::number::parse_bool_word(&s).ok_or_else(|| expected_error("boolean value", &s, true))
        }
    }
}

/// What `expr` does with its result when the expression's root is an
/// operand (a literal, a variable, a command substitution, a function
/// call...) rather than an operator: a string that is a number becomes the
/// number in canonical form (`"0x10"` gives 16, `" 12 "` gives 12, `"1e3"`
/// gives 1000.0), other strings (`"abc"`, `"08"`, `"true"`) stay as they
/// are, and NaN is an error (`domain error: argument not in valid range`,
/// as `expr {"nan"}` or `expr {sqrt(-1)}`). Operators already produce
/// canonical numbers, and Tcl leaves their results alone (`expr {"0x10"**1}`
/// gives `0x10`), so the VM should not call this on them.
pub fn to_numeric_result(v: Value) -> Result<Value, Exception> {
    match &v {
        Value::Int(_) => Ok(v),
        Value::Double(d) => {
            if d.is_nan() {
                Err(domain_error())
            } else {
                Ok(v)
            }
        }
        Value::Obj(_) => match v.as_number_opt() {
            None => Ok(v),
            Some(Number::Double(d)) if d.is_nan() => Err(domain_error()),
            Some(n) => Ok(Value::from_number(n)),
        },
    }
}

// ----- math functions ---------------------------------------------------------

/// The names of the built-in math functions (`tcl::mathfunc::NAME`).
pub const MATH_FUNCS: &[&str] = &[
    "abs", "acos", "asin", "atan", "atan2", "bool", "ceil", "cos", "cosh", "double", "entier", "exp", "floor", "fmod",
    "hypot", "int", "isqrt", "log", "log10", "max", "min", "pow", "rand", "round", "sin", "sinh", "sqrt", "srand",
    "tan", "tanh", "wide",
];

/// True when `name` is a built-in math function.
pub fn is_math_func(name: &str) -> bool {
    MATH_FUNCS.contains(&name)
}

fn arg_count(name: &str, args: &[Value], n: usize) -> Result<(), Exception> {
    if args.len() == n {
        return Ok(());
    }
    let which = if args.len() < n { "not enough" } else { "too many" };
    Err(Exception::error_code(format!("{which} arguments for math function \"{name}\""), &["TCL", "WRONGARGS"]))
}

/// A number argument (TclGetNumberFromObj): `expected number but got`.
fn fn_number(v: &Value) -> Result<Number, Exception> {
    v.as_number_opt().ok_or_else(|| expected_error("number", &v.as_str(), true))
}

/// A double argument (Tcl_GetDoubleFromObj).
pub(crate) fn fn_double(v: &Value) -> Result<f64, Exception> {
    match v.as_number_opt() {
        Some(Number::Double(d)) if d.is_nan() => Err(nan_value_error()),
        Some(n) => Ok(to_f64(&n)),
        None => Err(expected_error("floating-point number", &v.as_str(), true)),
    }
}

/// The integer part of a double as an integer value (Inf is an error).
fn entier_of(d: f64) -> Result<Value, Exception> {
    if d.is_nan() {
        return Err(nan_value_error());
    }
    if d.is_infinite() {
        return Err(iovf_error());
    }
    if d >= 9223372036854775807.0 || d <= -9223372036854775808.0 {
        return big_value(BigInt::from_f64(d.trunc()).unwrap_or_default());
    }
    Ok(Value::Int(d as i64))
}

/// The two's complement low 64 bits of a big integer.
pub(crate) fn low_64(b: &BigInt) -> i64 {
    let (sign, digits) = b.to_u64_digits();
    let low = digits.first().copied().unwrap_or(0);
    if sign == Sign::Minus {
        (low as i64).wrapping_neg()
    } else {
        low as i64
    }
}

/// The low 64 bits of an integer value, as a signed integer.
fn wrap64(v: &Value) -> i64 {
    match v.as_number_opt() {
        Some(Number::Int(i)) => i,
        Some(Number::Big(b)) => low_64(&b),
        _ => 0,
    }
}

fn entier_func(v: &Value) -> Result<Value, Exception> {
    match fn_number(v)? {
        Number::Double(d) => entier_of(d),
        // Integers are returned as they are.
        _ => Ok(v.clone()),
    }
}

fn abs_func(v: &Value) -> Result<Value, Exception> {
    match fn_number(v)? {
        Number::Int(i) => {
            if i > 0 {
                Ok(v.clone())
            } else if i == 0 {
                // "-0" (any '-' before the first '0') becomes 0; other zeros
                // are returned unchanged.
                let s = v.as_str();
                if s.split('0').next().is_some_and(|p| p.contains('-')) {
                    Ok(Value::Int(0))
                } else {
                    Ok(v.clone())
                }
            } else {
                match i.checked_neg() {
                    Some(n) => Ok(Value::Int(n)),
                    None => big_value(-BigInt::from(i)),
                }
            }
        }
        Number::Double(d) => {
            if d.is_nan() {
                Err(nan_value_error())
            } else if d > 0.0 || (d == 0.0 && d.is_sign_positive()) {
                Ok(v.clone())
            } else {
                Ok(Value::Double(-d))
            }
        }
        Number::Big(b) => {
            if b.is_negative() {
                big_value(-b)
            } else {
                Ok(v.clone())
            }
        }
    }
}

fn round_func(v: &Value) -> Result<Value, Exception> {
    let d = match fn_number(v)? {
        Number::Double(d) => d,
        _ => return Ok(v.clone()),
    };
    if d.is_nan() {
        return Err(nan_value_error());
    }
    if d.is_infinite() {
        return Err(iovf_error());
    }
    let int_part = d.trunc();
    let frac = d - int_part;
    let adjust: i64 = if frac <= -0.5 {
        -1
    } else if frac >= 0.5 {
        1
    } else {
        0
    };
    let max = if adjust == 1 { i64::MAX - 1 } else { i64::MAX };
    let min = if adjust == -1 { i64::MIN + 1 } else { i64::MIN };
    if int_part >= max as f64 || int_part <= min as f64 {
        let big = BigInt::from_f64(int_part).unwrap_or_default() + adjust;
        return big_value(big);
    }
    Ok(Value::Int(int_part as i64 + adjust))
}

fn isqrt_func(v: &Value) -> Result<Value, Exception> {
    const MAX_EXACT: f64 = 9007199254740992.0;
    fn negative() -> Exception {
        Exception::error_code(
            "square root of negative argument",
            &["ARITH", "DOMAIN", "domain error: argument not in valid range"],
        )
    }
    let big = match fn_number(v)? {
        Number::Double(d) => {
            if d.is_nan() {
                return Err(nan_value_error());
            }
            if d < 0.0 {
                return Err(negative());
            }
            if d <= MAX_EXACT {
                return Ok(Value::Int(d.sqrt() as i64));
            }
            if d.is_infinite() {
                return Err(iovf_error());
            }
            BigInt::from_f64(d.trunc()).unwrap_or_default()
        }
        Number::Int(i) => {
            if i < 0 {
                return Err(negative());
            }
            let d = i as f64;
            if d < MAX_EXACT {
                return Ok(Value::Int(d.sqrt() as i64));
            }
            BigInt::from(i)
        }
        Number::Big(b) => {
            if b.is_negative() {
                return Err(negative());
            }
            b
        }
    };
    big_value(big.sqrt())
}

fn sqrt_func(v: &Value) -> Result<Value, Exception> {
    let d = fn_double(v)?;
    if d >= 0.0 && d.is_infinite() {
        if let Some(Number::Big(b)) = v.as_number_opt() {
            return Ok(Value::Double(big_to_f64(&b.sqrt())));
        }
    }
    // sqrt of a negative number is NaN here; expr reports it when it uses
    // the value (as Tcl does).
    Ok(Value::Double(d.sqrt()))
}

fn floor_ceil(v: &Value, ceil: bool) -> Result<Value, Exception> {
    let d = fn_double(v)?;
    let r = match v.as_number_opt() {
        Some(Number::Int(i)) => integer_to_f64_directed(&BigInt::from(i), ceil),
        Some(Number::Big(b)) => integer_to_f64_directed(&b, ceil),
        _ => {
            if ceil {
                d.ceil()
            } else {
                d.floor()
            }
        }
    };
    Ok(Value::Double(r))
}

/// The largest double not above (or with `up`, the smallest not below) an
/// integer, as TclFloor/TclCeil.
fn integer_to_f64_directed(b: &BigInt, up: bool) -> f64 {
    let toward_zero = up == b.is_negative();
    if b.is_negative() && !up && b.bits() > 1024 {
        // -TclCeil(|b|) for a huge |b|.
        return f64::NEG_INFINITY;
    }
    big_to_f64_round(b, if toward_zero { Round::Down } else { Round::Up })
}

fn unary_double(v: &Value, f: fn(f64) -> f64) -> Result<Value, Exception> {
    let d = fn_double(v)?;
    double_result(f(d))
}

fn binary_double(a: &Value, b: &Value, f: fn(f64, f64) -> f64) -> Result<Value, Exception> {
    let x = fn_double(a)?;
    let y = fn_double(b)?;
    double_result(f(x, y))
}

fn srand_seed(v: &Value) -> Result<i64, Exception> {
    match v.as_number_opt() {
        Some(Number::Int(i)) => Ok(i),
        Some(Number::Big(_)) => Ok(wrap64(v)),
        // A pure double (as a literal in a compiled expression) reports
        // INTEGER, a string NUMBER, as in Tcl.
        Some(Number::Double(_)) => Err(Exception::error_code(
            format!("expected integer but got \"{}\"", limited(&v.as_str())),
            &["TCL", "VALUE", if matches!(v, Value::Double(_)) { "INTEGER" } else { "NUMBER" }],
        )),
        None => Err(expected_error("integer", &v.as_str(), false)),
    }
}

const RAND_IA: i64 = 16807;
const RAND_IM: i64 = 2147483647;
const RAND_IQ: i64 = 127773;
const RAND_IR: i64 = 2836;
const RAND_MASK: i64 = 123459876;

/// Makes a seed valid for the generator (1 ..= 2**31 - 2).
fn fix_seed(seed: i64) -> u64 {
    let mut s = seed & 0x7fff_ffff;
    if s == 0 || s == 0x7fff_ffff {
        s ^= RAND_MASK;
    }
    s as u64
}

fn clock_seed() -> u64 {
    let t =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(1);
    fix_seed(t as i64)
}

/// One step of Tcl's generator (Park and Miller's minimal standard
/// multiplicative congruential generator, seed = 16807 * seed mod (2**31-1),
/// computed with Schrage's method); returns a double in (0, 1).
fn rand_next(state: &mut u64) -> f64 {
    if *state == 0 {
        *state = clock_seed();
    }
    let mut seed = (*state & 0x7fff_ffff) as i64;
    if seed == 0 || seed == RAND_IM {
        seed ^= RAND_MASK;
    }
    let tmp = seed / RAND_IQ;
    seed = RAND_IA * (seed - tmp * RAND_IQ) - RAND_IR * tmp;
    if seed < 0 {
        seed += RAND_IM;
    }
    *state = seed as u64;
    seed as f64 * (1.0 / RAND_IM as f64)
}

/// Tcl's `max`/`min` (procs in Tcl 8.6's init.tcl, hence errorCode NONE and
/// the original argument as the result).
fn max_min(name: &str, args: &[Value], want: Ordering) -> Result<Value, Exception> {
    if args.is_empty() {
        return Err(Exception::error(format!("not enough arguments to math function \"{name}\"")));
    }
    let start = if want == Ordering::Greater { f64::NEG_INFINITY } else { f64::INFINITY };
    let mut best = Value::Double(start);
    let mut best_n = Number::Double(start);
    for a in args {
        if let Err(e) = fn_double(a) {
            return Err(Exception::error(e.value().as_str().into_owned()));
        }
        let n = match a.as_number_opt() {
            Some(n) => n,
            None => continue,
        };
        if compare_numbers(&n, &best_n) == want {
            best = a.clone();
            best_n = n;
        }
    }
    Ok(best)
}

/// Calls the math function `name` (with or without its
/// `tcl::mathfunc::` prefix) with the given arguments (not including the
/// function name). Results follow tclsh exactly, including which functions
/// return their argument unchanged (`abs(0x10)`, `round(0x10)`,
/// `entier(0x10)`, `max(0x10,3)` give `0x10`, which [`to_numeric_result`]
/// then canonicalises in `expr`) and `sqrt` of a negative number, which is
/// NaN rather than an error (expr reports it when the value is used).
///
/// `rng` is the interpreter's `rand()` state: 0 means never seeded (the
/// first `rand()` then seeds it from the clock, as Tcl does); `srand(n)`
/// sets it, after which `rand()` sequences are those of tclsh. Nonzero
/// states stay in 1 ..= 2**31-2, so the state is plain data to snapshot.
pub fn math_func(name: &str, args: &[Value], rng: &mut u64) -> Result<Value, Exception> {
    let name = name.strip_prefix("::tcl::mathfunc::").or_else(|| name.strip_prefix("tcl::mathfunc::")).unwrap_or(name);
    match name {
        "abs" => {
            arg_count(name, args, 1)?;
            abs_func(&args[0])
        }
        "acos" | "asin" | "atan" | "cos" | "cosh" | "exp" | "log" | "log10" | "sin" | "sinh" | "tan" | "tanh" => {
            arg_count(name, args, 1)?;
            let f: fn(f64) -> f64 = match name {
                "acos" => f64::acos,
                "asin" => f64::asin,
                "atan" => f64::atan,
                "cos" => f64::cos,
                "cosh" => f64::cosh,
                "exp" => f64::exp,
                "log" => f64::ln,
                "log10" => f64::log10,
                "sin" => f64::sin,
                "sinh" => f64::sinh,
                "tan" => f64::tan,
                _ => f64::tanh,
            };
            unary_double(&args[0], f)
        }
        "atan2" | "fmod" | "hypot" | "pow" => {
            arg_count(name, args, 2)?;
            let f: fn(f64, f64) -> f64 = match name {
                "atan2" => f64::atan2,
                "fmod" => |a, b| a % b,
                "hypot" => f64::hypot,
                _ => f64::powf,
            };
            binary_double(&args[0], &args[1], f)
        }
        "bool" => {
            arg_count(name, args, 1)?;
            Ok(Value::bool(truth(&args[0])?))
        }
        "ceil" | "floor" => {
            arg_count(name, args, 1)?;
            floor_ceil(&args[0], name == "ceil")
        }
        "double" => {
            arg_count(name, args, 1)?;
            Ok(Value::Double(fn_double(&args[0])?))
        }
        "entier" => {
            arg_count(name, args, 1)?;
            entier_func(&args[0])
        }
        "int" | "wide" => {
            arg_count(name, args, 1)?;
            let v = entier_func(&args[0])?;
            Ok(Value::Int(wrap64(&v)))
        }
        "isqrt" => {
            arg_count(name, args, 1)?;
            isqrt_func(&args[0])
        }
        "max" => max_min(name, args, Ordering::Greater),
        "min" => max_min(name, args, Ordering::Less),
        "rand" => {
            arg_count(name, args, 0)?;
            Ok(Value::Double(rand_next(rng)))
        }
        "round" => {
            arg_count(name, args, 1)?;
            round_func(&args[0])
        }
        "sqrt" => {
            arg_count(name, args, 1)?;
            sqrt_func(&args[0])
        }
        "srand" => {
            arg_count(name, args, 1)?;
            let seed = srand_seed(&args[0])?;
            *rng = fix_seed(seed);
            Ok(Value::Double(rand_next(rng)))
        }
        _ => {
            let full = format!("tcl::mathfunc::{name}");
            Err(Exception::error_code(format!("invalid command name \"{full}\""), &["TCL", "LOOKUP", "COMMAND", &full]))
        }
    }
}

#[cfg(test)]
mod tests;
