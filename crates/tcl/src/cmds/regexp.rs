//! `regexp` and `regsub`, on the `fancy-regex` engine.
//!
//! Tcl's Advanced Regular Expressions (ARE) are translated into the
//! engine's syntax by [`translate`]: escapes (`\m \M \y \Y \A \Z`, `\d \s
//! \w`, character entries such as `\e \uXXXX \cX`, octal and back
//! references), POSIX bracket classes (`[[:alpha:]]`, `[[.x.]]`, `[[=x=]]`,
//! `[[:<:]]`), bounds `{m,n}` (at most 255), the `***=` and `***:`
//! directors and leading embedded options `(?ixnpwqsce)`. Syntax errors are
//! reported with Tcl's messages and error codes. Where matching differs from
//! Tcl (the engine is leftmost-first, not POSIX leftmost-longest), see
//! `docs/REGEXP.md`.
//!
//! Positions given to and returned by Tcl (`-start`, `-indices`) count
//! characters, not bytes.
//!
//! Commands that set variables need the VM: [`regexp_match`] and
//! [`regsub_apply`] compute what would be stored, and the native commands
//! here only support the forms without variables.

use std::cell::RefCell;
use std::rc::Rc;

use crate::error::Exception;
use crate::interp::Interp;
use crate::value::Value;

use super::NativeFn;

/// The regular expression commands, as `(name, function)` pairs.
pub const COMMANDS: &[(&str, NativeFn)] = &[("regexp", regexp_cmd), ("regsub", regsub_cmd)];

/// Compile options from command switches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RegexFlags {
    /// `-nocase`
    pub nocase: bool,
    /// `-expanded`
    pub expanded: bool,
    /// `-linestop` (and `-line`): `.` and `[^...]` do not match newline.
    pub linestop: bool,
    /// `-lineanchor` (and `-line`): `^` and `$` match at line ends.
    pub lineanchor: bool,
}

/// Longest pattern accepted, in bytes.
pub const MAX_PATTERN_BYTES: usize = 64 * 1024;
/// Memory bound for the compiled automata of one expression.
const ENGINE_SIZE_LIMIT: usize = 16 << 20;

// ----- errors --------------------------------------------------------------

fn re_error(code: &str, msg: &str) -> Exception {
    Exception::error_code(format!("couldn't compile regular expression pattern: {msg}"), &["REGEXP", code, msg])
}

fn e_paren() -> Exception {
    re_error("REG_EPAREN", "parentheses () not balanced")
}
fn e_brack() -> Exception {
    re_error("REG_EBRACK", "brackets [] not balanced")
}
fn e_brace() -> Exception {
    re_error("REG_EBRACE", "braces {} not balanced")
}
fn e_badbr() -> Exception {
    re_error("REG_BADBR", "invalid repetition count(s)")
}
fn e_badrpt() -> Exception {
    re_error("REG_BADRPT", "quantifier operand invalid")
}
fn e_escape() -> Exception {
    re_error("REG_EESCAPE", "invalid escape \\ sequence")
}
fn e_badopt() -> Exception {
    re_error("REG_BADOPT", "invalid embedded option")
}
fn e_subreg() -> Exception {
    re_error("REG_ESUBREG", "invalid backreference number")
}
fn e_ctype() -> Exception {
    re_error("REG_ECTYPE", "invalid character class")
}
fn e_range() -> Exception {
    re_error("REG_ERANGE", "invalid character range")
}
fn e_collate() -> Exception {
    re_error("REG_ECOLLATE", "invalid collating element")
}
fn e_toobig() -> Exception {
    re_error("REG_ETOOBIG", "nfa has too many states")
}

// ----- translation ---------------------------------------------------------

/// `regexp -about` flags, in Tcl's order.
const ABOUT_NAMES: &[&str] = &[
    "REG_UBACKREF",
    "REG_ULOOKAHEAD",
    "REG_UBOUNDS",
    "REG_UBRACES",
    "REG_UBSALNUM",
    "REG_UPBOTCH",
    "REG_UBBS",
    "REG_UNONPOSIX",
    "REG_UUNSPEC",
    "REG_UUNPORT",
    "REG_ULOCALE",
    "REG_UEMPTYMATCH",
    "REG_UIMPOSSIBLE",
    "REG_USHORTEST",
];
const U_BACKREF: u32 = 1 << 0;
const U_LOOKAHEAD: u32 = 1 << 1;
const U_BOUNDS: u32 = 1 << 2;
const U_NONPOSIX: u32 = 1 << 7;
const U_UNSPEC: u32 = 1 << 8;
const U_UNPORT: u32 = 1 << 9;
const U_LOCALE: u32 = 1 << 10;
const U_EMPTYMATCH: u32 = 1 << 11;
const U_SHORTEST: u32 = 1 << 13;

/// The result of translating a Tcl ARE.
#[derive(Clone, Debug)]
pub struct Translation {
    /// The expression in fancy-regex syntax.
    pub pattern: String,
    /// Number of capturing groups.
    pub nsub: usize,
    /// True when the expression uses `^` (so that matching at a position
    /// that is not a line start needs its own variant).
    pub has_caret: bool,
    about: u32,
}

struct Tr {
    p: Vec<char>,
    i: usize,
    out: String,
    nsub: usize,
    icase: bool,
    expanded: bool,
    nlstop: bool,
    nlanch: bool,
    notbol: bool,
    has_caret: bool,
    about: u32,
}

/// A piece of a bracket expression.
enum BItem {
    Char(char),
    /// Class contents in engine syntax (usable only inside `[...]`).
    Class(String),
}

