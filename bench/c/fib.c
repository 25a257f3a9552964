/* CPU-bound: naive recursive Fibonacci (same as bench/vex/fib.vx). */
#include <stdio.h>
#include <stdint.h>

static int64_t fib(int64_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) {
    printf("%lld\n", (long long)fib(__N__));
    return 0;
}
