//! Validation of restored state: bytecode (`verify`), variable frames,
//! code frames and their cross-references. Everything here returns a
//! message naming what is wrong; `restore` wraps it in `SnapshotError`.

use super::*;

// ===========================================================================
// Validation
// ===========================================================================

fn kind_name(k: CodeKind) -> &'static str {
    match k {
        CodeKind::Script => "script",
        CodeKind::ProcBody => "proc body",
        CodeKind::Expr => "expression",
        CodeKind::Synthetic => "synthetic",
    }
}

/// Checks one bytecode on its own: it ends with `Done`, and every literal,
/// aux, slot index, jump target, exception range and command location is
/// in range (slots only in proc bodies; aux entries of the kind their
/// instruction needs; source offsets on character boundaries).
pub fn verify(code: &ByteCode) -> Result<(), SnapshotError> {
    verify_code(code).map_err(SnapshotError::Invalid)
}

fn verify_code(c: &ByteCode) -> Result<(), String> {
    let n = c.code.len();
    if n == 0 || c.code[n - 1] != Instr::Done {
        return Err("bytecode does not end with Done".into());
    }
    if n > u32::MAX as usize {
        return Err("bytecode too long".into());
    }
    let proc_body = c.kind == CodeKind::ProcBody;
    if !proc_body && !c.locals.is_empty() {
        return Err(format!("{} code has {} compiled locals", kind_name(c.kind), c.locals.len()));
    }
    let mut seen = HashSet::with_capacity(c.locals.len());
    for l in &c.locals {
        if !seen.insert(&**l) {
            return Err(format!("compiled local \"{l}\" appears twice"));
        }
    }
    let nlit = c.literals.len();
    let nloc = c.locals.len();
    let lit = |l: u32, what: &str| -> Result<(), String> {
        if (l as usize) < nlit {
            Ok(())
        } else {
            Err(format!("{what} {l} out of range ({nlit} literals)"))
        }
    };
    let slot = |s: u32| -> Result<(), String> {
        if !proc_body {
            Err(format!("slot {s} addressed in {} code (only proc bodies have slots)", kind_name(c.kind)))
        } else if (s as usize) < nloc {
            Ok(())
        } else {
            Err(format!("slot {s} out of range ({nloc} locals)"))
        }
    };
    let target = |t: u32, what: &str| -> Result<(), String> {
        if (t as usize) < n {
            Ok(())
        } else {
            Err(format!("{what} {t} out of range ({n} instructions)"))
        }
    };
    let addr = |a: &VarAddr| -> Result<(), String> {
        match *a {
            VarAddr::Slot(s) => slot(s),
            VarAddr::Name(l) => lit(l, "variable name literal"),
            VarAddr::Stack => Ok(()),
        }
    };
    let aux = |a: u32, want: &str| -> Result<&Aux, String> {
        let Some(x) = c.aux.get(a as usize) else {
            return Err(format!("aux {a} out of range ({} aux entries)", c.aux.len()));
        };
        let ok = matches!(
            (x, want),
            (Aux::Foreach { .. }, "foreach")
                | (Aux::Switch { .. }, "switch")
                | (Aux::JumpTable(_), "jump table")
                | (Aux::Try { .. }, "try")
        );
        if ok {
            Ok(x)
        } else {
            Err(format!("aux {a} is not a {want} table"))
        }
    };

    for (pc, ins) in c.code.iter().enumerate() {
        use Instr::*;
        let r: Result<(), String> = match *ins {
            Push(l) => lit(l, "literal"),
            SyntaxError(l) => lit(l, "message literal"),
            RaiseArith(m, e) => lit(m, "message literal").and_then(|_| lit(e, "error code literal")),
            EvalBody(l) => {
                if l == u32::MAX {
                    Ok(())
                } else {
                    lit(l, "annotation literal")
                }
            }
            MathFunc(l, _) => lit(l, "function name literal"),
            LoadLocal(s) | StoreLocal(s) | IncrLocal(s, _) => slot(s),
            Var { addr: a, .. } => addr(&a),
            Jump(t) | JumpTrue(t) | JumpFalse(t) | CountDown(t) | SortStep(t) => target(t, "jump target"),
            ForeachStart(a) | ForeachEnd(a) | LmapCollect(a) | LmapCollectPair(a) => aux(a, "foreach").map(|_| ()),
            ForeachStep(a, t) => aux(a, "foreach").and_then(|_| target(t, "loop exit")),
            SwitchMatch(a) => aux(a, "switch").map(|_| ()),
            JumpTable(a) => aux(a, "jump table").map(|_| ()),
            TryDispatch(a) => aux(a, "try").map(|_| ()),
            Subst(f) => {
                if f < 8 {
                    Ok(())
                } else {
                    Err(format!("subst flags {f} out of range"))
                }
            }
            _ => Ok(()),
        };
        r.map_err(|e| format!("instruction {pc} {ins:?}: {e}"))?;
    }

    for (i, a) in c.aux.iter().enumerate() {
        let r: Result<(), String> = match a {
            Aux::Foreach { lists } => {
                if lists.is_empty() {
                    Err("foreach without lists".into())
                } else {
                    lists.iter().try_for_each(|vars| {
                        if vars.is_empty() {
                            return Err("empty foreach variable list".to_string());
                        }
                        vars.iter().try_for_each(|v| {
                            if *v == VarAddr::Stack {
                                Err("foreach variable addressed by the stack".to_string())
                            } else {
                                addr(v)
                            }
                        })
                    })
                }
            }
            Aux::Switch { patterns, .. } => {
                patterns.iter().try_for_each(|&p| if p == u32::MAX { Ok(()) } else { lit(p, "pattern literal") })
            }
            Aux::JumpTable(t) => t.iter().try_for_each(|&x| target(x, "jump table target")),
            Aux::Try { handlers, no_match } => handlers
                .iter()
                .try_for_each(|(m, t)| {
                    if let TryMatch::Trap(l) = m {
                        lit(*l, "trap pattern literal")?;
                    }
                    target(*t, "handler target")
                })
                .and_then(|_| target(*no_match, "no-match target")),
        };
        r.map_err(|e| format!("aux {i}: {e}"))?;
    }

    for (i, r) in c.ranges.iter().enumerate() {
        let res: Result<(), String> = if r.start > r.end || r.end as usize > n {
            Err(format!("bad bounds {}..{} ({n} instructions)", r.start, r.end))
        } else {
            match r.kind {
                RangeKind::Loop { break_to, continue_to } => {
                    target(break_to, "break target").and_then(|_| target(continue_to, "continue target"))
                }
                RangeKind::Catch { handler } => target(handler, "handler target"),
            }
        };
        res.map_err(|e| format!("exception range {i}: {e}"))?;
    }

    let src = &*c.source;
    for (i, l) in c.cmds.iter().enumerate() {
        if l.pc_start > l.pc_end || l.pc_end as usize > n {
            return Err(format!(
                "command location {i}: bad instruction range {}..{} ({n} instructions)",
                l.pc_start, l.pc_end
            ));
        }
        let (s, e) = (l.src_start as usize, l.src_end as usize);
        if s > e || e > src.len() || !src.is_char_boundary(s) || !src.is_char_boundary(e) {
            return Err(format!("command location {i}: bad source range {s}..{e} (source of {} bytes)", src.len()));
        }
    }
    Ok(())
}

