//! Lexer tests: every fixed-text token kind lexes back to itself, numbers, strings,
//! comments and f-strings split as documented, and errors carry precise ranges.

use expect_test::{Expect, expect};
use vex_syntax::{SyntaxKind, lex};

/// Lexes `input` and compares `KIND "text"` lines plus errors with `expected`.
fn check(input: &str, expected: Expect) {
    let (tokens, errors) = lex(input);
    let mut actual = String::new();
    for token in &tokens {
        actual.push_str(&format!("{:?} {:?}\n", token.kind, &input[token.range]));
    }
    for error in &errors {
        actual.push_str(&format!("error {:?}: {}\n", error.range(), error.message()));
    }
    let joined: String = tokens.iter().map(|t| &input[t.range]).collect();
    assert_eq!(joined, input, "tokens must cover the input");
    expected.assert_eq(&actual);
}

#[test]
fn fixed_text_kinds_lex_to_themselves() {
    for raw in 0..u16::MAX {
        let kind = SyntaxKind::from_raw(raw);
        if kind == SyntaxKind::ERROR_TOKEN && raw != SyntaxKind::ERROR_TOKEN as u16 {
            break;
        }
        assert_eq!(kind as u16, raw);
        let Some(text) = kind.fixed_text() else { continue };
        // Glued by the parser (`>>`, `>=`, `>>=`) or only produced inside f-strings.
        let special = matches!(
            kind,
            SyntaxKind::SHR
                | SyntaxKind::GTEQ
                | SyntaxKind::SHREQ
                | SyntaxKind::FSTRING_START
                | SyntaxKind::FSTRING_END
                | SyntaxKind::FSTRING_HOLE_OPEN
                | SyntaxKind::FSTRING_HOLE_CLOSE
        );
        if special {
            continue;
        }
        let (tokens, errors) = lex(text);
        assert!(errors.is_empty(), "{kind:?}");
        assert_eq!(tokens.len(), 1, "{kind:?} {text:?}");
        assert_eq!(tokens[0].kind, kind, "{text:?}");
        assert_eq!(SyntaxKind::from_keyword(text).is_some(), kind.is_keyword());
    }
}

#[test]
fn numbers() {
    check(
        "255u8 0xFF 0o77 0b1010 1_000 3.14 1.5e10 2.0e-5 2.0f32 1f64 t.0.1 0..5 1.foo",
        expect![[r#"
            INT_NUMBER "255u8"
            WHITESPACE " "
            INT_NUMBER "0xFF"
            WHITESPACE " "
            INT_NUMBER "0o77"
            WHITESPACE " "
            INT_NUMBER "0b1010"
            WHITESPACE " "
            INT_NUMBER "1_000"
            WHITESPACE " "
            FLOAT_NUMBER "3.14"
            WHITESPACE " "
            FLOAT_NUMBER "1.5e10"
            WHITESPACE " "
            FLOAT_NUMBER "2.0e-5"
            WHITESPACE " "
            FLOAT_NUMBER "2.0f32"
            WHITESPACE " "
            FLOAT_NUMBER "1f64"
            WHITESPACE " "
            IDENT "t"
            DOT "."
            INT_NUMBER "0"
            DOT "."
            INT_NUMBER "1"
            WHITESPACE " "
            INT_NUMBER "0"
            DOT2 ".."
            INT_NUMBER "5"
            WHITESPACE " "
            INT_NUMBER "1"
            DOT "."
            IDENT "foo"
        "#]],
    );
}

#[test]
fn strings_comments_and_names() {
    check(
        "/// doc\n/* a /* b */ c */ \"multi\nline \\\" \\u{1F600}\" $println 'outer let! x!: T <- -> => ..= >>=",
        expect![[r#"
            DOC_COMMENT "/// doc"
            NEWLINE "\n"
            COMMENT "/* a /* b */ c */"
            WHITESPACE " "
            STRING "\"multi\nline \\\" \\u{1F600}\""
            WHITESPACE " "
            BUILTIN_IDENT "$println"
            WHITESPACE " "
            LABEL_IDENT "'outer"
            WHITESPACE " "
            LET_KW "let"
            BANG "!"
            WHITESPACE " "
            IDENT "x"
            BANG "!"
            COLON ":"
            WHITESPACE " "
            IDENT "T"
            WHITESPACE " "
            LEFT_ARROW "<-"
            WHITESPACE " "
            THIN_ARROW "->"
            WHITESPACE " "
            FAT_ARROW "=>"
            WHITESPACE " "
            DOT2EQ "..="
            WHITESPACE " "
            R_ANGLE ">"
            R_ANGLE ">"
            EQ "="
        "#]],
    );
}

#[test]
fn fstrings_nest_and_keep_braces() {
    check(
        "f\"a {x + {y}} {{b}} {f\"{z}\"}\"",
        expect![[r#"
        FSTRING_START "f\""
        FSTRING_TEXT "a "
        FSTRING_HOLE_OPEN "{"
        IDENT "x"
        WHITESPACE " "
        PLUS "+"
        WHITESPACE " "
        L_BRACE "{"
        IDENT "y"
        R_BRACE "}"
        FSTRING_HOLE_CLOSE "}"
        FSTRING_TEXT " {{b}} "
        FSTRING_HOLE_OPEN "{"
        FSTRING_START "f\""
        FSTRING_HOLE_OPEN "{"
        IDENT "z"
        FSTRING_HOLE_CLOSE "}"
        FSTRING_END "\""
        FSTRING_HOLE_CLOSE "}"
        FSTRING_END "\""
    "#]],
    );
}

#[test]
fn lexical_errors_have_ranges() {
    check(
        "@ 1xyz ' $ \"bad \\q\" \"open",
        expect![[r#"
        ERROR_TOKEN "@"
        WHITESPACE " "
        INT_NUMBER "1xyz"
        WHITESPACE " "
        ERROR_TOKEN "'"
        WHITESPACE " "
        ERROR_TOKEN "$"
        WHITESPACE " "
        STRING "\"bad \\q\""
        WHITESPACE " "
        STRING "\"open"
        error 0..1: unexpected character `@`
        error 2..6: invalid suffix `xyz` on a number literal
        error 7..8: unexpected character `\'`
        error 9..10: unexpected character `$`
        error 16..18: invalid escape sequence
        error 20..25: unterminated string literal
    "#]],
    );
}

#[test]
fn question_marks_by_maximal_munch() {
    // `??` is one token wherever two `?` touch: `x??` is `x ??`, `???` is `?? ?`.
    check(
        "x?? ? ??? a?.b",
        expect![[r#"
            IDENT "x"
            QUESTION2 "??"
            WHITESPACE " "
            QUESTION "?"
            WHITESPACE " "
            QUESTION2 "??"
            QUESTION "?"
            WHITESPACE " "
            IDENT "a"
            QUESTION "?"
            DOT "."
            IDENT "b"
        "#]],
    );
}
