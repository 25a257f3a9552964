//! Prints how long the backend takes on a small module: the optimisation pipeline and
//! object emission at each level, and JIT start-up (engine creation plus code
//! generation of the first function) — `cargo run --release -p vex-llvm --example
//! timings`. It measures; it must not assert anything (the tests do that).

use inkwell::context::Context;
use inkwell::module::Module;
use std::time::{Duration, Instant};
use vex_llvm::abi::RuntimeAbi;
use vex_llvm::{HostTarget, Jit, OptLevel, TargetOptions};

const ROUNDS: usize = 30;

/// A small module: the program entry (`vex_run_main` and C `main`) around a trivial
/// async `main` wrapper, plus a function with a loop.
fn small_module<'ctx>(context: &'ctx Context, target: &HostTarget) -> Module<'ctx> {
    let module = context.create_module("small");
    target.configure(&module);
    let abi = RuntimeAbi::new(context, &target.target_data());
    let builder = context.create_builder();
    let i64_type = context.i64_type();
    let ptr = abi.ptr_type();

    // i64 triangle(i64 n): a counted loop with a phi, the kind of code O2 rewrites.
    let triangle =
        module.add_function("triangle", i64_type.fn_type(&[i64_type.into()], false), None);
    let entry = context.append_basic_block(triangle, "entry");
    let body = context.append_basic_block(triangle, "body");
    let exit = context.append_basic_block(triangle, "exit");
    builder.position_at_end(entry);
    builder.build_unconditional_branch(body).unwrap();
    builder.position_at_end(body);
    let i = builder.build_phi(i64_type, "i").unwrap();
    let acc = builder.build_phi(i64_type, "acc").unwrap();
    let i_value = i.as_basic_value().into_int_value();
    let acc_next =
        builder.build_int_add(acc.as_basic_value().into_int_value(), i_value, "acc_next").unwrap();
    let i_next = builder.build_int_add(i_value, i64_type.const_int(1, false), "i_next").unwrap();
    let n = triangle.get_nth_param(0).unwrap().into_int_value();
    let done = builder.build_int_compare(inkwell::IntPredicate::SGE, i_next, n, "done").unwrap();
    builder.build_conditional_branch(done, exit, body).unwrap();
    i.add_incoming(&[(&i64_type.const_zero(), entry), (&i_next, body)]);
    acc.add_incoming(&[(&i64_type.const_zero(), entry), (&acc_next, body)]);
    builder.position_at_end(exit);
    builder.build_return(Some(&acc_next)).unwrap();

    // VexFuture *main(WorkerContext *): returns a null future (never run here).
    let wrapper = module.add_function("main.wrapper", ptr.fn_type(&[ptr.into()], false), None);
    builder.position_at_end(context.append_basic_block(wrapper, "entry"));
    builder.build_return(Some(&ptr.const_null())).unwrap();
    let main = vex_llvm::entry::MainFunction { wrapper, result: vex_llvm::entry::MainResult::I32 };
    let run_main = vex_llvm::entry::define_run_main(&abi, &module, main).unwrap();
    vex_llvm::entry::define_c_main(&abi, &module, run_main).unwrap();
    module.verify().unwrap();
    module
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    println!("small module, median of {ROUNDS} rounds");
    for level in OptLevel::ALL {
        let mut options = TargetOptions::default();
        options.opt_level = level;
        let target = HostTarget::new(options).unwrap();
        let (mut passes, mut emit) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let context = Context::create();
            let module = small_module(&context, &target);
            let start = Instant::now();
            vex_llvm::opt::optimize(&module, &target, level, false).unwrap();
            passes.push(start.elapsed());
            let start = Instant::now();
            let object = vex_llvm::aot::emit_object(&module, &target).unwrap();
            emit.push(start.elapsed());
            assert!(!object.is_empty());
        }
        let (passes, emit) = (median(passes), median(emit));
        println!(
            "{level:?}: passes {:>8.3} ms, object {:>8.3} ms, total {:>8.3} ms",
            passes.as_secs_f64() * 1e3,
            emit.as_secs_f64() * 1e3,
            (passes + emit).as_secs_f64() * 1e3
        );
    }
    for level in [OptLevel::O0, OptLevel::O2] {
        let target = HostTarget::new(TargetOptions::default()).unwrap();
        let (mut create, mut first) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let context = Context::create();
            let module = small_module(&context, &target);
            let start = Instant::now();
            let jit = Jit::new(module, level).unwrap();
            create.push(start.elapsed());
            let start = Instant::now();
            jit.function_address("triangle").unwrap();
            first.push(start.elapsed());
        }
        let (create, first) = (median(create), median(first));
        println!(
            "JIT {level:?}: engine {:>8.3} ms, first function {:>8.3} ms, start-up {:>8.3} ms",
            create.as_secs_f64() * 1e3,
            first.as_secs_f64() * 1e3,
            (create + first).as_secs_f64() * 1e3
        );
    }
}
