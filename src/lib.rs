//! Vex: a compiler library for Vex Core, a small systems language built around
//! `async`/`await`.
//!
//! This crate is the stable facade over the compiler's layers: the lossless parser
//! ([`syntax`]), names, types and diagnostics ([`hir`], driven through [`Compiler`]),
//! with async lowering and execution joining as their crates land. Tools link this crate rather than the layers below it, so the layers
//! can change shape without breaking them.
//!
//! ```
//! let parse = vex::syntax::parse("fn main() { println(\"hi\") }\n");
//! assert!(parse.errors().is_empty());
//! // The tree is lossless: it prints back to exactly the input.
//! assert_eq!(parse.syntax_node().to_string(), "fn main() { println(\"hi\") }\n");
//! ```

#[cfg(feature = "llvm")]
mod call;
mod compiler;
pub mod diagnostics;
pub mod ide;
mod program;

pub use vex_syntax as syntax;

pub mod unstable;

#[cfg(feature = "llvm")]
pub use call::{AsyncCall, AsyncFunc, CallError, Func, HostArgs, Param, Params, Value, VexType};
pub use compiler::{Compiler, Error, FileDiagnostic};
pub use diagnostics::{Code, Diagnostic, Severity};
pub use program::{
    Config, Ending, Engine, InterruptHandle, Interruption, OptLevel, Outcome, Panic, Program,
    RunOptions, SourceLocation,
};

/// Formats a Vex source file in the canonical layout that `vex fmt` writes: 4-space
/// indentation, lines of at most 100 characters where they can break, one statement per
/// line, trailing commas in broken lists, comments kept where they were. A file with
/// syntax errors is not formatted: its errors are returned (see [`vex_fmt`] for the
/// layout and the algorithm).
///
/// ```
/// let formatted = vex::format("fn main(){println( 1+2 )}").unwrap();
/// assert_eq!(formatted, "fn main() { println(1 + 2) }\n");
/// ```
pub fn format(text: &str) -> Result<String, Vec<syntax::SyntaxError>> {
    vex_fmt::format(text)
}

/// Parses `text` and returns its syntax errors as [`Diagnostic`]s, in source order.
pub fn syntax_diagnostics(text: &str) -> Vec<Diagnostic> {
    syntax::parse(text).errors().iter().map(Diagnostic::from_syntax_error).collect()
}

/// The README's examples are compiled and run as doctests, so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
