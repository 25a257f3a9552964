/*
 * test_combinators.c — the future combinators (join, joinAll, race, raceAll, timeout,
 * ready, isReady) through the public ABI, driven by tasks written as C resume functions
 * that follow the compiled-code protocol (await = poll_or_register + take; a cancelled
 * awaiter cancels and releases the future it awaits).
 *
 * Deterministic tests (one worker, virtual clock) pin the exact order of events: when
 * each input finishes, the order in which cancelled inputs run their cancel paths, when
 * the task awaiting the combinator resumes. Real-clock tests check timeouts within
 * bounds. Values include heap strings (and structs holding them) so that AddressSanitizer
 * reports any value a combinator fails to release or releases twice. The stress test runs
 * thousands of combinators over inputs finishing on several workers, with random
 * cancellation of inputs, combinators and their awaiters (sizes shrink under sanitizers
 * by VEX_STRESS_SCALE).
 */
#define _GNU_SOURCE
#include "harness.h"
#include "vex_rt.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static Runtime *det_runtime(void) {
    VexRuntimeOptions o = {.workers = 1, .virtual_clock = true};
    return runtime_create_with(&o);
}

/* ---- event log: "D1@10 C0@10 M1@10" ----------------------------------------------------- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_buf[8192];
static size_t log_len;
static bool log_on;

static void log_reset(bool on) {
    log_len = 0;
    log_buf[0] = 0;
    log_on = on;
}

static void log_ev(char what, long id) {
    if (!log_on) return;
    pthread_mutex_lock(&log_lock);
    int k = snprintf(log_buf + log_len, sizeof log_buf - log_len, "%s%c%ld@%lld",
                     log_len ? " " : "", what, id, (long long)now_ms());
    if (k > 0 && log_len + (size_t)k < sizeof log_buf) log_len += (size_t)k;
    pthread_mutex_unlock(&log_lock);
}

/* ---- value kinds and their element types ------------------------------------------------ */

enum { V_I64, V_U8, V_I32, V_STR, V_PAIR, V_UNIT, V_NKINDS };

typedef struct {
    int64_t a;
    VexString *s;
} Pair;

static void pair_retain(void *p) { vex_string_retain(((Pair *)p)->s); }
static void pair_release(void *p) { vex_string_release(((Pair *)p)->s); }
static void future_retain(void *p) { vex_future_retain(*(VexFuture **)p); }
static void future_release(void *p) { vex_future_release(*(VexFuture **)p); }

static const VexElemType elem_i64 = {.size = 8, .align = 8, .kind = VEX_ELEM_I64};
static const VexElemType elem_u8 = {.size = 1, .align = 1, .kind = VEX_ELEM_U8};
static const VexElemType elem_i32 = {.size = 4, .align = 4, .kind = VEX_ELEM_I32};
static const VexElemType elem_pair = {
    .size = 16, .align = 8, .retain = pair_retain, .release = pair_release};
static const VexElemType elem_unit = {.size = 0, .align = 1};
/* Vec<Future<T>>: what compiled code emits for future elements. */
static const VexElemType elem_future = {
    .size = 8, .align = 8, .retain = future_retain, .release = future_release};

static const VexElemType *elem_of(int kind) {
    switch (kind) {
    case V_I64: return &elem_i64;
    case V_U8: return &elem_u8;
    case V_I32: return &elem_i32;
    case V_STR: return &vex_elem_string;
    case V_PAIR: return &elem_pair;
    default: return &elem_unit;
    }
}

static VexString *str_of(const char *prefix, long id) {
    char buf[32];
    int k = snprintf(buf, sizeof buf, "%s%ld", prefix, id);
    return vex_string_from_bytes(buf, (size_t)k);
}

/* The value an input with this id produces. */
static void make_value(int kind, long id, void *dst) {
    switch (kind) {
    case V_I64: *(int64_t *)dst = id * 1000 + 7; break;
    case V_U8: *(uint8_t *)dst = (uint8_t)(id + 1); break;
    case V_I32: *(int32_t *)dst = (int32_t)-id; break;
    case V_STR: *(VexString **)dst = str_of("s", id); break;
    case V_PAIR: *(Pair *)dst = (Pair){id, str_of("p", id)}; break;
    default: break;
    }
}

static bool str_is(const VexString *s, const char *prefix, long id) {
    char buf[32];
    int k = snprintf(buf, sizeof buf, "%s%ld", prefix, id);
    return vex_string_len(s) == (size_t)k && memcmp(vex_string_bytes(s), buf, (size_t)k) == 0;
}

/* Whether `v` is the value of input `id` (strings are left alone: the caller releases). */
static bool value_is(int kind, long id, const void *v) {
    switch (kind) {
    case V_I64: return *(const int64_t *)v == id * 1000 + 7;
    case V_U8: return *(const uint8_t *)v == (uint8_t)(id + 1);
    case V_I32: return *(const int32_t *)v == (int32_t)-id;
    case V_STR: return str_is(*(VexString *const *)v, "s", id);
    case V_PAIR: return ((const Pair *)v)->a == id && str_is(((const Pair *)v)->s, "p", id);
    default: return true;
    }
}

static void release_value(int kind, void *v) {
    const VexElemType *e = elem_of(kind);
    if (e->release) e->release(v);
}

/* ---- leaf: the input futures ------------------------------------------------------------ */

enum { M_VALUE, M_SELF_CANCEL };

typedef struct {
    int kind, mode;
    int64_t ms; /* < 0: no sleep */
    int yields; /* yields before the sleep */
    bool ready; /* vex_ready_future instead of a task */
} LeafSpec;

typedef struct {
    uint32_t tag;
    int id, kind, mode, yields, i;
    int64_t ms;
    _Alignas(16) unsigned char result[16];
} Leaf;

static _Atomic long leaves_ended; /* leaves that finished in any way */

static CoroStatus leaf_resume(WorkerContext *ctx, void *p) {
    Leaf *s = p;
    switch (s->tag) {
    case 0: break;
    case 1: goto yielded;
    case 2: goto slept;
    }
    for (s->i = 0; s->i < s->yields; s->i++) {
        s->tag = 1;
        worker_yield(ctx);
        return CORO_STATUS_YIELDED;
    yielded:
        if (vex_task_cancelled(ctx)) goto cancel_exit;
    }
    if (s->ms >= 0) {
        s->tag = 2;
        worker_await_after(ctx, (uint64_t)s->ms);
        return CORO_STATUS_YIELDED;
    slept:
        if (vex_task_cancelled(ctx)) goto cancel_exit;
    }
    atomic_fetch_add(&leaves_ended, 1);
    if (s->mode == M_SELF_CANCEL) {
        log_ev('S', s->id);
        return vex_task_finish_cancelled(ctx);
    }
    make_value(s->kind, s->id, s->result);
    log_ev('D', s->id);
    return CORO_STATUS_DONE;
cancel_exit:
    atomic_fetch_add(&leaves_ended, 1);
    log_ev('C', s->id);
    return vex_task_finish_cancelled(ctx);
}

