/*
 * alloc.c — task memory. Tasks (header + state in one block) come from size classes
 * carved out of 64 KiB chunks aligned to their size, so a block finds its runtime by
 * masking its address. Each worker keeps private free lists per class, so spawning and
 * freeing on a worker never contends; blocks freed off-worker go to a shared, locked
 * list that workers drain when their own list is empty. Threads that are not workers
 * (hosts spawning tasks) take blocks from that shared list in small batches into a
 * thread-local cache, so a host spawn does not lock per allocation; the cache is tagged
 * with the runtime's never-reused id and forgotten (not touched) when it belongs to
 * another runtime, whose chunks may already be gone. Blocks larger than
 * SLAB_MAX_BLOCK are malloc'ed with a hidden header that links them for destroy.
 * Chunks are cut from 2 MiB regions mapped with mmap; from the third region on (a
 * runtime that already carved 4 MiB of tasks) regions ask for transparent huge pages,
 * which makes first-touch page faults of big task populations much cheaper while small
 * programs keep 4 KiB pages (and their RSS). Regions are returned to the system only by
 * runtime_destroy, which frees everything.
 */
#include "internal.h"

#include <string.h>
#include <sys/mman.h>

#define SLAB_REGION_SIZE (2u << 20)
#define SLAB_HUGE_AFTER 2 /* regions mapped before huge pages are requested */

/* Regions of destroyed runtimes kept for the next runtimes of the process (mapping,
 * trimming and unmapping a region costs more than a whole short run: page faults and,
 * for munmap, TLB shootdowns on every CPU). At most REGION_CACHE_MAX (4 MiB) are kept;
 * only small-page regions, so a cached region behaves like a fresh one. */
#define REGION_CACHE_MAX 2
static pthread_mutex_t region_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static char *region_cache[REGION_CACHE_MAX];
static int region_cache_len;

static char *cached_region(void) {
    pthread_mutex_lock(&region_cache_lock);
    char *r = region_cache_len > 0 ? region_cache[--region_cache_len] : NULL;
    pthread_mutex_unlock(&region_cache_lock);
    return r;
}

static bool cache_region(char *r) {
    pthread_mutex_lock(&region_cache_lock);
    bool kept = region_cache_len < REGION_CACHE_MAX;
    if (kept) region_cache[region_cache_len++] = r;
    pthread_mutex_unlock(&region_cache_lock);
    return kept;
}

/* Makes `start` the runtime's newest region (the caller holds alloc_lock). */
static void adopt_region(Runtime *rt, char *start) {
    rt->nregions++;
    VexChunk *first = (VexChunk *)start;
    first->next = rt->regions;
    rt->regions = first;
    rt->region_next = start;
    rt->region_end = start + SLAB_REGION_SIZE;
}

/* Maps a new region aligned to its size, or reuses a cached one (the caller holds
 * alloc_lock). */
