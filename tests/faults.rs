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
        assert!(matches!(&outcome.ending, Ending::Panicked(p) if p.message == "boom"), "{outcome:?}");
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
