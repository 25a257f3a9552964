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

#[test]
fn defers_in_loops_run_once_per_execution_last_first() {
    check(
        r#"
fn count(n: i64): i64 {
    defer $println("outer")
    for i in 0..n {
        let label = f"item {i}"
        defer $println("undo " + label)
        if i == 1 {
            let note = "nested" + ""
            defer { $println(note) }
        }
    }
    n * 10
}

fn early(stop: i64): i64 {
    let! i = 0
    while true {
        defer $println(f"leave {i}")
        if i == stop { return i }
        i += 1
    }
    -1
}

fn main() {
    $println(count(3))
    $println(early(2))
    let! k = 0
    loop {
        let word = "w" + ""
        defer $println(word + f"{k}")
        k += 1
        if k == 2 { break }
    }
    $println("end of main")
}
"#,
        expect![[r#"
            undo item 2
            nested
            undo item 1
            undo item 0
            outer
            30
            leave 2
            leave 1
            leave 0
            2
            end of main
            w1
            w0
            exit 0
        "#]],
    );
}

#[test]
fn cancelled_tasks_run_every_registered_defer() {
    check(
        r#"
async fn worker(name: string) {
    defer $println(name + " closed")
    for i in 0..5 {
        let step = f"{name} step {i}"
        defer $println("undo " + step)
        await async_sleep(10)
    }
    $println(name + " finished")
}

async fn main() {
    let a = worker("a" + "")
    await async_sleep(25)
    cancel(a)
    await async_sleep(100)
    $println("main done")
}
"#,
        expect![[r#"
            undo a step 2
            undo a step 1
            undo a step 0
            a closed
            main done
            exit 0
        "#]],
    );
}

#[test]
fn defers_see_values_at_registration_and_awaited_futures() {
    check(
        r#"
async fn job(): i64 { await async_sleep(5); 7 }

async fn main() {
    let! x = 1
    defer $println(f"x was {x}")
    x = 2
    let t = job()
    defer cancel(t)
    defer $println("deferred await done")
    $println(await t)
    $println(f"x is {x}")
}
"#,
        expect![[r#"
            7
            x is 2
            deferred await done
            x was 1
            exit 0
        "#]],
    );
}

#[test]
fn equality_compares_payloads_and_nested_values() {
    check(
        r#"
struct Point { x: i64, y: i64 }
enum Shape { Circle(i64), Rect(i64, i64), Named(string, Point), Empty }

fn main() {
    $println(Shape.Circle(1) == Shape.Circle(1))
    $println(Shape.Circle(1) == Shape.Circle(2))
    $println(Shape.Circle(1) != Shape.Circle(2))
    $println(Shape.Rect(1, 2) == Shape.Rect(1, 3))
    $println(Shape.Empty == Shape.Empty)
    $println(Shape.Circle(1) == Shape.Empty)
    let p = Point { x: 1, y: 2 }
    $println(Shape.Named("a" + "b", p) == Shape.Named("ab", Point { x: 1, y: 2 }))
    $println(Shape.Named("ab", p) == Shape.Named("ab", Point { x: 1, y: 3 }))
    $println(Shape.Named("ab", p) == Shape.Named("ac", p))
    let x = 1
    let y = 2
    $println(p == (Point { x, y }))
    $println((1, "s" + "", [Shape.Circle(3), Shape.Empty]) == (1, "s", [Shape.Circle(3), Shape.Empty]))
    $println((1, "s", [Shape.Circle(3), Shape.Empty]) == (1, "s", [Shape.Circle(4), Shape.Empty]))
}
"#,
        expect![[r#"
            true
            false
            true
            false
            true
            false
            true
            false
            false
            true
            true
            false
            exit 0
        "#]],
    );
}

#[test]
fn or_patterns_bind_from_the_alternative_that_matched() {
    check(
        r#"
enum S { A(i64), B(i64), C(string, i64), D(i64, string) }

fn pick(s: S): string {
    match s {
        S.A(x) | S.B(x) => f"ab {x}",
        S.C(t, n) | S.D(n, t) if n > 5 => f"big {t} {n}",
        S.C(t, n) | S.D(n, t) => f"cd {t} {n}",
    }
}

fn main() {
    $println(pick(S.A(1)))
    $println(pick(S.B(2)))
    $println(pick(S.C("c" + "", 3)))
    $println(pick(S.D(4, "d" + "")))
    $println(pick(S.D(9, "e")))
}
"#,
        expect![[r#"
            ab 1
            ab 2
            cd c 3
            cd d 4
            big e 9
            exit 0
        "#]],
    );
}

#[test]
fn signed_division_overflow_wraps() {
    check(
        r#"
fn main() {
    let min = -9223372036854775807 - 1
    let m1 = -1
    $println(min / m1)
    $println(min % m1)
    let small: i8 = -128
    let n1: i8 = -1
    $println(small / n1)
    $println(small % n1)
}
"#,
        expect![[r#"
            -9223372036854775808
            0
            -128
            0
            exit 0
        "#]],
    );
}

#[test]
fn stored_sleep_and_yield_futures() {
    check(
        r#"
async fn ticker() {
    for i in 0..3 {
        await async_sleep(40)
        $println(f"tick {now_ms()}")
    }
}

async fn main() {
    let start = now_ms()
    let t = async_sleep(100)
    go ticker()
    await async_sleep(30)
    $println(f"before await {now_ms() - start}")
    await t
    $println(f"slept {now_ms() - start}")
    let c = async_sleep(1000)
    cancel(c)
    await c
    $println("unreachable: a cancelled sleep cancels its awaiter")
}
"#,
        expect![[r#"
            before await 30
            tick 40
            tick 80
            slept 100
            tick 120
            exit 1
        "#]],
    );
}

#[test]
fn stored_yield_future_completes_after_ready_tasks() {
    check(
        r#"
async fn other() { $println("other runs") }

async fn main() {
    let y = yield_now()
    let o = other()
    $println("main first")
    await y
    $println("main after yield")
    await o
}
"#,
        expect![[r#"
            main first
            other runs
            main after yield
            exit 0
        "#]],
    );
}

#[test]
fn detached_results_holding_strings_are_released() {
    check(
        r#"
async fn name(n: i64): string {
    await async_sleep(n)
    f"name {n}"
}

async fn pair(): (string, i64) { ("p" + "", 1) }

async fn main() {
    let a = name(5)
    let b = pair()
    name(1)
    await async_sleep(20)
    $println("done")
}
"#,
        expect![[r#"
            done
            exit 0
        "#]],
    );
}

#[test]
fn sequential_and_scheduled_agree_on_defers_and_stored_sleeps() {
    let text = r#"
async fn step(i: i64): i64 {
    let t = async_sleep(10 * i)
    defer $println(f"step {i} at {now_ms()}")
    await t
    i
}

async fn main() {
    let start = now_ms()
    for i in 1..4 {
        let label = f"loop {i}"
        defer $println(label)
        $println(await step(i))
    }
    let y = yield_now()
    await y
    $println(f"elapsed {now_ms() - start}")
}
"#;
    let (db, _) = super::db_with(&[("main.vx", text)]);
    let result = crate::testing::check_differential(&module_built(&db), &module_ir(&db)).unwrap();
    expect![[r#"
        step 1 at 10
        1
        step 2 at 30
        2
        step 3 at 60
        3
        elapsed 60
        loop 3
        loop 2
        loop 1
    "#]]
    .assert_eq(&result.stdout);
}

#[test]
fn a_declaration_without_body_is_rejected_before_lowering() {
    // Found by the `lower` fuzz target: the checker used to accept it and lowering had
    // nothing to lower. It is now an error (E0024), so no lowering sees it.
    let (db, files) =
        super::db_with(&[("main.vx", "fn jign(n: i64): i64\nfn main() { $println(jign(1)) }\n")]);
    let codes: Vec<_> =
        vex_hir::file_diagnostics(&db, files[0]).into_iter().filter_map(|d| d.code).collect();
    assert_eq!(codes, [vex_hir::Code::MissingBody]);
}

#[test]
fn a_future_captured_by_go_moves_into_the_task() {
    // The spawner's local must be cleared when the task takes the handle: otherwise
    // both release it (the evaluator reports a double release).
    check(
        r#"
async fn work(n: i64): i64 {
    await async_sleep(n)
    n * 2
}

async fn main() {
    let f = work(10)
    let label = "in go"
    go {
        let v = await f
        println(f"{label}: {v}")
    }
    let g = work(5)
    go {
        println("cancelling g in the task")
        cancel(g)
    }
    await async_sleep(50)
    println("main done")
}
"#,
        expect![[r#"
            cancelling g in the task
            in go: 20
            main done
            exit 0
        "#]],
    );
}

/// Unbounded recursion ends in a located `stack overflow` panic (exit 101) after
/// `MAX_CALL_DEPTH` nested calls, not in an overflow of the test thread's 2 MB stack;
/// recursion below the limit runs to the end.
#[test]
fn unbounded_recursion_is_a_stack_overflow_panic() {
    let program = "\
fn down(n: i64): i64 {
    if n == 0 { 0 } else { 1 + down(n - 1) }
}

fn forever(n: i64): i64 {
    forever(n + 1) + 1
}

fn main() {
    $println(down(9000))
    $println(forever(0))
}
";
    let (db, _) = super::db_with(&[("main.vx", program)]);
    let result = run_main(&module_ir(&db), Options::new(Mode::Scheduled));
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.stdout, "9000\n");
    assert_eq!(
        result.stderr,
        "panic at main.vx:5:4: stack overflow: more than 10000 nested calls (calling `forever`)\n"
    );
    assert_eq!(result.exit_code, 101);
}
