//! The safe host API over the C runtime: [`RuntimeBuilder`] / [`Runtime`] (workers,
//! virtual clock, output capture), spawning state machines ([`Runtime::spawn`] for Rust
//! types implementing [`StateMachine`], [`Runtime::spawn_raw`] for a C resume function),
//! [`TaskHandle`] (join, host-thread waits with a time limit, cancel, status; also a
//! wrapper for a raw `VexFuture *` of compiled Vex code), [`CancelToken`] and
//! [`Counters`]. It must not schedule anything itself; every operation is one or two
//! calls into `vex-rt`.

use crate::ffi;
use std::cell::Cell;
use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::marker::PhantomData;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Errors of a whole runtime run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// A task panicked; the message is `panic at FILE:LINE:COL: MSG`.
    #[error("{0}")]
    Panicked(String),
    /// With [`RuntimeBuilder::detect_deadlock`]: the run stopped because this many tasks
    /// wait and nothing can ever wake them (LANGUAGE.md §11).
    #[error("deadlock: {0} task(s) wait forever")]
    Deadlocked(u64),
    /// A task called `exit(code)` (LANGUAGE.md §13): the run stopped at once with this
    /// exit code, the other tasks abandoned.
    #[error("the program exited with code {0}")]
    Exited(i32),
    /// A program argument given to [`RuntimeBuilder::args`] contains a NUL byte, which
    /// the runtime's C strings cannot carry (argument index).
    #[error("program argument {0} contains a NUL byte")]
    ArgumentWithNul(usize),
    /// The C runtime could not be created.
    #[error("the runtime could not be created")]
    CreateFailed,
}

/// Why a task produced no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JoinError {
    /// The task finished through its cancel exit.
    #[error("task was cancelled")]
    Cancelled,
    /// The runtime stopped because of a panic (in this task or another one).
    #[error("{0}")]
    Panicked(String),
    /// The runtime drained without the task finishing (it waits on something that
    /// never happens).
    #[error("task never finished")]
    Unfinished,
}

/// A task's state as seen by a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskStatus {
    /// Not finished.
    Pending,
    /// Finished with a value.
    Finished,
    /// Finished as cancelled.
    Cancelled,
    /// Abandoned by a panic.
    Panicked,
}

impl TaskStatus {
    fn from_outcome(o: ffi::VexOutcome) -> TaskStatus {
        match o {
            ffi::VEX_OUTCOME_VALUE => TaskStatus::Finished,
            ffi::VEX_OUTCOME_CANCELLED => TaskStatus::Cancelled,
            ffi::VEX_OUTCOME_PANICKED => TaskStatus::Panicked,
            _ => TaskStatus::Pending,
        }
    }
}

/// Scheduler counters (a snapshot).
pub type Counters = ffi::VexCounters;

/// Captured program output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// Bytes printed to stdout.
    pub stdout: Vec<u8>,
    /// Bytes printed to stderr (including panic lines).
    pub stderr: Vec<u8>,
}

