/*
 * chan.c — channels and select (language §11), after the design of Go's runtime
 * (chan.go, select.go), on this runtime's task wake-ups instead of goroutine parking.
 *
 * A channel is one malloc'ed block: the header below and, for cap > 0, a ring buffer of
 * cap elements. Everything in the header except the reference count is guarded by the
 * channel's lock. Waiting senders and receivers are FIFO queues of wait records
 * (VexChanWaiter) that live in the waiting tasks' states, intrusively and doubly linked:
 * parking allocates nothing and a cancelled waiter unlinks itself in O(1). An operation
 * that finds a waiter on the other side hands the value over directly (memcpy into or out
 * of the waiter's slot), also on a buffered channel (a receiver waits only while the
 * buffer is empty; a sender only while it is full: the receiver then takes the oldest
 * buffered value and moves the sender's value into the freed place).
 *
 * The lock is a 4-byte futex lock (Drepper's three-state mutex) that spins briefly before
 * sleeping: critical sections are a few list operations and one memcpy, so the spin
 * almost always wins, while a lock holder that was preempted (more workers than cores,
 * sanitizer builds) costs a futex sleep instead of a burnt time slice; 4 bytes instead of
 * pthread_mutex_t's 40 keep an empty channel at 80 bytes. The spin backs off
 * exponentially: the lock shares its cache line with the fields every operation writes,
 * so a waiter that polled it at once would pull that line away from the holder on every
 * operation. Backing off lets one worker run a stretch of operations on a line it keeps
 * (bench/RESULTS.md, v0.2 channels: 4 producers and 4 consumers on 2 workers).
 *
 * Waking. The side that completes a waiter's operation (a matching send/receive, or
 * close) does, under the channel lock: unlink the record, move the value, take a task
 * reference (rt_task_retain), publish the result with a release store of `status`; then,
 * after unlocking, it wakes the task and drops the reference. The status store is the last write to the record: from then on the task may
 * run, read its status without the lock and finish. The wake comes after the store, so a
 * resume that read PENDING is always followed by another resume (worker_await_wake
 * semantics: a wake while the task runs makes it run again). A resume that reads PENDING
 * takes the lock and reads again: under the lock the status is final, so it either
 * withdraws the record (cancellation) or records the wait again (a stale wake-up).
 * Cancellation needs nothing new from the scheduler: task_cancel wakes every task that
 * is not queued or finished, whatever it waits for.
 *
 * Select. vex_select sorts its arms by channel address (the permutation is kept in the
 * arms' `reserved` fields, which live in the state, so resumes reuse it) and locks each
 * distinct channel once in that order; a deadlock between selects and plain operations
 * is impossible because nobody holds two channel locks in another order. Under the
 * locks it counts the ready arms and completes a random one (so every ready arm is
 * equally likely), or queues one wait record per enabled arm. The select's `fired` word
 * (-1 while nobody won) decides which registration wins: a sender, receiver or closer
 * that finds a select's record in a queue must win a CAS of `fired` from -1 to the
 * record's arm before it hands a value over; records of a select that already fired are
 * unlinked and skipped ("dead"). A closer does not fire a select: it disables the arm
 * (status CLOSED) and wakes the task, whose resume reports ALL_CLOSED once every arm is
 * disabled and there is no timer. The resume withdraws every record still queued under
 * all the locks; the owner of a queued record therefore cannot finish while another
 * thread holds that record's channel lock, which is what makes reading a dead record's
 * `fired` word safe.
 *
 * Before all that, outside deterministic mode, a select of 2 to SELECT_TRY_MAX arms first
 * tries its arms one at a time, each under its own lock, in a random order (a uniform
 * permutation, as Go's pollorder), and completes the first that can proceed: when the
 * first arm tried is ready that costs one lock instead of one per channel, and a ready
 * arm is still chosen uniformly among the ready ones. The pass only ever completes an
 * arm; whether none is ready (default, after 0, all closed, or wait) is decided by the
 * locked pass, the only one that sees every arm at one instant. Deterministic mode skips
 * the try, so a run repeats what the evaluator replays (one draw, `% ready`, under all
 * the locks).
 *
 * The after timer is the task's own sleep timer: the select records its wait as a sleep
 * until the deadline (rt_await_deadline), which any wake-up also ends. The scheduler
 * arms it in the wheel of the worker that ran the select, and whichever worker runs the
 * task next disarms it first under that wheel's lock (run_task), so a resume on another
 * worker withdraws it safely and a late firing finds nothing (every armed timer holds a
 * task reference). A timer firing wakes the task; its resume sees the deadline passed
 * and CASes `fired` to n: a channel operation that won the CAS first wins instead (both
 * were ready). With the virtual clock the wheel fires at the virtual deadline.
 */
