//! Reading a snapshot: the decoder with its bounds checks, and `restore`.

use super::*;

// ===========================================================================
// Reading
// ===========================================================================

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Offset of `buf[0]` in the whole snapshot (for messages).
    base: usize,
}

impl<'a> Reader<'a> {
    fn offset(&self) -> usize {
        self.base + self.pos
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn at_end(&self) -> bool {
        self.pos == self.buf.len()
    }

    fn malformed<T>(&self, at: usize, message: impl Into<String>) -> Res<T> {
        Err(SnapshotError::Malformed { offset: at, message: message.into() })
    }

    fn bytes(&mut self, n: usize, reading: &'static str) -> Res<&'a [u8]> {
        if n > self.remaining() {
            return Err(SnapshotError::Truncated { offset: self.offset(), reading });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self, reading: &'static str) -> Res<u8> {
        Ok(self.bytes(1, reading)?[0])
    }

    /// An unsigned LEB128 varint, at most 10 bytes, in its shortest form.
    #[inline]
    fn varint(&mut self, reading: &'static str) -> Res<u64> {
        // Most numbers in a snapshot (counts, indexes, small ints) fit a byte.
        if let Some(&b) = self.buf.get(self.pos).filter(|&&b| b < 0x80) {
            self.pos += 1;
            return Ok(u64::from(b));
        }
        self.varint_long(reading)
    }

    fn varint_long(&mut self, reading: &'static str) -> Res<u64> {
        let start = self.offset();
        let mut result: u64 = 0;
        let mut shift = 0u32;
        loop {
            let b = self.u8(reading)?;
            if shift == 63 && b > 1 {
                return self.malformed(start, format!("varint overflow in {reading}"));
            }
            result |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                if b == 0 && shift > 0 {
                    return self.malformed(start, format!("overlong varint in {reading}"));
                }
                return Ok(result);
            }
            shift += 7;
        }
    }

    fn u32(&mut self, reading: &'static str) -> Res<u32> {
        let at = self.offset();
        let v = self.varint(reading)?;
        u32::try_from(v).or_else(|_| self.malformed(at, format!("{reading} {v} exceeds 32 bits")))
    }

    fn usize(&mut self, reading: &'static str) -> Res<usize> {
        let at = self.offset();
        let v = self.varint(reading)?;
        usize::try_from(v).or_else(|_| self.malformed(at, format!("{reading} {v} too large")))
    }

    /// A number of elements that follow; each takes at least one byte, so a
    /// count beyond the remaining input is refused before any allocation.
    fn count(&mut self, reading: &'static str) -> Res<usize> {
        let at = self.offset();
        let v = self.varint(reading)?;
        if v > self.remaining() as u64 {
            return self
                .malformed(at, format!("{reading} {v} exceeds the {} bytes left in its section", self.remaining()));
        }
        Ok(v as usize)
    }

    fn i64(&mut self, reading: &'static str) -> Res<i64> {
        let v = self.varint(reading)?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    fn i32(&mut self, reading: &'static str) -> Res<i32> {
        let at = self.offset();
        let v = self.i64(reading)?;
        i32::try_from(v).or_else(|_| self.malformed(at, format!("{reading} {v} exceeds 32 bits")))
    }

    fn bool(&mut self, reading: &'static str) -> Res<bool> {
        let at = self.offset();
        match self.u8(reading)? {
            0 => Ok(false),
            1 => Ok(true),
            b => self.malformed(at, format!("{reading}: flag byte {b} is not 0 or 1")),
        }
    }

    fn fixed_u64(&mut self, reading: &'static str) -> Res<u64> {
        let b = self.bytes(8, reading)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn str(&mut self, reading: &'static str) -> Res<&'a str> {
        let n = self.count(reading)?;
        let at = self.offset();
        let b = self.bytes(n, reading)?;
        std::str::from_utf8(b)
            .or_else(|e| self.malformed(at + e.valid_up_to(), format!("{reading} is not valid UTF-8")))
    }

    fn opt_str(&mut self, reading: &'static str) -> Res<Option<&'a str>> {
        if self.bool(reading)? {
            Ok(Some(self.str(reading)?))
        } else {
            Ok(None)
        }
    }

    fn value(&mut self, reading: &'static str) -> Res<Value> {
        self.value_at(reading, 0)
    }

    fn value_at(&mut self, reading: &'static str, depth: usize) -> Res<Value> {
        let at = self.offset();
        match self.u8(reading)? {
            V_INT => Ok(Value::Int(self.i64(reading)?)),
            V_DOUBLE => Ok(Value::Double(f64::from_bits(self.fixed_u64(reading)?))),
            V_STR => Ok(Value::from(self.str(reading)?)),
            V_LIST => {
                if depth >= MAX_VALUE_DEPTH {
                    return self.malformed(at, format!("{reading}: lists nested deeper than {MAX_VALUE_DEPTH}"));
                }
                let n = self.count("list length")?;
                let mut items = Vec::with_capacity(n.min(PREALLOC_MAX));
                for _ in 0..n {
                    items.push(self.value_at(reading, depth + 1)?);
                }
                Ok(Value::list(items))
            }
            V_DICT => {
                if depth >= MAX_VALUE_DEPTH {
                    return self.malformed(at, format!("{reading}: dicts nested deeper than {MAX_VALUE_DEPTH}"));
                }
                let n = self.count("dict size")?;
                let mut map = DictMap::with_capacity_and_hasher(n.min(PREALLOC_MAX), Default::default());
                for _ in 0..n {
                    let key_at = self.offset();
                    let k = self.str("dict key")?;
                    let v = self.value_at(reading, depth + 1)?;
                    if map.insert(DictKey::new(Value::from(k)), v).is_some() {
                        return self.malformed(key_at, format!("duplicate dict key \"{k}\""));
                    }
                }
                Ok(Value::dict(map))
            }
            t => self.malformed(at, format!("{reading}: unknown value tag {t}")),
        }
    }

    /// The payload of the next section, which must be `id`.
    fn section(&mut self, id: u8, name: &'static str) -> Res<Reader<'a>> {
        let at = self.offset();
        let got = self.u8(name)?;
        if got != id {
            return self.malformed(at, format!("expected section {id} ({name}), found {got}"));
        }
        let n = self.count(name)?;
        let base = self.offset();
        let buf = self.bytes(n, name)?;
        Ok(Reader { buf, pos: 0, base })
    }

    fn expect_end(&self, name: &'static str) -> Res<()> {
        if self.at_end() {
            Ok(())
        } else {
            self.malformed(self.offset(), format!("{} unexpected bytes at the end of the {name}", self.remaining()))
        }
    }
}

/// Checks that table entries are first referenced in order (0, 1, 2...),
/// which makes the encoding canonical, and that each is referenced.
struct RefOrder {
    len: usize,
    next: usize,
    what: &'static str,
}

impl RefOrder {
    fn take(&mut self, index: u64, context: &dyn Fn() -> String) -> Res<usize> {
        if index < self.next as u64 {
            return Ok(index as usize);
        }
        if index == self.next as u64 && self.next < self.len {
            self.next += 1;
            return Ok(index as usize);
        }
        if index >= self.len as u64 {
            invalid(format!("{}: {} {index} out of range ({} {}s)", context(), self.what, self.len, self.what))
        } else {
            invalid(format!(
                "{}: {} {index} referenced before {} {} (non-canonical order)",
                context(),
                self.what,
                self.what,
                self.next
            ))
        }
    }

    fn finish(&self) -> Res<()> {
        if self.next != self.len {
            return invalid(format!("{} {} is never referenced", self.what, self.next));
        }
        Ok(())
    }
}

/// Rebuilds an interpreter from a snapshot made by [`save`], checking
/// everything. The result has no output sink (stdout) and no host command
/// functions: install them with `set_output` and `provide_host`.
///
/// The restored `limits` are those of the snapshot; an embedder that does
/// not trust the sender should set its own after restoring.
pub fn restore(bytes: &[u8]) -> Result<Interp, SnapshotError> {
    restore_inner(bytes, None)
}

/// [`restore`] for an interpreter that the embedder will give the shared
/// host commands `hosts` (`Interp::set_host_commands`) before it runs.
/// From version 4 a snapshot does not name the shared host commands; a
/// version 3 one named each, and its entries for the commands `hosts`
/// provides are not rebuilt (attaching the table would drop them). Until
/// the table is attached, those commands are missing.
pub fn restore_with_hosts(bytes: &[u8], hosts: &HostCommands) -> Result<Interp, SnapshotError> {
    restore_inner(bytes, Some(hosts))
}

fn restore_inner(bytes: &[u8], hosts: Option<&HostCommands>) -> Result<Interp, SnapshotError> {
    if bytes.len() < MAGIC.len() {
        if MAGIC.starts_with(bytes) {
            return Err(SnapshotError::Truncated { offset: bytes.len(), reading: "magic" });
        }
        return Err(SnapshotError::NotASnapshot);
    }
    if &bytes[..4] != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    if bytes.len() < 6 {
        return Err(SnapshotError::Truncated { offset: bytes.len(), reading: "format version" });
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    if !(super::OLDEST_READABLE_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(SnapshotError::UnsupportedVersion(version));
    }
    if bytes.len() < 6 + 8 {
        return Err(SnapshotError::Truncated { offset: bytes.len(), reading: "checksum" });
    }
    let body_end = bytes.len() - 8;
    let mut sum = [0u8; 8];
    sum.copy_from_slice(&bytes[body_end..]);
    let stored = u64::from_le_bytes(sum);
    let computed = super::checksum(version, &bytes[..body_end]);
    if stored != computed {
        return Err(SnapshotError::ChecksumMismatch { stored, computed });
    }
    let mut r = Reader { buf: &bytes[6..body_end], pos: 0, base: 6 };

    let mut code_r = r.section(SECTION_CODE, "code section")?;
    let section = code_r.buf;
    let codes = super::code_cache::codes_of(section, || {
        let codes = read_codes(&mut code_r)?;
        code_r.expect_end("code section")?;
        Ok(codes)
    })?;
    let mut order = RefOrder { len: codes.len(), next: 0, what: "code" };

    // Every variable comes from the snapshot.
    let mut interp = Interp::blank();
    let mut data_r = r.section(SECTION_DATA, "data section")?;
    read_data(&mut data_r, &codes, &mut order, &mut interp, hosts)?;
    data_r.expect_end("data section")?;

    let mut exec_r = r.section(SECTION_EXEC, "exec section")?;
    read_exec(&mut exec_r, &codes, &mut order, &mut interp)?;
    exec_r.expect_end("exec section")?;
    r.expect_end("snapshot")?;
    order.finish()?;

    check_state(&interp)?;
    Ok(interp)
}

fn read_codes(r: &mut Reader) -> Res<Vec<Rc<ByteCode>>> {
    let n = r.count("code count")?;
    let mut codes = Vec::with_capacity(n.min(PREALLOC_MAX));
    for i in 0..n {
        let code = read_code(r)?;
        verify(&code).map_err(|e| match e {
            SnapshotError::Invalid(m) => SnapshotError::Invalid(format!("code {i}: {m}")),
            other => other,
        })?;
        codes.push(Rc::new(code));
    }
    Ok(codes)
}

fn read_code(r: &mut Reader) -> Res<ByteCode> {
    let at = r.offset();
    let kind = match r.u8("code kind")? {
        0 => CodeKind::Script,
        1 => CodeKind::ProcBody,
        2 => CodeKind::Expr,
        3 => CodeKind::Synthetic,
        k => return r.malformed(at, format!("unknown code kind {k}")),
    };
    let in_proc = r.bool("code flags")?;
    let compile_epoch = r.varint("compile epoch")?;
    let source: Rc<str> = Rc::from(r.str("code source")?);
    let n = r.count("local count")?;
    let mut locals = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        locals.push(Rc::from(r.str("local name")?));
    }
    let n = r.count("literal count")?;
    let mut literals = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        literals.push(r.value("literal")?);
    }
    let n = r.count("aux count")?;
    let mut aux = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        aux.push(read_aux(r)?);
    }
    let n = r.count("range count")?;
    let mut ranges = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        let start = r.u32("range start")?;
        let end = r.u32("range end")?;
        let depth = r.u32("range depth")?;
        let at = r.offset();
        let kind = match r.u8("range kind")? {
            0 => RangeKind::Loop { break_to: r.u32("break target")?, continue_to: r.u32("continue target")? },
            1 => RangeKind::Catch { handler: r.u32("handler target")? },
            k => return r.malformed(at, format!("unknown range kind {k}")),
        };
        ranges.push(ExceptRange { start, end, depth, kind });
    }
    let n = r.count("command location count")?;
    let mut cmds = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        cmds.push(CmdLoc {
            pc_start: r.u32("command pc start")?,
            pc_end: r.u32("command pc end")?,
            src_start: r.u32("command source start")?,
            src_end: r.u32("command source end")?,
        });
    }
    let n = r.count("instruction count")?;
    let mut code = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        code.push(read_instr(r)?);
    }
    Ok(ByteCode {
        kind,
        code: code.into(),
        literals,
        aux: aux.into(),
        ranges: ranges.into(),
        cmds: cmds.into(),
        locals,
        source,
        compile_epoch,
        in_proc,
    })
}

fn read_var_addr(r: &mut Reader) -> Res<VarAddr> {
    let at = r.offset();
    match r.u8("variable address")? {
        0 => Ok(VarAddr::Slot(r.u32("slot")?)),
        1 => Ok(VarAddr::Name(r.u32("name literal")?)),
        2 => Ok(VarAddr::Stack),
        t => r.malformed(at, format!("unknown variable address kind {t}")),
    }
}

fn read_aux(r: &mut Reader) -> Res<Aux> {
    let at = r.offset();
    match r.u8("aux kind")? {
        0 => {
            let n = r.count("foreach list count")?;
            let mut lists = Vec::with_capacity(n.min(PREALLOC_MAX));
            for _ in 0..n {
                let m = r.count("foreach variable count")?;
                let mut vars = Vec::with_capacity(m.min(PREALLOC_MAX));
                for _ in 0..m {
                    vars.push(read_var_addr(r)?);
                }
                lists.push(vars);
            }
            Ok(Aux::Foreach { lists })
        }
        1 => {
            let mat = r.offset();
            let mode = match r.u8("switch mode")? {
                0 => SwitchMode::Exact,
                1 => SwitchMode::Glob,
                2 => SwitchMode::Regexp,
                m => return r.malformed(mat, format!("unknown switch mode {m}")),
            };
            let nocase = r.bool("switch -nocase")?;
            let n = r.count("switch pattern count")?;
            let mut patterns = Vec::with_capacity(n.min(PREALLOC_MAX));
            for _ in 0..n {
                patterns.push(r.u32("switch pattern")?);
            }
            let mut names = [None, None];
            for slot in names.iter_mut() {
                if r.bool("switch variable flag")? {
                    *slot = Some(r.str("switch variable name")?.to_owned());
                }
            }
            let [match_var, index_var] = names;
            Ok(Aux::Switch { patterns, mode, nocase, match_var, index_var })
        }
        2 => {
            let n = r.count("jump table size")?;
            let mut t = Vec::with_capacity(n.min(PREALLOC_MAX));
            for _ in 0..n {
                t.push(r.u32("jump table target")?);
            }
            Ok(Aux::JumpTable(t))
        }
        3 => {
            let n = r.count("try handler count")?;
            let mut handlers = Vec::with_capacity(n.min(PREALLOC_MAX));
            for _ in 0..n {
                let mat = r.offset();
                let m = match r.u8("try handler kind")? {
                    0 => TryMatch::Code(r.i32("try handler code")?),
                    1 => TryMatch::Trap(r.u32("try trap pattern")?),
                    k => return r.malformed(mat, format!("unknown try handler kind {k}")),
                };
                handlers.push((m, r.u32("try handler target")?));
            }
            let no_match = r.u32("try no-match target")?;
            Ok(Aux::Try { handlers, no_match })
        }
        k => r.malformed(at, format!("unknown aux kind {k}")),
    }
}

fn read_instr(r: &mut Reader) -> Res<Instr> {
    use Instr::*;
    let at = r.offset();
    let opcode = r.u8("opcode")?;
    Ok(match opcode {
        op::PUSH => Push(r.u32("literal index")?),
        op::POP => Pop,
        op::DUP => Dup,
        op::SWAP => Swap,
        op::OVER => Over(r.u32("operand")?),
        op::NIP => Nip(r.u32("operand")?),
        op::CONCAT_WORDS => ConcatWords(r.u32("operand")?),
        op::CONCAT => Concat(r.u32("operand")?),
        op::LIST => List(r.u32("operand")?),
        op::LIST_APPEND => ListAppend,
        op::LIST_CONCAT => ListConcat,
        op::LOAD_LOCAL => LoadLocal(r.u32("slot")?),
        op::STORE_LOCAL => StoreLocal(r.u32("slot")?),
        op::INCR_LOCAL => IncrLocal(r.u32("slot")?, r.i32("increment")?),
        op::VAR => {
            let dat = r.offset();
            let d = r.u8("variable descriptor")?;
            if d & 0x80 != 0 {
                return r.malformed(dat, format!("variable descriptor {d:#x} has bit 7 set"));
            }
            let vop = match d & 0x0f {
                0 => VarOp::Load,
                1 => VarOp::Store,
                2 => VarOp::Incr,
                3 => VarOp::IncrImm(r.i32("increment")?),
                4 => VarOp::Append,
                5 => VarOp::Lappend(r.u32("lappend count")?),
                6 => VarOp::Unset(false),
                7 => VarOp::Unset(true),
                8 => VarOp::Exists,
                o => return r.malformed(dat, format!("unknown variable operation {o}")),
            };
            let addr = match (d >> 4) & 3 {
                0 => VarAddr::Slot(r.u32("slot")?),
                1 => VarAddr::Name(r.u32("name literal")?),
                2 => VarAddr::Stack,
                a => return r.malformed(dat, format!("unknown variable address kind {a}")),
            };
            Var { op: vop, addr, elem: d & 0x40 != 0 }
        }
        op::INVOKE => Invoke(r.u32("word count")?),
        op::INVOKE_LIST => InvokeList,
        op::EVAL_BODY => EvalBody(r.u32("annotation literal")?),
        op::UPLEVEL => Uplevel(r.u32("word count")?),
        op::EXPR_STK => ExprStk,
        op::BINARY => {
            let oat = r.offset();
            let t = r.u8("binary operator")?;
            match BINOPS.get(t as usize) {
                Some(&o) => Binary(o),
                None => return r.malformed(oat, format!("unknown binary operator {t}")),
            }
        }
        op::UNARY => {
            let oat = r.offset();
            let t = r.u8("unary operator")?;
            match UNOPS.get(t as usize) {
                Some(&o) => Unary(o),
                None => return r.malformed(oat, format!("unknown unary operator {t}")),
            }
        }
        op::MATH_FUNC => MathFunc(r.u32("function literal")?, r.u32("argument count")?),
        op::TO_NUMERIC => ToNumeric,
        op::TO_BOOL => ToBool,
        op::JUMP => Jump(r.u32("jump target")?),
        op::JUMP_TRUE => JumpTrue(r.u32("jump target")?),
        op::JUMP_FALSE => JumpFalse(r.u32("jump target")?),
        op::FOREACH_START => ForeachStart(r.u32("aux index")?),
        op::FOREACH_STEP => ForeachStep(r.u32("aux index")?, r.u32("jump target")?),
        op::FOREACH_END => ForeachEnd(r.u32("aux index")?),
        op::LMAP_COLLECT => LmapCollect(r.u32("aux index")?),
        op::RETHROW => Rethrow,
        op::RETURN_STK => ReturnStk,
        op::SWITCH_MATCH => SwitchMatch(r.u32("aux index")?),
        op::JUMP_TABLE => JumpTable(r.u32("aux index")?),
        op::TRY_DISPATCH => TryDispatch(r.u32("aux index")?),
        op::SUBST => Subst(r.u32("subst flags")?),
        op::COUNT_DOWN => CountDown(r.u32("jump target")?),
        op::TIME_START => TimeStart,
        op::TIME_END => TimeEnd,
        op::SYNTAX_ERROR => SyntaxError(r.u32("message literal")?),
        op::DONE => Done,
        op::RETHROW_DURING => RethrowDuring,
        op::RAISE_ARITH => RaiseArith(r.u32("message literal")?, r.u32("error code literal")?),
        op::DICT_PAIRS => DictPairs,
        op::LIST_TO_DICT => ListToDict,
        op::LMAP_COLLECT_PAIR => LmapCollectPair(r.u32("aux index")?),
        op::DICT_WITH_START => DictWithStart(r.u32("operand")?),
        op::DICT_WITH_END => DictWithEnd,
        op::DICT_UPDATE_START => DictUpdateStart(r.u32("operand")?),
        op::DICT_UPDATE_END => DictUpdateEnd,
        op::SORT_STEP => SortStep(r.u32("jump target")?),
        op::SORT_ANSWER => SortAnswer,
        o => return r.malformed(at, format!("unknown opcode {o}")),
    })
}

fn read_data(
    r: &mut Reader,
    codes: &[Rc<ByteCode>],
    order: &mut RefOrder,
    interp: &mut Interp,
    hosts: Option<&HostCommands>,
) -> Res<()> {
    interp.limits = Limits {
        max_string_bytes: r.usize("max_string_bytes")?,
        max_list_len: r.usize("max_list_len")?,
        max_nesting: r.usize("max_nesting")?,
        max_stack: r.usize("max_stack")?,
    };
    interp.rng = r.fixed_u64("rng state")?;
    interp.script_name = r.str("script name")?.to_owned();
    interp.error_line = r.i64("error line")?;
    let epoch = r.varint("compile epoch")?;

    let mut table = CommandTable::default();
    let n = r.count("command count")?;
    table.reserve_changes(n.min(PREALLOC_MAX));
    let mut prev: Option<&str> = None;
    for i in 0..n {
        let at = r.offset();
        let name = r.str("command name")?;
        if let Some(p) = prev {
            if p.as_bytes() >= name.as_bytes() {
                return r.malformed(at, format!("command \"{name}\" is out of order or a duplicate (after \"{p}\")"));
            }
        }
        if name.starts_with("::") {
            return invalid(format!("command {i}: name \"{name}\" is not normalised"));
        }
        prev = Some(name);
        let kat = r.offset();
        let cmd = match r.u8("command kind")? {
            0 => {
                let b = r.str("built-in name")?;
                match crate::commands::builtin_named(b) {
                    Some(def) => Some(Command::Builtin(def)),
                    None => return invalid(format!("command \"{name}\": unknown built-in \"{b}\"")),
                }
            }
            1 => Some(Command::Proc(Rc::new(read_proc(r, codes, order, name)?))),
            2 => {
                let host = r.str("host command name")?;
                // Provided by the table the embedder attaches (a version 3
                // snapshot names the shared host commands): no entry.
                if host == name && hosts.is_some_and(|h| h.provides(host)) {
                    continue;
                }
                Some(Command::Host(std::sync::Arc::from(host)))
            }
            // A deleted built-in, or a deleted shared host command (which
            // the embedder may attach again after the restore).
            3 => None,
            k => return r.malformed(kat, format!("unknown command kind {k}")),
        };
        table.restore_change(name, cmd);
    }
    table.compile_epoch = epoch;
    interp.commands = table;

    let n = r.count("variable frame count")?;
    if n == 0 {
        return invalid("no global variable frame");
    }
    let mut frames = Vec::with_capacity(n.min(PREALLOC_MAX));
    for fi in 0..n {
        frames.push(read_var_frame(r, codes, order, fi)?);
    }
    interp.vars = Frames { frames };
    Ok(())
}

fn read_proc(r: &mut Reader, codes: &[Rc<ByteCode>], order: &mut RefOrder, cmd: &str) -> Res<Proc> {
    let name: Rc<str> = Rc::from(r.str("proc name")?);
    let n = r.count("proc argument count")?;
    let mut args = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        let a: Rc<str> = Rc::from(r.str("proc argument name")?);
        let d = if r.bool("proc argument default flag")? { Some(r.value("proc argument default")?) } else { None };
        args.push((a, d));
    }
    let args_value = r.value("proc argument spec")?;
    let body = r.value("proc body")?;
    let c = r.varint("proc code index")?;
    let compiled = if c == 0 {
        None
    } else {
        let i = order.take(c - 1, &|| format!("proc \"{cmd}\""))?;
        let code = codes[i].clone();
        if code.kind != CodeKind::ProcBody {
            return invalid(format!("proc \"{cmd}\": compiled body (code {i}) is not a proc body"));
        }
        Some(code)
    };
    Ok(Proc { name, args, args_value, body, compiled: std::cell::RefCell::new(compiled) })
}

fn read_var_frame(r: &mut Reader, codes: &[Rc<ByteCode>], order: &mut RefOrder, fi: usize) -> Res<VarFrame> {
    let level = r.u32("frame level")?;
    let caller = r.u32("frame caller")?;
    let c = r.varint("frame code index")?;
    let code = if c == 0 {
        None
    } else {
        let i = order.take(c - 1, &|| format!("variable frame {fi}"))?;
        Some(codes[i].clone())
    };
    let n = r.count("call word count")?;
    let mut objv = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        objv.push(r.value("call word")?);
    }
    let n = r.count("variable count")?;
    let mut vars = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        let at = r.offset();
        vars.push(match r.u8("variable kind")? {
            0 => Var::Undefined,
            1 => Var::Scalar(r.value("variable value")?),
            2 => {
                let m = r.count("array size")?;
                let mut map = ArrayMap::with_capacity_and_hasher(m.min(PREALLOC_MAX), Default::default());
                for _ in 0..m {
                    let kat = r.offset();
                    let k = r.str("array key")?;
                    let v = r.value("array element")?;
                    if map.insert(Rc::from(k), v).is_some() {
                        return r.malformed(kat, format!("duplicate array key \"{k}\""));
                    }
                }
                Var::Array(Box::new(map))
            }
            3 => Var::Link(Link {
                frame: r.u32("link frame")?,
                index: r.u32("link index")?,
                elem: r.opt_str("link element")?.map(Rc::from),
            }),
            k => return r.malformed(at, format!("unknown variable kind {k}")),
        });
    }
    let n = r.count("named variable count")?;
    let mut dynamic: crate::vars::NameMap = HashMap::with_capacity_and_hasher(n.min(PREALLOC_MAX), Default::default());
    let mut prev: Option<u32> = None;
    for _ in 0..n {
        let at = r.offset();
        let index = r.u32("variable index")?;
        let name = r.str("variable name")?;
        if prev.is_some_and(|p| p >= index) {
            return r.malformed(at, format!("variable index {index} out of order"));
        }
        prev = Some(index);
        if index as usize >= vars.len() {
            return invalid(format!(
                "variable frame {fi}: variable \"{name}\" has index {index} beyond its {} variables",
                vars.len()
            ));
        }
        if dynamic.insert(Rc::from(name), index).is_some() {
            return invalid(format!("variable frame {fi}: variable name \"{name}\" appears twice"));
        }
    }
    Ok(VarFrame { vars, dynamic, code, level, caller, objv })
}

