//! Tcl values: everything is a string, with a cached internal form.
//!
//! A [`Value`] is either an unboxed number (the result of arithmetic, whose
//! string form is canonical and generated on demand) or a reference-counted
//! [`Obj`] holding a lazily generated string and a cached internal
//! representation ([`Rep`]): integer, double, big integer, list, dict or
//! compiled code. As in Tcl, reading a value "as a list" parses its string
//! once and caches the list; writing into a value (`lappend`, `append`,
//! `dict set`) happens in place when the value is not shared, so those
//! commands are amortised O(1).
//!
//! Invariant: an `Obj` always has a string, a rep, or both; when it has both
//! they describe the same value. Mutation goes only through the `*_make_mut`
//! functions, which unshare first and drop the stale string.
//!
//! Reference counts are not atomic (`Rc`): a `Value` never leaves the
//! interpreter that created it, and the interpreter moves between threads as a
//! whole (see `Interp`'s `Send` impl).

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use num_bigint::BigInt;
use num_traits::ToPrimitive;

use crate::bytecode::ByteCode;
use crate::error::Exception;
use crate::number;

/// The ordered map behind a Tcl dict. Keys compare by their string form.
pub type DictMap = indexmap::IndexMap<DictKey, Value, ahash::RandomState>;

/// A Tcl value. Cloning is cheap (a reference count or a copy of a number).
#[derive(Clone)]
pub enum Value {
    /// A pure integer; its string form is its decimal form.
    Int(i64),
    /// A pure double; its string form is Tcl's shortest round-trip form.
    Double(f64),
    /// Anything else, or a number that came from a string.
    Obj(Rc<Obj>),
}

/// A shared Tcl object: a string form and/or an internal representation.
pub struct Obj {
    string: OnceCell<String>,
    rep: RefCell<Rep>,
}

/// The cached internal representation of an [`Obj`].
#[derive(Clone, Default)]
pub enum Rep {
    /// Only the string form is known.
    #[default]
    None,
    Int(i64),
    Double(f64),
    /// An integer outside the 64-bit range (never one that fits in i64).
    Big(Rc<BigInt>),
    List(Rc<Vec<Value>>),
    Dict(Rc<DictMap>),
    /// The string compiled as a script.
    Script(Rc<ByteCode>),
    /// The string compiled as an `expr` expression.
    Expr(Rc<ByteCode>),
}

/// A number as `expr` sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    Int(i64),
    Big(BigInt),
    Double(f64),
}

impl Default for Value {
    fn default() -> Value {
        Value::empty()
    }
}

impl Value {
    /// The empty string.
    pub fn empty() -> Value {
        Value::from_string(String::new())
    }

    pub fn from_string(s: String) -> Value {
        Value::Obj(Rc::new(Obj { string: OnceCell::from(s), rep: RefCell::new(Rep::None) }))
    }

    pub fn int(i: i64) -> Value {
        Value::Int(i)
    }

    pub fn double(d: f64) -> Value {
        Value::Double(d)
    }

    pub fn bool(b: bool) -> Value {
        Value::Int(b as i64)
    }

    /// A big integer, normalised to `Int` when it fits.
    pub fn big(b: BigInt) -> Value {
        match b.to_i64() {
            Some(i) => Value::Int(i),
            None => Value::from_rep(Rep::Big(Rc::new(b))),
        }
    }

    pub fn from_number(n: Number) -> Value {
        match n {
            Number::Int(i) => Value::Int(i),
            Number::Double(d) => Value::Double(d),
            Number::Big(b) => Value::big(b),
        }
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::from_rep(Rep::List(Rc::new(items)))
    }

    pub fn dict(map: DictMap) -> Value {
        Value::from_rep(Rep::Dict(Rc::new(map)))
    }

    /// A value with only an internal representation; its string is generated
    /// when first asked for.
    pub(crate) fn from_rep(rep: Rep) -> Value {
        Value::Obj(Rc::new(Obj { string: OnceCell::new(), rep: RefCell::new(rep) }))
    }

