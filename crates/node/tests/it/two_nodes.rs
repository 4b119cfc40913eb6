//! Real nodes on loopback in one process: messages between agents on
//! different nodes arrive in order; garbage on a node's port closes only
//! that connection; directory entries follow an agent away from home.

use std::net::SocketAddr;
use std::time::Duration;

use itinerant_node::node::{Node, NodeConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const WAIT: Duration = Duration::from_secs(20);

async fn pair() -> (Node, Node) {
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let mut ca = NodeConfig::new("alpha", any);
    ca.runtime.workers = 1;
    let mut cb = NodeConfig::new("beta", any);
    cb.runtime.workers = 1;
    let alpha = Node::start(ca).await.unwrap();
    let beta = Node::start(cb).await.unwrap();
    alpha.add_peer("beta", beta.addr());
    beta.add_peer("alpha", alpha.addr());
    (alpha, beta)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_cross_nodes_in_order_and_replies_come_back() {
    let (alpha, beta) = pair().await;
    let sink = beta
        .runtime()
        .spawn("set got {}; for {set i 0} {$i < 200} {incr i} { set from [agent_receive c b]; lappend got $b }; agent_send $from 0 [llength $got]; set got", None)
        .unwrap();
    let script =
        format!("for {{set i 0}} {{$i < 200}} {{incr i}} {{ agent_send {sink} 0 $i }}; agent_receive c n; set n");
    let src = alpha.runtime().spawn(&script, None).unwrap();
    let (a, b) = (alpha, beta);
    let (src2, sink2) = (src.clone(), sink.clone());
    let (ra, rb) = tokio::task::spawn_blocking(move || {
        let ra = a.runtime().wait(&src2, WAIT);
        let rb = b.runtime().wait(&sink2, WAIT);
        (ra, rb)
    })
    .await
    .unwrap();
    assert_eq!(ra.unwrap().result, Ok("200".into()));
    let expected: Vec<String> = (0..200).map(|i| i.to_string()).collect();
    assert_eq!(rb.unwrap().result, Ok(expected.join(" ")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_closes_that_connection_only() {
    let (alpha, beta) = pair().await;
    // A stranger speaks HTTP to beta: beta closes that connection.
    let mut s = tokio::net::TcpStream::connect(beta.addr()).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(WAIT, s.read(&mut buf)).await.expect("closed in time").unwrap_or(0);
    assert_eq!(n, 0, "beta closes the connection");
    // An oversized frame header: refused too.
    let mut s = tokio::net::TcpStream::connect(beta.addr()).await.unwrap();
    let mut header = vec![0x49, 0x54, 0, 1];
    header.extend_from_slice(&u32::MAX.to_be_bytes());
    s.write_all(&header).await.unwrap();
    let n = tokio::time::timeout(WAIT, s.read(&mut buf)).await.expect("closed in time").unwrap_or(0);
    assert_eq!(n, 0);
    // Alpha's agents still reach beta's.
    let rx = beta.runtime().spawn("agent_receive c b; set b", None).unwrap();
    let tx = alpha.runtime().spawn(&format!("agent_send {rx} 1 still-here"), None).unwrap();
    let (a, b) = (alpha, beta);
    let (r1, r2) =
        tokio::task::spawn_blocking(move || (a.runtime().wait(&tx, WAIT), b.runtime().wait(&rx, WAIT))).await.unwrap();
    assert!(r1.unwrap().result.is_ok());
    assert_eq!(r2.unwrap().result, Ok("still-here".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_node_is_a_clear_error() {
    let (alpha, _beta) = pair().await;
    let a = alpha.runtime().spawn("catch {agent_send 1@gamma 0 x} m; set m", None).unwrap();
    let r = tokio::task::spawn_blocking(move || alpha.runtime().wait(&a, WAIT)).await.unwrap();
    assert_eq!(r.unwrap().result, Ok("cannot deliver: no link from alpha to node \"gamma\"".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_to_a_missing_agent_comes_back_as_a_failure() {
    let (alpha, _beta) = pair().await;
    let a = alpha
        .runtime()
        .spawn("acl send -performative request -receiver 99@beta -content hi -reply-with r1; set m [acl receive -performative failure -timeout 10000]; list [dict get $m in-reply-to] [dict get $m content]", None)
        .unwrap();
    let r = tokio::task::spawn_blocking(move || alpha.runtime().wait(&a, WAIT)).await.unwrap();
    assert_eq!(r.unwrap().result, Ok("r1 {no agent \"99@beta\" on this node}".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn df_search_finds_agents_on_other_nodes() {
    let (alpha, beta) = pair().await;
    let printer =
        beta.runtime().spawn("df register -service {type printer name laser}; agent_receive c b; set b", None).unwrap();
    // Alpha learns beta's directory entry, then uses it.
    let client = alpha
        .runtime()
        .spawn(
            "for {set i 0} {$i < 200} {incr i} { set found [df search -type printer]; if {[llength $found]} break; after 10 }
             set who [dict get [lindex $found 0] agent]
             agent_send $who 0 {print me}
             set who",
            None,
        )
        .unwrap();
    let (a, b) = (alpha, beta);
    let (p2, c2) = (printer.clone(), client.clone());
    let (a, rc, rp) = tokio::task::spawn_blocking(move || {
        let rc = a.runtime().wait(&c2, WAIT);
        let rp = b.runtime().wait(&p2, WAIT);
        (a, rc, rp)
    })
    .await
    .unwrap();
    assert_eq!(rc.unwrap().result, Ok(printer.to_string()));
    assert_eq!(rp.unwrap().result, Ok("print me".into()));
    // The printer ended: alpha's directory forgets it.
    let gone = a
        .runtime()
        .spawn("for {set i 0} {$i < 200} {incr i} { if {![llength [df search -type printer]]} { return gone }; after 10 }; set still-there", None)
        .unwrap();
    let r = tokio::task::spawn_blocking(move || a.runtime().wait(&gone, WAIT)).await.unwrap();
    assert_eq!(r.unwrap().result, Ok("gone".into()));
}

/// An agent that registers in the DF, jumps away from home and registers
/// again there: every node finds both entries (the host tells the home,
/// the home tells everyone), and no link is dropped on the way (a
/// message from a third node still reaches it through its home).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directory_entries_follow_an_agent_away_from_home() {
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let mut nodes = Vec::new();
    for name in ["alpha", "beta", "gamma"] {
        let mut c = NodeConfig::new(name, any);
        c.runtime.workers = 1;
        nodes.push(std::sync::Arc::new(Node::start(c).await.unwrap()));
    }
    for a in &nodes {
        for b in &nodes {
            if a.runtime().node() != b.runtime().node() {
                a.add_peer(b.runtime().node(), b.addr());
            }
        }
    }
    let (alpha, gamma) = (nodes[0].clone(), nodes[2].clone());
    let traveller = alpha
        .runtime()
        .spawn(
            "df register -service {type printer name p1}
             agent_jump beta
             df register -service {type scanner name s1}
             agent_receive c m -timeout 15000
             list $agent(node) $m",
            None,
        )
        .unwrap();
    let finds = "for {set i 0} {$i < 500} {incr i} {
                     set p [df search -type printer]; set s [df search -type scanner]
                     if {[llength $p] && [llength $s]} break; after 10
                 }
                 list [dict get [lindex $p 0] agent] [dict get [lindex $s 0] agent]";
    let at_gamma = gamma.runtime().spawn(finds, None).unwrap();
    let at_alpha = alpha.runtime().spawn(finds, None).unwrap();
    let (g, a) = (gamma.clone(), alpha.clone());
    let (rg, ra) =
        tokio::task::spawn_blocking(move || (g.runtime().wait(&at_gamma, WAIT), a.runtime().wait(&at_alpha, WAIT)))
            .await
            .unwrap();
    let both = format!("{traveller} {traveller}");
    assert_eq!(rg.unwrap().result, Ok(both.clone()), "gamma finds both entries");
    assert_eq!(ra.unwrap().result, Ok(both), "its home finds both entries");
    let sender = gamma.runtime().spawn(&format!("agent_send {traveller} 0 {{hello from gamma}}"), None).unwrap();
    let (g, b, t) = (gamma.clone(), nodes[1].clone(), traveller.clone());
    let (rs, rt) = tokio::task::spawn_blocking(move || (g.runtime().wait(&sender, WAIT), b.runtime().wait(&t, WAIT)))
        .await
        .unwrap();
    assert!(rs.unwrap().result.is_ok());
    assert_eq!(rt.unwrap().result, Ok("beta {hello from gamma}".into()));
}
