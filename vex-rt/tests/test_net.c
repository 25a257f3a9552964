/*
 * test_net.c — the TCP operations of LANGUAGE.md §13 through the public ABI, driven by
 * tasks written as C resume functions (io_test.h), on 127.0.0.1 only: an echo server with
 * concurrent clients whose reading and writing tasks share one stream and wait on it at
 * the same time (32 MiB each way);
 * the peer closing mid-read (""); a write to a peer that has gone (EPIPE/ECONNRESET, no
 * SIGPIPE); ECONNREFUSED; EADDRINUSE; invalid hosts and ports; close while an accept or a
 * read waits (EBADF); cancellation of tasks blocked in accept and read; a server waiting
 * on accept in deterministic mode does not hold the virtual clock; reads and writes on a
 * ready socket complete in place (not in deterministic mode), at most a budget of them
 * before the task lets others run; 10,000 connections
 * (VEX_STRESS_SCALE shrinks it) leave the descriptor count where it was.
 */
#include "io_test.h"

static VexString *S(const char *text) { return ARG(str(text)); }

/* ---- Echo: a server, its connection handlers, clients with a reader and a writer ------ */

#define CLIENTS 4
#define PER_CLIENT (8u << 20)
#define CHUNK (64u << 10)
/* The handlers start echoing late, so the clients' writers fill the socket buffers and
 * wait for room while their readers wait for data: two waits on one fd. */
#define HANDLER_DELAY_MS 50

static char pattern_at(int64_t client, int64_t i) {
    return (char)('A' + (client * 31 + i + i / 977) % 50);
}

static VexString *string_of_pattern(int64_t client, int64_t at, size_t n) {
    char *b = malloc(n);
    for (size_t k = 0; k < n; k++) b[k] = pattern_at(client, at + (int64_t)k);
    VexString *s = vex_string_from_bytes(b, n);
    free(b);
    return s;
}

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    VexIoHandle *s;
} Handler;

/* Echoes until the peer closes. */
static CoroStatus handler_main(WorkerContext *ctx, void *p) {
    Handler *s = p;
    BEGIN(s)
    SLEEP(s, HANDLER_DELAY_MS);
    for (;;) {
        AWAIT(s, vex_io_tcp_read(ctx, s->s, 65536), &s->r);
        TCHECK(s->r.tag == VEX_IO_OK);
        if (s->r.tag != VEX_IO_OK || s->r.u.s == NULL) break;
        VexString *data = s->r.u.s;
        s->child = vex_io_tcp_write(ctx, s->s, data);
        vex_string_release(data);
        AWAIT(s, s->child, &s->r);
        TCHECK(s->r.tag == VEX_IO_OK);
    }
    vex_io_close(s->s);
    vex_io_handle_release(s->s);
    END
    return CORO_STATUS_DONE;
cancel_exit:
    vex_io_handle_release(s->s);
    return vex_task_finish_cancelled(ctx);
}

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    VexIoHandle *l;
    int64_t n, i;
} Server;

/* Accepts n connections, each handled by its own task. */
static CoroStatus server_main(WorkerContext *ctx, void *p) {
    Server *s = p;
    BEGIN(s)
    for (s->i = 0; s->i < s->n; s->i++) {
        AWAIT(s, vex_io_tcp_accept(ctx, s->l), &s->r);
        TCHECK(s->r.tag == VEX_IO_OK);
        if (s->r.tag != VEX_IO_OK) break;
        TCHECK(vex_io_handle_kind(s->r.u.h) == VEX_IO_TCP_STREAM);
        Handler *h = vex_task_alloc(sizeof *h, 0, 0, handler_main);
        h->s = s->r.u.h;
        vex_future_release(vex_task_spawn(ctx, h));
    }
    END
    vex_io_handle_release(s->l);
    return CORO_STATUS_DONE;
cancel_exit:
    vex_io_handle_release(s->l);
    return vex_task_finish_cancelled(ctx);
}

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    VexIoHandle *s;
    int64_t id, got;
} ClientReader;

