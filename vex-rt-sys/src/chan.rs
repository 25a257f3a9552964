//! Safe channels for hosts: [`Channel<T>`] wraps a `VexChannel *` (language §11) whose
//! element type is a Rust type the runtime can move by copying bytes ([`ChanValue`]:
//! the integer and float scalars, `bool`, and strings as [`String`] or `Vec<u8>`).
//!
//! Three ways to use one:
//! * never waiting, from any thread: [`Channel::try_send`], [`Channel::try_recv`],
//!   [`Channel::close`], [`Channel::len`], [`Channel::cap`], [`Channel::is_closed`];
//! * waiting inside a Rust task ([`StateMachine`]): [`SendOp`] / [`RecvOp`], which follow
//!   the compiled-code protocol of `vex_chan_send`/`vex_chan_send_resume` (and the
//!   receive pair) and return [`ChanWait::Pending`] when the task must suspend;
//! * blocking a host thread: [`Channel::send_blocking`], [`Channel::send_timeout`],
//!   [`Channel::recv_blocking`], [`Channel::recv_timeout`], which try the operation at
//!   once and otherwise run it in a small helper task and sleep on a condition variable
//!   until the helper reports (another thread must be running the runtime).
//!
//! # Wait records and soundness
//! A pending channel operation is a wait record (`VEX_CHAN_WAITER_SIZE` bytes followed
//! by the value slot) linked into the channel's wait queue; other threads write into it
//! (hand-off, close) until the operation completes, and it names the waiting task. So it
//! must not move, must not be freed, and its task must not finish while it is queued.
//! [`SendOp`] and [`RecvOp`] keep the record in a heap block of their own (allocated once
//! per op and reused), so moving the op or the state machine never moves the record; the
//! record is only reached through a raw pointer, never through a Rust reference while
//! the runtime may write to it. An op that returns `Pending` is bound to the running task
//! and counted in that task's pending-wait counter; it must be polled again (which calls
//! the `*_resume` function *before* any cancellation check, as the header demands) until
//! it completes. The remaining hazards are handled like this:
//! * the op is dropped while pending (e.g. the machine saw [`Context::is_cancelled`]
//!   first and returned [`Step::Cancelled`]): its `Drop` runs inside that task's resume,
//!   calls the `*_resume` function itself, which withdraws a cancelled wait (a send's
//!   value is released by the runtime, a value that was already handed to a receive is
//!   dropped), and only then frees the record;
//! * the wait cannot be withdrawn (the task was not cancelled, or the op was dropped
//!   outside its task): the record and the op's channel reference are leaked instead of
//!   freed, so nothing dangles while the task lives; should the task then finish (or
//!   panic) with the wait still queued, the process aborts with a message rather than
//!   let the runtime free a task that a channel still points to;
//! * polling an op from another task or another runtime panics before touching the
//!   channel.
//!
//! A [`Channel`] keeps its [`Runtime`] alive: otherwise a host could drop the runtime
//! (freeing the tasks parked on the channel) and then send into the channel, which would
//! write into freed tasks. Ops and helpers hold only a channel reference.
//!
//! # Host blocking
//! A blocking host operation first tries `vex_chan_try_send`/`vex_chan_try_recv`. If
//! that cannot complete, it spawns a helper task that performs the waiting operation
//! with a [`SendOp`]/[`RecvOp`] and hands the outcome back through a mutex and condition
//! variable that the host thread sleeps on (in slices of at most 10 ms, to notice a
//! runtime stopped by a panic). The operation stays in the shared state until the helper
//! takes it, and while it is there the host retries the non-waiting operation itself
//! (1 ms after the spawn, backing off to 10 ms): so a run that ended just before the
//! helper was spawned (the last task closed the channel and finished) still settles the
//! call. On a timeout the host either reclaims the operation before the helper started
//! it (nothing happened), or cancels the helper and waits for its answer: a value it
//! received or delivered before noticing the cancellation is reported as success, never
//! lost. A timeout of a send drops the value. Helper tasks show up in
//! [`Runtime::counters`] (a helper cancelled by a timeout counts as cancelled).

use crate::ffi;
use crate::host::{Context, Runtime, StateMachine, Step, TaskHandle, current_task};
use std::ffi::c_void;
use std::marker::PhantomData;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::ptr::NonNull;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// A Rust type whose values can travel through a Vex channel: each value is stored in
/// the channel as the plain bytes of [`ChanValue::Raw`], described to the runtime by
/// [`ChanValue::elem_type`] (the same element types vectors use).
///
/// Implemented for `i8`..`i64`, `u8`..`u64`, `f32`, `f64` (raw = the value), `bool`
/// (raw = one byte, 0 or 1) and for strings: [`String`] (receiving converts invalid UTF-8
/// lossily) and `Vec<u8>` (byte-exact), both stored as a `VexString *` of the element
/// type `vex_elem_string`, so they interoperate with a Vex `Channel<string>`.
///
/// # Safety
/// * `elem_type()` describes `Raw`: `size == size_of::<Raw>()`, `align_of::<Raw>() <= 16`;
///   it is `'static` because channels keep a pointer to it.
/// * A `Raw` is moved by copying its bytes (no retain), and owns exactly the references
///   that `elem_type().release` drops (none when it is `None`).
/// * `to_raw` returns a new `Raw` owning its own references (independent of `self`);
///   `from_raw` accepts every `Raw` of this element type, whether made by `to_raw` or by
///   compiled Vex code, and takes over its references.
pub unsafe trait ChanValue: Send + Sized + 'static {
    /// The bytes stored in the channel for one value.
    type Raw: Copy + 'static;
    /// The runtime's description of `Raw`.
    fn elem_type() -> &'static ffi::VexElemType;
    /// A new raw value equal to `self`.
    fn to_raw(&self) -> Self::Raw;
    /// Converts a raw value back, taking over (and releasing) its references.
    ///
    /// # Safety
    /// `raw` must be a valid value of [`ChanValue::elem_type`] that the caller owns.
    unsafe fn from_raw(raw: Self::Raw) -> Self;
}

