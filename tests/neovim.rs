//! `vex lsp` under a real client: headless Neovim (the distribution's `neovim`, which
//! `cargo xtask deps` installs) opens a file through its built-in LSP client, receives the
//! diagnostics, hovers, jumps to a definition in another file and formats the buffer, as
//! `tests/nvim/lsp.lua` directs. The script bounds each of its waits and writes one line
//! per step; Neovim still running after [`LIMIT`] is killed. A missing `nvim` fails the
//! test: a skipped test would hide a missing install step.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The longest Neovim may run, start and exit included.
const LIMIT: Duration = Duration::from_secs(60);

/// The bound of each single wait in the script (attach, diagnostics, each request).
const STEP_LIMIT_MS: u32 = 20_000;

/// The opened file: a type error, a call of a function of the other file, and a layout
/// that is not the canonical one.
const MAIN: &str = "fn main(){\n  let x: i32 = \"no\"\n      println( double(21) )\n}\n";

/// [`MAIN`] as `vex fmt` writes it.
const MAIN_FORMATTED: &str = "fn main() {\n    let x: i32 = \"no\"\n    println(double(21))\n}\n";

/// Never opened by the editor: the server reads it from the workspace folder.
const LIB: &str =
    "fn triple(n: i64): i64 {\n    n * 3\n}\n\nfn double(n: i64): i64 {\n    n * 2\n}\n";

/// What the script writes when every step passes.
const ALL_PASSED: &str = "ok attach\nok diagnostics\nok hover\nok definition\nok formatting\n";

#[test]
fn neovim_shows_diagnostics_hovers_jumps_to_a_definition_and_formats() {
    let version = nvim_version();
    let dir = std::env::temp_dir().join(format!("vex-nvim-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let workspace = dir.join("workspace");
    let editor = dir.join("editor");
    std::fs::create_dir_all(workspace.join("src")).unwrap();
    std::fs::create_dir_all(&editor).unwrap();
    let main = workspace.join("main.vx");
    let lib = workspace.join("src/lib.vx");
    std::fs::write(&main, MAIN).unwrap();
    std::fs::write(&lib, LIB).unwrap();
    let formatted = editor.join("formatted.vx");
    std::fs::write(&formatted, MAIN_FORMATTED).unwrap();
    let results = editor.join("results");

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nvim/lsp.lua");
    let mut command = Command::new("nvim");
    command
        .args(["--headless", "--clean", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(&workspace)
        .env("VEX_NVIM_SERVER", env!("CARGO_BIN_EXE_vex"))
        .env("VEX_NVIM_ROOT", &workspace)
        .env("VEX_NVIM_FILE", &main)
        .env("VEX_NVIM_DEFINITION", &lib)
        .env("VEX_NVIM_FORMATTED", &formatted)
        .env("VEX_NVIM_RESULTS", &results)
        .env("VEX_NVIM_TIMEOUT_MS", STEP_LIMIT_MS.to_string());
    // Neovim's own files (its log, the LSP client's log) stay in the test's directory.
    for variable in ["XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"] {
        command.env(variable, &editor);
    }
    command.env("NVIM_LOG_FILE", editor.join("nvim.log"));
    let run = run_bounded(command);

    let results = std::fs::read_to_string(&results).unwrap_or_default();
    let passed = run.status.is_some_and(|s| s.success()) && results == ALL_PASSED;
    assert!(
        passed,
        "Neovim ({version}) did not pass every step.\nexit: {}\nresults:\n{results}\n\
         stdout:\n{}\nstderr:\n{}\nlogs:\n{}\n(files kept in {})",
        run.status.map_or_else(|| format!("killed after {LIMIT:?}"), |s| s.to_string()),
        run.stdout,
        run.stderr,
        logs(&editor),
        dir.display(),
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The first line of `nvim --version`; panics, pointing to the install step, without
/// `nvim`.
fn nvim_version() -> String {
    match Command::new("nvim").arg("--version").stdin(Stdio::null()).output() {
        Ok(output) if output.status.success() => {
            String::from_utf8_lossy(&output.stdout).lines().next().unwrap_or_default().to_owned()
        }
        Ok(output) => panic!("`nvim --version` failed: {output:?}"),
        Err(e) => panic!(
            "cannot run `nvim` ({e}): this test needs Neovim; run `cargo xtask deps` to \
             install it (the distribution's `neovim` package)"
        ),
    }
}

struct Run {
    /// `None` when Neovim was killed at [`LIMIT`].
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
}

/// Runs `command` with its output captured, killing it at [`LIMIT`].
fn run_bounded(mut command: Command) -> Run {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nvim starts");
    let stdout = read_to_end(child.stdout.take().expect("piped"));
    let stderr = read_to_end(child.stderr.take().expect("piped"));
    let status = wait_bounded(&mut child);
    Run { status, stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() }
}

/// Waits for `child` until [`LIMIT`] has passed since now, then kills it. std has no
/// wait with a timeout, hence the polling.
fn wait_bounded(child: &mut Child) -> Option<ExitStatus> {
    let deadline = Instant::now() + LIMIT;
    loop {
        if let Some(status) = child.try_wait().expect("waiting for nvim") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn read_to_end(mut from: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = from.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Every log Neovim wrote under `editor` (the LSP client's log holds the server's
/// stderr), for the failure message.
fn logs(editor: &Path) -> String {
    let mut found = String::new();
    let mut stack: Vec<PathBuf> = vec![editor.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "log") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                found.push_str(&format!("--- {}\n{text}\n", path.display()));
            }
        }
    }
    found
}
