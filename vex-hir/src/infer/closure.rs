//! Inference of closures (LANGUAGE.md §10) and of the two operators of §8 that look
//! inside an `Option` or `Result`: `e?` and `a ?? b`.
//!
//! A closure's parameters take their annotated types, else the parameter types of the
//! function type expected where it stands (`v.map(|x| x * 2)`), else fresh variables
//! that later uses resolve. Its body is checked as a function of its own: `return` and
//! `?` leave the closure, `await` needs `async |…|`, loops outside are out of reach.
//! Captured locals are read-only inside ([`InferCtx::capturing_closure`]); a closure
//! that captures a move-only value is itself move-only ([`crate::ty::FnTy::once`]).

use super::{Frame, HirNode, InferCtx};
use crate::body::{Expr, ExprId, LocalId};
use crate::diagnostics::Code;
use crate::signature::resolve_type;
use crate::ty::{FnTy, Ty, VarKind};

impl InferCtx<'_> {
    /// Infers a closure; `expected` is the function type the context asks for.
    pub(super) fn infer_closure(&mut self, expr: ExprId, expected: Option<&FnTy>) -> Ty {
        let Expr::Closure { params, param_types, ret, body, is_async, captures } =
            &self.body.exprs[expr]
        else {
            return Ty::Error;
        };
        let is_async = *is_async;
        let mut param_tys = Vec::new();
        for (i, (&param, annotation)) in params.iter().zip(param_types).enumerate() {
            let ty = match annotation {
                Some(annotation) => self.annotation(annotation, HirNode::Local(param)),
                None => match expected.and_then(|f| f.params.get(i)) {
                    Some(ty) => ty.clone(),
                    None => self.new_var(VarKind::General),
                },
            };
            self.result.local_types.insert(param, ty.clone());
            param_tys.push(ty);
        }
        // The value the body produces: `R` of `fn(…): R`, or of `fn(…): Future<R>` (when
        // the expected result is not yet known to be a future, the comparison of the
        // whole types later decides).
        let expected_ret = expected.map(|f| self.shallow(&f.ret)).and_then(|ret| match ret {
            Ty::Future(inner) if is_async => Some(*inner),
            _ if is_async => None,
            other => Some(other),
        });
        let body_ty = match ret {
            Some(annotation) => self.annotation(annotation, HirNode::Expr(expr)),
            None => expected_ret.unwrap_or_else(|| self.new_var(VarKind::General)),
        };
        let saved_loops = std::mem::take(&mut self.loops);
        let saved_ret = std::mem::replace(&mut self.ret, body_ty.clone());
        let saved_async = std::mem::replace(&mut self.in_async, is_async);
        self.frames.push(Frame::Closure(expr));
        self.check_expr(*body, &body_ty);
        self.frames.pop();
        self.loops = saved_loops;
        self.ret = saved_ret;
        self.in_async = saved_async;
        let once =
            captures.iter().any(|&c| self.resolve(self.result.type_of_local(c)).contains_future());
        let ret = if is_async { Ty::Future(Box::new(body_ty)) } else { body_ty };
        Ty::Fn(FnTy { params: param_tys, ret: Box::new(ret), once })
    }

    /// A type annotation inside a body, reported at `at` when it names no type.
    fn annotation(&mut self, annotation: &crate::body::TypeRef, at: HirNode) -> Ty {
        match resolve_type(self.db, annotation) {
            Ok(ty) => ty,
            Err(message) => {
                let code = if message.starts_with("not supported") {
                    Code::NotSupported
                } else {
                    Code::UnknownType
                };
                self.report(code, at, message);
                Ty::Error
            }
        }
    }

    /// The closure being checked that captured `local`, if any: changing `local` there
    /// would change only the closure's copy.
    pub(super) fn capturing_closure(&self, local: LocalId) -> Option<ExprId> {
        self.frames.iter().rev().find_map(|frame| match frame {
            Frame::Closure(closure) => match &self.body.exprs[*closure] {
                Expr::Closure { captures, .. } if captures.contains(&local) => Some(*closure),
                _ => None,
            },
            _ => None,
        })
    }

    /// `e?`: the value inside a `Some`/`Ok`; the enclosing function (or closure) must
    /// return an `Option`, or a `Result` with the same error type.
    pub(super) fn infer_try(&mut self, expr: ExprId, operand: ExprId) -> Ty {
        let ty = self.infer_expr(operand);
        if self.frames.last() == Some(&Frame::Go) {
            self.report(
                Code::InvalidTry,
                HirNode::Expr(expr),
                "`?` cannot be used in a `go` block: its result is discarded; handle the `None` or `Err` with `match` or `if let`".to_owned(),
            );
            return match self.shallow(&ty) {
                Ty::Option(inner) | Ty::Result(inner, _) => *inner,
                _ => Ty::Error,
            };
        }
        let ret = self.ret.clone();
        match self.shallow(&ty) {
            Ty::Option(inner) => {
                let wanted = Ty::Option(Box::new(self.new_var(VarKind::General)));
                if !self.unify(&ret, &wanted) {
                    let message = format!(
                        "`?` on an `Option` needs the enclosing function to return an `Option`, but it returns `{}`",
                        self.display(&ret)
                    );
                    self.report(Code::InvalidTry, HirNode::Expr(expr), message);
                }
                *inner
            }
            Ty::Result(inner, err) => {
                let wanted = Ty::Result(Box::new(self.new_var(VarKind::General)), err.clone());
                if !self.unify(&ret, &wanted) {
                    let message = match self.shallow(&ret) {
                        Ty::Result(_, ret_err) => format!(
                            "`?` passes on an error of type `{}`, but the enclosing function's errors are `{}`",
                            self.display(&err),
                            self.display(&ret_err)
                        ),
                        _ => format!(
                            "`?` on a `Result` needs the enclosing function to return a `Result<_, {}>`, but it returns `{}`",
                            self.display(&err),
                            self.display(&ret)
                        ),
                    };
                    self.report(Code::InvalidTry, HirNode::Expr(expr), message);
                }
                *inner
            }
            Ty::Error | Ty::Never => Ty::Error,
            Ty::Var(..) => {
                self.report(
                    Code::CannotInfer,
                    HirNode::Expr(operand),
                    "cannot tell whether this is an `Option` or a `Result`; add a type annotation"
                        .to_owned(),
                );
                Ty::Error
            }
            other => {
                let message = format!(
                    "`?` needs an `Option` or a `Result`, found `{}`",
                    self.display(&other)
                );
                self.report(Code::InvalidTry, HirNode::Expr(operand), message);
                Ty::Error
            }
        }
    }

    /// `a ?? b`: the value inside `a` if it is a `Some`/`Ok`, else `b`, which must have
    /// the contained type.
    pub(super) fn infer_coalesce(&mut self, expr: ExprId, lhs: ExprId, rhs: ExprId) -> Ty {
        let ty = self.infer_expr(lhs);
        match self.shallow(&ty) {
            Ty::Option(inner) | Ty::Result(inner, _) => {
                let rhs_ty = self.infer_expr(rhs);
                if !self.unify(&rhs_ty, &inner) {
                    let message = format!(
                        "the sides of `??` disagree: the left holds `{}`, the right is `{}`",
                        self.display(&inner),
                        self.display(&rhs_ty)
                    );
                    self.report(Code::TypeMismatch, HirNode::Expr(rhs), message);
                }
                *inner
            }
            Ty::Error | Ty::Never => {
                self.infer_expr(rhs);
                Ty::Error
            }
            other => {
                let message = format!(
                    "`??` needs an `Option` or a `Result` on its left, found `{}`",
                    self.display(&other)
                );
                self.report(Code::InvalidOperands, HirNode::Expr(expr), message);
                self.infer_expr(rhs);
                Ty::Error
            }
        }
    }
}
