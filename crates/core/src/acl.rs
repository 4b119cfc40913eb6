//! FIPA ACL messages: the 22 performatives, the message parameters, and the
//! filters of `acl receive`.

/// The FIPA communicative acts.
pub const PERFORMATIVES: [&str; 22] = [
    "accept-proposal",
    "agree",
    "cancel",
    "cfp",
    "confirm",
    "disconfirm",
    "failure",
    "inform",
    "inform-if",
    "inform-ref",
    "not-understood",
    "propagate",
    "propose",
    "proxy",
    "query-if",
    "query-ref",
    "refuse",
    "reject-proposal",
    "request",
    "request-when",
    "request-whenever",
    "subscribe",
];

/// The message parameters besides the performative, in FIPA order.
pub const PARAMETERS: [&str; 12] = [
    "sender",
    "receiver",
    "reply-to",
    "content",
    "language",
    "encoding",
    "ontology",
    "protocol",
    "conversation-id",
    "reply-with",
    "in-reply-to",
    "reply-by",
];

/// An ACL message: the performative and the parameters that are set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Acl {
    pub performative: String,
    /// (parameter, value) for the parameters given, in `PARAMETERS` order.
    pub params: Vec<(String, String)>,
}

impl Acl {
    pub fn get(&self, key: &str) -> Option<&str> {
        if key == "performative" {
            return Some(&self.performative);
        }
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn set(&mut self, key: &str, value: &str) {
        match self.params.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.to_owned(),
            None => {
                self.params.push((key.to_owned(), value.to_owned()));
                let rank = |k: &str| PARAMETERS.iter().position(|p| *p == k).unwrap_or(usize::MAX);
                self.params.sort_by_key(|(k, _)| rank(k));
            }
        }
    }

    /// The message as a Tcl dict: performative first, then every parameter
    /// (empty when not set).
    pub fn to_dict_items(&self) -> Vec<String> {
        let mut out = vec!["performative".to_owned(), self.performative.clone()];
        for p in PARAMETERS {
            out.push(p.to_owned());
            out.push(self.get(p).unwrap_or("").to_owned());
        }
        out
    }
}

/// What `acl receive` waits for: every given field must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AclFilter {
    pub performative: Option<String>,
    pub conversation_id: Option<String>,
    pub sender: Option<String>,
}

impl AclFilter {
    pub fn matches(&self, acl: &Acl) -> bool {
        let ok = |want: &Option<String>, key: &str| want.as_deref().is_none_or(|w| acl.get(key) == Some(w));
        ok(&self.performative, "performative")
            && ok(&self.conversation_id, "conversation-id")
            && ok(&self.sender, "sender")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_keep_fipa_order_and_filters_match() {
        let mut a = Acl { performative: "inform".into(), params: vec![] };
        a.set("content", "x");
        a.set("sender", "1@alpha");
        a.set("conversation-id", "c1");
        assert_eq!(a.params[0].0, "sender");
        assert_eq!(a.to_dict_items()[..6], ["performative", "inform", "sender", "1@alpha", "receiver", ""]);
        let f = AclFilter { performative: Some("inform".into()), conversation_id: Some("c1".into()), sender: None };
        assert!(f.matches(&a));
        let g = AclFilter { sender: Some("2@alpha".into()), ..Default::default() };
        assert!(!g.matches(&a));
    }
}
