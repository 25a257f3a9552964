//! Compiled programs: [`Config`] says how to compile and run, [`crate::Compiler::compile`]
//! makes a [`Program`] once, and [`Program::run`] runs its `main` as often as wanted,
//! concurrently, from any thread, each run ending in an [`Outcome`] whose [`Ending`] is
//! data (returned, exited, panicked with its location, deadlocked, interrupted).
//! Deadlines and [`InterruptHandle`]s stop runaway runs; the host keeps running.

use std::collections::HashMap;
use std::sync::Arc;
#[cfg(feature = "llvm")]
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use vex_async_lower::backend::{Compiled, HostSignature, Interrupt, RunRequest};

pub use vex_async_lower::backend::{
    Ending, Interruption, OptLevel, Panic, RunOutcome as Outcome, SourceLocation,
};

/// The engine that compiles and runs a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Engine {
    /// The reference evaluator: no LLVM needed; always deterministic.
    Interpreter,
    /// LLVM, compiled in memory and run in this process (feature `llvm`).
    #[cfg(feature = "llvm")]
    Jit,
    /// LLVM, linked into a standalone executable and run as a child process per run
    /// (feature `llvm`).
    #[cfg(feature = "llvm")]
    Executable,
}

impl Default for Engine {
    /// The JIT when LLVM is available, else the evaluator.
    fn default() -> Engine {
        #[cfg(feature = "llvm")]
        return Engine::Jit;
        #[cfg(not(feature = "llvm"))]
        return Engine::Interpreter;
    }
}

/// How a program is compiled and how its runs are set up: the engine, its optimisation
/// level, the workers, deterministic mode and the evaluator's fuel.
///
/// ```
/// use vex::{Config, Engine, OptLevel};
/// let config = Config::new().engine(Engine::Interpreter).opt_level(OptLevel::O0).fuel(Some(10_000));
/// assert_eq!(config.engine, Engine::Interpreter);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The engine.
    pub engine: Engine,
    /// The optimisation level of the LLVM engines (default: O2).
    pub opt_level: OptLevel,
    /// Worker threads per run; 0 means one per CPU.
    pub workers: u32,
    /// Deterministic mode: one worker and a virtual clock (LANGUAGE.md §6.9).
    pub deterministic: bool,
    /// The evaluator's budget of steps per run (statements and block ends, so every
    /// loop iteration counts); a run that uses it up ends as
    /// [`Ending::Interrupted`]`(`[`Interruption::Fuel`]`)`. `None`: no limit. Compiled
    /// engines have no fuel: stop them with a deadline or an [`InterruptHandle`].
    pub fuel: Option<u64>,
    /// Whether the JIT checks for interrupts in loops (the default), so that a deadline
    /// or an [`InterruptHandle`] stops even a loop that calls nothing: every loop head of
    /// the optimised code counts down, and every 4096th one checks, which costs at most
    /// about 2% on the CPU benchmarks and leaves vectorisation alone (bench/RESULTS.md).
    /// Off, such a loop runs until it ends (interrupts then act at function entries and
    /// suspensions). Stack overflow is caught either way.
    pub interruptible_loops: bool,
    /// Whether only the functions `main` can reach (through calls and function values)
    /// are lowered and compiled. Off (the default), every free function is compiled, so
    /// [`Program::func`] and [`Program::async_func`] can call any of them. On, a run of a
    /// large program starts sooner (the work grows with the code `main` reaches, not
    /// with the program; `vex run` and `vex build` do this) and typed calls find only
    /// those functions.
    pub main_only: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            engine: Engine::default(),
            opt_level: OptLevel::O2,
            workers: 0,
            deterministic: false,
            fuel: None,
            main_only: false,
            interruptible_loops: true,
        }
    }
}

impl Config {
    /// The defaults: the JIT (when built with LLVM) at O2, one worker per CPU, real
    /// clock, no fuel limit.
    pub fn new() -> Config {
        Config::default()
    }

    /// Sets the engine.
    pub fn engine(mut self, engine: Engine) -> Config {
        self.engine = engine;
        self
    }

    /// Sets the optimisation level.
    pub fn opt_level(mut self, level: OptLevel) -> Config {
        self.opt_level = level;
        self
    }

    /// Sets the number of workers (0: one per CPU).
    pub fn workers(mut self, workers: u32) -> Config {
        self.workers = workers;
        self
    }

    /// Turns deterministic mode on or off.
    pub fn deterministic(mut self, on: bool) -> Config {
        self.deterministic = on;
        self
    }

    /// Turns the JIT's interrupt checks at loop heads on (the default) or off.
    pub fn interruptible_loops(mut self, on: bool) -> Config {
        self.interruptible_loops = on;
        self
    }

