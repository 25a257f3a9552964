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
            (Ty::Future(x), Ty::Future(y)) => self.unify(x, y),
            _ => a == b,
        }
    }
}

pub(super) fn contains_var(ty: &Ty) -> bool {
    match ty {
        Ty::Var(..) => true,
        Ty::Tuple(elems) => elems.iter().any(contains_var),
        Ty::Array(elem, _) | Ty::Future(elem) => contains_var(elem),
        _ => false,
    }
}

/// Replaces the variables left after defaulting (already reported) by `Ty::Error`.
pub(super) fn replace_vars(ty: &Ty) -> Ty {
    match ty {
        Ty::Var(..) => Ty::Error,
        Ty::Tuple(elems) => Ty::Tuple(elems.iter().map(replace_vars).collect()),
        Ty::Array(elem, len) => Ty::Array(Box::new(replace_vars(elem)), *len),
        Ty::Future(inner) => Ty::Future(Box::new(replace_vars(inner))),
        other => other.clone(),
    }
}
