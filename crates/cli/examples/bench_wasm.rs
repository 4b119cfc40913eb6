//! WebAssembly agents between two nodes over loopback (both in this
//! process, plain TCP, no store), beside a loopback TCP round trip measured
//! in the same run; and one algorithm as an Agent Tcl agent and as a wasm
//! agent. Agents: guests/fixtures/bench.wasm. Prints `name value unit`
//! lines. Usage:
//! cargo run --release -p itin --example bench_wasm -- [RUNS]
//!
//! jump_MEM: an agent whose linear memory is MEM jumps alpha <-> beta HOPS
//! times; per hop = (time with HOPS hops - time with none) / HOPS, median
//! of RUNS runs (the first hop of the first run carries the module to
//! beta; later ones only the snapshot). 64KiB: guests/fixtures/tiny.wasm,
//! one page of its own holding 32 KiB of data; 64KiBdata: bench.wasm
//! holding 64 KiB of data (about 1.4 MiB of memory); 16MiB: bench.wasm
//! holding 15 MiB of data (16 MiB would not fit in a frame). For each, the agent's
//! linear memory (pages, the 4 of the Asyncify buffer the node appends
//! included) and the bytes of its snapshot at the jump are printed too.
//! fib: fib(25) by naive recursion in each language, on one node, from
//! spawn to end.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use itinerant_node::node::{Node, NodeConfig};

