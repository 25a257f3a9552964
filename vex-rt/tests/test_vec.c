/*
 * test_vec.c — unit tests of Vex vectors (language §9.1) through the public ABI: push,
 * pop, clear, reverse, sort (every element kind; floats in IEEE total order), slice,
 * from_array, join, reserve and copy-on-write through make_unique. A counting element
 * type checks that every element is released exactly once on every path (clear,
 * release, pop plus the caller's release, a shared vector copied and both copies
 * released). A threaded test gives 8 threads retained copies of one vector that each
 * reads, makes unique and pushes to at once: it must be clean under check-tsan and
 * leak-free under check-asan. Sizes shrink by VEX_STRESS_SCALE.
 */
#define _GNU_SOURCE
#include "harness.h"
#include "vex_rt.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Element i of v, by the layout generated code relies on. */
static void *at(const VexVec *v, uint64_t i) {
    return (char *)v + VEX_VEC_HEADER_SIZE + i * v->elem->size;
}
static int64_t i64_at(const VexVec *v, uint64_t i) {
    int64_t x;
    memcpy(&x, at(v, i), sizeof x);
    return x;
}

/* ---- A counting element type ------------------------------------------------------------ */

/* Elements are int64 ids; refs[id] counts the references alive. A new element holds one
 * (counted_new); retain/release move the count, which must end at 0 and never go below. */
#define MAX_IDS 4096
static _Atomic int64_t refs[MAX_IDS];
static _Atomic int64_t releases;
static _Atomic int underflow;

static void counted_retain(void *elem) {
    int64_t id;
    memcpy(&id, elem, sizeof id);
    atomic_fetch_add_explicit(&refs[id], 1, memory_order_relaxed);
}
static void counted_release(void *elem) {
    int64_t id;
    memcpy(&id, elem, sizeof id);
    if (atomic_fetch_sub_explicit(&refs[id], 1, memory_order_relaxed) <= 0) underflow = 1;
    atomic_fetch_add_explicit(&releases, 1, memory_order_relaxed);
}
static const VexElemType counted = {8, 8, counted_retain, counted_release, VEX_ELEM_I64, 0};
static const VexElemType plain_i64 = {8, 8, NULL, NULL, VEX_ELEM_I64, 0};

static int64_t counted_new(int64_t id) {
    atomic_fetch_add(&refs[id], 1);
    return id;
}
/* Whether no counted element is referenced any more (and none was over-released). */
static int all_released(void) {
    for (int i = 0; i < MAX_IDS; i++)
        if (atomic_load(&refs[i]) != 0) {
            fprintf(stderr, "  id %d still has %lld references\n", i, (long long)refs[i]);
            return 0;
        }
    return !underflow;
}

static VexVec *push_counted(VexVec *v, int64_t id) {
    int64_t x = counted_new(id);
    return vex_vec_push(v, &counted, &x);
}

/* ---- Tests -------------------------------------------------------------------------------- */

TEST(push_and_pop_follow_the_layout) {
    VexVec *v = NULL;
    CHECK(vex_vec_len(v) == 0);
    int moves = 0;
    for (int64_t i = 0; i < 1000; i++) {
        VexVec *before = v;
        v = push_counted(v, i);
        if (v != before) moves++;
        CHECK(v->refs == 1 && v->len == (uint64_t)i + 1 && v->cap >= v->len);
        CHECK(v->elem == &counted);
    }
    CHECK(moves <= 12); /* 4, 8, ..., 1024: at most 9 blocks (realloc may stay in place) */
    CHECK_EQ_U(vex_vec_len(v), 1000);
    for (int64_t i = 0; i < 1000; i++) CHECK(i64_at(v, (uint64_t)i) == i);
    for (int64_t i = 999; i >= 500; i--) {
        int64_t x = -1;
        v = vex_vec_pop(v, &x);
        CHECK(x == i);
        CHECK(refs[i] == 1); /* moved out, not released */
        counted_release(&x);
    }
    CHECK_EQ_U(vex_vec_len(v), 500);
    vex_vec_release(v); /* releases the other 500 */
    CHECK(all_released());
}

