//! I/O faults met by Vex programs under `vex run`, driven by real clients and peers on
//! 127.0.0.1: clients that disconnect mid-request and mid-response or reset the
//! connection, 10,000 connections accepted and closed without a descriptor left behind,
//! and the errors of binding, connecting and reading files. Each fault must end as an
//! `IoError` the program reports, never as a crash or a hang. Every wait is bounded
//! (`common::LIMIT`); a program that does not end is killed. Each test runs in the JIT
//! and in the evaluator (`--interp`).

#![cfg(feature = "llvm")]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{LIMIT, finish, run_client, spawn, start};

const JIT: &[&str] = &["-O", "2"];
const EVALUATOR: &[&str] = &["--interp"];

/// A client connection to the server with bounded reads and writes.
fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("the server accepts");
    stream.set_read_timeout(Some(LIMIT)).unwrap();
    stream.set_write_timeout(Some(LIMIT)).unwrap();
    stream
}

/// What the server's handler may print when a client resets the connection: the read or
/// write that meets the reset fails with ECONNRESET, or with EPIPE once the socket is
/// gone.
const RESET_LINES: [&str; 2] =
    ["connection failed: Connection reset by peer", "connection failed: Broken pipe"];

/// `http_hello.vx -- 0 6` meets five faulty clients, then serves curl and ends cleanly.
fn http_hello_survives_faulty_clients(engine: &[&str]) {
    let (mut server, port) = start(engine, "examples/22_io/http_hello.vx", &["0", "6"]);

    // (a) Connects and closes without sending anything: the server reads "" and is done.
    drop(connect(port));

    // (b) Sends half a request and closes: the server reads it, then "", and is done.
    let mut half = connect(port);
    half.write_all(b"GET /half HTTP/1.1\r\nHost: loc").unwrap();
    drop(half);

    // (e) Sends half a request and resets the connection (SO_LINGER 0): the server, waiting
    // for the rest, reads ECONNRESET and says so. Python, as std has no SO_LINGER.
    let script = format!(
        "import socket, struct, time\n\
         s = socket.create_connection(('127.0.0.1', {port}), timeout=10)\n\
         s.sendall(b'GET /reset HTTP/1.1\\r\\nHost: loc')\n\
         time.sleep(0.05)\n\
         s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))\n\
         s.close()\n"
    );
    run_client(Command::new("python3").args(["-c", &script]));
    assert_eq!(server.stderr_line(), RESET_LINES[0], "after a reset mid-request");

    // (c) Sends a whole request and closes before the answer comes: the answer may meet
    // the closed socket (a reset, or nothing at all if the server sees the end first).
    let mut hasty = connect(port);
    hasty.write_all(b"GET /hasty HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    drop(hasty);

    // (d) Pipelines 1,000 requests, reads a few bytes of the first answer and closes: the
    // unread answers make the close a reset, which the server meets mid-response.
    let mut greedy = connect(port);
    let batch: String =
        (0..1000).map(|i| format!("GET /{i} HTTP/1.1\r\nHost: localhost\r\n\r\n")).collect();
    greedy.write_all(batch.as_bytes()).unwrap();
    let mut first = [0u8; 16];
    greedy.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200 OK\r");
    drop(greedy);
    let line = server.stderr_line();
    assert!(RESET_LINES.contains(&line.as_str()), "after a reset mid-response: {line:?}");

    // The server still serves, and ends after its sixth connection.
    let curl = run_client(Command::new("curl").args([
        "-sS",
        "--max-time",
        "10",
        &format!("http://127.0.0.1:{port}/after"),
    ]));
    assert_eq!(String::from_utf8_lossy(&curl.stdout), "Hello, world!");
    let ended = finish(server);
    assert_eq!(ended.code, 0, "stderr: {}", ended.stderr);
    assert_eq!(ended.stdout, "");
    // Two lines seen above, and at most one for (c).
    let lines: Vec<&str> = ended.stderr.lines().collect();
    assert!(
        (2..=3).contains(&lines.len()) && lines.iter().all(|l| RESET_LINES.contains(l)),
        "unexpected stderr:\n{}",
        ended.stderr
    );
}

#[test]
fn http_hello_survives_faulty_clients_through_the_jit() {
    http_hello_survives_faulty_clients(JIT);
}

#[test]
fn http_hello_survives_faulty_clients_in_the_evaluator() {
    http_hello_survives_faulty_clients(EVALUATOR);
}

/// The program's open descriptors, each with what it is (for a failure message).
fn descriptors(pid: u32) -> Vec<String> {
    let dir = format!("/proc/{pid}/fd");
    let mut fds: Vec<String> = std::fs::read_dir(&dir)
        .expect("the server runs")
        .filter_map(|e| e.ok())
        .map(|e| {
            let target = std::fs::read_link(e.path()).unwrap_or_default();
            format!("{} -> {}", e.file_name().to_string_lossy(), target.display())
        })
        .collect();
    fds.sort_by_key(|fd| fd.split(' ').next().and_then(|n| n.parse::<u32>().ok()));
    fds
}

/// Connects and reads until the server has closed the connection.
fn connect_until_closed(port: u16) {
    let mut stream = connect(port);
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).expect("the server closes the connection");
    assert!(rest.is_empty(), "the server sent {rest:?}");
}

