//! A per-thread cache of code sections already decoded and verified: an
//! agent on a tour, or many agents of one program, arrive again and again
//! with the same compiled code, and decoding and verifying it is most of a
//! small agent's restore.
//!
//! The key is the section's bytes themselves (compared in full, not only
//! by hash), so a hit is exactly the code that was verified. As with the
//! script cache (`script_cache.rs`), no interpreter ever sees a template:
//! every hit is a detached copy, sharing no `Rc`.

use std::cell::RefCell;
use std::rc::Rc;

use super::Res;
use crate::bytecode::ByteCode;

/// Sections kept per thread (the most recently used last).
const ENTRIES: usize = 8;
/// Bigger sections are decoded each time (they are rare, and the copy
/// would cost about as much).
const MAX_SECTION: usize = 64 * 1024;

struct Entry {
    section: Box<[u8]>,
    templates: Vec<ByteCode>,
}

thread_local! {
    static CACHE: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

/// The code of `section`: from this thread's cache, or by `decode` (the
/// decoder and verifier), whose result is then kept.
pub(super) fn codes_of(section: &[u8], decode: impl FnOnce() -> Res<Vec<Rc<ByteCode>>>) -> Res<Vec<Rc<ByteCode>>> {
    if section.len() > MAX_SECTION {
        return decode();
    }
    let hit = CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let at = cache.iter().rposition(|e| *e.section == *section)?;
        let entry = cache.remove(at);
        let codes = entry.templates.iter().map(|c| Rc::new(c.detached())).collect();
        cache.push(entry);
        Some(codes)
    });
    if let Some(codes) = hit {
        return Ok(codes);
    }
    let codes = decode()?;
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() == ENTRIES {
            cache.remove(0);
        }
        cache.push(Entry { section: section.into(), templates: codes.iter().map(|c| c.detached()).collect() });
    });
    Ok(codes)
}