/* Reads the echo of everything the writer sends and checks every byte. */
static CoroStatus client_reader(WorkerContext *ctx, void *p) {
    ClientReader *s = p;
    BEGIN(s)
    while (s->got < (int64_t)PER_CLIENT) {
        AWAIT(s, vex_io_tcp_read(ctx, s->s, 100000), &s->r);
        TCHECK(s->r.tag == VEX_IO_OK && s->r.u.s != NULL);
        if (s->r.tag != VEX_IO_OK || s->r.u.s == NULL) break;
        const char *b = vex_string_bytes(s->r.u.s);
        size_t n = vex_string_len(s->r.u.s);
        bool ok = true;
        for (size_t k = 0; k < n; k++) ok &= b[k] == pattern_at(s->id, s->got + (int64_t)k);
        TCHECK(ok);
        s->got += (int64_t)n;
        vex_string_release(s->r.u.s);
    }
    END
    vex_io_handle_release(s->s);
    return CORO_STATUS_DONE;
cancel_exit:
    vex_io_handle_release(s->s);
    return vex_task_finish_cancelled(ctx);
}

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    VexIoHandle *s;
    VexFuture *reader;
    int64_t id, port, sent;
} Client;

/* Connects, starts a reader on the same stream, writes in chunks, waits for the reader. */
static CoroStatus client_main(WorkerContext *ctx, void *p) {
    Client *s = p;
    BEGIN(s)
    AWAIT(s, vex_io_tcp_connect(ctx, S("127.0.0.1"), s->port), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK);
    if (s->r.tag != VEX_IO_OK) return CORO_STATUS_DONE;
    s->s = s->r.u.h;
    ClientReader *rd = vex_task_alloc(sizeof *rd, 0, 0, client_reader);
    rd->s = vex_io_handle_retain(s->s);
    rd->id = s->id;
    s->reader = vex_task_spawn(ctx, rd);
    while (s->sent < (int64_t)PER_CLIENT) {
        VexString *chunk = ARG(string_of_pattern(s->id, s->sent, CHUNK));
        AWAIT(s, vex_io_tcp_write(ctx, s->s, chunk), &s->r);
        TCHECK(s->r.tag == VEX_IO_OK);
        s->sent += CHUNK;
    }
    AWAIT(s, s->reader, NULL);
    vex_io_close(s->s);
    vex_io_handle_release(s->s);
    END
    return CORO_STATUS_DONE;
cancel_exit:
    vex_io_handle_release(s->s);
    return vex_task_finish_cancelled(ctx);
}

/* Binds 127.0.0.1:0 from a task (the op needs a runtime) and hands the listener back. */
typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
} Binder;

static CoroStatus binder_main(WorkerContext *ctx, void *p) {
    Binder *s = p;
    BEGIN(s)
    AWAIT(s, vex_io_tcp_bind(ctx, S("127.0.0.1"), 0), &s->r);
    END
    return CORO_STATUS_DONE;
cancel_exit:
    return vex_task_finish_cancelled(ctx);
}

/* A listener on 127.0.0.1 with a free port, made on `rt` by a short run. */
static VexIoHandle *listen_on(Runtime *rt) {
    Binder *b = task_new(rt, sizeof *b, binder_main);
    VexFuture *f = vex_task_spawn_in(rt, b);
    runtime_run(rt);
    IoRes r = b->r;
    vex_future_release(f);
    if (r.tag != VEX_IO_OK) return NULL;
    return r.u.h;
}

static void echo_with(int workers) {
    Runtime *rt = make_runtime(workers, false, false);
    VexIoHandle *l = listen_on(rt);
    if (!l) {
        atomic_fetch_add(&task_failures, 1);
        runtime_destroy(rt);
        return;
    }
    int64_t port = vex_io_listener_port(l);
    TCHECK(port > 0 && vex_io_handle_kind(l) == VEX_IO_TCP_LISTENER);
    Server *srv = task_new(rt, sizeof *srv, server_main);
    srv->l = l;
    srv->n = CLIENTS;
    vex_future_release(vex_task_spawn_in(rt, srv));
    for (int i = 0; i < CLIENTS; i++) {
        Client *c = task_new(rt, sizeof *c, client_main);
        c->id = i;
        c->port = port;
        vex_future_release(vex_task_spawn_in(rt, c));
    }
    int64_t t0 = wall_ms();
    runtime_run(rt);
    fprintf(stderr, "  %d workers: %u KiB each way in %lld ms\n", workers,
            CLIENTS * PER_CLIENT / 1024, (long long)(wall_ms() - t0));
    TCHECK(balanced(rt));
    runtime_destroy(rt);
}

TEST(echo_with_concurrent_clients_reading_and_writing_one_stream) {
    int fds = count_fds();
    atomic_store(&task_failures, 0);
    echo_with(1);
    echo_with(2);
    CHECK_EQ_U(atomic_load(&task_failures), 0);
    CHECK_EQ_U(count_fds(), fds);
}

