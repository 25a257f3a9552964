//! Control flow: blocks with their scopes, `if`, `while`, `loop` with `break` values,
//! labels, and `for` over ranges and arrays.

use super::*;

impl<'a, 'b> Builder<'a, 'b> {
    pub(super) fn block(
        &mut self,
        stmts: &[vex_hir::body::StmtId],
        tail: Option<ExprId>,
        ty: Type,
    ) -> Val {
        self.push_scope();
        for &s in stmts {
            let outer = self.move_to(self.input.source_map.stmts.get(s).copied(), false);
            match &self.input.body.stmts[s] {
                HirStmt::Let { pat, init, .. } => {
                    if let Some(init) = *init {
                        self.let_binding(*pat, init);
                    }
                }
                HirStmt::Expr(x) => {
                    let v = self.expr(*x);
                    self.drop_val(v);
                }
            }
            self.cur = outer;
        }
        let result = match tail {
            Some(t) if ty != Type::Unit => {
                let op = self.expr_owned(t);
                self.forget(&op);
                Some(op)
            }
            Some(t) => {
                let v = self.expr(t);
                self.drop_val(v);
                None
            }
            None => None,
        };
        // The tail must outlive the block's locals: copy it out before they go.
        let result = result.map(|op| {
            let ty = self.operand_ty(&op);
            self.temp(ty, Rvalue::Use(op))
        });
        self.pop_scope();
        match result {
            Some(t) => self.register_temp(t),
            None => UNIT,
        }
    }

    pub(super) fn if_expr(
        &mut self,
        cond: ExprId,
        then_branch: ExprId,
        else_branch: Option<ExprId>,
        ty: Type,
    ) -> Val {
        let then_block = self.new_block();
        let else_block = self.new_block();
        let join = self.new_block();
        // `if let`: the test of the pattern, whose bindings the branch sees.
        let mut scrutinee = None;
        match &self.input.body.exprs[cond] {
            Expr::Let { pat, expr } => {
                let (pat, expr) = (*pat, *expr);
                let (place, temp) = self.scrutinee_place(expr);
                self.test_pat(pat, &place, else_block);
                self.goto(then_block);
                scrutinee = Some((pat, place, temp));
            }
            _ => {
                let c = self.expr_operand(cond);
                self.terminate(Terminator::Branch { cond: c, then_block, else_block });
            }
        }
        let result = if ty == Type::Unit { None } else { Some(self.new_local("if", ty)) };
        let mut reached = false;
        for (block, branch) in [(then_block, Some(then_branch)), (else_block, else_branch)] {
            self.switch_to(block);
            let bound = block == then_block && scrutinee.is_some();
            if bound && let Some((pat, place, _)) = &scrutinee {
                self.push_scope();
                let (pat, place) = (*pat, place.clone());
                self.bind_pat(pat, &place);
            }
            match (branch, result) {
                (Some(b), Some(r)) => {
                    let v = self.expr_owned(b);
                    self.assign(Place::local(r), Rvalue::Use(v.clone()));
                    self.forget(&v);
                }
                (Some(b), None) => {
                    let v = self.expr(b);
                    self.drop_val(v);
                }
                (None, _) => {}
            }
            if bound {
                self.pop_scope();
            }
            reached |= self.goto(join);
        }
        if reached {
            self.switch_to(join);
        }
        if let Some((_, _, Some(temp))) = scrutinee {
            self.drop_val(Val::Temp(temp));
        }
        match result {
            Some(r) => self.register_temp(r),
            None => UNIT,
        }
    }

    pub(super) fn find_loop(&self, label: Option<LabelId>) -> Option<usize> {
        match label {
            None => self.loops.len().checked_sub(1),
            Some(l) => self.loops.iter().rposition(|c| c.label == Some(l)),
        }
    }

