//! Builds the rowan green tree from parser events and lexer tokens.
//!
//! This is the only module that touches `GreenNodeBuilder`. It re-inserts trivia: trivia
//! before a token or before a node start go into the currently open node, so comments and
//! blank lines sit between items rather than inside them; trailing trivia of the file go
//! into the root. Every lexer token is emitted exactly once, in order, so the tree's text
//! equals the input.

use crate::SyntaxKind;
use crate::lexer::Token;
use crate::parser::Event;
use rowan::{GreenNode, GreenNodeBuilder};

/// Turns `events` over the significant tokens of `tokens` into a green tree rooted at a
/// `SOURCE_FILE` node.
pub(crate) fn build_tree(text: &str, tokens: &[Token], mut events: Vec<Event>) -> GreenNode {
    let mut builder =
        TreeBuilder { text, tokens, next: 0, inner: GreenNodeBuilder::new(), depth: 0 };
    builder.inner.start_node(SyntaxKind::SOURCE_FILE.into());
    builder.depth = 1;
    let mut forward_kinds = Vec::new();
    for i in 0..events.len() {
        match std::mem::replace(&mut events[i], Event::Tombstone) {
            Event::Start { kind, forward_parent } => {
                // Collect the chain of nodes that must be opened before this one.
                forward_kinds.push(kind);
                let mut idx = i;
                let mut fp = forward_parent;
                while let Some(delta) = fp {
                    idx += delta as usize;
                    fp = match std::mem::replace(&mut events[idx], Event::Tombstone) {
                        Event::Start { kind, forward_parent } => {
                            forward_kinds.push(kind);
                            forward_parent
                        }
                        _ => None,
                    };
                }
                for kind in forward_kinds.drain(..).rev() {
                    builder.start_node(kind);
                }
            }
            Event::Finish => builder.finish_node(),
            Event::Token { kind, n_raw } => builder.token(kind, n_raw),
            Event::Tombstone => {}
        }
    }
    // Unbalanced events would be a parser bug; close what is open so the tree stays valid.
    while builder.depth > 1 {
        builder.finish_node();
    }
    // Whatever the parser did not consume (normally only trailing trivia) goes to the root.
    while builder.next < tokens.len() {
        builder.raw_token();
    }
    builder.inner.finish_node();
    builder.inner.finish()
}

struct TreeBuilder<'a> {
    text: &'a str,
    tokens: &'a [Token],
    next: usize,
    inner: GreenNodeBuilder<'static>,
    depth: u32,
}

impl TreeBuilder<'_> {
    fn eat_trivia(&mut self) {
        while self.next < self.tokens.len() && self.tokens[self.next].kind.is_trivia() {
            self.raw_token();
        }
    }

    fn raw_token(&mut self) {
        let token = self.tokens[self.next];
        self.inner.token(token.kind.into(), &self.text[token.range]);
        self.next += 1;
    }

    fn start_node(&mut self, kind: SyntaxKind) {
        if kind == SyntaxKind::EOF {
            // A marker that was never completed (a parser bug); skip it.
            return;
        }
        self.eat_trivia();
        self.inner.start_node(kind.into());
        self.depth += 1;
    }

    fn finish_node(&mut self) {
        if self.depth > 1 {
            self.inner.finish_node();
            self.depth -= 1;
        }
    }

    fn token(&mut self, kind: SyntaxKind, n_raw: u8) {
        self.eat_trivia();
        let first = self.next;
        let last = (first + usize::from(n_raw)).min(self.tokens.len());
        if first >= last {
            return;
        }
        let range = self.tokens[first].range.cover(self.tokens[last - 1].range);
        self.inner.token(kind.into(), &self.text[range]);
        self.next = last;
    }
}
