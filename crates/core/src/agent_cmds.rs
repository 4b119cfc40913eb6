//! The agent commands of Agent Tcl, as host commands of each agent's
//! interpreter: `agent_send`, `agent_receive`, `agent_begin`, `agent_name`,
//! `agent_end`, `agent_info`, `after`, `exec`, `agent_jump`, `agent_fork`,
//! `agent_submit`, `package` (in `package.rs`). Commands that wait suspend
//! the VM with a request that the worker serves (`exec` on the blocking
//! pool, departures and library fetches through the node); the others act
//! at once. The commands are plain functions in one table
//! shared by every agent; each interpreter carries only its agent's identity
//! (an [`AgentContext`], the interpreter's embedder context).

use std::sync::{Arc, OnceLock, Weak};

use itinerant_tcl::commands::HostCommands;
use itinerant_tcl::error::TCL_EXIT;
use itinerant_tcl::{Exception, HostRequest, HostResult, Interp, Value};

use crate::acl::{Acl, PARAMETERS, PERFORMATIVES};
use crate::runtime::{AgentId, Message, Shared};

/// Longest `-timeout` or `after` accepted, so that a wait always ends.
const MAX_WAIT_MS: i64 = 7 * 24 * 3600 * 1000;

fn err(msg: impl Into<String>) -> HostResult {
    HostResult::Error(Exception::error(msg))
}

/// Which agent an interpreter runs: the embedder context of every agent's
/// interpreter, read by the agent commands.
pub(crate) struct AgentContext {
    pub(crate) id: AgentId,
    pub(crate) shared: Weak<Shared>,
}

/// The agent commands, one table for every agent of the process.
pub(crate) fn commands() -> &'static Arc<HostCommands> {
    static COMMANDS: OnceLock<Arc<HostCommands>> = OnceLock::new();
    COMMANDS.get_or_init(|| {
        let mut t = HostCommands::new();
        t.add("agent_send", |i, a| with_agent(i, |c| agent_send(&c.shared, &c.id, a)));
        t.add("agent_receive", |i, a| match i.context::<AgentContext>() {
            Some(c) => {
                let (shared, me) = (c.shared.clone(), c.id.clone());
                agent_receive(&shared, &me, i, a)
            }
            None => no_agent(),
        });
        t.add("after", |_, a| after(a));
        t.add("exec", |_, a| exec(a));
        t.add("agent_jump", |_, a| departure("agent_jump", a));
        t.add("agent_fork", |_, a| departure("agent_fork", a));
        t.add("agent_submit", agent_submit);
        t.add("agent_begin", |i, a| {
            if a.len() > 2 {
                return err("wrong # args: should be \"agent_begin ?node?\"");
            }
            with_agent(i, |c| HostResult::Done(Value::from(c.id.as_str())))
        });
        t.add("agent_name", |i, a| match i.context::<AgentContext>() {
            Some(c) => {
                let (shared, me) = (c.shared.clone(), c.id.clone());
                agent_name(&shared, &me, Some(i), a)
            }
            None => no_agent(),
        });
        t.add("agent_end", |_, _| HostResult::Error(Exception::new(TCL_EXIT, Value::int(0))));
        t.add("df", |i, a| with_agent(i, |c| df_cmd(&c.shared, &c.id, a)));
        t.add("package", crate::package::package_cmd);
        t.add("object", crate::object_cmds::object_cmd);
        t.add("ams", |i, a| with_agent(i, |c| ams_cmd(&c.shared, a)));
        t.add("acl", |i, a| with_agent(i, |c| acl_cmd(&c.shared, &c.id, a)));
        t.add("agent_info", |i, a| with_agent(i, |c| agent_info(&c.shared, &c.id, a)));
        t.add("resource", |i, a| with_agent(i, |c| crate::resource_cmds::resource_cmd(&c.shared, &c.id, a)));
        t.add("store", |i, a| with_agent(i, |c| crate::resource_cmds::store_cmd(&c.shared, &c.id, a)));
        Arc::new(t)
    })
}

fn no_agent() -> HostResult {
    err("this interpreter runs no agent")
}