fn push_lit(out: &mut String, c: char) {
    if c.is_alphanumeric() && c != '_' {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    }
}

fn push_class_char(out: &mut String, c: char) {
    if c.is_alphanumeric() {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    }
}

const WORD_CLASS: &str = "\\p{L}\\p{Nd}\\p{Pc}";

fn named_class(name: &str) -> Option<&'static str> {
    Some(match name {
        "alpha" => "\\p{L}",
        "upper" => "\\p{Lu}",
        "lower" => "\\p{Ll}",
        "digit" => "\\p{Nd}",
        "xdigit" => "0-9A-Fa-f",
        "alnum" => "\\p{L}\\p{Nd}",
        "space" => "\\s",
        "blank" => "\\x{20}\\x{9}",
        "punct" => "\\p{P}",
        "graph" => "\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}",
        "print" => "\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}\\p{Zs}",
        "cntrl" => "\\p{Cc}\\p{Cf}",
        _ => return None,
    })
}

/// POSIX names of collating elements (a common subset).
fn named_collating(name: &str) -> Option<char> {
    Some(match name {
        "NUL" => '\0',
        "tab" => '\t',
        "newline" => '\n',
        "vertical-tab" => '\x0b',
        "form-feed" => '\x0c',
        "carriage-return" => '\r',
        "space" => ' ',
        "exclamation-mark" => '!',
        "quotation-mark" => '"',
        "number-sign" => '#',
        "dollar-sign" => '$',
        "percent-sign" => '%',
        "ampersand" => '&',
        "apostrophe" => '\'',
        "left-parenthesis" => '(',
        "right-parenthesis" => ')',
        "asterisk" => '*',
        "plus-sign" => '+',
        "comma" => ',',
        "hyphen" | "hyphen-minus" => '-',
        "period" | "full-stop" => '.',
        "slash" | "solidus" => '/',
        "zero" => '0',
        "one" => '1',
        "two" => '2',
        "three" => '3',
        "four" => '4',
        "five" => '5',
        "six" => '6',
        "seven" => '7',
        "eight" => '8',
        "nine" => '9',
        "colon" => ':',
        "semicolon" => ';',
        "less-than-sign" => '<',
        "equals-sign" => '=',
        "greater-than-sign" => '>',
        "question-mark" => '?',
        "commercial-at" => '@',
        "left-square-bracket" => '[',
        "backslash" | "reverse-solidus" => '\\',
        "right-square-bracket" => ']',
        "circumflex" | "circumflex-accent" => '^',
        "underscore" | "low-line" => '_',
        "grave-accent" => '`',
        "left-brace" | "left-curly-bracket" => '{',
        "vertical-line" => '|',
        "right-brace" | "right-curly-bracket" => '}',
        "tilde" => '~',
        "DEL" => '\x7f',
        _ => return None,
    })
}

/// Translates a Tcl regular expression (ARE, with directors and embedded
/// options) into fancy-regex syntax. With `notbol`, `^` cannot match at
/// the start of the text (Tcl's REG_NOTBOL, used when matching resumes in
/// the middle of a string).
pub fn translate(pattern: &str, flags: RegexFlags, notbol: bool) -> Result<Translation, Exception> {
    if pattern.len() > MAX_PATTERN_BYTES {
        return Err(e_toobig());
    }
    let mut tr = Tr {
        p: Vec::new(),
        i: 0,
        out: String::new(),
        nsub: 0,
        icase: flags.nocase,
        expanded: flags.expanded,
        nlstop: flags.linestop,
        nlanch: flags.lineanchor,
        notbol,
        has_caret: false,
        about: 0,
    };
    let mut body = pattern;
    let mut literal = false;
    if let Some(rest) = pattern.strip_prefix("***=") {
        body = rest;
        literal = true;
    } else if let Some(rest) = pattern.strip_prefix("***:") {
        body = rest;
    }
    tr.p = body.chars().collect();
    if !literal && tr.p.len() >= 2 && tr.p[0] == '(' && tr.p[1] == '?' {
        let c2 = tr.p.get(2).copied();
        if !matches!(c2, Some(':') | Some('=') | Some('!')) {
            literal = tr.embedded_options()?;
            tr.about |= U_NONPOSIX;
        }
    }
    if literal {
        let mut out = String::new();
        for &c in &tr.p[tr.i..] {
            push_lit(&mut out, c);
        }
        tr.out = out;
    } else {
        if tr.i >= tr.p.len() {
            tr.about |= U_UNSPEC;
        }
        tr.parse_regex(0)?;
        if tr.i < tr.p.len() {
            // Only an unmatched ")" stops the top level early.
            return Err(e_paren());
        }
    }
    let mut prefix = String::new();
    if tr.icase || !tr.nlstop {
        prefix.push_str("(?");
        if tr.icase {
            prefix.push('i');
        }
        if !tr.nlstop {
            prefix.push('s');
        }
        prefix.push(')');
    }
    Ok(Translation { pattern: prefix + &tr.out, nsub: tr.nsub, has_caret: tr.has_caret, about: tr.about })
}

impl Tr {
    fn peek(&self) -> Option<char> {
        self.p.get(self.i).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.p.get(self.i + k).copied()
    }

