use super::*;
use crate::interp::{HostResult, Outcome, Output};
use proptest::prelude::*;
use std::sync::{Arc, Mutex};

/// Output shared with the test, surviving migrations.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<String>>);

impl Output for Shared {
    fn write(&mut self, channel: &str, text: &str) -> Result<(), String> {
        let mut s = self.0.lock().map_err(|e| e.to_string())?;
        if channel == "stderr" {
            s.push_str("[stderr]");
        }
        s.push_str(text);
        Ok(())
    }
}

impl Shared {
    fn text(&self) -> String {
        self.0.lock().unwrap().clone()
    }
}

const LIMIT: u64 = 3_000_000;

fn fresh(script: &str) -> (Interp, Shared) {
    let out = Shared::default();
    let mut interp = Interp::new();
    interp.set_output(Box::new(out.clone()));
    interp.start(script, None);
    (interp, out)
}

fn plain(script: &str) -> (String, Outcome) {
    let (mut interp, out) = fresh(script);
    let o = interp.run(LIMIT);
    (out.text(), o)
}

/// Saves, restores, and checks that the restored state saves to the
/// same bytes.
fn roundtrip(interp: &Interp) -> Interp {
    let bytes = save(interp).expect("save");
    let restored = restore(&bytes).unwrap_or_else(|e| panic!("restore failed: {e}"));
    let again = save(&restored).expect("save again");
    assert!(again == bytes, "save(restore(save(x))) differs from save(x)");
    restored
}

/// Runs `script` in slices of the given sizes (cycled), moving the VM
/// through a snapshot into a fresh interpreter after every slice.
fn migrating(script: &str, slices: &[u64]) -> (String, Outcome) {
    let (mut interp, out) = fresh(script);
    let mut used = 0u64;
    let mut k = 0;
    loop {
        let n = slices[k % slices.len()].min(LIMIT - used);
        k += 1;
        match interp.run(n) {
            Outcome::OutOfBudget => {
                used += n;
                if used >= LIMIT {
                    return (out.text(), Outcome::OutOfBudget);
                }
                interp = roundtrip(&interp);
                interp.set_output(Box::new(out.clone()));
            }
            o => return (out.text(), o),
        }
    }
}

const BIG_SCRIPT: &str = r#"
proc fact {n} { if {$n <= 1} { return 1 }; expr {$n * [fact [expr {$n - 1}]]} }
puts "fact 6 = [fact 6]"
proc fib {n} { if {$n < 2} { return $n }; expr {[fib [expr {$n-1}]] + [fib [expr {$n-2}]]} }
puts "fib 7 = [fib 7]"
set total 0
foreach x {1 2 3 4 5} y {a b c} { append acc $x$y; incr total $x }
puts "$acc $total"
proc loops {} {
set out {}
foreach {a b} {1 2 3 4 5 6} { lappend out [expr {$a * $b}] }
set sq [lmap v {1 2 3} { expr {$v * $v} }]
for {set i 0} {$i < 5} {incr i} { if {$i == 3} continue; lappend out i$i }
set j 0
while 1 { incr j; if {$j > 4} break }
return [concat $out $sq $j]
}
puts [loops]
set r [catch {error "boom" "custom info" {MY CODE}} msg opts]
puts "catch $r $msg"
puts "opts: $opts"
try { error oops } on error {m o} { puts "caught $m" } finally { puts "finally 1" }
try { set z 5 } on ok {v} { puts "ok $v" } finally { puts "finally 2" }
proc thrower {} { throw {APP ERR} "thrown" }
try { thrower } trap {APP} {m} { puts "trapped $m" }
proc nested {} {
try { try { error inner } finally { puts "inner finally" } } on error {m} { puts "outer caught $m" }
set c [catch { return -code break x } res]
puts "code $c $res"
}
nested
set arr(one) 1; set arr(two) 2; set arr(three) 3
puts [array names arr]; puts [array size arr]
proc setter {name val} { upvar 1 $name v; set v $val }
setter viaup 42; puts $viaup
proc elem {} { upvar 1 arr a; incr a(one) 10; return $a(one) }
puts [elem]
proc gl {} { global total; incr total 100 }
gl; puts $total
set l {}; lappend l a {b c} d; puts $l
lassign $l p q r; puts "$p|$q|$r"
puts [apply {{x y} {expr {$x * $y}}} 6 7]
puts [subst {total=$total [expr {1+2}]}]
switch -glob -- hello { h* { puts "glob hit" } default { puts miss } }
switch $total { 115 {puts exact} default {puts "other $total"} }
eval {puts "eval'd"; set e 1}
proc up {} { uplevel 1 {set fromup 7}; return [info level 0] }
puts [up]; puts $fromup
rename gl gl2; gl2; puts $total
puts [info exists fromup]
catch {nosuch} m; puts $m
set cmd set; $cmd dyn 5; puts $dyn
set f foreach; $f w {p q} { puts "dyn $w" }
puts [expr $total + 1]
puts [concat a {b c} d]
proc deep {n} { if {$n == 0} { error "bottom" } ; deep [expr {$n-1}] }
catch {deep 3} m; puts "deep: $m"; puts $::errorInfo
unset arr(two); puts [array names arr]
proc lv {args} { set x [info level]; return "$x $args" }
puts [lv 1 2 3]
set i 0
while {$i < 20} { incr i; if {$i % 2} continue; append evens $i, }
puts $evens
proc counter {} { set n 0; foreach x {a b c d} { incr n; if {$x eq "c"} { return $n } } }
puts [counter]
puts done
"#;