    /// Compiles only what `main` reaches (see [`Config::main_only`]).
    pub fn main_only(mut self, on: bool) -> Config {
        self.main_only = on;
        self
    }

    /// Sets the evaluator's fuel.
    pub fn fuel(mut self, fuel: Option<u64>) -> Config {
        self.fuel = fuel;
        self
    }
}

/// What one run gets: the program's arguments, whether output is captured, a deadline
/// and an interrupt handle.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RunOptions {
    /// The program's arguments: what `args()` gives (LANGUAGE.md §13).
    pub args: Vec<String>,
    /// Collect stdout and stderr in the [`Outcome`] (the default) instead of writing
    /// them to the process's streams.
    pub capture_output: bool,
    /// Stop the run once this much time has passed since it started: it then ends as
    /// [`Ending::Interrupted`]`(`[`Interruption::Deadline`]`)`.
    pub deadline: Option<Duration>,
    /// Stop the run when this handle is raised (from any thread).
    pub interrupt: Option<InterruptHandle>,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions { args: Vec::new(), capture_output: true, deadline: None, interrupt: None }
    }
}

impl RunOptions {
    /// Output captured, no arguments, no deadline, no interrupt handle.
    pub fn new() -> RunOptions {
        RunOptions::default()
    }

    /// Sets the program's arguments.
    pub fn args<I, S>(mut self, args: I) -> RunOptions
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }

    /// Captures output (or lets the program write to the process's streams).
    pub fn capture_output(mut self, on: bool) -> RunOptions {
        self.capture_output = on;
        self
    }

    /// Sets a deadline, measured from the start of the run.
    pub fn deadline(mut self, after: Duration) -> RunOptions {
        self.deadline = Some(after);
        self
    }

    /// Lets `handle` interrupt the run.
    pub fn interrupt(mut self, handle: &InterruptHandle) -> RunOptions {
        self.interrupt = Some(handle.clone());
        self
    }
}

/// Interrupts runs from any thread: every run given this handle (or a clone) that is
/// going on when [`InterruptHandle::interrupt`] is called, or that starts afterwards, ends
/// as [`Ending::Interrupted`]`(`[`Interruption::Requested`]`)`. Compiled code notices at
/// its next function entry, loop iteration or suspension; the evaluator within a
/// thousand steps. The run's tasks are abandoned; the program and the host stay usable.
///
/// ```
/// # #[cfg(feature = "llvm")] {
/// let mut compiler = vex::Compiler::new();
/// compiler.set_file("main.vx", "fn main() { loop {} }\n");
/// let program = compiler.compile(&vex::Config::default()).unwrap();
/// let handle = vex::InterruptHandle::new();
/// let stopper = handle.clone();
/// std::thread::spawn(move || {
///     std::thread::sleep(std::time::Duration::from_millis(20));
///     stopper.interrupt();
/// });
/// let outcome = program.run(&vex::RunOptions::new().interrupt(&handle)).unwrap();
/// assert_eq!(outcome.ending, vex::Ending::Interrupted(vex::Interruption::Requested));
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct InterruptHandle {
    flag: Interrupt,
}

impl InterruptHandle {
    /// A handle not raised yet.
    pub fn new() -> InterruptHandle {
        InterruptHandle::default()
    }

    /// Interrupts the runs using this handle, now and later.
    pub fn interrupt(&self) {
        self.flag.trigger(Interruption::Requested);
    }

    /// Whether [`InterruptHandle::interrupt`] was called.
    pub fn is_interrupted(&self) -> bool {
        self.flag.is_triggered()
    }
}

/// A compiled program: made once by [`crate::Compiler::compile`], then run any number of
/// times. Cheap to clone, `Send` and `Sync`: clones share the compiled code, and runs
/// from several threads at once are independent (each has its own runtime, output and
/// ending).
///
/// ```
/// let mut compiler = vex::Compiler::new();
/// compiler.set_file("main.vx", "fn main(): i32 {\n    println(\"hi\")\n    7\n}\n");
/// let program = compiler.compile(&vex::Config::default()).unwrap();
/// for _ in 0..3 {
///     let outcome = program.run(&vex::RunOptions::default()).unwrap();
///     assert_eq!((outcome.stdout.as_str(), &outcome.ending), ("hi\n", &vex::Ending::Returned(7)));
/// }
/// ```
#[derive(Clone)]
pub struct Program {
    inner: Arc<ProgramInner>,
}

/// What the clones of a [`Program`] share.
pub(crate) struct ProgramInner {
    pub(crate) compiled: Arc<dyn Compiled>,
    pub(crate) engine: &'static str,
    pub(crate) config: Config,
    /// The functions a host can call, by name.
    #[cfg_attr(not(feature = "llvm"), allow(dead_code))]
    pub(crate) signatures: HashMap<String, HostSignature>,
    /// The runtime typed calls run on, made on first use (see `crate::Func`). Declared
    /// before nothing that it needs: it is dropped first, while the code lives.
    #[cfg(feature = "llvm")]
    serving: OnceLock<ServingRuntime>,
    /// The host closures the compiled code calls (dropped after it, see Drop).
    _host_closures: Vec<Arc<dyn std::any::Any + Send + Sync>>,
}

