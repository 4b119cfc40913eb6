use super::*;

fn v(s: &str) -> Value {
    Value::from(s)
}

fn show(r: Result<Value, Exception>) -> String {
    match r {
        Ok(v) => v.as_str().into_owned(),
        Err(e) => format!("ERR {} | {}", e.value().as_str(), e.error_code_value().as_str()),
    }
}

fn big(s: &str) -> Value {
    Value::from_number(crate::number::parse_number(s).unwrap())
}

fn op_of(sym: &str) -> BinOp {
    use BinOp::*;
    for op in [
        Add, Sub, Mul, Div, Mod, Pow, Lt, Gt, Le, Ge, Eq, Ne, StrEq, StrNe, StrLt, StrGt, StrLe, StrGe, In, Ni, BitAnd,
        BitOr, BitXor, Shl, Shr,
    ] {
        if op.symbol() == sym {
            return op;
        }
    }
    panic!("no op {sym}")
}

/// (left, op, right, result) recorded from tclsh 8.6.13
/// (`expr {$a OP $b}`; "ERR message | errorCode").
#[test]
fn binary_matches_tclsh() {
    let two70 = "1180591620717411303424";
    let m2_70 = "-1180591620717411303424";
    let cases: &[(&str, &str, &str, &str)] = &[
        ("a", "+", "1", "ERR can't use non-numeric string as operand of \"+\" | ARITH DOMAIN {non-numeric string}"),
        ("", "-", "1", "ERR can't use empty string as operand of \"-\" | ARITH DOMAIN {empty string}"),
        ("1.5", "%", "2", "ERR can't use floating-point value as operand of \"%\" | ARITH DOMAIN {floating-point value}"),
        ("nan", "*", "1", "ERR can't use non-numeric floating-point value as operand of \"*\" | ARITH DOMAIN {non-numeric floating-point value}"),
        ("1", "/", "0", "ERR divide by zero | ARITH DIVZERO {divide by zero}"),
        ("1", "%", "0", "ERR divide by zero | ARITH DIVZERO {divide by zero}"),
        ("1", "/", "0.0", "Inf"),
        ("-1", "/", "0.0", "-Inf"),
        ("0", "/", "0.0", "ERR domain error: argument not in valid range | ARITH DOMAIN {domain error: argument not in valid range}"),
        ("1e308", "*", "10", "Inf"),
        ("1", "+", "08", "ERR can't use invalid octal number as operand of \"+\" | ARITH DOMAIN {invalid octal number}"),
        ("0o9", "+", "1", "ERR can't use invalid octal number as operand of \"+\" | ARITH DOMAIN {invalid octal number}"),
        ("0o", "+", "1", "ERR can't use invalid octal number as operand of \"+\" | ARITH DOMAIN {invalid octal number}"),
        (" 09 ", "+", "1", "ERR can't use invalid octal number as operand of \"+\" | ARITH DOMAIN {invalid octal number}"),
        ("0 9", "+", "1", "ERR can't use non-numeric string as operand of \"+\" | ARITH DOMAIN {non-numeric string}"),
        ("09.5", "+", "1", "10.5"),
        ("1 ", "+", "1", "2"),
        ("2", "**", "-1", "0"),
        ("1", "**", "-1", "1"),
        ("-1", "**", "-1", "-1"),
        ("-1", "**", "-2", "1"),
        ("0", "**", "-1", "ERR exponentiation of zero by negative power | ARITH DOMAIN {exponentiation of zero by negative power}"),
        ("0.0", "**", "-1", "ERR exponentiation of zero by negative power | ARITH DOMAIN {exponentiation of zero by negative power}"),
        ("0", "**", "0", "1"),
        ("2", "**", "0.5", "1.4142135623730951"),
        ("-8", "**", "0.3333333333333333", "ERR domain error: argument not in valid range | ARITH DOMAIN {domain error: argument not in valid range}"),
        ("2", "**", "64", "18446744073709551616"),
        ("-2", "**", "63", "-9223372036854775808"),
        ("3", "**", "40", "12157665459056928801"),
        ("-3", "**", "41", "-36472996377170786403"),
        ("2", "**", two70, "ERR exponent too large | NONE"),
        ("3", "**", "2147483648", "ERR exponent too large | NONE"),
        ("1", "**", two70, "1"),
        ("-1", "**", "1180591620717411303425", "-1"),
        ("0", "**", two70, "0"),
        ("2", "**", m2_70, "0"),
        ("2.0", "**", two70, "Inf"),
        ("0.0", "**", "0", "1.0"),
        ("inf", "**", "0", "1.0"),
        ("0x10", "**", "1", "0x10"),
        ("1e1", "**", "1", "10.0"),
        ("7", "**", "-2", "0"),
        ("10.0", "**", "-400", "0.0"),
        ("1", "<<", "64", "18446744073709551616"),
        ("1", "<<", "-1", "ERR negative shift argument | NONE"),
        ("0", "<<", "-1", "ERR negative shift argument | NONE"),
        ("1", ">>", "-1", "ERR negative shift argument | NONE"),
        ("-1", ">>", "100", "-1"),
        ("1", "<<", "0x7fffffffffffffff", "ERR integer value too large to represent | NONE"),
        ("1", "<<", two70, "ERR integer value too large to represent | NONE"),
        ("0", "<<", two70, "0"),
        ("1", ">>", two70, "0"),
        ("-1", ">>", two70, "-1"),
        ("5", ">>", "1000", "0"),
        ("1267650600228229401496703205376", ">>", "3", "158456325028528675187087900672"),
        ("-1267650600228229401496703205376", ">>", "3", "-158456325028528675187087900672"),
        ("1267650600228229401496703205376", ">>", "64", "68719476736"),
        ("-1267650600228229401496703205376", ">>", "64", "-68719476736"),
        ("1267650600228229401496703205376", ">>", "100", "1"),
        ("-1", "<<", "63", "-9223372036854775808"),
        ("1", "<<", "63", "9223372036854775808"),
        ("-1", "<<", "64", "-18446744073709551616"),
        ("3", "<<", "62", "13835058055282163712"),
        ("-3", "<<", "62", "-13835058055282163712"),
        ("18446744073709551616", ">>", "1", "9223372036854775808"),
        ("1.5", "<<", "1", "ERR can't use floating-point value as operand of \"<<\" | ARITH DOMAIN {floating-point value}"),
        ("1", "<<", "1.5", "ERR can't use floating-point value as operand of \"<<\" | ARITH DOMAIN {floating-point value}"),
        ("abc", "==", "abd", "0"),
        ("abc", "<", "abd", "1"),
        ("1", "==", "1.0", "1"),
        ("0x10", "==", "16", "1"),
        ("a", "eq", "a", "1"),
        ("1", "eq", "1.0", "0"),
        ("a", "in", "a b", "1"),
        ("c", "ni", "a b", "1"),
        ("1", "in", "1.0", "0"),
        ("", "in", "", "0"),
        ("", "in", "{}", "1"),
        ("a", "in", "{", "ERR unmatched open brace in list | TCL VALUE LIST BRACE"),
        ("9223372036854775807", "+", "1", "9223372036854775808"),
        ("-9223372036854775808", "-", "1", "-9223372036854775809"),
        ("-9223372036854775808", "/", "-1", "9223372036854775808"),
        ("-9223372036854775808", "%", "-1", "0"),
        ("9223372036854775807", "*", "2", "18446744073709551614"),
        ("-9223372036854775808", "*", "-1", "9223372036854775808"),
        ("3037000500", "*", "3037000500", "9223372037000250000"),
        ("-7", "/", "2", "-4"),
        ("7", "/", "-2", "-4"),
        ("-7", "%", "2", "1"),
        ("7", "%", "-2", "-1"),
        (m2_70, "/", "3", "-393530540239137101142"),
        (m2_70, "%", "3", "2"),
        (two70, "%", "-3", "-2"),
        (two70, "/", "0", "ERR divide by zero | ARITH DIVZERO {divide by zero}"),
        ("0", "/", two70, "0"),
        ("5", "/", two70, "0"),
        ("-5", "/", two70, "-1"),
        ("-5", "%", two70, "1180591620717411303419"),
        ("5", "%", m2_70, "-1180591620717411303419"),
        ("-7.0", "/", "2", "-3.5"),
        ("1", "&", "1.0", "ERR can't use floating-point value as operand of \"&\" | ARITH DOMAIN {floating-point value}"),
        ("3", "&", "5", "1"),
        ("3", "|", "5", "7"),
        ("3", "^", "5", "6"),
        ("-1", "&", two70, two70),
        (two70, "|", "-1", "-1"),
        (m2_70, "&", "0xff", "0"),
        (m2_70, "|", "1", "-1180591620717411303423"),
        (m2_70, "^", "-1", "1180591620717411303423"),
        ("-5", "&", "-3", "-7"),
        ("inf", "+", "1", "Inf"),
        ("inf", "-", "inf", "ERR domain error: argument not in valid range | ARITH DOMAIN {domain error: argument not in valid range}"),
        ("0", "*", "inf", "ERR domain error: argument not in valid range | ARITH DOMAIN {domain error: argument not in valid range}"),
        ("1.0", "/", "0", "Inf"),
        ("1e-320", "/", "1e10", "0.0"),
        ("1", "<", "nan", "0"),
        ("1", ">", "nan", "0"),
        ("1", "!=", "nan", "1"),
        ("nan", "==", "nan", "0"),
        ("nan", "==", "abc", "0"),
        ("nan", "<", "zzz", "1"),
        ("zzz", ">", "nan", "1"),
        ("abc", "<", "1", "0"),
        ("x", ">", "1", "1"),
        ("10", "<", "9a", "1"),
        ("", "<", "1", "1"),
        ("", "==", "0", "0"),
        (" 1", "==", "1", "1"),
        ("9223372036854775807", "==", "9223372036854775807.0", "0"),
        ("9223372036854775807", "<", "9223372036854775808.0", "0"),
        ("9223372036854775807", ">", "9223372036854775808.0", "1"),
        ("-9223372036854775808", "==", "-9223372036854775808.0", "1"),
        ("-9223372036854775807", ">", "-9223372036854775808.0", "1"),
        ("9223372036854775806", "<", "9223372036854775807.0", "0"),
        ("9007199254740993", "==", "9007199254740992.0", "0"),
        ("9007199254740993", ">", "9007199254740992.0", "1"),
        ("20000000000000003", "<", "20000000000000004.0", "1"),
        ("18446744073709551616", ">", "18446744073709551615.5", "0"),
        ("18446744073709551616", "==", "18446744073709551616.0", "1"),
        ("1180591620717411303425", ">", "1180591620717411303424.0", "1"),
        ("1500000000000000019884624838656", "==", "1.5e30", "0"),
        ("5", "+", "2.5", "7.5"),
        (two70, "*", "1.5", "1.770887431076117e+21"),
        (two70, "+", "0.5", "1.1805916207174113e+21"),
        ("x", "**", "2", "ERR can't use non-numeric string as operand of \"**\" | ARITH DOMAIN {non-numeric string}"),
        ("a", "+", "nan", "ERR can't use non-numeric string as operand of \"+\" | ARITH DOMAIN {non-numeric string}"),
        ("nan", "+", "a", "ERR can't use non-numeric floating-point value as operand of \"+\" | ARITH DOMAIN {non-numeric floating-point value}"),
        ("", "+", "a", "ERR can't use empty string as operand of \"+\" | ARITH DOMAIN {empty string}"),
        ("1.5", "%", "a", "ERR can't use floating-point value as operand of \"%\" | ARITH DOMAIN {floating-point value}"),
        ("a", "%", "1.5", "ERR can't use non-numeric string as operand of \"%\" | ARITH DOMAIN {non-numeric string}"),
        ("1.5", "<<", "a", "ERR can't use floating-point value as operand of \"<<\" | ARITH DOMAIN {floating-point value}"),
        ("nan", "**", "0", "ERR can't use non-numeric floating-point value as operand of \"**\" | ARITH DOMAIN {non-numeric floating-point value}"),
        ("a", "lt", "b", "1"),
        ("b", "ge", "b", "1"),
    ];
    for (a, sym, b, want) in cases {
        let a =
            if a.len() > 18 && a.trim_start_matches('-').bytes().all(|c| c.is_ascii_digit()) { big(a) } else { v(a) };
        let got = show(binary(op_of(sym), &a, &v(b)));
        assert_eq!(&got, want, "{a} {sym} {b}");
    }
}

