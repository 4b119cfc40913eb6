//! The client commands (`itin submit`, `agents`, `agent ...`, `send`, `df
//! search`, `nodes`, `node drain|undrain`, `lib publish`, `lib list`): one blocking connection to a running node's port,
//! speaking the control protocol of `itinerant_node::control`, and the
//! printing of what comes back.
//!
//! The connection runs over mutual TLS with the credentials of `--certs
//! DIR` or `ITIN_CERTS` (`DIR/clients/admin.*`, or `ITIN_CLIENT`'s name);
//! without them, plain TCP, to a loopback node only (one started with
//! `--insecure-loopback`).
//!
//! Exit codes: 0 success; 1 the request was refused, the node could not be
//! reached, or (`submit --wait`) the agent failed; 2 a usage error (clap's
//! own, or no node given).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use itinerant_core::library::MAX_LIBRARY_BYTES;
use itinerant_node::control::{
    AgentRow, ClientHello, Ending, ReplyBody, Request, RequestBody, Response, KIND_RESPONSE, MAX_SCRIPT_BYTES,
    MAX_VARS, MIGRATE_WAIT, PROTOCOL_VERSION,
};
use itinerant_node::net::frame::{FrameDecoder, DEFAULT_MAX_PAYLOAD};
use itinerant_node::net::tls::{self, Credentials};
use itinerant_node::placement::DrainReport;
use itinerant_node::signed::OwnerRequest;
use serde::Serialize;

use crate::progress;

/// Longest wait for the TCP connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for one response.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);
/// The answer to a wasm submit: instrumenting (at most 60 s) and compiling.
const WASM_SUBMIT_TIMEOUT: Duration = Duration::from_secs(90);
/// How often `--wait` and `--follow` ask for new console text.
const POLL_EVERY: Duration = Duration::from_millis(50);

/// A failure, with the exit code it gives.
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure { code: 1, message }
    }
}