/// Instructions after which a frame may be waiting for the frame above it.
fn starts_frame(i: &Instr) -> bool {
    matches!(
        i,
        Instr::Invoke(_)
            | Instr::InvokeList
            | Instr::EvalBody(_)
            | Instr::Uplevel(_)
            | Instr::ExprStk
            | Instr::Subst(_)
    )
}

/// Cross-checks the restored state as a whole.
pub(super) fn check_state(interp: &Interp) -> Res<()> {
    let vframes = &interp.vars.frames;
    let nv = vframes.len();

    // Variable frames.
    for (fi, f) in vframes.iter().enumerate() {
        let ctx = |m: String| SnapshotError::Invalid(format!("variable frame {fi}: {m}"));
        if fi == 0 {
            if f.code.is_some() || f.level != 0 || f.caller != 0 {
                return Err(ctx("the global frame has a proc body, a level or a caller".into()));
            }
        } else {
            let Some(code) = &f.code else {
                return Err(ctx("has no proc body".into()));
            };
            if code.kind != CodeKind::ProcBody {
                return Err(ctx(format!("its code is a {}", kind_name(code.kind))));
            }
            if f.vars.len() < code.locals.len() {
                return Err(ctx(format!("{} variables for {} compiled locals", f.vars.len(), code.locals.len())));
            }
            if f.caller as usize >= fi {
                return Err(ctx(format!("caller {} is not an older frame", f.caller)));
            }
            let expected = vframes[f.caller as usize].level as u64 + 1;
            if f.level as u64 != expected {
                return Err(ctx(format!("level {} but its caller is at level {}", f.level, expected - 1)));
            }
        }
        if let Some(code) = &f.code {
            let locals: HashSet<&str> = code.locals.iter().map(|l| &**l).collect();
            for (name, &i) in &f.dynamic {
                if (i as usize) < code.locals.len() {
                    return Err(ctx(format!("variable \"{name}\" has the index {i} of a compiled local")));
                }
                if locals.contains(&**name) {
                    return Err(ctx(format!("variable \"{name}\" shadows a compiled local")));
                }
            }
        }
        for (vi, v) in f.vars.iter().enumerate() {
            if let Var::Link(l) = v {
                if l.frame as usize > fi {
                    return Err(ctx(format!("variable {vi} links to the newer frame {}", l.frame)));
                }
                let target_len = vframes[l.frame as usize].vars.len();
                if l.index as usize >= target_len {
                    return Err(ctx(format!(
                        "variable {vi} links to variable {} of frame {} which has {target_len}",
                        l.index, l.frame
                    )));
                }
            }
        }
    }
    // Link cycles (links only go to the same or older frames, so a cycle
    // stays within one frame).
    for (fi, f) in vframes.iter().enumerate() {
        let mut state = vec![0u8; f.vars.len()];
        let mut path = Vec::new();
        for start in 0..f.vars.len() {
            let mut cur = start;
            path.clear();
            loop {
                match state[cur] {
                    1 => return invalid(format!("variable frame {fi}: variable {cur} is linked to itself")),
                    2 => break,
                    _ => {}
                }
                state[cur] = 1;
                path.push(cur);
                match &f.vars[cur] {
                    Var::Link(l) if l.frame as usize == fi => cur = l.index as usize,
                    _ => break,
                }
            }
            for &p in &path {
                state[p] = 2;
            }
        }
    }

    // Code frames.
    let frames = &interp.frames;
    let mut owners = 0usize;
    let mut counting = 0usize;
    let mut prev_base = 0u32;
    for (i, f) in frames.iter().enumerate() {
        let ctx = |m: String| SnapshotError::Invalid(format!("code frame {i}: {m}"));
        let len = f.code.code.len();
        if f.pc as usize > len {
            return Err(ctx(format!("pc {} beyond its {len} instructions", f.pc)));
        }
        if i + 1 < frames.len() {
            let waiting = f.pc >= 1 && starts_frame(&f.code.code[f.pc as usize - 1]);
            if !waiting {
                return Err(ctx(format!("pc {} does not follow an instruction that starts a frame", f.pc)));
            }
        }
        if f.base < prev_base {
            return Err(ctx(format!("base {} below the base {prev_base} of the frame under it", f.base)));
        }
        prev_base = f.base;
        if f.kind.counts_as_level() {
            counting += 1;
        }
        let want = match f.kind {
            FrameKind::Top { .. } => CodeKind::Script,
            FrameKind::Proc { .. } | FrameKind::Lambda { .. } => CodeKind::ProcBody,
            FrameKind::Body { .. } => CodeKind::Script,
            FrameKind::Expr => CodeKind::Expr,
            FrameKind::Synthetic => CodeKind::Synthetic,
        };
        if f.code.kind != want {
            return Err(ctx(format!(
                "runs {} code where {} code is expected",
                kind_name(f.code.kind),
                kind_name(want)
            )));
        }
        let is_top = matches!(f.kind, FrameKind::Top { .. });
        if is_top != (i == 0) {
            return Err(ctx("only the first frame is the top level, and it must be".into()));
        }
        match f.kind {
            FrameKind::Proc { .. } | FrameKind::Lambda { .. } => {
                owners += 1;
                if f.var_frame as usize != owners {
                    return Err(ctx(format!("owns variable frame {} where {owners} is expected", f.var_frame)));
                }
                let Some(vf) = vframes.get(owners) else {
                    return Err(ctx(format!("variable frame {owners} does not exist")));
                };
                if !vf.code.as_ref().is_some_and(|c| Rc::ptr_eq(c, &f.code)) {
                    return Err(ctx(format!("runs other code than its variable frame {owners}")));
                }
                // `i > 0` since only frame 0 is the top level.
                let below = frames[i - 1].var_frame;
                if vf.caller != below {
                    return Err(ctx(format!(
                        "variable frame {owners} was called from frame {} but the caller runs in {below}",
                        vf.caller
                    )));
                }
            }
            _ => {
                if f.var_frame as usize > owners {
                    return Err(ctx(format!(
                        "runs in variable frame {} which is not yet created ({} exist below it)",
                        f.var_frame,
                        owners + 1
                    )));
                }
            }
        }
    }
    if owners + 1 != nv {
        return invalid(format!("{nv} variable frames for {owners} proc and lambda frames"));
    }
    if counting != interp.nesting {
        return invalid(format!("nesting {} but {counting} frames count as levels", interp.nesting));
    }
    if prev_base as usize > interp.stack.len() {
        return invalid(format!("frame base {prev_base} above the operand stack of {} values", interp.stack.len()));
    }
    if interp.pending.is_some() && interp.raise_pending.is_some() {
        return invalid("both a host request and an error are pending");
    }
    if interp.pending.is_some() && frames.is_empty() {
        return invalid("a host request is pending but nothing runs");
    }
    Ok(())
}