impl Output {
    /// Stdout as (lossy) UTF-8.
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    /// Stderr as (lossy) UTF-8.
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Configures a [`Runtime`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RuntimeBuilder {
    /// Number of workers (0: number of CPUs).
    pub workers: usize,
    /// Deterministic mode: one worker, FIFO, virtual time.
    pub virtual_clock: bool,
    /// Capture stdout/stderr instead of writing to the process's descriptors.
    pub capture_output: bool,
    /// End a run as soon as it can never finish (see [`RuntimeBuilder::detect_deadlock`]).
    pub detect_deadlock: bool,
    /// What `args()` returns to Vex code (see [`RuntimeBuilder::args`]).
    pub args: Vec<String>,
    /// Serve a host's calls (see [`RuntimeBuilder::serving`]).
    pub serving: bool,
}

impl RuntimeBuilder {
    /// Defaults: one worker per CPU, real clock, no capture.
    pub fn new() -> RuntimeBuilder {
        RuntimeBuilder::default()
    }
    /// Sets the number of workers (0: number of CPUs).
    pub fn workers(mut self, n: usize) -> RuntimeBuilder {
        self.workers = n;
        self
    }
    /// Enables deterministic mode.
    pub fn virtual_clock(mut self, on: bool) -> RuntimeBuilder {
        self.virtual_clock = on;
        self
    }
    /// Ends a run as soon as it can never finish: every worker is idle, tasks are left,
    /// and no queued task, timer or I/O wait can wake one. The runtime then prints
    /// `deadlock: N tasks wait forever and nothing can wake them` on its stderr and
    /// [`Runtime::run`] returns [`RuntimeError::Deadlocked`]. Only for runtimes whose
    /// tasks nothing outside wakes: a host thread sending into a [`crate::Channel`] or
    /// waiting on a task is a source the runtime cannot see, so leave it off then.
    pub fn detect_deadlock(mut self, on: bool) -> RuntimeBuilder {
        self.detect_deadlock = on;
        self
    }
    /// Sets what Vex code gets from `args()` (LANGUAGE.md §13): the program's arguments,
    /// without a program name.
    pub fn args<I, S>(mut self, args: I) -> RuntimeBuilder
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }
    /// Makes a runtime that serves a host's calls rather than running one program: its
    /// run ([`Runtime::run_in_background`]) keeps the workers until
    /// [`Runtime::shutdown`], and a panic ends only the task (or the call) that panicked,
    /// never the run; nothing is printed for it. Real clock, no deadlock detection.
    pub fn serving(mut self, on: bool) -> RuntimeBuilder {
        self.serving = on;
        self
    }
    /// Captures output (read it with [`Runtime::take_output`]).
    pub fn capture_output(mut self, on: bool) -> RuntimeBuilder {
        self.capture_output = on;
        self
    }
    /// Creates the runtime.
    pub fn build(self) -> Result<Runtime, RuntimeError> {
        let args: Vec<CString> = self
            .args
            .iter()
            .enumerate()
            .map(|(i, a)| CString::new(a.as_str()).map_err(|_| RuntimeError::ArgumentWithNul(i)))
            .collect::<Result<_, _>>()?;
        let capture = self.capture_output.then(OutputCapture::new);
        let (sink, sink_user) = match capture.as_ref().map(OutputCapture::sink) {
            Some((sink, user)) => (Some(sink), user),
            None => (None, std::ptr::null_mut()),
        };
        let options = ffi::VexRuntimeOptions {
            workers: i32::try_from(self.workers).unwrap_or(i32::MAX),
            virtual_clock: self.virtual_clock,
            detect_deadlock: self.detect_deadlock,
            sink,
            sink_user,
            serving: self.serving,
        };
        // SAFETY: options is a valid VexRuntimeOptions; sink_user points into `capture`,
        // which the returned Inner keeps alive for as long as the C runtime exists.
        let raw = unsafe { ffi::runtime_create_with(&options) };
        let raw = NonNull::new(raw).ok_or(RuntimeError::CreateFailed)?;
        let argv: Vec<*const c_char> = args.iter().map(|a| a.as_ptr()).collect();
        let argc = i32::try_from(argv.len()).unwrap_or(i32::MAX);
        // SAFETY: raw is a new runtime nobody runs yet; argv holds argc NUL-terminated
        // strings that live until the call returns (the runtime copies them).
        unsafe { ffi::runtime_set_args(raw.as_ptr(), argc, argv.as_ptr()) };
        Ok(Runtime { inner: Arc::new(Inner { raw, capture, run_lock: Mutex::new(()) }) })
    }
}

/// A buffer that collects what a runtime prints: the one implementation of the
/// runtime's output sink for Rust hosts, installed through [`OutputCapture::sink`]
/// (the `sink`/`sink_user` pair of `VexRuntimeOptions`, or of a compiled program's
/// entry). It must outlive every runtime it is installed in.
#[derive(Debug, Default)]
pub struct OutputCapture {
    buffer: Box<Mutex<Output>>,
}

impl OutputCapture {
    /// An empty buffer.
    pub fn new() -> OutputCapture {
        OutputCapture::default()
    }

    /// The sink function and the user pointer to pass with it. The pointer stays valid
    /// while `self` lives (the buffer is boxed, so moving `self` does not move it).
    pub fn sink(&self) -> (ffi::vex_output_sink, *mut c_void) {
        (capture_sink, &*self.buffer as *const Mutex<Output> as *mut c_void)
    }