/// Runs `f` with the agent the interpreter runs.
fn with_agent(interp: &Interp, f: impl FnOnce(&AgentContext) -> HostResult) -> HostResult {
    match interp.context::<AgentContext>() {
        Some(c) => f(c),
        None => no_agent(),
    }
}

/// Makes `interp` the interpreter of agent `id`: attaches the agent
/// commands (shared by all agents) and the agent's identity. Also right for
/// an interpreter restored from a snapshot (its host commands get their
/// functions back).
pub(crate) fn install(interp: &mut Interp, shared: Weak<Shared>, id: &AgentId) {
    interp.set_host_commands(commands().clone());
    interp.set_context(Box::new(AgentContext { id: id.clone(), shared }));
}

/// Sets the `agent` array of a new agent's interpreter: `local`, `name`,
/// `node`, `home`, `root`, `owner`.
pub(crate) fn set_agent_array(interp: &mut Interp, id: &AgentId, name: Option<&str>, node: &str) {
    let local = Value::from(id.as_str());
    let node_v = Value::from(node);
    let home = if id.home() == node { node_v.clone() } else { Value::from(id.home()) };
    let empty = Value::empty();
    let name = name.map(Value::from).unwrap_or_else(|| empty.clone());
    interp.set_global_array(
        "agent",
        &[("local", &local), ("name", &name), ("node", &node_v), ("home", &home), ("root", &local), ("owner", &empty)],
    );
}

/// `exec prog ?arg ...?`: runs on the blocking pool, if the node allows
/// the program (see `blocking.rs`).
fn exec(args: &[Value]) -> HostResult {
    if args.len() < 2 {
        return err("wrong # args: should be \"exec arg ?arg ...?\"");
    }
    HostResult::Suspend(HostRequest {
        command: "exec".into(),
        args: args[1..].iter().map(|a| a.as_str().into_owned()).collect(),
    })
}

/// `agent_jump NODE`, `agent_fork NODE`: the worker hands the agent (or a
/// copy) to the node layer, which moves it (see `migrate.rs`).
fn departure(command: &str, args: &[Value]) -> HostResult {
    if args.len() != 2 {
        return err(format!("wrong # args: should be \"{command} node\""));
    }
    HostResult::Suspend(HostRequest { command: command.into(), args: vec![args[1].as_str().into_owned()] })
}

/// `agent_submit NODE ?-vars LIST? ?-procs LIST? -script SCRIPT`: weak
/// mobility. The child's script is built here, from copies of the named
/// procs and variables of the caller's frame, then the script.
fn agent_submit(interp: &mut Interp, args: &[Value]) -> HostResult {
    let usage = "wrong # args: should be \"agent_submit node ?-vars list? ?-procs list? -script script\"";
    if args.len() < 4 || !args.len().is_multiple_of(2) {
        return err(usage);
    }
    let node = args[1].as_str().into_owned();
    let (mut vars, mut procs, mut script) = (Vec::new(), Vec::new(), None);
    for pair in args[2..].chunks(2) {
        let list = |v: &Value| v.as_list().map(|l| l.iter().map(|x| x.as_str().into_owned()).collect::<Vec<_>>());
        match &*pair[0].as_str() {
            "-vars" => match list(&pair[1]) {
                Ok(l) => vars = l,
                Err(e) => return HostResult::Error(e),
            },
            "-procs" => match list(&pair[1]) {
                Ok(l) => procs = l,
                Err(e) => return HostResult::Error(e),
            },
            "-script" => script = Some(pair[1].as_str().into_owned()),
            other => return err(format!("bad option \"{other}\": must be -vars, -procs, or -script")),
        }
    }
    let Some(script) = script else { return err(usage) };
    let mut child = String::new();
    for p in &procs {
        match interp.proc_definition(p) {
            Ok(def) => child.push_str(&def),
            Err(e) => return err(e),
        }
        child.push('\n');
    }
    for v in &vars {
        match interp.var_definition(v) {
            Ok(def) => child.push_str(&def),
            Err(e) => return err(e),
        }
        child.push('\n');
    }
    child.push_str(&script);
    HostResult::Suspend(HostRequest { command: "agent_submit".into(), args: vec![node, child] })
}

