//! Servants: what serves an object's calls.
//!
//! A Tcl servant is a script whose procs are the object's methods; its
//! state is the script's global variables. Each servant has an interpreter
//! of its own, run a slice of instructions at a time: between slices the
//! call checks its cancel flag and deadline, so a servant in an endless
//! loop is stopped within one slice (well under a millisecond) and never
//! keeps a thread past its deadline. A servant's whole state is its
//! interpreter's snapshot (`itinerant_tcl::snapshot`), which is what a
//! `persistent` adapter keeps in the store and what `object move` carries.
//!
//! Rust servants implement [`Servant`] directly (see `stub.rs` for the
//! macro that makes one from a trait).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use itinerant_tcl::{Exception, HostRequest, HostResult, Interp, Outcome, Value};

/// Instructions run between two checks of the cancel flag and deadline.
const SLICE: u64 = 10_000;
/// Longest a servant's script may take to set itself up.
const SETUP_TIME: Duration = Duration::from_secs(5);
/// Longest sleep step of `after` between checks of the cancel flag.
const SLEEP_STEP: Duration = Duration::from_millis(2);
/// The global variable that holds a `per-call` servant's cookie state.
pub const COOKIE_VAR: &str = "cookie";
/// Largest servant script.
pub const MAX_SCRIPT: usize = 1 << 20;

/// What a running call is told from outside: cancel, and when to give up.
#[derive(Clone, Debug)]
pub struct CallControl {
    pub cancel: Arc<AtomicBool>,
    pub deadline: Instant,
}

impl CallControl {
    pub fn new(timeout: Duration) -> CallControl {
        CallControl { cancel: Arc::new(AtomicBool::new(false)), deadline: Instant::now() + timeout }
    }

    /// Why the call must stop now, if it must.
    pub fn check(&self) -> Result<(), String> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err("call cancelled".into());
        }
        if Instant::now() >= self.deadline {
            return Err("call deadline passed".into());
        }
        Ok(())
    }
}

/// Anything that serves an object's calls.
pub trait Servant: Send {
    /// Runs `method` with `args`; checks `ctl` if it runs long.
    fn call(&mut self, method: &str, args: &[String], ctl: &CallControl) -> Result<String, String>;

    /// Event-driven serving (`organisation=event`): begins a call and runs
    /// it until it ends, used its slice, or must wait. By default the whole
    /// call runs at once.
    fn begin(&mut self, method: &str, args: &[String], ctl: &CallControl) -> Step {
        Step::Done(self.call(method, args, ctl))
    }

    /// Continues a call that `begin` (or `proceed`) left `Yield`ed or
    /// `Sleep`ing.
    fn proceed(&mut self, _ctl: &CallControl) -> Step {
        Step::Done(Err("this servant has no call to continue".into()))
    }

    /// Before a call of a `per-call` servant: the state the client brought
    /// back in its signed cookie (empty: none).
    fn enter_cookie(&mut self, _state: &str) {}

    /// After the call: the state to hand out in the next cookie; none:
    /// the servant keeps no client state.
    fn leave_cookie(&self) -> Option<String> {
        None
    }

    /// The servant's state as bytes (kept by `persistent` adapters and
    /// carried by `object move`); none: it has no state worth keeping.
    fn state(&self) -> Option<Vec<u8>> {
        None
    }

    /// The methods that change nothing: clients of an adapter with
    /// `caching=…` may keep their results (`tracking.rs`); every other
    /// method counts as mutating and invalidates the copies.
    fn read_only_methods(&self) -> Vec<String> {
        Vec::new()
    }
}

/// How far an event-driven call got (`Servant::begin`/`proceed`).
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    Done(Result<String, String>),
    /// It used its slice; more to run.
    Yield,
    /// It waits until then (`after`); others may run meanwhile.
    Sleep(Instant),
}

/// What an object is made of: a Tcl script, or a Rust type registered on
/// the node by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    Tcl(String),
    Rust(String),
}

/// A servant written in Tcl.
pub struct TclServant {
    interp: Interp,
    /// Suspended in `after`: resumed by the next step.
    sleeping: bool,
}

/// Servant output goes nowhere: a servant has no console.
struct Discard;

impl itinerant_tcl::interp::Output for Discard {
    fn write(&mut self, _channel: &str, _text: &str) -> Result<(), String> {
        Ok(())
    }
}

