//! The instruction set: the contract between the compiler and the VM.
//!
//! The VM is a stack machine. Each code frame runs one [`ByteCode`] with a
//! program counter and a base on the shared operand stack. Stack effects
//! are given as `(pops -> pushes)`. Every operand (literal, slot, jump
//! target, aux index) is checked by the VM before use, so a corrupt
//! bytecode (from a bad snapshot) yields an error, never a panic.

use std::rc::Rc;
use std::sync::Arc;

use crate::ops::{BinOp, UnOp};
use crate::value::Value;

/// Where a variable operand lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarAddr {
    /// A compiled local of the proc frame.
    Slot(u32),
    /// Looked up by name (a literal) in the current frame.
    Name(u32),
    /// Looked up by name taken from the stack (pushed before the operands).
    Stack,
}

/// What to do with a variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarOp {
    /// (-> value)
    Load,
    /// (value -> value)
    Store,
    /// (increment -> new value)
    Incr,
    /// (-> new value)
    IncrImm(i32),
    /// (value -> new value)
    Append,
    /// (n values -> new value)
    Lappend(u32),
    /// (-> "") ; the flag is -nocomplain
    Unset(bool),
    /// (-> 0|1)
    Exists,
}

/// One instruction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Instr {
    /// (-> literal)
    Push(u32),
    /// (v ->)
    Pop,
    /// (v -> v v)
    Dup,
    /// (a b -> b a)
    Swap,
    /// (.. v_n .. v_0 -> .. v_n .. v_0 v_n) copy the value n below the top
    Over(u32),
    /// (v_n .. v_1 top -> top) drop n values under the top
    Nip(u32),
    /// (v1..vn -> s) Tcl's `concat` of the words (trimmed, space-joined)
    ConcatWords(u32),
    /// (v1..vn -> concatenation of their strings)
    Concat(u32),
    /// (v1..vn -> list)
    List(u32),
    /// (list v -> list) append one element
    ListAppend,
    /// (list l -> list) append all elements of l (for `{*}`)
    ListConcat,
    /// (-> value) compiled local, fast path of `Var(Load, Slot)`
    LoadLocal(u32),
    /// (value -> value)
    StoreLocal(u32),
    /// (-> new value)
    IncrLocal(u32, i32),
    /// Generic variable access; `elem` means an array element whose key is
    /// on the stack just below the op's own operands (above a Stack name).
    Var { op: VarOp, addr: VarAddr, elem: bool },
    /// (w0..wn-1 -> result) invoke the command named by w0
    Invoke(u32),
    /// (list -> result) invoke with the list's elements as words
    InvokeList,
    /// (script -> result) evaluate in the current variable frame; the u32
    /// is the literal of the errorInfo annotation (`("eval" body line %d)`),
    /// or u32::MAX for none.
    EvalBody(u32),
    /// (w0..wn-1 -> result) `uplevel ?level? arg...` with the level still
    /// to be recognised.
    Uplevel(u32),
    /// (expr -> result) compile and evaluate a string as an expression.
    ExprStk,
    /// (a b -> r)
    Binary(BinOp),
    /// (a -> r)
    Unary(UnOp),
    /// (a1..an -> r) math function, literal name, n args
    MathFunc(u32, u32),
    /// (v -> v') expr's final result: numeric strings become numbers
    ToNumeric,
    /// (v -> 0|1) boolean conversion with Tcl's error
    ToBool,
    /// Jump to the absolute target.
    Jump(u32),
    /// (cond ->) jump if true
    JumpTrue(u32),
    /// (cond ->) jump if false
    JumpFalse(u32),
    /// (l1..ln -> l1..ln counter) start a foreach over aux lists.
    ForeachStart(u32),
    /// Assign the next values of foreach aux `.0` or jump to `.1` when done.
    ForeachStep(u32, u32),
    /// (lists.. counter -> ) drop foreach state of aux.
    ForeachEnd(u32),
    /// (acc lists.. counter value -> acc lists.. counter) lmap: append the
    /// body's value to the accumulator below foreach aux `.0` state.
    LmapCollect(u32),
    /// (result options code -> ) raise the completion a catch handler
    /// received (the VM pushes those three values on entering a handler).
    Rethrow,
    /// (r1 o1 c1 r2 o2 c2 -> ) raise the second completion, which happened
    /// while handling the first; an error gets `-during o1` (try).
    RethrowDuring,
    /// (options value -> ) `return` with an options dict: raise it.
    ReturnStk,
    /// (string -> arm index) switch: match against aux patterns.
    SwitchMatch(u32),
    /// (index -> ) jump through aux jump table
    JumpTable(u32),
    /// (result options code -> same) `try`: jump to the first matching
    /// handler of aux `.0`, or to its no-match target.
    TryDispatch(u32),
    /// (string -> result) `subst` with flags (bit 0 no backslashes, bit 1
    /// no variables, bit 2 no commands)
    Subst(u32),
    /// (n -> n-1) jump to target when the counter on top is <= 0
    CountDown(u32),
    /// (-> start_us) `time`: remember the start time
    TimeStart,
    /// (count start_us counter -> result string)
    TimeEnd,
    /// (-> ) raise the literal as a syntax error of this script
    SyntaxError(u32),
    /// `lsort -command`, with the sort state in the frame: push the next
    /// comparison call as a list (-> call), or the sorted result and jump
    /// to the target (-> result).
    SortStep(u32),
    /// (comparison result -> ) feed a comparison result to the sort
    SortAnswer,
    /// (dict -> flat key/value list) validating the dict
    DictPairs,
    /// (list -> dict)
    ListToDict,
    /// (acc lists.. counter k v -> acc lists.. counter) append a pair
    LmapCollectPair(u32),
    /// (name key1..keyn -> name path keys) `dict with`: set a variable per
    /// key of the dict at path in variable `name`
    DictWithStart(u32),
    /// (name path keys result options code -> result) write the variables
    /// back into the dict, then complete as the body did
    DictWithEnd,
    /// (name k1 v1..kn vn -> name pairs) `dict update`: set the variables
    DictUpdateStart(u32),
    /// (name pairs result options code -> result)
    DictUpdateEnd,
    /// (-> ) raise an arithmetic error found by constant folding: message
    /// and errorCode literals.
    RaiseArith(u32, u32),
    /// End of this code: the top of stack is its result.
    Done,
}

