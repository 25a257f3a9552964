//! Files, TCP and the process builtins (LANGUAGE.md §13) through lowering and the
//! evaluator under the deterministic scheduler, doing real I/O: files in a temporary
//! directory the test makes (given to the program as `args()[0]`), errors with the
//! runtime's codes and messages, the delivery order of file operations, a TCP echo
//! between two tasks on 127.0.0.1, cancellation and `close` of a task waiting on a
//! socket, `exit` and its code, `args` and `getEnv`. Every program here ends on its
//! own: nothing waits for a peer that never comes.

use std::path::PathBuf;

use expect_test::{Expect, expect};

use crate::eval::{Mode, Options};

/// A new empty directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vex-eval-io-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `input` with `args`; `repeat`: twice, and the runs must be equal.
fn run(input: &str, args: &[&str], repeat: bool) -> String {
    let mut options = Options::new(Mode::Scheduled);
    options.args = args.iter().map(|a| a.to_string()).collect();
    super::run_scheduled_with(input, repeat, options)
}

/// Runs `input` with a new temporary directory as its first argument; the directory's
/// path reads `DIR` in the output.
fn check_in_dir(name: &str, input: &str, expect: Expect) {
    let dir = temp_dir(name);
    let path = dir.to_string_lossy().into_owned();
    let out = run(input, &[&path], false).replace(&path, "DIR");
    std::fs::remove_dir_all(&dir).unwrap();
    expect.assert_eq(&out);
}

