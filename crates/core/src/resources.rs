//! Resource bindings: the handles an agent holds on local resources and
//! what becomes of each when the agent moves (the seed's table, DESIGN.md
//! "Mobility").
//!
//! A binding says what the agent needs of the resource: that very
//! instance (identifier), its contents (value), or any resource of its
//! kind (type). The attachment says how hard the resource is to move:
//! unattached (a small file), fastened (the node's key-value store),
//! fixed (the node's console/log). The pair picks the action on migration
//! (move, global reference, copy, rebind); the agent may ask for one of
//! the table's alternatives instead. Everything here is plain data: the
//! runtime applies the plan (`runtime/resource_io.rs`), the node carries
//! what must travel.

use std::fmt;

/// What the handle refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A file in the node's sandbox directory (target: its relative path).
    File,
    /// Keys of the node's key-value store (target: the key prefix).
    Store,
    /// The agent's console: its output lines and the node's log.
    Console,
    /// A listening TCP endpoint of the node (target: the port asked for,
    /// `0` for any): lines that arrive on its connections reach the agent.
    Endpoint,
}

/// Binding of an agent to a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Identifier,
    Value,
    Type,
}

/// How strongly the resource is attached to its machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attach {
    Unattached,
    Fastened,
    Fixed,
}

/// What happens to a binding when its agent moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// MV: the resource goes along and is gone from the old node.
    Move,
    /// GR: the resource stays; the agent reaches it remotely.
    GlobalRef,
    /// CP: a copy goes along; the old node keeps the original.
    Copy,
    /// RB: the agent binds to the new node's resource of the same kind.
    Rebind,
}

/// The seed's table: the action for a binding and attachment, then its
/// alternatives.
pub fn table(by: By, attach: Attach) -> (Action, &'static [Action]) {
    use Action::*;
    match (by, attach) {
        (By::Identifier, Attach::Unattached) => (Move, &[GlobalRef]),
        (By::Identifier, Attach::Fastened) => (GlobalRef, &[Move]),
        (By::Identifier, Attach::Fixed) => (GlobalRef, &[]),
        (By::Value, Attach::Unattached) => (Copy, &[Move, GlobalRef]),
        (By::Value, Attach::Fastened) => (GlobalRef, &[Copy]),
        (By::Value, Attach::Fixed) => (GlobalRef, &[]),
        (By::Type, Attach::Unattached) => (Rebind, &[Move, GlobalRef]),
        (By::Type, Attach::Fastened) => (Rebind, &[GlobalRef, Copy]),
        (By::Type, Attach::Fixed) => (Rebind, &[GlobalRef]),
    }
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::File => "file",
            Kind::Store => "store",
            Kind::Console => "console",
            Kind::Endpoint => "endpoint",
        }
    }

    pub fn from_name(s: &str) -> Option<Kind> {
        [Kind::File, Kind::Store, Kind::Console, Kind::Endpoint].into_iter().find(|k| k.name() == s)
    }

    /// The attachment a resource of this kind has unless the agent says
    /// otherwise (only files may say: a big file is fastened).
    pub fn default_attach(self) -> Attach {
        match self {
            Kind::File => Attach::Unattached,
            Kind::Store => Attach::Fastened,
            Kind::Console | Kind::Endpoint => Attach::Fixed,
        }
    }

    /// Whether a resource of this kind can be copied or moved at all
    /// (the console's output lines are not data that travels, nor is a
    /// socket bound to the node's address).
    fn can_carry(self) -> bool {
        !matches!(self, Kind::Console | Kind::Endpoint)
    }
}

impl By {
    pub fn name(self) -> &'static str {
        match self {
            By::Identifier => "id",
            By::Value => "value",
            By::Type => "type",
        }
    }

    pub fn from_name(s: &str) -> Option<By> {
        [By::Identifier, By::Value, By::Type].into_iter().find(|b| b.name() == s)
    }
}

impl Attach {
    pub fn name(self) -> &'static str {
        match self {
            Attach::Unattached => "unattached",
            Attach::Fastened => "fastened",
            Attach::Fixed => "fixed",
        }
    }

    pub fn from_name(s: &str) -> Option<Attach> {
        [Attach::Unattached, Attach::Fastened, Attach::Fixed].into_iter().find(|a| a.name() == s)
    }
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Move => "move",
            Action::GlobalRef => "ref",
            Action::Copy => "copy",
            Action::Rebind => "rebind",
        }
    }

    pub fn from_name(s: &str) -> Option<Action> {
        [Action::Move, Action::GlobalRef, Action::Copy, Action::Rebind].into_iter().find(|a| a.name() == s)
    }
}