    /// Takes what was captured so far, leaving the buffer empty.
    pub fn take(&self) -> Output {
        std::mem::take(&mut *self.buffer.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Everything captured.
    pub fn into_output(self) -> Output {
        self.buffer.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

unsafe extern "C" fn capture_sink(
    user: *mut c_void,
    stream: c_int,
    bytes: *const c_char,
    len: usize,
) {
    // SAFETY: user is the buffer of an OutputCapture (see OutputCapture::sink), alive
    // while the runtime exists; bytes/len describe a valid buffer for the call.
    let (out, data) = unsafe {
        (&*(user as *const Mutex<Output>), std::slice::from_raw_parts(bytes.cast::<u8>(), len))
    };
    let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
    if stream == 2 {
        out.stderr.extend_from_slice(data)
    } else {
        out.stdout.extend_from_slice(data)
    }
}

struct Inner {
    raw: NonNull<ffi::Runtime>,
    capture: Option<OutputCapture>,
    run_lock: Mutex<()>,
}

// SAFETY: the C runtime is thread-safe for spawning, cancelling and reading counters;
// runs are serialised by run_lock and destroy happens once, in Drop.
unsafe impl Send for Inner {}
// SAFETY: see above.
unsafe impl Sync for Inner {}

impl Drop for Inner {
    fn drop(&mut self) {
        // SAFETY: the last owner; no run is in progress (run holds an Arc).
        unsafe { ffi::runtime_destroy(self.raw.as_ptr()) }
    }
}

/// A Vex runtime owned by a host. Cheap to clone; destroyed with its last clone and its
/// last task handle. Tasks still unfinished then (never run, or abandoned by a panic)
/// are freed without dropping their state machines.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").field("workers", &self.workers()).finish()
    }
}

impl Runtime {
    /// A runtime with default settings.
    pub fn new() -> Result<Runtime, RuntimeError> {
        RuntimeBuilder::new().build()
    }

    /// The raw pointer, for FFI calls.
    pub fn as_raw(&self) -> *mut ffi::Runtime {
        self.inner.raw.as_ptr()
    }

    /// Holds the run lock: runs of one runtime are serialised.
    pub(crate) fn lock_run(&self) -> std::sync::MutexGuard<'_, ()> {
        self.inner.run_lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Number of workers.
    pub fn workers(&self) -> usize {
        // SAFETY: raw is a live runtime.
        unsafe { ffi::runtime_workers(self.as_raw()) as usize }
    }

    /// Runs every task to completion (graceful drain) on this thread plus the other
    /// workers. Returns the panic of a task, or a detected deadlock, as an error.
    pub fn run(&self) -> Result<(), RuntimeError> {
        let _guard = self.inner.run_lock.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: raw is live; runs are serialised by run_lock.
        unsafe { ffi::runtime_run(self.as_raw()) };
        if let Some(m) = self.panic_message() {
            return Err(RuntimeError::Panicked(m));
        }
        if let Some(code) = self.exit_code() {
            return Err(RuntimeError::Exited(code));
        }
        match self.deadlocked() {
            0 => Ok(()),
            waiting => Err(RuntimeError::Deadlocked(waiting)),
        }
    }

    /// The code a task gave to `exit(code)`, which stopped the run; `None` if no task
    /// called it.
    pub fn exit_code(&self) -> Option<i32> {
        // SAFETY: raw is a live runtime; both are atomic reads.
        unsafe { ffi::runtime_exited(self.as_raw()).then(|| ffi::runtime_exit_code(self.as_raw())) }
    }

    /// How many tasks were left waiting when a run stopped on a deadlock (only with
    /// [`RuntimeBuilder::detect_deadlock`]); 0 when none did.
    pub fn deadlocked(&self) -> u64 {
        // SAFETY: raw is a live runtime; the count is an atomic read.
        unsafe { ffi::runtime_deadlocked(self.as_raw()) }
    }

    /// Runs the runtime on a new thread ([`Runtime::run`] there) and returns that
    /// thread's handle. This is how a host keeps the runtime going while its own thread
    /// blocks in [`TaskHandle::wait_timeout`] or a blocking channel operation
    /// ([`crate::Channel::recv_timeout`], ...). Spawn the tasks first: a run with no live
    /// task returns at once, and a run returns as soon as every task has finished.
    pub fn run_in_background(&self) -> std::thread::JoinHandle<Result<(), RuntimeError>> {
        let rt = self.clone();
        std::thread::Builder::new()
            .name("vex-runtime".to_string())
            .spawn(move || rt.run())
            .expect("cannot start the runtime thread")
    }

    /// Stops the runtime's run as soon as possible (`runtime_shutdown`): idle workers
    /// wake and leave, running tasks stop at their next guard check; unfinished tasks are
    /// abandoned. From any thread. The way to end a serving runtime's run.
    pub fn shutdown(&self) {
        // SAFETY: the runtime is live while self exists; the call is thread-safe.
        unsafe { ffi::runtime_shutdown(self.as_raw()) }
    }

    /// Whether a task panicked (the run then stopped; see [`Runtime::panic_message`]).
    pub fn is_panicked(&self) -> bool {
        // SAFETY: raw is a live runtime; the flag is an atomic read.
        unsafe { ffi::runtime_panicked(self.as_raw()) }
    }

    /// The panic that stopped the runtime, if any.
    pub fn panic_message(&self) -> Option<String> {
        // SAFETY: raw is live; the message is owned by the runtime and NUL-terminated.
        unsafe {
            let p = ffi::runtime_panic_message(self.as_raw());
            (!p.is_null()).then(|| CStr::from_ptr(p).to_string_lossy().into_owned())
        }
    }

    /// Counters snapshot.
    pub fn counters(&self) -> Counters {
        let mut c = Counters::default();
        // SAFETY: raw is live; c is a valid out pointer.
        unsafe { ffi::runtime_counters(self.as_raw(), &mut c) };
        c
    }

    /// Takes the captured output so far (empty without capture).
    pub fn take_output(&self) -> Output {
        self.inner.capture.as_ref().map(OutputCapture::take).unwrap_or_default()
    }

    /// Spawns a Rust state machine as a task (it starts when the runtime runs).
    pub fn spawn<M: StateMachine>(&self, machine: M) -> TaskHandle<M::Output> {
        assert!(
            std::mem::align_of::<Slot<M>>() <= 16,
            "task states may need at most 16-byte alignment"
        );
        // SAFETY: trampoline::<M> matches the Slot<M> layout written by init; the result
        // slot is Slot::result with the size of M::Output.
        unsafe {
            self.spawn_raw(
                trampoline::<M>,
                std::mem::size_of::<Slot<M>>(),
                std::mem::offset_of!(Slot<M>, result),
                std::mem::size_of::<M::Output>(),
                |state| {
                    state.cast::<Slot<M>>().write(Slot {
                        machine: ManuallyDrop::new(machine),
                        waits: AtomicUsize::new(0),
                        result: MaybeUninit::uninit(),
                    });
                    // A value that nobody takes (the handle was dropped before the task
                    // finished) is dropped by the runtime when it frees the task.
                    if std::mem::needs_drop::<M::Output>() && std::mem::size_of::<M::Output>() > 0 {
                        ffi::vex_task_set_drop_result(state, drop_result::<M>);
                    }
                },
            )
        }
    }

    /// Spawns a task from a raw resume function: allocates task + state in one block,
    /// lets `init` fill the (zeroed) state, then schedules it.
    ///
    /// # Safety
    /// `resume` must follow the ABI in `vex_rt.h` for a state of `state_size` bytes as
    /// initialised by `init`; when it returns `DONE` normally, `result_size` bytes at
    /// `result_offset` must hold a valid `T` (or `result_size` is 0 and `T` is a
    /// zero-sized type). `T` must be safe to move to the thread that joins.
    pub unsafe fn spawn_raw<T>(
        &self,
        resume: ffi::coro_resume_func,
        state_size: usize,
        result_offset: usize,
        result_size: usize,
        init: impl FnOnce(*mut c_void),
    ) -> TaskHandle<T> {
        // SAFETY: raw is live; the caller guarantees the ABI contract of resume.
        unsafe {
            let state = ffi::vex_task_alloc_in(
                self.as_raw(),
                state_size,
                result_offset,
                result_size,
                resume,
            );
            init(state);
            let fut = ffi::vex_task_spawn_in(self.as_raw(), state);
            TaskHandle {
                raw: Some(NonNull::new_unchecked(fut)),
                rt: self.clone(),
                waker: Arc::default(),
                notifying: false,
                _t: PhantomData,
            }
        }
    }
}

/// What one resume of a [`StateMachine`] did.
#[derive(Debug)]
pub enum Step<T> {
    /// Suspended: a wait was registered on the [`Context`] (sleep, yield) — without one,
    /// the task sleeps until it is cancelled.
    Suspend,
    /// Finished with a value.
    Done(T),
    /// Finished through its cancel exit.
    Cancelled,
}

/// A task written in Rust as an explicit state machine (the shape the compiler emits).
pub trait StateMachine: Send + 'static {
    /// The task's result.
    type Output: Send + 'static;
    /// Runs until the next suspension or the end.
    fn resume(&mut self, cx: &mut Context<'_>) -> Step<Self::Output>;
}

/// The worker a state machine runs on, valid during one resume.
pub struct Context<'a> {
    raw: *mut ffi::WorkerContext,
    /// The running task's count of channel operations left pending (see
    /// [`crate::chan`]): a task must not finish while one of its wait records is queued.
    waits: &'a AtomicUsize,
    _life: PhantomData<&'a mut ffi::WorkerContext>,
}

impl Context<'_> {
    /// Registers a sleep of `ms` milliseconds; return [`Step::Suspend`] next.
    pub fn sleep(&mut self, ms: u64) {
        // SAFETY: raw is the live worker of the running task.
        unsafe { ffi::worker_await_after(self.raw, ms) }
    }
    /// Registers a yield (back of the run queue); return [`Step::Suspend`] next.
    pub fn yield_now(&mut self) {
        // SAFETY: as above.
        unsafe { ffi::worker_yield(self.raw) }
    }
    /// Whether this task was asked to stop.
    pub fn is_cancelled(&self) -> bool {
        // SAFETY: as above.
        unsafe { ffi::vex_task_cancelled(self.raw) }
    }
    /// Milliseconds on the runtime's clock (virtual in deterministic mode).
    pub fn now_ms(&self) -> i64 {
        // SAFETY: plain call; the worker's runtime is current on this thread.
        unsafe { ffi::now_ms() }
    }
    /// Prints through the runtime's sink (stream 1 = stdout, 2 = stderr).
    pub fn print(&self, stream: i32, text: &str) {
        // SAFETY: text is a valid buffer for the call.
        unsafe { ffi::vex_write(stream, text.as_ptr().cast(), text.len()) }
    }
    /// The raw worker pointer, for FFI calls.
    pub fn as_raw(&self) -> *mut ffi::WorkerContext {
        self.raw
    }
    /// The pending-wait counter of the running task.
    pub(crate) fn waits(&self) -> &AtomicUsize {
        self.waits
    }
}

/// The task whose resume function (or state machine drop) runs on this thread: set by
/// [`trampoline`] for the duration of the call, so that a channel operation dropped
/// while pending can withdraw its wait through the worker (see [`crate::chan`]) and a
/// blocking host call can refuse to block a worker thread.
#[derive(Clone, Copy)]
pub(crate) struct CurrentTask {
    /// The worker running the task.
    pub(crate) ctx: *mut ffi::WorkerContext,
    /// The task's pending-wait counter (lives in its [`Slot`]).
    pub(crate) waits: *const AtomicUsize,
}

thread_local! {
    static CURRENT: Cell<Option<CurrentTask>> = const { Cell::new(None) };
}

/// The Rust task running on this thread, if any.
pub(crate) fn current_task() -> Option<CurrentTask> {
    CURRENT.with(Cell::get)
}

/// Sets [`CURRENT`] for its lifetime and restores the previous value (also on unwind).
struct CurrentGuard(Option<CurrentTask>);

impl CurrentGuard {
    fn enter(task: CurrentTask) -> CurrentGuard {
        CurrentGuard(CURRENT.with(|c| c.replace(Some(task))))
    }
}

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
    }
}

