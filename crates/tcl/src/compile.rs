//! The bytecode compiler: scripts, words, variable references and
//! expressions to [`ByteCode`]. Commands with a compile function (see
//! `compile_cmds.rs`) are inlined; all others become `Invoke`.
//!
//! The compiler tracks the operand stack depth statically so that exception
//! ranges know which depth to restore.

use std::collections::HashMap;
use std::rc::Rc;

/// The compiler's maps hash names of one script: a fixed-key hasher is
/// enough, and cheaper to set up than the default random one.
type FixedHasher = std::hash::BuildHasherDefault<ahash::AHasher>;

use crate::bytecode::{Aux, ByteCode, CmdLoc, CodeKind, ExceptRange, Instr, RangeKind, TryMatch, VarAddr, VarOp};
use crate::commands::CommandTable;
use crate::error::Exception;
use crate::parser::{self, literal_of, Parser, Part, Word};
use crate::value::Value;

/// Why a command was not compiled inline.
pub enum CompileFail {
    /// The command cannot be inlined here; invoke it normally.
    NotHere,
    /// The words are wrong; invoking the command must raise this error.
    Error(Exception),
}

/// Inline compilation of one command.
pub type CompileFn = fn(&mut Compiler, &[WordSrc]) -> Result<(), CompileFail>;

/// A word to compile: parsed from source, or an already known value (for
/// synthetic code made for a command invoked by a computed name).
pub enum WordSrc<'w> {
    Parsed(&'w Word),
    Value(Value),
}

impl WordSrc<'_> {
    /// The word's text if it is known at compile time.
    pub fn literal(&self) -> Option<String> {
        match self {
            WordSrc::Parsed(w) => w.literal(),
            WordSrc::Value(v) => Some(v.as_str().into_owned()),
        }
    }
}

/// Options for a compilation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mode {
    /// Compiling a proc body: literal variable names become slots.
    pub proc_body: bool,
    /// Inline the commands that Tcl only compiles inside procs (foreach,
    /// lmap, dict for...): true for proc bodies and code evaluated in a
    /// proc frame.
    pub in_proc: bool,
    /// Never inline bodies of script-evaluating commands (file top level
    /// and synthetic code), so they run as their own evaluations with
    /// errorInfo annotations as in tclsh.
    pub direct: bool,
}

pub struct Compiler<'a> {
    commands: &'a CommandTable,
    pub mode: Mode,
    code: Vec<Instr>,
    literals: Vec<Value>,
    /// Deduplicated literals by the hash of their text (a literal whose
    /// hash collides with another's is simply not deduplicated).
    lit_index: HashMap<u64, u32, FixedHasher>,
    aux: Vec<Aux>,
    ranges: Vec<ExceptRange>,
    cmds: Vec<CmdLoc>,
    locals: Vec<Rc<str>>,
    local_index: HashMap<Rc<str>, u32, FixedHasher>,
    source: Rc<str>,
    depth: u32,
    kind: CodeKind,
    /// Open catch ranges around the code being compiled.
    catch_depth: u32,
    /// Nesting of scripts being compiled (bounds compiler recursion).
    nesting: usize,
}

/// Compiles `source` as a script.
pub fn compile_script(commands: &CommandTable, source: &str, mode: Mode) -> ByteCode {
    let mut c = Compiler::new(commands, source, mode, CodeKind::Script);
    c.script_range(0, source.len(), false);
    c.finish()
}

/// Compiles a proc body whose first locals are the arguments.
pub fn compile_proc_body(commands: &CommandTable, body: &str, args: &[Rc<str>]) -> ByteCode {
    let mode = Mode { proc_body: true, in_proc: true, direct: false };
    let mut c = Compiler::new(commands, body, mode, CodeKind::ProcBody);
    for a in args {
        c.local(a);
    }
    c.script_range(0, body.len(), false);
    c.finish()
}