static void leaf_drop(WorkerContext *ctx, void *p) {
    (void)ctx;
    Leaf *s = p;
    release_value(s->kind, s->result);
}

static VexFuture *spawn_leaf(WorkerContext *ctx, int id, const LeafSpec *spec) {
    if (spec->ready) {
        unsigned char v[16];
        make_value(spec->kind, id, v);
        atomic_fetch_add(&leaves_ended, 1);
        return vex_ready_future(ctx, v, elem_of(spec->kind));
    }
    size_t size = (size_t)elem_of(spec->kind)->size;
    Leaf *s = vex_task_alloc(sizeof(Leaf), offsetof(Leaf, result), size, leaf_resume);
    s->id = id;
    s->kind = spec->kind;
    s->mode = spec->mode;
    s->ms = spec->ms;
    s->yields = spec->yields;
    if (size && elem_of(spec->kind)->release) vex_task_set_drop_result(s, leaf_drop);
    return vex_task_spawn(ctx, s);
}

/* ---- canceller: after `ms` (or `yields` yields) cancels and releases a future ----------- */

typedef struct {
    uint32_t tag;
    int yields, i;
    int64_t ms;
    VexFuture *target;
} Canceller;

static CoroStatus canceller_resume(WorkerContext *ctx, void *p) {
    Canceller *s = p;
    switch (s->tag) {
    case 0: break;
    case 1: goto yielded;
    case 2: goto slept;
    }
    for (s->i = 0; s->i < s->yields; s->i++) {
        s->tag = 1;
        worker_yield(ctx);
        return CORO_STATUS_YIELDED;
    yielded:;
    }
    if (s->ms >= 0) {
        s->tag = 2;
        worker_await_after(ctx, (uint64_t)s->ms);
        return CORO_STATUS_YIELDED;
    slept:;
    }
    log_ev('X', 0);
    vex_future_cancel(s->target);
    vex_future_release(s->target);
    return CORO_STATUS_DONE;
}

/* Spawns a canceller of `target` (a new reference is taken). */
static void spawn_canceller(WorkerContext *ctx, Runtime *rt, VexFuture *target, int64_t ms,
                            int yields) {
    Canceller *c = ctx ? vex_task_alloc(sizeof *c, 0, 0, canceller_resume)
                       : vex_task_alloc_in(rt, sizeof *c, 0, 0, canceller_resume);
    c->ms = ms;
    c->yields = yields;
    c->target = vex_future_retain(target);
    vex_future_release(ctx ? vex_task_spawn(ctx, c) : vex_task_spawn_in(rt, c));
}

/* ---- scenario: spawns the inputs, makes a combinator over them -------------------------- */

enum { C_JOIN, C_JOIN_ALL, C_RACE, C_RACE_ALL, C_TIMEOUT, C_READY, C_NESTED, C_NKINDS };

typedef struct {
    int comb;
    int n;
    const LeafSpec *leaves;
    int id_base;            /* leaf i has id id_base + i */
    int64_t timeout_ms;
    int64_t cancel_comb_ms; /* >= 0: a canceller cancels the combinator after this */
    int cancel_comb_yields;
    bool drop_unawaited;    /* release the combinator's future instead of awaiting it */
    /* Filled by make: the result layout. */
    uint32_t offsets[8];
    uint32_t size, payload;
    int value_kind;
} Scenario;

/* Lays out a tuple of the leaves' value types as a compiler would. */
static uint32_t tuple_layout(const Scenario *sc, uint32_t *offsets) {
    uint64_t at = 0, align = 1;
    for (int i = 0; i < sc->n; i++) {
        const VexElemType *e = elem_of(sc->leaves[i].kind);
        at = (at + e->align - 1) & ~(e->align - 1);
        offsets[i] = (uint32_t)at;
        at += e->size;
        if (e->align > align) align = e->align;
    }
    return (uint32_t)((at + align - 1) & ~(align - 1));
}

static VexVec *future_vector(VexFuture *const *hs, int n) {
    VexVec *v = NULL;
    for (int i = 0; i < n; i++) v = vex_vec_push(v, &elem_future, &hs[i]);
    return v;
}

static VexFuture *make_combinator(WorkerContext *ctx, Scenario *sc) {
    VexFuture *small[8], **hs = sc->n <= 8 ? small : malloc((size_t)sc->n * sizeof *hs);
    for (int i = 0; i < sc->n; i++) hs[i] = spawn_leaf(ctx, sc->id_base + i, &sc->leaves[i]);
    sc->value_kind = sc->n ? sc->leaves[0].kind : V_I64;
    const VexElemType *e = elem_of(sc->value_kind);
    VexFuture *f = NULL;
    switch (sc->comb) {
    case C_JOIN: {
        const VexElemType *types[8];
        for (int i = 0; i < sc->n; i++) types[i] = elem_of(sc->leaves[i].kind);
        sc->size = tuple_layout(sc, sc->offsets);
        f = vex_join(ctx, hs, sc->n, sc->offsets, types, sc->size);
        break;
    }
    case C_JOIN_ALL: f = vex_join_all(ctx, future_vector(hs, sc->n), e); break;
    case C_RACE: f = vex_race(ctx, hs, sc->n, e); break;
    case C_RACE_ALL: f = vex_race_all(ctx, future_vector(hs, sc->n), e); break;
    case C_TIMEOUT: {
        uint64_t align = e->align < 4 ? 4 : e->align;
        sc->payload = (uint32_t)((4 + e->align - 1) & ~(e->align - 1));
        sc->size = (uint32_t)((sc->payload + e->size + align - 1) & ~(align - 1));
        f = vex_timeout(ctx, hs[0], sc->timeout_ms, e, sc->payload, sc->size);
        break;
    }
    case C_NESTED: {
        /* timeout(join(race(0, 1), 2), ms): Option<(string, i64)>, payload at 8. */
        VexFuture *race = vex_race(ctx, hs, 2, &vex_elem_string);
        VexFuture *pair[2] = {race, hs[2]};
        const VexElemType *types[2] = {&vex_elem_string, &elem_i64};
        static const uint32_t offsets[2] = {0, 8};
        VexFuture *join = vex_join(ctx, pair, 2, offsets, types, 16);
        static const VexElemType tuple = {.size = 16, .align = 8, .release = vex_vec_drop_string};
        sc->payload = 8;
        sc->size = 24;
        f = vex_timeout(ctx, join, sc->timeout_ms, &tuple, 8, 24);
        break;
    }
    default: f = hs[0]; break; /* C_READY: the leaf itself */
    }
    if (hs != small) free(hs);
    if (sc->cancel_comb_ms >= 0 || sc->cancel_comb_yields > 0)
        spawn_canceller(ctx, NULL, f, sc->cancel_comb_ms, sc->cancel_comb_yields);
    return f;
}

