//! The programs of `examples/order_independent.txt` through the evaluator in
//! sequential mode, on the IR before the coroutine transform: `await` runs the callee
//! in place, and the output must not differ. Programs that wait on channels, use the
//! future combinators or I/O operations that wait are left out: they need tasks running
//! side by side.

use std::path::Path;

use crate::eval::{Mode, Options, run_main};
use crate::queries::module_built;

#[test]
fn order_independent_examples_pass_sequentially() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut failed = Vec::new();
    let files = vex_hir::testing::order_independent_files(&root);
    let count = files.len();
    for path in &files {
        let rel = path.strip_prefix(&root).unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let (db, _) = super::db_with(&[(&rel, &text)]);
        let module = module_built(&db);
        let parks = |f: &crate::ir::Function| {
            f.blocks.iter().any(|b| {
                matches!(b.term, crate::ir::Terminator::Park { .. })
                    || b.stmts.iter().any(|s| {
                        matches!(s, crate::ir::Stmt::Runtime { op, .. }
                            if op.is_combinator() || op.io_future_result().is_some())
                    })
            })
        };
        if module.functions.iter().any(parks) {
            continue;
        }
        let result = run_main(&module, Options::new(Mode::Sequential));
        let expected = vex_hir::testing::Expected::of(path);
        let mut problems = expected.mismatches(&result.stdout, &result.stderr, result.exit_code);
        problems.extend(result.errors.iter().map(|e| format!("evaluator: {e}")));
        if !problems.is_empty() {
            failed.push(format!("{rel}: {}", problems.join("\n")));
        }
    }
    assert!(count > 30);
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
