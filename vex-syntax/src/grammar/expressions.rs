//! Expressions: a Pratt loop over binary operators (binding powers from LANGUAGE.md §4)
//! on top of prefix operators, atoms and postfix operators.
//!
//! Binding powers, loosest first (the numbers in `current_op`):
//!
//! | bp | operators | grouping |
//! |---|---|---|
//! | 1 | `=` `+=` … `>>=` (not expressions in Core, but parsed as `BinExpr`) | right |
//! | 2 | ternary `c ? a : b` (not in Core) | right |
//! | 3 | `..` `..=` | none |
//! | 4 | `??` (v0.2) | right |
//! | 5 | `\|\|` | left |
//! | 6 | `&&` | left |
//! | 7 | `==` `!=` `<` `<=` `>` `>=` | none (a chain is an error) |
//! | 8, 9, 10 | `\|`, `^`, `&` | left |
//! | 11 | `<<` `>>` | left |
//! | 12 | `+` `-` | left |
//! | 13 | `*` `/` `%` | left |
//! | 14 | `as` | left |
//! | 15 | prefix `-` `!` `&` `*` `<-` `await` | |
//! | — | postfix: call, `.field`, `.0`, `[i]`, `.m()`, `?` (v0.2) | |
//!
//! Postfix `?` versus the ternary: a `?` followed, on the same line, by a token that can
//! start an operand (`EXPR_FIRST`) is a ternary, never a postfix `?`; so `r? + 1` is
//! `(r?) + 1`, but `r? - 1` is a ternary (`-` starts an operand). The `await` rule
//! (§8): the operand of `await` is the postfix chain up to its first `?`; that `?` and
//! the rest of the chain apply to the awaited value (`await f()?.len()` is
//! `((await f())?).len()`). `async |x| …` and `|x| …` start closures whose body extends
//! as far to the right as it can.
//!
//! A binary operator, `(`/`[` or `?` that starts a new line (where line breaks are
//! significant) ends the expression; a `.` never does. Left-nested chains (`a + b + c`,
//! `a.b.c`, `f()?.g()?`) count towards their own limit of links per path
//! (`MAX_CHAIN_DEPTH`, apart from the nesting limit), which keeps every tree shallow
//! enough to drop on a small stack.

use super::{
    at_first, comma_list, name_ref, param, patterns, ret_type, separated_list, stmt_list, types,
};
use crate::SyntaxKind::{self, *};
use crate::parser::{CompletedMarker, Parser, TokenSet};

/// Tokens that can start an expression.
pub(crate) const EXPR_FIRST: TokenSet = TokenSet::new(&[
    INT_NUMBER,
    FLOAT_NUMBER,
    STRING,
    TRUE_KW,
    FALSE_KW,
    FSTRING_START,
    IDENT,
    BUILTIN_IDENT,
    L_PAREN,
    L_BRACK,
    L_BRACE,
    IF_KW,
    WHILE_KW,
    LOOP_KW,
    FOR_KW,
    LABEL_IDENT,
    MATCH_KW,
    BREAK_KW,
    CONTINUE_KW,
    RETURN_KW,
    GO_KW,
    SELECT_KW,
    MINUS,
    BANG,
    AMP,
    STAR,
    LEFT_ARROW,
    AWAIT_KW,
    DOT2,
    DOT2EQ,
    PIPE,
    PIPE2,
    // Not in `async fn`, which is an item: see `grammar::at_first`.
    ASYNC_KW,
]);

/// Context that changes how an expression is parsed.
#[derive(Clone, Copy, Default)]
struct Restrictions {
    /// In `if`/`elif`/`while` conditions, `match` scrutinees and `for` iterables a struct
    /// literal (and a bare block) is not allowed: `{` starts the body.
    forbid_struct: bool,
    /// In the operand of `await`, the postfix chain stops before its first postfix `?`,
    /// which then applies to the awaited value. Holds only along the operand's chain of
    /// prefix operators and postfix links, never inside brackets or nested expressions.
    stop_before_try: bool,
}

