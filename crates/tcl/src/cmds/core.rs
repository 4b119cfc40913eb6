//! Core commands that work on the interpreter itself: procs, return codes,
//! variables and links, introspection, arrays, output and clocks.

use std::rc::Rc;

use crate::bytecode::VarOp;
use crate::commands::{strip_global, Command, Proc};
use crate::error::{lookup_index, Exception, TCL_BREAK, TCL_CONTINUE, TCL_ERROR, TCL_OK, TCL_RETURN};
use crate::glob::string_match;
use crate::interp::Interp;
use crate::value::{DictKey, DictMap, Value};
use crate::vars::{split_name, Var};

type R = Result<Value, Exception>;

// ----- procs -------------------------------------------------------------

/// Parses a proc's argument list.
/// A proc's parameters: names with optional default values.
pub type Params = Vec<(Rc<str>, Option<Value>)>;

pub fn parse_params(spec: &Value, proc_name: &str) -> Result<Params, Exception> {
    let mut out = Vec::new();
    for a in spec.as_list()?.iter() {
        let parts = a.as_list()?;
        match parts.len() {
            0 => return Err(Exception::error("argument with no name")),
            1 | 2 => {
                let name = parts[0].as_str();
                if name.contains("::") {
                    return Err(Exception::error(format!("formal parameter \"{name}\" is not a simple name")));
                }
                if let Some((_, _)) = crate::compile::split_array_name(&name) {
                    return Err(Exception::error(format!("formal parameter \"{name}\" is an array element")));
                }
                out.push((Rc::from(&*name), parts.get(1).cloned()));
            }
            _ => return Err(Exception::error(format!("too many fields in argument specifier \"{}\"", a.as_str()))),
        }
    }
    let _ = proc_name;
    Ok(out)
}

pub fn proc_cmd(interp: &mut Interp, args: &[Value]) -> R {
    if args.len() != 4 {
        return Err(Exception::wrong_args(args, 1, "name args body"));
    }
    let name = args[1].as_str().into_owned();
    let params = parse_params(&args[2], &name)?;
    let p = Proc {
        name: Rc::from(strip_global(&name)),
        args: params,
        args_value: args[2].clone(),
        body: args[3].clone(),
        compiled: Default::default(),
    };
    interp.commands.insert(&name, Command::Proc(Rc::new(p)));
    Ok(Value::empty())
}

pub fn rename_cmd(interp: &mut Interp, args: &[Value]) -> R {
    if args.len() != 3 {
        return Err(Exception::wrong_args(args, 1, "oldName newName"));
    }
    let old = args[1].as_str();
    let new = args[2].as_str();
    if interp.commands.get(&old).is_none() {
        let verb = if new.is_empty() { "delete" } else { "rename" };
        return Err(Exception::error_code(
            format!("can't {verb} \"{old}\": command doesn't exist"),
            &["TCL", "LOOKUP", "COMMAND", &old],
        ));
    }
    if !new.is_empty() && interp.commands.get(&new).is_some() {
        return Err(Exception::error(format!("can't rename to \"{new}\": command already exists")));
    }
    let Some(cmd) = interp.commands.remove(&old) else {
        return Ok(Value::empty());
    };
    if !new.is_empty() {
        interp.commands.insert(&new, cmd);
    }
    Ok(Value::empty())
}

pub fn apply_cmd(interp: &mut Interp, args: &[Value]) -> R {
    if args.len() < 2 {
        return Err(Exception::wrong_args(args, 1, "lambdaExpr ?arg ...?"));
    }
    let lambda = args[1].clone();
    let parts = lambda.as_list().ok().filter(|p| p.len() == 2 || p.len() == 3).ok_or_else(|| {
        Exception::error_code(
            format!("can't interpret \"{}\" as a lambda expression", lambda.as_str()),
            &["TCL", "VALUE", "LAMBDA"],
        )
    })?;
    let params = parse_params(&parts[0], "lambda")?;
    let key = lambda.as_str().into_owned();
    let p = match interp.lambda_cache.get(&key) {
        Some(p) => p.clone(),
        None => {
            let p = Rc::new(Proc {
                name: Rc::from("lambda"),
                args: params,
                args_value: parts[0].clone(),
                body: parts[1].clone(),
                compiled: Default::default(),
            });
            if interp.lambda_cache.len() > 256 {
                interp.lambda_cache.clear();
            }
            interp.lambda_cache.insert(key, p.clone());
            p
        }
    };
    // `info level` shows the call as written; wrong-args messages show
    // "apply lambdaExpr ...", as tclsh.
    let objv = args.to_vec();
    let vf = interp.current_vf();
    let bind_words: Vec<Value> =
        std::iter::once(Value::from("apply lambdaExpr")).chain(args[2..].iter().cloned()).collect();
    interp.call_lambda(lambda, p, bind_words, vf)?;
    if let Some(f) = interp.vars.frames.last_mut() {
        f.objv = objv;
    }
    Ok(Value::empty())
}

