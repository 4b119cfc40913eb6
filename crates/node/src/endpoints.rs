//! Listening endpoints agents bind (`resource listen`): TCP listeners on
//! the node's address whose connections speak lines. Each line that
//! arrives goes to the agent as a message `{HANDLE CONN LINE}` through
//! `Runtime::send`, so it follows an agent that moved on (the endpoint
//! bound by identifier stays here: a global reference); the agent answers
//! on a connection with `resource write HANDLE CONN LINE`, served here
//! wherever the agent is.
//!
//! Bounds: endpoints per node, connections per endpoint, line length, a
//! queue of lines to write per connection, an idle timeout per connection
//! and a write timeout.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use itinerant_core::{AgentId, Endpoints, Runtime};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Most endpoints open on one node.
pub const MAX_ENDPOINTS: usize = 256;
/// Most connections open on one endpoint; more are closed at once.
pub const MAX_CONNECTIONS: usize = 32;
/// Longest line read or written (bytes, without the newline).
pub const MAX_LINE: usize = 64 * 1024;
/// Lines waiting to be written on one connection.
const WRITE_QUEUE: usize = 64;
/// A connection silent this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

type Key = (AgentId, String);
type Writers = Arc<Mutex<HashMap<u64, mpsc::Sender<String>>>>;

struct Listener {
    addr: SocketAddr,
    writers: Writers,
    /// The accept loop; aborting it drops its connections too.
    task: tokio::task::AbortHandle,
    /// Connections handed over by a service (`attach`), closed with it.
    attached: Vec<tokio::task::AbortHandle>,
}

impl Listener {
    fn abort(&self) {
        self.task.abort();
        self.attached.iter().for_each(|t| t.abort());
    }
}

/// The node's endpoints, handed to the runtime (`Runtime::set_endpoints`).
pub struct NodeEndpoints {
    tokio: tokio::runtime::Handle,
    host: IpAddr,
    runtime: Weak<Runtime>,
    open: Mutex<HashMap<Key, Listener>>,
    next_conn: Arc<AtomicU64>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl NodeEndpoints {
    /// Endpoints on `host` (the node's listening address), run on `tokio`.
    pub fn new(tokio: tokio::runtime::Handle, host: IpAddr, runtime: Weak<Runtime>) -> NodeEndpoints {
        NodeEndpoints { tokio, host, runtime, open: Mutex::new(HashMap::new()), next_conn: Arc::new(AtomicU64::new(1)) }
    }

    /// How many are open.
    pub fn count(&self) -> usize {
        lock(&self.open).len()
    }

    /// Closes every endpoint (the node stops).
    pub fn close_all(&self) {
        for (_, l) in lock(&self.open).drain() {
            l.abort();
        }
    }

    /// The handle of `agent`'s endpoint here: `handle` if it is open,
    /// else its only one.
    pub fn find(&self, agent: &AgentId, handle: Option<&str>) -> Result<String, String> {
        let open = lock(&self.open);
        let mut mine = open.keys().filter(|(a, _)| a == agent).map(|(_, h)| h.as_str());
        match (handle, mine.next(), mine.next()) {
            (Some(h), _, _) if open.contains_key(&(agent.clone(), h.to_owned())) => Ok(h.to_owned()),
            (Some(h), _, _) => Err(format!("agent {agent} has no endpoint {h} open here")),
            (None, Some(h), None) => Ok(h.to_owned()),
            (None, None, _) => Err(format!("agent {agent} listens on no endpoint here (resource listen)")),
            (None, Some(_), Some(_)) => Err(format!("agent {agent} has several endpoints: name one (handle)")),
        }
    }

    /// Serves `stream` (a connection a service handed over) as one more
    /// connection of the endpoint `handle` of `agent`: its lines go to
    /// the agent, which answers with `resource write HANDLE CONN LINE`.
    pub fn attach<S>(&self, agent: &AgentId, handle: &str, stream: S) -> Result<tokio::task::JoinHandle<()>, String>
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let key = (agent.clone(), handle.to_owned());
        let mut open = lock(&self.open);
        let l = open.get_mut(&key).ok_or_else(|| format!("agent {agent} has no endpoint {handle} open here"))?;
        l.attached.retain(|t| !t.is_finished());
        if l.attached.len() >= MAX_CONNECTIONS {
            return Err(format!("endpoint {handle} of agent {agent} has {MAX_CONNECTIONS} connections"));
        }
        let conn = self.next_conn.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(WRITE_QUEUE);
        lock(&l.writers).insert(conn, tx);
        let task = self.tokio.spawn(serve(stream, key, conn, self.runtime.clone(), rx, l.writers.clone()));
        l.attached.push(task.abort_handle());
        Ok(task)
    }
}

