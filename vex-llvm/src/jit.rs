//! In-process execution: an LLVM MCJIT engine over one module whose runtime calls are
//! bound to the runtime library linked into this process through vex-rt-sys (each
//! declared [`RtFn`] gets its address from [`RtFn::address`], so no symbol needs to be
//! exported dynamically), while other external symbols (libc) are resolved from the
//! process's shared libraries. [`Jit::run_main`] runs a program through the generated
//! `vex_run_main` on a runtime made for the run ([`run_entry`]).
//!
//! It must not build code: modules arrive complete (codegen plus, for programs,
//! [`crate::entry`]).

use crate::abi::RtFn;
use crate::entry::RUN_MAIN;
use crate::{Error, HostTarget, OptLevel, TargetOptions};
use inkwell::execution_engine::{ExecutionEngine, JitFunction, UnsafeFunctionPointer};
use inkwell::module::Module;
use vex_async_lower::backend::{
    Ending, Interrupt, Interruption, Panic, RunOutcome, RunRequest, SourceLocation,
};
use vex_rt_sys::{ProgramEnding, ProgramReport, RuntimeBuilder};

/// A compiled module, ready to call into.
pub struct Jit<'ctx> {
    engine: ExecutionEngine<'ctx>,
    module: Module<'ctx>,
}

impl std::fmt::Debug for Jit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jit").field("module", &self.module.get_name()).finish()
    }
}

impl<'ctx> Jit<'ctx> {
    /// Takes `module`, gives it the host's data layout, binds its runtime declarations
    /// and prepares the engine. The module must be complete and valid; it is verified
    /// here. Code generation happens on the first lookup.
    pub fn new(module: Module<'ctx>, opt_level: OptLevel) -> Result<Jit<'ctx>, Error> {
        let target = HostTarget::new(TargetOptions { opt_level, native_cpu: true })?;
        target.configure(&module);
        module.verify().map_err(|e| Error::InvalidModule(e.to_string()))?;
        let engine = module
            .create_jit_execution_engine(crate::target::codegen_level(opt_level))
            .map_err(Error::llvm)?;
        for function in module.get_functions() {
            if function.count_basic_blocks() != 0 {
                continue;
            }
            let name = function.get_name().to_string_lossy();
            if let Some(runtime) = RtFn::from_name(&name) {
                engine.add_global_mapping(&function, runtime.address());
            }
        }
        Ok(Jit { engine, module })
    }

    /// Binds the declared function `name` (an `extern "C"` function of the program) to
    /// the host's implementation at `address`, instead of a symbol of the process.
    /// Returns whether the module declares such a function. Must be called before the
    /// first function lookup, which compiles the module.
    ///
    /// # Safety
    /// `address` must point to a function with the C signature the program declares,
    /// callable from any worker thread for as long as this `Jit` runs code.
    pub unsafe fn bind_host_function(&self, name: &str, address: usize) -> bool {
        match self.module.get_function(name) {
            Some(function) if function.count_basic_blocks() == 0 => {
                self.engine.add_global_mapping(&function, address);
                true
            }
            _ => false,
        }
    }

    /// The functions the module declares but does not define that nothing will provide:
    /// not runtime functions, not LLVM intrinsics, not in `bound` (host functions bound
    /// with [`Jit::bind_host_function`]) and not found in this process by the dynamic
    /// linker. Calling one would jump to address 0, so a program with any must not run.
    pub fn unresolved_functions(&self, bound: &[&str]) -> Vec<String> {
        self.module
            .get_functions()
            .filter(|f| f.count_basic_blocks() == 0)
            .map(|f| f.get_name().to_string_lossy().into_owned())
            .filter(|name| {
                !name.starts_with("llvm.")
                    && RtFn::from_name(name).is_none()
                    && !bound.contains(&name.as_str())
                    && !process_has_symbol(name)
            })
            .collect()
    }

    /// Maps the global `global` (a declaration of the module) onto host memory at
    /// `address`. Before the first function lookup.
    pub fn map_global(&self, global: &inkwell::values::GlobalValue<'ctx>, address: usize) {
        self.engine.add_global_mapping(global, address);
    }

    /// The module being executed.
    pub fn module(&self) -> &Module<'ctx> {
        &self.module
    }

