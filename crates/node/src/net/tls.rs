//! Mutual TLS (rustls, TLS 1.3 only, the ring provider) for every
//! connection a node makes or accepts: links between nodes and clients.
//!
//! Both ends present a certificate of the cluster CA (`pki.rs`) and check
//! the other's against it, so a peer without one, or with one of another
//! CA, is refused during the handshake. Beyond the CA:
//! - a node dialing a peer checks that the certificate names that peer;
//! - a node accepting a link checks that the certificate names the node
//!   the hello claims to be ([`Peer::check_node`]);
//! - a client (the CLI) accepts any node certificate of the CA: it dials
//!   an address, not a node name.
//!
//! [`Stream`] is what the rest of the node reads and writes: TLS, or plain
//! TCP for a node on loopback without credentials (tests, `--insecure-loopback`).
//! Handshakes have a timeout ([`HANDSHAKE_TIMEOUT`]); a failed one is an
//! error for the caller to log, never a panic.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Longest a TLS handshake may take, either side.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest certificate or key file read.
const MAX_PEM_BYTES: u64 = 64 * 1024;

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A CA certificate, one's own certificate and its private key.
pub struct Credentials {
    ca: CertificateDer<'static>,
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

impl Clone for Credentials {
    fn clone(&self) -> Credentials {
        Credentials { ca: self.ca.clone(), cert: self.cert.clone(), key: self.key.clone_key() }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials { .. }")
    }
}

fn read_pem(path: &Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.len() > MAX_PEM_BYTES {
        return Err(format!("{} is larger than {MAX_PEM_BYTES} bytes", path.display()));
    }
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

impl Credentials {
    /// From PEM text: the CA certificate, one's certificate, one's key.
    pub fn from_pem(ca: &[u8], cert: &[u8], key: &[u8]) -> Result<Credentials, String> {
        let ca = CertificateDer::from_pem_slice(ca).map_err(|e| format!("CA certificate: {e}"))?;
        let cert = CertificateDer::from_pem_slice(cert).map_err(|e| format!("certificate: {e}"))?;
        let key = PrivateKeyDer::from_pem_slice(key).map_err(|e| format!("private key: {e}"))?;
        Ok(Credentials { ca, cert, key })
    }

    /// From PEM files.
    pub fn load(ca: &Path, cert: &Path, key: &Path) -> Result<Credentials, String> {
        let (ca_pem, cert_pem, key_pem) = (read_pem(ca)?, read_pem(cert)?, read_pem(key)?);
        let name = |p: &Path, e: String| format!("{}: {e}", p.display());
        let ca_der = CertificateDer::from_pem_slice(&ca_pem).map_err(|e| name(ca, e.to_string()))?;
        let cert_der = CertificateDer::from_pem_slice(&cert_pem).map_err(|e| name(cert, e.to_string()))?;
        let key_der = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| name(key, e.to_string()))?;
        Ok(Credentials { ca: ca_der, cert: cert_der, key: key_der })
    }

    /// Node `name`'s credentials in a directory made by `itin init`:
    /// `DIR/ca.pem`, `DIR/nodes/NAME.pem`, `DIR/nodes/NAME.key`.
    pub fn node_in(dir: &Path, name: &str) -> Result<Credentials, String> {
        let nodes = dir.join("nodes");
        Credentials::load(&dir.join("ca.pem"), &nodes.join(format!("{name}.pem")), &nodes.join(format!("{name}.key")))
    }

    /// Client `name`'s credentials in a directory made by `itin init`:
    /// `DIR/ca.pem`, `DIR/clients/NAME.pem`, `DIR/clients/NAME.key`.
    pub fn client_in(dir: &Path, name: &str) -> Result<Credentials, String> {
        let clients = dir.join("clients");
        Credentials::load(
            &dir.join("ca.pem"),
            &clients.join(format!("{name}.pem")),
            &clients.join(format!("{name}.key")),
        )
    }

    /// Checks that one's certificate was issued by the CA (a mix-up of
    /// directories is found at start, not at the first handshake).
    pub fn verify_chain(&self) -> Result<(), String> {
        let anchor = webpki::anchor_from_trusted_cert(&self.ca).map_err(|e| format!("CA certificate: {e}"))?;
        let cert = webpki::EndEntityCert::try_from(&self.cert).map_err(|e| format!("certificate: {e}"))?;
        cert.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &[anchor],
            &[],
            UnixTime::now(),
            webpki::KeyUsage::client_auth(),
            None,
            None,
        )
        .map(|_| ())
        .map_err(|e| format!("the certificate is not one of this CA's: {e}"))
    }

