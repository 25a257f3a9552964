//! The walker from `vex_async_lower::ir::Module` (after the coroutine transform) to an
//! LLVM module: one LLVM function per IR function, one alloca per local, one LLVM block
//! per IR block, statements and terminators in order, runtime operations as calls of
//! the declarations in [`crate::abi`], plus the program entry ([`crate::entry`]).
//!
//! Conventions (internal to generated code; only resume functions, wrappers and the
//! entry follow the C ABI of `vex_rt.h`):
//! - every Vex function `F` is the LLVM function `vex.F` taking `WorkerContext *ctx`
//!   first; aggregates (tuples, arrays, structs, enums) are passed as pointers to the
//!   caller's copy and returned through a pointer after `ctx`; `()` is passed not at all;
//! - `bool` is an `i8` (0 or 1) everywhere except at C calls, where it is `i1 zeroext`;
//! - aggregates live in memory laid out by `ir::layout` (the IR's single source of truth
//!   for sizes and offsets, shared with the evaluator): fields are addressed by byte
//!   offset, so the overlapping slots of state structs need no LLVM struct type.
//!
//! It must not analyse or transform the IR: every decision (what to save, when to
//! release, where to suspend) was made by lowering; this file only spells it out.

use crate::Error;
use crate::abi::{self, RtFn, RuntimeAbi};
use crate::debug::DebugInfo;
use crate::entry::{self, MainFunction, MainResult};
use inkwell::attributes::AttributeLoc;
use inkwell::basic_block::BasicBlock;
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::debug_info::DISubprogram;
use inkwell::intrinsics::Intrinsic;
use inkwell::module::{Linkage, Module};
use inkwell::types::{BasicMetadataTypeEnum, BasicType, BasicTypeEnum, IntType};
use inkwell::values::{
    BasicMetadataValueEnum, BasicValue, BasicValueEnum, FunctionValue, GlobalValue, IntValue,
    PointerValue,
};
use inkwell::{FloatPredicate, IntPredicate};
use std::collections::HashMap;
use vex_async_lower::ir::layout::{fields_layout, layout_of, payload_offset};
use vex_async_lower::ir::{
    self, AggregateKind, BinOp, Const, FloatTy, FunctionKind, IntTy, Operand, Place, Proj, RtOp,
    Rvalue, Stmt, Terminator, Type, TypeDefs, UnOp,
};

/// The LLVM name of the Vex function `name`.
pub fn function_symbol(name: &str) -> String {
    format!("vex.{name}")
}

/// What [`compile_module_with`] generates besides the program's functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CodegenOptions {
    /// Also define the C `main` of an executable (the JIT needs only `vex_run_main`).
    pub with_c_main: bool,
    /// Emit DWARF line tables ([`crate::debug`]): a subprogram per IR function (named
    /// like it: `F`, `F.resume`) at its definition and a location on every instruction,
    /// from the IR's statement locations. Executables (`vex build`) turn it on; the JIT
    /// leaves it off (nothing there reads it, and it costs compile time).
    pub debug_info: bool,
}

/// Generates the LLVM module for a lowered IR module. With `with_c_main`, the module
/// also gets the C `main` of an executable; the JIT needs only `vex_run_main`. No debug
/// information: see [`compile_module_with`].
pub fn compile_module<'ctx>(
    context: &'ctx Context,
    target: &crate::HostTarget,
    module: &ir::Module,
    with_c_main: bool,
) -> Result<Module<'ctx>, Error> {
    compile_module_with(context, target, module, CodegenOptions { with_c_main, debug_info: false })
}

/// Generates the LLVM module for a lowered IR module as `options` say.
pub fn compile_module_with<'ctx>(
    context: &'ctx Context,
    target: &crate::HostTarget,
    module: &ir::Module,
    options: CodegenOptions,
) -> Result<Module<'ctx>, Error> {
    let llvm = context.create_module("vex");
    target.configure(&llvm);
    let abi = RuntimeAbi::new(context, &target.target_data());
    let debug = options.debug_info.then(|| {
        // The compile unit is named after the file of `main` (the program's entry).
        let main_file = module
            .function("main")
            .or(module.functions.first())
            .map_or_else(|| "main.vx".to_string(), |f| f.loc.file.to_string());
        let optimized = target.options().opt_level != crate::OptLevel::O0;
        DebugInfo::new(context, &llvm, &main_file, optimized)
    });
    let mut cg = Codegen {
        context,
        module: &llvm,
        abi,
        builder: context.create_builder(),
        types: module.type_defs(),
        ir: module,
        functions: HashMap::new(),
        strings: HashMap::new(),
        c_strings: HashMap::new(),
        debug,
    };
    for function in &module.functions {
        if function.has_waits() {
            return Err(Error::Unsupported(format!(
                "{} still has waits: run the coroutine transform first",
                function.name
            )));
        }
        if let FunctionKind::Wrapper { state, .. } = &function.kind {
            let align = cg.types.structs.get(state).map_or(1, |def| def.align);
            // vex_task_alloc places states 16-byte aligned after the task header.
            if align > abi::MAX_STATE_ALIGN {
                return Err(Error::Unsupported(format!(
                    "state {state} needs {align}-byte alignment"
                )));
            }
        }
        let value = cg.declare_function(function);
        cg.functions.insert(function.name.to_string(), value);
    }
    for function in &module.functions {
        let value = cg.functions[&*function.name];
        if crate::opt::unrolls_recursion(function, target.options().opt_level) {
            // A twin calls the original and the original calls the twin (see
            // `opt::unrolls_recursion`).
            let twin = cg.module.add_function(
                &format!("{}.rec", function_symbol(&function.name)),
                cg.function_type(function),
                Some(Linkage::Internal),
            );
            twin.add_attribute(AttributeLoc::Function, cg.abi.enum_attribute("nounwind"));
            cg.define_function(function, value, twin)?;
            cg.define_function(function, twin, value)?;
        } else {
            cg.define_function(function, value, value)?;
        }
    }
    cg.builder.unset_current_debug_location();
    if let Some(debug) = cg.debug.take() {
        debug.finalize();
    }
    let main = module.function("main").ok_or_else(|| Error::MissingFunction("main".into()))?;
    let main_value = cg.functions["main"];
    // Lowering makes every `main` a task (a synchronous one is wrapped there).
    let main = match (&main.kind, &main.ret) {
        (FunctionKind::Wrapper { .. }, Type::Future(inner)) => {
            MainFunction { wrapper: main_value, result: main_result(inner)? }
        }
        (kind, _) => return Err(Error::Unsupported(format!("main of kind {kind:?}"))),
    };
    let run_main = entry::define_run_main(&cg.abi, &llvm, main)?;
    if options.with_c_main {
        entry::define_c_main(&cg.abi, &llvm, run_main)?;
    }
    llvm.verify().map_err(|e| Error::InvalidModule(e.to_string()))?;
    Ok(llvm)
}

