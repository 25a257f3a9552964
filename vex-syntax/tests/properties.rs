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
    "??",
    "async |",
    "async ||",
    "|x|",
    "fn(",
    "): ",
    "Some(",
    "None",
    "Vec<",
    "if let",
    "while let",
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

/// The line and column of every offset, counted the slow way: characters from the
/// start of the line.
fn line_col_by_scanning(text: &str, offset: usize) -> vex_syntax::LineCol {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..line_start].matches('\n').count() as u32 + 1;
    let col = text[line_start..end].chars().count() as u32 + 1;
    vex_syntax::LineCol { line, col }
}

proptest! {
    /// `LineIndex` keeps only line starts and wide characters, yet agrees with scanning
    /// the text at every byte offset, and `offset` inverts `line_col` at every
    /// character boundary.
    #[test]
    fn line_index_agrees_with_scanning(text in "([a\né\r🙂\t]|x{1,3}|\n\n){0,40}") {
        let index = vex_syntax::LineIndex::new(&text);
        for offset in 0..=text.len() + 1 {
            let line_col = index.line_col(vex_syntax::TextSize::new(offset as u32));
            prop_assert_eq!(line_col, line_col_by_scanning(&text, offset), "offset {}", offset);
            if offset <= text.len() && text.is_char_boundary(offset) {
                let back = index.offset(line_col);
                prop_assert_eq!(back, Some(vex_syntax::TextSize::new(offset as u32)));
            }
        }
        prop_assert_eq!(index.line_count(), text.matches('\n').count() + 1);
    }
}