/* ---- main: makes the scenario's combinator and awaits it -------------------------------- */

typedef struct {
    int outcome; /* VexOutcome the await saw; -1: main itself was cancelled while waiting */
    int64_t at;  /* now_ms() when main finished */
    int suspensions;
    _Alignas(16) unsigned char value[160];
} Out;

typedef struct {
    uint32_t tag;
    Scenario *sc;
    Out *out;
    VexFuture *f;
} Main;

static CoroStatus main_resume(WorkerContext *ctx, void *p) {
    Main *s = p;
    switch (s->tag) {
    case 0: break;
    case 1: goto resumed;
    }
    s->f = make_combinator(ctx, s->sc);
    if (s->sc->drop_unawaited) {
        vex_future_release(s->f);
        return CORO_STATUS_DONE;
    }
    s->tag = 1;
    if (!vex_future_poll_or_register(ctx, s->f)) {
        s->out->suspensions++;
        return CORO_STATUS_YIELDED;
    }
resumed:
    if (vex_task_cancelled(ctx)) {
        /* Cancellation flows down to the awaited future (LANGUAGE.md §6.7). */
        vex_future_cancel(s->f);
        vex_future_release(s->f);
        s->out->outcome = -1;
        s->out->at = now_ms();
        log_ev('M', -1);
        return vex_task_finish_cancelled(ctx);
    }
    VexOutcome o = vex_future_take(ctx, s->f, s->out->value);
    s->out->outcome = (int)o;
    s->out->at = now_ms();
    log_ev('M', (long)o);
    if (o != VEX_OUTCOME_VALUE) return vex_task_finish_cancelled(ctx);
    return CORO_STATUS_DONE;
}

static VexFuture *spawn_main(Runtime *rt, WorkerContext *ctx, Scenario *sc, Out *out) {
    Main *m = ctx ? vex_task_alloc(sizeof *m, 0, 0, main_resume)
                  : vex_task_alloc_in(rt, sizeof *m, 0, 0, main_resume);
    m->sc = sc;
    m->out = out;
    out->outcome = VEX_OUTCOME_PENDING;
    out->suspensions = 0;
    return ctx ? vex_task_spawn(ctx, m) : vex_task_spawn_in(rt, m);
}

static bool counters_balanced(Runtime *rt) {
    VexCounters c;
    runtime_counters(rt, &c);
    return c.alive == 0 && c.spawned == c.finished && !runtime_panicked(rt);
}

/* Runs one scenario on a deterministic runtime; `cancel_main_ms` >= 0 cancels main. */
static void run_det(Scenario *sc, Out *out, int64_t cancel_main_ms) {
    Runtime *rt = det_runtime();
    VexFuture *m = spawn_main(rt, NULL, sc, out);
    if (cancel_main_ms >= 0) spawn_canceller(NULL, rt, m, cancel_main_ms, 0);
    runtime_run(rt);
    vex_future_release(m);
    if (!counters_balanced(rt)) out->outcome = 99;
    runtime_destroy(rt);
}

/* Releases the values of a join result. */
static void release_tuple(const Scenario *sc, unsigned char *v) {
    for (int i = 0; i < sc->n; i++) release_value(sc->leaves[i].kind, v + sc->offsets[i]);
}

/* ---- join ------------------------------------------------------------------------------- */

TEST(join_of_2_to_8_values_of_different_sizes_in_argument_order) {
    static const int kinds[8] = {V_I64, V_STR, V_U8, V_PAIR, V_I32, V_UNIT, V_STR, V_U8};
    for (int n = 2; n <= 8; n++) {
        LeafSpec leaves[8];
        /* They finish in reverse order, the last one at once (no sleep). */
        for (int i = 0; i < n; i++)
            leaves[i] = (LeafSpec){.kind = kinds[i], .ms = i == n - 1 ? -1 : (n - i) * 10};
        Scenario sc = {.comb = C_JOIN, .n = n, .leaves = leaves, .id_base = 0,
                       .cancel_comb_ms = -1};
        Out out;
        log_reset(false);
        run_det(&sc, &out, -1);
        CHECK_EQ_U(out.outcome, VEX_OUTCOME_VALUE);
        CHECK_EQ_U(out.at, (uint64_t)n * 10);
        for (int i = 0; i < n; i++) CHECK(value_is(kinds[i], i, out.value + sc.offsets[i]));
        release_tuple(&sc, out.value);
    }
}

TEST(join_of_finished_inputs_does_not_suspend_its_task) {
    LeafSpec leaves[3] = {{.kind = V_STR, .ready = true}, {.kind = V_I64, .ms = -1},
                          {.kind = V_PAIR, .ready = true}};
    Scenario sc = {.comb = C_JOIN, .n = 3, .leaves = leaves, .cancel_comb_ms = -1};
    Out out;
    log_reset(true);
    run_det(&sc, &out, -1);
    CHECK_EQ_U(out.outcome, VEX_OUTCOME_VALUE);
    /* FIFO: the leaf runs first, then the join (finishing on its first run), then main. */
    CHECK_STR(log_buf, "D1@0 M1@0");
    CHECK_EQ_U(out.suspensions, 1);
    for (int i = 0; i < 3; i++) CHECK(value_is(leaves[i].kind, i, out.value + sc.offsets[i]));
    release_tuple(&sc, out.value);
}

