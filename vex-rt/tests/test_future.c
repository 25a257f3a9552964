/*
 * test_future.c — runtime tests through the public ABI with hand-written state machines:
 * spawn and join with results, awaiting a finished future without suspending, FIFO
 * yields and ordered timers in deterministic mode, I/O readiness, cancellation of
 * sleeping / I/O-waiting / awaiting tasks, cancelled children cancelling their awaiter,
 * panics stopping the runtime, output capture, the seed's spawn_global, counters, host
 * spawns into several runtimes, an idle worker taking part of a busy worker's queue, a
 * spawned child running beside its busy parent, real-clock scheduling order (an awaiter
 * resuming after its spawned batch, fan-outs running depth-first), real-clock sleeps
 * never ending early.
 */
#define _GNU_SOURCE
#include "harness.h"
#include "vex_rt.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A log of (id, time) events written by tasks. */
static _Atomic int nlog;
static int log_id[4096];
static int64_t log_time[4096];
static void log_event(int id) {
    int i = atomic_fetch_add(&nlog, 1);
    log_id[i] = id;
    log_time[i] = now_ms();
}

/* ---- child: returns x * 2 ------------------------------------------------------------- */
typedef struct {
    uint32_t tag;
    int64_t x;
    int64_t result;
} Child;

static CoroStatus child_resume(WorkerContext *ctx, void *p) {
    (void)ctx;
    Child *c = p;
    c->result = c->x * 2;
    return CORO_STATUS_DONE;
}

static VexFuture *child_spawn(WorkerContext *ctx, int64_t x) {
    Child *c = vex_task_alloc(sizeof(Child), offsetof(Child, result), sizeof(int64_t), child_resume);
    c->x = x;
    return vex_task_spawn(ctx, c);
}

/* ---- parent: spawns n children, awaits all, returns the sum ------------------------------ */
typedef struct {
    uint32_t tag;
    int64_t n, i, sum;
    VexFuture *child;
    VexFuture **handles;
    int64_t resumes;
    int64_t result;
} Parent;

static CoroStatus parent_resume(WorkerContext *ctx, void *p) {
    Parent *s = p;
    s->resumes++;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    }
    for (s->i = 0; s->i < s->n; s->i++) s->handles[s->i] = child_spawn(ctx, s->i);
    for (s->i = 0; s->i < s->n; s->i++) {
        s->child = s->handles[s->i];
        s->tag = 1;
        if (!vex_future_poll_or_register(ctx, s->child)) return CORO_STATUS_YIELDED;
    resume1:
        if (vex_task_cancelled(ctx)) return vex_task_finish_cancelled(ctx);
        int64_t v = -1;
        if (vex_future_take(ctx, s->child, &v) != VEX_OUTCOME_VALUE)
            return vex_task_finish_cancelled(ctx);
        s->sum += v;
    }
    s->result = s->sum;
    return CORO_STATUS_DONE;
}

TEST(spawn_and_join_values) {
    Runtime *rt = runtime_create(2);
    enum { N = 10000 };
    static VexFuture *handles[N];
    Parent *p = vex_task_alloc_in(rt, sizeof(Parent), offsetof(Parent, result), sizeof(int64_t), parent_resume);
    p->n = N;
    p->handles = handles;
    VexFuture *h = vex_task_spawn_in(rt, p);
    runtime_run(rt);
    CHECK(vex_future_outcome(h) == VEX_OUTCOME_VALUE);
    int64_t sum = 0;
    CHECK(vex_future_take(NULL, h, &sum) == VEX_OUTCOME_VALUE);
    CHECK_EQ_U(sum, (int64_t)N * (N - 1));
    VexCounters c;
    runtime_counters(rt, &c);
    CHECK_EQ_U(c.spawned, N + 1);
    CHECK_EQ_U(c.finished, N + 1);
    CHECK_EQ_U(c.alive, 0);
    CHECK(!runtime_panicked(rt));
    runtime_destroy(rt);
}

/* ---- yielder: yields k times, logging its id each time ------------------------------------ */
typedef struct {
    uint32_t tag;
    int id, k, i;
} Yielder;

static CoroStatus yielder_resume(WorkerContext *ctx, void *p) {
    Yielder *s = p;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    }
    for (s->i = 0; s->i < s->k; s->i++) {
        log_event(s->id);
        s->tag = 1;
        worker_yield(ctx);
        return CORO_STATUS_YIELDED;
    resume1:;
    }
    return CORO_STATUS_DONE;
}

TEST(deterministic_yields_run_fifo) {
    VexRuntimeOptions o = {.workers = 4, .virtual_clock = true};
    Runtime *rt = runtime_create_with(&o);
    CHECK_EQ_U(runtime_workers(rt), 1);
    atomic_store(&nlog, 0);
    for (int id = 0; id < 3; id++) {
        Yielder *y = vex_task_alloc_in(rt, sizeof(Yielder), 0, 0, yielder_resume);
        y->id = id;
        y->k = 3;
        vex_future_release(vex_task_spawn_in(rt, y));
    }
    runtime_run(rt);
    CHECK_EQ_U(atomic_load(&nlog), 9);
    for (int i = 0; i < 9; i++) CHECK_EQ_U(log_id[i], i % 3);
    runtime_destroy(rt);
}

