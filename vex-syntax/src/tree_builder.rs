//! Builds the rowan green tree while the parser runs, from its markers and the lexer tokens.
//!
//! This is the only module that builds green nodes (it plays the role of rowan's
//! `GreenNodeBuilder`, with a cheaper token-sharing cache). It re-inserts trivia: trivia
//! before a token or before a node start go into the enclosing node, so comments and
//! blank lines sit between items rather than inside them; trailing trivia of the file go
//! into the root. Every lexer token is emitted exactly once, in order, so the tree's text
//! equals the input.

use crate::SyntaxKind;
use crate::lexer::Token;
use rowan::{GreenNode, GreenNodeData, GreenToken, GreenTokenData, NodeOrToken};

/// Shares green tokens and nodes whose text repeats: punctuation, keywords, single spaces
/// and indentation always; short identifiers, numbers and single-child nodes through small
/// direct-mapped caches. Sharing is a reference-count increment instead of an allocation
/// (and later a free). rowan's hash-consing `NodeCache` measured slower on large files.
#[derive(Default)]
struct GreenCache {
    fixed: Vec<Option<GreenToken>>,
    indents: Vec<Option<GreenToken>>,
    space: Option<GreenToken>,
    /// Direct-mapped cache of short identifiers and numbers (no probing, no growth).
    words: Vec<Option<GreenToken>>,
    /// Direct-mapped cache of single-child nodes (`NAME_REF x`, `PATH_TYPE i32`), keyed by
    /// kind and the child's address; the cached node keeps that child alive.
    wrappers: Vec<Option<(SyntaxKind, usize, GreenNode)>>,
}

/// Slots in each direct-mapped cache (a power of two).
const CACHE_SLOTS: usize = 1024;
/// Identifiers and numbers longer than this are not shared.
const MAX_SHARED_WORD: usize = 24;

fn mix(a: u64, b: u64) -> usize {
    let h = (a.rotate_left(5) ^ b).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 54) as usize & (CACHE_SLOTS - 1)
}

fn word_slot(kind: SyntaxKind, text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut head = [0u8; 8];
    let n = bytes.len().min(8);
    head[..n].copy_from_slice(&bytes[..n]);
    let tail = if bytes.len() > 8 { bytes[bytes.len() - 1] as u64 } else { 0 };
    mix(u64::from_le_bytes(head) ^ (tail << 56), (kind as u64) << 32 | bytes.len() as u64)
}

/// The longest indentation (a newline and spaces) whose token is shared.
const MAX_SHARED_INDENT: usize = 64;

impl GreenCache {
    fn token(&mut self, kind: SyntaxKind, text: &str) -> GreenToken {
        match kind {
            SyntaxKind::IDENT | SyntaxKind::INT_NUMBER => self.word(kind, text),
            SyntaxKind::WHITESPACE if text == " " => {
                self.space.get_or_insert_with(|| GreenToken::new(kind.into(), text)).clone()
            }
            SyntaxKind::NEWLINE
                if text.len() <= MAX_SHARED_INDENT
                    && text.starts_with('\n')
                    && text[1..].bytes().all(|b| b == b' ') =>
            {
                if self.indents.is_empty() {
                    self.indents.resize(MAX_SHARED_INDENT + 1, None);
                }
                let slot = &mut self.indents[text.len()];
                slot.get_or_insert_with(|| GreenToken::new(kind.into(), text)).clone()
            }
            _ => {
                if self.fixed.is_empty() {
                    self.fixed.resize(SyntaxKind::ALL.len(), None);
                }
                // Keywords and punctuation: one shared token per kind, made on first use.
                // A cached token's text is the kind's fixed text, so comparing lengths is
                // comparing texts.
                let slot = &mut self.fixed[kind as usize];
                match slot {
                    Some(token) if token.text().len() == text.len() => token.clone(),
                    None if kind.fixed_text() == Some(text) => {
                        slot.insert(GreenToken::new(kind.into(), text)).clone()
                    }
                    _ => GreenToken::new(kind.into(), text),
                }
            }
        }
    }

    /// Short identifiers and numbers, through the direct-mapped `words` cache.
    fn word(&mut self, kind: SyntaxKind, text: &str) -> GreenToken {
        if text.len() > MAX_SHARED_WORD {
            return GreenToken::new(kind.into(), text);
        }
        if self.words.is_empty() {
            self.words.resize(CACHE_SLOTS, None);
        }
        let slot = &mut self.words[word_slot(kind, text)];
        match slot {
            Some(token) if token.kind() == kind.into() && token.text() == text => token.clone(),
            _ => slot.insert(GreenToken::new(kind.into(), text)).clone(),
        }
    }
}

