//! Running Vex programs under `vex run` as servers or clients of real peers, shared by
//! `tests/servers.rs` and `tests/io_faults.rs`. Every wait is bounded by [`LIMIT`]; a
//! program still running when its [`Vex`] is dropped is killed.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// The longest any single wait may take.
pub const LIMIT: Duration = Duration::from_secs(30);

/// A running `vex run`, its output read line by line as it comes; killed when dropped.
pub struct Vex {
    child: Child,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    /// The stderr lines taken so far by [`Vex::stderr_line`].
    stderr_seen: Vec<String>,
}

impl Drop for Vex {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends each line of `from` (with its `\n`, if any) until its end.
fn lines_of(from: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut from = BufReader::new(from);
        loop {
            let mut line = String::new();
            match from.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) if tx.send(line).is_err() => return,
                Ok(_) => {}
            }
        }
    });
    rx
}

/// The next line from `rx`, waiting until `deadline`; `None` at the end of the output.
fn next_line(rx: &Receiver<String>, deadline: Instant, what: &str) -> Option<String> {
    match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(line) => Some(line),
        Err(RecvTimeoutError::Disconnected) => None,
        Err(RecvTimeoutError::Timeout) => panic!("no {what} within {LIMIT:?}"),
    }
}

/// Starts `vex run ENGINE FILE -- ARGS` from the repository root on two workers with the
/// real clock.
pub fn spawn(engine: &[&str], file: &str, args: &[&str]) -> Vex {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_vex"))
        .arg("run")
        .args(engine)
        .arg(file)
        .arg("--")
        .args(args)
        .current_dir(root)
        .env("VEX_WORKERS", "2")
        .env_remove("VEX_CLOCK")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vex runs");
    let stdout = lines_of(child.stdout.take().expect("piped"));
    let stderr = lines_of(child.stderr.take().expect("piped"));
    Vex { child, stdout, stderr, stderr_seen: Vec::new() }
}

/// Starts a server (see [`spawn`]) and reads the port it prints first
/// (`listening on PORT`).
pub fn start(engine: &[&str], file: &str, args: &[&str]) -> (Vex, u16) {
    let server = spawn(engine, file, args);
    let line = next_line(&server.stdout, Instant::now() + LIMIT, "port from the server")
        .unwrap_or_default();
    let port = line
        .trim()
        .strip_prefix("listening on ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    (server, port)
}

impl Vex {
    /// The process id of `vex run`: the JIT and the evaluator run the program in it.
    #[allow(dead_code, reason = "not every test file uses every helper")]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The next line the program writes to stderr, without its `\n`; waits (bounded).
    #[allow(dead_code, reason = "not every test file uses every helper")]
    pub fn stderr_line(&mut self) -> String {
        let line = next_line(&self.stderr, Instant::now() + LIMIT, "line on stderr")
            .unwrap_or_else(|| panic!("stderr ended; before: {:?}", self.stderr_seen));
        let line = line.trim_end_matches('\n').to_string();
        self.stderr_seen.push(line.clone());
        line
    }
}

/// How a program ended: its exit status, and its stdout and stderr (all of stderr,
/// including the lines taken by [`Vex::stderr_line`]; stdout after the lines taken by
/// [`start`]).
pub struct Ended {
    /// The exit status; -1 for a signal.
    pub code: i32,
    /// What the program wrote to stdout and was not read before.
    pub stdout: String,
    /// Everything the program wrote to stderr.
    pub stderr: String,
}

/// Waits (bounded) for the program to end and for the end of its output.
pub fn finish(mut vex: Vex) -> Ended {
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(status) = vex.child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "the program did not end within {LIMIT:?}");
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stdout = String::new();
    while let Some(line) = next_line(&vex.stdout, deadline, "end of stdout") {
        stdout += &line;
    }
    let mut stderr: String = vex.stderr_seen.iter().map(|l| format!("{l}\n")).collect();
    while let Some(line) = next_line(&vex.stderr, deadline, "end of stderr") {
        stderr += &line;
    }
    Ended { code: status.code().unwrap_or(-1), stdout, stderr }
}

/// Runs a client to its end; it must succeed.
pub fn run_client(command: &mut Command) -> Output {
    let output = command.output().expect("the client runs");
    assert!(output.status.success(), "client failed: {output:?}");
    output
}
