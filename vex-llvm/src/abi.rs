//! The LLVM view of the runtime ABI (`vex-rt/include/vex_rt.h`), written down once:
//! the C type of every field of every runtime-visible struct ([`STRUCTS`], [`ENUMS`]),
//! the signature of every runtime function ([`RtFn`]) and the constants generated code
//! compares against. Everything else in the backend asks [`RuntimeAbi`] for these types
//! and declarations instead of spelling them out again.
//!
//! The test at the end checks every size, alignment and offset that C reports through
//! `vex_abi_entries()` against LLVM's `TargetData` for the same struct, so a change on
//! either side that is not mirrored on the other fails. This file must not emit code
//! beyond function declarations.

use inkwell::AddressSpace;
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::context::Context;
use inkwell::module::{Linkage, Module};
use inkwell::targets::TargetData;
use inkwell::types::{
    BasicMetadataTypeEnum, BasicType, BasicTypeEnum, FunctionType, IntType, PointerType, StructType,
};
use inkwell::values::{FunctionValue, GlobalValue};
use vex_rt_sys::ffi;

/// A C type as it is spelled in `vex_rt.h`, before it becomes an LLVM type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CType {
    /// `bool`: one byte in memory, `i1 zeroext` in calls.
    Bool,
    /// `int8_t` / `uint8_t` / `char`.
    I8,
    /// `int16_t` / `uint16_t`.
    I16,
    /// `int` / `int32_t` / `uint32_t` / a C enum.
    I32,
    /// `int64_t` / `uint64_t`.
    I64,
    /// `size_t` (pointer-sized).
    Usize,
    /// `float`.
    F32,
    /// `double`.
    F64,
    /// Any data or function pointer.
    Ptr,
    /// A fixed-size array; length 0 is a flexible array member.
    Array(&'static CType, u32),
}

/// A struct shared between C and generated code: its C name (as used by
/// `vex_abi_entries`), its LLVM name and its fields in declaration order.
#[derive(Debug)]
pub struct CStruct {
    /// The C type name (`VexCounters`).
    pub name: &'static str,
    /// The name of the LLVM struct type (`vex.Counters`).
    pub llvm_name: &'static str,
    /// `(field name, C type)` in declaration order.
    pub fields: &'static [(&'static str, CType)],
}

impl CStruct {
    /// The index of `field` in the LLVM struct.
    ///
    /// Panics if the struct has no such field: asking for one is a backend bug.
    pub fn field_index(&self, field: &str) -> u32 {
        let idx = self.fields.iter().position(|(name, _)| *name == field);
        let idx = idx.unwrap_or_else(|| panic!("{} has no field {field}", self.name));
        u32::try_from(idx).expect("structs have few fields")
    }
}

/// The task header in front of every state struct (private to vex-rt except for its
/// size; its fields are listed so the layout test covers every byte).
pub const TASK_HEADER: CStruct = CStruct {
    name: "VexTask",
    llvm_name: "vex.TaskHeader",
    fields: &[
        ("resume", CType::Ptr),
        ("state", CType::I32),
        ("refs", CType::I32),
        ("waiter", CType::Ptr),
        ("link", CType::Array(&CType::Ptr, 2)),
        ("wait", CType::I64),
        ("result_offset", CType::I32),
        ("result_size", CType::I32),
        ("wheel", CType::I16),
        ("wait_kind", CType::I8),
        ("size_class", CType::I8),
        ("drop_slot", CType::I32),
    ],
};

/// `VexCounters`.
pub const COUNTERS: CStruct = CStruct {
    name: "VexCounters",
    llvm_name: "vex.Counters",
    fields: &[
        ("spawned", CType::I64),
        ("alive", CType::I64),
        ("finished", CType::I64),
        ("cancelled", CType::I64),
        ("steals", CType::I64),
        ("parks", CType::I64),
    ],
};

/// `VexString`: the header of a string; literals are emitted as constants of this type
/// followed by their bytes.
pub const STRING: CStruct = CStruct {
    name: "VexString",
    llvm_name: "vex.String",
    fields: &[
        ("refs", CType::I32),
        ("reserved", CType::I32),
        ("len", CType::I64),
        ("bytes", CType::Array(&CType::I8, 0)),
    ],
};

/// `VexElemType`: how a vector's elements are copied, dropped and sorted; generated
/// code emits one constant of this type per vector element type.
pub const ELEM_TYPE: CStruct = CStruct {
    name: "VexElemType",
    llvm_name: "vex.ElemType",
    fields: &[
        ("size", CType::I64),
        ("align", CType::I64),
        ("retain", CType::Ptr),
        ("release", CType::Ptr),
        ("kind", CType::I32),
        ("reserved", CType::I32),
    ],
};

/// `VexVec`: the header of a vector; its elements follow at [`VEC_HEADER_SIZE`].
pub const VEC: CStruct = CStruct {
    name: "VexVec",
    llvm_name: "vex.Vec",
    fields: &[
        ("refs", CType::I32),
        ("reserved", CType::I32),
        ("len", CType::I64),
        ("cap", CType::I64),
        ("elem", CType::Ptr),
    ],
};

/// `VexEnv`: the header of a closure environment, in front of the captures (at
/// [`ENV_HEADER_SIZE`]); generated code holds pointers to the captures only.
pub const ENV: CStruct = CStruct {
    name: "VexEnv",
    llvm_name: "vex.Env",
    fields: &[("refs", CType::I32), ("reserved", CType::I32), ("drop", CType::Ptr)],
};