    /// Reads `(?xyz)` at the start. Returns true for `q` (literal rest).
    fn embedded_options(&mut self) -> Result<bool, Exception> {
        self.i = 2;
        let mut literal = false;
        loop {
            let Some(c) = self.peek() else {
                return Err(e_badopt());
            };
            self.i += 1;
            match c {
                ')' => break,
                'b' => return Err(re_error("REG_BADOPT", "basic regular expressions (?b) are not supported")),
                'c' => self.icase = false,
                'e' => {}
                'i' => self.icase = true,
                'm' | 'n' => {
                    self.nlstop = true;
                    self.nlanch = true;
                }
                'p' => {
                    self.nlstop = true;
                    self.nlanch = false;
                }
                'q' => literal = true,
                's' => {
                    self.nlstop = false;
                    self.nlanch = false;
                }
                't' => self.expanded = false,
                'w' => {
                    self.nlstop = false;
                    self.nlanch = true;
                }
                'x' => self.expanded = true,
                _ => return Err(e_badopt()),
            }
        }
        Ok(literal)
    }

    fn skip_space(&mut self) {
        if !self.expanded {
            return;
        }
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.i += 1;
            } else if c == '#' {
                while let Some(c) = self.peek() {
                    self.i += 1;
                    if c == '\n' {
                        break;
                    }
                }
            } else {
                break;
            }
        }
    }

    fn parse_regex(&mut self, depth: usize) -> Result<(), Exception> {
        if depth > 200 {
            return Err(e_toobig());
        }
        loop {
            self.parse_branch(depth)?;
            self.skip_space();
            if self.peek() == Some('|') {
                self.i += 1;
                self.out.push('|');
                continue;
            }
            return Ok(());
        }
    }

    fn parse_branch(&mut self, depth: usize) -> Result<(), Exception> {
        // Whether the last thing emitted can take a quantifier.
        let mut quantifiable = false;
        let mut empty = true;
        loop {
            self.skip_space();
            let Some(c) = self.peek() else { break };
            match c {
                '|' | ')' => break,
                '*' | '+' | '?' => {
                    if !quantifiable {
                        return Err(e_badrpt());
                    }
                    self.i += 1;
                    self.out.push(c);
                    if c != '+' {
                        self.about |= U_EMPTYMATCH;
                    }
                    self.lazy_suffix();
                    quantifiable = false;
                    continue;
                }
                '{' if self.peek_at(1).is_some_and(|d| d.is_ascii_digit()) => {
                    if !quantifiable {
                        return Err(e_badrpt());
                    }
                    self.i += 1;
                    self.bound()?;
                    self.lazy_suffix();
                    quantifiable = false;
                    continue;
                }
                _ => {}
            }
            empty = false;
            self.i += 1;
            quantifiable = match c {
                '(' => self.group(depth)?,
                '.' => {
                    self.out.push('.');
                    true
                }
                '^' => {
                    self.has_caret = true;
                    self.out.push_str(match (self.nlanch, self.notbol) {
                        (false, false) => "\\A",
                        (false, true) => "[^\\x{0}-\\x{10FFFF}]",
                        (true, false) => "(?m:^)",
                        (true, true) => "(?<=\\x{A})",
                    });
                    false
                }
                '$' => {
                    self.out.push_str(if self.nlanch { "(?m:$)" } else { "\\z" });
                    false
                }
                '[' => self.bracket()?,
                '\\' => self.escape()?,
                other => {
                    push_lit(&mut self.out, other);
                    true
                }
            };
        }
        if empty {
            self.about |= U_EMPTYMATCH;
        }
        Ok(())
    }

    fn lazy_suffix(&mut self) {
        if self.peek() == Some('?') {
            self.i += 1;
            self.out.push('?');
            self.about |= U_SHORTEST | U_NONPOSIX;
        }
    }

    /// After `{`: m, m, or m,n then `}`.
    fn bound(&mut self) -> Result<(), Exception> {
        let read_num = |tr: &mut Tr| -> Option<u32> {
            let start = tr.i;
            let mut v: u32 = 0;
            while let Some(d) = tr.peek().and_then(|c| c.to_digit(10)) {
                v = v.saturating_mul(10).saturating_add(d);
                tr.i += 1;
            }
            (tr.i > start).then_some(v)
        };
        let m = read_num(self).ok_or_else(e_badbr)?;
        let mut n = Some(m);
        if self.peek() == Some(',') {
            self.i += 1;
            n = read_num(self);
        }
        match self.peek() {
            Some('}') => self.i += 1,
            None => return Err(e_brace()),
            Some(_) => return Err(e_badbr()),
        }
        if m > 255 || n.is_some_and(|n| n > 255 || n < m) {
            return Err(e_badbr());
        }
        self.about |= U_BOUNDS;
        if m == 0 {
            self.about |= U_EMPTYMATCH;
        }
        match n {
            Some(n) if n == m => self.out.push_str(&format!("{{{m}}}")),
            Some(n) => self.out.push_str(&format!("{{{m},{n}}}")),
            None => self.out.push_str(&format!("{{{m},}}")),
        }
        Ok(())
    }

    /// After `(`. Returns whether the group is quantifiable.
    fn group(&mut self, depth: usize) -> Result<bool, Exception> {
        let mut quantifiable = true;
        if self.peek() == Some('?') {
            match self.peek_at(1) {
                Some(':') => self.out.push_str("(?:"),
                Some('=') => {
                    self.out.push_str("(?=");
                    quantifiable = false;
                    self.about |= U_LOOKAHEAD;
                }
                Some('!') => {
                    self.out.push_str("(?!");
                    quantifiable = false;
                    self.about |= U_LOOKAHEAD;
                }
                _ => return Err(e_badrpt()),
            }
            self.about |= U_NONPOSIX;
            self.i += 2;
        } else {
            self.nsub += 1;
            self.out.push('(');
        }
        self.parse_regex(depth + 1)?;
        if self.peek() != Some(')') {
            return Err(e_paren());
        }
        self.i += 1;
        self.out.push(')');
        Ok(quantifiable)
    }

    /// Reads up to `max` digits of `base`; error when fewer than `min`.
    fn digits(&mut self, base: u32, min: usize, max: usize) -> Result<u32, Exception> {
        let mut v: u32 = 0;
        let mut n = 0;
        while n < max {
            let Some(d) = self.peek().and_then(|c| c.to_digit(base)) else { break };
            v = v.saturating_mul(base).saturating_add(d);
            self.i += 1;
            n += 1;
        }
        if n < min {
            return Err(e_escape());
        }
        Ok(v)
    }

    fn char_of(v: u32) -> Result<char, Exception> {
        char::from_u32(v).ok_or_else(e_escape)
    }

    /// A character-entry escape (the letter already read), shared by
    /// bracket and non-bracket contexts. `None` if `c` is not one.
    fn char_entry(&mut self, c: char) -> Result<Option<char>, Exception> {
        Ok(Some(match c {
            'a' => '\x07',
            'b' => '\x08',
            'B' => '\\',
            'c' => {
                let Some(x) = self.peek() else {
                    return Err(e_escape());
                };
                self.i += 1;
                Self::char_of(x as u32 & 0x1f)?
            }
            'e' => '\x1b',
            'f' => '\x0c',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\x0b',
            'u' => {
                let v = self.digits(16, 4, 4)?;
                Self::char_of(v)?
            }
            'U' => {
                let v = self.digits(16, 8, 8)?;
                Self::char_of(v)?
            }
            'x' => {
                self.about |= U_UNPORT;
                let v = self.digits(16, 1, 255)?;
                Self::char_of(v)?
            }
            '0' => {
                self.about |= U_UNPORT;
                self.i -= 1;
                self.octal()?
            }
            _ => return Ok(None),
        }))
    }

    /// Up to three octal digits at the current position.
    fn octal(&mut self) -> Result<char, Exception> {
        let start = self.i;
        let mut v = self.digits(8, 1, 3)?;
        if v > 0xff {
            self.i = start + 2;
            v >>= 3;
        }
        Self::char_of(v)
    }

    /// After `\` outside brackets. Returns whether quantifiable.
    fn escape(&mut self) -> Result<bool, Exception> {
        let Some(c) = self.peek() else {
            return Err(e_escape());
        };
        self.i += 1;
        if let Some(ch) = self.char_entry(c)? {
            push_lit(&mut self.out, ch);
            return Ok(true);
        }
        let nl = if self.nlstop { "\\x{A}" } else { "" };
        match c {
            '1'..='9' => {
                let save = self.i;
                self.i -= 1;
                let n = self.digits(10, 1, 255)?;
                if self.i - save == 0 || (n > 0 && n as usize <= self.nsub) {
                    if n as usize > self.nsub {
                        return Err(e_subreg());
                    }
                    self.about |= U_BACKREF;
                    self.out.push_str(&format!("(?:\\{n})"));
                } else {
                    self.i = save - 1;
                    self.about |= U_UNPORT;
                    let ch = self.octal()?;
                    push_lit(&mut self.out, ch);
                }
                Ok(true)
            }
            'A' => {
                self.out.push_str("\\A");
                Ok(false)
            }
            'Z' => {
                self.out.push_str("\\z");
                Ok(false)
            }
            'm' | 'M' | 'y' | 'Y' => {
                self.about |= U_NONPOSIX;
                self.out.push_str(match c {
                    'm' => "\\<",
                    'M' => "\\>",
                    'y' => "\\b",
                    _ => "\\B",
                });
                Ok(false)
            }
            'd' | 's' | 'w' | 'D' | 'S' | 'W' => {
                self.about |= U_NONPOSIX | U_LOCALE;
                let s = match c {
                    'd' => "\\p{Nd}".to_owned(),
                    's' => "\\s".to_owned(),
                    'w' => format!("[{WORD_CLASS}]"),
                    'D' => format!("[^\\p{{Nd}}{nl}]"),
                    'S' => "\\S".to_owned(),
                    _ => format!("[^{WORD_CLASS}{nl}]"),
                };
                self.out.push_str(&s);
                Ok(true)
            }
            c if c.is_alphanumeric() => Err(e_escape()),
            c => {
                push_lit(&mut self.out, c);
                Ok(true)
            }
        }
    }

    /// After `[`. Returns whether quantifiable.
    fn bracket(&mut self) -> Result<bool, Exception> {
        let rest: String = self.p[self.i..self.p.len().min(self.i + 6)].iter().collect();
        if rest == "[:<:]]" || rest == "[:>:]]" {
            self.i += 6;
            self.out.push_str(if rest.as_bytes()[2] == b'<' { "\\<" } else { "\\>" });
            return Ok(false);
        }
        let mut negate = false;
        if self.peek() == Some('^') {
            negate = true;
            self.i += 1;
        }
        let mut items = String::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err(e_brack());
            };
            self.i += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            let start = self.bracket_item(c)?;
            let is_range = self.peek() == Some('-') && self.peek_at(1).is_some_and(|n| n != ']');
            match start {
                BItem::Char(lo) if is_range => {
                    self.i += 1;
                    let Some(e) = self.peek() else {
                        return Err(e_brack());
                    };
                    self.i += 1;
                    let hi = match self.bracket_item(e)? {
                        BItem::Char(hi) => hi,
                        BItem::Class(_) => return Err(e_range()),
                    };
                    if hi < lo {
                        return Err(e_range());
                    }
                    push_class_char(&mut items, lo);
                    items.push('-');
                    push_class_char(&mut items, hi);
                }
                BItem::Class(_) if is_range => return Err(e_range()),
                BItem::Char(ch) => push_class_char(&mut items, ch),
                BItem::Class(s) => items.push_str(&s),
            }
        }
        if negate && self.nlstop {
            items.push_str("\\x{A}");
        }
        self.out.push('[');
        if negate {
            self.out.push('^');
        }
        self.out.push_str(&items);
        self.out.push(']');
        Ok(true)
    }

    /// One element inside brackets, starting with `c` (already consumed).
    fn bracket_item(&mut self, c: char) -> Result<BItem, Exception> {
        if c == '[' {
            if let Some(kind @ (':' | '.' | '=')) = self.peek() {
                self.i += 1;
                let start = self.i;
                loop {
                    match self.peek() {
                        None => return Err(e_brack()),
                        Some(k) if k == kind && self.peek_at(1) == Some(']') => break,
                        Some(_) => self.i += 1,
                    }
                }
                let name: String = self.p[start..self.i].iter().collect();
                self.i += 2;
                return match kind {
                    ':' => {
                        self.about |= U_LOCALE;
                        named_class(&name).map(|s| BItem::Class(s.to_owned())).ok_or_else(e_ctype)
                    }
                    _ => {
                        let mut chars = name.chars();
                        match (chars.next(), chars.next()) {
                            (Some(ch), None) => Ok(BItem::Char(ch)),
                            _ if kind == '.' => named_collating(&name).map(BItem::Char).ok_or_else(e_collate),
                            _ => Err(e_collate()),
                        }
                    }
                };
            }
            return Ok(BItem::Char('['));
        }
        if c != '\\' {
            return Ok(BItem::Char(c));
        }
        let Some(e) = self.peek() else {
            return Err(e_escape());
        };
        self.i += 1;
        if let Some(ch) = self.char_entry(e)? {
            return Ok(BItem::Char(ch));
        }
        match e {
            'd' => {
                self.about |= U_NONPOSIX | U_LOCALE;
                Ok(BItem::Class("\\p{Nd}".to_owned()))
            }
            's' => {
                self.about |= U_NONPOSIX | U_LOCALE;
                Ok(BItem::Class("\\s".to_owned()))
            }
            'w' => {
                self.about |= U_NONPOSIX | U_LOCALE;
                Ok(BItem::Class(WORD_CLASS.to_owned()))
            }
            e if e.is_alphanumeric() => Err(e_escape()),
            e => Ok(BItem::Char(e)),
        }
    }
}

