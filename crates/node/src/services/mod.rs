//! The node as superserver and endpoint daemon (`docs/OBJECTS.md`,
//! "Superserver"): services declared in the node's services file
//! (`config.rs`, operator-trusted), each served by an object adapter, an
//! agent or an external program (`program.rs`), reached on the node's own
//! port (a client sends `Connect NAME`, then the connection is the
//! service's) or on a port of its own. Clients list them and find one's
//! endpoint by name through the node (`proto.rs`, `itin endpoints`).
//!
//! What a connection carries, by kind:
//! - program: the program's stdin and stdout;
//! - adapter: lines `ID METHOD ?ARG ...?` (a Tcl list), each answered by a
//!   line `ok RESULT` or `error MESSAGE` (a Tcl list), calls made in turn;
//! - agent: lines to the agent's listening endpoint (`endpoints.rs`): each
//!   arrives as the message `{HANDLE CONN LINE}`, the agent answers with
//!   `resource write HANDLE CONN LINE`.
//!
//! Bounds: connections per service (more are refused: told why when
//! connecting through the node, closed at once on a port of its own),
//! programs running on the node, each connection's lifetime (the service's
//! timeout, then it is closed and its program killed), line length
//! (`endpoints::MAX_LINE`), the TLS handshake time.

pub mod client;
pub mod config;
mod program;
pub mod proto;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use itinerant_core::{AgentId, Runtime};
use itinerant_tcl::list::{format_list, parse_list};
use itinerant_tcl::value::Value;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::process::Child;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use self::config::{Mode, ServiceSpec, ServicesConfig, Target};
use self::program::Program;
use self::proto::{EndpointRow, ServiceReply, ServiceRequest};
use crate::control::{ReplyBody, Response};
use crate::endpoints::{read_line, NodeEndpoints};
use crate::net::tls::{NodeTls, Stream};
use crate::objects::proto::{Call, CallOutcome};
use crate::objects::Objects;

/// Longest one object call of an adapter service may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait for writing the answer to `Connect`, or one line.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// What services reach in the node.
pub struct Context {
    pub node: String,
    pub objects: Arc<Objects>,
    pub endpoints: Arc<NodeEndpoints>,
    pub runtime: Weak<Runtime>,
}

struct Entry {
    spec: ServiceSpec,
    /// Where clients connect: its own port, or the node's.
    address: SocketAddr,
    connections: Arc<Semaphore>,
}

/// The node's services.
pub struct Services {
    ctx: Context,
    tls: Option<Arc<NodeTls>>,
    entries: BTreeMap<String, Arc<Entry>>,
    processes: Arc<Semaphore>,
    max_processes: usize,
    tasks: Mutex<Vec<tokio::task::AbortHandle>>,
}

/// A connection's server, ready before the client is told `Connected`.
enum Session {
    Program(Child, OwnedSemaphorePermit),
    Adapter(String),
    Agent(AgentId, String),
}

fn peer_addr(stream: &Stream) -> Option<SocketAddr> {
    match stream {
        Stream::Plain(s) => s.peer_addr().ok(),
        Stream::Tls(s) => s.get_ref().0.peer_addr().ok(),
    }
}

impl Services {
    /// Binds the services' own ports (on the node's address) and starts
    /// serving them; `config` none: no services. Call from tokio.
    pub fn start(
        config: Option<ServicesConfig>,
        node_addr: SocketAddr,
        tls: Option<Arc<NodeTls>>,
        ctx: Context,
    ) -> Result<Arc<Services>, String> {
        let config = config.unwrap_or(ServicesConfig { services: Vec::new(), max_processes: 1 });
        let mut entries = BTreeMap::new();
        let mut listeners = Vec::new();
        for spec in config.services {
            let address = match spec.port {
                None => node_addr,
                Some(port) => {
                    let l = std::net::TcpListener::bind((node_addr.ip(), port))
                        .map_err(|e| format!("service {}: cannot listen on port {port}: {e}", spec.name))?;
                    l.set_nonblocking(true).map_err(|e| e.to_string())?;
                    let address = l.local_addr().map_err(|e| e.to_string())?;
                    listeners.push((spec.name.clone(), l));
                    address
                }
            };
            let connections = Arc::new(Semaphore::new(spec.max_connections));
            entries.insert(spec.name.clone(), Arc::new(Entry { spec, address, connections }));
        }
        let services = Arc::new(Services {
            ctx,
            tls,
            entries,
            processes: Arc::new(Semaphore::new(config.max_processes)),
            max_processes: config.max_processes,
            tasks: Mutex::new(Vec::new()),
        });
        for (name, listener) in listeners {
            let entry = services.entries[&name].clone();
            let task = match &entry.spec.target {
                Target::Program { argv, mode: Mode::Wait } => {
                    let program = (name.clone(), argv.clone());
                    tokio::spawn(program::wait_loop(listener, program, entry.spec.timeout, services.processes.clone()))
                }
                _ => {
                    let _entered = tokio::runtime::Handle::current().enter();
                    let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
                    tokio::spawn(accept_loop(listener, entry, Arc::downgrade(&services)))
                }
            };
            services.tasks.lock().unwrap_or_else(|e| e.into_inner()).push(task.abort_handle());
        }
        Ok(services)
    }