    pub(super) fn break_expr(&mut self, label: Option<LabelId>, value: Option<ExprId>) {
        let Some(i) = self.find_loop(label) else { return };
        if let Some(v) = value {
            match self.loops[i].result {
                Some(r) => {
                    let op = self.expr_owned(v);
                    self.assign(Place::local(r), Rvalue::Use(op.clone()));
                    self.forget(&op);
                }
                None => {
                    let val = self.expr(v);
                    self.drop_val(val);
                }
            }
        }
        let (mark, target) = (self.loops[i].mark, self.loops[i].break_block);
        self.release_down_to(mark);
        if self.goto(target) {
            self.loops[i].broken = true;
        }
    }

    pub(super) fn while_loop(&mut self, label: Option<LabelId>, cond: ExprId, body: ExprId) {
        let header = self.new_block();
        let body_block = self.new_block();
        let exit = self.new_block();
        // `break` and `continue` release what the body and a `while let`'s scrutinee hold.
        let mark = self.drops.len();
        self.goto(header);
        self.switch_to(header);
        let scrutinee = match &self.input.body.exprs[cond] {
            Expr::Let { pat, expr } => {
                // `while let`: each iteration tests a new value; when it does not match,
                // the value is released on the way out.
                let (pat, expr) = (*pat, *expr);
                let (place, temp) = self.scrutinee_place(expr);
                let no_match = self.new_block();
                self.test_pat(pat, &place, no_match);
                self.goto(body_block);
                self.switch_to(no_match);
                if let Some(temp) = temp {
                    self.push(Stmt::Release(Place::local(temp)));
                }
                self.goto(exit);
                Some((pat, place, temp))
            }
            _ => {
                let c = self.expr_operand(cond);
                self.terminate(Terminator::Branch {
                    cond: c,
                    then_block: body_block,
                    else_block: exit,
                });
                None
            }
        };
        self.switch_to(body_block);
        self.loops.push(LoopCtx {
            label,
            break_block: exit,
            continue_block: header,
            result: None,
            mark,
            broken: false,
        });
        if let Some((pat, place, _)) = &scrutinee {
            self.push_scope();
            let (pat, place) = (*pat, place.clone());
            self.bind_pat(pat, &place);
        }
        let v = self.expr(body);
        self.drop_val(v);
        if scrutinee.is_some() {
            self.pop_scope();
        }
        if let Some((_, _, Some(temp))) = scrutinee {
            self.drop_val(Val::Temp(temp));
        }
        self.goto(header);
        self.loops.pop();
        self.switch_to(exit);
    }

    pub(super) fn loop_expr(&mut self, label: Option<LabelId>, body: ExprId, ty: Type) -> Val {
        let body_block = self.new_block();
        let exit = self.new_block();
        let result = if ty == Type::Unit { None } else { Some(self.new_local("loop", ty)) };
        self.goto(body_block);
        self.switch_to(body_block);
        self.loops.push(LoopCtx {
            label,
            break_block: exit,
            continue_block: body_block,
            result,
            mark: self.drops.len(),
            broken: false,
        });
        let v = self.expr(body);
        self.drop_val(v);
        self.goto(body_block);
        let ctx = self.loops.pop();
        if ctx.is_some_and(|c| c.broken) {
            self.switch_to(exit);
        }
        match result {
            Some(r) => self.register_temp(r),
            None => UNIT,
        }
    }

    /// The part of a `for` loop every iteration kind shares: branch on `cond` into the
    /// body or out, bind the loop variable to the place `element` gives (made in the
    /// body, inside the iteration's scope), lower the body as a loop whose `continue`
    /// goes to the step block, and leave the builder in the step block.
    pub(super) fn for_iteration(
        &mut self,
        cond: LocalId,
        blocks: ForBlocks,
        label: Option<LabelId>,
        pat: PatId,
        body: ExprId,
        element: impl FnOnce(&mut Self) -> Place,
    ) {
        self.terminate(Terminator::Branch {
            cond: Operand::local(cond),
            then_block: blocks.body,
            else_block: blocks.exit,
        });
        self.switch_to(blocks.body);
        self.loops.push(LoopCtx {
            label,
            break_block: blocks.exit,
            continue_block: blocks.step,
            result: None,
            mark: self.drops.len(),
            broken: false,
        });
        self.push_scope();
        let element = element(self);
        self.bind_pat(pat, &element);
        let v = self.expr(body);
        self.drop_val(v);
        self.pop_scope();
        self.goto(blocks.step);
        self.loops.pop();
        self.switch_to(blocks.step);
    }

