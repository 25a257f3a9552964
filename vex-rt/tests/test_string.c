/*
 * test_string.c — unit tests of Vex strings and scalar formatting: creation, concat,
 * comparison, reference counting, static literals, integers, bools, and floats in the
 * shortest round-trip form without a trailing ".0"; and the string methods of language
 * §9.2 on edge cases (empty strings, separators at the ends, 0 bytes and invalid UTF-8
 * inside, parse boundaries and junk), in-place append (kept pointer when unique, copy
 * when shared or static, s + s, and O(log n) reallocations over a million appends).
 * Under check-asan a leaked or doubly released string fails the run.
 */
#include "harness.h"
#include "vex_rt.h"

#include <pthread.h>

#include <math.h>

static void check_f64(double v, const char *want, int *ok) {
    VexString *s = vex_string_from_f64(v);
    if (strcmp(vex_string_bytes(s), want) != 0) {
        fprintf(stderr, "  format(%.17g) = \"%s\", want \"%s\"\n", v, vex_string_bytes(s), want);
        *ok = 0;
    }
    vex_string_release(s);
}

TEST(create_concat_compare) {
    VexString *a = vex_string_from_bytes("hello", 5);
    VexString *b = vex_string_from_bytes(", world", 7);
    VexString *c = vex_string_concat(a, b);
    CHECK_STR(vex_string_bytes(c), "hello, world");
    CHECK_EQ_U(vex_string_len(c), 12);
    CHECK(vex_string_compare(a, c) < 0);
    CHECK(vex_string_compare(c, a) > 0);
    VexString *a2 = vex_string_from_bytes("hello", 5);
    CHECK(vex_string_equal(a, a2));
    CHECK(!vex_string_equal(a, b));
    CHECK(vex_string_compare(a, a2) == 0);
    vex_string_release(a);
    vex_string_release(a2);
    vex_string_release(b);
    vex_string_release(c);
}

TEST(null_is_empty_and_static_is_not_counted) {
    CHECK_EQ_U(vex_string_len(NULL), 0);
    CHECK_STR(vex_string_bytes(NULL), "");
    VexString *e = vex_string_from_bytes("", 0);
    CHECK(vex_string_equal(NULL, e));
    VexString *x = vex_string_from_bytes("x", 1);
    VexString *c = vex_string_concat(NULL, x);
    CHECK_STR(vex_string_bytes(c), "x");
    static struct {
        VexString s;
        char bytes[4];
    } lit = {{VEX_STRING_STATIC, 0, 3}, "lit"};
    VexString *l = vex_string_retain(&lit.s);
    vex_string_release(l);
    vex_string_release(l);
    CHECK(lit.s.refs == VEX_STRING_STATIC);
    VexString *lc = vex_string_concat(&lit.s, x);
    CHECK_STR(vex_string_bytes(lc), "litx");
    vex_string_release(e);
    vex_string_release(x);
    vex_string_release(c);
    vex_string_release(lc);
}

TEST(refcount_keeps_shared_text) {
    VexString *a = vex_string_from_bytes("shared", 6);
    VexString *b = vex_string_retain(a);
    vex_string_release(a);
    CHECK_STR(vex_string_bytes(b), "shared");
    vex_string_release(b);
}

TEST(integers_and_bools) {
    VexString *s = vex_string_from_i64(INT64_MIN);
    CHECK_STR(vex_string_bytes(s), "-9223372036854775808");
    vex_string_release(s);
    s = vex_string_from_u64(UINT64_MAX);
    CHECK_STR(vex_string_bytes(s), "18446744073709551615");
    vex_string_release(s);
    s = vex_string_from_i64(42);
    CHECK_STR(vex_string_bytes(s), "42");
    vex_string_release(s);
    s = vex_string_from_bool(true);
    CHECK_STR(vex_string_bytes(s), "true");
    vex_string_release(s);
    s = vex_string_from_bool(false);
    CHECK_STR(vex_string_bytes(s), "false");
    vex_string_release(s);
}

