//! Items: `fn` (plain, `extern`, `async`, associated and methods), `struct`, `enum`,
//! `const`, `extern` blocks, `impl` and `import`, items nested in blocks, and the errors
//! in their headers and bodies.

use super::check;
use expect_test::expect;

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
