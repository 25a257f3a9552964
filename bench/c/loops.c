/* CPU-bound: nested multiply-accumulate (same as bench/vex/loops.vx). */
#include <stdio.h>
#include <stdint.h>

int main(void) {
    int64_t a[64], b[64];
    for (int64_t i = 0; i < 64; i++) {
        a[i] = (i * 7 + 3) % 64;
        b[i] = (i * 13 + 5) % 64;
    }
    int64_t acc = 0;
    for (int64_t r = 0; r < __R__; r++) {
        for (int64_t i = 0; i < __N__; i++) {
            int64_t x = a[i % 64] + r;
            for (int64_t j = 0; j < __N__; j++) {
                acc = acc + x * b[j % 64] + (i ^ j);
            }
        }
    }
    printf("%lld\n", (long long)acc);
    return 0;
}
