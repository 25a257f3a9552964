//! Expressions: operator precedence (with `??`), prefix operators and `await`, postfix
//! chains (fields, tuple indices, calls, indexing, `?`), `?` against the ternary, the
//! `await` rule for `?`, closures and async closures, tuples and arrays, `$builtins`,
//! generic arguments and `as` casts, with their errors.

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

#[test]
fn ok_coalesce_is_the_loosest_binary_operator() {
    // `??` groups to the right, is looser than `||` and `==`, and tighter than `..` and
    // assignment.
    check(
        "fn f() { a ?? b ?? c; x ?? 0 == 5; a || b ?? c; a..b ?? c; y = a ?? b }",
        expect![[r#"
            SOURCE_FILE@0..71
              FN@0..71
                FN_KW@0..2 "fn"
                WHITESPACE@2..3 " "
                NAME@3..4
                  IDENT@3..4 "f"
                PARAM_LIST@4..6
                  L_PAREN@4..5 "("
                  R_PAREN@5..6 ")"
                WHITESPACE@6..7 " "
                BLOCK_EXPR@7..71
                  L_BRACE@7..8 "{"
                  WHITESPACE@8..9 " "
                  EXPR_STMT@9..21
                    BIN_EXPR@9..20
                      PATH_EXPR@9..10
                        NAME_REF@9..10
                          IDENT@9..10 "a"
                      WHITESPACE@10..11 " "
                      QUESTION2@11..13 "??"
                      WHITESPACE@13..14 " "
                      BIN_EXPR@14..20
                        PATH_EXPR@14..15
                          NAME_REF@14..15
                            IDENT@14..15 "b"
                        WHITESPACE@15..16 " "
                        QUESTION2@16..18 "??"
                        WHITESPACE@18..19 " "
                        PATH_EXPR@19..20
                          NAME_REF@19..20
                            IDENT@19..20 "c"
                    SEMICOLON@20..21 ";"
                  WHITESPACE@21..22 " "
                  EXPR_STMT@22..34
                    BIN_EXPR@22..33
                      PATH_EXPR@22..23
                        NAME_REF@22..23
                          IDENT@22..23 "x"
                      WHITESPACE@23..24 " "
                      QUESTION2@24..26 "??"
                      WHITESPACE@26..27 " "
                      BIN_EXPR@27..33
                        LITERAL@27..28
                          INT_NUMBER@27..28 "0"
                        WHITESPACE@28..29 " "
                        EQ2@29..31 "=="
                        WHITESPACE@31..32 " "
                        LITERAL@32..33
                          INT_NUMBER@32..33 "5"
                    SEMICOLON@33..34 ";"
                  WHITESPACE@34..35 " "
                  EXPR_STMT@35..47
                    BIN_EXPR@35..46
                      BIN_EXPR@35..41
                        PATH_EXPR@35..36
                          NAME_REF@35..36
                            IDENT@35..36 "a"
                        WHITESPACE@36..37 " "
                        PIPE2@37..39 "||"
                        WHITESPACE@39..40 " "
                        PATH_EXPR@40..41
                          NAME_REF@40..41
                            IDENT@40..41 "b"
                      WHITESPACE@41..42 " "
                      QUESTION2@42..44 "??"
                      WHITESPACE@44..45 " "
                      PATH_EXPR@45..46
                        NAME_REF@45..46
                          IDENT@45..46 "c"
                    SEMICOLON@46..47 ";"
                  WHITESPACE@47..48 " "
                  EXPR_STMT@48..58
                    RANGE_EXPR@48..57
                      PATH_EXPR@48..49
                        NAME_REF@48..49
                          IDENT@48..49 "a"
                      DOT2@49..51 ".."
                      BIN_EXPR@51..57
                        PATH_EXPR@51..52
                          NAME_REF@51..52
                            IDENT@51..52 "b"
                        WHITESPACE@52..53 " "
                        QUESTION2@53..55 "??"
                        WHITESPACE@55..56 " "
                        PATH_EXPR@56..57
                          NAME_REF@56..57
                            IDENT@56..57 "c"
                    SEMICOLON@57..58 ";"
                  WHITESPACE@58..59 " "
                  BIN_EXPR@59..69
                    PATH_EXPR@59..60
                      NAME_REF@59..60
                        IDENT@59..60 "y"
                    WHITESPACE@60..61 " "
                    EQ@61..62 "="
                    WHITESPACE@62..63 " "
                    BIN_EXPR@63..69
                      PATH_EXPR@63..64
                        NAME_REF@63..64
                          IDENT@63..64 "a"
                      WHITESPACE@64..65 " "
                      QUESTION2@65..67 "??"
                      WHITESPACE@67..68 " "
                      PATH_EXPR@68..69
                        NAME_REF@68..69
                          IDENT@68..69 "b"
                  WHITESPACE@69..70 " "
                  R_BRACE@70..71 "}"
        "#]],
    );
}

#[test]
fn ok_try_chains_like_a_call() {
    check(
        "fn f() { r? + 1; f()?.len()?; v?.0; x? ?? 0; x?\n    y }",
        expect![[r#"
        SOURCE_FILE@0..55
          FN@0..55
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..55
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              EXPR_STMT@9..16
                BIN_EXPR@9..15
                  TRY_EXPR@9..11
                    PATH_EXPR@9..10
                      NAME_REF@9..10
                        IDENT@9..10 "r"
                    QUESTION@10..11 "?"
                  WHITESPACE@11..12 " "
                  PLUS@12..13 "+"
                  WHITESPACE@13..14 " "
                  LITERAL@14..15
                    INT_NUMBER@14..15 "1"
                SEMICOLON@15..16 ";"
              WHITESPACE@16..17 " "
              EXPR_STMT@17..29
                TRY_EXPR@17..28
                  METHOD_CALL_EXPR@17..27
                    TRY_EXPR@17..21
                      CALL_EXPR@17..20
                        PATH_EXPR@17..18
                          NAME_REF@17..18
                            IDENT@17..18 "f"
                        ARG_LIST@18..20
                          L_PAREN@18..19 "("
                          R_PAREN@19..20 ")"
                      QUESTION@20..21 "?"
                    DOT@21..22 "."
                    NAME_REF@22..25
                      IDENT@22..25 "len"
                    ARG_LIST@25..27
                      L_PAREN@25..26 "("
                      R_PAREN@26..27 ")"
                  QUESTION@27..28 "?"
                SEMICOLON@28..29 ";"
              WHITESPACE@29..30 " "
              EXPR_STMT@30..35
                FIELD_EXPR@30..34
                  TRY_EXPR@30..32
                    PATH_EXPR@30..31
                      NAME_REF@30..31
                        IDENT@30..31 "v"
                    QUESTION@31..32 "?"
                  DOT@32..33 "."
                  NAME_REF@33..34
                    INT_NUMBER@33..34 "0"
                SEMICOLON@34..35 ";"
              WHITESPACE@35..36 " "
              EXPR_STMT@36..44
                BIN_EXPR@36..43
                  TRY_EXPR@36..38
                    PATH_EXPR@36..37
                      NAME_REF@36..37
                        IDENT@36..37 "x"
                    QUESTION@37..38 "?"
                  WHITESPACE@38..39 " "
                  QUESTION2@39..41 "??"
                  WHITESPACE@41..42 " "
                  LITERAL@42..43
                    INT_NUMBER@42..43 "0"
                SEMICOLON@43..44 ";"
              WHITESPACE@44..45 " "
              EXPR_STMT@45..47
                TRY_EXPR@45..47
                  PATH_EXPR@45..46
                    NAME_REF@45..46
                      IDENT@45..46 "x"
                  QUESTION@46..47 "?"
              NEWLINE@47..52 "\n    "
              PATH_EXPR@52..53
                NAME_REF@52..53
                  IDENT@52..53 "y"
              WHITESPACE@53..54 " "
              R_BRACE@54..55 "}"
    "#]],
    );
}

#[test]
fn err_question_mark_before_an_operand_is_a_ternary() {
    // `-` and `[` start operands, so `r? - 1` and `v?[0]` are ternaries (with errors: no
    // `:`); in a condition `{` starts the body, so `if a? { }` is a `?`.
    check(
        "fn f() { x ? 1 : 2; r? - 1; v?[0]; if a? { } }",
        expect![[r#"
        SOURCE_FILE@0..46
          FN@0..46
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..46
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              EXPR_STMT@9..19
                TERNARY_EXPR@9..18
                  PATH_EXPR@9..10
                    NAME_REF@9..10
                      IDENT@9..10 "x"
                  WHITESPACE@10..11 " "
                  QUESTION@11..12 "?"
                  WHITESPACE@12..13 " "
                  LITERAL@13..14
                    INT_NUMBER@13..14 "1"
                  WHITESPACE@14..15 " "
                  COLON@15..16 ":"
                  WHITESPACE@16..17 " "
                  LITERAL@17..18
                    INT_NUMBER@17..18 "2"
                SEMICOLON@18..19 ";"
              WHITESPACE@19..20 " "
              EXPR_STMT@20..27
                TERNARY_EXPR@20..26
                  PATH_EXPR@20..21
                    NAME_REF@20..21
                      IDENT@20..21 "r"
                  QUESTION@21..22 "?"
                  WHITESPACE@22..23 " "
                  PREFIX_EXPR@23..26
                    MINUS@23..24 "-"
                    WHITESPACE@24..25 " "
                    LITERAL@25..26
                      INT_NUMBER@25..26 "1"
                SEMICOLON@26..27 ";"
              WHITESPACE@27..28 " "
              EXPR_STMT@28..34
                TERNARY_EXPR@28..33
                  PATH_EXPR@28..29
                    NAME_REF@28..29
                      IDENT@28..29 "v"
                  QUESTION@29..30 "?"
                  ARRAY_EXPR@30..33
                    L_BRACK@30..31 "["
                    LITERAL@31..32
                      INT_NUMBER@31..32 "0"
                    R_BRACK@32..33 "]"
                SEMICOLON@33..34 ";"
              WHITESPACE@34..35 " "
              IF_EXPR@35..44
                IF_KW@35..37 "if"
                WHITESPACE@37..38 " "
                TRY_EXPR@38..40
                  PATH_EXPR@38..39
                    NAME_REF@38..39
                      IDENT@38..39 "a"
                  QUESTION@39..40 "?"
                WHITESPACE@40..41 " "
                BLOCK_EXPR@41..44
                  L_BRACE@41..42 "{"
                  WHITESPACE@42..43 " "
                  R_BRACE@43..44 "}"
              WHITESPACE@44..45 " "
              R_BRACE@45..46 "}"
        error 26..26: expected `:`, found `;`
        error 33..33: expected `:`, found `;`
    "#]],
    );
}

#[test]
fn ok_await_takes_the_chain_up_to_the_first_try() {
    check(
        "async fn f() { await readFile(p)?; await open(p)?.len(); await f().g(); await f() + 1; -await f()? }",
        expect![[r#"
            SOURCE_FILE@0..100
              FN@0..100
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
                BLOCK_EXPR@13..100
                  L_BRACE@13..14 "{"
                  WHITESPACE@14..15 " "
                  EXPR_STMT@15..34
                    TRY_EXPR@15..33
                      AWAIT_EXPR@15..32
                        AWAIT_KW@15..20 "await"
                        WHITESPACE@20..21 " "
                        CALL_EXPR@21..32
                          PATH_EXPR@21..29
                            NAME_REF@21..29
                              IDENT@21..29 "readFile"
                          ARG_LIST@29..32
                            L_PAREN@29..30 "("
                            PATH_EXPR@30..31
                              NAME_REF@30..31
                                IDENT@30..31 "p"
                            R_PAREN@31..32 ")"
                      QUESTION@32..33 "?"
                    SEMICOLON@33..34 ";"
                  WHITESPACE@34..35 " "
                  EXPR_STMT@35..56
                    METHOD_CALL_EXPR@35..55
                      TRY_EXPR@35..49
                        AWAIT_EXPR@35..48
                          AWAIT_KW@35..40 "await"
                          WHITESPACE@40..41 " "
                          CALL_EXPR@41..48
                            PATH_EXPR@41..45
                              NAME_REF@41..45
                                IDENT@41..45 "open"
                            ARG_LIST@45..48
                              L_PAREN@45..46 "("
                              PATH_EXPR@46..47
                                NAME_REF@46..47
                                  IDENT@46..47 "p"
                              R_PAREN@47..48 ")"
                        QUESTION@48..49 "?"
                      DOT@49..50 "."
                      NAME_REF@50..53
                        IDENT@50..53 "len"
                      ARG_LIST@53..55
                        L_PAREN@53..54 "("
                        R_PAREN@54..55 ")"
                    SEMICOLON@55..56 ";"
                  WHITESPACE@56..57 " "
                  EXPR_STMT@57..71
                    AWAIT_EXPR@57..70
                      AWAIT_KW@57..62 "await"
                      WHITESPACE@62..63 " "
                      METHOD_CALL_EXPR@63..70
                        CALL_EXPR@63..66
                          PATH_EXPR@63..64
                            NAME_REF@63..64
                              IDENT@63..64 "f"
                          ARG_LIST@64..66
                            L_PAREN@64..65 "("
                            R_PAREN@65..66 ")"
                        DOT@66..67 "."
                        NAME_REF@67..68
                          IDENT@67..68 "g"
                        ARG_LIST@68..70
                          L_PAREN@68..69 "("
                          R_PAREN@69..70 ")"
                    SEMICOLON@70..71 ";"
                  WHITESPACE@71..72 " "
                  EXPR_STMT@72..86
                    BIN_EXPR@72..85
                      AWAIT_EXPR@72..81
                        AWAIT_KW@72..77 "await"
                        WHITESPACE@77..78 " "
                        CALL_EXPR@78..81
                          PATH_EXPR@78..79
                            NAME_REF@78..79
                              IDENT@78..79 "f"
                          ARG_LIST@79..81
                            L_PAREN@79..80 "("
                            R_PAREN@80..81 ")"
                      WHITESPACE@81..82 " "
                      PLUS@82..83 "+"
                      WHITESPACE@83..84 " "
                      LITERAL@84..85
                        INT_NUMBER@84..85 "1"
                    SEMICOLON@85..86 ";"
                  WHITESPACE@86..87 " "
                  PREFIX_EXPR@87..98
                    MINUS@87..88 "-"
                    TRY_EXPR@88..98
                      AWAIT_EXPR@88..97
                        AWAIT_KW@88..93 "await"
                        WHITESPACE@93..94 " "
                        CALL_EXPR@94..97
                          PATH_EXPR@94..95
                            NAME_REF@94..95
                              IDENT@94..95 "f"
                          ARG_LIST@95..97
                            L_PAREN@95..96 "("
                            R_PAREN@96..97 ")"
                      QUESTION@97..98 "?"
                  WHITESPACE@98..99 " "
                  R_BRACE@99..100 "}"
        "#]],
    );
}

#[test]
fn ok_closures_sync_and_async() {
    check(
        "fn f() { let g = async |x: i64| { await h(x) }; let k = |x|: i64 x + 1; run(async || 1, |a, b| a ?? b) }",
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
                  LET_STMT@9..47
                    LET_KW@9..12 "let"
                    WHITESPACE@12..13 " "
                    IDENT_PAT@13..14
                      NAME@13..14
                        IDENT@13..14 "g"
                    WHITESPACE@14..15 " "
                    EQ@15..16 "="
                    WHITESPACE@16..17 " "
                    CLOSURE_EXPR@17..46
                      ASYNC_KW@17..22 "async"
                      WHITESPACE@22..23 " "
                      PARAM_LIST@23..31
                        PIPE@23..24 "|"
                        PARAM@24..30
                          NAME@24..25
                            IDENT@24..25 "x"
                          COLON@25..26 ":"
                          WHITESPACE@26..27 " "
                          PATH_TYPE@27..30
                            PATH@27..30
                              NAME_REF@27..30
                                IDENT@27..30 "i64"
                        PIPE@30..31 "|"
                      WHITESPACE@31..32 " "
                      BLOCK_EXPR@32..46
                        L_BRACE@32..33 "{"
                        WHITESPACE@33..34 " "
                        AWAIT_EXPR@34..44
                          AWAIT_KW@34..39 "await"
                          WHITESPACE@39..40 " "
                          CALL_EXPR@40..44
                            PATH_EXPR@40..41
                              NAME_REF@40..41
                                IDENT@40..41 "h"
                            ARG_LIST@41..44
                              L_PAREN@41..42 "("
                              PATH_EXPR@42..43
                                NAME_REF@42..43
                                  IDENT@42..43 "x"
                              R_PAREN@43..44 ")"
                        WHITESPACE@44..45 " "
                        R_BRACE@45..46 "}"
                    SEMICOLON@46..47 ";"
                  WHITESPACE@47..48 " "
                  LET_STMT@48..71
                    LET_KW@48..51 "let"
                    WHITESPACE@51..52 " "
                    IDENT_PAT@52..53
                      NAME@52..53
                        IDENT@52..53 "k"
                    WHITESPACE@53..54 " "
                    EQ@54..55 "="
                    WHITESPACE@55..56 " "
                    CLOSURE_EXPR@56..70
                      PARAM_LIST@56..59
                        PIPE@56..57 "|"
                        PARAM@57..58
                          NAME@57..58
                            IDENT@57..58 "x"
                        PIPE@58..59 "|"
                      RET_TYPE@59..64
                        COLON@59..60 ":"
                        WHITESPACE@60..61 " "
                        PATH_TYPE@61..64
                          PATH@61..64
                            NAME_REF@61..64
                              IDENT@61..64 "i64"
                      WHITESPACE@64..65 " "
                      BIN_EXPR@65..70
                        PATH_EXPR@65..66
                          NAME_REF@65..66
                            IDENT@65..66 "x"
                        WHITESPACE@66..67 " "
                        PLUS@67..68 "+"
                        WHITESPACE@68..69 " "
                        LITERAL@69..70
                          INT_NUMBER@69..70 "1"
                    SEMICOLON@70..71 ";"
                  WHITESPACE@71..72 " "
                  CALL_EXPR@72..102
                    PATH_EXPR@72..75
                      NAME_REF@72..75
                        IDENT@72..75 "run"
                    ARG_LIST@75..102
                      L_PAREN@75..76 "("
                      CLOSURE_EXPR@76..86
                        ASYNC_KW@76..81 "async"
                        WHITESPACE@81..82 " "
                        PARAM_LIST@82..84
                          PIPE2@82..84 "||"
                        WHITESPACE@84..85 " "
                        LITERAL@85..86
                          INT_NUMBER@85..86 "1"
                      COMMA@86..87 ","
                      WHITESPACE@87..88 " "
                      CLOSURE_EXPR@88..101
                        PARAM_LIST@88..94
                          PIPE@88..89 "|"
                          PARAM@89..90
                            NAME@89..90
                              IDENT@89..90 "a"
                          COMMA@90..91 ","
                          WHITESPACE@91..92 " "
                          PARAM@92..93
                            NAME@92..93
                              IDENT@92..93 "b"
                          PIPE@93..94 "|"
                        WHITESPACE@94..95 " "
                        BIN_EXPR@95..101
                          PATH_EXPR@95..96
                            NAME_REF@95..96
                              IDENT@95..96 "a"
                          WHITESPACE@96..97 " "
                          QUESTION2@97..99 "??"
                          WHITESPACE@99..100 " "
                          PATH_EXPR@100..101
                            NAME_REF@100..101
                              IDENT@100..101 "b"
                      R_PAREN@101..102 ")"
                  WHITESPACE@102..103 " "
                  R_BRACE@103..104 "}"
        "#]],
    );
}

#[test]
fn ok_nested_generic_args_in_expressions() {
    check(
        "fn f() { Vec.new<Vec<i64>>(); Vec.new<fn(i64): bool>() }",
        expect![[r#"
        SOURCE_FILE@0..56
          FN@0..56
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..56
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              EXPR_STMT@9..29
                METHOD_CALL_EXPR@9..28
                  PATH_EXPR@9..12
                    NAME_REF@9..12
                      IDENT@9..12 "Vec"
                  DOT@12..13 "."
                  NAME_REF@13..16
                    IDENT@13..16 "new"
                  GENERIC_ARG_LIST@16..26
                    L_ANGLE@16..17 "<"
                    PATH_TYPE@17..25
                      PATH@17..20
                        NAME_REF@17..20
                          IDENT@17..20 "Vec"
                      GENERIC_ARG_LIST@20..25
                        L_ANGLE@20..21 "<"
                        PATH_TYPE@21..24
                          PATH@21..24
                            NAME_REF@21..24
                              IDENT@21..24 "i64"
                        R_ANGLE@24..25 ">"
                    R_ANGLE@25..26 ">"
                  ARG_LIST@26..28
                    L_PAREN@26..27 "("
                    R_PAREN@27..28 ")"
                SEMICOLON@28..29 ";"
              WHITESPACE@29..30 " "
              METHOD_CALL_EXPR@30..54
                PATH_EXPR@30..33
                  NAME_REF@30..33
                    IDENT@30..33 "Vec"
                DOT@33..34 "."
                NAME_REF@34..37
                  IDENT@34..37 "new"
                GENERIC_ARG_LIST@37..52
                  L_ANGLE@37..38 "<"
                  FN_TYPE@38..51
                    FN_KW@38..40 "fn"
                    FN_TYPE_PARAM_LIST@40..45
                      L_PAREN@40..41 "("
                      PATH_TYPE@41..44
                        PATH@41..44
                          NAME_REF@41..44
                            IDENT@41..44 "i64"
                      R_PAREN@44..45 ")"
                    RET_TYPE@45..51
                      COLON@45..46 ":"
                      WHITESPACE@46..47 " "
                      PATH_TYPE@47..51
                        PATH@47..51
                          NAME_REF@47..51
                            IDENT@47..51 "bool"
                  R_ANGLE@51..52 ">"
                ARG_LIST@52..54
                  L_PAREN@52..53 "("
                  R_PAREN@53..54 ")"
              WHITESPACE@54..55 " "
              R_BRACE@55..56 "}"
    "#]],
    );
}

#[test]
fn err_async_without_a_closure() {
    // The stray `async` is kept in an `ERROR` node and what follows still parses; `async
    // fn` is left to the statement list as an item.
    check(
        "fn f() {\n    let z = async { 1 }\n    g(async, 2)\n    async fn h() {}\n}",
        expect![[r#"
        SOURCE_FILE@0..70
          FN@0..70
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..70
              L_BRACE@7..8 "{"
              NEWLINE@8..13 "\n    "
              LET_STMT@13..32
                LET_KW@13..16 "let"
                WHITESPACE@16..17 " "
                IDENT_PAT@17..18
                  NAME@17..18
                    IDENT@17..18 "z"
                WHITESPACE@18..19 " "
                EQ@19..20 "="
                WHITESPACE@20..21 " "
                ERROR@21..26
                  ASYNC_KW@21..26 "async"
                WHITESPACE@26..27 " "
                BLOCK_EXPR@27..32
                  L_BRACE@27..28 "{"
                  WHITESPACE@28..29 " "
                  LITERAL@29..30
                    INT_NUMBER@29..30 "1"
                  WHITESPACE@30..31 " "
                  R_BRACE@31..32 "}"
              NEWLINE@32..37 "\n    "
              EXPR_STMT@37..48
                CALL_EXPR@37..48
                  PATH_EXPR@37..38
                    NAME_REF@37..38
                      IDENT@37..38 "g"
                  ARG_LIST@38..48
                    L_PAREN@38..39 "("
                    ERROR@39..44
                      ASYNC_KW@39..44 "async"
                    COMMA@44..45 ","
                    WHITESPACE@45..46 " "
                    LITERAL@46..47
                      INT_NUMBER@46..47 "2"
                    R_PAREN@47..48 ")"
              NEWLINE@48..53 "\n    "
              FN@53..68
                ASYNC_KW@53..58 "async"
                WHITESPACE@58..59 " "
                FN_KW@59..61 "fn"
                WHITESPACE@61..62 " "
                NAME@62..63
                  IDENT@62..63 "h"
                PARAM_LIST@63..65
                  L_PAREN@63..64 "("
                  R_PAREN@64..65 ")"
                WHITESPACE@65..66 " "
                BLOCK_EXPR@66..68
                  L_BRACE@66..67 "{"
                  R_BRACE@67..68 "}"
              NEWLINE@68..69 "\n"
              R_BRACE@69..70 "}"
        error 21..26: `async` in an expression must start an async closure: `async |x| body`
        error 39..44: `async` in an expression must start an async closure: `async |x| body`
    "#]],
    );
}

#[test]
fn err_coalesce_and_try_out_of_place() {
    check(
        "fn f() {\n    let x = a\n        ?? b\n    r\n    ?\n    x ?? ",
        expect![[r#"
        SOURCE_FILE@0..57
          FN@0..56
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..56
              L_BRACE@7..8 "{"
              NEWLINE@8..13 "\n    "
              LET_STMT@13..22
                LET_KW@13..16 "let"
                WHITESPACE@16..17 " "
                IDENT_PAT@17..18
                  NAME@17..18
                    IDENT@17..18 "x"
                WHITESPACE@18..19 " "
                EQ@19..20 "="
                WHITESPACE@20..21 " "
                PATH_EXPR@21..22
                  NAME_REF@21..22
                    IDENT@21..22 "a"
              NEWLINE@22..31 "\n        "
              ERROR@31..33
                QUESTION2@31..33 "??"
              WHITESPACE@33..34 " "
              EXPR_STMT@34..35
                PATH_EXPR@34..35
                  NAME_REF@34..35
                    IDENT@34..35 "b"
              NEWLINE@35..40 "\n    "
              EXPR_STMT@40..41
                PATH_EXPR@40..41
                  NAME_REF@40..41
                    IDENT@40..41 "r"
              NEWLINE@41..46 "\n    "
              ERROR@46..47
                QUESTION@46..47 "?"
              NEWLINE@47..52 "\n    "
              BIN_EXPR@52..56
                PATH_EXPR@52..53
                  NAME_REF@52..53
                    IDENT@52..53 "x"
                WHITESPACE@53..54 " "
                QUESTION2@54..56 "??"
          WHITESPACE@56..57 " "
        error 31..33: a line cannot start with the binary operator `??`; put it at the end of the previous line
        error 46..47: a line cannot start with `?`; put it at the end of the previous line
        error 56..56: expected an expression, found end of file
    "#]],
    );
}
