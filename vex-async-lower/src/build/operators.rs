//! Operators: arithmetic with its division checks, comparisons (strings through the
//! runtime), structural equality of aggregates and enums, and assignments.

use super::*;

impl<'a, 'b> Builder<'a, 'b> {
    pub(super) fn binary(
        &mut self,
        e: ExprId,
        op: BinaryOp,
        lhs: ExprId,
        rhs: ExprId,
        ty: Type,
    ) -> Val {
        match op {
            BinaryOp::Coalesce => self.coalesce(lhs, rhs, ty),
            BinaryOp::And | BinaryOp::Or => {
                let result = self.new_local("cond", Type::Bool);
                let a = self.expr_operand(lhs);
                self.assign(Place::local(result), Rvalue::Use(a));
                let rhs_block = self.new_block();
                let join = self.new_block();
                let (then_block, else_block) =
                    if op == BinaryOp::And { (rhs_block, join) } else { (join, rhs_block) };
                self.terminate(Terminator::Branch {
                    cond: Operand::local(result),
                    then_block,
                    else_block,
                });
                self.switch_to(rhs_block);
                let b = self.expr_operand(rhs);
                self.assign(Place::local(result), Rvalue::Use(b));
                self.goto(join);
                self.switch_to(join);
                Val::Op(Operand::local(result))
            }
            BinaryOp::Cmp(cmp) => {
                let a = self.expr(lhs);
                let a = self.hold(a, &[rhs]);
                let b = self.expr(rhs);
                let r = self.compare(cmp, a.op(), b.op());
                self.drop_val(b);
                self.drop_val(a);
                Val::Op(r)
            }
            BinaryOp::Arith(arith) => {
                let a = self.expr(lhs);
                let a = self.hold(a, &[rhs]);
                let b = self.expr(rhs);
                let r = self.arith(e, arith, a.op(), b.op(), ty);
                self.drop_val(b);
                self.drop_val(a);
                r
            }
        }
    }

    pub(super) fn arith(
        &mut self,
        e: ExprId,
        op: ArithOp,
        a: Operand,
        b: Operand,
        ty: Type,
    ) -> Val {
        if ty == Type::String {
            let t = self.concat("text", a, b);
            return self.register_temp(t);
        }
        let bin = match op {
            ArithOp::Add => BinOp::Add,
            ArithOp::Sub => BinOp::Sub,
            ArithOp::Mul => BinOp::Mul,
            ArithOp::Div => BinOp::Div,
            ArithOp::Rem => BinOp::Rem,
            ArithOp::BitAnd => BinOp::BitAnd,
            ArithOp::BitOr => BinOp::BitOr,
            ArithOp::BitXor => BinOp::BitXor,
            ArithOp::Shl => BinOp::Shl,
            ArithOp::Shr => BinOp::Shr,
        };
        if let (BinOp::Div | BinOp::Rem, Type::Int(int)) = (bin, &ty) {
            let zero =
                self.temp(Type::Bool, Rvalue::Binary(BinOp::Eq, b.clone(), Operand::int(0, *int)));
            let message = if bin == BinOp::Div { "division by zero" } else { "remainder by zero" };
            self.guard(Operand::local(zero), true, e, |_| Operand::str(message));
        }
        let t = self.temp(ty, Rvalue::Binary(bin, a, b));
        Val::Op(Operand::local(t))
    }