macro_rules! scalar_chan_value {
    ($($t:ty => $kind:ident),* $(,)?) => {$(
        // SAFETY: plain bytes with no references (release is None); size and alignment
        // are the type's own.
        unsafe impl ChanValue for $t {
            type Raw = $t;
            fn elem_type() -> &'static ffi::VexElemType {
                static ELEM: ffi::VexElemType = ffi::VexElemType {
                    size: size_of::<$t>() as u64,
                    align: align_of::<$t>() as u64,
                    retain: None,
                    release: None,
                    kind: ffi::$kind,
                    reserved: 0,
                };
                &ELEM
            }
            fn to_raw(&self) -> $t {
                *self
            }
            unsafe fn from_raw(raw: $t) -> $t {
                raw
            }
        }
    )*};
}

scalar_chan_value!(
    i8 => VEX_ELEM_I8, i16 => VEX_ELEM_I16, i32 => VEX_ELEM_I32, i64 => VEX_ELEM_I64,
    u8 => VEX_ELEM_U8, u16 => VEX_ELEM_U16, u32 => VEX_ELEM_U32, u64 => VEX_ELEM_U64,
    f32 => VEX_ELEM_F32, f64 => VEX_ELEM_F64,
);

// SAFETY: a Vex bool is one byte, 0 or 1, without references; any nonzero byte reads as
// true, so every raw value converts.
unsafe impl ChanValue for bool {
    type Raw = u8;
    fn elem_type() -> &'static ffi::VexElemType {
        static ELEM: ffi::VexElemType = ffi::VexElemType {
            size: 1,
            align: 1,
            retain: None,
            release: None,
            kind: ffi::VEX_ELEM_BOOL,
            reserved: 0,
        };
        &ELEM
    }
    fn to_raw(&self) -> u8 {
        u8::from(*self)
    }
    unsafe fn from_raw(raw: u8) -> bool {
        raw != 0
    }
}

/// The bytes of a raw string, releasing it.
///
/// # Safety
/// `raw` is a string reference (NULL: empty) the caller owns.
unsafe fn take_string_bytes(raw: *mut ffi::VexString) -> Vec<u8> {
    // SAFETY: vex_string_bytes never returns NULL and holds vex_string_len bytes; the
    // reference is released once, after copying.
    unsafe {
        let bytes = std::slice::from_raw_parts(
            ffi::vex_string_bytes(raw).cast::<u8>(),
            ffi::vex_string_len(raw),
        )
        .to_vec();
        ffi::vex_string_release(raw);
        bytes
    }
}

/// The runtime's element type of strings.
fn string_elem() -> &'static ffi::VexElemType {
    // SAFETY: an immutable static defined by vex-rt.
    unsafe { &ffi::vex_elem_string }
}

// SAFETY: a `VexString *` (8 bytes) owning one reference, released by vex_elem_string's
// release; vex_string_from_bytes returns a new reference; every string converts (lossily).
unsafe impl ChanValue for String {
    type Raw = *mut ffi::VexString;
    fn elem_type() -> &'static ffi::VexElemType {
        string_elem()
    }
    fn to_raw(&self) -> *mut ffi::VexString {
        // SAFETY: self is valid for len bytes.
        unsafe { ffi::vex_string_from_bytes(self.as_ptr().cast(), self.len()) }
    }
    unsafe fn from_raw(raw: *mut ffi::VexString) -> String {
        // SAFETY: the caller owns raw.
        match String::from_utf8(unsafe { take_string_bytes(raw) }) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }
    }
}

// SAFETY: as for String, without any conversion of the bytes.
unsafe impl ChanValue for Vec<u8> {
    type Raw = *mut ffi::VexString;
    fn elem_type() -> &'static ffi::VexElemType {
        string_elem()
    }
    fn to_raw(&self) -> *mut ffi::VexString {
        // SAFETY: self is valid for len bytes.
        unsafe { ffi::vex_string_from_bytes(self.as_ptr().cast(), self.len()) }
    }
    unsafe fn from_raw(raw: *mut ffi::VexString) -> Vec<u8> {
        // SAFETY: the caller owns raw.
        unsafe { take_string_bytes(raw) }
    }
}

/// One counted reference to a C channel (no runtime attached).
struct ChanRef(NonNull<ffi::VexChannel>);

// SAFETY: the reference count is atomic and every channel function is thread-safe.
unsafe impl Send for ChanRef {}
// SAFETY: as above.
unsafe impl Sync for ChanRef {}

impl ChanRef {
    fn ptr(&self) -> *mut ffi::VexChannel {
        self.0.as_ptr()
    }
}

impl Clone for ChanRef {
    fn clone(&self) -> ChanRef {
        // SAFETY: we hold a reference, so the channel is live; the new one is the clone's.
        unsafe { ffi::vex_chan_retain(self.ptr()) };
        ChanRef(self.0)
    }
}

