//! Blocking work done for agents off the worker threads: today `exec`.
//!
//! The seed's two-level model: agents are user-level threads on a few
//! kernel threads, so an agent that blocks in a system call must not hold a
//! worker. A worker hands such an agent (with its request) to the blocking
//! pool and goes on with others; a pool thread does the call and makes the
//! agent runnable again with the result.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Bytes of a program's output kept (stdout and stderr each).
pub const MAX_OUTPUT: usize = 1 << 20;

/// How a program run ended, when it did not give a result.
#[derive(Debug, PartialEq, Eq)]
pub enum Interrupted {
    /// The runtime is stopping: the request stays pending, to run again
    /// when the agent is resumed from its checkpoint.
    Stopping,
}

/// Runs `args[0]` with the rest as arguments, as Tcl's `exec` does in the
/// simple case: its stdout without a trailing newline, or an error with
/// its stderr (or why it could not run, or that it took too long).
pub fn run_program(
    args: &[String],
    timeout: Duration,
    stop: &AtomicBool,
) -> Result<Result<String, String>, Interrupted> {
    let Some((prog, rest)) = args.split_first() else {
        return Ok(Err("wrong # args: should be \"exec arg ?arg ...?\"".into()));
    };
    let mut child = match Command::new(prog)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            // Worded as tclsh words it.
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
                _ => e.to_string().to_lowercase(),
            };
            return Ok(Err(format!("couldn't execute \"{prog}\": {why}")));
        }
    };
    let stdout = child.stdout.take().map(read_bounded);
    let stderr = child.stderr.take().map(read_bounded);
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => return Ok(Err(format!("waiting for \"{prog}\": {e}"))),
        }
        if stop.load(Ordering::SeqCst) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Interrupted::Stopping);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(Err(format!("\"{prog}\" did not finish within {} ms and was killed", timeout.as_millis())));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let text = |r: Option<std::thread::JoinHandle<Vec<u8>>>| {
        r.and_then(|h| h.join().ok()).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
    };
    let (mut out, err) = (text(stdout), text(stderr));
    if out.ends_with('\n') {
        out.pop();
    }
    Ok(if status.success() {
        Ok(out)
    } else if err.is_empty() {
        Err("child process exited abnormally".into())
    } else {
        Err(err.trim_end().to_owned())
    })
}

/// Reads a pipe to its end on a thread of its own, keeping the first
/// `MAX_OUTPUT` bytes (the rest is drained so the child never blocks).
fn read_bounded(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            let room = MAX_OUTPUT.saturating_sub(kept.len());
            kept.extend_from_slice(&buf[..n.min(room)]);
        }
        kept
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], timeout_ms: u64) -> Result<String, String> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        run_program(&args, Duration::from_millis(timeout_ms), &AtomicBool::new(false)).unwrap()
    }

    #[test]
    fn output_status_and_errors() {
        assert_eq!(run(&["echo", "hi", "there"], 5000), Ok("hi there".into()));
        assert_eq!(run(&["sh", "-c", "echo oops >&2; exit 3"], 5000), Err("oops".into()));
        assert_eq!(run(&["false"], 5000), Err("child process exited abnormally".into()));
        let e = run(&["/no/such/program"], 5000).unwrap_err();
        assert_eq!(e, "couldn't execute \"/no/such/program\": no such file or directory");
    }

    #[test]
    fn a_program_that_takes_too_long_is_killed() {
        let t = Instant::now();
        let e = run(&["sleep", "10"], 200).unwrap_err();
        assert!(e.contains("did not finish within 200 ms"), "{e}");
        assert!(t.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn output_is_bounded() {
        let out = run(&["sh", "-c", "head -c 3000000 /dev/zero"], 10_000).unwrap();
        assert_eq!(out.len(), MAX_OUTPUT);
    }

    #[test]
    fn stopping_interrupts_without_a_result() {
        let stop = AtomicBool::new(true);
        let r = run_program(&["sleep".into(), "10".into()], Duration::from_secs(10), &stop);
        assert_eq!(r, Err(Interrupted::Stopping));
    }
}