/* ---- sleeper: sleeps ms, logs, returns id; observes cancellation ------------------------- */
typedef struct {
    uint32_t tag;
    int id;
    uint64_t ms;
    int result;
} Sleeper;

static CoroStatus sleeper_resume(WorkerContext *ctx, void *p) {
    Sleeper *s = p;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    }
    s->tag = 1;
    worker_await_after(ctx, s->ms);
    return CORO_STATUS_YIELDED;
resume1:
    if (cancel_requested(worker_cancel_token(ctx))) return vex_task_finish_cancelled(ctx);
    log_event(s->id);
    s->result = s->id;
    return CORO_STATUS_DONE;
}

static VexFuture *sleeper_spawn(Runtime *rt, WorkerContext *ctx, int id, uint64_t ms) {
    Sleeper *s = rt ? vex_task_alloc_in(rt, sizeof(Sleeper), offsetof(Sleeper, result), sizeof(int), sleeper_resume)
                    : vex_task_alloc(sizeof(Sleeper), offsetof(Sleeper, result), sizeof(int), sleeper_resume);
    s->id = id;
    s->ms = ms;
    return rt ? vex_task_spawn_in(rt, s) : vex_task_spawn(ctx, s);
}

TEST(deterministic_timers_fire_in_order_with_virtual_time) {
    VexRuntimeOptions o = {.workers = 1, .virtual_clock = true};
    Runtime *rt = runtime_create_with(&o);
    atomic_store(&nlog, 0);
    uint64_t ms[] = {300, 5, 70000, 5, 64, 4096, 0, 5, 300};
    int n = sizeof ms / sizeof ms[0];
    for (int i = 0; i < n; i++) vex_future_release(sleeper_spawn(rt, NULL, i, ms[i]));
    int64_t start = wall_ms();
    runtime_run(rt);
    CHECK(wall_ms() - start < 1000); /* virtual: no real waiting */
    int want[] = {6, 1, 3, 7, 4, 0, 8, 5, 2};
    CHECK_EQ_U(atomic_load(&nlog), n);
    for (int i = 0; i < n; i++) {
        CHECK_EQ_U(log_id[i], want[i]);
        CHECK_EQ_U(log_time[i], ms[want[i]]);
    }
    runtime_destroy(rt);
}

TEST(real_timers_fire_after_their_deadline) {
    Runtime *rt = runtime_create(2);
    atomic_store(&nlog, 0);
    int64_t start = wall_ms();
    for (int i = 0; i < 50; i++) vex_future_release(sleeper_spawn(rt, NULL, i, (uint64_t)(i % 10) * 5));
    runtime_run(rt);
    CHECK_EQ_U(atomic_load(&nlog), 50);
    for (int i = 0; i < 50; i++) CHECK(log_time[i] >= (int64_t)(log_id[i] % 10) * 5);
    CHECK(wall_ms() - start >= 45);
    runtime_destroy(rt);
}

/* ---- canceller: sleeps ms then cancels a target ------------------------------------------- */
typedef struct {
    uint32_t tag;
    uint64_t ms;
    VexFuture *target;
} Canceller;

static CoroStatus canceller_resume(WorkerContext *ctx, void *p) {
    Canceller *s = p;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    }
    s->tag = 1;
    worker_await_after(ctx, s->ms);
    return CORO_STATUS_YIELDED;
resume1:
    vex_future_cancel(s->target);
    vex_future_cancel(s->target); /* twice is harmless */
    vex_future_release(s->target);
    return CORO_STATUS_DONE;
}

static void spawn_canceller(Runtime *rt, VexFuture *target, uint64_t ms) {
    Canceller *c = vex_task_alloc_in(rt, sizeof(Canceller), 0, 0, canceller_resume);
    c->ms = ms;
    c->target = vex_future_retain(target);
    vex_future_release(vex_task_spawn_in(rt, c));
}

TEST(cancel_ends_a_pending_sleep_at_once) {
    Runtime *rt = runtime_create(2);
    VexFuture *h = sleeper_spawn(rt, NULL, 1, 60000);
    spawn_canceller(rt, h, 10);
    int64_t start = wall_ms();
    runtime_run(rt);
    CHECK(wall_ms() - start < 2000);
    CHECK(vex_future_outcome(h) == VEX_OUTCOME_CANCELLED);
    VexCounters c;
    runtime_counters(rt, &c);
    CHECK_EQ_U(c.cancelled, 1);
    CHECK(vex_future_take(NULL, h, NULL) == VEX_OUTCOME_CANCELLED);
    runtime_destroy(rt);
}