/// Stops the process when a task finished while one of its channel wait records is
/// still queued on a channel: the record points to the task, which the runtime is about
/// to free, so any later send, receive or close on that channel would write into freed
/// memory. Only a state machine that breaks the channel protocol gets here (it returned
/// `Done`, or panicked, between a `Pending` operation and its completion without the
/// task being cancelled); continuing would be undefined behaviour.
fn abort_if_waiting(waits: &AtomicUsize) {
    let n = waits.load(Ordering::Acquire);
    if n != 0 {
        eprintln!(
            "vex-rt-sys: a task finished with {n} channel operation(s) still pending \
             (a SendOp/RecvOp left Pending without polling it to completion); aborting \
             to avoid a use-after-free"
        );
        std::process::abort();
    }
}

#[repr(C)]
struct Slot<M: StateMachine> {
    machine: ManuallyDrop<M>,
    /// Channel operations of this task that returned `Pending` and have not completed.
    waits: AtomicUsize,
    result: MaybeUninit<M::Output>,
}

unsafe extern "C" fn trampoline<M: StateMachine>(
    ctx: *mut ffi::WorkerContext,
    state: *mut c_void,
) -> ffi::CoroStatus {
    // SAFETY: state is the Slot<M> written by Runtime::spawn; the runtime never resumes a
    // task twice at once, and never again after DONE, so this &mut is unique and the
    // machine has not been dropped yet.
    let slot = unsafe { &mut *state.cast::<Slot<M>>() };
    // Also covers the machine's drop below: a pending channel operation dropped with it
    // withdraws its wait through this worker.
    let _current = CurrentGuard::enter(CurrentTask { ctx, waits: &slot.waits });
    let mut cx = Context { raw: ctx, waits: &slot.waits, _life: PhantomData };
    let step = catch_unwind(AssertUnwindSafe(|| slot.machine.resume(&mut cx)));
    match step {
        Ok(Step::Suspend) => ffi::CoroStatus::YIELDED,
        Ok(Step::Done(v)) => {
            slot.result.write(v);
            // SAFETY: the machine is dropped once, here, at the end of the task.
            unsafe { ManuallyDrop::drop(&mut slot.machine) };
            abort_if_waiting(&slot.waits);
            ffi::CoroStatus::DONE
        }
        Ok(Step::Cancelled) => {
            // SAFETY: as above; ctx is the live worker.
            unsafe { ManuallyDrop::drop(&mut slot.machine) };
            abort_if_waiting(&slot.waits);
            // SAFETY: ctx is the live worker.
            unsafe { ffi::vex_task_finish_cancelled(ctx) }
        }
        Err(payload) => {
            // The machine stays undropped, so its pending wait records cannot be
            // withdrawn, and a panicked task is freed like a finished one.
            abort_if_waiting(&slot.waits);
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "Rust panic".to_string());
            let msg = std::ffi::CString::new(msg.replace('\0', " ")).unwrap_or_default();
            // The machine is left undropped: it may be in a broken state.
            // SAFETY: ctx is the live worker; strings are NUL-terminated.
            unsafe { ffi::vex_task_finish_panicked(ctx, c"<rust>".as_ptr(), 0, 0, msg.as_ptr()) }
        }
    }
}

