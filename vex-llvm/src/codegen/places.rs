//! Places and operands: the address of a place (a local's slot plus projections,
//! by byte offset from `ir::layout`), loading and storing scalars, and the `bool`
//! conversions at C calls.

use super::*;

impl<'a, 'ctx> Codegen<'a, 'ctx> {
    pub(super) fn place_type(&self, cx: &FnCx<'a, 'ctx>, place: &Place) -> Type {
        cx.ir.place_ty(place, &self.types).expect("the validator rejects ill-typed places")
    }

    /// The address of a place and its type.
    pub(super) fn place_ptr(
        &self,
        cx: &FnCx<'a, 'ctx>,
        place: &Place,
    ) -> Result<(PointerValue<'ctx>, Type), Error> {
        let mut ty = cx.ir.local_ty(place.local).clone();
        let mut ptr = match cx.locals[place.local.index()] {
            Some(slot) => slot,
            None => self.abi.ptr_type().const_null(),
        };
        for proj in &place.proj {
            ptr = match (&ty, proj) {
                // An element lives in the vector's buffer, behind the pointer the place
                // holds (the IR checked the index and made the vector unique before a
                // write).
                (Type::Vec(elem), Proj::Elem(index)) => {
                    let vector = self.builder.build_load(self.abi.ptr_type(), ptr, "vec")?;
                    set_align(vector, 8);
                    let index = self.index_i64(cx, *index)?;
                    let offset =
                        self.builder.build_int_mul(index, self.i64(self.size_of(elem)), "")?;
                    let offset =
                        self.builder.build_int_add(offset, self.i64(abi::VEC_HEADER_SIZE), "")?;
                    self.offset_ptr(vector.into_pointer_value(), offset)?
                }
                // The value slot follows the wait record.
                (Type::Waiter(_), Proj::Slot) => {
                    self.offset_ptr(ptr, self.i64(layout::CHAN_WAITER_SIZE))?
                }
                _ => {
                    let offset = self.projection_offset(cx, &ty, proj)?;
                    self.offset_ptr(ptr, offset)?
                }
            };
            ty = self.types.project(&ty, proj).expect("the projection applies: offset found");
        }
        Ok((ptr, ty))
    }