impl Drop for ChanRef {
    fn drop(&mut self) {
        // SAFETY: releases the reference this value owns.
        unsafe { ffi::vex_chan_release(self.ptr()) }
    }
}

/// Checks the [`ChanValue`] contract that can be checked.
fn check_layout<T: ChanValue>() {
    let elem = T::elem_type();
    assert!(
        elem.size == size_of::<T::Raw>() as u64 && align_of::<T::Raw>() <= 16,
        "ChanValue::elem_type does not describe ChanValue::Raw"
    );
}

/// A Vex channel of `T` values held by a host: a counted reference to a `VexChannel`
/// plus the [`Runtime`] whose tasks use it (kept alive by the channel, see the module
/// documentation). Cloning adds a channel reference; the last release frees the channel
/// and drops the values still buffered.
pub struct Channel<T: ChanValue> {
    ch: ChanRef,
    rt: Runtime,
    _t: PhantomData<fn(T) -> T>,
}

impl<T: ChanValue> Clone for Channel<T> {
    fn clone(&self) -> Channel<T> {
        Channel { ch: self.ch.clone(), rt: self.rt.clone(), _t: PhantomData }
    }
}

impl<T: ChanValue> std::fmt::Debug for Channel<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channel")
            .field("cap", &self.cap())
            .field("len", &self.len())
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// Why [`Channel::try_send`] did not send; gives the value back.
#[derive(PartialEq, Eq, thiserror::Error)]
pub enum TrySendError<T> {
    /// No room right now: the buffer is full, or the channel is unbuffered and no
    /// receiver is waiting.
    #[error("channel is full")]
    Full(T),
    /// The channel is closed.
    #[error("channel is closed")]
    Closed(T),
}

impl<T> TrySendError<T> {
    /// The value that was not sent.
    pub fn into_inner(self) -> T {
        match self {
            TrySendError::Full(v) | TrySendError::Closed(v) => v,
        }
    }
}

impl<T> std::fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("Full(..)"),
            TrySendError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

/// Why [`Channel::try_recv`] returned no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TryRecvError {
    /// Nothing available right now (the channel may be closed meanwhile: the next call
    /// says so).
    #[error("channel is empty")]
    Empty,
    /// The channel is closed and drained: no value will ever come.
    #[error("channel is closed")]
    Closed,
}

/// A send that found the channel closed (the value was dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("channel is closed")]
pub struct Closed;

/// Why a blocking host operation ([`Channel::send_timeout`], ...) did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BlockingError {
    /// Send: the channel is closed (the value was dropped). Receive: the channel is
    /// closed and drained.
    #[error("channel is closed")]
    Closed,
    /// The time limit passed first; nothing was sent or received (a send's value was
    /// dropped).
    #[error("timed out")]
    Timeout,
    /// The runtime stopped because a task panicked (`panic at FILE:LINE:COL: MSG`).
    #[error("{0}")]
    Panicked(String),
}

impl<T: ChanValue> Channel<T> {
    /// A new channel with room for `cap` values (0: unbuffered, a send completes when a
    /// receiver takes the value), used by the tasks of `rt`. Panics if `cap` exceeds
    /// `i64::MAX`; the runtime aborts if the buffer does not fit in memory.
    pub fn new(rt: &Runtime, cap: usize) -> Channel<T> {
        check_layout::<T>();
        let cap = i64::try_from(cap).expect("channel capacity exceeds i64::MAX");
        // SAFETY: the element type is 'static and describes T::Raw (ChanValue contract).
        let raw = unsafe { ffi::vex_chan_new(T::elem_type(), cap) };
        Channel {
            ch: ChanRef(NonNull::new(raw).expect("vex_chan_new never returns NULL")),
            rt: rt.clone(),
            _t: PhantomData,
        }
    }

    /// Wraps a channel made elsewhere (e.g. by compiled Vex code), taking over one
    /// reference (which the wrapper releases on drop). To keep the caller's reference,
    /// `vex_chan_retain` it first.
    ///
    /// # Safety
    /// `raw` is a live channel holding one reference that moves into the wrapper; its
    /// element type has the size of `T::Raw` and the same ownership meaning (what its
    /// `release` drops is exactly what [`ChanValue::from_raw`] takes over), e.g. the
    /// compiler's `i64` element type for `Channel<i64>` or `vex_elem_string` for
    /// `Channel<String>`. Every task that waits on it is a task of `rt` (the wrapper keeps
    /// only `rt` alive; a task of another runtime parked on the channel would dangle once
    /// that runtime is destroyed).
    pub unsafe fn from_raw(rt: &Runtime, raw: *mut ffi::VexChannel) -> Channel<T> {
        check_layout::<T>();
        Channel {
            ch: ChanRef(NonNull::new(raw).expect("Channel::from_raw: null channel")),
            rt: rt.clone(),
            _t: PhantomData,
        }
    }

    /// The raw channel (the reference stays with `self`), e.g. to pass to compiled Vex
    /// code that borrows it; code that keeps it must `vex_chan_retain` it.
    pub fn as_raw(&self) -> *mut ffi::VexChannel {
        self.ch.ptr()
    }