TEST(floats_shortest_round_trip) {
    int ok = 1;
    check_f64(17.0, "17", &ok);
    check_f64(0.1, "0.1", &ok);
    check_f64(-2.5, "-2.5", &ok);
    check_f64(0.0, "0", &ok);
    check_f64(1.0 / 3.0, "0.3333333333333333", &ok);
    check_f64(0.1 + 0.2, "0.30000000000000004", &ok);
    check_f64(1e100, "1e+100", &ok);
    check_f64(123456789.0, "123456789", &ok);
    check_f64(1.5e-7, "1.5e-07", &ok);
    check_f64(NAN, "NaN", &ok);
    check_f64(-INFINITY, "-inf", &ok);
    CHECK(ok);
    VexString *f = vex_string_from_f32(0.1f);
    CHECK_STR(vex_string_bytes(f), "0.1");
    vex_string_release(f);
    f = vex_string_from_f32(17.0f);
    CHECK_STR(vex_string_bytes(f), "17");
    vex_string_release(f);
    /* Every printed double parses back to itself. */
    uint64_t x = 0x12345678abcdefull;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        uint64_t bits = x & 0x7FEFFFFFFFFFFFFFull;
        memcpy(&d, &bits, sizeof d);
        char buf[32];
        size_t n = vex_format_f64(d, buf);
        CHECK(n > 0 && n < 32);
        CHECK(strtod(buf, NULL) == d);
    }
}

/* ---- String methods ---------------------------------------------------------------------- */

static VexString *lit(const char *s) { return vex_string_from_bytes(s, strlen(s)); }

/* Whether `s` holds exactly the `n` bytes at `want`. */
static int bytes_eq(const VexString *s, const char *want, size_t n) {
    return vex_string_len(s) == n && memcmp(vex_string_bytes(s), want, n) == 0;
}
#define CHECK_BYTES(s, lit_) CHECK(bytes_eq((s), (lit_), sizeof(lit_) - 1))

/* A static literal as compiled code emits it. */
#define STATIC_STRING(name, text)                                                       \
    static struct {                                                                     \
        VexString s;                                                                    \
        char bytes[sizeof(text)];                                                       \
    } name = {{VEX_STRING_STATIC, 0, sizeof(text) - 1}, text}

TEST(append_in_place_when_unique) {
    VexString *s = lit("ab");
    VexString *t = lit("cd");
    /* A fresh string has no spare room: the first append copies with room to grow ... */
    s = vex_string_append(s, t);
    CHECK_BYTES(s, "abcd");
    CHECK(s->reserved >= 12); /* at least 16 bytes of capacity */
    /* ... and the next ones write in place. */
    VexString *before = s;
    s = vex_string_append(s, t);
    CHECK(s == before);
    CHECK_BYTES(s, "abcdcd");
    CHECK(s->bytes[6] == 0);
    /* Appending the empty string (NULL or not) returns s itself. */
    VexString *e = vex_string_from_bytes("", 0);
    CHECK(vex_string_append(s, NULL) == s);
    CHECK(vex_string_append(s, e) == s);
    /* NULL + t is a new string. */
    VexString *n = vex_string_append(NULL, t);
    CHECK_BYTES(n, "cd");
    CHECK(vex_string_append(NULL, NULL) == NULL);
    vex_string_release(n);
    vex_string_release(e);
    vex_string_release(s);
    vex_string_release(t);
}

TEST(append_copies_when_shared_or_static) {
    VexString *s = vex_string_append(lit("x"), NULL);
    s = vex_string_append(s, s); /* now has spare room */
    CHECK_BYTES(s, "xx");
    VexString *keep = vex_string_retain(s);
    VexString *t = lit("yz");
    VexString *r = vex_string_append(s, t); /* consumes one of the two references */
    CHECK(r != keep);
    CHECK_BYTES(r, "xxyz");
    CHECK_BYTES(keep, "xx"); /* the other holder never sees the change */
    CHECK(keep->bytes[2] == 0);
    CHECK(keep->refs == 1);
    vex_string_release(r);
    vex_string_release(keep);

    STATIC_STRING(hello, "hello");
    VexString *h = vex_string_append(&hello.s, t);
    CHECK(h != &hello.s);
    CHECK_BYTES(h, "helloyz");
    CHECK_BYTES(&hello.s, "hello");
    CHECK(hello.s.refs == VEX_STRING_STATIC);
    CHECK(vex_string_append(&hello.s, NULL) == &hello.s);
    vex_string_release(h);
    vex_string_release(t);
}

