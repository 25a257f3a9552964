//! Tests of the safe channel wrappers and host waits: Rust producer and consumer tasks
//! exchanging 10k values over capacities 0 and 16, strings (and raw round trips), a host
//! thread sending into and receiving from tasks, close semantics, cancellation of tasks
//! parked in channel waits (every value released exactly once, counted by a tracked
//! element type), host waits on task futures and on raw C-ABI futures, and time limits
//! of host waits. Every wait is bounded by LIMIT so that a bug fails instead of hanging.

use std::ffi::c_void;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use vex_rt_sys::ffi::{self, VexElemType};
use vex_rt_sys::{
    BlockingError, ChanValue, ChanWait, Channel, Closed, Context, JoinError, RecvOp, Runtime,
    RuntimeBuilder, RuntimeError, SendOp, StateMachine, Step, TaskHandle, TaskStatus, TryRecvError,
    TrySendError,
};

/// The time limit of every wait in these tests.
const LIMIT: Duration = Duration::from_secs(10);

/// Waits (bounded) for a thread, e.g. a background run.
fn join_bounded<T>(h: JoinHandle<T>) -> T {
    let start = Instant::now();
    while !h.is_finished() {
        assert!(start.elapsed() < LIMIT, "thread did not finish within {LIMIT:?}");
        std::thread::sleep(Duration::from_millis(1));
    }
    h.join().expect("thread panicked")
}

/// Runs the runtime to completion on another thread, bounded.
fn run_bounded(rt: &Runtime) {
    join_bounded(rt.run_in_background()).expect("run failed");
}

