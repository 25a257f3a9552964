//! Interrupt checks in the loops of in-process code, placed after optimisation.
//!
//! A host must be able to interrupt JIT-compiled code even in `loop {}`, and the entry
//! checks (`guard`) do not run in a loop without calls. A full guard check at every loop
//! head — a volatile load, a compare and a second loop exit — cost the CPU benchmarks
//! up to +264% (bench/RESULTS.md): LLVM can neither vectorise a loop with two exits nor
//! compute its trip count. So codegen only marks the functions whose loops need checks
//! ([`mark_pending`]: a string attribute that also locates the function), and
//! [`add_loop_checks`] places them once the optimiser is done (`opt::optimize`; at -O0 at
//! the end of codegen, as nothing optimises such a module):
//!
//! - a marked function with a loop gets one down-counter, a stack slot in its entry block
//!   set to [`LOOP_CHECK_INTERVAL`] (promoted to a register by `mem2reg` in optimised
//!   code);
//! - every loop head of the function as it now is (the target of a back edge of a
//!   depth-first walk: every cycle passes through one, even in an irreducible graph)
//!   decrements it, and when it reaches zero resets it and checks the guard as a function
//!   entry does, with a load that is always volatile.
//!
//! The per-iteration cost is a decrement and a branch never taken, after vectorisation
//! and unrolling (so once per vector or unrolled iteration). The bound: between two
//! checks, an activation of a function passes at most `LOOP_CHECK_INTERVAL` of its loop
//! heads, and each iteration runs call-free code of bounded length or calls a function,
//! which checks at its entry. The counter lives in the activation, so nested loops share
//! it (a fresh counter per loop entry would let an outer loop run the inner one a
//! bounded but huge number of times between checks). The check is written once, as the
//! internal function `vex.loop_check`, called at each loop head and inlined at once by
//! LLVM's `always-inline` pass, which does the block splitting.
//!
//! It must not change what a program computes: a check only reads the guard word and
//! the stack pointer, and calls `vex_guard_hit` (noreturn) when the guard was raised.

use super::guard::{sp_below_guard, unlikely};
use crate::Error;
use crate::abi::RtFn;
use inkwell::AddressSpace;
use inkwell::IntPredicate;
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::basic_block::BasicBlock;
use inkwell::builder::Builder;
use inkwell::module::{Linkage, Module};
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::TargetMachine;
use inkwell::values::{
    BasicMetadataValueEnum, BasicValue, FunctionValue, InstructionOpcode, Operand, PointerValue,
};
use std::collections::HashMap;

/// Loop heads an activation of a function passes between two guard checks. The slow
/// path (a reset, a load, a compare, and the mispredicted branch to it: some 20-30
/// cycles) then costs under 1% even of a one-cycle iteration — with 64, sieve's inner
/// loop ran some 9% slower than with 1024 (bench/RESULTS.md) — and an interrupt waits
/// for at most 4096 iterations: microseconds, unless an iteration makes a long runtime
/// call (a copy of a large vector).
pub const LOOP_CHECK_INTERVAL: u64 = 4096;

/// The string attribute marking a function whose loops still need their checks; its
/// value locates the function for `vex_guard_hit`: `LINE:COL:FILE`.
const PENDING: &str = "vex-loop-checks";

/// The internal function holding the check, inlined at every loop head.
const CHECK_FUNCTION: &str = "vex.loop_check";

/// Whether executables get loop checks too: only when the environment variable
/// `VEX_GUARD_CHECKS` is `loops`, which exists to measure what the JIT's loop checks cost
/// on programs built as executables (`bench/`, `examples/loop_check_cost.rs`).
pub fn loop_checks_forced() -> bool {
    std::env::var_os("VEX_GUARD_CHECKS").is_some_and(|v| v == "loops")
}

/// Marks `function` (defined at `file:line:col`, with an entry check) as needing loop
/// checks, which [`add_loop_checks`] places.
pub(super) fn mark_pending(function: FunctionValue<'_>, file: &str, line: u32, col: u32) {
    let context = function.get_type().get_context();
    let location = format!("{line}:{col}:{file}");
    function
        .add_attribute(AttributeLoc::Function, context.create_string_attribute(PENDING, &location));
}