#include "internal.h"

#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct WaitQ {
    VexChanWaiter *head, *tail;
} WaitQ;

struct VexChannel {
    _Atomic uint32_t refs;
    _Atomic uint32_t lock; /* 0 free, 1 locked, 2 locked with sleepers */
    const VexElemType *elem;
    uint64_t cap;
    uint64_t len;  /* buffered values */
    uint64_t head; /* ring index of the oldest buffered value */
    WaitQ recvq;
    WaitQ sendq;
    bool closed;
};

/* The ring buffer starts 16-byte aligned after the header. */
#define CHAN_HEADER ((sizeof(VexChannel) + 15) & ~(size_t)15)

struct VexChanWaiter {
    VexChanWaiter *next, *prev; /* queue links (valid while queued) */
    VexTask *task;              /* the waiting task */
    VexSelect *sel;             /* NULL for a plain send/receive */
    _Atomic int32_t status;     /* VEX_CHAN_*; written under the channel lock */
    int32_t arm;                /* the arm index within sel */
    bool queued;                /* linked in a queue (guarded by the channel lock) */
};

struct VexSelect {
    _Atomic int32_t fired; /* FIRED_NONE, an arm, n (timer) or FIRED_CLOSED/CANCELLED */
    uint64_t deadline;     /* NO_DEADLINE: no after arm */
};

#define FIRED_NONE VEX_SELECT_PENDING
#define FIRED_CLOSED VEX_SELECT_ALL_CLOSED
#define FIRED_CANCELLED VEX_SELECT_CANCELLED
#define NO_DEADLINE UINT64_MAX

_Static_assert(sizeof(VexChanWaiter) <= VEX_CHAN_WAITER_SIZE, "waiter record too large");
_Static_assert(VEX_CHAN_WAITER_SIZE % 16 == 0, "slot must stay 16-byte aligned");
_Static_assert(sizeof(VexSelect) <= VEX_SELECT_SIZE, "select record too large");
_Static_assert(VEX_SELECT_SIZE % 16 == 0, "select size must keep 16-byte alignment");
_Static_assert(CHAN_HEADER <= 128, "an empty channel must stay small");

/* ---- Lock ------------------------------------------------------------------------------ */

/* Polls of the lock before sleeping; before poll i the spinner pauses 2^min(i, 6) times:
 * about 700 pauses in all, 18 us on the bench machine (25 ns a pause), still short
 * against a scheduler time slice when the holder was preempted. */
#define LOCK_SPINS 16
#define LOCK_BACKOFF_MAX_SHIFT 6

