//! Type inference of one body: a type for every expression, pattern and local, what
//! every name and call resolves to, and the type errors found on the way.
//!
//! The algorithm is unification over an inference table. Integer and float literals
//! without a suffix start as integer/float variables that unify only with integer/float
//! types and default to `i64`/`f64` at the end. `Ty::Never` (of `return`, `break`,
//! `continue`, `$panic`) unifies with everything, so a diverging branch never causes a
//! mismatch, and `Ty::Error` (something already reported) does too, so one mistake
//! yields one diagnostic.
//!
//! A block whose expected type is `()` (a function without a result type, a loop
//! body, an `if` without `else`) discards the value of its tail expression, as if it
//! were a statement.
//!
//! Results are positionless: diagnostics point at HIR nodes ([`HirNode`]) and are
//! turned into spans through the body's source map by the diagnostics query. An edit
//! elsewhere in the file therefore leaves this query's result equal.

use std::sync::Arc;

use la_arena::ArenaMap;

use crate::body::{
    ArithOp, BinaryOp, Body, CmpOp, Expr, ExprId, ForIter, FormatPiece, LabelId, Literal, LocalId,
    MatchArm, Name, Pat, PatId, Stmt, StmtId, TemplatePiece, UnaryOp, split_template,
};
use crate::builtins::Builtin;
use crate::db::{Db, Program};
use crate::diagnostics::Code;
use crate::ids::{ConstLoc, EnumLoc, ExternLoc, FunctionLoc};
use crate::lower::{BodyId, BodyOwner, body};
use crate::scope::{ItemRef, ProgramScope, program_scope};
use crate::signature::{
    Signature, const_type, display_ty, enum_variants, extern_signature, resolve_type, signature_of,
    struct_fields,
};
use crate::ty::{FloatTy, IntTy, Ty, TyVar, VarKind};

/// A node of a body that a diagnostic points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HirNode {
    /// An expression.
    Expr(ExprId),
    /// A pattern.
    Pat(PatId),
    /// A local's definition.
    Local(LocalId),
    /// A statement.
    Stmt(StmtId),
    /// A label's definition.
    Label(LabelId),
    /// The type annotation of a `let` statement.
    LetType(StmtId),
    /// The target type of an `as` cast.
    CastType(ExprId),
}

/// A diagnostic found by inference, before it gets a span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferDiagnostic {
    /// Its code.
    pub code: Code,
    /// The message.
    pub message: String,
    /// Where.
    pub at: HirNode,
    /// A secondary place and what it means.
    pub label: Option<(HirNode, String)>,
    /// A `help:`/`note:` line.
    pub note: Option<String>,
}

/// What a name, path, call, method call or field access refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resolution {
    /// A Vex function (free, associated, or a method).
    Function(FunctionLoc),
    /// An `extern "C"` function.
    Extern(ExternLoc),
    /// A constant.
    Const(ConstLoc),
    /// A builtin.
    Builtin(Builtin),
    /// An enum variant: the enum and the variant's index.
    Variant(EnumLoc, u32),
    /// A struct field, by index.
    Field(u32),
}

/// The result of inferring one body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InferenceResult {
    /// The type of every expression.
    pub expr_types: ArenaMap<ExprId, Ty>,
    /// The type of every pattern.
    pub pat_types: ArenaMap<PatId, Ty>,
    /// The type of every local.
    pub local_types: ArenaMap<LocalId, Ty>,
    /// Resolutions of callees (on the callee expression), names, paths, method calls
    /// and field accesses (on the expression itself).
    pub resolutions: ArenaMap<ExprId, Resolution>,
    /// Problems found.
    pub diagnostics: Vec<InferDiagnostic>,
}

impl InferenceResult {
    /// The type of `expr` (`Ty::Error` if unknown).
    pub fn type_of_expr(&self, expr: ExprId) -> &Ty {
        self.expr_types.get(expr).unwrap_or(&Ty::Error)
    }

    /// The type of `local` (`Ty::Error` if unknown).
    pub fn type_of_local(&self, local: LocalId) -> &Ty {
        self.local_types.get(local).unwrap_or(&Ty::Error)
    }
}

/// Infers the types of one body.
#[salsa::tracked(returns(ref))]
pub fn infer<'db>(db: &'db dyn Db, id: BodyId<'db>) -> Arc<InferenceResult> {
    let body = body(db, id);
    let scope = program_scope(db, Program::get(db));
    let (ret, is_async, params) = match id.owner(db) {
        BodyOwner::Function(loc) => {
            let sig = signature_of(db, loc);
            (sig.ret.clone(), sig.is_async, sig.params.clone())
        }
        BodyOwner::Const(loc) => (const_type(db, loc), false, Vec::new()),
    };
    let mut ctx = InferCtx {
        db,
        body,
        scope,
        vars: Vec::new(),
        result: InferenceResult::default(),
        ret,
        in_async: is_async,
        loops: Vec::new(),
        int_literals: Vec::new(),
    };
    for (&local, ty) in body.params.iter().zip(params.iter().chain(std::iter::repeat(&Ty::Error))) {
        ctx.result.local_types.insert(local, ty.clone());
    }
    let ret = ctx.ret.clone();
    match id.owner(db) {
        BodyOwner::Function(_) => {
            ctx.check_expr(body.root, &ret);
        }
        BodyOwner::Const(_) => {
            ctx.check_expr(body.root, &ret);
        }
    }
    Arc::new(ctx.finish())
}

