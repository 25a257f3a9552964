//! Patterns: `Option`/`Result` variant patterns, bare and qualified, and errors in tuple,
//! literal and enum-variant patterns in `let` and `match`. Other well-formed patterns are
//! covered with `let` (`statements`) and `match` (`control_flow`).

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

#[test]
fn ok_option_and_result_patterns() {
    // Bare and qualified variants with fields are `TUPLE_STRUCT_PAT`s; a bare name such as
    // `None` is an `IDENT_PAT` (name resolution tells it from a binding).
    check(
        "fn f() {\n    match r {\n        Some((a, b)) => a,\n        None => 0,\n        Ok(v) | Err(v) => v,\n        Option.Some(3) => 3,\n    }\n}",
        expect![[r#"
            SOURCE_FILE@0..134
              FN@0..134
                FN_KW@0..2 "fn"
                WHITESPACE@2..3 " "
                NAME@3..4
                  IDENT@3..4 "f"
                PARAM_LIST@4..6
                  L_PAREN@4..5 "("
                  R_PAREN@5..6 ")"
                WHITESPACE@6..7 " "
                BLOCK_EXPR@7..134
                  L_BRACE@7..8 "{"
                  NEWLINE@8..13 "\n    "
                  MATCH_EXPR@13..132
                    MATCH_KW@13..18 "match"
                    WHITESPACE@18..19 " "
                    PATH_EXPR@19..20
                      NAME_REF@19..20
                        IDENT@19..20 "r"
                    WHITESPACE@20..21 " "
                    MATCH_ARM_LIST@21..132
                      L_BRACE@21..22 "{"
                      NEWLINE@22..31 "\n        "
                      MATCH_ARM@31..48
                        TUPLE_STRUCT_PAT@31..43
                          PATH@31..35
                            NAME_REF@31..35
                              IDENT@31..35 "Some"
                          L_PAREN@35..36 "("
                          TUPLE_PAT@36..42
                            L_PAREN@36..37 "("
                            IDENT_PAT@37..38
                              NAME@37..38
                                IDENT@37..38 "a"
                            COMMA@38..39 ","
                            WHITESPACE@39..40 " "
                            IDENT_PAT@40..41
                              NAME@40..41
                                IDENT@40..41 "b"
                            R_PAREN@41..42 ")"
                          R_PAREN@42..43 ")"
                        WHITESPACE@43..44 " "
                        FAT_ARROW@44..46 "=>"
                        WHITESPACE@46..47 " "
                        PATH_EXPR@47..48
                          NAME_REF@47..48
                            IDENT@47..48 "a"
                      COMMA@48..49 ","
                      NEWLINE@49..58 "\n        "
                      MATCH_ARM@58..67
                        IDENT_PAT@58..62
                          NAME@58..62
                            IDENT@58..62 "None"
                        WHITESPACE@62..63 " "
                        FAT_ARROW@63..65 "=>"
                        WHITESPACE@65..66 " "
                        LITERAL@66..67
                          INT_NUMBER@66..67 "0"
                      COMMA@67..68 ","
                      NEWLINE@68..77 "\n        "
                      MATCH_ARM@77..96
                        OR_PAT@77..91
                          TUPLE_STRUCT_PAT@77..82
                            PATH@77..79
                              NAME_REF@77..79
                                IDENT@77..79 "Ok"
                            L_PAREN@79..80 "("
                            IDENT_PAT@80..81
                              NAME@80..81
                                IDENT@80..81 "v"
                            R_PAREN@81..82 ")"
                          WHITESPACE@82..83 " "
                          PIPE@83..84 "|"
                          WHITESPACE@84..85 " "
                          TUPLE_STRUCT_PAT@85..91
                            PATH@85..88
                              NAME_REF@85..88
                                IDENT@85..88 "Err"
                            L_PAREN@88..89 "("
                            IDENT_PAT@89..90
                              NAME@89..90
                                IDENT@89..90 "v"
                            R_PAREN@90..91 ")"
                        WHITESPACE@91..92 " "
                        FAT_ARROW@92..94 "=>"
                        WHITESPACE@94..95 " "
                        PATH_EXPR@95..96
                          NAME_REF@95..96
                            IDENT@95..96 "v"
                      COMMA@96..97 ","
                      NEWLINE@97..106 "\n        "
                      MATCH_ARM@106..125
                        TUPLE_STRUCT_PAT@106..120
                          PATH@106..117
                            NAME_REF@106..112
                              IDENT@106..112 "Option"
                            DOT@112..113 "."
                            NAME_REF@113..117
                              IDENT@113..117 "Some"
                          L_PAREN@117..118 "("
                          LITERAL_PAT@118..119
                            LITERAL@118..119
                              INT_NUMBER@118..119 "3"
                          R_PAREN@119..120 ")"
                        WHITESPACE@120..121 " "
                        FAT_ARROW@121..123 "=>"
                        WHITESPACE@123..124 " "
                        LITERAL@124..125
                          INT_NUMBER@124..125 "3"
                      COMMA@125..126 ","
                      NEWLINE@126..131 "\n    "
                      R_BRACE@131..132 "}"
                  NEWLINE@132..133 "\n"
                  R_BRACE@133..134 "}"
        "#]],
    );
}
