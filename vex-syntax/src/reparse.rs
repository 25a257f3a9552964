//! Re-parsing after an edit: only the top-level items the edit touched are lexed and
//! parsed again; the others are the previous tree's green nodes, shared.
//!
//! This is the argument of `parallel.rs` with three pieces: the items before the edit,
//! the items it touched, and the items after it. The old tree is cut at two item
//! boundaries around the edit, each an item keyword at the start of an unindented line
//! after a `}`, and the middle is parsed on its own. That gives the tree of a whole parse
//! when nothing before the end of the middle has an error, in the old text or in the new
//! one: then no piece's parse looked past its end, so the pieces before and after parse
//! as they did. Otherwise the whole text is parsed again.

use crate::lexer;
use crate::parallel;
use crate::parser::{Parser, significant_tokens};
use crate::tree_builder::GreenElement;
use crate::{Parse, SyntaxError, SyntaxKind, TextRange, TextSize, grammar};
use SyntaxKind::*;
use rowan::{GreenNode, NodeOrToken};

/// The parse of `new_text`, reusing what it can of `old`, the parse of `old_text`. Equal
/// to [`crate::parse`]`(new_text)` in every case.
pub fn reparse(old: &Parse, old_text: &str, new_text: &str) -> Parse {
    incremental(old, old_text, new_text).unwrap_or_else(|| crate::parse(new_text))
}

/// A child of a green node.
type GreenChild<'a> = NodeOrToken<&'a rowan::GreenNodeData, &'a rowan::GreenTokenData>;

pub(crate) fn incremental(old: &Parse, old_text: &str, new_text: &str) -> Option<Parse> {
    if usize::from(old.green.text_len()) != old_text.len() {
        return None;
    }
    let Some((start, old_end, new_end)) = changed_range(old_text, new_text) else {
        return Some(old.clone());
    };

    // Where text after the edit moved to (`offset` is past the edit in the old text).
    let moved = |offset: usize| offset + new_end - old_end;

    // The root's children, each with its offset, and which of them are items.
    let mut offset = 0usize;
    let children: Vec<(usize, GreenChild<'_>)> = old
        .green
        .children()
        .map(|child| {
            let at = offset;
            offset += usize::from(child.text_len());
            (at, child)
        })
        .collect();
    let items: Vec<usize> =
        (0..children.len()).filter(|&i| children[i].1.as_node().is_some()).collect();
    // The middle starts at the item before the one holding the start of the edit (so
    // that its first tokens are untouched), or at the start of the file.
    let holding = items.iter().rposition(|&i| children[i].0 < start)?;
    let first = if holding == 0 { 0 } else { items[holding - 1] };
    let middle_start = children.get(first).map_or(0, |&(at, _)| at);
    // It stops at the first item that starts after the edit, or at the end of the file.
    let last = items.iter().copied().find(|&i| children[i].0 > old_end);
    let (middle_end_old, middle_end) = match last {
        Some(i) => (children[i].0, moved(children[i].0)),
        None => (old_text.len(), new_text.len()),
    };
    if old.errors.iter().any(|e| usize::from(e.range().start()) < middle_end_old) {
        return None;
    }
    if first > 0
        && !starts_unindented_item_after_brace(
            &children[..first],
            children[first].1,
            new_text,
            middle_start,
        )
    {
        return None;
    }

    // Lex and parse the middle.
    let (mut tokens, lex_errors) = lexer::lex(&new_text[middle_start..middle_end]);
    if !lex_errors.is_empty() {
        return None;
    }
    let shift = TextSize::try_from(middle_start).ok()?;
    for token in &mut tokens {
        token.range += shift;
    }
    let sig = significant_tokens(new_text, &tokens);
    if let Some(i) = last {
        // The next item must start unindented after a `}`, as a cut.
        let NodeOrToken::Node(node) = children[i].1 else { return None };
        if sig.last().map(|t| t.kind) != Some(R_BRACE)
            || !new_text[..middle_end].ends_with('\n')
            || !starts_item(node)
        {
            return None;
        }
    }
    let mut parser = Parser::new(new_text, &tokens, &sig, 0, 0);
    grammar::source_file(&mut parser);
    let (middle, errors) = parser.finish();
    if !errors.is_empty() {
        return None;
    }

    // The old errors are all after the middle.
    let move_range = |range: TextRange| -> Option<TextRange> {
        let start = TextSize::try_from(moved(range.start().into())).ok()?;
        Some(TextRange::new(start, TextSize::try_from(moved(range.end().into())).ok()?))
    };
    let errors = old
        .errors
        .iter()
        .map(|e| Some(SyntaxError::new(e.message(), move_range(e.range())?)))
        .collect::<Option<Vec<SyntaxError>>>()?;
    let after = last.unwrap_or(children.len());
    let root_children: Vec<GreenElement> = children[..first]
        .iter()
        .map(|&(_, child)| to_owned(child))
        .chain(middle)
        .chain(children[after..].iter().map(|&(_, child)| to_owned(child)))
        .collect();
    Some(Parse { green: GreenNode::new(SOURCE_FILE.into(), root_children), errors })
}

/// The byte ranges that differ: `start..old_end` in the old text was replaced by
/// `start..new_end` in the new one. `None` when the texts are equal.
fn changed_range(old: &str, new: &str) -> Option<(usize, usize, usize)> {
    let (old_bytes, new_bytes) = (old.as_bytes(), new.as_bytes());
    let mut start = common_prefix(old_bytes, new_bytes);
    if start == old.len() && start == new.len() {
        return None;
    }
    while !old.is_char_boundary(start) || !new.is_char_boundary(start) {
        start -= 1;
    }
    let max_suffix = old.len().min(new.len()) - start;
    let mut suffix =
        common_suffix(&old_bytes[old.len() - max_suffix..], &new_bytes[new.len() - max_suffix..]);
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    Some((start, old.len() - suffix, new.len() - suffix))
}

/// Texts are compared a block at a time (`memcmp`), then byte by byte in the block
/// that differs: a byte loop would be most of the time of a re-parse of a large file.
const BLOCK: usize = 256;

/// The length of the longest common prefix of `a` and `b`.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let len = a.len().min(b.len());
    let mut at = 0;
    while at + BLOCK <= len && a[at..at + BLOCK] == b[at..at + BLOCK] {
        at += BLOCK;
    }
    at + a[at..len].iter().zip(&b[at..len]).take_while(|(x, y)| x == y).count()
}

