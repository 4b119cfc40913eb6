//! Tcl lists, as the node answers with them: enough of Tcl's list syntax
//! (braces, double quotes, backslashes) to read them, and brace quoting to
//! write them.

/// The elements of a Tcl list.
pub fn split(list: &str) -> Result<Vec<String>, String> {
    let b = list.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            return Ok(out);
        }
        let mut word = Vec::new();
        match b[i] {
            b'{' => {
                let mut depth = 1;
                i += 1;
                while i < b.len() {
                    match b[i] {
                        b'\\' if i + 1 < b.len() => {
                            word.extend_from_slice(&b[i..i + 2]);
                            i += 2;
                            continue;
                        }
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    word.push(b[i]);
                    i += 1;
                }
                if depth != 0 {
                    return Err(format!("unmatched open brace in list \"{list}\""));
                }
                i += 1;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i = unescape(b, i, &mut word);
                }
                if i >= b.len() {
                    return Err(format!("unmatched open quote in list \"{list}\""));
                }
                i += 1;
            }
            _ => {
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i = unescape(b, i, &mut word);
                }
            }
        }
        out.push(String::from_utf8(word).map_err(|_| "list element is not UTF-8".to_string())?);
    }
}

/// Reads one character at `i` (a backslash sequence as what it stands for).
fn unescape(b: &[u8], i: usize, word: &mut Vec<u8>) -> usize {
    if b[i] != b'\\' || i + 1 >= b.len() {
        word.push(b[i]);
        return i + 1;
    }
    let c = match b[i + 1] {
        b'n' => b'\n',
        b't' => b'\t',
        b'r' => b'\r',
        other => other,
    };
    word.push(c);
    i + 2
}

/// A dict (a list of keys and values) as pairs.
pub fn pairs(dict: &str) -> Result<Vec<(String, String)>, String> {
    let words = split(dict)?;
    if words.len() % 2 != 0 {
        return Err(format!("missing value to go with key in \"{dict}\""));
    }
    Ok(words.chunks(2).map(|p| (p[0].clone(), p[1].clone())).collect())
}

/// A Tcl list of `words` (each braced when it needs to be).
pub fn join(words: &[&str]) -> String {
    let mut out = String::new();
    for (n, w) in words.iter().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        let plain = !w.is_empty() && w.bytes().all(|c| !c.is_ascii_whitespace() && !b"{}\\\"[]$;".contains(&c));
        if plain {
            out.push_str(w);
        } else {
            out.push('{');
            out.push_str(w);
            out.push('}');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_back() {
        assert_eq!(split("a {b c} \"d e\" f\\ g {}").unwrap(), ["a", "b c", "d e", "f g", ""]);
        assert_eq!(split(&join(&["x y", "", "z"])).unwrap(), ["x y", "", "z"]);
        assert!(split("{a").is_err());
    }
}
