/*
 * test_stress.c — stress tests of the runtime through the public ABI: 1M tasks spawned
 * and joined, a spawn tree on many workers (stealing), random cancellation of sleeping
 * and I/O-waiting tasks racing their wake-ups, and timers fired in order (virtual clock)
 * and never early (real clock). Sizes shrink by VEX_STRESS_SCALE under sanitizers.
 */
#define _GNU_SOURCE
#include "harness.h"
#include "vex_rt.h"

#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ---- spawn + join ------------------------------------------------------------------- */
typedef struct {
    uint32_t tag;
    int64_t x, result;
} Leaf;

static CoroStatus leaf_resume(WorkerContext *ctx, void *p) {
    (void)ctx;
    Leaf *s = p;
    s->result = s->x + 1;
    return CORO_STATUS_DONE;
}

typedef struct {
    uint32_t tag;
    int64_t n, i, sum, result;
    VexFuture **handles;
} Joiner;

static CoroStatus joiner_resume(WorkerContext *ctx, void *p) {
    Joiner *s = p;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    }
    for (s->i = 0; s->i < s->n; s->i++) {
        Leaf *l = vex_task_alloc(sizeof(Leaf), offsetof(Leaf, result), sizeof(int64_t), leaf_resume);
        l->x = s->i;
        s->handles[s->i] = vex_task_spawn(ctx, l);
    }
    for (s->i = 0; s->i < s->n; s->i++) {
        s->tag = 1;
        if (!vex_future_poll_or_register(ctx, s->handles[s->i])) return CORO_STATUS_YIELDED;
    resume1:;
        int64_t v = 0;
        if (vex_future_take(ctx, s->handles[s->i], &v) != VEX_OUTCOME_VALUE)
            return vex_task_finish_cancelled(ctx);
        s->sum += v;
    }
    s->result = s->sum;
    return CORO_STATUS_DONE;
}

TEST(spawn_and_join_one_million) {
    int64_t n = stress_size(1000000);
    for (int workers = 2; workers <= 4; workers += 2) {
        Runtime *rt = runtime_create(workers);
        VexFuture **handles = malloc((size_t)n * sizeof *handles);
        Joiner *j = vex_task_alloc_in(rt, sizeof(Joiner), offsetof(Joiner, result), sizeof(int64_t), joiner_resume);
        j->n = n;
        j->handles = handles;
        VexFuture *h = vex_task_spawn_in(rt, j);
        runtime_run(rt);
        int64_t sum = 0;
        CHECK(vex_future_take(NULL, h, &sum) == VEX_OUTCOME_VALUE);
        CHECK_EQ_U(sum, n * (n + 1) / 2);
        VexCounters c;
        runtime_counters(rt, &c);
        CHECK_EQ_U(c.spawned, (uint64_t)n + 1);
        CHECK_EQ_U(c.finished, (uint64_t)n + 1);
        CHECK_EQ_U(c.alive, 0);
        fprintf(stderr, "  %d workers: steals %llu parks %llu\n", workers,
                (unsigned long long)c.steals, (unsigned long long)c.parks);
        free(handles);
        runtime_destroy(rt);
    }
}

/* ---- spawn tree: every node spawns `fanout` children down to `depth` and sums them ----- */
typedef struct {
    uint32_t tag;
    int depth, i;
    VexFuture *kids[4];
    int64_t sum, result;
} Node;

static CoroStatus node_resume(WorkerContext *ctx, void *p);
static VexFuture *node_spawn(WorkerContext *ctx, int depth) {
    Node *n = vex_task_alloc(sizeof(Node), offsetof(Node, result), sizeof(int64_t), node_resume);
    n->depth = depth;
    return vex_task_spawn(ctx, n);
}

static CoroStatus node_resume(WorkerContext *ctx, void *p) {
    Node *s = p;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    case 2: goto resume2;
    }
    s->sum = 1;
    if (s->depth == 0) goto done;
    for (s->i = 0; s->i < 4; s->i++) s->kids[s->i] = node_spawn(ctx, s->depth - 1);
    /* A yield in the middle mixes the queues further. */
    s->tag = 2;
    worker_yield(ctx);
    return CORO_STATUS_YIELDED;
resume2:
    for (s->i = 0; s->i < 4; s->i++) {
        s->tag = 1;
        if (!vex_future_poll_or_register(ctx, s->kids[s->i])) return CORO_STATUS_YIELDED;
    resume1:;
        int64_t v = 0;
        if (vex_future_take(ctx, s->kids[s->i], &v) != VEX_OUTCOME_VALUE)
            return vex_task_finish_cancelled(ctx);
        s->sum += v;
    }
done:
    s->result = s->sum;
    return CORO_STATUS_DONE;
}

