//! Control-flow expressions: `if`/`elif`/`else`, `if let`/`while let`, loops and labels,
//! `match` arms, `select`, struct literals in conditions, open ranges and `break` values,
//! with their errors.

use super::check;
use expect_test::expect;

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
fn ok_if_let_and_while_let() {
    check(
        "fn f() {\n    if let Some(x) = a? { x } elif let None = b ?? c { 0 } else { 1 }\n    while let Ok((k, v)) = it.next() { }\n}",
        expect![[r#"
            SOURCE_FILE@0..121
              FN@0..121
                FN_KW@0..2 "fn"
                WHITESPACE@2..3 " "
                NAME@3..4
                  IDENT@3..4 "f"
                PARAM_LIST@4..6
                  L_PAREN@4..5 "("
                  R_PAREN@5..6 ")"
                WHITESPACE@6..7 " "
                BLOCK_EXPR@7..121
                  L_BRACE@7..8 "{"
                  NEWLINE@8..13 "\n    "
                  EXPR_STMT@13..78
                    IF_EXPR@13..78
                      IF_KW@13..15 "if"
                      WHITESPACE@15..16 " "
                      LET_EXPR@16..32
                        LET_KW@16..19 "let"
                        WHITESPACE@19..20 " "
                        TUPLE_STRUCT_PAT@20..27
                          PATH@20..24
                            NAME_REF@20..24
                              IDENT@20..24 "Some"
                          L_PAREN@24..25 "("
                          IDENT_PAT@25..26
                            NAME@25..26
                              IDENT@25..26 "x"
                          R_PAREN@26..27 ")"
                        WHITESPACE@27..28 " "
                        EQ@28..29 "="
                        WHITESPACE@29..30 " "
                        TRY_EXPR@30..32
                          PATH_EXPR@30..31
                            NAME_REF@30..31
                              IDENT@30..31 "a"
                          QUESTION@31..32 "?"
                      WHITESPACE@32..33 " "
                      BLOCK_EXPR@33..38
                        L_BRACE@33..34 "{"
                        WHITESPACE@34..35 " "
                        PATH_EXPR@35..36
                          NAME_REF@35..36
                            IDENT@35..36 "x"
                        WHITESPACE@36..37 " "
                        R_BRACE@37..38 "}"
                      WHITESPACE@38..39 " "
                      ELIF_BRANCH@39..67
                        ELIF_KW@39..43 "elif"
                        WHITESPACE@43..44 " "
                        LET_EXPR@44..61
                          LET_KW@44..47 "let"
                          WHITESPACE@47..48 " "
                          IDENT_PAT@48..52
                            NAME@48..52
                              IDENT@48..52 "None"
                          WHITESPACE@52..53 " "
                          EQ@53..54 "="
                          WHITESPACE@54..55 " "
                          BIN_EXPR@55..61
                            PATH_EXPR@55..56
                              NAME_REF@55..56
                                IDENT@55..56 "b"
                            WHITESPACE@56..57 " "
                            QUESTION2@57..59 "??"
                            WHITESPACE@59..60 " "
                            PATH_EXPR@60..61
                              NAME_REF@60..61
                                IDENT@60..61 "c"
                        WHITESPACE@61..62 " "
                        BLOCK_EXPR@62..67
                          L_BRACE@62..63 "{"
                          WHITESPACE@63..64 " "
                          LITERAL@64..65
                            INT_NUMBER@64..65 "0"
                          WHITESPACE@65..66 " "
                          R_BRACE@66..67 "}"
                      WHITESPACE@67..68 " "
                      ELSE_BRANCH@68..78
                        ELSE_KW@68..72 "else"
                        WHITESPACE@72..73 " "
                        BLOCK_EXPR@73..78
                          L_BRACE@73..74 "{"
                          WHITESPACE@74..75 " "
                          LITERAL@75..76
                            INT_NUMBER@75..76 "1"
                          WHITESPACE@76..77 " "
                          R_BRACE@77..78 "}"
                  NEWLINE@78..83 "\n    "
                  WHILE_EXPR@83..119
                    WHILE_KW@83..88 "while"
                    WHITESPACE@88..89 " "
                    LET_EXPR@89..115
                      LET_KW@89..92 "let"
                      WHITESPACE@92..93 " "
                      TUPLE_STRUCT_PAT@93..103
                        PATH@93..95
                          NAME_REF@93..95
                            IDENT@93..95 "Ok"
                        L_PAREN@95..96 "("
                        TUPLE_PAT@96..102
                          L_PAREN@96..97 "("
                          IDENT_PAT@97..98
                            NAME@97..98
                              IDENT@97..98 "k"
                          COMMA@98..99 ","
                          WHITESPACE@99..100 " "
                          IDENT_PAT@100..101
                            NAME@100..101
                              IDENT@100..101 "v"
                          R_PAREN@101..102 ")"
                        R_PAREN@102..103 ")"
                      WHITESPACE@103..104 " "
                      EQ@104..105 "="
                      WHITESPACE@105..106 " "
                      METHOD_CALL_EXPR@106..115
                        PATH_EXPR@106..108
                          NAME_REF@106..108
                            IDENT@106..108 "it"
                        DOT@108..109 "."
                        NAME_REF@109..113
                          IDENT@109..113 "next"
                        ARG_LIST@113..115
                          L_PAREN@113..114 "("
                          R_PAREN@114..115 ")"
                    WHITESPACE@115..116 " "
                    BLOCK_EXPR@116..119
                      L_BRACE@116..117 "{"
                      WHITESPACE@117..118 " "
                      R_BRACE@118..119 "}"
                  NEWLINE@119..120 "\n"
                  R_BRACE@120..121 "}"
        "#]],
    );
}

#[test]
fn err_if_let() {
    // No `=` after the pattern; a struct literal is not a scrutinee (`{ x }` is the body).
    check(
        "fn f() {\n    if let Some(x) { }\n    if let Some(y) = Point { y } { }\n}",
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
              EXPR_STMT@13..31
                IF_EXPR@13..31
                  IF_KW@13..15 "if"
                  WHITESPACE@15..16 " "
                  LET_EXPR@16..27
                    LET_KW@16..19 "let"
                    WHITESPACE@19..20 " "
                    TUPLE_STRUCT_PAT@20..27
                      PATH@20..24
                        NAME_REF@20..24
                          IDENT@20..24 "Some"
                      L_PAREN@24..25 "("
                      IDENT_PAT@25..26
                        NAME@25..26
                          IDENT@25..26 "x"
                      R_PAREN@26..27 ")"
                  WHITESPACE@27..28 " "
                  BLOCK_EXPR@28..31
                    L_BRACE@28..29 "{"
                    WHITESPACE@29..30 " "
                    R_BRACE@30..31 "}"
              NEWLINE@31..36 "\n    "
              EXPR_STMT@36..64
                IF_EXPR@36..64
                  IF_KW@36..38 "if"
                  WHITESPACE@38..39 " "
                  LET_EXPR@39..58
                    LET_KW@39..42 "let"
                    WHITESPACE@42..43 " "
                    TUPLE_STRUCT_PAT@43..50
                      PATH@43..47
                        NAME_REF@43..47
                          IDENT@43..47 "Some"
                      L_PAREN@47..48 "("
                      IDENT_PAT@48..49
                        NAME@48..49
                          IDENT@48..49 "y"
                      R_PAREN@49..50 ")"
                    WHITESPACE@50..51 " "
                    EQ@51..52 "="
                    WHITESPACE@52..53 " "
                    PATH_EXPR@53..58
                      NAME_REF@53..58
                        IDENT@53..58 "Point"
                  WHITESPACE@58..59 " "
                  BLOCK_EXPR@59..64
                    L_BRACE@59..60 "{"
                    WHITESPACE@60..61 " "
                    PATH_EXPR@61..62
                      NAME_REF@61..62
                        IDENT@61..62 "y"
                    WHITESPACE@62..63 " "
                    R_BRACE@63..64 "}"
              WHITESPACE@64..65 " "
              BLOCK_EXPR@65..68
                L_BRACE@65..66 "{"
                WHITESPACE@66..67 " "
                R_BRACE@67..68 "}"
              NEWLINE@68..69 "\n"
              R_BRACE@69..70 "}"
        error 27..27: expected `=`, found `{`
    "#]],
    );
}

#[test]
fn ok_send_statement_and_send_arm() {
    check(
        "fn f() {\n    ch <- a + 1\n    <-ch\n    select { ch <- b => 1 }\n}",
        expect![[r#"
            SOURCE_FILE@0..63
              FN@0..63
                FN_KW@0..2 "fn"
                WHITESPACE@2..3 " "
                NAME@3..4
                  IDENT@3..4 "f"
                PARAM_LIST@4..6
                  L_PAREN@4..5 "("
                  R_PAREN@5..6 ")"
                WHITESPACE@6..7 " "
                BLOCK_EXPR@7..63
                  L_BRACE@7..8 "{"
                  NEWLINE@8..13 "\n    "
                  EXPR_STMT@13..24
                    SEND_EXPR@13..24
                      PATH_EXPR@13..15
                        NAME_REF@13..15
                          IDENT@13..15 "ch"
                      WHITESPACE@15..16 " "
                      LEFT_ARROW@16..18 "<-"
                      WHITESPACE@18..19 " "
                      BIN_EXPR@19..24
                        PATH_EXPR@19..20
                          NAME_REF@19..20
                            IDENT@19..20 "a"
                        WHITESPACE@20..21 " "
                        PLUS@21..22 "+"
                        WHITESPACE@22..23 " "
                        LITERAL@23..24
                          INT_NUMBER@23..24 "1"
                  NEWLINE@24..29 "\n    "
                  EXPR_STMT@29..33
                    PREFIX_EXPR@29..33
                      LEFT_ARROW@29..31 "<-"
                      PATH_EXPR@31..33
                        NAME_REF@31..33
                          IDENT@31..33 "ch"
                  NEWLINE@33..38 "\n    "
                  SELECT_EXPR@38..61
                    SELECT_KW@38..44 "select"
                    WHITESPACE@44..45 " "
                    SELECT_ARM_LIST@45..61
                      L_BRACE@45..46 "{"
                      WHITESPACE@46..47 " "
                      SELECT_ARM@47..59
                        SEND_EXPR@47..54
                          PATH_EXPR@47..49
                            NAME_REF@47..49
                              IDENT@47..49 "ch"
                          WHITESPACE@49..50 " "
                          LEFT_ARROW@50..52 "<-"
                          WHITESPACE@52..53 " "
                          PATH_EXPR@53..54
                            NAME_REF@53..54
                              IDENT@53..54 "b"
                        WHITESPACE@54..55 " "
                        FAT_ARROW@55..57 "=>"
                        WHITESPACE@57..58 " "
                        LITERAL@58..59
                          INT_NUMBER@58..59 "1"
                      WHITESPACE@59..60 " "
                      R_BRACE@60..61 "}"
                  NEWLINE@61..62 "\n"
                  R_BRACE@62..63 "}"
        "#]],
    );
}

#[test]
fn err_send_without_a_value() {
    check(
        "fn f() {\n    ch <-\n}",
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
              NEWLINE@8..13 "\n    "
              SEND_EXPR@13..18
                PATH_EXPR@13..15
                  NAME_REF@13..15
                    IDENT@13..15 "ch"
                WHITESPACE@15..16 " "
                LEFT_ARROW@16..18 "<-"
              NEWLINE@18..19 "\n"
              R_BRACE@19..20 "}"
        error 18..18: expected an expression, found `}`
    "#]],
    );
}
