//! The LLVM engines behind `vex_async_lower::backend::Backend`: [`JitBackend`] compiles
//! a lowered module in memory and runs it in this process; [`AotBackend`] builds an
//! executable and runs it as a child process. The `vex` facade picks one by name; the
//! reference evaluator implements the same trait.

use std::path::PathBuf;
use std::process::Command;

use inkwell::context::Context;
use vex_async_lower::backend::{Backend, BackendError, RunConfig, RunOutput};
use vex_async_lower::ir;

use crate::aot::{LinkOptions, build_executable};
use crate::codegen::{CodegenOptions, compile_module, compile_module_with};
use crate::{HostTarget, Jit, OptLevel, RunOptions, TargetOptions};

/// Compiles with LLVM and runs in-process (the default engine of `vex run`).
#[derive(Debug, Clone, Copy)]
pub struct JitBackend {
    /// The optimisation level.
    pub opt_level: OptLevel,
}

impl Backend for JitBackend {
    fn name(&self) -> &'static str {
        "jit"
    }

    fn run_main(&self, module: &ir::Module, config: &RunConfig) -> Result<RunOutput, BackendError> {
        let context = Context::create();
        let target =
            HostTarget::new(TargetOptions { opt_level: self.opt_level, native_cpu: true })?;
        let llvm = compile_module(&context, &target, module, false)?;
        if self.opt_level != OptLevel::O0 {
            crate::opt::optimize(&llvm, &target, self.opt_level, false)?;
        }
        let jit = Jit::new(llvm, self.opt_level)?;
        for (name, address) in &config.host_functions {
            // SAFETY: the host registered `address` as the implementation of the
            // `extern "C"` function `name`, with the signature the program declares
            // (see `RunConfig::host_functions`).
            unsafe { jit.bind_host_function(name, *address) };
        }
        let options = RunOptions {
            workers: config.workers,
            virtual_clock: config.virtual_clock,
            capture_output: config.capture_output,
            args: config.args.clone(),
        };
        let outcome = jit.run_main(&options)?;
        Ok(RunOutput::new(
            outcome.output.stdout_text(),
            outcome.output.stderr_text(),
            outcome.exit_code,
        ))
    }
}

/// Builds a standalone executable (linked with the runtime's static library) in a
/// temporary directory and runs it, passing the configuration through `VEX_WORKERS` and
/// `VEX_CLOCK`. Host functions cannot be bound into a separate process.
#[derive(Debug, Clone, Copy)]
pub struct AotBackend {
    /// The optimisation level.
    pub opt_level: OptLevel,
}

impl AotBackend {
    /// Builds the executable for `module` at `output`.
    pub fn build(&self, module: &ir::Module, output: &std::path::Path) -> Result<(), BackendError> {
        let context = Context::create();
        let target =
            HostTarget::new(TargetOptions { opt_level: self.opt_level, native_cpu: false })?;
        // Executables carry DWARF line tables, so debuggers and profilers show Vex
        // file:line (`vex build`, and the AOT engine of `vex run`).
        let options = CodegenOptions { with_c_main: true, debug_info: true };
        let llvm = compile_module_with(&context, &target, module, options)?;
        build_executable(&llvm, output, self.opt_level, &LinkOptions::default())?;
        Ok(())
    }
}

impl Backend for AotBackend {
    fn name(&self) -> &'static str {
        "aot"
    }

    fn run_main(&self, module: &ir::Module, config: &RunConfig) -> Result<RunOutput, BackendError> {
        if !config.host_functions.is_empty() {
            return Err("host functions need the JIT: an executable runs in its own process".into());
        }
        let dir = TempDir::new()?;
        let exe = dir.0.join("program");
        self.build(module, &exe)?;
        let mut command = Command::new(&exe);
        command.args(&config.args);
        command.env("VEX_WORKERS", config.workers.to_string());
        if config.virtual_clock {
            command.env("VEX_CLOCK", "virtual");
        } else {
            command.env_remove("VEX_CLOCK");
        }
        if config.capture_output {
            let output = command.output()?;
            Ok(RunOutput::new(
                String::from_utf8_lossy(&output.stdout).into_owned(),
                String::from_utf8_lossy(&output.stderr).into_owned(),
                exit_code(output.status),
            ))
        } else {
            let status = command.status()?;
            Ok(RunOutput::new(String::new(), String::new(), exit_code(status)))
        }
    }
}

fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt as _;
    // A signal becomes 128 + signal number, as shells report it.
    status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

/// A private directory for one build, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<TempDir> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("vex-aot-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The LLVM IR text of `module` after optimisation at `opt_level` (`vex emit llvm`).
pub fn emit_llvm_ir(module: &ir::Module, opt_level: OptLevel) -> Result<String, BackendError> {
    let context = Context::create();
    let target = HostTarget::new(TargetOptions { opt_level, native_cpu: false })?;
    let llvm = compile_module(&context, &target, module, true)?;
    if opt_level != OptLevel::O0 {
        crate::opt::optimize(&llvm, &target, opt_level, false)?;
    }
    Ok(llvm.print_to_string().to_string())
}
