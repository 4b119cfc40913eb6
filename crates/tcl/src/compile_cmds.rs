//! Inline compilation of the commands that touch variables or evaluate
//! scripts. Each function either emits the command's code or says why not
//! (then the command is invoked at run time, where it is compiled again from
//! its argument values, so both paths share this code).

use crate::bytecode::{Aux, Instr, RangeKind, SwitchMode, TryMatch, VarAddr, VarOp};
use crate::compile::{CompileFail, Compiler, WordSrc};
use crate::error::{lookup_index, Exception};
use crate::value::Value;

type R = Result<(), CompileFail>;

fn wrong(words: &[WordSrc], usage: &str) -> CompileFail {
    let names: Vec<Value> = words.iter().take(1).map(|w| Value::from(w.literal().unwrap_or_default())).collect();
    CompileFail::Error(Exception::wrong_args(&names, 1, usage))
}

fn fail(msg: String) -> CompileFail {
    CompileFail::Error(Exception::error(msg))
}

pub fn compile_set(c: &mut Compiler, w: &[WordSrc]) -> R {
    match w.len() {
        2 => c.var_op(&w[1], VarOp::Load, |_| {}),
        3 => c.var_op(&w[1], VarOp::Store, |c| c.word_src(&w[2])),
        _ => return Err(wrong(w, "varName ?newValue?")),
    }
    Ok(())
}

pub fn compile_incr(c: &mut Compiler, w: &[WordSrc]) -> R {
    match w.len() {
        2 => c.var_op(&w[1], VarOp::IncrImm(1), |_| {}),
        3 => {
            let imm = w[2].literal().and_then(|s| s.trim().parse::<i32>().ok());
            match imm {
                Some(n) => c.var_op(&w[1], VarOp::IncrImm(n), |_| {}),
                None => c.var_op(&w[1], VarOp::Incr, |c| c.word_src(&w[2])),
            }
        }
        _ => return Err(wrong(w, "varName ?increment?")),
    }
    Ok(())
}

pub fn compile_append(c: &mut Compiler, w: &[WordSrc]) -> R {
    match w.len() {
        0 | 1 => return Err(wrong(w, "varName ?value ...?")),
        // `append x` reads (and creates) x.
        // `append x` only reads x (an error when it does not exist).
        2 => c.var_op(&w[1], VarOp::Load, |_| {}),
        _ => c.var_op(&w[1], VarOp::Append, |c| {
            for v in &w[2..] {
                c.word_src(v);
            }
            if w.len() > 3 {
                c.emit(Instr::Concat(w.len() as u32 - 2));
            }
        }),
    }
    Ok(())
}

pub fn compile_lappend(c: &mut Compiler, w: &[WordSrc]) -> R {
    if w.len() < 2 {
        return Err(wrong(w, "varName ?value ...?"));
    }
    let n = w.len() as u32 - 2;
    c.var_op(&w[1], VarOp::Lappend(n), |c| {
        for v in &w[2..] {
            c.word_src(v);
        }
    });
    Ok(())
}

pub fn compile_expr(c: &mut Compiler, w: &[WordSrc]) -> R {
    if w.len() < 2 {
        return Err(wrong(w, "arg ?arg ...?"));
    }
    if w.len() == 2 {
        if c.expr_word(&w[1]) {
            return Ok(());
        }
    } else {
        for (i, word) in w[1..].iter().enumerate() {
            if i > 0 {
                c.push_lit(" ");
            }
            c.word_src(word);
        }
        c.emit(Instr::Concat(2 * (w.len() as u32 - 1) - 1));
        c.emit(Instr::ExprStk);
    }
    c.emit(Instr::ToNumeric);
    Ok(())
}

