//! The programs of `examples/order_independent.txt` through the evaluator in
//! sequential mode, on the IR before the coroutine transform: `await` runs the callee
//! in place, and the output must not differ.

use std::path::Path;

use crate::eval::{Mode, Options, run_main};
use crate::queries::module_built;

#[test]
fn order_independent_examples_pass_sequentially() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let list = std::fs::read_to_string(root.join("examples/order_independent.txt")).unwrap();
    let mut failed = Vec::new();
    let mut count = 0;
    for rel in list.lines().map(str::trim).filter(|l| l.ends_with(".vx")) {
        count += 1;
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let (db, _) = super::db_with(&[(rel, &text)]);
        let result = run_main(&module_built(&db), Options::new(Mode::Sequential));
        let out = std::fs::read_to_string(path.with_extension("out")).unwrap();
        let code: i32 = std::fs::read_to_string(path.with_extension("code"))
            .map(|c| c.trim().parse().unwrap())
            .unwrap_or(0);
        if result.stdout != out || result.exit_code != code || !result.errors.is_empty() {
            failed.push(format!("{rel}: {result:?}"));
        }
    }
    assert!(count > 30);
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
