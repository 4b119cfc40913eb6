//! `itin endpoints`: the services of a running node (its superserver),
//! or where one service is (requests of `itinerant_node::services::proto`).

use std::process::ExitCode;

use itinerant_node::control::{ReplyBody, RequestBody};
use itinerant_node::services::proto::{EndpointRow, ServiceReply, ServiceRequest};
use serde::Serialize;

use crate::client::{print_rows, unexpected, Client, Failure};

#[derive(Serialize)]
struct EndpointJson<'a> {
    name: &'a str,
    kind: &'a str,
    target: &'a str,
    address: &'a str,
    /// "own" (connect to the address) or "node" (connect, then `Connect NAME`).
    port: &'a str,
}

/// Lists the node's services, or with `name` that one service.
pub fn endpoints(node: &str, name: Option<String>, json: bool) -> Result<ExitCode, Failure> {
    let req = match name {
        Some(name) => ServiceRequest::Endpoint { name },
        None => ServiceRequest::List,
    };
    let rows: Vec<EndpointRow> = match Client::connect(node)?.call(RequestBody::Service(req))? {
        ReplyBody::Service(ServiceReply::Endpoints(rows)) => rows,
        ReplyBody::Service(ServiceReply::Endpoint(row)) => vec![row],
        other => return Err(unexpected(other).into()),
    };
    let items: Vec<EndpointJson> = rows
        .iter()
        .map(|r| EndpointJson {
            name: &r.name,
            kind: &r.kind,
            target: &r.target,
            address: &r.address,
            port: if r.own_port { "own" } else { "node" },
        })
        .collect();
    print_rows(json, &items, &["NAME", "KIND", "ADDRESS", "PORT", "TARGET"], |e| {
        [e.name, e.kind, e.address, e.port, e.target].map(str::to_owned).to_vec()
    })?;
    Ok(ExitCode::SUCCESS)
}
