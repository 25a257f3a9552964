//! Interrupts: a flag a host raises from any thread to stop a run, with hooks through
//! which each engine makes the stop happen (the JIT raises its runtime's guards, the
//! executable engine kills its child, the evaluator polls the flag), and deadlines,
//! which one shared watchdog thread turns into interrupts.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::time::Instant;

/// Why a run was interrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Interruption {
    /// A host asked for it (an interrupt handle).
    Requested,
    /// The run's deadline passed.
    Deadline,
    /// The evaluator used up its fuel.
    Fuel,
}

impl Interruption {
    fn code(self) -> u8 {
        match self {
            Interruption::Requested => 1,
            Interruption::Deadline => 2,
            Interruption::Fuel => 3,
        }
    }

    fn from_code(code: u8) -> Option<Interruption> {
        match code {
            1 => Some(Interruption::Requested),
            2 => Some(Interruption::Deadline),
            3 => Some(Interruption::Fuel),
            _ => None,
        }
    }
}

type Hook = Box<dyn Fn() + Send + Sync>;

struct Shared {
    /// 0 until triggered, then the first [`Interruption`]'s code.
    reason: AtomicU8,
    hooks: Mutex<Vec<(u64, Hook)>>,
    next_hook: AtomicU64,
}

/// An interrupt flag shared between the threads that may raise it and the run it stops.
/// Cheap to clone (clones share the flag). Once raised it stays raised.
#[derive(Clone)]
pub struct Interrupt {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Interrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interrupt").field("reason", &self.reason()).finish()
    }
}

impl Default for Interrupt {
    fn default() -> Interrupt {
        Interrupt::new()
    }
}

impl Interrupt {
    /// A flag not raised yet.
    pub fn new() -> Interrupt {
        Interrupt {
            shared: Arc::new(Shared {
                reason: AtomicU8::new(0),
                hooks: Mutex::new(Vec::new()),
                next_hook: AtomicU64::new(0),
            }),
        }
    }

    /// Raises the flag for `why` (the first reason is kept) and runs every hook.
    pub fn trigger(&self, why: Interruption) {
        let _ =
            self.shared.reason.compare_exchange(0, why.code(), Ordering::SeqCst, Ordering::SeqCst);
        // Hooks run under the lock: a hook's guard, once dropped, is never called again.
        let hooks = self.shared.hooks.lock().unwrap_or_else(|e| e.into_inner());
        for (_, hook) in hooks.iter() {
            hook();
        }
    }

    /// Whether the flag is raised.
    pub fn is_triggered(&self) -> bool {
        self.shared.reason.load(Ordering::Relaxed) != 0
    }

    /// Why the flag was raised, if it was.
    pub fn reason(&self) -> Option<Interruption> {
        Interruption::from_code(self.shared.reason.load(Ordering::SeqCst))
    }

    /// Calls `hook` when the flag is raised (at once if it already is) until the
    /// returned guard is dropped. Hooks run on the raising thread and must be quick.
    pub fn on_trigger(&self, hook: impl Fn() + Send + Sync + 'static) -> HookGuard {
        let id = self.shared.next_hook.fetch_add(1, Ordering::Relaxed);
        let mut hooks = self.shared.hooks.lock().unwrap_or_else(|e| e.into_inner());
        if self.is_triggered() {
            hook();
        }
        hooks.push((id, Box::new(hook)));
        HookGuard { shared: Arc::downgrade(&self.shared), id }
    }

    /// Raises the flag with [`Interruption::Deadline`] at `deadline`, unless the returned
    /// guard is dropped first. One watchdog thread serves every deadline of the process.
    pub fn trigger_at(&self, deadline: Instant) -> DeadlineGuard {
        let watchdog = watchdog();
        let id = watchdog.next.fetch_add(1, Ordering::Relaxed);
        let mut pending = watchdog.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.insert((deadline, id), Arc::downgrade(&self.shared));
        watchdog.changed.notify_one();
        DeadlineGuard { key: (deadline, id) }
    }

