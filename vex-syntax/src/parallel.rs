//! Parsing a large file in pieces, one thread per piece, with the same result as parsing
//! it in one go.
//!
//! A file is a list of items, and the parser leaves nothing behind between two items: at
//! the start of each it is in the same state as at the start of the file. So the file is
//! cut before items and the pieces are parsed at the same time, each up to the next cut
//! as its end of input; the root node gets the pieces' top-level children in order.
//!
//! A cut is only taken where an item surely starts: an item keyword (`fn`, `async fn`,
//! `struct`, `enum`, `const`, `extern`) at the start of an unindented line, right after a
//! `}`. That can still be inside an unclosed block, or the item before may not end there,
//! but then the piece before the cut does not parse cleanly: it reports a missing `}`
//! (an item at column zero ends a statement list) or another error at its end of input.
//! So a piece is kept only when every piece before it parsed without any error, lexical
//! ones included; from the first piece with an error on, the rest of the file is parsed
//! again in one go. The last piece may have errors: it ends where the file does.

use crate::lexer::Token;
use crate::parser::{InputToken, Parser, significant_tokens};
use crate::tree_builder::GreenElement;
use crate::{SyntaxError, SyntaxKind, grammar};
use SyntaxKind::*;
use rowan::GreenNode;

/// The smallest piece worth a thread: starting one costs tens of microseconds, parsing
/// 256 KiB several milliseconds.
pub(crate) const MIN_PIECE: usize = 256 * 1024;

/// The most pieces a file is cut into.
const MAX_PIECES: usize = 16;

/// Stack for a piece's thread: what the main thread of a process usually has, so a deeply
/// nested piece parses wherever the whole file would.
const STACK_SIZE: usize = 8 * 1024 * 1024;

/// How many pieces a file may be cut into: one per core, up to 16.
pub(crate) fn max_pieces() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from).min(MAX_PIECES)
}

/// Parses the lexer tokens `raw` of `text` into a `SOURCE_FILE` tree and the syntax
/// errors, in at most `max_pieces` pieces of at least `min_piece` bytes.
/// `lex_errors` are the lexer's errors, which make a piece's parse unusable as a prefix.
pub(crate) fn parse_tokens(
    text: &str,
    raw: &[Token],
    lex_errors: &[SyntaxError],
    min_piece: usize,
    max_pieces: usize,
) -> (GreenNode, Vec<SyntaxError>) {
    let tokens = significant_tokens(text, raw);
    let pieces = (text.len() / min_piece.max(1)).min(max_pieces);
    let cuts = if pieces > 1 { cuts(text, raw, &tokens, pieces) } else { Vec::new() };
    let (children, errors) = parse_pieces(text, raw, &tokens, &cuts, lex_errors);
    (GreenNode::new(SOURCE_FILE.into(), children), errors)
}

/// Where the pieces after the first begin: indices into `tokens`, increasing, at most
/// `pieces - 1` of them, each the first cut point at or after an equal share of the text.
fn cuts(text: &str, raw: &[Token], tokens: &[InputToken], pieces: usize) -> Vec<usize> {
    let start_of = |index: usize| usize::from(raw[tokens[index].raw as usize].range.start());
    let mut cuts = Vec::with_capacity(pieces - 1);
    for piece in 1..pieces {
        let target = text.len() / pieces * piece;
        let from = tokens
            .partition_point(|token| usize::from(raw[token.raw as usize].range.start()) < target);
        let from = from.max(cuts.last().map_or(1, |&last| last + 1));
        if let Some(cut) = (from..tokens.len()).find(|&i| is_cut(text, tokens, i, start_of(i))) {
            cuts.push(cut);
        }
    }
    cuts
}

/// Whether an item surely starts at `tokens[i]`, which starts at byte `start`.
fn is_cut(text: &str, tokens: &[InputToken], i: usize, start: usize) -> bool {
    starts_item(tokens[i].kind, || tokens.get(i + 1).map(|next| next.kind))
        && i > 0
        && tokens[i - 1].kind == R_BRACE
        && start > 0
        && text.as_bytes()[start - 1] == b'\n'
}

/// Whether a token of kind `first`, followed by one of kind `second()`, is an item keyword
/// (`fn`, `async fn`, `struct`, `enum`, `const`, `extern`): where a cut may be.
pub(crate) fn starts_item(first: SyntaxKind, second: impl FnOnce() -> Option<SyntaxKind>) -> bool {
    match first {
        FN_KW | STRUCT_KW | ENUM_KW | CONST_KW | EXTERN_KW => true,
        ASYNC_KW => second() == Some(FN_KW),
        _ => false,
    }
}

/// Parses the pieces that begin at `cuts` (the first at the start) on their own threads,
/// keeps them up to the first one with an error before its end, and parses the rest of
/// the file again in one go from there.
fn parse_pieces(
    text: &str,
    raw: &[Token],
    tokens: &[InputToken],
    cuts: &[usize],
    lex_errors: &[SyntaxError],
) -> (Vec<GreenElement>, Vec<SyntaxError>) {
    let bounds: Vec<(usize, usize)> = std::iter::once(0)
        .chain(cuts.iter().copied())
        .zip(cuts.iter().copied().chain(std::iter::once(tokens.len())))
        .collect();
    let raw_index = |token: usize| tokens.get(token).map_or(raw.len(), |t| t.raw as usize);
    // The trivia before a cut go with the piece before it, as they would go to the root
    // between the two items.
    let parse_piece = |(start, end): (usize, usize)| {
        let raw_start = if start == 0 { 0 } else { raw_index(start) };
        let mut parser =
            Parser::new(text, &raw[..raw_index(end)], &tokens[..end], start, raw_start);
        grammar::source_file(&mut parser);
        parser.finish()
    };
    let results: Vec<(Vec<GreenElement>, Vec<SyntaxError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds[1..]
            .iter()
            .map(|&bound| {
                std::thread::Builder::new()
                    .name("vex-parse".to_string())
                    .stack_size(STACK_SIZE)
                    .spawn_scoped(scope, move || parse_piece(bound))
                    .map_err(|_| bound)
            })
            .collect();
        let first = parse_piece(bounds[0]);
        std::iter::once(first)
            .chain(handles.into_iter().map(|handle| match handle {
                Ok(handle) => {
                    handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                }
                // No thread to be had: parse the piece here.
                Err(bound) => parse_piece(bound),
            }))
            .collect()
    });

    let mut children = Vec::new();
    let mut errors = Vec::new();
    for (piece, (piece_children, piece_errors)) in results.into_iter().enumerate() {
        let (start, end) = bounds[piece];
        let is_last = piece + 1 == bounds.len();
        let end_offset = raw.get(raw_index(end)).map_or(text.len(), |t| t.range.start().into());
        let lexically_clean =
            !lex_errors.iter().any(|error| usize::from(error.range().start()) < end_offset);
        if is_last || (piece_errors.is_empty() && lexically_clean) {
            children.extend(piece_children);
            errors.extend(piece_errors);
            continue;
        }
        // This piece may end inside an item: parse from its start to the end of the file.
        let (rest_children, rest_errors) = parse_piece((start, tokens.len()));
        children.extend(rest_children);
        errors.extend(rest_errors);
        break;
    }
    (children, errors)
}
