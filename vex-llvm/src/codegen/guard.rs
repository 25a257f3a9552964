//! Guard checks (`vex_rt.h`, "Guards"): compiled code compares the stack pointer with
//! its thread's guard and calls `vex_guard_hit` when it is below. One check serves two
//! ends: deep recursion becomes a located `stack overflow` panic instead of a crash of
//! the host, and an interrupt (the runtime raises every worker's guard to the top of
//! memory) stops any task, even `loop {}`, at its next check.
//!
//! This module emits the check at every function entry; the checks in loops of
//! in-process code are placed after optimisation, by `loop_checks`, which shares
//! [`sp_below_guard`]. Executables get entry checks only: nothing interrupts them but a
//! signal (`vex run --aot --timeout` kills the child), so their loops need none.
//!
//! On x86-64 Linux the guard is the word at `%fs:0x70` (address space 257 is LLVM's
//! `%fs`-relative memory). At entries of optimised code the load is a plain one, which
//! the optimiser may merge with another check's (a stale value only delays an interrupt
//! to the next check, and a loop's checks load it afresh). The slow path calls
//! `vex_guard_hit` (cold, noreturn), which may write memory — except at the entry of an
//! optimised function with a scalar result, whose slow path returns what a
//! `memory(none)` stand-in returns (see `overflow_exit`), so that a pure function stays
//! pure and LLVM can still merge two of its calls (bench/RESULTS.md: fib).

use super::{Codegen, FnCx};
use crate::Error;
use crate::abi::RtFn;
use inkwell::AddressSpace;
use inkwell::IntPredicate;
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::builder::Builder;
use inkwell::intrinsics::Intrinsic;
use inkwell::module::{Linkage, Module};
use inkwell::targets::TargetTriple;
use inkwell::types::{BasicType, BasicTypeEnum};
use inkwell::values::{BasicMetadataValueEnum, BasicValue, FunctionValue, IntValue};

/// The offset of the guard word in the thread-control block (glibc's `__private_ss`).
const GUARD_OFFSET: u64 = 0x70;
/// LLVM's address space for `%fs`-relative memory on x86.
const FS_ADDRESS_SPACE: u16 = 257;

/// Whether code for `triple` gets guard checks: x86-64 Linux with glibc, where the
/// runtime keeps the guard at `%fs:0x70` — unless the environment variable
/// `VEX_GUARD_CHECKS` is `off`, which exists only to measure what the checks cost
/// (`bench/`): code compiled so crashes on deep recursion and cannot be interrupted.
pub fn target_has_guard(triple: &TargetTriple) -> bool {
    let triple = triple.as_str().to_string_lossy();
    let measuring_without = std::env::var_os("VEX_GUARD_CHECKS").is_some_and(|v| v == "off");
    triple.starts_with("x86_64")
        && triple.contains("linux")
        && triple.contains("gnu")
        && !measuring_without
}

/// Emits, at `builder`'s position in a function of `module`, the test of a guard check:
/// whether the stack pointer is below the guard word (an `i1`, marked as expected to be
/// false). A `volatile` load reads the word afresh wherever it is; otherwise the
/// optimiser may merge it with another check's. Unoptimised code must use a volatile
/// load: LLVM's fast instruction selector (-O0) drops the `%fs` segment of other loads
/// from address space 257.
pub(super) fn sp_below_guard<'ctx>(
    module: &Module<'ctx>,
    builder: &Builder<'ctx>,
    volatile: bool,
) -> Result<IntValue<'ctx>, Error> {
    let context = module.get_context();
    let i64_type = context.i64_type();
    let fs_ptr = context.ptr_type(AddressSpace::from(FS_ADDRESS_SPACE));
    let slot = i64_type.const_int(GUARD_OFFSET, false).const_to_pointer(fs_ptr);
    let limit = builder.build_load(i64_type, slot, "guard")?;
    let load = limit.as_instruction_value().expect("a load");
    load.set_volatile(volatile).map_err(Error::llvm)?;
    let read_register = intrinsic(module, "llvm.read_register", &[i64_type.into()])?;
    let rsp = context.metadata_node(&[context.metadata_string("rsp").into()]);
    let sp = builder
        .build_call(read_register, &[BasicMetadataValueEnum::MetadataValue(rsp)], "sp")?
        .try_as_basic_value()
        .basic()
        .expect("returns i64")
        .into_int_value();
    let below = builder.build_int_compare(IntPredicate::ULT, sp, limit.into_int_value(), "")?;
    unlikely(module, builder, below, "guard_hit")
}

