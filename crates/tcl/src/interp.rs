//! The interpreter: command table, variables, and the embedding API.

/// Size limits that turn runaway scripts into Tcl errors.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest string, in bytes, that a command may build.
    pub max_string_bytes: usize,
    /// Largest list or dict, in elements, that a command may build.
    pub max_list_len: usize,
    /// Nested evaluation depth (procs, eval, uplevel...).
    pub max_nesting: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_string_bytes: 256 << 20,
            max_list_len: 32 << 20,
            max_nesting: 1000,
        }
    }
}

impl Limits {
    /// Errors when a result of `bytes` bytes would pass the limit.
    pub fn check_string(&self, bytes: usize) -> Result<(), crate::Exception> {
        if bytes > self.max_string_bytes {
            return Err(crate::Exception::error_code(
                format!("string size limit exceeded ({} bytes)", self.max_string_bytes),
                &["TCL", "MEMORY"],
            ));
        }
        Ok(())
    }

    /// Errors when a list of `len` elements would pass the limit.
    pub fn check_list(&self, len: usize) -> Result<(), crate::Exception> {
        if len > self.max_list_len {
            return Err(crate::Exception::error_code(
                format!("list size limit exceeded ({} elements)", self.max_list_len),
                &["TCL", "MEMORY"],
            ));
        }
        Ok(())
    }
}

/// An interpreter.
pub struct Interp {
    pub limits: Limits,
}
