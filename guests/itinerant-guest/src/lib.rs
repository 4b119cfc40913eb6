//! The agent API for WebAssembly agents of Itinerant.
//!
//! An agent is a `cdylib` for `wasm32-unknown-unknown` whose entry point is
//! made by [`agent_main!`]. Everything it asks of the node goes through one
//! host import, `itin.call`, as an agent command in words (the same
//! commands, checks and answers as Agent Tcl's: `agent_jump`, `acl send`,
//! `df search`...); answers that are lists come as Tcl lists, which
//! [`tcl::split`] reads. A call that waits (a jump, a receive, `exec`)
//! suspends the whole module; the node may move it meanwhile, and the call
//! returns on whichever node the agent then lives on, with every local and
//! the heap as they were.

pub mod tcl;

#[link(wasm_import_module = "itin")]
extern "C" {
    #[link_name = "call"]
    fn itin_call(ptr: *const u8, len: usize) -> i32;
    #[link_name = "answer"]
    fn itin_answer(ptr: *mut u8);
}

/// Runs agent command `words`; its result, or its error message.
pub fn call(words: &[&str]) -> Result<String, String> {
    let mut bytes = Vec::with_capacity(words.iter().map(|w| w.len() + 4).sum());
    for w in words {
        bytes.extend_from_slice(&(w.len() as u32).to_le_bytes());
        bytes.extend_from_slice(w.as_bytes());
    }
    // SAFETY: the host reads `len` bytes at `ptr`, which `bytes` holds.
    let code = unsafe { itin_call(bytes.as_ptr(), bytes.len()) };
    let (len, ok) = if code >= 0 { (code as usize, true) } else { ((-(code + 1)) as usize, false) };
    let mut answer = vec![0u8; len];
    // SAFETY: the host writes exactly the answer's `len` bytes.
    unsafe { itin_answer(answer.as_mut_ptr()) };
    let text = String::from_utf8(answer).unwrap_or_default();
    if ok {
        Ok(text)
    } else {
        Err(text)
    }
}

/// The node the agent runs on now.
pub fn node() -> String {
    call(&["agent_node"]).unwrap_or_default()
}

/// The agent's id (`N@home`).
pub fn id() -> String {
    call(&["agent_begin"]).unwrap_or_default()
}

/// A parameter given at submission (`itin submit FILE.wasm --var k=v`).
pub fn param(name: &str) -> Option<String> {
    call(&["itin_param", name]).ok()
}

/// Writes `text` and a newline to the agent's console.
pub fn puts(text: &str) {
    let mut line = String::with_capacity(text.len() + 1);
    line.push_str(text);
    line.push('\n');
    let _ = call(&["puts", &line]);
}

/// Sets the result the agent ends with.
pub fn set_result(text: &str) {
    let _ = call(&["itin_result", text]);
}

/// Strong mobility: goes on at the next statement on `node`.
pub fn jump(node: &str) -> Result<(), String> {
    call(&["agent_jump", node]).map(|_| ())
}

/// Which side of a fork this is.
#[derive(Debug, PartialEq, Eq)]
pub enum Forked {
    /// The original, told its clone's id.
    Parent(String),
    /// The clone, on the other node.
    Clone,
}

/// Clones the agent onto `node`: both go on from here.
pub fn fork(node: &str) -> Result<Forked, String> {
    let id = call(&["agent_fork", node])?;
    Ok(if id.is_empty() { Forked::Clone } else { Forked::Parent(id) })
}

/// Weak mobility: starts an Agent Tcl agent running `script` on `node`;
/// returns its id.
pub fn submit(node: &str, script: &str) -> Result<String, String> {
    call(&["agent_submit", node, script])
}

/// Sends `code` and `body` to agent `to` (an id or a registered name).
pub fn send(to: &str, code: i64, body: &str) -> Result<(), String> {
    call(&["agent_send", to, &code.to_string(), body]).map(|_| ())
}

/// A message from `agent_send`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The sender's id (empty from outside the platform).
    pub from: String,
    pub code: i64,
    pub body: String,
}

/// Waits for the next message, at most `timeout_ms` if given (`None` when
/// the time ran out).
pub fn receive(timeout_ms: Option<u64>) -> Result<Option<Message>, String> {
    let ms;
    let mut words = vec!["agent_receive"];
    if let Some(t) = timeout_ms {
        ms = t.to_string();
        words.extend(["-timeout", &ms]);
    }
    let answer = call(&words)?;
    if answer.is_empty() {
        return Ok(None);
    }
    let parts = tcl::split(&answer)?;
    match parts.as_slice() {
        [from, code, body] => Ok(Some(Message {
            from: from.clone(),
            code: code.parse().map_err(|_| format!("bad code \"{code}\""))?,
            body: body.clone(),
        })),
        _ => Err(format!("bad message \"{answer}\"")),
    }
}

