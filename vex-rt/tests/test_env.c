/*
 * test_env.c — unit tests of closure environments (language §10): vex_env_alloc gives
 * zero-filled, 16-byte aligned captures behind a 16-byte header with one reference;
 * retain/release count; the drop callback runs exactly once, on the last release, with
 * the captures pointer, whichever thread releases last (8 threads at once; clean under
 * check-tsan, leak-free under check-asan). Sizes shrink by VEX_STRESS_SCALE.
 */
#define _GNU_SOURCE
#include "harness.h"
#include "vex_rt.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct {
    VexString *name;
    int64_t n;
    _Atomic int64_t *drops; /* incremented by the drop callback */
} Caps;

static void drop_caps(void *captures) {
    Caps *c = captures;
    vex_string_release(c->name);
    atomic_fetch_add(c->drops, 1);
}

TEST(alloc_is_zeroed_aligned_and_counted) {
    _Atomic int64_t drops = 0;
    Caps *c = vex_env_alloc(sizeof(Caps), drop_caps);
    CHECK(c != NULL);
    CHECK((uintptr_t)c % 16 == 0);
    CHECK(c->name == NULL && c->n == 0 && c->drops == NULL);
    const VexEnv *header = (const VexEnv *)((const char *)c - VEX_ENV_HEADER_SIZE);
    CHECK(header->refs == 1 && header->drop == drop_caps);
    c->name = vex_string_from_bytes("captured", 8);
    c->n = 42;
    c->drops = &drops;
    CHECK(vex_env_retain(c) == c);
    CHECK(header->refs == 2);
    vex_env_release(c);
    CHECK(drops == 0);
    CHECK(c->n == 42);
    vex_env_release(c); /* the last one: drop, then free (ASan checks both) */
    CHECK(drops == 1);
    /* NULL is the environment of a closure without captures. */
    CHECK(vex_env_retain(NULL) == NULL);
    vex_env_release(NULL);
}

TEST(no_drop_and_empty_captures) {
    void *e = vex_env_alloc(0, NULL);
    CHECK(e != NULL && (uintptr_t)e % 16 == 0);
    vex_env_retain(e);
    vex_env_release(e);
    vex_env_release(e);
    unsigned char *big = vex_env_alloc(1 << 20, NULL);
    for (int i = 0; i < 1 << 20; i += 4096) CHECK(big[i] == 0);
    big[(1 << 20) - 1] = 1;
    vex_env_release(big);
}

#define THREADS 8

typedef struct {
    void *captures; /* one reference, owned by the thread */
    pthread_barrier_t *start;
    int copies;
} Holder;

static void *holder_main(void *arg) {
    Holder *h = arg;
    pthread_barrier_wait(h->start);
    Caps *c = h->captures;
    /* Read, make and drop copies of the closure, then drop our own reference. */
    int64_t n = 0;
    for (int i = 0; i < h->copies; i++) {
        Caps *copy = vex_env_retain(c);
        n += copy->n + (int64_t)vex_string_len(copy->name);
        vex_env_release(copy);
    }
    vex_env_release(c);
    return (void *)(intptr_t)(n == (int64_t)h->copies * 12);
}

TEST(drop_runs_once_from_many_threads) {
    int rounds = (int)stress_size(2000);
    if (rounds < 20) rounds = 20;
    _Atomic int64_t drops = 0;
    for (int r = 0; r < rounds; r++) {
        pthread_barrier_t start;
        pthread_barrier_init(&start, NULL, THREADS);
        Caps *c = vex_env_alloc(sizeof(Caps), drop_caps);
        c->name = vex_string_from_bytes("abcdefghij", 10);
        c->n = 2;
        c->drops = &drops;
        Holder holders[THREADS];
        pthread_t threads[THREADS];
        for (int t = 0; t < THREADS; t++) {
            /* The creator's reference goes to thread 0; every other thread gets a copy. */
            holders[t] = (Holder){t == 0 ? c : vex_env_retain(c), &start, 1 + r % 16};
            pthread_create(&threads[t], NULL, holder_main, &holders[t]);
        }
        int ok = 1;
        for (int t = 0; t < THREADS; t++) {
            void *res;
            pthread_join(threads[t], &res);
            ok &= res != NULL;
        }
        pthread_barrier_destroy(&start);
        CHECK(ok);
        CHECK(drops == r + 1);
    }
}

int main(void) {
    RUN(alloc_is_zeroed_aligned_and_counted);
    RUN(no_drop_and_empty_captures);
    RUN(drop_runs_once_from_many_threads);
    HARNESS_END();
}
