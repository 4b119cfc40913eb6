use super::*;

fn run(words: &str) -> String {
    let argv = crate::list::parse_list(words).unwrap();
    let name = argv[0].as_str().into_owned();
    let f = COMMANDS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f).unwrap();
    let mut interp = Interp::new();
    match f(&mut interp, &argv) {
        Ok(v) => v.as_str().into_owned(),
        Err(e) => format!("ERR: {}", e.value().as_str()),
    }
}

fn check(cases: &[(&str, &str)]) {
    for (cmd, want) in cases {
        assert_eq!(run(cmd), *want, "command: {cmd}");
    }
}

const USAGE: &str = "ERR: wrong # args: should be \"regexp ?-option ...? exp string ?matchVar? ?subMatchVar ...?\"";

#[test]
fn regexp_basic() {
    // Recorded from tclsh 8.6.13.
    check(&[
        ("regexp", USAGE),
        ("regexp a", USAGE),
        ("regexp -start", USAGE),
        ("regexp a b", "0"),
        ("regexp {a(b)} xab", "1"),
        ("regexp -inline {a(b)(c)?} xab", "ab b {}"),
        ("regexp -inline -all {a(b)} xabab", "ab b ab b"),
        ("regexp -all a aaa", "3"),
        ("regexp -all {} aaa", "3"),
        ("regexp -inline -all {} abc", "{} {} {}"),
        ("regexp -inline -all {x*} abc", "{} {} {}"),
        ("regexp -inline -all {b*} abb", "{} bb"),
        ("regexp -inline -all -indices {b*} abb", "{0 -1} {1 2}"),
        ("regexp -inline -all {x*} {}", "{}"),
        ("regexp -inline -all {(?=b)} ab", "{}"),
        ("regexp -all -inline -indices {\\y} {ab cd}", "{0 -1} {1 0} {3 2} {4 3}"),
        ("regexp {x*} {}", "1"),
        ("regexp -nocase A a", "1"),
        ("regexp -inline {a+?} aaa", "a"),
        ("regexp -inline {(a+?)(b*)} aaabb", "a a {}"),
        ("regexp -inline {(a|aa)*} aaa", "aaa a"),
        ("regexp -inline {(ab|a)(bc|c)} abc", "abc ab c"),
        ("regexp -inline {(a)|b} b", "b {}"),
        ("regexp -indices -inline {(a)|b} b", "{0 0} {-1 -1}"),
        ("regexp -all -inline {(a)|b} ab", "a a b {}"),
        ("regexp -all -inline -indices {(a)|b} ab", "{0 0} {0 0} {1 1} {-1 -1}"),
        ("regexp -inline a b c", "ERR: regexp match variables not allowed when using -inline"),
        ("regexp -- -a -a", "1"),
        ("regexp -nocas a a", "ERR: bad option \"-nocas\": must be -all, -about, -indices, -inline, -expanded, -line, -linestop, -lineanchor, -nocase, -start, or --"),
    ]);
}

#[test]
fn regexp_indices_are_characters() {
    check(&[
        ("regexp -indices -inline {a(b)(c)?} xab", "{1 2} {2 2} {-1 -1}"),
        ("regexp -indices -inline {é(b)} xébé", "{1 2} {2 2}"),
        ("regexp -inline -indices -all {b} xébéb", "{2 2} {4 4}"),
        ("regexp -inline {\\w+} héllo", "héllo"),
        ("regexp -inline {[[:upper:]]} aÉ", "É"),
    ]);
}

