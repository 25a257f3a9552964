/*
 * internal.h — data structures shared by the runtime's translation units (task header,
 * Chase-Lev deque, injector, timing wheel, reactor, workers). Not part of the ABI:
 * generated code sees only vex_rt.h. Must not be included by tests except the unit
 * tests of these data structures.
 */
#ifndef VEX_RT_INTERNAL_H
#define VEX_RT_INTERNAL_H

#define _GNU_SOURCE
#include "vex_rt.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define VEX_LIKELY(x) __builtin_expect(!!(x), 1)
#define VEX_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define VEX_CACHELINE 64
/* Stack size of the worker threads a runtime starts (worker 0 runs on the caller). */
#define VEX_WORKER_STACK_SIZE ((size_t)8 << 20)

/* ---- Task header ------------------------------------------------------------------ */

/* Timer links: a circular doubly-linked list through slot sentinels, O(1) unlink. */
typedef struct VexTimerNode {
    struct VexTimerNode *next;
    struct VexTimerNode *prev;
} VexTimerNode;

/* Task state bits (VexTask.state). A task is in exactly one of: idle (no bit of
 * SCHEDULED/RUNNING/COMPLETE), SCHEDULED (in some queue), RUNNING (NOTIFIED: woken
 * while running, run again after the resume function returns), COMPLETE. */
enum {
    TS_SCHEDULED = 1u << 0,
    TS_RUNNING = 1u << 1,
    TS_NOTIFIED = 1u << 2,
    TS_COMPLETE = 1u << 3,
    TS_CANCEL = 1u << 4,
    TS_OUTCOME_SHIFT = 5, /* 2 bits: VexOutcome once COMPLETE */
    TS_OUTCOME_MASK = 3u << 5,
    TS_TAKEN = 1u << 7, /* a handle took the VALUE result (moved it out of the state) */
    /* Not a task: a free block of task memory (every block on a free list carries it, so
     * runtime_teardown can tell live tasks from free blocks by walking the chunks). */
    TS_FREED = 0xFFFFFFFFu,
};

/* What an idle task waits for (VexTask.wait_kind). */
enum {
    WAIT_NONE = 0,
    WAIT_SLEEP = 1,
    WAIT_CHILD = 2,
    WAIT_IO = 3,
    WAIT_YIELD = 4,
    WAIT_BLOCKING = 5, /* a blocking-pool job: only its completion ends the wait */
};

#define TASK_WAITER_DONE ((VexTask *)(uintptr_t)1)
#define SIZE_CLASS_BIG 0xFF

typedef struct VexTask VexTask;
struct VexTask {
    coro_resume_func resume;  /* 0 */
    _Atomic uint32_t state;   /* 8: TS_* bits */
    _Atomic uint32_t refs;    /* 12: handles + running/scheduled + waiter registrations */
    _Atomic(VexTask *) waiter; /* 16: the task awaiting this one, or TASK_WAITER_DONE */
    union {                   /* 24: timer links (a union so the ABI can grow) */
        VexTimerNode tnode;
    } link;
    uint64_t wait;            /* 40: deadline (SLEEP), child (CHILD), io slot (IO) */
    uint32_t result_offset;   /* 48: from the state start */
    uint32_t result_size;     /* 52 */
    _Atomic int16_t wheel;    /* 56: index of the wheel holding the timer, -1 if none */
    uint8_t wait_kind;        /* 58: WAIT_* of the last registration */
    uint8_t size_class;       /* 59: allocator class or SIZE_CLASS_BIG */
    uint32_t drop_slot;       /* 60: offset from the state start of the drop-result hook
                               * (a vex_drop_result_func), 0 if the task has no result */
};
_Static_assert(sizeof(VexTask) == VEX_TASK_HEADER_SIZE, "task header must be 64 bytes");