    /// Gives up the wrapper, handing its channel reference to the caller (who must
    /// release it exactly once, e.g. by passing it to code that takes ownership or back
    /// to [`Channel::from_raw`]).
    pub fn into_raw(self) -> *mut ffi::VexChannel {
        let me = ManuallyDrop::new(self);
        // SAFETY: `me` is never used or dropped again: the runtime clone is dropped here
        // and the channel reference moves to the caller.
        unsafe { drop(std::ptr::read(&me.rt)) };
        me.ch.ptr()
    }

    /// The runtime this channel belongs to.
    pub fn runtime(&self) -> &Runtime {
        &self.rt
    }

    /// Sends without waiting: `Ok` when the value was handed to a waiting receiver or
    /// buffered; otherwise gives it back, as [`TrySendError::Closed`] when the channel is
    /// closed, else [`TrySendError::Full`]. From any thread.
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let mut raw = MaybeUninit::new(value.to_raw());
        // SAFETY: raw is a valid T::Raw that we own; try_send moves it in, or releases
        // it on failure, so it is not used again either way.
        if unsafe { ffi::vex_chan_try_send(self.ch.ptr(), raw.as_mut_ptr().cast::<c_void>()) } {
            return Ok(());
        }
        if self.is_closed() {
            Err(TrySendError::Closed(value))
        } else {
            Err(TrySendError::Full(value))
        }
    }

    /// Receives without waiting: the oldest value (from the buffer or from a waiting
    /// sender), [`TryRecvError::Empty`] when none is available right now, or
    /// [`TryRecvError::Closed`] once the channel is closed and drained. From any thread.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        if let Some(v) = self.try_recv_once() {
            return Ok(v);
        }
        if !self.is_closed() {
            return Err(TryRecvError::Empty);
        }
        // Closed now: nothing can be sent any more, so one more attempt decides whether
        // a value sent before the close is still buffered.
        self.try_recv_once().ok_or(TryRecvError::Closed)
    }

    fn try_recv_once(&self) -> Option<T> {
        let mut out = MaybeUninit::<T::Raw>::uninit();
        // SAFETY: out has room for one T::Raw; on true the value (and its references)
        // was moved there and is ours.
        unsafe {
            ffi::vex_chan_try_recv(self.ch.ptr(), out.as_mut_ptr().cast::<c_void>())
                .then(|| T::from_raw(out.assume_init()))
        }
    }

    /// Closes the channel (idempotent): waiting senders fail (their values are dropped),
    /// waiting receivers see the end; buffered values can still be received.
    pub fn close(&self) {
        // SAFETY: the channel is live.
        unsafe { ffi::vex_chan_close(self.ch.ptr()) }
    }

    /// The number of buffered values (always 0 when unbuffered).
    pub fn len(&self) -> usize {
        // SAFETY: the channel is live.
        unsafe { ffi::vex_chan_len(self.ch.ptr()) as usize }
    }

    /// Whether no value is buffered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The capacity given at creation.
    pub fn cap(&self) -> usize {
        // SAFETY: the channel is live.
        unsafe { ffi::vex_chan_cap(self.ch.ptr()) as usize }
    }

    /// Whether the channel was closed.
    pub fn is_closed(&self) -> bool {
        // SAFETY: the channel is live.
        unsafe { ffi::vex_chan_is_closed(self.ch.ptr()) }
    }

    /// A reusable send operation for a task of this channel's runtime (see [`SendOp`]).
    pub fn send_op(&self) -> SendOp<T> {
        SendOp { op: Op::new(self, Dir::Send) }
    }

    /// A reusable receive operation for a task of this channel's runtime (see
    /// [`RecvOp`]).
    pub fn recv_op(&self) -> RecvOp<T> {
        RecvOp { op: Op::new(self, Dir::Recv) }
    }

    /// Sends from a host thread, blocking until the value is handed over or buffered, or
    /// the channel is closed ([`BlockingError::Closed`]: the value was dropped). Needs
    /// another thread inside [`Runtime::run`] when the send has to wait (see
    /// [`Runtime::run_in_background`]); without one this never returns: prefer
    /// [`Channel::send_timeout`]. Panics when called inside a task.
    pub fn send_blocking(&self, value: T) -> Result<(), BlockingError> {
        self.send_until(value, None)
    }

    /// [`Channel::send_blocking`] with a time limit: [`BlockingError::Timeout`] when
    /// `timeout` passed before the value was taken (the value was dropped; it was not
    /// sent). A value that a receiver took while the host was giving up counts as sent.
    pub fn send_timeout(&self, value: T, timeout: Duration) -> Result<(), BlockingError> {
        self.send_until(value, Some(Instant::now() + timeout))
    }

    /// Receives from a host thread, blocking until a value arrives or the channel is
    /// closed and drained ([`BlockingError::Closed`]). Like [`Channel::send_blocking`]
    /// it needs a running runtime when it has to wait. Panics when called inside a task.
    pub fn recv_blocking(&self) -> Result<T, BlockingError> {
        self.recv_until(None)
    }

    /// [`Channel::recv_blocking`] with a time limit: [`BlockingError::Timeout`] when
    /// nothing arrived in time. No value is lost: one handed over while the host was
    /// giving up is returned.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, BlockingError> {
        self.recv_until(Some(Instant::now() + timeout))
    }

    fn send_until(&self, value: T, deadline: Option<Instant>) -> Result<(), BlockingError> {
        assert_off_worker("Channel::send_blocking/send_timeout");
        let value = match self.try_send(value) {
            Ok(()) => return Ok(()),
            Err(TrySendError::Closed(_)) => return Err(BlockingError::Closed),
            Err(TrySendError::Full(v)) => v,
        };
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(BlockingError::Timeout);
        }
        let shared = Handoff::new((self.send_op(), Some(value)));
        let task = self.rt.spawn(HostSend { op: None, shared: shared.clone() });
        host_wait(&self.rt, &task, &shared, deadline, |(_, value)| {
            let v = value.take().expect("the value stays while idle");
            match self.try_send(v) {
                Ok(()) => Some(Ok(())),
                Err(TrySendError::Closed(_)) => Some(Err(BlockingError::Closed)),
                Err(TrySendError::Full(v)) => {
                    *value = Some(v);
                    None
                }
            }
        })
    }

    fn recv_until(&self, deadline: Option<Instant>) -> Result<T, BlockingError> {
        assert_off_worker("Channel::recv_blocking/recv_timeout");
        match self.try_recv() {
            Ok(v) => return Ok(v),
            Err(TryRecvError::Closed) => return Err(BlockingError::Closed),
            Err(TryRecvError::Empty) => {}
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(BlockingError::Timeout);
        }
        let shared = Handoff::new(self.recv_op());
        let task = self.rt.spawn(HostRecv { op: None, shared: shared.clone() });
        host_wait(&self.rt, &task, &shared, deadline, |_| match self.try_recv() {
            Ok(v) => Some(Ok(v)),
            Err(TryRecvError::Closed) => Some(Err(BlockingError::Closed)),
            Err(TryRecvError::Empty) => None,
        })
    }
}

