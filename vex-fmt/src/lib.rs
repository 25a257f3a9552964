//! `vex-fmt`: the Vex formatter. One canonical layout for Vex source, built on the
//! lossless syntax tree of `vex-syntax`.
//!
//! [`format`] parses the text; a file with syntax errors is left alone and the errors
//! are returned. Otherwise the tree is printed again in the canonical layout:
//!
//! - 4-space indentation, lines of at most 100 characters where a line can be broken,
//!   no trailing whitespace, exactly one newline at the end (an empty file stays empty);
//! - one statement or item per line (`a; b` becomes two lines, the `;` is kept);
//! - at most one blank line between statements, items, fields and arms, none at the
//!   start or the end of a block;
//! - spaces around binary operators, `=`, `=>` and `->`, after commas and colons, none
//!   inside parentheses and brackets, `{ a }` inside braces that stay on one line, `{}`
//!   for empty ones;
//! - a bracketed list (arguments, parameters, arrays, tuples, struct fields and
//!   literals, enum variants, match and select arms) is either on one line, without a
//!   trailing comma, or one element per line, each followed by a comma (match arms whose
//!   body is a block take none, as in Rust).
//!
//! Every comment stays where it was: a comment at the end of a line stays at the end of
//! that line, a comment on a line of its own stays on a line of its own, in the same
//! order among the tokens. No token other than the optional commas of lists is added,
//! dropped or reordered, so the output parses to the same tree modulo trivia and those
//! commas ([`verify`] checks that), and formatting is idempotent.
//!
//! # The algorithm
//!
//! 1. **Layout** (`layout.rs`): one walk over the green tree produces a flat list of
//!    significant tokens, in parts of one top-level item each, which the printer prints
//!    as they come (nothing it decides crosses the line break between two items). Each
//!    token carries its *gap* (what separates it from the previous token) and the
//!    comments and line breaks the source had in that gap.
//!    A gap is canonical spacing from a table over token and parent kinds, or a line of
//!    a *group*: the bracketed lists and blocks, whose lines are "after the opening
//!    bracket", "after a separator", "before the closing bracket" and "between two
//!    statements". Commas of lists are tokens printed always, only when their group is
//!    broken (trailing commas), only when it is flat, or never.
//!    A group is *forced* broken when the user wrote a line break at its own level (a
//!    multi-line argument list stays multi-line), when a comment there needs a line,
//!    when it is a block with two statements, when something
//!    inside a block-like group breaks, or when an element of a list other than its
//!    last one breaks (the last argument may "hug": `f(x, |y| {` … `})`).
//!    Inside an expression the only line breaks kept from the source are those after a
//!    binary operator, after `=` and `=>`, and before the `.` of a call chain; other
//!    breaks are joined (the parser only looks at line breaks between statements and
//!    list elements, which the layout always separates).
//! 2. **Printing** (`printer.rs`): left to right, each group is decided when its
//!    opening bracket is printed: broken if forced, or if its flat form and what follows
//!    up to the next possible line break would pass 100 columns. So an overlong line
//!    breaks its outermost list first, one element per line, and the lists inside are
//!    then measured again on their own lines; a line without a list to break stays long.
//!    Indentation is relative to the line where a group opens (elements one step deeper,
//!    the closing bracket back on that line's level); continuation lines go one step
//!    deeper than the line where their element starts.
//!
//! ```
//! let text = "fn main() { let x = [1,2,3]; println( x[0] ) }";
//! let formatted = vex_fmt::format(text).unwrap();
//! assert_eq!(formatted, "fn main() {\n    let x = [1, 2, 3];\n    println(x[0])\n}\n");
//! assert_eq!(vex_fmt::format(&formatted).unwrap(), formatted);
//! assert!(vex_fmt::format("fn main( {").is_err());
//! ```

mod layout;
mod printer;
pub mod verify;

use vex_syntax::SyntaxError;

/// A file whose leading comments include a line starting with this is left as it is
/// (for example files that test unusual layouts on purpose).
pub const SKIP_DIRECTIVE: &str = "// vex fmt: skip";

/// The line width the formatter keeps to where it can.
pub const MAX_WIDTH: usize = printer::MAX_WIDTH as usize;

/// Formats a Vex source file in the canonical layout (see the crate documentation).
///
/// Returns the syntax errors, and formats nothing, when `text` does not parse cleanly.
/// The result ends with exactly one newline, unless the file holds nothing but
/// whitespace (then it is empty). Line breaks become `\n`; the text of tokens (string
/// literals that span lines included) is kept as it is. A file that opens with a
/// [`SKIP_DIRECTIVE`] comment is returned unchanged.
pub fn format(text: &str) -> Result<String, Vec<SyntaxError>> {
    let parse = vex_syntax::parse(text);
    if !parse.errors().is_empty() {
        return Err(parse.errors().to_vec());
    }
    if skipped(&parse) {
        return Ok(text.to_owned());
    }
    let mut layout = layout::builder(parse.green());
    let mut printer = printer::Printer::new(text.len());
    while let Some(part) = layout.next_part() {
        printer.print(part);
    }
    Ok(printer.finish())
}

/// Whether a comment before the first token starts with [`SKIP_DIRECTIVE`].
fn skipped(parse: &vex_syntax::Parse) -> bool {
    parse
        .syntax_node()
        .descendants_with_tokens()
        .filter_map(|element| element.into_token())
        .take_while(|token| token.kind().is_trivia())
        .any(|token| token.text().starts_with(SKIP_DIRECTIVE))
}