    /// The address of the compiled function `name` (compiles the module on first use).
    pub fn function_address(&self, name: &str) -> Result<usize, Error> {
        if self.module.get_function(name).is_none() {
            return Err(Error::MissingFunction(name.to_string()));
        }
        self.engine.get_function_address(name).map_err(|_| Error::MissingFunction(name.to_string()))
    }

    /// The compiled function `name` as a typed pointer.
    ///
    /// # Safety
    /// `F` must be the exact C signature of the function as it was generated; the
    /// returned value must not be called after this `Jit` is dropped.
    pub unsafe fn function<F: UnsafeFunctionPointer>(
        &self,
        name: &str,
    ) -> Result<JitFunction<'ctx, F>, Error> {
        if self.module.get_function(name).is_none() {
            return Err(Error::MissingFunction(name.to_string()));
        }
        // SAFETY: the caller guarantees F is the function's signature.
        unsafe { self.engine.get_function::<F>(name) }
            .map_err(|_| Error::MissingFunction(name.to_string()))
    }

    /// The program's entry (`vex_run_main`, see [`crate::entry`]), compiling the module
    /// if that has not happened yet.
    pub fn entry(&self) -> Result<vex_rt_sys::ffi::VexRunMain, Error> {
        let address = self.function_address(RUN_MAIN)?;
        // SAFETY: vex_run_main is generated by entry::define_run_main with exactly the
        // C signature of VexRunMain.
        Ok(unsafe { std::mem::transmute::<usize, vex_rt_sys::ffi::VexRunMain>(address) })
    }

    /// Runs the program's `main` to completion on a new runtime made as `request` says
    /// (see [`run_entry`]).
    pub fn run_main(&self, request: &RunRequest) -> Result<RunOutcome, Error> {
        let entry = self.entry()?;
        // SAFETY: `entry` is this module's vex_run_main, alive as long as self.
        unsafe { run_entry(entry, request) }
    }
}

/// How long the teardown of a stopped run may take before what is left of it is
/// abandoned (a task's cancel path that never ends).
pub const TEARDOWN_BUDGET: std::time::Duration = std::time::Duration::from_secs(1);

/// Tears down what a stopped run of `runtime` left (`Runtime::teardown`), interrupting
/// the teardown if it takes longer than [`TEARDOWN_BUDGET`] (a cancel path or defer that
/// never ends): what is left then stays abandoned, and the host goes on.
///
/// # Safety
/// The code of the runtime's tasks must stay alive during the call.
pub unsafe fn teardown_within_budget(runtime: &vex_rt_sys::Runtime) {
    let budget = Interrupt::new();
    let stopped = runtime.clone();
    let _hook = budget.on_trigger(move || stopped.interrupt());
    let _deadline = budget.trigger_at(std::time::Instant::now() + TEARDOWN_BUDGET);
    // SAFETY: the caller guarantees the tasks' code.
    unsafe { runtime.teardown() };
}

/// Whether the dynamic linker finds `name` in this process (the C library and every
/// other loaded object).
fn process_has_symbol(name: &str) -> bool {
    let Ok(name) = std::ffi::CString::new(name) else { return false };
    // SAFETY: dlsym only reads the NUL-terminated name.
    !unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) }.is_null()
}

