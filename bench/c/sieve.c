/* CPU-bound: sieve of Eratosthenes (same as bench/vex/sieve.vx). */
#include <stdio.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

static bool composite[__N__];

int main(void) {
    int64_t total = 0;
    for (int64_t r = 0; r < __R__; r++) {
        memset(composite, 0, sizeof composite);
        int64_t count = 0;
        for (int64_t i = 2; i < __N__; i++) {
            if (!composite[i]) {
                count += 1;
                for (int64_t j = i * i; j < __N__; j += i) composite[j] = true;
            }
        }
        total += count;
    }
    printf("%lld\n", (long long)total);
    return 0;
}