fn assert_off_worker(what: &str) {
    assert!(
        current_task().is_none(),
        "{what} inside a task would block a worker thread; use SendOp/RecvOp instead"
    );
}

/// The result of a channel operation inside a task.
#[must_use = "Pending means the task must return Step::Suspend now"]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChanWait<T> {
    /// The operation finished.
    Ready(T),
    /// The operation is queued on the channel and the task's wait is recorded: return
    /// [`Step::Suspend`] now, and call `poll` first thing on the next resume (before
    /// checking [`Context::is_cancelled`]).
    Pending,
    /// The task was cancelled while waiting; the wait was withdrawn (a send's value was
    /// dropped). Finish through the cancel exit: return [`Step::Cancelled`].
    Cancelled,
}

/// A wait record with its value slot: `VEX_CHAN_WAITER_SIZE` opaque bytes, then the
/// slot at exactly that offset (both 16-byte aligned).
#[repr(C, align(16))]
struct Record<R> {
    _header: MaybeUninit<[u8; ffi::VEX_CHAN_WAITER_SIZE]>,
    slot: MaybeUninit<R>,
}

/// Which pair of channel functions an [`Op`] calls.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Send,
    Recv,
}

/// The part [`SendOp`] and [`RecvOp`] share: the channel, the heap wait record and, while
/// an operation is pending, the task it belongs to.
struct Op<T: ChanValue> {
    /// Dropped with the record, or leaked with it when the wait cannot be withdrawn.
    ch: ManuallyDrop<ChanRef>,
    /// The runtime of the channel's wrapper (identity only, for the same-runtime check).
    rt: *mut ffi::Runtime,
    /// Allocated by Box::into_raw; reached only through this raw pointer.
    rec: NonNull<Record<T::Raw>>,
    /// The task whose pending operation this is (its cancel token, i.e. its identity).
    bound: Option<*mut ffi::CancelToken>,
    dir: Dir,
    _t: PhantomData<fn(T) -> T>,
}

// SAFETY: the record is owned by the op alone; while an operation is pending only the
// runtime touches it (under the channel lock), and the op's methods check that they run
// in the task that owns the operation. The values it carries are T: Send.
unsafe impl<T: ChanValue> Send for Op<T> {}

impl<T: ChanValue> Op<T> {
    fn new(chan: &Channel<T>, dir: Dir) -> Op<T> {
        let rec = Box::new(Record::<T::Raw> {
            _header: MaybeUninit::uninit(),
            slot: MaybeUninit::uninit(),
        });
        assert_eq!(std::mem::offset_of!(Record<T::Raw>, slot), ffi::VEX_CHAN_WAITER_SIZE);
        Op {
            ch: ManuallyDrop::new(chan.ch.clone()),
            rt: chan.rt.as_raw(),
            rec: NonNull::from(Box::leak(rec)),
            bound: None,
            dir,
            _t: PhantomData,
        }
    }

    fn waiter(&self) -> *mut ffi::VexChanWaiter {
        self.rec.as_ptr().cast()
    }

    fn slot(&self) -> *mut T::Raw {
        // SAFETY: rec is a live allocation; no reference is created.
        unsafe { (&raw mut (*self.rec.as_ptr()).slot).cast() }
    }

    /// The checks before starting an operation: nothing pending, and the task belongs to
    /// the channel's runtime (which the channel wrapper keeps alive; a task of another
    /// runtime parked on the channel could dangle once that runtime is destroyed).
    fn check_start(&self, cx: &Context<'_>) {
        assert!(self.bound.is_none(), "a channel operation is already pending: poll it first");
        // SAFETY: cx.as_raw() is the live worker running this task.
        let rt = unsafe { ffi::worker_runtime(cx.as_raw()) };
        assert!(rt == self.rt, "channel operation polled in a task of another runtime");
    }

