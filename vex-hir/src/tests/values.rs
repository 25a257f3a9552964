//! The value layer of LANGUAGE.md §8–§10 in the checker: `Option`, `Result`, `?`, `??`,
//! `if let`/`while let`, `Vec` and string methods, function values and closures —
//! inferred types of well-typed programs, and one fixture per misuse with its code and
//! exact span.

use expect_test::{Expect, expect};

use super::{db_with, render_diagnostics as diagnostics};
use crate::pretty::file_hir;

fn check(text: &str, expect: Expect) {
    expect.assert_eq(&diagnostics(text));
}

fn check_types(text: &str, expect: Expect) {
    assert_eq!(diagnostics(text), "");
    let (db, files) = db_with(&[("main.vx", text)]);
    expect.assert_eq(&file_hir(&db, files[0]));
}

/// A program that uses every construct of §8–§10 checks without a diagnostic.
#[test]
fn a_program_using_every_value_construct_checks() {
    let text = r#"
struct Handler { name: string, run: fn(i64): i64 }

fn parse(s: string): Option<i64> {
    let n = s.trim().toInt()?
    Some(n * 2)
}

fn div(a: i64, b: i64): Result<i64, string> {
    if b == 0 { return Err("division by zero") }
    Ok(a / b)
}

fn twice(f: fn(i64): i64, x: i64): i64 { f(f(x)) }

fn inc(x: i64): i64 { x + 1 }

fn Handler.new(name: string): Handler { Handler { name, run: inc } }

async fn fetch(n: i64): Result<i64, string> {
    await async_sleep(1)
    let v = div(100, n)?
    Ok(v + 1)
}

async fn main() {
    let! v = Vec.new<i64>()
    v.push(1)
    v.push(2)
    v[0] = 5
    let w = v.map(|x| x * 10).filter(|x| x > 10)
    println(w)
    let o: Option<i64> = None
    println(o ?? 5)
    if let Some(x) = parse(" 21 ") { println(x) } elif v.isEmpty() { println("empty") }
    let! stack = Vec.from([1, 2, 3])
    while let Some(top) = stack.pop() { println(top) }
    match div(1, 0) {
        Ok(v) => println(v),
        Err(e) => println(e),
    }
    println(twice(inc, 3))
    let k = 7
    let add_k = |x: i64| x + k
    println(twice(add_k, 1))
    let g = async |x: i64| { await async_sleep(1); x * 3 }
    println(await g(5))
    println(await fetch(4))
    let words = "a,b,c".split(",")
    println(words.join("-"))
    println(f"{words.len()} words, first byte {"abc".byteAt(0)}")
    println(Some(3))
    let r: Result<(), string> = Ok(())
    println(r)
    println(3.toString() + "!")
    let h = Handler.new("h")
    println(h.run(4))
    let pair = Some((1, "one"))
    if let Some((n, name)) = pair { println(name) }
    let futures = Vec.new<Future<i64>>()
    let maybe: Option<fn(): i64> = Some(|| 4)
    match maybe {
        Some(f) => println(f()),
        None => {}
    }
    let first = v.indexOf(5).map(|i| i + 1).or(0)
    println(Option.Some(first).okOr("none"))
}
"#;
    expect![[r#""#]].assert_eq(&diagnostics(text));
}

#[test]
fn try_needs_a_matching_result_type() {
    check(
        r#"
fn a(s: string): i64 { s.toInt()? }
fn b(r: Result<i64, string>): Result<i64, i32> { let v = r?; Ok(v) }
fn c(x: i64): Option<i64> { Some(x?) }
fn d(r: Result<i64, string>): Option<i64> { Some(r?) }
async fn main() { go { let v = "1".toInt()?; println(v) } }
"#,
        expect![[r#"
            E0025 24..34 "s.toInt()?": `?` on an `Option` needs the enclosing function to return an `Option`, but it returns `i64`
            E0025 94..96 "r?": `?` passes on an error of type `string`, but the enclosing function's errors are `i32`
            E0025 139..140 "x": `?` needs an `Option` or a `Result`, found `i64`
            E0025 194..196 "r?": `?` on a `Result` needs the enclosing function to return a `Result<_, string>`, but it returns `Option<i64>`
            E0025 231..243 "\"1\".toInt()?": `?` cannot be used in a `go` block: its result is discarded; handle the `None` or `Err` with `match` or `if let`
        "#]],
    );
}

#[test]
fn coalesce_sides_must_agree() {
    check(
        r#"
fn main() {
    let a: Option<i64> = None
    let b = a ?? "zero"
    let c = 3 ?? 4
}
"#,
        expect![[r#"
            E0003 60..66 "\"zero\"": the sides of `??` disagree: the left holds `i64`, the right is `string`
            E0014 79..85 "3 ?? 4": `??` needs an `Option` or a `Result` on its left, found `{integer}`
        "#]],
    );
}

#[test]
fn captures_are_read_only() {
    check(
        r#"
fn main() {
    let! n = 0
    let! v = Vec.new<i64>()
    let f = || { n = n + 1; v.push(n) }
    let g = |x: i64| { let! m = x; m += 1; m }
    f()
    println(g(1))
}
"#,
        expect![[r#"
            E0026 73..74 "n": cannot assign to `n` inside this closure: closures capture by copy, and their copies are read-only
              label 68..95 "|| { n = n + 1; v.push(n) }": the closure that captures it
              help: make a local copy inside the closure: `let! n2 = n`
            E0026 84..85 "v": cannot call `push` on `v` inside this closure: closures capture by copy, and their copies are read-only
              label 68..95 "|| { n = n + 1; v.push(n) }": the closure that captures it
              help: make a local copy inside the closure: `let! v2 = v`
        "#]],
    );
}

#[test]
fn mutating_methods_need_a_mutable_place() {
    check(
        r#"
fn main() {
    let v = Vec.new<i64>()
    v.push(1)
    v[0] = 2
    let s = "abc"
    s.push(1)
}
"#,
        expect![[r#"
            E0007 44..45 "v": cannot call `push` on `v`: it is not mutable
              label 21..22 "v": `v` is declared here
              fix: declare it mutable: `let! v` [20..20 "!"]
            E0007 58..62 "v[0]": cannot assign to `v`: it is not mutable
              label 21..22 "v": `v` is declared here
              fix: declare it mutable: `let! v` [20..20 "!"]
            E0011 89..98 "s.push(1)": no method `push` on type `string`
        "#]],
    );
}

#[test]
fn move_only_elements_cannot_be_copied() {
    check(
        r#"
async fn work(n: i64): i64 { n }
async fn main() {
    let! fs = Vec.new<Future<i64>>()
    fs.push(work(1))
    let f = fs[0]
    let s = fs.slice(0, 1)
    for f in fs { println(await f) }
    println(fs.len())
}
"#,
        expect![[r#"
            E0027 122..127 "fs[0]": cannot read an element of a `Vec<Future<i64>>`: its elements are move-only; take them out with `pop()` or `for x in v`
            E0027 140..154 "fs.slice(0, 1)": `slice` would copy elements of a `Vec<Future<i64>>`, which are move-only
            E0006 204..206 "fs": use of moved future `fs`
              label 168..170 "fs": moved here
              note: a future is awaited at most once; `await`, passing or copying `fs` moves it
        "#]],
    );
}

#[test]
fn a_closure_that_moved_a_future_in_is_called_once() {
    check(
        r#"
async fn work(n: i64): i64 { n }
async fn main() {
    let f = work(1)
    let g = async || { await f }
    let a = g()
    let b = g()
    let v = Vec.from([1, 2]).map(async |x: i64| { await f })
}
"#,
        expect![[r#"
            E0006 133..134 "g": use of moved future `g`
              label 117..118 "g": moved here
              note: a future is awaited at most once; `await`, passing or copying `g` moves it
            E0016 149..197 "Vec.from([1, 2]).map(async |x: i64| { await f })": cannot infer the type of this expression; add a type annotation
            E0003 170..196 "async |x: i64| { await f }": expected `fn({integer}): _`, found `move-only fn(i64): Future<i64>`
            E0006 170..196 "async |x: i64| { await f }": use of moved future `f`
              label 84..104 "async || { await f }": moved here
              note: a future is awaited at most once; `await`, passing or copying `f` moves it
        "#]],
    );
}

#[test]
fn waiting_in_a_closure_needs_async() {
    check(
        r#"
async fn main() {
    let f = |ms: i64| { await async_sleep(ms) }
    let g = |x: i64| x
    let h = g(1, 2)
    let n = 5
    n(3)
}
"#,
        expect![[r#"
            E0005 43..64 "await async_sleep(ms)": `await` is only allowed in an async closure: write `async |…| { … }`
              fix: make it an async closure [31..31 "async "]
            E0004 102..109 "g(1, 2)": this call takes 1 argument but 2 were supplied
            E0015 128..129 "n": this is not a function: it has type `{integer}`
        "#]],
    );
}

#[test]
fn builtin_type_misuse() {
    check(
        r#"
struct P { x: i64 }
fn main() {
    let v = Vec.new<P>()
    let w = v.sort()
    let j = Vec.from([1, 2]).join(",")
    println(v)
    let o: Option = None
    let r: Result<i64> = Ok(1)
    let x = Option.Maybe
    let y = Vec.new<i64, i64>()
    let z: Vec<i64> = Vec.new<string>()
    let q = "abc".nope()
}
"#,
        expect![[r#"
            E0007 70..71 "v": cannot call `sort` on `v`: it is not mutable
              label 41..42 "v": `v` is declared here
              fix: declare it mutable: `let! v` [40..40 "!"]
            E0014 70..78 "v.sort()": `sort` orders integers, floats and strings, not `P`
            E0014 91..117 "Vec.from([1, 2]).join(\",\")": `join` concatenates a `Vec<string>`, not a `Vec<{integer}>`
            E0014 130..131 "v": cannot print a value of type `Vec<P>`
              note: primitive types, `string`, `()`, `IoError`, and `Option`, `Result` and `Vec` of printable values print
            E0022 144..150 "Option": `Option` takes one type argument
            E0016 153..157 "None": cannot infer the type of this expression; add a type annotation
            E0022 169..180 "Result<i64>": `Result` takes two type arguments
            E0011 201..213 "Option.Maybe": no variant or associated function `Maybe` in `Option`
            E0004 226..243 "Vec.new<i64, i64>": this function takes 1 type argument, but 2 were supplied
            E0003 268..285 "Vec.new<string>()": expected `Vec<i64>`, found `Vec<string>`
            E0011 298..310 "\"abc\".nope()": no method `nope` on type `string`
        "#]],
    );
}

/// Types flow into closures from where they stand and out of `?`, `??` and the
/// builtin methods.
#[test]
fn types_flow_through_closures_and_options() {
    check_types(
        r#"
fn apply(f: fn(i64): bool, x: i64): bool { f(x) }
fn first(v: Vec<string>): Option<string> {
    let n = v.len()
    if n == 0 { None } else { Some(v[0]) }
}
fn main() {
    let limit = 3
    let small = apply(|x| x < limit, 2)
    let name = first(Vec.new()) ?? "none"
}
"#,
        expect![[r#"
            fn apply(f: fn(i64): bool, x: i64): bool
              Block: bool
                Call: bool
                  Local f: fn(i64): bool
                  Local x: i64
            fn first(v: Vec<string>): Option<string>
              Block: Option<string>
                Let
                  Pat Bind n: i64
                  MethodCall .len: i64
                    Local v: Vec<string>
                If: Option<string>
                  Binary ==: bool
                    Local n: i64
                    Literal 0: i64
                  Block: Option<string>
                    Name None: Option<string>
                  Block: Option<string>
                    Call: Option<string>
                      Name Some: variant
                      Index: string
                        Local v: Vec<string>
                        Literal 0: i64
            fn main(): ()
              Block: ()
                Let
                  Pat Bind limit: i64
                  Literal 3: i64
                Let
                  Pat Bind small: bool
                  Call: bool
                    Name apply: fn
                    Closure |x| captures [limit]: fn(i64): bool
                      Binary <: bool
                        Local x: i64
                        Local limit: i64
                    Literal 2: i64
                Let
                  Pat Bind name: string
                  Binary ??: string
                    Call: Option<string>
                      Name first: fn
                      Call: Vec<string>
                        Path Vec.new: builtin
                    Literal "none": string
        "#]],
    );
}

/// `()` is the pattern of the unit value, also as a payload (`Ok(())`).
#[test]
fn unit_patterns_match_unit_payloads() {
    assert_eq!(
        diagnostics(
            "fn f(): Result<(), string> { Ok(()) }\nfn main() {\n    match f() {\n        Ok(()) => println(\"ok\"),\n        Err(e) => println(e),\n    }\n    if let Ok(()) = f() {}\n    let () = ()\n}\n"
        ),
        ""
    );
    expect![[r#"
        E0003 34..36 "()": this pattern takes a tuple of 0 elements, found `{integer}`
    "#]]
    .assert_eq(&diagnostics(
        "fn main() {\n    match 1 {\n        () => {}\n        _ => {}\n    }\n}\n",
    ));
}
