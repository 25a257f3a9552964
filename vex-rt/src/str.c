/*
 * str.c — Vex strings: immutable, reference-counted, NUL-terminated UTF-8 byte strings
 * (NULL is the empty string; VEX_STRING_STATIC marks literals that are never counted),
 * and the formatting of scalars. Floats print in the shortest form that reads back to
 * the same value, without a trailing ".0". Must not depend on a runtime being current.
 */
#include "internal.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

static const char empty_bytes[1] = {0};

static VexString *alloc_string(size_t len) {
    VexString *s = malloc(sizeof(VexString) + len + 1);
    if (!s) {
        fprintf(stderr, "vex-rt: out of memory allocating a string\n");
        abort();
    }
    atomic_init((_Atomic uint32_t *)&s->refs, 1);
    s->reserved = 0;
    s->len = len;
    s->bytes[len] = 0;
    return s;
}

VexString *vex_string_from_bytes(const char *bytes, size_t len) {
    VexString *s = alloc_string(len);
    if (len) memcpy(s->bytes, bytes, len);
    return s;
}

VexString *vex_string_retain(VexString *s) {
    if (s && s->refs != VEX_STRING_STATIC)
        atomic_fetch_add_explicit((_Atomic uint32_t *)&s->refs, 1, memory_order_relaxed);
    return s;
}

void vex_string_release(VexString *s) {
    if (!s || s->refs == VEX_STRING_STATIC) return;
    if (atomic_fetch_sub_explicit((_Atomic uint32_t *)&s->refs, 1, memory_order_acq_rel) == 1)
        free(s);
}

size_t vex_string_len(const VexString *s) { return s ? (size_t)s->len : 0; }

const char *vex_string_bytes(const VexString *s) { return s ? s->bytes : empty_bytes; }

VexString *vex_string_concat(const VexString *a, const VexString *b) {
    size_t la = vex_string_len(a), lb = vex_string_len(b);
    VexString *s = alloc_string(la + lb);
    if (la) memcpy(s->bytes, a->bytes, la);
    if (lb) memcpy(s->bytes + la, b->bytes, lb);
    return s;
}

int vex_string_compare(const VexString *a, const VexString *b) {
    size_t la = vex_string_len(a), lb = vex_string_len(b);
    size_t n = la < lb ? la : lb;
    int c = n ? memcmp(vex_string_bytes(a), vex_string_bytes(b), n) : 0;
    if (c != 0) return c < 0 ? -1 : 1;
    return la < lb ? -1 : (la > lb ? 1 : 0);
}

bool vex_string_equal(const VexString *a, const VexString *b) {
    if (a == b) return true;
    return vex_string_len(a) == vex_string_len(b) && vex_string_compare(a, b) == 0;
}

VexString *vex_string_from_i64(int64_t v) {
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%" PRId64, v);
    return vex_string_from_bytes(buf, (size_t)n);
}

VexString *vex_string_from_u64(uint64_t v) {
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%" PRIu64, v);
    return vex_string_from_bytes(buf, (size_t)n);
}

VexString *vex_string_from_bool(bool v) {
    return v ? vex_string_from_bytes("true", 4) : vex_string_from_bytes("false", 5);
}

size_t vex_format_f64(double v, char *buf) {
    if (isnan(v)) return (size_t)snprintf(buf, 32, "NaN");
    if (isinf(v)) return (size_t)snprintf(buf, 32, v < 0 ? "-inf" : "inf");
    /* The shortest precision whose text parses back to v. %g never prints a trailing
     * ".0", so 17.0 prints "17". Integral values up to 2^53 print without exponent. */
    if (v == floor(v) && fabs(v) < 9007199254740992.0)
        return (size_t)snprintf(buf, 32, "%.0f", v);
    for (int prec = 1; prec <= 17; prec++) {
        int n = snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return (size_t)n;
    }
    return (size_t)snprintf(buf, 32, "%.17g", v);
}

VexString *vex_string_from_f64(double v) {
    char buf[32];
    size_t n = vex_format_f64(v, buf);
    return vex_string_from_bytes(buf, n);
}

VexString *vex_string_from_f32(float v) {
    char buf[32];
    int n;
    if (isnan(v) || isinf(v) || (v == floorf(v) && fabsf(v) < 16777216.0f))
        return vex_string_from_f64((double)v);
    for (int prec = 1; prec <= 9; prec++) {
        n = snprintf(buf, sizeof buf, "%.*g", prec, (double)v);
        if (strtof(buf, NULL) == v) return vex_string_from_bytes(buf, (size_t)n);
    }
    n = snprintf(buf, sizeof buf, "%.9g", (double)v);
    return vex_string_from_bytes(buf, (size_t)n);
}
