//! Mutual TLS between nodes on loopback in one process: agents move over
//! it, and a peer is refused at the handshake without a certificate of
//! the cluster's CA, or at its hello when it claims another node's name.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use itinerant_node::net::frame::{Frame, Lane};
use itinerant_node::net::pki::Authority;
use itinerant_node::net::tls::{Credentials, NodeTls, Stream};
use itinerant_node::proto::Wire;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common;
use common::{peered, result_on, tls};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_jump_between_nodes_over_mutual_tls() {
    let ca = Authority::generate().unwrap();
    let nodes = peered(&["alpha", "beta", "gamma"], tls(&ca)).await;
    let script = r#"
        set trail {}
        foreach m {beta gamma alpha} { agent_jump $m; lappend trail $agent(node) }
        set trail
    "#;
    let id = nodes[0].runtime().spawn(script, None).unwrap();
    assert_eq!(result_on(&nodes[0], &id).await.unwrap(), "beta gamma alpha");
}

/// How a connection to `addr` ends: `Some(why)` if the node closed it
/// within two seconds of `hello` as `claimed`, `None` if it stayed open.
async fn after_hello(mut stream: Stream, claimed: &str) -> Option<String> {
    let hello = Wire::Hello { node: claimed.to_owned(), listen: String::new() };
    let frame = Frame { lane: Lane::Urgent, kind: hello.kind(), payload: hello.encode() };
    if let Err(e) = async {
        stream.write_all(&frame.encode()).await?;
        stream.flush().await
    }
    .await
    {
        return Some(e.to_string());
    }
    let mut buf = [0u8; 64];
    match tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf)).await {
        Ok(Ok(0)) => Some("closed".into()),
        Ok(Ok(n)) => Some(format!("{n} bytes")),
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => None,
    }
}

async fn tcp(addr: SocketAddr) -> TcpStream {
    TcpStream::connect(addr).await.unwrap()
}

/// A raw TLS client: trusts `ca_pem`, presents `cert` if any.
async fn raw_tls(addr: SocketAddr, ca_pem: &str, cert: Option<&Credentials>) -> Result<Stream, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots);
    let config = match cert {
        None => builder.with_no_client_auth(),
        Some(c) => {
            let (chain, key) = c.parts();
            builder.with_client_auth_cert(chain, key).unwrap()
        }
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let name = ServerName::try_from("alpha").unwrap();
    match connector.connect(name, tcp(addr).await).await {
        Ok(s) => Ok(Stream::Tls(Box::new(s.into()))),
        Err(e) => Err(e.to_string()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_without_a_certificate_of_the_ca_are_refused() {
    let ca = Authority::generate().unwrap();
    let nodes = peered(&["alpha"], tls(&ca)).await;
    let addr = nodes[0].addr();

    // Plain TCP: the node reads a hello where a TLS handshake belongs.
    assert!(after_hello(Stream::Plain(tcp(addr).await), "beta").await.is_some());
    // TLS without a client certificate (TLS 1.3: the refusal comes after
    // the client's side of the handshake, at the first read).
    if let Ok(stream) = raw_tls(addr, &ca.cert_pem(), None).await {
        let why = after_hello(stream, "beta").await.expect("refused");
        assert!(why.contains("CertificateRequired") || why.contains("closed"), "{why}");
    }
    // A certificate of another CA, presented by a client trusting this one.
    let other = Authority::generate().unwrap();
    let foreign = other.node_credentials("beta").unwrap();
    if let Ok(stream) = raw_tls(addr, &ca.cert_pem(), Some(&foreign)).await {
        let why = after_hello(stream, "beta").await.expect("refused");
        assert!(why.contains("UnknownCA") || why.contains("closed"), "{why}");
    }
    // A node of another CA does not even accept alpha as a server.
    let stranger = NodeTls::new("beta", &foreign).unwrap();
    let err = stranger.connect("alpha", tcp(addr).await).await.err().expect("refused");
    assert!(err.contains("UnknownIssuer"), "{err}");

    // A certificate of the CA does get in: the node was not just closing everything.
    let member = NodeTls::new("beta", &ca.node_credentials("beta").unwrap()).unwrap();
    assert_eq!(after_hello(member.connect("alpha", tcp(addr).await).await.unwrap(), "beta").await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hello_must_name_the_node_of_the_certificate() {
    let ca = Authority::generate().unwrap();
    let nodes = peered(&["alpha"], tls(&ca)).await;
    let addr = nodes[0].addr();
    let beta = NodeTls::new("beta", &ca.node_credentials("beta").unwrap()).unwrap();
    let why = after_hello(beta.connect("alpha", tcp(addr).await).await.unwrap(), "gamma").await;
    assert!(why.is_some(), "a hello as gamma with beta's certificate was accepted");
    assert_eq!(after_hello(beta.connect("alpha", tcp(addr).await).await.unwrap(), "beta").await, None);

    // A client certificate names no node at all.
    let admin = ca.client_credentials("admin").unwrap();
    let stream = raw_tls(addr, &ca.cert_pem(), Some(&admin)).await.unwrap();
    assert!(after_hello(stream, "beta").await.is_some(), "a client certificate spoke as a node");

    // Credentials naming another node are refused when the node starts.
    let err = NodeTls::new("gamma", &ca.node_credentials("beta").unwrap()).unwrap_err();
    assert!(err.contains("does not name node \"gamma\""), "{err}");
    // A link is made only to the node the certificate names.
    let err = beta.connect("gamma", tcp(addr).await).await.err().expect("alpha is not gamma");
    assert!(err.contains("not valid for name \"gamma\""), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_clients_call_over_mutual_tls_and_plain_ones_are_refused() {
    use itinerant_node::net::tls::client_config;
    use itinerant_node::objects::client::ObjectClient;
    use itinerant_node::objects::reference::ObjectRef;
    use itinerant_node::objects::servant::Body;
    let ca = Authority::generate().unwrap();
    let nodes = peered(&["alpha"], tls(&ca)).await;
    let objects = nodes[0].objects();
    objects.create_adapter("a", "threading=single").unwrap();
    objects
        .add_object("a", "counter", Body::Tcl("set n 0\nproc add {k} { global n; incr n $k }".into()), Vec::new())
        .unwrap();
    let target = ObjectRef::new("alpha", "a", "counter").unwrap();
    let config = client_config(&ca.client_credentials("admin").unwrap()).unwrap();
    let client = ObjectClient::connect_with(nodes[0].addr(), "s", Some(config)).await.unwrap();
    let got = client.invoke(&target, "add", &["5".to_owned()], Duration::from_secs(10)).await.unwrap();
    assert_eq!(got, "5");
    let other = Authority::generate().unwrap();
    let foreign = client_config(&other.client_credentials("admin").unwrap()).unwrap();
    assert!(ObjectClient::connect_with(nodes[0].addr(), "s", Some(foreign)).await.is_err(), "another CA");
    assert!(ObjectClient::connect(nodes[0].addr(), "s").await.is_err(), "plain TCP");
}
