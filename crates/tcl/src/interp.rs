//! The interpreter: its state (commands, variable frames, code frames,
//! operand stack) and the embedding API: evaluate with a budget, host
//! commands that suspend the VM, resume, variables.
//!
//! All execution state is plain data, so it can be snapshotted at any
//! instruction boundary (see `snapshot.rs`). `Interp` is `Send`: see the
//! invariant on the `unsafe impl` below.

use std::any::Any;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use crate::bytecode::ByteCode;
use crate::cmds::NativeFn;
use crate::commands::{BuiltinDef, Command, CommandTable, HostCommands};
use crate::compile::Mode;
use crate::error::Exception;
use crate::value::Value;
use crate::vars::Frames;

/// Size limits that turn runaway scripts into Tcl errors.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest string, in bytes, that a command may build.
    pub max_string_bytes: usize,
    /// Largest list or dict, in elements, that a command may build.
    pub max_list_len: usize,
    /// Nested evaluation depth (procs, eval, uplevel...), as Tcl's
    /// `interp recursionlimit`.
    pub max_nesting: usize,
    /// Largest operand stack, in values.
    pub max_stack: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_string_bytes: 256 << 20, max_list_len: 32 << 20, max_nesting: 1000, max_stack: 4 << 20 }
    }
}

impl Limits {
    /// Errors when a result of `bytes` bytes would pass the limit.
    pub fn check_string(&self, bytes: usize) -> Result<(), Exception> {
        if bytes > self.max_string_bytes {
            return Err(Exception::error_code(
                format!("string size limit exceeded ({} bytes)", self.max_string_bytes),
                &["TCL", "MEMORY"],
            ));
        }
        Ok(())
    }

    /// Errors when a list of `len` elements would pass the limit.
    pub fn check_list(&self, len: usize) -> Result<(), Exception> {
        if len > self.max_list_len {
            return Err(Exception::error_code(
                format!("list size limit exceeded ({} elements)", self.max_list_len),
                &["TCL", "MEMORY"],
            ));
        }
        Ok(())
    }
}

/// Where `puts` writes. Provided by the embedder; not part of snapshots.
pub trait Output: Send {
    /// Writes `text` to `channel` ("stdout" or "stderr").
    fn write(&mut self, channel: &str, text: &str) -> Result<(), String>;
    fn flush(&mut self) -> Result<(), String> {
        Ok(())
    }
}

/// Output to the process's stdout and stderr.
pub struct StdOutput;

impl Output for StdOutput {
    fn write(&mut self, channel: &str, text: &str) -> Result<(), String> {
        use std::io::Write;
        let r = if channel == "stderr" {
            std::io::stderr().write_all(text.as_bytes())
        } else {
            std::io::stdout().write_all(text.as_bytes())
        };
        r.map_err(|e| e.to_string())
    }

    fn flush(&mut self) -> Result<(), String> {
        use std::io::Write;
        std::io::stdout().flush().map_err(|e| e.to_string())
    }
}

/// Output collected in memory (tests, agents' consoles).
#[derive(Default)]
pub struct BufferOutput {
    pub stdout: String,
    pub stderr: String,
}

impl Output for BufferOutput {
    fn write(&mut self, channel: &str, text: &str) -> Result<(), String> {
        if channel == "stderr" {
            self.stderr.push_str(text);
        } else {
            self.stdout.push_str(text);
        }
        Ok(())
    }
}

/// A request from a host command that suspended the VM: what the embedder
/// must do before calling [`Interp::resume`]. Plain strings, so it can be
/// snapshotted and shipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostRequest {
    /// The host command's name.
    pub command: String,
    /// Its arguments (as the host command chose to record them).
    pub args: Vec<String>,
}

/// What a host command returns.
pub enum HostResult {
    /// Done: this is the command's result.
    Done(Value),
    /// Failed with this error.
    Error(Exception),
    /// Suspend the VM; `run` returns `Outcome::Request`.
    Suspend(HostRequest),
}

/// A command provided by the embedder. It must not keep `Value`s beyond the
/// call (they are not thread-safe); it may read and set variables through
/// the `Interp` it is given.
pub type HostFn = Box<dyn FnMut(&mut Interp, &[Value]) -> HostResult + Send>;

