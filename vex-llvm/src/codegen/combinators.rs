//! The future combinators (LANGUAGE.md §12): [`RtOp::Join`] … [`RtOp::FutureIsReady`]
//! as calls of `vex_rt.h`'s combinator tasks. The input futures move in (their
//! handles are passed in an array on the stack, read during the call only); each
//! result type is described by its `VexElemType` (size and release), the same
//! constants vectors use, and a tuple's or an `Option`'s layout by byte offsets from
//! `ir::layout`. `f.map`/`f.then` are ordinary async functions made by lowering.

use super::*;

impl<'a, 'ctx> Codegen<'a, 'ctx> {
    /// An array of `values` (pointers or `u32`s) in a scratch slot of the entry block.
    fn array_of(
        &self,
        cx: &FnCx<'a, 'ctx>,
        elem: Type,
        values: &[BasicValueEnum<'ctx>],
    ) -> Result<PointerValue<'ctx>, Error> {
        let stride = self.size_of(&elem);
        let slot = self.temp(cx, &Type::Array(Box::new(elem), values.len() as u64))?;
        for (i, value) in values.iter().enumerate() {
            let at = self.offset_ptr(slot, self.i64(i as u64 * stride))?;
            self.builder.build_store(at, *value)?;
        }
        Ok(slot)
    }

    /// The result type `T` of the destination `Future<T>`.
    fn future_result(&self, cx: &FnCx<'a, 'ctx>, dest: Option<ir::LocalId>) -> Result<Type, Error> {
        match dest.map(|d| cx.ir.local_ty(d)) {
            Some(Type::Future(result)) => Ok((**result).clone()),
            other => Err(Error::Unsupported(format!("a combinator into {other:?}"))),
        }
    }

    /// A combinator operation; stores its result into `dest`.
    pub(super) fn combinator_op(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        dest: Option<ir::LocalId>,
        op: RtOp,
        args: &[Operand],
    ) -> Result<(), Error> {
        let ctx: BasicMetadataValueEnum<'ctx> = cx.ctx.into();
        let u32_const = |this: &Self, n: u64| this.context.i32_type().const_int(n, false);
        let pointer = Type::Future(Box::new(Type::Unit));
        let result = match op {
            RtOp::Join | RtOp::Race => {
                let futures =
                    args.iter()
                        .map(|a| self.scalar_required(cx, a))
                        .collect::<Result<Vec<_>, Error>>()?;
                let inputs = self.array_of(cx, pointer.clone(), &futures)?;
                let n = u32_const(self, futures.len() as u64);
                let result = self.future_result(cx, dest)?;
                if op == RtOp::Race {
                    let elem = self.elem_type(&result);
                    self.call_rt(RtFn::Race, &[ctx, inputs.into(), n.into(), elem.into()])?
                } else {
                    let fields = match &result {
                        Type::Tuple(fields) => fields.clone(),
                        other => vec![other.clone()],
                    };
                    let offsets = fields_layout(fields.iter(), &self.types).1;
                    let offsets: Vec<BasicValueEnum<'ctx>> =
                        offsets.iter().map(|o| u32_const(self, *o).into()).collect();
                    let offsets = self.array_of(cx, Type::Int(IntTy::U32), &offsets)?;
                    let types: Vec<BasicValueEnum<'ctx>> =
                        fields.iter().map(|f| self.elem_type(f).into()).collect();
                    let types = self.array_of(cx, pointer.clone(), &types)?;
                    let size = u32_const(self, self.size_of(&result));
                    let call_args =
                        [ctx, inputs.into(), n.into(), offsets.into(), types.into(), size.into()];
                    self.call_rt(RtFn::Join, &call_args)?
                }
            }
            RtOp::JoinAll | RtOp::RaceAll => {
                let vector = self.scalar_required(cx, &args[0])?;
                let result = self.future_result(cx, dest)?;
                if op == RtOp::JoinAll {
                    let Type::Vec(elem) = &result else {
                        return Err(Error::Unsupported(format!("joinAll into {result:?}")));
                    };
                    let elem = self.elem_type(elem);
                    self.call_rt(RtFn::JoinAll, &[ctx, vector.into(), elem.into()])?
                } else {
                    let elem = self.elem_type(&result);
                    self.call_rt(RtFn::RaceAll, &[ctx, vector.into(), elem.into()])?
                }
            }
            RtOp::Timeout => {
                let input = self.scalar_required(cx, &args[0])?;
                let ms = self.scalar_required(cx, &args[1])?;
                let option = self.future_result(cx, dest)?;
                let Type::Option(value) = &option else {
                    return Err(Error::Unsupported(format!("timeout into {option:?}")));
                };
                let value_type = self.elem_type(value);
                let payload = u32_const(self, payload_offset(&option, 0, 0, &self.types));
                let size = u32_const(self, self.size_of(&option));
                let call_args =
                    [ctx, input.into(), ms.into(), value_type.into(), payload.into(), size.into()];
                self.call_rt(RtFn::Timeout, &call_args)?
            }
            RtOp::ReadyFuture => {
                let ty = self.operand_type(cx, &args[0]);
                // The value by address: in place for an aggregate, else stored first.
                let value = match &args[0] {
                    Operand::Copy(place) if is_aggregate(&ty) => self.place_ptr(cx, place)?.0,
                    operand => {
                        let slot = self.temp(cx, &ty)?;
                        if let Some(v) = self.scalar(cx, operand)? {
                            self.store_value(slot, &ty, v)?;
                        }
                        slot
                    }
                };
                let elem = self.elem_type(&ty);
                self.call_rt(RtFn::ReadyFuture, &[ctx, value.into(), elem.into()])?
            }
            RtOp::FutureIsReady => {
                let future = self.scalar_required(cx, &args[0])?;
                self.call_rt(RtFn::FutureIsReady, &[future.into()])?
            }
            other => {
                return Err(Error::Unsupported(format!("{} is not a combinator", other.name())));
            }
        };
        self.store_runtime_result(cx, dest, result)
    }
}
