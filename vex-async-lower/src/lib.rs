//! `vex-async-lower`: from typed HIR to a CFG IR, the coroutine transform of async
//! functions, and a reference evaluator.
//!
//! The pipeline, each step a module:
//! - [`ir`]: the IR itself (types with the one answer for the type of a constant,
//!   operand or place, layouts, printer, validator, program-wide constants);
//! - [`build`]: HIR → IR per function, one file per concern (`go` blocks become
//!   synthetic async functions, and a synchronous `main` is wrapped into the async task
//!   `main` here, so every engine starts every program the same way);
//! - [`coro`]: the coroutine transform, a pipeline of named steps
//!   (`liveness` → `saved_locals` → `layout` → `split`);
//! - [`eval`]: a reference interpreter with the deterministic scheduler of
//!   LANGUAGE.md §6.9, for IR before and after the transform;
//! - [`queries`]: the per-function salsa queries `fn_ir`, `lowered` and the assembled
//!   `module_ir` (validated in debug builds, so invalid IR is a located compiler bug
//!   the moment it is built);
//! - [`emit`]: text outputs for `vex emit ir`, `vex emit async-ir` and `--dot`;
//! - [`backend`]: the [`backend::Backend`] trait that engines implement (the evaluator
//!   here, the LLVM JIT and executables in `vex-llvm`).
//!
//! Dependencies between these modules run one way: `ir ← build ← queries`,
//! `ir ← coro ← queries`, `ir ← eval ← backend`.
//!
//! This crate must not depend on LLVM or on the C runtime: runtime operations appear in
//! the IR as [`ir::RtOp`]s named after their `vex_rt.h` functions.

pub mod backend;
pub mod build;
pub mod coro;
pub mod emit;
pub mod eval;
pub mod ir;
pub mod queries;
#[cfg(feature = "testing")]
pub mod testing;

pub use queries::{fn_ir, lowered, module_built, module_ir, module_ir_for_main};

#[cfg(test)]
mod tests;
