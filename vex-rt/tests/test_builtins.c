/*
 * test_builtins.c — the runtime pieces that compiled code needs beyond spawning and
 * awaiting: defer lists (order, captures moved out, every record freed), the
 * drop-result hook (a detached task's string result is released exactly once, a taken
 * one never; many workers releasing handles concurrently), sleep futures (virtual and
 * real time, call-order ties, cancellation ending them at once, created off-worker)
 * and yield futures (FIFO after the ready tasks, cancelled before they ran). Run under
 * ASan+LSan (check-asan) a leaked record, string or task body fails the run.
 */
#define _GNU_SOURCE
#include "harness.h"
#include "vex_rt.h"

#include <stdatomic.h>
#include <time.h>

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static VexString *lit(const char *s) { return vex_string_from_bytes(s, strlen(s)); }

/* ---- defer lists ------------------------------------------------------------------------ */

typedef struct {
    VexString *s;
    int64_t n;
} Caps;

TEST(defer_list_is_lifo_and_moves_captures) {
    VexDeferList *l = NULL;
    CHECK(vex_defer_top(l) == -1);
    Caps a = {lit("first"), 7};
    l = vex_defer_push(l, 3, &a, sizeof a);
    l = vex_defer_push(l, 9, NULL, 0); /* `defer` capturing nothing */
    int32_t x = -5;
    l = vex_defer_push(l, 4, &x, sizeof x);
    CHECK(vex_defer_top(l) == 4);
    int32_t y = 0;
    vex_defer_take(l, &y, sizeof y);
    CHECK(y == -5);
    l = vex_defer_pop(l);
    CHECK(vex_defer_top(l) == 9);
    vex_defer_take(l, NULL, 0);
    l = vex_defer_pop(l);
    CHECK(vex_defer_top(l) == 3);
    Caps got = {0};
    vex_defer_take(l, &got, sizeof got);
    l = vex_defer_pop(l);
    CHECK(l == NULL);
    CHECK(vex_defer_top(l) == -1);
    CHECK(vex_defer_pop(NULL) == NULL);
    CHECK(got.n == 7);
    CHECK_STR(vex_string_bytes(got.s), "first");
    /* The copy owned the reference; the record is gone (LSan: no leak of either). */
    vex_string_release(got.s);
}

TEST(defer_site_numbers_cover_u32) {
    VexDeferList *l = vex_defer_push(NULL, UINT32_MAX, NULL, 0);
    CHECK(vex_defer_top(l) == (int64_t)UINT32_MAX);
    l = vex_defer_pop(l);
    CHECK(l == NULL);
}

/* ---- drop-result hook --------------------------------------------------------------------- */

static _Atomic int drops;

typedef struct {
    uint32_t tag;
    int64_t n;
    VexString *result;
} StrTask;

static CoroStatus str_resume(WorkerContext *ctx, void *p) {
    StrTask *s = p;
    if (s->n < 0) return vex_task_finish_cancelled(ctx);
    VexString *n = vex_string_from_i64(s->n);
    VexString *pre = lit("value ");
    s->result = vex_string_concat(pre, n);
    vex_string_release(pre);
    vex_string_release(n);
    return CORO_STATUS_DONE;
}

static void str_drop(WorkerContext *ctx, void *p) {
    (void)ctx;
    StrTask *s = p;
    vex_string_release(s->result);
    atomic_fetch_add(&drops, 1);
}

static VexFuture *str_spawn(WorkerContext *ctx, int64_t n) {
    StrTask *s = vex_task_alloc(sizeof *s, offsetof(StrTask, result), sizeof(VexString *),
                                str_resume);
    s->n = n;
    vex_task_set_drop_result(s, str_drop);
    return vex_task_spawn(ctx, s);
}

/* main: detaches n string tasks, awaits one and takes it, detaches one it awaited, one
 * that is cancelled, one taken with dst == NULL. */
typedef struct {
    uint32_t tag;
    int64_t n;
    VexFuture *kept, *nulltake;
    VexString *taken;
} DropMain;

static CoroStatus drop_main_resume(WorkerContext *ctx, void *p) {
    DropMain *m = p;
    switch (m->tag) {
    case 0:
        for (int64_t i = 0; i < m->n; i++) vex_future_release(str_spawn(ctx, i));
        vex_future_release(str_spawn(ctx, -1)); /* finishes cancelled: no value to drop */
        m->nulltake = str_spawn(ctx, 5);
        m->kept = str_spawn(ctx, 42);
        m->tag = 1;
        if (!vex_future_poll_or_register(ctx, m->kept)) return CORO_STATUS_YIELDED;
        /* fallthrough */
    case 1:
        if (vex_future_take(ctx, m->kept, &m->taken) != VEX_OUTCOME_VALUE) return CORO_STATUS_DONE;
        m->tag = 2;
        if (!vex_future_poll_or_register(ctx, m->nulltake)) return CORO_STATUS_YIELDED;
        /* fallthrough */
    case 2:
        vex_future_take(ctx, m->nulltake, NULL);
        return CORO_STATUS_DONE;
    }
    return CORO_STATUS_DONE;
}

