/*
 * print.c — program output and panics. All bytes printed by Vex code go through the
 * current runtime's sink (a host can capture stdout/stderr) or, without a sink or a
 * runtime, straight to file descriptors 1 and 2. A panic prints one line
 * `panic at FILE:LINE:COL: MSG`, records it in the runtime (the host reads it as an
 * error), stops the runtime and longjmps back to the worker loop; no Rust frame may sit
 * between the loop and the panicking compiled code. Must not allocate on the print
 * fast path beyond what the sink does.
 */
#include "internal.h"

#include <string.h>
#include <unistd.h>

void rt_abandon_current(WorkerContext *w);
void rt_stop_for_panic(Runtime *rt);

static _Thread_local jmp_buf *tls_catch;
static _Thread_local int tls_catch_result; /* what vex_catch_panic returns after a jump */
static pthread_mutex_t fd_lock = PTHREAD_MUTEX_INITIALIZER;

static void write_fd(int stream, const char *bytes, size_t len) {
    int fd = stream == 2 ? 2 : 1;
    while (len > 0) {
        ssize_t n = write(fd, bytes, len);
        if (n <= 0) return;
        bytes += n;
        len -= (size_t)n;
    }
}

/* Writes up to two pieces atomically with respect to other prints. */
static void write2(Runtime *rt, int stream, const char *a, size_t alen, const char *b,
                   size_t blen) {
    pthread_mutex_t *lock = rt ? &rt->out_lock : &fd_lock;
    pthread_mutex_lock(lock);
    if (rt && rt->sink) {
        if (alen) rt->sink(rt->sink_user, stream, a, alen);
        if (blen) rt->sink(rt->sink_user, stream, b, blen);
    } else {
        write_fd(stream, a, alen);
        write_fd(stream, b, blen);
    }
    pthread_mutex_unlock(lock);
}

void rt_write(Runtime *rt, int stream, const char *bytes, size_t len) {
    write2(rt, stream, bytes, len, NULL, 0);
}

void runtime_set_sink(Runtime *rt, vex_output_sink sink, void *user) {
    pthread_mutex_lock(&rt->out_lock);
    rt->sink = sink;
    rt->sink_user = user;
    pthread_mutex_unlock(&rt->out_lock);
}

void vex_write(int stream, const char *bytes, size_t len) {
    write2(runtime_current(), stream, bytes, len, NULL, 0);
}

void vex_print(int stream, const VexString *s, bool newline) {
    write2(runtime_current(), stream, vex_string_bytes(s), vex_string_len(s), "\n",
           newline ? 1 : 0);
}

void rt_record_panic(Runtime *rt, const char *file, uint32_t line, uint32_t col,
                     const char *msg) {
    if (!file) file = "<unknown>";
    if (!msg) msg = "";
    size_t cap = strlen(file) + strlen(msg) + 64;
    char *text = malloc(cap);
    if (text) snprintf(text, cap, "panic at %s:%u:%u: %s", file, line, col, msg);
    const char *shown = text ? text : "panic";
    if (rt) {
        write2(rt, 2, shown, strlen(shown), "\n", 1);
        pthread_mutex_lock(&rt->out_lock);
        /* The first panic is the run's record (later ones race to stop the same run). */
        if (!rt->panic_message && text) {
            rt->panic_message = text;
            rt->panic_file = strdup(file);
            rt->panic_text = strdup(msg);
            rt->panic_line = line;
            rt->panic_col = col;
            text = NULL;
        }
        pthread_mutex_unlock(&rt->out_lock);
        rt_stop_for_panic(rt);
    } else {
        write2(NULL, 2, shown, strlen(shown), "\n", 1);
    }
    free(text);
}

_Noreturn void vex_panic_cstr(const char *file, uint32_t line, uint32_t col, const char *msg) {
    Runtime *rt = runtime_current();
    if (rt && rt->serving) rt_serving_panic(rt, file, line, col, msg);
    rt_record_panic(rt, file, line, col, msg);
    rt_unwind(101, -1);
}

/* ---- Panics of serving runtimes ---------------------------------------------------------- */

typedef struct VexTaskPanic {
    struct VexTaskPanic *next;
    const VexTask *task;
    char *file, *message;
    uint32_t line, col;
} VexTaskPanic;

static _Thread_local char *tls_panic_file, *tls_panic_message;
static _Thread_local uint32_t tls_panic_line, tls_panic_col;
static _Thread_local bool tls_panicked;

