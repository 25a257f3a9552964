//! Function values and closure environments (LANGUAGE.md §10).
//!
//! - A function value (`fn(A…): R`) is the 16-byte aggregate `{ code, env }`
//!   (`ir::layout::FN_CODE_OFFSET`, `FN_ENV_OFFSET`): `code` is the address of `vex.F` of an IR
//!   function whose first parameter is an environment, `env` that environment or NULL
//!   ([`Rvalue::FnValue`]).
//! - A call through a value ([`Stmt::CallValue`]) is an indirect call with exactly the
//!   convention of a direct call of an IR function with parameters `[EnvPtr, A…]` and
//!   result `R`; the callee's environment reference passes to the code.
//! - An environment ([`Stmt::EnvAlloc`]) is a runtime block (`vex_env_alloc`) whose
//!   drop function is the module's [`FunctionKind::EnvDrop`] function of its struct,
//!   compiled with the C signature `void (*)(void *captures)` (see `takes_ctx`).
//!
//! Reference counting is the IR's: nothing here retains or releases.

use super::*;

impl<'a, 'ctx> Codegen<'a, 'ctx> {
    /// `place = fn_value(func, env)`.
    pub(super) fn fn_value(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        place: &Place,
        func: &str,
        env: Option<&Operand>,
    ) -> Result<(), Error> {
        let code = self
            .functions
            .get(func)
            .ok_or_else(|| Error::MissingFunction(func.to_string()))?
            .as_global_value()
            .as_pointer_value();
        // Read before the destination is written: the environment may come from it.
        let env = match env {
            Some(env) => self.scalar_required(cx, env)?.into_pointer_value(),
            None => self.abi.ptr_type().const_null(),
        };
        let (dst, _) = self.place_ptr(cx, place)?;
        let code_slot = self.offset_ptr(dst, self.i64(FN_CODE_OFFSET))?;
        self.builder.build_store(code_slot, code)?.set_alignment(8).map_err(Error::llvm)?;
        let env_slot = self.offset_ptr(dst, self.i64(FN_ENV_OFFSET))?;
        self.builder.build_store(env_slot, env)?.set_alignment(8).map_err(Error::llvm)?;
        Ok(())
    }

    /// `dest = callee(args…)` through the function value `callee`.
    pub(super) fn call_value(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        dest: Option<&Place>,
        callee: &Operand,
        args: &[Operand],
    ) -> Result<(), Error> {
        let callee_ty = self.operand_type(cx, callee);
        let Type::Fn(params, ret) = &callee_ty else {
            return Err(Error::Unsupported(format!("call of a {callee_ty:?}")));
        };
        let Operand::Copy(place) = callee else {
            return Err(Error::Unsupported(format!("call of the constant {callee:?}")));
        };
        let (value, _) = self.place_ptr(cx, place)?;
        let ptr_type = self.abi.ptr_type();
        let code_slot = self.offset_ptr(value, self.i64(FN_CODE_OFFSET))?;
        let code = self.builder.build_load(ptr_type, code_slot, "code")?;
        set_align(code, 8);
        let env_slot = self.offset_ptr(value, self.i64(FN_ENV_OFFSET))?;
        let env = self.builder.build_load(ptr_type, env_slot, "env")?;
        set_align(env, 8);
        // The code's own signature: an environment first, then the value's parameters.
        let env_param = Type::EnvPtr(None);
        let fn_type = self.signature_type(std::iter::once(&env_param).chain(params), ret, true);
        let mut call_args: Vec<BasicMetadataValueEnum<'ctx>> = vec![cx.ctx.into()];
        let ret_slot = self.result_slot(cx, ret, &mut call_args)?;
        call_args.push(env.into());
        self.call_arguments(cx, args, &mut call_args)?;
        let call =
            self.builder.build_indirect_call(fn_type, code.into_pointer_value(), &call_args, "")?;
        self.store_call_result(cx, dest, ret_slot, call)
    }

    /// `dest = vex_env_alloc(sizeof(S), S.drop)` for `dest: EnvPtr(Some(S))`.
    pub(super) fn env_alloc(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        dest: ir::LocalId,
    ) -> Result<(), Error> {
        let Type::EnvPtr(Some(name)) = cx.ir.local_ty(dest) else {
            return Err(Error::Unsupported(format!(
                "environment allocated into a {:?}",
                cx.ir.local_ty(dest)
            )));
        };
        let size = self.size_of(&Type::Struct(name.clone()));
        // A struct without references has no drop function: the runtime just frees it.
        let drop = self
            .ir
            .functions
            .iter()
            .find(|f| matches!(&f.kind, FunctionKind::EnvDrop { env } if env == name))
            .map_or(self.abi.ptr_type().const_null(), |f| {
                self.functions[&*f.name].as_global_value().as_pointer_value()
            });
        let env = self.call_rt(RtFn::EnvAlloc, &[self.i64(size).into(), drop.into()])?;
        let env = env.expect("vex_env_alloc returns the captures");
        let (slot, ty) = self.place_ptr(cx, &Place::local(dest))?;
        self.store_value(slot, &ty, env)
    }
}