impl Restrictions {
    /// The restrictions for a nested expression that is not part of the operand chain.
    fn nested(self) -> Restrictions {
        Restrictions { stop_before_try: false, ..self }
    }
}

/// Binding power of the ternary `c ? a : b`; the scrutinee of `if let` is parsed at it,
/// so that `if let p = x = y` does not take the assignment.
const TERNARY_BP: u8 = 2;

/// Binding power of `..` / `..=`; an open range's end binds one step tighter.
const RANGE_BP: u8 = 3;

/// Binding power of prefix operators; operands of prefix operators bind tighter than `as`.
const PREFIX_BP: u8 = 15;

/// Parses an expression; returns `None` (after reporting) if there is none here.
pub(crate) fn expr(p: &mut Parser<'_>) -> Option<CompletedMarker> {
    expr_bp(p, Restrictions::default(), 0)
}

/// An expression where a struct literal may not appear unparenthesised.
fn expr_no_struct(p: &mut Parser<'_>) -> Option<CompletedMarker> {
    expr_bp(p, Restrictions { forbid_struct: true, ..Restrictions::default() }, 0)
}

/// The binary operator at the current token: (kind, binding power, right-associative).
fn current_op(p: &Parser<'_>) -> Option<(SyntaxKind, u8, bool)> {
    let op = match p.current() {
        EQ | PLUSEQ | MINUSEQ | STAREQ | SLASHEQ | PERCENTEQ | AMPEQ | PIPEEQ | CARETEQ | SHLEQ => {
            (p.current(), 1, true)
        }
        QUESTION => (QUESTION, TERNARY_BP, true),
        DOT2 | DOT2EQ => (p.current(), RANGE_BP, false),
        QUESTION2 => (QUESTION2, 4, true),
        PIPE2 => (PIPE2, 5, false),
        AMP2 => (AMP2, 6, false),
        EQ2 | NEQ | L_ANGLE | LTEQ => (p.current(), 7, false),
        R_ANGLE if p.at(SHREQ) => (SHREQ, 1, true),
        R_ANGLE if p.at(SHR) => (SHR, 11, false),
        R_ANGLE if p.at(GTEQ) => (GTEQ, 7, false),
        R_ANGLE => (R_ANGLE, 7, false),
        PIPE => (PIPE, 8, false),
        CARET => (CARET, 9, false),
        AMP => (AMP, 10, false),
        SHL => (SHL, 11, false),
        PLUS | MINUS => (p.current(), 12, false),
        STAR | SLASH | PERCENT => (p.current(), 13, false),
        AS_KW => (AS_KW, 14, false),
        _ => return None,
    };
    Some(op)
}

/// Operators that can only follow an operand (so a statement cannot start with them):
/// the binary-only operators, `??`, and `?` (ternary or postfix).
pub(crate) fn is_binary_only_operator(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        PLUS | SLASH
            | PERCENT
            | CARET
            | SHL
            | R_ANGLE
            | L_ANGLE
            | LTEQ
            | EQ2
            | NEQ
            | AMP2
            | EQ
            | PLUSEQ
            | MINUSEQ
            | STAREQ
            | SLASHEQ
            | PERCENTEQ
            | AMPEQ
            | PIPEEQ
            | CARETEQ
            | SHLEQ
            | AS_KW
            | QUESTION
            | QUESTION2
    )
}

fn is_comparison(kind: SyntaxKind) -> bool {
    matches!(kind, EQ2 | NEQ | L_ANGLE | LTEQ | R_ANGLE | GTEQ)
}

fn expr_bp(p: &mut Parser<'_>, r: Restrictions, min_bp: u8) -> Option<CompletedMarker> {
    if !p.enter() {
        return None;
    }
    let result = expr_bp_inner(p, r, min_bp);
    p.leave();
    result
}

fn expr_bp_inner(p: &mut Parser<'_>, r: Restrictions, min_bp: u8) -> Option<CompletedMarker> {
    let scope = p.begin_chain_scope();
    let result = binary_chain(p, r, min_bp);
    p.end_chain_scope(scope);
    result
}