/// `VexSelectArm`: one arm of a `select`; generated code keeps an array of them in the
/// state (with a `VexSelect` of [`SELECT_SIZE`] bytes and one wait record per arm).
pub const SELECT_ARM: CStruct = CStruct {
    name: "VexSelectArm",
    llvm_name: "vex.SelectArm",
    fields: &[
        ("ch", CType::Ptr),
        ("waiter", CType::Ptr),
        ("kind", CType::I32),
        ("reserved", CType::I32),
    ],
};

/// `VexAbiEntry`.
pub const ABI_ENTRY: CStruct = CStruct {
    name: "VexAbiEntry",
    llvm_name: "vex.AbiEntry",
    fields: &[("name", CType::Ptr), ("value", CType::I64)],
};

/// Every struct shared with the runtime.
pub const STRUCTS: &[&CStruct] =
    &[&TASK_HEADER, &COUNTERS, &STRING, &ELEM_TYPE, &VEC, &ENV, &SELECT_ARM, &ABI_ENTRY];

/// Every C enum of the ABI with its storage type.
pub const ENUMS: &[(&str, CType)] =
    &[("CoroStatus", CType::I32), ("EventType", CType::I32), ("VexOutcome", CType::I32)];

/// Bytes in front of every state struct (`VEX_TASK_HEADER_SIZE`).
pub const TASK_HEADER_SIZE: u64 = ffi::VEX_TASK_HEADER_SIZE as u64;
/// Bytes in front of a vector's elements (`VEX_VEC_HEADER_SIZE`).
pub const VEC_HEADER_SIZE: u64 = ffi::VEX_VEC_HEADER_SIZE as u64;
/// Bytes in front of a closure's captures (`VEX_ENV_HEADER_SIZE`).
pub const ENV_HEADER_SIZE: u64 = ffi::VEX_ENV_HEADER_SIZE as u64;
/// Bytes of a channel wait record (`VEX_CHAN_WAITER_SIZE`, 16-byte aligned); the
/// element slot follows at this offset.
pub const CHAN_WAITER_SIZE: u64 = ffi::VEX_CHAN_WAITER_SIZE as u64;
/// Bytes of the state of one `select` (`VEX_SELECT_SIZE`, 16-byte aligned).
pub const SELECT_SIZE: u64 = ffi::VEX_SELECT_SIZE as u64;
/// `VEX_CHAN_PENDING`: the operation suspended (return `YIELDED`).
pub const CHAN_PENDING: i32 = ffi::VEX_CHAN_PENDING;
/// `VEX_CHAN_OK`.
pub const CHAN_OK: i32 = ffi::VEX_CHAN_OK;
/// `VEX_CHAN_CLOSED`.
pub const CHAN_CLOSED: i32 = ffi::VEX_CHAN_CLOSED;
/// `VEX_CHAN_CANCELLED`: go to the cancel exit.
pub const CHAN_CANCELLED: i32 = ffi::VEX_CHAN_CANCELLED;
/// `VEX_SELECT_RECV` (`VexSelectArm.kind`).
pub const SELECT_RECV: i32 = ffi::VEX_SELECT_RECV;
/// `VEX_SELECT_SEND` (`VexSelectArm.kind`).
pub const SELECT_SEND: i32 = ffi::VEX_SELECT_SEND;
/// `VEX_SELECT_PENDING`: the select suspended (return `YIELDED`).
pub const SELECT_PENDING: i32 = ffi::VEX_SELECT_PENDING;
/// `VEX_SELECT_ALL_CLOSED`: panic "select on closed channels".
pub const SELECT_ALL_CLOSED: i32 = ffi::VEX_SELECT_ALL_CLOSED;
/// `VEX_SELECT_CANCELLED`: go to the cancel exit.
pub const SELECT_CANCELLED: i32 = ffi::VEX_SELECT_CANCELLED;
/// The largest alignment a state struct may need.
pub const MAX_STATE_ALIGN: u64 = 16;
/// `CORO_STATUS_YIELDED`.
pub const CORO_STATUS_YIELDED: u32 = ffi::CoroStatus::YIELDED.0;
/// `CORO_STATUS_DONE`.
pub const CORO_STATUS_DONE: u32 = ffi::CoroStatus::DONE.0;
/// `VEX_OUTCOME_PENDING`.
pub const OUTCOME_PENDING: u32 = ffi::VEX_OUTCOME_PENDING;
/// `VEX_OUTCOME_VALUE`.
pub const OUTCOME_VALUE: u32 = ffi::VEX_OUTCOME_VALUE;
/// `VEX_OUTCOME_CANCELLED`.
pub const OUTCOME_CANCELLED: u32 = ffi::VEX_OUTCOME_CANCELLED;
/// `VEX_OUTCOME_PANICKED`.
pub const OUTCOME_PANICKED: u32 = ffi::VEX_OUTCOME_PANICKED;
/// `EVENT_READ`.
pub const EVENT_READ: u32 = ffi::EVENT_READ;
/// `EVENT_WRITE`.
pub const EVENT_WRITE: u32 = ffi::EVENT_WRITE;
/// `refs` of a static string (`VEX_STRING_STATIC`).
pub const STRING_STATIC: u32 = ffi::VEX_STRING_STATIC;
/// Stream number of stdout for `vex_print` / `vex_write`.
pub const STDOUT: u32 = 1;
/// Stream number of stderr.
pub const STDERR: u32 = 2;
/// Exit code of a program that panicked (language §7).
pub const PANIC_EXIT_CODE: i32 = 101;

