//! The `dict` subcommands that need no variables or script evaluation, and
//! helpers for the ones that do (`dict set`, `dict unset`).
//!
//! Each function takes the whole objv: `args[0]` is `dict`, `args[1]` the
//! subcommand as invoked. Messages follow tclsh 8.6.13; "wrong # args"
//! messages name the subcommand in full, as Tcl's ensemble does.

use crate::error::Exception;
use crate::interp::Interp;
use crate::value::{dict_make_mut, DictKey, DictMap, Rep, Value};

use super::NativeFn;

/// The pure `dict` subcommands, as `(subcommand, function)` pairs.
pub const DICT_PURE: &[(&str, NativeFn)] = &[
    ("create", dict_create),
    ("exists", dict_exists),
    ("filter", dict_filter),
    ("get", dict_get),
    ("keys", dict_keys),
    ("merge", dict_merge),
    ("remove", dict_remove),
    ("replace", dict_replace),
    ("size", dict_size),
    ("values", dict_values),
];

fn wrong(args: &[Value], sub: &str, usage: &str) -> Exception {
    let cmd = args.first().map_or_else(|| "dict".into(), |v| v.as_str().into_owned());
    Exception::error_code(format!("wrong # args: should be \"{cmd} {sub} {usage}\""), &["TCL", "WRONGARGS"])
}

fn key_not_known(k: &Value) -> Exception {
    let s = k.as_str();
    Exception::error_code(format!("key \"{s}\" not known in dictionary"), &["TCL", "LOOKUP", "DICT", &s])
}

fn new_map() -> DictMap {
    DictMap::default()
}

/// Follows `keys` down nested dicts (`dict get` semantics).
pub fn dict_get_path(d: &Value, keys: &[Value]) -> Result<Value, Exception> {
    let mut cur = d.clone();
    for k in keys {
        let map = cur.as_dict()?;
        let next = match map.get(&*k.as_str()) {
            Some(v) => v.clone(),
            None => return Err(key_not_known(k)),
        };
        cur = next;
    }
    Ok(cur)
}

fn dict_create(interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() & 1 != 0 {
        return Err(wrong(args, "create", "?key value ...?"));
    }
    interp.check_list(args.len() - 2)?;
    let mut map = DictMap::with_capacity_and_hasher((args.len() - 2) / 2, Default::default());
    for pair in args[2..].chunks_exact(2) {
        map.insert(DictKey::new(pair[0].clone()), pair[1].clone());
    }
    Ok(Value::dict(map))
}

pub(crate) fn dict_get(_interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() < 3 {
        return Err(wrong(args, "get", "dictionary ?key ...?"));
    }
    if args.len() == 3 {
        return Ok(Value::from_rep(Rep::Dict(args[2].as_dict()?)));
    }
    dict_get_path(&args[2], &args[3..])
}

fn dict_exists(_interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() < 4 {
        return Err(wrong(args, "exists", "dictionary key ?key ...?"));
    }
    Ok(Value::bool(dict_get_path(&args[2], &args[3..]).is_ok()))
}

fn keys_or_values(args: &[Value], sub: &str, keys: bool) -> Result<Value, Exception> {
    if args.len() != 3 && args.len() != 4 {
        return Err(wrong(args, sub, "dictionary ?pattern?"));
    }
    let map = args[2].as_dict()?;
    let pattern = args.get(3).map(|p| p.as_str().into_owned());
    let mut out = Vec::new();
    for (k, v) in map.iter() {
        let item = if keys { k.value() } else { v };
        if let Some(p) = &pattern {
            if !crate::glob::string_match(p, &item.as_str(), false) {
                continue;
            }
        }
        out.push(item.clone());
    }
    Ok(Value::list(out))
}

fn dict_keys(_interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    keys_or_values(args, "keys", true)
}

fn dict_values(_interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    keys_or_values(args, "values", false)
}

fn dict_size(_interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() != 3 {
        return Err(wrong(args, "size", "dictionary"));
    }
    Ok(Value::int(args[2].as_dict()?.len() as i64))
}

fn dict_merge(interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    match args.len() {
        0..=2 => return Ok(Value::dict(new_map())),
        3 => {
            // One dictionary is returned as it is, once checked.
            args[2].as_dict()?;
            return Ok(args[2].clone());
        }
        _ => {}
    }
    let mut map = (*args[2].as_dict()?).clone();
    for d in &args[3..] {
        let other = d.as_dict()?;
        interp.check_list((map.len() + other.len()) * 2)?;
        for (k, v) in other.iter() {
            map.insert(k.clone(), v.clone());
        }
    }
    Ok(Value::dict(map))
}

