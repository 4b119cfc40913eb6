//! The wasm program on small modules (wat): instrumentation, suspension in
//! a host call deep in a recursion, preemption by fuel at safe points,
//! snapshot and restore into a fresh instance, the memory quota, refused
//! snapshots. Needs `wasm-opt` (Debian's binaryen; `.ci/run` installs it).

use itinerant_core::program::{HostCall, Program};
use itinerant_tcl::{HostRequest, Outcome};
use itinerant_wasm::program::{compile, Calls, WasmProgram};

/// A recursion `sum(n) = n + sum(n-1)` whose innermost call asks the host
/// to jump (`agent_jump beta`), a global counting the calls, and the loop
/// `spin(k)` (k iterations); the results go to memory at 1000 and 1004.
const RECURSE: &str = r#"(module
  (import "itin" "call" (func $call (param i32 i32) (result i32)))
  (import "itin" "answer" (func $answer (param i32)))
  (memory (export "memory") 1)
  (global $calls (mut i32) (i32.const 0))
  (data (i32.const 0) "\0a\00\00\00agent_jump\04\00\00\00beta")
  (func $sum (param $n i32) (result i32)
    (local $mine i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (local.set $mine (i32.mul (local.get $n) (i32.const 3)))
    (if (result i32) (i32.eqz (local.get $n))
      (then (drop (call $call (i32.const 0) (i32.const 22))) (i32.const 0))
      (else (i32.add (i32.div_u (local.get $mine) (i32.const 3)) (call $sum (i32.sub (local.get $n) (i32.const 1)))))))
  (func $spin (param $k i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $out (loop $l
      (br_if $out (i32.ge_u (local.get $i) (local.get $k)))
      (local.set $acc (i32.add (local.get $acc) (i32.and (local.get $i) (i32.const 7))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $acc))
  (func (export "itin_main")
    (i32.store (i32.const 1000) (call $sum (i32.const 100)))
    (i32.store (i32.const 1004) (call $spin (i32.const 3000000)))
    (i32.store (i32.const 1008) (global.get $calls))))"#;

fn build(wat: &str) -> itinerant_wasm::Code {
    let module = wat::parse_str(wat).unwrap();
    let instrumented = itinerant_wasm::instrument(&module).unwrap();
    compile(&instrumented).unwrap()
}

/// Every host call waits (as `agent_jump` does).
fn suspending() -> Calls {
    Calls::Local(Box::new(|w: &[String]| {
        HostCall::Suspend(HostRequest { command: w[0].clone(), args: w[1..].to_vec() })
    }))
}

fn word_at(p: &WasmProgram, at: usize) -> u32 {
    // Read through a snapshot: the program's only view from outside.
    let state = itinerant_wasm::snapshot::read(&p.snapshot().unwrap(), 1 << 16).unwrap();
    let chunk = at / itinerant_wasm::snapshot::CHUNK;
    let bytes = state.chunks.iter().find(|c| c.0 as usize == chunk).map(|c| c.1.clone()).unwrap_or_default();
    let off = at % itinerant_wasm::snapshot::CHUNK;
    bytes.get(off..off + 4).map(|b| u32::from_le_bytes(b.try_into().unwrap())).unwrap_or(0)
}

#[test]
fn a_jump_deep_in_a_recursion_finishes_in_a_fresh_instance_with_every_local() {
    let code = build(RECURSE);
    let mut p = WasmProgram::new(&code).unwrap();
    p.set_calls(suspending());
    let req = match p.run(1_000_000) {
        Outcome::Request(r) => r,
        other => panic!("expected the jump, got {other:?}"),
    };
    assert_eq!(req, HostRequest { command: "agent_jump".into(), args: vec!["beta".into()] });
    let bytes = p.snapshot().unwrap();
    drop(p);
    // Elsewhere: a new instance of the same module, from the bytes alone.
    let mut q = WasmProgram::restore(&code, &bytes, 64 << 20).unwrap();
    assert_eq!(q.pending_request(), Some(&req));
    q.resume(Ok(String::new())).unwrap();
    let mut slices = 0;
    loop {
        match q.run(10_000) {
            Outcome::OutOfBudget => slices += 1,
            Outcome::Finished(_) => break,
            other => panic!("{other:?}"),
        }
        // Every slice moves too.
        let b = q.snapshot().unwrap();
        q = WasmProgram::restore(&code, &b, 64 << 20).unwrap();
    }
    assert!(slices > 3, "the loop was preempted {slices} times");
    assert_eq!(word_at(&q, 1000), 5050, "every frame's n and local survived");
    let expected_spin: u32 = (0..3_000_000u32).map(|i| i & 7).sum();
    assert_eq!(word_at(&q, 1004), expected_spin);
    assert_eq!(word_at(&q, 1008), 101, "the global survived");
}

#[test]
fn host_calls_answer_at_once_or_suspend() {
    let code = build(
        r#"(module
  (import "itin" "call" (func $call (param i32 i32) (result i32)))
  (import "itin" "answer" (func $answer (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\0a\00\00\00agent_node")
  (data (i32.const 100) "\0b\00\00\00itin_result\05\00\00\00")
  (func (export "itin_main")
    (local $n i32)
    (local.set $n (call $call (i32.const 0) (i32.const 14)))
    (call $answer (i32.const 119))
    (drop (call $call (i32.const 100) (i32.add (i32.const 19) (local.get $n))))))"#,
    );
    let mut p = WasmProgram::new(&code).unwrap();
    p.set_calls(Calls::Local(Box::new(|w: &[String]| match w[0].as_str() {
        "agent_node" => HostCall::Done("gamma".into()),
        _ => HostCall::Error("no".into()),
    })));
    match p.run(100_000) {
        Outcome::Finished(r) => assert_eq!(r, "gamma"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_memory_quota_stops_a_growing_program() {
    let code = build(
        r#"(module
  (memory (export "memory") 1)
  (func (export "itin_main")
    (loop $l
      (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
    unreachable))"#,
    );
    let mut p = WasmProgram::new(&code).unwrap();
    p.set_memory_limit(4 << 20);
    let mut outcome = p.run(1_000_000);
    while matches!(outcome, Outcome::OutOfBudget) {
        outcome = p.run(1_000_000);
    }
    match outcome {
        Outcome::Error(e) => {
            assert_eq!(e.error_code, "TCL MEMORY QUOTA", "{e:?}");
            assert!(e.message.contains("memory quota exceeded"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
    assert!(p.memory_in_use() <= 4 << 20);
}

#[test]
fn an_endless_loop_is_preempted_and_a_deep_recursion_stopped() {
    let code = build(
        r#"(module
  (memory (export "memory") 1)
  (func $deep (param i32) (result i32) (i32.add (i32.const 1) (call $deep (local.get 0))))
  (func (export "itin_main")
    (local $i i32)
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 2000000))))
    (drop (call $deep (i32.const 0)))))"#,
    );
    let mut p = WasmProgram::new(&code).unwrap();
    let mut preempted = 0;
    let outcome = loop {
        match p.run(1_000) {
            Outcome::OutOfBudget => preempted += 1,
            other => break other,
        }
    };
    assert!(preempted >= 10, "{preempted}");
    match outcome {
        Outcome::Error(e) => assert!(e.message.contains("wasm trap"), "{e:?}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn tampered_or_foreign_snapshots_are_refused() {
    let code = build(RECURSE);
    let mut p = WasmProgram::new(&code).unwrap();
    p.set_calls(suspending());
    assert!(matches!(p.run(1_000_000), Outcome::Request(_)));
    let bytes = p.snapshot().unwrap();
    let mut bad = bytes.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x40;
    let err = WasmProgram::restore(&code, &bad, 64 << 20).err().unwrap();
    assert!(err.contains("digest"), "{err}");
    let other = build(r#"(module (memory (export "memory") 1) (func (export "itin_main")))"#);
    let err = WasmProgram::restore(&other, &bytes, 64 << 20).err().unwrap();
    assert!(err.contains("another module"), "{err}");
    let err = WasmProgram::restore(&code, &bytes, 65536).err().unwrap();
    assert!(err.contains("quota"), "{err}");
}