/* ---- Scripted pairs: a server side and a client side ------------------------------------- */

enum {
    SC_PEER_CLOSES_MID_READ, /* the server reads "abc", then "" */
    SC_WRITE_TO_GONE_PEER,   /* the server closes at once; the client writes until an error */
    SC_CLOSE_WAITING_READ,   /* the client's stream is closed while its read waits */
    SC_CLOSE_WAITING_ACCEPT, /* the listener is closed while an accept waits */
    SC_ACCEPT_UNTIL_CLOSED,  /* the server's accept waits until another task closes it */
};

typedef struct {
    uint32_t tag;
    VexFuture *child;
    VexIoHandle *h;
    int64_t ms;
} Closer;

/* Closes h after ms. */
static CoroStatus closer_main(WorkerContext *ctx, void *p) {
    Closer *s = p;
    BEGIN(s)
    SLEEP(s, (uint64_t)s->ms);
    vex_io_close(s->h);
    END
    vex_io_handle_release(s->h);
    return CORO_STATUS_DONE;
cancel_exit:
    vex_io_handle_release(s->h);
    return vex_task_finish_cancelled(ctx);
}

static void spawn_closer(WorkerContext *ctx, VexIoHandle *h, int64_t ms) {
    Closer *c = vex_task_alloc(sizeof *c, 0, 0, closer_main);
    c->h = vex_io_handle_retain(h);
    c->ms = ms;
    vex_future_release(vex_task_spawn(ctx, c));
}

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    VexIoHandle *l, *s;
    int scenario;
    int64_t port, i;
    bool server;
} Side;

static CoroStatus side_main(WorkerContext *ctx, void *p) {
    Side *s = p;
    BEGIN(s)
    if (s->server) {
        if (s->scenario == SC_ACCEPT_UNTIL_CLOSED) {
            AWAIT(s, vex_io_tcp_accept(ctx, s->l), &s->r);
            TCHECK(is_err(&s->r, EBADF));
            goto done;
        }
        if (s->scenario == SC_CLOSE_WAITING_ACCEPT) {
            spawn_closer(ctx, s->l, 30);
            AWAIT(s, vex_io_tcp_accept(ctx, s->l), &s->r);
            TCHECK(is_err(&s->r, EBADF));
            AWAIT(s, vex_io_tcp_accept(ctx, s->l), &s->r); /* closed before it started */
            TCHECK(is_err(&s->r, EBADF));
            goto done;
        }
        AWAIT(s, vex_io_tcp_accept(ctx, s->l), &s->r);
        TCHECK(s->r.tag == VEX_IO_OK);
        s->s = s->r.u.h;
        if (s->scenario == SC_WRITE_TO_GONE_PEER) {
            vex_io_close(s->s);
            goto done;
        }
        if (s->scenario == SC_PEER_CLOSES_MID_READ) {
            AWAIT(s, vex_io_tcp_read(ctx, s->s, 10), &s->r);
            TCHECK(s->r.tag == VEX_IO_OK && str_eq(s->r.u.s, "abc"));
            vex_string_release(s->r.u.s);
        }
        /* The peer closes (SC_CLOSE_WAITING_READ: its close shuts the connection down). */
        AWAIT(s, vex_io_tcp_read(ctx, s->s, 10), &s->r);
        TCHECK(s->r.tag == VEX_IO_OK && s->r.u.s == NULL);
        AWAIT(s, vex_io_tcp_read(ctx, s->s, 10), &s->r); /* and again */
        TCHECK(s->r.tag == VEX_IO_OK && s->r.u.s == NULL);
        goto done;
    }
    /* The client side. */
    if (s->scenario == SC_CLOSE_WAITING_ACCEPT) goto done;
    AWAIT(s, vex_io_tcp_connect(ctx, S("127.0.0.1"), s->port), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK);
    s->s = s->r.u.h;
    if (s->scenario == SC_PEER_CLOSES_MID_READ) {
        SLEEP(s, 20);
        AWAIT(s, vex_io_tcp_write(ctx, s->s, S("abc")), &s->r);
        TCHECK(s->r.tag == VEX_IO_OK);
        SLEEP(s, 20);
        vex_io_close(s->s);
    } else if (s->scenario == SC_CLOSE_WAITING_READ) {
        spawn_closer(ctx, s->s, 30);
        AWAIT(s, vex_io_tcp_read(ctx, s->s, 10), &s->r);
        TCHECK(is_err(&s->r, EBADF));
        AWAIT(s, vex_io_tcp_write(ctx, s->s, S("x")), &s->r);
        TCHECK(is_err(&s->r, EBADF));
    } else {
        SLEEP(s, 30);
        for (s->i = 0; s->i < 1000; s->i++) {
            AWAIT(s, vex_io_tcp_write(ctx, s->s, S("some bytes for a peer that has gone")), &s->r);
            if (s->r.tag == VEX_IO_ERR) break;
        }
        TCHECK(s->r.tag == VEX_IO_ERR);
        int64_t code = s->r.tag == VEX_IO_ERR ? vex_io_error_code(s->r.u.e) : 0;
        TCHECK(code == EPIPE || code == ECONNRESET);
        if (s->r.tag == VEX_IO_ERR) vex_io_error_release(s->r.u.e);
    }
done:
    vex_io_handle_release(s->s);
    vex_io_handle_release(s->l);
    END
    return CORO_STATUS_DONE;
cancel_exit:
    vex_io_handle_release(s->s);
    vex_io_handle_release(s->l);
    return vex_task_finish_cancelled(ctx);
}

