//! Task handles as Rust futures on a serving runtime: awaiting one neither runs nor
//! drains the runtime, and a task's panic ends only that task (later spawns work).

use std::time::Duration;
use vex_rt_sys::{Context, JoinError, RuntimeBuilder, StateMachine, Step};

/// Sleeps `ms`, then returns `value` (or panics when `value` is negative).
struct Later {
    slept: bool,
    ms: u64,
    value: i64,
}

impl StateMachine for Later {
    type Output = i64;
    fn resume(&mut self, cx: &mut Context<'_>) -> Step<i64> {
        if !self.slept {
            self.slept = true;
            cx.sleep(self.ms);
            return Step::Suspend;
        }
        assert!(self.value >= 0, "negative value {}", self.value);
        Step::Done(self.value)
    }
}

fn later(ms: u64, value: i64) -> Later {
    Later { slept: false, ms, value }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_awaits_task_handles_of_a_serving_runtime() {
    let rt = RuntimeBuilder::new().workers(2).serving(true).build().unwrap();
    let runner = rt.run_in_background();
    let (a, b) = tokio::join!(rt.spawn(later(5, 1)), rt.spawn(later(1, 2)));
    assert_eq!((a, b), (Ok(1), Ok(2)));
    // A panic ends only its task; the runtime keeps serving.
    let Err(JoinError::Panicked(message)) = rt.spawn(later(1, -1)).await else {
        panic!("the task did not panic")
    };
    assert!(message.contains("negative value -1"), "{message}");
    assert_eq!(rt.spawn(later(1, 3)).await, Ok(3));
    // A handle that is not awaited yet keeps its task running meanwhile.
    let pending = rt.spawn(later(20, 4));
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert_eq!(pending.await, Ok(4));
    rt.shutdown();
    runner.join().unwrap().unwrap();
}
