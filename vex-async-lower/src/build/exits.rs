//! A function's entry and exits: parameters, the `defer` list, lowering the root
//! expression, returns through the defer runners, and finishing the function.

use super::*;

impl<'a, 'b> Builder<'a, 'b> {
    pub(super) fn add_param(&mut self, param: vex_hir::body::LocalId) {
        let ty = lower_ty(self.input.db, self.input.infer.type_of_local(param));
        let name = self.input.body.locals[param].name.clone();
        let local = self.new_local(&name, ty);
        self.locals.insert(param, local);
        self.func.params.push(local);
        self.register(local);
    }

    /// Numbers the `defer` statements of the body (not those of its `go` blocks), works
    /// out what each captures, and creates the defer list and the pinned futures.
    pub(super) fn prepare_defers(&mut self, root: ExprId) {
        let body = self.input.body;
        let tree = subtree(body, root);
        let mut pinned = Vec::new();
        for &e in &tree.exprs {
            let Expr::Defer(inner) = &body.exprs[e] else { continue };
            let mut captures = Vec::new();
            for l in free_locals(body, *inner) {
                if matches!(self.input.infer.type_of_local(l), Ty::Future(_)) {
                    if !pinned.contains(&l) {
                        pinned.push(l);
                    }
                } else {
                    captures.push(l);
                }
            }
            self.defers.site_of.insert(e, self.defers.sites.len() as u32);
            self.defers.sites.push(DeferSite { body: *inner, captures });
        }
        if self.defers.sites.is_empty() {
            return;
        }
        let list = self.new_local("defers", Type::DeferList);
        self.assign(Place::local(list), Rvalue::Use(Operand::Const(Const::NullDeferList)));
        self.defers.list = Some(list);
        for l in pinned {
            if self.locals.contains_key(&l) {
                // A parameter: it lives until the end already.
                continue;
            }
            let ty = lower_ty(self.input.db, self.input.infer.type_of_local(l));
            let name = self.input.body.locals[l].name.clone();
            let local = self.new_local(&name, ty.clone());
            self.assign(Place::local(local), Rvalue::Use(Operand::Const(Const::NullFuture(ty))));
            self.register(local);
            self.defers.pinned.insert(l, local);
            // Bound from the start, so a deferred expression finds it even on paths
            // that never reach its `let`.
            self.locals.insert(l, local);
        }
        self.defers.base = self.drops.len();
    }

    pub(super) fn lower_root(&mut self, root: ExprId) {
        self.prepare_defers(root);
        let ret_ty = self.func.ret.clone();
        let v = self.expr(root);
        // The implicit return and the exit code (defers, releases) are at the body's
        // last character (its closing brace).
        self.move_to(self.input.source_map.exprs.get(root).copied(), true);
        if ret_ty == Type::Unit {
            self.drop_val(v);
            self.emit_return(None);
        } else {
            let op = self.owned_operand(v);
            if self.current.is_some() && self.operand_ty(&op) != ret_ty {
                // No value of the declared type: a declaration without a body, which
                // the checker lets through. Calling it is a runtime error, not bad IR.
                self.drop_temp_op(&op);
                let message = format!("function `{}` has no body", self.func.name);
                self.panic_at(root, Operand::str(&message));
            } else {
                self.emit_return(Some(op));
            }
        }
        // The runners, lowered after the body: each may create the other (an `await`
        // inside a deferred expression has a cancel path).
        let mut lowered = (false, false);
        loop {
            if let (Some(entry), false) = (self.defers.return_runner, lowered.0) {
                lowered.0 = true;
                let slot = self.defers.ret_slot;
                self.lower_runner(entry, slot, Terminator::Return(slot.map(Operand::local)));
            } else if let (Some(entry), false) = (self.defers.cancel_runner, lowered.1) {
                lowered.1 = true;
                self.lower_runner(entry, None, Terminator::CancelExit);
            } else {
                break;
            }
        }
    }

    pub(super) fn emit_return(&mut self, value: Option<Operand>) {
        if self.current.is_none() {
            return;
        }
        if let Some((runner, mark)) = self.defers.running {
            // `return` inside a deferred expression ends that expression only.
            if let Some(op) = value {
                self.drop_temp_op(&op);
            }
            self.release_down_to(mark);
            self.goto(runner);
            return;
        }
        let value = value.map(|op| {
            // Keep the value in a local of its own: it must outlive every local released
            // on the way out.
            self.forget(&op);
            let ty = self.operand_ty(&op);
            let t = self.temp(ty, Rvalue::Use(op));
            Operand::local(t)
        });
        if self.defers.list.is_none() {
            self.release_down_to(0);
            self.terminate(Terminator::Return(value));
            return;
        }
        if let Some(op) = value {
            let slot = match self.defers.ret_slot {
                Some(slot) => slot,
                None => {
                    let ty = self.func.ret.clone();
                    let slot = self.new_local("ret", ty);
                    self.defers.ret_slot = Some(slot);
                    slot
                }
            };
            self.assign(Place::local(slot), Rvalue::Use(op));
        }
        self.release_down_to(self.defers.base);
        let runner = self.runner_block(|d| &mut d.return_runner);
        self.goto(runner);
    }

    /// The defer-running block selected by `slot` (for returns or for cancellation),
    /// created the first time an exit needs it.
    pub(super) fn runner_block(
        &mut self,
        slot: fn(&mut Defers) -> &mut Option<BlockId>,
    ) -> BlockId {
        if let Some(block) = *slot(&mut self.defers) {
            return block;
        }
        let block = self.new_block();
        *slot(&mut self.defers) = Some(block);
        block
    }

    pub(super) fn finish(mut self) -> Function {
        // Relative to the body's definition (see `Function::loc`), panic sites too.
        let body_line = self.input.lines.line_col(self.input.def_offset.into()).line;
        self.func.loc.line = self.def.line.saturating_sub(body_line);
        for block in &mut self.func.blocks {
            if let Terminator::Panic { loc, .. } = &mut block.term {
                loc.line = loc.line.saturating_sub(body_line);
            }
        }
        self.func
    }
}
