/*
 * program.c — program entry, shared by executables (vex_exe_main, called by the
 * generated C `main`) and in-process hosts (which create the runtime themselves and call
 * the generated vex_run_main): spawn `main`, run, and turn how the run stopped into a
 * VexRunReport and an exit code. Must not know how `main` was compiled; it only calls
 * its wrapper.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool runtime_panic_info(const Runtime *rt, VexPanicInfo *out) {
    if (!runtime_panicked(rt) || !rt->panic_message) return false;
    out->file = rt->panic_file ? rt->panic_file : "<unknown>";
    out->message = rt->panic_text ? rt->panic_text : "";
    out->line = rt->panic_line;
    out->col = rt->panic_col;
    return true;
}

int32_t vex_program_run(Runtime *rt, VexMainWrapper main, uint32_t result_size,
                        VexRunReport *report) {
    VexRunReport local;
    if (!report) report = &local;
    memset(report, 0, sizeof *report);
    Runtime *prev = vex_tls_runtime;
    vex_tls_runtime = rt;
    VexFuture *future = main(NULL);
    runtime_run(rt);
    uint64_t deadlocked = runtime_deadlocked(rt);
    if (runtime_exited(rt)) {
        report->ending = VEX_ENDING_EXITED;
        report->exit_code = runtime_exit_code(rt);
    } else if (runtime_panicked(rt)) {
        report->ending = VEX_ENDING_PANICKED;
        report->exit_code = 101;
        if (!runtime_panic_info(rt, &report->panic)) {
            report->panic.file = "<unknown>";
            report->panic.message = "";
        }
    } else if (runtime_interrupted(rt)) {
        report->ending = VEX_ENDING_INTERRUPTED;
        report->exit_code = VEX_INTERRUPTED_EXIT_CODE;
    } else if (deadlocked) {
        report->ending = VEX_ENDING_DEADLOCKED;
        report->exit_code = 101;
        report->deadlocked = deadlocked;
    } else if (vex_future_outcome(future) == VEX_OUTCOME_PENDING) {
        /* Drained without main finishing (only without deadlock detection). */
        vex_future_release(future);
        report->ending = VEX_ENDING_UNFINISHED;
        report->exit_code = VEX_UNFINISHED_EXIT_CODE;
    } else {
        int32_t value = 0;
        /* Taking releases the handle, whatever the outcome. */
        VexOutcome taken = vex_future_take(NULL, future, result_size ? &value : NULL);
        if (taken == VEX_OUTCOME_VALUE) {
            report->ending = VEX_ENDING_RETURNED;
            report->exit_code = value;
        } else {
            report->ending = VEX_ENDING_UNFINISHED;
            report->exit_code = VEX_UNFINISHED_EXIT_CODE;
        }
    }
    /* A stopped run leaves main's handle to runtime_destroy, which frees every task. */
    vex_tls_runtime = prev;
    return report->exit_code;
}

static bool write_all(FILE *f, const char *bytes, size_t len) {
    return fwrite(bytes, 1, len, f) == len;
}

int vex_report_write(const char *path, const VexRunReport *report) {
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    const char *file = report->panic.file ? report->panic.file : "";
    const char *message = report->panic.message ? report->panic.message : "";
    bool ok = fprintf(f,
                      "vex-report 1\nending %d\nexit_code %d\ndeadlocked %llu\nline %u\n"
                      "col %u\nfile %zu\n",
                      report->ending, report->exit_code,
                      (unsigned long long)report->deadlocked, report->panic.line,
                      report->panic.col, strlen(file)) > 0 &&
              write_all(f, file, strlen(file)) &&
              fprintf(f, "\nmessage %zu\n", strlen(message)) > 0 &&
              write_all(f, message, strlen(message)) && write_all(f, "\n", 1);
    int saved = errno;
    if (fclose(f) != 0) ok = false;
    errno = saved;
    return ok ? 0 : -1;
}

int vex_exe_main(int argc, char **argv, VexRunMain run_main) {
    VexRuntimeOptions options = {.detect_deadlock = true};
    const char *workers = getenv("VEX_WORKERS");
    /* Not a number: 0, one worker per CPU. */
    if (workers) options.workers = atoi(workers);
    const char *clock = getenv("VEX_CLOCK");
    options.virtual_clock = clock && strcmp(clock, "virtual") == 0;
    Runtime *rt = runtime_create_with(&options);
    if (!rt) return 70;
    if (argc > 1) runtime_set_args(rt, argc - 1, (const char *const *)argv + 1);
    VexRunReport report;
    int code = run_main(rt, &report);
    const char *report_path = getenv("VEX_REPORT_FILE");
    if (report_path && *report_path && vex_report_write(report_path, &report) != 0)
        fprintf(stderr, "vex: cannot write the run report to %s: %s\n", report_path,
                strerror(errno));
    runtime_set_current(NULL);
    runtime_destroy(rt);
    return code;
}
