//! Raw `extern "C"` items mirroring `vex-rt/include/vex_rt.h` one to one. Layouts of the
//! shared structs are checked against C's `sizeof`/`offsetof` by `tests/layout.rs`
//! (through `vex_abi_entries`). Nothing here is safe to call without reading the
//! header's contract; the safe host API lives in [`crate::host`].

#![allow(non_camel_case_types, non_upper_case_globals)]

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
    /// End a run that can never finish (see `RuntimeBuilder::detect_deadlock`).
    pub detect_deadlock: bool,
    /// Output sink, or `None` for fds 1 and 2.
    pub sink: Option<vex_output_sink>,
    /// Passed to `sink`.
    pub sink_user: *mut c_void,
    /// A runtime serving a host's calls (runs until shut down; a panic ends only its
    /// task or call).
    pub serving: bool,
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

/// How `vex_vec_sort` orders elements (`VexElemKind`, stored in [`VexElemType::kind`]).
pub type VexElemKind = u32;
/// Not sortable.
pub const VEX_ELEM_OTHER: VexElemKind = 0;
/// `i8`.
pub const VEX_ELEM_I8: VexElemKind = 1;
/// `i16`.
pub const VEX_ELEM_I16: VexElemKind = 2;
/// `i32`.
pub const VEX_ELEM_I32: VexElemKind = 3;
/// `i64`.
pub const VEX_ELEM_I64: VexElemKind = 4;
/// `u8`.
pub const VEX_ELEM_U8: VexElemKind = 5;
/// `u16`.
pub const VEX_ELEM_U16: VexElemKind = 6;
/// `u32`.
pub const VEX_ELEM_U32: VexElemKind = 7;
/// `u64`.
pub const VEX_ELEM_U64: VexElemKind = 8;
/// `f32`, in IEEE total order.
pub const VEX_ELEM_F32: VexElemKind = 9;
/// `f64`, in IEEE total order.
pub const VEX_ELEM_F64: VexElemKind = 10;
/// `bool` (one byte, 0 or 1).
pub const VEX_ELEM_BOOL: VexElemKind = 11;
/// `string` (a `*mut VexString`), bytewise.
pub const VEX_ELEM_STRING: VexElemKind = 12;

/// Retain or release callback of an element type: `void f(void *elem)`.
pub type vex_elem_func = unsafe extern "C" fn(elem: *mut c_void);
/// Drop callback of a closure environment: `void drop(void *captures)`.
pub type vex_env_drop_func = unsafe extern "C" fn(captures: *mut c_void);

/// `VexElemType`: how a vector's elements are copied, dropped and sorted.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VexElemType {
    /// Bytes per element (a multiple of `align`, may be 0).
    pub size: u64,
    /// 1, 2, 4, 8 or 16.
    pub align: u64,
    /// Adds a reference to everything an element holds; `None` for plain bytes.
    pub retain: Option<vex_elem_func>,
    /// Drops them; `None` for plain bytes.
    pub release: Option<vex_elem_func>,
    /// A [`VexElemKind`].
    pub kind: u32,
    /// 0.
    pub reserved: u32,
}

/// Size of the vector header; elements start at this offset (16-byte aligned).
pub const VEX_VEC_HEADER_SIZE: usize = 32;

/// `VexVec`: header of a copy-on-write vector, followed by its elements.
#[repr(C)]
pub struct VexVec {
    /// Atomic reference count.
    pub refs: u32,
    /// 0.
    pub reserved: u32,
    /// Elements in use.
    pub len: u64,
    /// Elements the allocation has room for.
    pub cap: u64,
    /// The element type.
    pub elem: *const VexElemType,
}

/// Size of the closure environment header; the captures start at this offset.
pub const VEX_ENV_HEADER_SIZE: usize = 16;

/// `VexEnv`: header of a closure environment, in front of the captures.
#[repr(C)]
pub struct VexEnv {
    /// Atomic reference count.
    pub refs: u32,
    /// 0.
    pub reserved: u32,
    /// Releases the references held by the captures; `None` if they hold none.
    pub drop: Option<vex_env_drop_func>,
}

