//! The inference table: type variables (general, integer, float), what each is bound
//! to, unification with the occurs check, and resolving a type through the bindings.
//! `Ty::Never` and `Ty::Error` unify with everything.

use super::InferCtx;
use crate::ty::{Ty, TyVar, VarKind};

impl InferCtx<'_> {
    pub(super) fn new_var(&mut self, kind: VarKind) -> Ty {
        self.vars.push((kind, None));
        Ty::Var(TyVar(self.vars.len() as u32 - 1), kind)
    }

    pub(super) fn shallow(&self, ty: &Ty) -> Ty {
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

    pub(super) fn resolve(&self, ty: &Ty) -> Ty {
        self.shallow(ty).map_children(|child| self.resolve(child))
    }

    /// Whether the type variable `var` appears in `ty` (resolved as far as bound).
    fn occurs(&self, var: TyVar, ty: &Ty) -> bool {
        match self.shallow(ty) {
            Ty::Var(v, _) => v == var,
            other => other.children().any(|child| self.occurs(var, child)),
        }
    }

    pub(super) fn unify(&mut self, a: &Ty, b: &Ty) -> bool {
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
            (Ty::Future(x), Ty::Future(y))
            | (Ty::Option(x), Ty::Option(y))
            | (Ty::Vec(x), Ty::Vec(y))
            | (Ty::Channel(x), Ty::Channel(y)) => self.unify(x, y),
            (Ty::Result(x1, x2), Ty::Result(y1, y2)) => self.unify(x1, y1) && self.unify(x2, y2),
            (Ty::Fn(x), Ty::Fn(y)) => {
                x.once == y.once
                    && x.params.len() == y.params.len()
                    && x.params.iter().zip(&y.params).all(|(p, q)| self.unify(p, q))
                    && self.unify(&x.ret, &y.ret)
            }
            _ => a == b,
        }
    }
}

pub(super) fn contains_var(ty: &Ty) -> bool {
    matches!(ty, Ty::Var(..)) || ty.children().any(contains_var)
}

/// Replaces the variables left after defaulting (already reported) by `Ty::Error`.
pub(super) fn replace_vars(ty: &Ty) -> Ty {
    match ty {
        Ty::Var(..) => Ty::Error,
        other => other.map_children(replace_vars),
    }
}
