//! Inference of expressions: checking against an expected type (a block expected to
//! be `()` discards its tail), literals, operators, casts, `await`, control flow and
//! loops, assignment places, and what may be printed.

use super::{FixAt, HirNode, InferCtx, InferDiagnostic, InferFix, LoopCtx, Resolution};
use crate::body::{ArithOp, BinaryOp, CmpOp, Expr, ExprId, ForIter, FormatPiece, Literal, UnaryOp};
use crate::diagnostics::Code;
use crate::signature::{resolve_type, struct_fields};
use crate::ty::{Ty, VarKind};

impl InferCtx<'_> {
    pub(super) fn check_expr(&mut self, expr: ExprId, expected: &Ty) -> Ty {
        if let Expr::Block { stmts, tail: Some(tail) } = &self.body.exprs[expr]
            && self.shallow(expected) == Ty::Unit
        {
            // A block expected to be `()` discards its tail's value, as if the tail
            // were a statement: `fn log() { spawn_task() }` is fine.
            let mut diverges = false;
            for &stmt in stmts {
                diverges |= self.infer_stmt(stmt);
            }
            let tail_ty = self.discard(*tail);
            let ty =
                if diverges || self.shallow(&tail_ty) == Ty::Never { Ty::Never } else { Ty::Unit };
            self.result.expr_types.insert(expr, ty.clone());
            return ty;
        }
        if self.shallow(expected) == Ty::Unit {
            match &self.body.exprs[expr] {
                Expr::If { cond, then_branch, else_branch: Some(else_branch) } => {
                    let (cond, then_branch, else_branch) = (*cond, *then_branch, *else_branch);
                    self.check_expr(cond, &Ty::Bool);
                    let then_ty = self.check_expr(then_branch, &Ty::Unit);
                    let else_ty = self.check_expr(else_branch, &Ty::Unit);
                    let ty = if self.shallow(&then_ty) == Ty::Never
                        && self.shallow(&else_ty) == Ty::Never
                    {
                        Ty::Never
                    } else {
                        Ty::Unit
                    };
                    self.result.expr_types.insert(expr, ty.clone());
                    return ty;
                }
                Expr::Match { scrutinee, arms } => {
                    let ty = self.infer_match(expr, *scrutinee, arms, Some(&Ty::Unit));
                    self.result.expr_types.insert(expr, ty.clone());
                    return ty;
                }
                _ => {}
            }
        }
        if let (Expr::Closure { .. }, Ty::Fn(fn_ty)) =
            (&self.body.exprs[expr], self.shallow(expected))
        {
            // The expected type gives unannotated parameters their types.
            let ty = self.infer_closure(expr, Some(&fn_ty));
            self.result.expr_types.insert(expr, ty.clone());
            self.coerce(expr, &ty, expected);
            return ty;
        }
        let ty = self.infer_expr(expr);
        self.coerce(expr, &ty, expected);
        ty
    }

    /// Infers an expression whose value is thrown away (a statement): `if`s, `match`es
    /// and blocks then need not produce a value of one type.
    pub(super) fn discard(&mut self, expr: ExprId) -> Ty {
        match &self.body.exprs[expr] {
            Expr::If { .. } | Expr::Match { .. } | Expr::Block { .. } => {
                self.check_expr(expr, &Ty::Unit)
            }
            _ => self.infer_expr(expr),
        }
    }

    pub(super) fn infer_expr(&mut self, expr: ExprId) -> Ty {
        let ty = crate::ensure_stack(|| self.infer_expr_inner(expr));
        self.result.expr_types.insert(expr, ty.clone());
        ty
    }

    fn infer_expr_inner(&mut self, expr: ExprId) -> Ty {
        let body = self.body;
        match &body.exprs[expr] {
            Expr::Missing => Ty::Error,
            Expr::Literal(literal) => self.infer_literal(expr, literal, None),
            Expr::Local(local) => self.result.local_types.get(*local).cloned().unwrap_or(Ty::Error),
            Expr::Name(name) => self.infer_name_value(expr, name),
            Expr::Path { ty, member, .. } => self.infer_path_value(expr, ty, member),
            Expr::Call { callee, args } => self.infer_call(expr, *callee, args),
            Expr::MethodCall { receiver, method, args } => {
                self.infer_method_call(expr, *receiver, method, args)
            }
            Expr::Field { base, name } => {
                let base_ty = self.infer_expr(*base);
                match self.shallow(&base_ty) {
                    Ty::Struct(loc) => {
                        let fields = struct_fields(self.db, loc);
                        if let Some(i) = fields.iter().position(|(n, _)| n == name) {
                            self.result.resolutions.insert(expr, Resolution::Field(i as u32));
                            fields[i].1.clone()
                        } else {
                            let message =
                                format!("no field `{name}` on type `{}`", self.display(&base_ty));
                            self.report(Code::UnknownMember, HirNode::Expr(expr), message);
                            Ty::Error
                        }
                    }
                    Ty::Error => Ty::Error,
                    other => {
                        let message =
                            format!("no field `{name}` on type `{}`", self.display(&other));
                        self.report(Code::UnknownMember, HirNode::Expr(expr), message);
                        Ty::Error
                    }
                }
            }
            Expr::TupleField { base, index } => {
                let base_ty = self.infer_expr(*base);
                match self.shallow(&base_ty) {
                    Ty::Tuple(elems) if (*index as usize) < elems.len() => {
                        elems[*index as usize].clone()
                    }
                    Ty::Error => Ty::Error,
                    other => {
                        let message =
                            format!("no field `{index}` on type `{}`", self.display(&other));
                        self.report(Code::UnknownMember, HirNode::Expr(expr), message);
                        Ty::Error
                    }
                }
            }
            Expr::Index { base, index } => {
                let base_ty = self.infer_expr(*base);
                let int = self.new_var(VarKind::Int);
                self.check_expr(*index, &int);
                match self.shallow(&base_ty) {
                    Ty::Array(elem, _) => *elem,
                    Ty::Vec(elem) => {
                        if self.assigned_place != Some(expr)
                            && self.resolve(&elem).contains_future()
                        {
                            let message = format!(
                                "cannot read an element of a `{}`: its elements are move-only; take them out with `pop()` or `for x in v`",
                                self.display(&base_ty)
                            );
                            self.report(Code::MoveOnlyElement, HirNode::Expr(expr), message);
                        }
                        *elem
                    }
                    Ty::Error => Ty::Error,
                    other => {
                        let message =
                            format!("cannot index a value of type `{}`", self.display(&other));
                        self.report(Code::InvalidOperands, HirNode::Expr(expr), message);
                        Ty::Error
                    }
                }
            }
            Expr::Unary { op, expr: operand } => self.infer_unary(expr, *op, *operand),
            Expr::Binary { op, lhs, rhs } => self.infer_binary(expr, *op, *lhs, *rhs),
            Expr::Assign { op, place, value } => {
                self.check_place(*place);
                let outer = self.assigned_place.replace(*place);
                let place_ty = self.infer_expr(*place);
                self.assigned_place = outer;
                let value_ty = self.check_expr(*value, &place_ty);
                if let Some(op) = op {
                    let resolved = self.shallow(&value_ty);
                    self.check_arith_operands(expr, *op, &resolved);
                }
                Ty::Unit
            }
            Expr::Cast { expr: operand, ty } => {
                let from = self.infer_expr(*operand);
                let to = match resolve_type(self.db, ty) {
                    Ok(ty) => ty,
                    Err(message) => {
                        let code = if message.starts_with("not supported") {
                            Code::NotSupported
                        } else {
                            Code::UnknownType
                        };
                        self.report(code, HirNode::CastType(expr), message);
                        return Ty::Error;
                    }
                };
                let from_r = self.shallow(&from);
                let ok = (from_r.is_numeric() || from_r == Ty::Error || from_r == Ty::Never)
                    && (to.is_numeric() || to == Ty::Error);
                if !ok {
                    let message = format!(
                        "cannot convert `{}` to `{}` with `as`; only numeric types convert",
                        self.display(&from),
                        self.display(&to)
                    );
                    self.report(Code::InvalidCast, HirNode::Expr(expr), message);
                }
                to
            }
            Expr::Await(future) => {
                if !self.in_async {
                    let (message, fix) = match self.frames.last() {
                        Some(super::Frame::Closure(closure)) => (
                            "`await` is only allowed in an async closure: write `async |…| { … }`",
                            InferFix {
                                message: "make it an async closure".to_owned(),
                                edits: vec![(
                                    FixAt::Before(HirNode::Expr(*closure)),
                                    "async ".to_owned(),
                                )],
                            },
                        ),
                        _ => (
                            "`await` is only allowed inside an `async fn`, a `go` block or an async closure",
                            InferFix {
                                message: "make the function an `async fn`".to_owned(),
                                edits: vec![(FixAt::FnKeyword, "async ".to_owned())],
                            },
                        ),
                    };
                    self.result.diagnostics.push(InferDiagnostic {
                        code: Code::AwaitOutsideAsync,
                        message: message.to_owned(),
                        at: HirNode::Expr(expr),
                        label: None,
                        note: None,
                        fix: Some(fix),
                    });
                }
                let ty = self.infer_expr(*future);
                match self.shallow(&ty) {
                    Ty::Future(inner) => *inner,
                    Ty::Error | Ty::Never => Ty::Error,
                    Ty::Var(..) => {
                        let inner = self.new_var(VarKind::General);
                        let future_ty = Ty::Future(Box::new(inner.clone()));
                        self.coerce(*future, &ty, &future_ty);
                        inner
                    }
                    other => {
                        let message =
                            format!("`await` needs a `Future`, found `{}`", self.display(&other));
                        self.report(Code::TypeMismatch, HirNode::Expr(*future), message);
                        Ty::Error
                    }
                }
            }
            Expr::If { cond, then_branch, else_branch } => {
                self.check_expr(*cond, &Ty::Bool);
                match else_branch {
                    Some(else_branch) => {
                        let then_ty = self.infer_expr(*then_branch);
                        let else_ty = self.infer_expr(*else_branch);
                        self.join(*else_branch, &then_ty, &else_ty)
                    }
                    None => {
                        self.check_expr(*then_branch, &Ty::Unit);
                        Ty::Unit
                    }
                }
            }
            Expr::While { label, cond, body: loop_body } => {
                self.check_expr(*cond, &Ty::Bool);
                self.loops.push(LoopCtx { label: *label, break_ty: None });
                self.check_expr(*loop_body, &Ty::Unit);
                self.loops.pop();
                Ty::Unit
            }
            Expr::Loop { label, body: loop_body } => {
                self.loops.push(LoopCtx { label: *label, break_ty: Some(None) });
                self.check_expr(*loop_body, &Ty::Unit);
                let ctx = self.loops.pop();
                match ctx.and_then(|c| c.break_ty).flatten() {
                    Some(ty) => ty,
                    None => Ty::Never,
                }
            }
            Expr::For { label, pat, iter, body: loop_body } => {
                let elem = match iter {
                    ForIter::Range { start, end, .. } => {
                        let int = self.new_var(VarKind::Int);
                        self.check_expr(*start, &int);
                        self.check_expr(*end, &int);
                        int
                    }
                    ForIter::Array(array) => {
                        let ty = self.infer_expr(*array);
                        match self.shallow(&ty) {
                            Ty::Array(elem, _) | Ty::Vec(elem) => *elem,
                            Ty::Channel(elem) => {
                                self.check_can_wait(expr, "`for v in channel`");
                                *elem
                            }
                            Ty::Error => Ty::Error,
                            other => {
                                let message = format!(
                                    "cannot iterate over a value of type `{}`; `for` takes a range, an array, a `Vec` or a `Channel`",
                                    self.display(&other)
                                );
                                self.report(Code::InvalidOperands, HirNode::Expr(*array), message);
                                Ty::Error
                            }
                        }
                    }
                };
                self.check_pat(*pat, &elem);
                self.loops.push(LoopCtx { label: *label, break_ty: None });
                self.check_expr(*loop_body, &Ty::Unit);
                self.loops.pop();
                Ty::Unit
            }
            Expr::Break { label, value } => {
                let target = match label {
                    Some(label) => self.loops.iter().rposition(|l| l.label == Some(*label)),
                    None => self.loops.len().checked_sub(1),
                };
                let value_ty = value.map(|v| self.infer_expr(v));
                if let Some(target) = target {
                    match (&self.loops[target].break_ty, value, value_ty) {
                        (Some(None), _, ty) => {
                            self.loops[target].break_ty = Some(Some(ty.unwrap_or(Ty::Unit)));
                        }
                        (Some(Some(prev)), value, ty) => {
                            let prev = prev.clone();
                            let ty = ty.unwrap_or(Ty::Unit);
                            if !self.unify(&prev, &ty) {
                                self.mismatch(value.unwrap_or(expr), &prev, &ty);
                            }
                        }
                        (None, Some(value), _) => {
                            self.report(
                                Code::TypeMismatch,
                                HirNode::Expr(*value),
                                "`break` with a value is only allowed inside `loop`".to_owned(),
                            );
                        }
                        (None, None, _) => {}
                    }
                }
                Ty::Never
            }
            Expr::Continue { .. } => Ty::Never,
            Expr::Return(value) => {
                let ret = self.ret.clone();
                match value {
                    Some(value) => {
                        self.check_expr(*value, &ret);
                    }
                    None => {
                        if !self.unify(&Ty::Unit, &ret) {
                            self.mismatch(expr, &ret, &Ty::Unit);
                        }
                    }
                }
                Ty::Never
            }
            Expr::Block { stmts, tail } => {
                let mut diverges = false;
                for &stmt in stmts {
                    diverges |= self.infer_stmt(stmt);
                }
                match tail {
                    Some(tail) => self.infer_expr(*tail),
                    None if diverges => Ty::Never,
                    None => Ty::Unit,
                }
            }
            Expr::Match { scrutinee, arms } => self.infer_match(expr, *scrutinee, arms, None),
            Expr::Tuple(elems) => match elems.len() {
                0 => Ty::Unit,
                _ => Ty::Tuple(elems.iter().map(|&e| self.infer_expr(e)).collect()),
            },
            Expr::Array(elems) => {
                let elem = self.new_var(VarKind::General);
                for &e in elems {
                    self.check_expr(e, &elem);
                }
                Ty::Array(Box::new(elem), elems.len() as u64)
            }
            Expr::ArrayRepeat { value, count } => {
                let elem = self.infer_expr(*value);
                match count {
                    Some(count) => Ty::Array(Box::new(elem), *count),
                    None => Ty::Error,
                }
            }
            Expr::StructLit { name, fields } => self.infer_struct_lit(expr, name, fields),
            Expr::Format(pieces) => {
                for piece in pieces {
                    if let FormatPiece::Value(value) = piece {
                        let ty = self.infer_expr(*value);
                        self.check_printable(*value, &ty);
                    }
                }
                Ty::String
            }
            Expr::Go { body: go_body, .. } => {
                let saved_loops = std::mem::take(&mut self.loops);
                let saved_ret = std::mem::replace(&mut self.ret, Ty::Unit);
                let saved_async = std::mem::replace(&mut self.in_async, true);
                self.frames.push(super::Frame::Go);
                self.infer_expr(*go_body);
                self.frames.pop();
                self.loops = saved_loops;
                self.ret = saved_ret;
                self.in_async = saved_async;
                Ty::Unit
            }
            Expr::Closure { .. } => self.infer_closure(expr, None),
            Expr::Try(operand) => self.infer_try(expr, *operand),
            Expr::Let { pat, expr: value } => {
                let ty = self.infer_expr(*value);
                self.check_pat(*pat, &ty);
                Ty::Bool
            }
            Expr::Defer(deferred) => {
                self.infer_expr(*deferred);
                Ty::Unit
            }
            Expr::Recv(channel) => self.infer_recv(expr, *channel),
            Expr::Send { channel, value } => self.infer_send(expr, *channel, *value),
            Expr::Select { arms } => self.infer_select(expr, arms),
            Expr::Unsupported(what) => {
                self.report(
                    Code::NotSupported,
                    HirNode::Expr(expr),
                    format!("not supported in Vex Core: {what}"),
                );
                Ty::Error
            }
        }
    }

    /// The type two branches agree on; the diverging one (`Never`) yields to the other.
    pub(super) fn join(&mut self, second: ExprId, first_ty: &Ty, second_ty: &Ty) -> Ty {
        let first = self.shallow(first_ty);
        if first == Ty::Never {
            return second_ty.clone();
        }
        if !self.unify(first_ty, second_ty) {
            self.mismatch(second, first_ty, second_ty);
        }
        first_ty.clone()
    }

    /// Infers a literal; `negated_by` is the `-` expression around a negated integer.
    fn infer_literal(&mut self, expr: ExprId, literal: &Literal, negated_by: Option<ExprId>) -> Ty {
        match literal {
            Literal::Int(value, suffix) => {
                let ty = match suffix {
                    Some(int) => Ty::Int(*int),
                    None => self.new_var(VarKind::Int),
                };
                match value {
                    Some(value) => self.int_literals.push((
                        expr,
                        *value,
                        negated_by.is_some(),
                        negated_by.unwrap_or(expr),
                    )),
                    None => self.report(
                        Code::InvalidLiteral,
                        HirNode::Expr(expr),
                        "integer literal is too large for any integer type".to_owned(),
                    ),
                }
                ty
            }
            Literal::Float(_, Some(float)) => Ty::Float(*float),
            Literal::Float(_, None) => self.new_var(VarKind::Float),
            Literal::Bool(_) => Ty::Bool,
            Literal::String(_) => Ty::String,
        }
    }

    fn infer_unary(&mut self, expr: ExprId, op: UnaryOp, operand: ExprId) -> Ty {
        let ty = match (&self.body.exprs[operand], op) {
            (Expr::Literal(literal @ Literal::Int(..)), UnaryOp::Neg) => {
                let ty = self.infer_literal(operand, literal, Some(expr));
                self.result.expr_types.insert(operand, ty.clone());
                ty
            }
            _ => self.infer_expr(operand),
        };
        let resolved = self.shallow(&ty);
        let ok = match op {
            UnaryOp::Neg => match resolved {
                Ty::Int(int) => int.is_signed(),
                _ => resolved.is_numeric() || matches!(resolved, Ty::Error | Ty::Never),
            },
            UnaryOp::Not => {
                resolved.is_int() || matches!(resolved, Ty::Bool | Ty::Error | Ty::Never)
            }
        };
        if !ok {
            let what = match op {
                UnaryOp::Neg => "negate",
                UnaryOp::Not => "apply `!` to",
            };
            let message = format!("cannot {what} a value of type `{}`", self.display(&ty));
            self.report(Code::InvalidOperands, HirNode::Expr(expr), message);
            self.int_literals.retain(|&(literal, ..)| literal != operand);
            return Ty::Error;
        }
        ty
    }

    fn infer_binary(&mut self, expr: ExprId, op: BinaryOp, lhs: ExprId, rhs: ExprId) -> Ty {
        match op {
            BinaryOp::Coalesce => self.infer_coalesce(expr, lhs, rhs),
            BinaryOp::And | BinaryOp::Or => {
                self.check_expr(lhs, &Ty::Bool);
                self.check_expr(rhs, &Ty::Bool);
                Ty::Bool
            }
            BinaryOp::Cmp(cmp) => {
                let lhs_ty = self.infer_expr(lhs);
                self.check_expr(rhs, &lhs_ty);
                let resolved = self.shallow(&lhs_ty);
                let ok = match cmp {
                    CmpOp::Eq | CmpOp::Ne => self.has_equality(&self.resolve(&resolved), 0),
                    _ => {
                        resolved.is_numeric()
                            || matches!(resolved, Ty::String | Ty::Error | Ty::Never | Ty::Var(..))
                    }
                };
                if !ok {
                    let message = format!(
                        "cannot compare values of type `{}` with `{}`",
                        self.display(&lhs_ty),
                        cmp.as_str()
                    );
                    self.report(Code::InvalidOperands, HirNode::Expr(expr), message);
                }
                Ty::Bool
            }
            BinaryOp::Arith(arith) => {
                let lhs_ty = self.infer_expr(lhs);
                let resolved = self.shallow(&lhs_ty);
                if self.check_arith_operands(expr, arith, &resolved) {
                    self.check_expr(rhs, &lhs_ty);
                    lhs_ty
                } else {
                    self.infer_expr(rhs);
                    Ty::Error
                }
            }
        }
    }

    /// Whether values of `ty` compare with `==`: everything but futures (handles of
    /// tasks) and function values, and what holds them (fields and payloads of user
    /// types included; `depth` stops at a type that contains itself through a `Vec`).
    fn has_equality(&self, ty: &Ty, depth: u32) -> bool {
        if depth > 16 {
            return true;
        }
        match ty {
            // Handles and code: there is no value to compare (LANGUAGE.md leaves identity
            // comparison out).
            Ty::Future(_) | Ty::Fn(_) | Ty::Channel(_) | Ty::Io(_) => false,
            Ty::Struct(loc) => crate::signature::struct_fields(self.db, *loc)
                .iter()
                .all(|(_, t)| self.has_equality(t, depth + 1)),
            Ty::Enum(loc) => crate::signature::enum_variants(self.db, *loc)
                .iter()
                .flat_map(|(_, payload)| payload)
                .all(|t| self.has_equality(t, depth + 1)),
            other => other.children().all(|t| self.has_equality(t, depth + 1)),
        }
    }

    /// Whether `op` applies to operands of type `ty`; reports when it does not.
    fn check_arith_operands(&mut self, expr: ExprId, op: ArithOp, ty: &Ty) -> bool {
        if matches!(ty, Ty::Error | Ty::Never | Ty::Var(_, VarKind::General)) {
            return true;
        }
        let ok = match op {
            ArithOp::Add => ty.is_numeric() || *ty == Ty::String,
            ArithOp::Sub | ArithOp::Mul | ArithOp::Div | ArithOp::Rem => ty.is_numeric(),
            ArithOp::BitAnd | ArithOp::BitOr | ArithOp::BitXor => ty.is_int() || *ty == Ty::Bool,
            ArithOp::Shl | ArithOp::Shr => ty.is_int(),
        };
        if !ok {
            let message =
                format!("cannot apply `{}` to values of type `{}`", op.as_str(), self.display(ty));
            self.report(Code::InvalidOperands, HirNode::Expr(expr), message);
        }
        ok
    }

    /// Checks that `place` can be assigned (or changed by a mutating method): a mutable
    /// local, or a field, tuple element, array or `Vec` element of one, and not a local
    /// a closure captured.
    pub(super) fn check_place(&mut self, place: ExprId) {
        self.check_place_for(place, "assign to")
    }

    /// [`Self::check_place`], with what is done to the place for messages ("assign to",
    /// "call `push` on").
    pub(super) fn check_place_for(&mut self, place: ExprId, what: &str) {
        let mut current = place;
        loop {
            match &self.body.exprs[current] {
                Expr::Local(local) => {
                    let local = *local;
                    if let Some(closure) = self.capturing_closure(local) {
                        let name = self.body.locals[local].name.clone();
                        self.result.diagnostics.push(InferDiagnostic {
                            code: Code::AssignToCapture,
                            message: format!(
                                "cannot {what} `{name}` inside this closure: closures capture by copy, and their copies are read-only"
                            ),
                            at: HirNode::Expr(place),
                            label: Some((HirNode::Expr(closure), "the closure that captures it".to_owned())),
                            note: Some(format!(
                                "help: make a local copy inside the closure: `let! {name}2 = {name}`"
                            )),
                            fix: None,
                        });
                        return;
                    }
                    if !self.body.locals[local].mutable {
                        let name = self.body.locals[local].name.clone();
                        let message = if self.body.params.contains(&local) {
                            format!("make the parameter mutable: `{name}!`")
                        } else {
                            format!("declare it mutable: `let! {name}`")
                        };
                        self.result.diagnostics.push(InferDiagnostic {
                            code: Code::AssignToImmutable,
                            message: format!("cannot {what} `{name}`: it is not mutable"),
                            at: HirNode::Expr(place),
                            label: Some((
                                HirNode::Local(local),
                                format!("`{name}` is declared here"),
                            )),
                            note: None,
                            fix: Some(InferFix {
                                message,
                                edits: vec![(FixAt::MutSite(local), "!".to_owned())],
                            }),
                        });
                    }
                    return;
                }
                Expr::Field { base, .. }
                | Expr::TupleField { base, .. }
                | Expr::Index { base, .. } => {
                    current = *base;
                }
                Expr::Missing => return,
                _ => {
                    self.report(
                        Code::InvalidPlace,
                        HirNode::Expr(place),
                        "cannot assign to this expression; assign to a variable, a field or an array element".to_owned(),
                    );
                    return;
                }
            }
        }
    }
}
