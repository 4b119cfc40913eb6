//! Submit-time instrumentation of a module, so that it can stop anywhere the
//! host decides and be written to bytes:
//!
//! 1. safe points (`rewrite`, wasmparser + wasm-encoder): at every
//!    function entry and loop header, a countdown in a new global; when it
//!    reaches zero, a call to the new import `itin.safepoint`, where the
//!    host checks the slice's fuel and pending moves;
//! 2. every mutable global exported as `__itin_g<N>` (and the countdown as
//!    `__itin_countdown`), so the host can read and write them;
//! 3. Binaryen's Asyncify (`wasm-opt --asyncify`, Debian's `binaryen`, run
//!    as a program with a timeout), limited to the two imports that can
//!    suspend: `itin.call` and `itin.safepoint`.
//!
//! Why a program and not the `wasm-opt` crate: the crate compiles
//! Binaryen's C++ (minutes of the CI's budget on 2 cores); the program is a
//! package install, runs off the workers, and can be killed (`docs/WASM.md`).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{ConstExpr, EntityType, ExportKind, GlobalType, Instruction, SectionId, ValType};
use wasmparser::{Operator, Parser, Payload, TypeRef};

/// The module and names of the host's imports.
pub const IMPORT_MODULE: &str = "itin";
pub const CALL: &str = "call";
pub const ANSWER: &str = "answer";
pub const SAFEPOINT: &str = "safepoint";
/// The export the program starts at.
pub const ENTRY: &str = "itin_main";
/// Exported name of mutable global N (its index in the module).
pub const GLOBAL_PREFIX: &str = "__itin_g";
pub const COUNTDOWN: &str = "__itin_countdown";

/// Largest module accepted for submission, and largest instrumented one.
pub const MAX_MODULE_BYTES: usize = 8 << 20;
pub const MAX_INSTRUMENTED_BYTES: usize = 32 << 20;
/// Longest `wasm-opt` may run before it is killed.
pub const WASM_OPT_TIMEOUT: Duration = Duration::from_secs(60);

/// The features the runtime's engine accepts (and `wasm-opt` is told).
const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-multivalue",
    "--enable-reference-types",
];

/// Instruments a submitted module (all three steps). Blocking: run it off
/// the async workers.
pub fn instrument(module: &[u8]) -> Result<Vec<u8>, String> {
    let rewritten = rewrite(module)?;
    asyncify(&rewritten, WASM_OPT_TIMEOUT)
}

/// What the first pass learns of a module.
#[derive(Default)]
struct Shape {
    types: u32,
    imported_funcs: u32,
    globals: Vec<bool>,
    has: [bool; 4], // type, import, global, export sections
}

fn scan(module: &[u8]) -> Result<Shape, String> {
    let mut shape = Shape::default();
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(|e| format!("bad module: {e}"))? {
            Payload::TypeSection(r) => {
                shape.has[0] = true;
                for group in r {
                    let group = group.map_err(|e| format!("bad module: {e}"))?;
                    shape.types += group.types().len() as u32;
                }
            }
            Payload::ImportSection(r) => {
                shape.has[1] = true;
                for imp in r.into_imports() {
                    let imp = imp.map_err(|e| format!("bad module: {e}"))?;
                    match imp.ty {
                        TypeRef::Func(_) | TypeRef::FuncExact(_) => {
                            if imp.module == IMPORT_MODULE && imp.name == SAFEPOINT {
                                return Err("the module is instrumented already (it imports itin.safepoint)".into());
                            }
                            shape.imported_funcs += 1
                        }
                        _ => {
                            return Err(format!(
                                "import {}.{}: a module may import only functions (its memory, tables and globals are its own)",
                                imp.module, imp.name
                            ))
                        }
                    }
                }
            }
            Payload::GlobalSection(r) => {
                shape.has[2] = true;
                for g in r {
                    shape.globals.push(g.map_err(|e| format!("bad module: {e}"))?.ty.mutable);
                }
            }
            Payload::ExportSection(_) => shape.has[3] = true,
            _ => {}
        }
    }
    Ok(shape)
}

