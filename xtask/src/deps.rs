//! System dependencies: LLVM 19 for the backend, the sanitizer runtimes for the C
//! runtime's test runs, curl and Python for the server tests, Neovim for the language
//! server's editor test, and cargo-fuzz for the fuzz targets.
//!
//! On Debian/Ubuntu as root the missing distribution packages are installed with
//! `apt-get`; anywhere else the user gets the exact command to run. Nothing here is
//! skipped silently: a dependency that is missing and cannot be installed is an error.

use std::process::{Command, Stdio};

use crate::{Result, command};

/// Distribution packages every suite needs. LLVM comes from the distribution
/// (`llvm-19-dev`), never from a downloaded toolchain.
const PACKAGES: &[&str] = &[
    "llvm-19-dev",
    "libpolly-19-dev",
    "libzstd-dev",
    "zlib1g-dev",
    // gcc's ThreadSanitizer and AddressSanitizer/LeakSanitizer runtimes.
    "libtsan2",
    "libasan8",
    "liblsan0",
    "gcc",
    "make",
    // Real clients that drive the example servers in the test suite (tests/servers.rs).
    "curl",
    "python3",
    // The HTTP load generator of the benchmarks' io group (bench/io_group.py).
    "wrk",
    // A real editor that drives `vex lsp` through its built-in client (tests/neovim.rs).
    "neovim",
];

/// Packages whose program, found on `PATH`, stands for them: a Neovim installed another
/// way is used as it is.
const PROGRAMS: &[(&str, &str)] = &[("neovim", "nvim")];

/// Installs whatever of [`PACKAGES`] is missing.
pub(crate) fn ensure_all() -> Result {
    if !has_program("dpkg-query") {
        // Not a Debian-like system: check what can be checked by path.
        let prefix =
            std::env::var("LLVM_SYS_191_PREFIX").unwrap_or_else(|_| "/usr/lib/llvm-19".into());
        if !std::path::Path::new(&prefix).join("bin/llvm-config").exists() {
            return Err(format!(
                "LLVM 19 not found at {prefix}; install LLVM 19 (development files and Polly) \
                 and set LLVM_SYS_191_PREFIX to its prefix"
            ));
        }
        if !has_program("nvim") {
            return Err("Neovim (`nvim`) not found; install it (tests/neovim.rs runs it)".into());
        }
        return Ok(());
    }
    let missing: Vec<&str> =
        PACKAGES.iter().copied().filter(|p| !dpkg_installed(p) && !provided(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let install = format!(
        "apt-get update && apt-get install -y --no-install-recommends {}",
        missing.join(" ")
    );
    if !is_root() || !has_program("apt-get") {
        return Err(format!("missing system packages; run as root:\n    {install}"));
    }
    eprintln!("xtask: installing missing system packages: {}", missing.join(" "));
    command(Command::new("sh").args(["-c", &install]).env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Installs `cargo-fuzz` from crates.io when `cargo fuzz` is not available.
pub(crate) fn ensure_cargo_fuzz() -> Result {
    let present = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(());
    }
    eprintln!("xtask: installing cargo-fuzz");
    command(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))
}

/// Whether the program that stands for `package` (see [`PROGRAMS`]) is on `PATH`.
fn provided(package: &str) -> bool {
    PROGRAMS.iter().any(|&(p, program)| p == package && has_program(program))
}

fn dpkg_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("install ok installed"))
}

fn has_program(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}
