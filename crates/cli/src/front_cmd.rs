//! `itin front` (a front's back ends with their load and state), `itin
//! cache` (the node's cache for its agents) and `itin call --repeat N
//! --cache --stats` (a client of its own, with a cache, and its counters):
//! requests of `itinerant_node::front::proto`, and the Rust client library.

use std::process::ExitCode;
use std::time::Duration;

use itinerant_node::control::{ReplyBody, RequestBody};
use itinerant_node::front::proto::{FrontReply, FrontRequest};
use itinerant_node::objects::cache::CacheStats;
use itinerant_node::objects::client::ObjectClient;
use itinerant_node::objects::reference::ObjectRef;
use serde::Serialize;

use crate::client::{print_rows, unexpected, Client, Failure};

#[derive(Serialize)]
struct BackendJson<'a> {
    adapter: &'a str,
    mode: &'a str,
    policy: &'a str,
    backend: &'a str,
    state: &'a str,
    /// Calls the front has outstanding there plus its reported load.
    load: u64,
    outstanding: u64,
    reported_load: u64,
    dispatched: u64,
    downs: u64,
    why: &'a str,
}

/// The services node `node` fronts, a row per back end.
pub fn front(node: &str, json: bool) -> Result<ExitCode, Failure> {
    let (services, counters) = match Client::connect(node)?.call(RequestBody::Front(FrontRequest::Status))? {
        ReplyBody::Front(FrontReply::Status { services, counters }) => (services, counters),
        other => return Err(unexpected(other).into()),
    };
    if services.is_empty() && !json {
        println!("node fronts nothing");
        return Ok(ExitCode::SUCCESS);
    }
    let mut items = Vec::new();
    for s in &services {
        for b in &s.backends {
            items.push(BackendJson {
                adapter: &s.adapter,
                mode: &s.mode,
                policy: &s.policy,
                backend: &b.name,
                state: if b.up { "up" } else { "down" },
                load: b.outstanding + b.reported_load,
                outstanding: b.outstanding,
                reported_load: b.reported_load,
                dispatched: b.dispatched,
                downs: b.downs,
                why: if b.up { "" } else { &b.why },
            });
        }
    }
    print_rows(
        json,
        &items,
        &["ADAPTER", "MODE", "POLICY", "BACKEND", "STATE", "LOAD", "DISPATCHED", "DOWNS", "WHY"],
        |b| {
            vec![
                b.adapter.into(),
                b.mode.into(),
                b.policy.into(),
                b.backend.into(),
                b.state.into(),
                b.load.to_string(),
                b.dispatched.to_string(),
                b.downs.to_string(),
                b.why.into(),
            ]
        },
    )?;
    if !json {
        println!(
            "relayed {} calls ({} reply bytes through the front), {} clients handed off",
            counters.relayed, counters.relayed_reply_bytes, counters.handoffs
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct CacheJson {
    entries: u64,
    hits: u64,
    misses: u64,
    revalidations: u64,
    invalidations: u64,
    expired: u64,
    hit_rate: f64,
}

fn cache_json(s: &CacheStats) -> CacheJson {
    CacheJson {
        entries: s.entries,
        hits: s.hits,
        misses: s.misses,
        revalidations: s.revalidations,
        invalidations: s.invalidations,
        expired: s.expired,
        hit_rate: s.hit_rate(),
    }
}

fn print_cache(what: &str, s: &CacheStats, json: bool) -> Result<(), String> {
    if json {
        println!("{}", serde_json::to_string(&cache_json(s)).map_err(|e| e.to_string())?);
    } else {
        println!(
            "{what}: {} entries, {} hits, {} misses, {} revalidated, {} invalidations, {} expired, hit rate {:.1}%",
            s.entries,
            s.hits,
            s.misses,
            s.revalidations,
            s.invalidations,
            s.expired,
            s.hit_rate() * 100.0
        );
    }
    Ok(())
}

/// The cache node `node` keeps for its agents' `object call`.
pub fn cache(node: &str, json: bool) -> Result<ExitCode, Failure> {
    match Client::connect(node)?.call(RequestBody::Front(FrontRequest::Cache))? {
        ReplyBody::Front(FrontReply::Cache(s)) => print_cache("agents' cache", &s, json)?,
        other => return Err(unexpected(other).into()),
    }
    Ok(ExitCode::SUCCESS)
}

/// How `itin call` runs when asked to repeat, cache or count.
pub struct Repeat {
    pub times: u32,
    pub cache: bool,
    pub stats: bool,
}

/// `itin call` through a client of its own (a call channel, following
/// fronts' handoffs): the call `times` times, its result printed once,
/// with `cache` through a cache, with `stats` the cache's counters.
pub fn call_repeated(
    node: &str,
    target: String,
    method: String,
    args: Vec<String>,
    timeout_ms: u64,
    repeat: Repeat,
) -> Result<ExitCode, Failure> {
    let target = ObjectRef::parse(&target)?;
    let addr = crate::client::resolve(node)?;
    let tls = crate::client::tls_config()?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let session = format!("itin-{}", std::process::id());
    let (result, stats) = rt.block_on(async {
        let c = ObjectClient::connect_with(addr, &session, tls).await?;
        c.set_caching(repeat.cache);
        let mut last = Err("no call made".to_string());
        for _ in 0..repeat.times.max(1) {
            last =
                c.invoke(&target, &method, &args, Duration::from_millis(timeout_ms)).await.map_err(|e| e.to_string());
            if last.is_err() {
                break;
            }
        }
        Ok::<_, String>((last, c.cache_stats()))
    })?;
    println!("{}", result?);
    if repeat.stats {
        print_cache("cache", &stats, false)?;
    }
    Ok(ExitCode::SUCCESS)
}
