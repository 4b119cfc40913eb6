//! `expr`: parsing Tcl expressions and compiling them to bytecode.
//!
//! Precedence, lowest first: `?:`, `||`, `&&`, `|`, `^`, `&`, `== !=`,
//! `eq ne`, `in ni`, `< > <= >= lt gt le ge`, `<< >>`, `+ -`, `* / %`, `**`
//! (right-associative), unary `- + ~ !`. Nesting is bounded so that a
//! hostile expression cannot exhaust the Rust stack.

use crate::bytecode::Instr;
use crate::compile::Compiler;
use crate::error::Exception;
use crate::number;
use crate::ops::{self, BinOp, UnOp};
use crate::parser::{Parser, Part};
use crate::value::Value;

/// Deepest parenthesis/operator nesting accepted.
const MAX_EXPR_DEPTH: usize = 200;

enum Ex {
    Lit(Value),
    Parts(Vec<Part>),
    Script(usize, usize),
    Un(UnOp, Box<Ex>),
    Bin(BinOp, Box<Ex>, Box<Ex>),
    And(Box<Ex>, Box<Ex>),
    Or(Box<Ex>, Box<Ex>),
    Tern(Box<Ex>, Box<Ex>, Box<Ex>),
    Func(String, Vec<Ex>),
}

struct ExprParser<'s> {
    src: &'s str,
    b: &'s [u8],
    start: usize,
    pos: usize,
    end: usize,
    depth: usize,
}

/// Compiles `source[start..end]` of the compiler's source as an expression,
/// leaving its value on the stack. Returns true when that value is sure to
/// be a number already (so `expr` needs no final conversion).
pub fn compile(c: &mut Compiler, start: usize, end: usize) -> Result<bool, Exception> {
    let src = c.source();
    let mut p = ExprParser { src: &src, b: src.as_bytes(), start, pos: start, end, depth: 0 };
    p.skip_space();
    if p.pos >= end {
        return Err(p.plain_error("empty expression"));
    }
    let ex = p.ternary()?;
    p.skip_space();
    if p.pos < end {
        return Err(p.after_operand_error());
    }
    emit(c, &ex);
    Ok(is_numeric(&ex))
}

/// Does this expression always produce a pure number?
fn is_numeric(ex: &Ex) -> bool {
    match ex {
        Ex::Lit(v) => matches!(v, Value::Int(_) | Value::Double(_)),
        Ex::Un(..) | Ex::Bin(..) | Ex::And(..) | Ex::Or(..) => true,
        // A function's result may be NaN, which `expr` refuses.
        Ex::Func(..) => false,
        Ex::Tern(_, a, b) => is_numeric(a) && is_numeric(b),
        Ex::Parts(_) | Ex::Script(..) => false,
    }
}

/// Evaluates an operator tree whose leaves are all literals, as tclsh's
/// compiler folds constants. `None` when something is not constant.
fn fold(ex: &Ex) -> Option<Result<Value, Exception>> {
    match ex {
        Ex::Lit(v) => Some(Ok(v.clone())),
        Ex::Un(op, a) => match fold(a)? {
            Ok(a) => Some(ops::unary(*op, &a)),
            Err(e) => Some(Err(e)),
        },
        Ex::Bin(op, a, b) => {
            let a = fold(a)?;
            let b = fold(b)?;
            match (a, b) {
                (Ok(a), Ok(b)) => Some(ops::binary(*op, &a, &b)),
                (Err(e), _) | (_, Err(e)) => Some(Err(e)),
            }
        }
        _ => None,
    }
}

