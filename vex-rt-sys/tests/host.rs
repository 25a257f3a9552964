//! Tests of the safe host API: spawning Rust state machines, joining values, yields and
//! timers in deterministic mode, cancellation through handles and tokens (also from
//! another thread), output capture, a panic returned as an error, counters.

use std::time::{Duration, Instant};
use vex_rt_sys::ffi;
use vex_rt_sys::{
    Context, JoinError, RuntimeBuilder, RuntimeError, StateMachine, Step, TaskStatus,
};

/// Sleeps `ms`, prints `msg`, returns `ms`.
struct SleepAndPrint {
    tag: u32,
    ms: u64,
    msg: String,
}

impl StateMachine for SleepAndPrint {
    type Output = u64;
    fn resume(&mut self, cx: &mut Context<'_>) -> Step<u64> {
        match self.tag {
            0 => {
                self.tag = 1;
                cx.sleep(self.ms);
                Step::Suspend
            }
            _ => {
                if cx.is_cancelled() {
                    return Step::Cancelled;
                }
                cx.print(1, &format!("{} at {}\n", self.msg, cx.now_ms()));
                Step::Done(self.ms)
            }
        }
    }
}

fn sp(ms: u64, msg: &str) -> SleepAndPrint {
    SleepAndPrint { tag: 0, ms, msg: msg.to_string() }
}

#[test]
fn deterministic_timers_and_output_capture() {
    let rt = RuntimeBuilder::new().virtual_clock(true).capture_output(true).build().unwrap();
    let a = rt.spawn(sp(30, "c"));
    let b = rt.spawn(sp(10, "a"));
    let c = rt.spawn(sp(10, "b"));
    assert_eq!(a.status(), TaskStatus::Pending);
    assert_eq!(a.join(), Ok(30));
    assert_eq!(b.status(), TaskStatus::Finished);
    assert_eq!(b.join(), Ok(10));
    assert_eq!(c.join(), Ok(10));
    assert_eq!(rt.take_output().stdout_text(), "a at 10\nb at 10\nc at 30\n");
    let n = rt.counters();
    assert_eq!((n.spawned, n.finished, n.alive), (3, 3, 0));
}

/// Yields `n` times, recording its id into a shared log.
struct Yielder {
    id: u32,
    left: u32,
    log: std::sync::Arc<std::sync::Mutex<Vec<u32>>>,
}

impl StateMachine for Yielder {
    type Output = ();
    fn resume(&mut self, cx: &mut Context<'_>) -> Step<()> {
        if self.left == 0 {
            return Step::Done(());
        }
        self.log.lock().unwrap().push(self.id);
        self.left -= 1;
        cx.yield_now();
        Step::Suspend
    }
}

#[test]
fn deterministic_yields_are_fifo() {
    let rt = RuntimeBuilder::new().virtual_clock(true).build().unwrap();
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    for id in 0..3 {
        drop(rt.spawn(Yielder { id, left: 2, log: log.clone() }));
    }
    rt.run().unwrap();
    assert_eq!(*log.lock().unwrap(), vec![0, 1, 2, 0, 1, 2]);
}

#[test]
fn many_tasks_on_several_workers() {
    let rt = RuntimeBuilder::new().workers(2).build().unwrap();
    let handles: Vec<_> = (0..2000u64).map(|i| rt.spawn(sp(i % 7, ""))).collect();
    rt.run().unwrap();
    let sum: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(sum, (0..2000u64).map(|i| i % 7).sum());
}

#[test]
fn cancel_through_handle_and_token() {
    let rt = RuntimeBuilder::new().workers(2).capture_output(true).build().unwrap();
    let long = rt.spawn(sp(60_000, "never"));
    let other = rt.spawn(sp(60_000, "never"));
    let token = other.cancel_token();
    assert!(!token.is_cancelled());
    long.cancel();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        token.cancel();
        assert!(token.is_cancelled());
    });
    let start = Instant::now();
    assert_eq!(long.join(), Err(JoinError::Cancelled));
    t.join().unwrap();
    assert_eq!(other.join(), Err(JoinError::Cancelled));
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(rt.counters().cancelled, 2);
    assert_eq!(rt.take_output().stdout_text(), "");
}

#[test]
fn cancelling_a_finished_task_is_a_noop() {
    let rt = RuntimeBuilder::new().workers(1).capture_output(true).build().unwrap();
    let h = rt.spawn(sp(1, "x"));
    rt.run().unwrap();
    h.cancel();
    assert_eq!(h.status(), TaskStatus::Finished);
    assert_eq!(h.join(), Ok(1));
}

/// Panics on its second resume.
struct Panicker(u32);
impl StateMachine for Panicker {
    type Output = i32;
    fn resume(&mut self, cx: &mut Context<'_>) -> Step<i32> {
        self.0 += 1;
        if self.0 == 1 {
            cx.sleep(5);
            return Step::Suspend;
        }
        panic!("boom in a task");
    }
}

