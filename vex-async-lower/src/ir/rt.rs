//! Runtime operations of the IR: each [`RtOp`] is one function of `vex_rt.h`, with its
//! name for printing, its C symbol and its signature (the validator checks operands
//! against it; the operations whose types depend on an element type are checked by the
//! validator itself).

use super::{FloatTy, IntTy, IoTy, Type};

/// Runtime operations: each is one function of `vex_rt.h` (named in [`RtOp::c_name`]).
/// `ctx` is passed implicitly where the C function takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RtOp {
    /// `vex_string_concat(a, b) -> string` (new reference; operands borrowed).
    StringConcat,
    /// `vex_string_compare(a, b) -> i32` (<0, 0, >0).
    StringCompare,
    /// `vex_string_from_i64(i64) -> string`.
    StringFromI64,
    /// `vex_string_from_u64(u64) -> string`.
    StringFromU64,
    /// `vex_string_from_f64(f64) -> string`.
    StringFromF64,
    /// `vex_string_from_f32(f32) -> string`.
    StringFromF32,
    /// `vex_string_from_bool(bool) -> string`.
    StringFromBool,
    /// `vex_print(1, s, false)`.
    Print,
    /// `vex_print(1, s, true)`.
    Println,
    /// `vex_print(2, s, false)`.
    Eprint,
    /// `vex_print(2, s, true)`.
    Eprintln,
    /// `now_ms() -> i64`.
    NowMs,
    /// `vex_task_cancelled(ctx) -> bool`; `false` outside tasks.
    IsCancelled,
    /// `vex_task_torn_down(ctx) -> bool`: the runtime is tearing down a stopped run, so a
    /// task that starts must only release its arguments (asked at the start of every
    /// resume function; always `false` in the evaluator, which has no teardown).
    TornDown,
    /// `vex_future_cancel(f)` (the future is borrowed; NULL, a moved-out future, is
    /// ignored).
    FutureCancel,
    /// `vex_future_poll_or_register(ctx, f) -> bool`: true when finished.
    FuturePollOrRegister,
    /// `worker_yield(ctx)`.
    WorkerYield,
    /// `worker_await_after(ctx, ms)` (negative `ms` is 0).
    WorkerAwaitAfter,
    /// `vex_task_finish_cancelled(ctx) -> CoroStatus`.
    TaskFinishCancelled,
    /// `vex_task_alloc(size, result_offset, result_size, resume) -> state`; the
    /// operands are constants and the resume function's name is the state struct's
    /// resume (see [`Stmt::TaskAlloc`](super::Stmt::TaskAlloc)).
    TaskSpawn,
    /// `vex_defer_push(list, site, &captures, sizeof(captures)) -> list`: a new record
    /// on top of `list` holding the site number (`u32`) and a bitwise copy of the
    /// captured values (the third operand, any type; `()` copies nothing). The record
    /// owns the references of the copy. Returns the new head.
    DeferPush,
    /// `vex_defer_top(list) -> i64`: the site of the newest record, `-1` when empty.
    DeferTop,
    /// `vex_defer_take(list, &dest, sizeof(dest))`: copies the newest record's captures
    /// into `dest` (any type, the site's capture tuple); ownership moves to `dest`.
    DeferTake,
    /// `vex_defer_pop(list) -> list`: frees the newest record (not the references it
    /// held: they were taken) and returns the rest.
    DeferPop,
    /// `vex_sleep_future(ms) -> Future<()>`: a runtime timer task that completes `ms`
    /// milliseconds (negative is 0) after the call; cancelling it finishes it as
    /// cancelled at once. What `async_sleep(ms)` returns when it is not awaited
    /// directly.
    SleepFuture,
    /// `vex_yield_future() -> Future<()>`: a runtime task that completes the first time
    /// it runs (after the tasks ready before it); what `yield_now()` returns when it is
    /// not awaited directly.
    YieldFuture,
    /// `vex_task_set_drop_result(state, &F.drop_result)` in the wrapper of coroutine `F`
    /// whose result holds references: the runtime calls `F.drop_result(state)` when the
    /// task finished with a value and every handle was released without taking it. The
    /// operand is the state pointer; the function is the one of kind
    /// [`FunctionKind::DropResult`](super::FunctionKind::DropResult) for the same state struct.
    TaskSetDropResult,
    /// `vex_vec_with_capacity(elem, n) -> Vec<T>`: an empty vector with room for `n`
    /// elements; `T` is the destination's element type (its `VexElemType` is the
    /// backend's).
    VecWithCapacity,
    /// `vex_chan_new(elem, cap) -> Channel<T>` (`cap >= 0` checked before); `T` is the
    /// destination's element type.
    ChanNew,
    /// `vex_chan_send(ctx, ch, &w) -> i32` ([`chan_status`]): sends the value in the
    /// slot of the waiter `w` (moved in). On `PENDING` the wait is recorded: the block
    /// ends in [`Terminator::Park`](super::Terminator::Park), whose target calls
    /// [`RtOp::ChanSendResume`].
    ChanSend,
    /// `vex_chan_send_resume(ctx, ch, &w) -> i32` after a parked send.
    ChanSendResume,
    /// `vex_chan_recv(ctx, ch, &w) -> i32`: on `OK` a value is in the waiter's slot.
    ChanRecv,
    /// `vex_chan_recv_resume(ctx, ch, &w) -> i32` after a parked receive.
    ChanRecvResume,
    /// `vex_chan_try_send(ch, &w.slot) -> bool`: never waits; the value in the slot is
    /// moved in (and released when `false`).
    ChanTrySend,
    /// `vex_chan_try_recv(ch, &w.slot) -> bool`: never waits; `true` with a value in
    /// the slot.
    ChanTryRecv,
    /// `vex_chan_close(ch)`.
    ChanClose,
    /// `vex_chan_len(ch) -> i64`.
    ChanLen,
    /// `vex_chan_cap(ch) -> i64`.
    ChanCap,
    /// `vex_chan_is_closed(ch) -> bool`.
    ChanIsClosed,
    /// `vex_select(ctx, &s.sel, s.arms, n, after_ms, has_default) -> i32`: operands
    /// `s: Select(n)`, `after_ms: i64` (negative: no `after` arm), `has_default: bool`,
    /// then for each arm its channel, its waiter and its kind (an `i32` constant,
    /// [`chan_status::SELECT_RECV`] or [`chan_status::SELECT_SEND`]), which fill the
    /// arms of `s` first. The result is the index of the arm that fired, `n` for
    /// `after`, `n + 1` for `default`, or a negative [`chan_status`] code.
    SelectStart,
    /// `vex_join(ctx, futures, n, …) -> Future<(T1, …)>`: the futures (moved in) as
    /// one future of the tuple of their results (LANGUAGE.md §12); the tuple's layout
    /// is the destination's.
    Join,
    /// `vex_join_all(ctx, v, …) -> Future<Vec<T>>` of a `Vec<Future<T>>` (moved in).
    JoinAll,
    /// `vex_race(ctx, futures, n, …) -> Future<T>`: the first to finish with a value.
    Race,
    /// `vex_race_all(ctx, v, …) -> Future<T>` of a non-empty `Vec<Future<T>>`.
    RaceAll,
    /// `vex_timeout(ctx, f, ms, …) -> Future<Option<T>>`.
    Timeout,
    /// `vex_ready_future(ctx, &value, …) -> Future<T>`: already finished with the
    /// value (moved in).
    ReadyFuture,
    /// `vex_future_is_ready(f) -> bool` (the future is borrowed).
    FutureIsReady,
    /// `vex_select_resume(ctx, &s.sel, s.arms, n) -> i32` after a parked select; the
    /// operands are those of its [`RtOp::SelectStart`] (the arms' records stay in use
    /// until the select has finished; only `s` is passed on).
    SelectResume,
    /// `vex_vec_from_array(elem, &array, N) -> Vec<T>`: the elements of the `[T; N]`
    /// operand, moved in.
    VecFromArray,
    /// `vex_vec_len(v) -> i64` (the vector is borrowed).
    VecLen,
    /// `vex_vec_slice(v, a, b) -> Vec<T>`: elements `a..b` (checked before), retained.
    VecSlice,
    /// `vex_vec_join(v, sep) -> string` of a `Vec<string>`.
    VecJoin,
    /// `vex_string_len(s) -> i64`.
    StrLen,
    /// `vex_string_byte_at(s, i) -> u8` (`i` checked before).
    StrByteAt,
    /// `vex_string_slice(s, a, b) -> string` (`0 <= a <= b <= len` checked before).
    StrSlice,
    /// `vex_string_find(s, t) -> i64`: the first offset of `t` in `s`, `-1` if none.
    StrFind,
    /// `vex_string_contains(s, t) -> bool`.
    StrContains,
    /// `vex_string_starts_with(s, t) -> bool`.
    StrStartsWith,
    /// `vex_string_ends_with(s, t) -> bool`.
    StrEndsWith,
    /// `vex_string_trim(s) -> string` (ASCII whitespace).
    StrTrim,
    /// `vex_string_split(s, sep) -> Vec<string>` (`sep` non-empty, checked before).
    StrSplit,
    /// `vex_string_lines(s) -> Vec<string>`.
    StrLines,
    /// `vex_string_to_upper(s) -> string` (ASCII).
    StrToUpper,
    /// `vex_string_to_lower(s) -> string` (ASCII).
    StrToLower,
    /// `vex_string_repeat(s, n) -> string` (`n >= 0` checked before).
    StrRepeat,
    /// `vex_string_to_int(s, &out) -> bool` as an `Option<i64>`.
    StrToInt,
    /// `vex_string_to_float(s, &out) -> bool` as an `Option<f64>`.
    StrToFloat,
    // The I/O operations of LANGUAGE.md §13 (`vex_rt.h`, "Async I/O"). Each one that can
    // wait spawns a runtime task and returns its future, whose result is a
    // `Result<T, IoError>` (or a `bool`); the operands (strings, handles) are borrowed.
    /// `vex_io_read_file(ctx, path) -> Future<Result<string, IoError>>`.
    IoReadFile,
    /// `vex_io_write_file(ctx, path, s) -> Future<Result<(), IoError>>`.
    IoWriteFile,
    /// `vex_io_append_file(ctx, path, s) -> Future<Result<(), IoError>>`.
    IoAppendFile,
    /// `vex_io_remove_file(ctx, path) -> Future<Result<(), IoError>>`.
    IoRemoveFile,
    /// `vex_io_exists(ctx, path) -> Future<bool>`.
    IoExists,
    /// `vex_io_file_open(ctx, path) -> Future<Result<File, IoError>>` (for reading).
    IoFileOpen,
    /// `vex_io_file_create(ctx, path) -> Future<Result<File, IoError>>`.
    IoFileCreate,
    /// `vex_io_file_open_append(ctx, path) -> Future<Result<File, IoError>>`.
    IoFileOpenAppend,
    /// `vex_io_file_read(ctx, f, max) -> Future<Result<string, IoError>>`.
    IoFileRead,
    /// `vex_io_file_read_all(ctx, f) -> Future<Result<string, IoError>>`.
    IoFileReadAll,
    /// `vex_io_file_write(ctx, f, s) -> Future<Result<i64, IoError>>`.
    IoFileWrite,
    /// `vex_io_tcp_bind(ctx, host, port) -> Future<Result<TcpListener, IoError>>`.
    IoTcpBind,
    /// `vex_io_tcp_accept(ctx, l) -> Future<Result<TcpStream, IoError>>`.
    IoTcpAccept,
    /// `vex_io_tcp_connect(ctx, host, port) -> Future<Result<TcpStream, IoError>>`.
    IoTcpConnect,
    /// `vex_io_tcp_read(ctx, s, max) -> Future<Result<string, IoError>>`.
    IoTcpRead,
    /// `vex_io_tcp_write(ctx, s, data) -> Future<Result<(), IoError>>`.
    IoTcpWrite,
    /// `vex_io_close(h)` of a `File`, `TcpListener` or `TcpStream` (generic in which).
    IoClose,
    /// `vex_io_listener_port(l) -> i64`.
    IoListenerPort,
    /// `vex_io_error_code(e) -> i64`.
    IoErrorCode,
    /// `vex_io_error_message(e) -> string` (a new reference); also what printing an
    /// `IoError` shows.
    IoErrorMessage,
    /// `vex_args() -> Vec<string>`: the program's arguments.
    Args,
    /// `vex_get_env(name, &out)` as an `Option<string>`.
    GetEnv,
    /// `vex_exit(code)`: ends the program with the `i32` code at once, printing nothing;
    /// it does not return, so the block ends in
    /// [`Terminator::Unreachable`](super::Terminator::Unreachable) after it, as a panic
    /// ends its block.
    Exit,
}

