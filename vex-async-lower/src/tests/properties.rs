//! Property tests over generated programs: the transform's invariants, cancellation at
//! every suspension, and sequential vs scheduled evaluation.

use proptest::prelude::*;

use crate::queries::{module_built, module_ir};
use crate::testing::{
    check_cancellation, check_differential, check_invariants, full_config, sequential_config,
};
use vex_hir::testing::{proptest_cases, well_typed_program, well_typed_programs};

fn modules(text: &str) -> (crate::ir::Module, crate::ir::Module) {
    let (db, files) = super::db_with(&[("gen.vx", text)]);
    let errors: Vec<_> = vex_hir::file_diagnostics(&db, files[0])
        .into_iter()
        .filter(|d| d.severity == vex_hir::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "generated program does not check: {errors:?}\n{text}");
    (module_built(&db), module_ir(&db))
}

/// A generated program whose nested calls multiply past the evaluator's fuel is too
/// big to run (let alone at every suspension): it is discarded, not a failure.
fn fail_or_reject(error: String, text: &str) -> TestCaseError {
    if error.contains("out of fuel") {
        TestCaseError::reject("program too large for the evaluator's fuel")
    } else {
        TestCaseError::fail(format!("{error}\n{text}"))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: proptest_cases(256), ..ProptestConfig::default() })]

    #[test]
    fn transform_invariants_hold(text in well_typed_programs(sequential_config())) {
        let (built, lowered) = modules(&text);
        check_invariants(&built).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        check_differential(&built, &lowered).map_err(|e| fail_or_reject(e, &text))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: proptest_cases(256), ..ProptestConfig::default() })]

    #[test]
    fn cancelling_anywhere_releases_everything_once(text in well_typed_programs(full_config())) {
        let (_, lowered) = modules(&text);
        check_cancellation(&lowered).map_err(|e| fail_or_reject(e, &text))?;
    }
}

#[test]
fn generated_programs_exercise_suspensions() {
    // The generator is not vacuous: across a few seeds there are many suspension points
    // and the cancelling runs really reach them.
    let mut states = 0;
    let mut runs = 0;
    let mut defer_pushes = 0;
    for seed in 1..20u64 {
        let (built, lowered) = modules(&well_typed_program(seed, &sequential_config()));
        states += built
            .functions
            .iter()
            .map(|f| f.blocks.iter().filter(|b| b.term.is_wait()).count())
            .sum::<usize>();
        runs += check_cancellation(&lowered).unwrap();
        defer_pushes += built
            .functions
            .iter()
            .flat_map(|f| &f.blocks)
            .flat_map(|b| &b.stmts)
            .filter(|s| {
                matches!(s, crate::ir::Stmt::Runtime { op: crate::ir::RtOp::DeferPush, .. })
            })
            .count();
    }
    assert!(states > 50, "{states}");
    assert!(runs > 50, "{runs}");
    assert!(defer_pushes > 10, "{defer_pushes}");
}