static void run_scenario(int scenario, int workers) {
    Runtime *rt = make_runtime(workers, false, false);
    VexIoHandle *l = listen_on(rt);
    TCHECK(l != NULL);
    if (!l) {
        runtime_destroy(rt);
        return;
    }
    for (int server = 1; server >= 0; server--) {
        Side *s = task_new(rt, sizeof *s, side_main);
        s->scenario = scenario;
        s->server = server;
        s->port = vex_io_listener_port(l);
        if (server) s->l = vex_io_handle_retain(l);
        vex_future_release(vex_task_spawn_in(rt, s));
    }
    vex_io_handle_release(l);
    runtime_run(rt);
    TCHECK(balanced(rt));
    runtime_destroy(rt);
}

TEST(peer_closing_gone_peers_and_closing_while_waiting) {
    int fds = count_fds();
    atomic_store(&task_failures, 0);
    for (int workers = 1; workers <= 2; workers++) {
        run_scenario(SC_PEER_CLOSES_MID_READ, workers);
        CHECK_EQ_U(atomic_load(&task_failures), 0);
        run_scenario(SC_WRITE_TO_GONE_PEER, workers);
        CHECK_EQ_U(atomic_load(&task_failures), 0);
        run_scenario(SC_CLOSE_WAITING_READ, workers);
        CHECK_EQ_U(atomic_load(&task_failures), 0);
        run_scenario(SC_CLOSE_WAITING_ACCEPT, workers);
        CHECK_EQ_U(atomic_load(&task_failures), 0);
    }
    CHECK_EQ_U(count_fds(), fds);
}

/* ---- Errors ---------------------------------------------------------------------------------- */

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    VexIoHandle *l;
    int64_t port, i;
} Errors;

typedef struct {
    const char *host;
    int64_t port;
    const char *message;
} BadAddr;

static const BadAddr bad_binds[] = {
    {"foo", 0, "invalid address: foo"},
    {"", 0, "invalid address: "},
    {"127.0.0.1:80", 0, "invalid address: 127.0.0.1:80"},
    {"256.0.0.1", 0, "invalid address: 256.0.0.1"},
    {"example.com", 0, "invalid address: example.com"},
    {"[::1", 0, "invalid address: [::1"},
    {"127.0.0.1", 65536, "invalid port: 65536"},
    {"127.0.0.1", -1, "invalid port: -1"},
    {"localhost", 70000, "invalid port: 70000"},
};

static const BadAddr bad_connects[] = {
    {"1.2.3", 80, "invalid address: 1.2.3"},
    {"127.0.0.1", 0, "invalid port: 0"},
    {"::1", -5, "invalid port: -5"},
};

