//! Strings (LANGUAGE.md §9.2): the methods (byte offsets, with their checks and
//! panics), `toString`, the display form of vectors, and appending in place.
//!
//! `s = s + t` and `s += t` on a string local append in place ([`UpdateOp::StrAppend`]):
//! the runtime grows a string held once with spare capacity, so building a string by
//! appending in a loop is linear.

use super::*;

impl<'a, 'b> Builder<'a, 'b> {
    /// A method of `string` (and `toString` of any printable value).
    pub(super) fn string_method(
        &mut self,
        method: BuiltinMethod,
        e: ExprId,
        receiver: ExprId,
        args: &[ExprId],
        ty: Type,
    ) -> Val {
        use BuiltinMethod as M;
        if method == M::ToString {
            let v = self.expr(receiver);
            return self.display_string(v);
        }
        let s = self.expr(receiver);
        let s = self.hold(s, args);
        let operands: Vec<Val> = (0..args.len())
            .map(|i| {
                let v = self.expr(args[i]);
                self.hold(v, &args[i + 1..])
            })
            .collect();
        let arg = |i: usize| operands[i].op();
        let value = match method {
            M::StrLen => self.runtime_value(RtOp::StrLen, vec![s.op()], ty),
            M::StrIsEmpty => {
                let len = self.new_local("len", Type::Int(IntTy::I64));
                self.push(Stmt::Runtime { dest: Some(len), op: RtOp::StrLen, args: vec![s.op()] });
                let zero = Operand::int(0, IntTy::I64);
                Val::Op(Operand::local(
                    self.temp(Type::Bool, Rvalue::Binary(BinOp::Eq, Operand::local(len), zero)),
                ))
            }
            M::StrByteAt => {
                let len = self.str_len(s.op());
                let i = arg(0);
                self.check_index_value(e, i.clone(), len);
                self.runtime_value(RtOp::StrByteAt, vec![s.op(), i], ty)
            }
            M::StrSlice => {
                let len = self.str_len(s.op());
                let (from, to) = (arg(0), arg(1));
                self.check_range(e, from.clone(), to.clone(), len);
                self.runtime_value(RtOp::StrSlice, vec![s.op(), from, to], ty)
            }
            M::StrFind => {
                let at = self.new_local("at", Type::Int(IntTy::I64));
                self.push(Stmt::Runtime {
                    dest: Some(at),
                    op: RtOp::StrFind,
                    args: vec![s.op(), arg(0)],
                });
                self.index_option(at, ty)
            }
            M::StrSplit => {
                let len = self.str_len(arg(0));
                let zero = Operand::int(0, IntTy::I64);
                let empty =
                    self.temp(Type::Bool, Rvalue::Binary(BinOp::Eq, Operand::local(len), zero));
                self.guard(Operand::local(empty), true, e, |_| {
                    Operand::str("split with an empty separator")
                });
                self.runtime_value(RtOp::StrSplit, vec![s.op(), arg(0)], ty)
            }
            M::StrRepeat => {
                let n = arg(0);
                let zero = Operand::int(0, IntTy::I64);
                let negative = self.temp(Type::Bool, Rvalue::Binary(BinOp::Lt, n.clone(), zero));
                self.guard(Operand::local(negative), true, e, |b| {
                    let parts = vec![
                        Val::Op(Operand::str("repeat count is negative: ")),
                        b.display_string(Val::Op(n.clone())),
                    ];
                    b.concat_all(parts).op()
                });
                self.runtime_value(RtOp::StrRepeat, vec![s.op(), n], ty)
            }
            _ => {
                let op = match method {
                    M::StrContains => RtOp::StrContains,
                    M::StrStartsWith => RtOp::StrStartsWith,
                    M::StrEndsWith => RtOp::StrEndsWith,
                    M::StrTrim => RtOp::StrTrim,
                    M::StrLines => RtOp::StrLines,
                    M::StrToUpper => RtOp::StrToUpper,
                    M::StrToLower => RtOp::StrToLower,
                    M::StrToInt => RtOp::StrToInt,
                    _ => RtOp::StrToFloat,
                };
                let mut ops = vec![s.op()];
                ops.extend(operands.iter().map(Val::op));
                self.runtime_value(op, ops, ty)
            }
        };
        for operand in operands {
            self.drop_val(operand);
        }
        self.drop_val(s);
        value
    }

