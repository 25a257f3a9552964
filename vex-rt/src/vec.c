/*
 * vec.c — Vex vectors (language §9.1): growable arrays with value semantics through
 * copy-on-write. A vector is one malloc'ed block, the 32-byte VexVec header followed by
 * its elements; NULL is the empty vector. Copies share the block (a reference count),
 * and every write first makes the caller's vector unique: a shared block is copied, so
 * a block is only ever written by its sole holder and holders in other threads only
 * read it. Elements are opaque bytes moved with memcpy; the references they hold are
 * counted through their VexElemType's retain/release. Also here: sorting by element
 * kind, Vec<string>'s element type and join.
 *
 * Must not depend on a runtime being current (hosts and tests use vectors off-worker),
 * must not lock, and must not write a block whose count it has not seen at 1 with an
 * acquire load (that load orders the write after the reads of every holder that has
 * released its reference since).
 */
#include "internal.h"

#include <stddef.h>
#include <string.h>

_Static_assert(sizeof(VexVec) == VEX_VEC_HEADER_SIZE, "vector header must be 32 bytes");
_Static_assert(VEX_VEC_HEADER_SIZE % 16 == 0, "elements must start 16-byte aligned");
_Static_assert(_Alignof(max_align_t) >= 16, "malloc must return 16-byte aligned blocks");

static _Atomic uint32_t *refs_of(const VexVec *v) { return (_Atomic uint32_t *)&v->refs; }

static char *data_of(const VexVec *v) { return (char *)v + VEX_VEC_HEADER_SIZE; }

static char *elem_at(const VexVec *v, uint64_t i) { return data_of(v) + i * v->elem->size; }

static bool is_unique(const VexVec *v) {
    return atomic_load_explicit(refs_of(v), memory_order_acquire) == 1;
}

static _Noreturn void too_large(uint64_t cap, uint64_t size) {
    fprintf(stderr, "vex-rt: a vector of %llu elements of %llu bytes does not fit in memory\n",
            (unsigned long long)cap, (unsigned long long)size);
    abort();
}

static size_t block_size(const VexElemType *elem, uint64_t cap) {
    if (elem->size && cap > (SIZE_MAX - VEX_VEC_HEADER_SIZE) / elem->size)
        too_large(cap, elem->size);
    return VEX_VEC_HEADER_SIZE + (size_t)(cap * elem->size);
}

/* A new empty vector with room for `cap` elements. */
static VexVec *vec_alloc(const VexElemType *elem, uint64_t cap) {
    VexVec *v = malloc(block_size(elem, cap));
    if (!v) {
        fprintf(stderr, "vex-rt: out of memory allocating a vector\n");
        abort();
    }
    atomic_init(refs_of(v), 1);
    v->reserved = 0;
    v->len = 0;
    v->cap = cap;
    v->elem = elem;
    return v;
}

/* Calls `fn` (an elem retain or release) on elements a..b of `v`. */
static void for_each(VexVec *v, uint64_t a, uint64_t b, void (*fn)(void *)) {
    if (!fn) return;
    for (uint64_t i = a; i < b; i++) fn(elem_at(v, i));
}

/* A unique copy of `v` with room for `cap` (>= v->len) elements; `v` is only read. */
static VexVec *vec_copy(const VexVec *v, uint64_t cap) {
    VexVec *r = vec_alloc(v->elem, cap);
    r->len = v->len;
    if (r->len && v->elem->size) memcpy(data_of(r), data_of(v), (size_t)(r->len * v->elem->size));
    for_each(r, 0, r->len, v->elem->retain);
    return r;
}

VexVec *vex_vec_with_capacity(const VexElemType *elem, int64_t cap) {
    return cap <= 0 ? NULL : vec_alloc(elem, (uint64_t)cap);
}

VexVec *vex_vec_retain(VexVec *v) {
    if (v) atomic_fetch_add_explicit(refs_of(v), 1, memory_order_relaxed);
    return v;
}

void vex_vec_release(VexVec *v) {
    if (!v || atomic_fetch_sub_explicit(refs_of(v), 1, memory_order_acq_rel) != 1) return;
    for_each(v, 0, v->len, v->elem->release);
    free(v);
}

uint64_t vex_vec_len(const VexVec *v) { return v ? v->len : 0; }

VexVec *vex_vec_make_unique(VexVec *v) {
    if (!v || is_unique(v)) return v;
    VexVec *r = vec_copy(v, v->cap);
    vex_vec_release(v);
    return r;
}

