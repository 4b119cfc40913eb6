//! The cost of strong mobility on a CPU workload: fib(N) by naive
//! recursion (the `fib` export of guests/fixtures/bench.wasm) called
//! directly in wasmtime, as the plain module (no fuel), the plain module
//! with fuel metering, and the instrumented module (safe points and
//! Asyncify) with fuel, as agents run. Medians of RUNS runs, alternating.
//! Prints `name value unit` lines. Usage:
//! cargo run --release -p itinerant-wasm --example asyncify_overhead -- [N] [RUNS]

use std::time::Instant;

use wasmtime::{Config, Engine, Linker, Module, Store};

fn engine(fuel: bool) -> Engine {
    let mut c = Config::new();
    c.consume_fuel(fuel);
    Engine::new(&c).expect("engine")
}

/// One call of `fib(n)` in a fresh instance; its time in microseconds.
fn time_fib(engine: &Engine, module: &Module, n: u32, fuel: bool) -> (u64, u64) {
    let mut linker: Linker<()> = Linker::new(engine);
    linker.func_wrap("itin", "call", |_: i32, _: i32| -> i32 { 0 }).unwrap();
    linker.func_wrap("itin", "answer", |_: i32| {}).unwrap();
    linker.func_wrap("itin", "safepoint", || {}).unwrap();
    let mut store = Store::new(engine, ());
    if fuel {
        store.set_fuel(u64::MAX / 2).unwrap();
    }
    let instance = linker.instantiate(&mut store, module).expect("instantiate");
    let fib = instance.get_typed_func::<u32, u64>(&mut store, "fib").expect("fib export");
    let t = Instant::now();
    let v = fib.call(&mut store, n).expect("fib");
    (t.elapsed().as_micros() as u64, v)
}

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(30);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../guests/fixtures/bench.wasm");
    let plain = std::fs::read(path).expect("guests/fixtures/bench.wasm");
    let instrumented = itinerant_wasm::instrument(&plain).expect("instrument");
    println!("module_plain_bytes {} B", plain.len());
    println!("module_instrumented_bytes {} B", instrumented.len());
    let (no_fuel, with_fuel) = (engine(false), engine(true));
    let variants = [
        ("plain", Module::new(&no_fuel, &plain).unwrap(), &no_fuel, false),
        ("plain_fuel", Module::new(&with_fuel, &plain).unwrap(), &with_fuel, true),
        ("instrumented_fuel", Module::new(&with_fuel, &instrumented).unwrap(), &with_fuel, true),
    ];
    let mut times = vec![Vec::new(); variants.len()];
    let mut answer = None;
    for _ in 0..runs {
        for (i, (_, module, engine, fuel)) in variants.iter().enumerate() {
            let (us, v) = time_fib(engine, module, n, *fuel);
            assert!(answer.is_none_or(|a| a == v), "variants disagree");
            answer = Some(v);
            times[i].push(us);
        }
    }
    let base = median(times[0].clone()) as f64;
    for ((name, ..), t) in variants.iter().zip(times) {
        let m = median(t);
        println!("fib{n}_{name} {m} us");
        println!("fib{n}_{name}_ratio {:.2} x", m as f64 / base);
    }
}