    /// Starts the operation (the value, for a send, is already in the slot).
    fn start(&mut self, cx: &mut Context<'_>) -> i32 {
        self.check_start(cx);
        // SAFETY: the record is ours and not queued (not bound); the channel is live; on
        // PENDING it stays where it is (heap block) until bound is cleared.
        let r = unsafe {
            match self.dir {
                Dir::Send => ffi::vex_chan_send(cx.as_raw(), self.ch.ptr(), self.waiter()),
                Dir::Recv => ffi::vex_chan_recv(cx.as_raw(), self.ch.ptr(), self.waiter()),
            }
        };
        if r == ffi::VEX_CHAN_PENDING {
            // SAFETY: the live worker; its current task is the one that waits.
            self.bound = Some(unsafe { ffi::worker_cancel_token(cx.as_raw()) });
            cx.waits().fetch_add(1, Ordering::Relaxed);
        }
        r
    }

    /// Continues the pending operation with the `*_resume` function.
    fn resume(&mut self, cx: &mut Context<'_>) -> i32 {
        let task = self.bound.expect("no channel operation is pending: start one first");
        // SAFETY: the live worker.
        let me = unsafe { ffi::worker_cancel_token(cx.as_raw()) };
        assert!(me == task, "a pending channel operation was polled by another task");
        // SAFETY: the record is queued on this channel by this task (checked above).
        let r = unsafe { self.resume_raw(cx.as_raw()) };
        if r != ffi::VEX_CHAN_PENDING {
            self.bound = None;
            cx.waits().fetch_sub(1, Ordering::Relaxed);
        }
        r
    }

    /// # Safety
    /// `ctx` runs the task the pending operation belongs to.
    unsafe fn resume_raw(&self, ctx: *mut ffi::WorkerContext) -> i32 {
        // SAFETY: the caller's contract; the record is pending on this channel.
        unsafe {
            match self.dir {
                Dir::Send => ffi::vex_chan_send_resume(ctx, self.ch.ptr(), self.waiter()),
                Dir::Recv => ffi::vex_chan_recv_resume(ctx, self.ch.ptr(), self.waiter()),
            }
        }
    }

    /// Takes the received value out of the slot.
    ///
    /// # Safety
    /// A receive just returned OK (the slot holds a value nobody else owns).
    unsafe fn take_value(&self) -> T {
        // SAFETY: the caller's contract.
        unsafe { T::from_raw(self.slot().read()) }
    }
}

impl<T: ChanValue> Drop for Op<T> {
    fn drop(&mut self) {
        if let Some(task) = self.bound {
            // Dropped while pending: withdraw the wait if we run inside the owning task
            // (the normal case: the machine is being dropped at its cancel exit).
            let withdrawn = match current_task() {
                // SAFETY: cur.ctx is the live worker of the running task.
                Some(cur) if unsafe { ffi::worker_cancel_token(cur.ctx) } == task => {
                    // SAFETY: the operation belongs to this task.
                    let r = unsafe { self.resume_raw(cur.ctx) };
                    if r == ffi::VEX_CHAN_OK && self.dir == Dir::Recv {
                        // A value was handed over before the withdrawal: drop it (once).
                        // SAFETY: the receive returned OK.
                        drop(unsafe { self.take_value() });
                    }
                    if r != ffi::VEX_CHAN_PENDING {
                        // SAFETY: the counter of the running task, which lives in its
                        // slot for the whole resume.
                        unsafe { (*cur.waits).fetch_sub(1, Ordering::Relaxed) };
                    }
                    r != ffi::VEX_CHAN_PENDING
                }
                _ => false,
            };
            if !withdrawn {
                // Still queued: leak the record and the channel reference so that nothing
                // the runtime can reach is freed. The task's counter stays raised: if it
                // finishes, the trampoline aborts (see host::abort_if_waiting).
                return;
            }
        }
        // SAFETY: not queued any more (or never was): the record is ours to free; the
        // slot holds no live value (sent, moved out, or released by the runtime).
        unsafe {
            drop(Box::from_raw(self.rec.as_ptr()));
            ManuallyDrop::drop(&mut self.ch);
        }
    }
}

/// A send on a [`Channel`] inside a Rust task, following the compiled-code protocol:
/// [`SendOp::send`] at the send point; on [`ChanWait::Pending`] return [`Step::Suspend`]
/// and, at the next resume, call [`SendOp::poll`] *first* (it withdraws the wait when the
/// task was cancelled) until it is no longer pending. The op owns a heap wait record that
/// it reuses for every send, so it can be kept in the state machine for a whole loop.
///
/// Dropping it while a send is pending withdraws the wait when that happens inside the
/// task during its cancellation (the value is dropped); any other drop of a pending op
/// is a protocol error (see the module documentation). Create it with
/// [`Channel::send_op`].
pub struct SendOp<T: ChanValue> {
    op: Op<T>,
}

impl<T: ChanValue> SendOp<T> {
    /// Starts sending `value`: [`ChanWait::Ready`]`(Ok(()))` when handed to a waiting
    /// receiver or buffered, `Ready(Err(Closed))` when the channel is closed (the value
    /// was dropped), or [`ChanWait::Pending`]. Panics if a send is still pending or the
    /// task belongs to another runtime than the channel.
    pub fn send(&mut self, cx: &mut Context<'_>, value: T) -> ChanWait<Result<(), Closed>> {
        // Checked before the value moves into the slot, so that a failed check leaks
        // nothing.
        self.op.check_start(cx);
        // SAFETY: the slot is ours (nothing pending); the raw value moves in.
        unsafe { self.op.slot().write(value.to_raw()) };
        drop(value);
        Self::map(self.op.start(cx))
    }