fn read_exec(r: &mut Reader, codes: &[Rc<ByteCode>], order: &mut RefOrder, interp: &mut Interp) -> Res<()> {
    interp.nesting = r.usize("nesting")?;
    let n = r.count("code frame count")?;
    let mut frames = Vec::with_capacity(n.min(PREALLOC_MAX));
    for fi in 0..n {
        let c = r.varint("frame code index")?;
        let ci = order.take(c, &|| format!("code frame {fi}"))?;
        let pc = r.u32("frame pc")?;
        let base = r.u32("frame base")?;
        let var_frame = r.u32("frame variable frame")?;
        let at = r.offset();
        let kind = match r.u8("frame kind")? {
            0 => FrameKind::Top { annotation: r.opt_str("frame annotation")?.map(Rc::from) },
            1 => FrameKind::Proc { name: Rc::from(r.str("proc name")?) },
            2 => FrameKind::Lambda { lambda: r.value("lambda")? },
            3 => FrameKind::Body { annotation: r.opt_str("frame annotation")?.map(Value::from) },
            4 => FrameKind::Expr,
            5 => FrameKind::Synthetic,
            k => return r.malformed(at, format!("unknown frame kind {k}")),
        };
        let sort = if r.bool("sort state flag")? {
            if kind != FrameKind::Synthetic {
                return invalid(format!("code frame {fi}: a sort state in a non-synthetic frame"));
            }
            let n = r.count("sort word count")?;
            let mut args = Vec::with_capacity(n.min(PREALLOC_MAX));
            for _ in 0..n {
                args.push(r.value("sort word")?);
            }
            let n = r.count("sort answer count")?;
            let mut answers = Vec::with_capacity(n.min(PREALLOC_MAX));
            for _ in 0..n {
                answers.push(r.i32("sort answer")?);
            }
            let pending = r.bool("sort pending flag")?;
            let state = crate::vm_sort::SortState::rebuild(args, answers, pending)
                .map_err(|e| SnapshotError::Invalid(format!("code frame {fi}: {}", e.value().as_str())))?;
            Some(Box::new(state))
        } else {
            None
        };
        frames.push(CodeFrame { code: codes[ci].clone(), pc, base, var_frame, kind, sort });
    }
    interp.frames = frames;
    let n = r.count("stack size")?;
    let mut stack = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        stack.push(r.value("stack value")?);
    }
    interp.stack = stack;
    interp.pending = if r.bool("pending request flag")? {
        let command = r.str("request command")?.to_owned();
        let n = r.count("request argument count")?;
        let mut args = Vec::with_capacity(n.min(PREALLOC_MAX));
        for _ in 0..n {
            args.push(r.str("request argument")?.to_owned());
        }
        Some(Box::new(HostRequest { command, args }))
    } else {
        None
    };
    interp.raise_pending = if r.bool("pending error flag")? { Some(read_exception(r)?) } else { None };
    Ok(())
}

fn read_exception(r: &mut Reader) -> Res<Exception> {
    let code = r.i32("exception code")?;
    let value = r.value("exception value")?;
    let mut e = Exception::new(code, value);
    let d = &mut *e.0;
    d.level = r.i32("exception level")?;
    d.return_code = r.i32("exception return code")?;
    d.error_code = if r.bool("errorcode flag")? { Some(r.value("errorcode")?) } else { None };
    d.error_info = r.str("errorinfo")?.to_owned();
    d.info_started = r.bool("errorinfo started flag")?;
    d.error_line = r.i64("errorline")?;
    let n = r.count("return option count")?;
    let mut extra = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        let k = r.value("return option name")?;
        let v = r.value("return option value")?;
        extra.push((k, v));
    }
    d.extra_options = extra;
    d.skip_log = r.bool("skip log flag")?;
    Ok(e)
}
