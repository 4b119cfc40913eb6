//! `itin node start`: one node in the foreground until SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use itinerant_node::net::tls::{Credentials, NodeTls};
use itinerant_node::node::{Node, NodeConfig};

/// Longest agent script file accepted.
const MAX_SCRIPT_BYTES: u64 = 4 << 20;

pub struct StartArgs {
    pub name: String,
    pub listen: SocketAddr,
    pub peers: Vec<String>,
    pub agents: Vec<String>,
    pub workers: Option<usize>,
    pub data: Option<std::path::PathBuf>,
    /// Milliseconds.
    pub checkpoint_interval: u64,
    pub allow_exec: Vec<String>,
    pub balance: bool,
    pub policy: Option<std::path::PathBuf>,
    /// The directory made by `itin init` (`DIR/ca.pem`, `DIR/nodes/NAME.*`).
    pub certs: Option<std::path::PathBuf>,
    /// No credentials: plain TCP on loopback only.
    pub insecure_loopback: bool,
    /// The services file (superserver).
    pub services: Option<std::path::PathBuf>,
    /// The front file (`itinerant_node::front::config`).
    pub front: Option<std::path::PathBuf>,
    /// Where the dashboard and `/metrics` listen (HTTP).
    pub http: SocketAddr,
    /// `--fipa-http`: where the FIPA HTTP MTP listens, if anywhere.
    pub fipa_http: Option<SocketAddr>,
    /// `--cluster`: embedded or etcd://...
    pub cluster: String,
    /// `--lease-ttl`, seconds.
    pub lease_ttl: u64,
}

/// The node's TLS from `--certs`, or none with `--insecure-loopback` (on
/// loopback only); neither is refused.
fn transport(args: &StartArgs) -> Result<Option<std::sync::Arc<NodeTls>>, String> {
    match (&args.certs, args.insecure_loopback) {
        (Some(_), true) => Err("--certs and --insecure-loopback exclude each other".into()),
        (Some(dir), false) => {
            let creds = Credentials::node_in(dir, &args.name).map_err(|e| format!("node credentials: {e}"))?;
            NodeTls::new(&args.name, &creds)
                .map(Some)
                .map_err(|e| format!("node credentials in {}: {e}", dir.display()))
        }
        (None, true) if !args.listen.ip().is_loopback() => {
            Err(format!("--insecure-loopback listens on loopback only (127.0.0.1 or ::1), not on {}", args.listen.ip()))
        }
        (None, true) => Ok(None),
        (None, false) => Err(format!(
            "no TLS credentials: give --certs DIR (made by `itin init DIR --node {}`), or --insecure-loopback \
             for a node without authentication on loopback only",
            args.name
        )),
    }
}

/// The node's policy: `--policy`, else the cluster's (`DIR/policy.toml`
/// from `itin init`) for a node with credentials. Only an unauthenticated
/// loopback node (`--insecure-loopback`) runs without one, admitting every
/// agent; `--allow-exec` is for that node alone (a policy grants `exec`).
fn policy_file(args: &StartArgs) -> Result<Option<PathBuf>, String> {
    let policy = match (&args.policy, &args.certs) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(dir)) => {
            let p = dir.join("policy.toml");
            if !p.exists() {
                return Err(format!(
                    "no policy: give --policy FILE, or write {} (`itin init` makes one that admits the \
                     administrator); only an --insecure-loopback node runs every agent without one",
                    p.display()
                ));
            }
            Some(p)
        }
        (None, None) => None,
    };
    if policy.is_some() && !args.allow_exec.is_empty() {
        return Err("--allow-exec is for a node without a policy: the policy's groups grant exec".into());
    }
    Ok(policy)
}

fn parse_peer(p: &str) -> Result<(String, SocketAddr), String> {
    let (name, addr) = p.split_once('=').ok_or_else(|| format!("bad --peer \"{p}\": expected NAME=HOST:PORT"))?;
    let addr: SocketAddr = addr.parse().map_err(|e| format!("bad --peer \"{p}\": {e}"))?;
    if name.is_empty() || name.contains('@') {
        return Err(format!("bad --peer \"{p}\": bad node name"));
    }
    Ok((name.to_owned(), addr))
}

pub fn start(args: StartArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("itin node: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("itin node: {e}");
            ExitCode::from(1)
        }
    }
}

