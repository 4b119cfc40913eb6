//! The FIPA HTTP MTP listener from outside: a multipart POST (XML envelope,
//! string ACL payload) reaches a named agent as an ACL message it can read
//! with `acl receive`; malformed bodies, envelopes and messages are refused
//! with an HTTP error and the node keeps serving.

use crate::common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{peered, result_on};
use itinerant_core::fipa_string::{parse_message, print_message, AclMessage, AgentIdentifier};
use itinerant_node::fipa::envelope::Envelope;
use itinerant_node::fipa::http::FipaHttp;
use itinerant_node::fipa::multipart::build_body;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// POSTs `body` to `addr` at /acc; the status and the response text.
async fn post(addr: SocketAddr, content_type: &str, body: &[u8]) -> (u16, String) {
    let talk = async {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /acc HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).await.unwrap();
        s.write_all(body).await.unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.unwrap();
        String::from_utf8_lossy(&out).into_owned()
    };
    let text = tokio::time::timeout(Duration::from_secs(10), talk).await.expect("the listener answered in time");
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text)
}

fn request_to(receiver: &str, content: &str) -> (Envelope, String) {
    let sender = AgentIdentifier {
        name: "ping@jade".into(),
        addresses: vec!["http://127.0.0.1:7778/acc".into()],
        ..Default::default()
    };
    let msg = AclMessage {
        performative: "request".into(),
        sender: Some(sender.clone()),
        receivers: vec![AgentIdentifier::named(receiver)],
        content: Some(content.into()),
        language: Some("plain-text".into()),
        protocol: Some("fipa-request".into()),
        conversation_id: Some("conv-7".into()),
        reply_with: Some("r-1".into()),
        ..Default::default()
    };
    let payload = print_message(&msg);
    assert_eq!(parse_message(&payload).unwrap(), msg);
    let env = Envelope {
        to: vec![AgentIdentifier::named(receiver)],
        from: Some(sender),
        acl_representation: Some("fipa.acl.rep.string.std".into()),
        payload_length: Some(payload.len() as u64),
        date: Some("20261123T041200000Z".into()),
        ..Default::default()
    };
    (env, payload)
}

const LISTENER: &str = r#"
set m [acl receive -timeout 20000]
list [dict get $m performative] [dict get $m sender] [dict get $m content] [dict get $m conversation-id] [dict get $m reply-with]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_posted_message_reaches_the_named_agent_and_bad_posts_are_refused() {
    let nodes = peered(&["itin"], |_| {}).await;
    let node = nodes[0].clone();
    let fipa = FipaHttp::start(node.clone(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    assert!(fipa.url().ends_with("/acc"));
    let echo = node.runtime().spawn(LISTENER, Some("echo")).unwrap();

    // Malformed input first: each is refused and the node stays up.
    let (env, payload) = request_to("echo@itin", "say \"hi\" \\ there");
    let (ct, good) = build_body(&env, &payload, "itin-b0undary");
    let bad_envelope =
        build_body(&env, &payload, "x").1.iter().map(|&b| if b == b'<' { b'[' } else { b }).collect::<Vec<_>>();
    let bad_acl = build_body(&env, "(inform :content \"unterminated)", "x");
    let unknown = build_body(&request_to("nobody@itin", "x").0, &request_to("nobody@itin", "x").1, "x");
    let cases: Vec<(String, Vec<u8>, u16)> = vec![
        ("text/plain".into(), good.clone(), 400),
        (ct.clone(), b"--itin-b0undary\r\n\r\nnot xml".to_vec(), 400),
        ("multipart/mixed; boundary=x".into(), bad_envelope, 400),
        (bad_acl.0, bad_acl.1, 400),
        (unknown.0, unknown.1, 404),
    ];
    for (ct, body, want) in cases {
        let (status, text) = post(fipa.addr(), &ct, &body).await;
        assert_eq!(status, want, "{text}");
    }
    let (status, text) = post(fipa.addr(), "multipart/mixed; boundary=x", &vec![b'-'; (1 << 20) + 10]).await;
    assert_eq!(status, 413, "{text}");

    // A good one is delivered.
    let (status, text) = post(fipa.addr(), &ct, &good).await;
    assert_eq!(status, 200, "{text}");
    let got = result_on(&node, &echo).await.unwrap();
    assert_eq!(got, r#"request {ping@jade http://127.0.0.1:7778/acc} {say "hi" \ there} conv-7 r-1"#);
}

const SERVER_B: &str = r#"
set m [acl receive -timeout 20000]
acl reply $m -performative inform -content "pong to [dict get $m content]"
dict get $m sender
"#;

const CLIENT_A: &str = r#"
acl send -performative request -receiver [list x@b $b_url] -content ping -conversation-id c-9 -reply-with q1 -protocol fipa-request
set r [acl receive -conversation-id c-9 -timeout 15000]
list [dict get $r performative] [dict get $r content] [dict get $r in-reply-to] [lindex [dict get $r sender] 0]
"#;

/// Two nodes with no link between them (separate platforms), talking only
/// through their FIPA HTTP listeners: a request out and its inform back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_platforms_talk_only_through_their_fipa_listeners() {
    let a = peered(&["a"], |_| {}).await.remove(0);
    let b = peered(&["b"], |_| {}).await.remove(0);
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let fipa_a = FipaHttp::start(a.clone(), any).await.unwrap();
    let fipa_b = FipaHttp::start(b.clone(), any).await.unwrap();
    let server = b.runtime().spawn(SERVER_B, Some("x")).unwrap();
    let client = a.runtime().spawn_with(CLIENT_A, None, &[("b_url".to_string(), fipa_b.url())]).unwrap();
    let got = result_on(&a, &client).await.unwrap();
    assert_eq!(got, format!("inform {{pong to ping}} q1 {server}"));
    let sender_seen_by_b = result_on(&b, &server).await.unwrap();
    assert_eq!(sender_seen_by_b, format!("{client} {}", fipa_a.url()));
}

/// A message the other platform does not take comes back to its sender as
/// a FIPA `failure`: here once to an address where nothing listens, once to
/// a listener that refuses it (no agent of that name: HTTP 404 or so).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_another_platform_does_not_take_comes_back_as_a_failure() {
    let a = peered(&["a"], |_| {}).await.remove(0);
    let b = peered(&["b"], |_| {}).await.remove(0);
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let fipa_b = FipaHttp::start(b.clone(), any).await.unwrap();
    // A port that was just free: nothing listens there.
    let closed = std::net::TcpListener::bind(any).unwrap().local_addr().unwrap();
    let script = r#"
        set out {}
        foreach url [list $closed_url $b_url] {
            acl send -performative inform -receiver [list nobody@b $url] -content hi -reply-with r1
            set r [acl receive -performative failure -timeout 15000]
            lappend out [list [dict get $r performative] [dict get $r in-reply-to] \
                [string match "not delivered: nobody@b at *" [dict get $r content]]]
        }
        set out
    "#;
    let vars = [("closed_url".to_string(), format!("http://{closed}/acc")), ("b_url".to_string(), fipa_b.url())];
    let client = a.runtime().spawn_with(script, None, &vars).unwrap();
    let got = tokio::time::timeout(Duration::from_secs(40), result_on(&a, &client)).await.unwrap().unwrap();
    assert_eq!(got, "{failure r1 1} {failure r1 1}");
}
