//! `vex-llvm`: the LLVM backend of Vex. It turns already-lowered code into machine code
//! that runs on the C runtime (`vex-rt`): [`abi`] declares, in one place, the LLVM view
//! of every runtime struct and function; [`target`] creates target machines for the
//! host; [`codegen`] walks `vex_async_lower::ir` into LLVM (places, statements, runtime
//! calls and terminators each in a file of `codegen/`); [`entry`] generates the program
//! entry (`vex_run_main` and the C `main`), which spawns the task `main` that lowering
//! always provides; [`opt`] runs LLVM's optimisation pipelines and decides which small
//! recursive functions to unroll; [`jit`] runs modules in-process; [`aot`] writes object
//! files and links executables; [`debug`] attaches DWARF line information.
//!
//! It must not re-analyse source code or know about coroutines: it sees only IR in
//! which every suspension is already an explicit runtime call. Its whole-program tests
//! (examples against the evaluator, LeakSanitizer, DWARF and gdb) are in `tests/`.

pub mod abi;
pub mod aot;
pub mod backend;
pub mod codegen;
pub mod debug;
pub mod entry;
pub mod error;
pub mod jit;
pub mod opt;
pub mod target;

#[cfg(test)]
mod testing;

pub use backend::{AotBackend, JitBackend, JitProgram, emit_llvm_ir};
pub use error::Error;
pub use jit::{Jit, run_entry};
pub use target::{HostTarget, OptLevel, TargetOptions};
