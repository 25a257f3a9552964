//! The concurrency layer of LANGUAGE.md §11–§12 in the checker: channels, `select` and
//! the future combinators — inferred types of well-typed programs, and one fixture per
//! misuse with its code and exact span.

use expect_test::{Expect, expect};

use super::{db_with, render_diagnostics};
use crate::pretty::file_hir;

fn check(text: &str, expect: Expect) {
    expect.assert_eq(&render_diagnostics(text));
}

/// A program that uses every construct of §11–§12 checks without a diagnostic.
#[test]
fn a_program_using_every_concurrency_construct_checks() {
    let text = r#"
async fn work(x: i64): i64 { await async_sleep(x); x * 2 }
async fn name(): string { "n" }

async fn producer(out: Channel<i64>, n: i64) {
    for i in 0..n { out <- i }
    out.close()
}

async fn main() {
    let ch = Channel.new<i64>(4)
    let words: Channel<string> = Channel.new(0)
    go producer(ch, 3)
    let first = <-ch
    <-ch
    let ok = ch.send(5)
    let again = ch.recv()
    let maybe = ch.tryRecv()
    let sent = words.trySend("x")
    println(f"{first} {ok} {again} {maybe} {sent} {ch.len()} {ch.cap()} {ch.isClosed()}")
    for v in ch { println(v) }
    let picked = select {
        v = <-ch => v,
        <-ch => 0,
        ch <- 4 => 1,
        after 10 => 2,
    }
    let quick = select { w = <-words => w.len(), default => -1 }
    let both = await join(work(1), name())
    let all = await joinAll(Vec.from([work(1), work(2)]))
    let fastest = await race(work(3), work(1))
    let any = await raceAll(Vec.from([work(1)]))
    let bounded = await timeout(work(5), 1)
    let now = await ready("done")
    let f = work(4)
    let polled = f.isReady()
    let mapped = await f.map(|x: i64| x + 1)
    let chained = await work(1).then(|x: i64| work(x))
    println(f"{picked} {quick} {both.0} {both.1} {all} {fastest} {any} {bounded} {now}")
    println(f"{polled} {mapped} {chained}")
}

fn main_like_helper(ch: Channel<i64>): Option<i64> {
    ch.trySend(1)
    ch.tryRecv()
}
"#;
    expect![[""]].assert_eq(&render_diagnostics(text));
}

