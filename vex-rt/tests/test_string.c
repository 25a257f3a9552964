/*
 * test_string.c — unit tests of Vex strings and scalar formatting: creation, concat,
 * comparison, reference counting, static literals, integers, bools, and floats in the
 * shortest round-trip form without a trailing ".0".
 */
#include "harness.h"
#include "vex_rt.h"

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

int main(void) {
    RUN(create_concat_compare);
    RUN(null_is_empty_and_static_is_not_counted);
    RUN(refcount_keeps_shared_text);
    RUN(integers_and_bools);
    RUN(floats_shortest_round_trip);
    HARNESS_END();
}
