/*
 * deque.c — the per-worker Chase-Lev work-stealing deque (Chase & Lev 2005, with the
 * C11 memory orders of Lê, Pop, Cohen & Zappa Nardelli 2013, fences folded into seq_cst
 * accesses) over a fixed ring of DEQUE_CAP slots. The ring never grows (a full deque
 * makes deque_push fail and the caller keeps the task elsewhere), so no buffer needs to
 * be reclaimed.
 *
 * The scheduler uses the deque only as the stealable part of a worker's run queue: the
 * owner publishes batches of its oldest privately queued tasks into it when another
 * worker is idle, and takes from it at the top (FIFO, through deque_steal) before its
 * private queue. deque_pop (LIFO) is the classic owner take and is kept correct and
 * tested for owners that want it.
 * Must not allocate or lock.
 */
#include "internal.h"

void deque_init(VexDeque *d) {
    atomic_init(&d->top, 0);
    atomic_init(&d->bottom, 0);
    for (size_t i = 0; i < DEQUE_CAP; i++) atomic_init(&d->buf[i], NULL);
}

bool deque_push(VexDeque *d, VexTask *t) {
    size_t b = atomic_load_explicit(&d->bottom, memory_order_relaxed);
    size_t top = atomic_load_explicit(&d->top, memory_order_acquire);
    if (b - top >= DEQUE_CAP) return false;
    atomic_store_explicit(&d->buf[b & (DEQUE_CAP - 1)], t, memory_order_relaxed);
    /* Publishes the slot (and the task's contents) to stealers. */
    atomic_store_explicit(&d->bottom, b + 1, memory_order_release);
    return true;
}

VexTask *deque_pop(VexDeque *d) {
    size_t b = atomic_load_explicit(&d->bottom, memory_order_relaxed);
    size_t t = atomic_load_explicit(&d->top, memory_order_relaxed);
    if (t >= b) return NULL; /* cheap empty check; b cannot shrink under us */
    b -= 1;
    /* The store of bottom must be ordered before our load of top, and stealers load top
     * before bottom: seq_cst accesses give this store-load order (the same cost as the
     * paper's fences on x86, and ThreadSanitizer understands them). */
    atomic_store_explicit(&d->bottom, b, memory_order_seq_cst);
    t = atomic_load_explicit(&d->top, memory_order_seq_cst);
    VexTask *x = NULL;
    if (t <= b) {
        x = atomic_load_explicit(&d->buf[b & (DEQUE_CAP - 1)], memory_order_relaxed);
        if (t == b) {
            /* Last element: race stealers for it through top. */
            if (!atomic_compare_exchange_strong_explicit(&d->top, &t, t + 1,
                                                         memory_order_seq_cst,
                                                         memory_order_relaxed))
                x = NULL;
            atomic_store_explicit(&d->bottom, b + 1, memory_order_relaxed);
        }
    } else {
        atomic_store_explicit(&d->bottom, b + 1, memory_order_relaxed);
    }
    return x;
}

VexTask *deque_steal(VexDeque *d, bool *retry) {
    size_t t = atomic_load_explicit(&d->top, memory_order_seq_cst);
    size_t b = atomic_load_explicit(&d->bottom, memory_order_seq_cst);
    if (t >= b) return NULL;
    VexTask *x = atomic_load_explicit(&d->buf[t & (DEQUE_CAP - 1)], memory_order_relaxed);
    if (!atomic_compare_exchange_strong_explicit(&d->top, &t, t + 1, memory_order_seq_cst,
                                                 memory_order_relaxed)) {
        if (retry) *retry = true;
        return NULL;
    }
    return x;
}

size_t deque_len(VexDeque *d) {
    size_t b = atomic_load_explicit(&d->bottom, memory_order_acquire);
    size_t t = atomic_load_explicit(&d->top, memory_order_acquire);
    return b > t ? b - t : 0;
}
