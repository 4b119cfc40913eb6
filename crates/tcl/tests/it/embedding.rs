//! The embedding API: budgets, host requests, deep recursion without Rust
//! recursion, limits as errors, and `Interp: Send`.

use itinerant_tcl::interp::{BufferOutput, HostFn, Output};
use itinerant_tcl::{HostRequest, HostResult, Interp, Outcome, Value};
use std::sync::{Arc, Mutex};

/// Output shared with the test.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<String>>);

impl Output for Shared {
    fn write(&mut self, _channel: &str, text: &str) -> Result<(), String> {
        self.0.lock().unwrap().push_str(text);
        Ok(())
    }
}

fn run_to_end(interp: &mut Interp, budget: u64) -> (Outcome, usize) {
    let mut slices = 0;
    loop {
        slices += 1;
        match interp.run(budget) {
            Outcome::OutOfBudget => continue,
            other => return (other, slices),
        }
    }
}

#[test]
fn interp_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<Interp>();
}

#[test]
fn budget_preempts_and_resumes() {
    let mut interp = Interp::new();
    let out = Shared::default();
    interp.set_output(Box::new(out.clone()));
    interp.start("set s 0; for {set i 0} {$i < 1000} {incr i} { incr s $i }; puts $s", None);
    let (outcome, slices) = run_to_end(&mut interp, 100);
    assert_eq!(outcome, Outcome::Finished(String::new()));
    assert!(slices > 10, "a budget of 100 must preempt a 1000-iteration loop");
    assert_eq!(out.0.lock().unwrap().as_str(), "499500\n");
}

#[test]
fn host_command_suspends_and_resumes_with_a_result() {
    let mut interp = Interp::new();
    let ask: HostFn = Box::new(|_, args: &[Value]| {
        HostResult::Suspend(HostRequest { command: "ask".into(), args: vec![args[1].as_str().into_owned()] })
    });
    interp.register_host("ask", ask);
    interp.start("proc f {} { return [string toupper [ask question]] }; f", None);
    match interp.run(u64::MAX) {
        Outcome::Request(r) => assert_eq!(r, HostRequest { command: "ask".into(), args: vec!["question".into()] }),
        other => panic!("expected a request, got {other:?}"),
    }
    // Still waiting: run reports the same request.
    assert!(matches!(interp.run(10), Outcome::Request(_)));
    interp.resume(Ok("answer".into())).unwrap();
    assert_eq!(interp.run(u64::MAX), Outcome::Finished("ANSWER".into()));
}

#[test]
fn host_command_error_is_a_tcl_error() {
    let mut interp = Interp::new();
    let ask: HostFn = Box::new(|_, _| HostResult::Suspend(HostRequest { command: "ask".into(), args: vec![] }));
    interp.register_host("ask", ask);
    interp.start("catch {ask} msg; set msg", None);
    assert!(matches!(interp.run(u64::MAX), Outcome::Request(_)));
    interp.resume(Err("no answer".into())).unwrap();
    assert_eq!(interp.run(u64::MAX), Outcome::Finished("no answer".into()));
}

#[test]
fn recursion_100k_deep_on_a_256k_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let mut interp = Interp::new();
            interp.limits.max_nesting = 200_000;
            interp.eval("proc r n { if {$n == 0} { return 0 }; expr {1 + [r [expr {$n - 1}]]} }; r 100000")
        })
        .unwrap();
    assert_eq!(handle.join().unwrap(), Ok("100000".into()));
}

#[test]
fn default_nesting_limit_is_tcls() {
    let mut interp = Interp::new();
    let err = interp.eval("proc r n { r [incr n] }; r 0").unwrap_err();
    assert_eq!(err.message, "too many nested evaluations (infinite loop?)");
}

#[test]
fn size_limits_are_errors() {
    let mut interp = Interp::new();
    interp.limits.max_string_bytes = 1 << 16;
    interp.limits.max_list_len = 1 << 10;
    let err = interp.eval("string repeat x 100000").unwrap_err();
    assert!(err.message.contains("limit"), "{}", err.message);
    let err = interp.eval("lrepeat 5000 x").unwrap_err();
    assert!(err.message.contains("limit"), "{}", err.message);
    let err = interp.eval("set s x; while 1 { append s $s }").unwrap_err();
    assert!(err.message.contains("limit"), "{}", err.message);
}

#[test]
fn budget_stops_an_infinite_loop() {
    let mut interp = Interp::new();
    interp.start("while 1 {}", None);
    assert_eq!(interp.run(10_000), Outcome::OutOfBudget);
    assert_eq!(interp.run(10_000), Outcome::OutOfBudget);
}