impl Endpoints for NodeEndpoints {
    fn open(&self, agent: &AgentId, handle: &str, port: u16) -> Result<String, String> {
        let key = (agent.clone(), handle.to_owned());
        let mut open = lock(&self.open);
        if let Some(l) = open.get(&key) {
            return Ok(l.addr.to_string());
        }
        if open.len() >= MAX_ENDPOINTS {
            return Err(format!("this node has {MAX_ENDPOINTS} endpoints open"));
        }
        let std_listener = std::net::TcpListener::bind((self.host, port)).map_err(|e| e.to_string())?;
        std_listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let addr = std_listener.local_addr().map_err(|e| e.to_string())?;
        let _entered = self.tokio.enter();
        let listener = TcpListener::from_std(std_listener).map_err(|e| e.to_string())?;
        let writers = Writers::default();
        let task = self
            .tokio
            .spawn(accept_loop(listener, key.clone(), self.runtime.clone(), writers.clone(), self.next_conn.clone()))
            .abort_handle();
        open.insert(key, Listener { addr, writers, task, attached: Vec::new() });
        Ok(addr.to_string())
    }

    fn address(&self, agent: &AgentId, handle: &str) -> Result<String, String> {
        match lock(&self.open).get(&(agent.clone(), handle.to_owned())) {
            Some(l) => Ok(l.addr.to_string()),
            None => Err(format!("endpoint {handle} of agent {agent} is not open")),
        }
    }

    fn write(&self, agent: &AgentId, handle: &str, conn: u64, line: &str) -> Result<(), String> {
        if line.len() > MAX_LINE || line.contains('\n') {
            return Err(format!("a line is one line of at most {MAX_LINE} bytes"));
        }
        let writer = {
            let open = lock(&self.open);
            let l = open
                .get(&(agent.clone(), handle.to_owned()))
                .ok_or_else(|| format!("endpoint {handle} of agent {agent} is not open"))?;
            let writers = lock(&l.writers);
            writers.get(&conn).cloned().ok_or_else(|| format!("endpoint {handle} has no connection {conn}"))?
        };
        writer.try_send(line.to_owned()).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => format!("connection {conn} is not reading"),
            mpsc::error::TrySendError::Closed(_) => format!("connection {conn} is closed"),
        })
    }

    fn close(&self, agent: &AgentId, handle: &str) {
        if let Some(l) = lock(&self.open).remove(&(agent.clone(), handle.to_owned())) {
            l.abort();
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    key: Key,
    runtime: Weak<Runtime>,
    writers: Writers,
    next_conn: Arc<AtomicU64>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                if conns.len() >= MAX_CONNECTIONS {
                    continue; // dropped: closed at once
                }
                let conn = next_conn.fetch_add(1, Ordering::Relaxed);
                let (tx, rx) = mpsc::channel(WRITE_QUEUE);
                lock(&writers).insert(conn, tx);
                conns.spawn(serve(stream, key.clone(), conn, runtime.clone(), rx, writers.clone()));
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

/// One connection: its lines to the agent, the agent's lines back.
async fn serve<S: AsyncRead + AsyncWrite + Send + 'static>(
    stream: S,
    key: Key,
    conn: u64,
    runtime: Weak<Runtime>,
    mut to_write: mpsc::Receiver<String>,
    writers: Writers,
) {
    let (read, mut write) = tokio::io::split(stream);
    let (agent, handle) = key;
    let reader = async {
        let mut lines = BufReader::new(read);
        let mut line = Vec::new();
        while let Ok(Ok(true)) = tokio::time::timeout(IDLE_TIMEOUT, read_line(&mut lines, &mut line)).await {
            let text = String::from_utf8_lossy(&line).trim_end_matches(['\n', '\r']).to_owned();
            let Some(rt) = runtime.upgrade() else { return };
            if rt.endpoint_line(&agent, &handle, conn, &text).is_err() {
                return;
            }
        }
    };
    let writer = async {
        while let Some(out) = to_write.recv().await {
            let mut bytes = out.into_bytes();
            bytes.push(b'\n');
            if !matches!(tokio::time::timeout(WRITE_TIMEOUT, write.write_all(&bytes)).await, Ok(Ok(()))) {
                return;
            }
        }
    };
    tokio::select! {
        () = reader => {}
        () = writer => {}
    }
    lock(&writers).remove(&conn);
}

/// Reads one line into `line` (true), within `MAX_LINE`; false at the end
/// of the stream; an error for a longer line.
pub(crate) async fn read_line<R: tokio::io::AsyncBufRead + Unpin>(
    r: &mut R,
    line: &mut Vec<u8>,
) -> std::io::Result<bool> {
    line.clear();
    let n = (&mut *r).take(MAX_LINE as u64 + 1).read_until(b'\n', line).await?;
    if n == 0 {
        return Ok(false);
    }
    if line.len() > MAX_LINE && line.last() != Some(&b'\n') {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "line too long"));
    }
    Ok(true)
}