/// Reports a command's result: prints the failure, if any, to stderr.
pub fn exit(r: Result<ExitCode, Failure>) -> ExitCode {
    match r {
        Ok(code) => code,
        Err(f) => {
            eprintln!("itin: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// The node to talk to: `--node`, else `ITIN_NODE`.
pub fn node_address(flag: Option<String>) -> Result<String, Failure> {
    flag.or_else(|| std::env::var("ITIN_NODE").ok())
        .filter(|a| !a.trim().is_empty())
        .ok_or_else(|| Failure { code: 2, message: "no node given: use --node HOST:PORT or set ITIN_NODE".into() })
}

/// The credentials directory for this process: `--certs`, else `ITIN_CERTS`.
static CERTS: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Sets where the client's credentials are (`--certs`; none: `ITIN_CERTS`).
pub fn use_certs(flag: Option<PathBuf>) {
    let dir = flag.or_else(|| std::env::var_os("ITIN_CERTS").filter(|d| !d.is_empty()).map(PathBuf::from));
    let _ = CERTS.set(dir);
}

/// The cluster directory the client's credentials come from, if any.
pub fn certs_dir() -> Option<PathBuf> {
    CERTS.get_or_init(|| None).clone()
}

/// The first address `node` (HOST:PORT) resolves to.
pub fn resolve(node: &str) -> Result<SocketAddr, String> {
    node.to_socket_addrs()
        .map_err(|e| format!("bad node address \"{node}\": {e}"))?
        .next()
        .ok_or_else(|| format!("\"{node}\" resolves to no address"))
}

/// The TLS configuration of this client, if it has credentials.
pub fn tls_config() -> Result<Option<Arc<rustls::ClientConfig>>, String> {
    let Some(dir) = CERTS.get_or_init(|| None) else {
        return Ok(None);
    };
    let name = std::env::var("ITIN_CLIENT").ok().filter(|n| !n.is_empty()).unwrap_or_else(|| "admin".into());
    let creds = Credentials::client_in(dir, &name).map_err(|e| format!("client credentials: {e}"))?;
    tls::client_config(&creds).map(Some).map_err(|e| format!("client credentials in {}: {e}", dir.display()))
}

/// The connection: mutual TLS, or plain TCP to a loopback node.
enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Conn {
    fn tcp(&self) -> &TcpStream {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(s) => &s.sock,
        }
    }

    /// Makes the connection over `tcp`: the TLS handshake, within `CONNECT_TIMEOUT`.
    fn open(tcp: TcpStream, tls: Option<&Arc<rustls::ClientConfig>>, addr: SocketAddr) -> Result<Conn, String> {
        let Some(config) = tls else {
            if !addr.ip().is_loopback() {
                return Err(format!(
                    "no client credentials for node at {addr}: give --certs DIR or set ITIN_CERTS \
                     (plain TCP only to a node on loopback)"
                ));
            }
            return Ok(Conn::Plain(tcp));
        };
        let name = rustls::pki_types::ServerName::try_from(tls::CLIENT_SERVER_NAME).map_err(|e| e.to_string())?;
        let mut conn = rustls::ClientConnection::new(config.clone(), name).map_err(|e| e.to_string())?;
        tcp.set_read_timeout(Some(CONNECT_TIMEOUT)).map_err(|e| e.to_string())?;
        let mut tcp = tcp;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp).map_err(|e| format!("TLS handshake with node at {addr} failed: {e}"))?;
        }
        Ok(Conn::Tls(Box::new(rustls::StreamOwned::new(conn, tcp))))
    }
}

impl Drop for Conn {
    /// Ends a TLS connection properly, so the node logs no truncation.
    fn drop(&mut self) {
        if let Conn::Tls(s) = self {
            s.conn.send_close_notify();
            while s.conn.wants_write() {
                if s.conn.write_tls(&mut s.sock).is_err() {
                    break;
                }
            }
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// One connection to a node.
pub struct Client {
    stream: Conn,
    decoder: FrameDecoder,
    next_id: u64,
    addr: SocketAddr,
}

impl Client {
    /// Connects to `node` (HOST:PORT) and says hello.
    pub fn connect(node: &str) -> Result<Client, String> {
        let addrs: Vec<SocketAddr> =
            node.to_socket_addrs().map_err(|e| format!("bad node address \"{node}\": {e}"))?.collect();
        let tls = tls_config()?;
        let mut last_error = format!("\"{node}\" resolves to no address");
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    stream.set_write_timeout(Some(RESPONSE_TIMEOUT)).map_err(|e| e.to_string())?;
                    let stream = Conn::open(stream, tls.as_ref(), addr)?;
                    let mut client =
                        Client { stream, decoder: FrameDecoder::new(DEFAULT_MAX_PAYLOAD), next_id: 1, addr };
                    let hello = ClientHello {
                        version: PROTOCOL_VERSION,
                        client: format!("itin {}", env!("CARGO_PKG_VERSION")),
                    };
                    client.write(&hello.frame().encode())?;
                    client.sign_in();
                    return Ok(client);
                }
                Err(e) => last_error = format!("cannot connect to node at {addr}: {e}"),
            }
        }
        Err(last_error)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.stream
            .write_all(bytes)
            .and_then(|()| self.stream.flush())
            .map_err(|e| format!("writing to node at {}: {e}{}", self.addr, self.plain_hint()))
    }

    /// Sends one request and waits (at most `RESPONSE_TIMEOUT`) for its answer.
    pub fn call(&mut self, body: RequestBody) -> Result<ReplyBody, String> {
        self.call_within(body, RESPONSE_TIMEOUT)
    }

    /// `call`, waiting at most `timeout` for the answer.
    pub fn call_within(&mut self, body: RequestBody, timeout: Duration) -> Result<ReplyBody, String> {
        let id = self.next_id;
        self.next_id += 1;
        self.write(&Request { id, body }.frame().encode())?;
        self.answer(id, timeout)
    }

    /// `call` for a request that may be large (a submit, a library): on a
    /// terminal, a bar shows the bytes sent (`progress::upload_bar`), then
    /// a spinner until the node answers.
    pub fn call_uploading(&mut self, body: RequestBody, what: &str) -> Result<ReplyBody, String> {
        self.call_uploading_within(body, what, RESPONSE_TIMEOUT)
    }

    /// `call_uploading`, waiting at most `timeout` for the answer.
    pub fn call_uploading_within(
        &mut self,
        body: RequestBody,
        what: &str,
        timeout: Duration,
    ) -> Result<ReplyBody, String> {
        let id = self.next_id;
        self.next_id += 1;
        let bytes = Request { id, body }.frame().encode();
        let Some(bar) = progress::upload_bar(bytes.len(), what) else {
            self.write(&bytes)?;
            return self.answer(id, timeout);
        };
        let written =
            progress::write_in_pieces(&mut self.stream, &bytes, progress::UPLOAD_PIECE, |n| bar.set_position(n))
                .map_err(|e| format!("writing to node at {}: {e}{}", self.addr, self.plain_hint()));
        if written.is_ok() {
            progress::awaiting_answer(&bar);
        }
        let answer = written.and_then(|()| self.answer(id, timeout));
        bar.finish_and_clear();
        answer
    }

    /// Waits (at most `timeout`) for the answer to request `id`.
    fn answer(&mut self, id: u64, timeout: Duration) -> Result<ReplyBody, String> {
        let deadline = Instant::now() + timeout;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!("no answer from node at {} within {timeout:?}", self.addr));
            }
            self.stream.tcp().set_read_timeout(Some(left)).map_err(|e| e.to_string())?;
            let n = match self.stream.read(&mut buf) {
                Ok(0) => return Err(format!("node at {} closed the connection{}", self.addr, self.plain_hint())),
                Ok(n) => n,
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => continue,
                Err(e) => return Err(format!("reading from node at {}: {e}{}", self.addr, self.plain_hint())),
            };
            let frames =
                self.decoder.push(&buf[..n]).map_err(|e| format!("bad answer from node: {e}{}", self.plain_hint()))?;
            // One request is outstanding at a time: the first frame answers it.
            if let Some(frame) = frames.into_iter().next() {
                if frame.kind != KIND_RESPONSE {
                    return Err(format!("bad answer from node: frame of kind {}", frame.kind));
                }
                let response = Response::decode(&frame.payload).map_err(|e| format!("bad answer from node: {e}"))?;
                return match response {
                    Response { id: got, result } if got == id => result,
                    // The node refused the hello (id 0) before our request.
                    Response { id: 0, result: Err(e) } => Err(e),
                    Response { id: got, .. } => Err(format!("node answered request {got}, expected {id}")),
                };
            }
        }
    }
}