fn main_result(ty: &Type) -> Result<MainResult, Error> {
    match ty {
        Type::Unit => Ok(MainResult::Unit),
        Type::Int(IntTy::I32) => Ok(MainResult::I32),
        other => Err(Error::Unsupported(format!("main returning {other:?}"))),
    }
}

struct Codegen<'a, 'ctx> {
    context: &'ctx Context,
    module: &'a Module<'ctx>,
    abi: RuntimeAbi<'ctx>,
    builder: Builder<'ctx>,
    types: TypeDefs,
    ir: &'a ir::Module,
    functions: HashMap<String, FunctionValue<'ctx>>,
    strings: HashMap<String, GlobalValue<'ctx>>,
    c_strings: HashMap<String, GlobalValue<'ctx>>,
    /// Line tables, when asked for.
    debug: Option<DebugInfo<'ctx>>,
}

/// Per-function state of the walker.
struct FnCx<'a, 'ctx> {
    ir: &'a ir::Function,
    function: FunctionValue<'ctx>,
    /// What a call of the function itself calls: the function, or its twin when its
    /// recursion is unrolled.
    self_call: FunctionValue<'ctx>,
    ctx: PointerValue<'ctx>,
    /// One slot per local (`None` for `()`).
    locals: Vec<Option<PointerValue<'ctx>>>,
    blocks: Vec<BasicBlock<'ctx>>,
    /// Where an aggregate result goes.
    ret_slot: Option<PointerValue<'ctx>>,
    entry: BasicBlock<'ctx>,
}

fn is_aggregate(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(_) | Type::Array(..) | Type::Struct(_) | Type::Enum(_))
}

