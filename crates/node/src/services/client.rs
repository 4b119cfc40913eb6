//! Reaching a node's services from Rust: list them, find one by name,
//! connect to one through the node's port (`Connect NAME`) or its own.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::proto::{EndpointRow, ServiceReply, ServiceRequest};
use crate::control::{ClientHello, ReplyBody, Request, RequestBody, Response, KIND_RESPONSE, PROTOCOL_VERSION};
use crate::net::frame::{FrameDecoder, DEFAULT_MAX_PAYLOAD, HEADER_LEN};
use crate::net::tls::{dial, Stream};

/// Longest wait for the connection, and for each answer.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// Sends one service request to the node at `addr` and reads exactly its
/// answer (bytes after it, a service's, stay unread in the stream).
async fn request(
    addr: SocketAddr,
    tls: Option<&Arc<rustls::ClientConfig>>,
    req: ServiceRequest,
) -> Result<(Stream, ServiceReply), String> {
    let mut stream = dial(addr, tls, TIMEOUT).await?;
    let hello = ClientHello { version: PROTOCOL_VERSION, client: "itinerant service client".into() };
    let mut bytes = hello.frame().encode();
    bytes.extend(Request { id: 1, body: RequestBody::Service(req) }.frame().encode());
    let answer = async {
        stream.write_all(&bytes).await?;
        stream.flush().await?;
        let mut frame = vec![0u8; HEADER_LEN];
        stream.read_exact(&mut frame).await?;
        let length = u32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]) as usize;
        if length > DEFAULT_MAX_PAYLOAD {
            return Err(std::io::Error::other(format!("an answer of {length} bytes")));
        }
        frame.resize(HEADER_LEN + length, 0);
        stream.read_exact(&mut frame[HEADER_LEN..]).await?;
        Ok(frame)
    };
    let frame = tokio::time::timeout(TIMEOUT, answer)
        .await
        .map_err(|_| format!("node at {addr} did not answer within {TIMEOUT:?}"))?
        .map_err(|e| format!("node at {addr}: {e}"))?;
    let frame = FrameDecoder::new(DEFAULT_MAX_PAYLOAD).push(&frame).map_err(|e| e.to_string())?.pop();
    let frame = frame.filter(|f| f.kind == KIND_RESPONSE).ok_or("the node did not answer with a response")?;
    match Response::decode(&frame.payload).map_err(|e| format!("bad answer: {e}"))?.result {
        Ok(ReplyBody::Service(reply)) => Ok((stream, reply)),
        Ok(other) => Err(format!("unexpected answer {other:?}")),
        Err(why) => Err(why),
    }
}

/// The services of the node at `addr`.
pub async fn list(addr: SocketAddr, tls: Option<&Arc<rustls::ClientConfig>>) -> Result<Vec<EndpointRow>, String> {
    match request(addr, tls, ServiceRequest::List).await? {
        (_, ServiceReply::Endpoints(rows)) => Ok(rows),
        (_, other) => Err(format!("unexpected answer {other:?}")),
    }
}

/// Where service `name` of the node at `addr` is.
pub async fn endpoint(
    addr: SocketAddr,
    tls: Option<&Arc<rustls::ClientConfig>>,
    name: &str,
) -> Result<EndpointRow, String> {
    match request(addr, tls, ServiceRequest::Endpoint { name: name.to_owned() }).await? {
        (_, ServiceReply::Endpoint(row)) => Ok(row),
        (_, other) => Err(format!("unexpected answer {other:?}")),
    }
}

/// A connection to service `name` through the port of the node at
/// `addr`: from now on it carries the service's bytes.
pub async fn connect(addr: SocketAddr, tls: Option<&Arc<rustls::ClientConfig>>, name: &str) -> Result<Stream, String> {
    match request(addr, tls, ServiceRequest::Connect { name: name.to_owned() }).await? {
        (stream, ServiceReply::Connected) => Ok(stream),
        (_, other) => Err(format!("unexpected answer {other:?}")),
    }
}

/// A connection to service `name` wherever it is: looked up through the
/// node at `addr`, then on the service's own port (TLS when `tls`) or
/// through the node's.
pub async fn open(addr: SocketAddr, tls: Option<&Arc<rustls::ClientConfig>>, name: &str) -> Result<Stream, String> {
    let row = endpoint(addr, tls, name).await?;
    let at: SocketAddr = row.address.parse().map_err(|e| format!("service {name} at \"{}\": {e}", row.address))?;
    match row.own_port {
        true => dial(at, tls, TIMEOUT).await,
        false => connect(at, tls, name).await,
    }
}
