//! The compiler's internals, for tools and for compiler engineers who property-test the
//! lowering: **no stability promise** — what is here follows the internal crates and may
//! change in any release. Everything else in `vex` is the stable surface.
//!
//! - [`hir`]: the salsa database and the queries behind [`crate::Compiler`] (names,
//!   types, diagnostics); [`database`] gives a compiler's database.
//! - [`lower`]: the CFG IR ([`lower::ir`], with its validator in `lower::ir::validate`),
//!   the coroutine transform and the reference evaluator; [`ir_before_transform`] and
//!   [`ir_after_transform`] give a program's IR on either side of the transform.
//! - With the cargo feature `unstable-testing`: the program generator as a `proptest`
//!   strategy (`hir::testing::well_typed_programs`) and the invariant checks of the
//!   transform (`lower::testing`: the transform's contract, cancellation at every
//!   suspension, sequential against scheduled evaluation). `examples/property_test.rs`
//!   is a property test to copy.
//!
//! ```
//! let mut compiler = vex::Compiler::new();
//! compiler.set_file("main.vx", "async fn main() {\n    await async_sleep(1)\n    println(1)\n}\n");
//! let before = vex::unstable::ir_before_transform(&compiler).unwrap();
//! let after = vex::unstable::ir_after_transform(&compiler).unwrap();
//! use vex::unstable::lower::ir::validate::{Stage, validate_module};
//! assert!(validate_module(&before, Stage::Built).is_ok());
//! assert!(validate_module(&after, Stage::Transformed).is_ok());
//! // After the transform, `main` is a wrapper, a resume function and a state struct.
//! assert!(after.function("main.resume").is_some());
//! ```

pub use vex_async_lower as lower;
pub use vex_hir as hir;

use crate::{Compiler, Error};

/// The salsa database of `compiler`, for tools that run their own queries on top of
/// Vex's.
pub fn database(compiler: &Compiler) -> &hir::RootDatabase {
    compiler.db()
}

/// The program's IR as lowering built it, before the coroutine transform (async
/// functions still contain their waits). The program must check without errors.
pub fn ir_before_transform(compiler: &Compiler) -> Result<lower::ir::Module, Error> {
    compiler.check_for_lowering()?;
    Ok(lower::module_built(compiler.db()))
}

/// The program's IR after the coroutine transform (what the engines run). The program
/// must check without errors.
pub fn ir_after_transform(compiler: &Compiler) -> Result<lower::ir::Module, Error> {
    compiler.check_for_lowering()?;
    Ok(lower::module_ir(compiler.db()))
}
