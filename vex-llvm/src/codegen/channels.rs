//! Channels and `select` (LANGUAGE.md §11): the runtime operations
//! ([`RtOp::ChanNew`] … [`RtOp::SelectResume`]) as calls of `vex_rt.h`'s channel API.
//!
//! A wait record ([`Type::Waiter`]) or a select's record ([`Type::Select`]) is passed
//! by address: in a resume function a pinned one is its field of the state (see
//! `define_function`), so the runtime may keep the address while the task is
//! suspended. A select's arms (`VexSelectArm`) follow its `VexSelect` in the same
//! record; they are filled when the select starts and left alone on resume (the
//! runtime keeps its locking order in them). Parking itself is the IR's
//! ([`Terminator::Park`] became a `YIELDED` return in the coroutine transform).

use super::*;

impl<'a, 'ctx> Codegen<'a, 'ctx> {
    /// The address of the record an operand names.
    fn record_ptr(
        &self,
        cx: &FnCx<'a, 'ctx>,
        operand: &Operand,
    ) -> Result<PointerValue<'ctx>, Error> {
        match operand {
            Operand::Copy(place) => Ok(self.place_ptr(cx, place)?.0),
            Operand::Const(c) => Err(Error::Unsupported(format!("wait record {c:?}"))),
        }
    }

    /// A channel or select operation; stores its result into `dest`.
    pub(super) fn channel_op(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        dest: Option<ir::LocalId>,
        op: RtOp,
        args: &[Operand],
    ) -> Result<(), Error> {
        let ctx: BasicMetadataValueEnum<'ctx> = cx.ctx.into();
        let result = match op {
            RtOp::ChanNew => {
                let dest_ty = dest.map(|d| cx.ir.local_ty(d).clone());
                let Some(Type::Channel(elem)) = dest_ty else {
                    return Err(Error::Unsupported(format!("chan_new into {dest_ty:?}")));
                };
                let elem = self.elem_type(&elem);
                let cap = self.scalar_required(cx, &args[0])?;
                self.call_rt(RtFn::ChanNew, &[elem.into(), cap.into()])?
            }
            RtOp::ChanSend | RtOp::ChanSendResume | RtOp::ChanRecv | RtOp::ChanRecvResume => {
                let f = match op {
                    RtOp::ChanSend => RtFn::ChanSend,
                    RtOp::ChanSendResume => RtFn::ChanSendResume,
                    RtOp::ChanRecv => RtFn::ChanRecv,
                    _ => RtFn::ChanRecvResume,
                };
                let ch = self.scalar_required(cx, &args[0])?;
                let record = self.record_ptr(cx, &args[1])?;
                self.call_rt(f, &[ctx, ch.into(), record.into()])?
            }
            RtOp::ChanTrySend | RtOp::ChanTryRecv => {
                let f = if op == RtOp::ChanTrySend { RtFn::ChanTrySend } else { RtFn::ChanTryRecv };
                let ch = self.scalar_required(cx, &args[0])?;
                let record = self.record_ptr(cx, &args[1])?;
                let slot = self.offset_ptr(record, self.i64(layout::CHAN_WAITER_SIZE))?;
                self.call_rt(f, &[ch.into(), slot.into()])?
            }
            RtOp::ChanClose | RtOp::ChanLen | RtOp::ChanCap | RtOp::ChanIsClosed => {
                let f = match op {
                    RtOp::ChanClose => RtFn::ChanClose,
                    RtOp::ChanLen => RtFn::ChanLen,
                    RtOp::ChanCap => RtFn::ChanCap,
                    _ => RtFn::ChanIsClosed,
                };
                let ch = self.scalar_required(cx, &args[0])?;
                self.call_rt(f, &[ch.into()])?
            }
            RtOp::SelectStart | RtOp::SelectResume => {
                let select = self.record_ptr(cx, &args[0])?;
                let arms_ptr = self.offset_ptr(select, self.i64(layout::SELECT_SIZE))?;
                let arms = &args[3..];
                let n = self.context.i32_type().const_int((arms.len() / 3) as u64, false);
                if op == RtOp::SelectResume {
                    self.call_rt(
                        RtFn::SelectResume,
                        &[ctx, select.into(), arms_ptr.into(), n.into()],
                    )?
                } else {
                    for (i, arm) in arms.chunks(3).enumerate() {
                        let at = self.i64(i as u64 * layout::SELECT_ARM_SIZE);
                        let arm_ptr = self.offset_ptr(arms_ptr, at)?;
                        let ch = self.scalar_required(cx, &arm[0])?;
                        self.builder.build_store(arm_ptr, ch)?;
                        let record = self.record_ptr(cx, &arm[1])?;
                        let waiter_field = self.offset_ptr(arm_ptr, self.i64(8))?;
                        self.builder.build_store(waiter_field, record)?;
                        let kind = self.scalar_required(cx, &arm[2])?;
                        let kind_field = self.offset_ptr(arm_ptr, self.i64(16))?;
                        self.builder.build_store(kind_field, kind)?;
                    }
                    let after = self.scalar_required(cx, &args[1])?;
                    let has_default = self.scalar_required(cx, &args[2])?;
                    let has_default = self.bool_to_i1(has_default)?;
                    let call_args = [
                        ctx,
                        select.into(),
                        arms_ptr.into(),
                        n.into(),
                        after.into(),
                        has_default.into(),
                    ];
                    self.call_rt(RtFn::Select, &call_args)?
                }
            }
            other => {
                return Err(Error::Unsupported(format!(
                    "{} is not a channel operation",
                    other.name()
                )));
            }
        };
        self.store_runtime_result(cx, dest, result)
    }
}
