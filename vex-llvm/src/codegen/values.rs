//! Vectors and string methods (LANGUAGE.md §9): the runtime operations that make and
//! read them ([`RtOp::VecWithCapacity`] … [`RtOp::StrToFloat`]), the in-place updates
//! ([`Stmt::Update`]), and the `VexElemType` constant of each vector element type with
//! its generated retain and release functions.
//!
//! Everything calls `vex_rt.h`, except what the header allows generated code to inline:
//! the length of a vector or string (NULL is empty) and the push of an element into a
//! vector held once with room for it. Element addresses (`Proj::Elem`) are in `places`.
//! The semantics are the evaluator's (`vex_async_lower::eval`, `builtins.rs`); this
//! file must not decide anything about ownership: every retain and release is the IR's.

use super::*;
use inkwell::AtomicOrdering;
use vex_rt_sys::ffi;

/// The `VexElemKind` that tells `vex_vec_sort` how to order elements of `ty`.
fn elem_kind(ty: &Type) -> u32 {
    match ty {
        Type::Int(IntTy::I8) => ffi::VEX_ELEM_I8,
        Type::Int(IntTy::I16) => ffi::VEX_ELEM_I16,
        Type::Int(IntTy::I32) => ffi::VEX_ELEM_I32,
        Type::Int(IntTy::I64) => ffi::VEX_ELEM_I64,
        Type::Int(IntTy::U8) => ffi::VEX_ELEM_U8,
        Type::Int(IntTy::U16) => ffi::VEX_ELEM_U16,
        Type::Int(IntTy::U32) => ffi::VEX_ELEM_U32,
        Type::Int(IntTy::U64) => ffi::VEX_ELEM_U64,
        Type::Float(FloatTy::F32) => ffi::VEX_ELEM_F32,
        Type::Float(FloatTy::F64) => ffi::VEX_ELEM_F64,
        Type::Bool => ffi::VEX_ELEM_BOOL,
        Type::String => ffi::VEX_ELEM_STRING,
        _ => ffi::VEX_ELEM_OTHER,
    }
}

impl<'a, 'ctx> Codegen<'a, 'ctx> {
    /// A runtime operation on vectors or strings; `values` are the scalar operands
    /// (none for [`RtOp::VecFromArray`], whose array is passed by address). Returns the
    /// result for the caller to store, or `None` when it was stored here.
    pub(super) fn value_op(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        dest: Option<ir::LocalId>,
        op: RtOp,
        args: &[Operand],
        values: &[BasicValueEnum<'ctx>],
    ) -> Result<Option<BasicValueEnum<'ctx>>, Error> {
        let arg = |i: usize| -> BasicMetadataValueEnum<'ctx> { values[i].into() };
        let call = |this: &Self, f: RtFn, n: usize| {
            let args: Vec<BasicMetadataValueEnum<'ctx>> = (0..n).map(arg).collect();
            this.call_rt(f, &args)
        };
        Ok(match op {
            RtOp::VecWithCapacity => {
                let dest_ty = dest.map(|d| cx.ir.local_ty(d).clone());
                let Some(Type::Vec(elem)) = dest_ty else {
                    return Err(Error::Unsupported(format!("vec_with_capacity into {dest_ty:?}")));
                };
                let elem = self.elem_type(&elem);
                self.call_rt(RtFn::VecWithCapacity, &[elem.into(), arg(0)])?
            }
            RtOp::VecFromArray => {
                let array_ty = self.operand_type(cx, &args[0]);
                let (Type::Array(elem, n), Operand::Copy(place)) = (&array_ty, &args[0]) else {
                    return Err(Error::Unsupported(format!("vec_from_array of {:?}", args[0])));
                };
                let (data, _) = self.place_ptr(cx, place)?;
                let elem = self.elem_type(elem);
                self.call_rt(RtFn::VecFromArray, &[elem.into(), data.into(), self.i64(*n).into()])?
            }
            RtOp::VecLen => Some(self.header_len(cx, values[0], &abi::VEC)?.into()),
            RtOp::StrLen => Some(self.header_len(cx, values[0], &abi::STRING)?.into()),
            RtOp::VecSlice => call(self, RtFn::VecSlice, 3)?,
            RtOp::VecJoin => call(self, RtFn::VecJoin, 2)?,
            // `uint8_t` comes back as an `i8` whose bits are the byte: the `u8` it is
            // stored as (a wider use would need a zero extension, not a sign one).
            RtOp::StrByteAt => call(self, RtFn::StringByteAt, 2)?,
            RtOp::StrSlice => call(self, RtFn::StringSlice, 3)?,
            RtOp::StrFind => call(self, RtFn::StringFind, 2)?,
            RtOp::StrContains => call(self, RtFn::StringContains, 2)?,
            RtOp::StrStartsWith => call(self, RtFn::StringStartsWith, 2)?,
            RtOp::StrEndsWith => call(self, RtFn::StringEndsWith, 2)?,
            RtOp::StrTrim => call(self, RtFn::StringTrim, 1)?,
            RtOp::StrSplit => call(self, RtFn::StringSplit, 2)?,
            RtOp::StrLines => call(self, RtFn::StringLines, 1)?,
            RtOp::StrToUpper => call(self, RtFn::StringToUpper, 1)?,
            RtOp::StrToLower => call(self, RtFn::StringToLower, 1)?,
            RtOp::StrRepeat => call(self, RtFn::StringRepeat, 2)?,
            RtOp::StrToInt | RtOp::StrToFloat => {
                self.parse_number(cx, dest, op, values[0])?;
                None
            }
            other => return Err(Error::Unsupported(format!("{} on values", other.name()))),
        })
    }

