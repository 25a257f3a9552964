//! Builds the rowan green tree from parser events and lexer tokens.
//!
//! This is the only module that builds green nodes (it plays the role of rowan's
//! `GreenNodeBuilder`, with a cheaper token-sharing cache). It re-inserts trivia: trivia
//! before a token or before a node start go into the currently open node, so comments and
//! blank lines sit between items rather than inside them; trailing trivia of the file go
//! into the root. Every lexer token is emitted exactly once, in order, so the tree's text
//! equals the input.

use crate::SyntaxKind;
use crate::lexer::Token;
use crate::parser::Event;
use rowan::{GreenNode, GreenNodeData, GreenToken, GreenTokenData, NodeOrToken};

/// Turns `events` over the significant tokens of `tokens` into a green tree rooted at a
/// `SOURCE_FILE` node.
pub(crate) fn build_tree<'a>(
    text: &'a str,
    tokens: &'a [Token],
    mut events: Vec<Event>,
) -> GreenNode {
    let mut builder = TreeBuilder {
        text,
        tokens,
        next: 0,
        parents: Vec::new(),
        children: Vec::with_capacity(64),
        cache: GreenCache::default(),
    };
    builder.parents.push((SyntaxKind::SOURCE_FILE, 0));
    let mut forward_kinds = Vec::new();
    for i in 0..events.len() {
        match events[i] {
            Event::Start { kind, forward_parent } => {
                // Collect the chain of nodes that must be opened before this one.
                forward_kinds.push(kind);
                let mut idx = i;
                let mut fp = forward_parent;
                while fp != 0 {
                    idx += fp as usize;
                    fp = match std::mem::replace(&mut events[idx], Event::Tombstone) {
                        Event::Start { kind, forward_parent } => {
                            forward_kinds.push(kind);
                            forward_parent
                        }
                        _ => 0,
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
    while builder.parents.len() > 1 {
        builder.finish_node();
    }
    // Whatever the parser did not consume (normally only trailing trivia) goes to the root.
    while builder.next < tokens.len() {
        builder.raw_token();
    }
    let (kind, first) = builder.parents.pop().unwrap_or((SyntaxKind::SOURCE_FILE, 0));
    GreenNode::new(kind.into(), builder.children.drain(first..))
}

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
        let slot = match kind {
            SyntaxKind::WHITESPACE if text == " " => Some(&mut self.space),
            SyntaxKind::NEWLINE
                if text.len() <= MAX_SHARED_INDENT
                    && text.starts_with('\n')
                    && text[1..].bytes().all(|b| b == b' ') =>
            {
                if self.indents.is_empty() {
                    self.indents.resize(MAX_SHARED_INDENT + 1, None);
                }
                Some(&mut self.indents[text.len()])
            }
            _ if kind.fixed_text() == Some(text) => {
                if self.fixed.is_empty() {
                    self.fixed.resize(usize::from(SyntaxKind::SOURCE_FILE as u16), None);
                }
                self.fixed.get_mut(kind as usize)
            }
            SyntaxKind::IDENT | SyntaxKind::INT_NUMBER if text.len() <= MAX_SHARED_WORD => {
                if self.words.is_empty() {
                    self.words.resize(CACHE_SLOTS, None);
                }
                let slot = &mut self.words[word_slot(kind, text)];
                if let Some(token) =
                    slot.as_ref().filter(|t| t.kind() == kind.into() && t.text() == text)
                {
                    return token.clone();
                }
                return slot.insert(GreenToken::new(kind.into(), text)).clone();
            }
            _ => None,
        };
        match slot {
            Some(Some(token)) => token.clone(),
            Some(empty) => empty.insert(GreenToken::new(kind.into(), text)).clone(),
            None => GreenToken::new(kind.into(), text),
        }
    }
}

type GreenElement = NodeOrToken<GreenNode, GreenToken>;

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

struct TreeBuilder<'a> {
    text: &'a str,
    tokens: &'a [Token],
    next: usize,
    /// Open nodes: their kind and the index of their first child in `children`.
    parents: Vec<(SyntaxKind, usize)>,
    children: Vec<GreenElement>,
    cache: GreenCache,
}

impl<'a> TreeBuilder<'a> {
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

    fn start_node(&mut self, kind: SyntaxKind) {
        if kind == SyntaxKind::EOF {
            // A marker that was never completed (a parser bug); skip it.
            return;
        }
        self.eat_trivia();
        self.parents.push((kind, self.children.len()));
    }

    fn finish_node(&mut self) {
        if self.parents.len() > 1 {
            let (kind, first) = self.parents.pop().unwrap_or((SyntaxKind::ERROR, 0));
            let node = self.cache.node(kind, &mut self.children, first);
            self.children.push(node.into());
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
        let green = self.cache.token(kind, &self.text[range]);
        self.children.push(green.into());
        self.next = last;
    }
}
