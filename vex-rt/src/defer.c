/*
 * defer.c — the pending `defer` records of one function activation (language §4): a
 * singly linked list, newest first, NULL when empty. Each record holds the defer site's
 * number and a bitwise copy of the values the deferred code captured; the record owns
 * the references inside that copy until vex_defer_take moves them out. A list belongs to
 * one activation (never shared between tasks): it may move between workers with its
 * task, so records come from malloc rather than from a worker's free lists.
 */
#include "internal.h"

#include <string.h>

struct VexDeferList {
    VexDeferList *next;
    uint32_t site;
    uint32_t size; /* bytes of captures */
    unsigned char captures[];
};

VexDeferList *vex_defer_push(VexDeferList *list, uint32_t site, const void *captures,
                             size_t size) {
    if (size > UINT32_MAX) {
        fprintf(stderr, "vex-rt: defer captures too large (%zu bytes)\n", size);
        abort();
    }
    VexDeferList *r = malloc(sizeof *r + size);
    if (!r) {
        fprintf(stderr, "vex-rt: out of memory allocating a defer record\n");
        abort();
    }
    r->next = list;
    r->site = site;
    r->size = (uint32_t)size;
    if (size) memcpy(r->captures, captures, size);
    return r;
}

int64_t vex_defer_top(const VexDeferList *list) { return list ? (int64_t)list->site : -1; }

void vex_defer_take(VexDeferList *list, void *dest, size_t size) {
    if (!list || size != list->size) {
        fprintf(stderr, "vex-rt: vex_defer_take of %zu bytes from %s\n", size,
                list ? "a record of another size" : "an empty defer list");
        abort();
    }
    if (size) memcpy(dest, list->captures, size);
}

VexDeferList *vex_defer_pop(VexDeferList *list) {
    if (!list) return NULL;
    VexDeferList *next = list->next;
    free(list);
    return next;
}
