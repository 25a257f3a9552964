//! Expressions: literals, paths, aggregates, projections and places, bounds-checked
//! indexing, and the dispatch of every expression kind to its lowering.

use super::*;

impl<'a, 'b> Builder<'a, 'b> {
    pub(super) fn expr_operand(&mut self, e: ExprId) -> Operand {
        let v = self.expr(e);
        v.op()
    }

    pub(super) fn expr_owned(&mut self, e: ExprId) -> Operand {
        let v = self.expr(e);
        self.owned_operand(v)
    }

    /// Lowers `exprs` left to right into owned operands: the arguments of a call, the
    /// elements of an aggregate. Each operand is the value its expression had when it
    /// was evaluated, even when a later one assigns the same local ([`Self::hold`]).
    pub(super) fn exprs_owned(&mut self, exprs: &[ExprId]) -> Vec<Operand> {
        (0..exprs.len())
            .map(|i| {
                let v = self.expr(exprs[i]);
                let v = self.hold(v, &exprs[i + 1..]);
                self.owned_operand(v)
            })
            .collect()
    }

    /// `v`, or a copy of it when it borrows a place of a `let!` local that one of the
    /// expressions in `later` (evaluated before `v` is used) may write: in
    /// `x + { x = 5; 1 }` the left operand is the `x` from before the block.
    pub(super) fn hold(&mut self, v: Val, later: &[ExprId]) -> Val {
        let Val::Op(Operand::Copy(place)) = &v else { return v };
        if later.is_empty() {
            return v;
        }
        let Some(local) = self.locals.iter().find(|(_, l)| **l == place.local).map(|(h, _)| *h)
        else {
            return v;
        };
        let body = self.input.body;
        if !body.locals[local].mutable || !later.iter().any(|&e| captures::writes(body, e, local)) {
            return v;
        }
        let ty = self.place_ty(place);
        self.copy_owned(place.clone(), ty)
    }

    /// Lowers `e` for its value. The result may borrow a place (`Val::Op`) or be a
    /// temporary the caller must consume or drop.
    pub(super) fn expr(&mut self, e: ExprId) -> Val {
        let outer = self.move_to(self.input.source_map.exprs.get(e).copied(), false);
        let v = vex_hir::ensure_stack(|| self.expr_here(e));
        self.cur = outer;
        v
    }