    pub(super) fn for_loop(
        &mut self,
        label: Option<LabelId>,
        pat: PatId,
        iter: &ForIter,
        body: ExprId,
    ) {
        match iter {
            ForIter::Range { start, end, inclusive } => {
                let start_op = self.expr_operand(*start);
                let ty = self.operand_ty(&start_op);
                let Type::Int(int) = ty.clone() else { return };
                let counter = self.temp(ty.clone(), Rvalue::Use(start_op));
                let end_op = self.expr_operand(*end);
                let end_local = self.temp(ty.clone(), Rvalue::Use(end_op));
                let header = self.new_block();
                let body_block = self.new_block();
                let step = self.new_block();
                let exit = self.new_block();
                self.goto(header);
                self.switch_to(header);
                let cmp = if *inclusive { BinOp::Le } else { BinOp::Lt };
                let c = self.temp(
                    Type::Bool,
                    Rvalue::Binary(cmp, Operand::local(counter), Operand::local(end_local)),
                );
                let blocks = ForBlocks { body: body_block, step, exit };
                self.for_iteration(c, blocks, label, pat, body, |_| Place::local(counter));
                if *inclusive {
                    // Stop at the bound before stepping, so `..=MAX` does not wrap.
                    let last = self.temp(
                        Type::Bool,
                        Rvalue::Binary(
                            BinOp::Eq,
                            Operand::local(counter),
                            Operand::local(end_local),
                        ),
                    );
                    let inc = self.new_block();
                    self.terminate(Terminator::Branch {
                        cond: Operand::local(last),
                        then_block: exit,
                        else_block: inc,
                    });
                    self.switch_to(inc);
                }
                self.assign(
                    Place::local(counter),
                    Rvalue::Binary(BinOp::Add, Operand::local(counter), Operand::int(1, int)),
                );
                self.goto(header);
                self.switch_to(exit);
            }
            ForIter::Array(array) => {
                // The array or vector as it is when the loop starts (a vector of
                // move-only values moves into the loop, which takes its elements).
                let op = self.expr_owned(*array);
                if matches!(self.operand_ty(&op), Type::Channel(_)) {
                    self.for_channel(op.clone(), label, pat, body);
                    self.drop_temp_op(&op);
                    return;
                }
                let place = self.materialize(op.clone());
                let (len, is_vec) = match self.place_ty(&place) {
                    Type::Array(_, n) => (Operand::int(n as i128, IntTy::I64), false),
                    Type::Vec(_) => (Operand::local(self.vec_len(op.clone())), true),
                    _ => (Operand::int(0, IntTy::I64), false),
                };
                let i64_ty = Type::Int(IntTy::I64);
                let index = self.temp(i64_ty, Rvalue::Use(Operand::int(0, IntTy::I64)));
                let header = self.new_block();
                let body_block = self.new_block();
                let step = self.new_block();
                let exit = self.new_block();
                self.goto(header);
                self.switch_to(header);
                let c =
                    self.temp(Type::Bool, Rvalue::Binary(BinOp::Lt, Operand::local(index), len));
                let blocks = ForBlocks { body: body_block, step, exit };
                let element =
                    place.project(if is_vec { Proj::Elem(index) } else { Proj::Index(index) });
                self.for_iteration(c, blocks, label, pat, body, |_| element);
                self.assign(
                    Place::local(index),
                    Rvalue::Binary(BinOp::Add, Operand::local(index), Operand::int(1, IntTy::I64)),
                );
                self.goto(header);
                self.switch_to(exit);
                if let Operand::Copy(p) = &op
                    && self.temps.contains(&p.local)
                {
                    self.drop_val(Val::Temp(p.local));
                }
            }
        }
    }
}