/// `accept_many.vx` accepts `count` connections and closes each at once; its descriptors
/// after the last are those after the first (which may open the reactor's).
fn accepting_leaves_no_descriptor(engine: &[&str], count: usize) {
    let total = (count + 1).to_string();
    let (server, port) = start(engine, "examples/22_io/accept_many.vx", &["0", &total]);
    let started = Instant::now();
    connect_until_closed(port);
    let after_first = descriptors(server.pid());
    for _ in 1..count {
        connect_until_closed(port);
    }
    // The server closes each connection before the client sees its end; allow a moment
    // for anything released after that.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut after_last = descriptors(server.pid());
    while after_last.len() != after_first.len() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        after_last = descriptors(server.pid());
    }
    assert_eq!(
        after_first.len(),
        after_last.len(),
        "descriptors after the first connection:\n{}\nafter connection {count}:\n{}",
        after_first.join("\n"),
        after_last.join("\n")
    );
    let elapsed = started.elapsed();
    connect_until_closed(port);
    let ended = finish(server);
    assert_eq!((ended.code, ended.stderr.as_str()), (0, ""));
    assert_eq!(ended.stdout, format!("accepted {total} connections\n"));
    eprintln!("{count} connections in {elapsed:?} with `vex run {}`", engine.join(" "));
}

#[test]
fn ten_thousand_connections_leave_no_descriptor_through_the_jit() {
    accepting_leaves_no_descriptor(JIT, 10_000);
}

#[test]
fn ten_thousand_connections_leave_no_descriptor_in_the_evaluator() {
    accepting_leaves_no_descriptor(EVALUATOR, 10_000);
}

/// A peer that accepts one connection, reads one byte of what it is sent and closes: the
/// unread rest makes the close a reset. Its port, and whether it saw a client.
fn resetting_peer() -> (u16, std::sync::mpsc::Receiver<bool>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let Ok((mut conn, _)) = listener.accept() else { return };
        conn.set_read_timeout(Some(LIMIT)).unwrap();
        let mut one = [0u8; 1];
        let read = conn.read_exact(&mut one).is_ok();
        drop(conn);
        let _ = tx.send(read);
    });
    (port, rx)
}

/// `net_faults.vx -- HELD CLOSED PEER` with a port this test holds, a port nobody
/// listens on and a peer that resets prints what the example prints with ports of its
/// own (`net_faults.out`).
fn network_faults_are_io_errors(engine: &[&str]) {
    let held = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (peer, served) = resetting_peer();
    let ports = [held.local_addr().unwrap().port(), closed, peer].map(|p| p.to_string());
    let ports: Vec<&str> = ports.iter().map(String::as_str).collect();
    let ended = finish(spawn(engine, "examples/22_io/net_faults.vx", &ports));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let expected = std::fs::read_to_string(root.join("examples/22_io/net_faults.out")).unwrap();
    assert_eq!((ended.code, ended.stderr.as_str()), (0, ""), "stdout:\n{}", ended.stdout);
    assert_eq!(ended.stdout, expected);
    assert_eq!(served.recv_timeout(LIMIT), Ok(true), "the peer read from the program");
    drop(held);
}

#[test]
fn network_faults_are_io_errors_through_the_jit() {
    network_faults_are_io_errors(JIT);
}

#[test]
fn network_faults_are_io_errors_in_the_evaluator() {
    network_faults_are_io_errors(EVALUATOR);
}

/// Reads the file named by its first argument and prints the outcome.
const READ_ARG: &str = "\
async fn main() {
    match await readFile(args()[0]) {
        Ok(text) => println(f\"read {text.len()} bytes\"),
        Err(e) => println(f\"code {e.code()}, {e}\"),
    }
}
";

/// A file without read permission: `Permission denied` (EACCES). The superuser reads it
/// anyway (as these tests run in CI containers), and so must the program then.
fn unreadable_file(engine: &[&str]) {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!(
        "vex-io-faults-{}-{}",
        std::process::id(),
        engine.join("")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let program = dir.join("read_arg.vx");
    std::fs::write(&program, READ_ARG).unwrap();
    let secret = dir.join("secret.txt");
    std::fs::write(&secret, "12345").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let expected = match std::fs::read(&secret) {
        Ok(_) => "read 5 bytes\n",
        Err(_) => "code 13, Permission denied\n",
    };
    let ended = finish(spawn(engine, program.to_str().unwrap(), &[secret.to_str().unwrap()]));
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!((ended.code, ended.stdout.as_str(), ended.stderr.as_str()), (0, expected, ""));
}

#[test]
fn an_unreadable_file_is_an_io_error_through_the_jit() {
    unreadable_file(JIT);
}

#[test]
fn an_unreadable_file_is_an_io_error_in_the_evaluator() {
    unreadable_file(EVALUATOR);
}
