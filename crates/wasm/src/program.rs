//! A WebAssembly agent: an instance of an instrumented module in its own
//! wasmtime store, run a slice at a time.
//!
//! Every stop is an Asyncify unwind: at a safe point whose slice is spent
//! (fuel), or in `itin.call` when the host call must wait (a receive, a
//! jump). The unwind leaves the call stack in the Asyncify buffer, in linear
//! memory; then memory, the mutable globals and a little host state are the
//! whole program, and `snapshot` writes them. The next `run` (here, or in a
//! fresh instance elsewhere) rewinds into the call that stopped.

use std::sync::Arc;

use itinerant_core::program::{plain_message_words, AgentHost, HostCall, Program};
use itinerant_core::Message;
use itinerant_tcl::interp::ErrorReport;
use itinerant_tcl::{HostRequest, Outcome};
use wasmtime::{Caller, Extern, Instance, Linker, Module, Store, Val};

use crate::instrument::{ANSWER, CALL, COUNTDOWN, ENTRY, GLOBAL_PREFIX, IMPORT_MODULE, SAFEPOINT};
use crate::snapshot::{self, State};

/// Wasm instructions (fuel) that count as one Tcl instruction, for the
/// runtime's budget and the instruction-rate quota: a Tcl instruction costs
/// tens of wasm instructions' time.
pub const FUEL_PER_INSTRUCTION: u64 = 20;
/// Fuel a slice may run past its budget before reaching a safe point; out
/// of it, the program is stopped (a loop body this long has no safe point).
const FUEL_SLACK: u64 = 1 << 32;
/// Safe points passed between two looks at the fuel.
const SAFEPOINT_INTERVAL: i32 = 64;
/// The Asyncify buffer: pages added to memory at start.
pub const BUFFER_PAGES: u32 = 4;
/// Agent fields that hold the submitter's parameters (`itin_param NAME`).
const PARAM_PREFIX: &str = "param:";
/// Longest host call a program may make (bytes of its words).
const MAX_CALL_BYTES: usize = 16 << 20;

/// A host-call handler of tests and benchmarks.
pub type LocalCalls = Box<dyn FnMut(&[String]) -> HostCall + Send>;

/// Where a host call goes: the agent's runtime, or a test's function.
pub enum Calls {
    Agent(AgentHost),
    Local(LocalCalls),
    None,
}

/// Why the current run is unwinding.
enum Stop {
    Preempt,
    Request(HostRequest),
}

struct Host {
    calls: Calls,
    memory_limit: usize,
    over_quota: bool,
    rewinding: bool,
    stop: Option<Stop>,
    answer: Option<Result<String, String>>,
    result: Option<String>,
    fuel_floor: u64,
    buffer: u32,
    buffer_used: u32,
    console: String,
    /// The agent's fields (`agent(...)` of Tcl) and parameters.
    fields: Vec<(String, String)>,
    /// What a panicking guest said before it trapped.
    panic: Option<String>,
}

