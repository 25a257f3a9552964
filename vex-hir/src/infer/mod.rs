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
//!
//! The pieces, one file per kind of node, all `impl InferCtx` blocks on the context
//! defined here:
//!
//! - `unify`: the inference table: type variables, unification, resolution;
//! - `expr`: expressions, operators, places and printing;
//! - `call`: names, `Type.member` paths, calls, method calls and struct literals;
//! - `builtin`: the methods and associated functions of the builtin types (`Option`,
//!   `Result`, `Vec`, `string`) and what may be printed;
//! - `channel`: channels, sends and receives, `select` and the combinators;
//! - `io`: the file, TCP and process builtins and the methods of their types;
//! - `closure`: closures, `?` and `??`;
//! - `pat`: statements, patterns and `match` (with its exhaustiveness check);
//! - this module: the results, the query, reporting, and finishing (defaulting
//!   literal variables, range-checking integer literals, replacing what is left).

mod builtin;
mod call;
mod channel;
mod closure;
mod exhaustive;
mod expr;
mod io;
mod pat;
mod unify;

use std::sync::Arc;

use la_arena::ArenaMap;

use crate::body::{Body, Expr, ExprId, LabelId, LocalId, PatId, StmtId};
use crate::builtins::Builtin;
use crate::db::{Db, Program};
use crate::diagnostics::Code;
use crate::ids::{ConstLoc, EnumLoc, ExternLoc, FunctionLoc};
use crate::lower::{BodyId, BodyOwner, body};
use crate::scope::{ProgramScope, program_scope};
use crate::signature::{const_type, display_ty, signature_of};
use crate::ty::{FloatTy, IntTy, Ty, VarKind};
use unify::{contains_var, replace_vars};

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
    /// A mechanical fix.
    pub fix: Option<InferFix>,
}

/// A fix in HIR terms: its message and edits whose places are turned into ranges with
/// the diagnostic (inference results stay positionless).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferFix {
    /// What it does.
    pub message: String,
    /// Where each edit goes and the text it inserts (or replaces the place with).
    pub edits: Vec<(FixAt, String)>,
}

/// Where an edit of an [`InferFix`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAt {
    /// Inserted before the node.
    Before(HirNode),
    /// Replacing the node.
    Replace(HirNode),
    /// Where `!` makes the local mutable (after `let`, after a parameter's name).
    MutSite(LocalId),
    /// Before the `fn` keyword of the body's function.
    FnKeyword,
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
    /// A struct field, by index (on a method call: the field of function type that is
    /// called).
    Field(u32),
    /// A variant of `Option` or `Result`.
    BuiltinVariant(crate::builtins::BuiltinVariant),
    /// A method of a builtin type (on the method call).
    Method(crate::builtins::BuiltinMethod),
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
    /// Problems found, uses of moved values included (`moves.rs`).
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
    let is_main = match id.owner(db) {
        BodyOwner::Function(loc) => {
            let tree = crate::item_tree::item_tree(db, loc.file);
            tree.functions
                .get(loc.index as usize)
                .is_some_and(|f| &*f.name == "main" && f.owner.is_none() && f.receiver.is_none())
        }
        BodyOwner::Const(_) => false,
    };
    let mut ctx = InferCtx {
        db,
        body,
        scope,
        vars: Vec::new(),
        result: InferenceResult::default(),
        ret,
        in_async: is_async,
        is_main,
        frames: vec![Frame::Function],
        assigned_place: None,
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
    let mut result = ctx.finish();
    // Uses of moved values are checked here rather than in a query of their own: one
    // memo less per body for salsa to re-validate after every edit.
    let moves = crate::moves::check_moves(body, &result);
    result.diagnostics.extend(moves);
    Arc::new(result)
}

struct LoopCtx {
    label: Option<LabelId>,
    /// `Some` for `loop`, whose `break` may carry a value.
    break_ty: Option<Option<Ty>>,
}

/// What code inside a `go` block or closure may do differently from its surroundings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// A function's own body.
    Function,
    /// A `go` block: its result is discarded, so `?` cannot return one.
    Go,
    /// A closure: its captures (`Expr::Closure::captures`) are read-only.
    Closure(ExprId),
}

struct InferCtx<'a> {
    db: &'a dyn Db,
    body: &'a Body,
    scope: &'a ProgramScope,
    vars: Vec<(VarKind, Option<Ty>)>,
    result: InferenceResult,
    /// The result type of the innermost function, closure or `go` block (the value
    /// type `T` of an async one).
    ret: Ty,
    in_async: bool,
    /// The body is the program's `main` (where channel operations may wait even when
    /// it is synchronous: LANGUAGE.md §11).
    is_main: bool,
    /// The innermost functions, `go` blocks and closures being checked, outermost first.
    frames: Vec<Frame>,
    /// The place of the assignment being checked (an element read there is a write).
    assigned_place: Option<ExprId>,
    loops: Vec<LoopCtx>,
    /// Integer literals to range-check once their type is known: the literal, its
    /// magnitude, whether it is negated, and the expression to point at (the `-` for a
    /// negated literal).
    int_literals: Vec<(ExprId, u64, bool, ExprId)>,
}

impl InferCtx<'_> {
    // ---- reporting ----

    fn report(&mut self, code: Code, at: HirNode, message: String) {
        self.result.diagnostics.push(InferDiagnostic {
            code,
            message,
            at,
            label: None,
            note: None,
            fix: None,
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
        // A future where its result is expected, in a task: the fix is to await it.
        let fix = match &found_r {
            Ty::Future(inner)
                if self.in_async
                    && !matches!(expected_r, Ty::Future(_))
                    && (self.types_match(inner, &expected_r)) =>
            {
                Some(InferFix {
                    message: "await it".to_owned(),
                    edits: vec![(FixAt::Before(HirNode::Expr(expr)), "await ".to_owned())],
                })
            }
            _ => None,
        };
        self.result.diagnostics.push(InferDiagnostic {
            code: Code::TypeMismatch,
            message,
            at: HirNode::Expr(expr),
            label: None,
            note: None,
            fix,
        });
    }

    /// Whether `a` and `b` could be one type, without binding any variable: a variable
    /// matches anything, other types match part by part.
    fn types_match(&self, a: &Ty, b: &Ty) -> bool {
        let (a, b) = (self.resolve(a), self.resolve(b));
        match (&a, &b) {
            (Ty::Var(..) | Ty::Error | Ty::Never, _) | (_, Ty::Var(..) | Ty::Error | Ty::Never) => {
                true
            }
            _ if std::mem::discriminant(&a) != std::mem::discriminant(&b) => false,
            _ => {
                let (xs, ys): (Vec<&Ty>, Vec<&Ty>) =
                    (a.children().collect(), b.children().collect());
                if xs.is_empty() {
                    a == b
                } else {
                    xs.len() == ys.len() && xs.iter().zip(&ys).all(|(x, y)| self.types_match(x, y))
                }
            }
        }
    }

    /// Unifies `found` (the type of `expr`) with `expected`, reporting a mismatch at `expr`.
    fn coerce(&mut self, expr: ExprId, found: &Ty, expected: &Ty) {
        if !self.unify(found, expected) {
            self.mismatch(expr, expected, found);
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
                        fix: None,
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