TEST(append_to_itself) {
    VexString *s = lit("ab");
    for (int i = 0; i < 6; i++) s = vex_string_append(s, s); /* in place once there is room */
    CHECK_EQ_U(vex_string_len(s), 2 << 6);
    for (size_t i = 0; i < vex_string_len(s); i++) CHECK(s->bytes[i] == (i % 2 ? 'b' : 'a'));
    CHECK(s->bytes[vex_string_len(s)] == 0);
    /* The in-place path with t == s: exactly enough spare room for a second copy. */
    VexString *r = vex_string_append(lit("abc"), NULL);
    VexString *d = lit("defgh");
    r = vex_string_append(r, d); /* "abcdefgh": 16 bytes of capacity, 8 spare */
    CHECK(r->reserved == 8);
    VexString *before = r;
    r = vex_string_append(r, r);
    CHECK(r == before);
    CHECK_BYTES(r, "abcdefghabcdefgh");
    CHECK(r->reserved == 0);
    vex_string_release(d);
    vex_string_release(r);
    vex_string_release(s);
}

TEST(a_million_appends_reallocate_logarithmically) {
    VexString *part = lit("x");
    VexString *s = NULL;
    int moves = 0;
    const int n = 1000000;
    for (int i = 0; i < n; i++) {
        VexString *before = s;
        s = vex_string_append(s, part);
        if (s != before) moves++;
    }
    CHECK_EQ_U(vex_string_len(s), n);
    /* Doubling from 16 bytes: about log2(1e6 / 16) + 1 = 17 new allocations. */
    CHECK(moves <= 24);
    for (int i = 0; i < n; i++) CHECK(s->bytes[i] == 'x');
    vex_string_release(s);
    vex_string_release(part);
}

TEST(byte_at_and_slice) {
    VexString *s = vex_string_from_bytes("a\0\xff\xfe" "b", 5);
    CHECK(vex_string_byte_at(s, 0) == 'a');
    CHECK(vex_string_byte_at(s, 1) == 0);
    CHECK(vex_string_byte_at(s, 2) == 0xff);
    CHECK(vex_string_byte_at(s, 4) == 'b');
    VexString *m = vex_string_slice(s, 1, 4);
    CHECK_BYTES(m, "\0\xff\xfe");
    CHECK(m->bytes[3] == 0);
    VexString *e = vex_string_slice(s, 2, 2);
    CHECK_EQ_U(vex_string_len(e), 0);
    VexString *all = vex_string_slice(s, 0, 5);
    CHECK(vex_string_equal(all, s));
    CHECK_EQ_U(vex_string_len(vex_string_slice(NULL, 0, 0)), 0);
    vex_string_release(all);
    vex_string_release(e);
    vex_string_release(m);
    vex_string_release(s);
}

TEST(find_contains_starts_ends) {
    VexString *s = vex_string_from_bytes("ab\0cab\0c", 8);
    VexString *nul_c = vex_string_from_bytes("\0c", 2);
    VexString *ab = lit("ab"), *cab = lit("cab"), *x = lit("x"), *e = lit("");
    CHECK(vex_string_find(s, nul_c) == 2);
    CHECK(vex_string_find(s, cab) == 3);
    CHECK(vex_string_find(s, x) == -1);
    CHECK(vex_string_find(s, e) == 0);
    CHECK(vex_string_find(s, NULL) == 0);
    CHECK(vex_string_find(NULL, NULL) == 0);
    CHECK(vex_string_find(NULL, ab) == -1);
    CHECK(vex_string_find(ab, s) == -1); /* needle longer than haystack */
    CHECK(vex_string_contains(s, cab));
    CHECK(!vex_string_contains(s, x));
    CHECK(vex_string_contains(NULL, e));
    CHECK(vex_string_starts_with(s, ab));
    CHECK(!vex_string_starts_with(s, cab));
    CHECK(vex_string_starts_with(s, NULL));
    CHECK(!vex_string_starts_with(ab, s));
    CHECK(vex_string_ends_with(s, nul_c));
    CHECK(!vex_string_ends_with(s, ab));
    CHECK(vex_string_ends_with(NULL, e));
    CHECK(!vex_string_ends_with(NULL, x));
    /* A long haystack with the needle at the very end. */
    VexString *big = vex_string_repeat(ab, 100000);
    VexString *needle = lit("abababx");
    VexString *hay = vex_string_concat(big, needle);
    CHECK(vex_string_find(hay, needle) == 200000);
    CHECK(vex_string_find(big, needle) == -1);
    vex_string_release(hay);
    vex_string_release(needle);
    vex_string_release(big);
    vex_string_release(s);
    vex_string_release(nul_c);
    vex_string_release(ab);
    vex_string_release(cab);
    vex_string_release(x);
    vex_string_release(e);
}