/* The drop-result hook (vex_task_set_drop_result) is a function pointer: 8 bytes, and
 * the header has only the 4 bytes of drop_slot left. So tasks with a result slot
 * (result_size > 0) get 8 more bytes after their state, at the 8-aligned offset
 * drop_slot; tasks without a result (most detached ones) pay nothing. */

static inline void *task_state(VexTask *t) { return (char *)t + VEX_TASK_HEADER_SIZE; }
static inline VexTask *task_of_state(void *s) {
    return (VexTask *)((char *)s - VEX_TASK_HEADER_SIZE);
}
static inline VexTask *task_of_tnode(VexTimerNode *n) {
    return (VexTask *)((char *)n - offsetof(VexTask, link));
}

/* ---- Chase-Lev deque (fixed capacity ring) ---------------------------------------- */

#define DEQUE_CAP 256u
typedef struct VexDeque {
    _Alignas(VEX_CACHELINE) _Atomic size_t top;    /* stealers (and FIFO owner) take here */
    _Alignas(VEX_CACHELINE) _Atomic size_t bottom; /* only the owner pushes here */
    _Alignas(VEX_CACHELINE) _Atomic(VexTask *) buf[DEQUE_CAP];
} VexDeque;

void deque_init(VexDeque *d);
/* Owner only. Returns false when full. */
bool deque_push(VexDeque *d, VexTask *t);
/* Owner only: LIFO pop at the bottom (classic Chase-Lev take). */
VexTask *deque_pop(VexDeque *d);
/* Any thread: FIFO take at the top (classic Chase-Lev steal). NULL if empty or lost a
 * race (*retry set to true in that case). */
VexTask *deque_steal(VexDeque *d, bool *retry);
/* Approximate length (any thread). */
size_t deque_len(VexDeque *d);

/* ---- Task ring: a growable FIFO of task pointers (not thread-safe) ---------------------- */

/* Queues hold pointers rather than intrusive links: a cancelled task can be queued while
 * its timer node is still linked in a wheel. */
typedef struct VexTaskRing {
    VexTask **buf;
    size_t cap, head, len; /* cap is 0 or a power of two */
} VexTaskRing;

void ring_push(VexTaskRing *r, VexTask *t);
VexTask *ring_pop(VexTaskRing *r);
void ring_free(VexTaskRing *r);

/* ---- Injector: global FIFO for spawns from outside workers and overflow ---------------- */

typedef struct VexInjector {
    pthread_mutex_t lock;
    VexTaskRing ring;
    _Atomic size_t len;
} VexInjector;

void injector_init(VexInjector *q);
void injector_destroy(VexInjector *q);
void injector_push_batch(VexInjector *q, VexTask *const *items, size_t n);
void injector_push(VexInjector *q, VexTask *t);
/* Pops up to max tasks into out; returns how many. */
size_t injector_pop_batch(VexInjector *q, VexTask **out, size_t max);

/* ---- Hierarchical timing wheel ------------------------------------------------------ */

#define WHEEL_LEVELS 6
#define WHEEL_SLOTS 64
#define WHEEL_MAX_DELAY ((1ull << (6 * WHEEL_LEVELS)) - 1)
typedef struct VexWheel {
    uint64_t elapsed; /* the wheel's current time (ms) */
    uint64_t occupied[WHEEL_LEVELS];
    size_t count;
    VexTimerNode slots[WHEEL_LEVELS][WHEEL_SLOTS];
} VexWheel;

void wheel_init(VexWheel *w, uint64_t now);
/* Inserts the task's node with deadline (ms). Deadlines <= elapsed fire on the next
 * advance. Tasks with equal deadlines fire in insertion order. Returns the time at which
 * the slot it went to becomes due, so that callers can keep wheel_next_expiration up to
 * date as min(previous, returned value) without rescanning. */
uint64_t wheel_insert(VexWheel *w, VexTask *t, uint64_t deadline);
/* Unlinks a node inserted into this wheel. */
void wheel_remove(VexWheel *w, VexTask *t);
/* Earliest time at which advance has something to do (UINT64_MAX if empty). */
uint64_t wheel_next_expiration(VexWheel *w);
/* Advances to `now`, calling fire(arg, task) for every expired task in deadline, then
 * insertion order (the node is already unlinked). Returns the number expired. */