fn after_cmd(_: &mut Interp, args: &[Value]) -> HostResult {
    match args.get(1).map(|a| a.as_int()) {
        Some(Ok(ms)) if args.len() == 2 => {
            HostResult::Suspend(HostRequest { command: "after".into(), args: vec![ms.max(0).to_string()] })
        }
        _ => HostResult::Error(Exception::error("wrong # args: should be \"after ms\"")),
    }
}

impl TclServant {
    /// A servant running `script` (its procs become the methods).
    pub fn new(script: &str) -> Result<TclServant, String> {
        if script.len() > MAX_SCRIPT {
            return Err(format!("servant script larger than {MAX_SCRIPT} bytes"));
        }
        let mut interp = Interp::new();
        interp.set_output(Box::new(Discard));
        interp.register_host("after", Box::new(after_cmd));
        let mut servant = TclServant { interp, sleeping: false };
        servant.interp.start(script, Some("servant"));
        servant.run(&CallControl::new(SETUP_TIME)).map_err(|e| format!("servant script failed: {e}"))?;
        Ok(servant)
    }

    /// A servant brought back from its state.
    pub fn restore(state: &[u8]) -> Result<TclServant, String> {
        let mut interp = itinerant_tcl::snapshot::restore(state).map_err(|e| format!("servant state: {e}"))?;
        interp.limits = Default::default();
        interp.set_output(Box::new(Discard));
        interp.provide_host("after", Box::new(after_cmd));
        if !interp.is_idle() {
            return Err("servant state is in the middle of a call".into());
        }
        Ok(TclServant { interp, sleeping: false })
    }

    /// Runs the started script to its end, a slice at a time, serving
    /// `after` as a sleep that a cancel or the deadline cuts short.
    fn run(&mut self, ctl: &CallControl) -> Result<String, String> {
        loop {
            match self.step(ctl) {
                Step::Done(result) => return result,
                Step::Yield => {}
                Step::Sleep(until) => {
                    while Instant::now() < until && ctl.check().is_ok() {
                        std::thread::sleep(SLEEP_STEP.min(until.saturating_duration_since(Instant::now())));
                    }
                }
            }
        }
    }

    /// One slice of the started script (after waking it from `after`).
    fn step(&mut self, ctl: &CallControl) -> Step {
        if std::mem::take(&mut self.sleeping) {
            let _ = self.interp.resume(Ok(String::new()));
        }
        if let Err(why) = ctl.check() {
            // Leave the interpreter idle for the next call.
            self.interp.start("", None);
            return Step::Done(Err(why));
        }
        match self.interp.run(SLICE) {
            Outcome::Finished(result) => Step::Done(Ok(result)),
            Outcome::Error(e) => Step::Done(Err(e.message)),
            Outcome::OutOfBudget => Step::Yield,
            Outcome::Exit(code) => {
                self.interp.start("", None);
                Step::Done(Err(format!("servant called exit {code}")))
            }
            Outcome::Request(req) => {
                let ms = req.args.first().and_then(|a| a.parse::<u64>().ok()).unwrap_or(0);
                self.sleeping = true;
                Step::Sleep(Instant::now() + Duration::from_millis(ms))
            }
        }
    }

    /// Starts `method` (only the script's own procs are methods, not
    /// `exit`, `proc`, ...).
    fn start_call(&mut self, method: &str, args: &[String]) -> Result<(), String> {
        if self.interp.proc_definition(method).is_err() {
            return Err(format!("no method \"{method}\""));
        }
        let mut words = Vec::with_capacity(1 + args.len());
        words.push(Value::from(method));
        words.extend(args.iter().map(|a| Value::from(a.as_str())));
        self.interp.start(&Value::list(words).as_str(), None);
        Ok(())
    }
}

impl Servant for TclServant {
    fn call(&mut self, method: &str, args: &[String], ctl: &CallControl) -> Result<String, String> {
        self.start_call(method, args)?;
        self.run(ctl)
    }

    fn begin(&mut self, method: &str, args: &[String], ctl: &CallControl) -> Step {
        match self.start_call(method, args) {
            Ok(()) => self.step(ctl),
            Err(why) => Step::Done(Err(why)),
        }
    }

    fn proceed(&mut self, ctl: &CallControl) -> Step {
        self.step(ctl)
    }

    /// The cookie is the global variable `cookie`.
    fn enter_cookie(&mut self, state: &str) {
        self.interp.set_global(COOKIE_VAR, state);
    }

    fn leave_cookie(&self) -> Option<String> {
        self.interp.global_var(COOKIE_VAR)
    }

    fn state(&self) -> Option<Vec<u8>> {
        itinerant_tcl::snapshot::save(&self.interp).ok()
    }

