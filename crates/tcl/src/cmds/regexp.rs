//! TEMPORARY regexp stub; replaced by the full regexp/regsub.
use crate::Exception;

/// Does `pattern` match anywhere in `s`? (switch -regexp, array names -regexp)
pub fn simple_match(pattern: &str, s: &str, nocase: bool) -> Result<bool, Exception> {
    let re = regex::RegexBuilder::new(pattern)
        .case_insensitive(nocase)
        .build()
        .map_err(|e| {
            Exception::error(format!("couldn't compile regular expression pattern: {e}"))
        })?;
    Ok(re.is_match(s))
}
