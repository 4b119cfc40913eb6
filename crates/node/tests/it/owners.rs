//! Owners, signed agents and node policies on real nodes on loopback: a
//! tampered submission and an unknown owner are refused, `exec` and `df
//! register` follow the owner's grant, the owner travels with a jump, a
//! fork and a submit (checked on the destination), a node that does not
//! let an owner migrate there refuses its agent (which carries on at the
//! source), and a reloaded policy changes the answers at once.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use itinerant_core::{Credential, Owner, OwnerKey, Submission};
use itinerant_node::control::{Request, RequestBody};
use itinerant_node::node::Node;
use itinerant_node::signed::OwnerRequest;

use crate::common;
use common::{peered, result_on};

fn alice() -> OwnerKey {
    OwnerKey::from_secret("alice", [11; 32]).unwrap()
}

fn bob() -> OwnerKey {
    OwnerKey::from_secret("bob", [22; 32]).unwrap()
}

fn signed(key: &OwnerKey, script: &str) -> Credential {
    key.sign(Submission::now(script.into(), None, vec![]).unwrap())
}

/// A directory of policy files for one test, one per node (`NAME.toml`).
struct Policies(PathBuf);

impl Policies {
    fn new(test: &str) -> Policies {
        let dir = std::env::temp_dir().join(format!("itin-owners-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Policies(dir)
    }

    fn path(&self, node: &str) -> PathBuf {
        self.0.join(format!("{node}.toml"))
    }

    /// Writes the policy of `node`: `owners` (with their keys) in group
    /// `g`, whose capabilities are `caps` (TOML lines).
    fn write(&self, node: &str, owners: &[&OwnerKey], caps: &str) {
        let mut text = String::new();
        for o in owners {
            text += &format!("[owners.{}]\nkey = \"{}\"\ngroups = [\"g\"]\n", o.name, o.owner().key_text());
        }
        text += &format!("[groups.g]\n{caps}\n");
        std::fs::write(self.path(node), text).unwrap();
    }

    /// Nodes `names`, each under its policy file (written before).
    async fn nodes(&self, names: &[&str]) -> Vec<Arc<Node>> {
        peered(names, |c| c.policy = Some(self.path(&c.name))).await
    }

    /// One node `name` under its policy, with a data directory (and so a
    /// sandbox) in this test's directory.
    async fn node_with_data(&self, name: &str) -> (Arc<Node>, PathBuf) {
        let data = self.0.join("data");
        let nodes = peered(&[name], |c| {
            c.policy = Some(self.path(&c.name));
            c.data = Some(data.clone());
        })
        .await;
        (nodes[0].clone(), data)
    }
}

impl Drop for Policies {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_with_one_byte_changed_is_refused() {
    let p = Policies::new("tamper");
    p.write("alpha", &[&alice()], "");
    let nodes = p.nodes(&["alpha"]).await;
    let rt = nodes[0].runtime();
    // As the client sends it: flip one byte of the script on the wire.
    let request =
        Request { id: 1, body: RequestBody::Owner(OwnerRequest::SignedSubmit(Box::new(signed(&alice(), "set x 6")))) };
    let mut bytes = request.encode();
    let at = bytes.windows(7).position(|w| w == b"set x 6").unwrap() + 6;
    bytes[at] = b'9';
    let Ok(Request { body: RequestBody::Owner(OwnerRequest::SignedSubmit(tampered)), .. }) = Request::decode(&bytes)
    else {
        panic!("the tampered request still decodes")
    };
    assert_eq!(tampered.submission.script, "set x 9");
    let e = rt.spawn_signed(*tampered).unwrap_err();
    assert!(e.starts_with("the owner's signature does not verify"), "{e}");
    // The same untouched runs.
    let id = rt.spawn_signed(signed(&alice(), "set x 6")).unwrap();
    assert_eq!(result_on(&nodes[0], &id).await, Ok("6".into()));
    assert_eq!(rt.owner_of(&id), Some(alice().owner()));
    nodes[0].stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_not_in_the_policy_and_an_unsigned_agent_are_refused() {
    let p = Policies::new("unknown");
    p.write("alpha", &[&alice()], "");
    let nodes = p.nodes(&["alpha"]).await;
    let rt = nodes[0].runtime();
    let e = rt.spawn_signed(signed(&bob(), "set x 1")).unwrap_err();
    assert!(e.starts_with("permission denied: owner bob (ed25519:"), "{e}");
    assert!(e.ends_with("is not admitted on node alpha"), "{e}");
    let e = rt.spawn("set x 1", None).unwrap_err();
    assert_eq!(e, "permission denied: unsigned agents are not admitted on node alpha");
    assert_eq!(rt.live_agents(), 0);
    nodes[0].stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_df_register_and_sending_abroad_follow_the_grant() {
    let p = Policies::new("exec");
    p.write("alpha", &[&alice()], "exec = [{ program = \"echo\" }, { program = \"ls\", args = [\"-d\", \"/tmp\"] }]");
    let nodes = p.nodes(&["alpha"]).await;
    let rt = nodes[0].runtime();
    let script = r#"
        lappend r [exec echo hi] [exec ls -d /tmp]
        lappend r [catch {exec rm -rf /tmp/nothing-here} e] $e
        lappend r [catch {exec ls /} e] $e
        lappend r [catch {df register -service {type t name n}} e] $e
        lappend r [catch {acl send -performative inform -receiver {x@far http://127.0.0.1:9/acc} -content hi} e] $e
    "#;
    let id = rt.spawn_signed(signed(&alice(), script)).unwrap();
    assert_eq!(
        result_on(&nodes[0], &id).await,
        Ok("hi /tmp 1 {permission denied: exec rm} 1 {permission denied: exec ls} 1 {permission denied: df register} 1 {permission denied: acl send to another platform}"
            .into())
    );
    nodes[0].stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_travels_with_a_jump_a_fork_and_a_submit() {
    let p = Policies::new("travel");
    for n in ["alpha", "beta", "gamma"] {
        p.write(n, &[&alice()], "migrate = true");
    }
    let nodes = p.nodes(&["alpha", "beta", "gamma"]).await;
    // The agent cannot pass itself off as someone else: the owner shown
    // after a move is the credential's.
    let script = r#"
        set agent(owner) mallory
        agent_jump beta
        set clone [agent_fork gamma]
        if {$clone eq ""} { return "clone of $agent(owner) on $agent(node)" }
        set child [agent_submit gamma -script { return "child of $agent(owner) on $agent(node)" }]
        list $agent(node) $agent(owner) $clone $child
    "#;
    let id = nodes[0].runtime().spawn_signed(signed(&alice(), script)).unwrap();
    let r = result_on(&nodes[1], &id).await.unwrap();
    let parts: Vec<&str> = r.split(' ').collect();
    assert_eq!(parts[..2], ["beta", "alice"], "{r}");
    let (clone, child) =
        (itinerant_core::AgentId::parse(parts[2]).unwrap(), itinerant_core::AgentId::parse(parts[3]).unwrap());
    assert_eq!(result_on(&nodes[2], &clone).await, Ok("clone of alice on gamma".into()));
    assert_eq!(result_on(&nodes[2], &child).await, Ok("child of alice on gamma".into()));
    // Checked on the destinations: the registry's owner, with its key.
    let owner: Option<Owner> = Some(alice().owner());
    assert_eq!(nodes[1].runtime().owner_of(&id), owner);
    assert_eq!(nodes[2].runtime().owner_of(&clone), owner);
    assert_eq!(nodes[2].runtime().owner_of(&child), owner);
    for n in &nodes {
        n.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_does_not_let_the_owner_migrate_there_refuses_it() {
    let p = Policies::new("nomigrate");
    p.write("alpha", &[&alice()], "migrate = true");
    p.write("beta", &[&alice()], "migrate = false");
    p.write("gamma", &[&bob()], "migrate = true");
    let nodes = p.nodes(&["alpha", "beta", "gamma"]).await;
    let script = r#"
        set n 5
        lappend r [catch {agent_jump beta} e] $e
        lappend r [catch {agent_jump gamma} e] $e
        lappend r [catch {agent_fork beta} e] $e
        lappend r $agent(node) [incr n]
        join $r |
    "#;
    let id = nodes[0].runtime().spawn_signed(signed(&alice(), script)).unwrap();
    let r = result_on(&nodes[0], &id).await.unwrap();
    let items: Vec<&str> = r.split('|').collect();
    assert_eq!(items.len(), 8, "{r}");
    assert_eq!(items[0], "1");
    assert!(items[1].contains("permission denied: migrate to node beta"), "{r}");
    assert_eq!(items[2], "1");
    assert!(items[3].contains("permission denied: owner alice (ed25519:") && items[3].contains("node gamma"), "{r}");
    assert_eq!(items[4], "1");
    assert!(items[5].contains("permission denied: migrate to node beta"), "{r}");
    assert_eq!(items[6..], ["alpha", "6"]);
    // A child of new code needs no migrate permission, only admission.
    let id = nodes[0].runtime().spawn_signed(signed(&alice(), "agent_submit beta -script {return ok}")).unwrap();
    let child = itinerant_core::AgentId::parse(&result_on(&nodes[0], &id).await.unwrap()).unwrap();
    assert_eq!(result_on(&nodes[1], &child).await, Ok("ok".into()));
    for n in &nodes {
        n.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quotas_of_agents_and_mailbox_depth_apply() {
    let p = Policies::new("quota");
    p.write("alpha", &[&alice()], "quota = { agents = 2, mailbox_depth = 3 }");
    let nodes = p.nodes(&["alpha"]).await;
    let rt = nodes[0].runtime();
    let sleeper = rt.spawn_signed(signed(&alice(), "after 60000")).unwrap();
    let waiter = rt.spawn_signed(signed(&alice(), "after 60000")).unwrap();
    let e = rt.spawn_signed(signed(&alice(), "set x 1")).unwrap_err();
    assert_eq!(e, "permission denied: owner already has 2 agents on node alpha");
    for i in 0..3 {
        rt.send_text(&waiter, None, i, "m").unwrap();
    }
    assert!(rt.send_text(&waiter, None, 3, "m").unwrap_err().to_string().contains("is full"));
    rt.kill(&sleeper).unwrap();
    let _ = rt.wait(&sleeper, Duration::from_secs(5));
    rt.spawn_signed(signed(&alice(), "set x 1")).unwrap();
    nodes[0].stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reloaded_policy_changes_the_answers_without_a_restart() {
    let p = Policies::new("reload");
    p.write("alpha", &[&alice()], "");
    let nodes = p.nodes(&["alpha"]).await;
    let rt = nodes[0].runtime();
    assert!(rt.spawn_signed(signed(&bob(), "set x 1")).is_err());
    let exec = "list [catch {exec echo yes} e] $e";
    let id = rt.spawn_signed(signed(&alice(), exec)).unwrap();
    assert_eq!(result_on(&nodes[0], &id).await, Ok("1 {permission denied: exec echo}".into()));
    // Asked (SIGHUP, `itin node reload-policy`).
    p.write("alpha", &[&alice(), &bob()], "exec = [{ program = \"echo\" }]");
    assert!(nodes[0].reload_policy().unwrap().contains("2 owners admitted"));
    let id = rt.spawn_signed(signed(&bob(), "set x 1")).unwrap();
    assert_eq!(result_on(&nodes[0], &id).await, Ok("1".into()));
    let id = rt.spawn_signed(signed(&alice(), exec)).unwrap();
    assert_eq!(result_on(&nodes[0], &id).await, Ok("0 yes".into()));
    // A bad file keeps the policy in force.
    std::fs::write(p.path("alpha"), "[owners.x]\nkey = 1\n").unwrap();
    assert!(nodes[0].reload_policy().is_err());
    assert!(rt.spawn_signed(signed(&bob(), "set x 1")).is_ok());
    // Unasked: the node notices the file changed.
    p.write("alpha", &[&alice()], "");
    let deadline = Instant::now() + Duration::from_secs(10);
    while rt.spawn_signed(signed(&bob(), "set x 1")).is_ok() {
        assert!(Instant::now() < deadline, "the changed policy file was not read again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    nodes[0].stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_owner_has_a_sandbox_of_its_own() {
    let p = Policies::new("sandbox");
    p.write("alpha", &[&alice(), &bob()], "");
    let (node, data) = p.node_with_data("alpha").await;
    let nodes = [node];
    let rt = nodes[0].runtime();
    let write = |who: &str| format!("set f [resource file notes.txt]; resource write $f {who}; resource read $f");
    for key in [alice(), bob()] {
        let id = rt.spawn_signed(signed(&key, &write(&key.name))).unwrap();
        assert_eq!(result_on(&nodes[0], &id).await, Ok(key.name.clone()));
        let hex = key.owner().key_text().trim_start_matches("ed25519:").to_owned();
        let on_disk = std::fs::read_to_string(data.join("sandbox/.owners").join(hex).join("notes.txt"));
        assert_eq!(on_disk.unwrap(), key.name, "{}'s file in {}'s directory", key.name, key.name);
    }
    let id = rt.spawn_signed(signed(&bob(), "resource file .owners/x/notes.txt")).unwrap();
    assert!(result_on(&nodes[0], &id).await.unwrap_err().contains(".owners is reserved"));
    nodes[0].stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owners_quotas_and_sandbox_narrow_what_the_node_allows() {
    let p = Policies::new("narrow");
    let files = p.0.join("alice-files");
    let (a, b) = (alice().owner().key_text(), bob().owner().key_text());
    let text = format!(
        "[owners.alice]\nkey = \"{a}\"\ngroups = [\"tight\"]\n[owners.bob]\nkey = \"{b}\"\n\
         [groups.tight]\nsandbox = \"{}\"\n\
         quota = {{ memory = 4000000, message_bytes = 1000, instructions_per_sec = 200000 }}\n",
        files.display()
    );
    std::fs::write(p.path("alpha"), text).unwrap();
    let (node, _data) = p.node_with_data("alpha").await;
    let nodes = [node];
    let rt = nodes[0].runtime();
    let script = r#"
        lappend r [catch {string length [string repeat x 5000000]} e] [string range $e 0 20]
        lappend r [catch {agent_send $agent(local) 0 [string repeat y 2000]} e] [string range $e 0 26]
        set f [resource file notes.txt]; resource write $f mine
        lappend r [resource read $f]
    "#;
    // Alice's group narrows memory and message size; Bob has the node's
    // quotas. (Forks go through the same lookup, `quotas_of`; a fork quota
    // needs children outstanding at once, which a test of one node cannot
    // hold: forks to the agent's own node are not served yet.)
    let id = rt.spawn_signed(signed(&alice(), script)).unwrap();
    let mine = result_on(&nodes[0], &id).await.unwrap();
    assert_eq!(mine, "1 {memory quota exceeded} 1 {message size quota exceeded} mine", "alice's agent");
    assert_eq!(std::fs::read_to_string(files.join("notes.txt")).unwrap(), "mine", "in the policy's sandbox");
    let id = rt.spawn_signed(signed(&bob(), script)).unwrap();
    let theirs = result_on(&nodes[0], &id).await.unwrap();
    assert!(theirs.starts_with("0 5000000 0 "), "bob's agent: {theirs}");
    // The rate: 200,000 instructions a second, so a loop of more
    // is held back and told so on its console.
    let id = rt.spawn_signed(signed(&alice(), "for {set i 0} {$i < 30000} {incr i} {}; set i")).unwrap();
    assert_eq!(result_on(&nodes[0], &id).await, Ok("30000".into()));
    assert!(rt.console(&id).unwrap_or_default().contains("throttled"), "alice's loop was throttled");
    nodes[0].stop();
}