#[test]
fn types_of_channel_operations_and_combinators() {
    let text = r#"
async fn work(): i64 { 1 }
async fn main() {
    let ch = Channel.new(1)
    ch <- "a"
    let s = <-ch
    let pair = join(work(), ready(s))
    let r = select { v = <-ch => v.len(), after 5 => 0 }
}
"#;
    assert_eq!(render_diagnostics(text), "");
    let (db, files) = db_with(&[("main.vx", text)]);
    expect![[r#"
        async fn work(): i64
          Block: i64
            Literal 1: i64
        async fn main(): ()
          Block: ()
            Let
              Pat Bind ch: Channel<string>
              Call: Channel<string>
                Path Channel.new: builtin
                Literal 1: i64
            Send: ()
              Local ch: Channel<string>
              Literal "a": string
            Let
              Pat Bind s: string
              Recv: string
                Local ch: Channel<string>
            Let
              Pat Bind pair: Future<(i64, string)>
              Call: Future<(i64, string)>
                Name join: builtin
                Call: Future<i64>
                  Name work: fn
                Call: Future<string>
                  Name ready: builtin
                  Local s: string
            Let
              Pat Bind r: i64
              Select: i64
                Arm recv
                  Pat Bind v: string
                  Local ch: Channel<string>
                  MethodCall .len: i64
                    Local v: string
                Arm after
                  Literal 5: i64
                  Literal 0: i64
    "#]]
    .assert_eq(&file_hir(&db, files[0]));
}

#[test]
fn waiting_needs_a_task() {
    check(
        r#"
fn helper(ch: Channel<i64>): i64 {
    ch <- 1
    let a = <-ch
    let b = ch.recv() ?? 0
    ch.send(2)
    for v in ch { println(v) }
    let c = select { default => 0 }
    a + b + c + (ch.tryRecv() ?? 0)
}
fn main() {
    let ch = Channel.new<i64>(1)
    ch <- 1
    println(<-ch)
    let f = || <-ch
    go { ch <- 2 }
    let g = async || { <-ch }
}
"#,
        expect![[r#"
            E0028 40..47 "ch <- 1": a send `ch <- v` waits, so it is only allowed in an `async fn`, a `go` block, an async closure or `main`
              help: `tryRecv()` and `trySend(v)` never wait and work anywhere
            E0028 60..64 "<-ch": a receive `<-ch` waits, so it is only allowed in an `async fn`, a `go` block, an async closure or `main`
              help: `tryRecv()` and `trySend(v)` never wait and work anywhere
            E0028 77..86 "ch.recv()": `recv` waits, so it is only allowed in an `async fn`, a `go` block, an async closure or `main`
              help: `tryRecv()` and `trySend(v)` never wait and work anywhere
            E0028 96..106 "ch.send(2)": `send` waits, so it is only allowed in an `async fn`, a `go` block, an async closure or `main`
              help: `tryRecv()` and `trySend(v)` never wait and work anywhere
            E0028 111..137 "for v in ch { println(v) }": `for v in channel` waits, so it is only allowed in an `async fn`, a `go` block, an async closure or `main`
              help: `tryRecv()` and `trySend(v)` never wait and work anywhere
            E0028 150..173 "select { default => 0 }": `select` waits, so it is only allowed in an `async fn`, a `go` block, an async closure or `main`
              help: `tryRecv()` and `trySend(v)` never wait and work anywhere
            E0028 302..306 "<-ch": a receive `<-ch` waits, so it is only allowed in an `async fn`, a `go` block, an async closure or `main`
              help: `tryRecv()` and `trySend(v)` never wait and work anywhere
        "#]],
    );
}

#[test]
fn malformed_selects() {
    check(
        r#"
async fn main() {
    let ch = Channel.new<i64>(1)
    let a = select { default => 1, default => 2 }
    let b = select { after 1 => 1, after 2 => 2 }
    let c = select { default => 1, after 2 => 2 }
    let d = select { ch.len() => 1 }
    let e = select { <-ch => 1, ch <- "x" => 2, after "soon" => 3 }
    let f = select { <-ch => 1, <-ch => "two" }
}
"#,
        expect![[r#"
            E0029 64..101 "select { default => 1, default => 2 }": a `select` has at most one `default` arm
            E0029 114..151 "select { after 1 => 1, after 2 => 2 }": a `select` has at most one `after` arm
            E0029 164..201 "select { default => 1, after 2 => 2 }": a `select` has a `default` arm or an `after` arm, not both: `default` is taken at once
            E0029 223..236 "ch.len() => 1": a `select` arm waits for `v = <-ch`, `<-ch`, `ch <- value`, `after ms` or `default`
            E0003 277..280 "\"x\"": expected `i64`, found `string`
            E0003 293..299 "\"soon\"": expected `i64`, found `string`
            E0003 347..352 "\"two\"": expected `{integer}`, found `string`
        "#]],
    );
}

#[test]
fn combinators_take_futures() {
    check(
        r#"
async fn a(): i64 { 1 }
async fn s(): string { "s" }
async fn main() {
    let one = join(a())
    let nine = race(a(), a(), a(), a(), a(), a(), a(), a(), a())
    let mixed = race(a(), s())
    let not_future = join(a(), 5)
    let all = joinAll([a(), a()])
    let t = timeout(a(), "1")
    let m = a().map(|x: string| x)
}
"#,
        expect![[r#"
            E0030 86..95 "join(a())": `join` takes 2 to 8 futures, but 1 was supplied; for more, put them in a `Vec` and use `joinAll`
            E0030 111..160 "race(a(), a(), a(), a(), a(), a(), a(), a(), a())": `race` takes 2 to 8 futures, but 9 were supplied; for more, put them in a `Vec` and use `raceAll`
            E0003 187..190 "s()": expected `Future<i64>`, found `Future<string>`
            E0016 213..225 "join(a(), 5)": cannot infer the type of this expression; add a type annotation
            E0003 223..224 "5": expected `Future<_>`, found `{integer}`
            E0003 248..258 "[a(), a()]": expected `Vec<Future<_>>`, found `[Future<i64>; 2]`
            E0003 285..288 "\"1\"": expected `i64`, found `string`
            E0003 310..323 "|x: string| x": expected `fn(i64): string`, found `fn(string): string`
        "#]],
    );
}

#[test]
fn combinators_and_sends_move_futures() {
    check(
        r#"
async fn a(): i64 { 1 }
async fn main() {
    let f = a()
    let g = a()
    let ready_now = f.isReady()
    let both = join(f, g)
    await f
    let ch = Channel.new<Future<i64>>(1)
    let h = a()
    ch <- h
    await h
    let copy = ch
    let k = a()
    let mapped = k.map(|x: i64| x + 1)
    await k
}
"#,
        expect![[r#"
            E0006 143..144 "f": use of moved future `f`
              label 127..128 "f": moved here
              note: a future is awaited at most once; `await`, passing or copying `f` moves it
            E0006 224..225 "h": use of moved future `h`
              label 212..213 "h": moved here
              note: a future is awaited at most once; `await`, passing or copying `h` moves it
            E0006 309..310 "k": use of moved future `k`
              label 277..278 "k": moved here
              note: a future is awaited at most once; `await`, passing or copying `k` moves it
        "#]],
    );
}

#[test]
fn channel_types_and_methods() {
    check(
        r#"
async fn main() {
    let ch: Channel<i64> = Channel.new<string>(1)
    let n = Channel.new<i64>("big")
    let x: Channel = Channel.new<i64>(1)
    let y = 5
    let z = <-y
    let c = Channel.new<i64>(0)
    c.push(1)
    let w = c == c
}
"#,
        expect![[r#"
            E0003 46..68 "Channel.new<string>(1)": expected `Channel<i64>`, found `Channel<string>`
            E0003 98..103 "\"big\"": expected `i64`, found `string`
            E0022 116..123 "Channel": `Channel` takes one type argument
            E0003 174..175 "y": expected a `Channel`, found `{integer}`
            E0011 212..221 "c.push(1)": no method `push` on type `Channel<i64>`
            E0014 234..240 "c == c": cannot compare values of type `Channel<i64>` with `==`
        "#]],
    );
}
