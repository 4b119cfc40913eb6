//! The services file (`itin node start --services FILE`): which services
//! the node offers, parsed strictly (unknown fields, duplicate names or
//! ports, a service with no target or two are errors).
//!
//! ```toml
//! [limits]
//! max_processes = 64           # programs running at once, all services
//!
//! [[service]]
//! name = "upper"
//! program = ["/usr/bin/tr", "a-z", "A-Z"]   # absolute path, then arguments
//! mode = "nowait"              # one process per connection (default)
//! port = 0                     # a port of its own (0: any); absent: the node's port
//! max_connections = 16         # open at once (default 32)
//! timeout_ms = 60000           # longest life of a connection or process
//!
//! [[service]]
//! name = "bank"
//! adapter = "bank"             # lines `ID METHOD ARG...` call the adapter's objects
//!
//! [[service]]
//! name = "echo"
//! agent = "echo"               # the agent registered under this name
//! handle = "endpoint1"         # which of its endpoints (default: its only one)
//! ```
//!
//! Only the node's operator writes this file: it is the one place from
//! which the node executes programs (agents never name one here).

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

/// Largest services file read.
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// Most services one node offers.
pub const MAX_SERVICES: usize = 256;
/// Most arguments of a program, and the longest one.
pub const MAX_ARGS: usize = 256;
pub const MAX_ARG_BYTES: usize = 4096;
/// Bounds of `max_connections` and `timeout_ms`.
pub const MAX_CONNECTIONS: usize = 1024;
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);
const DEFAULT_CONNECTIONS: usize = 32;
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_PROCESSES: usize = 64;

/// How a program serves connections (inetd's two modes, `docs/OBJECTS.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One process per connection, the connection as stdin and stdout.
    Nowait,
    /// One process at a time, given the listening socket as stdin: it
    /// accepts connections itself; the node watches the port again when
    /// it exits.
    Wait,
}

/// What serves a service's connections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An external program (`argv[0]` an absolute path).
    Program { argv: Vec<String>, mode: Mode },
    /// The objects of an adapter of this node, one call per line.
    Adapter(String),
    /// An agent of this node (by registered name) and one of its
    /// listening endpoints (none: its only one here).
    Agent { name: String, handle: Option<String> },
}

impl Target {
    /// The kind as listed: `program`, `program-wait`, `adapter`, `agent`.
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Program { mode: Mode::Nowait, .. } => "program",
            Target::Program { mode: Mode::Wait, .. } => "program-wait",
            Target::Adapter(_) => "adapter",
            Target::Agent { .. } => "agent",
        }
    }

    /// What it names: the command line, the adapter, the agent.
    pub fn describe(&self) -> String {
        match self {
            Target::Program { argv, .. } => argv.join(" "),
            Target::Adapter(a) => a.clone(),
            Target::Agent { name, handle: Some(h) } => format!("{name} {h}"),
            Target::Agent { name, handle: None } => name.clone(),
        }
    }
}

/// One service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceSpec {
    pub name: String,
    pub target: Target,
    /// A port of its own (0: any free one); none: reached through the
    /// node's port (`Connect NAME`).
    pub port: Option<u16>,
    pub max_connections: usize,
    /// Longest life of one connection (and of the program serving it).
    pub timeout: Duration,
}

/// The whole file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicesConfig {
    pub services: Vec<ServiceSpec>,
    /// Programs running at once over all services.
    pub max_processes: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    service: Vec<RawService>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_processes: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    name: String,
    program: Option<Vec<String>>,
    mode: Option<String>,
    adapter: Option<String>,
    agent: Option<String>,
    handle: Option<String>,
    port: Option<u16>,
    max_connections: Option<usize>,
    timeout_ms: Option<u64>,
}

/// A service name: 1–64 of letters, digits, `.`, `_`, `-`.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    match ok {
        true => Ok(()),
        false => Err(format!("bad service name \"{name}\": 1 to 64 letters, digits, '.', '_' or '-'")),
    }
}

