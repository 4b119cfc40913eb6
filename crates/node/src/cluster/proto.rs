//! The client requests about the cluster directory (control protocol tags
//! 60–64, wrapped in `RequestBody::Cluster` / `ReplyBody::Cluster`): its
//! status and members (`itin nodes`), and forgetting a dead node (`itin
//! node forget NAME`).

use crate::proto::{put_opt, put_str, DecodeError, Reader};

const TAG_STATUS: u8 = 60;
const TAG_FORGET: u8 = 61;

/// The tags this module owns (requests and replies).
pub fn is_cluster_tag(tag: u8) -> bool {
    (60..=64).contains(&tag)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterRequest {
    /// The directory, its health and members; `Status`.
    Status,
    /// Declare dead node `node` gone for good: its agents are reported
    /// lost; `Forgotten`.
    Forget { node: String },
}

/// A member as the directory sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRow {
    pub name: String,
    pub addr: String,
    /// Its lease holds.
    pub alive: bool,
    /// Agents it last registered.
    pub agents: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterStatus {
    /// `embedded` or `etcd://...`.
    pub directory: String,
    /// Why the directory cannot be reached now, if it cannot.
    pub health: Option<String>,
    pub members: Vec<MemberRow>,
    /// Nodes an operator forgot.
    pub forgotten: Vec<String>,
    /// Directory operations this node made (etcd calls, or the embedded
    /// directory's location and DF messages).
    pub operations: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterReply {
    Status(ClusterStatus),
    /// The agents reported lost.
    Forgotten(Vec<String>),
}

/// Smallest encoding of a `MemberRow`, of a string.
const MIN_ROW: usize = 4 + 4 + 1 + 8;
const MIN_STR: usize = 4;

fn put_strs(out: &mut Vec<u8>, list: &[String]) {
    out.extend_from_slice(&(list.len() as u32).to_be_bytes());
    for s in list {
        put_str(out, s);
    }
}

fn strs(r: &mut Reader) -> Result<Vec<String>, DecodeError> {
    let n = r.count(MIN_STR)?;
    (0..n).map(|_| r.str()).collect()
}

impl ClusterRequest {
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            ClusterRequest::Status => out.push(TAG_STATUS),
            ClusterRequest::Forget { node } => {
                out.push(TAG_FORGET);
                put_str(out, node);
            }
        }
    }

    /// Reads the request whose tag (60–64) was just read.
    pub(crate) fn decode(tag: u8, r: &mut Reader) -> Result<ClusterRequest, DecodeError> {
        match tag {
            TAG_STATUS => Ok(ClusterRequest::Status),
            TAG_FORGET => Ok(ClusterRequest::Forget { node: r.str()? }),
            t => Err(DecodeError(format!("unknown request {t}"))),
        }
    }
}

impl ClusterReply {
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            ClusterReply::Status(s) => {
                out.push(TAG_STATUS);
                put_str(out, &s.directory);
                put_opt(out, s.health.as_deref());
                out.extend_from_slice(&(s.members.len() as u32).to_be_bytes());
                for m in &s.members {
                    put_str(out, &m.name);
                    put_str(out, &m.addr);
                    out.push(u8::from(m.alive));
                    out.extend_from_slice(&m.agents.to_be_bytes());
                }
                put_strs(out, &s.forgotten);
                out.extend_from_slice(&s.operations.to_be_bytes());
            }
            ClusterReply::Forgotten(lost) => {
                out.push(TAG_FORGET);
                put_strs(out, lost);
            }
        }
    }

    /// Reads the reply whose tag (60–64) was just read.
    pub(crate) fn decode(tag: u8, r: &mut Reader) -> Result<ClusterReply, DecodeError> {
        match tag {
            TAG_STATUS => {
                let (directory, health) = (r.str()?, r.opt()?);
                let n = r.count(MIN_ROW)?;
                let mut members = Vec::with_capacity(n);
                for _ in 0..n {
                    let (name, addr) = (r.str()?, r.str()?);
                    let alive = match r.byte()? {
                        0 => false,
                        1 => true,
                        f => return Err(DecodeError(format!("bad flag {f}"))),
                    };
                    members.push(MemberRow { name, addr, alive, agents: r.u64()? });
                }
                Ok(ClusterReply::Status(ClusterStatus {
                    directory,
                    health,
                    members,
                    forgotten: strs(r)?,
                    operations: r.u64()?,
                }))
            }
            TAG_FORGET => Ok(ClusterReply::Forgotten(strs(r)?)),
            t => Err(DecodeError(format!("unknown reply {t}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_replies_round_trip_and_refuse_truncation() {
        for req in [ClusterRequest::Status, ClusterRequest::Forget { node: "beta".into() }] {
            let mut out = Vec::new();
            req.encode(&mut out);
            let mut r = Reader::new(&out[1..]);
            assert_eq!(ClusterRequest::decode(out[0], &mut r), Ok(req));
        }
        let status = ClusterReply::Status(ClusterStatus {
            directory: "etcd://127.0.0.1:2379/t".into(),
            health: Some("unreachable".into()),
            members: vec![MemberRow { name: "a".into(), addr: "127.0.0.1:1".into(), alive: true, agents: 3 }],
            forgotten: vec!["b".into()],
            operations: 12,
        });
        for reply in [status, ClusterReply::Forgotten(vec!["1@b".into(), "2@b".into()])] {
            let mut out = Vec::new();
            reply.encode(&mut out);
            let mut r = Reader::new(&out[1..]);
            assert_eq!(ClusterReply::decode(out[0], &mut r), Ok(reply));
            for cut in 1..out.len() - 1 {
                let mut r = Reader::new(&out[1..cut]);
                assert!(ClusterReply::decode(out[0], &mut r).is_err(), "cut at {cut}");
            }
        }
        assert!(is_cluster_tag(60) && is_cluster_tag(64) && !is_cluster_tag(65) && !is_cluster_tag(59));
    }
}