static CoroStatus errors_main(WorkerContext *ctx, void *p) {
    Errors *s = p;
    BEGIN(s)
    /* A port in use: binding it again fails even with SO_REUSEADDR. */
    AWAIT(s, vex_io_tcp_bind(ctx, S("127.0.0.1"), 0), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK);
    s->l = s->r.u.h;
    s->port = vex_io_listener_port(s->l);
    AWAIT(s, vex_io_tcp_bind(ctx, S("127.0.0.1"), s->port), &s->r);
    TCHECK(err_message_is(&s->r, "Address already in use"));
    TCHECK(is_err(&s->r, EADDRINUSE));
    AWAIT(s, vex_io_tcp_bind(ctx, S("localhost"), s->port), &s->r);
    TCHECK(is_err(&s->r, EADDRINUSE));
    /* Closed: nobody listens there any more (the port stays known). */
    vex_io_close(s->l);
    TCHECK(vex_io_listener_port(s->l) == s->port);
    AWAIT(s, vex_io_tcp_accept(ctx, s->l), &s->r);
    TCHECK(is_err(&s->r, EBADF));
    vex_io_handle_release(s->l);
    s->l = NULL;
    AWAIT(s, vex_io_tcp_connect(ctx, S("127.0.0.1"), s->port), &s->r);
    TCHECK(err_message_is(&s->r, "Connection refused"));
    TCHECK(is_err(&s->r, ECONNREFUSED));
    AWAIT(s, vex_io_tcp_connect(ctx, S("localhost"), s->port), &s->r);
    TCHECK(is_err(&s->r, ECONNREFUSED));
    /* IPv6 literals parse (the connection itself may fail: no IPv6, nobody there). */
    AWAIT(s, vex_io_tcp_connect(ctx, S("[::1]"), s->port), &s->r);
    TCHECK(s->r.tag == VEX_IO_ERR && vex_io_error_code(s->r.u.e) != 0);
    if (s->r.tag == VEX_IO_ERR) vex_io_error_release(s->r.u.e);
    for (s->i = 0; s->i < (int64_t)(sizeof bad_binds / sizeof bad_binds[0]); s->i++) {
        AWAIT(s, vex_io_tcp_bind(ctx, S(bad_binds[s->i].host), bad_binds[s->i].port), &s->r);
        TCHECK(err_message_is(&s->r, bad_binds[s->i].message));
        TCHECK(is_err(&s->r, 0));
    }
    for (s->i = 0; s->i < (int64_t)(sizeof bad_connects / sizeof bad_connects[0]); s->i++) {
        AWAIT(s, vex_io_tcp_connect(ctx, S(bad_connects[s->i].host), bad_connects[s->i].port),
              &s->r);
        TCHECK(err_message_is(&s->r, bad_connects[s->i].message));
        TCHECK(is_err(&s->r, 0));
    }
    AWAIT(s, vex_io_tcp_connect(ctx, ARG(vex_string_from_bytes("127.0.0.1\0", 10)), 80), &s->r);
    TCHECK(is_err(&s->r, 0));
    END
    return CORO_STATUS_DONE;
cancel_exit:
    return vex_task_finish_cancelled(ctx);
}

TEST(refused_in_use_and_invalid_addresses_are_io_errors) {
    int fds = count_fds();
    atomic_store(&task_failures, 0);
    Runtime *rt = make_runtime(2, false, false);
    vex_future_release(vex_task_spawn_in(rt, task_new(rt, sizeof(Errors), errors_main)));
    runtime_run(rt);
    CHECK(balanced(rt));
    runtime_destroy(rt);
    CHECK_EQ_U(atomic_load(&task_failures), 0);
    CHECK_EQ_U(count_fds(), fds);
}

/* ---- Cancellation of tasks blocked in accept and read -------------------------------------- */

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    VexIoHandle *l, *s;
    bool read; /* accept a connection, then wait in a read; else wait in accept */
    bool cancelled;
} Blocked;

static CoroStatus blocked_main(WorkerContext *ctx, void *p) {
    Blocked *s = p;
    BEGIN(s)
    if (s->read) {
        AWAIT(s, vex_io_tcp_accept(ctx, s->l), &s->r);
        TCHECK(s->r.tag == VEX_IO_OK);
        s->s = s->r.u.h;
        AWAIT(s, vex_io_tcp_read(ctx, s->s, 100), &s->r);
    } else {
        AWAIT(s, vex_io_tcp_accept(ctx, s->l), &s->r);
    }
    TCHECK(!"not cancelled");
    END
    return CORO_STATUS_DONE;
cancel_exit:
    s->cancelled = true;
    vex_io_handle_release(s->s);
    vex_io_handle_release(s->l);
    return vex_task_finish_cancelled(ctx);
}

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    VexFuture *target;
    int64_t port;
    VexIoHandle *conn; /* kept open until the test releases it (after the run) */
} Poker;

