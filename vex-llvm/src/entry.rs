//! Program entry (ARCHITECTURE.md "Program entry", LANGUAGE.md §6.8, §7, §13): two
//! trampolines into the runtime's own entry (`vex-rt/src/program.c`), which spawns the
//! user's `main` as the first task, drains every task and turns how the run stopped into
//! a report and an exit code. `vex_run_main(rt, report)` runs the program on a runtime
//! its caller made (the JIT, with the host's options and an output sink); the C `main`
//! of executables hands its arguments and `vex_run_main` to `vex_exe_main`, which reads
//! `VEX_WORKERS` / `VEX_CLOCK` / `VEX_REPORT_FILE`. Both paths share one definition of
//! what a run's ending is.
//!
//! It must not know how `main` itself was compiled: it only calls its wrapper.

use crate::Error;
use crate::abi::{RtFn, RuntimeAbi};
use inkwell::module::{Linkage, Module};
use inkwell::values::FunctionValue;

/// Name of the generated function `i32 vex_run_main(ptr rt, ptr report)`
/// (`VexRunMain` in `vex_rt.h`): runs the program on `rt`, fills the `VexRunReport`
/// (which may be null) and returns the exit code.
pub const RUN_MAIN: &str = "vex_run_main";

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

/// Defines `vex_run_main` in `module` (see [`RUN_MAIN`]): a call of `vex_program_run`
/// with `main`'s wrapper and the size of its result.
pub fn define_run_main<'ctx>(
    abi: &RuntimeAbi<'ctx>,
    module: &Module<'ctx>,
    main: MainFunction<'ctx>,
) -> Result<FunctionValue<'ctx>, Error> {
    let context = abi.context();
    let i32_type = context.i32_type();
    let ptr_type = abi.ptr_type();
    let fn_type = i32_type.fn_type(&[ptr_type.into(), ptr_type.into()], false);
    let function = module.add_function(RUN_MAIN, fn_type, Some(Linkage::External));
    let builder = context.create_builder();
    builder.position_at_end(context.append_basic_block(function, "entry"));
    let result_size = match main.result {
        MainResult::Unit => 0,
        MainResult::I32 => 4,
    };
    let params = function.get_params();
    let wrapper = main.wrapper.as_global_value().as_pointer_value();
    let code = builder.build_call(
        abi.declare(module, RtFn::ProgramRun),
        &[
            params[0].into(),
            wrapper.into(),
            i32_type.const_int(result_size, false).into(),
            params[1].into(),
        ],
        "code",
    )?;
    builder.build_return(Some(&code.try_as_basic_value().basic().expect("returns i32")))?;
    Ok(function)
}

/// Defines the C `int main(int argc, char **argv)` of an executable in `module`: a call
/// of `vex_exe_main` with `run_main` (which reads the environment, runs the program on
/// `argv[1..argc]` and returns its exit code).
pub fn define_c_main<'ctx>(
    abi: &RuntimeAbi<'ctx>,
    module: &Module<'ctx>,
    run_main: FunctionValue<'ctx>,
) -> Result<FunctionValue<'ctx>, Error> {
    let context = abi.context();
    let i32_type = context.i32_type();
    let ptr_type = abi.ptr_type();
    let main = module.add_function(
        "main",
        i32_type.fn_type(&[i32_type.into(), ptr_type.into()], false),
        Some(Linkage::External),
    );
    let builder = context.create_builder();
    builder.position_at_end(context.append_basic_block(main, "entry"));
    let params = main.get_params();
    let run_main = run_main.as_global_value().as_pointer_value();
    let code = builder.build_call(
        abi.declare(module, RtFn::ExeMain),
        &[params[0].into(), params[1].into(), run_main.into()],
        "code",
    )?;
    builder.build_return(Some(&code.try_as_basic_value().basic().expect("returns i32")))?;
    Ok(main)
}