TEST(trim_ascii_whitespace) {
    VexString *s = lit(" \t\n\r\f\vhi there\v\f\r\n\t ");
    VexString *t = vex_string_trim(s);
    CHECK_BYTES(t, "hi there");
    vex_string_release(t);
    vex_string_release(s);
    s = lit(" \t\n ");
    t = vex_string_trim(s);
    CHECK_EQ_U(vex_string_len(t), 0);
    vex_string_release(t);
    vex_string_release(s);
    CHECK(vex_string_len(vex_string_trim(NULL)) == 0);
    s = vex_string_from_bytes("\xc2\xa0x\0 ", 5); /* U+00A0 and 0 are not ASCII space */
    t = vex_string_trim(s);
    CHECK_BYTES(t, "\xc2\xa0x\0");
    vex_string_release(t);
    vex_string_release(s);
    s = lit("same");
    t = vex_string_trim(s);
    CHECK_BYTES(t, "same");
    vex_string_release(t);
    vex_string_release(s);
}

/* Whether the Vec<string> `v` holds exactly the `n` texts of `want`. */
static int vec_is(const VexVec *v, const char *const *want, size_t n) {
    if (vex_vec_len(v) != n) return 0;
    if (n == 0) return 1;
    if (v->elem != &vex_elem_string) return 0;
    VexString *const *items = (VexString *const *)((const char *)v + VEX_VEC_HEADER_SIZE);
    for (size_t i = 0; i < n; i++)
        if (!bytes_eq(items[i], want[i], strlen(want[i]))) return 0;
    return 1;
}
#define CHECK_VEC(v, ...)                                                               \
    do {                                                                                \
        const char *const want_[] = {__VA_ARGS__};                                      \
        CHECK(vec_is((v), want_, sizeof want_ / sizeof want_[0]));                      \
    } while (0)

static int split_is(const char *text, const char *sep, const char *const *want, size_t n) {
    VexString *s = lit(text), *p = lit(sep);
    VexVec *v = vex_string_split(s, p);
    int ok = vec_is(v, want, n);
    if (!ok) fprintf(stderr, "  split(\"%s\", \"%s\") differs\n", text, sep);
    vex_vec_release(v);
    vex_string_release(s);
    vex_string_release(p);
    return ok;
}
#define CHECK_SPLIT(text, sep, ...)                                                     \
    do {                                                                                \
        const char *const want_[] = {__VA_ARGS__};                                      \
        CHECK(split_is((text), (sep), want_, sizeof want_ / sizeof want_[0]));          \
    } while (0)

TEST(split_like_go_and_rust) {
    CHECK_SPLIT("a,b,,c", ",", "a", "b", "", "c");
    CHECK_SPLIT("", ",", "");
    CHECK_SPLIT(",a,", ",", "", "a", "");
    CHECK_SPLIT(",", ",", "", "");
    CHECK_SPLIT("abc", ",", "abc");
    CHECK_SPLIT("a--b---c", "--", "a", "b", "-c");
    CHECK_SPLIT("----", "--", "", "", "");
    CHECK_SPLIT("ab", "abc", "ab");
    STATIC_STRING(comma, ",");
    VexVec *v = vex_string_split(NULL, &comma.s);
    CHECK_VEC(v, "");
    vex_vec_release(v);
    /* 0 bytes and invalid UTF-8 are ordinary bytes, in the text and in the separator. */
    VexString *s = vex_string_from_bytes("x\0\xffy\0\xffz", 7);
    VexString *sep = vex_string_from_bytes("\0\xff", 2);
    v = vex_string_split(s, sep);
    CHECK_VEC(v, "x", "y", "z");
    vex_vec_release(v);
    vex_string_release(sep);
    vex_string_release(s);
}

/* The parts of one split share a block: each is an ordinary string to its holders, the
 * block goes with the last of them (ASan checks both), and appending to a part copies. */