/* Connects (if port), sleeps, cancels the target. */
static CoroStatus poker_main(WorkerContext *ctx, void *p) {
    Poker *s = p;
    BEGIN(s)
    if (s->port) {
        AWAIT(s, vex_io_tcp_connect(ctx, S("127.0.0.1"), s->port), &s->r);
        TCHECK(s->r.tag == VEX_IO_OK);
        if (s->r.tag == VEX_IO_OK) s->conn = s->r.u.h;
    }
    SLEEP(s, 40);
    vex_future_cancel(s->target);
    vex_future_release(s->target);
    END
    return CORO_STATUS_DONE;
cancel_exit:
    return vex_task_finish_cancelled(ctx);
}

TEST(cancelling_tasks_blocked_in_accept_and_read_frees_their_handles) {
    int fds = count_fds();
    atomic_store(&task_failures, 0);
    for (int mode = 0; mode < 2; mode++) {
        Runtime *rt = make_runtime(2, false, false);
        VexIoHandle *l = listen_on(rt);
        CHECK(l != NULL);
        Blocked *b = task_new(rt, sizeof *b, blocked_main);
        b->l = l; /* moved in */
        b->read = mode == 1;
        VexFuture *fb = vex_task_spawn_in(rt, b);
        Poker *k = task_new(rt, sizeof *k, poker_main);
        k->target = vex_future_retain(fb);
        k->port = mode == 1 ? vex_io_listener_port(l) : 0;
        VexFuture *fk = vex_task_spawn_in(rt, k);
        int64_t t0 = wall_ms();
        runtime_run(rt);
        vex_io_handle_release(k->conn);
        vex_future_release(fk);
        CHECK(wall_ms() - t0 < 5000);
        CHECK(balanced(rt));
        CHECK(b->cancelled && vex_future_outcome(fb) == VEX_OUTCOME_CANCELLED);
        VexCounters c;
        runtime_counters(rt, &c);
        CHECK_EQ_U(c.cancelled, 2); /* the task and the op it awaited */
        vex_future_release(fb);
        runtime_destroy(rt);
    }
    CHECK_EQ_U(atomic_load(&task_failures), 0);
    CHECK_EQ_U(count_fds(), fds);
}

/* ---- Deterministic mode: a server waiting on accept does not hold the clock ---------------- */

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    VexIoHandle *l;
    int64_t slept_at;
} Sleeper;

static CoroStatus sleeper_main(WorkerContext *ctx, void *p) {
    Sleeper *s = p;
    BEGIN(s)
    SLEEP(s, 1000);
    s->slept_at = now_ms();
    vex_io_close(s->l);
    END
    vex_io_handle_release(s->l);
    return CORO_STATUS_DONE;
cancel_exit:
    return vex_task_finish_cancelled(ctx);
}

TEST(virtual_clock_is_not_held_by_a_server_waiting_on_accept) {
    atomic_store(&task_failures, 0);
    Runtime *rt = make_runtime(1, true, false);
    VexIoHandle *l = listen_on(rt);
    CHECK(l != NULL);
    Side *srv = task_new(rt, sizeof *srv, side_main);
    srv->server = true;
    srv->scenario = SC_ACCEPT_UNTIL_CLOSED;
    srv->l = vex_io_handle_retain(l);
    VexFuture *fs = vex_task_spawn_in(rt, srv);
    Sleeper *sl = task_new(rt, sizeof *sl, sleeper_main);
    sl->l = l;
    vex_future_release(vex_task_spawn_in(rt, sl));
    int64_t t0 = wall_ms();
    runtime_run(rt);
    CHECK(wall_ms() - t0 < 900); /* virtual time went by, not real time */
    CHECK_EQ_U(sl->slept_at, 1000);
    CHECK(balanced(rt));
    vex_future_release(fs);
    runtime_destroy(rt);
    CHECK_EQ_U(atomic_load(&task_failures), 0);
}

/* ---- Ready sockets complete in place, within a budget ------------------------------------- */

#define INPLACE_WRITES 200

typedef struct {
    uint32_t tag;
    VexFuture *child;
    const bool *done;
    int64_t ticks;
} Ticker;