#[test]
fn huge_integers_against_infinity() {
    let p2000 = Value::big(BigInt::from(1) << 2000usize);
    let m2000 = Value::big(-(BigInt::from(1) << 2000usize));
    assert_eq!(show(binary(BinOp::Gt, &v("inf"), &p2000)), "1");
    assert_eq!(show(binary(BinOp::Lt, &v("-inf"), &m2000)), "1");
    assert_eq!(show(binary(BinOp::Gt, &p2000, &v("1e300"))), "1");
    assert_eq!(show(binary(BinOp::Lt, &v("1e30"), &Value::big(BigInt::from(1) << 120usize))), "1");
}

#[test]
fn big_powers_are_capped() {
    let r = binary(BinOp::Pow, &v("2"), &v("1000000")).unwrap();
    assert_eq!(r.as_str().len(), 301030);
    let e = binary(BinOp::Pow, &v("3"), &v("1000000")).unwrap_err();
    assert_eq!(e.value().as_str(), "exponent too large");
    assert_eq!(show(binary(BinOp::Shl, &v("1"), &v("2000000"))), "ERR integer value too large to represent | NONE");
    let x = binary(BinOp::Pow, &v("2"), &v("700000")).unwrap();
    assert!(binary(BinOp::Mul, &x, &x).is_err());
}