/// Compiles `source` as an `expr` expression.
pub fn compile_expr(commands: &CommandTable, source: &str, mode: Mode) -> ByteCode {
    let mut c = Compiler::new(commands, source, mode, CodeKind::Expr);
    let cmd_start = c.code.len() as u32;
    match crate::expr::compile(&mut c, 0, source.len()) {
        // `expr` adds ToNumeric itself; conditions take the raw value.
        Ok(_) => {}
        Err(e) => {
            c.code.truncate(cmd_start as usize);
            c.depth = 0;
            let lit = c.literal_value(e.value().clone());
            c.emit(Instr::SyntaxError(lit));
        }
    }
    c.finish()
}

/// Compiles `source` for `subst` with the given substitutions enabled.
pub fn compile_subst(commands: &CommandTable, source: &str, mode: Mode, bs: bool, vars: bool, cmds: bool) -> ByteCode {
    let mut c = Compiler::new(commands, source, mode, CodeKind::Script);
    match parser::parse_subst(source, bs, vars, cmds) {
        Ok(parts) => c.subst_parts(&parts),
        Err(e) => {
            let lit = c.literal(&e.message);
            c.emit(Instr::SyntaxError(lit));
        }
    }
    c.finish()
}

/// Compiles one command given as values (a command invoked by a computed
/// name whose built-in only exists compiled).
pub fn compile_synthetic(
    commands: &CommandTable,
    words: &[Value],
    compile: CompileFn,
    in_proc: bool,
) -> Result<ByteCode, Exception> {
    let mode = Mode { proc_body: false, in_proc, direct: true };
    let mut c = Compiler::new(commands, "", mode, CodeKind::Synthetic);
    let srcs: Vec<WordSrc> = words.iter().map(|v| WordSrc::Value(v.clone())).collect();
    match compile(&mut c, &srcs) {
        Ok(()) => Ok(c.finish()),
        Err(CompileFail::Error(e)) => Err(e),
        Err(CompileFail::NotHere) => Err(Exception::error(format!(
            "internal error: cannot compile \"{}\"",
            words.first().map(|w| w.as_str().into_owned()).unwrap_or_default()
        ))),
    }
}

