/*
 * net.c — the TCP operations of LANGUAGE.md §13: TcpListener.bind, l.accept,
 * TcpStream.connect, s.read, s.write. Each is an op task (io.c) over non-blocking
 * sockets: it tries the system call and, when the socket is not ready (EAGAIN, a connect
 * in progress), waits on the runtime's epoll reactor (rt_await_io_since, with the fd's
 * event tick read before the attempt) and tries again. A read skips the attempt when the
 * last read emptied the socket and no event came since (reactor_is_drained).
 * Cancellation withdraws the reactor registration before the task runs (sched.c), so a
 * cancelled op finishes at once. A handle closed while an op waits on it is shut down,
 * which wakes the op; it then ends with EBADF.
 *
 * Addresses are literals only (no DNS, which would block): IPv4, IPv6 (bare or in
 * brackets) or "localhost" (127.0.0.1). Must not block a worker.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { NET_BIND, NET_ACCEPT, NET_CONNECT, NET_READ, NET_WRITE };

/* What one s.read may return at most (it may always return fewer bytes). */
#define READ_CHUNK (64u << 10)
/* accept errors that concern only the connection being accepted: try the next one. */
#define ACCEPT_RETRIES 64

/* ---- Addresses ----------------------------------------------------------------------------- */

typedef struct Addr {
    struct sockaddr_storage ss;
    socklen_t len;
} Addr;

/* Parses host and port into `a`; on failure sets op->out_err and returns false. Port 0
 * is valid only for bind (it picks a free port). */
static bool parse_addr(IoOp *op, bool for_bind, Addr *a) {
    const char *text = vex_string_bytes(op->str);
    size_t n = vex_string_len(op->str);
    char host[INET6_ADDRSTRLEN + 2];
    bool ok = n > 0 && n < sizeof host && !memchr(text, 0, n);
    if (ok) {
        memcpy(host, text, n);
        host[n] = 0;
    }
    memset(a, 0, sizeof *a);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&a->ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a->ss;
    if (ok && strcmp(host, "localhost") == 0) {
        v4->sin_family = AF_INET;
        v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a->len = sizeof *v4;
    } else if (ok && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        a->len = sizeof *v4;
    } else {
        char *h = host;
        if (ok && n >= 2 && host[0] == '[' && host[n - 1] == ']') {
            host[n - 1] = 0;
            h = host + 1;
        }
        ok = ok && inet_pton(AF_INET6, h, &v6->sin6_addr) == 1;
        v6->sin6_family = AF_INET6;
        a->len = sizeof *v6;
    }
    if (!ok) {
        int shown = n > 200 ? 200 : (int)n;
        op->out_err = io_error_text(0, "invalid address: %.*s", shown, text);
        return false;
    }
    if (op->num < (for_bind ? 0 : 1) || op->num > 65535) {
        op->out_err = io_error_text(0, "invalid port: %lld", (long long)op->num);
        return false;
    }
    uint16_t port = htons((uint16_t)op->num);
    if (a->ss.ss_family == AF_INET) v4->sin_port = port;
    else v6->sin6_port = port;
    return true;
}

static void set_nodelay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* ---- The operations ------------------------------------------------------------------------
 * Each step returns 0 when the op is over (result in out_ / err) or the EventType to wait
 * for on op->fd before the next step. */