fn target(s: &RawService, tls: bool) -> Result<Target, String> {
    if s.mode.is_some() && s.program.is_none() {
        return Err("mode is for programs only".into());
    }
    if s.handle.is_some() && s.agent.is_none() {
        return Err("handle is for agents only".into());
    }
    match (&s.program, &s.adapter, &s.agent) {
        (Some(argv), None, None) => {
            let mode = match s.mode.as_deref() {
                None | Some("nowait") => Mode::Nowait,
                Some("wait") => Mode::Wait,
                Some(m) => return Err(format!("bad mode \"{m}\": must be nowait or wait")),
            };
            match argv.first() {
                None => return Err("program is empty: give [\"/path/to/program\", args...]".into()),
                Some(p) if !Path::new(p).is_absolute() => {
                    return Err(format!("program \"{p}\" is not an absolute path"))
                }
                Some(_) => {}
            }
            if argv.len() > MAX_ARGS || argv.iter().any(|a| a.len() > MAX_ARG_BYTES || a.contains('\0')) {
                return Err(format!("at most {MAX_ARGS} arguments of at most {MAX_ARG_BYTES} bytes, without NUL"));
            }
            if mode == Mode::Wait && s.port.is_none() {
                return Err("a wait service takes its listening socket: it needs a port of its own".into());
            }
            if mode == Mode::Wait && tls {
                return Err("a wait service gets the raw listening socket, which would bypass TLS: \
                     only on a node started with --insecure-loopback"
                    .into());
            }
            Ok(Target::Program { argv: argv.clone(), mode })
        }
        (None, Some(adapter), None) => Ok(Target::Adapter(adapter.clone())),
        (None, None, Some(agent)) => Ok(Target::Agent { name: agent.clone(), handle: s.handle.clone() }),
        _ => Err("give exactly one of program, adapter or agent".into()),
    }
}

impl ServicesConfig {
    /// Parses a services file; `tls`: the node runs mutual TLS.
    pub fn parse(text: &str, tls: bool) -> Result<ServicesConfig, String> {
        let raw: RawFile = toml::from_str(text).map_err(|e| e.to_string())?;
        if raw.service.len() > MAX_SERVICES {
            return Err(format!("more than {MAX_SERVICES} services"));
        }
        let mut names = HashSet::new();
        let mut ports = HashSet::new();
        let mut services = Vec::new();
        for s in &raw.service {
            check_name(&s.name)?;
            let why = |e: String| format!("service {}: {e}", s.name);
            if !names.insert(s.name.as_str()) {
                return Err(why("declared twice".into()));
            }
            if let Some(p) = s.port.filter(|p| *p != 0) {
                if !ports.insert(p) {
                    return Err(why(format!("port {p} is taken by another service")));
                }
            }
            let target = target(s, tls).map_err(why)?;
            let max_connections = s.max_connections.unwrap_or(DEFAULT_CONNECTIONS);
            if !(1..=MAX_CONNECTIONS).contains(&max_connections) {
                return Err(why(format!("max_connections must be 1 to {MAX_CONNECTIONS}")));
            }
            let timeout = s.timeout_ms.map(Duration::from_millis).unwrap_or(DEFAULT_TIMEOUT);
            if timeout.is_zero() || timeout > MAX_TIMEOUT {
                return Err(why(format!("timeout_ms must be 1 to {}", MAX_TIMEOUT.as_millis())));
            }
            services.push(ServiceSpec { name: s.name.clone(), target, port: s.port, max_connections, timeout });
        }
        let max_processes = raw.limits.max_processes.unwrap_or(DEFAULT_PROCESSES);
        if !(1..=4096).contains(&max_processes) {
            return Err("limits.max_processes must be 1 to 4096".into());
        }
        Ok(ServicesConfig { services, max_processes })
    }

