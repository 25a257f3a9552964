//! The embedding API as a Rust host uses it: add files, get diagnostics, compile once and
//! run `main` many times (also from several threads) in every engine, provide
//! `extern "C"` functions, and get how each run ended as data — returned, exited,
//! panicked with its location, deadlocked, interrupted — while the host keeps running.

#![cfg(feature = "llvm")]

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use vex::{
    Compiler, Config, Ending, Engine, Error, InterruptHandle, Interruption, OptLevel, RunOptions,
};

static LOGGED: AtomicI64 = AtomicI64::new(0);

extern "C" fn host_scale(x: i64, factor: i64) -> i64 {
    x * factor
}

extern "C" fn host_log(code: i64) {
    LOGGED.fetch_add(code, Ordering::SeqCst);
}

const ENGINES: [Engine; 3] = [Engine::Interpreter, Engine::Jit, Engine::Executable];

fn deterministic(engine: Engine) -> Config {
    Config::new().engine(engine).workers(1).deterministic(true)
}

fn compiler(text: &str) -> Compiler {
    let mut compiler = Compiler::new();
    compiler.set_file("main.vx", text);
    compiler
}

#[test]
fn run_main_capturing_output_and_exit_code() {
    let compiler = compiler(
        "async fn twice(x: i64): i64 {\n    await async_sleep(10)\n    x * 2\n}\nasync fn main(): i32 {\n    let v = await twice(21)\n    println(f\"v = {v}\")\n    v as i32\n}\n",
    );
    for engine in ENGINES {
        let program = compiler.compile(&deterministic(engine)).unwrap();
        let outcome = program.run(&RunOptions::new()).unwrap();
        assert_eq!(outcome.stdout, "v = 42\n", "{engine:?}");
        assert_eq!(outcome.ending, Ending::Returned(42), "{engine:?}");
    }
}

/// A program compiled once runs many times, from several threads at once, each run with
/// its own output and ending.
#[test]
fn a_program_compiled_once_runs_concurrently_from_many_threads() {
    let compiler = compiler(
        "async fn main(): i32 {\n    let n = match args()[0].toInt() {\n        Some(v) => v,\n        None => 0,\n    }\n    await async_sleep(2)\n    println(f\"run {n}\")\n    n as i32\n}\n",
    );
    for engine in ENGINES {
        let program = compiler.compile(&Config::new().engine(engine).workers(2)).unwrap();
        std::thread::scope(|scope| {
            for t in 0..4 {
                let program = program.clone();
                scope.spawn(move || {
                    for i in 0..5 {
                        let n = t * 10 + i;
                        let options = RunOptions::new().args([n.to_string()]);
                        let outcome = program.run(&options).unwrap();
                        assert_eq!(outcome.stdout, format!("run {n}\n"), "{engine:?}");
                        assert_eq!(outcome.ending, Ending::Returned(n), "{engine:?}");
                    }
                });
            }
        });
    }
}

#[test]
fn host_functions_are_called_from_vex() {
    let mut compiler = compiler(
        "extern \"C\" fn host_scale(x: i64, factor: i64): i64\nextern \"C\" fn host_log(code: i64)\nfn main() {\n    host_log(host_scale(7, 6))\n    println(host_scale(2, 3))\n}\n",
    );
    // SAFETY: both functions have exactly the C signatures the program declares.
    unsafe {
        compiler.provide_host_function("host_scale", host_scale as *const ());
        compiler.provide_host_function("host_log", host_log as *const ());
    }
    let before = LOGGED.load(Ordering::SeqCst);
    let program = compiler.compile(&deterministic(Engine::Jit)).unwrap();
    let outcome = program.run(&RunOptions::new()).unwrap();
    assert_eq!(outcome.stdout, "6\n");
    assert_eq!(LOGGED.load(Ordering::SeqCst) - before, 42);
    // The engines that cannot call host functions say so when compiling.
    for engine in [Engine::Interpreter, Engine::Executable] {
        let error = compiler.compile(&deterministic(engine)).unwrap_err();
        assert!(error.to_string().contains("host function"), "{engine:?}: {error}");
    }
}

