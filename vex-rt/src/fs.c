/*
 * fs.c — the file operations of LANGUAGE.md §13 (readFile, writeFile, appendFile,
 * removeFile, exists, File.open/create/openAppend, f.read, f.readAll, f.write). Each is
 * an op task (io.c) whose blocking system calls run as one job on the blocking pool
 * (pool.c); the task never blocks its worker.
 *
 * The op task: its first run checks what can be checked at once (a negative max, a
 * closed handle, a 0 byte in a path), submits the job and suspends on it
 * (rt_await_blocking). When the pool has run the job (JOB_DONE) it finishes with the
 * job's result. Cancelled before the job started: the job is withdrawn and the task
 * finishes cancelled at once. Cancelled while the job runs: the job cannot be
 * interrupted, so the task waits for it (cancellation wakes it, but the wait is taken
 * again) and then releases what the job produced and finishes cancelled.
 *
 * The job functions run on a pool thread: they read only the op's operands (retained,
 * immutable strings; the handle's descriptor, kept open by io_op_use) and write only the
 * op's out_ fields and err. Must not touch the scheduler.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    FS_READ_FILE,
    FS_WRITE_FILE,
    FS_APPEND_FILE,
    FS_REMOVE_FILE,
    FS_EXISTS,
    FS_OPEN,
    FS_CREATE,
    FS_OPEN_APPEND,
    FS_READ,
    FS_READ_ALL,
    FS_WRITE,
};

#define FIRST_CHUNK 4096u
#define MAX_CHUNK (64u << 10)

/* ---- Blocking helpers (pool threads) ------------------------------------------------------ */

/* Reads from fd until `max` bytes or the end of the file (max < 0: no limit) into a new
 * string; 0 on success, else the errno (nothing is kept). `hint` is a first capacity. */
static int read_up_to(int fd, int64_t max, size_t hint, VexString **out) {
    size_t limit = max < 0 ? SIZE_MAX : (size_t)max;
    size_t cap = hint < FIRST_CHUNK ? FIRST_CHUNK : hint;
    if (cap > limit) cap = limit;
    *out = NULL;
    if (cap == 0) return 0;
    VexString *s = string_alloc(cap);
    size_t len = 0;
    for (;;) {
        if (len == cap) {
            if (cap == limit) break;
            size_t grow = cap < limit - cap ? cap : limit - cap;
            cap += grow;
            s = string_resize(s, cap);
        }
        ssize_t n = read(fd, s->bytes + len, cap - len);
        if (n > 0) {
            len += (size_t)n;
        } else if (n == 0) {
            break;
        } else if (errno != EINTR) {
            int e = errno;
            string_resize(s, 0); /* frees it */
            return e;
        }
    }
    *out = string_resize(s, len);
    return 0;
}

/* Writes all `len` bytes; 0 or the errno. */
static int write_all(int fd, const char *bytes, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, bytes, len);
        if (n > 0) {
            bytes += n;
            len -= (size_t)n;
        } else if (n < 0 && errno != EINTR) {
            return errno;
        }
    }
    return 0;
}

/* The size of a regular file (a capacity hint for reading it whole), else 0. */
static size_t size_hint(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) return 0;
    return (uint64_t)st.st_size >= SIZE_MAX - 1 ? 0 : (size_t)st.st_size + 1;
}

static int open_flags(uint8_t kind) {
    switch (kind) {
    case FS_WRITE_FILE:
    case FS_CREATE: return O_WRONLY | O_CREAT | O_TRUNC;
    case FS_APPEND_FILE:
    case FS_OPEN_APPEND: return O_WRONLY | O_CREAT | O_APPEND;
    default: return O_RDONLY;
    }
}

/* Runs the op's system calls (a pool job). */
static void fs_run(VexBlockingJob *job) {
    IoOp *op = (IoOp *)job;
    const char *path = vex_string_bytes(op->str);
    int fd = -1, e = 0;
    switch (op->kind) {
    case FS_READ_FILE:
    case FS_WRITE_FILE:
    case FS_APPEND_FILE:
    case FS_OPEN:
    case FS_CREATE:
    case FS_OPEN_APPEND:
        do fd = open(path, open_flags(op->kind) | O_CLOEXEC, 0666);
        while (fd < 0 && errno == EINTR);
        if (fd < 0) {
            op->err = errno;
            return;
        }
        break;
    default: break;
    }
    switch (op->kind) {
    case FS_READ_FILE:
        e = read_up_to(fd, -1, size_hint(fd), &op->out_str);
        close(fd);
        break;
    case FS_WRITE_FILE:
    case FS_APPEND_FILE:
        e = write_all(fd, vex_string_bytes(op->data), vex_string_len(op->data));
        if (close(fd) != 0 && e == 0 && errno != EINTR) e = errno;
        break;
    case FS_REMOVE_FILE:
        if (unlink(path) != 0) e = errno;
        break;
    case FS_EXISTS: {
        struct stat st;
        op->out_bool = stat(path, &st) == 0;
        break;
    }
    case FS_OPEN:
    case FS_CREATE:
    case FS_OPEN_APPEND:
        op->out_h = io_handle_new(task_runtime(job->task), VEX_IO_FILE, fd);
        break;
    case FS_READ:
        e = read_up_to(op->fd, op->num, op->num < MAX_CHUNK ? (size_t)op->num : MAX_CHUNK,
                       &op->out_str);
        break;
    case FS_READ_ALL:
        e = read_up_to(op->fd, -1, size_hint(op->fd), &op->out_str);
        break;
    case FS_WRITE:
        e = write_all(op->fd, vex_string_bytes(op->data), vex_string_len(op->data));
        if (e == 0) op->out_n = (int64_t)vex_string_len(op->data);
        break;
    }
    op->err = e;
}

