use super::*;

fn with_quota(bytes: usize) -> Interp {
    let mut i = Interp::new();
    i.set_output(Box::new(crate::interp::BufferOutput::default()));
    i.set_memory_limit(Some(bytes));
    i
}

fn err(i: &mut Interp, script: &str) -> String {
    match i.eval(script) {
        Ok(r) => panic!("expected an error, got {r:?}"),
        Err(e) => e.message,
    }
}

#[test]
fn a_big_string_fails_before_it_is_allocated() {
    let mut i = with_quota(8 << 20);
    let e = err(&mut i, "string repeat x 100000000");
    assert!(e.starts_with("memory quota exceeded: the agent holds"), "{e}");
    assert!(i.memory_used() < 1 << 20);
    // The error code names the quota.
    assert_eq!(i.eval("catch {lrepeat 10000000 x} m o; dict get $o -errorcode").unwrap(), "TCL MEMORY QUOTA");
}

#[test]
fn growth_by_small_steps_is_stopped_near_the_quota() {
    let quota = 4 << 20;
    for script in [
        "set l {}; while 1 {lappend l [incr i]}",
        "while 1 {set a([incr i]) $i}",
        "set s {}; while 1 {append s abcdefghij}",
        "set d {}; while 1 {dict set d [incr i] x}",
        "set s x; while 1 {set s $s$s}",
        "set l {}; while 1 {lappend l [string repeat y 10000]}",
        "proc f {n} {set x [string repeat a 1000]; f [incr n]}; f 0",
    ] {
        let mut i = with_quota(quota);
        i.limits.max_nesting = 100_000;
        let e = err(&mut i, script);
        assert!(e.starts_with("memory quota exceeded"), "{script}: {e}");
        // Past the quota by at most one doubling of its largest container.
        let held = i.memory_used();
        assert!(held <= 2 * quota, "{script}: holds {held}");
    }
}

#[test]
fn freed_values_do_not_count_and_a_caught_error_lets_the_agent_go_on() {
    let mut i = with_quota(4 << 20);
    // 100 MB allocated over time, never more than 100 kB held.
    i.eval("for {set n 0} {$n < 1000} {incr n} {set s [string repeat x 100000]}").unwrap();
    let r = i.eval("set l {}; set r [catch {while 1 {lappend l [string repeat z 1000]}} m]; set l {}; list $r [string range $m 0 20]");
    assert_eq!(r.unwrap(), "1 {memory quota exceeded}");
    assert_eq!(i.eval("string length [string repeat a 1000000]").unwrap(), "1000000");
}

#[test]
fn shared_values_are_counted_once() {
    let mut i = Interp::new();
    i.eval("set big [string repeat x 1000000]").unwrap();
    let one = i.memory_used();
    i.eval("set l [lrepeat 1000 $big]; set b $big; array set a [list k $big]").unwrap();
    let more = i.memory_used() - one;
    assert!(more < 100_000, "{more} more bytes for references to one string");
    assert!(one > 1_000_000);
}

#[test]
fn an_agent_that_catches_the_error_and_grows_on_is_stopped() {
    let mut i = with_quota(1 << 20);
    i.start("while 1 {catch {set a([incr n]) [string repeat y 1000]}}", None);
    match i.run(100_000_000) {
        crate::interp::Outcome::Error(e) => {
            assert!(e.message.starts_with("memory quota exceeded"), "{}", e.message);
            assert_eq!(e.error_code, "TCL MEMORY QUOTA");
        }
        other => panic!("{other:?}"),
    }
    assert!(i.is_idle());
}

#[test]
fn without_a_quota_nothing_is_charged() {
    let mut i = Interp::new();
    assert_eq!(i.memory_limit(), None);
    i.eval("set s [string repeat x 10000000]").unwrap();
    assert_eq!(i.meter.estimate, 0);
    assert!(i.instructions_run() > 0);
}