/// Places the loop checks of every function of `module` marked by [`mark_pending`] and
/// removes the marks (a second call does nothing). `optimised`: the module went through
/// the optimiser, and each counter is promoted to a register. Every marked function has
/// an entry check, so the module declares `vex_guard_hit`.
pub fn add_loop_checks(
    module: &Module<'_>,
    machine: &TargetMachine,
    optimised: bool,
) -> Result<(), Error> {
    let marked: Vec<_> = module
        .get_functions()
        .filter_map(|f| {
            let mark = f.get_string_attribute(AttributeLoc::Function, PENDING)?;
            Some((f, mark.get_string_value().to_string_lossy().into_owned()))
        })
        .collect();
    if marked.is_empty() {
        return Ok(());
    }
    let builder = module.get_context().create_builder();
    let mut check = None;
    let mut files = HashMap::new();
    for (function, location) in marked {
        function.remove_string_attribute(AttributeLoc::Function, PENDING);
        let heads = loop_heads(function);
        if heads.is_empty() {
            continue;
        }
        let check = match check {
            Some(check) => check,
            None => *check.insert(define_check(module, &builder)?),
        };
        let mut parts = location.splitn(3, ':');
        let mut number = || parts.next().and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
        let (line, col) = (number(), number());
        let file = parts.next().unwrap_or_default().to_string();
        let file = *files.entry(file).or_insert_with_key(|file| c_string(module, file));
        let i32_type = module.get_context().i32_type();
        let counter = counter_slot(function, &builder)?;
        let args: [BasicMetadataValueEnum<'_>; 4] = [
            counter.into(),
            file.into(),
            i32_type.const_int(line, false).into(),
            i32_type.const_int(col, false).into(),
        ];
        for head in heads {
            let first = head
                .get_instructions()
                .find(|i| i.get_opcode() != InstructionOpcode::Phi)
                .expect("a block ends with a terminator");
            builder.position_before(&first);
            // The inlined check takes the call's location (functions with line tables).
            match first.get_debug_location() {
                Some(location) => builder.set_current_debug_location(location),
                None => builder.unset_current_debug_location(),
            }
            builder.build_call(check, &args, "")?;
        }
    }
    if check.is_none() {
        return Ok(());
    }
    let passes =
        if optimised { "always-inline,function(lower-expect,mem2reg)" } else { "always-inline" };
    module.run_passes(passes, machine, PassBuilderOptions::create()).map_err(Error::llvm)?;
    // The inliner deletes the function once no call is left; in case it did not:
    if let Some(check) = module.get_function(CHECK_FUNCTION)
        && check.as_global_value().as_pointer_value().get_first_use().is_none()
    {
        // SAFETY: nothing refers to the function (every call was inlined).
        unsafe { check.delete() };
    }
    Ok(())
}

/// The blocks of `function` that head a loop: the targets of the back edges of a
/// depth-first walk from the entry.
fn loop_heads(function: FunctionValue<'_>) -> Vec<BasicBlock<'_>> {
    let blocks = function.get_basic_blocks();
    let index: HashMap<BasicBlock<'_>, usize> =
        blocks.iter().enumerate().map(|(idx, block)| (*block, idx)).collect();
    let successors = |block: BasicBlock<'_>| -> Vec<usize> {
        let Some(terminator) = block.get_terminator() else { return Vec::new() };
        terminator
            .get_operands()
            .filter_map(|operand| match operand {
                Some(Operand::Block(target)) => index.get(&target).copied(),
                _ => None,
            })
            .collect()
    };
    if blocks.is_empty() {
        return Vec::new();
    }
    let mut is_head = vec![false; blocks.len()];
    // 0: unvisited, 1: on the walk's stack, 2: done.
    let mut mark = vec![0u8; blocks.len()];
    let mut stack = vec![(0, successors(blocks[0]))];
    mark[0] = 1;
    while let Some((block, next)) = stack.last_mut() {
        let block = *block;
        match next.pop() {
            Some(next) => match mark[next] {
                0 => {
                    mark[next] = 1;
                    stack.push((next, successors(blocks[next])));
                }
                1 => is_head[next] = true,
                _ => {}
            },
            None => {
                mark[block] = 2;
                stack.pop();
            }
        }
    }
    blocks.into_iter().zip(is_head).filter_map(|(block, head)| head.then_some(block)).collect()
}