/// Extra operand tables referenced by instructions.
#[derive(Clone, Debug)]
pub enum Aux {
    /// foreach/lmap: per list, the variables it assigns.
    Foreach { lists: Vec<Vec<VarAddr>> },
    /// switch: patterns (literals), the mode, and -nocase.
    Switch { patterns: Vec<u32>, mode: SwitchMode, nocase: bool, match_var: Option<String>, index_var: Option<String> },
    /// Absolute jump targets.
    JumpTable(Vec<u32>),
    /// try: handlers in order, then the target when none matches.
    Try { handlers: Vec<(TryMatch, u32)>, no_match: u32 },
}

/// What a `try` handler matches.
#[derive(Clone, Debug, PartialEq)]
pub enum TryMatch {
    /// `on CODE`
    Code(i32),
    /// `trap PATTERN`: errors whose errorCode starts with the pattern list
    /// (a literal index).
    Trap(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SwitchMode {
    Exact,
    Glob,
    Regexp,
}

/// A range of instructions with a handler for exceptional completions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExceptRange {
    /// Instructions `start..end` are covered.
    pub start: u32,
    pub end: u32,
    /// Operand stack depth (above the frame base) to restore.
    pub depth: u32,
    pub kind: RangeKind,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RangeKind {
    /// break jumps to `.0`, continue to `.1`.
    Loop { break_to: u32, continue_to: u32 },
    /// Every non-OK completion jumps to the handler, which can read it with
    /// PushCode/PushResult/PushOptions.
    Catch { handler: u32 },
}

/// Where a command's instructions came from (for errorInfo and line numbers).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CmdLoc {
    /// Instructions `pc_start..pc_end` belong to this command.
    pub pc_start: u32,
    pub pc_end: u32,
    /// Byte range of the command text in `ByteCode::source`.
    pub src_start: u32,
    pub src_end: u32,
}

/// What kind of code this is (for annotations and variable access).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeKind {
    /// A script evaluated in whatever frame is current.
    Script,
    /// A proc or lambda body: compiled locals are slots of its frame.
    ProcBody,
    /// An `expr` expression.
    Expr,
    /// Made on the fly for a command invoked by a computed name; it has no
    /// source of its own and logs nothing in errorInfo.
    Synthetic,
}

/// A compiled script, proc body or expression.
#[derive(Clone, Debug)]
pub struct ByteCode {
    pub kind: CodeKind,
    /// The immutable parts are `Arc`s: copies of a code for other
    /// interpreters (`ByteCode::detached`, on every restore of an agent
    /// whose code was seen before) share them, across threads.
    pub code: Arc<[Instr]>,
    pub literals: Vec<Value>,
    pub aux: Arc<[Aux]>,
    pub ranges: Arc<[ExceptRange]>,
    pub cmds: Arc<[CmdLoc]>,
    /// Names of compiled locals (ProcBody only); args come first.
    pub locals: Vec<Rc<str>>,
    /// The source text the offsets in `cmds` refer to.
    pub source: Rc<str>,
    /// The command table epoch this was compiled against.
    pub compile_epoch: u64,
    /// Compiled for a proc frame (inlines foreach and friends).
    pub in_proc: bool,
}

impl ByteCode {
    /// The innermost command containing `pc`.
    pub fn command_at(&self, pc: u32) -> Option<&CmdLoc> {
        // Commands are recorded outer first; the innermost containing pc has
        // the smallest range.
        let mut best: Option<&CmdLoc> = None;
        for c in self.cmds.iter() {
            if c.pc_start <= pc && pc < c.pc_end {
                match best {
                    Some(b) if (b.pc_end - b.pc_start) <= (c.pc_end - c.pc_start) => {}
                    _ => best = Some(c),
                }
            }
        }
        best
    }

    /// The innermost exception range at `pc` that handles `code`.
    pub fn handler_for(&self, pc: u32, code: i32) -> Option<&ExceptRange> {
        let mut best: Option<&ExceptRange> = None;
        for r in self.ranges.iter() {
            if r.start <= pc && pc < r.end {
                let handles = match r.kind {
                    RangeKind::Loop { .. } => code == crate::error::TCL_BREAK || code == crate::error::TCL_CONTINUE,
                    RangeKind::Catch { .. } => true,
                };
                if handles {
                    match best {
                        Some(b) if (b.end - b.start) <= (r.end - r.start) => {}
                        _ => best = Some(r),
                    }
                }
            }
        }
        best
    }
}