/// A fixed-key hasher for the interpreter's small maps: an empty map costs
/// nothing and takes no space beyond the table pointer.
type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<ahash::AHasher>>;

/// How a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The script finished with this result.
    Finished(String),
    /// The script raised an error.
    Error(ErrorReport),
    /// The instruction budget ran out; call `run` again to continue.
    OutOfBudget,
    /// A host command suspended the VM; call `resume` then `run`.
    Request(HostRequest),
    /// The script called `exit` with this status.
    Exit(i32),
}

/// An uncaught error.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorReport {
    pub message: String,
    pub error_info: String,
    pub error_code: String,
}

/// A running evaluation: one compiled code on its way.
#[derive(Clone, Debug)]
pub struct CodeFrame {
    pub code: Rc<ByteCode>,
    pub pc: u32,
    /// Operand stack height when the frame started.
    pub base: u32,
    /// Index of the variable frame the code runs in.
    pub var_frame: u32,
    pub kind: FrameKind,
    /// State of an `lsort -command` run by this (synthetic) frame.
    pub sort: Option<Box<crate::vm_sort::SortState>>,
}

/// What a code frame is, for unwinding and errorInfo.
#[derive(Clone, Debug, PartialEq)]
pub enum FrameKind {
    /// The outermost script; the annotation is e.g. `(file "x.tcl" line %d)`.
    Top { annotation: Option<Rc<str>> },
    /// A proc body: owns its variable frame.
    Proc { name: Rc<str> },
    /// A lambda body (`apply`): owns its variable frame.
    Lambda { lambda: Value },
    /// A script evaluated by a command (eval, uplevel, loop bodies...); the
    /// annotation is e.g. `("eval" body line %d)`. A value, so that a loop
    /// body takes its literal's without allocating per iteration.
    Body { annotation: Option<Value> },
    /// An expression from `ExprStk`.
    Expr,
    /// Synthetic code of a command invoked by a computed name (counts as
    /// one nesting level, as the command invocation it stands for).
    Synthetic,
}

impl FrameKind {
    /// Frames that count towards the nesting limit.
    pub fn counts_as_level(&self) -> bool {
        matches!(self, FrameKind::Proc { .. } | FrameKind::Lambda { .. } | FrameKind::Synthetic)
    }
}

/// An interpreter.
pub struct Interp {
    pub limits: Limits,
    pub(crate) commands: CommandTable,
    pub(crate) vars: Frames,
    pub(crate) frames: Vec<CodeFrame>,
    pub(crate) stack: Vec<Value>,
    /// Number of frames that count as nesting levels.
    pub(crate) nesting: usize,
    /// State of `rand()`/`srand()`.
    pub(crate) rng: u64,
    /// A host request awaiting `resume` (boxed: rarely there, and an idle
    /// interpreter should be small).
    pub(crate) pending: Option<Box<HostRequest>>,
    /// Host command closures registered on this interpreter (shared host
    /// commands are in `commands`).
    pub(crate) host: FastMap<Box<str>, Option<HostFn>>,
    /// The embedder's data for its host commands (e.g. which agent this
    /// is). Not part of snapshots.
    pub(crate) context: Option<Box<dyn Any + Send>>,
    pub(crate) output: Box<dyn Output>,
    /// Compiled lambdas of `apply`, by their text.
    pub(crate) lambda_cache: FastMap<String, Rc<crate::commands::Proc>>,
    /// `info script`.
    pub script_name: String,
    /// Line of the last command logged in an errorInfo (Tcl's errorLine).
    pub(crate) error_line: i64,
    /// An error to raise when `run` continues (a host command failed).
    pub(crate) raise_pending: Option<Exception>,
    /// The memory quota and estimate (`memory.rs`); not part of snapshots.
    pub(crate) meter: crate::memory::Meter,
    /// Instructions run so far (the embedder's rate accounting); not part
    /// of snapshots.
    pub(crate) instructions_run: u64,
}

