//! The Vex grammar as recursive-descent functions over `Parser`: files, items and
//! statements here; expressions, patterns and types in the submodules.
//!
//! Each rule keeps its first set and recovery set (`TokenSet`s) beside it. Rules never
//! fail: a missing token is reported and skipped, a stray token is wrapped in an `ERROR`
//! node, and loops stop at the recovery set so the enclosing statement or item list can
//! re-synchronise. Every loop either consumes a token or exits.

mod expressions;
mod patterns;
mod types;

use crate::SyntaxKind::{self, *};
use crate::parser::{CompletedMarker, Marker, Parser, TokenSet};
pub(crate) use expressions::{block_expr, expr};

/// Tokens that start an item.
const ITEM_FIRST: TokenSet =
    TokenSet::new(&[FN_KW, ASYNC_KW, STRUCT_KW, ENUM_KW, CONST_KW, EXTERN_KW]);

/// Tokens at which a statement list or item list re-synchronises after an error.
const STMT_RECOVERY: TokenSet = ITEM_FIRST.union(TokenSet::new(&[LET_KW, DEFER_KW, SEMICOLON]));

/// Parses a whole file. The `SOURCE_FILE` node itself is opened by the tree builder.
pub(crate) fn source_file(p: &mut Parser<'_>) {
    while !p.at_eof() {
        if at_item(p) {
            item(p);
        } else if p.at(SEMICOLON) {
            p.bump(SEMICOLON);
        } else {
            // Skip to the next token that can start an item, in one ERROR node.
            let m = p.start();
            p.error("expected an item (`fn`, `struct`, `enum`, `const`, `extern`, …)");
            p.bump_any();
            while !p.at_eof() && !at_item(p) {
                p.bump_any();
            }
            m.complete(p, ERROR);
        }
    }
}

/// Whether the current token starts an item, contextual keywords included.
fn at_item(p: &Parser<'_>) -> bool {
    match p.current() {
        ASYNC_KW => p.nth(1) == FN_KW,
        kind if ITEM_FIRST.contains(kind) => true,
        // The cheap test first: most identifiers here start expression statements.
        IDENT => match p.nth(1) {
            IDENT => p.at_contextual("impl") || p.at_contextual("import"),
            L_ANGLE | AMP | L_PAREN => p.at_contextual("impl"),
            STRING => p.at_contextual("import"),
            _ => false,
        },
        _ => false,
    }
}

/// Parses one item; the caller has checked `at_item`.
fn item(p: &mut Parser<'_>) {
    let m = p.start();
    match p.current() {
        EXTERN_KW => {
            abi(p);
            if p.at(L_BRACE) {
                item_list(p);
                m.complete(p, EXTERN_BLOCK);
            } else {
                fn_item(p, m);
            }
        }
        ASYNC_KW | FN_KW => fn_item(p, m),
        STRUCT_KW => struct_item(p, m),
        ENUM_KW => enum_item(p, m),
        CONST_KW => const_item(p, m),
        IDENT if p.at_contextual("impl") => impl_item(p, m),
        IDENT if p.at_contextual("import") => import_item(p, m),
        _ => {
            p.err_recover("expected an item", STMT_RECOVERY);
            m.abandon(p);
        }
    }
}

/// `extern "C"`.
fn abi(p: &mut Parser<'_>) {
    let m = p.start();
    p.bump(EXTERN_KW);
    if !p.eat(STRING) {
        p.error_expected("an ABI string such as `\"C\"`");
    }
    m.complete(p, ABI);
}

/// `{ items }` of an extern or impl block.
fn item_list(p: &mut Parser<'_>) {
    let m = p.start();
    p.bump(L_BRACE);
    while !p.at(R_BRACE) && !p.at_eof() {
        if at_item(p) {
            item(p);
        } else if !p.eat(SEMICOLON) {
            // Skip everything up to the next item or the closing brace, in one node.
            let error = p.start();
            p.error("expected an item");
            p.bump_any();
            while !p.at_eof() && !p.at(R_BRACE) && !at_item(p) {
                p.bump_any();
            }
            error.complete(p, ERROR);
        }
    }
    p.expect(R_BRACE);
    m.complete(p, ITEM_LIST);
}