#[test]
fn idle_interpreter_roundtrips() {
    let interp = Interp::new();
    let r = roundtrip(&interp);
    assert!(r.is_idle());
    let mut r = r;
    assert_eq!(r.eval("set x 3; incr x").unwrap(), "4");
    roundtrip(&r);
}

#[test]
fn big_script_same_output_under_migration() {
    let (out, outcome) = plain(BIG_SCRIPT);
    assert!(matches!(outcome, Outcome::Finished(_)), "plain run: {outcome:?}\n{out}");
    assert!(out.contains("fact 6 = 720"), "{out}");
    assert!(out.ends_with("done\n"), "{out}");
    for n in [1, 3, 7] {
        let (o2, outcome2) = migrating(BIG_SCRIPT, &[n]);
        assert_eq!(o2, out, "output differs when migrating every {n}");
        assert_eq!(outcome2, outcome, "outcome differs when migrating every {n}");
    }
}

#[test]
fn errors_survive_migration() {
    let script = "proc a {} { b }\nproc b {} { error \"bad thing\" {} {X Y} }\nputs start\na\nputs never";
    let (out, outcome) = plain(script);
    assert!(matches!(outcome, Outcome::Error(_)), "{outcome:?}");
    for n in [1, 2, 5] {
        assert_eq!(migrating(script, &[n]), (out.clone(), outcome.clone()));
    }
}

#[test]
fn host_requests_and_pending_errors() {
    let script = "set a [ask q1]\nputs \"got $a\"\nset c [catch {ask fail} m]\nputs \"err $c $m\"\nputs [ask q3]";
    let host = || -> crate::interp::HostFn {
        Box::new(|_: &mut Interp, args: &[Value]| {
            HostResult::Suspend(HostRequest {
                command: "ask".into(),
                args: args[1..].iter().map(|v| v.as_str().into_owned()).collect(),
            })
        })
    };
    let (mut interp, out) = fresh("");
    interp.register_host("ask", host());
    interp.start(script, None);
    let mut answers = vec![Err("nope".to_string()), Ok("answer".to_string())];
    let mut requests = Vec::new();
    loop {
        match interp.run(3) {
            Outcome::OutOfBudget => {}
            Outcome::Request(req) => {
                requests.push(req.args.join(" "));
                // A pending request survives migration.
                interp = roundtrip(&interp);
                interp.set_output(Box::new(out.clone()));
                interp.provide_host("ask", host());
                assert_eq!(interp.pending_request(), Some(&req));
                let a = answers.pop().unwrap_or(Ok("last".into()));
                interp.resume(a).unwrap();
                // ... and so does the answer (or error) to be delivered.
            }
            Outcome::Finished(_) => break,
            o => panic!("unexpected {o:?}"),
        }
        interp = roundtrip(&interp);
        interp.set_output(Box::new(out.clone()));
        interp.provide_host("ask", host());
    }
    assert_eq!(requests, vec!["q1", "fail", "q3"]);
    assert_eq!(out.text(), "got answer\nerr 1 nope\nlast\n");
}

