//! The interface between a lowered program and an engine that runs it: the one
//! execution seam of every engine.
//!
//! A [`Backend`] compiles a module *after* the coroutine transform
//! ([`crate::module_ir`]) into a [`Compiled`] program, made once and run any number of
//! times, from any thread; each run reports a [`RunOutcome`] whose [`Ending`] is data
//! filled from the engine's own record of the run (never by reading its output). The
//! reference evaluator implements it here ([`Evaluator`]) and the LLVM backend in
//! `vex-llvm` (JIT and executables), so a new engine plugs in the same way. A backend
//! must not re-analyse source code.

mod interrupt;

use std::sync::Arc;

pub use interrupt::{DeadlineGuard, HookGuard, Interrupt, Interruption};

use crate::eval::{self, Mode};
use crate::ir::{FunctionKind, Module, Type};

/// How much the optimiser of a compiling engine works (LLVM's `-O0` to `-O3`; the
/// evaluator ignores it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum OptLevel {
    /// No optimisation: the fastest compile, the easiest debugging.
    #[default]
    O0,
    /// Light optimisation.
    O1,
    /// The usual release level.
    O2,
    /// Aggressive optimisation.
    O3,
}

impl OptLevel {
    /// Every level, lowest first.
    pub const ALL: [OptLevel; 4] = [OptLevel::O0, OptLevel::O1, OptLevel::O2, OptLevel::O3];

    /// The level for `-O N` (0 to 3).
    pub fn from_number(n: u8) -> Option<OptLevel> {
        OptLevel::ALL.get(usize::from(n)).copied()
    }
}

/// How to run a compiled program's `main` once.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RunRequest {
    /// Worker threads; 0 means one per CPU. The evaluator always uses one.
    pub workers: u32,
    /// Deterministic mode: one worker and a virtual clock that jumps to the next timer
    /// when no task is ready (LANGUAGE.md §6.9).
    pub virtual_clock: bool,
    /// Collect stdout and stderr in the [`RunOutcome`] instead of writing them to the
    /// process's own streams.
    pub capture_output: bool,
    /// The program's arguments, what `args()` gives (LANGUAGE.md §13).
    pub args: Vec<String>,
    /// Raised (by the host, or by a deadline) to stop the run: it then ends as
    /// [`Ending::Interrupted`].
    pub interrupt: Interrupt,
    /// The evaluator's budget of steps (statements and block ends: every loop iteration
    /// costs at least one); `None` for no limit. Compiled engines ignore it.
    pub fuel: Option<u64>,
}

/// The source position of a panic.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourceLocation {
    /// The path the file was compiled under.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column in characters (0 when only the line is known).
    pub column: u32,
}

/// A panic of a Vex task (LANGUAGE.md §7), as the runtime recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Panic {
    /// The panic's message (`index out of bounds: index 5, length 3`, `stack overflow`).
    pub message: String,
    /// Where it happened.
    pub location: SourceLocation,
}

impl std::fmt::Display for Panic {
    /// `panic at FILE:LINE:COL: MESSAGE`, the line a program prints.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let l = &self.location;
        write!(f, "panic at {}:{}:{}: {}", l.file, l.line, l.column, self.message)
    }
}

/// How a run of `main` ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Ending {
    /// `main` returned: its `i32`, or 0 for `()`.
    Returned(i32),
    /// A task called `exit(code)` (LANGUAGE.md §13).
    Exited(i32),
    /// A task panicked; the run stopped (exit code 101).
    Panicked(Panic),
    /// Every task left waits and nothing can wake one (LANGUAGE.md §11; exit code 101).
    Deadlocked {
        /// How many tasks were left waiting.
        tasks: u64,
    },
    /// The run was stopped from outside (exit code 124, as `timeout(1)` uses).
    Interrupted(Interruption),
    /// `main`'s task ended without a value (exit code 1).
    #[default]
    Unfinished,
}

