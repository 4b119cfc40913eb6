//! The `package` command of agents: `require`, `provide`, `present`,
//! `versions`, `vcompare`, `vsatisfies`.
//!
//! `package require fipa` defines the built-in FIPA protocol procs. Any
//! other package is a library published on some node (code on demand):
//! the runtime asks the node for it (`runtime/library.rs`) and the agent
//! evaluates its script at the global level. The packages an agent has
//! loaded are the global array `agent_packages` (name -> version), so the
//! set is plain interpreter state: it survives checkpoints and travels
//! with the agent when it jumps, and a second `require` does not reload.

use std::sync::Weak;

use itinerant_tcl::{Exception, HostRequest, HostResult, Interp, Value};

use crate::agent_cmds::AgentContext;
use crate::library::{check_name, compare, parse_version, unfound_message, Library, Requirement};
use crate::runtime::Shared;

/// The global array of loaded packages (name -> version).
pub const LOADED_ARRAY: &str = "agent_packages";

fn err(msg: impl Into<String>) -> HostResult {
    HostResult::Error(Exception::error(msg))
}

fn loaded_version(interp: &Interp, name: &str) -> Option<String> {
    interp.global_var(&format!("{LOADED_ARRAY}({name})"))
}

/// The script that loads `lib` into an agent, run at the global level: the
/// library's script, then the version recorded as loaded, which is the
/// result (so `package require` returns it). A library that fails to load
/// is not recorded.
pub(crate) fn load_script(lib: &Library) -> String {
    let eval = Value::list(vec![Value::from("eval"), Value::from(lib.script.as_str())]);
    let mark = Value::list(vec![
        Value::from("set"),
        Value::from(format!("{LOADED_ARRAY}({})", lib.name)),
        Value::from(lib.version.as_str()),
    ]);
    format!("{}\n{}", eval.as_str(), mark.as_str())
}

/// `package SUBCOMMAND ...`.
pub(crate) fn package_cmd(interp: &mut Interp, args: &[Value]) -> HostResult {
    let words: Vec<String> = args.iter().map(|a| a.as_str().into_owned()).collect();
    let sub = words.get(1).map(String::as_str).unwrap_or("");
    let rest = words.get(2..).unwrap_or(&[]);
    match sub {
        "require" => require(interp, rest),
        "present" => present(interp, rest),
        "provide" => provide(interp, rest),
        "versions" => match rest {
            [name] => {
                let shared = interp.context::<AgentContext>().map(|c| c.shared.clone()).unwrap_or_else(Weak::new);
                versions(&shared, name)
            }
            _ => err("wrong # args: should be \"package versions package\""),
        },
        "vcompare" => match rest {
            [a, b] => match compare(a, b) {
                Ok(c) => HostResult::Done(Value::int(c as i64)),
                Err(e) => err(e),
            },
            _ => err("wrong # args: should be \"package vcompare version1 version2\""),
        },
        "vsatisfies" => match rest {
            [v, r] => match (parse_version(v), Requirement::parse(r, false)) {
                (Ok(v), Ok(r)) => HostResult::Done(Value::int(r.satisfied_by(&v) as i64)),
                (Err(e), _) | (_, Err(e)) => err(e),
            },
            _ => err("wrong # args: should be \"package vsatisfies version requirement\""),
        },
        _ => err(format!("bad option \"{sub}\": must be present, provide, require, vcompare, versions, or vsatisfies")),
    }
}

/// `?-exact? NAME ?REQUIREMENT?` of `require` and `present`.
fn name_and_requirement(sub: &str, words: &[String]) -> Result<(String, Requirement), String> {
    let usage = || format!("wrong # args: should be \"package {sub} ?-exact? package ?requirement?\"");
    match words {
        [exact, name, v] if exact == "-exact" => Ok((name.clone(), Requirement::parse(v, true)?)),
        [name] => Ok((name.clone(), Requirement::Any)),
        [name, r] if name != "-exact" => Ok((name.clone(), Requirement::parse(r, false)?)),
        _ => Err(usage()),
    }
}

