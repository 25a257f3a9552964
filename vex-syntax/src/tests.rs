//! Inline fixture tests for the grammar: each case parses a snippet and compares the
//! tree dump and errors with an `expect!` snapshot (refresh with `UPDATE_EXPECT=1`).

use expect_test::{Expect, expect};

/// Parses `input`, checks the round trip, and compares the dump plus errors.
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
fn ok_fn_item() {
    check(
        "fn add(a: i32, b!: i32): i32 { return a + b }",
        expect![[r#"
        SOURCE_FILE@0..45
          FN@0..45
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..6
              IDENT@3..6 "add"
            PARAM_LIST@6..23
              L_PAREN@6..7 "("
              PARAM@7..13
                NAME@7..8
                  IDENT@7..8 "a"
                COLON@8..9 ":"
                WHITESPACE@9..10 " "
                PATH_TYPE@10..13
                  PATH@10..13
                    NAME_REF@10..13
                      IDENT@10..13 "i32"
              COMMA@13..14 ","
              WHITESPACE@14..15 " "
              PARAM@15..22
                NAME@15..16
                  IDENT@15..16 "b"
                BANG@16..17 "!"
                COLON@17..18 ":"
                WHITESPACE@18..19 " "
                PATH_TYPE@19..22
                  PATH@19..22
                    NAME_REF@19..22
                      IDENT@19..22 "i32"
              R_PAREN@22..23 ")"
            RET_TYPE@23..28
              COLON@23..24 ":"
              WHITESPACE@24..25 " "
              PATH_TYPE@25..28
                PATH@25..28
                  NAME_REF@25..28
                    IDENT@25..28 "i32"
            WHITESPACE@28..29 " "
            BLOCK_EXPR@29..45
              L_BRACE@29..30 "{"
              WHITESPACE@30..31 " "
              RETURN_EXPR@31..43
                RETURN_KW@31..37 "return"
                WHITESPACE@37..38 " "
                BIN_EXPR@38..43
                  PATH_EXPR@38..39
                    NAME_REF@38..39
                      IDENT@38..39 "a"
                  WHITESPACE@39..40 " "
                  PLUS@40..41 "+"
                  WHITESPACE@41..42 " "
                  PATH_EXPR@42..43
                    NAME_REF@42..43
                      IDENT@42..43 "b"
              WHITESPACE@43..44 " "
              R_BRACE@44..45 "}"
    "#]],
    );
}

#[test]
fn ok_fn_without_return_type_or_body() {
    check(
        "extern \"C\" fn host_log(code: i64)\nextern \"C\" { fn abs(x: i32): i32  fn labs(x: i64): i64 }",
        expect![[r#"
        SOURCE_FILE@0..90
          FN@0..33
            ABI@0..10
              EXTERN_KW@0..6 "extern"
              WHITESPACE@6..7 " "
              STRING@7..10 "\"C\""
            WHITESPACE@10..11 " "
            FN_KW@11..13 "fn"
            WHITESPACE@13..14 " "
            NAME@14..22
              IDENT@14..22 "host_log"
            PARAM_LIST@22..33
              L_PAREN@22..23 "("
              PARAM@23..32
                NAME@23..27
                  IDENT@23..27 "code"
                COLON@27..28 ":"
                WHITESPACE@28..29 " "
                PATH_TYPE@29..32
                  PATH@29..32
                    NAME_REF@29..32
                      IDENT@29..32 "i64"
              R_PAREN@32..33 ")"
          NEWLINE@33..34 "\n"
          EXTERN_BLOCK@34..90
            ABI@34..44
              EXTERN_KW@34..40 "extern"
              WHITESPACE@40..41 " "
              STRING@41..44 "\"C\""
            WHITESPACE@44..45 " "
            ITEM_LIST@45..90
              L_BRACE@45..46 "{"
              WHITESPACE@46..47 " "
              FN@47..66
                FN_KW@47..49 "fn"
                WHITESPACE@49..50 " "
                NAME@50..53
                  IDENT@50..53 "abs"
                PARAM_LIST@53..61
                  L_PAREN@53..54 "("
                  PARAM@54..60
                    NAME@54..55
                      IDENT@54..55 "x"
                    COLON@55..56 ":"
                    WHITESPACE@56..57 " "
                    PATH_TYPE@57..60
                      PATH@57..60
                        NAME_REF@57..60
                          IDENT@57..60 "i32"
                  R_PAREN@60..61 ")"
                RET_TYPE@61..66
                  COLON@61..62 ":"
                  WHITESPACE@62..63 " "
                  PATH_TYPE@63..66
                    PATH@63..66
                      NAME_REF@63..66
                        IDENT@63..66 "i32"
              WHITESPACE@66..68 "  "
              FN@68..88
                FN_KW@68..70 "fn"
                WHITESPACE@70..71 " "
                NAME@71..75
                  IDENT@71..75 "labs"
                PARAM_LIST@75..83
                  L_PAREN@75..76 "("
                  PARAM@76..82
                    NAME@76..77
                      IDENT@76..77 "x"
                    COLON@77..78 ":"
                    WHITESPACE@78..79 " "
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
              R_BRACE@89..90 "}"
    "#]],
    );
}

#[test]
fn ok_async_fn_with_await() {
    check(
        "async fn fetch(id: i32): i32 { await async_sleep(10); id * 2 }",
        expect![[r#"
        SOURCE_FILE@0..62
          FN@0..62
            ASYNC_KW@0..5 "async"
            WHITESPACE@5..6 " "
            FN_KW@6..8 "fn"
            WHITESPACE@8..9 " "
            NAME@9..14
              IDENT@9..14 "fetch"
            PARAM_LIST@14..23
              L_PAREN@14..15 "("
              PARAM@15..22
                NAME@15..17
                  IDENT@15..17 "id"
                COLON@17..18 ":"
                WHITESPACE@18..19 " "
                PATH_TYPE@19..22
                  PATH@19..22
                    NAME_REF@19..22
                      IDENT@19..22 "i32"
              R_PAREN@22..23 ")"
            RET_TYPE@23..28
              COLON@23..24 ":"
              WHITESPACE@24..25 " "
              PATH_TYPE@25..28
                PATH@25..28
                  NAME_REF@25..28
                    IDENT@25..28 "i32"
            WHITESPACE@28..29 " "
            BLOCK_EXPR@29..62
              L_BRACE@29..30 "{"
              WHITESPACE@30..31 " "
              EXPR_STMT@31..53
                AWAIT_EXPR@31..52
                  AWAIT_KW@31..36 "await"
                  WHITESPACE@36..37 " "
                  CALL_EXPR@37..52
                    PATH_EXPR@37..48
                      NAME_REF@37..48
                        IDENT@37..48 "async_sleep"
                    ARG_LIST@48..52
                      L_PAREN@48..49 "("
                      LITERAL@49..51
                        INT_NUMBER@49..51 "10"
                      R_PAREN@51..52 ")"
                SEMICOLON@52..53 ";"
              WHITESPACE@53..54 " "
              BIN_EXPR@54..60
                PATH_EXPR@54..56
                  NAME_REF@54..56
                    IDENT@54..56 "id"
                WHITESPACE@56..57 " "
                STAR@57..58 "*"
                WHITESPACE@58..59 " "
                LITERAL@59..60
                  INT_NUMBER@59..60 "2"
              WHITESPACE@60..61 " "
              R_BRACE@61..62 "}"
    "#]],
    );
}

#[test]
fn ok_associated_fn_and_method() {
    check(
        "fn Point.new(x: f64, y: f64): Point { Point { x, y } }\nfn (self: Point) norm2(): f64 { self.x * self.x }",
        expect![[r#"
        SOURCE_FILE@0..104
          FN@0..54
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            FN_OWNER@3..9
              NAME_REF@3..8
                IDENT@3..8 "Point"
              DOT@8..9 "."
            NAME@9..12
              IDENT@9..12 "new"
            PARAM_LIST@12..28
              L_PAREN@12..13 "("
              PARAM@13..19
                NAME@13..14
                  IDENT@13..14 "x"
                COLON@14..15 ":"
                WHITESPACE@15..16 " "
                PATH_TYPE@16..19
                  PATH@16..19
                    NAME_REF@16..19
                      IDENT@16..19 "f64"
              COMMA@19..20 ","
              WHITESPACE@20..21 " "
              PARAM@21..27
                NAME@21..22
                  IDENT@21..22 "y"
                COLON@22..23 ":"
                WHITESPACE@23..24 " "
                PATH_TYPE@24..27
                  PATH@24..27
                    NAME_REF@24..27
                      IDENT@24..27 "f64"
              R_PAREN@27..28 ")"
            RET_TYPE@28..35
              COLON@28..29 ":"
              WHITESPACE@29..30 " "
              PATH_TYPE@30..35
                PATH@30..35
                  NAME_REF@30..35
                    IDENT@30..35 "Point"
            WHITESPACE@35..36 " "
            BLOCK_EXPR@36..54
              L_BRACE@36..37 "{"
              WHITESPACE@37..38 " "
              RECORD_EXPR@38..52
                NAME_REF@38..43
                  IDENT@38..43 "Point"
                WHITESPACE@43..44 " "
                RECORD_EXPR_FIELD_LIST@44..52
                  L_BRACE@44..45 "{"
                  WHITESPACE@45..46 " "
                  RECORD_EXPR_FIELD@46..47
                    NAME_REF@46..47
                      IDENT@46..47 "x"
                  COMMA@47..48 ","
                  WHITESPACE@48..49 " "
                  RECORD_EXPR_FIELD@49..50
                    NAME_REF@49..50
                      IDENT@49..50 "y"
                  WHITESPACE@50..51 " "
                  R_BRACE@51..52 "}"
              WHITESPACE@52..53 " "
              R_BRACE@53..54 "}"
          NEWLINE@54..55 "\n"
          FN@55..104
            FN_KW@55..57 "fn"
            WHITESPACE@57..58 " "
            RECEIVER@58..71
              L_PAREN@58..59 "("
              PARAM@59..70
                NAME@59..63
                  IDENT@59..63 "self"
                COLON@63..64 ":"
                WHITESPACE@64..65 " "
                PATH_TYPE@65..70
                  PATH@65..70
                    NAME_REF@65..70
                      IDENT@65..70 "Point"
              R_PAREN@70..71 ")"
            WHITESPACE@71..72 " "
            NAME@72..77
              IDENT@72..77 "norm2"
            PARAM_LIST@77..79
              L_PAREN@77..78 "("
              R_PAREN@78..79 ")"
            RET_TYPE@79..84
              COLON@79..80 ":"
              WHITESPACE@80..81 " "
              PATH_TYPE@81..84
                PATH@81..84
                  NAME_REF@81..84
                    IDENT@81..84 "f64"
            WHITESPACE@84..85 " "
            BLOCK_EXPR@85..104
              L_BRACE@85..86 "{"
              WHITESPACE@86..87 " "
              BIN_EXPR@87..102
                FIELD_EXPR@87..93
                  PATH_EXPR@87..91
                    NAME_REF@87..91
                      IDENT@87..91 "self"
                  DOT@91..92 "."
                  NAME_REF@92..93
                    IDENT@92..93 "x"
                WHITESPACE@93..94 " "
                STAR@94..95 "*"
                WHITESPACE@95..96 " "
                FIELD_EXPR@96..102
                  PATH_EXPR@96..100
                    NAME_REF@96..100
                      IDENT@96..100 "self"
                  DOT@100..101 "."
                  NAME_REF@101..102
                    IDENT@101..102 "x"
              WHITESPACE@102..103 " "
              R_BRACE@103..104 "}"
    "#]],
    );
}

#[test]
fn ok_struct_enum_const() {
    check(
        "struct Point { x: f64, y: f64 }\nenum Shape { Circle(f64), Rect(f64, f64), Empty }\nconst LIMIT: i64 = 1_000",
        expect![[r#"
        SOURCE_FILE@0..106
          STRUCT@0..31
            STRUCT_KW@0..6 "struct"
            WHITESPACE@6..7 " "
            NAME@7..12
              IDENT@7..12 "Point"
            WHITESPACE@12..13 " "
            RECORD_FIELD_LIST@13..31
              L_BRACE@13..14 "{"
              WHITESPACE@14..15 " "
              RECORD_FIELD@15..21
                NAME@15..16
                  IDENT@15..16 "x"
                COLON@16..17 ":"
                WHITESPACE@17..18 " "
                PATH_TYPE@18..21
                  PATH@18..21
                    NAME_REF@18..21
                      IDENT@18..21 "f64"
              COMMA@21..22 ","
              WHITESPACE@22..23 " "
              RECORD_FIELD@23..29
                NAME@23..24
                  IDENT@23..24 "y"
                COLON@24..25 ":"
                WHITESPACE@25..26 " "
                PATH_TYPE@26..29
                  PATH@26..29
                    NAME_REF@26..29
                      IDENT@26..29 "f64"
              WHITESPACE@29..30 " "
              R_BRACE@30..31 "}"
          NEWLINE@31..32 "\n"
          ENUM@32..81
            ENUM_KW@32..36 "enum"
            WHITESPACE@36..37 " "
            NAME@37..42
              IDENT@37..42 "Shape"
            WHITESPACE@42..43 " "
            VARIANT_LIST@43..81
              L_BRACE@43..44 "{"
              WHITESPACE@44..45 " "
              VARIANT@45..56
                NAME@45..51
                  IDENT@45..51 "Circle"
                TUPLE_FIELD_LIST@51..56
                  L_PAREN@51..52 "("
                  PATH_TYPE@52..55
                    PATH@52..55
                      NAME_REF@52..55
                        IDENT@52..55 "f64"
                  R_PAREN@55..56 ")"
              COMMA@56..57 ","
              WHITESPACE@57..58 " "
              VARIANT@58..72
                NAME@58..62
                  IDENT@58..62 "Rect"
                TUPLE_FIELD_LIST@62..72
                  L_PAREN@62..63 "("
                  PATH_TYPE@63..66
                    PATH@63..66
                      NAME_REF@63..66
                        IDENT@63..66 "f64"
                  COMMA@66..67 ","
                  WHITESPACE@67..68 " "
                  PATH_TYPE@68..71
                    PATH@68..71
                      NAME_REF@68..71
                        IDENT@68..71 "f64"
                  R_PAREN@71..72 ")"
              COMMA@72..73 ","
              WHITESPACE@73..74 " "
              VARIANT@74..79
                NAME@74..79
                  IDENT@74..79 "Empty"
              WHITESPACE@79..80 " "
              R_BRACE@80..81 "}"
          NEWLINE@81..82 "\n"
          CONST@82..106
            CONST_KW@82..87 "const"
            WHITESPACE@87..88 " "
            NAME@88..93
              IDENT@88..93 "LIMIT"
            COLON@93..94 ":"
            WHITESPACE@94..95 " "
            PATH_TYPE@95..98
              PATH@95..98
                NAME_REF@95..98
                  IDENT@95..98 "i64"
            WHITESPACE@98..99 " "
            EQ@99..100 "="
            WHITESPACE@100..101 " "
            LITERAL@101..106
              INT_NUMBER@101..106 "1_000"
    "#]],
    );
}

#[test]
fn ok_multi_line_struct_and_enum() {
    check(
        "struct P {\n    x: f64\n    y: f64,\n}\nenum E {\n    A\n    B(i32),\n}",
        expect![[r#"
        SOURCE_FILE@0..64
          STRUCT@0..35
            STRUCT_KW@0..6 "struct"
            WHITESPACE@6..7 " "
            NAME@7..8
              IDENT@7..8 "P"
            WHITESPACE@8..9 " "
            RECORD_FIELD_LIST@9..35
              L_BRACE@9..10 "{"
              NEWLINE@10..15 "\n    "
              RECORD_FIELD@15..21
                NAME@15..16
                  IDENT@15..16 "x"
                COLON@16..17 ":"
                WHITESPACE@17..18 " "
                PATH_TYPE@18..21
                  PATH@18..21
                    NAME_REF@18..21
                      IDENT@18..21 "f64"
              NEWLINE@21..26 "\n    "
              RECORD_FIELD@26..32
                NAME@26..27
                  IDENT@26..27 "y"
                COLON@27..28 ":"
                WHITESPACE@28..29 " "
                PATH_TYPE@29..32
                  PATH@29..32
                    NAME_REF@29..32
                      IDENT@29..32 "f64"
              COMMA@32..33 ","
              NEWLINE@33..34 "\n"
              R_BRACE@34..35 "}"
          NEWLINE@35..36 "\n"
          ENUM@36..64
            ENUM_KW@36..40 "enum"
            WHITESPACE@40..41 " "
            NAME@41..42
              IDENT@41..42 "E"
            WHITESPACE@42..43 " "
            VARIANT_LIST@43..64
              L_BRACE@43..44 "{"
              NEWLINE@44..49 "\n    "
              VARIANT@49..50
                NAME@49..50
                  IDENT@49..50 "A"
              NEWLINE@50..55 "\n    "
              VARIANT@55..61
                NAME@55..56
                  IDENT@55..56 "B"
                TUPLE_FIELD_LIST@56..61
                  L_PAREN@56..57 "("
                  PATH_TYPE@57..60
                    PATH@57..60
                      NAME_REF@57..60
                        IDENT@57..60 "i32"
                  R_PAREN@60..61 ")"
              COMMA@61..62 ","
              NEWLINE@62..63 "\n"
              R_BRACE@63..64 "}"
    "#]],
    );
}

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
fn ok_if_elif_else() {
    check(
        "fn f() {\n    if a { 1 } elif b { 2 } else if c { 3 }\n    else { 4 }\n}",
        expect![[r#"
        SOURCE_FILE@0..69
          FN@0..69
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..69
              L_BRACE@7..8 "{"
              NEWLINE@8..13 "\n    "
              IF_EXPR@13..67
                IF_KW@13..15 "if"
                WHITESPACE@15..16 " "
                PATH_EXPR@16..17
                  NAME_REF@16..17
                    IDENT@16..17 "a"
                WHITESPACE@17..18 " "
                BLOCK_EXPR@18..23
                  L_BRACE@18..19 "{"
                  WHITESPACE@19..20 " "
                  LITERAL@20..21
                    INT_NUMBER@20..21 "1"
                  WHITESPACE@21..22 " "
                  R_BRACE@22..23 "}"
                WHITESPACE@23..24 " "
                ELIF_BRANCH@24..36
                  ELIF_KW@24..28 "elif"
                  WHITESPACE@28..29 " "
                  PATH_EXPR@29..30
                    NAME_REF@29..30
                      IDENT@29..30 "b"
                  WHITESPACE@30..31 " "
                  BLOCK_EXPR@31..36
                    L_BRACE@31..32 "{"
                    WHITESPACE@32..33 " "
                    LITERAL@33..34
                      INT_NUMBER@33..34 "2"
                    WHITESPACE@34..35 " "
                    R_BRACE@35..36 "}"
                WHITESPACE@36..37 " "
                ELIF_BRANCH@37..52
                  ELSE_KW@37..41 "else"
                  WHITESPACE@41..42 " "
                  IF_KW@42..44 "if"
                  WHITESPACE@44..45 " "
                  PATH_EXPR@45..46
                    NAME_REF@45..46
                      IDENT@45..46 "c"
                  WHITESPACE@46..47 " "
                  BLOCK_EXPR@47..52
                    L_BRACE@47..48 "{"
                    WHITESPACE@48..49 " "
                    LITERAL@49..50
                      INT_NUMBER@49..50 "3"
                    WHITESPACE@50..51 " "
                    R_BRACE@51..52 "}"
                NEWLINE@52..57 "\n    "
                ELSE_BRANCH@57..67
                  ELSE_KW@57..61 "else"
                  WHITESPACE@61..62 " "
                  BLOCK_EXPR@62..67
                    L_BRACE@62..63 "{"
                    WHITESPACE@63..64 " "
                    LITERAL@64..65
                      INT_NUMBER@64..65 "4"
                    WHITESPACE@65..66 " "
                    R_BRACE@66..67 "}"
              NEWLINE@67..68 "\n"
              R_BRACE@68..69 "}"
    "#]],
    );
}

#[test]
fn ok_loops_and_labels() {
    check(
        "fn f() {\n    'outer: loop { break 'outer 5 }\n    while x < 10 { continue }\n    for i in 0..n { }\n    for i in a..=b { }\n    for x in arr { }\n}",
        expect![[r#"
        SOURCE_FILE@0..142
          FN@0..142
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..142
              L_BRACE@7..8 "{"
              NEWLINE@8..13 "\n    "
              EXPR_STMT@13..44
                LOOP_EXPR@13..44
                  LABEL@13..20
                    LABEL_IDENT@13..19 "'outer"
                    COLON@19..20 ":"
                  WHITESPACE@20..21 " "
                  LOOP_KW@21..25 "loop"
                  WHITESPACE@25..26 " "
                  BLOCK_EXPR@26..44
                    L_BRACE@26..27 "{"
                    WHITESPACE@27..28 " "
                    BREAK_EXPR@28..42
                      BREAK_KW@28..33 "break"
                      WHITESPACE@33..34 " "
                      LABEL_IDENT@34..40 "'outer"
                      WHITESPACE@40..41 " "
                      LITERAL@41..42
                        INT_NUMBER@41..42 "5"
                    WHITESPACE@42..43 " "
                    R_BRACE@43..44 "}"
              NEWLINE@44..49 "\n    "
              EXPR_STMT@49..74
                WHILE_EXPR@49..74
                  WHILE_KW@49..54 "while"
                  WHITESPACE@54..55 " "
                  BIN_EXPR@55..61
                    PATH_EXPR@55..56
                      NAME_REF@55..56
                        IDENT@55..56 "x"
                    WHITESPACE@56..57 " "
                    L_ANGLE@57..58 "<"
                    WHITESPACE@58..59 " "
                    LITERAL@59..61
                      INT_NUMBER@59..61 "10"
                  WHITESPACE@61..62 " "
                  BLOCK_EXPR@62..74
                    L_BRACE@62..63 "{"
                    WHITESPACE@63..64 " "
                    CONTINUE_EXPR@64..72
                      CONTINUE_KW@64..72 "continue"
                    WHITESPACE@72..73 " "
                    R_BRACE@73..74 "}"
              NEWLINE@74..79 "\n    "
              EXPR_STMT@79..96
                FOR_EXPR@79..96
                  FOR_KW@79..82 "for"
                  WHITESPACE@82..83 " "
                  IDENT_PAT@83..84
                    NAME@83..84
                      IDENT@83..84 "i"
                  WHITESPACE@84..85 " "
                  IN_KW@85..87 "in"
                  WHITESPACE@87..88 " "
                  RANGE_EXPR@88..92
                    LITERAL@88..89
                      INT_NUMBER@88..89 "0"
                    DOT2@89..91 ".."
                    PATH_EXPR@91..92
                      NAME_REF@91..92
                        IDENT@91..92 "n"
                  WHITESPACE@92..93 " "
                  BLOCK_EXPR@93..96
                    L_BRACE@93..94 "{"
                    WHITESPACE@94..95 " "
                    R_BRACE@95..96 "}"
              NEWLINE@96..101 "\n    "
              EXPR_STMT@101..119
                FOR_EXPR@101..119
                  FOR_KW@101..104 "for"
                  WHITESPACE@104..105 " "
                  IDENT_PAT@105..106
                    NAME@105..106
                      IDENT@105..106 "i"
                  WHITESPACE@106..107 " "
                  IN_KW@107..109 "in"
                  WHITESPACE@109..110 " "
                  RANGE_EXPR@110..115
                    PATH_EXPR@110..111
                      NAME_REF@110..111
                        IDENT@110..111 "a"
                    DOT2EQ@111..114 "..="
                    PATH_EXPR@114..115
                      NAME_REF@114..115
                        IDENT@114..115 "b"
                  WHITESPACE@115..116 " "
                  BLOCK_EXPR@116..119
                    L_BRACE@116..117 "{"
                    WHITESPACE@117..118 " "
                    R_BRACE@118..119 "}"
              NEWLINE@119..124 "\n    "
              FOR_EXPR@124..140
                FOR_KW@124..127 "for"
                WHITESPACE@127..128 " "
                IDENT_PAT@128..129
                  NAME@128..129
                    IDENT@128..129 "x"
                WHITESPACE@129..130 " "
                IN_KW@130..132 "in"
                WHITESPACE@132..133 " "
                PATH_EXPR@133..136
                  NAME_REF@133..136
                    IDENT@133..136 "arr"
                WHITESPACE@136..137 " "
                BLOCK_EXPR@137..140
                  L_BRACE@137..138 "{"
                  WHITESPACE@138..139 " "
                  R_BRACE@139..140 "}"
              NEWLINE@140..141 "\n"
              R_BRACE@141..142 "}"
    "#]],
    );
}

#[test]
fn ok_match_arms() {
    check(
        "fn f() {\n    match s {\n        0 => a,\n        1 | 2 => { b }\n        n if n < 0 => c\n        -1 => d\n        \"s\" => e,\n        Shape.Rect(w, h) => w * h,\n        Shape.Empty => 0\n        _ => 0,\n    }\n}",
        expect![[r#"
        SOURCE_FILE@0..203
          FN@0..203
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..203
              L_BRACE@7..8 "{"
              NEWLINE@8..13 "\n    "
              MATCH_EXPR@13..201
                MATCH_KW@13..18 "match"
                WHITESPACE@18..19 " "
                PATH_EXPR@19..20
                  NAME_REF@19..20
                    IDENT@19..20 "s"
                WHITESPACE@20..21 " "
                MATCH_ARM_LIST@21..201
                  L_BRACE@21..22 "{"
                  NEWLINE@22..31 "\n        "
                  MATCH_ARM@31..37
                    LITERAL_PAT@31..32
                      LITERAL@31..32
                        INT_NUMBER@31..32 "0"
                    WHITESPACE@32..33 " "
                    FAT_ARROW@33..35 "=>"
                    WHITESPACE@35..36 " "
                    PATH_EXPR@36..37
                      NAME_REF@36..37
                        IDENT@36..37 "a"
                  COMMA@37..38 ","
                  NEWLINE@38..47 "\n        "
                  MATCH_ARM@47..61
                    OR_PAT@47..52
                      LITERAL_PAT@47..48
                        LITERAL@47..48
                          INT_NUMBER@47..48 "1"
                      WHITESPACE@48..49 " "
                      PIPE@49..50 "|"
                      WHITESPACE@50..51 " "
                      LITERAL_PAT@51..52
                        LITERAL@51..52
                          INT_NUMBER@51..52 "2"
                    WHITESPACE@52..53 " "
                    FAT_ARROW@53..55 "=>"
                    WHITESPACE@55..56 " "
                    BLOCK_EXPR@56..61
                      L_BRACE@56..57 "{"
                      WHITESPACE@57..58 " "
                      PATH_EXPR@58..59
                        NAME_REF@58..59
                          IDENT@58..59 "b"
                      WHITESPACE@59..60 " "
                      R_BRACE@60..61 "}"
                  NEWLINE@61..70 "\n        "
                  MATCH_ARM@70..85
                    IDENT_PAT@70..71
                      NAME@70..71
                        IDENT@70..71 "n"
                    WHITESPACE@71..72 " "
                    MATCH_GUARD@72..80
                      IF_KW@72..74 "if"
                      WHITESPACE@74..75 " "
                      BIN_EXPR@75..80
                        PATH_EXPR@75..76
                          NAME_REF@75..76
                            IDENT@75..76 "n"
                        WHITESPACE@76..77 " "
                        L_ANGLE@77..78 "<"
                        WHITESPACE@78..79 " "
                        LITERAL@79..80
                          INT_NUMBER@79..80 "0"
                    WHITESPACE@80..81 " "
                    FAT_ARROW@81..83 "=>"
                    WHITESPACE@83..84 " "
                    PATH_EXPR@84..85
                      NAME_REF@84..85
                        IDENT@84..85 "c"
                  NEWLINE@85..94 "\n        "
                  MATCH_ARM@94..101
                    LITERAL_PAT@94..96
                      MINUS@94..95 "-"
                      LITERAL@95..96
                        INT_NUMBER@95..96 "1"
                    WHITESPACE@96..97 " "
                    FAT_ARROW@97..99 "=>"
                    WHITESPACE@99..100 " "
                    PATH_EXPR@100..101
                      NAME_REF@100..101
                        IDENT@100..101 "d"
                  NEWLINE@101..110 "\n        "
                  MATCH_ARM@110..118
                    LITERAL_PAT@110..113
                      LITERAL@110..113
                        STRING@110..113 "\"s\""
                    WHITESPACE@113..114 " "
                    FAT_ARROW@114..116 "=>"
                    WHITESPACE@116..117 " "
                    PATH_EXPR@117..118
                      NAME_REF@117..118
                        IDENT@117..118 "e"
                  COMMA@118..119 ","
                  NEWLINE@119..128 "\n        "
                  MATCH_ARM@128..153
                    TUPLE_STRUCT_PAT@128..144
                      PATH@128..138
                        NAME_REF@128..133
                          IDENT@128..133 "Shape"
                        DOT@133..134 "."
                        NAME_REF@134..138
                          IDENT@134..138 "Rect"
                      L_PAREN@138..139 "("
                      IDENT_PAT@139..140
                        NAME@139..140
                          IDENT@139..140 "w"
                      COMMA@140..141 ","
                      WHITESPACE@141..142 " "
                      IDENT_PAT@142..143
                        NAME@142..143
                          IDENT@142..143 "h"
                      R_PAREN@143..144 ")"
                    WHITESPACE@144..145 " "
                    FAT_ARROW@145..147 "=>"
                    WHITESPACE@147..148 " "
                    BIN_EXPR@148..153
                      PATH_EXPR@148..149
                        NAME_REF@148..149
                          IDENT@148..149 "w"
                      WHITESPACE@149..150 " "
                      STAR@150..151 "*"
                      WHITESPACE@151..152 " "
                      PATH_EXPR@152..153
                        NAME_REF@152..153
                          IDENT@152..153 "h"
                  COMMA@153..154 ","
                  NEWLINE@154..163 "\n        "
                  MATCH_ARM@163..179
                    PATH_PAT@163..174
                      PATH@163..174
                        NAME_REF@163..168
                          IDENT@163..168 "Shape"
                        DOT@168..169 "."
                        NAME_REF@169..174
                          IDENT@169..174 "Empty"
                    WHITESPACE@174..175 " "
                    FAT_ARROW@175..177 "=>"
                    WHITESPACE@177..178 " "
                    LITERAL@178..179
                      INT_NUMBER@178..179 "0"
                  NEWLINE@179..188 "\n        "
                  MATCH_ARM@188..194
                    WILDCARD_PAT@188..189
                      UNDERSCORE@188..189 "_"
                    WHITESPACE@189..190 " "
                    FAT_ARROW@190..192 "=>"
                    WHITESPACE@192..193 " "
                    LITERAL@193..194
                      INT_NUMBER@193..194 "0"
                  COMMA@194..195 ","
                  NEWLINE@195..200 "\n    "
                  R_BRACE@200..201 "}"
              NEWLINE@201..202 "\n"
              R_BRACE@202..203 "}"
    "#]],
    );
}

#[test]
fn ok_parenthesised_struct_literal_in_condition() {
    check(
        "fn f() { if p == (Point { x, y }) { } }",
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
              IF_EXPR@9..37
                IF_KW@9..11 "if"
                WHITESPACE@11..12 " "
                BIN_EXPR@12..33
                  PATH_EXPR@12..13
                    NAME_REF@12..13
                      IDENT@12..13 "p"
                  WHITESPACE@13..14 " "
                  EQ2@14..16 "=="
                  WHITESPACE@16..17 " "
                  PAREN_EXPR@17..33
                    L_PAREN@17..18 "("
                    RECORD_EXPR@18..32
                      NAME_REF@18..23
                        IDENT@18..23 "Point"
                      WHITESPACE@23..24 " "
                      RECORD_EXPR_FIELD_LIST@24..32
                        L_BRACE@24..25 "{"
                        WHITESPACE@25..26 " "
                        RECORD_EXPR_FIELD@26..27
                          NAME_REF@26..27
                            IDENT@26..27 "x"
                        COMMA@27..28 ","
                        WHITESPACE@28..29 " "
                        RECORD_EXPR_FIELD@29..30
                          NAME_REF@29..30
                            IDENT@29..30 "y"
                        WHITESPACE@30..31 " "
                        R_BRACE@31..32 "}"
                    R_PAREN@32..33 ")"
                WHITESPACE@33..34 " "
                BLOCK_EXPR@34..37
                  L_BRACE@34..35 "{"
                  WHITESPACE@35..36 " "
                  R_BRACE@36..37 "}"
              WHITESPACE@37..38 " "
              R_BRACE@38..39 "}"
    "#]],
    );
}

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
fn ok_not_core_forms() {
    check(
        "fn f<T>(x: &T, p: *i32, c: Channel<T>) {\n    let t = c ? a : b\n    let g = |x, y: i32| x + y\n    let h = || 1\n    let r = &x\n    let v = <-ch\n    unsafe { 1 }\n    if let Some(v) = o { }\n    let Point { x, y: z } = p\n}",
        expect![[r#"
        SOURCE_FILE@0..217
          FN@0..217
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            GENERIC_PARAM_LIST@4..7
              L_ANGLE@4..5 "<"
              GENERIC_PARAM@5..6
                NAME@5..6
                  IDENT@5..6 "T"
              R_ANGLE@6..7 ">"
            PARAM_LIST@7..38
              L_PAREN@7..8 "("
              PARAM@8..13
                NAME@8..9
                  IDENT@8..9 "x"
                COLON@9..10 ":"
                WHITESPACE@10..11 " "
                REF_TYPE@11..13
                  AMP@11..12 "&"
                  PATH_TYPE@12..13
                    PATH@12..13
                      NAME_REF@12..13
                        IDENT@12..13 "T"
              COMMA@13..14 ","
              WHITESPACE@14..15 " "
              PARAM@15..22
                NAME@15..16
                  IDENT@15..16 "p"
                COLON@16..17 ":"
                WHITESPACE@17..18 " "
                PTR_TYPE@18..22
                  STAR@18..19 "*"
                  PATH_TYPE@19..22
                    PATH@19..22
                      NAME_REF@19..22
                        IDENT@19..22 "i32"
              COMMA@22..23 ","
              WHITESPACE@23..24 " "
              PARAM@24..37
                NAME@24..25
                  IDENT@24..25 "c"
                COLON@25..26 ":"
                WHITESPACE@26..27 " "
                PATH_TYPE@27..37
                  PATH@27..34
                    NAME_REF@27..34
                      IDENT@27..34 "Channel"
                  GENERIC_ARG_LIST@34..37
                    L_ANGLE@34..35 "<"
                    PATH_TYPE@35..36
                      PATH@35..36
                        NAME_REF@35..36
                          IDENT@35..36 "T"
                    R_ANGLE@36..37 ">"
              R_PAREN@37..38 ")"
            WHITESPACE@38..39 " "
            BLOCK_EXPR@39..217
              L_BRACE@39..40 "{"
              NEWLINE@40..45 "\n    "
              LET_STMT@45..62
                LET_KW@45..48 "let"
                WHITESPACE@48..49 " "
                IDENT_PAT@49..50
                  NAME@49..50
                    IDENT@49..50 "t"
                WHITESPACE@50..51 " "
                EQ@51..52 "="
                WHITESPACE@52..53 " "
                TERNARY_EXPR@53..62
                  PATH_EXPR@53..54
                    NAME_REF@53..54
                      IDENT@53..54 "c"
                  WHITESPACE@54..55 " "
                  QUESTION@55..56 "?"
                  WHITESPACE@56..57 " "
                  PATH_EXPR@57..58
                    NAME_REF@57..58
                      IDENT@57..58 "a"
                  WHITESPACE@58..59 " "
                  COLON@59..60 ":"
                  WHITESPACE@60..61 " "
                  PATH_EXPR@61..62
                    NAME_REF@61..62
                      IDENT@61..62 "b"
              NEWLINE@62..67 "\n    "
              LET_STMT@67..92
                LET_KW@67..70 "let"
                WHITESPACE@70..71 " "
                IDENT_PAT@71..72
                  NAME@71..72
                    IDENT@71..72 "g"
                WHITESPACE@72..73 " "
                EQ@73..74 "="
                WHITESPACE@74..75 " "
                CLOSURE_EXPR@75..92
                  PARAM_LIST@75..86
                    PIPE@75..76 "|"
                    PARAM@76..77
                      NAME@76..77
                        IDENT@76..77 "x"
                    COMMA@77..78 ","
                    WHITESPACE@78..79 " "
                    PARAM@79..85
                      NAME@79..80
                        IDENT@79..80 "y"
                      COLON@80..81 ":"
                      WHITESPACE@81..82 " "
                      PATH_TYPE@82..85
                        PATH@82..85
                          NAME_REF@82..85
                            IDENT@82..85 "i32"
                    PIPE@85..86 "|"
                  WHITESPACE@86..87 " "
                  BIN_EXPR@87..92
                    PATH_EXPR@87..88
                      NAME_REF@87..88
                        IDENT@87..88 "x"
                    WHITESPACE@88..89 " "
                    PLUS@89..90 "+"
                    WHITESPACE@90..91 " "
                    PATH_EXPR@91..92
                      NAME_REF@91..92
                        IDENT@91..92 "y"
              NEWLINE@92..97 "\n    "
              LET_STMT@97..109
                LET_KW@97..100 "let"
                WHITESPACE@100..101 " "
                IDENT_PAT@101..102
                  NAME@101..102
                    IDENT@101..102 "h"
                WHITESPACE@102..103 " "
                EQ@103..104 "="
                WHITESPACE@104..105 " "
                CLOSURE_EXPR@105..109
                  PARAM_LIST@105..107
                    PIPE2@105..107 "||"
                  WHITESPACE@107..108 " "
                  LITERAL@108..109
                    INT_NUMBER@108..109 "1"
              NEWLINE@109..114 "\n    "
              LET_STMT@114..124
                LET_KW@114..117 "let"
                WHITESPACE@117..118 " "
                IDENT_PAT@118..119
                  NAME@118..119
                    IDENT@118..119 "r"
                WHITESPACE@119..120 " "
                EQ@120..121 "="
                WHITESPACE@121..122 " "
                PREFIX_EXPR@122..124
                  AMP@122..123 "&"
                  PATH_EXPR@123..124
                    NAME_REF@123..124
                      IDENT@123..124 "x"
              NEWLINE@124..129 "\n    "
              LET_STMT@129..141
                LET_KW@129..132 "let"
                WHITESPACE@132..133 " "
                IDENT_PAT@133..134
                  NAME@133..134
                    IDENT@133..134 "v"
                WHITESPACE@134..135 " "
                EQ@135..136 "="
                WHITESPACE@136..137 " "
                PREFIX_EXPR@137..141
                  LEFT_ARROW@137..139 "<-"
                  PATH_EXPR@139..141
                    NAME_REF@139..141
                      IDENT@139..141 "ch"
              NEWLINE@141..146 "\n    "
              EXPR_STMT@146..158
                UNSAFE_EXPR@146..158
                  IDENT@146..152 "unsafe"
                  WHITESPACE@152..153 " "
                  BLOCK_EXPR@153..158
                    L_BRACE@153..154 "{"
                    WHITESPACE@154..155 " "
                    LITERAL@155..156
                      INT_NUMBER@155..156 "1"
                    WHITESPACE@156..157 " "
                    R_BRACE@157..158 "}"
              NEWLINE@158..163 "\n    "
              EXPR_STMT@163..185
                IF_EXPR@163..185
                  IF_KW@163..165 "if"
                  WHITESPACE@165..166 " "
                  LET_EXPR@166..181
                    LET_KW@166..169 "let"
                    WHITESPACE@169..170 " "
                    TUPLE_STRUCT_PAT@170..177
                      PATH@170..174
                        NAME_REF@170..174
                          IDENT@170..174 "Some"
                      L_PAREN@174..175 "("
                      IDENT_PAT@175..176
                        NAME@175..176
                          IDENT@175..176 "v"
                      R_PAREN@176..177 ")"
                    WHITESPACE@177..178 " "
                    EQ@178..179 "="
                    WHITESPACE@179..180 " "
                    PATH_EXPR@180..181
                      NAME_REF@180..181
                        IDENT@180..181 "o"
                  WHITESPACE@181..182 " "
                  BLOCK_EXPR@182..185
                    L_BRACE@182..183 "{"
                    WHITESPACE@183..184 " "
                    R_BRACE@184..185 "}"
              NEWLINE@185..190 "\n    "
              LET_STMT@190..215
                LET_KW@190..193 "let"
                WHITESPACE@193..194 " "
                RECORD_PAT@194..211
                  PATH@194..199
                    NAME_REF@194..199
                      IDENT@194..199 "Point"
                  WHITESPACE@199..200 " "
                  RECORD_PAT_FIELD_LIST@200..211
                    L_BRACE@200..201 "{"
                    WHITESPACE@201..202 " "
                    RECORD_PAT_FIELD@202..203
                      NAME_REF@202..203
                        IDENT@202..203 "x"
                    COMMA@203..204 ","
                    WHITESPACE@204..205 " "
                    RECORD_PAT_FIELD@205..209
                      NAME_REF@205..206
                        IDENT@205..206 "y"
                      COLON@206..207 ":"
                      WHITESPACE@207..208 " "
                      IDENT_PAT@208..209
                        NAME@208..209
                          IDENT@208..209 "z"
                    WHITESPACE@209..210 " "
                    R_BRACE@210..211 "}"
                WHITESPACE@211..212 " "
                EQ@212..213 "="
                WHITESPACE@213..214 " "
                PATH_EXPR@214..215
                  NAME_REF@214..215
                    IDENT@214..215 "p"
              NEWLINE@215..216 "\n"
              R_BRACE@216..217 "}"
    "#]],
    );
}

#[test]
fn ok_impl_and_import() {
    check(
        "import std.io\nimport \"file.vx\"\nimpl<T> Foo { fn a() {} }",
        expect![[r#"
        SOURCE_FILE@0..56
          IMPORT@0..13
            IDENT@0..6 "import"
            WHITESPACE@6..7 " "
            PATH@7..13
              NAME_REF@7..10
                IDENT@7..10 "std"
              DOT@10..11 "."
              NAME_REF@11..13
                IDENT@11..13 "io"
          NEWLINE@13..14 "\n"
          IMPORT@14..30
            IDENT@14..20 "import"
            WHITESPACE@20..21 " "
            STRING@21..30 "\"file.vx\""
          NEWLINE@30..31 "\n"
          IMPL@31..56
            IDENT@31..35 "impl"
            GENERIC_PARAM_LIST@35..38
              L_ANGLE@35..36 "<"
              GENERIC_PARAM@36..37
                NAME@36..37
                  IDENT@36..37 "T"
              R_ANGLE@37..38 ">"
            WHITESPACE@38..39 " "
            PATH_TYPE@39..42
              PATH@39..42
                NAME_REF@39..42
                  IDENT@39..42 "Foo"
            WHITESPACE@42..43 " "
            ITEM_LIST@43..56
              L_BRACE@43..44 "{"
              WHITESPACE@44..45 " "
              FN@45..54
                FN_KW@45..47 "fn"
                WHITESPACE@47..48 " "
                NAME@48..49
                  IDENT@48..49 "a"
                PARAM_LIST@49..51
                  L_PAREN@49..50 "("
                  R_PAREN@50..51 ")"
                WHITESPACE@51..52 " "
                BLOCK_EXPR@52..54
                  L_BRACE@52..53 "{"
                  R_BRACE@53..54 "}"
              WHITESPACE@54..55 " "
              R_BRACE@55..56 "}"
    "#]],
    );
}

#[test]
fn ok_select_expr() {
    check(
        "fn f() {\n    select {\n        v = <-ch => 1,\n        after 10 => 2\n        default => 3\n    }\n}",
        expect![[r#"
        SOURCE_FILE@0..95
          FN@0..95
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..95
              L_BRACE@7..8 "{"
              NEWLINE@8..13 "\n    "
              SELECT_EXPR@13..93
                SELECT_KW@13..19 "select"
                WHITESPACE@19..20 " "
                SELECT_ARM_LIST@20..93
                  L_BRACE@20..21 "{"
                  NEWLINE@21..30 "\n        "
                  SELECT_ARM@30..43
                    BIN_EXPR@30..38
                      PATH_EXPR@30..31
                        NAME_REF@30..31
                          IDENT@30..31 "v"
                      WHITESPACE@31..32 " "
                      EQ@32..33 "="
                      WHITESPACE@33..34 " "
                      PREFIX_EXPR@34..38
                        LEFT_ARROW@34..36 "<-"
                        PATH_EXPR@36..38
                          NAME_REF@36..38
                            IDENT@36..38 "ch"
                    WHITESPACE@38..39 " "
                    FAT_ARROW@39..41 "=>"
                    WHITESPACE@41..42 " "
                    LITERAL@42..43
                      INT_NUMBER@42..43 "1"
                  COMMA@43..44 ","
                  NEWLINE@44..53 "\n        "
                  SELECT_ARM@53..66
                    IDENT@53..58 "after"
                    WHITESPACE@58..59 " "
                    LITERAL@59..61
                      INT_NUMBER@59..61 "10"
                    WHITESPACE@61..62 " "
                    FAT_ARROW@62..64 "=>"
                    WHITESPACE@64..65 " "
                    LITERAL@65..66
                      INT_NUMBER@65..66 "2"
                  NEWLINE@66..75 "\n        "
                  SELECT_ARM@75..87
                    IDENT@75..82 "default"
                    WHITESPACE@82..83 " "
                    FAT_ARROW@83..85 "=>"
                    WHITESPACE@85..86 " "
                    LITERAL@86..87
                      INT_NUMBER@86..87 "3"
                  NEWLINE@87..92 "\n    "
                  R_BRACE@92..93 "}"
              NEWLINE@93..94 "\n"
              R_BRACE@94..95 "}"
    "#]],
    );
}

#[test]
fn err_missing_param_type() {
    check(
        "fn f(a: , b: i32) {}\nfn g() {}",
        expect![[r#"
        SOURCE_FILE@0..30
          FN@0..20
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..17
              L_PAREN@4..5 "("
              PARAM@5..7
                NAME@5..6
                  IDENT@5..6 "a"
                COLON@6..7 ":"
              WHITESPACE@7..8 " "
              COMMA@8..9 ","
              WHITESPACE@9..10 " "
              PARAM@10..16
                NAME@10..11
                  IDENT@10..11 "b"
                COLON@11..12 ":"
                WHITESPACE@12..13 " "
                PATH_TYPE@13..16
                  PATH@13..16
                    NAME_REF@13..16
                      IDENT@13..16 "i32"
              R_PAREN@16..17 ")"
            WHITESPACE@17..18 " "
            BLOCK_EXPR@18..20
              L_BRACE@18..19 "{"
              R_BRACE@19..20 "}"
          NEWLINE@20..21 "\n"
          FN@21..30
            FN_KW@21..23 "fn"
            WHITESPACE@23..24 " "
            NAME@24..25
              IDENT@24..25 "g"
            PARAM_LIST@25..27
              L_PAREN@25..26 "("
              R_PAREN@26..27 ")"
            WHITESPACE@27..28 " "
            BLOCK_EXPR@28..30
              L_BRACE@28..29 "{"
              R_BRACE@29..30 "}"
        error 7..7: expected a type, found `,`
    "#]],
    );
}

#[test]
fn err_unclosed_param_list() {
    check(
        "fn f(a: i32 {}\nfn g() {}",
        expect![[r#"
        SOURCE_FILE@0..24
          FN@0..14
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..11
              L_PAREN@4..5 "("
              PARAM@5..11
                NAME@5..6
                  IDENT@5..6 "a"
                COLON@6..7 ":"
                WHITESPACE@7..8 " "
                PATH_TYPE@8..11
                  PATH@8..11
                    NAME_REF@8..11
                      IDENT@8..11 "i32"
            WHITESPACE@11..12 " "
            BLOCK_EXPR@12..14
              L_BRACE@12..13 "{"
              R_BRACE@13..14 "}"
          NEWLINE@14..15 "\n"
          FN@15..24
            FN_KW@15..17 "fn"
            WHITESPACE@17..18 " "
            NAME@18..19
              IDENT@18..19 "g"
            PARAM_LIST@19..21
              L_PAREN@19..20 "("
              R_PAREN@20..21 ")"
            WHITESPACE@21..22 " "
            BLOCK_EXPR@22..24
              L_BRACE@22..23 "{"
              R_BRACE@23..24 "}"
        error 11..11: expected `,` or `)`, found `{`
    "#]],
    );
}

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
fn err_struct_literal_in_condition() {
    check(
        "fn f() { if p == Point { x } { } }",
        expect![[r#"
        SOURCE_FILE@0..34
          FN@0..34
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..34
              L_BRACE@7..8 "{"
              WHITESPACE@8..9 " "
              EXPR_STMT@9..28
                IF_EXPR@9..28
                  IF_KW@9..11 "if"
                  WHITESPACE@11..12 " "
                  BIN_EXPR@12..22
                    PATH_EXPR@12..13
                      NAME_REF@12..13
                        IDENT@12..13 "p"
                    WHITESPACE@13..14 " "
                    EQ2@14..16 "=="
                    WHITESPACE@16..17 " "
                    PATH_EXPR@17..22
                      NAME_REF@17..22
                        IDENT@17..22 "Point"
                  WHITESPACE@22..23 " "
                  BLOCK_EXPR@23..28
                    L_BRACE@23..24 "{"
                    WHITESPACE@24..25 " "
                    PATH_EXPR@25..26
                      NAME_REF@25..26
                        IDENT@25..26 "x"
                    WHITESPACE@26..27 " "
                    R_BRACE@27..28 "}"
              WHITESPACE@28..29 " "
              BLOCK_EXPR@29..32
                L_BRACE@29..30 "{"
                WHITESPACE@30..31 " "
                R_BRACE@31..32 "}"
              WHITESPACE@32..33 " "
              R_BRACE@33..34 "}"
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
fn err_bad_match_arms() {
    check(
        "fn f() {\n    match x {\n        => 1\n        2 3 => 4\n        5 => \n    }\n}",
        expect![[r#"
        SOURCE_FILE@0..74
          FN@0..74
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..74
              L_BRACE@7..8 "{"
              NEWLINE@8..13 "\n    "
              MATCH_EXPR@13..72
                MATCH_KW@13..18 "match"
                WHITESPACE@18..19 " "
                PATH_EXPR@19..20
                  NAME_REF@19..20
                    IDENT@19..20 "x"
                WHITESPACE@20..21 " "
                MATCH_ARM_LIST@21..72
                  L_BRACE@21..22 "{"
                  NEWLINE@22..31 "\n        "
                  MATCH_ARM@31..35
                    FAT_ARROW@31..33 "=>"
                    WHITESPACE@33..34 " "
                    LITERAL@34..35
                      INT_NUMBER@34..35 "1"
                  NEWLINE@35..44 "\n        "
                  MATCH_ARM@44..45
                    LITERAL_PAT@44..45
                      LITERAL@44..45
                        INT_NUMBER@44..45 "2"
                  WHITESPACE@45..46 " "
                  MATCH_ARM@46..52
                    LITERAL_PAT@46..47
                      LITERAL@46..47
                        INT_NUMBER@46..47 "3"
                    WHITESPACE@47..48 " "
                    FAT_ARROW@48..50 "=>"
                    WHITESPACE@50..51 " "
                    LITERAL@51..52
                      INT_NUMBER@51..52 "4"
                  NEWLINE@52..61 "\n        "
                  MATCH_ARM@61..65
                    LITERAL_PAT@61..62
                      LITERAL@61..62
                        INT_NUMBER@61..62 "5"
                    WHITESPACE@62..63 " "
                    FAT_ARROW@63..65 "=>"
                  NEWLINE@65..71 " \n    "
                  R_BRACE@71..72 "}"
              NEWLINE@72..73 "\n"
              R_BRACE@73..74 "}"
        error 31..33: expected a match arm pattern
        error 45..45: expected `=>`, found `3`
        error 65..65: expected an expression, found `}`
    "#]],
    );
}

#[test]
fn err_label_without_loop() {
    check(
        "fn f() { 'a: x }",
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
              EXPR_STMT@9..14
                ERROR@9..12
                  LABEL@9..12
                    LABEL_IDENT@9..11 "'a"
                    COLON@11..12 ":"
                WHITESPACE@12..13 " "
                ERROR@13..14
                  IDENT@13..14 "x"
              WHITESPACE@14..15 " "
              R_BRACE@15..16 "}"
        error 12..12: expected `loop`, `while` or `for` after a label, found `x`
        error 13..14: expected `;` or a line break after the statement
    "#]],
    );
}

#[test]
fn err_missing_block_after_if() {
    check(
        "fn f() {\n    if x\n    y\n}",
        expect![[r#"
        SOURCE_FILE@0..25
          FN@0..25
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..25
              L_BRACE@7..8 "{"
              NEWLINE@8..13 "\n    "
              EXPR_STMT@13..17
                IF_EXPR@13..17
                  IF_KW@13..15 "if"
                  WHITESPACE@15..16 " "
                  PATH_EXPR@16..17
                    NAME_REF@16..17
                      IDENT@16..17 "x"
              NEWLINE@17..22 "\n    "
              PATH_EXPR@22..23
                NAME_REF@22..23
                  IDENT@22..23 "y"
              NEWLINE@23..24 "\n"
              R_BRACE@24..25 "}"
        error 17..17: expected `{`, found `y`
    "#]],
    );
}

#[test]
fn err_bad_items_in_extern_block() {
    check(
        "extern \"C\" { let x = 1  fn ok() }",
        expect![[r#"
        SOURCE_FILE@0..33
          EXTERN_BLOCK@0..33
            ABI@0..10
              EXTERN_KW@0..6 "extern"
              WHITESPACE@6..7 " "
              STRING@7..10 "\"C\""
            WHITESPACE@10..11 " "
            ITEM_LIST@11..33
              L_BRACE@11..12 "{"
              WHITESPACE@12..13 " "
              ERROR@13..22
                LET_KW@13..16 "let"
                WHITESPACE@16..17 " "
                IDENT@17..18 "x"
                WHITESPACE@18..19 " "
                EQ@19..20 "="
                WHITESPACE@20..21 " "
                INT_NUMBER@21..22 "1"
              WHITESPACE@22..24 "  "
              FN@24..31
                FN_KW@24..26 "fn"
                WHITESPACE@26..27 " "
                NAME@27..29
                  IDENT@27..29 "ok"
                PARAM_LIST@29..31
                  L_PAREN@29..30 "("
                  R_PAREN@30..31 ")"
              WHITESPACE@31..32 " "
              R_BRACE@32..33 "}"
        error 13..16: expected an item
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
fn err_const_and_enum() {
    check(
        "const X: i64\nenum E { A(, B C }\nstruct {}",
        expect![[r#"
        SOURCE_FILE@0..41
          CONST@0..12
            CONST_KW@0..5 "const"
            WHITESPACE@5..6 " "
            NAME@6..7
              IDENT@6..7 "X"
            COLON@7..8 ":"
            WHITESPACE@8..9 " "
            PATH_TYPE@9..12
              PATH@9..12
                NAME_REF@9..12
                  IDENT@9..12 "i64"
          NEWLINE@12..13 "\n"
          ENUM@13..31
            ENUM_KW@13..17 "enum"
            WHITESPACE@17..18 " "
            NAME@18..19
              IDENT@18..19 "E"
            WHITESPACE@19..20 " "
            VARIANT_LIST@20..31
              L_BRACE@20..21 "{"
              WHITESPACE@21..22 " "
              VARIANT@22..29
                NAME@22..23
                  IDENT@22..23 "A"
                TUPLE_FIELD_LIST@23..29
                  L_PAREN@23..24 "("
                  ERROR@24..25
                    COMMA@24..25 ","
                  WHITESPACE@25..26 " "
                  PATH_TYPE@26..27
                    PATH@26..27
                      NAME_REF@26..27
                        IDENT@26..27 "B"
                  WHITESPACE@27..28 " "
                  PATH_TYPE@28..29
                    PATH@28..29
                      NAME_REF@28..29
                        IDENT@28..29 "C"
              WHITESPACE@29..30 " "
              R_BRACE@30..31 "}"
          NEWLINE@31..32 "\n"
          STRUCT@32..41
            STRUCT_KW@32..38 "struct"
            WHITESPACE@38..39 " "
            RECORD_FIELD_LIST@39..41
              L_BRACE@39..40 "{"
              R_BRACE@40..41 "}"
        error 12..12: expected `=`, found `enum`
        error 24..25: expected a type
        error 27..27: expected `,`, found `C`
        error 29..29: expected `,` or `)`, found `}`
        error 38..38: expected a name, found `{`
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
fn err_closure_and_ternary() {
    check(
        "fn f() { let g = |a, | ; c ? a }",
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
              LET_STMT@9..24
                LET_KW@9..12 "let"
                WHITESPACE@12..13 " "
                IDENT_PAT@13..14
                  NAME@13..14
                    IDENT@13..14 "g"
                WHITESPACE@14..15 " "
                EQ@15..16 "="
                WHITESPACE@16..17 " "
                CLOSURE_EXPR@17..22
                  PARAM_LIST@17..22
                    PIPE@17..18 "|"
                    PARAM@18..19
                      NAME@18..19
                        IDENT@18..19 "a"
                    COMMA@19..20 ","
                    WHITESPACE@20..21 " "
                    PIPE@21..22 "|"
                WHITESPACE@22..23 " "
                SEMICOLON@23..24 ";"
              WHITESPACE@24..25 " "
              TERNARY_EXPR@25..30
                PATH_EXPR@25..26
                  NAME_REF@25..26
                    IDENT@25..26 "c"
                WHITESPACE@26..27 " "
                QUESTION@27..28 "?"
                WHITESPACE@28..29 " "
                PATH_EXPR@29..30
                  NAME_REF@29..30
                    IDENT@29..30 "a"
              WHITESPACE@30..31 " "
              R_BRACE@31..32 "}"
        error 22..22: expected an expression, found `;`
        error 30..30: expected `:`, found `}`
    "#]],
    );
}

#[test]
fn err_generic_params() {
    check(
        "fn f<T, >(x: T) {}\nfn g<1>() {}",
        expect![[r#"
        SOURCE_FILE@0..31
          FN@0..18
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            GENERIC_PARAM_LIST@4..9
              L_ANGLE@4..5 "<"
              GENERIC_PARAM@5..6
                NAME@5..6
                  IDENT@5..6 "T"
              COMMA@6..7 ","
              WHITESPACE@7..8 " "
              R_ANGLE@8..9 ">"
            PARAM_LIST@9..15
              L_PAREN@9..10 "("
              PARAM@10..14
                NAME@10..11
                  IDENT@10..11 "x"
                COLON@11..12 ":"
                WHITESPACE@12..13 " "
                PATH_TYPE@13..14
                  PATH@13..14
                    NAME_REF@13..14
                      IDENT@13..14 "T"
              R_PAREN@14..15 ")"
            WHITESPACE@15..16 " "
            BLOCK_EXPR@16..18
              L_BRACE@16..17 "{"
              R_BRACE@17..18 "}"
          NEWLINE@18..19 "\n"
          FN@19..31
            FN_KW@19..21 "fn"
            WHITESPACE@21..22 " "
            NAME@22..23
              IDENT@22..23 "g"
            GENERIC_PARAM_LIST@23..26
              L_ANGLE@23..24 "<"
              ERROR@24..25
                INT_NUMBER@24..25 "1"
              R_ANGLE@25..26 ">"
            PARAM_LIST@26..28
              L_PAREN@26..27 "("
              R_PAREN@27..28 ")"
            WHITESPACE@28..29 " "
            BLOCK_EXPR@29..31
              L_BRACE@29..30 "{"
              R_BRACE@30..31 "}"
        error 24..25: expected a generic parameter
    "#]],
    );
}

#[test]
fn err_receiver_and_owner() {
    check(
        "fn () m() {}\nfn (self: P) () {}\nfn P. () {}",
        expect![[r#"
        SOURCE_FILE@0..43
          FN@0..12
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            RECEIVER@3..5
              L_PAREN@3..4 "("
              R_PAREN@4..5 ")"
            WHITESPACE@5..6 " "
            NAME@6..7
              IDENT@6..7 "m"
            PARAM_LIST@7..9
              L_PAREN@7..8 "("
              R_PAREN@8..9 ")"
            WHITESPACE@9..10 " "
            BLOCK_EXPR@10..12
              L_BRACE@10..11 "{"
              R_BRACE@11..12 "}"
          NEWLINE@12..13 "\n"
          FN@13..31
            FN_KW@13..15 "fn"
            WHITESPACE@15..16 " "
            RECEIVER@16..25
              L_PAREN@16..17 "("
              PARAM@17..24
                NAME@17..21
                  IDENT@17..21 "self"
                COLON@21..22 ":"
                WHITESPACE@22..23 " "
                PATH_TYPE@23..24
                  PATH@23..24
                    NAME_REF@23..24
                      IDENT@23..24 "P"
              R_PAREN@24..25 ")"
            WHITESPACE@25..26 " "
            PARAM_LIST@26..28
              L_PAREN@26..27 "("
              R_PAREN@27..28 ")"
            WHITESPACE@28..29 " "
            BLOCK_EXPR@29..31
              L_BRACE@29..30 "{"
              R_BRACE@30..31 "}"
          NEWLINE@31..32 "\n"
          FN@32..43
            FN_KW@32..34 "fn"
            WHITESPACE@34..35 " "
            FN_OWNER@35..37
              NAME_REF@35..36
                IDENT@35..36 "P"
              DOT@36..37 "."
            WHITESPACE@37..38 " "
            PARAM_LIST@38..40
              L_PAREN@38..39 "("
              R_PAREN@39..40 ")"
            WHITESPACE@40..41 " "
            BLOCK_EXPR@41..43
              L_BRACE@41..42 "{"
              R_BRACE@42..43 "}"
        error 4..4: expected a receiver such as `self: Point`, found `)`
        error 25..25: expected a name, found `(`
        error 37..37: expected a name, found `(`
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
fn ok_open_ranges_and_break_values() {
    check(
        "fn f() {\n    let a = ..n\n    let b = 0..\n    let c = loop { break\n    }\n    let d = loop { break 'l x + 1 }\n}",
        expect![[r#"
        SOURCE_FILE@0..109
          FN@0..109
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..109
              L_BRACE@7..8 "{"
              NEWLINE@8..13 "\n    "
              LET_STMT@13..24
                LET_KW@13..16 "let"
                WHITESPACE@16..17 " "
                IDENT_PAT@17..18
                  NAME@17..18
                    IDENT@17..18 "a"
                WHITESPACE@18..19 " "
                EQ@19..20 "="
                WHITESPACE@20..21 " "
                RANGE_EXPR@21..24
                  DOT2@21..23 ".."
                  PATH_EXPR@23..24
                    NAME_REF@23..24
                      IDENT@23..24 "n"
              NEWLINE@24..29 "\n    "
              LET_STMT@29..40
                LET_KW@29..32 "let"
                WHITESPACE@32..33 " "
                IDENT_PAT@33..34
                  NAME@33..34
                    IDENT@33..34 "b"
                WHITESPACE@34..35 " "
                EQ@35..36 "="
                WHITESPACE@36..37 " "
                RANGE_EXPR@37..40
                  LITERAL@37..38
                    INT_NUMBER@37..38 "0"
                  DOT2@38..40 ".."
              NEWLINE@40..45 "\n    "
              LET_STMT@45..71
                LET_KW@45..48 "let"
                WHITESPACE@48..49 " "
                IDENT_PAT@49..50
                  NAME@49..50
                    IDENT@49..50 "c"
                WHITESPACE@50..51 " "
                EQ@51..52 "="
                WHITESPACE@52..53 " "
                LOOP_EXPR@53..71
                  LOOP_KW@53..57 "loop"
                  WHITESPACE@57..58 " "
                  BLOCK_EXPR@58..71
                    L_BRACE@58..59 "{"
                    WHITESPACE@59..60 " "
                    BREAK_EXPR@60..65
                      BREAK_KW@60..65 "break"
                    NEWLINE@65..70 "\n    "
                    R_BRACE@70..71 "}"
              NEWLINE@71..76 "\n    "
              LET_STMT@76..107
                LET_KW@76..79 "let"
                WHITESPACE@79..80 " "
                IDENT_PAT@80..81
                  NAME@80..81
                    IDENT@80..81 "d"
                WHITESPACE@81..82 " "
                EQ@82..83 "="
                WHITESPACE@83..84 " "
                LOOP_EXPR@84..107
                  LOOP_KW@84..88 "loop"
                  WHITESPACE@88..89 " "
                  BLOCK_EXPR@89..107
                    L_BRACE@89..90 "{"
                    WHITESPACE@90..91 " "
                    BREAK_EXPR@91..105
                      BREAK_KW@91..96 "break"
                      WHITESPACE@96..97 " "
                      LABEL_IDENT@97..99 "'l"
                      WHITESPACE@99..100 " "
                      BIN_EXPR@100..105
                        PATH_EXPR@100..101
                          NAME_REF@100..101
                            IDENT@100..101 "x"
                        WHITESPACE@101..102 " "
                        PLUS@102..103 "+"
                        WHITESPACE@103..104 " "
                        LITERAL@104..105
                          INT_NUMBER@104..105 "1"
                    WHITESPACE@105..106 " "
                    R_BRACE@106..107 "}"
              NEWLINE@107..108 "\n"
              R_BRACE@108..109 "}"
    "#]],
    );
}

#[test]
fn ok_nested_functions_and_items_in_blocks() {
    check(
        "fn outer() {\n    fn inner(): i32 { 1 }\n    struct Local { v: i32 }\n    inner()\n}",
        expect![[r#"
        SOURCE_FILE@0..80
          FN@0..80
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..8
              IDENT@3..8 "outer"
            PARAM_LIST@8..10
              L_PAREN@8..9 "("
              R_PAREN@9..10 ")"
            WHITESPACE@10..11 " "
            BLOCK_EXPR@11..80
              L_BRACE@11..12 "{"
              NEWLINE@12..17 "\n    "
              FN@17..38
                FN_KW@17..19 "fn"
                WHITESPACE@19..20 " "
                NAME@20..25
                  IDENT@20..25 "inner"
                PARAM_LIST@25..27
                  L_PAREN@25..26 "("
                  R_PAREN@26..27 ")"
                RET_TYPE@27..32
                  COLON@27..28 ":"
                  WHITESPACE@28..29 " "
                  PATH_TYPE@29..32
                    PATH@29..32
                      NAME_REF@29..32
                        IDENT@29..32 "i32"
                WHITESPACE@32..33 " "
                BLOCK_EXPR@33..38
                  L_BRACE@33..34 "{"
                  WHITESPACE@34..35 " "
                  LITERAL@35..36
                    INT_NUMBER@35..36 "1"
                  WHITESPACE@36..37 " "
                  R_BRACE@37..38 "}"
              NEWLINE@38..43 "\n    "
              STRUCT@43..66
                STRUCT_KW@43..49 "struct"
                WHITESPACE@49..50 " "
                NAME@50..55
                  IDENT@50..55 "Local"
                WHITESPACE@55..56 " "
                RECORD_FIELD_LIST@56..66
                  L_BRACE@56..57 "{"
                  WHITESPACE@57..58 " "
                  RECORD_FIELD@58..64
                    NAME@58..59
                      IDENT@58..59 "v"
                    COLON@59..60 ":"
                    WHITESPACE@60..61 " "
                    PATH_TYPE@61..64
                      PATH@61..64
                        NAME_REF@61..64
                          IDENT@61..64 "i32"
                  WHITESPACE@64..65 " "
                  R_BRACE@65..66 "}"
              NEWLINE@66..71 "\n    "
              CALL_EXPR@71..78
                PATH_EXPR@71..76
                  NAME_REF@71..76
                    IDENT@71..76 "inner"
                ARG_LIST@76..78
                  L_PAREN@76..77 "("
                  R_PAREN@77..78 ")"
              NEWLINE@78..79 "\n"
              R_BRACE@79..80 "}"
    "#]],
    );
}

#[test]
fn err_nesting_too_deep_is_reported_once() {
    let input = format!("fn f() {{ {}1{} }}", "[".repeat(300), "]".repeat(300));
    let parse = crate::parse(&input);
    assert_eq!(parse.syntax_node().to_string(), input);
    let messages: Vec<&str> = parse.errors().iter().map(|e| e.message()).collect();
    assert_eq!(messages, ["nesting too deep"]);
}