/// A new stack slot in `function`'s entry block holding [`LOOP_CHECK_INTERVAL`].
fn counter_slot<'ctx>(
    function: FunctionValue<'ctx>,
    builder: &Builder<'ctx>,
) -> Result<PointerValue<'ctx>, Error> {
    let entry = function.get_first_basic_block().expect("a defined function");
    let first = entry.get_first_instruction().expect("a block ends with a terminator");
    builder.position_before(&first);
    builder.unset_current_debug_location();
    let i64_type = function.get_type().get_context().i64_type();
    let counter = builder.build_alloca(i64_type, "loop_budget")?;
    builder.build_store(counter, i64_type.const_int(LOOP_CHECK_INTERVAL, false))?;
    Ok(counter)
}

/// Defines `void vex.loop_check(i64 *counter, char *file, i32 line, i32 col)`
/// (internal, always inlined): decrements the counter, and when it reaches zero resets
/// it and checks the guard, calling `vex_guard_hit(file, line, col)` when it fails.
fn define_check<'ctx>(
    module: &Module<'ctx>,
    builder: &Builder<'ctx>,
) -> Result<FunctionValue<'ctx>, Error> {
    let hit = module
        .get_function(RtFn::GuardHit.name())
        .ok_or_else(|| Error::Llvm("loop checks in a module without entry checks".into()))?;
    let context = module.get_context();
    let (ptr, i32_type, i64_type) =
        (context.ptr_type(AddressSpace::default()), context.i32_type(), context.i64_type());
    let params = [ptr.into(), ptr.into(), i32_type.into(), i32_type.into()];
    let check = module.add_function(
        CHECK_FUNCTION,
        context.void_type().fn_type(&params, false),
        Some(Linkage::Internal),
    );
    for attribute in ["alwaysinline", "nounwind"] {
        let kind = Attribute::get_named_enum_kind_id(attribute);
        check.add_attribute(AttributeLoc::Function, context.create_enum_attribute(kind, 0));
    }
    let param = |idx: u32| check.get_nth_param(idx).expect("four parameters");
    let counter = param(0).into_pointer_value();
    let entry = context.append_basic_block(check, "entry");
    let guard = context.append_basic_block(check, "guard");
    let hit_block = context.append_basic_block(check, "guard_hit");
    let done = context.append_basic_block(check, "done");
    builder.unset_current_debug_location();

    builder.position_at_end(entry);
    let left = builder.build_load(i64_type, counter, "left")?.into_int_value();
    let left = builder.build_int_sub(left, i64_type.const_int(1, false), "left")?;
    builder.build_store(counter, left)?;
    let due = builder.build_int_compare(IntPredicate::EQ, left, i64_type.const_zero(), "")?;
    let due = unlikely(module, builder, due, "due")?;
    builder.build_conditional_branch(due, guard, done)?;

    builder.position_at_end(guard);
    builder.build_store(counter, i64_type.const_int(LOOP_CHECK_INTERVAL, false))?;
    let below = sp_below_guard(module, builder, true)?;
    builder.build_conditional_branch(below, hit_block, done)?;

    builder.position_at_end(hit_block);
    let args: Vec<BasicMetadataValueEnum<'ctx>> = (1..4).map(|idx| param(idx).into()).collect();
    builder.build_call(hit, &args, "")?;
    builder.build_unreachable()?;

    builder.position_at_end(done);
    builder.build_return(None)?;
    Ok(check)
}

