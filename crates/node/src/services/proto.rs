//! The client requests about services (control protocol tags 45–49,
//! wrapped in `RequestBody::Service` / `ReplyBody::Service`): list the
//! node's services, find one service's endpoint by name, and connect to a
//! service through the node's own port.

use crate::proto::{put_str, DecodeError, Reader};

const TAG_LIST: u8 = 45;
const TAG_ENDPOINT: u8 = 46;
const TAG_CONNECT: u8 = 47;

/// The tags this module owns (requests and replies).
pub fn is_service_tag(tag: u8) -> bool {
    (45..=49).contains(&tag)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceRequest {
    /// Every service; `Endpoints`.
    List,
    /// Where service `name` is; `Endpoint`.
    Endpoint { name: String },
    /// Hand this connection to service `name`; `Connected`, after which
    /// the connection carries the service's bytes, no more frames. The
    /// client sends nothing after this request until the answer came.
    Connect { name: String },
}

/// One service as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointRow {
    pub name: String,
    /// `program`, `program-wait`, `adapter` or `agent`.
    pub kind: String,
    /// The command line, adapter or agent.
    pub target: String,
    /// `HOST:PORT` to connect to.
    pub address: String,
    /// The address is the service's own port; otherwise the node's, where
    /// a client sends `Connect NAME` first.
    pub own_port: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceReply {
    Endpoints(Vec<EndpointRow>),
    Endpoint(EndpointRow),
    Connected,
}

/// Smallest encoding of an `EndpointRow`.
const MIN_ROW: usize = 4 * 4 + 1;

fn put_row(out: &mut Vec<u8>, row: &EndpointRow) {
    for s in [&row.name, &row.kind, &row.target, &row.address] {
        put_str(out, s);
    }
    out.push(u8::from(row.own_port));
}

fn row(r: &mut Reader) -> Result<EndpointRow, DecodeError> {
    let (name, kind, target, address) = (r.str()?, r.str()?, r.str()?, r.str()?);
    let own_port = match r.byte()? {
        0 => false,
        1 => true,
        f => return Err(DecodeError(format!("bad flag {f}"))),
    };
    Ok(EndpointRow { name, kind, target, address, own_port })
}

impl ServiceRequest {
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            ServiceRequest::List => out.push(TAG_LIST),
            ServiceRequest::Endpoint { name } => {
                out.push(TAG_ENDPOINT);
                put_str(out, name);
            }
            ServiceRequest::Connect { name } => {
                out.push(TAG_CONNECT);
                put_str(out, name);
            }
        }
    }

    /// Reads the request whose tag (45–49) was just read.
    pub(crate) fn decode(tag: u8, r: &mut Reader) -> Result<ServiceRequest, DecodeError> {
        match tag {
            TAG_LIST => Ok(ServiceRequest::List),
            TAG_ENDPOINT => Ok(ServiceRequest::Endpoint { name: r.str()? }),
            TAG_CONNECT => Ok(ServiceRequest::Connect { name: r.str()? }),
            t => Err(DecodeError(format!("unknown request {t}"))),
        }
    }
}

impl ServiceReply {
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            ServiceReply::Endpoints(rows) => {
                out.push(TAG_LIST);
                out.extend_from_slice(&(rows.len() as u32).to_be_bytes());
                for r in rows {
                    put_row(out, r);
                }
            }
            ServiceReply::Endpoint(r) => {
                out.push(TAG_ENDPOINT);
                put_row(out, r);
            }
            ServiceReply::Connected => out.push(TAG_CONNECT),
        }
    }

    /// Reads the reply whose tag (45–49) was just read.
    pub(crate) fn decode(tag: u8, r: &mut Reader) -> Result<ServiceReply, DecodeError> {
        match tag {
            TAG_LIST => {
                let n = r.count(MIN_ROW)?;
                let mut rows = Vec::with_capacity(n);
                for _ in 0..n {
                    rows.push(row(r)?);
                }
                Ok(ServiceReply::Endpoints(rows))
            }
            TAG_ENDPOINT => Ok(ServiceReply::Endpoint(row(r)?)),
            TAG_CONNECT => Ok(ServiceReply::Connected),
            t => Err(DecodeError(format!("unknown reply {t}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> EndpointRow {
        EndpointRow {
            name: "upper".into(),
            kind: "program".into(),
            target: "/usr/bin/tr a-z A-Z".into(),
            address: "127.0.0.1:4000".into(),
            own_port: true,
        }
    }

    #[test]
    fn requests_and_replies_round_trip_and_refuse_truncation() {
        let requests = [
            ServiceRequest::List,
            ServiceRequest::Endpoint { name: "upper".into() },
            ServiceRequest::Connect { name: "bank".into() },
        ];
        for req in requests {
            let mut bytes = Vec::new();
            req.encode(&mut bytes);
            assert!(is_service_tag(bytes[0]));
            let mut r = Reader::new(&bytes[1..]);
            assert_eq!(ServiceRequest::decode(bytes[0], &mut r).unwrap(), req);
            assert_eq!(r.left(), 0);
        }
        let replies = [
            ServiceReply::Endpoints(vec![sample(), EndpointRow { own_port: false, ..sample() }]),
            ServiceReply::Endpoints(vec![]),
            ServiceReply::Endpoint(sample()),
            ServiceReply::Connected,
        ];
        for reply in replies {
            let mut bytes = Vec::new();
            reply.encode(&mut bytes);
            let mut r = Reader::new(&bytes[1..]);
            assert_eq!(ServiceReply::decode(bytes[0], &mut r).unwrap(), reply);
            assert_eq!(r.left(), 0);
            for cut in 1..bytes.len() {
                let mut r = Reader::new(&bytes[1..cut]);
                assert!(ServiceReply::decode(bytes[0], &mut r).is_err(), "{reply:?} cut at {cut}");
            }
        }
        let mut forged = vec![TAG_LIST];
        forged.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(ServiceReply::decode(forged[0], &mut Reader::new(&forged[1..])).is_err());
    }
}
