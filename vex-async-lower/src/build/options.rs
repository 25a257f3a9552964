//! `Option` and `Result` (LANGUAGE.md §8): `e?` as a test of the tag and an early
//! return that runs pending defers, `a ?? b`, `if let`/`while let` scrutinees, and the
//! methods that do not call a function value.
//!
//! Both types are laid out like user enums (tag 0 is `Some`/`Ok`, tag 1 `None`/`Err`),
//! so matching them goes through the ordinary pattern code. Moving a value out of a
//! payload ([`Builder::copy_owned`]) copies it and retains what it refers to, except
//! move-only values, which are moved (the source is cleared): the enum that held them
//! is released as usual afterwards.

use super::*;

/// The tag of `Some` and `Ok`.
const FIRST: u32 = 0;
/// The tag of `None` and `Err`.
const SECOND: u32 = 1;

impl<'a, 'b> Builder<'a, 'b> {
    /// The place a scrutinee (of `match`, `if let`, `while let`) is read from, and the
    /// temporary that holds it when it is not a place of the program (to be dropped
    /// after the construct).
    pub(super) fn scrutinee_place(&mut self, scrutinee: ExprId) -> (Place, Option<LocalId>) {
        match self.place_of(scrutinee) {
            Some(p) if self.is_place_expr(scrutinee) => (p, None),
            _ => {
                let op = self.expr_owned(scrutinee);
                let place = self.materialize(op.clone());
                let temp = match &op {
                    Operand::Copy(p) if self.temps.contains(&p.local) => Some(p.local),
                    _ => None,
                };
                (place, temp)
            }
        }
    }

    /// Whether the enum-like value at `place` holds its first variant (`Some`, `Ok`).
    fn holds_first(&mut self, place: &Place) -> Operand {
        let tag = self.temp(Type::Int(ENUM_TAG), Rvalue::Discriminant(place.clone()));
        let first = Operand::int(i128::from(FIRST), ENUM_TAG);
        Operand::local(self.temp(Type::Bool, Rvalue::Binary(BinOp::Eq, Operand::local(tag), first)))
    }

    /// `e?`: the payload of a `Some`/`Ok`; on `None`/`Err` the function returns `None`
    /// or `Err(payload)` of its own result type, through the ordinary exit (releasing
    /// what is held, running pending defers).
    pub(super) fn try_expr(&mut self, operand: ExprId, ty: Type) -> Val {
        let (place, temp) = self.scrutinee_place(operand);
        let operand_ty = self.place_ty(&place);
        let is_first = self.holds_first(&place);
        let ok = self.new_block();
        let early = self.new_block();
        self.terminate(Terminator::Branch { cond: is_first, then_block: ok, else_block: early });

        self.switch_to(early);
        let ret_ty = self.func.ret.clone();
        let payload = match &operand_ty {
            Type::Result(_, err) => {
                let err_place = place.project(Proj::Payload { variant: SECOND, field: 0 });
                vec![self.copy_owned(err_place, (**err).clone())]
            }
            _ => Vec::new(),
        };
        let ops: Vec<Operand> = payload.into_iter().map(|v| self.owned_operand(v)).collect();
        let early_value =
            self.aggregate(AggregateKind::Variant(ret_ty.clone(), SECOND), ops, ret_ty);
        let early_value = self.owned_operand(early_value);
        self.emit_return(Some(early_value));

        self.switch_to(ok);
        let value_place = place.project(Proj::Payload { variant: FIRST, field: 0 });
        let value = self.copy_owned(value_place, ty);
        if let Some(t) = temp {
            self.drop_val(Val::Temp(t));
        }
        value
    }

    /// `a ?? b`: the payload of `a` if it is a `Some`/`Ok`, else `b` (evaluated either
    /// way, after `a`).
    pub(super) fn coalesce(&mut self, lhs: ExprId, rhs: ExprId, ty: Type) -> Val {
        let (place, temp) = self.scrutinee_place(lhs);
        let fallback = self.expr_owned(rhs);
        let value = self.select_payload(&place, Some(fallback), ty);
        if let Some(t) = temp {
            self.drop_val(Val::Temp(t));
        }
        value
    }