    /// [`Builder::expr`] with the current location already at `e`.
    pub(super) fn expr_here(&mut self, e: ExprId) -> Val {
        let body = self.input.body;
        let ty = self.ty_of(e);
        match &body.exprs[e] {
            Expr::Missing | Expr::Unsupported(_) => UNIT,
            Expr::Recv(channel) => self.recv_expr(e, *channel, ty),
            Expr::Send { channel, value } => self.send_expr(e, *channel, *value),
            Expr::Select { arms } => self.select_expr(e, arms, ty),
            Expr::Literal(lit) => Val::Op(Operand::Const(self.literal(lit, &ty))),
            Expr::Local(l) => match self.locals.get(l) {
                Some(local) => Val::Op(Operand::local(*local)),
                None => UNIT,
            },
            Expr::Name(_) | Expr::Path { .. } => match self.input.infer.resolutions.get(e) {
                Some(Resolution::Const(loc)) => {
                    let name = vex_hir::item_tree::item_tree(self.input.db, loc.file).consts
                        [loc.index as usize]
                        .name
                        .clone();
                    let t = self.new_local("const", ty.clone());
                    self.push(Stmt::Call { dest: Some(Place::local(t)), func: name, args: vec![] });
                    self.register_temp(t)
                }
                Some(Resolution::Variant(_, index)) => {
                    let kind = AggregateKind::Variant(ty.clone(), *index);
                    let t = self.temp(ty, Rvalue::Aggregate(kind, vec![]));
                    self.register_temp(t)
                }
                Some(Resolution::BuiltinVariant(variant)) => {
                    let kind = AggregateKind::Variant(ty.clone(), variant.index());
                    let t = self.temp(ty, Rvalue::Aggregate(kind, vec![]));
                    self.register_temp(t)
                }
                Some(resolution @ (Resolution::Function(_) | Resolution::Extern(_))) => {
                    self.function_value(*resolution, ty)
                }
                _ => UNIT,
            },
            Expr::Call { callee, args } => self.call(e, *callee, args),
            Expr::MethodCall { receiver, args, .. } => {
                match self.input.infer.resolutions.get(e).copied() {
                    Some(Resolution::Function(loc)) => {
                        let mut all = vec![*receiver];
                        all.extend(args.iter().copied());
                        self.call_function(loc, &all, ty)
                    }
                    Some(Resolution::Method(method)) => {
                        self.builtin_method(method, e, *receiver, args, ty)
                    }
                    // `s.field(x)`: a field holding a function value, called.
                    Some(Resolution::Field(index)) => {
                        let callee = self.projection(*receiver, Proj::Field(index));
                        self.call_value(callee, args, ty)
                    }
                    _ => UNIT,
                }
            }
            Expr::Field { base, .. } => {
                let index = match self.input.infer.resolutions.get(e) {
                    Some(Resolution::Field(i)) => *i,
                    _ => return UNIT,
                };
                self.projection(*base, Proj::Field(index))
            }
            Expr::TupleField { base, index } => self.projection(*base, Proj::Field(*index)),
            Expr::Index { .. } => {
                if let Some(place) = self.place_of(e) {
                    return Val::Op(Operand::Copy(place));
                }
                let Expr::Index { base, index } = &body.exprs[e] else { return UNIT };
                let base_val = self.expr(*base);
                let base_op = self.owned_operand(base_val);
                let Operand::Copy(base_place) = base_op.clone() else { return UNIT };
                let place = self.checked_index(e, base_place, *index);
                let r = self.copy_owned(place, ty);
                self.drop_temp_op(&base_op);
                r
            }
            Expr::Unary { op, expr } => {
                let v = self.expr_operand(*expr);
                let op = match op {
                    UnaryOp::Neg => UnOp::Neg,
                    UnaryOp::Not => UnOp::Not,
                };
                let t = self.temp(ty, Rvalue::Unary(op, v));
                Val::Op(Operand::local(t))
            }
            Expr::Binary { op, lhs, rhs } => self.binary(e, *op, *lhs, *rhs, ty),
            Expr::Assign { op, place, value } => {
                self.assignment(e, *op, *place, *value);
                UNIT
            }
            Expr::Cast { expr, .. } => {
                let v = self.expr_operand(*expr);
                let from = self.operand_ty(&v);
                if from == ty {
                    return Val::Op(v);
                }
                let t = self.temp(ty.clone(), Rvalue::Cast(v, ty));
                Val::Op(Operand::local(t))
            }
            Expr::Await(inner) => self.await_expr(*inner, ty),
            Expr::Try(operand) => self.try_expr(*operand, ty),
            // Only the condition of `if`/`while` is a `let` (lowered there); a stray one
            // was reported.
            Expr::Let { .. } => UNIT,
            Expr::Closure { .. } => self.closure(e),
            Expr::If { cond, then_branch, else_branch } => {
                self.if_expr(*cond, *then_branch, *else_branch, ty)
            }
            Expr::While { label, cond, body: b } => {
                self.while_loop(*label, *cond, *b);
                UNIT
            }
            Expr::Loop { label, body: b } => self.loop_expr(*label, *b, ty),
            Expr::For { label, pat, iter, body: b } => {
                self.for_loop(*label, *pat, iter, *b);
                UNIT
            }
            Expr::Break { label, value } => {
                self.break_expr(*label, *value);
                UNIT
            }
            Expr::Continue { label } => {
                if let Some(i) = self.find_loop(*label) {
                    let (mark, target) = (self.loops[i].mark, self.loops[i].continue_block);
                    self.release_down_to(mark);
                    self.goto(target);
                }
                UNIT
            }
            Expr::Return(value) => {
                match value {
                    Some(v) if self.func.ret != Type::Unit => {
                        let op = self.expr_owned(*v);
                        self.emit_return(Some(op));
                    }
                    Some(v) => {
                        let val = self.expr(*v);
                        self.drop_val(val);
                        self.emit_return(None);
                    }
                    None => self.emit_return(None),
                }
                UNIT
            }
            Expr::Block { stmts, tail } => self.block(stmts, *tail, ty),
            Expr::Match { scrutinee, arms } => self.match_expr(*scrutinee, arms, ty),
            // `()` is the unit value, not an empty aggregate.
            Expr::Tuple(elems) if elems.is_empty() => UNIT,
            Expr::Tuple(elems) => {
                let ops = self.exprs_owned(elems);
                self.aggregate(AggregateKind::Tuple, ops, ty)
            }
            Expr::Array(elems) => {
                let Type::Array(elem, _) = ty.clone() else { return UNIT };
                let ops = self.exprs_owned(elems);
                self.aggregate(AggregateKind::Array(*elem), ops, ty)
            }
            Expr::ArrayRepeat { value, count } => {
                let v = self.expr_owned(*value);
                let n = count.unwrap_or(0);
                let elem_ty = self.operand_ty(&v);
                let t = self.temp(ty, Rvalue::Repeat(v.clone(), n));
                // Each copy of a string holds a reference: n copies from one.
                if self.needs_drop(&elem_ty)
                    && let Operand::Copy(p) = &v
                {
                    if n == 0 {
                        self.drop_temp_op(&v);
                    } else {
                        for _ in 1..n {
                            self.push(Stmt::Retain(p.clone()));
                        }
                        self.forget(&v);
                    }
                }
                self.register_temp(t)
            }
            Expr::StructLit { fields, .. } => {
                let Type::Struct(name) = ty.clone() else { return UNIT };
                let def = self.input.types.structs.get(&name).cloned();
                let Some(def) = def else { return UNIT };
                // Evaluate in source order, store in declaration order.
                let exprs: Vec<ExprId> = fields.iter().map(|f| f.1).collect();
                let ops = self.exprs_owned(&exprs);
                let mut values: FxHashMap<&str, Operand> =
                    fields.iter().map(|f| &*f.0).zip(ops).collect();
                let ops: Vec<Operand> = def
                    .fields
                    .iter()
                    .map(|f| values.remove(&*f.name).unwrap_or(Operand::Const(Const::Unit)))
                    .collect();
                self.aggregate(AggregateKind::Struct(name), ops, ty)
            }
            Expr::Format(pieces) => {
                let mut parts = Vec::new();
                for piece in pieces {
                    match piece {
                        FormatPiece::Text(text) => {
                            parts.push(Val::Op(Operand::Const(Const::Str(text.clone()))))
                        }
                        FormatPiece::Value(x) => {
                            let v = self.expr(*x);
                            let s = self.display_string(v);
                            parts.push(s);
                        }
                    }
                }
                self.concat_all(parts)
            }
            Expr::Go { body: inner, captures } => {
                self.go_expr(*inner, captures);
                UNIT
            }
            Expr::Defer(inner) => {
                self.register_defer(e, *inner);
                UNIT
            }
        }
    }

