//! Program entry (ARCHITECTURE.md "Program entry", LANGUAGE.md §6.8, §7, §13): generates
//! `vex_run_main`, which creates the runtime, gives it the program's arguments, spawns
//! the user's `main` as the first task, drains every task and turns the outcome into an
//! exit code (the code given to `exit`, 101 after a panic or a deadlock, else `main`'s),
//! and the C `main` of executables, which reads `VEX_WORKERS` / `VEX_CLOCK` and calls it
//! with its arguments after the program's name. The JIT calls `vex_run_main` directly
//! with an output sink and the host's arguments, so both paths share one definition.
//!
//! It must not know how `main` itself was compiled: it only calls its wrapper.

use crate::Error;
use crate::abi::{self, RtFn, RuntimeAbi};
use inkwell::IntPredicate;
use inkwell::module::{Linkage, Module};
use inkwell::values::FunctionValue;

/// Name of the generated function `i32 vex_run_main(i32 workers, i1 virtual_clock,
/// ptr sink, ptr sink_user, i32 argc, ptr argv)`: `argv` holds `argc` NUL-terminated
/// arguments (what `args()` gives), read during the call.
pub const RUN_MAIN: &str = "vex_run_main";

/// Exit code when the runtime cannot be created.
pub const NO_RUNTIME_EXIT_CODE: i32 = 70;

/// What the user's `main` task produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MainResult {
    /// `main()`: the exit code is 0.
    Unit,
    /// `main(): i32`: the result is the exit code.
    I32,
}

/// The user's `main` as the entry sees it: the wrapper `VexFuture *F(WorkerContext *)`
/// of an async function (a synchronous `main` is wrapped into one by lowering).
#[derive(Clone, Copy, Debug)]
pub struct MainFunction<'ctx> {
    /// The wrapper; called off-worker with a null context.
    pub wrapper: FunctionValue<'ctx>,
    /// The type of the task's result.
    pub result: MainResult,
}

