//! Types: function types `fn(A): R`, builtin generic types (`Vec<Vec<i64>>`), and errors
//! in array, tuple, generic, function and reference types. Other well-formed types are
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

#[test]
fn ok_function_types() {
    // The result after `:` is a type, so `= g` is the initialiser; without `: R` the
    // result is unit.
    check(
        "fn f(a: fn(i64, bool): string, b: fn(fn(i64): bool): Vec<i64>) {\n    let g: fn(i64): i64 = h\n    let u: fn() = v\n}",
        expect![[r#"
            SOURCE_FILE@0..114
              FN@0..114
                FN_KW@0..2 "fn"
                WHITESPACE@2..3 " "
                NAME@3..4
                  IDENT@3..4 "f"
                PARAM_LIST@4..62
                  L_PAREN@4..5 "("
                  PARAM@5..29
                    NAME@5..6
                      IDENT@5..6 "a"
                    COLON@6..7 ":"
                    WHITESPACE@7..8 " "
                    FN_TYPE@8..29
                      FN_KW@8..10 "fn"
                      FN_TYPE_PARAM_LIST@10..21
                        L_PAREN@10..11 "("
                        PATH_TYPE@11..14
                          PATH@11..14
                            NAME_REF@11..14
                              IDENT@11..14 "i64"
                        COMMA@14..15 ","
                        WHITESPACE@15..16 " "
                        PATH_TYPE@16..20
                          PATH@16..20
                            NAME_REF@16..20
                              IDENT@16..20 "bool"
                        R_PAREN@20..21 ")"
                      RET_TYPE@21..29
                        COLON@21..22 ":"
                        WHITESPACE@22..23 " "
                        PATH_TYPE@23..29
                          PATH@23..29
                            NAME_REF@23..29
                              IDENT@23..29 "string"
                  COMMA@29..30 ","
                  WHITESPACE@30..31 " "
                  PARAM@31..61
                    NAME@31..32
                      IDENT@31..32 "b"
                    COLON@32..33 ":"
                    WHITESPACE@33..34 " "
                    FN_TYPE@34..61
                      FN_KW@34..36 "fn"
                      FN_TYPE_PARAM_LIST@36..51
                        L_PAREN@36..37 "("
                        FN_TYPE@37..50
                          FN_KW@37..39 "fn"
                          FN_TYPE_PARAM_LIST@39..44
                            L_PAREN@39..40 "("
                            PATH_TYPE@40..43
                              PATH@40..43
                                NAME_REF@40..43
                                  IDENT@40..43 "i64"
                            R_PAREN@43..44 ")"
                          RET_TYPE@44..50
                            COLON@44..45 ":"
                            WHITESPACE@45..46 " "
                            PATH_TYPE@46..50
                              PATH@46..50
                                NAME_REF@46..50
                                  IDENT@46..50 "bool"
                        R_PAREN@50..51 ")"
                      RET_TYPE@51..61
                        COLON@51..52 ":"
                        WHITESPACE@52..53 " "
                        PATH_TYPE@53..61
                          PATH@53..56
                            NAME_REF@53..56
                              IDENT@53..56 "Vec"
                          GENERIC_ARG_LIST@56..61
                            L_ANGLE@56..57 "<"
                            PATH_TYPE@57..60
                              PATH@57..60
                                NAME_REF@57..60
                                  IDENT@57..60 "i64"
                            R_ANGLE@60..61 ">"
                  R_PAREN@61..62 ")"
                WHITESPACE@62..63 " "
                BLOCK_EXPR@63..114
                  L_BRACE@63..64 "{"
                  NEWLINE@64..69 "\n    "
                  LET_STMT@69..92
                    LET_KW@69..72 "let"
                    WHITESPACE@72..73 " "
                    IDENT_PAT@73..74
                      NAME@73..74
                        IDENT@73..74 "g"
                    COLON@74..75 ":"
                    WHITESPACE@75..76 " "
                    FN_TYPE@76..88
                      FN_KW@76..78 "fn"
                      FN_TYPE_PARAM_LIST@78..83
                        L_PAREN@78..79 "("
                        PATH_TYPE@79..82
                          PATH@79..82
                            NAME_REF@79..82
                              IDENT@79..82 "i64"
                        R_PAREN@82..83 ")"
                      RET_TYPE@83..88
                        COLON@83..84 ":"
                        WHITESPACE@84..85 " "
                        PATH_TYPE@85..88
                          PATH@85..88
                            NAME_REF@85..88
                              IDENT@85..88 "i64"
                    WHITESPACE@88..89 " "
                    EQ@89..90 "="
                    WHITESPACE@90..91 " "
                    PATH_EXPR@91..92
                      NAME_REF@91..92
                        IDENT@91..92 "h"
                  NEWLINE@92..97 "\n    "
                  LET_STMT@97..112
                    LET_KW@97..100 "let"
                    WHITESPACE@100..101 " "
                    IDENT_PAT@101..102
                      NAME@101..102
                        IDENT@101..102 "u"
                    COLON@102..103 ":"
                    WHITESPACE@103..104 " "
                    FN_TYPE@104..108
                      FN_KW@104..106 "fn"
                      FN_TYPE_PARAM_LIST@106..108
                        L_PAREN@106..107 "("
                        R_PAREN@107..108 ")"
                    WHITESPACE@108..109 " "
                    EQ@109..110 "="
                    WHITESPACE@110..111 " "
                    PATH_EXPR@111..112
                      NAME_REF@111..112
                        IDENT@111..112 "v"
                  NEWLINE@112..113 "\n"
                  R_BRACE@113..114 "}"
        "#]],
    );
}

#[test]
fn ok_generic_types() {
    check(
        "fn f(a: Option<fn(): i64>, b: Result<string, IoError>, c: Vec<Vec<i64>>): Vec<Future<i64>> {}",
        expect![[r#"
            SOURCE_FILE@0..93
              FN@0..93
                FN_KW@0..2 "fn"
                WHITESPACE@2..3 " "
                NAME@3..4
                  IDENT@3..4 "f"
                PARAM_LIST@4..72
                  L_PAREN@4..5 "("
                  PARAM@5..25
                    NAME@5..6
                      IDENT@5..6 "a"
                    COLON@6..7 ":"
                    WHITESPACE@7..8 " "
                    PATH_TYPE@8..25
                      PATH@8..14
                        NAME_REF@8..14
                          IDENT@8..14 "Option"
                      GENERIC_ARG_LIST@14..25
                        L_ANGLE@14..15 "<"
                        FN_TYPE@15..24
                          FN_KW@15..17 "fn"
                          FN_TYPE_PARAM_LIST@17..19
                            L_PAREN@17..18 "("
                            R_PAREN@18..19 ")"
                          RET_TYPE@19..24
                            COLON@19..20 ":"
                            WHITESPACE@20..21 " "
                            PATH_TYPE@21..24
                              PATH@21..24
                                NAME_REF@21..24
                                  IDENT@21..24 "i64"
                        R_ANGLE@24..25 ">"
                  COMMA@25..26 ","
                  WHITESPACE@26..27 " "
                  PARAM@27..53
                    NAME@27..28
                      IDENT@27..28 "b"
                    COLON@28..29 ":"
                    WHITESPACE@29..30 " "
                    PATH_TYPE@30..53
                      PATH@30..36
                        NAME_REF@30..36
                          IDENT@30..36 "Result"
                      GENERIC_ARG_LIST@36..53
                        L_ANGLE@36..37 "<"
                        PATH_TYPE@37..43
                          PATH@37..43
                            NAME_REF@37..43
                              IDENT@37..43 "string"
                        COMMA@43..44 ","
                        WHITESPACE@44..45 " "
                        PATH_TYPE@45..52
                          PATH@45..52
                            NAME_REF@45..52
                              IDENT@45..52 "IoError"
                        R_ANGLE@52..53 ">"
                  COMMA@53..54 ","
                  WHITESPACE@54..55 " "
                  PARAM@55..71
                    NAME@55..56
                      IDENT@55..56 "c"
                    COLON@56..57 ":"
                    WHITESPACE@57..58 " "
                    PATH_TYPE@58..71
                      PATH@58..61
                        NAME_REF@58..61
                          IDENT@58..61 "Vec"
                      GENERIC_ARG_LIST@61..71
                        L_ANGLE@61..62 "<"
                        PATH_TYPE@62..70
                          PATH@62..65
                            NAME_REF@62..65
                              IDENT@62..65 "Vec"
                          GENERIC_ARG_LIST@65..70
                            L_ANGLE@65..66 "<"
                            PATH_TYPE@66..69
                              PATH@66..69
                                NAME_REF@66..69
                                  IDENT@66..69 "i64"
                            R_ANGLE@69..70 ">"
                        R_ANGLE@70..71 ">"
                  R_PAREN@71..72 ")"
                RET_TYPE@72..90
                  COLON@72..73 ":"
                  WHITESPACE@73..74 " "
                  PATH_TYPE@74..90
                    PATH@74..77
                      NAME_REF@74..77
                        IDENT@74..77 "Vec"
                    GENERIC_ARG_LIST@77..90
                      L_ANGLE@77..78 "<"
                      PATH_TYPE@78..89
                        PATH@78..84
                          NAME_REF@78..84
                            IDENT@78..84 "Future"
                        GENERIC_ARG_LIST@84..89
                          L_ANGLE@84..85 "<"
                          PATH_TYPE@85..88
                            PATH@85..88
                              NAME_REF@85..88
                                IDENT@85..88 "i64"
                          R_ANGLE@88..89 ">"
                      R_ANGLE@89..90 ">"
                WHITESPACE@90..91 " "
                BLOCK_EXPR@91..93
                  L_BRACE@91..92 "{"
                  R_BRACE@92..93 "}"
        "#]],
    );
}

#[test]
fn err_function_types() {
    // A missing `)` stops at `=`, which no type contains; a bare `fn` is a function type
    // without its `(`; `fn name` starts an item and ends the unclosed generic arguments.
    check(
        "fn f() {\n    let a: fn(i64 = g\n    let b: fn = 1\n    let c: fn(): = 2\n    let d: Vec<\nfn g() {}",
        expect![[r#"
            SOURCE_FILE@0..95
              FN@0..85
                FN_KW@0..2 "fn"
                WHITESPACE@2..3 " "
                NAME@3..4
                  IDENT@3..4 "f"
                PARAM_LIST@4..6
                  L_PAREN@4..5 "("
                  R_PAREN@5..6 ")"
                WHITESPACE@6..7 " "
                BLOCK_EXPR@7..85
                  L_BRACE@7..8 "{"
                  NEWLINE@8..13 "\n    "
                  LET_STMT@13..30
                    LET_KW@13..16 "let"
                    WHITESPACE@16..17 " "
                    IDENT_PAT@17..18
                      NAME@17..18
                        IDENT@17..18 "a"
                    COLON@18..19 ":"
                    WHITESPACE@19..20 " "
                    FN_TYPE@20..26
                      FN_KW@20..22 "fn"
                      FN_TYPE_PARAM_LIST@22..26
                        L_PAREN@22..23 "("
                        PATH_TYPE@23..26
                          PATH@23..26
                            NAME_REF@23..26
                              IDENT@23..26 "i64"
                    WHITESPACE@26..27 " "
                    EQ@27..28 "="
                    WHITESPACE@28..29 " "
                    PATH_EXPR@29..30
                      NAME_REF@29..30
                        IDENT@29..30 "g"
                  NEWLINE@30..35 "\n    "
                  LET_STMT@35..48
                    LET_KW@35..38 "let"
                    WHITESPACE@38..39 " "
                    IDENT_PAT@39..40
                      NAME@39..40
                        IDENT@39..40 "b"
                    COLON@40..41 ":"
                    WHITESPACE@41..42 " "
                    FN_TYPE@42..44
                      FN_KW@42..44 "fn"
                    WHITESPACE@44..45 " "
                    EQ@45..46 "="
                    WHITESPACE@46..47 " "
                    LITERAL@47..48
                      INT_NUMBER@47..48 "1"
                  NEWLINE@48..53 "\n    "
                  LET_STMT@53..69
                    LET_KW@53..56 "let"
                    WHITESPACE@56..57 " "
                    IDENT_PAT@57..58
                      NAME@57..58
                        IDENT@57..58 "c"
                    COLON@58..59 ":"
                    WHITESPACE@59..60 " "
                    FN_TYPE@60..65
                      FN_KW@60..62 "fn"
                      FN_TYPE_PARAM_LIST@62..64
                        L_PAREN@62..63 "("
                        R_PAREN@63..64 ")"
                      RET_TYPE@64..65
                        COLON@64..65 ":"
                    WHITESPACE@65..66 " "
                    EQ@66..67 "="
                    WHITESPACE@67..68 " "
                    LITERAL@68..69
                      INT_NUMBER@68..69 "2"
                  NEWLINE@69..74 "\n    "
                  LET_STMT@74..85
                    LET_KW@74..77 "let"
                    WHITESPACE@77..78 " "
                    IDENT_PAT@78..79
                      NAME@78..79
                        IDENT@78..79 "d"
                    COLON@79..80 ":"
                    WHITESPACE@80..81 " "
                    PATH_TYPE@81..85
                      PATH@81..84
                        NAME_REF@81..84
                          IDENT@81..84 "Vec"
                      GENERIC_ARG_LIST@84..85
                        L_ANGLE@84..85 "<"
              NEWLINE@85..86 "\n"
              FN@86..95
                FN_KW@86..88 "fn"
                WHITESPACE@88..89 " "
                NAME@89..90
                  IDENT@89..90 "g"
                PARAM_LIST@90..92
                  L_PAREN@90..91 "("
                  R_PAREN@91..92 ")"
                WHITESPACE@92..93 " "
                BLOCK_EXPR@93..95
                  L_BRACE@93..94 "{"
                  R_BRACE@94..95 "}"
            error 26..26: expected `,` or `)`, found `=`
            error 44..44: expected `(` and the parameter types of a function type, found `=`
            error 65..65: expected a type, found `=`
            error 85..85: expected `>`, found `fn`
        "#]],
    );
}
