//! The parser engine: a cursor over significant tokens that records events.
//!
//! Grammar functions (in `grammar/`) drive a `Parser`: they look at the current token,
//! open nodes with `start()` markers, `bump()` tokens and `complete()` or `precede()`
//! markers. Each step goes straight to `tree_builder`, which keeps the children of the
//! open nodes on one stack and re-inserts trivia; a marker is the stack position where
//! its node's children begin, so `precede` (wrapping an already completed node) costs
//! nothing and no list of events is stored. Trivia are invisible here except for one
//! bit per token: whether a line break precedes it (the newline rule of LANGUAGE.md §1).
//! This module must not know grammar rules.

use crate::lexer::Token;
use crate::tree_builder::{GreenElement, TreeBuilder};
use crate::{SyntaxError, SyntaxKind, TextRange, TextSize};
use SyntaxKind::*;
use std::cell::Cell;

/// The deepest nesting of expressions, blocks, types and patterns we parse structurally.
/// Deeper input is reported as "nesting too deep" and kept flat in an `ERROR` node, which
/// keeps parsing, printing and dropping trees within a small, fixed stack budget.
pub(crate) const MAX_DEPTH: u32 = 256;

/// The most links of left-nested operator chains (`a + b + …`, `x.f().g()…`) on any
/// path of the tree, counted apart from [`MAX_DEPTH`]: a chain is parsed by a loop, not
/// by recursion, and long ones (generated sums, builder calls) are real code. The
/// stages after the parser recurse on them with a growable stack. A chain's first
/// operand ends up below all of its links, so links count on top of the deepest chain
/// inside that operand (`((a + …) + …)` adds up); trees stay at most
/// `MAX_CHAIN_DEPTH` links (plus `MAX_DEPTH` levels) deep.
pub(crate) const MAX_CHAIN_DEPTH: u32 = 4096;

/// How many times the parser may look at the same token, without consuming a token or
/// leaving a nesting level, before we assume a grammar bug.
const FUEL: u32 = 256;

/// The significant tokens of `raw`, each with whether a line break precedes it.
pub(crate) fn significant_tokens(text: &str, raw: &[Token]) -> Vec<InputToken> {
    // At most one per lexer token; untouched capacity of a large buffer costs nothing.
    let mut tokens = Vec::with_capacity(raw.len());
    let mut newline_before = false;
    for (index, token) in raw.iter().enumerate() {
        match token.kind {
            NEWLINE => newline_before = true,
            COMMENT if text[token.range].contains('\n') => newline_before = true,
            kind if kind.is_trivia() => {}
            kind => {
                tokens.push(InputToken { kind, newline_before, raw: index as u32 });
                newline_before = false;
            }
        }
    }
    tokens
}

/// A significant (non-trivia) token as the parser sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InputToken {
    pub(crate) kind: SyntaxKind,
    /// A line break (or a block comment spanning lines) precedes this token.
    pub(crate) newline_before: bool,
    /// Index of the token in the lexer's output (trivia included).
    pub(crate) raw: u32,
}

/// A set of token kinds, used for recovery and first sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TokenSet([u64; 3]);

impl TokenSet {
    pub(crate) const EMPTY: TokenSet = TokenSet([0; 3]);

    pub(crate) const fn new(kinds: &[SyntaxKind]) -> TokenSet {
        let mut bits = [0u64; 3];
        let mut i = 0;
        while i < kinds.len() {
            let raw = kinds[i] as usize;
            bits[raw / 64] |= 1 << (raw % 64);
            i += 1;
        }
        TokenSet(bits)
    }

    pub(crate) const fn union(self, other: TokenSet) -> TokenSet {
        TokenSet([self.0[0] | other.0[0], self.0[1] | other.0[1], self.0[2] | other.0[2]])
    }

    pub(crate) const fn contains(self, kind: SyntaxKind) -> bool {
        let raw = kind as usize;
        raw < 192 && self.0[raw / 64] & (1 << (raw % 64)) != 0
    }
}

/// The parser state: input tokens, position, events and errors.
pub(crate) struct Parser<'t> {
    text: &'t str,
    raw: &'t [Token],
    tokens: &'t [InputToken],
    pos: usize,
    builder: TreeBuilder<'t>,
    errors: Vec<SyntaxError>,
    fuel: Cell<u32>,
    /// Whether line breaks end statements here (false inside `( )`, `[ ]`, f-string holes).
    newlines_significant: bool,
    /// Current structural nesting, bounded by `MAX_DEPTH`.
    depth: u32,
    /// Chain links above the node being parsed (conservatively: see
    /// `MAX_CHAIN_DEPTH`), at most `MAX_CHAIN_DEPTH`.
    chain_depth: u32,
    /// The largest `chain_depth` reached since the innermost open chain scope began.
    deepest_chain: u32,
}

