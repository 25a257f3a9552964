//! Lowering work that grows with the size of one file, counted rather than timed (see
//! vex-hir's `tests/scaling.rs`): the syntax children looked at while checking and
//! lowering a generated one-file program of n lines and one of 2n lines.

use crate::queries::module_ir;
use vex_hir::testing::large_program;

/// Syntax visits of lowering a one-file program of about `lines` lines (with the
/// checking it needs), and the number of IR functions it produced.
fn lower_visits(lines: usize) -> (u64, usize) {
    let text: String = large_program(lines, lines, 11).into_iter().map(|(_, t)| t).collect();
    let (db, _files) = super::db_with(&[("big.vx", &text)]);
    let before = vex_syntax::ast::visits();
    let module = module_ir(&db);
    (vex_syntax::ast::visits() - before, module.functions.len())
}

#[test]
fn lowering_one_file_is_linear_in_its_size() {
    let (small, small_functions) = lower_visits(3_000);
    let (large, large_functions) = lower_visits(6_000);
    assert!(
        large_functions >= 2 * small_functions * 9 / 10,
        "{small_functions} -> {large_functions}"
    );
    let ratio = large as f64 / small as f64;
    eprintln!("syntax visits: {small} for n lines, {large} for 2n ({ratio:.2}x)");
    assert!(ratio <= 2.2, "2x the lines cost {ratio:.2}x the syntax visits ({small} -> {large})");
}
