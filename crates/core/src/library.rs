//! Libraries for code on demand: a published library is a name, a version
//! and a Tcl script that `package require` evaluates in an agent. This
//! module is the pure part: validating names, versions and sizes, Tcl's
//! version order and requirement rules, and choosing the version to load.
//! Where libraries are kept and how they travel is the node's business
//! (see [`crate::Router::find_library`]).

use std::cmp::Ordering;

/// Largest library script accepted (a library travels in one frame).
pub const MAX_LIBRARY_BYTES: usize = 1 << 20;
/// Longest library name.
pub const MAX_NAME_BYTES: usize = 128;
/// Most components of a version (`1.2.3` has three).
const MAX_VERSION_PARTS: usize = 8;
/// Most digits of one version component (it fits a `u64`).
const MAX_PART_DIGITS: usize = 9;

/// A library as published: its script defines procs (and may set
/// globals, call `package provide`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Library {
    pub name: String,
    pub version: String,
    pub script: String,
}

impl Library {
    /// A library with its name, version and size checked.
    pub fn new(name: &str, version: &str, script: String) -> Result<Library, String> {
        check_name(name)?;
        parse_version(version)?;
        if script.len() > MAX_LIBRARY_BYTES {
            return Err(format!(
                "library {name} {version} is {} bytes, more than the limit of {MAX_LIBRARY_BYTES}",
                script.len()
            ));
        }
        Ok(Library { name: name.to_owned(), version: version.to_owned(), script })
    }
}

/// A library name: 1 to 128 letters, digits, `_`, `-`, `.` or `:`
/// (names are keys in stores and array elements in agents).
pub fn check_name(name: &str) -> Result<(), String> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || "_-.:".contains(c);
    if name.is_empty() || name.len() > MAX_NAME_BYTES || !name.chars().all(ok_char) {
        return Err(format!(
            "bad library name \"{name}\": must be 1 to {MAX_NAME_BYTES} letters, digits, _, -, . or :"
        ));
    }
    Ok(())
}

/// A version in Tcl's syntax: integers separated by dots (`1`, `2.0.3`).
pub fn parse_version(v: &str) -> Result<Vec<u64>, String> {
    let bad = || format!("expected version number but got \"{v}\"");
    let parts: Vec<&str> = v.split('.').collect();
    if parts.len() > MAX_VERSION_PARTS {
        return Err(bad());
    }
    parts
        .iter()
        .map(|p| {
            if p.is_empty() || p.len() > MAX_PART_DIGITS || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            p.parse::<u64>().map_err(|_| bad())
        })
        .collect()
}

/// Tcl's `package vcompare`: component by component; when one version is
/// a prefix of the other, the shorter one is older (`1 < 1.0`).
fn compare_parts(a: &[u64], b: &[u64]) -> Ordering {
    a.cmp(b)
}

/// `package vcompare A B`: -1, 0 or 1.
pub fn compare(a: &str, b: &str) -> Result<i32, String> {
    Ok(match compare_parts(&parse_version(a)?, &parse_version(b)?) {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    })
}

/// Which versions of a library will do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requirement {
    /// Any version (the highest is chosen).
    Any,
    /// `MIN`: the same major version, at least MIN.
    AtLeastSameMajor(Vec<u64>),
    /// `MIN-` (no upper bound) or `MIN-MAX` (MAX excluded, unless equal to MIN).
    Range(Vec<u64>, Option<Vec<u64>>),
    /// `-exact V`.
    Exact(Vec<u64>),
}

fn join(v: &[u64]) -> String {
    v.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

impl Requirement {
    /// Parses a requirement as `package require` takes it (`1.2`, `1.2-`,
    /// `1.2-3`); `exact` for `-exact`.
    pub fn parse(text: &str, exact: bool) -> Result<Requirement, String> {
        if exact {
            return Ok(Requirement::Exact(parse_version(text)?));
        }
        match text.split_once('-') {
            None => Ok(Requirement::AtLeastSameMajor(parse_version(text)?)),
            Some((min, "")) => Ok(Requirement::Range(parse_version(min)?, None)),
            Some((min, max)) => Ok(Requirement::Range(parse_version(min)?, Some(parse_version(max)?))),
        }
    }

    /// The form that travels in host requests and on the wire (`=V` for
    /// exact, "" for any); [`Requirement::decode`] reads it back.
    pub fn encode(&self) -> String {
        match self {
            Requirement::Any => String::new(),
            Requirement::Exact(v) => format!("={}", join(v)),
            other => other.to_string(),
        }
    }

    pub fn decode(text: &str) -> Result<Requirement, String> {
        match text {
            "" => Ok(Requirement::Any),
            _ => match text.strip_prefix('=') {
                Some(v) => Requirement::parse(v, true),
                None => Requirement::parse(text, false),
            },
        }
    }

    /// Does `version` meet the requirement (Tcl's `package vsatisfies`)?
    pub fn satisfied_by(&self, version: &[u64]) -> bool {
        match self {
            Requirement::Any => true,
            Requirement::AtLeastSameMajor(min) => {
                version.first() == min.first() && compare_parts(version, min) != Ordering::Less
            }
            Requirement::Range(min, None) => compare_parts(version, min) != Ordering::Less,
            Requirement::Range(min, Some(max)) if min == max => version == min.as_slice(),
            Requirement::Range(min, Some(max)) => {
                compare_parts(version, min) != Ordering::Less && compare_parts(version, max) == Ordering::Less
            }
            Requirement::Exact(v) => version == v.as_slice(),
        }
    }

    /// `satisfied_by` for a version as text (a malformed one never is).
    pub fn satisfied_by_text(&self, version: &str) -> bool {
        parse_version(version).is_ok_and(|v| self.satisfied_by(&v))
    }
}

/// As `package require` writes the requirement in its messages.
impl std::fmt::Display for Requirement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Requirement::Any => Ok(()),
            Requirement::AtLeastSameMajor(v) => f.write_str(&join(v)),
            Requirement::Range(min, None) => write!(f, "{}-", join(min)),
            Requirement::Range(min, Some(max)) => write!(f, "{}-{}", join(min), join(max)),
            Requirement::Exact(v) => write!(f, "-exact {}", join(v)),
        }
    }
}