TEST(split_parts_share_one_block) {
    VexString *s = lit("alpha,beta,,gamma");
    VexString *comma = lit(",");
    VexVec *v = vex_string_split(s, comma);
    CHECK_VEC(v, "alpha", "beta", "", "gamma");
    VexString *const *items = (VexString *const *)((char *)v + VEX_VEC_HEADER_SIZE);
    VexString *beta = vex_string_retain(items[1]);
    VexString *gamma = vex_string_retain(items[3]);
    CHECK(beta->reserved & 0x80000000u); /* a part, not a string of its own */
    CHECK(((uintptr_t)beta & 15) == 0);
    vex_vec_release(v); /* alpha goes; the block stays for beta and gamma */
    CHECK_BYTES(beta, "beta");
    CHECK(beta->bytes[4] == 0);
    VexString *longer = vex_string_append(beta, comma); /* consumes beta: a copy */
    CHECK(longer != beta);
    CHECK_BYTES(longer, "beta,");
    longer = vex_string_append(longer, comma); /* an ordinary string: in place from now */
    CHECK_BYTES(longer, "beta,,");
    CHECK_BYTES(gamma, "gamma");
    vex_string_release(gamma); /* the last part: frees the block */
    vex_string_release(longer);
    /* Only empty parts: no block at all. */
    v = vex_string_split(comma, comma);
    CHECK_VEC(v, "", "");
    vex_vec_release(v);
    vex_string_release(comma);
    vex_string_release(s);
}

/* Parts released on other threads: the block's count is atomic (TSan checks). */
#define PART_COUNT 2000
static VexString *thread_parts[PART_COUNT];
static void *release_half(void *arg) {
    for (size_t i = (size_t)(uintptr_t)arg; i < PART_COUNT; i += 2) vex_string_release(thread_parts[i]);
    return NULL;
}

TEST(split_parts_die_on_any_thread) {
    VexString *text = NULL;
    VexString *line = lit("xy\n");
    for (int i = 0; i < PART_COUNT; i++) text = vex_string_append(text, line);
    VexVec *v = vex_string_lines(text);
    vex_string_release(text);
    CHECK_EQ_U(vex_vec_len(v), PART_COUNT);
    VexString *const *items = (VexString *const *)((char *)v + VEX_VEC_HEADER_SIZE);
    for (int i = 0; i < PART_COUNT; i++) thread_parts[i] = vex_string_retain(items[i]);
    vex_vec_release(v);
    pthread_t a, b;
    CHECK(pthread_create(&a, NULL, release_half, (void *)0) == 0);
    CHECK(pthread_create(&b, NULL, release_half, (void *)1) == 0);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    vex_string_release(line);
}

static int lines_is(const char *text, const char *const *want, size_t n) {
    VexString *s = lit(text);
    VexVec *v = vex_string_lines(s);
    int ok = vec_is(v, want, n);
    if (!ok) fprintf(stderr, "  lines(\"%s\") differs\n", text);
    vex_vec_release(v);
    vex_string_release(s);
    return ok;
}
#define CHECK_LINES(text, ...)                                                          \
    do {                                                                                \
        const char *const want_[] = {__VA_ARGS__};                                      \
        CHECK(lines_is((text), want_, sizeof want_ / sizeof want_[0]));                 \
    } while (0)

TEST(lines_drop_their_breaks) {
    CHECK_LINES("a\nb\n", "a", "b");
    CHECK_LINES("a\r\nb", "a", "b");
    CHECK_LINES("\n", "");
    CHECK_LINES("\n\n", "", "");
    CHECK_LINES("a", "a");
    CHECK_LINES("a\r", "a\r");
    CHECK_LINES("\r\n", "");
    CHECK_LINES("a\n\r\nb\r\n\n", "a", "", "b", "");
    CHECK_LINES("a\r\r\nb", "a\r", "b");
    VexVec *v = vex_string_lines(NULL);
    CHECK(vex_vec_len(v) == 0);
    vex_vec_release(v);
    VexString *e = lit("");
    v = vex_string_lines(e);
    CHECK(vex_vec_len(v) == 0);
    vex_vec_release(v);
    vex_string_release(e);
}