/// Runs a program's entry on a new runtime made as `request` says (workers, clock,
/// arguments, output capture; deadlock detection on, as for every program's own run):
/// raising `request.interrupt` interrupts the runtime, and the ending comes from the
/// runtime's report.
///
/// # Safety
/// `entry` must be a program's generated `vex_run_main` whose code stays alive during
/// the call.
pub unsafe fn run_entry(
    entry: vex_rt_sys::ffi::VexRunMain,
    request: &RunRequest,
) -> Result<RunOutcome, Error> {
    // An argument holding a 0 byte is cut there (C strings cannot carry it).
    let args = request.args.iter().map(|a| a.split('\0').next().unwrap_or_default());
    let runtime = RuntimeBuilder::new()
        .workers(request.workers as usize)
        .virtual_clock(request.virtual_clock)
        .detect_deadlock(true)
        .capture_output(request.capture_output)
        .args(args)
        .build()
        .map_err(|e| Error::Runtime(e.to_string()))?;
    let interrupted = runtime.clone();
    let hook = request.interrupt.on_trigger(move || interrupted.interrupt());
    // SAFETY: the caller guarantees `entry`.
    let report = unsafe { runtime.run_program(entry) };
    let output = runtime.take_output();
    // The tasks a stopped run left release what they hold, within a budget (a run that
    // ended normally left none).
    let stopped_run =
        !matches!(report.ending, ProgramEnding::Returned(_) | ProgramEnding::Unfinished);
    if stopped_run {
        // SAFETY: the tasks' code is `entry`'s module, alive during the call (see above).
        unsafe { teardown_within_budget(&runtime) };
    }
    drop(hook);
    Ok(RunOutcome::new(
        ending_of(report, &request.interrupt),
        output.stdout_text(),
        output.stderr_text(),
    ))
}

