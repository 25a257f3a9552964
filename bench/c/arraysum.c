/* CPU-bound: sums over an int64_t[N] (same as bench/vex/arraysum.vx). */
#include <stdio.h>
#include <stdint.h>

static int64_t a[__N__];

int main(void) {
    for (int64_t i = 0; i < __N__; i++) a[i] = (i * 7919) % 1000;
    int64_t total = 0;
    for (int64_t r = 0; r < __R__; r++) {
        a[r % __N__] += 1;
        int64_t s = 0;
        for (int64_t i = 0; i < __N__; i++) s += a[i];
        total += s;
    }
    printf("%lld\n", (long long)total);
    return 0;
}