/// The signature of a runtime function in C types (`None` return: `void`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtSignature {
    /// Parameter types.
    pub params: &'static [CType],
    /// Return type, `None` for `void`.
    pub ret: Option<CType>,
}

macro_rules! ret_type {
    (Void) => {
        None
    };
    ($ty:ident) => {
        Some(CType::$ty)
    };
}

macro_rules! runtime_functions {
    ($( $variant:ident = $c_name:ident ( $($param:ident),* ) -> $ret:ident; )*) => {
        /// A function of the runtime, named as in `vex_rt.h` (see the header for what
        /// each one does; repeating it here would let the two drift).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum RtFn { $($variant,)* }

        impl RtFn {
            /// Every runtime function.
            pub const ALL: &'static [RtFn] = &[$(RtFn::$variant,)*];

            /// The C symbol.
            pub fn name(self) -> &'static str {
                match self { $(RtFn::$variant => stringify!($c_name),)* }
            }

            /// The C signature.
            pub fn signature(self) -> RtSignature {
                match self {
                    $(RtFn::$variant => RtSignature {
                        params: &[$(CType::$param),*],
                        ret: ret_type!($ret),
                    },)*
                }
            }

            /// The address of the function in this process (the static runtime library
            /// linked through vex-rt-sys), for binding JIT-compiled code.
            pub fn address(self) -> usize {
                match self { $(RtFn::$variant => ffi::$c_name as *const () as usize,)* }
            }
        }
    };
}

