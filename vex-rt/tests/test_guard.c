/*
 * test_guard.c — the stack guard, interrupts and the program entry, through the public
 * ABI. Tasks emulate compiled code: at function entries and loop heads they compare the
 * stack pointer with the thread's guard word (%fs:0x70 on x86-64 glibc) and call
 * vex_guard_hit when it is below. Covered: vex_guard_set / vex_guard_thread_limit, the
 * guard a worker sets while it runs tasks and restores afterwards, runtime_interrupt
 * stopping tasks that spin forever (one worker, every worker busy, interrupted before
 * the run), deep recursion ending in a located `stack overflow` panic (one and two
 * workers), and vex_program_run's endings (returned, panicked, exited, interrupted) with
 * vex_report_write's text. Every run is bounded: spinners give up after SPIN_LIMIT_MS
 * (the test then fails) and a SIGALRM watchdog ends the process if a run never returns.
 */
#define _GNU_SOURCE
#include "harness.h"
#include "vex_rt.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) && defined(__linux__) && defined(__GLIBC__)
#define HAVE_GUARD 1
#else
#define HAVE_GUARD 0
#endif

/* A spinner that was not stopped gives up after this long (and the test fails). */
#define SPIN_LIMIT_MS 5000
/* How long the host thread waits for a spinner to start. */
#define START_WAIT_MS 5000
/* The whole-test watchdog (sanitizer builds are slow). */
#define WATCHDOG_SECONDS 60
/* The guard value the calling thread holds around runtime_run (a low, harmless limit). */
#define SENTINEL_GUARD ((uintptr_t)0x5000)

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pthread_t main_thread;

/* ---- What compiled code does ------------------------------------------------------------ */

#if HAVE_GUARD
static inline __attribute__((always_inline)) uintptr_t guard_word(void) {
    uintptr_t g;
    __asm__ volatile("movq %%fs:0x70, %0" : "=r"(g));
    return g;
}
static inline __attribute__((always_inline)) uintptr_t stack_pointer(void) {
    uintptr_t sp;
    __asm__ volatile("movq %%rsp, %0" : "=r"(sp));
    return sp;
}
#else
static inline uintptr_t guard_word(void) { return 0; }
static inline uintptr_t stack_pointer(void) { return (uintptr_t)__builtin_frame_address(0); }
#endif

/* The check at a function entry or loop head. */
static inline __attribute__((always_inline)) void guard_check(const char *file, uint32_t line,
                                                              uint32_t col) {
    if (stack_pointer() < guard_word()) vex_guard_hit(file, line, col);
}

/* VEX_GUARD_MARGIN above the low end of the calling thread's stack, computed here
 * independently of the runtime (0 when unknown or too small, as documented). */
static uintptr_t expected_limit(void) {
    pthread_attr_t attr;
    uintptr_t limit = 0;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
    void *addr = NULL;
    size_t size = 0;
    if (pthread_attr_getstack(&attr, &addr, &size) == 0 && size > 2 * VEX_GUARD_MARGIN)
        limit = (uintptr_t)addr + VEX_GUARD_MARGIN;
    pthread_attr_destroy(&attr);
    return limit;
}

/* ---- Output capture ----------------------------------------------------------------------- */

static char captured[2][4096];
static size_t ncaptured[2];
static void capture_sink(void *user, int stream, const char *bytes, size_t len) {
    (void)user;
    int i = stream == 2 ? 1 : 0;
    if (ncaptured[i] + len < sizeof captured[i]) {
        memcpy(captured[i] + ncaptured[i], bytes, len);
        ncaptured[i] += len;
        captured[i][ncaptured[i]] = 0;
    }
}
static void capture_reset(void) {
    ncaptured[0] = ncaptured[1] = 0;
    captured[0][0] = captured[1][0] = 0;
}

static Runtime *make_runtime(int workers) {
    VexRuntimeOptions o = {.workers = workers, .sink = capture_sink};
    return runtime_create_with(&o);
}

/* ---- Spinners: `loop {}` with a check at the entry and at the loop head ------------------- */

typedef struct {
    _Atomic int started;     /* passed the entry check */
    _Atomic long iterations; /* loop heads passed */
    _Atomic int timed_out;   /* nobody stopped it within SPIN_LIMIT_MS */
    /* Written before `started` (release), read after it (acquire) or after the run. */
    uintptr_t guard_seen, limit_seen, expected_seen, sp_seen;
    int on_main;
} SpinRecord;

enum { MAX_SPINNERS = 16 };
static SpinRecord spin_rec[MAX_SPINNERS];
static VexFuture *spin_handle[MAX_SPINNERS];

typedef struct {
    uint32_t tag;
    int32_t id;
    int32_t result; /* for use as a program's `main` (never written: it never returns) */
} SpinTask;

/* The body of a spinner (also of a spinning program `main`). */
static CoroStatus spin_body(SpinRecord *r) {
    guard_check("spin.vx", 1, 1);
    r->guard_seen = guard_word();
    r->limit_seen = vex_guard_thread_limit();
    r->expected_seen = expected_limit();
    r->sp_seen = stack_pointer();
    r->on_main = pthread_equal(pthread_self(), main_thread);
    atomic_store_explicit(&r->started, 1, memory_order_release);
    int64_t deadline = wall_ms() + SPIN_LIMIT_MS;
    for (long i = 1;; i++) {
        guard_check("spin.vx", 2, 5);
        atomic_store_explicit(&r->iterations, i, memory_order_relaxed);
        if ((i & 1023) == 0 && wall_ms() > deadline) {
            atomic_store(&r->timed_out, 1);
            return CORO_STATUS_DONE;
        }
    }
}

