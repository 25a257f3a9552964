//! The I/O layer of LANGUAGE.md §13 in the checker: files, TCP, `IoError` and the
//! process builtins — inferred types of well-typed programs, and one fixture per misuse.
//! I/O has landed in every engine: no use of it is reported as not supported, which one
//! test pins.

use expect_test::{Expect, expect};

use super::{db_with, render_diagnostics};
use crate::pretty::file_hir;

/// The diagnostics of `text`.
fn diagnostics(text: &str) -> String {
    render_diagnostics(text)
}

fn check(text: &str, expect: Expect) {
    expect.assert_eq(&diagnostics(text));
}

/// A program that uses every construct of §13 checks without a diagnostic.
#[test]
fn a_program_using_every_io_construct_checks() {
    let text = r#"
async fn serve(l: TcpListener): Result<i64, IoError> {
    let s = await l.accept()?
    let request = await s.read(1024)?
    await s.write(f"got {request.len()} bytes")?
    s.close()
    Ok(request.len())
}

async fn main() {
    let text: Result<string, IoError> = await readFile("in.txt")
    match text {
        Ok(t) => println(t),
        Err(e) => println(f"error {e.code()}: {e.message()} / {e}"),
    }
    let w = await writeFile("out.txt", "x")
    let a = await appendFile("out.txt", "y")
    let r = await removeFile("out.txt")
    let there: bool = await exists("out.txt")
    println(f"{w} {a} {r} {there}")
    let f = await File.open("in.txt")
    if let Ok(file) = f {
        let chunk = await file.read(10)
        let rest = await file.readAll()
        file.close()
        println(f"{chunk} {rest}")
    }
    let out = await File.create("new.txt")
    let more = await File.openAppend("new.txt")
    if let Ok(o) = out { println(await o.write("hi")) }
    let l = await TcpListener.bind("127.0.0.1", 0)
    if let Ok(listener) = l {
        let port: i64 = listener.port()
        let c = await TcpStream.connect("localhost", port)
        let served = await serve(listener)
        listener.close()
        println(f"{c.isOk()} {served}")
    }
    let argv: Vec<string> = args()
    let home: Option<string> = getEnv("HOME")
    println(f"{argv.len()} {home} {more.isErr()}")
    if argv.len() > 3 { exit(2) }
}
"#;
    check(text, expect![[""]]);
}

#[test]
fn types_of_io_operations() {
    let text = r#"
async fn main() {
    let f = readFile("a")
    let h = File.open("a")
    let s = TcpStream.connect("::1", 80)
    let code: i32 = 3
    let x = if code > 4 { exit(code) } else { 1 }
}
"#;
    assert_eq!(diagnostics(text), "");
    let (db, files) = db_with(&[("main.vx", text)]);
    expect![[r#"
        async fn main(): ()
          Block: ()
            Let
              Pat Bind f: Future<Result<string, IoError>>
              Call: Future<Result<string, IoError>>
                Name readFile: builtin
                Literal "a": string
            Let
              Pat Bind h: Future<Result<File, IoError>>
              Call: Future<Result<File, IoError>>
                Path File.open: builtin
                Literal "a": string
            Let
              Pat Bind s: Future<Result<TcpStream, IoError>>
              Call: Future<Result<TcpStream, IoError>>
                Path TcpStream.connect: builtin
                Literal "::1": string
                Literal 80: i64
            Let
              Pat Bind code: i32
              Literal 3: i32
            Let
              Pat Bind x: i64
              If: i64
                Binary >: bool
                  Local code: i32
                  Literal 4: i32
                Block: !
                  Call: !
                    Name exit: builtin
                    Local code: i32
                Block: i64
                  Literal 1: i64
    "#]]
    .assert_eq(&file_hir(&db, files[0]));
}

#[test]
fn io_misuse() {
    check(
        r#"
async fn main() {
    let a = await readFile(1)
    let b = await TcpListener.bind("127.0.0.1")
    let c = File.open<i64>("x")
    let d = File.remove("x")
    let e = await readFile("x")
    match e { Err(err) => { let same = err == err }, Ok(_) => {} }
    exit("now")
}

fn plain(f: File, l: TcpListener): i64 {
    let g = f
    f.write(1)
    l.accept(3)
    f.read()
    println(f)
    0
}
"#,
        expect![[r#"
            E0003 46..47 "1": expected `string`, found `{integer}`
            E0004 67..96 "TcpListener.bind(\"127.0.0.1\")": this call takes 2 arguments but 1 was supplied
            E0004 109..123 "File.open<i64>": this function takes 0 type arguments, but 1 were supplied
            E0011 141..152 "File.remove": no variant or associated function `remove` in `File`
            E0014 229..239 "err == err": cannot compare values of type `IoError` with `==`
            E0003 266..271 "\"now\"": expected `i32`, found `string`
            E0003 343..344 "1": expected `string`, found `{integer}`
            E0004 350..361 "l.accept(3)": this call takes 0 arguments but 1 was supplied
            E0004 366..374 "f.read()": this call takes 1 argument but 0 were supplied
            E0014 387..388 "f": cannot print a value of type `File`
              note: primitive types, `string`, `()`, `IoError`, and `Option`, `Result` and `Vec` of printable values print
        "#]],
    );
}

/// A program item with the name of an I/O type shadows it (as for `Vec` and `Channel`).
#[test]
fn items_shadow_io_types() {
    check(
        r#"
struct File { fd: i64 }
fn open(): File { File { fd: 3 } }
fn readFile(path: string): string { path }
fn main() {
    let f: File = open()
    println(f.fd)
    println(readFile("x"))
}
"#,
        expect![[""]],
    );
    // Without the struct, `File` is the I/O type.
    expect![[""]].assert_eq(&render_diagnostics(
        "struct Handle { f: File }\nfn take(h: Handle): i64 {\n    0\n}\nfn main() {}\n",
    ));
}

/// I/O has landed in every engine: its uses are not reported as not supported.
#[test]
fn io_has_landed() {
    expect![[""]].assert_eq(&render_diagnostics(
        "async fn main() {\n    let t = await readFile(\"in.txt\")\n}\nfn count(): i64 {\n    args().len()\n}\n",
    ));
}
