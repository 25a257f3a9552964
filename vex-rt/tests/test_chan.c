/*
 * test_chan.c — channels and select through the public ABI, with tasks written as C
 * resume functions that follow the compiled-code protocol (a PENDING operation returns
 * CORO_STATUS_YIELDED, the resume point calls the *_resume function first).
 *
 * Unit tests: FIFO order of buffered and unbuffered channels and of waiting senders, try
 * operations, close semantics, len/cap/is_closed, release of buffered values; select:
 * an arm ready at once, default, after (real and virtual clock), waiting on several
 * channels and being woken by exactly one (the others withdrawn, unsent values released
 * once), all arms disabled at once and while waiting, a uniform-ish choice among ready
 * arms and exact repetition in deterministic mode; cancellation of tasks parked in send,
 * receive and select, and a cancellation that comes after a hand-off (no value lost).
 * Stress: MPMC traffic through channels of capacity 0, 1 and 64 and through a select
 * over 4 channels plus a timer, with random cancellation of both sides: every value
 * reported sent is received exactly once, every other value is released exactly once.
 * Deadlock detection: reported once all is idle (after pending timers), in the evaluator's
 * words, on 1, 2 and 4 workers; never under the stress load, which runs with it on.
 * Sizes shrink by VEX_STRESS_SCALE under sanitizers.
 */
#define _GNU_SOURCE
#include "harness.h"
#include "vex_rt.h"

#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A wait record followed by its slot, as the compiler lays it out in a state. */
typedef struct {
    _Alignas(16) unsigned char rec[VEX_CHAN_WAITER_SIZE];
    _Alignas(16) unsigned char slot[16];
} WaitBuf;
_Static_assert(offsetof(WaitBuf, slot) == VEX_CHAN_WAITER_SIZE, "slot follows the record");
#define WAITER(b) ((VexChanWaiter *)(b)->rec)

typedef struct {
    _Alignas(16) unsigned char bytes[VEX_SELECT_SIZE];
} SelBuf;
#define SEL(b) ((VexSelect *)(b)->bytes)

/* ---- element types ---------------------------------------------------------------------- */

static const VexElemType i64_elem = {.size = 8, .align = 8, .kind = VEX_ELEM_I64};

/* int64 values whose releases are logged. */
static _Atomic int nrel;
static int64_t rel_vals[4096];
static void counted_release(void *elem) {
    int i = atomic_fetch_add(&nrel, 1);
    if (i < 4096) rel_vals[i] = *(int64_t *)elem;
}
static const VexElemType counted_elem = {.size = 8, .align = 8, .release = counted_release};
static int released_times(int64_t v) {
    int n = 0, k = atomic_load(&nrel);
    for (int i = 0; i < k && i < 4096; i++) n += rel_vals[i] == v;
    return n;
}

/* ---- event log ----------------------------------------------------------------------------- */

typedef struct {
    int task, kind;
    int64_t val, t;
} Event;
static _Atomic int nev;
static Event evs[4096];
static void log_ev(int task, int kind, int64_t val) {
    int i = atomic_fetch_add(&nev, 1);
    if (i < 4096) evs[i] = (Event){task, kind, val, now_ms()};
}
static void reset_logs(void) {
    atomic_store(&nev, 0);
    atomic_store(&nrel, 0);
}

static Runtime *det_runtime(void) {
    VexRuntimeOptions o = {.workers = 1, .virtual_clock = true};
    return runtime_create_with(&o);
}

/* ---- sender: sends vals[0..n) and logs every result ---------------------------------------- */
typedef struct {
    uint32_t tag;
    int id, n, i;
    VexChannel *ch;
    int64_t vals[8];
    WaitBuf wb;
} Sender;

static CoroStatus sender_resume(WorkerContext *ctx, void *p) {
    Sender *s = p;
    VexChanWaiter *w = WAITER(&s->wb);
    int32_t r;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    }
    for (s->i = 0; s->i < s->n; s->i++) {
        memcpy(s->wb.slot, &s->vals[s->i], 8);
        s->tag = 1;
        r = vex_chan_send(ctx, s->ch, w);
        if (r == VEX_CHAN_PENDING) return CORO_STATUS_YIELDED;
        goto done1;
    resume1:
        r = vex_chan_send_resume(ctx, s->ch, w);
        if (r == VEX_CHAN_PENDING) return CORO_STATUS_YIELDED;
    done1:
        log_ev(s->id, r, s->vals[s->i]);
        if (r == VEX_CHAN_CANCELLED) return vex_task_finish_cancelled(ctx);
    }
    return CORO_STATUS_DONE;
}

static VexFuture *spawn_sender(Runtime *rt, int id, VexChannel *ch, int n, const int64_t *vals) {
    Sender *s = vex_task_alloc_in(rt, sizeof(Sender), 0, 0, sender_resume);
    s->id = id;
    s->ch = ch;
    s->n = n;
    memcpy(s->vals, vals, (size_t)n * 8);
    return vex_task_spawn_in(rt, s);
}

/* ---- receiver: receives up to n values (stops at CLOSED) and logs them --------------------- */
typedef struct {
    uint32_t tag;
    int id, n, i;
    VexChannel *ch;
    WaitBuf wb;
} Receiver;

static CoroStatus receiver_resume(WorkerContext *ctx, void *p) {
    Receiver *s = p;
    VexChanWaiter *w = WAITER(&s->wb);
    int32_t r;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    }
    for (s->i = 0; s->i < s->n; s->i++) {
        s->tag = 1;
        r = vex_chan_recv(ctx, s->ch, w);
        if (r == VEX_CHAN_PENDING) return CORO_STATUS_YIELDED;
        goto done1;
    resume1:
        r = vex_chan_recv_resume(ctx, s->ch, w);
        if (r == VEX_CHAN_PENDING) return CORO_STATUS_YIELDED;
    done1: {
        int64_t v = -1;
        if (r == VEX_CHAN_OK) memcpy(&v, s->wb.slot, 8);
        log_ev(s->id, r, v);
        if (r == VEX_CHAN_CANCELLED) return vex_task_finish_cancelled(ctx);
        if (r == VEX_CHAN_CLOSED) break;
    }
    }
    return CORO_STATUS_DONE;
}

static VexFuture *spawn_receiver(Runtime *rt, int id, VexChannel *ch, int n) {
    Receiver *s = vex_task_alloc_in(rt, sizeof(Receiver), 0, 0, receiver_resume);
    s->id = id;
    s->ch = ch;
    s->n = n;
    return vex_task_spawn_in(rt, s);
}

/* ---- a task that runs a closure-like action once ------------------------------------------- */
typedef struct {
    uint32_t tag;
    void (*fn)(void *arg);
    void *arg;
    uint64_t delay_ms;
} Action;

static CoroStatus action_resume(WorkerContext *ctx, void *p) {
    Action *s = p;
    if (s->tag == 0 && s->delay_ms) {
        s->tag = 1;
        worker_await_after(ctx, s->delay_ms);
        return CORO_STATUS_YIELDED;
    }
    s->fn(s->arg);
    return CORO_STATUS_DONE;
}

static void spawn_action(Runtime *rt, void (*fn)(void *), void *arg, uint64_t delay_ms) {
    Action *s = vex_task_alloc_in(rt, sizeof(Action), 0, 0, action_resume);
    s->fn = fn;
    s->arg = arg;
    s->delay_ms = delay_ms;
    vex_future_release(vex_task_spawn_in(rt, s));
}

static void close_action(void *ch) { vex_chan_close(ch); }
static void cancel_action(void *f) { vex_future_cancel(f); }
static void shutdown_action(void *rt) { runtime_shutdown(rt); }

/* ---- select task: one select over up to 4 arms ---------------------------------------------- */
typedef struct {
    uint32_t tag;
    int id, n;
    int64_t after_ms;
    bool has_default;
    VexChannel *chs[4];
    int kinds[4];
    int64_t vals[4];
    int32_t result;
    int64_t got;
    int64_t at; /* now_ms() when it finished */
    SelBuf sel;
    VexSelectArm arms[4];
    WaitBuf wb[4];
} SelTask;

static CoroStatus seltask_resume(WorkerContext *ctx, void *p) {
    SelTask *s = p;
    int32_t r;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    }
    for (int i = 0; i < s->n; i++) {
        s->arms[i] = (VexSelectArm){.ch = s->chs[i], .waiter = WAITER(&s->wb[i]), .kind = s->kinds[i]};
        if (s->kinds[i] == VEX_SELECT_SEND) memcpy(s->wb[i].slot, &s->vals[i], 8);
    }
    s->tag = 1;
    r = vex_select(ctx, SEL(&s->sel), s->arms, s->n, s->after_ms, s->has_default);
    if (r == VEX_SELECT_PENDING) return CORO_STATUS_YIELDED;
    goto chosen;
resume1:
    r = vex_select_resume(ctx, SEL(&s->sel), s->arms, s->n);
    if (r == VEX_SELECT_PENDING) return CORO_STATUS_YIELDED;