static CoroStatus spin_resume(WorkerContext *ctx, void *p) {
    (void)ctx;
    SpinTask *s = p;
    return spin_body(&spin_rec[s->id]);
}

static void spin_reset(void) {
    for (int i = 0; i < MAX_SPINNERS; i++) {
        atomic_store(&spin_rec[i].started, 0);
        atomic_store(&spin_rec[i].iterations, 0);
        atomic_store(&spin_rec[i].timed_out, 0);
        spin_rec[i].guard_seen = spin_rec[i].limit_seen = 0;
        spin_rec[i].expected_seen = spin_rec[i].sp_seen = 0;
        spin_rec[i].on_main = 0;
        spin_handle[i] = NULL;
    }
}

static VexFuture *spin_spawn(Runtime *rt, int id) {
    SpinTask *s = vex_task_alloc_in(rt, sizeof(SpinTask), offsetof(SpinTask, result),
                                    sizeof(int32_t), spin_resume);
    s->id = id;
    return vex_task_spawn_in(rt, s);
}

/* Waits (bounded) until spinner `id` has started. */
static bool wait_started(int id) {
    int64_t deadline = wall_ms() + START_WAIT_MS;
    while (!atomic_load_explicit(&spin_rec[id].started, memory_order_acquire)) {
        if (wall_ms() > deadline) return false;
        usleep(1000);
    }
    return true;
}

/* The interrupting host thread. Spinner 0 was spawned before the run; spinner k (k < busy)
 * is spawned once spinner k-1 runs, so it can only go to an idle worker (a spinning one
 * never looks for work): in the end `busy` workers spin at once. Then `extra` more
 * spinners are queued, which no worker can start, and after `delay_ms` the runtime is
 * interrupted. */
typedef struct {
    Runtime *rt;
    int busy, extra, delay_ms;
    bool all_started;
    int64_t interrupted_at;
} Interrupter;

static void *interrupter_main(void *arg) {
    Interrupter *in = arg;
    in->all_started = true;
    for (int k = 0; k < in->busy; k++) {
        if (k > 0) spin_handle[k] = spin_spawn(in->rt, k);
        if (!wait_started(k)) {
            in->all_started = false;
            break;
        }
    }
    for (int k = in->busy; k < in->busy + in->extra; k++) spin_handle[k] = spin_spawn(in->rt, k);
    usleep((useconds_t)in->delay_ms * 1000);
    in->interrupted_at = wall_ms();
    runtime_interrupt(in->rt);
    runtime_interrupt(in->rt); /* idempotent */
    return NULL;
}

/* ---- Guard basics ---------------------------------------------------------------------------- */

TEST(guard_set_swaps_the_threads_guard_word) {
    uintptr_t orig = vex_guard_set(SENTINEL_GUARD);
    CHECK_EQ_U(guard_word(), SENTINEL_GUARD);
    CHECK_EQ_U(vex_guard_set(12345), SENTINEL_GUARD);
    CHECK_EQ_U(guard_word(), 12345);
    CHECK_EQ_U(vex_guard_set(orig), 12345);
    CHECK_EQ_U(guard_word(), orig);
}

static void *limit_probe(void *arg) {
    uintptr_t *out = arg;
    out[0] = vex_guard_thread_limit();
    out[1] = vex_guard_thread_limit(); /* cached: the same */
    out[2] = expected_limit();
    out[3] = stack_pointer();
    out[4] = 0;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *addr;
        size_t size;
        if (pthread_attr_getstack(&attr, &addr, &size) == 0) out[4] = size;
        pthread_attr_destroy(&attr);
    }
    return NULL;
}

static bool probe_thread(size_t stack_size, uintptr_t out[5]) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, stack_size);
    pthread_t th;
    bool ok = pthread_create(&th, &attr, limit_probe, out) == 0;
    pthread_attr_destroy(&attr);
    if (ok) pthread_join(th, NULL);
    return ok;
}

TEST(thread_limit_is_the_margin_above_the_stack_end) {
    /* The calling (main) thread. */
    uintptr_t lim = vex_guard_thread_limit();
    CHECK(lim != 0);
    CHECK_EQ_U(lim, expected_limit());
    CHECK(stack_pointer() > lim);
    /* A thread with a 4 MiB stack: exactly the margin above its low end. */
    uintptr_t out[5];
    CHECK(probe_thread((size_t)4 << 20, out));
    CHECK(out[0] != 0);
    CHECK_EQ_U(out[0], out[1]);
    CHECK_EQ_U(out[0], out[2]);
    CHECK(out[3] > out[0] && out[3] - out[0] < out[4]);
    /* A stack no larger than twice the margin gets no check. (ThreadSanitizer enlarges
     * small thread stacks by its large static TLS, so the thread may get more than it
     * asked for: then it is an ordinary stack with a limit.) */
    CHECK(probe_thread(2 * VEX_GUARD_MARGIN, out));
    CHECK_EQ_U(out[0], out[2]);
    if (out[4] <= 2 * VEX_GUARD_MARGIN)
        CHECK_EQ_U(out[0], 0);
    else
        fprintf(stderr, "  a %llu KiB stack was asked for, the thread got %llu KiB\n",
                (unsigned long long)(2 * VEX_GUARD_MARGIN >> 10),
                (unsigned long long)(out[4] >> 10));
}