    /// One execution of a `defer`: push a record of its site with copies of what it
    /// captures (strings retained; the record owns them).
    pub(super) fn register_defer(&mut self, e: ExprId, _inner: ExprId) {
        let (Some(list), Some(&site)) = (self.defers.list, self.defers.site_of.get(&e)) else {
            return;
        };
        let captures = self.defers.sites[site as usize].captures.clone();
        let mut ops = Vec::new();
        let mut tys = Vec::new();
        for c in captures {
            let ty = lower_ty(self.input.db, self.input.infer.type_of_local(c));
            let op = match self.locals.get(&c).copied() {
                Some(local) if self.needs_drop(&ty) => {
                    self.copy_owned(Place::local(local), ty.clone()).op()
                }
                Some(local) => Operand::local(local),
                // Not bound on this path (an error inference already reported).
                None => return,
            };
            ops.push(op);
            tys.push(ty);
        }
        let record = if ops.is_empty() {
            Operand::Const(Const::Unit)
        } else {
            let t =
                self.temp(Type::Tuple(tys), Rvalue::Aggregate(AggregateKind::Tuple, ops.clone()));
            for op in &ops {
                self.forget(op);
            }
            Operand::local(t)
        };
        self.push(Stmt::Runtime {
            dest: Some(list),
            op: RtOp::DeferPush,
            args: vec![Operand::local(list), Operand::int(i128::from(site), IntTy::U32), record],
        });
    }

    pub(super) fn literal(&self, lit: &Literal, ty: &Type) -> Const {
        match lit {
            Literal::Int(v, _) => {
                let v = i128::from(v.unwrap_or(0));
                match ty {
                    Type::Int(int) => Const::Int(normalize(v, *int), *int),
                    Type::Float(float) => Const::Float((v as f64).to_bits(), *float),
                    _ => Const::Int(v, IntTy::I64),
                }
            }
            Literal::Float(bits, _) => {
                let float = match ty {
                    Type::Float(f) => *f,
                    _ => FloatTy::F64,
                };
                let value = f64::from_bits(*bits);
                let value = if float == FloatTy::F32 { f64::from(value as f32) } else { value };
                Const::Float(value.to_bits(), float)
            }
            Literal::Bool(b) => Const::Bool(*b),
            Literal::String(s) => Const::Str(s.clone()),
        }
    }

    pub(super) fn aggregate(&mut self, kind: AggregateKind, ops: Vec<Operand>, ty: Type) -> Val {
        let t = self.temp(ty, Rvalue::Aggregate(kind, ops.clone()));
        for op in &ops {
            self.forget(op);
        }
        self.register_temp(t)
    }

    /// A copy of `place` that owns its references (a move-only value is moved out).
    pub(super) fn copy_owned(&mut self, place: Place, ty: Type) -> Val {
        let t = self.take_from(&place, &ty);
        self.register_temp(t)
    }

