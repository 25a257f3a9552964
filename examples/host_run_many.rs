//! A Rust host compiles a Vex program once and runs it many times, from several threads
//! at once, each run with its own arguments, output and ending; a deadline stops a run
//! that does not end, and the host carries on.
//!
//! `cargo run --example host_run_many`

use std::time::Duration;

use vex::{Compiler, Config, Ending, Interruption, RunOptions};

const PROGRAM: &str = r#"
async fn main(): i32 {
    let n = match args()[0].toInt() {
        Some(v) => v,
        None => 0,
    }
    if n < 0 {
        loop {}
    }
    await async_sleep(n)
    println(f"slept {n} ms")
    n as i32
}
"#;

fn main() {
    let mut compiler = Compiler::new();
    compiler.set_file("main.vx", PROGRAM);
    // Compile once (LLVM JIT, -O2)...
    let program = compiler.compile(&Config::new()).expect("the program compiles");
    // ... run many times, concurrently: a Program is cheap to clone, Send and Sync.
    std::thread::scope(|scope| {
        for n in 1..=4 {
            let program = program.clone();
            scope.spawn(move || {
                let outcome = program.run(&RunOptions::new().args([n.to_string()])).unwrap();
                assert_eq!(outcome.stdout, format!("slept {n} ms\n"));
                assert_eq!(outcome.ending, Ending::Returned(n));
                println!("run {n}: {:?}", outcome.ending);
            });
        }
    });
    // A run that never ends is stopped by its deadline; the program stays usable.
    let runaway = RunOptions::new().args(["-1"]).deadline(Duration::from_millis(50));
    let outcome = program.run(&runaway).unwrap();
    assert_eq!(outcome.ending, Ending::Interrupted(Interruption::Deadline));
    println!("runaway run: {:?} (exit code {})", outcome.ending, outcome.exit_code());
    let outcome = program.run(&RunOptions::new().args(["5"])).unwrap();
    assert_eq!(outcome.ending, Ending::Returned(5));
}
