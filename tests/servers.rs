//! Example servers driven by real clients (curl and Python's `http.client`), as their
//! users would: `vex run examples/22_io/http_hello.vx -- 0 N` listens on 127.0.0.1 (a free
//! port it prints) and serves N connections, each with keep-alive. Every wait is bounded:
//! a server that does not answer or does not end fails the test and is killed. Every
//! engine serves: the evaluator writes a program's output as it runs when the output is
//! not captured, so a client learns the port there too.

#![cfg(feature = "llvm")]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);

/// A running `vex run` of a server, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `vex run ENGINE_ARGS FILE -- 0 CONNECTIONS` and reads the port it prints.
fn start(engine: &[&str], file: &str, connections: u32) -> Server {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_vex"))
        .arg("run")
        .args(engine)
        .args([file, "--", "0", &connections.to_string()])
        .current_dir(root)
        .env("VEX_WORKERS", "2")
        .env_remove("VEX_CLOCK")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vex runs");
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(LIMIT).expect("the server prints its port");
    let port = line
        .trim()
        .strip_prefix("listening on ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    Server { child, port }
}

/// Waits (bounded) for the server to end after its last connection; its exit status and
/// stderr.
fn finish(mut server: Server) -> (i32, String) {
    let start = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            let mut stderr = String::new();
            if let Some(mut e) = server.child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
            }
            return (status.code().unwrap_or(-1), stderr);
        }
        assert!(start.elapsed() < LIMIT, "the server did not end after its connections");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn run_client(command: &mut Command) -> Output {
    let output = command.output().expect("the client runs");
    assert!(output.status.success(), "client failed: {output:?}");
    output
}

/// curl reuses one connection for two URLs (keep-alive), Python's http.client sends
/// three requests on one connection, and curl asks to close a third one.
fn drive(engine: &[&str]) {
    let server = start(engine, "examples/22_io/http_hello.vx", 3);
    let base = format!("http://127.0.0.1:{}", server.port);
    let curl = run_client(Command::new("curl").args([
        "-sS",
        "--max-time",
        "10",
        &format!("{base}/a"),
        &format!("{base}/b"),
    ]));
    assert_eq!(String::from_utf8_lossy(&curl.stdout), "Hello, world!Hello, world!");
    let script = format!(
        "import http.client\n\
         c = http.client.HTTPConnection('127.0.0.1', {}, timeout=10)\n\
         for path in ['/1', '/2', '/3']:\n\
         \x20   c.request('GET', path)\n\
         \x20   r = c.getresponse()\n\
         \x20   print(r.status, r.getheader('Content-Length'), r.read().decode())\n\
         c.close()\n",
        server.port
    );
    let python = run_client(Command::new("python3").args(["-c", &script]));
    assert_eq!(
        String::from_utf8_lossy(&python.stdout),
        "200 13 Hello, world!\n".repeat(3),
        "{python:?}"
    );
    let closing = run_client(Command::new("curl").args([
        "-sS",
        "-i",
        "--max-time",
        "10",
        "-H",
        "Connection: close",
        &format!("{base}/last"),
    ]));
    let text = String::from_utf8_lossy(&closing.stdout);
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(text.contains("Connection: close\r\n"), "{text}");
    let (code, stderr) = finish(server);
    assert_eq!((code, stderr.as_str()), (0, ""));
}

#[test]
fn http_hello_serves_curl_and_python_through_the_jit() {
    drive(&["-O", "2"]);
}

#[test]
fn http_hello_serves_curl_and_python_in_the_evaluator() {
    drive(&["--interp"]);
}
