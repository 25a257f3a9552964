/*
 * io.c — what the I/O operations of LANGUAGE.md §13 share: IoError values, handles (File,
 * TcpListener, TcpStream) and the op task around each operation (allocation, operands,
 * the Result<T, IoError> it finishes with, cancellation, the release of a result nobody
 * took). The operations themselves are in fs.c (files, on the blocking pool) and net.c
 * (TCP, on the reactor). Must not block: its only system calls are close(2) and
 * shutdown(2) of a handle's descriptor.
 *
 * Handle lifetime. A handle is reference counted; operations retain it. Its descriptor
 * is released by vex_io_close or by the last release, but never while an operation
 * uses it (io_op_use / io_use_end): close then only marks the handle closed (and shuts a
 * socket down, which wakes an operation waiting on it), and the last user releases the
 * descriptor. Every live handle is on its runtime's list, so runtime_destroy can close
 * the ones that abandoned tasks still hold.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- Errors ------------------------------------------------------------------------------- */

static VexIoError *error_new(int64_t code, VexString *message) {
    VexIoError *e = malloc(sizeof *e);
    if (!e) {
        fprintf(stderr, "vex-rt: out of memory allocating an IoError\n");
        abort();
    }
    atomic_init(&e->refs, 1);
    e->reserved = 0;
    e->code = code;
    e->message = message;
    return e;
}

static VexString *errno_text(int code) {
    char buf[128];
    const char *text = strerror_r(code, buf, sizeof buf); /* GNU: may not use buf */
    return vex_string_from_bytes(text, strlen(text));
}

VexIoError *io_error_errno(int code) { return error_new(code, errno_text(code)); }

VexIoError *io_error_text(int code, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
    return error_new(code, vex_string_from_bytes(buf, (size_t)n));
}

VexIoError *vex_io_error_new(int64_t code, VexString *message) {
    if (!message && code > 0 && code <= INT32_MAX) return io_error_errno((int)code);
    return error_new(code, vex_string_retain(message));
}

int64_t vex_io_error_code(const VexIoError *e) { return e->code; }

VexString *vex_io_error_message(const VexIoError *e) { return vex_string_retain(e->message); }

VexIoError *vex_io_error_retain(VexIoError *e) {
    if (e) atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
    return e;
}

void vex_io_error_release(VexIoError *e) {
    if (!e || atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) != 1) return;
    vex_string_release(e->message);
    free(e);
}

/* ---- Handles ------------------------------------------------------------------------------ */

VexIoHandle *io_handle_new(Runtime *rt, uint8_t kind, int fd) {
    VexIoHandle *h = malloc(sizeof *h);
    if (!h) {
        fprintf(stderr, "vex-rt: out of memory allocating an I/O handle\n");
        abort();
    }
    atomic_init(&h->refs, 1);
    h->kind = kind;
    atomic_init(&h->closed, false);
    h->fd = fd;
    h->busy = 0;
    h->port = 0;
    pthread_mutex_init(&h->lock, NULL);
    h->rt = rt;
    h->prev = NULL;
    pthread_mutex_lock(&rt->io_lock);
    h->next = rt->handles;
    if (h->next) h->next->prev = h;
    rt->handles = h;
    pthread_mutex_unlock(&rt->io_lock);
    return h;
}

/* Closes a handle's descriptor (nobody uses it any more). A socket's fd leaves the
 * reactor first: its number may come back for another file. */
static void handle_close_fd(VexIoHandle *h, int fd) {
    if (h->kind != VEX_IO_FILE) reactor_forget(&h->rt->reactor, fd);
    close(fd);
}

VexIoHandle *vex_io_handle_retain(VexIoHandle *h) {
    if (h) atomic_fetch_add_explicit(&h->refs, 1, memory_order_relaxed);
    return h;
}

