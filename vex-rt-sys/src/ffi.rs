//! Raw `extern "C"` items mirroring `vex-rt/include/vex_rt.h` one to one. Layouts of the
//! shared structs are checked against C's `sizeof`/`offsetof` by `tests/layout.rs`
//! (through `vex_abi_entries`). Nothing here is safe to call without reading the
//! header's contract; the safe host API lives in [`crate::host`].

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int, c_void};

/// Opaque scheduler instance.
#[repr(C)]
pub struct Runtime {
    _private: [u8; 0],
}
/// Opaque worker handed to resume functions.
#[repr(C)]
pub struct WorkerContext {
    _private: [u8; 0],
}
/// Opaque cancellation flag of a task.
#[repr(C)]
pub struct CancelToken {
    _private: [u8; 0],
}
/// Opaque future handle of a spawned task.
#[repr(C)]
pub struct VexFuture {
    _private: [u8; 0],
}

/// Opaque list of pending `defer` records of one activation (NULL is empty).
#[repr(C)]
pub struct VexDeferList {
    _private: [u8; 0],
}

/// What a resume function reports (`CoroStatus` in C, a 4-byte enum).
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoroStatus(pub u32);
impl CoroStatus {
    /// Reserved; never returned by a resume function.
    pub const RUNNING: CoroStatus = CoroStatus(0);
    /// Suspended after registering exactly one wait.
    pub const YIELDED: CoroStatus = CoroStatus(1);
    /// Finished.
    pub const DONE: CoroStatus = CoroStatus(2);
}

/// I/O readiness (`EventType`).
pub type EventType = u32;
/// Wait until readable.
pub const EVENT_READ: EventType = 1;
/// Wait until writable.
pub const EVENT_WRITE: EventType = 2;

/// How a task finished (`VexOutcome`).
pub type VexOutcome = u32;
/// Not finished.
pub const VEX_OUTCOME_PENDING: VexOutcome = 0;
/// Finished with a value.
pub const VEX_OUTCOME_VALUE: VexOutcome = 1;
/// Finished through its cancel exit.
pub const VEX_OUTCOME_CANCELLED: VexOutcome = 2;
/// Abandoned by a panic.
pub const VEX_OUTCOME_PANICKED: VexOutcome = 3;

/// Size of the task header in front of every state struct.
pub const VEX_TASK_HEADER_SIZE: usize = 64;
/// `refs` value of static (never counted) strings.
pub const VEX_STRING_STATIC: u32 = 0xFFFF_FFFF;

/// A resume function: `CoroStatus F_resume(WorkerContext *, void *state)`.
pub type coro_resume_func =
    unsafe extern "C" fn(ctx: *mut WorkerContext, state: *mut c_void) -> CoroStatus;
/// Drop-result hook: `void F_drop_result(WorkerContext *ctx, void *state)` (`ctx` may
/// be NULL when the last handle was released off-worker).
pub type vex_drop_result_func = unsafe extern "C" fn(ctx: *mut WorkerContext, state: *mut c_void);
/// Output sink: `void sink(void *user, int stream, const char *bytes, size_t len)`.
pub type vex_output_sink =
    unsafe extern "C" fn(user: *mut c_void, stream: c_int, bytes: *const c_char, len: usize);

/// `VexRuntimeOptions`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VexRuntimeOptions {
    /// Workers (<= 0: number of CPUs; 1 with a virtual clock).
    pub workers: i32,
    /// Deterministic mode.
    pub virtual_clock: bool,
    /// Output sink, or `None` for fds 1 and 2.
    pub sink: Option<vex_output_sink>,
    /// Passed to `sink`.
    pub sink_user: *mut c_void,
}

/// `VexCounters`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VexCounters {
    /// Tasks ever spawned.
    pub spawned: u64,
    /// Spawned and not finished.
    pub alive: u64,
    /// Finished in any way.
    pub finished: u64,
    /// Finished as cancelled.
    pub cancelled: u64,
    /// Tasks moved by stealing.
    pub steals: u64,
    /// Times a worker parked.
    pub parks: u64,
}

/// `VexString`: header of an immutable reference-counted string.
#[repr(C)]
pub struct VexString {
    /// Atomic reference count or [`VEX_STRING_STATIC`].
    pub refs: u32,
    /// Unused.
    pub reserved: u32,
    /// Length in bytes.
    pub len: u64,
    /// NUL-terminated bytes (flexible array member).
    pub bytes: [c_char; 0],
}

/// `VexAbiEntry`: one size or offset reported by C.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VexAbiEntry {
    /// `"Struct.size"`, `"Struct.align"` or `"Struct.field"`.
    pub name: *const c_char,
    /// The value.
    pub value: u64,
}