// ----- compiled expressions and the cache ----------------------------------

/// A compiled expression.
#[derive(Debug)]
pub struct CompiledRe {
    regex: fancy_regex::Regex,
    /// Number of capturing groups.
    pub nsub: usize,
    about: u32,
    has_caret: bool,
    source: String,
    flags: RegexFlags,
}

/// Byte ranges of a match and its groups (`None`: group did not take
/// part), relative to the text searched.
pub type Groups = Vec<Option<(usize, usize)>>;

fn match_error(e: fancy_regex::Error) -> Exception {
    Exception::error_code(format!("error while matching regular expression: {e}"), &["REGEXP", "MATCH", &e.to_string()])
}

impl CompiledRe {
    /// True when the expression matches somewhere in `s`.
    pub fn is_match(&self, s: &str) -> Result<bool, Exception> {
        self.regex.is_match(s).map_err(match_error)
    }

    /// The first match in `text`, as byte ranges.
    pub fn captures(&self, text: &str) -> Result<Option<Groups>, Exception> {
        let Some(caps) = self.regex.captures(text).map_err(match_error)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.nsub + 1);
        for i in 0..=self.nsub {
            out.push(caps.get(i).map(|m| (m.start(), m.end())));
        }
        Ok(Some(out))
    }

    /// `regexp -about`: `{nsub {flags...}}`.
    pub fn about(&self) -> Value {
        let mut about = self.about;
        if self.regex.is_match("").unwrap_or(false) {
            about |= U_EMPTYMATCH;
        } else {
            about &= !U_EMPTYMATCH;
        }
        let names: Vec<Value> = ABOUT_NAMES
            .iter()
            .enumerate()
            .filter(|(i, _)| about & (1 << i) != 0)
            .map(|(_, n)| Value::from(*n))
            .collect();
        Value::list(vec![Value::int(self.nsub as i64), Value::list(names)])
    }

    /// The first match in `text`, where `text` does not start at a line
    /// beginning when `notbol` (so `^` cannot match at its start).
    pub fn captures_notbol(&self, text: &str, notbol: bool) -> Result<Option<Groups>, Exception> {
        if notbol && self.has_caret {
            let variant = compile_variant(&self.source, self.flags, true)?;
            variant.captures(text)
        } else {
            self.captures(text)
        }
    }
}