#[test]
fn regexp_start_and_anchors() {
    check(&[
        ("regexp -start 2 a aaa", "1"),
        ("regexp -start 2 -inline -indices a aaa", "{2 2}"),
        ("regexp -start -1 -inline a aaa", "a"),
        ("regexp -start 10 -inline a aaa", ""),
        ("regexp -start 10 -all a aaa", "0"),
        ("regexp -start 10 -inline -indices {$} aaa", "{10 9}"),
        ("regexp -start end -inline a aaa", ""),
        ("regexp -start end -inline -indices {$} aaa", "{3 2}"),
        ("regexp -start 2 -all -inline -indices {} aaa", "{2 1}"),
        ("regexp -start x a aaa", "ERR: bad index \"x\": must be integer?[+-]integer? or end?[+-]integer?"),
        ("regexp -inline {^a} ba", ""),
        ("regexp -start 1 -inline {^a} ba", ""),
        ("regexp -start 2 -inline {^b} \"a\nb\"", "b"),
        ("regexp -inline -line {^b} \"a\nb\"", "b"),
        ("regexp -inline {^b} \"a\nb\"", ""),
        ("regexp -inline {a.b} \"a\nb\"", "{a\nb}"),
        ("regexp -inline -line {a.b} \"a\nb\"", ""),
        ("regexp -inline -linestop {a.b} \"a\nb\"", ""),
        ("regexp -inline -lineanchor {^b} \"a\nb\"", "b"),
        ("regexp -inline {[^a]} \"\n\"", "{\n}"),
        ("regexp -inline -line {[^a]} \"\n\"", ""),
        ("regexp -inline {(?n)^b} \"a\nb\"", "b"),
        ("regexp -inline {(?s).} \"\n\"", "{\n}"),
        ("regexp -inline {$} b", "{}"),
        ("regexp -inline {\\Z} b", "{}"),
        ("regexp -inline {\\A} b", "{}"),
    ]);
}

#[test]
fn regexp_syntax() {
    check(&[
        ("regexp -inline {\\m\\w+\\M} { hello world}", "hello"),
        ("regexp -inline {\\yw} {a w}", "w"),
        ("regexp -inline {\\Bb} ab", ""),
        ("regexp -inline {[[:alpha:]]+} 12abc34", "abc"),
        ("regexp -inline {[[:<:]]a} {ba a}", "a"),
        ("regexp -inline {[[:punct:]]} +", ""),
        ("regexp -inline {[[:punct:]]} !", "!"),
        ("regexp -inline {(a)\\1} aa", "aa a"),
        ("regexp -inline {***=a.b} xa.b", "a.b"),
        ("regexp -inline {(?i)A} a", "a"),
        ("regexp -inline {(?x) a b # comment} ab", "ab"),
        ("regexp -inline {(?ix) A } a", "a"),
        ("regexp -inline {***:(?i)A} a", "a"),
        ("regexp -inline {(?q)a+} a+", "a+"),
        ("regexp -inline {(?e)a+} a+", "a"),
        ("regexp -inline -expanded {a b} ab", "ab"),
        ("regexp -inline {a{2,3}} aaaa", "aaa"),
        ("regexp -inline {a{2,}} aaaa", "aaaa"),
        ("regexp -inline {a{,2}} aaaa", ""),
        ("regexp -inline {a{1,2}?} aaa", "a"),
        ("regexp -inline {a{0}} aaa", "{}"),
        ("regexp -inline {\\d+} ab123", "123"),
        ("regexp -inline {\\D+} ab123", "ab"),
        ("regexp -inline {[\\d]+} ab123", "123"),
        ("regexp -inline {\\s} {a b}", "{ }"),
        ("regexp -inline {\\W} {a b}", "{ }"),
        ("regexp -inline {[\\w]} _", "_"),
        ("regexp -inline {(?:a)(b)} ab", "ab b"),
        ("regexp -inline {a(?=b)} ab", "a"),
        ("regexp -inline {a(?!b)} {ab ac}", "a"),
        ("regexp -inline {\\x41} A", "A"),
        ("regexp -inline {\\u0041} A", "A"),
        ("regexp -inline {[a-]} -", "-"),
        ("regexp -inline {[]a]} \\]", "\\]"),
        ("regexp -inline {[^]a]} \\]b", "b"),
        ("regexp -inline {\\.} a.", "."),
        ("regexp -inline {a|} b", "{}"),
        ("regexp -inline {()} b", "{} {}"),
        ("regexp -inline {[.]} a.", "."),
        ("regexp -inline {[[.a.]]} a", "a"),
        ("regexp -inline {[[.hyphen.]]} -", "-"),
        ("regexp -inline {[[=a=]]} a", "a"),
        ("regexp -inline {\\B} {a\\b}", "\\\\"),
        ("regexp -inline {\\_} _", "_"),
        ("regexp -inline {\\e} \"\\x1b\"", "\x1b"),
        ("regexp -inline {\\cA} \"\\x01\"", "\x01"),
        ("regexp {(a)\\10} aa", "0"),
        ("regexp -inline {\\0} \"\\0\"", "\0"),
    ]);
}

