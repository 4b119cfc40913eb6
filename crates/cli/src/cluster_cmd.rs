//! The cluster directory from the CLI: its health and members under
//! `itin nodes`, and `itin node forget NAME`.

use std::process::ExitCode;

use itinerant_node::cluster::{ClusterReply, ClusterRequest};
use itinerant_node::control::{ReplyBody, RequestBody};

use crate::client::{print_table, unexpected, Client, Failure};

/// Prints the directory a node uses, whether it can reach it, and (with
/// etcd) the members it registered. A node too old to answer prints nothing.
pub fn print_directory(node: &str) {
    let Ok(mut client) = Client::connect(node) else { return };
    let Ok(ReplyBody::Cluster(ClusterReply::Status(s))) = client.call(RequestBody::Cluster(ClusterRequest::Status))
    else {
        return;
    };
    let health = match &s.health {
        None => "reachable".to_owned(),
        Some(why) => format!("UNREACHABLE: {why}"),
    };
    println!("\ndirectory: {} ({health}; {} operations by this node)", s.directory, s.operations);
    if !s.members.is_empty() {
        let rows: Vec<Vec<String>> = s
            .members
            .iter()
            .map(|m| {
                vec![
                    m.name.clone(),
                    m.addr.clone(),
                    if m.alive { "alive" } else { "dead (lease expired)" }.into(),
                    m.agents.to_string(),
                ]
            })
            .collect();
        print_table(&["MEMBER", "ADDRESS", "LEASE", "AGENTS"], &rows);
    }
    if !s.forgotten.is_empty() {
        println!("forgotten: {}", s.forgotten.join(" "));
    }
}

/// `itin node forget NAME`.
pub fn forget(node: &str, name: &str) -> Result<ExitCode, Failure> {
    match Client::connect(node)?.call(RequestBody::Cluster(ClusterRequest::Forget { node: name.into() }))? {
        ReplyBody::Cluster(ClusterReply::Forgotten(lost)) => {
            println!("node {name} forgotten; {} agents reported lost", lost.len());
            for id in lost {
                println!("lost {id}");
            }
            Ok(ExitCode::SUCCESS)
        }
        other => Err(unexpected(other).into()),
    }
}