TEST(pop_to_empty_keeps_the_vector) {
    int64_t x = 7;
    VexVec *v = vex_vec_push(NULL, &plain_i64, &x);
    CHECK(v->cap == 4);
    VexVec *before = v;
    v = vex_vec_pop(v, &x);
    CHECK(v == before && v->len == 0 && x == 7);
    vex_vec_release(v);
}

TEST(with_capacity_and_the_inline_push_fast_path) {
    CHECK(vex_vec_with_capacity(&plain_i64, 0) == NULL);
    CHECK(vex_vec_with_capacity(&plain_i64, -5) == NULL);
    VexVec *v = vex_vec_with_capacity(&plain_i64, 10);
    CHECK(v && v->len == 0 && v->cap == 10 && v->refs == 1 && v->elem == &plain_i64);
    CHECK(((uintptr_t)at(v, 0)) % 16 == 0);
    /* What generated code does inline: unique and room, store then len++. */
    for (int64_t i = 0; i < 10; i++) {
        CHECK(atomic_load_explicit((_Atomic uint32_t *)&v->refs, memory_order_acquire) == 1);
        CHECK(v->len < v->cap);
        memcpy(at(v, v->len), &i, sizeof i);
        v->len++;
    }
    VexVec *before = v;
    int64_t x = 10;
    v = vex_vec_push(v, &plain_i64, &x); /* full: grows by doubling */
    CHECK(v->cap == 20 && v->len == 11);
    (void)before;
    for (int64_t i = 0; i <= 10; i++) CHECK(i64_at(v, (uint64_t)i) == i);
    vex_vec_release(v);
}

TEST(reserve_grows_and_unshares) {
    CHECK(vex_vec_reserve(NULL, &plain_i64, 0) == NULL);
    VexVec *v = vex_vec_reserve(NULL, &plain_i64, 1);
    CHECK(v->cap == 4 && v->len == 0);
    v = vex_vec_reserve(v, &plain_i64, 3);
    CHECK(v->cap == 4);
    v = vex_vec_reserve(v, &plain_i64, 5);
    CHECK(v->cap == 8);
    v = vex_vec_reserve(v, &plain_i64, 100);
    CHECK(v->cap == 100);
    vex_vec_release(v);
    v = vex_vec_reserve(NULL, &plain_i64, 100);
    CHECK(v->cap == 100);
    vex_vec_release(v);

    VexVec *a = NULL;
    for (int64_t i = 0; i < 3; i++) a = push_counted(a, i);
    VexVec *b = vex_vec_retain(a);
    b = vex_vec_reserve(b, &counted, 1); /* shared but with room: still copies */
    CHECK(b != a && b->refs == 1 && a->refs == 1 && b->len == 3 && b->cap >= 4);
    CHECK(refs[0] == 2 && refs[1] == 2 && refs[2] == 2);
    vex_vec_release(a);
    vex_vec_release(b);
    CHECK(all_released());
}

TEST(copy_on_write_keeps_copies_apart) {
    VexVec *a = NULL;
    for (int64_t i = 0; i < 5; i++) a = push_counted(a, i);
    VexVec *b = vex_vec_retain(a);
    CHECK(a == b && a->refs == 2);
    b = push_counted(b, 5);
    CHECK(b != a);
    CHECK(a->len == 5 && b->len == 6 && a->refs == 1 && b->refs == 1);
    for (int64_t i = 0; i < 5; i++) CHECK(refs[i] == 2 && i64_at(a, i) == i && i64_at(b, i) == i);
    CHECK(refs[5] == 1);
    /* make_unique: unique and NULL stay as they are, shared copies keep the capacity. */
    CHECK(vex_vec_make_unique(NULL) == NULL);
    CHECK(vex_vec_make_unique(a) == a);
    VexVec *c = vex_vec_retain(a);
    c = vex_vec_make_unique(c);
    CHECK(c != a && c->cap == a->cap && c->len == a->len && c->refs == 1 && a->refs == 1);
    CHECK(refs[0] == 3);
    /* Writing an element in place after make_unique. */
    int64_t x = counted_new(42);
    counted_release(at(c, 0));
    memcpy(at(c, 0), &x, sizeof x);
    CHECK(i64_at(a, 0) == 0 && i64_at(c, 0) == 42);
    /* pop on a shared vector leaves the other holder's elements alone. */
    VexVec *d = vex_vec_retain(b);
    int64_t y = -1;
    d = vex_vec_pop(d, &y);
    CHECK(y == 5 && d != b && b->len == 6 && d->len == 5);
    CHECK(refs[5] == 2); /* one in b, one moved out to y */
    counted_release(&y);
    vex_vec_release(a);
    vex_vec_release(b);
    vex_vec_release(c);
    vex_vec_release(d);
    CHECK(all_released());
}