fn build(pattern: &str, flags: RegexFlags, notbol: bool) -> Result<CompiledRe, Exception> {
    let t = translate(pattern, flags, notbol)?;
    let regex = fancy_regex::RegexBuilder::new(&t.pattern)
        .delegate_size_limit(ENGINE_SIZE_LIMIT)
        .delegate_dfa_size_limit(ENGINE_SIZE_LIMIT)
        .build()
        .map_err(|e| match &e {
            fancy_regex::Error::CompileError(fancy_regex::CompileError::InnerError(inner))
                if inner.size_limit().is_some() =>
            {
                e_toobig()
            }
            other => re_error("REG_BADPAT", &format!("invalid regular expression ({other})")),
        })?;
    Ok(CompiledRe { regex, nsub: t.nsub, about: t.about, has_caret: t.has_caret, source: pattern.to_owned(), flags })
}

/// A small least-recently-used cache of compiled expressions.
pub struct RegexCache {
    capacity: usize,
    /// Most recently used last.
    entries: Vec<((String, RegexFlags, bool), Rc<CompiledRe>)>,
}

impl RegexCache {
    pub fn new(capacity: usize) -> RegexCache {
        RegexCache { capacity: capacity.max(1), entries: Vec::new() }
    }

    /// The compiled form of `pattern`, compiling it on a miss.
    pub fn get(&mut self, pattern: &str, flags: RegexFlags, notbol: bool) -> Result<Rc<CompiledRe>, Exception> {
        if let Some(pos) = self.entries.iter().position(|((p, f, n), _)| *f == flags && *n == notbol && p == pattern) {
            let e = self.entries.remove(pos);
            let re = e.1.clone();
            self.entries.push(e);
            return Ok(re);
        }
        let re = Rc::new(build(pattern, flags, notbol)?);
        if self.entries.len() >= self.capacity {
            self.entries.remove(0);
        }
        self.entries.push(((pattern.to_owned(), flags, notbol), re.clone()));
        Ok(re)
    }
}

