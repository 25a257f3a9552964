/* Values: push N int64 into a growable array that starts empty, then sum it (same as
 * bench/vex/vecpush.vx). The array grows like a Vex Vec: realloc to twice the capacity,
 * at least 4 elements. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct {
    int64_t *data;
    size_t len, cap;
} vec_i64;

static void push(vec_i64 *v, int64_t x) {
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 4;
        int64_t *d = realloc(v->data, cap * sizeof *d);
        if (!d) {
            perror("realloc");
            exit(1);
        }
        v->data = d;
        v->cap = cap;
    }
    v->data[v->len++] = x;
}

int main(void) {
    vec_i64 v = {0};
    for (int64_t i = 0; i < __N__; i++) push(&v, i);
    int64_t s = 0;
    for (size_t i = 0; i < v.len; i++) s += v.data[i];
    printf("%lld\n", (long long)s);
    free(v.data);
    return 0;
}