const WAIT: Duration = Duration::from_secs(600);

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Median microseconds of `n` 64-byte round trips over loopback TCP.
fn tcp_round_trip_us(n: usize) -> f64 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_nodelay(true).ok();
        let mut b = [0u8; 64];
        while s.read_exact(&mut b).is_ok() && s.write_all(&b).is_ok() {}
    });
    let mut c = TcpStream::connect(addr).unwrap();
    c.set_nodelay(true).ok();
    let mut b = [1u8; 64];
    let times = (0..n)
        .map(|_| {
            let t = Instant::now();
            c.write_all(&b).unwrap();
            c.read_exact(&mut b).unwrap();
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    median(times)
}

/// Seconds from spawning the wasm agent with `vars` on `node` to its end.
fn run_wasm(node: &Node, module: &[u8], vars: &[(&str, String)]) -> (f64, String) {
    let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let t = Instant::now();
    let id = node.runtime().spawn_code(module, None, &vars, None).expect("spawn");
    // `wait` returns at once while the agent is away: poll until it ends here.
    let out = loop {
        if let Some(o) = node.runtime().wait(&id, Duration::from_millis(1)) {
            break o;
        }
        assert!(t.elapsed() < WAIT, "agent did not end");
        std::thread::sleep(Duration::from_micros(200));
    };
    (t.elapsed().as_secs_f64(), out.result.expect("agent result"))
}

/// Bytes of the snapshot of `module` run with `vars` until its first jump
/// (what a hop carries, less the image's few fields around it).
fn snapshot_at_jump(module: &[u8], vars: &[(&str, String)]) -> usize {
    use itinerant_core::program::{HostCall, Program};
    let code = itinerant_wasm::program::compile(module).expect("compile");
    let mut program = itinerant_wasm::program::WasmProgram::new(&code).expect("instance");
    program.set_memory_limit(64 << 20);
    program.set_calls(itinerant_wasm::program::Calls::Local(Box::new(|w: &[String]| {
        HostCall::Suspend(itinerant_tcl::HostRequest { command: w[0].clone(), args: w[1..].to_vec() })
    })));
    for (k, v) in vars {
        program.set_program_var(k, v).unwrap();
    }
    loop {
        match program.run(1 << 30) {
            itinerant_tcl::Outcome::Request(r) if r.command == "agent_jump" => break,
            itinerant_tcl::Outcome::OutOfBudget => {}
            other => panic!("agent stopped before its jump: {other:?}"),
        }
    }
    program.snapshot().expect("snapshot").len()
}

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let fixture = |name: &str| {
        let path = format!("{}/../../guests/fixtures/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
        itinerant_wasm::instrument(&std::fs::read(&path).expect(&path)).expect("instrument")
    };
    let (module, tiny) = (fixture("bench"), fixture("tiny"));
    println!("tcp_round_trip_p50 {:.1} us", tcp_round_trip_us(2000));
    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (alpha, beta) = tokio.block_on(async {
        let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let alpha = Node::start(NodeConfig::new("alpha", any)).await.expect("alpha");
        let beta = Node::start(NodeConfig::new("beta", any)).await.expect("beta");
        alpha.add_peer("beta", beta.addr());
        beta.add_peer("alpha", alpha.addr());
        (alpha, beta)
    });
    std::thread::sleep(Duration::from_millis(300));
    // 16MiB: 15 MiB of data, with the stack and the heap's own pages about
    // 16 MiB of linear memory; the image stays under the 16 MiB frame limit.
    // 64KiB: the 32 KiB of data the tiny agent's arena can hold;
    // 64KiBdata: bench.wasm with 64 KiB of data (a usual Rust agent's
    // memory, about 1.4 MiB), as measured before tiny existed.
    let cases = [
        ("64KiB", &tiny, 32usize << 10, 200usize),
        ("64KiBdata", &module, 64 << 10, 200),
        ("16MiB", &module, 15 << 20, 10),
    ];
    for (label, code, memory, hops) in cases {
        let vars = |hops: usize| {
            vec![
                ("work", "hops".to_string()),
                ("memory", memory.to_string()),
                ("hops", hops.to_string()),
                ("a", "alpha".to_string()),
                ("b", "beta".to_string()),
            ]
        };
        let (_, out) = run_wasm(&alpha, code, &vars(2)); // the module goes to beta once
        let pages: u64 = out.rsplit(' ').next().and_then(|p| p.parse().ok()).expect("pages in the result");
        let buffer = itinerant_wasm::program::BUFFER_PAGES;
        println!("wasm_memory_{label} {} KiB ({pages} pages, {buffer} of them the Asyncify buffer)", pages * 64);
        println!("wasm_snapshot_{label} {} bytes", snapshot_at_jump(code, &vars(1)));
        let mut per_hop = Vec::new();
        for _ in 0..runs {
            let (t0, _) = run_wasm(&alpha, code, &vars(0));
            let (t, out) = run_wasm(&alpha, code, &vars(hops));
            assert!(out.starts_with(&format!("{memory} ")), "{out}");
            per_hop.push((t - t0) / hops as f64 * 1e6);
        }
        println!("wasm_jump_{label}_p50 {:.0} us", median(per_hop));
    }
    // The same hops by an Agent Tcl agent carrying 64 KiB in a variable.
    let tcl_hops = |hops: usize| {
        format!(
            "set data [string repeat x 65536]; for {{set i 0}} {{$i < {hops}}} {{incr i}} {{ agent_jump [expr {{$i % 2 ? \"alpha\" : \"beta\"}}] }}; string length $data"
        )
    };
    let run_tcl = |script: &str| {
        let t = Instant::now();
        let id = alpha.runtime().spawn(script, None).unwrap();
        loop {
            if let Some(o) = alpha.runtime().wait(&id, Duration::from_millis(1)) {
                assert_eq!(o.result, Ok("65536".into()));
                break t.elapsed().as_secs_f64();
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    };
    let per_hop: Vec<f64> =
        (0..runs).map(|_| (run_tcl(&tcl_hops(200)) - run_tcl(&tcl_hops(0))) / 200.0 * 1e6).collect();
    println!("tcl_jump_64KiB_p50 {:.0} us", median(per_hop));
    let tcl_fib = "proc fib n { if {$n < 2} { return $n }; expr {[fib [expr {$n-1}]] + [fib [expr {$n-2}]]} }; fib 25";
    let (mut tcl, mut wasm) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        let id = alpha.runtime().spawn(tcl_fib, None).unwrap();
        let r = alpha.runtime().wait(&id, WAIT).unwrap().result.unwrap();
        tcl.push(t.elapsed().as_secs_f64() * 1e3);
        let (t, w) = run_wasm(&alpha, &module, &[("work", "fib".into()), ("n", "25".into())]);
        assert_eq!(r, w, "both languages compute fib(25)");
        wasm.push(t * 1e3);
    }
    let (tcl, wasm) = (median(tcl), median(wasm));
    println!("fib25_tcl_agent {tcl:.1} ms");
    println!("fib25_wasm_agent {wasm:.2} ms");
    println!("fib25_tcl_over_wasm {:.0} x", tcl / wasm);
    alpha.stop();
    beta.stop();
}