/* A task that records what it sees and returns at once. */
typedef struct {
    uint32_t tag;
    int32_t id;
    int32_t result;
} Probe;

static CoroStatus probe_resume(WorkerContext *ctx, void *p) {
    (void)ctx;
    Probe *s = p;
    SpinRecord *r = &spin_rec[s->id];
    guard_check("probe.vx", 1, 1);
    r->guard_seen = guard_word();
    r->limit_seen = vex_guard_thread_limit();
    r->expected_seen = expected_limit();
    r->sp_seen = stack_pointer();
    r->on_main = pthread_equal(pthread_self(), main_thread);
    atomic_store_explicit(&r->started, 1, memory_order_release);
    s->result = s->id;
    return CORO_STATUS_DONE;
}

TEST(workers_hold_their_limit_while_running_and_restore_the_callers_guard) {
    for (int workers = 1; workers <= 2; workers++) {
        spin_reset();
        Runtime *rt = make_runtime(workers);
        VexFuture *h[8];
        for (int i = 0; i < 8; i++) {
            Probe *s = vex_task_alloc_in(rt, sizeof(Probe), offsetof(Probe, result),
                                         sizeof(int32_t), probe_resume);
            s->id = i;
            h[i] = vex_task_spawn_in(rt, s);
        }
        uintptr_t orig = vex_guard_set(SENTINEL_GUARD);
        runtime_run(rt);
        uintptr_t after = vex_guard_set(orig);
        CHECK_EQ_U(after, SENTINEL_GUARD);
        CHECK(!runtime_panicked(rt) && !runtime_interrupted(rt));
        for (int i = 0; i < 8; i++) {
            int32_t v = -1;
            CHECK(vex_future_take(NULL, h[i], &v) == VEX_OUTCOME_VALUE);
            CHECK_EQ_U(v, i);
            SpinRecord *r = &spin_rec[i];
            CHECK(r->guard_seen != 0);
            CHECK_EQ_U(r->guard_seen, r->limit_seen);
            CHECK_EQ_U(r->guard_seen, r->expected_seen);
            CHECK(r->sp_seen > r->guard_seen);
        }
        runtime_destroy(rt);
    }
}

/* ---- Interrupts ------------------------------------------------------------------------------ */

/* Runs `busy` spinners on a `workers`-worker runtime (plus `extra` that cannot start),
 * interrupts it from another thread and checks how the run ended. */
static void interrupt_spinners(int workers, int busy, int extra) {
    spin_reset();
    capture_reset();
    Runtime *rt = make_runtime(workers);
    CHECK(!runtime_interrupted(rt));
    spin_handle[0] = spin_spawn(rt, 0);
    Interrupter in = {.rt = rt, .busy = busy, .extra = extra, .delay_ms = 15};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, interrupter_main, &in) == 0);
    uintptr_t orig = vex_guard_set(SENTINEL_GUARD);
    runtime_run(rt);
    int64_t returned_at = wall_ms();
    uintptr_t after = vex_guard_set(orig);
    pthread_join(th, NULL);
    fprintf(stderr, "  %d workers: run returned %lld ms after the interrupt; spinners on main:",
            workers, (long long)(returned_at - in.interrupted_at));
    for (int k = 0; k < busy; k++) fprintf(stderr, " %d", spin_rec[k].on_main);
    fprintf(stderr, "\n");
    CHECK(in.all_started);
    CHECK_EQ_U(after, SENTINEL_GUARD);
    CHECK(runtime_interrupted(rt));
    CHECK(!runtime_panicked(rt));
    CHECK(runtime_panic_message(rt) == NULL);
    CHECK(!runtime_exited(rt));
    CHECK_EQ_U(ncaptured[0], 0);
    CHECK_EQ_U(ncaptured[1], 0);
    CHECK(returned_at - in.interrupted_at < 2000);
    int on_main = 0;
    for (int k = 0; k < busy; k++) {
        SpinRecord *r = &spin_rec[k];
        CHECK(atomic_load(&r->started));
        CHECK(!atomic_load(&r->timed_out));
        CHECK(atomic_load(&r->iterations) > 0);
        /* Before the interrupt the worker's guard was its stack's limit. */
        CHECK(r->guard_seen != 0);
        CHECK_EQ_U(r->guard_seen, r->limit_seen);
        CHECK_EQ_U(r->guard_seen, r->expected_seen);
        CHECK(r->sp_seen > r->guard_seen);
        CHECK(vex_future_outcome(spin_handle[k]) != VEX_OUTCOME_VALUE);
        on_main += r->on_main;
    }
    /* Every worker ran one spinner: exactly one of them is the calling thread. */
    if (busy == workers) CHECK_EQ_U(on_main, 1);
    for (int k = busy; k < busy + extra; k++) {
        CHECK(!atomic_load(&spin_rec[k].started));
        CHECK(vex_future_outcome(spin_handle[k]) != VEX_OUTCOME_VALUE);
    }
    runtime_run(rt); /* a stopped runtime returns at once */
    CHECK(runtime_interrupted(rt));
    runtime_destroy(rt); /* frees the abandoned tasks */
}

