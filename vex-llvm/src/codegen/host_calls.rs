//! Host calls: for every free function whose parameters and result a host can pass (see
//! [`vex_async_lower::backend::host_signature`]), an exported thunk `vex_call.F(ctx, args, ret)` with one C
//! signature for all: `args` points to the parameters laid out like the IR tuple of
//! their types (`ir::layout`), `ret` to room for the result (a synchronous function's
//! value, or an async function's `VexFuture *`). The thunk loads the parameters, calls
//! `vex.F` by the internal convention and stores the result. So every function stays
//! callable from a host at every optimisation level (the thunk keeps it alive), and a
//! host needs no code generated per signature. Ownership moves as in a call between Vex
//! functions: the callee owns the parameters, the caller (host) the result.

use super::{Codegen, FnCx, is_aggregate};
use crate::Error;
use crate::abi::RtFn;
use inkwell::module::Linkage;
use inkwell::values::{BasicMetadataValueEnum, BasicValue};
use vex_async_lower::ir::layout::{fields_layout, layout_of};
use vex_async_lower::ir::{self, ExternDecl, Operand, Place, Type};

/// The global that holds `{ dispatch, data }` of the host closure for the extern `name`.
pub fn host_closure_symbol(name: &str) -> String {
    format!("vex.host.{name}")
}

/// The symbol of the host thunk of the function `name`.
pub fn host_call_symbol(name: &str) -> String {
    format!("vex_call.{name}")
}

impl<'a, 'ctx> Codegen<'a, 'ctx> {
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

    /// A call of the extern `decl` that the host provides as a closure: the arguments
    /// go in a buffer laid out like the IR tuple of the parameter types, the dispatcher
    /// in the global `vex.host.NAME` is called with the closure's data, and a message it
    /// returns (the closure panicked) becomes a panic of this task at this call.
    pub(super) fn call_host_closure(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        dest: Option<&Place>,
        decl: &ExternDecl,
        args: &[Operand],
    ) -> Result<(), Error> {
        let ptr = self.abi.ptr_type();
        let slot_type = self.context.struct_type(&[ptr.into(), ptr.into()], false);
        let symbol = host_closure_symbol(&decl.name);
        let global = match self.module.get_global(&symbol) {
            Some(global) => global,
            None => {
                // Declared here, defined by the host: the JIT maps it onto host memory.
                let global = self.module.add_global(slot_type, None, &symbol);
                global.set_linkage(Linkage::External);
                global
            }
        };
        let (layout, offsets) = fields_layout(decl.params.iter(), &self.types);
        let bytes = |size: u64| {
            self.context.i8_type().array_type(u32::try_from(size.max(1)).expect("small"))
        };
        let args_buffer = self.builder.build_alloca(bytes(layout.size), "host_args")?;
        args_buffer.as_instruction().expect("alloca").set_alignment(8).map_err(Error::llvm)?;
        for ((arg, ty), offset) in args.iter().zip(&decl.params).zip(offsets) {
            let Some(value) = self.scalar(cx, arg)? else { continue };
            let at = self.offset_ptr(args_buffer, self.i64(offset))?;
            let store = self.builder.build_store(at, value)?;
            store.set_alignment(self.align_of(ty)).map_err(Error::llvm)?;
        }
        let ret_size = layout_of(&decl.ret, &self.types).size;
        let ret_buffer = self.builder.build_alloca(bytes(ret_size), "host_ret")?;
        ret_buffer.as_instruction().expect("alloca").set_alignment(8).map_err(Error::llvm)?;
        let slot = global.as_pointer_value();
        let dispatch = self.builder.build_load(ptr, slot, "dispatch")?.into_pointer_value();
        let data_at = self.builder.build_struct_gep(slot_type, slot, 1, "data_at")?;
        let data = self.builder.build_load(ptr, data_at, "data")?;
        let dispatch_type = ptr.fn_type(&[ptr.into(), ptr.into(), ptr.into()], false);
        let message = self
            .builder
            .build_indirect_call(
                dispatch_type,
                dispatch,
                &[data.into(), args_buffer.into(), ret_buffer.into()],
                "message",
            )?
            .try_as_basic_value()
            .basic()
            .expect("returns ptr")
            .into_pointer_value();
        let panicked = self.builder.build_is_not_null(message, "host_panicked")?;
        let panic_block = self.context.append_basic_block(cx.function, "host_panic");
        let ok_block = self.context.append_basic_block(cx.function, "host_ok");
        self.builder.build_conditional_branch(panicked, panic_block, ok_block)?;
        self.builder.position_at_end(panic_block);
        let file = self.c_string(&cx.ir.loc.file);
        let i32_type = self.context.i32_type();
        self.call_rt(
            RtFn::PanicCstr,
            &[
                file.into(),
                i32_type.const_int(u64::from(cx.loc.0), false).into(),
                i32_type.const_int(u64::from(cx.loc.1), false).into(),
                message.into(),
            ],
        )?;
        self.builder.build_unreachable()?;
        self.builder.position_at_end(ok_block);
        if let (Some(dest), Some(scalar)) = (dest, self.scalar_type(&decl.ret)) {
            let value = self.builder.build_load(scalar, ret_buffer, "host_result")?;
            let (dst, ty) = self.place_ptr(cx, dest)?;
            self.store_value(dst, &ty, value)?;
        }
        Ok(())
    }
}