static bool new_region(Runtime *rt) {
    size_t size = SLAB_REGION_SIZE;
    char *cached = rt->nregions < SLAB_HUGE_AFTER ? cached_region() : NULL;
    if (cached) {
        adopt_region(rt, cached);
        return true;
    }
    char *p = mmap(NULL, 2 * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return false;
    char *start = (char *)(((uintptr_t)p + size - 1) & ~(uintptr_t)(size - 1));
    if (start > p) munmap(p, (size_t)(start - p));
    if (start + size < p + 2 * size) munmap(start + size, (size_t)(p + 2 * size - (start + size)));
#ifdef MADV_HUGEPAGE
    if (rt->nregions >= SLAB_HUGE_AFTER) madvise(start, size, MADV_HUGEPAGE);
#endif
    adopt_region(rt, start);
    return true;
}

static const uint32_t class_sizes[NUM_SIZE_CLASSES] = {
    64,  80,  96,  112, 128,  160,  192,  224,  256,  320,  384,  448, 512,
    640, 768, 896, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096};

static uint8_t class_of(size_t size) {
    uint8_t c = 0;
    while (class_sizes[c] < size) c++;
    return c;
}

static void push_block(VexFreeLists *fl, uint8_t cls, void *b) {
    atomic_store_explicit(&((VexTask *)b)->state, TS_FREED, memory_order_relaxed);
    *(void **)b = fl->head[cls];
    fl->head[cls] = b;
}

/* Carves a fresh chunk into blocks of class `cls` onto `fl`. */
static bool new_chunk(Runtime *rt, VexFreeLists *fl, uint8_t cls) {
    pthread_mutex_lock(&rt->alloc_lock);
    if (rt->region_next == rt->region_end && !new_region(rt)) {
        pthread_mutex_unlock(&rt->alloc_lock);
        return false;
    }
    VexChunk *c = (VexChunk *)rt->region_next;
    rt->region_next += SLAB_CHUNK_SIZE;
    pthread_mutex_unlock(&rt->alloc_lock);
    c->rt = rt;
    c->cls = cls;
    uint32_t size = class_sizes[cls];
    char *start = (char *)c + VEX_CACHELINE;
    char *end = (char *)c + SLAB_CHUNK_SIZE;
    /* Push in reverse so that allocation walks the chunk upwards. */
    size_t n = (size_t)(end - start) / size;
    for (size_t i = n; i-- > 0;) push_block(fl, cls, start + i * size);
    return true;
}

/* Off-worker allocation: a per-thread cache refilled from the shared list. */
#define HOST_BATCH_BYTES 8192u
typedef struct HostCache {
    uint64_t rt_id; /* 0: empty */
    VexFreeLists fl;
} HostCache;
static _Thread_local HostCache host_cache;

static void *host_alloc(Runtime *rt, uint8_t cls) {
    HostCache *hc = &host_cache;
    if (hc->rt_id != rt->id) {
        memset(hc, 0, sizeof *hc); /* another runtime's blocks: forget them */
        hc->rt_id = rt->id;
    }
    void *b = hc->fl.head[cls];
    if (VEX_LIKELY(b)) {
        hc->fl.head[cls] = *(void **)b;
        return b;
    }
    uint32_t want = HOST_BATCH_BYTES / class_sizes[cls];
    if (want == 0) want = 1;
    for (;;) {
        pthread_mutex_lock(&rt->alloc_lock);
        uint32_t got = 0;
        while (got < want && rt->shared_free.head[cls]) {
            void *x = rt->shared_free.head[cls];
            rt->shared_free.head[cls] = *(void **)x;
            push_block(&hc->fl, cls, x);
            got++;
        }
        pthread_mutex_unlock(&rt->alloc_lock);
        if (got) break;
        VexFreeLists tmp = {0};
        if (!new_chunk(rt, &tmp, cls)) return NULL;
        pthread_mutex_lock(&rt->alloc_lock);
        void *cur = tmp.head[cls];
        while (cur) {
            void *next = *(void **)cur;
            push_block(&rt->shared_free, cls, cur);
            cur = next;
        }
        pthread_mutex_unlock(&rt->alloc_lock);
    }
    b = hc->fl.head[cls];
    hc->fl.head[cls] = *(void **)b;
    return b;
}

void *slab_alloc(Runtime *rt, WorkerContext *w, size_t size, uint8_t *cls_out) {
    if (size > SLAB_MAX_BLOCK) {
        VexBigHeader *h = aligned_alloc(VEX_CACHELINE, sizeof *h + ((size + 63) & ~(size_t)63));
        if (!h) return NULL;
        h->rt = rt;
        pthread_mutex_lock(&rt->alloc_lock);
        h->next = rt->big_list.next;
        h->prev = &rt->big_list;
        rt->big_list.next->prev = h;
        rt->big_list.next = h;
        pthread_mutex_unlock(&rt->alloc_lock);
        *cls_out = SIZE_CLASS_BIG;
        return h + 1;
    }
    uint8_t cls = class_of(size);
    *cls_out = cls;
    if (!w) return host_alloc(rt, cls);
    VexFreeLists *fl = &w->free;
    if (VEX_UNLIKELY(!fl->head[cls])) {
        /* Adopt what off-worker frees left in the shared list, else carve a chunk. */
        pthread_mutex_lock(&rt->alloc_lock);
        fl->head[cls] = rt->shared_free.head[cls];
        rt->shared_free.head[cls] = NULL;
        pthread_mutex_unlock(&rt->alloc_lock);
        if (!fl->head[cls] && !new_chunk(rt, fl, cls)) return NULL;
    }
    void *b = fl->head[cls];
    fl->head[cls] = *(void **)b;
    return b;
}

void slab_free(Runtime *rt, WorkerContext *w, void *block, uint8_t cls) {
    if (cls == SIZE_CLASS_BIG) {
        VexBigHeader *h = (VexBigHeader *)block - 1;
        pthread_mutex_lock(&rt->alloc_lock);
        h->prev->next = h->next;
        h->next->prev = h->prev;
        pthread_mutex_unlock(&rt->alloc_lock);
        free(h);
        return;
    }
    if (w && w->rt == rt) {
        push_block(&w->free, cls, block);
    } else {
        pthread_mutex_lock(&rt->alloc_lock);
        push_block(&rt->shared_free, cls, block);
        pthread_mutex_unlock(&rt->alloc_lock);
    }
}

Runtime *task_runtime(VexTask *t) {
    if (t->size_class == SIZE_CLASS_BIG) return ((VexBigHeader *)t - 1)->rt;
    return ((VexChunk *)((uintptr_t)t & ~(uintptr_t)(SLAB_CHUNK_SIZE - 1)))->rt;
}

void slab_each_task(Runtime *rt, void (*fn)(VexTask *t, void *arg), void *arg) {
    for (VexChunk *region = rt->regions; region; region = region->next) {
        /* Chunks are carved from a region's start; only the newest region has uncarved
         * space (from region_next on). */
        char *start = (char *)region;
        char *end = region == rt->regions && rt->region_next ? rt->region_next
                                                             : start + SLAB_REGION_SIZE;
        for (char *at = start; at < end; at += SLAB_CHUNK_SIZE) {
            VexChunk *c = (VexChunk *)at;
            uint32_t size = class_sizes[c->cls];
            for (char *b = at + VEX_CACHELINE; b + size <= at + SLAB_CHUNK_SIZE; b += size) {
                VexTask *t = (VexTask *)b;
                if (atomic_load_explicit(&t->state, memory_order_relaxed) != TS_FREED) fn(t, arg);
            }
        }
    }
    for (VexBigHeader *h = rt->big_list.next; h != &rt->big_list;) {
        VexBigHeader *next = h->next; /* fn may free the task */
        fn((VexTask *)(h + 1), arg);
        h = next;
    }
}

void slab_destroy(Runtime *rt) {
    VexChunk *c = rt->regions;
    /* Regions are listed newest first: the oldest ones, mapped with small pages, come
     * last. */
    uint32_t index = rt->nregions;
    while (c) {
        VexChunk *next = c->next;
        index--;
        if (index >= SLAB_HUGE_AFTER || !cache_region((char *)c)) munmap(c, SLAB_REGION_SIZE);
        c = next;
    }
    rt->regions = NULL;
    rt->region_next = rt->region_end = NULL;
    rt->nregions = 0;
    VexBigHeader *h = rt->big_list.next;
    while (h != &rt->big_list) {
        VexBigHeader *next = h->next;
        free(h);
        h = next;
    }
    rt->big_list.next = rt->big_list.prev = &rt->big_list;
}
