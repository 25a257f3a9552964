//! Types: named types with generic arguments (`Future<T>`, `Vec<Vec<i64>>`), tuples and
//! unit, arrays `[T; N]`, function types `fn(A, B): R` (v0.2), and the non-Core `&T` /
//! `*T`. Generic arguments must follow the type name without a space (`Future<T>`), which
//! keeps `x as i64 < y` a comparison. A function type's result is introduced by `:` (or
//! `->`) and is itself a type, so in `let f: fn(i64): i64 = g` the `= g` is the
//! initialiser; without `: R` the result is unit. `fn` followed by a name starts an item
//! (`fn main`), not a type, and is left to the enclosing list.

use super::{at_first, expr, path, ret_type, type_list};
use crate::SyntaxKind::*;
use crate::parser::{Parser, TokenSet};

/// Tokens that can start a type.
pub(crate) const TYPE_FIRST: TokenSet = TokenSet::new(&[IDENT, L_PAREN, L_BRACK, AMP, STAR, FN_KW]);

/// Parses a type, or reports that one is missing (without consuming anything).
pub(crate) fn type_(p: &mut Parser<'_>) {
    if !at_first(p, TYPE_FIRST) {
        p.error_expected("a type");
        return;
    }
    if !p.enter() {
        return;
    }
    let m = p.start();
    let kind = match p.current() {
        IDENT => {
            path(p);
            // `Future<T>`: generic arguments follow the name directly, so that
            // `x as i64 < y` stays a comparison.
            if p.at(L_ANGLE) && p.joint_with_previous() {
                generic_arg_list(p);
            }
            PATH_TYPE
        }
        L_PAREN => {
            p.bump(L_PAREN);
            p.with_newlines(false, |p| {
                type_list(p, R_PAREN, "a type");
                p.expect(R_PAREN);
            });
            TUPLE_TYPE
        }
        L_BRACK => {
            p.bump(L_BRACK);
            p.with_newlines(false, |p| {
                type_(p);
                if p.expect(SEMICOLON) && expr(p).is_none() {
                    p.error_expected("an array length");
                }
                p.expect(R_BRACK);
            });
            ARRAY_TYPE
        }
        FN_KW => {
            p.bump(FN_KW);
            if p.at(L_PAREN) {
                let params = p.start();
                p.bump(L_PAREN);
                p.with_newlines(false, |p| {
                    type_list(p, R_PAREN, "a parameter type");
                    p.expect(R_PAREN);
                });
                params.complete(p, FN_TYPE_PARAM_LIST);
            } else {
                p.error_expected("`(` and the parameter types of a function type");
            }
            ret_type(p);
            FN_TYPE
        }
        AMP => {
            p.bump(AMP);
            type_(p);
            REF_TYPE
        }
        _ => {
            p.bump(STAR);
            type_(p);
            PTR_TYPE
        }
    };
    m.complete(p, kind);
    p.leave();
}

/// `<T, U>` after a type name or, in expressions, after a function or method name.
pub(crate) fn generic_arg_list(p: &mut Parser<'_>) {
    let args = p.start();
    p.bump(L_ANGLE);
    type_list(p, R_ANGLE, "a type argument");
    p.expect(R_ANGLE);
    args.complete(p, GENERIC_ARG_LIST);
}