#[test]
fn regexp_errors() {
    let c = "ERR: couldn't compile regular expression pattern: ";
    for (pat, msg) in [
        ("(", "parentheses () not balanced"),
        (")", "parentheses () not balanced"),
        ("a)", "parentheses () not balanced"),
        ("{[a}", "brackets [] not balanced"),
        ("a\\{1", "braces {} not balanced"),
        ("{a{3,1}}", "invalid repetition count(s)"),
        ("{a{256}}", "invalid repetition count(s)"),
        ("*a", "quantifier operand invalid"),
        ("a**", "quantifier operand invalid"),
        ("+", "quantifier operand invalid"),
        ("{a{2}{3}}", "quantifier operand invalid"),
        ("{a(?<=b)}", "quantifier operand invalid"),
        ("{a(?i)b}", "quantifier operand invalid"),
        ("{(?i)(?x)A}", "quantifier operand invalid"),
        ("a\\\\", "invalid escape \\ sequence"),
        ("{\\z}", "invalid escape \\ sequence"),
        ("{\\q}", "invalid escape \\ sequence"),
        ("{[\\D]}", "invalid escape \\ sequence"),
        ("{(?z)}", "invalid embedded option"),
        ("{(a)\\2}", "invalid backreference number"),
        ("{[[:foo:]]}", "invalid character class"),
        ("{[z-a]}", "invalid character range"),
        ("{[\\d-z]}", "invalid character range"),
        ("{[[.ab.]]}", "invalid collating element"),
        ("b\\[\\\\", "invalid escape \\ sequence"),
    ] {
        assert_eq!(run(&format!("regexp {pat} a")), format!("{c}{msg}"), "pattern {pat}");
    }
    assert!(run("regexp {a{255}} a") == "0");
    let e = compile("(", RegexFlags::default()).unwrap_err();
    assert_eq!(e.error_code_value().as_str(), "REGEXP REG_EPAREN {parentheses () not balanced}");
}

#[test]
fn regexp_about() {
    check(&[
        ("regexp -about {a(b)} x", "1 {}"),
        ("regexp -about a", "0 {}"),
        ("regexp -about {(a)(?:b)\\1} x", "1 {REG_UBACKREF REG_UNONPOSIX}"),
        ("regexp -about {a{2}} x", "0 REG_UBOUNDS"),
        ("regexp -about {\\d} x", "0 {REG_UNONPOSIX REG_ULOCALE}"),
        ("regexp -about {a*?} x", "0 {REG_UNONPOSIX REG_UEMPTYMATCH REG_USHORTEST}"),
        ("regexp -about {(?=a)} x", "0 {REG_ULOOKAHEAD REG_UNONPOSIX}"),
        ("regexp -about {[[:alpha:]]} x", "0 REG_ULOCALE"),
        ("regexp -about {^$} x", "0 REG_UEMPTYMATCH"),
        ("regexp -about {} x", "0 {REG_UUNSPEC REG_UEMPTYMATCH}"),
    ]);
}

