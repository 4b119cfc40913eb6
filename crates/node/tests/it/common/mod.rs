//! What the node integration tests share: nodes started in this process on
//! loopback (port 0), every one a peer of every other, and waiting for an
//! agent's outcome.
#![allow(dead_code)] // each test file uses its own part

pub mod etcd;
pub mod migration_checks;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use itinerant_core::AgentId;
use itinerant_node::net::pki::Authority;
use itinerant_node::net::tls::NodeTls;
use itinerant_node::node::{Node, NodeConfig};

/// Longest a test waits for an agent to end.
pub const WAIT: Duration = Duration::from_secs(60);

/// Starts nodes named `names` (one worker each unless `configure` says
/// otherwise) and makes each a peer of the others.
pub async fn peered(names: &[&str], configure: impl Fn(&mut NodeConfig)) -> Vec<Arc<Node>> {
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let mut nodes = Vec::new();
    for name in names {
        let mut c = NodeConfig::new(name, any);
        c.runtime.workers = 1;
        configure(&mut c);
        nodes.push(Arc::new(Node::start(c).await.unwrap()));
    }
    for a in &nodes {
        for b in &nodes {
            if a.runtime().node() != b.runtime().node() {
                a.add_peer(b.runtime().node(), b.addr());
            }
        }
    }
    nodes
}

/// A `configure` for `peered`: each node gets mutual TLS with a
/// certificate of `ca` naming it (without it, nodes talk plain TCP).
pub fn tls(ca: &Authority) -> impl Fn(&mut NodeConfig) + '_ {
    move |c| c.tls = Some(NodeTls::new(&c.name, &ca.node_credentials(&c.name).unwrap()).unwrap())
}

/// The outcome of agent `id` on whichever of `nodes` it ended (it may move
/// meanwhile), failing after `WAIT`.
pub async fn result(nodes: &[Arc<Node>], id: &AgentId) -> Result<String, String> {
    let deadline = Instant::now() + WAIT;
    loop {
        for node in nodes {
            if let Some(out) = node.runtime().wait(id, Duration::ZERO) {
                return out.result;
            }
        }
        assert!(Instant::now() < deadline, "agent {id} did not end");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The outcome of agent `id` on `node`.
pub async fn result_on(node: &Arc<Node>, id: &AgentId) -> Result<String, String> {
    result(std::slice::from_ref(node), id).await
}

/// One HTTP/1.1 request to a node's dashboard (`extra`: more header
/// lines); status line, headers and body as text, within 10 s.
pub async fn http(addr: SocketAddr, method: &str, path: &str, extra: &str) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let talk = async {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{extra}\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.unwrap();
        String::from_utf8_lossy(&out).into_owned()
    };
    let text = tokio::time::timeout(Duration::from_secs(10), talk).await.expect("dashboard answered in time");
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    // Bodies come chunked: the chunk sizes stay in the text, which the
    // tests only search.
    (status, head.to_owned(), body.to_owned())
}
