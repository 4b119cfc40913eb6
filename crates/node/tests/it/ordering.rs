//! Exactly once and FIFO per sender for messages to and from moving
//! agents, across three real nodes on loopback in one process (DESIGN.md,
//! "Mobility": per-sender sequence numbers).

use crate::common;
use common::{peered, result};

/// The numbers 0..n as a Tcl list.
fn numbers(n: usize) -> String {
    (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(" ")
}

/// A receiver that tours `tour` (node names) taking what has arrived
/// between jumps, then waits for the rest; its result is what it got, in
/// the order it got it, followed by the node it ended on.
fn mover_script(tour: &str, count: usize) -> String {
    format!(
        r#"
        set got {{}}
        foreach m {{{tour}}} {{
            agent_jump $m
            while {{[agent_receive c b -nonblocking] ne ""}} {{ lappend got $b }}
        }}
        while {{[llength $got] < {count}}} {{
            if {{[agent_receive c b -timeout 10000] eq ""}} break
            lappend got $b
        }}
        # Nothing more may come (a duplicate would).
        if {{[agent_receive c b -timeout 300] ne ""}} {{ lappend got $b }}
        list $got $agent(node)
        "#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_to_an_agent_jumping_among_three_nodes_arrives_once_in_order() {
    let nodes = peered(&["alpha", "beta", "gamma"], |c| c.runtime.workers = 2).await;
    const COUNT: usize = 400;
    let tour = ["beta", "gamma", "alpha"].repeat(8).join(" ");
    let mover = nodes[0].runtime().spawn(&mover_script(&tour, COUNT), None).unwrap();
    // Senders on two nodes: one at the mover's home, one elsewhere (its
    // messages go home first, then after the mover).
    let sender = |i: usize| format!("for {{set i 0}} {{$i < {COUNT}}} {{incr i}} {{ agent_send {mover} {i} $i }}");
    let at_home = nodes[0].runtime().spawn(&sender(0), None).unwrap();
    assert_eq!(result(&nodes, &at_home).await, Ok(String::new()));
    let r = result(&nodes, &mover).await.unwrap();
    assert_eq!(r, format!("{{{}}} alpha", numbers(COUNT)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_on_another_node_streams_to_a_mover_in_order() {
    let nodes = peered(&["alpha", "beta", "gamma"], |c| c.runtime.workers = 2).await;
    const COUNT: usize = 400;
    let tour = ["gamma", "alpha", "beta"].repeat(8).join(" ");
    let mover = nodes[0].runtime().spawn(&mover_script(&tour, COUNT), None).unwrap();
    let sender = format!("for {{set i 0}} {{$i < {COUNT}}} {{incr i}} {{ agent_send {mover} 0 $i }}");
    let remote = nodes[1].runtime().spawn(&sender, None).unwrap();
    assert_eq!(result(&nodes, &remote).await, Ok(String::new()));
    let r = result(&nodes, &mover).await.unwrap();
    assert_eq!(r, format!("{{{}}} beta", numbers(COUNT)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_that_jumps_while_sending_is_received_once_in_order() {
    let nodes = peered(&["alpha", "beta", "gamma"], |c| c.runtime.workers = 2).await;
    const COUNT: usize = 120;
    // The receiver moves too; the sender jumps after every few sends, so
    // its messages leave from every node.
    let tour = ["gamma", "beta", "alpha"].repeat(4).join(" ");
    let mover = nodes[0].runtime().spawn(&mover_script(&tour, COUNT), None).unwrap();
    let sender = format!(
        r#"
        set nodes {{alpha beta gamma}}
        for {{set i 0}} {{$i < {COUNT}}} {{incr i}} {{
            agent_send {mover} 0 $i
            if {{$i % 4 == 3}} {{ agent_jump [lindex $nodes [expr {{($i / 4) % 3}}]] }}
        }}
        set agent(node)
        "#
    );
    let jumper = nodes[1].runtime().spawn(&sender, None).unwrap();
    assert!(result(&nodes, &jumper).await.is_ok());
    let r = result(&nodes, &mover).await.unwrap();
    assert_eq!(r, format!("{{{}}} alpha", numbers(COUNT)));
}