size_t wheel_advance(VexWheel *w, uint64_t now, void (*fire)(void *arg, VexTask *t), void *arg);

/* ---- Slab allocator ------------------------------------------------------------------ */

#define NUM_SIZE_CLASSES 25
#define SLAB_CHUNK_SIZE 65536u
#define SLAB_MAX_BLOCK 4096u

typedef struct VexChunk {
    struct VexChunk *next; /* next region (only in a region's first chunk) */
    Runtime *rt;
    uint8_t cls; /* the size class of its blocks */
} VexChunk;

/* Header in front of big (malloc'ed) tasks. */
typedef struct VexBigHeader {
    struct VexBigHeader *next, *prev;
    Runtime *rt;
    uint64_t pad[5]; /* keeps the task 64-byte aligned */
} VexBigHeader;

typedef struct VexFreeLists {
    void *head[NUM_SIZE_CLASSES];
} VexFreeLists;

/* ---- Reactor (epoll) ----------------------------------------------------------------- */

/* One registration: a task waiting on an fd (linked into the fd's list). */
typedef struct IoSlot {
    VexTask *task;
    uint32_t gen;
    int32_t fd;
    int32_t next_free;  /* free list */
    int32_t next_on_fd; /* the fd's list of armed slots */
    uint32_t events;    /* EventType bits */
} IoSlot;

/* What the reactor knows of one fd: its waiting slots and the readiness its events
 * reported. */
typedef struct IoFd {
    int32_t head;          /* the fd's list of waiting slots */
    uint32_t gen;          /* epoll token generation (reactor_forget bumps it) */
    uint32_t ready;        /* EPOLL* bits reported since a wait last consumed them */
    bool added;            /* in the epoll set (edge-triggered, all interests) */
    _Atomic uint32_t tick; /* events seen on this fd; read without the lock */
    _Atomic uint32_t drained; /* 1 + the tick of a read that emptied it (0: none) */
    _Atomic bool closed;      /* an event reported a hang-up, read hang-up or error */
} IoFd;

/* The per-fd table: REACTOR_FD_CHUNKS chunks of 2^REACTOR_FD_CHUNK_BITS entries, each
 * allocated on first use and never moved, so reactor_fd_tick can read an entry without
 * the lock. Covers fds below 2^24. */
#define REACTOR_FD_CHUNK_BITS 12
#define REACTOR_FD_CHUNKS 4096

typedef struct VexReactor {
    int epfd;
    int eventfd;
    pthread_mutex_t lock;
    IoSlot *slots;
    int32_t nslots, cap, free_head;
    _Atomic(IoFd *) *fd_chunks; /* REACTOR_FD_CHUNKS entries */
    _Atomic size_t waiters;      /* armed registrations */
    _Atomic bool driver_busy;    /* one worker at a time runs epoll_wait */
} VexReactor;

int reactor_init(VexReactor *r);
void reactor_destroy(VexReactor *r);
/* `since` of a wait that has no earlier attempt to compare with (level-triggered). */
#define REACTOR_ANY_TICK UINT64_MAX
/* Arms a one-shot wait (other tasks may wait on the same fd); stores the slot id into
 * t->wait. With since = REACTOR_ANY_TICK the wait is level-triggered: it ends at once
 * if fd is ready now (one epoll_ctl). Else `since` is reactor_fd_tick(fd) read before
 * an attempt that found fd not ready, and no system call is made: an event reported
 * after that read ends the wait at once (returns false, the caller runs the task again),
 * an earlier one is stale. The caller gives the registration one task reference
 * (returned by poll, or dropped by the caller when reactor_cancel returns true).
 * Returns false when the task must run again at once (ready, or an epoll error). */
