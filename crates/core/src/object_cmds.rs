//! The agents' `object` command: agents are clients of the object server.
//!
//! `object call ?-timeout MS? REF METHOD ?ARG ...?` calls METHOD of the
//! object REF (`itin://NODE/ADAPTER/ID`) and returns its result; a method
//! that fails raises its error. The agent waits parked, taking no worker
//! (`runtime/object_call.rs`), at most MS milliseconds (default 10 s).

use itinerant_tcl::{Exception, HostRequest, HostResult, Interp, Value};

/// Default and longest wait for an object's answer.
pub(crate) const DEFAULT_CALL_MS: u64 = 10_000;
const MAX_CALL_MS: u64 = 600_000;

fn err(msg: impl Into<String>) -> HostResult {
    HostResult::Error(Exception::error(msg))
}

/// `object SUBCOMMAND ...`.
pub(crate) fn object_cmd(_: &mut Interp, args: &[Value]) -> HostResult {
    object_words(args)
}

/// `object SUBCOMMAND ...` for any agent (no interpreter needed).
pub(crate) fn object_words(args: &[Value]) -> HostResult {
    let words: Vec<String> = args.iter().map(|a| a.as_str().into_owned()).collect();
    let usage = "wrong # args: should be \"object call ?-timeout ms? reference method ?arg ...?\"";
    match words.get(1).map(String::as_str) {
        Some("call") => {}
        Some(other) => return err(format!("bad option \"{other}\": must be call")),
        None => return err(usage),
    }
    let mut rest = &words[2..];
    let mut timeout_ms = DEFAULT_CALL_MS;
    if rest.first().map(String::as_str) == Some("-timeout") {
        match rest.get(1).map(|t| t.parse::<u64>()) {
            Some(Ok(ms)) => timeout_ms = ms.clamp(1, MAX_CALL_MS),
            _ => return err("bad -timeout: want milliseconds"),
        }
        rest = &rest[2..];
    }
    if rest.len() < 2 {
        return err(usage);
    }
    let mut request = Vec::with_capacity(1 + rest.len());
    request.push(timeout_ms.to_string());
    request.extend(rest.iter().cloned());
    HostResult::Suspend(HostRequest { command: "object_call".into(), args: request })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(words: &[&str]) -> Result<Vec<String>, String> {
        let args: Vec<Value> = words.iter().map(|w| Value::from(*w)).collect();
        match object_cmd(&mut Interp::new(), &args) {
            HostResult::Suspend(r) => Ok(r.args),
            HostResult::Error(e) => Err(e.value().as_str().into_owned()),
            HostResult::Done(v) => Ok(vec![v.as_str().into_owned()]),
        }
    }

    #[test]
    fn object_call_becomes_a_request_with_its_timeout() {
        assert_eq!(run(&["object", "call", "itin://a/b/c", "m", "x"]).unwrap(), ["10000", "itin://a/b/c", "m", "x"]);
        assert_eq!(run(&["object", "call", "-timeout", "50", "r", "m"]).unwrap(), ["50", "r", "m"]);
        assert!(run(&["object", "call", "r"]).unwrap_err().starts_with("wrong # args"));
        assert!(run(&["object", "eat"]).unwrap_err().contains("must be call"));
        assert!(run(&["object", "call", "-timeout", "x", "r", "m"]).is_err());
    }
}