/// The drop-result hook of [`Runtime::spawn`]: drops a value that no handle took.
unsafe extern "C" fn drop_result<M: StateMachine>(
    _ctx: *mut ffi::WorkerContext,
    state: *mut c_void,
) {
    // SAFETY: the runtime calls this once, when it frees a task that finished with a
    // value (the trampoline wrote `result`) that no handle moved out.
    unsafe { (*state.cast::<Slot<M>>()).result.assume_init_drop() }
}

/// A handle to a spawned task: its future. Dropping it detaches the task; a value the
/// task finishes with later is dropped when the task is freed (for [`Runtime::spawn`];
/// raw tasks can register a hook with `ffi::vex_task_set_drop_result` in `init`).
///
/// It also wraps a future made by compiled Vex code (the `VexFuture *` an async Vex
/// function returns when a host calls it): [`TaskHandle::from_raw`]. A host thread can
/// then block on it with [`TaskHandle::wait_timeout`] / [`TaskHandle::wait`] while
/// another thread runs the runtime ([`Runtime::run_in_background`]), cancel it, and take
/// its value with [`TaskHandle::join`].
///
/// A handle is also a [`std::future::Future`] of the task's result (see its `impl`):
/// awaiting it neither runs nor drains the runtime, and the task's completion wakes the
/// awaiting Rust task through `vex_future_notify`. The blocking waits below
/// ([`TaskHandle::wait`], [`TaskHandle::wait_timeout`]) poll the task's state with a
/// backoff instead (a few `yield`s, then sleeps from 20 µs doubling up to 1 ms): they
/// also notice a runtime stopped by a panic, and leave the future's single waiter slot
/// free for Vex code that may await it later. (Blocking channel operations do not poll:
/// their helper task signals a condition variable, see [`crate::Channel::recv_timeout`].)
pub struct TaskHandle<T> {
    raw: Option<NonNull<ffi::VexFuture>>,
    rt: Runtime,
    /// The waker of the last poll as a [`std::future::Future`], and whether the
    /// completion notification (`vex_future_notify`) is registered.
    waker: Arc<Mutex<Option<std::task::Waker>>>,
    notifying: bool,
    _t: PhantomData<fn() -> T>,
}

