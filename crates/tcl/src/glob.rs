//! Glob-style matching as `string match` (Tcl 8.6.13's `Tcl_StringCaseMatch`).
//!
//! * `*` matches any run of characters, `?` any one character;
//! * `[chars]` matches one of the characters; `x-y` inside is a range, in
//!   either order (`[z-a]` is `[a-z]`); there is no negation and no escape
//!   inside brackets (a backslash is an ordinary member); a `]` right after
//!   `[` closes an empty set that matches nothing; `-` at the very end
//!   before `]` makes the `]` the end of the range (`[a-]` is the range from
//!   `]` to `a`). An unclosed `[set` matches one character and then ends the
//!   pattern (`[abc` matches `a`); `[` at the end of a pattern matches
//!   nothing;
//! * `\x` matches `x` literally; a `\` at the end of a pattern matches
//!   nothing;
//! * with `nocase`, characters (and range ends) compare after simple
//!   lowercase mapping.
//!
//! Tcl's implementation recurses at each `*`. Here the match is iterative
//! and only the last `*` is backtracked, which gives the same answers
//! (every other pattern element matches exactly one character) in
//! O(pattern × string) time at worst and with no recursion.

use crate::cmds::string::char_to_lower;

/// True when `pattern` has no glob metacharacters (`*?[\`), so that it
/// matches only itself.
pub fn glob_is_literal(pattern: &str) -> bool {
    !pattern.bytes().any(|b| matches!(b, b'*' | b'?' | b'[' | b'\\'))
}

#[inline]
fn next_char(s: &str, i: usize) -> Option<(char, usize)> {
    let b = s.as_bytes();
    if i >= b.len() {
        return None;
    }
    if b[i] < 0x80 {
        return Some((b[i] as char, i + 1));
    }
    let c = s[i..].chars().next()?;
    Some((c, i + c.len_utf8()))
}

#[inline]
fn fold(c: char, nocase: bool) -> char {
    if !nocase {
        c
    } else if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        char_to_lower(c)
    }
}

/// Matches one pattern element (not `*`) at byte `pi` of `pattern` against
/// the character `c`. Returns the position after the element, or `None`.
fn match_element(pattern: &str, pi: usize, c: char, nocase: bool) -> Option<usize> {
    let (p, mut next) = next_char(pattern, pi)?;
    match p {
        '?' => Some(next),
        '[' => {
            let c = fold(c, nocase);
            loop {
                let (start, after) = next_char(pattern, next)?;
                if start == ']' {
                    return None;
                }
                let start = fold(start, nocase);
                next = after;
                if pattern.as_bytes().get(next) == Some(&b'-') {
                    let (end, after) = next_char(pattern, next + 1)?;
                    let end = fold(end, nocase);
                    next = after;
                    if (start <= c && c <= end) || (end <= c && c <= start) {
                        break;
                    }
                } else if start == c {
                    break;
                }
            }
            // Skip to the closing bracket; an unclosed set ends the pattern.
            match pattern[next..].find(']') {
                Some(k) => Some(next + k + 1),
                None => Some(pattern.len()),
            }
        }
        '\\' => {
            let (q, after) = next_char(pattern, next)?;
            (fold(q, nocase) == fold(c, nocase)).then_some(after)
        }
        _ => {
            next = next_char(pattern, pi)?.1;
            (fold(p, nocase) == fold(c, nocase)).then_some(next)
        }
    }
}