#[test]
fn files_written_read_appended_and_removed() {
    check_in_dir(
        "files",
        r#"
async fn main() {
    let dir = args()[0]
    let path = dir + "/notes.txt"
    println(f"exists before: {await exists(path)}")
    println(f"write: {await writeFile(path, "one\ntwo\n")}")
    println(f"append: {await appendFile(path, "three\n")}")
    let text = await readFile(path)
    println(f"read: {text.map(|t: string| t.lines())}")
    println(f"exists after: {await exists(path)}")
    println(f"remove: {await removeFile(path)}")
    println(f"exists removed: {await exists(path)}")
    let appended = await appendFile(dir + "/new.txt", "x")
    println(f"append creates: {appended} {await readFile(dir + "/new.txt")}")
    println(f"remove again: {await removeFile(path)}")
}
"#,
        expect![[r#"
            exists before: false
            write: Ok(())
            append: Ok(())
            read: Ok([one, two, three])
            exists after: true
            remove: Ok(())
            exists removed: false
            append creates: Ok(()) Ok(x)
            remove again: Err(No such file or directory)
            exit 0
        "#]],
    );
}

#[test]
fn file_handles_read_write_and_close() {
    check_in_dir(
        "handles",
        r#"
async fn work(dir: string): Result<(), IoError> {
    let path = dir + "/data.txt"
    let out = await File.create(path)?
    println(f"wrote {await out.write("abcdefghij")?} bytes")
    println(f"wrote {await out.write("klm")?} bytes")
    out.close()
    let bad = await out.write("more")
    println(f"after close: {bad}")
    let input = await File.open(path)?
    println(f"read 4: {await input.read(4)?}")
    println(f"read 0: [{await input.read(0)?}]")
    println(f"rest: {await input.readAll()?}")
    println(f"at the end: [{await input.read(5)?}]")
    match await input.read(-1) {
        Ok(s) => println(f"unexpected {s}"),
        Err(e) => println(f"negative max: {e.code()} {e.message()}"),
    }
    match await input.write("x") {
        Ok(n) => println(f"unexpected {n}"),
        Err(e) => println(f"write to a reader: {e.code()} {e}"),
    }
    input.close()
    input.close()
    let log = await File.openAppend(path)?
    await log.write("!")?
    log.close()
    println(f"whole: {await readFile(path)?}")
    let missing = await File.open(dir + "/missing.txt")
    println(f"missing: {missing.isErr()} {missing.err().map(|e: IoError| e.code())}")
    Ok(())
}

async fn main() {
    match await work(args()[0]) {
        Ok(_) => println("ok"),
        Err(e) => println(f"failed: {e}"),
    }
}
"#,
        expect![[r#"
            wrote 10 bytes
            wrote 3 bytes
            after close: Err(Bad file descriptor)
            read 4: abcd
            read 0: []
            rest: efghijklm
            at the end: []
            negative max: 22 Invalid argument
            write to a reader: 9 Bad file descriptor
            whole: abcdefghijklm!
            missing: true Some(2)
            ok
            exit 0
        "#]],
    );
}

/// File operations complete only when no task is ready and no timer is due, all of
/// them in the order they started, before the clock moves.
#[test]
fn file_operations_are_delivered_when_nothing_else_can_run() {
    let dir = temp_dir("order");
    let path = dir.to_string_lossy().into_owned();
    let input = r#"
async fn reader(name: string, path: string) {
    let text = await readFile(path)
    println(f"{name} read {text} at {now_ms()}")
}

async fn main() {
    let dir = args()[0]
    await writeFile(dir + "/a", "A")
    await writeFile(dir + "/b", "B")
    go {
        for i in 0..3 {
            println(f"spin {i}")
            await yield_now()
        }
    }
    go {
        await async_sleep(5)
        println(f"timer at {now_ms()}")
    }
    let a = reader("b", dir + "/b")
    let b = reader("a", dir + "/a")
    let c = reader("missing", dir + "/c")
    await a
    await b
    await c
    println(f"main at {now_ms()}")
}
"#;
    let out = run(input, &[&path], true);
    std::fs::remove_dir_all(&dir).unwrap();
    expect![[r#"
        spin 0
        spin 1
        spin 2
        b read Ok(B) at 0
        a read Ok(A) at 0
        missing read Err(No such file or directory) at 0
        main at 0
        timer at 5
        exit 0
    "#]]
    .assert_eq(&out);
}

#[test]
fn tcp_echo_between_two_tasks() {
    let input = r#"
async fn serve(l: TcpListener): Result<i64, IoError> {
    let s = await l.accept()?
    let! total = 0
    loop {
        let data = await s.read(1024)?
        if data.isEmpty() {
            break
        }
        total += data.len()
        await s.write(data.toUpper())?
    }
    s.close()
    Ok(total)
}

async fn client(port: i64): Result<string, IoError> {
    let s = await TcpStream.connect("localhost", port)?
    let! got = ""
    for word in ["hello ", "echo ", "world"] {
        await s.write(word)?
        let! want = got.len() + word.len()
        while got.len() < want {
            got = got + await s.read(1024)?
        }
    }
    s.close()
    Ok(got)
}

async fn main() {
    match await TcpListener.bind("127.0.0.1", 0) {
        Ok(l) => {
            println(f"port chosen: {l.port() > 0}")
            let server = serve(l)
            let reply = await client(l.port())
            println(f"client: {reply}")
            println(f"server: {await server}")
            l.close()
            println(f"port after close: {l.port() > 0}")
        }
        Err(e) => println(f"bind failed: {e}"),
    }
}
"#;
    expect![[r#"
        port chosen: true
        client: Ok(HELLO ECHO WORLD)
        server: Ok(16)
        port after close: true
        exit 0
    "#]]
    .assert_eq(&run(input, &[], false));
}

/// A task waiting in `accept` stops at once when it is cancelled (its defers run), a
/// socket wait does not hold the virtual clock, and closing a listener wakes the task
/// waiting on it with EBADF.
#[test]
fn waiting_in_accept_cancelled_or_closed() {
    let input = r#"
async fn wait_client(l: TcpListener): string {
    defer println(f"waiter leaves at {now_ms()}")
    match await l.accept() {
        Ok(_) => "a client",
        Err(e) => e.message(),
    }
}

async fn main() {
    match await TcpListener.bind("127.0.0.1", 0) {
        Ok(l) => {
            let w = wait_client(l)
            await async_sleep(10)
            println(f"cancel at {now_ms()}")
            cancel(w)
            await async_sleep(1)
            let accepting = l.accept()
            await async_sleep(1)
            l.close()
            match await accepting {
                Ok(_) => println("unexpected client"),
                Err(e) => println(f"closed while accepting: {e.code()} {e}"),
            }
            println(f"accept after close: {(await l.accept()).err()}")
        }
        Err(e) => println(f"bind failed: {e}"),
    }
}
"#;
    expect![[r#"
        cancel at 10
        waiter leaves at 10
        closed while accepting: 9 Bad file descriptor
        accept after close: Some(Bad file descriptor)
        exit 0
    "#]]
    .assert_eq(&run(input, &[], false));
}

#[test]
fn address_and_connection_errors() {
    let input = r#"
async fn main() {
    println(f"{(await TcpListener.bind("nowhere.example", 80)).err()}")
    println(f"{(await TcpStream.connect("127.0.0.1", 70000)).err()}")
    println(f"{(await TcpStream.connect("127.0.0.1", 0)).err()}")
    println(f"{(await TcpListener.bind("::1", -1)).err()}")
    match await TcpListener.bind("127.0.0.1", 0) {
        Ok(l) => {
            let port = l.port()
            l.close()
            match await TcpStream.connect("127.0.0.1", port) {
                Ok(_) => println("unexpected connection"),
                Err(e) => println(f"refused: {e.code()} {e}"),
            }
        }
        Err(e) => println(f"bind failed: {e}"),
    }
    match await TcpListener.bind("[::1]", 0) {
        Ok(l) => {
            let s = await TcpStream.connect("::1", l.port())
            println(f"ipv6 connected: {s.isOk()}")
            match s {
                Ok(s) => {
                    match await s.read(-5) {
                        Ok(_) => println("unexpected read"),
                        Err(e) => println(f"negative max: {e.code()} {e}"),
                    }
                    s.close()
                    println(f"write after close: {await s.write("x")}")
                }
                Err(_) => {}
            }
            l.close()
        }
        // No IPv6 on this machine: what the test would print.
        Err(_) => {
            println("ipv6 connected: true")
            println("negative max: 22 Invalid argument")
            println("write after close: Err(Bad file descriptor)")
        }
    }
}
"#;
    expect![[r#"
        Some(invalid address: nowhere.example)
        Some(invalid port: 70000)
        Some(invalid port: 0)
        Some(invalid port: -1)
        refused: 111 Connection refused
        ipv6 connected: true
        negative max: 22 Invalid argument
        write after close: Err(Bad file descriptor)
        exit 0
    "#]]
    .assert_eq(&run(input, &[], false));
}

#[test]
fn exit_ends_the_program_with_its_code() {
    let input = r#"
fn check(n: i64) {
    if n > 2 {
        println(f"exiting at {n}")
        exit(3)
    }
}

async fn main() {
    go {
        await async_sleep(100)
        println("never printed")
    }
    let s = "kept " + "alive"
    for i in 0..10 {
        check(i)
        println(f"{s} {i}")
    }
}
"#;
    expect![[r#"
        kept alive 0
        kept alive 1
        kept alive 2
        exiting at 3
        exit 3
    "#]]
    .assert_eq(&run(input, &[], true));
    // In a synchronous main, and from a task while main waits.
    expect![[r#"
        before
        exit 0
    "#]]
    .assert_eq(&run(
        "fn main() {\n    println(\"before\")\n    exit(0)\n    println(\"after\")\n}\n",
        &[],
        false,
    ));
    let input = r#"
async fn main(): i32 {
    go {
        eprintln("bye")
        exit(42)
    }
    await async_sleep(5)
    println("not reached")
    7
}
"#;
    expect![[r#"
        stderr: bye
        exit 42
    "#]]
    .assert_eq(&run(input, &[], false));
}

#[test]
fn args_and_environment() {
    // SAFETY: no other thread of this test reads or writes this variable.
    unsafe { std::env::set_var("VEX_EVAL_IO_TEST_VAR", "set=yes") };
    let input = r#"
fn main() {
    let a = args()
    println(f"{a.len()} args: {a}")
    println(f"{getEnv("VEX_EVAL_IO_TEST_VAR")}")
    println(f"{getEnv("VEX_EVAL_IO_TEST_UNSET")}")
    println(f"{getEnv("")} {getEnv("A=B")}")
}
"#;
    expect![[r#"
        3 args: [one, two words, ]
        Some(set=yes)
        None
        None None
        exit 0
    "#]]
    .assert_eq(&run(input, &["one", "two words", ""], false));
    expect![[r#"
        0 args: []
        Some(set=yes)
        None
        None None
        exit 0
    "#]]
    .assert_eq(&run(input, &[], false));
}

/// How lowering spells §13: each operation is one runtime call giving a future, awaited
/// like any other; borrowed operands are released after the call; `exit` ends its block.
#[test]
fn io_lowering_snapshot() {
    let input = r#"
async fn main() {
    let text = await readFile("in" + ".txt")
    println(text)
    exit(2)
}
"#;
    let (db, _) = super::db_with(&[("main.vx", input)]);
    let built = crate::queries::module_built(&db);
    crate::ir::validate::validate_module(&built, crate::ir::validate::Stage::Built).unwrap();
    expect![[r#"
        string s0 = "in"
        string s1 = ".txt"
        string s2 = "Ok("
        string s3 = ")"
        string s4 = "Err("

        async fn main() -> () {
            %0: string // text
            %1: Future<Result<string, IoError>> // value
            %2: Result<string, IoError> // awaited
            %3: Result<string, IoError> // text
            %4: string // text
            %5: u32 // tmp
            %6: string // text
            %7: string // text
            %8: string // value
            %9: string // text
            %10: string // text
          bb0:
            %0 = rt string_concat("in", ".txt")
            %1 = rt io_read_file(%0)
            release %0
            await %1 -> %2, bb1, cancel bb2
          bb1:
            %3 = %2
            %5 = discriminant %3
            switch %5 [0 => bb3, _ => bb4]
          bb2:
            cancel_exit
          bb3:
            %6 = rt string_concat("Ok(", %3.v0.0)
            %7 = rt string_concat(%6, ")")
            release %6
            %4 = %7
            goto bb5
          bb4:
            %8 = rt io_error_message(%3.v1.0)
            %9 = rt string_concat("Err(", %8)
            release %8
            %10 = rt string_concat(%9, ")")
            release %9
            %4 = %10
            goto bb5
          bb5:
            rt println(%4)
            release %4
            rt exit(2i32)
            unreachable
        }
    "#]]
    .assert_eq(&built.to_string());
}
