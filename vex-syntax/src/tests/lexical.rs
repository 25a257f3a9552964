//! Lexical forms as the parser sees them: f-strings, literals, comments as trivia and
//! strings spanning lines, with the lexer's errors (unterminated strings, comments and
//! f-strings, bad f-string holes, bad literals, unknown characters).

use super::check;
use expect_test::expect;

#[test]
fn ok_fstrings() {
    check(
        "fn f() { f\"x = {x}, sum = {a + b} {{lit}} {f\"{y}\"}\" }",
        expect![[r#"
        SOURCE_FILE@0..53
          FN@0..53
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..53
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              FSTRING_EXPR@9..51
                FSTRING_START@9..11 "f\""
                FSTRING_TEXT@11..15 "x = "
                FSTRING_HOLE@15..18
                  FSTRING_HOLE_OPEN@15..16 "{"
                  PATH_EXPR@16..17
                    NAME_REF@16..17
                      IDENT@16..17 "x"
                  FSTRING_HOLE_CLOSE@17..18 "}"
                FSTRING_TEXT@18..26 ", sum = "
                FSTRING_HOLE@26..33
                  FSTRING_HOLE_OPEN@26..27 "{"
                  BIN_EXPR@27..32
                    PATH_EXPR@27..28
                      NAME_REF@27..28
                        IDENT@27..28 "a"
                    WHITESPACE@28..29 " "
                    PLUS@29..30 "+"
                    WHITESPACE@30..31 " "
                    PATH_EXPR@31..32
                      NAME_REF@31..32
                        IDENT@31..32 "b"
                  FSTRING_HOLE_CLOSE@32..33 "}"
                FSTRING_TEXT@33..42 " {{lit}} "
                FSTRING_HOLE@42..50
                  FSTRING_HOLE_OPEN@42..43 "{"
                  FSTRING_EXPR@43..49
                    FSTRING_START@43..45 "f\""
                    FSTRING_HOLE@45..48
                      FSTRING_HOLE_OPEN@45..46 "{"
                      PATH_EXPR@46..47
                        NAME_REF@46..47
                          IDENT@46..47 "y"
                      FSTRING_HOLE_CLOSE@47..48 "}"
                    FSTRING_END@48..49 "\""
                  FSTRING_HOLE_CLOSE@49..50 "}"
                FSTRING_END@50..51 "\""
              WHITESPACE@51..52 " "
              R_BRACE@52..53 "}"
    "#]],
    );
}

#[test]
fn ok_literals() {
    check(
        "fn f() { (255u8, 0xFF, 0o77, 0b1010, 1_000, 3.14, 1.5e10, 2.0e-5, 2.0f32, \"a\\n\\u{1F600}\", true, false) }",
        expect![[r#"
        SOURCE_FILE@0..104
          FN@0..104
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..104
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              TUPLE_EXPR@9..102
                L_PAREN@9..10 "("
                LITERAL@10..15
                  INT_NUMBER@10..15 "255u8"
                COMMA@15..16 ","
                WHITESPACE@16..17 " "
                LITERAL@17..21
                  INT_NUMBER@17..21 "0xFF"
                COMMA@21..22 ","
                WHITESPACE@22..23 " "
                LITERAL@23..27
                  INT_NUMBER@23..27 "0o77"
                COMMA@27..28 ","
                WHITESPACE@28..29 " "
                LITERAL@29..35
                  INT_NUMBER@29..35 "0b1010"
                COMMA@35..36 ","
                WHITESPACE@36..37 " "
                LITERAL@37..42
                  INT_NUMBER@37..42 "1_000"
                COMMA@42..43 ","
                WHITESPACE@43..44 " "
                LITERAL@44..48
                  FLOAT_NUMBER@44..48 "3.14"
                COMMA@48..49 ","
                WHITESPACE@49..50 " "
                LITERAL@50..56
                  FLOAT_NUMBER@50..56 "1.5e10"
                COMMA@56..57 ","
                WHITESPACE@57..58 " "
                LITERAL@58..64
                  FLOAT_NUMBER@58..64 "2.0e-5"
                COMMA@64..65 ","
                WHITESPACE@65..66 " "
                LITERAL@66..72
                  FLOAT_NUMBER@66..72 "2.0f32"
                COMMA@72..73 ","
                WHITESPACE@73..74 " "
                LITERAL@74..88
                  STRING@74..88 "\"a\\n\\u{1F600}\""
                COMMA@88..89 ","
                WHITESPACE@89..90 " "
                LITERAL@90..94
                  TRUE_KW@90..94 "true"
                COMMA@94..95 ","
                WHITESPACE@95..96 " "
                LITERAL@96..101
                  FALSE_KW@96..101 "false"
                R_PAREN@101..102 ")"
              WHITESPACE@102..103 " "
              R_BRACE@103..104 "}"
    "#]],
    );
}

#[test]
fn ok_comments_are_trivia() {
    check(
        "/// doc\n/* outer /* nested */ still */ fn f() {} // trailing",
        expect![[r#"
        SOURCE_FILE@0..60
          DOC_COMMENT@0..7 "/// doc"
          NEWLINE@7..8 "\n"
          COMMENT@8..38 "/* outer /* nested */ still */"
          WHITESPACE@38..39 " "
          FN@39..48
            FN_KW@39..41 "fn"
            WHITESPACE@41..42 " "
            NAME@42..43
              IDENT@42..43 "f"
            PARAM_LIST@43..45
              L_PAREN@43..44 "("
              R_PAREN@44..45 ")"
            WHITESPACE@45..46 " "
            BLOCK_EXPR@46..48
              L_BRACE@46..47 "{"
              R_BRACE@47..48 "}"
          WHITESPACE@48..49 " "
          COMMENT@49..60 "// trailing"
    "#]],
    );
}

#[test]
fn ok_string_spanning_lines() {
    check(
        "fn f() { \"line one\nline two\" }",
        expect![[r#"
        SOURCE_FILE@0..30
          FN@0..30
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..30
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              LITERAL@9..28
                STRING@9..28 "\"line one\nline two\""
              WHITESPACE@28..29 " "
              R_BRACE@29..30 "}"
    "#]],
    );
}

#[test]
fn err_unterminated_string() {
    check(
        "fn f() { \"abc\n}",
        expect![[r#"
        SOURCE_FILE@0..15
          FN@0..15
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..15
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              LITERAL@9..15
                STRING@9..15 "\"abc\n}"
        error 9..15: unterminated string literal
        error 15..15: expected `}`, found end of file
    "#]],
    );
}

#[test]
fn err_unterminated_block_comment() {
    check(
        "fn f() {} /* a /* b */",
        expect![[r#"
        SOURCE_FILE@0..22
          FN@0..9
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..9
              L_BRACE@7..8 "{"
              R_BRACE@8..9 "}"
          WHITESPACE@9..10 " "
          COMMENT@10..22 "/* a /* b */"
        error 10..22: unterminated block comment
    "#]],
    );
}

#[test]
fn err_unterminated_fstring() {
    check(
        "fn f() { f\"a {x",
        expect![[r#"
        SOURCE_FILE@0..15
          FN@0..15
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..15
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              FSTRING_EXPR@9..15
                FSTRING_START@9..11 "f\""
                FSTRING_TEXT@11..13 "a "
                FSTRING_HOLE@13..15
                  FSTRING_HOLE_OPEN@13..14 "{"
                  PATH_EXPR@14..15
                    NAME_REF@14..15
                      IDENT@14..15 "x"
        error 9..15: unterminated f-string
        error 15..15: expected `}`, found end of file
    "#]],
    );
}

#[test]
fn err_bad_fstring_hole() {
    check(
        "fn f() { f\"{} {a b} }\" }",
        expect![[r#"
        SOURCE_FILE@0..24
          FN@0..24
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..24
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              FSTRING_EXPR@9..22
                FSTRING_START@9..11 "f\""
                FSTRING_HOLE@11..13
                  FSTRING_HOLE_OPEN@11..12 "{"
                  FSTRING_HOLE_CLOSE@12..13 "}"
                FSTRING_TEXT@13..14 " "
                FSTRING_HOLE@14..19
                  FSTRING_HOLE_OPEN@14..15 "{"
                  PATH_EXPR@15..16
                    NAME_REF@15..16
                      IDENT@15..16 "a"
                  WHITESPACE@16..17 " "
                  ERROR@17..18
                    IDENT@17..18 "b"
                  FSTRING_HOLE_CLOSE@18..19 "}"
                FSTRING_TEXT@19..21 " }"
                FSTRING_END@21..22 "\""
              WHITESPACE@22..23 " "
              R_BRACE@23..24 "}"
        error 12..13: empty f-string hole; write `{{` for a literal brace
        error 17..18: expected `}` to close the f-string hole
        error 20..21: a single `}` in an f-string must be written `}}`
    "#]],
    );
}

#[test]
fn err_bad_literals() {
    check(
        "fn f() { 1abc; 0x; 0b102; \"\\q\"; 1.0u8 }",
        expect![[r#"
        SOURCE_FILE@0..39
          FN@0..39
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..39
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              EXPR_STMT@9..14
                LITERAL@9..13
                  INT_NUMBER@9..13 "1abc"
                SEMICOLON@13..14 ";"
              WHITESPACE@14..15 " "
              EXPR_STMT@15..18
                LITERAL@15..17
                  INT_NUMBER@15..17 "0x"
                SEMICOLON@17..18 ";"
              WHITESPACE@18..19 " "
              EXPR_STMT@19..25
                LITERAL@19..24
                  INT_NUMBER@19..24 "0b102"
                SEMICOLON@24..25 ";"
              WHITESPACE@25..26 " "
              EXPR_STMT@26..31
                LITERAL@26..30
                  STRING@26..30 "\"\\q\""
                SEMICOLON@30..31 ";"
              WHITESPACE@31..32 " "
              LITERAL@32..37
                FLOAT_NUMBER@32..37 "1.0u8"
              WHITESPACE@37..38 " "
              R_BRACE@38..39 "}"
        error 9..13: invalid suffix `abc` on a number literal
        error 15..17: missing digits after the integer base prefix
        error 19..24: invalid digit for a base 2 literal
        error 27..29: invalid escape sequence
        error 32..37: invalid suffix `u8` on a number literal
    "#]],
    );
}

#[test]
fn err_unknown_characters() {
    check(
        "fn f() { a @ b # c }",
        expect![[r##"
        SOURCE_FILE@0..20
          FN@0..20
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..20
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              EXPR_STMT@9..18
                PATH_EXPR@9..10
                  NAME_REF@9..10
                    IDENT@9..10 "a"
                WHITESPACE@10..11 " "
                ERROR@11..18
                  ERROR_TOKEN@11..12 "@"
                  WHITESPACE@12..13 " "
                  IDENT@13..14 "b"
                  WHITESPACE@14..15 " "
                  ERROR_TOKEN@15..16 "#"
                  WHITESPACE@16..17 " "
                  IDENT@17..18 "c"
              WHITESPACE@18..19 " "
              R_BRACE@19..20 "}"
        error 11..12: unexpected character `@`
        error 15..16: unexpected character `#`
    "##]],
    );
}
