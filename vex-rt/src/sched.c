/*
 * sched.c — the scheduler: runtime lifecycle, workers, task states, spawning, futures,
 * waits (sleep, yield, child, I/O), cancellation, idle search and parking.
 *
 * Task protocol (see the TS_* bits in internal.h). wake(t): idle -> SCHEDULED and
 * enqueue; RUNNING -> also NOTIFIED (the worker re-enqueues it after the resume function
 * returns); SCHEDULED or COMPLETE -> nothing. A resume function only records its wait in
 * the WorkerContext; the worker performs the registration after the function returned,
 * so a task is never resumed twice at once and nobody touches the state after the
 * hand-off. Cancellation sets TS_CANCEL and wakes the task; the worker disarms whatever
 * wait may still be armed (timer, I/O slot, child waiter) before resuming it. Every
 * armed wait (wheel entry, I/O slot, child's waiter field) holds one task reference, so
 * a late timer or event never touches a freed task. Channels (chan.c) park tasks with
 * worker_await_wake (a select with an after arm: a sleep, which a wake also ends) and
 * wake them with rt_task_wake_release, holding a task reference across the hand-off.
 * Combinators (comb.c) await several children at once: they register themselves in each
 * child's waiter field (rt_future_watch, kept across their runs and withdrawn by
 * themselves) and record a plain wake-up wait; a timeout's timer is armed at its spawn
 * as a wake-up that run_task leaves alone (rt_spawn_with_timer). File operations (io.c)
 * suspend on a blocking-pool job (rt_await_blocking: a wait that a cancellation does not
 * end, since the job cannot be interrupted); jobs in flight hold the virtual clock (in
 * deterministic mode their tasks are woken only when the worker is idle, all together
 * in submission order: virtual_jump) and count as wake-up sources for deadlock detection
 * (rt_blocking_begin / _end).
 *
 * Run queues: each worker has a private FIFO ring (no atomics on the hot path: a yield
 * or a local spawn/wake is a plain ring push) and a Chase-Lev deque that is only the
 * stealable part. While another worker is idle (num_idle > 0), a busy worker publishes
 * the older half of its ring into its deque whenever that has run dry, and wakes a
 * parked worker for it; the deque's tasks are older, so the owner takes from it first.
 *
 * Scheduling order on a worker: every 61st tick timers, I/O and the injector come first
 * (fairness); then the LIFO slot (the task just spawned or woken, at most 3 times in a
 * row; spawning into it runs a fan-out depth-first in such stretches, which halves the
 * tasks alive at once in a binary tree; a task woken by its child's completion goes
 * there only behind a long queue, see task_complete); then the published deque (FIFO at
 * the top), then the private ring; then the injector. An idle worker steals half of a
 * victim's deque, takes over other workers' due timers, polls I/O, and after a short
 * spin parks on a futex (or blocks in epoll_wait if it holds the reactor; when tasks
 * wait for I/O and the reactor is free it takes it at once, without spinning). Parked
 * workers are woken one at a time; parker and notifier both do a read-modify-write of
 * num_parked between publishing and checking, so no wake-up is lost. A busy worker
 * notices a newly idle one at its next scheduling decision (a relaxed load of num_idle)
 * and publishes then.
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

_Thread_local WorkerContext *vex_tls_worker;
_Thread_local Runtime *vex_tls_runtime;

#define FAIRNESS_INTERVAL 61
#define MAX_LIFO_STREAK 3
#define SPIN_ROUNDS 24
/* A completed task's waiter queues behind at most this many local tasks. */
#define SHORT_QUEUE 32

#define CNT_INC(c) atomic_store_explicit(&(c), atomic_load_explicit(&(c), memory_order_relaxed) + 1, memory_order_relaxed)
#define CNT_ADD(c, n) atomic_store_explicit(&(c), atomic_load_explicit(&(c), memory_order_relaxed) + (n), memory_order_relaxed)

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static uint64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t rt_now(Runtime *rt) {
    if (rt->virtual_clock) return atomic_load_explicit(&rt->virtual_now, memory_order_acquire);
    return (mono_ns() - rt->clock_origin_ns) / 1000000ull;
}

static inline WorkerContext *local_worker(Runtime *rt) {
    WorkerContext *w = vex_tls_worker;
    return (w && w->rt == rt) ? w : NULL;
}

/* ---- References ---------------------------------------------------------------------- */

static inline void task_ref(VexTask *t) {
    atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
}

/* The last reference is gone: a VALUE result that no handle took is released through
 * the drop-result hook first (language §6.2: a detached task's value is dropped). The
 * acq_rel decrement orders this after every other reference holder's accesses, so the
 * state bits and the result slot are final. */
static void task_free(VexTask *t) {
    Runtime *rt = task_runtime(t);
    WorkerContext *w = local_worker(rt);
    if (t->drop_slot) {
        uint32_t s = atomic_load_explicit(&t->state, memory_order_acquire);
        VexOutcome o = (VexOutcome)((s & TS_OUTCOME_MASK) >> TS_OUTCOME_SHIFT);
        if ((s & TS_COMPLETE) && o == VEX_OUTCOME_VALUE && !(s & TS_TAKEN)) {
            vex_drop_result_func drop;
            memcpy(&drop, (char *)task_state(t) + t->drop_slot, sizeof drop);
            if (drop) drop(w, task_state(t));
        }
    }
    if (VEX_UNLIKELY(atomic_load_explicit(&rt->ntask_panics, memory_order_relaxed) > 0))
        rt_forget_task_panic(rt, t);
    slab_free(rt, w, t, t->size_class);
}

static void task_unref(VexTask *t) {
    if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1) task_free(t);
}

/* ---- Parking and notification ------------------------------------------------------ */