TEST(interrupt_stops_a_spinning_task_on_one_worker) { interrupt_spinners(1, 1, 2); }

TEST(interrupt_stops_spinning_tasks_on_two_workers) { interrupt_spinners(2, 2, 3); }

TEST(interrupt_stops_spinning_tasks_on_four_workers) { interrupt_spinners(4, 4, 4); }

TEST(interrupt_before_the_run_stops_it_at_the_first_check) {
    for (int workers = 1; workers <= 2; workers++) {
        spin_reset();
        capture_reset();
        Runtime *rt = make_runtime(workers);
        for (int k = 0; k < 3; k++) spin_handle[k] = spin_spawn(rt, k);
        runtime_interrupt(rt);
        CHECK(runtime_interrupted(rt));
        uintptr_t orig = vex_guard_set(SENTINEL_GUARD);
        int64_t t0 = wall_ms();
        runtime_run(rt);
        int64_t took = wall_ms() - t0;
        CHECK_EQ_U(vex_guard_set(orig), SENTINEL_GUARD);
        CHECK(took < 2000);
        CHECK(runtime_interrupted(rt));
        CHECK(!runtime_panicked(rt));
        CHECK_EQ_U(ncaptured[0] + ncaptured[1], 0);
        for (int k = 0; k < 3; k++) {
            /* Not even the entry check of a spinner passed. */
            CHECK(!atomic_load(&spin_rec[k].started));
            CHECK_EQ_U(atomic_load(&spin_rec[k].iterations), 0);
            CHECK(!atomic_load(&spin_rec[k].timed_out));
            CHECK(vex_future_outcome(spin_handle[k]) != VEX_OUTCOME_VALUE);
        }
        runtime_destroy(rt);
    }
}

TEST(interrupt_after_a_finished_run_changes_nothing_but_the_flag) {
    spin_reset();
    Runtime *rt = make_runtime(2);
    Probe *s = vex_task_alloc_in(rt, sizeof(Probe), offsetof(Probe, result), sizeof(int32_t),
                                 probe_resume);
    s->id = 3;
    VexFuture *h = vex_task_spawn_in(rt, s);
    runtime_run(rt);
    CHECK(!runtime_interrupted(rt));
    runtime_interrupt(rt);
    CHECK(runtime_interrupted(rt));
    CHECK(!runtime_panicked(rt));
    int32_t v = -1;
    CHECK(vex_future_take(NULL, h, &v) == VEX_OUTCOME_VALUE);
    CHECK_EQ_U(v, 3);
    runtime_destroy(rt);
}

/* A task that sleeps a minute: a panic or an interrupt must abandon it, not wait for it. */
typedef struct {
    uint32_t tag;
} LongSleep;

static CoroStatus long_sleep_resume(WorkerContext *ctx, void *p) {
    LongSleep *s = p;
    if (s->tag == 0) {
        s->tag = 1;
        worker_await_after(ctx, 60000);
        return CORO_STATUS_YIELDED;
    }
    return CORO_STATUS_DONE;
}

/* A task waiting for a pipe that nobody writes. */
typedef struct {
    uint32_t tag;
    int fd;
} PipeWait;

static CoroStatus pipe_wait_resume(WorkerContext *ctx, void *p) {
    PipeWait *s = p;
    if (s->tag == 0) {
        s->tag = 1;
        worker_await_io(ctx, s->fd, EVENT_READ);
        return CORO_STATUS_YIELDED;
    }
    return CORO_STATUS_DONE;
}

static void *interrupt_later(void *arg) {
    usleep(15000);
    runtime_interrupt(arg);
    return NULL;
}

TEST(interrupt_wakes_idle_workers_and_abandons_waiting_tasks) {
    for (int workers = 1; workers <= 2; workers++) {
        capture_reset();
        int fds[2];
        CHECK(pipe(fds) == 0);
        Runtime *rt = make_runtime(workers);
        LongSleep *sl = vex_task_alloc_in(rt, sizeof(LongSleep), 0, 0, long_sleep_resume);
        VexFuture *sleeper = vex_task_spawn_in(rt, sl);
        PipeWait *pw = vex_task_alloc_in(rt, sizeof(PipeWait), 0, 0, pipe_wait_resume);
        pw->fd = fds[0];
        VexFuture *reader = vex_task_spawn_in(rt, pw);
        pthread_t th;
        CHECK(pthread_create(&th, NULL, interrupt_later, rt) == 0);
        int64_t t0 = wall_ms();
        runtime_run(rt);
        int64_t took = wall_ms() - t0;
        pthread_join(th, NULL);
        CHECK(took < 5000);
        CHECK(runtime_interrupted(rt));
        CHECK(!runtime_panicked(rt) && !runtime_exited(rt) && runtime_deadlocked(rt) == 0);
        CHECK_EQ_U(ncaptured[0] + ncaptured[1], 0);
        CHECK(vex_future_outcome(sleeper) == VEX_OUTCOME_PENDING);
        CHECK(vex_future_outcome(reader) == VEX_OUTCOME_PENDING);
        runtime_destroy(rt);
        close(fds[0]);
        close(fds[1]);
    }
}