    /// The Tcl list in the global variable `readonly` (set by the script).
    fn read_only_methods(&self) -> Vec<String> {
        let list = self.interp.global_var(READ_ONLY_VAR).unwrap_or_default();
        itinerant_tcl::list::parse_list(&list).map(|l| l.iter().map(|v| v.to_string()).collect()).unwrap_or_default()
    }
}

/// The global variable in which a Tcl servant names its read-only methods.
pub const READ_ONLY_VAR: &str = "readonly";

#[cfg(test)]
mod tests {
    use super::*;

    const COUNTER: &str = "set n 0\nproc add {k} { global n; incr n $k }\nproc spin {} { while 1 {} }";

    fn call(s: &mut TclServant, method: &str, args: &[&str]) -> Result<String, String> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        s.call(method, &args, &CallControl::new(Duration::from_secs(5)))
    }

    #[test]
    fn procs_are_methods_and_globals_are_state() {
        let mut s = TclServant::new(COUNTER).unwrap();
        assert_eq!(call(&mut s, "add", &["2"]), Ok("2".into()));
        assert_eq!(call(&mut s, "add", &["3"]), Ok("5".into()));
        assert_eq!(call(&mut s, "set", &["n", "0"]), Err("no method \"set\"".into()));
        assert_eq!(call(&mut s, "add", &[]).unwrap_err(), "wrong # args: should be \"add k\"");
        let mut back = TclServant::restore(&s.state().unwrap()).unwrap();
        assert_eq!(call(&mut back, "add", &["1"]), Ok("6".into()));
    }

    #[test]
    fn an_endless_loop_is_stopped_by_cancel_and_by_the_deadline() {
        let mut s = TclServant::new(COUNTER).unwrap();
        let ctl = CallControl::new(Duration::from_secs(60));
        let flag = ctl.cancel.clone();
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            flag.store(true, Ordering::Relaxed);
            Instant::now()
        });
        assert_eq!(s.call("spin", &[], &ctl), Err("call cancelled".into()));
        let stopped = Instant::now();
        let cancelled = canceller.join().unwrap();
        assert!(stopped.duration_since(cancelled) < Duration::from_millis(50));
        let short = CallControl::new(Duration::from_millis(20));
        assert_eq!(s.call("spin", &[], &short), Err("call deadline passed".into()));
        // The servant is usable afterwards, its state intact.
        assert_eq!(call(&mut s, "add", &["1"]), Ok("1".into()));
    }

    #[test]
    fn the_cookie_variable_is_the_clients_state() {
        let script =
            "proc visit {} { global cookie; incr cookie; return $cookie }\nproc fail {} { set ::cookie 99; error no }";
        let mut s = TclServant::new(script).unwrap();
        s.enter_cookie("4");
        assert_eq!(call(&mut s, "visit", &[]), Ok("5".into()));
        assert_eq!(s.leave_cookie(), Some("5".into()));
    }

    #[test]
    fn an_event_driven_call_yields_and_sleeps_instead_of_blocking() {
        let mut s =
            TclServant::new("proc nap {} { after 30; return woke }\nproc spin {n} { while {[incr n -1]} {} }").unwrap();
        let ctl = CallControl::new(Duration::from_secs(5));
        let t0 = Instant::now();
        let Step::Sleep(until) = s.begin("nap", &[], &ctl) else { panic!("nap did not sleep") };
        assert!(t0.elapsed() < Duration::from_millis(20) && until >= t0 + Duration::from_millis(30));
        assert_eq!(s.proceed(&ctl), Step::Done(Ok("woke".into())));
        assert_eq!(s.begin("spin", &["100000".into()], &ctl), Step::Yield);
        let mut slices = 1;
        while s.proceed(&ctl) == Step::Yield {
            slices += 1;
        }
        assert!(slices > 2, "{slices}");
        assert_eq!(s.begin("nosuch", &[], &ctl), Step::Done(Err("no method \"nosuch\"".into())));
    }

    #[test]
    fn the_readonly_variable_names_the_read_only_methods() {
        let s = TclServant::new("set readonly {balance owner}\nproc balance {} { return 1 }").unwrap();
        assert_eq!(s.read_only_methods(), ["balance", "owner"]);
        assert!(TclServant::new(COUNTER).unwrap().read_only_methods().is_empty());
    }

    #[test]
    fn a_bad_script_is_refused() {
        assert!(TclServant::new("proc a {").is_err());
        assert!(TclServant::new("error boom").err().unwrap().contains("boom"));
        assert!(TclServant::restore(b"garbage").is_err());
    }
}
