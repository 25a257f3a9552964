//! The interrupt checks in the loops of JIT-compiled code (`codegen::loop_checks`): a
//! deadline stops every kind of runaway loop at -O 0 and -O 2, the checks are placed
//! after optimisation (a checked loop is still vectorised) and only where asked for.

mod common;

use common::{lower, target_options};
use inkwell::context::Context;
use std::time::{Duration, Instant};
use vex_async_lower::backend::{Compiled, Ending, Interruption, RunRequest};
use vex_llvm::codegen::{CodegenOptions, compile_module_with};
use vex_llvm::{HostTarget, JitBackend, OptLevel};

/// Runs `text` through the JIT at `level` with loop checks, with a deadline `after`
/// from the start, and returns how it ended, its stdout and how long it ran.
fn run_with_deadline(text: &str, level: OptLevel, after: Duration) -> (Ending, String, Duration) {
    let module = lower("spin.vx", text);
    let backend = JitBackend { opt_level: level, loop_checks: true };
    let program = backend.compile_program(&module, &[]).unwrap();
    let mut request = RunRequest::default();
    request.workers = 2;
    request.capture_output = true;
    let start = Instant::now();
    let _deadline = request.interrupt.trigger_at(start + after);
    let outcome = program.run_main(&request).unwrap();
    (outcome.ending, outcome.stdout, start.elapsed())
}

#[test]
fn deadlines_stop_every_kind_of_runaway_loop() {
    let programs = [
        ("empty loop", "fn main() {\n    loop {}\n}\n"),
        ("while true", "fn main() {\n    while true {}\n}\n"),
        (
            "arithmetic",
            "fn main() {\n    let! n = 1\n    loop {\n        n = (n * 3 + 1) % 1000003\n        if n < 0 { break }\n    }\n    println(n)\n}\n",
        ),
        // The inner loop is short: its checks must add up across the outer iterations.
        (
            "nested",
            "fn main() {\n    let! s = 0\n    loop {\n        for i in 0..3 {\n            s = (s + i) % 7\n        }\n        if s < 0 { break }\n    }\n    println(s)\n}\n",
        ),
        (
            "async, after a suspension",
            "async fn spin(): i64 {\n    await async_sleep(1)\n    let! n = 1\n    while n > 0 {\n        n = (n * 5 + 3) % 999983 + 1\n    }\n    n\n}\nasync fn main() {\n    println(\"started\")\n    println(await spin())\n}\n",
        ),
        (
            "in a task beside main",
            "async fn spin() {\n    let! n = 1\n    while n != 0 {\n        n = (n * 7) % 65537\n    }\n}\nasync fn main() {\n    go spin()\n    go spin()\n    await async_sleep(1000000)\n}\n",
        ),
    ];
    for level in [OptLevel::O0, OptLevel::O2] {
        for (name, text) in programs {
            let deadline = Duration::from_millis(100);
            let (ending, stdout, elapsed) = run_with_deadline(text, level, deadline);
            assert_eq!(ending, Ending::Interrupted(Interruption::Deadline), "{name} at {level:?}");
            let expected = if name.starts_with("async") { "started\n" } else { "" };
            assert_eq!(stdout, expected, "{name} at {level:?}");
            // Promptly: the teardown budget is 1 s, a check comes every ~1024 iterations.
            assert!(elapsed < Duration::from_secs(5), "{name} at {level:?}: {elapsed:?}");
        }
    }
}

/// The optimised LLVM IR of `text`'s module, compiled for the JIT.
fn optimised_ir(text: &str, loop_checks: bool) -> String {
    let module = lower("sum.vx", text);
    let context = Context::create();
    let target = HostTarget::new(target_options(OptLevel::O2, false)).unwrap();
    let options = CodegenOptions { no_loop_checks: !loop_checks, ..CodegenOptions::default() };
    let llvm = compile_module_with(&context, &target, &module, options).unwrap();
    vex_llvm::opt::optimize(&llvm, &target, OptLevel::O2, false).unwrap();
    llvm.verify().unwrap();
    llvm.print_to_string().to_string()
}

/// A volatile load of the guard word: what only a loop check emits in optimised code.
const LOOP_GUARD_LOAD: &str = "load volatile i64, ptr addrspace(257)";

#[test]
fn checked_loops_are_still_vectorised() {
    let text = "fn main() {\n    let! a = [0; 4096]\n    for i in 0..4096 {\n        a[i] = i * 7 % 1000\n    }\n    let! total = 0\n    for r in 0..1000 {\n        a[r % 4096] += 1\n        let! s = 0\n        for i in 0..4096 {\n            s += a[i]\n        }\n        total += s\n    }\n    println(total)\n}\n";
    let checked = optimised_ir(text, true);
    assert!(checked.contains("vector.body"), "{checked}");
    assert!(checked.contains(LOOP_GUARD_LOAD), "{checked}");
    // The marks and the helper are gone.
    assert!(!checked.contains("vex-loop-checks"), "{checked}");
    assert!(!checked.contains("@vex.loop_check("), "{checked}");
    // The counter lives in a register.
    assert!(
        checked.contains("%loop_budget") && !checked.contains("%loop_budget = alloca"),
        "{checked}"
    );
    let unchecked = optimised_ir(text, false);
    assert!(unchecked.contains("vector.body"), "{unchecked}");
    assert!(!unchecked.contains(LOOP_GUARD_LOAD), "{unchecked}");
}

#[test]
fn a_function_without_loops_gets_no_counter() {
    let ir = optimised_ir(
        "fn add(a: i64, b: i64): i64 { a + b }\nfn main() {\n    println(add(1, 2))\n}\n",
        true,
    );
    assert!(!ir.contains("loop_budget") && !ir.contains(LOOP_GUARD_LOAD), "{ir}");
}
