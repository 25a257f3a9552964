//! The walker from `vex_async_lower::ir::Module` (after the coroutine transform) to an
//! LLVM module: one LLVM function per IR function, one alloca per local, one LLVM block
//! per IR block, statements and terminators in order, runtime operations as calls of
//! the declarations in [`crate::abi`], plus the program entry ([`crate::entry`]).
//!
//! Conventions (internal to generated code; only resume functions, wrappers and the
//! entry follow the C ABI of `vex_rt.h`):
//! - every Vex function `F` is the LLVM function `vex.F` taking `WorkerContext *ctx`
//!   first; aggregates (tuples, arrays, structs, enums, function values) are passed as
//!   pointers to the caller's copy and returned through a pointer after `ctx`; `()` is
//!   passed not at all. The drop function of an environment
//!   ([`FunctionKind::EnvDrop`]) is the exception: the runtime calls it as
//!   `void drop(void *captures)` from whichever thread drops the last reference, so it
//!   takes no `ctx` (see `takes_ctx`);
//! - a function value (`fn(A…): R`) is `{ code, env }` in memory; its code is called
//!   like a direct call of an IR function with parameters `[EnvPtr, A…]`;
//! - `bool` is an `i8` (0 or 1) everywhere except at C calls, where it is `i1 zeroext`;
//! - aggregates live in memory laid out by `ir::layout` (the IR's single source of truth
//!   for sizes and offsets, shared with the evaluator): fields are addressed by byte
//!   offset, so the overlapping slots of state structs need no LLVM struct type.
//!
//! It must not analyse or transform the IR: every decision (what to save, when to
//! release, where to suspend) was made by lowering; this module only spells it out.
//!
//! This file holds the driver ([`compile_module_with`]), types and function
//! definitions; the walk itself is split by what it walks: `places` (addresses,
//! loads, stores), `statements`, `runtime` (runtime and `extern "C"` calls,
//! reference walks), `closures` (function values and environments), `values`
//! (vectors and string methods), `channels`, `combinators`, `io` (files, TCP and the
//! process builtins) and `terminators`.

mod channels;
mod closures;
mod combinators;
mod guard;
mod host_calls;
mod io;
mod loop_checks;
mod places;
mod runtime;
mod statements;
mod terminators;
mod values;

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
use vex_async_lower::ir::layout::{
    self, FN_CODE_OFFSET, FN_ENV_OFFSET, fields_layout, layout_of, payload_offset,
};
use vex_async_lower::ir::{
    self, AggregateKind, BinOp, Const, FloatTy, FunctionKind, IntTy, Operand, Place, Proj, RtOp,
    Rvalue, Stmt, Terminator, Type, TypeDefs, UnOp, UpdateOp,
};

pub use host_calls::{host_call_symbol, host_closure_symbol};
pub use loop_checks::LOOP_CHECK_INTERVAL;
pub(crate) use loop_checks::add_loop_checks;
use vex_async_lower::backend::host_signature;

/// The LLVM name of the Vex function `name`.
pub fn function_symbol(name: &str) -> String {
    format!("vex.{name}")
}

/// What [`compile_module_with`] generates besides the program's functions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodegenOptions {
    /// Also define the C `main` of an executable (the JIT needs only `vex_run_main`).
    pub with_c_main: bool,
    /// Emit DWARF line tables ([`crate::debug`]): a subprogram per IR function (named
    /// like it: `F`, `F.resume`) at its definition and a location on every instruction,
    /// from the IR's statement locations. Executables (`vex build`) turn it on; the JIT
    /// leaves it off (nothing there reads it, and it costs compile time).
    pub debug_info: bool,
    /// The `extern "C"` declarations the host provides as closures: their calls go
    /// through the dispatcher in the global `vex.host.NAME` (`{ dispatch, data }`, mapped
    /// by the JIT onto host memory) instead of a C symbol.
    pub host_closures: Vec<String>,
    /// Leave loops without guard checks even in in-process code: a host interrupt then
    /// stops a task only at a function entry or a suspension, and tight loops save a
    /// decrement and a branch per iteration (executables never have them, unless
    /// `VEX_GUARD_CHECKS=loops`; see `loop_checks`).
    pub no_loop_checks: bool,
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
    let options = CodegenOptions { with_c_main, ..CodegenOptions::default() };
    compile_module_with(context, target, module, options)
}