TEST(join_with_a_cancelled_input_cancels_the_rest_in_order) {
    /* 3 finishes with a string at 5; 1 finishes cancelled at 10: the join cancels 0 and 2
     * (their cancel paths run in that order), releases 3's string, finishes cancelled. */
    LeafSpec leaves[4] = {{.kind = V_STR, .ms = 30},
                          {.kind = V_I64, .ms = 10, .mode = M_SELF_CANCEL},
                          {.kind = V_PAIR, .ms = 20},
                          {.kind = V_STR, .ms = 5}};
    for (int all = 0; all < 2; all++) {
        LeafSpec same[4];
        for (int i = 0; i < 4; i++) {
            same[i] = leaves[i];
            if (all) same[i].kind = V_STR; /* joinAll: one element type */
        }
        Scenario sc = {.comb = all ? C_JOIN_ALL : C_JOIN, .n = 4, .leaves = same,
                       .cancel_comb_ms = -1};
        Out out;
        log_reset(true);
        run_det(&sc, &out, -1);
        CHECK_EQ_U(out.outcome, VEX_OUTCOME_CANCELLED);
        CHECK_STR(log_buf, "D3@5 S1@10 C0@10 C2@10 M2@10");
    }
}

/* ---- joinAll ---------------------------------------------------------------------------- */

TEST(join_all_of_0_1_and_1000_futures) {
    /* 0: NULL and an empty vector with a buffer: finished at once with NULL. */
    Runtime *rt = det_runtime();
    runtime_set_current(rt);
    VexFuture *f0 = vex_join_all(NULL, NULL, &vex_elem_string);
    CHECK(vex_future_is_ready(f0));
    VexVec *got = (VexVec *)1;
    CHECK_EQ_U(vex_future_take(NULL, f0, &got), VEX_OUTCOME_VALUE);
    CHECK(got == NULL);
    VexFuture *f1 = vex_join_all(NULL, vex_vec_with_capacity(&elem_future, 4), &elem_i64);
    CHECK(vex_future_is_ready(f1));
    vex_future_release(f1); /* never taken: nothing to release */
    runtime_set_current(NULL);
    VexCounters c;
    runtime_counters(rt, &c);
    CHECK_EQ_U(c.spawned, 0);
    runtime_destroy(rt);

    for (int round = 0; round < 2; round++) {
        int n = round == 0 ? 1 : 1000;
        LeafSpec *leaves = calloc((size_t)n, sizeof *leaves);
        for (int i = 0; i < n; i++)
            leaves[i] = (LeafSpec){.kind = V_STR, .ms = (i * 37) % 50, .yields = i % 3,
                                   .ready = i % 97 == 5};
        Scenario sc = {.comb = C_JOIN_ALL, .n = n, .leaves = leaves, .cancel_comb_ms = -1};
        Out out;
        log_reset(false);
        run_det(&sc, &out, -1);
        free(leaves);
        CHECK_EQ_U(out.outcome, VEX_OUTCOME_VALUE);
        VexVec *v;
        memcpy(&v, out.value, sizeof v);
        CHECK_EQ_U(vex_vec_len(v), n);
        CHECK(v->elem == &vex_elem_string);
        VexString **items = (VexString **)((char *)v + VEX_VEC_HEADER_SIZE);
        for (int i = 0; i < n; i++) CHECK(str_is(items[i], "s", i));
        vex_vec_release(v);
    }
}

TEST(join_all_of_a_shared_vector_leaves_the_other_copy_alone) {
    Runtime *rt = det_runtime();
    runtime_set_current(rt);
    unsigned char v[8];
    VexFuture *hs[2];
    for (int i = 0; i < 2; i++) {
        make_value(V_I64, i, v);
        hs[i] = vex_ready_future(NULL, v, &elem_i64);
    }
    VexVec *vec = future_vector(hs, 2);
    VexVec *copy = vex_vec_retain(vec); /* the other holder keeps its handles */
    VexFuture *j = vex_join_all(NULL, vec, &elem_i64);
    runtime_run(rt);
    VexVec *r = NULL;
    CHECK_EQ_U(vex_future_take(NULL, j, &r), VEX_OUTCOME_VALUE);
    CHECK_EQ_U(vex_vec_len(r), 2);
    CHECK(value_is(V_I64, 1, (char *)r + VEX_VEC_HEADER_SIZE + 8));
    vex_vec_release(r);
    CHECK_EQ_U(vex_vec_len(copy), 2);
    vex_vec_release(copy); /* releases its two handles: the tasks are freed (ASan) */
    runtime_set_current(NULL);
    runtime_destroy(rt);
}

/* ---- race ------------------------------------------------------------------------------- */

TEST(race_the_second_input_wins_the_others_are_cancelled_in_order) {
    for (int all = 0; all < 2; all++) {
        LeafSpec leaves[3] = {{.kind = V_STR, .ms = 50}, {.kind = V_STR, .ms = 10},
                              {.kind = V_STR, .ms = 30}};
        Scenario sc = {.comb = all ? C_RACE_ALL : C_RACE, .n = 3, .leaves = leaves,
                       .cancel_comb_ms = -1};
        Out out;
        log_reset(true);
        run_det(&sc, &out, -1);
        CHECK_EQ_U(out.outcome, VEX_OUTCOME_VALUE);
        /* At 10 the race cancels 0 then 2 and finishes; main resumes after their cancel
         * paths ran (they were queued first); nothing waits until 30 or 50. */
        CHECK_STR(log_buf, "D1@10 C0@10 C2@10 M1@10");
        CHECK(value_is(V_STR, 1, out.value));
        release_value(V_STR, out.value);
    }
}

TEST(race_whose_winner_has_already_finished) {
    /* Input 1 is ready, input 2 finishes before the race first runs: the scan meets 1
     * first. Input 2's string is never taken: its own drop-result hook releases it. */
    LeafSpec leaves[3] = {{.kind = V_PAIR, .ms = 10}, {.kind = V_PAIR, .ready = true},
                          {.kind = V_PAIR, .ms = -1}};
    Scenario sc = {.comb = C_RACE, .n = 3, .leaves = leaves, .cancel_comb_ms = -1};
    Out out;
    log_reset(true);
    run_det(&sc, &out, -1);
    CHECK_EQ_U(out.outcome, VEX_OUTCOME_VALUE);
    CHECK_STR(log_buf, "D2@0 C0@0 M1@0");
    CHECK(value_is(V_PAIR, 1, out.value));
    release_value(V_PAIR, out.value);
}

