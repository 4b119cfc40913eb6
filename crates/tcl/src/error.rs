//! Exceptions: the non-OK completion codes of Tcl (error, return, break,
//! continue and user codes), carried as a Rust `Err`.

use crate::value::Value;

/// Tcl's completion codes.
pub const TCL_OK: i32 = 0;
pub const TCL_ERROR: i32 = 1;
pub const TCL_RETURN: i32 = 2;
pub const TCL_BREAK: i32 = 3;
pub const TCL_CONTINUE: i32 = 4;
/// Internal code of `exit`: unwinds everything, no handler catches it.
pub const TCL_EXIT: i32 = i32::MIN;

/// A non-OK completion of a command. Boxed so that `Result<Value, Exception>`
/// stays two words.
#[derive(Clone, Debug)]
pub struct Exception(pub Box<ExceptionData>);

#[derive(Clone, Debug)]
pub struct ExceptionData {
    /// The completion code (1 error, 2 return, 3 break, 4 continue, other).
    pub code: i32,
    /// The result: the error message, or the returned value.
    pub value: Value,
    /// For `return`: the -level still to unwind (0 means apply -code now).
    pub level: i32,
    /// For `return -code X`: the code that becomes current at level 0.
    pub return_code: i32,
    /// `-errorcode`, for errors.
    pub error_code: Option<Value>,
    /// `-errorinfo` as built so far (the stack trace).
    pub error_info: String,
    /// True once the trace has its first "while executing" part, so that
    /// further frames add "invoked from within".
    pub info_started: bool,
    /// `-errorline`.
    pub error_line: i64,
    /// Other options given to `return` (kept in order, as a flat list).
    pub extra_options: Vec<(Value, Value)>,
    /// The trace is complete where it was raised (`error msg info`): the
    /// frame that raised it adds no "while executing" line.
    pub skip_log: bool,
}

impl Exception {
    pub fn new(code: i32, value: Value) -> Exception {
        Exception(Box::new(ExceptionData {
            code,
            value,
            level: 0,
            return_code: TCL_OK,
            error_code: None,
            error_info: String::new(),
            info_started: false,
            error_line: 0,
            extra_options: Vec::new(),
            skip_log: false,
        }))
    }

    /// An error with the given message and errorCode `NONE`.
    pub fn error(msg: impl Into<String>) -> Exception {
        Exception::new(TCL_ERROR, Value::from_string(msg.into()))
    }

    /// An error with the given message and errorCode (a list of words).
    pub fn error_code(msg: impl Into<String>, code: &[&str]) -> Exception {
        let mut e = Exception::error(msg);
        e.0.error_code = Some(Value::list(code.iter().map(|s| Value::from(*s)).collect()));
        e
    }

    /// `wrong # args: should be "WORDS USAGE"`, where WORDS are the first
    /// `n` words of the command (as Tcl_WrongNumArgs).
    pub fn wrong_args(args: &[Value], n: usize, usage: &str) -> Exception {
        let mut s = String::from("wrong # args: should be \"");
        for (i, a) in args.iter().take(n).enumerate() {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(&a.as_str());
        }
        if !usage.is_empty() {
            if n > 0 {
                s.push(' ');
            }
            s.push_str(usage);
        }
        s.push('"');
        Exception::error_code(s, &["TCL", "WRONGARGS"])
    }

    /// The error for a bad subcommand/option word, as Tcl_GetIndexFromObj:
    /// `bad option "x": must be a, b, or c` (`what` is "option",
    /// "subcommand"...). With `ambiguous`, says "ambiguous" instead of "bad".
    pub fn bad_index(what: &str, word: &str, table: &[&str], ambiguous: bool) -> Exception {
        let mut s = format!("{} {} \"{}\": must be ", if ambiguous { "ambiguous" } else { "bad" }, what, word);
        s.push_str(&one_of(table));
        Exception::error_code(s, &["TCL", "LOOKUP", "INDEX", what, word])
    }

    pub fn break_() -> Exception {
        Exception::new(TCL_BREAK, Value::empty())
    }

    pub fn continue_() -> Exception {
        Exception::new(TCL_CONTINUE, Value::empty())
    }

    pub fn code(&self) -> i32 {
        self.0.code
    }

    pub fn value(&self) -> &Value {
        &self.0.value
    }

    pub fn is_error(&self) -> bool {
        self.0.code == TCL_ERROR
    }

    /// The errorCode, `NONE` when none was given.
    pub fn error_code_value(&self) -> Value {
        self.0.error_code.clone().unwrap_or_else(|| Value::from("NONE"))
    }
}

/// "a, b, or c" as Tcl lists alternatives.
pub fn one_of(table: &[&str]) -> String {
    let mut s = String::new();
    for (i, t) in table.iter().enumerate() {
        if i > 0 {
            if table.len() > 2 {
                s.push(',');
            }
            s.push(' ');
            if i == table.len() - 1 {
                s.push_str("or ");
            }
        }
        s.push_str(t);
    }
    s
}

/// Looks `word` up in `table` accepting unique prefixes, as
/// Tcl_GetIndexFromObj. Returns the index or the Tcl error.
pub fn lookup_index(what: &str, word: &str, table: &[&str]) -> Result<usize, Exception> {
    if let Some(i) = table.iter().position(|t| *t == word) {
        return Ok(i);
    }
    let mut found = None;
    let mut count = 0;
    if !word.is_empty() {
        for (i, t) in table.iter().enumerate() {
            if t.starts_with(word) {
                found = Some(i);
                count += 1;
            }
        }
    }
    match (count, found) {
        (1, Some(i)) => Ok(i),
        // Tcl calls the empty word ambiguous when there is a choice.
        _ => Err(Exception::bad_index(what, word, table, count > 1 || (word.is_empty() && table.len() > 1))),
    }
}

/// Looks up a subcommand name of an ensemble-like command, accepting unique
/// prefixes; the error is Tcl's ensemble error.
pub fn lookup_subcommand(word: &str, table: &[&str]) -> Result<usize, Exception> {
    if let Some(i) = table.iter().position(|t| *t == word) {
        return Ok(i);
    }
    let mut found = None;
    if !word.is_empty() {
        for (i, t) in table.iter().enumerate() {
            if t.starts_with(word) {
                if found.is_some() {
                    found = None;
                    break;
                }
                found = Some(i);
            }
        }
    }
    found.ok_or_else(|| {
        Exception::error_code(
            format!("unknown or ambiguous subcommand \"{word}\": must be {}", one_of(table)),
            &["TCL", "LOOKUP", "SUBCOMMAND", word],
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_prefixes() {
        let t = ["length", "last", "index"];
        assert_eq!(lookup_index("option", "le", &t).unwrap(), 0);
        let e = lookup_index("option", "l", &t).unwrap_err();
        assert_eq!(e.value().as_str(), "ambiguous option \"l\": must be length, last, or index");
        let e = lookup_index("option", "x", &["a", "b"]).unwrap_err();
        assert_eq!(e.value().as_str(), "bad option \"x\": must be a or b");
    }
}