TEST(cancel_finished_task_is_noop) {
    Runtime *rt = runtime_create(1);
    VexFuture *h = sleeper_spawn(rt, NULL, 7, 1);
    runtime_run(rt);
    vex_future_cancel(h);
    CHECK(vex_future_outcome(h) == VEX_OUTCOME_VALUE);
    int v = 0;
    CHECK(vex_future_take(NULL, h, &v) == VEX_OUTCOME_VALUE);
    CHECK_EQ_U(v, 7);
    runtime_destroy(rt);
}

/* ---- reader: waits for a pipe to become readable, then reads one byte -------------------- */
typedef struct {
    uint32_t tag;
    int fd;
    int result;
} Reader;

static CoroStatus reader_resume(WorkerContext *ctx, void *p) {
    Reader *s = p;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    }
    s->tag = 1;
    worker_await_io(ctx, s->fd, EVENT_READ);
    return CORO_STATUS_YIELDED;
resume1:
    if (vex_task_cancelled(ctx)) return vex_task_finish_cancelled(ctx);
    char ch = 0;
    if (read(s->fd, &ch, 1) != 1) return vex_task_finish_cancelled(ctx);
    s->result = ch;
    return CORO_STATUS_DONE;
}

typedef struct {
    uint32_t tag;
    int fd;
} Writer;

static CoroStatus writer_resume(WorkerContext *ctx, void *p) {
    Writer *s = p;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    }
    s->tag = 1;
    worker_await_after(ctx, 5);
    return CORO_STATUS_YIELDED;
resume1:
    if (write(s->fd, "z", 1) != 1) return vex_task_finish_cancelled(ctx);
    return CORO_STATUS_DONE;
}

TEST(io_readiness_wakes_the_waiting_task) {
    for (int workers = 1; workers <= 2; workers++) {
        Runtime *rt = runtime_create(workers);
        int p[2];
        CHECK(pipe(p) == 0);
        Reader *r = vex_task_alloc_in(rt, sizeof(Reader), offsetof(Reader, result), sizeof(int), reader_resume);
        r->fd = p[0];
        VexFuture *h = vex_task_spawn_in(rt, r);
        Writer *w = vex_task_alloc_in(rt, sizeof(Writer), 0, 0, writer_resume);
        w->fd = p[1];
        vex_future_release(vex_task_spawn_in(rt, w));
        runtime_run(rt);
        int v = 0;
        CHECK(vex_future_take(NULL, h, &v) == VEX_OUTCOME_VALUE);
        CHECK_EQ_U(v, 'z');
        close(p[0]);
        close(p[1]);
        runtime_destroy(rt);
    }
}

TEST(cancel_ends_a_pending_io_wait) {
    Runtime *rt = runtime_create(2);
    int p[2];
    CHECK(pipe(p) == 0);
    Reader *r = vex_task_alloc_in(rt, sizeof(Reader), offsetof(Reader, result), sizeof(int), reader_resume);
    r->fd = p[0];
    VexFuture *h = vex_task_spawn_in(rt, r);
    spawn_canceller(rt, h, 10);
    int64_t start = wall_ms();
    runtime_run(rt);
    CHECK(wall_ms() - start < 2000);
    CHECK(vex_future_take(NULL, h, NULL) == VEX_OUTCOME_CANCELLED);
    close(p[0]);
    close(p[1]);
    runtime_destroy(rt);
}

/* ---- awaiter: awaits a given future, returns its value or finishes cancelled ------------ */
typedef struct {
    uint32_t tag;
    VexFuture *child;
    int result;
} Awaiter;
static bool awaiter_check_failed;

static CoroStatus awaiter_resume(WorkerContext *ctx, void *p) {
    Awaiter *s = p;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    }
    s->tag = 1;
    if (!vex_future_poll_or_register(ctx, s->child)) return CORO_STATUS_YIELDED;
resume1:
    if (vex_task_cancelled(ctx)) {
        vex_future_release(s->child);
        return vex_task_finish_cancelled(ctx);
    }
    if (vex_future_take(ctx, s->child, &s->result) != VEX_OUTCOME_VALUE) {
        if (!vex_task_cancelled(ctx)) awaiter_check_failed = true;
        return vex_task_finish_cancelled(ctx);
    }
    return CORO_STATUS_DONE;
}


TEST(cancelled_child_cancels_its_awaiter) {
    Runtime *rt = runtime_create(2);
    awaiter_check_failed = false;
    VexFuture *child = sleeper_spawn(rt, NULL, 1, 60000);
    Awaiter *a = vex_task_alloc_in(rt, sizeof(Awaiter), offsetof(Awaiter, result), sizeof(int), awaiter_resume);
    a->child = vex_future_retain(child);
    VexFuture *h = vex_task_spawn_in(rt, a);
    spawn_canceller(rt, child, 10);
    vex_future_release(child);
    runtime_run(rt);
    CHECK(!awaiter_check_failed);
    CHECK(vex_future_take(NULL, h, NULL) == VEX_OUTCOME_CANCELLED);
    runtime_destroy(rt);
}

