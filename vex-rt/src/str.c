/*
 * str.c — Vex strings: immutable, reference-counted, NUL-terminated byte strings (NULL
 * is the empty string; VEX_STRING_STATIC marks literals that are never counted), their
 * methods (language §9.2, all on bytes and lengths, never on the terminator: a string
 * may hold 0 bytes and invalid UTF-8), and the formatting and parsing of scalars. Floats
 * print in the shortest form that reads back to the same value, without a trailing
 * ".0". The one write into an existing string is vex_string_append on a string whose
 * only reference it was given. Must not depend on a runtime being current.
 */
#include "internal.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

static const char empty_bytes[1] = {0};

static _Atomic uint32_t *refs_of(const VexString *s) { return (_Atomic uint32_t *)&s->refs; }

/* VexString.reserved of a string that lives in a block of parts (see "Parts" below):
 * this bit, and the string's distance from the block's start in 8-byte units. Every
 * other counted string's reserved is its spare capacity, below this bit. */
#define PART_BIT 0x80000000u
#define MAX_SPARE (PART_BIT - 1)

/* The spare capacity behind s's bytes that vex_string_append may fill. */
static size_t spare_of(const VexString *s) {
    return (s->reserved & PART_BIT) ? 0 : (size_t)s->reserved;
}

/* A string of `len` bytes with room for `spare` more (VexString.reserved, 31 bits: a
 * larger spare capacity is cut to what the field can say). */
static VexString *alloc_string_spare(size_t len, size_t spare) {
    if (spare > MAX_SPARE) spare = MAX_SPARE;
    if (len > SIZE_MAX - sizeof(VexString) - 1 - spare) {
        fprintf(stderr, "vex-rt: a string of %zu bytes does not fit in memory\n", len);
        abort();
    }
    VexString *s = malloc(sizeof(VexString) + len + spare + 1);
    if (!s) {
        fprintf(stderr, "vex-rt: out of memory allocating a string\n");
        abort();
    }
    atomic_init(refs_of(s), 1);
    s->reserved = (uint32_t)spare;
    s->len = len;
    s->bytes[len] = 0;
    return s;
}

VexString *string_alloc(size_t len) { return alloc_string_spare(len, 0); }

VexString *string_resize(VexString *s, size_t len) {
    if (!s) return len ? string_alloc(len) : NULL;
    if (len == 0) {
        free(s);
        return NULL;
    }
    if (len > SIZE_MAX - sizeof(VexString) - 1) {
        fprintf(stderr, "vex-rt: a string of %zu bytes does not fit in memory\n", len);
        abort();
    }
    VexString *r = realloc(s, sizeof(VexString) + len + 1);
    if (!r) {
        fprintf(stderr, "vex-rt: out of memory allocating a string\n");
        abort();
    }
    r->len = len;
    r->bytes[len] = 0;
    return r;
}

/* A new string holding a copy of `len` bytes; NULL (the empty string) when len is 0. */
static VexString *piece(const char *bytes, size_t len) {
    return len ? vex_string_from_bytes(bytes, len) : NULL;
}

VexString *vex_string_from_bytes(const char *bytes, size_t len) {
    VexString *s = string_alloc(len);
    if (len) memcpy(s->bytes, bytes, len);
    return s;
}

/* The count of a shared string changes in other threads: even the test for a static
 * string reads it atomically (relaxed: a static count never changes, a counted one is
 * never VEX_STRING_STATIC). */
static bool is_static(const VexString *s) {
    return atomic_load_explicit(refs_of(s), memory_order_relaxed) == VEX_STRING_STATIC;
}

VexString *vex_string_retain(VexString *s) {
    if (s && !is_static(s)) atomic_fetch_add_explicit(refs_of(s), 1, memory_order_relaxed);
    return s;
}

/* The block of parts `s` lives in: a count of its live parts, then the parts. */
typedef struct PartBlock {
    _Atomic uint64_t live;
    uint64_t pad; /* keeps the parts 16-byte aligned, as malloc'd strings are */
} PartBlock;

static PartBlock *block_of(VexString *s) {
    return (PartBlock *)((char *)s - (size_t)(s->reserved & ~PART_BIT) * 8);
}

void vex_string_release(VexString *s) {
    if (!s || is_static(s)) return;
    if (atomic_fetch_sub_explicit(refs_of(s), 1, memory_order_acq_rel) != 1) return;
    if (!(s->reserved & PART_BIT)) {
        free(s);
        return;
    }
    PartBlock *b = block_of(s);
    if (atomic_fetch_sub_explicit(&b->live, 1, memory_order_acq_rel) == 1) free(b);
}

size_t vex_string_len(const VexString *s) { return s ? (size_t)s->len : 0; }

