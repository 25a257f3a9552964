//! Time to first output of `vex run` (JIT, -O0, the default), from starting the process
//! to the first byte on its stdout: for hello world and for generated programs of 1,000,
//! 10,000 and 50,000 lines in one file whose `main` calls one function (the program's
//! generated entry, which reaches a small part of it). Issue 15's goals: hello ≤ 20 ms,
//! 50,000 lines ≤ 0.3 s. Prints the median and the best of several runs.
//!
//! `cargo bench --bench startup` (or `cargo xtask bench startup`) runs it.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 9;

fn main() {
    if std::env::args().skip(1).any(|a| !a.starts_with('-') && !"startup".contains(a.as_str())) {
        return;
    }
    let dir = std::env::temp_dir().join(format!("vex-startup-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hello = dir.join("hello.vx");
    std::fs::write(&hello, "fn main() {\n    println(\"hello\")\n}\n").unwrap();
    let mut cases = vec![("hello".to_owned(), hello, 3)];
    for lines in [1_000, 10_000, 50_000] {
        let path = dir.join(format!("lines{lines}.vx"));
        std::fs::write(&path, program(lines)).unwrap();
        let count = std::fs::read_to_string(&path).unwrap().lines().count();
        cases.push((format!("{count} lines"), path, count));
    }
    println!("| program | median | best | goal |");
    println!("|---|---|---|---|");
    for (name, path, lines) in &cases {
        let mut times: Vec<Duration> = (0..RUNS).map(|_| first_output(path)).collect();
        times.sort();
        let goal = match *lines {
            3 => "20 ms",
            n if n >= 50_000 => "300 ms",
            _ => "",
        };
        println!(
            "| {name} | {:.1} ms | {:.1} ms | {goal} |",
            times[RUNS / 2].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A generated program of about `lines` lines whose `main` prints, then calls one
/// function: the generator's own entry, renamed (so the first output measures compiling
/// and starting the program, not running it).
fn program(lines: usize) -> String {
    let files = vex_hir::testing::large_program(lines, lines, 2026);
    let text = &files[0].1;
    let (entry, call) = if text.contains("async fn main()") {
        (
            "async fn main()",
            "async fn main() {\n    println(\"start\")\n    await generated_main()\n}\n",
        )
    } else {
        ("fn main()", "fn main() {\n    println(\"start\")\n    generated_main()\n}\n")
    };
    let renamed = entry.replace("main", "generated_main");
    format!("{}\n{call}", text.replacen(entry, &renamed, 1))
}

/// From spawning `vex run FILE` to the first byte of its output; then waits for it.
fn first_output(path: &Path) -> Duration {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vex"))
        .arg("run")
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("vex runs");
    let mut stdout = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    let read = stdout.read(&mut byte).unwrap_or(0);
    let elapsed = started.elapsed();
    assert_eq!(read, 1, "{} printed nothing", path.display());
    let mut rest = Vec::new();
    let _ = stdout.read_to_end(&mut rest);
    let status = child.wait().unwrap();
    assert!(status.success(), "{} failed: {status}", path.display());
    elapsed
}