struct LoopCtx {
    label: Option<LabelId>,
    /// `Some` for `loop`, whose `break` may carry a value.
    break_ty: Option<Option<Ty>>,
}

struct InferCtx<'a> {
    db: &'a dyn Db,
    body: &'a Body,
    scope: &'a ProgramScope,
    vars: Vec<(VarKind, Option<Ty>)>,
    result: InferenceResult,
    ret: Ty,
    in_async: bool,
    loops: Vec<LoopCtx>,
    /// Integer literals to range-check once their type is known: the literal, its
    /// magnitude, whether it is negated, and the expression to point at (the `-` for a
    /// negated literal).
    int_literals: Vec<(ExprId, u64, bool, ExprId)>,
}

impl InferCtx<'_> {
    // ---- the table ----

    fn new_var(&mut self, kind: VarKind) -> Ty {
        self.vars.push((kind, None));
        Ty::Var(TyVar(self.vars.len() as u32 - 1), kind)
    }

    fn shallow(&self, ty: &Ty) -> Ty {
        let mut ty = ty.clone();
        while let Ty::Var(var, _) = ty {
            let (kind, bound) = &self.vars[var.0 as usize];
            match bound {
                Some(next) => ty = next.clone(),
                None => return Ty::Var(var, *kind),
            }
        }
        ty
    }

    fn resolve(&self, ty: &Ty) -> Ty {
        match self.shallow(ty) {
            Ty::Tuple(elems) => Ty::Tuple(elems.iter().map(|e| self.resolve(e)).collect()),
            Ty::Array(elem, len) => Ty::Array(Box::new(self.resolve(&elem)), len),
            Ty::Future(inner) => Ty::Future(Box::new(self.resolve(&inner))),
            other => other,
        }
    }

    /// Whether the type variable `var` appears in `ty` (resolved as far as bound).
    fn occurs(&self, var: TyVar, ty: &Ty) -> bool {
        match self.shallow(ty) {
            Ty::Var(v, _) => v == var,
            Ty::Tuple(elems) => elems.iter().any(|e| self.occurs(var, e)),
            Ty::Array(elem, _) | Ty::Future(elem) => self.occurs(var, &elem),
            _ => false,
        }
    }

    fn unify(&mut self, a: &Ty, b: &Ty) -> bool {
        let (a, b) = (self.shallow(a), self.shallow(b));
        match (&a, &b) {
            (Ty::Error, _) | (_, Ty::Error) => true,
            (Ty::Var(x, kx), Ty::Var(y, ky)) => {
                if x == y {
                    return true;
                }
                let kind = match (kx, ky) {
                    (VarKind::General, k) | (k, VarKind::General) => *k,
                    (k1, k2) if k1 == k2 => *k1,
                    _ => return false,
                };
                self.vars[y.0 as usize].0 = kind;
                self.vars[x.0 as usize].1 = Some(Ty::Var(*y, kind));
                true
            }
            (Ty::Var(x, kind), other) | (other, Ty::Var(x, kind)) => {
                let fits = match kind {
                    VarKind::General => true,
                    VarKind::Int => matches!(other, Ty::Int(_)),
                    VarKind::Float => matches!(other, Ty::Float(_)),
                };
                if matches!(other, Ty::Never) {
                    if *kind == VarKind::General {
                        self.vars[x.0 as usize].1 = Some(Ty::Never);
                    }
                    return true;
                }
                // The occurs check: `?x = [?x; 0]` has no finite solution (binding it
                // would make every later walk of the type endless).
                if fits && !self.occurs(*x, other) {
                    self.vars[x.0 as usize].1 = Some(other.clone());
                    return true;
                }
                false
            }
            (Ty::Never, _) | (_, Ty::Never) => true,
            (Ty::Tuple(xs), Ty::Tuple(ys)) => {
                xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| self.unify(x, y))
            }
            (Ty::Array(x, n), Ty::Array(y, m)) => n == m && self.unify(x, y),
            (Ty::Future(x), Ty::Future(y)) => self.unify(x, y),
            _ => a == b,
        }
    }

    // ---- reporting ----

    fn report(&mut self, code: Code, at: HirNode, message: String) {
        self.result.diagnostics.push(InferDiagnostic {
            code,
            message,
            at,
            label: None,
            note: None,
        });
    }

    fn display(&self, ty: &Ty) -> String {
        display_ty(self.db, &self.resolve(ty))
    }

    fn mismatch(&mut self, expr: ExprId, expected: &Ty, found: &Ty) {
        let (expected_r, found_r) = (self.resolve(expected), self.resolve(found));
        if expected_r.references_error() || found_r.references_error() {
            return;
        }
        let message =
            format!("expected `{}`, found `{}`", self.display(expected), self.display(found));
        self.report(Code::TypeMismatch, HirNode::Expr(expr), message);
    }

    /// Unifies `found` (the type of `expr`) with `expected`, reporting a mismatch at `expr`.
    fn coerce(&mut self, expr: ExprId, found: &Ty, expected: &Ty) {
        if !self.unify(found, expected) {
            self.mismatch(expr, expected, found);
        }
    }

    // ---- expressions ----

    fn check_expr(&mut self, expr: ExprId, expected: &Ty) -> Ty {
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
        let ty = self.infer_expr(expr);
        self.coerce(expr, &ty, expected);
        ty
    }

    /// Infers an expression whose value is thrown away (a statement): `if`s, `match`es
    /// and blocks then need not produce a value of one type.
    fn discard(&mut self, expr: ExprId) -> Ty {
        match &self.body.exprs[expr] {
            Expr::If { .. } | Expr::Match { .. } | Expr::Block { .. } => {
                self.check_expr(expr, &Ty::Unit)
            }
            _ => self.infer_expr(expr),
        }
    }

    fn infer_expr(&mut self, expr: ExprId) -> Ty {
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
            Expr::Path { ty, member } => self.infer_path_value(expr, ty, member),
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
                let place_ty = self.infer_expr(*place);
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
                    self.report(
                        Code::AwaitOutsideAsync,
                        HirNode::Expr(expr),
                        "`await` is only allowed inside an `async fn` or a `go` block".to_owned(),
                    );
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
                            Ty::Array(elem, _) => *elem,
                            Ty::Error => Ty::Error,
                            other => {
                                let message = format!(
                                    "cannot iterate over a value of type `{}`; `for` takes a range or an array",
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
                self.infer_expr(*go_body);
                self.loops = saved_loops;
                self.ret = saved_ret;
                self.in_async = saved_async;
                Ty::Unit
            }
            Expr::Defer(deferred) => {
                self.infer_expr(*deferred);
                Ty::Unit
            }
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
    fn join(&mut self, second: ExprId, first_ty: &Ty, second_ty: &Ty) -> Ty {
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
                    CmpOp::Eq | CmpOp::Ne => !resolved.contains_future(),
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

    /// Checks that `place` can be assigned: a mutable local, or a field, tuple element
    /// or array element of one.
    fn check_place(&mut self, place: ExprId) {
        let mut current = place;
        loop {
            match &self.body.exprs[current] {
                Expr::Local(local) => {
                    let local = *local;
                    if !self.body.locals[local].mutable {
                        let name = self.body.locals[local].name.clone();
                        self.result.diagnostics.push(InferDiagnostic {
                            code: Code::AssignToImmutable,
                            message: format!("cannot assign to `{name}`: it is not mutable"),
                            at: HirNode::Expr(place),
                            label: Some((
                                HirNode::Local(local),
                                format!("`{name}` is declared here"),
                            )),
                            note: Some(format!("help: declare it mutable: `let! {name}`")),
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

    fn check_printable(&mut self, expr: ExprId, ty: &Ty) {
        let resolved = self.shallow(ty);
        let ok = matches!(
            resolved,
            Ty::Int(_)
                | Ty::Float(_)
                | Ty::Bool
                | Ty::String
                | Ty::Unit
                | Ty::Var(..)
                | Ty::Error
                | Ty::Never
        );
        if !ok {
            let message = format!(
                "cannot print a value of type `{}`; only primitive types and `string` print",
                self.display(ty)
            );
            self.report(Code::InvalidOperands, HirNode::Expr(expr), message);
        }
    }

    // ---- names and calls ----

    fn resolve_name(&self, name: &str) -> Option<Resolution> {
        if let Some(builtin) = name.strip_prefix('$') {
            return Builtin::from_name(builtin).map(Resolution::Builtin);
        }
        match self.scope.get(name) {
            Some(ItemRef::Function(loc)) => Some(Resolution::Function(loc)),
            Some(ItemRef::Extern(loc)) => Some(Resolution::Extern(loc)),
            Some(ItemRef::Const(loc)) => Some(Resolution::Const(loc)),
            Some(ItemRef::Struct(_) | ItemRef::Enum(_)) => None,
            None => Builtin::from_name(name).map(Resolution::Builtin),
        }
    }

    fn unknown_name(&mut self, expr: ExprId, name: &str) -> Ty {
        let message = match self.scope.get(name) {
            Some(ItemRef::Struct(_) | ItemRef::Enum(_)) => {
                format!("`{name}` is a type, not a value")
            }
            _ if name.starts_with('$') => format!("unknown builtin `{name}`"),
            _ => format!("cannot find `{name}` in this scope"),
        };
        self.report(Code::UnknownName, HirNode::Expr(expr), message);
        Ty::Error
    }

    fn infer_name_value(&mut self, expr: ExprId, name: &Name) -> Ty {
        match self.resolve_name(name) {
            Some(Resolution::Const(loc)) => {
                self.result.resolutions.insert(expr, Resolution::Const(loc));
                const_type(self.db, loc)
            }
            Some(_) => {
                let message =
                    format!("`{name}` is a function; functions are called, not used as values");
                self.report(Code::NotSupported, HirNode::Expr(expr), message);
                Ty::Error
            }
            None => self.unknown_name(expr, name),
        }
    }

    /// `Type.member` where a value is expected: a variant without payload.
    fn infer_path_value(&mut self, expr: ExprId, ty: &Name, member: &Name) -> Ty {
        match self.resolve_path(expr, ty, member) {
            Some(PathTarget::Variant(loc, index, payload)) => {
                self.result.resolutions.insert(expr, Resolution::Variant(loc, index));
                if !payload.is_empty() {
                    let message = format!(
                        "variant `{ty}.{member}` carries {} value{}; write `{ty}.{member}(…)`",
                        payload.len(),
                        if payload.len() == 1 { "" } else { "s" }
                    );
                    self.report(Code::ArgumentCount, HirNode::Expr(expr), message);
                }
                Ty::Enum(loc)
            }
            Some(PathTarget::Function(_)) => {
                let message = format!(
                    "`{ty}.{member}` is a function; functions are called, not used as values"
                );
                self.report(Code::NotSupported, HirNode::Expr(expr), message);
                Ty::Error
            }
            None => Ty::Error,
        }
    }

    fn resolve_path(&mut self, expr: ExprId, ty: &Name, member: &Name) -> Option<PathTarget> {
        match self.scope.get(ty) {
            Some(ItemRef::Enum(loc)) => {
                let variants = enum_variants(self.db, loc);
                if let Some(i) = variants.iter().position(|(n, _)| n == member) {
                    return Some(PathTarget::Variant(loc, i as u32, variants[i].1.clone()));
                }
                if let Some(&f) = self.scope.associated.get(&(ty.clone(), member.clone())) {
                    return Some(PathTarget::Function(f));
                }
                let message = format!("no variant or associated function `{member}` in `{ty}`");
                self.report(Code::UnknownMember, HirNode::Expr(expr), message);
                None
            }
            Some(ItemRef::Struct(_)) => {
                if let Some(&f) = self.scope.associated.get(&(ty.clone(), member.clone())) {
                    return Some(PathTarget::Function(f));
                }
                let message = format!("no associated function `{member}` in `{ty}`");
                self.report(Code::UnknownMember, HirNode::Expr(expr), message);
                None
            }
            _ => {
                self.report(
                    Code::UnknownName,
                    HirNode::Expr(expr),
                    format!("cannot find type `{ty}` in this scope"),
                );
                None
            }
        }
    }

    fn infer_call(&mut self, expr: ExprId, callee: ExprId, args: &[ExprId]) -> Ty {
        let body = self.body;
        let sig = match &body.exprs[callee] {
            Expr::Name(name) => match self.resolve_name(name) {
                Some(Resolution::Function(loc)) => {
                    self.result.resolutions.insert(callee, Resolution::Function(loc));
                    Some((*signature_of(self.db, loc)).clone())
                }
                Some(Resolution::Extern(loc)) => {
                    self.result.resolutions.insert(callee, Resolution::Extern(loc));
                    Some(extern_signature(self.db, loc))
                }
                Some(Resolution::Builtin(builtin)) => {
                    self.result.resolutions.insert(callee, Resolution::Builtin(builtin));
                    self.result.expr_types.insert(callee, Ty::Error);
                    return self.infer_builtin_call(expr, builtin, args);
                }
                Some(Resolution::Const(_)) | Some(_) => {
                    let message = format!("`{name}` is not a function");
                    self.report(Code::NotCallable, HirNode::Expr(callee), message);
                    None
                }
                None => {
                    self.unknown_name(callee, name);
                    None
                }
            },
            Expr::Path { ty, member } => match self.resolve_path(callee, ty, member) {
                Some(PathTarget::Variant(loc, index, payload)) => {
                    self.result.resolutions.insert(callee, Resolution::Variant(loc, index));
                    Some(Signature { params: payload, ret: Ty::Enum(loc), is_async: false })
                }
                Some(PathTarget::Function(loc)) => {
                    self.result.resolutions.insert(callee, Resolution::Function(loc));
                    Some((*signature_of(self.db, loc)).clone())
                }
                None => None,
            },
            _ => {
                self.infer_expr(callee);
                self.report(
                    Code::NotCallable,
                    HirNode::Expr(callee),
                    "this expression is not a function; only named functions are called in Vex Core"
                        .to_owned(),
                );
                None
            }
        };
        self.result.expr_types.insert(callee, Ty::Error);
        match sig {
            Some(sig) => {
                self.check_args(expr, &sig.params, args);
                sig.call_result()
            }
            None => {
                for &arg in args {
                    self.infer_expr(arg);
                }
                Ty::Error
            }
        }
    }

    fn check_args(&mut self, call: ExprId, params: &[Ty], args: &[ExprId]) {
        if params.len() != args.len() {
            let message = format!(
                "this call takes {} argument{} but {} {} supplied",
                params.len(),
                if params.len() == 1 { "" } else { "s" },
                args.len(),
                if args.len() == 1 { "was" } else { "were" }
            );
            self.report(Code::ArgumentCount, HirNode::Expr(call), message);
        }
        for (i, &arg) in args.iter().enumerate() {
            match params.get(i) {
                Some(param) => {
                    self.check_expr(arg, param);
                }
                None => {
                    self.infer_expr(arg);
                }
            }
        }
    }

    fn infer_method_call(
        &mut self,
        expr: ExprId,
        receiver: ExprId,
        method: &Name,
        args: &[ExprId],
    ) -> Ty {
        let receiver_ty = self.infer_expr(receiver);
        let resolved = self.shallow(&receiver_ty);
        let type_name = crate::signature::type_name(self.db, &resolved);
        let target = type_name.as_ref().and_then(|name| {
            self.scope.methods.get(&(name.as_str().into(), method.clone())).copied()
        });
        match target {
            Some(loc) => {
                self.result.resolutions.insert(expr, Resolution::Function(loc));
                let sig = signature_of(self.db, loc);
                if let Some(self_ty) = sig.params.first() {
                    self.coerce(receiver, &receiver_ty, self_ty);
                }
                let rest = sig.params.get(1..).unwrap_or(&[]);
                self.check_args(expr, rest, args);
                sig.call_result()
            }
            None => {
                if resolved != Ty::Error {
                    let message =
                        format!("no method `{method}` on type `{}`", self.display(&receiver_ty));
                    self.report(Code::UnknownMember, HirNode::Expr(expr), message);
                }
                for &arg in args {
                    self.infer_expr(arg);
                }
                Ty::Error
            }
        }
    }

    fn infer_builtin_call(&mut self, expr: ExprId, builtin: Builtin, args: &[ExprId]) -> Ty {
        let i64_ty = Ty::Int(IntTy::I64);
        let unit_future = Ty::Future(Box::new(Ty::Unit));
        match builtin {
            b if b.is_print() => {
                if args.len() > 1 {
                    self.check_template(expr, args);
                } else if let Some(&arg) = args.first() {
                    let ty = self.infer_expr(arg);
                    self.check_printable(arg, &ty);
                }
                Ty::Unit
            }
            Builtin::Assert => {
                if args.is_empty() || args.len() > 2 {
                    self.report(
                        Code::ArgumentCount,
                        HirNode::Expr(expr),
                        format!("`assert` takes a condition and an optional message, but {} arguments were supplied", args.len()),
                    );
                }
                if let Some(&cond) = args.first() {
                    self.check_expr(cond, &Ty::Bool);
                }
                for &extra in args.iter().skip(1) {
                    self.check_expr(extra, &Ty::String);
                }
                Ty::Unit
            }
            Builtin::Panic => {
                self.check_args(expr, &[Ty::String], args);
                Ty::Never
            }
            Builtin::AsyncSleep => {
                self.check_args(expr, &[i64_ty], args);
                unit_future
            }
            Builtin::YieldNow => {
                self.check_args(expr, &[], args);
                unit_future
            }
            Builtin::NowMs => {
                self.check_args(expr, &[], args);
                i64_ty
            }
            Builtin::IsCancelled => {
                self.check_args(expr, &[], args);
                Ty::Bool
            }
            Builtin::Cancel => {
                let any_future = Ty::Future(Box::new(self.new_var(VarKind::General)));
                self.check_args(expr, &[any_future], args);
                Ty::Unit
            }
            _ => Ty::Error,
        }
    }

    /// `$println("a = {}, b = {}", a, b)`: a literal template whose placeholders match
    /// the arguments, each printable.
    fn check_template(&mut self, expr: ExprId, args: &[ExprId]) {
        let template = args[0];
        self.check_expr(template, &Ty::String);
        let placeholders = match &self.body.exprs[template] {
            Expr::Literal(Literal::String(text)) => split_template(text)
                .iter()
                .filter(|p| matches!(p, TemplatePiece::Placeholder))
                .count(),
            _ => {
                self.report(
                    Code::FormatArguments,
                    HirNode::Expr(template),
                    "a print with several arguments takes a string literal template first"
                        .to_owned(),
                );
                args.len() - 1
            }
        };
        let values = &args[1..];
        if placeholders != values.len() {
            let message = format!(
                "the template has {placeholders} `{{}}` placeholder{} but {} value{} supplied",
                if placeholders == 1 { "" } else { "s" },
                values.len(),
                if values.len() == 1 { " was" } else { "s were" }
            );
            self.report(Code::FormatArguments, HirNode::Expr(expr), message);
        }
        for &value in values {
            let ty = self.infer_expr(value);
            self.check_printable(value, &ty);
        }
    }

    fn infer_struct_lit(&mut self, expr: ExprId, name: &Name, fields: &[(Name, ExprId)]) -> Ty {
        let Some(ItemRef::Struct(loc)) = self.scope.get(name) else {
            let message = match self.scope.get(name) {
                Some(_) => format!("`{name}` is not a struct"),
                None => format!("cannot find struct `{name}` in this scope"),
            };
            self.report(Code::UnknownName, HirNode::Expr(expr), message);
            for (_, value) in fields {
                self.infer_expr(*value);
            }
            return Ty::Error;
        };
        let declared = struct_fields(self.db, loc);
        let mut seen: Vec<&Name> = Vec::new();
        for (field, value) in fields {
            match declared.iter().find(|(n, _)| n == field) {
                Some((_, ty)) => {
                    if seen.contains(&field) {
                        let message = format!("field `{field}` is given twice");
                        self.report(Code::InvalidStructLiteral, HirNode::Expr(*value), message);
                    }
                    seen.push(field);
                    self.check_expr(*value, ty);
                }
                None => {
                    let message = format!("struct `{name}` has no field `{field}`");
                    self.report(Code::InvalidStructLiteral, HirNode::Expr(*value), message);
                    self.infer_expr(*value);
                }
            }
        }
        let missing: Vec<String> = declared
            .iter()
            .filter(|(n, _)| !seen.contains(&n))
            .map(|(n, _)| format!("`{n}`"))
            .collect();
        if !missing.is_empty() {
            let message = format!(
                "missing field{} {} in struct literal of `{name}`",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            );
            self.report(Code::InvalidStructLiteral, HirNode::Expr(expr), message);
        }
        Ty::Struct(loc)
    }

    // ---- statements, patterns, match ----

    /// Infers a statement; returns whether it always diverges.
    fn infer_stmt(&mut self, stmt: StmtId) -> bool {
        match &self.body.stmts[stmt] {
            Stmt::Let { pat, ty, init } => {
                let declared = match ty {
                    Some(type_ref) => match resolve_type(self.db, type_ref) {
                        Ok(ty) => Some(ty),
                        Err(message) => {
                            let code = if message.starts_with("not supported") {
                                Code::NotSupported
                            } else {
                                Code::UnknownType
                            };
                            self.report(code, HirNode::LetType(stmt), message);
                            Some(Ty::Error)
                        }
                    },
                    None => None,
                };
                let ty = match (declared, init) {
                    (Some(declared), Some(init)) => {
                        self.check_expr(*init, &declared);
                        declared
                    }
                    (Some(declared), None) => declared,
                    (None, Some(init)) => self.infer_expr(*init),
                    (None, None) => self.new_var(VarKind::General),
                };
                self.check_pat(*pat, &ty);
                init.is_some_and(|init| self.shallow(self.result.type_of_expr(init)) == Ty::Never)
            }
            Stmt::Expr(expr) => {
                let ty = self.discard(*expr);
                self.shallow(&ty) == Ty::Never
            }
        }
    }

    fn check_pat(&mut self, pat: PatId, expected: &Ty) {
        self.result.pat_types.insert(pat, expected.clone());
        match &self.body.pats[pat] {
            Pat::Missing | Pat::Wild => {}
            Pat::Bind(local) => {
                self.result.local_types.insert(*local, expected.clone());
            }
            Pat::Literal(literal, negated) => {
                let ty = match literal {
                    Literal::Int(_, Some(int)) => Ty::Int(*int),
                    Literal::Int(..) => self.new_var(VarKind::Int),
                    Literal::Float(..) => {
                        self.report(
                            Code::NotSupported,
                            HirNode::Pat(pat),
                            "not supported in Vex Core: float patterns".to_owned(),
                        );
                        Ty::Error
                    }
                    Literal::Bool(_) => Ty::Bool,
                    Literal::String(_) => Ty::String,
                };
                if *negated && !ty.is_int() {
                    self.report(
                        Code::InvalidLiteral,
                        HirNode::Pat(pat),
                        "only integers can be negated".to_owned(),
                    );
                }
                if !self.unify(&ty, expected) {
                    self.pat_mismatch(pat, expected, &ty);
                }
            }
            Pat::Or(alternatives) => {
                for &alternative in alternatives {
                    self.check_pat(alternative, expected);
                }
            }
            Pat::Tuple(elems) => {
                let resolved = self.shallow(expected);
                match resolved {
                    Ty::Tuple(types) if types.len() == elems.len() => {
                        for (&elem, ty) in elems.iter().zip(types.iter()) {
                            self.check_pat(elem, ty);
                        }
                    }
                    Ty::Error => {
                        for &elem in elems {
                            self.check_pat(elem, &Ty::Error);
                        }
                    }
                    other => {
                        let message = format!(
                            "this pattern takes a tuple of {} elements, found `{}`",
                            elems.len(),
                            self.display(&other)
                        );
                        self.report(Code::TypeMismatch, HirNode::Pat(pat), message);
                        for &elem in elems {
                            self.check_pat(elem, &Ty::Error);
                        }
                    }
                }
            }
            Pat::Variant { ty, variant, fields } => {
                let payload = match self.scope.get(ty) {
                    Some(ItemRef::Enum(loc)) => {
                        if !self.unify(&Ty::Enum(loc), expected) {
                            self.pat_mismatch(pat, expected, &Ty::Enum(loc));
                        }
                        let variants = enum_variants(self.db, loc);
                        match variants.iter().find(|(n, _)| n == variant) {
                            Some((_, payload)) => Some(payload.clone()),
                            None => {
                                let message = format!("no variant `{variant}` in enum `{ty}`");
                                self.report(Code::UnknownMember, HirNode::Pat(pat), message);
                                None
                            }
                        }
                    }
                    _ => {
                        let message = format!("cannot find enum `{ty}` in this scope");
                        self.report(Code::UnknownName, HirNode::Pat(pat), message);
                        None
                    }
                };
                let fields: &[PatId] = fields.as_deref().unwrap_or(&[]);
                if let Some(payload) = &payload
                    && payload.len() != fields.len()
                {
                    let message = format!(
                        "variant `{ty}.{variant}` has {} field{}, the pattern has {}",
                        payload.len(),
                        if payload.len() == 1 { "" } else { "s" },
                        fields.len()
                    );
                    self.report(Code::ArgumentCount, HirNode::Pat(pat), message);
                }
                for (i, &field) in fields.iter().enumerate() {
                    let ty = payload.as_ref().and_then(|p| p.get(i)).cloned().unwrap_or(Ty::Error);
                    self.check_pat(field, &ty);
                }
            }
            Pat::Unsupported(what) => {
                self.report(
                    Code::NotSupported,
                    HirNode::Pat(pat),
                    format!("not supported in Vex Core: {what}"),
                );
            }
        }
    }

    fn pat_mismatch(&mut self, pat: PatId, expected: &Ty, found: &Ty) {
        let (e, f) = (self.resolve(expected), self.resolve(found));
        if e.references_error() || f.references_error() {
            return;
        }
        let message = format!(
            "this pattern has type `{}`, but the value has type `{}`",
            self.display(found),
            self.display(expected)
        );
        self.report(Code::TypeMismatch, HirNode::Pat(pat), message);
    }

    /// Infers a `match`; with `expected` unit, every arm is checked as a statement.
    fn infer_match(
        &mut self,
        expr: ExprId,
        scrutinee: ExprId,
        arms: &[MatchArm],
        expected: Option<&Ty>,
    ) -> Ty {
        let scrutinee_ty = self.infer_expr(scrutinee);
        let mut result: Option<Ty> = None;
        for arm in arms {
            self.check_pat(arm.pat, &scrutinee_ty);
            if let Some(guard) = arm.guard {
                self.check_expr(guard, &Ty::Bool);
            }
            let ty = match expected {
                Some(_) => self.discard(arm.expr),
                None => self.infer_expr(arm.expr),
            };
            result = Some(match result {
                None => ty,
                Some(prev) => self.join(arm.expr, &prev, &ty),
            });
        }
        let resolved = self.resolve(&scrutinee_ty);
        if let Some(missing) = self.missing_patterns(&resolved, arms) {
            self.result.diagnostics.push(InferDiagnostic {
                code: Code::NonExhaustiveMatch,
                message: format!("non-exhaustive match: {missing} not covered"),
                at: HirNode::Expr(expr),
                label: None,
                note: Some("help: add arms for the missing values, or a `_` arm".to_owned()),
            });
        }
        result.unwrap_or(Ty::Never)
    }

    /// What the unguarded arms leave uncovered, described for a person, or `None` when
    /// they cover every value.
    fn missing_patterns(&self, ty: &Ty, arms: &[MatchArm]) -> Option<String> {
        let unguarded: Vec<PatId> =
            arms.iter().filter(|a| a.guard.is_none()).map(|a| a.pat).collect();
        if ty.references_error() || unguarded.iter().any(|&p| self.irrefutable(p)) {
            return None;
        }
        match ty {
            Ty::Enum(loc) => {
                let variants = enum_variants(self.db, *loc);
                let enum_name = crate::signature::type_name(self.db, ty).unwrap_or_default();
                let missing: Vec<String> = variants
                    .iter()
                    .filter(|(name, _)| !unguarded.iter().any(|&p| self.covers_variant(p, name)))
                    .map(|(name, payload)| {
                        if payload.is_empty() {
                            format!("`{enum_name}.{name}`")
                        } else {
                            format!("`{enum_name}.{name}(..)`")
                        }
                    })
                    .collect();
                (!missing.is_empty()).then(|| missing.join(", "))
            }
            Ty::Bool => {
                let missing: Vec<&str> = [true, false]
                    .into_iter()
                    .filter(|&b| !unguarded.iter().any(|&p| self.covers_bool(p, b)))
                    .map(|b| if b { "`true`" } else { "`false`" })
                    .collect();
                (!missing.is_empty()).then(|| missing.join(", "))
            }
            Ty::Never => None,
            Ty::Int(_) | Ty::Var(_, VarKind::Int) => {
                Some("integers other than the listed ones".to_owned())
            }
            Ty::String => Some("strings other than the listed ones".to_owned()),
            _ => Some("values other than the listed ones".to_owned()),
        }
    }

    fn irrefutable(&self, pat: PatId) -> bool {
        match &self.body.pats[pat] {
            Pat::Wild | Pat::Bind(_) | Pat::Missing | Pat::Unsupported(_) => true,
            Pat::Or(alternatives) => alternatives.iter().any(|&p| self.irrefutable(p)),
            Pat::Tuple(elems) => elems.iter().all(|&p| self.irrefutable(p)),
            Pat::Literal(..) | Pat::Variant { .. } => false,
        }
    }

    fn covers_variant(&self, pat: PatId, name: &str) -> bool {
        match &self.body.pats[pat] {
            Pat::Variant { variant, fields, .. } => {
                &**variant == name
                    && fields.as_deref().unwrap_or(&[]).iter().all(|&p| self.irrefutable(p))
            }
            Pat::Or(alternatives) => alternatives.iter().any(|&p| self.covers_variant(p, name)),
            _ => self.irrefutable(pat),
        }
    }

    fn covers_bool(&self, pat: PatId, value: bool) -> bool {
        match &self.body.pats[pat] {
            Pat::Literal(Literal::Bool(b), _) => *b == value,
            Pat::Or(alternatives) => alternatives.iter().any(|&p| self.covers_bool(p, value)),
            _ => self.irrefutable(pat),
        }
    }

    // ---- the end ----

    fn finish(mut self) -> InferenceResult {
        // Defaults: integer variables become i64, float variables f64.
        for i in 0..self.vars.len() {
            if self.vars[i].1.is_none() {
                match self.vars[i].0 {
                    VarKind::Int => self.vars[i].1 = Some(Ty::Int(IntTy::I64)),
                    VarKind::Float => self.vars[i].1 = Some(Ty::Float(FloatTy::F64)),
                    VarKind::General => {}
                }
            }
        }
        for (expr, value, negated, at) in std::mem::take(&mut self.int_literals) {
            let ty = self.resolve(self.result.type_of_expr(expr));
            if let Ty::Int(int) = ty
                && !int.fits(u128::from(value), negated)
            {
                let sign = if negated { "-" } else { "" };
                let message =
                    format!("the literal `{sign}{value}` does not fit in `{}`", int.name());
                self.report(Code::InvalidLiteral, HirNode::Expr(at), message);
            }
        }
        let mut unresolved_reported = false;
        let mut result = std::mem::take(&mut self.result);
        let exprs: Vec<ExprId> = result.expr_types.iter().map(|(id, _)| id).collect();
        for expr in exprs {
            let ty = self.resolve(&result.expr_types[expr]);
            let ty = if matches!(ty, Ty::Var(..)) || contains_var(&ty) {
                if !unresolved_reported && !matches!(self.body.exprs[expr], Expr::Missing) {
                    unresolved_reported = true;
                    result.diagnostics.push(InferDiagnostic {
                        code: Code::CannotInfer,
                        message: "cannot infer the type of this expression; add a type annotation"
                            .to_owned(),
                        at: HirNode::Expr(expr),
                        label: None,
                        note: None,
                    });
                }
                replace_vars(&ty)
            } else {
                ty
            };
            result.expr_types.insert(expr, ty);
        }
        let pats: Vec<PatId> = result.pat_types.iter().map(|(id, _)| id).collect();
        for pat in pats {
            let ty = replace_vars(&self.resolve(&result.pat_types[pat]));
            result.pat_types.insert(pat, ty);
        }
        let locals: Vec<LocalId> = result.local_types.iter().map(|(id, _)| id).collect();
        for local in locals {
            let ty = replace_vars(&self.resolve(&result.local_types[local]));
            result.local_types.insert(local, ty);
        }
        result
    }
}

enum PathTarget {
    Variant(EnumLoc, u32, Vec<Ty>),
    Function(FunctionLoc),
}

fn contains_var(ty: &Ty) -> bool {
    match ty {
        Ty::Var(..) => true,
        Ty::Tuple(elems) => elems.iter().any(contains_var),
        Ty::Array(elem, _) | Ty::Future(elem) => contains_var(elem),
        _ => false,
    }
}

/// Replaces the variables left after defaulting (already reported) by `Ty::Error`.
fn replace_vars(ty: &Ty) -> Ty {
    match ty {
        Ty::Var(..) => Ty::Error,
        Ty::Tuple(elems) => Ty::Tuple(elems.iter().map(replace_vars).collect()),
        Ty::Array(elem, len) => Ty::Array(Box::new(replace_vars(elem)), *len),
        Ty::Future(inner) => Ty::Future(Box::new(replace_vars(inner))),
        other => other.clone(),
    }
}