impl RtOp {
    /// Whether the operation's types depend on a vector's element type: the validator
    /// checks those itself rather than through [`RtOp::signature`].
    pub fn is_generic(self) -> bool {
        self.is_channel_op()
            || self.is_combinator()
            || matches!(
                self,
                RtOp::VecWithCapacity
                    | RtOp::VecFromArray
                    | RtOp::VecLen
                    | RtOp::VecSlice
                    | RtOp::IoClose
            )
    }

    /// Whether this is one of the I/O and process operations of LANGUAGE.md §13
    /// (`IoReadFile` through `Exit`).
    pub fn is_io_op(self) -> bool {
        self.io_future_result().is_some()
            || matches!(
                self,
                RtOp::IoClose
                    | RtOp::IoListenerPort
                    | RtOp::IoErrorCode
                    | RtOp::IoErrorMessage
                    | RtOp::Args
                    | RtOp::GetEnv
                    | RtOp::Exit
            )
    }

    /// For the §13 operations that can wait (each spawns a runtime task): the type of
    /// their future's value, `Result<T, IoError>` or `bool` (`exists`).
    pub fn io_future_result(self) -> Option<Type> {
        use Type::*;
        let result = |ok: Type| Result(Box::new(ok), Box::new(Io(IoTy::Error)));
        Some(match self {
            RtOp::IoReadFile | RtOp::IoFileRead | RtOp::IoFileReadAll | RtOp::IoTcpRead => {
                result(String)
            }
            RtOp::IoWriteFile | RtOp::IoAppendFile | RtOp::IoRemoveFile | RtOp::IoTcpWrite => {
                result(Unit)
            }
            RtOp::IoExists => Bool,
            RtOp::IoFileOpen | RtOp::IoFileCreate | RtOp::IoFileOpenAppend => {
                result(Io(IoTy::File))
            }
            RtOp::IoFileWrite => result(Int(IntTy::I64)),
            RtOp::IoTcpBind => result(Io(IoTy::TcpListener)),
            RtOp::IoTcpAccept | RtOp::IoTcpConnect => result(Io(IoTy::TcpStream)),
            _ => return None,
        })
    }

