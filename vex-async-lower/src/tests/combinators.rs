//! The future combinators (LANGUAGE.md §12) through lowering and the evaluator under the
//! deterministic scheduler: results in argument order, the first finisher of a race,
//! timeouts, `ready`, `isReady`, `map`/`then`, and cancellation flowing both ways
//! (the runtime's combinator tasks behave the same: `examples/21_combinators`).

use expect_test::{Expect, expect};

fn check(input: &str, expect: Expect) {
    expect.assert_eq(&super::run_scheduled(input, false));
}

#[test]
fn every_combinator_gives_its_result() {
    check(
        r#"
async fn work(name: string, ms: i64): string {
    defer println(f"{name} leaves at {now_ms()}")
    await async_sleep(ms)
    f"{name} after {ms}"
}

async fn num(n: i64): i64 {
    await async_sleep(n)
    n
}

async fn main() {
    let (a, b) = await join(work("a", 5), work("b", 3))
    println(f"{a} / {b} at {now_ms()}")
    let first = await race(work("slow", 20), work("fast", 2))
    println(f"race: {first} at {now_ms()}")
    let all = await joinAll(Vec.from([num(3), num(1), num(2)]))
    println(f"all: {all} at {now_ms()}")
    let any = await raceAll(Vec.from([num(7), num(4), num(9)]))
    println(f"any: {any} at {now_ms()}")
    let quick = await timeout(work("quick", 1), 10)
    println(f"timeout quick: {quick}")
    let slow = await timeout(work("slow2", 50), 10)
    println(f"timeout slow: {slow} at {now_ms()}")
    let r = ready("now" + "!")
    println(f"ready: {r.isReady()} {await r}")
    let f = num(5)
    println(f"isReady before: {f.isReady()}")
    await async_sleep(6)
    println(f"isReady after: {f.isReady()}")
    let doubled = await f.map(|x: i64| x * 2)
    println(f"map: {doubled}")
    let chained = await num(2).then(|x: i64| num(x * 3))
    println(f"then: {chained} at {now_ms()}")
    println(f"empty joinAll: {await joinAll(Vec.new<Future<i64>>())}")
    let dropped = join(work("d1", 1), work("d2", 2))
    await async_sleep(5)
}
"#,
        expect![[r#"
            b leaves at 3
            a leaves at 5
            a after 5 / b after 3 at 5
            fast leaves at 7
            slow leaves at 7
            race: fast after 2 at 7
            all: [3, 1, 2] at 10
            any: 4 at 14
            quick leaves at 15
            timeout quick: Some(quick after 1)
            slow2 leaves at 25
            timeout slow: None at 25
            ready: true now!
            isReady before: false
            isReady after: true
            map: 10
            then: 6 at 39
            empty joinAll: []
            d1 leaves at 40
            d2 leaves at 41
            exit 0
        "#]],
    );
}

#[test]
fn cancellation_flows_through_combinators() {
    check(
        r#"
async fn work(name: string, ms: i64): string {
    defer println(f"{name} leaves at {now_ms()}")
    await async_sleep(ms)
    f"{name} after {ms}"
}

async fn doomed(name: string): string {
    defer println(f"{name} leaves at {now_ms()}")
    let s = async_sleep(1)
    cancel(s)
    await s
    "never"
}

async fn main() {
    // An input cancelled: the join is cancelled and cancels the other input.
    let victim = work("victim", 10)
    let other = work("other", 10)
    let j = join(victim, other)
    await async_sleep(2)
    cancel(j)
    await async_sleep(1)
    println(f"join cancelled at {now_ms()}")
    // A race survives a cancelled input and is won by the other.
    let r = race(doomed("r1"), work("r2", 8))
    let awaited = async || { await r }
    let result = awaited()
    await async_sleep(20)
    println(f"race done: {await result}")
    // Cancelling what awaits a timeout flows down to the timeout and its input.
    let waiter = async || { await timeout(work("inner", 100), 50) }
    let w = waiter()
    await async_sleep(3)
    cancel(w)
    await async_sleep(1)
    println(f"end at {now_ms()}")
}
"#,
        expect![[r#"
            victim leaves at 2
            other leaves at 2
            join cancelled at 3
            r1 leaves at 3
            r2 leaves at 11
            race done: r2 after 8
            inner leaves at 26
            end at 27
            exit 0
        "#]],
    );
}

#[test]
fn race_all_of_nothing_panics() {
    check(
        "async fn main() {\n    let v = Vec.new<Future<i64>>()\n    let r = raceAll(v)\n}\n",
        expect![[r#"
            stderr: panic at main.vx:3:13: raceAll of an empty Vec
            exit 101
        "#]],
    );
}
