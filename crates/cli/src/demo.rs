//! `itin demo`: three nodes (alpha, beta, gamma) in this process on
//! loopback ports, and a scenario that shows the platform working: agents
//! on several nodes, messages between them, the directory, a FIPA
//! contract-net among agents on different nodes, and mobility (the seed's
//! `agent_submit` and `agent_jump` examples, and a fork). Prints a
//! transcript and exits 0 when every step gave the expected result.
//!
//! The nodes talk mutual TLS under a throwaway CA made in memory for the
//! run (nothing is written to disk).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use itinerant_core::AgentId;
use itinerant_node::dashboard::Dashboard;
use itinerant_node::net::pki::Authority;
use itinerant_node::net::tls::NodeTls;
use itinerant_node::node::{Node, NodeConfig};
use std::sync::Arc;

const WAIT: Duration = Duration::from_secs(30);

/// A contractor: registers its service, answers one call for proposals
/// with a price, and does the job if its proposal is accepted.
const CONTRACTOR: &str = r#"
df register -service [list type transport name $agent(name) node $agent(node)]
set cfp [acl receive -performative cfp]
set price [expr {[lindex [dict get $cfp content] 1] * $rate}]
puts "  $agent(name)@$agent(node): proposes $price for [dict get $cfp content]"
acl reply $cfp -performative propose -content $price
set answer [acl receive -conversation-id [dict get $cfp conversation-id]]
if {[dict get $answer performative] eq "accept-proposal"} {
    acl reply $answer -performative inform -content "delivered by $agent(name) on $agent(node) for $price"
    set r won
} else {
    set r lost
}
"#;

/// The manager: finds contractors in the directory (on every node), calls
/// for proposals, takes the cheapest, waits for the job.
const MANAGER: &str = r#"
for {set i 0} {$i < 500} {incr i} {
    set found [df search -type transport]
    if {[llength $found] >= 3} break
    after 10
}
set contractors {}
foreach f $found {
    lappend contractors [dict get $f agent]
    puts "  manager@$agent(node): DF lists [dict get $f service name] on [dict get $f service node] ([dict get $f agent])"
}
set proposals {}
foreach c $contractors {
    acl send -performative cfp -receiver $c -content {crates 12} -conversation-id move-1 -reply-with $c -protocol fipa-contract-net
}
foreach c $contractors {
    set p [acl receive -performative propose -conversation-id move-1 -timeout 10000]
    if {$p eq ""} { error "a contractor did not answer" }
    lappend proposals [list [dict get $p content] $p]
}
set sorted [lsort -integer -index 0 $proposals]
set best [lindex $sorted 0 1]
puts "  manager@$agent(node): accepts [dict get $best sender] at [dict get $best content]"
acl reply $best -performative accept-proposal
foreach other [lrange $sorted 1 end] { acl reply [lindex $other 1] -performative reject-proposal }
dict get [acl receive -performative inform -conversation-id move-1 -timeout 10000] content
"#;

/// `linger`: keep the nodes (and their dashboards) up that long after the
/// scenario, to look at them.
pub fn run(linger: Duration) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("itin demo: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(scenario(linger)) {
        Ok(()) => {
            println!("demo: every step worked");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("demo failed: {e}");
            ExitCode::from(1)
        }
    }
}