static void futex_wait(_Atomic uint32_t *addr, uint32_t expected, int timeout_ms) {
    struct timespec ts, *tsp = NULL;
    if (timeout_ms >= 0) {
        ts.tv_sec = timeout_ms / 1000;
        ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
        tsp = &ts;
    }
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, expected, tsp, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *addr) {
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void unpark_worker(Runtime *rt, WorkerContext *v) {
    atomic_store_explicit(&v->unpark, 1, memory_order_release);
    if (atomic_load_explicit(&v->parked_in_epoll, memory_order_acquire))
        reactor_wake(&rt->reactor);
    else
        futex_wake(&v->unpark);
}

static void start_worker_thread(WorkerContext *w);

/* Wakes one parked worker, if any. A worker whose thread has not started yet in this
 * run (runtime_run lists workers 1..n as parked, unstarted) is started instead: a run
 * that never has work for a second worker (a short `main`) never creates its thread. */
static void notify_one(Runtime *rt) {
    pthread_mutex_lock(&rt->idle_lock);
    if (rt->nparked_stack == 0) {
        pthread_mutex_unlock(&rt->idle_lock);
        return;
    }
    WorkerContext *v = &rt->workers[rt->parked_stack[--rt->nparked_stack]];
    atomic_fetch_sub_explicit(&rt->num_parked, 1, memory_order_seq_cst);
    bool start = !v->started && !rt->starts_closed;
    bool unstarted = !v->started;
    if (start) v->started = true;
    pthread_mutex_unlock(&rt->idle_lock);
    if (start) {
        /* It counted as idle while unstarted; it counts itself from now on. */
        atomic_fetch_sub_explicit(&rt->num_idle, 1, memory_order_relaxed);
        start_worker_thread(v);
    } else if (!unstarted) {
        unpark_worker(rt, v);
    }
}

/* Wakes every parked worker for the end of the run (done, deadlock, stop); workers not
 * started stay so. */
static void notify_all(Runtime *rt) {
    pthread_mutex_lock(&rt->idle_lock);
    while (rt->nparked_stack > 0) {
        WorkerContext *v = &rt->workers[rt->parked_stack[--rt->nparked_stack]];
        atomic_fetch_sub_explicit(&rt->num_parked, 1, memory_order_seq_cst);
        if (v->started) unpark_worker(rt, v);
    }
    pthread_mutex_unlock(&rt->idle_lock);
    reactor_wake(&rt->reactor);
}

/* Called after new work was published. The read-modify-write on num_parked orders it
 * against a parker's increment: either the parker's later re-check sees our work, or our
 * RMW sees its increment (no lost wake-up; no fence needed, which TSan cannot model). */
static inline bool anyone_parked(Runtime *rt) {
    return atomic_fetch_add_explicit(&rt->num_parked, 0, memory_order_acq_rel) > 0;
}
static inline void notify_if_parked(Runtime *rt) {
    if (anyone_parked(rt)) notify_one(rt);
}

/* ---- Queues ---------------------------------------------------------------------------- */

/* Whether some worker is searching or parked (never with a single worker: deterministic
 * mode keeps everything in the one private FIFO). */
static inline bool others_idle(Runtime *rt) {
    return rt->nworkers > 1 && atomic_load_explicit(&rt->num_idle, memory_order_relaxed) > 0;
}

/* Moves the oldest tasks of the private run queue into the (empty) stealable deque:
 * half of them rounded up with round_up, else rounded down. Returns the count. */
static size_t publish(WorkerContext *w, bool round_up) {
    size_t n = (w->runq.len + (round_up ? 1 : 0)) / 2;
    if (n == 0) return 0;
    if (n > DEQUE_CAP) n = DEQUE_CAP;
    size_t k = 0;
    while (k < n && deque_push(&w->deque, w->runq.buf[w->runq.head])) {
        ring_pop(&w->runq);
        k++;
    }
    if (k) w->published = true;
    return k;
}

/* Another worker is idle: offer it some of our queued work (if the deque has nothing
 * left to steal) and wake a parked worker for it. The read-modify-write in
 * notify_if_parked orders the publication against a parker's re-check. */
static void share_work(WorkerContext *w, bool round_up) {
    if (w->published) {
        /* Whether thieves emptied the deque can only be seen on its top, a cache line
         * they write: look only every 8th time (a thief that finds the deque empty
         * waits at most that many scheduling steps of this worker). */
        if ((++w->share_skips & 7) != 0 || deque_len(&w->deque) > 0) return;
    }
    if (publish(w, round_up)) notify_if_parked(w->rt);
}

static inline void push_local(WorkerContext *w, VexTask *t) { ring_push(&w->runq, t); }

static VexTask *pop_local(WorkerContext *w) {
    if (w->published) {
        for (;;) {
            bool retry = false;
            VexTask *t = deque_steal(&w->deque, &retry);
            if (t) return t;
            if (!retry) break;
        }
        w->published = false; /* empty, and only the owner refills it */
    }
    return ring_pop(&w->runq);
}

/* Enqueues a task that was just made SCHEDULED. */
static void schedule(Runtime *rt, VexTask *t, bool lifo) {
    WorkerContext *w = local_worker(rt);
    if (w) {
        if (lifo && !rt->virtual_clock) {
            VexTask *prev = w->lifo;
            w->lifo = t;
            if (!prev) return;
            t = prev;
        }
        push_local(w, t);
        if (VEX_UNLIKELY(others_idle(rt))) share_work(w, true);
    } else {
        injector_push(&rt->injector, t);
        /* Before runtime_run there is nobody to wake (hosts spawn their first tasks
         * then). The seq_cst load pairs with the seq_cst store in runtime_run: if it
         * reads false, the injector push precedes every worker's parking re-check. */
        if (atomic_load_explicit(&rt->running, memory_order_seq_cst)) notify_if_parked(rt);
    }
}

/* A wake of a task that is already queued (or already notified) changes nothing, but it
 * is still a read-modify-write of the state: the worker's next transition of the task is
 * one too, so it comes after ours in the state's modification order and the task's next
 * run sees everything the waker wrote before waking it, even when the waker published
 * its condition with a release store only (a plain load here would allow the
 * store-buffer reordering in which both sides miss each other's write). */
static void task_wake(Runtime *rt, VexTask *t, bool lifo) {
    uint32_t s = atomic_load_explicit(&t->state, memory_order_acquire);
    for (;;) {
        if (s & TS_COMPLETE) return;
        uint32_t ns = (s & TS_SCHEDULED) ? s
                      : (s & TS_RUNNING) ? (s | TS_NOTIFIED)
                                         : (s | TS_SCHEDULED);
        if (atomic_compare_exchange_weak_explicit(&t->state, &s, ns, memory_order_acq_rel,
                                                  memory_order_acquire)) {
            if (!(s & (TS_RUNNING | TS_SCHEDULED))) schedule(rt, t, lifo);
            return;
        }
    }
}

static VexTask *take_injector(WorkerContext *w) {
    Runtime *rt = w->rt;
    size_t len = atomic_load_explicit(&rt->injector.len, memory_order_acquire);
    if (len == 0) return NULL;
    size_t max = len / (size_t)rt->nworkers + 1;
    if (max > DEQUE_CAP / 2) max = DEQUE_CAP / 2;
    VexTask *batch[DEQUE_CAP / 2];
    size_t n = injector_pop_batch(&rt->injector, batch, max);
    if (n == 0) return NULL;
    if (rt->virtual_clock) {
        /* Deterministic mode stays FIFO: the batch queues behind local work. */
        for (size_t i = 0; i < n; i++) push_local(w, batch[i]);
        return pop_local(w);
    }
    for (size_t i = 1; i < n; i++) push_local(w, batch[i]);
    if (n > 1 && others_idle(rt)) share_work(w, false);
    return batch[0];
}

/* ---- Timers ---------------------------------------------------------------------------- */

static void fire_collect(void *arg, VexTask *t) {
    WorkerContext *w = arg;
    atomic_store_explicit(&t->wheel, -1, memory_order_release);
    if (w->nfired == w->fired_cap) {
        size_t cap = w->fired_cap ? w->fired_cap * 2 : 256;
        VexTask **f = realloc(w->fired, cap * sizeof *f);
        if (!f) abort();
        w->fired = f;
        w->fired_cap = cap;
    }
    w->fired[w->nfired++] = t;
}

static void box_publish(WheelBox *b) {
    atomic_store_explicit(&b->count, b->wheel.count, memory_order_release);
    atomic_store_explicit(&b->next_expiration, wheel_next_expiration(&b->wheel),
                          memory_order_release);
}

/* Fires the due timers of box b (w's own or, with try_only, another worker's). */
static size_t process_timers(WorkerContext *w, WheelBox *b, uint64_t now, bool try_only) {
    if (atomic_load_explicit(&b->count, memory_order_acquire) == 0) return 0;
    if (atomic_load_explicit(&b->next_expiration, memory_order_acquire) > now) return 0;
    if (try_only) {
        if (pthread_mutex_trylock(&b->lock) != 0) return 0;
    } else {
        pthread_mutex_lock(&b->lock);
    }
    w->nfired = 0;
    wheel_advance(&b->wheel, now, fire_collect, w);
    box_publish(b);
    pthread_mutex_unlock(&b->lock);
    size_t n = w->nfired;
    for (size_t i = 0; i < n; i++) {
        VexTask *t = w->fired[i];
        task_wake(w->rt, t, false);
        task_unref(t); /* the wheel's reference */
    }
    w->nfired = 0;
    return n;
}

static uint64_t min_expiration(Runtime *rt) {
    uint64_t m = UINT64_MAX;
    for (int i = 0; i < rt->nworkers; i++) {
        WheelBox *b = &rt->workers[i].timers;
        if (atomic_load_explicit(&b->count, memory_order_acquire) == 0) continue;
        uint64_t e = atomic_load_explicit(&b->next_expiration, memory_order_acquire);
        if (e < m) m = e;
    }
    return m;
}

/* Removes t's timer if it is still in a wheel; drops the wheel's reference. */
static void timer_disarm(Runtime *rt, VexTask *t) {
    int wi = atomic_load_explicit(&t->wheel, memory_order_acquire);
    if (wi < 0) return;
    WheelBox *b = &rt->workers[wi].timers;
    pthread_mutex_lock(&b->lock);
    bool linked = atomic_load_explicit(&t->wheel, memory_order_relaxed) == wi;
    if (linked) {
        wheel_remove(&b->wheel, t);
        atomic_store_explicit(&t->wheel, -1, memory_order_relaxed);
        box_publish(b);
    }
    pthread_mutex_unlock(&b->lock);
    if (linked) task_unref(t);
}

/* Puts t (idle or running, wait_kind set to WAIT_SLEEP by the caller) into the wheel of
 * worker w (NULL: worker 0's, locked like any other) with an absolute deadline; the
 * wheel takes one task reference. */
static void timer_arm(Runtime *rt, WorkerContext *w, VexTask *t, uint64_t deadline) {
    if (!w) w = &rt->workers[0];
    WheelBox *b = &w->timers;
    t->wait_kind = WAIT_SLEEP;
    task_ref(t); /* the wheel's reference */
    pthread_mutex_lock(&b->lock);
    uint64_t prev = atomic_load_explicit(&b->next_expiration, memory_order_relaxed);
    uint64_t when = wheel_insert(&b->wheel, t, deadline);
    atomic_store_explicit(&t->wheel, (int16_t)w->index, memory_order_release);
    atomic_store_explicit(&b->count, b->wheel.count, memory_order_release);
    if (when < prev) atomic_store_explicit(&b->next_expiration, when, memory_order_release);
    pthread_mutex_unlock(&b->lock);
    /* A parked worker sleeping past this deadline could take the timer over if the
     * wheel's owner stays busy: let it recompute its timeout. Only a new earliest timer
     * of this wheel can be earlier than a parked worker's wake-up time. (The owner fires
     * its own timers in any case, so a racy check only costs latency.) */
    if (when < prev && atomic_load_explicit(&rt->num_parked, memory_order_relaxed) > 0) {
        for (int i = 0; i < rt->nworkers; i++) {
            if (atomic_load_explicit(&rt->workers[i].wake_at, memory_order_acquire) > deadline) {
                notify_one(rt);
                break;
            }
        }
    }
}

/* ---- I/O ------------------------------------------------------------------------------- */

static size_t poll_io(WorkerContext *w, int timeout_ms) {
    Runtime *rt = w->rt;
    VexTask *ready[REACTOR_BATCH];
    size_t n = reactor_poll(&rt->reactor, timeout_ms, ready);
    for (size_t i = 0; i < n; i++) {
        task_wake(rt, ready[i], false);
        task_unref(ready[i]);
    }
    return n;
}

/* Non-blocking I/O poll if someone waits and nobody else drives the reactor. */
static void maybe_poll_io(WorkerContext *w) {
    VexReactor *r = &w->rt->reactor;
    if (atomic_load_explicit(&r->waiters, memory_order_acquire) == 0) return;
    if (atomic_exchange_explicit(&r->driver_busy, true, memory_order_acquire)) return;
    poll_io(w, 0);
    atomic_store_explicit(&r->driver_busy, false, memory_order_release);
}

/* ---- Running tasks --------------------------------------------------------------------- */

static CoroStatus yield_resume(WorkerContext *ctx, void *state);

static void task_complete(WorkerContext *w, VexTask *t, VexOutcome outcome) {
    Runtime *rt = w->rt;
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
    uint32_t ns;
    do {
        ns = (s & ~(TS_RUNNING | TS_NOTIFIED | TS_SCHEDULED | TS_OUTCOME_MASK)) | TS_COMPLETE |
             ((uint32_t)outcome << TS_OUTCOME_SHIFT);
    } while (!atomic_compare_exchange_weak_explicit(&t->state, &s, ns, memory_order_acq_rel,
                                                    memory_order_relaxed));
    VexTask *waiter = atomic_exchange_explicit(&t->waiter, TASK_WAITER_DONE, memory_order_acq_rel);
    if (waiter && waiter != TASK_WAITER_DONE) {
        /* Behind a short local queue rather than into the LIFO slot: a task that
         * awaits several children it spawned (spawn, ..., spawn, await, ..., await)
         * then finds the siblings finished when it runs and suspends once instead of
         * once per child. Behind a long queue it would wait long (and keep the
         * finished children's results alive): then the LIFO slot. Never for a yield
         * future: its awaiter resumes after every task that was ready before it. */
        task_wake(rt, waiter, w->runq.len > SHORT_QUEUE && t->resume != yield_resume);
        task_unref(waiter); /* the registration's reference */
    }
    CNT_INC(w->c_finished);
    if (outcome == VEX_OUTCOME_CANCELLED) CNT_INC(w->c_cancelled);
    /* rt->alive is decremented in batches (flush_finished), which keeps the shared
     * counter's cache line off the completion path. */
    w->finished_pending++;
    task_unref(t); /* the task's own reference */
}

/* Subtracts the tasks this worker finished since the last flush from rt->alive; the
 * flush that reaches zero ends the run. Called whenever the worker runs out of work,
 * so the last finished task is always flushed. Spawns increment rt->alive at once or
 * cancel a pending finish (count_spawn), so the counter never falls below the true
 * number of live tasks. */
static void flush_finished(WorkerContext *w) {
    int64_t n = w->finished_pending;
    if (n == 0) return;
    w->finished_pending = 0;
    Runtime *rt = w->rt;
    if (atomic_fetch_sub_explicit(&rt->alive, n, memory_order_acq_rel) == n && !rt->serving) {
        atomic_store_explicit(&rt->done, true, memory_order_release);
        notify_all(rt);
    }
}

static inline bool is_cancelled(VexTask *t) {
    return atomic_load_explicit(&t->state, memory_order_acquire) & TS_CANCEL;
}

/* Disarms a wait that may still be armed (only after a cancellation wake-up). */
static void disarm(Runtime *rt, VexTask *t) {
    switch (t->wait_kind) {
    case WAIT_SLEEP:
        timer_disarm(rt, t);
        break;
    case WAIT_CHILD: {
        VexTask *c = (VexTask *)(uintptr_t)t->wait;
        VexTask *expected = t;
        if (atomic_compare_exchange_strong_explicit(&c->waiter, &expected, NULL,
                                                    memory_order_acq_rel,
                                                    memory_order_acquire))
            task_unref(t);
        break;
    }
    case WAIT_IO:
        if (reactor_cancel(&rt->reactor, t)) task_unref(t);
        break;
    default:
        break;
    }
    t->wait_kind = WAIT_NONE;
}

/* Performs the wait recorded during the resume. Returns true when the task must run
 * again at once (its wait is already satisfied or it was cancelled). */
static bool register_wait(WorkerContext *w, VexTask *t) {
    Runtime *rt = w->rt;
    switch (w->pending_kind) {
    case WAIT_SLEEP: {
        if (is_cancelled(t)) return true;
        timer_arm(rt, w, t, w->pending_arg);
        if (is_cancelled(t)) {
            disarm(rt, t);
            return true;
        }
        return false;
    }
    case WAIT_CHILD: {
        VexTask *c = (VexTask *)(uintptr_t)w->pending_arg;
        t->wait = (uint64_t)(uintptr_t)c;
        t->wait_kind = WAIT_CHILD;
        task_ref(t); /* the child's waiter reference */
        VexTask *expected = NULL;
        if (!atomic_compare_exchange_strong_explicit(&c->waiter, &expected, t,
                                                     memory_order_acq_rel,
                                                     memory_order_acquire)) {
            /* The child finished in between. */
            task_unref(t);
            t->wait_kind = WAIT_NONE;
            return true;
        }
        if (is_cancelled(t)) {
            disarm(rt, t);
            return true;
        }
        return false;
    }
    case WAIT_IO: {
        if (is_cancelled(t)) return true;
        t->wait_kind = WAIT_IO;
        task_ref(t); /* the reactor's reference */
        if (!reactor_register(&rt->reactor, t, w->pending_fd, w->pending_events,
                              w->pending_arg)) {
            task_unref(t);
            t->wait_kind = WAIT_NONE;
            return true;
        }
        if (is_cancelled(t)) {
            disarm(rt, t);
            return true;
        }
        return false;
    }
    case WAIT_YIELD:
    case WAIT_BLOCKING: /* not even a cancellation ends it: the job's completion does */
        t->wait_kind = WAIT_NONE;
        return false;
    default:
        t->wait_kind = WAIT_NONE;
        return is_cancelled(t);
    }
}

static void run_task(WorkerContext *w, VexTask *t) {
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(
        &t->state, &s, (s & ~(TS_SCHEDULED | TS_NOTIFIED)) | TS_RUNNING,
        memory_order_acquire, memory_order_relaxed)) {
    }
    if (t->wait_kind != WAIT_NONE) disarm(w->rt, t);
    w->io_inline = 0;
    for (;;) {
        w->current = t;
        w->pending_kind = WAIT_NONE;
        w->finish_kind = VEX_OUTCOME_VALUE;
        CoroStatus st = t->resume(w, task_state(t));
        w->current = NULL;
        if (st == CORO_STATUS_DONE) {
            task_complete(w, t, (VexOutcome)w->finish_kind);
            return;
        }
        if (register_wait(w, t)) {
            atomic_fetch_and_explicit(&t->state, ~(uint32_t)TS_NOTIFIED, memory_order_acq_rel);
            continue;
        }
        bool yield = w->pending_kind == WAIT_YIELD;
        s = atomic_load_explicit(&t->state, memory_order_relaxed);
        uint32_t ns;
        do {
            if (yield || (s & TS_NOTIFIED))
                ns = (s & ~(TS_RUNNING | TS_NOTIFIED)) | TS_SCHEDULED;
            else
                ns = s & ~TS_RUNNING;
        } while (!atomic_compare_exchange_weak_explicit(&t->state, &s, ns, memory_order_acq_rel,
                                                        memory_order_relaxed));
        if (ns & TS_SCHEDULED) push_local(w, t);
        return;
    }
}