impl wasmtime::ResourceLimiter for Host {
    fn memory_growing(&mut self, _current: usize, desired: usize, _max: Option<usize>) -> wasmtime::Result<bool> {
        let ok = desired <= self.memory_limit;
        self.over_quota |= !ok;
        Ok(ok)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _max: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// A compiled, instrumented module and its content hash.
#[derive(Clone)]
pub struct Code {
    pub module: Module,
    pub hash: [u8; 32],
    /// The bytes of memory instantiation writes (active data segments at
    /// constant offsets: start, length); none when unknown (a start
    /// function, a computed offset): a restore then zeroes all memory.
    pub initialized: Option<Arc<[(u32, u32)]>>,
}

impl Code {
    pub fn hash_hex(&self) -> String {
        self.hash.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The engine all agents of the process share: fuel on, a bounded stack.
pub fn engine() -> &'static wasmtime::Engine {
    static ENGINE: std::sync::OnceLock<wasmtime::Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = wasmtime::Config::new();
        config.consume_fuel(true);
        config.max_wasm_stack(512 << 10);
        wasmtime::Engine::new(&config).expect("the wasm engine's configuration is valid")
    })
}

/// Compiles an instrumented module (its hash is computed here).
pub fn compile(instrumented: &[u8]) -> Result<Code, String> {
    let module = Module::new(engine(), instrumented).map_err(|e| format!("cannot compile the module: {e}"))?;
    let digest = ring::digest::digest(&ring::digest::SHA256, instrumented);
    let mut hash = [0u8; 32];
    hash.copy_from_slice(digest.as_ref());
    for name in
        [ENTRY, "asyncify_start_unwind", "asyncify_stop_unwind", "asyncify_start_rewind", "asyncify_stop_rewind"]
    {
        if module.get_export(name).is_none() {
            return Err(format!("the module does not export \"{name}\" (is it instrumented?)"));
        }
    }
    Ok(Code { module, hash, initialized: initialized_ranges(instrumented).map(Arc::from) })
}

/// Where a module's instantiation writes memory (see `Code::initialized`).
fn initialized_ranges(module: &[u8]) -> Option<Vec<(u32, u32)>> {
    use wasmparser::{DataKind, Operator, Parser, Payload};
    let mut ranges = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload.ok()? {
            Payload::StartSection { .. } => return None,
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data.ok()?;
                    if let DataKind::Active { offset_expr, .. } = data.kind {
                        match offset_expr.get_operators_reader().read().ok()? {
                            Operator::I32Const { value } => ranges.push((value as u32, data.data.len() as u32)),
                            _ => return None,
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Some(ranges)
}

pub struct WasmProgram {
    /// In a mutex only so that `snapshot(&self)` can read globals (which
    /// wasmtime reads through a mutable store); uncontended.
    store: std::sync::Mutex<Store<Host>>,
    instance: Instance,
    hash: [u8; 32],
    started: bool,
    unwound: bool,
    instructions: u64,
    pending: Option<HostRequest>,
}

fn linker() -> &'static Linker<Host> {
    static LINKER: std::sync::OnceLock<Linker<Host>> = std::sync::OnceLock::new();
    LINKER.get_or_init(|| {
        let mut l = Linker::new(engine());
        l.func_wrap(IMPORT_MODULE, CALL, host_call).expect("one definition");
        l.func_wrap(IMPORT_MODULE, ANSWER, host_answer).expect("one definition");
        l.func_wrap(IMPORT_MODULE, SAFEPOINT, host_safepoint).expect("one definition");
        l
    })
}

fn memory_of(caller: &mut Caller<'_, Host>) -> Option<wasmtime::Memory> {
    caller.get_export("memory").and_then(Extern::into_memory)
}

/// Starts the unwind of the whole wasm stack (Asyncify), from a host function.
fn start_unwind(caller: &mut Caller<'_, Host>) -> wasmtime::Result<()> {
    let buffer = caller.data().buffer;
    let memory = memory_of(caller).ok_or_else(|| wasmtime::format_err!("the module exports no memory"))?;
    let end = buffer + BUFFER_PAGES * 65536;
    let mut header = [0u8; 8];
    header[..4].copy_from_slice(&(buffer + 8).to_le_bytes());
    header[4..].copy_from_slice(&end.to_le_bytes());
    memory.write(&mut *caller, buffer as usize, &header)?;
    let f = caller
        .get_export("asyncify_start_unwind")
        .and_then(Extern::into_func)
        .ok_or_else(|| wasmtime::format_err!("no asyncify_start_unwind"))?;
    f.typed::<i32, ()>(&*caller)?.call(&mut *caller, buffer as i32)
}

/// Ends a rewind: the program is back in the call that stopped.
fn stop_rewind(caller: &mut Caller<'_, Host>) -> wasmtime::Result<()> {
    caller.data_mut().rewinding = false;
    let f = caller
        .get_export("asyncify_stop_rewind")
        .and_then(Extern::into_func)
        .ok_or_else(|| wasmtime::format_err!("no asyncify_stop_rewind"))?;
    f.typed::<(), ()>(&*caller)?.call(&mut *caller, ())?;
    // What the unwind left in the buffer is of no use now: zeroed, so that
    // snapshots of an agent at rest skip it.
    let (buffer, used) = (caller.data().buffer as usize, caller.data().buffer_used as usize);
    if let Some(memory) = memory_of(caller) {
        if let Some(bytes) = memory.data_mut(&mut *caller).get_mut(buffer..buffer + used) {
            bytes.fill(0);
        }
    }
    Ok(())
}

/// The answer's code for the guest: its length, or -(length+1) for an error.
fn answer_code(answer: &Option<Result<String, String>>) -> i32 {
    match answer {
        Some(Ok(s)) => s.len() as i32,
        Some(Err(e)) => -(e.len() as i32) - 1,
        None => 0,
    }
}

/// `itin.call(ptr, len) -> i32`: an agent command as words (each a
/// little-endian u32 length and its bytes).
fn host_call(mut caller: Caller<'_, Host>, ptr: i32, len: i32) -> wasmtime::Result<i32> {
    if caller.data().rewinding {
        stop_rewind(&mut caller)?;
        return Ok(answer_code(&caller.data().answer));
    }
    let (ptr, len) = (ptr as u32 as usize, len as u32 as usize);
    if len > MAX_CALL_BYTES {
        return Err(wasmtime::format_err!("host call of {len} bytes: at most {MAX_CALL_BYTES}"));
    }
    let memory = memory_of(&mut caller).ok_or_else(|| wasmtime::format_err!("the module exports no memory"))?;
    let bytes = memory
        .data(&caller)
        .get(ptr..ptr.saturating_add(len))
        .ok_or_else(|| wasmtime::format_err!("host call outside memory"))?
        .to_vec();
    let words = decode_words(&bytes).map_err(|e| wasmtime::format_err!("bad host call: {e}"))?;
    let outcome = match words.first().map(String::as_str) {
        // The program's own: its result, and output buffered until a line ends.
        Some("itin_result") => {
            caller.data_mut().result = Some(words.get(1).cloned().unwrap_or_default());
            HostCall::Done(String::new())
        }
        Some("itin_panic") => {
            caller.data_mut().panic = Some(words.get(1).cloned().unwrap_or_default());
            HostCall::Done(String::new())
        }
        Some("itin_param") => {
            let key = format!("{PARAM_PREFIX}{}", words.get(1).map(String::as_str).unwrap_or(""));
            match caller.data().fields.iter().find(|(k, _)| *k == key) {
                Some((_, v)) => HostCall::Done(v.clone()),
                None => HostCall::Error(format!("no parameter \"{}\"", &key[PARAM_PREFIX.len()..])),
            }
        }
        _ => match &mut caller.data_mut().calls {
            Calls::Agent(host) => host.call(&words),
            Calls::Local(f) => f(&words),
            Calls::None => HostCall::Error("this program runs outside an agent".into()),
        },
    };
    match outcome {
        HostCall::Done(s) => caller.data_mut().answer = Some(Ok(s)),
        HostCall::Error(e) => caller.data_mut().answer = Some(Err(e)),
        HostCall::Suspend(req) => {
            caller.data_mut().answer = None;
            caller.data_mut().stop = Some(Stop::Request(req));
            start_unwind(&mut caller)?;
            return Ok(0);
        }
    }
    Ok(answer_code(&caller.data().answer))
}

/// `itin.answer(ptr)`: copies the last call's answer (or error) to `ptr`.
fn host_answer(mut caller: Caller<'_, Host>, ptr: i32) -> wasmtime::Result<()> {
    let text = match &caller.data().answer {
        Some(Ok(s)) | Some(Err(s)) => s.clone(),
        None => String::new(),
    };
    let memory = memory_of(&mut caller).ok_or_else(|| wasmtime::format_err!("the module exports no memory"))?;
    memory.write(&mut caller, ptr as u32 as usize, text.as_bytes())?;
    Ok(())
}

/// `itin.safepoint()`: inserted in loops and at function entries; ends the
/// slice when its fuel is spent.
fn host_safepoint(mut caller: Caller<'_, Host>) -> wasmtime::Result<()> {
    if let Some(Extern::Global(g)) = caller.get_export(COUNTDOWN) {
        g.set(&mut caller, Val::I32(SAFEPOINT_INTERVAL))?;
    }
    if caller.data().rewinding {
        return stop_rewind(&mut caller);
    }
    if caller.get_fuel()? <= caller.data().fuel_floor {
        caller.data_mut().stop = Some(Stop::Preempt);
        start_unwind(&mut caller)?;
    }
    Ok(())
}

/// Words from `itin.call`'s encoding.
pub fn decode_words(mut bytes: &[u8]) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    while !bytes.is_empty() {
        let n = bytes.get(..4).ok_or("truncated length")?;
        let n = u32::from_le_bytes(n.try_into().map_err(|_| "truncated length")?) as usize;
        let w = bytes.get(4..4 + n).ok_or("truncated word")?;
        words.push(String::from_utf8(w.to_vec()).map_err(|_| "a word is not UTF-8")?);
        bytes = &bytes[4 + n..];
    }
    Ok(words)
}

impl WasmProgram {
    /// A new program, not started, calling nothing until attached.
    pub fn new(code: &Code) -> Result<WasmProgram, String> {
        let host = Host {
            calls: Calls::None,
            memory_limit: usize::MAX,
            over_quota: false,
            rewinding: false,
            stop: None,
            answer: None,
            result: None,
            fuel_floor: 0,
            buffer: 0,
            buffer_used: 0,
            console: String::new(),
            fields: Vec::new(),
            panic: None,
        };
        let mut store = Store::new(engine(), host);
        store.limiter(|h| h);
        store.set_fuel(FUEL_SLACK).map_err(|e| e.to_string())?;
        let instance = linker()
            .instantiate(&mut store, &code.module)
            .map_err(|e| format!("cannot instantiate the module: {e}"))?;
        if instance.get_memory(&mut store, "memory").is_none() {
            return Err("the module exports no memory named \"memory\"".into());
        }
        Ok(WasmProgram {
            store: std::sync::Mutex::new(store),
            instance,
            hash: code.hash,
            started: false,
            unwound: false,
            instructions: 0,
            pending: None,
        })
    }

    /// A program from its snapshot; `code` must be the module it names.
    pub fn restore(code: &Code, bytes: &[u8], max_memory: usize) -> Result<WasmProgram, String> {
        let state = snapshot::read(bytes, (max_memory / 65536).min(65536) as u32)?;
        if state.module_hash != code.hash {
            return Err("the snapshot names another module".into());
        }
        let mut p = WasmProgram::new(code)?;
        let memory = p.memory();
        let have = memory.size(&*p.st()) as u32;
        if state.pages < have {
            return Err(format!("snapshot memory of {} pages, below the module's {have}", state.pages));
        }
        memory.grow(p.st(), (state.pages - have) as u64).map_err(|e| format!("cannot grow memory: {e}"))?;
        let data = memory.data_mut(p.st());
        // Fresh pages are zero: only what instantiation wrote is cleared
        // (touching every page would cost a fault each).
        match &code.initialized {
            Some(ranges) => {
                for (at, len) in ranges.iter() {
                    let start = (*at as usize).min(data.len());
                    let end = (*at as usize).saturating_add(*len as usize).min(data.len());
                    data[start..end].fill(0);
                }
            }
            None => data.fill(0),
        }
        for (i, chunk) in &state.chunks {
            let at = *i as usize * snapshot::CHUNK;
            data[at..at + snapshot::CHUNK].copy_from_slice(chunk);
        }
        let instance = p.instance;
        for (index, ty, bits) in &state.globals {
            let Some(g) = instance.get_global(p.st(), &format!("{GLOBAL_PREFIX}{index}")) else {
                return Err(format!("the snapshot has global {index}, the module no such mutable global"));
            };
            let v = match (*ty, g.ty(&*p.st()).content()) {
                (snapshot::I32, wasmtime::ValType::I32) => Val::I32(*bits as u32 as i32),
                (snapshot::I64, wasmtime::ValType::I64) => Val::I64(*bits as i64),
                (snapshot::F32, wasmtime::ValType::F32) => Val::F32(*bits as u32),
                (snapshot::F64, wasmtime::ValType::F64) => Val::F64(*bits),
                _ => return Err(format!("global {index} has another type in the snapshot")),
            };
            g.set(p.st(), v).map_err(|e| e.to_string())?;
        }
        if state.unwound && state.buffer_used as u64 + state.buffer as u64 > memory.data_size(&*p.st()) as u64 {
            return Err("the Asyncify buffer lies outside memory".into());
        }
        p.started = state.started;
        p.unwound = state.unwound;
        p.instructions = state.instructions;
        p.pending = state.pending;
        let host = p.st().data_mut();
        host.buffer = state.buffer;
        host.buffer_used = state.buffer_used;
        host.answer = state.answer;
        host.result = state.result;
        host.fields = state.fields;
        Ok(p)
    }

    fn st(&mut self) -> &mut Store<Host> {
        self.store.get_mut().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends host calls to `calls` (tests and benchmarks; agents are
    /// attached to their runtime).
    pub fn set_calls(&mut self, calls: Calls) {
        self.st().data_mut().calls = calls;
    }

    pub fn set_memory_limit(&mut self, bytes: usize) {
        self.st().data_mut().memory_limit = bytes;
    }

    fn memory(&mut self) -> wasmtime::Memory {
        let i = self.instance;
        i.get_memory(self.st(), "memory").expect("checked at instantiation")
    }

    /// Bytes of linear memory.
    pub fn memory_bytes(&mut self) -> usize {
        let m = self.memory();
        m.data_size(&*self.st())
    }

    /// Sets up the Asyncify buffer: new pages at the end of memory.
    fn start(&mut self) -> Result<(), String> {
        let memory = self.memory();
        let pages = memory
            .grow(self.st(), BUFFER_PAGES as u64)
            .map_err(|_| "memory quota exceeded: no room for the agent's stack buffer".to_string())?;
        self.st().data_mut().buffer = (pages * 65536) as u32;
        self.started = true;
        Ok(())
    }

    fn error(&mut self, message: String, code: &str) -> Outcome {
        Outcome::Error(ErrorReport { message: message.clone(), error_info: message, error_code: code.into() })
    }

    fn call_export(&mut self, name: &str, arg: Option<i32>) -> wasmtime::Result<()> {
        let instance = self.instance;
        let f = instance
            .get_func(self.st(), name)
            .ok_or_else(|| wasmtime::format_err!("the module does not export \"{name}\""))?;
        match arg {
            Some(a) => f.typed::<i32, ()>(&*self.st())?.call(self.st(), a),
            None => f.typed::<(), ()>(&*self.st())?.call(self.st(), ()),
        }
    }

    fn state_without_memory(&self, store: &mut Store<Host>) -> State {
        let mut globals = Vec::new();
        let exports: Vec<(String, wasmtime::Global)> = self
            .instance
            .exports(&mut *store)
            .filter_map(|e| {
                let name = e.name().to_owned();
                e.into_global().map(|g| (name, g))
            })
            .collect();
        for (name, g) in exports {
            let Some(index) = name.strip_prefix(GLOBAL_PREFIX).and_then(|i| i.parse::<u32>().ok()) else { continue };
            let entry = match g.get(&mut *store) {
                Val::I32(v) => (index, snapshot::I32, v as u32 as u64),
                Val::I64(v) => (index, snapshot::I64, v as u64),
                Val::F32(v) => (index, snapshot::F32, v as u64),
                Val::F64(v) => (index, snapshot::F64, v),
                _ => continue,
            };
            globals.push(entry);
        }
        globals.sort_unstable_by_key(|g| g.0);
        let host = store.data();
        State {
            module_hash: self.hash,
            started: self.started,
            unwound: self.unwound,
            buffer: host.buffer,
            buffer_used: host.buffer_used,
            instructions: self.instructions,
            pending: self.pending.clone(),
            answer: host.answer.clone(),
            result: host.result.clone(),
            fields: host.fields.clone(),
            globals,
            pages: 0,
            chunks: Vec::new(),
        }
    }

    fn flush_console(&mut self) {
        let text = std::mem::take(&mut self.st().data_mut().console);
        if !text.is_empty() {
            if let Calls::Agent(h) = &self.st().data().calls {
                let _ = h.call(&["puts".into(), text]);
            }
        }
    }
}

/// Writes the snapshot of a program whose other state is `state`.
fn save(store: &mut Store<Host>, instance: Instance, state: State) -> Vec<u8> {
    match instance.get_memory(&mut *store, "memory") {
        Some(m) => snapshot::write(&state, m.data(&*store)),
        None => snapshot::write(&state, &[]),
    }
}

impl Program for WasmProgram {
    fn language(&self) -> &'static str {
        "wasm"
    }

    fn run(&mut self, budget: u64) -> Outcome {
        if self.pending.is_some() {
            return self.error("run with a host request unanswered".into(), "NONE");
        }
        let fuel = budget.saturating_mul(FUEL_PER_INSTRUCTION);
        if let Err(e) = self.st().set_fuel(fuel.saturating_add(FUEL_SLACK)) {
            return self.error(e.to_string(), "NONE");
        }
        self.st().data_mut().fuel_floor = FUEL_SLACK;
        let instance = self.instance;
        if let Some(g) = instance.get_global(self.st(), COUNTDOWN) {
            let _ = g.set(self.st(), Val::I32(SAFEPOINT_INTERVAL));
        }
        let called = if !self.started {
            match self.start() {
                Ok(()) => self.call_export(ENTRY, None),
                Err(e) => return self.error(e, "TCL MEMORY QUOTA"),
            }
        } else if self.unwound {
            // The unwound stack is read back from where the unwind left
            // its position (Asyncify rewinds last-in first-out).
            self.st().data_mut().rewinding = true;
            let buffer = self.st().data().buffer as i32;
            self.call_export("asyncify_start_rewind", Some(buffer)).and_then(|_| self.call_export(ENTRY, None))
        } else {
            return self.error("the program has finished".into(), "NONE");
        };
        let left = self.st().get_fuel().unwrap_or(0);
        let used = (fuel + FUEL_SLACK).saturating_sub(left);
        self.instructions += used / FUEL_PER_INSTRUCTION;
        self.unwound = false;
        if let Err(trap) = called {
            self.flush_console();
            let host = self.st().data();
            if host.over_quota {
                let limit = host.memory_limit;
                return self.error(
                    format!("memory quota exceeded: the agent asked for more than {limit} bytes of linear memory"),
                    "TCL MEMORY QUOTA",
                );
            }
            if matches!(trap.downcast_ref::<wasmtime::Trap>(), Some(wasmtime::Trap::OutOfFuel)) {
                return self.error("the program ran too long without reaching a safe point".into(), "NONE");
            }
            let message = match self.st().data_mut().panic.take() {
                Some(p) => format!("panicked: {p}"),
                None => format!("wasm trap: {trap}"),
            };
            return self.error(message, "WASM TRAP");
        }
        match self.st().data_mut().stop.take() {
            None => {
                self.flush_console();
                let result = self.st().data_mut().result.take().unwrap_or_default();
                Outcome::Finished(result)
            }
            Some(stop) => {
                // Where the unwound stack ends, then the buffer is read as data.
                let buffer = self.st().data().buffer as usize;
                let memory = self.memory();
                let mut header = [0u8; 4];
                let _ = memory.read(&*self.st(), buffer, &mut header);
                self.st().data_mut().buffer_used = u32::from_le_bytes(header).saturating_sub(buffer as u32);
                if let Err(e) = self.call_export("asyncify_stop_unwind", None) {
                    return self.error(format!("cannot stop the unwind: {e}"), "NONE");
                }
                self.unwound = true;
                match stop {
                    Stop::Preempt => Outcome::OutOfBudget,
                    Stop::Request(r) => {
                        self.pending = Some(r.clone());
                        Outcome::Request(r)
                    }
                }
            }
        }
    }

    fn resume(&mut self, result: Result<String, String>) -> Result<(), String> {
        if self.pending.take().is_none() {
            return Err("no host request is pending".into());
        }
        self.st().data_mut().answer = Some(result);
        Ok(())
    }

    fn pending_request(&self) -> Option<&HostRequest> {
        self.pending.as_ref()
    }

    fn instructions_run(&self) -> u64 {
        self.instructions
    }

    fn snapshot(&self) -> Result<Vec<u8>, String> {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        let state = self.state_without_memory(&mut store);
        Ok(save(&mut store, self.instance, state))
    }

    fn memory_in_use(&self) -> usize {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        self.instance.get_memory(&mut *store, "memory").map_or(0, |m| m.data_size(&*store))
    }

    fn set_agent_field(&mut self, key: &str, value: &str) -> Result<(), String> {
        let fields = &mut self.st().data_mut().fields;
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(f) => f.1 = value.to_owned(),
            None => fields.push((key.to_owned(), value.to_owned())),
        }
        Ok(())
    }

    fn agent_field(&self, key: &str) -> Option<String> {
        let store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        store.data().fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    fn set_program_var(&mut self, name: &str, value: &str) -> Result<(), String> {
        self.set_agent_field(&format!("{PARAM_PREFIX}{name}"), value)
    }

    fn deliver_message(&mut self, _code_var: &str, _body_var: &str, m: Message) {
        let _ = self.resume(Ok(plain_message_words(&m)));
    }

    fn attach(&mut self, host: AgentHost, memory_limit: usize) {
        self.set_calls(Calls::Agent(host));
        self.set_memory_limit(memory_limit);
    }
}

/// Keeps the compiled modules of the process by hash (agents started from
/// one module share its code).
#[derive(Default)]
pub struct CodeCache {
    modules: std::sync::Mutex<std::collections::HashMap<[u8; 32], Code>>,
}

impl CodeCache {
    /// Compiled modules kept at most (the oldest are compiled again if needed).
    const MAX: usize = 64;

    pub fn get_or_compile(&self, instrumented: &[u8]) -> Result<Code, String> {
        let digest = ring::digest::digest(&ring::digest::SHA256, instrumented);
        let mut hash = [0u8; 32];
        hash.copy_from_slice(digest.as_ref());
        if let Some(c) = self.modules.lock().unwrap_or_else(|e| e.into_inner()).get(&hash) {
            return Ok(c.clone());
        }
        let code = compile(instrumented)?;
        let mut m = self.modules.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() >= Self::MAX {
            m.clear();
        }
        m.insert(hash, code.clone());
        Ok(code)
    }

    pub fn get(&self, hash: &[u8; 32]) -> Option<Code> {
        self.modules.lock().unwrap_or_else(|e| e.into_inner()).get(hash).cloned()
    }
}

pub type SharedCache = Arc<CodeCache>;
