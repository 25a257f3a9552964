//! Patterns: `let` bindings, tests against a place (literals, variants, tuples,
//! or-patterns with a selector), and `match` as a `Switch` or a chain of tests.

use super::*;

impl<'a, 'b> Builder<'a, 'b> {
    pub(super) fn let_binding(&mut self, pat: PatId, init: ExprId) {
        if let Pat::Bind(l) = &self.input.body.pats[pat] {
            let l = *l;
            let value = self.expr_owned(init);
            let local = self.binding_local(l);
            self.assign(Place::local(local), Rvalue::Use(value.clone()));
            self.forget(&value);
            self.locals.insert(l, local);
            if !self.defers.pinned.contains_key(&l) {
                self.register(local);
            }
            return;
        }
        let v = self.expr_owned(init);
        let place = self.materialize(v.clone());
        self.bind_pat(pat, &place);
        if let Operand::Copy(p) = &v
            && self.temps.contains(&p.local)
        {
            self.drop_val(Val::Temp(p.local));
        }
    }

    /// The IR local a binding of `l` writes: a new one, or for a pinned future the
    /// function-long local, whose previous value is released first.
    pub(super) fn binding_local(&mut self, l: vex_hir::body::LocalId) -> LocalId {
        if let Some(&local) = self.defers.pinned.get(&l) {
            self.push(Stmt::Release(Place::local(local)));
            return local;
        }
        let ty = lower_ty(self.input.db, self.input.infer.type_of_local(l));
        let name = self.input.body.locals[l].name.clone();
        self.new_local(&name, ty)
    }

    pub(super) fn bind_pat(&mut self, pat: PatId, place: &Place) {
        self.bind_pat_into(pat, place, false)
    }

    /// Whether a pattern binds any name.
    pub(super) fn pat_binds(&self, pat: PatId) -> bool {
        match &self.input.body.pats[pat] {
            Pat::Bind(_) => true,
            Pat::Or(pats) | Pat::Tuple(pats) => pats.iter().any(|p| self.pat_binds(*p)),
            Pat::Variant { fields: Some(fields), .. } => fields.iter().any(|p| self.pat_binds(*p)),
            _ => false,
        }
    }

    /// The names a pattern binds, in order (for an or-pattern: its first alternative's;
    /// every alternative binds the same locals).
    pub(super) fn pat_locals(&self, pat: PatId, out: &mut Vec<vex_hir::body::LocalId>) {
        match &self.input.body.pats[pat] {
            Pat::Bind(l) => out.push(*l),
            Pat::Or(pats) => {
                if let Some(first) = pats.first() {
                    self.pat_locals(*first, out)
                }
            }
            Pat::Tuple(pats) | Pat::Variant { fields: Some(pats), .. } => {
                for p in pats {
                    self.pat_locals(*p, out)
                }
            }
            _ => {}
        }
    }

    /// Binds the names of `pat` from `place`. With `existing`, the names already have
    /// their IR locals (an or-pattern's alternatives all write the same ones) and are
    /// registered by the caller.
    pub(super) fn bind_pat_into(&mut self, pat: PatId, place: &Place, existing: bool) {
        match &self.input.body.pats[pat] {
            Pat::Bind(l) => {
                let l = *l;
                let ty = lower_ty(self.input.db, self.input.infer.type_of_local(l));
                let local = match self.locals.get(&l) {
                    Some(local) if existing => *local,
                    _ => self.binding_local(l),
                };
                self.assign(Place::local(local), Rvalue::Use(Operand::Copy(place.clone())));
                if ty.is_move_only(self.input.types) {
                    self.clear_moved(place, &ty);
                } else if self.needs_drop(&ty) {
                    self.push(Stmt::Retain(Place::local(local)));
                }
                self.locals.insert(l, local);
                if !existing && !self.defers.pinned.contains_key(&l) {
                    self.register(local);
                }
            }
            Pat::Tuple(pats) => {
                for (i, p) in pats.clone().into_iter().enumerate() {
                    self.bind_pat_into(p, &place.project(Proj::Field(i as u32)), existing);
                }
            }
            Pat::Variant { fields: Some(fields), .. } => {
                let Some(variant) = self.variant_index(pat) else { return };
                for (i, p) in fields.clone().into_iter().enumerate() {
                    let field = place.project(Proj::Payload { variant, field: i as u32 });
                    self.bind_pat_into(p, &field, existing);
                }
            }
            Pat::Or(alts) => {
                let alts = alts.clone();
                let Some(&selector) = self.or_selectors.get(&pat) else {
                    // Not tested first (an irrefutable context): the first alternative.
                    if let Some(first) = alts.first() {
                        self.bind_pat_into(*first, place, existing);
                    }
                    return;
                };
                // One IR local per name, written by whichever alternative matched.
                let mut names = Vec::new();
                self.pat_locals(pat, &mut names);
                let mut fresh = Vec::new();
                if !existing {
                    for l in &names {
                        let local = self.binding_local(*l);
                        self.locals.insert(*l, local);
                        fresh.push((*l, local));
                    }
                }
                let join = self.new_block();
                let blocks: Vec<BlockId> = alts.iter().map(|_| self.new_block()).collect();
                let trap = self.new_block();
                self.terminate(Terminator::Switch {
                    value: Operand::local(selector),
                    cases: blocks.iter().enumerate().map(|(i, b)| (i as i128, *b)).collect(),
                    default: trap,
                });
                for (alt, block) in alts.into_iter().zip(blocks) {
                    self.switch_to(block);
                    self.bind_pat_into(alt, place, true);
                    self.goto(join);
                }
                self.switch_to(join);
                for (l, local) in fresh {
                    if !self.defers.pinned.contains_key(&l) {
                        self.register(local);
                    }
                }
            }
            _ => {}
        }
    }