/// Waits (bounded) until `cond` holds.
fn wait_for(what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < LIMIT, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Joins a task after a bounded host wait.
fn join_task<T>(h: TaskHandle<T>) -> Result<T, JoinError> {
    assert!(h.wait_timeout(LIMIT), "task did not finish within {LIMIT:?}");
    h.join()
}

// ---- State machines -------------------------------------------------------------------

/// Sends make(0..n), then closes the channel if asked; returns how many were sent.
struct Producer<T: ChanValue> {
    ch: Channel<T>,
    tx: SendOp<T>,
    i: u64,
    n: u64,
    make: fn(u64) -> T,
    close: bool,
}

fn producer<T: ChanValue>(ch: &Channel<T>, n: u64, make: fn(u64) -> T) -> Producer<T> {
    Producer { ch: ch.clone(), tx: ch.send_op(), i: 0, n, make, close: true }
}

impl<T: ChanValue> StateMachine for Producer<T> {
    type Output = u64;
    fn resume(&mut self, cx: &mut Context<'_>) -> Step<u64> {
        loop {
            let w = if self.tx.is_pending() {
                self.tx.poll(cx)
            } else if self.i == self.n {
                if self.close {
                    self.ch.close();
                }
                return Step::Done(self.i);
            } else {
                self.tx.send(cx, (self.make)(self.i))
            };
            match w {
                ChanWait::Ready(Ok(())) => self.i += 1,
                ChanWait::Ready(Err(Closed)) => return Step::Done(self.i),
                ChanWait::Pending => return Step::Suspend,
                ChanWait::Cancelled => return Step::Cancelled,
            }
        }
    }
}

/// Receives until the channel is closed and drained; returns the values in order.
struct Consumer<T: ChanValue> {
    rx: RecvOp<T>,
    got: Vec<T>,
}

fn consumer<T: ChanValue>(ch: &Channel<T>) -> Consumer<T> {
    Consumer { rx: ch.recv_op(), got: Vec::new() }
}

impl<T: ChanValue> StateMachine for Consumer<T> {
    type Output = Vec<T>;
    fn resume(&mut self, cx: &mut Context<'_>) -> Step<Vec<T>> {
        loop {
            let w = if self.rx.is_pending() { self.rx.poll(cx) } else { self.rx.recv(cx) };
            match w {
                ChanWait::Ready(Some(v)) => self.got.push(v),
                ChanWait::Ready(None) => return Step::Done(std::mem::take(&mut self.got)),
                ChanWait::Pending => return Step::Suspend,
                ChanWait::Cancelled => return Step::Cancelled,
            }
        }
    }
}

/// One send; sets `parked` when it suspends. `lenient` checks cancellation *before*
/// polling and returns Cancelled without polling (the op's Drop must withdraw the wait).
struct OneSend<T: ChanValue> {
    tx: SendOp<T>,
    value: Option<T>,
    parked: Arc<AtomicBool>,
    lenient: bool,
}

impl<T: ChanValue> StateMachine for OneSend<T> {
    type Output = Result<(), Closed>;
    fn resume(&mut self, cx: &mut Context<'_>) -> Step<Result<(), Closed>> {
        if self.lenient && self.tx.is_pending() && cx.is_cancelled() {
            return Step::Cancelled;
        }
        let w = match self.value.take() {
            Some(v) => self.tx.send(cx, v),
            None => self.tx.poll(cx),
        };
        match w {
            ChanWait::Ready(r) => Step::Done(r),
            ChanWait::Pending => {
                self.parked.store(true, Ordering::SeqCst);
                Step::Suspend
            }
            ChanWait::Cancelled => Step::Cancelled,
        }
    }
}

/// One receive; sets `parked` when it suspends; `lenient` as for [`OneSend`].
struct OneRecv<T: ChanValue> {
    rx: RecvOp<T>,
    parked: Arc<AtomicBool>,
    lenient: bool,
}

impl<T: ChanValue> StateMachine for OneRecv<T> {
    type Output = Option<T>;
    fn resume(&mut self, cx: &mut Context<'_>) -> Step<Option<T>> {
        if self.lenient && self.rx.is_pending() && cx.is_cancelled() {
            return Step::Cancelled;
        }
        let w = if self.rx.is_pending() { self.rx.poll(cx) } else { self.rx.recv(cx) };
        match w {
            ChanWait::Ready(v) => Step::Done(v),
            ChanWait::Pending => {
                self.parked.store(true, Ordering::SeqCst);
                Step::Suspend
            }
            ChanWait::Cancelled => Step::Cancelled,
        }
    }
}

fn one_send<T: ChanValue>(ch: &Channel<T>, v: T, lenient: bool) -> (OneSend<T>, Arc<AtomicBool>) {
    let parked = Arc::new(AtomicBool::new(false));
    (OneSend { tx: ch.send_op(), value: Some(v), parked: parked.clone(), lenient }, parked)
}

fn one_recv<T: ChanValue>(ch: &Channel<T>, lenient: bool) -> (OneRecv<T>, Arc<AtomicBool>) {
    let parked = Arc::new(AtomicBool::new(false));
    (OneRecv { rx: ch.recv_op(), parked: parked.clone(), lenient }, parked)
}

// ---- A tracked element type: counts the raw values alive in the runtime ----------------

/// A value whose raw form is a heap box counted in `live`: a leak leaves `live` above 0,
/// a double release drives it below 0 (and double-frees the box).
struct Tracked {
    v: u64,
    live: &'static AtomicIsize,
}

struct Payload {
    v: u64,
    live: &'static AtomicIsize,
}

unsafe extern "C" fn release_payload(elem: *mut c_void) {
    // SAFETY: elem points to a raw Tracked the runtime discards (it owns it); from_raw
    // frees the box and counts the release.
    let _released = unsafe { Tracked::from_raw(*elem.cast::<*mut Payload>()) };
}

// SAFETY: Raw is one pointer (8 bytes) owning one box, which release_payload frees.
unsafe impl ChanValue for Tracked {
    type Raw = *mut Payload;
    fn elem_type() -> &'static VexElemType {
        static ELEM: VexElemType = VexElemType {
            size: 8,
            align: 8,
            retain: None,
            release: Some(release_payload),
            kind: ffi::VEX_ELEM_OTHER,
            reserved: 0,
        };
        &ELEM
    }
    fn to_raw(&self) -> *mut Payload {
        self.live.fetch_add(1, Ordering::SeqCst);
        Box::into_raw(Box::new(Payload { v: self.v, live: self.live }))
    }
    unsafe fn from_raw(raw: *mut Payload) -> Tracked {
        // SAFETY: raw came from to_raw and is owned by the caller.
        let p = unsafe { Box::from_raw(raw) };
        p.live.fetch_sub(1, Ordering::SeqCst);
        Tracked { v: p.v, live: p.live }
    }
}

fn tracked(v: u64, live: &'static AtomicIsize) -> Tracked {
    Tracked { v, live }
}

// ---- Tests ----------------------------------------------------------------------------

