/*
 * injector.c — the runtime's global FIFO run queue (tasks spawned or woken from threads
 * that are not workers) and the growable task ring it is built on (also the workers'
 * private run queues). A mutex protects the ring; an atomic length lets workers
 * check for emptiness without taking the lock.
 */
#include "internal.h"

#include <string.h>

void ring_push(VexTaskRing *r, VexTask *t) {
    if (r->len == r->cap) {
        /* realloc keeps big rings in place (mremap) instead of copying and faulting in
         * a fresh buffer; then the wrapped-around front part moves behind the old end. */
        size_t old = r->cap, cap = old ? old * 2 : 64;
        VexTask **buf = realloc(r->buf, cap * sizeof *buf);
        if (!buf) {
            fprintf(stderr, "vex-rt: out of memory growing a run queue\n");
            abort();
        }
        if (r->head > 0) memcpy(buf + old, buf, r->head * sizeof *buf);
        r->buf = buf;
        r->cap = cap;
    }
    r->buf[(r->head + r->len) & (r->cap - 1)] = t;
    r->len++;
}

VexTask *ring_pop(VexTaskRing *r) {
    if (r->len == 0) return NULL;
    VexTask *t = r->buf[r->head];
    r->head = (r->head + 1) & (r->cap - 1);
    r->len--;
    return t;
}

void ring_free(VexTaskRing *r) {
    free(r->buf);
    memset(r, 0, sizeof *r);
}

void injector_init(VexInjector *q) {
    pthread_mutex_init(&q->lock, NULL);
    memset(&q->ring, 0, sizeof q->ring);
    atomic_init(&q->len, 0);
}

void injector_destroy(VexInjector *q) {
    ring_free(&q->ring);
    pthread_mutex_destroy(&q->lock);
}

void injector_push_batch(VexInjector *q, VexTask *const *items, size_t n) {
    pthread_mutex_lock(&q->lock);
    for (size_t i = 0; i < n; i++) ring_push(&q->ring, items[i]);
    atomic_store_explicit(&q->len, q->ring.len, memory_order_seq_cst);
    pthread_mutex_unlock(&q->lock);
}

void injector_push(VexInjector *q, VexTask *t) { injector_push_batch(q, &t, 1); }

size_t injector_pop_batch(VexInjector *q, VexTask **out, size_t max) {
    if (atomic_load_explicit(&q->len, memory_order_acquire) == 0) return 0;
    pthread_mutex_lock(&q->lock);
    size_t k = 0;
    while (k < max && q->ring.len > 0) out[k++] = ring_pop(&q->ring);
    atomic_store_explicit(&q->len, q->ring.len, memory_order_relaxed);
    pthread_mutex_unlock(&q->lock);
    return k;
}
