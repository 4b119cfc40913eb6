//! The checks of the migration tests, on nodes given by the caller: three
//! nodes named alpha, beta and gamma, each a peer of the others, allowed to
//! `exec echo` (`migration.rs` with the embedded directory, `etcd.rs` with
//! etcd).

use std::sync::Arc;

use itinerant_core::AgentState;
use itinerant_node::node::Node;

use super::result_on;

pub async fn the_seeds_factorial_by_agent_submit(nodes: &[Arc<Node>]) {
    // The example file itself, as a user runs it.
    let script = include_str!("../../../../../examples/factorial.tcl");
    let id = nodes[0].runtime().spawn(script, None).unwrap();
    assert_eq!(result_on(&nodes[0], &id).await, Ok(String::new()));
    assert_eq!(nodes[0].runtime().console(&id).as_deref(), Some("10! = 3628800\n"));
}

pub async fn a_tour_by_agent_jump_keeps_the_whole_state(nodes: &[Arc<Node>]) {
    let script = r#"
        proc all_users machines {
            set list ""
            foreach m $machines {
                agent_jump $m
                append list "$m: [exec echo $::agent(node)]\n"
            }
            return $list
        }
        array set seen {start 1}
        set r [all_users {beta gamma alpha}]
        list $r [array get seen] $agent(node)
    "#;
    let id = nodes[0].runtime().spawn(script, None).unwrap();
    let r = result_on(&nodes[0], &id).await.unwrap();
    assert_eq!(r, "{beta: beta\ngamma: gamma\nalpha: alpha\n} {start 1} alpha");
}

pub async fn a_jump_to_an_unknown_node_is_an_error_and_the_agent_stays(nodes: &[Arc<Node>]) {
    let id = nodes[0].runtime().spawn("set x 5; catch {agent_jump nowhere} e; list $x $e $agent(node)", None).unwrap();
    let r = result_on(&nodes[0], &id).await.unwrap();
    assert_eq!(r, "5 {cannot jump to node \"nowhere\": no link to node \"nowhere\"} alpha");
}

pub async fn a_fork_gives_the_parent_the_clones_id_and_the_clone_nothing(nodes: &[Arc<Node>]) {
    let script = r#"
        set n 41
        set child [agent_fork gamma]
        if {$child eq ""} {
            agent_send $agent(root) 0 "clone on $agent(node) has [incr n]"
            return clone
        }
        agent_receive c b
        list $child $b
    "#;
    let id = nodes[0].runtime().spawn(script, None).unwrap();
    let r = result_on(&nodes[0], &id).await.unwrap();
    assert!(r.ends_with("@gamma {clone on gamma has 42}"), "{r}");
}

pub async fn messages_follow_a_moving_agent_none_lost(nodes: &[Arc<Node>]) {
    // The mover collects messages while it tours; the sender on alpha
    // keeps sending to its id (home alpha) all along.
    let mover = nodes[0]
        .runtime()
        .spawn(
            r#"
            set got {}
            foreach m {beta gamma beta alpha gamma} {
                agent_jump $m
                while {[set from [agent_receive c b -nonblocking]] ne ""} { lappend got $b }
                after 20
            }
            while {[llength $got] < 100} { agent_receive c b; lappend got $b }
            list [llength $got] [lsort -integer -unique $got] $agent(node)
            "#,
            Some("mover"),
        )
        .unwrap();
    let sender = nodes[0]
        .runtime()
        .spawn(&format!("for {{set i 0}} {{$i < 100}} {{incr i}} {{ agent_send {mover} 0 $i; after 1 }}"), None)
        .unwrap();
    assert_eq!(result_on(&nodes[0], &sender).await, Ok(String::new()));
    let r = result_on(&nodes[2], &mover).await.unwrap();
    let expected: Vec<String> = (0..100).map(|i| i.to_string()).collect();
    assert_eq!(r, format!("100 {{{}}} gamma", expected.join(" ")));
    assert_eq!(nodes[0].runtime().state(&mover), Some(AgentState::Moved));
}

pub async fn an_agent_bouncing_fast_between_two_nodes_is_never_lost(nodes: &[Arc<Node>]) {
    // The answer to a jump must reach the source before the agent, which
    // may jump straight back, arrives there again.
    let script =
        "set n 0; for {set i 0} {$i < 200} {incr i} { agent_jump [expr {$i % 2 ? {alpha} : {beta}}]; incr n }; \
                  list $n $agent(node)";
    let id = nodes[0].runtime().spawn(script, None).unwrap();
    assert_eq!(result_on(&nodes[0], &id).await, Ok("200 alpha".into()));
}
