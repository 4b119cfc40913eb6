//! The Tcl parser: the twelve rules of Tcl syntax, turning script text into
//! commands made of words made of parts (literal text, variable and command
//! substitutions). Positions are byte offsets into the parsed source so that
//! the compiler can record where every command came from (for errorInfo).

use crate::list::parse_backslash;

/// A parse error with Tcl's message and the byte offset where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub offset: usize,
}

/// One command of a script.
#[derive(Debug, Clone)]
pub struct Command {
    /// Byte range of the command text as Tcl reports it in errorInfo:
    /// from the first word to the end, without the terminator.
    pub start: usize,
    pub end: usize,
    pub words: Vec<Word>,
}

/// One word of a command.
#[derive(Debug, Clone)]
pub struct Word {
    pub parts: Vec<Part>,
    /// Prefixed by `{*}`.
    pub expand: bool,
    /// Byte range of the word in the source (including braces/quotes).
    pub start: usize,
    pub end: usize,
    /// A braced word: its text is literal and `body_start` is where the text
    /// inside the braces begins in the source (for compiling it in place).
    pub braced: bool,
}

/// A piece of a word.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Literal text (backslash sequences already substituted).
    Text(String),
    /// `$name` or `$name(index)` or `${name}`.
    Var { name: String, index: Option<Vec<Part>> },
    /// `[script]`: the byte range of the script inside the brackets.
    Script { start: usize, end: usize },
}

impl Word {
    /// The word's value if it has no substitutions.
    pub fn literal(&self) -> Option<String> {
        if self.expand {
            return None;
        }
        literal_of(&self.parts)
    }
}

