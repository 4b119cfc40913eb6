//! Shared by the fuzz targets.

use itinerant_tcl::interp::Output;
use itinerant_tcl::Interp;

/// Output that counts what is written and keeps none of it, so that a
/// script printing in a loop cannot exhaust memory.
pub struct Sink(pub usize);

impl Output for Sink {
    fn write(&mut self, _channel: &str, text: &str) -> Result<(), String> {
        self.0 += text.len();
        Ok(())
    }
}

/// Limits low enough that 100,000 instructions stay cheap.
pub fn lower_limits(interp: &mut Interp) {
    interp.limits.max_string_bytes = 1 << 20;
    interp.limits.max_list_len = 1 << 16;
    interp.limits.max_nesting = interp.limits.max_nesting.min(1000);
    interp.limits.max_stack = interp.limits.max_stack.min(1 << 16);
}