pub fn compile_if(c: &mut Compiler, w: &[WordSrc]) -> R {
    let mut i = 1;
    let mut to_end = Vec::new();
    let start_depth = c.depth();
    loop {
        // Condition.
        if i >= w.len() {
            let prev = w[i - 1].literal().unwrap_or_default();
            return Err(fail(format!("wrong # args: no expression after \"{prev}\" argument")));
        }
        c.expr_word(&w[i]);
        let jf = c.emit(Instr::JumpFalse(0));
        i += 1;
        if i < w.len() && w[i].literal().as_deref() == Some("then") {
            i += 1;
        }
        if i >= w.len() {
            let prev = w[i - 1].literal().unwrap_or_default();
            return Err(fail(format!("wrong # args: no script following \"{prev}\" argument")));
        }
        c.body(&w[i], None);
        to_end.push(c.emit(Instr::Jump(0)));
        c.set_depth(start_depth);
        let next = c.pc();
        c.patch(jf, next);
        i += 1;
        if i >= w.len() {
            c.push_lit("");
            break;
        }
        match w[i].literal().as_deref() {
            Some("elseif") => {
                i += 1;
                continue;
            }
            Some("else") => {
                i += 1;
                if i >= w.len() {
                    return Err(fail("wrong # args: no script following \"else\" argument".into()));
                }
                if i + 1 != w.len() {
                    return Err(fail("wrong # args: extra words after \"else\" clause in \"if\" command".into()));
                }
                c.body(&w[i], None);
                break;
            }
            _ => {
                if i + 1 != w.len() {
                    return Err(fail("wrong # args: extra words after \"else\" clause in \"if\" command".into()));
                }
                c.body(&w[i], None);
                break;
            }
        }
    }
    let end = c.pc();
    for j in to_end {
        c.patch(j, end);
    }
    Ok(())
}

pub fn compile_while(c: &mut Compiler, w: &[WordSrc]) -> R {
    if w.len() != 3 {
        return Err(wrong(w, "test command"));
    }
    let depth = c.depth();
    let to_cond = c.emit(Instr::Jump(0));
    let body_start = c.pc();
    let range = c.begin_range(RangeKind::Loop { break_to: 0, continue_to: 0 });
    c.body(&w[2], Some("(\"while\" body line %d)"));
    c.emit(Instr::Pop);
    c.end_range(range);
    let cond = c.pc();
    c.patch(to_cond, cond);
    c.expr_word(&w[1]);
    c.emit(Instr::JumpTrue(body_start));
    let end = c.pc();
    c.set_range_kind(range, RangeKind::Loop { break_to: end, continue_to: cond });
    c.set_depth(depth);
    c.push_lit("");
    Ok(())
}

pub fn compile_for(c: &mut Compiler, w: &[WordSrc]) -> R {
    if w.len() != 5 {
        return Err(wrong(w, "start test next command"));
    }
    let depth = c.depth();
    c.body(&w[1], Some("(\"for\" initial command)"));
    c.emit(Instr::Pop);
    let to_cond = c.emit(Instr::Jump(0));
    let body_start = c.pc();
    let range = c.begin_range(RangeKind::Loop { break_to: 0, continue_to: 0 });
    c.body(&w[4], Some("(\"for\" body line %d)"));
    c.emit(Instr::Pop);
    c.end_range(range);
    let next = c.pc();
    let next_range = c.begin_range(RangeKind::Loop { break_to: 0, continue_to: 0 });
    c.body(&w[3], Some("(\"for\" loop-end command)"));
    c.emit(Instr::Pop);
    c.end_range(next_range);
    let cond = c.pc();
    c.patch(to_cond, cond);
    c.expr_word(&w[2]);
    c.emit(Instr::JumpTrue(body_start));
    let end = c.pc();
    c.set_range_kind(range, RangeKind::Loop { break_to: end, continue_to: next });
    c.set_range_kind(next_range, RangeKind::Loop { break_to: end, continue_to: end });
    c.set_depth(depth);
    c.push_lit("");
    Ok(())
}

/// What a list loop does with each body result.
#[derive(Clone, Copy, PartialEq)]
enum Collect {
    /// foreach: nothing.
    Nothing,
    /// lmap: append to a list.
    List,
    /// dict map: key variable and body result into a dict.
    Pair,
    /// dict filter script: keep the pair when the result is true.
    Filter,
}

/// Parses a literal variable list of a loop into addresses.
fn loop_vars(c: &mut Compiler, w: &WordSrc, cmd: &str) -> Result<Vec<VarAddr>, CompileFail> {
    let Some(names) = w.literal() else { return Err(CompileFail::NotHere) };
    let names = crate::list::parse_list(&names).map_err(CompileFail::Error)?;
    if names.is_empty() {
        return Err(fail(format!("{cmd} varlist is empty")));
    }
    let mut addrs = Vec::new();
    for n in names.iter() {
        let name = n.as_str();
        if crate::compile::split_array_name(&name).is_some() {
            // Elements are looked up by their full name each time.
            addrs.push(VarAddr::Name(c.literal(&name)));
        } else {
            addrs.push(c.var_addr(&name));
        }
    }
    Ok(addrs)
}