    /// Stops serving the services' own ports (the node stops).
    pub fn stop(&self) {
        for t in self.tasks.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
            t.abort();
        }
    }

    pub fn rows(&self) -> Vec<EndpointRow> {
        self.entries.values().map(|e| row(e)).collect()
    }

    /// `List` and `Endpoint` (`Connect` is served by `connect`).
    pub fn handle(&self, req: ServiceRequest) -> Result<ServiceReply, String> {
        match req {
            ServiceRequest::List => Ok(ServiceReply::Endpoints(self.rows())),
            ServiceRequest::Endpoint { name } => self.entry(&name).map(|e| ServiceReply::Endpoint(row(e))),
            ServiceRequest::Connect { .. } => Err("connect is served by the connection".into()),
        }
    }

    fn entry(&self, name: &str) -> Result<&Arc<Entry>, String> {
        self.entries.get(name).ok_or_else(|| format!("node {} has no service \"{name}\"", self.ctx.node))
    }

    /// Serves a client's `Connect NAME` (request `id`) on the node's
    /// port: answers it, then hands the connection to the service.
    pub async fn connect(self: &Arc<Self>, mut stream: Stream, id: u64, name: &str) -> Result<(), String> {
        let remote = peer_addr(&stream);
        let ready = self.entry(name).and_then(|entry| {
            if let Target::Program { mode: Mode::Wait, .. } = entry.spec.target {
                return Err(format!("service {name} is a wait service: connect to its port {}", entry.address));
            }
            let permit = entry.connections.clone().try_acquire_owned().map_err(|_| {
                format!("service {name} has its {} connections open; try again later", entry.spec.max_connections)
            })?;
            Ok((entry.clone(), permit, self.prepare(entry, remote)?))
        });
        let result = match &ready {
            Ok(_) => Ok(ReplyBody::Service(ServiceReply::Connected)),
            Err(why) => Err(why.clone()),
        };
        let answer = Response { id, result };
        let written = tokio::time::timeout(WRITE_TIMEOUT, stream.write_all(&answer.frame().encode())).await;
        let (entry, _permit, session) = ready?;
        written.map_err(|_| "client does not read".to_string())?.map_err(|e| e.to_string())?;
        self.run(&entry, session, stream, remote).await
    }

    /// Makes what will serve one connection of `entry`.
    fn prepare(&self, entry: &Entry, remote: Option<SocketAddr>) -> Result<Session, String> {
        let name = &entry.spec.name;
        match &entry.spec.target {
            Target::Program { argv, .. } => {
                let permit = self.processes.clone().try_acquire_owned().map_err(|_| {
                    format!("service {name}: node {} runs its {} programs already", self.ctx.node, self.max_processes)
                })?;
                let child = Program { service: name, argv, remote }.spawn_piped()?;
                Ok(Session::Program(child, permit))
            }
            Target::Adapter(adapter) => Ok(Session::Adapter(adapter.clone())),
            Target::Agent { name: agent, handle } => {
                let rt = self.ctx.runtime.upgrade().ok_or("the node is stopping")?;
                let id = rt
                    .lookup(agent)
                    .ok_or_else(|| format!("service {name}: no agent \"{agent}\" on node {}", self.ctx.node))?;
                let handle =
                    self.ctx.endpoints.find(&id, handle.as_deref()).map_err(|e| format!("service {name}: {e}"))?;
                Ok(Session::Agent(id, handle))
            }
        }
    }

    /// Serves one connection with `session`, within the service's timeout.
    async fn run<S>(&self, entry: &Entry, session: Session, stream: S, remote: Option<SocketAddr>) -> Result<(), String>
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let lifetime = entry.spec.timeout;
        match session {
            Session::Program(child, _permit) => program::relay(stream, child, lifetime).await,
            Session::Adapter(adapter) => {
                let who = format!("service:{}:{}", entry.spec.name, remote.map(|r| r.to_string()).unwrap_or_default());
                let served = serve_calls(&self.ctx, &adapter, &who, stream);
                tokio::time::timeout(lifetime, served).await.unwrap_or_else(|_| Err("connection too long".into()))
            }
            Session::Agent(id, handle) => {
                let task = self.ctx.endpoints.attach(&id, &handle, stream)?;
                let abort = task.abort_handle();
                match tokio::time::timeout(lifetime, task).await {
                    Ok(_) => Ok(()),
                    Err(_) => {
                        abort.abort();
                        Err("connection too long".into())
                    }
                }
            }
        }
    }

    /// One connection accepted on `entry`'s own port.
    async fn accepted(&self, entry: &Entry, tcp: tokio::net::TcpStream, remote: SocketAddr) -> Result<(), String> {
        let _ = tcp.set_nodelay(true);
        let stream = match &self.tls {
            Some(tls) => tls.accept(tcp).await?.0,
            // inetd proper: a plain socket is the program's own stdin and stdout.
            None if matches!(entry.spec.target, Target::Program { .. }) => {
                let Target::Program { argv, .. } = &entry.spec.target else { unreachable!() };
                let _permit = match self.processes.clone().try_acquire_owned() {
                    Ok(p) => p,
                    Err(_) => {
                        return Err(format!("node {} runs its {} programs already", self.ctx.node, self.max_processes))
                    }
                };
                let program = Program { service: &entry.spec.name, argv, remote: Some(remote) };
                return program.hand_socket(tcp, entry.spec.timeout).await;
            }
            None => Stream::Plain(tcp),
        };
        match self.prepare(entry, Some(remote)) {
            Ok(session) => self.run(entry, session, stream, Some(remote)).await,
            Err(why) => {
                let mut stream = stream;
                let line = format!("itin: {why}\n");
                let _ = tokio::time::timeout(WRITE_TIMEOUT, stream.write_all(line.as_bytes())).await;
                let _ = tokio::time::timeout(WRITE_TIMEOUT, stream.shutdown()).await;
                Err(why)
            }
        }
    }
}

