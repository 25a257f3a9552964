/*
 * harness.h — a tiny assert harness for the C tests: TEST(name) defines a test,
 * CHECK(cond) records a failure and returns from the test, RUN(name) runs one, and
 * HARNESS_END prints the final `N passed, M failed` line that the test driver reads.
 */
#ifndef VEX_TEST_HARNESS_H
#define VEX_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int harness_passed, harness_failed, harness_current_failed;

#define TEST(name) static void name(void)
#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
            harness_current_failed = 1;                                                 \
            return;                                                                     \
        }                                                                               \
    } while (0)
#define CHECK_EQ_U(a, b)                                                                \
    do {                                                                                \
        unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b); \
        if (va_ != vb_) {                                                               \
            fprintf(stderr, "  %s:%d: %s == %s failed: %llu != %llu\n", __FILE__,       \
                    __LINE__, #a, #b, va_, vb_);                                        \
            harness_current_failed = 1;                                                 \
            return;                                                                     \
        }                                                                               \
    } while (0)
#define CHECK_STR(a, b)                                                                 \
    do {                                                                                \
        const char *sa_ = (a), *sb_ = (b);                                              \
        if (strcmp(sa_, sb_) != 0) {                                                    \
            fprintf(stderr, "  %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__, sa_, sb_); \
            harness_current_failed = 1;                                                 \
            return;                                                                     \
        }                                                                               \
    } while (0)
#define RUN(name)                                                                       \
    do {                                                                                \
        harness_current_failed = 0;                                                     \
        fprintf(stderr, "test %s ...\n", #name);                                        \
        name();                                                                         \
        if (harness_current_failed) {                                                   \
            harness_failed++;                                                           \
            fprintf(stderr, "test %s FAILED\n", #name);                                 \
        } else {                                                                        \
            harness_passed++;                                                           \
        }                                                                               \
    } while (0)
#define HARNESS_END()                                                                   \
    do {                                                                                \
        printf("%d passed, %d failed\n", harness_passed, harness_failed);               \
        return harness_failed ? 1 : 0;                                                  \
    } while (0)

/* Stress sizes are divided by VEX_STRESS_SCALE (set by the sanitizer targets). */
static inline long stress_size(long n) {
    const char *s = getenv("VEX_STRESS_SCALE");
    long d = s ? atol(s) : 1;
    if (d < 1) d = 1;
    long r = n / d;
    return r < 1 ? 1 : r;
}

#endif