    /// The length of the string `s`, in a new `i64` local.
    fn str_len(&mut self, s: Operand) -> LocalId {
        let len = self.new_local("len", Type::Int(IntTy::I64));
        self.push(Stmt::Runtime { dest: Some(len), op: RtOp::StrLen, args: vec![s] });
        len
    }

    /// Panics at `e` unless `0 <= i < len`, with the message of an index out of bounds.
    fn check_index_value(&mut self, e: ExprId, i: Operand, len: LocalId) {
        let below = self
            .temp(Type::Bool, Rvalue::Binary(BinOp::Lt, i.clone(), Operand::int(0, IntTy::I64)));
        let above =
            self.temp(Type::Bool, Rvalue::Binary(BinOp::Ge, i.clone(), Operand::local(len)));
        let bad = self.temp(
            Type::Bool,
            Rvalue::Binary(BinOp::BitOr, Operand::local(below), Operand::local(above)),
        );
        self.guard(Operand::local(bad), true, e, |b| {
            let parts = vec![
                Val::Op(Operand::str("index out of bounds: index ")),
                b.display_string(Val::Op(i.clone())),
                Val::Op(Operand::str(", length ")),
                b.display_string(Val::Op(Operand::local(len))),
            ];
            b.concat_all(parts).op()
        });
    }

    /// The display form of a vector: `[1, 2, 3]`, elements in their display form
    /// (strings raw).
    pub(super) fn display_vec(&mut self, v: Val) -> Val {
        let place = self.materialize(v.op());
        let text = self.new_local("text", Type::String);
        self.assign(Place::local(text), Rvalue::Use(Operand::str("[")));
        let len = self.vec_len(Operand::Copy(place.clone()));
        self.count_loop(len, |b, i, _| {
            let first = b.temp(
                Type::Bool,
                Rvalue::Binary(BinOp::Eq, Operand::local(i), Operand::int(0, IntTy::I64)),
            );
            let (sep, item) = (b.new_block(), b.new_block());
            b.terminate(Terminator::Branch {
                cond: Operand::local(first),
                then_block: item,
                else_block: sep,
            });
            b.switch_to(sep);
            b.push(Stmt::Update {
                place: Place::local(text),
                op: UpdateOp::StrAppend,
                args: vec![Operand::str(", ")],
                dest: None,
            });
            b.goto(item);
            b.switch_to(item);
            let shown = b.display_string(Val::Op(Operand::Copy(place.project(Proj::Elem(i)))));
            b.push(Stmt::Update {
                place: Place::local(text),
                op: UpdateOp::StrAppend,
                args: vec![shown.op()],
                dest: None,
            });
            b.drop_val(shown);
        });
        self.push(Stmt::Update {
            place: Place::local(text),
            op: UpdateOp::StrAppend,
            args: vec![Operand::str("]")],
            dest: None,
        });
        self.drop_val(v);
        self.register_temp(text)
    }

    /// `target = target + a + b …` or `target += a` on a string local: appends in place.
    /// Returns `false` (having done nothing) when the assignment has another form.
    pub(super) fn append_assignment(
        &mut self,
        op: Option<ArithOp>,
        target: &Place,
        place: ExprId,
        value: ExprId,
    ) -> bool {
        if self.place_ty(target) != Type::String || !target.proj.is_empty() {
            return false;
        }
        let parts = match op {
            Some(ArithOp::Add) => vec![value],
            Some(_) => return false,
            None => {
                // `s = s + a + b`: the leftmost operand of the chain of `+` is `s` itself.
                let Expr::Local(target_local) = self.input.body.exprs[place] else { return false };
                let mut parts = Vec::new();
                let mut current = value;
                loop {
                    match &self.input.body.exprs[current] {
                        Expr::Binary { op: BinaryOp::Arith(ArithOp::Add), lhs, rhs } => {
                            parts.push(*rhs);
                            current = *lhs;
                        }
                        Expr::Local(l) if *l == target_local && !parts.is_empty() => break,
                        _ => return false,
                    }
                }
                parts.reverse();
                parts
            }
        };
        for part in parts {
            let v = self.expr(part);
            self.push(Stmt::Update {
                place: target.clone(),
                op: UpdateOp::StrAppend,
                args: vec![v.op()],
                dest: None,
            });
            self.drop_val(v);
        }
        true
    }
}