#[test]
fn unary_matches_tclsh() {
    let cases: &[(&str, &str, &str)] = &[
        ("!", "true", "0"),
        ("!", "yes", "0"),
        ("!", "no", "1"),
        ("!", "x", "ERR can't use non-numeric string as operand of \"!\" | ARITH DOMAIN {non-numeric string}"),
        ("!", "1.5", "0"),
        ("!", "0.0", "1"),
        ("!", "0x0", "1"),
        ("!", "1180591620717411303424", "0"),
        ("!", "", "ERR can't use empty string as operand of \"!\" | ARITH DOMAIN {empty string}"),
        ("!", "nan", "ERR can't use non-numeric floating-point value as operand of \"!\" | ARITH DOMAIN {non-numeric floating-point value}"),
        ("!", "09", "ERR can't use invalid octal number as operand of \"!\" | ARITH DOMAIN {invalid octal number}"),
        ("~", "1.5", "ERR can't use floating-point value as operand of \"~\" | ARITH DOMAIN {floating-point value}"),
        ("~", "a", "ERR can't use non-numeric string as operand of \"~\" | ARITH DOMAIN {non-numeric string}"),
        ("~", "0", "-1"),
        ("~", "1180591620717411303424", "-1180591620717411303425"),
        ("-", "a", "ERR can't use non-numeric string as operand of \"-\" | ARITH DOMAIN {non-numeric string}"),
        ("-", "", "ERR can't use empty string as operand of \"-\" | ARITH DOMAIN {empty string}"),
        ("-", "0x10", "-16"),
        ("-", "-9223372036854775808", "9223372036854775808"),
        ("-", "0.0", "-0.0"),
        ("-", "0", "0"),
        ("-", "inf", "-Inf"),
        ("-", "nan", "ERR can't use non-numeric floating-point value as operand of \"-\" | ARITH DOMAIN {non-numeric floating-point value}"),
        ("+", "0x10", "16"),
        (" +", " 12 ", "12"),
        ("+", "1e3", "1000.0"),
        ("+", "abc", "ERR can't use non-numeric string as operand of \"+\" | ARITH DOMAIN {non-numeric string}"),
    ];
    for (sym, a, want) in cases {
        let op = match sym.trim() {
            "!" => UnOp::Not,
            "~" => UnOp::BitNot,
            "-" => UnOp::Neg,
            _ => UnOp::Plus,
        };
        assert_eq!(&show(unary(op, &v(a))), want, "{sym}{a}");
    }
}