/// `llvm.expect(condition, false)`: tells the optimiser and the code generator that the
/// branch on `condition` is (almost) never taken, so its target goes out of line.
pub(super) fn unlikely<'ctx>(
    module: &Module<'ctx>,
    builder: &Builder<'ctx>,
    condition: IntValue<'ctx>,
    name: &str,
) -> Result<IntValue<'ctx>, Error> {
    let bool_type = module.get_context().bool_type();
    let expect = intrinsic(module, "llvm.expect", &[bool_type.into()])?;
    let args = [condition.into(), bool_type.const_zero().into()];
    let expected = builder.build_call(expect, &args, name)?.try_as_basic_value().basic();
    Ok(expected.expect("returns i1").into_int_value())
}

/// The declaration of the overloaded intrinsic `name` for `types` in `module`.
fn intrinsic<'ctx>(
    module: &Module<'ctx>,
    name: &str,
    types: &[BasicTypeEnum<'ctx>],
) -> Result<FunctionValue<'ctx>, Error> {
    Intrinsic::find(name)
        .and_then(|i| i.get_declaration(module, types))
        .ok_or_else(|| Error::Llvm(format!("no intrinsic {name}")))
}

impl<'ctx> Codegen<'_, 'ctx> {
    /// Emits the entry check of `cx`'s function at the builder's position, naming
    /// `line:col` of the function's file when it fails, and leaves the builder in the
    /// block after it.
    pub(super) fn entry_guard_check(
        &mut self,
        cx: &FnCx<'_, 'ctx>,
        line: u32,
        col: u32,
    ) -> Result<(), Error> {
        let below = sp_below_guard(self.module, &self.builder, !self.guards_optimised)?;
        let hit = self.context.append_basic_block(cx.function, "guard_hit");
        let pass = self.context.append_basic_block(cx.function, "guard_pass");
        self.builder.build_conditional_branch(below, hit, pass)?;
        self.builder.position_at_end(hit);
        let file = self.c_string(&cx.ir.loc.file);
        let i32_type = self.context.i32_type();
        let args: [BasicMetadataValueEnum<'ctx>; 3] = [
            file.into(),
            i32_type.const_int(u64::from(line), false).into(),
            i32_type.const_int(u64::from(col), false).into(),
        ];
        match cx.function.get_type().get_return_type() {
            // The entry check of an optimised function with a scalar result returns
            // what a pure stand-in for vex_guard_hit "returns" (see `overflow_exit`).
            Some(ret) if self.guards_optimised => {
                let exit = self.overflow_exit(ret)?;
                let value = self
                    .builder
                    .build_call(exit, &args, "unreachable")?
                    .try_as_basic_value()
                    .basic()
                    .expect("returns a value");
                self.builder.build_return(Some(&value))?;
            }
            _ => {
                self.call_rt(RtFn::GuardHit, &args)?;
                self.builder.build_unreachable()?;
            }
        }
        self.builder.position_at_end(pass);
        Ok(())
    }

    /// `ret vex.guard_exit.T(file, line, col)`: an internal function returning `ret` that
    /// calls `vex_guard_hit` (so it never returns), declared `memory(none)`, `noinline`
    /// and `cold`. A call of vex_guard_hit itself may write memory, so a function whose
    /// only effect is its entry check would not be pure, and LLVM could no longer merge
    /// two of its calls (fib: 30x slower). A `memory(none)` stand-in keeps it pure; its
    /// result is returned, so instruction selection cannot drop the call as unused. The
    /// attribute is a white lie the caller cannot observe: the call never comes back.
    fn overflow_exit(
        &mut self,
        ret: inkwell::types::BasicTypeEnum<'ctx>,
    ) -> Result<inkwell::values::FunctionValue<'ctx>, Error> {
        let name = format!("vex.guard_exit.{}", ret.print_to_string().to_string_lossy());
        if let Some(existing) = self.module.get_function(&name) {
            return Ok(existing);
        }
        let ptr = self.abi.ptr_type();
        let i32_type = self.context.i32_type();
        let fn_type = ret.fn_type(&[ptr.into(), i32_type.into(), i32_type.into()], false);
        let exit = self.module.add_function(&name, fn_type, Some(Linkage::Internal));
        for attribute in ["noinline", "cold", "nounwind"] {
            exit.add_attribute(AttributeLoc::Function, self.abi.enum_attribute(attribute));
        }
        let memory = Attribute::get_named_enum_kind_id("memory");
        exit.add_attribute(AttributeLoc::Function, self.context.create_enum_attribute(memory, 0));
        let saved = self.builder.get_insert_block();
        let location = self.builder.get_current_debug_location();
        self.builder.unset_current_debug_location();
        self.builder.position_at_end(self.context.append_basic_block(exit, "entry"));
        let params: Vec<BasicMetadataValueEnum<'ctx>> =
            exit.get_params().into_iter().map(Into::into).collect();
        self.call_rt(RtFn::GuardHit, &params)?;
        self.builder.build_unreachable()?;
        if let Some(block) = saved {
            self.builder.position_at_end(block);
        }
        if let Some(location) = location {
            self.builder.set_current_debug_location(location);
        }
        Ok(exit)
    }
}