const char *vex_string_bytes(const VexString *s) { return s ? s->bytes : empty_bytes; }

VexString *vex_string_concat(const VexString *a, const VexString *b) {
    size_t la = vex_string_len(a), lb = vex_string_len(b);
    VexString *s = string_alloc(la + lb);
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

/* ---- Methods (language §9.2) ------------------------------------------------------------ */

VexString *vex_string_append(VexString *s, const VexString *t) {
    size_t ls = vex_string_len(s), lt = vex_string_len(t);
    if (lt == 0) return s;
    /* Writing is safe only with the sole reference: the acquire load orders this write
     * after every read by holders that have since released theirs. (A static string has
     * refs VEX_STRING_STATIC, not 1, and reserved 0.) */
    bool sole = s && atomic_load_explicit(refs_of(s), memory_order_acquire) == 1;
    if (sole && spare_of(s) >= lt) {
        memmove(s->bytes + ls, t->bytes, lt); /* t == s: copies the old bytes, no overlap */
        s->len = ls + lt;
        s->reserved -= (uint32_t)lt;
        s->bytes[s->len] = 0;
        return s;
    }
    if (ls > SIZE_MAX / 4 || lt > SIZE_MAX / 4) {
        fprintf(stderr, "vex-rt: a string of %zu bytes does not fit in memory\n", ls + lt);
        abort();
    }
    size_t need = ls + lt;
    size_t cap = need * 2 < 16 ? 16 : need * 2;
    if (cap - need > MAX_SPARE) cap = need + MAX_SPARE;
    if (sole && t != s && !(s->reserved & PART_BIT)) {
        /* The sole reference: grow in place. realloc moves large blocks by remapping
         * their pages, so a string built by appends is never copied as it doubles. */
        VexString *r = realloc(s, sizeof(VexString) + cap + 1);
        if (!r) {
            fprintf(stderr, "vex-rt: out of memory allocating a string\n");
            abort();
        }
        memcpy(r->bytes + ls, t->bytes, lt);
        r->len = need;
        r->reserved = (uint32_t)(cap - need);
        r->bytes[need] = 0;
        return r;
    }
    VexString *r = alloc_string_spare(need, cap - need);
    if (ls) memcpy(r->bytes, s->bytes, ls);
    memcpy(r->bytes + ls, t->bytes, lt); /* before releasing s: t may be s */
    vex_string_release(s);
    return r;
}

uint8_t vex_string_byte_at(const VexString *s, int64_t i) {
    return (uint8_t)vex_string_bytes(s)[i];
}

VexString *vex_string_slice(const VexString *s, int64_t a, int64_t b) {
    if (a == b) return NULL;
    /* The whole string: another reference is as good as a copy (strings are immutable,
     * and a shared string is never appended to in place). */
    if (a == 0 && (uint64_t)b == s->len) return vex_string_retain((VexString *)s);
    return vex_string_from_bytes(s->bytes + a, (size_t)(b - a));
}

int64_t vex_string_find(const VexString *s, const VexString *t) {
    size_t ls = vex_string_len(s), lt = vex_string_len(t);
    if (lt == 0) return 0;
    if (lt > ls) return -1;
    /* glibc's memmem: two-way search, linear in ls + lt. */
    const char *hit = memmem(s->bytes, ls, t->bytes, lt);
    return hit ? (int64_t)(hit - s->bytes) : -1;
}

bool vex_string_contains(const VexString *s, const VexString *t) {
    return vex_string_find(s, t) >= 0;
}

bool vex_string_starts_with(const VexString *s, const VexString *t) {
    size_t ls = vex_string_len(s), lt = vex_string_len(t);
    return lt <= ls && (lt == 0 || memcmp(s->bytes, t->bytes, lt) == 0);
}

bool vex_string_ends_with(const VexString *s, const VexString *t) {
    size_t ls = vex_string_len(s), lt = vex_string_len(t);
    return lt <= ls && (lt == 0 || memcmp(s->bytes + (ls - lt), t->bytes, lt) == 0);
}

static bool is_ascii_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

VexString *vex_string_trim(const VexString *s) {
    size_t len = vex_string_len(s), a = 0, b = len;
    const unsigned char *p = (const unsigned char *)vex_string_bytes(s);
    while (a < b && is_ascii_space(p[a])) a++;
    while (b > a && is_ascii_space(p[b - 1])) b--;
    return vex_string_slice(s, (int64_t)a, (int64_t)b);
}

/* ---- Parts ----------------------------------------------------------------------------
 * split and lines cut a string into many small strings. Allocating each on its own makes
 * malloc and free most of their cost, so the parts of one call share a block instead: a
 * PartBlock, then the parts one after another (each a VexString, 16-byte aligned). A part
 * is an ordinary counted string to everyone else; its reserved field holds PART_BIT and
 * its offset in the block, and the block is freed when its last part is. Like a Go
 * substring, one surviving part keeps the whole block alive. */

/* Where the parts of one split/lines call go. */
typedef struct Parts {
    VexVec *vec;  /* the Vec<string> being built */
    char *block;  /* NULL: every part is allocated on its own */
    size_t used;  /* bytes of the block in use (the PartBlock included) */
} Parts;

/* Room one part of `len` bytes takes in a block. */
static size_t part_size(size_t len) { return (sizeof(VexString) + len + 1 + 15) & ~(size_t)15; }

/* Prepares for `count` parts holding `bytes` bytes in all. */
static Parts parts_new(uint64_t count, size_t bytes) {
    Parts p = {vex_vec_with_capacity(&vex_elem_string, (int64_t)count), NULL, 0};
    /* A block big enough for every part: at most 16 bytes of rounding each. */
    size_t room = sizeof(PartBlock) + bytes + (size_t)count * (sizeof(VexString) + 1 + 15);
    /* Offsets are 31 bits of 8-byte units; a bigger block would not fit them. */
    if (bytes == 0 || room > (size_t)MAX_SPARE * 8) return p;
    p.block = malloc(room);
    if (!p.block) {
        fprintf(stderr, "vex-rt: out of memory allocating a string\n");
        abort();
    }
    atomic_init(&((PartBlock *)p.block)->live, 0);
    p.used = sizeof(PartBlock);
    return p;
}

/* Appends the part bytes[0..len) (an empty part is NULL). */
static void parts_push(Parts *p, const char *bytes, size_t len) {
    VexString *s = NULL;
    if (len && p->block) {
        s = (VexString *)(p->block + p->used);
        atomic_init(refs_of(s), 1);
        s->reserved = PART_BIT | (uint32_t)(p->used / 8);
        s->len = len;
        memcpy(s->bytes, bytes, len);
        s->bytes[len] = 0;
        p->used += part_size(len);
        atomic_fetch_add_explicit(&((PartBlock *)p->block)->live, 1, memory_order_relaxed);
    } else {
        s = piece(bytes, len);
    }
    p->vec = vex_vec_push(p->vec, &vex_elem_string, &s);
}

/* The vector of parts; frees a block no part ended up in. */
static VexVec *parts_finish(Parts *p) {
    if (p->block && atomic_load_explicit(&((PartBlock *)p->block)->live, memory_order_relaxed) == 0)
        free(p->block);
    return p->vec;
}

/* The next occurrence of sep (lsep > 0 bytes) in p..end, or NULL. */
static const char *find_sep(const char *p, const char *end, const char *sep, size_t lsep) {
    if (lsep > (size_t)(end - p)) return NULL;
    if (lsep == 1) return memchr(p, sep[0], (size_t)(end - p));
    return memmem(p, (size_t)(end - p), sep, lsep);
}

VexVec *vex_string_split(const VexString *s, const VexString *sep) {
    size_t ls = vex_string_len(s), lsep = vex_string_len(sep);
    if (lsep == 0) {
        /* The caller checks this (an empty separator panics); looping would not end. */
        fprintf(stderr, "vex-rt: vex_string_split with an empty separator\n");
        abort();
    }
    const char *start = vex_string_bytes(s), *end = start + ls, *seps = sep->bytes;
    uint64_t cuts = 0;
    for (const char *p = start, *hit; (hit = find_sep(p, end, seps, lsep)); p = hit + lsep) cuts++;
    /* No separator at all: the one piece is `s` itself. */
    if (cuts == 0 && ls) {
        VexString *whole = vex_string_retain((VexString *)s);
        return vex_vec_push(NULL, &vex_elem_string, &whole);
    }
    Parts parts = parts_new(cuts + 1, ls - (size_t)cuts * lsep);
    const char *p = start;
    for (const char *hit; (hit = find_sep(p, end, seps, lsep)); p = hit + lsep)
        parts_push(&parts, p, (size_t)(hit - p));
    parts_push(&parts, p, (size_t)(end - p));
    return parts_finish(&parts);
}

VexVec *vex_string_lines(const VexString *s) {
    size_t ls = vex_string_len(s);
    const char *start = vex_string_bytes(s), *end = start + ls;
    if (ls == 0) return NULL;
    uint64_t breaks = 0;
    for (const char *p = start, *nl; (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1)
        breaks++;
    /* A final line break does not start another line. */
    uint64_t count = breaks + (end[-1] != '\n');
    Parts parts = parts_new(count, ls);
    const char *p = start;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            parts_push(&parts, p, (size_t)(end - p));
            break;
        }
        const char *line_end = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
        parts_push(&parts, p, (size_t)(line_end - p));
        p = nl + 1;
    }
    return parts_finish(&parts);
}