/// An operand and the binary (and `as`, `?:`, range) operators that follow it.
fn binary_chain(p: &mut Parser<'_>, r: Restrictions, min_bp: u8) -> Option<CompletedMarker> {
    let mut lhs = lhs(p, r)?;
    p.stack_chain_on_operand();
    let mut last_comparison = false;
    while let Some((op, bp, right_assoc)) = current_op(p) {
        if bp < min_bp || p.at_line_start() {
            break;
        }
        // `..` is non-associative and `a.. ..b` is never useful; stop at a second range.
        if matches!(op, DOT2 | DOT2EQ) && lhs.kind() == RANGE_EXPR {
            break;
        }
        if !p.enter_chain() {
            break;
        }
        let m = lhs.precede(p);
        lhs = match op {
            AS_KW => {
                p.bump(AS_KW);
                types::type_(p);
                m.complete(p, CAST_EXPR)
            }
            QUESTION => {
                p.bump(QUESTION);
                expr_bp(p, r.nested(), 0);
                if p.expect(COLON) {
                    expr_bp(p, r, bp);
                }
                m.complete(p, TERNARY_EXPR)
            }
            DOT2 | DOT2EQ => {
                p.bump(op);
                if at_expr_start(p, r) {
                    expr_bp(p, r, bp + 1);
                }
                m.complete(p, RANGE_EXPR)
            }
            _ => {
                if is_comparison(op) && last_comparison {
                    p.error("comparison operators cannot be chained; use parentheses");
                }
                p.bump(op);
                let rhs_bp = if right_assoc { bp } else { bp + 1 };
                if expr_bp(p, r, rhs_bp).is_none() {
                    p.error_expected("an expression after the operator");
                }
                m.complete(p, BIN_EXPR)
            }
        };
        last_comparison = is_comparison(op);
    }
    Some(lhs)
}

/// Whether an expression can start here (a line break ends the current expression).
fn at_expr_start(p: &Parser<'_>, r: Restrictions) -> bool {
    at_first(p, EXPR_FIRST) && !p.at_line_start() && !(r.forbid_struct && p.at(L_BRACE))
}

/// Whether the `?` at the current token is the postfix try operator: it is not at the
/// start of a line, and the token after it cannot start an operand on the same line
/// (otherwise it is the ternary `c ? a : b`).
fn at_try(p: &Parser<'_>, r: Restrictions) -> bool {
    if !p.at(QUESTION) || p.at_line_start() {
        return false;
    }
    if p.nth_at_line_start(1) {
        return true;
    }
    let operand_follows = match p.nth(1) {
        ASYNC_KW => matches!(p.nth(2), PIPE | PIPE2),
        L_BRACE => !r.forbid_struct,
        kind => EXPR_FIRST.contains(kind),
    };
    !operand_follows
}

/// Prefix operators, then an atom with its postfix operators.
fn lhs(p: &mut Parser<'_>, r: Restrictions) -> Option<CompletedMarker> {
    let kind = match p.current() {
        MINUS | BANG | AMP | STAR | LEFT_ARROW => PREFIX_EXPR,
        AWAIT_KW => return Some(await_expr(p, r)),
        DOT2 | DOT2EQ => {
            let m = p.start();
            p.bump_any();
            if at_expr_start(p, r) {
                expr_bp(p, r.nested(), RANGE_BP + 1);
            }
            return Some(m.complete(p, RANGE_EXPR));
        }
        PIPE | PIPE2 => return Some(closure_expr(p)),
        ASYNC_KW if matches!(p.nth(1), PIPE | PIPE2) => return Some(closure_expr(p)),
        // `async fn` is an item: leave it to the statement or item list.
        ASYNC_KW if p.nth(1) != FN_KW => {
            stray_async(p);
            // The stray `async`s are eaten, so this recurses at most once.
            if !at_expr_start(p, r) {
                return None;
            }
            return lhs(p, r);
        }
        _ => {
            let scope = p.begin_chain_scope();
            let result = atom(p, r.nested()).map(|atom| {
                p.stack_chain_on_operand();
                postfix(p, atom, r)
            });
            p.end_chain_scope(scope);
            return result;
        }
    };
    let m = p.start();
    p.bump_any();
    if expr_bp(p, r, PREFIX_BP).is_none() {
        p.error_expected("an operand");
    }
    Some(m.complete(p, kind))
}