chosen:
    s->result = r;
    s->at = now_ms();
    if (r >= 0 && r < s->n && s->kinds[r] == VEX_SELECT_RECV) memcpy(&s->got, s->wb[r].slot, 8);
    log_ev(s->id, 100 + r, s->got);
    if (r == VEX_SELECT_CANCELLED) return vex_task_finish_cancelled(ctx);
    return CORO_STATUS_DONE;
}

/* The caller fills chs/kinds/vals/n/after_ms/has_default, then spawns. */
static SelTask *new_seltask(Runtime *rt, int id) {
    SelTask *s = vex_task_alloc_in(rt, sizeof(SelTask), 0, 0, seltask_resume);
    s->id = id;
    s->after_ms = -1;
    s->got = -1;
    return s;
}

/* ================================ unit tests ================================================ */

TEST(buffered_fifo_try_ops_len_cap_close) {
    reset_logs();
    VexChannel *ch = vex_chan_new(&counted_elem, 3);
    CHECK_EQ_U(vex_chan_cap(ch), 3);
    CHECK_EQ_U(vex_chan_len(ch), 0);
    CHECK(!vex_chan_is_closed(ch));
    for (int64_t v = 1; v <= 3; v++) CHECK(vex_chan_try_send(ch, &v));
    int64_t four = 4;
    CHECK(!vex_chan_try_send(ch, &four)); /* full: released */
    CHECK_EQ_U(released_times(4), 1);
    CHECK_EQ_U(vex_chan_len(ch), 3);
    int64_t out = 0;
    CHECK(vex_chan_try_recv(ch, &out) && out == 1);
    int64_t five = 5;
    CHECK(vex_chan_try_send(ch, &five)); /* wraps around the ring */
    CHECK(vex_chan_try_recv(ch, &out) && out == 2);
    CHECK(vex_chan_try_recv(ch, &out) && out == 3);
    vex_chan_close(ch);
    vex_chan_close(ch); /* idempotent */
    CHECK(vex_chan_is_closed(ch));
    int64_t six = 6;
    CHECK(!vex_chan_try_send(ch, &six));
    CHECK_EQ_U(released_times(6), 1);
    CHECK(vex_chan_try_recv(ch, &out) && out == 5); /* drains after close */
    CHECK(!vex_chan_try_recv(ch, &out));
    CHECK_EQ_U(vex_chan_len(ch), 0);
    CHECK_EQ_U(atomic_load(&nrel), 2);
    vex_chan_release(ch);
    CHECK_EQ_U(atomic_load(&nrel), 2);
}

/* Heap values: ASan's leak check sees a value that is neither received nor released. */
typedef struct {
    int64_t v;
} Box;
static _Atomic int boxes_freed;
static void box_release(void *elem) {
    free(*(Box **)elem);
    atomic_fetch_add(&boxes_freed, 1);
}
static const VexElemType box_elem = {.size = sizeof(Box *), .align = 8, .release = box_release};
static Box *box_new(int64_t v) {
    Box *b = malloc(sizeof *b);
    b->v = v;
    return b;
}

TEST(last_release_drops_buffered_values) {
    atomic_store(&boxes_freed, 0);
    VexChannel *ch = vex_chan_new(&box_elem, 4);
    for (int i = 0; i < 3; i++) {
        Box *b = box_new(i);
        CHECK(vex_chan_try_send(ch, &b));
    }
    Box *got = NULL;
    CHECK(vex_chan_try_recv(ch, &got) && got->v == 0);
    free(got);
    for (int i = 3; i < 6; i++) { /* wraps: head is 1 */
        Box *b = box_new(i);
        bool ok = vex_chan_try_send(ch, &b);
        CHECK(ok == (i < 5));
    }
    CHECK_EQ_U(atomic_load(&boxes_freed), 1); /* the one that did not fit */
    CHECK(vex_chan_retain(ch) == ch);
    vex_chan_release(ch);
    CHECK_EQ_U(atomic_load(&boxes_freed), 1);
    vex_chan_release(ch);
    CHECK_EQ_U(atomic_load(&boxes_freed), 5);
    vex_chan_release(NULL);
    /* Zero-sized elements and an unbuffered channel. */
    static const VexElemType unit_elem = {.size = 0, .align = 1};
    VexChannel *u = vex_chan_new(&unit_elem, 2);
    CHECK(vex_chan_try_send(u, NULL) && vex_chan_try_send(u, NULL) && !vex_chan_try_send(u, NULL));
    CHECK_EQ_U(vex_chan_len(u), 2);
    CHECK(vex_chan_try_recv(u, NULL));
    vex_chan_release(u);
    VexChannel *z = vex_chan_new(&i64_elem, 0);
    int64_t v = 1;
    CHECK(!vex_chan_try_send(z, &v)); /* no receiver waiting */
    CHECK(!vex_chan_try_recv(z, &v));
    CHECK_EQ_U(vex_chan_cap(z), 0);
    vex_chan_release(z);
}

TEST(unbuffered_waiting_senders_are_served_fifo) {
    reset_logs();
    Runtime *rt = det_runtime();
    VexChannel *ch = vex_chan_new(&i64_elem, 0);
    VexFuture *f[4];
    for (int id = 0; id < 3; id++) {
        int64_t vals[2] = {id * 10, id * 10 + 1};
        f[id] = spawn_sender(rt, id, ch, 2, vals);
    }
    f[3] = spawn_receiver(rt, 9, ch, 6);
    runtime_run(rt);
    int64_t want[] = {0, 10, 20, 1, 11, 21};
    int k = 0;
    for (int i = 0; i < atomic_load(&nev); i++) {
        if (evs[i].task != 9) {
            CHECK(evs[i].kind == VEX_CHAN_OK);
            continue;
        }
        CHECK(evs[i].kind == VEX_CHAN_OK);
        CHECK_EQ_U(evs[i].val, want[k]);
        k++;
    }
    CHECK_EQ_U(k, 6);
    for (int i = 0; i < 4; i++) {
        CHECK(vex_future_outcome(f[i]) == VEX_OUTCOME_VALUE);
        vex_future_release(f[i]);
    }
    vex_chan_release(ch);
    runtime_destroy(rt);
}

TEST(buffered_channel_hands_over_through_a_full_buffer) {
    reset_logs();
    Runtime *rt = det_runtime();
    VexChannel *ch = vex_chan_new(&i64_elem, 2);
    int64_t a[6] = {0, 1, 2, 3, 4, 5}, b[3] = {100, 101, 102};
    VexFuture *s1 = spawn_sender(rt, 0, ch, 6, a);
    VexFuture *s2 = spawn_sender(rt, 1, ch, 3, b);
    VexFuture *r = spawn_receiver(rt, 9, ch, 9);
    runtime_run(rt);
    /* Per sender, its values arrive in order, all of them, each once. */
    int64_t next_a = 0, next_b = 100;
    int got = 0;
    for (int i = 0; i < atomic_load(&nev); i++) {
        if (evs[i].task != 9) continue;
        CHECK(evs[i].kind == VEX_CHAN_OK);
        if (evs[i].val < 100) CHECK_EQ_U(evs[i].val, next_a++);
        else CHECK_EQ_U(evs[i].val, next_b++);
        got++;
    }
    CHECK_EQ_U(got, 9);
    CHECK_EQ_U(vex_chan_len(ch), 0);
    vex_future_release(s1);
    vex_future_release(s2);
    vex_future_release(r);
    vex_chan_release(ch);
    runtime_destroy(rt);
}

typedef struct {
    VexChannel *ch;
    bool ok;
} TryArgs;
static void try_send_fn(void *p) {
    TryArgs *a = p;
    int64_t v = 7;
    a->ok = vex_chan_try_send(a->ch, &v);
}

TEST(try_send_succeeds_only_with_a_waiting_receiver) {
    reset_logs();
    Runtime *rt = det_runtime();
    VexChannel *ch = vex_chan_new(&counted_elem, 0);
    VexFuture *r = spawn_receiver(rt, 9, ch, 1);
    static TryArgs ta;
    ta = (TryArgs){ch, false};
    spawn_action(rt, try_send_fn, &ta, 0); /* runs after the receiver parked */
    runtime_run(rt);
    CHECK(ta.ok);
    CHECK_EQ_U(atomic_load(&nrel), 0);
    CHECK_EQ_U(atomic_load(&nev), 1);
    CHECK(evs[0].kind == VEX_CHAN_OK && evs[0].val == 7);
    vex_future_release(r);
    vex_chan_release(ch);
    runtime_destroy(rt);
}