    /// The string form. Borrowed for objects, formatted for pure numbers.
    pub fn as_str(&self) -> Cow<'_, str> {
        match self {
            Value::Int(i) => Cow::Owned(itoa::Buffer::new().format(*i).to_owned()),
            Value::Double(d) => Cow::Owned(number::format_double(*d)),
            Value::Obj(o) => Cow::Borrowed(o.string()),
        }
    }

    /// Appends the string form to `out` without an intermediate allocation.
    pub fn write_to(&self, out: &mut String) {
        match self {
            Value::Int(i) => out.push_str(itoa::Buffer::new().format(*i)),
            Value::Double(d) => out.push_str(&number::format_double(*d)),
            Value::Obj(o) => out.push_str(o.string()),
        }
    }

    /// The string form as an owned `String` (moves it out when unshared).
    pub fn into_string(self) -> String {
        match self {
            Value::Obj(o) => match Rc::try_unwrap(o) {
                Ok(mut obj) => {
                    obj.ensure_string();
                    obj.string.take().unwrap_or_default()
                }
                Err(o) => o.string().to_owned(),
            },
            other => other.as_str().into_owned(),
        }
    }

    /// True when the string form is empty (without generating it for lists).
    pub fn is_empty_string(&self) -> bool {
        match self {
            Value::Int(_) | Value::Double(_) => false,
            Value::Obj(o) => {
                if let Some(s) = o.string.get() {
                    return s.is_empty();
                }
                match &*o.rep.borrow() {
                    Rep::List(l) => l.is_empty(),
                    Rep::Dict(d) => d.is_empty(),
                    _ => o.string().is_empty(),
                }
            }
        }
    }

    /// Two values are the same object (or the same number).
    pub fn ptr_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Obj(a), Value::Obj(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }

    fn rep_clone(&self) -> Option<Rep> {
        match self {
            Value::Obj(o) => Some(o.rep.borrow().clone()),
            _ => None,
        }
    }

    fn set_rep(&self, rep: Rep) {
        if let Value::Obj(o) = self {
            // A string object: only the cache changes, never the string.
            if o.string.get().is_some() {
                if let Ok(mut r) = o.rep.try_borrow_mut() {
                    *r = rep;
                }
            }
        }
    }

    // ----- numbers -------------------------------------------------------

    /// The value as a 64-bit integer, with Tcl's error message otherwise.
    pub fn as_int(&self) -> Result<i64, Exception> {
        match self.as_number_opt() {
            Some(Number::Int(i)) => Ok(i),
            Some(Number::Big(_)) => Err(Exception::error_code(
                "integer value too large to represent",
                &["ARITH", "IOVERFLOW", "integer value too large to represent"],
            )),
            _ => Err(self.expected("integer")),
        }
    }

    /// The value as an integer of any size (`Int` or `Big`).
    pub fn as_integer(&self) -> Result<Number, Exception> {
        match self.as_number_opt() {
            Some(n @ (Number::Int(_) | Number::Big(_))) => Ok(n),
            _ => Err(self.expected("integer")),
        }
    }

    /// The value as a double (integers convert).
    pub fn as_double(&self) -> Result<f64, Exception> {
        match self.as_number_opt() {
            Some(Number::Int(i)) => Ok(i as f64),
            Some(Number::Double(d)) => Ok(d),
            Some(Number::Big(b)) => Ok(b.to_f64().unwrap_or(f64::INFINITY)),
            None => Err(self.expected("floating-point number")),
        }
    }

    /// The value as a number, if its string is one (caching the parse).
    pub fn as_number_opt(&self) -> Option<Number> {
        match self {
            Value::Int(i) => Some(Number::Int(*i)),
            Value::Double(d) => Some(Number::Double(*d)),
            Value::Obj(o) => {
                match &*o.rep.borrow() {
                    Rep::Int(i) => return Some(Number::Int(*i)),
                    Rep::Double(d) => return Some(Number::Double(*d)),
                    Rep::Big(b) => return Some(Number::Big((**b).clone())),
                    _ => {}
                }
                let n = number::parse_number(o.string())?;
                self.set_rep(match &n {
                    Number::Int(i) => Rep::Int(*i),
                    Number::Double(d) => Rep::Double(*d),
                    Number::Big(b) => Rep::Big(Rc::new(b.clone())),
                });
                Some(n)
            }
        }
    }

    /// Tcl's boolean: numbers (non-zero is true) and the words
    /// true/false/yes/no/on/off (any case, unique prefixes).
    pub fn as_bool(&self) -> Result<bool, Exception> {
        self.as_bool_opt().ok_or_else(|| self.expected("boolean value"))
    }

    pub fn as_bool_opt(&self) -> Option<bool> {
        match self.as_number_opt() {
            Some(Number::Int(i)) => Some(i != 0),
            Some(Number::Double(d)) => Some(d != 0.0),
            Some(Number::Big(_)) => Some(true),
            None => number::parse_bool_word(&self.as_str()),
        }
    }

    fn expected(&self, what: &str) -> Exception {
        let s = self.as_str();
        let kind = if what == "integer" { "INTEGER" } else { "NUMBER" };
        Exception::error_code(format!("expected {what} but got \"{s}\""), &["TCL", "VALUE", kind])
    }

    // ----- lists ---------------------------------------------------------

    /// The value as a list (parsing and caching its string form once).
    pub fn as_list(&self) -> Result<Rc<Vec<Value>>, Exception> {
        if let Some(rep) = self.rep_clone() {
            match rep {
                Rep::List(l) => return Ok(l),
                Rep::Dict(d) => {
                    let l = Rc::new(dict_to_list(&d));
                    return Ok(l);
                }
                _ => {}
            }
        } else {
            return Ok(Rc::new(vec![self.clone()]));
        }
        let items = crate::list::parse_list(&self.as_str())?;
        let l = Rc::new(items);
        self.set_rep(Rep::List(l.clone()));
        Ok(l)
    }

    /// Calls `f` with the value's list elements, without cloning the list
    /// when it is already in list form (a borrow of the cached rep).
    pub fn with_list<R>(&self, f: impl FnOnce(&[Value]) -> R) -> Result<R, Exception> {
        if let Value::Obj(o) = self {
            if let Ok(rep) = o.rep.try_borrow() {
                if let Rep::List(l) = &*rep {
                    return Ok(f(l));
                }
            }
        }
        let l = self.as_list()?;
        Ok(f(&l))
    }

    /// The number of list elements.
    pub fn list_len(&self) -> Result<usize, Exception> {
        Ok(self.as_list()?.len())
    }

    /// The value as a dict (parsing and caching its string form once).
    pub fn as_dict(&self) -> Result<Rc<DictMap>, Exception> {
        if let Some(rep) = self.rep_clone() {
            if let Rep::Dict(d) = rep {
                return Ok(d);
            }
            if let Rep::List(l) = rep {
                return list_to_dict(&l).map(Rc::new);
            }
        }
        let items = self.as_list().map_err(as_dict_error)?;
        let d = Rc::new(list_to_dict(&items)?);
        self.set_rep(Rep::Dict(d.clone()));
        Ok(d)
    }

    /// Compiled code cached on this value, if any (see `Rep::Script`).
    pub(crate) fn cached_script(&self) -> Option<Rc<ByteCode>> {
        match self {
            Value::Obj(o) => match &*o.rep.borrow() {
                Rep::Script(c) => Some(c.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    pub(crate) fn cached_expr(&self) -> Option<Rc<ByteCode>> {
        match self {
            Value::Obj(o) => match &*o.rep.borrow() {
                Rep::Expr(c) => Some(c.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// For snapshots: the string form if it is already known (never
    /// generated here) and a clone of the cached rep. `None` for pure
    /// numbers.
    pub(crate) fn snapshot_parts(&self) -> Option<(Option<&str>, Rep)> {
        match self {
            Value::Obj(o) => Some((o.string.get().map(String::as_str), o.rep.borrow().clone())),
            _ => None,
        }
    }

    pub(crate) fn cache_script(&self, code: Rc<ByteCode>) {
        self.set_rep(Rep::Script(code));
    }

    pub(crate) fn cache_expr(&self, code: Rc<ByteCode>) {
        self.set_rep(Rep::Expr(code));
    }
}

/// Takes the value out of `slot` as a unique object whose rep is produced by
/// `convert`, ready to be mutated. Shared values are copied first.
fn make_unique(
    slot: &mut Value,
    convert: impl FnOnce(&Value) -> Result<Rep, Exception>,
) -> Result<&mut Obj, Exception> {
    let unique = match slot {
        Value::Obj(o) => Rc::get_mut(o).is_some(),
        _ => false,
    };
    if !unique {
        let rep = convert(slot)?;
        *slot = Value::from_rep(rep);
    }
    match slot {
        Value::Obj(o) => match Rc::get_mut(o) {
            Some(obj) => Ok(obj),
            None => Err(Exception::error("internal error: value not unique")),
        },
        _ => Err(Exception::error("internal error: value not an object")),
    }
}

/// The list inside `slot`, unshared and with its string form dropped, for
/// in-place mutation. Converts (and errors) as `as_list` does.
pub fn list_make_mut(slot: &mut Value) -> Result<&mut Vec<Value>, Exception> {
    let obj = make_unique(slot, |v| Ok(Rep::List(v.as_list()?)))?;
    if !matches!(obj.rep.get_mut(), Rep::List(_)) {
        let tmp = Value::Obj(Rc::new(Obj {
            string: std::mem::take(&mut obj.string),
            rep: RefCell::new(std::mem::take(obj.rep.get_mut())),
        }));
        let l = tmp.as_list()?;
        *obj.rep.get_mut() = Rep::List(l);
    }
    obj.string = OnceCell::new();
    match obj.rep.get_mut() {
        Rep::List(l) => Ok(Rc::make_mut(l)),
        _ => Err(Exception::error("internal error: list conversion")),
    }
}

/// The dict inside `slot`, unshared, for in-place mutation.
pub fn dict_make_mut(slot: &mut Value) -> Result<&mut DictMap, Exception> {
    let obj = make_unique(slot, |v| Ok(Rep::Dict(v.as_dict()?)))?;
    if !matches!(obj.rep.get_mut(), Rep::Dict(_)) {
        let tmp = Value::Obj(Rc::new(Obj {
            string: std::mem::take(&mut obj.string),
            rep: RefCell::new(std::mem::take(obj.rep.get_mut())),
        }));
        let d = tmp.as_dict()?;
        *obj.rep.get_mut() = Rep::Dict(d);
    }
    obj.string = OnceCell::new();
    match obj.rep.get_mut() {
        Rep::Dict(d) => Ok(Rc::make_mut(d)),
        _ => Err(Exception::error("internal error: dict conversion")),
    }
}

/// The string inside `slot`, unshared and with its rep dropped, for in-place
/// appends.
pub fn string_make_mut(slot: &mut Value) -> &mut String {
    let unique = matches!(slot, Value::Obj(o) if Rc::strong_count(o) == 1 && Rc::weak_count(o) == 0);
    if !unique {
        *slot = Value::from_string(slot.as_str().into_owned());
    }
    let Value::Obj(o) = slot else { unreachable!("just made an object") };
    let obj = Rc::get_mut(o).expect("just made unique");
    obj.ensure_string();
    *obj.rep.get_mut() = Rep::None;
    obj.string.get_mut().expect("string ensured")
}

impl Obj {
    /// The string form if generated, and the internal representation
    /// (memory accounting reads both without changing either).
    pub(crate) fn parts(&self) -> (Option<&String>, std::cell::Ref<'_, Rep>) {
        (self.string.get(), self.rep.borrow())
    }
}

impl Drop for Obj {
    /// Frees nested lists and dicts with a work list instead of recursion,
    /// so that a deeply nested value cannot overflow the Rust stack.
    fn drop(&mut self) {
        let mut pending: Vec<Value> = Vec::new();
        take_children(std::mem::take(self.rep.get_mut()), &mut pending);
        while let Some(v) = pending.pop() {
            if let Value::Obj(rc) = v {
                if let Ok(mut obj) = Rc::try_unwrap(rc) {
                    take_children(std::mem::take(obj.rep.get_mut()), &mut pending);
                    // `obj` now holds no children: its own drop is shallow.
                }
            }
        }
    }
}

/// Moves the elements of an unshared list or dict rep into `out`.
fn take_children(rep: Rep, out: &mut Vec<Value>) {
    match rep {
        Rep::List(l) => {
            if let Ok(items) = Rc::try_unwrap(l) {
                out.extend(items);
            }
        }
        Rep::Dict(d) => {
            if let Ok(map) = Rc::try_unwrap(d) {
                for (k, v) in map {
                    out.push(k.0);
                    out.push(v);
                }
            }
        }
        _ => {}
    }
}

impl Obj {
    fn ensure_string(&mut self) {
        if self.string.get().is_none() {
            let s = generate_string(&self.rep.borrow());
            let _ = self.string.set(s);
        }
    }

    /// The string form, generated from the rep on first use.
    fn string(&self) -> &str {
        self.string.get_or_init(|| generate_string(&self.rep.borrow()))
    }
}

fn generate_string(rep: &Rep) -> String {
    match rep {
        Rep::None => String::new(),
        Rep::Int(i) => i.to_string(),
        Rep::Double(d) => number::format_double(*d),
        Rep::Big(b) => b.to_string(),
        Rep::List(l) => crate::list::format_list(l),
        Rep::Dict(d) => crate::list::format_list(&dict_to_list(d)),
        // Code reps are only ever caches on string objects.
        Rep::Script(_) | Rep::Expr(_) => String::new(),
    }
}

/// A list parse error reworded for a dict, as Tcl reports it.
fn as_dict_error(e: Exception) -> Exception {
    let msg = e.value().as_str().replacen("in list", "in dict", 1).replacen("list element", "dict element", 1);
    Exception::error_code(msg, &["TCL", "VALUE", "DICTIONARY"])
}

fn dict_to_list(d: &DictMap) -> Vec<Value> {
    let mut out = Vec::with_capacity(d.len() * 2);
    for (k, v) in d {
        out.push(k.0.clone());
        out.push(v.clone());
    }
    out
}

fn list_to_dict(items: &[Value]) -> Result<DictMap, Exception> {
    if !items.len().is_multiple_of(2) {
        return Err(Exception::error_code("missing value to go with key", &["TCL", "VALUE", "DICTIONARY"]));
    }
    let mut map = DictMap::with_capacity_and_hasher(items.len() / 2, Default::default());
    for pair in items.chunks_exact(2) {
        map.insert(DictKey::new(pair[0].clone()), pair[1].clone());
    }
    Ok(map)
}

/// A dict key: a value compared and hashed by its string form.
#[derive(Clone)]
pub struct DictKey(Value);

impl DictKey {
    /// Wraps a key, giving pure numbers a string object so that hashing
    /// never allocates.
    pub fn new(v: Value) -> DictKey {
        match v {
            Value::Obj(_) => DictKey(v),
            other => DictKey(Value::from_string(other.as_str().into_owned())),
        }
    }

    pub fn value(&self) -> &Value {
        &self.0
    }

    pub fn as_str(&self) -> Cow<'_, str> {
        self.0.as_str()
    }
}

impl Hash for DictKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.as_str().hash(state)
    }
}

impl PartialEq for DictKey {
    fn eq(&self, other: &DictKey) -> bool {
        self.0.ptr_eq(&other.0) || self.0.as_str() == other.0.as_str()
    }
}

impl Eq for DictKey {}

impl std::borrow::Borrow<str> for DictKey {
    fn borrow(&self) -> &str {
        match &self.0 {
            Value::Obj(o) => o.string(),
            // DictKey::new never stores pure numbers.
            _ => "",
        }
    }
}

impl Value {
    /// An equal value sharing no `Rc` with `self` (its string form; other
    /// representations are rebuilt when asked for).
    pub fn detached(&self) -> Value {
        match self {
            Value::Int(i) => Value::Int(*i),
            Value::Double(d) => Value::Double(*d),
            Value::Obj(_) => Value::from(&*self.as_str()),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::from_string(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::from_string(s)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::bool(b)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl PartialEq for Value {
    /// Equality of string forms (Tcl's `eq`).
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => a == b,
            _ => self.ptr_eq(other) || self.as_str() == other.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_string() {
        let v = Value::from("0x10");
        assert_eq!(v.as_int().unwrap(), 16);
        assert_eq!(v.as_str(), "0x10");
    }

    #[test]
    fn lappend_in_place_is_unshared() {
        let mut v = Value::from("a b");
        list_make_mut(&mut v).unwrap().push(Value::from("c d"));
        assert_eq!(v.as_str(), "a b {c d}");
        let shared = v.clone();
        list_make_mut(&mut v).unwrap().push(Value::int(1));
        assert_eq!(shared.as_str(), "a b {c d}");
        assert_eq!(v.as_str(), "a b {c d} 1");
    }

    #[test]
    fn dict_roundtrip() {
        let v = Value::from("a 1 b 2");
        let d = v.as_dict().unwrap();
        assert_eq!(d.get("b").unwrap().as_str(), "2");
        let mut w = v.clone();
        dict_make_mut(&mut w).unwrap().insert(DictKey::new(Value::from("a")), Value::int(3));
        assert_eq!(w.as_str(), "a 3 b 2");
        assert_eq!(v.as_str(), "a 1 b 2");
    }

    #[test]
    fn append_in_place() {
        let mut v = Value::int(12);
        string_make_mut(&mut v).push_str("ab");
        assert_eq!(v.as_str(), "12ab");
        assert!(v.as_int().is_err());
    }
}