fn agent_send(shared: &Weak<Shared>, me: &AgentId, args: &[Value]) -> HostResult {
    if args.len() != 4 {
        return err("wrong # args: should be \"agent_send id code string\"");
    }
    let code = match args[2].as_int() {
        Ok(c) => c,
        Err(e) => return HostResult::Error(e),
    };
    let Some(s) = shared.upgrade() else { return err("the runtime is shutting down") };
    let target = args[1].as_str();
    match s.send_from_agent(
        me,
        &target,
        // The sender is set by `send_from_agent`.
        Message { from: None, code, body: args[3].as_str().into_owned(), acl: None, hops: 0, seq: None },
    ) {
        Ok(()) => HostResult::Done(Value::empty()),
        // A name that names no agent (an id gets the runtime's message).
        Err(crate::runtime::SendError::NoSuchAgent(_)) if AgentId::parse(&target).is_none() => {
            err(format!("no agent \"{target}\""))
        }
        Err(e) => err(e.to_string()),
    }
}

/// `agent_receive codeVar stringVar ?-blocking? ?-nonblocking? ?-timeout MS?`
fn agent_receive(shared: &Weak<Shared>, me: &AgentId, interp: &mut Interp, args: &[Value]) -> HostResult {
    let usage = "wrong # args: should be \"agent_receive codeVar stringVar ?-blocking? ?-nonblocking? ?-timeout ms?\"";
    if args.len() < 3 {
        return err(usage);
    }
    let (nonblocking, timeout) = match receive_options(&args[3..], usage) {
        Ok(o) => o,
        Err(e) => return e,
    };
    // A message is there: hand it over now, without stopping the VM.
    if let Some(m) = shared.upgrade().and_then(|s| s.take_first(me)) {
        return match crate::runtime::deliver_plain(interp, &args[1].as_str(), &args[2].as_str(), m) {
            Ok(from) => HostResult::Done(Value::from(from)),
            Err(e) => err(e),
        };
    }
    receive_request(args[1].as_str().into_owned(), args[2].as_str().into_owned(), nonblocking, timeout)
}

/// The wait of an `agent_receive` that found no message.
fn receive_request(code_var: String, body_var: String, nonblocking: bool, timeout: String) -> HostResult {
    HostResult::Suspend(HostRequest {
        command: "agent_receive".into(),
        args: vec![code_var, body_var, if nonblocking { "1".into() } else { String::new() }, timeout],
    })
}

/// `agent_receive`'s options: non-blocking, and the timeout ("" for none).
fn receive_options(args: &[Value], usage: &str) -> Result<(bool, String), HostResult> {
    let mut nonblocking = false;
    let mut timeout = String::new();
    let mut i = 0;
    while i < args.len() {
        match &*args[i].as_str() {
            "-blocking" => nonblocking = false,
            "-nonblocking" => nonblocking = true,
            "-timeout" => {
                i += 1;
                let Some(ms) = args.get(i) else { return Err(err(usage)) };
                match ms.as_int() {
                    Ok(ms) if (0..=MAX_WAIT_MS).contains(&ms) => timeout = ms.to_string(),
                    Ok(ms) => return Err(err(format!("bad timeout \"{ms}\": must be 0 to {MAX_WAIT_MS} ms"))),
                    Err(e) => return Err(HostResult::Error(e)),
                }
            }
            other => return Err(err(format!("bad option \"{other}\": must be -blocking, -nonblocking, or -timeout"))),
        }
        i += 1;
    }
    Ok((nonblocking, timeout))
}

fn after(args: &[Value]) -> HostResult {
    if args.len() != 2 {
        return err("wrong # args: should be \"after ms\"");
    }
    match args[1].as_int() {
        Ok(ms) if ms <= 0 => HostResult::Done(Value::empty()),
        Ok(ms) if ms <= MAX_WAIT_MS => {
            HostResult::Suspend(HostRequest { command: "after".into(), args: vec![ms.to_string()] })
        }
        Ok(ms) => err(format!("bad argument \"{ms}\": sleeps are limited to {MAX_WAIT_MS} ms")),
        Err(_) => err(format!("bad argument \"{}\": must be cancel, idle, info, or an integer", args[1].as_str())),
    }
}