#[test]
fn numeric_results() {
    for (a, want) in [
        ("0x10", "16"),
        (" 12 ", "12"),
        ("1e3", "1000.0"),
        ("abc", "abc"),
        ("08", "08"),
        ("1_000", "1_000"),
        ("0b101", "5"),
        ("0o17", "15"),
        ("1.50", "1.5"),
        ("true", "true"),
        ("-0x10", "-16"),
        ("+5", "5"),
        ("Inf", "Inf"),
        ("-inf", "-Inf"),
        ("infinity", "Inf"),
        (
            "nan",
            "ERR domain error: argument not in valid range | ARITH DOMAIN {domain error: argument not in valid range}",
        ),
    ] {
        assert_eq!(show(to_numeric_result(v(a))), want, "{a}");
    }
}

#[test]
fn truth_values() {
    assert!(truth(&v("yes")).unwrap());
    assert!(!truth(&v("0.0")).unwrap());
    assert!(truth(&v("1180591620717411303424")).unwrap());
    assert_eq!(show(truth(&v("x")).map(Value::bool)), "ERR expected boolean value but got \"x\" | TCL VALUE NUMBER");
    assert_eq!(
        show(truth(&v("09")).map(Value::bool)),
        "ERR expected boolean value but got \"09\" (looks like invalid octal number) | TCL VALUE NUMBER"
    );
    assert_eq!(
        show(truth(&v("nan")).map(Value::bool)),
        "ERR floating point value is Not a Number | TCL VALUE DOUBLE NAN"
    );
    let long = "a".repeat(100);
    assert_eq!(
        show(truth(&v(&long)).map(Value::bool)),
        format!("ERR expected boolean value but got \"{}\" | TCL VALUE NUMBER", "a".repeat(50))
    );
}

