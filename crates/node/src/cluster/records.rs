//! The etcd directory's keys and values as plain data (no network):
//!
//! - `/NS/members/NODE` — `ADDR RUNNABLE AGENTS DRAINING`, under the node's lease;
//! - `/NS/loc/HOME/AGENT` — `EPOCH NODE` (epoch zero-padded to 20 digits,
//!   so that etcd's byte-wise comparison of values orders epochs: the
//!   compare-and-swap is `value < "EPOCH"`), or `lost EPOCH NODE`, which
//!   no location can overwrite (`l` sorts after every digit);
//! - `/NS/df/NODE/AGENT` — the agent's service descriptions, under the
//!   lease of the node where the agent is;
//! - `/NS/lib/NAME/VERSION` — a published library's script;
//! - `/NS/forgotten/NODE` — an operator declared the node gone.

use std::net::SocketAddr;

use itinerant_core::df::Description;
use itinerant_core::AgentId;

/// Largest value the directory writes or accepts (etcd's own limit is 1.5 MiB).
pub const MAX_VALUE: usize = 1024 * 1024;

pub struct Keys {
    ns: String,
}

impl Keys {
    pub fn new(namespace: &str) -> Keys {
        Keys { ns: format!("/{namespace}/") }
    }

    pub fn members(&self) -> String {
        format!("{}members/", self.ns)
    }

    pub fn member(&self, node: &str) -> String {
        format!("{}members/{node}", self.ns)
    }

    pub fn locations(&self) -> String {
        format!("{}loc/", self.ns)
    }

    /// The locations of the agents whose home is `home`.
    pub fn locations_of_home(&self, home: &str) -> String {
        format!("{}loc/{home}/", self.ns)
    }

    pub fn location(&self, agent: &AgentId) -> String {
        format!("{}loc/{}/{}", self.ns, agent.home(), agent.as_str())
    }

    pub fn services(&self) -> String {
        format!("{}df/", self.ns)
    }

    pub fn service(&self, node: &str, agent: &AgentId) -> String {
        format!("{}df/{node}/{}", self.ns, agent.as_str())
    }

    pub fn libraries_named(&self, name: &str) -> String {
        format!("{}lib/{name}/", self.ns)
    }

    pub fn library(&self, name: &str, version: &str) -> String {
        format!("{}lib/{name}/{version}", self.ns)
    }

    pub fn forgotten_all(&self) -> String {
        format!("{}forgotten/", self.ns)
    }

    pub fn forgotten(&self, node: &str) -> String {
        format!("{}forgotten/{node}", self.ns)
    }

    /// The rest of `key` after `prefix`, if it starts with it.
    pub fn strip<'a>(key: &'a str, prefix: &str) -> Option<&'a str> {
        key.strip_prefix(prefix)
    }
}

/// Where an agent is, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub node: String,
    pub epoch: u64,
    /// Its node was forgotten: the agent is lost.
    pub lost: bool,
}

impl Location {
    pub fn encode(&self) -> String {
        match self.lost {
            false => format!("{:020} {}", self.epoch, self.node),
            true => format!("lost {:020} {}", self.epoch, self.node),
        }
    }

    pub fn decode(value: &str) -> Option<Location> {
        let (lost, rest) = match value.strip_prefix("lost ") {
            Some(rest) => (true, rest),
            None => (false, value),
        };
        let (epoch, node) = rest.split_once(' ')?;
        if epoch.len() != 20 || node.is_empty() {
            return None;
        }
        Some(Location { node: node.to_owned(), epoch: epoch.parse().ok()?, lost })
    }

    /// What a stored value must be byte-wise below for a write at `epoch`
    /// to win (any older epoch; never a lost record).
    pub fn fence(epoch: u64) -> String {
        format!("{epoch:020}")
    }

    /// The pure rule the compare-and-swap implements, for tests and for
    /// deciding without etcd: may `new` replace `stored`?
    pub fn may_replace(stored: Option<&Location>, new: &Location) -> bool {
        match stored {
            None => true,
            Some(s) => !s.lost && s.encode() < Location::fence(new.epoch),
        }
    }
}

/// A member's registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub addr: SocketAddr,
    pub runnable: u64,
    pub agents: u64,
    pub draining: bool,
}