// SAFETY: an `Interp` owns every `Rc` reachable from it. No `Value` or other
// `Rc` leaves it: `Outcome`, `HostRequest` and `ErrorReport` are plain
// strings; host commands are `Send` closures or plain functions (shared
// `HostCommands` hold only names as `Arc<str>` and function pointers), so
// they cannot capture `Rc`s, and they only borrow values during a call; the
// embedder context is `Send`, so it holds no `Rc` either. Hence all
// reference counts are touched by whichever single thread owns the
// `Interp`, and moving it as a whole to another thread is sound.
unsafe impl Send for Interp {}

impl Default for Interp {
    fn default() -> Interp {
        Interp::new()
    }
}

impl Interp {
    /// A new interpreter with all built-in commands.
    pub fn new() -> Interp {
        let mut interp = Interp::blank();
        interp.set_global("tcl_version", "8.6");
        interp.set_global("tcl_patchLevel", "8.6.13");
        interp
    }

    /// An interpreter without even the standard globals: what a restore
    /// fills in (it replaces every variable).
    pub(crate) fn blank() -> Interp {
        Interp {
            limits: Limits::default(),
            commands: CommandTable::default(),
            vars: Frames::new(),
            frames: Vec::new(),
            stack: Vec::new(),
            nesting: 0,
            rng: 0,
            pending: None,
            host: FastMap::default(),
            context: None,
            output: Box::new(StdOutput),
            raise_pending: None,
            error_line: 1,
            lambda_cache: FastMap::default(),
            script_name: String::new(),
            meter: Default::default(),
            instructions_run: 0,
        }
    }

    /// A new interpreter with the given limits.
    pub fn with_limits(limits: Limits) -> Interp {
        let mut interp = Interp::new();
        interp.limits = limits;
        interp
    }

    /// Sends `puts` output to `out`.
    pub fn set_output(&mut self, out: Box<dyn Output>) {
        self.output = out;
    }

    /// Takes the output sink (leaving stdout in its place).
    pub fn take_output(&mut self) -> Box<dyn Output> {
        std::mem::replace(&mut self.output, Box::new(StdOutput))
    }

    /// Registers (or replaces) a host command.
    pub fn register_host(&mut self, name: &str, f: HostFn) {
        self.host.insert(name.into(), Some(f));
        self.commands.insert(name, Command::Host(Arc::from(name)));
    }

    /// Installs host function `f` for a command that already exists as a
    /// host command (after a restore), without touching the command table.
    pub fn provide_host(&mut self, name: &str, f: HostFn) {
        self.host.insert(name.into(), Some(f));
    }

    /// Attaches host commands shared with other interpreters: they become
    /// commands of this interpreter (unless it defines or deletes those
    /// names itself) at the cost of one pointer. After a restore, attaching
    /// the same table provides the functions of the host commands recorded
    /// in the snapshot. Closures registered with `register_host` or
    /// `provide_host` take precedence over the table's functions.
    pub fn set_host_commands(&mut self, hosts: Arc<HostCommands>) {
        self.commands.set_hosts(Some(hosts));
    }

    /// Sets the embedder's context, which host commands read with
    /// [`Interp::context`] (e.g. the identity of the agent this interpreter
    /// runs). Not part of snapshots: set it again after a restore.
    pub fn set_context(&mut self, context: Box<dyn Any + Send>) {
        self.context = Some(context);
    }

    /// The embedder's context, if one of type `T` was set.
    pub fn context<T: Any>(&self) -> Option<&T> {
        self.context.as_deref().and_then(|c| (c as &dyn Any).downcast_ref())
    }

    /// Is the VM idle (nothing started or everything finished)?
    pub fn is_idle(&self) -> bool {
        self.frames.is_empty()
    }

    /// The host request the VM is waiting on, if any.
    pub fn pending_request(&self) -> Option<&HostRequest> {
        self.pending.as_deref()
    }

    /// Starts evaluating `script` at the global level, annotated in
    /// errorInfo as a file when `file_name` is given. Run it with
    /// [`Interp::run`].
    pub fn start(&mut self, script: &str, file_name: Option<&str>) {
        let mode = Mode { proc_body: false, in_proc: false, direct: true };
        let code = Rc::new(crate::script_cache::compile_cached(&self.commands, script, mode));
        let annotation = file_name.map(|f| Rc::from(format!("(file \"{f}\" line %d)").as_str()));
        self.frames.clear();
        // Most agents never call a proc: room for the top frame only (the
        // vector grows as usual when they do).
        self.frames.reserve_exact(1);
        self.stack.clear();
        self.vars.frames.truncate(1);
        self.nesting = 0;
        self.pending = None;
        self.raise_pending = None;
        self.frames.push(CodeFrame {
            code,
            pc: 0,
            base: 0,
            var_frame: 0,
            kind: FrameKind::Top { annotation },
            sort: None,
        });
    }

