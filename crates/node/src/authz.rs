//! Which client may make which request (`docs/SECURITY.md`, "Clients").
//!
//! On a node without a policy every client may do everything (an
//! unauthenticated loopback node). Under a policy a client connection acts
//! for nobody until it proves, with `OwnerRequest::Authenticate`, that it
//! holds an owner's key: it signs the connection's TLS channel binding, so
//! the proof is good for that connection alone. Then:
//!
//! - anyone may look (agents, nodes, the directory, libraries, adapters and
//!   objects, drain status, services), call objects, connect to services,
//!   and submit (a submission is judged by its own signature and the
//!   policy);
//! - an owner may send messages, and act on its own agents (info, logs,
//!   kill, suspend, resume, migrate);
//! - an owner whose grant has `operate` may act on every agent and on the
//!   node (drain, libraries, object adapters, policy reload). A request this
//!   module does not know needs an operator.
//!
//! The decision is a pure function of who acts, the request, and the owner
//! of the agent it names, so it is tested here without sockets.

use itinerant_core::owner::Owner;
use itinerant_core::{Authority, Grant};

use crate::control::RequestBody;
use crate::objects::proto::ObjectRequest;
use crate::signed::OwnerRequest;

/// Whom a client connection acts for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Acting {
    /// A node without a policy: the client may do everything.
    Open,
    /// Under a policy, before the client proved it is an owner.
    Nobody,
    /// A client that signed this connection's binding with `Owner`'s key.
    Owner(Owner),
}

impl Acting {
    /// A new connection's: open without a policy, else nobody yet.
    pub fn at_connect(has_policy: bool) -> Acting {
        if has_policy {
            Acting::Nobody
        } else {
            Acting::Open
        }
    }
}

/// What a request needs of the client.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Needs {
    Nothing,
    AnOwner,
    /// The owner of this agent (by id or name), or an operator.
    AgentsOwner(String),
    Operator,
}

fn needs(body: &RequestBody) -> (Needs, &'static str) {
    use RequestBody as R;
    match body {
        R::Submit { .. } => (Needs::Nothing, "submit"),
        R::Owner(OwnerRequest::SignedSubmit(_)) => (Needs::Nothing, "submit"),
        R::Owner(OwnerRequest::Authenticate { .. }) => (Needs::Nothing, "authenticate"),
        // The session acts for whom the connection acts, no more.
        R::Owner(OwnerRequest::DashboardSession) => (Needs::Nothing, "open a dashboard session"),
        R::Agents | R::DfSearch { .. } | R::Nodes | R::LibList | R::DrainStatus => (Needs::Nothing, "look"),
        R::AgentInfo { id } | R::Logs { id, .. } => (Needs::AgentsOwner(id.clone()), "inspect an agent"),
        R::Kill { id } => (Needs::AgentsOwner(id.clone()), "kill"),
        R::Suspend { id } => (Needs::AgentsOwner(id.clone()), "suspend"),
        R::Resume { id } => (Needs::AgentsOwner(id.clone()), "resume"),
        R::Migrate { id, .. } => (Needs::AgentsOwner(id.clone()), "migrate"),
        R::Send { .. } => (Needs::AnOwner, "send"),
        R::Object(o) => match o {
            ObjectRequest::AdapterList | ObjectRequest::ObjectList { .. } => (Needs::Nothing, "look"),
            // The urgent lane only cancels the calls of the channel whose
            // (unguessable) token it names: part of calling.
            ObjectRequest::Call { .. } | ObjectRequest::OpenChannel | ObjectRequest::OpenUrgent { .. } => {
                (Needs::Nothing, "call")
            }
            _ => (Needs::Operator, "manage objects"),
        },
        // Services are for the cluster's clients: listing, finding and
        // connecting to one needs nothing more than the connection.
        R::Service(_) => (Needs::Nothing, "use a service"),
        R::Front(_) => (Needs::Nothing, "look"),
        R::Cluster(crate::cluster::ClusterRequest::Status) => (Needs::Nothing, "look"),
        R::Cluster(crate::cluster::ClusterRequest::Forget { .. }) => (Needs::Operator, "forget a node"),
        R::LibPublish { .. } => (Needs::Operator, "publish a library"),
        R::Drain | R::Undrain => (Needs::Operator, "drain"),
        R::Owner(OwnerRequest::ReloadPolicy) => (Needs::Operator, "reload the policy"),
        #[allow(unreachable_patterns)]
        _ => (Needs::Operator, "this request"),
    }
}