impl Client {
    /// Under TLS, acts as the owner whose key the CLI has (`key::choose`):
    /// signs this connection's channel binding, so a node's policy lets it
    /// act on that owner's agents (or on all, for an operator). Without a
    /// key, or refused, the connection acts for nobody, which may still
    /// look and submit; the node says why when a later request needs more.
    fn sign_in(&mut self) {
        let Conn::Tls(tls) = &self.stream else { return };
        let Some(key) = crate::key::choose(None, certs_dir().as_deref()).and_then(|k| crate::key::read(&k).ok()) else {
            return;
        };
        let Ok(binding) = itinerant_node::net::tls::export_binding(&tls.conn) else { return };
        let signature = key.sign_session(&binding);
        let _ = self.call(RequestBody::Owner(OwnerRequest::Authenticate { owner: key.owner(), signature }));
    }

    /// What to add to an error of a plain connection: the node may want TLS.
    fn plain_hint(&self) -> &'static str {
        match self.stream {
            Conn::Plain(_) => " (if the node runs with TLS, give --certs DIR or set ITIN_CERTS)",
            Conn::Tls(_) => "",
        }
    }
}

pub fn unexpected(reply: ReplyBody) -> String {
    format!("unexpected answer from node: {reply:?}")
}

/// "k=v" into a pair.
pub fn parse_pair(what: &str, s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("bad {what} \"{s}\": expected KEY=VALUE")),
    }
}

/// A script file of at most `limit` bytes.
fn read_script(file: &str, limit: usize) -> Result<String, String> {
    let meta = std::fs::metadata(file).map_err(|e| format!("couldn't read \"{file}\": {e}"))?;
    if meta.len() > limit as u64 {
        return Err(format!("\"{file}\" is larger than {limit} bytes"));
    }
    let mut text = String::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(limit as u64 + 1).read_to_string(&mut text))
        .map_err(|e| format!("couldn't read \"{file}\": {e}"))?;
    if text.len() > limit {
        return Err(format!("\"{file}\" is larger than {limit} bytes"));
    }
    Ok(text)
}