async fn scenario(linger: Duration) -> Result<(), String> {
    let t0 = Instant::now();
    let any: SocketAddr = "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?;
    let ca = Authority::generate()?;
    let mut nodes = Vec::new();
    let mut dashboards = Vec::new();
    for name in ["alpha", "beta", "gamma"] {
        let mut c = NodeConfig::new(name, any);
        c.tls = Some(NodeTls::new(name, &ca.node_credentials(name)?)?);
        c.runtime.workers = 1;
        // The seed's all_users tour runs `who` on every node.
        c.runtime.exec_allow = vec!["who".into()];
        let node = Arc::new(Node::start(c).await.map_err(|e| format!("starting {name}: {e}"))?);
        println!("node {name} listening on {} (mutual TLS, throwaway CA)", node.addr());
        let token = itinerant_node::dashboard::auth::new_token()?;
        let dashboard = Dashboard::start(node.clone(), any, token).await?;
        println!("node {name} dashboard at {}", dashboard.url());
        dashboards.push(dashboard);
        nodes.push((name, node));
    }
    for (a, na) in &nodes {
        for (b, nb) in &nodes {
            if a != b {
                na.add_peer(b, nb.addr());
            }
        }
    }
    let [(_, alpha), (_, beta), (_, gamma)] = <[(&str, Arc<Node>); 3]>::try_from(nodes).map_err(|_| "three nodes")?;

    let kept = [alpha.clone(), beta.clone(), gamma.clone()];
    tokio::task::spawn_blocking(move || steps(&alpha, &beta, &gamma)).await.map_err(|e| format!("{e}"))??;
    println!("(demo took {:.0?})", t0.elapsed());
    if !linger.is_zero() {
        println!("the nodes and their dashboards stay up for {linger:?}");
        tokio::time::sleep(linger).await;
    }
    drop((kept, dashboards));
    Ok(())
}

fn expect(what: &str, got: Option<Result<String, String>>, check: impl Fn(&str) -> bool) -> Result<String, String> {
    match got {
        Some(Ok(r)) if check(&r) => Ok(r),
        Some(Ok(r)) => Err(format!("{what}: unexpected result {r:?}")),
        Some(Err(info)) => Err(format!("{what}: agent failed:\n{info}")),
        None => Err(format!("{what}: no result within {WAIT:?}")),
    }
}

fn steps(alpha: &Node, beta: &Node, gamma: &Node) -> Result<(), String> {
    let wait = |node: &Node, id: &AgentId| node.runtime().wait(id, WAIT).map(|o| o.result);

    println!("\n1. An agent on each node reports where it runs");
    for node in [alpha, beta, gamma] {
        let id = node.runtime().spawn("list $agent(local) $agent(node)", None)?;
        let r = expect("identity", wait(node, &id), |r| r.ends_with(node.runtime().node()))?;
        println!("  agent {id}: [{r}]");
    }

    println!("\n2. Messages between agents on different nodes (alpha -> beta -> gamma -> alpha)");
    let relay_c = gamma
        .runtime()
        .spawn("set from [agent_receive c b]; agent_send [lindex $b 0] 0 \"[lrange $b 1 end] gamma\"", None)?;
    let relay_b =
        beta.runtime().spawn(&format!("set from [agent_receive c b]; agent_send {relay_c} 0 \"$b beta\""), None)?;
    let origin = alpha
        .runtime()
        .spawn(&format!("agent_send {relay_b} 0 \"$agent(local) alpha\"; agent_receive c b; set b"), None)?;
    let r = expect("relay", wait(alpha, &origin), |r| r == "alpha beta gamma")?;
    println!("  {origin} got back: \"{r}\" (3 hops over mutual TLS)");

    println!("\n3. Ordered delivery: 1000 messages from alpha to an agent on beta");
    let counter = beta.runtime().spawn(
        "set n 0; set ok 1; for {set i 0} {$i < 1000} {incr i} { agent_receive c b; if {$b != $i} { set ok 0 }; incr n }; list $n $ok",
        None,
    )?;
    let t = Instant::now();
    let sender = alpha
        .runtime()
        .spawn(&format!("for {{set i 0}} {{$i < 1000}} {{incr i}} {{ agent_send {counter} 0 $i }}"), None)?;
    expect("sender", wait(alpha, &sender), |_| true)?;
    let r = expect("ordered delivery", wait(beta, &counter), |r| r == "1000 1")?;
    println!("  received {} in order ({:.1?})", r.split(' ').next().unwrap_or(""), t.elapsed());

    println!("\n4. Directory and contract-net (fipa-contract-net) among agents on three nodes");
    let mut contractors = Vec::new();
    for (node, name, rate) in [(beta, "trucker", 7), (gamma, "shipper", 5), (alpha, "courier", 9)] {
        let id = node.runtime().spawn(&format!("set rate {rate}\n{CONTRACTOR}"), Some(name))?;
        contractors.push((node, id));
    }
    let manager = alpha.runtime().spawn(MANAGER, Some("manager"))?;
    let r = expect("contract-net", wait(alpha, &manager), |r| r.contains("shipper"))?;
    for (node, id) in &contractors {
        let outcome = expect("contractor", wait(node, id), |r| r == "won" || r == "lost")?;
        print!("{}", node.runtime().console(id).unwrap_or_default());
        println!("  {id}: {outcome}");
    }
    print!("{}", alpha.runtime().console(&manager).unwrap_or_default());
    println!("  result: {r}");

    println!("\n5. fipa-request and fipa-query with the protocol library (package require fipa)");
    let server = gamma.runtime().spawn(
        "package require fipa\nproc square {x} { expr {$x * $x} }\ndf register -service {type math name squares}\nfipa_serve_requests square 2",
        Some("squares"),
    )?;
    let client = beta.runtime().spawn(
        "package require fipa
         for {set i 0} {$i < 500} {incr i} { set f [df search -name squares]; if {[llength $f]} break; after 10 }
         set who [dict get [lindex $f 0] agent]
         list $who [fipa_request $who 12] [fipa_query $who 7]",
        None,
    )?;
    let r = expect("fipa-request", wait(beta, &client), |r| r.ends_with(" 144 49"))?;
    expect("server", wait(gamma, &server), |_| true)?;
    let parts: Vec<&str> = r.split(' ').collect();
    println!("  client on beta asked {}: 12 squared is {}, 7 squared is {}", parts[0], parts[1], parts[2]);

    mobility(alpha, gamma)
}