bool reactor_register(VexReactor *r, VexTask *t, int fd, EventType type, uint64_t since);
/* Disarms t's registration if still armed; returns true if it was. */
bool reactor_cancel(VexReactor *r, VexTask *t);
/* The count of events reported on fd so far (any thread, no lock). */
uint32_t reactor_fd_tick(VexReactor *r, int fd);
/* Records that a read started at `tick` (reactor_fd_tick) emptied fd's input (it
 * returned fewer bytes than asked for), and asks whether that is still the last news of
 * it and no hang-up was reported (a read would see the end of the stream): then a read
 * can wait at once (with that tick) instead of trying. Any thread, no lock. */
void reactor_set_drained(VexReactor *r, int fd, uint32_t tick);
bool reactor_is_drained(VexReactor *r, int fd, uint32_t tick);
/* Drops what the reactor knows of fd; called before the fd is closed (its number may
 * come back for another file, whose readiness is not this one's). */
void reactor_forget(VexReactor *r, int fd);
/* Waits up to timeout_ms (-1: forever, 0: poll); stores up to REACTOR_BATCH ready tasks
 * into out (each carrying the reference its registration held). Returns count. */
#define REACTOR_BATCH 64
size_t reactor_poll(VexReactor *r, int timeout_ms, VexTask **out);
void reactor_wake(VexReactor *r);

/* ---- Blocking pool (pool.c) ---------------------------------------------------------- */

/* A job for the blocking pool: lives in the state of the op task that submitted it. */
typedef struct VexBlockingJob VexBlockingJob;
struct VexBlockingJob {
    VexBlockingJob *next, *prev; /* the pool's queue (pool lock) */
    void (*run)(VexBlockingJob *job); /* runs on a pool thread */
    VexTask *task;                /* the op task (the pool holds a reference) */
    _Atomic uint32_t state;       /* JOB_* */
    uint32_t reserved;
    uint64_t seq;                 /* submission order (deterministic delivery) */
};
enum { JOB_QUEUED = 0, JOB_RUNNING = 1, JOB_DONE = 2, JOB_WITHDRAWN = 3 };

typedef struct VexBlockingPool {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    VexBlockingJob *head, *tail;  /* queued jobs */
    VexBlockingJob *done;         /* deterministic mode: finished jobs, by seq */
    _Atomic int64_t ndone;        /* their number */
    uint64_t next_seq;
    pthread_t *threads;
    int nthreads, max_threads, idle;
    bool stopping;
} VexBlockingPool;

void pool_init(VexBlockingPool *p);
/* Stops and joins the pool's threads (jobs still queued are dropped). */
void pool_destroy(VexBlockingPool *p);
/* Deterministic mode, called by the idle worker: if every job in flight (`inflight`)
 * has finished, wakes their tasks in submission order, drops them from the count and
 * returns true; else does nothing. */
bool pool_deliver(Runtime *rt, int64_t inflight);

/* ---- Workers and runtime --------------------------------------------------------------- */

typedef struct WheelBox {
    _Alignas(VEX_CACHELINE) pthread_mutex_t lock;
    _Atomic uint64_t next_expiration; /* cached wheel_next_expiration */
    _Atomic size_t count;
    VexWheel wheel;
} WheelBox;