// ----- completion codes -----------------------------------------------------

fn parse_completion(s: &str) -> Option<i32> {
    match s {
        "ok" => Some(TCL_OK),
        "error" => Some(TCL_ERROR),
        "return" => Some(TCL_RETURN),
        "break" => Some(TCL_BREAK),
        "continue" => Some(TCL_CONTINUE),
        _ => {
            let v = Value::from(s);
            v.as_int().ok().and_then(|i| i32::try_from(i).ok())
        }
    }
}

/// Builds the exception `return` raises from its options and value.
/// `Err` holds an error about the options themselves.
fn build_return(opts: &[(Value, Value)], value: Value) -> Result<Exception, Exception> {
    let mut code = TCL_OK;
    let mut level: i64 = 1;
    let mut error_info = None;
    let mut error_code = None;
    let mut error_line = None;
    let mut extra = Vec::new();
    let mut flat: Vec<(Value, Value)> = Vec::new();
    for (k, v) in opts {
        if k.as_str() == "-options" {
            let d = v.as_dict().map_err(|_| {
                Exception::error_code(
                    format!("bad -options value: expected dictionary but got \"{}\"", v.as_str()),
                    &["TCL", "RESULT", "ILLEGAL_OPTIONS"],
                )
            })?;
            for (dk, dv) in d.iter() {
                flat.push((dk.value().clone(), dv.clone()));
            }
        } else {
            flat.push((k.clone(), v.clone()));
        }
    }
    for (k, v) in flat {
        match &*k.as_str() {
            "-code" => {
                code = parse_completion(&v.as_str()).ok_or_else(|| {
                    Exception::error_code(
                        format!(
                            "bad completion code \"{}\": must be ok, error, return, break, continue, or an integer",
                            v.as_str()
                        ),
                        &["TCL", "RESULT", "ILLEGAL_CODE"],
                    )
                })?;
            }
            "-level" => {
                level = v.as_int().ok().filter(|l| *l >= 0).ok_or_else(|| {
                    Exception::error_code(
                        format!("bad -level value: expected non-negative integer but got \"{}\"", v.as_str()),
                        &["TCL", "RESULT", "ILLEGAL_LEVEL"],
                    )
                })?;
            }
            "-errorinfo" => error_info = Some(v.as_str().into_owned()),
            "-errorcode" => error_code = Some(v.clone()),
            "-errorline" => error_line = v.as_int().ok(),
            "-errorstack" => {}
            _ => extra.push((k.clone(), v.clone())),
        }
    }
    let mut ex = Exception::new(TCL_RETURN, value);
    ex.0.level = level as i32;
    ex.0.return_code = code;
    if code == TCL_ERROR {
        if let Some(info) = error_info {
            ex.0.error_info = info;
            ex.0.info_started = true;
            // The trace is complete: the frame raising it adds nothing.
            ex.0.skip_log = true;
        }
        ex.0.error_code = error_code.or_else(|| Some(Value::from("NONE")));
        if let Some(l) = error_line {
            ex.0.error_line = l;
        }
    }
    ex.0.extra_options = extra;
    if level == 0 {
        // Completes with `code` right here; TCL_OK means a plain result.
        ex.0.code = code;
        ex.0.return_code = TCL_OK;
    }
    Ok(ex)
}

pub fn return_cmd(_: &mut Interp, args: &[Value]) -> R {
    let rest = &args[1..];
    let (pairs, value) = if rest.len() % 2 == 1 {
        (&rest[..rest.len() - 1], rest[rest.len() - 1].clone())
    } else {
        (rest, Value::empty())
    };
    let opts: Vec<(Value, Value)> = pairs.chunks(2).map(|c| (c[0].clone(), c[1].clone())).collect();
    let ex = build_return(&opts, value)?;
    if ex.0.code == TCL_OK {
        return Ok(ex.0.value.clone());
    }
    Err(ex)
}

/// The exception described by a catch options dict and a result (for
/// `Rethrow` after `finally`, and `return -options`).
pub fn exception_from_options(result: Value, opts: &Value) -> Result<Exception, Exception> {
    let d = opts.as_dict()?;
    let pairs: Vec<(Value, Value)> = d.iter().map(|(k, v)| (k.value().clone(), v.clone())).collect();
    let ex = build_return(&pairs, result)?;
    if ex.0.code == TCL_OK {
        // An OK completion: nothing to raise; report as a plain result.
        return Err(Exception::new(TCL_OK, ex.0.value.clone()));
    }
    Ok(ex)
}

