//! Numbers in their Tcl string forms: parsing (decimal, 0x, 0o, 0b, 0d,
//! leading-zero octal, doubles, Inf and NaN, surrounding whitespace) and
//! formatting doubles as Tcl 8.6 does (shortest round-trip digits).

use num_bigint::BigInt;
use num_traits::{Num, ToPrimitive};

use crate::value::Number;

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Parses a Tcl number. Returns `None` for anything that is not one.
pub fn parse_number(s: &str) -> Option<Number> {
    let t = s.trim_matches(|c: char| c.is_ascii() && is_space(c as u8));
    if t.is_empty() {
        return None;
    }
    let (neg, body) = match t.as_bytes()[0] {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if body.is_empty() {
        return None;
    }
    let b = body.as_bytes();
    if b[0] == b'0' && b.len() > 1 {
        let radix = match b[1] {
            b'x' | b'X' => Some(16),
            b'o' | b'O' => Some(8),
            b'b' | b'B' => Some(2),
            b'd' | b'D' => Some(10),
            _ => None,
        };
        if let Some(radix) = radix {
            return parse_radix(&body[2..], radix, neg);
        }
        if b.iter().all(|c| c.is_ascii_digit()) {
            // Leading zero: octal in Tcl 8.6 ("08" is not a number).
            return parse_radix(&body[1..], 8, neg);
        }
    }
    if b.iter().all(|c| c.is_ascii_digit()) {
        return parse_radix(body, 10, neg);
    }
    parse_double(body).map(|d| Number::Double(if neg { -d } else { d }))
}

/// Why a string is not an integer, when it looks like a bad octal number
/// (Tcl adds this hint to some messages).
pub fn looks_like_bad_octal(s: &str) -> bool {
    let t = s.trim();
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    t.len() > 1 && t.starts_with('0') && t.bytes().all(|c| c.is_ascii_digit()) && t.bytes().any(|c| c >= b'8')
}

fn parse_radix(digits: &str, radix: u32, neg: bool) -> Option<Number> {
    if digits.is_empty() || !digits.bytes().all(|c| (c as char).is_digit(radix)) {
        return None;
    }
    if let Ok(v) = u64::from_str_radix(digits, radix) {
        if neg {
            if v <= i64::MAX as u64 + 1 {
                return Some(Number::Int((v as i64).wrapping_neg()));
            }
        } else if v <= i64::MAX as u64 {
            return Some(Number::Int(v as i64));
        }
    }
    let big = BigInt::from_str_radix(digits, radix).ok()?;
    let big = if neg { -big } else { big };
    Some(match big.to_i64() {
        Some(i) => Number::Int(i),
        None => Number::Big(big),
    })
}

fn parse_double(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    match lower.as_str() {
        "inf" | "infinity" => return Some(f64::INFINITY),
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    // Validate Tcl's decimal syntax: digits [. digits] [e [+-] digits].
    let b = s.as_bytes();
    let mut i = 0;
    let mut mantissa_digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        mantissa_digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            mantissa_digits += 1;
        }
    }
    if mantissa_digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    s.parse::<f64>().ok()
}

/// Tcl's boolean words: true false yes no on off, any case, unique
/// prefixes (but "o" alone is ambiguous).
pub fn parse_bool_word(s: &str) -> Option<bool> {
    let l = s.to_ascii_lowercase();
    if l.is_empty() {
        return None;
    }
    for (word, val) in [("true", true), ("false", false), ("yes", true), ("no", false)] {
        if word.starts_with(&l) {
            return Some(val);
        }
    }
    if l.len() >= 2 {
        if "on".starts_with(&l) {
            return Some(true);
        }
        if "off".starts_with(&l) {
            return Some(false);
        }
    }
    None
}

/// A double's string form as in Tcl 8.6 (tcl_precision 0): the shortest
/// digits that round-trip, in exponent form when the exponent is below -4
/// or at least 17, and always with a `.` or an exponent.
pub fn format_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Inf".into() } else { "-Inf".into() };
    }
    let sci = match pow2_digits(d) {
        Some(sci) => sci,
        None => format!("{d:e}"),
    };
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci.as_str(), 0),
    };
    if !(-4..17).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{}", exp.abs());
    }
    let mut s = format!("{d}");
    if !s.contains('.') {
        s.push_str(".0");
    }
    s
}

