//! The control protocol on a real node's port, in process: requests are
//! answered in order; a request that does not decode gets an error
//! response; a frame that is not a request, or a client of another
//! protocol version, closes that connection only.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use itinerant_node::control::{ClientHello, ReplyBody, Request, RequestBody, Response, PROTOCOL_VERSION};
use itinerant_node::net::frame::{Frame, FrameDecoder, Lane};
use itinerant_node::node::{Node, NodeConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const WAIT: Duration = Duration::from_secs(20);

async fn node() -> Node {
    let mut c = NodeConfig::new("t", "127.0.0.1:0".parse::<SocketAddr>().unwrap());
    c.runtime.workers = 1;
    Node::start(c).await.unwrap()
}

async fn connect(node: &Node, version: u32) -> TcpStream {
    let mut s = TcpStream::connect(node.addr()).await.unwrap();
    let hello = ClientHello { version, client: "test".into() };
    s.write_all(&hello.frame().encode()).await.unwrap();
    s
}

/// The responses read from a connection.
struct Responses {
    decoder: FrameDecoder,
    ready: VecDeque<Frame>,
}

impl Responses {
    fn new() -> Responses {
        Responses { decoder: FrameDecoder::new(1 << 20), ready: VecDeque::new() }
    }
}

/// The next response on `s`, or None when the node closed the connection.
async fn next_response(s: &mut TcpStream, r: &mut Responses) -> Option<Response> {
    let mut buf = [0u8; 4096];
    loop {
        if let Some(f) = r.ready.pop_front() {
            return Some(Response::decode(&f.payload).unwrap());
        }
        let n = tokio::time::timeout(WAIT, s.read(&mut buf)).await.expect("an answer in time").unwrap_or(0);
        if n == 0 {
            return None;
        }
        r.ready.extend(r.decoder.push(&buf[..n]).unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_answered_and_bad_ones_refused() {
    let node = node().await;
    let mut s = connect(&node, PROTOCOL_VERSION).await;
    let mut d = Responses::new();
    // Two requests in one write: two answers, in order.
    let submit = Request { id: 1, body: RequestBody::Submit { script: "set x 1".into(), name: None, vars: vec![] } };
    let mut bytes = submit.frame().encode();
    bytes.extend(Request { id: 2, body: RequestBody::Nodes }.frame().encode());
    s.write_all(&bytes).await.unwrap();
    let r1 = next_response(&mut s, &mut d).await.unwrap();
    assert_eq!(r1, Response { id: 1, result: Ok(ReplyBody::Submitted { id: "1@t".into() }) });
    let r2 = next_response(&mut s, &mut d).await.unwrap();
    assert!(matches!(r2.result, Ok(ReplyBody::Nodes { ref node, .. }) if node == "t"), "{r2:?}");

    // An unknown request (tag 99) with a readable id: an error answer.
    let mut payload = 7u64.to_be_bytes().to_vec();
    payload.push(99);
    s.write_all(&Frame { lane: Lane::Data, kind: 17, payload }.encode()).await.unwrap();
    let r = next_response(&mut s, &mut d).await.unwrap();
    assert_eq!(r.id, 7);
    assert!(r.result.unwrap_err().contains("bad request"));
    // Semantics refused: an error answer, the connection stays.
    s.write_all(&Request { id: 8, body: RequestBody::Kill { id: "42@t".into() } }.frame().encode()).await.unwrap();
    assert_eq!(next_response(&mut s, &mut d).await.unwrap().result, Err("no agent \"42@t\"".into()));

    // A node hello in a client connection: closed.
    s.write_all(&Frame { lane: Lane::Data, kind: 1, payload: vec![] }.encode()).await.unwrap();
    assert_eq!(next_response(&mut s, &mut d).await, None);

    // Another protocol version: refused with a reason, then closed.
    let mut old = connect(&node, PROTOCOL_VERSION + 1).await;
    let mut d = Responses::new();
    let refusal = next_response(&mut old, &mut d).await.unwrap();
    assert!(refusal.result.unwrap_err().contains("protocol version"));
    assert_eq!(next_response(&mut old, &mut d).await, None);

    // The node goes on serving.
    let mut s = connect(&node, PROTOCOL_VERSION).await;
    let mut d = Responses::new();
    s.write_all(&Request { id: 1, body: RequestBody::Agents }.frame().encode()).await.unwrap();
    let r = next_response(&mut s, &mut d).await.unwrap();
    assert!(matches!(r.result, Ok(ReplyBody::Agents(ref rows)) if rows.len() == 1), "{r:?}");
    node.stop();
}