TEST(race_where_some_inputs_are_cancelled) {
    LeafSpec leaves[4] = {{.kind = V_I64, .ms = 5, .mode = M_SELF_CANCEL},
                          {.kind = V_I64, .ms = 40},
                          {.kind = V_I64, .ms = 10, .mode = M_SELF_CANCEL},
                          {.kind = V_I64, .ms = 20}};
    Scenario sc = {.comb = C_RACE, .n = 4, .leaves = leaves, .cancel_comb_ms = -1};
    Out out;
    log_reset(true);
    run_det(&sc, &out, -1);
    CHECK_EQ_U(out.outcome, VEX_OUTCOME_VALUE);
    CHECK_STR(log_buf, "S0@5 S2@10 D3@20 C1@20 M1@20");
    CHECK(value_is(V_I64, 3, out.value));
}

TEST(race_where_every_input_is_cancelled) {
    for (int all = 0; all < 2; all++) {
        LeafSpec leaves[3] = {{.kind = V_STR, .ms = 15, .mode = M_SELF_CANCEL},
                              {.kind = V_STR, .ms = 5, .mode = M_SELF_CANCEL},
                              {.kind = V_STR, .ms = -1, .mode = M_SELF_CANCEL}};
        Scenario sc = {.comb = all ? C_RACE_ALL : C_RACE, .n = 3, .leaves = leaves,
                       .cancel_comb_ms = -1};
        Out out;
        log_reset(true);
        run_det(&sc, &out, -1);
        CHECK_EQ_U(out.outcome, VEX_OUTCOME_CANCELLED);
        CHECK_STR(log_buf, "S2@0 S1@5 S0@15 M2@15");
    }
}

/* ---- timeout ---------------------------------------------------------------------------- */

TEST(timeout_some_and_none_in_virtual_time) {
    /* Some: the input finishes at 10, before the 50 ms deadline. */
    LeafSpec some = {.kind = V_PAIR, .ms = 10};
    Scenario sc = {.comb = C_TIMEOUT, .n = 1, .leaves = &some, .timeout_ms = 50,
                   .cancel_comb_ms = -1};
    Out out;
    log_reset(true);
    run_det(&sc, &out, -1);
    CHECK_EQ_U(out.outcome, VEX_OUTCOME_VALUE);
    CHECK_STR(log_buf, "D0@10 M1@10");
    uint32_t tag;
    memcpy(&tag, out.value, 4);
    CHECK_EQ_U(tag, 0);
    CHECK_EQ_U(sc.payload, 8);
    CHECK(value_is(V_PAIR, 0, out.value + sc.payload));
    release_value(V_PAIR, out.value + sc.payload);

    /* None: at 30 the input (due at 100) is cancelled; its cancel path runs before main. */
    LeafSpec none = {.kind = V_STR, .ms = 100};
    sc = (Scenario){.comb = C_TIMEOUT, .n = 1, .leaves = &none, .timeout_ms = 30,
                    .cancel_comb_ms = -1};
    log_reset(true);
    run_det(&sc, &out, -1);
    CHECK_EQ_U(out.outcome, VEX_OUTCOME_VALUE);
    CHECK_STR(log_buf, "C0@30 M1@30");
    memcpy(&tag, out.value, 4);
    CHECK_EQ_U(tag, 1);

    /* ms <= 0: already passed — None unless the input has finished by the first run. */
    for (int64_t ms = -5; ms <= 0; ms += 5) {
        LeafSpec late = {.kind = V_I32, .ms = 10};
        sc = (Scenario){.comb = C_TIMEOUT, .n = 1, .leaves = &late, .timeout_ms = ms,
                        .cancel_comb_ms = -1};
        log_reset(true);
        run_det(&sc, &out, -1);
        CHECK_STR(log_buf, "C0@0 M1@0");
        memcpy(&tag, out.value, 4);
        CHECK_EQ_U(tag, 1);
        LeafSpec ready = {.kind = V_I32, .ready = true};
        sc.leaves = &ready;
        log_reset(true);
        run_det(&sc, &out, -1);
        CHECK_STR(log_buf, "M1@0");
        memcpy(&tag, out.value, 4);
        CHECK_EQ_U(tag, 0);
        CHECK(value_is(V_I32, 0, out.value + sc.payload));
    }
}

/* A timeout whose input finishes at the deadline itself: timers due at the same time
 * fire in the order they were armed. The timeout's timer is armed by the vex_timeout
 * call; an awaited sleep's timer when its task first suspends, after that call. */
typedef struct {
    uint32_t tag;
    int64_t ms;
    bool input_first; /* the input's timer is armed before the timeout's */
    VexFuture *f;
    uint32_t result[2];
} Tie;

static CoroStatus tie_resume(WorkerContext *ctx, void *p) {
    Tie *s = p;
    if (s->tag == 1) goto resumed;
    VexFuture *input;
    if (s->input_first) {
        input = vex_sleep_future(s->ms);
    } else {
        LeafSpec spec = {.kind = V_UNIT, .ms = s->ms};
        input = spawn_leaf(ctx, 0, &spec);
    }
    s->f = vex_timeout(ctx, input, s->ms, &elem_unit, 4, 4);
    s->tag = 1;
    if (!vex_future_poll_or_register(ctx, s->f)) return CORO_STATUS_YIELDED;
resumed:
    if (vex_future_take(ctx, s->f, s->result) != VEX_OUTCOME_VALUE)
        return vex_task_finish_cancelled(ctx);
    return CORO_STATUS_DONE;
}

TEST(timeout_and_input_due_at_the_same_time_follow_timer_order) {
    for (int first = 0; first < 2; first++) {
        Runtime *rt = det_runtime();
        Tie *t = vex_task_alloc_in(rt, sizeof *t, offsetof(Tie, result), 4, tie_resume);
        t->ms = 20;
        t->input_first = first;
        VexFuture *h = vex_task_spawn_in(rt, t);
        log_reset(true);
        runtime_run(rt);
        uint32_t tag = 9;
        CHECK_EQ_U(vex_future_take(NULL, h, &tag), VEX_OUTCOME_VALUE);
        CHECK_EQ_U(tag, first ? 0 : 1); /* Some(()) if the input's timer came first */
        CHECK_STR(log_buf, first ? "" : "C0@20");
        CHECK(counters_balanced(rt));
        runtime_destroy(rt);
    }
}

