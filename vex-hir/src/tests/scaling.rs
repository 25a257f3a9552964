//! Work that grows with the size of one file, counted rather than timed: the syntax
//! children the typed accessors look at ([`vex_syntax::ast::visits`]) while checking a
//! generated one-file program of n lines and one of 2n lines. Checking is linear, so the
//! second costs about twice the first; a query that walks the file from the start for
//! each item (quadratic) costs about four times as much and fails here, on any machine.

use super::db_with;
use crate::testing::large_program;

/// Syntax visits of checking a one-file program of about `lines` lines.
fn check_visits(lines: usize) -> u64 {
    let text: String = large_program(lines, lines, 11).into_iter().map(|(_, t)| t).collect();
    let (db, files) = db_with(&[("big.vx", &text)]);
    let before = vex_syntax::ast::visits();
    let errors = crate::file_diagnostics(&db, files[0]);
    assert!(errors.is_empty(), "{errors:?}");
    vex_syntax::ast::visits() - before
}

#[test]
fn checking_one_file_is_linear_in_its_size() {
    let small = check_visits(3_000);
    let large = check_visits(6_000);
    let ratio = large as f64 / small as f64;
    eprintln!("syntax visits: {small} for n lines, {large} for 2n ({ratio:.2}x)");
    assert!(ratio <= 2.2, "2x the lines cost {ratio:.2}x the syntax visits ({small} -> {large})");
}
