//! Example servers driven by real clients (curl, Python's `http.client` and `socket`), as their
//! users would: `vex run examples/22_io/http_hello.vx -- 0 N` listens on 127.0.0.1 (a free
//! port it prints) and serves N connections, each with keep-alive. Every wait is bounded:
//! a server that does not answer or does not end fails the test and is killed. Every
//! engine serves: the evaluator writes a program's output as it runs when the output is
//! not captured, so a client learns the port there too.

#![cfg(feature = "llvm")]

mod common;

use std::process::Command;

use common::{finish, run_client, start};

/// curl reuses one connection for two URLs (keep-alive), Python's http.client sends
/// three requests on one connection, and curl asks to close a third one.
fn drive(engine: &[&str]) {
    let (server, port) = start(engine, "examples/22_io/http_hello.vx", &["0", "3"]);
    let base = format!("http://127.0.0.1:{port}");
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
        port
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
    let ended = finish(server);
    assert_eq!((ended.code, ended.stdout.as_str(), ended.stderr.as_str()), (0, "", ""));
}

#[test]
fn http_hello_serves_curl_and_python_through_the_jit() {
    drive(&["-O", "2"]);
}

#[test]
fn http_hello_serves_curl_and_python_in_the_evaluator() {
    drive(&["--interp"]);
}

/// Three Python socket clients on `chat_server.vx -- 0 3`: two chat (one ends its lines
/// with `\r\n`), a third joins, sends half a line and resets its connection, and the
/// others see it leave; one leaves with `/quit`, the last by closing its side.
fn chat(engine: &[&str]) {
    let (server, port) = start(engine, "examples/22_io/chat_server.vx", &["0", "3"]);
    let script = format!(
        "import socket, struct\n\
         def connect():\n\
         \x20   s = socket.create_connection(('127.0.0.1', {port}), timeout=10)\n\
         \x20   return s, s.makefile('rb')\n\
         def line(f):\n\
         \x20   print(f.readline().decode().rstrip('\\n'))\n\
         a, af = connect(); line(af)\n\
         a.sendall(b'/nick ann\\r\\n'); line(af)\n\
         b, bf = connect(); line(bf); line(af)\n\
         c, cf = connect(); line(cf); line(af); line(bf)\n\
         c.sendall(b'half a li')\n\
         c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))\n\
         cf.close(); c.close()\n\
         line(af); line(bf)\n\
         b.sendall(b'hi ann\\n'); line(af); line(bf)\n\
         a.sendall(b'/quit\\n'); line(af); print(af.read() == b'')\n\
         line(bf)\n\
         b.shutdown(socket.SHUT_WR); line(bf); print(bf.read() == b'')\n"
    );
    let python = run_client(Command::new("python3").args(["-c", &script]));
    assert_eq!(
        String::from_utf8_lossy(&python.stdout),
        "welcome, user1\n* user1 is now ann\n\
         welcome, user2\n* user2 joined\n\
         welcome, user3\n* user3 joined\n* user3 joined\n\
         * user3 left\n* user3 left\n\
         user2: hi ann\nuser2: hi ann\n\
         bye\nTrue\n* ann left\n\
         bye\nTrue\n",
        "{python:?}"
    );
    let ended = finish(server);
    assert_eq!((ended.code, ended.stdout.as_str()), (0, ""), "{}", ended.stderr);
    // The reset connection may be reported (by its reader or its writer), nothing else.
    for line in ended.stderr.lines() {
        assert!(line.starts_with("connection 3 failed: "), "{}", ended.stderr);
    }
}

#[test]
fn chat_server_serves_python_clients_through_the_jit() {
    chat(&["-O", "2"]);
}

#[test]
fn chat_server_serves_python_clients_in_the_evaluator() {
    chat(&["--interp"]);
}