/// `async` that does not start an async closure (nor an `async fn` item): reported and
/// kept, with any `async`s right after it, in one `ERROR` node, so that what follows
/// still parses as the expression (`let f = async { 1 }` keeps its block).
fn stray_async(p: &mut Parser<'_>) {
    let m = p.start();
    p.error("`async` in an expression must start an async closure: `async |x| body`");
    while p.at(ASYNC_KW) && !matches!(p.nth(1), PIPE | PIPE2 | FN_KW) {
        p.bump(ASYNC_KW);
    }
    m.complete(p, ERROR);
}

/// `await e`: the operand is parsed with its postfix chain stopping before the first
/// postfix `?`; then the chain continues on the `AWAIT_EXPR`, so `await f()?` is
/// `(await f())?`. Inside another `await`'s operand (`await await f()?`) the `?` is left
/// to the outermost `await`.
fn await_expr(p: &mut Parser<'_>, r: Restrictions) -> CompletedMarker {
    let scope = p.begin_chain_scope();
    let m = p.start();
    p.bump(AWAIT_KW);
    if expr_bp(p, Restrictions { stop_before_try: true, ..r }, PREFIX_BP).is_none() {
        p.error_expected("an operand");
    }
    let mut done = m.complete(p, AWAIT_EXPR);
    if !r.stop_before_try {
        p.stack_chain_on_operand();
        done = postfix(p, done, r);
    }
    p.end_chain_scope(scope);
    done
}

/// Calls, method calls, field accesses, indexing and `?` after an atom (or an `await`).
fn postfix(p: &mut Parser<'_>, mut lhs: CompletedMarker, r: Restrictions) -> CompletedMarker {
    loop {
        let kind = p.current();
        let continues = match kind {
            DOT => true,
            L_PAREN | L_BRACK => !p.at_line_start(),
            QUESTION => !r.stop_before_try && at_try(p, r),
            _ => false,
        };
        if !continues || !p.enter_chain() {
            break;
        }
        let m = lhs.precede(p);
        lhs = match kind {
            QUESTION => {
                p.bump(QUESTION);
                m.complete(p, TRY_EXPR)
            }
            L_PAREN => {
                arg_list(p);
                m.complete(p, CALL_EXPR)
            }
            L_BRACK => {
                p.bump(L_BRACK);
                p.with_newlines(false, |p| {
                    if expr(p).is_none() {
                        p.error_expected("an index expression");
                    }
                    p.expect(R_BRACK);
                });
                m.complete(p, INDEX_EXPR)
            }
            _ => {
                p.bump(DOT);
                if p.at(IDENT) {
                    name_ref(p);
                    if at_generic_args(p) {
                        types::generic_arg_list(p);
                    }
                    if p.at(L_PAREN) && !p.at_line_start() {
                        arg_list(p);
                        m.complete(p, METHOD_CALL_EXPR)
                    } else {
                        m.complete(p, FIELD_EXPR)
                    }
                } else {
                    if p.at(INT_NUMBER) {
                        name_ref(p);
                    } else {
                        p.error_expected("a field name or tuple index after `.`");
                    }
                    m.complete(p, FIELD_EXPR)
                }
            }
        };
    }
    lhs
}

/// `(a, b)` of a call.
fn arg_list(p: &mut Parser<'_>) {
    let m = p.start();
    p.bump(L_PAREN);
    p.with_newlines(false, |p| {
        comma_list(p, R_PAREN, EXPR_FIRST, "an argument", |p| {
            expr(p);
        });
        p.expect(R_PAREN);
    });
    m.complete(p, ARG_LIST);
}