/// The exit code of an interrupted run.
pub const INTERRUPTED_EXIT_CODE: i32 = 124;

impl Ending {
    /// The process exit code this ending maps to (what `vex run` exits with).
    pub fn exit_code(&self) -> i32 {
        match self {
            Ending::Returned(code) | Ending::Exited(code) => *code,
            Ending::Panicked(_) | Ending::Deadlocked { .. } => 101,
            Ending::Interrupted(_) => INTERRUPTED_EXIT_CODE,
            Ending::Unfinished => crate::ir::UNFINISHED_MAIN_EXIT_CODE,
        }
    }
}

/// What a run printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunOutcome {
    /// How the run ended.
    pub ending: Ending,
    /// Captured stdout (empty unless [`RunRequest::capture_output`]).
    pub stdout: String,
    /// Captured stderr, including a panic's `panic at FILE:LINE:COL: MSG` line.
    pub stderr: String,
}

impl RunOutcome {
    /// An outcome from its parts.
    pub fn new(ending: Ending, stdout: String, stderr: String) -> RunOutcome {
        RunOutcome { ending, stdout, stderr }
    }

    /// The process exit code of the run ([`Ending::exit_code`]).
    pub fn exit_code(&self) -> i32 {
        self.ending.exit_code()
    }
}

/// An error of a backend: the program could not be compiled or started (not a panic or
/// an interrupt of the program, which are [`Ending`]s).
pub type BackendError = Box<dyn std::error::Error + Send + Sync>;

/// The signature of a function a host can call ([`host_signature`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSignature {
    /// The parameter types.
    pub params: Vec<Type>,
    /// The result type (for an async function, the type of its future's value).
    pub ret: Type,
    /// Whether calling it spawns a task (an `async fn`).
    pub is_async: bool,
}

/// Whether a host can pass or receive values of type `ty`: scalars, `bool`, `string`,
/// `()` and tuples of them.
pub fn host_type(ty: &Type) -> bool {
    match ty {
        Type::Unit | Type::Bool | Type::Int(_) | Type::Float(_) | Type::String => true,
        Type::Tuple(items) => items.iter().all(host_type),
        _ => false,
    }
}

/// The signature of `function` if a host can call it: a free function (no `.` in its IR
/// name: not a method, closure, `go` block or coroutine piece), synchronous or the
/// wrapper of an async one, whose parameter and result types a host can pass
/// ([`host_type`]). Engines that run code in this process give such functions an entry
/// ([`Compiled::host_call_address`]).
pub fn host_signature(function: &crate::ir::Function) -> Option<HostSignature> {
    let (ret, is_async) = match (&function.kind, &function.ret) {
        (FunctionKind::Sync, ret) => (ret, false),
        (FunctionKind::Wrapper { .. }, Type::Future(inner)) => (&**inner, true),
        _ => return None,
    };
    let params: Vec<Type> = function.params.iter().map(|p| function.local_ty(*p).clone()).collect();
    (!function.name.contains('.') && host_type(ret) && params.iter().all(host_type))
        .then(|| HostSignature { params, ret: ret.clone(), is_async })
}

/// A host function for a program's `extern "C"` declaration.
#[derive(Debug, Clone, Copy)]
pub struct HostFunction<'a> {
    /// The declared name.
    pub name: &'a str,
    /// How the host provides it.
    pub binding: HostBinding,
}

/// The dispatcher of a host closure: called with the closure's `data`, the arguments laid
/// out like the IR tuple of the declared parameter types at `args`, and room for the
/// result at `ret`. Returns NULL, or the message of a panic of the closure (a C string
/// valid until the calling thread's next call of a dispatcher), which the caller turns
/// into a panic of the calling Vex task at the call site.
pub type HostDispatch = unsafe extern "C" fn(
    data: *const std::ffi::c_void,
    args: *mut u8,
    ret: *mut u8,
) -> *const std::ffi::c_char;