#[test]
fn rust_tasks_exchange_10k_values_unbuffered_and_buffered() {
    for cap in [0, 16] {
        let rt = RuntimeBuilder::new().workers(2).build().unwrap();
        let ch = Channel::<i64>::new(&rt, cap);
        let p = rt.spawn(producer(&ch, 10_000, |i| i as i64 * 3 - 7));
        let c = rt.spawn(consumer(&ch));
        run_bounded(&rt);
        assert_eq!(p.join(), Ok(10_000), "cap {cap}");
        let got = c.join().unwrap();
        assert_eq!(got, (0..10_000).map(|i| i * 3 - 7).collect::<Vec<i64>>(), "cap {cap}");
        assert!(ch.is_closed() && ch.is_empty());
        assert_eq!(rt.counters().alive, 0);
    }
}

#[test]
fn strings_and_scalars_round_trip_deterministically() {
    let rt = RuntimeBuilder::new().virtual_clock(true).build().unwrap();
    let strings = Channel::<String>::new(&rt, 4);
    let floats = Channel::<f64>::new(&rt, 0);
    let bools = Channel::<bool>::new(&rt, 1);
    let ps = rt.spawn(producer(&strings, 2_000, |i| {
        format!("message {i} {}", "é".repeat(i as usize % 5))
    }));
    let cs = rt.spawn(consumer(&strings));
    let pf = rt.spawn(producer(&floats, 100, |i| i as f64 / 4.0));
    let cf = rt.spawn(consumer(&floats));
    let pb = rt.spawn(producer(&bools, 10, |i| i % 3 == 0));
    let cb = rt.spawn(consumer(&bools));
    run_bounded(&rt);
    assert_eq!(ps.join(), Ok(2_000));
    let got = cs.join().unwrap();
    assert_eq!(got.len(), 2_000);
    for (i, s) in got.iter().enumerate() {
        assert_eq!(*s, format!("message {i} {}", "é".repeat(i % 5)));
    }
    assert_eq!(pf.join(), Ok(100));
    assert_eq!(cf.join().unwrap(), (0..100).map(|i| i as f64 / 4.0).collect::<Vec<_>>());
    assert_eq!(pb.join(), Ok(10));
    assert_eq!(cb.join().unwrap(), (0..10).map(|i| i % 3 == 0).collect::<Vec<_>>());
}

#[test]
fn raw_round_trip_and_byte_strings() {
    let rt = RuntimeBuilder::new().workers(1).build().unwrap();
    let bytes = Channel::<Vec<u8>>::new(&rt, 3);
    bytes.try_send(vec![0xff, b'a']).unwrap();
    bytes.try_send(b"plain".to_vec()).unwrap();
    bytes.try_send(Vec::new()).unwrap();
    // The same channel seen as strings (both use vex_elem_string): invalid UTF-8 is lossy.
    let raw = bytes.clone().into_raw();
    // SAFETY: a live channel of vex_elem_string; into_raw handed us one reference.
    let text = unsafe { Channel::<String>::from_raw(&rt, raw) };
    assert_eq!(text.as_raw(), bytes.as_raw());
    assert_eq!(text.try_recv(), Ok("\u{fffd}a".to_string()));
    assert_eq!(bytes.try_recv(), Ok(b"plain".to_vec()));
    assert_eq!(text.try_recv(), Ok(String::new()));
    assert_eq!(text.try_recv(), Err(TryRecvError::Empty));
    // A value left in the buffer is released with the last reference.
    text.try_send("left behind".to_string()).unwrap();
    drop(text);
    assert_eq!(bytes.len(), 1);
}

