//! The reference evaluator: runs IR before the coroutine transform (sequential
//! semantics) and after it (state machines under the deterministic scheduler).
//!
//! - [`Mode::Sequential`]: calling an async function records the call; `await` runs the
//!   callee to completion in place; `sleep` advances the virtual clock; `yield` does
//!   nothing. Futures never awaited do not run.
//! - [`Mode::Scheduled`]: wrappers allocate states and spawn tasks; one worker runs
//!   ready tasks first-in first-out; spawned and woken tasks go to the back of the run
//!   queue; when none is ready, the virtual clock jumps to the earliest timer and every
//!   timer due then fires, ties in the order they were set (LANGUAGE.md §6.9,
//!   `examples/README.md`). Each resume starts with every local undefined, so reading a
//!   local the state did not save is an error, not a silent success.
//!
//! Both print through the runtime's formatting rules (floats in the shortest form that
//! reads back, no trailing `.0`), and both count references: a string released more
//! often than retained, a future released twice, or anything still held when the
//! program ends is reported in [`RunResult::errors`]. This module must not call the C
//! runtime: it is the specification the runtime and the backends are tested against.
//! (It does real file and socket I/O for LANGUAGE.md §13, through the system: `io`.)

mod builtins;
mod channels;
mod combinators;
mod exec;
mod heap;
mod io;
mod runtime;
mod scheduler;
mod values;

use std::collections::VecDeque;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::backend::{Ending, HostDispatch, Interrupt, Interruption, Panic, SourceLocation};
use crate::ir::*;

/// Which IR the evaluator runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Built IR: `await` runs the callee in place.
    Sequential,
    /// Transformed IR under the deterministic scheduler.
    Scheduled,
}

/// Options of a run.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// The mode.
    pub mode: Mode,
    /// Stop after this many steps (statements and block ends, so every loop iteration
    /// costs at least one): the run ends as [`Ending::Interrupted`] with
    /// [`Interruption::Fuel`]. `None`: no limit.
    pub fuel: Option<u64>,
    /// Stops the run (as [`Ending::Interrupted`]) once raised; polled every
    /// [`INTERRUPT_POLL_STEPS`] steps.
    pub interrupt: Option<Interrupt>,
    /// Host closures for `extern "C"` declarations: name, dispatcher and data (see
    /// [`crate::backend::HostBinding::Closure`]).
    pub host: Vec<(String, HostDispatch, usize)>,
    /// Scheduled mode: cancel the task running function `.0` when it reaches its
    /// suspension number `.1` (for cancellation tests).
    pub cancel_at: Option<(String, u32)>,
    /// What `args()` gives: the program's arguments (LANGUAGE.md §13).
    pub args: Vec<String>,
    /// Write what the program prints to the process's stdout and stderr as it prints
    /// it (flushed at every call), instead of collecting it in the [`RunResult`]: a
    /// server run by the evaluator can tell its port to a client while it runs.
    pub stream_output: bool,
}

impl Options {
    /// Default options for a mode.
    pub fn new(mode: Mode) -> Options {
        Options {
            mode,
            fuel: Some(50_000_000),
            interrupt: None,
            host: Vec::new(),
            cancel_at: None,
            args: Vec::new(),
            stream_output: false,
        }
    }
}

/// What a run produced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunResult {
    /// Everything printed to stdout (empty with [`Options::stream_output`]).
    pub stdout: String,
    /// Everything printed to stderr (empty with [`Options::stream_output`]).
    pub stderr: String,
    /// How the run ended (an evaluation error: [`Ending::Unfinished`]).
    pub ending: Ending,
    /// The exit code: main's `i32`, 0 for unit, 101 after a panic, the code given to
    /// `exit` ([`Ending::exit_code`]; 102 after an evaluation error).
    pub exit_code: i32,
    /// Evaluation errors: undefined reads, reference-count violations, leaks, fuel.
    pub errors: Vec<String>,
    /// Number of string releases that dropped a reference.
    pub string_releases: u64,
    /// Number of future handles released (not taken).
    pub future_releases: u64,
    /// Number of times a suspended task was resumed.
    pub resumes: u64,
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Undef,
    Unit,
    Bool(bool),
    Int(i128, IntTy),
    Float(f64, FloatTy),
    Str(Option<usize>),
    Future(Option<usize>),
    Agg(Vec<Value>),
    Enum(u32, Vec<Value>),
    State(usize),
    Status(CoroStatus),
    /// A defer list: the index of its newest record.
    DeferList(Option<usize>),
    /// A vector (an index into `Machine::vecs`; `None` is the empty vector).
    Vec(Option<usize>),
    /// A function value: its code and its environment.
    Fn(Name, Option<usize>),
    /// A closure environment (an index into `Machine::envs`; `None` is NULL).
    Env(Option<usize>),
    /// A channel handle (an index into `Machine::chans`).
    Channel(Option<usize>),
    /// A wait record (an index into `Machine::waiters`).
    Waiter(usize),
    /// A select's record (an index into `Machine::selects`).
    Select(usize),
    /// An `IoError` (an index into `Machine::io_errors`; `None` is NULL).
    IoError(Option<usize>),
    /// A `File`, `TcpListener` or `TcpStream` (an index into `Machine::io_handles`).
    IoHandle(Option<usize>),
}

