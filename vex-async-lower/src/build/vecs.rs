//! Vectors (LANGUAGE.md §9.1): construction, methods, bounds-checked elements, and
//! loops over their elements.
//!
//! A vector is a pointer to a reference-counted buffer ([`Type::Vec`]); copies share
//! it. What changes a vector goes through [`Stmt::Update`] on its place, which makes
//! the buffer unique first (copy-on-write) — and so does a write to an element, after
//! every vector on the way to it was made unique ([`Builder::make_unique_along`]).
//! Methods that call a function value (`map`, `filter`) and those that compare
//! elements (`contains`, `indexOf`) are loops in the IR, so they compile like the rest
//! of the program.

use super::*;

impl<'a, 'b> Builder<'a, 'b> {
    /// `Vec.new<T>()`, `Vec.withCapacity<T>(n)`, `Vec.from(array)`.
    pub(super) fn vec_constructor(&mut self, builtin: Builtin, args: &[ExprId], ty: Type) -> Val {
        match builtin {
            Builtin::VecWithCapacity => {
                let n = self.expr_operand(args[0]);
                self.runtime_value(RtOp::VecWithCapacity, vec![n], ty)
            }
            Builtin::VecFrom => {
                // The array's elements move into the vector.
                let array = self.expr_owned(args[0]);
                let v = self.runtime_value(RtOp::VecFromArray, vec![array.clone()], ty);
                self.forget(&array);
                v
            }
            _ => Val::Op(Operand::Const(Const::EmptyVec(ty))),
        }
    }

    /// The result of a runtime operation on `args` (borrowed), as an owned temporary.
    pub(super) fn runtime_value(&mut self, op: RtOp, args: Vec<Operand>, ty: Type) -> Val {
        let t = self.new_local("value", ty);
        self.push(Stmt::Runtime { dest: Some(t), op, args });
        self.register_temp(t)
    }

    /// The length of the vector `v`, in a new `i64` local.
    pub(super) fn vec_len(&mut self, v: Operand) -> LocalId {
        let len = self.new_local("len", Type::Int(IntTy::I64));
        self.push(Stmt::Runtime { dest: Some(len), op: RtOp::VecLen, args: vec![v] });
        len
    }

    /// Makes every vector on the way to `place` unique, outermost first, so that a
    /// write through `place` changes no other copy.
    pub(super) fn make_unique_along(&mut self, place: &Place) {
        for (k, proj) in place.proj.iter().enumerate() {
            if let Proj::Elem(_) = proj {
                let vec = Place { local: place.local, proj: place.proj[..k].to_vec() };
                self.update(vec, UpdateOp::VecMakeUnique, Vec::new(), None);
            }
        }
    }

    /// An update of the value at `place` (after making the vectors on the way to it
    /// unique).
    pub(super) fn update(
        &mut self,
        place: Place,
        op: UpdateOp,
        args: Vec<Operand>,
        dest: Option<LocalId>,
    ) {
        if place.proj.iter().any(|p| matches!(p, Proj::Elem(_))) {
            let along = place.clone();
            self.make_unique_along(&along);
        }
        self.push(Stmt::Update { place, op, args, dest });
    }

    /// A loop of `i` from 0 up to the value of `len` (an `i64` local): `body` lowers one
    /// iteration and may leave early by jumping to the exit it is given.
    pub(super) fn count_loop(
        &mut self,
        len: LocalId,
        mut body: impl FnMut(&mut Self, LocalId, BlockId),
    ) {
        let i64_ty = Type::Int(IntTy::I64);
        let index = self.temp(i64_ty, Rvalue::Use(Operand::int(0, IntTy::I64)));
        let header = self.new_block();
        let body_block = self.new_block();
        let exit = self.new_block();
        self.goto(header);
        self.switch_to(header);
        let more = self.temp(
            Type::Bool,
            Rvalue::Binary(BinOp::Lt, Operand::local(index), Operand::local(len)),
        );
        self.terminate(Terminator::Branch {
            cond: Operand::local(more),
            then_block: body_block,
            else_block: exit,
        });
        self.switch_to(body_block);
        body(self, index, exit);
        self.assign(
            Place::local(index),
            Rvalue::Binary(BinOp::Add, Operand::local(index), Operand::int(1, IntTy::I64)),
        );
        self.goto(header);
        self.switch_to(exit);
    }