fn row(e: &Entry) -> EndpointRow {
    EndpointRow {
        name: e.spec.name.clone(),
        kind: e.spec.target.kind().to_owned(),
        target: e.spec.target.describe(),
        address: e.address.to_string(),
        own_port: e.spec.port.is_some(),
    }
}

/// Accepts the connections of a service's own port.
async fn accept_loop(listener: tokio::net::TcpListener, entry: Arc<Entry>, services: Weak<Services>) {
    loop {
        let (tcp, remote) = match listener.accept().await {
            Ok(a) => a,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Over the limit: closed at once.
        let Ok(permit) = entry.connections.clone().try_acquire_owned() else { continue };
        let Some(services) = services.upgrade() else { return };
        let entry = entry.clone();
        tokio::spawn(async move {
            let _permit = permit;
            if let Err(why) = services.accepted(&entry, tcp, remote).await {
                tracing::warn!(node = %services.ctx.node, "service {} ({remote}): {why}", entry.spec.name);
            }
        });
    }
}

/// An adapter service's connection: one call per line, answered in turn.
async fn serve_calls<S>(ctx: &Context, adapter: &str, session: &str, stream: S) -> Result<(), String>
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (read, mut write) = tokio::io::split(stream);
    let mut lines = BufReader::new(read);
    let mut line = Vec::new();
    while read_line(&mut lines, &mut line).await.map_err(|e| e.to_string())? {
        let text = String::from_utf8_lossy(&line).trim_end_matches(['\n', '\r']).to_owned();
        if text.trim().is_empty() {
            continue;
        }
        let (status, value) = match call_line(ctx, adapter, session, &text).await {
            Ok(result) => ("ok", result),
            Err(why) => ("error", why),
        };
        let mut answer = format_list(&[Value::from(status), Value::from(value.as_str())]);
        answer.push('\n');
        match tokio::time::timeout(WRITE_TIMEOUT, write.write_all(answer.as_bytes())).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err("client does not read".into()),
        }
    }
    Ok(())
}

/// `ID METHOD ?ARG ...?` called on object ID of `adapter`.
async fn call_line(ctx: &Context, adapter: &str, session: &str, text: &str) -> Result<String, String> {
    // Values are not Send: strings before the call waits.
    let words: Vec<String> = match parse_list(text) {
        Ok(words) => words.iter().map(|w| w.as_str().into_owned()).collect(),
        Err(e) => return Err(e.0.value.as_str().into_owned()),
    };
    let [id, method, args @ ..] = &words[..] else {
        return Err("a line is: ID METHOD ?ARG ...?".into());
    };
    let call = Call {
        target: format!("itin://{}/{adapter}/{id}", ctx.node),
        method: method.clone(),
        args: args.to_vec(),
        session: session.to_owned(),
        timeout_ms: CALL_TIMEOUT.as_millis() as u64,
        ..Call::default()
    };
    match ctx.objects.call(call, true).await {
        CallOutcome::Ok(r) => Ok(r),
        CallOutcome::Err(e) | CallOutcome::Unavailable(e) => Err(e),
        CallOutcome::Moved(to) => Err(format!("moved to {to}")),
    }
}