/// `async? fn (self: T)? Owner.? name <T>? (params) (: T)? block?`; `m` may already hold
/// an `extern "C"` ABI.
fn fn_item(p: &mut Parser<'_>, m: Marker) {
    p.eat(ASYNC_KW);
    p.expect(FN_KW);
    if p.at(L_PAREN) {
        let receiver = p.start();
        p.bump(L_PAREN);
        p.with_newlines(false, |p| {
            if p.at(IDENT) {
                param(p, true);
            } else {
                p.error_expected("a receiver such as `self: Point`");
            }
            p.expect(R_PAREN);
        });
        receiver.complete(p, RECEIVER);
    }
    if p.at(IDENT) && p.nth(1) == DOT {
        let owner = p.start();
        name_ref(p);
        p.bump(DOT);
        owner.complete(p, FN_OWNER);
    }
    name(p);
    if p.at(L_ANGLE) {
        generic_param_list(p);
    }
    if p.at(L_PAREN) {
        param_list(p);
    } else {
        p.error_expected("`(`");
    }
    ret_type(p);
    if p.at(L_BRACE) {
        block_expr(p);
    }
    m.complete(p, FN);
}

/// `: T` or `-> T`, if present: after a function's or a closure's parameters and after
/// the parameter types of a function type.
pub(crate) fn ret_type(p: &mut Parser<'_>) {
    if p.at(COLON) || p.at(THIN_ARROW) {
        let m = p.start();
        p.bump_any();
        types::type_(p);
        m.complete(p, RET_TYPE);
    }
}

/// `(a: T, b!: U)`.
fn param_list(p: &mut Parser<'_>) {
    let m = p.start();
    p.bump(L_PAREN);
    p.with_newlines(false, |p| {
        comma_list(p, R_PAREN, TokenSet::new(&[IDENT]), "a parameter", |p| param(p, true));
        p.expect(R_PAREN);
    });
    m.complete(p, PARAM_LIST);
}

/// `x: T`, `x!: T`; with `require_type` false (closures) the type is optional.
pub(crate) fn param(p: &mut Parser<'_>, require_type: bool) {
    let m = p.start();
    name(p);
    p.eat(BANG);
    if p.eat(COLON) {
        types::type_(p);
    } else if require_type {
        p.error_expected("`:` and a parameter type");
    }
    m.complete(p, PARAM);
}

/// `<T, U>` on an item.
fn generic_param_list(p: &mut Parser<'_>) {
    let m = p.start();
    p.bump(L_ANGLE);
    comma_list(p, R_ANGLE, TokenSet::new(&[IDENT]), "a generic parameter", |p| {
        let param = p.start();
        name(p);
        param.complete(p, GENERIC_PARAM);
    });
    p.expect(R_ANGLE);
    m.complete(p, GENERIC_PARAM_LIST);
}

/// `struct Name<T>? { field: T, ... }`.
fn struct_item(p: &mut Parser<'_>, m: Marker) {
    adt_item(p, m, STRUCT_KW, STRUCT, RECORD_FIELD_LIST, "a field", record_field);
}

/// `field: T` in a struct.
fn record_field(p: &mut Parser<'_>) {
    let field = p.start();
    name(p);
    p.expect(COLON);
    types::type_(p);
    field.complete(p, RECORD_FIELD);
}

/// `enum Name<T>? { Variant(T, U), Unit, ... }`.
fn enum_item(p: &mut Parser<'_>, m: Marker) {
    adt_item(p, m, ENUM_KW, ENUM, VARIANT_LIST, "a variant", variant);
}

/// `Variant(T, U)` or `Unit` in an enum.
fn variant(p: &mut Parser<'_>) {
    let variant = p.start();
    name(p);
    if p.at(L_PAREN) {
        let fields = p.start();
        p.bump(L_PAREN);
        comma_list(p, R_PAREN, types::TYPE_FIRST, "a type", types::type_);
        p.expect(R_PAREN);
        fields.complete(p, TUPLE_FIELD_LIST);
    }
    variant.complete(p, VARIANT);
}