#[test]
fn renamed_and_deleted_builtins_survive() {
    let script = "rename puts say\nrename concat {}\nproc puts {x} { say \"proc: $x\" }\nputs hi";
    let (mut interp, out) = fresh(script);
    assert_eq!(interp.run(LIMIT), Outcome::Finished(String::new()));
    let mut r = roundtrip(&interp);
    r.set_output(Box::new(out.clone()));
    r.start("puts again; say direct; catch {concat a} m; say $m", None);
    assert_eq!(r.run(LIMIT), Outcome::Finished(String::new()));
    assert_eq!(out.text(), "proc: hi\nproc: again\ndirect\ninvalid command name \"concat\"\n");
}

#[test]
fn structured_values_keep_structure() {
    let (mut interp, _) = fresh("set l {}; lappend l a {b c}; catch {error x} r o; set o");
    let _ = interp.run(LIMIT);
    let r = roundtrip(&interp);
    let l = r.vars.frames[0].find("l").unwrap();
    let Var::Scalar(v) = &r.vars.frames[0].vars[l as usize] else { panic!("l is not a scalar") };
    assert!(matches!(v.snapshot_parts(), Some((None, Rep::List(_)))));
    assert_eq!(v.as_str(), "a {b c}");
}

#[test]
fn deep_lists_are_written_as_strings_beyond_the_depth_limit() {
    let mut v = Value::from("x");
    for _ in 0..(MAX_VALUE_DEPTH + 20) {
        v = Value::list(vec![v, Value::Int(1)]);
    }
    let mut interp = Interp::new();
    let i = interp.vars.frames[0].find_or_create("deep") as usize;
    interp.vars.frames[0].vars[i] = Var::Scalar(v.clone());
    let r = roundtrip(&interp);
    let Var::Scalar(w) = &r.vars.frames[0].vars[i] else { panic!() };
    assert_eq!(w.as_str(), v.as_str());
}

// ----- corruption ---------------------------------------------------

fn mid_run_snapshot() -> Vec<u8> {
    let (mut interp, _) = fresh(BIG_SCRIPT);
    assert_eq!(interp.run(1500), Outcome::OutOfBudget);
    save(&interp).unwrap()
}

fn reseal(mut b: Vec<u8>) -> Vec<u8> {
    let n = b.len() - 8;
    let sum = checksum(FORMAT_VERSION, &b[..n]);
    b[n..].copy_from_slice(&sum.to_le_bytes());
    b
}

#[test]
fn truncation_is_refused_at_every_length() {
    let bytes = mid_run_snapshot();
    for k in 0..bytes.len() {
        assert!(restore(&bytes[..k]).is_err(), "accepted a prefix of {k} bytes");
    }
    assert!(restore(&bytes).is_ok());
}

#[test]
fn checksum_catches_flips() {
    let bytes = mid_run_snapshot();
    let mut b = bytes.clone();
    b[bytes.len() / 2] ^= 0x10;
    assert!(matches!(restore(&b), Err(SnapshotError::ChecksumMismatch { .. })));
}