/* A copy of `s` with the bytes in lo..hi shifted by `delta` (ASCII case mapping). */
static VexString *map_case(const VexString *s, char lo, char hi, int delta) {
    size_t len = vex_string_len(s);
    if (len == 0) return NULL;
    VexString *r = string_alloc(len);
    for (size_t i = 0; i < len; i++) {
        char c = s->bytes[i];
        r->bytes[i] = c >= lo && c <= hi ? (char)(c + delta) : c;
    }
    return r;
}

VexString *vex_string_to_upper(const VexString *s) { return map_case(s, 'a', 'z', 'A' - 'a'); }

VexString *vex_string_to_lower(const VexString *s) { return map_case(s, 'A', 'Z', 'a' - 'A'); }

VexString *vex_string_repeat(const VexString *s, int64_t n) {
    size_t len = vex_string_len(s);
    if (len == 0 || n <= 0) return NULL;
    if (n == 1) return vex_string_retain((VexString *)s);
    if ((uint64_t)n > SIZE_MAX / len) {
        fprintf(stderr, "vex-rt: repeating a string %" PRId64 " times does not fit in memory\n", n);
        abort();
    }
    size_t total = len * (size_t)n;
    VexString *r = string_alloc(total);
    /* Doubling copies: O(log n) memcpy calls over the total length. */
    memcpy(r->bytes, s->bytes, len);
    size_t done = len;
    while (done < total) {
        size_t chunk = done <= total - done ? done : total - done;
        memcpy(r->bytes + done, r->bytes, chunk);
        done += chunk;
    }
    return r;
}