    /// The methods of `Option` and `Result` that take no function value.
    pub(super) fn option_method(
        &mut self,
        method: BuiltinMethod,
        receiver: ExprId,
        args: &[ExprId],
        ty: Type,
    ) -> Val {
        use BuiltinMethod as M;
        let (place, temp) = self.scrutinee_place(receiver);
        let receiver_ty = self.place_ty(&place);
        let value = match method {
            M::OptionIsSome | M::ResultIsOk | M::OptionIsNone | M::ResultIsErr => {
                let is_first = self.holds_first(&place);
                if matches!(method, M::OptionIsSome | M::ResultIsOk) {
                    Val::Op(is_first)
                } else {
                    Val::Op(Operand::local(
                        self.temp(Type::Bool, Rvalue::Unary(UnOp::Not, is_first)),
                    ))
                }
            }
            M::OptionOr | M::ResultOr => {
                // The fallback is evaluated either way, like `??`.
                let fallback = self.expr_owned(args[0]);
                self.select_payload(&place, Some(fallback), ty)
            }
            M::OptionOkOr => {
                // `Some(v)` → `Ok(v)`, `None` → `Err(e)`.
                let error = self.expr_owned(args[0]);
                self.convert(&place, &receiver_ty, ty, [Some((FIRST, FIRST)), None], Some(error))
            }
            M::ResultOk => {
                self.convert(&place, &receiver_ty, ty, [Some((FIRST, FIRST)), None], None)
            }
            M::ResultErr => {
                self.convert(&place, &receiver_ty, ty, [None, Some((SECOND, FIRST))], None)
            }
            _ => UNIT,
        };
        if let Some(t) = temp {
            self.drop_val(Val::Temp(t));
        }
        value
    }

    /// The methods of `Option` and `Result` that call a function value: `map`,
    /// `andThen`, `mapErr`, `orElse`, `filter`. The function is evaluated once, called
    /// (borrowed) on at most one path, and released after the paths join.
    pub(super) fn option_call_method(
        &mut self,
        method: BuiltinMethod,
        receiver: ExprId,
        args: &[ExprId],
        ty: Type,
    ) -> Val {
        use BuiltinMethod as M;
        let (place, temp) = self.scrutinee_place(receiver);
        let receiver_ty = self.place_ty(&place);
        let variants = self.input.types.variants(&receiver_ty).unwrap_or_default();
        let payload_ty = |v: usize| variants[v].first().cloned().unwrap_or(Type::Unit);
        let f = self.expr_owned(args[0]);
        let result = self.new_local("result", ty.clone());
        let is_first = self.holds_first(&place);
        let blocks = [self.new_block(), self.new_block()];
        let join = self.new_block();
        self.terminate(Terminator::Branch {
            cond: is_first,
            then_block: blocks[0],
            else_block: blocks[1],
        });
        // For each variant of the receiver: call `f` on its payload (wrapping the result
        // in variant `Some(w)` of the result type, or taking it as the result when
        // `None`), or pass the payload on (into variant `w`, or as the result).
        enum Arm {
            Call(Option<u32>),
            Pass(Option<u32>),
        }
        let arms = match method {
            M::OptionMap | M::ResultMap => [Arm::Call(Some(FIRST)), Arm::Pass(Some(SECOND))],
            M::OptionAndThen | M::ResultAndThen => [Arm::Call(None), Arm::Pass(Some(SECOND))],
            M::ResultMapErr => [Arm::Pass(Some(FIRST)), Arm::Call(Some(SECOND))],
            M::OptionOrElse | M::ResultOrElse => [Arm::Pass(None), Arm::Call(None)],
            // `filter` decides with a call on a copy, then passes the payload on or not.
            _ => [Arm::Pass(Some(FIRST)), Arm::Pass(Some(SECOND))],
        };
        for (v, (block, arm)) in blocks.into_iter().zip(arms).enumerate() {
            self.switch_to(block);
            let payload = place.project(Proj::Payload { variant: v as u32, field: 0 });
            let has_payload = !variants[v].is_empty();
            let value = match arm {
                Arm::Call(wrap) => {
                    let args = if has_payload {
                        let value = self.copy_owned(payload, payload_ty(v));
                        vec![self.owned_operand(value)]
                    } else {
                        Vec::new()
                    };
                    let call_ty = match wrap {
                        Some(w) => {
                            let results = self.input.types.variants(&ty).unwrap_or_default();
                            results[w as usize].first().cloned().unwrap_or(Type::Unit)
                        }
                        None => ty.clone(),
                    };
                    let called = self.call_through(f.clone(), args, call_ty);
                    let called = self.owned_operand(called);
                    match wrap {
                        Some(w) => self.wrap_variant(&ty, w, vec![called]),
                        None => called,
                    }
                }
                Arm::Pass(wrap) => {
                    let keep = method == M::OptionFilter && v == FIRST as usize;
                    if keep {
                        // `filter`: ask `f` about a copy.
                        let copy = self.copy_owned(payload.clone(), payload_ty(v));
                        let copy = self.owned_operand(copy);
                        let verdict = self.call_through(f.clone(), vec![copy], Type::Bool);
                        let (yes, no) = (self.new_block(), self.new_block());
                        self.terminate(Terminator::Branch {
                            cond: verdict.op(),
                            then_block: yes,
                            else_block: no,
                        });
                        self.switch_to(no);
                        let none = self.wrap_variant(&ty, SECOND, Vec::new());
                        self.assign(Place::local(result), Rvalue::Use(none));
                        self.goto(join);
                        self.switch_to(yes);
                    }
                    let ops = if has_payload {
                        let value = self.copy_owned(payload, payload_ty(v));
                        vec![self.owned_operand(value)]
                    } else {
                        Vec::new()
                    };
                    match wrap {
                        Some(w) => self.wrap_variant(&ty, w, ops),
                        None => ops.into_iter().next().unwrap_or(Operand::Const(Const::Unit)),
                    }
                }
            };
            self.assign(Place::local(result), Rvalue::Use(value.clone()));
            self.forget(&value);
            self.goto(join);
        }
        self.switch_to(join);
        self.drop_temp_op(&f);
        if let Some(t) = temp {
            self.drop_val(Val::Temp(t));
        }
        self.register_temp(result)
    }