/// Literals, names, bracketed expressions and keyword-led expressions.
fn atom(p: &mut Parser<'_>, r: Restrictions) -> Option<CompletedMarker> {
    let done = match p.current() {
        INT_NUMBER | FLOAT_NUMBER | STRING | TRUE_KW | FALSE_KW => {
            let m = p.start();
            p.bump_any();
            m.complete(p, LITERAL)
        }
        FSTRING_START => fstring(p),
        IDENT if p.nth(1) == L_BRACE && p.at_contextual("unsafe") => {
            let m = p.start();
            p.bump_any();
            block_expr(p);
            m.complete(p, UNSAFE_EXPR)
        }
        IDENT if p.nth(1) == L_BRACE && !r.forbid_struct && !next_on_new_line(p) => record_expr(p),
        IDENT | BUILTIN_IDENT => {
            let m = p.start();
            name_ref(p);
            if at_generic_args(p) {
                types::generic_arg_list(p);
            }
            m.complete(p, PATH_EXPR)
        }
        L_PAREN => paren_or_tuple(p),
        L_BRACK => array_expr(p),
        L_BRACE if !r.forbid_struct => block_expr(p)?,
        IF_KW => if_expr(p),
        WHILE_KW | LOOP_KW | FOR_KW => {
            let m = p.start();
            loop_expr(p, m)
        }
        LABEL_IDENT => {
            let m = p.start();
            let label = p.start();
            p.bump(LABEL_IDENT);
            p.expect(COLON);
            label.complete(p, LABEL);
            if matches!(p.current(), WHILE_KW | LOOP_KW | FOR_KW) {
                loop_expr(p, m)
            } else {
                p.error_expected("`loop`, `while` or `for` after a label");
                m.complete(p, ERROR)
            }
        }
        MATCH_KW => match_expr(p),
        BREAK_KW => {
            let m = p.start();
            p.bump(BREAK_KW);
            if !p.at_line_start() {
                p.eat(LABEL_IDENT);
            }
            if at_expr_start(p, r) {
                expr_bp(p, r, 0);
            }
            m.complete(p, BREAK_EXPR)
        }
        CONTINUE_KW => {
            let m = p.start();
            p.bump(CONTINUE_KW);
            if !p.at_line_start() {
                p.eat(LABEL_IDENT);
            }
            m.complete(p, CONTINUE_EXPR)
        }
        RETURN_KW => {
            let m = p.start();
            p.bump(RETURN_KW);
            if at_expr_start(p, r) {
                expr_bp(p, r, 0);
            }
            m.complete(p, RETURN_EXPR)
        }
        GO_KW => {
            let m = p.start();
            p.bump(GO_KW);
            if expr_bp(p, r, PREFIX_BP).is_none() {
                p.error_expected("a block or a call after `go`");
            }
            m.complete(p, GO_EXPR)
        }
        SELECT_KW => select_expr(p),
        _ => {
            p.error_expected("an expression");
            return None;
        }
    };
    Some(done)
}

/// Whether a `<` here starts generic arguments of a call (`f<T>(x)`,
/// `Channel.new<i64>(8)`) rather than a comparison: the `<` directly follows the name, and
/// the tokens up to the matching `>` look like types and are followed by `(`. Since
/// comparisons do not chain, `a<b>(c)` could not be a valid comparison anyway. Nested
/// arguments close with single `>` tokens (`Vec.new<Vec<i64>>()`), and function types
/// (`Vec.new<fn(i64): bool>()`) may appear: `fn`, and `:` or `->` right after a `)`.
fn at_generic_args(p: &Parser<'_>) -> bool {
    if !p.at(L_ANGLE) || !p.joint_with_previous() {
        return false;
    }
    let mut depth = 0u32;
    for n in 0..64 {
        match p.peek(n) {
            L_ANGLE => depth += 1,
            R_ANGLE => {
                depth -= 1;
                if depth == 0 {
                    return p.peek(n + 1) == L_PAREN;
                }
            }
            COLON | THIN_ARROW if n > 0 && p.peek(n - 1) == R_PAREN => {}
            IDENT | COMMA | L_PAREN | R_PAREN | L_BRACK | R_BRACK | SEMICOLON | INT_NUMBER
            | AMP | STAR | DOT | FN_KW => {}
            _ => return false,
        }
    }
    false
}

