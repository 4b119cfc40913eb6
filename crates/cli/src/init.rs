//! `itin init DIR`: a cluster's certificate authority and certificates, as
//! PEM files in DIR:
//!
//! ```text
//! DIR/ca.pem                 the CA certificate (every node and client trusts it)
//! DIR/ca.key                 the CA's private key (only `itin init` needs it)
//! DIR/nodes/NAME.pem, .key   node NAME's certificate and key
//! DIR/clients/NAME.pem, .key client NAME's (the CLI's identity; "admin" by default)
//! DIR/owners/admin.key       the administrator's owner key (signs agents; `itin key`)
//! DIR/policy.toml            the cluster's starting policy: the administrator's agents
//!                            are admitted, nobody else's (what `node start --certs DIR`
//!                            reads without `--policy`)
//! ```
//!
//! `itin init DIR --node a --node b` makes a new CA (never over an
//! existing one), the nodes' certificates and the client "admin" (plus any
//! `--client`); `itin init DIR --add-node c` or `--add-client bob` issues
//! more under the CA already in DIR. Private keys are written mode 0600;
//! no file is ever overwritten.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use itinerant_node::net::pki::Authority;

/// Longest CA key file read.
const MAX_KEY_BYTES: u64 = 64 * 1024;

pub struct InitArgs {
    pub dir: PathBuf,
    pub nodes: Vec<String>,
    pub clients: Vec<String>,
    pub add_nodes: Vec<String>,
    pub add_clients: Vec<String>,
}

pub fn run(args: InitArgs) -> ExitCode {
    match init(args) {
        Ok(written) => {
            for f in written {
                println!("{}", f.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("itin init: {e}");
            ExitCode::from(1)
        }
    }
}

/// Does what `args` asks; the files written, in order.
fn init(args: InitArgs) -> Result<Vec<PathBuf>, String> {
    let ca_key = args.dir.join("ca.key");
    let adding = !args.add_nodes.is_empty() || !args.add_clients.is_empty();
    let creating = !args.nodes.is_empty() || !args.clients.is_empty();
    let mut written = Vec::new();
    let (ca, nodes, clients) = if adding {
        if creating {
            return Err("--node/--client make a new CA; --add-node/--add-client use the one in DIR: not both".into());
        }
        let meta = std::fs::metadata(&ca_key)
            .map_err(|e| format!("no CA in {} ({e}): run `itin init DIR --node NAME` first", args.dir.display()))?;
        if meta.len() > MAX_KEY_BYTES {
            return Err(format!("{} is larger than {MAX_KEY_BYTES} bytes", ca_key.display()));
        }
        let pem = std::fs::read_to_string(&ca_key).map_err(|e| format!("cannot read {}: {e}", ca_key.display()))?;
        (Authority::from_key_pem(&pem)?, args.add_nodes, args.add_clients)
    } else {
        if ca_key.exists() {
            return Err(format!(
                "{} already has a CA: use --add-node NAME or --add-client NAME to issue more",
                args.dir.display()
            ));
        }
        let ca = Authority::generate()?;
        // Checked before anything is written: a bad name leaves no half-made CA.
        for name in args.nodes.iter().chain(&args.clients) {
            itinerant_node::net::pki::check_node_name(name)?;
        }
        std::fs::create_dir_all(&args.dir).map_err(|e| format!("cannot create {}: {e}", args.dir.display()))?;
        written.push(write_new(&ca_key, &ca.key_pem(), true)?);
        written.push(write_new(&args.dir.join("ca.pem"), &ca.cert_pem(), false)?);
        let mut clients = args.clients;
        if !clients.iter().any(|c| c == "admin") {
            clients.insert(0, "admin".into());
        }
        written.extend(administrator(&args.dir)?);
        (ca, args.nodes, clients)
    };
    for name in &nodes {
        let issued = ca.issue_node(name)?;
        written.extend(write_pair(&args.dir.join("nodes"), name, &issued)?);
    }
    for name in &clients {
        let issued = ca.issue_client(name)?;
        written.extend(write_pair(&args.dir.join("clients"), name, &issued)?);
    }
    Ok(written)
}

/// The administrator's owner key and the starting policy, which admits
/// that owner alone.
fn administrator(dir: &Path) -> Result<[PathBuf; 2], String> {
    let owners = dir.join("owners");
    std::fs::create_dir_all(&owners).map_err(|e| format!("cannot create {}: {e}", owners.display()))?;
    let key_file = owners.join("admin.key");
    let admin = crate::key::write_new(&key_file, "admin")?;
    let policy = format!(
        "# The cluster's policy (docs/SECURITY.md), written by `itin init`: a node\n\
         # started with `--certs DIR` and no `--policy` reads it. Owners not listed,\n\
         # and unsigned agents, are refused. Add owners (`itin key show FILE`) and\n\
         # groups; nodes reread this file when it changes.\n\
         \n\
         [owners.admin]\n\
         key = \"{}\"   # owners/admin.key\n\
         groups = [\"admin\"]\n\
         \n\
         [groups.admin]\n\
         migrate = true\n\
         register = true\n\
         abroad = true    # its agents may send ACL to other platforms (FIPA HTTP)\n\
         operate = true   # as a client: act on every agent and on the node\n\
         # exec = [{{ program = \"date\" }}]   # programs its agents may run\n",
        admin.owner().key_text()
    );
    Ok([key_file, write_new(&dir.join("policy.toml"), &policy, false)?])
}

/// Writes NAME.pem and NAME.key in `dir` (neither may exist yet).
fn write_pair(dir: &Path, name: &str, issued: &itinerant_node::net::pki::Issued) -> Result<[PathBuf; 2], String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let (cert, key) = (dir.join(format!("{name}.pem")), dir.join(format!("{name}.key")));
    if cert.exists() || key.exists() {
        return Err(format!("{} already exists: not overwritten", cert.display()));
    }
    Ok([write_new(&key, &issued.key_pem, true)?, write_new(&cert, &issued.cert_pem, false)?])
}

/// Creates `path` (never over an existing file), 0600 when `private`.
fn write_new(path: &Path, text: &str, private: bool) -> Result<PathBuf, String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path.to_owned())
}