// SAFETY: the future handle is reference counted with atomics; T is only moved out once.
unsafe impl<T: Send> Send for TaskHandle<T> {}
// SAFETY: shared access only reads the task's atomic state or requests cancellation.
unsafe impl<T: Send> Sync for TaskHandle<T> {}

impl<T> TaskHandle<T> {
    fn fut(&self) -> *mut ffi::VexFuture {
        self.raw.expect("handle is live until join/drop").as_ptr()
    }

    /// Current status.
    pub fn status(&self) -> TaskStatus {
        // SAFETY: the handle holds a reference to the task.
        TaskStatus::from_outcome(unsafe { ffi::vex_future_outcome(self.fut()) })
    }

    /// Requests cancellation (no-op once finished).
    pub fn cancel(&self) {
        // SAFETY: as above.
        unsafe { ffi::vex_future_cancel(self.fut()) }
    }

    /// A token that can cancel the task from any thread.
    pub fn cancel_token(&self) -> CancelToken {
        // SAFETY: retain adds a reference owned by the token.
        let fut = unsafe { ffi::vex_future_retain(self.fut()) };
        CancelToken {
            fut: NonNull::new(fut).expect("retain returns its argument"),
            _rt: self.rt.clone(),
        }
    }

    /// Wraps a future handle that compiled Vex code (or any other user of the C ABI)
    /// produced, taking over its reference: the handle releases it on drop, and
    /// [`TaskHandle::join`] moves the result out with `vex_future_take(NULL, f, &value)`
    /// (a take off-worker needs no worker context).
    ///
    /// # Safety
    /// `fut` must be a live, non-null future handle of a task of `rt` that owns one
    /// reference (which moves into the returned handle) and that no task awaits. When
    /// that task finishes with a value, its result slot must hold exactly
    /// `size_of::<T>()` bytes (the `result_size` given to `vex_task_alloc`) forming a
    /// valid `T` whose ownership moves to whoever takes it: a plain scalar (`i64`,
    /// `f64`, `bool` as one byte, ...) for a scalar Vex result, `()` for a result of size
    /// 0. Result types holding references (strings, futures) need a `T` whose `Drop`
    /// releases exactly those references.
    pub unsafe fn from_raw(rt: &Runtime, fut: *mut ffi::VexFuture) -> TaskHandle<T> {
        let raw = NonNull::new(fut).expect("TaskHandle::from_raw: null future");
        TaskHandle {
            raw: Some(raw),
            rt: rt.clone(),
            waker: Arc::default(),
            notifying: false,
            _t: PhantomData,
        }
    }