#[test]
fn a_panic_is_returned_as_an_error() {
    let rt = RuntimeBuilder::new().workers(2).capture_output(true).build().unwrap();
    let bystander = rt.spawn(sp(60_000, "never"));
    let h = rt.spawn(Panicker(0));
    let err = rt.run().unwrap_err();
    assert_eq!(err, RuntimeError::Panicked("panic at <rust>:0:0: boom in a task".to_string()));
    assert_eq!(h.status(), TaskStatus::Panicked);
    assert!(matches!(h.join(), Err(JoinError::Panicked(m)) if m.contains("boom in a task")));
    assert_eq!(bystander.status(), TaskStatus::Pending);
    assert!(rt.take_output().stderr_text().contains("panic at <rust>:0:0: boom in a task\n"));
}

#[test]
fn values_that_need_drop_are_moved_out() {
    struct MakeString;
    impl StateMachine for MakeString {
        type Output = String;
        fn resume(&mut self, _cx: &mut Context<'_>) -> Step<String> {
            Step::Done("hello from a task".repeat(3))
        }
    }
    let rt = RuntimeBuilder::new().workers(1).build().unwrap();
    let a = rt.spawn(MakeString);
    let b = rt.spawn(MakeString);
    assert_eq!(a.join().unwrap(), "hello from a task".repeat(3));
    drop(b); // finished: the handle drops the value
}

#[test]
fn a_value_finished_after_its_handle_was_dropped_is_dropped() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    struct Later {
        slept: bool,
        drops: Arc<AtomicUsize>,
    }
    impl StateMachine for Later {
        type Output = Counted;
        fn resume(&mut self, cx: &mut Context<'_>) -> Step<Counted> {
            if !self.slept {
                self.slept = true;
                cx.sleep(5);
                return Step::Suspend;
            }
            Step::Done(Counted(self.drops.clone()))
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let rt = RuntimeBuilder::new().workers(1).virtual_clock(true).build().unwrap();
    let detached = rt.spawn(Later { slept: false, drops: drops.clone() });
    let joined = rt.spawn(Later { slept: false, drops: drops.clone() });
    drop(detached); // still pending: the task is detached
    rt.run().unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1, "the detached task's value is dropped");
    let value = joined.join().unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1, "a joined value belongs to the joiner");
    drop(value);
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}

/// What a host gives to `RuntimeBuilder::args` is what `args()` returns to Vex code
/// (read here through the C function compiled code calls); an argument with a NUL byte
/// is refused before anything runs.
#[test]
fn program_arguments_reach_vex_args() {
    let rt = RuntimeBuilder::new().workers(1).args(["first", "", "third"]).build().unwrap();
    // SAFETY: the runtime is live and current on this thread while vex_args reads it;
    // the vector it returns is released once read.
    unsafe {
        ffi::runtime_set_current(rt.as_raw());
        let v = ffi::vex_args();
        assert_eq!(ffi::vex_vec_len(v), 3);
        ffi::vex_vec_release(v);
        ffi::runtime_set_current(std::ptr::null_mut());
    }
    assert_eq!(rt.exit_code(), None);
    let error = RuntimeBuilder::new().args(["ok", "bad\0arg"]).build().unwrap_err();
    assert_eq!(error, RuntimeError::ArgumentWithNul(1));
}

/// The resume function of a task that calls `exit(3)` at once, as compiled code does
/// (a plain C-ABI frame without destructors, which the runtime unwinds like a panic).
unsafe extern "C" fn exits_with_3(
    _ctx: *mut ffi::WorkerContext,
    _state: *mut std::ffi::c_void,
) -> ffi::CoroStatus {
    // SAFETY: called by the runtime on a worker; vex_exit returns to the worker loop.
    unsafe { ffi::vex_exit(3) }
}

/// A task's `exit(code)` ends the run with `RuntimeError::Exited`, the other tasks
/// abandoned, and the host goes on.
#[test]
fn exit_from_a_task_ends_the_run_with_its_code() {
    let rt = RuntimeBuilder::new().workers(2).capture_output(true).build().unwrap();
    let bystander = rt.spawn(sp(60_000, "never"));
    // SAFETY: a task of 8 bytes of state and no result, spawned into a live runtime.
    let f = unsafe {
        let state = ffi::vex_task_alloc_in(rt.as_raw(), 8, 0, 0, exits_with_3);
        ffi::vex_task_spawn_in(rt.as_raw(), state)
    };
    assert_eq!(rt.run(), Err(RuntimeError::Exited(3)));
    assert_eq!(rt.exit_code(), Some(3));
    assert_eq!(bystander.status(), TaskStatus::Pending);
    assert_eq!(rt.take_output().stdout_text(), "");
    // SAFETY: the handle is ours; the abandoned task is freed with the runtime.
    unsafe { ffi::vex_future_release(f) };
}