TEST(cancel_wakes_a_task_awaiting_a_child) {
    Runtime *rt = runtime_create(2);
    VexFuture *child = sleeper_spawn(rt, NULL, 1, 150);
    Awaiter *a = vex_task_alloc_in(rt, sizeof(Awaiter), offsetof(Awaiter, result), sizeof(int), awaiter_resume);
    a->child = child;
    VexFuture *h = vex_task_spawn_in(rt, a);
    spawn_canceller(rt, h, 10);
    runtime_run(rt); /* drains: also waits for the child */
    CHECK(vex_future_take(NULL, h, NULL) == VEX_OUTCOME_CANCELLED);
    VexCounters c;
    runtime_counters(rt, &c);
    CHECK_EQ_U(c.finished, 3);
    CHECK_EQ_U(c.cancelled, 1);
    runtime_destroy(rt);
}

TEST(awaiting_a_finished_future_does_not_suspend) {
    VexRuntimeOptions o = {.workers = 1, .virtual_clock = true};
    Runtime *rt = runtime_create_with(&o);
    static VexFuture *handles[3];
    Parent *p = vex_task_alloc_in(rt, sizeof(Parent), offsetof(Parent, result), sizeof(int64_t), parent_resume);
    p->n = 3;
    p->handles = handles;
    VexFuture *h = vex_task_spawn_in(rt, p);
    runtime_run(rt);
    /* Deterministic FIFO: the first await suspends (children not yet run); once resumed all
     * children have finished, so the other awaits continue in place. */
    CHECK_EQ_U(p->resumes, 2);
    int64_t sum = 0;
    CHECK(vex_future_take(NULL, h, &sum) == VEX_OUTCOME_VALUE);
    CHECK_EQ_U(sum, 6);
    runtime_destroy(rt);
}

/* ---- panicker ------------------------------------------------------------------------------ */
static CoroStatus panicker_resume(WorkerContext *ctx, void *p) {
    uint32_t *tag = p;
    if (*tag == 0) {
        *tag = 1;
        worker_await_after(ctx, 5);
        return CORO_STATUS_YIELDED;
    }
    vex_panic_cstr("main.vx", 3, 7, "boom");
}

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

TEST(panic_stops_the_runtime_and_is_reported) {
    ncaptured[0] = ncaptured[1] = 0;
    captured[1][0] = 0;
    VexRuntimeOptions o = {.workers = 2, .sink = capture_sink};
    Runtime *rt = runtime_create_with(&o);
    VexFuture *sleeper = sleeper_spawn(rt, NULL, 1, 60000);
    uint32_t *t = vex_task_alloc_in(rt, 16, 0, 0, panicker_resume);
    VexFuture *h = vex_task_spawn_in(rt, t);
    int64_t start = wall_ms();
    runtime_run(rt);
    CHECK(wall_ms() - start < 2000);
    CHECK(runtime_panicked(rt));
    CHECK_STR(runtime_panic_message(rt), "panic at main.vx:3:7: boom");
    CHECK_STR(captured[1], "panic at main.vx:3:7: boom\n");
    CHECK(vex_future_outcome(h) == VEX_OUTCOME_PANICKED);
    CHECK(vex_future_outcome(sleeper) == VEX_OUTCOME_PENDING);
    runtime_run(rt); /* a stopped runtime returns at once */
    runtime_destroy(rt); /* frees the abandoned tasks too */
}

static void sync_panic(void *arg) {
    (void)arg;
    vex_panic_cstr("sync.vx", 1, 2, "sync boom");
}
static void sync_ok(void *arg) { *(int *)arg = 5; }

TEST(catch_panic_off_worker) {
    int x = 0;
    CHECK_EQ_U(vex_catch_panic(sync_ok, &x), 0);
    CHECK_EQ_U(x, 5);
    VexRuntimeOptions o = {.workers = 1, .sink = capture_sink};
    Runtime *rt = runtime_create_with(&o);
    ncaptured[1] = 0;
    runtime_set_current(rt);
    CHECK_EQ_U(vex_catch_panic(sync_panic, NULL), 101);
    CHECK_STR(captured[1], "panic at sync.vx:1:2: sync boom\n");
    runtime_set_current(NULL);
    runtime_destroy(rt);
}

/* ---- printer --------------------------------------------------------------------------------- */
typedef struct {
    uint32_t tag;
    int64_t n;
} Printer;

static CoroStatus printer_resume(WorkerContext *ctx, void *p) {
    (void)ctx;
    Printer *s = p;
    VexString *a = vex_string_from_bytes("n = ", 4);
    VexString *b = vex_string_from_i64(s->n);
    VexString *c = vex_string_concat(a, b);
    vex_print(1, c, true);
    VexString *f = vex_string_from_f64(17.0);
    vex_print(2, f, false);
    vex_string_release(a);
    vex_string_release(b);
    vex_string_release(c);
    vex_string_release(f);
    return CORO_STATUS_DONE;
}