#[derive(Debug)]
enum Stop {
    Panic(Panic),
    /// The fuel ran out or the host raised the interrupt.
    Interrupted(Interruption),
    Error(String),
    /// Every task left waits, and nothing can wake one: how many.
    Deadlock(usize),
    /// `exit(code)` ended the program.
    Exit(i32),
}

/// What a deadlocked program prints (on stderr, with exit code 101) in every engine.
pub fn deadlock_message(waiting: u64) -> String {
    format!(
        "deadlock: {waiting} task{} wait{} forever and nothing can wake {}",
        if waiting == 1 { "" } else { "s" },
        if waiting == 1 { "s" } else { "" },
        if waiting == 1 { "it" } else { "them" }
    )
}

type Res<T> = Result<T, Stop>;

fn err<T>(msg: impl Into<String>) -> Res<T> {
    Err(Stop::Error(msg.into()))
}

struct StrObj {
    /// The bytes (Vex strings are bytes, not necessarily UTF-8).
    text: Rc<[u8]>,
    refs: u32,
    is_static: bool,
}

/// A vector's buffer, shared by the copies of the vector that refer to it.
struct VecObj {
    elems: Vec<Value>,
    refs: u32,
}

/// A closure environment: its captures (by field of the struct `def`).
struct EnvObj {
    def: Name,
    fields: Vec<Value>,
    refs: u32,
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Pending,
    Value(Value),
    Cancelled,
}

struct Task {
    /// Sequential mode: the call to run when awaited.
    call: Option<(Name, Vec<Value>)>,
    /// Scheduled mode: resume function and state.
    resume: Option<(Name, usize)>,
    outcome: Outcome,
    cancelled: bool,
    /// Handles held by the program (the wrapper's).
    handles: u32,
    waiter: Option<usize>,
    /// What the task waits for while suspended.
    waiting: Waiting,
    /// The coroutine's name.
    function: Name,
    /// Whether a handle took the value.
    taken: bool,
    /// A runtime-provided task (`vex_sleep_future`, `vex_yield_future`).
    builtin: Option<BuiltinTask>,
}

impl Task {
    /// A pending task with one handle, not awaited by anyone yet.
    fn new(function: Name, waiting: Waiting) -> Task {
        Task {
            call: None,
            resume: None,
            outcome: Outcome::Pending,
            cancelled: false,
            handles: 1,
            waiter: None,
            waiting,
            function,
            taken: false,
            builtin: None,
        }
    }
}

/// What a runtime-provided task does.
#[derive(Debug, Clone, Copy, PartialEq)]
enum BuiltinTask {
    /// Completes at this virtual time (sequential mode: awaiting moves the clock there).
    Sleep(i64),
    /// Completes the first time it runs.
    Yield,
    /// A future combinator (an index into `Machine::combs`).
    Combinator(usize),
    /// An I/O operation (an index into `Machine::io_ops`).
    Io(usize),
}

