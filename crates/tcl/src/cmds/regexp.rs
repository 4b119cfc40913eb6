//! TEMPORARY regexp stub; replaced by the full regexp/regsub.
use crate::Exception;

/// Does `pattern` match anywhere in `s`? (switch -regexp, array names -regexp)
pub fn simple_match(pattern: &str, s: &str, nocase: bool) -> Result<bool, Exception> {
    let re = regex::RegexBuilder::new(pattern)
        .case_insensitive(nocase)
        .build()
        .map_err(|e| Exception::error(format!("couldn't compile regular expression pattern: {e}")))?;
    Ok(re.is_match(s))
}

/// The match of `pattern` in `s`: for each group (0 = whole match), its
/// character range, or `None` when the group did not take part.
pub fn captures(pattern: &str, s: &str, nocase: bool) -> Result<Option<Vec<Option<(usize, usize)>>>, Exception> {
    let re = regex::RegexBuilder::new(pattern)
        .case_insensitive(nocase)
        .build()
        .map_err(|e| Exception::error(format!("couldn't compile regular expression pattern: {e}")))?;
    let Some(c) = re.captures(s) else { return Ok(None) };
    let to_char = |b: usize| s[..b].chars().count();
    Ok(Some((0..c.len()).map(|i| c.get(i).map(|m| (to_char(m.start()), to_char(m.end())))).collect()))
}