TEST(clear_releases_or_unshares) {
    CHECK(vex_vec_clear(NULL) == NULL);
    VexVec *a = NULL;
    for (int64_t i = 0; i < 10; i++) a = push_counted(a, i);
    uint64_t cap = a->cap;
    int64_t before = releases;
    VexVec *b = vex_vec_retain(a);
    b = vex_vec_clear(b); /* shared: only drops b's reference */
    CHECK(b == NULL && a->refs == 1 && a->len == 10 && releases == before);
    VexVec *c = vex_vec_clear(a); /* unique: releases the elements, keeps the buffer */
    CHECK(c == a && c->len == 0 && c->cap == cap);
    CHECK(releases - before == 10);
    CHECK(all_released());
    c = push_counted(c, 3);
    CHECK(c == a && c->len == 1);
    vex_vec_release(c);
    CHECK(all_released());
}

typedef struct {
    _Alignas(16) int64_t lo;
    int64_t hi;
} Wide;
static const VexElemType wide = {16, 16, NULL, NULL, VEX_ELEM_OTHER, 0};
static const VexElemType unit = {0, 1, NULL, NULL, VEX_ELEM_OTHER, 0};
typedef struct {
    char bytes[100];
} Big;
static const VexElemType big = {100, 1, NULL, NULL, VEX_ELEM_OTHER, 0};

TEST(reverse_any_size) {
    for (int64_t n = 0; n < 8; n++) {
        VexVec *v = NULL;
        for (int64_t i = 0; i < n; i++) v = push_counted(v, i);
        VexVec *keep = vex_vec_retain(v);
        v = vex_vec_reverse(v);
        for (int64_t i = 0; i < n; i++) CHECK(i64_at(v, i) == n - 1 - i);
        for (int64_t i = 0; i < n; i++) CHECK(i64_at(keep, i) == i);
        vex_vec_release(v);
        vex_vec_release(keep);
    }
    CHECK(all_released());
    VexVec *w = NULL;
    for (int64_t i = 0; i < 5; i++) {
        Wide x = {i, -i};
        w = vex_vec_push(w, &wide, &x);
        CHECK((uintptr_t)at(w, i) % 16 == 0);
    }
    w = vex_vec_reverse(w);
    for (int64_t i = 0; i < 5; i++) {
        Wide x;
        memcpy(&x, at(w, i), sizeof x);
        CHECK(x.lo == 4 - i && x.hi == i - 4);
    }
    vex_vec_release(w);
    VexVec *b = NULL;
    for (int i = 0; i < 3; i++) {
        Big x;
        memset(x.bytes, 'a' + i, sizeof x.bytes);
        b = vex_vec_push(b, &big, &x);
    }
    b = vex_vec_reverse(b);
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 100; k++) CHECK(((Big *)at(b, i))->bytes[k] == 'c' - i);
    vex_vec_release(b);
    VexVec *u = NULL;
    for (int i = 0; i < 3; i++) u = vex_vec_push(u, &unit, NULL);
    CHECK(u->len == 3);
    u = vex_vec_reverse(u);
    u = vex_vec_pop(u, NULL);
    CHECK(u->len == 2);
    vex_vec_release(u);
}

/* Sorts n random values of an integer kind (its extremes among them) and checks the
 * order and the contents (by their sum). */