#[test]
fn regsub_forms() {
    check(&[
        ("regsub", "ERR: wrong # args: should be \"regsub ?-option ...? exp string subSpec ?varName?\""),
        ("regsub a b c d e", "ERR: wrong # args: should be \"regsub ?-option ...? exp string subSpec ?varName?\""),
        ("regsub a b c", "b"),
        ("regsub a bab c", "bcb"),
        ("regsub -all a baab c", "bccb"),
        ("regsub -all {x*} abc -", "-a-b-c-"),
        ("regsub {x*} abc -", "-abc"),
        ("regsub -all {x*} {} -", "-"),
        ("regsub -all {y?} abc -", "-a-b-c-"),
        ("regsub -all {b*} abb -", "-a--"),
        ("regsub -all {b*} abbc -", "-a--c-"),
        ("regsub -all {b*} b -", "--"),
        ("regsub -all {a|} ab -", "--b-"),
        ("regsub -all {} abc -", "-a-b-c"),
        ("regsub -all {} {} -", ""),
        ("regsub {} {} -", "-"),
        ("regsub -all x {} -", ""),
        ("regsub -all {(a)(b)?} ab {[\\1|\\2|&|\\0|\\\\|\\&|\\x|\\9]}", "[a|b|ab|ab|\\|&|\\x|]"),
        ("regsub -all a aaa {\\\\&}", "\\a\\a\\a"),
        ("regsub a aaa x\\\\", "x\\aa"),
        ("regsub -start 1 a aaa b", "aba"),
        ("regsub -start 1 -all a aaa b", "abb"),
        ("regsub -start 10 -all a aaa b", "aaa"),
        ("regsub -all -start 3 {x*} abc -", "abc-"),
        ("regsub -all -start 2 {x*} abc -", "ab-c-"),
        ("regsub -all -nocase A aAa b", "bbb"),
        ("regsub -all {^} \"a\nb\" >", ">a\nb"),
        ("regsub -all -line {^} \"a\nb\" >", ">a\n>b"),
        ("regsub -all {$} \"a\nb\" <", "a\nb<"),
        ("regsub -all -line {$} \"a\nb\" <", "a<\nb<"),
        ("regsub -all é aébé {[&]}", "a[é]b[é]"),
        ("regsub -all {(?=b)} ab -", "a-b"),
        ("regsub -all -- -a -a b", "b"),
        ("regsub -all {(\\w)(\\w)} {ab cd} {\\2\\1}", "ba dc"),
        ("regsub -about a b c", "ERR: bad option \"-about\": must be -all, -nocase, -expanded, -line, -linestop, -lineanchor, -start, or --"),
    ]);
    let mut interp = Interp::new();
    let args: Vec<Value> = ["regsub", "-all", "a", "banana", "o", "v"].iter().map(|s| Value::from(*s)).collect();
    assert_eq!(regsub_apply(&mut interp, &args).unwrap(), ("bonono".to_owned(), 3));
}

#[test]
fn regexp_match_assignments() {
    let mut interp = Interp::new();
    let args: Vec<Value> = ["regexp", "-all", "-indices", "(é)(x)?", "aébé", "m", "s1", "s2", "s3"]
        .iter()
        .map(|s| Value::from(*s))
        .collect();
    let out = regexp_match(&mut interp, &args).unwrap();
    assert_eq!(out.result.as_str(), "2");
    let got: Vec<String> = out.assignments.iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert_eq!(got, ["m=3 3", "s1=3 3", "s2=-1 -1", "s3=-1 -1"]);
    let args: Vec<Value> = ["regexp", "z", "abc", "m"].iter().map(|s| Value::from(*s)).collect();
    let out = regexp_match(&mut interp, &args).unwrap();
    assert_eq!(out.result.as_str(), "0");
    assert!(out.assignments.is_empty());
}

#[test]
fn cache_and_limits() {
    let mut cache = RegexCache::new(2);
    let a = cache.get("a+", RegexFlags::default(), false).unwrap();
    let a2 = cache.get("a+", RegexFlags::default(), false).unwrap();
    assert!(Rc::ptr_eq(&a, &a2));
    cache.get("b", RegexFlags::default(), false).unwrap();
    cache.get("c", RegexFlags::default(), false).unwrap();
    assert_eq!(cache.entries.len(), 2);
    let big = "a".repeat(MAX_PATTERN_BYTES + 1);
    assert!(compile(&big, RegexFlags::default()).is_err());
    // Deep nesting is an error, not a stack overflow.
    let deep = "(".repeat(5000) + &")".repeat(5000);
    assert!(compile(&deep, RegexFlags::default()).is_err());
}
