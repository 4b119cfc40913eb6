//! `itin`: the Itinerant command line.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod demo;
mod node_cmd;
mod tcl_host;

#[derive(Parser)]
#[command(name = "itin", version, about = "Itinerant: mobile agents and object servers")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Start three nodes on loopback and run a scenario across them.
    Demo,
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
        /// The script, then its arguments (`argv`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

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
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Demo => demo::run(),
        Cmd::Node {
            action: NodeAction::Start { name, listen, peers, agents, workers, data, checkpoint_interval, allow_exec },
        } => node_cmd::start(node_cmd::StartArgs {
            name,
            listen,
            peers,
            agents,
            workers,
            data,
            checkpoint_interval,
            allow_exec,
        }),
        Cmd::Tcl { migrate_every, args } => {
            if migrate_every == Some(0) {
                eprintln!("itin: --migrate-every must be at least 1");
                return ExitCode::from(2);
            }
            match args.split_first() {
                Some((file, rest)) => tcl_host::run_file(file, rest, migrate_every),
                None => repl(),
            }
        }
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