/// One handle an agent holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    /// The agent's name for it (`file1`, `store2`, `console`).
    pub handle: String,
    pub kind: Kind,
    /// File: path relative to the sandbox; store: key prefix; console: "".
    pub target: String,
    pub by: By,
    pub attach: Attach,
    /// The action on migration (the table's, or an alternative asked for).
    pub action: Action,
    /// The node that holds the resource: where its operations run.
    pub node: String,
}

/// Why a binding was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BindError(pub String);

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Resource {
    /// A binding made on `node`; `action` None takes the table's.
    pub fn new(
        handle: String,
        kind: Kind,
        target: String,
        by: By,
        attach: Option<Attach>,
        action: Option<Action>,
        node: &str,
    ) -> Result<Resource, BindError> {
        let attach = attach.unwrap_or(kind.default_attach());
        if kind != Kind::File && attach != kind.default_attach() {
            return Err(BindError(format!(
                "a {} resource is {}, not {}",
                kind.name(),
                kind.default_attach().name(),
                attach.name()
            )));
        }
        if kind == Kind::File {
            check_path(&target)?;
        }
        let (default, alternatives) = table(by, attach);
        let action = action.unwrap_or(default);
        if action != default && !alternatives.contains(&action) {
            let allowed: Vec<&str> =
                std::iter::once(default).chain(alternatives.iter().copied()).map(Action::name).collect();
            return Err(BindError(format!(
                "a {} resource bound by {} may not {}: the table allows {}",
                attach.name(),
                by.name(),
                action.name(),
                allowed.join(", ")
            )));
        }
        if !kind.can_carry() && matches!(action, Action::Move | Action::Copy) {
            return Err(BindError(format!("a {} cannot {}", kind.name(), action.name())));
        }
        Ok(Resource { handle, kind, target, by, attach, action, node: node.to_owned() })
    }

    /// `{kind file target notes.txt by value attach unattached action copy node alpha}`
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        vec![
            ("kind", self.kind.name().into()),
            ("target", self.target.clone()),
            ("by", self.by.name().into()),
            ("attach", self.attach.name().into()),
            ("action", self.action.name().into()),
            ("node", self.node.clone()),
        ]
    }
}

/// What a departure does with one binding. `here` is the node the agent
/// leaves, `clone`: the agent stays too (fork), so nothing may be taken
/// from it (a move becomes a copy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// The binding is unchanged (a global reference, or held elsewhere).
    Keep,
    /// Carry the resource's data to the destination; delete it here once
    /// the destination has the agent (`delete_after`).
    Carry { delete_after: bool },
    /// The binding will name the destination's instance; nothing travels.
    Rebind,
}

pub fn departure_step(r: &Resource, here: &str, clone: bool) -> Step {
    match r.action {
        Action::GlobalRef => Step::Keep,
        // Data held on another node (after a global reference was chosen
        // earlier, or carried by an older hop) is not ours to carry.
        Action::Move | Action::Copy if r.node != here => Step::Keep,
        Action::Move => Step::Carry { delete_after: !clone },
        Action::Copy => Step::Carry { delete_after: false },
        Action::Rebind => Step::Rebind,
    }
}

/// The binding as it is on arrival at `dest`.
pub fn arrive(r: &Resource, step: &Step, dest: &str) -> Resource {
    let mut r = r.clone();
    if *step != Step::Keep {
        r.node = dest.to_owned();
    }
    r
}

/// What a departure does with an agent's bindings, decided without
/// touching any resource (the registry may be locked).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeparturePlan {
    /// The bindings as they will be at the destination.
    pub arrived: Vec<Resource>,
    /// Bindings whose data goes along (read just before the transfer).
    pub carry: Vec<Resource>,
    /// Bindings whose data leaves this node once the agent has arrived
    /// (for an endpoint rebound at the destination: the listener here
    /// closes).
    pub delete_after: Vec<Resource>,
}

pub fn plan_departure(resources: &[Resource], here: &str, dest: &str, clone: bool) -> DeparturePlan {
    let mut plan = DeparturePlan::default();
    for r in resources {
        let step = departure_step(r, here, clone);
        match step {
            Step::Carry { delete_after } if r.kind.can_carry() => {
                plan.carry.push(r.clone());
                if delete_after {
                    plan.delete_after.push(r.clone());
                }
            }
            // The clone gets an endpoint of its own there; the parent keeps
            // this one.
            Step::Rebind if r.kind == Kind::Endpoint && r.node == here && !clone => plan.delete_after.push(r.clone()),
            _ => {}
        }
        plan.arrived.push(arrive(r, &step, dest));
    }
    plan
}

/// A file path inside the sandbox: relative, plain components only.
pub fn check_path(path: &str) -> Result<(), BindError> {
    let bad = |why: &str| Err(BindError(format!("bad file path \"{path}\": {why}")));
    if path.is_empty() || path.len() > 512 {
        return bad("empty or longer than 512 bytes");
    }
    if path.starts_with('/') || path.contains('\\') || path.contains('\0') {
        return bad("must be relative to the sandbox");
    }
    if path.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
        return bad("no empty, \".\" or \"..\" components");
    }
    Ok(())
}

