//! Types: errors in array, tuple, generic and reference types. Well-formed types are
//! covered with the items and expressions that use them.

use super::check;
use expect_test::expect;

#[test]
fn err_bad_types() {
    check(
        "fn f(a: [i32], b: (i32,, u8), c: Future<>): & {}",
        expect![[r#"
        SOURCE_FILE@0..48
          FN@0..48
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..42
              L_PAREN@4..5 "("
              PARAM@5..13
                NAME@5..6
                  IDENT@5..6 "a"
                COLON@6..7 ":"
                WHITESPACE@7..8 " "
                ARRAY_TYPE@8..13
                  L_BRACK@8..9 "["
                  PATH_TYPE@9..12
                    PATH@9..12
                      NAME_REF@9..12
                        IDENT@9..12 "i32"
                  R_BRACK@12..13 "]"
              COMMA@13..14 ","
              WHITESPACE@14..15 " "
              PARAM@15..28
                NAME@15..16
                  IDENT@15..16 "b"
                COLON@16..17 ":"
                WHITESPACE@17..18 " "
                TUPLE_TYPE@18..28
                  L_PAREN@18..19 "("
                  PATH_TYPE@19..22
                    PATH@19..22
                      NAME_REF@19..22
                        IDENT@19..22 "i32"
                  COMMA@22..23 ","
                  ERROR@23..24
                    COMMA@23..24 ","
                  WHITESPACE@24..25 " "
                  PATH_TYPE@25..27
                    PATH@25..27
                      NAME_REF@25..27
                        IDENT@25..27 "u8"
                  R_PAREN@27..28 ")"
              COMMA@28..29 ","
              WHITESPACE@29..30 " "
              PARAM@30..41
                NAME@30..31
                  IDENT@30..31 "c"
                COLON@31..32 ":"
                WHITESPACE@32..33 " "
                PATH_TYPE@33..41
                  PATH@33..39
                    NAME_REF@33..39
                      IDENT@33..39 "Future"
                  GENERIC_ARG_LIST@39..41
                    L_ANGLE@39..40 "<"
                    R_ANGLE@40..41 ">"
              R_PAREN@41..42 ")"
            RET_TYPE@42..45
              COLON@42..43 ":"
              WHITESPACE@43..44 " "
              REF_TYPE@44..45
                AMP@44..45 "&"
            WHITESPACE@45..46 " "
            BLOCK_EXPR@46..48
              L_BRACE@46..47 "{"
              R_BRACE@47..48 "}"
        error 12..12: expected `;`, found `]`
        error 23..24: expected a type
        error 45..45: expected a type, found `{`
    "#]],
    );
}