/// One record of a defer list.
struct DeferRecord {
    site: u32,
    captures: Value,
    taken: bool,
    next: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Waiting {
    Nothing,
    Timer,
    Future(usize),
    Queue,
    /// Parked by a channel operation or select (with the select's timer, if any).
    Park,
    /// An I/O operation waits for its file job's delivery (a cancellation wakes it, but
    /// the job still counts as in flight).
    Blocking,
    /// An I/O operation waits for its socket (on `Machine::socket_waits`).
    Io,
}

#[derive(Debug, Clone, Copy)]
enum Wait {
    After(i64),
    Yield,
    Future(usize),
    /// A channel operation recorded a wake-up wait, until the deadline if there is one.
    Park(Option<i64>),
}

struct StateObj {
    def: Name,
    /// Offset → (field that wrote it, value).
    bytes: FxHashMap<u64, (u32, Value)>,
    /// What `vex_task_set_drop_result` registered.
    drop_result: Option<Name>,
}

struct Machine<'m> {
    /// The program's `extern "C"` declarations.
    externs: &'m [ExternDecl],
    funcs: FxHashMap<&'m str, &'m Function>,
    types: TypeDefs,
    options: Options,
    strings: Vec<StrObj>,
    literals: FxHashMap<&'m str, usize>,
    tasks: Vec<Task>,
    states: Vec<StateObj>,
    queue: VecDeque<usize>,
    timers: Vec<(i64, u64, usize)>,
    timer_seq: u64,
    now: i64,
    current: Option<usize>,
    wait: Option<Wait>,
    fuel: Option<u64>,
    /// Steps taken (see `Machine::tick`).
    steps: u64,
    /// Nested calls of ordinary functions now running (see `MAX_CALL_DEPTH`).
    depth: u32,
    defer_records: Vec<Option<DeferRecord>>,
    vecs: Vec<VecObj>,
    envs: Vec<EnvObj>,
    chans: Vec<channels::ChanObj>,
    waiters: Vec<channels::WaiterObj>,
    selects: Vec<channels::SelectObj>,
    combs: Vec<combinators::CombObj>,
    io_errors: Vec<io::IoErrorObj>,
    io_handles: Vec<io::HandleObj>,
    io_ops: Vec<io::IoOpObj>,
    /// The op tasks whose file jobs are in flight, in the order they started.
    jobs_in_flight: Vec<usize>,
    /// The op tasks waiting on a socket, in the order they started waiting.
    socket_waits: Vec<usize>,
    /// Task runs so far (sockets are polled every `io::POLL_INTERVAL`).
    ticks: u64,
    /// The record that lives at (state, byte offset, is a select) of a coroutine state.
    pinned: FxHashMap<(usize, u64, bool), Value>,
    /// The generator of `select`'s random choices (the runtime's, same seed).
    rng: u64,
    /// What the program printed, as bytes (turned into `out` at the end).
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    out: RunResult,
}

/// How many steps pass between two looks at [`Options::interrupt`].
pub const INTERRUPT_POLL_STEPS: u64 = 1024;

/// The most nested calls the evaluator runs; one more is a panic (`stack overflow`)
/// rather than an overflow of the host's stack. Calls run on a growable stack
/// (`vex_hir::ensure_stack`), so the limit does not depend on the thread.
pub const MAX_CALL_DEPTH: u32 = 10_000;

/// Runs `main` of a module and returns what it printed and its exit code.
pub fn run_main(module: &Module, options: Options) -> RunResult {
    let mut m = Machine {
        funcs: module.functions.iter().map(|f| (&*f.name, f)).collect(),
        externs: &module.externs,
        types: module.type_defs(),
        fuel: options.fuel,
        steps: 0,
        options,
        strings: Vec::new(),
        literals: FxHashMap::default(),
        tasks: Vec::new(),
        states: Vec::new(),
        queue: VecDeque::new(),
        timers: Vec::new(),
        timer_seq: 0,
        now: 0,
        current: None,
        wait: None,
        depth: 0,
        defer_records: Vec::new(),
        vecs: Vec::new(),
        envs: Vec::new(),
        chans: Vec::new(),
        waiters: Vec::new(),
        selects: Vec::new(),
        combs: Vec::new(),
        io_errors: Vec::new(),
        io_handles: Vec::new(),
        io_ops: Vec::new(),
        jobs_in_flight: Vec::new(),
        socket_waits: Vec::new(),
        ticks: 0,
        pinned: FxHashMap::default(),
        rng: channels::RNG_SEED,
        stdout: Vec::new(),
        stderr: Vec::new(),
        out: RunResult::default(),
    };
    let ending = match m.run() {
        Ok(ending) => {
            m.check_leaks();
            ending
        }
        Err(Stop::Panic(panic)) => {
            m.emit(Stream::Stderr, panic.to_string().as_bytes(), true);
            Ending::Panicked(panic)
        }
        Err(Stop::Error(e)) => {
            m.out.errors.push(e);
            Ending::Unfinished
        }
        Err(Stop::Deadlock(waiting)) => {
            m.emit(Stream::Stderr, deadlock_message(waiting as u64).as_bytes(), true);
            Ending::Deadlocked { tasks: waiting as u64 }
        }
        // Like a panic, the program is abandoned whole: no leak check.
        Err(Stop::Exit(code)) => Ending::Exited(code),
        Err(Stop::Interrupted(why)) => Ending::Interrupted(why),
    };
    m.out.exit_code = if m.out.errors.is_empty() { ending.exit_code() } else { 102 };
    m.out.ending = ending;
    m.out.stdout = String::from_utf8_lossy(&m.stdout).into_owned();
    m.out.stderr = String::from_utf8_lossy(&m.stderr).into_owned();
    m.out
}

