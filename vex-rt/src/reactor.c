/*
 * reactor.c — the I/O poller behind a small interface (reactor_register / _cancel /
 * _poll / _wake), implemented with epoll. Must not know about scheduling: it only hands
 * back lists of tasks to wake. An eventfd in the same epoll set lets other threads
 * interrupt a blocked epoll_wait.
 *
 * Each fd enters the epoll set once, at its first wait, edge-triggered with every
 * interest (in, out, read hang-up), and stays until reactor_forget (before its close):
 * a wait after a failed read or write costs no epoll_ctl (a one-shot entry needed one to
 * re-arm per wait, and the read that found the socket empty too). Edge-triggered events
 * come whether or not someone waits, so the reactor remembers per fd the readiness its
 * events reported (`ready`) and counts them (`tick`): a task that saw EAGAIN passes the
 * tick it read before its attempt, and its wait ends at once if an event came in after
 * that read (the attempt may have missed it); readiness reported before it is stale (the
 * attempt saw it). A read that got fewer bytes than it asked for emptied the socket: it
 * records that tick (`drained`), and the next read waits at once, without trying, if no
 * event came since and no hang-up was ever reported (as tokio does; a read stops short
 * of a full buffer only at the end of the queued data, out-of-band marks aside, and after
 * a hang-up the next read returns the end of the stream, which no later edge would
 * announce). A wait with no attempt to compare with (worker_await_io) re-polls the
 * fd's current readiness with one EPOLL_CTL_MOD, so it stays level-triggered. A waiter is
 * woken once per wait (one shot).
 *
 * Several tasks may wait on one fd at once (a socket shared by a reading and a writing
 * task, two tasks accepting on one listener): each fd has a list of registrations
 * (slots). An event wakes the slots whose interest it satisfies (hang-up and error wake
 * all). epoll's user data carries the fd and its generation, bumped by reactor_forget:
 * an event of a closed fd whose number came back is ignored. Each slot has its own
 * generation too (stored into t->wait), so reactor_cancel of a registration that an
 * event already consumed does nothing.
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
    r->fd_chunks = calloc(REACTOR_FD_CHUNKS, sizeof *r->fd_chunks);
    if (!r->fd_chunks) return -1;
    r->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (r->epfd < 0) {
        free(r->fd_chunks);
        return -1;
    }
    r->eventfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (r->eventfd < 0) {
        close(r->epfd);
        free(r->fd_chunks);
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
    for (int i = 0; i < REACTOR_FD_CHUNKS; i++)
        free(atomic_load_explicit(&r->fd_chunks[i], memory_order_relaxed));
    free(r->fd_chunks);
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

/* fd's entry, allocating its chunk if `create` (under the lock); NULL if fd is out of
 * range, or has none and !create, or on allocation failure. */
static IoFd *fd_entry(VexReactor *r, int fd, bool create) {
    if (fd < 0 || (fd >> REACTOR_FD_CHUNK_BITS) >= REACTOR_FD_CHUNKS) return NULL;
    _Atomic(IoFd *) *slot = &r->fd_chunks[fd >> REACTOR_FD_CHUNK_BITS];
    IoFd *c = atomic_load_explicit(slot, memory_order_relaxed);
    if (!c) {
        if (!create) return NULL;
        size_t n = (size_t)1 << REACTOR_FD_CHUNK_BITS;
        c = malloc(n * sizeof *c);
        if (!c) return NULL;
        for (size_t i = 0; i < n; i++) {
            c[i] = (IoFd){.head = -1};
            atomic_init(&c[i].tick, 0);
            atomic_init(&c[i].drained, 0);
            atomic_init(&c[i].closed, false);
        }
        atomic_store_explicit(slot, c, memory_order_release); /* for reactor_fd_tick */
    }
    return &c[fd & ((1 << REACTOR_FD_CHUNK_BITS) - 1)];
}

