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
};

/* What an idle task waits for (VexTask.wait_kind). */
enum { WAIT_NONE = 0, WAIT_SLEEP = 1, WAIT_CHILD = 2, WAIT_IO = 3, WAIT_YIELD = 4 };

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

typedef struct IoSlot {
    VexTask *task;
    uint32_t gen;
    int32_t fd;
    int32_t next_free;
} IoSlot;

typedef struct VexReactor {
    int epfd;
    int eventfd;
    pthread_mutex_t lock;
    IoSlot *slots;
    int32_t nslots, cap, free_head;
    _Atomic size_t waiters;      /* armed registrations */
    _Atomic bool driver_busy;    /* one worker at a time runs epoll_wait */
} VexReactor;

int reactor_init(VexReactor *r);
void reactor_destroy(VexReactor *r);
/* Arms a one-shot wait; stores the slot id into t->wait. The caller gives the
 * registration one task reference (returned by poll, or dropped by the caller when
 * reactor_cancel returns true). Returns false on epoll error (wake the task at once). */
bool reactor_register(VexReactor *r, VexTask *t, int fd, EventType type);
/* Disarms t's registration if still armed; returns true if it was. */
bool reactor_cancel(VexReactor *r, VexTask *t);
/* Waits up to timeout_ms (-1: forever, 0: poll); stores up to REACTOR_BATCH ready tasks
 * into out (each carrying the reference its registration held). Returns count. */
#define REACTOR_BATCH 64
size_t reactor_poll(VexReactor *r, int timeout_ms, VexTask **out);
void reactor_wake(VexReactor *r);

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
    char *panic_message;
    /* Idle workers. */
    _Alignas(VEX_CACHELINE) pthread_mutex_t idle_lock;
    int *parked_stack;
    int nparked_stack;
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
};

/* Thread-locals. */
extern _Thread_local WorkerContext *vex_tls_worker;
extern _Thread_local Runtime *vex_tls_runtime;

/* Allocation (alloc.c). */
void *slab_alloc(Runtime *rt, WorkerContext *w, size_t size, uint8_t *cls);
void slab_free(Runtime *rt, WorkerContext *w, void *block, uint8_t cls);
void slab_destroy(Runtime *rt);
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

/* Strings (str.c): a new string of `len` bytes with refs 1 and no spare capacity; the
 * bytes are uninitialised except the terminating 0. Aborts on out-of-memory. */
VexString *string_alloc(size_t len);

/* Output (print.c). */
void rt_write(Runtime *rt, int stream, const char *bytes, size_t len);
void rt_record_panic(Runtime *rt, const char *line);

#endif
