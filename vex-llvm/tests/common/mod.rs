//! What the whole-program tests of the backend share: lowering a source text to IR
//! through the real front end, and running the result through the JIT, as an
//! executable (also against an AddressSanitizer/LeakSanitizer build of the runtime)
//! and in the reference evaluator, each observed the same way.

#![allow(dead_code)] // Each test binary uses its own part of this.

use inkwell::context::Context;
use salsa::Setter;
use std::path::{Path, PathBuf};
use vex_async_lower::backend::RunRequest;
use vex_async_lower::eval::{Mode, Options, run_main};
use vex_async_lower::ir;
use vex_hir::{Program, RootDatabase, SourceFile};
use vex_llvm::codegen::{CodegenOptions, compile_module, compile_module_with};
use vex_llvm::{Error, HostTarget, Jit, OptLevel, TargetOptions};

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The programs of `examples/`.
pub fn examples() -> Vec<PathBuf> {
    vex_hir::testing::example_files(&root().join("examples"))
}

/// The lowered IR of one source file (named `path` in diagnostics and panics).
pub fn lower(path: &str, text: &str) -> ir::Module {
    let mut db = RootDatabase::default();
    let file = SourceFile::new(&db, path.to_string(), text.to_string());
    Program::get(&db).set_files(&mut db).to(vec![file]);
    vex_async_lower::module_ir(&db)
}

/// Target options at `level`.
pub fn target_options(level: OptLevel, native_cpu: bool) -> TargetOptions {
    let mut options = TargetOptions::default();
    options.opt_level = level;
    options.native_cpu = native_cpu;
    options
}

/// One worker, the virtual clock, output captured: a deterministic run.
pub fn deterministic() -> RunRequest {
    let mut options = RunRequest::default();
    options.workers = 1;
    options.virtual_clock = true;
    options.capture_output = true;
    options
}

/// What a program did: stdout, stderr, exit code.
pub type Observed = (String, String, i32);

/// Compiles `module` at `level` for the JIT and runs it deterministically.
pub fn run_jit(module: &ir::Module, level: OptLevel) -> Result<Observed, Error> {
    let context = Context::create();
    let target = HostTarget::new(target_options(level, true))?;
    let llvm = compile_module(&context, &target, module, false)?;
    if level != OptLevel::O0 {
        vex_llvm::opt::optimize(&llvm, &target, level, false)?;
    }
    let jit = Jit::new(llvm, level)?;
    let outcome = jit.run_main(&deterministic())?;
    let exit_code = outcome.exit_code();
    Ok((outcome.stdout, outcome.stderr, exit_code))
}

/// Builds an executable with line tables (like `vex build`) and runs it
/// deterministically (`VEX_CLOCK=virtual`).
pub fn run_aot(module: &ir::Module, dir: &Path, level: OptLevel) -> Result<Observed, Error> {
    let context = Context::create();
    let target = HostTarget::new(target_options(level, false))?;
    let options =
        CodegenOptions { with_c_main: true, debug_info: true, ..CodegenOptions::default() };
    let llvm = compile_module_with(&context, &target, module, options)?;
    let exe = dir.join("program");
    vex_llvm::aot::build_executable(&llvm, &exe, level, &vex_llvm::aot::LinkOptions::default())?;
    let out = std::process::Command::new(&exe)
        .env("VEX_CLOCK", "virtual")
        .env("VEX_WORKERS", "1")
        .output()
        .map_err(|source| Error::Io { path: exe.clone(), source })?;
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    Ok((text(&out.stdout), text(&out.stderr), out.status.code().unwrap_or(-1)))
}

/// Runs `module` in the reference evaluator.
pub fn run_eval(module: &ir::Module) -> Observed {
    let result = run_main(module, Options::new(Mode::Scheduled));
    (result.stdout, result.stderr, result.exit_code)
}

/// A fresh temporary directory for one test, named after it and this process.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vex-llvm-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Compiles vex-rt's C sources with AddressSanitizer + LeakSanitizer (+ UBSan, as in
/// `make -C vex-rt check-asan`) into `dir/libvexrt-asan.a`.
pub fn asan_runtime(dir: &Path) -> PathBuf {
    let rt = root().join("vex-rt");
    let cc = std::env::var_os("CC").filter(|cc| !cc.is_empty()).unwrap_or_else(|| "cc".into());
    let mut objects = Vec::new();
    let mut sources: Vec<PathBuf> = std::fs::read_dir(rt.join("src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    sources.sort();
    for source in &sources {
        let object = dir.join(source.file_stem().unwrap()).with_extension("o");
        let out = std::process::Command::new(&cc)
            .args(["-std=c11", "-pthread", "-g", "-O1", "-fno-omit-frame-pointer"])
            .args(["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"])
            .arg("-I")
            .arg(rt.join("include"))
            .arg("-I")
            .arg(rt.join("src"))
            .arg("-c")
            .arg(source)
            .arg("-o")
            .arg(&object)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        objects.push(object);
    }
    let lib = dir.join("libvexrt-asan.a");
    let out = std::process::Command::new("ar").arg("rcs").arg(&lib).args(&objects).output();
    assert!(out.unwrap().status.success(), "ar failed");
    lib
}

/// Builds `module` as an executable against `link` and runs it deterministically
/// with leak detection.
pub fn run_leak_checked(
    module: &ir::Module,
    dir: &Path,
    link: &vex_llvm::aot::LinkOptions,
) -> Observed {
    let context = Context::create();
    let target = HostTarget::new(TargetOptions::default()).unwrap();
    let llvm = compile_module(&context, &target, module, true).unwrap();
    let exe = dir.join("program");
    vex_llvm::aot::build_executable(&llvm, &exe, OptLevel::O0, link).unwrap();
    let out = std::process::Command::new(&exe)
        .env("VEX_CLOCK", "virtual")
        .env("VEX_WORKERS", "1")
        .env("ASAN_OPTIONS", "detect_leaks=1:exitcode=86")
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (text(&out.stdout), text(&out.stderr), out.status.code().unwrap_or(-1))
}