// Each function is documented in vex_rt.h; repeating it here would let the two drift.
#[allow(missing_docs)]
unsafe extern "C" {
    pub fn runtime_create(num_workers: c_int) -> *mut Runtime;
    pub fn runtime_create_with(options: *const VexRuntimeOptions) -> *mut Runtime;
    pub fn runtime_spawn_global(rt: *mut Runtime, f: coro_resume_func, state: *mut c_void);
    pub fn runtime_run(rt: *mut Runtime);
    pub fn runtime_workers(rt: *const Runtime) -> c_int;
    pub fn runtime_counters(rt: *const Runtime, out: *mut VexCounters);
    pub fn runtime_panicked(rt: *const Runtime) -> bool;
    pub fn runtime_panic_message(rt: *const Runtime) -> *const c_char;
    pub fn runtime_shutdown(rt: *mut Runtime);
    pub fn runtime_destroy(rt: *mut Runtime);
    pub fn runtime_current() -> *mut Runtime;
    pub fn runtime_set_current(rt: *mut Runtime);
    pub fn runtime_set_sink(rt: *mut Runtime, sink: Option<vex_output_sink>, user: *mut c_void);

    pub fn worker_await_after(ctx: *mut WorkerContext, millis: u64);
    pub fn worker_await_io(ctx: *mut WorkerContext, fd: c_int, ty: EventType);
    pub fn worker_cancel_token(ctx: *mut WorkerContext) -> *mut CancelToken;
    pub fn worker_yield(ctx: *mut WorkerContext);
    pub fn worker_await_wake(ctx: *mut WorkerContext);
    pub fn vex_future_wake(f: *mut VexFuture);
    pub fn worker_runtime(ctx: *mut WorkerContext) -> *mut Runtime;
    pub fn cancel_requested(t: *const CancelToken) -> bool;
    pub fn cancel_token_cancel(t: *mut CancelToken);

    pub fn vex_task_alloc(
        state_size: usize,
        result_offset: usize,
        result_size: usize,
        resume: coro_resume_func,
    ) -> *mut c_void;
    pub fn vex_task_alloc_in(
        rt: *mut Runtime,
        state_size: usize,
        result_offset: usize,
        result_size: usize,
        resume: coro_resume_func,
    ) -> *mut c_void;
    pub fn vex_task_spawn(ctx: *mut WorkerContext, state: *mut c_void) -> *mut VexFuture;
    pub fn vex_task_spawn_in(rt: *mut Runtime, state: *mut c_void) -> *mut VexFuture;
    pub fn vex_future_poll_or_register(ctx: *mut WorkerContext, f: *mut VexFuture) -> bool;
    pub fn vex_future_outcome(f: *const VexFuture) -> VexOutcome;
    pub fn vex_future_take(
        ctx: *mut WorkerContext,
        f: *mut VexFuture,
        dst: *mut c_void,
    ) -> VexOutcome;
    pub fn vex_future_retain(f: *mut VexFuture) -> *mut VexFuture;
    pub fn vex_future_release(f: *mut VexFuture);
    pub fn vex_future_cancel(f: *mut VexFuture);
    pub fn vex_future_cancel_token(f: *mut VexFuture) -> *mut CancelToken;
    pub fn vex_task_cancelled(ctx: *mut WorkerContext) -> bool;
    pub fn vex_task_finish_cancelled(ctx: *mut WorkerContext) -> CoroStatus;
    pub fn vex_task_finish_panicked(
        ctx: *mut WorkerContext,
        file: *const c_char,
        line: u32,
        col: u32,
        msg: *const c_char,
    ) -> CoroStatus;

    pub fn vex_task_set_drop_result(state: *mut c_void, drop: vex_drop_result_func);
    pub fn vex_sleep_future(ms: i64) -> *mut VexFuture;
    pub fn vex_yield_future() -> *mut VexFuture;

    pub fn vex_defer_push(
        list: *mut VexDeferList,
        site: u32,
        captures: *const c_void,
        size: usize,
    ) -> *mut VexDeferList;
    pub fn vex_defer_top(list: *const VexDeferList) -> i64;
    pub fn vex_defer_take(list: *mut VexDeferList, dest: *mut c_void, size: usize);
    pub fn vex_defer_pop(list: *mut VexDeferList) -> *mut VexDeferList;

    pub fn now_ms() -> i64;

    pub fn vex_string_from_bytes(bytes: *const c_char, len: usize) -> *mut VexString;
    pub fn vex_string_retain(s: *mut VexString) -> *mut VexString;
    pub fn vex_string_release(s: *mut VexString);
    pub fn vex_string_len(s: *const VexString) -> usize;
    pub fn vex_string_bytes(s: *const VexString) -> *const c_char;
    pub fn vex_string_concat(a: *const VexString, b: *const VexString) -> *mut VexString;
    pub fn vex_string_compare(a: *const VexString, b: *const VexString) -> c_int;
    pub fn vex_string_equal(a: *const VexString, b: *const VexString) -> bool;
    pub fn vex_string_from_i64(v: i64) -> *mut VexString;
    pub fn vex_string_from_u64(v: u64) -> *mut VexString;
    pub fn vex_string_from_f64(v: f64) -> *mut VexString;
    pub fn vex_string_from_f32(v: f32) -> *mut VexString;
    pub fn vex_string_from_bool(v: bool) -> *mut VexString;
    pub fn vex_format_f64(v: f64, buf: *mut c_char) -> usize;

    pub fn vex_write(stream: c_int, bytes: *const c_char, len: usize);
    pub fn vex_print(stream: c_int, s: *const VexString, newline: bool);
    pub fn vex_panic(file: *const c_char, line: u32, col: u32, msg: *const VexString) -> !;
    pub fn vex_panic_cstr(file: *const c_char, line: u32, col: u32, msg: *const c_char) -> !;
    pub fn vex_catch_panic(f: unsafe extern "C" fn(*mut c_void), arg: *mut c_void) -> c_int;

    pub fn vex_abi_entries(count: *mut usize) -> *const VexAbiEntry;
}
