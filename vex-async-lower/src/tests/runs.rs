//! Small programs run through the evaluator, both sequentially (built IR) and under the
//! scheduler (transformed IR), with every reference counted: stdout and exit code are
//! pinned, and any leak, double release or undefined read fails the test.

use expect_test::{Expect, expect};

use crate::eval::{Mode, Options, run_main};
use crate::ir::validate::{Stage, validate_module};
use crate::queries::{module_built, module_ir};

fn check(input: &str, expect: Expect) {
    let (db, files) = super::db_with(&[("main.vx", input)]);
    let errors: Vec<_> = vex_hir::file_diagnostics(&db, files[0])
        .into_iter()
        .filter(|d| d.severity == vex_hir::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let built = module_built(&db);
    validate_module(&built, Stage::Built).unwrap();
    let lowered = module_ir(&db);
    validate_module(&lowered, Stage::Transformed).unwrap();
    let scheduled = run_main(&lowered, Options::new(Mode::Scheduled));
    assert!(scheduled.errors.is_empty(), "{:?}", scheduled.errors);
    expect.assert_eq(&format!("{}exit {}\n", scheduled.stdout, scheduled.exit_code));
}

#[test]
fn strings_in_aggregates_and_early_exits() {
    check(
        r#"
struct Named { name: string, n: i64 }
enum Msg { Text(string), Num(i64), Quit }

fn describe(m: Msg): string {
    match m {
        Msg.Text(t) => "text " + t,
        Msg.Num(n) if n > 10 => f"big {n}",
        Msg.Num(n) => f"num {n}",
        Msg.Quit => "quit",
    }
}

fn first_long(words: [string; 3]): string {
    for w in words {
        if w == "bb" { return w + "!" }
    }
    "none"
}

fn main() {
    let a = Named { name: "x" + "y", n: 2 }
    let b = Named { name: "xy", n: 2 }
    $println(a == b)
    let (p, q) = ("left" + "", 5)
    $println(f"{p} {q}")
    $println(describe(Msg.Text("hi" + "!")))
    $println(describe(Msg.Num(42)))
    $println(describe(Msg.Num(4)))
    $println(describe(Msg.Quit))
    $println(first_long(["a", "bb" + "", "ccc"]))
    let! words = ["a" + "", "b", "c"]
    words[1] = words[0] + "z"
    words[2] += "!"
    $println(words[1] + words[2])
    let found = 'outer: loop {
        for i in 0..10 {
            let label = f"i{i}"
            if i == 3 { break 'outer label }
        }
    }
    $println(found)
    match "apple" + "" {
        "pear" => $println("no"),
        "apple" => $println("yes"),
        _ => $println("other"),
    }
}
"#,
        expect![[r#"
            true
            left 5
            text hi!
            big 42
            num 4
            quit
            bb!
            azc!
            i3
            yes
            exit 0
        "#]],
    );
}

#[test]
fn cancelled_tasks_release_what_they_hold() {
    check(
        r#"
async fn worker(name: string): string {
    defer $println("defer " + name)
    let held = name + " held"
    await async_sleep(100)
    held
}

async fn waiter(f: Future<string>): string {
    let s = "waiting" + "..."
    let v = await f
    s + v
}

async fn main() {
    let a = worker("a" + "")
    let b = worker("b" + "")
    let w = waiter(b)
    await async_sleep(10)
    cancel(a)
    cancel(w)
    let unused = worker("c" + "")
    await async_sleep(200)
    $println("main done")
}
"#,
        expect![[r#"
            defer a
            defer b
            defer c
            main done
            exit 0
        "#]],
    );
}

#[test]
fn go_blocks_nest_and_capture_strings() {
    check(
        r#"
async fn main() {
    let greeting = "hello" + ""
    let! n = 1
    go {
        let inner = greeting + " inner"
        go {
            await async_sleep(5)
            $println(inner + f" {n}")
        }
        $println(greeting)
    }
    n = 2
    await async_sleep(10)
    $println(f"main {n}")
}
"#,
        expect![[r#"
            hello
            hello inner 1
            main 2
            exit 0
        "#]],
    );
}

#[test]
fn division_checks_and_casts() {
    check(
        r#"
fn main(): i32 {
    let x: i8 = 127
    $println(x + 1)
    $println(-7 / 2)
    $println(-7 % 2)
    $println(3.99 as i64)
    $println(300 as u8)
    $println(0.1 + 0.2)
    $println(1.5e10)
    let zero = 0
    $println(10 / zero)
    3
}
"#,
        expect![[r#"
            -128
            -3
            -1
            3
            44
            0.30000000000000004
            15000000000
            exit 101
        "#]],
    );
}