    /// Continues a pending send: `Ready(Ok(()))` (a receiver took the value),
    /// `Ready(Err(Closed))` (closed while waiting; value dropped), [`ChanWait::Cancelled`]
    /// (withdrawn; value dropped) or [`ChanWait::Pending`] again (suspend again). Panics if
    /// no send is pending or when polled by another task than the one that started it.
    pub fn poll(&mut self, cx: &mut Context<'_>) -> ChanWait<Result<(), Closed>> {
        Self::map(self.op.resume(cx))
    }

    /// Whether a send is pending (started, not yet finished).
    pub fn is_pending(&self) -> bool {
        self.op.bound.is_some()
    }

    fn map(r: i32) -> ChanWait<Result<(), Closed>> {
        match r {
            ffi::VEX_CHAN_PENDING => ChanWait::Pending,
            ffi::VEX_CHAN_OK => ChanWait::Ready(Ok(())),
            ffi::VEX_CHAN_CLOSED => ChanWait::Ready(Err(Closed)),
            ffi::VEX_CHAN_CANCELLED => ChanWait::Cancelled,
            other => panic!("vex_chan_send returned {other}"),
        }
    }
}

impl<T: ChanValue> std::fmt::Debug for SendOp<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendOp").field("pending", &self.is_pending()).finish()
    }
}

/// A receive on a [`Channel`] inside a Rust task: the receiving twin of [`SendOp`]
/// ([`RecvOp::recv`] to start, [`RecvOp::poll`] first thing after every resume while
/// pending). A loop that receives until the channel ends can be written as
/// `let w = if rx.is_pending() { rx.poll(cx) } else { rx.recv(cx) };` at the top of
/// `resume`. Create it with [`Channel::recv_op`].
pub struct RecvOp<T: ChanValue> {
    op: Op<T>,
}

impl<T: ChanValue> RecvOp<T> {
    /// Starts a receive: `Ready(Some(v))`, `Ready(None)` when the channel is closed and
    /// drained, or [`ChanWait::Pending`]. Panics if a receive is still pending or the
    /// task belongs to another runtime than the channel.
    pub fn recv(&mut self, cx: &mut Context<'_>) -> ChanWait<Option<T>> {
        let r = self.op.start(cx);
        self.map(r)
    }

    /// Continues a pending receive: `Ready(Some(v))` (a sender handed a value over, even
    /// if the task was cancelled meanwhile: no value is lost), `Ready(None)` (closed
    /// while waiting), [`ChanWait::Cancelled`] (withdrawn) or [`ChanWait::Pending`]
    /// again. Panics if no receive is pending or when polled by another task.
    pub fn poll(&mut self, cx: &mut Context<'_>) -> ChanWait<Option<T>> {
        let r = self.op.resume(cx);
        self.map(r)
    }

    /// Whether a receive is pending.
    pub fn is_pending(&self) -> bool {
        self.op.bound.is_some()
    }

    fn map(&self, r: i32) -> ChanWait<Option<T>> {
        match r {
            ffi::VEX_CHAN_PENDING => ChanWait::Pending,
            // SAFETY: the receive returned OK: the slot holds the value.
            ffi::VEX_CHAN_OK => ChanWait::Ready(Some(unsafe { self.op.take_value() })),
            ffi::VEX_CHAN_CLOSED => ChanWait::Ready(None),
            ffi::VEX_CHAN_CANCELLED => ChanWait::Cancelled,
            other => panic!("vex_chan_recv returned {other}"),
        }
    }
}

impl<T: ChanValue> std::fmt::Debug for RecvOp<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecvOp").field("pending", &self.is_pending()).finish()
    }
}

// ---- Host blocking ---------------------------------------------------------------------

/// How a helper task ended.
enum HelperEnd<T> {
    /// Sent (`T = ()`) or received a value.
    Value(T),
    /// The channel was closed.
    Closed,
    /// Cancelled by the host after its time limit, nothing happened.
    Cancelled,
}

/// The state a host thread and its helper task share.
enum Stage<V, R> {
    /// Spawned, not started: holds the operation (and a send's value). While the helper
    /// is idle the host may still complete the operation itself (see [`host_wait`]).
    Idle(V),
    /// The helper took the operation and started it.
    Started,
    /// The helper finished.
    Done(R),
    /// The host completed, gave up or took the result; an idle helper that runs later
    /// finishes at once (as cancelled) without touching the channel.
    Abandoned,
}

/// A [`Stage`] behind a mutex, with the condition variable the host sleeps on.
struct Handoff<V, R> {
    stage: Mutex<Stage<V, R>>,
    cv: Condvar,
}

impl<V, R> Handoff<V, R> {
    fn new(input: V) -> Arc<Handoff<V, R>> {
        Arc::new(Handoff { stage: Mutex::new(Stage::Idle(input)), cv: Condvar::new() })
    }

    fn lock(&self) -> MutexGuard<'_, Stage<V, R>> {
        self.stage.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The helper's first step: the operation, unless the host abandoned it.
    fn start(&self) -> Option<V> {
        let mut g = self.lock();
        match std::mem::replace(&mut *g, Stage::Started) {
            Stage::Idle(v) => Some(v),
            other => {
                *g = other;
                None
            }
        }
    }

    /// The helper's last step.
    fn finish(&self, r: R) {
        *self.lock() = Stage::Done(r);
        self.cv.notify_all();
    }
}