/// The text of `parts` if all are literal.
pub fn literal_of(parts: &[Part]) -> Option<String> {
    match parts {
        [] => Some(String::new()),
        [Part::Text(t)] => Some(t.clone()),
        _ => {
            let mut s = String::new();
            for p in parts {
                match p {
                    Part::Text(t) => s.push_str(t),
                    _ => return None,
                }
            }
            Some(s)
        }
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Deepest nesting of `[...]` the parser accepts: a bound on its recursion.
pub const MAX_SYNTAX_NESTING: usize = 100;

/// A parser over one source string.
pub struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    end: usize,
    /// Inside `[...]`: `]` ends the script.
    nested: bool,
    /// Bracket nesting depth of this parser.
    depth: usize,
}

impl<'a> Parser<'a> {
    /// Parses `src[start..end]` as a script.
    pub fn new(src: &'a str, start: usize, end: usize, nested: bool) -> Parser<'a> {
        Parser { src, b: src.as_bytes(), pos: start, end, nested, depth: 0 }
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    /// `$...` at the current position (see `parse_variable`).
    pub fn variable_here(&mut self) -> Result<Option<Part>, ParseError> {
        self.parse_variable()
    }

    /// `[script]` at the current position.
    pub fn command_subst_here(&mut self) -> Result<Part, ParseError> {
        self.parse_command_subst()
    }

    /// A `"quoted"` string at the current position (at the quote).
    pub fn quoted_here(&mut self) -> Result<Vec<Part>, ParseError> {
        let start = self.pos;
        self.pos += 1;
        let parts = self.parse_parts(Terminator::Quote)?;
        if self.pos >= self.end || self.b[self.pos] != b'"' {
            return Err(self.error("missing \"", start));
        }
        self.pos += 1;
        Ok(parts)
    }

    /// A `{braced}` string at the current position.
    pub fn braced_here(&mut self) -> Result<String, ParseError> {
        self.parse_braced()
    }

    /// The next command, `None` at the end of the script.
    pub fn next_command(&mut self) -> Result<Option<Command>, ParseError> {
        // Skip whitespace, terminators and comments.
        loop {
            while self.pos < self.end
                && (is_space(self.b[self.pos]) || self.b[self.pos] == b'\n' || self.b[self.pos] == b';')
            {
                self.pos += 1;
            }
            if self.at_backslash_newline() {
                self.skip_backslash_newline();
                continue;
            }
            if self.pos < self.end && self.b[self.pos] == b'#' {
                self.skip_comment();
                continue;
            }
            break;
        }
        if self.pos >= self.end {
            return Ok(None);
        }
        if self.nested && self.b[self.pos] == b']' {
            return Ok(None);
        }
        let start = self.pos;
        let mut words = Vec::new();
        loop {
            self.skip_word_space();
            if self.pos >= self.end {
                break;
            }
            let c = self.b[self.pos];
            if c == b'\n' || c == b';' {
                break;
            }
            if self.nested && c == b']' {
                break;
            }
            words.push(self.parse_word()?);
        }
        let mut end = self.pos;
        // Consume the terminator (not the `]` of a nested script).
        if self.pos < self.end && (self.b[self.pos] == b'\n' || self.b[self.pos] == b';') {
            self.pos += 1;
        } else {
            // No terminator: Tcl keeps trailing spaces in the command text.
            end = self.pos;
        }
        Ok(Some(Command { start, end, words }))
    }

    fn at_backslash_newline(&self) -> bool {
        self.pos + 1 < self.end && self.b[self.pos] == b'\\' && self.b[self.pos + 1] == b'\n'
    }

    fn skip_backslash_newline(&mut self) {
        self.pos += 2;
        while self.pos < self.end && is_space(self.b[self.pos]) {
            self.pos += 1;
        }
    }

    fn skip_comment(&mut self) {
        while self.pos < self.end {
            match self.b[self.pos] {
                b'\\' if self.pos + 1 < self.end => self.pos += 2,
                b'\n' => {
                    self.pos += 1;
                    return;
                }
                _ => self.pos += 1,
            }
        }
    }

    fn skip_word_space(&mut self) {
        loop {
            while self.pos < self.end && is_space(self.b[self.pos]) {
                self.pos += 1;
            }
            if self.at_backslash_newline() {
                self.skip_backslash_newline();
                continue;
            }
            break;
        }
    }

    fn error(&self, msg: &str, offset: usize) -> ParseError {
        ParseError { message: msg.to_owned(), offset }
    }

    /// After a braced or quoted word: the next character must end the word.
    fn check_word_end(&self, what: &str) -> Result<(), ParseError> {
        if self.pos >= self.end {
            return Ok(());
        }
        let c = self.b[self.pos];
        if is_space(c) || c == b'\n' || c == b';' || (self.nested && c == b']') || self.at_backslash_newline() {
            return Ok(());
        }
        Err(self.error(&format!("extra characters after close-{what}"), self.pos))
    }

    fn parse_word(&mut self) -> Result<Word, ParseError> {
        let start = self.pos;
        let mut expand = false;
        if self.src[self.pos..self.end].starts_with("{*}") && self.pos + 3 < self.end {
            let c = self.b[self.pos + 3];
            if !is_space(c) && c != b'\n' && c != b';' && !(self.nested && c == b']') {
                expand = true;
                self.pos += 3;
            }
        }
        let (parts, braced) = match self.b[self.pos] {
            b'{' => {
                let text = self.parse_braced()?;
                self.check_word_end("brace")?;
                (vec![Part::Text(text)], true)
            }
            b'"' => {
                self.pos += 1;
                let parts = self.parse_parts(Terminator::Quote)?;
                if self.pos >= self.end || self.b[self.pos] != b'"' {
                    return Err(self.error("missing \"", start));
                }
                self.pos += 1;
                self.check_word_end("quote")?;
                (parts, false)
            }
            _ => (self.parse_parts(Terminator::Word)?, false),
        };
        Ok(Word { parts, expand, start, end: self.pos, braced })
    }

    /// A braced word starting at `{`; returns its text.
    fn parse_braced(&mut self) -> Result<String, ParseError> {
        let open = self.pos;
        self.pos += 1;
        let mut depth = 1;
        let mut text = String::new();
        let mut chunk = self.pos;
        while self.pos < self.end {
            match self.b[self.pos] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        text.push_str(&self.src[chunk..self.pos]);
                        self.pos += 1;
                        return Ok(text);
                    }
                }
                b'\\' => {
                    if self.at_backslash_newline() {
                        text.push_str(&self.src[chunk..self.pos]);
                        self.skip_backslash_newline();
                        text.push(' ');
                        chunk = self.pos;
                        continue;
                    }
                    // The escaped character never counts as a brace.
                    self.pos += 1;
                    if self.pos < self.end {
                        self.pos += utf8_len(self.b[self.pos]);
                    }
                    continue;
                }
                _ => {}
            }
            self.pos += 1;
        }
        Err(self.error("missing close-brace", open))
    }

    /// Parts up to the end of a bare word, a quoted word or an array index.
    fn parse_parts(&mut self, term: Terminator) -> Result<Vec<Part>, ParseError> {
        let mut parts: Vec<Part> = Vec::new();
        let mut text = String::new();
        let mut chunk = self.pos;
        while self.pos < self.end {
            let c = self.b[self.pos];
            let stop = match term {
                Terminator::Word => is_space(c) || c == b'\n' || c == b';' || (self.nested && c == b']'),
                Terminator::Quote => c == b'"',
                Terminator::Paren => c == b')',
            };
            if stop {
                break;
            }
            match c {
                b'\\' => {
                    if term == Terminator::Word && self.at_backslash_newline() {
                        break;
                    }
                    text.push_str(&self.src[chunk..self.pos]);
                    let (ch, n) = parse_backslash(&self.src[self.pos..self.end]);
                    text.push(ch);
                    self.pos += n;
                    chunk = self.pos;
                }
                b'$' => {
                    text.push_str(&self.src[chunk..self.pos]);
                    if let Some(var) = self.parse_variable()? {
                        if !text.is_empty() {
                            parts.push(Part::Text(std::mem::take(&mut text)));
                        }
                        parts.push(var);
                    } else {
                        text.push('$');
                    }
                    chunk = self.pos;
                }
                b'[' => {
                    text.push_str(&self.src[chunk..self.pos]);
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(self.parse_command_subst()?);
                    chunk = self.pos;
                }
                _ => self.pos += 1,
            }
        }
        text.push_str(&self.src[chunk..self.pos]);
        if !text.is_empty() || parts.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(parts)
    }

    /// `[script]`, with `pos` at `[`.
    fn parse_command_subst(&mut self) -> Result<Part, ParseError> {
        let open = self.pos;
        if self.depth >= MAX_SYNTAX_NESTING {
            return Err(self.error("too many nested brackets", open));
        }
        let mut inner = Parser::new(self.src, self.pos + 1, self.end, true);
        inner.depth = self.depth + 1;
        while inner.next_command()?.is_some() {}
        if inner.pos >= self.end || self.b[inner.pos] != b']' {
            return Err(self.error("missing close-bracket", open));
        }
        let part = Part::Script { start: open + 1, end: inner.pos };
        self.pos = inner.pos + 1;
        Ok(part)
    }

    /// `$...` with `pos` at `$`; `None` (and `pos` past the `$`) when the
    /// dollar sign is literal.
    fn parse_variable(&mut self) -> Result<Option<Part>, ParseError> {
        let dollar = self.pos;
        self.pos += 1;
        if self.pos >= self.end {
            return Ok(None);
        }
        if self.b[self.pos] == b'{' {
            let close = match self.src[self.pos + 1..self.end].find('}') {
                Some(i) => self.pos + 1 + i,
                None => return Err(self.error("missing close-brace for variable name", dollar)),
            };
            let name = self.src[self.pos + 1..close].to_owned();
            self.pos = close + 1;
            return Ok(Some(Part::Var { name, index: None }));
        }
        let name_start = self.pos;
        loop {
            if self.pos < self.end && is_name_char(self.b[self.pos]) {
                self.pos += utf8_len(self.b[self.pos]);
            } else if self.pos + 1 < self.end && self.b[self.pos] == b':' && self.b[self.pos + 1] == b':' {
                self.pos += 2;
                while self.pos < self.end && self.b[self.pos] == b':' {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
        let name = self.src[name_start..self.pos.min(self.end)].to_owned();
        if self.pos < self.end && self.b[self.pos] == b'(' {
            self.pos += 1;
            let index = self.parse_parts(Terminator::Paren)?;
            if self.pos >= self.end || self.b[self.pos] != b')' {
                return Err(self.error("missing )", dollar));
            }
            self.pos += 1;
            return Ok(Some(Part::Var { name, index: Some(index) }));
        }
        if name.is_empty() {
            return Ok(None);
        }
        Ok(Some(Part::Var { name, index: None }))
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Terminator {
    Word,
    Quote,
    Paren,
}

/// Parses a whole script into commands (used by tests and `info complete`).
pub fn parse_script(src: &str) -> Result<Vec<Command>, ParseError> {
    let mut p = Parser::new(src, 0, src.len(), false);
    let mut out = Vec::new();
    while let Some(c) = p.next_command()? {
        out.push(c);
    }
    Ok(out)
}

/// The 1-based line of byte `offset` counted from `from`.
pub fn line_at(src: &str, from: usize, offset: usize) -> usize {
    let end = offset.min(src.len());
    let start = from.min(end);
    1 + src.as_bytes()[start..end].iter().filter(|&&b| b == b'\n').count()
}

/// Substitution of a whole string as `subst` does: returns its parts.
pub fn parse_subst(src: &str, backslashes: bool, variables: bool, commands: bool) -> Result<Vec<Part>, ParseError> {
    parse_subst_range(src, 0, src.len(), backslashes, variables, commands)
}

/// `parse_subst` of `src[start..end]`, with offsets into `src`.
pub fn parse_subst_range(
    src: &str,
    start: usize,
    end: usize,
    backslashes: bool,
    variables: bool,
    commands: bool,
) -> Result<Vec<Part>, ParseError> {
    let mut p = Parser::new(src, start, end, false);
    let b = src.as_bytes();
    let mut parts: Vec<Part> = Vec::new();
    let mut text = String::new();
    let mut chunk = start;
    while p.pos < p.end {
        match b[p.pos] {
            b'\\' if backslashes => {
                text.push_str(&src[chunk..p.pos]);
                let (ch, n) = parse_backslash(&src[p.pos..end]);
                text.push(ch);
                p.pos += n;
                chunk = p.pos;
            }
            b'$' if variables => {
                text.push_str(&src[chunk..p.pos]);
                if let Some(var) = p.parse_variable()? {
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(var);
                } else {
                    text.push('$');
                }
                chunk = p.pos;
            }
            b'[' if commands => {
                text.push_str(&src[chunk..p.pos]);
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(p.parse_command_subst()?);
                chunk = p.pos;
            }
            _ => p.pos += 1,
        }
    }
    text.push_str(&src[chunk..end]);
    if !text.is_empty() || parts.is_empty() {
        parts.push(Part::Text(text));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Vec<Vec<Part>> {
        let cmds = parse_script(src).unwrap();
        cmds[0].words.iter().map(|w| w.parts.clone()).collect()
    }

    #[test]
    fn simple_words() {
        let w = words("set a {b c} \"d $e\" [f g]\n");
        assert_eq!(w[0], vec![Part::Text("set".into())]);
        assert_eq!(w[2], vec![Part::Text("b c".into())]);
        assert_eq!(w[3], vec![Part::Text("d ".into()), Part::Var { name: "e".into(), index: None }]);
        assert!(matches!(w[4][0], Part::Script { .. }));
    }

    #[test]
    fn command_ranges_drop_terminator() {
        let src = "error a ; x\nfoo  ";
        let c = parse_script(src).unwrap();
        assert_eq!(&src[c[0].start..c[0].end], "error a ");
        assert_eq!(&src[c[2].start..c[2].end], "foo  ");
    }

    #[test]
    fn comments_and_continuations() {
        let c = parse_script("# hi \\\n still comment\nset x \\\n  1").unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].words.len(), 3);
    }

    #[test]
    fn errors() {
        assert_eq!(parse_script("set x {a").unwrap_err().message, "missing close-brace");
        assert_eq!(parse_script("set x \"a").unwrap_err().message, "missing \"");
        assert_eq!(parse_script("set x [a").unwrap_err().message, "missing close-bracket");
        assert_eq!(parse_script("set x {a}b").unwrap_err().message, "extra characters after close-brace");
    }

    #[test]
    fn array_and_braced_vars() {
        let w = words("puts $a(x$i) ${b c}");
        assert_eq!(
            w[1],
            vec![Part::Var {
                name: "a".into(),
                index: Some(vec![Part::Text("x".into()), Part::Var { name: "i".into(), index: None }])
            }]
        );
        assert_eq!(w[2], vec![Part::Var { name: "b c".into(), index: None }]);
    }
}
