//! Expressions: operator precedence, prefix operators and `await`, postfix chains
//! (fields, tuple indices, calls, indexing), tuples and arrays, `$builtins`, generic
//! arguments and `as` casts, with their errors.

use super::check;
use expect_test::expect;

#[test]
fn ok_operator_precedence() {
    check(
        "fn f() { a || b && c == d | e ^ f & g << h + i * j as i64 }",
        expect![[r#"
        SOURCE_FILE@0..59
          FN@0..59
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..59
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              BIN_EXPR@9..57
                PATH_EXPR@9..10
                  NAME_REF@9..10
                    IDENT@9..10 "a"
                WHITESPACE@10..11 " "
                PIPE2@11..13 "||"
                WHITESPACE@13..14 " "
                BIN_EXPR@14..57
                  PATH_EXPR@14..15
                    NAME_REF@14..15
                      IDENT@14..15 "b"
                  WHITESPACE@15..16 " "
                  AMP2@16..18 "&&"
                  WHITESPACE@18..19 " "
                  BIN_EXPR@19..57
                    PATH_EXPR@19..20
                      NAME_REF@19..20
                        IDENT@19..20 "c"
                    WHITESPACE@20..21 " "
                    EQ2@21..23 "=="
                    WHITESPACE@23..24 " "
                    BIN_EXPR@24..57
                      PATH_EXPR@24..25
                        NAME_REF@24..25
                          IDENT@24..25 "d"
                      WHITESPACE@25..26 " "
                      PIPE@26..27 "|"
                      WHITESPACE@27..28 " "
                      BIN_EXPR@28..57
                        PATH_EXPR@28..29
                          NAME_REF@28..29
                            IDENT@28..29 "e"
                        WHITESPACE@29..30 " "
                        CARET@30..31 "^"
                        WHITESPACE@31..32 " "
                        BIN_EXPR@32..57
                          PATH_EXPR@32..33
                            NAME_REF@32..33
                              IDENT@32..33 "f"
                          WHITESPACE@33..34 " "
                          AMP@34..35 "&"
                          WHITESPACE@35..36 " "
                          BIN_EXPR@36..57
                            PATH_EXPR@36..37
                              NAME_REF@36..37
                                IDENT@36..37 "g"
                            WHITESPACE@37..38 " "
                            SHL@38..40 "<<"
                            WHITESPACE@40..41 " "
                            BIN_EXPR@41..57
                              PATH_EXPR@41..42
                                NAME_REF@41..42
                                  IDENT@41..42 "h"
                              WHITESPACE@42..43 " "
                              PLUS@43..44 "+"
                              WHITESPACE@44..45 " "
                              BIN_EXPR@45..57
                                PATH_EXPR@45..46
                                  NAME_REF@45..46
                                    IDENT@45..46 "i"
                                WHITESPACE@46..47 " "
                                STAR@47..48 "*"
                                WHITESPACE@48..49 " "
                                CAST_EXPR@49..57
                                  PATH_EXPR@49..50
                                    NAME_REF@49..50
                                      IDENT@49..50 "j"
                                  WHITESPACE@50..51 " "
                                  AS_KW@51..53 "as"
                                  WHITESPACE@53..54 " "
                                  PATH_TYPE@54..57
                                    PATH@54..57
                                      NAME_REF@54..57
                                        IDENT@54..57 "i64"
              WHITESPACE@57..58 " "
              R_BRACE@58..59 "}"
    "#]],
    );
}

#[test]
fn ok_prefix_and_await() {
    check(
        "async fn f() { -x.y; !await g(); await h() + 1 }",
        expect![[r#"
        SOURCE_FILE@0..48
          FN@0..48
            ASYNC_KW@0..5 "async"
            WHITESPACE@5..6 " "
            FN_KW@6..8 "fn"
            WHITESPACE@8..9 " "
            NAME@9..10
              IDENT@9..10 "f"
            PARAM_LIST@10..12
              L_PAREN@10..11 "("
              R_PAREN@11..12 ")"
            WHITESPACE@12..13 " "
            BLOCK_EXPR@13..48
              L_BRACE@13..14 "{"
              WHITESPACE@14..15 " "
              EXPR_STMT@15..20
                PREFIX_EXPR@15..19
                  MINUS@15..16 "-"
                  FIELD_EXPR@16..19
                    PATH_EXPR@16..17
                      NAME_REF@16..17
                        IDENT@16..17 "x"
                    DOT@17..18 "."
                    NAME_REF@18..19
                      IDENT@18..19 "y"
                SEMICOLON@19..20 ";"
              WHITESPACE@20..21 " "
              EXPR_STMT@21..32
                PREFIX_EXPR@21..31
                  BANG@21..22 "!"
                  AWAIT_EXPR@22..31
                    AWAIT_KW@22..27 "await"
                    WHITESPACE@27..28 " "
                    CALL_EXPR@28..31
                      PATH_EXPR@28..29
                        NAME_REF@28..29
                          IDENT@28..29 "g"
                      ARG_LIST@29..31
                        L_PAREN@29..30 "("
                        R_PAREN@30..31 ")"
                SEMICOLON@31..32 ";"
              WHITESPACE@32..33 " "
              BIN_EXPR@33..46
                AWAIT_EXPR@33..42
                  AWAIT_KW@33..38 "await"
                  WHITESPACE@38..39 " "
                  CALL_EXPR@39..42
                    PATH_EXPR@39..40
                      NAME_REF@39..40
                        IDENT@39..40 "h"
                    ARG_LIST@40..42
                      L_PAREN@40..41 "("
                      R_PAREN@41..42 ")"
                WHITESPACE@42..43 " "
                PLUS@43..44 "+"
                WHITESPACE@44..45 " "
                LITERAL@45..46
                  INT_NUMBER@45..46 "1"
              WHITESPACE@46..47 " "
              R_BRACE@47..48 "}"
    "#]],
    );
}

#[test]
fn ok_postfix_chain() {
    check(
        "fn f() { a.b.0.c(1)[2](3) }",
        expect![[r#"
        SOURCE_FILE@0..27
          FN@0..27
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..27
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              CALL_EXPR@9..25
                INDEX_EXPR@9..22
                  METHOD_CALL_EXPR@9..19
                    FIELD_EXPR@9..14
                      FIELD_EXPR@9..12
                        PATH_EXPR@9..10
                          NAME_REF@9..10
                            IDENT@9..10 "a"
                        DOT@10..11 "."
                        NAME_REF@11..12
                          IDENT@11..12 "b"
                      DOT@12..13 "."
                      NAME_REF@13..14
                        INT_NUMBER@13..14 "0"
                    DOT@14..15 "."
                    NAME_REF@15..16
                      IDENT@15..16 "c"
                    ARG_LIST@16..19
                      L_PAREN@16..17 "("
                      LITERAL@17..18
                        INT_NUMBER@17..18 "1"
                      R_PAREN@18..19 ")"
                  L_BRACK@19..20 "["
                  LITERAL@20..21
                    INT_NUMBER@20..21 "2"
                  R_BRACK@21..22 "]"
                ARG_LIST@22..25
                  L_PAREN@22..23 "("
                  LITERAL@23..24
                    INT_NUMBER@23..24 "3"
                  R_PAREN@24..25 ")"
              WHITESPACE@25..26 " "
              R_BRACE@26..27 "}"
    "#]],
    );
}

#[test]
fn ok_tuple_index_chain() {
    check(
        "fn f() { t.0.1 }",
        expect![[r#"
        SOURCE_FILE@0..16
          FN@0..16
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..16
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              FIELD_EXPR@9..14
                FIELD_EXPR@9..12
                  PATH_EXPR@9..10
                    NAME_REF@9..10
                      IDENT@9..10 "t"
                  DOT@10..11 "."
                  NAME_REF@11..12
                    INT_NUMBER@11..12 "0"
                DOT@12..13 "."
                NAME_REF@13..14
                  INT_NUMBER@13..14 "1"
              WHITESPACE@14..15 " "
              R_BRACE@15..16 "}"
    "#]],
    );
}

#[test]
fn ok_tuples_and_arrays() {
    check(
        "fn f(t: (i32, [u8; 4]), u: ()): Future<i32> { ((), (a,), (a, b), [1, 2, 3], [0; 16]) }",
        expect![[r#"
        SOURCE_FILE@0..86
          FN@0..86
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..30
              L_PAREN@4..5 "("
              PARAM@5..22
                NAME@5..6
                  IDENT@5..6 "t"
                COLON@6..7 ":"
                WHITESPACE@7..8 " "
                TUPLE_TYPE@8..22
                  L_PAREN@8..9 "("
                  PATH_TYPE@9..12
                    PATH@9..12
                      NAME_REF@9..12
                        IDENT@9..12 "i32"
                  COMMA@12..13 ","
                  WHITESPACE@13..14 " "
                  ARRAY_TYPE@14..21
                    L_BRACK@14..15 "["
                    PATH_TYPE@15..17
                      PATH@15..17
                        NAME_REF@15..17
                          IDENT@15..17 "u8"
                    SEMICOLON@17..18 ";"
                    WHITESPACE@18..19 " "
                    LITERAL@19..20
                      INT_NUMBER@19..20 "4"
                    R_BRACK@20..21 "]"
                  R_PAREN@21..22 ")"
              COMMA@22..23 ","
              WHITESPACE@23..24 " "
              PARAM@24..29
                NAME@24..25
                  IDENT@24..25 "u"
                COLON@25..26 ":"
                WHITESPACE@26..27 " "
                TUPLE_TYPE@27..29
                  L_PAREN@27..28 "("
                  R_PAREN@28..29 ")"
              R_PAREN@29..30 ")"
            RET_TYPE@30..43
              COLON@30..31 ":"
              WHITESPACE@31..32 " "
              PATH_TYPE@32..43
                PATH@32..38
                  NAME_REF@32..38
                    IDENT@32..38 "Future"
                GENERIC_ARG_LIST@38..43
                  L_ANGLE@38..39 "<"
                  PATH_TYPE@39..42
                    PATH@39..42
                      NAME_REF@39..42
                        IDENT@39..42 "i32"
                  R_ANGLE@42..43 ">"
            WHITESPACE@43..44 " "
            BLOCK_EXPR@44..86
              L_BRACE@44..45 "{"
              WHITESPACE@45..46 " "
              TUPLE_EXPR@46..84
                L_PAREN@46..47 "("
                TUPLE_EXPR@47..49
                  L_PAREN@47..48 "("
                  R_PAREN@48..49 ")"
                COMMA@49..50 ","
                WHITESPACE@50..51 " "
                TUPLE_EXPR@51..55
                  L_PAREN@51..52 "("
                  PATH_EXPR@52..53
                    NAME_REF@52..53
                      IDENT@52..53 "a"
                  COMMA@53..54 ","
                  R_PAREN@54..55 ")"
                COMMA@55..56 ","
                WHITESPACE@56..57 " "
                TUPLE_EXPR@57..63
                  L_PAREN@57..58 "("
                  PATH_EXPR@58..59
                    NAME_REF@58..59
                      IDENT@58..59 "a"
                  COMMA@59..60 ","
                  WHITESPACE@60..61 " "
                  PATH_EXPR@61..62
                    NAME_REF@61..62
                      IDENT@61..62 "b"
                  R_PAREN@62..63 ")"
                COMMA@63..64 ","
                WHITESPACE@64..65 " "
                ARRAY_EXPR@65..74
                  L_BRACK@65..66 "["
                  LITERAL@66..67
                    INT_NUMBER@66..67 "1"
                  COMMA@67..68 ","
                  WHITESPACE@68..69 " "
                  LITERAL@69..70
                    INT_NUMBER@69..70 "2"
                  COMMA@70..71 ","
                  WHITESPACE@71..72 " "
                  LITERAL@72..73
                    INT_NUMBER@72..73 "3"
                  R_BRACK@73..74 "]"
                COMMA@74..75 ","
                WHITESPACE@75..76 " "
                ARRAY_REPEAT_EXPR@76..83
                  L_BRACK@76..77 "["
                  LITERAL@77..78
                    INT_NUMBER@77..78 "0"
                  SEMICOLON@78..79 ";"
                  WHITESPACE@79..80 " "
                  LITERAL@80..82
                    INT_NUMBER@80..82 "16"
                  R_BRACK@82..83 "]"
                R_PAREN@83..84 ")"
              WHITESPACE@84..85 " "
              R_BRACE@85..86 "}"
    "#]],
    );
}

#[test]
fn ok_builtins() {
    check(
        "fn main() { $println(\"a = {}\", a); println(x) }",
        expect![[r#"
        SOURCE_FILE@0..47
          FN@0..47
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..7
              IDENT@3..7 "main"
            PARAM_LIST@7..9
              L_PAREN@7..8 "("
              R_PAREN@8..9 ")"
            WHITESPACE@9..10 " "
            BLOCK_EXPR@10..47
              L_BRACE@10..11 "{"
              WHITESPACE@11..12 " "
              EXPR_STMT@12..34
                CALL_EXPR@12..33
                  PATH_EXPR@12..20
                    NAME_REF@12..20
                      BUILTIN_IDENT@12..20 "$println"
                  ARG_LIST@20..33
                    L_PAREN@20..21 "("
                    LITERAL@21..29
                      STRING@21..29 "\"a = {}\""
                    COMMA@29..30 ","
                    WHITESPACE@30..31 " "
                    PATH_EXPR@31..32
                      NAME_REF@31..32
                        IDENT@31..32 "a"
                    R_PAREN@32..33 ")"
                SEMICOLON@33..34 ";"
              WHITESPACE@34..35 " "
              CALL_EXPR@35..45
                PATH_EXPR@35..42
                  NAME_REF@35..42
                    IDENT@35..42 "println"
                ARG_LIST@42..45
                  L_PAREN@42..43 "("
                  PATH_EXPR@43..44
                    NAME_REF@43..44
                      IDENT@43..44 "x"
                  R_PAREN@44..45 ")"
              WHITESPACE@45..46 " "
              R_BRACE@46..47 "}"
    "#]],
    );
}

#[test]
fn err_chained_comparison() {
    check(
        "fn f() { a < b < c }",
        expect![[r#"
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
              BIN_EXPR@9..18
                BIN_EXPR@9..14
                  PATH_EXPR@9..10
                    NAME_REF@9..10
                      IDENT@9..10 "a"
                  WHITESPACE@10..11 " "
                  L_ANGLE@11..12 "<"
                  WHITESPACE@12..13 " "
                  PATH_EXPR@13..14
                    NAME_REF@13..14
                      IDENT@13..14 "b"
                WHITESPACE@14..15 " "
                L_ANGLE@15..16 "<"
                WHITESPACE@16..17 " "
                PATH_EXPR@17..18
                  NAME_REF@17..18
                    IDENT@17..18 "c"
              WHITESPACE@18..19 " "
              R_BRACE@19..20 "}"
        error 15..16: comparison operators cannot be chained; use parentheses
    "#]],
    );
}

#[test]
fn err_missing_field_name() {
    check(
        "fn f() { a. ; b.() }",
        expect![[r#"
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
              EXPR_STMT@9..13
                FIELD_EXPR@9..11
                  PATH_EXPR@9..10
                    NAME_REF@9..10
                      IDENT@9..10 "a"
                  DOT@10..11 "."
                WHITESPACE@11..12 " "
                SEMICOLON@12..13 ";"
              WHITESPACE@13..14 " "
              CALL_EXPR@14..18
                FIELD_EXPR@14..16
                  PATH_EXPR@14..15
                    NAME_REF@14..15
                      IDENT@14..15 "b"
                  DOT@15..16 "."
                ARG_LIST@16..18
                  L_PAREN@16..17 "("
                  R_PAREN@17..18 ")"
              WHITESPACE@18..19 " "
              R_BRACE@19..20 "}"
        error 11..11: expected a field name or tuple index after `.`, found `;`
        error 16..16: expected a field name or tuple index after `.`, found `(`
    "#]],
    );
}

#[test]
fn ok_generic_args_in_expressions() {
    check(
        "fn f() { let c = Channel.new<i64>(8); let x = id<Point>(p); a < b; c.len<d }",
        expect![[r#"
        SOURCE_FILE@0..76
          FN@0..76
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..76
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              LET_STMT@9..37
                LET_KW@9..12 "let"
                WHITESPACE@12..13 " "
                IDENT_PAT@13..14
                  NAME@13..14
                    IDENT@13..14 "c"
                WHITESPACE@14..15 " "
                EQ@15..16 "="
                WHITESPACE@16..17 " "
                METHOD_CALL_EXPR@17..36
                  PATH_EXPR@17..24
                    NAME_REF@17..24
                      IDENT@17..24 "Channel"
                  DOT@24..25 "."
                  NAME_REF@25..28
                    IDENT@25..28 "new"
                  GENERIC_ARG_LIST@28..33
                    L_ANGLE@28..29 "<"
                    PATH_TYPE@29..32
                      PATH@29..32
                        NAME_REF@29..32
                          IDENT@29..32 "i64"
                    R_ANGLE@32..33 ">"
                  ARG_LIST@33..36
                    L_PAREN@33..34 "("
                    LITERAL@34..35
                      INT_NUMBER@34..35 "8"
                    R_PAREN@35..36 ")"
                SEMICOLON@36..37 ";"
              WHITESPACE@37..38 " "
              LET_STMT@38..59
                LET_KW@38..41 "let"
                WHITESPACE@41..42 " "
                IDENT_PAT@42..43
                  NAME@42..43
                    IDENT@42..43 "x"
                WHITESPACE@43..44 " "
                EQ@44..45 "="
                WHITESPACE@45..46 " "
                CALL_EXPR@46..58
                  PATH_EXPR@46..55
                    NAME_REF@46..48
                      IDENT@46..48 "id"
                    GENERIC_ARG_LIST@48..55
                      L_ANGLE@48..49 "<"
                      PATH_TYPE@49..54
                        PATH@49..54
                          NAME_REF@49..54
                            IDENT@49..54 "Point"
                      R_ANGLE@54..55 ">"
                  ARG_LIST@55..58
                    L_PAREN@55..56 "("
                    PATH_EXPR@56..57
                      NAME_REF@56..57
                        IDENT@56..57 "p"
                    R_PAREN@57..58 ")"
                SEMICOLON@58..59 ";"
              WHITESPACE@59..60 " "
              EXPR_STMT@60..66
                BIN_EXPR@60..65
                  PATH_EXPR@60..61
                    NAME_REF@60..61
                      IDENT@60..61 "a"
                  WHITESPACE@61..62 " "
                  L_ANGLE@62..63 "<"
                  WHITESPACE@63..64 " "
                  PATH_EXPR@64..65
                    NAME_REF@64..65
                      IDENT@64..65 "b"
                SEMICOLON@65..66 ";"
              WHITESPACE@66..67 " "
              BIN_EXPR@67..74
                FIELD_EXPR@67..72
                  PATH_EXPR@67..68
                    NAME_REF@67..68
                      IDENT@67..68 "c"
                  DOT@68..69 "."
                  NAME_REF@69..72
                    IDENT@69..72 "len"
                L_ANGLE@72..73 "<"
                PATH_EXPR@73..74
                  NAME_REF@73..74
                    IDENT@73..74 "d"
              WHITESPACE@74..75 " "
              R_BRACE@75..76 "}"
    "#]],
    );
}

#[test]
fn ok_cast_then_comparison() {
    check(
        "fn f() { x as i64 < y; v as Future<i32> }",
        expect![[r#"
        SOURCE_FILE@0..41
          FN@0..41
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..41
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              EXPR_STMT@9..22
                BIN_EXPR@9..21
                  CAST_EXPR@9..17
                    PATH_EXPR@9..10
                      NAME_REF@9..10
                        IDENT@9..10 "x"
                    WHITESPACE@10..11 " "
                    AS_KW@11..13 "as"
                    WHITESPACE@13..14 " "
                    PATH_TYPE@14..17
                      PATH@14..17
                        NAME_REF@14..17
                          IDENT@14..17 "i64"
                  WHITESPACE@17..18 " "
                  L_ANGLE@18..19 "<"
                  WHITESPACE@19..20 " "
                  PATH_EXPR@20..21
                    NAME_REF@20..21
                      IDENT@20..21 "y"
                SEMICOLON@21..22 ";"
              WHITESPACE@22..23 " "
              CAST_EXPR@23..39
                PATH_EXPR@23..24
                  NAME_REF@23..24
                    IDENT@23..24 "v"
                WHITESPACE@24..25 " "
                AS_KW@25..27 "as"
                WHITESPACE@27..28 " "
                PATH_TYPE@28..39
                  PATH@28..34
                    NAME_REF@28..34
                      IDENT@28..34 "Future"
                  GENERIC_ARG_LIST@34..39
                    L_ANGLE@34..35 "<"
                    PATH_TYPE@35..38
                      PATH@35..38
                        NAME_REF@35..38
                          IDENT@35..38 "i32"
                    R_ANGLE@38..39 ">"
              WHITESPACE@39..40 " "
              R_BRACE@40..41 "}"
    "#]],
    );
}

#[test]
fn err_struct_literal_fields() {
    check(
        "fn f() { Point { x: , y 1, 2 } }",
        expect![[r#"
        SOURCE_FILE@0..32
          FN@0..32
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..32
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              RECORD_EXPR@9..30
                NAME_REF@9..14
                  IDENT@9..14 "Point"
                WHITESPACE@14..15 " "
                RECORD_EXPR_FIELD_LIST@15..30
                  L_BRACE@15..16 "{"
                  WHITESPACE@16..17 " "
                  RECORD_EXPR_FIELD@17..19
                    NAME_REF@17..18
                      IDENT@17..18 "x"
                    COLON@18..19 ":"
                  WHITESPACE@19..20 " "
                  COMMA@20..21 ","
                  WHITESPACE@21..22 " "
                  RECORD_EXPR_FIELD@22..23
                    NAME_REF@22..23
                      IDENT@22..23 "y"
                  WHITESPACE@23..24 " "
                  ERROR@24..25
                    INT_NUMBER@24..25 "1"
                  ERROR@25..26
                    COMMA@25..26 ","
                  WHITESPACE@26..27 " "
                  ERROR@27..28
                    INT_NUMBER@27..28 "2"
                  WHITESPACE@28..29 " "
                  R_BRACE@29..30 "}"
              WHITESPACE@30..31 " "
              R_BRACE@31..32 "}"
        error 19..19: expected an expression, found `,`
        error 23..23: expected `,` or `}`, found `1`
        error 24..25: unexpected token in list
        error 25..26: expected a field
        error 27..28: expected a field
    "#]],
    );
}

#[test]
fn err_missing_call_close() {
    check(
        "fn f() {\n    g(1, 2\n    let y = 3\n}",
        expect![[r#"
        SOURCE_FILE@0..35
          FN@0..35
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..35
              L_BRACE@7..8 "{"
              NEWLINE@8..13 "\n    "
              EXPR_STMT@13..19
                CALL_EXPR@13..19
                  PATH_EXPR@13..14
                    NAME_REF@13..14
                      IDENT@13..14 "g"
                  ARG_LIST@14..19
                    L_PAREN@14..15 "("
                    LITERAL@15..16
                      INT_NUMBER@15..16 "1"
                    COMMA@16..17 ","
                    WHITESPACE@17..18 " "
                    LITERAL@18..19
                      INT_NUMBER@18..19 "2"
              NEWLINE@19..24 "\n    "
              LET_STMT@24..33
                LET_KW@24..27 "let"
                WHITESPACE@27..28 " "
                IDENT_PAT@28..29
                  NAME@28..29
                    IDENT@28..29 "y"
                WHITESPACE@29..30 " "
                EQ@30..31 "="
                WHITESPACE@31..32 " "
                LITERAL@32..33
                  INT_NUMBER@32..33 "3"
              NEWLINE@33..34 "\n"
              R_BRACE@34..35 "}"
        error 19..19: expected `,` or `)`, found `let`
    "#]],
    );
}

#[test]
fn err_index_and_array() {
    check(
        "fn f() { a[; [1, 2; [0; ] }",
        expect![[r#"
        SOURCE_FILE@0..27
          FN@0..27
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..27
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              EXPR_STMT@9..12
                INDEX_EXPR@9..11
                  PATH_EXPR@9..10
                    NAME_REF@9..10
                      IDENT@9..10 "a"
                  L_BRACK@10..11 "["
                SEMICOLON@11..12 ";"
              WHITESPACE@12..13 " "
              EXPR_STMT@13..19
                ARRAY_EXPR@13..18
                  L_BRACK@13..14 "["
                  LITERAL@14..15
                    INT_NUMBER@14..15 "1"
                  COMMA@15..16 ","
                  WHITESPACE@16..17 " "
                  LITERAL@17..18
                    INT_NUMBER@17..18 "2"
                SEMICOLON@18..19 ";"
              WHITESPACE@19..20 " "
              ARRAY_REPEAT_EXPR@20..25
                L_BRACK@20..21 "["
                LITERAL@21..22
                  INT_NUMBER@21..22 "0"
                SEMICOLON@22..23 ";"
                WHITESPACE@23..24 " "
                R_BRACK@24..25 "]"
              WHITESPACE@25..26 " "
              R_BRACE@26..27 "}"
        error 11..11: expected an expression, found `;`
        error 18..18: expected `,` or `]`, found `;`
        error 23..23: expected an expression, found `]`
    "#]],
    );
}
