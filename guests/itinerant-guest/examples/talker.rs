//! Mixed languages. `role=acl`: asks the Agent Tcl agent `peer` a FIPA
//! `request` (conversation `c1`), waits for its `inform`, then answers the
//! peer's own `query-ref` with an `inform`. `role=object`: calls method
//! `method` of object `object` (a Tcl servant) with `arg`.
use itinerant_guest as itin;

fn acl() -> Result<String, String> {
    let peer = itin::param("peer").ok_or("no parameter \"peer\"")?;
    itin::acl::send(&peer, "request", "add 2 3", &[("conversation-id", "c1"), ("reply-with", "r1")])?;
    let answer = itin::acl::receive(Some("inform"), Some("c1"), Some(10_000))?.ok_or("no inform from the peer")?;
    let question = itin::acl::receive(Some("query-ref"), None, Some(10_000))?.ok_or("no query from the peer")?;
    itin::acl::reply(&question, "inform", &format!("wasm on {}", itin::node()))?;
    Ok(format!("peer said {}", answer.get("content").unwrap_or("")))
}

fn object() -> Result<String, String> {
    let reference = itin::param("object").ok_or("no parameter \"object\"")?;
    let method = itin::param("method").unwrap_or_else(|| "hello".into());
    let arg = itin::param("arg").unwrap_or_default();
    let result = itin::object_call(&reference, &method, &[&arg])?;
    Ok(format!("object said {result}"))
}

fn run() -> Result<String, String> {
    match itin::param("role").as_deref() {
        Some("acl") => acl(),
        Some("object") => object(),
        other => Err(format!("no such role {other:?}")),
    }
}

itin::agent_main!(run);