    /// A method of `Vec`.
    pub(super) fn vec_method(
        &mut self,
        method: BuiltinMethod,
        e: ExprId,
        receiver: ExprId,
        args: &[ExprId],
        ty: Type,
    ) -> Val {
        use BuiltinMethod as M;
        if method.mutates() {
            let Some(place) = self.place_of(receiver) else { return UNIT };
            return self.vec_update(method, e, place, args, ty);
        }
        let (place, temp) = self.scrutinee_place(receiver);
        let v = Operand::Copy(place.clone());
        let elem = match self.place_ty(&place) {
            Type::Vec(elem) => *elem,
            _ => Type::Unit,
        };
        let value = match method {
            M::VecLen => Val::Op(Operand::local(self.vec_len(v))),
            M::VecIsEmpty => {
                let len = self.vec_len(v);
                let zero = Operand::int(0, IntTy::I64);
                Val::Op(Operand::local(
                    self.temp(Type::Bool, Rvalue::Binary(BinOp::Eq, Operand::local(len), zero)),
                ))
            }
            M::VecJoin => {
                let sep = self.expr(args[0]);
                let joined = self.runtime_value(RtOp::VecJoin, vec![v, sep.op()], Type::String);
                self.drop_val(sep);
                joined
            }
            M::VecSlice => {
                let from = self.expr_operand(args[0]);
                let to = self.expr_operand(args[1]);
                let len = self.vec_len(v.clone());
                self.check_range(e, from.clone(), to.clone(), len);
                self.runtime_value(RtOp::VecSlice, vec![v, from, to], ty)
            }
            M::VecContains | M::VecIndexOf => self.vec_search(method, &place, &elem, args[0], ty),
            M::VecMap | M::VecFilter => self.vec_map_filter(method, &place, &elem, args[0], ty),
            _ => UNIT,
        };
        if let Some(t) = temp {
            self.drop_val(Val::Temp(t));
        }
        value
    }

    /// The methods that change the vector at `place`.
    fn vec_update(
        &mut self,
        method: BuiltinMethod,
        e: ExprId,
        place: Place,
        args: &[ExprId],
        ty: Type,
    ) -> Val {
        use BuiltinMethod as M;
        let op = match method {
            M::VecPush => {
                let value = self.expr_owned(args[0]);
                self.update(place, UpdateOp::VecPush, vec![value.clone()], None);
                self.forget(&value);
                return UNIT;
            }
            M::VecPop => return self.vec_pop(e, place, ty),
            M::VecClear => UpdateOp::VecClear,
            M::VecReverse => UpdateOp::VecReverse,
            _ => UpdateOp::VecSort,
        };
        self.update(place, op, Vec::new(), None);
        UNIT
    }

    /// `v.pop()`: `Some(last)` (moved out), or `None` when `v` is empty.
    fn vec_pop(&mut self, _e: ExprId, place: Place, ty: Type) -> Val {
        let len = self.vec_len(Operand::Copy(place.clone()));
        let zero = Operand::int(0, IntTy::I64);
        let empty = self.temp(Type::Bool, Rvalue::Binary(BinOp::Eq, Operand::local(len), zero));
        let result = self.new_local("popped", ty.clone());
        let (none, some, join) = (self.new_block(), self.new_block(), self.new_block());
        self.terminate(Terminator::Branch {
            cond: Operand::local(empty),
            then_block: none,
            else_block: some,
        });
        self.switch_to(none);
        self.assign(
            Place::local(result),
            Rvalue::Aggregate(AggregateKind::Variant(ty.clone(), 1), vec![]),
        );
        self.goto(join);
        self.switch_to(some);
        let elem = match &ty {
            Type::Option(elem) => (**elem).clone(),
            _ => Type::Unit,
        };
        let value = self.new_local("last", elem);
        self.update(place, UpdateOp::VecPop, Vec::new(), Some(value));
        let kind = AggregateKind::Variant(ty, 0);
        self.assign(Place::local(result), Rvalue::Aggregate(kind, vec![Operand::local(value)]));
        self.goto(join);
        self.switch_to(join);
        self.register_temp(result)
    }

    /// Panics at `e` unless `0 <= from <= to <= len` (the range of `slice`).
    pub(super) fn check_range(&mut self, e: ExprId, from: Operand, to: Operand, len: LocalId) {
        let negative = self
            .temp(Type::Bool, Rvalue::Binary(BinOp::Lt, from.clone(), Operand::int(0, IntTy::I64)));
        let reversed = self.temp(Type::Bool, Rvalue::Binary(BinOp::Gt, from.clone(), to.clone()));
        let beyond =
            self.temp(Type::Bool, Rvalue::Binary(BinOp::Gt, to.clone(), Operand::local(len)));
        let bad = self.temp(
            Type::Bool,
            Rvalue::Binary(BinOp::BitOr, Operand::local(negative), Operand::local(reversed)),
        );
        let bad = self.temp(
            Type::Bool,
            Rvalue::Binary(BinOp::BitOr, Operand::local(bad), Operand::local(beyond)),
        );
        self.guard(Operand::local(bad), true, e, |b| {
            let parts = [
                Val::Op(Operand::str("slice out of bounds: ")),
                b.display_string(Val::Op(from.clone())),
                Val::Op(Operand::str("..")),
                b.display_string(Val::Op(to.clone())),
                Val::Op(Operand::str(", length ")),
                b.display_string(Val::Op(Operand::local(len))),
            ];
            let message = b.concat_all(parts.into());
            message.op()
        });
    }