/// The token after the current one starts a new line (where line breaks matter).
fn next_on_new_line(p: &Parser<'_>) -> bool {
    p.nth_at_line_start(1)
}

/// `f"text {expr} text"`.
fn fstring(p: &mut Parser<'_>) -> CompletedMarker {
    let m = p.start();
    p.bump(FSTRING_START);
    loop {
        match p.current() {
            FSTRING_TEXT => p.bump(FSTRING_TEXT),
            FSTRING_HOLE_OPEN => {
                let hole = p.start();
                p.bump(FSTRING_HOLE_OPEN);
                p.with_newlines(false, |p| {
                    if p.at(FSTRING_HOLE_CLOSE) {
                        p.error("empty f-string hole; write `{{` for a literal brace");
                    } else {
                        expr(p);
                    }
                    if !p.at(FSTRING_HOLE_CLOSE) && !p.at_eof() {
                        skip_to_hole_close(p);
                    }
                    p.expect(FSTRING_HOLE_CLOSE);
                });
                hole.complete(p, FSTRING_HOLE);
            }
            FSTRING_END => {
                p.bump(FSTRING_END);
                break;
            }
            // Only end of input can interrupt an f-string (the lexer reports it).
            _ => break,
        }
    }
    m.complete(p, FSTRING_EXPR)
}

/// Wraps the rest of an f-string hole in an `ERROR` node.
fn skip_to_hole_close(p: &mut Parser<'_>) {
    p.error("expected `}` to close the f-string hole");
    let m = p.start();
    let mut nested = 0u32;
    while !p.at_eof() {
        match p.current() {
            FSTRING_HOLE_OPEN => nested += 1,
            FSTRING_HOLE_CLOSE if nested == 0 => break,
            FSTRING_HOLE_CLOSE => nested -= 1,
            _ => {}
        }
        p.bump_any();
    }
    m.complete(p, ERROR);
}

/// `Name { field: value, shorthand }`.
fn record_expr(p: &mut Parser<'_>) -> CompletedMarker {
    let m = p.start();
    name_ref(p);
    let list = p.start();
    p.bump(L_BRACE);
    p.with_newlines(false, |p| {
        separated_list(p, R_BRACE, TokenSet::new(&[IDENT]), "a field", |p| {
            let field = p.start();
            name_ref(p);
            if p.eat(COLON) && expr(p).is_none() {
                p.error_expected("a field value");
            }
            field.complete(p, RECORD_EXPR_FIELD);
        });
        p.expect(R_BRACE);
    });
    list.complete(p, RECORD_EXPR_FIELD_LIST);
    m.complete(p, RECORD_EXPR)
}

/// `()`, `(e)`, `(e,)`, `(a, b)`.
fn paren_or_tuple(p: &mut Parser<'_>) -> CompletedMarker {
    let m = p.start();
    p.bump(L_PAREN);
    p.with_newlines(false, |p| {
        if p.eat(R_PAREN) {
            return m.complete(p, TUPLE_EXPR);
        }
        expr(p);
        if p.eat(R_PAREN) {
            return m.complete(p, PAREN_EXPR);
        }
        if p.eat(COMMA) {
            comma_list(p, R_PAREN, EXPR_FIRST, "an expression", |p| {
                expr(p);
            });
        }
        p.expect(R_PAREN);
        m.complete(p, TUPLE_EXPR)
    })
}

/// `[a, b]` or `[value; len]`.
fn array_expr(p: &mut Parser<'_>) -> CompletedMarker {
    let m = p.start();
    p.bump(L_BRACK);
    p.with_newlines(false, |p| {
        if p.eat(R_BRACK) {
            return m.complete(p, ARRAY_EXPR);
        }
        expr(p);
        if p.eat(SEMICOLON) {
            if expr(p).is_none() {
                p.error_expected("an array length");
            }
            p.expect(R_BRACK);
            return m.complete(p, ARRAY_REPEAT_EXPR);
        }
        if p.eat(COMMA) {
            comma_list(p, R_BRACK, EXPR_FIRST, "an expression", |p| {
                expr(p);
            });
        }
        p.expect(R_BRACK);
        m.complete(p, ARRAY_EXPR)
    })
}