impl<'a> Compiler<'a> {
    fn new(commands: &'a CommandTable, source: &str, mode: Mode, kind: CodeKind) -> Compiler<'a> {
        Compiler {
            commands,
            mode,
            code: Vec::new(),
            literals: Vec::new(),
            lit_index: HashMap::default(),
            aux: Vec::new(),
            ranges: Vec::new(),
            cmds: Vec::new(),
            locals: Vec::new(),
            local_index: HashMap::default(),
            source: Rc::from(source),
            depth: 0,
            kind,
            catch_depth: 0,
            nesting: 0,
        }
    }

    fn finish(mut self) -> ByteCode {
        self.emit(Instr::Done);
        // Compiled code may live long (an agent's script, a proc body):
        // give back the growth slack (the `Arc` parts are exact already).
        self.literals.shrink_to_fit();
        self.locals.shrink_to_fit();
        ByteCode {
            kind: self.kind,
            code: self.code.into(),
            literals: self.literals,
            aux: self.aux.into(),
            ranges: self.ranges.into(),
            cmds: self.cmds.into(),
            locals: self.locals,
            source: self.source,
            compile_epoch: self.commands.compile_epoch,
            in_proc: self.mode.in_proc,
        }
    }

    pub fn source(&self) -> Rc<str> {
        self.source.clone()
    }

    pub fn commands(&self) -> &CommandTable {
        self.commands
    }

    // ----- emission ------------------------------------------------------

    /// The current instruction index.
    pub fn pc(&self) -> u32 {
        self.code.len() as u32
    }

    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// Overrides the tracked depth (after an unconditional jump, the code
    /// that follows is reached with the depth of its jump sources).
    pub fn set_depth(&mut self, d: u32) {
        self.depth = d;
    }

    pub fn emit(&mut self, i: Instr) -> u32 {
        let (pops, pushes) = stack_effect(&i, &self.aux);
        self.depth = self.depth.saturating_sub(pops) + pushes;
        self.code.push(i);
        self.pc() - 1
    }

    /// Points the jump at `at` to `target`.
    pub fn patch(&mut self, at: u32, target: u32) {
        if let Some(
            Instr::Jump(t)
            | Instr::JumpTrue(t)
            | Instr::JumpFalse(t)
            | Instr::ForeachStep(_, t)
            | Instr::CountDown(t)
            | Instr::SortStep(t),
        ) = self.code.get_mut(at as usize)
        {
            *t = target;
        }
    }

    pub fn literal(&mut self, s: &str) -> u32 {
        use std::hash::BuildHasher;
        let h = FixedHasher::default().hash_one(s);
        let i = self.literals.len() as u32;
        match self.lit_index.entry(h) {
            std::collections::hash_map::Entry::Occupied(e) => {
                let j = *e.get();
                if self.literals.get(j as usize).is_some_and(|v| v.as_str() == s) {
                    return j;
                }
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
            }
        }
        self.literals.push(Value::from(s));
        i
    }

    /// A literal holding `v` itself (with its internal form), not deduped.
    pub fn literal_value(&mut self, v: Value) -> u32 {
        let i = self.literals.len() as u32;
        self.literals.push(v);
        i
    }

    pub fn push_lit(&mut self, s: &str) {
        let l = self.literal(s);
        self.emit(Instr::Push(l));
    }

    pub fn add_aux(&mut self, a: Aux) -> u32 {
        self.aux.push(a);
        self.aux.len() as u32 - 1
    }

    pub fn aux_mut(&mut self, i: u32) -> Option<&mut Aux> {
        self.aux.get_mut(i as usize)
    }

    pub fn add_range(&mut self, r: ExceptRange) {
        self.ranges.push(r);
    }

    /// A compiled local slot for `name` (proc bodies only).
    fn local(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.local_index.get(name) {
            return i;
        }
        let rc: Rc<str> = Rc::from(name);
        let i = self.locals.len() as u32;
        self.locals.push(rc.clone());
        self.local_index.insert(rc, i);
        i
    }

    /// The address of a scalar variable with a literal name.
    pub fn var_addr(&mut self, name: &str) -> VarAddr {
        if self.mode.proc_body && !name.contains("::") {
            VarAddr::Slot(self.local(name))
        } else {
            VarAddr::Name(self.literal(name))
        }
    }

    // ----- scripts and words ---------------------------------------------

    /// Compiles the script in `source[start..end]`, leaving its result.
    pub fn script_range(&mut self, start: usize, end: usize, nested: bool) {
        if self.nesting >= crate::parser::MAX_SYNTAX_NESTING {
            let lit = self.literal("too many nested scripts to compile");
            self.emit(Instr::SyntaxError(lit));
            return;
        }
        self.nesting += 1;
        self.script_range_inner(start, end, nested);
        self.nesting -= 1;
    }

    fn script_range_inner(&mut self, start: usize, end: usize, nested: bool) {
        let src = self.source.clone();
        let mut p = Parser::new(&src, start, end, nested);
        let mut first = true;
        loop {
            let before = p.position();
            match p.next_command() {
                Ok(Some(cmd)) => {
                    if !first {
                        self.emit(Instr::Pop);
                    }
                    first = false;
                    let pc_start = self.pc();
                    let loc_index = self.cmds.len();
                    self.cmds.push(CmdLoc {
                        pc_start,
                        pc_end: pc_start,
                        src_start: cmd.start as u32,
                        src_end: cmd.end as u32,
                    });
                    self.command(&cmd.words);
                    let pc_end = self.pc();
                    self.cmds[loc_index].pc_end = pc_end;
                }
                Ok(None) => break,
                Err(e) => {
                    if !first {
                        self.emit(Instr::Pop);
                    }
                    first = false;
                    let lit = self.literal(&e.message);
                    let pc = self.pc();
                    // errorInfo quotes the failing command up to its line end.
                    let cmd_start = command_start(&src, before, e.offset);
                    let cmd_end = src[e.offset.min(end)..end].find('\n').map(|i| e.offset + i).unwrap_or(end);
                    self.cmds.push(CmdLoc {
                        pc_start: pc,
                        pc_end: pc + 1,
                        src_start: cmd_start as u32,
                        src_end: cmd_end as u32,
                    });
                    self.emit(Instr::SyntaxError(lit));
                    break;
                }
            }
        }
        if first {
            self.push_lit("");
        }
    }

    /// Compiles one command.
    pub fn command(&mut self, words: &[Word]) {
        if words.iter().any(|w| w.expand) {
            self.emit(Instr::List(0));
            for w in words {
                self.word(w);
                self.emit(if w.expand { Instr::ListConcat } else { Instr::ListAppend });
            }
            self.emit(Instr::InvokeList);
            return;
        }
        if let Some(name) = words.first().and_then(|w| w.literal()) {
            if let Some(compile) = self.commands.get(&name).and_then(|c| c.compile_fn()) {
                let srcs: Vec<WordSrc> = words.iter().map(WordSrc::Parsed).collect();
                let (pc, depth, ranges, auxes) = (self.code.len(), self.depth, self.ranges.len(), self.aux.len());
                let cmds = self.cmds.len();
                match compile(self, &srcs) {
                    Ok(()) => return,
                    Err(_) => {
                        // Undo partial output; invoke at run time instead.
                        self.code.truncate(pc);
                        self.depth = depth;
                        self.ranges.truncate(ranges);
                        self.aux.truncate(auxes);
                        self.cmds.truncate(cmds);
                    }
                }
            }
        }
        for w in words {
            self.word(w);
        }
        self.emit(Instr::Invoke(words.len() as u32));
    }

    /// Pushes the value of a parsed word.
    pub fn word(&mut self, w: &Word) {
        self.parts(&w.parts);
    }

    /// Pushes the value of a word source.
    pub fn word_src(&mut self, w: &WordSrc) {
        match w {
            WordSrc::Parsed(w) => self.word(w),
            WordSrc::Value(v) => {
                let l = self.literal_value(v.clone());
                self.emit(Instr::Push(l));
            }
        }
    }

    /// Pushes the concatenation of `parts`.
    pub fn parts(&mut self, parts: &[Part]) {
        if let Some(text) = literal_of(parts) {
            self.push_lit(&text);
            return;
        }
        for p in parts {
            match p {
                Part::Text(t) => self.push_lit(t),
                Part::Var { name, index } => self.var_ref(name, index.as_deref()),
                Part::Script { start, end } => self.script_range(*start, *end, true),
            }
        }
        if parts.len() > 1 {
            self.emit(Instr::Concat(parts.len() as u32));
        }
    }

    /// Pushes the result of `subst` over `parts`: like `parts`, but a
    /// command substitution that breaks ends the result there, one that
    /// continues substitutes nothing, one that returns substitutes the
    /// returned value (Tcl's subst rules).
    pub fn subst_parts(&mut self, parts: &[Part]) {
        if !parts.iter().any(|p| matches!(p, Part::Script { .. })) {
            self.parts(parts);
            return;
        }
        let base = self.depth;
        let mut breaks = Vec::new();
        for (k, p) in parts.iter().enumerate() {
            match p {
                Part::Text(t) => self.push_lit(t),
                Part::Var { name, index } => self.var_ref(name, index.as_deref()),
                Part::Script { start, end } => {
                    let range = self.begin_range(RangeKind::Catch { handler: 0 });
                    self.script_range(*start, *end, true);
                    self.end_range(range);
                    let done = self.emit(Instr::Jump(0));
                    let handler = self.pc();
                    self.set_range_kind(range, RangeKind::Catch { handler });
                    let at = base + k as u32;
                    self.set_depth(at + 3);
                    let aux = self.add_aux(Aux::Try { handlers: Vec::new(), no_match: 0 });
                    self.emit(Instr::TryDispatch(aux));
                    let rethrow = self.pc();
                    self.emit(Instr::Rethrow);
                    // break: stop here with what was built so far.
                    self.set_depth(at + 3);
                    let on_break = self.pc();
                    self.emit(Instr::Pop);
                    self.emit(Instr::Pop);
                    self.emit(Instr::Pop);
                    self.emit(Instr::Concat(k as u32));
                    breaks.push(self.emit(Instr::Jump(0)));
                    // continue: substitute nothing.
                    self.set_depth(at + 3);
                    let on_continue = self.pc();
                    self.emit(Instr::Pop);
                    self.emit(Instr::Pop);
                    self.emit(Instr::Pop);
                    self.push_lit("");
                    let after_continue = self.emit(Instr::Jump(0));
                    // return: substitute the returned value.
                    self.set_depth(at + 3);
                    let on_return = self.pc();
                    self.emit(Instr::Pop);
                    self.emit(Instr::Pop);
                    let next = self.pc();
                    self.patch(done, next);
                    self.patch(after_continue, next);
                    if let Some(Aux::Try { handlers, no_match }) = self.aux_mut(aux) {
                        *handlers = vec![
                            (TryMatch::Code(3), on_break),
                            (TryMatch::Code(4), on_continue),
                            (TryMatch::Code(2), on_return),
                        ];
                        *no_match = rethrow;
                    }
                    self.set_depth(at + 1);
                }
            }
        }
        if parts.len() > 1 {
            self.emit(Instr::Concat(parts.len() as u32));
        }
        let end = self.pc();
        for b in breaks {
            self.patch(b, end);
        }
        self.set_depth(base + 1);
    }

    /// Pushes the value of `$name` or `$name(index)`.
    fn var_ref(&mut self, name: &str, index: Option<&[Part]>) {
        // `${a(b)}` names an element too.
        if index.is_none() {
            if let Some((arr, key)) = split_array_name(name) {
                let addr = self.var_addr(arr);
                self.push_lit(key);
                self.emit(Instr::Var { op: VarOp::Load, addr, elem: true });
                return;
            }
        }
        match index {
            None => match self.var_addr(name) {
                VarAddr::Slot(s) => {
                    self.emit(Instr::LoadLocal(s));
                }
                addr => {
                    self.emit(Instr::Var { op: VarOp::Load, addr, elem: false });
                }
            },
            Some(idx) => {
                let addr = self.var_addr(name);
                self.parts(idx);
                self.emit(Instr::Var { op: VarOp::Load, addr, elem: true });
            }
        }
    }

    /// Emits the address part of a variable operation on the variable named
    /// by word `w`: returns the addressing to use in `Instr::Var`.
    /// For literal names, `a(b)` is split into array and key; for computed
    /// names the name is pushed (the VM splits it).
    pub fn var_target(&mut self, w: &WordSrc) -> (VarAddr, bool) {
        if let Some(name) = w.literal() {
            if let Some((arr, key)) = split_array_name(&name) {
                let addr = self.var_addr(arr);
                self.push_lit(key);
                return (addr, true);
            }
            return (self.var_addr(&name), false);
        }
        // `set a($i) v`: an array with a computed key keeps the array a slot.
        if let WordSrc::Parsed(word) = w {
            if let Some((arr, key_parts)) = split_array_parts(&word.parts) {
                let addr = self.var_addr(&arr);
                self.parts(&key_parts);
                return (addr, true);
            }
        }
        self.word_src(w);
        (VarAddr::Stack, false)
    }

    /// Emits a variable operation whose operands (if any) are produced by
    /// `operands` after the address.
    pub fn var_op(&mut self, w: &WordSrc, op: VarOp, operands: impl FnOnce(&mut Self)) {
        let (addr, elem) = self.var_target(w);
        operands(self);
        match (op, addr, elem) {
            (VarOp::Load, VarAddr::Slot(s), false) => self.emit(Instr::LoadLocal(s)),
            (VarOp::Store, VarAddr::Slot(s), false) => self.emit(Instr::StoreLocal(s)),
            (VarOp::IncrImm(n), VarAddr::Slot(s), false) => self.emit(Instr::IncrLocal(s, n)),
            _ => self.emit(Instr::Var { op, addr, elem }),
        };
    }

    // ----- bodies --------------------------------------------------------

    /// Compiles a script-valued word (a loop or branch body) to leave its
    /// result: inline when it is a literal braced word of the source and the
    /// mode allows, otherwise as a run-time evaluation annotated with
    /// `annotation` (e.g. `("foreach" body line %d)`) in errorInfo.
    pub fn body(&mut self, w: &WordSrc, annotation: Option<&str>) {
        if !self.mode.direct {
            if let WordSrc::Parsed(word) = w {
                // A braced or bare literal found verbatim in the source.
                let (s, e) = if word.braced { (word.start + 1, word.end - 1) } else { (word.start, word.end) };
                if let (false, Some(text)) = (word.expand, word.literal()) {
                    if self.source.get(s..e) == Some(text.as_str()) {
                        self.script_range(s, e, false);
                        return;
                    }
                }
            }
        }
        self.word_src(w);
        let ann = match annotation {
            Some(a) => self.literal(a),
            None => u32::MAX,
        };
        self.emit(Instr::EvalBody(ann));
    }

    /// Compiles an expression-valued word, leaving the expression's value.
    /// Returns true when the value is surely numeric already (otherwise
    /// `expr` converts it with `ToNumeric`).
    pub fn expr_word(&mut self, w: &WordSrc) -> bool {
        if let WordSrc::Parsed(word) = w {
            if word.braced && !word.expand {
                let (s, e) = (word.start + 1, word.end - 1);
                if let Some(text) = word.literal() {
                    if self.source.get(s..e) == Some(text.as_str()) {
                        let (pc, depth, cmds) = (self.code.len(), self.depth, self.cmds.len());
                        if let Ok(numeric) = crate::expr::compile(self, s, e) {
                            return numeric;
                        }
                        // Let the run-time compile raise the syntax error.
                        self.code.truncate(pc);
                        self.depth = depth;
                        self.cmds.truncate(cmds);
                    }
                }
            }
        }
        self.word_src(w);
        self.emit(Instr::ExprStk);
        false
    }

    /// Starts an exception range at the current pc; returns its index.
    pub fn begin_range(&mut self, kind: RangeKind) -> usize {
        if matches!(kind, RangeKind::Catch { .. }) {
            self.catch_depth += 1;
        }
        let pc = self.pc();
        self.ranges.push(ExceptRange { start: pc, end: pc, depth: self.depth, kind });
        self.ranges.len() - 1
    }

    pub fn end_range(&mut self, index: usize) {
        let pc = self.pc();
        if let Some(r) = self.ranges.get_mut(index) {
            r.end = pc;
            if matches!(r.kind, RangeKind::Catch { .. }) {
                self.catch_depth = self.catch_depth.saturating_sub(1);
            }
        }
    }

    /// True when a `return` here leaves the proc directly: a proc body with
    /// no catch around this point.
    pub fn return_is_frame_exit(&self) -> bool {
        self.mode.proc_body && self.catch_depth == 0
    }

    pub fn set_range_kind(&mut self, index: usize, kind: RangeKind) {
        if let Some(r) = self.ranges.get_mut(index) {
            r.kind = kind;
        }
    }

    /// Records a command location for code compiled from `start..end` of
    /// the source (expression sub-commands).
    pub fn record_command(&mut self, pc_start: u32, src_start: usize, src_end: usize) {
        let pc_end = self.pc();
        self.cmds.push(CmdLoc { pc_start, pc_end, src_start: src_start as u32, src_end: src_end as u32 });
    }
}

/// Where the command that failed to parse starts: the first non-blank,
/// non-comment text after `from` (and not after the error).
fn command_start(src: &str, from: usize, error_at: usize) -> usize {
    let b = src.as_bytes();
    let mut i = from;
    while i < error_at.min(b.len()) {
        match b[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b';' => i += 1,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => break,
        }
    }
    i.min(error_at)
}

/// `a(b)` -> ("a", "b").
pub fn split_array_name(name: &str) -> Option<(&str, &str)> {
    if !name.ends_with(')') {
        return None;
    }
    let open = name.find('(')?;
    if open == 0 {
        return None;
    }
    Some((&name[..open], &name[open + 1..name.len() - 1]))
}

/// For a word like `a($i)`: the array name and the key's parts.
fn split_array_parts(parts: &[Part]) -> Option<(String, Vec<Part>)> {
    let Some(Part::Text(first)) = parts.first() else {
        return None;
    };
    let Some(Part::Text(last)) = parts.last() else {
        return None;
    };
    if parts.len() < 2 || !last.ends_with(')') {
        return None;
    }
    let open = first.find('(')?;
    if open == 0 || first[..open].contains(')') {
        return None;
    }
    let arr = first[..open].to_owned();
    let mut key = Vec::with_capacity(parts.len());
    let head = &first[open + 1..];
    if !head.is_empty() {
        key.push(Part::Text(head.to_owned()));
    }
    key.extend(parts[1..parts.len() - 1].iter().cloned());
    let tail = &last[..last.len() - 1];
    if !tail.is_empty() {
        key.push(Part::Text(tail.to_owned()));
    }
    Some((arr, key))
}

/// `(pops, pushes)` of an instruction, for depth tracking.
pub fn stack_effect(i: &Instr, aux: &[Aux]) -> (u32, u32) {
    use Instr::*;
    let var_prefix = |addr: VarAddr, elem: bool| (matches!(addr, VarAddr::Stack) as u32) + elem as u32;
    match *i {
        Push(_) | Dup | LoadLocal(_) | IncrLocal(..) | TimeStart => (0, 1),
        Over(_) => (0, 1),
        Pop => (1, 0),
        Swap => (2, 2),
        Nip(n) => (n + 1, 1),
        Concat(n) | List(n) | ConcatWords(n) => (n, 1),
        ListAppend | ListConcat => (2, 1),
        StoreLocal(_) => (1, 1),
        Var { op, addr, elem } => {
            let p = var_prefix(addr, elem);
            match op {
                VarOp::Load | VarOp::IncrImm(_) | VarOp::Unset(_) | VarOp::Exists => (p, 1),
                VarOp::Store | VarOp::Incr | VarOp::Append => (p + 1, 1),
                VarOp::Lappend(n) => (p + n, 1),
            }
        }
        Invoke(n) | Uplevel(n) => (n, 1),
        InvokeList | EvalBody(_) | ExprStk | Subst(_) => (1, 1),
        Binary(_) => (2, 1),
        Unary(_) | ToNumeric | ToBool => (1, 1),
        MathFunc(_, n) => (n, 1),
        Jump(_) => (0, 0),
        JumpTrue(_) | JumpFalse(_) => (1, 0),
        ForeachStart(a) => {
            let n = foreach_lists(aux, a);
            (n, n + 1)
        }
        ForeachStep(..) => (0, 0),
        ForeachEnd(a) => (foreach_lists(aux, a) + 1, 0),
        LmapCollect(_) => (1, 0),
        CountDown(_) => (0, 0),
        Rethrow => (3, 0),
        RethrowDuring => (6, 0),
        ReturnStk => (2, 0),
        SwitchMatch(_) => (1, 1),
        JumpTable(_) => (1, 0),
        TryDispatch(_) => (0, 0),
        TimeEnd => (3, 1),
        SyntaxError(_) | RaiseArith(..) => (0, 1),
        DictPairs | ListToDict => (1, 1),
        SortStep(_) => (0, 1),
        SortAnswer => (1, 0),
        LmapCollectPair(_) => (2, 0),
        DictWithStart(n) => (n + 1, 3),
        DictWithEnd => (6, 1),
        DictUpdateStart(n) => (2 * n + 1, 2),
        DictUpdateEnd => (5, 1),
        Done => (1, 0),
    }
}

fn foreach_lists(aux: &[Aux], a: u32) -> u32 {
    match aux.get(a as usize) {
        Some(Aux::Foreach { lists }) => lists.len() as u32,
        _ => 0,
    }
}