fn load_var(c: &mut Compiler, addr: VarAddr) {
    match addr {
        VarAddr::Slot(s) => c.emit(Instr::LoadLocal(s)),
        _ => c.emit(Instr::Var { op: VarOp::Load, addr, elem: false }),
    };
}

/// The loop shared by foreach, lmap, dict for/map/filter: `lists` pushes
/// the values to iterate over (one per variable list).
fn emit_list_loop(
    c: &mut Compiler,
    vars: Vec<Vec<VarAddr>>,
    lists: impl FnOnce(&mut Compiler),
    body: &WordSrc,
    ann: &str,
    collect: Collect,
) {
    let depth = c.depth();
    let key_var = vars.first().and_then(|v| v.first().copied());
    let value_var = vars.first().and_then(|v| v.get(1).copied());
    if collect != Collect::Nothing {
        c.emit(Instr::List(0));
    }
    lists(c);
    let aux = c.add_aux(Aux::Foreach { lists: vars });
    c.emit(Instr::ForeachStart(aux));
    let step = c.emit(Instr::ForeachStep(aux, 0));
    let range = c.begin_range(RangeKind::Loop { break_to: 0, continue_to: step });
    c.body(body, Some(ann));
    match (collect, key_var, value_var) {
        (Collect::Nothing, ..) => {
            c.emit(Instr::Pop);
        }
        (Collect::List, ..) => {
            c.emit(Instr::LmapCollect(aux));
        }
        (Collect::Pair, Some(k), _) => {
            load_var(c, k);
            c.emit(Instr::Swap);
            c.emit(Instr::LmapCollectPair(aux));
        }
        (Collect::Filter, Some(k), Some(v)) => {
            let skip = c.emit(Instr::JumpFalse(0));
            load_var(c, k);
            load_var(c, v);
            c.emit(Instr::LmapCollectPair(aux));
            let here = c.pc();
            c.patch(skip, here);
        }
        _ => {
            c.emit(Instr::Pop);
        }
    }
    c.emit(Instr::Jump(step));
    c.end_range(range);
    let end = c.pc();
    c.patch(step, end);
    c.emit(Instr::ForeachEnd(aux));
    let mut break_to = end;
    match collect {
        Collect::Nothing => c.push_lit(""),
        Collect::List => {}
        Collect::Filter => {
            c.emit(Instr::ListToDict);
        }
        Collect::Pair => {
            // `break` in dict map gives an empty result (as tclsh).
            c.emit(Instr::ListToDict);
            let done = c.emit(Instr::Jump(0));
            let nlists = vars_lists(c, aux);
            c.set_depth(depth + 1 + nlists + 1);
            break_to = c.pc();
            c.emit(Instr::ForeachEnd(aux));
            c.emit(Instr::Pop);
            c.push_lit("");
            let here = c.pc();
            c.patch(done, here);
        }
    }
    c.set_range_kind(range, RangeKind::Loop { break_to, continue_to: step });
    c.set_depth(depth + 1);
}

fn vars_lists(c: &mut Compiler, aux: u32) -> u32 {
    match c.aux_mut(aux) {
        Some(Aux::Foreach { lists }) => lists.len() as u32,
        _ => 0,
    }
}

/// foreach and lmap.
fn compile_loop_over_lists(c: &mut Compiler, w: &[WordSrc], collect: bool) -> R {
    if w.len() < 4 || !w.len().is_multiple_of(2) {
        return Err(wrong(w, "varList list ?varList list ...? command"));
    }
    if !c.mode.in_proc && !c.mode.direct {
        // As tclsh: only compiled inside procs; elsewhere run as a command
        // (whose body then gets its own errorInfo annotation).
        return Err(CompileFail::NotHere);
    }
    let cmd = if collect { "lmap" } else { "foreach" };
    let mut vars = Vec::new();
    for pair in w[1..w.len() - 1].chunks(2) {
        vars.push(loop_vars(c, &pair[0], cmd)?);
    }
    let ann = if collect { "(\"lmap\" body line %d)" } else { "(\"foreach\" body line %d)" };
    let lists = |c: &mut Compiler| {
        for pair in w[1..w.len() - 1].chunks(2) {
            c.word_src(&pair[1]);
        }
    };
    emit_list_loop(c, vars, lists, &w[w.len() - 1], ann, if collect { Collect::List } else { Collect::Nothing });
    Ok(())
}