#[test]
fn buffer_output_collects_puts() {
    let mut interp = Interp::new();
    interp.set_output(Box::new(BufferOutput::default()));
    interp.eval("puts hello; puts stderr oops").unwrap();
}

#[test]
fn hostile_nesting_is_an_error_not_a_crash() {
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            let mut interp = Interp::new();
            let deep_brackets = format!("set x {}1{}", "[".repeat(100_000), "]".repeat(100_000));
            let r1 = interp.eval(&deep_brackets).is_err();
            let deep_bodies = format!("{}set y 1{}", "if 1 {".repeat(10_000), "}".repeat(10_000));
            let r2 = interp.eval(&deep_bodies).is_err();
            let deep_expr = format!("expr {{{}1{}}}", "(".repeat(100_000), ")".repeat(100_000));
            let r3 = interp.eval(&deep_expr).is_err();
            // A value nested a million lists deep is freed without recursion.
            let r4 =
                interp.eval("set l {}; for {set i 0} {$i < 1000000} {incr i} { set l [list $l] }; unset l; set ok 1");
            (r1, r2, r3, r4)
        })
        .unwrap();
    assert_eq!(handle.join().unwrap(), (true, true, true, Ok("1".into())));
}

#[test]
fn set_global_array_replaces_the_variable() {
    let mut interp = Interp::new();
    interp.eval("set a scalar").unwrap();
    let (x, empty) = (Value::from("x"), Value::empty());
    interp.set_global_array("a", &[("k1", &x), ("k2", &empty), ("k3", &x)]);
    assert_eq!(interp.eval("array get a").unwrap(), "k1 x k2 {} k3 x");
    // Elements that share a value are still separate variables.
    assert_eq!(interp.eval("append a(k1) y; list $a(k1) $a(k3)").unwrap(), "xy x");
}

#[test]
fn resume_eval_runs_a_script_at_the_global_level_as_the_commands_result() {
    let mut interp = Interp::new();
    let load: HostFn = Box::new(|_, _| HostResult::Suspend(HostRequest { command: "load".into(), args: vec![] }));
    interp.register_host("load", load);
    interp.start("proc f {} { set local 1; list [load] [info exists local] [lib_double 21] }; f", None);
    assert!(matches!(interp.run(u64::MAX), Outcome::Request(_)));
    // The script defines a proc and a global, then yields the result.
    interp.resume_eval("proc lib_double x { expr {2 * $x} }\nset g [info level]\nset v 1.0", None).unwrap();
    // A snapshot in the middle of the script carries it along.
    assert_eq!(interp.run(3), Outcome::OutOfBudget);
    let mut interp = itinerant_tcl::snapshot::restore(&itinerant_tcl::snapshot::save(&interp).unwrap()).unwrap();
    assert_eq!(interp.run(u64::MAX), Outcome::Finished("1.0 1 42".into()));
    assert_eq!(interp.global_var("g").as_deref(), Some("0"));
    assert!(interp.resume_eval("x", None).is_err(), "nothing is pending");
}

#[test]
fn resume_eval_raises_the_scripts_error_where_the_command_was_called() {
    let mut interp = Interp::new();
    let load: HostFn = Box::new(|_, _| HostResult::Suspend(HostRequest { command: "load".into(), args: vec![] }));
    interp.register_host("load", load);
    interp.start("list [catch {load} msg] $msg $errorInfo", None);
    assert!(matches!(interp.run(u64::MAX), Outcome::Request(_)));
    interp.resume_eval("set a 1\nerror boom", Some("(library \"x\" line %d)")).unwrap();
    let Outcome::Finished(r) = interp.run(u64::MAX) else { panic!("the catch ends the script") };
    assert!(r.starts_with("1 boom {boom\n    while executing\n\"error boom\"\n    (library \"x\" line 2)"), "{r}");
}

#[test]
fn set_global_var_sets_an_element_from_inside_a_proc() {
    let mut interp = Interp::new();
    let mark: HostFn = Box::new(|i, _| match i.set_global_var("marks(x)", "1.2") {
        Ok(()) => HostResult::Done(Value::empty()),
        Err(e) => HostResult::Error(itinerant_tcl::Exception::error(e)),
    });
    interp.register_host("mark", mark);
    assert_eq!(interp.eval("proc f {} { mark; info exists marks }; list [f] $marks(x)").unwrap(), "0 1.2");
}