struct WorkerContext {
    VexDeque deque;
    _Alignas(VEX_CACHELINE) Runtime *rt;
    int index;
    VexTask *current;
    VexTask *lifo;
    uint32_t lifo_streak;
    uint32_t tick;
    /* Socket operations the running task has completed in place (net.c) since the
     * worker took it from a queue; at IO_INLINE_BUDGET the next one suspends it, so that
     * a task on a connection that is always ready still lets the others run. */
    uint32_t io_inline;
    uint64_t rng;
    /* The wait recorded by the running resume function. */
    uint8_t pending_kind;
    uint8_t finish_kind; /* VexOutcome the task finishes with when DONE */
    uint64_t pending_arg;
    int pending_fd;
    EventType pending_events;
    VexFreeLists free;
    int64_t finished_pending; /* finished tasks not yet subtracted from rt->alive */
    /* The worker's private FIFO run queue (no atomics): spawned, woken and yielding
     * tasks go to its back. Only the owner touches it; work becomes stealable when the
     * owner publishes a batch of its oldest tasks into the deque (when another worker is
     * idle). In deterministic mode it is the only run queue. */
    VexTaskRing runq;
    /* The owner published into the deque and has not seen it empty since (the deque
     * holds older tasks than runq, so it is taken from first). */
    bool published;
    uint32_t share_skips; /* share_work calls since it last looked at the deque */
    /* Tasks expired by the last wheel advance, woken after the wheel lock is dropped. */
    VexTask **fired;
    size_t nfired, fired_cap;
    jmp_buf panic_jmp;
    pthread_t thread;
    /* Whether this worker's thread was started in the current run (workers 1..n start
     * on the first wake-up: see notify_one); guarded by rt->idle_lock. */
    bool started;
    /* This worker's thread's guard slot while it runs the worker loop (guard.c), and
     * the value it held before; guarded by rt->guard_lock. */
    _Atomic uintptr_t *guard_slot;
    uintptr_t guard_saved;
    /* Counters (written by the owner only). */
    _Atomic uint64_t c_spawned, c_finished, c_cancelled, c_steals, c_parks;
    /* Parking (written by other workers: a line of its own). */
    _Alignas(VEX_CACHELINE) _Atomic uint32_t unpark; /* futex word */
    _Atomic bool parked_in_epoll;
    _Atomic uint64_t wake_at;     /* when a parked worker wakes by itself */
    WheelBox timers;
};

struct Runtime {
    /* Read-only while running (read on hot paths: kept apart from written fields). */
    uint64_t id; /* unique per process (never reused), see the host allocation cache */
    int nworkers;
    bool virtual_clock;
    bool detect_deadlock;
    WorkerContext *workers; /* array of nworkers */
    uint64_t clock_origin_ns;
    _Alignas(VEX_CACHELINE) VexInjector injector;
    _Alignas(VEX_CACHELINE) VexReactor reactor;
    _Alignas(VEX_CACHELINE) _Atomic int64_t alive;
    _Alignas(VEX_CACHELINE) _Atomic bool done;
    _Atomic bool stop;
    _Atomic bool panicked;
    _Atomic bool running;
    _Atomic uint64_t deadlocked; /* tasks left waiting by a deadlock (detect_deadlock) */
    char *panic_message; /* the first panic's line; its parts follow */
    char *panic_file, *panic_text;
    uint32_t panic_line, panic_col;
    /* Idle workers. */
    _Alignas(VEX_CACHELINE) pthread_mutex_t idle_lock;
    int *parked_stack;
    int nparked_stack;
    /* Set when the run ends: no worker thread is started after it (idle_lock). */
    bool starts_closed;
    _Atomic int num_parked;
    /* Workers searching for work or parked (read on every scheduling decision of busy
     * workers, written only when a worker goes idle or finds work again). */
    _Alignas(VEX_CACHELINE) _Atomic int num_idle;
    /* Clock. */
    _Alignas(VEX_CACHELINE) _Atomic uint64_t virtual_now;
    /* Allocation. */
    _Alignas(VEX_CACHELINE) pthread_mutex_t alloc_lock;
    VexChunk *regions;               /* first chunk of every region, linked by next */
    char *region_next, *region_end;  /* unused chunks of the newest region */
    uint32_t nregions;
    VexBigHeader big_list;
    VexFreeLists shared_free;
    /* Counters for off-worker operations. */
    _Atomic uint64_t c_spawned_ext, c_finished_ext, c_cancelled_ext;
    /* Output. */
    pthread_mutex_t out_lock;
    vex_output_sink sink;
    void *sink_user;
    /* I/O (io.c, pool.c): blocking jobs submitted whose tasks have not been woken yet
     * (they hold the virtual clock and count as wake-up sources for deadlock detection),
     * the pool, and every live handle (closed and freed by runtime_destroy). */
    _Alignas(VEX_CACHELINE) _Atomic int64_t blocking_inflight;
    VexBlockingPool pool;
    pthread_mutex_t io_lock;
    struct VexIoHandle *handles;
    /* Process (process.c). */
    VexVec *args;
    _Atomic bool exited;
    _Atomic int32_t exit_code;
    /* Interrupts (guard.c): set once by runtime_interrupt; guard_lock orders writes to
     * the workers' guard slots against workers entering and leaving their loops. */
    _Atomic bool interrupted;
    _Atomic bool guards_raised; /* every guard at UINTPTR_MAX (an interrupt in force) */
    _Atomic bool tearing_down;  /* runtime_teardown: tasks start only to finish */
    bool serving;               /* VexRuntimeOptions.serving */
    /* Serving: where tasks panicked (vex_future_panic_info), dropped when they are freed;
     * under out_lock. */
    struct VexTaskPanic *task_panics;
    _Atomic int64_t ntask_panics;
    pthread_mutex_t guard_lock;
};