static int bind_step(IoOp *op, Runtime *rt) {
    Addr a;
    if (!parse_addr(op, true, &a)) return 0;
    int fd = socket(a.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        op->err = errno;
        return 0;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    if (bind(fd, (struct sockaddr *)&a.ss, a.len) != 0 || listen(fd, SOMAXCONN) != 0 ||
        getsockname(fd, (struct sockaddr *)&bound, &blen) != 0) {
        op->err = errno;
        close(fd);
        return 0;
    }
    op->out_h = io_handle_new(rt, VEX_IO_TCP_LISTENER, fd);
    op->out_h->port = ntohs(bound.ss_family == AF_INET
                                ? ((struct sockaddr_in *)&bound)->sin_port
                                : ((struct sockaddr_in6 *)&bound)->sin6_port);
    return 0;
}

static int accept_step(IoOp *op, Runtime *rt) {
    for (int tries = 0; tries < ACCEPT_RETRIES; tries++) {
        int fd = accept4(op->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            set_nodelay(fd);
            op->out_h = io_handle_new(rt, VEX_IO_TCP_STREAM, fd);
            return 0;
        }
        switch (errno) {
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
            return EVENT_READ;
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
        case EPERM: /* a firewall rule refused this one */
            continue;
        default:
            op->err = errno;
            return 0;
        }
    }
    return EVENT_READ;
}

/* Phase in op->tag: 0 the first run, 1 waiting for the connection to complete. */
static int connect_step(IoOp *op, Runtime *rt) {
    if (op->tag == 0) {
        Addr a;
        if (!parse_addr(op, false, &a)) return 0;
        int fd = socket(a.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            op->err = errno;
            return 0;
        }
        /* A handle at once: whatever happens now (cancellation, a panic) closes it. */
        op->out_h = io_handle_new(rt, VEX_IO_TCP_STREAM, fd);
        op->fd = fd;
        int rc;
        do rc = connect(fd, (struct sockaddr *)&a.ss, a.len);
        while (rc != 0 && errno == EINTR);
        if (rc == 0) {
            set_nodelay(fd);
            return 0;
        }
        if (errno != EINPROGRESS) {
            op->err = errno; /* io_op_finish releases out_h */
            return 0;
        }
        op->tag = 1;
        return EVENT_WRITE;
    }
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (getsockopt(op->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0) soerr = errno;
    if (soerr != 0) {
        op->err = soerr;
        return 0;
    }
    struct sockaddr_storage peer;
    socklen_t plen = sizeof peer;
    if (getpeername(op->fd, (struct sockaddr *)&peer, &plen) != 0)
        return errno == ENOTCONN ? EVENT_WRITE : (op->err = errno, 0);
    set_nodelay(op->fd);
    return 0;
}

/* `tick`: reactor_fd_tick before the step. */
static int read_step(IoOp *op, VexReactor *r, uint32_t tick) {
    if (op->num == 0) return 0; /* "" */
    /* The last read emptied the socket and no event came since: a read would only see
     * EAGAIN (the wait ends at once if an event comes in meanwhile). */
    if (reactor_is_drained(r, op->fd, tick)) return EVENT_READ;
    char buf[READ_CHUNK];
    size_t want = op->num < (int64_t)READ_CHUNK ? (size_t)op->num : READ_CHUNK;
    for (;;) {
        ssize_t n = read(op->fd, buf, want);
        if (n > 0) {
            if ((size_t)n < want) reactor_set_drained(r, op->fd, tick);
            op->out_str = vex_string_from_bytes(buf, (size_t)n);
            return 0;
        }
        if (n == 0) return 0; /* the peer has closed: "" */
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return EVENT_READ;
        op->err = errno;
        return 0;
    }
}

/* op->num counts the bytes already sent. */
static int write_step(IoOp *op) {
    const char *bytes = vex_string_bytes(op->data);
    size_t len = vex_string_len(op->data);
    while ((size_t)op->num < len) {
        ssize_t n = send(op->fd, bytes + op->num, len - (size_t)op->num, MSG_NOSIGNAL);
        if (n > 0) {
            op->num += n;
        } else if (n < 0 && errno != EINTR) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return EVENT_WRITE;
            op->err = errno;
            return 0;
        }
    }
    return 0;
}

/* ---- The op task ------------------------------------------------------------------------------ */

static CoroStatus net_resume(WorkerContext *ctx, void *state) {
    IoOp *op = state;
    if (vex_task_cancelled(ctx)) return io_op_cancel(ctx, op);
    if (op->h) {
        if (op->tag == 0) {
            op->tag = 1;
            if (op->kind == NET_READ && op->num < 0) {
                op->err = EINVAL;
                return io_op_finish(ctx, op);
            }
            if (!io_op_use(op)) {
                op->err = EBADF;
                return io_op_finish(ctx, op);
            }
        } else if (atomic_load_explicit(&op->h->closed, memory_order_acquire)) {
            op->err = EBADF; /* closed while the op waited */
            return io_op_finish(ctx, op);
        }
    }
    /* Read before the attempt: if it finds the socket not ready, the wait (no system
     * call to arm it) ends at once when an event came in meanwhile. A socket this step
     * creates (bind, connect) has no readiness recorded yet: any tick will do. */
    uint32_t tick = reactor_fd_tick(&ctx->rt->reactor, op->fd);
    int wait = 0;
    switch (op->kind) {
    case NET_BIND: wait = bind_step(op, ctx->rt); break;
    case NET_ACCEPT: wait = accept_step(op, ctx->rt); break;
    case NET_CONNECT: wait = connect_step(op, ctx->rt); break;
    case NET_READ: wait = read_step(op, &ctx->rt->reactor, tick); break;
    case NET_WRITE: wait = write_step(op); break;
    }
    if (wait == 0) {
        /* Closed under a system call (e.g. accept after the shutdown): report the close. */
        if (op->err && op->h && atomic_load_explicit(&op->h->closed, memory_order_acquire))
            op->err = EBADF;
        return io_op_finish(ctx, op);
    }
    rt_await_io_since(ctx, op->fd, (EventType)wait, tick);
    return CORO_STATUS_YIELDED;
}

/* Socket operations a task may complete in place per resumption (see net_try_now). */
#define IO_INLINE_BUDGET 32

/* A read or a write called on a worker outside deterministic mode runs its first
 * attempt in the calling task: when the socket is ready (a busy connection's common
 * case) the caller gets a finished future, with no op task scheduled and no suspension
 * of its own at the await. Only an attempt that would wait spawns the op task, which
 * goes on from there (a write from the bytes already sent). At most IO_INLINE_BUDGET
 * operations complete in place per resumption of a task (as tokio's cooperative budget):
 * the next one goes through its op task, so the awaiting task suspends and the worker's
 * other tasks and timers get their turn even when a connection is always ready.
 * Deterministic mode keeps every operation in its op task, the order the evaluator
 * reproduces. Returns NULL when the op task must run. */
static VexFuture *net_try_now(WorkerContext *ctx, IoOp *op) {
    op->tag = 1; /* net_resume's first-run checks are done here */
    if (op->kind == NET_READ && op->num < 0) {
        op->err = EINVAL;
    } else if (!io_op_use(op)) {
        op->err = EBADF;
    } else {
        VexReactor *r = &ctx->rt->reactor;
        uint32_t tick = reactor_fd_tick(r, op->fd);
        int wait = op->kind == NET_READ ? read_step(op, r, tick) : write_step(op);
        if (wait) return NULL;
    }
    io_op_finish(ctx, op);
    return rt_finished_future(op);
}

static VexFuture *net_op(WorkerContext *ctx, uint8_t kind, uint8_t payload, VexIoHandle *h,
                         VexString *str, VexString *data, int64_t num) {
    IoOp *op = io_op_alloc(ctx, kind, payload, net_resume);
    if (ctx && !ctx->rt->virtual_clock && (kind == NET_READ || kind == NET_WRITE) &&
        ctx->io_inline < IO_INLINE_BUDGET) {
        ctx->io_inline++;
        io_op_operands(op, h, str, data, num);
        VexFuture *done = net_try_now(ctx, op);
        return done ? done : vex_task_spawn(ctx, op);
    }
    return io_op_spawn(ctx, op, h, str, data, num);
}

VexFuture *vex_io_tcp_bind(WorkerContext *ctx, VexString *host, int64_t port) {
    return net_op(ctx, NET_BIND, PAYLOAD_HANDLE, NULL, host, NULL, port);
}

VexFuture *vex_io_tcp_accept(WorkerContext *ctx, VexIoHandle *listener) {
    return net_op(ctx, NET_ACCEPT, PAYLOAD_HANDLE, listener, NULL, NULL, 0);
}

VexFuture *vex_io_tcp_connect(WorkerContext *ctx, VexString *host, int64_t port) {
    return net_op(ctx, NET_CONNECT, PAYLOAD_HANDLE, NULL, host, NULL, port);
}

VexFuture *vex_io_tcp_read(WorkerContext *ctx, VexIoHandle *stream, int64_t max) {
    return net_op(ctx, NET_READ, PAYLOAD_STRING, stream, NULL, NULL, max);
}

VexFuture *vex_io_tcp_write(WorkerContext *ctx, VexIoHandle *stream, VexString *data) {
    return net_op(ctx, NET_WRITE, PAYLOAD_UNIT, stream, NULL, data, 0);
}
