/*
 * test_injector.c — unit tests of the global injector: FIFO order, batches, and several
 * producers with several consumers losing and duplicating nothing; the task ring growing
 * while wrapped around.
 */
#include "harness.h"
#include "internal.h"

#include <pthread.h>

#define N 20000
static VexTask tasks[N];

TEST(fifo_order_and_batches) {
    VexInjector q;
    injector_init(&q);
    VexTask *out[300];
    CHECK_EQ_U(injector_pop_batch(&q, out, 10), 0);
    for (int i = 0; i < 5; i++) injector_push(&q, &tasks[i]);
    VexTask *batch[] = {&tasks[5], &tasks[6], &tasks[7]};
    injector_push_batch(&q, batch, 3);
    CHECK_EQ_U(atomic_load(&q.len), 8);
    CHECK_EQ_U(injector_pop_batch(&q, out, 3), 3);
    for (int i = 0; i < 3; i++) CHECK(out[i] == &tasks[i]);
    CHECK_EQ_U(injector_pop_batch(&q, out, 100), 5);
    for (int i = 3; i < 8; i++) CHECK(out[i - 3] == &tasks[i]);
    CHECK_EQ_U(atomic_load(&q.len), 0);
    /* Growth keeps FIFO order across wrap-around. */
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 200; i++) injector_push(&q, &tasks[i]);
        CHECK_EQ_U(injector_pop_batch(&q, out, 150), 150);
        for (int i = 0; i < 150; i++) CHECK(out[i] == &tasks[i]);
        CHECK_EQ_U(injector_pop_batch(&q, out, 300), 50);
        for (int i = 0; i < 50; i++) CHECK(out[i] == &tasks[150 + i]);
    }
    injector_destroy(&q);
}

static VexInjector shared;
static _Atomic int seen[N];
static _Atomic long consumed;
static long total;

static void *producer(void *arg) {
    long id = (long)arg;
    for (long i = id; i < total; i += 2) injector_push(&shared, &tasks[i]);
    return NULL;
}

static void *consumer(void *arg) {
    (void)arg;
    while (atomic_load(&consumed) < total) {
        VexTask *out[7];
        size_t n = injector_pop_batch(&shared, out, 7);
        for (size_t i = 0; i < n; i++) atomic_fetch_add(&seen[out[i] - tasks], 1);
        atomic_fetch_add(&consumed, (long)n);
    }
    return NULL;
}

TEST(concurrent_producers_and_consumers) {
    total = stress_size(N);
    injector_init(&shared);
    pthread_t th[4];
    for (long i = 0; i < 2; i++) pthread_create(&th[i], NULL, producer, (void *)i);
    for (long i = 2; i < 4; i++) pthread_create(&th[i], NULL, consumer, NULL);
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    for (long i = 0; i < total; i++) CHECK_EQ_U(atomic_load(&seen[i]), 1);
    injector_destroy(&shared);
}

TEST(ring_grows_while_wrapped_around) {
    static VexTask fake[1000];
    VexTaskRing r = {0};
    size_t next_in = 0, next_out = 0;
    /* Keep the ring partly drained so that head moves and growth meets a wrapped ring. */
    for (int round = 0; round < 200; round++) {
        for (int k = 0; k < 5 && next_in < 1000; k++) ring_push(&r, &fake[next_in++]);
        for (int k = 0; k < 2 && next_out < next_in; k++) CHECK(ring_pop(&r) == &fake[next_out++]);
    }
    while (next_out < next_in) CHECK(ring_pop(&r) == &fake[next_out++]);
    CHECK(ring_pop(&r) == NULL);
    ring_free(&r);
}

int main(void) {
    RUN(fifo_order_and_batches);
    RUN(ring_grows_while_wrapped_around);
    RUN(concurrent_producers_and_consumers);
    HARNESS_END();
}