#[test]
fn a_host_function_the_program_does_not_declare_is_an_error_at_compile_time() {
    let mut compiler =
        compiler("extern \"C\" fn host_scale(x: i64, factor: i64): i64\nfn main() {}\n");
    // SAFETY: never called: compiling fails first.
    unsafe { compiler.provide_host_function("host_sacle", host_scale as *const ()) };
    let error = compiler.compile(&deterministic(Engine::Jit)).unwrap_err();
    assert!(error.to_string().contains("host_sacle"), "{error}");
}

/// A panic is an ending with its message and location, the same in every engine and
/// whether output is captured or not; the host keeps running and can run again.
#[test]
fn a_panic_is_data_and_the_host_keeps_running() {
    let compiler = compiler(
        "fn main() {\n    println(\"before\")\n    let a = [1, 2, 3]\n    let i = 5\n    println(a[i])\n}\n",
    );
    for engine in ENGINES {
        let program = compiler.compile(&deterministic(engine)).unwrap();
        for capture in [true, false, true] {
            let outcome = program.run(&RunOptions::new().capture_output(capture)).unwrap();
            let Ending::Panicked(panic) = &outcome.ending else {
                panic!("{engine:?}: {outcome:?}")
            };
            assert_eq!(panic.message, "index out of bounds: index 5, length 3", "{engine:?}");
            assert_eq!(
                (panic.location.file.as_str(), panic.location.line, panic.location.column),
                ("main.vx", 5, 13),
                "{engine:?}"
            );
            assert_eq!(outcome.exit_code(), 101);
            if capture {
                assert_eq!(outcome.stdout, "before\n", "{engine:?}");
                assert_eq!(outcome.stderr, format!("{panic}\n"), "{engine:?}");
            }
        }
    }
}

/// What a program prints is not how it ended: printing a panic-like line and exiting
/// with 101 is an exit, not a panic.
#[test]
fn an_ending_is_never_read_from_the_output() {
    let compiler = compiler(
        "fn main() {\n    eprintln(\"panic at main.vx:1:1: not really\")\n    exit(101)\n}\n",
    );
    for engine in ENGINES {
        let program = compiler.compile(&deterministic(engine)).unwrap();
        let outcome = program.run(&RunOptions::new()).unwrap();
        assert_eq!(outcome.ending, Ending::Exited(101), "{engine:?}");
    }
}

#[test]
fn deadlocks_are_endings_in_every_engine() {
    let compiler =
        compiler("fn main() {\n    let ch = Channel.new<i64>(0)\n    println(<-ch)\n}\n");
    for engine in ENGINES {
        let outcome =
            compiler.compile(&deterministic(engine)).unwrap().run(&RunOptions::new()).unwrap();
        assert_eq!(outcome.ending, Ending::Deadlocked { tasks: 1 }, "{engine:?}");
        assert_eq!(outcome.exit_code(), 101);
    }
}

#[test]
fn errors_and_a_missing_main_stop_before_compiling() {
    let mut compiler = compiler("fn main() { let x: i32 = \"no\" }\n");
    assert!(
        matches!(compiler.compile(&Config::default()), Err(Error::Diagnostics(d)) if d.len() == 1)
    );
    compiler.set_file("main.vx", "fn helper() {}\n");
    assert!(matches!(compiler.compile(&Config::default()), Err(Error::NoMain)));
}

#[test]
fn editing_a_file_changes_what_compiles() {
    let mut compiler = compiler("fn main() { println(1) }\n");
    let first = compiler.compile(&deterministic(Engine::Jit)).unwrap();
    compiler.set_file("util.vx", "fn value(): i64 { 2 }\n");
    compiler.set_file("main.vx", "fn main() { println(value()) }\n");
    let second = compiler.compile(&deterministic(Engine::Jit)).unwrap();
    // The first program is unaffected by the edit.
    assert_eq!(first.run(&RunOptions::new()).unwrap().stdout, "1\n");
    assert_eq!(second.run(&RunOptions::new()).unwrap().stdout, "2\n");
}