/* ---- Worker loop ------------------------------------------------------------------------ */

static inline bool should_exit(Runtime *rt) {
    return atomic_load_explicit(&rt->done, memory_order_acquire) ||
           atomic_load_explicit(&rt->stop, memory_order_acquire);
}

static VexTask *next_task(WorkerContext *w) {
    Runtime *rt = w->rt;
    w->tick++;
    if (w->tick % FAIRNESS_INTERVAL == 0) {
        if (!rt->virtual_clock && atomic_load_explicit(&w->timers.count, memory_order_relaxed))
            process_timers(w, &w->timers, rt_now(rt), false);
        maybe_poll_io(w);
        VexTask *t = take_injector(w);
        if (t) return t;
    }
    if (w->lifo) {
        VexTask *t = w->lifo;
        w->lifo = NULL;
        if (w->lifo_streak < MAX_LIFO_STREAK) {
            w->lifo_streak++;
            return t;
        }
        push_local(w, t);
    }
    w->lifo_streak = 0;
    if (VEX_UNLIKELY(others_idle(rt))) share_work(w, false);
    VexTask *t = pop_local(w);
    if (t) return t;
    return take_injector(w);
}

static uint64_t rng_next(WorkerContext *w) {
    w->rng ^= w->rng << 13;
    w->rng ^= w->rng >> 7;
    w->rng ^= w->rng << 17;
    return w->rng;
}