impl Drop for ProgramInner {
    fn drop(&mut self) {
        // The serving runtime's tasks run the program's code: stop them first.
        #[cfg(feature = "llvm")]
        drop(self.serving.take());
    }
}

impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Program").field("engine", &self.inner.engine).finish_non_exhaustive()
    }
}

/// A runtime that serves a program's typed calls, running in a background thread until
/// the program is dropped.
#[cfg(feature = "llvm")]
struct ServingRuntime {
    runtime: vex_rt_sys::Runtime,
    thread: Option<std::thread::JoinHandle<Result<(), vex_rt_sys::RuntimeError>>>,
}

#[cfg(feature = "llvm")]
impl Drop for ServingRuntime {
    fn drop(&mut self) {
        self.runtime.shutdown();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // SAFETY: the tasks' code belongs to the program, which is still alive (see
        // ProgramInner's Drop).
        unsafe { vex_llvm::jit::teardown_within_budget(&self.runtime) };
    }
}

#[cfg(feature = "llvm")]
impl ProgramInner {
    /// The serving runtime, made and started on first use (a runtime that cannot be
    /// made is an error of the lookup that wanted it, not a panic of the host).
    pub(crate) fn serving_runtime(&self) -> Result<&vex_rt_sys::Runtime, crate::Error> {
        if self.serving.get().is_none() {
            let runtime = vex_rt_sys::RuntimeBuilder::new()
                .workers(self.config.workers as usize)
                .serving(true)
                .build()
                .map_err(|e| crate::Error::Engine {
                    engine: self.engine,
                    message: e.to_string(),
                })?;
            let thread = Some(runtime.run_in_background());
            // Another thread may have made one meanwhile: then this one is shut down.
            let _ = self.serving.set(ServingRuntime { runtime, thread });
        }
        Ok(&self.serving.get().expect("set above").runtime)
    }
}

impl Program {
    pub(crate) fn new(
        compiled: Arc<dyn Compiled>,
        engine: &'static str,
        config: Config,
        signatures: HashMap<String, HostSignature>,
        host_closures: Vec<Arc<dyn std::any::Any + Send + Sync>>,
    ) -> Program {
        Program {
            inner: Arc::new(ProgramInner {
                compiled,
                engine,
                config,
                signatures,
                #[cfg(feature = "llvm")]
                serving: OnceLock::new(),
                _host_closures: host_closures,
            }),
        }
    }

    #[cfg(feature = "llvm")]
    pub(crate) fn inner(&self) -> &Arc<ProgramInner> {
        &self.inner
    }

    /// The configuration the program was compiled with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Runs `main` to its end: every task drained (LANGUAGE.md §6.8), or the run
    /// stopped by `exit`, a panic, a deadlock, the deadline or an interrupt. Each of those
    /// is an [`Ending`] of the returned [`Outcome`]: an error here means the engine could
    /// not run the program at all.
    ///
    /// ```
    /// let mut compiler = vex::Compiler::new();
    /// compiler.set_file("main.vx", "fn main() {\n    let a = [1, 2, 3]\n    println(a[5])\n}\n");
    /// let program = compiler.compile(&vex::Config::default()).unwrap();
    /// let outcome = program.run(&vex::RunOptions::default()).unwrap();
    /// let vex::Ending::Panicked(panic) = &outcome.ending else { panic!() };
    /// assert_eq!(panic.message, "index out of bounds: index 5, length 3");
    /// assert_eq!((panic.location.line, panic.location.column), (3, 13));
    /// assert_eq!(outcome.exit_code(), 101);
    /// ```
    pub fn run(&self, options: &RunOptions) -> Result<Outcome, crate::Error> {
        let interrupt = Interrupt::new();
        let _requested = options.interrupt.as_ref().map(|handle| {
            let run = interrupt.clone();
            handle.flag.on_trigger(move || run.trigger(Interruption::Requested))
        });
        let _deadline = options.deadline.map(|after| interrupt.trigger_at(Instant::now() + after));
        let mut request = RunRequest::default();
        let config = &self.inner.config;
        request.workers = config.workers;
        request.virtual_clock = config.deterministic;
        request.capture_output = options.capture_output;
        request.args = options.args.clone();
        request.interrupt = interrupt;
        request.fuel = config.fuel;
        self.inner
            .compiled
            .run_main(&request)
            .map_err(|e| crate::Error::Engine { engine: self.inner.engine, message: e.to_string() })
    }
}