TEST(timeout_on_the_real_clock) {
    for (int workers = 1; workers <= 2; workers++) {
        Runtime *rt = runtime_create(workers);
        LeafSpec slow = {.kind = V_STR, .ms = 5000}, quick = {.kind = V_STR, .ms = 5};
        Scenario a = {.comb = C_TIMEOUT, .n = 1, .leaves = &slow, .timeout_ms = 30,
                      .cancel_comb_ms = -1};
        Scenario b = {.comb = C_TIMEOUT, .n = 1, .leaves = &quick, .id_base = 1,
                      .timeout_ms = 3000, .cancel_comb_ms = -1};
        Out oa, ob;
        log_reset(false);
        int64_t start = wall_ms();
        VexFuture *ma = spawn_main(rt, NULL, &a, &oa), *mb = spawn_main(rt, NULL, &b, &ob);
        runtime_run(rt);
        int64_t took = wall_ms() - start;
        CHECK(took < 2000); /* the slow input was cancelled, the long timer removed */
        CHECK_EQ_U(oa.outcome, VEX_OUTCOME_VALUE);
        CHECK_EQ_U(ob.outcome, VEX_OUTCOME_VALUE);
        uint32_t tag;
        memcpy(&tag, oa.value, 4);
        CHECK_EQ_U(tag, 1);
        CHECK(oa.at >= 30 && oa.at < 1500);
        memcpy(&tag, ob.value, 4);
        CHECK_EQ_U(tag, 0);
        CHECK(ob.at >= 5 && ob.at < 1500);
        CHECK(value_is(V_STR, 1, ob.value + b.payload));
        release_value(V_STR, ob.value + b.payload);
        vex_future_release(ma);
        vex_future_release(mb);
        CHECK(counters_balanced(rt));
        runtime_destroy(rt);
    }
}

TEST(timeout_is_cancelled_when_its_input_is) {
    LeafSpec leaf = {.kind = V_STR, .ms = 10, .mode = M_SELF_CANCEL};
    Scenario sc = {.comb = C_TIMEOUT, .n = 1, .leaves = &leaf, .timeout_ms = 50,
                   .cancel_comb_ms = -1};
    Out out;
    log_reset(true);
    run_det(&sc, &out, -1);
    CHECK_EQ_U(out.outcome, VEX_OUTCOME_CANCELLED);
    CHECK_STR(log_buf, "S0@10 M2@10");
}

/* ---- ready, isReady --------------------------------------------------------------------- */

typedef struct {
    uint32_t tag;
    VexFuture *pending;
    bool before, after, moved;
} Poller;

static CoroStatus poller_resume(WorkerContext *ctx, void *p) {
    Poller *s = p;
    if (s->tag == 1) goto resumed;
    s->pending = vex_sleep_future(10);
    s->before = vex_future_is_ready(s->pending);
    s->moved = vex_future_is_ready(NULL);
    s->tag = 1;
    worker_await_after(ctx, 20);
    return CORO_STATUS_YIELDED;
resumed:
    s->after = vex_future_is_ready(s->pending);
    vex_future_take(ctx, s->pending, NULL);
    return CORO_STATUS_DONE;
}

TEST(ready_and_is_ready) {
    Runtime *rt = det_runtime();
    runtime_set_current(rt);
    VexString *s = str_of("r", 1);
    VexFuture *f = vex_ready_future(NULL, &s, &vex_elem_string);
    CHECK(vex_future_is_ready(f));
    CHECK_EQ_U(vex_future_outcome(f), VEX_OUTCOME_VALUE);
    vex_future_cancel(f); /* finished: no effect */
    VexString *got = NULL;
    CHECK_EQ_U(vex_future_take(NULL, f, &got), VEX_OUTCOME_VALUE);
    CHECK(got == s);
    vex_string_release(got);
    /* Never taken: the runtime releases the value (ASan would report the leak). */
    Pair pr = {3, str_of("q", 3)};
    vex_future_release(vex_ready_future(NULL, &pr, &elem_pair));
    /* Retained, taken through one handle, released through the other. */
    s = str_of("r", 2);
    f = vex_ready_future(NULL, &s, &vex_elem_string);
    vex_future_retain(f);
    got = NULL;
    CHECK_EQ_U(vex_future_take(NULL, f, &got), VEX_OUTCOME_VALUE);
    vex_future_release(f);
    CHECK(str_is(got, "r", 2));
    vex_string_release(got);
    vex_future_release(vex_ready_future(NULL, NULL, &elem_unit));
    Poller *p = vex_task_alloc_in(rt, sizeof *p, 0, 0, poller_resume);
    VexFuture *h = vex_task_spawn_in(rt, p);
    runtime_run(rt);
    CHECK(!p->before && p->after && !p->moved);
    vex_future_release(h);
    runtime_set_current(NULL);
    VexCounters c;
    runtime_counters(rt, &c);
    CHECK_EQ_U(c.spawned, 2); /* the poller and its sleep: ready futures are not spawned */
    runtime_destroy(rt);
}

/* ---- cancellation of a waiting combinator ----------------------------------------------- */

TEST(cancelling_each_combinator_while_it_waits) {
    /* At 5 a canceller cancels the combinator (or, with flow, main, whose cancel path
     * cancels the combinator): every input is cancelled in argument order, the awaiter
     * sees CANCELLED at 5, and nothing waits until 100. Input 1 has finished with a
     * string (at 2) that the combinator holds (join) or that nobody took (race). */
    static const char *want[C_TIMEOUT + 1][2] = {
        {"D1@2 X0@5 C0@5 C2@5 M2@5", "D1@2 X0@5 M-1@5 C0@5 C2@5"},
        {"D1@2 X0@5 C0@5 C2@5 M2@5", "D1@2 X0@5 M-1@5 C0@5 C2@5"},
        {"", ""}, /* race: input 1 would win: see below */
        {"", ""},
        {"X0@5 C0@5 M2@5", "X0@5 M-1@5 C0@5"},
    };
    for (int comb = C_JOIN; comb <= C_TIMEOUT; comb++) {
        for (int flow = 0; flow < 2; flow++) {
            bool race = comb == C_RACE || comb == C_RACE_ALL;
            LeafSpec leaves[3] = {{.kind = V_STR, .ms = 100},
                                  {.kind = V_STR, .ms = race ? 200 : 2},
                                  {.kind = V_STR, .ms = 100}};
            Scenario sc = {.comb = comb, .n = comb == C_TIMEOUT ? 1 : 3, .leaves = leaves,
                           .timeout_ms = 1000, .cancel_comb_ms = flow ? -1 : 5};
            Out out;
            log_reset(true);
            run_det(&sc, &out, flow ? 5 : -1);
            CHECK_EQ_U(out.outcome, flow ? -1 : VEX_OUTCOME_CANCELLED);
            if (race)
                CHECK_STR(log_buf, flow ? "X0@5 M-1@5 C0@5 C1@5 C2@5" : "X0@5 C0@5 C1@5 C2@5 M2@5");
            else
                CHECK_STR(log_buf, want[comb][flow]);
        }
    }
}