pub struct SubmitArgs {
    pub node: String,
    pub file: String,
    pub name: Option<String>,
    pub vars: Vec<String>,
    pub wait: bool,
    pub timeout: Option<u64>,
    /// The owner key file to sign with (none: unsigned).
    pub key: Option<std::path::PathBuf>,
}

/// `itin submit`: prints the new agent's id; with `--wait`, streams its
/// console instead and exits with its result.
pub fn submit(a: SubmitArgs) -> Result<ExitCode, Failure> {
    let wasm = a.file.ends_with(".wasm");
    let request = if wasm { wasm_submission(&a)? } else { tcl_submission(&a)? };
    // A module is instrumented (wasm-opt, at most 60 s) and compiled first.
    let timeout = if wasm { WASM_SUBMIT_TIMEOUT } else { RESPONSE_TIMEOUT };
    let mut client = Client::connect(&a.node)?;
    let id = match client.call_uploading_within(request, "submit", timeout)? {
        ReplyBody::Submitted { id } => id,
        other => return Err(unexpected(other).into()),
    };
    if !a.wait {
        println!("{id}");
        return Ok(ExitCode::SUCCESS);
    }
    match stream_console(&mut client, &id, a.timeout)? {
        Ok(result) => {
            if !result.is_empty() {
                println!("{result}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error_info) => {
            eprintln!("{error_info}");
            Ok(ExitCode::from(1))
        }
    }
}

/// A WebAssembly agent (`FILE.wasm`): the module, signed by its hash.
fn wasm_submission(a: &SubmitArgs) -> Result<RequestBody, Failure> {
    use itinerant_node::wasm_code::{submission_script, WasmRequest};
    let vars = a.vars.iter().map(|v| parse_pair("--var", v)).collect::<Result<Vec<_>, _>>()?;
    let limit = itinerant_wasm::instrument::MAX_MODULE_BYTES;
    let meta = std::fs::metadata(&a.file).map_err(|e| format!("couldn't read \"{}\": {e}", a.file))?;
    if meta.len() > limit as u64 {
        return Err(format!("\"{}\" is larger than {limit} bytes", a.file).into());
    }
    let module = std::fs::read(&a.file).map_err(|e| format!("couldn't read \"{}\": {e}", a.file))?;
    let credential = match &a.key {
        Some(path) => {
            let key = crate::key::read(path)?;
            let submission = itinerant_core::Submission::now(submission_script(&module), a.name.clone(), vars.clone())?;
            Some(Box::new(key.sign(submission)))
        }
        None => None,
    };
    Ok(RequestBody::Wasm(WasmRequest::Submit { module, name: a.name.clone(), vars, credential }))
}

/// An Agent Tcl agent from its script.
fn tcl_submission(a: &SubmitArgs) -> Result<RequestBody, Failure> {
    let script = read_script(&a.file, MAX_SCRIPT_BYTES)?;
    let vars = a.vars.iter().map(|v| parse_pair("--var", v)).collect::<Result<Vec<_>, _>>()?;
    if vars.len() > MAX_VARS {
        return Err(format!("more than {MAX_VARS} --var").into());
    }
    Ok(match &a.key {
        Some(path) => {
            let key = crate::key::read(path)?;
            let credential = key.sign(itinerant_core::Submission::now(script, a.name.clone(), vars)?);
            RequestBody::Owner(OwnerRequest::SignedSubmit(Box::new(credential)))
        }
        None => RequestBody::Submit { script, name: a.name.clone(), vars },
    })
}

/// Prints an agent's console from the start as it grows, until the agent
/// ends (its ending) or `timeout_secs` pass (an error).
fn stream_console(client: &mut Client, id: &str, timeout_secs: Option<u64>) -> Result<Ending, String> {
    let deadline = timeout_secs.map(|s| Instant::now() + Duration::from_secs(s));
    let mut from = 0;
    let mut ends_with_newline = true;
    let stdout = std::io::stdout();
    loop {
        let (text, next, missed, ending) = match client.call(RequestBody::Logs { id: id.to_owned(), from })? {
            ReplyBody::Logs { text, next, missed, ending, .. } => (text, next, missed, ending),
            other => return Err(unexpected(other)),
        };
        if missed > 0 {
            eprintln!("itin: [{missed} bytes of console output were dropped]");
        }
        if !text.is_empty() {
            let mut out = stdout.lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            ends_with_newline = text.ends_with('\n');
        }
        let caught_up = next == from;
        from = next;
        if let Some(ending) = ending {
            // The result goes on a line of its own.
            if !ends_with_newline && matches!(&ending, Ok(r) if !r.is_empty()) {
                println!();
            }
            return Ok(ending);
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(format!("agent {id} still running after {} s", timeout_secs.unwrap_or(0)));
        }
        // Ask again at once while there is more text to fetch.
        if caught_up || text.is_empty() {
            std::thread::sleep(POLL_EVERY);
        }
    }
}

#[derive(Serialize)]
struct AgentJson<'a> {
    id: &'a str,
    name: Option<&'a str>,
    state: &'a str,
    /// tcl or wasm; null when the node does not know it.
    language: Option<&'a str>,
    mailbox: u64,
    age_ms: u64,
    console_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

impl<'a> AgentJson<'a> {
    fn new(r: &'a AgentRow, ending: Option<&'a Ending>) -> AgentJson<'a> {
        AgentJson {
            id: &r.id,
            name: r.name.as_deref(),
            state: &r.state,
            language: Some(r.language.as_str()).filter(|l| !l.is_empty()),
            mailbox: r.mailbox,
            age_ms: r.age_ms,
            console_bytes: r.console_len,
            result: ending.and_then(|e| e.as_ref().ok()).map(String::as_str),
            error: ending.and_then(|e| e.as_ref().err()).map(String::as_str),
        }
    }
}

pub fn print_json<T: Serialize>(value: &T) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(())
}