/* ---- Stack overflow ---------------------------------------------------------------------------- */

/* Written only by the recursing task; read after runtime_run has joined its worker. */
static uint64_t deepest;             /* depth of the deepest frame that passed its check */
static uintptr_t deepest_sp;         /* and its stack pointer */
static uintptr_t overflow_limit;     /* the running thread's limit */
static int overflow_on_main;

/* `fn down(d: u64): u64 { let frame = [0u8; 256]; down(d + 1) + frame[...] }`: no base
 * case. The volatile frame keeps every activation at least 256 bytes deep. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Winfinite-recursion" /* by design: the guard ends it */
__attribute__((noinline)) static uint64_t down(uint64_t depth) {
    guard_check("deep.vx", 12, 3);
    volatile unsigned char frame[256];
    deepest = depth;
    deepest_sp = stack_pointer();
    frame[0] = (unsigned char)depth;
    frame[255] = (unsigned char)(depth >> 8);
    uint64_t below = down(depth + 1);
    return below + frame[depth & 255];
}
#pragma GCC diagnostic pop

typedef struct {
    uint32_t tag;
    int32_t result;
} Deep;

static _Atomic int deep_started;

static CoroStatus deep_resume(WorkerContext *ctx, void *p) {
    (void)ctx;
    Deep *s = p;
    overflow_limit = vex_guard_thread_limit();
    overflow_on_main = pthread_equal(pthread_self(), main_thread);
    atomic_store(&deep_started, 1);
    s->result = (int32_t)down(1);
    return CORO_STATUS_DONE;
}

/* Puts the recursing task on the other worker: a blocker task keeps its worker busy
 * until the recursion has started (bounded), and a host thread spawns the recursing task
 * once the blocker runs. Host spawns go to the injector, which a busy worker does not
 * look at, so only the other (idle) worker can take it. */
static VexFuture *launched_deep;
static int blocker_on_main;
static _Atomic int blocker_started;

static CoroStatus blocker_resume(WorkerContext *ctx, void *p) {
    (void)ctx;
    (void)p;
    blocker_on_main = pthread_equal(pthread_self(), main_thread);
    atomic_store(&blocker_started, 1);
    int64_t deadline = wall_ms() + START_WAIT_MS;
    while (!atomic_load(&deep_started) && wall_ms() < deadline) usleep(100);
    return CORO_STATUS_DONE;
}

static void *deep_spawner(void *arg) {
    Runtime *rt = arg;
    int64_t deadline = wall_ms() + START_WAIT_MS;
    while (!atomic_load(&blocker_started) && wall_ms() < deadline) usleep(100);
    Deep *d = vex_task_alloc_in(rt, sizeof(Deep), offsetof(Deep, result), sizeof(int32_t),
                                deep_resume);
    launched_deep = vex_task_spawn_in(rt, d);
    return NULL;
}

/* Runs a task that recurses without end on a `workers`-worker runtime (directly, or
 * beside a task that keeps the other worker busy, so that it runs on the remaining one). */
static void overflow_run(int workers, bool launched) {
    capture_reset();
    deepest = 0;
    deepest_sp = 0;
    overflow_limit = 0;
    overflow_on_main = -1;
    blocker_on_main = -1;
    launched_deep = NULL;
    atomic_store(&deep_started, 0);
    atomic_store(&blocker_started, 0);
    Runtime *rt = make_runtime(workers);
    LongSleep *ls = vex_task_alloc_in(rt, sizeof(LongSleep), 0, 0, long_sleep_resume);
    VexFuture *sleeper = vex_task_spawn_in(rt, ls);
    VexFuture *h = NULL, *blocker = NULL;
    pthread_t spawner;
    if (launched) {
        uint32_t *tag = vex_task_alloc_in(rt, 16, 0, 0, blocker_resume);
        blocker = vex_task_spawn_in(rt, tag);
        CHECK(pthread_create(&spawner, NULL, deep_spawner, rt) == 0);
    } else {
        Deep *d = vex_task_alloc_in(rt, sizeof(Deep), offsetof(Deep, result), sizeof(int32_t),
                                    deep_resume);
        h = vex_task_spawn_in(rt, d);
    }
    uintptr_t orig = vex_guard_set(SENTINEL_GUARD);
    int64_t t0 = wall_ms();
    runtime_run(rt);
    int64_t took = wall_ms() - t0;
    CHECK_EQ_U(vex_guard_set(orig), SENTINEL_GUARD);
    if (launched) {
        pthread_join(spawner, NULL);
        h = launched_deep;
    }
    fprintf(stderr, "  %d workers%s: %lld ms, depth %llu on the %s thread, %llu bytes above the limit\n",
            workers, launched ? " (beside a busy task)" : "", (long long)took,
            (unsigned long long)deepest, overflow_on_main ? "calling" : "worker",
            (unsigned long long)(deepest_sp > overflow_limit ? deepest_sp - overflow_limit : 0));
    CHECK(h != NULL);
    if (launched) {
        /* The blocker returned once the recursion had started on the other worker. */
        CHECK(vex_future_outcome(blocker) == VEX_OUTCOME_VALUE);
        CHECK(overflow_on_main != blocker_on_main);
    }
    CHECK(took < 10000);
    CHECK(runtime_panicked(rt));
    CHECK(!runtime_interrupted(rt) && !runtime_exited(rt));
    VexPanicInfo info;
    CHECK(runtime_panic_info(rt, &info));
    CHECK_STR(info.file, "deep.vx");
    CHECK_EQ_U(info.line, 12);
    CHECK_EQ_U(info.col, 3);
    CHECK_STR(info.message, "stack overflow");
    CHECK_STR(runtime_panic_message(rt), "panic at deep.vx:12:3: stack overflow");
    CHECK_STR(captured[1], "panic at deep.vx:12:3: stack overflow\n");
    CHECK_EQ_U(ncaptured[0], 0);
    CHECK(vex_future_outcome(h) == VEX_OUTCOME_PANICKED);
    CHECK(vex_future_outcome(sleeper) == VEX_OUTCOME_PENDING);
    /* It really recursed (at least 1000 frames of >= 256 bytes fit above the margin),
     * and stopped at the guard: the deepest frame that passed its check sits less than a
     * few frames above the limit. */
    CHECK(overflow_limit != 0);
    CHECK(deepest >= 1000);
    CHECK(deepest_sp >= overflow_limit);
    CHECK(deepest_sp - overflow_limit < 8192);
    runtime_destroy(rt);
}