uint64_t worker_rand(WorkerContext *w) { return rng_next(w); }

/* Steals half of v's deque: returns one task, the rest go to w's deque. */
static VexTask *steal_half(WorkerContext *w, WorkerContext *v) {
    size_t n = deque_len(&v->deque);
    if (n == 0) return NULL;
    size_t k = n - n / 2;
    VexTask *first = NULL;
    size_t got = 0;
    for (size_t i = 0; i < k; i++) {
        bool retry = false;
        VexTask *t = deque_steal(&v->deque, &retry);
        if (!t) {
            if (retry) continue;
            break;
        }
        got++;
        if (!first) first = t;
        else push_local(w, t);
    }
    if (got) CNT_ADD(w->c_steals, got);
    return first;
}

static bool work_visible(Runtime *rt, WorkerContext *w) {
    if (atomic_load_explicit(&rt->injector.len, memory_order_seq_cst) > 0) return true;
    for (int i = 0; i < rt->nworkers; i++)
        if (deque_len(&rt->workers[i].deque) > 0) return true;
    if (w->runq.len || w->lifo) return true;
    if (rt->virtual_clock) {
        /* Jobs in flight: visible once all have finished (virtual_jump delivers them);
         * else the clock can jump if a timer is armed. */
        int64_t n = atomic_load_explicit(&rt->blocking_inflight, memory_order_seq_cst);
        if (n > 0) return atomic_load_explicit(&rt->pool.ndone, memory_order_seq_cst) == n;
        return min_expiration(rt) != UINT64_MAX;
    }
    uint64_t e = min_expiration(rt);
    return e != UINT64_MAX && e <= rt_now(rt);
}

/* One round of looking for work away from the own queues. */
static VexTask *search(WorkerContext *w) {
    Runtime *rt = w->rt;
    int n = rt->nworkers;
    if (n > 1) {
        int start = (int)(rng_next(w) % (uint64_t)n);
        for (int i = 0; i < n; i++) {
            WorkerContext *v = &rt->workers[(start + i) % n];
            if (v == w) continue;
            VexTask *t = steal_half(w, v);
            if (t) return t;
        }
    }
    VexTask *t = take_injector(w);
    if (t) return t;
    if (min_expiration(rt) != UINT64_MAX) {
        uint64_t now = rt_now(rt);
        process_timers(w, &w->timers, now, false);
        for (int i = 0; i < n; i++)
            if (&rt->workers[i] != w) process_timers(w, &rt->workers[i].timers, now, true);
    }
    maybe_poll_io(w);
    return pop_local(w);
}

/* With detect_deadlock, called by the last worker to park (under idle_lock, so no other
 * worker runs a task or wakes): a deadlock is tasks alive while no queue holds a task,
 * no timer is armed and no I/O wait is registered. Every parked worker flushed its
 * finished tasks and emptied its private queues before parking, and only running workers
 * (or the timers and I/O checked here) can make work, so the answer cannot go stale. */
static bool deadlocked_now(Runtime *rt, WorkerContext *w) {
    if (rt->nparked_stack != rt->nworkers || should_exit(rt)) return false;
    if (atomic_load_explicit(&rt->alive, memory_order_acquire) <= 0) return false;
    if (min_expiration(rt) != UINT64_MAX) return false;
    if (atomic_load_explicit(&rt->reactor.waiters, memory_order_acquire) > 0) return false;
    /* A worker parked in epoll_wait may have just taken the last I/O events (the waiters
     * count is down) and be queueing their tasks on its private run queue, which nobody
     * else sees, while it still counts as parked. Not a deadlock yet: wake it; it leaves
     * epoll, runs what it got or parks again without I/O to wait for, and then the last
     * worker to park looks again. */
    for (int i = 0; i < rt->nworkers; i++) {
        if (&rt->workers[i] != w &&
            atomic_load_explicit(&rt->workers[i].parked_in_epoll, memory_order_acquire)) {
            reactor_wake(&rt->reactor);
            return false;
        }
    }
    /* A blocking job in flight will wake its task (rt_blocking_end re-checks after it). */
    if (atomic_load_explicit(&rt->blocking_inflight, memory_order_seq_cst) > 0) return false;
    return !work_visible(rt, w);
}

/* Prints the deadlock line (the evaluator's wording, LANGUAGE.md §11) and stops the run. */
static void report_deadlock(Runtime *rt) {
    int64_t alive = atomic_load_explicit(&rt->alive, memory_order_acquire);
    uint64_t n = alive > 0 ? (uint64_t)alive : 0;
    char line[128];
    int len = snprintf(line, sizeof line,
                       n == 1 ? "deadlock: %llu task waits forever and nothing can wake it\n"
                              : "deadlock: %llu tasks wait forever and nothing can wake them\n",
                       (unsigned long long)n);
    rt_write(rt, 2, line, (size_t)len);
    atomic_store_explicit(&rt->deadlocked, n, memory_order_release);
    atomic_store(&rt->stop, true);
    notify_all(rt);
}

static void park(WorkerContext *w) {
    Runtime *rt = w->rt;
    uint64_t next = min_expiration(rt);
    uint64_t now = rt_now(rt);
    int timeout_ms = -1;
    if (next != UINT64_MAX) {
        if (next <= now) return; /* timers are due: go fire them */
        uint64_t d = next - now;
        /* Virtual timers never come due in real time: a deterministic runtime parks with
         * timers only while a blocking job holds the clock, and its end wakes us
         * (rt_blocking_notify). */
        if (!rt->virtual_clock) timeout_ms = d > INT_MAX ? INT_MAX : (int)d;
    }
    VexReactor *r = &rt->reactor;
    bool driver = false;
    if (atomic_load_explicit(&r->waiters, memory_order_acquire) > 0)
        driver = !atomic_exchange_explicit(&r->driver_busy, true, memory_order_acquire);
    atomic_store_explicit(&w->unpark, 0, memory_order_relaxed);
    atomic_store_explicit(&w->parked_in_epoll, driver, memory_order_release);
    atomic_store_explicit(&w->wake_at, next, memory_order_release);
    pthread_mutex_lock(&rt->idle_lock);
    rt->parked_stack[rt->nparked_stack++] = w->index;
    atomic_fetch_add_explicit(&rt->num_parked, 1, memory_order_seq_cst);
    bool deadlock = rt->detect_deadlock && deadlocked_now(rt, w);
    pthread_mutex_unlock(&rt->idle_lock);
    if (deadlock) report_deadlock(rt);
    if (!should_exit(rt) && !work_visible(rt, w)) {
        CNT_INC(w->c_parks);
        if (driver) {
            poll_io(w, timeout_ms);
        } else {
            while (atomic_load_explicit(&w->unpark, memory_order_acquire) == 0) {
                futex_wait(&w->unpark, 0, timeout_ms);
                if (timeout_ms >= 0) break; /* timed: re-evaluate timers either way */
            }
        }
    }
    pthread_mutex_lock(&rt->idle_lock);
    for (int i = 0; i < rt->nparked_stack; i++) {
        if (rt->parked_stack[i] == w->index) {
            rt->parked_stack[i] = rt->parked_stack[--rt->nparked_stack];
            atomic_fetch_sub_explicit(&rt->num_parked, 1, memory_order_seq_cst);
            break;
        }
    }
    pthread_mutex_unlock(&rt->idle_lock);
    atomic_store_explicit(&w->wake_at, UINT64_MAX, memory_order_release);
    if (driver) {
        atomic_store_explicit(&w->parked_in_epoll, false, memory_order_release);
        atomic_store_explicit(&r->driver_busy, false, memory_order_release);
    }
}

