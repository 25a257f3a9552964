//! Inference of the concurrency layer: channels (`<-ch`, `ch <- v`, `for v in ch`),
//! `select` (LANGUAGE.md §11) and the future combinators (§12); and the rule that the
//! operations which wait run only where a task runs.

use super::{Frame, HirNode, InferCtx, InferDiagnostic};
use crate::body::{ExprId, SelectArm, SelectArmKind};
use crate::builtins::Builtin;
use crate::diagnostics::Code;
use crate::ty::{IntTy, Ty, VarKind};

/// The most futures `join` and `race` take (LANGUAGE.md §12).
const MAX_COMBINED: usize = 8;

impl InferCtx<'_> {
    /// Reports `what` (a channel operation that waits) at `expr` unless the code runs
    /// in a task: an async function, a `go` block, an async closure, or `main` itself.
    pub(super) fn check_can_wait(&mut self, expr: ExprId, what: &str) {
        let in_main = self.is_main && matches!(self.frames.as_slice(), [Frame::Function]);
        if self.in_async || in_main {
            return;
        }
        self.result.diagnostics.push(InferDiagnostic {
            code: Code::WaitOutsideAsync,
            message: format!(
                "{what} waits, so it is only allowed in an `async fn`, a `go` block, an async closure or `main`"
            ),
            at: HirNode::Expr(expr),
            label: None,
            note: Some(
                "help: `tryRecv()` and `trySend(v)` never wait and work anywhere".to_owned(),
            ),
            fix: None,
        });
    }

    /// The element type of the channel `channel` (of type `ty`), or `Ty::Error` after
    /// reporting a value that is not a channel.
    pub(super) fn channel_elem(&mut self, channel: ExprId, ty: &Ty) -> Ty {
        match self.shallow(ty) {
            Ty::Channel(elem) => *elem,
            Ty::Error | Ty::Never => Ty::Error,
            Ty::Var(_, VarKind::General) => {
                let elem = self.new_var(VarKind::General);
                self.coerce(channel, ty, &Ty::Channel(Box::new(elem.clone())));
                elem
            }
            other => {
                let message = format!("expected a `Channel`, found `{}`", self.display(&other));
                self.report(Code::TypeMismatch, HirNode::Expr(channel), message);
                Ty::Error
            }
        }
    }

    /// `<-ch`: the value received.
    pub(super) fn infer_recv(&mut self, expr: ExprId, channel: ExprId) -> Ty {
        self.check_can_wait(expr, "a receive `<-ch`");
        let ty = self.infer_expr(channel);
        self.channel_elem(channel, &ty)
    }

    /// `ch <- value`.
    pub(super) fn infer_send(&mut self, expr: ExprId, channel: ExprId, value: ExprId) -> Ty {
        self.check_can_wait(expr, "a send `ch <- v`");
        let ty = self.infer_expr(channel);
        let elem = self.channel_elem(channel, &ty);
        self.check_expr(value, &elem);
        Ty::Unit
    }

    /// `select { arms }`: the type its arms agree on.
    pub(super) fn infer_select(&mut self, expr: ExprId, arms: &[SelectArm]) -> Ty {
        self.check_can_wait(expr, "`select`");
        let defaults = arms.iter().filter(|a| a.kind == SelectArmKind::Default).count();
        let afters = arms.iter().filter(|a| matches!(a.kind, SelectArmKind::After(_))).count();
        let problem = match (defaults, afters) {
            (d, _) if d > 1 => Some("a `select` has at most one `default` arm"),
            (_, a) if a > 1 => Some("a `select` has at most one `after` arm"),
            (1, 1) => Some(
                "a `select` has a `default` arm or an `after` arm, not both: `default` is taken at once",
            ),
            _ => None,
        };
        if let Some(problem) = problem {
            self.report(Code::InvalidSelect, HirNode::Expr(expr), problem.to_owned());
        }
        let mut result: Option<Ty> = None;
        for arm in arms {
            match &arm.kind {
                SelectArmKind::Recv { channel, binding } => {
                    let ty = self.infer_expr(*channel);
                    let elem = self.channel_elem(*channel, &ty);
                    if let Some(binding) = binding {
                        self.check_pat(*binding, &elem);
                    }
                }
                SelectArmKind::Send { channel, value } => {
                    let ty = self.infer_expr(*channel);
                    let elem = self.channel_elem(*channel, &ty);
                    self.check_expr(*value, &elem);
                }
                SelectArmKind::After(ms) => {
                    self.check_expr(*ms, &Ty::Int(IntTy::I64));
                }
                SelectArmKind::Default => {}
            }
            let ty = self.infer_expr(arm.body);
            result = Some(match result {
                None => ty,
                Some(prev) => self.join(arm.body, &prev, &ty),
            });
        }
        // With no arm there is nothing to wait for: it panics (LANGUAGE.md §11).
        result.unwrap_or(Ty::Never)
    }

    /// `Channel.new<T>(cap)`.
    pub(super) fn infer_channel_new(&mut self, expr: ExprId, elem: Ty, args: &[ExprId]) -> Ty {
        self.check_args(expr, &[Ty::Int(IntTy::I64)], args);
        Ty::Channel(Box::new(elem))
    }

    /// A future combinator of LANGUAGE.md §12 called with `args`.
    pub(super) fn infer_combinator(
        &mut self,
        expr: ExprId,
        builtin: Builtin,
        args: &[ExprId],
    ) -> Ty {
        let future_of = |t: Ty| Ty::Future(Box::new(t));
        match builtin {
            Builtin::Join | Builtin::Race => {
                if !(2..=MAX_COMBINED).contains(&args.len()) {
                    let message = format!(
                        "`{}` takes 2 to {MAX_COMBINED} futures, but {} {} supplied; for more, put them in a `Vec` and use `{}All`",
                        builtin.name(),
                        args.len(),
                        if args.len() == 1 { "was" } else { "were" },
                        builtin.name()
                    );
                    self.report(Code::InvalidCombinator, HirNode::Expr(expr), message);
                }
                if builtin == Builtin::Join {
                    let results: Vec<Ty> =
                        args.iter().map(|_| self.new_var(VarKind::General)).collect();
                    for (&arg, result) in args.iter().zip(&results) {
                        self.check_expr(arg, &future_of(result.clone()));
                    }
                    match results.len() {
                        0 => future_of(Ty::Unit),
                        1 => future_of(results[0].clone()),
                        _ => future_of(Ty::Tuple(results)),
                    }
                } else {
                    let result = self.new_var(VarKind::General);
                    for &arg in args {
                        self.check_expr(arg, &future_of(result.clone()));
                    }
                    future_of(result)
                }
            }
            Builtin::JoinAll | Builtin::RaceAll => {
                let result = self.new_var(VarKind::General);
                let futures = Ty::Vec(Box::new(future_of(result.clone())));
                self.check_args(expr, &[futures], args);
                match builtin {
                    Builtin::JoinAll => future_of(Ty::Vec(Box::new(result))),
                    _ => future_of(result),
                }
            }
            Builtin::Timeout => {
                let result = self.new_var(VarKind::General);
                self.check_args(expr, &[future_of(result.clone()), Ty::Int(IntTy::I64)], args);
                future_of(Ty::Option(Box::new(result)))
            }
            Builtin::Ready => {
                let value = self.new_var(VarKind::General);
                self.check_args(expr, std::slice::from_ref(&value), args);
                future_of(value)
            }
            _ => Ty::Error,
        }
    }
}