fn xorshift(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

/// Byte flips with the checksum recomputed exercise the decoder and the
/// validator: never a panic, and whatever is accepted is canonical and
/// runs without panicking.
#[test]
fn resealed_flips_never_panic() {
    let bytes = mid_run_snapshot();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut accepted = 0;
    for round in 0..3000 {
        let mut b = bytes.clone();
        let flips = 1 + round % 3;
        for _ in 0..flips {
            let pos = 6 + (xorshift(&mut seed) as usize) % (b.len() - 14);
            let bit = xorshift(&mut seed) % 8;
            if round % 2 == 0 {
                b[pos] ^= 1 << bit;
            } else {
                b[pos] = xorshift(&mut seed) as u8;
            }
        }
        let b = reseal(b);
        if let Ok(mut interp) = restore(&b) {
            accepted += 1;
            assert_eq!(save(&interp).unwrap(), b, "accepted input is not canonical");
            interp.set_output(Box::new(Shared::default()));
            let _ = interp.run(20_000);
        }
    }
    // Flips inside strings and numbers stay valid: some must pass.
    assert!(accepted > 0);
}

fn header() -> Writer {
    let mut w = Writer::default();
    w.buf.extend_from_slice(MAGIC);
    w.buf.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    w
}

fn seal(mut w: Writer) -> Vec<u8> {
    let sum = checksum(FORMAT_VERSION, &w.buf);
    w.fixed_u64(sum);
    w.buf
}

/// One code whose only literal is written by `lit`.
fn code_with_literal(lit: impl FnOnce(&mut Writer)) -> Vec<u8> {
    let mut c = Writer::default();
    c.count(1);
    c.u8(0); // script
    c.u8(0); // flags
    c.varint(0); // epoch
    c.str("");
    c.count(0); // locals
    c.count(1); // literals
    lit(&mut c);
    c.count(0); // aux
    c.count(0); // ranges
    c.count(0); // cmds
    c.count(2);
    c.u8(op::PUSH);
    c.u32(0);
    c.u8(op::DONE);
    let mut w = header();
    w.section(SECTION_CODE, &c);
    seal(w)
}

#[test]
fn huge_lengths_are_refused_before_allocating() {
    for huge in [1u64 << 60, u64::MAX, 1 << 32, 1 << 40] {
        let mut w = header();
        w.u8(SECTION_CODE);
        w.varint(huge);
        let e = restore(&seal(w)).err().expect("expected an error");
        assert!(matches!(e, SnapshotError::Malformed { .. }), "{e}");
        let b = code_with_literal(|c| {
            c.u8(V_LIST);
            c.varint(huge);
        });
        assert!(restore(&b).is_err());
        let b = code_with_literal(|c| {
            c.u8(V_STR);
            c.varint(huge);
        });
        assert!(restore(&b).is_err());
    }
    // An 11-byte varint.
    let mut w = header();
    w.u8(SECTION_CODE);
    w.buf.extend_from_slice(&[0xff; 10]);
    w.u8(1);
    let e = restore(&seal(w)).err().expect("expected an error");
    assert!(e.to_string().contains("varint"), "{e}");
}

#[test]
fn deep_nesting_is_refused_without_recursing() {
    let b = code_with_literal(|c| {
        for _ in 0..200_000 {
            c.u8(V_LIST);
            c.count(1);
        }
        c.u8(V_INT);
        c.i64(0);
    });
    let e = restore(&b).err().expect("expected an error");
    assert!(e.to_string().contains("nested deeper"), "{e}");
}

#[test]
fn bad_magic_and_version() {
    assert_eq!(restore(b"nope").err().expect("expected an error"), SnapshotError::NotASnapshot);
    let mut b = mid_run_snapshot();
    b[4] = 99;
    assert_eq!(restore(&b).err().expect("expected an error"), SnapshotError::UnsupportedVersion(99));
    let b = reseal({
        let mut b = mid_run_snapshot();
        b.insert(b.len() - 8, 0);
        b
    });
    assert!(restore(&b).err().expect("expected an error").to_string().contains("unexpected bytes"));
}

#[test]
fn unknown_builtin_is_refused() {
    // Only changes to the built-in set are saved: rename one.
    let (mut interp, _) = fresh("rename lassign la2");
    assert!(matches!(interp.run(LIMIT), Outcome::Finished(_)));
    let b = save(&interp).unwrap();
    // "lassign" -> "lassigX" everywhere (same length, so offsets hold).
    let mut b2 = b.clone();
    let pat = b"lassign";
    let mut changed = 0;
    for i in 0..b2.len() - pat.len() {
        if &b2[i..i + pat.len()] == pat {
            b2[i + pat.len() - 1] = b'X';
            changed += 1;
        }
    }
    assert_eq!(changed, 2); // the deleted name and la2's built-in name
    let e = restore(&reseal(b2)).err().expect("expected an error");
    assert!(e.to_string().contains("built-in"), "{e}");
}

/// Corrupts a live interpreter stopped inside procs, saves it (save
/// trusts its input) and checks that restore names the problem.
fn corrupted(edit: impl FnOnce(&mut Interp), expect: &str) {
    let script = "proc f {x} { upvar 1 g gg; set y [g2 $x]; return $y }\nproc g2 {z} { foreach q {1 2 3} { set w $q }; return $z }\nset g 1\nf 5";
    let (mut interp, _) = fresh(script);
    // Stop inside g2's foreach.
    let mut steps = 0;
    while interp.frames.len() < 3 || interp.vars.frames.len() < 3 {
        assert_eq!(interp.run(1), Outcome::OutOfBudget);
        steps += 1;
        assert!(steps < 10_000);
    }
    let _ = interp.run(5);
    restore(&save(&interp).unwrap()).expect("uncorrupted state restores");
    edit(&mut interp);
    let e = match restore(&save(&interp).unwrap()) {
        Ok(_) => panic!("corruption not detected (expected \"{expect}\")"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains(expect), "error \"{e}\" does not mention \"{expect}\"");
}

#[test]
fn validator_names_the_problem() {
    corrupted(|i| i.frames[1].pc = 100_000, "beyond its");
    corrupted(|i| i.frames[0].pc = 0, "does not follow an instruction that starts a frame");
    corrupted(|i| i.frames[2].var_frame = 1, "owns variable frame 1 where 2");
    corrupted(|i| i.frames[0].var_frame = 5, "not yet created");
    corrupted(|i| i.nesting = 7, "nesting 7");
    corrupted(|i| i.frames[2].base = 1000, "above the operand stack");
    corrupted(
        |i| {
            i.frames[1].base = 3;
            i.frames[2].base = 1;
        },
        "below the base",
    );
    corrupted(
        |i| {
            i.vars.frames.pop();
        },
        "does not exist",
    );
    corrupted(|i| i.vars.frames[2].caller = 2, "caller 2 is not an older frame");
    corrupted(|i| i.vars.frames[2].level = 9, "level 9");
    corrupted(
        |i| i.vars.frames[1].vars.push(Var::Link(Link { frame: 2, index: 0, elem: None })),
        "links to the newer frame 2",
    );
    corrupted(
        |i| i.vars.frames[1].vars.push(Var::Link(Link { frame: 0, index: 999, elem: None })),
        "links to variable 999",
    );
    corrupted(
        |i| {
            let n = i.vars.frames[0].vars.len() as u32;
            i.vars.frames[0].vars.push(Var::Link(Link { frame: 0, index: n + 1, elem: None }));
            i.vars.frames[0].vars.push(Var::Link(Link { frame: 0, index: n, elem: None }));
        },
        "linked to itself",
    );
    corrupted(|i| i.vars.frames[2].vars.clear(), "compiled locals");
    corrupted(
        |i| {
            i.pending = Some(Box::new(HostRequest { command: "x".into(), args: vec![] }));
            i.raise_pending = Some(Exception::error("e"));
        },
        "both a host request and an error",
    );
    corrupted(|i| i.frames[1].kind = FrameKind::Expr, "runs proc body code where expression code is expected");
    corrupted(
        |i| {
            let mut c = (*i.frames[2].code).clone();
            let mut code = c.code.to_vec();
            code.insert(0, Instr::Jump(10_000));
            c.code = code.into();
            i.frames[2].code = Rc::new(c);
        },
        "jump target 10000 out of range",
    );
}

// ----- verify -------------------------------------------------------

fn code(kind: CodeKind, instrs: Vec<Instr>) -> ByteCode {
    ByteCode {
        kind,
        code: instrs.into(),
        literals: vec![Value::from("x")],
        aux: vec![Aux::JumpTable(vec![0])].into(),
        ranges: Vec::new().into(),
        cmds: Vec::new().into(),
        locals: if kind == CodeKind::ProcBody { vec![Rc::from("a")] } else { vec![] },
        source: Rc::from("h\u{e9}llo"),
        compile_epoch: 0,
        in_proc: false,
    }
}

fn verify_err(c: &ByteCode) -> String {
    verify(c).expect_err("expected an error").to_string()
}

#[test]
fn verify_checks_operands() {
    use Instr::*;
    assert!(verify(&code(CodeKind::Script, vec![Push(0), Done])).is_ok());
    assert!(verify_err(&code(CodeKind::Script, vec![Push(0)])).contains("Done"));
    assert!(verify_err(&code(CodeKind::Script, vec![Push(1), Done])).contains("literal 1"));
    assert!(verify_err(&code(CodeKind::Script, vec![LoadLocal(0), Done])).contains("only proc bodies"));
    assert!(verify(&code(CodeKind::ProcBody, vec![LoadLocal(0), Done])).is_ok());
    assert!(verify_err(&code(CodeKind::ProcBody, vec![StoreLocal(1), Done])).contains("slot 1 out of range"));
    assert!(verify_err(&code(CodeKind::Script, vec![Jump(2), Done])).contains("jump target"));
    assert!(verify_err(&code(CodeKind::Script, vec![ForeachStart(0), Done])).contains("not a foreach table"));
    assert!(verify(&code(CodeKind::Script, vec![JumpTable(0), Done])).is_ok());
    assert!(verify_err(&code(CodeKind::Script, vec![TryDispatch(3), Done])).contains("aux 3 out of range"));
    let mut c = code(CodeKind::Script, vec![Done]);
    c.cmds = vec![CmdLoc { pc_start: 0, pc_end: 1, src_start: 2, src_end: 3 }].into();
    assert!(verify_err(&c).contains("bad source range"));
    let mut c = code(CodeKind::Script, vec![Done]);
    c.ranges = vec![ExceptRange { start: 0, end: 1, depth: 0, kind: RangeKind::Catch { handler: 1 } }].into();
    assert!(verify_err(&c).contains("handler target 1"));
}

// ----- random scripts -------------------------------------------------

/// A small random script from a grammar of the commands that exist.
struct Gen {
    seed: u64,
    procs: usize,
    out: String,
}

impl Gen {
    fn pick(&mut self, n: u64) -> u64 {
        xorshift(&mut self.seed) % n
    }

    fn var(&mut self) -> &'static str {
        ["a", "b", "c"][self.pick(3) as usize]
    }

    fn expr(&mut self) -> String {
        let ops = ["+", "-", "*", "<", "==", "!=", ">="];
        match self.pick(4) {
            0 => format!("{}", self.pick(10)),
            1 => format!("${}", self.var()),
            _ => {
                let op = ops[self.pick(ops.len() as u64) as usize];
                format!("${} {op} {}", self.var(), self.pick(5))
            }
        }
    }

    fn block(&mut self, depth: u32, in_loop: bool, indent: &str) {
        let n = 1 + self.pick(4);
        for _ in 0..n {
            self.stmt(depth, in_loop, indent);
        }
    }

    fn stmt(&mut self, depth: u32, in_loop: bool, ind: &str) {
        let inner = format!("{ind}  ");
        let kinds = if depth == 0 { 10 } else { 20 };
        let k = self.pick(kinds);
        let v = self.var();
        let line = match k {
            0 => format!("set {v} [expr {{{}}}]", self.expr()),
            1 => format!("incr {v} {}", self.pick(3)),
            2 => format!("append s {v}${v}"),
            3 => format!("lappend l ${v}"),
            4 => format!("puts \"{v}=${v} l=[set l] s=$s\""),
            5 => format!("set arr(${v}) ${}", self.var()),
            6 => format!("catch {{error \"e${v}\"}} r; puts $r"),
            7 if self.procs > 0 => {
                let p = self.pick(self.procs as u64);
                format!("puts [p{p} ${v}]")
            }
            8 if in_loop => ["break", "continue"][self.pick(2) as usize].to_string(),
            9 => format!("puts [array size arr]; lassign $l {v}"),
            10 => {
                let e = self.expr();
                self.out.push_str(&format!("{ind}if {{{e}}} {{\n"));
                self.block(depth - 1, in_loop, &inner);
                self.out.push_str(&format!("{ind}}} else {{\n"));
                self.block(depth - 1, in_loop, &inner);
                self.out.push_str(&format!("{ind}}}\n"));
                return;
            }
            11 => {
                let lv = format!("i{depth}");
                let n = self.pick(4);
                self.out.push_str(&format!("{ind}for {{set {lv} 0}} {{${lv} < {n}}} {{incr {lv}}} {{\n"));
                self.block(depth - 1, true, &inner);
                self.out.push_str(&format!("{ind}}}\n"));
                return;
            }
            12 => {
                self.out.push_str(&format!("{ind}foreach x{depth} {{1 2 3}} {{\n"));
                self.block(depth - 1, true, &inner);
                self.out.push_str(&format!("{ind}}}\n"));
                return;
            }
            13 => {
                let w = format!("w{depth}");
                let n = self.pick(4);
                self.out.push_str(&format!("{ind}set {w} 0; while {{${w} < {n}}} {{\n{inner}incr {w}\n"));
                self.block(depth - 1, true, &inner);
                self.out.push_str(&format!("{ind}}}\n"));
                return;
            }
            14 => {
                self.out.push_str(&format!("{ind}set rc [catch {{\n"));
                self.block(depth - 1, false, &inner);
                self.out.push_str(&format!("{ind}}} res]; puts \"rc $rc $res\"\n"));
                return;
            }
            15 => {
                self.out.push_str(&format!("{ind}try {{\n"));
                self.block(depth - 1, false, &inner);
                self.out.push_str(&format!("{ind}}} on error {{m}} {{ puts \"err $m\" }} finally {{ puts fin }}\n"));
                return;
            }
            16 => {
                self.proc_def(depth, v, ind);
                return;
            }
            17 => {
                self.out.push_str(&format!(
                    "{ind}switch ${v} {{\n{inner}1 {{ puts one }}\n{inner}2 - 3 {{ puts two-three }}\n{inner}default {{\n"
                ));
                self.block(depth - 1, in_loop, &inner);
                self.out.push_str(&format!("{inner}}}\n{ind}}}\n"));
                return;
            }
            18 => {
                self.out.push_str(&format!("{ind}eval {{\n"));
                self.block(depth - 1, in_loop, &inner);
                self.out.push_str(&format!("{ind}}}\n"));
                return;
            }
            _ => {
                format!("puts [lmap y {{1 2}} {{expr {{$y + ${v}}}}}]; puts [apply {{{{q}} {{expr {{$q - 1}}}}}} ${v}]")
            }
        };
        self.out.push_str(ind);
        self.out.push_str(&line);
        self.out.push('\n');
    }
}

impl Gen {
    /// A proc that may call earlier procs and reach globals.
    fn proc_def(&mut self, depth: u32, v: &str, ind: &str) {
        let inner = format!("{ind}  ");
        let p = self.procs;
        self.out.push_str(&format!(
            "{ind}proc p{p} {{x}} {{\n{inner}global a b c l s arr\n{inner}upvar 1 {v} up\n{inner}set up [expr {{$x + 1}}]\n"
        ));
        self.block(depth.saturating_sub(1), false, &inner);
        self.out.push_str(&format!("{inner}return [expr {{$x * 2}}]\n{ind}}}\n"));
        self.procs += 1;
    }
}

fn random_script(seed: u64) -> String {
    let mut g = Gen {
        seed: seed | 1,
        procs: 0,
        out: String::from("set a 1; set b 2; set c 3; set l {}; set s {}; set arr(0) 0\n"),
    };
    for _ in 0..g.pick(3) {
        let v = g.var();
        g.proc_def(2, v, "");
    }
    for _ in 0..6 {
        g.stmt(3, false, "");
    }
    g.out.push_str("puts \"end $a $b $c $l $s\"\n");
    g.out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]
    #[test]
    fn random_scripts_migrate(seed in any::<u64>(), slices in prop::collection::vec(1u64..60, 1..6)) {
        let script = random_script(seed);
        let (out, outcome) = plain(&script);
        let (out2, outcome2) = migrating(&script, &slices);
        prop_assert_eq!(&out2, &out, "script:\n{}", script);
        prop_assert_eq!(outcome2, outcome, "script:\n{}", script);
    }
}