/// Defines `vex_run_main` in `module` (see [`RUN_MAIN`]). The runtime is current on the
/// calling thread while `main`'s wrapper runs, so `vex_task_alloc` finds it.
pub fn define_run_main<'ctx>(
    abi: &RuntimeAbi<'ctx>,
    module: &Module<'ctx>,
    main: MainFunction<'ctx>,
) -> Result<FunctionValue<'ctx>, Error> {
    let context = abi.context();
    let i32_type = context.i32_type();
    let ptr_type = abi.ptr_type();
    let fn_type = i32_type.fn_type(
        &[
            i32_type.into(),
            context.bool_type().into(),
            ptr_type.into(),
            ptr_type.into(),
            i32_type.into(),
            ptr_type.into(),
        ],
        false,
    );
    let function = module.add_function(RUN_MAIN, fn_type, Some(Linkage::External));
    let builder = context.create_builder();
    let call = |f: RtFn, args: &[inkwell::values::BasicMetadataValueEnum<'ctx>], name: &str| {
        builder.build_call(abi.declare(module, f), args, name)
    };

    let entry = context.append_basic_block(function, "entry");
    let have_runtime = context.append_basic_block(function, "have_runtime");
    let no_runtime = context.append_basic_block(function, "no_runtime");
    let finished = context.append_basic_block(function, "finished");
    let take = context.append_basic_block(function, "take");
    let value = context.append_basic_block(function, "value");
    let unfinished = context.append_basic_block(function, "unfinished");
    let not_exited = context.append_basic_block(function, "not_exited");
    let exited = context.append_basic_block(function, "exited");
    let exit = context.append_basic_block(function, "exit");

    // Options struct, filled from the parameters.
    builder.position_at_end(entry);
    let options_type = abi.struct_type(&abi::RUNTIME_OPTIONS);
    let options = builder.build_alloca(options_type, "options")?;
    let params = function.get_params();
    let virtual_clock = builder.build_int_z_extend(
        params[1].into_int_value(),
        context.i8_type(),
        "virtual_clock",
    )?;
    // A program's own run: nothing outside its tasks can wake one, so a run where all
    // wait and nothing can wake them ends with the deadlock line and exit code 101
    // (LANGUAGE.md §11), as in the evaluator.
    let detect_deadlock = context.i8_type().const_int(1, false);
    let fields = [
        ("workers", params[0]),
        ("virtual_clock", virtual_clock.into()),
        ("detect_deadlock", detect_deadlock.into()),
        ("sink", params[2]),
        ("sink_user", params[3]),
    ];
    for (field, value) in fields {
        let idx = abi::RUNTIME_OPTIONS.field_index(field);
        let slot = builder.build_struct_gep(options_type, options, idx, field)?;
        builder.build_store(slot, value)?;
    }
    let result_slot = builder.build_alloca(i32_type, "result")?;
    builder.build_store(result_slot, i32_type.const_zero())?;
    let runtime = call(RtFn::RuntimeCreateWith, &[options.into()], "runtime")?;
    let runtime = runtime.try_as_basic_value().basic().expect("returns ptr").into_pointer_value();
    let is_null = builder.build_is_null(runtime, "no_runtime")?;
    builder.build_conditional_branch(is_null, no_runtime, have_runtime)?;

    builder.position_at_end(no_runtime);
    builder.build_return(Some(&i32_type.const_int(NO_RUNTIME_EXIT_CODE as u64, false)))?;

    // Spawn main, drain, and look at the outcome.
    builder.position_at_end(have_runtime);
    call(RtFn::RuntimeSetArgs, &[runtime.into(), params[4].into(), params[5].into()], "")?;
    call(RtFn::RuntimeSetCurrent, &[runtime.into()], "")?;
    let future =
        builder.build_call(main.wrapper, &[ptr_type.const_null().into()], "main_future")?;
    let future = future.try_as_basic_value().basic().expect("returns ptr").into_pointer_value();
    call(RtFn::RuntimeRun, &[runtime.into()], "")?;
    // `exit(code)` stopped the run: its code, whatever else happened (LANGUAGE.md §13).
    let has_exited = call(RtFn::RuntimeExited, &[runtime.into()], "has_exited")?;
    let has_exited = has_exited.try_as_basic_value().basic().expect("returns i1").into_int_value();
    builder.build_conditional_branch(has_exited, exited, not_exited)?;

    builder.position_at_end(exited);
    let exit_code = call(RtFn::RuntimeExitCode, &[runtime.into()], "exit_code")?;
    let exit_code = exit_code.try_as_basic_value().basic().expect("returns i32");
    builder.build_store(result_slot, exit_code)?;
    builder.build_unconditional_branch(exit)?;

    builder.position_at_end(not_exited);
    let panicked = call(RtFn::RuntimePanicked, &[runtime.into()], "panicked")?;
    let panicked = panicked.try_as_basic_value().basic().expect("returns i1").into_int_value();
    let deadlocked = call(RtFn::RuntimeDeadlocked, &[runtime.into()], "deadlocked")?;
    let deadlocked = deadlocked.try_as_basic_value().basic().expect("returns i64").into_int_value();
    let deadlocked = builder.build_int_compare(
        IntPredicate::NE,
        deadlocked,
        context.i64_type().const_zero(),
        "is_deadlocked",
    )?;
    let stopped = builder.build_or(panicked, deadlocked, "stopped")?;
    builder.build_conditional_branch(stopped, exit, finished)?;

    builder.position_at_end(finished);
    let outcome = call(RtFn::FutureOutcome, &[future.into()], "outcome")?;
    let outcome = outcome.try_as_basic_value().basic().expect("returns i32").into_int_value();
    let pending = abi.outcome_type().const_int(u64::from(abi::OUTCOME_PENDING), false);
    let is_pending = builder.build_int_compare(IntPredicate::EQ, outcome, pending, "pending")?;
    builder.build_conditional_branch(is_pending, unfinished, take)?;

    builder.position_at_end(take);
    let dst = match main.result {
        MainResult::Unit => ptr_type.const_null(),
        MainResult::I32 => result_slot,
    };
    let taken = call(
        RtFn::FutureTake,
        &[ptr_type.const_null().into(), future.into(), dst.into()],
        "taken",
    )?;
    let taken = taken.try_as_basic_value().basic().expect("returns i32").into_int_value();
    let got_value = abi.outcome_type().const_int(u64::from(abi::OUTCOME_VALUE), false);
    let is_value = builder.build_int_compare(IntPredicate::EQ, taken, got_value, "is_value")?;
    builder.build_conditional_branch(is_value, value, unfinished)?;

    builder.position_at_end(unfinished);
    // A pending future is still owned here; a taken one was released by take, and
    // releasing the (now dangling) handle again must not happen: only release when
    // pending.
    let release = context.append_basic_block(function, "release");
    let after_release = context.append_basic_block(function, "after_release");
    builder.build_conditional_branch(is_pending, release, after_release)?;
    builder.position_at_end(release);
    call(RtFn::FutureRelease, &[future.into()], "")?;
    builder.build_unconditional_branch(after_release)?;
    builder.position_at_end(after_release);
    builder.build_store(
        result_slot,
        i32_type.const_int(vex_async_lower::ir::UNFINISHED_MAIN_EXIT_CODE as u64, false),
    )?;
    builder.build_unconditional_branch(exit)?;

    builder.position_at_end(value);
    builder.build_unconditional_branch(exit)?;

    // Exit: 101 after a panic or a deadlock, else the stored code; the runtime is
    // destroyed either way.
    builder.position_at_end(exit);
    let code_phi = builder.build_phi(context.bool_type(), "was_panic")?;
    code_phi.add_incoming(&[
        (&context.bool_type().const_int(1, false), not_exited),
        (&context.bool_type().const_zero(), exited),
        (&context.bool_type().const_zero(), after_release),
        (&context.bool_type().const_zero(), value),
    ]);
    let stored = builder.build_load(i32_type, result_slot, "stored")?.into_int_value();
    let panic_code = i32_type.const_int(abi::PANIC_EXIT_CODE as u64, false);
    let code = builder.build_select(
        code_phi.as_basic_value().into_int_value(),
        panic_code,
        stored,
        "code",
    )?;
    call(RtFn::RuntimeSetCurrent, &[ptr_type.const_null().into()], "")?;
    call(RtFn::RuntimeDestroy, &[runtime.into()], "")?;
    builder.build_return(Some(&code))?;
    Ok(function)
}