thread_local! {
    static CACHE: RefCell<RegexCache> = RefCell::new(RegexCache::new(64));
}

fn compile_variant(pattern: &str, flags: RegexFlags, notbol: bool) -> Result<Rc<CompiledRe>, Exception> {
    CACHE.with(|c| c.borrow_mut().get(pattern, flags, notbol))
}

/// Compiles (or fetches from the per-thread cache) a Tcl regular
/// expression.
pub fn compile(pattern: &str, flags: RegexFlags) -> Result<Rc<CompiledRe>, Exception> {
    compile_variant(pattern, flags, false)
}

// ----- option parsing ------------------------------------------------------

/// Exact option lookup (Tcl_GetIndexFromObj with TCL_EXACT).
fn exact_option(word: &str, table: &[&str]) -> Result<usize, Exception> {
    table.iter().position(|t| *t == word).ok_or_else(|| Exception::bad_index("option", word, table, false))
}

/// A character index resolved against a string of `len` characters, where
/// `end` is `len` (as `-start` in regexp/regsub).
fn start_index(v: &Value, len: usize) -> Result<usize, Exception> {
    let form = super::list::parse_index_form(v)?;
    Ok(form.resolve(len as i64).max(0) as usize)
}

/// Byte offset of character `c` in `s` (the length when past the end).
fn byte_of_char(s: &str, c: usize) -> usize {
    s.char_indices().nth(c).map_or(s.len(), |(b, _)| b)
}

/// `regexp`'s arguments.
#[derive(Clone, Debug)]
pub struct RegexpArgs {
    pub flags: RegexFlags,
    pub all: bool,
    pub inline: bool,
    pub indices: bool,
    pub about: bool,
    pub start: Option<Value>,
    pub exp: Value,
    /// Absent only with `-about`.
    pub string: Option<Value>,
    /// matchVar and subMatchVar names.
    pub var_names: Vec<Value>,
}

const REGEXP_OPTIONS: &[&str] = &[
    "-all",
    "-about",
    "-indices",
    "-inline",
    "-expanded",
    "-line",
    "-linestop",
    "-lineanchor",
    "-nocase",
    "-start",
    "--",
];

/// Parses `regexp ?switches? exp string ?matchVar? ?subMatchVar ...?`.
pub fn regexp_parse(args: &[Value]) -> Result<RegexpArgs, Exception> {
    let usage = "?-option ...? exp string ?matchVar? ?subMatchVar ...?";
    let mut r = RegexpArgs {
        flags: RegexFlags::default(),
        all: false,
        inline: false,
        indices: false,
        about: false,
        start: None,
        exp: Value::empty(),
        string: None,
        var_names: Vec::new(),
    };
    let mut i = 1;
    while i < args.len() {
        let word = args[i].as_str();
        if !word.starts_with('-') {
            break;
        }
        match REGEXP_OPTIONS[exact_option(&word, REGEXP_OPTIONS)?] {
            "-all" => r.all = true,
            "-about" => r.about = true,
            "-indices" => r.indices = true,
            "-inline" => r.inline = true,
            "-expanded" => r.flags.expanded = true,
            "-line" => {
                r.flags.linestop = true;
                r.flags.lineanchor = true;
            }
            "-linestop" => r.flags.linestop = true,
            "-lineanchor" => r.flags.lineanchor = true,
            "-nocase" => r.flags.nocase = true,
            "-start" => {
                i += 1;
                if i >= args.len() {
                    return Err(Exception::wrong_args(args, 1, usage));
                }
                super::list::parse_index_form(&args[i])?;
                r.start = Some(args[i].clone());
            }
            _ => {
                i += 1;
                break;
            }
        }
        i += 1;
    }
    let rest = args.len() - i.min(args.len());
    if rest < 2 - usize::from(r.about) {
        return Err(Exception::wrong_args(args, 1, usage));
    }
    r.exp = args[i].clone();
    r.string = args.get(i + 1).cloned();
    if args.len() > i + 2 {
        r.var_names = args[i + 2..].to_vec();
    }
    if r.inline && !r.var_names.is_empty() {
        return Err(Exception::error_code(
            "regexp match variables not allowed when using -inline",
            &["TCL", "OPERATION", "REGEXP", "MIX_VAR_INLINE"],
        ));
    }
    Ok(r)
}