/// The shape shared by `struct` and `enum` items: `keyword Name<T>? { member, ... }`,
/// members separated by commas or line breaks. Completes the braced list as `list_kind`
/// and the item (`m`) as `item_kind`.
fn adt_item(
    p: &mut Parser<'_>,
    m: Marker,
    keyword: SyntaxKind,
    item_kind: SyntaxKind,
    list_kind: SyntaxKind,
    what: &str,
    member: fn(&mut Parser<'_>),
) {
    p.bump(keyword);
    name(p);
    if p.at(L_ANGLE) {
        generic_param_list(p);
    }
    if p.at(L_BRACE) {
        let list = p.start();
        p.bump(L_BRACE);
        p.with_newlines(false, |p| {
            separated_list(p, R_BRACE, TokenSet::new(&[IDENT]), what, member);
        });
        p.expect(R_BRACE);
        list.complete(p, list_kind);
    } else {
        p.error_expected("`{`");
    }
    m.complete(p, item_kind);
}

/// `const NAME: T = value`.
fn const_item(p: &mut Parser<'_>, m: Marker) {
    p.bump(CONST_KW);
    name(p);
    if p.eat(COLON) {
        types::type_(p);
    }
    if p.expect(EQ) {
        expr(p);
    }
    m.complete(p, CONST);
}

/// `impl<T>? Type { items }` (not in Vex Core).
fn impl_item(p: &mut Parser<'_>, m: Marker) {
    p.bump_any();
    if p.at(L_ANGLE) {
        generic_param_list(p);
    }
    types::type_(p);
    if p.at(L_BRACE) {
        item_list(p);
    } else {
        p.error_expected("`{`");
    }
    m.complete(p, IMPL);
}

/// `import a.b` or `import "file"` (not in Vex Core).
fn import_item(p: &mut Parser<'_>, m: Marker) {
    p.bump_any();
    if !p.eat(STRING) {
        path(p);
    }
    m.complete(p, IMPORT);
}

/// A defining name, or an error if the current token is not an identifier.
pub(crate) fn name(p: &mut Parser<'_>) {
    if p.at(IDENT) {
        let m = p.start();
        p.bump(IDENT);
        m.complete(p, NAME);
    } else {
        p.error_expected("a name");
    }
}

/// A name use: identifier, `$builtin` or tuple index.
pub(crate) fn name_ref(p: &mut Parser<'_>) {
    if matches!(p.current(), IDENT | BUILTIN_IDENT | INT_NUMBER) {
        let m = p.start();
        p.bump_any();
        m.complete(p, NAME_REF);
    } else {
        p.error_expected("a name");
    }
}

/// `a.b.c` as a `PATH` node.
pub(crate) fn path(p: &mut Parser<'_>) -> CompletedMarker {
    let m = p.start();
    name_ref(p);
    while p.at(DOT) && p.nth(1) == IDENT {
        p.bump(DOT);
        name_ref(p);
    }
    m.complete(p, PATH)
}

/// Parses `elem (, elem)* ,?` up to (not including) `close`. Elements must start with a
/// token in `first`; anything else is reported and skipped, and the list stops at tokens
/// that belong to an enclosing construct.
pub(crate) fn comma_list(
    p: &mut Parser<'_>,
    close: SyntaxKind,
    first: TokenSet,
    what: &str,
    mut elem: impl FnMut(&mut Parser<'_>),
) {
    list_impl(p, close, first, what, false, LIST_RECOVERY, &mut elem);
}

/// Like `comma_list`, but a line break also separates elements (struct fields, variants,
/// struct literal fields).
pub(crate) fn separated_list(
    p: &mut Parser<'_>,
    close: SyntaxKind,
    first: TokenSet,
    what: &str,
    mut elem: impl FnMut(&mut Parser<'_>),
) {
    list_impl(p, close, first, what, true, LIST_RECOVERY, &mut elem);
}

/// `type (, type)* ,?` up to (not including) `close`, in tuple types, generic arguments
/// and function types. Besides the usual recovery tokens an `=` ends the list, since no
/// type contains one: `let f: fn(i64 = g` keeps `= g` as the initialiser.
pub(crate) fn type_list(p: &mut Parser<'_>, close: SyntaxKind, what: &str) {
    let recovery = LIST_RECOVERY.union(TokenSet::new(&[EQ]));
    list_impl(p, close, types::TYPE_FIRST, what, false, recovery, &mut types::type_);
}

/// Whether the current token is in the first set `first`. `async` and `fn` start items
/// too: in `async fn` and `fn name` they start an item, which ends an enclosing list;
/// otherwise `async` starts an expression (an async closure, `async |x| …`, or a stray
/// `async` that the expression reports) and `fn` a function type (`fn(A): R`).
pub(crate) fn at_first(p: &Parser<'_>, first: TokenSet) -> bool {
    match p.current() {
        ASYNC_KW => first.contains(ASYNC_KW) && p.nth(1) != FN_KW,
        FN_KW => first.contains(FN_KW) && p.nth(1) != IDENT,
        kind => first.contains(kind),
    }
}

/// Tokens that end any list because they belong to an enclosing construct.
const LIST_RECOVERY: TokenSet =
    STMT_RECOVERY.union(TokenSet::new(&[L_BRACE, R_PAREN, R_BRACK, R_BRACE, FSTRING_HOLE_CLOSE]));

fn list_impl(
    p: &mut Parser<'_>,
    close: SyntaxKind,
    first: TokenSet,
    what: &str,
    newline_separates: bool,
    recovery: TokenSet,
    elem: &mut dyn FnMut(&mut Parser<'_>),
) {
    while !p.at(close) && !p.at_eof() {
        let start = p.pos();
        if at_first(p, first) {
            elem(p);
        } else if p.at_ts(recovery) {
            // The caller reports the missing closing token.
            break;
        } else {
            p.err_recover(&format!("expected {what}"), recovery);
            continue;
        }
        if p.at(close) {
            break;
        }
        if p.eat(COMMA) {
            continue;
        }
        if p.pos() == start {
            p.error_expected(&format!("{what} or {}", close.describe()));
            break;
        }
        if newline_separates && p.newline_before() {
            continue;
        }
        if at_first(p, first) {
            p.error_expected("`,`");
            continue;
        }
        p.error_expected(&format!("`,` or {}", close.describe()));
        if p.at_ts(recovery) {
            break;
        }
        p.err_recover("unexpected token in list", recovery);
    }
}

/// Parses statements up to `}` or end of input, as the body of a block. An item at the
/// start of an unindented line also ends it: items inside blocks are not Vex Core, so
/// that is almost surely the next top-level item after a block whose `}` is missing.
/// The block then reports the missing `}` there, and the items after it still parse.
pub(crate) fn stmt_list(p: &mut Parser<'_>) {
    while !p.at(R_BRACE) && !p.at_eof() {
        if p.eat(SEMICOLON) {
            continue;
        }
        if at_item(p) && p.at_column_zero() {
            break;
        }
        stmt(p);
    }
}

/// One statement. An expression directly followed by `}` is left unwrapped: it is the
/// block's tail expression.
fn stmt(p: &mut Parser<'_>) {
    match p.current() {
        LET_KW => {
            let m = p.start();
            p.bump(LET_KW);
            p.eat(BANG);
            patterns::pattern(p);
            if p.eat(COLON) {
                types::type_(p);
            }
            if p.eat(EQ) {
                expr(p);
            }
            stmt_end(p);
            m.complete(p, LET_STMT);
        }
        DEFER_KW => {
            let m = p.start();
            p.bump(DEFER_KW);
            if expr(p).is_none() {
                p.error_expected("an expression or block after `defer`");
            }
            stmt_end(p);
            m.complete(p, DEFER_STMT);
        }
        _ if at_item(p) => item(p),
        kind if expressions::is_binary_only_operator(kind) => {
            let m = p.start();
            let what = if kind == QUESTION { "" } else { "the binary operator " };
            p.error(format!(
                "a line cannot start with {what}`{}`; put it at the end of the previous line",
                p.current_text()
            ));
            p.bump_any();
            m.complete(p, ERROR);
        }
        _ => {
            let start = p.pos();
            match expressions::expr_or_send(p) {
                Some(done) => {
                    if p.at(R_BRACE) || p.at_eof() {
                        return;
                    }
                    let m = done.precede(p);
                    stmt_end(p);
                    m.complete(p, EXPR_STMT);
                }
                None if p.pos() == start => {
                    p.err_recover("expected a statement", TokenSet::EMPTY);
                }
                None => {}
            }
        }
    }
}

/// Ends a statement: `;`, a line break, `}` or end of input; otherwise reports the
/// stray tokens and skips them up to the end of the line.
fn stmt_end(p: &mut Parser<'_>) {
    if p.eat(SEMICOLON) || p.at(R_BRACE) || p.at_eof() || p.newline_before() || p.prev_was(R_BRACE)
    {
        return;
    }
    p.error("expected `;` or a line break after the statement");
    let m = p.start();
    let mut balance = 0u32;
    while !p.at_eof() {
        match p.current() {
            L_PAREN | L_BRACK | L_BRACE | FSTRING_HOLE_OPEN => balance += 1,
            R_PAREN | R_BRACK | R_BRACE | FSTRING_HOLE_CLOSE if balance == 0 => break,
            R_PAREN | R_BRACK | R_BRACE | FSTRING_HOLE_CLOSE => balance -= 1,
            SEMICOLON if balance == 0 => break,
            _ => {}
        }
        p.bump_any();
        if balance == 0 && p.newline_before() {
            break;
        }
    }
    m.complete(p, ERROR);
    p.eat(SEMICOLON);
}
