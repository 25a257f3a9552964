/*
 * test_reactor.c — unit tests of the epoll reactor: readiness wakes the registered task
 * once (one-shot), re-arming works, a cancelled registration's late event is ignored,
 * write readiness, two tasks waiting on one fd (a reader and a writer) each woken by its
 * own readiness, and the eventfd interrupts a blocking poll.
 */
#include "harness.h"
#include "internal.h"

#include <sys/socket.h>
#include <unistd.h>

static VexTask a, b;

TEST(read_readiness_wakes_once) {
    VexReactor r;
    CHECK(reactor_init(&r) == 0);
    int p[2];
    CHECK(pipe(p) == 0);
    VexTask *out[REACTOR_BATCH];
    CHECK(reactor_register(&r, &a, p[0], EVENT_READ));
    CHECK_EQ_U(atomic_load(&r.waiters), 1);
    CHECK_EQ_U(reactor_poll(&r, 0, out), 0);
    CHECK(write(p[1], "x", 1) == 1);
    CHECK_EQ_U(reactor_poll(&r, 1000, out), 1);
    CHECK(out[0] == &a);
    CHECK_EQ_U(atomic_load(&r.waiters), 0);
    /* One-shot: still readable, but no second event without re-arming. */
    CHECK_EQ_U(reactor_poll(&r, 0, out), 0);
    CHECK(!reactor_cancel(&r, &a));
    /* Re-arm (level-triggered: fires at once because data is still there). */
    CHECK(reactor_register(&r, &a, p[0], EVENT_READ));
    CHECK_EQ_U(reactor_poll(&r, 1000, out), 1);
    close(p[0]);
    close(p[1]);
    reactor_destroy(&r);
}

TEST(cancelled_registration_ignores_late_event) {
    VexReactor r;
    CHECK(reactor_init(&r) == 0);
    int p[2];
    CHECK(pipe(p) == 0);
    VexTask *out[REACTOR_BATCH];
    CHECK(reactor_register(&r, &a, p[0], EVENT_READ));
    CHECK(reactor_cancel(&r, &a));
    CHECK(!reactor_cancel(&r, &a));
    CHECK(write(p[1], "x", 1) == 1);
    CHECK_EQ_U(reactor_poll(&r, 50, out), 0);
    /* The slot is reused with a new generation. */
    CHECK(reactor_register(&r, &b, p[0], EVENT_READ));
    CHECK_EQ_U(reactor_poll(&r, 1000, out), 1);
    CHECK(out[0] == &b);
    close(p[0]);
    close(p[1]);
    reactor_destroy(&r);
}

TEST(write_readiness) {
    VexReactor r;
    CHECK(reactor_init(&r) == 0);
    int p[2];
    CHECK(pipe(p) == 0);
    VexTask *out[REACTOR_BATCH];
    CHECK(reactor_register(&r, &a, p[1], EVENT_WRITE));
    CHECK_EQ_U(reactor_poll(&r, 1000, out), 1);
    CHECK(out[0] == &a);
    close(p[0]);
    close(p[1]);
    reactor_destroy(&r);
}

TEST(a_reader_and_a_writer_wait_on_one_fd) {
    VexReactor r;
    CHECK(reactor_init(&r) == 0);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    char buf[4096];
    memset(buf, 'x', sizeof buf);
    while (write(sv[0], buf, sizeof buf) > 0) {
    }
    VexTask *out[REACTOR_BATCH];
    CHECK(reactor_register(&r, &a, sv[0], EVENT_READ));  /* nothing to read */
    CHECK(reactor_register(&r, &b, sv[0], EVENT_WRITE)); /* no room */
    CHECK_EQ_U(atomic_load(&r.waiters), 2);
    CHECK_EQ_U(reactor_poll(&r, 0, out), 0);
    CHECK(write(sv[1], "y", 1) == 1);
    CHECK_EQ_U(reactor_poll(&r, 1000, out), 1);
    CHECK(out[0] == &a); /* the writer keeps waiting */
    CHECK_EQ_U(reactor_poll(&r, 0, out), 0);
    while (read(sv[1], buf, sizeof buf) > 0) {
    }
    CHECK_EQ_U(reactor_poll(&r, 1000, out), 1);
    CHECK(out[0] == &b);
    CHECK_EQ_U(atomic_load(&r.waiters), 0);
    /* Both again; cancelling one leaves the other armed. */
    CHECK(reactor_register(&r, &a, sv[0], EVENT_READ));
    CHECK(reactor_register(&r, &b, sv[0], EVENT_READ));
    CHECK(reactor_cancel(&r, &a));
    CHECK_EQ_U(reactor_poll(&r, 1000, out), 1); /* "y" is still unread */
    CHECK(out[0] == &b);
    CHECK(!reactor_cancel(&r, &b));
    close(sv[0]);
    close(sv[1]);
    reactor_destroy(&r);
}

TEST(eventfd_interrupts_blocking_poll) {
    VexReactor r;
    CHECK(reactor_init(&r) == 0);
    VexTask *out[REACTOR_BATCH];
    reactor_wake(&r);
    CHECK_EQ_U(reactor_poll(&r, -1, out), 0); /* returns instead of blocking */
    CHECK_EQ_U(reactor_poll(&r, 0, out), 0);  /* the eventfd was drained */
    reactor_destroy(&r);
}

int main(void) {
    RUN(read_readiness_wakes_once);
    RUN(cancelled_registration_ignores_late_event);
    RUN(write_readiness);
    RUN(a_reader_and_a_writer_wait_on_one_fd);
    RUN(eventfd_interrupts_blocking_poll);
    HARNESS_END();
}