/// `{ statements tail? }`; returns `None` when the block nests too deeply (then it was
/// eaten flatly into an `ERROR` node).
pub(crate) fn block_expr(p: &mut Parser<'_>) -> Option<CompletedMarker> {
    if !p.enter() {
        return None;
    }
    let m = p.start();
    p.bump(L_BRACE);
    p.with_newlines(true, stmt_list);
    p.expect(R_BRACE);
    p.leave();
    Some(m.complete(p, BLOCK_EXPR))
}

/// A block where one is required, or an error.
fn required_block(p: &mut Parser<'_>) {
    if p.at(L_BRACE) {
        block_expr(p);
    } else {
        p.error_expected("`{`");
    }
}

/// The condition of `if`/`elif`/`while` (and the scrutinee / iterable of `match` / `for`);
/// `let pat = e` here is the non-Core `if let`.
fn condition(p: &mut Parser<'_>) {
    if p.at(L_BRACE) {
        p.error_expected("a condition");
    } else if p.at(LET_KW) {
        let m = p.start();
        p.bump(LET_KW);
        patterns::pattern(p);
        if p.expect(EQ) {
            expr_bp(p, Restrictions { forbid_struct: true, ..Restrictions::default() }, TERNARY_BP);
        }
        m.complete(p, LET_EXPR);
    } else {
        expr_no_struct(p);
    }
}

/// `if c { } elif c { } else if c { } else { }`, kept flat.
fn if_expr(p: &mut Parser<'_>) -> CompletedMarker {
    let m = p.start();
    p.bump(IF_KW);
    condition(p);
    required_block(p);
    loop {
        if p.at(ELIF_KW) || (p.at(ELSE_KW) && p.nth(1) == IF_KW) {
            let branch = p.start();
            if p.eat(ELSE_KW) {
                p.bump(IF_KW);
            } else {
                p.bump(ELIF_KW);
            }
            condition(p);
            required_block(p);
            branch.complete(p, ELIF_BRANCH);
        } else if p.at(ELSE_KW) {
            let branch = p.start();
            p.bump(ELSE_KW);
            required_block(p);
            branch.complete(p, ELSE_BRANCH);
            break;
        } else {
            break;
        }
    }
    m.complete(p, IF_EXPR)
}

/// `while c { }`, `loop { }`, `for pat in e { }`; `m` may already hold a label.
fn loop_expr(p: &mut Parser<'_>, m: crate::parser::Marker) -> CompletedMarker {
    let kind = match p.current() {
        WHILE_KW => {
            p.bump(WHILE_KW);
            condition(p);
            WHILE_EXPR
        }
        FOR_KW => {
            p.bump(FOR_KW);
            patterns::pattern(p);
            if p.expect(IN_KW) {
                condition(p);
            }
            FOR_EXPR
        }
        _ => {
            p.bump(LOOP_KW);
            LOOP_EXPR
        }
    };
    required_block(p);
    m.complete(p, kind)
}

/// Tokens at which a match arm list re-synchronises.
const ARM_RECOVERY: TokenSet = TokenSet::new(&[FAT_ARROW, COMMA, R_BRACE]);

/// `match e { pat (if guard)? => expr, ... }`.
fn match_expr(p: &mut Parser<'_>) -> CompletedMarker {
    let m = p.start();
    p.bump(MATCH_KW);
    condition(p);
    if p.at(L_BRACE) {
        let list = p.start();
        p.bump(L_BRACE);
        p.with_newlines(true, |p| {
            while !p.at(R_BRACE) && !p.at_eof() {
                if p.eat(COMMA) {
                    continue;
                }
                if !p.at_ts(patterns::PAT_FIRST) {
                    p.err_recover("expected a match arm pattern", ARM_RECOVERY);
                    if p.at(FAT_ARROW) {
                        match_arm(p);
                    }
                    continue;
                }
                match_arm(p);
            }
        });
        p.expect(R_BRACE);
        list.complete(p, MATCH_ARM_LIST);
    } else {
        p.error_expected("`{`");
    }
    m.complete(p, MATCH_EXPR)
}

