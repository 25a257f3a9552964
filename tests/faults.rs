//! Fault tests: each asserts that the host process survives what its guest does, many
//! times over, without growing: panics with tasks alive, interrupted runaway loops,
//! stack overflows at -O0 and -O2.

#![cfg(feature = "llvm")]

use std::time::Duration;

use vex::{Compiler, Config, Ending, Engine, Interruption, OptLevel, RunOptions};

/// Resident memory of this process in bytes (Linux `/proc/self/statm`).
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

fn compile(text: &str, config: &Config) -> vex::Program {
    let mut compiler = Compiler::new();
    compiler.set_file("main.vx", text);
    compiler.compile(config).unwrap()
}

/// 10,000 panics while other tasks are alive (each holding a string, a vector and a
/// pending sleep): the host lives on and its memory grows by less than 5 MB.
#[test]
fn ten_thousand_panics_with_tasks_alive() {
    let program = compile(
        "async fn hold(n: i64) {\n    let s = f\"task {n} holds a string that is long enough to be on the heap\"\n    let! v = Vec.new<string>()\n    v.push(s)\n    await async_sleep(1000)\n    println(v.len())\n}\nasync fn main() {\n    for i in 0..8 {\n        go hold(i)\n    }\n    await async_sleep(1)\n    $panic(\"boom\")\n}\n",
        &Config::new().workers(1).deterministic(true),
    );
    let run = || {
        let outcome = program.run(&RunOptions::new()).unwrap();
        assert!(
            matches!(&outcome.ending, Ending::Panicked(p) if p.message == "boom"),
            "{outcome:?}"
        );
    };
    // Warm up allocator caches first.
    for _ in 0..500 {
        run();
    }
    let before = rss_bytes();
    for _ in 0..10_000 {
        run();
    }
    let growth = rss_bytes().saturating_sub(before);
    eprintln!("RSS growth over 10,000 panics: {} KiB", growth / 1024);
    assert!(growth < 5 << 20, "RSS grew by {} KiB", growth / 1024);
}

/// 1,000 runaway loops, each stopped by an interrupt: the host lives on and does not
/// grow. Half are stopped by deadlines, half by an interrupt handle raised at once.
#[test]
fn a_thousand_interrupted_runaway_loops() {
    let program = compile(
        "fn step(n: i64): i64 { n + 1 }\nasync fn spin() {\n    let! n = 0\n    loop { n = step(n) }\n}\nasync fn main() {\n    go spin()\n    let! s = \"x\"\n    loop { s = s + \"\" }\n}\n",
        &Config::new().workers(2),
    );
    let before = rss_bytes();
    for i in 0..1000 {
        let options = if i % 2 == 0 {
            RunOptions::new().deadline(Duration::from_millis(1))
        } else {
            let handle = vex::InterruptHandle::new();
            handle.interrupt();
            RunOptions::new().interrupt(&handle)
        };
        let outcome = program.run(&options).unwrap();
        let why = if i % 2 == 0 { Interruption::Deadline } else { Interruption::Requested };
        assert_eq!(outcome.ending, Ending::Interrupted(why), "run {i}");
    }
    let growth = rss_bytes().saturating_sub(before);
    eprintln!("RSS growth over 1,000 interrupted runs: {} KiB", growth / 1024);
    assert!(growth < 5 << 20, "RSS grew by {} KiB", growth / 1024);
}

/// Guest stack overflow at -O0 and -O2, in `main` and in a task, many times: a located
/// panic each time, never a crash.
#[test]
fn repeated_stack_overflows_at_every_level() {
    let text = "fn down(n: i64): i64 {\n    if n == 0 { return 0 }\n    (down(n - 1) + n) % 7\n}\nasync fn task(): i64 { down(1 << 40) }\nasync fn main() {\n    if args().len() > 0 {\n        println(await task())\n    } else {\n        println(down(1 << 40))\n    }\n}\n";
    for level in [OptLevel::O0, OptLevel::O2] {
        let program = compile(text, &Config::new().engine(Engine::Jit).opt_level(level));
        for i in 0..20 {
            let args: Vec<&str> = if i % 2 == 0 { vec![] } else { vec!["in a task"] };
            let outcome = program.run(&RunOptions::new().args(args)).unwrap();
            let Ending::Panicked(panic) = &outcome.ending else { panic!("{level:?}: {outcome:?}") };
            assert_eq!(panic.to_string(), "panic at main.vx:1:4: stack overflow", "{level:?}");
        }
    }
}
