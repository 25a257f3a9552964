/*
 * abi.c — the single C-side source of truth for the sizes and field offsets of every
 * struct shared with Rust (vex-rt-sys) and with LLVM-generated code. The layout tests
 * compare these values with their own view; add an entry whenever a shared struct
 * changes. Must not contain logic.
 */
#include "internal.h"

#define SIZE(T) {#T ".size", sizeof(T)}
#define ALIGN(T) {#T ".align", _Alignof(T)}
#define FIELD(T, f) {#T "." #f, offsetof(T, f)}

static const VexAbiEntry entries[] = {
    SIZE(VexTask),
    ALIGN(VexTask),
    FIELD(VexTask, resume),
    FIELD(VexTask, state),
    FIELD(VexTask, refs),
    FIELD(VexTask, waiter),
    FIELD(VexTask, link),
    FIELD(VexTask, wait),
    FIELD(VexTask, result_offset),
    FIELD(VexTask, result_size),
    FIELD(VexTask, wheel),
    FIELD(VexTask, wait_kind),
    FIELD(VexTask, size_class),
    FIELD(VexTask, drop_slot),
    {"VEX_TASK_HEADER_SIZE", VEX_TASK_HEADER_SIZE},
    SIZE(VexRuntimeOptions),
    ALIGN(VexRuntimeOptions),
    FIELD(VexRuntimeOptions, workers),
    FIELD(VexRuntimeOptions, virtual_clock),
    FIELD(VexRuntimeOptions, detect_deadlock),
    FIELD(VexRuntimeOptions, sink),
    FIELD(VexRuntimeOptions, sink_user),
    SIZE(VexCounters),
    ALIGN(VexCounters),
    FIELD(VexCounters, spawned),
    FIELD(VexCounters, alive),
    FIELD(VexCounters, finished),
    FIELD(VexCounters, cancelled),
    FIELD(VexCounters, steals),
    FIELD(VexCounters, parks),
    SIZE(VexString),
    ALIGN(VexString),
    FIELD(VexString, refs),
    FIELD(VexString, reserved),
    FIELD(VexString, len),
    FIELD(VexString, bytes),
    SIZE(VexElemType),
    ALIGN(VexElemType),
    FIELD(VexElemType, size),
    FIELD(VexElemType, align),
    FIELD(VexElemType, retain),
    FIELD(VexElemType, release),
    FIELD(VexElemType, kind),
    FIELD(VexElemType, reserved),
    SIZE(VexVec),
    ALIGN(VexVec),
    FIELD(VexVec, refs),
    FIELD(VexVec, reserved),
    FIELD(VexVec, len),
    FIELD(VexVec, cap),
    FIELD(VexVec, elem),
    {"VEX_VEC_HEADER_SIZE", VEX_VEC_HEADER_SIZE},
    SIZE(VexEnv),
    ALIGN(VexEnv),
    FIELD(VexEnv, refs),
    FIELD(VexEnv, reserved),
    FIELD(VexEnv, drop),
    {"VEX_ENV_HEADER_SIZE", VEX_ENV_HEADER_SIZE},
    SIZE(VexSelectArm),
    ALIGN(VexSelectArm),
    FIELD(VexSelectArm, ch),
    FIELD(VexSelectArm, waiter),
    FIELD(VexSelectArm, kind),
    FIELD(VexSelectArm, reserved),
    {"VEX_CHAN_WAITER_SIZE", VEX_CHAN_WAITER_SIZE},
    {"VEX_SELECT_SIZE", VEX_SELECT_SIZE},
    {"VEX_IO_RESULT_SIZE", VEX_IO_RESULT_SIZE},
    {"VEX_IO_PAYLOAD_OFFSET", VEX_IO_PAYLOAD_OFFSET},
    {"VEX_IO_BOOL_RESULT_SIZE", VEX_IO_BOOL_RESULT_SIZE},
    {"VEX_OPTION_SIZE", VEX_OPTION_SIZE},
    {"VEX_OPTION_PAYLOAD_OFFSET", VEX_OPTION_PAYLOAD_OFFSET},
    SIZE(VexAbiEntry),
    FIELD(VexAbiEntry, name),
    FIELD(VexAbiEntry, value),
    SIZE(CoroStatus),
    SIZE(EventType),
    SIZE(VexOutcome),
};

const VexAbiEntry *vex_abi_entries(size_t *count) {
    *count = sizeof entries / sizeof entries[0];
    return entries;
}