/// What a `regexp` call produces.
#[derive(Clone, Debug)]
pub struct RegexpOutcome {
    /// The command's result: 1/0 (or the match count with `-all`), or the
    /// list for `-inline` (or `-about`'s description).
    pub result: Value,
    /// `(variable name, value)` pairs to set, in order: the match and
    /// submatches of the last match found (strings, or `{first last}`
    /// character index pairs with `-indices`; `""` / `{-1 -1}` for groups
    /// that did not take part and for extra variables). Empty when nothing
    /// matched, in which case Tcl leaves the variables untouched.
    pub assignments: Vec<(Value, Value)>,
}

/// Runs `regexp` (everything but setting variables).
pub fn regexp_match(interp: &mut Interp, args: &[Value]) -> Result<RegexpOutcome, Exception> {
    let a = regexp_parse(args)?;
    let re = compile(&a.exp.as_str(), a.flags)?;
    if a.about {
        return Ok(RegexpOutcome { result: re.about(), assignments: Vec::new() });
    }
    let subject = a.string.clone().unwrap_or_default();
    let s = subject.as_str();
    let slen = s.chars().count();
    let mut offset = match &a.start {
        Some(v) => start_index(v, slen)?,
        None => 0,
    };
    let mut all: usize = usize::from(a.all);
    let mut force_notbol = false;
    let mut inline_out: Vec<Value> = Vec::new();
    let mut last_vars: Vec<Value> = Vec::new();
    // Byte position of character min(offset, slen).
    let mut search_b = byte_of_char(&s, offset.min(slen));
    loop {
        let notbol = force_notbol || (offset > 0 && (offset > slen || !s[..search_b].ends_with('\n')));
        let Some(groups) = re.captures_notbol(&s[search_b..], notbol)? else {
            if all <= 1 {
                return Ok(RegexpOutcome {
                    result: if a.inline { Value::empty() } else { Value::int(0) },
                    assignments: Vec::new(),
                });
            }
            break;
        };
        let count = if a.inline { re.nsub + 1 } else { a.var_names.len() };
        let hay = &s[search_b..];
        let mut vals = Vec::with_capacity(count);
        for g in (0..count).map(|i| groups.get(i).copied().flatten()) {
            let v = match g {
                Some((gs, ge)) => {
                    if a.indices {
                        let cs = offset + hay[..gs].chars().count();
                        let ce = offset + hay[..ge].chars().count();
                        Value::list(vec![Value::int(cs as i64), Value::int(ce as i64 - 1)])
                    } else {
                        Value::from(&hay[gs..ge])
                    }
                }
                None => {
                    if a.indices {
                        Value::list(vec![Value::int(-1), Value::int(-1)])
                    } else {
                        Value::empty()
                    }
                }
            };
            vals.push(v);
        }
        if a.inline {
            interp.check_list_growth(inline_out.len() + vals.len(), vals.len())?;
            inline_out.extend(vals);
        } else {
            last_vars = vals;
        }
        if all == 0 {
            break;
        }
        // Resume after the match; after an empty match, one character on.
        let (start_b, end_b) = groups[0].unwrap_or((0, 0));
        offset += hay[..end_b].chars().count();
        search_b += end_b;
        if start_b == end_b {
            offset += 1;
            search_b += s[search_b..].chars().next().map_or(0, char::len_utf8);
        }
        all += 1;
        force_notbol = true;
        if offset >= slen {
            break;
        }
    }
    let result = if a.inline { Value::list(inline_out) } else { Value::int(if all > 0 { all as i64 - 1 } else { 1 }) };
    Ok(RegexpOutcome { result, assignments: a.var_names.iter().cloned().zip(last_vars).collect() })
}

pub(crate) fn regexp_cmd(interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    let out = regexp_match(interp, args)?;
    for (name, value) in out.assignments {
        interp.set_var_value(&name.as_str(), value)?;
    }
    Ok(out.result)
}

// ----- regsub --------------------------------------------------------------

/// `regsub`'s arguments.
#[derive(Clone, Debug)]
pub struct RegsubArgs {
    pub flags: RegexFlags,
    pub all: bool,
    pub start: Option<Value>,
    pub exp: Value,
    pub string: Value,
    pub subspec: Value,
    /// With a variable, Tcl stores the new string there and returns the
    /// number of substitutions.
    pub var_name: Option<Value>,
}

const REGSUB_OPTIONS: &[&str] = &["-all", "-nocase", "-expanded", "-line", "-linestop", "-lineanchor", "-start", "--"];

/// Parses `regsub ?switches? exp string subSpec ?varName?`.
pub fn regsub_parse(args: &[Value]) -> Result<RegsubArgs, Exception> {
    let usage = "?-option ...? exp string subSpec ?varName?";
    let mut flags = RegexFlags::default();
    let mut all = false;
    let mut start = None;
    let mut i = 1;
    while i < args.len() {
        let word = args[i].as_str();
        if !word.starts_with('-') {
            break;
        }
        match REGSUB_OPTIONS[exact_option(&word, REGSUB_OPTIONS)?] {
            "-all" => all = true,
            "-nocase" => flags.nocase = true,
            "-expanded" => flags.expanded = true,
            "-line" => {
                flags.linestop = true;
                flags.lineanchor = true;
            }
            "-linestop" => flags.linestop = true,
            "-lineanchor" => flags.lineanchor = true,
            "-start" => {
                i += 1;
                if i >= args.len() {
                    return Err(Exception::wrong_args(args, 1, usage));
                }
                super::list::parse_index_form(&args[i])?;
                start = Some(args[i].clone());
            }
            _ => {
                i += 1;
                break;
            }
        }
        i += 1;
    }
    let rest = args.len().saturating_sub(i);
    if !(3..=4).contains(&rest) {
        return Err(Exception::wrong_args(args, 1, usage));
    }
    Ok(RegsubArgs {
        flags,
        all,
        start,
        exp: args[i].clone(),
        string: args[i + 1].clone(),
        subspec: args[i + 2].clone(),
        var_name: args.get(i + 3).cloned(),
    })
}

