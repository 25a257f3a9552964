//! Forms outside Vex Core that still parse into their own nodes: generics on items,
//! references and pointers, ternaries, `unsafe` and struct patterns, with their errors.
//! The first cases also hold forms that became Core in v0.2 (closures, `<-`, `if let`,
//! generic types); their v0.2 cases live with expressions, types and control flow.

use super::check;
use expect_test::expect;

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