TEST(sink_captures_stdout_and_stderr) {
    ncaptured[0] = ncaptured[1] = 0;
    Runtime *rt = runtime_create(1);
    runtime_set_sink(rt, capture_sink, NULL);
    Printer *p = vex_task_alloc_in(rt, sizeof(Printer), 0, 0, printer_resume);
    p->n = 42;
    vex_future_release(vex_task_spawn_in(rt, p));
    runtime_run(rt);
    CHECK_STR(captured[0], "n = 42\n");
    CHECK_STR(captured[1], "17");
    runtime_destroy(rt);
}

/* ---- seed API ----------------------------------------------------------------------------- */
typedef struct {
    int tag;
    int hits;
} SeedState;

static CoroStatus seed_resume(WorkerContext *ctx, void *p) {
    SeedState *s = p;
    s->hits++;
    if (s->tag == 0) {
        s->tag = 1;
        worker_await_after(ctx, 1);
        return CORO_STATUS_YIELDED;
    }
    return CORO_STATUS_DONE;
}

TEST(seed_spawn_global_runs_caller_state) {
    Runtime *rt = runtime_create(0);
    CHECK(runtime_workers(rt) >= 1);
    SeedState s = {0, 0};
    runtime_spawn_global(rt, seed_resume, &s);
    runtime_run(rt);
    CHECK_EQ_U(s.hits, 2);
    runtime_destroy(rt);
}

/* ---- host cancellation from another thread ------------------------------------------------ */
static void *host_cancel(void *arg) {
    usleep(20000);
    cancel_token_cancel(arg);
    return NULL;
}

TEST(host_thread_cancels_through_a_token) {
    Runtime *rt = runtime_create(2);
    VexFuture *h = sleeper_spawn(rt, NULL, 1, 60000);
    pthread_t th;
    pthread_create(&th, NULL, host_cancel, vex_future_cancel_token(h));
    runtime_run(rt);
    pthread_join(th, NULL);
    CHECK(vex_future_take(NULL, h, NULL) == VEX_OUTCOME_CANCELLED);
    runtime_destroy(rt);
}

/* ---- ping-pong through worker_await_wake / vex_future_wake ------------------------------ */
typedef struct {
    _Atomic int turn; /* 0: ping's turn, 1: pong's */
    _Atomic long rounds;
    long limit;
    VexFuture *ping, *pong;
} Table;

typedef struct {
    uint32_t tag;
    int side;
    Table *table;
} Player;

static CoroStatus player_resume(WorkerContext *ctx, void *p) {
    Player *s = p;
    Table *t = s->table;
    for (;;) {
        if (atomic_load(&t->rounds) >= t->limit) {
            /* Let the partner see the end too. */
            vex_future_wake(s->side == 0 ? t->pong : t->ping);
            return CORO_STATUS_DONE;
        }
        if (atomic_load(&t->turn) != s->side) break;
        if (s->side == 1) atomic_fetch_add(&t->rounds, 1);
        atomic_store(&t->turn, 1 - s->side);
        vex_future_wake(s->side == 0 ? t->pong : t->ping);
    }
    worker_await_wake(ctx);
    return CORO_STATUS_YIELDED;
}

TEST(ping_pong_with_explicit_wakes) {
    for (int workers = 1; workers <= 2; workers++) {
        Runtime *rt = runtime_create(workers);
        static Table t;
        atomic_store(&t.turn, 0);
        atomic_store(&t.rounds, 0);
        t.limit = stress_size(20000);
        Player *pong = vex_task_alloc_in(rt, sizeof(Player), 0, 0, player_resume);
        pong->side = 1;
        pong->table = &t;
        t.pong = vex_task_spawn_in(rt, pong);
        Player *ping = vex_task_alloc_in(rt, sizeof(Player), 0, 0, player_resume);
        ping->side = 0;
        ping->table = &t;
        t.ping = vex_task_spawn_in(rt, ping);
        runtime_run(rt);
        CHECK_EQ_U(atomic_load(&t.rounds), t.limit);
        CHECK(vex_future_outcome(t.ping) == VEX_OUTCOME_VALUE);
        CHECK(vex_future_outcome(t.pong) == VEX_OUTCOME_VALUE);
        vex_future_release(t.ping);
        vex_future_release(t.pong);
        runtime_destroy(rt);
    }
}

/* ---- real-clock sleeps never end early ---------------------------------------------------- */
static int64_t mono_ns_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static _Atomic int early_wakes, punctual_left;

typedef struct {
    uint32_t tag;
    uint64_t ms;
    int64_t start_ns;
} Punctual;