/// Sleeps `ms` milliseconds (the agent is parked, taking no thread).
pub fn sleep(ms: u64) -> Result<(), String> {
    call(&["after", &ms.to_string()]).map(|_| ())
}

/// Runs a program the node allows (its owner's grant); its output.
pub fn exec(program: &str, args: &[&str]) -> Result<String, String> {
    let mut words = vec!["exec", program];
    words.extend_from_slice(args);
    call(&words)
}

/// Calls `method` of the object `reference` (`itin://NODE/ADAPTER/ID`).
pub fn object_call(reference: &str, method: &str, args: &[&str]) -> Result<String, String> {
    let mut words = vec!["object", "call", reference, method];
    words.extend_from_slice(args);
    call(&words)
}

/// FIPA ACL messages.
pub mod acl {
    use super::{call, tcl};

    /// A received ACL message: its parameters as (name, value) pairs.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct AclMessage {
        /// The message as the node gave it (a Tcl dict), for `reply`.
        pub raw: String,
        pub fields: Vec<(String, String)>,
    }

    impl AclMessage {
        pub fn get(&self, key: &str) -> Option<&str> {
            self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
        }
    }

    /// Sends a message: `params` are further parameters (`conversation-id`, ...).
    pub fn send(receiver: &str, performative: &str, content: &str, params: &[(&str, &str)]) -> Result<(), String> {
        let mut words = vec!["acl", "send", "-performative", performative, "-receiver", receiver, "-content", content];
        let keys: Vec<String> = params.iter().map(|(k, _)| format!("-{k}")).collect();
        for ((_, v), k) in params.iter().zip(&keys) {
            words.push(k);
            words.push(v);
        }
        call(&words).map(|_| ())
    }

    /// Waits for a message matching the filter (empty: any), at most `timeout_ms`.
    pub fn receive(
        performative: Option<&str>,
        conversation_id: Option<&str>,
        timeout_ms: Option<u64>,
    ) -> Result<Option<AclMessage>, String> {
        let ms = timeout_ms.map(|t| t.to_string());
        let mut words = vec!["acl", "receive"];
        if let Some(p) = performative {
            words.extend(["-performative", p]);
        }
        if let Some(c) = conversation_id {
            words.extend(["-conversation-id", c]);
        }
        if let Some(ms) = &ms {
            words.extend(["-timeout", ms]);
        }
        let raw = call(&words)?;
        if raw.is_empty() {
            return Ok(None);
        }
        let fields = tcl::pairs(&raw)?;
        Ok(Some(AclMessage { raw, fields }))
    }

    /// Answers `to` (its sender, conversation and reply-with followed).
    pub fn reply(to: &AclMessage, performative: &str, content: &str) -> Result<(), String> {
        call(&["acl", "reply", &to.raw, "-performative", performative, "-content", content]).map(|_| ())
    }
}

/// The directory facilitator.
pub mod df {
    use super::{call, tcl};

    /// Registers a service described by `properties` (`type`, `name`, ...).
    pub fn register(properties: &[(&str, &str)]) -> Result<(), String> {
        let words: Vec<&str> = properties.iter().flat_map(|(k, v)| [*k, *v]).collect();
        call(&["df", "register", "-service", &tcl::join(&words)]).map(|_| ())
    }

    /// Agents whose services have `type` (and every other property given):
    /// (agent id, service properties).
    pub fn search(properties: &[(&str, &str)]) -> Result<Vec<(String, Vec<(String, String)>)>, String> {
        let pairs: Vec<String> = properties.iter().map(|(k, v)| tcl::join(&[k, v])).collect();
        let mut words = vec!["df", "search"];
        for p in &pairs {
            words.extend(["-property", p.as_str()]);
        }
        let found = call(&words)?;
        let mut out = Vec::new();
        for entry in tcl::split(&found)? {
            let e = tcl::pairs(&entry)?;
            let get = |k: &str| e.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone()).unwrap_or_default();
            out.push((get("agent"), tcl::pairs(&get("service"))?));
        }
        Ok(out)
    }
}

/// Makes `itin_main`, the entry point the node calls: runs `$body` (a
/// function returning `Result<String, String>`), whose `Ok` is the agent's
/// result and whose `Err` (or a panic) ends the agent with an error.
#[macro_export]
macro_rules! agent_main {
    ($body:path) => {
        #[no_mangle]
        pub extern "C" fn itin_main() {
            $crate::install_panic_hook();
            match $body() {
                Ok(result) => $crate::set_result(&result),
                Err(e) => panic!("{e}"),
            }
        }
    };
}

/// Tells the node what a panic said before the module traps.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let _ = call(&["itin_panic", &info.to_string()]);
    }));
}