/// One of the program's output streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Stdout,
    Stderr,
}

impl<'m> Machine<'m> {
    /// Prints `text` (and a newline) on `stream`: collected for the [`RunResult`], or
    /// written through at once with [`Options::stream_output`]. A closed stream loses
    /// the text, as it does for compiled programs.
    fn emit(&mut self, stream: Stream, text: &[u8], newline: bool) {
        use std::io::Write as _;
        let nl: &[u8] = if newline { b"\n" } else { b"" };
        if self.options.stream_output {
            let _ = match stream {
                Stream::Stdout => {
                    let mut out = std::io::stdout().lock();
                    out.write_all(text).and_then(|()| out.write_all(nl)).and_then(|()| out.flush())
                }
                Stream::Stderr => {
                    let mut out = std::io::stderr().lock();
                    out.write_all(text).and_then(|()| out.write_all(nl))
                }
            };
            return;
        }
        let out = match stream {
            Stream::Stdout => &mut self.stdout,
            Stream::Stderr => &mut self.stderr,
        };
        out.extend_from_slice(text);
        out.extend_from_slice(nl);
    }

    fn function(&self, name: &str) -> Res<&'m Function> {
        match self.funcs.get(name) {
            Some(f) => Ok(f),
            None => err(format!("unknown function {name}")),
        }
    }

    fn run(&mut self) -> Res<Ending> {
        let main = self.function("main")?;
        // `main` is always a task (lowering wraps a synchronous one).
        let result = match self.options.mode {
            Mode::Sequential => self.exec(main, Vec::new())?,
            Mode::Scheduled => {
                let f = self.call("main", Vec::new())?;
                let Value::Future(Some(task)) = f else { return err("main did not spawn") };
                self.drain()?;
                // Nothing is runnable and no timer is left: a task still waiting waits
                // for a channel nobody can reach (LANGUAGE.md §11).
                let waiting = self.tasks.iter().filter(|t| t.outcome == Outcome::Pending).count();
                if waiting > 0 {
                    return Err(Stop::Deadlock(waiting));
                }
                let outcome = std::mem::replace(&mut self.tasks[task].outcome, Outcome::Pending);
                self.tasks[task].handles = 0;
                match outcome {
                    Outcome::Value(v) => v,
                    // Cancelled, or waiting for something that never happens: the same
                    // status the compiled program entry uses.
                    _ => return Ok(Ending::Unfinished),
                }
            }
        };
        Ok(Ending::Returned(match result {
            Value::Int(v, _) => v as i32,
            _ => 0,
        }))
    }

    fn check_leaks(&mut self) {
        // Sequential mode: tasks never awaited never ran; their arguments are theirs.
        for t in 0..self.tasks.len() {
            if let Some((_, args)) = self.tasks[t].call.take() {
                for a in args {
                    let _ = self.release(&a);
                }
            }
        }
        let leaked: Vec<String> = self
            .strings
            .iter()
            .filter(|s| !s.is_static && s.refs > 0)
            .map(|s| {
                format!(
                    "string {:?} leaked ({} references)",
                    String::from_utf8_lossy(&s.text),
                    s.refs
                )
            })
            .collect();
        self.out.errors.extend(leaked);
        for (i, v) in self.vecs.iter().enumerate() {
            if v.refs > 0 {
                self.out.errors.push(format!("vector {i} of {} elements leaked", v.elems.len()));
            }
        }
        for (i, e) in self.envs.iter().enumerate() {
            if e.refs > 0 {
                self.out.errors.push(format!("environment {i} ({}) leaked", e.def));
            }
        }
        let channels = self.leaked_channels();
        self.out.errors.extend(channels);
        let io = self.leaked_io();
        self.out.errors.extend(io);
        let records = self.defer_records.iter().filter(|r| r.is_some()).count();
        if records > 0 {
            self.out.errors.push(format!("{records} defer records never popped"));
        }
        if self.options.mode == Mode::Scheduled {
            for (i, t) in self.tasks.iter().enumerate() {
                if t.handles > 0 {
                    self.out.errors.push(format!("future of task {i} ({}) leaked", t.function));
                }
            }
        }
    }
}

/// One running function: its IR and the values of its locals.
struct Frame<'m> {
    f: &'m Function,
    locals: Vec<Value>,
}
