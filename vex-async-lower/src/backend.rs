//! The interface between a lowered program and an engine that runs it.
//!
//! [`Backend`] is what the `vex` facade drives: the reference evaluator implements it
//! here ([`Evaluator`]) and the LLVM backend implements it in `vex-llvm` (JIT and
//! executables), so a new engine plugs in the same way. A backend takes the module
//! *after* the coroutine transform ([`crate::module_ir`]); it must not re-analyse
//! source code.

use crate::eval::{self, Mode};
use crate::ir::Module;

/// How to run a program's `main`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunConfig {
    /// Worker threads; 0 means one per CPU. The evaluator always uses one.
    pub workers: u32,
    /// Deterministic mode: one worker and a virtual clock that jumps to the next timer
    /// when no task is ready (LANGUAGE.md §6.9).
    pub virtual_clock: bool,
    /// Collect stdout and stderr in the [`RunOutput`] instead of writing them to the
    /// process's own streams.
    pub capture_output: bool,
    /// `extern "C"` functions the host provides: name and address. Functions not listed
    /// here are looked up in the process (the C library).
    pub host_functions: Vec<(String, usize)>,
    /// The program's arguments, what `args()` gives (LANGUAGE.md §13).
    pub args: Vec<String>,
}

/// What a finished program printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunOutput {
    /// Captured stdout (empty unless [`RunConfig::capture_output`]).
    pub stdout: String,
    /// Captured stderr, including a panic's `panic at FILE:LINE:COL: MSG` line.
    pub stderr: String,
    /// `main`'s result (0 for unit), 101 after a panic, or the code given to `exit`.
    pub exit_code: i32,
}

impl RunOutput {
    /// A run's output from its parts.
    pub fn new(stdout: String, stderr: String, exit_code: i32) -> RunOutput {
        RunOutput { stdout, stderr, exit_code }
    }
}

/// An error of a backend: the program could not be compiled or started (not a panic of
/// the program, which is a normal [`RunOutput`] with exit code 101).
pub type BackendError = Box<dyn std::error::Error + Send + Sync>;

/// An engine that runs lowered programs.
pub trait Backend {
    /// A short name for messages (`interp`, `jit`, `aot`).
    fn name(&self) -> &'static str;

    /// Runs `main` of `module` (IR after the coroutine transform) to completion, with
    /// every task drained (LANGUAGE.md §6.8).
    fn run_main(&self, module: &Module, config: &RunConfig) -> Result<RunOutput, BackendError>;
}

/// The reference evaluator as a [`Backend`]: always deterministic (one worker, virtual
/// clock); `extern "C"` calls are limited to the functions it knows (`abs`, `labs`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Evaluator;

impl Backend for Evaluator {
    fn name(&self) -> &'static str {
        "interp"
    }

    fn run_main(&self, module: &Module, config: &RunConfig) -> Result<RunOutput, BackendError> {
        let mut options = eval::Options::new(Mode::Scheduled);
        options.args = config.args.clone();
        options.stream_output = !config.capture_output;
        let result = eval::run_main(module, options);
        if !result.errors.is_empty() {
            return Err(format!("the evaluator stopped: {}", result.errors.join("; ")).into());
        }
        Ok(RunOutput::new(result.stdout, result.stderr, result.exit_code))
    }
}
