/*
 * reactor.c — the I/O poller behind a small interface (reactor_register / _cancel /
 * _poll / _wake), implemented with epoll. Registrations are level-triggered and
 * one-shot (EPOLLONESHOT): a readiness event wakes the waiting task once, and the next
 * await re-arms the fd with EPOLL_CTL_MOD. epoll's user data carries a slot index and a
 * generation rather than the task pointer, so a late event for a registration that a
 * cancellation already removed is recognised and ignored (the task may be gone). An
 * eventfd in the same epoll set lets other threads interrupt a blocked epoll_wait.
 * Must not know about scheduling: it only hands back lists of tasks to wake.
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

bool reactor_register(VexReactor *r, VexTask *t, int fd, EventType type) {
    pthread_mutex_lock(&r->lock);
    int32_t i = slot_alloc(r);
    if (i < 0) {
        pthread_mutex_unlock(&r->lock);
        return false;
    }
    IoSlot *s = &r->slots[i];
    s->gen++;
    s->task = t;
    s->fd = fd;
    struct epoll_event ev = {0};
    ev.events = EPOLLONESHOT | EPOLLRDHUP;
    if (type & EVENT_READ) ev.events |= EPOLLIN;
    if (type & EVENT_WRITE) ev.events |= EPOLLOUT;
    ev.data.u64 = ((uint64_t)s->gen << 32) | (uint32_t)i;
    int rc = epoll_ctl(r->epfd, EPOLL_CTL_MOD, fd, &ev);
    if (rc < 0 && errno == ENOENT) rc = epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev);
    if (rc < 0) {
        slot_free(r, i);
        pthread_mutex_unlock(&r->lock);
        return false;
    }
    t->wait = ev.data.u64;
    atomic_fetch_add(&r->waiters, 1);
    pthread_mutex_unlock(&r->lock);
    return true;
}

bool reactor_cancel(VexReactor *r, VexTask *t) {
    uint32_t i = (uint32_t)t->wait, gen = (uint32_t)(t->wait >> 32);
    bool armed = false;
    pthread_mutex_lock(&r->lock);
    if ((int32_t)i < r->nslots && r->slots[i].gen == gen && r->slots[i].task == t) {
        epoll_ctl(r->epfd, EPOLL_CTL_DEL, r->slots[i].fd, NULL);
        slot_free(r, (int32_t)i);
        atomic_fetch_sub(&r->waiters, 1);
        armed = true;
    }
    pthread_mutex_unlock(&r->lock);
    return armed;
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
        uint32_t i = (uint32_t)token, gen = (uint32_t)(token >> 32);
        if ((int32_t)i >= r->nslots || r->slots[i].gen != gen || !r->slots[i].task) continue;
        VexTask *t = r->slots[i].task;
        slot_free(r, (int32_t)i);
        atomic_fetch_sub(&r->waiters, 1);
        out[woken++] = t; /* the registration's reference moves to the caller */
    }
    pthread_mutex_unlock(&r->lock);
    return woken;
}

void reactor_wake(VexReactor *r) {
    uint64_t one = 1;
    ssize_t rc = write(r->eventfd, &one, sizeof one);
    (void)rc;
}