TEST(close_wakes_waiting_senders_and_receivers) {
    reset_logs();
    Runtime *rt = det_runtime();
    VexChannel *a = vex_chan_new(&counted_elem, 0); /* senders wait here */
    VexChannel *b = vex_chan_new(&counted_elem, 2); /* buffered values survive close */
    VexChannel *c = vex_chan_new(&counted_elem, 0); /* a receiver waits here */
    int64_t v1 = 1, v2[2] = {2, 3};
    VexFuture *s1 = spawn_sender(rt, 1, a, 1, &v1);
    VexFuture *s2 = spawn_sender(rt, 2, a, 2, v2); /* 3 is sent after close: CLOSED */
    int64_t x = 7, y = 8;
    CHECK(vex_chan_try_send(b, &x) && vex_chan_try_send(b, &y));
    vex_chan_close(b);
    VexFuture *rb = spawn_receiver(rt, 5, b, 5);
    VexFuture *rc = spawn_receiver(rt, 6, c, 1);
    spawn_action(rt, close_action, a, 10);
    spawn_action(rt, close_action, c, 20);
    runtime_run(rt);
    /* Senders on a: CLOSED for 1, 2 and 3, each value released exactly once. */
    int closed_sends = 0;
    for (int i = 0; i < atomic_load(&nev); i++) {
        Event e = evs[i];
        if (e.task == 1 || e.task == 2) {
            CHECK(e.kind == VEX_CHAN_CLOSED);
            CHECK(e.t == 10);
            closed_sends++;
        }
    }
    CHECK_EQ_U(closed_sends, 3);
    CHECK_EQ_U(released_times(1), 1);
    CHECK_EQ_U(released_times(2), 1);
    CHECK_EQ_U(released_times(3), 1);
    /* Receiver on b: 7, 8, then CLOSED; receiver on c: CLOSED at 20. */
    int k = 0;
    for (int i = 0; i < atomic_load(&nev); i++) {
        Event e = evs[i];
        if (e.task == 5) {
            if (k == 0) CHECK(e.kind == VEX_CHAN_OK && e.val == 7);
            if (k == 1) CHECK(e.kind == VEX_CHAN_OK && e.val == 8);
            if (k == 2) CHECK(e.kind == VEX_CHAN_CLOSED);
            k++;
        }
        if (e.task == 6) CHECK(e.kind == VEX_CHAN_CLOSED && e.t == 20);
    }
    CHECK_EQ_U(k, 3);
    CHECK_EQ_U(atomic_load(&nrel), 3);
    VexFuture *fs[] = {s1, s2, rb, rc};
    for (int i = 0; i < 4; i++) {
        CHECK(vex_future_outcome(fs[i]) == VEX_OUTCOME_VALUE);
        vex_future_release(fs[i]);
    }
    vex_chan_release(a);
    vex_chan_release(b);
    vex_chan_release(c);
    runtime_destroy(rt);
}

TEST(close_wakes_many_waiters) {
    reset_logs();
    Runtime *rt = runtime_create(2);
    VexChannel *r = vex_chan_new(&counted_elem, 0), *w = vex_chan_new(&counted_elem, 0);
    enum { N = 70 };
    static VexFuture *f[2 * N];
    for (int i = 0; i < N; i++) {
        f[i] = spawn_receiver(rt, 1, r, 1);
        int64_t v = 1000 + i;
        f[N + i] = spawn_sender(rt, 2, w, 1, &v);
    }
    spawn_action(rt, close_action, r, 20);
    spawn_action(rt, close_action, w, 20);
    runtime_run(rt);
    CHECK_EQ_U(atomic_load(&nev), 2 * N);
    for (int i = 0; i < 2 * N; i++) CHECK(evs[i].kind == VEX_CHAN_CLOSED);
    CHECK_EQ_U(atomic_load(&nrel), N);
    for (int i = 0; i < N; i++) CHECK_EQ_U(released_times(1000 + i), 1);
    for (int i = 0; i < 2 * N; i++) vex_future_release(f[i]);
    vex_chan_release(r);
    vex_chan_release(w);
    runtime_destroy(rt);
}

/* ---- select ---------------------------------------------------------------------------------- */

TEST(select_takes_a_ready_arm_default_or_after_zero) {
    reset_logs();
    Runtime *rt = det_runtime();
    VexChannel *c0 = vex_chan_new(&counted_elem, 1), *c1 = vex_chan_new(&counted_elem, 1);
    VexChannel *full = vex_chan_new(&counted_elem, 1);
    int64_t v = 42, f = 5;
    CHECK(vex_chan_try_send(c1, &v));
    CHECK(vex_chan_try_send(full, &f));
    /* A: recv c0 | recv c1 | send full(11): only c1 is ready. */
    SelTask *a = new_seltask(rt, 1);
    a->n = 3;
    a->chs[0] = c0, a->kinds[0] = VEX_SELECT_RECV;
    a->chs[1] = c1, a->kinds[1] = VEX_SELECT_RECV;
    a->chs[2] = full, a->kinds[2] = VEX_SELECT_SEND, a->vals[2] = 11;
    VexFuture *fa = vex_task_spawn_in(rt, a);
    /* B: recv c0 | send full(12) | default. */
    SelTask *b = new_seltask(rt, 2);
    b->n = 2;
    b->chs[0] = c0, b->kinds[0] = VEX_SELECT_RECV;
    b->chs[1] = full, b->kinds[1] = VEX_SELECT_SEND, b->vals[1] = 12;
    b->has_default = true;
    VexFuture *fb = vex_task_spawn_in(rt, b);
    /* C: recv c0 | after 0. */
    SelTask *c = new_seltask(rt, 3);
    c->n = 1;
    c->chs[0] = c0, c->kinds[0] = VEX_SELECT_RECV;
    c->after_ms = 0;
    VexFuture *fc = vex_task_spawn_in(rt, c);
    /* D: no arms at all but after 0; E: only default. */
    SelTask *d = new_seltask(rt, 4);
    d->after_ms = 0;
    VexFuture *fd = vex_task_spawn_in(rt, d);
    SelTask *e = new_seltask(rt, 5);
    e->has_default = true;
    VexFuture *fe = vex_task_spawn_in(rt, e);
    runtime_run(rt);
    CHECK_EQ_U(a->result, 1);
    CHECK_EQ_U(a->got, 42);
    CHECK_EQ_U(b->result, 3);
    CHECK_EQ_U(c->result, 1);
    CHECK_EQ_U(d->result, 0);
    CHECK_EQ_U(e->result, 1);
    CHECK_EQ_U(released_times(11), 1);
    CHECK_EQ_U(released_times(12), 1);
    CHECK_EQ_U(atomic_load(&nrel), 2);
    VexFuture *fs[] = {fa, fb, fc, fd, fe};
    for (int i = 0; i < 5; i++) vex_future_release(fs[i]);
    vex_chan_release(c0);
    vex_chan_release(c1);
    vex_chan_release(full);
    CHECK_EQ_U(released_times(5), 1); /* still buffered in `full` */
    runtime_destroy(rt);
}

TEST(select_after_fires_at_the_virtual_deadline) {
    reset_logs();
    Runtime *rt = det_runtime();
    VexChannel *empty = vex_chan_new(&i64_elem, 4), *closed = vex_chan_new(&i64_elem, 0);
    vex_chan_close(closed);
    /* Selects with after arms only fire in deadline order at their virtual times, also
     * one whose every channel arm is disabled (it waits for its timer). */
    int64_t ms[] = {300, 5, 70000, 64, 777};
    SelTask *t[5];
    VexFuture *f[5];
    for (int i = 0; i < 5; i++) {
        t[i] = new_seltask(rt, i);
        t[i]->n = 1;
        t[i]->chs[0] = i == 4 ? closed : empty;
        t[i]->kinds[0] = VEX_SELECT_RECV;
        t[i]->after_ms = ms[i];
        f[i] = vex_task_spawn_in(rt, t[i]);
    }
    int64_t start = wall_ms();
    runtime_run(rt);
    CHECK(wall_ms() - start < 2000); /* virtual: no real waiting */
    int want[] = {1, 3, 0, 4, 2};
    CHECK_EQ_U(atomic_load(&nev), 5);
    for (int i = 0; i < 5; i++) {
        CHECK_EQ_U(evs[i].task, want[i]);
        CHECK_EQ_U(evs[i].kind, 100 + 1); /* n == 1: the after arm */
        CHECK_EQ_U(evs[i].t, ms[want[i]]);
    }
    for (int i = 0; i < 5; i++) vex_future_release(f[i]);
    vex_chan_release(empty);
    vex_chan_release(closed);
    runtime_destroy(rt);
}

/* A sender that sleeps first (the delayed party of timer races). */
typedef struct {
    uint32_t tag;
    uint64_t delay;
    VexChannel *ch;
    int64_t v;
    int32_t result;
    WaitBuf wb;
} LateSender;