    pub(super) fn variant_index(&self, pat: PatId) -> Option<u32> {
        let Pat::Variant { ty, variant, .. } = &self.input.body.pats[pat] else { return None };
        match self.input.infer.pat_types.get(pat)? {
            Ty::Enum(loc) => vex_hir::signature::enum_variants(self.input.db, *loc)
                .iter()
                .position(|(n, _)| n == variant)
                .map(|i| i as u32),
            Ty::Option(_) | Ty::Result(..) => {
                vex_hir::builtins::BuiltinVariant::from_name(Some(ty), variant).map(|v| v.index())
            }
            _ => None,
        }
    }

    /// Emits tests of `pat` against `place`; falls through on a match, jumps to `fail`
    /// otherwise.
    pub(super) fn test_pat(&mut self, pat: PatId, place: &Place, fail: BlockId) {
        match self.input.body.pats[pat].clone() {
            Pat::Literal(lit, negated) => {
                let ty = self.place_ty(place);
                let mut c = self.literal(&lit, &ty);
                if negated {
                    c = match c {
                        Const::Int(v, int) => Const::Int(normalize(-v, int), int),
                        Const::Float(bits, f) => Const::Float((-f64::from_bits(bits)).to_bits(), f),
                        other => other,
                    };
                }
                let eq = self.compare(CmpOp::Eq, Operand::Copy(place.clone()), Operand::Const(c));
                self.branch_or_fail(eq, fail);
            }
            Pat::Or(alts) => {
                let success = self.new_block();
                let selector = if self.pat_binds(pat) {
                    let s = self.new_local("alternative", Type::Int(IntTy::U32));
                    self.or_selectors.insert(pat, s);
                    Some(s)
                } else {
                    None
                };
                for (i, alt) in alts.into_iter().enumerate() {
                    let next = self.new_block();
                    self.test_pat(alt, place, next);
                    if let Some(s) = selector {
                        self.assign(
                            Place::local(s),
                            Rvalue::Use(Operand::int(i as i128, IntTy::U32)),
                        );
                    }
                    self.goto(success);
                    self.switch_to(next);
                }
                self.goto(fail);
                self.switch_to(success);
            }
            Pat::Tuple(pats) => {
                for (i, p) in pats.into_iter().enumerate() {
                    self.test_pat(p, &place.project(Proj::Field(i as u32)), fail);
                }
            }
            Pat::Variant { fields, .. } => {
                let Some(variant) = self.variant_index(pat) else { return };
                let d = self.temp(Type::Int(ENUM_TAG), Rvalue::Discriminant(place.clone()));
                let eq = self.temp(
                    Type::Bool,
                    Rvalue::Binary(
                        BinOp::Eq,
                        Operand::local(d),
                        Operand::int(variant as i128, ENUM_TAG),
                    ),
                );
                self.branch_or_fail(Operand::local(eq), fail);
                for (i, p) in fields.unwrap_or_default().into_iter().enumerate() {
                    self.test_pat(
                        p,
                        &place.project(Proj::Payload { variant, field: i as u32 }),
                        fail,
                    );
                }
            }
            _ => {}
        }
    }

    pub(super) fn branch_or_fail(&mut self, cond: Operand, fail: BlockId) {
        let ok = self.new_block();
        self.terminate(Terminator::Branch { cond, then_block: ok, else_block: fail });
        self.switch_to(ok);
    }

    pub(super) fn is_irrefutable(&self, pat: PatId) -> bool {
        match &self.input.body.pats[pat] {
            Pat::Wild | Pat::Bind(_) | Pat::Missing => true,
            Pat::Tuple(pats) => pats.iter().all(|p| self.is_irrefutable(*p)),
            _ => false,
        }
    }