/// Generates the LLVM module for a lowered IR module as `options` say. For an optimised
/// target (-O 1 and above) the checks in loops are placed by [`crate::opt::optimize`],
/// which such a module must go through; at -O 0 they are placed here.
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
        elem_types: HashMap::new(),
        elem_helpers: Vec::new(),
        debug,
        guards: guard::target_has_guard(&target.triple()),
        guards_optimised: target.options().opt_level != crate::OptLevel::O0,
        loop_guards: (!options.with_c_main || loop_checks::loop_checks_forced())
            && !options.no_loop_checks,
        host_closures: options.host_closures.clone(),
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
    for function in module.functions.iter().filter(|f| host_signature(f).is_some()) {
        cg.define_host_thunk(function)?;
    }
    // After every function: only their vector operations ask for element types.
    cg.define_elem_helpers()?;
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
    // An optimised module gets its loop checks from `opt::optimize`; nothing optimises
    // this one.
    if !cg.guards_optimised {
        add_loop_checks(&llvm, target.machine(), false)?;
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
    /// The `VexElemType` constant of each vector element type used so far.
    elem_types: HashMap<Type, GlobalValue<'ctx>>,
    /// Element types whose retain and release functions are declared but not yet
    /// defined: `(type, retain, release)`, defined after the program's functions.
    elem_helpers: Vec<(Type, FunctionValue<'ctx>, FunctionValue<'ctx>)>,
    /// Line tables, when asked for.
    debug: Option<DebugInfo<'ctx>>,
    /// Whether functions and loops get guard checks (see `guard`).
    guards: bool,
    /// Whether the module will be optimised (entry checks may then be plain loads).
    guards_optimised: bool,
    /// Whether loops get checks too (placed after optimisation, see `loop_checks`): only
    /// in in-process code, which a host may interrupt (an executable is stopped by a
    /// signal).
    loop_guards: bool,
    /// See [`CodegenOptions::host_closures`].
    host_closures: Vec<String>,
}

/// Per-function state of the walker.
struct FnCx<'a, 'ctx> {
    ir: &'a ir::Function,
    function: FunctionValue<'ctx>,
    /// What a call of the function itself calls: the function, or its twin when its
    /// recursion is unrolled.
    self_call: FunctionValue<'ctx>,
    /// The worker context (NULL in functions that take none, see [`takes_ctx`]).
    ctx: PointerValue<'ctx>,
    /// One slot per local (`None` for `()`).
    locals: Vec<Option<PointerValue<'ctx>>>,
    blocks: Vec<BasicBlock<'ctx>>,
    /// Where an aggregate result goes.
    ret_slot: Option<PointerValue<'ctx>>,
    entry: BasicBlock<'ctx>,
    /// The source line and column of the statement being generated.
    loc: (u32, u32),
}

fn is_aggregate(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Tuple(_)
            | Type::Array(..)
            | Type::Struct(_)
            | Type::Enum(_)
            | Type::Option(_)
            | Type::Result(..)
            | Type::Fn(..)
            | Type::Waiter(_)
            | Type::Select(_)
    )
}