impl Member {
    pub fn encode(&self) -> String {
        format!("{} {} {} {}", self.addr, self.runnable, self.agents, u8::from(self.draining))
    }

    pub fn decode(value: &str) -> Option<Member> {
        let mut words = value.split(' ');
        let m = Member {
            addr: words.next()?.parse().ok()?,
            runnable: words.next()?.parse().ok()?,
            agents: words.next()?.parse().ok()?,
            draining: words.next()? == "1",
        };
        words.next().is_none().then_some(m)
    }
}

/// DF entries as a value: one description a line, `key=value` pairs
/// separated by tabs (keys and values with tabs, newlines or `=` in keys
/// are refused).
pub fn encode_services(services: &[Description]) -> Result<String, String> {
    let mut out = String::new();
    for d in services {
        let mut first = true;
        for (k, v) in d.iter() {
            if k.contains(['\t', '\n', '=']) || v.contains(['\t', '\n']) {
                return Err(format!("DF entry {k:?}={v:?} cannot be stored in the cluster directory"));
            }
            if !first {
                out.push('\t');
            }
            first = false;
            out.push_str(k);
            out.push('=');
            out.push_str(v);
        }
        out.push('\n');
    }
    Ok(out)
}

pub fn decode_services(value: &str) -> Option<Vec<Description>> {
    let mut out = Vec::new();
    for line in value.lines() {
        let mut d = Description::new();
        if !line.is_empty() {
            for pair in line.split('\t') {
                let (k, v) = pair.split_once('=')?;
                d.insert(k.to_owned(), v.to_owned());
            }
        }
        out.push(d);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(node: &str, epoch: u64) -> Location {
        Location { node: node.into(), epoch, lost: false }
    }

    #[test]
    fn locations_round_trip_and_order_by_epoch() {
        for l in [at("beta", 0), at("gamma", 12345678901234), Location { lost: true, ..at("beta", 7) }] {
            assert_eq!(Location::decode(&l.encode()), Some(l));
        }
        assert_eq!(Location::decode("7 beta"), None);
        assert_eq!(Location::decode("00000000000000000007"), None);
        // The byte-wise order etcd compares is the epochs' order.
        assert!(at("zzz", 9).encode() < Location::fence(10));
        assert!(at("a", 10).encode() >= Location::fence(10));
        assert!(at("a", 100).encode() >= Location::fence(99));
    }

    #[test]
    fn a_stale_or_lost_location_never_replaces_a_newer_one() {
        assert!(Location::may_replace(None, &at("a", 0)));
        assert!(Location::may_replace(Some(&at("a", 3)), &at("b", 4)));
        assert!(!Location::may_replace(Some(&at("a", 4)), &at("b", 4)));
        assert!(!Location::may_replace(Some(&at("a", 5)), &at("b", 4)));
        let lost = Location { lost: true, ..at("a", 1) };
        assert!(!Location::may_replace(Some(&lost), &at("b", 99)));
    }

    #[test]
    fn members_and_services_round_trip() {
        let m = Member { addr: "127.0.0.2:4000".parse().unwrap(), runnable: 3, agents: 10, draining: true };
        assert_eq!(Member::decode(&m.encode()), Some(m));
        assert_eq!(Member::decode("127.0.0.2:4000 1 2"), None);
        let mut d = Description::new();
        d.insert("type".into(), "seller".into());
        d.insert("name".into(), "a b=c".into());
        let services = vec![d, Description::new()];
        let text = encode_services(&services).unwrap();
        assert_eq!(decode_services(&text), Some(services));
        let mut bad = Description::new();
        bad.insert("k\t".into(), "v".into());
        assert!(encode_services(&[bad]).is_err());
    }

    #[test]
    fn keys_nest_under_the_namespace() {
        let k = Keys::new("t1");
        let id = AgentId::parse("3@alpha").unwrap();
        assert_eq!(k.location(&id), "/t1/loc/alpha/3@alpha");
        assert!(k.location(&id).starts_with(&k.locations_of_home("alpha")));
        assert_eq!(k.service("beta", &id), "/t1/df/beta/3@alpha");
        assert_eq!(k.member("beta"), "/t1/members/beta");
        assert_eq!(Keys::strip("/t1/members/beta", &k.members()), Some("beta"));
    }
}
