//! The dashboard and `/metrics` from outside: the token is asked for on
//! every data route, counters move with a scenario (spawns, messages, a
//! migration there and back), an agent's page shows its itinerary and
//! language, the sniffer its ACL messages, and live updates arrive as
//! server-sent events.

use crate::common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{http, peered, result_on};
use itinerant_node::dashboard::{auth, Dashboard};

/// The value of metric line `name` (exact series, labels included).
fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
        .trim()
        .parse::<f64>()
        .unwrap() as u64
}

async fn scrape(addr: SocketAddr, token: &str) -> String {
    let (status, _, body) = http(addr, "GET", "/metrics", &format!("Authorization: Bearer {token}\r\n")).await;
    assert_eq!(status, 200, "{body}");
    body
}

const PONG: &str = r#"
set m [acl receive -timeout 20000]
acl reply $m -performative inform -content pong
"#;

const TRAVELLER: &str = r#"
acl send -performative request -receiver $pong -content ping -conversation-id c-42
set r [acl receive -timeout 10000]
agent_jump b
agent_jump a
dict get $r content
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_move_with_a_scenario_and_every_data_route_asks_for_the_token() {
    let nodes = peered(&["a", "b"], |_| {}).await;
    let token = auth::new_token().unwrap();
    let dash = Dashboard::start(nodes[0].clone(), "127.0.0.1:0".parse().unwrap(), token.clone()).await.unwrap();
    let addr = dash.addr();
    assert!(dash.url().starts_with(&format!("http://127.0.0.1:{}/?token=", addr.port())));

    // Without the token: refused; with a wrong one too.
    for path in ["/metrics", "/api/state", "/api/sniff", "/api/events", "/api/agent/1@a"] {
        assert_eq!(http(addr, "GET", path, "").await.0, 401, "{path}");
        assert_eq!(http(addr, "GET", path, "Authorization: Bearer 00ff\r\n").await.0, 401, "{path}");
    }
    assert_eq!(http(addr, "POST", "/api/agent/1@a/kill", "Content-Length: 0\r\n").await.0, 401);
    assert_eq!(http(addr, "GET", "/", "").await.0, 401);
    assert_eq!(http(addr, "GET", "/?token=wrong", "").await.0, 401);
    // The URL's token becomes a cookie that opens the page.
    let (status, head, _) = http(addr, "GET", &format!("/?token={token}"), "").await;
    assert_eq!(status, 303);
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("a cookie")
        .to_owned();
    assert!(cookie.starts_with(auth::COOKIE));
    let (status, _, page) = http(addr, "GET", "/", &format!("Cookie: {cookie}\r\n")).await;
    assert_eq!(status, 200);
    assert!(page.contains("/app.js"));
    assert_eq!(http(addr, "GET", "/app.js", "").await.0, 200);

    let before = scrape(addr, &token).await;
    let a = nodes[0].runtime();
    let pong = a.spawn(PONG, Some("ponger")).unwrap();
    let traveller = a.spawn_with(TRAVELLER, Some("traveller"), &[("pong".into(), pong.to_string())]).unwrap();
    assert_eq!(result_on(&nodes[0], &traveller).await, Ok("pong".into()));
    let after = scrape(addr, &token).await;

    let grew = |name: &str, by: u64| {
        let (x, y) = (metric(&before, name), metric(&after, name));
        assert!(y >= x + by, "{name}: {x} before, {y} after\n{after}");
    };
    grew("itinerant_spawns_total", 2);
    grew("itinerant_messages_in_total", 2);
    grew("itinerant_migrations_out_total", 1);
    grew("itinerant_migrations_in_total", 1);
    grew("itinerant_migration_latency_seconds_count", 1);
    assert!(metric(&after, "itinerant_agents{state=\"waiting\"}") <= 1);
    let b = scrape_node_b(&nodes).await;
    assert!(b.contains("itinerant_migrations_in_total 1"), "{b}");

    // The agent's page: every hop, with times.
    let bearer = format!("Authorization: Bearer {token}\r\n");
    let (status, _, body) = http(addr, "GET", &format!("/api/agent/{traveller}"), &bearer).await;
    assert_eq!(status, 200, "{body}");
    let hops: Vec<&str> = body.match_indices("\"node\":\"").map(|(i, m)| &body[i + m.len()..i + m.len() + 1]).collect();
    assert!(hops.len() >= 3 && hops[..3] == ["a", "b", "a"], "{body}");
    // Its language, kept across its hops.
    assert!(body.contains("\"language\":\"tcl\""), "{body}");
    // The sniffer saw both messages of the conversation.
    let (_, _, sniffed) = http(addr, "GET", "/api/sniff", &bearer).await;
    assert!(sniffed.contains("\"performative\":\"request\"") && sniffed.contains("\"conversation\":\"c-42\""));
    assert!(sniffed.contains("\"performative\":\"inform\""), "{sniffed}");
    // A button: an unknown agent is refused with a reason.
    let (status, _, body) = http(addr, "POST", "/api/agent/99@a/kill", &format!("{bearer}Content-Length: 0\r\n")).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("no agent"), "{body}");
}

/// Node b's metrics, through a dashboard of its own.
async fn scrape_node_b(nodes: &[std::sync::Arc<itinerant_node::node::Node>]) -> String {
    let token = auth::new_token().unwrap();
    let dash = Dashboard::start(nodes[1].clone(), "127.0.0.1:0".parse().unwrap(), token.clone()).await.unwrap();
    scrape(dash.addr(), &token).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_updates_arrive_as_server_sent_events() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let nodes = peered(&["s"], |_| {}).await;
    let token = auth::new_token().unwrap();
    let dash = Dashboard::start(nodes[0].clone(), "127.0.0.1:0".parse().unwrap(), token.clone()).await.unwrap();
    let mut s = tokio::net::TcpStream::connect(dash.addr()).await.unwrap();
    let req = format!("GET /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let id = nodes[0].runtime().spawn("after 3000", Some("sleeper")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while !(seen.contains("event: state") && seen.contains(&format!("\"id\":\"{id}\""))) {
        assert!(Instant::now() < deadline, "no state event with {id}:\n{seen}");
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await.unwrap().unwrap();
        assert!(n > 0, "stream ended:\n{seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(seen.contains("text/event-stream"), "{seen}");
}
