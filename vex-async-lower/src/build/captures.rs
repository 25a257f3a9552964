//! What a `defer` or `go` body reads from outside it: the expressions and patterns of
//! a subtree (without nested `go` bodies) and the free locals, in a stable order.

use super::*;

/// Every expression and pattern of a subtree, without the bodies of `go` blocks and
/// closures (whose captures stand for what they read).
#[derive(Default)]
pub(super) struct Subtree {
    /// Every expression (in the order of a depth-first walk).
    pub(super) exprs: Vec<ExprId>,
    /// Every pattern.
    pub(super) pats: Vec<PatId>,
    /// The captures of the `go` blocks and closures inside (their bodies are not
    /// walked).
    pub(super) go_captures: Vec<vex_hir::body::LocalId>,
}

pub(super) fn subtree(body: &Body, root: ExprId) -> Subtree {
    let mut out = Subtree::default();
    let mut stack = vec![root];
    let mut pat_roots = Vec::new();
    while let Some(e) = stack.pop() {
        out.exprs.push(e);
        match &body.exprs[e] {
            Expr::Missing
            | Expr::Unsupported(_)
            | Expr::Literal(_)
            | Expr::Local(_)
            | Expr::Name(_)
            | Expr::Path { .. }
            | Expr::Continue { .. } => {}
            Expr::Call { callee, args } => {
                stack.push(*callee);
                stack.extend(args.iter().copied());
            }
            Expr::MethodCall { receiver, args, .. } => {
                stack.push(*receiver);
                stack.extend(args.iter().copied());
            }
            Expr::Field { base, .. } | Expr::TupleField { base, .. } => stack.push(*base),
            Expr::Index { base, index } => stack.extend([*base, *index]),
            Expr::Unary { expr, .. }
            | Expr::Cast { expr, .. }
            | Expr::Await(expr)
            | Expr::Try(expr)
            | Expr::Defer(expr) => stack.push(*expr),
            Expr::Let { pat, expr } => {
                pat_roots.push(*pat);
                stack.push(*expr);
            }
            Expr::Binary { lhs, rhs, .. } => stack.extend([*lhs, *rhs]),
            Expr::Recv(channel) => stack.push(*channel),
            Expr::Send { channel, value } => stack.extend([*channel, *value]),
            Expr::Select { arms } => {
                for arm in arms {
                    match &arm.kind {
                        SelectArmKind::Recv { channel, binding } => {
                            stack.push(*channel);
                            pat_roots.extend(*binding);
                        }
                        SelectArmKind::Send { channel, value } => stack.extend([*channel, *value]),
                        SelectArmKind::After(ms) => stack.push(*ms),
                        SelectArmKind::Default => {}
                    }
                    stack.push(arm.body);
                }
            }
            Expr::Assign { place, value, .. } => stack.extend([*place, *value]),
            Expr::If { cond, then_branch, else_branch } => {
                stack.extend([*cond, *then_branch]);
                stack.extend(*else_branch);
            }
            Expr::While { cond, body: b, .. } => stack.extend([*cond, *b]),
            Expr::Loop { body: b, .. } => stack.push(*b),
            Expr::For { pat, iter, body: b, .. } => {
                pat_roots.push(*pat);
                match iter {
                    ForIter::Range { start, end, .. } => stack.extend([*start, *end]),
                    ForIter::Array(a) => stack.push(*a),
                }
                stack.push(*b);
            }
            Expr::Break { value, .. } | Expr::Return(value) => stack.extend(*value),
            Expr::Block { stmts, tail } => {
                for s in stmts {
                    match &body.stmts[*s] {
                        HirStmt::Let { pat, init, .. } => {
                            pat_roots.push(*pat);
                            stack.extend(*init);
                        }
                        HirStmt::Expr(x) => stack.push(*x),
                    }
                }
                stack.extend(*tail);
            }
            Expr::Match { scrutinee, arms } => {
                stack.push(*scrutinee);
                for arm in arms {
                    pat_roots.push(arm.pat);
                    stack.extend(arm.guard);
                    stack.push(arm.expr);
                }
            }
            Expr::Tuple(elems) | Expr::Array(elems) => stack.extend(elems.iter().copied()),
            Expr::ArrayRepeat { value, .. } => stack.push(*value),
            Expr::StructLit { fields, .. } => stack.extend(fields.iter().map(|f| f.1)),
            Expr::Format(pieces) => {
                for piece in pieces {
                    if let FormatPiece::Value(x) = piece {
                        stack.push(*x);
                    }
                }
            }
            Expr::Go { captures, .. } | Expr::Closure { captures, .. } => {
                out.go_captures.extend(captures.iter().copied())
            }
        }
    }
    while let Some(p) = pat_roots.pop() {
        out.pats.push(p);
        match &body.pats[p] {
            Pat::Or(pats) | Pat::Tuple(pats) => pat_roots.extend(pats.iter().copied()),
            Pat::Variant { fields: Some(fields), .. } => pat_roots.extend(fields.iter().copied()),
            _ => {}
        }
    }
    out
}

/// The locals `e` reads or writes that are bound outside it, in a stable order.
pub(super) fn free_locals(body: &Body, e: ExprId) -> Vec<vex_hir::body::LocalId> {
    let tree = subtree(body, e);
    let bound: rustc_hash::FxHashSet<_> = tree
        .pats
        .iter()
        .filter_map(|p| match &body.pats[*p] {
            Pat::Bind(l) => Some(*l),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    let used = tree
        .exprs
        .iter()
        .filter_map(|x| match &body.exprs[*x] {
            Expr::Local(l) => Some(*l),
            _ => None,
        })
        .chain(tree.go_captures.iter().copied());
    for l in used {
        if !bound.contains(&l) && !out.contains(&l) {
            out.push(l);
        }
    }
    out.sort_by_key(|l| u32::from(l.into_raw()));
    out
}

/// Whether evaluating `e` may change the local `local`: an assignment to it or into it,
/// or a method call on it (the mutating methods of `Vec` and the in-place string
/// updates among them). Closures and `go` blocks inside copy what they capture, so
/// they never write it.
pub(super) fn writes(body: &Body, e: ExprId, local: vex_hir::body::LocalId) -> bool {
    subtree(body, e).exprs.iter().any(|&x| match &body.exprs[x] {
        Expr::Assign { place, .. } => root_local(body, *place) == Some(local),
        Expr::MethodCall { receiver, .. } => root_local(body, *receiver) == Some(local),
        _ => false,
    })
}

/// The local a place expression (`x`, `x.f`, `x.0`, `x[i]`) is part of.
fn root_local(body: &Body, mut e: ExprId) -> Option<vex_hir::body::LocalId> {
    loop {
        match &body.exprs[e] {
            Expr::Local(l) => return Some(*l),
            Expr::Field { base, .. } | Expr::TupleField { base, .. } | Expr::Index { base, .. } => {
                e = *base
            }
            _ => return None,
        }
    }
}