TEST(case_mapping_repeat) {
    VexString *s = vex_string_from_bytes("Hello, Wörld! az AZ \0 @[`{", 27);
    VexString *u = vex_string_to_upper(s), *l = vex_string_to_lower(s);
    CHECK(bytes_eq(u, "HELLO, WöRLD! AZ AZ \0 @[`{", 27));
    CHECK(bytes_eq(l, "hello, wörld! az az \0 @[`{", 27));
    vex_string_release(u);
    vex_string_release(l);
    vex_string_release(s);
    CHECK(vex_string_len(vex_string_to_upper(NULL)) == 0);
    CHECK(vex_string_len(vex_string_to_lower(NULL)) == 0);

    VexString *ab = vex_string_from_bytes("a\0", 2);
    VexString *r = vex_string_repeat(ab, 3);
    CHECK(bytes_eq(r, "a\0a\0a\0", 6));
    CHECK(r->bytes[6] == 0);
    vex_string_release(r);
    r = vex_string_repeat(ab, 0);
    CHECK_EQ_U(vex_string_len(r), 0);
    vex_string_release(r);
    r = vex_string_repeat(ab, 1);
    CHECK(bytes_eq(r, "a\0", 2));
    vex_string_release(r);
    CHECK(vex_string_len(vex_string_repeat(NULL, 1000)) == 0);
    for (int64_t n = 2; n < 40; n++) {
        r = vex_string_repeat(ab, n);
        CHECK_EQ_U(vex_string_len(r), 2 * n);
        for (int64_t i = 0; i < n; i++) CHECK(r->bytes[2 * i] == 'a' && r->bytes[2 * i + 1] == 0);
        vex_string_release(r);
    }
    vex_string_release(ab);
}

static int parses_int(const char *text, size_t n, int64_t want) {
    VexString *s = vex_string_from_bytes(text, n);
    int64_t v = 12345;
    bool ok = vex_string_to_int(s, &v);
    vex_string_release(s);
    if (!ok || v != want) fprintf(stderr, "  toInt(\"%s\") = %d %lld\n", text, ok, (long long)v);
    return ok && v == want;
}
static int rejects_int(const char *text, size_t n) {
    VexString *s = vex_string_from_bytes(text, n);
    int64_t v = 12345;
    bool ok = vex_string_to_int(s, &v);
    vex_string_release(s);
    if (ok || v != 12345) fprintf(stderr, "  toInt(\"%s\") accepted\n", text);
    return !ok && v == 12345;
}
#define CHECK_INT(text, want) CHECK(parses_int((text), sizeof(text) - 1, (want)))
#define CHECK_NOT_INT(text) CHECK(rejects_int((text), sizeof(text) - 1))

TEST(to_int_boundaries_and_junk) {
    CHECK_INT("0", 0);
    CHECK_INT("-0", 0);
    CHECK_INT("+7", 7);
    CHECK_INT("007", 7);
    CHECK_INT("-42", -42);
    CHECK_INT("9223372036854775807", INT64_MAX);
    CHECK_INT("-9223372036854775808", INT64_MIN);
    CHECK_INT("-9223372036854775807", -INT64_MAX);
    CHECK_INT("00000000000000000000000009223372036854775807", INT64_MAX);
    CHECK_NOT_INT("9223372036854775808");
    CHECK_NOT_INT("-9223372036854775809");
    CHECK_NOT_INT("18446744073709551616");
    CHECK_NOT_INT("99999999999999999999999");
    CHECK_NOT_INT("");
    CHECK_NOT_INT("+");
    CHECK_NOT_INT("-");
    CHECK_NOT_INT("+-1");
    CHECK_NOT_INT("--1");
    CHECK_NOT_INT(" 1");
    CHECK_NOT_INT("1 ");
    CHECK_NOT_INT("1_000");
    CHECK_NOT_INT("1.0");
    CHECK_NOT_INT("0x10");
    CHECK_NOT_INT("1e3");
    CHECK_NOT_INT("12\0");
    CHECK_NOT_INT("\xef\xbc\x91"); /* fullwidth digit one */
    int64_t v = 5;
    CHECK(!vex_string_to_int(NULL, &v));
    CHECK(v == 5);
}