/// What [`Parser::begin_chain_scope`] saved.
pub(crate) struct ChainScope {
    depth: u32,
    deepest: u32,
}

/// An open node: where its children begin on the builder's stack. Completing it turns
/// everything from there into one node; abandoning it leaves them to the enclosing node.
pub(crate) struct Marker {
    first: usize,
}

/// A finished node, at its position on the builder's stack; `precede` wraps it (and
/// whatever follows it) in a new node.
#[derive(Clone, Copy)]
pub(crate) struct CompletedMarker {
    first: usize,
    kind: SyntaxKind,
}

impl<'t> Parser<'t> {
    /// A parser over the significant tokens `tokens[start..]` (the end of the slice is
    /// its end of input; earlier tokens are only looked back at) that emits the lexer
    /// tokens `raw[raw_start..]`, the trivia before `tokens[start]` included.
    pub(crate) fn new(
        text: &'t str,
        raw: &'t [Token],
        tokens: &'t [InputToken],
        start: usize,
        raw_start: usize,
    ) -> Parser<'t> {
        Parser {
            text,
            raw,
            tokens,
            pos: start,
            builder: TreeBuilder::new(text, raw, raw_start),
            errors: Vec::new(),
            fuel: Cell::new(FUEL),
            newlines_significant: true,
            depth: 0,
            chain_depth: 0,
            deepest_chain: 0,
        }
    }

    /// The children of the file's root node (the tokens and nodes of every item, and the
    /// trivia around them) and the syntax errors found.
    pub(crate) fn finish(self) -> (Vec<GreenElement>, Vec<SyntaxError>) {
        (self.builder.finish(), self.errors)
    }

    fn eof_token(&self) -> InputToken {
        InputToken { kind: EOF, newline_before: true, raw: u32::MAX }
    }

    /// The text range of the token `n` ahead (empty at the end for end of input).
    fn range(&self, n: usize) -> TextRange {
        match self.tokens.get(self.pos + n) {
            Some(token) => self.raw[token.raw as usize].range,
            None => TextRange::empty(TextSize::of(self.text)),
        }
    }

    fn token(&self, n: usize) -> InputToken {
        self.tokens.get(self.pos + n).copied().unwrap_or_else(|| self.eof_token())
    }

    /// The kind of the token `n` ahead of the current one. Looking without progress burns
    /// fuel; when it runs out (a grammar bug) the parser sees end of input and stops.
    pub(crate) fn nth(&self, n: usize) -> SyntaxKind {
        if self.pos >= self.tokens.len() {
            // Every loop stops at end of input, so looking at it is always progress.
            return EOF;
        }
        let fuel = self.fuel.get();
        if fuel == 0 {
            debug_assert!(false, "parser is stuck at token {}", self.pos);
            return EOF;
        }
        self.fuel.set(fuel - 1);
        self.token(n).kind
    }

    /// The kind of the token `n` ahead, for bounded lookahead scans (burns no fuel).
    pub(crate) fn peek(&self, n: usize) -> SyntaxKind {
        self.tokens.get(self.pos + n).map_or(EOF, |token| token.kind)
    }

    /// No trivia separates the current token from the previous one.
    pub(crate) fn joint_with_previous(&self) -> bool {
        self.pos > 0
            && self.pos < self.tokens.len()
            && self.tokens[self.pos - 1].raw + 1 == self.tokens[self.pos].raw
    }

    pub(crate) fn current(&self) -> SyntaxKind {
        self.nth(0)
    }

    pub(crate) fn at(&self, kind: SyntaxKind) -> bool {
        match kind {
            SHR => self.at_glued(&[R_ANGLE, R_ANGLE]),
            GTEQ => self.at_glued(&[R_ANGLE, EQ]),
            SHREQ => self.at_glued(&[R_ANGLE, R_ANGLE, EQ]),
            _ => self.current() == kind,
        }
    }

    /// Whether the next tokens are `kinds`, with no trivia between them.
    fn at_glued(&self, kinds: &[SyntaxKind]) -> bool {
        kinds.iter().enumerate().all(|(i, &kind)| {
            self.nth(i) == kind && (i == 0 || self.token(i - 1).raw + 1 == self.token(i).raw)
        })
    }

    pub(crate) fn at_ts(&self, set: TokenSet) -> bool {
        set.contains(self.current())
    }

    /// The current token is an identifier spelled `word` (a contextual keyword).
    pub(crate) fn at_contextual(&self, word: &str) -> bool {
        self.current() == IDENT && self.current_text() == word
    }

    pub(crate) fn current_text(&self) -> &'t str {
        &self.text[self.range(0)]
    }

    /// The current token starts a line with no indentation.
    pub(crate) fn at_column_zero(&self) -> bool {
        let start = usize::from(self.range(0).start());
        self.pos < self.tokens.len() && (start == 0 || self.text.as_bytes()[start - 1] == b'\n')
    }

    /// A line break precedes the current token and line breaks are significant here.
    pub(crate) fn at_line_start(&self) -> bool {
        self.newlines_significant && self.token(0).newline_before
    }

    /// A line break precedes the token `n` ahead and line breaks are significant here.
    pub(crate) fn nth_at_line_start(&self, n: usize) -> bool {
        self.newlines_significant && self.token(n).newline_before
    }

    /// A line break precedes the current token, whatever the context.
    pub(crate) fn newline_before(&self) -> bool {
        self.token(0).newline_before
    }

    /// The previous significant token was `kind`.
    pub(crate) fn prev_was(&self, kind: SyntaxKind) -> bool {
        self.pos > 0 && self.tokens[self.pos - 1].kind == kind
    }

    /// The index of the current significant token; used to check for progress.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn at_eof(&self) -> bool {
        self.current() == EOF
    }

    /// Runs `f` with line breaks significant (`true`) or not, restoring the old state.
    pub(crate) fn with_newlines<T>(
        &mut self,
        significant: bool,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let old = std::mem::replace(&mut self.newlines_significant, significant);
        let result = f(self);
        self.newlines_significant = old;
        result
    }

    pub(crate) fn start(&mut self) -> Marker {
        let first_token = self.tokens.get(self.pos).map_or(self.raw.len(), |t| t.raw as usize);
        Marker { first: self.builder.node_start(first_token) }
    }

    /// Consumes the current token, whatever it is (a no-op at end of input).
    pub(crate) fn bump_any(&mut self) {
        let kind = self.current();
        if kind == EOF {
            return;
        }
        self.do_bump(kind, 1);
    }

    /// Consumes the current token, which must be `kind` (composite kinds included).
    pub(crate) fn bump(&mut self, kind: SyntaxKind) {
        let n_raw = match kind {
            SHR | GTEQ => 2,
            SHREQ => 3,
            _ => 1,
        };
        debug_assert!(self.at(kind), "bump({kind:?}) at {:?}", self.current());
        self.do_bump(kind, n_raw);
    }

    fn do_bump(&mut self, kind: SyntaxKind, n_raw: u8) {
        self.pos += usize::from(n_raw);
        self.fuel.set(FUEL);
        self.builder.token(kind, n_raw);
    }

    pub(crate) fn eat(&mut self, kind: SyntaxKind) -> bool {
        if !self.at(kind) {
            return false;
        }
        self.bump(kind);
        true
    }

    /// Consumes `kind` or reports that it is missing.
    pub(crate) fn expect(&mut self, kind: SyntaxKind) -> bool {
        if self.eat(kind) {
            return true;
        }
        self.error_expected(&kind.describe());
        false
    }

    /// Reports an error on the current token.
    pub(crate) fn error(&mut self, message: impl Into<String>) {
        if self.token(0).kind == ERROR_TOKEN {
            // The lexer already reported this character.
            return;
        }
        let range = self.range(0);
        self.push_error(SyntaxError::new(message, range));
    }

    /// Records an error unless one was already reported at the same position: the first
    /// error at a spot is the useful one, the rest are its echoes.
    fn push_error(&mut self, error: SyntaxError) {
        if self.errors.last().is_some_and(|last| last.range().start() == error.range().start()) {
            return;
        }
        self.errors.push(error);
    }

    /// Reports "expected WHAT" just after the previous token.
    pub(crate) fn error_expected(&mut self, what: &str) {
        let at = if self.pos == 0 {
            TextSize::new(0)
        } else {
            self.raw[self.tokens[self.pos - 1].raw as usize].range.end()
        };
        let found = match self.current() {
            EOF => "end of file".to_string(),
            _ => format!("`{}`", self.current_text().escape_debug()),
        };
        self.push_error(SyntaxError::new(
            format!("expected {what}, found {found}"),
            TextRange::empty(at),
        ));
    }

    /// Reports `message` and wraps the current token in an `ERROR` node, unless it is in
    /// `recovery` (or is `}`/end of input), in which case nothing is consumed.
    pub(crate) fn err_recover(&mut self, message: &str, recovery: TokenSet) {
        if self.at_ts(recovery) || self.at(R_BRACE) || self.at_eof() {
            self.error(message);
            return;
        }
        let m = self.start();
        self.error(message);
        self.bump_any();
        m.complete(self, ERROR);
    }

    /// Enters one level of nesting; returns false (after eating the rest of the construct
    /// flatly into an `ERROR` node) when the input nests too deeply.
    pub(crate) fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            self.eat_flat("nesting too deep");
            return false;
        }
        self.depth += 1;
        true
    }

    pub(crate) fn leave(&mut self) {
        // Unwinding a level is progress too: each level may look at the next token.
        self.fuel.set(FUEL);
        self.depth -= 1;
    }

    /// Starts parsing an operand that a chain may follow; returns what
    /// [`Parser::end_chain_scope`] restores.
    pub(crate) fn begin_chain_scope(&mut self) -> ChainScope {
        let scope = ChainScope { depth: self.chain_depth, deepest: self.deepest_chain };
        self.deepest_chain = self.chain_depth;
        scope
    }

    /// The operand is parsed and a chain follows: its links go on top of the deepest
    /// chain inside the operand.
    pub(crate) fn stack_chain_on_operand(&mut self) {
        self.chain_depth = self.deepest_chain;
    }

    /// Opens one link of an operator chain; like [`Parser::enter`], returns false (after
    /// eating the rest flatly) past `MAX_CHAIN_DEPTH` links.
    pub(crate) fn enter_chain(&mut self) -> bool {
        if self.chain_depth >= MAX_CHAIN_DEPTH {
            self.eat_flat("nesting too deep");
            return false;
        }
        self.chain_depth += 1;
        self.deepest_chain = self.deepest_chain.max(self.chain_depth);
        true
    }

    /// Closes the chain (if any) and the scope begun by [`Parser::begin_chain_scope`].
    pub(crate) fn end_chain_scope(&mut self, scope: ChainScope) {
        // Closing links is progress too, like leaving a nesting level.
        self.fuel.set(FUEL);
        self.chain_depth = scope.depth;
        self.deepest_chain = self.deepest_chain.max(scope.deepest);
    }

    /// Eats tokens into an `ERROR` node without building structure: up to an unmatched
    /// closing bracket, or a `,`/`;`/line break outside brackets. Eats at least one token.
    pub(crate) fn eat_flat(&mut self, message: &str) {
        self.error(message);
        if self.at_eof() {
            return;
        }
        let m = self.start();
        let mut balance = 0u32;
        let mut first = true;
        loop {
            let kind = self.current();
            match kind {
                EOF => break,
                L_PAREN | L_BRACK | L_BRACE | FSTRING_HOLE_OPEN => balance += 1,
                R_PAREN | R_BRACK | R_BRACE | FSTRING_HOLE_CLOSE => {
                    if balance == 0 {
                        if first {
                            self.bump_any();
                        }
                        break;
                    }
                    balance -= 1;
                }
                COMMA | SEMICOLON if balance == 0 && !first => break,
                _ if balance == 0 && !first && self.at_line_start() => break,
                _ => {}
            }
            self.bump_any();
            first = false;
        }
        m.complete(self, ERROR);
    }
}

impl Marker {
    pub(crate) fn complete(self, p: &mut Parser<'_>, kind: SyntaxKind) -> CompletedMarker {
        p.builder.finish_node(kind, self.first);
        CompletedMarker { first: self.first, kind }
    }

    /// Drops the marker: what was parsed since its start stays in the enclosing node.
    pub(crate) fn abandon(self, _p: &mut Parser<'_>) {}
}

impl CompletedMarker {
    /// Opens a new node that starts before this one and will contain it.
    pub(crate) fn precede(self, _p: &mut Parser<'_>) -> Marker {
        Marker { first: self.first }
    }

    pub(crate) fn kind(self) -> SyntaxKind {
        self.kind
    }
}