async fn run(args: StartArgs) -> Result<(), String> {
    let mut signals = StopSignals::install()?;
    if args.name.is_empty() || args.name.contains('@') {
        return Err(format!("bad node name \"{}\"", args.name));
    }
    let tls = transport(&args)?;
    let peers = args.peers.iter().map(|p| parse_peer(p)).collect::<Result<Vec<_>, _>>()?;
    let mut scripts = Vec::new();
    for f in &args.agents {
        let meta = std::fs::metadata(f).map_err(|e| format!("couldn't read \"{f}\": {e}"))?;
        if meta.len() > MAX_SCRIPT_BYTES {
            return Err(format!("\"{f}\" is larger than {MAX_SCRIPT_BYTES} bytes"));
        }
        scripts.push((f.clone(), std::fs::read_to_string(f).map_err(|e| format!("couldn't read \"{f}\": {e}"))?));
    }
    let policy = policy_file(&args)?;
    let agent_key = crate::key::choose(None, args.certs.as_deref()).map(|k| crate::key::read(&k)).transpose()?;
    let mut config = NodeConfig::new(&args.name, args.listen);
    if let Some(w) = args.workers {
        config.runtime.workers = w.max(1);
    }
    config.runtime.checkpoint_interval = Duration::from_millis(args.checkpoint_interval.max(1));
    config.data = args.data.clone();
    config.runtime.exec_allow = args.allow_exec.clone();
    config.balance = args.balance;
    config.tls = tls;
    config.policy = policy.clone();
    config.services = args.services.clone();
    if let Some(path) = &args.front {
        config.front = Some(itinerant_node::front::config::FrontConfig::load(path)?);
    }
    config.cluster = itinerant_node::cluster::ClusterConfig::parse(&args.cluster, Duration::from_secs(args.lease_ttl))?;
    let node = std::sync::Arc::new(Node::start(config).await?);
    println!("node {} listening on {}", args.name, node.addr());
    let transport = if args.insecure_loopback { "plain TCP on loopback, unauthenticated" } else { "mutual TLS" };
    tracing::info!(node = %args.name, "connections: {transport}");
    if let Some(dir) = &args.data {
        println!("data in {}", dir.display());
    }
    let token = match &args.data {
        Some(dir) => itinerant_node::dashboard::auth::token_in(dir)?,
        None => itinerant_node::dashboard::auth::new_token()?,
    };
    let dashboard = itinerant_node::dashboard::Dashboard::start(node.clone(), args.http, token).await?;
    tracing::info!(node = %args.name, "dashboard at {}", dashboard.url());
    println!("dashboard {}", dashboard.url());
    // Held to the end: dropping it stops the listener.
    let _fipa = match args.fipa_http {
        Some(listen) => {
            let fipa = itinerant_node::fipa::http::FipaHttp::start(node.clone(), listen).await?;
            tracing::info!(node = %args.name, "FIPA HTTP MTP at {}", fipa.url());
            println!("fipa-http {}", fipa.url());
            Some(fipa)
        }
        None => None,
    };
    match &policy {
        Some(p) => println!("policy {}", p.display()),
        None => println!("no policy: every agent runs here, signed or not (see docs/SECURITY.md)"),
    }
    for s in node.services().rows() {
        let port = if s.own_port { "own port" } else { "node port" };
        println!("service {} ({} {}) at {} ({port})", s.name, s.kind, s.target, s.address);
    }
    for (name, addr) in peers {
        node.add_peer(&name, addr);
        println!("peer {name} at {addr}");
    }
    for id in node.resumed() {
        println!("agent {id} resumed");
        report_end(&node, id.clone());
    }
    for (file, script) in scripts {
        let id = match &agent_key {
            Some(key) => {
                node.runtime().spawn_signed(key.sign(itinerant_core::Submission::now(script, None, vec![])?))?
            }
            None => node.runtime().spawn(&script, None)?,
        };
        println!("agent {id} started from {file}");
        report_end(&node, id);
    }
    while let Signal::Reload = signals.wait().await {
        match node.reload_policy() {
            Ok(summary) => println!("{summary}"),
            Err(e) => println!("policy not reloaded: {e}"),
        }
    }
    println!("node {} stopping", args.name);
    // Checkpoints every agent and waits for the store: blocking work.
    tokio::task::block_in_place(|| node.stop());
    println!("node {} stopped", args.name);
    Ok(())
}

/// Prints an agent's console and result when it ends (on a thread of its
/// own, which ends with the node).
fn report_end(node: &std::sync::Arc<Node>, id: itinerant_core::AgentId) {
    let node = node.clone();
    std::thread::spawn(move || loop {
        match node.runtime().wait(&id, Duration::from_secs(1)) {
            Some(out) => {
                print!("{}", node.runtime().console(&id).unwrap_or_default());
                match out.result {
                    Ok(r) => println!("agent {id} finished: {r}"),
                    Err(e) => println!("agent {id} failed: {e}"),
                }
                return;
            }
            // Gone: the node stopped.
            None if node.runtime().state(&id).is_none() => return,
            None => {}
        }
    });
}

/// SIGINT and SIGTERM (stop), SIGHUP (reload the policy), caught from the
/// moment the node starts (a signal that came before the handlers existed
/// would kill the process outright, skipping the clean stop).
struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hangup: tokio::signal::unix::Signal,
}

enum Signal {
    Stop,
    Reload,
}

impl StopSignals {
    fn install() -> Result<StopSignals, String> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let interrupt = signal(SignalKind::interrupt()).map_err(|e| format!("cannot catch SIGINT: {e}"))?;
            let terminate = signal(SignalKind::terminate()).map_err(|e| format!("cannot catch SIGTERM: {e}"))?;
            let hangup = signal(SignalKind::hangup()).map_err(|e| format!("cannot catch SIGHUP: {e}"))?;
            Ok(StopSignals { interrupt, terminate, hangup })
        }
        #[cfg(not(unix))]
        Ok(StopSignals {})
    }

    async fn wait(&mut self) -> Signal {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => Signal::Stop,
            _ = self.terminate.recv() => Signal::Stop,
            _ = self.hangup.recv() => Signal::Reload,
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Stop
        }
    }
}