static CoroStatus late_sender_resume(WorkerContext *ctx, void *p) {
    LateSender *s = p;
    int32_t r;
    switch (s->tag) {
    case 0:
        s->tag = 1;
        worker_await_after(ctx, s->delay);
        return CORO_STATUS_YIELDED;
    case 1: break;
    case 2: goto resume2;
    }
    memcpy(s->wb.slot, &s->v, 8);
    s->tag = 2;
    r = vex_chan_send(ctx, s->ch, WAITER(&s->wb));
    if (r == VEX_CHAN_PENDING) return CORO_STATUS_YIELDED;
    goto done;
resume2:
    r = vex_chan_send_resume(ctx, s->ch, WAITER(&s->wb));
    if (r == VEX_CHAN_PENDING) return CORO_STATUS_YIELDED;
done:
    s->result = r;
    log_ev(50, r, s->v);
    return CORO_STATUS_DONE;
}

static LateSender *spawn_late_sender(Runtime *rt, VexChannel *ch, int64_t v, uint64_t delay,
                                     VexFuture **out) {
    LateSender *s = vex_task_alloc_in(rt, sizeof(LateSender), 0, 0, late_sender_resume);
    s->delay = delay;
    s->ch = ch;
    s->v = v;
    *out = vex_task_spawn_in(rt, s);
    return s;
}

TEST(select_timer_races_in_virtual_time) {
    reset_logs();
    Runtime *rt = det_runtime();
    VexChannel *c0 = vex_chan_new(&i64_elem, 1), *c1 = vex_chan_new(&i64_elem, 0);
    SelTask *a = new_seltask(rt, 1); /* timer 200 vs send at 300 (buffered: sender won't wait) */
    a->n = 1, a->chs[0] = c0, a->kinds[0] = VEX_SELECT_RECV, a->after_ms = 200;
    VexFuture *fa = vex_task_spawn_in(rt, a);
    SelTask *b = new_seltask(rt, 2); /* timer 5000 vs send at 100 */
    b->n = 1, b->chs[0] = c1, b->kinds[0] = VEX_SELECT_RECV, b->after_ms = 5000;
    VexFuture *fb = vex_task_spawn_in(rt, b);
    VexFuture *f1, *f2;
    LateSender *l1 = spawn_late_sender(rt, c0, 1, 300, &f1);
    LateSender *l2 = spawn_late_sender(rt, c1, 2, 100, &f2);
    runtime_run(rt);
    CHECK_EQ_U(a->result, 1);
    CHECK_EQ_U(a->at, 200);
    CHECK_EQ_U(b->result, 0);
    CHECK_EQ_U(b->got, 2);
    CHECK_EQ_U(b->at, 100);
    CHECK(l1->result == VEX_CHAN_OK && l2->result == VEX_CHAN_OK);
    CHECK_EQ_U(vex_chan_len(c0), 1); /* nobody took 1 */
    vex_future_release(fa);
    vex_future_release(fb);
    vex_future_release(f1);
    vex_future_release(f2);
    vex_chan_release(c0);
    vex_chan_release(c1);
    runtime_destroy(rt);
}

TEST(select_after_on_the_real_clock) {
    reset_logs();
    Runtime *rt = runtime_create(2);
    VexChannel *c0 = vex_chan_new(&i64_elem, 0);
    SelTask *a = new_seltask(rt, 1);
    a->n = 1, a->chs[0] = c0, a->kinds[0] = VEX_SELECT_RECV, a->after_ms = 30;
    VexFuture *fa = vex_task_spawn_in(rt, a);
    int64_t start = wall_ms();
    runtime_run(rt);
    int64_t took = wall_ms() - start;
    CHECK_EQ_U(a->result, 1);
    CHECK(took >= 30);
    CHECK(took < 2000);
    /* And a send that comes first wins (the timer is withdrawn). */
    SelTask *b = new_seltask(rt, 2);
    b->n = 1, b->chs[0] = c0, b->kinds[0] = VEX_SELECT_RECV, b->after_ms = 60000;
    VexFuture *fb = vex_task_spawn_in(rt, b);
    VexFuture *fs;
    spawn_late_sender(rt, c0, 3, 20, &fs);
    start = wall_ms();
    runtime_run(rt);
    CHECK(wall_ms() - start < 2000);
    CHECK_EQ_U(b->result, 0);
    CHECK_EQ_U(b->got, 3);
    vex_future_release(fa);
    vex_future_release(fb);
    vex_future_release(fs);
    vex_chan_release(c0);
    runtime_destroy(rt);
}

/* Canary tasks: after the select finished, the withdrawn records must not match. */
typedef struct {
    VexChannel *unbuffered_recv[2]; /* nobody may be waiting to receive here */
    VexChannel *unbuffered_send;    /* nobody may be waiting to send here */
    bool clean;
} Probe;
static void probe_fn(void *p) {
    Probe *pr = p;
    int64_t v = 1000;
    pr->clean = true;
    for (int i = 0; i < 2; i++)
        if (pr->unbuffered_recv[i] && vex_chan_try_send(pr->unbuffered_recv[i], &v)) pr->clean = false;
    if (pr->unbuffered_send && vex_chan_try_recv(pr->unbuffered_send, &v)) pr->clean = false;
}

TEST(select_waits_on_several_channels_and_one_wakes_it) {
    reset_logs();
    Runtime *rt = det_runtime();
    VexChannel *ch[4];
    for (int i = 0; i < 4; i++) ch[i] = vex_chan_new(&counted_elem, 0);
    SelTask *x = new_seltask(rt, 1);
    x->n = 4;
    for (int i = 0; i < 3; i++) x->chs[i] = ch[i], x->kinds[i] = VEX_SELECT_RECV;
    x->chs[3] = ch[3], x->kinds[3] = VEX_SELECT_SEND, x->vals[3] = 99;
    VexFuture *fx = vex_task_spawn_in(rt, x);
    VexFuture *fs;
    spawn_late_sender(rt, ch[1], 5, 10, &fs);
    static Probe pr;
    pr = (Probe){{ch[0], ch[2]}, ch[3], false};
    spawn_action(rt, probe_fn, &pr, 20);
    runtime_run(rt);
    CHECK_EQ_U(x->result, 1);
    CHECK_EQ_U(x->got, 5);
    CHECK_EQ_U(released_times(99), 1);
    CHECK(pr.clean);
    CHECK_EQ_U(released_times(1000), 2); /* the probe's two failed try_sends */
    vex_future_release(fx);
    vex_future_release(fs);
    for (int i = 0; i < 4; i++) vex_chan_release(ch[i]);
    runtime_destroy(rt);
}

TEST(select_send_arm_fires_and_same_channel_twice) {
    reset_logs();
    Runtime *rt = det_runtime();
    VexChannel *c = vex_chan_new(&counted_elem, 0);
    /* send c(1) | recv c | send c(2): a receiver arriving later takes the value of the
     * first queued send record (1); 2 is released. */
    SelTask *x = new_seltask(rt, 1);
    x->n = 3;
    x->chs[0] = c, x->kinds[0] = VEX_SELECT_SEND, x->vals[0] = 1;
    x->chs[1] = c, x->kinds[1] = VEX_SELECT_RECV;
    x->chs[2] = c, x->kinds[2] = VEX_SELECT_SEND, x->vals[2] = 2;
    VexFuture *fx = vex_task_spawn_in(rt, x);
    VexFuture *fr = spawn_receiver(rt, 9, c, 1);
    runtime_run(rt);
    CHECK_EQ_U(x->result, 0);
    CHECK_EQ_U(released_times(1), 0);
    CHECK_EQ_U(released_times(2), 1);
    bool seen = false;
    for (int i = 0; i < atomic_load(&nev); i++)
        if (evs[i].task == 9) seen = evs[i].kind == VEX_CHAN_OK && evs[i].val == 1;
    CHECK(seen);
    vex_future_release(fx);
    vex_future_release(fr);
    vex_chan_release(c);
    runtime_destroy(rt);
}

TEST(select_on_closed_channels) {
    reset_logs();
    Runtime *rt = det_runtime();
    VexChannel *a = vex_chan_new(&counted_elem, 0), *b = vex_chan_new(&counted_elem, 2);
    vex_chan_close(a);
    /* recv a (closed) | send a(3): every arm disabled at once. */
    SelTask *x = new_seltask(rt, 1);
    x->n = 2;
    x->chs[0] = a, x->kinds[0] = VEX_SELECT_RECV;
    x->chs[1] = a, x->kinds[1] = VEX_SELECT_SEND, x->vals[1] = 3;
    VexFuture *fx = vex_task_spawn_in(rt, x);
    /* recv b (closed later, but with a buffered value first): drains. */
    int64_t v = 8;
    CHECK(vex_chan_try_send(b, &v));
    vex_chan_close(b);
    SelTask *y = new_seltask(rt, 2);
    y->n = 2;
    y->chs[0] = a, y->kinds[0] = VEX_SELECT_RECV;
    y->chs[1] = b, y->kinds[1] = VEX_SELECT_RECV;
    VexFuture *fy = vex_task_spawn_in(rt, y);
    /* Waiting on c and d, both closed later: ALL_CLOSED after the second close. */
    VexChannel *c = vex_chan_new(&counted_elem, 0), *d = vex_chan_new(&counted_elem, 1);
    SelTask *z = new_seltask(rt, 3);
    z->n = 2;
    z->chs[0] = c, z->kinds[0] = VEX_SELECT_RECV;
    z->chs[1] = d, z->kinds[1] = VEX_SELECT_SEND, z->vals[1] = 4;
    int64_t fill = 6;
    CHECK(vex_chan_try_send(d, &fill));
    VexFuture *fz = vex_task_spawn_in(rt, z);
    spawn_action(rt, close_action, c, 10);
    spawn_action(rt, close_action, d, 20);
    runtime_run(rt);
    CHECK(x->result == VEX_SELECT_ALL_CLOSED);
    CHECK_EQ_U(released_times(3), 1);
    CHECK_EQ_U(y->result, 1);
    CHECK_EQ_U(y->got, 8);
    CHECK(z->result == VEX_SELECT_ALL_CLOSED);
    CHECK_EQ_U(z->at, 20);
    CHECK_EQ_U(released_times(4), 1);
    vex_future_release(fx);
    vex_future_release(fy);
    vex_future_release(fz);
    vex_chan_release(a);
    vex_chan_release(b);
    vex_chan_release(c);
    vex_chan_release(d);
    CHECK_EQ_U(released_times(6), 1);
    runtime_destroy(rt);
}

