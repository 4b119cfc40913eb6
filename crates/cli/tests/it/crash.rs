//! The migration crash test: agents hop among three `itin node start`
//! processes (alpha, beta, gamma) while the test SIGKILLs random nodes at
//! random moments and restarts them on the same data directory and port.
//! At the end every agent finished exactly once (its outcome is on exactly
//! one node, no copy of it lives anywhere, and that still holds after every
//! node is killed and restarted once more) with the result its hops must
//! give: the nodes it visited, a checksum over them, and the big variable
//! it carried.
//!
//! Parameters (environment; `scripts/crash-long.sh` runs the long version):
//! `ITIN_CRASH_SEED` (default: from the clock; always printed),
//! `ITIN_CRASH_HOPS` (hops of all agents together, default 240),
//! `ITIN_CRASH_AGENTS` (default 6), `ITIN_CRASH_PAUSE_MS` (an agent's mean
//! pause after a hop, default 150), `ITIN_CRASH_SECS` (time limit, default
//! 120, or 60 + hops / 10 with `ITIN_CRASH_HOPS`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common;

const NODES: [&str; 3] = ["alpha", "beta", "gamma"];
/// Longest wait for a node to say where it listens, or for one client call.
const WAIT: Duration = Duration::from_secs(30);
/// Bytes of the variable each agent carries along.
const BIG_LEN: usize = 20_000;

/// The agent: `hops` jumps to pseudo-random other nodes (an LCG seeded by
/// `seed`) with a pause after each, a refused jump tried again; its result
/// says where it went.
const AGENT: &str = r#"
set x [expr {$seed % 2147483648}]
set visited [list $agent(node)]
set sum 0
set big [string repeat "itinerant " 2000]
for {set n 1} {$n <= $hops} {incr n} {
    set x [expr {($x * 1103515245 + 12345) % 2147483648}]
    set others {}
    foreach node $nodes {
        if {$node ne $agent(node)} { lappend others $node }
    }
    set next [lindex $others [expr {($x >> 16) % [llength $others]}]]
    while {[catch {agent_jump $next} why]} {
        puts "jump to $next refused: $why"
        after 200
    }
    lappend visited $agent(node)
    # A pause of 0 to 2 x pause ms: kills land on transfers and on waits.
    after [expr {$x % (2 * $pause + 1)}]
    set sum [expr {($sum * 31 + $n * [string length $agent(node)] + [string length $big]) % 1000000007}]
}
list $hops $sum [llength $visited] [string length $big] $visited
"#;

/// What the agent above must return.
fn expected_result(seed: u64, start: usize, hops: u64) -> String {
    let mut x = seed % 2_147_483_648;
    let mut at = start;
    let mut visited = vec![NODES[start]];
    let mut sum = 0u64;
    for n in 1..=hops {
        x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
        let others: Vec<usize> = (0..NODES.len()).filter(|&i| i != at).collect();
        at = others[((x >> 16) % others.len() as u64) as usize];
        visited.push(NODES[at]);
        sum = (sum * 31 + n * NODES[at].len() as u64 + BIG_LEN as u64) % 1_000_000_007;
    }
    format!("{hops} {sum} {} {BIG_LEN} {{{}}}", visited.len(), visited.join(" "))
}

/// splitmix64: small, seeded, good enough to pick victims and moments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn millis(&mut self, lo: u64, hi: u64) -> Duration {
        Duration::from_millis(lo + self.below(hi - lo + 1))
    }
}

struct Params {
    seed: u64,
    hops: u64,
    agents: u64,
    pause_ms: u64,
    limit: Duration,
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    Some(v.trim().parse().unwrap_or_else(|e| panic!("{name}={v:?}: {e}")))
}

impl Params {
    fn from_env() -> Params {
        let seed = env_u64("ITIN_CRASH_SEED").unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
        });
        let hops = env_u64("ITIN_CRASH_HOPS");
        let agents = env_u64("ITIN_CRASH_AGENTS").unwrap_or(6).max(1);
        let limit = env_u64("ITIN_CRASH_SECS").unwrap_or(match hops {
            Some(h) => 60 + h / 10,
            None => 120,
        });
        let pause_ms = env_u64("ITIN_CRASH_PAUSE_MS").unwrap_or(150);
        Params { seed, hops: hops.unwrap_or(240), agents, pause_ms, limit: Duration::from_secs(limit) }
    }
}

/// One node: its process while it runs, where it keeps its data and log.
struct NodeProc {
    name: &'static str,
    data: PathBuf,
    log: PathBuf,
    /// Where it listens (fixed after the first start).
    addr: String,
    child: Option<Child>,
}