fn call(src: &str) -> String {
    // "name(arg,arg)" with literal arguments.
    let open = src.find('(').unwrap();
    let name = &src[..open];
    let inner = &src[open + 1..src.len() - 1];
    let args: Vec<Value> =
        if inner.is_empty() { vec![] } else { inner.split(',').map(|a| big_or_str(a.trim())).collect() };
    let mut rng = 0;
    show(math_func(name, &args, &mut rng))
}

fn big_or_str(a: &str) -> Value {
    if a.len() > 18 && a.trim_start_matches('-').bytes().all(|c| c.is_ascii_digit()) {
        big(a)
    } else {
        v(a)
    }
}

/// Recorded from tclsh 8.6.13 (`expr {f(args)}`, or the direct
/// `tcl::mathfunc::f` call where expr would convert the result).
#[test]
fn math_funcs_match_tclsh() {
    let p70 = "1180591620717411303424";
    let p1100 = format!("{}", (BigInt::from(1) << 1100usize));
    let p2000 = format!("{}", (BigInt::from(1) << 2000usize));
    let cases: Vec<(String, &str)> = vec![
        ("abs(-5)".into(), "5"),
        ("abs(-5.5)".into(), "5.5"),
        ("abs(-0.0)".into(), "0.0"),
        ("abs(a)".into(), "ERR expected number but got \"a\" | TCL VALUE NUMBER"),
        ("abs()".into(), "ERR not enough arguments for math function \"abs\" | TCL WRONGARGS"),
        ("abs(1,2)".into(), "ERR too many arguments for math function \"abs\" | TCL WRONGARGS"),
        (format!("abs(-{p70})"), p70),
        ("abs(-9223372036854775808)".into(), "9223372036854775808"),
        ("abs(-inf)".into(), "Inf"),
        ("abs(0x10)".into(), "0x10"),
        ("abs(1.50)".into(), "1.50"),
        ("abs(-1.50)".into(), "1.5"),
        ("abs(-0)".into(), "0"),
        ("abs(09)".into(), "ERR expected number but got \"09\" (looks like invalid octal number) | TCL VALUE NUMBER"),
        ("abs(nan)".into(), "ERR floating point value is Not a Number | TCL VALUE DOUBLE NAN"),
        ("int(5.7)".into(), "5"),
        ("int(-5.7)".into(), "-5"),
        ("int(1e20)".into(), "7766279631452241920"),
        ("int(-1e20)".into(), "-7766279631452241920"),
        (format!("int({p70})"), "0"),
        ("int(inf)".into(), "ERR integer value too large to represent | ARITH IOVERFLOW {integer value too large to represent}"),
        ("int(true)".into(), "ERR expected number but got \"true\" | TCL VALUE NUMBER"),
        ("int(9223372036854775807.0)".into(), "-9223372036854775808"),
        ("int(1.5e19)".into(), "-3446744073709551616"),
        ("int(-1.5e19)".into(), "3446744073709551616"),
        ("int(1e300)".into(), "0"),
        ("int(nan)".into(), "ERR floating point value is Not a Number | TCL VALUE DOUBLE NAN"),
        ("wide(9223372036854775808)".into(), "-9223372036854775808"),
        ("entier(1e20)".into(), "100000000000000000000"),
        ("entier(-5.5)".into(), "-5"),
        ("entier(0x10)".into(), "0x10"),
        ("entier(inf)".into(), "ERR integer value too large to represent | ARITH IOVERFLOW {integer value too large to represent}"),
        ("entier(0x)".into(), "ERR expected number but got \"0x\" | TCL VALUE NUMBER"),
        ("double(5)".into(), "5.0"),
        (format!("double({p70})"), "1.1805916207174113e+21"),
        ("double(a)".into(), "ERR expected floating-point number but got \"a\" | TCL VALUE NUMBER"),
        ("double(09)".into(), "ERR expected floating-point number but got \"09\" (looks like invalid octal number) | TCL VALUE NUMBER"),
        (format!("double({p1100})"), "Inf"),
        ("double(9007199254740993)".into(), "9007199254740992.0"),
        ("round(2.5)".into(), "3"),
        ("round(-2.5)".into(), "-3"),
        ("round(0.49999999999999994)".into(), "0"),
        ("round(1e20)".into(), "100000000000000000000"),
        ("round(-1e20)".into(), "-100000000000000000000"),
        ("round(0x10)".into(), "0x10"),
        ("round(4503599627370495.5)".into(), "4503599627370496"),
        ("round(-4503599627370495.5)".into(), "-4503599627370496"),
        ("round(9.2233720368547748e18)".into(), "9223372036854774784"),
        ("round(-9.2233720368547758e18)".into(), "-9223372036854775808"),
        ("round(-0.5)".into(), "-1"),
        ("round(-0.4)".into(), "0"),
        ("round(-0.0)".into(), "0"),
        ("round(inf)".into(), "ERR integer value too large to represent | ARITH IOVERFLOW {integer value too large to represent}"),
        ("sqrt(4)".into(), "2.0"),
        ("sqrt(2)".into(), "1.4142135623730951"),
        ("sqrt(-1)".into(), "NaN"),
        (format!("sqrt({p70})"), "34359738368.0"),
        (format!("sqrt({p1100})"), "3.6855101804897865e+165"),
        ("sqrt(-0.0)".into(), "-0.0"),
        ("sqrt(a)".into(), "ERR expected floating-point number but got \"a\" | TCL VALUE NUMBER"),
        ("sqrt()".into(), "ERR not enough arguments for math function \"sqrt\" | TCL WRONGARGS"),
        ("sqrt(1,2)".into(), "ERR too many arguments for math function \"sqrt\" | TCL WRONGARGS"),
        ("isqrt(17)".into(), "4"),
        (format!("isqrt({p70})"), "34359738368"),
        ("isqrt(-1)".into(), "ERR square root of negative argument | ARITH DOMAIN {domain error: argument not in valid range}"),
        ("isqrt(17.9)".into(), "4"),
        ("isqrt(1e30)".into(), "1000000000000000"),
        ("isqrt(inf)".into(), "ERR integer value too large to represent | ARITH IOVERFLOW {integer value too large to represent}"),
        ("isqrt(1e300)".into(), "1000000000000000026252380127602209779758503108492371458359424883684651414333812736380124287612629691547944630047071980611862607399628869272326975124240"),
        ("isqrt(9007199136250224)".into(), "94906265"),
        ("isqrt(99999999999999999)".into(), "316227766"),
        ("pow(2,10)".into(), "1024.0"),
        ("pow(-8,0.3333333333333333)".into(), "ERR domain error: argument not in valid range | ARITH DOMAIN {domain error: argument not in valid range}"),
        ("pow(0,-1)".into(), "Inf"),
        ("pow(-0.0,-1)".into(), "-Inf"),
        ("pow(2)".into(), "ERR not enough arguments for math function \"pow\" | TCL WRONGARGS"),
        ("exp(1)".into(), "2.718281828459045"),
        ("exp(1000)".into(), "Inf"),
        ("exp(-740)".into(), "4.2e-322"),
        ("log(10)".into(), "2.302585092994046"),
        ("log(0)".into(), "-Inf"),
        ("log(-1)".into(), "ERR domain error: argument not in valid range | ARITH DOMAIN {domain error: argument not in valid range}"),
        (format!("log({p2000})"), "Inf"),
        ("log10(1000)".into(), "3.0"),
        ("sin(1)".into(), "0.8414709848078965"),
        ("cos(1)".into(), "0.5403023058681398"),
        ("tan(1)".into(), "1.5574077246549023"),
        ("asin(2)".into(), "ERR domain error: argument not in valid range | ARITH DOMAIN {domain error: argument not in valid range}"),
        ("acos(0.5)".into(), "1.0471975511965979"),
        ("atan(1)".into(), "0.7853981633974483"),
        ("atan2(1,1)".into(), "0.7853981633974483"),
        ("atan2(0,-1)".into(), "3.141592653589793"),
        ("sinh(1)".into(), "1.1752011936438014"),
        ("cosh(1)".into(), "1.5430806348152437"),
        ("tanh(1)".into(), "0.7615941559557649"),
        ("sin(inf)".into(), "ERR domain error: argument not in valid range | ARITH DOMAIN {domain error: argument not in valid range}"),
        ("sin(nan)".into(), "ERR floating point value is Not a Number | TCL VALUE DOUBLE NAN"),
        ("tan(1.5707963267948966)".into(), "16331239353195370.0"),
        (format!("sin({p70})"), "-0.9981794021933068"),
        ("floor(2.5)".into(), "2.0"),
        ("floor(-2.5)".into(), "-3.0"),
        (format!("floor({p2000})"), "1.7976931348623157e+308"),
        (format!("ceil({p2000})"), "Inf"),
        (format!("floor(-{p2000})"), "-Inf"),
        (format!("ceil(-{p2000})"), "-1.7976931348623157e+308"),
        ("floor(9007199254740993)".into(), "9007199254740992.0"),
        ("ceil(9007199254740993)".into(), "9007199254740994.0"),
        ("floor(-9007199254740993)".into(), "-9007199254740994.0"),
        ("ceil(-9007199254740993)".into(), "-9007199254740992.0"),
        ("ceil(1180591620717411303425)".into(), "1.1805916207174116e+21"),
        ("floor(1180591620717411303425)".into(), "1.1805916207174113e+21"),
        ("ceil(-0.5)".into(), "-0.0"),
        ("ceil(0)".into(), "0.0"),
        ("fmod(7,3)".into(), "1.0"),
        ("fmod(-7,3)".into(), "-1.0"),
        ("fmod(7,0)".into(), "ERR domain error: argument not in valid range | ARITH DOMAIN {domain error: argument not in valid range}"),
        ("fmod(2,inf)".into(), "2.0"),
        ("fmod(-0.0,1)".into(), "-0.0"),
        (format!("fmod({p70},3)"), "1.0"),
        ("hypot(3,4)".into(), "5.0"),
        ("hypot(3,a)".into(), "ERR expected floating-point number but got \"a\" | TCL VALUE NUMBER"),
        ("max(1,2.0)".into(), "2.0"),
        ("max(3,2.0)".into(), "3"),
        ("max()".into(), "ERR not enough arguments to math function \"max\" | NONE"),
        ("max(a,1)".into(), "ERR expected floating-point number but got \"a\" | NONE"),
        ("max(nan,1)".into(), "ERR floating point value is Not a Number | NONE"),
        ("min(1,2,-3)".into(), "-3"),
        ("min(1.0,1)".into(), "1.0"),
        ("max(1,1.0)".into(), "1"),
        ("max(0x10,3)".into(), "0x10"),
        (format!("max({p70},1)"), p70),
        ("bool(yes)".into(), "1"),
        ("bool(0.0)".into(), "0"),
        ("bool(x)".into(), "ERR expected boolean value but got \"x\" | TCL VALUE NUMBER"),
        ("bool()".into(), "ERR not enough arguments for math function \"bool\" | TCL WRONGARGS"),
        ("foo(1)".into(), "ERR invalid command name \"tcl::mathfunc::foo\" | TCL LOOKUP COMMAND tcl::mathfunc::foo"),
        ("rand(1)".into(), "ERR too many arguments for math function \"rand\" | TCL WRONGARGS"),
        ("srand()".into(), "ERR not enough arguments for math function \"srand\" | TCL WRONGARGS"),
        ("srand(1.5)".into(), "ERR expected integer but got \"1.5\" | TCL VALUE NUMBER"),
        ("srand(a)".into(), "ERR expected integer but got \"a\" | TCL VALUE NUMBER"),
        ("srand(09)".into(), "ERR expected integer but got \"09\" | TCL VALUE NUMBER"),
        ("srand(nan)".into(), "ERR expected integer but got \"nan\" | TCL VALUE NUMBER"),
        (format!("srand({p70})"), "0.24257829889775176"),
    ];
    for (src, want) in cases {
        assert_eq!(call(&src), want, "{src}");
    }
}