/* Outside deterministic mode a select first tries its arms one by one (the try pass):
 * it must skip disabled arms, complete send arms, leave "nothing ready" to the locked
 * pass, and release every unsent value exactly once. */
TEST(select_try_pass_on_the_real_clock) {
    reset_logs();
    Runtime *rt = runtime_create(2);
    VexChannel *closed = vex_chan_new(&counted_elem, 0), *drained = vex_chan_new(&counted_elem, 0);
    VexChannel *holding = vex_chan_new(&counted_elem, 2), *room = vex_chan_new(&counted_elem, 1);
    vex_chan_close(closed);
    vex_chan_close(drained);
    int64_t v = 8;
    CHECK(vex_chan_try_send(holding, &v));
    vex_chan_close(holding);
    /* send on a closed channel (disabled) | receive a buffered value of a closed one. */
    SelTask *x = new_seltask(rt, 1);
    x->n = 2;
    x->chs[0] = closed, x->kinds[0] = VEX_SELECT_SEND, x->vals[0] = 31;
    x->chs[1] = holding, x->kinds[1] = VEX_SELECT_RECV;
    /* send with room | receive on a closed, drained channel (disabled). */
    SelTask *y = new_seltask(rt, 2);
    y->n = 2;
    y->chs[0] = room, y->kinds[0] = VEX_SELECT_SEND, y->vals[0] = 32;
    y->chs[1] = drained, y->kinds[1] = VEX_SELECT_RECV;
    /* every arm disabled: the locked pass reports it. */
    SelTask *z = new_seltask(rt, 3);
    z->n = 2;
    z->chs[0] = drained, z->kinds[0] = VEX_SELECT_RECV;
    z->chs[1] = closed, z->kinds[1] = VEX_SELECT_SEND, z->vals[1] = 33;
    VexFuture *fx = vex_task_spawn_in(rt, x), *fy = vex_task_spawn_in(rt, y);
    VexFuture *fz = vex_task_spawn_in(rt, z);
    runtime_run(rt);
    CHECK_EQ_U(x->result, 1);
    CHECK_EQ_U(x->got, 8);
    CHECK_EQ_U(y->result, 0);
    CHECK(z->result == VEX_SELECT_ALL_CLOSED);
    CHECK_EQ_U(released_times(31), 1);
    CHECK_EQ_U(released_times(32), 0);
    CHECK_EQ_U(released_times(33), 1);
    int64_t got = 0;
    CHECK(vex_chan_try_recv(room, &got));
    CHECK_EQ_U(got, 32);
    vex_future_release(fx);
    vex_future_release(fy);
    vex_future_release(fz);
    vex_chan_release(closed);
    vex_chan_release(drained);
    vex_chan_release(holding);
    vex_chan_release(room);
    runtime_destroy(rt);
}

/* A select over many arms on a few channels, listed in a scrambled order. */
enum { BIG_ARMS = 40, BIG_CHANS = 7 };
typedef struct {
    uint32_t tag;
    VexChannel **chs;
    int32_t result;
    int64_t got;
    SelBuf sel;
    VexSelectArm arms[BIG_ARMS];
    WaitBuf wb[BIG_ARMS];
} BigSel;

static CoroStatus bigsel_resume(WorkerContext *ctx, void *p) {
    BigSel *s = p;
    int32_t r;
    if (s->tag == 1) goto resume1;
    for (int i = 0; i < BIG_ARMS; i++) {
        int c = (i * 5 + 3) % BIG_CHANS; /* every channel appears several times */
        bool send = i % 3 == 2;
        s->arms[i] = (VexSelectArm){s->chs[c], WAITER(&s->wb[i]),
                                    send ? VEX_SELECT_SEND : VEX_SELECT_RECV, 0};
        int64_t v = 500 + i;
        if (send) memcpy(s->wb[i].slot, &v, 8);
    }
    s->tag = 1;
    r = vex_select(ctx, SEL(&s->sel), s->arms, BIG_ARMS, -1, false);
    if (r == VEX_SELECT_PENDING) return CORO_STATUS_YIELDED;
    goto chosen;
resume1:
    r = vex_select_resume(ctx, SEL(&s->sel), s->arms, BIG_ARMS);
    if (r == VEX_SELECT_PENDING) return CORO_STATUS_YIELDED;
chosen:
    s->result = r;
    if (r >= 0 && r < BIG_ARMS && s->arms[r].kind == VEX_SELECT_RECV) memcpy(&s->got, s->wb[r].slot, 8);
    return CORO_STATUS_DONE;
}

TEST(select_over_many_arms_on_repeated_channels) {
    reset_logs();
    Runtime *rt = runtime_create(2);
    static VexChannel *chs[BIG_CHANS];
    for (int i = 0; i < BIG_CHANS; i++) chs[i] = vex_chan_new(&counted_elem, 0);
    BigSel *x = vex_task_alloc_in(rt, sizeof(BigSel), 0, 0, bigsel_resume);
    x->chs = chs;
    x->got = -1;
    VexFuture *fx = vex_task_spawn_in(rt, x);
    /* Channel 3's first receive arm is arm 0 ((0 * 5 + 3) % 7 == 3). */
    VexFuture *fs;
    spawn_late_sender(rt, chs[3], 31, 20, &fs);
    runtime_run(rt);
    CHECK_EQ_U(x->result, 0);
    CHECK_EQ_U(x->got, 31);
    int sends = 0;
    for (int i = 0; i < BIG_ARMS; i++) sends += i % 3 == 2;
    CHECK_EQ_U(atomic_load(&nrel), sends); /* every send value released once */
    for (int i = 0; i < BIG_ARMS; i++)
        if (i % 3 == 2) CHECK_EQ_U(released_times(500 + i), 1);
    /* Every record was withdrawn: nobody waits on any channel. */
    for (int i = 0; i < BIG_CHANS; i++) {
        int64_t v = 7;
        CHECK(!vex_chan_try_recv(chs[i], &v));
        CHECK(!vex_chan_try_send(chs[i], &v));
    }
    vex_future_release(fx);
    vex_future_release(fs);
    for (int i = 0; i < BIG_CHANS; i++) vex_chan_release(chs[i]);
    runtime_destroy(rt);
}

/* ---- random choice: a loop of selects over two always-ready channels ---------------------- */
typedef struct {
    uint32_t tag;
    int iters;
    VexChannel *ch[2];
    uint8_t *choices;
    SelBuf sel;
    VexSelectArm arms[2];
    WaitBuf wb[2];
} Chooser;

static CoroStatus chooser_resume(WorkerContext *ctx, void *p) {
    Chooser *s = p;
    for (int it = 0; it < s->iters; it++) {
        for (int i = 0; i < 2; i++)
            s->arms[i] = (VexSelectArm){s->ch[i], WAITER(&s->wb[i]), VEX_SELECT_RECV, 0};
        int32_t r = vex_select(ctx, SEL(&s->sel), s->arms, 2, -1, false);
        if (r != 0 && r != 1) return vex_task_finish_panicked(ctx, "chooser", 1, 1, "not ready");
        s->choices[it] = (uint8_t)r;
        int64_t v = r;
        vex_chan_try_send(s->ch[r], &v); /* refill */
    }
    return CORO_STATUS_DONE;
}

static void run_chooser(Runtime *rt, int iters, uint8_t *choices) {
    Chooser *s = vex_task_alloc_in(rt, sizeof(Chooser), 0, 0, chooser_resume);
    s->iters = iters;
    s->choices = choices;
    for (int i = 0; i < 2; i++) {
        s->ch[i] = vex_chan_new(&i64_elem, 1);
        int64_t v = i;
        vex_chan_try_send(s->ch[i], &v);
    }
    VexChannel *c0 = s->ch[0], *c1 = s->ch[1];
    vex_future_release(vex_task_spawn_in(rt, s));
    runtime_run(rt);
    vex_chan_release(c0);
    vex_chan_release(c1);
}

