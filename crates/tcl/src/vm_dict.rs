//! VM support for the compiled `dict` subcommands: iteration over a
//! dict's pairs, `dict map`/`filter` results, and `dict with`/`dict update`
//! which map dict entries to variables around a body and write them back.

use crate::cmds::dict::{dict_set_path, dict_unset_path};
use crate::error::Exception;
use crate::interp::Interp;
use crate::value::{list_make_mut, DictKey, DictMap, Value};

impl Interp {
    /// (dict -> flat key/value list)
    pub(crate) fn dict_pairs(&mut self) -> Result<(), Exception> {
        let d = self.pop_operand()?;
        let map = d.as_dict()?;
        let mut flat = Vec::with_capacity(map.len() * 2);
        for (k, v) in map.iter() {
            flat.push(k.value().clone());
            flat.push(v.clone());
        }
        self.stack.push(Value::list(flat));
        Ok(())
    }

    /// (list -> dict)
    pub(crate) fn list_to_dict(&mut self) -> Result<(), Exception> {
        let l = self.pop_operand()?;
        let items = l.as_list()?;
        let mut map = DictMap::default();
        for pair in items.chunks(2) {
            if let [k, v] = pair {
                map.insert(DictKey::new(k.clone()), v.clone());
            }
        }
        self.stack.push(Value::dict(map));
        Ok(())
    }

    /// (acc lists.. counter k v -> acc lists.. counter)
    pub(crate) fn lmap_collect_pair(&mut self, lists: usize) -> Result<(), Exception> {
        let v = self.pop_operand()?;
        let k = self.pop_operand()?;
        let len = self.stack.len();
        if len < lists + 2 {
            return Err(Exception::error("bytecode error: bad operand"));
        }
        let l = list_make_mut(&mut self.stack[len - lists - 2])?;
        l.push(k);
        l.push(v);
        Ok(())
    }

    fn pop_operand(&mut self) -> Result<Value, Exception> {
        self.stack.pop().ok_or_else(|| Exception::error("bytecode error: bad operand"))
    }

    fn pop_n(&mut self, n: usize) -> Result<Vec<Value>, Exception> {
        if n > self.stack.len() {
            return Err(Exception::error("bytecode error: bad operand"));
        }
        Ok(self.stack.split_off(self.stack.len() - n))
    }

    /// (name key1..keyn -> name path keys)
    pub(crate) fn dict_with_start(&mut self, n: usize) -> Result<(), Exception> {
        let path = self.pop_n(n)?;
        let name = self.pop_operand()?;
        let d = self.read_var_named(&name.as_str())?;
        let inner = crate::cmds::dict::dict_get_path(&d, &path)?;
        let map = inner.as_dict()?;
        let mut keys = Vec::with_capacity(map.len());
        for (k, v) in map.iter() {
            self.set_var_value(&k.as_str(), v.clone())?;
            keys.push(k.value().clone());
        }
        self.stack.push(name);
        self.stack.push(Value::list(path));
        self.stack.push(Value::list(keys));
        Ok(())
    }

    /// (name path keys result options code -> result)
    pub(crate) fn dict_with_end(&mut self) -> Result<(), Exception> {
        let mut top = self.pop_n(6)?;
        let (code, opts, result) = (top.pop(), top.pop(), top.pop());
        let (keys, path, name) = (top.pop(), top.pop(), top.pop());
        let (Some(code), Some(opts), Some(result), Some(keys), Some(path), Some(name)) =
            (code, opts, result, keys, path, name)
        else {
            return Err(Exception::error("bytecode error: bad operand"));
        };
        let name = name.as_str().into_owned();
        if let Ok(mut d) = self.read_var_named(&name) {
            let path = path.as_list()?;
            for k in keys.as_list()?.iter() {
                let mut full: Vec<Value> = path.to_vec();
                full.push(k.clone());
                match self.read_var_named(&k.as_str()) {
                    Ok(v) => dict_set_path(&mut d, &full, v)?,
                    Err(_) => dict_unset_path(&mut d, &full)?,
                }
            }
            self.set_var_value(&name, d)?;
        }
        self.complete_as(result, &opts, &code)
    }

    /// (name k1 v1..kn vn -> name pairs)
    pub(crate) fn dict_update_start(&mut self, n: usize) -> Result<(), Exception> {
        let pairs = self.pop_n(2 * n)?;
        let name = self.pop_operand()?;
        let d = self.read_var_named(&name.as_str())?;
        let map = d.as_dict()?;
        for pair in pairs.chunks(2) {
            let var = pair[1].as_str();
            match map.get(&*pair[0].as_str()) {
                Some(v) => {
                    self.set_var_value(&var, v.clone())?;
                }
                None => self.apply_unset_named(&var),
            }
        }
        self.stack.push(name);
        self.stack.push(Value::list(pairs));
        Ok(())
    }

    /// (name pairs result options code -> result)
    pub(crate) fn dict_update_end(&mut self) -> Result<(), Exception> {
        let mut top = self.pop_n(5)?;
        let (code, opts, result, pairs, name) = (top.pop(), top.pop(), top.pop(), top.pop(), top.pop());
        let (Some(code), Some(opts), Some(result), Some(pairs), Some(name)) = (code, opts, result, pairs, name) else {
            return Err(Exception::error("bytecode error: bad operand"));
        };
        let name = name.as_str().into_owned();
        if let Ok(mut d) = self.read_var_named(&name) {
            for pair in pairs.as_list()?.chunks(2) {
                let key = std::slice::from_ref(&pair[0]);
                match self.read_var_named(&pair[1].as_str()) {
                    Ok(v) => dict_set_path(&mut d, key, v)?,
                    Err(_) => dict_unset_path(&mut d, key)?,
                }
            }
            self.set_var_value(&name, d)?;
        }
        self.complete_as(result, &opts, &code)
    }

    /// (r1 o1 c1 r2 o2 c2 -> ) see `Instr::RethrowDuring`.
    pub(crate) fn rethrow_during(&mut self) -> Result<(), Exception> {
        let mut top = self.pop_n(6)?;
        let (c2, o2, r2) = (top.pop(), top.pop(), top.pop());
        let (_, o1) = (top.pop(), top.pop());
        let (Some(c2), Some(o2), Some(r2), Some(o1)) = (c2, o2, r2, o1) else {
            return Err(Exception::error("bytecode error: bad operand"));
        };
        let mut ex = match crate::cmds::core::exception_from_options(r2, &o2) {
            Ok(ex) | Err(ex) => ex,
        };
        if c2.as_int().unwrap_or(0) == 1 {
            ex.0.extra_options.push((Value::from("-during"), o1));
        }
        Err(ex)
    }

    /// Finishes as a caught completion did: pushes the result when it was
    /// OK, raises it again otherwise.
    fn complete_as(&mut self, result: Value, opts: &Value, code: &Value) -> Result<(), Exception> {
        if code.as_int().unwrap_or(0) == 0 {
            self.stack.push(result);
            return Ok(());
        }
        match crate::cmds::core::exception_from_options(result, opts) {
            Ok(ex) | Err(ex) => Err(ex),
        }
    }
}
