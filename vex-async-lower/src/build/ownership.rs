//! Ownership: the drop stack that mirrors what each point of the function holds,
//! temporaries moved or dropped, scopes, and the cancel paths and `defer` runners that
//! release what is held on every exit.

use super::*;

impl<'a, 'b> Builder<'a, 'b> {
    pub(super) fn register(&mut self, local: LocalId) {
        if self.needs_drop(&self.func.local_ty(local).clone()) {
            self.drops.push(local);
        }
    }

    pub(super) fn register_temp(&mut self, local: LocalId) -> Val {
        if self.needs_drop(&self.func.local_ty(local).clone()) {
            self.drops.push(local);
            self.temps.insert(local);
            Val::Temp(local)
        } else {
            Val::Op(Operand::local(local))
        }
    }

    /// Removes a consumed temporary from the drop stack.
    pub(super) fn forget(&mut self, op: &Operand) {
        if let Operand::Copy(place) = op
            && place.proj.is_empty()
            && self.temps.contains(&place.local)
            && let Some(pos) = self.drops.iter().rposition(|l| *l == place.local)
        {
            self.drops.remove(pos);
        }
    }

    /// Releases `op` now if it is a registered temporary.
    pub(super) fn drop_temp_op(&mut self, op: &Operand) {
        if let Operand::Copy(p) = op
            && p.proj.is_empty()
            && self.temps.contains(&p.local)
            && self.drops.contains(&p.local)
        {
            self.drop_val(Val::Temp(p.local));
        }
    }

    /// Releases a temporary now (after a borrowed use).
    pub(super) fn drop_val(&mut self, v: Val) {
        if let Val::Temp(t) = v {
            self.push(Stmt::Release(Place::local(t)));
            self.forget(&Operand::local(t));
        }
    }

    /// An operand that owns its references (a registered temporary when the type needs
    /// drop): copies of borrowed strings are retained, futures are moved out.
    pub(super) fn owned_operand(&mut self, v: Val) -> Operand {
        match v {
            Val::Temp(t) => Operand::local(t),
            Val::Op(Operand::Copy(place)) => {
                let ty = self.place_ty(&place);
                if !self.needs_drop(&ty) {
                    return Operand::Copy(place);
                }
                let t = self.take_from(&place, &ty);
                self.register_temp(t);
                Operand::local(t)
            }
            Val::Op(op) => op,
        }
    }

    /// A new local holding the value at `place`, owning its references: a move-only
    /// value is moved (the place keeps nothing of it, see [`Builder::clear_moved`]),
    /// any other is copied and retained. Not registered for dropping.
    pub(super) fn take_from(&mut self, place: &Place, ty: &Type) -> LocalId {
        let t = self.temp(ty.clone(), Rvalue::Use(Operand::Copy(place.clone())));
        if ty.is_move_only(self.input.types) {
            self.clear_moved(place, ty);
        } else if self.needs_drop(ty) {
            self.push(Stmt::Retain(Place::local(t)));
        }
        t
    }

    /// The value a place of type `ty` keeps once what it held moved out: NULL for a
    /// future, the empty vector for a vector.
    pub(super) fn moved_out(ty: &Type) -> Option<Operand> {
        match ty {
            Type::Future(_) => Some(Operand::Const(Const::NullFuture(ty.clone()))),
            Type::Vec(_) => Some(Operand::Const(Const::EmptyVec(ty.clone()))),
            _ => None,
        }
    }

    /// Clears the move-only parts of the value at `place` after they moved out: futures
    /// become NULL, vectors empty, an `Option` `None`, tuples, structs and arrays part
    /// by part. (A `Result` or user enum whose payloads are all move-only cannot be
    /// cleared without knowing its variant; such a place keeps its handles, which is
    /// why the move checker forbids using it again, and those values are not released
    /// twice only because such enums are consumed whole.)
    pub(super) fn clear_moved(&mut self, place: &Place, ty: &Type) {
        if let Some(empty) = Self::moved_out(ty) {
            self.assign(place.clone(), Rvalue::Use(empty));
            return;
        }
        let types = self.input.types;
        match ty {
            Type::Option(_) => {
                self.assign(
                    place.clone(),
                    Rvalue::Aggregate(AggregateKind::Variant(ty.clone(), 1), vec![]),
                );
            }
            Type::Tuple(elems) => {
                for (i, elem) in elems.iter().enumerate() {
                    if elem.is_move_only(types) {
                        self.clear_moved(&place.project(Proj::Field(i as u32)), elem);
                    }
                }
            }
            Type::Struct(name) => {
                let fields = types.structs.get(name).map(|s| s.fields.clone()).unwrap_or_default();
                for (i, field) in fields.iter().enumerate() {
                    if field.ty.is_move_only(types) {
                        self.clear_moved(&place.project(Proj::Field(i as u32)), &field.ty);
                    }
                }
            }
            Type::Array(elem, n) => {
                for i in 0..*n {
                    let index = self.temp(
                        Type::Int(IntTy::I64),
                        Rvalue::Use(Operand::int(i128::from(i), IntTy::I64)),
                    );
                    self.clear_moved(&place.project(Proj::Index(index)), elem);
                }
            }
            _ => {}
        }
    }