void rt_note_task_panic(Runtime *rt, const VexTask *t, const char *file, uint32_t line,
                        uint32_t col, const char *msg) {
    VexTaskPanic *p = malloc(sizeof *p);
    if (!p) return;
    p->task = t;
    p->file = strdup(file ? file : "<unknown>");
    p->message = strdup(msg ? msg : "");
    p->line = line;
    p->col = col;
    pthread_mutex_lock(&rt->out_lock);
    p->next = rt->task_panics;
    rt->task_panics = p;
    pthread_mutex_unlock(&rt->out_lock);
    atomic_fetch_add(&rt->ntask_panics, 1);
}

_Noreturn void rt_serving_panic(Runtime *rt, const char *file, uint32_t line, uint32_t col,
                                const char *msg) {
    if (!file) file = "<unknown>";
    if (!msg) msg = "";
    WorkerContext *w = vex_tls_worker;
    if (w && w->rt == rt && w->current) {
        rt_note_task_panic(rt, w->current, file, line, col, msg);
        rt_complete_current_panicked(w);
        longjmp(w->panic_jmp, 1);
    }
    free(tls_panic_file);
    free(tls_panic_message);
    tls_panic_file = strdup(file);
    tls_panic_message = strdup(msg);
    tls_panic_line = line;
    tls_panic_col = col;
    tls_panicked = true;
    rt_unwind(101, -1);
}

void rt_forget_task_panic(Runtime *rt, VexTask *t) {
    pthread_mutex_lock(&rt->out_lock);
    for (VexTaskPanic **at = &rt->task_panics; *at; at = &(*at)->next) {
        VexTaskPanic *p = *at;
        if (p->task != t) continue;
        *at = p->next;
        free(p->file);
        free(p->message);
        free(p);
        atomic_fetch_sub(&rt->ntask_panics, 1);
        break;
    }
    pthread_mutex_unlock(&rt->out_lock);
}

bool vex_future_panic_info(const VexFuture *f, VexPanicInfo *out) {
    const VexTask *t = (const VexTask *)f;
    Runtime *rt = task_runtime((VexTask *)t);
    bool found = false;
    pthread_mutex_lock(&rt->out_lock);
    for (VexTaskPanic *p = rt->task_panics; p; p = p->next) {
        if (p->task != t) continue;
        out->file = p->file ? p->file : "<unknown>";
        out->message = p->message ? p->message : "";
        out->line = p->line;
        out->col = p->col;
        found = true;
        break;
    }
    pthread_mutex_unlock(&rt->out_lock);
    return found;
}

bool vex_thread_panic_info(VexPanicInfo *out) {
    if (!tls_panicked) return false;
    out->file = tls_panic_file ? tls_panic_file : "<unknown>";
    out->message = tls_panic_message ? tls_panic_message : "";
    out->line = tls_panic_line;
    out->col = tls_panic_col;
    return true;
}

/* Shared by panics and vex_exit: the worker loop's landing pad, else vex_catch_panic's,
 * else the process ends (only code that runs outside any task and any landing pad gets
 * there): exit(101) for a panic (process_status < 0), _exit(process_status) for
 * vex_exit. */
_Noreturn void rt_unwind(int catch_result, int process_status) {
    WorkerContext *w = vex_tls_worker;
    if (w) {
        rt_abandon_current(w);
        longjmp(w->panic_jmp, 1);
    }
    if (tls_catch) {
        tls_catch_result = catch_result;
        longjmp(*tls_catch, 1);
    }
    if (process_status < 0) exit(101);
    _exit(process_status);
}

_Noreturn void vex_panic(const char *file, uint32_t line, uint32_t col, const VexString *msg) {
    vex_panic_cstr(file, line, col, vex_string_bytes(msg));
}

/* The landing pad of vex_catch_panic and vex_catch_call: runs entry(NULL, args, ret), or
 * fn(arg) when entry is NULL. */
static int catching(VexHostEntry entry, void *args, void *ret, void (*fn)(void *), void *arg) {
    jmp_buf buf;
    jmp_buf *volatile prev = tls_catch;
    tls_catch = &buf;
    if (setjmp(buf) != 0) {
        tls_catch = prev;
        return tls_catch_result;
    }
    if (entry) entry(NULL, args, ret);
    else fn(arg);
    tls_catch = prev;
    return 0;
}

int vex_catch_call(VexHostEntry entry, void *args, void *ret) {
    return catching(entry, args, ret, NULL, NULL);
}

int vex_catch_panic(void (*fn)(void *), void *arg) { return catching(NULL, NULL, NULL, fn, arg); }