/// The options dict of a completion, as `catch` reports it.
pub fn options_dict(ex: &Exception) -> Value {
    let mut d = DictMap::default();
    let mut put = |k: &str, v: Value| {
        d.insert(DictKey::new(Value::from(k)), v);
    };
    if ex.0.code == TCL_RETURN {
        put("-code", Value::Int(ex.0.return_code as i64));
        put("-level", Value::Int(ex.0.level as i64));
    } else {
        put("-code", Value::Int(ex.0.code as i64));
        put("-level", Value::Int(0));
    }
    if ex.0.code == TCL_ERROR || ex.0.return_code == TCL_ERROR {
        put("-errorstack", Value::from("INNER {}"));
        put("-errorcode", ex.error_code_value());
        put("-errorinfo", Value::from(crate::vm::full_error_info(ex)));
        put("-errorline", Value::Int(ex.0.error_line.max(1)));
    }
    for (k, v) in &ex.0.extra_options {
        d.insert(DictKey::new(k.clone()), v.clone());
    }
    Value::dict(d)
}

pub fn error_cmd(_: &mut Interp, args: &[Value]) -> R {
    if args.len() < 2 || args.len() > 4 {
        return Err(Exception::wrong_args(args, 1, "message ?errorInfo? ?errorCode?"));
    }
    let mut ex = Exception::new(TCL_ERROR, args[1].clone());
    if let Some(info) = args.get(2) {
        if !info.is_empty_string() {
            ex.0.error_info = info.as_str().into_owned();
            ex.0.info_started = true;
            ex.0.skip_log = true;
        }
    }
    if let Some(code) = args.get(3) {
        ex.0.error_code = Some(code.clone());
    }
    Err(ex)
}

pub fn throw_cmd(_: &mut Interp, args: &[Value]) -> R {
    if args.len() != 3 {
        return Err(Exception::wrong_args(args, 1, "type message"));
    }
    if args[1].list_len()? == 0 {
        return Err(Exception::error_code(
            "type must be non-empty list",
            &["TCL", "OPERATION", "THROW", "BADEXCEPTION"],
        ));
    }
    let mut ex = Exception::new(TCL_ERROR, args[2].clone());
    ex.0.error_code = Some(args[1].clone());
    Err(ex)
}

pub fn break_cmd(_: &mut Interp, args: &[Value]) -> R {
    if args.len() != 1 {
        return Err(Exception::wrong_args(args, 1, ""));
    }
    Err(Exception::break_())
}

pub fn continue_cmd(_: &mut Interp, args: &[Value]) -> R {
    if args.len() != 1 {
        return Err(Exception::wrong_args(args, 1, ""));
    }
    Err(Exception::continue_())
}

// ----- variables -----------------------------------------------------------

pub fn unset_cmd(interp: &mut Interp, args: &[Value]) -> R {
    let mut i = 1;
    let mut nocomplain = false;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "-nocomplain" {
            nocomplain = true;
            i += 1;
        } else if a == "--" {
            i += 1;
            break;
        } else {
            break;
        }
    }
    let vf = interp.current_vf();
    for name in &args[i..] {
        let full = name.as_str();
        let (base, key) = split_name(&full);
        let r = interp.resolve_name_in(vf, base, key.map(Rc::from), false);
        interp.apply_var_op(VarOp::Unset(nocomplain), &r, &full, Vec::new())?;
    }
    Ok(Value::empty())
}

pub fn global_cmd(interp: &mut Interp, args: &[Value]) -> R {
    let vf = interp.current_vf();
    if vf == 0 {
        return Ok(Value::empty());
    }
    for name in &args[1..] {
        let full = name.as_str();
        let plain = strip_global(&full);
        let (base, key) = split_name(plain);
        let target = interp.resolve_name_in(0, base, key.map(Rc::from), true);
        let local = match plain.rfind("::") {
            Some(i) => &plain[i + 2..],
            None => plain,
        };
        interp.link_var(vf, local, target)?;
    }
    Ok(Value::empty())
}