/* ---- The op task ----------------------------------------------------------------------------- */

/* What the first run can decide without a system call: false if the op has failed. */
static bool fs_check(IoOp *op) {
    if (op->h) {
        if (op->kind == FS_READ && op->num < 0) {
            op->err = EINVAL;
            return false;
        }
        if (!io_op_use(op)) {
            op->err = EBADF;
            return false;
        }
        return true;
    }
    if (memchr(vex_string_bytes(op->str), 0, vex_string_len(op->str))) {
        op->err = EINVAL; /* a path the system cannot be given */
        return false;
    }
    return true;
}

static CoroStatus fs_resume(WorkerContext *ctx, void *state) {
    IoOp *op = state;
    if (op->tag == 0) {
        if (vex_task_cancelled(ctx)) return io_op_cancel(ctx, op);
        if (!fs_check(op)) return io_op_finish(ctx, op);
        op->tag = 1;
        op->job.run = fs_run;
        rt_blocking_submit(ctx, &op->job);
        rt_await_blocking(ctx);
        return CORO_STATUS_YIELDED;
    }
    if (atomic_load_explicit(&op->job.state, memory_order_acquire) != JOB_DONE) {
        if (vex_task_cancelled(ctx) && rt_blocking_withdraw(ctx->rt, &op->job))
            return io_op_cancel(ctx, op);
        rt_await_blocking(ctx); /* running on a pool thread (or a stray wake-up) */
        return CORO_STATUS_YIELDED;
    }
    if (vex_task_cancelled(ctx)) return io_op_cancel(ctx, op);
    return io_op_finish(ctx, op);
}

static VexFuture *fs_op(WorkerContext *ctx, uint8_t kind, uint8_t payload, VexIoHandle *h,
                        VexString *path, VexString *data, int64_t num) {
    IoOp *op = io_op_alloc(ctx, kind, payload, fs_resume);
    return io_op_spawn(ctx, op, h, path, data, num);
}

VexFuture *vex_io_read_file(WorkerContext *ctx, VexString *path) {
    return fs_op(ctx, FS_READ_FILE, PAYLOAD_STRING, NULL, path, NULL, 0);
}

VexFuture *vex_io_write_file(WorkerContext *ctx, VexString *path, VexString *data) {
    return fs_op(ctx, FS_WRITE_FILE, PAYLOAD_UNIT, NULL, path, data, 0);
}

VexFuture *vex_io_append_file(WorkerContext *ctx, VexString *path, VexString *data) {
    return fs_op(ctx, FS_APPEND_FILE, PAYLOAD_UNIT, NULL, path, data, 0);
}

VexFuture *vex_io_remove_file(WorkerContext *ctx, VexString *path) {
    return fs_op(ctx, FS_REMOVE_FILE, PAYLOAD_UNIT, NULL, path, NULL, 0);
}

VexFuture *vex_io_exists(WorkerContext *ctx, VexString *path) {
    return fs_op(ctx, FS_EXISTS, PAYLOAD_BOOL, NULL, path, NULL, 0);
}

VexFuture *vex_io_file_open(WorkerContext *ctx, VexString *path) {
    return fs_op(ctx, FS_OPEN, PAYLOAD_HANDLE, NULL, path, NULL, 0);
}

VexFuture *vex_io_file_create(WorkerContext *ctx, VexString *path) {
    return fs_op(ctx, FS_CREATE, PAYLOAD_HANDLE, NULL, path, NULL, 0);
}

VexFuture *vex_io_file_open_append(WorkerContext *ctx, VexString *path) {
    return fs_op(ctx, FS_OPEN_APPEND, PAYLOAD_HANDLE, NULL, path, NULL, 0);
}

VexFuture *vex_io_file_read(WorkerContext *ctx, VexIoHandle *f, int64_t max) {
    return fs_op(ctx, FS_READ, PAYLOAD_STRING, f, NULL, NULL, max);
}

VexFuture *vex_io_file_read_all(WorkerContext *ctx, VexIoHandle *f) {
    return fs_op(ctx, FS_READ_ALL, PAYLOAD_STRING, f, NULL, NULL, 0);
}

VexFuture *vex_io_file_write(WorkerContext *ctx, VexIoHandle *f, VexString *data) {
    return fs_op(ctx, FS_WRITE, PAYLOAD_I64, f, NULL, data, 0);
}