static CoroStatus punctual_resume(WorkerContext *ctx, void *p) {
    Punctual *s = p;
    if (s->tag == 0) {
        s->tag = 1;
        s->start_ns = mono_ns_now();
        worker_await_after(ctx, s->ms);
        return CORO_STATUS_YIELDED;
    }
    if (mono_ns_now() - s->start_ns < (int64_t)s->ms * 1000000) atomic_fetch_add(&early_wakes, 1);
    atomic_fetch_sub(&punctual_left, 1);
    return CORO_STATUS_DONE;
}

/* Yields until every sleeper is done: its worker checks the timers every few ticks, so
 * timers fire right at millisecond boundaries (where a rounded-down start would show). */
static CoroStatus busy_yielder_resume(WorkerContext *ctx, void *p) {
    (void)p;
    if (atomic_load(&punctual_left) == 0) return CORO_STATUS_DONE;
    worker_yield(ctx);
    return CORO_STATUS_YIELDED;
}

TEST(real_sleeps_never_end_early) {
    atomic_store(&early_wakes, 0);
    atomic_store(&punctual_left, 300);
    Runtime *rt = runtime_create(2);
    for (int i = 0; i < 2; i++)
        vex_future_release(vex_task_spawn_in(rt, vex_task_alloc_in(rt, 16, 0, 0, busy_yielder_resume)));
    for (int i = 0; i < 300; i++) {
        Punctual *s = vex_task_alloc_in(rt, sizeof(Punctual), 0, 0, punctual_resume);
        s->ms = 1 + (uint64_t)(i % 4);
        vex_future_release(vex_task_spawn_in(rt, s));
    }
    runtime_run(rt);
    runtime_destroy(rt);
    CHECK_EQ_U(atomic_load(&early_wakes), 0);
}

/* ---- host allocations across runtimes --------------------------------------------------- */
TEST(host_spawns_into_several_runtimes) {
    /* Host-thread allocations are cached per thread and tagged with the runtime: mixing
     * two live runtimes and re-creating them (possibly at the same address) must never
     * hand out a block of another (or a destroyed) runtime. */
    for (int round = 0; round < 3; round++) {
        Runtime *rts[2] = {runtime_create(2), runtime_create(1)};
        enum { N = 300 };
        static VexFuture *hs[2][N];
        for (int i = 0; i < N; i++) {
            for (int r = 0; r < 2; r++) {
                Child *c = vex_task_alloc_in(rts[r], sizeof(Child), offsetof(Child, result),
                                             sizeof(int64_t), child_resume);
                c->x = i + r;
                hs[r][i] = vex_task_spawn_in(rts[r], c);
            }
        }
        for (int r = 0; r < 2; r++) {
            runtime_run(rts[r]);
            for (int i = 0; i < N; i++) {
                int64_t v = -1;
                CHECK(vex_future_take(NULL, hs[r][i], &v) == VEX_OUTCOME_VALUE);
                CHECK_EQ_U(v, (int64_t)(i + r) * 2);
            }
            runtime_destroy(rts[r]);
        }
    }
}

/* ---- work sharing: a busy worker's private queue reaches an idle worker ------------------- */
static _Atomic(WorkerContext *) seen_ctx;
static _Atomic int spinners_other;

typedef struct {
    uint32_t tag;
    int64_t result;
} Spinner;

static CoroStatus spinner_resume(WorkerContext *ctx, void *p) {
    Spinner *s = p;
    WorkerContext *expected = NULL;
    if (!atomic_compare_exchange_strong(&seen_ctx, &expected, ctx) && expected != ctx)
        atomic_fetch_add(&spinners_other, 1);
    int64_t until = wall_ms() + 1;
    while (wall_ms() < until) {
    }
    s->result = 1;
    return CORO_STATUS_DONE;
}

typedef struct {
    uint32_t tag;
    int i;
    VexFuture *hs[100];
    int64_t result;
} Sharer;

static CoroStatus sharer_resume(WorkerContext *ctx, void *p) {
    Sharer *s = p;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    }
    /* Claim this worker first, so the spinners count runs on the other one. */
    atomic_store(&seen_ctx, ctx);
    for (s->i = 0; s->i < 100; s->i++) {
        Spinner *c = vex_task_alloc(sizeof(Spinner), offsetof(Spinner, result), sizeof(int64_t),
                                    spinner_resume);
        s->hs[s->i] = vex_task_spawn(ctx, c);
    }
    for (s->i = 0; s->i < 100; s->i++) {
        s->tag = 1;
        if (!vex_future_poll_or_register(ctx, s->hs[s->i])) return CORO_STATUS_YIELDED;
    resume1:
        if (vex_future_take(ctx, s->hs[s->i], NULL) != VEX_OUTCOME_VALUE)
            return vex_task_finish_cancelled(ctx);
        s->result++;
    }
    return CORO_STATUS_DONE;
}

