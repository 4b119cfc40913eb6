//! Code on demand across real nodes on loopback in one process: a library
//! published on one node is fetched by an agent on another, cached there,
//! and fetched again by an agent that jumped to a node that never had it;
//! a library nobody has is Tcl's error (at once when every peer said no,
//! after the timeout when a peer never answers).

use std::time::{Duration, Instant};

use itinerant_node::node::Node;

use crate::common;
use common::{peered, result_on};

/// The libraries a node has: (name, version, published here).
fn held(node: &Node) -> Vec<(String, String, bool)> {
    node.libraries().rows().into_iter().map(|r| (r.name, r.version, r.published)).collect()
}

fn publish(node: &Node, name: &str, version: &str, script: &str) {
    assert_eq!(node.libraries().publish(name, version, script.into()), Ok(true));
}

const GEO: &str = "proc geo_area {w h} { expr {$w * $h} }\nset geo_origin $agent(node)\npackage provide geo 1.0";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_library_published_on_alpha_is_fetched_by_an_agent_on_beta_and_cached() {
    let n = peered(&["alpha", "beta", "gamma"], |_| {}).await;
    publish(&n[0], "geo", "1.0", GEO);
    let id = n[1]
        .runtime()
        .spawn("list [package require geo] [geo_area 6 7] $geo_origin [package require geo 1.0]", None)
        .unwrap();
    assert_eq!(result_on(&n[1], &id).await, Ok("1.0 42 beta 1.0".into()));
    assert_eq!(held(&n[1]), [("geo".into(), "1.0".into(), false)], "cached on beta");
    assert!(held(&n[2]).is_empty(), "gamma was not asked to keep it");
    // Publishing other content under the same version is refused.
    let e = n[0].libraries().publish("geo", "1.0", "proc other {} {}".into()).unwrap_err();
    assert!(e.contains("other content"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_that_jumped_to_gamma_gets_a_library_fetched_there() {
    let n = peered(&["alpha", "beta", "gamma"], |_| {}).await;
    publish(&n[0], "geo", "1.0", GEO);
    publish(&n[1], "units", "2.1", "proc km {m} { expr {$m / 1000.0} }");
    // Loaded on alpha; after the jump the loaded set and its procs came
    // along (no fetch of geo on gamma), and units is fetched on gamma.
    let script = r#"
        set a [package require geo]
        agent_jump gamma
        set b [package require geo]
        set c [package require units 2]
        list $a $b $c [geo_area 2 3] [km 1500] $agent(node) [package versions units]
    "#;
    let id = n[0].runtime().spawn(script, None).unwrap();
    assert_eq!(result_on(&n[2], &id).await, Ok("1.0 1.0 2.1 6 1.5 gamma 2.1".into()));
    assert_eq!(held(&n[2]), [("units".into(), "2.1".into(), false)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_version_that_meets_the_requirement_is_fetched_from_the_node_that_has_it() {
    let n = peered(&["alpha", "beta", "gamma"], |_| {}).await;
    publish(&n[0], "geo", "1.0", "proc v {} { return old }");
    publish(&n[1], "geo", "1.3", "proc v {} { return new }");
    publish(&n[1], "geo", "2.0", "proc v {} { return next }");
    let id = n[2].runtime().spawn("list [package require geo 1.2] [v]", None).unwrap();
    assert_eq!(result_on(&n[2], &id).await, Ok("1.3 new".into()));
    let id = n[2].runtime().spawn("list [package require -exact geo 1.0] [v]", None).unwrap();
    assert_eq!(result_on(&n[2], &id).await, Ok("1.0 old".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_library_nobody_has_is_cant_find_package() {
    let n = peered(&["alpha", "beta"], |_| {}).await;
    publish(&n[0], "geo", "1.0", GEO);
    // Every peer answers "not here": the error comes without the timeout.
    let started = Instant::now();
    let id = n[1].runtime().spawn("list [catch {package require geo 2} m] $m", None).unwrap();
    assert_eq!(result_on(&n[1], &id).await, Ok("1 {can't find package geo 2}".into()));
    assert!(started.elapsed() < Duration::from_secs(4), "took {:?}", started.elapsed());

    // A peer that never answers (its link never comes up): the timeout.
    n[1].add_peer("ghost", "127.0.0.1:9".parse().unwrap());
    let started = Instant::now();
    let id = n[1].runtime().spawn("list [catch {package require nosuch} m] $m", None).unwrap();
    assert_eq!(result_on(&n[1], &id).await, Ok("1 {can't find package nosuch}".into()));
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(4900) && took < Duration::from_secs(15), "took {took:?}");
}