/* Yields until *done, counting its turns. */
static CoroStatus ticker_main(WorkerContext *ctx, void *p) {
    Ticker *s = p;
    BEGIN(s)
    while (!*s->done) {
        AWAIT(s, vex_yield_future(), NULL);
        s->ticks++;
    }
    END
    return CORO_STATUS_DONE;
cancel_exit:
    return vex_task_finish_cancelled(ctx);
}

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    VexIoHandle *l, *client, *server;
    int64_t port, i;
    int64_t ready_writes, ready_reads; /* ops whose future had finished when made */
    int64_t ticks_during_writes;
    const Ticker *ticker;
    bool done;
} InPlace;

/* Connects to its own listener, writes INPLACE_WRITES one-byte chunks (the socket has
 * room for all of them), then reads them back ten bytes at a time. */
static CoroStatus in_place_main(WorkerContext *ctx, void *p) {
    InPlace *s = p;
    BEGIN(s)
    AWAIT(s, vex_io_tcp_connect(ctx, S("127.0.0.1"), s->port), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK);
    s->client = s->r.u.h;
    AWAIT(s, vex_io_tcp_accept(ctx, s->l), &s->r);
    TCHECK(s->r.tag == VEX_IO_OK);
    s->server = s->r.u.h;
    s->ticks_during_writes = -s->ticker->ticks;
    for (s->i = 0; s->i < INPLACE_WRITES; s->i++) {
        s->child = vex_io_tcp_write(ctx, s->client, S("x"));
        if (vex_future_is_ready(s->child)) s->ready_writes++;
        AWAIT(s, s->child, &s->r);
        TCHECK(s->r.tag == VEX_IO_OK);
    }
    s->ticks_during_writes += s->ticker->ticks;
    for (s->i = 0; s->i < INPLACE_WRITES; s->i += (int64_t)vex_string_len(s->r.u.s)) {
        vex_string_release(s->i ? s->r.u.s : NULL);
        s->child = vex_io_tcp_read(ctx, s->server, 10);
        if (vex_future_is_ready(s->child)) s->ready_reads++;
        AWAIT(s, s->child, &s->r);
        TCHECK(s->r.tag == VEX_IO_OK && s->r.u.s != NULL);
        if (s->r.tag != VEX_IO_OK || s->r.u.s == NULL) break;
    }
    vex_string_release(s->r.u.s);
    END
    s->done = true;
    vex_io_handle_release(s->client);
    vex_io_handle_release(s->server);
    vex_io_handle_release(s->l);
    return CORO_STATUS_DONE;
cancel_exit:
    s->done = true;
    vex_io_handle_release(s->client);
    vex_io_handle_release(s->server);
    vex_io_handle_release(s->l);
    return vex_task_finish_cancelled(ctx);
}

static void in_place_with(bool virtual_clock) {
    Runtime *rt = make_runtime(1, virtual_clock, false);
    VexIoHandle *l = listen_on(rt);
    if (!l) {
        atomic_fetch_add(&task_failures, 1);
        runtime_destroy(rt);
        return;
    }
    InPlace *ip = task_new(rt, sizeof *ip, in_place_main);
    Ticker *tk = task_new(rt, sizeof *tk, ticker_main);
    ip->l = l;
    ip->port = vex_io_listener_port(l);
    ip->ticker = tk;
    tk->done = &ip->done;
    VexFuture *ft = vex_task_spawn_in(rt, tk);
    VexFuture *fi = vex_task_spawn_in(rt, ip);
    runtime_run(rt);
    fprintf(stderr, "  %s: %lld of %d writes and %lld reads finished when made, %lld turns of "
            "another task during the writes\n", virtual_clock ? "deterministic" : "real clock",
            (long long)ip->ready_writes, INPLACE_WRITES, (long long)ip->ready_reads,
            (long long)ip->ticks_during_writes);
    if (virtual_clock) {
        /* Every operation goes through its op task, as the evaluator does. */
        TCHECK(ip->ready_writes == 0 && ip->ready_reads == 0);
    } else {
        /* Most complete in place; every 33rd suspends the task, so the other one runs. */
        TCHECK(ip->ready_writes >= INPLACE_WRITES / 2);
        TCHECK(ip->ready_reads >= 1);
        TCHECK(ip->ticks_during_writes >= 1);
    }
    TCHECK(balanced(rt));
    vex_future_release(ft);
    vex_future_release(fi);
    runtime_destroy(rt);
}

TEST(ready_sockets_complete_in_place_within_a_budget) {
    int fds = count_fds();
    atomic_store(&task_failures, 0);
    in_place_with(false);
    in_place_with(true);
    CHECK_EQ_U(atomic_load(&task_failures), 0);
    CHECK_EQ_U(count_fds(), fds);
}

