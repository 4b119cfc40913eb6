//! Object references: which node, adapter and object, as one string
//! `itin://NODE/ADAPTER/ID` that clients pass around, print and parse.

use std::fmt;

/// Longest node, adapter or object name.
pub const MAX_NAME: usize = 128;

/// Where an object lives (or lived: the node answers "moved" with the new
/// reference).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    pub node: String,
    pub adapter: String,
    pub id: String,
}

/// Checks one name of a reference: not empty, bounded, letters, digits
/// and `-_.:` only (no `/`, no spaces), so that a printed reference always
/// parses back to itself.
pub fn check_name(what: &str, name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_NAME {
        return Err(format!("bad {what} name \"{name}\": 1 to {MAX_NAME} characters"));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c)) {
        return Err(format!("bad {what} name \"{name}\": letters, digits and -_.: only"));
    }
    Ok(())
}

impl ObjectRef {
    pub fn new(node: &str, adapter: &str, id: &str) -> Result<ObjectRef, String> {
        check_name("node", node)?;
        check_name("adapter", adapter)?;
        check_name("object", id)?;
        Ok(ObjectRef { node: node.to_owned(), adapter: adapter.to_owned(), id: id.to_owned() })
    }

    pub fn parse(text: &str) -> Result<ObjectRef, String> {
        let bad = || format!("bad object reference \"{text}\": want itin://NODE/ADAPTER/ID");
        let rest = text.strip_prefix("itin://").ok_or_else(bad)?;
        let mut parts = rest.split('/');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(node), Some(adapter), Some(id), None) => ObjectRef::new(node, adapter, id),
            _ => Err(bad()),
        }
    }

    /// The same object on another node (where it moved).
    pub fn on(&self, node: &str) -> ObjectRef {
        ObjectRef { node: node.to_owned(), ..self.clone() }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "itin://{}/{}/{}", self.node, self.adapter, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_print_and_parse_back() {
        let r = ObjectRef::new("alpha", "bank", "acct-7").unwrap();
        assert_eq!(r.to_string(), "itin://alpha/bank/acct-7");
        assert_eq!(ObjectRef::parse("itin://alpha/bank/acct-7"), Ok(r.clone()));
        assert_eq!(r.on("beta").to_string(), "itin://beta/bank/acct-7");
    }

    #[test]
    fn bad_references_are_refused() {
        for bad in [
            "",
            "alpha/bank/x",
            "http://alpha/bank/x",
            "itin://alpha/bank",
            "itin://alpha/bank/x/y",
            "itin:///bank/x",
            "itin://alpha//x",
            "itin://al pha/bank/x",
            "itin://alpha/bank/",
        ] {
            assert!(ObjectRef::parse(bad).is_err(), "{bad}");
        }
        let long = format!("itin://{}/a/b", "n".repeat(MAX_NAME + 1));
        assert!(ObjectRef::parse(&long).is_err());
    }
}