/* fd's entry if its chunk exists, without the lock (only its atomics may be used). */
static IoFd *fd_peek(VexReactor *r, int fd) {
    if (fd < 0 || (fd >> REACTOR_FD_CHUNK_BITS) >= REACTOR_FD_CHUNKS) return NULL;
    IoFd *c = atomic_load_explicit(&r->fd_chunks[fd >> REACTOR_FD_CHUNK_BITS],
                                   memory_order_acquire);
    return c ? &c[fd & ((1 << REACTOR_FD_CHUNK_BITS) - 1)] : NULL;
}

uint32_t reactor_fd_tick(VexReactor *r, int fd) {
    IoFd *f = fd_peek(r, fd);
    return f ? atomic_load_explicit(&f->tick, memory_order_acquire) : 0; /* none yet: 0 */
}

/* Without a chunk (no wait on fd yet) nothing is recorded: the first wait adds the fd,
 * which reports its readiness anyway. */
void reactor_set_drained(VexReactor *r, int fd, uint32_t tick) {
    IoFd *f = fd_peek(r, fd);
    if (f) atomic_store_explicit(&f->drained, tick + 1, memory_order_relaxed);
}

bool reactor_is_drained(VexReactor *r, int fd, uint32_t tick) {
    IoFd *f = fd_peek(r, fd);
    /* A short read may have stopped at the peer's FIN, whose event came with the data:
     * no later edge would report it, so after a hang-up reads always try. (The caller's
     * tick was loaded with acquire: a hang-up counted in it is visible here.) */
    return f && atomic_load_explicit(&f->drained, memory_order_relaxed) == tick + 1 &&
           !atomic_load_explicit(&f->closed, memory_order_relaxed);
}

static uint64_t fd_token(const IoFd *f, int fd) {
    return ((uint64_t)f->gen << 32) | (uint32_t)fd;
}

/* Puts fd into the epoll set (op ADD) or re-polls its current readiness (MOD: an
 * edge-triggered entry that is ready now gets an event). Returns epoll_ctl's result. */
static int fd_ctl(VexReactor *r, IoFd *f, int fd, int op) {
    /* EPOLLRDHUP wakes only readers (see satisfies): a half-closed socket reports it
     * once per edge, never to a writer waiting for room. */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                             .data.u64 = fd_token(f, fd)};
    int rc = epoll_ctl(r->epfd, op, fd, &ev);
    /* MOD of a number whose file was closed without reactor_forget: a new file. ADD of
     * a file that is still in the set (forgotten but not closed): take it over. */
    if (rc < 0 && errno == ENOENT && op == EPOLL_CTL_MOD)
        rc = epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev);
    else if (rc < 0 && errno == EEXIST && op == EPOLL_CTL_ADD)
        rc = epoll_ctl(r->epfd, EPOLL_CTL_MOD, fd, &ev);
    return rc;
}

/* Unlinks slot i from its fd's list. */
static void fd_unlink(VexReactor *r, IoFd *f, int32_t i) {
    int32_t *link = &f->head;
    while (*link != i) link = &r->slots[*link].next_on_fd;
    *link = r->slots[i].next_on_fd;
}

/* Whether readiness `events` satisfies a slot's interest. */
static bool satisfies(uint32_t events, uint32_t interest) {
    if (events & (EPOLLERR | EPOLLHUP)) return true;
    if ((interest & EVENT_READ) && (events & (EPOLLIN | EPOLLRDHUP))) return true;
    return (interest & EVENT_WRITE) && (events & EPOLLOUT);
}

/* The readiness bits a wait for `interest` consumes. Hang-ups and errors stay: they do
 * not go away, and an edge-triggered entry reports them once. */
static uint32_t consumed_by(uint32_t interest) {
    return ((interest & EVENT_READ) ? EPOLLIN : 0) | ((interest & EVENT_WRITE) ? EPOLLOUT : 0);
}

/* The recorded readiness that ends a wait for `interest` at once, however old. */
static uint32_t sticky_for(uint32_t interest) {
    return EPOLLERR | EPOLLHUP | ((interest & EVENT_READ) ? EPOLLRDHUP : 0);
}