/// A host gives the program its arguments (`args()`), and `exit(code)` ends the run with
/// that exit code as an ordinary ending: the host keeps running, in every engine.
#[test]
fn arguments_and_exit_codes_reach_the_host() {
    let compiler = compiler(
        "async fn main() {\n    go {\n        await async_sleep(50)\n        println(\"not reached\")\n    }\n    println(f\"args: {args()}\")\n    await async_sleep(1)\n    exit(args().len() as i32)\n}\n",
    );
    for engine in ENGINES {
        let program = compiler.compile(&deterministic(engine)).unwrap();
        let options = RunOptions::new().args(["a", "b c"]);
        let outcome = program.run(&options).unwrap();
        assert_eq!(outcome.stdout, "args: [a, b c]\n", "{engine:?}");
        assert_eq!(outcome.ending, Ending::Exited(2), "{engine:?}");
        // Twice: the runtime is per run, so nothing of the first exit remains.
        assert_eq!(program.run(&options).unwrap(), outcome, "{engine:?}");
    }
}

/// A runaway loop — with and without calls, in a task and in `main` — is stopped by a
/// deadline in every engine and at every optimisation level; the program stays usable.
/// (The deadline leaves a loaded machine time to start the run and print first.)
#[test]
fn deadlines_stop_runaway_loops() {
    let compiler = compiler(
        "fn spin(n: i64): i64 { n + 1 }\nasync fn main() {\n    go {\n        let! i = 0\n        loop { i = spin(i) }\n    }\n    println(\"started\")\n    loop {}\n}\n",
    );
    for (engine, level) in [
        (Engine::Interpreter, OptLevel::O0),
        (Engine::Jit, OptLevel::O0),
        (Engine::Jit, OptLevel::O2),
        (Engine::Executable, OptLevel::O2),
    ] {
        let program =
            compiler.compile(&Config::new().engine(engine).opt_level(level).workers(2)).unwrap();
        for _ in 0..2 {
            let start = Instant::now();
            let outcome =
                program.run(&RunOptions::new().deadline(Duration::from_millis(300))).unwrap();
            assert_eq!(
                outcome.ending,
                Ending::Interrupted(Interruption::Deadline),
                "{engine:?} {level:?}"
            );
            assert_eq!(outcome.exit_code(), 124);
            assert_eq!(outcome.stdout, "started\n", "{engine:?} {level:?}");
            assert!(start.elapsed() < Duration::from_secs(10), "{engine:?} {level:?}");
        }
    }
}

/// An interrupt handle raised from another thread stops a run; a raised handle stops
/// later runs at once; runs without it are unaffected.
#[test]
fn interrupt_handles_stop_runs_from_another_thread() {
    let compiler = compiler("fn main() {\n    let! n = 0\n    while true { n = n + 1 }\n}\n");
    for engine in ENGINES {
        let program = compiler.compile(&Config::new().engine(engine)).unwrap();
        let handle = InterruptHandle::new();
        let stopper = handle.clone();
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            stopper.interrupt();
        });
        let outcome = program.run(&RunOptions::new().interrupt(&handle)).unwrap();
        thread.join().unwrap();
        assert_eq!(outcome.ending, Ending::Interrupted(Interruption::Requested), "{engine:?}");
        assert!(handle.is_interrupted());
        let again = program.run(&RunOptions::new().interrupt(&handle)).unwrap();
        assert_eq!(again.ending, Ending::Interrupted(Interruption::Requested), "{engine:?}");
    }
    let finite = compiler_for_finite();
    let outcome = finite.compile(&Config::default()).unwrap().run(&RunOptions::new()).unwrap();
    assert_eq!(outcome.ending, Ending::Returned(0));
}

fn compiler_for_finite() -> Compiler {
    compiler("fn main() {\n    let! n = 0\n    while n < 1000 { n = n + 1 }\n}\n")
}

/// The evaluator's fuel counts every loop iteration, even of an empty loop.
#[test]
fn fuel_bounds_the_evaluator_even_on_empty_loops() {
    let compiler = compiler("fn main() {\n    println(\"go\")\n    loop {}\n}\n");
    let config = Config::new().engine(Engine::Interpreter).fuel(Some(10_000));
    let outcome = compiler.compile(&config).unwrap().run(&RunOptions::new()).unwrap();
    assert_eq!(outcome.ending, Ending::Interrupted(Interruption::Fuel));
    assert_eq!(outcome.stdout, "go\n");
}

