//! The dashboard's JSON: what each view shows, read from the node at the
//! moment asked, and the actions its buttons take.

use itinerant_core::observe::{Itinerary, Sniffed};
use itinerant_core::{AgentId, AgentState, AgentView};
use serde_json::{json, Value};

use crate::authz::Acting;
use crate::node::Node;
use crate::objects::proto::{ObjectReply, ObjectRequest};

/// Agents listed in the live table at most (the newest first dropped
/// beyond: the page says how many there were).
const MAX_ROWS: usize = 2000;

fn itinerary(it: &Itinerary) -> Value {
    let hops: Vec<Value> = it
        .hops()
        .iter()
        .map(|h| json!({ "node": it.node_of(h), "arrived_ms": h.arrived_ms, "left_ms": h.left_ms }))
        .collect();
    json!({ "hops": hops, "dropped": it.dropped })
}

fn agent_row(v: &AgentView) -> Value {
    json!({
        "id": v.id.as_str(),
        "name": v.name,
        "language": v.language,
        "owner": v.owner,
        "state": v.state.name(),
        "node": v.node,
        "age_ms": v.age.as_millis() as u64,
        "mailbox": v.mailbox_len,
    })
}

/// This process's resident memory in bytes (Linux; none elsewhere).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// The cluster and agents views: this node, its peers, its agents.
pub fn state(node: &Node) -> Value {
    let rt = node.runtime();
    let load = rt.load();
    let by_state: serde_json::Map<String, Value> =
        rt.agents_by_state().into_iter().map(|(s, n)| (s.name().to_owned(), json!(n))).collect();
    let peers: Vec<Value> = node
        .peers()
        .into_iter()
        .map(|p| {
            json!({
                "name": p.name,
                "addr": p.addr,
                "connected": p.connected,
                "runnable": p.load.map(|l| l.0),
                "agents": p.load.map(|l| l.1),
                "draining": p.draining,
            })
        })
        .collect();
    let views = rt.agent_views();
    let total = views.len();
    let agents: Vec<Value> = views.iter().rev().take(MAX_ROWS).rev().map(agent_row).collect();
    let c = rt.counters();
    json!({
        "node": rt.node(),
        "addr": node.addr().to_string(),
        "draining": rt.is_draining(),
        "load": { "runnable": load.runnable, "agents": load.agents, "by_state": by_state, "memory_bytes": resident_bytes() },
        "peers": peers,
        "agents": agents,
        "agents_total": total,
        "counters": {
            "spawns": c.spawns,
            "migrations_in": c.migrations_in,
            "migrations_out": c.migrations_out,
            "messages_in": c.messages_in,
            "messages_out": c.messages_out,
            "forwarded": c.forwarded,
        },
    })
}

/// An agent's page: its row, itinerary, bindings, the newest console, how
/// it ended, how its latest move went.
pub fn agent(node: &Node, id: &str, console_bytes: usize) -> Option<Value> {
    let rt = node.runtime();
    let id = AgentId::parse(id)?;
    let view = rt.agent_view(&id)?;
    let detail = rt.agent_detail(&id);
    let end = detail.as_ref().map_or(0, |d| d.summary.console_len);
    let console = rt.console_since(&id, end.saturating_sub(console_bytes as u64), console_bytes);
    let outcome = detail.and_then(|d| d.outcome).map(|o| match o.result {
        Ok(r) => json!({ "ok": r }),
        Err(e) => json!({ "error": e }),
    });
    let resources: Vec<Value> = view
        .resources
        .iter()
        .map(|fields| Value::Object(fields.iter().map(|(k, v)| (k.to_string(), json!(v))).collect()))
        .collect();
    let moving = match rt.move_status(&id) {
        itinerant_core::MoveStatus::Refused(why) => Some(format!("last move refused: {why}")),
        _ => None,
    };
    let mut row = agent_row(&view);
    row["itinerary"] = itinerary(&view.itinerary);
    row["resources"] = json!(resources);
    row["console"] = json!(console.map(|c| c.text).unwrap_or_default());
    row["outcome"] = json!(outcome);
    row["move"] = json!(moving);
    row["here"] = json!(!matches!(view.state, AgentState::Moved | AgentState::Deleted));
    Some(row)
}

/// A button: suspend, resume, kill, or migrate (`to` a peer).
pub fn act(node: &Node, id: &str, action: &str, to: Option<&str>) -> Result<String, String> {
    let rt = node.runtime();
    let id = AgentId::parse(id).ok_or_else(|| format!("bad agent id \"{id}\""))?;
    match (action, to) {
        ("suspend", _) => rt.suspend(&id).map(|()| format!("{id} suspended")),
        ("resume", _) => rt.resume(&id).map(|()| format!("{id} resumed")),
        ("kill", _) => rt.kill(&id).map(|()| format!("{id} killed")),
        ("migrate", Some(dest)) => rt.migrate(&id, dest).map(|()| format!("{id} moving to {dest}")),
        ("migrate", None) => Err("migrate needs ?to=NODE".into()),
        (other, _) => Err(format!("unknown action \"{other}\"")),
    }
}

pub fn sniff_rows(messages: &[Sniffed]) -> Value {
    let rows: Vec<Value> = messages
        .iter()
        .map(|m| {
            json!({
                "seq": m.seq,
                "at_ms": m.at_ms,
                "from": m.from,
                "to": m.to,
                "performative": m.performative,
                "conversation": m.conversation,
                "content": m.content,
            })
        })
        .collect();
    json!(rows)
}

/// The ACL messages seen here after sequence number `after` that
/// `acting` may see.
pub fn sniffed_for(node: &Node, acting: &Acting, after: u64) -> Vec<Sniffed> {
    visible_to(node, acting, node.runtime().sniffed(after))
}

/// Of `messages`, those `acting` may see: an operator every one, an owner
/// those from or to one of its agents here, nobody none.
pub fn visible_to(node: &Node, acting: &Acting, mut messages: Vec<Sniffed>) -> Vec<Sniffed> {
    if node.is_operator(acting) {
        return messages;
    }
    let Acting::Owner(owner) = acting else { return Vec::new() };
    let rt = node.runtime();
    let owns = |who: &str| rt.lookup(who).and_then(|id| rt.owner_of(&id)).is_some_and(|o| o.key == owner.key);
    messages.retain(|m| owns(&m.from) || owns(&m.to));
    messages
}

/// Adapters (with calls and latency) and their objects.
pub async fn objects(node: &Node) -> Value {
    let objects = node.objects();
    let stats = objects.invocations.per_adapter();
    let adapters = match objects.handle(ObjectRequest::AdapterList).await {
        Ok(ObjectReply::Adapters(rows)) => rows
            .into_iter()
            .map(|a| {
                let s = stats.iter().find(|(name, _, _)| *name == a.name);
                let calls = s.map_or(0, |s| s.1);
                let mean_ms = s.filter(|s| s.1 > 0).map(|s| s.2.sum_secs * 1000.0 / s.1 as f64);
                json!({
                    "name": a.name, "policy": a.policy, "objects": a.objects, "running": a.running,
                    "queued": a.queued, "calls": calls, "mean_ms": mean_ms,
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    let list = objects.handle(ObjectRequest::ObjectList { adapter: None }).await;
    let objects: Vec<Value> = match list {
        Ok(ObjectReply::Objects(rows)) => rows
            .into_iter()
            .map(|o| {
                json!({
                    "reference": o.reference, "kind": o.kind, "active": o.active,
                    "activations": o.activations, "calls": o.calls,
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    json!({ "adapters": adapters, "objects": objects })
}