/// "42s", "3m07s", "2h05m", "4d03h".
pub fn format_age(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        3600..86400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{:02}h", s / 86400, s % 86400 / 3600),
    }
}

/// Rows of cells as columns padded to their widest cell.
/// `items` as JSON, or as a table under `header` with one row per item.
pub fn print_rows<T: Serialize>(
    json: bool,
    items: &[T],
    header: &[&str],
    row: impl Fn(&T) -> Vec<String>,
) -> Result<(), String> {
    if json {
        return print_json(&items);
    }
    let cells: Vec<Vec<String>> = items.iter().map(row).collect();
    print_table(header, &cells);
    Ok(())
}

pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  "));
            }
        }
        println!("{}", out.trim_end());
    };
    line(header.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
}

/// `itin agents`.
pub fn agents(node: &str, json: bool) -> Result<ExitCode, Failure> {
    let mut client = Client::connect(node)?;
    show_agents(&mut client, json)
}

/// How `itin agents --watch` refreshes.
pub struct Watch {
    pub every: Duration,
    /// Stop after this many refreshes (none: until interrupted).
    pub count: Option<u64>,
}

/// `itin agents --watch`: the table again every `every`, on a cleared
/// terminal (or one table after another when stdout is not a terminal),
/// over one connection.
pub fn watch_agents(node: &str, json: bool, watch: Watch) -> Result<ExitCode, Failure> {
    use std::io::IsTerminal;
    let terminal = std::io::stdout().is_terminal();
    let mut client = Client::connect(node)?;
    let mut shown = 0u64;
    loop {
        if terminal {
            // Home, clear screen.
            print!("\x1b[H\x1b[2J");
            println!("itin agents on {node}, every {:?} (Ctrl-C to stop)\n", watch.every);
        }
        show_agents(&mut client, json)?;
        shown += 1;
        if watch.count.is_some_and(|n| shown >= n) {
            return Ok(ExitCode::SUCCESS);
        }
        if !terminal {
            println!();
        }
        std::io::Write::flush(&mut std::io::stdout()).map_err(|e| e.to_string())?;
        std::thread::sleep(watch.every);
    }
}