/* Guards (guard.c): a worker sets its thread's stack guard when it enters its loop and
 * restores it when it leaves. */
void rt_guard_enter(WorkerContext *w);
void rt_guard_leave(WorkerContext *w);
/* Every stop (panic, exit, interrupt, shutdown) raises every running worker's guard, so
 * a task that never suspends is stopped at its next check (vex_guard_hit then unwinds
 * it silently). */
void rt_raise_guards(Runtime *rt);

/* Serving runtimes (print.c): a panic, exit or stack overflow of the current task or call
 * is recorded for it alone and unwinds it without stopping the runtime. */
_Noreturn void rt_serving_panic(Runtime *rt, const char *file, uint32_t line, uint32_t col,
                                const char *msg);
/* Records where task t panicked (serving runtimes; print.c). */
void rt_note_task_panic(Runtime *rt, const VexTask *t, const char *file, uint32_t line,
                        uint32_t col, const char *msg);
/* Forgets the panic record of a task being freed (print.c). */
void rt_forget_task_panic(Runtime *rt, VexTask *t);
/* Finishes the current task as PANICKED (waking its awaiter) before an unwind (sched.c). */
void rt_complete_current_panicked(WorkerContext *w);

/* Thread-locals. */
extern _Thread_local WorkerContext *vex_tls_worker;
extern _Thread_local Runtime *vex_tls_runtime;

/* Allocation (alloc.c). */
void *slab_alloc(Runtime *rt, WorkerContext *w, size_t size, uint8_t *cls);
void slab_free(Runtime *rt, WorkerContext *w, void *block, uint8_t cls);
void slab_destroy(Runtime *rt);
/* Calls fn(t, arg) for every block of task memory that holds a task (not a free block),
 * in no particular order. Not while the runtime runs. */
void slab_each_task(Runtime *rt, void (*fn)(VexTask *t, void *arg), void *arg);
Runtime *task_runtime(VexTask *t);

/* Clock (sched.c). */
uint64_t rt_now(Runtime *rt);

/* For channels (sched.c). A task reference keeps a woken task's memory alive between
 * publishing its wait's result (after which it may run and finish) and waking it. */
void rt_task_retain(VexTask *t);
/* Wakes t (as vex_future_wake does) and drops a reference taken with rt_task_retain. */
void rt_task_wake_release(VexTask *t);
/* The absolute deadline (rt clock, ms) of a sleep of `ms` ms starting now. */
uint64_t rt_deadline_after(Runtime *rt, uint64_t ms);
/* Records a wait until `deadline` or a wake-up (whichever comes first; the worker
 * disarms the timer before the task runs again). */
void rt_await_deadline(WorkerContext *w, uint64_t deadline);
/* worker_await_io after an attempt that found fd not ready, `tick` being
 * reactor_fd_tick(fd) read before the attempt: no system call to arm the wait, which
 * ends at once if an event came in since (see reactor_register). */
