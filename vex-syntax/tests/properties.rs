//! Property tests: every input round-trips and never panics; generated well-formed Vex
//! Core programs parse without errors.

use proptest::prelude::*;
use vex_syntax::{debug_dump, parse, testing};

/// Fragments that make token soups hit interesting parser states.
const FRAGMENTS: &[&str] = &[
    "fn",
    "async",
    "await",
    "let",
    "let!",
    "const",
    "struct",
    "enum",
    "extern \"C\"",
    "if",
    "elif",
    "else",
    "while",
    "loop",
    "for",
    "in",
    "break",
    "continue",
    "return",
    "match",
    "defer",
    "go",
    "select",
    "true",
    "false",
    "as",
    "impl",
    "import",
    "unsafe",
    "x",
    "Point",
    "$println",
    "'outer",
    "_",
    "0",
    "255u8",
    "0xFF",
    "1.5e10",
    "2.0f32",
    "\"s\\n\"",
    "f\"a{",
    "}b\"",
    "{{",
    "}}",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ";",
    ":",
    ".",
    "..",
    "..=",
    "=>",
    "->",
    "<-",
    "?",
    "=",
    "==",
    "!=",
    "<",
    ">",
    "<=",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "&",
    "|",
    "^",
    "!",
    "<<",
    ">>",
    "&&",
    "||",
    "+=",
    ">>=",
    "<<=",
    "\n",
    " ",
    "// c\n",
    "/* c */",
    "/*",
    "\"",
    "@",
    "é",
];

fn check_round_trip(text: &str) {
    let parse = parse(text);
    assert_eq!(parse.syntax_node().to_string(), text);
    let dump = debug_dump(&parse.syntax_node());
    assert!(dump.starts_with("SOURCE_FILE@"));
    for error in parse.errors() {
        assert!(usize::from(error.range().end()) <= text.len());
    }
}

proptest! {
    #[test]
    fn arbitrary_strings_round_trip(text in any::<String>()) {
        check_round_trip(&text);
    }

    #[test]
    fn ascii_soup_round_trips(text in "[ -~\n\t]{0,200}") {
        check_round_trip(&text);
    }

    #[test]
    fn token_soup_round_trips(pieces in prop::collection::vec(prop::sample::select(FRAGMENTS), 0..80)) {
        check_round_trip(&pieces.join(" "));
        check_round_trip(&pieces.concat());
    }

    #[test]
    fn generated_programs_parse_without_errors(program in testing::program()) {
        let parse = parse(&program);
        prop_assert!(parse.errors().is_empty(), "errors {:?} in\n{}", parse.errors(), program);
        prop_assert_eq!(parse.syntax_node().to_string(), program);
    }

    #[test]
    fn truncated_programs_round_trip(program in testing::program(), cut in any::<prop::sample::Index>()) {
        let mut end = cut.index(program.len() + 1);
        while !program.is_char_boundary(end) {
            end -= 1;
        }
        check_round_trip(&program[..end]);
    }
}
