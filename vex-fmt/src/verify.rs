//! The formatter's promises as checks, for tests, fuzzers and cautious tools.
//!
//! [`verify`] takes a source and its formatted text and checks that the formatted text
//! parses without errors, has the same tree as the source once trivia and the optional
//! commas of lists are set aside ([`structure`]), keeps every comment in order
//! ([`comments`]), and formats to itself. It must stay independent of how the
//! formatter works: it only looks at the two texts.

use std::fmt;

use vex_syntax::{SyntaxKind, SyntaxNode, SyntaxToken};

/// A broken promise of the formatter, with enough context to find the cause.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Violation {
    /// The source has syntax errors, so there is nothing to compare.
    SourceHasErrors,
    /// The formatted text does not parse; the first error's message.
    OutputHasErrors(String),
    /// The trees differ: the first differing lines of the two [`structure`] dumps.
    TreeChanged {
        /// The line of the source's dump.
        source: String,
        /// The line of the formatted text's dump.
        formatted: String,
    },
    /// The comments differ: the first differing comment of each side.
    CommentsChanged {
        /// The source's comment (or `None` if the source has fewer).
        source: Option<String>,
        /// The formatted text's comment (or `None` if it has fewer).
        formatted: Option<String>,
    },
    /// Formatting the formatted text changes it: the first differing line of each.
    NotIdempotent {
        /// The line of the once-formatted text.
        once: String,
        /// The line of the twice-formatted text.
        twice: String,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::SourceHasErrors => write!(f, "the source has syntax errors"),
            Violation::OutputHasErrors(message) => {
                write!(f, "the formatted text does not parse: {message}")
            }
            Violation::TreeChanged { source, formatted } => {
                write!(f, "the tree changed: `{source}` became `{formatted}`")
            }
            Violation::CommentsChanged { source, formatted } => {
                write!(f, "the comments changed: {source:?} became {formatted:?}")
            }
            Violation::NotIdempotent { once, twice } => {
                write!(f, "formatting is not idempotent: {once:?} became {twice:?}")
            }
        }
    }
}

impl std::error::Error for Violation {}

/// Checks every promise of [`crate::format`] for `source` and its formatted text.
pub fn verify(source: &str, formatted: &str) -> Result<(), Violation> {
    let source_parse = vex_syntax::parse(source);
    if !source_parse.errors().is_empty() {
        return Err(Violation::SourceHasErrors);
    }
    let formatted_parse = vex_syntax::parse(formatted);
    if let Some(error) = formatted_parse.errors().first() {
        return Err(Violation::OutputHasErrors(error.to_string()));
    }
    let before = dump(&source_parse.syntax_node());
    let after = dump(&formatted_parse.syntax_node());
    if before != after {
        let (source, formatted) = first_difference(&before, &after);
        return Err(Violation::TreeChanged { source, formatted });
    }
    let before = comments(source);
    let after = comments(formatted);
    if before != after {
        let index = before.iter().zip(&after).take_while(|(a, b)| a == b).count();
        return Err(Violation::CommentsChanged {
            source: before.get(index).cloned(),
            formatted: after.get(index).cloned(),
        });
    }
    match crate::format(formatted) {
        Ok(twice) if twice == formatted => Ok(()),
        Ok(twice) => {
            let (once, twice) = first_difference(formatted, &twice);
            Err(Violation::NotIdempotent { once, twice })
        }
        Err(errors) => Err(Violation::OutputHasErrors(errors[0].to_string())),
    }
}

/// The tree of `text` without trivia and without the commas the layout decides (all
/// commas of struct fields, variants, struct literals and arms; trailing commas of
/// other lists), one node or token per line: `KIND` for nodes, `KIND "text"` for tokens,
/// indented by depth. Two texts with the same structure are the same program.
pub fn structure(text: &str) -> String {
    dump(&vex_syntax::parse(text).syntax_node())
}

/// The comments of `text` in order, without trailing whitespace.
pub fn comments(text: &str) -> Vec<String> {
    vex_syntax::lex(text)
        .0
        .iter()
        .filter(|token| matches!(token.kind, SyntaxKind::COMMENT | SyntaxKind::DOC_COMMENT))
        .map(|token| text[token.range].trim_end().to_owned())
        .collect()
}

fn dump(root: &SyntaxNode) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut depth = 0usize;
    for event in root.preorder_with_tokens() {
        match event {
            rowan::WalkEvent::Enter(rowan::NodeOrToken::Node(node)) => {
                let _ = writeln!(out, "{:depth$}{:?}", "", node.kind(), depth = depth * 2);
                depth += 1;
            }
            rowan::WalkEvent::Leave(rowan::NodeOrToken::Node(_)) => depth -= 1,
            rowan::WalkEvent::Enter(rowan::NodeOrToken::Token(token)) => {
                if token.kind().is_trivia() || is_layout_comma(&token) {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "{:depth$}{:?} {:?}",
                    "",
                    token.kind(),
                    token.text(),
                    depth = depth * 2
                );
            }
            rowan::WalkEvent::Leave(rowan::NodeOrToken::Token(_)) => {}
        }
    }
    out
}

/// Whether a comma is one the formatter may add or drop.
fn is_layout_comma(token: &SyntaxToken) -> bool {
    use SyntaxKind::*;
    if token.kind() != COMMA {
        return false;
    }
    let Some(parent) = token.parent() else { return false };
    match parent.kind() {
        RECORD_FIELD_LIST
        | VARIANT_LIST
        | RECORD_EXPR_FIELD_LIST
        | MATCH_ARM_LIST
        | SELECT_ARM_LIST => true,
        ARG_LIST | PARAM_LIST | TUPLE_EXPR | TUPLE_PAT | TUPLE_STRUCT_PAT | ARRAY_EXPR => {
            let mut next = token.next_sibling_or_token();
            while let Some(element) = next {
                if element.as_node().is_some() {
                    return false;
                }
                next = element.next_sibling_or_token();
            }
            true
        }
        _ => false,
    }
}

/// The first line where `a` and `b` differ (an empty string past the end of one).
fn first_difference(a: &str, b: &str) -> (String, String) {
    let mut left = a.lines();
    let mut right = b.lines();
    loop {
        match (left.next(), right.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (None, None) => return (String::new(), String::new()),
            (x, y) => return (x.unwrap_or("").to_owned(), y.unwrap_or("").to_owned()),
        }
    }
}