#define CHECK_SORT_INTS(T, KIND, n, LO, HI)                                                         \
    do {                                                                                      \
        static const VexElemType ty_ = {sizeof(T), _Alignof(T), NULL, NULL, KIND, 0};         \
        VexVec *v_ = NULL;                                                                    \
        uint64_t sum_ = 0;                                                                    \
        for (int i_ = 0; i_ < (n); i_++) {                                                    \
            T x_;                                                                             \
            uint64_t r_ = rnd();                                                              \
            memcpy(&x_, &r_, sizeof x_);                                                      \
            if (i_ == 0) x_ = (HI);                                                          \
            if (i_ == 1) x_ = (LO);                                                          \
            sum_ += (uint64_t)x_;                                                             \
            v_ = vex_vec_push(v_, &ty_, &x_);                                                 \
        }                                                                                     \
        VexVec *keep_ = vex_vec_retain(v_);                                                   \
        v_ = vex_vec_sort(v_);                                                                \
        CHECK(v_ != keep_);                                                                   \
        uint64_t got_ = 0;                                                                    \
        for (int i_ = 0; i_ < (n); i_++) {                                                    \
            T a_, b_;                                                                         \
            memcpy(&a_, at(v_, i_), sizeof a_);                                               \
            got_ += (uint64_t)a_;                                                             \
            if (i_ + 1 < (n)) {                                                               \
                memcpy(&b_, at(v_, i_ + 1), sizeof b_);                                       \
                CHECK(a_ <= b_);                                                              \
            }                                                                                 \
        }                                                                                     \
        CHECK(got_ == sum_);                                                                  \
        vex_vec_release(v_);                                                                  \
        vex_vec_release(keep_);                                                               \
    } while (0)

TEST(sort_integers_and_bools) {
    int n = (int)stress_size(20000);
    if (n < 100) n = 100;
    CHECK_SORT_INTS(int8_t, VEX_ELEM_I8, n, INT8_MIN, INT8_MAX);
    CHECK_SORT_INTS(int16_t, VEX_ELEM_I16, n, INT16_MIN, INT16_MAX);
    CHECK_SORT_INTS(int32_t, VEX_ELEM_I32, n, INT32_MIN, INT32_MAX);
    CHECK_SORT_INTS(int64_t, VEX_ELEM_I64, n, INT64_MIN, INT64_MAX);
    CHECK_SORT_INTS(uint8_t, VEX_ELEM_U8, n, 0, UINT8_MAX);
    CHECK_SORT_INTS(uint16_t, VEX_ELEM_U16, n, 0, UINT16_MAX);
    CHECK_SORT_INTS(uint32_t, VEX_ELEM_U32, n, 0, UINT32_MAX);
    CHECK_SORT_INTS(uint64_t, VEX_ELEM_U64, n, 0, UINT64_MAX);
    /* Extremes of the signed kinds: minimum first, maximum last. */
    int64_t ext[] = {5, INT64_MAX, -1, INT64_MIN, 0};
    VexVec *v = vex_vec_from_array(&plain_i64, ext, 5);
    v = vex_vec_sort(v);
    int64_t want[] = {INT64_MIN, -1, 0, 5, INT64_MAX};
    for (int i = 0; i < 5; i++) CHECK(i64_at(v, i) == want[i]);
    vex_vec_release(v);
    static const VexElemType u64 = {8, 8, NULL, NULL, VEX_ELEM_U64, 0};
    uint64_t uext[] = {1, UINT64_MAX, 0, (uint64_t)1 << 63};
    v = vex_vec_sort(vex_vec_from_array(&u64, uext, 4));
    uint64_t uwant[] = {0, 1, (uint64_t)1 << 63, UINT64_MAX};
    CHECK(memcmp(at(v, 0), uwant, sizeof uwant) == 0);
    vex_vec_release(v);
    static const VexElemType boolean = {1, 1, NULL, NULL, VEX_ELEM_BOOL, 0};
    bool bits[9] = {true, false, true, true, false, false, true, false, true};
    v = vex_vec_sort(vex_vec_from_array(&boolean, bits, 9));
    for (int i = 0; i < 9; i++) CHECK(*(bool *)at(v, i) == (i >= 4));
    vex_vec_release(v);
    /* Sorting moves counted elements without retaining or releasing them. */
    VexVec *c = NULL;
    for (int64_t i = 0; i < 50; i++) c = push_counted(c, (i * 37) % 50);
    int64_t before = releases;
    c = vex_vec_sort(c);
    CHECK(releases == before);
    for (int64_t i = 0; i < 50; i++) CHECK(i64_at(c, i) == i && refs[i] == 1);
    vex_vec_release(c);
    CHECK(all_released());
    CHECK(vex_vec_sort(NULL) == NULL);
}