    /// The raw future handle (still owned by `self`), e.g. to pass to compiled Vex code
    /// that only borrows it.
    pub fn as_raw(&self) -> *mut ffi::VexFuture {
        self.fut()
    }

    /// Gives up the handle without releasing it: the caller owns the returned reference
    /// (e.g. hands it to compiled Vex code that awaits it, which moves the future), and
    /// must release or take it exactly once. A value the task finishes with is then the
    /// taker's (or the drop-result hook's) business.
    pub fn into_raw(mut self) -> *mut ffi::VexFuture {
        self.raw.take().expect("live handle").as_ptr()
    }

    /// Blocks the calling thread until the task has finished or the runtime stopped
    /// because of a panic, without running the runtime itself: another thread must be
    /// inside [`Runtime::run`] (e.g. [`Runtime::run_in_background`]), or this never
    /// returns. Take the value with [`TaskHandle::join`] afterwards. Panics when called
    /// from inside a task (blocking a worker could deadlock the runtime).
    pub fn wait(&self) {
        let finished = self.wait_until(None);
        debug_assert!(finished);
    }

    /// Like [`TaskHandle::wait`] with a time limit: true when the task has finished (or
    /// the runtime stopped for a panic, which [`TaskHandle::join`] then reports), false
    /// when `timeout` passed first (the task keeps running; wait again, cancel it, or
    /// drop the handle to detach it).
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        self.wait_until(Some(Instant::now() + timeout))
    }

    /// The polling loop behind the waits (see the type's documentation for why it
    /// polls).
    fn wait_until(&self, deadline: Option<Instant>) -> bool {
        assert!(
            current_task().is_none(),
            "TaskHandle::wait inside a task would block a worker thread; await the task \
             through the state machine protocol instead"
        );
        let mut round = 0u32;
        let mut nap = Duration::from_micros(20);
        loop {
            if self.status() != TaskStatus::Pending || self.rt.is_panicked() {
                return true;
            }
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                return false;
            }
            if round < 32 {
                round += 1;
                std::thread::yield_now();
            } else {
                let left = deadline.map_or(nap, |d| d - now);
                std::thread::sleep(nap.min(left));
                nap = (nap * 2).min(Duration::from_millis(1));
            }
        }
    }

    /// Waits for the task: runs the runtime if the task has not finished, then takes its
    /// value. After a successful [`TaskHandle::wait_timeout`] it only takes the value
    /// (or reports the cancellation or panic) without running anything.
    pub fn join(mut self) -> Result<T, JoinError> {
        if self.status() == TaskStatus::Pending
            && let Err(RuntimeError::Panicked(m)) = self.rt.run()
        {
            return Err(JoinError::Panicked(m));
        }
        match self.status() {
            TaskStatus::Pending => Err(JoinError::Unfinished),
            TaskStatus::Cancelled => Err(JoinError::Cancelled),
            TaskStatus::Panicked => Err(JoinError::Panicked(
                self.rt.panic_message().unwrap_or_else(|| "panic".to_string()),
            )),
            TaskStatus::Finished => {
                let fut = self.raw.take().expect("live handle").as_ptr();
                let mut out = MaybeUninit::<T>::uninit();
                // SAFETY: finished with a value: the result slot holds a T (the spawn
                // contract), copied out once and the handle released by take.
                unsafe {
                    ffi::vex_future_take(std::ptr::null_mut(), fut, out.as_mut_ptr().cast());
                    Ok(out.assume_init())
                }
            }
        }
    }
}