    /// The byte offset of a projection that stays inside the value of type `ty`.
    fn projection_offset(
        &self,
        cx: &FnCx<'a, 'ctx>,
        ty: &Type,
        proj: &Proj,
    ) -> Result<IntValue<'ctx>, Error> {
        Ok(match (ty, proj) {
            (Type::Tuple(elems), Proj::Field(n)) => {
                self.i64(fields_layout(elems.iter(), &self.types).1[*n as usize])
            }
            (Type::Struct(name), Proj::Field(n)) => {
                self.i64(self.types.structs[name].fields[*n as usize].offset)
            }
            (Type::Array(elem, _), Proj::Index(index)) => {
                let index = self.index_i64(cx, *index)?;
                let stride = self.i64(self.size_of(elem));
                self.builder.build_int_mul(index, stride, "")?
            }
            (enum_ty, Proj::Payload { variant, field })
                if self.types.variants(enum_ty).is_some() =>
            {
                self.i64(payload_offset(enum_ty, *variant, *field, &self.types))
            }
            (ty, proj) => {
                return Err(Error::Unsupported(format!("projection {proj:?} of {ty:?}")));
            }
        })
    }

    /// The value of the index local `index` as an `i64` (extended by its signedness).
    fn index_i64(&self, cx: &FnCx<'a, 'ctx>, index: ir::LocalId) -> Result<IntValue<'ctx>, Error> {
        let index_ty = cx.ir.local_ty(index).clone();
        let value = self.load_scalar(cx, &Place::local(index))?.into_int_value();
        let i64_type = self.context.i64_type();
        Ok(match index_ty {
            Type::Int(int) if int.is_signed() => {
                self.builder.build_int_s_extend_or_bit_cast(value, i64_type, "")?
            }
            _ => self.builder.build_int_z_extend_or_bit_cast(value, i64_type, "")?,
        })
    }

    pub(super) fn load_scalar(
        &self,
        cx: &FnCx<'a, 'ctx>,
        place: &Place,
    ) -> Result<BasicValueEnum<'ctx>, Error> {
        let (ptr, ty) = self.place_ptr(cx, place)?;
        let scalar =
            self.scalar_type(&ty).ok_or_else(|| Error::Unsupported(format!("load of {ty:?}")))?;
        let value = self.builder.build_load(scalar, ptr, "")?;
        set_align(value, self.align_of(&ty));
        Ok(value)
    }

    pub(super) fn operand_type(&self, cx: &FnCx<'a, 'ctx>, operand: &Operand) -> Type {
        match operand {
            Operand::Copy(place) => self.place_type(cx, place),
            Operand::Const(c) => c.ty(),
        }
    }

    /// The value of a scalar operand (`None` for `()`).
    pub(super) fn scalar(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        operand: &Operand,
    ) -> Result<Option<BasicValueEnum<'ctx>>, Error> {
        Ok(Some(match operand {
            Operand::Copy(place) => {
                if self.place_type(cx, place) == Type::Unit {
                    return Ok(None);
                }
                self.load_scalar(cx, place)?
            }
            Operand::Const(c) => match c {
                Const::Unit => return Ok(None),
                Const::Bool(b) => self.context.i8_type().const_int(u64::from(*b), false).into(),
                Const::Int(v, int) => {
                    self.int_type(*int).const_int(*v as u64, int.is_signed()).into()
                }
                Const::Float(bits, FloatTy::F64) => {
                    self.context.f64_type().const_float(f64::from_bits(*bits)).into()
                }
                Const::Float(bits, FloatTy::F32) => {
                    self.context.f32_type().const_float(f64::from_bits(*bits) as f32 as f64).into()
                }
                Const::Str(text) => self.string_literal(text).into(),
                Const::NullFuture(_) | Const::NullDeferList | Const::EmptyVec(_) => {
                    self.abi.ptr_type().const_null().into()
                }
                Const::Status(status) => {
                    let value = match status {
                        ir::CoroStatus::Yielded => abi::CORO_STATUS_YIELDED,
                        ir::CoroStatus::Done => abi::CORO_STATUS_DONE,
                    };
                    self.abi.coro_status_type().const_int(u64::from(value), false).into()
                }
            },
        }))
    }

    pub(super) fn scalar_required(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        operand: &Operand,
    ) -> Result<BasicValueEnum<'ctx>, Error> {
        self.scalar(cx, operand)?
            .ok_or_else(|| Error::Unsupported(format!("unit operand {operand:?} used as a value")))
    }

    /// Stores `operand` (scalar or aggregate) at `dst`.
    pub(super) fn store_operand(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        dst: PointerValue<'ctx>,
        operand: &Operand,
    ) -> Result<(), Error> {
        let ty = self.operand_type(cx, operand);
        if is_aggregate(&ty) {
            let Operand::Copy(place) = operand else {
                return Err(Error::Unsupported(format!("aggregate constant {operand:?}")));
            };
            let (src, _) = self.place_ptr(cx, place)?;
            self.copy_bytes(dst, src, &ty)
        } else {
            if let Some(value) = self.scalar(cx, operand)? {
                let store = self.builder.build_store(dst, value)?;
                store.set_alignment(self.align_of(&ty)).map_err(Error::llvm)?;
            }
            Ok(())
        }
    }

    pub(super) fn store_value(
        &self,
        dst: PointerValue<'ctx>,
        ty: &Type,
        value: BasicValueEnum<'ctx>,
    ) -> Result<(), Error> {
        let store = self.builder.build_store(dst, value)?;
        store.set_alignment(self.align_of(ty)).map_err(Error::llvm)?;
        Ok(())
    }

    pub(super) fn bool_to_i1(&self, value: BasicValueEnum<'ctx>) -> Result<IntValue<'ctx>, Error> {
        let zero = self.context.i8_type().const_zero();
        Ok(self.builder.build_int_compare(IntPredicate::NE, value.into_int_value(), zero, "")?)
    }

    pub(super) fn i1_to_bool(&self, value: IntValue<'ctx>) -> Result<BasicValueEnum<'ctx>, Error> {
        Ok(self.builder.build_int_z_extend(value, self.context.i8_type(), "")?.into())
    }
}
