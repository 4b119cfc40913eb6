//! TEMPORARY glob stub; replaced by the full matcher.
pub fn string_match(pattern: &str, s: &str, nocase: bool) -> bool {
    fn m(p: &[char], s: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('*') => (0..=s.len()).any(|i| m(&p[1..], &s[i..])),
            Some('?') => !s.is_empty() && m(&p[1..], &s[1..]),
            Some(c) => s.first() == Some(c) && m(&p[1..], &s[1..]),
        }
    }
    let (p, s) = if nocase { (pattern.to_lowercase(), s.to_lowercase()) } else { (pattern.to_owned(), s.to_owned()) };
    m(&p.chars().collect::<Vec<_>>(), &s.chars().collect::<Vec<_>>())
}
