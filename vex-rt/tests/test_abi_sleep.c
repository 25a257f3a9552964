/*
 * test_abi_sleep.c — the compiled-code ABI, written by hand exactly as the compiler
 * emits it for
 *
 *     async fn sleep_and_print(ms: i64, msg: string): i64 { await async_sleep(ms); $println(msg); ms }
 *     async fn main() { let a = sleep_and_print(30, "c"); let b = sleep_and_print(10, "a");
 *                       let c = sleep_and_print(20, "b"); $println(f"{await a + await b + await c}") }
 *
 * (state struct, switch-based resume with a cancel check at every resume point, wrapper
 * allocating task + state once), spawned and run in deterministic and real-time modes.
 */
#include "harness.h"
#include "vex_rt.h"

#include <stddef.h>

/* ---- sleep_and_print ------------------------------------------------------------------- */
typedef struct sleep_and_print_state {
    uint32_t tag;     /* 0 = start, 1 = after the sleep */
    int64_t ms;       /* parameter */
    VexString *msg;   /* parameter, owned */
    int64_t result;   /* result slot */
} sleep_and_print_state;

static CoroStatus sleep_and_print_resume(WorkerContext *ctx, void *state) {
    sleep_and_print_state *s = state;
    switch (s->tag) {
    case 0: goto start;
    case 1: goto after_sleep;
    default: vex_panic_cstr("abi.vx", 1, 1, "resumed a finished task");
    }
start:
    s->tag = 1;
    worker_await_after(ctx, (uint64_t)s->ms);
    return CORO_STATUS_YIELDED;
after_sleep:
    if (vex_task_cancelled(ctx)) goto cancel_exit;
    vex_print(1, s->msg, true);
    vex_string_release(s->msg);
    s->result = s->ms;
    s->tag = 2;
    return CORO_STATUS_DONE;
cancel_exit:
    vex_string_release(s->msg);
    return vex_task_finish_cancelled(ctx);
}

/* The wrapper: one allocation, store the args, tag 0, spawn, return the future. */
static VexFuture *sleep_and_print(WorkerContext *ctx, int64_t ms, VexString *msg) {
    sleep_and_print_state *s = vex_task_alloc(sizeof *s, offsetof(sleep_and_print_state, result),
                                              sizeof(int64_t), sleep_and_print_resume);
    s->ms = ms;
    s->msg = vex_string_retain(msg);
    s->tag = 0;
    return vex_task_spawn(ctx, s);
}

/* ---- main -------------------------------------------------------------------------------- */
typedef struct main_state {
    uint32_t tag;
    VexFuture *a, *b, *c; /* live across suspensions */
    int64_t sum;
} main_state;

static VexString *lit(const char *s) { return vex_string_from_bytes(s, strlen(s)); }

static CoroStatus main_resume(WorkerContext *ctx, void *state) {
    main_state *s = state;
    int64_t v;
    switch (s->tag) {
    case 0: goto start;
    case 1: goto await_a;
    case 2: goto await_b;
    case 3: goto await_c;
    default: vex_panic_cstr("abi.vx", 2, 1, "resumed a finished task");
    }
start: {
    VexString *m = lit("c");
    s->a = sleep_and_print(ctx, 30, m);
    vex_string_release(m);
    m = lit("a");
    s->b = sleep_and_print(ctx, 10, m);
    vex_string_release(m);
    m = lit("b");
    s->c = sleep_and_print(ctx, 20, m);
    vex_string_release(m);
}
    s->tag = 1;
    if (!vex_future_poll_or_register(ctx, s->a)) return CORO_STATUS_YIELDED;
await_a:
    if (vex_task_cancelled(ctx)) goto cancel_exit;
    if (vex_future_take(ctx, s->a, &v) != VEX_OUTCOME_VALUE) { s->a = NULL; goto cancel_exit; }
    s->a = NULL;
    s->sum = v;
    s->tag = 2;
    if (!vex_future_poll_or_register(ctx, s->b)) return CORO_STATUS_YIELDED;
await_b:
    if (vex_task_cancelled(ctx)) goto cancel_exit;
    if (vex_future_take(ctx, s->b, &v) != VEX_OUTCOME_VALUE) { s->b = NULL; goto cancel_exit; }
    s->b = NULL;
    s->sum += v;
    s->tag = 3;
    if (!vex_future_poll_or_register(ctx, s->c)) return CORO_STATUS_YIELDED;
await_c:
    if (vex_task_cancelled(ctx)) goto cancel_exit;
    if (vex_future_take(ctx, s->c, &v) != VEX_OUTCOME_VALUE) { s->c = NULL; goto cancel_exit; }
    s->c = NULL;
    s->sum += v;
    {
        VexString *t = vex_string_from_i64(s->sum);
        vex_print(1, t, true);
        vex_string_release(t);
    }
    return CORO_STATUS_DONE;
cancel_exit:
    vex_future_release(s->a);
    vex_future_release(s->b);
    vex_future_release(s->c);
    return vex_task_finish_cancelled(ctx);
}

static char out[1024];
static size_t nout;
static void sink(void *user, int stream, const char *bytes, size_t len) {
    (void)user;
    (void)stream;
    if (nout + len < sizeof out) {
        memcpy(out + nout, bytes, len);
        nout += len;
        out[nout] = 0;
    }
}

static void run_program(bool virtual_clock, int workers) {
    VexRuntimeOptions o = {.workers = workers, .virtual_clock = virtual_clock, .sink = sink};
    Runtime *rt = runtime_create_with(&o);
    runtime_set_current(rt); /* the program thread's current runtime */
    nout = 0;
    out[0] = 0;
    main_state *m = vex_task_alloc(sizeof *m, 0, 0, main_resume);
    VexFuture *h = vex_task_spawn(NULL, m);
    runtime_run(rt);
    vex_future_release(h);
    runtime_set_current(NULL);
    runtime_destroy(rt);
}

TEST(sleep_and_print_deterministic) {
    run_program(true, 1);
    CHECK_STR(out, "a\nb\nc\n60\n");
}

TEST(sleep_and_print_real_time_two_workers) {
    run_program(false, 2);
    CHECK_STR(out, "a\nb\nc\n60\n");
}

int main(void) {
    RUN(sleep_and_print_deterministic);
    RUN(sleep_and_print_real_time_two_workers);
    HARNESS_END();
}