/// The script-running `dict` subcommands; others are invoked.
pub fn compile_dict(c: &mut Compiler, w: &[WordSrc]) -> R {
    let Some(sub) = w.get(1).and_then(|s| s.literal()) else { return Err(CompileFail::NotHere) };
    let dwrong = |usage: &str| {
        let names = [Value::from("dict"), Value::from(sub.as_str())];
        CompileFail::Error(Exception::wrong_args(&names, 2, usage))
    };
    match sub.as_str() {
        "for" | "map" => {
            if w.len() != 5 {
                return Err(dwrong("{keyVarName valueVarName} dictionary script"));
            }
            if !c.mode.in_proc && !c.mode.direct {
                return Err(CompileFail::NotHere);
            }
            let vars = loop_vars(c, &w[2], "dict")?;
            if vars.len() != 2 {
                return Err(fail("must have exactly two variable names".into()));
            }
            let ann = format!("(\"dict {sub}\" body line %d)");
            let collect = if sub == "map" { Collect::Pair } else { Collect::Nothing };
            let dict = &w[3];
            emit_list_loop(
                c,
                vec![vars],
                |c| {
                    c.word_src(dict);
                    c.emit(Instr::DictPairs);
                },
                &w[4],
                &ann,
                collect,
            );
            Ok(())
        }
        "filter" => {
            if w.len() != 6
                || w[3].literal().as_deref().map(|s| !"script".starts_with(s) || s.is_empty()).unwrap_or(true)
            {
                return Err(CompileFail::NotHere);
            }
            if !c.mode.in_proc && !c.mode.direct {
                return Err(CompileFail::NotHere);
            }
            let vars = loop_vars(c, &w[4], "dict")?;
            if vars.len() != 2 {
                return Err(fail("must have exactly two variable names".into()));
            }
            let dict = &w[2];
            emit_list_loop(
                c,
                vec![vars],
                |c| {
                    c.word_src(dict);
                    c.emit(Instr::DictPairs);
                },
                &w[5],
                "(\"dict filter\" filter script line %d)",
                Collect::Filter,
            );
            Ok(())
        }
        "with" | "update" => {
            let with = sub == "with";
            if (with && w.len() < 4) || (!with && (w.len() < 6 || !w.len().is_multiple_of(2))) {
                return Err(dwrong(if with {
                    "dictVarName ?key ...? script"
                } else {
                    "dictVarName key varName ?key varName ...? script"
                }));
            }
            if !c.mode.in_proc && !c.mode.direct {
                return Err(CompileFail::NotHere);
            }
            let depth = c.depth();
            for word in &w[2..w.len() - 1] {
                c.word_src(word);
            }
            let n = w.len() as u32 - 4;
            if with {
                c.emit(Instr::DictWithStart(n));
            } else {
                c.emit(Instr::DictUpdateStart(n / 2));
            }
            let range = c.begin_range(RangeKind::Catch { handler: 0 });
            let ann = format!("(\"dict {sub}\" body line %d)");
            c.body(&w[w.len() - 1], Some(&ann));
            c.end_range(range);
            c.push_lit("-code 0 -level 0");
            c.push_lit("0");
            let handler = c.pc();
            c.set_range_kind(range, RangeKind::Catch { handler });
            c.set_depth(depth + if with { 6 } else { 5 });
            c.emit(if with { Instr::DictWithEnd } else { Instr::DictUpdateEnd });
            Ok(())
        }
        _ => Err(CompileFail::NotHere),
    }
}

pub fn compile_foreach(c: &mut Compiler, w: &[WordSrc]) -> R {
    compile_loop_over_lists(c, w, false)
}

pub fn compile_lmap(c: &mut Compiler, w: &[WordSrc]) -> R {
    compile_loop_over_lists(c, w, true)
}

/// Stores the value `over` slots below the top into the variable named by
/// `var`, leaving the stack as it was.
fn store_copy(c: &mut Compiler, var: &WordSrc, over: u32) {
    let before = c.depth();
    let (addr, elem) = c.var_target(var);
    let prefix = c.depth() - before;
    c.emit(Instr::Over(over + prefix));
    match (addr, elem) {
        (VarAddr::Slot(s), false) => c.emit(Instr::StoreLocal(s)),
        _ => c.emit(Instr::Var { op: VarOp::Store, addr, elem }),
    };
    c.emit(Instr::Pop);
}