/// Opaque reference-counted channel (`VexChannel`).
#[repr(C)]
pub struct VexChannel {
    _private: [u8; 0],
}
/// Opaque wait record of one channel operation (`VexChanWaiter`): the compiler reserves
/// [`VEX_CHAN_WAITER_SIZE`] bytes (16-aligned) followed by the element slot.
#[repr(C)]
pub struct VexChanWaiter {
    _private: [u8; 0],
}
/// Opaque state of one running `select` ([`VEX_SELECT_SIZE`] bytes, 16-aligned).
#[repr(C)]
pub struct VexSelect {
    _private: [u8; 0],
}

/// Bytes of a channel wait record; its element slot follows at this offset.
pub const VEX_CHAN_WAITER_SIZE: usize = 48;
/// Bytes the compiler reserves for one `select`.
pub const VEX_SELECT_SIZE: usize = 16;

/// Channel operation queued and wait recorded: return `YIELDED`.
pub const VEX_CHAN_PENDING: i32 = 0;
/// Channel operation done.
pub const VEX_CHAN_OK: i32 = 1;
/// Channel closed (a send's value was released) or closed and drained (receive).
pub const VEX_CHAN_CLOSED: i32 = 2;
/// The waiting task was cancelled; the wait was withdrawn.
pub const VEX_CHAN_CANCELLED: i32 = 3;

/// [`VexSelectArm::kind`] of a receive arm.
pub const VEX_SELECT_RECV: i32 = 0;
/// [`VexSelectArm::kind`] of a send arm.
pub const VEX_SELECT_SEND: i32 = 1;
/// `vex_select`: every enabled arm queued, wait recorded: return `YIELDED`.
pub const VEX_SELECT_PENDING: i32 = -1;
/// `vex_select`: every arm disabled and no `after`/`default` arm.
pub const VEX_SELECT_ALL_CLOSED: i32 = -2;
/// `vex_select_resume`: the task was cancelled and nothing fired.
pub const VEX_SELECT_CANCELLED: i32 = -3;

/// `VexSelectArm`: one arm of a `select` (an array of them lives in the state).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VexSelectArm {
    /// The channel (never NULL).
    pub ch: *mut VexChannel,
    /// The arm's wait record, followed by its value slot.
    pub waiter: *mut VexChanWaiter,
    /// [`VEX_SELECT_RECV`] or [`VEX_SELECT_SEND`].
    pub kind: i32,
    /// Runtime use (the locking order); left alone while the select runs.
    pub reserved: i32,
}

/// Opaque reference-counted I/O error (`VexIoError`).
#[repr(C)]
pub struct VexIoError {
    _private: [u8; 0],
}
/// Opaque reference-counted File, TcpListener or TcpStream (`VexIoHandle`).
#[repr(C)]
pub struct VexIoHandle {
    _private: [u8; 0],
}

/// Bytes of a `Result<T, IoError>` an I/O op finishes with (tag `u32` at 0).
pub const VEX_IO_RESULT_SIZE: usize = 16;
/// Offset of the 8-byte payload in an I/O result.
pub const VEX_IO_PAYLOAD_OFFSET: usize = 8;
/// Bytes of the result of `vex_io_exists` (a `bool`).
pub const VEX_IO_BOOL_RESULT_SIZE: usize = 1;
/// Result tag: `Ok`.
pub const VEX_IO_OK: u32 = 0;
/// Result tag: `Err` (the payload is a `*mut VexIoError`).
pub const VEX_IO_ERR: u32 = 1;
/// [`vex_io_handle_kind`] of a File.
pub const VEX_IO_FILE: i32 = 1;
/// [`vex_io_handle_kind`] of a TcpListener.
pub const VEX_IO_TCP_LISTENER: i32 = 2;
/// [`vex_io_handle_kind`] of a TcpStream.
pub const VEX_IO_TCP_STREAM: i32 = 3;
/// Bytes of the `Option<string>` `vex_get_env` writes (tag `u32` at 0).
pub const VEX_OPTION_SIZE: usize = 16;
/// Offset of the payload in that `Option`.
pub const VEX_OPTION_PAYLOAD_OFFSET: usize = 8;
/// Option tag: `Some`.
pub const VEX_OPTION_SOME: u32 = 0;
/// Option tag: `None`.
pub const VEX_OPTION_NONE: u32 = 1;
/// What `vex_catch_panic` returns when the code called `vex_exit`.
pub const VEX_CATCH_EXIT: c_int = -1;

/// What `vex_catch_panic` returns when the code was stopped by an interrupt.
pub const VEX_CATCH_INTERRUPTED: c_int = -2;