TEST(stack_overflow_panics_at_the_check_on_one_worker) { overflow_run(1, false); }

TEST(stack_overflow_panics_at_the_check_on_two_workers) {
    for (int round = 0; round < 4 && !harness_current_failed; round++)
        overflow_run(2, round > 0);
}

/* ---- Program entry ----------------------------------------------------------------------------- */

enum { MAIN_RETURN_7, MAIN_PANIC, MAIN_EXIT_3, MAIN_SPIN, MAIN_UNIT };
static int main_mode;
static int main_calls;
static WorkerContext *main_ctx_seen = (WorkerContext *)1;

typedef struct {
    uint32_t tag;
    int32_t mode;
    int32_t result; /* i32 */
} MainState;

static CoroStatus main_resume(WorkerContext *ctx, void *p) {
    MainState *s = p;
    switch (s->mode) {
    case MAIN_RETURN_7:
    case MAIN_UNIT:
        if (s->tag == 0) { /* `await async_sleep(1)` first */
            s->tag = 1;
            worker_await_after(ctx, 1);
            return CORO_STATUS_YIELDED;
        }
        if (vex_task_cancelled(ctx)) return vex_task_finish_cancelled(ctx);
        if (s->mode == MAIN_RETURN_7) s->result = 7;
        return CORO_STATUS_DONE;
    case MAIN_PANIC:
        vex_panic_cstr("prog.vx", 4, 9, "main failed");
    case MAIN_EXIT_3:
        vex_exit(3);
    default:
        return spin_body(&spin_rec[0]);
    }
}

/* The wrapper compiled code would have: one allocation, zeroed state, spawn. */
static VexFuture *main_wrapper(WorkerContext *ctx) {
    main_calls++;
    main_ctx_seen = ctx;
    MainState *s = vex_task_alloc(sizeof(MainState), offsetof(MainState, result),
                                  main_mode == MAIN_UNIT ? 0 : sizeof(int32_t), main_resume);
    s->tag = 0;
    s->mode = main_mode;
    return vex_task_spawn(ctx, s);
}

static VexRunReport program(int workers, int mode, Runtime **rt_out) {
    capture_reset();
    main_mode = mode;
    main_calls = 0;
    main_ctx_seen = (WorkerContext *)1;
    Runtime *rt = make_runtime(workers);
    VexRunReport report;
    memset(&report, 0x5a, sizeof report);
    int32_t code = vex_program_run(rt, main_wrapper, mode == MAIN_UNIT ? 0 : 4, &report);
    if (code != report.exit_code) report.ending = -1; /* makes the caller's check fail */
    *rt_out = rt;
    return report;
}

TEST(program_returning_7_exits_with_7) {
    for (int workers = 1; workers <= 2; workers++) {
        Runtime *rt;
        VexRunReport r = program(workers, MAIN_RETURN_7, &rt);
        CHECK_EQ_U(main_calls, 1);
        CHECK(main_ctx_seen == NULL);
        CHECK_EQ_U(r.ending, VEX_ENDING_RETURNED);
        CHECK_EQ_U(r.exit_code, 7);
        CHECK_EQ_U(r.deadlocked, 0);
        CHECK(r.panic.file == NULL && r.panic.message == NULL);
        CHECK_EQ_U(ncaptured[0] + ncaptured[1], 0);
        VexCounters c;
        runtime_counters(rt, &c);
        CHECK_EQ_U(c.alive, 0);
        runtime_destroy(rt);
    }
    /* A unit main (result size 0) returns 0. */
    Runtime *rt;
    VexRunReport r = program(1, MAIN_UNIT, &rt);
    CHECK_EQ_U(r.ending, VEX_ENDING_RETURNED);
    CHECK_EQ_U(r.exit_code, 0);
    runtime_destroy(rt);
    /* Without a report. */
    main_mode = MAIN_RETURN_7;
    rt = make_runtime(1);
    CHECK_EQ_U(vex_program_run(rt, main_wrapper, 4, NULL), 7);
    runtime_destroy(rt);
}

