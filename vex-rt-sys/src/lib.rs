//! `vex-rt-sys`: builds the Vex C runtime (`vex-rt`) into a static library, exposes its
//! raw FFI ([`ffi`]) and a safe host API ([`host`]: runtime builder, spawning state
//! machines, task handles, cancel tokens, counters, output capture; [`chan`]: channels).
//! It contains no runtime logic of its own: scheduling, timers, I/O, channels and panics
//! all live in C.
//!
//! # Channels and futures shared with Vex code
//!
//! A [`Channel<T>`] is a Vex channel (`VexChannel *`) of values a host can move by bytes
//! ([`ChanValue`]: integer and float scalars, `bool`, and strings as `String` or
//! `Vec<u8>`). [`Channel::as_raw`] / [`Channel::into_raw`] hand it to compiled Vex code
//! and the unsafe [`Channel::from_raw`] takes one back. It can be used
//!
//! * without waiting from any thread: `try_send`, `try_recv`, `close`, `len`, `cap`,
//!   `is_closed`;
//! * inside a Rust task: [`SendOp`] / [`RecvOp`] keep the operation's wait record in a
//!   heap block of their own (it must not move while queued on the channel) and return
//!   [`ChanWait::Pending`] when the [`StateMachine`] must return [`Step::Suspend`]; on the
//!   next resume the machine calls `poll` before anything else (that is what withdraws a
//!   cancelled wait);
//! * blocking a host thread: `send_blocking` / `send_timeout` / `recv_blocking` /
//!   `recv_timeout`, which run the waiting operation in a small helper task and sleep on
//!   a condition variable until it reports, while another thread runs the runtime
//!   ([`Runtime::run_in_background`]).
//!
//! ```
//! use std::time::Duration;
//! use vex_rt_sys::{ChanWait, Channel, Context, RecvOp, RuntimeBuilder, StateMachine, Step};
//!
//! /// Sums what it receives until the channel is closed.
//! struct Sum { rx: RecvOp<i64>, total: i64 }
//! impl StateMachine for Sum {
//!     type Output = i64;
//!     fn resume(&mut self, cx: &mut Context<'_>) -> Step<i64> {
//!         loop {
//!             // A pending receive is polled first, before any cancellation check.
//!             let w = if self.rx.is_pending() { self.rx.poll(cx) } else { self.rx.recv(cx) };
//!             match w {
//!                 ChanWait::Ready(Some(v)) => self.total += v,
//!                 ChanWait::Ready(None) => return Step::Done(self.total),
//!                 ChanWait::Pending => return Step::Suspend,
//!                 ChanWait::Cancelled => return Step::Cancelled,
//!             }
//!         }
//!     }
//! }
//!
//! let rt = RuntimeBuilder::new().workers(2).build().unwrap();
//! let ch = Channel::<i64>::new(&rt, 0);
//! let sum = rt.spawn(Sum { rx: ch.recv_op(), total: 0 });
//! let runner = rt.run_in_background();
//! for i in 1..=100 {
//!     ch.send_timeout(i, Duration::from_secs(5)).unwrap();
//! }
//! ch.close();
//! assert!(sum.wait_timeout(Duration::from_secs(5)));
//! assert_eq!(sum.join(), Ok(5050));
//! runner.join().unwrap().unwrap();
//! ```
//!
//! A future made by compiled Vex code (the `VexFuture *` an async Vex function returns)
//! is wrapped with the unsafe [`TaskHandle::from_raw`]; the host can then block on it
//! ([`TaskHandle::wait`], [`TaskHandle::wait_timeout`]), cancel it and take a scalar
//! result with [`TaskHandle::join`] (`vex_future_take` with no worker context). Host waits
//! on futures poll the task's state with a short backoff (at most 1 ms of added latency):
//! the runtime has no completion callback and a future's only waiter slot belongs to
//! whoever awaits it.

pub mod chan;
pub mod ffi;
pub mod host;
pub mod program;

pub use chan::{
    BlockingError, ChanValue, ChanWait, Channel, Closed, RecvOp, SendOp, TryRecvError, TrySendError,
};
pub use host::{
    CancelToken, Context, Counters, JoinError, Output, OutputCapture, Runtime, RuntimeBuilder,
    RuntimeError, StateMachine, Step, TaskHandle, TaskStatus,
};
pub use program::{ProgramEnding, ProgramReport};

/// Directory that holds `libvexrt.a` (for linking generated executables).
pub const LIB_DIR: &str = env!("VEX_RT_LIB_DIR");

/// Full path of the static runtime library.
pub fn static_lib_path() -> std::path::PathBuf {
    std::path::Path::new(LIB_DIR).join("libvexrt.a")
}
