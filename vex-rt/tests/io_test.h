/*
 * io_test.h — helpers shared by test_io.c and test_net.c: tasks written as C resume
 * functions in the style of compiled code, with protothread-like macros (BEGIN / AWAIT /
 * SLEEP / END: each suspension's resume point is its __LINE__, so each must be on its own
 * line; locals that live across one must be in the state; ARG marks a string argument
 * that AWAIT releases after making the op), the Result<T, IoError> view
 * of an op's result, open-descriptor counting (/proc/self/fd) and a temporary directory.
 */
#ifndef VEX_TEST_IO_H
#define VEX_TEST_IO_H

#define _GNU_SOURCE
#include "harness.h"
#include "vex_rt.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

/* The result of an I/O op as the compiler lays it out. */
typedef struct IoRes {
    uint32_t tag;
    uint32_t pad;
    union {
        VexString *s;
        VexIoHandle *h;
        VexIoError *e;
        int64_t n;
    } u;
} IoRes;
_Static_assert(sizeof(IoRes) == VEX_IO_RESULT_SIZE, "Result<T, IoError> is 16 bytes");
_Static_assert(offsetof(IoRes, u) == VEX_IO_PAYLOAD_OFFSET, "payload at 8");

/* A task's protocol, as compiled code follows it. Every task state starts with
 * `uint32_t tag; VexFuture *child;` and the function has a `cancel_exit:` label. */
#define BEGIN(s)                                                                          \
    switch ((s)->tag) {                                                                   \
    case 0:;
#define END }
#define AWAIT(s, fut, dst)                                                                \
    do {                                                                                  \
        (s)->child = (fut);                                                               \
        release_args();                                                                   \
        (s)->tag = __LINE__;                                                              \
        if (!vex_future_poll_or_register(ctx, (s)->child)) return CORO_STATUS_YIELDED;    \
    case __LINE__:                                                                        \
        if (vex_task_cancelled(ctx)) {                                                    \
            vex_future_cancel((s)->child); /* cancellation flows down (§6.7) */           \
            vex_future_release((s)->child);                                               \
            (s)->child = NULL;                                                            \
            goto cancel_exit;                                                             \
        }                                                                                 \
        VexOutcome o_ = vex_future_take(ctx, (s)->child, (dst));                          \
        (s)->child = NULL;                                                                \
        if (o_ != VEX_OUTCOME_VALUE) goto cancel_exit;                                    \
    } while (0)
#define SLEEP(s, ms)                                                                      \
    do {                                                                                  \
        (s)->tag = __LINE__;                                                              \
        worker_await_after(ctx, (ms));                                                    \
        return CORO_STATUS_YIELDED;                                                       \
    case __LINE__:                                                                        \
        if (vex_task_cancelled(ctx)) goto cancel_exit;                                    \
    } while (0)

/* Failures inside tasks are counted, not returned (a task cannot return from the test). */
static _Atomic int task_failures;
#define TCHECK(cond)                                                                      \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "  %s:%d: task CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            atomic_fetch_add(&task_failures, 1);                                          \
        }                                                                                 \
    } while (0)

static inline VexString *str(const char *c) { return vex_string_from_bytes(c, strlen(c)); }

/* Strings made for an op's arguments: the op borrows them (and retains what it keeps),
 * so AWAIT releases them once the op has been made. ARG(s) registers one. */
static _Thread_local VexString *arg_strings[16];
static _Thread_local int narg_strings;
static inline VexString *ARG(VexString *s) {
    if (narg_strings == 16) abort();
    arg_strings[narg_strings++] = s;
    return s;
}
static inline void release_args(void) {
    while (narg_strings > 0) vex_string_release(arg_strings[--narg_strings]);
}

static inline bool str_eq(const VexString *s, const char *c) {
    size_t n = strlen(c);
    return vex_string_len(s) == n && memcmp(vex_string_bytes(s), c, n) == 0;
}

/* Whether r is Err with this errno (and releases the error). */
static inline bool is_err(IoRes *r, int64_t code) {
    if (r->tag != VEX_IO_ERR) return false;
    bool ok = vex_io_error_code(r->u.e) == code;
    vex_io_error_release(r->u.e);
    r->u.e = NULL;
    return ok;
}

/* Whether r is Err with this message (the error is kept). */
static inline bool err_message_is(const IoRes *r, const char *msg) {
    if (r->tag != VEX_IO_ERR) return false;
    VexString *m = vex_io_error_message(r->u.e);
    bool ok = str_eq(m, msg);
    vex_string_release(m);
    return ok;
}

static inline int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Open descriptors of the process (entries of /proc/self/fd, minus the one reading it). */
static inline int count_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n - 1;
}

static inline Runtime *make_runtime(int workers, bool virtual_clock, bool detect_deadlock) {
    VexRuntimeOptions o = {
        .workers = workers, .virtual_clock = virtual_clock, .detect_deadlock = detect_deadlock};
    return runtime_create_with(&o);
}

/* Every task finished and nothing panicked or deadlocked. */
static inline bool balanced(Runtime *rt) {
    VexCounters c;
    runtime_counters(rt, &c);
    if (c.alive != 0 || c.spawned != c.finished)
        fprintf(stderr, "  counters: spawned %llu finished %llu alive %llu\n",
                (unsigned long long)c.spawned, (unsigned long long)c.finished,
                (unsigned long long)c.alive);
    return c.alive == 0 && c.spawned == c.finished && !runtime_panicked(rt) &&
           runtime_deadlocked(rt) == 0;
}

/* Spawns a task with a `size`-byte zeroed state off-worker; returns the state. */
static inline void *task_new(Runtime *rt, size_t size, coro_resume_func fn) {
    return vex_task_alloc_in(rt, size, 0, 0, fn);
}

#endif
