/*
 * test_wheel.c — unit tests of the hierarchical timing wheel: firing in deadline order
 * across levels (cascading), ties in insertion order, O(1) removal, deadlines in the
 * past, next-expiration reporting, and a randomized comparison with a sorted reference.
 */
#include "harness.h"
#include "internal.h"

#define MAXT 5000
static VexTask tasks[MAXT];
static VexTask *order[MAXT];
static size_t norder;

static void collect(void *arg, VexTask *t) {
    (void)arg;
    order[norder++] = t;
}

TEST(fires_in_deadline_order_across_levels) {
    static VexWheel w;
    wheel_init(&w, 0);
    uint64_t deadlines[] = {5, 70, 1, 4096 + 3, 300000, 63, 64, 65, 262144 * 5 + 7};
    int n = sizeof deadlines / sizeof deadlines[0];
    for (int i = 0; i < n; i++) wheel_insert(&w, &tasks[i], deadlines[i]);
    CHECK_EQ_U(w.count, (size_t)n);
    CHECK_EQ_U(wheel_next_expiration(&w), 1);
    norder = 0;
    uint64_t last = 0;
    for (uint64_t now = 0; now <= 262144 * 5 + 997; now += 997) {
        size_t before = norder;
        wheel_advance(&w, now, collect, NULL);
        for (size_t k = before; k < norder; k++) {
            CHECK(order[k]->wait <= now);
            CHECK(order[k]->wait >= last);
            last = order[k]->wait;
        }
    }
    CHECK_EQ_U(norder, (size_t)n);
    CHECK_EQ_U(w.count, 0);
    CHECK_EQ_U(wheel_next_expiration(&w), UINT64_MAX);
}

TEST(ties_fire_in_insertion_order) {
    static VexWheel w;
    wheel_init(&w, 0);
    /* Same deadline 100 inserted at different times: first at level 1, later at 0. */
    wheel_insert(&w, &tasks[0], 100);
    norder = 0;
    wheel_advance(&w, 50, collect, NULL);
    wheel_insert(&w, &tasks[1], 100);
    wheel_advance(&w, 70, collect, NULL);
    wheel_insert(&w, &tasks[2], 100);
    wheel_insert(&w, &tasks[3], 99);
    wheel_advance(&w, 100, collect, NULL);
    CHECK_EQ_U(norder, 4);
    CHECK(order[0] == &tasks[3]);
    CHECK(order[1] == &tasks[0]);
    CHECK(order[2] == &tasks[1]);
    CHECK(order[3] == &tasks[2]);
}

TEST(remove_is_constant_time_and_exact) {
    static VexWheel w;
    wheel_init(&w, 10);
    for (int i = 0; i < 10; i++) wheel_insert(&w, &tasks[i], 20 + (uint64_t)i * 1000);
    wheel_remove(&w, &tasks[0]);
    wheel_remove(&w, &tasks[5]);
    wheel_remove(&w, &tasks[9]);
    CHECK_EQ_U(w.count, 7);
    norder = 0;
    wheel_advance(&w, 1000000, collect, NULL);
    CHECK_EQ_U(norder, 7);
    for (size_t k = 0; k < norder; k++)
        CHECK(order[k] != &tasks[0] && order[k] != &tasks[5] && order[k] != &tasks[9]);
}

TEST(past_deadlines_fire_on_next_advance) {
    static VexWheel w;
    wheel_init(&w, 1000);
    wheel_insert(&w, &tasks[0], 3);
    CHECK_EQ_U(wheel_next_expiration(&w), 1000);
    norder = 0;
    wheel_advance(&w, 1000, collect, NULL);
    CHECK_EQ_U(norder, 1);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t xorshift(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

TEST(random_deadlines_match_sorted_reference) {
    static VexWheel w;
    for (int round = 0; round < 20; round++) {
        uint64_t start = xorshift() % 100000;
        wheel_init(&w, start);
        int n = 2000;
        bool removed[MAXT] = {0};
        for (int i = 0; i < n; i++) {
            uint64_t d = start + (xorshift() % (round % 2 ? 5000000 : 300));
            wheel_insert(&w, &tasks[i], d);
        }
        for (int i = 0; i < n; i += 7) {
            wheel_remove(&w, &tasks[i]);
            removed[i] = true;
        }
        norder = 0;
        uint64_t now = start;
        while (w.count > 0) {
            now += 1 + xorshift() % 5000;
            size_t before = norder;
            wheel_advance(&w, now, collect, NULL);
            for (size_t k = before; k < norder; k++) CHECK(order[k]->wait <= now);
            if (w.count > 0) CHECK(wheel_next_expiration(&w) > now);
        }
        for (size_t k = 1; k < norder; k++) {
            CHECK(order[k - 1]->wait <= order[k]->wait);
            if (order[k - 1]->wait == order[k]->wait) CHECK(order[k - 1] < order[k]);
        }
        for (size_t k = 0; k < norder; k++) CHECK(!removed[order[k] - tasks]);
        CHECK_EQ_U(norder, (size_t)(n - (n + 6) / 7));
    }
}

int main(void) {
    RUN(fires_in_deadline_order_across_levels);
    RUN(ties_fire_in_insertion_order);
    RUN(remove_is_constant_time_and_exact);
    RUN(past_deadlines_fire_on_next_advance);
    RUN(random_deadlines_match_sorted_reference);
    HARNESS_END();
}
