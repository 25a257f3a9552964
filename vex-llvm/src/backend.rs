//! The LLVM engines behind `vex_async_lower::backend::Backend`: [`JitBackend`] compiles
//! a lowered module in memory once, into a program run in this process as often as
//! wanted; [`AotBackend`] builds an executable once and runs it as a child process per
//! run. The `vex` facade picks one by name; the reference evaluator implements the same
//! trait.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use inkwell::context::Context;
use vex_async_lower::backend::{
    Backend, BackendError, Compiled, Ending, HostBinding, HostFunction, Interruption, RunOutcome,
    RunRequest, host_signature,
};
use vex_async_lower::ir;
use vex_rt_sys::ProgramReport;
use vex_rt_sys::ffi::VexRunMain;

use crate::aot::{LinkOptions, build_executable};
use crate::codegen::{CodegenOptions, compile_module, compile_module_with};
use crate::jit::{ending_of, run_entry};
use crate::{Error, HostTarget, Jit, OptLevel, TargetOptions};

/// Compiles with LLVM and runs in-process (the default engine of `vex run`).
#[derive(Debug, Clone, Copy)]
pub struct JitBackend {
    /// The optimisation level.
    pub opt_level: OptLevel,
    /// Guard checks at loop heads, so that an interrupt stops even a loop without
    /// calls (see `CodegenOptions::no_loop_checks`).
    pub loop_checks: bool,
}

impl JitBackend {
    /// Compiles `module` into a program that runs in this process.
    pub fn compile_program(
        &self,
        module: &ir::Module,
        host_functions: &[HostFunction<'_>],
    ) -> Result<JitProgram, Error> {
        let context = Box::new(Context::create());
        // SAFETY: the module, the engine and every value made from this reference live
        // in the JitProgram next to the boxed context, and are dropped before it (field
        // order); the box never moves its contents.
        let context_ref: &'static Context = unsafe { &*(&*context as *const Context) };
        let target =
            HostTarget::new(TargetOptions { opt_level: self.opt_level, native_cpu: true })?;
        let closures: Vec<(&str, usize, usize)> = host_functions
            .iter()
            .filter_map(|h| match h.binding {
                HostBinding::Closure { dispatch, data } => Some((h.name, dispatch as usize, data)),
                HostBinding::Address(_) => None,
            })
            .collect();
        let options = CodegenOptions {
            host_closures: closures.iter().map(|c| c.0.to_string()).collect(),
            no_loop_checks: !self.loop_checks,
            ..CodegenOptions::default()
        };
        let llvm = compile_module_with(context_ref, &target, module, options)?;
        target.mark_functions(&llvm);
        if self.opt_level != OptLevel::O0 {
            crate::opt::optimize(&llvm, &target, self.opt_level, false)?;
        }
        let jit = Jit::new(llvm, self.opt_level)?;
        // Each closure's `{ dispatch, data }` lives in host memory the program owns; the
        // module's global `vex.host.NAME` is mapped onto it.
        // (Filled once and never changed: the addresses of its elements stay put.)
        let closure_slots: Vec<[usize; 2]> = closures.iter().map(|c| [c.1, c.2]).collect();
        for ((name, _, _), slot) in closures.iter().zip(&closure_slots) {
            let symbol = crate::codegen::host_closure_symbol(name);
            if let Some(global) = jit.module().get_global(&symbol) {
                jit.map_global(&global, slot.as_ptr() as usize);
            } else if !module.externs.iter().any(|e| &*e.name == *name) {
                return Err(Error::UnknownHostFunction(name.to_string()));
            }
        }
        for host in host_functions {
            let HostBinding::Address(address) = host.binding else { continue };
            // SAFETY: the caller of compile gives addresses of functions with the
            // signatures the program declares (see `HostBinding::Address`).
            if !unsafe { jit.bind_host_function(host.name, address) } {
                return Err(Error::UnknownHostFunction(host.name.to_string()));
            }
        }
        let bound: Vec<&str> = host_functions.iter().map(|h| h.name).collect();
        if let Some(name) = jit.unresolved_functions(&bound).into_iter().next() {
            return Err(Error::UnresolvedFunction(name));
        }
        // Generates the machine code now, so runs and calls only call it.
        let entry = jit.entry()?;
        let mut host_calls = std::collections::HashMap::new();
        for function in module.functions.iter().filter(|f| host_signature(f).is_some()) {
            let address =
                jit.function_address(&crate::codegen::host_call_symbol(&function.name))?;
            host_calls.insert(function.name.to_string(), address);
        }
        Ok(JitProgram { entry, host_calls, jit, _closure_slots: closure_slots, _context: context })
    }
}

impl Backend for JitBackend {
    fn name(&self) -> &'static str {
        "jit"
    }

