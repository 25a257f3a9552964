//! Files, TCP and the process builtins (LANGUAGE.md §13): [`RtOp::IoReadFile`] …
//! [`RtOp::Exit`] as calls of `vex_rt.h`'s "Async I/O" and "Process" functions.
//!
//! Every operation that can wait returns the future of a runtime task; its result, a
//! `Result<T, IoError>` (`VEX_IO_RESULT_SIZE` bytes, the payload at
//! `VEX_IO_PAYLOAD_OFFSET`) or a `bool`, is laid out as `ir::layout` lays out the IR type
//! of the future's value (the test below holds the two together), so awaiting it is an
//! ordinary `vex_future_take` into the destination. Operands are borrowed: they are
//! passed as they are, and the IR releases its temporaries after the call. `getEnv`
//! writes its `Option<string>` (`VEX_OPTION_SIZE` bytes) straight into the destination;
//! `exit` does not return (the IR ends its block in `unreachable`).

use super::*;

impl<'a, 'ctx> Codegen<'a, 'ctx> {
    /// A §13 operation on the scalar operands `values`; stores its result into `dest`.
    pub(super) fn io_op(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        dest: Option<ir::LocalId>,
        op: RtOp,
        values: &[BasicValueEnum<'ctx>],
    ) -> Result<(), Error> {
        let ctx: BasicMetadataValueEnum<'ctx> = cx.ctx.into();
        let mut call_args: Vec<BasicMetadataValueEnum<'ctx>> = Vec::new();
        if op == RtOp::GetEnv {
            // The option goes straight into the destination's slot.
            let out = match dest.and_then(|d| cx.locals[d.index()]) {
                Some(slot) => slot,
                None => self.temp(cx, &Type::Option(Box::new(Type::String)))?,
            };
            self.call_rt(RtFn::GetEnv, &[values[0].into(), out.into()])?;
            return Ok(());
        }
        // Every other operation is the runtime function of its name, called with the
        // worker context when it starts a task, then the operands as they are.
        let function = RtFn::from_name(op.c_name())
            .ok_or_else(|| Error::Unsupported(format!("{} has no runtime function", op.name())))?;
        if op.io_future_result().is_some() {
            call_args.push(ctx);
        }
        call_args.extend(values.iter().map(|v| BasicMetadataValueEnum::from(*v)));
        let result = self.call_rt(function, &call_args)?;
        self.store_runtime_result(cx, dest, result)
    }
}

#[cfg(test)]
mod tests {
    use vex_async_lower::ir::layout::{layout_of, payload_offset};
    use vex_async_lower::ir::{IoTy, RtOp, Type, TypeDefs};
    use vex_rt_sys::ffi;

    /// The runtime writes its results where `ir::layout` says the IR's values live.
    #[test]
    fn io_results_are_laid_out_as_the_runtime_writes_them() {
        let types = TypeDefs::default();
        let ops = [
            RtOp::IoReadFile,
            RtOp::IoWriteFile,
            RtOp::IoExists,
            RtOp::IoFileOpen,
            RtOp::IoFileWrite,
            RtOp::IoTcpBind,
            RtOp::IoTcpAccept,
            RtOp::IoTcpWrite,
        ];
        for op in ops {
            let result = op.io_future_result().unwrap();
            let layout = layout_of(&result, &types);
            if result == Type::Bool {
                assert_eq!(layout.size, ffi::VEX_IO_BOOL_RESULT_SIZE as u64);
                continue;
            }
            assert_eq!(layout.size, ffi::VEX_IO_RESULT_SIZE as u64, "{op:?}");
            assert_eq!(layout.align, 8, "{op:?}");
            let Type::Result(ok, _) = &result else { panic!("{op:?} gives {result:?}") };
            if **ok != Type::Unit {
                assert_eq!(
                    payload_offset(&result, 0, 0, &types),
                    ffi::VEX_IO_PAYLOAD_OFFSET as u64
                );
            }
            assert_eq!(payload_offset(&result, 1, 0, &types), ffi::VEX_IO_PAYLOAD_OFFSET as u64);
            let Type::Result(_, err) = &result else { unreachable!() };
            assert_eq!(**err, Type::Io(IoTy::Error));
        }
        let option = Type::Option(Box::new(Type::String));
        assert_eq!(layout_of(&option, &types).size, ffi::VEX_OPTION_SIZE as u64);
        assert_eq!(payload_offset(&option, 0, 0, &types), ffi::VEX_OPTION_PAYLOAD_OFFSET as u64);
        assert_eq!(ffi::VEX_IO_OK, 0);
        assert_eq!(ffi::VEX_OPTION_SOME, 0);
    }
}