/* Deterministic mode: nothing is ready (due timers have fired in search). Blocking jobs
 * (file operations) in flight come first, like timers due now: once every one of them
 * has finished, their tasks are queued in submission order (pool_deliver), so a run
 * repeats exactly whatever the jobs' real durations; until then the worker parks (false)
 * and the clock stays. With no job in flight, time jumps to the next timer. */
static bool virtual_jump(WorkerContext *w) {
    Runtime *rt = w->rt;
    maybe_poll_io(w);
    if (w->runq.len) return true;
    int64_t inflight = atomic_load_explicit(&rt->blocking_inflight, memory_order_seq_cst);
    if (inflight > 0) return pool_deliver(rt, inflight);
    if (atomic_load_explicit(&rt->injector.len, memory_order_seq_cst) > 0) return true;
    uint64_t next = min_expiration(rt);
    if (next == UINT64_MAX) return false;
    if (next > atomic_load_explicit(&rt->virtual_now, memory_order_relaxed))
        atomic_store_explicit(&rt->virtual_now, next, memory_order_release);
    process_timers(w, &w->timers, next, false);
    return true;
}

/* Searches, spins a little and finally parks. While here the worker counts in
 * num_idle, which makes busy workers publish part of their private queues. */
static VexTask *worker_idle_search(WorkerContext *w) {
    Runtime *rt = w->rt;
    for (int round = 0; round < SPIN_ROUNDS; round++) {
        if (should_exit(rt)) return NULL;
        VexTask *t = search(w);
        if (t) return t;
        if (rt->virtual_clock) {
            if (virtual_jump(w)) return NULL;
            break;
        }
        /* Tasks wait for I/O and nobody drives the reactor: park now as its driver
         * (blocked in epoll_wait, which the readiness itself ends) instead of spinning.
         * The spin rounds, each with an epoll_wait(0), would take the CPU from whatever
         * is at the other end of the sockets: with a loopback peer on the same cores
         * (the echo benchmark), the peer's turn is what this worker waits for. */
        if (atomic_load_explicit(&rt->reactor.waiters, memory_order_relaxed) > 0 &&
            !atomic_load_explicit(&rt->reactor.driver_busy, memory_order_relaxed))
            break;
        if (round < SPIN_ROUNDS / 2) {
            for (int i = 0; i < 64; i++) cpu_relax();
        } else {
            sched_yield();
        }
    }
    if (!should_exit(rt)) park(w);
    return NULL;
}

static void worker_idle(WorkerContext *w) {
    Runtime *rt = w->rt;
    flush_finished(w);
    if (should_exit(rt)) return;
    atomic_fetch_add_explicit(&rt->num_idle, 1, memory_order_relaxed);
    VexTask *t = worker_idle_search(w);
    atomic_fetch_sub_explicit(&rt->num_idle, 1, memory_order_relaxed);
    if (t) run_task(w, t);
}

static void worker_loop(WorkerContext *w) {
    Runtime *rt = w->rt;
    while (!should_exit(rt)) {
        VexTask *t = next_task(w);
        if (t) run_task(w, t);
        else worker_idle(w);
    }
}

static void worker_main(WorkerContext *w) {
    vex_tls_worker = w;
    vex_tls_runtime = w->rt;
    rt_guard_enter(w);
    if (setjmp(w->panic_jmp) != 0) {
        /* A task panicked (vex_panic recorded it and stopped the runtime). */
        w->current = NULL;
    }
    worker_loop(w);
    flush_finished(w); /* after a stop: keeps the counters exact */
    rt_guard_leave(w);
    vex_tls_worker = NULL;
}

static void *worker_thread(void *arg) {
    worker_main(arg);
    vex_tls_runtime = NULL;
    return NULL;
}

/* Starts the thread of worker `w` (from notify_one). Workers get stacks of a known size
 * (not whatever RLIMIT_STACK says), so how deep Vex code may recurse before its `stack
 * overflow` panic is the same everywhere. Signals are blocked in it: worker threads
 * start from any thread (a task's, the host's), whose mask must not leak into them. */
static void start_worker_thread(WorkerContext *w) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, VEX_WORKER_STACK_SIZE);
    if (pthread_create(&w->thread, &attr, worker_thread, w) != 0) {
        fprintf(stderr, "vex-rt: cannot start worker thread\n");
        abort();
    }
    pthread_attr_destroy(&attr);
}

/* ---- Lifecycle ------------------------------------------------------------------------- */

Runtime *runtime_create(int num_workers) {
    VexRuntimeOptions o = {.workers = num_workers};
    return runtime_create_with(&o);
}

Runtime *runtime_create_with(const VexRuntimeOptions *o) {
    int n = o->workers;
    if (n <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n = cpus > 0 ? (int)cpus : 1;
    }
    if (n > 1024) n = 1024;
    if (o->virtual_clock && !o->serving) n = 1;
    Runtime *rt = aligned_alloc(VEX_CACHELINE, (sizeof(Runtime) + 63) & ~(size_t)63);
    if (!rt) return NULL;
    memset(rt, 0, sizeof *rt);
    static _Atomic uint64_t next_runtime_id;
    rt->id = atomic_fetch_add(&next_runtime_id, 1) + 1;
    rt->nworkers = n;
    rt->serving = o->serving;
    rt->virtual_clock = o->virtual_clock && !o->serving;
    rt->detect_deadlock = o->detect_deadlock && !o->serving;
    size_t wsize = ((size_t)n * sizeof(WorkerContext) + 63) & ~(size_t)63;
    rt->workers = aligned_alloc(VEX_CACHELINE, wsize);
    rt->parked_stack = malloc((size_t)n * sizeof(int));
    if (!rt->workers || !rt->parked_stack || reactor_init(&rt->reactor) != 0) {
        free(rt->workers);
        free(rt->parked_stack);
        free(rt);
        return NULL;
    }
    memset(rt->workers, 0, wsize);
    for (int i = 0; i < n; i++) {
        WorkerContext *w = &rt->workers[i];
        deque_init(&w->deque);
        w->rt = rt;
        w->index = i;
        /* A fixed seed in deterministic mode (select's random choices repeat exactly,
         * language §6.9); else mixed with the clock, so runs differ. */
        w->rng = 0x9E3779B97F4A7C15ull * (uint64_t)(i + 1);
        if (!o->virtual_clock) w->rng ^= mono_ns() * 0xBF58476D1CE4E5B9ull;
        if (w->rng == 0) w->rng = 0x2545F4914F6CDD1Dull;
        atomic_init(&w->unpark, 0);
        atomic_init(&w->parked_in_epoll, false);
        atomic_init(&w->wake_at, UINT64_MAX);
        pthread_mutex_init(&w->timers.lock, NULL);
        wheel_init(&w->timers.wheel, 0);
        atomic_init(&w->timers.count, 0);
        atomic_init(&w->timers.next_expiration, UINT64_MAX);
    }
    injector_init(&rt->injector);
    pthread_mutex_init(&rt->idle_lock, NULL);
    pthread_mutex_init(&rt->alloc_lock, NULL);
    pthread_mutex_init(&rt->out_lock, NULL);
    pthread_mutex_init(&rt->guard_lock, NULL);
    rt->big_list.next = rt->big_list.prev = &rt->big_list;
    rt->clock_origin_ns = mono_ns();
    rt->sink = o->sink;
    rt->sink_user = o->sink_user;
    rt_io_init(rt);
    return rt;
}

int runtime_workers(const Runtime *rt) { return rt->nworkers; }