void rt_await_io_since(WorkerContext *w, int fd, EventType type, uint32_t tick);
/* The worker's xorshift generator (fixed seed in deterministic mode). Owner only. */
uint64_t worker_rand(WorkerContext *w);

/* For the combinators (sched.c). A running task `self` registers as the awaiter of `f`
 * (whose handle it holds) unless it already is: false if `f` has finished (nothing
 * registered). The registration holds a reference to self; f's completion consumes it
 * and wakes self, or rt_future_unwatch withdraws it. */
bool rt_future_watch(VexTask *self, VexFuture *f);
void rt_future_unwatch(VexTask *self, VexFuture *f);
/* vex_task_spawn with the task's timer armed first as a wake-up at `deadline`; the timer
 * stays armed across the task's runs until it fires or rt_timer_cancel removes it. */
VexFuture *rt_spawn_with_timer(Runtime *rt, WorkerContext *ctx, void *state, uint64_t deadline);
void rt_timer_cancel(VexTask *t);
/* The task of `state` (allocated, not spawned) finished with a value at once: never
 * queued, not counted; the returned handle is its only reference. */
VexFuture *rt_finished_future(void *state);

/* Blocking jobs (sched.c, pool.c). rt_blocking_submit queues `job` for the running task
 * (which takes a task reference for the pool and counts the job in flight); the task then
 * suspends with rt_await_blocking, a wait that only a wake-up ends (a cancellation wakes
 * the task, but registering the wait again after it does not return at once), until the
 * pool marks the job JOB_DONE and wakes it (deterministic mode: pool_deliver does, when
 * the worker is idle). rt_blocking_withdraw takes back a job that no pool thread has
 * started (true: JOB_WITHDRAWN, the pool's reference and count dropped). */
void rt_blocking_submit(WorkerContext *w, VexBlockingJob *job);
bool rt_blocking_withdraw(Runtime *rt, VexBlockingJob *job);
void rt_await_blocking(WorkerContext *w);
/* Counting jobs in flight: begin at submission; end when the task was woken (or the job
 * withdrawn). rt_blocking_notify: a deterministic-mode job has finished (pool_deliver
 * may now succeed): wakes a parked worker. */
void rt_blocking_begin(Runtime *rt);
void rt_blocking_end(Runtime *rt);
void rt_blocking_notify(Runtime *rt);

/* I/O lifecycle (io.c): called by runtime_create_with / runtime_destroy. */
void rt_io_init(Runtime *rt);
void rt_io_destroy(Runtime *rt);

/* Stops the runtime for vex_exit (sched.c): records the code (first wins). */
void rt_stop_for_exit(Runtime *rt, int32_t code);
/* Abandons the current task and unwinds to its worker loop (or to vex_catch_panic,
 * which then returns `catch_result`; with neither, _exit(process_status), or exit(101)
 * for a negative process_status: a panic) (print.c). */
_Noreturn void rt_unwind(int catch_result, int process_status);

/* ---- I/O operations (io.c, fs.c, net.c) ------------------------------------------------- */

/* A File, TcpListener or TcpStream. `fd` is used by at most `busy` operations at a time
 * and released only when none uses it (io_use_begin / io_use_end), so it is never closed
 * under another thread's system call. */
struct VexIoHandle {
    _Atomic uint32_t refs;
    uint8_t kind;         /* VEX_IO_FILE, VEX_IO_TCP_LISTENER, VEX_IO_TCP_STREAM */
    _Atomic bool closed;  /* vex_io_close was called */
    int32_t fd;           /* -1 once released (lock) */
    uint32_t busy;        /* operations using fd (lock) */
    int32_t port;         /* listener: the bound port */
    pthread_mutex_t lock;
    Runtime *rt;
    VexIoHandle *next, *prev; /* the runtime's list of live handles (rt->io_lock) */
};