/// `VexPanicInfo`: a panic's parts (strings owned by the runtime).
#[repr(C)]
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug)]
pub struct VexPanicInfo {
    pub file: *const c_char,
    pub message: *const c_char,
    pub line: u32,
    pub col: u32,
}

/// `VexEnding`: how a program's run ended.
pub type VexEnding = i32;
/// Ending: `main` returned.
pub const VEX_ENDING_RETURNED: VexEnding = 0;
/// Ending: a task called `exit`.
pub const VEX_ENDING_EXITED: VexEnding = 1;
/// Ending: a task panicked.
pub const VEX_ENDING_PANICKED: VexEnding = 2;
/// Ending: every task left waits forever.
pub const VEX_ENDING_DEADLOCKED: VexEnding = 3;
/// Ending: `runtime_interrupt` stopped the run.
pub const VEX_ENDING_INTERRUPTED: VexEnding = 4;
/// Ending: `main` ended without a value.
pub const VEX_ENDING_UNFINISHED: VexEnding = 5;
/// The exit code of an interrupted run.
pub const VEX_INTERRUPTED_EXIT_CODE: i32 = 124;
/// The exit code of a run whose `main` ended without a value.
pub const VEX_UNFINISHED_EXIT_CODE: i32 = 1;
/// Bytes of stack left below a thread's guard (`VEX_GUARD_MARGIN`).
pub const VEX_GUARD_MARGIN: usize = 256 << 10;

/// `VexRunReport`: what a program's run produced.
#[repr(C)]
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug)]
pub struct VexRunReport {
    pub ending: VexEnding,
    pub exit_code: i32,
    pub deadlocked: u64,
    pub panic: VexPanicInfo,
}

/// `VexHostEntry`: a compiled function's host entry.
pub type VexHostEntry =
    unsafe extern "C" fn(ctx: *mut WorkerContext, args: *mut c_void, ret: *mut c_void);
