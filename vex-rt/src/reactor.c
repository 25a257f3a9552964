/*
 * reactor.c — the I/O poller behind a small interface (reactor_register / _cancel /
 * _poll / _wake), implemented with epoll. Registrations are level-triggered and
 * one-shot (EPOLLONESHOT): a readiness event wakes the waiting task once, and the next
 * await re-arms the fd with EPOLL_CTL_MOD. An eventfd in the same epoll set lets other
 * threads interrupt a blocked epoll_wait. Must not know about scheduling: it only hands
 * back lists of tasks to wake.
 *
 * Several tasks may wait on one fd at once (a socket shared by a reading and a writing
 * task, two tasks accepting on one listener): epoll keeps one entry per fd, so each fd
 * has a list of registrations (slots) and its entry is armed with the union of their
 * interests. An event wakes the slots whose interest it satisfies (hang-up and error
 * wake all) and re-arms the fd for the rest. epoll's user data carries the fd and the
 * fd's arming generation, bumped by every arming: an event that an arming made stale
 * (a cancellation, a new registration, the fd closed and its number reused) is
 * ignored, so a task is never woken for readiness that belongs to another registration,
 * and the re-arming reports whatever is still ready. Each slot has its own generation
 * too (stored into t->wait), so reactor_cancel of a registration that an event already
 * consumed does nothing.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define EVENTFD_TOKEN UINT64_MAX

int reactor_init(VexReactor *r) {
    memset(r, 0, sizeof *r);
    r->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (r->epfd < 0) return -1;
    r->eventfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (r->eventfd < 0) {
        close(r->epfd);
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = EVENTFD_TOKEN};
    epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->eventfd, &ev);
    pthread_mutex_init(&r->lock, NULL);
    r->free_head = -1;
    atomic_init(&r->waiters, 0);
    atomic_init(&r->driver_busy, false);
    return 0;
}

void reactor_destroy(VexReactor *r) {
    close(r->eventfd);
    close(r->epfd);
    free(r->slots);
    free(r->fds);
    pthread_mutex_destroy(&r->lock);
}

static int32_t slot_alloc(VexReactor *r) {
    if (r->free_head >= 0) {
        int32_t i = r->free_head;
        r->free_head = r->slots[i].next_free;
        return i;
    }
    if (r->nslots == r->cap) {
        int32_t cap = r->cap ? r->cap * 2 : 64;
        IoSlot *s = realloc(r->slots, (size_t)cap * sizeof *s);
        if (!s) return -1;
        r->slots = s;
        r->cap = cap;
    }
    r->slots[r->nslots].gen = 0;
    return r->nslots++;
}

static void slot_free(VexReactor *r, int32_t i) {
    r->slots[i].task = NULL;
    r->slots[i].next_free = r->free_head;
    r->free_head = i;
}

/* Makes room in the per-fd table for `fd`; false on allocation failure. */
static bool fd_reserve(VexReactor *r, int fd) {
    if (fd < r->nfds) return true;
    int32_t n = r->nfds ? r->nfds : 64;
    while (n <= fd) n *= 2;
    IoFd *f = realloc(r->fds, (size_t)n * sizeof *f);
    if (!f) return false;
    for (int32_t i = r->nfds; i < n; i++) f[i] = (IoFd){.head = -1, .gen = 0};
    r->fds = f;
    r->nfds = n;
    return true;
}

/* Arms fd's epoll entry with the union of its slots' interests under a new generation,
 * or removes the entry when no slot is left. Returns epoll_ctl's result. */
static int fd_arm(VexReactor *r, int fd) {
    IoFd *f = &r->fds[fd];
    uint32_t want = 0;
    for (int32_t i = f->head; i >= 0; i = r->slots[i].next_on_fd) want |= r->slots[i].events;
    f->gen++;
    if (want == 0) {
        epoll_ctl(r->epfd, EPOLL_CTL_DEL, fd, NULL);
        return 0;
    }
    struct epoll_event ev = {0};
    /* EPOLLRDHUP only for readers: a half-closed socket stays "RDHUP-ready", which would
     * fire at once, forever, for a writer waiting for room. */
    ev.events = EPOLLONESHOT;
    if (want & EVENT_READ) ev.events |= EPOLLIN | EPOLLRDHUP;
    if (want & EVENT_WRITE) ev.events |= EPOLLOUT;
    ev.data.u64 = ((uint64_t)f->gen << 32) | (uint32_t)fd;
    int rc = epoll_ctl(r->epfd, EPOLL_CTL_MOD, fd, &ev);
    if (rc < 0 && errno == ENOENT) rc = epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev);
    return rc;
}