pub fn compile_catch(c: &mut Compiler, w: &[WordSrc]) -> R {
    if w.len() < 2 || w.len() > 4 {
        return Err(wrong(w, "script ?resultVarName? ?optionVarName?"));
    }
    let depth = c.depth();
    let range = c.begin_range(RangeKind::Catch { handler: 0 });
    c.body(&w[1], None);
    c.end_range(range);
    // Normal completion: [result] -> [result options 0]
    c.push_lit("-code 0 -level 0");
    c.push_lit("0");
    let to_join = c.emit(Instr::Jump(0));
    let handler = c.pc();
    c.set_range_kind(range, RangeKind::Catch { handler });
    // The VM enters the handler with [result options code].
    let join = c.pc();
    c.patch(to_join, join);
    c.set_depth(depth + 3);
    if w.len() > 2 {
        store_copy(c, &w[2], 2);
    }
    if w.len() > 3 {
        store_copy(c, &w[3], 1);
    }
    c.emit(Instr::Nip(2));
    Ok(())
}

pub fn compile_try(c: &mut Compiler, w: &[WordSrc]) -> R {
    if w.len() < 2 {
        return Err(wrong(w, "body ?handler ...? ?finally script?"));
    }
    // Parse the handler clauses first.
    struct Clause<'a> {
        matcher: TryMatch,
        vars: Vec<Value>,
        body: &'a WordSrc<'a>,
    }
    let mut clauses = Vec::new();
    let mut finally = None;
    let mut i = 2;
    while i < w.len() {
        let Some(kw) = w[i].literal() else {
            return Err(CompileFail::NotHere);
        };
        match kw.as_str() {
            "on" | "trap" => {
                if i + 3 >= w.len() {
                    return Err(fail(format!(
                        "wrong # args to {kw} clause: must be \"... {kw} {} variableList script\"",
                        if kw == "on" { "code" } else { "pattern" }
                    )));
                }
                let Some(arg) = w[i + 1].literal() else {
                    return Err(CompileFail::NotHere);
                };
                let matcher = if kw == "on" {
                    match parse_code(&arg) {
                        Some(code) => TryMatch::Code(code),
                        None => {
                            return Err(fail(format!(
                            "bad completion code \"{arg}\": must be ok, error, return, break, continue, or an integer"
                        )))
                        }
                    }
                } else {
                    if let Err(e) = crate::list::parse_list(&arg) {
                        return Err(CompileFail::Error(e));
                    }
                    TryMatch::Trap(c.literal(&arg))
                };
                let Some(vars) = w[i + 2].literal() else {
                    return Err(CompileFail::NotHere);
                };
                let vars = match crate::list::parse_list(&vars) {
                    Ok(v) => v,
                    Err(e) => return Err(CompileFail::Error(e)),
                };
                clauses.push(Clause { matcher, vars, body: &w[i + 3] });
                i += 4;
            }
            "finally" => {
                if i + 2 != w.len() {
                    if i + 1 >= w.len() {
                        return Err(fail("wrong # args to finally clause: must be \"... finally script\"".into()));
                    }
                    return Err(fail("finally clause must be last".into()));
                }
                finally = Some(&w[i + 1]);
                i += 2;
            }
            other => {
                return Err(fail(format!("bad handler type \"{other}\": must be finally, on, or trap")));
            }
        }
    }
    if let Some(last) = clauses.last() {
        if last.body.literal().as_deref() == Some("-") {
            return Err(fail("last non-finally clause must not have a body of \"-\"".into()));
        }
    }
    let depth = c.depth();
    let outer = finally.map(|_| c.begin_range(RangeKind::Catch { handler: 0 }));
    let range = c.begin_range(RangeKind::Catch { handler: 0 });
    c.body(&w[1], Some("(\"try\" body line %d)"));
    c.end_range(range);
    c.push_lit("-code 0 -level 0");
    c.push_lit("0");
    let handler = c.pc();
    c.set_range_kind(range, RangeKind::Catch { handler });
    c.set_depth(depth + 3);
    let mut ends = Vec::new();
    let aux = c.add_aux(Aux::Try { handlers: Vec::new(), no_match: 0 });
    c.emit(Instr::TryDispatch(aux));
    let no_match = c.pc();
    c.emit(Instr::Rethrow);
    let mut targets = Vec::new();
    let mut pending_fallthrough: Vec<u32> = Vec::new();
    for cl in &clauses {
        c.set_depth(depth + 3);
        let target = c.pc();
        targets.push(target);
        for j in pending_fallthrough.drain(..) {
            c.patch(j, target);
        }
        if cl.body.literal().as_deref() == Some("-") {
            pending_fallthrough.push(c.emit(Instr::Jump(0)));
            continue;
        }
        if let Some(v) = cl.vars.first() {
            store_copy(c, &WordSrc::Value(v.clone()), 2);
        }
        if let Some(v) = cl.vars.get(1) {
            store_copy(c, &WordSrc::Value(v.clone()), 1);
        }
        // The handler runs with the caught completion kept below, so an
        // error in it can carry the original as `-during`.
        let guard = c.begin_range(RangeKind::Catch { handler: 0 });
        c.body(cl.body, None);
        c.end_range(guard);
        c.emit(Instr::Nip(3));
        ends.push(c.emit(Instr::Jump(0)));
        let during = c.pc();
        c.set_range_kind(guard, RangeKind::Catch { handler: during });
        c.set_depth(depth + 6);
        c.emit(Instr::RethrowDuring);
    }
    let handlers: Vec<(TryMatch, u32)> = clauses.iter().map(|cl| cl.matcher.clone()).zip(targets).collect();
    // OK completions that no `on ok` handles just yield the result.
    let ok_path = c.pc();
    c.set_depth(depth + 3);
    c.emit(Instr::Pop);
    c.emit(Instr::Pop);
    let after = c.pc();
    for j in ends {
        c.patch(j, after);
    }
    let mut handlers = handlers;
    handlers.push((TryMatch::Code(0), ok_path));
    if let Some(Aux::Try { handlers: h, no_match: n }) = c.aux_mut(aux) {
        *h = handlers;
        *n = no_match;
    }
    c.set_depth(depth + 1);
    finish_finally(c, depth, outer, finally);
    Ok(())
}

