//! Patterns: bindings, `_`, literals, enum variant paths (`Shape.Rect(w, h)`), tuples,
//! struct patterns and `|` alternatives.

use super::{comma_list, name, path, separated_list};
use crate::SyntaxKind::*;
use crate::parser::{CompletedMarker, Parser, TokenSet};

/// Tokens that can start a pattern.
pub(crate) const PAT_FIRST: TokenSet = TokenSet::new(&[
    UNDERSCORE,
    INT_NUMBER,
    FLOAT_NUMBER,
    STRING,
    TRUE_KW,
    FALSE_KW,
    MINUS,
    L_PAREN,
    IDENT,
]);

/// A pattern with optional `|` alternatives.
pub(crate) fn pattern(p: &mut Parser<'_>) -> Option<CompletedMarker> {
    let first = single_pattern(p)?;
    if !p.at(PIPE) {
        return Some(first);
    }
    let m = first.precede(p);
    while p.eat(PIPE) {
        if single_pattern(p).is_none() {
            break;
        }
    }
    Some(m.complete(p, OR_PAT))
}

fn single_pattern(p: &mut Parser<'_>) -> Option<CompletedMarker> {
    if !p.at_ts(PAT_FIRST) {
        p.error_expected("a pattern");
        return None;
    }
    if !p.enter() {
        return None;
    }
    let done = single_pattern_inner(p);
    p.leave();
    Some(done)
}

fn single_pattern_inner(p: &mut Parser<'_>) -> CompletedMarker {
    let m = p.start();
    match p.current() {
        UNDERSCORE => {
            p.bump(UNDERSCORE);
            m.complete(p, WILDCARD_PAT)
        }
        MINUS | INT_NUMBER | FLOAT_NUMBER | STRING | TRUE_KW | FALSE_KW => {
            if p.eat(MINUS) && !matches!(p.current(), INT_NUMBER | FLOAT_NUMBER) {
                p.error_expected("a number after `-`");
            }
            if matches!(p.current(), INT_NUMBER | FLOAT_NUMBER | STRING | TRUE_KW | FALSE_KW) {
                let literal = p.start();
                p.bump_any();
                literal.complete(p, LITERAL);
            }
            m.complete(p, LITERAL_PAT)
        }
        L_PAREN => {
            p.bump(L_PAREN);
            p.with_newlines(false, |p| {
                comma_list(p, R_PAREN, PAT_FIRST, "a pattern", |p| {
                    pattern(p);
                });
                p.expect(R_PAREN);
            });
            m.complete(p, TUPLE_PAT)
        }
        _ => {
            let is_path = p.nth(1) == DOT
                || p.nth(1) == L_PAREN
                || (p.nth(1) == L_BRACE && !p.nth_at_line_start(1));
            if !is_path {
                name(p);
                return m.complete(p, IDENT_PAT);
            }
            path(p);
            if p.at(L_PAREN) {
                p.bump(L_PAREN);
                p.with_newlines(false, |p| {
                    comma_list(p, R_PAREN, PAT_FIRST, "a pattern", |p| {
                        pattern(p);
                    });
                    p.expect(R_PAREN);
                });
                m.complete(p, TUPLE_STRUCT_PAT)
            } else if p.at(L_BRACE) && !p.at_line_start() {
                let list = p.start();
                p.bump(L_BRACE);
                p.with_newlines(false, |p| {
                    separated_list(p, R_BRACE, TokenSet::new(&[IDENT]), "a field pattern", |p| {
                        let field = p.start();
                        super::name_ref(p);
                        if p.eat(COLON) {
                            pattern(p);
                        }
                        field.complete(p, RECORD_PAT_FIELD);
                    });
                    p.expect(R_BRACE);
                });
                list.complete(p, RECORD_PAT_FIELD_LIST);
                m.complete(p, RECORD_PAT)
            } else {
                m.complete(p, PATH_PAT)
            }
        }
    }
}
