//! Statements: assignments of every rvalue (operators, casts, aggregates,
//! discriminants), calls of Vex functions, loads and stores through coroutine state
//! and environment pointers.

use super::*;

impl<'a, 'ctx> Codegen<'a, 'ctx> {
    pub(super) fn stmt(&mut self, cx: &mut FnCx<'a, 'ctx>, stmt: &Stmt) -> Result<(), Error> {
        match stmt {
            Stmt::Assign(place, rvalue) => self.assign(cx, place, rvalue),
            Stmt::Call { dest, func, args } => {
                let callee = self
                    .ir
                    .function(func)
                    .ok_or_else(|| Error::MissingFunction(func.to_string()))?;
                let value =
                    if *func == cx.ir.name { cx.self_call } else { self.functions[&**func] };
                let mut call_args: Vec<BasicMetadataValueEnum<'ctx>> = Vec::new();
                if takes_ctx(callee) {
                    call_args.push(cx.ctx.into());
                }
                let ret_slot = self.result_slot(cx, &callee.ret, &mut call_args)?;
                self.call_arguments(cx, args, &mut call_args)?;
                let call = self.builder.build_call(value, &call_args, "")?;
                self.store_call_result(cx, dest.as_ref(), ret_slot, call)
            }
            Stmt::CallValue { dest, callee, args } => {
                self.call_value(cx, dest.as_ref(), callee, args)
            }
            Stmt::EnvAlloc { dest } => self.env_alloc(cx, *dest),
            Stmt::Update { place, op, args, dest } => self.update(cx, place, *op, args, *dest),
            Stmt::CallExtern { dest, func, args } => {
                self.call_extern(cx, dest.as_ref(), func, args)
            }
            Stmt::Runtime { dest, op, args } => self.runtime(cx, *dest, *op, args),
            Stmt::Retain(place) => {
                let (ptr, ty) = self.place_ptr(cx, place)?;
                self.walk_references(cx.function, ptr, &ty, true)
            }
            Stmt::Release(place) => {
                let (ptr, ty) = self.place_ptr(cx, place)?;
                self.walk_references(cx.function, ptr, &ty, false)
            }
            Stmt::TakeFuture { outcome, future, result } => {
                let future = self.scalar_required(cx, future)?;
                let dst = match result {
                    Some(local) => match cx.locals[local.index()] {
                        Some(slot) => slot,
                        None => self.abi.ptr_type().const_null(),
                    },
                    None => self.abi.ptr_type().const_null(),
                };
                let taken =
                    self.call_rt(RtFn::FutureTake, &[cx.ctx.into(), future.into(), dst.into()])?;
                let (slot, ty) = self.place_ptr(cx, &Place::local(*outcome))?;
                let taken = taken.expect("returns VexOutcome").into_int_value();
                let taken = self.builder.build_int_cast_sign_flag(
                    taken,
                    self.scalar_type(&ty).expect("integer outcome").into_int_type(),
                    false,
                    "",
                )?;
                self.store_value(slot, &ty, taken.into())
            }
            Stmt::LoadState { dest, state, field } => {
                let (src, ty) = self.state_field(cx, *state, *field)?;
                let dst = cx.locals[dest.index()];
                let Some(dst) = dst else { return Ok(()) };
                if is_aggregate(&ty) {
                    self.copy_bytes(dst, src, &ty)
                } else if let Some(scalar) = self.scalar_type(&ty) {
                    let value = self.builder.build_load(scalar, src, "")?;
                    set_align(value, self.align_of(&ty));
                    self.store_value(dst, &ty, value)
                } else {
                    Ok(())
                }
            }
            Stmt::StoreState { state, field, value } => {
                let (dst, _) = self.state_field(cx, *state, *field)?;
                self.store_operand(cx, dst, value)
            }
            Stmt::TaskAlloc { dest } => {
                let FunctionKind::Wrapper { resume, state } = &cx.ir.kind else {
                    return Err(Error::Unsupported(format!(
                        "task_alloc outside a wrapper in {}",
                        cx.ir.name
                    )));
                };
                let def = &self.types.structs[state];
                let (result_offset, result_size) = def
                    .fields
                    .iter()
                    .find(|f| &*f.name == "result")
                    .map_or((0, 0), |f| (f.offset, self.size_of(&f.ty)));
                let resume = self.functions[&**resume].as_global_value().as_pointer_value();
                let usize_type = self.abi.usize_type();
                let args = [
                    usize_type.const_int(def.size.max(1), false).into(),
                    usize_type.const_int(result_offset, false).into(),
                    usize_type.const_int(result_size, false).into(),
                    resume.into(),
                ];
                let state = self.call_rt(RtFn::TaskAlloc, &args)?.expect("returns the state");
                let (slot, ty) = self.place_ptr(cx, &Place::local(*dest))?;
                self.store_value(slot, &ty, state)
            }
        }
    }

