//! The host side of `itin tcl`: host commands (`after`, `exec`), the run
//! loop that serves their requests, and `--migrate-every`.

use std::process::ExitCode;
use std::time::Duration;

use itinerant_tcl::{HostRequest, HostResult, Interp, Outcome, Value};

/// Longest `after` sleep honoured, so a script cannot hang the host forever
/// on one request.
const MAX_SLEEP_MS: u64 = 24 * 3600 * 1000;

/// Instructions per `run` call when not migrating (bounds the time between
/// host checks).
const RUN_SLICE: u64 = 1 << 24;

/// An interpreter with `itin tcl`'s host commands.
pub fn new_interp() -> Interp {
    let mut interp = Interp::new();
    install_host_commands(&mut interp, true);
    interp
}

/// (Re)installs the host commands; `register` also creates the command
/// names (a restored interpreter already has them).
fn install_host_commands(interp: &mut Interp, register: bool) {
    let after: itinerant_tcl::interp::HostFn = Box::new(|_, args: &[Value]| after_cmd(args));
    let exec: itinerant_tcl::interp::HostFn = Box::new(|_, args: &[Value]| exec_cmd(args));
    if register {
        interp.register_host("after", after);
        interp.register_host("exec", exec);
    } else {
        interp.provide_host("after", after);
        interp.provide_host("exec", exec);
    }
}

fn after_cmd(args: &[Value]) -> HostResult {
    if args.len() != 2 {
        return HostResult::Error(itinerant_tcl::Exception::error(
            "wrong # args: should be \"after ms\" (only the sleeping form is supported)",
        ));
    }
    match args[1].as_int() {
        Ok(ms) if ms > 0 => HostResult::Suspend(HostRequest { command: "after".into(), args: vec![ms.to_string()] }),
        Ok(_) => HostResult::Done(Value::empty()),
        Err(_) => HostResult::Error(itinerant_tcl::Exception::error(format!(
            "bad argument \"{}\": must be cancel, idle, info, or an integer",
            args[1].as_str()
        ))),
    }
}

/// `exec` as tclsh's for the simple case: runs a program with arguments,
/// returns its stdout without the trailing newline; errors when it fails.
fn exec_cmd(args: &[Value]) -> HostResult {
    if args.len() < 2 {
        return HostResult::Error(itinerant_tcl::Exception::error(
            "wrong # args: should be \"exec ?-option ...? arg ?arg ...?\"",
        ));
    }
    HostResult::Suspend(HostRequest {
        command: "exec".into(),
        args: args[1..].iter().map(|a| a.as_str().into_owned()).collect(),
    })
}

/// Serves a host request; the result resumes the VM.
fn serve(req: &HostRequest) -> Result<String, String> {
    match req.command.as_str() {
        "after" => {
            let ms: u64 = req.args.first().and_then(|a| a.parse().ok()).unwrap_or(0);
            std::thread::sleep(Duration::from_millis(ms.min(MAX_SLEEP_MS)));
            Ok(String::new())
        }
        "exec" => {
            let never = std::sync::atomic::AtomicBool::new(false);
            itinerant_core::blocking::run_program(&req.args, Duration::from_millis(MAX_SLEEP_MS), &never)
                .unwrap_or_else(|_| Err("interrupted".into()))
        }
        other => Err(format!("unknown host request \"{other}\"")),
    }
}

/// Runs a script file as tclsh does; returns the process exit code.
pub fn run_file(file: &str, args: &[String], migrate_every: Option<u64>, memory_quota: Option<usize>) -> ExitCode {
    let source = match std::fs::read(file) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => {
            eprintln!("couldn't read file \"{file}\": {}", e.to_string().to_lowercase());
            return ExitCode::from(1);
        }
    };
    let mut interp = new_interp();
    interp.set_global("argv0", file);
    interp.set_global("argc", &args.len().to_string());
    let argv: Vec<Value> = args.iter().map(|a| Value::from(a.as_str())).collect();
    interp.set_global("argv", &Value::list(argv).as_str());
    interp.script_name = file.to_owned();
    interp.start(&source, Some(file));
    interp.set_memory_limit(memory_quota);
    let slice = migrate_every.unwrap_or(RUN_SLICE);
    loop {
        match interp.run(slice) {
            Outcome::Finished(_) => {
                interp.flush_output();
                return ExitCode::SUCCESS;
            }
            Outcome::Error(e) => {
                interp.flush_output();
                eprintln!("{}", e.error_info);
                return ExitCode::from(1);
            }
            Outcome::Exit(status) => {
                interp.flush_output();
                return ExitCode::from(status as u8);
            }
            Outcome::OutOfBudget => {
                if migrate_every.is_some() {
                    interp = match migrate(interp) {
                        // The quota is the host's, not the snapshot's.
                        Ok(mut i) => {
                            i.set_memory_limit(memory_quota);
                            i
                        }
                        Err(msg) => {
                            eprintln!("itin: migration failed: {msg}");
                            return ExitCode::from(2);
                        }
                    };
                }
            }
            Outcome::Request(req) => {
                let r = serve(&req);
                if let Err(msg) = interp.resume(r) {
                    eprintln!("itin: {msg}");
                    return ExitCode::from(2);
                }
            }
        }
    }
}

/// Moves the whole VM through bytes into a fresh interpreter.
fn migrate(mut interp: Interp) -> Result<Interp, String> {
    let bytes = itinerant_tcl::snapshot::save(&interp).map_err(|e| e.to_string())?;
    let output = interp.take_output();
    drop(interp);
    let mut fresh = itinerant_tcl::snapshot::restore(&bytes).map_err(|e| e.to_string())?;
    fresh.set_output(output);
    install_host_commands(&mut fresh, false);
    Ok(fresh)
}

/// Evaluates one interactive command; host requests are served inline.
pub fn eval_interactive(interp: &mut Interp, script: &str) -> Result<String, String> {
    interp.start(script, None);
    loop {
        match interp.run(RUN_SLICE) {
            Outcome::Finished(r) => return Ok(r),
            Outcome::Error(e) => return Err(e.message),
            Outcome::Exit(status) => std::process::exit(status),
            Outcome::OutOfBudget => {}
            Outcome::Request(req) => {
                let r = serve(&req);
                interp.resume(r)?;
            }
        }
    }
}