TEST(idle_worker_gets_part_of_a_busy_workers_queue) {
    atomic_store(&seen_ctx, NULL);
    atomic_store(&spinners_other, 0);
    Runtime *rt = runtime_create(2);
    Sharer *s = vex_task_alloc_in(rt, sizeof(Sharer), offsetof(Sharer, result), sizeof(int64_t),
                                  sharer_resume);
    VexFuture *h = vex_task_spawn_in(rt, s);
    runtime_run(rt);
    int64_t n = 0;
    CHECK(vex_future_take(NULL, h, &n) == VEX_OUTCOME_VALUE);
    CHECK_EQ_U(n, 100);
    VexCounters c;
    runtime_counters(rt, &c);
    runtime_destroy(rt);
    /* 100 ms of work spawned on one worker: the idle one must have taken some of it. */
    CHECK(c.steals > 0);
    CHECK(atomic_load(&spinners_other) > 0);
}

/* ---- fork-join: a spawned child runs beside a parent that keeps working ------------------ */
static _Atomic int child_ran;

static CoroStatus flag_child_resume(WorkerContext *ctx, void *p) {
    (void)ctx;
    *(int64_t *)p = 1;
    atomic_store(&child_ran, 1);
    return CORO_STATUS_DONE;
}

typedef struct {
    uint32_t tag;
    VexFuture *child;
    int saw_child; /* the child ran while this task was still running */
} ForkParent;

static CoroStatus fork_parent_resume(WorkerContext *ctx, void *p) {
    ForkParent *s = p;
    if (s->tag == 1) goto joined;
    /* Wait (bounded) until the other worker has gone idle, then spawn and keep working
     * until the child has run: it can only run on the other worker. */
    Runtime *rt = worker_runtime(ctx);
    VexCounters c;
    int64_t give_up = wall_ms() + 5000;
    do runtime_counters(rt, &c);
    while (c.parks == 0 && wall_ms() < give_up);
    int64_t *state = vex_task_alloc(sizeof(int64_t), 0, sizeof(int64_t), flag_child_resume);
    s->child = vex_task_spawn(ctx, state);
    give_up = wall_ms() + 5000;
    while (!atomic_load(&child_ran) && wall_ms() < give_up) {
    }
    s->saw_child = atomic_load(&child_ran);
    s->tag = 1;
    if (!vex_future_poll_or_register(ctx, s->child)) return CORO_STATUS_YIELDED;
joined:
    vex_future_take(ctx, s->child, NULL);
    return CORO_STATUS_DONE;
}

TEST(spawned_child_runs_beside_its_busy_parent) {
    atomic_store(&child_ran, 0);
    Runtime *rt = runtime_create(2);
    ForkParent *s = vex_task_alloc_in(rt, sizeof *s, 0, 0, fork_parent_resume);
    VexFuture *h = vex_task_spawn_in(rt, s);
    runtime_run(rt);
    CHECK(vex_future_outcome(h) == VEX_OUTCOME_VALUE);
    int saw = s->saw_child;
    VexCounters c;
    runtime_counters(rt, &c);
    vex_future_release(h);
    runtime_destroy(rt);
    CHECK(saw);
    CHECK(c.steals > 0);
}

/* ---- real-clock scheduling order on one worker ------------------------------------------ */
static _Atomic int children_ran;

static CoroStatus counted_child_resume(WorkerContext *ctx, void *p) {
    (void)ctx;
    *(int64_t *)p = atomic_fetch_add(&children_ran, 1);
    return CORO_STATUS_DONE;
}

typedef struct {
    uint32_t tag;
    int i;
    VexFuture *hs[8];
    int ran_when_resumed; /* children run when the first await returned, -1 before */
} Batch;

static CoroStatus batch_resume(WorkerContext *ctx, void *p) {
    Batch *s = p;
    if (s->tag == 1) goto resumed;
    for (int i = 0; i < 8; i++)
        s->hs[i] = vex_task_spawn(ctx, vex_task_alloc(sizeof(int64_t), 0, sizeof(int64_t),
                                                      counted_child_resume));
    for (s->i = 0; s->i < 8; s->i++) {
        s->tag = 1;
        if (!vex_future_poll_or_register(ctx, s->hs[s->i])) return CORO_STATUS_YIELDED;
    resumed:
        if (s->ran_when_resumed < 0) s->ran_when_resumed = atomic_load(&children_ran);
        vex_future_take(ctx, s->hs[s->i], NULL);
    }
    return CORO_STATUS_DONE;
}

/* A task that spawns a batch and awaits it is woken by its first child's completion
 * behind the short local queue (not into the LIFO slot), so it finds every sibling
 * finished and suspends once per batch. */
TEST(awaiter_of_a_spawned_batch_resumes_after_the_batch) {
    atomic_store(&children_ran, 0);
    Runtime *rt = runtime_create(1);
    Batch *s = vex_task_alloc_in(rt, sizeof *s, 0, 0, batch_resume);
    s->ran_when_resumed = -1;
    VexFuture *h = vex_task_spawn_in(rt, s);
    runtime_run(rt);
    int ran = s->ran_when_resumed;
    vex_future_release(h);
    runtime_destroy(rt);
    CHECK_EQ_U(ran, 8);
}