static int parses_float(const char *text, double want) {
    VexString *s = lit(text);
    double v = 12345;
    bool ok = vex_string_to_float(s, &v);
    vex_string_release(s);
    int same = ok && (isnan(want) ? isnan(v) && signbit(v) == signbit(want)
                                  : v == want && signbit(v) == signbit(want));
    if (!same) fprintf(stderr, "  toFloat(\"%s\") = %d %.17g\n", text, ok, v);
    return same;
}
static int rejects_float(const char *text, size_t n) {
    VexString *s = vex_string_from_bytes(text, n);
    double v = 12345;
    bool ok = vex_string_to_float(s, &v);
    vex_string_release(s);
    if (ok || v != 12345) fprintf(stderr, "  toFloat(\"%s\") accepted: %g\n", text, v);
    return !ok && v == 12345;
}
#define CHECK_FLOAT(text, want) CHECK(parses_float((text), (want)))
#define CHECK_NOT_FLOAT(text) CHECK(rejects_float((text), sizeof(text) - 1))

TEST(to_float_forms_and_junk) {
    CHECK_FLOAT("1", 1.0);
    CHECK_FLOAT("-2.5", -2.5);
    CHECK_FLOAT(".5", 0.5);
    CHECK_FLOAT("5.", 5.0);
    CHECK_FLOAT("+5.", 5.0);
    CHECK_FLOAT("-0", -0.0);
    CHECK_FLOAT("-.0", -0.0);
    CHECK_FLOAT("1e10", 1e10);
    CHECK_FLOAT("2.5E-3", 2.5e-3);
    CHECK_FLOAT("1E+2", 100.0);
    CHECK_FLOAT("0.1", 0.1);
    CHECK_FLOAT("0.30000000000000004", 0.1 + 0.2);
    CHECK_FLOAT("1.7976931348623157e308", 1.7976931348623157e308);
    CHECK_FLOAT("1e400", INFINITY);
    CHECK_FLOAT("-1e400", -INFINITY);
    CHECK_FLOAT("1e-400", 0.0);
    CHECK_FLOAT("inf", INFINITY);
    CHECK_FLOAT("+inf", INFINITY);
    CHECK_FLOAT("-inf", -INFINITY);
    CHECK_FLOAT("INF", INFINITY);
    CHECK_FLOAT("Infinity", INFINITY);
    CHECK_FLOAT("-INFINITY", -INFINITY);
    CHECK_FLOAT("nan", NAN);
    CHECK_FLOAT("NaN", NAN);
    CHECK_FLOAT("-nan", -NAN);
    CHECK_NOT_FLOAT("");
    CHECK_NOT_FLOAT(".");
    CHECK_NOT_FLOAT("-");
    CHECK_NOT_FLOAT("+.");
    CHECK_NOT_FLOAT("e5");
    CHECK_NOT_FLOAT(".e5");
    CHECK_NOT_FLOAT("1e");
    CHECK_NOT_FLOAT("1e+");
    CHECK_NOT_FLOAT("1e5.0");
    CHECK_NOT_FLOAT("1.2.3");
    CHECK_NOT_FLOAT(" 1");
    CHECK_NOT_FLOAT("1 ");
    CHECK_NOT_FLOAT("\t1");
    CHECK_NOT_FLOAT("1_0");
    CHECK_NOT_FLOAT("0x1p3");
    CHECK_NOT_FLOAT("0x10");
    CHECK_NOT_FLOAT("infinit");
    CHECK_NOT_FLOAT("infx");
    CHECK_NOT_FLOAT("nan(1)");
    CHECK_NOT_FLOAT("nanx");
    CHECK_NOT_FLOAT("--1");
    CHECK_NOT_FLOAT("1\0");
    CHECK_NOT_FLOAT("1\0" "5");
    CHECK_NOT_FLOAT("1f");
    double v = 5;
    CHECK(!vex_string_to_float(NULL, &v));
    CHECK(v == 5);
}

int main(void) {
    RUN(create_concat_compare);
    RUN(null_is_empty_and_static_is_not_counted);
    RUN(refcount_keeps_shared_text);
    RUN(integers_and_bools);
    RUN(floats_shortest_round_trip);
    RUN(append_in_place_when_unique);
    RUN(append_copies_when_shared_or_static);
    RUN(append_to_itself);
    RUN(a_million_appends_reallocate_logarithmically);
    RUN(byte_at_and_slice);
    RUN(find_contains_starts_ends);
    RUN(trim_ascii_whitespace);
    RUN(split_like_go_and_rust);
    RUN(lines_drop_their_breaks);
    RUN(split_parts_share_one_block);
    RUN(split_parts_die_on_any_thread);
    RUN(case_mapping_repeat);
    RUN(to_int_boundaries_and_junk);
    RUN(to_float_forms_and_junk);
    HARNESS_END();
}