fn dict_remove(_interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() < 3 {
        return Err(wrong(args, "remove", "dictionary ?key ...?"));
    }
    let mut map = (*args[2].as_dict()?).clone();
    for k in &args[3..] {
        map.shift_remove(&*k.as_str());
    }
    Ok(Value::dict(map))
}

fn dict_replace(interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() < 3 || args.len() & 1 == 0 {
        return Err(wrong(args, "replace", "dictionary ?key value ...?"));
    }
    let mut map = (*args[2].as_dict()?).clone();
    interp.check_list(map.len() * 2 + args.len() - 3)?;
    for pair in args[3..].chunks_exact(2) {
        map.insert(DictKey::new(pair[0].clone()), pair[1].clone());
    }
    Ok(Value::dict(map))
}

const FILTER_TYPES: &[&str] = &["key", "script", "value"];

fn dict_filter(_interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    if args.len() < 4 {
        return Err(wrong(args, "filter", "dictionary filterType ?arg ...?"));
    }
    let kind = crate::error::lookup_index("filterType", &args[3].as_str(), FILTER_TYPES)?;
    if FILTER_TYPES[kind] == "script" {
        if args.len() != 6 {
            return Err(wrong(args, "filter", "dictionary script {keyVarName valueVarName} filterScript"));
        }
        if args[4].list_len()? != 2 {
            return Err(Exception::error_code(
                "must have exactly two variable names",
                &["TCL", "SYNTAX", "dict", "filter"],
            ));
        }
        args[2].as_dict()?;
        return Err(Exception::error("dict filter script: not wired yet"));
    }
    let by_key = FILTER_TYPES[kind] == "key";
    let map = args[2].as_dict()?;
    let patterns: Vec<String> = args[4..].iter().map(|p| p.as_str().into_owned()).collect();
    let mut out = new_map();
    for (k, v) in map.iter() {
        let subject = if by_key { k.as_str() } else { v.as_str() };
        if patterns.iter().any(|p| crate::glob::string_match(p, &subject, false)) {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(Value::dict(out))
}

/// `dict set`'s work on an owned value: sets the value at the key path,
/// creating nested dicts for missing keys. In place when `d` is unshared;
/// on error `d` is unchanged. `keys` must not be empty.
pub fn dict_set_path(d: &mut Value, keys: &[Value], value: Value) -> Result<(), Exception> {
    if keys.is_empty() {
        return Err(Exception::error("dict_set_path: no keys"));
    }
    // Check first so that an error changes nothing.
    let mut cur = Some(d.clone());
    for k in &keys[..keys.len() - 1] {
        cur = match &cur {
            Some(v) => v.as_dict()?.get(&*k.as_str()).cloned(),
            None => None,
        };
    }
    if let Some(v) = &cur {
        v.as_dict()?;
    }
    drop(cur);
    set_in(d, keys, value)
}

fn set_in(slot: &mut Value, keys: &[Value], value: Value) -> Result<(), Exception> {
    let map = dict_make_mut(slot)?;
    let key = DictKey::new(keys[0].clone());
    if keys.len() == 1 {
        map.insert(key, value);
        return Ok(());
    }
    let inner = map.entry(key).or_insert_with(|| Value::dict(new_map()));
    set_in(inner, &keys[1..], value)
}

/// `dict unset`'s work on an owned value: removes the last key of the path
/// (no error when it is absent); the keys before it must exist. In place
/// when `d` is unshared; on error `d` is unchanged. `keys` must not be
/// empty.
pub fn dict_unset_path(d: &mut Value, keys: &[Value]) -> Result<(), Exception> {
    if keys.is_empty() {
        return Err(Exception::error("dict_unset_path: no keys"));
    }
    let container = dict_get_path(d, &keys[..keys.len() - 1])?;
    let last = keys[keys.len() - 1].as_str();
    if !container.as_dict()?.contains_key(&*last) {
        return Ok(());
    }
    drop(container);
    unset_in(d, keys)
}

fn unset_in(slot: &mut Value, keys: &[Value]) -> Result<(), Exception> {
    let map = dict_make_mut(slot)?;
    let key = keys[0].as_str();
    if keys.len() == 1 {
        map.shift_remove(&*key);
        return Ok(());
    }
    match map.get_mut(&*key) {
        Some(inner) => unset_in(inner, &keys[1..]),
        None => Err(key_not_known(&keys[0])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_words(words: &[&str]) -> String {
        let argv: Vec<Value> = words.iter().map(|w| Value::from(*w)).collect();
        let f = DICT_PURE.iter().find(|(n, _)| *n == words[1]).map(|(_, f)| *f).unwrap();
        let mut interp = Interp::new();
        match f(&mut interp, &argv) {
            Ok(v) => v.as_str().into_owned(),
            Err(e) => format!("ERR: {}", e.value().as_str()),
        }
    }

    fn run(words: &str) -> String {
        let w = crate::list::parse_list(words).unwrap();
        let w: Vec<String> = w.iter().map(|v| v.as_str().into_owned()).collect();
        let refs: Vec<&str> = w.iter().map(|s| s.as_str()).collect();
        run_words(&refs)
    }

    fn check(cases: &[(&str, &str)]) {
        for (cmd, want) in cases {
            assert_eq!(run(cmd), *want, "command: {cmd}");
        }
    }

    const MISSING: &str = "ERR: missing value to go with key";

    #[test]
    fn create_get_exists() {
        // Recorded from tclsh 8.6.13.
        check(&[
            ("dict create", ""),
            ("dict create a", "ERR: wrong # args: should be \"dict create ?key value ...?\""),
            ("dict create a 1 b 2 a 3", "a 3 b 2"),
            ("dict create {a b} {c d}", "{a b} {c d}"),
            ("dict create {} 1", "{} 1"),
            ("dict get", "ERR: wrong # args: should be \"dict get dictionary ?key ...?\""),
            ("dict get {a 1 b 2}", "a 1 b 2"),
            ("dict get {a 1 a 2}", "a 2"),
            ("dict get { a  1 }", "a 1"),
            ("dict get {a 1 b 2} a", "1"),
            ("dict get {a 1 b 2} c", "ERR: key \"c\" not known in dictionary"),
            ("dict get {a {b 1}} a b", "1"),
            ("dict get {a {b 1}} a c", "ERR: key \"c\" not known in dictionary"),
            ("dict get {a {b 1}} a b c", MISSING),
            ("dict get {a 1 b} a", MISSING),
            ("dict get {a x} a b", MISSING),
            ("dict get {} a", "ERR: key \"a\" not known in dictionary"),
            ("dict get {a 1} {}", "ERR: key \"\" not known in dictionary"),
            ("dict exists {a 1}", "ERR: wrong # args: should be \"dict exists dictionary key ?key ...?\""),
            ("dict exists {a 1} a", "1"),
            ("dict exists {a 1} b", "0"),
            ("dict exists {a {b 1}} a b", "1"),
            ("dict exists {a x} a b", "0"),
            ("dict exists {a 1 b} a", "0"),
            ("dict exists {a {b 1 c}} a b", "0"),
        ]);
        assert_eq!(run_words(&["dict", "exists", "a {", "a"]), "0");
        let e = dict_get_path(&Value::from("a 1"), &[Value::from("zz")]).unwrap_err();
        assert_eq!(e.error_code_value().as_str(), "TCL LOOKUP DICT zz");
    }

    #[test]
    fn keys_values_size() {
        check(&[
            ("dict keys", "ERR: wrong # args: should be \"dict keys dictionary ?pattern?\""),
            ("dict keys {a 1 b 2}", "a b"),
            ("dict keys {a 1 b 2 ab 3} a*", "a ab"),
            ("dict keys {a 1 b 2} a x", "ERR: wrong # args: should be \"dict keys dictionary ?pattern?\""),
            ("dict keys {a* 1 ab 2} a*", "a* ab"),
            ("dict keys {a 1 b 2} A*", ""),
            ("dict values {a 1 b 2}", "1 2"),
            ("dict values {a 1 b 2 c 12} 1*", "1 12"),
            ("dict values {a 1 b 2 c 1} 1", "1 1"),
            ("dict values {a 1 b 2} 1 x", "ERR: wrong # args: should be \"dict values dictionary ?pattern?\""),
            ("dict size", "ERR: wrong # args: should be \"dict size dictionary\""),
            ("dict size {a 1 b 2}", "2"),
            ("dict size {a 1 b}", MISSING),
        ]);
    }

    #[test]
    fn merge_remove_replace() {
        check(&[
            ("dict merge", ""),
            ("dict merge {a 1}", "a 1"),
            ("dict merge { a  1 }", " a  1 "),
            ("dict merge {a 1 a 2}", "a 1 a 2"),
            ("dict merge {a 1 b 2} {b 3 c 4} {a 5}", "a 5 b 3 c 4"),
            ("dict merge {a 1 b}", MISSING),
            ("dict merge {a 1} {b}", MISSING),
            ("dict merge {} {}", ""),
            ("dict remove", "ERR: wrong # args: should be \"dict remove dictionary ?key ...?\""),
            ("dict remove {a 1 b 2}", "a 1 b 2"),
            ("dict remove { a  1 }", "a 1"),
            ("dict remove {a 1 b 2} a", "b 2"),
            ("dict remove {a 1 b 2 c 3} b", "a 1 c 3"),
            ("dict remove {a 1 b 2} c a", "b 2"),
            ("dict remove {a 1 b} a", MISSING),
            ("dict remove {a 1 b 2 a 3} b", "a 3"),
            ("dict replace", "ERR: wrong # args: should be \"dict replace dictionary ?key value ...?\""),
            ("dict replace {a 1}", "a 1"),
            ("dict replace {a 1} b", "ERR: wrong # args: should be \"dict replace dictionary ?key value ...?\""),
            ("dict replace {a 1} b 2", "a 1 b 2"),
            ("dict replace {a 1 b 2} a 3 c 4", "a 3 b 2 c 4"),
            ("dict replace {a 1 a 2}", "a 2"),
        ]);
    }

    #[test]
    fn filter() {
        check(&[
            ("dict filter", "ERR: wrong # args: should be \"dict filter dictionary filterType ?arg ...?\""),
            ("dict filter {a 1}", "ERR: wrong # args: should be \"dict filter dictionary filterType ?arg ...?\""),
            ("dict filter {a 1} key", ""),
            ("dict filter {a 1 b 2 ab 3} key a*", "a 1 ab 3"),
            ("dict filter {a 1 b 2 ab 3} key a* b", "a 1 b 2 ab 3"),
            ("dict filter {a 1 b 2 ab 3} k a*", "a 1 ab 3"),
            ("dict filter {a 1 b 2 ab 3} value 2", "b 2"),
            ("dict filter {a 1 b 2 ab 3} value 2 3", "b 2 ab 3"),
            ("dict filter {a 1 b 2} value", ""),
            ("dict filter { a  1 a 2 } value *", "a 2"),
            ("dict filter {a 1 b 2 ab 3} foo x", "ERR: bad filterType \"foo\": must be key, script, or value"),
            ("dict filter {a 1 b} key a", MISSING),
            (
                "dict filter {a 1 b 2} script",
                "ERR: wrong # args: should be \"dict filter dictionary script {keyVarName valueVarName} filterScript\"",
            ),
            ("dict filter {a 1 b 2} script {k} {expr 1}", "ERR: must have exactly two variable names"),
        ]);
    }

    #[test]
    fn set_and_unset_paths() {
        fn set(d: &str, keys: &[&str], v: &str) -> String {
            let mut d = Value::from(d);
            let keys: Vec<Value> = keys.iter().map(|k| Value::from(*k)).collect();
            match dict_set_path(&mut d, &keys, Value::from(v)) {
                Ok(()) => d.as_str().into_owned(),
                Err(e) => format!("ERR: {} | {}", e.value().as_str(), d.as_str()),
            }
        }
        fn unset(d: &str, keys: &[&str]) -> String {
            let mut d = Value::from(d);
            let keys: Vec<Value> = keys.iter().map(|k| Value::from(*k)).collect();
            match dict_unset_path(&mut d, &keys) {
                Ok(()) => d.as_str().into_owned(),
                Err(e) => format!("ERR: {} | {}", e.value().as_str(), d.as_str()),
            }
        }
        // Recorded from tclsh 8.6.13 (the value is unchanged after an error).
        assert_eq!(set("a 1", &["b"], "2"), "a 1 b 2");
        assert_eq!(set("a 1", &["a"], "2"), "a 2");
        assert_eq!(set("a 1", &["a", "b"], "2"), "ERR: missing value to go with key | a 1");
        assert_eq!(set("a {x 1}", &["a", "b"], "2"), "a {x 1 b 2}");
        assert_eq!(set("a {x 1 y}", &["a", "b"], "2"), "ERR: missing value to go with key | a {x 1 y}");
        assert_eq!(set("a 1 b", &["a"], "2"), "ERR: missing value to go with key | a 1 b");
        assert_eq!(set("", &["a", "b", "c"], "1"), "a {b {c 1}}");
        assert_eq!(unset("a {b 1}", &["a", "b"]), "a {}");
        assert_eq!(unset("a {b 1}", &["a", "c"]), "a {b 1}");
        assert_eq!(unset("a {b 1}", &["x", "c"]), "ERR: key \"x\" not known in dictionary | a {b 1}");
        assert_eq!(unset("a {b 1}", &["x"]), "a {b 1}");
        assert_eq!(unset("a 1", &["a", "b"]), "ERR: missing value to go with key | a 1");
        assert_eq!(unset("a 1 b 2 c 3", &["b"]), "a 1 c 3");
        // In place when unshared, copy on write when shared.
        let mut d = Value::from("a {b 1} c 2");
        let shared = d.clone();
        dict_set_path(&mut d, &[Value::from("a"), Value::from("b")], Value::int(5)).unwrap();
        assert_eq!(d.as_str(), "a {b 5} c 2");
        assert_eq!(shared.as_str(), "a {b 1} c 2");
        dict_unset_path(&mut d, &[Value::from("c")]).unwrap();
        assert_eq!(d.as_str(), "a {b 5}");
    }
}