    /// Whether this is one of the future combinators of LANGUAGE.md §12 (`Join`
    /// through `FutureIsReady`).
    pub fn is_combinator(self) -> bool {
        matches!(
            self,
            RtOp::Join
                | RtOp::JoinAll
                | RtOp::Race
                | RtOp::RaceAll
                | RtOp::Timeout
                | RtOp::ReadyFuture
                | RtOp::FutureIsReady
        )
    }

    /// Whether this is one of the channel and select operations (`ChanNew` through
    /// `SelectResume`), whose wait records are passed by address.
    pub fn is_channel_op(self) -> bool {
        matches!(
            self,
            RtOp::ChanNew
                | RtOp::ChanSend
                | RtOp::ChanSendResume
                | RtOp::ChanRecv
                | RtOp::ChanRecvResume
                | RtOp::ChanTrySend
                | RtOp::ChanTryRecv
                | RtOp::ChanClose
                | RtOp::ChanLen
                | RtOp::ChanCap
                | RtOp::ChanIsClosed
                | RtOp::SelectStart
                | RtOp::SelectResume
        )
    }

    /// The operands that are wait records ([`Type::Waiter`], [`Type::Select`]) this
    /// operation starts using: it *defines* them (a record needs no initialisation),
    /// rather than reading them, for liveness and the validator. `n` is the number of
    /// operands.
    pub fn started_records(self, n: usize) -> Vec<usize> {
        match self {
            RtOp::ChanSend | RtOp::ChanRecv | RtOp::ChanTrySend | RtOp::ChanTryRecv => vec![1],
            RtOp::SelectStart => {
                std::iter::once(0).chain((3..n).filter(|i| (i - 3) % 3 == 1)).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The C function that implements the operation.
    pub fn c_name(self) -> &'static str {
        match self {
            RtOp::StringConcat => "vex_string_concat",
            RtOp::StringCompare => "vex_string_compare",
            RtOp::StringFromI64 => "vex_string_from_i64",
            RtOp::StringFromU64 => "vex_string_from_u64",
            RtOp::StringFromF64 => "vex_string_from_f64",
            RtOp::StringFromF32 => "vex_string_from_f32",
            RtOp::StringFromBool => "vex_string_from_bool",
            RtOp::Print | RtOp::Println | RtOp::Eprint | RtOp::Eprintln => "vex_print",
            RtOp::NowMs => "now_ms",
            RtOp::IsCancelled => "vex_task_cancelled",
            RtOp::TornDown => "vex_task_torn_down",
            RtOp::FutureCancel => "vex_future_cancel",
            RtOp::FuturePollOrRegister => "vex_future_poll_or_register",
            RtOp::WorkerYield => "worker_yield",
            RtOp::WorkerAwaitAfter => "worker_await_after",
            RtOp::TaskFinishCancelled => "vex_task_finish_cancelled",
            RtOp::TaskSpawn => "vex_task_spawn",
            RtOp::DeferPush => "vex_defer_push",
            RtOp::DeferTop => "vex_defer_top",
            RtOp::DeferTake => "vex_defer_take",
            RtOp::DeferPop => "vex_defer_pop",
            RtOp::SleepFuture => "vex_sleep_future",
            RtOp::YieldFuture => "vex_yield_future",
            RtOp::TaskSetDropResult => "vex_task_set_drop_result",
            RtOp::VecWithCapacity => "vex_vec_with_capacity",
            RtOp::VecFromArray => "vex_vec_from_array",
            RtOp::VecLen => "vex_vec_len",
            RtOp::VecSlice => "vex_vec_slice",
            RtOp::VecJoin => "vex_vec_join",
            RtOp::StrLen => "vex_string_len",
            RtOp::StrByteAt => "vex_string_byte_at",
            RtOp::StrSlice => "vex_string_slice",
            RtOp::StrFind => "vex_string_find",
            RtOp::StrContains => "vex_string_contains",
            RtOp::StrStartsWith => "vex_string_starts_with",
            RtOp::StrEndsWith => "vex_string_ends_with",
            RtOp::StrTrim => "vex_string_trim",
            RtOp::StrSplit => "vex_string_split",
            RtOp::StrLines => "vex_string_lines",
            RtOp::StrToUpper => "vex_string_to_upper",
            RtOp::StrToLower => "vex_string_to_lower",
            RtOp::StrRepeat => "vex_string_repeat",
            RtOp::StrToInt => "vex_string_to_int",
            RtOp::StrToFloat => "vex_string_to_float",
            RtOp::ChanNew => "vex_chan_new",
            RtOp::ChanSend => "vex_chan_send",
            RtOp::ChanSendResume => "vex_chan_send_resume",
            RtOp::ChanRecv => "vex_chan_recv",
            RtOp::ChanRecvResume => "vex_chan_recv_resume",
            RtOp::ChanTrySend => "vex_chan_try_send",
            RtOp::ChanTryRecv => "vex_chan_try_recv",
            RtOp::ChanClose => "vex_chan_close",
            RtOp::ChanLen => "vex_chan_len",
            RtOp::ChanCap => "vex_chan_cap",
            RtOp::ChanIsClosed => "vex_chan_is_closed",
            RtOp::SelectStart => "vex_select",
            RtOp::SelectResume => "vex_select_resume",
            RtOp::Join => "vex_join",
            RtOp::JoinAll => "vex_join_all",
            RtOp::Race => "vex_race",
            RtOp::RaceAll => "vex_race_all",
            RtOp::Timeout => "vex_timeout",
            RtOp::ReadyFuture => "vex_ready_future",
            RtOp::FutureIsReady => "vex_future_is_ready",
            RtOp::IoReadFile => "vex_io_read_file",
            RtOp::IoWriteFile => "vex_io_write_file",
            RtOp::IoAppendFile => "vex_io_append_file",
            RtOp::IoRemoveFile => "vex_io_remove_file",
            RtOp::IoExists => "vex_io_exists",
            RtOp::IoFileOpen => "vex_io_file_open",
            RtOp::IoFileCreate => "vex_io_file_create",
            RtOp::IoFileOpenAppend => "vex_io_file_open_append",
            RtOp::IoFileRead => "vex_io_file_read",
            RtOp::IoFileReadAll => "vex_io_file_read_all",
            RtOp::IoFileWrite => "vex_io_file_write",
            RtOp::IoTcpBind => "vex_io_tcp_bind",
            RtOp::IoTcpAccept => "vex_io_tcp_accept",
            RtOp::IoTcpConnect => "vex_io_tcp_connect",
            RtOp::IoTcpRead => "vex_io_tcp_read",
            RtOp::IoTcpWrite => "vex_io_tcp_write",
            RtOp::IoClose => "vex_io_close",
            RtOp::IoListenerPort => "vex_io_listener_port",
            RtOp::IoErrorCode => "vex_io_error_code",
            RtOp::IoErrorMessage => "vex_io_error_message",
            RtOp::Args => "vex_args",
            RtOp::GetEnv => "vex_get_env",
            RtOp::Exit => "vex_exit",
        }
    }

    /// The printer's name.
    pub fn name(self) -> &'static str {
        match self {
            RtOp::StringConcat => "string_concat",
            RtOp::StringCompare => "string_compare",
            RtOp::StringFromI64 => "string_from_i64",
            RtOp::StringFromU64 => "string_from_u64",
            RtOp::StringFromF64 => "string_from_f64",
            RtOp::StringFromF32 => "string_from_f32",
            RtOp::StringFromBool => "string_from_bool",
            RtOp::Print => "print",
            RtOp::Println => "println",
            RtOp::Eprint => "eprint",
            RtOp::Eprintln => "eprintln",
            RtOp::NowMs => "now_ms",
            RtOp::IsCancelled => "is_cancelled",
            RtOp::TornDown => "torn_down",
            RtOp::FutureCancel => "future_cancel",
            RtOp::FuturePollOrRegister => "future_poll_or_register",
            RtOp::WorkerYield => "worker_yield",
            RtOp::WorkerAwaitAfter => "worker_await_after",
            RtOp::TaskFinishCancelled => "task_finish_cancelled",
            RtOp::TaskSpawn => "task_spawn",
            RtOp::DeferPush => "defer_push",
            RtOp::DeferTop => "defer_top",
            RtOp::DeferTake => "defer_take",
            RtOp::DeferPop => "defer_pop",
            RtOp::SleepFuture => "sleep_future",
            RtOp::YieldFuture => "yield_future",
            RtOp::TaskSetDropResult => "task_set_drop_result",
            RtOp::VecWithCapacity => "vec_with_capacity",
            RtOp::VecFromArray => "vec_from_array",
            RtOp::VecLen => "vec_len",
            RtOp::VecSlice => "vec_slice",
            RtOp::VecJoin => "vec_join",
            RtOp::StrLen => "str_len",
            RtOp::StrByteAt => "str_byte_at",
            RtOp::StrSlice => "str_slice",
            RtOp::StrFind => "str_find",
            RtOp::StrContains => "str_contains",
            RtOp::StrStartsWith => "str_starts_with",
            RtOp::StrEndsWith => "str_ends_with",
            RtOp::StrTrim => "str_trim",
            RtOp::StrSplit => "str_split",
            RtOp::StrLines => "str_lines",
            RtOp::StrToUpper => "str_to_upper",
            RtOp::StrToLower => "str_to_lower",
            RtOp::StrRepeat => "str_repeat",
            RtOp::StrToInt => "str_to_int",
            RtOp::StrToFloat => "str_to_float",
            RtOp::ChanNew => "chan_new",
            RtOp::ChanSend => "chan_send",
            RtOp::ChanSendResume => "chan_send_resume",
            RtOp::ChanRecv => "chan_recv",
            RtOp::ChanRecvResume => "chan_recv_resume",
            RtOp::ChanTrySend => "chan_try_send",
            RtOp::ChanTryRecv => "chan_try_recv",
            RtOp::ChanClose => "chan_close",
            RtOp::ChanLen => "chan_len",
            RtOp::ChanCap => "chan_cap",
            RtOp::ChanIsClosed => "chan_is_closed",
            RtOp::SelectStart => "select",
            RtOp::SelectResume => "select_resume",
            RtOp::Join => "join",
            RtOp::JoinAll => "join_all",
            RtOp::Race => "race",
            RtOp::RaceAll => "race_all",
            RtOp::Timeout => "timeout",
            RtOp::ReadyFuture => "ready_future",
            RtOp::FutureIsReady => "future_is_ready",
            RtOp::IoReadFile => "io_read_file",
            RtOp::IoWriteFile => "io_write_file",
            RtOp::IoAppendFile => "io_append_file",
            RtOp::IoRemoveFile => "io_remove_file",
            RtOp::IoExists => "io_exists",
            RtOp::IoFileOpen => "io_file_open",
            RtOp::IoFileCreate => "io_file_create",
            RtOp::IoFileOpenAppend => "io_file_open_append",
            RtOp::IoFileRead => "io_file_read",
            RtOp::IoFileReadAll => "io_file_read_all",
            RtOp::IoFileWrite => "io_file_write",
            RtOp::IoTcpBind => "io_tcp_bind",
            RtOp::IoTcpAccept => "io_tcp_accept",
            RtOp::IoTcpConnect => "io_tcp_connect",
            RtOp::IoTcpRead => "io_tcp_read",
            RtOp::IoTcpWrite => "io_tcp_write",
            RtOp::IoClose => "io_close",
            RtOp::IoListenerPort => "io_listener_port",
            RtOp::IoErrorCode => "io_error_code",
            RtOp::IoErrorMessage => "io_error_message",
            RtOp::Args => "args",
            RtOp::GetEnv => "get_env",
            RtOp::Exit => "exit",
        }
    }

    /// Parameter types and result type.
    pub fn signature(self) -> (Vec<Type>, Type) {
        use Type::*;
        let i64 = Int(IntTy::I64);
        match self {
            RtOp::StringConcat => (vec![String, String], String),
            RtOp::StringCompare => (vec![String, String], Int(IntTy::I32)),
            RtOp::StringFromI64 => (vec![i64], String),
            RtOp::StringFromU64 => (vec![Int(IntTy::U64)], String),
            RtOp::StringFromF64 => (vec![Float(FloatTy::F64)], String),
            RtOp::StringFromF32 => (vec![Float(FloatTy::F32)], String),
            RtOp::StringFromBool => (vec![Bool], String),
            RtOp::Print | RtOp::Println | RtOp::Eprint | RtOp::Eprintln => (vec![String], Unit),
            RtOp::NowMs => (vec![], i64),
            RtOp::IsCancelled | RtOp::TornDown => (vec![], Bool),
            // The future's result type does not matter to these.
            RtOp::FutureCancel | RtOp::FuturePollOrRegister | RtOp::TaskSpawn => {
                (vec![], if self == RtOp::FuturePollOrRegister { Bool } else { Unit })
            }
            RtOp::WorkerYield => (vec![], Unit),
            RtOp::WorkerAwaitAfter => (vec![i64], Unit),
            RtOp::TaskFinishCancelled => (vec![], CoroStatus),
            // The captures' type is the site's (checked by the validator).
            RtOp::DeferPush => (vec![DeferList, Int(IntTy::U32)], DeferList),
            RtOp::DeferTop => (vec![DeferList], i64),
            RtOp::DeferTake => (vec![DeferList], Unit),
            RtOp::DeferPop => (vec![DeferList], DeferList),
            RtOp::SleepFuture => (vec![i64], Future(Box::new(Unit))),
            RtOp::YieldFuture => (vec![], Future(Box::new(Unit))),
            RtOp::TaskSetDropResult => (vec![], Unit),
            // Generic in the element type (see `is_generic`): the element type here is
            // a placeholder.
            RtOp::VecWithCapacity => (vec![i64.clone()], Vec(Box::new(Unit))),
            RtOp::VecFromArray => (vec![], Vec(Box::new(Unit))),
            RtOp::VecLen => (vec![], i64),
            RtOp::VecSlice => (vec![], Vec(Box::new(Unit))),
            RtOp::VecJoin => (vec![Vec(Box::new(String)), String], String),
            RtOp::StrLen => (vec![String], i64),
            RtOp::StrByteAt => (vec![String, i64], Int(IntTy::U8)),
            RtOp::StrSlice => (vec![String, i64.clone(), i64], String),
            RtOp::StrFind => (vec![String, String], i64),
            RtOp::StrContains | RtOp::StrStartsWith | RtOp::StrEndsWith => {
                (vec![String, String], Bool)
            }
            RtOp::StrTrim | RtOp::StrToUpper | RtOp::StrToLower => (vec![String], String),
            RtOp::StrSplit => (vec![String, String], Vec(Box::new(String))),
            RtOp::StrLines => (vec![String], Vec(Box::new(String))),
            RtOp::StrRepeat => (vec![String, i64], String),
            RtOp::StrToInt => (vec![String], Option(Box::new(i64))),
            RtOp::StrToFloat => (vec![String], Option(Box::new(Float(FloatTy::F64)))),
            // Generic in the element type (see `is_generic`): checked by the validator.
            RtOp::ChanNew => (vec![i64], Channel(Box::new(Unit))),
            RtOp::ChanSend
            | RtOp::ChanSendResume
            | RtOp::ChanRecv
            | RtOp::ChanRecvResume
            | RtOp::SelectStart
            | RtOp::SelectResume => (vec![], Int(IntTy::I32)),
            RtOp::ChanTrySend | RtOp::ChanTryRecv | RtOp::ChanIsClosed => (vec![], Bool),
            RtOp::ChanClose => (vec![], Unit),
            RtOp::ChanLen | RtOp::ChanCap => (vec![], i64),
            // Generic in the futures' result types (see `is_generic`).
            RtOp::Join
            | RtOp::JoinAll
            | RtOp::Race
            | RtOp::RaceAll
            | RtOp::Timeout
            | RtOp::ReadyFuture => (vec![], Future(Box::new(Unit))),
            RtOp::FutureIsReady => (vec![], Bool),
            RtOp::IoReadFile
            | RtOp::IoWriteFile
            | RtOp::IoAppendFile
            | RtOp::IoRemoveFile
            | RtOp::IoExists
            | RtOp::IoFileOpen
            | RtOp::IoFileCreate
            | RtOp::IoFileOpenAppend
            | RtOp::IoFileRead
            | RtOp::IoFileReadAll
            | RtOp::IoFileWrite
            | RtOp::IoTcpBind
            | RtOp::IoTcpAccept
            | RtOp::IoTcpConnect
            | RtOp::IoTcpRead
            | RtOp::IoTcpWrite => {
                let file = || Io(IoTy::File);
                let stream = || Io(IoTy::TcpStream);
                let params = match self {
                    RtOp::IoWriteFile | RtOp::IoAppendFile => vec![String, String],
                    RtOp::IoFileRead => vec![file(), i64],
                    RtOp::IoFileReadAll => vec![file()],
                    RtOp::IoFileWrite => vec![file(), String],
                    RtOp::IoTcpBind | RtOp::IoTcpConnect => vec![String, i64],
                    RtOp::IoTcpAccept => vec![Io(IoTy::TcpListener)],
                    RtOp::IoTcpRead => vec![stream(), i64],
                    RtOp::IoTcpWrite => vec![stream(), String],
                    _ => vec![String],
                };
                let result = self.io_future_result().unwrap_or(Unit);
                (params, Future(Box::new(result)))
            }
            // Generic in the handle's type (see `is_generic`): checked by the validator.
            RtOp::IoClose => (vec![], Unit),
            RtOp::IoListenerPort => (vec![Io(IoTy::TcpListener)], i64),
            RtOp::IoErrorCode => (vec![Io(IoTy::Error)], i64),
            RtOp::IoErrorMessage => (vec![Io(IoTy::Error)], String),
            RtOp::Args => (vec![], Vec(Box::new(String))),
            RtOp::GetEnv => (vec![String], Option(Box::new(String))),
            RtOp::Exit => (vec![Int(IntTy::I32)], Unit),
        }
    }
}

/// The results of the channel and select operations (`vex_rt.h`), and the kinds of
/// select arms.
pub mod chan_status {
    /// Queued and the wait recorded: park.
    pub const PENDING: i128 = 0;
    /// Done: sent, or a value is in the slot.
    pub const OK: i128 = 1;
    /// The channel is closed (a send's value was released; a receive found it drained).
    pub const CLOSED: i128 = 2;
    /// The task was cancelled while it waited: the wait was withdrawn.
    pub const CANCELLED: i128 = 3;
    /// A select is waiting (its wait recorded): park.
    pub const SELECT_PENDING: i128 = -1;
    /// Every arm of a select is disabled and it has no `after`/`default`: panic.
    pub const SELECT_ALL_CLOSED: i128 = -2;
    /// A select's task was cancelled while it waited.
    pub const SELECT_CANCELLED: i128 = -3;
    /// A receive arm.
    pub const SELECT_RECV: i128 = 0;
    /// A send arm.
    pub const SELECT_SEND: i128 = 1;
}
