//! A property test of the lowering from outside the compiler, through
//! `vex::unstable` (cargo feature `unstable-testing`): generated well-typed programs go
//! through the real front end; their IR before and after the coroutine transform must
//! validate, the transform's invariants must hold, and evaluating the IR before the
//! transform (sequentially) and after it (on the deterministic scheduler) must print the
//! same. Copy it and change the property.
//!
//! `cargo run --example property_test --features unstable-testing [CASES]`

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use vex::unstable::hir::testing::well_typed_programs;
use vex::unstable::lower::ir::validate::{Stage, validate_module};
use vex::unstable::lower::testing::{check_differential, check_invariants, sequential_config};

/// The property: one generated program, checked end to end.
fn lowering_is_sound(text: &str) -> Result<(), TestCaseError> {
    let mut compiler = vex::Compiler::new();
    compiler.set_file("gen.vx", text);
    let fail = |what: String| TestCaseError::fail(format!("{what}\n{text}"));
    let built = vex::unstable::ir_before_transform(&compiler).map_err(|e| fail(e.to_string()))?;
    let lowered = vex::unstable::ir_after_transform(&compiler).map_err(|e| fail(e.to_string()))?;
    validate_module(&built, Stage::Built).map_err(|e| fail(format!("built IR: {}", e[0])))?;
    validate_module(&lowered, Stage::Transformed)
        .map_err(|e| fail(format!("transformed IR: {}", e[0])))?;
    check_invariants(&built).map_err(fail)?;
    match check_differential(&built, &lowered) {
        Ok(_) => Ok(()),
        // A program too big for the evaluator's fuel proves nothing either way.
        Err(e) if e.contains("out of fuel") => Err(TestCaseError::reject("out of fuel")),
        Err(e) => Err(fail(e)),
    }
}

fn main() {
    let cases = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(32);
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let result =
        runner.run(&well_typed_programs(sequential_config()), |text| lowering_is_sound(&text));
    match result {
        Ok(()) => println!("{cases} generated programs: the lowering is sound"),
        Err(e) => {
            eprintln!("property failed: {e}");
            std::process::exit(1);
        }
    }
}
