//! An agent whose whole linear memory is one 64 KiB page, for the jump
//! latency of a small wasm agent (scripts/bench-wasm.sh). A Rust agent
//! usually has about 1.4 MiB: a 1 MiB stack and the allocator's pages.
//! This one is linked with a 16 KiB stack and an initial memory of one
//! page (scripts/build-guests.sh passes the link arguments for it alone),
//! and allocates from a fixed arena inside that page instead of growing
//! memory; so its memory is the page, plus the Asyncify buffer the node
//! appends (docs/WASM.md).
//!
//! `work=hops`: fills `memory` bytes (at most `DATA_MAX`), then jumps
//! between `a` and `b` `hops` times (`shared/hops.rs`).
use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;

use itinerant_guest as itin;

#[path = "shared/hops.rs"]
mod hops;

/// The allocator's arena, inside the one page.
const ARENA: usize = 40 << 10;
/// The most data the agent fills (one block of the arena).
const DATA_MAX: usize = 32 << 10;
/// Blocks are powers of two from 16 bytes to the arena's size.
const CLASSES: usize = 13;

#[repr(C, align(16))]
struct Bytes([u8; ARENA]);

/// Power-of-two size classes over a bump pointer: a freed block goes on
/// its class's list and is given again to the next request of that class,
/// so the same calls repeated take no new room. Never grows memory.
struct Arena {
    bytes: UnsafeCell<Bytes>,
    next: UnsafeCell<usize>,
    free: UnsafeCell<[*mut u8; CLASSES]>,
}

// SAFETY: a wasm32-unknown-unknown agent has one thread.
unsafe impl Sync for Arena {}

fn class(layout: Layout) -> Option<(usize, usize)> {
    let size = layout.size().max(16).next_power_of_two();
    let class = size.trailing_zeros() as usize - 4;
    (layout.align() <= 16 && class < CLASSES).then_some((class, size))
}

unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some((class, size)) = class(layout) else { return std::ptr::null_mut() };
        let free = &mut *self.free.get();
        if !free[class].is_null() {
            let block = free[class];
            free[class] = *(block as *mut *mut u8);
            return block;
        }
        let next = &mut *self.next.get();
        if *next + size > ARENA {
            return std::ptr::null_mut();
        }
        let block = (self.bytes.get() as *mut u8).add(*next);
        *next += size;
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        if let Some((class, _)) = class(layout) {
            let free = &mut *self.free.get();
            *(block as *mut *mut u8) = free[class];
            free[class] = block;
        }
    }
}

#[global_allocator]
static ALLOCATOR: Arena = Arena {
    bytes: UnsafeCell::new(Bytes([0; ARENA])),
    next: UnsafeCell::new(0),
    free: UnsafeCell::new([std::ptr::null_mut(); CLASSES]),
};

fn run() -> Result<String, String> {
    let num = |k: &str, d: usize| itin::param(k).and_then(|v| v.parse().ok()).unwrap_or(d);
    match itin::param("work").as_deref() {
        Some("hops") => hops::hops(num("memory", DATA_MAX).min(DATA_MAX)),
        other => Err(format!("no such work {other:?}")),
    }
}

itin::agent_main!(run);
