//! Mobility across three real nodes on loopback in one process: weak
//! (`agent_submit`), strong (`agent_jump`) and cloning (`agent_fork`), and
//! messages that follow a moving agent. The checks are in
//! `common/migration_checks.rs`, shared with the etcd directory's tests.

use std::sync::Arc;

use itinerant_node::node::Node;

use crate::common;
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

/// Forwards alpha's link to beta, altering one byte of the WebAssembly
/// snapshot in every transfer (the image around it re-encoded, so only the
/// snapshot's own digest can tell): a peer that sends a damaged or forged
/// wasm snapshot. Every other frame, and the other direction, passes as is.
async fn snapshot_tampering_relay(to: std::net::SocketAddr) -> std::net::SocketAddr {
    use itinerant_node::net::frame::{FrameDecoder, DEFAULT_MAX_PAYLOAD};
    use itinerant_node::proto::{Wire, KIND_TRANSFER};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((from, _)) = listener.accept().await {
            let Ok(onward) = tokio::net::TcpStream::connect(to).await else { return };
            let (mut from_read, mut from_write) = from.into_split();
            let (mut onward_read, mut onward_write) = onward.into_split();
            tokio::spawn(async move { tokio::io::copy(&mut onward_read, &mut from_write).await });
            tokio::spawn(async move {
                let (mut decoder, mut buf) = (FrameDecoder::new(DEFAULT_MAX_PAYLOAD), vec![0u8; 64 << 10]);
                while let Ok(n @ 1..) = from_read.read(&mut buf).await {
                    let Ok(frames) = decoder.push(&buf[..n]) else { return };
                    for mut frame in frames {
                        if frame.kind == KIND_TRANSFER {
                            let Ok(Wire::Transfer { kind, image }) = Wire::decode(frame.kind, &frame.payload) else {
                                return;
                            };
                            let mut image = itinerant_node::image::decode(&image).unwrap();
                            assert_eq!(itinerant_core::program::language_of(&image.snapshot), "wasm");
                            let middle = image.snapshot.len() / 2;
                            image.snapshot[middle] ^= 0x40;
                            let image = itinerant_node::image::encode(&image);
                            frame.payload = Wire::Transfer { kind, image }.encode();
                        }
                        if onward_write.write_all(&frame.encode()).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    addr
}

/// A peer sends a wasm agent whose snapshot was altered on the way: the
/// destination refuses it (the snapshot's digest), says why, and the agent
/// is not lost: its jump fails on the source, where it goes on (this guest
/// ends with the error its jump returned).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wasm_snapshot_altered_in_transit_is_refused_and_the_agent_stays() {
    use itinerant_node::node::NodeConfig;
    use std::net::SocketAddr;
    use std::time::Duration;
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let alpha = Arc::new(Node::start(NodeConfig::new("alpha", any)).await.unwrap());
    let beta = Arc::new(Node::start(NodeConfig::new("beta", any)).await.unwrap());
    alpha.add_peer("beta", snapshot_tampering_relay(beta.addr()).await);
    beta.add_peer("alpha", alpha.addr());
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/../../guests/fixtures/recurse.wasm");
    let module = itinerant_wasm::instrument(&std::fs::read(fixture).unwrap()).unwrap();
    let vars: Vec<(String, String)> =
        [("depth", "8"), ("at1", "4"), ("to1", "beta")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let id = alpha.runtime().spawn_code(&module, None, &vars, None).unwrap();
    let ending = tokio::time::timeout(Duration::from_secs(60), common::result_on(&alpha, &id)).await.unwrap();
    let err = ending.unwrap_err();
    assert!(err.contains("bad snapshot") && err.contains("digest does not match"), "{err}");
    assert!(beta.runtime().wait(&id, Duration::ZERO).is_none(), "beta has no such agent");
    assert!(beta.runtime().agents().iter().all(|a| a.id != id), "beta keeps nothing of it");
}