    /// `vex_vec_len`/`vex_string_len` inline: NULL is empty, else the header's `len`.
    fn header_len(
        &self,
        cx: &FnCx<'a, 'ctx>,
        value: BasicValueEnum<'ctx>,
        header: &abi::CStruct,
    ) -> Result<IntValue<'ctx>, Error> {
        let value = value.into_pointer_value();
        let i64_type = self.context.i64_type();
        let before = self.builder.get_insert_block().expect("positioned");
        let read = self.context.append_basic_block(cx.function, "len");
        let done = self.context.append_basic_block(cx.function, "len_done");
        let is_null = self.builder.build_is_null(value, "")?;
        self.builder.build_conditional_branch(is_null, done, read)?;
        self.builder.position_at_end(read);
        let len = self.header_field(value, header, "len")?;
        let len = self.builder.build_load(i64_type, len, "len")?;
        set_align(len, 8);
        self.builder.build_unconditional_branch(done)?;
        self.builder.position_at_end(done);
        let phi = self.builder.build_phi(i64_type, "len")?;
        phi.add_incoming(&[(&i64_type.const_zero(), before), (&len, read)]);
        Ok(phi.as_basic_value().into_int_value())
    }

    /// The address of `field` of the runtime struct `header` at `ptr`.
    fn header_field(
        &self,
        ptr: PointerValue<'ctx>,
        header: &abi::CStruct,
        field: &str,
    ) -> Result<PointerValue<'ctx>, Error> {
        let ty = self.abi.struct_type(header);
        Ok(self.builder.build_struct_gep(ty, ptr, header.field_index(field), field)?)
    }

    /// `dest = s.toInt()` / `s.toFloat()`: `vex_string_to_int(s, &out)` made into an
    /// `Option` (tag 0 `Some` with the payload, tag 1 `None`).
    fn parse_number(
        &self,
        cx: &FnCx<'a, 'ctx>,
        dest: Option<ir::LocalId>,
        op: RtOp,
        text: BasicValueEnum<'ctx>,
    ) -> Result<(), Error> {
        let (function, payload_ty) = match op {
            RtOp::StrToInt => (RtFn::StringToInt, Type::Int(IntTy::I64)),
            _ => (RtFn::StringToFloat, Type::Float(FloatTy::F64)),
        };
        let out = self.temp(cx, &payload_ty)?;
        let scalar = self.scalar_type(&payload_ty).expect("a number");
        // Defined bytes in the payload of `None` too.
        self.store_value(out, &payload_ty, scalar.const_zero())?;
        let parsed = self.call_rt(function, &[text.into(), out.into()])?;
        let parsed = parsed.expect("returns bool").into_int_value();
        let Some(dest) = dest else { return Ok(()) };
        let (slot, option_ty) = self.place_ptr(cx, &Place::local(dest))?;
        let i32_type = self.context.i32_type();
        let tag = self.builder.build_select(
            parsed,
            i32_type.const_int(0, false),
            i32_type.const_int(1, false),
            "tag",
        )?;
        self.store_value(slot, &Type::Int(layout::ENUM_TAG), tag)?;
        let value = self.builder.build_load(scalar, out, "")?;
        set_align(value, self.align_of(&payload_ty));
        let payload = payload_offset(&option_ty, 0, 0, &self.types);
        let payload = self.offset_ptr(slot, self.i64(payload))?;
        self.store_value(payload, &payload_ty, value)
    }

    /// `Stmt::Update`: the vector or string at `place` is replaced by what the runtime
    /// returns (itself when it could change it in place).
    pub(super) fn update(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        place: &Place,
        op: UpdateOp,
        args: &[Operand],
        dest: Option<ir::LocalId>,
    ) -> Result<(), Error> {
        let (slot, ty) = self.place_ptr(cx, place)?;
        let current = self.builder.build_load(self.abi.ptr_type(), slot, "")?;
        set_align(current, 8);
        let updated = match (op, &ty) {
            (UpdateOp::StrAppend, Type::String) => {
                // Read before the call: the appended string may be the place's own.
                let tail = self.scalar_required(cx, &args[0])?;
                self.call_rt(RtFn::StringAppend, &[current.into(), tail.into()])?
            }
            (UpdateOp::VecPush, Type::Vec(elem)) => {
                return self.vec_push(cx, slot, current.into_pointer_value(), elem, &args[0]);
            }
            (UpdateOp::VecPop, Type::Vec(_)) => {
                // The element's bytes go straight into `dest` (none for `()`).
                let out = dest
                    .and_then(|d| cx.locals[d.index()])
                    .unwrap_or_else(|| self.abi.ptr_type().const_null());
                self.call_rt(RtFn::VecPop, &[current.into(), out.into()])?
            }
            (UpdateOp::VecClear, Type::Vec(_)) => {
                self.call_rt(RtFn::VecClear, &[current.into()])?
            }
            (UpdateOp::VecReverse, Type::Vec(_)) => {
                self.call_rt(RtFn::VecReverse, &[current.into()])?
            }
            (UpdateOp::VecSort, Type::Vec(_)) => self.call_rt(RtFn::VecSort, &[current.into()])?,
            (UpdateOp::VecMakeUnique, Type::Vec(_)) => {
                self.call_rt(RtFn::VecMakeUnique, &[current.into()])?
            }
            (op, ty) => {
                return Err(Error::Unsupported(format!("{} of a {ty:?}", op.name())));
            }
        };
        let updated = updated.expect("the runtime returns the new value");
        self.store_value(slot, &ty, updated)
    }

    /// `v.push(x)` for the vector `current` held at `slot`: inline when the vector is
    /// held once (an acquire load of its count, as `vec.c` requires before a write) and
    /// has room, else `vex_vec_push`.
    fn vec_push(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        slot: PointerValue<'ctx>,
        current: PointerValue<'ctx>,
        elem: &Type,
        value: &Operand,
    ) -> Result<(), Error> {
        let i64_type = self.context.i64_type();
        let block = |name: &str| self.context.append_basic_block(cx.function, name);
        let (unique, room, fast, slow, done) = (
            block("push_unique"),
            block("push_room"),
            block("push_fast"),
            block("push_slow"),
            block("push_done"),
        );
        let is_null = self.builder.build_is_null(current, "")?;
        self.builder.build_conditional_branch(is_null, slow, unique)?;

        self.builder.position_at_end(unique);
        let refs = self.header_field(current, &abi::VEC, "refs")?;
        let refs = self.builder.build_load(self.context.i32_type(), refs, "refs")?;
        let load = refs.as_instruction_value().expect("a load");
        load.set_alignment(4).map_err(Error::llvm)?;
        load.set_atomic_ordering(AtomicOrdering::Acquire).map_err(Error::llvm)?;
        let one = self.context.i32_type().const_int(1, false);
        let held_once =
            self.builder.build_int_compare(IntPredicate::EQ, refs.into_int_value(), one, "")?;
        self.builder.build_conditional_branch(held_once, room, slow)?;

        self.builder.position_at_end(room);
        let len_ptr = self.header_field(current, &abi::VEC, "len")?;
        let len = self.builder.build_load(i64_type, len_ptr, "len")?;
        set_align(len, 8);
        let cap = self.header_field(current, &abi::VEC, "cap")?;
        let cap = self.builder.build_load(i64_type, cap, "cap")?;
        set_align(cap, 8);
        let len = len.into_int_value();
        let has_room =
            self.builder.build_int_compare(IntPredicate::ULT, len, cap.into_int_value(), "")?;
        self.builder.build_conditional_branch(has_room, fast, slow)?;

        self.builder.position_at_end(fast);
        let offset = self.builder.build_int_mul(len, self.i64(self.size_of(elem)), "")?;
        let offset = self.builder.build_int_add(offset, self.i64(abi::VEC_HEADER_SIZE), "")?;
        let at = self.offset_ptr(current, offset)?;
        self.store_operand(cx, at, value)?;
        let longer = self.builder.build_int_add(len, self.i64(1), "")?;
        self.builder.build_store(len_ptr, longer)?.set_alignment(8).map_err(Error::llvm)?;
        self.builder.build_unconditional_branch(done)?;

        self.builder.position_at_end(slow);
        // The runtime copies the element from memory that is not the vector's.
        let element = self.temp(cx, elem)?;
        self.store_operand(cx, element, value)?;
        let elem_type = self.elem_type(elem);
        let pushed =
            self.call_rt(RtFn::VecPush, &[current.into(), elem_type.into(), element.into()])?;
        let pushed = pushed.expect("vex_vec_push returns the vector");
        self.store_value(slot, &Type::Vec(Box::new(elem.clone())), pushed)?;
        self.builder.build_unconditional_branch(done)?;

        self.builder.position_at_end(done);
        Ok(())
    }

    /// The `VexElemType` constant of vectors of `ty` (made on first use): size and
    /// alignment from `ir::layout`, the kind `vex_vec_sort` orders by, and retain and
    /// release functions that walk the element's references (NULL for plain bytes).
    pub(super) fn elem_type(&mut self, ty: &Type) -> PointerValue<'ctx> {
        if let Some(global) = self.elem_types.get(ty) {
            return global.as_pointer_value();
        }
        let name = format!("vex.elem{}", self.elem_types.len());
        let ptr = self.abi.ptr_type();
        let (retain, release) = if ty.needs_drop(&self.types) {
            let fn_type = self.context.void_type().fn_type(&[ptr.into()], false);
            let helper = |what: &str| {
                let f = self.module.add_function(
                    &format!("{name}.{what}"),
                    fn_type,
                    Some(Linkage::Internal),
                );
                f.add_attribute(AttributeLoc::Function, self.abi.enum_attribute("nounwind"));
                f
            };
            let (retain, release) = (helper("retain"), helper("release"));
            self.elem_helpers.push((ty.clone(), retain, release));
            (
                retain.as_global_value().as_pointer_value(),
                release.as_global_value().as_pointer_value(),
            )
        } else {
            (ptr.const_null(), ptr.const_null())
        };
        let layout = layout_of(ty, &self.types);
        let i32_type = self.context.i32_type();
        let struct_type = self.abi.struct_type(&abi::ELEM_TYPE);
        let value = struct_type.const_named_struct(&[
            self.i64(layout.size).into(),
            self.i64(layout.align).into(),
            retain.into(),
            release.into(),
            i32_type.const_int(u64::from(elem_kind(ty)), false).into(),
            i32_type.const_zero().into(),
        ]);
        let global = self.module.add_global(struct_type, None, &name);
        global.set_initializer(&value);
        global.set_constant(true);
        global.set_linkage(Linkage::Private);
        global.set_unnamed_addr(true);
        global.set_alignment(8);
        self.elem_types.insert(ty.clone(), global);
        global.as_pointer_value()
    }

    /// Defines the retain and release functions of the element types made so far:
    /// `void f(void *elem)` walking the element's references (C ABI: the runtime calls
    /// them). Runs after the program's functions, without debug locations (the helpers
    /// have no subprogram).
    pub(super) fn define_elem_helpers(&mut self) -> Result<(), Error> {
        for (ty, retain, release) in std::mem::take(&mut self.elem_helpers) {
            for (function, is_retain) in [(retain, true), (release, false)] {
                let entry = self.context.append_basic_block(function, "entry");
                self.builder.position_at_end(entry);
                let elem = function.get_nth_param(0).expect("elem").into_pointer_value();
                self.walk_references(function, elem, &ty, is_retain)?;
                self.builder.build_return(None)?;
            }
        }
        Ok(())
    }
}
