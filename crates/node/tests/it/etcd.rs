//! The cluster directory on a real etcd (started by each test on loopback
//! ports of its own, `common/etcd.rs`): membership by lease, a killed node
//! noticed within its lease, an agent's location following it by
//! compare-and-swap on its epoch, a stale location refused, forgetting a
//! dead node (its agents reported lost, the node refused if it returns),
//! and the migration tests' checks with nodes that know each other only
//! through etcd.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use itinerant_core::AgentId;
use itinerant_node::cluster::etcd::{Etcd, LocationWrite};
use itinerant_node::cluster::records::Location;
use itinerant_node::cluster::ClusterConfig;
use itinerant_node::node::{Node, NodeConfig};

use crate::common;
use common::etcd::EtcdServer;
use common::{migration_checks as checks, result_on};

/// Longest wait for the cluster to settle (joins, watches).
const SETTLE: Duration = Duration::from_secs(20);

fn config(name: &str, cluster: &ClusterConfig) -> NodeConfig {
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let mut c = NodeConfig::new(name, any);
    c.runtime.workers = 1;
    c.runtime.exec_allow = vec!["echo".into()];
    c.cluster = cluster.clone();
    c
}

/// Nodes that know each other only through etcd (no `add_peer`), once
/// every one sees every other as a live member with a link.
async fn joined(names: &[&str], cluster: &ClusterConfig) -> Vec<Arc<Node>> {
    let mut nodes = Vec::new();
    for name in names {
        nodes.push(Arc::new(Node::start(config(name, cluster)).await.unwrap()));
    }
    for node in &nodes {
        let others: Vec<&str> = names.iter().copied().filter(|n| *n != node.runtime().node()).collect();
        wait_until("every member seen alive and linked", || {
            let status = node.cluster_status();
            let peers = node.peers();
            others
                .iter()
                .all(|o| status.members.iter().any(|m| m.name == *o && m.alive) && peers.iter().any(|p| p.name == *o))
        })
        .await;
    }
    nodes
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < SETTLE, "not within {SETTLE:?}: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    start.elapsed()
}

/// A node in a tokio runtime of its own, which the test can kill (its
/// tasks, the lease's renewal among them, stop at once, as in a crash).
fn start_killable(config: NodeConfig) -> (tokio::runtime::Runtime, Arc<Node>) {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let node = rt.block_on(Node::start(config)).unwrap();
        (rt, Arc::new(node))
    })
    .join()
    .unwrap()
}