/// One arm, the cursor at its pattern (or at `=>` after a reported bad pattern).
fn match_arm(p: &mut Parser<'_>) {
    let m = p.start();
    if !p.at(FAT_ARROW) {
        patterns::pattern(p);
    }
    if p.at(IF_KW) {
        let guard = p.start();
        p.bump(IF_KW);
        expr(p);
        guard.complete(p, MATCH_GUARD);
    }
    if p.expect(FAT_ARROW) && expr(p).is_none() {
        p.error_expected("an expression for the arm");
    }
    m.complete(p, MATCH_ARM);
    arm_end(p);
}

/// After an arm: `,`, `}`, a line break, or a preceding `}` end it.
fn arm_end(p: &mut Parser<'_>) {
    if p.eat(COMMA) || p.at(R_BRACE) || p.at_eof() || p.newline_before() || p.prev_was(R_BRACE) {
        return;
    }
    p.error_expected("`,` or a line break after the match arm");
}

/// An expression, or a send `ch <- v` whose value is a whole expression: what may stand
/// as a statement or as the head of a `select` arm (LANGUAGE.md §4, §11).
pub(crate) fn expr_or_send(p: &mut Parser<'_>) -> Option<CompletedMarker> {
    let channel = expr(p)?;
    if !p.at(LEFT_ARROW) || p.at_line_start() {
        return Some(channel);
    }
    let m = channel.precede(p);
    p.bump(LEFT_ARROW);
    if expr(p).is_none() {
        p.error_expected("the value to send after `<-`");
    }
    Some(m.complete(p, SEND_EXPR))
}

/// `select { head => body, ... }` (v0.2, LANGUAGE.md §11).
fn select_expr(p: &mut Parser<'_>) -> CompletedMarker {
    let m = p.start();
    p.bump(SELECT_KW);
    if p.at(L_BRACE) {
        let list = p.start();
        p.bump(L_BRACE);
        p.with_newlines(true, |p| {
            while !p.at(R_BRACE) && !p.at_eof() {
                if p.eat(COMMA) {
                    continue;
                }
                let start = p.pos();
                let arm = p.start();
                if p.at_contextual("default") && p.nth(1) == FAT_ARROW {
                    p.bump_any();
                } else {
                    if p.at_contextual("after") && p.nth(1) != FAT_ARROW {
                        p.bump_any();
                        expr(p);
                    } else {
                        expr_or_send(p);
                    }
                }
                if p.expect(FAT_ARROW) {
                    expr(p);
                }
                arm.complete(p, SELECT_ARM);
                if p.pos() == start {
                    p.err_recover("expected a select arm", ARM_RECOVERY);
                    if p.at(FAT_ARROW) {
                        p.bump(FAT_ARROW);
                    }
                } else {
                    arm_end(p);
                }
            }
        });
        p.expect(R_BRACE);
        list.complete(p, SELECT_ARM_LIST);
    } else {
        p.error_expected("`{`");
    }
    m.complete(p, SELECT_EXPR)
}

/// `async? |x, y: T| (: R)? body` or `async? || body`; the body is a whole expression,
/// so it extends as far to the right as it can.
fn closure_expr(p: &mut Parser<'_>) -> CompletedMarker {
    let m = p.start();
    p.eat(ASYNC_KW);
    let params = p.start();
    if !p.eat(PIPE2) {
        p.bump(PIPE);
        comma_list(p, PIPE, TokenSet::new(&[IDENT]), "a closure parameter", |p| param(p, false));
        p.expect(PIPE);
    }
    params.complete(p, PARAM_LIST);
    ret_type(p);
    if expr(p).is_none() {
        p.error_expected("a closure body");
    }
    m.complete(p, CLOSURE_EXPR)
}