/// Defines the C `int main(int argc, char **argv)` of an executable in `module`: reads
/// `VEX_WORKERS` (unset or not a number: one worker per CPU) and `VEX_CLOCK`
/// (`virtual`: deterministic clock), then returns `run_main`'s exit code; the program's
/// arguments are `argv[1..argc]`.
pub fn define_c_main<'ctx>(
    abi: &RuntimeAbi<'ctx>,
    module: &Module<'ctx>,
    run_main: FunctionValue<'ctx>,
) -> Result<FunctionValue<'ctx>, Error> {
    let context = abi.context();
    let i32_type = context.i32_type();
    let ptr_type = abi.ptr_type();
    let libc = |name: &str, ty: inkwell::types::FunctionType<'ctx>| {
        module
            .get_function(name)
            .unwrap_or_else(|| module.add_function(name, ty, Some(Linkage::External)))
    };
    let getenv = libc("getenv", ptr_type.fn_type(&[ptr_type.into()], false));
    let atoi = libc("atoi", i32_type.fn_type(&[ptr_type.into()], false));
    let strcmp = libc("strcmp", i32_type.fn_type(&[ptr_type.into(), ptr_type.into()], false));

    let main = module.add_function(
        "main",
        i32_type.fn_type(&[i32_type.into(), ptr_type.into()], false),
        Some(Linkage::External),
    );
    let builder = context.create_builder();
    let entry = context.append_basic_block(main, "entry");
    let parse_workers = context.append_basic_block(main, "parse_workers");
    let read_clock = context.append_basic_block(main, "read_clock");
    let compare_clock = context.append_basic_block(main, "compare_clock");
    let run = context.append_basic_block(main, "run");

    builder.position_at_end(entry);
    let workers_name = builder.build_global_string_ptr("VEX_WORKERS", "env_workers")?;
    let clock_name = builder.build_global_string_ptr("VEX_CLOCK", "env_clock")?;
    let virtual_name = builder.build_global_string_ptr("virtual", "clock_virtual")?;
    let workers_text =
        builder.build_call(getenv, &[workers_name.as_pointer_value().into()], "workers_text")?;
    let workers_text = workers_text.try_as_basic_value().basic().expect("ptr").into_pointer_value();
    let no_workers = builder.build_is_null(workers_text, "no_workers")?;
    builder.build_conditional_branch(no_workers, read_clock, parse_workers)?;

    builder.position_at_end(parse_workers);
    // atoi gives 0 for text that is not a number: the runtime then uses every CPU.
    let parsed = builder.build_call(atoi, &[workers_text.into()], "parsed")?;
    let parsed = parsed.try_as_basic_value().basic().expect("i32").into_int_value();
    builder.build_unconditional_branch(read_clock)?;

    builder.position_at_end(read_clock);
    let workers = builder.build_phi(i32_type, "workers")?;
    workers.add_incoming(&[(&i32_type.const_zero(), entry), (&parsed, parse_workers)]);
    let clock_text =
        builder.build_call(getenv, &[clock_name.as_pointer_value().into()], "clock_text")?;
    let clock_text = clock_text.try_as_basic_value().basic().expect("ptr").into_pointer_value();
    let no_clock = builder.build_is_null(clock_text, "no_clock")?;
    builder.build_conditional_branch(no_clock, run, compare_clock)?;

    builder.position_at_end(compare_clock);
    let order = builder.build_call(
        strcmp,
        &[clock_text.into(), virtual_name.as_pointer_value().into()],
        "order",
    )?;
    let order = order.try_as_basic_value().basic().expect("i32").into_int_value();
    let is_virtual =
        builder.build_int_compare(IntPredicate::EQ, order, i32_type.const_zero(), "is_virtual")?;
    builder.build_unconditional_branch(run)?;

    builder.position_at_end(run);
    let virtual_clock = builder.build_phi(context.bool_type(), "virtual_clock")?;
    virtual_clock.add_incoming(&[
        (&context.bool_type().const_zero(), read_clock),
        (&is_virtual, compare_clock),
    ]);
    // The arguments after the program's name (none when argc is 0).
    let params = main.get_params();
    let argc = params[0].into_int_value();
    let one = i32_type.const_int(1, false);
    let has_name = builder.build_int_compare(IntPredicate::SGT, argc, one, "has_args")?;
    let rest = builder.build_int_sub(argc, one, "rest")?;
    let count = builder.build_select(has_name, rest, i32_type.const_zero(), "count")?;
    // SAFETY (of the IR): argv has argc + 1 entries, so argv + 1 stays inside it.
    let args = unsafe {
        builder.build_in_bounds_gep(
            ptr_type,
            params[1].into_pointer_value(),
            &[context.i64_type().const_int(1, false)],
            "args",
        )?
    };
    let code = builder.build_call(
        run_main,
        &[
            workers.as_basic_value().into(),
            virtual_clock.as_basic_value().into(),
            ptr_type.const_null().into(),
            ptr_type.const_null().into(),
            count.into(),
            args.into(),
        ],
        "code",
    )?;
    let code = code.try_as_basic_value().basic().expect("i32");
    builder.build_return(Some(&code))?;
    Ok(main)
}