/// The length of the longest common suffix of `a` and `b`, which have the same length.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let len = a.len();
    let mut at = len;
    while at >= BLOCK && a[at - BLOCK..at] == b[at - BLOCK..at] {
        at -= BLOCK;
    }
    len - at + a[..at].iter().rev().zip(b[..at].iter().rev()).take_while(|(x, y)| x == y).count()
}

fn to_owned(child: GreenChild<'_>) -> GreenElement {
    match child {
        NodeOrToken::Node(node) => NodeOrToken::Node(node.to_owned()),
        NodeOrToken::Token(token) => NodeOrToken::Token(token.to_owned()),
    }
}

/// Whether `node` starts with an item keyword (`async fn` included).
fn starts_item(node: &rowan::GreenNodeData) -> bool {
    let mut kinds = significant_kinds(node);
    kinds.next().is_some_and(|first| parallel::starts_item(first, || kinds.next()))
}

/// Whether the item `node`, at `offset` after the root's children `before`, starts an
/// unindented line after a `}`.
fn starts_unindented_item_after_brace(
    before: &[(usize, GreenChild<'_>)],
    node: GreenChild<'_>,
    text: &str,
    offset: usize,
) -> bool {
    let NodeOrToken::Node(node) = node else { return false };
    let previous = before.iter().rev().find_map(|(_, child)| match child {
        NodeOrToken::Node(node) => significant_kinds(node).last(),
        NodeOrToken::Token(token) => {
            let kind = SyntaxKind::from_raw(token.kind().0);
            (!kind.is_trivia()).then_some(kind)
        }
    });
    starts_item(node)
        && previous == Some(R_BRACE)
        && offset.checked_sub(1).is_some_and(|before| text.as_bytes()[before] == b'\n')
}

/// The kinds of the significant tokens of `node`, in order.
fn significant_kinds(node: &rowan::GreenNodeData) -> impl Iterator<Item = SyntaxKind> + '_ {
    let mut stack = vec![node.children()];
    std::iter::from_fn(move || {
        while let Some(children) = stack.last_mut() {
            match children.next() {
                None => {
                    stack.pop();
                }
                Some(NodeOrToken::Node(child)) => stack.push(child.children()),
                Some(NodeOrToken::Token(token)) => {
                    let kind = SyntaxKind::from_raw(token.kind().0);
                    if !kind.is_trivia() {
                        return Some(kind);
                    }
                }
            }
        }
        None
    })
}