    /// Whether `self` and `other` are clones of one flag.
    pub fn same_as(&self, other: &Interrupt) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

/// Unregisters a hook of [`Interrupt::on_trigger`] when dropped; after the drop returns,
/// the hook is not running and never runs again.
#[must_use = "the hook is removed when the guard is dropped"]
pub struct HookGuard {
    shared: Weak<Shared>,
    id: u64,
}

impl Drop for HookGuard {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.upgrade() {
            let mut hooks = shared.hooks.lock().unwrap_or_else(|e| e.into_inner());
            hooks.retain(|(id, _)| *id != self.id);
        }
    }
}

/// Cancels a deadline of [`Interrupt::trigger_at`] when dropped.
#[must_use = "the deadline is cancelled when the guard is dropped"]
pub struct DeadlineGuard {
    key: (Instant, u64),
}

impl Drop for DeadlineGuard {
    fn drop(&mut self) {
        let watchdog = watchdog();
        watchdog.pending.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.key);
    }
}

struct Watchdog {
    pending: Mutex<BTreeMap<(Instant, u64), Weak<Shared>>>,
    changed: Condvar,
    next: AtomicU64,
}

fn watchdog() -> &'static Watchdog {
    static WATCHDOG: OnceLock<&'static Watchdog> = OnceLock::new();
    WATCHDOG.get_or_init(|| {
        let watchdog: &'static Watchdog = Box::leak(Box::new(Watchdog {
            pending: Mutex::new(BTreeMap::new()),
            changed: Condvar::new(),
            next: AtomicU64::new(0),
        }));
        std::thread::Builder::new()
            .name("vex-deadlines".to_string())
            .spawn(move || watch(watchdog))
            .expect("cannot start the deadline thread");
        watchdog
    })
}

/// The watchdog thread: sleeps until the earliest deadline (or a change), then raises
/// every flag whose deadline has passed.
fn watch(watchdog: &'static Watchdog) {
    let mut pending = watchdog.pending.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let now = Instant::now();
        let due: Vec<(Instant, u64)> = pending.range(..=(now, u64::MAX)).map(|(k, _)| *k).collect();
        let fired: Vec<Arc<Shared>> =
            due.iter().filter_map(|k| pending.remove(k).and_then(|w| w.upgrade())).collect();
        if !fired.is_empty() {
            drop(pending);
            for shared in fired {
                Interrupt { shared }.trigger(Interruption::Deadline);
            }
            pending = watchdog.pending.lock().unwrap_or_else(|e| e.into_inner());
            continue;
        }
        pending = match pending.keys().next() {
            Some(&(at, _)) => {
                let wait = at.saturating_duration_since(now);
                watchdog.changed.wait_timeout(pending, wait).unwrap_or_else(|e| e.into_inner()).0
            }
            None => watchdog.changed.wait(pending).unwrap_or_else(|e| e.into_inner()),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    #[test]
    fn hooks_run_on_trigger_and_not_after_their_guard_is_dropped() {
        let interrupt = Interrupt::new();
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let guard = interrupt.on_trigger(move || {
            counted.fetch_add(1, Ordering::SeqCst);
        });
        interrupt.trigger(Interruption::Requested);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        drop(guard);
        interrupt.trigger(Interruption::Deadline);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // The first reason is kept.
        assert_eq!(interrupt.reason(), Some(Interruption::Requested));
        // A hook added after the trigger runs at once.
        let late = calls.clone();
        let _guard = interrupt.on_trigger(move || {
            late.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn deadlines_fire_once_due_and_not_when_cancelled() {
        let fires = Interrupt::new();
        let cancelled = Interrupt::new();
        let _due = fires.trigger_at(Instant::now() + Duration::from_millis(20));
        drop(cancelled.trigger_at(Instant::now() + Duration::from_millis(10)));
        let start = Instant::now();
        while !fires.is_triggered() && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(fires.reason(), Some(Interruption::Deadline));
        assert!(start.elapsed() >= Duration::from_millis(10));
        std::thread::sleep(Duration::from_millis(20));
        assert!(!cancelled.is_triggered());
    }
}
