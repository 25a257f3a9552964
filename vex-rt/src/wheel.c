/*
 * wheel.c — a hierarchical timing wheel with 1 ms resolution: 6 levels of 64 slots
 * (2^36 ms range). A timer lives at the level of the highest 6-bit digit in which its
 * deadline differs from the wheel's current time, so every entry of level L expires
 * before any entry of level L+1; reaching a slot of level L > 0 cascades its entries
 * down. Insert and remove are O(1): slots are circular doubly-linked lists through
 * sentinels, the node is embedded in the task header. Slots keep insertion order and
 * cascading preserves it, so equal deadlines fire in the order they were set.
 * Occupancy bitmaps are maintained lazily (a bit may be set for an emptied slot; it is
 * cleared when found empty). No locking here: callers own the wheel.
 */
#include "internal.h"

void wheel_init(VexWheel *w, uint64_t now) {
    w->elapsed = now;
    w->count = 0;
    for (int l = 0; l < WHEEL_LEVELS; l++) {
        w->occupied[l] = 0;
        for (int s = 0; s < WHEEL_SLOTS; s++) {
            w->slots[l][s].next = &w->slots[l][s];
            w->slots[l][s].prev = &w->slots[l][s];
        }
    }
}

static int level_for(uint64_t elapsed, uint64_t deadline) {
    uint64_t masked = (elapsed ^ deadline) | (WHEEL_SLOTS - 1);
    int significant = 63 - __builtin_clzll(masked);
    return significant / 6;
}

static void link_tail(VexTimerNode *sentinel, VexTimerNode *n) {
    n->prev = sentinel->prev;
    n->next = sentinel;
    sentinel->prev->next = n;
    sentinel->prev = n;
}

uint64_t wheel_insert(VexWheel *w, VexTask *t, uint64_t deadline) {
    if (deadline < w->elapsed) deadline = w->elapsed;
    if (deadline - w->elapsed > WHEEL_MAX_DELAY) deadline = w->elapsed + WHEEL_MAX_DELAY;
    t->wait = deadline;
    int level = level_for(w->elapsed, deadline);
    int slot = (int)((deadline >> (6 * level)) & (WHEEL_SLOTS - 1));
    link_tail(&w->slots[level][slot], &t->link.tnode);
    w->occupied[level] |= 1ull << slot;
    w->count++;
    /* The slot's start (what wheel_next_expiration reports once it is the first). */
    uint64_t level_range = 1ull << (6 * (level + 1));
    uint64_t when = (w->elapsed & ~(level_range - 1)) + ((uint64_t)slot << (6 * level));
    return when < w->elapsed ? w->elapsed : when;
}

void wheel_remove(VexWheel *w, VexTask *t) {
    VexTimerNode *n = &t->link.tnode;
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = n;
    w->count--;
}

/* Finds the next non-empty slot; returns its level (or -1) and sets *slot, *when. */
static int next_slot(VexWheel *w, int *slot_out, uint64_t *when) {
    for (int l = 0; l < WHEEL_LEVELS; l++) {
        for (;;) {
            if (w->occupied[l] == 0) break;
            int cur = (int)((w->elapsed >> (6 * l)) & (WHEEL_SLOTS - 1));
            uint64_t mask = w->occupied[l] & (~0ull << cur);
            if (mask == 0) break; /* cannot happen with the level invariant */
            int s = __builtin_ctzll(mask);
            VexTimerNode *sentinel = &w->slots[l][s];
            if (sentinel->next == sentinel) {
                w->occupied[l] &= ~(1ull << s);
                continue;
            }
            uint64_t level_range = 1ull << (6 * (l + 1));
            uint64_t base = w->elapsed & ~(level_range - 1);
            *when = base + ((uint64_t)s << (6 * l));
            if (*when < w->elapsed) *when = w->elapsed;
            *slot_out = s;
            return l;
        }
    }
    return -1;
}

uint64_t wheel_next_expiration(VexWheel *w) {
    if (w->count == 0) return UINT64_MAX;
    int s;
    uint64_t when;
    return next_slot(w, &s, &when) < 0 ? UINT64_MAX : when;
}

size_t wheel_advance(VexWheel *w, uint64_t now, void (*fire)(void *arg, VexTask *t), void *arg) {
    size_t fired = 0;
    while (w->count > 0) {
        int s;
        uint64_t when;
        int l = next_slot(w, &s, &when);
        if (l < 0 || when > now) break;
        w->elapsed = when;
        VexTimerNode *sentinel = &w->slots[l][s];
        /* Detach the whole slot first: cascaded entries may land in this very slot. */
        VexTimerNode *n = sentinel->next;
        sentinel->prev->next = NULL;
        sentinel->next = sentinel->prev = sentinel;
        w->occupied[l] &= ~(1ull << s);
        while (n) {
            VexTimerNode *next = n->next;
            VexTask *t = task_of_tnode(n);
            w->count--;
            if (l == 0 || t->wait <= w->elapsed) {
                n->next = n->prev = n;
                fire(arg, t);
                fired++;
            } else {
                wheel_insert(w, t, t->wait);
            }
            n = next;
        }
    }
    if (now > w->elapsed) w->elapsed = now;
    return fired;
}
