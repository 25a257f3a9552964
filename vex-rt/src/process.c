/*
 * process.c — the process builtins of LANGUAGE.md §13: args() (the arguments a host or
 * the program entry gave the runtime), getEnv(name) and exit(code). exit ends the run the
 * way a panic does (the calling task is abandoned by a longjmp to its worker loop, the
 * runtime stops, every other task is abandoned) without being one: nothing is printed
 * and the code is recorded on the runtime for the program entry to return. It never
 * calls exit(3), so an embedding host survives it. Must not keep global state: all of it
 * is per runtime.
 */
#include "internal.h"

#include <string.h>

void runtime_set_args(Runtime *rt, int32_t argc, const char *const *argv) {
    VexVec *v = NULL;
    for (int32_t i = 0; i < argc; i++) {
        const char *a = argv[i] ? argv[i] : "";
        VexString *s = vex_string_from_bytes(a, strlen(a));
        v = vex_vec_push(v, &vex_elem_string, &s);
    }
    VexVec *old = rt->args;
    rt->args = v;
    vex_vec_release(old);
}

VexVec *vex_args(void) {
    Runtime *rt = runtime_current();
    return rt ? vex_vec_retain(rt->args) : NULL;
}

void vex_get_env(const VexString *name, void *out) {
    uint32_t tag = VEX_OPTION_NONE;
    VexString *value = NULL;
    const char *n = vex_string_bytes(name);
    size_t len = vex_string_len(name);
    if (len > 0 && !memchr(n, 0, len) && !memchr(n, '=', len)) {
        const char *v = getenv(n);
        if (v) {
            tag = VEX_OPTION_SOME;
            value = vex_string_from_bytes(v, strlen(v));
        }
    }
    memset(out, 0, VEX_OPTION_SIZE);
    memcpy(out, &tag, sizeof tag);
    memcpy((char *)out + VEX_OPTION_PAYLOAD_OFFSET, &value, sizeof value);
}

_Noreturn void vex_exit(int32_t code) {
    Runtime *rt = runtime_current();
    if (rt && rt->serving) {
        /* A host's call, not a program: exit ends only the call, like a panic. */
        char msg[64];
        snprintf(msg, sizeof msg, "exit(%d) called outside a program's run", (int)code);
        rt_serving_panic(rt, "<exit>", 0, 0, msg);
    }
    if (rt) rt_stop_for_exit(rt, code);
    rt_unwind(VEX_CATCH_EXIT, code & 0xFF); /* the status the system would keep */
}