runtime_functions! {
    RuntimeCreate = runtime_create(I32) -> Ptr;
    RuntimeCreateWith = runtime_create_with(Ptr) -> Ptr;
    RuntimeSpawnGlobal = runtime_spawn_global(Ptr, Ptr, Ptr) -> Void;
    RuntimeRun = runtime_run(Ptr) -> Void;
    RuntimeWorkers = runtime_workers(Ptr) -> I32;
    RuntimeCounters = runtime_counters(Ptr, Ptr) -> Void;
    RuntimePanicked = runtime_panicked(Ptr) -> Bool;
    RuntimeDeadlocked = runtime_deadlocked(Ptr) -> I64;
    RuntimePanicMessage = runtime_panic_message(Ptr) -> Ptr;
    RuntimeShutdown = runtime_shutdown(Ptr) -> Void;
    RuntimeDestroy = runtime_destroy(Ptr) -> Void;
    RuntimePanicInfo = runtime_panic_info(Ptr, Ptr) -> Bool;
    RuntimeInterrupt = runtime_interrupt(Ptr) -> Void;
    RuntimeInterrupted = runtime_interrupted(Ptr) -> Bool;
    RuntimeTeardown = runtime_teardown(Ptr) -> Void;
    FuturePanicInfo = vex_future_panic_info(Ptr, Ptr) -> Bool;
    ThreadPanicInfo = vex_thread_panic_info(Ptr) -> Bool;
    FutureNotify = vex_future_notify(Ptr, Ptr, Ptr) -> Void;
    CatchCall = vex_catch_call(Ptr, Ptr, Ptr) -> I32;
    TaskTornDown = vex_task_torn_down(Ptr) -> Bool;
    GuardHit = vex_guard_hit(Ptr, I32, I32) -> Void;
    GuardThreadLimit = vex_guard_thread_limit() -> Usize;
    GuardSet = vex_guard_set(Usize) -> Usize;
    ProgramRun = vex_program_run(Ptr, Ptr, I32, Ptr) -> I32;
    ExeMain = vex_exe_main(I32, Ptr, Ptr) -> I32;
    ReportWrite = vex_report_write(Ptr, Ptr) -> I32;
    RuntimeCurrent = runtime_current() -> Ptr;
    RuntimeSetCurrent = runtime_set_current(Ptr) -> Void;
    RuntimeSetSink = runtime_set_sink(Ptr, Ptr, Ptr) -> Void;
    WorkerAwaitAfter = worker_await_after(Ptr, I64) -> Void;
    WorkerAwaitIo = worker_await_io(Ptr, I32, I32) -> Void;
    WorkerCancelToken = worker_cancel_token(Ptr) -> Ptr;
    WorkerYield = worker_yield(Ptr) -> Void;
    WorkerAwaitWake = worker_await_wake(Ptr) -> Void;
    WorkerRuntime = worker_runtime(Ptr) -> Ptr;
    CancelRequested = cancel_requested(Ptr) -> Bool;
    CancelTokenCancel = cancel_token_cancel(Ptr) -> Void;
    TaskAlloc = vex_task_alloc(Usize, Usize, Usize, Ptr) -> Ptr;
    TaskAllocIn = vex_task_alloc_in(Ptr, Usize, Usize, Usize, Ptr) -> Ptr;
    TaskSpawn = vex_task_spawn(Ptr, Ptr) -> Ptr;
    TaskSpawnIn = vex_task_spawn_in(Ptr, Ptr) -> Ptr;
    TaskCancelled = vex_task_cancelled(Ptr) -> Bool;
    TaskFinishCancelled = vex_task_finish_cancelled(Ptr) -> I32;
    TaskFinishPanicked = vex_task_finish_panicked(Ptr, Ptr, I32, I32, Ptr) -> I32;
    FuturePollOrRegister = vex_future_poll_or_register(Ptr, Ptr) -> Bool;
    FutureOutcome = vex_future_outcome(Ptr) -> I32;
    FutureTake = vex_future_take(Ptr, Ptr, Ptr) -> I32;
    FutureRetain = vex_future_retain(Ptr) -> Ptr;
    FutureRelease = vex_future_release(Ptr) -> Void;
    FutureCancel = vex_future_cancel(Ptr) -> Void;
    FutureCancelToken = vex_future_cancel_token(Ptr) -> Ptr;
    FutureWake = vex_future_wake(Ptr) -> Void;
    TaskSetDropResult = vex_task_set_drop_result(Ptr, Ptr) -> Void;
    SleepFuture = vex_sleep_future(I64) -> Ptr;
    YieldFuture = vex_yield_future() -> Ptr;
    DeferPush = vex_defer_push(Ptr, I32, Ptr, Usize) -> Ptr;
    DeferTop = vex_defer_top(Ptr) -> I64;
    DeferTake = vex_defer_take(Ptr, Ptr, Usize) -> Void;
    DeferPop = vex_defer_pop(Ptr) -> Ptr;
    NowMs = now_ms() -> I64;
    StringFromBytes = vex_string_from_bytes(Ptr, Usize) -> Ptr;
    StringRetain = vex_string_retain(Ptr) -> Ptr;
    StringRelease = vex_string_release(Ptr) -> Void;
    StringLen = vex_string_len(Ptr) -> Usize;
    StringBytes = vex_string_bytes(Ptr) -> Ptr;
    StringConcat = vex_string_concat(Ptr, Ptr) -> Ptr;
    StringCompare = vex_string_compare(Ptr, Ptr) -> I32;
    StringEqual = vex_string_equal(Ptr, Ptr) -> Bool;
    StringFromI64 = vex_string_from_i64(I64) -> Ptr;
    StringFromU64 = vex_string_from_u64(I64) -> Ptr;
    StringFromF64 = vex_string_from_f64(F64) -> Ptr;
    StringFromF32 = vex_string_from_f32(F32) -> Ptr;
    StringFromBool = vex_string_from_bool(Bool) -> Ptr;
    FormatF64 = vex_format_f64(F64, Ptr) -> Usize;
    Write = vex_write(I32, Ptr, Usize) -> Void;
    Print = vex_print(I32, Ptr, Bool) -> Void;
    Panic = vex_panic(Ptr, I32, I32, Ptr) -> Void;
    PanicCstr = vex_panic_cstr(Ptr, I32, I32, Ptr) -> Void;
    CatchPanic = vex_catch_panic(Ptr, Ptr) -> I32;
    AbiEntries = vex_abi_entries(Ptr) -> Ptr;
    StringAppend = vex_string_append(Ptr, Ptr) -> Ptr;
    StringByteAt = vex_string_byte_at(Ptr, I64) -> I8;
    StringSlice = vex_string_slice(Ptr, I64, I64) -> Ptr;
    StringFind = vex_string_find(Ptr, Ptr) -> I64;
    StringContains = vex_string_contains(Ptr, Ptr) -> Bool;
    StringStartsWith = vex_string_starts_with(Ptr, Ptr) -> Bool;
    StringEndsWith = vex_string_ends_with(Ptr, Ptr) -> Bool;
    StringTrim = vex_string_trim(Ptr) -> Ptr;
    StringSplit = vex_string_split(Ptr, Ptr) -> Ptr;
    StringLines = vex_string_lines(Ptr) -> Ptr;
    StringToUpper = vex_string_to_upper(Ptr) -> Ptr;
    StringToLower = vex_string_to_lower(Ptr) -> Ptr;
    StringRepeat = vex_string_repeat(Ptr, I64) -> Ptr;
    StringToInt = vex_string_to_int(Ptr, Ptr) -> Bool;
    StringToFloat = vex_string_to_float(Ptr, Ptr) -> Bool;
    VecRetainString = vex_vec_retain_string(Ptr) -> Void;
    VecDropString = vex_vec_drop_string(Ptr) -> Void;
    VecWithCapacity = vex_vec_with_capacity(Ptr, I64) -> Ptr;
    VecRetain = vex_vec_retain(Ptr) -> Ptr;
    VecRelease = vex_vec_release(Ptr) -> Void;
    VecLen = vex_vec_len(Ptr) -> I64;
    VecMakeUnique = vex_vec_make_unique(Ptr) -> Ptr;
    VecReserve = vex_vec_reserve(Ptr, Ptr, I64) -> Ptr;
    VecPush = vex_vec_push(Ptr, Ptr, Ptr) -> Ptr;
    VecPop = vex_vec_pop(Ptr, Ptr) -> Ptr;
    VecClear = vex_vec_clear(Ptr) -> Ptr;
    VecReverse = vex_vec_reverse(Ptr) -> Ptr;
    VecSort = vex_vec_sort(Ptr) -> Ptr;
    VecSlice = vex_vec_slice(Ptr, I64, I64) -> Ptr;
    VecFromArray = vex_vec_from_array(Ptr, Ptr, I64) -> Ptr;
    VecJoin = vex_vec_join(Ptr, Ptr) -> Ptr;
    EnvAlloc = vex_env_alloc(I64, Ptr) -> Ptr;
    EnvRetain = vex_env_retain(Ptr) -> Ptr;
    EnvRelease = vex_env_release(Ptr) -> Void;
    ChanNew = vex_chan_new(Ptr, I64) -> Ptr;
    ChanRetain = vex_chan_retain(Ptr) -> Ptr;
    ChanRelease = vex_chan_release(Ptr) -> Void;
    ChanSend = vex_chan_send(Ptr, Ptr, Ptr) -> I32;
    ChanSendResume = vex_chan_send_resume(Ptr, Ptr, Ptr) -> I32;
    ChanRecv = vex_chan_recv(Ptr, Ptr, Ptr) -> I32;
    ChanRecvResume = vex_chan_recv_resume(Ptr, Ptr, Ptr) -> I32;
    ChanTrySend = vex_chan_try_send(Ptr, Ptr) -> Bool;
    ChanTryRecv = vex_chan_try_recv(Ptr, Ptr) -> Bool;
    ChanClose = vex_chan_close(Ptr) -> Void;
    ChanLen = vex_chan_len(Ptr) -> I64;
    ChanCap = vex_chan_cap(Ptr) -> I64;
    ChanIsClosed = vex_chan_is_closed(Ptr) -> Bool;
    Select = vex_select(Ptr, Ptr, Ptr, I32, I64, Bool) -> I32;
    SelectResume = vex_select_resume(Ptr, Ptr, Ptr, I32) -> I32;
    Join = vex_join(Ptr, Ptr, I32, Ptr, Ptr, I32) -> Ptr;
    JoinAll = vex_join_all(Ptr, Ptr, Ptr) -> Ptr;
    Race = vex_race(Ptr, Ptr, I32, Ptr) -> Ptr;
    RaceAll = vex_race_all(Ptr, Ptr, Ptr) -> Ptr;
    Timeout = vex_timeout(Ptr, Ptr, I64, Ptr, I32, I32) -> Ptr;
    ReadyFuture = vex_ready_future(Ptr, Ptr, Ptr) -> Ptr;
    FutureIsReady = vex_future_is_ready(Ptr) -> Bool;
    RuntimeSetArgs = runtime_set_args(Ptr, I32, Ptr) -> Void;
    RuntimeExited = runtime_exited(Ptr) -> Bool;
    RuntimeExitCode = runtime_exit_code(Ptr) -> I32;
    IoErrorCode = vex_io_error_code(Ptr) -> I64;
    IoErrorMessage = vex_io_error_message(Ptr) -> Ptr;
    IoErrorRetain = vex_io_error_retain(Ptr) -> Ptr;
    IoErrorRelease = vex_io_error_release(Ptr) -> Void;
    IoHandleRetain = vex_io_handle_retain(Ptr) -> Ptr;
    IoHandleRelease = vex_io_handle_release(Ptr) -> Void;
    IoClose = vex_io_close(Ptr) -> Void;
    IoListenerPort = vex_io_listener_port(Ptr) -> I64;
    IoReadFile = vex_io_read_file(Ptr, Ptr) -> Ptr;
    IoWriteFile = vex_io_write_file(Ptr, Ptr, Ptr) -> Ptr;
    IoAppendFile = vex_io_append_file(Ptr, Ptr, Ptr) -> Ptr;
    IoRemoveFile = vex_io_remove_file(Ptr, Ptr) -> Ptr;
    IoExists = vex_io_exists(Ptr, Ptr) -> Ptr;
    IoFileOpen = vex_io_file_open(Ptr, Ptr) -> Ptr;
    IoFileCreate = vex_io_file_create(Ptr, Ptr) -> Ptr;
    IoFileOpenAppend = vex_io_file_open_append(Ptr, Ptr) -> Ptr;
    IoFileRead = vex_io_file_read(Ptr, Ptr, I64) -> Ptr;
    IoFileReadAll = vex_io_file_read_all(Ptr, Ptr) -> Ptr;
    IoFileWrite = vex_io_file_write(Ptr, Ptr, Ptr) -> Ptr;
    IoTcpBind = vex_io_tcp_bind(Ptr, Ptr, I64) -> Ptr;
    IoTcpAccept = vex_io_tcp_accept(Ptr, Ptr) -> Ptr;
    IoTcpConnect = vex_io_tcp_connect(Ptr, Ptr, I64) -> Ptr;
    IoTcpRead = vex_io_tcp_read(Ptr, Ptr, I64) -> Ptr;
    IoTcpWrite = vex_io_tcp_write(Ptr, Ptr, Ptr) -> Ptr;
    Args = vex_args() -> Ptr;
    GetEnv = vex_get_env(Ptr, Ptr) -> Void;
    Exit = vex_exit(I32) -> Void;
}

