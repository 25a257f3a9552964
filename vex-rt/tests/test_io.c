/*
 * test_io.c — the file operations and process builtins of LANGUAGE.md §13 through the
 * public ABI, driven by tasks written as C resume functions (io_test.h): readFile,
 * writeFile, appendFile, removeFile, exists and File handles in a temporary directory;
 * errors (ENOENT with the system's message, EISDIR, EACCES, EBADF, EINVAL); 1 MiB read
 * whole and in chunks; cancellation of a job queued and of a job running on the blocking
 * pool (a FIFO keeps the job blocked until a host thread writes to it); in deterministic
 * mode, jobs holding the virtual clock and completing in start order whatever their
 * durations; deadlock detection quiet while a job is in flight and alert after it; 100,000 open/close (VEX_STRESS_SCALE shrinks it) leaving the descriptor count
 * where it was; results never taken; vex_exit; vex_args and vex_get_env.
 */
#include "io_test.h"

#include <fcntl.h>
#include <sys/stat.h>

static char dir[64];

static char *path_in(const char *name) {
    static _Thread_local char buf[4][256];
    static _Thread_local int k;
    char *p = buf[k++ & 3];
    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

/* Argument strings, released by AWAIT once the op has been made. */
static VexString *P(const char *name) { return ARG(str(path_in(name))); }
static VexString *S(const char *text) { return ARG(str(text)); }

/* A 1 MiB text whose every position is known. */
static VexString *big_text(size_t n) {
    char *b = malloc(n);
    for (size_t i = 0; i < n; i++) b[i] = (char)('a' + (i * 7 + i / 4096) % 26);
    VexString *s = vex_string_from_bytes(b, n);
    free(b);
    return s;
}

/* ---- A FIFO whose reader (a pool job) blocks until a host thread writes --------------- */

typedef struct {
    const char *path;
    int delay_ms;
    int64_t wrote_at; /* wall_ms() when the writer opened the FIFO */
    pthread_t thread;
} FifoWriter;

/* After the delay, opens the FIFO for writing as soon as a reader has it open (bounded:
 * after 10 s it opens it read-write, which releases a reader that came too late), writes
 * "data" and closes it. */
static void *fifo_writer(void *arg) {
    FifoWriter *w = arg;
    usleep((useconds_t)w->delay_ms * 1000);
    int64_t deadline = wall_ms() + 10000;
    int fd;
    while ((fd = open(w->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0 && errno == ENXIO &&
           wall_ms() < deadline)
        usleep(1000);
    if (fd < 0) {
        fprintf(stderr, "  the FIFO's reader did not come\n");
        fd = open(w->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    }
    w->wrote_at = wall_ms();
    if (fd >= 0) {
        ssize_t n = write(fd, "data", 4);
        (void)n;
        close(fd);
    }
    return NULL;
}

static void fifo_start(FifoWriter *w, const char *path, int delay_ms) {
    w->path = path;
    w->delay_ms = delay_ms;
    unlink(path);
    if (mkfifo(path, 0600) != 0) perror("mkfifo");
    pthread_create(&w->thread, NULL, fifo_writer, w);
}

static void fifo_join(FifoWriter *w) {
    pthread_join(w->thread, NULL);
    unlink(w->path);
}

/* ---- Files: whole-file operations and errors --------------------------------------------- */

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    bool b;
} FilesMain;

static CoroStatus files_main(WorkerContext *ctx, void *p) {
    FilesMain *s = p;
    BEGIN(s)
    AWAIT(s, vex_io_exists(ctx, P("a.txt")), &s->b);
    TCHECK(!s->b);
    AWAIT(s, vex_io_write_file(ctx, P("a.txt"), S("hello")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && s->r.u.s == NULL);
    AWAIT(s, vex_io_exists(ctx, P("a.txt")), &s->b);
    TCHECK(s->b);
    AWAIT(s, vex_io_read_file(ctx, P("a.txt")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && str_eq(s->r.u.s, "hello"));
    vex_string_release(s->r.u.s);
    AWAIT(s, vex_io_append_file(ctx, P("a.txt"), S(" world")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK);
    AWAIT(s, vex_io_read_file(ctx, P("a.txt")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && str_eq(s->r.u.s, "hello world"));
    vex_string_release(s->r.u.s);
    /* writeFile truncates; appendFile creates a missing file. */
    AWAIT(s, vex_io_write_file(ctx, P("a.txt"), S("x")), &s->r);
    AWAIT(s, vex_io_read_file(ctx, P("a.txt")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && str_eq(s->r.u.s, "x"));
    vex_string_release(s->r.u.s);
    AWAIT(s, vex_io_append_file(ctx, P("b.txt"), S("new")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK);
    AWAIT(s, vex_io_read_file(ctx, P("b.txt")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && str_eq(s->r.u.s, "new"));
    vex_string_release(s->r.u.s);
    /* An empty file reads as "" (NULL). */
    AWAIT(s, vex_io_write_file(ctx, P("empty.txt"), NULL), &s->r);
    AWAIT(s, vex_io_read_file(ctx, P("empty.txt")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && s->r.u.s == NULL);
    AWAIT(s, vex_io_remove_file(ctx, P("empty.txt")), &s->r);
    AWAIT(s, vex_io_remove_file(ctx, P("b.txt")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK);
    AWAIT(s, vex_io_remove_file(ctx, P("a.txt")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK);
    AWAIT(s, vex_io_exists(ctx, P("a.txt")), &s->b);
    TCHECK(!s->b);
    AWAIT(s, vex_io_remove_file(ctx, P("a.txt")), &s->r);
    TCHECK(is_err(&s->r, ENOENT));
    /* Errors carry the errno and the system's message. */
    AWAIT(s, vex_io_read_file(ctx, P("missing.txt")), &s->r);
    TCHECK(err_message_is(&s->r, "No such file or directory"));
    TCHECK(is_err(&s->r, ENOENT));
    AWAIT(s, vex_io_read_file(ctx, S(dir)), &s->r);
    TCHECK(err_message_is(&s->r, "Is a directory"));
    TCHECK(is_err(&s->r, EISDIR));
    AWAIT(s, vex_io_write_file(ctx, P("no/such/dir.txt"), S("x")), &s->r);
    TCHECK(is_err(&s->r, ENOENT));
    AWAIT(s, vex_io_read_file(ctx, ARG(vex_string_from_bytes("a\0b", 3))), &s->r);
    TCHECK(is_err(&s->r, EINVAL));
    AWAIT(s, vex_io_exists(ctx, ARG(vex_string_from_bytes("a\0b", 3))), &s->b);
    TCHECK(!s->b);
    AWAIT(s, vex_io_exists(ctx, S(dir)), &s->b);
    TCHECK(s->b);
    if (geteuid() != 0) { /* root reads anything */
        AWAIT(s, vex_io_write_file(ctx, P("secret.txt"), S("s")), &s->r);
        chmod(path_in("secret.txt"), 0);
        AWAIT(s, vex_io_read_file(ctx, P("secret.txt")), &s->r);
        TCHECK(err_message_is(&s->r, "Permission denied"));
        TCHECK(is_err(&s->r, EACCES));
        unlink(path_in("secret.txt"));
    }
    END
    return CORO_STATUS_DONE;
cancel_exit:
    TCHECK(!"cancelled");
    return vex_task_finish_cancelled(ctx);
}

static Runtime *run_one(int workers, coro_resume_func fn, size_t size) {
    Runtime *rt = make_runtime(workers, false, false);
    vex_future_release(vex_task_spawn_in(rt, task_new(rt, size, fn)));
    runtime_run(rt);
    return rt;
}

TEST(whole_file_operations_and_their_errors) {
    int fds = count_fds();
    atomic_store(&task_failures, 0);
    Runtime *rt = run_one(2, files_main, sizeof(FilesMain));
    CHECK(balanced(rt));
    runtime_destroy(rt);
    CHECK_EQ_U(atomic_load(&task_failures), 0);
    CHECK_EQ_U(count_fds(), fds);
}

/* ---- Files: handles, chunks, 1 MiB ------------------------------------------------------- */

#define BIG (1u << 20)

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    VexIoHandle *f;
    VexString *big, *acc;
    int64_t chunks;
} HandlesMain;

static CoroStatus handles_main(WorkerContext *ctx, void *p) {
    HandlesMain *s = p;
    BEGIN(s)
    s->big = big_text(BIG);
    AWAIT(s, vex_io_write_file(ctx, P("big.txt"), s->big), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK);
    AWAIT(s, vex_io_read_file(ctx, P("big.txt")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && vex_string_equal(s->r.u.s, s->big));
    vex_string_release(s->r.u.s);
    /* In chunks of 1000 bytes: fewer only at the end, then "". */
    AWAIT(s, vex_io_file_open(ctx, P("big.txt")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && vex_io_handle_kind(s->r.u.h) == VEX_IO_FILE);
    s->f = s->r.u.h;
    for (;;) {
        AWAIT(s, vex_io_file_read(ctx, s->f, 1000), &s->r);
        TCHECK(s->r.tag == VEX_IO_OK);
        if (s->r.u.s == NULL) break;
        s->chunks++;
        TCHECK(vex_string_len(s->r.u.s) == 1000 || vex_string_len(s->r.u.s) == BIG % 1000);
        s->acc = vex_string_append(s->acc, s->r.u.s);
        vex_string_release(s->r.u.s);
    }
    TCHECK(s->chunks == (BIG + 999) / 1000);
    TCHECK(vex_string_equal(s->acc, s->big));
    vex_string_release(s->acc);
    s->acc = NULL;
    AWAIT(s, vex_io_file_read(ctx, s->f, 0), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && s->r.u.s == NULL);
    AWAIT(s, vex_io_file_read(ctx, s->f, -1), &s->r);
    TCHECK(is_err(&s->r, EINVAL));
    vex_io_close(s->f);
    vex_io_close(s->f); /* idempotent */
    AWAIT(s, vex_io_file_read(ctx, s->f, 10), &s->r);
    TCHECK(err_message_is(&s->r, "Bad file descriptor"));
    TCHECK(is_err(&s->r, EBADF));
    vex_io_handle_release(s->f);
    /* read(10), then readAll: the rest. */
    AWAIT(s, vex_io_file_open(ctx, P("big.txt")), &s->r);
    s->f = s->r.u.h;
    AWAIT(s, vex_io_file_read(ctx, s->f, 10), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && vex_string_len(s->r.u.s) == 10 &&
           memcmp(vex_string_bytes(s->r.u.s), vex_string_bytes(s->big), 10) == 0);
    vex_string_release(s->r.u.s);
    AWAIT(s, vex_io_file_read_all(ctx, s->f), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && vex_string_len(s->r.u.s) == BIG - 10 &&
           memcmp(vex_string_bytes(s->r.u.s), vex_string_bytes(s->big) + 10, BIG - 10) == 0);
    vex_string_release(s->r.u.s);
    AWAIT(s, vex_io_file_read_all(ctx, s->f), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && s->r.u.s == NULL);
    /* Writing to a file opened for reading: the system's EBADF. */
    AWAIT(s, vex_io_file_write(ctx, s->f, S("x")), &s->r);
    TCHECK(is_err(&s->r, EBADF));
    vex_io_handle_release(s->f); /* the last release closes */
    /* create, write, openAppend. */
    AWAIT(s, vex_io_file_create(ctx, P("w.txt")), &s->r);
    s->f = s->r.u.h;
    AWAIT(s, vex_io_file_write(ctx, s->f, S("abc")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && s->r.u.n == 3);
    AWAIT(s, vex_io_file_write(ctx, s->f, S("def")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && s->r.u.n == 3);
    AWAIT(s, vex_io_file_read(ctx, s->f, 5), &s->r);
    TCHECK(is_err(&s->r, EBADF)); /* opened for writing */
    vex_io_close(s->f);
    vex_io_handle_release(s->f);
    AWAIT(s, vex_io_file_open_append(ctx, P("w.txt")), &s->r);
    s->f = s->r.u.h;
    AWAIT(s, vex_io_file_write(ctx, s->f, S("gh")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && s->r.u.n == 2);
    vex_io_handle_release(s->f);
    AWAIT(s, vex_io_read_file(ctx, P("w.txt")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && str_eq(s->r.u.s, "abcdefgh"));
    vex_string_release(s->r.u.s);
    AWAIT(s, vex_io_file_create(ctx, P("w.txt")), &s->r); /* truncates */
    vex_io_handle_release(s->r.u.h);
    AWAIT(s, vex_io_read_file(ctx, P("w.txt")), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK && s->r.u.s == NULL);
    AWAIT(s, vex_io_file_open_append(ctx, P("created.txt")), &s->r); /* creates */
    TCHECK(s->r.tag == VEX_IO_OK);
    vex_io_handle_release(s->r.u.h);
    AWAIT(s, vex_io_file_open(ctx, P("missing.txt")), &s->r);
    TCHECK(is_err(&s->r, ENOENT));
    unlink(path_in("w.txt"));
    unlink(path_in("created.txt"));
    unlink(path_in("big.txt"));
    vex_string_release(s->big);
    END
    return CORO_STATUS_DONE;
cancel_exit:
    TCHECK(!"cancelled");
    return vex_task_finish_cancelled(ctx);
}

TEST(file_handles_read_in_chunks_read_all_and_write) {
    int fds = count_fds();
    atomic_store(&task_failures, 0);
    Runtime *rt = run_one(2, handles_main, sizeof(HandlesMain));
    CHECK(balanced(rt));
    runtime_destroy(rt);
    CHECK_EQ_U(atomic_load(&task_failures), 0);
    CHECK_EQ_U(count_fds(), fds);
}

/* ---- Many open/close, results never taken ------------------------------------------------- */

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    int64_t i, n;
    int id;
} OpenLoop;

static _Atomic int64_t opened;

static CoroStatus open_loop(WorkerContext *ctx, void *p) {
    OpenLoop *s = p;
    BEGIN(s)
    for (s->i = 0; s->i < s->n; s->i++) {
        if (s->i % 16 == 15) {
            /* Made and dropped: the handle in the result nobody takes is released. */
            vex_future_release(vex_io_file_open(ctx, P("shared.txt")));
            release_args();
            continue;
        }
        AWAIT(s, vex_io_file_open(ctx, P("shared.txt")), &s->r);
        TCHECK(s->r.tag == VEX_IO_OK);
        if (s->r.tag != VEX_IO_OK) break;
        atomic_fetch_add(&opened, 1);
        if (s->i % 2) vex_io_close(s->r.u.h);
        vex_io_handle_release(s->r.u.h);
    }
    END
    return CORO_STATUS_DONE;
cancel_exit:
    return vex_task_finish_cancelled(ctx);
}

TEST(stress_open_and_close_leave_the_descriptor_count_unchanged) {
    FILE *f = fopen(path_in("shared.txt"), "w");
    CHECK(f != NULL);
    fputs("shared", f);
    fclose(f);
    int fds = count_fds();
    atomic_store(&task_failures, 0);
    atomic_store(&opened, 0);
    long total = stress_size(100000), tasks = 8;
    Runtime *rt = make_runtime(2, false, false);
    for (long t = 0; t < tasks; t++) {
        OpenLoop *s = task_new(rt, sizeof *s, open_loop);
        s->n = total / tasks;
        vex_future_release(vex_task_spawn_in(rt, s));
    }
    int64_t t0 = wall_ms();
    runtime_run(rt);
    fprintf(stderr, "  %ld open/close in %lld ms\n", total, (long long)(wall_ms() - t0));
    CHECK(balanced(rt));
    runtime_destroy(rt);
    CHECK_EQ_U(atomic_load(&task_failures), 0);
    CHECK(atomic_load(&opened) > 0);
    CHECK_EQ_U(count_fds(), fds);
    unlink(path_in("shared.txt"));
}

/* ---- Cancellation: a job queued, a job running -------------------------------------------- */

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    const char *name;
    int64_t delay_ms;
    int64_t cancelled_at; /* wall_ms() at the cancel exit */
} Reader;

static CoroStatus reader_main(WorkerContext *ctx, void *p) {
    Reader *s = p;
    BEGIN(s)
    if (s->delay_ms) SLEEP(s, (uint64_t)s->delay_ms);
    AWAIT(s, vex_io_read_file(ctx, P(s->name)), &s->r);
    TCHECK(!"finished");
    if (s->r.tag == VEX_IO_OK) vex_string_release(s->r.u.s);
    else vex_io_error_release(s->r.u.e);
    END
    return CORO_STATUS_DONE;
cancel_exit:
    s->cancelled_at = wall_ms();
    return vex_task_finish_cancelled(ctx);
}

typedef struct {
    uint32_t tag;
    VexFuture *child;
    VexFuture *a, *b;
} Canceller;

static CoroStatus canceller_main(WorkerContext *ctx, void *p) {
    Canceller *s = p;
    BEGIN(s)
    SLEEP(s, 50);
    vex_future_cancel(s->a);
    vex_future_cancel(s->b);
    END
    vex_future_release(s->a);
    vex_future_release(s->b);
    return CORO_STATUS_DONE;
cancel_exit:
    return vex_task_finish_cancelled(ctx);
}

TEST(cancelling_queued_and_running_file_jobs) {
    setenv("VEX_BLOCKING_THREADS", "1", 1);
    int fds = count_fds();
    atomic_store(&task_failures, 0);
    FILE *f = fopen(path_in("plain.txt"), "w");
    fputs("plain", f);
    fclose(f);
    FifoWriter fw;
    fifo_start(&fw, path_in("fifo"), 300);
    Runtime *rt = make_runtime(2, false, false);
    Reader *a = task_new(rt, sizeof *a, reader_main), *b = task_new(rt, sizeof *b, reader_main);
    a->name = "fifo";      /* its job blocks the only pool thread in open() */
    b->name = "plain.txt"; /* queued behind it */
    b->delay_ms = 20;
    VexFuture *fa = vex_task_spawn_in(rt, a), *fb = vex_task_spawn_in(rt, b);
    Canceller *c = task_new(rt, sizeof *c, canceller_main);
    c->a = vex_future_retain(fa);
    c->b = vex_future_retain(fb);
    vex_future_release(vex_task_spawn_in(rt, c));
    runtime_run(rt);
    int64_t ended = wall_ms();
    fifo_join(&fw);
    CHECK(balanced(rt));
    CHECK(vex_future_outcome(fa) == VEX_OUTCOME_CANCELLED);
    CHECK(vex_future_outcome(fb) == VEX_OUTCOME_CANCELLED);
    /* The awaiters stopped at once; the run ended only after the FIFO job came back. */
    CHECK(a->cancelled_at > 0 && a->cancelled_at < fw.wrote_at);
    CHECK(b->cancelled_at > 0 && b->cancelled_at < fw.wrote_at);
    CHECK(ended >= fw.wrote_at);
    VexCounters cnt;
    runtime_counters(rt, &cnt);
    CHECK_EQ_U(cnt.cancelled, 4); /* two awaiters, two op tasks */
    vex_future_release(fa);
    vex_future_release(fb);
    runtime_destroy(rt);
    unsetenv("VEX_BLOCKING_THREADS");
    unlink(path_in("plain.txt"));
    CHECK_EQ_U(atomic_load(&task_failures), 0);
    CHECK_EQ_U(count_fds(), fds);
}

/* Cancelled after the job has run, before the op task ran again: the handle it made is
 * released. Repeated with varying timing on several workers. */
typedef struct {
    int spins;
} OpenThenCancel;

static CoroStatus open_then_cancel(WorkerContext *ctx, void *p) {
    OpenThenCancel *s = p;
    VexFuture *f = vex_io_file_open(ctx, P("plain2.txt"));
    release_args();
    for (volatile int k = 0; k < s->spins * 200; k++) {
    }
    vex_future_cancel(f);
    IoRes r;
    if (vex_future_outcome(f) == VEX_OUTCOME_VALUE) {
        vex_future_take(ctx, f, &r); /* finished before the cancel: ours to release */
        vex_io_handle_release(r.u.h);
    } else {
        vex_future_release(f); /* detached: finishes by itself, cancelled or not */
    }
    return CORO_STATUS_DONE;
}

TEST(cancelling_file_ops_at_any_moment_releases_what_they_made) {
    FILE *f = fopen(path_in("plain2.txt"), "w");
    fclose(f);
    int fds = count_fds();
    Runtime *rt = make_runtime(2, false, false);
    long n = stress_size(4000);
    for (long i = 0; i < n; i++) {
        OpenThenCancel *s = task_new(rt, sizeof *s, open_then_cancel);
        s->spins = (int)(i % 50);
        vex_future_release(vex_task_spawn_in(rt, s));
    }
    runtime_run(rt);
    CHECK(balanced(rt));
    runtime_destroy(rt);
    CHECK_EQ_U(count_fds(), fds);
    unlink(path_in("plain2.txt"));
}

/* ---- Deterministic mode: a job in flight holds the virtual clock -------------------------- */

static _Atomic size_t sink_bytes;
static void count_sink(void *user, int stream, const char *bytes, size_t len) {
    (void)user;
    (void)stream;
    (void)bytes;
    atomic_fetch_add(&sink_bytes, len);
}


static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_buf[256];

static void log_ev(const char *what) {
    pthread_mutex_lock(&log_lock);
    size_t n = strlen(log_buf);
    snprintf(log_buf + n, sizeof log_buf - n, "%s%s@%lld", n ? " " : "", what,
             (long long)now_ms());
    pthread_mutex_unlock(&log_lock);
}

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    int64_t ms, i;
    const char *name;
    bool wait_forever; /* after the read: wait for a wake-up nobody sends */
} Step;

/* Reads file `name` (its text must be "data") and logs "F<name>"; or yields -ms times
 * logging "Y" each time (ms < 0); or sleeps `ms` and logs "T". */
static CoroStatus step_main(WorkerContext *ctx, void *p) {
    Step *s = p;
    BEGIN(s)
    if (s->name) {
        AWAIT(s, vex_io_read_file(ctx, P(s->name)), &s->r);
        TCHECK(s->r.tag == VEX_IO_OK && str_eq(s->r.u.s, "data"));
        if (s->r.tag == VEX_IO_OK) vex_string_release(s->r.u.s);
        char label[64];
        snprintf(label, sizeof label, "F%s", s->name);
        log_ev(label);
        if (s->wait_forever) {
            s->tag = 1000;
            worker_await_wake(ctx);
            return CORO_STATUS_YIELDED;
        case 1000:
            return vex_task_finish_cancelled(ctx);
        }
    } else if (s->ms < 0) {
        for (s->i = 0; s->i < -s->ms; s->i++) {
            log_ev("Y");
            s->tag = 1001;
            worker_yield(ctx);
            return CORO_STATUS_YIELDED;
        case 1001:;
        }
    } else {
        SLEEP(s, (uint64_t)s->ms);
        log_ev("T");
    }
    END
    return CORO_STATUS_DONE;
cancel_exit:
    return vex_task_finish_cancelled(ctx);
}

static void spawn_step(Runtime *rt, int64_t ms, const char *name, bool forever) {
    Step *s = task_new(rt, sizeof *s, step_main);
    s->ms = ms;
    s->name = name;
    s->wait_forever = forever;
    vex_future_release(vex_task_spawn_in(rt, s));
}

TEST(virtual_clock_waits_for_file_jobs_which_complete_in_start_order) {
    atomic_store(&task_failures, 0);
    FILE *f = fopen(path_in("plain"), "w");
    fputs("data", f);
    fclose(f);
    for (int rep = 0; rep < 3; rep++) {
        log_buf[0] = 0;
        FifoWriter fw;
        fifo_start(&fw, path_in("fifo"), rep == 0 ? 100 : 10);
        Runtime *rt = make_runtime(1, true, false);
        spawn_step(rt, 10, NULL, false);
        spawn_step(rt, 0, "fifo", false); /* slow: its job waits for the FIFO's writer */
        spawn_step(rt, 0, NULL, false);
        spawn_step(rt, 0, "plain", false); /* fast, but started second */
        spawn_step(rt, -3, NULL, false);
        runtime_run(rt);
        fifo_join(&fw);
        CHECK(balanced(rt));
        runtime_destroy(rt);
        /* Ready tasks first, then the due timer; then (nothing ready) both jobs, in the
         * order they started, however long each took; only then the clock jumps. */
        CHECK_STR(log_buf, "Y@0 Y@0 Y@0 T@0 Ffifo@0 Fplain@0 T@10");
    }
    unlink(path_in("plain"));
    CHECK_EQ_U(atomic_load(&task_failures), 0);
}

TEST(deadlock_detection_waits_for_file_jobs_and_checks_again_after_them) {
    atomic_store(&task_failures, 0);
    for (int workers = 1; workers <= 2; workers++) {
        for (int forever = 0; forever <= 1; forever++) {
            log_buf[0] = 0;
            FifoWriter fw;
            fifo_start(&fw, path_in("fifo"), 150);
            Runtime *rt = make_runtime(workers, false, true);
            runtime_set_sink(rt, count_sink, NULL); /* the deadlock line */
            spawn_step(rt, -1, "fifo", forever);
            int64_t t0 = wall_ms();
            runtime_run(rt);
            fifo_join(&fw);
            CHECK(wall_ms() - t0 >= 100);
            CHECK(strncmp(log_buf, "Ffifo@", 6) == 0);
            /* Quiet while the job was in flight; a real deadlock after it is reported. */
            CHECK_EQ_U(runtime_deadlocked(rt), forever ? 1 : 0);
            runtime_destroy(rt);
        }
    }
    CHECK_EQ_U(atomic_load(&task_failures), 0);
}

/* ---- vex_exit ------------------------------------------------------------------------------ */

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    int64_t ms;
    int32_t code;
} Exiter;

/* Sleeps, then exits with `code` (code < 0: opens a file and keeps it, sleeping long). */
static CoroStatus exiter_main(WorkerContext *ctx, void *p) {
    Exiter *s = p;
    BEGIN(s)
    if (s->code < 0) {
        AWAIT(s, vex_io_file_open(ctx, P("keep.txt")), &s->r);
        TCHECK(s->r.tag == VEX_IO_OK);
    }
    SLEEP(s, (uint64_t)s->ms);
    if (s->code >= 0) vex_exit(s->code);
    TCHECK(!"survived the exit");
    END
    return CORO_STATUS_DONE;
cancel_exit:
    return vex_task_finish_cancelled(ctx);
}

static void exit_off_worker(void *arg) {
    (void)arg;
    vex_exit(3);
}

TEST(exit_ends_the_run_at_once_and_records_the_code) {
    FILE *f = fopen(path_in("keep.txt"), "w");
    fclose(f);
    int fds = count_fds();
    atomic_store(&task_failures, 0);
    atomic_store(&sink_bytes, 0);
    for (int workers = 1; workers <= 2; workers++) {
        Runtime *rt = make_runtime(workers, false, false);
        runtime_set_sink(rt, count_sink, NULL);
        CHECK(!runtime_exited(rt) && runtime_exit_code(rt) == -1);
        for (int i = 0; i < 4; i++) { /* abandoned: two hold an open file */
            Exiter *s = task_new(rt, sizeof *s, exiter_main);
            s->ms = 10000;
            s->code = i < 2 ? -1 : 1000;
            vex_future_release(vex_task_spawn_in(rt, s));
        }
        Exiter *e = task_new(rt, sizeof *e, exiter_main);
        e->ms = 30;
        e->code = 7;
        VexFuture *fe = vex_task_spawn_in(rt, e);
        int64_t t0 = wall_ms();
        runtime_run(rt);
        CHECK(wall_ms() - t0 < 5000);
        CHECK(runtime_exited(rt));
        CHECK_EQ_U(runtime_exit_code(rt), 7);
        CHECK(!runtime_panicked(rt) && runtime_panic_message(rt) == NULL);
        CHECK(vex_future_outcome(fe) != VEX_OUTCOME_VALUE);
        VexCounters c;
        runtime_counters(rt, &c);
        CHECK(c.alive > 0);
        vex_future_release(fe);
        runtime_destroy(rt); /* frees the abandoned tasks and closes their files */
    }
    CHECK_EQ_U(atomic_load(&sink_bytes), 0);
    CHECK_EQ_U(count_fds(), fds);
    /* Off-worker, inside vex_catch_panic. */
    Runtime *rt = make_runtime(1, false, false);
    runtime_set_current(rt);
    CHECK(vex_catch_panic(exit_off_worker, NULL) == VEX_CATCH_EXIT);
    CHECK(runtime_exited(rt) && runtime_exit_code(rt) == 3 && !runtime_panicked(rt));
    runtime_set_current(NULL);
    runtime_destroy(rt);
    unlink(path_in("keep.txt"));
    CHECK_EQ_U(atomic_load(&task_failures), 0);
}

/* ---- args and getEnv -------------------------------------------------------------------- */

typedef struct {
    VexVec *args;
} ArgsMain;

static CoroStatus args_main(WorkerContext *ctx, void *p) {
    (void)ctx;
    ArgsMain *s = p;
    s->args = vex_args();
    return CORO_STATUS_DONE;
}

static VexString *vec_str(VexVec *v, size_t i) {
    VexString *s;
    memcpy(&s, (char *)v + VEX_VEC_HEADER_SIZE + i * sizeof s, sizeof s);
    return s;
}

typedef struct {
    uint32_t tag;
    VexString *value;
} Opt;
_Static_assert(sizeof(Opt) == VEX_OPTION_SIZE, "Option<string> is 16 bytes");

TEST(args_and_get_env) {
    CHECK(vex_args() == NULL); /* no current runtime */
    Runtime *rt = make_runtime(1, false, false);
    const char *argv[] = {"a", "bb", ""};
    runtime_set_args(rt, 2, argv);
    runtime_set_args(rt, 3, argv); /* replaces */
    ArgsMain *m = task_new(rt, sizeof *m, args_main);
    vex_future_release(vex_task_spawn_in(rt, m));
    runtime_run(rt);
    CHECK(balanced(rt));
    CHECK_EQ_U(vex_vec_len(m->args), 3);
    CHECK(str_eq(vec_str(m->args, 0), "a") && str_eq(vec_str(m->args, 1), "bb") &&
          vex_string_len(vec_str(m->args, 2)) == 0);
    /* A copy with value semantics: changing it leaves the runtime's alone. */
    VexString *x = str("x");
    m->args = vex_vec_push(m->args, &vex_elem_string, &x);
    runtime_set_current(rt);
    VexVec *again = vex_args();
    CHECK_EQ_U(vex_vec_len(again), 3);
    CHECK_EQ_U(vex_vec_len(m->args), 4);
    vex_vec_release(again);
    vex_vec_release(m->args);
    runtime_set_current(NULL);
    runtime_set_args(rt, 0, NULL);
    runtime_destroy(rt);

    setenv("VEX_TEST_VAR", "value=1", 1);
    setenv("VEX_TEST_EMPTY", "", 1);
    Opt o;
    VexString *n = str("VEX_TEST_VAR");
    vex_get_env(n, &o);
    CHECK(o.tag == VEX_OPTION_SOME && str_eq(o.value, "value=1"));
    vex_string_release(o.value);
    vex_string_release(n);
    n = str("VEX_TEST_EMPTY");
    vex_get_env(n, &o);
    CHECK(o.tag == VEX_OPTION_SOME && vex_string_len(o.value) == 0);
    vex_string_release(o.value);
    vex_string_release(n);
    const char *none[] = {"VEX_TEST_UNSET_VARIABLE", "", "VEX_TEST_VAR=value=1"};
    for (int i = 0; i < 3; i++) {
        n = str(none[i]);
        vex_get_env(n, &o);
        CHECK(o.tag == VEX_OPTION_NONE && o.value == NULL);
        vex_string_release(n);
    }
    n = vex_string_from_bytes("VEX_TEST_VAR\0x", 14);
    vex_get_env(n, &o);
    CHECK(o.tag == VEX_OPTION_NONE);
    vex_string_release(n);
    unsetenv("VEX_TEST_VAR");
    unsetenv("VEX_TEST_EMPTY");
}

/* ---- IoError values ------------------------------------------------------------------------ */

TEST(io_error_values) {
    VexIoError *e = vex_io_error_new(ENOENT, NULL);
    CHECK_EQ_U(vex_io_error_code(e), ENOENT);
    VexString *m = vex_io_error_message(e);
    CHECK(str_eq(m, "No such file or directory"));
    vex_string_release(m);
    CHECK(vex_io_error_retain(e) == e);
    vex_io_error_release(e);
    vex_io_error_release(e);
    VexString *text = str("invalid address: foo");
    e = vex_io_error_new(0, text);
    vex_string_release(text);
    CHECK_EQ_U(vex_io_error_code(e), 0);
    m = vex_io_error_message(e);
    CHECK(str_eq(m, "invalid address: foo"));
    vex_string_release(m);
    vex_io_error_release(e);
    vex_io_error_release(NULL);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/vex-io-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(whole_file_operations_and_their_errors);
    RUN(file_handles_read_in_chunks_read_all_and_write);
    RUN(stress_open_and_close_leave_the_descriptor_count_unchanged);
    RUN(cancelling_queued_and_running_file_jobs);
    RUN(cancelling_file_ops_at_any_moment_releases_what_they_made);
    RUN(virtual_clock_waits_for_file_jobs_which_complete_in_start_order);
    RUN(deadlock_detection_waits_for_file_jobs_and_checks_again_after_them);
    RUN(exit_ends_the_run_at_once_and_records_the_code);
    RUN(args_and_get_env);
    RUN(io_error_values);
    if (rmdir(dir) != 0) perror("rmdir");
    HARNESS_END();
}
