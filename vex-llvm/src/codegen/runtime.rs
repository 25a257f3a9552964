//! Calls out of generated code: `extern "C"` functions with C argument
//! extensions, runtime operations ([`RtOp`], one call each; those on vectors and
//! strings are in `values`), and the retain and release walks over every reference
//! inside a value.

use super::*;

impl<'a, 'ctx> Codegen<'a, 'ctx> {
    pub(super) fn call_extern(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        dest: Option<&Place>,
        func: &str,
        args: &[Operand],
    ) -> Result<(), Error> {
        let decl = self
            .ir
            .externs
            .iter()
            .find(|e| &*e.name == func)
            .ok_or_else(|| Error::MissingFunction(func.to_string()))?;
        if self.host_closures.iter().any(|c| c.as_str() == func) {
            return self.call_host_closure(cx, dest, decl, args);
        }
        let c_type = |ty: &Type| -> Option<BasicTypeEnum<'ctx>> {
            match ty {
                Type::Bool => Some(self.context.bool_type().into()),
                other => self.scalar_type(other),
            }
        };
        let function = match self.module.get_function(func) {
            Some(f) => f,
            None => {
                let params: Vec<BasicMetadataTypeEnum<'ctx>> =
                    decl.params.iter().filter_map(&c_type).map(Into::into).collect();
                let fn_type = match c_type(&decl.ret) {
                    Some(ret) => ret.fn_type(&params, false),
                    None => self.context.void_type().fn_type(&params, false),
                };
                let f = self.module.add_function(func, fn_type, Some(Linkage::External));
                // C promotes small integer arguments and results (SysV: the callee
                // may rely on the extension); bool included.
                for (idx, ty) in decl.params.iter().enumerate() {
                    if let Some(attr) = self.extension(ty) {
                        f.add_attribute(
                            AttributeLoc::Param(idx as u32),
                            self.abi.enum_attribute(attr),
                        );
                    }
                }
                if let Some(attr) = self.extension(&decl.ret) {
                    f.add_attribute(AttributeLoc::Return, self.abi.enum_attribute(attr));
                }
                f
            }
        };
        let mut call_args: Vec<BasicMetadataValueEnum<'ctx>> = Vec::new();
        for (arg, ty) in args.iter().zip(&decl.params) {
            let Some(value) = self.scalar(cx, arg)? else { continue };
            let value = if *ty == Type::Bool { self.bool_to_i1(value)?.into() } else { value };
            call_args.push(value.into());
        }
        let call = self.builder.build_call(function, &call_args, "")?;
        if let (Some(dest), Some(result)) = (dest, call.try_as_basic_value().basic()) {
            let result = if decl.ret == Type::Bool {
                self.i1_to_bool(result.into_int_value())?
            } else {
                result
            };
            let (dst, ty) = self.place_ptr(cx, dest)?;
            self.store_value(dst, &ty, result)?;
        }
        Ok(())
    }

    pub(super) fn extension(&self, ty: &Type) -> Option<&'static str> {
        match ty {
            Type::Bool => Some("zeroext"),
            Type::Int(int) if int.bits() < 32 => {
                Some(if int.is_signed() { "signext" } else { "zeroext" })
            }
            _ => None,
        }
    }

    pub(super) fn runtime(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        dest: Option<ir::LocalId>,
        op: RtOp,
        args: &[Operand],
    ) -> Result<(), Error> {
        if RtFn::from_name(op.c_name()).is_none() {
            return Err(missing_runtime_function(op));
        }
        // The captures of a defer push may be of any type (passed by address below), and
        // so is the array a vector is made from.
        let scalar_args = match op {
            RtOp::DeferPush => &args[..2],
            RtOp::VecFromArray => &[],
            // Wait records are passed by address (`channels`); the combinators' operands
            // by address or in arrays.
            op if op.is_channel_op() || op.is_combinator() => &[],
            _ => args,
        };
        let mut values = Vec::with_capacity(args.len());
        for arg in scalar_args {
            values.push(self.scalar_required(cx, arg)?);
        }
        let ctx: BasicMetadataValueEnum<'ctx> = cx.ctx.into();
        let null = self.abi.ptr_type().const_null();
        let usize_type = self.abi.usize_type();
        let usize_const = |n: u64| usize_type.const_int(n, false);
        let i32_type = self.context.i32_type();
        let print = |stream: u32, newline: bool| -> [BasicMetadataValueEnum<'ctx>; 3] {
            [
                i32_type.const_int(u64::from(stream), false).into(),
                values[0].into(),
                self.context.bool_type().const_int(u64::from(newline), false).into(),
            ]
        };
        let result = match op {
            RtOp::ChanNew
            | RtOp::ChanSend
            | RtOp::ChanSendResume
            | RtOp::ChanRecv
            | RtOp::ChanRecvResume
            | RtOp::ChanTrySend
            | RtOp::ChanTryRecv
            | RtOp::ChanClose
            | RtOp::ChanLen
            | RtOp::ChanCap
            | RtOp::ChanIsClosed
            | RtOp::SelectStart
            | RtOp::SelectResume => return self.channel_op(cx, dest, op, args),
            RtOp::Join
            | RtOp::JoinAll
            | RtOp::Race
            | RtOp::RaceAll
            | RtOp::Timeout
            | RtOp::ReadyFuture
            | RtOp::FutureIsReady => return self.combinator_op(cx, dest, op, args),
            RtOp::IoReadFile
            | RtOp::IoWriteFile
            | RtOp::IoAppendFile
            | RtOp::IoRemoveFile
            | RtOp::IoExists
            | RtOp::IoFileOpen
            | RtOp::IoFileCreate
            | RtOp::IoFileOpenAppend
            | RtOp::IoFileRead
            | RtOp::IoFileReadAll
            | RtOp::IoFileWrite
            | RtOp::IoTcpBind
            | RtOp::IoTcpAccept
            | RtOp::IoTcpConnect
            | RtOp::IoTcpRead
            | RtOp::IoTcpWrite
            | RtOp::IoClose
            | RtOp::IoListenerPort
            | RtOp::IoErrorCode
            | RtOp::IoErrorMessage
            | RtOp::Args
            | RtOp::GetEnv
            | RtOp::Exit => return self.io_op(cx, dest, op, &values),
            RtOp::VecWithCapacity
            | RtOp::VecFromArray
            | RtOp::VecLen
            | RtOp::VecSlice
            | RtOp::VecJoin
            | RtOp::StrLen
            | RtOp::StrByteAt
            | RtOp::StrSlice
            | RtOp::StrFind
            | RtOp::StrContains
            | RtOp::StrStartsWith
            | RtOp::StrEndsWith
            | RtOp::StrTrim
            | RtOp::StrSplit
            | RtOp::StrLines
            | RtOp::StrToUpper
            | RtOp::StrToLower
            | RtOp::StrRepeat
            | RtOp::StrToInt
            | RtOp::StrToFloat => self.value_op(cx, dest, op, args, &values)?,
            RtOp::StringConcat => {
                self.call_rt(RtFn::StringConcat, &[values[0].into(), values[1].into()])?
            }
            RtOp::StringCompare => {
                self.call_rt(RtFn::StringCompare, &[values[0].into(), values[1].into()])?
            }
            RtOp::StringFromI64 => self.call_rt(RtFn::StringFromI64, &[values[0].into()])?,
            RtOp::StringFromU64 => self.call_rt(RtFn::StringFromU64, &[values[0].into()])?,
            RtOp::StringFromF64 => self.call_rt(RtFn::StringFromF64, &[values[0].into()])?,
            RtOp::StringFromF32 => self.call_rt(RtFn::StringFromF32, &[values[0].into()])?,
            RtOp::StringFromBool => {
                let b = self.bool_to_i1(values[0])?;
                self.call_rt(RtFn::StringFromBool, &[b.into()])?
            }
            RtOp::Print => self.call_rt(RtFn::Print, &print(abi::STDOUT, false))?,
            RtOp::Println => self.call_rt(RtFn::Print, &print(abi::STDOUT, true))?,
            RtOp::Eprint => self.call_rt(RtFn::Print, &print(abi::STDERR, false))?,
            RtOp::Eprintln => self.call_rt(RtFn::Print, &print(abi::STDERR, true))?,
            RtOp::NowMs => self.call_rt(RtFn::NowMs, &[])?,
            RtOp::IsCancelled => {
                // `false` outside tasks, where there is no worker context.
                let in_task = self.context.append_basic_block(cx.function, "in_task");
                let join = self.context.append_basic_block(cx.function, "cancel_checked");
                let before = self.builder.get_insert_block().expect("positioned");
                let no_ctx = self.builder.build_is_null(cx.ctx, "")?;
                self.builder.build_conditional_branch(no_ctx, join, in_task)?;
                self.builder.position_at_end(in_task);
                let flag =
                    self.call_rt(RtFn::TaskCancelled, &[ctx])?.expect("bool").into_int_value();
                self.builder.build_unconditional_branch(join)?;
                self.builder.position_at_end(join);
                let phi = self.builder.build_phi(self.context.bool_type(), "cancelled")?;
                phi.add_incoming(&[
                    (&self.context.bool_type().const_zero(), before),
                    (&flag, in_task),
                ]);
                Some(phi.as_basic_value())
            }
            // Only at the start of resume functions, which always run with a context.
            RtOp::TornDown => self.call_rt(RtFn::TaskTornDown, &[ctx])?,
            RtOp::FutureCancel => self.call_rt(RtFn::FutureCancel, &[values[0].into()])?,
            RtOp::FuturePollOrRegister => {
                self.call_rt(RtFn::FuturePollOrRegister, &[ctx, values[0].into()])?
            }
            RtOp::WorkerYield => self.call_rt(RtFn::WorkerYield, &[ctx])?,
            RtOp::WorkerAwaitAfter => {
                let ms = values[0].into_int_value();
                let negative = self.builder.build_int_compare(
                    IntPredicate::SLT,
                    ms,
                    ms.get_type().const_zero(),
                    "",
                )?;
                let ms = self.builder.build_select(negative, ms.get_type().const_zero(), ms, "")?;
                self.call_rt(RtFn::WorkerAwaitAfter, &[ctx, ms.into()])?
            }
            RtOp::TaskFinishCancelled => self.call_rt(RtFn::TaskFinishCancelled, &[ctx])?,
            RtOp::TaskSpawn => self.call_rt(RtFn::TaskSpawn, &[ctx, values[0].into()])?,
            RtOp::DeferPush => {
                // vex_defer_push(list, site, &captures, sizeof(captures)): the record
                // copies the bytes, so the captures' own place is passed when they have one.
                let captures = &args[2];
                let ty = self.operand_type(cx, captures);
                let size = self.size_of(&ty);
                let ptr = match captures {
                    _ if size == 0 => null,
                    Operand::Copy(place) => self.place_ptr(cx, place)?.0,
                    Operand::Const(_) => {
                        let slot = self.temp(cx, &ty)?;
                        self.store_operand(cx, slot, captures)?;
                        slot
                    }
                };
                let args =
                    [values[0].into(), values[1].into(), ptr.into(), usize_const(size).into()];
                self.call_rt(RtFn::DeferPush, &args)?
            }
            RtOp::DeferTop => self.call_rt(RtFn::DeferTop, &[values[0].into()])?,
            RtOp::DeferTake => {
                // The captures are copied straight into the destination local.
                let (ptr, size) = match dest {
                    Some(dest) => {
                        let size = self.size_of(cx.ir.local_ty(dest));
                        match cx.locals[dest.index()] {
                            Some(slot) if size > 0 => (slot, size),
                            _ => (null, 0),
                        }
                    }
                    None => (null, 0),
                };
                let args = [values[0].into(), ptr.into(), usize_const(size).into()];
                self.call_rt(RtFn::DeferTake, &args)?;
                return Ok(());
            }
            RtOp::DeferPop => self.call_rt(RtFn::DeferPop, &[values[0].into()])?,
            RtOp::SleepFuture => self.call_rt(RtFn::SleepFuture, &[values[0].into()])?,
            RtOp::YieldFuture => self.call_rt(RtFn::YieldFuture, &[])?,
            RtOp::TaskSetDropResult => {
                // The hook is the DropResult function of the same state struct; like every
                // Vex function it takes ctx first, matching vex_drop_result_func.
                let Type::StatePtr(state) = self.operand_type(cx, &args[0]) else {
                    return Err(Error::Unsupported(format!(
                        "set_drop_result of {:?}",
                        self.operand_type(cx, &args[0])
                    )));
                };
                let drop = self
                    .ir
                    .functions
                    .iter()
                    .find(
                        |f| matches!(&f.kind, FunctionKind::DropResult { state: s } if *s == state),
                    )
                    .ok_or_else(|| Error::MissingFunction(format!("drop_result of {state}")))?;
                let hook = self.functions[&*drop.name].as_global_value().as_pointer_value();
                self.call_rt(RtFn::TaskSetDropResult, &[values[0].into(), hook.into()])?
            }
        };
        self.store_runtime_result(cx, dest, result)
    }

    /// Stores what a runtime function returned into `dest` (a C `bool` becomes a Vex
    /// `bool` byte).
    pub(super) fn store_runtime_result(
        &self,
        cx: &FnCx<'a, 'ctx>,
        dest: Option<ir::LocalId>,
        result: Option<BasicValueEnum<'ctx>>,
    ) -> Result<(), Error> {
        if let (Some(dest), Some(result)) = (dest, result) {
            let ty = cx.ir.local_ty(dest).clone();
            let result =
                if ty == Type::Bool && result.into_int_value().get_type().get_bit_width() == 1 {
                    self.i1_to_bool(result.into_int_value())?
                } else {
                    result
                };
            if let Some(slot) = cx.locals[dest.index()] {
                self.store_value(slot, &ty, result)?;
            }
        }
        Ok(())
    }

    /// Retains (`retain`) or releases every reference inside the value of `ty` at `ptr`.
    /// `function` is the one being built (the walk of an enum branches on its tag).
    pub(super) fn walk_references(
        &self,
        function: FunctionValue<'ctx>,
        ptr: PointerValue<'ctx>,
        ty: &Type,
        retain: bool,
    ) -> Result<(), Error> {
        if !ty.needs_drop(&self.types) {
            return Ok(());
        }
        match ty {
            Type::String => {
                let s = self.builder.build_load(self.abi.ptr_type(), ptr, "")?;
                let f = if retain { RtFn::StringRetain } else { RtFn::StringRelease };
                self.call_rt(f, &[s.into()])?;
            }
            // Futures are move-only: never retained; NULL (moved) is skipped.
            Type::Future(_) if !retain => {
                let f = self.builder.build_load(self.abi.ptr_type(), ptr, "")?.into_pointer_value();
                let release = self.context.append_basic_block(function, "release_future");
                let done = self.context.append_basic_block(function, "future_released");
                let is_null = self.builder.build_is_null(f, "")?;
                self.builder.build_conditional_branch(is_null, done, release)?;
                self.builder.position_at_end(release);
                self.call_rt(RtFn::FutureRelease, &[f.into()])?;
                self.builder.build_unconditional_branch(done)?;
                self.builder.position_at_end(done);
            }
            // The runtime's retain and release of vectors and environments accept NULL
            // (the empty vector, no environment).
            Type::Vec(_) => {
                let v = self.builder.build_load(self.abi.ptr_type(), ptr, "")?;
                let f = if retain { RtFn::VecRetain } else { RtFn::VecRelease };
                self.call_rt(f, &[v.into()])?;
            }
            Type::Channel(_) => {
                let ch = self.builder.build_load(self.abi.ptr_type(), ptr, "")?;
                let f = if retain { RtFn::ChanRetain } else { RtFn::ChanRelease };
                self.call_rt(f, &[ch.into()])?;
            }
            // Both accept NULL.
            Type::Io(io) => {
                let value = self.builder.build_load(self.abi.ptr_type(), ptr, "")?;
                let f = match (io, retain) {
                    (ir::IoTy::Error, true) => RtFn::IoErrorRetain,
                    (ir::IoTy::Error, false) => RtFn::IoErrorRelease,
                    (_, true) => RtFn::IoHandleRetain,
                    (_, false) => RtFn::IoHandleRelease,
                };
                self.call_rt(f, &[value.into()])?;
            }
            Type::EnvPtr(_) | Type::Fn(..) => {
                let offset = if matches!(ty, Type::Fn(..)) { FN_ENV_OFFSET } else { 0 };
                let env_ptr = self.offset_ptr(ptr, self.i64(offset))?;
                let env = self.builder.build_load(self.abi.ptr_type(), env_ptr, "env")?;
                let f = if retain { RtFn::EnvRetain } else { RtFn::EnvRelease };
                self.call_rt(f, &[env.into()])?;
            }
            Type::Tuple(elems) => {
                let offsets = fields_layout(elems.iter(), &self.types).1;
                for (elem, offset) in elems.iter().zip(offsets) {
                    let p = self.offset_ptr(ptr, self.i64(offset))?;
                    self.walk_references(function, p, elem, retain)?;
                }
            }
            Type::Struct(name) => {
                let fields = self.types.structs[name].fields.clone();
                for field in fields {
                    let p = self.offset_ptr(ptr, self.i64(field.offset))?;
                    self.walk_references(function, p, &field.ty, retain)?;
                }
            }
            Type::Array(elem, n) => {
                let stride = self.size_of(elem);
                for i in 0..*n {
                    let p = self.offset_ptr(ptr, self.i64(i * stride))?;
                    self.walk_references(function, p, elem, retain)?;
                }
            }
            Type::Enum(_) | Type::Option(_) | Type::Result(..) => {
                let variants = self.types.variants(ty).unwrap_or_default();
                let tag =
                    self.builder.build_load(self.context.i32_type(), ptr, "tag")?.into_int_value();
                let done = self.context.append_basic_block(function, "variant_done");
                let mut cases = Vec::new();
                let mut bodies = Vec::new();
                for (v, fields) in variants.iter().enumerate() {
                    if fields.iter().any(|f| f.needs_drop(&self.types)) {
                        let block = self.context.append_basic_block(function, "variant");
                        cases.push((self.context.i32_type().const_int(v as u64, false), block));
                        bodies.push((v as u32, block));
                    }
                }
                self.builder.build_switch(tag, done, &cases)?;
                for (v, block) in bodies {
                    self.builder.position_at_end(block);
                    for (f, field_ty) in variants[v as usize].iter().enumerate() {
                        let offset = payload_offset(ty, v, f as u32, &self.types);
                        let p = self.offset_ptr(ptr, self.i64(offset))?;
                        self.walk_references(function, p, field_ty, retain)?;
                    }
                    self.builder.build_unconditional_branch(done)?;
                }
                self.builder.position_at_end(done);
            }
            _ => {}
        }
        Ok(())
    }
}