VexVec *vex_vec_reserve(VexVec *v, const VexElemType *elem, uint64_t additional) {
    if (!v) {
        if (additional == 0) return NULL;
        return vec_alloc(elem, additional < 4 ? 4 : additional);
    }
    if (additional > UINT64_MAX - v->len) too_large(UINT64_MAX, v->elem->size);
    uint64_t need = v->len + additional;
    bool unique = is_unique(v);
    if (unique && need <= v->cap) return v;
    uint64_t cap = v->cap;
    if (need > cap) {
        cap = cap > UINT64_MAX / 2 ? need : cap * 2;
        if (cap < need) cap = need;
        if (cap < 4) cap = 4;
    }
    if (!unique) {
        VexVec *r = vec_copy(v, cap);
        vex_vec_release(v);
        return r;
    }
    /* Unique: the block may move (elements are plain bytes, they do not point into it). */
    VexVec *r = realloc(v, block_size(v->elem, cap));
    if (!r) {
        fprintf(stderr, "vex-rt: out of memory growing a vector\n");
        abort();
    }
    r->cap = cap;
    return r;
}

VexVec *vex_vec_push(VexVec *v, const VexElemType *elem, const void *value) {
    v = vex_vec_reserve(v, elem, 1);
    if (v->elem->size) memcpy(elem_at(v, v->len), value, (size_t)v->elem->size);
    v->len++;
    return v;
}

VexVec *vex_vec_pop(VexVec *v, void *out) {
    v = vex_vec_make_unique(v);
    v->len--;
    if (v->elem->size) memcpy(out, elem_at(v, v->len), (size_t)v->elem->size);
    return v;
}

VexVec *vex_vec_clear(VexVec *v) {
    if (!v) return NULL;
    if (!is_unique(v)) {
        vex_vec_release(v);
        return NULL;
    }
    uint64_t len = v->len;
    v->len = 0;
    for_each(v, 0, len, v->elem->release);
    return v;
}

/* Exchanges the `n` bytes at a and b (distinct, not overlapping). */
static void swap_bytes(char *a, char *b, size_t n) {
    char tmp[64];
    while (n) {
        size_t k = n < sizeof tmp ? n : sizeof tmp;
        memcpy(tmp, a, k);
        memcpy(a, b, k);
        memcpy(b, tmp, k);
        a += k;
        b += k;
        n -= k;
    }
}

VexVec *vex_vec_reverse(VexVec *v) {
    v = vex_vec_make_unique(v);
    if (!v || v->len < 2 || v->elem->size == 0) return v;
    for (uint64_t i = 0, j = v->len - 1; i < j; i++, j--)
        swap_bytes(elem_at(v, i), elem_at(v, j), (size_t)v->elem->size);
    return v;
}

/* ---- Sorting ---------------------------------------------------------------------------- */

/* Comparators for qsort, one per element kind. Elements are read with memcpy: they are
 * aligned, but this keeps the comparators free of aliasing questions. */
#define NUMERIC_COMPARE(name, T)                                                           \
    static int name(const void *pa, const void *pb) {                                     \
        T a, b;                                                                            \
        memcpy(&a, pa, sizeof a);                                                          \
        memcpy(&b, pb, sizeof b);                                                          \
        return (a > b) - (a < b);                                                          \
    }
NUMERIC_COMPARE(compare_i8, int8_t)
NUMERIC_COMPARE(compare_i16, int16_t)
NUMERIC_COMPARE(compare_i32, int32_t)
NUMERIC_COMPARE(compare_i64, int64_t)
NUMERIC_COMPARE(compare_u8, uint8_t)
NUMERIC_COMPARE(compare_u16, uint16_t)
NUMERIC_COMPARE(compare_u32, uint32_t)
NUMERIC_COMPARE(compare_u64, uint64_t)

/* IEEE totalOrder as unsigned keys: a negative float (sign bit set) orders by the
 * complement of its bits (larger magnitude first, -NaN lowest), a positive one after
 * every negative one (sign bit set in the key), by its bits. So -0.0 < +0.0 and NaNs
 * sit at both ends according to their sign. */
static uint64_t total_order_key64(uint64_t bits) {
    return bits >> 63 ? ~bits : bits | (1ull << 63);
}
static uint32_t total_order_key32(uint32_t bits) {
    return bits >> 31 ? ~bits : bits | (1u << 31);
}

static int compare_f64(const void *pa, const void *pb) {
    uint64_t a, b;
    memcpy(&a, pa, sizeof a);
    memcpy(&b, pb, sizeof b);
    a = total_order_key64(a);
    b = total_order_key64(b);
    return (a > b) - (a < b);
}

static int compare_f32(const void *pa, const void *pb) {
    uint32_t a, b;
    memcpy(&a, pa, sizeof a);
    memcpy(&b, pb, sizeof b);
    a = total_order_key32(a);
    b = total_order_key32(b);
    return (a > b) - (a < b);
}