impl<'a, 'ctx> Codegen<'a, 'ctx> {
    fn i64(&self, value: u64) -> IntValue<'ctx> {
        self.context.i64_type().const_int(value, false)
    }

    fn int_type(&self, int: IntTy) -> IntType<'ctx> {
        match int.bits() {
            8 => self.context.i8_type(),
            16 => self.context.i16_type(),
            32 => self.context.i32_type(),
            _ => self.context.i64_type(),
        }
    }

    /// The LLVM type of a scalar value (`None` for `()` and aggregates).
    fn scalar_type(&self, ty: &Type) -> Option<BasicTypeEnum<'ctx>> {
        Some(match ty {
            Type::Unit | Type::Tuple(_) | Type::Array(..) | Type::Struct(_) | Type::Enum(_) => {
                return None;
            }
            Type::Bool => self.context.i8_type().into(),
            Type::Int(int) => self.int_type(*int).into(),
            Type::Float(FloatTy::F32) => self.context.f32_type().into(),
            Type::Float(FloatTy::F64) => self.context.f64_type().into(),
            Type::String | Type::Future(_) | Type::StatePtr(_) | Type::DeferList => {
                self.abi.ptr_type().into()
            }
            Type::CoroStatus => self.abi.coro_status_type().into(),
        })
    }

    fn size_of(&self, ty: &Type) -> u64 {
        layout_of(ty, &self.types).size
    }

    fn align_of(&self, ty: &Type) -> u32 {
        u32::try_from(layout_of(ty, &self.types).align).expect("small alignment")
    }

    /// The LLVM function type of an IR function (see the file's conventions).
    fn function_type(&self, function: &ir::Function) -> inkwell::types::FunctionType<'ctx> {
        let ptr = self.abi.ptr_type();
        let mut params: Vec<BasicMetadataTypeEnum<'ctx>> = vec![ptr.into()];
        if is_aggregate(&function.ret) {
            params.push(ptr.into());
        }
        for param in &function.params {
            let ty = function.local_ty(*param);
            if is_aggregate(ty) {
                params.push(ptr.into());
            } else if let Some(scalar) = self.scalar_type(ty) {
                params.push(scalar.into());
            }
        }
        match self.scalar_type(&function.ret) {
            Some(ret) => ret.fn_type(&params, false),
            None => self.context.void_type().fn_type(&params, false),
        }
    }

    fn declare_function(&self, function: &ir::Function) -> FunctionValue<'ctx> {
        // Internal: only generated code and the entry call these (resume functions
        // through pointers handed to the runtime).
        let value = self.module.add_function(
            &function_symbol(&function.name),
            self.function_type(function),
            Some(Linkage::Internal),
        );
        value.add_attribute(AttributeLoc::Function, self.abi.enum_attribute("nounwind"));
        value
    }

    fn string_literal(&mut self, text: &str) -> PointerValue<'ctx> {
        if let Some(global) = self.strings.get(text) {
            return global.as_pointer_value();
        }
        let name = format!("str.{}", self.strings.len());
        let global = self.abi.define_string_literal(self.module, &name, text.as_bytes());
        self.strings.insert(text.to_string(), global);
        global.as_pointer_value()
    }

    fn c_string(&mut self, text: &str) -> PointerValue<'ctx> {
        if let Some(global) = self.c_strings.get(text) {
            return global.as_pointer_value();
        }
        let bytes = self.context.const_string(text.as_bytes(), true);
        let global = self.module.add_global(
            bytes.get_type(),
            None,
            &format!("cstr.{}", self.c_strings.len()),
        );
        global.set_initializer(&bytes);
        global.set_constant(true);
        global.set_linkage(Linkage::Private);
        global.set_unnamed_addr(true);
        self.c_strings.insert(text.to_string(), global);
        global.as_pointer_value()
    }

    fn call_rt(
        &self,
        function: RtFn,
        args: &[BasicMetadataValueEnum<'ctx>],
    ) -> Result<Option<BasicValueEnum<'ctx>>, Error> {
        let call = self.builder.build_call(self.abi.declare(self.module, function), args, "")?;
        Ok(call.try_as_basic_value().basic())
    }

    fn intrinsic(
        &self,
        name: &str,
        types: &[BasicTypeEnum<'ctx>],
    ) -> Result<FunctionValue<'ctx>, Error> {
        Intrinsic::find(name)
            .and_then(|i| i.get_declaration(self.module, types))
            .ok_or_else(|| Error::Llvm(format!("no intrinsic {name}")))
    }

    /// `ptr + offset` bytes.
    fn offset_ptr(
        &self,
        ptr: PointerValue<'ctx>,
        offset: IntValue<'ctx>,
    ) -> Result<PointerValue<'ctx>, Error> {
        // SAFETY (of the IR): offsets come from ir::layout and stay inside the object.
        let gep = unsafe {
            self.builder.build_in_bounds_gep(self.context.i8_type(), ptr, &[offset], "")?
        };
        Ok(gep)
    }

    fn copy_bytes(
        &self,
        dst: PointerValue<'ctx>,
        src: PointerValue<'ctx>,
        ty: &Type,
    ) -> Result<(), Error> {
        let size = self.size_of(ty);
        if size > 0 {
            let align = self.align_of(ty);
            self.builder.build_memmove(dst, align, src, align, self.i64(size))?;
        }
        Ok(())
    }

    // ---- Functions ---------------------------------------------------------------------

    /// Defines `value` as the code of `function`, whose calls of itself call `self_call`.
    fn define_function(
        &mut self,
        function: &'a ir::Function,
        value: FunctionValue<'ctx>,
        self_call: FunctionValue<'ctx>,
    ) -> Result<(), Error> {
        let scope = self.debug.as_mut().map(|debug| {
            debug.subprogram(value, &function.name, &function.loc.file, function.loc.line)
        });
        let entry = self.context.append_basic_block(value, "entry");
        let blocks: Vec<BasicBlock<'ctx>> = (0..function.blocks.len())
            .map(|i| self.context.append_basic_block(value, &format!("bb{i}")))
            .collect();
        self.builder.position_at_end(entry);
        // The prologue (slots, parameters) is at the definition.
        self.set_location(scope, function, ir::Loc { line: 0, col: function.loc.col });
        let mut params = value.get_param_iter();
        let ctx = params.next().expect("ctx parameter").into_pointer_value();
        let ret_slot = if is_aggregate(&function.ret) {
            Some(params.next().expect("sret").into_pointer_value())
        } else {
            None
        };
        let mut locals = Vec::with_capacity(function.locals.len());
        for (idx, local) in function.locals.iter().enumerate() {
            let slot = match self.scalar_type(&local.ty) {
                Some(scalar) => Some(self.builder.build_alloca(scalar, &format!("l{idx}"))?),
                None if is_aggregate(&local.ty) => {
                    let size = u32::try_from(self.size_of(&local.ty)).map_err(|_| {
                        Error::Unsupported(format!("local {} is too large", local.name))
                    })?;
                    let bytes = self.context.i8_type().array_type(size);
                    let slot = self.builder.build_alloca(bytes, &format!("l{idx}"))?;
                    let align = self.align_of(&local.ty);
                    slot.as_instruction()
                        .expect("alloca")
                        .set_alignment(align)
                        .map_err(Error::llvm)?;
                    Some(slot)
                }
                None => None,
            };
            // Values holding references start as NULL, so a release on a path where the
            // local was never assigned is harmless.
            if let Some(slot) = slot
                && local.ty.needs_drop(&self.types)
            {
                let size = self.i64(self.size_of(&local.ty));
                self.builder.build_memset(
                    slot,
                    self.align_of(&local.ty),
                    self.context.i8_type().const_zero(),
                    size,
                )?;
            }
            locals.push(slot);
        }
        for param in &function.params {
            let ty = function.local_ty(*param);
            let Some(slot) = locals[param.index()] else { continue };
            let incoming = params.next().expect("parameter");
            if is_aggregate(ty) {
                self.copy_bytes(slot, incoming.into_pointer_value(), ty)?;
            } else {
                self.builder.build_store(slot, incoming)?;
            }
        }
        self.builder.build_unconditional_branch(blocks[0])?;
        let mut cx =
            FnCx { ir: function, function: value, self_call, ctx, locals, blocks, ret_slot, entry };
        for (idx, block) in function.blocks.iter().enumerate() {
            self.builder.position_at_end(cx.blocks[idx]);
            for (stmt, loc) in block.stmts_with_locs() {
                self.set_location(scope, function, loc);
                self.stmt(&mut cx, stmt)?;
            }
            self.set_location(scope, function, block.term_loc);
            self.terminator(&mut cx, &block.term)?;
        }
        Ok(())
    }

    /// Makes the next instructions carry `loc` (with debug information).
    fn set_location(
        &self,
        scope: Option<DISubprogram<'ctx>>,
        function: &ir::Function,
        loc: ir::Loc,
    ) {
        if let (Some(debug), Some(scope)) = (&self.debug, scope) {
            let (line, col) = function.line_col(loc);
            debug.set_location(&self.builder, scope, line, col);
        }
    }

    /// A scratch slot for a value of `ty`, allocated in the entry block.
    fn temp(&self, cx: &FnCx<'a, 'ctx>, ty: &Type) -> Result<PointerValue<'ctx>, Error> {
        let current = self.builder.get_insert_block().expect("positioned");
        match cx.entry.get_first_instruction() {
            Some(first) => self.builder.position_before(&first),
            None => self.builder.position_at_end(cx.entry),
        }
        let slot = match self.scalar_type(ty) {
            Some(scalar) => self.builder.build_alloca(scalar, "tmp")?,
            None => {
                let size = u32::try_from(self.size_of(ty).max(1))
                    .map_err(|_| Error::Unsupported("huge temporary".into()))?;
                let slot =
                    self.builder.build_alloca(self.context.i8_type().array_type(size), "tmp")?;
                slot.as_instruction()
                    .expect("alloca")
                    .set_alignment(self.align_of(ty))
                    .map_err(Error::llvm)?;
                slot
            }
        };
        self.builder.position_at_end(current);
        Ok(slot)
    }

    // ---- Places and operands -------------------------------------------------------------

    fn place_type(&self, cx: &FnCx<'a, 'ctx>, place: &Place) -> Type {
        cx.ir.place_ty(place, &self.types).expect("the validator rejects ill-typed places")
    }

    /// The address of a place and its type.
    fn place_ptr(
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
            let offset = match (&ty, proj) {
                (Type::Tuple(elems), Proj::Field(n)) => {
                    self.i64(fields_layout(elems.iter(), &self.types).1[*n as usize])
                }
                (Type::Struct(name), Proj::Field(n)) => {
                    self.i64(self.types.structs[name].fields[*n as usize].offset)
                }
                (Type::Array(elem, _), Proj::Index(index)) => {
                    let index_ty = cx.ir.local_ty(*index).clone();
                    let index = self.load_scalar(cx, &Place::local(*index))?.into_int_value();
                    let wide = match index_ty {
                        Type::Int(int) if int.is_signed() => self
                            .builder
                            .build_int_s_extend_or_bit_cast(index, self.context.i64_type(), "")?,
                        _ => self.builder.build_int_z_extend_or_bit_cast(
                            index,
                            self.context.i64_type(),
                            "",
                        )?,
                    };
                    let stride = self.i64(self.size_of(elem));
                    self.builder.build_int_mul(wide, stride, "")?
                }
                (Type::Enum(name), Proj::Payload { variant, field }) => {
                    self.i64(payload_offset(name, *variant, *field, &self.types))
                }
                (ty, proj) => {
                    return Err(Error::Unsupported(format!("projection {proj:?} of {ty:?}")));
                }
            };
            ptr = self.offset_ptr(ptr, offset)?;
            ty = self.types.project(&ty, proj).expect("the projection applies: offset found");
        }
        Ok((ptr, ty))
    }

    fn load_scalar(
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

    fn operand_type(&self, cx: &FnCx<'a, 'ctx>, operand: &Operand) -> Type {
        match operand {
            Operand::Copy(place) => self.place_type(cx, place),
            Operand::Const(c) => c.ty(),
        }
    }

    /// The value of a scalar operand (`None` for `()`).
    fn scalar(
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
                Const::NullFuture(_) | Const::NullDeferList => {
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

    fn scalar_required(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        operand: &Operand,
    ) -> Result<BasicValueEnum<'ctx>, Error> {
        self.scalar(cx, operand)?
            .ok_or_else(|| Error::Unsupported(format!("unit operand {operand:?} used as a value")))
    }

    /// Stores `operand` (scalar or aggregate) at `dst`.
    fn store_operand(
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

    fn store_value(
        &self,
        dst: PointerValue<'ctx>,
        ty: &Type,
        value: BasicValueEnum<'ctx>,
    ) -> Result<(), Error> {
        let store = self.builder.build_store(dst, value)?;
        store.set_alignment(self.align_of(ty)).map_err(Error::llvm)?;
        Ok(())
    }

    fn bool_to_i1(&self, value: BasicValueEnum<'ctx>) -> Result<IntValue<'ctx>, Error> {
        let zero = self.context.i8_type().const_zero();
        Ok(self.builder.build_int_compare(IntPredicate::NE, value.into_int_value(), zero, "")?)
    }

    fn i1_to_bool(&self, value: IntValue<'ctx>) -> Result<BasicValueEnum<'ctx>, Error> {
        Ok(self.builder.build_int_z_extend(value, self.context.i8_type(), "")?.into())
    }

    // ---- Statements ------------------------------------------------------------------------

    fn stmt(&mut self, cx: &mut FnCx<'a, 'ctx>, stmt: &Stmt) -> Result<(), Error> {
        match stmt {
            Stmt::Assign(place, rvalue) => self.assign(cx, place, rvalue),
            Stmt::Call { dest, func, args } => {
                let callee = self
                    .ir
                    .function(func)
                    .ok_or_else(|| Error::MissingFunction(func.to_string()))?;
                let value =
                    if *func == cx.ir.name { cx.self_call } else { self.functions[&**func] };
                let mut call_args: Vec<BasicMetadataValueEnum<'ctx>> = vec![cx.ctx.into()];
                let ret_slot = if is_aggregate(&callee.ret) {
                    let slot = self.temp(cx, &callee.ret)?;
                    call_args.push(slot.into());
                    Some(slot)
                } else {
                    None
                };
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
                let call = self.builder.build_call(value, &call_args, "")?;
                if let Some(dest) = dest {
                    let (dst, ty) = self.place_ptr(cx, dest)?;
                    if let Some(slot) = ret_slot {
                        self.copy_bytes(dst, slot, &ty)?;
                    } else if let Some(result) = call.try_as_basic_value().basic() {
                        self.store_value(dst, &ty, result)?;
                    }
                }
                Ok(())
            }
            Stmt::CallExtern { dest, func, args } => {
                self.call_extern(cx, dest.as_ref(), func, args)
            }
            Stmt::Runtime { dest, op, args } => self.runtime(cx, *dest, *op, args),
            Stmt::Retain(place) => {
                let (ptr, ty) = self.place_ptr(cx, place)?;
                self.walk_references(cx, ptr, &ty, true)
            }
            Stmt::Release(place) => {
                let (ptr, ty) = self.place_ptr(cx, place)?;
                self.walk_references(cx, ptr, &ty, false)
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

    fn state_field(
        &self,
        cx: &FnCx<'a, 'ctx>,
        state: ir::LocalId,
        field: u32,
    ) -> Result<(PointerValue<'ctx>, Type), Error> {
        let Type::StatePtr(name) = cx.ir.local_ty(state) else {
            return Err(Error::Unsupported(format!(
                "state access through a non-state local in {}",
                cx.ir.name
            )));
        };
        let field = &self.types.structs[name].fields[field as usize];
        let base = self.load_scalar(cx, &Place::local(state))?.into_pointer_value();
        Ok((self.offset_ptr(base, self.i64(field.offset))?, field.ty.clone()))
    }

    fn assign(
        &mut self,
        cx: &mut FnCx<'a, 'ctx>,
        place: &Place,
        rvalue: &Rvalue,
    ) -> Result<(), Error> {
        let dest_ty = self.place_type(cx, place);
        match rvalue {
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
                    AggregateKind::Variant(name, variant) => {
                        let tag = self.context.i32_type().const_int(u64::from(*variant), false);
                        self.builder.build_store(tmp, tag)?;
                        (0..operands.len() as u32)
                            .map(|f| payload_offset(name, *variant, f, &self.types))
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

    fn binary(
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

    fn cast(
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

    fn call_extern(
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

    fn extension(&self, ty: &Type) -> Option<&'static str> {
        match ty {
            Type::Bool => Some("zeroext"),
            Type::Int(int) if int.bits() < 32 => {
                Some(if int.is_signed() { "signext" } else { "zeroext" })
            }
            _ => None,
        }
    }

    fn runtime(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
        dest: Option<ir::LocalId>,
        op: RtOp,
        args: &[Operand],
    ) -> Result<(), Error> {
        if RtFn::from_name(op.c_name()).is_none() {
            return Err(missing_runtime_function(op));
        }
        // The captures of a defer push may be of any type (passed by address below).
        let scalar_args = if op == RtOp::DeferPush { &args[..2] } else { args };
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
    fn walk_references(
        &mut self,
        cx: &FnCx<'a, 'ctx>,
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
                let release = self.context.append_basic_block(cx.function, "release_future");
                let done = self.context.append_basic_block(cx.function, "future_released");
                let is_null = self.builder.build_is_null(f, "")?;
                self.builder.build_conditional_branch(is_null, done, release)?;
                self.builder.position_at_end(release);
                self.call_rt(RtFn::FutureRelease, &[f.into()])?;
                self.builder.build_unconditional_branch(done)?;
                self.builder.position_at_end(done);
            }
            Type::Tuple(elems) => {
                let offsets = fields_layout(elems.iter(), &self.types).1;
                for (elem, offset) in elems.iter().zip(offsets) {
                    let p = self.offset_ptr(ptr, self.i64(offset))?;
                    self.walk_references(cx, p, elem, retain)?;
                }
            }
            Type::Struct(name) => {
                let fields = self.types.structs[name].fields.clone();
                for field in fields {
                    let p = self.offset_ptr(ptr, self.i64(field.offset))?;
                    self.walk_references(cx, p, &field.ty, retain)?;
                }
            }
            Type::Array(elem, n) => {
                let stride = self.size_of(elem);
                for i in 0..*n {
                    let p = self.offset_ptr(ptr, self.i64(i * stride))?;
                    self.walk_references(cx, p, elem, retain)?;
                }
            }
            Type::Enum(name) => {
                let variants = self.types.enums[name].variants.clone();
                let tag =
                    self.builder.build_load(self.context.i32_type(), ptr, "tag")?.into_int_value();
                let done = self.context.append_basic_block(cx.function, "variant_done");
                let mut cases = Vec::new();
                let mut bodies = Vec::new();
                for (v, variant) in variants.iter().enumerate() {
                    if variant.fields.iter().any(|f| f.needs_drop(&self.types)) {
                        let block = self.context.append_basic_block(cx.function, "variant");
                        cases.push((self.context.i32_type().const_int(v as u64, false), block));
                        bodies.push((v as u32, block));
                    }
                }
                self.builder.build_switch(tag, done, &cases)?;
                for (v, block) in bodies {
                    self.builder.position_at_end(block);
                    for (f, field_ty) in variants[v as usize].fields.iter().enumerate() {
                        let offset = payload_offset(name, v, f as u32, &self.types);
                        let p = self.offset_ptr(ptr, self.i64(offset))?;
                        self.walk_references(cx, p, field_ty, retain)?;
                    }
                    self.builder.build_unconditional_branch(done)?;
                }
                self.builder.position_at_end(done);
            }
            _ => {}
        }
        Ok(())
    }

    // ---- Terminators -------------------------------------------------------------------------

    fn terminator(&mut self, cx: &mut FnCx<'a, 'ctx>, term: &Terminator) -> Result<(), Error> {
        match term {
            Terminator::Goto(target) => {
                self.builder.build_unconditional_branch(cx.blocks[target.index()])?;
            }
            Terminator::Branch { cond, then_block, else_block } => {
                let value = self.scalar_required(cx, cond)?;
                let flag = self.bool_to_i1(value)?;
                self.builder.build_conditional_branch(
                    flag,
                    cx.blocks[then_block.index()],
                    cx.blocks[else_block.index()],
                )?;
            }
            Terminator::Switch { value, cases, default } => {
                let scrutinee = self.scalar_required(cx, value)?.into_int_value();
                let ty = scrutinee.get_type();
                let cases: Vec<(IntValue<'ctx>, BasicBlock<'ctx>)> = cases
                    .iter()
                    .map(|(v, b)| (ty.const_int(*v as u64, true), cx.blocks[b.index()]))
                    .collect();
                self.builder.build_switch(scrutinee, cx.blocks[default.index()], &cases)?;
            }
            Terminator::Return(value) => {
                let returned = match value {
                    Some(operand) if is_aggregate(&self.operand_type(cx, operand)) => {
                        let slot = cx.ret_slot.expect("aggregate results have a slot");
                        self.store_operand(cx, slot, operand)?;
                        None
                    }
                    Some(operand) => self.scalar(cx, operand)?,
                    None => None,
                };
                match returned {
                    Some(v) => self.builder.build_return(Some(&v as &dyn BasicValue<'ctx>))?,
                    None => self.builder.build_return(None)?,
                };
            }
            Terminator::Panic { loc, message } => {
                let file = self.c_string(&loc.file);
                let message = self.scalar_required(cx, message)?;
                let i32_type = self.context.i32_type();
                self.call_rt(
                    RtFn::Panic,
                    &[
                        file.into(),
                        i32_type.const_int(u64::from(loc.line), false).into(),
                        i32_type.const_int(u64::from(loc.col), false).into(),
                        message.into(),
                    ],
                )?;
                self.builder.build_unreachable()?;
            }
            Terminator::Unreachable => {
                let trap = self.intrinsic("llvm.trap", &[])?;
                self.builder.build_call(trap, &[], "")?;
                self.builder.build_unreachable()?;
            }
            other => {
                return Err(Error::Unsupported(format!(
                    "{} ends with {other:?}: run the coroutine transform first",
                    cx.ir.name
                )));
            }
        }
        Ok(())
    }
}

/// The error for an IR runtime operation whose C function the runtime does not export.
pub fn missing_runtime_function(op: RtOp) -> Error {
    Error::MissingRuntimeFunction { op: op.name(), c_name: op.c_name() }
}

fn set_align(value: BasicValueEnum<'_>, align: u32) {
    if let Some(instruction) = value.as_instruction_value() {
        // Loads accept any power-of-two alignment; failure would mean a non-load.
        let _ = instruction.set_alignment(align);
    }
}

fn unreachable_ty<T>(ty: &Type) -> Result<T, Error> {
    Err(Error::Unsupported(format!("aggregate of the wrong type {ty:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HostTarget, Jit, OptLevel, RunOptions, TargetOptions};
    use salsa::Setter;
    use std::path::{Path, PathBuf};
    use vex_async_lower::eval::{Mode, Options, run_main};
    use vex_async_lower::module_ir;
    use vex_hir::{Program, RootDatabase, SourceFile};

    /// The lowered IR of one source file (named `path` in diagnostics and panics).
    fn lower(path: &str, text: &str) -> ir::Module {
        let mut db = RootDatabase::default();
        let file = SourceFile::new(&db, path.to_string(), text.to_string());
        Program::get(&db).set_files(&mut db).to(vec![file]);
        module_ir(&db)
    }

    /// What a program did: stdout, stderr, exit code.
    type Observed = (String, String, i32);

    fn run_jit(module: &ir::Module, level: OptLevel) -> Result<Observed, Error> {
        let context = Context::create();
        let target = HostTarget::new(TargetOptions { opt_level: level, native_cpu: true })?;
        let llvm = compile_module(&context, &target, module, false)?;
        if level != OptLevel::O0 {
            crate::opt::optimize(&llvm, &target, level, false)?;
        }
        let jit = Jit::new(llvm, level)?;
        let options = RunOptions { workers: 1, virtual_clock: true, capture_output: true };
        let outcome = jit.run_main(&options)?;
        Ok((outcome.output.stdout_text(), outcome.output.stderr_text(), outcome.exit_code))
    }

    /// Builds an executable and runs it deterministically (`VEX_CLOCK=virtual`).
    /// Builds an executable with line tables (like `vex build`) and runs it.
    fn run_aot(module: &ir::Module, dir: &Path, level: OptLevel) -> Result<Observed, Error> {
        let context = Context::create();
        let target = HostTarget::new(TargetOptions { opt_level: level, native_cpu: false })?;
        let options = CodegenOptions { with_c_main: true, debug_info: true };
        let llvm = compile_module_with(&context, &target, module, options)?;
        let exe = dir.join("program");
        crate::aot::build_executable(&llvm, &exe, level, &crate::aot::LinkOptions::default())?;
        let out = std::process::Command::new(&exe)
            .env("VEX_CLOCK", "virtual")
            .env("VEX_WORKERS", "1")
            .output()
            .map_err(|source| Error::Io { path: exe.clone(), source })?;
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        Ok((text(&out.stdout), text(&out.stderr), out.status.code().unwrap_or(-1)))
    }

    fn run_eval(module: &ir::Module) -> Observed {
        let result = run_main(module, Options::new(Mode::Scheduled));
        (result.stdout, result.stderr, result.exit_code)
    }

    fn check(text: &str, expected_stdout: &str, expected_code: i32) {
        let module = lower("test.vx", text);
        let eval = run_eval(&module);
        for level in [OptLevel::O0, OptLevel::O2] {
            let jit = run_jit(&module, level).unwrap();
            assert_eq!(jit, eval, "JIT at {level:?} differs from the evaluator");
            assert_eq!((jit.0.as_str(), jit.2), (expected_stdout, expected_code));
        }
    }

    #[test]
    fn recursion_is_unrolled_at_o2_and_keeps_its_meaning() {
        // Pure (fib), printing (walk: order of effects), aggregate results (pair) and
        // a function too large to unroll (big).
        let lets: String = (0..crate::opt::MAX_UNROLLED_RECURSION_STMTS)
            .map(|i| format!("let x{i} = n * {i}; "))
            .collect();
        let big = format!(
            "fn big(n: i64): i64 {{ {lets} if n < 1 {{ x1 }} else {{ big(n - 1) + x2 }} }}\n"
        );
        let text = big
            + "struct P { a: i64, b: i64 }\n\
             fn fib(n: i64): i64 { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }\n\
             fn walk(n: i64) { if n > 0 { $println(\"in {}\", n); walk(n - 1); walk(n - 2); $println(\"out {}\", n) } }\n\
             fn pair(n: i64): P { if n == 0 { P { a: 0, b: 1 } } else { let p = pair(n - 1); P { a: p.b, b: p.a + p.b } } }\n\
             fn main(): i32 { $println(\"{} {}\", fib(20), big(3)); walk(4); $println(\"{}\", pair(30).a); 0 }";
        let mut expected = String::from("6765 12\n");
        fn walk(n: i64, out: &mut String) {
            if n > 0 {
                out.push_str(&format!("in {n}\n"));
                walk(n - 1, out);
                walk(n - 2, out);
                out.push_str(&format!("out {n}\n"));
            }
        }
        walk(4, &mut expected);
        expected.push_str("832040\n");
        check(&text, &expected, 0);
        let module = lower("test.vx", &text);
        for (level, twins) in [(OptLevel::O0, 0), (OptLevel::O2, 3)] {
            let context = Context::create();
            let target = HostTarget::new(TargetOptions { opt_level: level, native_cpu: false });
            let llvm = compile_module(&context, &target.unwrap(), &module, false).unwrap();
            let names: Vec<String> = llvm
                .get_functions()
                .map(|f| f.get_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".rec"))
                .collect();
            assert_eq!(names.len(), twins, "{level:?}: {names:?}");
        }
    }

    #[test]
    fn sync_main_with_arithmetic_and_strings() {
        check(
            "fn add(a: i32, b: i32): i32 { a + b }\n\
             fn main(): i32 { let s = \"x\" + \"y\"; $println(\"{} {}\", add(2, 3), s); add(40, 2) }",
            "5 xy\n",
            42,
        );
    }

    #[test]
    fn async_main_awaits_spawned_tasks_and_sleeps() {
        check(
            "async fn twice(x: i64): i64 { await async_sleep(x); x * 2 }\n\
             async fn main() { let a = twice(3); let b = twice(1);\n\
             $println(\"{} {}\", await a, await b); $println(\"t={}\", now_ms()) }",
            "6 2\nt=3\n",
            0,
        );
    }

    #[test]
    fn a_panic_reports_the_source_location() {
        let module = lower("p.vx", "fn main() {\n  $panic(\"no\")\n}");
        let (stdout, stderr, code) = run_jit(&module, OptLevel::O0).unwrap();
        assert_eq!((stdout.as_str(), code), ("", 101));
        assert!(stderr.starts_with("panic at p.vx:2:3: no"), "{stderr}");
    }

    fn examples() -> Vec<PathBuf> {
        vex_hir::testing::example_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples"))
    }

    /// Compiles vex-rt's C sources with AddressSanitizer + LeakSanitizer (+ UBSan, as in
    /// `make -C vex-rt check-asan`) into `dir/libvexrt-asan.a`.
    fn asan_runtime(dir: &Path) -> PathBuf {
        let rt = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vex-rt");
        let cc = std::env::var_os("CC").filter(|cc| !cc.is_empty()).unwrap_or_else(|| "cc".into());
        let mut objects = Vec::new();
        let mut sources: Vec<PathBuf> = std::fs::read_dir(rt.join("src"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "c"))
            .collect();
        sources.sort();
        for source in &sources {
            let object = dir.join(source.file_stem().unwrap()).with_extension("o");
            let out = std::process::Command::new(&cc)
                .args(["-std=c11", "-pthread", "-g", "-O1", "-fno-omit-frame-pointer"])
                .args(["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"])
                .arg("-I")
                .arg(rt.join("include"))
                .arg("-I")
                .arg(rt.join("src"))
                .arg("-c")
                .arg(source)
                .arg("-o")
                .arg(&object)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            objects.push(object);
        }
        let lib = dir.join("libvexrt-asan.a");
        let out = std::process::Command::new("ar").arg("rcs").arg(&lib).args(&objects).output();
        assert!(out.unwrap().status.success(), "ar failed");
        lib
    }

    /// Programs that exercise every path by which a reference could leak, beyond the
    /// examples: a detached task's string result (drop-result hook), a cancelled task's
    /// pending defer holding a string, a defer run on normal return, a stored sleep that
    /// is cancelled and one that is dropped, a stored yield. `(name, source, stdout)`.
    const LEAK_PROGRAMS: &[(&str, &str, &str)] = &[
        (
            "detached_string_result.vx",
            "async fn s(x: string, n: i64): string { await async_sleep(n); x + \"!\" }\n\
             async fn main() { let f = s(\"dropped\", 1); let g = s(\"kept\", 2);\n\
             $println(\"{}\", await g) }",
            "kept!\n",
        ),
        (
            "cancelled_defer.vx",
            "async fn w(name: string) { let tag = name + \"?\"; defer $println(\"bye {}\", tag);\n\
             await async_sleep(100); $println(\"never\") }\n\
             async fn main() { let f = w(\"x\"); await async_sleep(1); cancel(f);\n\
             await async_sleep(1); $println(\"t={}\", now_ms()) }",
            "bye x?\nt=2\n",
        ),
        (
            "stored_sleeps_and_yield.vx",
            "fn label(n: i64): string { \"n\" + \"=\" }\n\
             async fn main() { let a = async_sleep(1000); cancel(a); let b = async_sleep(5);\n\
             let y = yield_now(); await y; let l = label(1); defer $println(\"{}{}\", l, now_ms());\n\
             await b; $println(\"slept\") }",
            "slept\nn=5\n",
        ),
    ];

    /// Builds `module` as an executable against `link` and runs it deterministically
    /// with leak detection.
    fn run_leak_checked(
        module: &ir::Module,
        dir: &Path,
        link: &crate::aot::LinkOptions,
    ) -> Observed {
        let context = Context::create();
        let target = HostTarget::new(TargetOptions::default()).unwrap();
        let llvm = compile_module(&context, &target, module, true).unwrap();
        let exe = dir.join("program");
        crate::aot::build_executable(&llvm, &exe, OptLevel::O0, link).unwrap();
        let out = std::process::Command::new(&exe)
            .env("VEX_CLOCK", "virtual")
            .env("VEX_WORKERS", "1")
            .env("ASAN_OPTIONS", "detect_leaks=1:exitcode=86")
            .output()
            .unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (text(&out.stdout), text(&out.stderr), out.status.code().unwrap_or(-1))
    }

    /// Every example (and [`LEAK_PROGRAMS`]) as an executable linked against an ASan/LSan
    /// build of vex-rt, run deterministically: it must behave as expected and the
    /// sanitizers must report nothing (LeakSanitizer runs at exit, after the program
    /// entry destroyed the runtime, so any string or defer record still allocated is a
    /// leak). Examples that panic (exit 101) are skipped: a panic abandons the unfinished
    /// tasks without running their cancel exits (vex_rt.h, vex_panic), so the references
    /// they hold are never released.
    #[test]
    fn examples_do_not_leak_under_leak_sanitizer() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let dir = std::env::temp_dir().join(format!("vex-llvm-lsan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let link = crate::aot::LinkOptions {
            runtime_library: asan_runtime(&dir),
            extra_args: vec!["-fsanitize=address,undefined".to_string()],
            ..crate::aot::LinkOptions::default()
        };
        let mut programs = Vec::new();
        for path in examples() {
            let rel = path.strip_prefix(&root).unwrap().to_string_lossy().into_owned();
            let expected_code: i32 = std::fs::read_to_string(path.with_extension("code"))
                .map(|c| c.trim().parse().unwrap())
                .unwrap_or(0);
            if expected_code == entry_panic_code() {
                continue;
            }
            let expected_out =
                std::fs::read_to_string(path.with_extension("out")).unwrap_or_default();
            let text = std::fs::read_to_string(&path).unwrap();
            programs.push((rel, text, expected_out, expected_code));
        }
        let examples_checked = programs.len();
        for (name, text, out) in LEAK_PROGRAMS {
            programs.push((name.to_string(), text.to_string(), out.to_string(), 0));
        }
        let mut failures = Vec::new();
        for (name, text, expected_out, expected_code) in &programs {
            let module = lower(name, text);
            let eval = run_eval(&module);
            if (&eval.0, eval.2) != (expected_out, *expected_code) {
                failures.push(format!("{name}: the evaluator gives {eval:?}"));
            }
            let (stdout, stderr, code) = run_leak_checked(&module, &dir, &link);
            if code != *expected_code || stderr.contains("Sanitizer") || stdout != *expected_out {
                failures.push(format!(
                    "{name}: exit {code} (expected {expected_code}), stdout {stdout:?} \
                     (expected {expected_out:?})\n{stderr}"
                ));
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        assert!(examples_checked >= 40, "only {examples_checked} examples were leak-checked");
        assert!(
            failures.is_empty(),
            "{} of {} programs leak or fail:\n{}",
            failures.len(),
            programs.len(),
            failures.join("\n")
        );
    }

    fn entry_panic_code() -> i32 {
        abi::PANIC_EXIT_CODE
    }

    /// Every example through the JIT (O0, O2) and as an executable with line tables (O2), compared with its expected output and exit code
    /// and with the reference evaluator on the same IR.
    #[test]
    fn examples_match_their_expected_output_and_the_evaluator() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut failures = Vec::new();
        let examples = examples();
        let dir = std::env::temp_dir().join(format!("vex-llvm-examples-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(!examples.is_empty());
        for path in &examples {
            let rel = path.strip_prefix(&root).unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(path).unwrap();
            let module = lower(&rel, &text);
            let expected_out =
                std::fs::read_to_string(path.with_extension("out")).unwrap_or_default();
            let expected_code: i32 = std::fs::read_to_string(path.with_extension("code"))
                .map(|c| c.trim().parse().unwrap())
                .unwrap_or(0);
            let expected_err = std::fs::read_to_string(path.with_extension("err")).ok();
            let eval = run_eval(&module);
            let runs = [
                ("JIT O0", run_jit(&module, OptLevel::O0)),
                ("JIT O2", run_jit(&module, OptLevel::O2)),
                ("AOT O2", run_aot(&module, &dir, OptLevel::O2)),
            ];
            for (how, observed) in runs {
                let (stdout, stderr, code) = match observed {
                    Ok(observed) => observed,
                    Err(e) => {
                        failures.push(format!("{rel} ({how}): {e}"));
                        continue;
                    }
                };
                if stdout != expected_out {
                    failures
                        .push(format!("{rel} ({how}): stdout\n{stdout}\nexpected\n{expected_out}"));
                }
                if code != expected_code {
                    failures
                        .push(format!("{rel} ({how}): exit code {code}, expected {expected_code}"));
                }
                if let Some(err) = &expected_err
                    && &stderr != err
                {
                    failures.push(format!("{rel} ({how}): stderr {stderr:?}, expected {err:?}"));
                }
                if (&stdout, &stderr, code) != (&eval.0, &eval.1, eval.2) {
                    failures.push(format!("{rel} ({how}): differs from the evaluator {eval:?}"));
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            failures.is_empty(),
            "{} of {} examples failed:\n{}",
            failures.len(),
            examples.len(),
            failures.join("\n")
        );
    }

    /// A program with known lines: `add` on line 1 (body on 2 and 3), the async `child`
    /// on line 6 (its call of `add` on line 8), `main` on line 11.
    const LOCATED: &str = "\
fn add(a: i64, b: i64): i64 {
    let s = a + b
    s * 2
}

async fn child(n: i64): i64 {
    await async_sleep(1)
    add(n, 1)
}

async fn main(): i32 {
    let v = await child(20)
    $println(\"{}\", v)
    0
}
";

    /// The printed module's subprogram named `name`: its metadata id and line.
    fn subprogram(text: &str, name: &str) -> (String, u32) {
        let needle = format!("!DISubprogram(name: \"{name}\",");
        let line = text.lines().find(|l| l.contains(&needle)).unwrap_or_else(|| {
            panic!("no subprogram {name}:\n{text}");
        });
        let id = line.split(' ').next().unwrap().to_string();
        let at = line.split("line: ").nth(1).unwrap();
        (id, at.split(',').next().unwrap().parse().unwrap())
    }

    /// The lines of the `!DILocation`s whose scope is `scope`.
    fn location_lines(text: &str, scope: &str) -> Vec<u32> {
        let scope = format!("scope: {scope})");
        text.lines()
            .filter(|l| l.contains("!DILocation(line: ") && l.contains(&scope))
            .map(|l| {
                let at = l.split("line: ").nth(1).unwrap();
                at.split(',').next().unwrap().parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn debug_info_gives_every_instruction_its_vex_line() {
        let module = lower("located.vx", LOCATED);
        let target = HostTarget::new(TargetOptions::default()).unwrap();
        let context = Context::create();
        let options = CodegenOptions { with_c_main: true, debug_info: true };
        let llvm = compile_module_with(&context, &target, &module, options).unwrap();
        let text = llvm.print_to_string().to_string();
        assert!(text.contains("!DIFile(filename: \"located.vx\""), "{text}");
        assert!(text.contains("!\"Dwarf Version\", i32 5"), "{text}");
        // One subprogram per IR function, at its definition, named like it.
        let (add, line) = subprogram(&text, "add");
        assert_eq!(line, 1);
        for (name, expected) in [("child", 6), ("child.resume", 6), ("main.resume", 11)] {
            assert_eq!(subprogram(&text, name).1, expected, "{name}");
        }
        let mut add_lines = location_lines(&text, &add);
        add_lines.sort_unstable();
        add_lines.dedup();
        assert_eq!(add_lines, [1, 2, 3, 4], "{text}");
        let (resume, _) = subprogram(&text, "child.resume");
        let resume_lines = location_lines(&text, &resume);
        for line in [6, 7, 8, 9] {
            assert!(resume_lines.contains(&line), "child.resume has no line {line}:\n{text}");
        }
        // Every instruction of a Vex function carries a location.
        let mut in_vex_function = false;
        for line in text.lines() {
            if line.starts_with("define ") {
                in_vex_function = line.contains("@\"vex.");
            } else if line == "}" {
                in_vex_function = false;
            } else if in_vex_function && line.starts_with("  ") {
                assert!(line.contains("!dbg !"), "no location: {line}\n{text}");
            }
        }
        // Optimisation keeps the module valid and the lines.
        crate::opt::optimize(&llvm, &target, OptLevel::O2, true).unwrap();
        llvm.verify().unwrap();
        let optimized = llvm.print_to_string().to_string();
        assert!(optimized.contains("!DILocation(line: 8,"), "{optimized}");
    }

    #[test]
    fn the_jit_runs_code_with_debug_info() {
        let module = lower("located.vx", LOCATED);
        for level in [OptLevel::O0, OptLevel::O2] {
            let context = Context::create();
            let target = HostTarget::new(TargetOptions::default()).unwrap();
            let options = CodegenOptions { with_c_main: false, debug_info: true };
            let llvm = compile_module_with(&context, &target, &module, options).unwrap();
            if level != OptLevel::O0 {
                crate::opt::optimize(&llvm, &target, level, false).unwrap();
            }
            let jit = Jit::new(llvm, level).unwrap();
            let options = RunOptions { workers: 1, virtual_clock: true, capture_output: true };
            let outcome = jit.run_main(&options).unwrap();
            assert_eq!((outcome.output.stdout_text(), outcome.exit_code), ("42\n".into(), 0));
        }
    }

    /// `gdb` stops an executable at a Vex file:line and names the Vex functions in the
    /// backtrace.
    #[test]
    fn gdb_breaks_at_vex_lines_of_an_executable() {
        let dir = std::env::temp_dir().join(format!("vex-llvm-gdb-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let exe = dir.join("located");
        let module = lower("located.vx", LOCATED);
        crate::backend::AotBackend { opt_level: OptLevel::O0 }.build(&module, &exe).unwrap();
        let gdb = |line: u32| {
            let out = std::process::Command::new("gdb")
                .args(["-batch", "-nx", "-ex", &format!("break located.vx:{line}")])
                .args(["-ex", "run", "-ex", "bt"])
                .arg(&exe)
                .env("VEX_WORKERS", "1")
                .env("VEX_CLOCK", "virtual")
                .output()
                .expect("gdb runs");
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr)
        };
        // A statement of a plain function, called from a resume function; frames carry
        // the Vex names from the DWARF subprograms (not the ELF symbols `vex.F`).
        let frame = |bt: &str, n: usize| -> String {
            bt.lines().find(|l| l.starts_with(&format!("#{n} "))).unwrap_or_default().to_string()
        };
        let bt = gdb(2);
        assert!(bt.contains("Breakpoint 1, ") && bt.contains("file located.vx, line 2."), "{bt}");
        let top = frame(&bt, 0);
        assert!(top.contains(" add (") && top.ends_with(" at located.vx:2"), "{bt}");
        let caller = frame(&bt, 1);
        assert!(caller.contains(" child.resume (") && caller.ends_with(" at located.vx:8"), "{bt}");
        // A statement after an `await`, inside a resume function.
        let bt = gdb(13);
        let top = frame(&bt, 0);
        assert!(top.contains(" main.resume (") && top.ends_with(" at located.vx:13"), "{bt}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
