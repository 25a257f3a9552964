//! Host calls: for every free function whose parameters and result a host can pass (see
//! [`vex_async_lower::backend::host_signature`]), an exported thunk `vex_call.F(ctx, args, ret)` with one C
//! signature for all: `args` points to the parameters laid out like the IR tuple of
//! their types (`ir::layout`), `ret` to room for the result (a synchronous function's
//! value, or an async function's `VexFuture *`). The thunk loads the parameters, calls
//! `vex.F` by the internal convention and stores the result. So every function stays
//! callable from a host at every optimisation level (the thunk keeps it alive), and a
//! host needs no code generated per signature. Ownership moves as in a call between Vex
//! functions: the callee owns the parameters, the caller (host) the result.

use super::{Codegen, is_aggregate};
use crate::Error;
use inkwell::module::Linkage;
use inkwell::values::{BasicMetadataValueEnum, BasicValue};
use vex_async_lower::ir::layout::fields_layout;
use vex_async_lower::ir::{self, Type};

/// The symbol of the host thunk of the function `name`.
pub fn host_call_symbol(name: &str) -> String {
    format!("vex_call.{name}")
}

impl<'ctx> Codegen<'_, 'ctx> {
    /// Defines the host thunk of `function` (which must have a
    /// [`vex_async_lower::backend::host_signature`]).
    pub(super) fn define_host_thunk(&mut self, function: &ir::Function) -> Result<(), Error> {
        let ptr = self.abi.ptr_type();
        let thunk = self.module.add_function(
            &host_call_symbol(&function.name),
            self.context.void_type().fn_type(&[ptr.into(), ptr.into(), ptr.into()], false),
            Some(Linkage::External),
        );
        let callee = self.functions[&*function.name];
        self.builder.position_at_end(self.context.append_basic_block(thunk, "entry"));
        let ctx = thunk.get_nth_param(0).expect("ctx").into_pointer_value();
        let args = thunk.get_nth_param(1).expect("args").into_pointer_value();
        let ret = thunk.get_nth_param(2).expect("ret").into_pointer_value();
        let param_types: Vec<&Type> =
            function.params.iter().map(|p| function.local_ty(*p)).collect();
        let (_, offsets) = fields_layout(param_types.iter().copied(), &self.types);
        let mut call_args: Vec<BasicMetadataValueEnum<'ctx>> = vec![ctx.into()];
        if is_aggregate(&function.ret) {
            call_args.push(ret.into());
        }
        for (ty, offset) in param_types.iter().zip(offsets) {
            let at = self.offset_ptr(args, self.i64(offset))?;
            if is_aggregate(ty) {
                call_args.push(at.into());
            } else if let Some(scalar) = self.scalar_type(ty) {
                let value = self.builder.build_load(scalar, at, "arg")?;
                value
                    .as_instruction_value()
                    .expect("a load")
                    .set_alignment(self.align_of(ty))
                    .map_err(Error::llvm)?;
                call_args.push(value.into());
            }
        }
        let result = self.builder.build_call(callee, &call_args, "result")?;
        if let Some(value) = result.try_as_basic_value().basic()
            && !is_aggregate(&function.ret)
        {
            let store = self.builder.build_store(ret, value)?;
            store.set_alignment(self.align_of(&function.ret)).map_err(Error::llvm)?;
        }
        self.builder.build_return(None)?;
        Ok(())
    }
}
