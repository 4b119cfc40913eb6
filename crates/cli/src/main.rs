//! `itin`: the Itinerant command line.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

mod client;
mod cluster_cmd;
mod demo;
mod front_cmd;
mod init;
mod key;
mod logging;
mod node_cmd;
mod objects_cmd;
mod progress;
mod services_cmd;
mod tcl_host;

// mimalloc: spawning and ending agents allocates on one worker thread and
// frees on another, which glibc's malloc handles slowly (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "itin", version, about = "Itinerant: mobile agents and object servers")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
// `itin node start` has many options; the enum is parsed once.
#[allow(clippy::large_enum_variant)]
enum Cmd {
    /// Start three nodes on loopback and run a scenario across them.
    Demo {
        /// Keep the nodes and their dashboards up SECS seconds after the scenario.
        #[arg(long, value_name = "SECS", default_value_t = 0)]
        linger: u64,
        /// Log lines as text or JSON.
        #[arg(long, value_enum, default_value_t)]
        log_format: logging::LogFormat,
    },
    /// Make a cluster CA and certificates in DIR (ca.pem, ca.key,
    /// nodes/NAME.{pem,key}, clients/NAME.{pem,key}), or issue more.
    Init {
        /// Where the files go.
        dir: std::path::PathBuf,
        /// A node to certify (repeatable), with a new CA.
        #[arg(long = "node", value_name = "NAME")]
        nodes: Vec<String>,
        /// A client to certify besides "admin" (repeatable), with a new CA.
        #[arg(long = "client", value_name = "NAME")]
        clients: Vec<String>,
        /// Certify one more node with the CA already in DIR (repeatable).
        #[arg(long = "add-node", value_name = "NAME")]
        add_nodes: Vec<String>,
        /// Certify one more client with the CA already in DIR (repeatable).
        #[arg(long = "add-client", value_name = "NAME")]
        add_clients: Vec<String>,
    },
    /// Run a node.
    Node {
        #[command(subcommand)]
        action: NodeAction,
    },
    /// Run an Agent Tcl script as tclsh does (no FILE: interactive prompt).
    Tcl {
        /// Snapshot and restore the whole VM through bytes every N
        /// instructions (the output must not change).
        #[arg(long, value_name = "N")]
        migrate_every: Option<u64>,
        /// Stop the script when it holds more than this many bytes (the
        /// agents' memory quota; `memory quota exceeded`).
        #[arg(long, value_name = "BYTES")]
        memory_quota: Option<usize>,
        /// The script, then its arguments (`argv`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Start an agent on a running node from a Tcl file, or a WebAssembly
    /// module (FILE.wasm, see docs/WASM.md).
    Submit {
        #[command(flatten)]
        node: NodeArg,
        /// The agent's script.
        file: String,
        /// A name to register the agent under.
        #[arg(long)]
        name: Option<String>,
        /// A global variable set before the script starts, KEY=VALUE (repeatable).
        #[arg(long = "var", value_name = "KEY=VALUE")]
        vars: Vec<String>,
        /// Stream the agent's console and exit with its result (1 and its
        /// errorInfo on stderr if it fails).
        #[arg(long)]
        wait: bool,
        /// With --wait: give up after SECS seconds (exit 1; the agent goes on).
        #[arg(long, value_name = "SECS", requires = "wait")]
        timeout: Option<u64>,
        /// Sign the agent with this owner key file (default: $ITIN_KEY,
        /// else the cluster directory's DIR/owners/admin.key (or
        /// $ITIN_CLIENT's); none: unsigned, which only a node without a
        /// policy runs).
        #[arg(long, value_name = "FILE")]
        key: Option<std::path::PathBuf>,
    },
    /// Owner keys: an owner signs the agents it submits (`itin submit --key`).
    Key {
        #[command(subcommand)]
        action: KeyCmd,
    },
    /// List the agents of a running node.
    Agents {
        #[command(flatten)]
        node: NodeArg,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Refresh the table until interrupted.
        #[arg(long)]
        watch: bool,
        /// With --watch: milliseconds between refreshes.
        #[arg(long, value_name = "MS", default_value_t = 1000, requires = "watch")]
        interval: u64,
        /// With --watch: stop after N refreshes.
        #[arg(long, value_name = "N", requires = "watch")]
        count: Option<u64>,
    },
    /// Look at or control one agent of a running node (by id or name).
    Agent {
        #[command(flatten)]
        node: NodeArg,
        #[command(subcommand)]
        action: AgentCmd,
    },
    /// Send a FIPA ACL message (from outside the platform: no sender) to an agent.
    Send {
        #[command(flatten)]
        node: NodeArg,
        /// The receiver: an agent id or name.
        id: String,
        /// inform, request, cfp, ...
        performative: String,
        content: String,
        /// Another ACL parameter, e.g. conversation-id=c1 (repeatable).
        #[arg(long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
    },
    /// The directory facilitator of a running node.
    Df {
        #[command(flatten)]
        node: NodeArg,
        #[command(subcommand)]
        action: DfCmd,
    },
    /// Libraries for `package require` (code on demand) on a running node.
    Lib {
        #[command(flatten)]
        node: NodeArg,
        #[command(subcommand)]
        action: LibCmd,
    },
    /// Object adapters of a running node.
    Adapter {
        #[command(flatten)]
        node: NodeArg,
        #[command(subcommand)]
        action: objects_cmd::AdapterCmd,
    },
    /// Objects of a running node's adapters.
    Object {
        #[command(flatten)]
        node: NodeArg,
        #[command(subcommand)]
        action: objects_cmd::ObjectCmd,
    },
    /// Call a method of an object: `itin call itin://NODE/ADAPTER/ID METHOD ARG...`.
    Call {
        #[command(flatten)]
        node: NodeArg,
        reference: String,
        method: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
        /// Give up after MS milliseconds.
        #[arg(long, value_name = "MS", default_value_t = 10_000)]
        timeout: u64,
        /// Make the call N times (through a client of this command's own,
        /// which follows a front's handoff); the result is printed once.
        #[arg(long, value_name = "N")]
        repeat: Option<u32>,
        /// Keep results of read-only methods (adapters with caching=…).
        #[arg(long)]
        cache: bool,
        /// Print the client's cache counters (entries, hits, hit rate).
        #[arg(long)]
        stats: bool,
    },
    /// A front's back ends: mode, policy, state (up/down), load, calls
    /// dispatched, times taken out.
    Front {
        #[command(flatten)]
        node: NodeArg,
        /// The node's HOST:PORT (instead of --node).
        #[arg(value_name = "NODE")]
        at: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The cache a node keeps for its agents' `object call`: entries,
    /// hits, misses, hit rate.
    Cache {
        #[command(flatten)]
        node: NodeArg,
        /// The node's HOST:PORT (instead of --node).
        #[arg(value_name = "NODE")]
        at: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The services of a running node (name, kind, address), or with
    /// --name where one service is; `port` "node": reached through the
    /// node's port, "own": at its own.
    Endpoints {
        #[command(flatten)]
        node: NodeArg,
        /// The node's HOST:PORT (instead of --node).
        #[arg(value_name = "NODE")]
        at: Option<String>,
        /// Only this service's endpoint.
        #[arg(long)]
        name: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// A running node and the peers it knows.
    Nodes {
        #[command(flatten)]
        node: NodeArg,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The URL of a node's dashboard with a session acting as this client's owner key (8 hours)
    Dashboard {
        #[command(flatten)]
        node: NodeArg,
    },
}

/// Which node a client command talks to, and as whom.
#[derive(Args)]
struct NodeArg {
    /// The node's HOST:PORT (default: $ITIN_NODE).
    #[arg(long, value_name = "HOST:PORT", global = true)]
    node: Option<String>,
    /// The directory made by `itin init` (default: $ITIN_CERTS): mutual
    /// TLS as DIR/clients/admin (or $ITIN_CLIENT). None: plain TCP, to a
    /// loopback node started with --insecure-loopback only.
    #[arg(long, value_name = "DIR", global = true)]
    certs: Option<std::path::PathBuf>,
}

impl NodeArg {
    /// The node's address; the credentials are kept for the connection.
    fn address(self) -> Result<String, client::Failure> {
        client::use_certs(self.certs);
        client::node_address(self.node)
    }
}

#[derive(Subcommand)]
enum AgentCmd {
    /// State, mailbox, age, and the result once it ended.
    Info {
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// End the agent (its outcome is the error "killed").
    Kill { id: String },
    /// Stop the agent, keeping its state and mailbox, until resume.
    Suspend { id: String },
    /// Let a suspended agent run again.
    Resume { id: String },
    /// Move the agent to another node, whatever it is doing (it goes on
    /// there where it was); prints where it went or why it stays.
    Migrate {
        id: String,
        /// The destination node's name (a peer of this node).
        #[arg(value_name = "NODE")]
        dest: String,
    },
    /// Print the agent's console (what the node still keeps of it).
    Logs {
        id: String,
        /// Keep printing new output until the agent ends.
        #[arg(long, short)]
        follow: bool,
        /// With --follow: give up after SECS seconds.
        #[arg(long, value_name = "SECS", requires = "follow")]
        timeout: Option<u64>,
    },
}

#[derive(Subcommand)]
enum KeyCmd {
    /// Create an owner key pair in a new file, readable by you only.
    New {
        /// The key file to create.
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
        /// The owner's name (default: $USER).
        #[arg(long)]
        name: Option<String>,
    },
    /// Print an owner's name and public key (what a node's policy lists).
    Show { file: std::path::PathBuf },
}

#[derive(Subcommand)]
enum DfCmd {
    /// Services whose properties all match (no criteria: every service).
    Search {
        /// The service type.
        #[arg(long = "type")]
        service_type: Option<String>,
        /// The service name.
        #[arg(long)]
        name: Option<String>,
        /// Any other property, KEY=VALUE (repeatable).
        #[arg(long = "property", value_name = "KEY=VALUE")]
        properties: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum LibCmd {
    /// Publish a Tcl library on the node: agents anywhere get it with
    /// `package require NAME ?VERSION?`.
    Publish {
        /// The package name.
        name: String,
        /// Its version: integers separated by dots (e.g. 1.2).
        version: String,
        /// The library's Tcl script.
        file: String,
    },
    /// The libraries the node has (published there or cached from others).
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum NodeAction {
    /// Run a node in the foreground until SIGINT or SIGTERM.
    Start {
        /// The node's name (agent ids are N@NAME).
        #[arg(long)]
        name: String,
        /// HOST:PORT to listen on (port 0: any free port).
        #[arg(long)]
        listen: std::net::SocketAddr,
        /// A peer node, NAME=HOST:PORT (repeatable).
        #[arg(long = "peer")]
        peers: Vec<String>,
        /// An agent to start from a Tcl file (repeatable).
        #[arg(long = "agent")]
        agents: Vec<String>,
        /// Worker threads for agents (default: one per core).
        #[arg(long)]
        workers: Option<usize>,
        /// Directory of the node's store: agents are checkpointed there and
        /// resumed when the node starts again on it (default: memory only).
        #[arg(long)]
        data: Option<std::path::PathBuf>,
        /// Checkpoint a running agent at least this often (milliseconds).
        #[arg(long, default_value_t = 5000)]
        checkpoint_interval: u64,
        /// A program agents may `exec` (repeatable; `*`: any). Default: none.
        #[arg(long = "allow-exec")]
        allow_exec: Vec<String>,
        /// Balance load: move runnable agents to a peer with clearly fewer.
        #[arg(long)]
        balance: bool,
        /// The directory made by `itin init`: mutual TLS with
        /// DIR/ca.pem and DIR/nodes/NAME.{pem,key}.
        #[arg(long, value_name = "DIR")]
        certs: Option<std::path::PathBuf>,
        /// No credentials: plain TCP, unauthenticated, on loopback only
        /// (--listen must be a loopback address).
        #[arg(long)]
        insecure_loopback: bool,
        /// The node's policy (TOML): which owners may run agents here and
        /// what they may do; reread on SIGHUP and when the file changes.
        /// Default with --certs DIR: DIR/policy.toml (from `itin init`).
        /// Only an --insecure-loopback node runs without one (every agent,
        /// signed or not).
        #[arg(long, value_name = "FILE")]
        policy: Option<std::path::PathBuf>,
        /// The node's services (TOML): adapters, agents and programs it
        /// serves as a superserver (docs/OBJECTS.md, "Superserver").
        #[arg(long, value_name = "FILE")]
        services: Option<std::path::PathBuf>,
        /// The services this node fronts (TOML): adapters served by back
        /// ends, relay or handoff, the policy (docs/OBJECTS.md, "Front tier").
        #[arg(long, value_name = "FILE")]
        front: Option<std::path::PathBuf>,
        /// The cluster directory and membership: `embedded` (each node's
        /// own tables, the default) or etcd://HOST:PORT,...[/NAMESPACE]
        /// (docs/SCALE.md).
        #[arg(long, value_name = "URL", default_value = "embedded")]
        cluster: String,
        /// With etcd: a node whose lease was not renewed for SECS seconds
        /// is dead (at least 2).
        #[arg(long, value_name = "SECS", default_value_t = 5)]
        lease_ttl: u64,
        /// Log lines as text or JSON.
        #[arg(long, value_enum, default_value_t)]
        log_format: logging::LogFormat,
        /// HOST:PORT of the node's dashboard and /metrics (HTTP; port 0:
        /// any free port). Ask for it with the token in the URL printed at
        /// start (docs/SECURITY.md).
        #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:0")]
        http: std::net::SocketAddr,
        /// HOST:PORT of a FIPA HTTP message transport listener (SC00084;
        /// docs/FIPA.md): foreign platforms POST to http://HOST:PORT/acc.
        /// None by default.
        #[arg(long, value_name = "HOST:PORT")]
        fipa_http: Option<std::net::SocketAddr>,
    },
    /// Make a running node (--node) read its policy file again.
    ReloadPolicy {
        #[command(flatten)]
        node: NodeArg,
    },
    /// Move every agent off a running node (--node) to its peers; the node
    /// refuses new agents from then on (until `itin node undrain`).
    Drain {
        #[command(flatten)]
        node: NodeArg,
        /// Give up waiting after SECS seconds (the drain goes on).
        #[arg(long, value_name = "SECS", default_value_t = 60)]
        timeout: u64,
    },
    /// Let a drained node (--node) take new agents again.
    Undrain {
        #[command(flatten)]
        node: NodeArg,
    },
    /// Declare a dead node gone for good (etcd directory only): its agents
    /// are reported lost, and it may not join again under its name.
    Forget {
        /// The dead node's name.
        name: String,
        #[command(flatten)]
        node: NodeArg,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(match &cli.command {
        Cmd::Demo { log_format, .. } | Cmd::Node { action: NodeAction::Start { log_format, .. } } => *log_format,
        _ => logging::LogFormat::Text,
    });
    match cli.command {
        Cmd::Demo { linger, .. } => demo::run(std::time::Duration::from_secs(linger)),
        Cmd::Init { dir, nodes, clients, add_nodes, add_clients } => {
            init::run(init::InitArgs { dir, nodes, clients, add_nodes, add_clients })
        }
        Cmd::Node {
            action:
                NodeAction::Start {
                    name,
                    listen,
                    peers,
                    agents,
                    workers,
                    data,
                    checkpoint_interval,
                    allow_exec,
                    balance,
                    certs,
                    insecure_loopback,
                    policy,
                    services,
                    front,
                    cluster,
                    lease_ttl,
                    log_format: _,
                    http,
                    fipa_http,
                },
        } => node_cmd::start(node_cmd::StartArgs {
            http,
            fipa_http,
            cluster,
            lease_ttl,
            name,
            listen,
            peers,
            agents,
            workers,
            data,
            checkpoint_interval,
            allow_exec,
            balance,
            certs,
            insecure_loopback,
            policy,
            services,
            front,
        }),
        Cmd::Node { action: NodeAction::ReloadPolicy { node } } => {
            client::exit(node.address().and_then(|n| client::reload_policy(&n)))
        }
        Cmd::Key { action: KeyCmd::New { out, name } } => key::new_cmd(&out, name),
        Cmd::Key { action: KeyCmd::Show { file } } => key::show_cmd(&file),
        Cmd::Node { action: NodeAction::Drain { node, timeout } } => {
            client::exit(node.address().and_then(|n| client::drain(&n, timeout)))
        }
        Cmd::Node { action: NodeAction::Forget { name, node } } => {
            client::exit(node.address().and_then(|n| cluster_cmd::forget(&n, &name)))
        }
        Cmd::Node { action: NodeAction::Undrain { node } } => {
            client::exit(node.address().and_then(|n| client::undrain(&n)))
        }
        Cmd::Tcl { migrate_every, memory_quota, args } => {
            if migrate_every == Some(0) {
                eprintln!("itin: --migrate-every must be at least 1");
                return ExitCode::from(2);
            }
            match args.split_first() {
                Some((file, rest)) => tcl_host::run_file(file, rest, migrate_every, memory_quota),
                None => repl(),
            }
        }
        Cmd::Submit { node, file, name, vars, wait, timeout, key } => client::exit(node.address().and_then(|node| {
            let key = key::choose(key, client::certs_dir().as_deref());
            client::submit(client::SubmitArgs { node, file, name, vars, wait, timeout, key })
        })),
        Cmd::Agents { node, json, watch: false, .. } => {
            client::exit(node.address().and_then(|n| client::agents(&n, json)))
        }
        Cmd::Agents { node, json, watch: true, interval, count } => {
            let watch = client::Watch { every: std::time::Duration::from_millis(interval.max(100)), count };
            client::exit(node.address().and_then(|n| client::watch_agents(&n, json, watch)))
        }
        Cmd::Agent { node, action } => {
            let (id, action) = match action {
                AgentCmd::Info { id, json } => (id, client::AgentAction::Info { json }),
                AgentCmd::Kill { id } => (id, client::AgentAction::Kill),
                AgentCmd::Suspend { id } => (id, client::AgentAction::Suspend),
                AgentCmd::Resume { id } => (id, client::AgentAction::Resume),
                AgentCmd::Logs { id, follow, timeout } => (id, client::AgentAction::Logs { follow, timeout }),
                AgentCmd::Migrate { id, dest } => (id, client::AgentAction::Migrate { dest }),
            };
            client::exit(node.address().and_then(|n| client::agent(&n, id, action)))
        }
        Cmd::Send { node, id, performative, content, params } => {
            client::exit(node.address().and_then(|n| client::send(&n, id, performative, content, &params)))
        }
        Cmd::Df { node, action: DfCmd::Search { service_type, name, properties, json } } => {
            let mut criteria: Vec<(String, String)> = Vec::new();
            criteria.extend(service_type.map(|t| ("type".to_owned(), t)));
            criteria.extend(name.map(|n| ("name".to_owned(), n)));
            let parsed = properties.iter().map(|p| client::parse_pair("--property", p)).collect::<Result<Vec<_>, _>>();
            client::exit(node.address().and_then(|n| {
                criteria.extend(parsed?);
                client::df_search(&n, criteria, json)
            }))
        }
        Cmd::Lib { node, action: LibCmd::Publish { name, version, file } } => {
            client::exit(node.address().and_then(|n| client::lib_publish(&n, name, version, &file)))
        }
        Cmd::Lib { node, action: LibCmd::List { json } } => {
            client::exit(node.address().and_then(|n| client::lib_list(&n, json)))
        }
        Cmd::Adapter { node, action } => client::exit(node.address().and_then(|n| objects_cmd::adapter(&n, action))),
        Cmd::Object { node, action } => client::exit(node.address().and_then(|n| objects_cmd::object_cmd(&n, action))),
        Cmd::Call { node, reference, method, args, timeout, repeat, cache, stats } => {
            client::exit(node.address().and_then(|n| match (repeat, cache, stats) {
                (None, false, false) => objects_cmd::call(&n, reference, method, args, timeout),
                _ => {
                    let repeat = front_cmd::Repeat { times: repeat.unwrap_or(1), cache, stats };
                    front_cmd::call_repeated(&n, reference, method, args, timeout, repeat)
                }
            }))
        }
        Cmd::Front { mut node, at, json } => {
            node.node = at.or(node.node);
            client::exit(node.address().and_then(|n| front_cmd::front(&n, json)))
        }
        Cmd::Cache { mut node, at, json } => {
            node.node = at.or(node.node);
            client::exit(node.address().and_then(|n| front_cmd::cache(&n, json)))
        }
        Cmd::Endpoints { mut node, at, name, json } => {
            node.node = at.or(node.node);
            client::exit(node.address().and_then(|n| services_cmd::endpoints(&n, name, json)))
        }
        Cmd::Nodes { node, json } => client::exit(node.address().and_then(|n| client::nodes(&n, json))),
        Cmd::Dashboard { node } => client::exit(node.address().and_then(|n| client::dashboard(&n))),
    }
}

/// The interactive prompt: reads complete commands and prints results.
fn repl() -> ExitCode {
    let mut interp = tcl_host::new_interp();
    interp.set_global("argv0", "itin");
    interp.set_global("argv", "");
    interp.set_global("argc", "0");
    let stdin = std::io::stdin();
    let mut buf = String::new();
    loop {
        print!("{}", if buf.is_empty() { "% " } else { "> " });
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => return ExitCode::SUCCESS,
            Ok(_) => {}
        }
        buf.push_str(&line);
        if itinerant_tcl::parser::parse_script(&buf).is_err() && buf.len() < (1 << 20) {
            // Incomplete command: keep reading.
            if let Err(e) = itinerant_tcl::parser::parse_script(&buf) {
                if e.message.starts_with("missing") {
                    continue;
                }
            }
        }
        let script = std::mem::take(&mut buf);
        match tcl_host::eval_interactive(&mut interp, &script) {
            Ok(r) if !r.is_empty() => println!("{r}"),
            Ok(_) => {}
            Err(msg) => println!("{msg}"),
        }
    }
}