/// After the try/handlers with [result] on the stack: run `finally`.
fn finish_finally(c: &mut Compiler, depth: u32, outer: Option<usize>, finally: Option<&WordSrc>) {
    let (Some(outer), Some(fin)) = (outer, finally) else {
        return;
    };
    c.end_range(outer);
    c.body(fin, None);
    c.emit(Instr::Pop);
    let to_end = c.emit(Instr::Jump(0));
    let handler = c.pc();
    c.set_range_kind(outer, RangeKind::Catch { handler });
    c.set_depth(depth + 3);
    let guard = c.begin_range(RangeKind::Catch { handler: 0 });
    c.body(fin, None);
    c.emit(Instr::Pop);
    c.end_range(guard);
    c.emit(Instr::Rethrow);
    let during = c.pc();
    c.set_range_kind(guard, RangeKind::Catch { handler: during });
    c.set_depth(depth + 6);
    c.emit(Instr::RethrowDuring);
    let end = c.pc();
    c.patch(to_end, end);
    c.set_depth(depth + 1);
}

fn parse_code(s: &str) -> Option<i32> {
    match s {
        "ok" => Some(0),
        "error" => Some(1),
        "return" => Some(2),
        "break" => Some(3),
        "continue" => Some(4),
        _ => s.parse().ok(),
    }
}

pub fn compile_eval(c: &mut Compiler, w: &[WordSrc]) -> R {
    if w.len() < 2 {
        return Err(wrong(w, "arg ?arg ...?"));
    }
    if w.len() == 2 {
        c.word_src(&w[1]);
    } else {
        for word in &w[1..] {
            c.word_src(word);
        }
        c.emit(Instr::ConcatWords(w.len() as u32 - 1));
    }
    let ann = c.literal("(\"eval\" body line %d)");
    c.emit(Instr::EvalBody(ann));
    Ok(())
}

pub fn compile_uplevel(c: &mut Compiler, w: &[WordSrc]) -> R {
    if w.len() < 2 {
        return Err(wrong(w, "?level? command ?arg ...?"));
    }
    for word in &w[1..] {
        c.word_src(word);
    }
    c.emit(Instr::Uplevel(w.len() as u32 - 1));
    Ok(())
}