impl NodeProc {
    /// Starts the node with `peers` (name, address); `listen` "127.0.0.1:0"
    /// the first time, its own address after. A port still held by the
    /// killed process is tried again for a while.
    fn start(&mut self, listen: &str, peers: &[(&str, String)]) {
        let data = self.data.to_str().unwrap().to_owned();
        let mut args = vec!["--name", self.name, "--listen", listen, "--data", &data, "--workers", "1"];
        let peer_args: Vec<String> = peers.iter().map(|(n, a)| format!("{n}={a}")).collect();
        for p in &peer_args {
            args.extend(["--peer", p.as_str()]);
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let (mut child, lines) = common::start_node_logged(&args, &self.log);
            let prefix = format!("node {} listening on ", self.name);
            match lines.recv_timeout(WAIT) {
                Ok(line) if line.starts_with(&prefix) => {
                    self.addr = line[prefix.len()..].to_owned();
                    // Keep draining stdout so the node never blocks on it.
                    std::thread::spawn(move || while lines.recv().is_ok() {});
                    self.child = Some(child);
                    return;
                }
                other => {
                    let _ = child.kill();
                    let _ = child.wait();
                    assert!(
                        Instant::now() < deadline,
                        "node {} did not start ({other:?}); its log:\n{}",
                        self.name,
                        tail(&self.log, 30)
                    );
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        }
    }

    /// SIGKILL.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn itin(&self, args: &[&str]) -> Result<String, String> {
        let (code, out, err) = common::run_itin(args, Some(&self.addr), WAIT);
        if code == 0 {
            Ok(out)
        } else {
            Err(format!("itin {args:?} on {}: {}", self.name, err.trim()))
        }
    }

    /// The node's agents: id -> state (none while it is down).
    fn agents(&self) -> Option<BTreeMap<String, String>> {
        self.child.as_ref()?;
        let out = self.itin(&["agents", "--json"]).ok()?;
        let rows: Value = serde_json::from_str(&out).ok()?;
        let rows = rows.as_array()?;
        Some(
            rows.iter()
                .map(|r| (r["id"].as_str().unwrap_or("").to_owned(), r["state"].as_str().unwrap_or("").to_owned()))
                .collect(),
        )
    }
}

impl Drop for NodeProc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The last `n` lines of a file.
fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Where each agent is, as the nodes that are up report it, in the order
/// they were asked: agent -> (node, state) for every node with a record.
type Survey = BTreeMap<String, Vec<(&'static str, String)>>;

fn survey(nodes: &[NodeProc], ids: &[String]) -> (Survey, usize) {
    let mut found: Survey = ids.iter().map(|id| (id.clone(), Vec::new())).collect();
    let mut up = 0;
    for node in nodes {
        let Some(agents) = node.agents() else { continue };
        up += 1;
        for (id, state) in agents {
            if let Some(at) = found.get_mut(&id) {
                at.push((node.name, state));
            }
        }
    }
    (found, up)
}

/// A state in which the agent runs or may run (not ended, not gone, not
/// frozen in a transfer).
fn is_live(state: &str) -> bool {
    !matches!(state, "deleted" | "moved" | "transit")
}

/// Checks what a survey can prove while agents move (nodes are asked one
/// after the other, so an agent that hops between two questions is seen
/// live twice, legitimately): no agent ended on two nodes (outcomes are
/// durable), and none is live on a node asked after the one where it had
/// ended. With `final_check` (nothing moves any more): each ended exactly
/// once and no copy is left in any state but "moved". Returns whether
/// every agent ended.
fn check(found: &Survey, final_check: bool) -> Result<bool, String> {
    let mut all_ended = true;
    for (id, at) in found {
        let ended: Vec<_> = at.iter().filter(|(_, s)| s == "deleted").map(|(n, _)| *n).collect();
        if ended.len() > 1 {
            return Err(format!("agent {id} ended on {ended:?}"));
        }
        if let Some(first_end) = at.iter().position(|(_, s)| s == "deleted") {
            if at[first_end..].iter().any(|(_, s)| is_live(s)) {
                return Err(format!("agent {id} ended on {} and then ran elsewhere: {at:?}", ended[0]));
            }
        }
        if final_check && at.iter().any(|(_, s)| s != "deleted" && s != "moved") {
            return Err(format!("agent {id} left a copy: {at:?}"));
        }
        all_ended &= ended.len() == 1;
    }
    Ok(all_ended)
}

fn describe(found: &Survey) -> String {
    found.iter().map(|(id, at)| format!("  {id}: {at:?}")).collect::<Vec<_>>().join("\n")
}

#[test]
fn agents_hopping_among_crashing_nodes_each_finish_exactly_once() {
    let p = Params::from_env();
    let hops_each = p.hops.div_ceil(p.agents);
    eprintln!(
        "crash test: seed {} (ITIN_CRASH_SEED), {} agents x {hops_each} hops, pause {} ms, limit {:?}",
        p.seed, p.agents, p.pause_ms, p.limit
    );
    let mut rng = Rng(p.seed);
    let dir = std::env::temp_dir().join(format!("itin-crashtest-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut nodes: Vec<NodeProc> = NODES
        .iter()
        .map(|&name| NodeProc {
            name,
            data: dir.join(name),
            log: dir.join(format!("{name}.log")),
            addr: String::new(),
            child: None,
        })
        .collect();
    // Each later node is told of the earlier ones; they learn it from its hello.
    for i in 0..nodes.len() {
        let peers: Vec<(&str, String)> = nodes[..i].iter().map(|n| (n.name, n.addr.clone())).collect();
        nodes[i].start("127.0.0.1:0", &peers);
    }
    let script = dir.join("hopper.tcl");
    std::fs::write(&script, AGENT).unwrap();
    let script = script.to_str().unwrap();

    let started = Instant::now();
    let mut agents: Vec<(String, String)> = Vec::new(); // (id, expected result)
    for i in 0..p.agents {
        let start = (i % NODES.len() as u64) as usize;
        let seed = rng.next() % 2_147_483_648;
        let vars = [
            format!("hops={hops_each}"),
            format!("seed={seed}"),
            format!("pause={}", p.pause_ms),
            format!("nodes={}", NODES.join(" ")),
        ];
        let mut args = vec!["submit"];
        for v in &vars {
            args.extend(["--var", v.as_str()]);
        }
        args.push(script);
        let id = nodes[start].itin(&args).unwrap_or_else(|e| panic!("{e}")).trim().to_owned();
        agents.push((id, expected_result(seed, start, hops_each)));
    }
    let ids: Vec<String> = agents.iter().map(|(id, _)| id.clone()).collect();

    let fail = |nodes: &[NodeProc], why: String, found: &Survey| -> ! {
        let logs: Vec<String> =
            nodes.iter().map(|n| format!("--- {} log (last lines):\n{}", n.name, tail(&n.log, 25))).collect();
        panic!(
            "{why}\nseed {} (rerun with ITIN_CRASH_SEED={}); data and logs kept in {}\nagents (node, state):\n{}\n{}",
            p.seed,
            p.seed,
            dir.display(),
            describe(found),
            logs.join("\n")
        )
    };

    // Chaos until every agent ended: one node at a time is killed at a
    // random moment and restarted after a random pause.
    let deadline = started + p.limit;
    let mut kills = 0;
    loop {
        let (found, up) = survey(&nodes, &ids);
        match check(&found, false) {
            Err(why) => fail(&nodes, why, &found),
            Ok(true) if up == nodes.len() => break,
            Ok(_) => {}
        }
        if Instant::now() > deadline {
            fail(&nodes, format!("not every agent ended within {:?} ({kills} kills)", p.limit), &found);
        }
        std::thread::sleep(rng.millis(50, 800));
        let victim = rng.below(nodes.len() as u64) as usize;
        nodes[victim].kill();
        kills += 1;
        std::thread::sleep(rng.millis(0, 600));
        let peers: Vec<(&str, String)> =
            nodes.iter().filter(|n| n.name != nodes[victim].name).map(|n| (n.name, n.addr.clone())).collect();
        let addr = nodes[victim].addr.clone();
        nodes[victim].start(&addr, &peers);
    }
    let chaos_time = started.elapsed();

    // The outcomes must be durable: kill every node once more, restart
    // them all, and look again once they settled.
    for node in nodes.iter_mut() {
        node.kill();
    }
    kills += nodes.len();
    for i in 0..nodes.len() {
        let peers: Vec<(&str, String)> =
            nodes.iter().filter(|n| n.name != nodes[i].name).map(|n| (n.name, n.addr.clone())).collect();
        let addr = nodes[i].addr.clone();
        nodes[i].start(&addr, &peers);
    }
    let settle = Instant::now() + WAIT;
    let found = loop {
        std::thread::sleep(Duration::from_millis(1500));
        let (found, up) = survey(&nodes, &ids);
        match check(&found, true) {
            Ok(true) if up == nodes.len() => break found,
            Err(why) if Instant::now() > settle => fail(&nodes, format!("after the last restart: {why}"), &found),
            _ if Instant::now() > settle => fail(&nodes, "after the last restart not every agent ended".into(), &found),
            _ => {}
        }
    };
    let mut wrong = Vec::new();
    for (id, expected) in &agents {
        let (node, _) = found[id].iter().find(|(_, s)| s == "deleted").expect("checked");
        let node = nodes.iter().find(|n| n.name == *node).unwrap();
        let info = node.itin(&["agent", "info", "--json", id]).unwrap_or_else(|e| panic!("{e}"));
        let info: Value = serde_json::from_str(&info).unwrap();
        if info["result"].as_str() != Some(expected.as_str()) {
            wrong.push(format!("agent {id} on {}: {info}\n  expected result {expected:?}", node.name));
        }
    }
    if !wrong.is_empty() {
        fail(&nodes, format!("wrong results:\n{}", wrong.join("\n")), &found);
    }
    // The summary line scripts/crash-long.sh prints.
    eprintln!(
        "crash test: PASS seed {} agents {} hops {} kills {kills} restarts {kills} chaos {:.1}s total {:.1}s",
        p.seed,
        p.agents,
        hops_each * p.agents,
        chaos_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    drop(nodes);
    let _ = std::fs::remove_dir_all(&dir);
}