/// Host commands shared by interpreters, reading per-interpreter data from
/// the embedder context; they are back after a snapshot once the embedder
/// attaches the table again, and their deletion or renaming survives it.
#[test]
fn shared_host_commands() {
    use crate::commands::HostCommands;
    use std::sync::Arc;
    struct Who(String);
    let mut t = HostCommands::new();
    t.add("whoami", |i, _| match i.context::<Who>() {
        Some(w) => HostResult::Done(Value::from(w.0.as_str())),
        None => HostResult::Error(crate::Exception::error("no context")),
    });
    t.add("wait", |_, a| {
        HostResult::Suspend(HostRequest { command: "wait".into(), args: vec![a[1].as_str().into_owned()] })
    });
    let t = Arc::new(t);
    let setup = |i: &mut Interp, who: &str| {
        i.set_host_commands(t.clone());
        i.set_context(Box::new(Who(who.into())));
    };

    // Two interpreters, one table, each its own context.
    let (mut a, out_a) = fresh("");
    let (mut b, _) = fresh("");
    setup(&mut a, "a");
    setup(&mut b, "b");
    assert_eq!(a.eval("whoami").unwrap(), "a");
    assert_eq!(b.eval("whoami").unwrap(), "b");
    assert_eq!(a.eval("info commands who*").unwrap(), "whoami");
    // A fresh interpreter without the table does not have them.
    assert!(Interp::new().eval("whoami").is_err());

    // Rename one, delete the other; a snapshot keeps both changes.
    let script = "rename whoami me\nputs [me]\nputs [wait 1]\nputs [me]\nputs [info commands whoami]\n\
                  rename wait {}\nputs [catch {wait 2}]";
    a.start(script, None);
    let mut answers = 0;
    loop {
        match a.run(2) {
            Outcome::OutOfBudget => {}
            Outcome::Request(req) => {
                assert_eq!(req.args, vec!["1"]);
                answers += 1;
                a.resume(Ok("answer".into())).unwrap();
            }
            Outcome::Finished(_) => break,
            o => panic!("unexpected {o:?}"),
        }
        a = roundtrip(&a);
        a.set_output(Box::new(out_a.clone()));
        setup(&mut a, "a2");
    }
    assert_eq!(answers, 1);
    assert_eq!(out_a.text(), "a2\nanswer\na2\n\n1\n");
    assert_eq!(a.eval("list [info commands me] [info commands wait] [info commands whoami]").unwrap(), "me {} {}");

    // A snapshot does not name the shared host commands (the embedder's,
    // like the output sink): restored, the interpreter has no entries for
    // them, lacks them until the table is attached, then saves the same
    // bytes. Restoring for the table gives the same interpreter.
    let bytes = save(&b).unwrap();
    for mut d in [restore(&bytes).unwrap(), super::restore_with_hosts(&bytes, &t).unwrap()] {
        assert_eq!(d.commands.own_changes(), 0);
        setup(&mut d, "d");
        assert_eq!(d.commands.own_changes(), 0);
        assert_eq!(save(&d).unwrap(), bytes);
        assert_eq!(d.eval("whoami").unwrap(), "d");
    }
    assert!(restore(&bytes).unwrap().eval("whoami").unwrap_err().message.contains("invalid command name"));
}

/// Restores reuse the code they decoded before only for the very same
/// bytes: two agents whose code differs by one literal each get their own.
#[test]
fn restored_code_is_reused_only_for_identical_code() {
    let host = |i: &mut Interp| {
        i.register_host(
            "pause",
            Box::new(|_, _| HostResult::Suspend(HostRequest { command: "pause".into(), args: vec![] })),
        )
    };
    let mut snapshots = Vec::new();
    for script in ["proc p {} { pause; return 1 }; p", "proc p {} { pause; return 2 }; p"] {
        let (mut i, _) = fresh("");
        host(&mut i);
        i.start(script, None);
        assert!(matches!(i.run(LIMIT), Outcome::Request(_)));
        snapshots.push(save(&i).unwrap());
    }
    // Each twice, alternating: the second of each is a hit.
    for (bytes, want) in [(&snapshots[0], "1"), (&snapshots[1], "2"), (&snapshots[0], "1"), (&snapshots[1], "2")] {
        let mut i = restore(bytes).unwrap();
        i.resume(Ok(String::new())).unwrap();
        match i.run(LIMIT) {
            Outcome::Finished(r) => assert_eq!(r.as_str(), want),
            o => panic!("unexpected {o:?}"),
        }
    }
}
