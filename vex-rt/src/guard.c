/*
 * guard.c — the stack guard that compiled code checks at function entries and loop
 * heads (see "Guards" in vex_rt.h): per-thread limits, the `stack overflow` panic and
 * interrupts. On x86-64 with glibc the guard is the thread-control-block word at
 * %fs:0x70 (reserved for split stacks, unused otherwise); elsewhere there is no slot,
 * vex_guard_set does nothing and code generators emit no checks. Must not allocate: it
 * runs with at most VEX_GUARD_MARGIN bytes of stack left.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <pthread.h>


#if defined(__x86_64__) && defined(__linux__) && defined(__GLIBC__)
#define VEX_HAVE_GUARD 1
/* The calling thread's guard word: %fs:0 holds the address of the thread-control block
 * itself, the guard is 0x70 bytes into it. */
static _Atomic uintptr_t *thread_guard_slot(void) {
    uintptr_t tcb;
    __asm__ volatile("movq %%fs:0, %0" : "=r"(tcb));
    return (_Atomic uintptr_t *)(tcb + 0x70);
}
#else
#define VEX_HAVE_GUARD 0
#endif

static _Thread_local uintptr_t tls_limit;
static _Thread_local bool tls_limit_known;

uintptr_t vex_guard_thread_limit(void) {
    if (tls_limit_known) return tls_limit;
    uintptr_t limit = 0;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *addr = NULL;
        size_t size = 0;
        /* A stack too small for the margin gets no check rather than one that always
         * fails. */
        if (pthread_attr_getstack(&attr, &addr, &size) == 0 && size > 2 * VEX_GUARD_MARGIN)
            limit = (uintptr_t)addr + VEX_GUARD_MARGIN;
        pthread_attr_destroy(&attr);
    }
    tls_limit = limit;
    tls_limit_known = true;
    return limit;
}

uintptr_t vex_guard_set(uintptr_t limit) {
#if VEX_HAVE_GUARD
    _Atomic uintptr_t *slot = thread_guard_slot();
    return atomic_exchange_explicit(slot, limit, memory_order_relaxed);
#else
    (void)limit;
    return 0;
#endif
}

void rt_guard_enter(WorkerContext *w) {
#if VEX_HAVE_GUARD
    Runtime *rt = w->rt;
    _Atomic uintptr_t *slot = thread_guard_slot();
    uintptr_t limit = vex_guard_thread_limit();
    pthread_mutex_lock(&rt->guard_lock);
    w->guard_saved = atomic_load_explicit(slot, memory_order_relaxed);
    w->guard_slot = slot;
    atomic_store_explicit(slot, atomic_load(&rt->guards_raised) ? UINTPTR_MAX : limit,
                          memory_order_relaxed);
    pthread_mutex_unlock(&rt->guard_lock);
#else
    (void)w;
#endif
}

void rt_guard_leave(WorkerContext *w) {
    Runtime *rt = w->rt;
    pthread_mutex_lock(&rt->guard_lock);
    _Atomic uintptr_t *slot = w->guard_slot;
    w->guard_slot = NULL;
    pthread_mutex_unlock(&rt->guard_lock);
    if (slot) atomic_store_explicit(slot, w->guard_saved, memory_order_relaxed);
}

void rt_raise_guards(Runtime *rt) {
    pthread_mutex_lock(&rt->guard_lock);
    atomic_store(&rt->guards_raised, true);
    for (int i = 0; i < rt->nworkers; i++) {
        _Atomic uintptr_t *slot = rt->workers[i].guard_slot;
        if (slot) atomic_store_explicit(slot, UINTPTR_MAX, memory_order_relaxed);
    }
    pthread_mutex_unlock(&rt->guard_lock);
}

void runtime_interrupt(Runtime *rt) {
    atomic_store(&rt->interrupted, true);
    runtime_shutdown(rt);
}

bool runtime_interrupted(const Runtime *rt) {
    return atomic_load(&((Runtime *)rt)->interrupted);
}

_Noreturn void vex_guard_hit(const char *file, uint32_t line, uint32_t col) {
    Runtime *rt = runtime_current();
    if (rt && atomic_load(&rt->guards_raised))
        rt_unwind(VEX_CATCH_INTERRUPTED, VEX_INTERRUPTED_EXIT_CODE);
    vex_panic_cstr(file, line, col, "stack overflow");
}