static void run_drop_main(int workers, bool virtual_clock, int64_t n) {
    atomic_store(&drops, 0);
    VexRuntimeOptions o = {.workers = workers, .virtual_clock = virtual_clock};
    Runtime *rt = runtime_create_with(&o);
    runtime_set_current(rt);
    DropMain *m = vex_task_alloc(sizeof *m, 0, 0, drop_main_resume);
    m->n = n;
    VexFuture *f = vex_task_spawn(NULL, m);
    runtime_run(rt);
    CHECK(vex_future_outcome(f) == VEX_OUTCOME_VALUE);
    CHECK_STR(vex_string_bytes(m->taken), "value 42");
    vex_string_release(m->taken);
    vex_future_release(f);
    /* n detached + the one taken with dst == NULL; not the taken one nor the cancelled. */
    CHECK_EQ_U(atomic_load(&drops), n + 1);
    runtime_destroy(rt);
    runtime_set_current(NULL);
}

TEST(detached_string_results_are_dropped_once) { run_drop_main(1, true, 10); }

TEST(drop_results_released_concurrently_on_many_workers) {
    run_drop_main(4, false, stress_size(20000));
}

/* A host holding the last handle releases it off-worker: the hook gets ctx == NULL. */
static _Atomic int null_ctx_drops;
static void str_drop_check_ctx(WorkerContext *ctx, void *p) {
    if (!ctx) atomic_fetch_add(&null_ctx_drops, 1);
    str_drop(ctx, p);
}

TEST(host_release_runs_the_hook_off_worker) {
    atomic_store(&drops, 0);
    atomic_store(&null_ctx_drops, 0);
    Runtime *rt = runtime_create(2);
    StrTask *s = vex_task_alloc_in(rt, sizeof *s, offsetof(StrTask, result), sizeof(VexString *),
                                   str_resume);
    s->n = 1;
    vex_task_set_drop_result(s, str_drop_check_ctx);
    VexFuture *f = vex_task_spawn_in(rt, s);
    runtime_run(rt);
    CHECK(vex_future_outcome(f) == VEX_OUTCOME_VALUE);
    CHECK_EQ_U(atomic_load(&drops), 0);
    vex_future_release(f);
    CHECK_EQ_U(atomic_load(&drops), 1);
    CHECK_EQ_U(atomic_load(&null_ctx_drops), 1);
    runtime_destroy(rt);
}

/* ---- sleep and yield futures --------------------------------------------------------------- */

/* Awaits `f` and logs (id, outcome, time). */
static _Atomic int nlog;
static int log_id[128], log_outcome[128];
static int64_t log_time[128];
/* SCEN_YIELD_LONG_QUEUE: how many of the tasks ready before the yield had run when its
 * awaiter resumed. */
static int earlier_at_resume;

typedef struct {
    uint32_t tag;
    int id;
    VexFuture *f;
} Awaiter;

static CoroStatus awaiter_resume(WorkerContext *ctx, void *p) {
    Awaiter *a = p;
    if (a->tag == 0) {
        a->tag = 1;
        if (!vex_future_poll_or_register(ctx, a->f)) return CORO_STATUS_YIELDED;
    }
    VexOutcome o = vex_future_take(ctx, a->f, NULL);
    int i = atomic_fetch_add(&nlog, 1);
    log_id[i] = a->id;
    log_outcome[i] = (int)o;
    log_time[i] = now_ms();
    return o == VEX_OUTCOME_CANCELLED ? vex_task_finish_cancelled(ctx) : CORO_STATUS_DONE;
}

static VexFuture *await_in_task(WorkerContext *ctx, int id, VexFuture *f) {
    Awaiter *a = vex_task_alloc(sizeof *a, 0, 0, awaiter_resume);
    a->id = id;
    a->f = f;
    return vex_task_spawn(ctx, a);
}

/* Logs its id and the outcome of `watched` when it runs. */
static VexFuture *watched;
typedef struct {
    int id;
} Marker;
static CoroStatus marker_resume(WorkerContext *ctx, void *p) {
    (void)ctx;
    int i = atomic_fetch_add(&nlog, 1);
    log_id[i] = ((Marker *)p)->id;
    log_outcome[i] = watched ? (int)vex_future_outcome(watched) : -1;
    log_time[i] = now_ms();
    return CORO_STATUS_DONE;
}
static void marker(WorkerContext *ctx, int id) {
    Marker *m = vex_task_alloc(sizeof *m, 0, 0, marker_resume);
    m->id = id;
    vex_future_release(vex_task_spawn(ctx, m));
}

