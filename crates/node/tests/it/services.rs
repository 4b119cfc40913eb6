//! The node as superserver on loopback: programs (`nowait` relayed and
//! handed the socket, `wait` given the listening socket), an agent
//! service, an adapter service, on the node's port and on their own,
//! plain and under mutual TLS; lookup by name; limits and programs that
//! cannot start.

use crate::common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use itinerant_node::net::pki::Authority;
use itinerant_node::net::tls::{client_config, Stream};
use itinerant_node::node::Node;
use itinerant_node::objects::servant::Body;
use itinerant_node::services::client;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

const D: Duration = Duration::from_secs(5);

/// A directory of this test's own for services files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("itin-services-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One node named `name` serving `services` (TOML), plain or with TLS.
async fn node(test: &str, services: &str, ca: Option<&Authority>) -> Arc<Node> {
    let file = scratch(test).join("services.toml");
    std::fs::write(&file, services).unwrap();
    let nodes = common::peered(&["s"], |c| {
        c.services = Some(file.clone());
        if let Some(ca) = ca {
            common::tls(ca)(c);
        }
    })
    .await;
    nodes[0].clone()
}

/// Writes `input`, closes the writing side, reads everything back.
async fn exchange(mut stream: Stream, input: &str) -> String {
    stream.write_all(input.as_bytes()).await.unwrap();
    stream.shutdown().await.unwrap();
    let mut out = String::new();
    tokio::time::timeout(D, stream.read_to_string(&mut out)).await.unwrap().unwrap();
    out
}

/// Sends `line` and reads one line back.
async fn ask<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(s: &mut BufReader<S>, line: &str) -> String {
    s.get_mut().write_all(format!("{line}\n").as_bytes()).await.unwrap();
    s.get_mut().flush().await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(D, s.read_line(&mut answer)).await.unwrap().unwrap();
    answer.trim_end().to_owned()
}

const PROGRAMS: &str = r#"
[[service]]
name = "upper"
program = ["/usr/bin/tr", "a-z", "A-Z"]

[[service]]
name = "cat"
program = ["/bin/cat"]
port = 0

[[service]]
name = "bank"
adapter = "bank"