pub fn compile_subst(c: &mut Compiler, w: &[WordSrc]) -> R {
    if w.len() < 2 {
        return Err(wrong(w, "?-nobackslashes? ?-nocommands? ?-novariables? string"));
    }
    let mut flags = 0;
    for opt in &w[1..w.len() - 1] {
        let Some(o) = opt.literal() else {
            return Err(CompileFail::NotHere);
        };
        match lookup_index("option", &o, &["-nobackslashes", "-nocommands", "-novariables"]) {
            Ok(0) => flags |= 1,
            Ok(1) => flags |= 4,
            Ok(_) => flags |= 2,
            Err(e) => return Err(CompileFail::Error(e)),
        }
    }
    let last = &w[w.len() - 1];
    if let WordSrc::Parsed(word) = last {
        let text = word.literal();
        let (start, end) = (word.start + 1, word.end.saturating_sub(1));
        if word.braced && text.is_some() && c.source().get(start..end) == text.as_deref() {
            let src = c.source();
            if let Ok(parts) =
                crate::parser::parse_subst_range(&src, start, end, flags & 1 == 0, flags & 2 == 0, flags & 4 == 0)
            {
                c.subst_parts(&parts);
                return Ok(());
            }
        }
    }
    c.word_src(last);
    c.emit(Instr::Subst(flags));
    Ok(())
}

pub fn compile_time(c: &mut Compiler, w: &[WordSrc]) -> R {
    if w.len() != 2 && w.len() != 3 {
        return Err(wrong(w, "command ?count?"));
    }
    if w.len() == 3 {
        c.word_src(&w[2]);
    } else {
        c.push_lit("1");
    }
    let depth = c.depth();
    c.emit(Instr::TimeStart);
    c.emit(Instr::Over(1));
    let top = c.emit(Instr::CountDown(0));
    c.body(&w[1], None);
    c.emit(Instr::Pop);
    c.emit(Instr::Jump(top));
    let end = c.pc();
    c.patch(top, end);
    c.set_depth(depth + 2);
    c.emit(Instr::TimeEnd);
    Ok(())
}