bool reactor_register(VexReactor *r, VexTask *t, int fd, EventType type, uint64_t since) {
    if (fd < 0 || (type & (EVENT_READ | EVENT_WRITE)) == 0) return false;
    pthread_mutex_lock(&r->lock);
    IoFd *f = fd_entry(r, fd, true);
    if (!f) {
        pthread_mutex_unlock(&r->lock);
        return false;
    }
    bool level = since == REACTOR_ANY_TICK;
    if (!level && satisfies(f->ready, (uint32_t)type)) {
        /* Reported after the caller read the tick: its attempt may have come too early. */
        bool fresh = (uint32_t)since != atomic_load_explicit(&f->tick, memory_order_relaxed) ||
                     (f->ready & sticky_for((uint32_t)type));
        f->ready &= ~consumed_by((uint32_t)type);
        if (fresh) {
            pthread_mutex_unlock(&r->lock);
            return false;
        }
    }
    int32_t i = slot_alloc(r);
    if (i < 0) {
        pthread_mutex_unlock(&r->lock);
        return false;
    }
    IoSlot *s = &r->slots[i];
    s->gen++;
    s->task = t;
    s->fd = fd;
    s->events = (uint32_t)type;
    s->next_on_fd = f->head;
    f->head = i;
    /* The first wait adds the fd (the ADD reports readiness it already has); a level
     * wait re-polls it. The others need no system call. */
    int rc = 0;
    if (!f->added) rc = fd_ctl(r, f, fd, EPOLL_CTL_ADD);
    else if (level) rc = fd_ctl(r, f, fd, EPOLL_CTL_MOD);
    if (rc < 0) {
        fd_unlink(r, f, i);
        slot_free(r, i);
        pthread_mutex_unlock(&r->lock);
        return false;
    }
    f->added = true;
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
        /* The fd stays in the epoll set: its events only update its readiness. */
        fd_unlink(r, fd_entry(r, r->slots[i].fd, false), (int32_t)i);
        slot_free(r, (int32_t)i);
        atomic_fetch_sub(&r->waiters, 1);
        armed = true;
    }
    pthread_mutex_unlock(&r->lock);
    return armed;
}

void reactor_forget(VexReactor *r, int fd) {
    pthread_mutex_lock(&r->lock);
    IoFd *f = fd_entry(r, fd, false);
    if (f) {
        if (f->added) {
            /* No EPOLL_CTL_DEL: the close that follows removes the entry (sockets are
             * never dup'ed), and the new generation makes a late event of it stale. */
            f->gen++;
            f->added = false;
        }
        f->ready = 0;
        atomic_store_explicit(&f->drained, 0, memory_order_relaxed);
        atomic_store_explicit(&f->closed, false, memory_order_relaxed);
    }
    pthread_mutex_unlock(&r->lock);
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
        IoFd *f = fd_entry(r, fd, false);
        if (!f || f->gen != (uint32_t)(token >> 32)) continue; /* a forgotten fd's */
        uint32_t events = evs[k].events;
        if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
            atomic_store_explicit(&f->closed, true, memory_order_relaxed);
        atomic_store_explicit(&f->tick, atomic_load_explicit(&f->tick, memory_order_relaxed) + 1,
                              memory_order_release);
        f->ready |= events;
        /* Wake the satisfied slots (as many as `out` has room for). */
        bool left = false;
        int32_t *link = &f->head;
        while (*link >= 0) {
            int32_t i = *link;
            IoSlot *s = &r->slots[i];
            if (!satisfies(events, s->events)) {
                link = &s->next_on_fd;
                continue;
            }
            if (woken == REACTOR_BATCH) {
                left = true;
                link = &s->next_on_fd;
                continue;
            }
            *link = s->next_on_fd;
            f->ready &= ~consumed_by(s->events);
            out[woken++] = s->task; /* the registration's reference moves to the caller */
            slot_free(r, i);
            atomic_fetch_sub(&r->waiters, 1);
        }
        /* No room for some: a re-poll of the fd gives them a new event while it is ready
         * (an edge-triggered entry would not report this readiness again). */
        if (left) fd_ctl(r, f, fd, EPOLL_CTL_MOD);
    }
    pthread_mutex_unlock(&r->lock);
    return woken;
}

void reactor_wake(VexReactor *r) {
    uint64_t one = 1;
    ssize_t rc = write(r->eventfd, &one, sizeof one);
    (void)rc;
}