/* The last reference is gone: no operation holds it, so none uses the descriptor. */
void vex_io_handle_release(VexIoHandle *h) {
    if (!h || atomic_fetch_sub_explicit(&h->refs, 1, memory_order_acq_rel) != 1) return;
    Runtime *rt = h->rt;
    pthread_mutex_lock(&rt->io_lock);
    if (h->prev) h->prev->next = h->next;
    else rt->handles = h->next;
    if (h->next) h->next->prev = h->prev;
    pthread_mutex_unlock(&rt->io_lock);
    if (h->fd >= 0) handle_close_fd(h, h->fd);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

void vex_io_close(VexIoHandle *h) {
    int fd = -1;
    pthread_mutex_lock(&h->lock);
    if (!atomic_load_explicit(&h->closed, memory_order_relaxed)) {
        atomic_store_explicit(&h->closed, true, memory_order_release);
        if (h->busy == 0) {
            fd = h->fd;
            h->fd = -1;
        } else if (h->kind != VEX_IO_FILE && h->fd >= 0) {
            /* Wakes the operations waiting on it; the last of them releases the fd. */
            shutdown(h->fd, SHUT_RDWR);
        }
    }
    pthread_mutex_unlock(&h->lock);
    if (fd >= 0) handle_close_fd(h, fd);
}

int32_t vex_io_handle_kind(const VexIoHandle *h) { return h->kind; }

int64_t vex_io_listener_port(const VexIoHandle *h) {
    return h->kind == VEX_IO_TCP_LISTENER ? h->port : 0;
}

bool io_op_use(IoOp *op) {
    VexIoHandle *h = op->h;
    pthread_mutex_lock(&h->lock);
    bool open = !atomic_load_explicit(&h->closed, memory_order_relaxed) && h->fd >= 0;
    if (open) {
        h->busy++;
        op->fd = h->fd;
        op->holds_use = true;
    }
    pthread_mutex_unlock(&h->lock);
    return open;
}

static void io_use_end(IoOp *op) {
    VexIoHandle *h = op->h;
    int fd = -1;
    pthread_mutex_lock(&h->lock);
    if (--h->busy == 0 && atomic_load_explicit(&h->closed, memory_order_relaxed)) {
        fd = h->fd;
        h->fd = -1;
    }
    pthread_mutex_unlock(&h->lock);
    op->holds_use = false;
    if (fd >= 0) handle_close_fd(h, fd);
}

static void elem_handle_retain(void *elem) { vex_io_handle_retain(*(VexIoHandle **)elem); }
static void elem_handle_release(void *elem) { vex_io_handle_release(*(VexIoHandle **)elem); }
static void elem_error_retain(void *elem) { vex_io_error_retain(*(VexIoError **)elem); }
static void elem_error_release(void *elem) { vex_io_error_release(*(VexIoError **)elem); }

const VexElemType vex_elem_io_handle = {.size = sizeof(VexIoHandle *),
                                        .align = _Alignof(VexIoHandle *),
                                        .retain = elem_handle_retain,
                                        .release = elem_handle_release,
                                        .kind = VEX_ELEM_OTHER};
const VexElemType vex_elem_io_error = {.size = sizeof(VexIoError *),
                                       .align = _Alignof(VexIoError *),
                                       .retain = elem_error_retain,
                                       .release = elem_error_release,
                                       .kind = VEX_ELEM_OTHER};

/* ---- Op tasks ------------------------------------------------------------------------------ */

/* The result of an op that was never taken (every handle to it released). */
static void op_drop_result(WorkerContext *ctx, void *state) {
    (void)ctx;
    IoOp *op = state;
    uint32_t tag;
    memcpy(&tag, op->result, sizeof tag);
    void *p;
    memcpy(&p, op->result + VEX_IO_PAYLOAD_OFFSET, sizeof p);
    if (tag == VEX_IO_ERR) vex_io_error_release(p);
    else if (op->payload == PAYLOAD_STRING) vex_string_release(p);
    else if (op->payload == PAYLOAD_HANDLE) vex_io_handle_release(p);
}

IoOp *io_op_alloc(WorkerContext *ctx, uint8_t kind, uint8_t payload, coro_resume_func resume) {
    Runtime *rt = ctx ? ctx->rt : runtime_current();
    if (!rt) {
        fprintf(stderr, "vex-rt: an I/O operation without a current runtime\n");
        abort();
    }
    size_t size = payload == PAYLOAD_BOOL ? VEX_IO_BOOL_RESULT_SIZE : VEX_IO_RESULT_SIZE;
    IoOp *op = vex_task_alloc_in(rt, sizeof(IoOp), offsetof(IoOp, result), size, resume);
    op->kind = kind;
    op->payload = payload;
    op->fd = -1;
    if (payload != PAYLOAD_BOOL) vex_task_set_drop_result(op, op_drop_result);
    return op;
}

void io_op_operands(IoOp *op, VexIoHandle *h, VexString *str, VexString *data, int64_t num) {
    op->h = vex_io_handle_retain(h);
    op->str = vex_string_retain(str);
    op->data = vex_string_retain(data);
    op->num = num;
}

VexFuture *io_op_spawn(WorkerContext *ctx, IoOp *op, VexIoHandle *h, VexString *str,
                       VexString *data, int64_t num) {
    io_op_operands(op, h, str, data, num);
    return vex_task_spawn(ctx, op);
}

static void release_operands(IoOp *op) {
    if (op->holds_use) io_use_end(op);
    vex_io_handle_release(op->h);
    vex_string_release(op->str);
    vex_string_release(op->data);
    op->h = NULL;
    op->str = op->data = NULL;
}

CoroStatus io_op_finish(WorkerContext *ctx, IoOp *op) {
    (void)ctx;
    release_operands(op);
    VexIoError *err = op->out_err;
    if (!err && op->err) err = io_error_errno(op->err);
    if (op->payload == PAYLOAD_BOOL) {
        op->result[0] = !err && op->out_bool;
        vex_io_error_release(err);
        return CORO_STATUS_DONE;
    }
    uint32_t tag = err ? VEX_IO_ERR : VEX_IO_OK;
    memcpy(op->result, &tag, sizeof tag);
    unsigned char *payload = op->result + VEX_IO_PAYLOAD_OFFSET;
    if (err) {
        /* An op that failed after producing something (connect) releases it here. */
        vex_string_release(op->out_str);
        vex_io_handle_release(op->out_h);
        memcpy(payload, &err, sizeof err);
    } else if (op->payload == PAYLOAD_STRING) {
        memcpy(payload, &op->out_str, sizeof op->out_str);
    } else if (op->payload == PAYLOAD_HANDLE) {
        memcpy(payload, &op->out_h, sizeof op->out_h);
    } else if (op->payload == PAYLOAD_I64) {
        memcpy(payload, &op->out_n, sizeof op->out_n);
    }
    op->out_str = NULL;
    op->out_h = NULL;
    op->out_err = NULL;
    return CORO_STATUS_DONE;
}

CoroStatus io_op_cancel(WorkerContext *ctx, IoOp *op) {
    release_operands(op);
    vex_string_release(op->out_str);
    vex_io_handle_release(op->out_h);
    vex_io_error_release(op->out_err);
    op->out_str = NULL;
    op->out_h = NULL;
    op->out_err = NULL;
    return vex_task_finish_cancelled(ctx);
}

/* ---- Lifecycle ----------------------------------------------------------------------------- */

void rt_io_init(Runtime *rt) {
    atomic_init(&rt->blocking_inflight, 0);
    pool_init(&rt->pool);
    pthread_mutex_init(&rt->io_lock, NULL);
    rt->handles = NULL;
    rt->args = NULL;
    atomic_init(&rt->exited, false);
    atomic_init(&rt->exit_code, -1);
}

/* The pool first (its threads may still finish jobs of abandoned tasks and make
 * handles), then the handles nobody released, then the program arguments. */
void rt_io_destroy(Runtime *rt) {
    pool_destroy(&rt->pool);
    VexIoHandle *h = rt->handles;
    while (h) {
        VexIoHandle *next = h->next;
        if (h->fd >= 0) close(h->fd);
        pthread_mutex_destroy(&h->lock);
        free(h);
        h = next;
    }
    rt->handles = NULL;
    pthread_mutex_destroy(&rt->io_lock);
    vex_vec_release(rt->args);
    rt->args = NULL;
}