    pub(super) fn release_down_to(&mut self, mark: usize) {
        for i in (mark..self.drops.len()).rev() {
            let local = self.drops[i];
            self.push(Stmt::Release(Place::local(local)));
        }
    }

    pub(super) fn push_scope(&mut self) {
        self.scope_marks.push(self.drops.len());
    }

    pub(super) fn pop_scope(&mut self) {
        let mark = self.scope_marks.pop().unwrap_or(0);
        self.release_down_to(mark);
        self.drops.truncate(mark);
    }

    /// The cancel path of a wait: release what is held, run the pending defers, end in
    /// [`Terminator::CancelExit`].
    pub(super) fn cancel_block(&mut self) -> BlockId {
        let saved = self.current;
        let block = self.new_block();
        self.switch_to(block);
        if self.defers.list.is_none() {
            self.release_down_to(0);
            self.terminate(Terminator::CancelExit);
        } else {
            self.release_down_to(self.defers.base);
            let runner = self.runner_block(|d| &mut d.cancel_runner);
            self.goto(runner);
        }
        self.current = saved;
        block
    }

    /// Lowers a defer runner at `entry`: pop the newest record, run its site's
    /// expression on the captured copies, repeat until the list is empty; then release
    /// the parameters and pinned futures and end with `end`. `extra` (the return slot) is
    /// held while the defers run, so a cancel path inside them releases it.
    pub(super) fn lower_runner(&mut self, entry: BlockId, extra: Option<LocalId>, end: Terminator) {
        let Some(list) = self.defers.list else { return };
        let base = self.defers.base;
        self.drops.truncate(base);
        let saved_loops = std::mem::take(&mut self.loops);
        let mut held = self.drops.clone();
        if let Some(slot) = extra
            && self.needs_drop(&self.func.local_ty(slot).clone())
        {
            held.push(slot);
        }
        self.switch_to(entry);
        let top = self.new_local("defer_site", Type::Int(IntTy::I64));
        self.push(Stmt::Runtime {
            dest: Some(top),
            op: RtOp::DeferTop,
            args: vec![Operand::local(list)],
        });
        let done = self.new_block();
        let blocks: Vec<BlockId> = (0..self.defers.sites.len()).map(|_| self.new_block()).collect();
        let cases = blocks.iter().enumerate().map(|(i, b)| (i as i128, *b)).collect();
        self.terminate(Terminator::Switch { value: Operand::local(top), cases, default: done });
        for (site, block) in blocks.into_iter().enumerate() {
            self.switch_to(block);
            self.drops = held.clone();
            let captures = self.defers.sites[site].captures.clone();
            let body = self.defers.sites[site].body;
            let tys: Vec<Type> = captures
                .iter()
                .map(|c| lower_ty(self.input.db, self.input.infer.type_of_local(*c)))
                .collect();
            let record = if captures.is_empty() {
                None
            } else {
                let r = self.new_local("captures", Type::Tuple(tys.clone()));
                self.push(Stmt::Runtime {
                    dest: Some(r),
                    op: RtOp::DeferTake,
                    args: vec![Operand::local(list)],
                });
                Some(r)
            };
            self.push(Stmt::Runtime {
                dest: Some(list),
                op: RtOp::DeferPop,
                args: vec![Operand::local(list)],
            });
            self.push_scope();
            let mark = self.drops.len();
            let mut shadowed = Vec::new();
            for (i, (c, ty)) in captures.iter().zip(tys).enumerate() {
                let name = self.input.body.locals[*c].name.clone();
                let local = self.new_local(&name, ty);
                let record = record.expect("captures were taken");
                self.assign(
                    Place::local(local),
                    Rvalue::Use(Operand::Copy(Place::local(record).project(Proj::Field(i as u32)))),
                );
                self.register(local);
                shadowed.push((*c, self.locals.insert(*c, local)));
            }
            self.defers.running = Some((entry, mark));
            let v = self.expr(body);
            self.drop_val(v);
            self.defers.running = None;
            self.pop_scope();
            for (c, old) in shadowed {
                match old {
                    Some(old) => self.locals.insert(c, old),
                    None => self.locals.remove(&c),
                };
            }
            self.goto(entry);
        }
        self.switch_to(done);
        self.drops.truncate(base);
        self.release_down_to(0);
        self.terminate(end);
        self.loops = saved_loops;
    }
}
