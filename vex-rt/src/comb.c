/*
 * comb.c — the future combinators (language §12): join, joinAll, race, raceAll, timeout,
 * ready and isReady, each a small runtime task (or, for ready, an already finished one)
 * in one allocation: the task header, the combinator's state (the input handles, or for
 * joinAll/raceAll the input vector that holds them) and its result slot.
 *
 * Waiting for several futures. A combinator task makes itself the awaiter of every input
 * that has not finished (rt_future_watch: the `waiter` field of the input's task, exactly
 * what an `await` registers, holding a reference to the combinator) and records a plain
 * wake-up wait (worker_await_wake). An input that finishes wakes it as it wakes any
 * awaiter. The registrations outlive the run that made them: each run re-checks every
 * input it still holds (registering again is a no-op) and withdraws the registrations it
 * no longer needs (rt_future_unwatch) before it releases a handle. A wake-up that arrives
 * while the combinator runs makes it run again, so none is lost.
 *
 * Every run, in this order: the combinator's own cancellation (its cancel procedure);
 * then a scan of the inputs in argument order, taking each finished one and acting on it;
 * then (timeout) the deadline; then registration on the inputs still pending — if one of
 * them finished in between, the scan starts over. The cancel procedure: cancel every
 * input still held, in argument order (vex_future_cancel, a no-op for a finished one),
 * then release every handle and every value held, then finish.
 *
 * The timeout's timer is the task's own timer, armed when vex_timeout is called (so it
 * orders among timers by call time) as a plain wake-up that stays armed across the
 * task's runs (rt_spawn_with_timer); the task removes it when it finishes.
 *
 * Inputs are taken with vex_future_take(NULL, ...): a cancelled input does not mark the
 * combinator cancelled by itself; each combinator decides (join: cancelled; race: the
 * input drops out; timeout: cancelled).
 */
#include "internal.h"

#include <stdarg.h>
#include <string.h>