/// Steps 1 and 2: safe points and exported globals. The input is
/// validated first, so a bad module gets the validator's message.
pub fn rewrite(module: &[u8]) -> Result<Vec<u8>, String> {
    if module.len() > MAX_MODULE_BYTES {
        return Err(format!("module of {} bytes: at most {MAX_MODULE_BYTES}", module.len()));
    }
    wasmparser::Validator::new().validate_all(module).map_err(|e| format!("invalid module: {e}"))?;
    let shape = scan(module)?;
    if !shape.has[0] || !shape.has[3] {
        return Err(format!("the module has no functions to run (it must export \"{ENTRY}\")"));
    }
    let mut r = Rewriter {
        safepoint_type: shape.types,
        safepoint: shape.imported_funcs,
        countdown: shape.globals.len() as u32,
        mutable: shape.globals.iter().enumerate().filter(|(_, m)| **m).map(|(i, _)| i as u32).collect(),
        import_done: shape.has[1],
        global_done: shape.has[2],
    };
    let mut out = wasm_encoder::Module::new();
    r.parse_core_module(&mut out, Parser::new(0), module).map_err(|e| format!("cannot rewrite the module: {e}"))?;
    Ok(out.finish())
}

struct Rewriter {
    safepoint_type: u32,
    /// The new import's function index (defined functions move up by one).
    safepoint: u32,
    countdown: u32,
    mutable: Vec<u32>,
    import_done: bool,
    global_done: bool,
}

impl Rewriter {
    fn safepoint_import(&self, imports: &mut wasm_encoder::ImportSection) {
        imports.import(IMPORT_MODULE, SAFEPOINT, EntityType::Function(self.safepoint_type));
    }

    fn countdown_global(&self, globals: &mut wasm_encoder::GlobalSection) {
        let ty = GlobalType { val_type: ValType::I32, mutable: true, shared: false };
        globals.global(ty, &ConstExpr::i32_const(0));
    }

    /// `countdown -= 1; if countdown == 0 { itin.safepoint() }`.
    fn safe_point(&self, f: &mut wasm_encoder::Function) {
        let g = self.countdown;
        for i in [
            Instruction::GlobalGet(g),
            Instruction::I32Const(1),
            Instruction::I32Sub,
            Instruction::GlobalSet(g),
            Instruction::GlobalGet(g),
            Instruction::I32Eqz,
            Instruction::If(wasm_encoder::BlockType::Empty),
            Instruction::Call(self.safepoint),
            Instruction::End,
        ] {
            f.instruction(&i);
        }
    }
}

impl Reencode for Rewriter {
    type Error = std::convert::Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, reencode::Error<Self::Error>> {
        Ok(if func >= self.safepoint { func + 1 } else { func })
    }

    fn parse_custom_section(
        &mut self,
        _module: &mut wasm_encoder::Module,
        _section: wasmparser::CustomSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        // Names and producers would name old function indices: dropped.
        Ok(())
    }

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_type_section(self, types, section)?;
        types.ty().function([], []);
        Ok(())
    }

    fn parse_import_section(
        &mut self,
        imports: &mut wasm_encoder::ImportSection,
        section: wasmparser::ImportSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_import_section(self, imports, section)?;
        self.safepoint_import(imports);
        Ok(())
    }

    fn parse_global_section(
        &mut self,
        globals: &mut wasm_encoder::GlobalSection,
        section: wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_global_section(self, globals, section)?;
        self.countdown_global(globals);
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_export_section(self, exports, section)?;
        for g in &self.mutable {
            exports.export(&format!("{GLOBAL_PREFIX}{g}"), ExportKind::Global, *g);
        }
        exports.export(COUNTDOWN, ExportKind::Global, self.countdown);
        Ok(())
    }

    fn intersperse_section_hook(
        &mut self,
        module: &mut wasm_encoder::Module,
        _after: Option<SectionId>,
        before: Option<SectionId>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        // Sections the module lacks are added where they belong.
        let Some(before) = before else { return Ok(()) };
        if !self.import_done && before != SectionId::Type && before != SectionId::Custom {
            self.import_done = true;
            let mut imports = wasm_encoder::ImportSection::new();
            self.safepoint_import(&mut imports);
            module.section(&imports);
        }
        let after_globals = matches!(
            before,
            SectionId::Export
                | SectionId::Start
                | SectionId::Element
                | SectionId::DataCount
                | SectionId::Code
                | SectionId::Data
        );
        if !self.global_done && after_globals {
            self.global_done = true;
            let mut globals = wasm_encoder::GlobalSection::new();
            self.countdown_global(&mut globals);
            module.section(&globals);
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        let mut f = self.new_function_with_parsed_locals(&func)?;
        self.safe_point(&mut f);
        let mut reader = func.get_operators_reader()?;
        while !reader.eof() {
            let op = reader.read()?;
            let is_loop = matches!(op, Operator::Loop { .. });
            f.instruction(&self.instruction(op)?);
            if is_loop {
                self.safe_point(&mut f);
            }
        }
        code.function(&f);
        Ok(())
    }
}

