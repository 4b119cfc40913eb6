//! The front file (`itin node start --front FILE`, `NodeConfig::front`):
//! which adapters this node fronts, on which back ends, how. Parsed
//! strictly (unknown fields, duplicate adapters, bad names or bounds are
//! errors).
//!
//! ```toml
//! [[service]]
//! adapter = "bank"                 # clients call itin://FRONT/bank/ID
//! backends = ["b1", "b2", "b3"]    # peers serving adapter "bank"
//! mode = "relay"                   # or "handoff"
//! policy = "round-robin"           # least-loaded, object, session
//! probe_ms = 200                   # a health probe to each back end this often
//! probe_timeout_ms = 600           # unanswered this long: taken out
//! ```

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::policy::Policy;
use crate::objects::reference::check_name;

/// Largest front file read, most services and back ends per service.
pub const MAX_FILE_BYTES: u64 = 1 << 20;
pub const MAX_SERVICES: usize = 256;
pub const MAX_BACKENDS: usize = 64;

/// Relay: requests and replies pass through the front. Handoff: the front
/// names a back end and the client calls it directly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Relay,
    Handoff,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Relay => "relay",
            Mode::Handoff => "handoff",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontConfig {
    #[serde(default)]
    pub service: Vec<FrontService>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontService {
    pub adapter: String,
    pub backends: Vec<String>,
    #[serde(default = "relay")]
    pub mode: Mode,
    #[serde(default = "round_robin")]
    pub policy: Policy,
    #[serde(default = "default_probe")]
    pub probe_ms: u64,
    #[serde(default = "default_probe_timeout")]
    pub probe_timeout_ms: u64,
}

fn relay() -> Mode {
    Mode::Relay
}
fn round_robin() -> Policy {
    Policy::RoundRobin
}
fn default_probe() -> u64 {
    200
}
fn default_probe_timeout() -> u64 {
    600
}

impl FrontService {
    pub fn probe_period(&self) -> Duration {
        Duration::from_millis(self.probe_ms)
    }
    pub fn probe_timeout(&self) -> Duration {
        Duration::from_millis(self.probe_timeout_ms)
    }
}

impl FrontConfig {
    pub fn parse(text: &str) -> Result<FrontConfig, String> {
        let c: FrontConfig = toml::from_str(text).map_err(|e| format!("front file: {e}"))?;
        c.check()?;
        Ok(c)
    }

    pub fn load(path: &Path) -> Result<FrontConfig, String> {
        let len = std::fs::metadata(path).map_err(|e| format!("front file {}: {e}", path.display()))?.len();
        if len > MAX_FILE_BYTES {
            return Err(format!("front file {} larger than {MAX_FILE_BYTES} bytes", path.display()));
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("front file {}: {e}", path.display()))?;
        FrontConfig::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The services one to check for the bounds, names and duplicates.
    pub fn check(&self) -> Result<(), String> {
        if self.service.len() > MAX_SERVICES {
            return Err(format!("front file: more than {MAX_SERVICES} services"));
        }
        let mut adapters = HashSet::new();
        for s in &self.service {
            check_name("adapter", &s.adapter)?;
            if !adapters.insert(&s.adapter) {
                return Err(format!("front file: adapter \"{}\" fronted twice", s.adapter));
            }
            if s.backends.is_empty() || s.backends.len() > MAX_BACKENDS {
                return Err(format!("front of \"{}\": 1 to {MAX_BACKENDS} back ends", s.adapter));
            }
            let mut seen = HashSet::new();
            for b in &s.backends {
                check_name("node", b)?;
                if !seen.insert(b) {
                    return Err(format!("front of \"{}\": back end \"{b}\" named twice", s.adapter));
                }
            }
            if !(10..=60_000).contains(&s.probe_ms) || !(10..=60_000).contains(&s.probe_timeout_ms) {
                return Err(format!("front of \"{}\": probe_ms and probe_timeout_ms 10..60000", s.adapter));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_front_file_parses_with_defaults() {
        let c = FrontConfig::parse(
            "[[service]]\nadapter = \"bank\"\nbackends = [\"b1\", \"b2\"]\nmode = \"handoff\"\npolicy = \"session\"\n",
        )
        .unwrap();
        let s = &c.service[0];
        assert_eq!((s.mode, s.policy, s.probe_ms, s.probe_timeout_ms), (Mode::Handoff, Policy::Session, 200, 600));
        let d = FrontConfig::parse("[[service]]\nadapter = \"x\"\nbackends = [\"b\"]\n").unwrap();
        assert_eq!((d.service[0].mode, d.service[0].policy), (Mode::Relay, Policy::RoundRobin));
    }

    #[test]
    fn bad_front_files_are_refused() {
        for bad in [
            "[[service]]\nadapter = \"x\"\nbackends = [\"b\"]\nextra = 1\n",
            "[[service]]\nadapter = \"x\"\nbackends = []\n",
            "[[service]]\nadapter = \"x\"\nbackends = [\"b\", \"b\"]\n",
            "[[service]]\nadapter = \"x y\"\nbackends = [\"b\"]\n",
            "[[service]]\nadapter = \"x\"\nbackends = [\"b\"]\nmode = \"teleport\"\n",
            "[[service]]\nadapter = \"x\"\nbackends = [\"b\"]\npolicy = \"random\"\n",
            "[[service]]\nadapter = \"x\"\nbackends = [\"b\"]\nprobe_ms = 0\n",
            "[[service]]\nadapter = \"x\"\nbackends = [\"b\"]\n[[service]]\nadapter = \"x\"\nbackends = [\"c\"]\n",
            "[limits]\n",
        ] {
            assert!(FrontConfig::parse(bad).is_err(), "{bad}");
        }
    }
}