/// Tcl's `string match`: does `s` match the glob `pattern`?
pub fn string_match(pattern: &str, s: &str, nocase: bool) -> bool {
    if glob_is_literal(pattern) {
        return if nocase {
            let mut a = pattern.chars();
            let mut b = s.chars();
            loop {
                match (a.next(), b.next()) {
                    (None, None) => return true,
                    (Some(x), Some(y)) if fold(x, true) == fold(y, true) => {}
                    _ => return false,
                }
            }
        } else {
            pattern == s
        };
    }
    let pb = pattern.as_bytes();
    let mut pi = 0;
    let mut si = 0;
    // The pattern position after the last star seen, and the string
    // position that star's match is next to be tried from.
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < pb.len() && pb[pi] == b'*' {
            while pi < pb.len() && pb[pi] == b'*' {
                pi += 1;
            }
            if pi == pb.len() {
                return true;
            }
            star = Some((pi, si));
            continue;
        }
        let step = if pi == pb.len() {
            if si == s.len() {
                return true;
            }
            None
        } else {
            next_char(s, si).and_then(|(c, snext)| match_element(pattern, pi, c, nocase).map(|p| (p, snext)))
        };
        match step {
            Some((p, snext)) => {
                pi = p;
                si = snext;
            }
            None => {
                // Let the last star swallow one more character and retry.
                let Some((star_pi, star_si)) = star else {
                    return false;
                };
                let Some((_, next)) = next_char(s, star_si) else {
                    return false;
                };
                star = Some((star_pi, next));
                pi = star_pi;
                si = next;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (pattern, string, match, match -nocase), recorded from tclsh 8.6.13.
    const CASES: &[(&str, &str, bool, bool)] = &[
        ("[]]", "]", false, false),
        ("[]a]", "a", false, false),
        ("[]a]", "]a]", false, false),
        ("[a-]", "a", true, true),
        ("[a-]", "-", false, false),
        ("[a-]", "]", true, true),
        ("[a-]", "b", false, false),
        ("[a-]x", "ax", false, false),
        ("[a-]]", "a]", false, false),
        ("[abc", "a", true, true),
        ("[abc", "d", false, false),
        ("[abc", "ab", false, false),
        ("a[", "ab", false, false),
        ("a[", "a", false, false),
        ("[z-a]", "m", true, true),
        ("[z-a]", "Z", false, true),
        ("[\\]]", "\\]", true, true),
        ("[\\]]", "]", false, false),
        ("[\\]", "\\", true, true),
        ("[a\\-z]", "-", false, false),
        ("[a\\-z]", "b", true, true),
        ("[a\\-z]", "\\", true, true),
        ("[\\a-z]", "b", true, true),
        ("[a-", "a", false, false),
        ("[a-", "", false, false),
        ("[-a]", "-", true, true),
        ("[!a]", "b", false, false),
        ("[^a]", "b", false, false),
        ("[a-c-e]", "d", false, false),
        ("[a-c-e]", "-", true, true),
        ("[a-c-e]", "e", true, true),
        ("[]", "]", false, false),
        ("[]", "[", false, false),
        ("*", "", true, true),
        ("**", "", true, true),
        ("?", "", false, false),
        ("[a]", "", false, false),
        ("a*", "a", true, true),
        ("*a", "a", true, true),
        ("a*b*c", "aXbYc", true, true),
        ("*[", "[", false, false),
        ("[", "[", false, false),
        ("*?", "", false, false),
        ("?*?", "a", false, false),
        ("?*?", "ab", true, true),
        ("*?*?*", "abc", true, true),
        ("[]-a]", "b", false, false),
        ("[*]", "*", true, true),
        ("[?]", "x", false, false),
        ("\\*", "*", true, true),
        ("\\*", "a", false, false),
        ("\\?", "?", true, true),
        ("\\[a]", "[a]", true, true),
        ("a\\", "a", false, false),
        ("a\\", "a\\", false, false),
        ("*\\", "a\\", false, false),
        ("*\\", "", false, false),
        ("\\", "", false, false),
        ("\\\\", "\\", true, true),
        ("*\\a", "xa", true, true),
        ("\\a", "a", true, true),
        ("*a*a*b", "aaaaaab", true, true),
        ("a*[", "ab", false, false),
        ("[ab]*", "bcd", true, true),
        ("a?c", "abc", true, true),
        ("a?c", "ac", false, false),
        ("[0-9]", "5", true, true),
        ("é", "é", true, true),
        ("?", "é", true, true),
        ("a?", "aé", true, true),
        ("[à-ê]", "é", true, true),
        ("*é", "xé", true, true),
        ("é*", "Éx", false, true),
        ("[A-Z]", "m", false, true),
        ("[a-z]", "M", false, true),
        ("A", "a", false, true),
        ("[_-a]", "B", false, false),
        ("[B-a]", "_", true, false),
        ("[B-a]", "x", false, false),
        ("É", "é", false, true),
        ("*É", "xé", false, true),
        ("[É]", "é", false, true),
        ("[É-Ê]", "é", false, true),
        ("[aé", "a", true, true),
        ("[aé", "a©", false, false),
        ("[aé", "é", true, true),
        ("[a-é", "b", true, true),
        ("[a-é", "b©", false, false),
        ("[é", "é", true, true),
        ("[a-一", "q", true, true),
        ("", "", true, true),
        ("", "a", false, false),
    ];

    #[test]
    fn matches_tclsh() {
        for &(p, s, exact, nocase) in CASES {
            assert_eq!(string_match(p, s, false), exact, "match {p:?} {s:?}");
            assert_eq!(string_match(p, s, true), nocase, "match -nocase {p:?} {s:?}");
        }
    }

    #[test]
    fn literal_patterns() {
        assert!(glob_is_literal("abc é"));
        assert!(!glob_is_literal("a*"));
        assert!(!glob_is_literal("a\\b"));
        assert!(string_match("ABC", "abc", true));
        assert!(!string_match("ABC", "abcd", true));
    }

    /// Tcl's recursive algorithm, transcribed directly (exponential in the
    /// worst case, fine for the short inputs of the property test).
    fn reference(p: &[char], s: &[char], nocase: bool) -> bool {
        let low = |c: char| fold(c, nocase);
        let (mut pi, mut si) = (0, 0);
        loop {
            if pi == p.len() {
                return si == s.len();
            }
            if si == s.len() && p[pi] != '*' {
                return false;
            }
            match p[pi] {
                '*' => {
                    while pi < p.len() && p[pi] == '*' {
                        pi += 1;
                    }
                    if pi == p.len() {
                        return true;
                    }
                    loop {
                        if reference(&p[pi..], &s[si..], nocase) {
                            return true;
                        }
                        if si == s.len() {
                            return false;
                        }
                        si += 1;
                    }
                }
                '?' => {
                    pi += 1;
                    si += 1;
                }
                '[' => {
                    pi += 1;
                    let c = low(s[si]);
                    si += 1;
                    loop {
                        if pi == p.len() || p[pi] == ']' {
                            return false;
                        }
                        let start = low(p[pi]);
                        pi += 1;
                        if pi < p.len() && p[pi] == '-' {
                            pi += 1;
                            if pi == p.len() {
                                return false;
                            }
                            let end = low(p[pi]);
                            pi += 1;
                            if (start <= c && c <= end) || (end <= c && c <= start) {
                                break;
                            }
                        } else if start == c {
                            break;
                        }
                    }
                    while pi < p.len() && p[pi] != ']' {
                        pi += 1;
                    }
                    pi = (pi + 1).min(p.len());
                }
                q => {
                    let q = if q == '\\' {
                        pi += 1;
                        match p.get(pi) {
                            Some(&q) => q,
                            None => return false,
                        }
                    } else {
                        q
                    };
                    if low(q) != low(s[si]) {
                        return false;
                    }
                    pi += 1;
                    si += 1;
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_recursive_algorithm(
            p in "[ab*?\\[\\]\\\\éA-]{0,9}",
            s in "[abéA\\]\\[*?-]{0,9}",
            nocase: bool,
        ) {
            let pc: Vec<char> = p.chars().collect();
            let sc: Vec<char> = s.chars().collect();
            proptest::prop_assert_eq!(string_match(&p, &s, nocase), reference(&pc, &sc, nocase));
        }
    }

    #[test]
    fn no_blowup() {
        let s = "a".repeat(20_000);
        let p = "*a*a*a*a*a*a*a*a*a*a*a*a*b";
        let t = std::time::Instant::now();
        assert!(!string_match(p, &s, false));
        assert!(!string_match(p, &s, true));
        assert!(string_match("*a*a*a*a*a*a*a*a*a*a*a*a*", &s, false));
        assert!(t.elapsed().as_secs() < 5);
    }
}