struct VexIoError {
    _Atomic uint32_t refs;
    uint32_t reserved;
    int64_t code;
    VexString *message;
};

/* What an Ok result holds (IoOp.payload). */
enum { PAYLOAD_UNIT, PAYLOAD_STRING, PAYLOAD_HANDLE, PAYLOAD_I64, PAYLOAD_BOOL };

/* The state of one I/O op task (fs.c: a blocking-pool job; net.c: reactor waits). The
 * op's operands are retained until it finishes; its outputs are owned by it until they
 * move into the result (or are released by a cancellation). */
typedef struct IoOp {
    VexBlockingJob job;     /* file ops: the pool job (its results are the out_ fields) */
    uint32_t tag;           /* 0: first run; then the op's own phases */
    uint8_t kind;           /* what the op does (fs.c / net.c) */
    uint8_t payload;        /* PAYLOAD_* */
    bool holds_use;         /* io_use_begin(h) succeeded: io_use_end is owed */
    uint8_t reserved;
    int32_t err;            /* errno of a failure (0: none) */
    int32_t fd;             /* h's descriptor while holds_use (or the op's own socket) */
    VexIoHandle *h;         /* the handle operand */
    VexString *str;         /* the path or host operand */
    VexString *data;        /* the bytes to write */
    int64_t num;            /* max, port; writes: the bytes written so far */
    VexString *out_str;
    VexIoHandle *out_h;
    VexIoError *out_err;    /* a failure that is not (only) an errno */
    int64_t out_n;
    bool out_bool;
    _Alignas(16) unsigned char result[VEX_IO_RESULT_SIZE];
} IoOp;

/* A new op task (zeroed state; not spawned) on ctx's runtime (NULL: the current one). */
IoOp *io_op_alloc(WorkerContext *ctx, uint8_t kind, uint8_t payload, coro_resume_func resume);
/* Stores the operands (retained), without spawning the op. */
void io_op_operands(IoOp *op, VexIoHandle *h, VexString *str, VexString *data, int64_t num);
/* Stores the operands (retained) and spawns the op. */
VexFuture *io_op_spawn(WorkerContext *ctx, IoOp *op, VexIoHandle *h, VexString *str,
                       VexString *data, int64_t num);
/* Writes the result (out_err, else err, else Ok with the payload), releases the
 * operands and finishes: `return io_op_finish(ctx, op);` */
CoroStatus io_op_finish(WorkerContext *ctx, IoOp *op);
/* Releases operands and outputs and finishes cancelled. */
CoroStatus io_op_cancel(WorkerContext *ctx, IoOp *op);
/* Marks h used by op (op->fd = its descriptor); false if h is closed. */
bool io_op_use(IoOp *op);

/* A new handle with one reference owning `fd`, listed on rt. */
VexIoHandle *io_handle_new(Runtime *rt, uint8_t kind, int fd);
/* An error for errno `code` (message: strerror), or with a formatted message. */
VexIoError *io_error_errno(int code);
VexIoError *io_error_text(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Strings (str.c): a new string of `len` bytes with refs 1 and no spare capacity; the
 * bytes are uninitialised except the terminating 0. Aborts on out-of-memory. */
VexString *string_alloc(size_t len);
/* Resizes a string made by string_alloc that nobody else has seen yet (refs 1, no
 * spare capacity) to `len` bytes, keeping the first min(old, len) bytes; len 0 frees it
 * and returns NULL (the empty string). Aborts on out-of-memory. */
VexString *string_resize(VexString *s, size_t len);

/* Output (print.c). */
void rt_write(Runtime *rt, int stream, const char *bytes, size_t len);
/* Prints `panic at FILE:LINE:COL: MSG` and, for the run's first panic, records its parts
 * (runtime_panic_info); then stops rt. rt may be NULL (only printed). (print.c) */
void rt_record_panic(Runtime *rt, const char *file, uint32_t line, uint32_t col,
                     const char *msg);

#endif
