//! The cluster directory and membership behind one interface
//! (`Directory`), with two implementations:
//!
//! - `Embedded` (the default, nothing to configure): what the node always
//!   did. Peers are learned from hellos and the peers file; an agent's
//!   location goes to its home node (`Wire::Location`), which keeps a
//!   forwarding pointer; DF entries are replicated to every peer
//!   (`Wire::DfUpdate`); libraries are fetched by asking the peers.
//! - `etcd::Etcd` (`--cluster etcd://HOST:PORT,...`): membership by lease
//!   (a dead node is noticed when its lease expires), agent locations
//!   stored with their epoch and written by compare-and-swap, DF entries
//!   and published libraries kept in etcd, watched instead of polled.
//!
//! Why here and not in `core`: the runtime already says what it needs
//! through `core::Router` (`location_changed`, `agent_here`,
//! `agent_ended`, `directory_changed`, `fetch_library`); membership and
//! liveness are about links and leases, which only the node has. `Links`
//! (node.rs) implements the router and hands those calls to its
//! `Directory`; what the directory learns comes back through `Events`.

pub mod etcd;
pub mod proto;
pub mod records;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use itinerant_core::df::Description;
use itinerant_core::{AgentId, Library, Requirement};

use crate::net::frame::Frame;
use crate::proto::Wire;

pub use proto::{ClusterReply, ClusterRequest, ClusterStatus, MemberRow};

/// How a node finds its cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterConfig {
    /// Each node's own tables (the default).
    Embedded,
    /// etcd at these endpoints, keys under `/NAMESPACE/`.
    Etcd(EtcdConfig),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EtcdConfig {
    /// `HOST:PORT` of each etcd member.
    pub endpoints: Vec<String>,
    /// Every key of this cluster starts with `/NAMESPACE/`.
    pub namespace: String,
    /// A node whose lease was not renewed for this long is dead (etcd
    /// grants whole seconds, at least 2).
    pub lease_ttl: Duration,
}

/// The default time within which a dead node is noticed.
pub const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(5);

impl ClusterConfig {
    /// Parses `--cluster`: `embedded`, or `etcd://HOST:PORT,HOST:PORT[/NAMESPACE]`.
    pub fn parse(text: &str, lease_ttl: Duration) -> Result<ClusterConfig, String> {
        if text == "embedded" {
            return Ok(ClusterConfig::Embedded);
        }
        let rest = text
            .strip_prefix("etcd://")
            .ok_or_else(|| format!("bad cluster \"{text}\": expected embedded or etcd://HOST:PORT,..."))?;
        let (hosts, namespace) = match rest.split_once('/') {
            Some((h, ns)) => (h, ns.trim_end_matches('/')),
            None => (rest, "itin"),
        };
        if namespace.is_empty()
            || namespace.len() > 64
            || !namespace.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            return Err(format!("bad cluster namespace \"{namespace}\": letters, digits, - _ . (at most 64)"));
        }
        let endpoints: Vec<String> = hosts.split(',').map(str::trim).map(str::to_owned).collect();
        for e in &endpoints {
            let port = e.rsplit_once(':').map(|(_, p)| p);
            if e.is_empty() || port.and_then(|p| p.parse::<u16>().ok()).is_none() {
                return Err(format!("bad etcd endpoint \"{e}\": expected HOST:PORT"));
            }
        }
        if lease_ttl < Duration::from_secs(2) {
            return Err(format!("a lease of {lease_ttl:?} is too short: etcd grants at least 2 s"));
        }
        Ok(ClusterConfig::Etcd(EtcdConfig { endpoints, namespace: namespace.to_owned(), lease_ttl }))
    }
}

/// What a directory needs of the node's links.
pub trait Net: Send + Sync {
    /// Queues `frame` on the link to `node`.
    fn send_frame(&self, node: &str, frame: Frame) -> Result<(), String>;
    /// The nodes this one has links to.
    fn peer_names(&self) -> Vec<String>;
}

/// What a directory tells the node (called from its own tasks).
pub trait Events: Send + Sync {
    /// Node `name` is a member, listening at `addr`.
    fn member_up(&self, name: &str, addr: SocketAddr);
    /// Node `name` is no longer a member (its lease expired or it left).
    fn member_down(&self, name: &str);
    /// Agent `agent` (whose home is this node) is on `node` at `epoch`.
    fn location(&self, agent: &AgentId, node: &str, epoch: u64);
    /// The DF entries of another node's agent (empty: none).
    fn services(&self, agent: &AgentId, services: Vec<Description>);
    /// The agents on this node now, with their epochs (written again after
    /// a reconnection), and their DF entries.
    fn local_agents(&self) -> Vec<(AgentId, u64)>;
    fn local_services(&self) -> Vec<(AgentId, Vec<Description>)>;
    /// The libraries published on this node (written again after a reconnection).
    fn published_libraries(&self) -> Vec<Library>;
    /// This node's load: runnable agents, agents, draining.
    fn load(&self) -> (u64, u64, bool);
    /// The answer to `Directory::fetch_library` for `(agent, ticket)`.
    fn library_found(&self, agent: &AgentId, ticket: u64, name: &str, req: &Requirement, found: Option<Library>);
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The cluster directory and membership. Every method returns at once
/// (none waits on the network); what takes time happens in the
/// directory's own tasks.
pub trait Directory: Send + Sync {
    /// `embedded` or `etcd://...`.
    fn describe(&self) -> String;

    /// Membership and health as `itin nodes` shows it.
    fn status(&self) -> ClusterStatus;

    /// A foreign agent arrived here at `epoch` (`Router::location_changed`).
    fn location_changed(&self, net: &dyn Net, me: &str, agent: &AgentId, epoch: u64);