static bool read_file(const char *path, char *buf, size_t cap, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    *len = fread(buf, 1, cap - 1, f);
    buf[*len] = 0;
    fclose(f);
    return true;
}

/* Writes `r` through vex_report_write and compares the file's text. */
static bool report_text_is(const VexRunReport *r, const char *want) {
    char path[] = "/tmp/vex-guard-report-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return false;
    close(fd);
    char text[1024];
    size_t len = 0;
    bool ok = vex_report_write(path, r) == 0 && read_file(path, text, sizeof text, &len) &&
              len == strlen(want) && memcmp(text, want, len) == 0;
    if (!ok) fprintf(stderr, "  report text:\n%.*s\n  wanted:\n%s\n", (int)len, text, want);
    unlink(path);
    return ok;
}

TEST(program_panicking_exits_with_101_and_reports_the_panic) {
    for (int workers = 1; workers <= 2; workers++) {
        Runtime *rt;
        VexRunReport r = program(workers, MAIN_PANIC, &rt);
        CHECK_EQ_U(r.ending, VEX_ENDING_PANICKED);
        CHECK_EQ_U(r.exit_code, 101);
        CHECK_EQ_U(r.deadlocked, 0);
        CHECK(r.panic.file && r.panic.message);
        CHECK_STR(r.panic.file, "prog.vx");
        CHECK_STR(r.panic.message, "main failed");
        CHECK_EQ_U(r.panic.line, 4);
        CHECK_EQ_U(r.panic.col, 9);
        CHECK_STR(captured[1], "panic at prog.vx:4:9: main failed\n");
        CHECK_EQ_U(ncaptured[0], 0);
        CHECK(report_text_is(&r, "vex-report 1\n"
                                 "ending 2\n"
                                 "exit_code 101\n"
                                 "deadlocked 0\n"
                                 "line 4\n"
                                 "col 9\n"
                                 "file 7\n"
                                 "prog.vx\n"
                                 "message 11\n"
                                 "main failed\n"));
        runtime_destroy(rt);
    }
    /* A returned run: empty file and message. */
    VexRunReport ret = {.ending = VEX_ENDING_RETURNED, .exit_code = 7};
    CHECK(report_text_is(&ret, "vex-report 1\nending 0\nexit_code 7\ndeadlocked 0\nline 0\n"
                               "col 0\nfile 0\n\nmessage 0\n\n"));
    /* An unwritable path fails with -1. */
    CHECK_EQ_U(vex_report_write("/nonexistent-dir/vex-report", &ret), (unsigned long long)-1);
}

TEST(program_calling_exit_3_exits_with_3) {
    for (int workers = 1; workers <= 2; workers++) {
        Runtime *rt;
        VexRunReport r = program(workers, MAIN_EXIT_3, &rt);
        CHECK_EQ_U(r.ending, VEX_ENDING_EXITED);
        CHECK_EQ_U(r.exit_code, 3);
        CHECK(r.panic.file == NULL && r.panic.message == NULL);
        CHECK_EQ_U(ncaptured[0] + ncaptured[1], 0);
        CHECK(!runtime_panicked(rt));
        runtime_destroy(rt);
    }
}

typedef struct {
    Runtime *rt;
    bool started;
    int64_t interrupted_at;
} ProgramInterrupter;

static void *program_interrupter(void *arg) {
    ProgramInterrupter *pi = arg;
    pi->started = wait_started(0);
    usleep(15000);
    pi->interrupted_at = wall_ms();
    runtime_interrupt(pi->rt);
    return NULL;
}

TEST(program_interrupted_while_spinning_exits_with_124) {
    for (int workers = 1; workers <= 2; workers++) {
        spin_reset();
        capture_reset();
        main_mode = MAIN_SPIN;
        Runtime *rt = make_runtime(workers);
        ProgramInterrupter pi = {.rt = rt};
        pthread_t th;
        CHECK(pthread_create(&th, NULL, program_interrupter, &pi) == 0);
        VexRunReport r;
        int32_t code = vex_program_run(rt, main_wrapper, 4, &r);
        int64_t returned_at = wall_ms();
        pthread_join(th, NULL);
        CHECK(pi.started);
        CHECK(!atomic_load(&spin_rec[0].timed_out));
        CHECK(returned_at - pi.interrupted_at < 2000);
        CHECK_EQ_U(code, VEX_INTERRUPTED_EXIT_CODE);
        CHECK_EQ_U(r.ending, VEX_ENDING_INTERRUPTED);
        CHECK_EQ_U(r.exit_code, VEX_INTERRUPTED_EXIT_CODE);
        CHECK(r.panic.file == NULL && r.panic.message == NULL);
        CHECK_EQ_U(ncaptured[0] + ncaptured[1], 0);
        CHECK(!runtime_panicked(rt));
        runtime_destroy(rt);
    }
    /* Interrupted before it started: main never gets past its first check. */
    spin_reset();
    capture_reset();
    main_mode = MAIN_SPIN;
    Runtime *rt = make_runtime(2);
    runtime_interrupt(rt);
    VexRunReport r;
    CHECK_EQ_U(vex_program_run(rt, main_wrapper, 4, &r), VEX_INTERRUPTED_EXIT_CODE);
    CHECK_EQ_U(r.ending, VEX_ENDING_INTERRUPTED);
    CHECK(!atomic_load(&spin_rec[0].started));
    CHECK_EQ_U(ncaptured[0] + ncaptured[1], 0);
    runtime_destroy(rt);
}