    /// Variant `variant` of the enum-like type `ty` holding `ops` (moved in), as an
    /// owned operand.
    fn wrap_variant(&mut self, ty: &Type, variant: u32, ops: Vec<Operand>) -> Operand {
        let value = self.aggregate(AggregateKind::Variant(ty.clone(), variant), ops, ty.clone());
        self.owned_operand(value)
    }

    /// Releases `op` on the current path when it is a temporary, leaving it on the drop
    /// stack (another path consumes it).
    fn release_if_temp(&mut self, op: &Operand) {
        if let Operand::Copy(p) = op
            && p.proj.is_empty()
            && self.temps.contains(&p.local)
        {
            self.push(Stmt::Release(p.clone()));
        }
    }

    /// The payload of the first variant at `place`, else `fallback` (moved).
    fn select_payload(&mut self, place: &Place, fallback: Option<Operand>, ty: Type) -> Val {
        let fallback = fallback.unwrap_or(Operand::Const(Const::Unit));
        let result = self.new_local("or", ty.clone());
        let is_first = self.holds_first(place);
        let first = self.new_block();
        let second = self.new_block();
        let join = self.new_block();
        self.terminate(Terminator::Branch {
            cond: is_first,
            then_block: first,
            else_block: second,
        });
        self.switch_to(first);
        let payload = place.project(Proj::Payload { variant: FIRST, field: 0 });
        let value = self.copy_owned(payload, ty);
        let value = self.owned_operand(value);
        self.assign(Place::local(result), Rvalue::Use(value.clone()));
        self.forget(&value);
        self.release_if_temp(&fallback);
        self.goto(join);
        self.switch_to(second);
        self.assign(Place::local(result), Rvalue::Use(fallback.clone()));
        self.goto(join);
        self.switch_to(join);
        self.forget(&fallback);
        self.register_temp(result)
    }

    /// A new `Option`/`Result` of type `ty` from the one at `place`: `map[v]` is
    /// `Some((from, to))` when variant `v` of the source becomes variant `to` with the
    /// payload of `from`, `None` when it becomes the new type's other variant, which then
    /// carries `extra` (the error of `okOr`) or nothing.
    fn convert(
        &mut self,
        place: &Place,
        source_ty: &Type,
        ty: Type,
        map: [Option<(u32, u32)>; 2],
        extra: Option<Operand>,
    ) -> Val {
        let variants = self.input.types.variants(source_ty).unwrap_or_default();
        let result = self.new_local("converted", ty.clone());
        let is_first = self.holds_first(place);
        let blocks = [self.new_block(), self.new_block()];
        let join = self.new_block();
        self.terminate(Terminator::Branch {
            cond: is_first,
            then_block: blocks[0],
            else_block: blocks[1],
        });
        for (v, block) in blocks.into_iter().enumerate() {
            self.switch_to(block);
            let (target, ops) = match map[v] {
                Some((from, to)) => {
                    let payload_ty = variants[from as usize].first().cloned().unwrap_or(Type::Unit);
                    let payload = place.project(Proj::Payload { variant: from, field: 0 });
                    let value = self.copy_owned(payload, payload_ty);
                    let value = self.owned_operand(value);
                    self.forget(&value);
                    // `okOr`'s error was evaluated but is not needed on this path.
                    if let Some(extra) = &extra {
                        self.release_if_temp(extra);
                    }
                    (to, vec![value])
                }
                None => {
                    let other = map.iter().flatten().map(|&(_, to)| to).next().unwrap_or(FIRST);
                    let target = if other == FIRST { SECOND } else { FIRST };
                    (target, extra.iter().cloned().collect())
                }
            };
            let kind = AggregateKind::Variant(ty.clone(), target);
            self.assign(Place::local(result), Rvalue::Aggregate(kind, ops));
            self.goto(join);
        }
        self.switch_to(join);
        if let Some(extra) = &extra {
            self.forget(extra);
        }
        self.register_temp(result)
    }
}