/// Unbounded recursion is a located `stack overflow` panic in every engine, at -O0
/// (where every call makes a frame) and -O2; the host lives on.
#[test]
fn stack_overflow_is_a_located_panic() {
    let compiler = compiler(
        "fn depth(n: i64): i64 {\n    if n == 0 { return 0 }\n    (depth(n - 1) + n) % 1000\n}\nasync fn deep(): i64 { depth(1000000000) }\nasync fn main() {\n    println(await deep())\n}\n",
    );
    for (engine, level) in [
        (Engine::Interpreter, OptLevel::O0),
        (Engine::Jit, OptLevel::O0),
        (Engine::Jit, OptLevel::O2),
        (Engine::Executable, OptLevel::O0),
    ] {
        let program = compiler.compile(&Config::new().engine(engine).opt_level(level)).unwrap();
        let outcome = program.run(&RunOptions::new()).unwrap();
        let Ending::Panicked(panic) = &outcome.ending else {
            panic!("{engine:?} {level:?}: {outcome:?}")
        };
        assert!(panic.message.starts_with("stack overflow"), "{engine:?} {level:?}: {panic}");
        assert_eq!((panic.location.line, panic.location.column), (1, 4), "{engine:?} {level:?}");
    }
}

/// An `extern "C"` function that nothing provides is an error before anything runs (it
/// used to be a call of address 0).
#[test]
fn a_missing_host_function_is_an_error_before_running() {
    let compiler = compiler(
        "extern \"C\" fn host_not_there(x: i64): i64\nfn main() {\n    println(host_not_there(1))\n}\n",
    );
    let error = compiler.compile(&deterministic(Engine::Jit)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "jit: `extern \"C\" fn host_not_there` is not provided by the host and not found in this process"
    );
}

static DEFERS_RUN: AtomicI64 = AtomicI64::new(0);

extern "C" fn host_defer_ran(n: i64) {
    DEFERS_RUN.fetch_add(n, Ordering::SeqCst);
}

/// The tasks an interrupted run leaves are cancelled: their defers run (here: a host
/// function counts them), while what they print is discarded; a task that never started
/// does not run at all.
#[test]
fn an_interrupted_run_cancels_its_tasks_and_their_defers_run() {
    let mut compiler = compiler(
        "extern \"C\" fn host_defer_ran(n: i64)\nasync fn hold(n: i64) {\n    defer {\n        host_defer_ran(n)\n        println(\"discarded\")\n    }\n    await async_sleep(100000)\n}\nasync fn never_started() {\n    host_defer_ran(1000)\n}\nasync fn main() {\n    go hold(1)\n    go hold(10)\n    await async_sleep(1)\n    go never_started()\n    println(\"spinning\")\n    loop {}\n}\n",
    );
    // SAFETY: the signature matches the declaration.
    unsafe { compiler.provide_host_function("host_defer_ran", host_defer_ran as *const ()) };
    let program = compiler.compile(&Config::new().workers(1)).unwrap();
    let before = DEFERS_RUN.load(Ordering::SeqCst);
    let outcome = program.run(&RunOptions::new().deadline(Duration::from_millis(300))).unwrap();
    assert_eq!(outcome.ending, Ending::Interrupted(Interruption::Deadline));
    assert_eq!(outcome.stdout, "spinning\n");
    assert_eq!(DEFERS_RUN.load(Ordering::SeqCst) - before, 11);
}