typedef enum {
    SCEN_SLEEPS,
    SCEN_CANCEL_SLEEP,
    SCEN_YIELD,
    SCEN_YIELD_LONG_QUEUE,
    SCEN_CANCEL_YIELD
} Scenario;

typedef struct {
    uint32_t tag;
    Scenario scen;
    VexFuture *y;
} Driver;

static CoroStatus driver_resume(WorkerContext *ctx, void *p) {
    Driver *d = p;
    switch (d->scen) {
    case SCEN_SLEEPS: {
        /* Two sleeps of 5 created in order, awaited in reverse: they fire in call order. */
        VexFuture *a = vex_sleep_future(5);
        VexFuture *b = vex_sleep_future(5);
        VexFuture *c = vex_sleep_future(-3); /* negative is 0 */
        vex_future_release(await_in_task(ctx, 2, b));
        vex_future_release(await_in_task(ctx, 1, a));
        vex_future_release(await_in_task(ctx, 0, c));
        /* An unawaited, released sleep still completes (and is freed). */
        vex_future_release(vex_sleep_future(7));
        return CORO_STATUS_DONE;
    }
    case SCEN_CANCEL_SLEEP: {
        VexFuture *s = vex_sleep_future(100000);
        vex_future_release(await_in_task(ctx, 1, vex_future_retain(s)));
        vex_future_cancel(s);
        vex_future_release(s);
        return CORO_STATUS_DONE;
    }
    case SCEN_YIELD: {
        /* Run queue: marker 1, the yield task, marker 2, the awaiter. */
        marker(ctx, 1);
        VexFuture *y = vex_yield_future();
        watched = y;
        marker(ctx, 2);
        vex_future_release(await_in_task(ctx, 3, y));
        return CORO_STATUS_DONE;
    }
    case SCEN_YIELD_LONG_QUEUE: {
        /* 40 tasks ready before the yield (a long queue when the yield task runs), then
         * the driver itself awaits it, counts the earlier tasks that ran and spawns 40
         * more. */
        if (d->tag == 1) goto resumed;
        for (int k = 0; k < 40; k++) marker(ctx, 100 + k);
        d->y = vex_yield_future();
        d->tag = 1;
        if (!vex_future_poll_or_register(ctx, d->y)) return CORO_STATUS_YIELDED;
    resumed:
        if (vex_future_take(ctx, d->y, NULL) != VEX_OUTCOME_VALUE) return CORO_STATUS_DONE;
        earlier_at_resume = 0;
        for (int i = 0; i < atomic_load(&nlog); i++)
            earlier_at_resume += log_id[i] >= 100 && log_id[i] < 140;
        for (int k = 0; k < 40; k++) marker(ctx, 200 + k);
        return CORO_STATUS_DONE;
    }
    case SCEN_CANCEL_YIELD: {
        VexFuture *y = vex_yield_future();
        vex_future_cancel(y);
        vex_future_release(await_in_task(ctx, 1, y));
        return CORO_STATUS_DONE;
    }
    }
    return CORO_STATUS_DONE;
}

static Runtime *run_driver(Scenario scen, int workers, bool virtual_clock) {
    atomic_store(&nlog, 0);
    VexRuntimeOptions o = {.workers = workers, .virtual_clock = virtual_clock};
    Runtime *rt = runtime_create_with(&o);
    runtime_set_current(rt);
    Driver *d = vex_task_alloc(sizeof *d, 0, 0, driver_resume);
    d->scen = scen;
    vex_future_release(vex_task_spawn(NULL, d));
    runtime_run(rt);
    return rt;
}

static void finish(Runtime *rt) {
    runtime_destroy(rt);
    runtime_set_current(NULL);
}

TEST(sleep_futures_fire_in_call_order_at_virtual_time) {
    Runtime *rt = run_driver(SCEN_SLEEPS, 1, true);
    VexCounters c;
    runtime_counters(rt, &c);
    finish(rt);
    CHECK_EQ_U(atomic_load(&nlog), 3);
    CHECK(log_id[0] == 0 && log_time[0] == 0 && log_outcome[0] == VEX_OUTCOME_VALUE);
    CHECK(log_id[1] == 1 && log_time[1] == 5 && log_outcome[1] == VEX_OUTCOME_VALUE);
    CHECK(log_id[2] == 2 && log_time[2] == 5 && log_outcome[2] == VEX_OUTCOME_VALUE);
    /* driver + 4 sleeps + 3 awaiters, all finished. */
    CHECK_EQ_U(c.spawned, 8);
    CHECK_EQ_U(c.finished, 8);
    CHECK_EQ_U(c.alive, 0);
}