    /// Reads and parses a services file, and checks that each program is
    /// a file there (it may still fail to start: that is told to its clients).
    pub fn load(path: &Path, tls: bool) -> Result<ServicesConfig, String> {
        let at = |e: String| format!("services {}: {e}", path.display());
        let meta = std::fs::metadata(path).map_err(|e| at(e.to_string()))?;
        if meta.len() > MAX_FILE_BYTES {
            return Err(at(format!("over {MAX_FILE_BYTES} bytes")));
        }
        let text = std::fs::read_to_string(path).map_err(|e| at(e.to_string()))?;
        let config = ServicesConfig::parse(&text, tls).map_err(at)?;
        for s in &config.services {
            if let Target::Program { argv, .. } = &s.target {
                match std::fs::metadata(&argv[0]) {
                    Ok(m) if m.is_file() => {}
                    Ok(_) => return Err(at(format!("service {}: program {} is not a file", s.name, argv[0]))),
                    Err(e) => return Err(at(format!("service {}: program {}: {e}", s.name, argv[0]))),
                }
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Result<ServiceSpec, String> {
        ServicesConfig::parse(text, false).map(|c| c.services[0].clone())
    }

    #[test]
    fn each_kind_parses_with_defaults() {
        let c = ServicesConfig::parse(
            r#"
            [limits]
            max_processes = 8
            [[service]]
            name = "upper"
            program = ["/usr/bin/tr", "a-z", "A-Z"]
            port = 0
            [[service]]
            name = "w"
            program = ["/bin/cat"]
            mode = "wait"
            port = 7000
            max_connections = 2
            timeout_ms = 500
            [[service]]
            name = "bank"
            adapter = "bank"
            [[service]]
            name = "echo"
            agent = "echo"
            handle = "endpoint1"
            "#,
            false,
        )
        .unwrap();
        assert_eq!(c.max_processes, 8);
        let [upper, w, bank, echo] = &c.services[..] else { panic!("{c:?}") };
        assert_eq!(upper.target.kind(), "program");
        assert_eq!(upper.target.describe(), "/usr/bin/tr a-z A-Z");
        assert_eq!((upper.port, upper.max_connections, upper.timeout), (Some(0), 32, Duration::from_secs(60)));
        assert_eq!(w.target, Target::Program { argv: vec!["/bin/cat".into()], mode: Mode::Wait });
        assert_eq!((w.max_connections, w.timeout), (2, Duration::from_millis(500)));
        assert_eq!((bank.target.clone(), bank.port), (Target::Adapter("bank".into()), None));
        assert_eq!(echo.target, Target::Agent { name: "echo".into(), handle: Some("endpoint1".into()) });
    }

    #[test]
    fn mistakes_are_errors() {
        let cases = [
            ("[[service]]\nname = \"a\"\nprogramm = [\"/bin/cat\"]", "unknown field"),
            ("[[service]]\nname = \"a\"", "exactly one"),
            ("[[service]]\nname = \"a\"\nadapter = \"x\"\nagent = \"y\"", "exactly one"),
            ("[[service]]\nname = \"a b\"\nadapter = \"x\"", "bad service name"),
            ("[[service]]\nname = \"a\"\nprogram = []", "empty"),
            ("[[service]]\nname = \"a\"\nprogram = [\"cat\"]", "absolute"),
            ("[[service]]\nname = \"a\"\nprogram = [\"/bin/cat\"]\nmode = \"sometimes\"", "bad mode"),
            ("[[service]]\nname = \"a\"\nprogram = [\"/bin/cat\"]\nmode = \"wait\"", "port of its own"),
            ("[[service]]\nname = \"a\"\nadapter = \"x\"\nmode = \"wait\"", "programs only"),
            ("[[service]]\nname = \"a\"\nadapter = \"x\"\nhandle = \"h\"", "agents only"),
            ("[[service]]\nname = \"a\"\nadapter = \"x\"\nmax_connections = 0", "max_connections"),
            ("[[service]]\nname = \"a\"\nadapter = \"x\"\ntimeout_ms = 0", "timeout_ms"),
            ("[[service]]\nname = \"a\"\nadapter = \"x\"\n[[service]]\nname = \"a\"\nadapter = \"y\"", "twice"),
            (
                "[[service]]\nname = \"a\"\nadapter = \"x\"\nport = 9\n[[service]]\nname = \"b\"\nadapter = \"y\"\nport = 9",
                "port 9",
            ),
            ("[limits]\nmax_processes = 0", "max_processes"),
        ];
        for (text, expected) in cases {
            let e = one(text).unwrap_err();
            assert!(e.contains(expected), "{text}: {e}");
        }
    }

    #[test]
    fn wait_services_need_a_plain_node() {
        let text = "[[service]]\nname = \"w\"\nprogram = [\"/bin/cat\"]\nmode = \"wait\"\nport = 0";
        assert!(ServicesConfig::parse(text, false).is_ok());
        assert!(ServicesConfig::parse(text, true).unwrap_err().contains("bypass TLS"));
    }

    #[test]
    fn a_missing_program_is_refused_at_load() {
        let dir = std::env::temp_dir().join(format!("itin-services-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("services.toml");
        std::fs::write(&path, "[[service]]\nname = \"gone\"\nprogram = [\"/no/such/program\"]").unwrap();
        let e = ServicesConfig::load(&path, false).unwrap_err();
        assert!(e.contains("service gone: program /no/such/program: No such file"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
