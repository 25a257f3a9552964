//! Differential testing of the two engines: generated well-typed programs
//! (`vex_hir::testing`) print the same output and end with the same exit code in the
//! reference evaluator and in LLVM-compiled code at O0 and O2, all in deterministic mode
//! (one worker, virtual clock).

#![cfg(feature = "llvm")]

use proptest::prelude::*;
use vex::{Compiler, Config, Engine, OptLevel, RunOptions};
use vex_hir::testing::{GenConfig, proptest_cases, well_typed_program};

fn run(compiler: &Compiler, engine: Engine, opt_level: OptLevel) -> (String, String, i32) {
    let config = Config::new().engine(engine).opt_level(opt_level).workers(1).deterministic(true);
    match compiler.compile(&config).and_then(|program| program.run(&RunOptions::new())) {
        Ok(out) => {
            let code = out.exit_code();
            (out.stdout, out.stderr, code)
        }
        Err(error) => panic!("{engine:?} -O{opt_level:?}: {error}"),
    }
}

fn config() -> GenConfig {
    let mut config = GenConfig::default();
    // Keep programs small enough that 3 engines x many cases stay fast in CI.
    config.functions = 2;
    config.async_functions = 2;
    config.block_len = 4;
    // Defers anywhere (in loops, nested blocks, go blocks) exercise the runtime's defer
    // lists against the evaluator's.
    config.defers_anywhere = true;
    config
}

fn check_seed(seed: u64) -> Result<(), TestCaseError> {
    let program = well_typed_program(seed, &config());
    let mut compiler = Compiler::new();
    compiler.set_file("gen.vx", program.clone());
    let reference = run(&compiler, Engine::Interpreter, OptLevel::O0);
    for opt_level in [OptLevel::O0, OptLevel::O2] {
        let compiled = run(&compiler, Engine::Jit, opt_level);
        prop_assert_eq!(
            &compiled,
            &reference,
            "{:?} differs on seed {}:\n{}",
            opt_level,
            seed,
            program
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(proptest_cases(128)))]

    #[test]
    fn evaluator_and_llvm_agree(seed in any::<u64>()) {
        check_seed(seed)?;
    }
}