fn agent_name(shared: &Weak<Shared>, me: &AgentId, interp: Option<&mut Interp>, args: &[Value]) -> HostResult {
    if args.len() != 2 {
        return err("wrong # args: should be \"agent_name name\"");
    }
    let name = args[1].as_str().into_owned();
    let Some(s) = shared.upgrade() else { return err("the runtime is shutting down") };
    if let Some(other) = s.lookup(&name) {
        if &other != me {
            return err(format!("name \"{name}\" is taken by agent {other}"));
        }
    }
    if let Some(slot) = s.slots.lock().unwrap_or_else(|e| e.into_inner()).get_mut(me) {
        slot.name = Some(name.clone());
    }
    if let Some(Err(e)) = interp.map(|i| i.set_global_var("agent(name)", &name)) {
        return err(e);
    }
    HostResult::Done(Value::from(name))
}

/// `agent_info ?id?`: a dict with id, name, node, state, home, and the
/// node's machine and byte order (as Tcl's `tcl_platform`).
fn agent_info(shared: &Weak<Shared>, me: &AgentId, args: &[Value]) -> HostResult {
    if args.len() > 2 {
        return err("wrong # args: should be \"agent_info ?id?\"");
    }
    let Some(s) = shared.upgrade() else { return err("the runtime is shutting down") };
    let id = match args.get(1) {
        Some(a) => match s.lookup(&a.as_str()) {
            Some(id) => id,
            None => return err(format!("no agent \"{}\"", a.as_str())),
        },
        None => me.clone(),
    };
    let slots = s.slots.lock().unwrap_or_else(|e| e.into_inner());
    let Some(slot) = slots.get(&id) else { return err(format!("no agent \"{id}\"")) };
    let items = vec![
        Value::from("id"),
        Value::from(id.as_str()),
        Value::from("name"),
        Value::from(slot.name.clone().unwrap_or_default()),
        Value::from("node"),
        Value::from(s.config.node.as_str()),
        Value::from("state"),
        Value::from(slot.state.name()),
        Value::from("home"),
        Value::from(id.home()),
        // Where the agent runs now: it may have crossed architectures.
        Value::from("machine"),
        Value::from(std::env::consts::ARCH),
        Value::from("byteOrder"),
        Value::from(if cfg!(target_endian = "big") { "bigEndian" } else { "littleEndian" }),
    ];
    HostResult::Done(Value::list(items))
}

/// `acl send|receive|reply ...`: FIPA ACL messages on the agent's mailbox.
fn acl_cmd(shared: &Weak<Shared>, me: &AgentId, args: &[Value]) -> HostResult {
    let sub = args.get(1).map(|a| a.as_str().into_owned()).unwrap_or_default();
    match sub.as_str() {
        "send" => match parse_params(&args[2..], true) {
            Ok(acl) => acl_send(shared, me, acl),
            Err(e) => err(e),
        },
        "reply" => {
            if args.len() < 3 {
                return err("wrong # args: should be \"acl reply message -performative p ?-option value ...?\"");
            }
            let original = match args[2].as_dict() {
                Ok(d) => d,
                Err(e) => return HostResult::Error(e),
            };
            let field = |k: &str| original.get(k).map(|v| v.as_str().into_owned()).filter(|v| !v.is_empty());
            let mut acl = match parse_params(&args[3..], false) {
                Ok(a) => a,
                Err(e) => return err(e),
            };
            if acl.get("receiver").is_none() {
                match field("reply-to").or_else(|| field("sender")) {
                    Some(to) => acl.set("receiver", &to),
                    None => return err("the message has no sender to reply to"),
                }
            }
            for (from, to) in
                [("conversation-id", "conversation-id"), ("reply-with", "in-reply-to"), ("protocol", "protocol")]
            {
                if let (Some(v), None) = (field(from), acl.get(to)) {
                    acl.set(to, &v);
                }
            }
            acl_send(shared, me, acl)
        }
        "receive" => {
            let mut filter = [String::new(), String::new(), String::new(), String::new()];
            let mut i = 2;
            while i < args.len() {
                let key = args[i].as_str().into_owned();
                let Some(v) = args.get(i + 1) else { return err(format!("missing value for {key}")) };
                let at = match key.as_str() {
                    "-performative" => 0,
                    "-conversation-id" => 1,
                    "-sender" => 2,
                    "-timeout" => {
                        match v.as_int() {
                            Ok(ms) if (0..=MAX_WAIT_MS).contains(&ms) => {}
                            _ => return err(format!("bad timeout \"{}\"", v.as_str())),
                        }
                        3
                    }
                    _ => {
                        return err(format!(
                            "bad option \"{key}\": must be -performative, -conversation-id, -sender, or -timeout"
                        ))
                    }
                };
                filter[at] = v.as_str().into_owned();
                i += 2;
            }
            HostResult::Suspend(HostRequest { command: "acl_receive".into(), args: filter.to_vec() })
        }
        _ => err(format!("bad subcommand \"{sub}\": must be receive, reply, or send")),
    }
}

