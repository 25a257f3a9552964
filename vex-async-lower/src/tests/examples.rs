//! Every program of `examples/` through the evaluator, after the coroutine transform and
//! under the deterministic scheduler, compared with its `.out`, `.code` and `.err`.

use std::path::{Path, PathBuf};

use crate::eval::{Mode, Options, run_main};
use crate::ir::validate::{Stage, validate_module};
use crate::queries::{module_built, module_ir, module_ir_for_main};

fn examples() -> Vec<PathBuf> {
    vex_hir::testing::example_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples"))
}

/// Runs one example; returns a description of each mismatch.
fn run_example(path: &Path) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let rel = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
    let rel = rel.trim_start_matches("./").to_string();
    let text = std::fs::read_to_string(path).unwrap();
    let (db, _) = super::db_with(&[(&rel, &text)]);
    let mut problems = Vec::new();
    let built = module_built(&db);
    if let Err(errors) = validate_module(&built, Stage::Built) {
        problems.extend(errors.iter().take(5).map(|e| format!("built IR invalid: {e}")));
    }
    let module = module_ir(&db);
    if let Err(errors) = validate_module(&module, Stage::Transformed) {
        problems.extend(errors.iter().take(5).map(|e| format!("lowered IR invalid: {e}")));
    }
    let expected = vex_hir::testing::Expected::of(path);
    // The whole program, and only what `main` reaches (what `vex run` compiles).
    let for_main = module_ir_for_main(&db);
    if let Err(errors) = validate_module(&for_main, Stage::Transformed) {
        problems.extend(errors.iter().take(5).map(|e| format!("main's IR invalid: {e}")));
    }
    for (what, module) in [("", &module), ("(only what main reaches) ", &for_main)] {
        let result = run_main(module, Options::new(Mode::Scheduled));
        let mismatches = expected.mismatches(&result.stdout, &result.stderr, result.exit_code);
        problems.extend(mismatches.into_iter().map(|m| format!("{what}{m}")));
        for e in &result.errors {
            problems.push(format!("{what}evaluator: {e}"));
        }
    }
    problems
}

#[test]
fn all_examples_pass_in_the_scheduled_evaluator() {
    let mut failed = Vec::new();
    let all = examples();
    for path in &all {
        let problems = run_example(path);
        if !problems.is_empty() {
            failed.push(format!("== {}\n{}", path.display(), problems.join("\n")));
        }
    }
    assert!(all.len() >= 50, "examples not found");
    assert!(
        failed.is_empty(),
        "{} of {} examples failed:\n{}",
        failed.len(),
        all.len(),
        failed.join("\n")
    );
}