/// Whether the LLVM function of `function` takes `WorkerContext *ctx` first: every one
/// but an environment's drop function, which the runtime calls with the C signature
/// `void (*)(void *captures)` (`VexEnv.drop`) on any thread, where there is no context
/// to pass. Releasing references needs none.
fn takes_ctx(function: &ir::Function) -> bool {
    !matches!(function.kind, FunctionKind::EnvDrop { .. })
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
            Type::Unit => return None,
            ty if is_aggregate(ty) => return None,
            Type::Bool => self.context.i8_type().into(),
            Type::Int(int) => self.int_type(*int).into(),
            Type::Float(FloatTy::F32) => self.context.f32_type().into(),
            Type::Float(FloatTy::F64) => self.context.f64_type().into(),
            Type::String
            | Type::Future(_)
            | Type::StatePtr(_)
            | Type::DeferList
            | Type::Vec(_)
            | Type::Channel(_)
            | Type::Io(_)
            | Type::EnvPtr(_) => self.abi.ptr_type().into(),
            Type::CoroStatus => self.abi.coro_status_type().into(),
            _ => return None,
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
        let params = function.params.iter().map(|p| function.local_ty(*p));
        self.signature_type(params, &function.ret, takes_ctx(function))
    }

    /// The LLVM function type of a function with IR parameter types `params` and result
    /// `ret`: `ctx` first when `with_ctx`, then the result pointer of an aggregate
    /// result, then the parameters (aggregates by pointer, `()` left out).
    fn signature_type<'t>(
        &self,
        params: impl Iterator<Item = &'t Type>,
        ret: &Type,
        with_ctx: bool,
    ) -> inkwell::types::FunctionType<'ctx> {
        let ptr = self.abi.ptr_type();
        let mut types: Vec<BasicMetadataTypeEnum<'ctx>> = Vec::new();
        if with_ctx {
            types.push(ptr.into());
        }
        if is_aggregate(ret) {
            types.push(ptr.into());
        }
        for ty in params {
            if is_aggregate(ty) {
                types.push(ptr.into());
            } else if let Some(scalar) = self.scalar_type(ty) {
                types.push(scalar.into());
            }
        }
        match self.scalar_type(ret) {
            Some(ret) => ret.fn_type(&types, false),
            None => self.context.void_type().fn_type(&types, false),
        }
    }

    fn declare_function(&self, function: &ir::Function) -> FunctionValue<'ctx> {
        // Internal: only generated code and the entry call these (resume functions,
        // drop functions and the code of function values through their addresses,
        // which keeps them alive and their signatures unchanged under optimisation).
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
        let ctx = if takes_ctx(function) {
            params.next().expect("ctx parameter").into_pointer_value()
        } else {
            self.abi.ptr_type().const_null()
        };
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
        let mut first_param = None;
        for param in &function.params {
            let ty = function.local_ty(*param);
            let Some(slot) = locals[param.index()] else { continue };
            let incoming = params.next().expect("parameter");
            first_param = first_param.or(Some(incoming));
            if is_aggregate(ty) {
                self.copy_bytes(slot, incoming.into_pointer_value(), ty)?;
            } else {
                self.builder.build_store(slot, incoming)?;
            }
        }
        // A pinned local of a resume function is its field of the state, in place: the
        // runtime may hold its address while the task is suspended.
        if let (FunctionKind::Resume { state, pinned }, Some(state_ptr)) =
            (&function.kind, first_param)
        {
            for (local, field) in pinned {
                let offset = self.types.structs[state].fields[*field as usize].offset;
                let slot = self.offset_ptr(state_ptr.into_pointer_value(), self.i64(offset))?;
                locals[local.index()] = Some(slot);
            }
        }
        let mut cx = FnCx {
            ir: function,
            function: value,
            self_call,
            ctx,
            locals,
            blocks,
            ret_slot,
            entry,
            loc: function.line_col(ir::Loc { line: 0, col: function.loc.col }),
        };
        // An environment's drop function runs on whatever thread drops the last
        // reference, outside any task: it gets no checks (it neither loops over Vex code
        // nor recurses into it).
        let guards = self.guards && takes_ctx(function);
        if guards {
            let (line, col) = function.line_col(ir::Loc { line: 0, col: function.loc.col });
            self.entry_guard_check(&cx, line, col)?;
            if self.loop_guards {
                loop_checks::mark_pending(value, &function.loc.file, line, col);
            }
        }
        self.builder.build_unconditional_branch(cx.blocks[0])?;
        for (idx, block) in function.blocks.iter().enumerate() {
            self.builder.position_at_end(cx.blocks[idx]);
            for (stmt, loc) in block.stmts_with_locs() {
                self.set_location(scope, function, loc);
                cx.loc = function.line_col(loc);
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
        // Positioning before an instruction takes over its location: keep the
        // statement's.
        let location = self.builder.get_current_debug_location();
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
        match location {
            Some(location) => self.builder.set_current_debug_location(location),
            None => self.builder.unset_current_debug_location(),
        }
        Ok(slot)
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
