//! Error recovery at the file and block level: stray top-level tokens, a missing `}`
//! (the block ends at the next unindented item) and the nesting limit.

use super::check;
use expect_test::expect;

#[test]
fn err_stray_top_level_tokens() {
    check(
        "let x = 1\n) ]\nfn g() {}",
        expect![[r#"
        SOURCE_FILE@0..23
          ERROR@0..13
            LET_KW@0..3 "let"
            WHITESPACE@3..4 " "
            IDENT@4..5 "x"
            WHITESPACE@5..6 " "
            EQ@6..7 "="
            WHITESPACE@7..8 " "
            INT_NUMBER@8..9 "1"
            NEWLINE@9..10 "\n"
            R_PAREN@10..11 ")"
            WHITESPACE@11..12 " "
            R_BRACK@12..13 "]"
          NEWLINE@13..14 "\n"
          FN@14..23
            FN_KW@14..16 "fn"
            WHITESPACE@16..17 " "
            NAME@17..18
              IDENT@17..18 "g"
            PARAM_LIST@18..20
              L_PAREN@18..19 "("
              R_PAREN@19..20 ")"
            WHITESPACE@20..21 " "
            BLOCK_EXPR@21..23
              L_BRACE@21..22 "{"
              R_BRACE@22..23 "}"
        error 0..3: expected an item (`fn`, `struct`, `enum`, `const`, `extern`, …)
    "#]],
    );
}

#[test]
fn err_missing_closing_brace() {
    check(
        "fn f() {\n    if x {\n        1\n}\nfn g() {}",
        expect![[r#"
            SOURCE_FILE@0..41
              FN@0..31
                FN_KW@0..2 "fn"
                WHITESPACE@2..3 " "
                NAME@3..4
                  IDENT@3..4 "f"
                PARAM_LIST@4..6
                  L_PAREN@4..5 "("
                  R_PAREN@5..6 ")"
                WHITESPACE@6..7 " "
                BLOCK_EXPR@7..31
                  L_BRACE@7..8 "{"
                  NEWLINE@8..13 "\n    "
                  EXPR_STMT@13..31
                    IF_EXPR@13..31
                      IF_KW@13..15 "if"
                      WHITESPACE@15..16 " "
                      PATH_EXPR@16..17
                        NAME_REF@16..17
                          IDENT@16..17 "x"
                      WHITESPACE@17..18 " "
                      BLOCK_EXPR@18..31
                        L_BRACE@18..19 "{"
                        NEWLINE@19..28 "\n        "
                        LITERAL@28..29
                          INT_NUMBER@28..29 "1"
                        NEWLINE@29..30 "\n"
                        R_BRACE@30..31 "}"
              NEWLINE@31..32 "\n"
              FN@32..41
                FN_KW@32..34 "fn"
                WHITESPACE@34..35 " "
                NAME@35..36
                  IDENT@35..36 "g"
                PARAM_LIST@36..38
                  L_PAREN@36..37 "("
                  R_PAREN@37..38 ")"
                WHITESPACE@38..39 " "
                BLOCK_EXPR@39..41
                  L_BRACE@39..40 "{"
                  R_BRACE@40..41 "}"
            error 31..31: expected `}`, found `fn`
        "#]],
    );
}

#[test]
fn err_unclosed_block_stops_at_the_next_unindented_item() {
    use crate::SyntaxKind::{self, FN, STRUCT};
    let input = "fn f() {\n    let x = 1\n\nfn g() {}\nstruct S { a: i64 }\nasync fn h() {\n  fn nested() {}\n}\n";
    let parse = crate::parse(input);
    let root = parse.syntax_node();
    let items: Vec<SyntaxKind> = root.children().map(|n| n.kind()).collect();
    assert_eq!(items, [FN, FN, STRUCT, FN]);
    let messages: Vec<String> =
        parse.errors().iter().map(|e| format!("{:?}: {}", e.range(), e.message())).collect();
    assert_eq!(messages, ["22..22: expected `}`, found `fn`"]);
    // An indented item inside a block stays a (nested) item of that block.
    let h = root.children().last().unwrap();
    assert!(h.descendants().skip(1).any(|n| n.kind() == FN));
}

#[test]
fn err_nesting_too_deep_is_reported_once() {
    let input = format!("fn f() {{ {}1{} }}", "[".repeat(300), "]".repeat(300));
    let parse = crate::parse(&input);
    assert_eq!(parse.syntax_node().to_string(), input);
    let messages: Vec<&str> = parse.errors().iter().map(|e| e.message()).collect();
    assert_eq!(messages, ["nesting too deep"]);
}