TEST(spawn_tree_on_many_workers) {
    int depth = getenv("VEX_STRESS_SCALE") && atoi(getenv("VEX_STRESS_SCALE")) > 1 ? 6 : 9;
    int64_t want = 0, level = 1;
    for (int d = 0; d <= depth; d++, level *= 4) want += level;
    Runtime *rt = runtime_create(8);
    Node *root = vex_task_alloc_in(rt, sizeof(Node), offsetof(Node, result), sizeof(int64_t), node_resume);
    root->depth = depth;
    VexFuture *h = vex_task_spawn_in(rt, root);
    runtime_run(rt);
    int64_t got = 0;
    CHECK(vex_future_take(NULL, h, &got) == VEX_OUTCOME_VALUE);
    CHECK_EQ_U(got, want);
    VexCounters c;
    runtime_counters(rt, &c);
    /* Whether anything was stolen depends on timing (2 cores, 8 workers): report it. */
    fprintf(stderr, "  %lld tasks on 8 workers: steals %llu parks %llu\n", (long long)want,
            (unsigned long long)c.steals, (unsigned long long)c.parks);
    runtime_destroy(rt);
    CHECK_EQ_U(c.finished, (uint64_t)want);
}

/* ---- random cancellation of sleeping and I/O-waiting tasks ------------------------------ */
typedef struct {
    uint32_t tag;
    uint64_t ms;
    int fd; /* -1: sleeper */
    int result;
} Waiter;

static CoroStatus waiter_resume(WorkerContext *ctx, void *p) {
    Waiter *s = p;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    }
    s->tag = 1;
    if (s->fd < 0) worker_await_after(ctx, s->ms);
    else worker_await_io(ctx, s->fd, EVENT_READ);
    return CORO_STATUS_YIELDED;
resume1:
    if (vex_task_cancelled(ctx)) return vex_task_finish_cancelled(ctx);
    if (s->fd >= 0) {
        char ch;
        if (read(s->fd, &ch, 1) != 1) return vex_task_finish_cancelled(ctx);
    }
    s->result = 1;
    return CORO_STATUS_DONE;
}

/* Sleeps `ms`, then cancels `target` or writes a byte to `fd`. */
typedef struct {
    uint32_t tag;
    uint64_t ms;
    VexFuture *target;
    int fd;
} Actor;

static CoroStatus actor_resume(WorkerContext *ctx, void *p) {
    Actor *s = p;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    }
    s->tag = 1;
    worker_await_after(ctx, s->ms);
    return CORO_STATUS_YIELDED;
resume1:
    if (s->target) {
        vex_future_cancel(s->target);
        vex_future_release(s->target);
    } else if (write(s->fd, "x", 1) != 1) {
        return vex_task_finish_cancelled(ctx);
    }
    return CORO_STATUS_DONE;
}

static void spawn_actor(Runtime *rt, uint64_t ms, VexFuture *target, int fd) {
    Actor *a = vex_task_alloc_in(rt, sizeof(Actor), 0, 0, actor_resume);
    a->ms = ms;
    a->target = target ? vex_future_retain(target) : NULL;
    a->fd = fd;
    vex_future_release(vex_task_spawn_in(rt, a));
}

TEST(random_cancellation_of_sleeping_and_io_tasks) {
    enum { PIPES = 128 };
    int rounds = (int)stress_size(20);
    for (int round = 0; round < rounds; round++) {
        Runtime *rt = runtime_create(2 + round % 3);
        int nsleep = (int)stress_size(4000) + 10;
        VexFuture **sleepers = malloc((size_t)nsleep * sizeof *sleepers);
        bool *must_cancel = calloc((size_t)nsleep, 1);
        for (int i = 0; i < nsleep; i++) {
            Waiter *w = vex_task_alloc_in(rt, sizeof(Waiter), offsetof(Waiter, result), sizeof(int), waiter_resume);
            bool long_sleep = rnd() % 2;
            w->ms = long_sleep ? 600000 : rnd() % 20;
            w->fd = -1;
            sleepers[i] = vex_task_spawn_in(rt, w);
            if (long_sleep || rnd() % 2) {
                must_cancel[i] = long_sleep;
                spawn_actor(rt, rnd() % 20, sleepers[i], -1);
            }
        }
        int p[PIPES][2];
        VexFuture *readers[PIPES];
        bool cancelled_reader[PIPES];
        for (int i = 0; i < PIPES; i++) {
            CHECK(pipe(p[i]) == 0);
            Waiter *w = vex_task_alloc_in(rt, sizeof(Waiter), offsetof(Waiter, result), sizeof(int), waiter_resume);
            w->fd = p[i][0];
            readers[i] = vex_task_spawn_in(rt, w);
            cancelled_reader[i] = rnd() % 2;
            if (cancelled_reader[i]) spawn_actor(rt, rnd() % 10, readers[i], -1);
            else spawn_actor(rt, rnd() % 10, NULL, p[i][1]);
        }
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        runtime_run(rt);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        CHECK(t1.tv_sec - t0.tv_sec < 30);
        for (int i = 0; i < nsleep; i++) {
            VexOutcome o = vex_future_take(NULL, sleepers[i], NULL);
            CHECK(o == VEX_OUTCOME_VALUE || o == VEX_OUTCOME_CANCELLED);
            if (must_cancel[i]) CHECK(o == VEX_OUTCOME_CANCELLED);
        }
        for (int i = 0; i < PIPES; i++) {
            VexOutcome o = vex_future_take(NULL, readers[i], NULL);
            CHECK(o == (cancelled_reader[i] ? VEX_OUTCOME_CANCELLED : VEX_OUTCOME_VALUE));
            close(p[i][0]);
            close(p[i][1]);
        }
        VexCounters c;
        runtime_counters(rt, &c);
        CHECK_EQ_U(c.alive, 0);
        CHECK_EQ_U(c.spawned, c.finished);
        free(sleepers);
        free(must_cancel);
        runtime_destroy(rt);
    }
}