/// A directory client of the test's own (not started: no lease).
fn probe(etcd: &EtcdServer, namespace: &str) -> Arc<Etcd> {
    let ClusterConfig::Etcd(c) = etcd.cluster(namespace) else { unreachable!() };
    Etcd::new("probe", "127.0.0.1:1".parse().unwrap(), c)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_join_and_see_each_other_then_an_agent_crosses() {
    let etcd = EtcdServer::start().await;
    let cluster = etcd.cluster("join");
    let nodes = joined(&["alpha", "beta"], &cluster).await;
    let status = nodes[0].cluster_status();
    assert!(status.directory.starts_with("etcd://127.0.0.1:"), "{status:?}");
    assert_eq!(status.health, None);
    let beta = status.members.iter().find(|m| m.name == "beta").unwrap();
    assert_eq!(beta.addr, nodes[1].addr().to_string());
    // The link came from the registration alone.
    let id = nodes[0].runtime().spawn("agent_jump beta; set n $agent(node)", None).unwrap();
    assert_eq!(result_on(&nodes[1], &id).await, Ok("beta".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_node_is_noticed_within_its_lease() {
    let etcd = EtcdServer::start().await;
    let cluster = etcd.cluster_with_lease("kill", Duration::from_secs(2));
    let alpha = Arc::new(Node::start(config("alpha", &cluster)).await.unwrap());
    let (beta_rt, _beta) = start_killable(config("beta", &cluster));
    let alive = |n: &Node| n.cluster_status().members.iter().any(|m| m.name == "beta" && m.alive);
    wait_until("beta seen alive", || alive(&alpha)).await;
    beta_rt.shutdown_background();
    let noticed = wait_until("beta seen dead", || !alive(&alpha)).await;
    // A 2 s lease: etcd expires it within 2 s of the last renewal (made
    // at most 2/3 s before the kill), and tells the watch at once.
    assert!(noticed <= Duration::from_secs(5), "noticed after {noticed:?}");
    eprintln!("killed node noticed after {noticed:?} (lease 2 s)");
    let row = alpha.cluster_status().members.into_iter().find(|m| m.name == "beta").unwrap();
    assert!(!row.alive);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_location_follows_it_across_jumps_and_goes_when_it_ends() {
    let etcd = EtcdServer::start().await;
    let cluster = etcd.cluster("follow");
    let nodes = joined(&["alpha", "beta", "gamma"], &cluster).await;
    let probe = probe(&etcd, "follow");
    let id = nodes[0]
        .runtime()
        .spawn(
            "after 1500; agent_jump beta; after 1500; agent_jump gamma; after 1500; agent_jump beta; after 1500",
            None,
        )
        .unwrap();
    let mut seen: Vec<Location> = Vec::new();
    let start = Instant::now();
    while nodes[1].runtime().wait(&id, Duration::ZERO).is_none() {
        assert!(start.elapsed() < Duration::from_secs(60), "the agent did not end: {seen:?}");
        if let Some(loc) = probe.location(&id).await.unwrap() {
            if seen.last() != Some(&loc) {
                seen.push(loc);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let path: Vec<(&str, u64)> = seen.iter().map(|l| (l.node.as_str(), l.epoch)).collect();
    let nodes_seen: Vec<&str> = path.iter().map(|(n, _)| *n).collect();
    assert_eq!(nodes_seen, ["alpha", "beta", "gamma", "beta"], "{path:?}");
    assert!(path.windows(2).all(|w| w[0].1 < w[1].1), "epochs must rise: {path:?}");
    // The home node's forwarding pointer came from its watch.
    wait_until("home told of the last hop", || {
        nodes[0].runtime().state(&id) == Some(itinerant_core::AgentState::Moved)
    })
    .await;
    // Ended: its record goes.
    let deadline = Instant::now() + SETTLE;
    while probe.location(&id).await.unwrap().is_some() {
        assert!(Instant::now() < deadline, "the ended agent's location stayed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_location_update_is_refused() {
    let etcd = EtcdServer::start().await;
    let probe = probe(&etcd, "stale");
    let id = AgentId::parse("7@alpha").unwrap();
    let at = |node: &str, epoch| Location { node: node.into(), epoch, lost: false };
    assert_eq!(probe.write_location_as("beta", &id, 5).await, Ok(LocationWrite::Written));
    assert_eq!(probe.write_location_as("gamma", &id, 3).await, Ok(LocationWrite::Refused(Some(at("beta", 5)))));
    assert_eq!(probe.write_location_as("gamma", &id, 5).await, Ok(LocationWrite::Refused(Some(at("beta", 5)))));
    assert_eq!(probe.location(&id).await, Ok(Some(at("beta", 5))));
    assert_eq!(probe.write_location_as("gamma", &id, 6).await, Ok(LocationWrite::Written));
    assert_eq!(probe.write_location_as("beta", &id, 5).await, Ok(LocationWrite::Refused(Some(at("gamma", 6)))));
    assert_eq!(probe.location(&id).await, Ok(Some(at("gamma", 6))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgotten_nodes_agents_are_reported_lost_never_run_again() {
    let etcd = EtcdServer::start().await;
    let cluster = etcd.cluster_with_lease("forget", Duration::from_secs(2));
    let alpha = Arc::new(Node::start(config("alpha", &cluster)).await.unwrap());
    let (beta_rt, beta) = start_killable(config("beta", &cluster));
    wait_until("linked", || alpha.peers().iter().any(|p| p.name == "beta")).await;
    let id = alpha.runtime().spawn("agent_jump beta; agent_receive c b; return $b", None).unwrap();
    let probe = probe(&etcd, "forget");
    let deadline = Instant::now() + SETTLE;
    while probe.location(&id).await.unwrap().map(|l| l.node) != Some("beta".into()) {
        assert!(Instant::now() < deadline, "the agent never reached beta");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Alive: refused.
    let e = alpha.directory().forget("beta").await.unwrap_err();
    assert!(e.contains("is alive"), "{e}");
    drop(beta);
    beta_rt.shutdown_background();
    wait_until("beta seen dead", || alpha.cluster_status().members.iter().any(|m| m.name == "beta" && !m.alive)).await;
    assert_eq!(alpha.directory().forget("beta").await, Ok(vec![id.to_string()]));
    let loc = probe.location(&id).await.unwrap().unwrap();
    assert!(loc.lost && loc.node == "beta", "{loc:?}");
    assert_eq!(alpha.cluster_status().forgotten, ["beta"]);
    // A message to it fails, saying why.
    let err = alpha
        .runtime()
        .send(&id, itinerant_core::Message { from: None, code: 0, body: "hello".into(), acl: None, hops: 0, seq: None })
        .unwrap_err()
        .to_string();
    assert!(err.contains("lost") && err.contains("forgotten"), "{err}");
    // A lost record is never overwritten by a late location.
    assert!(matches!(probe.write_location_as("gamma", &id, 99).await, Ok(LocationWrite::Refused(_))));
    // The node may not come back under its name.
    let back = Node::start(config("beta", &cluster)).await.err().expect("a forgotten node must not start");
    assert!(back.contains("forgotten"), "{back}");
}

async fn three_by_etcd(namespace: &str) -> (EtcdServer, Vec<Arc<Node>>) {
    let etcd = EtcdServer::start().await;
    let nodes = joined(&["alpha", "beta", "gamma"], &etcd.cluster(namespace)).await;
    (etcd, nodes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_migration_checks_pass_with_etcd() {
    // One etcd and one cluster for all of them, in turn (as `migration.rs`
    // runs each on fresh nodes, each check here gets a fresh namespace).
    let (etcd, nodes) = three_by_etcd("m1").await;
    checks::the_seeds_factorial_by_agent_submit(&nodes).await;
    checks::a_tour_by_agent_jump_keeps_the_whole_state(&nodes).await;
    checks::a_fork_gives_the_parent_the_clones_id_and_the_clone_nothing(&nodes).await;
    checks::an_agent_bouncing_fast_between_two_nodes_is_never_lost(&nodes).await;
    for n in &nodes {
        n.stop();
    }
    let nodes = joined(&["alpha", "beta", "gamma"], &etcd.cluster("m2")).await;
    checks::a_jump_to_an_unknown_node_is_an_error_and_the_agent_stays(&nodes).await;
    checks::messages_follow_a_moving_agent_none_lost(&nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_runs_while_etcd_is_unreachable_and_joins_when_it_comes_or_comes_back() {
    let port = common::etcd::free_port();
    let cluster = ClusterConfig::Etcd(itinerant_node::cluster::EtcdConfig {
        endpoints: vec![format!("127.0.0.1:{port}")],
        namespace: "late".into(),
        lease_ttl: Duration::from_secs(2),
    });
    let started = Instant::now();
    let alpha = Arc::new(Node::start(config("alpha", &cluster)).await.unwrap());
    assert!(started.elapsed() < Duration::from_secs(10), "start waited {:?}", started.elapsed());
    // Its agents run meanwhile; the directory says why it is not there.
    let id = alpha.runtime().spawn("expr {6 * 7}", None).unwrap();
    assert_eq!(result_on(&alpha, &id).await, Ok("42".into()));
    wait_until("the directory reported unreachable", || {
        alpha.cluster_status().health.is_some_and(|h| h.contains("etcd") || h.contains("connecting"))
    })
    .await;
    let etcd = EtcdServer::start_on(port).await;
    wait_until("joined once etcd came", || {
        let s = alpha.cluster_status();
        s.health.is_none() && s.members.iter().any(|m| m.name == "alpha" && m.alive)
    })
    .await;
    // The agent that ended before the directory came has no record; one born now has.
    let probe = probe(&etcd, "late");
    assert_eq!(probe.location(&id).await, Ok(None));
    let later = alpha.runtime().spawn("agent_receive c b", None).unwrap();
    let deadline = Instant::now() + SETTLE;
    while probe.location(&later).await.unwrap().is_none() {
        assert!(Instant::now() < deadline, "no record for an agent born after the join");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // etcd goes away: the node says so and goes on; an etcd that comes
    // back empty gets the node's state written again.
    drop(etcd);
    wait_until("the loss reported", || alpha.cluster_status().health.is_some()).await;
    let id = alpha.runtime().spawn("expr {6 * 9}", None).unwrap();
    assert_eq!(result_on(&alpha, &id).await, Ok("54".into()));
    let _etcd_again = EtcdServer::start_on(port).await;
    wait_until("joined the new etcd", || alpha.cluster_status().health.is_none()).await;
    let deadline = Instant::now() + SETTLE;
    while probe.location(&later).await.unwrap().is_none() {
        assert!(Instant::now() < deadline, "the agent's location was not written again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn df_entries_and_published_libraries_travel_through_etcd() {
    let etcd = EtcdServer::start().await;
    let nodes = joined(&["alpha", "beta"], &etcd.cluster("dflib")).await;
    let printers = || {
        let query = itinerant_core::df::Query { properties: vec![("type".into(), "printer".into())] };
        nodes[0].runtime().df_search(&query)
    };
    let printer = nodes[1]
        .runtime()
        .spawn("df register -service {type printer name laser}; agent_receive c b; set b", None)
        .unwrap();
    wait_until("alpha sees the entry registered on beta", || printers().len() == 1).await;
    assert_eq!(printers()[0].0, printer);
    let bye = itinerant_core::Message { from: None, code: 0, body: "bye".into(), acl: None, hops: 0, seq: None };
    nodes[1].runtime().send(&printer, bye).unwrap();
    assert_eq!(result_on(&nodes[1], &printer).await, Ok("bye".into()));
    wait_until("the entry went with its agent", || printers().is_empty()).await;

    // Published on alpha, which then stops: beta's agent gets it from etcd.
    const GEO: &str = "proc geo_area {w h} { expr {$w * $h} }\npackage provide geo 1.0";
    assert_eq!(nodes[0].libraries().publish("geo", "1.0", GEO.into()), Ok(true));
    nodes[0].directory().library_published(&itinerant_core::Library::new("geo", "1.0", GEO.into()).unwrap());
    let mut client = etcd_client::Client::connect([etcd.endpoint.as_str()], None).await.unwrap();
    let start = Instant::now();
    while client.get("/dflib/lib/geo/1.0", None).await.unwrap().kvs().is_empty() {
        assert!(start.elapsed() < SETTLE, "the library never reached etcd");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    nodes[0].stop();
    let start = Instant::now();
    loop {
        let id = nodes[1].runtime().spawn("package require geo; geo_area 6 7", None).unwrap();
        match result_on(&nodes[1], &id).await {
            Ok(r) => break assert_eq!(r, "42"),
            // Written by alpha's directory a moment after publishing.
            Err(e) if start.elapsed() < SETTLE => eprintln!("not yet: {e}"),
            Err(e) => panic!("beta never found the library in etcd: {e}"),
        }
    }
    assert!(nodes[1].libraries().rows().iter().any(|r| r.name == "geo" && !r.published), "cached on beta");
}