static uint64_t f64_bits(double d) {
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}
static uint32_t f32_bits(float f) {
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

TEST(sort_floats_in_total_order) {
    /* The expected order, then shuffled. */
    const double want[] = {-NAN, -INFINITY, -DBL_MAX, -1.0, -DBL_MIN, -DBL_TRUE_MIN, -0.0,
                           0.0,  DBL_TRUE_MIN, DBL_MIN, 0.5,  1.0,      DBL_MAX,      INFINITY,
                           NAN};
    const size_t n = sizeof want / sizeof want[0];
    static const VexElemType f64 = {8, 8, NULL, NULL, VEX_ELEM_F64, 0};
    for (int round = 0; round < 50; round++) {
        double shuffled[sizeof want / sizeof want[0]];
        memcpy(shuffled, want, sizeof want);
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = rnd() % (i + 1);
            double t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        VexVec *v = vex_vec_sort(vex_vec_from_array(&f64, shuffled, n));
        for (size_t i = 0; i < n; i++) {
            double d;
            memcpy(&d, at(v, i), sizeof d);
            CHECK(f64_bits(d) == f64_bits(want[i]));
        }
        vex_vec_release(v);
    }
    const float want32[] = {-NAN, -INFINITY, -FLT_MAX, -1.0f, -FLT_TRUE_MIN, -0.0f, 0.0f,
                            FLT_TRUE_MIN, 1.0f, 2.5f, FLT_MAX, INFINITY, NAN};
    const size_t n32 = sizeof want32 / sizeof want32[0];
    static const VexElemType f32 = {4, 4, NULL, NULL, VEX_ELEM_F32, 0};
    for (int round = 0; round < 50; round++) {
        float shuffled[sizeof want32 / sizeof want32[0]];
        memcpy(shuffled, want32, sizeof want32);
        for (size_t i = n32 - 1; i > 0; i--) {
            size_t j = rnd() % (i + 1);
            float t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        VexVec *v = vex_vec_sort(vex_vec_from_array(&f32, shuffled, n32));
        for (size_t i = 0; i < n32; i++) {
            float f;
            memcpy(&f, at(v, i), sizeof f);
            CHECK(f32_bits(f) == f32_bits(want32[i]));
        }
        vex_vec_release(v);
    }
    /* Many random doubles (every bit pattern, NaNs included): ordered by total order. */
    int m = (int)stress_size(20000);
    VexVec *v = NULL;
    for (int i = 0; i < m; i++) {
        uint64_t bits = rnd();
        double d;
        memcpy(&d, &bits, sizeof d);
        v = vex_vec_push(v, &f64, &d);
    }
    v = vex_vec_sort(v);
    for (int i = 0; i + 1 < m; i++) {
        double a, b;
        memcpy(&a, at(v, i), sizeof a);
        memcpy(&b, at(v, i + 1), sizeof b);
        if (!isnan(a) && !isnan(b)) CHECK(a <= b);
        if (isnan(a) && !signbit(a)) CHECK(isnan(b)); /* +NaN only at the end */
        if (isnan(b) && signbit(b)) CHECK(isnan(a));  /* -NaN only at the start */
    }
    vex_vec_release(v);
}

static VexString *lit(const char *s) { return vex_string_from_bytes(s, strlen(s)); }

TEST(sort_strings_bytewise) {
    VexString *items[] = {
        lit("b"), NULL, lit("ab"), vex_string_from_bytes("a\0", 2), lit("a"),
        vex_string_from_bytes("\xff", 1), lit(""), lit("B"), lit("abc"),
    };
    size_t n = sizeof items / sizeof items[0];
    VexVec *v = vex_vec_from_array(&vex_elem_string, items, n);
    VexVec *keep = vex_vec_retain(v);
    v = vex_vec_sort(v);
    CHECK(v != keep);
    VexString **sorted = (VexString **)at(v, 0);
    CHECK(vex_string_len(sorted[0]) == 0 && vex_string_len(sorted[1]) == 0);
    const char *want[] = {"B", "a", "a\0", "ab", "abc", "b", "\xff"};
    size_t want_len[] = {1, 1, 2, 2, 3, 1, 1};
    for (size_t i = 0; i < 7; i++) {
        CHECK(vex_string_len(sorted[i + 2]) == want_len[i]);
        CHECK(memcmp(vex_string_bytes(sorted[i + 2]), want[i], want_len[i]) == 0);
    }
    for (size_t i = 0; i + 1 < n; i++) CHECK(vex_string_compare(sorted[i], sorted[i + 1]) <= 0);
    /* Both copies hold every string: 2 references each (NULL aside). */
    for (size_t i = 0; i < n; i++) CHECK(!items[i] || items[i]->refs == 2);
    vex_vec_release(keep);
    for (size_t i = 0; i < n; i++) CHECK(!items[i] || items[i]->refs == 1);
    vex_vec_release(v); /* frees every string; ASan reports a leak or a double free */
}

TEST(slice_and_from_array) {
    CHECK(vex_vec_from_array(&counted, NULL, 0) == NULL);
    int64_t ids[6];
    for (int i = 0; i < 6; i++) ids[i] = counted_new(i);
    VexVec *v = vex_vec_from_array(&counted, ids, 6);
    CHECK(v->len == 6 && v->cap == 6 && v->refs == 1);
    for (int i = 0; i < 6; i++) CHECK(i64_at(v, i) == i && refs[i] == 1);
    VexVec *s = vex_vec_slice(v, 2, 5);
    CHECK(s->len == 3 && s->refs == 1 && s->elem == &counted);
    for (int i = 0; i < 3; i++) CHECK(i64_at(s, i) == i + 2);
    CHECK(refs[1] == 1 && refs[2] == 2 && refs[4] == 2 && refs[5] == 1);
    CHECK(vex_vec_slice(v, 3, 3) == NULL);
    CHECK(vex_vec_slice(NULL, 0, 0) == NULL);
    VexVec *all = vex_vec_slice(v, 0, 6);
    CHECK(all->len == 6);
    all = push_counted(all, 6); /* a slice is a value: writing it leaves v alone */
    CHECK(v->len == 6 && all->len == 7);
    vex_vec_release(v);
    vex_vec_release(s);
    vex_vec_release(all);
    CHECK(all_released());
}

TEST(join_strings) {
    VexString *sep = lit(", ");
    CHECK(vex_vec_join(NULL, sep) == NULL);
    VexString *items[] = {lit("a"), NULL, vex_string_from_bytes("b\0c", 3), lit("")};
    VexVec *v = vex_vec_from_array(&vex_elem_string, items, 4);
    VexString *j = vex_vec_join(v, sep);
    CHECK(vex_string_len(j) == 10 && memcmp(vex_string_bytes(j), "a, , b\0c, ", 10) == 0);
    CHECK(j->bytes[10] == 0 && j->reserved == 0);
    vex_string_release(j);
    j = vex_vec_join(v, NULL);
    CHECK(vex_string_len(j) == 4 && memcmp(vex_string_bytes(j), "ab\0c", 4) == 0);
    vex_string_release(j);
    VexVec *one = vex_vec_slice(v, 0, 1);
    j = vex_vec_join(one, sep);
    CHECK(vex_string_len(j) == 1 && vex_string_bytes(j)[0] == 'a');
    vex_string_release(j);
    /* split + join round trip. */
    VexString *text = lit(",x,,yz,");
    VexString *comma = lit(",");
    VexVec *parts = vex_string_split(text, comma);
    CHECK(vex_vec_len(parts) == 5);
    j = vex_vec_join(parts, comma);
    CHECK(vex_string_equal(j, text));
    vex_string_release(j);
    vex_vec_release(parts);
    vex_string_release(text);
    vex_string_release(comma);
    vex_vec_release(one);
    vex_vec_release(v);
    vex_string_release(sep);
}

/* ---- Threads ---------------------------------------------------------------------------------- */

#define THREADS 8
#define SHARED_LEN 64

typedef struct {
    int index;
    pthread_barrier_t *start, *end;
    int rounds;
    VexVec *counted_copy; /* handed over by the main thread each round */
    VexVec *string_copy;
    _Atomic int *failed;
} Worker;

static void *worker_main(void *arg) {
    Worker *w = arg;
    for (int r = 0; r < w->rounds; r++) {
        pthread_barrier_wait(w->start);
        VexVec *v = w->counted_copy;
        /* Read the shared buffer. */
        int64_t sum = 0;
        for (uint64_t i = 0; i < vex_vec_len(v); i++) sum += i64_at(v, i);
        if (vex_vec_len(v) != SHARED_LEN || sum != SHARED_LEN * (SHARED_LEN - 1) / 2) *w->failed = 1;
        /* Write: unique first, then push (sometimes through the inline fast path). */
        v = vex_vec_make_unique(v);
        int64_t x = counted_new(SHARED_LEN + w->index);
        if (r % 2 && atomic_load_explicit((_Atomic uint32_t *)&v->refs, memory_order_acquire) == 1 &&
            v->len < v->cap) {
            memcpy(at(v, v->len), &x, sizeof x);
            v->len++;
        } else {
            v = vex_vec_push(v, &counted, &x);
        }
        if (r % 3 == 0) v = vex_vec_reverse(v);
        if (i64_at(v, r % 3 == 0 ? 0 : SHARED_LEN) != SHARED_LEN + w->index) *w->failed = 1;
        vex_vec_release(v);

        VexVec *s = w->string_copy;
        VexString *joined = vex_vec_join(s, NULL);
        if (vex_string_len(joined) != SHARED_LEN) *w->failed = 1;
        vex_string_release(joined);
        VexString *mine = vex_string_from_i64(w->index);
        s = vex_vec_push(s, &vex_elem_string, &mine);
        s = vex_vec_sort(s);
        if (r % 2) s = vex_vec_clear(s);
        vex_vec_release(s);
        pthread_barrier_wait(w->end);
    }
    return NULL;
}

TEST(threads_copy_shared_vectors) {
    int rounds = (int)stress_size(4000);
    if (rounds < 20) rounds = 20;
    pthread_barrier_t start, end;
    pthread_barrier_init(&start, NULL, THREADS + 1);
    pthread_barrier_init(&end, NULL, THREADS + 1);
    _Atomic int failed = 0;
    Worker workers[THREADS];
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (Worker){t, &start, &end, rounds, NULL, NULL, &failed};
        pthread_create(&threads[t], NULL, worker_main, &workers[t]);
    }
    for (int r = 0; r < rounds; r++) {
        VexVec *v = vex_vec_with_capacity(&counted, SHARED_LEN + (r % 2)); /* sometimes room */
        VexVec *s = NULL;
        for (int64_t i = 0; i < SHARED_LEN; i++) {
            v = push_counted(v, i);
            VexString *c = vex_string_from_bytes(&"abcdefghijklmnopqrstuvwxyz"[i % 26], 1);
            s = vex_vec_push(s, &vex_elem_string, &c);
        }
        for (int t = 0; t < THREADS; t++) {
            workers[t].counted_copy = vex_vec_retain(v);
            workers[t].string_copy = vex_vec_retain(s);
        }
        pthread_barrier_wait(&start);
        /* The main thread drops its references while the workers use theirs. */
        vex_vec_release(v);
        vex_vec_release(s);
        pthread_barrier_wait(&end);
        CHECK(!failed);
    }
    for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
    pthread_barrier_destroy(&start);
    pthread_barrier_destroy(&end);
    CHECK(all_released());
}

int main(void) {
    RUN(push_and_pop_follow_the_layout);
    RUN(pop_to_empty_keeps_the_vector);
    RUN(with_capacity_and_the_inline_push_fast_path);
    RUN(reserve_grows_and_unshares);
    RUN(copy_on_write_keeps_copies_apart);
    RUN(clear_releases_or_unshares);
    RUN(reverse_any_size);
    RUN(sort_integers_and_bools);
    RUN(sort_floats_in_total_order);
    RUN(sort_strings_bytewise);
    RUN(slice_and_from_array);
    RUN(join_strings);
    RUN(threads_copy_shared_vectors);
    HARNESS_END();
}