    /// One's certificate chain and key, for a rustls configuration.
    pub fn parts(&self) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        (vec![self.cert.clone()], self.key.clone_key())
    }

    fn roots(&self) -> Result<Arc<RootCertStore>, String> {
        let mut roots = RootCertStore::empty();
        roots.add(self.ca.clone()).map_err(|e| format!("CA certificate: {e}"))?;
        Ok(Arc::new(roots))
    }
}

/// Whether `cert` names node `name` (its DNS name).
fn names_node(cert: &CertificateDer<'_>, name: &str) -> Result<(), String> {
    let server_name = ServerName::try_from(name).map_err(|_| format!("\"{name}\" is not a node name"))?;
    let parsed = webpki::EndEntityCert::try_from(cert).map_err(|e| format!("bad certificate: {e}"))?;
    parsed
        .verify_is_valid_for_subject_name(&server_name)
        .map_err(|_| format!("the certificate does not name node \"{name}\""))
}

/// A node's TLS: its acceptor for inbound connections and its connector
/// for links to peers, under one CA.
pub struct NodeTls {
    name: String,
    acceptor: tokio_rustls::TlsAcceptor,
    connector: tokio_rustls::TlsConnector,
}

impl std::fmt::Debug for NodeTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NodeTls {{ name: {:?} }}", self.name)
    }
}

impl NodeTls {
    /// Node `name`'s TLS from its credentials; the certificate must be
    /// the CA's and name this node.
    pub fn new(name: &str, creds: &Credentials) -> Result<Arc<NodeTls>, String> {
        creds.verify_chain()?;
        names_node(&creds.cert, name)?;
        let roots = creds.roots()?;
        let (chain, key) = creds.parts();
        let tls = |e: rustls::Error| format!("TLS configuration: {e}");
        let client_verifier = WebPkiClientVerifier::builder_with_provider(roots.clone(), provider())
            .build()
            .map_err(|e| format!("TLS configuration: {e}"))?;
        let mut server = ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .map_err(tls)?
            .with_client_cert_verifier(client_verifier)
            .with_single_cert(chain.clone(), key.clone_key())
            .map_err(tls)?;
        // Links are long-lived: no session tickets to keep.
        server.send_tls13_tickets = 0;
        let mut client = ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .map_err(tls)?
            .with_root_certificates(roots)
            .with_client_auth_cert(chain, key)
            .map_err(tls)?;
        client.resumption = rustls::client::Resumption::disabled();
        Ok(Arc::new(NodeTls {
            name: name.to_owned(),
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(server)),
            connector: tokio_rustls::TlsConnector::from(Arc::new(client)),
        }))
    }

    /// The TLS handshake of an accepted connection; the peer is who its
    /// certificate says.
    pub async fn accept(&self, tcp: TcpStream) -> Result<(Stream, Peer), String> {
        let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, self.acceptor.accept(tcp)).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return Err(format!("TLS handshake refused: {e}")),
            Err(_) => return Err(format!("no TLS handshake within {HANDSHAKE_TIMEOUT:?}")),
        };
        let cert = stream.get_ref().1.peer_certificates().and_then(|c| c.first()).cloned();
        let cert = cert.ok_or("TLS peer without a certificate")?;
        Ok((Stream::Tls(Box::new(stream.into())), Peer::Certified(cert)))
    }

    /// The TLS handshake of a link to node `peer`, whose certificate must
    /// name it.
    pub async fn connect(&self, peer: &str, tcp: TcpStream) -> Result<Stream, String> {
        let server_name =
            ServerName::try_from(peer.to_owned()).map_err(|_| format!("\"{peer}\" is not a node name"))?;
        match tokio::time::timeout(HANDSHAKE_TIMEOUT, self.connector.connect(server_name, tcp)).await {
            Ok(Ok(s)) => Ok(Stream::Tls(Box::new(s.into()))),
            Ok(Err(e)) => Err(format!("TLS handshake with {peer} failed: {e}")),
            Err(_) => Err(format!("no TLS handshake with {peer} within {HANDSHAKE_TIMEOUT:?}")),
        }
    }
}