    /// A temporary for an aggregate result of type `ret`, appended to `call_args` as
    /// the result pointer.
    pub(super) fn result_slot(
        &self,
        cx: &FnCx<'a, 'ctx>,
        ret: &Type,
        call_args: &mut Vec<BasicMetadataValueEnum<'ctx>>,
    ) -> Result<Option<PointerValue<'ctx>>, Error> {
        if !is_aggregate(ret) {
            return Ok(None);
        }
        let slot = self.temp(cx, ret)?;
        call_args.push(slot.into());
        Ok(Some(slot))
    }

    /// Appends the arguments of a call of a Vex function: scalars by value, aggregates
    /// as pointers to a copy, `()` not at all.
    pub(super) fn call_arguments(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        args: &[Operand],
        call_args: &mut Vec<BasicMetadataValueEnum<'ctx>>,
    ) -> Result<(), Error> {
        for arg in args {
            let ty = self.operand_type(cx, arg);
            if is_aggregate(&ty) {
                let slot = self.temp(cx, &ty)?;
                self.store_operand(cx, slot, arg)?;
                call_args.push(slot.into());
            } else if let Some(value) = self.scalar(cx, arg)? {
                call_args.push(value.into());
            }
        }
        Ok(())
    }

    /// Stores the result of a call of a Vex function (returned, or written to
    /// `ret_slot`) at `dest`.
    pub(super) fn store_call_result(
        &self,
        cx: &FnCx<'a, 'ctx>,
        dest: Option<&Place>,
        ret_slot: Option<PointerValue<'ctx>>,
        call: inkwell::values::CallSiteValue<'ctx>,
    ) -> Result<(), Error> {
        let Some(dest) = dest else { return Ok(()) };
        let (dst, ty) = self.place_ptr(cx, dest)?;
        if let Some(slot) = ret_slot {
            self.copy_bytes(dst, slot, &ty)?;
        } else if let Some(result) = call.try_as_basic_value().basic() {
            self.store_value(dst, &ty, result)?;
        }
        Ok(())
    }

    /// The address of field `field` behind `state`, a coroutine state pointer or a
    /// closure environment (which points at its captures), and the field's type.
    pub(super) fn state_field(
        &self,
        cx: &FnCx<'a, 'ctx>,
        state: ir::LocalId,
        field: u32,
    ) -> Result<(PointerValue<'ctx>, Type), Error> {
        let (Type::StatePtr(name) | Type::EnvPtr(Some(name))) = cx.ir.local_ty(state) else {
            return Err(Error::Unsupported(format!(
                "state access through a non-state local in {}",
                cx.ir.name
            )));
        };
        let field = &self.types.structs[name].fields[field as usize];
        let base = self.load_scalar(cx, &Place::local(state))?.into_pointer_value();
        Ok((self.offset_ptr(base, self.i64(field.offset))?, field.ty.clone()))
    }

    pub(super) fn assign(
        &mut self,
        cx: &mut FnCx<'a, 'ctx>,
        place: &Place,
        rvalue: &Rvalue,
    ) -> Result<(), Error> {
        let dest_ty = self.place_type(cx, place);
        match rvalue {
            Rvalue::FnValue { func, env } => self.fn_value(cx, place, func, env.as_ref()),
            Rvalue::Use(operand) => {
                let (dst, _) = self.place_ptr(cx, place)?;
                self.store_operand(cx, dst, operand)
            }
            Rvalue::Aggregate(kind, operands) => {
                // Built in a temporary: the operands may read the destination.
                let tmp = self.temp(cx, &dest_ty)?;
                let offsets: Vec<u64> = match kind {
                    AggregateKind::Tuple => {
                        let Type::Tuple(elems) = &dest_ty else { return unreachable_ty(&dest_ty) };
                        fields_layout(elems.iter(), &self.types).1
                    }
                    AggregateKind::Array(elem) => {
                        let stride = self.size_of(elem);
                        (0..operands.len() as u64).map(|i| i * stride).collect()
                    }
                    AggregateKind::Struct(name) => {
                        self.types.structs[name].fields.iter().map(|f| f.offset).collect()
                    }
                    AggregateKind::Variant(ty, variant) => {
                        let tag = self.context.i32_type().const_int(u64::from(*variant), false);
                        self.builder.build_store(tmp, tag)?;
                        (0..operands.len() as u32)
                            .map(|f| payload_offset(ty, *variant, f, &self.types))
                            .collect()
                    }
                };
                for (operand, offset) in operands.iter().zip(offsets) {
                    let dst = self.offset_ptr(tmp, self.i64(offset))?;
                    self.store_operand(cx, dst, operand)?;
                }
                let (dst, _) = self.place_ptr(cx, place)?;
                self.copy_bytes(dst, tmp, &dest_ty)
            }
            Rvalue::Repeat(operand, count) => {
                let elem_ty = self.operand_type(cx, operand);
                let stride = self.size_of(&elem_ty);
                let (dst, _) = self.place_ptr(cx, place)?;
                let before = self.builder.get_insert_block().expect("positioned");
                let body = self.context.append_basic_block(cx.function, "repeat");
                let done = self.context.append_basic_block(cx.function, "repeat_done");
                if *count == 0 {
                    self.builder.build_unconditional_branch(done)?;
                } else {
                    self.builder.build_unconditional_branch(body)?;
                    self.builder.position_at_end(body);
                    let index = self.builder.build_phi(self.context.i64_type(), "i")?;
                    let i = index.as_basic_value().into_int_value();
                    let offset = self.builder.build_int_mul(i, self.i64(stride), "")?;
                    let slot = self.offset_ptr(dst, offset)?;
                    self.store_operand(cx, slot, operand)?;
                    let next = self.builder.build_int_add(i, self.i64(1), "")?;
                    let more = self.builder.build_int_compare(
                        IntPredicate::ULT,
                        next,
                        self.i64(*count),
                        "",
                    )?;
                    let latch = self.builder.get_insert_block().expect("positioned");
                    index.add_incoming(&[(&self.i64(0), before), (&next, latch)]);
                    self.builder.build_conditional_branch(more, body, done)?;
                }
                self.builder.position_at_end(done);
                Ok(())
            }
            Rvalue::Discriminant(source) => {
                let (src, _) = self.place_ptr(cx, source)?;
                let tag = self.builder.build_load(self.context.i32_type(), src, "tag")?;
                let tag = self.builder.build_int_cast_sign_flag(
                    tag.into_int_value(),
                    self.scalar_type(&dest_ty).expect("integer").into_int_type(),
                    false,
                    "",
                )?;
                let (dst, _) = self.place_ptr(cx, place)?;
                self.store_value(dst, &dest_ty, tag.into())
            }
            Rvalue::Unary(op, operand) => {
                let ty = self.operand_type(cx, operand);
                let value = self.scalar_required(cx, operand)?;
                let result: BasicValueEnum<'ctx> = match (op, &ty) {
                    (UnOp::Neg, Type::Float(_)) => {
                        self.builder.build_float_neg(value.into_float_value(), "")?.into()
                    }
                    (UnOp::Neg, _) => {
                        self.builder.build_int_neg(value.into_int_value(), "")?.into()
                    }
                    (UnOp::Not, Type::Bool) => self
                        .builder
                        .build_xor(
                            value.into_int_value(),
                            self.context.i8_type().const_int(1, false),
                            "",
                        )?
                        .into(),
                    (UnOp::Not, _) => self.builder.build_not(value.into_int_value(), "")?.into(),
                };
                let (dst, _) = self.place_ptr(cx, place)?;
                self.store_value(dst, &dest_ty, result)
            }
            Rvalue::Binary(op, lhs, rhs) => {
                let ty = self.operand_type(cx, lhs);
                let a = self.scalar_required(cx, lhs)?;
                let b = self.scalar_required(cx, rhs)?;
                let result = self.binary(*op, &ty, a, b)?;
                let (dst, _) = self.place_ptr(cx, place)?;
                self.store_value(dst, &dest_ty, result)
            }
            Rvalue::Cast(operand, to) => {
                let from = self.operand_type(cx, operand);
                let value = self.scalar_required(cx, operand)?;
                let result = self.cast(value, &from, to)?;
                let (dst, _) = self.place_ptr(cx, place)?;
                self.store_value(dst, &dest_ty, result)
            }
        }
    }

    pub(super) fn binary(
        &self,
        op: BinOp,
        ty: &Type,
        a: BasicValueEnum<'ctx>,
        b: BasicValueEnum<'ctx>,
    ) -> Result<BasicValueEnum<'ctx>, Error> {
        let b_ = &self.builder;
        if let Type::Float(_) = ty {
            let (x, y) = (a.into_float_value(), b.into_float_value());
            let predicate = match op {
                BinOp::Add => return Ok(b_.build_float_add(x, y, "")?.into()),
                BinOp::Sub => return Ok(b_.build_float_sub(x, y, "")?.into()),
                BinOp::Mul => return Ok(b_.build_float_mul(x, y, "")?.into()),
                BinOp::Div => return Ok(b_.build_float_div(x, y, "")?.into()),
                BinOp::Rem => return Ok(b_.build_float_rem(x, y, "")?.into()),
                BinOp::Eq => FloatPredicate::OEQ,
                BinOp::Ne => FloatPredicate::UNE,
                BinOp::Lt => FloatPredicate::OLT,
                BinOp::Le => FloatPredicate::OLE,
                BinOp::Gt => FloatPredicate::OGT,
                BinOp::Ge => FloatPredicate::OGE,
                other => return Err(Error::Unsupported(format!("{other:?} on floats"))),
            };
            return self.i1_to_bool(b_.build_float_compare(predicate, x, y, "")?);
        }
        let signed = matches!(ty, Type::Int(int) if int.is_signed());
        if matches!(ty, Type::String | Type::Future(_) | Type::StatePtr(_) | Type::DeferList) {
            return Err(Error::Unsupported(format!("{op:?} on {ty:?}")));
        }
        let (x, y) = (a.into_int_value(), b.into_int_value());
        let width = x.get_type();
        let all_ones = width.const_all_ones();
        let result: IntValue<'ctx> = match op {
            BinOp::Add => b_.build_int_add(x, y, "")?,
            BinOp::Sub => b_.build_int_sub(x, y, "")?,
            BinOp::Mul => b_.build_int_mul(x, y, "")?,
            BinOp::BitAnd => b_.build_and(x, y, "")?,
            BinOp::BitOr => b_.build_or(x, y, "")?,
            BinOp::BitXor => b_.build_xor(x, y, "")?,
            BinOp::Shl | BinOp::Shr => {
                let mask = width.const_int(u64::from(width.get_bit_width() - 1), false);
                let amount = b_.build_and(y, mask, "")?;
                if op == BinOp::Shl {
                    b_.build_left_shift(x, amount, "")?
                } else {
                    b_.build_right_shift(x, amount, signed, "")?
                }
            }
            BinOp::Div | BinOp::Rem if signed => {
                // MIN / -1 overflows in hardware; the language defines MIN and 0.
                let minus_one = b_.build_int_compare(IntPredicate::EQ, y, all_ones, "")?;
                let safe =
                    b_.build_select(minus_one, width.const_int(1, false), y, "")?.into_int_value();
                if op == BinOp::Div {
                    let q = b_.build_int_signed_div(x, safe, "")?;
                    let negated = b_.build_int_neg(x, "")?;
                    b_.build_select(minus_one, negated, q, "")?.into_int_value()
                } else {
                    let r = b_.build_int_signed_rem(x, safe, "")?;
                    b_.build_select(minus_one, width.const_zero(), r, "")?.into_int_value()
                }
            }
            BinOp::Div => b_.build_int_unsigned_div(x, y, "")?,
            BinOp::Rem => b_.build_int_unsigned_rem(x, y, "")?,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let predicate = match (op, signed) {
                    (BinOp::Eq, _) => IntPredicate::EQ,
                    (BinOp::Ne, _) => IntPredicate::NE,
                    (BinOp::Lt, true) => IntPredicate::SLT,
                    (BinOp::Lt, false) => IntPredicate::ULT,
                    (BinOp::Le, true) => IntPredicate::SLE,
                    (BinOp::Le, false) => IntPredicate::ULE,
                    (BinOp::Gt, true) => IntPredicate::SGT,
                    (BinOp::Gt, false) => IntPredicate::UGT,
                    (BinOp::Ge, true) => IntPredicate::SGE,
                    (_, _) => IntPredicate::UGE,
                };
                return self.i1_to_bool(b_.build_int_compare(predicate, x, y, "")?);
            }
        };
        Ok(result.into())
    }

    pub(super) fn cast(
        &self,
        value: BasicValueEnum<'ctx>,
        from: &Type,
        to: &Type,
    ) -> Result<BasicValueEnum<'ctx>, Error> {
        let b_ = &self.builder;
        let target =
            self.scalar_type(to).ok_or_else(|| Error::Unsupported(format!("cast to {to:?}")))?;
        let from_signed = matches!(from, Type::Int(int) if int.is_signed());
        Ok(match (from, to) {
            (Type::Int(_) | Type::Bool, Type::Int(_) | Type::Bool) => b_
                .build_int_cast_sign_flag(
                    value.into_int_value(),
                    target.into_int_type(),
                    from_signed,
                    "",
                )?
                .into(),
            (Type::Int(_) | Type::Bool, Type::Float(_)) => {
                if from_signed {
                    b_.build_signed_int_to_float(
                        value.into_int_value(),
                        target.into_float_type(),
                        "",
                    )?
                    .into()
                } else {
                    b_.build_unsigned_int_to_float(
                        value.into_int_value(),
                        target.into_float_type(),
                        "",
                    )?
                    .into()
                }
            }
            (Type::Float(_), Type::Int(int)) => {
                // Saturating, NaN -> 0 (the IR's rule), which is what the .sat intrinsics do.
                let name = if int.is_signed() { "llvm.fptosi.sat" } else { "llvm.fptoui.sat" };
                let intrinsic = self.intrinsic(name, &[target, value.get_type()])?;
                let call = b_.build_call(intrinsic, &[value.into()], "")?;
                call.try_as_basic_value().basic().expect("returns an integer")
            }
            (Type::Float(FloatTy::F32), Type::Float(FloatTy::F64)) => {
                b_.build_float_ext(value.into_float_value(), target.into_float_type(), "")?.into()
            }
            (Type::Float(FloatTy::F64), Type::Float(FloatTy::F32)) => {
                b_.build_float_trunc(value.into_float_value(), target.into_float_type(), "")?.into()
            }
            (a, b) if a == b => value,
            (a, b) => return Err(Error::Unsupported(format!("cast from {a:?} to {b:?}"))),
        })
    }
}