    fn compile(
        &self,
        module: &ir::Module,
        host_functions: &[HostFunction<'_>],
    ) -> Result<Arc<dyn Compiled>, BackendError> {
        Ok(Arc::new(self.compile_program(module, host_functions)?))
    }
}

/// A program compiled in memory: its machine code and the LLVM objects that own it.
pub struct JitProgram {
    entry: VexRunMain,
    /// The host entries of the functions a host can call, by name.
    host_calls: std::collections::HashMap<String, usize>,
    jit: Jit<'static>,
    /// `{ dispatch, data }` of each host closure, which the compiled code reads.
    _closure_slots: Vec<[usize; 2]>,
    _context: Box<Context>,
}

// SAFETY: after compile_program returns, the LLVM context, module and engine are never
// used again except to be dropped (once, by the last owner); runs only call the finished
// machine code, which is immutable and reentrant (every run has its own runtime).
unsafe impl Send for JitProgram {}
// SAFETY: see above: shared access only ever calls the entry.
unsafe impl Sync for JitProgram {}

impl JitProgram {
    /// The compiled module's engine (for lookups of other compiled functions).
    pub fn jit(&self) -> &Jit<'static> {
        &self.jit
    }
}

impl Compiled for JitProgram {
    fn run_main(&self, request: &RunRequest) -> Result<RunOutcome, BackendError> {
        // SAFETY: entry is this program's vex_run_main, alive as long as self.
        Ok(unsafe { run_entry(self.entry, request) }?)
    }

    fn host_call_address(&self, name: &str) -> Option<usize> {
        self.host_calls.get(name).copied()
    }
}

/// Builds a standalone executable (linked with the runtime's static library) once, in a
/// private temporary directory removed with the program, and runs it as a child process
/// per run, passing the configuration through `VEX_WORKERS` and `VEX_CLOCK` and reading
/// how it ended from the report it writes to `VEX_REPORT_FILE`. Host functions cannot be
/// bound into a separate process.
#[derive(Debug, Clone, Copy)]
pub struct AotBackend {
    /// The optimisation level.
    pub opt_level: OptLevel,
}

impl AotBackend {
    /// Builds the executable for `module` at `output`.
    pub fn build(&self, module: &ir::Module, output: &Path) -> Result<(), Error> {
        let context = Context::create();
        let target =
            HostTarget::new(TargetOptions { opt_level: self.opt_level, native_cpu: false })?;
        // Executables carry DWARF line tables, so debuggers and profilers show Vex
        // file:line (`vex build`, and the AOT engine of `vex run`).
        let options =
            CodegenOptions { with_c_main: true, debug_info: true, ..CodegenOptions::default() };
        let llvm = compile_module_with(&context, &target, module, options)?;
        build_executable(&llvm, output, self.opt_level, &LinkOptions::default())?;
        Ok(())
    }
}

impl Backend for AotBackend {
    fn name(&self) -> &'static str {
        "aot"
    }

    fn compile(
        &self,
        module: &ir::Module,
        host_functions: &[HostFunction<'_>],
    ) -> Result<Arc<dyn Compiled>, BackendError> {
        if let Some(f) = host_functions.first() {
            return Err(format!(
                "host functions need the JIT: an executable runs in its own process (`{}` was given)",
                f.name
            )
            .into());
        }
        let dir = TempDir::new()?;
        let exe = dir.0.join("program");
        self.build(module, &exe)?;
        Ok(Arc::new(ExecutableProgram { exe, dir, runs: AtomicU64::new(0) }))
    }
}

/// A built executable in its own directory (removed on drop).
struct ExecutableProgram {
    exe: PathBuf,
    dir: TempDir,
    runs: AtomicU64,
}