/// Step 3: Asyncify by `wasm-opt`, limited to the imports that suspend.
pub fn asyncify(module: &[u8], timeout: Duration) -> Result<Vec<u8>, String> {
    let dir = scratch_dir()?;
    let input = dir.join("in.wasm");
    let output = dir.join("out.wasm");
    let result = (|| {
        std::fs::write(&input, module).map_err(|e| format!("cannot write {}: {e}", input.display()))?;
        run_wasm_opt(&input, &output, timeout)?;
        let meta = std::fs::metadata(&output).map_err(|e| format!("wasm-opt wrote nothing: {e}"))?;
        if meta.len() as usize > MAX_INSTRUMENTED_BYTES {
            return Err(format!("instrumented module of {} bytes: at most {MAX_INSTRUMENTED_BYTES}", meta.len()));
        }
        std::fs::read(&output).map_err(|e| format!("cannot read {}: {e}", output.display()))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn scratch_dir() -> Result<std::path::PathBuf, String> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir =
        std::env::temp_dir().join(format!("itin-wasm-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

fn run_wasm_opt(input: &Path, output: &Path, timeout: Duration) -> Result<(), String> {
    let imports = format!("--pass-arg=asyncify-imports@{IMPORT_MODULE}.{CALL},{IMPORT_MODULE}.{SAFEPOINT}");
    let mut child = Command::new("wasm-opt")
        .arg(input)
        .args(WASM_OPT_FEATURES)
        .args(["--asyncify", &imports, "-O2", "-o"])
        .arg(output)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run wasm-opt (Debian's binaryen): {e}"))?;
    let started = Instant::now();
    loop {
        match child.try_wait().map_err(|e| format!("wasm-opt: {e}"))? {
            Some(status) if status.success() => return Ok(()),
            Some(status) => {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.by_ref().take(4096).read_to_string(&mut err);
                }
                return Err(format!("wasm-opt failed ({status}): {}", err.trim()));
            }
            None if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("wasm-opt ran past {} s and was stopped", timeout.as_secs()));
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// The sha-256 of `bytes` in hex: a module's name as a code segment.
pub fn content_hash(bytes: &[u8]) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, bytes);
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrite_adds_safe_points_and_exports_mutable_globals() {
        let module = wat::parse_str(
            r#"(module
                 (import "itin" "call" (func $call (param i32 i32) (result i32)))
                 (global $sp (mut i32) (i32.const 1024))
                 (global $k i32 (i32.const 7))
                 (memory 1)
                 (func $f (result i32) (call $g))
                 (func $g (result i32) (loop (br 0)) (i32.const 1))
                 (export "itin_main" (func $f)))"#,
        )
        .unwrap();
        let out = rewrite(&module).unwrap();
        wasmparser::Validator::new().validate_all(&out).unwrap();
        let text = wasmprinter_like(&out);
        assert!(text.contains("import itin.safepoint"), "{text}");
        assert!(text.contains("export __itin_g0"), "{text}");
        assert!(!text.contains("export __itin_g1"), "an immutable global is not exported: {text}");
        assert!(text.contains("export __itin_countdown"), "{text}");
        // Two functions, one loop: three safe points, each one call.
        assert_eq!(text.matches("call 1").count(), 3, "{text}");
        // $f called $g (index 2 before, 3 now).
        assert!(text.contains("call 3"), "{text}");
    }

    #[test]
    fn bad_modules_are_refused_with_a_reason() {
        assert!(rewrite(b"not wasm").unwrap_err().starts_with("invalid module"));
        let imports_memory =
            wat::parse_str(r#"(module (import "env" "m" (memory 1)) (func (export "itin_main")))"#).unwrap();
        assert!(rewrite(&imports_memory).unwrap_err().contains("may import only functions"));
        let big = vec![0u8; MAX_MODULE_BYTES + 1];
        assert!(rewrite(&big).unwrap_err().contains("at most"));
    }

    /// A crude listing of imports, exports and calls, enough for the checks.
    fn wasmprinter_like(module: &[u8]) -> String {
        let mut out = String::new();
        for p in Parser::new(0).parse_all(module) {
            match p.unwrap() {
                Payload::ImportSection(r) => {
                    for i in r.into_imports() {
                        let i = i.unwrap();
                        out.push_str(&format!("import {}.{}\n", i.module, i.name));
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r {
                        out.push_str(&format!("export {}\n", e.unwrap().name));
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let mut ops = body.get_operators_reader().unwrap();
                    while !ops.eof() {
                        if let Operator::Call { function_index } = ops.read().unwrap() {
                            out.push_str(&format!("call {function_index}\n"));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }
}