enum SubPart {
    Lit(String),
    Group(usize),
}

/// Splits a substitution spec: `&` and `\0` are the match, `\1`..`\9`
/// groups, `\\` and `\&` literal; any other backslash stays as it is.
fn parse_subspec(spec: &str) -> Vec<SubPart> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        let group = match c {
            '&' => Some(0),
            '\\' => match chars.peek().copied() {
                Some(d @ '0'..='9') => {
                    chars.next();
                    Some(d as usize - '0' as usize)
                }
                Some(x @ ('\\' | '&')) => {
                    chars.next();
                    lit.push(x);
                    None
                }
                _ => {
                    lit.push('\\');
                    None
                }
            },
            other => {
                lit.push(other);
                None
            }
        };
        if let Some(g) = group {
            if !lit.is_empty() {
                parts.push(SubPart::Lit(std::mem::take(&mut lit)));
            }
            parts.push(SubPart::Group(g));
        }
    }
    if !lit.is_empty() {
        parts.push(SubPart::Lit(lit));
    }
    parts
}

/// Runs `regsub` (whether or not a variable name is given): returns the new
/// string and the number of substitutions made. With no match the string is
/// returned unchanged.
pub fn regsub_apply(interp: &mut Interp, args: &[Value]) -> Result<(String, usize), Exception> {
    let a = regsub_parse(args)?;
    let s = a.string.as_str();
    let spec = a.subspec.as_str();
    let exp = a.exp.as_str();
    let wlen = s.chars().count();
    let mut offset = match &a.start {
        Some(v) => start_index(v, wlen)?,
        None => 0,
    };
    // Tcl's literal fast path: with -all, an empty pattern inserts the
    // substitution before every character (and not at the end).
    if a.all && offset == 0 && exp.is_empty() && !spec.contains(['&', '\\']) {
        let mut out = String::new();
        interp.check_string(s.len().saturating_add(spec.len().saturating_mul(wlen)))?;
        for c in s.chars() {
            out.push_str(&spec);
            out.push(c);
        }
        return Ok((out, wlen));
    }
    let re = compile(&exp, a.flags)?;
    let parts = parse_subspec(&spec);
    let mut out = String::new();
    let mut charged = 0usize;
    let mut count = 0usize;
    let mut off_b = byte_of_char(&s, offset.min(wlen));
    while offset <= wlen {
        let notbol = offset > 0 && !s[..off_b].ends_with('\n');
        let Some(groups) = re.captures_notbol(&s[off_b..], notbol)? else {
            break;
        };
        if count == 0 {
            out.push_str(&s[..off_b]);
        }
        count += 1;
        let (ms, me) = groups[0].unwrap_or((0, 0));
        out.push_str(&s[off_b..off_b + ms]);
        for part in &parts {
            match part {
                SubPart::Lit(l) => out.push_str(l),
                SubPart::Group(g) => {
                    if let Some(Some((gs, ge))) = groups.get(*g) {
                        out.push_str(&s[off_b + gs..off_b + ge]);
                    }
                }
            }
        }
        interp.check_string_growth(out.len(), out.len() - charged)?;
        charged = out.len();
        let step_one = |offset: &mut usize, off_b: &mut usize, out: &mut String| {
            if let Some(c) = s[*off_b..].chars().next() {
                out.push(c);
                *off_b += c.len_utf8();
            }
            *offset += 1;
        };
        if me == 0 {
            step_one(&mut offset, &mut off_b, &mut out);
        } else {
            offset += s[off_b..off_b + me].chars().count();
            off_b += me;
            if ms == me {
                step_one(&mut offset, &mut off_b, &mut out);
            }
        }
        if !a.all {
            break;
        }
    }
    if count == 0 {
        return Ok((s.into_owned(), 0));
    }
    if off_b < s.len() {
        out.push_str(&s[off_b..]);
    }
    interp.check_string_growth(out.len(), out.len() - charged)?;
    Ok((out, count))
}

pub(crate) fn regsub_cmd(interp: &mut Interp, args: &[Value]) -> Result<Value, Exception> {
    let (text, count) = regsub_apply(interp, args)?;
    if let Some(var) = regsub_parse(args)?.var_name {
        interp.set_var_value(&var.as_str(), Value::from_string(text))?;
        return Ok(Value::Int(count as i64));
    }
    Ok(Value::from_string(text))
}

/// Does `pattern` match anywhere in `s`? (switch -regexp, array names -regexp)
pub fn simple_match(pattern: &str, s: &str, nocase: bool) -> Result<bool, Exception> {
    compile(pattern, RegexFlags { nocase, ..Default::default() })?.is_match(s)
}

/// The match of `pattern` in `s`: for each group (0 = whole match), its
/// character range, or `None` when the group did not take part.
pub fn captures(pattern: &str, s: &str, nocase: bool) -> Result<Option<Groups>, Exception> {
    let groups = compile(pattern, RegexFlags { nocase, ..Default::default() })?.captures(s)?;
    let to_char = |b: usize| s.get(..b).map(|p| p.chars().count()).unwrap_or(0);
    Ok(groups.map(|g| g.into_iter().map(|r| r.map(|(a, b)| (to_char(a), to_char(b)))).collect()))
}

#[cfg(test)]
mod tests;
