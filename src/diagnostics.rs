//! Diagnostics as data, and their rendering for people.
//!
//! Every stage of the compiler reports problems as [`Diagnostic`] values (defined in
//! `vex-hir`): a severity, an optional code, a message, a primary span, secondary labels
//! and notes. They are plain data so tools can consume them; text is produced only here,
//! at the edge, by
//! [`render`] (the compiler-style layout the CLI prints) and [`render_json`] (one JSON
//! object per line, for editors and scripts).
//!
//! The text layout follows the gcc/clang convention that editors and terminals already
//! recognise:
//!
//! ```text
//! examples/bad.vx:3:9: error: expected expression
//!     3 |     let x = ;
//!       |             ^
//! ```

use std::fmt::Write as _;

use vex_syntax::{LineIndex, TextRange, TextSize};

pub use vex_hir::diagnostics::{Code, Diagnostic, Fix, Label, Severity, TextEdit};

/// Renders `diagnostic` for a terminal: a `FILE:LINE:COL: severity: message` header,
/// the source line with a caret underline for the primary span, each label's line with
/// its own underline and text, then the notes. Lines and columns are 1-based; columns
/// count Unicode scalar values.
pub fn render(diagnostic: &Diagnostic, file_name: &str, text: &str) -> String {
    let index = LineIndex::new(text);
    let start = index.line_col(clamp(diagnostic.range.start(), text));
    let mut out = String::new();
    let code = diagnostic.code.map(|c| format!("[{c}]")).unwrap_or_default();
    let _ = writeln!(
        out,
        "{file_name}:{}:{}: {}{code}: {}",
        start.line,
        start.col,
        diagnostic.severity.as_str(),
        diagnostic.message
    );
    render_snippet(&mut out, &index, text, diagnostic.range, "");
    for label in &diagnostic.labels {
        render_snippet(&mut out, &index, text, label.range, &label.message);
    }
    for note in &diagnostic.notes {
        let _ = writeln!(out, "      = {note}");
    }
    for fix in &diagnostic.fixes {
        let _ = writeln!(out, "      = help: {}", fix.message);
    }
    out
}

/// Renders `diagnostic` as one line of JSON with the fields `file`, `line`, `column`,
/// `end_line`, `end_column` (1-based, end exclusive), `severity`, `code` (or `null`),
/// `message` and `fixes`: each `{"message", "edits"}`, an edit being `{"line", "column",
/// "end_line", "end_column", "insert"}` (the range it replaces; empty to insert).
pub fn render_json(diagnostic: &Diagnostic, file_name: &str, text: &str) -> String {
    let index = LineIndex::new(text);
    let start = index.line_col(clamp(diagnostic.range.start(), text));
    let end = index.line_col(clamp(diagnostic.range.end(), text));
    let code = match diagnostic.code {
        Some(code) => json_string(code.as_str()),
        None => "null".to_owned(),
    };
    let fixes: Vec<String> = diagnostic
        .fixes
        .iter()
        .map(|fix| {
            let edits: Vec<String> = fix
                .edits
                .iter()
                .map(|edit| {
                    let from = index.line_col(clamp(edit.range.start(), text));
                    let to = index.line_col(clamp(edit.range.end(), text));
                    format!(
                        "{{\"line\":{},\"column\":{},\"end_line\":{},\"end_column\":{},\"insert\":{}}}",
                        from.line,
                        from.col,
                        to.line,
                        to.col,
                        json_string(&edit.insert)
                    )
                })
                .collect();
            format!(
                "{{\"message\":{},\"edits\":[{}]}}",
                json_string(&fix.message),
                edits.join(",")
            )
        })
        .collect();
    format!(
        "{{\"file\":{},\"line\":{},\"column\":{},\"end_line\":{},\"end_column\":{},\"severity\":\"{}\",\"code\":{code},\"message\":{},\"fixes\":[{}]}}",
        json_string(file_name),
        start.line,
        start.col,
        end.line,
        end.col,
        diagnostic.severity.as_str(),
        json_string(&diagnostic.message),
        fixes.join(","),
    )
}