/* ---- combinators of combinators ------------------------------------------------------------- */

TEST(combinators_of_combinators) {
    LeafSpec leaves[3] = {{.kind = V_STR, .ms = 30}, {.kind = V_STR, .ms = 10},
                          {.kind = V_I64, .ms = 20}};
    /* In time: the race's winner (1, at 10) and input 2 (at 20) make Some(("s1", 2007)). */
    Scenario sc = {.comb = C_NESTED, .n = 3, .leaves = leaves, .timeout_ms = 25,
                   .cancel_comb_ms = -1};
    Out out;
    log_reset(true);
    run_det(&sc, &out, -1);
    CHECK_EQ_U(out.outcome, VEX_OUTCOME_VALUE);
    CHECK_STR(log_buf, "D1@10 C0@10 D2@20 M1@20");
    uint32_t tag;
    memcpy(&tag, out.value, 4);
    CHECK_EQ_U(tag, 0);
    CHECK(value_is(V_STR, 1, out.value + 8));
    CHECK(value_is(V_I64, 2, out.value + 16));
    release_value(V_STR, out.value + 8);
    /* Too late: at 15 the timeout cancels the join and finishes (main resumes) before the
     * join's cancel path runs; that path cancels input 2 and releases the race's string. */
    sc.timeout_ms = 15;
    log_reset(true);
    run_det(&sc, &out, -1);
    CHECK_EQ_U(out.outcome, VEX_OUTCOME_VALUE);
    memcpy(&tag, out.value, 4);
    CHECK_EQ_U(tag, 1);
    CHECK_STR(log_buf, "D1@10 C0@10 M1@15 C2@15");
}

/* ---- a combinator nobody awaits --------------------------------------------------------- */

TEST(dropped_combinators_release_their_results) {
    /* Main releases each combinator's future at once: it runs detached, its result (heap
     * strings) is released by the runtime, and its inputs finish as usual. */
    for (int comb = C_JOIN; comb <= C_READY; comb++) {
        LeafSpec leaves[3] = {{.kind = V_PAIR, .ms = 10}, {.kind = V_PAIR, .ms = 5},
                              {.kind = V_PAIR, .ms = 20, .ready = comb == C_READY}};
        if (comb == C_READY) leaves[0] = leaves[2];
        Scenario sc = {.comb = comb, .n = comb >= C_TIMEOUT ? 1 : 3, .leaves = leaves,
                       .timeout_ms = 100, .cancel_comb_ms = -1, .drop_unawaited = true};
        Out out;
        log_reset(true);
        run_det(&sc, &out, -1);
        CHECK(out.outcome != 99);
        static const char *want[] = {
            "D1@5 D0@10 D2@20", "D1@5 D0@10 D2@20", "D1@5 C0@5 C2@5", "D1@5 C0@5 C2@5",
            "D0@10", ""};
        CHECK_STR(log_buf, want[comb]);
    }
}

/* ---- host calls: a combinator made off-worker ------------------------------------------- */

TEST(combinators_made_off_worker) {
    Runtime *rt = runtime_create(2);
    runtime_set_current(rt);
    VexFuture *hs[2];
    unsigned char v[16];
    make_value(V_STR, 0, v);
    hs[0] = vex_ready_future(NULL, v, &vex_elem_string);
    Leaf *l = vex_task_alloc_in(rt, sizeof(Leaf), offsetof(Leaf, result), 8, leaf_resume);
    l->id = 1;
    l->kind = V_STR;
    l->ms = 3;
    vex_task_set_drop_result(l, leaf_drop);
    hs[1] = vex_task_spawn_in(rt, l);
    const VexElemType *types[2] = {&vex_elem_string, &vex_elem_string};
    uint32_t offs[2] = {0, 8};
    log_reset(false);
    VexFuture *j = vex_join(NULL, hs, 2, offs, types, 16);
    runtime_run(rt);
    VexString *got[2] = {NULL, NULL};
    CHECK_EQ_U(vex_future_take(NULL, j, got), VEX_OUTCOME_VALUE);
    CHECK(str_is(got[0], "s", 0) && str_is(got[1], "s", 1));
    vex_string_release(got[0]);
    vex_string_release(got[1]);
    runtime_set_current(NULL);
    CHECK(counters_balanced(rt));
    runtime_destroy(rt);
}

/* ---- stress ----------------------------------------------------------------------------- */

typedef struct {
    Scenario sc;
    LeafSpec leaves[6];
    Out out;
    bool cancel_main;
} Round;