    /// Switch cases for a match that is one level of literal or variant tests.
    pub(super) fn switch_cases(
        &self,
        arms: &[vex_hir::body::MatchArm],
        ty: &Type,
    ) -> Option<Vec<Vec<i128>>> {
        let mut out = Vec::new();
        for (i, arm) in arms.iter().enumerate() {
            if arm.guard.is_some() {
                return None;
            }
            let last = i + 1 == arms.len();
            let mut values = Vec::new();
            let alts = match &self.input.body.pats[arm.pat] {
                // Which alternative matched decides what is bound: tested one by one.
                Pat::Or(_) if self.pat_binds(arm.pat) => return None,
                Pat::Or(alts) => alts.clone(),
                _ => vec![arm.pat],
            };
            for alt in alts {
                match (&self.input.body.pats[alt], ty) {
                    (Pat::Literal(Literal::Int(v, _), negated), Type::Int(int)) => {
                        let v = i128::from(v.unwrap_or(0));
                        values.push(normalize(if *negated { -v } else { v }, *int));
                    }
                    (
                        Pat::Variant { fields, .. },
                        Type::Enum(_) | Type::Option(_) | Type::Result(..),
                    ) => {
                        if !fields.iter().flatten().all(|p| self.is_irrefutable(*p)) {
                            return None;
                        }
                        values.push(i128::from(self.variant_index(alt)?));
                    }
                    (Pat::Wild | Pat::Bind(_), _) if last => {}
                    _ => return None,
                }
            }
            out.push(values);
        }
        Some(out)
    }

    pub(super) fn match_expr(
        &mut self,
        scrutinee: ExprId,
        arms: &[vex_hir::body::MatchArm],
        ty: Type,
    ) -> Val {
        let (place, temp) = self.scrutinee_place(scrutinee);
        let scrutinee_ty = self.place_ty(&place);
        let result = if ty == Type::Unit { None } else { Some(self.new_local("match", ty)) };
        let join = self.new_block();
        let mut reached = false;
        if let Some(cases) = self.switch_cases(arms, &scrutinee_ty) {
            let value = match scrutinee_ty {
                Type::Enum(_) | Type::Option(_) | Type::Result(..) => Operand::local(
                    self.temp(Type::Int(ENUM_TAG), Rvalue::Discriminant(place.clone())),
                ),
                _ => Operand::Copy(place.clone()),
            };
            let blocks: Vec<BlockId> = arms.iter().map(|_| self.new_block()).collect();
            let mut switch_cases = Vec::new();
            let mut seen = rustc_hash::FxHashSet::default();
            let mut default = None;
            for (i, values) in cases.iter().enumerate() {
                if values.is_empty() {
                    default = Some(blocks[i]);
                }
                for v in values {
                    if seen.insert(*v) {
                        switch_cases.push((*v, blocks[i]));
                    }
                }
            }
            let default = match default {
                Some(d) => d,
                None => {
                    let b = self.new_block();
                    self.func.blocks[b.index()].term = Terminator::Unreachable;
                    b
                }
            };
            self.terminate(Terminator::Switch { value, cases: switch_cases, default });
            for (arm, block) in arms.iter().zip(blocks) {
                self.switch_to(block);
                reached |= self.arm_body(arm, &place, result, join, None);
            }
        } else {
            for arm in arms {
                let next = self.new_block();
                self.test_pat(arm.pat, &place, next);
                reached |= self.arm_body(arm, &place, result, join, Some(next));
                self.switch_to(next);
            }
            self.terminate(Terminator::Unreachable);
        }
        if reached {
            self.switch_to(join);
        }
        if let Some(t) = temp {
            self.drop_val(Val::Temp(t));
        }
        match result {
            Some(r) => self.register_temp(r),
            None => UNIT,
        }
    }

    pub(super) fn arm_body(
        &mut self,
        arm: &vex_hir::body::MatchArm,
        place: &Place,
        result: Option<LocalId>,
        join: BlockId,
        next: Option<BlockId>,
    ) -> bool {
        self.push_scope();
        self.bind_pat(arm.pat, place);
        if let Some(guard) = arm.guard {
            let cond = self.expr_operand(guard);
            let body = self.new_block();
            let fail = self.new_block();
            self.terminate(Terminator::Branch { cond, then_block: body, else_block: fail });
            self.switch_to(fail);
            let mark = *self.scope_marks.last().unwrap_or(&0);
            self.release_down_to(mark);
            if let Some(next) = next {
                self.goto(next);
            }
            self.switch_to(body);
        }
        match result {
            Some(r) => {
                let v = self.expr_owned(arm.expr);
                self.assign(Place::local(r), Rvalue::Use(v.clone()));
                self.forget(&v);
            }
            None => {
                let v = self.expr(arm.expr);
                self.drop_val(v);
            }
        }
        self.pop_scope();
        self.goto(join)
    }
}