static int compare_string(const void *pa, const void *pb) {
    const VexString *a, *b;
    memcpy(&a, pa, sizeof a);
    memcpy(&b, pb, sizeof b);
    return vex_string_compare(a, b);
}

VexVec *vex_vec_sort(VexVec *v) {
    if (!v) return NULL;
    static const struct {
        int (*compare)(const void *, const void *);
        uint64_t size;
    } by_kind[] = {
        [VEX_ELEM_I8] = {compare_i8, 1},     [VEX_ELEM_I16] = {compare_i16, 2},
        [VEX_ELEM_I32] = {compare_i32, 4},   [VEX_ELEM_I64] = {compare_i64, 8},
        [VEX_ELEM_U8] = {compare_u8, 1},     [VEX_ELEM_U16] = {compare_u16, 2},
        [VEX_ELEM_U32] = {compare_u32, 4},   [VEX_ELEM_U64] = {compare_u64, 8},
        [VEX_ELEM_F32] = {compare_f32, 4},   [VEX_ELEM_F64] = {compare_f64, 8},
        [VEX_ELEM_BOOL] = {compare_u8, 1},   [VEX_ELEM_STRING] = {compare_string, sizeof(VexString *)},
    };
    uint32_t kind = v->elem->kind;
    if (kind >= sizeof by_kind / sizeof by_kind[0] || !by_kind[kind].compare ||
        by_kind[kind].size != v->elem->size) {
        fprintf(stderr, "vex-rt: vex_vec_sort on elements of kind %u and size %llu\n",
                (unsigned)kind, (unsigned long long)v->elem->size);
        abort();
    }
    v = vex_vec_make_unique(v);
    if (v->len > 1) qsort(data_of(v), (size_t)v->len, (size_t)v->elem->size, by_kind[kind].compare);
    return v;
}

/* ---- Building vectors ------------------------------------------------------------------ */

VexVec *vex_vec_slice(const VexVec *v, int64_t a, int64_t b) {
    if (a == b) return NULL;
    /* The whole vector: sharing it is as good as a copy (copy-on-write). */
    if (a == 0 && (uint64_t)b == v->len) return vex_vec_retain((VexVec *)v);
    uint64_t n = (uint64_t)(b - a);
    VexVec *r = vec_alloc(v->elem, n);
    if (v->elem->size) memcpy(data_of(r), elem_at(v, (uint64_t)a), (size_t)(n * v->elem->size));
    r->len = n;
    for_each(r, 0, n, v->elem->retain);
    return r;
}

VexVec *vex_vec_from_array(const VexElemType *elem, const void *data, uint64_t n) {
    if (n == 0) return NULL;
    VexVec *v = vec_alloc(elem, n);
    if (elem->size) memcpy(data_of(v), data, (size_t)(n * elem->size));
    v->len = n;
    return v;
}

/* ---- Vec<string> -------------------------------------------------------------------------- */

void vex_vec_retain_string(void *elem) { vex_string_retain(*(VexString **)elem); }

void vex_vec_drop_string(void *elem) { vex_string_release(*(VexString **)elem); }

const VexElemType vex_elem_string = {
    .size = sizeof(VexString *),
    .align = _Alignof(VexString *),
    .retain = vex_vec_retain_string,
    .release = vex_vec_drop_string,
    .kind = VEX_ELEM_STRING,
    .reserved = 0,
};

VexString *vex_vec_join(const VexVec *v, const VexString *sep) {
    uint64_t n = vex_vec_len(v);
    if (n == 0) return NULL;
    VexString *const *items = (VexString *const *)data_of(v);
    if (n == 1) return vex_string_retain(items[0]);
    size_t lsep = vex_string_len(sep), total = 0;
    for (uint64_t i = 0; i < n; i++) {
        /* The parts are separate blocks: ask for the headers ahead of the sum. */
        if (i + 8 < n) __builtin_prefetch(items[i + 8]);
        size_t add = vex_string_len(items[i]) + (i ? lsep : 0);
        if (add > SIZE_MAX / 2 - total) too_large(n, sizeof(VexString *));
        total += add;
    }
    if (total == 0) return NULL;
    VexString *r = string_alloc(total);
    char *out = r->bytes;
    for (uint64_t i = 0; i < n; i++) {
        if (i && lsep) {
            memcpy(out, sep->bytes, lsep);
            out += lsep;
        }
        size_t len = vex_string_len(items[i]);
        if (len) memcpy(out, items[i]->bytes, len);
        out += len;
    }
    return r;
}