/// `-performative P ?-param value ...?` into a message (`acl reply` fills
/// the receiver itself).
fn parse_params(words: &[Value], need_receiver: bool) -> Result<Acl, String> {
    let mut acl = Acl::default();
    if !words.len().is_multiple_of(2) {
        return Err("options must come in pairs: -option value".into());
    }
    for pair in words.chunks(2) {
        let key = pair[0].as_str();
        let value = pair[1].as_str();
        let name = key.strip_prefix('-').unwrap_or("");
        if name == "performative" {
            if !PERFORMATIVES.contains(&&*value) {
                return Err(format!("bad performative \"{value}\": must be one of {}", PERFORMATIVES.join(", ")));
            }
            acl.performative = value.into_owned();
        } else if PARAMETERS.contains(&name) && name != "sender" {
            acl.set(name, &value);
        } else {
            return Err(format!(
                "bad option \"{key}\": must be -performative or one of -{}",
                PARAMETERS[1..].join(", -")
            ));
        }
    }
    if acl.performative.is_empty() {
        return Err("missing -performative".into());
    }
    if need_receiver && acl.get("receiver").is_none() {
        return Err("missing -receiver".into());
    }
    Ok(acl)
}

fn acl_send(shared: &Weak<Shared>, me: &AgentId, mut acl: Acl) -> HostResult {
    let Some(s) = shared.upgrade() else { return err("the runtime is shutting down") };
    let receiver = acl.get("receiver").unwrap_or("").to_owned();
    // `{NAME http://HOST:PORT/PATH}`: an agent of another FIPA platform.
    if receiver.split_whitespace().nth(1).is_some_and(|a| a.starts_with("http://")) {
        if let Err(why) = s.check_abroad(me) {
            return err(why);
        }
        acl.set("sender", me.as_str());
        let sent = match s.router() {
            Some(r) => r.send_foreign(me, &acl),
            None => Err("this runtime has no node to send abroad".into()),
        };
        return match sent {
            Ok(()) => HostResult::Done(Value::empty()),
            Err(e) => err(e),
        };
    }
    let Some(to) = s.lookup(&receiver) else { return err(format!("no agent \"{receiver}\"")) };
    acl.set("sender", me.as_str());
    acl.set("receiver", to.as_str());
    let body = acl.get("content").unwrap_or("").to_owned();
    let msg = Message { from: Some(me.clone()), code: 0, body, acl: Some(Box::new(acl)), hops: 0, seq: None };
    match s.send_from_agent(me, to.as_str(), msg) {
        Ok(()) => HostResult::Done(Value::empty()),
        Err(e) => err(e.to_string()),
    }
}