/// A private constant holding `text` and a NUL.
fn c_string<'ctx>(module: &Module<'ctx>, text: &str) -> PointerValue<'ctx> {
    let bytes = module.get_context().const_string(text.as_bytes(), true);
    let global = module.add_global(bytes.get_type(), None, "loop_check.file");
    global.set_initializer(&bytes);
    global.set_constant(true);
    global.set_linkage(Linkage::Private);
    global.set_unnamed_addr(true);
    global.as_pointer_value()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::RuntimeAbi;
    use crate::testing::loop_module;
    use crate::{HostTarget, Jit, OptLevel, TargetOptions};
    use inkwell::context::Context;

    /// The guard load only a loop check emits (entry checks are not in these modules).
    const GUARD_LOAD: &str = "load volatile i64, ptr addrspace(257)";

    /// `loop_module`'s `sum_below`, marked, with `vex_guard_hit` declared.
    fn marked_loop_module(context: &Context) -> Module<'_> {
        let module = loop_module(context);
        let target = HostTarget::new(TargetOptions::default()).unwrap();
        RuntimeAbi::new(context, &target.target_data()).declare(&module, RtFn::GuardHit);
        mark_pending(module.get_function("sum_below").unwrap(), "loop.vx", 3, 5);
        module
    }

    #[test]
    fn heads_are_the_targets_of_back_edges() {
        // entry -> outer; outer -> inner | exit; inner -> inner | latch; latch -> outer.
        let context = Context::create();
        let module = context.create_module("nest");
        let function = module.add_function("nest", context.void_type().fn_type(&[], false), None);
        let names = ["entry", "outer", "inner", "latch", "exit"];
        let [entry, outer, inner, latch, exit] =
            names.map(|name| context.append_basic_block(function, name));
        let builder = context.create_builder();
        let flag = context.bool_type().const_zero();
        for (block, targets) in [
            (entry, vec![outer]),
            (outer, vec![inner, exit]),
            (inner, vec![inner, latch]),
            (latch, vec![outer]),
        ] {
            builder.position_at_end(block);
            match targets[..] {
                [to] => builder.build_unconditional_branch(to).unwrap(),
                [then, otherwise] => {
                    builder.build_conditional_branch(flag, then, otherwise).unwrap()
                }
                _ => unreachable!("one or two successors"),
            };
        }
        builder.position_at_end(exit);
        builder.build_return(None).unwrap();
        assert_eq!(loop_heads(function), vec![outer, inner]);
    }

    #[test]
    fn a_marked_loop_is_checked_once_and_keeps_its_meaning() {
        let context = Context::create();
        let module = marked_loop_module(&context);
        let target = HostTarget::new(TargetOptions::default()).unwrap();
        add_loop_checks(&module, target.machine(), false).unwrap();
        module.verify().unwrap();
        let function = module.get_function("sum_below").unwrap();
        assert!(function.get_string_attribute(AttributeLoc::Function, PENDING).is_none());
        assert!(module.get_function(CHECK_FUNCTION).is_none());
        let text = module.print_to_string().to_string();
        assert_eq!(text.matches(GUARD_LOAD).count(), 1, "{text}");
        assert!(text.contains("%loop_budget = alloca i64"), "{text}");
        // A second call finds nothing left to do.
        add_loop_checks(&module, target.machine(), false).unwrap();
        assert_eq!(module.print_to_string().to_string(), text);
        let jit = Jit::new(module, OptLevel::O0).unwrap();
        // SAFETY: sum_below is i64 (i64); it runs on a thread whose guard is 0 (no check
        // fails).
        let sum = unsafe { jit.function::<unsafe extern "C" fn(i64) -> i64>("sum_below") };
        // SAFETY: as above.
        assert_eq!(unsafe { sum.unwrap().call(100_000) }, 4_999_950_000);
    }

    #[test]
    fn an_optimised_counter_lives_in_a_register() {
        // void spin(i64 *p) { for (;;) *(volatile i64 *)p = 1; }: no optimiser removes it.
        let context = Context::create();
        let target = HostTarget::new(TargetOptions::default()).unwrap();
        let module = context.create_module("spin");
        target.configure(&module);
        let abi = RuntimeAbi::new(&context, &target.target_data());
        let fn_type = context.void_type().fn_type(&[abi.ptr_type().into()], false);
        let spin = module.add_function("spin", fn_type, None);
        let builder = context.create_builder();
        // An entry check would call vex_guard_hit: so does this function, which keeps
        // the declaration through the optimiser.
        let hit = module.add_function("hit", fn_type, None);
        builder.position_at_end(context.append_basic_block(hit, "entry"));
        let args = [hit.get_nth_param(0).unwrap().into(), context.i32_type().const_zero().into()];
        let call = builder.build_call(
            abi.declare(&module, RtFn::GuardHit),
            &[args[0], args[1], args[1]],
            "",
        );
        call.unwrap();
        builder.build_unreachable().unwrap();
        let entry = context.append_basic_block(spin, "entry");
        let body = context.append_basic_block(spin, "body");
        builder.position_at_end(entry);
        builder.build_unconditional_branch(body).unwrap();
        builder.position_at_end(body);
        let p = spin.get_nth_param(0).unwrap().into_pointer_value();
        let store = builder.build_store(p, context.i64_type().const_int(1, false)).unwrap();
        store.set_volatile(true).unwrap();
        builder.build_unconditional_branch(body).unwrap();
        mark_pending(spin, "spin.vx", 1, 1);
        crate::opt::optimize(&module, &target, OptLevel::O2, false).unwrap();
        module.verify().unwrap();
        let text = module.print_to_string().to_string();
        assert_eq!(text.matches(GUARD_LOAD).count(), 1, "{text}");
        assert!(text.contains("phi i64") && !text.contains("alloca"), "{text}");
    }
}
