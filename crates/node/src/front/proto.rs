//! The client requests about fronts and caches (control protocol tags
//! 50–59, wrapped in `RequestBody::Front` / `ReplyBody::Front`): a front's
//! back ends with their load and state (`itin front`), and the node's
//! cache for its agents (`itin cache`).

use crate::objects::cache::CacheStats;
use crate::proto::{put_str, DecodeError, Reader};

use super::backends::BackendRow;
use super::{FrontCounters, FrontRow};

const TAG_STATUS: u8 = 50;
const TAG_CACHE: u8 = 51;

/// The tags this module owns (requests and replies).
pub fn is_front_tag(tag: u8) -> bool {
    (50..=59).contains(&tag)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrontRequest {
    /// The services this node fronts; `Status`.
    Status,
    /// The node's cache for its agents; `Cache`.
    Cache,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrontReply {
    Status { services: Vec<FrontRow>, counters: FrontCounters },
    Cache(CacheStats),
}

fn put_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&n.to_be_bytes());
}

fn put_count(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_be_bytes());
}

fn flag(r: &mut Reader) -> Result<bool, DecodeError> {
    match r.byte()? {
        0 => Ok(false),
        1 => Ok(true),
        f => Err(DecodeError(format!("bad flag {f}"))),
    }
}

impl FrontRequest {
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.push(match self {
            FrontRequest::Status => TAG_STATUS,
            FrontRequest::Cache => TAG_CACHE,
        });
    }

    pub(crate) fn decode(tag: u8, _r: &mut Reader) -> Result<FrontRequest, DecodeError> {
        match tag {
            TAG_STATUS => Ok(FrontRequest::Status),
            TAG_CACHE => Ok(FrontRequest::Cache),
            t => Err(DecodeError(format!("unknown front request {t}"))),
        }
    }
}

impl FrontReply {
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            FrontReply::Status { services, counters } => {
                out.push(TAG_STATUS);
                for n in [counters.relayed, counters.relayed_reply_bytes, counters.handoffs] {
                    put_u64(out, n);
                }
                put_count(out, services.len());
                for s in services {
                    put_str(out, &s.adapter);
                    put_str(out, &s.mode);
                    put_str(out, &s.policy);
                    put_count(out, s.backends.len());
                    for b in &s.backends {
                        put_str(out, &b.name);
                        out.push(u8::from(b.up));
                        for n in [b.outstanding, b.reported_load, b.dispatched, b.downs] {
                            put_u64(out, n);
                        }
                        put_str(out, &b.why);
                    }
                }
            }
            FrontReply::Cache(s) => {
                out.push(TAG_CACHE);
                for n in [s.entries, s.hits, s.misses, s.revalidations, s.invalidations, s.expired] {
                    put_u64(out, n);
                }
            }
        }
    }

    pub(crate) fn decode(tag: u8, r: &mut Reader) -> Result<FrontReply, DecodeError> {
        match tag {
            TAG_STATUS => {
                let counters = FrontCounters { relayed: r.u64()?, relayed_reply_bytes: r.u64()?, handoffs: r.u64()? };
                let n = r.count(4 * 3 + 4)?;
                let mut services = Vec::with_capacity(n);
                for _ in 0..n {
                    let (adapter, mode, policy) = (r.str()?, r.str()?, r.str()?);
                    let m = r.count(4 + 1 + 32 + 4)?;
                    let mut backends = Vec::with_capacity(m);
                    for _ in 0..m {
                        backends.push(BackendRow {
                            name: r.str()?,
                            up: flag(r)?,
                            outstanding: r.u64()?,
                            reported_load: r.u64()?,
                            dispatched: r.u64()?,
                            downs: r.u64()?,
                            why: r.str()?,
                        });
                    }
                    services.push(FrontRow { adapter, mode, policy, backends });
                }
                Ok(FrontReply::Status { services, counters })
            }
            TAG_CACHE => Ok(FrontReply::Cache(CacheStats {
                entries: r.u64()?,
                hits: r.u64()?,
                misses: r.u64()?,
                revalidations: r.u64()?,
                invalidations: r.u64()?,
                expired: r.u64()?,
            })),
            t => Err(DecodeError(format!("unknown front reply {t}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_replies_round_trip_and_truncation_is_refused() {
        for q in [FrontRequest::Status, FrontRequest::Cache] {
            let mut bytes = Vec::new();
            q.encode(&mut bytes);
            assert_eq!(FrontRequest::decode(bytes[0], &mut Reader::new(&bytes[1..])).unwrap(), q);
        }
        let row = BackendRow {
            name: "b1".into(),
            up: false,
            outstanding: 1,
            reported_load: 2,
            dispatched: 3,
            downs: 4,
            why: "no probe answer".into(),
        };
        let replies = [
            FrontReply::Status {
                services: vec![FrontRow {
                    adapter: "svc".into(),
                    mode: "relay".into(),
                    policy: "session".into(),
                    backends: vec![row],
                }],
                counters: FrontCounters { relayed: 5, relayed_reply_bytes: 6, handoffs: 7 },
            },
            FrontReply::Cache(CacheStats {
                entries: 1,
                hits: 2,
                misses: 3,
                revalidations: 4,
                invalidations: 5,
                expired: 6,
            }),
        ];
        for a in replies {
            let mut bytes = Vec::new();
            a.encode(&mut bytes);
            let mut r = Reader::new(&bytes[1..]);
            assert_eq!(FrontReply::decode(bytes[0], &mut r).unwrap(), a);
            assert_eq!(r.left(), 0);
            for cut in 1..bytes.len() {
                assert!(FrontReply::decode(bytes[0], &mut Reader::new(&bytes[1..cut])).is_err(), "{a:?} at {cut}");
            }
        }
    }
}