/* ---- timers in order --------------------------------------------------------------------- */
static _Atomic long nfired;
static uint64_t *fired_deadline;
static int *fired_id;
static int64_t *fired_late;

typedef struct {
    uint32_t tag;
    int id;
    uint64_t ms;
    int64_t start;
} Timed;

static CoroStatus timed_resume(WorkerContext *ctx, void *p) {
    Timed *s = p;
    switch (s->tag) {
    case 0: break;
    case 1: goto resume1;
    }
    s->start = now_ms();
    s->tag = 1;
    worker_await_after(ctx, s->ms);
    return CORO_STATUS_YIELDED;
resume1:;
    long i = atomic_fetch_add(&nfired, 1);
    fired_deadline[i] = s->ms;
    fired_id[i] = s->id;
    fired_late[i] = now_ms() - (s->start + (int64_t)s->ms);
    return CORO_STATUS_DONE;
}

TEST(timers_fire_in_order) {
    long n = stress_size(100000);
    fired_deadline = malloc((size_t)n * sizeof *fired_deadline);
    fired_id = malloc((size_t)n * sizeof *fired_id);
    fired_late = malloc((size_t)n * sizeof *fired_late);
    /* Virtual clock: exact deadline order, ties in the order they were set. */
    VexRuntimeOptions o = {.workers = 1, .virtual_clock = true};
    Runtime *rt = runtime_create_with(&o);
    atomic_store(&nfired, 0);
    for (long i = 0; i < n; i++) {
        Timed *t = vex_task_alloc_in(rt, sizeof(Timed), 0, 0, timed_resume);
        t->id = (int)i;
        t->ms = rnd() % 5000;
        vex_future_release(vex_task_spawn_in(rt, t));
    }
    runtime_run(rt);
    CHECK_EQ_U(atomic_load(&nfired), n);
    for (long i = 0; i < n; i++) CHECK_EQ_U(fired_late[i], 0);
    for (long i = 1; i < n; i++) {
        CHECK(fired_deadline[i - 1] <= fired_deadline[i]);
        if (fired_deadline[i - 1] == fired_deadline[i]) CHECK(fired_id[i - 1] < fired_id[i]);
    }
    runtime_destroy(rt);
    /* Real clock on two workers: never early. */
    rt = runtime_create(2);
    long m = n / 10 + 1;
    atomic_store(&nfired, 0);
    for (long i = 0; i < m; i++) {
        Timed *t = vex_task_alloc_in(rt, sizeof(Timed), 0, 0, timed_resume);
        t->id = (int)i;
        t->ms = rnd() % 100;
        vex_future_release(vex_task_spawn_in(rt, t));
    }
    runtime_run(rt);
    CHECK_EQ_U(atomic_load(&nfired), m);
    int64_t worst = 0;
    for (long i = 0; i < m; i++) {
        CHECK(fired_late[i] >= 0);
        if (fired_late[i] > worst) worst = fired_late[i];
    }
    fprintf(stderr, "  real clock: %ld timers, worst lateness %lld ms\n", m, (long long)worst);
    runtime_destroy(rt);
    free(fired_deadline);
    free(fired_id);
    free(fired_late);
}

/* ---- worker threads start on demand ----------------------------------------------------- */
/* The threads of this process, from /proc. */
static int thread_count(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    int n = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %d", &n) == 1) break;
    fclose(f);
    return n;
}

typedef struct {
    uint32_t tag;
    int threads;
} Counted;

static CoroStatus count_threads_resume(WorkerContext *ctx, void *p) {
    (void)ctx;
    ((Counted *)p)->threads = thread_count();
    return CORO_STATUS_DONE;
}

/* A run whose only task never makes work for a second worker creates no thread: the
 * other workers start on their first wake-up. The spawn tree above (many workers
 * stealing) shows they do start when there is work. */
TEST(a_lone_task_starts_no_other_worker) {
    int before = thread_count();
    CHECK(before > 0);
    for (int run = 0; run < 20; run++) {
        Runtime *rt = runtime_create(4);
        CHECK(rt != NULL);
        static Counted counted;
        counted.threads = 0;
        runtime_spawn_global(rt, count_threads_resume, &counted);
        runtime_run(rt);
        runtime_destroy(rt);
        CHECK_EQ_U(counted.threads, before);
    }
}

int main(void) {
    RUN(a_lone_task_starts_no_other_worker);
    RUN(spawn_and_join_one_million);
    RUN(spawn_tree_on_many_workers);
    RUN(random_cancellation_of_sleeping_and_io_tasks);
    RUN(timers_fire_in_order);
    HARNESS_END();
}
