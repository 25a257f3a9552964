//! `SyntaxKind` helpers and the rowan language glue (`VexLanguage`, `SyntaxNode`, …).
//!
//! The kinds themselves are generated from `description.rs`; this module only adds
//! classification helpers. It must not list kinds by hand except in small predicates.

pub use crate::description::SyntaxKind;

impl SyntaxKind {
    /// Whether tokens of this kind are trivia (whitespace, newlines, comments).
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            SyntaxKind::WHITESPACE
                | SyntaxKind::NEWLINE
                | SyntaxKind::COMMENT
                | SyntaxKind::DOC_COMMENT
        )
    }

    /// Whether this kind is a node kind (as opposed to a token kind).
    pub fn is_node(self) -> bool {
        self >= SyntaxKind::ERROR
    }

    /// Whether this is a literal token kind.
    pub fn is_literal(self) -> bool {
        matches!(
            self,
            SyntaxKind::INT_NUMBER
                | SyntaxKind::FLOAT_NUMBER
                | SyntaxKind::STRING
                | SyntaxKind::TRUE_KW
                | SyntaxKind::FALSE_KW
        )
    }

    /// A short human-readable description used in "expected …" messages.
    pub fn describe(self) -> String {
        match self.fixed_text() {
            Some(text) => format!("`{text}`"),
            None => match self {
                SyntaxKind::IDENT => "an identifier".to_string(),
                SyntaxKind::EOF => "end of file".to_string(),
                SyntaxKind::STRING => "a string".to_string(),
                SyntaxKind::INT_NUMBER => "an integer".to_string(),
                other => format!("{other:?}"),
            },
        }
    }
}

impl From<SyntaxKind> for rowan::SyntaxKind {
    fn from(kind: SyntaxKind) -> rowan::SyntaxKind {
        rowan::SyntaxKind(kind as u16)
    }
}

/// The rowan language tag for Vex trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VexLanguage {}

impl rowan::Language for VexLanguage {
    type Kind = SyntaxKind;

    fn kind_from_raw(raw: rowan::SyntaxKind) -> SyntaxKind {
        SyntaxKind::from_raw(raw.0)
    }

    fn kind_to_raw(kind: SyntaxKind) -> rowan::SyntaxKind {
        kind.into()
    }
}

/// A node of a Vex syntax tree (red tree: knows its parent and offset).
pub type SyntaxNode = rowan::SyntaxNode<VexLanguage>;
/// A token of a Vex syntax tree.
pub type SyntaxToken = rowan::SyntaxToken<VexLanguage>;
/// A node or a token.
pub type SyntaxElement = rowan::SyntaxElement<VexLanguage>;
/// Iterator over the child nodes of a node.
pub type SyntaxNodeChildren = rowan::SyntaxNodeChildren<VexLanguage>;
