//! `vex-hir`: the meaning of Vex Core programs, as incremental salsa queries.
//!
//! Source files go in ([`SourceFile`], collected in the [`Program`]); out come names
//! resolved across files, a type for every expression, and diagnostics a person can
//! act on. The layers, each a query:
//!
//! - [`item_tree::parse`] → [`item_tree::item_tree`]: a position-independent summary of a
//!   file's items, the barrier that keeps body edits from invalidating signatures;
//! - [`scope::program_scope`]: every item of every file in one namespace;
//! - [`signature::fn_signature`]: resolved parameter and result types;
//! - [`lower::body`] + [`lower::body_source_map`]: per-function arena HIR, with the spans
//!   kept apart (see [`body`] for the desugarings);
//! - [`infer::infer`]: types and resolutions per function (the unification table,
//!   expressions, calls and patterns each in their file of `infer/`);
//! - [`check::file_diagnostics`]: everything above turned into [`Diagnostic`]s;
//! - [`line_index`]: a file's line table, which turns offsets into the lines and
//!   columns that diagnostics, panic sites and debug info print.
//!
//! Beside salsa's memos, [`Caches`] keeps what the parse, the walk over a file's items
//! and the file's diagnostics computed last, so that after an edit in one function of a
//! large file only that function's syntax is parsed, summarised and checked again.
//!
//! This crate must not know about LLVM, the runtime or the IR; later stages read its
//! results.

pub mod body;
pub mod builtins;
mod caches;
pub mod check;
pub mod db;
pub mod diagnostics;
pub mod ids;
pub mod infer;
pub mod item_tree;
pub mod lower;
pub mod moves;
pub mod pretty;
pub mod scope;
pub mod signature;
#[cfg(feature = "testing")]
pub mod testing;
pub mod ty;

pub use caches::Caches;
pub use check::{check_in_parallel, file_diagnostics, program_diagnostics};
pub use db::{Db, Program, RootDatabase, SourceFile, line_index};
pub use diagnostics::{Code, Diagnostic, Label, Severity};
pub use ty::Ty;

/// Runs `f` with at least a red zone of free stack, switching to a fresh heap-allocated
/// stack segment first if this thread's stack is nearly used up. The passes that
/// recurse on expression trees (lowering, inference, the move checker, the HIR printer,
/// the IR builder) call it at each level, so deep input — operator chains may be 4096
/// links long — never overflows a thread's stack, whatever its size.
pub fn ensure_stack<R>(f: impl FnOnce() -> R) -> R {
    /// Debug builds have large frames; a level of recursion may take tens of KiB.
    const RED_ZONE: usize = 256 * 1024;
    const SEGMENT: usize = 4 * 1024 * 1024;
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}

#[cfg(test)]
mod tests;