/// How the host provides an `extern "C"` function.
#[derive(Debug, Clone, Copy)]
pub enum HostBinding {
    /// A C function with exactly the declared signature, at this address (JIT only).
    Address(usize),
    /// A closure behind a dispatcher (every engine that runs code in this process, and
    /// the evaluator); `data` stays valid as long as the compiled program.
    Closure {
        /// Calls the closure.
        dispatch: HostDispatch,
        /// The closure.
        data: usize,
    },
}

/// An engine that compiles lowered programs.
pub trait Backend {
    /// A short name for messages (`interp`, `jit`, `aot`).
    fn name(&self) -> &'static str;

    /// Compiles `module` (IR after the coroutine transform) into a program that can be
    /// run many times, binding its `extern "C"` declarations to `host_functions` where
    /// given (engines that cannot call host functions refuse a non-empty list).
    fn compile(
        &self,
        module: &Module,
        host_functions: &[HostFunction<'_>],
    ) -> Result<Arc<dyn Compiled>, BackendError>;
}

/// A compiled program: runs `main`, any number of times, concurrently from any thread.
pub trait Compiled: Send + Sync {
    /// Runs `main` to completion, with every task drained (LANGUAGE.md §6.8), or until
    /// the run stops (panic, `exit`, deadlock, interrupt).
    fn run_main(&self, request: &RunRequest) -> Result<RunOutcome, BackendError>;

    /// The address of the host entry of the function `name` (one with a
    /// [`host_signature`]): a C function `void entry(WorkerContext *ctx, void *args,
    /// void *ret)` taking the parameters laid out like the IR tuple of their types and
    /// storing the result (an async function's `VexFuture *`) at `ret`. `None` for
    /// engines that do not run code in this process.
    fn host_call_address(&self, name: &str) -> Option<usize> {
        let _ = name;
        None
    }
}

/// The reference evaluator as a [`Backend`]: always deterministic (one worker, virtual
/// clock); `extern "C"` calls are limited to the functions it knows (`abs`, `labs`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Evaluator;

impl Backend for Evaluator {
    fn name(&self) -> &'static str {
        "interp"
    }

    fn compile(
        &self,
        module: &Module,
        host_functions: &[HostFunction<'_>],
    ) -> Result<Arc<dyn Compiled>, BackendError> {
        let mut host = Vec::new();
        for f in host_functions {
            match f.binding {
                HostBinding::Closure { dispatch, data } => {
                    host.push((f.name.to_string(), dispatch, data));
                }
                HostBinding::Address(_) => {
                    return Err(format!(
                        "the evaluator cannot call a host function given as an address (`{}`): \
                         give it as a closure",
                        f.name
                    )
                    .into());
                }
            }
        }
        Ok(Arc::new(EvaluatedProgram { module: Arc::new(module.clone()), host }))
    }
}

/// A program for the evaluator: the lowered module itself.
struct EvaluatedProgram {
    module: Arc<Module>,
    /// Host closures: name, dispatcher, data.
    host: Vec<(String, HostDispatch, usize)>,
}

// SAFETY: the closure data pointers belong to `Send + Sync` closures the host keeps alive
// with the program (see `HostBinding::Closure`).
unsafe impl Send for EvaluatedProgram {}
// SAFETY: see above.
unsafe impl Sync for EvaluatedProgram {}

impl Compiled for EvaluatedProgram {
    fn run_main(&self, request: &RunRequest) -> Result<RunOutcome, BackendError> {
        let mut options = eval::Options::new(Mode::Scheduled);
        options.args = request.args.clone();
        options.stream_output = !request.capture_output;
        options.fuel = request.fuel;
        options.interrupt = Some(request.interrupt.clone());
        options.host = self.host.clone();
        let result = eval::run_main(&self.module, options);
        if !result.errors.is_empty() {
            return Err(format!("the evaluator stopped: {}", result.errors.join("; ")).into());
        }
        Ok(RunOutcome::new(result.ending, result.stdout, result.stderr))
    }
}
