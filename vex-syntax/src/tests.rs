//! Inline fixture tests for the grammar: each case parses a snippet and compares the
//! tree dump and errors with an `expect!` snapshot (refresh with `UPDATE_EXPECT=1`).

use expect_test::{Expect, expect};

fn check(input: &str, expected: Expect) {
    let parse = crate::parse(input);
    let mut actual = crate::debug_dump(&parse.syntax_node());
    for error in parse.errors() {
        actual.push_str(&format!("error {:?}: {}\n", error.range(), error.message()));
    }
    assert_eq!(parse.syntax_node().to_string(), input, "parse must be lossless");
    expected.assert_eq(&actual);
}

#[test]
fn smoke() {
    check("fn main() {}", expect![[r#"
        SOURCE_FILE@0..12
          FN@0..12
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..7
              IDENT@3..7 "main"
            PARAM_LIST@7..9
              L_PAREN@7..8 "("
              R_PAREN@8..9 ")"
            WHITESPACE@9..10 " "
            BLOCK_EXPR@10..12
              L_BRACE@10..11 "{"
              R_BRACE@11..12 "}"
    "#]]);
}
