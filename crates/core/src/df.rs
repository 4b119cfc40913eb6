//! The directory facilitator (FIPA DF) of one runtime: agents register
//! service descriptions (dicts with `type`, `name` and other properties)
//! and search them. A node will make this a distributed directory.

use std::collections::BTreeMap;

use crate::runtime::AgentId;

/// A service description: property name to value (`type`, `name`, ...).
pub type Description = BTreeMap<String, String>;

/// Most descriptions one agent may register (bounds the directory).
pub const MAX_SERVICES_PER_AGENT: usize = 64;

/// The registered services, by agent.
#[derive(Default, Debug)]
pub struct Directory {
    services: BTreeMap<AgentId, Vec<Description>>,
}

/// What `df search` looks for: every given property must be equal.
#[derive(Default, Debug, Clone)]
pub struct Query {
    pub properties: Vec<(String, String)>,
}

impl Directory {
    /// Adds a description for `agent` (replacing one with the same name).
    pub fn register(&mut self, agent: &AgentId, desc: Description) -> Result<(), String> {
        let list = self.services.entry(agent.clone()).or_default();
        if let Some(name) = desc.get("name") {
            list.retain(|d| d.get("name") != Some(name));
        }
        if list.len() >= MAX_SERVICES_PER_AGENT {
            return Err(format!("agent {agent} already registers {MAX_SERVICES_PER_AGENT} services"));
        }
        list.push(desc);
        Ok(())
    }

    /// Removes the agent's services (all, or the one named `name`).
    pub fn deregister(&mut self, agent: &AgentId, name: Option<&str>) -> usize {
        let Some(list) = self.services.get_mut(agent) else { return 0 };
        let before = list.len();
        match name {
            Some(n) => list.retain(|d| d.get("name").map(String::as_str) != Some(n)),
            None => list.clear(),
        }
        let removed = before - list.len();
        if list.is_empty() {
            self.services.remove(agent);
        }
        removed
    }

    /// Matching descriptions with their agents, in agent order.
    pub fn search(&self, q: &Query) -> Vec<(AgentId, Description)> {
        let mut out = Vec::new();
        for (agent, list) in &self.services {
            for d in list {
                if q.properties.iter().all(|(k, v)| d.get(k) == Some(v)) {
                    out.push((agent.clone(), d.clone()));
                }
            }
        }
        out
    }

    /// Forgets an agent that ended.
    pub fn forget(&mut self, agent: &AgentId) {
        self.services.remove(agent);
    }

    /// The services of one agent.
    pub fn services_of(&self, agent: &AgentId) -> Vec<Description> {
        self.services.get(agent).cloned().unwrap_or_default()
    }

    /// Replaces an agent's services (an update from its node); empty
    /// removes the agent. At most `MAX_SERVICES_PER_AGENT` are kept.
    pub fn replace(&mut self, agent: &AgentId, mut services: Vec<Description>) {
        services.truncate(MAX_SERVICES_PER_AGENT);
        if services.is_empty() {
            self.services.remove(agent);
        } else {
            self.services.insert(agent.clone(), services);
        }
    }

    /// Every agent of `node` with its services.
    pub fn entries_of_node(&self, node: &str) -> Vec<(AgentId, Vec<Description>)> {
        self.services.iter().filter(|(a, _)| a.home() == node).map(|(a, d)| (a.clone(), d.clone())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desc(pairs: &[(&str, &str)]) -> Description {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn register_search_deregister() {
        let mut d = Directory::default();
        let a = AgentId::parse("1@alpha").unwrap();
        let b = AgentId::parse("2@alpha").unwrap();
        d.register(&a, desc(&[("type", "printer"), ("name", "p1"), ("color", "yes")])).unwrap();
        d.register(&b, desc(&[("type", "printer"), ("name", "p2")])).unwrap();
        d.register(&b, desc(&[("type", "scanner"), ("name", "s1")])).unwrap();
        let q = Query { properties: vec![("type".into(), "printer".into())] };
        assert_eq!(d.search(&q).len(), 2);
        let q = Query { properties: vec![("type".into(), "printer".into()), ("color".into(), "yes".into())] };
        assert_eq!(d.search(&q)[0].0, a);
        // Re-registering a name replaces it.
        d.register(&a, desc(&[("type", "fax"), ("name", "p1")])).unwrap();
        assert_eq!(d.search(&Query { properties: vec![("type".into(), "printer".into())] }).len(), 1);
        assert_eq!(d.deregister(&b, Some("s1")), 1);
        assert_eq!(d.deregister(&b, None), 1);
        assert!(d.search(&Query::default()).iter().all(|(id, _)| *id == a));
    }
}