TEST(sleep_futures_wait_in_real_time) {
    int64_t start = wall_ms();
    Runtime *rt = run_driver(SCEN_SLEEPS, 2, false);
    finish(rt);
    CHECK_EQ_U(atomic_load(&nlog), 3);
    CHECK(wall_ms() - start >= 5); /* the released 7 ms sleep was drained too */
    for (int i = 0; i < 3; i++) CHECK(log_outcome[i] == VEX_OUTCOME_VALUE);
}

TEST(cancelled_sleep_future_finishes_cancelled_at_once) {
    for (int virt = 0; virt < 2; virt++) {
        int64_t start = wall_ms();
        Runtime *rt = run_driver(SCEN_CANCEL_SLEEP, virt ? 1 : 2, virt);
        VexCounters c;
        runtime_counters(rt, &c);
        finish(rt);
        CHECK(wall_ms() - start < 5000);
        CHECK_EQ_U(atomic_load(&nlog), 1);
        CHECK(log_outcome[0] == VEX_OUTCOME_CANCELLED);
        CHECK(log_time[0] < 1000);
        /* The sleep and its awaiter finished as cancelled. */
        CHECK_EQ_U(c.cancelled, 2);
        CHECK_EQ_U(c.alive, 0);
    }
}

TEST(yield_future_completes_after_the_ready_tasks) {
    Runtime *rt = run_driver(SCEN_YIELD, 1, true);
    watched = NULL;
    finish(rt);
    /* The yield task completed between the markers queued before and after it. */
    CHECK_EQ_U(atomic_load(&nlog), 3);
    CHECK(log_id[0] == 1 && log_outcome[0] == VEX_OUTCOME_PENDING);
    CHECK(log_id[1] == 2 && log_outcome[1] == VEX_OUTCOME_VALUE);
    CHECK(log_id[2] == 3 && log_outcome[2] == VEX_OUTCOME_VALUE);
}

/* Real clock too (where spawns use the LIFO slot and a finished child's waiter may):
 * whoever awaits a yield future resumes only after every task ready before it ran. */
TEST(yield_future_resumes_after_every_earlier_task_in_both_modes) {
    for (int mode = 0; mode < 2; mode++) {
        earlier_at_resume = -1;
        Runtime *rt = run_driver(SCEN_YIELD_LONG_QUEUE, 1, mode == 0);
        finish(rt);
        CHECK_EQ_U(atomic_load(&nlog), 80);
        CHECK_EQ_U(earlier_at_resume, 40);
    }
}

TEST(yield_future_cancelled_before_it_ran) {
    Runtime *rt = run_driver(SCEN_CANCEL_YIELD, 1, true);
    finish(rt);
    CHECK_EQ_U(atomic_load(&nlog), 1);
    CHECK(log_outcome[0] == VEX_OUTCOME_CANCELLED);
}

TEST(sleep_future_created_off_worker) {
    VexRuntimeOptions o = {.workers = 2};
    Runtime *rt = runtime_create_with(&o);
    runtime_set_current(rt);
    VexFuture *s = vex_sleep_future(3);
    VexFuture *y = vex_yield_future();
    int64_t start = wall_ms();
    runtime_run(rt);
    CHECK(wall_ms() - start >= 2);
    CHECK(vex_future_outcome(s) == VEX_OUTCOME_VALUE);
    CHECK(vex_future_take(NULL, s, NULL) == VEX_OUTCOME_VALUE);
    CHECK(vex_future_take(NULL, y, NULL) == VEX_OUTCOME_VALUE);
    finish(rt);
}

int main(void) {
    RUN(defer_list_is_lifo_and_moves_captures);
    RUN(defer_site_numbers_cover_u32);
    RUN(detached_string_results_are_dropped_once);
    RUN(drop_results_released_concurrently_on_many_workers);
    RUN(host_release_runs_the_hook_off_worker);
    RUN(sleep_futures_fire_in_call_order_at_virtual_time);
    RUN(sleep_futures_wait_in_real_time);
    RUN(cancelled_sleep_future_finishes_cancelled_at_once);
    RUN(yield_future_completes_after_the_ready_tasks);
    RUN(yield_future_resumes_after_every_earlier_task_in_both_modes);
    RUN(yield_future_cancelled_before_it_ran);
    RUN(sleep_future_created_off_worker);
    HARNESS_END();
}