void runtime_run(Runtime *rt) {
    Runtime *prev = vex_tls_runtime;
    vex_tls_runtime = rt;
    if (atomic_load(&rt->stop) || (atomic_load(&rt->alive) == 0 && !rt->serving)) {
        vex_tls_runtime = prev;
        return;
    }
    atomic_store(&rt->done, false);
    /* Workers 1..n start parked and unstarted: the first wake-up of each creates its
     * thread (notify_one). Until then they count as idle, so busy workers share work. */
    pthread_mutex_lock(&rt->idle_lock);
    rt->starts_closed = false;
    rt->workers[0].started = true; /* the calling thread */
    for (int i = 1; i < rt->nworkers; i++) {
        rt->workers[i].started = false;
        rt->parked_stack[rt->nparked_stack++] = i;
        atomic_fetch_add_explicit(&rt->num_parked, 1, memory_order_seq_cst);
        atomic_fetch_add_explicit(&rt->num_idle, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&rt->idle_lock);
    atomic_store(&rt->running, true);
    /* Work queued before the run (more than one task, or tasks from the host) may want
     * more workers at once. */
    if (atomic_load_explicit(&rt->injector.len, memory_order_seq_cst) > 1) notify_one(rt);
    worker_main(&rt->workers[0]);
    pthread_mutex_lock(&rt->idle_lock);
    rt->starts_closed = true;
    pthread_mutex_unlock(&rt->idle_lock);
    for (int i = 1; i < rt->nworkers; i++) {
        /* `started` only changes under idle_lock before starts_closed was set. */
        pthread_mutex_lock(&rt->idle_lock);
        bool started = rt->workers[i].started;
        pthread_mutex_unlock(&rt->idle_lock);
        if (started) pthread_join(rt->workers[i].thread, NULL);
    }
    /* Workers never started are still listed as parked and idle: the run is over. */
    pthread_mutex_lock(&rt->idle_lock);
    for (int i = 0; i < rt->nparked_stack;) {
        WorkerContext *v = &rt->workers[rt->parked_stack[i]];
        if (!v->started) {
            rt->parked_stack[i] = rt->parked_stack[--rt->nparked_stack];
            atomic_fetch_sub_explicit(&rt->num_parked, 1, memory_order_seq_cst);
            atomic_fetch_sub_explicit(&rt->num_idle, 1, memory_order_relaxed);
        } else {
            i++;
        }
    }
    pthread_mutex_unlock(&rt->idle_lock);
    atomic_store(&rt->running, false);
    vex_tls_runtime = prev;
}

void runtime_shutdown(Runtime *rt) {
    atomic_store(&rt->stop, true);
    rt_raise_guards(rt);
    notify_all(rt);
}

void runtime_destroy(Runtime *rt) {
    if (!rt) return;
    if (vex_tls_runtime == rt) vex_tls_runtime = NULL;
    rt_io_destroy(rt); /* first: joins the pool threads, which may still touch tasks */
    for (int i = 0; i < rt->nworkers; i++) {
        pthread_mutex_destroy(&rt->workers[i].timers.lock);
        free(rt->workers[i].fired);
        ring_free(&rt->workers[i].runq);
    }
    slab_destroy(rt);
    reactor_destroy(&rt->reactor);
    injector_destroy(&rt->injector);
    pthread_mutex_destroy(&rt->idle_lock);
    pthread_mutex_destroy(&rt->alloc_lock);
    pthread_mutex_destroy(&rt->out_lock);
    pthread_mutex_destroy(&rt->guard_lock);
    free(rt->panic_message);
    free(rt->panic_file);
    free(rt->panic_text);
    free(rt->parked_stack);
    free(rt->workers);
    free(rt);
}

Runtime *runtime_current(void) {
    return vex_tls_worker ? vex_tls_worker->rt : vex_tls_runtime;
}

void runtime_set_current(Runtime *rt) { vex_tls_runtime = rt; }

void runtime_counters(const Runtime *rt, VexCounters *out) {
    memset(out, 0, sizeof *out);
    for (int i = 0; i < rt->nworkers; i++) {
        WorkerContext *w = &rt->workers[i];
        out->spawned += atomic_load_explicit(&w->c_spawned, memory_order_relaxed);
        out->finished += atomic_load_explicit(&w->c_finished, memory_order_relaxed);
        out->cancelled += atomic_load_explicit(&w->c_cancelled, memory_order_relaxed);
        out->steals += atomic_load_explicit(&w->c_steals, memory_order_relaxed);
        out->parks += atomic_load_explicit(&w->c_parks, memory_order_relaxed);
    }
    Runtime *m = (Runtime *)rt;
    out->spawned += atomic_load_explicit(&m->c_spawned_ext, memory_order_relaxed);
    int64_t alive = atomic_load_explicit(&m->alive, memory_order_relaxed);
    out->alive = alive > 0 ? (uint64_t)alive : 0;
}

uint64_t runtime_deadlocked(const Runtime *rt) {
    return atomic_load(&((Runtime *)rt)->deadlocked);
}

bool runtime_panicked(const Runtime *rt) {
    return atomic_load(&((Runtime *)rt)->panicked);
}

const char *runtime_panic_message(const Runtime *rt) {
    return runtime_panicked(rt) ? rt->panic_message : NULL;
}

Runtime *worker_runtime(WorkerContext *ctx) { return ctx->rt; }

int64_t now_ms(void) {
    Runtime *rt = runtime_current();
    if (rt) return (int64_t)rt_now(rt);
    static _Atomic uint64_t origin;
    uint64_t o = atomic_load(&origin);
    if (o == 0) {
        uint64_t expected = 0, now = mono_ns();
        atomic_compare_exchange_strong(&origin, &expected, now);
        o = atomic_load(&origin);
    }
    return (int64_t)((mono_ns() - o) / 1000000ull);
}

/* ---- Tasks and futures ------------------------------------------------------------------ */

void *vex_task_alloc_in(Runtime *rt, size_t state_size, size_t result_offset,
                        size_t result_size, coro_resume_func resume) {
    size_t drop_slot = 0, body = state_size;
    if (result_size > 0) {
        /* Room for the drop-result hook after the state (see internal.h). */
        drop_slot = (state_size + 7) & ~(size_t)7;
        body = drop_slot + sizeof(vex_drop_result_func);
    }
    if (body > UINT32_MAX - VEX_TASK_HEADER_SIZE) {
        fprintf(stderr, "vex-rt: task state too large (%zu bytes)\n", state_size);
        abort();
    }
    size_t size = VEX_TASK_HEADER_SIZE + ((body + 15) & ~(size_t)15);
    uint8_t cls;
    VexTask *t = slab_alloc(rt, local_worker(rt), size, &cls);
    if (!t) {
        fprintf(stderr, "vex-rt: out of memory allocating a task\n");
        abort();
    }
    memset(t, 0, size);
    if (drop_slot) t->drop_slot = (uint32_t)drop_slot;
    t->resume = resume;
    atomic_init(&t->refs, 2); /* the handle and the task itself */
    atomic_init(&t->wheel, -1);
    t->size_class = cls;
    t->result_offset = (uint32_t)result_offset;
    t->result_size = (uint32_t)result_size;
    return task_state(t);
}

void *vex_task_alloc(size_t state_size, size_t result_offset, size_t result_size,
                     coro_resume_func resume) {
    Runtime *rt = runtime_current();
    if (!rt) {
        fprintf(stderr, "vex-rt: vex_task_alloc without a current runtime\n");
        abort();
    }
    return vex_task_alloc_in(rt, state_size, result_offset, result_size, resume);
}

/* A spawn on a worker that has finished tasks not yet subtracted from rt->alive
 * (flush_finished) cancels one of them instead of touching the shared counter: the
 * pending count only ever holds finishes, so rt->alive never falls below the true number
 * of live tasks, and a loop that spawns and joins touches rt->alive only when a worker
 * runs dry. */
static void count_spawn(Runtime *rt, WorkerContext *w) {
    if (w) {
        CNT_INC(w->c_spawned);
        if (w->finished_pending > 0) {
            w->finished_pending--;
            return;
        }
        atomic_fetch_add_explicit(&rt->alive, 1, memory_order_relaxed);
    } else {
        atomic_fetch_add_explicit(&rt->alive, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&rt->c_spawned_ext, 1, memory_order_relaxed);
    }
}

/* A new task goes into the LIFO slot (a fan-out then runs depth-first) unless another
 * worker is idle: the LIFO slot cannot be stolen, so the task goes to the queue, whose
 * older half is published for the idle worker at once (a child then runs in parallel
 * with a parent that keeps working before it awaits). A yield future never takes the
 * LIFO slot: it completes after the tasks that were ready before it. */
static VexFuture *spawn_task(Runtime *rt, WorkerContext *w, VexTask *t, bool lifo) {
    count_spawn(rt, w);
    atomic_store_explicit(&t->state, TS_SCHEDULED, memory_order_relaxed);
    schedule(rt, t, lifo && !others_idle(rt));
    return (VexFuture *)t;
}

VexFuture *vex_task_spawn(WorkerContext *ctx, void *state) {
    VexTask *t = task_of_state(state);
    if (ctx) return spawn_task(ctx->rt, ctx, t, true);
    Runtime *rt = task_runtime(t);
    return spawn_task(rt, local_worker(rt), t, true);
}

VexFuture *vex_task_spawn_in(Runtime *rt, void *state) {
    return spawn_task(rt, local_worker(rt), task_of_state(state), true);
}

typedef struct GlobalSpawn {
    coro_resume_func fn;
    void *state;
} GlobalSpawn;

static CoroStatus global_trampoline(WorkerContext *ctx, void *s) {
    GlobalSpawn *g = s;
    return g->fn(ctx, g->state);
}

void runtime_spawn_global(Runtime *rt, coro_resume_func fn, void *state) {
    GlobalSpawn *g = vex_task_alloc_in(rt, sizeof(GlobalSpawn), 0, 0, global_trampoline);
    g->fn = fn;
    g->state = state;
    vex_future_release(vex_task_spawn_in(rt, g));
}

bool vex_future_poll_or_register(WorkerContext *ctx, VexFuture *f) {
    VexTask *c = (VexTask *)f;
    if (atomic_load_explicit(&c->state, memory_order_acquire) & TS_COMPLETE) return true;
    ctx->pending_kind = WAIT_CHILD;
    ctx->pending_arg = (uint64_t)(uintptr_t)c;
    return false;
}

VexOutcome vex_future_outcome(const VexFuture *f) {
    VexTask *t = (VexTask *)f;
    uint32_t s = atomic_load_explicit(&t->state, memory_order_acquire);
    if (!(s & TS_COMPLETE)) return VEX_OUTCOME_PENDING;
    return (VexOutcome)((s & TS_OUTCOME_MASK) >> TS_OUTCOME_SHIFT);
}

VexOutcome vex_future_take(WorkerContext *ctx, VexFuture *f, void *dst) {
    VexTask *t = (VexTask *)f;
    VexOutcome o = vex_future_outcome(f);
    if (o == VEX_OUTCOME_VALUE && dst &&
        atomic_load_explicit(&t->refs, memory_order_acquire) == 1) {
        /* The handle is the last reference (the finished task dropped its own): nobody
         * else can reach the task, so move the value out and free it without the
         * read-modify-writes of TS_TAKEN and the release. */
        if (t->result_size) memcpy(dst, (char *)task_state(t) + t->result_offset, t->result_size);
        Runtime *rt = task_runtime(t);
        slab_free(rt, local_worker(rt), t, t->size_class);
        return o;
    }
    if (o == VEX_OUTCOME_VALUE && dst) {
        if (t->result_size) memcpy(dst, (char *)task_state(t) + t->result_offset, t->result_size);
        /* The value (and its references) moved to dst: no drop-result hook for it. */
        atomic_fetch_or_explicit(&t->state, TS_TAKEN, memory_order_relaxed);
    }
    if (o == VEX_OUTCOME_CANCELLED && ctx && ctx->current)
        atomic_fetch_or_explicit(&ctx->current->state, TS_CANCEL, memory_order_acq_rel);
    if (o != VEX_OUTCOME_PENDING) task_unref(t);
    return o;
}

VexFuture *vex_future_retain(VexFuture *f) {
    task_ref((VexTask *)f);
    return f;
}

void vex_future_release(VexFuture *f) {
    if (f) task_unref((VexTask *)f);
}

static void task_cancel(VexTask *t) {
    uint32_t s = atomic_fetch_or_explicit(&t->state, TS_CANCEL, memory_order_acq_rel);
    if (s & TS_COMPLETE) return;
    task_wake(task_runtime(t), t, false);
}

void vex_future_cancel(VexFuture *f) { task_cancel((VexTask *)f); }

typedef struct NotifyState {
    VexFuture *f;
    void (*fn)(void *user);
    void *user;
} NotifyState;

static CoroStatus notify_resume(WorkerContext *ctx, void *s) {
    NotifyState *n = s;
    if (!vex_future_poll_or_register(ctx, n->f)) return CORO_STATUS_YIELDED;
    n->fn(n->user);
    vex_future_release(n->f);
    return CORO_STATUS_DONE;
}

void vex_future_notify(VexFuture *f, void (*fn)(void *user), void *user) {
    Runtime *rt = task_runtime((VexTask *)f);
    NotifyState *n = vex_task_alloc_in(rt, sizeof(NotifyState), 0, 0, notify_resume);
    n->f = vex_future_retain(f);
    n->fn = fn;
    n->user = user;
    vex_future_release(vex_task_spawn_in(rt, n));
}

bool vex_task_torn_down(WorkerContext *ctx) {
    return atomic_load_explicit(&ctx->rt->tearing_down, memory_order_relaxed);
}

static void cancel_live(VexTask *t, void *arg) {
    (void)arg;
    task_cancel(t);
}

static void discard_output(void *user, int stream, const char *bytes, size_t len) {
    (void)user, (void)stream, (void)bytes, (void)len;
}

void runtime_teardown(Runtime *rt) {
    if (!atomic_load(&rt->stop) || atomic_load(&rt->alive) <= 0) return;
    atomic_store(&rt->tearing_down, true);
    atomic_store(&rt->guards_raised, false);
    /* The teardown ends when its tasks have finished or can make no progress, also for
     * a serving runtime (which otherwise runs until shut down). */
    rt->serving = false;
    rt->detect_deadlock = true;
    runtime_set_sink(rt, discard_output, NULL);
    slab_each_task(rt, cancel_live, NULL);
    atomic_store(&rt->stop, false);
    runtime_run(rt);
}
CancelToken *vex_future_cancel_token(VexFuture *f) { return (CancelToken *)f; }
void cancel_token_cancel(CancelToken *t) { task_cancel((VexTask *)t); }

/* The deadline of a sleep of `millis` ms starting now. The real clock counts whole
 * elapsed milliseconds; the deadline starts from the current millisecond rounded up, so
 * that a sleep never ends early in real time. */
static uint64_t sleep_deadline(Runtime *rt, uint64_t millis) {
    uint64_t now = rt->virtual_clock
                       ? rt_now(rt)
                       : (mono_ns() - rt->clock_origin_ns + 999999ull) / 1000000ull;
    return millis > WHEEL_MAX_DELAY ? now + WHEEL_MAX_DELAY : now + millis;
}

void worker_await_after(WorkerContext *ctx, uint64_t millis) {
    if (millis == 0 && !ctx->rt->virtual_clock) {
        /* Rounding up to the next whole millisecond would make a sleep of 0 wait up to
         * 1 ms: it lets the other ready tasks run, like a yield. */
        ctx->pending_kind = WAIT_YIELD;
        return;
    }
    ctx->pending_kind = WAIT_SLEEP;
    ctx->pending_arg = sleep_deadline(ctx->rt, millis);
}

void worker_await_io(WorkerContext *ctx, int fd, EventType type) {
    ctx->pending_kind = WAIT_IO;
    ctx->pending_fd = fd;
    ctx->pending_events = type;
    ctx->pending_arg = REACTOR_ANY_TICK;
}

void rt_await_io_since(WorkerContext *w, int fd, EventType type, uint32_t tick) {
    w->pending_kind = WAIT_IO;
    w->pending_fd = fd;
    w->pending_events = type;
    w->pending_arg = tick;
}

void worker_yield(WorkerContext *ctx) { ctx->pending_kind = WAIT_YIELD; }

void worker_await_wake(WorkerContext *ctx) { ctx->pending_kind = WAIT_NONE; }

/* A sleep is woken by vex_future_wake too (task_wake does not look at the wait kind),
 * and run_task disarms the timer before the task runs, wherever it runs: so a sleep
 * wait is also "a wake-up or this deadline", which is what a select with an after arm
 * waits for. */
void rt_await_deadline(WorkerContext *w, uint64_t deadline) {
    w->pending_kind = WAIT_SLEEP;
    w->pending_arg = deadline;
}

uint64_t rt_deadline_after(Runtime *rt, uint64_t ms) { return sleep_deadline(rt, ms); }

void rt_task_retain(VexTask *t) { task_ref(t); }

void rt_task_wake_release(VexTask *t) {
    task_wake(task_runtime(t), t, true);
    task_unref(t);
}

void vex_future_wake(VexFuture *f) {
    VexTask *t = (VexTask *)f;
    task_wake(task_runtime(t), t, true);
}

CancelToken *worker_cancel_token(WorkerContext *ctx) { return (CancelToken *)ctx->current; }

bool cancel_requested(const CancelToken *t) {
    return t && (atomic_load_explicit(&((VexTask *)t)->state, memory_order_acquire) & TS_CANCEL);
}

bool vex_task_cancelled(WorkerContext *ctx) {
    return atomic_load_explicit(&ctx->current->state, memory_order_acquire) & TS_CANCEL;
}

CoroStatus vex_task_finish_cancelled(WorkerContext *ctx) {
    ctx->finish_kind = VEX_OUTCOME_CANCELLED;
    return CORO_STATUS_DONE;
}

void rt_complete_current_panicked(WorkerContext *w) {
    VexTask *t = w->current;
    if (!t) return;
    w->current = NULL;
    task_complete(w, t, VEX_OUTCOME_PANICKED);
}

/* Marks the current task as abandoned by a panic (it stays allocated until destroy). */
void rt_abandon_current(WorkerContext *w) {
    VexTask *t = w->current;
    if (!t) return;
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
    uint32_t ns;
    do {
        ns = (s & ~(TS_RUNNING | TS_NOTIFIED | TS_SCHEDULED | TS_OUTCOME_MASK)) | TS_COMPLETE |
             ((uint32_t)VEX_OUTCOME_PANICKED << TS_OUTCOME_SHIFT);
    } while (!atomic_compare_exchange_weak_explicit(&t->state, &s, ns, memory_order_acq_rel,
                                                    memory_order_relaxed));
    w->current = NULL;
}

void rt_stop_for_panic(Runtime *rt) {
    atomic_store(&rt->panicked, true);
    runtime_shutdown(rt);
}

void rt_stop_for_exit(Runtime *rt, int32_t code) {
    bool expected = false;
    if (atomic_compare_exchange_strong(&rt->exited, &expected, true))
        atomic_store(&rt->exit_code, code);
    runtime_shutdown(rt);
}

bool runtime_exited(const Runtime *rt) { return atomic_load(&((Runtime *)rt)->exited); }

int32_t runtime_exit_code(const Runtime *rt) {
    return runtime_exited(rt) ? atomic_load(&((Runtime *)rt)->exit_code) : -1;
}

/* ---- Blocking jobs ------------------------------------------------------------------------ */

void rt_await_blocking(WorkerContext *w) { w->pending_kind = WAIT_BLOCKING; }

void rt_blocking_begin(Runtime *rt) {
    atomic_fetch_add_explicit(&rt->blocking_inflight, 1, memory_order_seq_cst);
}

/* The last job in flight has reported back (its task is queued or running already): a
 * parked deterministic worker may jump the clock now, and the last worker to park must
 * look for a deadlock again. The read-modify-write in notify_if_parked orders this
 * against a parker's re-check (work_visible / deadlocked_now read the count after their
 * own read-modify-write of num_parked). */
void rt_blocking_end(Runtime *rt) {
    if (atomic_fetch_sub_explicit(&rt->blocking_inflight, 1, memory_order_seq_cst) == 1 &&
        (rt->virtual_clock || rt->detect_deadlock))
        notify_if_parked(rt);
}

void rt_blocking_notify(Runtime *rt) { notify_if_parked(rt); }

CoroStatus vex_task_finish_panicked(WorkerContext *ctx, const char *file, uint32_t line,
                                    uint32_t col, const char *msg) {
    if (ctx->rt->serving && ctx->current)
        rt_note_task_panic(ctx->rt, ctx->current, file, line, col, msg);
    else
        rt_record_panic(ctx->rt, file, line, col, msg);
    ctx->finish_kind = VEX_OUTCOME_PANICKED;
    return CORO_STATUS_DONE;
}

/* ---- Runtime-provided tasks and the drop-result hook ------------------------------------ */

/* The state of a vex_sleep_future task: when it completes. */
typedef struct SleepState {
    uint64_t deadline;
} SleepState;

/* Runs when the timer fired or the task was cancelled (or woken by vex_future_wake:
 * then the timer is re-armed until the deadline). */
static CoroStatus sleep_resume(WorkerContext *ctx, void *state) {
    SleepState *s = state;
    if (vex_task_cancelled(ctx)) return vex_task_finish_cancelled(ctx);
    if (rt_now(ctx->rt) < s->deadline) {
        ctx->pending_kind = WAIT_SLEEP;
        ctx->pending_arg = s->deadline;
        return CORO_STATUS_YIELDED;
    }
    return CORO_STATUS_DONE;
}

static Runtime *current_or_abort(const char *what) {
    Runtime *rt = runtime_current();
    if (!rt) {
        fprintf(stderr, "vex-rt: %s without a current runtime\n", what);
        abort();
    }
    return rt;
}

VexFuture *vex_sleep_future(int64_t ms) {
    Runtime *rt = current_or_abort("vex_sleep_future");
    WorkerContext *w = local_worker(rt);
    SleepState *s = vex_task_alloc_in(rt, sizeof *s, 0, 0, sleep_resume);
    VexTask *t = task_of_state(s);
    s->deadline = sleep_deadline(rt, ms < 0 ? 0 : (uint64_t)ms);
    /* Spawned idle with its timer armed at once, so timers set in the same millisecond
     * fire in call order (language §6.9) like a direct `await async_sleep(ms)`. Another
     * worker may fire it as soon as it is in the wheel: the handle's reference keeps it
     * alive until we return it. */
    count_spawn(rt, w);
    atomic_store_explicit(&t->state, 0, memory_order_relaxed);
    timer_arm(rt, w, t, s->deadline);
    return (VexFuture *)t;
}

static CoroStatus yield_resume(WorkerContext *ctx, void *state) {
    (void)state;
    if (vex_task_cancelled(ctx)) return vex_task_finish_cancelled(ctx);
    return CORO_STATUS_DONE;
}

VexFuture *vex_yield_future(void) {
    Runtime *rt = current_or_abort("vex_yield_future");
    void *s = vex_task_alloc_in(rt, 0, 0, 0, yield_resume);
    return spawn_task(rt, local_worker(rt), task_of_state(s), false);
}

void vex_task_set_drop_result(void *state, vex_drop_result_func drop) {
    VexTask *t = task_of_state(state);
    if (!t->drop_slot) {
        fprintf(stderr, "vex-rt: vex_task_set_drop_result on a task without a result slot\n");
        abort();
    }
    memcpy((char *)state + t->drop_slot, &drop, sizeof drop);
}

/* ---- For the combinators (comb.c) ------------------------------------------------------ */

/* A combinator waits for several futures at once by being the awaiter (the `waiter`
 * field) of each of them, as a task awaiting one child is; it records no wait of its own
 * (worker_await_wake), so run_task never disarms these registrations: the combinator
 * keeps them across its runs and withdraws them itself. Registering while the task runs
 * is safe: a child finishing meanwhile wakes it (TS_NOTIFIED), so it runs again. */
bool rt_future_watch(VexTask *self, VexFuture *f) {
    VexTask *c = (VexTask *)f;
    VexTask *cur = atomic_load_explicit(&c->waiter, memory_order_acquire);
    if (cur == self) return true;
    if (cur == NULL) {
        task_ref(self); /* the registration's reference */
        if (atomic_compare_exchange_strong_explicit(&c->waiter, &cur, self, memory_order_acq_rel,
                                                    memory_order_acquire))
            return true;
        task_unref(self); /* never the last: self is running */
    }
    if (cur == TASK_WAITER_DONE) return false;
    fprintf(stderr, "vex-rt: a future is awaited by two tasks\n");
    abort();
}

void rt_future_unwatch(VexTask *self, VexFuture *f) {
    VexTask *c = (VexTask *)f;
    VexTask *expected = self;
    if (atomic_compare_exchange_strong_explicit(&c->waiter, &expected, NULL, memory_order_acq_rel,
                                                memory_order_acquire))
        task_unref(self);
}

/* Spawns like vex_task_spawn, with the task's timer armed first as a plain wake-up at
 * `deadline` (so timers set in the same millisecond fire in call order). The task is
 * SCHEDULED before the timer goes into the wheel: a timer firing at once finds it queued
 * (or about to be) and changes nothing. wait_kind stays WAIT_NONE, so run_task leaves
 * the timer armed across the task's runs; rt_timer_cancel removes it. */
VexFuture *rt_spawn_with_timer(Runtime *rt, WorkerContext *ctx, void *state, uint64_t deadline) {
    VexTask *t = task_of_state(state);
    WorkerContext *w = ctx ? ctx : local_worker(rt);
    count_spawn(rt, w);
    atomic_store_explicit(&t->state, TS_SCHEDULED, memory_order_relaxed);
    timer_arm(rt, w, t, deadline);
    t->wait_kind = WAIT_NONE; /* the task is in no queue yet: nobody reads this */
    schedule(rt, t, !others_idle(rt));
    return (VexFuture *)t;
}

void rt_timer_cancel(VexTask *t) { timer_disarm(task_runtime(t), t); }

/* A task (allocated, never spawned) that has finished with the value in its result
 * slot: never queued and not counted as spawned; the returned handle is its only
 * reference. */
VexFuture *rt_finished_future(void *state) {
    VexTask *t = task_of_state(state);
    atomic_store_explicit(&t->refs, 1, memory_order_relaxed);
    atomic_store_explicit(&t->waiter, TASK_WAITER_DONE, memory_order_relaxed);
    atomic_store_explicit(&t->state,
                          TS_COMPLETE | ((uint32_t)VEX_OUTCOME_VALUE << TS_OUTCOME_SHIFT),
                          memory_order_release);
    return (VexFuture *)t;
}
