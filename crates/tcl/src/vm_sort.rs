//! `lsort -command` without recursion: the merge sort is a state machine
//! kept in a synthetic code frame, whose bytecode loops "next comparison,
//! invoke the command, feed the answer back" until the sort is done.

use std::rc::Rc;
use std::sync::Arc;

use crate::bytecode::{ByteCode, CodeKind, Instr};
use crate::cmds::list::{
    lsort_command_order, lsort_parse_options, lsort_prepare, LsortJob, MergeSorter, SortMode, SortStep,
};
use crate::error::Exception;
use crate::interp::{FrameKind, Interp};
use crate::value::Value;

/// A sort in progress. What a snapshot keeps is `args` (the lsort words),
/// the comparison results so far and whether a comparison is pending: the
/// sort is deterministic, so `rebuild` replays those answers to get back the
/// same sorter without running any script.
#[derive(Clone, Debug)]
pub struct SortState {
    pub args: Vec<Value>,
    /// Every comparison result fed to the sorter, in order.
    pub answers: Vec<i32>,
    /// A comparison has been asked for and not answered yet.
    pub pending: bool,
    sorter: MergeSorter,
    job: Rc<LsortJob>,
}

impl SortState {
    /// A state for `args` (which must parse as an `lsort -command` call).
    pub fn new(args: Vec<Value>) -> Result<SortState, Exception> {
        let job = lsort_prepare(lsort_parse_options(&args)?)?;
        let sorter = MergeSorter::new(job.len(), job.options.unique);
        Ok(SortState { args, answers: Vec::new(), pending: false, sorter, job: Rc::new(job) })
    }

    /// The state after `answers` (and a pending comparison, if `pending`),
    /// as recorded in a snapshot; an error when they do not fit the sort.
    pub fn rebuild(args: Vec<Value>, answers: Vec<i32>, pending: bool) -> Result<SortState, Exception> {
        let mut state = SortState::new(args)?;
        let bad = || Exception::error("bad lsort state: more answers than comparisons");
        for &a in &answers {
            match state.sorter.step() {
                SortStep::Compare(..) => state.sorter.answer(a),
                SortStep::Done(_) => return Err(bad()),
            }
        }
        if pending && !matches!(state.sorter.step(), SortStep::Compare(..)) {
            return Err(bad());
        }
        state.answers = answers;
        state.pending = pending;
        Ok(state)
    }
}

/// The loop run by a sort frame.
fn sort_code() -> ByteCode {
    ByteCode {
        kind: CodeKind::Synthetic,
        code: vec![Instr::SortStep(4), Instr::InvokeList, Instr::SortAnswer, Instr::Jump(0), Instr::Done].into(),
        literals: Vec::new(),
        aux: Arc::from([]),
        ranges: Arc::from([]),
        cmds: Arc::from([]),
        locals: Vec::new(),
        source: Rc::from(""),
        compile_epoch: 0,
        in_proc: false,
    }
}

impl Interp {
    /// Starts `lsort -command` as a frame (called by the `lsort` command).
    pub(crate) fn start_command_sort(&mut self, args: &[Value]) -> Result<(), Exception> {
        let state = SortState::new(args.to_vec())?;
        let vf = self.current_vf();
        self.push_frame(Rc::new(sort_code()), vf, FrameKind::Synthetic)?;
        if let Some(f) = self.frames.last_mut() {
            f.sort = Some(Box::new(state));
        }
        Ok(())
    }

    /// Pushes the next comparison call (true) or the result (false).
    pub(crate) fn sort_step(&mut self) -> Result<bool, Exception> {
        let Some(state) = self.frames.last_mut().and_then(|f| f.sort.as_mut()) else {
            return Err(Exception::error("bytecode error: no sort in progress"));
        };
        match state.sorter.step() {
            SortStep::Compare(a, b) => {
                let SortMode::Command(cmd) = &state.job.options.mode else {
                    return Err(Exception::error("bytecode error: not a command sort"));
                };
                let mut call = cmd.as_list()?.to_vec();
                let (ka, kb) = state.job.command_keys(a, b);
                call.push(ka);
                call.push(kb);
                state.pending = true;
                self.stack.push(Value::list(call));
                Ok(true)
            }
            SortStep::Done(order) => {
                let result = state.job.finish(&order);
                self.stack.push(result);
                Ok(false)
            }
        }
    }

    /// Feeds the comparison command's result to the sort.
    pub(crate) fn sort_answer(&mut self) -> Result<(), Exception> {
        let result = self.stack.pop().unwrap_or_default();
        let order = lsort_command_order(&result)?;
        let Some(state) = self.frames.last_mut().and_then(|f| f.sort.as_mut()) else {
            return Err(Exception::error("bytecode error: no sort in progress"));
        };
        let order = state.job.directed(order);
        state.sorter.answer(order);
        state.answers.push(order);
        state.pending = false;
        Ok(())
    }
}