/// A child in a green tree.
pub(crate) type GreenElement = NodeOrToken<GreenNode, GreenToken>;

impl GreenCache {
    /// Builds a node from `children[first..]`, sharing single-child nodes.
    fn node(
        &mut self,
        kind: SyntaxKind,
        children: &mut Vec<GreenElement>,
        first: usize,
    ) -> GreenNode {
        if children.len() != first + 1 {
            return GreenNode::new(kind.into(), children.drain(first..));
        }
        let child = match &children[first] {
            NodeOrToken::Node(node) => &**node as *const GreenNodeData as usize,
            NodeOrToken::Token(token) => &**token as *const GreenTokenData as usize,
        };
        if self.wrappers.is_empty() {
            self.wrappers.resize(CACHE_SLOTS, None);
        }
        let slot = &mut self.wrappers[mix(child as u64, kind as u64)];
        if let Some((_, _, node)) = slot.as_ref().filter(|(k, c, _)| *k == kind && *c == child) {
            children.truncate(first);
            return node.clone();
        }
        let node = GreenNode::new(kind.into(), children.drain(first..));
        *slot = Some((kind, child, node.clone()));
        node
    }
}

/// The tree under construction: the children of all open nodes, in order, on one stack.
/// Open nodes are not recorded here: the parser's markers remember where their children
/// begin, so completing a node turns the top of the stack into one green node.
pub(crate) struct TreeBuilder<'a> {
    text: &'a str,
    tokens: &'a [Token],
    /// The next lexer token to emit.
    next: usize,
    children: Vec<GreenElement>,
    cache: GreenCache,
}

impl<'a> TreeBuilder<'a> {
    /// A builder that emits `tokens[next..]`.
    pub(crate) fn new(text: &'a str, tokens: &'a [Token], next: usize) -> TreeBuilder<'a> {
        TreeBuilder {
            text,
            tokens,
            next,
            children: Vec::with_capacity(64),
            cache: GreenCache::default(),
        }
    }

    /// Where the first child of a node will be on the stack when the node starts just
    /// before the lexer token `first_token`: trivia not yet emitted up to there belong to
    /// the enclosing node.
    pub(crate) fn node_start(&self, first_token: usize) -> usize {
        self.children.len() + first_token.saturating_sub(self.next)
    }

    /// Completes a node of `kind` whose children begin at `first` (from
    /// [`TreeBuilder::node_start`] or an earlier node's position).
    pub(crate) fn finish_node(&mut self, kind: SyntaxKind, first: usize) {
        // A node that ends before its first token still comes after the trivia that
        // preceded its start.
        while self.children.len() < first
            && self.next < self.tokens.len()
            && self.tokens[self.next].kind.is_trivia()
        {
            self.raw_token();
        }
        debug_assert!(first <= self.children.len(), "node start past its content");
        let first = first.min(self.children.len());
        let node = self.cache.node(kind, &mut self.children, first);
        self.children.push(node.into());
    }

    /// Emits pending trivia, then `n_raw` lexer tokens as one token of `kind`.
    pub(crate) fn token(&mut self, kind: SyntaxKind, n_raw: u8) {
        self.eat_trivia();
        let first = self.next;
        let last = (first + usize::from(n_raw)).min(self.tokens.len());
        if first >= last {
            return;
        }
        let range = self.tokens[first].range.cover(self.tokens[last - 1].range);
        let green = self.cache.token(kind, &self.text[range]);
        self.children.push(green.into());
        self.next = last;
    }

    /// Everything emitted at the top level, followed by whatever the parser did not
    /// consume (normally only trailing trivia).
    pub(crate) fn finish(mut self) -> Vec<GreenElement> {
        while self.next < self.tokens.len() {
            self.raw_token();
        }
        self.children
    }

    fn eat_trivia(&mut self) {
        while self.next < self.tokens.len() && self.tokens[self.next].kind.is_trivia() {
            self.raw_token();
        }
    }

    fn raw_token(&mut self) {
        let token = self.tokens[self.next];
        let green = self.cache.token(token.kind, &self.text[token.range]);
        self.children.push(green.into());
        self.next += 1;
    }
}