#[test]
fn close_semantics() {
    static LIVE: AtomicIsize = AtomicIsize::new(0);
    let rt = RuntimeBuilder::new().workers(2).build().unwrap();
    // Non-waiting operations.
    let ch = Channel::<Tracked>::new(&rt, 2);
    assert_eq!((ch.cap(), ch.len(), ch.is_closed()), (2, 0, false));
    ch.try_send(tracked(1, &LIVE)).unwrap();
    ch.try_send(tracked(2, &LIVE)).unwrap();
    let full = ch.try_send(tracked(3, &LIVE)).unwrap_err();
    assert!(matches!(full, TrySendError::Full(Tracked { v: 3, .. })));
    assert_eq!((ch.len(), LIVE.load(Ordering::SeqCst)), (2, 2));
    ch.close();
    ch.close(); // idempotent
    assert!(ch.is_closed());
    let closed = ch.try_send(tracked(4, &LIVE)).unwrap_err();
    assert!(matches!(closed, TrySendError::Closed(Tracked { v: 4, .. })));
    // Buffered values survive the close, then the end is reported.
    assert_eq!(ch.try_recv().map(|t| t.v), Ok(1));
    assert_eq!(ch.try_recv().map(|t| t.v), Ok(2));
    assert_eq!(ch.try_recv().map(|t| t.v), Err(TryRecvError::Closed));
    assert_eq!(LIVE.load(Ordering::SeqCst), 0);
    let unbuffered = Channel::<Tracked>::new(&rt, 0);
    assert!(matches!(unbuffered.try_send(tracked(5, &LIVE)), Err(TrySendError::Full(_))));
    assert_eq!(unbuffered.try_recv().map(|t| t.v), Err(TryRecvError::Empty));

    // Closing wakes a parked receiver (end of stream) and a parked sender (its value is
    // released, the buffered one stays receivable).
    let empty = Channel::<Tracked>::new(&rt, 0);
    let full = Channel::<Tracked>::new(&rt, 1);
    full.try_send(tracked(10, &LIVE)).unwrap();
    let (r, r_parked) = one_recv(&empty, false);
    let (s, s_parked) = one_send(&full, tracked(11, &LIVE), false);
    let r = rt.spawn(r);
    let s = rt.spawn(s);
    let runner = rt.run_in_background();
    wait_for("both tasks to park", || {
        r_parked.load(Ordering::SeqCst) && s_parked.load(Ordering::SeqCst)
    });
    assert_eq!(LIVE.load(Ordering::SeqCst), 2);
    empty.close();
    full.close();
    assert!(join_task(r).unwrap().is_none());
    assert_eq!(join_task(s).unwrap(), Err(Closed));
    join_bounded(runner).unwrap();
    assert_eq!(LIVE.load(Ordering::SeqCst), 1, "the parked sender's value was released");
    assert_eq!(full.try_recv().map(|t| t.v), Ok(10));
    assert_eq!(full.try_recv().map(|t| t.v), Err(TryRecvError::Closed));
    assert_eq!(LIVE.load(Ordering::SeqCst), 0);
}

#[test]
fn cancelling_parked_tasks_releases_each_value_once() {
    static LIVE: AtomicIsize = AtomicIsize::new(0);
    let rt = RuntimeBuilder::new().workers(2).build().unwrap();
    let full = Channel::<Tracked>::new(&rt, 1);
    full.try_send(tracked(0, &LIVE)).unwrap();
    let empty = Channel::<Tracked>::new(&rt, 0);
    let strings = Channel::<String>::new(&rt, 0);
    let mut tasks = Vec::new();
    let mut flags = Vec::new();
    // Senders parked on a full channel and receivers parked on an empty one, each once
    // polling correctly and once dropping its pending op at the cancel exit.
    for (i, lenient) in [(1, false), (2, true)] {
        let (s, f) = one_send(&full, tracked(i, &LIVE), lenient);
        tasks.push(rt.spawn(s).cancel_token());
        flags.push(f);
        let (r, f) = one_recv(&empty, lenient);
        tasks.push(rt.spawn(r).cancel_token());
        flags.push(f);
        let (s, f) = one_send(&strings, "a string that must not leak".repeat(4), lenient);
        tasks.push(rt.spawn(s).cancel_token());
        flags.push(f);
    }
    let runner = rt.run_in_background();
    wait_for("every task to park", || flags.iter().all(|f| f.load(Ordering::SeqCst)));
    assert_eq!(LIVE.load(Ordering::SeqCst), 3);
    for t in &tasks {
        t.cancel();
    }
    join_bounded(runner).unwrap();
    assert_eq!(rt.counters().cancelled, 6);
    assert_eq!(LIVE.load(Ordering::SeqCst), 1, "each parked send's value was released once");
    // The cancelled waits were withdrawn: no receiver is queued, the buffered value stays.
    assert!(matches!(empty.try_send(tracked(9, &LIVE)), Err(TrySendError::Full(_))));
    assert!(matches!(strings.try_send("x".into()), Err(TrySendError::Full(_))));
    assert_eq!(full.try_recv().map(|t| t.v), Ok(0));
    assert_eq!(LIVE.load(Ordering::SeqCst), 0);
}