/// Step 6: the seed's mobility examples, run as written (examples/).
fn mobility(alpha: &Node, gamma: &Node) -> Result<(), String> {
    let wait = |node: &Node, id: &AgentId| node.runtime().wait(id, WAIT).map(|o| o.result);
    println!("\n6. Mobility: agent_submit (weak), agent_jump (strong), agent_fork (cloning)");
    let factorial = alpha.runtime().spawn(include_str!("../../../examples/factorial.tcl"), None)?;
    expect("factorial", wait(alpha, &factorial), |_| true)?;
    print!("  {factorial} submitted a child to beta; {}", alpha.runtime().console(&factorial).unwrap_or_default());

    let tour = alpha.runtime().spawn(include_str!("../../../examples/all_users.tcl"), None)?;
    // It tours alpha, beta, gamma and ends on gamma.
    let deadline = Instant::now() + WAIT;
    let r = loop {
        if let Some(out) = gamma.runtime().wait(&tour, Duration::from_millis(20)) {
            break Some(out.result);
        }
        if Instant::now() > deadline {
            break None;
        }
    };
    expect("all_users tour", r, |_| true)?;
    // Its console went with it.
    let console = gamma.runtime().console(&tour).unwrap_or_default();
    for m in ["alpha", "beta", "gamma"] {
        if !console.contains(&format!("{m}:")) {
            return Err(format!("all_users tour: no line for {m} in {console:?}"));
        }
    }
    println!("  {tour} toured alpha -> beta -> gamma with its proc frame and loop, running `who` on each:");
    for line in console.lines().filter(|l| !l.is_empty()) {
        println!("    {line}");
    }

    let parent = alpha.runtime().spawn(
        "set n 41
         set child [agent_fork gamma]
         if {$child eq {}} { agent_send $agent(root) 0 \"clone on $agent(node) has n=[incr n]\"; return }
         agent_receive c b
         list $child $b",
        None,
    )?;
    let r = expect("fork", wait(alpha, &parent), |r| r.contains("clone on gamma has n=42"))?;
    println!("  {parent} forked a clone onto gamma: [{r}]");
    Ok(())
}