TEST(select_chooses_uniformly_among_ready_arms) {
    enum { N = 4000 };
    static uint8_t choices[N];
    Runtime *rt = runtime_create(1);
    run_chooser(rt, N, choices);
    CHECK(!runtime_panicked(rt));
    runtime_destroy(rt);
    int ones = 0;
    for (int i = 0; i < N; i++) ones += choices[i];
    fprintf(stderr, "  arm 1 chosen %d of %d times\n", ones, N);
    /* Binomial(4000, 1/2): sd ~ 32; +-400 is > 12 sd. */
    CHECK(ones > N / 2 - 400 && ones < N / 2 + 400);
}

TEST(select_repeats_exactly_in_deterministic_mode) {
    enum { N = 500 };
    static uint8_t a[N], b[N];
    Runtime *rt = det_runtime();
    run_chooser(rt, N, a);
    runtime_destroy(rt);
    rt = det_runtime();
    run_chooser(rt, N, b);
    runtime_destroy(rt);
    CHECK(memcmp(a, b, N) == 0);
    int ones = 0;
    for (int i = 0; i < N; i++) ones += a[i];
    CHECK(ones > N / 4 && ones < 3 * N / 4);
}

/* ---- cancellation ------------------------------------------------------------------------------ */

TEST(cancel_a_parked_sender_receiver_and_select) {
    reset_logs();
    Runtime *rt = det_runtime();
    VexChannel *c0 = vex_chan_new(&counted_elem, 0), *c1 = vex_chan_new(&counted_elem, 0);
    VexChannel *c2 = vex_chan_new(&counted_elem, 1);
    int64_t v = 42, fill = 43;
    CHECK(vex_chan_try_send(c2, &fill)); /* c2 full: a send on it waits */
    VexFuture *s = spawn_sender(rt, 1, c0, 1, &v);
    VexFuture *r = spawn_receiver(rt, 2, c1, 1);
    SelTask *x = new_seltask(rt, 3);
    x->n = 3;
    x->chs[0] = c1, x->kinds[0] = VEX_SELECT_RECV;
    x->chs[1] = c2, x->kinds[1] = VEX_SELECT_SEND, x->vals[1] = 77;
    x->chs[2] = c0, x->kinds[2] = VEX_SELECT_SEND, x->vals[2] = 78;
    x->after_ms = 100000;
    VexFuture *fx = vex_task_spawn_in(rt, x);
    spawn_action(rt, cancel_action, s, 10);
    spawn_action(rt, cancel_action, r, 10);
    spawn_action(rt, cancel_action, fx, 10);
    static Probe pr;
    pr = (Probe){{c1, NULL}, c0, false};
    spawn_action(rt, probe_fn, &pr, 20);
    int64_t start = wall_ms();
    runtime_run(rt);
    CHECK(wall_ms() - start < 2000);
    CHECK(vex_future_outcome(s) == VEX_OUTCOME_CANCELLED);
    CHECK(vex_future_outcome(r) == VEX_OUTCOME_CANCELLED);
    CHECK(vex_future_outcome(fx) == VEX_OUTCOME_CANCELLED);
    CHECK(x->result == VEX_SELECT_CANCELLED);
    CHECK_EQ_U(x->at, 10);
    CHECK_EQ_U(released_times(42), 1);
    CHECK_EQ_U(released_times(77), 1);
    CHECK_EQ_U(released_times(78), 1);
    CHECK(pr.clean); /* withdrawn from every queue */
    int sends = 0, recvs = 0;
    for (int i = 0; i < atomic_load(&nev); i++) {
        if (evs[i].task == 1) sends += evs[i].kind == VEX_CHAN_CANCELLED;
        if (evs[i].task == 2) recvs += evs[i].kind == VEX_CHAN_CANCELLED;
    }
    CHECK(sends == 1 && recvs == 1);
    VexCounters cnt;
    runtime_counters(rt, &cnt);
    CHECK_EQ_U(cnt.cancelled, 3);
    vex_future_release(s);
    vex_future_release(r);
    vex_future_release(fx);
    vex_chan_release(c0);
    vex_chan_release(c1);
    vex_chan_release(c2);
    CHECK_EQ_U(released_times(43), 1);
    runtime_destroy(rt);
}

/* A hand-off completes, then the partner is cancelled before it runs: its resume reports
 * OK (the value was delivered / received), never CANCELLED. */
typedef struct {
    VexChannel *to_recv, *to_send, *to_sel;
    VexFuture *sender, *receiver, *selector;
    int64_t got;
    bool ok;
} Handoff;
static void handoff_fn(void *p) {
    Handoff *h = p;
    int64_t v = 5, w = 6;
    h->ok = vex_chan_try_send(h->to_recv, &v) && vex_chan_try_send(h->to_sel, &w) &&
            vex_chan_try_recv(h->to_send, &h->got);
    vex_future_cancel(h->receiver);
    vex_future_cancel(h->selector);
    vex_future_cancel(h->sender);
}

TEST(cancel_after_a_hand_off_loses_nothing) {
    reset_logs();
    Runtime *rt = det_runtime();
    Handoff *h = calloc(1, sizeof *h);
    h->to_recv = vex_chan_new(&counted_elem, 0);
    h->to_send = vex_chan_new(&counted_elem, 0);
    h->to_sel = vex_chan_new(&counted_elem, 0);
    h->receiver = spawn_receiver(rt, 1, h->to_recv, 1);
    int64_t v = 9;
    h->sender = spawn_sender(rt, 2, h->to_send, 1, &v);
    SelTask *x = new_seltask(rt, 3);
    x->n = 1, x->chs[0] = h->to_sel, x->kinds[0] = VEX_SELECT_RECV;
    h->selector = vex_task_spawn_in(rt, x);
    spawn_action(rt, handoff_fn, h, 0);
    runtime_run(rt);
    CHECK(h->ok);
    CHECK_EQ_U(h->got, 9);
    CHECK_EQ_U(atomic_load(&nrel), 0);
    for (int i = 0; i < atomic_load(&nev); i++) {
        Event e = evs[i];
        if (e.task == 1) CHECK(e.kind == VEX_CHAN_OK && e.val == 5);
        if (e.task == 2) CHECK(e.kind == VEX_CHAN_OK);
        if (e.task == 3) CHECK(e.kind == 100 && e.val == 6);
    }
    CHECK_EQ_U(atomic_load(&nev), 3);
    vex_future_release(h->receiver);
    vex_future_release(h->sender);
    vex_future_release(h->selector);
    vex_chan_release(h->to_recv);
    vex_chan_release(h->to_send);
    vex_chan_release(h->to_sel);
    free(h);
    runtime_destroy(rt);
}

/* ---- deadlock detection ---------------------------------------------------------------------- */

static char dl_err[256];
static _Atomic size_t dl_len;
static void dl_sink(void *user, int stream, const char *bytes, size_t len) {
    (void)user;
    if (stream != 2) return;
    size_t at = atomic_fetch_add(&dl_len, len);
    if (at + len < sizeof dl_err) memcpy(dl_err + at, bytes, len);
}

/* `waiting` receivers park on a channel nobody sends to, while a timer (a delayed close of
 * another channel, which wakes one more receiver) keeps the run alive for a while: the
 * deadlock is reported only once the timer fired and everything is idle. */
static bool deadlock_case(int workers, bool virtual_clock, int waiting) {
    atomic_store(&dl_len, 0);
    memset(dl_err, 0, sizeof dl_err);
    VexRuntimeOptions o = {.workers = workers,
                           .virtual_clock = virtual_clock,
                           .detect_deadlock = true,
                           .sink = dl_sink};
    Runtime *rt = runtime_create_with(&o);
    VexChannel *never = vex_chan_new(&i64_elem, 0), *later = vex_chan_new(&i64_elem, 0);
    VexFuture *fs[8];
    for (int i = 0; i < waiting; i++) fs[i] = spawn_receiver(rt, i, never, 1);
    VexFuture *woken = spawn_receiver(rt, 99, later, 1);
    spawn_action(rt, close_action, later, 20);
    runtime_run(rt);
    bool ok = !runtime_panicked(rt) && runtime_deadlocked(rt) == (uint64_t)waiting &&
              vex_future_outcome(woken) == VEX_OUTCOME_VALUE;
    char want[128];
    snprintf(want, sizeof want,
             waiting == 1 ? "deadlock: 1 task waits forever and nothing can wake it\n"
                          : "deadlock: %d tasks wait forever and nothing can wake them\n",
             waiting);
    if (strcmp(dl_err, want) != 0) {
        fprintf(stderr, "  stderr was \"%s\"\n", dl_err);
        ok = false;
    }
    /* The run stopped: a second one returns at once. */
    runtime_run(rt);
    ok = ok && runtime_deadlocked(rt) == (uint64_t)waiting;
    for (int i = 0; i < waiting; i++) vex_future_release(fs[i]);
    vex_future_release(woken);
    vex_chan_release(never);
    vex_chan_release(later);
    runtime_destroy(rt);
    return ok;
}