    /// Evaluates `script` to completion (host requests are errors). For
    /// tests and simple embedders.
    pub fn eval(&mut self, script: &str) -> Result<String, ErrorReport> {
        self.start(script, None);
        match self.run(u64::MAX) {
            Outcome::Finished(s) => Ok(s),
            Outcome::Error(e) => Err(e),
            Outcome::OutOfBudget => Err(ErrorReport::simple("instruction budget exhausted")),
            Outcome::Exit(code) => Err(ErrorReport::simple(&format!("exit {code}"))),
            Outcome::Request(r) => Err(ErrorReport::simple(&format!("host request \"{}\" in eval", r.command))),
        }
    }

    /// Completes the pending host request with a result (or an error
    /// message); the next `run` continues after the host command.
    pub fn resume(&mut self, result: Result<String, String>) -> Result<(), String> {
        if self.pending.take().is_none() {
            return Err("no host request is pending".into());
        }
        match result {
            Ok(s) => self.stack.push(Value::from(s)),
            Err(msg) => self.raise_pending = Some(Exception::error(msg)),
        }
        Ok(())
    }

    /// Completes the pending host request by evaluating `script` at the
    /// global level, as `uplevel #0` would: its result becomes the host
    /// command's result, and an error in it is raised where the command was
    /// called (`annotation`, with `%d` for the line, is added to errorInfo).
    /// The script runs as frames of the VM, so it can be preempted,
    /// suspended and snapshotted like any other code (`package require`
    /// loads a library this way).
    pub fn resume_eval(&mut self, script: &str, annotation: Option<&str>) -> Result<(), String> {
        if self.pending.take().is_none() {
            return Err("no host request is pending".into());
        }
        let kind = FrameKind::Body { annotation: annotation.map(Value::from) };
        if let Err(e) = self.push_script_frame(&Value::from(script), 0, kind) {
            self.raise_pending = Some(e);
        }
        Ok(())
    }

    // ----- variables for embedders --------------------------------------

    /// Sets a variable in the current frame (global when idle).
    pub fn set_var(&mut self, name: &str, value: &str) -> Result<(), String> {
        self.set_var_to(name, Value::from(value))
    }

    /// `set_var` of a value already made (e.g. from a `String` it takes
    /// over, or a number, without formatting it).
    pub fn set_var_to(&mut self, name: &str, value: Value) -> Result<(), String> {
        self.set_var_value(name, value).map(|_| ()).map_err(|e| e.value().as_str().into_owned())
    }

    /// Reads a variable of the current frame (global when idle).
    pub fn get_var(&mut self, name: &str) -> Result<String, String> {
        self.read_var_named(name).map(|v| v.as_str().into_owned()).map_err(|e| e.value().as_str().into_owned())
    }

    /// Sets a global variable or array element (`a(b)`), as `set` at the
    /// global level would, wherever the VM is.
    pub fn set_global_var(&mut self, name: &str, value: &str) -> Result<(), String> {
        let (base, key) = crate::vars::split_name(name);
        let r = self.resolve_name_in(0, base, key.map(Rc::from), true);
        self.apply_var_op(crate::bytecode::VarOp::Store, &r, name, vec![Value::from(value)])
            .map(|_| ())
            .map_err(|e| e.value().as_str().into_owned())
    }

    /// Sets a global variable.
    pub fn set_global(&mut self, name: &str, value: &str) {
        let idx = self.vars.frames[0].find_or_create(name);
        self.vars.frames[0].vars[idx as usize] = crate::vars::Var::Scalar(Value::from(value));
    }