fn show_agents(client: &mut Client, json: bool) -> Result<ExitCode, Failure> {
    let rows = match client.call(RequestBody::Agents)? {
        ReplyBody::Agents(rows) => rows,
        other => return Err(unexpected(other).into()),
    };
    if json {
        print_json(&rows.iter().map(|r| AgentJson::new(r, None)).collect::<Vec<_>>())?;
    } else {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.id.clone(),
                    r.name.clone().unwrap_or_else(|| "-".into()),
                    r.state.clone(),
                    if r.language.is_empty() { "-".into() } else { r.language.clone() },
                    r.mailbox.to_string(),
                    format_age(r.age_ms),
                ]
            })
            .collect();
        print_table(&["ID", "NAME", "STATE", "LANG", "MAILBOX", "AGE"], &cells);
    }
    Ok(ExitCode::SUCCESS)
}

/// What `itin agent ACTION ID` does.
pub enum AgentAction {
    Info { json: bool },
    Kill,
    Suspend,
    Resume,
    Logs { follow: bool, timeout: Option<u64> },
    Migrate { dest: String },
}

/// `itin agent info|kill|suspend|resume|logs ID`.
pub fn agent(node: &str, id: String, action: AgentAction) -> Result<ExitCode, Failure> {
    let mut client = Client::connect(node)?;
    let request = match action {
        AgentAction::Info { json } => {
            let (row, ending) = match client.call(RequestBody::AgentInfo { id })? {
                ReplyBody::Agent { row, ending } => (row, ending),
                other => return Err(unexpected(other).into()),
            };
            if json {
                print_json(&AgentJson::new(&row, ending.as_ref()))?;
            } else {
                println!("id:      {}", row.id);
                println!("name:    {}", row.name.as_deref().unwrap_or("-"));
                println!("state:   {}", row.state);
                println!("lang:    {}", if row.language.is_empty() { "-" } else { &row.language });
                println!("mailbox: {}", row.mailbox);
                println!("age:     {}", format_age(row.age_ms));
                println!("console: {} bytes", row.console_len);
                match ending {
                    Some(Ok(r)) => println!("result:  {r}"),
                    Some(Err(e)) => println!("error:   {e}"),
                    None => {}
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        AgentAction::Logs { follow: true, timeout } => {
            // How the agent ended is `agent info`'s to tell; logs end with it.
            let _ending = stream_console(&mut client, &id, timeout)?;
            return Ok(ExitCode::SUCCESS);
        }
        AgentAction::Logs { follow: false, .. } => {
            let mut from = 0;
            loop {
                let (text, next, missed) = match client.call(RequestBody::Logs { id: id.clone(), from })? {
                    ReplyBody::Logs { text, next, missed, .. } => (text, next, missed),
                    other => return Err(unexpected(other).into()),
                };
                if missed > 0 {
                    eprintln!("itin: [{missed} bytes of console output were dropped]");
                }
                print!("{text}");
                if next == from || text.is_empty() {
                    let _ = std::io::stdout().flush();
                    return Ok(ExitCode::SUCCESS);
                }
                from = next;
            }
        }
        AgentAction::Migrate { dest } => {
            // The node answers once the move is settled (within MIGRATE_WAIT).
            let request = RequestBody::Migrate { id: id.clone(), node: dest };
            return match client.call_within(request, MIGRATE_WAIT + RESPONSE_TIMEOUT)? {
                ReplyBody::Migrated { node } => {
                    println!("agent {id} moved to {node}");
                    Ok(ExitCode::SUCCESS)
                }
                other => Err(unexpected(other).into()),
            };
        }
        AgentAction::Kill => RequestBody::Kill { id },
        AgentAction::Suspend => RequestBody::Suspend { id },
        AgentAction::Resume => RequestBody::Resume { id },
    };
    match client.call(request)? {
        ReplyBody::Done => Ok(ExitCode::SUCCESS),
        other => Err(unexpected(other).into()),
    }
}

/// `itin send ID PERFORMATIVE CONTENT ?--param KEY=VALUE ...?`.
pub fn send(
    node: &str,
    to: String,
    performative: String,
    content: String,
    params: &[String],
) -> Result<ExitCode, Failure> {
    let params = params.iter().map(|p| parse_pair("--param", p)).collect::<Result<Vec<_>, _>>()?;
    match Client::connect(node)?.call(RequestBody::Send { to, performative, content, params })? {
        ReplyBody::Done => Ok(ExitCode::SUCCESS),
        other => Err(unexpected(other).into()),
    }
}

#[derive(Serialize)]
struct FoundJson<'a> {
    agent: &'a str,
    service: serde_json::Map<String, serde_json::Value>,
}

/// `itin df search`: one line per service, `AGENT key=value ...`.
pub fn df_search(node: &str, properties: Vec<(String, String)>, json: bool) -> Result<ExitCode, Failure> {
    let found = match Client::connect(node)?.call(RequestBody::DfSearch { properties })? {
        ReplyBody::Found(found) => found,
        other => return Err(unexpected(other).into()),
    };
    if json {
        let items: Vec<FoundJson> = found
            .iter()
            .map(|(agent, service)| FoundJson {
                agent,
                service: service.iter().map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str()))).collect(),
            })
            .collect();
        print_json(&items)?;
    } else {
        for (agent, service) in &found {
            let props: Vec<String> = service.iter().map(|(k, v)| format!("{k}={v}")).collect();
            println!("{agent}  {}", props.join(" "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `itin lib publish NAME VERSION FILE`: the node checks the name, the
/// version and the size, and refuses other content under a published
/// name and version.
pub fn lib_publish(node: &str, name: String, version: String, file: &str) -> Result<ExitCode, Failure> {
    let script = read_script(file, MAX_LIBRARY_BYTES)?;
    let (n, v) = (name.clone(), version.clone());
    match Client::connect(node)?.call_uploading(RequestBody::LibPublish { name, version, script }, "publish")? {
        ReplyBody::Published { created: true } => println!("published {n} {v}"),
        ReplyBody::Published { created: false } => println!("{n} {v} was already published with this content"),
        other => return Err(unexpected(other).into()),
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct LibraryJson<'a> {
    name: &'a str,
    version: &'a str,
    bytes: u64,
    /// "published" (on this node) or "cached" (fetched from another).
    origin: &'a str,
}

/// `itin lib list`.
pub fn lib_list(node: &str, json: bool) -> Result<ExitCode, Failure> {
    let rows = match Client::connect(node)?.call(RequestBody::LibList)? {
        ReplyBody::Libraries(rows) => rows,
        other => return Err(unexpected(other).into()),
    };
    let items: Vec<LibraryJson> = rows
        .iter()
        .map(|r| LibraryJson {
            name: &r.name,
            version: &r.version,
            bytes: r.bytes,
            origin: if r.published { "published" } else { "cached" },
        })
        .collect();
    if json {
        print_json(&items)?;
    } else {
        let cells: Vec<Vec<String>> = items
            .iter()
            .map(|l| vec![l.name.to_owned(), l.version.to_owned(), l.bytes.to_string(), l.origin.to_owned()])
            .collect();
        print_table(&["NAME", "VERSION", "BYTES", "ORIGIN"], &cells);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct NodeJson<'a> {
    name: &'a str,
    addr: &'a str,
    /// "self", "connected" or "disconnected".
    link: &'a str,
    /// It refuses new agents.
    draining: bool,
    /// A peer's last load report (runnable agents, agents), if fresh.
    runnable: Option<u64>,
    agents: Option<u64>,
}

/// `itin nodes`: this node, then its peers (with their loads).
pub fn nodes(node: &str, json: bool) -> Result<ExitCode, Failure> {
    let (me, listen, draining, peers) = match Client::connect(node)?.call(RequestBody::Nodes)? {
        ReplyBody::Nodes { node, listen, draining, peers } => (node, listen, draining, peers),
        other => return Err(unexpected(other).into()),
    };
    let mut all = vec![NodeJson { name: &me, addr: &listen, link: "self", draining, runnable: None, agents: None }];
    for p in &peers {
        all.push(NodeJson {
            name: &p.name,
            addr: &p.addr,
            link: if p.connected { "connected" } else { "disconnected" },
            draining: p.draining,
            runnable: p.load.map(|l| l.0),
            agents: p.load.map(|l| l.1),
        });
    }
    if json {
        print_json(&all)?;
    } else {
        let count = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
        let rows: Vec<Vec<String>> = all
            .iter()
            .map(|n| {
                vec![
                    n.name.to_owned(),
                    n.addr.to_owned(),
                    n.link.to_owned(),
                    if n.draining { "draining" } else { "open" }.to_owned(),
                    count(n.runnable),
                    count(n.agents),
                ]
            })
            .collect();
        print_table(&["NODE", "ADDRESS", "LINK", "STATE", "RUNNABLE", "AGENTS"], &rows);
        crate::cluster_cmd::print_directory(node);
    }
    Ok(ExitCode::SUCCESS)
}

/// How often `node drain` asks how the drain stands.
const DRAIN_POLL: Duration = Duration::from_millis(200);

fn drain_line(d: &DrainReport) -> String {
    let mut line = format!(
        "drain: moved {}/{}, ended {}, failed {}, {} left on the node",
        d.moved,
        d.total,
        d.ended,
        d.failed.len(),
        d.remaining
    );
    if let Some(why) = &d.stalled {
        line.push_str(&format!(" (waiting: {why})"));
    }
    line
}

/// `itin node drain`: starts the drain, shows its progress (a line each
/// time it changes) until nothing is left to move or `timeout_secs`, then
/// the agents that could not be moved. Exit 1 if any remain.
pub fn drain(node: &str, timeout_secs: u64) -> Result<ExitCode, Failure> {
    let mut client = Client::connect(node)?;
    let deadline = Instant::now() + Duration::from_secs(timeout_secs);
    let mut request = RequestBody::Drain;
    let mut last = String::new();
    // On a terminal a bar (agents settled of those to move); otherwise a
    // line per change.
    let bar = progress::drain_bar();
    loop {
        let report = match client.call(request)? {
            ReplyBody::Drain(report) => report,
            other => return Err(unexpected(other).into()),
        };
        let line = drain_line(&report);
        match &bar {
            Some(bar) => {
                bar.set_length(report.total);
                bar.set_position(report.moved + report.ended + report.failed.len() as u64);
                bar.set_message(line.clone());
            }
            None if line != last => println!("{line}"),
            None => {}
        }
        last = line;
        if report.done || Instant::now() >= deadline {
            if let Some(bar) = &bar {
                bar.finish_and_clear();
                println!("{last}");
            }
            for (id, why) in &report.failed {
                println!("not moved: {id}: {why}");
            }
            if report.done && report.failed.is_empty() {
                println!("drained: the node refuses new agents (itin node undrain to reopen it)");
                return Ok(ExitCode::SUCCESS);
            }
            let why = if report.done { "some agents could not be moved" } else { "timed out; the drain goes on" };
            return Err(format!("{why}: {} agents left on the node", report.remaining).into());
        }
        std::thread::sleep(DRAIN_POLL);
        request = RequestBody::DrainStatus;
    }
}

/// `itin dashboard`: a dashboard session for whom this client acts (the
/// owner key it signed in with; under a policy, nobody without one), as
/// the URL to open.
pub fn dashboard(node: &str) -> Result<ExitCode, Failure> {
    match Client::connect(node)?.call(RequestBody::Owner(OwnerRequest::DashboardSession))? {
        ReplyBody::DashboardSession { token, address: Some(address) } => {
            println!("http://{address}/?session={token}");
            Ok(ExitCode::SUCCESS)
        }
        ReplyBody::DashboardSession { address: None, .. } => {
            Err(format!("the node at {node} serves no dashboard").into())
        }
        other => Err(unexpected(other).into()),
    }
}

/// `itin node undrain`: the node takes new agents again.
/// `itin node reload-policy`: prints what the node now admits.
pub fn reload_policy(node: &str) -> Result<ExitCode, Failure> {
    match Client::connect(node)?.call(RequestBody::Owner(OwnerRequest::ReloadPolicy))? {
        ReplyBody::PolicyReloaded { summary } => {
            println!("{summary}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(unexpected(other).into()),
    }
}

pub fn undrain(node: &str) -> Result<ExitCode, Failure> {
    match Client::connect(node)?.call(RequestBody::Undrain)? {
        ReplyBody::Done => {
            println!("the node takes new agents again");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(unexpected(other).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_pairs() {
        assert_eq!(format_age(999), "0s");
        assert_eq!(format_age(187_000), "3m07s");
        assert_eq!(format_age(7_500_000), "2h05m");
        assert_eq!(format_age(356_400_000), "4d03h");
        assert_eq!(parse_pair("--var", "a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert!(parse_pair("--var", "=x").is_err());
        assert!(parse_pair("--var", "x").is_err());
    }
}