/// `ams where ID | search ?-name N? | suspend ID | resume ID | kill ID`.
fn ams_cmd(shared: &Weak<Shared>, args: &[Value]) -> HostResult {
    let Some(s) = shared.upgrade() else { return err("the runtime is shutting down") };
    let sub = args.get(1).map(|a| a.as_str().into_owned()).unwrap_or_default();
    let target = || -> Result<AgentId, String> {
        let Some(a) = args.get(2) else { return Err(format!("wrong # args: should be \"ams {sub} id\"")) };
        s.lookup(&a.as_str()).ok_or_else(|| format!("no agent \"{}\"", a.as_str()))
    };
    let done = |r: Result<(), String>| match r {
        Ok(()) => HostResult::Done(Value::empty()),
        Err(e) => err(e),
    };
    match sub.as_str() {
        "where" => match target() {
            Ok(id) if !s.search(None).contains(&id) => err(format!("no agent \"{id}\"")),
            Ok(_) => HostResult::Done(Value::from(s.config.node.as_str())),
            Err(e) => err(e),
        },
        "search" => {
            let name = match (args.get(2).map(|a| a.as_str()), args.get(3)) {
                (None, _) => None,
                (Some(flag), Some(n)) if flag == "-name" => Some(n.as_str().into_owned()),
                _ => return err("wrong # args: should be \"ams search ?-name name?\""),
            };
            let ids = s.search(name.as_deref());
            HostResult::Done(Value::list(ids.iter().map(|i| Value::from(i.as_str())).collect()))
        }
        "suspend" => done(target().and_then(|id| s.suspend(&id))),
        "resume" => done(target().and_then(|id| s.resume(&id))),
        "kill" => done(target().and_then(|id| s.kill(&id))),
        _ => err(format!("bad subcommand \"{sub}\": must be kill, resume, search, suspend, or where")),
    }
}

/// `df register -service DESC | deregister ?-name N? | modify -service DESC |
/// search ?-type T? ?-name N? ?-property {K V}?...`: the directory. A
/// description is a dict (`type`, `name`, other properties); search returns
/// a list of `{agent ID service DESC}` dicts.
fn df_cmd(shared: &Weak<Shared>, me: &AgentId, args: &[Value]) -> HostResult {
    let Some(s) = shared.upgrade() else { return err("the runtime is shutting down") };
    let sub = args.get(1).map(|a| a.as_str().into_owned()).unwrap_or_default();
    if matches!(sub.as_str(), "register" | "modify") {
        // Before the directory lock: the check takes the registry's.
        if let Err(why) = s.check_register(me) {
            return err(why);
        }
    }
    let mut directory = crate::runtime::lock(&s.directory);
    match sub.as_str() {
        "register" | "modify" => {
            if args.len() != 4 || args[2].as_str() != "-service" {
                return err(format!("wrong # args: should be \"df {sub} -service description\""));
            }
            let desc = match args[3].as_dict() {
                Ok(d) => d.iter().map(|(k, v)| (k.as_str().into_owned(), v.as_str().into_owned())).collect(),
                Err(e) => return HostResult::Error(e),
            };
            let r = directory.register(me, desc);
            drop(directory);
            match r {
                Ok(()) => {
                    s.directory_changed(me);
                    HostResult::Done(Value::empty())
                }
                Err(e) => err(e),
            }
        }
        "deregister" => {
            let name = match (args.get(2).map(|a| a.as_str()), args.get(3)) {
                (None, _) => None,
                (Some(f), Some(n)) if f == "-name" => Some(n.as_str().into_owned()),
                _ => return err("wrong # args: should be \"df deregister ?-name name?\""),
            };
            let removed = directory.deregister(me, name.as_deref());
            drop(directory);
            if removed > 0 {
                s.directory_changed(me);
            }
            HostResult::Done(Value::int(removed as i64))
        }
        "search" => {
            let mut q = crate::df::Query::default();
            let mut i = 2;
            while i < args.len() {
                let Some(v) = args.get(i + 1) else { return err("options must come in pairs") };
                match &*args[i].as_str() {
                    "-type" => q.properties.push(("type".into(), v.as_str().into_owned())),
                    "-name" => q.properties.push(("name".into(), v.as_str().into_owned())),
                    "-property" => match v.as_list() {
                        Ok(kv) if kv.len() == 2 => {
                            q.properties.push((kv[0].as_str().into_owned(), kv[1].as_str().into_owned()))
                        }
                        _ => return err(format!("bad property \"{}\": must be a key and a value", v.as_str())),
                    },
                    other => return err(format!("bad option \"{other}\": must be -type, -name, or -property")),
                }
                i += 2;
            }
            let found = directory
                .search(&q)
                .into_iter()
                .map(|(id, d)| {
                    let desc: Vec<Value> = d.into_iter().flat_map(|(k, v)| [Value::from(k), Value::from(v)]).collect();
                    Value::list(vec![
                        Value::from("agent"),
                        Value::from(id.as_str()),
                        Value::from("service"),
                        Value::list(desc),
                    ])
                })
                .collect();
            HostResult::Done(Value::list(found))
        }
        _ => err(format!("bad subcommand \"{sub}\": must be deregister, modify, register, or search")),
    }
}