/// Who is at the other end of an accepted connection.
#[derive(Clone, Debug)]
pub enum Peer {
    /// Plain TCP on loopback: not authenticated.
    Insecure,
    /// Its certificate, verified against the CA in the handshake.
    Certified(CertificateDer<'static>),
}

impl Peer {
    /// Checks that this peer may speak as node `name` (its hello).
    pub fn check_node(&self, name: &str) -> Result<(), String> {
        match self {
            Peer::Insecure => Ok(()),
            Peer::Certified(cert) => names_node(cert, name).map_err(|e| format!("hello as node \"{name}\": {e}")),
        }
    }
}

/// A node connection: TLS, or plain TCP on loopback.
pub enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::TlsStream<TcpStream>>),
}

/// The label of the keying material both ends of a client connection
/// export from its TLS session (RFC 5705/8446): what a client signs to act
/// as its owner on that connection (`owner::session_bytes`).
pub const CLIENT_BINDING_LABEL: &[u8] = b"EXPORTER-itinerant-client-owner";

/// Exports the channel binding of a TLS session: 32 bytes that only the
/// two ends of this session know.
pub fn export_binding<C>(conn: &rustls::ConnectionCommon<C>) -> Result<[u8; 32], String> {
    conn.export_keying_material([0u8; 32], CLIENT_BINDING_LABEL, None).map_err(|e| format!("channel binding: {e}"))
}

impl Stream {
    /// The connection's channel binding: exported from its TLS session;
    /// empty on plain TCP (an unauthenticated loopback node: nothing to
    /// bind to).
    pub fn channel_binding(&self) -> Result<Vec<u8>, String> {
        match self {
            Stream::Plain(_) => Ok(Vec::new()),
            Stream::Tls(s) => match s.as_ref() {
                tokio_rustls::TlsStream::Server(s) => export_binding(s.get_ref().1).map(Vec::from),
                tokio_rustls::TlsStream::Client(s) => export_binding(s.get_ref().1).map(Vec::from),
            },
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A client's connection to the node at `addr`: TCP, then the TLS
/// handshake when `tls` is given, each within `timeout`.
pub async fn dial(addr: SocketAddr, tls: Option<&Arc<ClientConfig>>, timeout: Duration) -> Result<Stream, String> {
    let tcp = tokio::time::timeout(timeout, TcpStream::connect(addr))
        .await
        .map_err(|_| format!("connecting to {addr} timed out"))?
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let Some(config) = tls else {
        return Ok(Stream::Plain(tcp));
    };
    let name = ServerName::try_from(CLIENT_SERVER_NAME).map_err(|e| e.to_string())?;
    let connecting = tokio_rustls::TlsConnector::from(config.clone()).connect(name, tcp);
    match tokio::time::timeout(timeout, connecting).await {
        Ok(Ok(s)) => Ok(Stream::Tls(Box::new(s.into()))),
        Ok(Err(e)) => Err(format!("TLS handshake with {addr} failed: {e}")),
        Err(_) => Err(format!("no TLS handshake with {addr} within {timeout:?}")),
    }
}

/// The TLS configuration of a client (the CLI): it presents its
/// certificate and accepts any node certificate of the CA.
pub fn client_config(creds: &Credentials) -> Result<Arc<ClientConfig>, String> {
    creds.verify_chain()?;
    let tls = |e: rustls::Error| format!("TLS configuration: {e}");
    let (chain, key) = creds.parts();
    let verifier = WebPkiServerVerifier::builder_with_provider(creds.roots()?, provider())
        .build()
        .map_err(|e| format!("TLS configuration: {e}"))?;
    let config = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(tls)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyNodeOfTheCluster(verifier)))
        .with_client_auth_cert(chain, key)
        .map_err(tls)?;
    Ok(Arc::new(config))
}

/// The server name a client gives (any: see [`AnyNodeOfTheCluster`]).
pub const CLIENT_SERVER_NAME: &str = "itinerant-node";

/// The CA's full check of a node certificate (chain, validity, server
/// use), except which node it names: a client dials an address.
#[derive(Debug)]
struct AnyNodeOfTheCluster(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyNodeOfTheCluster {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // The name is checked last, after the chain: a name error means
        // everything else held.
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}