/// `package require ?-exact? NAME ?REQUIREMENT?`: a loaded package's
/// version; fipa; otherwise the runtime finds, fetches and loads it.
fn require(interp: &mut Interp, words: &[String]) -> HostResult {
    let (name, req) = match name_and_requirement("require", words) {
        Ok(r) => r,
        Err(e) => return err(e),
    };
    if let Some(have) = loaded_version(interp, &name) {
        if req.satisfied_by_text(&have) {
            return HostResult::Done(Value::from(have));
        }
        return err(format!("version conflict for package \"{name}\": have {have}, need {req}"));
    }
    if name == "fipa" {
        return require_fipa(interp, &req);
    }
    if check_name(&name).is_err() {
        return err(unfound_message(&name, &req));
    }
    HostResult::Suspend(HostRequest { command: "package_require".into(), args: vec![name, req.encode()] })
}

/// `package require fipa`: the FIPA protocol procs, built in.
fn require_fipa(interp: &mut Interp, req: &Requirement) -> HostResult {
    if !req.satisfied_by_text(crate::fipa::VERSION) {
        return err(unfound_message("fipa", req));
    }
    if !interp.has_command("fipa_request") {
        for (n, params, body) in crate::fipa::PROCS {
            if let Err(e) = interp.define_proc(n, params, body) {
                return err(format!("package fipa: {e}"));
            }
        }
    }
    if let Err(e) = interp.set_global_var(&format!("{LOADED_ARRAY}(fipa)"), crate::fipa::VERSION) {
        return err(e);
    }
    HostResult::Done(Value::from(crate::fipa::VERSION))
}

/// `package present ?-exact? NAME ?REQUIREMENT?`: the loaded version, or
/// an error.
fn present(interp: &mut Interp, words: &[String]) -> HostResult {
    let (name, req) = match name_and_requirement("present", words) {
        Ok(r) => r,
        Err(e) => return err(e),
    };
    match loaded_version(interp, &name) {
        Some(have) if req.satisfied_by_text(&have) => HostResult::Done(Value::from(have)),
        Some(have) => err(format!("version conflict for package \"{name}\": have {have}, need {req}")),
        None => err(format!("package {name} is not present")),
    }
}

/// `package provide NAME ?VERSION?`: records the package as loaded (a
/// library's script may say so itself), or tells the loaded version ("").
fn provide(interp: &mut Interp, words: &[String]) -> HostResult {
    match words {
        [name] => HostResult::Done(Value::from(loaded_version(interp, name).unwrap_or_default())),
        [name, version] => {
            if let Err(e) = check_name(name).and_then(|_| parse_version(version)) {
                return err(e);
            }
            match loaded_version(interp, name) {
                Some(have) if &have != version => {
                    err(format!("conflicting versions provided for package \"{name}\": {have}, then {version}"))
                }
                _ => match interp.set_global_var(&format!("{LOADED_ARRAY}({name})"), version) {
                    Ok(()) => HostResult::Done(Value::empty()),
                    Err(e) => err(e),
                },
            }
        }
        _ => err("wrong # args: should be \"package provide package ?version?\""),
    }
}

/// `package versions NAME`: the versions this node has (published here or
/// cached from other nodes), lowest first.
fn versions(shared: &Weak<Shared>, name: &str) -> HostResult {
    let mut found: Vec<String> = match shared.upgrade().and_then(|s| s.router()) {
        Some(r) => r.library_versions(name),
        None => Vec::new(),
    };
    if name == "fipa" {
        found.push(crate::fipa::VERSION.to_owned());
    }
    found.sort_by(|a, b| compare(a, b).unwrap_or(0).cmp(&0));
    HostResult::Done(Value::list(found.into_iter().map(Value::from).collect()))
}