/// `VexMainWrapper`.
pub type VexMainWrapper = unsafe extern "C" fn(ctx: *mut WorkerContext) -> *mut VexFuture;
/// `VexRunMain`: the generated `vex_run_main`.
pub type VexRunMain = unsafe extern "C" fn(rt: *mut Runtime, report: *mut VexRunReport) -> i32;

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
    pub fn runtime_deadlocked(rt: *const Runtime) -> u64;
    pub fn runtime_panic_message(rt: *const Runtime) -> *const c_char;
    pub fn runtime_shutdown(rt: *mut Runtime);
    pub fn runtime_destroy(rt: *mut Runtime);
    pub fn runtime_current() -> *mut Runtime;
    pub fn runtime_set_current(rt: *mut Runtime);
    pub fn runtime_set_sink(rt: *mut Runtime, sink: Option<vex_output_sink>, user: *mut c_void);
    pub fn runtime_set_args(rt: *mut Runtime, argc: i32, argv: *const *const c_char);
    pub fn runtime_exited(rt: *const Runtime) -> bool;
    pub fn runtime_exit_code(rt: *const Runtime) -> i32;
    pub fn runtime_panic_info(rt: *const Runtime, out: *mut VexPanicInfo) -> bool;
    pub fn runtime_interrupt(rt: *mut Runtime);
    pub fn runtime_teardown(rt: *mut Runtime);
    pub fn vex_future_panic_info(f: *const VexFuture, out: *mut VexPanicInfo) -> bool;
    pub fn vex_thread_panic_info(out: *mut VexPanicInfo) -> bool;
    pub fn vex_future_notify(
        f: *mut VexFuture,
        func: unsafe extern "C" fn(user: *mut c_void),
        user: *mut c_void,
    );
    pub fn vex_task_torn_down(ctx: *mut WorkerContext) -> bool;
    pub fn runtime_interrupted(rt: *const Runtime) -> bool;
    pub fn vex_guard_hit(file: *const c_char, line: u32, col: u32) -> !;
    pub fn vex_guard_thread_limit() -> usize;
    pub fn vex_guard_set(limit: usize) -> usize;
    pub fn vex_program_run(
        rt: *mut Runtime,
        main: VexMainWrapper,
        result_size: u32,
        report: *mut VexRunReport,
    ) -> i32;
    pub fn vex_exe_main(argc: c_int, argv: *mut *mut c_char, run_main: VexRunMain) -> c_int;
    pub fn vex_report_write(path: *const c_char, report: *const VexRunReport) -> c_int;

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

    /// `s + t`; consumes `s`, borrows `t` (may be `s`); appends in place when `s` is
    /// unique and has room.
    pub fn vex_string_append(s: *mut VexString, t: *const VexString) -> *mut VexString;
    /// The byte at `i` (caller checked `0 <= i < len`).
    pub fn vex_string_byte_at(s: *const VexString, i: i64) -> u8;
    /// Bytes `a..b` as a new string (caller checked `0 <= a <= b <= len`).
    pub fn vex_string_slice(s: *const VexString, a: i64, b: i64) -> *mut VexString;
    /// First byte offset of `t` in `s`, or -1 (an empty `t` is at 0).
    pub fn vex_string_find(s: *const VexString, t: *const VexString) -> i64;
    /// Whether `t` occurs in `s`.
    pub fn vex_string_contains(s: *const VexString, t: *const VexString) -> bool;
    /// Whether `s` begins with `t`.
    pub fn vex_string_starts_with(s: *const VexString, t: *const VexString) -> bool;
    /// Whether `s` ends with `t`.
    pub fn vex_string_ends_with(s: *const VexString, t: *const VexString) -> bool;
    /// `s` without leading and trailing ASCII whitespace.
    pub fn vex_string_trim(s: *const VexString) -> *mut VexString;
    /// The pieces between occurrences of `sep` (caller checked non-empty): a new
    /// `Vec<string>`.
    pub fn vex_string_split(s: *const VexString, sep: *const VexString) -> *mut VexVec;
    /// The lines without their `\n` / `\r\n`: a new `Vec<string>`.
    pub fn vex_string_lines(s: *const VexString) -> *mut VexVec;
    /// ASCII upper case.
    pub fn vex_string_to_upper(s: *const VexString) -> *mut VexString;
    /// ASCII lower case.
    pub fn vex_string_to_lower(s: *const VexString) -> *mut VexString;
    /// `s` repeated `n` times (caller checked `n >= 0`).
    pub fn vex_string_repeat(s: *const VexString, n: i64) -> *mut VexString;
    /// Parses `[+-]digits` into `*out`; false on other text or overflow.
    pub fn vex_string_to_int(s: *const VexString, out: *mut i64) -> bool;
    /// Parses decimal/exponent notation, `inf`, `infinity` or `nan` into `*out`.
    pub fn vex_string_to_float(s: *const VexString, out: *mut f64) -> bool;

    /// The element type of `Vec<string>`.
    pub static vex_elem_string: VexElemType;
    /// Retain callback of [`vex_elem_string`] (`elem` points to a `*mut VexString`).
    pub fn vex_vec_retain_string(elem: *mut c_void);
    /// Release callback of [`vex_elem_string`].
    pub fn vex_vec_drop_string(elem: *mut c_void);
    /// A new empty vector with room for `cap` elements (NULL when `cap <= 0`).
    pub fn vex_vec_with_capacity(elem: *const VexElemType, cap: i64) -> *mut VexVec;
    /// Adds a reference; returns `v`.
    pub fn vex_vec_retain(v: *mut VexVec) -> *mut VexVec;
    /// Drops a reference; the last one releases the elements and frees.
    pub fn vex_vec_release(v: *mut VexVec);
    /// The number of elements (0 for NULL).
    pub fn vex_vec_len(v: *const VexVec) -> u64;
    /// Consumes `v`; returns it unique (copying a shared one).
    pub fn vex_vec_make_unique(v: *mut VexVec) -> *mut VexVec;
    /// Consumes `v`; returns a unique vector with room for `additional` more elements.
    pub fn vex_vec_reserve(
        v: *mut VexVec,
        elem: *const VexElemType,
        additional: u64,
    ) -> *mut VexVec;
    /// Consumes `v`; moves the element at `value` in at the end.
    pub fn vex_vec_push(
        v: *mut VexVec,
        elem: *const VexElemType,
        value: *const c_void,
    ) -> *mut VexVec;
    /// Consumes `v` (caller checked `len > 0`); moves the last element out to `out`.
    pub fn vex_vec_pop(v: *mut VexVec, out: *mut c_void) -> *mut VexVec;
    /// Consumes `v`; returns it emptied (unique) or NULL (shared).
    pub fn vex_vec_clear(v: *mut VexVec) -> *mut VexVec;
    /// Consumes `v`; returns it unique and reversed.
    pub fn vex_vec_reverse(v: *mut VexVec) -> *mut VexVec;
    /// Consumes `v`; returns it unique and sorted by its element kind.
    pub fn vex_vec_sort(v: *mut VexVec) -> *mut VexVec;
    /// Borrows `v`; a new vector of elements `a..b` (caller checked the bounds).
    pub fn vex_vec_slice(v: *const VexVec, a: i64, b: i64) -> *mut VexVec;
    /// A new vector of the `n` elements at `data`, moved in.
    pub fn vex_vec_from_array(elem: *const VexElemType, data: *const c_void, n: u64)
    -> *mut VexVec;
    /// Borrows the `Vec<string>` `v` and `sep`: the elements joined by `sep`.
    pub fn vex_vec_join(v: *const VexVec, sep: *const VexString) -> *mut VexString;

    /// A new closure environment: zeroed captures of `size` bytes, one reference.
    pub fn vex_env_alloc(size: u64, drop: Option<vex_env_drop_func>) -> *mut c_void;
    /// Adds a reference to the environment of `captures` (NULL allowed).
    pub fn vex_env_retain(captures: *mut c_void) -> *mut c_void;
    /// Drops a reference; the last one runs `drop(captures)` and frees.
    pub fn vex_env_release(captures: *mut c_void);

    /// A new channel with room for `cap` values (caller checked `cap >= 0`).
    pub fn vex_chan_new(elem: *const VexElemType, cap: i64) -> *mut VexChannel;
    /// Adds a reference; returns `ch`.
    pub fn vex_chan_retain(ch: *mut VexChannel) -> *mut VexChannel;
    /// Drops a reference; the last one releases the buffered values and frees.
    pub fn vex_chan_release(ch: *mut VexChannel);
    /// Sends the value in `w`'s slot: OK, CLOSED (value released) or PENDING.
    pub fn vex_chan_send(
        ctx: *mut WorkerContext,
        ch: *mut VexChannel,
        w: *mut VexChanWaiter,
    ) -> i32;
    /// After a PENDING send: OK, CLOSED, CANCELLED (value released) or PENDING.
    pub fn vex_chan_send_resume(
        ctx: *mut WorkerContext,
        ch: *mut VexChannel,
        w: *mut VexChanWaiter,
    ) -> i32;
    /// Receives into `w`'s slot: OK, CLOSED (closed and drained) or PENDING.
    pub fn vex_chan_recv(
        ctx: *mut WorkerContext,
        ch: *mut VexChannel,
        w: *mut VexChanWaiter,
    ) -> i32;
    /// After a PENDING receive: OK, CLOSED, CANCELLED or PENDING.
    pub fn vex_chan_recv_resume(
        ctx: *mut WorkerContext,
        ch: *mut VexChannel,
        w: *mut VexChanWaiter,
    ) -> i32;
    /// Never waits; the value is moved in, and released on `false`.
    pub fn vex_chan_try_send(ch: *mut VexChannel, value: *mut c_void) -> bool;
    /// Never waits; `true`: a value was moved to `out`.
    pub fn vex_chan_try_recv(ch: *mut VexChannel, out: *mut c_void) -> bool;
    /// Closes the channel (idempotent) and wakes every waiting task.
    pub fn vex_chan_close(ch: *mut VexChannel);
    /// Buffered values.
    pub fn vex_chan_len(ch: *const VexChannel) -> i64;
    /// The capacity.
    pub fn vex_chan_cap(ch: *const VexChannel) -> i64;
    /// Whether the channel was closed.
    pub fn vex_chan_is_closed(ch: *const VexChannel) -> bool;
    /// Starts a select over `arms[0..n)`: an arm index, `n` (after), `n + 1` (default),
    /// or a `VEX_SELECT_*` code.
    pub fn vex_select(
        ctx: *mut WorkerContext,
        sel: *mut VexSelect,
        arms: *mut VexSelectArm,
        n: i32,
        after_ms: i64,
        has_default: bool,
    ) -> i32;
    /// After a PENDING select: the fired arm (`n`: the timer) or a `VEX_SELECT_*` code.
    pub fn vex_select_resume(
        ctx: *mut WorkerContext,
        sel: *mut VexSelect,
        arms: *mut VexSelectArm,
        n: i32,
    ) -> i32;

    /// `join(a, b, ...)`: `n >= 1` handles moved in; input `i`'s value (type
    /// `input_types[i]`) goes to byte `offsets[i]` of a tuple of `result_size` bytes.
    pub fn vex_join(
        ctx: *mut WorkerContext,
        inputs: *const *mut VexFuture,
        n: i32,
        offsets: *const u32,
        input_types: *const *const VexElemType,
        result_size: u32,
    ) -> *mut VexFuture;
    /// `joinAll(v)`: a `Vec<Future<T>>` moved in; the result is a `Vec<T>` of `elem`.
    pub fn vex_join_all(
        ctx: *mut WorkerContext,
        inputs: *mut VexVec,
        elem: *const VexElemType,
    ) -> *mut VexFuture;
    /// `race(a, b, ...)`: `n >= 1` handles moved in, each of type `result`.
    pub fn vex_race(
        ctx: *mut WorkerContext,
        inputs: *const *mut VexFuture,
        n: i32,
        result: *const VexElemType,
    ) -> *mut VexFuture;
    /// `raceAll(v)`: a non-empty `Vec<Future<T>>` moved in.
    pub fn vex_race_all(
        ctx: *mut WorkerContext,
        inputs: *mut VexVec,
        result: *const VexElemType,
    ) -> *mut VexFuture;
    /// `timeout(f, ms)`: an `Option<T>` of `result_size` bytes (u32 tag at 0: 0 Some,
    /// 1 None; the value of type `value` at `payload_offset`).
    pub fn vex_timeout(
        ctx: *mut WorkerContext,
        input: *mut VexFuture,
        ms: i64,
        value: *const VexElemType,
        payload_offset: u32,
        result_size: u32,
    ) -> *mut VexFuture;
    /// `ready(x)`: a future already finished with the `result.size` bytes at `value`
    /// (moved in); `ctx` may be NULL.
    pub fn vex_ready_future(
        ctx: *mut WorkerContext,
        value: *const c_void,
        result: *const VexElemType,
    ) -> *mut VexFuture;
    /// `f.isReady()`: whether `f` has finished; false for NULL.
    pub fn vex_future_is_ready(f: *const VexFuture) -> bool;

    /// `e.code()`: the errno, 0 when the error is not one.
    pub fn vex_io_error_code(e: *const VexIoError) -> i64;
    /// `e.message()`: a new reference.
    pub fn vex_io_error_message(e: *const VexIoError) -> *mut VexString;
    /// A new error (`message` borrowed; NULL with `code != 0`: the system's text).
    pub fn vex_io_error_new(code: i64, message: *mut VexString) -> *mut VexIoError;
    /// Adds a reference; returns `e`.
    pub fn vex_io_error_retain(e: *mut VexIoError) -> *mut VexIoError;
    /// Drops a reference; the last one frees.
    pub fn vex_io_error_release(e: *mut VexIoError);
    /// Adds a reference; returns `h`.
    pub fn vex_io_handle_retain(h: *mut VexIoHandle) -> *mut VexIoHandle;
    /// Drops a reference; the last one closes and frees.
    pub fn vex_io_handle_release(h: *mut VexIoHandle);
    /// `close()`: idempotent, never waits.
    pub fn vex_io_close(h: *mut VexIoHandle);
    /// [`VEX_IO_FILE`], [`VEX_IO_TCP_LISTENER`] or [`VEX_IO_TCP_STREAM`].
    pub fn vex_io_handle_kind(h: *const VexIoHandle) -> i32;
    /// `l.port()`.
    pub fn vex_io_listener_port(h: *const VexIoHandle) -> i64;
    /// The element type of File / TcpListener / TcpStream values.
    pub static vex_elem_io_handle: VexElemType;
    /// The element type of IoError values.
    pub static vex_elem_io_error: VexElemType;
    /// `readFile(path)`: `Result<string, IoError>`.
    pub fn vex_io_read_file(ctx: *mut WorkerContext, path: *mut VexString) -> *mut VexFuture;
    /// `writeFile(path, s)`: `Result<(), IoError>`.
    pub fn vex_io_write_file(
        ctx: *mut WorkerContext,
        path: *mut VexString,
        data: *mut VexString,
    ) -> *mut VexFuture;
    /// `appendFile(path, s)`: `Result<(), IoError>`.
    pub fn vex_io_append_file(
        ctx: *mut WorkerContext,
        path: *mut VexString,
        data: *mut VexString,
    ) -> *mut VexFuture;
    /// `removeFile(path)`: `Result<(), IoError>`.
    pub fn vex_io_remove_file(ctx: *mut WorkerContext, path: *mut VexString) -> *mut VexFuture;
    /// `exists(path)`: `bool`.
    pub fn vex_io_exists(ctx: *mut WorkerContext, path: *mut VexString) -> *mut VexFuture;
    /// `File.open(path)`: `Result<File, IoError>`.
    pub fn vex_io_file_open(ctx: *mut WorkerContext, path: *mut VexString) -> *mut VexFuture;
    /// `File.create(path)`: `Result<File, IoError>`.
    pub fn vex_io_file_create(ctx: *mut WorkerContext, path: *mut VexString) -> *mut VexFuture;
    /// `File.openAppend(path)`: `Result<File, IoError>`.
    pub fn vex_io_file_open_append(ctx: *mut WorkerContext, path: *mut VexString)
    -> *mut VexFuture;
    /// `f.read(max)`: `Result<string, IoError>`.
    pub fn vex_io_file_read(
        ctx: *mut WorkerContext,
        f: *mut VexIoHandle,
        max: i64,
    ) -> *mut VexFuture;
    /// `f.readAll()`: `Result<string, IoError>`.
    pub fn vex_io_file_read_all(ctx: *mut WorkerContext, f: *mut VexIoHandle) -> *mut VexFuture;
    /// `f.write(s)`: `Result<i64, IoError>`.
    pub fn vex_io_file_write(
        ctx: *mut WorkerContext,
        f: *mut VexIoHandle,
        data: *mut VexString,
    ) -> *mut VexFuture;
    /// `TcpListener.bind(host, port)`: `Result<TcpListener, IoError>`.
    pub fn vex_io_tcp_bind(
        ctx: *mut WorkerContext,
        host: *mut VexString,
        port: i64,
    ) -> *mut VexFuture;
    /// `l.accept()`: `Result<TcpStream, IoError>`.
    pub fn vex_io_tcp_accept(ctx: *mut WorkerContext, listener: *mut VexIoHandle)
    -> *mut VexFuture;
    /// `TcpStream.connect(host, port)`: `Result<TcpStream, IoError>`.
    pub fn vex_io_tcp_connect(
        ctx: *mut WorkerContext,
        host: *mut VexString,
        port: i64,
    ) -> *mut VexFuture;
    /// `s.read(max)`: `Result<string, IoError>` (`""` when the peer has closed).
    pub fn vex_io_tcp_read(
        ctx: *mut WorkerContext,
        stream: *mut VexIoHandle,
        max: i64,
    ) -> *mut VexFuture;
    /// `s.write(str)`: `Result<(), IoError>`.
    pub fn vex_io_tcp_write(
        ctx: *mut WorkerContext,
        stream: *mut VexIoHandle,
        data: *mut VexString,
    ) -> *mut VexFuture;
    /// `args()`: a new `Vec<string>`.
    pub fn vex_args() -> *mut VexVec;
    /// `getEnv(name)`: writes an `Option<string>` of [`VEX_OPTION_SIZE`] bytes to `out`.
    pub fn vex_get_env(name: *const VexString, out: *mut c_void);
    /// `exit(code)`: ends the run at once (never returns).
    pub fn vex_exit(code: i32) -> !;

    pub fn vex_write(stream: c_int, bytes: *const c_char, len: usize);
    pub fn vex_print(stream: c_int, s: *const VexString, newline: bool);
    pub fn vex_panic(file: *const c_char, line: u32, col: u32, msg: *const VexString) -> !;
    pub fn vex_panic_cstr(file: *const c_char, line: u32, col: u32, msg: *const c_char) -> !;
    pub fn vex_catch_call(entry: VexHostEntry, args: *mut c_void, ret: *mut c_void) -> c_int;
    pub fn vex_catch_panic(f: unsafe extern "C" fn(*mut c_void), arg: *mut c_void) -> c_int;

    pub fn vex_abi_entries(count: *mut usize) -> *const VexAbiEntry;
}