fn emit(c: &mut Compiler, ex: &Ex) {
    // tclsh folds constants only in compiled code, not at a file's top level.
    if matches!(ex, Ex::Un(..) | Ex::Bin(..)) && !c.mode.direct {
        match fold(ex) {
            Some(Ok(v)) => {
                let l = c.literal_value(v);
                c.emit(Instr::Push(l));
                return;
            }
            Some(Err(e)) => {
                // Raised where the expression runs; tclsh shows such errors
                // as "invoked from within" the command.
                let msg = c.literal_value(e.value().clone());
                let code = c.literal_value(e.error_code_value());
                c.emit(Instr::RaiseArith(msg, code));
                return;
            }
            None => {}
        }
    }
    match ex {
        Ex::Lit(v) => {
            let l = c.literal_value(v.clone());
            c.emit(Instr::Push(l));
        }
        Ex::Parts(parts) => c.parts(parts),
        Ex::Script(s, e) => {
            let pc = c.pc();
            c.script_range(*s, *e, true);
            let _ = pc;
        }
        Ex::Un(op, a) => {
            emit(c, a);
            c.emit(Instr::Unary(*op));
        }
        Ex::Bin(op, a, b) => {
            emit(c, a);
            emit(c, b);
            c.emit(Instr::Binary(*op));
        }
        Ex::And(a, b) | Ex::Or(a, b) => {
            let is_and = matches!(ex, Ex::And(..));
            emit(c, a);
            let short = if is_and { c.emit(Instr::JumpFalse(0)) } else { c.emit(Instr::JumpTrue(0)) };
            emit(c, b);
            c.emit(Instr::ToBool);
            let over = c.emit(Instr::Jump(0));
            let depth = c.depth();
            let target = c.pc();
            c.patch(short, target);
            c.set_depth(depth - 1);
            let l = c.literal_value(Value::Int(if is_and { 0 } else { 1 }));
            c.emit(Instr::Push(l));
            let end = c.pc();
            c.patch(over, end);
        }
        Ex::Tern(cond, a, b) => {
            emit(c, cond);
            let to_else = c.emit(Instr::JumpFalse(0));
            emit(c, a);
            let over = c.emit(Instr::Jump(0));
            let depth = c.depth();
            let else_pc = c.pc();
            c.patch(to_else, else_pc);
            c.set_depth(depth - 1);
            emit(c, b);
            let end = c.pc();
            c.patch(over, end);
        }
        Ex::Func(name, args) => {
            for a in args {
                emit(c, a);
            }
            let l = c.literal(name);
            c.emit(Instr::MathFunc(l, args.len() as u32));
        }
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

impl ExprParser<'_> {
    fn text(&self) -> &str {
        &self.src[self.start..self.end]
    }

    fn plain_error(&self, msg: &str) -> Exception {
        Exception::error_code(format!("{msg}\nin expression \"{}\"", self.text()), &["TCL", "PARSE", "EXPR", "BADEXPR"])
    }

    /// An error with the `_@_` marker at byte `at`.
    fn marked_error(&self, msg: &str, at: usize) -> Exception {
        let at = at.clamp(self.start, self.end);
        Exception::error_code(
            format!("{msg} at _@_\nin expression \"{}_@_{}\"", &self.src[self.start..at], &self.src[at..self.end]),
            &["TCL", "PARSE", "EXPR", "BADEXPR"],
        )
    }

    fn skip_space(&mut self) {
        while self.pos < self.end && is_space(self.b[self.pos]) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied().filter(|_| self.pos < self.end)
    }

    fn enter(&mut self) -> Result<(), Exception> {
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            return Err(self.plain_error("expression nested too deeply"));
        }
        Ok(())
    }

    fn ternary(&mut self) -> Result<Ex, Exception> {
        self.enter()?;
        let cond = self.binary(0)?;
        self.skip_space();
        let r = if self.peek() == Some(b'?') {
            self.pos += 1;
            let a = self.ternary()?;
            self.skip_space();
            if self.peek() != Some(b':') {
                return Err(self.marked_error("missing operator \":\"", self.pos));
            }
            self.pos += 1;
            let b = self.ternary()?;
            Ex::Tern(Box::new(cond), Box::new(a), Box::new(b))
        } else {
            cond
        };
        self.depth -= 1;
        Ok(r)
    }

    /// The binary operator at the current position, with its precedence
    /// level and length.
    fn binop(&self) -> Option<(Bin, u8, usize)> {
        let rest = &self.b[self.pos..self.end];
        let two = |s: &[u8]| rest.starts_with(s);
        let word = |w: &str| {
            rest.starts_with(w.as_bytes())
                && rest.get(w.len()).is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
        };
        use BinOp::*;
        Some(if two(b"||") {
            (Bin::Or, 1, 2)
        } else if two(b"&&") {
            (Bin::And, 2, 2)
        } else if two(b"**") {
            (Bin::Op(Pow), 13, 2)
        } else if two(b"==") {
            (Bin::Op(Eq), 6, 2)
        } else if two(b"!=") {
            (Bin::Op(Ne), 6, 2)
        } else if two(b"<=") {
            (Bin::Op(Le), 9, 2)
        } else if two(b">=") {
            (Bin::Op(Ge), 9, 2)
        } else if two(b"<<") {
            (Bin::Op(Shl), 10, 2)
        } else if two(b">>") {
            (Bin::Op(Shr), 10, 2)
        } else if word("eq") {
            (Bin::Op(StrEq), 7, 2)
        } else if word("ne") {
            (Bin::Op(StrNe), 7, 2)
        } else if word("in") {
            (Bin::Op(In), 8, 2)
        } else if word("ni") {
            (Bin::Op(Ni), 8, 2)
        } else {
            match rest.first()? {
                b'|' => (Bin::Op(BitOr), 3, 1),
                b'^' => (Bin::Op(BitXor), 4, 1),
                b'&' => (Bin::Op(BitAnd), 5, 1),
                b'<' => (Bin::Op(Lt), 9, 1),
                b'>' => (Bin::Op(Gt), 9, 1),
                b'+' => (Bin::Op(Add), 11, 1),
                b'-' => (Bin::Op(Sub), 11, 1),
                b'*' => (Bin::Op(Mul), 12, 1),
                b'/' => (Bin::Op(Div), 12, 1),
                b'%' => (Bin::Op(Mod), 12, 1),
                _ => return None,
            }
        })
    }

    /// Precedence climbing over binary operators of level > `min`.
    fn binary(&mut self, min: u8) -> Result<Ex, Exception> {
        let mut lhs = self.unary()?;
        loop {
            self.skip_space();
            let Some((op, prec, len)) = self.binop() else {
                break;
            };
            if prec <= min {
                break;
            }
            self.pos += len;
            // `**` is right-associative.
            let next_min = if prec == 13 { prec - 1 } else { prec };
            self.enter()?;
            let rhs = self.binary(next_min)?;
            self.depth -= 1;
            lhs = match op {
                Bin::Or => Ex::Or(Box::new(lhs), Box::new(rhs)),
                Bin::And => Ex::And(Box::new(lhs), Box::new(rhs)),
                Bin::Op(o) => Ex::Bin(o, Box::new(lhs), Box::new(rhs)),
            };
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Ex, Exception> {
        self.skip_space();
        let op = match self.peek() {
            Some(b'-') => Some(UnOp::Neg),
            Some(b'+') => Some(UnOp::Plus),
            Some(b'~') => Some(UnOp::BitNot),
            Some(b'!') => Some(UnOp::Not),
            _ => None,
        };
        if let Some(op) = op {
            self.pos += 1;
            self.enter()?;
            let a = self.unary()?;
            self.depth -= 1;
            return Ok(Ex::Un(op, Box::new(a)));
        }
        let operand = self.primary()?;
        // `**` binds tighter than unary minus on its left in Tcl? No: unary
        // operators bind tighter than everything, as in the man page.
        Ok(operand)
    }

    fn primary(&mut self) -> Result<Ex, Exception> {
        self.skip_space();
        let Some(c) = self.peek() else {
            return Err(self.marked_error("missing operand", self.pos));
        };
        match c {
            b'(' => {
                self.pos += 1;
                self.enter()?;
                let inner = self.ternary()?;
                self.depth -= 1;
                self.skip_space();
                if self.peek() != Some(b')') {
                    return Err(self.plain_error("unbalanced open paren"));
                }
                self.pos += 1;
                Ok(inner)
            }
            b'$' => {
                let mut p = Parser::new(self.src, self.pos, self.end, false);
                match p.variable_here() {
                    Ok(Some(part)) => {
                        self.pos = p.position();
                        Ok(Ex::Parts(vec![part]))
                    }
                    Ok(None) => Err(self.plain_error("invalid character \"$\"")),
                    Err(e) => Err(self.plain_error(&e.message)),
                }
            }
            b'[' => {
                let mut p = Parser::new(self.src, self.pos, self.end, false);
                match p.command_subst_here() {
                    Ok(Part::Script { start, end }) => {
                        self.pos = p.position();
                        Ok(Ex::Script(start, end))
                    }
                    Ok(_) => Err(self.plain_error("missing close-bracket")),
                    Err(e) => Err(self.plain_error(&e.message)),
                }
            }
            b'"' => {
                let mut p = Parser::new(self.src, self.pos, self.end, false);
                match p.quoted_here() {
                    Ok(parts) => {
                        self.pos = p.position();
                        // A quoted string without substitutions is a constant.
                        match crate::parser::literal_of(&parts) {
                            Some(text) => Ok(Ex::Lit(Value::from(text))),
                            None => Ok(Ex::Parts(parts)),
                        }
                    }
                    Err(e) => Err(self.plain_error(&e.message)),
                }
            }
            b'{' => {
                let mut p = Parser::new(self.src, self.pos, self.end, false);
                match p.braced_here() {
                    Ok(text) => {
                        self.pos = p.position();
                        Ok(Ex::Lit(Value::from(text)))
                    }
                    Err(_) => Err(self.plain_error("missing close-brace")),
                }
            }
            b'0'..=b'9' | b'.' => self.number(),
            c if c.is_ascii_alphabetic() || c == b'_' => self.bareword(),
            b')' => Err(self.marked_error("missing operand", self.pos)),
            _ => {
                if self.binop().is_some() || c == b'?' || c == b':' {
                    return Err(self.marked_error("missing operand", self.pos));
                }
                let ch = self.src[self.pos..].chars().next().unwrap_or('?');
                Err(self.plain_error(&format!("invalid character \"{ch}\"")))
            }
        }
    }

    fn number(&mut self) -> Result<Ex, Exception> {
        let start = self.pos;
        let b = self.b;
        let mut i = self.pos;
        let radix_prefix = b[i] == b'0'
            && i + 1 < self.end
            && matches!(b[i + 1], b'x' | b'X' | b'o' | b'O' | b'b' | b'B' | b'd' | b'D');
        if radix_prefix {
            i += 2;
            while i < self.end && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
        } else {
            while i < self.end && b[i].is_ascii_digit() {
                i += 1;
            }
            if i < self.end && b[i] == b'.' {
                i += 1;
                while i < self.end && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            if i < self.end && (b[i] == b'e' || b[i] == b'E') {
                let save = i;
                i += 1;
                if i < self.end && (b[i] == b'+' || b[i] == b'-') {
                    i += 1;
                }
                let digits = i;
                while i < self.end && b[i].is_ascii_digit() {
                    i += 1;
                }
                if i == digits {
                    // `1e` alone: a bad bareword.
                    let mut j = save;
                    while j < self.end && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                        j += 1;
                    }
                    return Err(self.bareword_error(&self.src[start..j]));
                }
            }
        }
        // Letters glued to a number make a bad bareword: the whole word
        // after a radix prefix (`0x`, `0b2`), else just the letters (`2.5x`).
        let mut j = i;
        while j < self.end && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
            j += 1;
        }
        let word = &self.src[start..j];
        if j > i || number::parse_number(word).is_none() {
            if let Some(n) = number::parse_number(word) {
                self.pos = j;
                return Ok(Ex::Lit(Value::from_number(n)));
            }
            if !radix_prefix && j > i && number::parse_number(&self.src[start..i]).is_some() {
                return Err(self.bareword_error(&self.src[i..j]));
            }
            return Err(self.bareword_error(word));
        }
        self.pos = j;
        // Canonical integers become pure numbers; other forms keep their
        // text (e.g. `0x10` stays `0x10` until used).
        if let Ok(i) = word.parse::<i64>() {
            if i.to_string() == word {
                return Ok(Ex::Lit(Value::Int(i)));
            }
        }
        Ok(Ex::Lit(Value::from(word)))
    }

    fn bareword_error(&self, word: &str) -> Exception {
        let lower = word.to_ascii_lowercase();
        let hint = if number::looks_like_bad_octal(word) || lower.starts_with("0o") {
            " (invalid octal number?)"
        } else if lower.starts_with("0b") {
            " (invalid binary number?)"
        } else if lower.starts_with("0x") && word.len() > 2 {
            " (invalid hexadecimal number?)"
        } else {
            ""
        };
        self.plain_error(&format!(
            "invalid bareword \"{word}\"\nin expression \"{}\";\nshould be \"${word}\" or \"{{{word}}}\" or \"{word}(...)\" or ...{hint}",
            self.text()
        ))
        .with_message_only()
    }

    fn bareword(&mut self) -> Result<Ex, Exception> {
        let start = self.pos;
        let mut j = self.pos;
        while j < self.end && (self.b[j].is_ascii_alphanumeric() || self.b[j] == b'_' || self.b[j] == b':') {
            j += 1;
        }
        let word = &self.src[start..j];
        self.pos = j;
        self.skip_space();
        if self.peek() == Some(b'(') {
            self.pos += 1;
            let mut args = Vec::new();
            self.skip_space();
            if self.peek() == Some(b')') {
                self.pos += 1;
            } else {
                loop {
                    self.enter()?;
                    args.push(self.ternary()?);
                    self.depth -= 1;
                    self.skip_space();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b')') => {
                            self.pos += 1;
                            break;
                        }
                        _ => return Err(self.marked_error("missing close paren", self.pos)),
                    }
                }
            }
            return Ok(Ex::Func(word.to_owned(), args));
        }
        if number::parse_bool_word(word).is_some()
            || matches!(word.to_ascii_lowercase().as_str(), "inf" | "nan" | "infinity")
        {
            return Ok(Ex::Lit(Value::from(word)));
        }
        self.pos = start;
        Err(self.bareword_error(word))
    }

    /// What is wrong after a complete operand.
    fn after_operand_error(&self) -> Exception {
        match self.peek() {
            Some(b')') => self.plain_error("unbalanced close paren"),
            Some(b'=') => self.plain_error("incomplete operator \"=\""),
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let mut j = self.pos;
                while j < self.end && (self.b[j].is_ascii_alphanumeric() || self.b[j] == b'_') {
                    j += 1;
                }
                self.bareword_error(&self.src[self.pos..j])
            }
            Some(c) if c.is_ascii_digit() || matches!(c, b'$' | b'[' | b'"' | b'{' | b'(' | b'.') => {
                self.marked_error("missing operator", self.pos)
            }
            Some(_) => {
                let ch = self.src[self.pos..].chars().next().unwrap_or('?');
                self.plain_error(&format!("invalid character \"{ch}\""))
            }
            None => self.plain_error("syntax error"),
        }
    }
}

enum Bin {
    Or,
    And,
    Op(BinOp),
}

impl Exception {
    /// Drops the generic "in expression" suffix added by `plain_error` when
    /// the message already has its own.
    fn with_message_only(mut self) -> Exception {
        let s = self.value().as_str().into_owned();
        if let Some(idx) = s.rfind("\nin expression \"") {
            if s[..idx].contains("\nin expression \"") {
                self.0.value = Value::from(&s[..idx]);
            }
        }
        self
    }
}