impl RtFn {
    /// Whether the function never returns (`_Noreturn` in the header).
    pub fn is_noreturn(self) -> bool {
        matches!(self, RtFn::Panic | RtFn::PanicCstr | RtFn::Exit | RtFn::GuardHit)
    }

    /// The function with C symbol `name`, if it is a runtime function.
    pub fn from_name(name: &str) -> Option<RtFn> {
        RtFn::ALL.iter().copied().find(|f| f.name() == name)
    }
}

/// The runtime ABI as LLVM types of one context and target: struct types, scalar types
/// and function declarations. Cheap to create; create one per module being generated.
#[derive(Debug, Clone, Copy)]
pub struct RuntimeAbi<'ctx> {
    context: &'ctx Context,
    usize_type: IntType<'ctx>,
}

impl<'ctx> RuntimeAbi<'ctx> {
    /// The ABI for `context` on a target with `target_data` (which fixes `size_t`).
    pub fn new(context: &'ctx Context, target_data: &TargetData) -> RuntimeAbi<'ctx> {
        let usize_type = context.ptr_sized_int_type(target_data, None);
        RuntimeAbi { context, usize_type }
    }

    /// The context the types belong to.
    pub fn context(&self) -> &'ctx Context {
        self.context
    }

    /// The opaque pointer type (`void *`, `VexFuture *`, `VexString *`, ...).
    pub fn ptr_type(&self) -> PointerType<'ctx> {
        self.context.ptr_type(AddressSpace::default())
    }

    /// `size_t`.
    pub fn usize_type(&self) -> IntType<'ctx> {
        self.usize_type
    }

    /// `CoroStatus` as returned by resume functions.
    pub fn coro_status_type(&self) -> IntType<'ctx> {
        self.context.i32_type()
    }

    /// `VexOutcome` as returned by `vex_future_take`.
    pub fn outcome_type(&self) -> IntType<'ctx> {
        self.context.i32_type()
    }

    /// `CoroStatus (*)(WorkerContext *ctx, void *state)`: the type of resume functions.
    pub fn resume_fn_type(&self) -> FunctionType<'ctx> {
        let ptr = self.ptr_type().into();
        self.coro_status_type().fn_type(&[ptr, ptr], false)
    }

    /// `void (*)(void *user, int stream, const char *bytes, size_t len)`: output sinks.
    pub fn output_sink_type(&self) -> FunctionType<'ctx> {
        let ptr = self.ptr_type().into();
        let int = self.context.i32_type().into();
        self.context.void_type().fn_type(&[ptr, int, ptr, self.usize_type.into()], false)
    }

    /// The LLVM type of `ty` as stored in memory (`bool` is one byte).
    pub fn storage_type(&self, ty: CType) -> BasicTypeEnum<'ctx> {
        match ty {
            CType::Bool | CType::I8 => self.context.i8_type().into(),
            CType::I16 => self.context.i16_type().into(),
            CType::I32 => self.context.i32_type().into(),
            CType::I64 => self.context.i64_type().into(),
            CType::Usize => self.usize_type.into(),
            CType::F32 => self.context.f32_type().into(),
            CType::F64 => self.context.f64_type().into(),
            CType::Ptr => self.ptr_type().into(),
            CType::Array(element, len) => self.storage_type(*element).array_type(len).into(),
        }
    }

    /// The LLVM type of `ty` as a call argument or result (`bool` is `i1`).
    pub fn value_type(&self, ty: CType) -> BasicTypeEnum<'ctx> {
        match ty {
            CType::Bool => self.context.bool_type().into(),
            other => self.storage_type(other),
        }
    }

    /// The named LLVM struct type of a shared struct (created on first use).
    pub fn struct_type(&self, description: &CStruct) -> StructType<'ctx> {
        if let Some(existing) = self.context.get_struct_type(description.llvm_name) {
            return existing;
        }
        let ty = self.context.opaque_struct_type(description.llvm_name);
        let fields: Vec<BasicTypeEnum<'ctx>> =
            description.fields.iter().map(|(_, field)| self.storage_type(*field)).collect();
        ty.set_body(&fields, false);
        ty
    }

    /// The LLVM function type of a runtime function.
    pub fn function_type(&self, function: RtFn) -> FunctionType<'ctx> {
        let signature = function.signature();
        let params: Vec<BasicMetadataTypeEnum<'ctx>> =
            signature.params.iter().map(|p| self.value_type(*p).into()).collect();
        match signature.ret {
            None => self.context.void_type().fn_type(&params, false),
            Some(ret) => self.value_type(ret).fn_type(&params, false),
        }
    }

    /// Declares `function` in `module` (once; later calls return the declaration) with
    /// the attributes C callers would use: `zeroext` on `bool`, `noreturn` on panics.
    pub fn declare(&self, module: &Module<'ctx>, function: RtFn) -> FunctionValue<'ctx> {
        if let Some(existing) = module.get_function(function.name()) {
            return existing;
        }
        let value = module.add_function(
            function.name(),
            self.function_type(function),
            Some(Linkage::External),
        );
        let signature = function.signature();
        let zeroext = self.enum_attribute("zeroext");
        for (idx, param) in signature.params.iter().enumerate() {
            if *param == CType::Bool {
                let idx = u32::try_from(idx).expect("few parameters");
                value.add_attribute(AttributeLoc::Param(idx), zeroext);
            }
        }
        if signature.ret == Some(CType::Bool) {
            value.add_attribute(AttributeLoc::Return, zeroext);
        }
        value.add_attribute(AttributeLoc::Function, self.enum_attribute("nounwind"));
        if function.is_noreturn() {
            value.add_attribute(AttributeLoc::Function, self.enum_attribute("noreturn"));
            value.add_attribute(AttributeLoc::Function, self.enum_attribute("cold"));
        }
        value
    }

    /// Declares every runtime function in `module`.
    pub fn declare_all(&self, module: &Module<'ctx>) {
        for function in RtFn::ALL {
            self.declare(module, *function);
        }
    }

    /// Defines a private constant `VexString` with `text` (static reference count,
    /// NUL-terminated bytes) named `name` in `module`, and returns it: a pointer to the
    /// global is a valid `VexString *` that needs no retain or release.
    pub fn define_string_literal(
        &self,
        module: &Module<'ctx>,
        name: &str,
        text: &[u8],
    ) -> GlobalValue<'ctx> {
        let header = &STRING.fields[..STRING.field_index("bytes") as usize];
        let mut field_types: Vec<BasicTypeEnum<'ctx>> =
            header.iter().map(|(_, ty)| self.storage_type(*ty)).collect();
        let bytes = self.context.const_string(text, true);
        field_types.push(bytes.get_type().into());
        let ty = self.context.struct_type(&field_types, false);
        let i32_type = self.context.i32_type();
        let len = u64::try_from(text.len()).expect("string length fits u64");
        let value = ty.const_named_struct(&[
            i32_type.const_int(u64::from(STRING_STATIC), false).into(),
            i32_type.const_zero().into(),
            self.context.i64_type().const_int(len, false).into(),
            bytes.into(),
        ]);
        let global = module.add_global(ty, None, name);
        global.set_initializer(&value);
        global.set_constant(true);
        global.set_linkage(Linkage::Private);
        global.set_unnamed_addr(true);
        global.set_alignment(8);
        global
    }

    /// An attribute without a value (`nounwind`, `zeroext`, ...).
    pub fn enum_attribute(&self, name: &str) -> Attribute {
        let kind = Attribute::get_named_enum_kind_id(name);
        assert_ne!(kind, 0, "LLVM knows no attribute {name}");
        self.context.create_enum_attribute(kind, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HostTarget, TargetOptions};
    use std::collections::{BTreeMap, HashSet};
    use std::ffi::CStr;

    /// C's `sizeof`/`_Alignof`/`offsetof` table, by entry name.
    fn c_layout() -> BTreeMap<String, u64> {
        let mut count = 0usize;
        // SAFETY: vex_abi_entries returns a static table of `count` entries whose names
        // are static NUL-terminated strings.
        let table = unsafe { std::slice::from_raw_parts(ffi::vex_abi_entries(&mut count), count) };
        table
            .iter()
            .map(|entry| {
                // SAFETY: see above.
                let name = unsafe { CStr::from_ptr(entry.name) };
                (name.to_str().expect("ASCII names").to_string(), entry.value)
            })
            .collect()
    }

    /// The same table as LLVM computes it for our struct descriptions.
    fn llvm_layout(abi: &RuntimeAbi<'_>, target_data: &TargetData) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for description in STRUCTS {
            let ty = abi.struct_type(description);
            out.insert(format!("{}.size", description.name), target_data.get_abi_size(&ty));
            out.insert(
                format!("{}.align", description.name),
                u64::from(target_data.get_abi_alignment(&ty)),
            );
            for (name, _) in description.fields {
                let idx = description.field_index(name);
                let offset = target_data.offset_of_element(&ty, idx).expect("field exists");
                out.insert(format!("{}.{name}", description.name), offset);
            }
        }
        for (name, ty) in ENUMS {
            out.insert(format!("{name}.size"), target_data.get_abi_size(&abi.storage_type(*ty)));
        }
        let header = abi.struct_type(&TASK_HEADER);
        out.insert("VEX_TASK_HEADER_SIZE".to_string(), target_data.get_abi_size(&header));
        let vec_header = abi.struct_type(&VEC);
        out.insert("VEX_VEC_HEADER_SIZE".to_string(), target_data.get_abi_size(&vec_header));
        let env_header = abi.struct_type(&ENV);
        out.insert("VEX_ENV_HEADER_SIZE".to_string(), target_data.get_abi_size(&env_header));
        // Reserved byte counts, not structs LLVM lays out: the constants the backend uses.
        out.insert("VEX_CHAN_WAITER_SIZE".to_string(), CHAN_WAITER_SIZE);
        out.insert("VEX_SELECT_SIZE".to_string(), SELECT_SIZE);
        // The results of the I/O operations and of getEnv as the IR lays them out: the
        // runtime writes them where generated code reads them.
        use vex_async_lower::ir::layout::{layout_of, payload_offset};
        use vex_async_lower::ir::{IoTy, Type, TypeDefs};
        let types = TypeDefs::default();
        let io_error = Box::new(Type::Io(IoTy::Error));
        let result = Type::Result(Box::new(Type::String), io_error);
        let option = Type::Option(Box::new(Type::String));
        out.insert("VEX_IO_RESULT_SIZE".to_string(), layout_of(&result, &types).size);
        out.insert("VEX_IO_PAYLOAD_OFFSET".to_string(), payload_offset(&result, 1, 0, &types));
        out.insert("VEX_IO_BOOL_RESULT_SIZE".to_string(), layout_of(&Type::Bool, &types).size);
        out.insert("VEX_OPTION_SIZE".to_string(), layout_of(&option, &types).size);
        out.insert("VEX_OPTION_PAYLOAD_OFFSET".to_string(), payload_offset(&option, 0, 0, &types));
        out
    }

    #[test]
    fn llvm_and_c_agree_on_every_shared_struct() {
        let target = HostTarget::new(TargetOptions::default()).unwrap();
        let target_data = target.target_data();
        let context = Context::create();
        let abi = RuntimeAbi::new(&context, &target_data);
        let llvm = llvm_layout(&abi, &target_data);
        let c = c_layout();
        // Every number C reports must be what LLVM computes (but for the structs only
        // hosts use: the program entry fills them in C) ...
        const HOST_ONLY: &[&str] = &["VexRuntimeOptions.", "VexRunReport.", "VexPanicInfo."];
        for (name, value) in &c {
            if HOST_ONLY.iter().any(|prefix| name.starts_with(prefix)) {
                continue;
            }
            assert_eq!(llvm.get(name), Some(value), "C says {name} = {value}; LLVM differs");
        }
        // ... and every struct and enum LLVM relies on must be reported by C.
        for description in STRUCTS {
            let key = format!("{}.size", description.name);
            assert!(c.contains_key(&key), "C does not export {key}");
        }
        for (name, _) in ENUMS {
            assert!(c.contains_key(&format!("{name}.size")), "C does not export {name}.size");
        }
        assert_eq!(c["VEX_TASK_HEADER_SIZE"], TASK_HEADER_SIZE);
        assert_eq!(TASK_HEADER_SIZE % MAX_STATE_ALIGN, 0);
        assert_eq!(c["VEX_VEC_HEADER_SIZE"], VEC_HEADER_SIZE);
        assert_eq!(VEC_HEADER_SIZE % 16, 0, "vector elements start 16-byte aligned");
        assert_eq!(c["VEX_ENV_HEADER_SIZE"], ENV_HEADER_SIZE);
        assert_eq!(ENV_HEADER_SIZE % 16, 0, "captures start 16-byte aligned");
        assert_eq!(c["VEX_CHAN_WAITER_SIZE"], CHAN_WAITER_SIZE);
        assert_eq!(CHAN_WAITER_SIZE % 16, 0, "channel slots start 16-byte aligned");
        assert_eq!(c["VEX_SELECT_SIZE"], SELECT_SIZE);
        assert_eq!(SELECT_SIZE % MAX_STATE_ALIGN, 0, "select records keep state alignment");
    }

    #[test]
    fn declarations_verify_and_carry_c_attributes() {
        let target = HostTarget::new(TargetOptions::default()).unwrap();
        let context = Context::create();
        let module = context.create_module("decls");
        target.configure(&module);
        let abi = RuntimeAbi::new(&context, &target.target_data());
        abi.declare_all(&module);
        module.verify().unwrap();
        let text = module.print_to_string().to_string();
        assert!(
            text.contains("declare zeroext i1 @vex_future_poll_or_register(ptr, ptr)"),
            "{text}"
        );
        assert!(text.contains("declare void @vex_print(i32, ptr, i1 zeroext)"), "{text}");
        assert!(text.contains("declare ptr @vex_task_alloc(i64, i64, i64, ptr)"), "{text}");
        assert!(text.contains("declare ptr @vex_vec_push(ptr, ptr, ptr)"), "{text}");
        assert!(text.contains("declare zeroext i1 @vex_string_to_int(ptr, ptr)"), "{text}");
        assert!(text.contains("declare i8 @vex_string_byte_at(ptr, i64)"), "{text}");
        assert!(
            text.contains("declare i32 @vex_select(ptr, ptr, ptr, i32, i64, i1 zeroext)"),
            "{text}"
        );
        assert!(text.contains("declare zeroext i1 @vex_chan_try_send(ptr, ptr)"), "{text}");
        assert!(text.contains("declare ptr @vex_join(ptr, ptr, i32, ptr, ptr, i32)"), "{text}");
        assert!(text.contains("declare ptr @vex_timeout(ptr, ptr, i64, ptr, i32, i32)"), "{text}");
        assert!(text.contains("declare zeroext i1 @vex_future_is_ready(ptr)"), "{text}");
        assert!(text.contains("declare ptr @vex_io_tcp_read(ptr, ptr, i64)"), "{text}");
        assert!(text.contains("declare void @vex_get_env(ptr, ptr)"), "{text}");
        assert!(text.contains("declare void @runtime_set_args(ptr, i32, ptr)"), "{text}");
        let panic = module.get_function("vex_panic_cstr").unwrap();
        let noreturn = Attribute::get_named_enum_kind_id("noreturn");
        assert!(panic.get_enum_attribute(AttributeLoc::Function, noreturn).is_some());
        let exit = module.get_function("vex_exit").unwrap();
        assert!(exit.get_enum_attribute(AttributeLoc::Function, noreturn).is_some());
        // Declaring again returns the same function instead of `vex_print.1`.
        assert_eq!(abi.declare(&module, RtFn::Print), module.get_function("vex_print").unwrap());
        assert_eq!(module.get_functions().count(), RtFn::ALL.len());
    }

    #[test]
    fn runtime_functions_have_distinct_names_and_linked_addresses() {
        let mut names = HashSet::new();
        let mut addresses = HashSet::new();
        for function in RtFn::ALL {
            assert!(names.insert(function.name()), "{} listed twice", function.name());
            assert_ne!(function.address(), 0);
            assert!(addresses.insert(function.address()), "{} aliases another", function.name());
            assert_eq!(RtFn::from_name(function.name()), Some(*function));
        }
    }

    #[test]
    fn field_index_follows_declaration_order() {
        assert_eq!(STRING.field_index("bytes"), 3);
        assert_eq!(VEC.field_index("len"), 2);
        assert_eq!(ENV.field_index("drop"), 2);
        assert_eq!(SELECT_ARM.field_index("kind"), 2);
    }
}