/// May the client acting as `acting` make `body`? `policy` answers what an
/// owner is granted now (a reload applies at once); `owner_of` the owner
/// of an agent named by id or name (`None`: no such agent here, left for
/// the request to report; `Some(None)`: an unsigned agent).
pub fn check(
    acting: &Acting,
    body: &RequestBody,
    policy: Option<&dyn Authority>,
    owner_of: impl Fn(&str) -> Option<Option<Owner>>,
) -> Result<(), String> {
    let (needs, what) = needs(body);
    let owner = match acting {
        Acting::Open => return Ok(()),
        _ if needs == Needs::Nothing => return Ok(()),
        Acting::Nobody => {
            return Err(format!(
                "permission denied: {what} needs a client acting as an owner (this client did not sign in \
                 with an owner key)"
            ))
        }
        Acting::Owner(owner) => owner,
    };
    let grant: Option<std::sync::Arc<Grant>> = policy.and_then(|p| p.grant(Some(owner)).ok());
    let Some(grant) = grant else {
        return Err(format!("permission denied: owner {} is not admitted here", owner.describe()));
    };
    if grant.operate {
        return Ok(());
    }
    match needs {
        Needs::Nothing | Needs::AnOwner => Ok(()),
        Needs::AgentsOwner(id) => match owner_of(&id) {
            None => Ok(()),
            Some(Some(o)) if o.key == owner.key => Ok(()),
            Some(_) => Err(format!(
                "permission denied: {what} {id}: the agent is not owner {}'s (an operator may)",
                owner.name
            )),
        },
        Needs::Operator => Err(format!("permission denied: {what} needs an operator (owner {} is not)", owner.name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn owner(name: &str, byte: u8) -> Owner {
        itinerant_core::OwnerKey::from_secret(name, [byte; 32]).unwrap().owner()
    }

    /// A policy admitting alice (an operator) and bob (not).
    struct Two;

    impl Authority for Two {
        fn grant(&self, o: Option<&Owner>) -> Result<Arc<Grant>, String> {
            match o.map(|o| o.name.as_str()) {
                Some("alice") => Ok(Arc::new(Grant { operate: true, ..Grant::default() })),
                Some("bob") => Ok(Arc::new(Grant::default())),
                _ => Err("permission denied: not admitted".into()),
            }
        }
        fn refused(&self, _: Option<&Owner>, _: &str) {}
    }

    fn decide(acting: &Acting, body: RequestBody) -> Result<(), String> {
        let bobs = owner("bob", 2);
        check(acting, &body, Some(&Two), |id| match id {
            "1@n" => Some(Some(bobs.clone())),
            "2@n" => Some(None),
            "3@n" => Some(Some(owner("carol", 3))),
            _ => None,
        })
    }

    #[test]
    fn owners_act_on_their_own_agents_operators_on_all() {
        let (alice, bob) = (Acting::Owner(owner("alice", 1)), Acting::Owner(owner("bob", 2)));
        let kill = |id: &str| RequestBody::Kill { id: id.into() };
        assert_eq!(decide(&bob, kill("1@n")), Ok(()));
        let e = decide(&bob, kill("3@n")).unwrap_err();
        assert_eq!(e, "permission denied: kill 3@n: the agent is not owner bob's (an operator may)");
        assert!(decide(&bob, kill("2@n")).is_err(), "an unsigned agent is nobody's");
        assert_eq!(decide(&bob, kill("9@n")), Ok(()), "no such agent: the request reports it");
        for id in ["1@n", "2@n", "3@n"] {
            assert_eq!(decide(&alice, kill(id)), Ok(()));
        }
        let migrate = RequestBody::Migrate { id: "3@n".into(), node: "m".into() };
        assert!(decide(&bob, migrate.clone()).is_err());
        assert_eq!(decide(&alice, migrate), Ok(()));
    }

    #[test]
    fn node_operations_need_an_operator_looking_needs_nothing() {
        let (alice, bob) = (Acting::Owner(owner("alice", 1)), Acting::Owner(owner("bob", 2)));
        for body in [RequestBody::Drain, RequestBody::Owner(OwnerRequest::ReloadPolicy), RequestBody::Undrain] {
            assert_eq!(decide(&alice, body.clone()), Ok(()));
            assert!(decide(&bob, body.clone()).unwrap_err().contains("needs an operator (owner bob is not)"));
            assert!(decide(&Acting::Nobody, body.clone()).unwrap_err().contains("needs a client acting as an owner"));
            assert_eq!(decide(&Acting::Open, body), Ok(()));
        }
        use crate::objects::proto::ObjectRequest as O;
        for body in [
            RequestBody::Agents,
            RequestBody::Nodes,
            RequestBody::DrainStatus,
            RequestBody::Object(O::OpenChannel),
            RequestBody::Object(O::OpenUrgent { token: 7 }),
            RequestBody::Front(crate::front::proto::FrontRequest::Status),
            RequestBody::Front(crate::front::proto::FrontRequest::Cache),
        ] {
            assert_eq!(decide(&Acting::Nobody, body), Ok(()));
        }
        let send =
            RequestBody::Send { to: "1@n".into(), performative: "inform".into(), content: "x".into(), params: vec![] };
        assert!(decide(&Acting::Nobody, send.clone()).is_err());
        assert_eq!(decide(&bob, send), Ok(()));
    }

    #[test]
    fn an_owner_no_longer_admitted_may_do_nothing_but_look() {
        let carol = Acting::Owner(owner("carol", 3));
        let e = decide(&carol, RequestBody::Kill { id: "3@n".into() }).unwrap_err();
        assert!(e.contains("is not admitted here"), "{e}");
        assert_eq!(decide(&carol, RequestBody::Agents), Ok(()));
    }
}