    pub(super) fn compare(&mut self, cmp: CmpOp, a: Operand, b: Operand) -> Operand {
        let bin = match cmp {
            CmpOp::Eq => BinOp::Eq,
            CmpOp::Ne => BinOp::Ne,
            CmpOp::Lt => BinOp::Lt,
            CmpOp::Le => BinOp::Le,
            CmpOp::Gt => BinOp::Gt,
            CmpOp::Ge => BinOp::Ge,
        };
        let ty = self.operand_ty(&a);
        match &ty {
            Type::String => {
                let c = self.new_local("order", Type::Int(IntTy::I32));
                self.push(Stmt::Runtime {
                    dest: Some(c),
                    op: RtOp::StringCompare,
                    args: vec![a, b],
                });
                let t = self.temp(
                    Type::Bool,
                    Rvalue::Binary(bin, Operand::local(c), Operand::int(0, IntTy::I32)),
                );
                Operand::local(t)
            }
            Type::Struct(_)
            | Type::Tuple(_)
            | Type::Enum(_)
            | Type::Array(..)
            | Type::Option(_)
            | Type::Result(..)
            | Type::Vec(_) => {
                let a = self.materialize(a);
                let b = self.materialize(b);
                let eq = self.equal(&ty, a, b);
                if bin == BinOp::Ne {
                    let t = self.temp(Type::Bool, Rvalue::Unary(UnOp::Not, eq));
                    Operand::local(t)
                } else {
                    eq
                }
            }
            Type::Unit => {
                Operand::Const(Const::Bool(matches!(cmp, CmpOp::Eq | CmpOp::Le | CmpOp::Ge)))
            }
            _ => {
                let t = self.temp(Type::Bool, Rvalue::Binary(bin, a, b));
                Operand::local(t)
            }
        }
    }

    pub(super) fn materialize(&mut self, op: Operand) -> Place {
        match op {
            Operand::Copy(place) => place,
            Operand::Const(c) => {
                let ty = c.ty();
                Place::local(self.temp(ty, Rvalue::Use(Operand::Const(c))))
            }
        }
    }

    /// Structural equality of two places of type `ty`: field by field for tuples and
    /// structs, element by element for arrays, and for enums the tags and then the
    /// payloads of the variant both hold (a `Switch` on the tag); strings compare
    /// through the runtime. Produces a `bool` operand.
    pub(super) fn equal(&mut self, ty: &Type, a: Place, b: Place) -> Operand {
        let fields: Vec<Proj> = match ty {
            Type::Tuple(elems) => (0..elems.len() as u32).map(Proj::Field).collect(),
            Type::Struct(name) => {
                (0..self.input.types.structs[name].fields.len() as u32).map(Proj::Field).collect()
            }
            Type::Enum(_) | Type::Option(_) | Type::Result(..) => return self.enum_equal(ty, a, b),
            Type::Vec(_) => return self.vec_equal(a, b),
            Type::Array(_, n) => {
                // Element by element through index locals.
                let mut acc = Operand::Const(Const::Bool(true));
                for i in 0..*n {
                    let idx = self.temp(
                        Type::Int(IntTy::I64),
                        Rvalue::Use(Operand::int(i as i128, IntTy::I64)),
                    );
                    let e = self.compare(
                        CmpOp::Eq,
                        Operand::Copy(a.project(Proj::Index(idx))),
                        Operand::Copy(b.project(Proj::Index(idx))),
                    );
                    let t = self.temp(Type::Bool, Rvalue::Binary(BinOp::BitAnd, acc, e));
                    acc = Operand::local(t);
                }
                return acc;
            }
            _ => return self.compare(CmpOp::Eq, Operand::Copy(a), Operand::Copy(b)),
        };
        let mut acc = Operand::Const(Const::Bool(true));
        for proj in fields {
            let e = self.compare(
                CmpOp::Eq,
                Operand::Copy(a.project(proj.clone())),
                Operand::Copy(b.project(proj)),
            );
            let t = self.temp(Type::Bool, Rvalue::Binary(BinOp::BitAnd, acc, e));
            acc = Operand::local(t);
        }
        acc
    }

