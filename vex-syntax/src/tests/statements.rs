//! Statements: `let`, assignments, `defer` and `go`, and the newline rule (where a line
//! break ends a statement and where it does not), with the errors for junk after a
//! statement, a missing expression and a line starting with a binary operator.

use super::check;
use expect_test::expect;

#[test]
fn ok_let_statements() {
    check(
        "fn f() {\n    let x = 1\n    let! y: i64 = 2\n    let (a, b) = t\n    let _ = y\n}",
        expect![[r#"
        SOURCE_FILE@0..77
          FN@0..77
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..77
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
                LITERAL@21..22
                  INT_NUMBER@21..22 "1"
              NEWLINE@22..27 "\n    "
              LET_STMT@27..42
                LET_KW@27..30 "let"
                BANG@30..31 "!"
                WHITESPACE@31..32 " "
                IDENT_PAT@32..33
                  NAME@32..33
                    IDENT@32..33 "y"
                COLON@33..34 ":"
                WHITESPACE@34..35 " "
                PATH_TYPE@35..38
                  PATH@35..38
                    NAME_REF@35..38
                      IDENT@35..38 "i64"
                WHITESPACE@38..39 " "
                EQ@39..40 "="
                WHITESPACE@40..41 " "
                LITERAL@41..42
                  INT_NUMBER@41..42 "2"
              NEWLINE@42..47 "\n    "
              LET_STMT@47..61
                LET_KW@47..50 "let"
                WHITESPACE@50..51 " "
                TUPLE_PAT@51..57
                  L_PAREN@51..52 "("
                  IDENT_PAT@52..53
                    NAME@52..53
                      IDENT@52..53 "a"
                  COMMA@53..54 ","
                  WHITESPACE@54..55 " "
                  IDENT_PAT@55..56
                    NAME@55..56
                      IDENT@55..56 "b"
                  R_PAREN@56..57 ")"
                WHITESPACE@57..58 " "
                EQ@58..59 "="
                WHITESPACE@59..60 " "
                PATH_EXPR@60..61
                  NAME_REF@60..61
                    IDENT@60..61 "t"
              NEWLINE@61..66 "\n    "
              LET_STMT@66..75
                LET_KW@66..69 "let"
                WHITESPACE@69..70 " "
                WILDCARD_PAT@70..71
                  UNDERSCORE@70..71 "_"
                WHITESPACE@71..72 " "
                EQ@72..73 "="
                WHITESPACE@73..74 " "
                PATH_EXPR@74..75
                  NAME_REF@74..75
                    IDENT@74..75 "y"
              NEWLINE@75..76 "\n"
              R_BRACE@76..77 "}"
    "#]],
    );
}

#[test]
fn ok_assignments() {
    check(
        "fn f() {\n    x = 1\n    p.x += 1.0\n    a[i] <<= 2\n    x >>= 1; y >= 2\n}",
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
              EXPR_STMT@13..18
                BIN_EXPR@13..18
                  PATH_EXPR@13..14
                    NAME_REF@13..14
                      IDENT@13..14 "x"
                  WHITESPACE@14..15 " "
                  EQ@15..16 "="
                  WHITESPACE@16..17 " "
                  LITERAL@17..18
                    INT_NUMBER@17..18 "1"
              NEWLINE@18..23 "\n    "
              EXPR_STMT@23..33
                BIN_EXPR@23..33
                  FIELD_EXPR@23..26
                    PATH_EXPR@23..24
                      NAME_REF@23..24
                        IDENT@23..24 "p"
                    DOT@24..25 "."
                    NAME_REF@25..26
                      IDENT@25..26 "x"
                  WHITESPACE@26..27 " "
                  PLUSEQ@27..29 "+="
                  WHITESPACE@29..30 " "
                  LITERAL@30..33
                    FLOAT_NUMBER@30..33 "1.0"
              NEWLINE@33..38 "\n    "
              EXPR_STMT@38..48
                BIN_EXPR@38..48
                  INDEX_EXPR@38..42
                    PATH_EXPR@38..39
                      NAME_REF@38..39
                        IDENT@38..39 "a"
                    L_BRACK@39..40 "["
                    PATH_EXPR@40..41
                      NAME_REF@40..41
                        IDENT@40..41 "i"
                    R_BRACK@41..42 "]"
                  WHITESPACE@42..43 " "
                  SHLEQ@43..46 "<<="
                  WHITESPACE@46..47 " "
                  LITERAL@47..48
                    INT_NUMBER@47..48 "2"
              NEWLINE@48..53 "\n    "
              EXPR_STMT@53..61
                BIN_EXPR@53..60
                  PATH_EXPR@53..54
                    NAME_REF@53..54
                      IDENT@53..54 "x"
                  WHITESPACE@54..55 " "
                  SHREQ@55..58 ">>="
                  WHITESPACE@58..59 " "
                  LITERAL@59..60
                    INT_NUMBER@59..60 "1"
                SEMICOLON@60..61 ";"
              WHITESPACE@61..62 " "
              BIN_EXPR@62..68
                PATH_EXPR@62..63
                  NAME_REF@62..63
                    IDENT@62..63 "y"
                WHITESPACE@63..64 " "
                GTEQ@64..66 ">="
                WHITESPACE@66..67 " "
                LITERAL@67..68
                  INT_NUMBER@67..68 "2"
              NEWLINE@68..69 "\n"
              R_BRACE@69..70 "}"
    "#]],
    );
}

#[test]
fn ok_newline_rule() {
    check(
        "fn f() {\n    let x = a +\n        b\n    foo\n    (1)\n    let y = x\n        .m()\n    g(a,\n      b)\n    return\n}",
        expect![[r#"
        SOURCE_FILE@0..108
          FN@0..108
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..108
              L_BRACE@7..8 "{"
              NEWLINE@8..13 "\n    "
              LET_STMT@13..34
                LET_KW@13..16 "let"
                WHITESPACE@16..17 " "
                IDENT_PAT@17..18
                  NAME@17..18
                    IDENT@17..18 "x"
                WHITESPACE@18..19 " "
                EQ@19..20 "="
                WHITESPACE@20..21 " "
                BIN_EXPR@21..34
                  PATH_EXPR@21..22
                    NAME_REF@21..22
                      IDENT@21..22 "a"
                  WHITESPACE@22..23 " "
                  PLUS@23..24 "+"
                  NEWLINE@24..33 "\n        "
                  PATH_EXPR@33..34
                    NAME_REF@33..34
                      IDENT@33..34 "b"
              NEWLINE@34..39 "\n    "
              EXPR_STMT@39..42
                PATH_EXPR@39..42
                  NAME_REF@39..42
                    IDENT@39..42 "foo"
              NEWLINE@42..47 "\n    "
              EXPR_STMT@47..50
                PAREN_EXPR@47..50
                  L_PAREN@47..48 "("
                  LITERAL@48..49
                    INT_NUMBER@48..49 "1"
                  R_PAREN@49..50 ")"
              NEWLINE@50..55 "\n    "
              LET_STMT@55..77
                LET_KW@55..58 "let"
                WHITESPACE@58..59 " "
                IDENT_PAT@59..60
                  NAME@59..60
                    IDENT@59..60 "y"
                WHITESPACE@60..61 " "
                EQ@61..62 "="
                WHITESPACE@62..63 " "
                METHOD_CALL_EXPR@63..77
                  PATH_EXPR@63..64
                    NAME_REF@63..64
                      IDENT@63..64 "x"
                  NEWLINE@64..73 "\n        "
                  DOT@73..74 "."
                  NAME_REF@74..75
                    IDENT@74..75 "m"
                  ARG_LIST@75..77
                    L_PAREN@75..76 "("
                    R_PAREN@76..77 ")"
              NEWLINE@77..82 "\n    "
              EXPR_STMT@82..95
                CALL_EXPR@82..95
                  PATH_EXPR@82..83
                    NAME_REF@82..83
                      IDENT@82..83 "g"
                  ARG_LIST@83..95
                    L_PAREN@83..84 "("
                    PATH_EXPR@84..85
                      NAME_REF@84..85
                        IDENT@84..85 "a"
                    COMMA@85..86 ","
                    NEWLINE@86..93 "\n      "
                    PATH_EXPR@93..94
                      NAME_REF@93..94
                        IDENT@93..94 "b"
                    R_PAREN@94..95 ")"
              NEWLINE@95..100 "\n    "
              RETURN_EXPR@100..106
                RETURN_KW@100..106 "return"
              NEWLINE@106..107 "\n"
              R_BRACE@107..108 "}"
    "#]],
    );
}

#[test]
fn ok_defer_and_go() {
    check(
        "async fn f() {\n    defer $println(\"bye\")\n    defer { cleanup() }\n    go { await yield_now() }\n    go work(1)\n}",
        expect![[r#"
        SOURCE_FILE@0..110
          FN@0..110
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
            BLOCK_EXPR@13..110
              L_BRACE@13..14 "{"
              NEWLINE@14..19 "\n    "
              DEFER_STMT@19..40
                DEFER_KW@19..24 "defer"
                WHITESPACE@24..25 " "
                CALL_EXPR@25..40
                  PATH_EXPR@25..33
                    NAME_REF@25..33
                      BUILTIN_IDENT@25..33 "$println"
                  ARG_LIST@33..40
                    L_PAREN@33..34 "("
                    LITERAL@34..39
                      STRING@34..39 "\"bye\""
                    R_PAREN@39..40 ")"
              NEWLINE@40..45 "\n    "
              DEFER_STMT@45..64
                DEFER_KW@45..50 "defer"
                WHITESPACE@50..51 " "
                BLOCK_EXPR@51..64
                  L_BRACE@51..52 "{"
                  WHITESPACE@52..53 " "
                  CALL_EXPR@53..62
                    PATH_EXPR@53..60
                      NAME_REF@53..60
                        IDENT@53..60 "cleanup"
                    ARG_LIST@60..62
                      L_PAREN@60..61 "("
                      R_PAREN@61..62 ")"
                  WHITESPACE@62..63 " "
                  R_BRACE@63..64 "}"
              NEWLINE@64..69 "\n    "
              EXPR_STMT@69..93
                GO_EXPR@69..93
                  GO_KW@69..71 "go"
                  WHITESPACE@71..72 " "
                  BLOCK_EXPR@72..93
                    L_BRACE@72..73 "{"
                    WHITESPACE@73..74 " "
                    AWAIT_EXPR@74..91
                      AWAIT_KW@74..79 "await"
                      WHITESPACE@79..80 " "
                      CALL_EXPR@80..91
                        PATH_EXPR@80..89
                          NAME_REF@80..89
                            IDENT@80..89 "yield_now"
                        ARG_LIST@89..91
                          L_PAREN@89..90 "("
                          R_PAREN@90..91 ")"
                    WHITESPACE@91..92 " "
                    R_BRACE@92..93 "}"
              NEWLINE@93..98 "\n    "
              GO_EXPR@98..108
                GO_KW@98..100 "go"
                WHITESPACE@100..101 " "
                CALL_EXPR@101..108
                  PATH_EXPR@101..105
                    NAME_REF@101..105
                      IDENT@101..105 "work"
                  ARG_LIST@105..108
                    L_PAREN@105..106 "("
                    LITERAL@106..107
                      INT_NUMBER@106..107 "1"
                    R_PAREN@107..108 ")"
              NEWLINE@108..109 "\n"
              R_BRACE@109..110 "}"
    "#]],
    );
}

#[test]
fn err_junk_after_statement() {
    check(
        "fn f() {\n    let x = 1 2 3\n    let y = 2\n}",
        expect![[r#"
        SOURCE_FILE@0..42
          FN@0..42
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..42
              L_BRACE@7..8 "{"
              NEWLINE@8..13 "\n    "
              LET_STMT@13..26
                LET_KW@13..16 "let"
                WHITESPACE@16..17 " "
                IDENT_PAT@17..18
                  NAME@17..18
                    IDENT@17..18 "x"
                WHITESPACE@18..19 " "
                EQ@19..20 "="
                WHITESPACE@20..21 " "
                LITERAL@21..22
                  INT_NUMBER@21..22 "1"
                WHITESPACE@22..23 " "
                ERROR@23..26
                  INT_NUMBER@23..24 "2"
                  WHITESPACE@24..25 " "
                  INT_NUMBER@25..26 "3"
              NEWLINE@26..31 "\n    "
              LET_STMT@31..40
                LET_KW@31..34 "let"
                WHITESPACE@34..35 " "
                IDENT_PAT@35..36
                  NAME@35..36
                    IDENT@35..36 "y"
                WHITESPACE@36..37 " "
                EQ@37..38 "="
                WHITESPACE@38..39 " "
                LITERAL@39..40
                  INT_NUMBER@39..40 "2"
              NEWLINE@40..41 "\n"
              R_BRACE@41..42 "}"
        error 23..24: expected `;` or a line break after the statement
    "#]],
    );
}

#[test]
fn err_missing_expression() {
    check(
        "fn f() {\n    let x =\n    let y = 2 +\n}",
        expect![[r#"
        SOURCE_FILE@0..38
          FN@0..38
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..38
              L_BRACE@7..8 "{"
              NEWLINE@8..13 "\n    "
              LET_STMT@13..20
                LET_KW@13..16 "let"
                WHITESPACE@16..17 " "
                IDENT_PAT@17..18
                  NAME@17..18
                    IDENT@17..18 "x"
                WHITESPACE@18..19 " "
                EQ@19..20 "="
              NEWLINE@20..25 "\n    "
              LET_STMT@25..36
                LET_KW@25..28 "let"
                WHITESPACE@28..29 " "
                IDENT_PAT@29..30
                  NAME@29..30
                    IDENT@29..30 "y"
                WHITESPACE@30..31 " "
                EQ@31..32 "="
                WHITESPACE@32..33 " "
                BIN_EXPR@33..36
                  LITERAL@33..34
                    INT_NUMBER@33..34 "2"
                  WHITESPACE@34..35 " "
                  PLUS@35..36 "+"
              NEWLINE@36..37 "\n"
              R_BRACE@37..38 "}"
        error 20..20: expected an expression, found `let`
        error 36..36: expected an expression, found `}`
    "#]],
    );
}

#[test]
fn err_line_starting_with_operator() {
    check(
        "fn f() {\n    let x = a\n        + b\n}",
        expect![[r#"
        SOURCE_FILE@0..36
          FN@0..36
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..36
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
              ERROR@31..32
                PLUS@31..32 "+"
              WHITESPACE@32..33 " "
              PATH_EXPR@33..34
                NAME_REF@33..34
                  IDENT@33..34 "b"
              NEWLINE@34..35 "\n"
              R_BRACE@35..36 "}"
        error 31..32: a line cannot start with the binary operator `+`; put it at the end of the previous line
    "#]],
    );
}