/// The [`Ending`] of a run from the runtime's report (an interruption is reported with
/// the reason `interrupt` was raised for).
pub fn ending_of(report: ProgramReport, interrupt: &Interrupt) -> Ending {
    match report.ending {
        ProgramEnding::Returned(code) => Ending::Returned(code),
        ProgramEnding::Exited(code) => Ending::Exited(code),
        ProgramEnding::Panicked { file, line, col, message } => Ending::Panicked(Panic {
            message,
            location: SourceLocation { file, line, column: col },
        }),
        ProgramEnding::Deadlocked(tasks) => Ending::Deadlocked { tasks },
        ProgramEnding::Interrupted => {
            Ending::Interrupted(interrupt.reason().unwrap_or(Interruption::Requested))
        }
        _ => Ending::Unfinished,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The evaluator (which has no C runtime) and the runtime's report agree on the exit
    /// codes of the endings that have no code of their own.
    #[test]
    fn endings_map_to_the_runtimes_exit_codes() {
        use vex_rt_sys::ffi;
        let interrupted = Ending::Interrupted(Interruption::Requested);
        assert_eq!(interrupted.exit_code(), ffi::VEX_INTERRUPTED_EXIT_CODE);
        assert_eq!(Ending::Unfinished.exit_code(), ffi::VEX_UNFINISHED_EXIT_CODE);
        assert_eq!(Ending::Deadlocked { tasks: 1 }.exit_code(), crate::abi::PANIC_EXIT_CODE);
    }
    use crate::abi::{RtFn, RuntimeAbi};
    use crate::testing::{Ending as SleepyEnding, sleepy_program};
    use inkwell::context::Context;
    use inkwell::module::Linkage;

    fn request(workers: u32, virtual_clock: bool) -> RunRequest {
        let mut request = RunRequest::default();
        request.workers = workers;
        request.virtual_clock = virtual_clock;
        request.capture_output = true;
        request
    }

    fn run(ending: SleepyEnding) -> RunOutcome {
        let context = Context::create();
        let module = sleepy_program(&context, ending, false);
        let jit = Jit::new(module, OptLevel::O0).unwrap();
        jit.run_main(&request(1, true)).unwrap()
    }

    #[test]
    fn runs_a_task_that_sleeps_in_virtual_time() {
        let outcome = run(SleepyEnding::Exit(42));
        assert_eq!(outcome.stdout, "start\n5\n");
        assert_eq!(outcome.stderr, "");
        assert_eq!(outcome.ending, Ending::Returned(42));
    }

    #[test]
    fn a_panic_exits_with_101_and_reports_the_location() {
        let outcome = run(SleepyEnding::Panic);
        assert_eq!(outcome.stdout, "start\n");
        assert_eq!(outcome.stderr, "panic at demo.vx:3:5: boom\n");
        let Ending::Panicked(panic) = &outcome.ending else { panic!("{outcome:?}") };
        assert_eq!(panic.to_string(), "panic at demo.vx:3:5: boom");
        assert_eq!(outcome.exit_code(), 101);
    }

    #[test]
    fn several_workers_and_the_real_clock_give_the_same_output() {
        let context = Context::create();
        let module = sleepy_program(&context, SleepyEnding::Exit(7), false);
        let jit = Jit::new(module, OptLevel::O2).unwrap();
        let outcome = jit.run_main(&request(2, false)).unwrap();
        let stdout = outcome.stdout.clone();
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 2, "{stdout}");
        assert_eq!(lines[0], "start");
        // Real time: at least the 5 ms slept have passed since the runtime started.
        assert!(lines[1].parse::<i64>().unwrap() >= 5, "{stdout}");
        assert_eq!(outcome.ending, Ending::Returned(7));
    }

    /// `i64 show(i64 x)`: prints `labs(x)` through the current runtime and returns it
    /// doubled — a runtime symbol and a libc symbol in one function.
    #[test]
    fn binds_runtime_and_libc_symbols_in_a_plain_function() {
        let context = Context::create();
        let module = context.create_module("plain");
        let target = HostTarget::new(TargetOptions::default()).unwrap();
        target.configure(&module);
        let abi = RuntimeAbi::new(&context, &target.target_data());
        let i64_type = context.i64_type();
        let labs = module.add_function(
            "labs",
            i64_type.fn_type(&[i64_type.into()], false),
            Some(Linkage::External),
        );
        let show = module.add_function("show", i64_type.fn_type(&[i64_type.into()], false), None);
        let builder = context.create_builder();
        builder.position_at_end(context.append_basic_block(show, "entry"));
        let x = show.get_nth_param(0).unwrap();
        let magnitude = builder.build_call(labs, &[x.into()], "magnitude").unwrap();
        let magnitude = magnitude.try_as_basic_value().basic().unwrap().into_int_value();
        let text = builder
            .build_call(abi.declare(&module, RtFn::StringFromI64), &[magnitude.into()], "text")
            .unwrap()
            .try_as_basic_value()
            .basic()
            .unwrap();
        let stdout = context.i32_type().const_int(1, false);
        let newline = context.bool_type().const_int(1, false);
        let print = abi.declare(&module, RtFn::Print);
        builder.build_call(print, &[stdout.into(), text.into(), newline.into()], "").unwrap();
        builder.build_call(abi.declare(&module, RtFn::StringRelease), &[text.into()], "").unwrap();
        let doubled = builder.build_int_add(magnitude, magnitude, "doubled").unwrap();
        builder.build_return(Some(&doubled)).unwrap();

        let jit = Jit::new(module, OptLevel::O1).unwrap();
        assert!(matches!(jit.function_address("absent"), Err(Error::MissingFunction(_))));
        // SAFETY: `show` was built above as i64 (i64).
        let show = unsafe { jit.function::<unsafe extern "C" fn(i64) -> i64>("show") }.unwrap();
        let runtime = vex_rt_sys::RuntimeBuilder::new().capture_output(true).build().unwrap();
        // SAFETY: the runtime is alive; printing only needs it to be current.
        let doubled = unsafe {
            vex_rt_sys::ffi::runtime_set_current(runtime.as_raw());
            let doubled = show.call(-21);
            vex_rt_sys::ffi::runtime_set_current(std::ptr::null_mut());
            doubled
        };
        assert_eq!(doubled, 42);
        assert_eq!(runtime.take_output().stdout_text(), "21\n");
    }
}
