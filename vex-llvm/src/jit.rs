//! In-process execution: an LLVM MCJIT engine over one module whose runtime calls are
//! bound to the runtime library linked into this process through vex-rt-sys (each
//! declared [`RtFn`] gets its address from [`RtFn::address`], so no symbol needs to be
//! exported dynamically), while other external symbols (libc) are resolved from the
//! process's shared libraries. [`Jit::run_main`] runs a program through the generated
//! `vex_run_main` with captured output.
//!
//! It must not build code: modules arrive complete (codegen plus, for programs,
//! [`crate::entry`]).

use crate::abi::RtFn;
use crate::entry::RUN_MAIN;
use crate::{Error, HostTarget, OptLevel, TargetOptions};
use inkwell::execution_engine::{ExecutionEngine, JitFunction, UnsafeFunctionPointer};
use inkwell::module::Module;
use std::ffi::{CString, c_char, c_void};
use vex_rt_sys::{Output, OutputCapture};

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

/// How [`Jit::run_main`] runs a program.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunOptions {
    /// Workers (0: one per CPU); forced to 1 by the runtime with a virtual clock.
    pub workers: u32,
    /// Deterministic mode (`VEX_CLOCK=virtual`).
    pub virtual_clock: bool,
    /// Capture stdout and stderr instead of writing to the process's descriptors.
    pub capture_output: bool,
    /// The program's arguments, what `args()` gives (LANGUAGE.md §13). An argument
    /// holding a 0 byte is cut there (C strings carry them).
    pub args: Vec<String>,
}

/// What a program run produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunOutcome {
    /// The exit code (`main`'s result, 0 for unit, 101 after a panic, the code given to
    /// `exit`).
    pub exit_code: i32,
    /// Captured output (empty without capture).
    pub output: Output,
}

type RunMainFn = unsafe extern "C" fn(
    workers: i32,
    virtual_clock: bool,
    sink: Option<vex_rt_sys::ffi::vex_output_sink>,
    sink_user: *mut c_void,
    argc: i32,
    argv: *const *const c_char,
) -> i32;

impl<'ctx> Jit<'ctx> {
    /// Takes `module`, gives it the host's data layout, binds its runtime declarations
    /// and prepares the engine. The module must be complete and valid; it is verified
    /// here. Code generation happens on the first lookup.
    pub fn new(module: Module<'ctx>, opt_level: OptLevel) -> Result<Jit<'ctx>, Error> {
        let target = HostTarget::new(TargetOptions { opt_level, native_cpu: true })?;
        target.configure(&module);
        module.verify().map_err(|e| Error::InvalidModule(e.to_string()))?;
        let engine =
            module.create_jit_execution_engine(opt_level.codegen_level()).map_err(Error::llvm)?;
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

    /// Runs the program's `vex_run_main` (see [`crate::entry::define_run_main`]) to
    /// completion on this thread and the runtime's workers.
    pub fn run_main(&self, options: &RunOptions) -> Result<RunOutcome, Error> {
        // SAFETY: vex_run_main is generated by entry::define_run_main with exactly this
        // signature (i1 is passed as a zero-extended bool, like C's).
        let run_main = unsafe { self.function::<RunMainFn>(RUN_MAIN)? };
        let capture = options.capture_output.then(OutputCapture::new);
        let (sink, sink_user) = match capture.as_ref().map(OutputCapture::sink) {
            Some((sink, user)) => (Some(sink), user),
            None => (None, std::ptr::null_mut()),
        };
        let workers = i32::try_from(options.workers).unwrap_or(i32::MAX);
        let args: Vec<CString> = options
            .args
            .iter()
            .map(|a| {
                let bytes = a.as_bytes();
                let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
                CString::new(&bytes[..end]).expect("no 0 byte left")
            })
            .collect();
        let argv: Vec<*const c_char> = args.iter().map(|a| a.as_ptr()).collect();
        let argc = i32::try_from(argv.len()).unwrap_or(i32::MAX);
        // SAFETY: the sink's user pointer is `capture`, alive until after the call,
        // which destroys the runtime (and so every use of the sink) before returning;
        // `argv` and the strings it points to live until after the call, which copies
        // them.
        let exit_code = unsafe {
            run_main.call(workers, options.virtual_clock, sink, sink_user, argc, argv.as_ptr())
        };
        let output = capture.map(OutputCapture::into_output).unwrap_or_default();
        Ok(RunOutcome { exit_code, output })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{RtFn, RuntimeAbi};
    use crate::testing::{Ending, sleepy_program};
    use inkwell::context::Context;
    use inkwell::module::Linkage;

    fn run(ending: Ending) -> RunOutcome {
        let context = Context::create();
        let module = sleepy_program(&context, ending, false);
        let jit = Jit::new(module, OptLevel::O0).unwrap();
        let options =
            RunOptions { workers: 1, virtual_clock: true, capture_output: true, args: Vec::new() };
        jit.run_main(&options).unwrap()
    }

    #[test]
    fn runs_a_task_that_sleeps_in_virtual_time() {
        let outcome = run(Ending::Exit(42));
        assert_eq!(outcome.output.stdout_text(), "start\n5\n");
        assert_eq!(outcome.output.stderr_text(), "");
        assert_eq!(outcome.exit_code, 42);
    }

    #[test]
    fn a_panic_exits_with_101_and_reports_the_location() {
        let outcome = run(Ending::Panic);
        assert_eq!(outcome.output.stdout_text(), "start\n");
        assert_eq!(outcome.output.stderr_text(), "panic at demo.vx:3:5: boom\n");
        assert_eq!(outcome.exit_code, 101);
    }

    #[test]
    fn several_workers_and_the_real_clock_give_the_same_output() {
        let context = Context::create();
        let module = sleepy_program(&context, Ending::Exit(7), false);
        let jit = Jit::new(module, OptLevel::O2).unwrap();
        let options =
            RunOptions { workers: 2, virtual_clock: false, capture_output: true, args: Vec::new() };
        let outcome = jit.run_main(&options).unwrap();
        let stdout = outcome.output.stdout_text();
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 2, "{stdout}");
        assert_eq!(lines[0], "start");
        // Real time: at least the 5 ms slept have passed since the runtime started.
        assert!(lines[1].parse::<i64>().unwrap() >= 5, "{stdout}");
        assert_eq!(outcome.exit_code, 7);
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