/// Prints the first line of `range` with a gutter and underlines the part of it that
/// the range covers (at least one caret, so an empty range at a line end still shows).
fn render_snippet(out: &mut String, index: &LineIndex, text: &str, range: TextRange, label: &str) {
    let start = clamp(range.start(), text);
    let end = clamp(range.end(), text).max(start);
    let line_number = index.line_col(start).line;
    let line_range = index.line_range(line_number).unwrap_or_else(|| TextRange::empty(start));
    let line: Vec<char> = text[line_range].trim_end_matches('\r').chars().collect();
    let before = text[line_range.start().into()..usize::from(start)].chars().count();
    let covered_end = usize::from(end).min(usize::from(line_range.end()));
    let covered = text.get(usize::from(start)..covered_end).map_or(0, |c| c.chars().count());
    // Long lines (generated code, minified input) are shown as a window around the
    // span so that the caret stays on screen.
    let (from, to) = if line.len() > MAX_SNIPPET_WIDTH {
        let from = before.saturating_sub(MAX_SNIPPET_WIDTH / 2);
        (from, (from + MAX_SNIPPET_WIDTH).min(line.len()))
    } else {
        (0, line.len())
    };
    let shown: String = line[from..to].iter().collect();
    let (open, close) =
        (if from > 0 { "..." } else { "" }, if to < line.len() { "..." } else { "" });
    // Tabs keep their width so the caret lines up under the code.
    let pad: String = std::iter::repeat_n(' ', open.len())
        .chain(
            line[from..before.min(line.len())].iter().map(|&c| if c == '\t' { '\t' } else { ' ' }),
        )
        .collect();
    let carets = "^".repeat(covered.clamp(1, MAX_SNIPPET_WIDTH));
    let line_number = line_number.to_string();
    let gutter = " ".repeat(line_number.len().max(4));
    let _ = writeln!(out, "{line_number:>width$} | {open}{shown}{close}", width = gutter.len());
    let separator = if label.is_empty() { "" } else { " " };
    let _ = writeln!(out, "{gutter} | {pad}{carets}{separator}{label}");
}

/// Lines longer than this many characters are shown as a window around the span.
const MAX_SNIPPET_WIDTH: usize = 120;

/// Clamps an offset into `text` and moves it back to a character boundary, so a span
/// from a stale or hostile source never makes rendering panic.
fn clamp(offset: TextSize, text: &str) -> TextSize {
    let mut offset = usize::from(offset).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    TextSize::try_from(offset).unwrap_or_default()
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    fn check(text: &str, range: std::ops::Range<u32>, expect: Expect) {
        let range = TextRange::new(range.start.into(), range.end.into());
        let mut diagnostic = Diagnostic::error(range, "something is wrong");
        diagnostic.notes.push("help: fix it".to_owned());
        let rendered = render(&diagnostic, "t.vx", text) + &render_json(&diagnostic, "t.vx", text);
        expect.assert_eq(&rendered);
    }

    #[test]
    fn underlines_the_primary_span() {
        check(
            "fn main() {\n    let x = 1 +;\n}\n",
            26..27,
            expect![[r#"
                t.vx:2:15: error: something is wrong
                   2 |     let x = 1 +;
                     |               ^
                      = help: fix it
                {"file":"t.vx","line":2,"column":15,"end_line":2,"end_column":16,"severity":"error","code":null,"message":"something is wrong","fixes":[]}"#]],
        );
    }

    #[test]
    fn empty_range_at_end_of_file_still_gets_a_caret() {
        check(
            "fn main() {",
            11..11,
            expect![[r#"
                t.vx:1:12: error: something is wrong
                   1 | fn main() {
                     |            ^
                      = help: fix it
                {"file":"t.vx","line":1,"column":12,"end_line":1,"end_column":12,"severity":"error","code":null,"message":"something is wrong","fixes":[]}"#]],
        );
    }

    #[test]
    fn long_lines_are_shown_around_the_span() {
        let text = format!("let x = {}oops{}\n", "1 + ".repeat(50), " + 2".repeat(50));
        check(
            &text,
            208..212,
            expect![[r#"
                t.vx:1:209: error: something is wrong
                   1 | ...1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + oops + 2 + 2 + 2 + 2 + 2 + 2 + 2 + 2 + 2 + 2 + 2 + 2 + 2 + 2...
                     |                                                                ^^^^
                      = help: fix it
                {"file":"t.vx","line":1,"column":209,"end_line":1,"end_column":213,"severity":"error","code":null,"message":"something is wrong","fixes":[]}"#]],
        );
    }

    #[test]
    fn columns_count_characters_and_spans_are_clamped() {
        check(
            "let s = \"é\" + ;\n",
            15..400,
            expect![[r#"
                t.vx:1:15: error: something is wrong
                   1 | let s = "é" + ;
                     |               ^
                      = help: fix it
                {"file":"t.vx","line":1,"column":15,"end_line":2,"end_column":1,"severity":"error","code":null,"message":"something is wrong","fixes":[]}"#]],
        );
    }
}