impl Compiled for ExecutableProgram {
    fn run_main(&self, request: &RunRequest) -> Result<RunOutcome, BackendError> {
        let run = self.runs.fetch_add(1, Ordering::Relaxed);
        let report_path = self.dir.0.join(format!("report-{run}"));
        let _ = std::fs::remove_file(&report_path);
        let mut command = Command::new(&self.exe);
        command.args(&request.args);
        command.env("VEX_WORKERS", request.workers.to_string());
        command.env("VEX_REPORT_FILE", &report_path);
        if request.virtual_clock {
            command.env("VEX_CLOCK", "virtual");
        } else {
            command.env_remove("VEX_CLOCK");
        }
        if request.capture_output {
            command.stdout(Stdio::piped()).stderr(Stdio::piped());
        }
        let mut child = command.spawn()?;
        let child_id = child.id();
        // Killing must never reach a process that reused the pid: the hook kills only
        // while the child is known unreaped (see `wait_unreaped`).
        let state =
            Arc::new(ChildState { reaped: Mutex::new(false), killed: AtomicBool::new(false) });
        let hook_state = state.clone();
        let hook = request.interrupt.on_trigger(move || hook_state.kill(child_id));
        let readers = [
            child.stdout.take().map(|out| std::thread::spawn(move || read_all(out))),
            child.stderr.take().map(|err| std::thread::spawn(move || read_all(err))),
        ];
        let waited = wait_unreaped(child_id);
        *state.reaped.lock().unwrap_or_else(|e| e.into_inner()) = true;
        drop(hook);
        let status = child.wait()?;
        waited?;
        let [stdout, stderr] =
            readers.map(|reader| reader.map(|r| r.join().unwrap_or_default()).unwrap_or_default());
        let ending = if state.killed.load(Ordering::SeqCst) {
            Ending::Interrupted(request.interrupt.reason().unwrap_or(Interruption::Requested))
        } else {
            match ProgramReport::read_file(&report_path) {
                Ok(report) => ending_of(report, &request.interrupt),
                // No report: the process died before the runtime could write one.
                Err(_) => Ending::Exited(exit_code(status)),
            }
        };
        let _ = std::fs::remove_file(&report_path);
        Ok(RunOutcome::new(
            ending,
            String::from_utf8_lossy(&stdout).into_owned(),
            String::from_utf8_lossy(&stderr).into_owned(),
        ))
    }
}

/// Whether the child was reaped (then its pid may be reused) and whether we killed it.
struct ChildState {
    reaped: Mutex<bool>,
    killed: AtomicBool,
}

impl ChildState {
    fn kill(&self, pid: u32) {
        let reaped = self.reaped.lock().unwrap_or_else(|e| e.into_inner());
        if !*reaped {
            self.killed.store(true, Ordering::SeqCst);
            // SAFETY: kill has no memory effects; the pid is our unreaped child.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
        }
    }
}

/// Waits until the child `pid` has exited without reaping it (`waitid` with
/// `WNOWAIT`), so its pid stays ours until `Child::wait`.
fn wait_unreaped(pid: u32) -> std::io::Result<()> {
    loop {
        // SAFETY: info is a valid out pointer; the call only waits.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let rc = unsafe {
            libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, libc::WEXITED | libc::WNOWAIT)
        };
        if rc == 0 {
            return Ok(());
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

fn read_all(mut from: impl std::io::Read) -> Vec<u8> {
    let mut bytes = Vec::new();
    let _ = from.read_to_end(&mut bytes);
    bytes
}

fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt as _;
    // A signal becomes 128 + signal number, as shells report it.
    status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

/// A private directory for one program, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<TempDir> {
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
pub fn emit_llvm_ir(module: &ir::Module, opt_level: OptLevel) -> Result<String, Error> {
    let context = Context::create();
    let target = HostTarget::new(TargetOptions { opt_level, native_cpu: false })?;
    let llvm = compile_module(&context, &target, module, true)?;
    if opt_level != OptLevel::O0 {
        crate::opt::optimize(&llvm, &target, opt_level, false)?;
    }
    Ok(llvm.print_to_string().to_string())
}