/* Unlinks slot i from its fd's list. */
static void fd_unlink(VexReactor *r, int32_t i) {
    int32_t *link = &r->fds[r->slots[i].fd].head;
    while (*link != i) link = &r->slots[*link].next_on_fd;
    *link = r->slots[i].next_on_fd;
}

bool reactor_register(VexReactor *r, VexTask *t, int fd, EventType type) {
    if (fd < 0 || (type & (EVENT_READ | EVENT_WRITE)) == 0) return false;
    pthread_mutex_lock(&r->lock);
    int32_t i = fd_reserve(r, fd) ? slot_alloc(r) : -1;
    if (i < 0) {
        pthread_mutex_unlock(&r->lock);
        return false;
    }
    IoSlot *s = &r->slots[i];
    s->gen++;
    s->task = t;
    s->fd = fd;
    s->events = (uint32_t)type;
    s->next_on_fd = r->fds[fd].head;
    r->fds[fd].head = i;
    if (fd_arm(r, fd) < 0) {
        fd_unlink(r, i);
        slot_free(r, i);
        fd_arm(r, fd); /* the other slots of this fd, if any */
        pthread_mutex_unlock(&r->lock);
        return false;
    }
    t->wait = ((uint64_t)s->gen << 32) | (uint32_t)i;
    atomic_fetch_add(&r->waiters, 1);
    pthread_mutex_unlock(&r->lock);
    return true;
}

bool reactor_cancel(VexReactor *r, VexTask *t) {
    uint32_t i = (uint32_t)t->wait, gen = (uint32_t)(t->wait >> 32);
    bool armed = false;
    pthread_mutex_lock(&r->lock);
    if ((int32_t)i < r->nslots && r->slots[i].gen == gen && r->slots[i].task == t) {
        int fd = r->slots[i].fd;
        fd_unlink(r, (int32_t)i);
        slot_free(r, (int32_t)i);
        fd_arm(r, fd);
        atomic_fetch_sub(&r->waiters, 1);
        armed = true;
    }
    pthread_mutex_unlock(&r->lock);
    return armed;
}

/* Whether readiness `events` satisfies a slot's interest. */
static bool satisfies(uint32_t events, uint32_t interest) {
    if (events & (EPOLLERR | EPOLLHUP)) return true;
    if ((interest & EVENT_READ) && (events & (EPOLLIN | EPOLLRDHUP))) return true;
    return (interest & EVENT_WRITE) && (events & EPOLLOUT);
}

size_t reactor_poll(VexReactor *r, int timeout_ms, VexTask **out) {
    struct epoll_event evs[REACTOR_BATCH];
    int n = epoll_wait(r->epfd, evs, REACTOR_BATCH, timeout_ms);
    size_t woken = 0;
    if (n <= 0) return 0;
    pthread_mutex_lock(&r->lock);
    for (int k = 0; k < n; k++) {
        uint64_t token = evs[k].data.u64;
        if (token == EVENTFD_TOKEN) {
            uint64_t v;
            ssize_t rd = read(r->eventfd, &v, sizeof v);
            (void)rd;
            continue;
        }
        int fd = (int)(uint32_t)token;
        uint32_t gen = (uint32_t)(token >> 32);
        if (fd >= r->nfds || r->fds[fd].gen != gen) continue; /* made stale by an arming */
        /* The one-shot entry is disarmed now: wake the satisfied slots (as many as `out`
         * has room for; the others stay and see the still-ready fd after re-arming). */
        int32_t *link = &r->fds[fd].head;
        while (*link >= 0) {
            int32_t i = *link;
            IoSlot *s = &r->slots[i];
            if (woken == REACTOR_BATCH || !satisfies(evs[k].events, s->events)) {
                link = &s->next_on_fd;
                continue;
            }
            *link = s->next_on_fd;
            out[woken++] = s->task; /* the registration's reference moves to the caller */
            slot_free(r, i);
            atomic_fetch_sub(&r->waiters, 1);
        }
        if (r->fds[fd].head >= 0) fd_arm(r, fd);
    }
    pthread_mutex_unlock(&r->lock);
    return woken;
}

void reactor_wake(VexReactor *r) {
    uint64_t one = 1;
    ssize_t rc = write(r->eventfd, &one, sizeof one);
    (void)rc;
}