#[test]
fn rand_sequences_match_tclsh() {
    let mut rng = 0u64;
    let mut seq = |f: &str, arg: Option<&str>| {
        let args: Vec<Value> = arg.map(big_or_str).into_iter().collect();
        math_func(f, &args, &mut rng).unwrap().as_str().into_owned()
    };
    assert_eq!(seq("srand", Some("42")), "0.00032870750889587566");
    assert_eq!(seq("rand", None), "0.5245871020129822");
    assert_eq!(seq("rand", None), "0.7354235321913956");
    assert_eq!(seq("rand", None), "0.26330554078487006");
    assert_eq!(seq("srand", Some("0")), "0.24257829889775176");
    assert_eq!(seq("rand", None), "0.013469574513598146");
    assert_eq!(seq("srand", Some("-1")), "0.7574217011022483");
    assert_eq!(seq("rand", None), "0.9865304254864019");
    assert_eq!(seq("srand", Some("2147483647")), "0.7574217011022483");
    assert_eq!(seq("srand", Some("1")), "7.826369259425611e-6");
    assert_eq!(seq("rand", None), "0.13153778814316625");
    assert_eq!(seq("srand", Some("-1180591620717411303429")), "0.9999686945229623");
    assert_eq!(seq("rand", None), "0.473848847427335");
    assert_eq!(seq("srand", Some("1180591620717411303427")), "2.3479107778276833e-5");
    let mut unseeded = 0u64;
    let r = math_func("rand", &[], &mut unseeded).unwrap().as_double().unwrap();
    assert!(r > 0.0 && r < 1.0 && unseeded != 0);
}

#[test]
fn big_to_double_rounding() {
    let b = |s: &str| match crate::number::parse_number(s).unwrap() {
        Number::Big(b) => b,
        Number::Int(i) => BigInt::from(i),
        _ => unreachable!(),
    };
    // 2**53 + 1 rounds to even; 2**53 + 3 rounds up.
    assert_eq!(big_to_f64(&b("9007199254740993")), 9007199254740992.0);
    assert_eq!(big_to_f64(&b("9007199254740995")), 9007199254740996.0);
    assert_eq!(big_to_f64(&b("-9007199254740995")), -9007199254740996.0);
    assert_eq!(big_to_f64(&((BigInt::from(1) << 1024usize) - 1)), f64::INFINITY);
}