/// Tcl 8.6 quirk: for an exact power of two its shortest-digits search
/// uses a symmetric interval (not the true, asymmetric one), so e.g.
/// 2**64 prints as 1.844674407370955e+19 (which does not read back
/// exactly) and 2**-31 needs 17 digits. Returns the digits in Rust's
/// `{:e}` form, or `None` when `d` is not a normal power of two.
fn pow2_digits(d: f64) -> Option<String> {
    use num_bigint::BigInt;
    let bits = d.abs().to_bits();
    let exp_bits = (bits >> 52) as i64;
    if bits & ((1u64 << 52) - 1) != 0 || exp_bits <= 1 || exp_bits >= 0x7ff {
        return None;
    }
    let e = exp_bits - 1023; // |d| = 2^e
                             // Work in units of 2^(e-54), where x = 2^54 units. Tcl's interval is
                             // symmetric: half the gap above x for e > 0, half the gap below else.
    let unit_exp = e - 54;
    let half = if e > 0 { 2 } else { 1 };
    for p in 1..=17usize {
        let cand = format!("{:.*e}", p - 1, d.abs());
        let (mant, ex) = cand.split_once('e')?;
        let digits: BigInt = mant.replace('.', "").parse().ok()?;
        let dec_exp = ex.parse::<i64>().ok()? - (p as i64 - 1);
        // Compare digits * 10^dec_exp with (2^54 + k) * 2^unit_exp.
        let (mut lhs, mut scale) = (digits, BigInt::from(1));
        if dec_exp >= 0 {
            lhs *= BigInt::from(10).pow(dec_exp as u32);
        } else {
            scale *= BigInt::from(10).pow((-dec_exp) as u32);
        }
        let (mut num_lo, mut num_hi) = (BigInt::from((1i64 << 54) - half), BigInt::from((1i64 << 54) + half));
        if unit_exp >= 0 {
            num_lo <<= unit_exp as usize;
            num_hi <<= unit_exp as usize;
        } else {
            lhs <<= (-unit_exp) as usize;
        }
        num_lo *= &scale;
        num_hi *= &scale;
        if num_lo < lhs && lhs < num_hi {
            let sign = if d < 0.0 { "-" } else { "" };
            // Trim trailing zeros of the mantissa as `{:e}` does.
            let mant = if mant.contains('.') { mant.trim_end_matches('0').trim_end_matches('.') } else { mant };
            return Some(format!("{sign}{mant}e{ex}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_match_tclsh() {
        // Recorded from tclsh 8.6.13.
        for (d, s) in [
            (1e16, "10000000000000000.0"),
            (1e15, "1000000000000000.0"),
            (1e-5, "1e-5"),
            (0.0001, "0.0001"),
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (1.0 / 3.0, "0.3333333333333333"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (1.5e-7, "1.5e-7"),
            (1e17, "1e+17"),
            (1.5e300, "1.5e+300"),
            (5e-324, "5e-324"),
            (18446744073709551616.0, "1.844674407370955e+19"),
            (2f64.powi(-31), "4.6566128730773926e-10"),
            (2f64.powi(69), "5.902958103587057e+20"),
            (1024.0, "1024.0"),
            (0.5, "0.5"),
        ] {
            assert_eq!(format_double(d), s);
        }
    }

    #[test]
    fn integers() {
        assert_eq!(parse_number(" 0x1F "), Some(Number::Int(31)));
        assert_eq!(parse_number("010"), Some(Number::Int(8)));
        assert_eq!(parse_number("08"), None);
        assert_eq!(parse_number("-0b101"), Some(Number::Int(-5)));
        assert_eq!(parse_number("-9223372036854775808"), Some(Number::Int(i64::MIN)));
        assert!(matches!(parse_number("9223372036854775808"), Some(Number::Big(_))));
        assert_eq!(parse_number("1."), Some(Number::Double(1.0)));
        assert_eq!(parse_number(".5e1"), Some(Number::Double(5.0)));
        assert_eq!(parse_number("1e"), None);
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number(""), None);
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_bool_word("TRUE"), Some(true));
        assert_eq!(parse_bool_word("of"), Some(false));
        assert_eq!(parse_bool_word("o"), None);
        assert_eq!(parse_bool_word("n"), Some(false));
    }
}