[[service]]
name = "echo"
agent = "echo"
port = 0
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nowait_programs_serve_concurrent_connections_plain_and_tls() {
    let ca = Authority::generate().unwrap();
    for tls in [false, true] {
        let n = node(&format!("nowait-{tls}"), PROGRAMS, tls.then_some(&ca)).await;
        let config = tls.then(|| client_config(&ca.client_credentials("admin").unwrap()).unwrap());
        for service in ["upper", "cat"] {
            // Both connections are open (two processes) before either ends.
            let a = client::open(n.addr(), config.as_ref(), service).await.unwrap();
            let b = client::open(n.addr(), config.as_ref(), service).await.unwrap();
            let got = tokio::join!(exchange(a, "first\n"), exchange(b, "second\n"));
            let want = if service == "upper" { ("FIRST\n", "SECOND\n") } else { ("first\n", "second\n") };
            assert_eq!((got.0.as_str(), got.1.as_str()), want, "{service} tls={tls}");
        }
        n.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoints_are_listed_and_found_by_name() {
    let n = node("list", PROGRAMS, None).await;
    let rows = client::list(n.addr(), None).await.unwrap();
    let names: Vec<(&str, &str, bool)> = rows.iter().map(|r| (r.name.as_str(), r.kind.as_str(), r.own_port)).collect();
    assert_eq!(
        names,
        [("bank", "adapter", false), ("cat", "program", true), ("echo", "agent", true), ("upper", "program", false)]
    );
    let upper = client::endpoint(n.addr(), None, "upper").await.unwrap();
    assert_eq!((upper.address, upper.target.as_str()), (n.addr().to_string(), "/usr/bin/tr a-z A-Z"));
    let cat = client::endpoint(n.addr(), None, "cat").await.unwrap();
    let port: SocketAddr = cat.address.parse().unwrap();
    assert_ne!(port, n.addr());
    let e = client::endpoint(n.addr(), None, "nope").await.err().unwrap();
    assert_eq!(e, "node s has no service \"nope\"");
    let e = client::connect(n.addr(), None, "nope").await.err().unwrap();
    assert!(e.contains("no service"), "{e}");
    n.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adapter_service_calls_its_objects_line_by_line() {
    let n = node("adapter", PROGRAMS, None).await;
    n.objects().create_adapter("bank", "threading=single").unwrap();
    let account = "set n 0\nproc add {k} { global n; incr n $k }\nproc fail {} { error {no money} }";
    n.objects().add_object("bank", "acct", Body::Tcl(account.into()), Vec::new()).unwrap();
    let mut s = BufReader::new(client::open(n.addr(), None, "bank").await.unwrap());
    assert_eq!(ask(&mut s, "acct add 5").await, "ok 5");
    assert_eq!(ask(&mut s, "acct add 7").await, "ok 12");
    assert_eq!(ask(&mut s, "acct fail").await, "error {no money}");
    assert!(ask(&mut s, "ghost add 1").await.starts_with("error "));
    assert_eq!(ask(&mut s, "acct").await, "error {a line is: ID METHOD ?ARG ...?}");
    assert_eq!(ask(&mut s, "acct add {").await, "error {unmatched open brace in list}");
    n.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_service_hands_lines_to_the_agent() {
    let n = node("agent", PROGRAMS, None).await;
    // No agent yet: a clear refusal.
    let mut early = BufReader::new(client::open(n.addr(), None, "echo").await.unwrap());
    let mut refusal = String::new();
    early.read_line(&mut refusal).await.unwrap();
    assert_eq!(refusal, "itin: service echo: no agent \"echo\" on node s\n");
    let script = r#"
        set ep [resource listen]
        while 1 {
            agent_receive code msg
            lassign $msg handle conn line
            resource write $handle $conn "echo $line"
        }
    "#;
    n.runtime().spawn(script, Some("echo")).unwrap();
    let mut s = None;
    for _ in 0..100 {
        // Until the agent listens.
        let mut c = BufReader::new(client::open(n.addr(), None, "echo").await.unwrap());
        match ask(&mut c, "hi").await {
            a if a == "echo hi" => {
                s = Some(c);
                break;
            }
            a => assert!(a.contains("listens on no endpoint"), "{a}"),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut s = s.expect("the agent answered");
    assert_eq!(ask(&mut s, "again").await, "echo again");
    n.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_program_takes_the_listening_socket() {
    // One process accepts every connection in turn, telling its pid.
    let perl = r#"open(my $l, "<&=0") or die; while (accept(my $c, $l)) { select((select($c), $| = 1)[0]); print $c "pid $$\n"; while (my $x = <$c>) { print $c uc $x } close $c }"#;
    let services = format!(
        "[[service]]\nname = \"w\"\nprogram = [\"/usr/bin/perl\", \"-e\", '{perl}']\nmode = \"wait\"\nport = 0\ntimeout_ms = 20000"
    );
    let n = node("wait", &services, None).await;
    let row = client::endpoint(n.addr(), None, "w").await.unwrap();
    assert_eq!((row.kind.as_str(), row.own_port), ("program-wait", true));
    let e = client::connect(n.addr(), None, "w").await.err().unwrap();
    assert!(e.contains("is a wait service"), "{e}");
    let mut pids = Vec::new();
    for word in ["one", "two"] {
        let tcp = tokio::net::TcpStream::connect(&row.address).await.unwrap();
        let mut s = BufReader::new(tcp);
        let mut pid = String::new();
        tokio::time::timeout(D, s.read_line(&mut pid)).await.unwrap().unwrap();
        pids.push(pid);
        assert_eq!(ask(&mut s, word).await, word.to_uppercase());
    }
    assert!(pids[0].starts_with("pid "), "{pids:?}");
    assert_eq!(pids[0], pids[1], "one process served both connections");
    n.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn programs_that_cannot_start_and_limits_give_clear_errors() {
    let dir = scratch("errors");
    let not_executable = dir.join("not-executable.sh");
    std::fs::write(&not_executable, "#!/bin/sh\necho hi\n").unwrap();
    let services = format!(
        r#"
        [[service]]
        name = "bad"
        program = ["{p}"]
        [[service]]
        name = "bad-own"
        program = ["{p}"]
        port = 0
        [[service]]
        name = "one"
        program = ["/bin/cat"]
        max_connections = 1
        "#,
        p = not_executable.display()
    );
    let n = node("errors", &services, None).await;
    let e = client::connect(n.addr(), None, "bad").await.err().unwrap();
    assert!(
        e.starts_with(&format!("service bad: cannot start {}: Permission denied", not_executable.display())),
        "{e}"
    );
    let told = exchange(client::open(n.addr(), None, "bad-own").await.unwrap(), "").await;
    assert!(told.starts_with("itin: service bad-own: cannot start"), "{told}");
    let first = client::connect(n.addr(), None, "one").await.unwrap();
    let e = client::connect(n.addr(), None, "one").await.err().unwrap();
    assert_eq!(e, "service one has its 1 connections open; try again later");
    assert_eq!(exchange(first, "x\n").await, "x\n");
    n.stop();
    // A program that does not exist: the node does not start.
    let file = dir.join("missing.toml");
    std::fs::write(&file, "[[service]]\nname = \"gone\"\nprogram = [\"/no/such/program\"]").unwrap();
    let mut c = itinerant_node::node::NodeConfig::new("m", "127.0.0.1:0".parse().unwrap());
    c.services = Some(file);
    let e = Node::start(c).await.err().unwrap();
    assert!(e.contains("service gone: program /no/such/program: No such file or directory"), "{e}");
}
