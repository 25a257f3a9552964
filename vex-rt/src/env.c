/*
 * env.c — closure environments (language §10): the values a closure captures live in
 * one reference-counted block, a 16-byte VexEnv header followed by the captures.
 * Generated code holds only pointers to the captures; the header sits right before
 * them. The block is immutable after creation (captures are read-only), so copies of a
 * closure share it freely across threads; the last release runs the block's drop
 * callback, which releases what the captures hold, and frees it.
 *
 * Must not depend on a runtime being current (closures are created, copied and dropped
 * on any thread, by hosts too) and must not lock.
 */
#include "internal.h"

#include <stddef.h>

_Static_assert(sizeof(VexEnv) == VEX_ENV_HEADER_SIZE, "environment header must be 16 bytes");
_Static_assert(_Alignof(max_align_t) >= 16, "malloc must return 16-byte aligned blocks");

static VexEnv *env_of(void *captures) {
    return (VexEnv *)((char *)captures - VEX_ENV_HEADER_SIZE);
}

static _Atomic uint32_t *refs_of(VexEnv *env) { return (_Atomic uint32_t *)&env->refs; }

void *vex_env_alloc(uint64_t size, void (*drop)(void *captures)) {
    if (size > SIZE_MAX - VEX_ENV_HEADER_SIZE) {
        fprintf(stderr, "vex-rt: closure captures of %llu bytes do not fit in memory\n",
                (unsigned long long)size);
        abort();
    }
    VexEnv *env = calloc(1, VEX_ENV_HEADER_SIZE + (size_t)size);
    if (!env) {
        fprintf(stderr, "vex-rt: out of memory allocating closure captures\n");
        abort();
    }
    atomic_init(refs_of(env), 1);
    env->drop = drop;
    return (char *)env + VEX_ENV_HEADER_SIZE;
}

void *vex_env_retain(void *captures) {
    if (captures) atomic_fetch_add_explicit(refs_of(env_of(captures)), 1, memory_order_relaxed);
    return captures;
}

void vex_env_release(void *captures) {
    if (!captures) return;
    VexEnv *env = env_of(captures);
    if (atomic_fetch_sub_explicit(refs_of(env), 1, memory_order_acq_rel) != 1) return;
    if (env->drop) env->drop(captures);
    free(env);
}