    /// `v.contains(x)` and `v.indexOf(x)`: the elements compared with `==`, in order.
    fn vec_search(
        &mut self,
        method: BuiltinMethod,
        place: &Place,
        elem: &Type,
        needle: ExprId,
        ty: Type,
    ) -> Val {
        let needle = self.expr_owned(needle);
        let needle_place = self.materialize(needle.clone());
        let found = self.new_local("found", Type::Int(IntTy::I64));
        self.assign(Place::local(found), Rvalue::Use(Operand::int(-1, IntTy::I64)));
        let len = self.vec_len(Operand::Copy(place.clone()));
        let elem = elem.clone();
        self.count_loop(len, |b, i, exit| {
            let equal = b.equal(&elem, place.project(Proj::Elem(i)), needle_place.clone());
            let (hit, next) = (b.new_block(), b.new_block());
            b.terminate(Terminator::Branch { cond: equal, then_block: hit, else_block: next });
            b.switch_to(hit);
            b.assign(Place::local(found), Rvalue::Use(Operand::local(i)));
            b.goto(exit);
            b.switch_to(next);
        });
        self.drop_temp_op(&needle);
        let at = Operand::local(found);
        if method == BuiltinMethod::VecContains {
            let ge = Rvalue::Binary(BinOp::Ge, at, Operand::int(0, IntTy::I64));
            return Val::Op(Operand::local(self.temp(Type::Bool, ge)));
        }
        self.index_option(found, ty)
    }

    /// `Some(i)` when the `i64` local `at` is not negative, else `None`.
    pub(super) fn index_option(&mut self, at: LocalId, ty: Type) -> Val {
        let negative = self.temp(
            Type::Bool,
            Rvalue::Binary(BinOp::Lt, Operand::local(at), Operand::int(0, IntTy::I64)),
        );
        let result = self.new_local("index", ty.clone());
        let (none, some, join) = (self.new_block(), self.new_block(), self.new_block());
        self.terminate(Terminator::Branch {
            cond: Operand::local(negative),
            then_block: none,
            else_block: some,
        });
        self.switch_to(none);
        self.assign(
            Place::local(result),
            Rvalue::Aggregate(AggregateKind::Variant(ty.clone(), 1), vec![]),
        );
        self.goto(join);
        self.switch_to(some);
        let kind = AggregateKind::Variant(ty, 0);
        self.assign(Place::local(result), Rvalue::Aggregate(kind, vec![Operand::local(at)]));
        self.goto(join);
        self.switch_to(join);
        Val::Op(Operand::local(result))
    }

    /// `v.map(f)` and `v.filter(f)`: a new vector, built by calling `f` on (a copy of)
    /// each element in order.
    fn vec_map_filter(
        &mut self,
        method: BuiltinMethod,
        place: &Place,
        elem: &Type,
        f: ExprId,
        ty: Type,
    ) -> Val {
        let f = self.expr_owned(f);
        let f_place = self.materialize(f.clone());
        let len = self.vec_len(Operand::Copy(place.clone()));
        let out = self.new_local("out", ty.clone());
        let capacity = if method == BuiltinMethod::VecMap {
            Operand::local(len)
        } else {
            Operand::int(0, IntTy::I64)
        };
        self.push(Stmt::Runtime {
            dest: Some(out),
            op: RtOp::VecWithCapacity,
            args: vec![capacity],
        });
        let result_elem = match &ty {
            Type::Vec(elem) => (**elem).clone(),
            _ => Type::Unit,
        };
        let elem = elem.clone();
        self.count_loop(len, |b, i, _| {
            let element = place.project(Proj::Elem(i));
            // The calls borrow the function value.
            let callee = Operand::Copy(f_place.clone());
            let arg = b.copy_owned(element.clone(), elem.clone());
            let arg = b.owned_operand(arg);
            if method == BuiltinMethod::VecMap {
                let mapped = b.call_through(callee, vec![arg], result_elem.clone());
                let mapped = b.owned_operand(mapped);
                b.push(Stmt::Update {
                    place: Place::local(out),
                    op: UpdateOp::VecPush,
                    args: vec![mapped.clone()],
                    dest: None,
                });
                b.forget(&mapped);
            } else {
                let keep = b.call_through(callee, vec![arg], Type::Bool);
                let (yes, no) = (b.new_block(), b.new_block());
                b.terminate(Terminator::Branch {
                    cond: keep.op(),
                    then_block: yes,
                    else_block: no,
                });
                b.switch_to(yes);
                let kept = b.copy_owned(element, elem.clone());
                let kept = b.owned_operand(kept);
                b.push(Stmt::Update {
                    place: Place::local(out),
                    op: UpdateOp::VecPush,
                    args: vec![kept.clone()],
                    dest: None,
                });
                b.forget(&kept);
                b.goto(no);
                b.switch_to(no);
            }
        });
        self.drop_temp_op(&f);
        self.register_temp(out)
    }
}
