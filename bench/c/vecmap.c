/* Values: out[i] = f(ctx, in[i]) over N elements through a function pointer with a
 * context argument (a closure in C), then the sum of out (same as bench/vex/vecmap.vx).
 * The pointer is read from a volatile, so gcc cannot see which function it calls (no
 * devirtualisation, no inlining), and k comes from the clock at run time. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

typedef int64_t (*map_fn)(const void *ctx, int64_t x);

static int64_t times_k(const void *ctx, int64_t x) { return x * *(const int64_t *)ctx; }

static map_fn volatile the_fn = times_k;

int main(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t k = ts.tv_sec >= 0 ? 3 : 5;
    int64_t *in = malloc(__N__ * sizeof *in);
    if (!in) return 1;
    for (int64_t i = 0; i < __N__; i++) in[i] = i;
    map_fn f = the_fn;
    int64_t *out = malloc(__N__ * sizeof *out);
    if (!out) return 1;
    for (int64_t i = 0; i < __N__; i++) out[i] = f(&k, in[i]);
    int64_t s = 0;
    for (int64_t i = 0; i < __N__; i++) s += out[i];
    printf("%lld\n", (long long)s);
    free(out);
    free(in);
    return 0;
}