/* ---- 10,000 connections ---------------------------------------------------------------------- */

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    VexIoHandle *l;
    VexVec *kept; /* every 100th stream, closed but kept in a Vec<TcpStream> */
    int64_t n, i;
} Acceptor;

/* Accepts n connections and closes each at once (by close or by its last release). */
static CoroStatus acceptor_main(WorkerContext *ctx, void *p) {
    Acceptor *s = p;
    BEGIN(s)
    for (s->i = 0; s->i < s->n; s->i++) {
        AWAIT(s, vex_io_tcp_accept(ctx, s->l), &s->r);
        TCHECK(s->r.tag == VEX_IO_OK);
        if (s->r.tag != VEX_IO_OK) break;
        if (s->i % 100 == 0) {
            vex_io_close(s->r.u.h);
            s->kept = vex_vec_push(s->kept, &vex_elem_io_handle, &s->r.u.h);
            continue;
        }
        if (s->i % 2) vex_io_close(s->r.u.h);
        vex_io_handle_release(s->r.u.h);
    }
    END
    vex_vec_release(s->kept); /* releases the handles */
    vex_io_handle_release(s->l);
    return CORO_STATUS_DONE;
cancel_exit:
    vex_vec_release(s->kept);
    vex_io_handle_release(s->l);
    return vex_task_finish_cancelled(ctx);
}

typedef struct {
    uint32_t tag;
    VexFuture *child;
    IoRes r;
    VexIoHandle *s;
    int64_t n, i, port;
} Connector;

/* Connects n times in a row, waits for the server's close ("") each time. */
static CoroStatus connector_main(WorkerContext *ctx, void *p) {
    Connector *s = p;
    BEGIN(s)
    for (s->i = 0; s->i < s->n; s->i++) {
        AWAIT(s, vex_io_tcp_connect(ctx, S("127.0.0.1"), s->port), &s->r);
        TCHECK(s->r.tag == VEX_IO_OK);
        if (s->r.tag != VEX_IO_OK) {
            vex_io_error_release(s->r.u.e);
            break;
        }
        s->s = s->r.u.h;
        AWAIT(s, vex_io_tcp_read(ctx, s->s, 10), &s->r);
        TCHECK(s->r.tag == VEX_IO_OK && s->r.u.s == NULL);
        vex_io_handle_release(s->s);
        s->s = NULL;
    }
    END
    return CORO_STATUS_DONE;
cancel_exit:
    vex_io_handle_release(s->s);
    return vex_task_finish_cancelled(ctx);
}

TEST(stress_ten_thousand_connections_leave_the_descriptor_count_unchanged) {
    int fds = count_fds();
    atomic_store(&task_failures, 0);
    long total = stress_size(10000), clients = 16;
    total -= total % clients;
    if (total == 0) total = clients;
    Runtime *rt = make_runtime(2, false, false);
    VexIoHandle *l = listen_on(rt);
    CHECK(l != NULL);
    int64_t port = vex_io_listener_port(l);
    Acceptor *a = task_new(rt, sizeof *a, acceptor_main);
    a->l = l;
    a->n = total;
    vex_future_release(vex_task_spawn_in(rt, a));
    for (long c = 0; c < clients; c++) {
        Connector *k = task_new(rt, sizeof *k, connector_main);
        k->n = total / clients;
        k->port = port;
        vex_future_release(vex_task_spawn_in(rt, k));
    }
    int64_t t0 = wall_ms();
    runtime_run(rt);
    fprintf(stderr, "  %ld connections in %lld ms\n", total, (long long)(wall_ms() - t0));
    CHECK(balanced(rt));
    runtime_destroy(rt);
    CHECK_EQ_U(atomic_load(&task_failures), 0);
    CHECK_EQ_U(count_fds(), fds);
}

int main(void) {
    RUN(echo_with_concurrent_clients_reading_and_writing_one_stream);
    RUN(peer_closing_gone_peers_and_closing_while_waiting);
    RUN(refused_in_use_and_invalid_addresses_are_io_errors);
    RUN(cancelling_tasks_blocked_in_accept_and_read_frees_their_handles);
    RUN(virtual_clock_is_not_held_by_a_server_waiting_on_accept);
    RUN(ready_sockets_complete_in_place_within_a_budget);
    RUN(stress_ten_thousand_connections_leave_the_descriptor_count_unchanged);
    HARNESS_END();
}
