/*
 * test_reactor.c — unit tests of the epoll reactor: readiness wakes the registered task
 * once (one-shot), re-arming works, a cancelled registration's late event is ignored,
 * write readiness, two tasks waiting on one fd (a reader and a writer) each woken by its
 * own readiness, the eventfd interrupts a blocking poll, and waits after a failed
 * attempt (a tick read before it): an event that came in after the read ends the wait
 * at once, an older one does not, and a forgotten fd's readiness is dropped; a short
 * read's "drained" lasts until the next event and never outlives a hang-up.
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
    CHECK(reactor_register(&r, &a, p[0], EVENT_READ, REACTOR_ANY_TICK));
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
    CHECK(reactor_register(&r, &a, p[0], EVENT_READ, REACTOR_ANY_TICK));
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
    CHECK(reactor_register(&r, &a, p[0], EVENT_READ, REACTOR_ANY_TICK));
    CHECK(reactor_cancel(&r, &a));
    CHECK(!reactor_cancel(&r, &a));
    CHECK(write(p[1], "x", 1) == 1);
    CHECK_EQ_U(reactor_poll(&r, 50, out), 0);
    /* The slot is reused with a new generation. */
    CHECK(reactor_register(&r, &b, p[0], EVENT_READ, REACTOR_ANY_TICK));
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
    CHECK(reactor_register(&r, &a, p[1], EVENT_WRITE, REACTOR_ANY_TICK));
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
    CHECK(reactor_register(&r, &a, sv[0], EVENT_READ, REACTOR_ANY_TICK));  /* nothing to read */
    CHECK(reactor_register(&r, &b, sv[0], EVENT_WRITE, REACTOR_ANY_TICK)); /* no room */
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
    CHECK(reactor_register(&r, &a, sv[0], EVENT_READ, REACTOR_ANY_TICK));
    CHECK(reactor_register(&r, &b, sv[0], EVENT_READ, REACTOR_ANY_TICK));
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

TEST(wait_after_an_attempt_uses_the_tick) {
    VexReactor r;
    CHECK(reactor_init(&r) == 0);
    int p[2];
    CHECK(pipe(p) == 0);
    VexTask *out[REACTOR_BATCH];
    /* The first wait adds the fd; nothing to read yet. */
    uint32_t tick = reactor_fd_tick(&r, p[0]);
    CHECK(reactor_register(&r, &a, p[0], EVENT_READ, tick));
    CHECK_EQ_U(reactor_poll(&r, 0, out), 0);
    CHECK(write(p[1], "x", 1) == 1);
    CHECK_EQ_U(reactor_poll(&r, 1000, out), 1);
    CHECK(out[0] == &a);
    CHECK(reactor_fd_tick(&r, p[0]) != tick);
    /* Data comes while nobody waits: the event is remembered. A wait whose tick was read
     * before it ends at once; one whose tick was read after it (the attempt saw that
     * data) waits for the next event. */
    tick = reactor_fd_tick(&r, p[0]);
    CHECK(write(p[1], "y", 1) == 1);
    CHECK_EQ_U(reactor_poll(&r, 1000, out), 0);
    CHECK(reactor_fd_tick(&r, p[0]) == tick + 1);
    CHECK(!reactor_register(&r, &a, p[0], EVENT_READ, tick));
    CHECK_EQ_U(atomic_load(&r.waiters), 0);
    CHECK(write(p[1], "z", 1) == 1);
    CHECK_EQ_U(reactor_poll(&r, 1000, out), 0);
    char buf[8];
    tick = reactor_fd_tick(&r, p[0]);
    CHECK(read(p[0], buf, sizeof buf) == 3); /* "xyz" */
    CHECK(reactor_register(&r, &a, p[0], EVENT_READ, tick));
    CHECK_EQ_U(reactor_poll(&r, 0, out), 0);
    CHECK(write(p[1], "w", 1) == 1);
    CHECK_EQ_U(reactor_poll(&r, 1000, out), 1);
    CHECK(out[0] == &a);
    /* Forgotten (before a close): its readiness is dropped, a late event ignored, and
     * the next wait adds the fd again. */
    CHECK(write(p[1], "v", 1) == 1);
    reactor_forget(&r, p[0]);
    CHECK_EQ_U(reactor_poll(&r, 0, out), 0);
    CHECK(read(p[0], buf, sizeof buf) == 2); /* "wv" */
    tick = reactor_fd_tick(&r, p[0]);
    CHECK(reactor_register(&r, &b, p[0], EVENT_READ, tick));
    CHECK(write(p[1], "u", 1) == 1);
    CHECK_EQ_U(reactor_poll(&r, 1000, out), 1);
    CHECK(out[0] == &b);
    close(p[0]);
    close(p[1]);
    reactor_destroy(&r);
}

TEST(drained_until_the_next_event_or_a_hang_up) {
    VexReactor r;
    CHECK(reactor_init(&r) == 0);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    VexTask *out[REACTOR_BATCH];
    CHECK(!reactor_is_drained(&r, sv[0], reactor_fd_tick(&r, sv[0]))); /* unknown fd */
    CHECK(reactor_register(&r, &a, sv[0], EVENT_READ, reactor_fd_tick(&r, sv[0])));
    CHECK(write(sv[1], "ab", 2) == 2);
    CHECK_EQ_U(reactor_poll(&r, 1000, out), 1);
    uint32_t tick = reactor_fd_tick(&r, sv[0]);
    char buf[8];
    CHECK(read(sv[0], buf, sizeof buf) == 2);
    reactor_set_drained(&r, sv[0], tick);
    CHECK(reactor_is_drained(&r, sv[0], tick));
    CHECK(write(sv[1], "c", 1) == 1);
    CHECK_EQ_U(reactor_poll(&r, 1000, out), 0); /* nobody waits: only recorded */
    CHECK(!reactor_is_drained(&r, sv[0], reactor_fd_tick(&r, sv[0])));
    /* Data and the end of the stream in one event: a short read leaves the end behind. */
    CHECK(shutdown(sv[1], SHUT_WR) == 0);
    CHECK_EQ_U(reactor_poll(&r, 1000, out), 0);
    tick = reactor_fd_tick(&r, sv[0]);
    CHECK(read(sv[0], buf, sizeof buf) == 1);
    reactor_set_drained(&r, sv[0], tick);
    CHECK(!reactor_is_drained(&r, sv[0], tick));
    CHECK(!reactor_register(&r, &a, sv[0], EVENT_READ, tick)); /* the hang-up stays */
    CHECK(read(sv[0], buf, sizeof buf) == 0);
    reactor_forget(&r, sv[0]);
    close(sv[0]);
    close(sv[1]);
    reactor_destroy(&r);
}

int main(void) {
    RUN(read_readiness_wakes_once);
    RUN(cancelled_registration_ignores_late_event);
    RUN(write_readiness);
    RUN(a_reader_and_a_writer_wait_on_one_fd);
    RUN(eventfd_interrupts_blocking_poll);
    RUN(wait_after_an_attempt_uses_the_tick);
    RUN(drained_until_the_next_event_or_a_hang_up);
    HARNESS_END();
}