    pub(super) fn projection(&mut self, base: ExprId, proj: Proj) -> Val {
        if let Some(place) = self.place_of(base) {
            return Val::Op(Operand::Copy(place.project(proj)));
        }
        let v = self.expr(base);
        let op = self.owned_operand(v);
        match op {
            Operand::Copy(place) => {
                let projected = place.project(proj);
                let ty = self.place_ty(&projected);
                let r = self.copy_owned(projected, ty);
                if self.temps.contains(&place.local) {
                    self.drop_val(Val::Temp(place.local));
                }
                r
            }
            Operand::Const(_) => UNIT,
        }
    }

    /// The place an expression denotes, when it is a local or a field/element of one.
    /// Emits the bounds check of an index.
    pub(super) fn place_of(&mut self, e: ExprId) -> Option<Place> {
        match &self.input.body.exprs[e] {
            Expr::Local(l) => self.locals.get(l).map(|l| Place::local(*l)),
            Expr::Field { base, .. } => {
                let Some(Resolution::Field(i)) = self.input.infer.resolutions.get(e).copied()
                else {
                    return None;
                };
                Some(self.place_of(*base)?.project(Proj::Field(i)))
            }
            Expr::TupleField { base, index } => {
                Some(self.place_of(*base)?.project(Proj::Field(*index)))
            }
            Expr::Index { base, index } => {
                if !self.is_place_expr(*base) {
                    return None;
                }
                let base_place = self.place_of(*base)?;
                Some(self.checked_index(e, base_place, *index))
            }
            _ => None,
        }
    }

    pub(super) fn is_place_expr(&self, e: ExprId) -> bool {
        match &self.input.body.exprs[e] {
            Expr::Local(_) => true,
            Expr::Field { base, .. } | Expr::TupleField { base, .. } | Expr::Index { base, .. } => {
                self.is_place_expr(*base)
            }
            _ => false,
        }
    }

    /// `base[index]` after checking `0 <= index < len` (panic otherwise).
    pub(super) fn checked_index(&mut self, e: ExprId, base: Place, index: ExprId) -> Place {
        let idx = self.expr_operand(index);
        self.checked_element(e, base, idx)
    }

    /// `base[idx]` (an array or a vector) after checking `0 <= idx < len` (panic at `e`
    /// otherwise, with the index and the length).
    pub(super) fn checked_element(&mut self, e: ExprId, base: Place, idx: Operand) -> Place {
        let is_vec = matches!(self.place_ty(&base), Type::Vec(_));
        let len = match self.place_ty(&base) {
            Type::Array(_, n) => Operand::int(n as i128, IntTy::I64),
            Type::Vec(_) => Operand::local(self.vec_len(Operand::Copy(base.clone()))),
            _ => Operand::int(0, IntTy::I64),
        };
        let i64_ty = Type::Int(IntTy::I64);
        let idx = if self.operand_ty(&idx) == i64_ty {
            self.temp(i64_ty.clone(), Rvalue::Use(idx))
        } else {
            self.temp(i64_ty.clone(), Rvalue::Cast(idx, i64_ty.clone()))
        };
        let below = self.temp(
            Type::Bool,
            Rvalue::Binary(BinOp::Lt, Operand::local(idx), Operand::int(0, IntTy::I64)),
        );
        let above =
            self.temp(Type::Bool, Rvalue::Binary(BinOp::Ge, Operand::local(idx), len.clone()));
        let bad = self.temp(
            Type::Bool,
            Rvalue::Binary(BinOp::BitOr, Operand::local(below), Operand::local(above)),
        );
        self.guard(Operand::local(bad), true, e, |b| {
            let text = b.new_local("index_text", Type::String);
            b.push(Stmt::Runtime {
                dest: Some(text),
                op: RtOp::StringFromI64,
                args: vec![Operand::local(idx)],
            });
            let prefix = Operand::str("index out of bounds: index ");
            let head = b.concat("panic_message", prefix, Operand::local(text));
            let length = match &len {
                Operand::Const(Const::Int(n, _)) => Operand::str(&format!(", length {n}")),
                len => {
                    let len_text = b.new_local("length_text", Type::String);
                    b.push(Stmt::Runtime {
                        dest: Some(len_text),
                        op: RtOp::StringFromI64,
                        args: vec![len.clone()],
                    });
                    let length = b.concat(
                        "panic_message",
                        Operand::str(", length "),
                        Operand::local(len_text),
                    );
                    Operand::local(length)
                }
            };
            Operand::local(b.concat("panic_message", Operand::local(head), length))
        });
        base.project(if is_vec { Proj::Elem(idx) } else { Proj::Index(idx) })
    }
}