/// What a send's helper takes from the handoff: the operation and the value to send
/// (`Some` while idle; the host's retries take it out and put it back).
type SendInput<T> = (SendOp<T>, Option<T>);

/// The helper task of a blocking host send.
struct HostSend<T: ChanValue> {
    /// Taken from the handoff at the first resume.
    op: Option<SendOp<T>>,
    shared: Arc<Handoff<SendInput<T>, HelperEnd<()>>>,
}

impl<T: ChanValue> StateMachine for HostSend<T> {
    type Output = ();
    fn resume(&mut self, cx: &mut Context<'_>) -> Step<()> {
        let w = match &mut self.op {
            Some(op) => op.poll(cx),
            None => {
                let Some((op, value)) = self.shared.start() else { return Step::Cancelled };
                let op = self.op.insert(op);
                op.send(cx, value.expect("the value stays while idle"))
            }
        };
        match w {
            ChanWait::Pending => Step::Suspend,
            ChanWait::Ready(r) => {
                self.shared.finish(if r.is_ok() {
                    HelperEnd::Value(())
                } else {
                    HelperEnd::Closed
                });
                Step::Done(())
            }
            ChanWait::Cancelled => {
                self.shared.finish(HelperEnd::Cancelled);
                Step::Cancelled
            }
        }
    }
}

/// The helper task of a blocking host receive.
struct HostRecv<T: ChanValue> {
    /// Taken from the handoff at the first resume.
    op: Option<RecvOp<T>>,
    shared: Arc<Handoff<RecvOp<T>, HelperEnd<T>>>,
}

impl<T: ChanValue> StateMachine for HostRecv<T> {
    type Output = ();
    fn resume(&mut self, cx: &mut Context<'_>) -> Step<()> {
        let w = match &mut self.op {
            Some(op) => op.poll(cx),
            None => {
                let Some(op) = self.shared.start() else { return Step::Cancelled };
                self.op.insert(op).recv(cx)
            }
        };
        match w {
            ChanWait::Pending => Step::Suspend,
            ChanWait::Ready(v) => {
                self.shared.finish(v.map_or(HelperEnd::Closed, HelperEnd::Value));
                Step::Done(())
            }
            ChanWait::Cancelled => {
                self.shared.finish(HelperEnd::Cancelled);
                Step::Cancelled
            }
        }
    }
}

/// The host side of a blocking operation: sleeps on the handoff's condition variable
/// until the helper reports, or the runtime stops for a panic, or the deadline passes.
/// At the deadline it abandons the operation if the helper has not started it (nothing
/// happened), else cancels the helper and keeps waiting for its final answer, which
/// comes promptly (a started helper is a live task, so the runtime is running; its
/// cancelled wait is withdrawn at its next resume, or it reports what it got first).
///
/// While the helper is idle, `retry` attempts the operation without waiting (under the
/// handoff's lock, so the helper cannot start meanwhile); when that settles it, the
/// helper is abandoned. This covers a run that ended between the host's first attempt
/// and the spawn of the helper (e.g. the last producer closed the channel and finished):
/// nobody would ever run the helper, but the channel's state is then final.
fn host_wait<V, T>(
    rt: &Runtime,
    helper: &TaskHandle<()>,
    shared: &Handoff<V, HelperEnd<T>>,
    deadline: Option<Instant>,
    mut retry: impl FnMut(&mut V) -> Option<Result<T, BlockingError>>,
) -> Result<T, BlockingError> {
    const SLICE: Duration = Duration::from_millis(10);
    let mut g = shared.lock();
    let mut cancelled = false;
    // Idle retries start 1 ms after the spawn and back off to SLICE.
    let mut idle_nap = Duration::from_millis(1);
    let mut first = true;
    loop {
        if matches!(*g, Stage::Done(_)) {
            let Stage::Done(end) = std::mem::replace(&mut *g, Stage::Abandoned) else {
                unreachable!()
            };
            return match end {
                HelperEnd::Value(v) => Ok(v),
                HelperEnd::Closed => Err(BlockingError::Closed),
                HelperEnd::Cancelled => Err(BlockingError::Timeout),
            };
        }
        let idle = matches!(*g, Stage::Idle(_));
        if idle && !first {
            let Stage::Idle(input) = &mut *g else { unreachable!() };
            if let Some(r) = retry(input) {
                let input = std::mem::replace(&mut *g, Stage::Abandoned);
                drop(g);
                drop(input);
                return r;
            }
        }
        first = false;
        if rt.is_panicked() {
            // Abandoned helpers never run again: drop an operation they did not start.
            let input = idle.then(|| std::mem::replace(&mut *g, Stage::Abandoned));
            drop(g);
            drop(input);
            return Err(BlockingError::Panicked(rt.panic_message().unwrap_or_default()));
        }
        let mut slice = if idle { idle_nap } else { SLICE };
        if idle {
            idle_nap = (idle_nap * 2).min(SLICE);
        }
        if let Some(d) = deadline
            && !cancelled
        {
            let now = Instant::now();
            if now >= d {
                if idle {
                    let input = std::mem::replace(&mut *g, Stage::Abandoned);
                    drop(g);
                    drop(input);
                    return Err(BlockingError::Timeout);
                }
                helper.cancel();
                cancelled = true;
            } else {
                slice = slice.min(d - now);
            }
        }
        g = shared.cv.wait_timeout(g, slice).unwrap_or_else(PoisonError::into_inner).0;
    }
}