fn looks_like_level(s: &str) -> bool {
    s.starts_with('#') || (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
}

pub fn upvar_cmd(interp: &mut Interp, args: &[Value]) -> R {
    let usage = "?level? otherVar localVar ?otherVar localVar ...?";
    if args.len() < 3 {
        return Err(Exception::wrong_args(args, 1, usage));
    }
    let vf = interp.current_vf();
    let mut i = 1;
    let first = args[1].as_str();
    let target_vf = if args.len().is_multiple_of(2) {
        // An even count means a level is given; it must be one.
        i = 2;
        if !looks_like_level(&first) {
            return Err(Exception::error_code(format!("bad level \"{first}\""), &["TCL", "LOOKUP", "LEVEL", &first]));
        }
        interp.frame_at_level(vf, &first)?
    } else {
        interp.frame_at_level(vf, "1")?
    };
    if !(args.len() - i).is_multiple_of(2) || args.len() - i == 0 {
        return Err(Exception::wrong_args(args, 1, usage));
    }
    for pair in args[i..].chunks(2) {
        let other = pair[0].as_str();
        let (base, key) = split_name(&other);
        let target = interp.resolve_name_in(target_vf, base, key.map(Rc::from), true);
        interp.link_var(vf, &pair[1].as_str(), target)?;
    }
    Ok(Value::empty())
}

pub fn lassign_cmd(interp: &mut Interp, args: &[Value]) -> R {
    if args.len() < 2 {
        return Err(Exception::wrong_args(args, 1, "list ?varName ...?"));
    }
    let items = args[1].as_list()?;
    for (i, name) in args[2..].iter().enumerate() {
        let v = items.get(i).cloned().unwrap_or_default();
        interp.set_var_value(&name.as_str(), v)?;
    }
    let rest = items.get(args.len() - 2..).map(|r| r.to_vec()).unwrap_or_default();
    Ok(Value::list(rest))
}

// ----- info ----------------------------------------------------------------

fn matching(names: impl Iterator<Item = String>, pattern: Option<&Value>) -> Value {
    let pat = pattern.map(|p| p.as_str().into_owned());
    let mut out: Vec<Value> =
        names.filter(|n| pat.as_deref().is_none_or(|p| string_match(p, n, false))).map(Value::from).collect();
    out.dedup();
    Value::list(out)
}

fn proc_named(interp: &Interp, name: &Value) -> Result<Rc<Proc>, Exception> {
    match interp.commands.get(&name.as_str()) {
        Some(Command::Proc(p)) => Ok(p.clone()),
        _ => Err(Exception::error_code(
            format!("\"{}\" isn't a procedure", name.as_str()),
            &["TCL", "LOOKUP", "PROCEDURE", &name.as_str()],
        )),
    }
}

const INFO_SUBCOMMANDS: &[&str] = &[
    "args",
    "body",
    "class",
    "cmdcount",
    "commands",
    "complete",
    "coroutine",
    "default",
    "errorstack",
    "exists",
    "frame",
    "functions",
    "globals",
    "hostname",
    "level",
    "library",
    "loaded",
    "locals",
    "nameofexecutable",
    "object",
    "patchlevel",
    "procs",
    "script",
    "sharedlibextension",
    "tclversion",
    "vars",
];

pub fn info_cmd(interp: &mut Interp, args: &[Value]) -> R {
    if args.len() < 2 {
        return Err(Exception::wrong_args(args, 1, "subcommand ?arg ...?"));
    }
    let sub = args[1].as_str();
    let idx = crate::error::lookup_subcommand(&sub, INFO_SUBCOMMANDS)?;
    let vf = interp.current_vf();
    let n = args.len();
    match INFO_SUBCOMMANDS[idx] {
        "exists" => {
            if n != 3 {
                return Err(Exception::wrong_args(args, 2, "varName"));
            }
            let full = args[2].as_str();
            let (base, key) = split_name(&full);
            let r = interp.resolve_name_in(vf, base, key.map(Rc::from), false);
            Ok(Value::bool(interp.vars.exists(&r)))
        }
        "procs" | "commands" => {
            if n > 3 {
                return Err(Exception::wrong_args(args, 2, "?pattern?"));
            }
            let procs_only = &*sub == "procs" || INFO_SUBCOMMANDS[idx] == "procs";
            let names = interp
                .commands
                .iter()
                .filter(|(_, c)| !procs_only || matches!(c, Command::Proc(_)))
                .map(|(k, _)| k.to_owned());
            let pat = args.get(2).map(|p| Value::from(strip_global(&p.as_str())));
            Ok(matching(names, pat.as_ref()))
        }
        "args" => {
            if n != 3 {
                return Err(Exception::wrong_args(args, 2, "procname"));
            }
            let p = proc_named(interp, &args[2])?;
            Ok(Value::list(p.args.iter().map(|(a, _)| Value::from(&**a)).collect()))
        }
        "body" => {
            if n != 3 {
                return Err(Exception::wrong_args(args, 2, "procname"));
            }
            Ok(proc_named(interp, &args[2])?.body.clone())
        }
        "default" => {
            if n != 5 {
                return Err(Exception::wrong_args(args, 2, "procname arg varname"));
            }
            let p = proc_named(interp, &args[2])?;
            let arg = args[3].as_str();
            let Some((_, default)) = p.args.iter().find(|(a, _)| **a == *arg) else {
                return Err(Exception::error(format!(
                    "procedure \"{}\" doesn't have an argument \"{arg}\"",
                    args[2].as_str()
                )));
            };
            match default {
                Some(d) => {
                    interp.set_var_value(&args[4].as_str(), d.clone())?;
                    Ok(Value::Int(1))
                }
                None => {
                    interp.set_var_value(&args[4].as_str(), Value::empty())?;
                    Ok(Value::Int(0))
                }
            }
        }
        "vars" | "locals" | "globals" => {
            if n > 3 {
                return Err(Exception::wrong_args(args, 2, "?pattern?"));
            }
            let kind = INFO_SUBCOMMANDS[idx];
            let frame = if kind == "globals" { 0 } else { vf };
            if kind == "locals" && frame == 0 {
                return Ok(Value::empty());
            }
            let f = &interp.vars.frames[frame as usize];
            let names = f.defined_names(kind != "locals").into_iter().map(|n| n.to_string());
            Ok(matching(names, args.get(2)))
        }
        "level" => {
            let cur = interp.vars.frames.get(vf as usize).map(|f| f.level).unwrap_or(0) as i64;
            match n {
                2 => Ok(Value::Int(cur)),
                3 => {
                    let l = args[2].as_int()?;
                    let target = if l <= 0 { cur + l } else { l };
                    let bad = || Exception::error_code(format!("bad level \"{}\"", args[2].as_str()), &["TCL", "LOOKUP", "LEVEL", &args[2].as_str()]);
                    if target <= 0 || target > cur {
                        return Err(bad());
                    }
                    let f = interp.frame_at_level(vf, &format!("#{target}")).map_err(|_| bad())?;
                    Ok(Value::list(interp.vars.frames[f as usize].objv.clone()))
                }
                _ => Err(Exception::wrong_args(args, 2, "?number?")),
            }
        }
        "script" => Ok(Value::from(interp.script_name.clone())),
        "complete" => {
            if n != 3 {
                return Err(Exception::wrong_args(args, 2, "command"));
            }
            Ok(Value::bool(crate::parser::parse_script(&args[2].as_str()).is_ok()))
        }
        "tclversion" => Ok(Value::from("8.6")),
        "patchlevel" => Ok(Value::from("8.6.13")),
        "hostname" => Ok(Value::from("localhost")),
        "nameofexecutable" => Ok(Value::from("itin")),
        "sharedlibextension" => Ok(Value::from(".so")),
        "cmdcount" => Ok(Value::Int(0)),
        "functions" => Ok(Value::from(
            "abs acos asin atan atan2 bool ceil cos cosh double entier exp floor fmod hypot int isqrt log log10 max min pow rand round sin sinh sqrt srand tan tanh wide",
        )),
        other => Err(Exception::error(format!("info {other}: not supported"))),
    }
}

// ----- arrays ----------------------------------------------------------------

const ARRAY_SUBCOMMANDS: &[&str] = &[
    "anymore",
    "donesearch",
    "exists",
    "get",
    "names",
    "nextelement",
    "set",
    "size",
    "startsearch",
    "statistics",
    "unset",
];

pub fn array_cmd(interp: &mut Interp, args: &[Value]) -> R {
    if args.len() < 2 {
        return Err(Exception::wrong_args(args, 1, "subcommand ?arg ...?"));
    }
    let sub = args[1].as_str();
    let idx = crate::error::lookup_subcommand(&sub, ARRAY_SUBCOMMANDS)?;
    if args.len() < 3 {
        let usage = match ARRAY_SUBCOMMANDS[idx] {
            "get" | "unset" => "arrayName ?pattern?",
            "names" => "arrayName ?mode? ?pattern?",
            "set" => "arrayName list",
            "startsearch" => "arrayName",
            "nextelement" | "anymore" | "donesearch" => "arrayName searchId",
            _ => "arrayName",
        };
        return Err(Exception::wrong_args(args, 2, usage));
    }
    let vf = interp.current_vf();
    let name = args[2].as_str().into_owned();
    let r = interp.resolve_name_in(vf, &name, None, false);
    let array = match interp.vars.var(r.frame, r.index) {
        Some(Var::Array(a)) if r.elem.is_none() => Some(a.clone()),
        _ => None,
    };
    let pattern = |i: usize| args.get(i).map(|p| p.as_str().into_owned());
    match ARRAY_SUBCOMMANDS[idx] {
        "exists" => {
            if args.len() != 3 {
                return Err(Exception::wrong_args(args, 2, "arrayName"));
            }
            Ok(Value::bool(array.is_some()))
        }
        "size" => {
            if args.len() != 3 {
                return Err(Exception::wrong_args(args, 2, "arrayName"));
            }
            Ok(Value::Int(array.map(|a| a.len() as i64).unwrap_or(0)))
        }
        "names" => {
            if args.len() > 5 {
                return Err(Exception::wrong_args(args, 2, "arrayName ?mode? ?pattern?"));
            }
            let (mode, pat) = match args.len() {
                5 => (args[3].as_str().into_owned(), pattern(4)),
                4 => ("-glob".to_owned(), pattern(3)),
                _ => ("-glob".to_owned(), None),
            };
            let Some(a) = array else {
                return Ok(Value::empty());
            };
            let mut out = Vec::new();
            for k in a.keys() {
                let ok = match (&pat, mode.as_str()) {
                    (None, _) => true,
                    (Some(p), "-exact") => **k == **p,
                    (Some(p), "-glob") => string_match(p, k, false),
                    (Some(p), "-regexp") => crate::cmds::regexp::simple_match(p, k, false)?,
                    (Some(_), m) => {
                        return Err(Exception::error(format!("bad option \"{m}\": must be -exact, -glob, or -regexp")))
                    }
                };
                if ok {
                    out.push(Value::from(&**k));
                }
            }
            Ok(Value::list(out))
        }
        "get" => {
            if args.len() > 4 {
                return Err(Exception::wrong_args(args, 2, "arrayName ?pattern?"));
            }
            let Some(a) = array else {
                return Ok(Value::empty());
            };
            let pat = pattern(3);
            let mut out = Vec::new();
            for (k, v) in a.iter() {
                if pat.as_deref().is_none_or(|p| string_match(p, k, false)) {
                    out.push(Value::from(&**k));
                    out.push(v.clone());
                }
            }
            Ok(Value::list(out))
        }
        "set" => {
            if args.len() != 4 {
                return Err(Exception::wrong_args(args, 2, "arrayName list"));
            }
            let items = args[3].as_list()?;
            if items.len() % 2 != 0 {
                return Err(Exception::error_code(
                    "list must have an even number of elements",
                    &["TCL", "ARGUMENT", "FORMAT"],
                ));
            }
            let r = interp.resolve_name_in(vf, &name, None, true);
            match interp.vars.var_mut(r.frame, r.index) {
                Some(v @ Var::Undefined) => *v = Var::Array(Box::default()),
                Some(Var::Array(_)) => {}
                Some(Var::Scalar(_)) => {
                    return Err(Exception::error(format!(
                        "can't set \"{name}({})\": variable isn't array",
                        items.first().map(|v| v.as_str().into_owned()).unwrap_or_default()
                    )));
                }
                _ => return Err(Exception::error(format!("can't set \"{name}\": bad variable"))),
            }
            if let Some(Var::Array(a)) = interp.vars.var_mut(r.frame, r.index) {
                for pair in items.chunks(2) {
                    a.insert(Rc::from(&*pair[0].as_str()), pair[1].clone());
                }
            }
            Ok(Value::empty())
        }
        "unset" => {
            if args.len() > 4 {
                return Err(Exception::wrong_args(args, 2, "arrayName ?pattern?"));
            }
            let Some(_) = array else {
                return Ok(Value::empty());
            };
            match pattern(3) {
                None => {
                    if let Some(v) = interp.vars.var_mut(r.frame, r.index) {
                        *v = Var::Undefined;
                    }
                }
                Some(p) => {
                    if let Some(Var::Array(a)) = interp.vars.var_mut(r.frame, r.index) {
                        a.retain(|k, _| !string_match(&p, k, false));
                    }
                }
            }
            Ok(Value::empty())
        }
        other => Err(Exception::error(format!("array {other}: not supported"))),
    }
}

// ----- output and time ---------------------------------------------------------

pub fn puts_cmd(interp: &mut Interp, args: &[Value]) -> R {
    let mut i = 1;
    let mut newline = true;
    if args.len() > 1 && args[1].as_str() == "-nonewline" {
        newline = false;
        i = 2;
    }
    let (channel, text) = match args.len() - i {
        1 => ("stdout".to_owned(), &args[i]),
        2 => (args[i].as_str().into_owned(), &args[i + 1]),
        _ => return Err(Exception::wrong_args(args, 1, "?-nonewline? ?channelId? string")),
    };
    if channel != "stdout" && channel != "stderr" {
        return Err(Exception::error(format!("can not find channel named \"{channel}\"")));
    }
    let mut s = text.as_str().into_owned();
    if newline {
        s.push('\n');
    }
    interp.write_output(&channel, &s)?;
    Ok(Value::empty())
}

pub fn clock_cmd(_: &mut Interp, args: &[Value]) -> R {
    const SUBS: &[&str] = &["add", "clicks", "format", "microseconds", "milliseconds", "scan", "seconds"];
    if args.len() < 2 {
        return Err(Exception::wrong_args(args, 1, "subcommand ?arg ...?"));
    }
    let sub = args[1].as_str();
    let idx = crate::error::lookup_subcommand(&sub, SUBS)?;
    let us = crate::vm::now_micros();
    match SUBS[idx] {
        "seconds" => Ok(Value::Int(us / 1_000_000)),
        "milliseconds" => Ok(Value::Int(us / 1000)),
        "microseconds" | "clicks" => Ok(Value::Int(us)),
        other => Err(Exception::error(format!("clock {other}: not supported"))),
    }
}

pub fn exit_cmd(_: &mut Interp, args: &[Value]) -> R {
    if args.len() > 2 {
        return Err(Exception::wrong_args(args, 1, "?returnCode?"));
    }
    let status = match args.get(1) {
        Some(v) => v.as_int()?,
        None => 0,
    };
    Err(Exception::new(crate::error::TCL_EXIT, Value::Int(status)))
}

pub fn list_cmd(interp: &mut Interp, args: &[Value]) -> R {
    interp.check_list(args.len())?;
    Ok(Value::list(args[1..].to_vec()))
}

pub fn lset_cmd(interp: &mut Interp, args: &[Value]) -> R {
    if args.len() < 3 {
        return Err(Exception::wrong_args(args, 1, "listVar ?index? ?index ...? value"));
    }
    let name = args[1].as_str().into_owned();
    // Read first so that a missing variable gives the read error.
    interp.read_var_named(&name)?;
    let (slot, _) = interp.var_value_mut(&name)?;
    let mut v = std::mem::take(slot);
    let r = crate::cmds::list::lset_in_value(&mut v, &args[2..args.len() - 1], args[args.len() - 1].clone());
    let (slot, _) = interp.var_value_mut(&name)?;
    *slot = v.clone();
    r.map(|_| v)
}

const DICT_SUBCOMMANDS: &[&str] = &[
    "append", "create", "exists", "filter", "for", "get", "incr", "info", "keys", "lappend", "map", "merge", "remove",
    "replace", "set", "size", "unset", "update", "values", "with",
];

/// `dict`: the subcommands that edit a variable are here, script-running
/// ones are compiled (see `compile_cmds::compile_dict`), the rest are the
/// pure functions of `dict.rs`.
pub fn dict_cmd(interp: &mut Interp, args: &[Value]) -> R {
    if args.len() < 2 {
        return Err(Exception::wrong_args(args, 1, "subcommand ?arg ...?"));
    }
    // The common subcommands, spelled out, skip the prefix lookup.
    match &*args[1].as_str() {
        "get" => return crate::cmds::dict::dict_get(interp, args),
        "set" => return dict_var_cmd(interp, "set", args),
        _ => {}
    }
    let sub = args[1].as_str();
    let idx = crate::error::lookup_subcommand(&sub, DICT_SUBCOMMANDS)?;
    let sub = DICT_SUBCOMMANDS[idx];
    match sub {
        "set" | "unset" | "append" | "lappend" | "incr" => dict_var_cmd(interp, sub, args),
        "for" | "map" | "with" | "update" => dict_script_frame(interp, sub, args),
        "filter" if args.len() == 6 && args[3].as_str().starts_with("scr") => dict_script_frame(interp, sub, args),
        "info" => {
            if args.len() != 3 {
                return Err(Exception::wrong_args(args, 2, "dictionary"));
            }
            let d = args[2].as_dict()?;
            Ok(Value::from(format!("{} entries in table, 4 buckets", d.len())))
        }
        _ => {
            let f = crate::cmds::dict::DICT_PURE.iter().find(|(n, _)| *n == sub).map(|(_, f)| *f);
            match f {
                Some(f) => {
                    let mut words = args.to_vec();
                    words[1] = Value::from(sub);
                    f(interp, &words)
                }
                None => Err(Exception::error(format!("dict {sub}: not supported"))),
            }
        }
    }
}

/// The script-running dict subcommands invoked at run time: their compiled
/// form runs as a frame, exactly as when compiled inline.
fn dict_script_frame(interp: &mut Interp, sub: &str, args: &[Value]) -> R {
    let mut words = args.to_vec();
    words[1] = Value::from(sub);
    let vf = interp.current_vf();
    let code = crate::compile::compile_synthetic(&interp.commands, &words, crate::compile_cmds::compile_dict, vf != 0)?;
    interp.push_frame(Rc::new(code), vf, crate::interp::FrameKind::Synthetic)?;
    Ok(Value::empty())
}

/// dict set/unset/append/lappend/incr on a variable, in place.
fn dict_var_cmd(interp: &mut Interp, sub: &str, args: &[Value]) -> R {
    let usage = match sub {
        "set" => "dictVarName key ?key ...? value",
        "unset" => "dictVarName key ?key ...?",
        "append" => "dictVarName key ?value ...?",
        "lappend" => "dictVarName key ?value ...?",
        _ => "dictVarName key ?increment?",
    };
    let min = if sub == "set" { 5 } else { 4 };
    if args.len() < min || (sub == "incr" && args.len() > 5) {
        return Err(Exception::wrong_args(args, 2, usage));
    }
    let name = args[2].as_str().into_owned();
    let (slot, existed) = interp.var_value_mut(&name)?;
    if !existed {
        *slot = Value::dict(Default::default());
    }
    // Edited in place: the variable holds the only reference.
    match dict_edit(slot, sub, &args[3..]) {
        Ok(()) => Ok(slot.clone()),
        Err(e) => {
            if !existed {
                interp.apply_unset_named(&name);
            }
            Err(e)
        }
    }
}

fn dict_edit(d: &mut Value, sub: &str, rest: &[Value]) -> Result<(), Exception> {
    use crate::cmds::dict::{dict_get_path, dict_set_path, dict_unset_path};
    match sub {
        "set" => dict_set_path(d, &rest[..rest.len() - 1], rest[rest.len() - 1].clone()),
        "unset" => dict_unset_path(d, rest),
        _ => {
            let key = &rest[..1];
            let map = d.as_dict()?;
            let cur = map.get(&*rest[0].as_str()).cloned();
            let new = match sub {
                "append" => {
                    let mut s = cur.map(|c| c.as_str().into_owned()).unwrap_or_default();
                    for v in &rest[1..] {
                        s.push_str(&v.as_str());
                    }
                    Value::from(s)
                }
                "lappend" => {
                    let mut l = match cur {
                        Some(c) => c.as_list()?.to_vec(),
                        None => Vec::new(),
                    };
                    l.extend(rest[1..].iter().cloned());
                    Value::list(l)
                }
                _ => {
                    let incr = rest.get(1).cloned().unwrap_or(Value::Int(1));
                    incr.as_integer()?;
                    match cur {
                        Some(c) => {
                            c.as_integer()?;
                            crate::ops::binary(crate::ops::BinOp::Add, &c, &incr)?
                        }
                        None => Value::from_number(incr.as_integer()?),
                    }
                }
            };
            let _ = dict_get_path;
            dict_set_path(d, key, new)
        }
    }
}

pub fn flush_cmd(interp: &mut Interp, args: &[Value]) -> R {
    if args.len() != 2 {
        return Err(Exception::wrong_args(args, 1, "channelId"));
    }
    let ch = args[1].as_str();
    if ch != "stdout" && ch != "stderr" {
        return Err(Exception::error(format!("can not find channel named \"{ch}\"")));
    }
    interp.flush_output();
    Ok(Value::empty())
}

/// `file` path operations that touch no file system: dirname, tail,
/// extension, rootname, join, split.
pub fn file_cmd(_: &mut Interp, args: &[Value]) -> R {
    const SUBS: &[&str] = &["dirname", "extension", "join", "rootname", "split", "tail"];
    if args.len() < 3 {
        return Err(Exception::wrong_args(args, 1, "subcommand ?arg ...?"));
    }
    let sub = args[1].as_str();
    let idx = lookup_index("subcommand", &sub, SUBS).map_err(|_| {
        Exception::error(format!("file {sub}: not available (only {} are)", crate::error::one_of(SUBS)))
    })?;
    let p = args[2].as_str().into_owned();
    let path = std::path::Path::new(&p);
    let s = |o: Option<&std::ffi::OsStr>| o.map(|x| x.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(match SUBS[idx] {
        "tail" => Value::from(s(path.file_name())),
        "dirname" => {
            let d = path.parent().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
            Value::from(if d.is_empty() {
                if p.starts_with('/') {
                    "/".to_owned()
                } else {
                    ".".to_owned()
                }
            } else {
                d
            })
        }
        "extension" => Value::from(path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default()),
        "rootname" => match path.extension() {
            Some(e) => Value::from(p[..p.len() - e.len() - 1].to_owned()),
            None => Value::from(p),
        },
        "join" => {
            let mut out = std::path::PathBuf::new();
            for a in &args[2..] {
                out.push(&*a.as_str());
            }
            Value::from(out.to_string_lossy().into_owned())
        }
        _ => Value::list(path.iter().map(|c| Value::from(c.to_string_lossy().into_owned())).collect()),
    })
}