static inline void lock_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static void lock_slow(_Atomic uint32_t *l) {
    for (int i = 0; i < LOCK_SPINS; i++) {
        int pauses = 1 << (i < LOCK_BACKOFF_MAX_SHIFT ? i : LOCK_BACKOFF_MAX_SHIFT);
        for (int k = 0; k < pauses; k++) lock_relax();
        uint32_t c = atomic_load_explicit(l, memory_order_relaxed);
        if (c == 0 && atomic_compare_exchange_weak_explicit(l, &c, 1, memory_order_acquire,
                                                            memory_order_relaxed))
            return;
    }
    /* Announce a sleeper (2) and sleep until the lock was free when we took it. */
    while (atomic_exchange_explicit(l, 2, memory_order_acquire) != 0)
        syscall(SYS_futex, (uint32_t *)l, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
}

static inline void chan_lock(VexChannel *ch) {
    uint32_t c = 0;
    if (VEX_LIKELY(atomic_compare_exchange_strong_explicit(&ch->lock, &c, 1, memory_order_acquire,
                                                           memory_order_relaxed)))
        return;
    lock_slow(&ch->lock);
}

static inline void chan_unlock(VexChannel *ch) {
    if (VEX_UNLIKELY(atomic_exchange_explicit(&ch->lock, 0, memory_order_release) == 2))
        syscall(SYS_futex, (uint32_t *)&ch->lock, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* ---- Values, ring buffer, wait queues -------------------------------------------------- */

static inline void *slot_of(VexChanWaiter *w) { return (char *)w + VEX_CHAN_WAITER_SIZE; }

/* Moves one value (a zero-sized value may come with NULL pointers). The common sizes get
 * a fixed-size copy the compiler inlines (two or three moves), not a call to memcpy. */
static inline void move_value(const VexElemType *elem, void *dst, const void *src) {
    switch (elem->size) {
    case 0: return;
    case 8: memcpy(dst, src, 8); return;
    case 16: memcpy(dst, src, 16); return;
    case 4: memcpy(dst, src, 4); return;
    case 1: memcpy(dst, src, 1); return;
    default: memcpy(dst, src, elem->size); return;
    }
}

static inline void release_value(const VexElemType *elem, void *v) {
    if (elem->release) elem->release(v);
}

static inline void *buf_at(VexChannel *ch, uint64_t i) {
    return (char *)ch + CHAN_HEADER + i * ch->elem->size;
}

static void buf_push(VexChannel *ch, const void *v) {
    uint64_t i = ch->head + ch->len;
    if (i >= ch->cap) i -= ch->cap;
    move_value(ch->elem, buf_at(ch, i), v);
    ch->len++;
}

static void buf_pop(VexChannel *ch, void *out) {
    move_value(ch->elem, out, buf_at(ch, ch->head));
    if (++ch->head == ch->cap) ch->head = 0;
    ch->len--;
}

static void q_push(WaitQ *q, VexChanWaiter *w) {
    w->next = NULL;
    w->prev = q->tail;
    if (q->tail) q->tail->next = w;
    else q->head = w;
    q->tail = w;
    w->queued = true;
}

static void q_unlink(WaitQ *q, VexChanWaiter *w) {
    if (w->prev) w->prev->next = w->next;
    else q->head = w->next;
    if (w->next) w->next->prev = w->prev;
    else q->tail = w->prev;
    w->next = w->prev = NULL;
    w->queued = false;
}

/* A record of a select that has already fired (or finished otherwise): never matched. */
static inline bool waiter_dead(VexChanWaiter *w) {
    return w->sel && atomic_load_explicit(&w->sel->fired, memory_order_acquire) != FIRED_NONE;
}

/* Unlinks and returns the oldest record that can still be matched; a select's record
 * only if this call won the select's `fired` word for it. Dead records are dropped. */
static VexChanWaiter *q_take(WaitQ *q) {
    VexChanWaiter *w;
    while ((w = q->head)) {
        q_unlink(q, w);
        if (!w->sel) return w;
        int32_t expected = FIRED_NONE;
        if (atomic_compare_exchange_strong_explicit(&w->sel->fired, &expected, w->arm,
                                                    memory_order_acq_rel, memory_order_acquire))
            return w;
    }
    return NULL;
}

/* Whether a matchable record is queued (dead ones at the head are dropped). */
static bool q_live(WaitQ *q) {
    VexChanWaiter *w;
    while ((w = q->head)) {
        if (!waiter_dead(w)) return true;
        q_unlink(q, w);
    }
    return false;
}

static void waiter_init(VexChanWaiter *w, VexTask *t, VexSelect *sel, int32_t arm) {
    w->next = w->prev = NULL;
    w->task = t;
    w->sel = sel;
    w->arm = arm;
    w->queued = false;
    atomic_store_explicit(&w->status, VEX_CHAN_PENDING, memory_order_relaxed);
}

/* Publishes the result of an unlinked record (see "Waking" above); returns its task,
 * holding a reference, for rt_task_wake_release. The record is not touched again. */
static VexTask *waiter_finish(VexChanWaiter *w, int32_t status) {
    VexTask *t = w->task;
    rt_task_retain(t);
    atomic_store_explicit(&w->status, status, memory_order_release);
    return t;
}

/* Under the lock, on an open channel: completes a send of the value at `src` if it can
 * (direct hand-off to the oldest receiver, else into the buffer). *wake: the receiver. */
static bool send_now(VexChannel *ch, const void *src, VexTask **wake) {
    VexChanWaiter *r = q_take(&ch->recvq);
    if (r) {
        move_value(ch->elem, slot_of(r), src);
        *wake = waiter_finish(r, VEX_CHAN_OK);
        return true;
    }
    if (ch->len < ch->cap) {
        buf_push(ch, src);
        return true;
    }
    return false;
}

/* Under the lock: completes a receive into `dst` if it can. A matchable sender waits
 * only on a full buffer: take the oldest value and move the sender's into the buffer. */
static bool recv_now(VexChannel *ch, void *dst, VexTask **wake) {
    VexChanWaiter *s = q_take(&ch->sendq);
    if (s) {
        if (ch->len > 0) {
            buf_pop(ch, dst);
            buf_push(ch, slot_of(s));
        } else {
            move_value(ch->elem, dst, slot_of(s));
        }
        *wake = waiter_finish(s, VEX_CHAN_OK);
        return true;
    }
    if (ch->len > 0) {
        buf_pop(ch, dst);
        return true;
    }
    return false;
}

/* ---- Channels -------------------------------------------------------------------------- */

VexChannel *vex_chan_new(const VexElemType *elem, int64_t cap) {
    if (cap < 0) {
        fprintf(stderr, "vex-rt: negative channel capacity %lld\n", (long long)cap);
        abort();
    }
    uint64_t ucap = (uint64_t)cap;
    if (elem->size && ucap > (SIZE_MAX - CHAN_HEADER) / elem->size) {
        fprintf(stderr, "vex-rt: a channel of %lld elements does not fit in memory\n",
                (long long)cap);
        abort();
    }
    VexChannel *ch = malloc(CHAN_HEADER + (size_t)(ucap * elem->size));
    if (!ch) {
        fprintf(stderr, "vex-rt: out of memory allocating a channel\n");
        abort();
    }
    atomic_init(&ch->refs, 1);
    atomic_init(&ch->lock, 0);
    ch->elem = elem;
    ch->cap = ucap;
    ch->len = 0;
    ch->head = 0;
    ch->recvq.head = ch->recvq.tail = NULL;
    ch->sendq.head = ch->sendq.tail = NULL;
    ch->closed = false;
    return ch;
}

VexChannel *vex_chan_retain(VexChannel *ch) {
    if (ch) atomic_fetch_add_explicit(&ch->refs, 1, memory_order_relaxed);
    return ch;
}

void vex_chan_release(VexChannel *ch) {
    if (!ch || atomic_fetch_sub_explicit(&ch->refs, 1, memory_order_acq_rel) != 1) return;
    if (ch->elem->release) {
        for (uint64_t i = 0, at = ch->head; i < ch->len; i++) {
            ch->elem->release(buf_at(ch, at));
            if (++at == ch->cap) at = 0;
        }
    }
    free(ch);
}

int32_t vex_chan_send(WorkerContext *ctx, VexChannel *ch, VexChanWaiter *w) {
    VexTask *wake = NULL;
    chan_lock(ch);
    if (ch->closed) {
        chan_unlock(ch);
        release_value(ch->elem, slot_of(w));
        return VEX_CHAN_CLOSED;
    }
    if (send_now(ch, slot_of(w), &wake)) {
        chan_unlock(ch);
        if (wake) rt_task_wake_release(wake);
        return VEX_CHAN_OK;
    }
    waiter_init(w, ctx->current, NULL, 0);
    q_push(&ch->sendq, w);
    worker_await_wake(ctx);
    chan_unlock(ch);
    return VEX_CHAN_PENDING;
}

/* Resume of a plain wait on queue q: the final status, or PENDING with the wait
 * recorded again, or CANCELLED with the record withdrawn. */
static int32_t plain_resume(WorkerContext *ctx, VexChannel *ch, WaitQ *q, VexChanWaiter *w) {
    int32_t st = atomic_load_explicit(&w->status, memory_order_acquire);
    if (st != VEX_CHAN_PENDING) return st;
    chan_lock(ch);
    st = atomic_load_explicit(&w->status, memory_order_relaxed);
    if (st == VEX_CHAN_PENDING) {
        if (vex_task_cancelled(ctx)) {
            q_unlink(q, w);
            st = VEX_CHAN_CANCELLED;
        } else {
            worker_await_wake(ctx);
        }
    }
    chan_unlock(ch);
    return st;
}

int32_t vex_chan_send_resume(WorkerContext *ctx, VexChannel *ch, VexChanWaiter *w) {
    int32_t st = plain_resume(ctx, ch, &ch->sendq, w);
    if (st == VEX_CHAN_CLOSED || st == VEX_CHAN_CANCELLED) release_value(ch->elem, slot_of(w));
    return st;
}

int32_t vex_chan_recv(WorkerContext *ctx, VexChannel *ch, VexChanWaiter *w) {
    VexTask *wake = NULL;
    chan_lock(ch);
    if (recv_now(ch, slot_of(w), &wake)) {
        chan_unlock(ch);
        if (wake) rt_task_wake_release(wake);
        return VEX_CHAN_OK;
    }
    if (ch->closed) {
        chan_unlock(ch);
        return VEX_CHAN_CLOSED;
    }
    waiter_init(w, ctx->current, NULL, 0);
    q_push(&ch->recvq, w);
    worker_await_wake(ctx);
    chan_unlock(ch);
    return VEX_CHAN_PENDING;
}

int32_t vex_chan_recv_resume(WorkerContext *ctx, VexChannel *ch, VexChanWaiter *w) {
    return plain_resume(ctx, ch, &ch->recvq, w);
}

bool vex_chan_try_send(VexChannel *ch, void *value) {
    VexTask *wake = NULL;
    chan_lock(ch);
    bool ok = !ch->closed && send_now(ch, value, &wake);
    chan_unlock(ch);
    if (wake) rt_task_wake_release(wake);
    if (!ok) release_value(ch->elem, value);
    return ok;
}

bool vex_chan_try_recv(VexChannel *ch, void *out) {
    VexTask *wake = NULL;
    chan_lock(ch);
    bool ok = recv_now(ch, out, &wake);
    chan_unlock(ch);
    if (wake) rt_task_wake_release(wake);
    return ok;
}

/* Tasks to wake after unlocking, each holding a reference (rt_task_retain). */
#define WAKE_BATCH 32
typedef struct WakeList {
    VexTask *tasks[WAKE_BATCH];
    int n;
} WakeList;

static void wake_all(WakeList *l) {
    for (int i = 0; i < l->n; i++) rt_task_wake_release(l->tasks[i]);
    l->n = 0;
}

/* Ends every live wait of q with CLOSED (a select's record: its arm is disabled). The
 * woken tasks are collected and woken after the unlock; only beyond WAKE_BATCH of them
 * (their records are theirs again once the status is stored, so nothing can be chained
 * through them) are they woken under the lock. */
static void close_queue(WaitQ *q, WakeList *l) {
    VexChanWaiter *w;
    while ((w = q->head)) {
        q_unlink(q, w);
        if (waiter_dead(w)) continue;
        if (l->n == WAKE_BATCH) wake_all(l);
        l->tasks[l->n++] = waiter_finish(w, VEX_CHAN_CLOSED);
    }
}

void vex_chan_close(VexChannel *ch) {
    WakeList l;
    l.n = 0;
    chan_lock(ch);
    if (!ch->closed) {
        ch->closed = true;
        close_queue(&ch->recvq, &l);
        close_queue(&ch->sendq, &l);
    }
    chan_unlock(ch);
    wake_all(&l);
}

int64_t vex_chan_len(const VexChannel *ch) {
    VexChannel *m = (VexChannel *)ch;
    chan_lock(m);
    uint64_t len = m->len;
    chan_unlock(m);
    return (int64_t)len;
}

int64_t vex_chan_cap(const VexChannel *ch) { return (int64_t)ch->cap; }

bool vex_chan_is_closed(const VexChannel *ch) {
    VexChannel *m = (VexChannel *)ch;
    chan_lock(m);
    bool closed = m->closed;
    chan_unlock(m);
    return closed;
}

/* ---- Select ---------------------------------------------------------------------------- */

/* The arm locked p-th (arms sorted by channel address). */
static inline VexSelectArm *arm_in_order(VexSelectArm *arms, int32_t p) {
    return &arms[arms[p].reserved];
}

static inline uintptr_t order_key(VexSelectArm *arms, int32_t p) {
    return (uintptr_t)arm_in_order(arms, p)->ch;
}

static void sift_down(VexSelectArm *arms, int32_t root, int32_t end) {
    for (;;) {
        int32_t child = 2 * root + 1;
        if (child >= end) return;
        if (child + 1 < end && order_key(arms, child + 1) > order_key(arms, child)) child++;
        if (order_key(arms, root) >= order_key(arms, child)) return;
        int32_t t = arms[root].reserved;
        arms[root].reserved = arms[child].reserved;
        arms[child].reserved = t;
        root = child;
    }
}

/* Stores into arms[p].reserved the index of the arm whose channel is p-th in address
 * order, without allocating: insertion sort for the usual handful of arms, heap sort
 * (O(n log n)) beyond. */
#define SORT_INSERTION_MAX 8

static void sort_arms(VexSelectArm *arms, int32_t n) {
    if (n <= SORT_INSERTION_MAX) {
        for (int32_t i = 0; i < n; i++) {
            uintptr_t key = (uintptr_t)arms[i].ch;
            int32_t j = i;
            for (; j > 0 && order_key(arms, j - 1) > key; j--)
                arms[j].reserved = arms[j - 1].reserved;
            arms[j].reserved = i;
        }
        return;
    }
    for (int32_t i = 0; i < n; i++) arms[i].reserved = i;
    for (int32_t i = n / 2 - 1; i >= 0; i--) sift_down(arms, i, n);
    for (int32_t end = n - 1; end > 0; end--) {
        int32_t t = arms[0].reserved;
        arms[0].reserved = arms[end].reserved;
        arms[end].reserved = t;
        sift_down(arms, 0, end);
    }
}

/* Locks every distinct channel once, in address order. */
static inline void lock_arms(VexSelectArm *arms, int32_t n) {
    VexChannel *prev = NULL;
    for (int32_t p = 0; p < n; p++) {
        VexChannel *ch = arm_in_order(arms, p)->ch;
        if (ch != prev) chan_lock(ch);
        prev = ch;
    }
}

static inline void unlock_arms(VexSelectArm *arms, int32_t n) {
    VexChannel *prev = NULL;
    for (int32_t p = n - 1; p >= 0; p--) {
        VexChannel *ch = arm_in_order(arms, p)->ch;
        if (ch != prev) chan_unlock(ch);
        prev = ch;
    }
}

enum { ARM_WAIT, ARM_READY, ARM_DISABLED };

/* Under the arm's lock. Whether it can complete now, must wait, or never will. */
static inline int arm_state(VexSelectArm *a) {
    VexChannel *ch = a->ch;
    if (a->kind == VEX_SELECT_SEND) {
        if (ch->closed) return ARM_DISABLED;
        return ch->len < ch->cap || q_live(&ch->recvq) ? ARM_READY : ARM_WAIT;
    }
    if (ch->len > 0 || q_live(&ch->sendq)) return ARM_READY;
    return ch->closed ? ARM_DISABLED : ARM_WAIT;
}

/* Releases the values of the send arms other than `fired` (the select owns them). */
static inline void release_unsent(VexSelectArm *arms, int32_t n, int32_t fired) {
    for (int32_t i = 0; i < n; i++)
        if (i != fired && arms[i].kind == VEX_SELECT_SEND)
            release_value(arms[i].ch->elem, slot_of(arms[i].waiter));
}

/* r % k, without a 64-bit division when k is a power of two (two ready arms: the usual
 * case). The same value as r % k, which the evaluator's deterministic mode replays. */
static inline uint64_t pick_below(uint64_t r, uint64_t k) {
    return (k & (k - 1)) == 0 ? r & (k - 1) : r % k;
}

static void select_record_wait(WorkerContext *ctx, VexSelect *sel) {
    if (sel->deadline != NO_DEADLINE) rt_await_deadline(ctx, sel->deadline);
    else worker_await_wake(ctx);
}

/* The arms a select tries one by one before locking them all (see "Select" above). */
#define SELECT_TRY_MAX 8

/* Tries the arms one at a time in a random order, each under its own lock; returns the
 * arm it completed (*wake: a task to wake) or -1 when none could proceed at its turn. */
static int32_t select_try_each(WorkerContext *ctx, VexSelectArm *arms, int32_t n,
                               VexTask **wake) {
    int8_t order[SELECT_TRY_MAX];
    for (int32_t i = 0; i < n; i++) order[i] = (int8_t)i;
    for (int32_t i = n - 1; i > 0; i--) { /* Fisher-Yates */
        int32_t j = (int32_t)pick_below(worker_rand(ctx), (uint64_t)i + 1);
        int8_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int32_t k = 0; k < n; k++) {
        VexSelectArm *a = &arms[order[k]];
        VexChannel *ch = a->ch;
        chan_lock(ch);
        bool ok = a->kind == VEX_SELECT_SEND
                      ? !ch->closed && send_now(ch, slot_of(a->waiter), wake)
                      : recv_now(ch, slot_of(a->waiter), wake);
        chan_unlock(ch);
        if (ok) return order[k];
    }
    return -1;
}

int32_t vex_select(WorkerContext *ctx, VexSelect *sel, VexSelectArm *arms, int32_t n,
                   int64_t after_ms, bool has_default) {
    VexTask *wake = NULL;
    int32_t result;
    if (n >= 2 && n <= SELECT_TRY_MAX && !ctx->rt->virtual_clock) {
        result = select_try_each(ctx, arms, n, &wake);
        if (result >= 0) {
            if (wake) rt_task_wake_release(wake);
            release_unsent(arms, n, result);
            return result;
        }
    }
    sort_arms(arms, n);
    lock_arms(arms, n);
    for (;;) {
        int32_t ready = 0, disabled = 0;
        for (int32_t i = 0; i < n; i++) {
            int s = arm_state(&arms[i]);
            ready += s == ARM_READY;
            disabled += s == ARM_DISABLED;
        }
        if (ready == 0) {
            if (has_default) result = n + 1;
            else if (after_ms == 0) result = n;
            else if (after_ms < 0 && disabled == n) result = VEX_SELECT_ALL_CLOSED;
            else break; /* wait */
            goto done;
        }
        /* The pick-th ready arm. A record counted as matchable may have died since (its
         * select fired elsewhere): then the arm is not ready any more; count again. */
        uint64_t pick = ready == 1 ? 0 : pick_below(worker_rand(ctx), (uint64_t)ready);
        for (int32_t i = 0; i < n; i++) {
            if (arm_state(&arms[i]) != ARM_READY || pick-- != 0) continue;
            VexSelectArm *a = &arms[i];
            bool ok = a->kind == VEX_SELECT_SEND ? send_now(a->ch, slot_of(a->waiter), &wake)
                                                  : recv_now(a->ch, slot_of(a->waiter), &wake);
            if (ok) {
                result = i;
                goto done;
            }
            break;
        }
    }
    /* Nothing ready: queue a record on every enabled arm. */
    atomic_store_explicit(&sel->fired, FIRED_NONE, memory_order_relaxed);
    sel->deadline = after_ms > 0 ? rt_deadline_after(ctx->rt, (uint64_t)after_ms) : NO_DEADLINE;
    for (int32_t i = 0; i < n; i++) {
        VexSelectArm *a = &arms[i];
        waiter_init(a->waiter, ctx->current, sel, i);
        if (arm_state(a) == ARM_DISABLED)
            atomic_store_explicit(&a->waiter->status, VEX_CHAN_CLOSED, memory_order_relaxed);
        else
            q_push(a->kind == VEX_SELECT_SEND ? &a->ch->sendq : &a->ch->recvq, a->waiter);
    }
    select_record_wait(ctx, sel);
    unlock_arms(arms, n);
    return VEX_SELECT_PENDING;
done:
    unlock_arms(arms, n);
    if (wake) rt_task_wake_release(wake);
    release_unsent(arms, n, result);
    return result;
}

int32_t vex_select_resume(WorkerContext *ctx, VexSelect *sel, VexSelectArm *arms, int32_t n) {
    int32_t f = atomic_load_explicit(&sel->fired, memory_order_acquire);
    if (f == FIRED_NONE) {
        bool cancelled = vex_task_cancelled(ctx);
        bool timed_out = sel->deadline != NO_DEADLINE && rt_now(ctx->rt) >= sel->deadline;
        bool all_closed = sel->deadline == NO_DEADLINE;
        for (int32_t i = 0; all_closed && i < n; i++)
            all_closed = atomic_load_explicit(&arms[i].waiter->status, memory_order_acquire) ==
                         VEX_CHAN_CLOSED;
        if (!cancelled && !timed_out && !all_closed) {
            select_record_wait(ctx, sel);
            return VEX_SELECT_PENDING;
        }
        int32_t want = cancelled ? FIRED_CANCELLED : timed_out ? n : FIRED_CLOSED;
        /* On failure f is the arm a channel operation made fire meanwhile. */
        if (atomic_compare_exchange_strong_explicit(&sel->fired, &f, want, memory_order_acq_rel,
                                                    memory_order_acquire))
            f = want;
    }
    if (f >= 0 && f < n &&
        atomic_load_explicit(&arms[f].waiter->status, memory_order_acquire) != VEX_CHAN_OK) {
        /* The winner is still moving the value; it wakes the task when done. */
        worker_await_wake(ctx);
        return VEX_SELECT_PENDING;
    }
    /* Withdraw the records still queued (nobody can match them: the select fired). */
    lock_arms(arms, n);
    for (int32_t i = 0; i < n; i++) {
        VexSelectArm *a = &arms[i];
        if (a->waiter->queued)
            q_unlink(a->kind == VEX_SELECT_SEND ? &a->ch->sendq : &a->ch->recvq, a->waiter);
    }
    unlock_arms(arms, n);
    release_unsent(arms, n, f);
    return f;
}
