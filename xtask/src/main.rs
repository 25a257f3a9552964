//! `cargo xtask`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! - `cargo xtask test` installs missing system dependencies (LLVM 19 and the C
//!   sanitizer runtimes from the distribution), then runs every suite: the Rust
//!   workspace tests, the C runtime's tests (plain, ThreadSanitizer, AddressSanitizer)
//!   and a short smoke run of every fuzz target.
//! - `cargo xtask run FILE.vx` runs a Vex program through the `vex` CLI.
//! - `cargo xtask fuzz TARGET [SECONDS]` runs one cargo-fuzz target.
//! - `cargo xtask bench [syntax|fmt|check|lsp|startup|runtime|e2e]` runs the benchmarks (`e2e`: `bench/run.sh`).
//! - `cargo xtask proptest [CASES]` runs the property tests with many cases.
//! - `cargo xtask load [SECONDS]` puts the HTTP example under wrk and chaos clients
//!   (`load.rs`).
//! - `cargo xtask api [--update]` checks the public API of `vex` against `api/vex.txt`
//!   (or rewrites it): `api.rs`.
//! - `cargo xtask deps` only installs the system dependencies.
//!
//! It uses nothing but `std` (and, for `api`, the types of rustdoc's JSON), so it builds
//! in seconds on a fresh machine. It must not contain compiler logic: it only orders
//! commands.

mod api;
mod deps;
mod load;

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  test [--no-fuzz]          install missing system deps, then run every test suite
  run FILE.vx [ARGS...]     run a Vex program with the `vex` CLI (release build)
  fuzz TARGET [SECONDS]     run a cargo-fuzz target (default 60 seconds)
  bench [NAME] [ARGS]       run benchmarks: syntax, fmt, check, lsp, startup, runtime, e2e
                            (all when no name is given; e2e takes bench/run.sh's [quick] [runs=N]
                            [only=cpu,async,values,channels])
  proptest [CASES]          the property tests with CASES cases each (default 10000)
  load [SECONDS]            load test: examples/22_io/http_hello.vx (release build, two
                            workers) under `wrk -t2 -c100` for SECONDS (default 30) while
                            chaos clients abandon connections at random; fails if the
                            server stops answering, leaks a descriptor or crashes
  api [--update]            check the public API of vex against api/vex.txt; --update
                            rewrites the file after an intended change
  deps                      install missing system dependencies only
";

/// Seconds each fuzz target runs during `cargo xtask test`.
const FUZZ_SMOKE_SECONDS: u64 = 20;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        Some("run") => run(&args[1..]),
        Some("fuzz") => fuzz(&args[1..]),
        Some("bench") => bench(&args[1..]),
        Some("proptest") => proptest(&args[1..]),
        Some("load") => load::load(&args[1..]),
        Some("api") => api::api(&args[1..]),
        Some("deps") => deps::ensure_all(),
        Some("help" | "--help" | "-h") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// An error already explained to the user, as one line.
type Result<T = ()> = std::result::Result<T, String>;

fn test(args: &[String]) -> Result {
    let with_fuzz = !args.iter().any(|a| a == "--no-fuzz");
    deps::ensure_all()?;
    let started = Instant::now();
    step("Rust workspace tests", || cargo(&["test", "--workspace", "--all-features", "--locked"]))?;
    step("public API of vex matches api/vex.txt", || api::check(false))?;
    for example in host_examples()? {
        step(&format!("Rust host example: {example}"), || {
            cargo(&["run", "--quiet", "--locked", "--all-features", "--example", &example])
        })?;
    }
    step("vex without LLVM (no default features) builds and tests", || {
        cargo(&["test", "--package", "vex", "--no-default-features", "--locked"])
    })?;
    step("C runtime tests (plain, ThreadSanitizer, AddressSanitizer)", || {
        command(
            Command::new("make")
                .args(["-C", "vex-rt", "-j2", "check", "check-tsan", "check-asan"])
                .current_dir(project_root()),
        )
    })?;
    if with_fuzz {
        deps::ensure_cargo_fuzz()?;
        for target in fuzz_targets()? {
            step(&format!("fuzz smoke: {target} ({FUZZ_SMOKE_SECONDS}s)"), || {
                run_fuzz_target(&target, FUZZ_SMOKE_SECONDS)
            })?;
        }
    }
    eprintln!("xtask: all suites passed in {:.0?}", started.elapsed());
    Ok(())
}

fn run(args: &[String]) -> Result {
    let Some(file) = args.first() else {
        return Err("usage: cargo xtask run FILE.vx [ARGS...]".to_owned());
    };
    deps::ensure_all()?;
    let mut vex_args = vec!["run", "--release", "--quiet", "--package", "vex", "--", "run"];
    vex_args.push(file);
    vex_args.extend(args[1..].iter().map(String::as_str));
    cargo(&vex_args)
}

fn fuzz(args: &[String]) -> Result {
    let Some(target) = args.first() else {
        return Err(format!(
            "usage: cargo xtask fuzz TARGET [SECONDS]; targets: {}",
            fuzz_targets()?.join(", ")
        ));
    };
    let seconds = match args.get(1) {
        Some(s) => s.parse().map_err(|_| format!("not a number of seconds: {s}"))?,
        None => 60,
    };
    deps::ensure_cargo_fuzz()?;
    run_fuzz_target(target, seconds)
}