#[test]
fn host_thread_sends_to_a_task() {
    for cap in [0, 16] {
        let rt = RuntimeBuilder::new().workers(2).build().unwrap();
        let ch = Channel::<i64>::new(&rt, cap);
        let c = rt.spawn(consumer(&ch));
        let runner = rt.run_in_background();
        for i in 0..3_000 {
            ch.send_timeout(i, LIMIT).unwrap();
        }
        ch.close();
        assert_eq!(ch.send_timeout(-1, LIMIT), Err(BlockingError::Closed));
        assert_eq!(join_task(c).unwrap(), (0..3_000).collect::<Vec<i64>>(), "cap {cap}");
        join_bounded(runner).unwrap();
    }
}

#[test]
fn task_sends_to_a_host_thread() {
    for cap in [0, 16] {
        let rt = RuntimeBuilder::new().workers(2).build().unwrap();
        let ch = Channel::<String>::new(&rt, cap);
        let p = rt.spawn(producer(&ch, 3_000, |i| i.to_string()));
        let runner = rt.run_in_background();
        let mut got = Vec::new();
        loop {
            match ch.recv_timeout(LIMIT) {
                Ok(s) => got.push(s),
                Err(BlockingError::Closed) => break,
                Err(e) => panic!("cap {cap}: {e}"),
            }
        }
        assert_eq!(got, (0..3_000).map(|i| i.to_string()).collect::<Vec<_>>(), "cap {cap}");
        assert_eq!(join_task(p), Ok(3_000));
        join_bounded(runner).unwrap();
    }
}

/// Sleeps `ms`, then returns `v`.
struct SleepThen {
    slept: bool,
    ms: u64,
    v: i64,
}

impl StateMachine for SleepThen {
    type Output = i64;
    fn resume(&mut self, cx: &mut Context<'_>) -> Step<i64> {
        if !self.slept {
            self.slept = true;
            cx.sleep(self.ms);
            return Step::Suspend;
        }
        if cx.is_cancelled() {
            return Step::Cancelled;
        }
        Step::Done(self.v)
    }
}

/// A resume function written against the C ABI, like compiled code: state
/// `{ u32 tag; i64 result }`; sleeps 20 ms, then returns 7 (or finishes cancelled).
#[repr(C)]
struct RawState {
    tag: u32,
    result: i64,
}

unsafe extern "C" fn raw_resume(
    ctx: *mut ffi::WorkerContext,
    state: *mut c_void,
) -> ffi::CoroStatus {
    // SAFETY: state is a RawState (spawned below); ctx is the live worker.
    unsafe {
        let s = &mut *state.cast::<RawState>();
        if s.tag == 0 {
            s.tag = 1;
            ffi::worker_await_after(ctx, 20);
            return ffi::CoroStatus::YIELDED;
        }
        if ffi::vex_task_cancelled(ctx) {
            return ffi::vex_task_finish_cancelled(ctx);
        }
        s.result = 7;
        ffi::CoroStatus::DONE
    }
}

#[test]
fn host_blocks_on_futures() {
    let rt = RuntimeBuilder::new().workers(2).build().unwrap();
    let rust_task = rt.spawn(SleepThen { slept: false, ms: 20, v: 42 });
    // SAFETY: raw_resume follows the ABI for a RawState whose result is an i64 at
    // `result`; init zero-fills tag.
    let raw_task: TaskHandle<i64> = unsafe {
        rt.spawn_raw(
            raw_resume,
            size_of::<RawState>(),
            std::mem::offset_of!(RawState, result),
            size_of::<i64>(),
            |_| {},
        )
    };
    // Through the raw pointer, as a future handed over by compiled code would be.
    let raw = raw_task.into_raw();
    // SAFETY: a live future of rt that we own, with an i64 result slot.
    let from_c: TaskHandle<i64> = unsafe { TaskHandle::from_raw(&rt, raw) };
    assert_eq!(from_c.as_raw(), raw);
    // A runtime-made future (async_sleep) too: result size 0.
    // SAFETY: the current runtime is set around the call; we own the returned handle.
    let sleep: TaskHandle<()> = unsafe {
        ffi::runtime_set_current(rt.as_raw());
        let f = ffi::vex_sleep_future(30);
        ffi::runtime_set_current(std::ptr::null_mut());
        TaskHandle::from_raw(&rt, f)
    };
    let start = Instant::now();
    let runner = rt.run_in_background();
    assert!(rust_task.wait_timeout(LIMIT));
    assert_eq!(rust_task.status(), TaskStatus::Finished);
    assert_eq!(rust_task.join(), Ok(42));
    from_c.wait();
    assert_eq!(from_c.join(), Ok(7));
    assert!(sleep.wait_timeout(LIMIT));
    assert!(start.elapsed() >= Duration::from_millis(30));
    assert_eq!(sleep.join(), Ok(()));
    join_bounded(runner).unwrap();
}