TEST(a_deadlock_is_reported_once_everything_is_idle) {
    CHECK(deadlock_case(1, true, 1));
    CHECK(deadlock_case(1, true, 3));
    CHECK(deadlock_case(1, false, 2));
    CHECK(deadlock_case(2, false, 1));
    CHECK(deadlock_case(4, false, 5));
}

TEST(no_deadlock_without_detection_or_with_a_timer_pending) {
    /* Detection off: a stuck run would hang, so a host stops it (runtime_shutdown) from
     * a timer task; nothing is reported. */
    Runtime *rt = det_runtime();
    VexChannel *never = vex_chan_new(&i64_elem, 0);
    VexFuture *f = spawn_receiver(rt, 1, never, 1);
    spawn_action(rt, shutdown_action, rt, 50);
    runtime_run(rt);
    CHECK_EQ_U(runtime_deadlocked(rt), 0);
    CHECK(vex_future_outcome(f) == VEX_OUTCOME_PENDING);
    vex_future_release(f);
    vex_chan_release(never);
    runtime_destroy(rt);
    /* Detection on, a select with `after` is waiting: a timer can wake it, so the run
     * ends normally when it fires. */
    VexRuntimeOptions o = {.workers = 2, .detect_deadlock = true};
    rt = runtime_create_with(&o);
    VexChannel *ch = vex_chan_new(&i64_elem, 0);
    SelTask *x = new_seltask(rt, 1);
    x->n = 1, x->chs[0] = ch, x->kinds[0] = VEX_SELECT_RECV, x->after_ms = 30;
    VexFuture *sf = vex_task_spawn_in(rt, x);
    runtime_run(rt);
    CHECK_EQ_U(runtime_deadlocked(rt), 0);
    CHECK(vex_future_outcome(sf) == VEX_OUTCOME_VALUE);
    vex_future_release(sf);
    vex_chan_release(ch);
    runtime_destroy(rt);
}

/* ================================ stress ===================================================== */

enum { PRODUCERS = 8, CONSUMERS = 8, NCH = 4 };

/* Work items (one message, or one select over NCH send arms with a value each) are
 * claimed from a counter by whichever producer is alive; the one that completes the last
 * item closes the channels. A canceller cancels a random producer or consumer every few
 * scheduling turns and spawns a replacement, so tasks are cancelled at every stage of
 * their operations (running, parked, just handed a value). */
typedef struct {
    VexChannel *ch[NCH];
    int nch;
    bool use_select;
    int64_t items, nvalues;
    _Atomic int64_t next_item, done_items;
    _Atomic uint8_t *attempted, *sent_ok, *received, *released;
    _Atomic int64_t timeouts, parked_cancels, cancels;
    _Atomic int64_t badness;
} Load;

static Load *g_load;

static void load_box_release(void *elem) {
    Box *b = *(Box **)elem;
    atomic_fetch_add(&g_load->released[b->v], 1);
    free(b);
}
static const VexElemType load_elem = {.size = sizeof(Box *), .align = 8, .release = load_box_release};

static void item_done(Load *L) {
    if (atomic_fetch_add(&L->done_items, 1) + 1 == L->items)
        for (int i = 0; i < L->nch; i++) vex_chan_close(L->ch[i]);
}

typedef struct {
    uint32_t tag;
    int64_t item;
    Load *L;
    SelBuf sel;
    VexSelectArm arms[NCH];
    WaitBuf wb[NCH];
} Producer;

static CoroStatus producer_resume(WorkerContext *ctx, void *p) {
    Producer *s = p;
    Load *L = s->L;
    int32_t r;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    case 2: goto resume2;
    }
    for (;;) {
        if (vex_task_cancelled(ctx)) return vex_task_finish_cancelled(ctx);
        s->item = atomic_fetch_add(&L->next_item, 1);
        if (s->item >= L->items) return CORO_STATUS_DONE;
        if (!L->use_select) {
            Box *b = box_new(s->item);
            atomic_store(&L->attempted[s->item], 1);
            memcpy(s->wb[0].slot, &b, sizeof b);
            s->tag = 1;
            r = vex_chan_send(ctx, L->ch[0], WAITER(&s->wb[0]));
            if (r == VEX_CHAN_PENDING) return CORO_STATUS_YIELDED;
            goto sent;
        resume1:
            r = vex_chan_send_resume(ctx, L->ch[0], WAITER(&s->wb[0]));
            if (r == VEX_CHAN_PENDING) return CORO_STATUS_YIELDED;
        sent:
            if (r == VEX_CHAN_OK) atomic_store(&L->sent_ok[s->item], 1);
            else if (r != VEX_CHAN_CANCELLED) atomic_fetch_add(&L->badness, 1); /* closed early */
            item_done(L);
            if (r == VEX_CHAN_CANCELLED) {
                atomic_fetch_add(&L->parked_cancels, 1);
                return vex_task_finish_cancelled(ctx);
            }
            continue;
        }
        for (int a = 0; a < L->nch; a++) {
            int64_t v = s->item * L->nch + a;
            Box *b = box_new(v);
            atomic_store(&L->attempted[v], 1);
            memcpy(s->wb[a].slot, &b, sizeof b);
            s->arms[a] = (VexSelectArm){L->ch[a], WAITER(&s->wb[a]), VEX_SELECT_SEND, 0};
        }
        s->tag = 2;
        r = vex_select(ctx, SEL(&s->sel), s->arms, L->nch, -1, false);
        if (r == VEX_SELECT_PENDING) return CORO_STATUS_YIELDED;
        goto chosen;
    resume2:
        r = vex_select_resume(ctx, SEL(&s->sel), s->arms, L->nch);
        if (r == VEX_SELECT_PENDING) return CORO_STATUS_YIELDED;
    chosen:
        if (r >= 0 && r < L->nch) atomic_store(&L->sent_ok[s->item * L->nch + r], 1);
        else if (r != VEX_SELECT_CANCELLED) atomic_fetch_add(&L->badness, 1);
        item_done(L);
        if (r == VEX_SELECT_CANCELLED) {
            atomic_fetch_add(&L->parked_cancels, 1);
            return vex_task_finish_cancelled(ctx);
        }
    }
}

typedef struct {
    uint32_t tag;
    int id;
    Load *L;
    SelBuf sel;
    VexSelectArm arms[NCH];
    WaitBuf wb[NCH];
} Consumer;

static void consume(Load *L, void *slot) {
    Box *b;
    memcpy(&b, slot, sizeof b);
    if (b->v < 0 || b->v >= L->nvalues) atomic_fetch_add(&L->badness, 1);
    else atomic_fetch_add(&L->received[b->v], 1);
    free(b);
}

static bool all_drained(Load *L) {
    for (int i = 0; i < L->nch; i++)
        if (!vex_chan_is_closed(L->ch[i]) || vex_chan_len(L->ch[i]) != 0) return false;
    return true;
}

static CoroStatus consumer_resume(WorkerContext *ctx, void *p) {
    Consumer *s = p;
    Load *L = s->L;
    int32_t r;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    case 2: goto resume2;
    }
    for (;;) {
        if (vex_task_cancelled(ctx)) return vex_task_finish_cancelled(ctx);
        if (!L->use_select) {
            s->tag = 1;
            r = vex_chan_recv(ctx, L->ch[0], WAITER(&s->wb[0]));
            if (r == VEX_CHAN_PENDING) return CORO_STATUS_YIELDED;
            goto got;
        resume1:
            r = vex_chan_recv_resume(ctx, L->ch[0], WAITER(&s->wb[0]));
            if (r == VEX_CHAN_PENDING) return CORO_STATUS_YIELDED;
        got:
            if (r == VEX_CHAN_CANCELLED) {
                atomic_fetch_add(&L->parked_cancels, 1);
                return vex_task_finish_cancelled(ctx);
            }
            if (r == VEX_CHAN_CLOSED) return CORO_STATUS_DONE;
            consume(L, s->wb[0].slot);
            continue;
        }
        for (int a = 0; a < L->nch; a++)
            s->arms[a] = (VexSelectArm){L->ch[a], WAITER(&s->wb[a]), VEX_SELECT_RECV, 0};
        s->tag = 2;
        /* Odd consumers also have an `after 1` arm. */
        r = vex_select(ctx, SEL(&s->sel), s->arms, L->nch, (s->id & 1) ? 1 : -1, false);
        if (r == VEX_SELECT_PENDING) return CORO_STATUS_YIELDED;
        goto chosen;
    resume2:
        r = vex_select_resume(ctx, SEL(&s->sel), s->arms, L->nch);
        if (r == VEX_SELECT_PENDING) return CORO_STATUS_YIELDED;
    chosen:
        if (r == VEX_SELECT_CANCELLED) {
            atomic_fetch_add(&L->parked_cancels, 1);
            return vex_task_finish_cancelled(ctx);
        }
        if (r == VEX_SELECT_ALL_CLOSED) return CORO_STATUS_DONE;
        if (r == L->nch) {
            atomic_fetch_add_explicit(&L->timeouts, 1, memory_order_relaxed);
            if (all_drained(L)) return CORO_STATUS_DONE;
            continue;
        }
        if (r < 0 || r > L->nch) {
            atomic_fetch_add(&L->badness, 1);
            return CORO_STATUS_DONE;
        }
        consume(L, s->wb[r].slot);
    }
}

