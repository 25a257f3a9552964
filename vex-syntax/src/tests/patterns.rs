//! Patterns: errors in tuple, literal and enum-variant patterns in `let` and `match`.
//! Well-formed patterns are covered with `let` (`statements`) and `match` (`control_flow`).

use super::check;
use expect_test::expect;

#[test]
fn err_bad_patterns() {
    check(
        "fn f() {\n    let (a, = t\n    let 5 = x\n    match v { Shape.(x) => 1, _ => 2 }\n}",
        expect![[r#"
        SOURCE_FILE@0..79
          FN@0..79
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..79
              L_BRACE@7..8 "{"
              NEWLINE@8..13 "\n    "
              LET_STMT@13..24
                LET_KW@13..16 "let"
                WHITESPACE@16..17 " "
                TUPLE_PAT@17..24
                  L_PAREN@17..18 "("
                  IDENT_PAT@18..19
                    NAME@18..19
                      IDENT@18..19 "a"
                  COMMA@19..20 ","
                  WHITESPACE@20..21 " "
                  ERROR@21..22
                    EQ@21..22 "="
                  WHITESPACE@22..23 " "
                  IDENT_PAT@23..24
                    NAME@23..24
                      IDENT@23..24 "t"
              NEWLINE@24..29 "\n    "
              LET_STMT@29..38
                LET_KW@29..32 "let"
                WHITESPACE@32..33 " "
                LITERAL_PAT@33..34
                  LITERAL@33..34
                    INT_NUMBER@33..34 "5"
                WHITESPACE@34..35 " "
                EQ@35..36 "="
                WHITESPACE@36..37 " "
                PATH_EXPR@37..38
                  NAME_REF@37..38
                    IDENT@37..38 "x"
              NEWLINE@38..43 "\n    "
              MATCH_EXPR@43..77
                MATCH_KW@43..48 "match"
                WHITESPACE@48..49 " "
                PATH_EXPR@49..50
                  NAME_REF@49..50
                    IDENT@49..50 "v"
                WHITESPACE@50..51 " "
                MATCH_ARM_LIST@51..77
                  L_BRACE@51..52 "{"
                  WHITESPACE@52..53 " "
                  MATCH_ARM@53..58
                    PATH_PAT@53..58
                      PATH@53..58
                        NAME_REF@53..58
                          IDENT@53..58 "Shape"
                  ERROR@58..59
                    DOT@58..59 "."
                  MATCH_ARM@59..67
                    TUPLE_PAT@59..62
                      L_PAREN@59..60 "("
                      IDENT_PAT@60..61
                        NAME@60..61
                          IDENT@60..61 "x"
                      R_PAREN@61..62 ")"
                    WHITESPACE@62..63 " "
                    FAT_ARROW@63..65 "=>"
                    WHITESPACE@65..66 " "
                    LITERAL@66..67
                      INT_NUMBER@66..67 "1"
                  COMMA@67..68 ","
                  WHITESPACE@68..69 " "
                  MATCH_ARM@69..75
                    WILDCARD_PAT@69..70
                      UNDERSCORE@69..70 "_"
                    WHITESPACE@70..71 " "
                    FAT_ARROW@71..73 "=>"
                    WHITESPACE@73..74 " "
                    LITERAL@74..75
                      INT_NUMBER@74..75 "2"
                  WHITESPACE@75..76 " "
                  R_BRACE@76..77 "}"
              NEWLINE@77..78 "\n"
              R_BRACE@78..79 "}"
        error 21..22: expected a pattern
        error 24..24: expected `,` or `)`, found `let`
        error 58..58: expected `=>`, found `.`
    "#]],
    );
}
