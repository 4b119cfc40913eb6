//! Mobility across three real nodes on loopback in one process: weak
//! (`agent_submit`), strong (`agent_jump`) and cloning (`agent_fork`), and
//! messages that follow a moving agent. The checks are in
//! `common/migration_checks.rs`, shared with the etcd directory's tests.

use std::sync::Arc;

use itinerant_node::node::Node;

mod common;
use common::{migration_checks as checks, peered};

async fn three() -> Vec<Arc<Node>> {
    peered(&["alpha", "beta", "gamma"], |c| c.runtime.exec_allow = vec!["echo".into()]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seeds_factorial_by_agent_submit() {
    checks::the_seeds_factorial_by_agent_submit(&three().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tour_by_agent_jump_keeps_the_whole_state() {
    checks::a_tour_by_agent_jump_keeps_the_whole_state(&three().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jump_to_an_unknown_node_is_an_error_and_the_agent_stays() {
    checks::a_jump_to_an_unknown_node_is_an_error_and_the_agent_stays(&three().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fork_gives_the_parent_the_clones_id_and_the_clone_nothing() {
    checks::a_fork_gives_the_parent_the_clones_id_and_the_clone_nothing(&three().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_follow_a_moving_agent_none_lost() {
    checks::messages_follow_a_moving_agent_none_lost(&three().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_bouncing_fast_between_two_nodes_is_never_lost() {
    checks::an_agent_bouncing_fast_between_two_nodes_is_never_lost(&three().await).await;
}

/// An agent whose image is bigger than a frame may carry is told so by
/// its `agent_jump` and goes on where it is (a transfer the destination
/// must drop would otherwise be sent again forever, the agent frozen).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_too_big_to_carry_is_told_and_stays() {
    let nodes = common::peered(&["big1", "big2"], |c| c.max_frame = 64 << 10).await;
    let script = "set x [string repeat y 100000]
        set r [catch {agent_jump big2} m]
        list $r [string match {*bytes, more than the 65536 bytes a transfer may carry} $m] $agent(node) [string length $x]";
    let id = nodes[0].runtime().spawn(script, None).unwrap();
    let got = tokio::time::timeout(std::time::Duration::from_secs(20), common::result_on(&nodes[0], &id)).await;
    assert_eq!(got.unwrap(), Ok("1 1 big1 100000".to_string()));
}