    /// Any agent is here at `epoch` (born, arrived, resumed).
    fn agent_here(&self, agent: &AgentId, epoch: u64);

    /// An agent ended here.
    fn agent_ended(&self, agent: &AgentId);

    /// A local agent's DF entries changed (empty: it left or deregistered).
    fn services_changed(&self, net: &dyn Net, agent: &AgentId, services: &[Description]);

    /// What a new link to a peer carries first.
    fn greeting(&self, local: Vec<(AgentId, Vec<Description>)>) -> Vec<Frame>;

    /// A library was published on this node.
    fn library_published(&self, lib: &Library);

    /// Looks for a library for the agent parked with `ticket`: `true` if
    /// the directory will answer through `Events::library_found`; `false`:
    /// the node asks its peers.
    fn fetch_library(&self, agent: &AgentId, ticket: u64, name: &str, req: &Requirement) -> bool;

    /// Why messages for agents on `node` cannot be delivered (an operator
    /// forgot it: its agents are lost), if so.
    fn unreachable(&self, node: &str) -> Option<String>;

    /// `itin node forget NAME`: declares a dead node gone for good; its
    /// agents are reported lost. Answers the lost agents' ids.
    fn forget(&self, node: &str) -> BoxFuture<'_, Result<Vec<String>, String>>;

    /// Leaves the cluster (a clean stop).
    fn leave(&self) {}
}

/// The embedded directory: each node's own tables, kept by messages
/// between the nodes.
#[derive(Default)]
pub struct Embedded {
    /// Location and DF messages sent (the directory's operations).
    sent: std::sync::atomic::AtomicU64,
}

impl Embedded {
    fn count(&self, n: usize) {
        self.sent.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Directory for Embedded {
    fn describe(&self) -> String {
        "embedded".into()
    }

    fn status(&self) -> ClusterStatus {
        ClusterStatus {
            directory: self.describe(),
            health: None,
            members: Vec::new(),
            forgotten: Vec::new(),
            operations: self.sent.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    fn location_changed(&self, net: &dyn Net, me: &str, agent: &AgentId, epoch: u64) {
        let w = Wire::Location { agent: agent.to_string(), node: me.to_owned(), epoch };
        self.count(1);
        let _ = net.send_frame(agent.home(), wire_frame(&w));
    }

    fn agent_here(&self, _agent: &AgentId, _epoch: u64) {}

    fn agent_ended(&self, _agent: &AgentId) {}

    fn services_changed(&self, net: &dyn Net, agent: &AgentId, services: &[Description]) {
        let frame = df_frame(agent, services);
        let peers = net.peer_names();
        self.count(peers.len());
        for peer in peers {
            let _ = net.send_frame(&peer, frame.clone());
        }
    }

    fn greeting(&self, local: Vec<(AgentId, Vec<Description>)>) -> Vec<Frame> {
        local.iter().map(|(agent, services)| df_frame(agent, services)).collect()
    }

    fn library_published(&self, _lib: &Library) {}

    fn fetch_library(&self, _agent: &AgentId, _ticket: u64, _name: &str, _req: &Requirement) -> bool {
        false
    }

    fn unreachable(&self, _node: &str) -> Option<String> {
        None
    }

    fn forget(&self, node: &str) -> BoxFuture<'_, Result<Vec<String>, String>> {
        let why = format!(
            "cannot forget node {node}: the embedded directory has no lease to tell a dead node from a slow one \
             (start the nodes with --cluster etcd://...)"
        );
        Box::pin(async move { Err(why) })
    }
}

/// Serves a client's cluster request.
pub async fn serve(directory: &std::sync::Arc<dyn Directory>, req: ClusterRequest) -> Result<ClusterReply, String> {
    match req {
        ClusterRequest::Status => Ok(ClusterReply::Status(directory.status())),
        ClusterRequest::Forget { node } => {
            crate::net::pki::check_node_name(&node)?;
            directory.forget(&node).await.map(ClusterReply::Forgotten)
        }
    }
}

pub fn wire_frame(w: &Wire) -> Frame {
    Frame { lane: crate::net::frame::Lane::Data, kind: w.kind(), payload: w.encode() }
}

pub fn df_frame(agent: &AgentId, services: &[Description]) -> Frame {
    wire_frame(&Wire::DfUpdate {
        agent: agent.to_string(),
        services: services.iter().map(|d| d.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_urls_parse_with_clear_errors() {
        let ttl = DEFAULT_LEASE_TTL;
        assert_eq!(ClusterConfig::parse("embedded", ttl), Ok(ClusterConfig::Embedded));
        let c = ClusterConfig::parse("etcd://127.0.0.1:2379,10.0.0.2:2379", ttl).unwrap();
        assert_eq!(
            c,
            ClusterConfig::Etcd(EtcdConfig {
                endpoints: vec!["127.0.0.1:2379".into(), "10.0.0.2:2379".into()],
                namespace: "itin".into(),
                lease_ttl: ttl
            })
        );
        let ClusterConfig::Etcd(c) = ClusterConfig::parse("etcd://h:1/test-7", ttl).unwrap() else { panic!() };
        assert_eq!(c.namespace, "test-7");
        assert!(ClusterConfig::parse("consul://h:1", ttl).unwrap_err().contains("expected embedded or etcd"));
        assert!(ClusterConfig::parse("etcd://h", ttl).unwrap_err().contains("HOST:PORT"));
        assert!(ClusterConfig::parse("etcd://h:1,", ttl).unwrap_err().contains("HOST:PORT"));
        assert!(ClusterConfig::parse("etcd://h:1/a/b", ttl).unwrap_err().contains("namespace"));
        assert!(ClusterConfig::parse("etcd://h:1", Duration::from_secs(1)).unwrap_err().contains("at least 2"));
    }
}
