//! `vex-syntax`: the lexer, the error-tolerant parser and the lossless syntax tree of Vex.
//!
//! `parse(text)` never fails: it returns a [`Parse`] holding a rowan green tree whose text
//! is exactly the input, plus the syntax errors found. The typed wrappers in [`ast`]
//! give structured access to the tree for later stages (name resolution, type checking).
//! Forms outside Vex Core (generics on user items, `impl`, ternaries, references, …) still
//! parse into their own nodes so that later stages can report them with a precise span.
//! This crate knows nothing about types, salsa or code generation.
//!
//! Parsing is fast on large files and after edits: [`parse`] cuts a file of 512 KiB or
//! more into pieces at item boundaries and parses them on all cores, and [`reparse`]
//! parses again only the items an edit touched, sharing the rest of the old tree. Both
//! give exactly the tree and errors of parsing the whole text in one go.
//!
//! ```
//! use vex_syntax::ast::{self, AstNode};
//!
//! let parse = vex_syntax::parse("fn add(a: i32, b: i32): i32 { a + b }");
//! assert!(parse.errors().is_empty());
//! let file: ast::SourceFile = parse.tree();
//! let Some(ast::Item::Fn(func)) = file.items().next() else { panic!("expected a fn") };
//! assert_eq!(func.name().unwrap().text(), "add");
//! assert_eq!(parse.syntax_node().to_string(), "fn add(a: i32, b: i32): i32 { a + b }");
//! ```

pub mod ast;
mod description;
mod grammar;
mod lexer;
mod line_index;
mod parallel;
mod parser;
mod reparse;
mod syntax_kind;
#[cfg(feature = "testing")]
pub mod testing;
mod tree_builder;

#[cfg(test)]
mod tests;

use std::fmt::Write as _;

pub use lexer::{Token, lex};
pub use line_index::{LineCol, LineIndex};
pub use reparse::reparse;
pub use rowan::{GreenNode, GreenNodeData, TextRange, TextSize};

/// A position-dependent pointer to a node of a tree (its kind and range): resolved
/// against the same tree's root by binary search over each level's children, so a
/// query can reach one item of a large file without walking the file.
pub type SyntaxNodePtr = rowan::ast::SyntaxNodePtr<VexLanguage>;
pub use syntax_kind::{
    SyntaxElement, SyntaxKind, SyntaxNode, SyntaxNodeChildren, SyntaxToken, VexLanguage,
};

/// A syntax error: a message and the text range it applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{message} at {range:?}")]
pub struct SyntaxError {
    message: String,
    range: TextRange,
}

impl SyntaxError {
    /// Creates an error with `message` at `range`.
    pub fn new(message: impl Into<String>, range: TextRange) -> SyntaxError {
        SyntaxError { message: message.into(), range }
    }

    /// The human-readable message, e.g. "expected `)`, found `{`".
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The range of text the error applies to (empty for "missing" errors).
    pub fn range(&self) -> TextRange {
        self.range
    }
}

/// The result of parsing one file: a lossless green tree and the syntax errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parse {
    green: rowan::GreenNode,
    errors: Vec<SyntaxError>,
}

impl Parse {
    /// The root of the syntax tree (a `SOURCE_FILE` node).
    pub fn syntax_node(&self) -> SyntaxNode {
        SyntaxNode::new_root(self.green.clone())
    }

    /// The root as a typed AST node.
    pub fn tree(&self) -> ast::SourceFile {
        ast::SourceFile { syntax: self.syntax_node() }
    }

    /// Lexical and syntax errors, sorted by position.
    pub fn errors(&self) -> &[SyntaxError] {
        &self.errors
    }

    /// The green (position-independent, shareable) tree.
    pub fn green(&self) -> &rowan::GreenNode {
        &self.green
    }
}

/// Parses a Vex source file. Never fails and never loses text:
/// `parse(s).syntax_node().to_string() == s` for every `s`.
pub fn parse(text: &str) -> Parse {
    parse_in_pieces(text, parallel::MIN_PIECE, parallel::max_pieces())
}

/// [`parse`], cutting files of at least two `min_piece` bytes into at most `max_pieces`
/// pieces parsed on separate threads (`parse` uses 256 KiB and one piece per core). The
/// result does not depend on how the file is cut; this is public so that fuzzing can
/// check that on any input.
#[doc(hidden)]
pub fn parse_in_pieces(text: &str, min_piece: usize, max_pieces: usize) -> Parse {
    let (tokens, mut errors) = lexer::lex(text);
    let (green, parse_errors) =
        parallel::parse_tokens(text, &tokens, &errors, min_piece, max_pieces);
    errors.extend(parse_errors);
    errors.sort_by_key(|error| (error.range.start(), error.range.end()));
    Parse { green, errors }
}

/// Prints a tree as indented `KIND@START..END` lines, tokens with their text quoted:
///
/// ```
/// let parse = vex_syntax::parse("let");
/// let dump = vex_syntax::debug_dump(&parse.syntax_node());
/// assert!(dump.starts_with("SOURCE_FILE@0..3\n"));
/// ```
pub fn debug_dump(node: &SyntaxNode) -> String {
    let mut out = String::new();
    let mut indent = 0usize;
    for event in node.preorder_with_tokens() {
        match event {
            rowan::WalkEvent::Enter(element) => {
                let range = element.text_range();
                let _ =
                    write!(out, "{:indent$}{:?}@{:?}", "", element.kind(), range, indent = indent);
                if let rowan::NodeOrToken::Token(token) = &element {
                    let _ = write!(out, " {:?}", token.text());
                }
                out.push('\n');
                indent += 2;
            }
            rowan::WalkEvent::Leave(_) => indent -= 2,
        }
    }
    out
}