bool vex_string_to_int(const VexString *s, int64_t *out) {
    size_t len = vex_string_len(s), i = 0;
    const char *p = vex_string_bytes(s);
    bool negative = false;
    if (i < len && (p[i] == '+' || p[i] == '-')) negative = p[i++] == '-';
    if (i == len) return false;
    /* The magnitude may reach 2^63 only for a negative value (INT64_MIN). */
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t magnitude = 0;
    for (; i < len; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        uint64_t digit = (uint64_t)(p[i] - '0');
        if (magnitude > (limit - digit) / 10) return false;
        magnitude = magnitude * 10 + digit;
    }
    if (!negative) *out = (int64_t)magnitude;
    else *out = magnitude == 0 ? 0 : -(int64_t)(magnitude - 1) - 1;
    return true;
}

/* Whether the `n` bytes at p spell `word` (lower case) in any letter case. */
static bool equals_ignoring_case(const char *p, size_t n, const char *word) {
    size_t wn = strlen(word);
    if (n != wn) return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i] >= 'A' && p[i] <= 'Z' ? (char)(p[i] - 'A' + 'a') : p[i];
        if (c != word[i]) return false;
    }
    return true;
}

static size_t skip_digits(const char *p, size_t i, size_t len) {
    while (i < len && p[i] >= '0' && p[i] <= '9') i++;
    return i;
}

bool vex_string_to_float(const VexString *s, double *out) {
    size_t len = vex_string_len(s), i = 0;
    const char *p = vex_string_bytes(s);
    bool negative = false;
    if (i < len && (p[i] == '+' || p[i] == '-')) negative = p[i++] == '-';
    const char *word = p + i;
    size_t word_len = len - i;
    if (equals_ignoring_case(word, word_len, "inf") ||
        equals_ignoring_case(word, word_len, "infinity")) {
        *out = negative ? -INFINITY : INFINITY;
        return true;
    }
    if (equals_ignoring_case(word, word_len, "nan")) {
        *out = negative ? -NAN : NAN;
        return true;
    }
    /* digits [. digits] | . digits, then an optional exponent: checked here so that
     * strtod (which also takes spaces, hex, "nan(...)" and stops early) sees only text
     * it reads completely. */
    size_t int_end = skip_digits(p, i, len);
    size_t digits = int_end - i;
    i = int_end;
    if (i < len && p[i] == '.') {
        size_t frac_end = skip_digits(p, i + 1, len);
        digits += frac_end - (i + 1);
        i = frac_end;
    }
    if (digits == 0) return false;
    if (i < len && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < len && (p[i] == '+' || p[i] == '-')) i++;
        size_t exp_end = skip_digits(p, i, len);
        if (exp_end == i) return false;
        i = exp_end;
    }
    if (i != len) return false;
    /* The text has no 0 byte and bytes[len] is 0, so strtod reads exactly `len` bytes
     * (out-of-range values give +-HUGE_VAL or 0/denormals; ERANGE is ignored). */
    char *end = NULL;
    double v = strtod(p, &end);
    if (end != p + len) return false; /* only in a locale whose decimal point is not '.' */
    *out = v;
    return true;
}