pub fn compile_switch(c: &mut Compiler, w: &[WordSrc]) -> R {
    let mut i = 1;
    let mut mode: Option<(SwitchMode, &str)> = None;
    let mut nocase = false;
    let mut match_var = None;
    let mut index_var = None;
    while i < w.len() {
        let Some(opt) = w[i].literal() else { break };
        if !opt.starts_with('-') {
            break;
        }
        let table = ["-exact", "-glob", "-indexvar", "-matchvar", "-nocase", "-regexp", "--"];
        let k = match lookup_index("option", &opt, &table) {
            Ok(k) => k,
            Err(e) => return Err(CompileFail::Error(e)),
        };
        let new_mode = match k {
            0 => Some(SwitchMode::Exact),
            1 => Some(SwitchMode::Glob),
            5 => Some(SwitchMode::Regexp),
            _ => None,
        };
        if let Some(m) = new_mode {
            if let Some((_, prev)) = mode {
                return Err(fail(format!("bad option \"{}\": {prev} option already found", table[k])));
            }
            mode = Some((m, table[k]));
        }
        match k {
            2 | 3 => {
                i += 1;
                let Some(name) = w.get(i).and_then(|v| v.literal()) else {
                    if i >= w.len() {
                        return Err(fail(format!("missing variable name argument to {} option", table[k])));
                    }
                    return Err(CompileFail::NotHere);
                };
                if k == 2 {
                    index_var = Some(name);
                } else {
                    match_var = Some(name);
                }
            }
            4 => nocase = true,
            6 => {
                i += 1;
                break;
            }
            _ => {}
        }
        i += 1;
    }
    let mode = mode.map(|(m, _)| m).unwrap_or(SwitchMode::Exact);
    if mode != SwitchMode::Regexp {
        if match_var.is_some() {
            return Err(fail("-matchvar option requires -regexp option".into()));
        }
        if index_var.is_some() {
            return Err(fail("-indexvar option requires -regexp option".into()));
        }
    }
    if w.len() - i < 2 {
        return Err(wrong(w, "?-option ...? string ?pattern body ...? ?default body?"));
    }
    let subject = &w[i];
    i += 1;
    // Pattern/body pairs: separate words, or one list word.
    let pairs: Vec<(Value, PairBody)> = if w.len() - i == 1 {
        let Some(text) = w[i].literal() else { return Err(CompileFail::NotHere) };
        let spans = match crate::list::element_spans(&text) {
            Ok(v) => v,
            Err(e) => return Err(CompileFail::Error(e)),
        };
        if spans.len() % 2 != 0 {
            return Err(fail("extra switch pattern with no body".into()));
        }
        // Where the list's text sits in the source, if it is there verbatim.
        let base = match &w[i] {
            WordSrc::Parsed(word)
                if word.braced && c.source().get(word.start + 1..word.end - 1) == Some(text.as_str()) =>
            {
                Some(word.start + 1)
            }
            _ => None,
        };
        spans
            .chunks(2)
            .map(|p| {
                let body = match (base, p[1].3) {
                    (Some(b), true) => PairBody::Source(Value::from(p[1].0.as_str()), b + p[1].1, b + p[1].2),
                    _ => PairBody::Value(Value::from(p[1].0.as_str())),
                };
                (Value::from(p[0].0.as_str()), body)
            })
            .collect()
    } else {
        if !(w.len() - i).is_multiple_of(2) {
            return Err(fail("extra switch pattern with no body".into()));
        }
        let mut v = Vec::new();
        for p in w[i..].chunks(2) {
            let Some(pat) = p[0].literal() else { return Err(CompileFail::NotHere) };
            v.push((Value::from(pat), PairBody::Word(&p[1])));
        }
        v
    };
    if let Some((pat, body)) = pairs.last() {
        if body.is_fallthrough() {
            return Err(fail(format!("no body specified for pattern \"{}\"", pat.as_str())));
        }
    }
    let depth = c.depth();
    c.word_src(subject);
    let mut patterns = Vec::new();
    for (k, (p, _)) in pairs.iter().enumerate() {
        // `default` as the last pattern matches anything.
        if k == pairs.len() - 1 && p.as_str() == "default" {
            patterns.push(u32::MAX);
        } else {
            patterns.push(c.literal_value(p.clone()));
        }
    }
    let aux = c.add_aux(Aux::Switch { patterns, mode, nocase, match_var, index_var });
    c.emit(Instr::SwitchMatch(aux));
    let table = c.add_aux(Aux::JumpTable(Vec::new()));
    c.emit(Instr::JumpTable(table));
    // No match: empty result.
    let mut targets = Vec::new();
    let no_match = c.pc();
    c.set_depth(depth);
    c.push_lit("");
    let mut ends = vec![c.emit(Instr::Jump(0))];
    let mut pending: Vec<usize> = Vec::new();
    for (k, (pat, body)) in pairs.iter().enumerate() {
        if body.is_fallthrough() {
            pending.push(k);
            targets.push(0);
            continue;
        }
        c.set_depth(depth);
        let target = c.pc();
        targets.push(target);
        for p in pending.drain(..) {
            targets[p] = target;
        }
        let ann = format!("(\"{}\" arm line %d)", pat.as_str().replace('%', "%%"));
        match body {
            PairBody::Word(word) => c.body(word, Some(&ann)),
            PairBody::Source(_, start, end) if !c.mode.direct => c.script_range(*start, *end, false),
            PairBody::Value(v) | PairBody::Source(v, ..) => {
                let l = c.literal_value(v.clone());
                c.emit(Instr::Push(l));
                let a = c.literal(&ann);
                c.emit(Instr::EvalBody(a));
            }
        }
        ends.push(c.emit(Instr::Jump(0)));
    }
    targets.push(no_match);
    if let Some(Aux::JumpTable(t)) = c.aux_mut(table) {
        *t = targets;
    }
    let end = c.pc();
    for j in ends {
        c.patch(j, end);
    }
    c.set_depth(depth + 1);
    Ok(())
}

enum PairBody<'a> {
    Word(&'a WordSrc<'a>),
    Value(Value),
    /// A braced body found verbatim at this byte range of the source.
    Source(Value, usize, usize),
}

impl PairBody<'_> {
    fn is_fallthrough(&self) -> bool {
        match self {
            PairBody::Word(w) => w.literal().as_deref() == Some("-"),
            PairBody::Value(v) | PairBody::Source(v, ..) => v.as_str() == "-",
        }
    }
}

/// `return ?value?` straight out of a proc body ends the frame; anything
/// else goes through the `return` command and exception unwinding.
pub fn compile_return(c: &mut Compiler, w: &[WordSrc]) -> R {
    if w.len() > 2 || !c.return_is_frame_exit() {
        return Err(CompileFail::NotHere);
    }
    match w.get(1) {
        Some(v) => c.word_src(v),
        None => c.push_lit(""),
    }
    c.emit(Instr::Done);
    Ok(())
}