static uint64_t rng_next(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Spawns the rounds from inside a task (combinators made on the workers). */
typedef struct {
    uint32_t tag;
    Round *rounds;
    long n;
} Spawner;

static CoroStatus spawner_resume(WorkerContext *ctx, void *p) {
    Spawner *s = p;
    for (long i = 0; i < s->n; i++) {
        Round *r = &s->rounds[i];
        VexFuture *m = spawn_main(NULL, ctx, &r->sc, &r->out);
        if (r->cancel_main) spawn_canceller(ctx, NULL, m, -1, (int)(i % 4) + 1);
        vex_future_release(m);
    }
    return CORO_STATUS_DONE;
}

/* Checks one round's outcome against its inputs; releases the values it got. */
static bool check_round(Round *r) {
    Scenario *sc = &r->sc;
    int o = r->out.outcome;
    if (o == -1 || o == VEX_OUTCOME_CANCELLED) {
        if (sc->comb == C_JOIN || sc->comb == C_JOIN_ALL) {
            bool any_self = false;
            for (int i = 0; i < sc->n; i++) any_self |= sc->leaves[i].mode == M_SELF_CANCEL;
            /* Cancelled only with a reason. */
            return any_self || r->cancel_main || sc->cancel_comb_ms >= 0 || sc->cancel_comb_yields;
        }
        return true;
    }
    if (o != VEX_OUTCOME_VALUE) return false;
    unsigned char *v = r->out.value;
    switch (sc->comb) {
    case C_JOIN:
        for (int i = 0; i < sc->n; i++) {
            if (sc->leaves[i].mode != M_VALUE) return false;
            if (!value_is(sc->leaves[i].kind, sc->id_base + i, v + sc->offsets[i])) return false;
        }
        release_tuple(sc, v);
        return true;
    case C_JOIN_ALL: {
        VexVec *vec;
        memcpy(&vec, v, sizeof vec);
        bool ok = (int)vex_vec_len(vec) == sc->n;
        size_t size = (size_t)elem_of(sc->value_kind)->size;
        for (int i = 0; ok && i < sc->n; i++)
            ok = sc->leaves[i].mode == M_VALUE &&
                 value_is(sc->value_kind, sc->id_base + i,
                          (char *)vec + VEX_VEC_HEADER_SIZE + (size_t)i * size);
        vex_vec_release(vec);
        return ok;
    }
    case C_RACE:
    case C_RACE_ALL: {
        bool ok = false;
        for (int i = 0; i < sc->n; i++)
            ok |= sc->leaves[i].mode == M_VALUE && value_is(sc->value_kind, sc->id_base + i, v);
        release_value(sc->value_kind, v);
        return ok;
    }
    default: {
        uint32_t tag;
        memcpy(&tag, v, 4);
        if (tag == 1) return true;
        bool ok = tag == 0 && sc->leaves[0].mode == M_VALUE &&
                  value_is(sc->value_kind, sc->id_base, v + sc->payload);
        if (tag == 0) release_value(sc->value_kind, v + sc->payload);
        return ok;
    }
    }
}

/* One batch of rounds on a fresh 4-worker runtime; returns the number of bad rounds. */
static long stress_batch(Round *rounds, long nrounds, uint64_t *rng, long *values,
                         long *cancelled) {
    long nleaves = 0;
    for (long i = 0; i < nrounds; i++) {
        Round *r = &rounds[i];
        int comb = (int)(rng_next(rng) % (C_TIMEOUT + 1));
        int n = comb == C_TIMEOUT ? 1 : 1 + (int)(rng_next(rng) % 6);
        int kind = (int)(rng_next(rng) % V_NKINDS);
        for (int k = 0; k < n; k++) {
            uint64_t x = rng_next(rng);
            r->leaves[k] = (LeafSpec){
                .kind = comb == C_JOIN ? (int)(x % V_NKINDS) : kind,
                .mode = (x >> 8) % 10 == 0 ? M_SELF_CANCEL : M_VALUE,
                .ms = (x >> 16) % 4 == 0 ? (int64_t)((x >> 20) % 3) : -1,
                .yields = (int)((x >> 24) % 4),
                .ready = (x >> 28) % 16 == 0,
            };
            if (r->leaves[k].ready) r->leaves[k].mode = M_VALUE; /* ready futures have values */
        }
        uint64_t c = rng_next(rng);
        r->sc = (Scenario){.comb = comb, .n = n, .leaves = r->leaves, .id_base = (int)nleaves,
                           .timeout_ms = (int64_t)(c % 4),
                           .cancel_comb_ms = -1,
                           .cancel_comb_yields = (c >> 8) % 7 == 0 ? (int)((c >> 12) % 4) + 1 : 0};
        r->cancel_main = (c >> 16) % 9 == 0;
        nleaves += n;
    }
    atomic_store(&leaves_ended, 0);
    Runtime *rt = runtime_create(4);
    long per = (nrounds + 7) / 8;
    for (long i = 0; i < nrounds; i += per) {
        Spawner *s = vex_task_alloc_in(rt, sizeof *s, 0, 0, spawner_resume);
        s->rounds = &rounds[i];
        s->n = i + per <= nrounds ? per : nrounds - i;
        vex_future_release(vex_task_spawn_in(rt, s));
    }
    runtime_run(rt);
    long bad = 0;
    for (long i = 0; i < nrounds; i++) {
        if (!check_round(&rounds[i])) {
            if (bad < 5)
                fprintf(stderr, "  round %ld: comb %d n %d outcome %d\n", i, rounds[i].sc.comb,
                        rounds[i].sc.n, rounds[i].out.outcome);
            bad++;
        }
        *values += rounds[i].out.outcome == VEX_OUTCOME_VALUE;
        *cancelled += rounds[i].out.outcome != VEX_OUTCOME_VALUE;
    }
    if (atomic_load(&leaves_ended) != nleaves) {
        fprintf(stderr, "  %ld of %ld inputs ended\n", (long)atomic_load(&leaves_ended), nleaves);
        bad++;
    }
    if (!counters_balanced(rt)) bad++;
    runtime_destroy(rt);
    return bad;
}

TEST(stress_combinators_on_several_workers_with_random_cancellation) {
    long total = stress_size(100000), batch = 10000;
    Round *rounds = calloc((size_t)batch, sizeof *rounds);
    uint64_t rng = 0x1234567887654321ull;
    long bad = 0, values = 0, cancelled = 0;
    log_reset(false);
    int64_t start = wall_ms();
    for (long done = 0; done < total; done += batch) {
        long n = total - done < batch ? total - done : batch;
        memset(rounds, 0, (size_t)n * sizeof *rounds);
        bad += stress_batch(rounds, n, &rng, &values, &cancelled);
    }
    fprintf(stderr, "  %ld combinators in %lld ms: %ld values, %ld cancelled\n", total,
            (long long)(wall_ms() - start), values, cancelled);
    free(rounds);
    CHECK_EQ_U(bad, 0);
}

int main(void) {
    RUN(join_of_2_to_8_values_of_different_sizes_in_argument_order);
    RUN(join_of_finished_inputs_does_not_suspend_its_task);
    RUN(join_with_a_cancelled_input_cancels_the_rest_in_order);
    RUN(join_all_of_0_1_and_1000_futures);
    RUN(join_all_of_a_shared_vector_leaves_the_other_copy_alone);
    RUN(race_the_second_input_wins_the_others_are_cancelled_in_order);
    RUN(race_whose_winner_has_already_finished);
    RUN(race_where_some_inputs_are_cancelled);
    RUN(race_where_every_input_is_cancelled);
    RUN(timeout_some_and_none_in_virtual_time);
    RUN(timeout_and_input_due_at_the_same_time_follow_timer_order);
    RUN(timeout_on_the_real_clock);
    RUN(timeout_is_cancelled_when_its_input_is);
    RUN(ready_and_is_ready);
    RUN(cancelling_each_combinator_while_it_waits);
    RUN(combinators_of_combinators);
    RUN(dropped_combinators_release_their_results);
    RUN(combinators_made_off_worker);
    RUN(stress_combinators_on_several_workers_with_random_cancellation);
    HARNESS_END();
}