static VexFuture *spawn_producer(WorkerContext *ctx, Runtime *rt, Load *L) {
    Producer *p = rt ? vex_task_alloc_in(rt, sizeof(Producer), 0, 0, producer_resume)
                     : vex_task_alloc(sizeof(Producer), 0, 0, producer_resume);
    p->L = L;
    return rt ? vex_task_spawn_in(rt, p) : vex_task_spawn(ctx, p);
}

static VexFuture *spawn_consumer(WorkerContext *ctx, Runtime *rt, Load *L, int id) {
    Consumer *c = rt ? vex_task_alloc_in(rt, sizeof(Consumer), 0, 0, consumer_resume)
                     : vex_task_alloc(sizeof(Consumer), 0, 0, consumer_resume);
    c->L = L;
    c->id = id;
    return rt ? vex_task_spawn_in(rt, c) : vex_task_spawn(ctx, c);
}

static uint64_t trng = 0x9E3779B97F4A7C15ull;
static uint64_t trand(void) {
    trng ^= trng << 13;
    trng ^= trng >> 7;
    trng ^= trng << 17;
    return trng;
}

/* Every few turns of its worker's run queue: cancels a random one of the 16 tasks and
 * replaces it, until the work is nearly done (then the survivors finish it). */
typedef struct {
    uint32_t tag;
    Load *L;
    uint64_t rng;
    int turns;
    VexFuture *slots[PRODUCERS + CONSUMERS];
} Canceller;

static CoroStatus yield_turn(WorkerContext *ctx) {
    worker_yield(ctx);
    return CORO_STATUS_YIELDED;
}

static CoroStatus canceller_resume(WorkerContext *ctx, void *p) {
    Canceller *s = p;
    Load *L = s->L;
    if (s->tag == 1 && s->turns > 0) {
        s->turns--;
        return yield_turn(ctx);
    }
    if (s->tag == 1) {
        int k = (int)(s->rng % (PRODUCERS + CONSUMERS));
        s->rng ^= s->rng << 13, s->rng ^= s->rng >> 7, s->rng ^= s->rng << 17;
        vex_future_cancel(s->slots[k]);
        vex_future_release(s->slots[k]);
        atomic_fetch_add(&L->cancels, 1);
        s->slots[k] = k < PRODUCERS ? spawn_producer(ctx, NULL, L)
                                    : spawn_consumer(ctx, NULL, L, k - PRODUCERS);
    }
    if (atomic_load(&L->next_item) < L->items * 9 / 10) {
        /* The next cancellation after 0..63 turns of the worker's queue. */
        s->tag = 1;
        s->turns = (int)(s->rng % 64);
        return yield_turn(ctx);
    }
    for (int i = 0; i < PRODUCERS + CONSUMERS; i++) vex_future_release(s->slots[i]);
    return CORO_STATUS_DONE;
}

/* Runs one load; returns false (after printing why) if an invariant failed. */
static bool run_load(const int64_t *caps, int nch, bool use_select, int64_t items, int workers) {
    Load *L = calloc(1, sizeof *L);
    g_load = L;
    L->nch = nch;
    L->use_select = use_select;
    L->items = items;
    L->nvalues = items * (use_select ? nch : 1);
    L->attempted = calloc((size_t)L->nvalues, 1);
    L->sent_ok = calloc((size_t)L->nvalues, 1);
    L->received = calloc((size_t)L->nvalues, 1);
    L->released = calloc((size_t)L->nvalues, 1);
    for (int i = 0; i < nch; i++) L->ch[i] = vex_chan_new(&load_elem, caps[i]);
    /* Deadlock detection is on: under this load (parks everywhere, a canceller on a
     * timer) it must never fire. */
    VexRuntimeOptions o = {.workers = workers, .detect_deadlock = true};
    Runtime *rt = runtime_create_with(&o);
    Canceller *k = vex_task_alloc_in(rt, sizeof(Canceller), 0, 0, canceller_resume);
    k->L = L;
    k->rng = trand() | 1;
    for (int i = 0; i < CONSUMERS; i++) k->slots[PRODUCERS + i] = spawn_consumer(NULL, rt, L, i);
    for (int i = 0; i < PRODUCERS; i++) k->slots[i] = spawn_producer(NULL, rt, L);
    vex_future_release(vex_task_spawn_in(rt, k));
    int64_t start = wall_ms();
    runtime_run(rt);
    int64_t took = wall_ms() - start;
    bool ok = !runtime_panicked(rt);
    if (runtime_deadlocked(rt)) {
        fprintf(stderr, "  a deadlock was reported under load\n");
        ok = false;
    }
    VexCounters cnt;
    runtime_counters(rt, &cnt);
    if (cnt.alive != 0) {
        fprintf(stderr, "  %llu tasks still alive\n", (unsigned long long)cnt.alive);
        ok = false;
    }
    for (int i = 0; i < nch; i++) vex_chan_release(L->ch[i]);
    runtime_destroy(rt);
    int64_t n_attempted = 0, n_sent = 0, n_released = 0, bad = 0;
    for (int64_t v = 0; v < L->nvalues; v++) {
        int at = L->attempted[v], s = L->sent_ok[v], r = L->received[v], rel = L->released[v];
        n_attempted += at;
        n_sent += s;
        n_released += rel;
        bool good = at ? (s + rel == 1 && r == s) : (s == 0 && r == 0 && rel == 0);
        if (!good && bad++ < 5)
            fprintf(stderr, "  value %lld: attempted %d sent %d received %d released %d\n",
                    (long long)v, at, s, r, rel);
    }
    fprintf(stderr,
            "  %s, caps", use_select ? "select" : "plain");
    for (int i = 0; i < nch; i++) fprintf(stderr, " %lld", (long long)caps[i]);
    fprintf(stderr,
            ": %lld values, %lld delivered, %lld released; %lld cancels (%lld in a wait, %llu "
            "cancelled), %lld timeouts, %lld ms\n",
            (long long)n_attempted, (long long)n_sent, (long long)n_released,
            (long long)atomic_load(&L->cancels), (long long)atomic_load(&L->parked_cancels),
            (unsigned long long)cnt.cancelled, (long long)atomic_load(&L->timeouts),
            (long long)took);
    if (bad || atomic_load(&L->badness)) ok = false;
    free(L->attempted);
    free(L->sent_ok);
    free(L->received);
    free(L->released);
    free(L);
    g_load = NULL;
    return ok;
}

TEST(stress_mpmc_with_cancellation) {
    int64_t items = stress_size(1000000);
    int64_t caps[3] = {0, 1, 64};
    for (int i = 0; i < 3; i++) CHECK(run_load(&caps[i], 1, false, items, 4));
}

TEST(stress_select_over_four_channels_and_a_timer) {
    int64_t items = stress_size(250000);
    int64_t caps[NCH] = {0, 1, 8, 64};
    CHECK(run_load(caps, NCH, true, items, 4));
}

int main(void) {
    RUN(buffered_fifo_try_ops_len_cap_close);
    RUN(last_release_drops_buffered_values);
    RUN(unbuffered_waiting_senders_are_served_fifo);
    RUN(buffered_channel_hands_over_through_a_full_buffer);
    RUN(try_send_succeeds_only_with_a_waiting_receiver);
    RUN(close_wakes_waiting_senders_and_receivers);
    RUN(close_wakes_many_waiters);
    RUN(select_takes_a_ready_arm_default_or_after_zero);
    RUN(select_after_fires_at_the_virtual_deadline);
    RUN(select_timer_races_in_virtual_time);
    RUN(select_after_on_the_real_clock);
    RUN(select_waits_on_several_channels_and_one_wakes_it);
    RUN(select_send_arm_fires_and_same_channel_twice);
    RUN(select_on_closed_channels);
    RUN(select_try_pass_on_the_real_clock);
    RUN(select_over_many_arms_on_repeated_channels);
    RUN(select_chooses_uniformly_among_ready_arms);
    RUN(select_repeats_exactly_in_deterministic_mode);
    RUN(cancel_a_parked_sender_receiver_and_select);
    RUN(cancel_after_a_hand_off_loses_nothing);
    RUN(a_deadlock_is_reported_once_everything_is_idle);
    RUN(no_deadlock_without_detection_or_with_a_timer_pending);
    RUN(stress_mpmc_with_cancellation);
    RUN(stress_select_over_four_channels_and_a_timer);
    HARNESS_END();
}