    /// Vector equality: equal lengths, then equal elements, in order.
    fn vec_equal(&mut self, a: Place, b: Place) -> Operand {
        let result = self.new_local("equal", Type::Bool);
        let la = self.vec_len(Operand::Copy(a.clone()));
        let lb = self.vec_len(Operand::Copy(b.clone()));
        let same = self
            .temp(Type::Bool, Rvalue::Binary(BinOp::Eq, Operand::local(la), Operand::local(lb)));
        self.assign(Place::local(result), Rvalue::Use(Operand::local(same)));
        let (elements, join) = (self.new_block(), self.new_block());
        self.terminate(Terminator::Branch {
            cond: Operand::local(same),
            then_block: elements,
            else_block: join,
        });
        self.switch_to(elements);
        self.count_loop(la, |builder, i, exit| {
            let same_elem = builder.compare(
                CmpOp::Eq,
                Operand::Copy(a.project(Proj::Elem(i))),
                Operand::Copy(b.project(Proj::Elem(i))),
            );
            builder.assign(Place::local(result), Rvalue::Use(same_elem));
            let next = builder.new_block();
            builder.terminate(Terminator::Branch {
                cond: Operand::local(result),
                then_block: next,
                else_block: exit,
            });
            builder.switch_to(next);
        });
        self.goto(join);
        self.switch_to(join);
        Operand::local(result)
    }

    /// Enum equality (user enums, `Option`, `Result`): equal tags, then (switching on
    /// the tag) equal payload fields of that variant. Payload projections are only read
    /// once the tag is known.
    pub(super) fn enum_equal(&mut self, ty: &Type, a: Place, b: Place) -> Operand {
        let variants = self.input.types.variants(ty).unwrap_or_default();
        let result = self.new_local("equal", Type::Bool);
        let da = self.temp(Type::Int(ENUM_TAG), Rvalue::Discriminant(a.clone()));
        let db = self.temp(Type::Int(ENUM_TAG), Rvalue::Discriminant(b.clone()));
        let same = self
            .temp(Type::Bool, Rvalue::Binary(BinOp::Eq, Operand::local(da), Operand::local(db)));
        self.assign(Place::local(result), Rvalue::Use(Operand::local(same)));
        let with_payload: Vec<u32> = variants
            .iter()
            .enumerate()
            .filter(|(_, fields)| !fields.is_empty())
            .map(|(i, _)| i as u32)
            .collect();
        if with_payload.is_empty() {
            return Operand::local(result);
        }
        let payloads = self.new_block();
        let join = self.new_block();
        self.terminate(Terminator::Branch {
            cond: Operand::local(same),
            then_block: payloads,
            else_block: join,
        });
        self.switch_to(payloads);
        let blocks: Vec<BlockId> = with_payload.iter().map(|_| self.new_block()).collect();
        self.terminate(Terminator::Switch {
            value: Operand::local(da),
            cases: with_payload.iter().zip(&blocks).map(|(v, b)| (i128::from(*v), *b)).collect(),
            default: join,
        });
        for (variant, block) in with_payload.into_iter().zip(blocks) {
            self.switch_to(block);
            let mut acc = Operand::Const(Const::Bool(true));
            for field in 0..variants[variant as usize].len() as u32 {
                let proj = Proj::Payload { variant, field };
                let e = self.compare(
                    CmpOp::Eq,
                    Operand::Copy(a.project(proj.clone())),
                    Operand::Copy(b.project(proj)),
                );
                let t = self.temp(Type::Bool, Rvalue::Binary(BinOp::BitAnd, acc, e));
                acc = Operand::local(t);
            }
            self.assign(Place::local(result), Rvalue::Use(acc));
            self.goto(join);
        }
        self.switch_to(join);
        Operand::local(result)
    }

    pub(super) fn assignment(
        &mut self,
        e: ExprId,
        op: Option<ArithOp>,
        place: ExprId,
        value: ExprId,
    ) {
        let Some(target) = self.place_of(place) else {
            let v = self.expr(value);
            self.drop_val(v);
            return;
        };
        if self.append_assignment(op, &target, place, value) {
            return;
        }
        // A write into a vector's element writes into a buffer of its own.
        self.make_unique_along(&target);
        let ty = self.place_ty(&target);
        let new = match op {
            None => self.expr_owned(value),
            Some(arith) => {
                let rhs = self.expr(value);
                let r = self.arith(e, arith, Operand::Copy(target.clone()), rhs.op(), ty.clone());
                self.drop_val(rhs);
                self.owned_operand(r)
            }
        };
        if self.needs_drop(&ty) {
            self.push(Stmt::Release(target.clone()));
        }
        self.assign(target, Rvalue::Use(new.clone()));
        self.forget(&new);
    }
}