/* A fan-out tree: each task spawns two children and awaits both. `live` counts tasks
 * spawned and not yet joined; its peak shows the order in which the tree runs. */
static _Atomic int live, live_peak;

typedef struct {
    uint32_t tag;
    int depth;
    VexFuture *a, *b;
    int64_t result;
} TreeNode;

static VexFuture *spawn_node(WorkerContext *ctx, int depth);

static CoroStatus tree_resume(WorkerContext *ctx, void *p) {
    TreeNode *s = p;
    switch (s->tag) {
    case 1: goto await_a;
    case 2: goto await_b;
    }
    if (s->depth == 0) {
        s->result = 1;
        return CORO_STATUS_DONE;
    }
    s->a = spawn_node(ctx, s->depth - 1);
    s->b = spawn_node(ctx, s->depth - 1);
    s->tag = 1;
await_a:
    if (!vex_future_poll_or_register(ctx, s->a)) return CORO_STATUS_YIELDED;
    s->tag = 2;
await_b:
    if (!vex_future_poll_or_register(ctx, s->b)) return CORO_STATUS_YIELDED;
    int64_t x = 0, y = 0;
    vex_future_take(ctx, s->a, &x);
    vex_future_take(ctx, s->b, &y);
    atomic_fetch_sub(&live, 2);
    s->result = x + y;
    return CORO_STATUS_DONE;
}

static VexFuture *spawn_node(WorkerContext *ctx, int depth) {
    TreeNode *n = vex_task_alloc(sizeof *n, offsetof(TreeNode, result), sizeof(int64_t),
                                 tree_resume);
    n->depth = depth;
    int now = atomic_fetch_add(&live, 1) + 1;
    int peak = atomic_load(&live_peak);
    while (now > peak && !atomic_compare_exchange_weak(&live_peak, &peak, now)) {
    }
    return vex_task_spawn(ctx, n);
}

static int tree_peak(bool virtual_clock) {
    atomic_store(&live, 0);
    atomic_store(&live_peak, 0);
    VexRuntimeOptions o = {.workers = 1, .virtual_clock = virtual_clock};
    Runtime *rt = runtime_create_with(&o);
    TreeNode *root = vex_task_alloc_in(rt, sizeof *root, offsetof(TreeNode, result),
                                       sizeof(int64_t), tree_resume);
    root->depth = 12;
    VexFuture *h = vex_task_spawn_in(rt, root);
    runtime_run(rt);
    int64_t leaves = 0;
    vex_future_take(NULL, h, &leaves);
    runtime_destroy(rt);
    return leaves == 4096 ? atomic_load(&live_peak) : -1;
}

/* With the real clock, spawns take the LIFO slot, so a fan-out runs depth-first in
 * stretches of MAX_LIFO_STREAK: about half as many tasks are alive at once (4314 when
 * written) as in deterministic mode's breadth-first FIFO order, which keeps the whole
 * tree of 8190 spawned tasks alive. */
TEST(spawned_fan_out_keeps_fewer_tasks_alive_with_the_lifo_slot) {
    int fifo = tree_peak(true), lifo = tree_peak(false);
    fprintf(stderr, "  peak live tasks, depth-12 tree: FIFO %d, LIFO slot %d\n", fifo, lifo);
    CHECK(fifo > 0 && lifo > 0);
    CHECK(lifo * 3 < fifo * 2);
}

int main(void) {
    RUN(real_sleeps_never_end_early);
    RUN(host_spawns_into_several_runtimes);
    RUN(idle_worker_gets_part_of_a_busy_workers_queue);
    RUN(spawned_child_runs_beside_its_busy_parent);
    RUN(awaiter_of_a_spawned_batch_resumes_after_the_batch);
    RUN(spawned_fan_out_keeps_fewer_tasks_alive_with_the_lifo_slot);
    RUN(ping_pong_with_explicit_wakes);
    RUN(spawn_and_join_values);
    RUN(deterministic_yields_run_fifo);
    RUN(deterministic_timers_fire_in_order_with_virtual_time);
    RUN(real_timers_fire_after_their_deadline);
    RUN(cancel_ends_a_pending_sleep_at_once);
    RUN(cancel_finished_task_is_noop);
    RUN(io_readiness_wakes_the_waiting_task);
    RUN(cancel_ends_a_pending_io_wait);
    RUN(cancelled_child_cancels_its_awaiter);
    RUN(cancel_wakes_a_task_awaiting_a_child);
    RUN(awaiting_a_finished_future_does_not_suspend);
    RUN(panic_stops_the_runtime_and_is_reported);
    RUN(catch_panic_off_worker);
    RUN(sink_captures_stdout_and_stderr);
    RUN(seed_spawn_global_runs_caller_state);
    RUN(host_thread_cancels_through_a_token);
    HARNESS_END();
}