/// Runs every property test (syntax, checker, lowering, evaluator against LLVM) with
/// many more cases than CI does, in release mode.
fn proptest(args: &[String]) -> Result {
    let cases = args.first().map(String::as_str).unwrap_or("10000");
    cases.parse::<u32>().map_err(|_| format!("not a number of cases: {cases}"))?;
    deps::ensure_all()?;
    step(&format!("property tests, {cases} cases each"), || {
        let cargo_bin = env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        command(
            Command::new(cargo_bin)
                .args(["test", "--release", "--workspace", "--all-features"])
                .env("VEX_PROPTEST_CASES", cases)
                .env("PROPTEST_CASES", cases)
                .current_dir(project_root()),
        )
    })
}

fn bench(args: &[String]) -> Result {
    let which = args.first().map(String::as_str).unwrap_or("all");
    let mut known = false;
    if matches!(which, "all" | "syntax") {
        known = true;
        step("bench: vex-syntax parse throughput", || {
            cargo(&["bench", "--package", "vex-syntax"])
        })?;
    }
    if matches!(which, "all" | "fmt") {
        known = true;
        step("bench: vex-fmt format throughput", || {
            cargo(&["bench", "--package", "vex-fmt", "--bench", "fmt"])
        })?;
    }
    if matches!(which, "all" | "check") {
        known = true;
        step("bench: vex-hir check, from scratch and after an edit", || {
            cargo(&["bench", "--package", "vex-hir", "--features", "testing", "--bench", "check"])
        })?;
    }
    if matches!(which, "all" | "lsp") {
        known = true;
        step("bench: vex lsp latency and memory on a 100,000-line workspace", || {
            cargo(&["bench", "--package", "vex", "--bench", "lsp"])
        })?;
    }
    if matches!(which, "all" | "startup") {
        known = true;
        step("bench: vex run, time to first output", || {
            cargo(&["bench", "--package", "vex", "--bench", "startup"])
        })?;
    }
    if matches!(which, "all" | "runtime") {
        known = true;
        step("bench: runtime against tokio", || {
            cargo(&["bench", "--package", "vex-rt-sys", "--bench", "runtime"])
        })?;
    }
    if matches!(which, "all" | "e2e") {
        known = true;
        let script = project_root().join("bench/run.sh");
        step("bench: end to end against gcc, tokio and Go", || {
            command(Command::new("bash").arg(script).args(&args[args.len().min(1)..]))
        })?;
    }
    if !known {
        return Err(format!(
            "unknown benchmark `{which}`; known: syntax, fmt, check, lsp, startup, runtime, e2e"
        ));
    }
    Ok(())
}

/// The targets listed as `[[bin]]` in `fuzz/Cargo.toml`.
fn fuzz_targets() -> Result<Vec<String>> {
    let manifest = project_root().join("fuzz/Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let mut targets = Vec::new();
    let mut in_bin = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin && let Some(rest) = line.strip_prefix("name") {
            let name = rest.trim_start_matches([' ', '=']).trim().trim_matches('"');
            targets.push(name.to_owned());
        }
    }
    if targets.is_empty() {
        return Err(format!("no [[bin]] targets in {}", manifest.display()));
    }
    Ok(targets)
}

fn run_fuzz_target(target: &str, seconds: u64) -> Result {
    seed_corpus(target)?;
    let max_time = format!("-max_total_time={seconds}");
    command(
        Command::new("cargo")
            .args(["fuzz", "run", target, "--", &max_time])
            // cargo-fuzz needs nightly flags; the stable toolchain accepts them here.
            .env("RUSTC_BOOTSTRAP", "1")
            .current_dir(project_root()),
    )
}

/// Seeds `fuzz/corpus/TARGET` with the example programs, so the fuzzer starts from
/// real Vex instead of from nothing. Existing corpus files are kept.
fn seed_corpus(target: &str) -> Result {
    let root = project_root();
    let corpus = root.join("fuzz/corpus").join(target);
    std::fs::create_dir_all(&corpus)
        .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
    let examples = root.join("examples");
    let dirs = std::fs::read_dir(&examples)
        .map_err(|e| format!("cannot read {}: {e}", examples.display()))?;
    for dir in dirs.flatten() {
        let Ok(files) = std::fs::read_dir(dir.path()) else { continue };
        for file in files.flatten() {
            let path = file.path();
            if path.extension().is_some_and(|e| e == "vx") {
                let name =
                    format!("example-{}", path.file_name().unwrap_or_default().to_string_lossy());
                std::fs::copy(&path, corpus.join(name))
                    .map_err(|e| format!("cannot seed corpus: {e}"))?;
            }
        }
    }
    Ok(())
}

/// Runs one named suite, printing a header and its duration.
fn step(name: &str, body: impl FnOnce() -> Result) -> Result {
    eprintln!("\nxtask: ==> {name}");
    let started = Instant::now();
    body().map_err(|e| format!("{name}: {e}"))?;
    eprintln!("xtask: <== {name}: ok in {:.1?}", started.elapsed());
    Ok(())
}

/// The Rust host programs in `examples/` (each asserts what it shows, so running it is a
/// test).
fn host_examples() -> Result<Vec<String>> {
    let dir = project_root().join("examples");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    Ok(names)
}

fn cargo(args: &[&str]) -> Result {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    command(Command::new(cargo).args(args).current_dir(project_root()))
}

/// Runs a command with inherited stdio and turns a non-zero exit into an error.
fn command(cmd: &mut Command) -> Result {
    let shown = format!("{cmd:?}");
    let status = cmd.status().map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{shown} failed with {status}")) }
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}