impl<T> TaskHandle<T> {
    /// The task's result once it has finished (moving the value out), `None` while it
    /// runs.
    fn finished(&mut self) -> Option<Result<T, JoinError>> {
        match self.status() {
            TaskStatus::Pending => None,
            TaskStatus::Cancelled => Some(Err(JoinError::Cancelled)),
            TaskStatus::Panicked => {
                let mut info = MaybeUninit::<ffi::VexPanicInfo>::zeroed();
                // SAFETY: the handle holds a reference; the record's strings are valid.
                let message = unsafe {
                    ffi::vex_future_panic_info(self.fut(), info.as_mut_ptr()).then(|| {
                        let info = info.assume_init_ref();
                        format!(
                            "panic at {}:{}:{}: {}",
                            CStr::from_ptr(info.file).to_string_lossy(),
                            info.line,
                            info.col,
                            CStr::from_ptr(info.message).to_string_lossy()
                        )
                    })
                };
                let message = message.or_else(|| self.rt.panic_message());
                Some(Err(JoinError::Panicked(message.unwrap_or_else(|| "panic".to_string()))))
            }
            TaskStatus::Finished => {
                let fut = self.raw.take().expect("live handle").as_ptr();
                let mut out = MaybeUninit::<T>::uninit();
                // SAFETY: finished with a value: the result slot holds a T (the spawn
                // contract), copied out once and the handle released by take.
                unsafe {
                    ffi::vex_future_take(std::ptr::null_mut(), fut, out.as_mut_ptr().cast());
                    Some(Ok(out.assume_init()))
                }
            }
        }
    }
}

unsafe extern "C" fn wake_handle(user: *mut c_void) {
    // SAFETY: `user` is the Arc a TaskHandle's poll handed over, taken back once.
    let slot =
        unsafe { Arc::from_raw(user.cast_const().cast::<Mutex<Option<std::task::Waker>>>()) };
    let waker = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(waker) = waker {
        waker.wake();
    }
}

impl<T> Unpin for TaskHandle<T> {}

/// A task handle is a future of the task's result: awaiting it neither runs nor drains
/// the runtime (some thread must run it, e.g. [`Runtime::run_in_background`]); the task's
/// completion wakes the awaiting Rust task (a helper task registered with
/// `vex_future_notify` on the first pending poll). Once polled, the handle must not be
/// handed to Vex code to await: the helper holds the future's only waiter slot.
impl<T> std::future::Future for TaskHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        if self.raw.is_none() {
            return std::task::Poll::Ready(Err(JoinError::Unfinished));
        }
        if let Some(done) = self.finished() {
            return std::task::Poll::Ready(done);
        }
        *self.waker.lock().unwrap_or_else(|e| e.into_inner()) = Some(cx.waker().clone());
        if !self.notifying {
            self.notifying = true;
            let user = Arc::into_raw(self.waker.clone()).cast_mut().cast::<c_void>();
            // SAFETY: the handle holds a reference; wake_handle takes `user` back once.
            unsafe { ffi::vex_future_notify(self.fut(), wake_handle, user) };
        }
        match self.finished() {
            Some(done) => std::task::Poll::Ready(done),
            None => std::task::Poll::Pending,
        }
    }
}

impl<T> Drop for TaskHandle<T> {
    fn drop(&mut self) {
        if let Some(f) = self.raw.take() {
            // SAFETY: we own one reference. If the value was never taken, take and drop it
            // so that it is not leaked; otherwise just release (detaching the task).
            unsafe {
                if ffi::vex_future_outcome(f.as_ptr()) == ffi::VEX_OUTCOME_VALUE {
                    let mut out = MaybeUninit::<T>::uninit();
                    ffi::vex_future_take(std::ptr::null_mut(), f.as_ptr(), out.as_mut_ptr().cast());
                    out.assume_init_drop();
                } else {
                    ffi::vex_future_release(f.as_ptr());
                }
            }
        }
    }
}

/// Cancels one task from any thread; keeps the task (not its value) alive.
pub struct CancelToken {
    fut: NonNull<ffi::VexFuture>,
    _rt: Runtime,
}

// SAFETY: cancellation and the state read are atomic operations in C.
unsafe impl Send for CancelToken {}
// SAFETY: as above.
unsafe impl Sync for CancelToken {}

impl CancelToken {
    /// Requests cancellation (no-op once finished).
    pub fn cancel(&self) {
        // SAFETY: the token holds a reference to the task.
        unsafe { ffi::cancel_token_cancel(ffi::vex_future_cancel_token(self.fut.as_ptr())) }
    }
    /// Whether cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        // SAFETY: as above.
        unsafe { ffi::cancel_requested(ffi::vex_future_cancel_token(self.fut.as_ptr())) }
    }
}

impl Clone for CancelToken {
    fn clone(&self) -> CancelToken {
        // SAFETY: adds a reference owned by the clone.
        unsafe { ffi::vex_future_retain(self.fut.as_ptr()) };
        CancelToken { fut: self.fut, _rt: self._rt.clone() }
    }
}

impl Drop for CancelToken {
    fn drop(&mut self) {
        // SAFETY: releases the token's reference. Because the value stays in the task
        // until the TaskHandle takes or drops it, releasing here never leaks a value that
        // a handle still owns.
        unsafe { ffi::vex_future_release(self.fut.as_ptr()) }
    }
}