/// Host functions as Rust closures with state, in the JIT and the evaluator: checked
/// against the declaration when compiling; a panic of the closure is a panic of the
/// calling task at the call, and the host lives on.
#[test]
fn host_closures_with_state_in_the_jit_and_the_evaluator() {
    use std::sync::Arc;
    use std::sync::atomic::AtomicU32;
    let text = "extern \"C\" fn tally(x: i64, weight: f64): f64\nextern \"C\" fn flag(on: bool): bool\nextern \"C\" fn fail(code: i32): i32\nfn main() {\n    println(tally(2, 0.5) + tally(4, 1.0))\n    println(flag(true))\n    if args().len() > 0 {\n        println(fail(7))\n    }\n}\n";
    for engine in [Engine::Jit, Engine::Interpreter] {
        let mut compiler = compiler(text);
        let calls = Arc::new(AtomicU32::new(0));
        let counted = calls.clone();
        compiler.define_host_fn("tally", move |(x, weight): (i64, f64)| {
            counted.fetch_add(1, Ordering::SeqCst);
            x as f64 * weight
        });
        compiler.define_host_fn("flag", |(on,): (bool,)| !on);
        compiler.define_host_fn("fail", |(code,): (i32,)| -> i32 { panic!("code {code}") });
        let program = compiler.compile(&deterministic(engine)).unwrap();
        let outcome = program.run(&RunOptions::new()).unwrap();
        assert_eq!(outcome.stdout, "5\nfalse\n", "{engine:?}");
        assert_eq!(calls.load(Ordering::SeqCst), 2, "{engine:?}");
        let outcome = program.run(&RunOptions::new().args(["fail"])).unwrap();
        let Ending::Panicked(panic) = &outcome.ending else { panic!("{engine:?}: {outcome:?}") };
        assert_eq!(panic.message, "host function `fail` panicked: code 7", "{engine:?}");
        assert_eq!(panic.location.file, "main.vx");
        // The program and the host carry on.
        assert_eq!(program.run(&RunOptions::new()).unwrap().stdout, "5\nfalse\n");
    }
}

#[test]
fn host_closures_are_checked_against_their_declarations() {
    let mut wrong = compiler("extern \"C\" fn scale(x: i64): i64\nfn main() {}\n");
    wrong.define_host_fn("scale", |(x,): (i32,)| x * 2);
    let error = wrong.compile(&deterministic(Engine::Jit)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`scale` is `extern \"C\" fn(i64): i64`, not `extern \"C\" fn(i32): i32`"
    );
    let mut missing = compiler("fn main() {}\n");
    missing.define_host_fn("nowhere", |(): ()| 1i64);
    assert!(matches!(missing.compile(&deterministic(Engine::Jit)), Err(Error::NoFunction(_))));
    // The executable engine cannot call into the host.
    let mut exe = compiler("extern \"C\" fn scale(x: i64): i64\nfn main() {}\n");
    exe.define_host_fn("scale", |(x,): (i64,)| x * 2);
    assert!(exe.compile(&deterministic(Engine::Executable)).is_err());
}

/// Without loop checks (`Config::interruptible_loops(false)`), a deadline still stops a
/// loop that calls a (not inlined) function, at that function's entry.
#[test]
fn without_loop_checks_deadlines_act_at_function_entries() {
    let compiler = compiler(
        "fn step(n: i64): i64 { n + 1 }\nfn main() {\n    let! n = 0\n    loop { n = step(n) }\n}\n",
    );
    let config = Config::new().opt_level(OptLevel::O0).interruptible_loops(false);
    let program = compiler.compile(&config).unwrap();
    let outcome = program.run(&RunOptions::new().deadline(Duration::from_millis(20))).unwrap();
    assert_eq!(outcome.ending, Ending::Interrupted(Interruption::Deadline));
}

/// Compiling checks the program while it lowers and compiles on another thread: a
/// broken program (every third example, cut short, or with a type error put into
/// `main`) is reported by its diagnostics, whatever the speculative lowering made of
/// it, and nothing runs.
#[test]
fn broken_programs_give_diagnostics_while_compiling_speculatively() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let texts: Vec<String> = vex_hir::testing::example_files(&root)
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    assert!(texts.len() > 100);
    for (i, text) in texts.iter().enumerate().step_by(3) {
        let cut = text.char_indices().map(|(at, _)| at).nth(text.chars().count() / 2).unwrap();
        let mistyped =
            text.replacen("fn main() {", "fn main() {\n    let mistyped: i32 = \"no\"", 1);
        for broken in [&text[..cut], mistyped.as_str()] {
            let mut probe = Compiler::new();
            probe.set_file("main.vx", broken);
            if !probe.has_errors() {
                continue;
            }
            for config in [Config::new().main_only(true), Config::new().opt_level(OptLevel::O0)] {
                // A fresh compiler: checking and speculative lowering start together.
                let mut compiler = Compiler::new();
                compiler.set_file("main.vx", broken);
                match compiler.compile(&config) {
                    Err(Error::Diagnostics(diagnostics)) => assert!(!diagnostics.is_empty()),
                    Err(other) => panic!("example {i}: {other}"),
                    Ok(_) => panic!("example {i}: a program with errors compiled"),
                }
            }
        }
    }
}
