//! Vex: a compiler library for Vex Core, a small systems language built around
//! `async`/`await`.
//!
//! This crate is the stable surface of the compiler: tools, Rust hosts and compiler
//! engineers use it, never the layers below it (parser, checker, lowering, LLVM backend,
//! runtime), which may change shape. This page is a guide to each use, with an example
//! that runs as a test.
//!
//! # Checking a program
//!
//! A [`Compiler`] holds a program: a set of files sharing one namespace, analysed by an
//! incremental database, so after an edit only what it affects is checked again.
//! Diagnostics are data ([`Diagnostic`]: severity, a stable [`Code`], message, spans,
//! labels, notes and mechanical fixes); [`diagnostics::render`] prints them as the CLI
//! does.
//!
//! ```
//! let mut compiler = vex::Compiler::new();
//! compiler.set_file("main.vx", "fn main() {\n    let x: i32 = \"no\"\n}\n");
//! let found = compiler.diagnostics();
//! assert_eq!(found[0].diagnostic.code, Some(vex::Code::TypeMismatch));
//! let text = vex::diagnostics::render(&found[0].diagnostic, "main.vx", compiler.file_text("main.vx").unwrap());
//! assert!(text.starts_with("main.vx:2:18: error[E0003]: expected `i32`, found `string`"));
//! ```
//!
//! # Compile once, run many times
//!
//! [`Compiler::compile`] makes a [`Program`] with the engine a [`Config`] names (the LLVM
//! JIT by default, standalone executables, or the reference evaluator). A program is
//! `Send + Sync` and cheap to clone; each [`Program::run`] gets [`RunOptions`] and returns
//! an [`Outcome`]: how the run ended ([`Ending`]) and what it printed.
//!
//! ```
//! let mut compiler = vex::Compiler::new();
//! compiler.set_file("main.vx", "fn main(): i32 {\n    println(\"hi\")\n    7\n}\n");
//! let program = compiler.compile(&vex::Config::new().engine(vex::Engine::Interpreter)).unwrap();
//! let runs: Vec<_> = (0..4)
//!     .map(|_| {
//!         let program = program.clone();
//!         std::thread::spawn(move || program.run(&vex::RunOptions::new()).unwrap())
//!     })
//!     .collect();
//! for run in runs {
//!     let outcome = run.join().unwrap();
//!     assert_eq!((outcome.stdout.as_str(), &outcome.ending), ("hi\n", &vex::Ending::Returned(7)));
//! }
//! ```
//!
//! # Panics, deadlocks and interrupts are endings, never crashes
//!
//! A panicking guest ends its run with [`Ending::Panicked`] (message and location, from
//! the runtime's own record); a runaway one is stopped by a deadline or an
//! [`InterruptHandle`] raised from another thread ([`Ending::Interrupted`]); deep
//! recursion is a `stack overflow` panic. The host runs on, and the program can run again.
//!
//! ```
//! use std::time::Duration;
//! let mut compiler = vex::Compiler::new();
//! compiler.set_file("main.vx", "fn main() {\n    let a = [1, 2, 3]\n    println(a[5])\n}\n");
//! let outcome = compiler.compile(&vex::Config::default()).unwrap().run(&vex::RunOptions::new()).unwrap();
//! let vex::Ending::Panicked(panic) = &outcome.ending else { unreachable!() };
//! assert_eq!((panic.location.line, panic.location.column), (3, 13));
//!
//! compiler.set_file("main.vx", "fn main() { loop {} }\n");
//! let program = compiler.compile(&vex::Config::default()).unwrap();
//! let stop = vex::InterruptHandle::new();
//! let raiser = stop.clone();
//! std::thread::spawn(move || { std::thread::sleep(Duration::from_millis(20)); raiser.interrupt() });
//! let outcome = program.run(&vex::RunOptions::new().interrupt(&stop)).unwrap();
//! assert_eq!(outcome.ending, vex::Ending::Interrupted(vex::Interruption::Requested));
//! let outcome = program.run(&vex::RunOptions::new().deadline(Duration::from_millis(20))).unwrap();
//! assert_eq!(outcome.ending, vex::Ending::Interrupted(vex::Interruption::Deadline));
//! ```
//!
//! # Calling Vex functions from Rust
//!
//! [`Program::func`] looks up a free function with a typed signature (checked at lookup:
//! a mismatch is an [`Error`], never undefined behaviour) and calls it; a panic is an
//! error of that call. [`Program::async_func`] calls an `async fn`: its [`AsyncCall`] is a
//! Rust `Future` (await it under tokio) or can be waited for.
//!
//! ```
//! # #[cfg(feature = "llvm")] {
//! let mut compiler = vex::Compiler::new();
//! compiler.set_file("main.vx", "fn add(a: i64, b: i64): i64 { a + b }\nasync fn twice(s: string): string {\n    await async_sleep(1)\n    s + s\n}\nfn main() {}\n");
//! let program = compiler.compile(&vex::Config::default()).unwrap();
//! let add = program.func::<(i64, i64), i64>("add").unwrap();
//! assert_eq!(add.call((40, 2)), Ok(42));
//! assert!(program.func::<(bool,), i64>("add").is_err());
//! let twice = program.async_func::<(String,), String>("twice").unwrap();
//! assert_eq!(twice.call(("ab".to_owned(),)).wait(), Ok("abab".to_owned()));
//! # }
//! ```
//!
//! # Host functions as Rust closures
//!
//! A program's `extern "C"` declarations can be given as closures with state
//! ([`Compiler::define_host_fn`]), checked against the declaration when compiling. A
//! panicking closure is a panic of the calling Vex task.
//!
//! ```
//! # #[cfg(feature = "llvm")] {
//! use std::sync::{Arc, Mutex};
//! let mut compiler = vex::Compiler::new();
//! compiler.set_file("main.vx", "extern \"C\" fn log(x: i64)\nfn main() {\n    log(1)\n    log(2)\n}\n");
//! let seen = Arc::new(Mutex::new(Vec::new()));
//! let sink = seen.clone();
//! compiler.define_host_fn("log", move |(x,): (i64,)| sink.lock().unwrap().push(x));
//! compiler.compile(&vex::Config::default()).unwrap().run(&vex::RunOptions::new()).unwrap();
//! assert_eq!(*seen.lock().unwrap(), [1, 2]);
//! # }
//! ```
//!
//! # Editor features
//!
//! [`Compiler::analysis`] takes a snapshot for an editor's requests ([`ide::Analysis`]:
//! hover, definition, references, rename, symbols, completion, formatting, diagnostics
//! with fixes), answerable on another thread and cancelled by the next change;
//! [`format()`] is `vex fmt`. `vex lsp` is built on these and nothing else.
//!
//! ```
//! let mut compiler = vex::Compiler::new();
//! compiler.set_file("main.vx", "fn main(){println( 1+2 )}");
//! assert_eq!(vex::format(compiler.file_text("main.vx").unwrap()).unwrap(), "fn main() { println(1 + 2) }\n");
//! let symbols = compiler.analysis().symbols("main.vx").unwrap();
//! assert_eq!(symbols[0].name, "main");
//! ```
//!
//! # Syntax trees
//!
//! [`syntax::parse`] never fails: it returns a lossless tree (it prints back to exactly
//! the input) and the syntax errors with their ranges.
//!
//! ```
//! let parse = vex::syntax::parse("fn main() { println(\"hi\") }\n");
//! assert!(parse.errors().is_empty());
//! assert_eq!(parse.syntax_node().to_string(), "fn main() { println(\"hi\") }\n");
//! ```
//!
//! # Property-testing the lowering
//!
//! [`unstable`] opens the internals with no stability promise: the database, the IR
//! before and after the coroutine transform and its validator; with the feature
//! `unstable-testing` also the program generator (a `proptest` strategy) and the
//! transform's invariant checks. `examples/property_test.rs` is a property test to copy.
//!
//! # Stability
//!
//! Everything exported outside [`unstable`] is the stable API; types that will grow are
//! `#[non_exhaustive]`, and `cargo xtask api` compares the public API with a checked-in
//! snapshot. Without the default feature `llvm` the crate builds without LLVM and runs
//! programs in the evaluator.

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