#[test]
fn host_waits_time_out() {
    static LIVE: AtomicIsize = AtomicIsize::new(0);
    let rt = RuntimeBuilder::new().workers(2).build().unwrap();
    // A task that waits until `gate` closes keeps the runtime running.
    let gate = Channel::<i64>::new(&rt, 0);
    let (waiter, parked) = one_recv(&gate, false);
    let waiter = rt.spawn(waiter);
    let long = rt.spawn(SleepThen { slept: false, ms: 60_000, v: 0 });
    let runner = rt.run_in_background();
    wait_for("the gate task to park", || parked.load(Ordering::SeqCst));

    // A task wait.
    let start = Instant::now();
    assert!(!long.wait_timeout(Duration::from_millis(30)));
    assert!(start.elapsed() >= Duration::from_millis(30));
    long.cancel();
    assert_eq!(join_task(long), Err(JoinError::Cancelled));

    // A receive that times out leaves no receiver behind, so no later value is lost.
    let data = Channel::<i64>::new(&rt, 0);
    let start = Instant::now();
    assert_eq!(data.recv_timeout(Duration::from_millis(30)), Err(BlockingError::Timeout));
    assert!(start.elapsed() >= Duration::from_millis(30));
    assert!(matches!(data.try_send(5), Err(TrySendError::Full(5))));
    assert_eq!(data.recv_timeout(Duration::ZERO), Err(BlockingError::Timeout));

    // A send that times out drops its value exactly once.
    let full = Channel::<Tracked>::new(&rt, 1);
    full.try_send(tracked(1, &LIVE)).unwrap();
    let start = Instant::now();
    let r = full.send_timeout(tracked(2, &LIVE), Duration::from_millis(30));
    assert_eq!(r, Err(BlockingError::Timeout));
    assert!(start.elapsed() >= Duration::from_millis(30));
    assert_eq!(LIVE.load(Ordering::SeqCst), 1);
    assert_eq!(full.try_recv().map(|t| t.v), Ok(1));
    assert_eq!(full.send_timeout(tracked(3, &LIVE), LIMIT), Ok(()));
    assert_eq!(full.recv_timeout(LIMIT).map(|t| t.v), Ok(3));
    assert_eq!(LIVE.load(Ordering::SeqCst), 0);

    gate.close();
    assert_eq!(join_task(waiter), Ok(None));
    join_bounded(runner).unwrap();
    assert_eq!(rt.counters().alive, 0);
}

#[test]
fn a_blocking_call_inside_a_task_is_refused() {
    struct Blocks(Channel<i64>);
    impl StateMachine for Blocks {
        type Output = ();
        fn resume(&mut self, _cx: &mut Context<'_>) -> Step<()> {
            let _ = self.0.recv_timeout(Duration::from_millis(1));
            Step::Done(())
        }
    }
    let rt = RuntimeBuilder::new().workers(1).capture_output(true).build().unwrap();
    let ch = Channel::<i64>::new(&rt, 0);
    let h = rt.spawn(Blocks(ch.clone()));
    let err = join_bounded(rt.run_in_background()).unwrap_err();
    assert!(matches!(err, RuntimeError::Panicked(ref m) if m.contains("inside a task")), "{err}");
    assert!(matches!(h.join(), Err(JoinError::Panicked(_))));
}