/// Data that travels with a departing agent for its carried bindings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Carried {
    File { path: String, data: String },
    Store { prefix: String, entries: Vec<(String, String)> },
}

/// The most data carried along with one agent (files and store entries).
pub const MAX_CARRIED_BYTES: usize = 16 << 20;

#[cfg(test)]
mod tests {
    use super::*;

    fn bind(kind: Kind, by: By, attach: Option<Attach>, action: Option<Action>) -> Result<Resource, BindError> {
        let target = if kind == Kind::File { "a.txt" } else { "" };
        Resource::new("h".into(), kind, target.into(), by, attach, action, "alpha")
    }

    #[test]
    fn the_table_is_the_seeds() {
        use Action::*;
        let rows = [
            (By::Identifier, [Move, GlobalRef, GlobalRef]),
            (By::Value, [Copy, GlobalRef, GlobalRef]),
            (By::Type, [Rebind, Rebind, Rebind]),
        ];
        for (by, actions) in rows {
            for (attach, want) in [Attach::Unattached, Attach::Fastened, Attach::Fixed].into_iter().zip(actions) {
                assert_eq!(table(by, attach).0, want, "{by:?} {attach:?}");
            }
        }
        assert_eq!(table(By::Value, Attach::Unattached).1, &[Move, GlobalRef]);
        assert_eq!(table(By::Type, Attach::Fastened).1, &[GlobalRef, Copy]);
    }

    #[test]
    fn alternatives_outside_the_table_are_refused() {
        assert!(bind(Kind::File, By::Identifier, None, Some(Action::Copy)).is_err());
        assert!(bind(Kind::File, By::Identifier, None, Some(Action::GlobalRef)).is_ok());
        assert!(bind(Kind::Store, By::Value, None, Some(Action::Copy)).is_ok());
        assert!(bind(Kind::Store, By::Value, None, Some(Action::Rebind)).is_err());
        assert!(bind(Kind::Console, By::Type, None, Some(Action::GlobalRef)).is_ok());
        let e = bind(Kind::Store, By::Identifier, Some(Attach::Fixed), None).unwrap_err();
        assert!(e.0.contains("fastened"), "{e}");
    }

    #[test]
    fn departure_steps_follow_the_action() {
        let file = bind(Kind::File, By::Identifier, None, None).unwrap();
        assert_eq!(departure_step(&file, "alpha", false), Step::Carry { delete_after: true });
        assert_eq!(departure_step(&file, "alpha", true), Step::Carry { delete_after: false });
        assert_eq!(departure_step(&file, "beta", false), Step::Keep);
        let copy = bind(Kind::File, By::Value, None, None).unwrap();
        assert_eq!(departure_step(&copy, "alpha", false), Step::Carry { delete_after: false });
        let store = bind(Kind::Store, By::Identifier, None, None).unwrap();
        let step = departure_step(&store, "alpha", false);
        assert_eq!(step, Step::Keep);
        assert_eq!(arrive(&store, &step, "beta").node, "alpha");
        let console = bind(Kind::Console, By::Type, None, None).unwrap();
        let step = departure_step(&console, "alpha", false);
        assert_eq!(arrive(&console, &step, "beta").node, "beta");
    }

    #[test]
    fn an_endpoint_stays_or_is_rebound_never_carried() {
        let by_id = bind(Kind::Endpoint, By::Identifier, None, None).unwrap();
        assert_eq!(by_id.action, Action::GlobalRef);
        let plan = plan_departure(std::slice::from_ref(&by_id), "alpha", "beta", false);
        assert_eq!((plan.carry.len(), plan.delete_after.len(), plan.arrived[0].node.as_str()), (0, 0, "alpha"));
        let by_type = bind(Kind::Endpoint, By::Type, None, None).unwrap();
        let plan = plan_departure(std::slice::from_ref(&by_type), "alpha", "beta", false);
        assert_eq!((plan.carry.len(), plan.delete_after.len(), plan.arrived[0].node.as_str()), (0, 1, "beta"));
        let fork = plan_departure(std::slice::from_ref(&by_type), "alpha", "beta", true);
        assert!(fork.delete_after.is_empty(), "the parent keeps its endpoint");
        assert!(bind(Kind::Endpoint, By::Value, None, Some(Action::Copy)).is_err());
    }

    #[test]
    fn paths_stay_in_the_sandbox() {
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a\\b"] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        for good in ["a", "notes.txt", "dir/sub/file.dat", "..hidden"] {
            assert!(check_path(good).is_ok(), "{good}");
        }
    }
}