/// A host call of a program in another language (`program::AgentHost`):
/// `words` is an agent command as Tcl words, run by the same functions and
/// checks as the Tcl command. Commands that read or write Tcl variables
/// take their other form: `agent_receive ?-nonblocking? ?-timeout MS?`
/// returns the message as the list `{sender code body}`; `agent_submit
/// NODE SCRIPT` starts an Agent Tcl child; `puts TEXT` writes the console.
pub(crate) fn call_for_program(shared: &Weak<Shared>, me: &AgentId, words: &[String]) -> crate::program::HostCall {
    use crate::program::HostCall;
    let args: Vec<Value> = words.iter().map(|w| Value::from(w.as_str())).collect();
    let Some(command) = words.first() else { return HostCall::Error("empty command".into()) };
    let result = match command.as_str() {
        "agent_send" => agent_send(shared, me, &args),
        "agent_receive" => {
            let usage = "wrong # args: should be \"agent_receive ?-nonblocking? ?-timeout ms?\"";
            match receive_options(&args[1..], usage) {
                Err(e) => e,
                Ok((nonblocking, timeout)) => match shared.upgrade().and_then(|s| s.take_first(me)) {
                    Some(m) => HostResult::Done(Value::from(crate::program::plain_message_words(&m))),
                    None => receive_request(String::new(), String::new(), nonblocking, timeout),
                },
            }
        }
        "after" => after(&args),
        "exec" => exec(&args),
        "agent_jump" | "agent_fork" => departure(command, &args),
        "agent_submit" if words.len() == 3 => HostResult::Suspend(HostRequest {
            command: "agent_submit".into(),
            args: vec![words[1].clone(), words[2].clone()],
        }),
        "agent_submit" => err("wrong # args: should be \"agent_submit node script\""),
        "agent_begin" => HostResult::Done(Value::from(me.as_str())),
        "agent_name" => agent_name(shared, me, None, &args),
        "agent_node" => match shared.upgrade() {
            Some(s) => HostResult::Done(Value::from(s.config.node.as_str())),
            None => err("the runtime is shutting down"),
        },
        "df" => df_cmd(shared, me, &args),
        "ams" => ams_cmd(shared, &args),
        "acl" => acl_cmd(shared, me, &args),
        "agent_info" => agent_info(shared, me, &args),
        "object" => crate::object_cmds::object_words(&args),
        "resource" => crate::resource_cmds::resource_cmd(shared, me, &args),
        "store" => crate::resource_cmds::store_cmd(shared, me, &args),
        "puts" if words.len() == 2 => {
            if let Some(s) = shared.upgrade() {
                s.write_console(me, &words[1]);
            }
            HostResult::Done(Value::empty())
        }
        other => err(format!("invalid command name \"{other}\"")),
    };
    match result {
        HostResult::Done(v) => HostCall::Done(v.as_str().into_owned()),
        HostResult::Error(e) => HostCall::Error(e.value().as_str().into_owned()),
        HostResult::Suspend(r) => HostCall::Suspend(r),
    }
}