static _Noreturn void comb_abort(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("vex-rt: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

static Runtime *comb_runtime(WorkerContext *ctx, const char *what) {
    Runtime *rt = ctx ? ctx->rt : runtime_current();
    if (!rt) comb_abort("%s without a current runtime", what);
    return rt;
}

static inline size_t align16(size_t n) { return (n + 15) & ~(size_t)15; }

/* The result size of the task behind an input handle must be the size of the type the
 * compiler says it has (it is copied into a slot of that size). */
static void check_input(VexFuture *f, uint64_t size, const char *what, int64_t i) {
    if (!f) comb_abort("%s: input %lld is NULL (a moved future)", what, (long long)i);
    uint32_t have = ((VexTask *)f)->result_size;
    if (have != size)
        comb_abort("%s: input %lld has a result of %u bytes, its type %llu", what, (long long)i,
                   have, (unsigned long long)size);
}

/* Never runs (the task is finished when it is made). */
static CoroStatus ready_resume(WorkerContext *ctx, void *state) {
    (void)ctx;
    (void)state;
    return CORO_STATUS_DONE;
}

/* ---- join, joinAll, race, raceAll ------------------------------------------------------- */

enum { K_JOIN, K_JOIN_ALL, K_RACE, K_RACE_ALL };

typedef struct Comb {
    VexFuture **hs;        /* the n input handles; NULL once taken or released */
    int64_t n;
    int64_t left;          /* handles still held */
    int64_t first;         /* every handle before it is NULL */
    VexVec *inputs;        /* joinAll/raceAll: the unique input vector whose elements hs is */
    const VexElemType *const *types; /* join: the type of each input's value */
    const uint32_t *offsets;         /* join: where each value goes in the result tuple */
    const VexElemType *type; /* joinAll: the element type; race/raceAll: the result type */
    VexVec *values;        /* joinAll: the result vector (len 0 until complete) */
    char *result;          /* this task's result slot */
    uint32_t kind;
} Comb;

static void *join_slot(Comb *s, int64_t i) {
    if (s->kind == K_JOIN) return s->result + s->offsets[i];
    return (char *)s->values + VEX_VEC_HEADER_SIZE + (size_t)i * s->type->size;
}

static void release_slot(Comb *s, int64_t i) {
    const VexElemType *t = s->kind == K_JOIN ? s->types[i] : s->type;
    if (t->release) t->release(join_slot(s, i));
}

/* Registers the running combinator on every input still pending; false if one of them
 * has finished meanwhile (scan again). */
static bool watch_all(WorkerContext *ctx, Comb *s) {
    for (int64_t i = s->first; i < s->n; i++)
        if (s->hs[i] && !rt_future_watch(ctx->current, s->hs[i])) return false;
    return true;
}

/* Frees the input vector (joinAll/raceAll) once every handle in it has been taken or
 * released: emptied first, so releasing it releases no element. */
static void drop_input_vector(Comb *s) {
    if (!s->inputs) return;
    s->inputs->len = 0;
    vex_vec_release(s->inputs);
    s->inputs = NULL;
    s->hs = NULL;
}

/* The cancel procedure (also what a race does after its winner): cancels every input
 * still held in argument order, then releases the handles and (join/joinAll) the values
 * taken so far — every taken input except `skip`, the one that finished cancelled. */
static void drop_inputs(WorkerContext *ctx, Comb *s, int64_t skip) {
    bool joins = s->kind == K_JOIN || s->kind == K_JOIN_ALL;
    for (int64_t i = s->first; i < s->n; i++) {
        if (!s->hs[i]) continue;
        rt_future_unwatch(ctx->current, s->hs[i]);
        vex_future_cancel(s->hs[i]);
    }
    for (int64_t i = 0; i < s->n; i++) {
        if (s->hs[i]) {
            vex_future_release(s->hs[i]);
            s->hs[i] = NULL;
        } else if (joins && i != skip) {
            release_slot(s, i);
        }
    }
    s->left = 0;
    drop_input_vector(s);
    if (s->values) {
        vex_vec_release(s->values); /* len 0: only frees the block */
        s->values = NULL;
    }
}

static CoroStatus join_resume(WorkerContext *ctx, void *state) {
    Comb *s = state;
    if (vex_task_cancelled(ctx)) {
        drop_inputs(ctx, s, -1);
        return vex_task_finish_cancelled(ctx);
    }
    do {
        while (s->first < s->n && !s->hs[s->first]) s->first++;
        for (int64_t i = s->first; i < s->n; i++) {
            VexFuture *h = s->hs[i];
            if (!h) continue;
            VexOutcome o = vex_future_outcome(h);
            if (o == VEX_OUTCOME_PENDING) continue;
            s->hs[i] = NULL;
            s->left--;
            if (o == VEX_OUTCOME_VALUE) {
                vex_future_take(NULL, h, join_slot(s, i));
                continue;
            }
            vex_future_take(NULL, h, NULL);
            drop_inputs(ctx, s, i);
            return vex_task_finish_cancelled(ctx);
        }
        if (s->left == 0) {
            if (s->kind == K_JOIN_ALL) {
                drop_input_vector(s);
                s->values->len = (uint64_t)s->n;
                memcpy(s->result, &s->values, sizeof s->values);
                s->values = NULL;
            }
            return CORO_STATUS_DONE;
        }
    } while (!watch_all(ctx, s));
    worker_await_wake(ctx);
    return CORO_STATUS_YIELDED;
}

static CoroStatus race_resume(WorkerContext *ctx, void *state) {
    Comb *s = state;
    if (vex_task_cancelled(ctx)) {
        drop_inputs(ctx, s, -1);
        return vex_task_finish_cancelled(ctx);
    }
    do {
        while (s->first < s->n && !s->hs[s->first]) s->first++;
        for (int64_t i = s->first; i < s->n; i++) {
            VexFuture *h = s->hs[i];
            if (!h) continue;
            VexOutcome o = vex_future_outcome(h);
            if (o == VEX_OUTCOME_PENDING) continue;
            s->hs[i] = NULL;
            s->left--;
            if (o == VEX_OUTCOME_VALUE) {
                vex_future_take(NULL, h, s->result);
                drop_inputs(ctx, s, -1);
                return CORO_STATUS_DONE;
            }
            vex_future_take(NULL, h, NULL); /* cancelled: it drops out */
        }
        if (s->left == 0) {
            drop_input_vector(s);
            return vex_task_finish_cancelled(ctx);
        }
    } while (!watch_all(ctx, s));
    worker_await_wake(ctx);
    return CORO_STATUS_YIELDED;
}

/* Drop-result hooks: the value was never taken (every handle released). */
static void join_drop(WorkerContext *ctx, void *state) {
    (void)ctx;
    Comb *s = state;
    if (s->kind == K_JOIN_ALL) {
        VexVec *v;
        memcpy(&v, s->result, sizeof v);
        vex_vec_release(v);
        return;
    }
    for (int64_t i = 0; i < s->n; i++)
        if (s->types[i]->release) s->types[i]->release(s->result + s->offsets[i]);
}

static void race_drop(WorkerContext *ctx, void *state) {
    (void)ctx;
    Comb *s = state;
    s->type->release(s->result);
}

/* Allocates a combinator task with `extra` bytes of arrays after the Comb header and a
 * result slot of result_size bytes (16-byte aligned) after them. */
static Comb *comb_alloc(Runtime *rt, uint32_t kind, size_t extra, uint64_t result_size,
                        coro_resume_func resume) {
    size_t result_offset = align16(sizeof(Comb) + extra);
    if (result_size > UINT32_MAX)
        comb_abort("a combinator result of %llu bytes", (unsigned long long)result_size);
    Comb *s = vex_task_alloc_in(rt, result_offset + (size_t)result_size, result_offset,
                                (size_t)result_size, resume);
    s->kind = kind;
    s->result = (char *)s + result_offset;
    s->first = 0;
    return s;
}

VexFuture *vex_join(WorkerContext *ctx, VexFuture *const *inputs, int32_t n,
                    const uint32_t *offsets, const VexElemType *const *input_types,
                    uint32_t result_size) {
    Runtime *rt = comb_runtime(ctx, "vex_join");
    if (n < 1) comb_abort("vex_join of %d futures", n);
    bool drops = false;
    for (int32_t i = 0; i < n; i++) {
        const VexElemType *t = input_types[i];
        check_input(inputs[i], t->size, "vex_join", i);
        if ((uint64_t)offsets[i] + t->size > result_size)
            comb_abort("vex_join: field %d at %u does not fit a result of %u bytes", i,
                       offsets[i], result_size);
        drops |= t->release != NULL && t->size > 0;
    }
    /* After the header: the handles, the types, the offsets; then the result. */
    size_t un = (size_t)n;
    size_t types_at = un * sizeof(VexFuture *),
           offsets_at = types_at + un * sizeof(VexElemType *),
           extra = offsets_at + un * sizeof(uint32_t);
    Comb *s = comb_alloc(rt, K_JOIN, extra, result_size, join_resume);
    char *arrays = (char *)s + sizeof(Comb);
    s->hs = (VexFuture **)arrays;
    const VexElemType **ts = (const VexElemType **)(arrays + types_at);
    uint32_t *offs = (uint32_t *)(arrays + offsets_at);
    memcpy(s->hs, inputs, un * sizeof(VexFuture *));
    memcpy(ts, input_types, un * sizeof(VexElemType *));
    memcpy(offs, offsets, un * sizeof(uint32_t));
    s->types = ts;
    s->offsets = offs;
    s->n = s->left = n;
    if (drops) vex_task_set_drop_result(s, join_drop);
    return vex_task_spawn(ctx, s);
}

/* Takes over a Vec<Future<T>>: made unique (a shared vector is copied, its handles
 * retained), its elements become the handle array of the task. */
static VexVec *take_input_vector(VexVec *v, const char *what) {
    v = vex_vec_make_unique(v);
    if (v->elem->size != sizeof(VexFuture *))
        comb_abort("%s: vector elements of %llu bytes are not futures", what,
                   (unsigned long long)v->elem->size);
    return v;
}

static void comb_set_vector(Comb *s, VexVec *v, const VexElemType *value_type,
                            const char *what) {
    s->inputs = v;
    s->hs = (VexFuture **)((char *)v + VEX_VEC_HEADER_SIZE);
    s->n = s->left = (int64_t)v->len;
    for (int64_t i = 0; i < s->n; i++) check_input(s->hs[i], value_type->size, what, i);
}

VexFuture *vex_join_all(WorkerContext *ctx, VexVec *inputs, const VexElemType *elem) {
    Runtime *rt = comb_runtime(ctx, "vex_join_all");
    if (vex_vec_len(inputs) == 0) {
        vex_vec_release(inputs);
        VexVec **slot =
            vex_task_alloc_in(rt, sizeof(VexVec *), 0, sizeof(VexVec *), ready_resume);
        *slot = NULL; /* no drop-result hook: nothing to release */
        return rt_finished_future(slot);
    }
    inputs = take_input_vector(inputs, "vex_join_all");
    Comb *s = comb_alloc(rt, K_JOIN_ALL, 0, sizeof(VexVec *), join_resume);
    comb_set_vector(s, inputs, elem, "vex_join_all");
    s->type = elem;
    s->values = vex_vec_with_capacity(elem, s->n);
    vex_task_set_drop_result(s, join_drop);
    return vex_task_spawn(ctx, s);
}

VexFuture *vex_race(WorkerContext *ctx, VexFuture *const *inputs, int32_t n,
                    const VexElemType *result) {
    Runtime *rt = comb_runtime(ctx, "vex_race");
    if (n < 1) comb_abort("vex_race of %d futures", n);
    for (int32_t i = 0; i < n; i++) check_input(inputs[i], result->size, "vex_race", i);
    Comb *s =
        comb_alloc(rt, K_RACE, (size_t)n * sizeof(VexFuture *), result->size, race_resume);
    s->hs = (VexFuture **)((char *)s + sizeof(Comb));
    memcpy(s->hs, inputs, (size_t)n * sizeof(VexFuture *));
    s->n = s->left = n;
    s->type = result;
    if (result->release && result->size > 0) vex_task_set_drop_result(s, race_drop);
    return vex_task_spawn(ctx, s);
}

VexFuture *vex_race_all(WorkerContext *ctx, VexVec *inputs, const VexElemType *result) {
    Runtime *rt = comb_runtime(ctx, "vex_race_all");
    if (vex_vec_len(inputs) == 0) comb_abort("vex_race_all of an empty vector");
    inputs = take_input_vector(inputs, "vex_race_all");
    Comb *s = comb_alloc(rt, K_RACE_ALL, 0, result->size, race_resume);
    comb_set_vector(s, inputs, result, "vex_race_all");
    s->type = result;
    if (result->release && result->size > 0) vex_task_set_drop_result(s, race_drop);
    return vex_task_spawn(ctx, s);
}

/* ---- timeout ---------------------------------------------------------------------------- */

typedef struct TimeoutState {
    VexFuture *input;           /* NULL once taken or released */
    const VexElemType *value;
    uint64_t deadline;          /* rt clock; 0: expired from the start (ms <= 0) */
    uint32_t payload_offset;
    uint32_t reserved;
} TimeoutState;

#define TIMEOUT_RESULT align16(sizeof(TimeoutState))
#define OPTION_SOME 0u
#define OPTION_NONE 1u
#define TIMEOUT_CANCELLED 2u /* not a tag: timeout_finish finishes cancelled */

static char *timeout_result(TimeoutState *s) { return (char *)s + TIMEOUT_RESULT; }

/* Finishes with Some (the payload is in place), None or cancelled: removes the timer,
 * withdraws from, cancels and releases the input if it is still held. */
static CoroStatus timeout_finish(WorkerContext *ctx, TimeoutState *s, uint32_t tag) {
    if (s->deadline) rt_timer_cancel(ctx->current);
    if (s->input) {
        rt_future_unwatch(ctx->current, s->input);
        vex_future_cancel(s->input);
        vex_future_release(s->input);
        s->input = NULL;
    }
    if (tag == TIMEOUT_CANCELLED) return vex_task_finish_cancelled(ctx);
    memcpy(timeout_result(s), &tag, sizeof tag);
    return CORO_STATUS_DONE;
}

static CoroStatus timeout_resume(WorkerContext *ctx, void *state) {
    TimeoutState *s = state;
    if (vex_task_cancelled(ctx)) return timeout_finish(ctx, s, TIMEOUT_CANCELLED);
    for (;;) {
        VexOutcome o = vex_future_outcome(s->input);
        if (o == VEX_OUTCOME_VALUE) {
            vex_future_take(NULL, s->input, timeout_result(s) + s->payload_offset);
            s->input = NULL;
            return timeout_finish(ctx, s, OPTION_SOME);
        }
        if (o != VEX_OUTCOME_PENDING) {
            vex_future_take(NULL, s->input, NULL);
            s->input = NULL;
            return timeout_finish(ctx, s, TIMEOUT_CANCELLED);
        }
        if (s->deadline == 0 || rt_now(ctx->rt) >= s->deadline)
            return timeout_finish(ctx, s, OPTION_NONE);
        if (rt_future_watch(ctx->current, s->input)) break;
    }
    worker_await_wake(ctx);
    return CORO_STATUS_YIELDED;
}

static void timeout_drop(WorkerContext *ctx, void *state) {
    (void)ctx;
    TimeoutState *s = state;
    uint32_t tag;
    memcpy(&tag, timeout_result(s), sizeof tag);
    if (tag == OPTION_SOME) s->value->release(timeout_result(s) + s->payload_offset);
}

VexFuture *vex_timeout(WorkerContext *ctx, VexFuture *input, int64_t ms, const VexElemType *value,
                       uint32_t payload_offset, uint32_t result_size) {
    Runtime *rt = comb_runtime(ctx, "vex_timeout");
    check_input(input, value->size, "vex_timeout", 0);
    if (result_size < sizeof(uint32_t) || payload_offset < sizeof(uint32_t) ||
        (uint64_t)payload_offset + value->size > result_size)
        comb_abort("vex_timeout: a payload of %llu bytes at %u in an Option of %u bytes",
                   (unsigned long long)value->size, payload_offset, result_size);
    TimeoutState *s = vex_task_alloc_in(rt, TIMEOUT_RESULT + result_size, TIMEOUT_RESULT,
                                        result_size, timeout_resume);
    s->input = input;
    s->value = value;
    s->payload_offset = payload_offset;
    if (value->release && value->size > 0) vex_task_set_drop_result(s, timeout_drop);
    if (ms <= 0) {
        s->deadline = 0;
        return vex_task_spawn(ctx, s);
    }
    s->deadline = rt_deadline_after(rt, (uint64_t)ms);
    return rt_spawn_with_timer(rt, ctx, s, s->deadline);
}

/* ---- ready, isReady --------------------------------------------------------------------- */

typedef struct ReadyState {
    const VexElemType *type;
    uint64_t reserved;
} ReadyState;

#define READY_VALUE align16(sizeof(ReadyState))

static void ready_drop(WorkerContext *ctx, void *state) {
    (void)ctx;
    ReadyState *s = state;
    s->type->release((char *)s + READY_VALUE);
}

VexFuture *vex_ready_future(WorkerContext *ctx, const void *value, const VexElemType *result) {
    Runtime *rt = comb_runtime(ctx, "vex_ready_future");
    ReadyState *s = vex_task_alloc_in(rt, READY_VALUE + (size_t)result->size, READY_VALUE,
                                      (size_t)result->size, ready_resume);
    s->type = result;
    if (result->size) memcpy((char *)s + READY_VALUE, value, (size_t)result->size);
    if (result->release && result->size > 0) vex_task_set_drop_result(s, ready_drop);
    return rt_finished_future(s);
}

bool vex_future_is_ready(const VexFuture *f) {
    return f && vex_future_outcome(f) != VEX_OUTCOME_PENDING;
}