#[test]
fn a_host_wait_settles_without_a_running_runtime() {
    // Nobody runs the runtime (as after a run that ended just before the host's helper
    // was spawned): the host completes the operation itself once the channel allows it.
    let rt = RuntimeBuilder::new().workers(1).build().unwrap();
    let ch = Channel::<String>::new(&rt, 1);
    let other = ch.clone();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        other.try_send("late".to_string()).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        other.close();
    });
    assert_eq!(ch.recv_timeout(LIMIT), Ok("late".to_string()));
    assert_eq!(ch.recv_timeout(LIMIT), Err(BlockingError::Closed));
    join_bounded(sender);
    let full = Channel::<i64>::new(&rt, 1);
    full.try_send(1).unwrap();
    let other = full.clone();
    let receiver = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        other.try_recv()
    });
    assert_eq!(full.send_timeout(2, LIMIT), Ok(()));
    assert_eq!(join_bounded(receiver), Ok(1));
    assert_eq!(full.try_recv(), Ok(2));
    assert_eq!(full.recv_timeout(Duration::from_millis(5)), Err(BlockingError::Timeout));
    // The abandoned helpers are still queued; a later run lets them finish untouched.
    assert_eq!(rt.counters().alive, 4);
    run_bounded(&rt);
    let n = rt.counters();
    assert_eq!((n.alive, n.cancelled), (0, 4));
    assert_eq!(full.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn a_detected_deadlock_ends_the_run_with_an_error() {
    // Two consumers on a channel nobody else holds a sender of: with detection on, the
    // run stops instead of waiting forever, reports them, and the tasks stay pending.
    for workers in [1, 2] {
        let rt = RuntimeBuilder::new()
            .workers(workers)
            .detect_deadlock(true)
            .capture_output(true)
            .build()
            .unwrap();
        let ch = Channel::<i64>::new(&rt, 0);
        let a = rt.spawn(consumer(&ch));
        let b = rt.spawn(consumer(&ch));
        let result = join_bounded(rt.run_in_background());
        assert_eq!(result, Err(RuntimeError::Deadlocked(2)));
        assert_eq!(rt.deadlocked(), 2);
        assert_eq!(
            rt.take_output().stderr_text(),
            "deadlock: 2 tasks wait forever and nothing can wake them\n"
        );
        assert_eq!((a.status(), b.status()), (TaskStatus::Pending, TaskStatus::Pending));
    }
    // Without a deadlock, detection changes nothing.
    let rt = RuntimeBuilder::new().workers(2).detect_deadlock(true).build().unwrap();
    let ch = Channel::<i64>::new(&rt, 0);
    let c = rt.spawn(consumer(&ch));
    let p = rt.spawn(producer(&ch, 1000, |i| i as i64));
    join_bounded(rt.run_in_background()).expect("no deadlock");
    assert_eq!(rt.deadlocked(), 0);
    assert_eq!(join_task(p), Ok(1000));
    assert_eq!(join_task(c).unwrap().len(), 1000);
}

/// Set in the child process of `finishing_with_a_queued_wait_aborts`.
const ABORT_CHILD: &str = "VEX_RT_SYS_ABORT_CHILD";

/// The child's misuse: a task ignores `Pending` and finishes while its receive is still
/// queued (and it was not cancelled, so the wait cannot be withdrawn). Continuing would
/// leave the channel pointing at a freed task; the process must abort instead.
#[test]
fn abort_child_finishes_with_a_queued_wait() {
    if std::env::var_os(ABORT_CHILD).is_none() {
        return; // only meaningful in the child process
    }
    struct Broken(RecvOp<i64>);
    impl StateMachine for Broken {
        type Output = ();
        fn resume(&mut self, cx: &mut Context<'_>) -> Step<()> {
            let _ = self.0.recv(cx); // Pending, ignored
            Step::Done(())
        }
    }
    let rt = RuntimeBuilder::new().workers(1).build().unwrap();
    let ch = Channel::<i64>::new(&rt, 0);
    let h = rt.spawn(Broken(ch.recv_op()));
    let _ = join_bounded(rt.run_in_background());
    drop(h);
    unreachable!("the runtime should have aborted the process");
}

#[test]
fn finishing_with_a_queued_wait_aborts() {
    use std::os::unix::process::ExitStatusExt;
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "abort_child_finishes_with_a_queued_wait", "--nocapture"])
        .env(ABORT_CHILD, "1")
        .output()
        .unwrap();
    assert_eq!(out.status.signal(), Some(libc::SIGABRT), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("channel operation(s) still pending"), "{stderr}");
}
