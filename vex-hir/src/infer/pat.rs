//! Inference of statements, patterns and `match`: `let` with its optional annotation,
//! checking a pattern against the scrutinee's type, and `match` (its exhaustiveness check
//! is `exhaustive.rs`).

use super::{HirNode, InferCtx, InferDiagnostic};
use crate::body::{ExprId, Literal, MatchArm, Pat, PatId, Stmt, StmtId};
use crate::builtins::BuiltinVariant;
use crate::diagnostics::Code;
use crate::scope::ItemRef;
use crate::signature::{enum_variants, resolve_type};
use crate::ty::{Ty, VarKind};

impl InferCtx<'_> {
    /// Infers a statement; returns whether it always diverges.
    pub(super) fn infer_stmt(&mut self, stmt: StmtId) -> bool {
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

    pub(super) fn check_pat(&mut self, pat: PatId, expected: &Ty) {
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
                    // `()` is the pattern of the unit value (`Ok(())`).
                    _ if elems.is_empty() && self.unify(expected, &Ty::Unit) => {}
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
                let builtin = (self.scope.get(ty).is_none())
                    .then(|| BuiltinVariant::from_name(Some(ty), variant))
                    .flatten();
                let payload = match self.scope.get(ty) {
                    None if builtin.is_some() => {
                        let builtin = builtin.unwrap_or(BuiltinVariant::None);
                        let payload = self.new_var(VarKind::General);
                        let enum_ty = self.variant_type(builtin, payload.clone());
                        if !self.unify(&enum_ty, expected) {
                            self.pat_mismatch(pat, expected, &enum_ty);
                        }
                        Some(if builtin.has_payload() { vec![payload] } else { Vec::new() })
                    }
                    None if matches!(&**ty, "Option" | "Result") => {
                        let message = format!("no variant `{variant}` in `{ty}`");
                        self.report(Code::UnknownMember, HirNode::Pat(pat), message);
                        None
                    }
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
    pub(super) fn infer_match(
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
                fix: None,
            });
        }
        result.unwrap_or(Ty::Never)
    }
}