    /// Sets global array `name` to exactly these elements, replacing the
    /// variable. Cheaper than setting the elements one by one: the array is
    /// built at its final size, and elements may share one `Value`.
    pub fn set_global_array(&mut self, name: &str, elements: &[(&str, &Value)]) {
        let mut map = crate::vars::ArrayMap::with_capacity_and_hasher(elements.len(), Default::default());
        for (k, v) in elements {
            map.insert(Rc::from(*k), (*v).clone());
        }
        let idx = self.vars.frames[0].find_or_create(name);
        self.vars.frames[0].vars[idx as usize] = crate::vars::Var::Array(Box::new(map));
    }

    /// Defines (or replaces) a proc without running any script: for host
    /// commands that provide libraries of procs (`package require`).
    pub fn define_proc(&mut self, name: &str, params: &str, body: &str) -> Result<(), String> {
        let spec = Value::from(params);
        let args = crate::cmds::core::parse_params(&spec, name).map_err(|e| e.value().as_str().into_owned())?;
        let p = crate::commands::Proc {
            name: Rc::from(crate::commands::strip_global(name)),
            args,
            args_value: spec,
            body: Value::from(body),
            compiled: Default::default(),
        };
        self.commands.insert(name, Command::Proc(Rc::new(p)));
        Ok(())
    }

    /// Is `name` a command of this interpreter?
    /// A global variable's value (`name` may be an array element), if set.
    pub fn global_var(&self, name: &str) -> Option<String> {
        let (base, key) = match name.strip_suffix(')').and_then(|n| n.split_once('(')) {
            Some((b, k)) => (b, Some(k)),
            None => (name, None),
        };
        let index = self.vars.frames[0].find(base)?;
        match (self.vars.var(0, index)?, key) {
            (crate::vars::Var::Scalar(v), None) => Some(v.as_str().into_owned()),
            (crate::vars::Var::Array(a), Some(k)) => a.get(k).map(|v| v.as_str().into_owned()),
            _ => None,
        }
    }

    /// A script that defines proc `name` as it is now (for weak
    /// migration: `agent_submit -procs`).
    pub fn proc_definition(&self, name: &str) -> Result<String, String> {
        match self.commands.get(name) {
            Some(Command::Proc(p)) => {
                Ok(Value::list(vec![Value::from("proc"), Value::from(name), p.args_value.clone(), p.body.clone()])
                    .as_str()
                    .into_owned())
            }
            _ => Err(format!("\"{name}\" isn't a procedure")),
        }
    }

    /// A script that recreates variable `name` of the current frame, a
    /// scalar or a whole array (for weak migration: `agent_submit -vars`).
    pub fn var_definition(&mut self, name: &str) -> Result<String, String> {
        let vf = self.current_vf();
        let r = self.resolve_name_in(vf, name, None, false);
        let words = match self.vars.var(r.frame, r.index) {
            Some(crate::vars::Var::Array(a)) if r.elem.is_none() => {
                let items = a.iter().flat_map(|(k, v)| [Value::from(&**k), v.clone()]).collect();
                vec![Value::from("array"), Value::from("set"), Value::from(name), Value::list(items)]
            }
            _ => vec![Value::from("set"), Value::from(name), Value::from(self.get_var(name)?.as_str())],
        };
        Ok(Value::list(words).as_str().into_owned())
    }

    pub fn has_command(&self, name: &str) -> bool {
        self.commands.get(name).is_some()
    }

    /// Defines a built-in from outside the crate's table.
    pub fn add_builtin(&mut self, def: &'static BuiltinDef) {
        self.commands.insert(def.name, Command::Builtin(def));
    }

    /// Registers a native command function under `name`.
    pub fn native_def(name: &'static str, f: NativeFn) -> BuiltinDef {
        BuiltinDef { name, native: Some(f), compile: None }
    }

    /// Writes to the output sink.
    pub(crate) fn write_output(&mut self, channel: &str, text: &str) -> Result<(), Exception> {
        self.output.write(channel, text).map_err(|e| Exception::error(format!("error writing \"{channel}\": {e}")))
    }

    /// Flushes the output sink.
    pub fn flush_output(&mut self) {
        let _ = self.output.flush();
    }
}

impl ErrorReport {
    pub fn simple(msg: &str) -> ErrorReport {
        ErrorReport { message: msg.to_owned(), error_info: msg.to_owned(), error_code: "NONE".into() }
    }
}
