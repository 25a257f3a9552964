/*
 * test_deque.c — unit tests of the Chase-Lev deque: sequential semantics (LIFO pop,
 * FIFO steal, capacity), and a concurrent test where the owner pushes and pops while
 * thieves steal, checking that every item is taken exactly once.
 */
#include "harness.h"
#include "internal.h"

#include <pthread.h>

static VexTask fake[4096];

TEST(sequential_lifo_pop_and_fifo_steal) {
    static VexDeque d;
    deque_init(&d);
    CHECK(deque_pop(&d) == NULL);
    CHECK(deque_steal(&d, NULL) == NULL);
    for (int i = 0; i < 10; i++) CHECK(deque_push(&d, &fake[i]));
    CHECK_EQ_U(deque_len(&d), 10);
    CHECK(deque_pop(&d) == &fake[9]);
    CHECK(deque_steal(&d, NULL) == &fake[0]);
    CHECK(deque_steal(&d, NULL) == &fake[1]);
    CHECK(deque_pop(&d) == &fake[8]);
    CHECK_EQ_U(deque_len(&d), 6);
    for (int i = 2; i < 8; i++) CHECK(deque_steal(&d, NULL) == &fake[i]);
    CHECK(deque_pop(&d) == NULL);
}

TEST(capacity_is_bounded_and_wraps) {
    static VexDeque d;
    deque_init(&d);
    for (int round = 0; round < 5; round++) {
        for (unsigned i = 0; i < DEQUE_CAP; i++) CHECK(deque_push(&d, &fake[i]));
        CHECK(!deque_push(&d, &fake[0]));
        for (unsigned i = 0; i < DEQUE_CAP; i++) CHECK(deque_steal(&d, NULL) == &fake[i]);
        CHECK(deque_steal(&d, NULL) == NULL);
    }
}

#define ITEMS 4096
static VexDeque shared;
static _Atomic int taken[ITEMS];
static _Atomic bool owner_done;

static void *thief(void *arg) {
    (void)arg;
    for (;;) {
        bool retry = false;
        VexTask *t = deque_steal(&shared, &retry);
        if (t) {
            atomic_fetch_add(&taken[t - fake], 1);
        } else if (!retry && atomic_load(&owner_done) && deque_len(&shared) == 0) {
            return NULL;
        }
    }
}

TEST(concurrent_owner_and_thieves_take_each_item_once) {
    long rounds = stress_size(200);
    for (long r = 0; r < rounds; r++) {
        deque_init(&shared);
        atomic_store(&owner_done, false);
        for (int i = 0; i < ITEMS; i++) atomic_store(&taken[i], 0);
        pthread_t th[3];
        for (int i = 0; i < 3; i++) pthread_create(&th[i], NULL, thief, NULL);
        int next = 0;
        while (next < ITEMS) {
            for (int k = 0; k < 7 && next < ITEMS; k++) {
                if (deque_push(&shared, &fake[next])) next++;
            }
            for (int k = 0; k < 3; k++) {
                VexTask *t = deque_pop(&shared);
                if (t) atomic_fetch_add(&taken[t - fake], 1);
            }
        }
        for (;;) {
            VexTask *t = deque_pop(&shared);
            if (!t) break;
            atomic_fetch_add(&taken[t - fake], 1);
        }
        atomic_store(&owner_done, true);
        for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
        for (int i = 0; i < ITEMS; i++) CHECK_EQ_U(atomic_load(&taken[i]), 1);
    }
}

int main(void) {
    RUN(sequential_lifo_pop_and_fifo_steal);
    RUN(capacity_is_bounded_and_wraps);
    RUN(concurrent_owner_and_thieves_take_each_item_once);
    HARNESS_END();
}
