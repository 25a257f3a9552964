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
//! - [`infer::infer`]: types and resolutions per function;
//! - [`check::file_diagnostics`]: everything above turned into [`Diagnostic`]s.
//!
//! This crate must not know about LLVM, the runtime or the IR; later stages read its
//! results.

pub mod body;
pub mod builtins;
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

pub use check::{file_diagnostics, program_diagnostics};
pub use db::{Db, Program, RootDatabase, SourceFile};
pub use diagnostics::{Code, Diagnostic, Label, Severity};
pub use ty::Ty;

#[cfg(test)]
mod tests;
