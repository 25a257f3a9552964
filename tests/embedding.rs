//! The embedding API as a Rust host uses it: add files, get diagnostics, run `main`
//! through the JIT with output captured, provide `extern "C"` functions, and get a
//! panic of the program back as an error while the host keeps running.

#![cfg(feature = "llvm")]

use std::sync::atomic::{AtomicI64, Ordering};

use vex::{Compiler, Engine, RunError, RunOptions};

static LOGGED: AtomicI64 = AtomicI64::new(0);

extern "C" fn host_scale(x: i64, factor: i64) -> i64 {
    x * factor
}

extern "C" fn host_log(code: i64) {
    LOGGED.fetch_add(code, Ordering::SeqCst);
}

fn deterministic(engine: Engine) -> RunOptions {
    let mut options = RunOptions::with_engine(engine);
    options.workers = 1;
    options.virtual_clock = true;
    options
}

#[test]
fn run_main_capturing_output_and_exit_code() {
    let mut compiler = Compiler::new();
    compiler.set_file(
        "main.vx",
        "async fn twice(x: i64): i64 {\n    await async_sleep(10)\n    x * 2\n}\nasync fn main(): i32 {\n    let v = await twice(21)\n    println(f\"v = {v}\")\n    v as i32\n}\n",
    );
    for engine in [Engine::Interpreter, Engine::Jit, Engine::Executable] {
        let output = compiler.run(&deterministic(engine)).unwrap();
        assert_eq!(output.stdout, "v = 42\n", "{engine:?}");
        assert_eq!(output.exit_code, 42, "{engine:?}");
    }
}

#[test]
fn host_functions_are_called_from_vex() {
    let mut compiler = Compiler::new();
    compiler.set_file(
        "main.vx",
        "extern \"C\" fn host_scale(x: i64, factor: i64): i64\nextern \"C\" fn host_log(code: i64)\nfn main() {\n    host_log(host_scale(7, 6))\n    println(host_scale(2, 3))\n}\n",
    );
    // SAFETY: both functions have exactly the C signatures the program declares.
    unsafe {
        compiler.provide_host_function("host_scale", host_scale as *const ());
        compiler.provide_host_function("host_log", host_log as *const ());
    }
    let before = LOGGED.load(Ordering::SeqCst);
    let output = compiler.run(&deterministic(Engine::Jit)).unwrap();
    assert_eq!(output.stdout, "6\n");
    assert_eq!(LOGGED.load(Ordering::SeqCst) - before, 42);
}

#[test]
fn a_panic_is_an_error_and_the_host_keeps_running() {
    let mut compiler = Compiler::new();
    compiler.set_file("main.vx", "fn main() {\n    println(\"before\")\n    let a = [1, 2, 3]\n    let i = 5\n    println(a[i])\n}\n");
    for _ in 0..3 {
        let error = compiler.run(&deterministic(Engine::Jit)).unwrap_err();
        let RunError::Panicked { message, output } = error else { panic!("expected a panic") };
        assert_eq!(message, "panic at main.vx:5:13: index out of bounds: index 5, length 3");
        assert_eq!(output.stdout, "before\n");
        assert_eq!(output.exit_code, 101);
    }
}

#[test]
fn errors_and_a_missing_main_stop_before_running() {
    let mut compiler = Compiler::new();
    compiler.set_file("main.vx", "fn main() { let x: i32 = \"no\" }\n");
    assert!(
        matches!(compiler.run(&RunOptions::default()), Err(RunError::Diagnostics(d)) if d.len() == 1)
    );
    compiler.set_file("main.vx", "fn helper() {}\n");
    assert!(matches!(compiler.run(&RunOptions::default()), Err(RunError::NoMain)));
}

#[test]
fn editing_a_file_changes_what_runs() {
    let mut compiler = Compiler::new();
    compiler.set_file("main.vx", "fn main() { println(1) }\n");
    assert_eq!(compiler.run(&deterministic(Engine::Jit)).unwrap().stdout, "1\n");
    compiler.set_file("util.vx", "fn value(): i64 { 2 }\n");
    compiler.set_file("main.vx", "fn main() { println(value()) }\n");
    assert_eq!(compiler.run(&deterministic(Engine::Jit)).unwrap().stdout, "2\n");
}

/// A host gives the program its arguments (`args()`), and `exit(code)` ends the run with
/// that exit code as an ordinary result: the host keeps running, in every engine.
#[test]
fn arguments_and_exit_codes_reach_the_host() {
    let mut compiler = Compiler::new();
    compiler.set_file(
        "main.vx",
        "async fn main() {\n    go {\n        await async_sleep(50)\n        println(\"not reached\")\n    }\n    println(f\"args: {args()}\")\n    await async_sleep(1)\n    exit(args().len() as i32)\n}\n",
    );
    for engine in [Engine::Interpreter, Engine::Jit, Engine::Executable] {
        let mut options = deterministic(engine);
        options.args = vec!["a".to_string(), "b c".to_string()];
        let output = compiler.run(&options).unwrap();
        assert_eq!(output.stdout, "args: [a, b c]\n", "{engine:?}");
        assert_eq!(output.exit_code, 2, "{engine:?}");
        // Twice: the runtime is per run, so nothing of the first exit remains.
        let again = compiler.run(&options).unwrap();
        assert_eq!(again, output, "{engine:?}");
    }
}
