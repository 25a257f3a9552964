//! Inline fixture tests for the grammar: each case parses a snippet and compares the
//! tree dump and errors with an `expect!` snapshot (refresh with `UPDATE_EXPECT=1`).
//!
//! One file per grammar area, each holding the well-formed (`ok_`) cases and the error
//! (`err_`) cases of that area: items, statements, expressions, control flow, patterns,
//! types, lexical forms, forms outside Vex Core, and file- and block-level recovery; and
//! that a file parsed in pieces on several threads, or re-parsed after an edit, gives the
//! same tree and errors.

mod control_flow;
mod expressions;
mod items;
mod lexical;
mod non_core;
mod patterns;
mod pieces;
mod recovery;
mod reparse;
mod statements;
mod types;

use expect_test::Expect;

/// Parses `input`, checks the round trip, and compares the dump plus errors.
fn check(input: &str, expected: Expect) {
    let parse = crate::parse(input);
    let mut actual = crate::debug_dump(&parse.syntax_node());
    for error in parse.errors() {
        actual.push_str(&format!("error {:?}: {}\n", error.range(), error.message()));
    }
    assert_eq!(parse.syntax_node().to_string(), input, "parse must be lossless");
    expected.assert_eq(&actual);
}
