//! `vex-rt-sys`: builds the Vex C runtime (`vex-rt`) into a static library, exposes its
//! raw FFI ([`ffi`]) and a safe host API ([`host`]: runtime builder, spawning state
//! machines, task handles, cancel tokens, counters, output capture). It contains no
//! runtime logic of its own: scheduling, timers, I/O and panics all live in C.

pub mod ffi;
pub mod host;

pub use host::{
    CancelToken, Context, Counters, JoinError, Output, OutputCapture, Runtime, RuntimeBuilder,
    RuntimeError, StateMachine, Step, TaskHandle, TaskStatus,
};

/// Directory that holds `libvexrt.a` (for linking generated executables).
pub const LIB_DIR: &str = env!("VEX_RT_LIB_DIR");

/// Full path of the static runtime library.
pub fn static_lib_path() -> std::path::PathBuf {
    std::path::Path::new(LIB_DIR).join("libvexrt.a")
}