/* ---- Driver ------------------------------------------------------------------------------------ */

static void watchdog_fired(int sig) {
    (void)sig;
    static const char msg[] = "test_guard: watchdog expired: a run did not stop\n";
    ssize_t n = write(2, msg, sizeof msg - 1);
    (void)n;
    _exit(3);
}

#define GRUN(name)                                                                     \
    do {                                                                               \
        alarm(WATCHDOG_SECONDS);                                                       \
        RUN(name);                                                                     \
        alarm(0);                                                                      \
    } while (0)

/* ---- Every stop stops tasks spinning on other workers ------------------------------------ */

static int stop_mode; /* 0: panic, 1: vex_exit, 2: runtime_shutdown */
static _Atomic int stopper_started;

/* Holds its worker (so the spinner can only go to the other one) until the spinner
 * runs, then stops the run. */
static CoroStatus stopper_resume(WorkerContext *ctx, void *p) {
    (void)p;
    atomic_store(&stopper_started, 1);
    int64_t deadline = wall_ms() + START_WAIT_MS;
    while (!atomic_load(&spin_rec[0].started) && wall_ms() < deadline) guard_check("stop.vx", 1, 1);
    if (stop_mode == 0) vex_panic_cstr("stop.vx", 1, 2, "boom");
    if (stop_mode == 1) vex_exit(3);
    runtime_shutdown(worker_runtime(ctx));
    return CORO_STATUS_DONE;
}

static void *spawn_spinner_later(void *arg) {
    Runtime *rt = arg;
    int64_t deadline = wall_ms() + START_WAIT_MS;
    while (!atomic_load(&stopper_started) && wall_ms() < deadline) usleep(1000);
    spin_handle[0] = spin_spawn(rt, 0);
    return NULL;
}

/* A panic, vex_exit or runtime_shutdown on one worker ends the run although a task on
 * another worker never suspends: it is stopped at its next guard check, silently. */
static void stop_while_another_worker_spins(int mode) {
    stop_mode = mode;
    atomic_store(&stopper_started, 0);
    spin_reset();
    capture_reset();
    Runtime *rt = make_runtime(2);
    vex_future_release(vex_task_spawn_in(rt, vex_task_alloc_in(rt, 16, 0, 0, stopper_resume)));
    pthread_t spawner;
    CHECK(pthread_create(&spawner, NULL, spawn_spinner_later, rt) == 0);
    int64_t start = wall_ms();
    runtime_run(rt);
    int64_t took = wall_ms() - start;
    pthread_join(spawner, NULL);
    CHECK(took < 2000);
    CHECK(atomic_load(&spin_rec[0].started));
    CHECK(!atomic_load(&spin_rec[0].timed_out));
    CHECK(runtime_panicked(rt) == (mode == 0));
    CHECK(runtime_exited(rt) == (mode == 1));
    CHECK(!runtime_interrupted(rt));
    /* Only the panic prints; the stopped spinner does not (no `stack overflow`). */
    CHECK_STR(captured[1], mode == 0 ? "panic at stop.vx:1:2: boom\n" : "");
    vex_future_release(spin_handle[0]);
    runtime_destroy(rt);
}

TEST(a_panic_stops_a_task_spinning_on_another_worker) { stop_while_another_worker_spins(0); }
TEST(exit_stops_a_task_spinning_on_another_worker) { stop_while_another_worker_spins(1); }
TEST(shutdown_stops_a_task_spinning_on_another_worker) { stop_while_another_worker_spins(2); }

int main(void) {
    main_thread = pthread_self();
    if (!HAVE_GUARD) {
        fprintf(stderr, "test_guard: no guard slot on this target, skipped\n");
        HARNESS_END();
    }
    signal(SIGALRM, watchdog_fired);
    GRUN(guard_set_swaps_the_threads_guard_word);
    GRUN(thread_limit_is_the_margin_above_the_stack_end);
    GRUN(workers_hold_their_limit_while_running_and_restore_the_callers_guard);
    GRUN(interrupt_stops_a_spinning_task_on_one_worker);
    GRUN(interrupt_stops_spinning_tasks_on_two_workers);
    GRUN(interrupt_stops_spinning_tasks_on_four_workers);
    GRUN(interrupt_before_the_run_stops_it_at_the_first_check);
    GRUN(interrupt_after_a_finished_run_changes_nothing_but_the_flag);
    GRUN(interrupt_wakes_idle_workers_and_abandons_waiting_tasks);
    GRUN(stack_overflow_panics_at_the_check_on_one_worker);
    GRUN(stack_overflow_panics_at_the_check_on_two_workers);
    GRUN(program_returning_7_exits_with_7);
    GRUN(program_panicking_exits_with_101_and_reports_the_panic);
    GRUN(program_calling_exit_3_exits_with_3);
    GRUN(program_interrupted_while_spinning_exits_with_124);
    GRUN(a_panic_stops_a_task_spinning_on_another_worker);
    GRUN(exit_stops_a_task_spinning_on_another_worker);
    GRUN(shutdown_stops_a_task_spinning_on_another_worker);
    HARNESS_END();
}
