//! Every program in `examples/` run through the `vex` binary, as a user runs it, from
//! the repository root, and compared with the files beside it: `.out` (stdout, exact),
//! `.code` (exit status, 0 when absent) and `.err` (stderr, exact, when present).

use std::path::{Path, PathBuf};
use std::process::Command;

fn examples() -> Vec<PathBuf> {
    vex_hir::testing::example_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"))
}

/// The examples whose output does not depend on scheduling
/// (`examples/order_independent.txt`).
#[cfg(feature = "llvm")]
fn order_independent() -> Vec<PathBuf> {
    vex_hir::testing::order_independent_files(Path::new(env!("CARGO_MANIFEST_DIR")))
}

/// Runs `vex run ARGS FILE` for every example and returns the mismatches.
fn run_all(args: &[&str]) -> (usize, Vec<String>) {
    run_files(&examples(), args, &[("VEX_WORKERS", "1"), ("VEX_CLOCK", "virtual")])
}

/// Runs `vex run ARGS FILE` for each of `files` with `env` and returns the mismatches.
fn run_files(all: &[PathBuf], args: &[&str], env: &[(&str, &str)]) -> (usize, Vec<String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    for file in all {
        let relative = file.strip_prefix(root).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_vex"))
            .arg("run")
            .args(args)
            .arg(relative)
            .current_dir(root)
            .env_remove("VEX_CLOCK")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        // A process killed by a signal has no exit status: -1 never matches.
        let code = output.status.code().unwrap_or(-1);
        let problems = vex_hir::testing::Expected::of(file).mismatches(&stdout, &stderr, code);
        if !problems.is_empty() {
            failures.push(format!("{}: {}", relative.display(), problems.join("\n")));
        }
    }
    (all.len(), failures)
}

fn check_engine(args: &[&str]) {
    let (count, failures) = run_all(args);
    assert!(count >= 30, "expected at least 30 examples, found {count}");
    assert!(
        failures.is_empty(),
        "{} of {count} examples failed with `vex run {}`:\n{}",
        failures.len(),
        args.join(" "),
        failures.join("\n\n")
    );
}

#[test]
fn examples_run_in_the_evaluator() {
    check_engine(&["--interp"]);
}

#[cfg(feature = "llvm")]
#[test]
fn examples_run_through_the_jit_at_o0() {
    check_engine(&["-O", "0"]);
}

#[cfg(feature = "llvm")]
#[test]
fn examples_run_through_the_jit_at_o2() {
    check_engine(&["-O", "2"]);
}

#[cfg(feature = "llvm")]
#[test]
fn examples_run_as_executables() {
    check_engine(&["--aot"]);
}

#[cfg(feature = "llvm")]
#[test]
fn order_independent_examples_run_on_two_workers_with_the_real_clock() {
    let files = order_independent();
    assert!(files.len() >= 20, "expected the order-independent list, found {}", files.len());
    for args in [&[][..], &["--aot"][..]] {
        let (count, failures) = run_files(&files, args, &[("VEX_WORKERS", "2")]);
        assert!(
            failures.is_empty(),
            "{} of {count} order-independent examples failed with `vex run {}` on 2 workers:\n{}",
            failures.len(),
            args.join(" "),
            failures.join("\n\n")
        );
    }
}