/// The version to load among `available`: the highest that satisfies
/// `req` (malformed versions are skipped).
pub fn choose<'a>(available: impl IntoIterator<Item = &'a str>, req: &Requirement) -> Option<&'a str> {
    available
        .into_iter()
        .filter_map(|v| parse_version(v).ok().filter(|p| req.satisfied_by(p)).map(|p| (p, v)))
        .max_by(|a, b| compare_parts(&a.0, &b.0))
        .map(|(_, v)| v)
}

/// Tcl's message when no version satisfies: `can't find package NAME`,
/// with the requirement if one was given.
pub fn unfound_message(name: &str, req: &Requirement) -> String {
    match req {
        Requirement::Any => format!("can't find package {name}"),
        r => format!("can't find package {name} {r}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(text: &str) -> Requirement {
        match text.strip_prefix("-exact ") {
            Some(v) => Requirement::parse(v, true).unwrap(),
            None if text.is_empty() => Requirement::Any,
            None => Requirement::parse(text, false).unwrap(),
        }
    }

    #[test]
    fn versions_are_integers_separated_by_dots() {
        assert_eq!(parse_version("1"), Ok(vec![1]));
        assert_eq!(parse_version("2.0.13"), Ok(vec![2, 0, 13]));
        for bad in ["", "1.", ".1", "1..2", "1.a", "v1", "1.2b3", "-1", " 1", "1234567890", "1.1.1.1.1.1.1.1.1"] {
            assert!(parse_version(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(compare("1.10", "1.9"), Ok(1));
        assert_eq!(compare("1", "1.0"), Ok(-1));
        assert_eq!(compare("2.0", "2.0"), Ok(0));
    }

    #[test]
    fn requirements_follow_tcls_vsatisfies() {
        let cases = [
            ("1.2", "1.2", true),
            ("1.2", "1.5", true),
            ("1.2", "1.1", false),
            ("1.2", "2.0", false),
            ("1.2-", "3.0", true),
            ("1.2-", "1.1", false),
            ("1.2-2", "1.9", true),
            ("1.2-2", "2", false),
            ("1.2-1.2", "1.2", true),
            ("-exact 1.2", "1.2", true),
            ("-exact 1.2", "1.2.0", false),
            ("-exact 1.2", "1.3", false),
            ("", "0.1", true),
        ];
        for (r, v, want) in cases {
            assert_eq!(req(r).satisfied_by_text(v), want, "{v} satisfies {r:?}");
        }
        assert!(!req("1").satisfied_by_text("garbage"));
    }

    #[test]
    fn the_highest_satisfying_version_is_chosen() {
        let have = ["1.0", "1.10", "1.9", "2.0", "0.5", "bad"];
        assert_eq!(choose(have, &req("")), Some("2.0"));
        assert_eq!(choose(have, &req("1")), Some("1.10"));
        assert_eq!(choose(have, &req("1.11")), None);
        assert_eq!(choose(have, &req("-exact 1.9")), Some("1.9"));
        assert_eq!(choose(have, &req("0.1-")), Some("2.0"));
        assert_eq!(choose(have, &req("0.1-1.5")), Some("1.0"));
        assert_eq!(choose([], &req("")), None);
    }

    #[test]
    fn requirements_travel_and_read_back() {
        for text in ["", "1.2", "1.2-", "1.2-3.0", "-exact 4.5.6"] {
            let r = req(text);
            assert_eq!(Requirement::decode(&r.encode()), Ok(r.clone()), "{text}");
            assert_eq!(r.to_string(), text);
        }
        assert!(Requirement::decode("=x").is_err());
        assert_eq!(unfound_message("geo", &req("")), "can't find package geo");
        assert_eq!(unfound_message("geo", &req("2.1")), "can't find package geo 2.1");
    }

    #[test]
    fn names_and_sizes_are_checked() {
        assert!(Library::new("geo::util-2_x.y", "1.0", "proc a {} {}".into()).is_ok());
        for bad in ["", "a b", "a/b", "é", "a(b)", &"x".repeat(129)] {
            assert!(Library::new(bad, "1.0", String::new()).is_err(), "{bad:?} accepted");
        }
        assert!(Library::new("geo", "1.x", String::new()).unwrap_err().contains("expected version number"));
        let big = "#".repeat(MAX_LIBRARY_BYTES + 1);
        assert!(Library::new("geo", "1.0", big).unwrap_err().contains("more than the limit"));
    }
}
