//! Channels and `select` through the lowering, the coroutine transform and the
//! evaluator under the deterministic scheduler: waits park and resume, values move
//! through wait records, closing and cancelling release exactly what they must, and
//! `select`'s choices repeat run after run (the same choices as the runtime's
//! deterministic mode, which `examples/20_channels` checks across engines).

use expect_test::{Expect, expect};

fn check(input: &str, expect: Expect) {
    expect.assert_eq(&super::run_scheduled(input, true));
}

#[test]
fn producer_consumer_over_an_unbuffered_channel() {
    check(
        r#"
async fn producer(out: Channel<string>, n: i64) {
    for i in 0..n {
        out <- f"item {i}"
    }
    out.close()
}

async fn main() {
    let ch = Channel.new<string>(0)
    go producer(ch, 3)
    let first = <-ch
    println(first)
    for v in ch { println(v) }
    println(ch.recv())
    println(ch.isClosed())
}
"#,
        expect![[r#"
            item 0
            item 1
            item 2
            None
            true
            exit 0
        "#]],
    );
}

#[test]
fn buffered_channels_and_the_operations_that_never_wait() {
    check(
        r#"
fn main() {
    let words = Channel.new<string>(2)
    words <- "a" + "1"
    println(words.trySend("b" + "2"))
    println(words.trySend("c" + "3"))
    println(f"{words.len()} of {words.cap()}")
    println(words.tryRecv())
    println(words.recv())
    println(words.tryRecv())
    words <- "left in the buffer" + "!"
    words.close()
    println(words.send("x" + "y"))
    println(words.trySend("z" + "z"))
}
"#,
        expect![[r#"
            true
            false
            2 of 2
            Some(a1)
            Some(b2)
            None
            false
            false
            exit 0
        "#]],
    );
}

#[test]
fn select_waits_for_the_first_ready_arm() {
    check(
        r#"
async fn ticker(out: Channel<string>, name: string, every: i64, n: i64) {
    for i in 0..n {
        await async_sleep(every)
        out <- f"{name}{i}"
    }
}

async fn main() {
    let a = Channel.new<string>(0)
    let b = Channel.new<string>(0)
    go ticker(a, "a", 3, 3)
    go ticker(b, "b", 5, 2)
    for _ in 0..5 {
        let msg = select {
            m = <-a => m,
            m = <-b => m.toUpper(),
            after 100 => "timeout",
        }
        println(f"{now_ms()}: {msg}")
    }
    println(select { v = <-a => v, default => "nothing ready" })
    let late = select { v = <-a => v, after 7 => "timed out" }
    println(f"{now_ms()}: {late}")
    let c = Channel.new<i64>(1)
    let sent = select { c <- 1 => "sent", after 5 => "full" }
    let again = select { c <- 2 => "sent", after -3 => "full" }
    println(f"{sent} {again} {now_ms()} {<-c}")
    c.close()
    println(select { v = <-c => v, after 5 => -1 })
}
"#,
        expect![[r#"
            3: a0
            5: B0
            6: a1
            9: a2
            10: B1
            nothing ready
            17: timed out
            sent full 17 1
            -1
            exit 0
        "#]],
    );
}

#[test]
fn select_chooses_among_ready_arms_with_the_runtime_generator() {
    check(
        r#"
fn main() {
    let left = Channel.new<i64>(8)
    let right = Channel.new<i64>(8)
    for i in 0..4 {
        left <- i
        right <- 10 + i
    }
    let! picks = ""
    for _ in 0..8 {
        let p = select { x = <-left => x, y = <-right => y }
        picks = picks + f"{p} "
    }
    println(picks)
}
"#,
        expect![[r#"
            10 0 1 2 3 11 12 13 
            exit 0
        "#]],
    );
}

#[test]
fn cancelling_a_waiting_task_withdraws_its_wait_and_drops_its_value() {
    check(
        r#"
async fn stuck(ch: Channel<string>) {
    defer println("receiver cleans up")
    let v = <-ch
    println(f"never {v}")
}

async fn blocked_sender(ch: Channel<string>) {
    defer println("sender cleans up")
    ch <- "held value" + "!"
    println("never sent")
}

async fn main() {
    let ch = Channel.new<string>(0)
    let r = stuck(ch)
    let s = blocked_sender(Channel.new<string>(0))
    await yield_now()
    cancel(r)
    cancel(s)
    await async_sleep(1)
    let picker = async || { select { v = <-ch => v, after 1000 => "late" } }
    let p = picker()
    await yield_now()
    cancel(p)
    await async_sleep(1)
    println(f"{now_ms()} {ch.trySend("nobody waits" + "")}")
}
"#,
        expect![[r#"
            receiver cleans up
            sender cleans up
            2 false
            exit 0
        "#]],
    );
}

#[test]
fn closed_channels_panic_where_the_language_says() {
    check(
        r#"
async fn main() {
    let closed = Channel.new<i64>(0)
    closed.close()
    println(select { v = <-closed => v, default => 7 })
    let x = select { v = <-closed => v }
    println(x)
}
"#,
        expect![[r#"
            7
            stderr: panic at main.vx:6:13: select on closed channels
            exit 101
        "#]],
    );
    check(
        "async fn main() {\n    let c = Channel.new<i64>(0)\n    c.close()\n    println(<-c)\n}\n",
        expect![[r#"
            stderr: panic at main.vx:4:13: receive on closed channel
            exit 101
        "#]],
    );
    check(
        "fn main() {\n    let c = Channel.new<i64>(-2)\n}\n",
        expect![[r#"
            stderr: panic at main.vx:2:13: channel capacity is negative: -2
            exit 101
        "#]],
    );
}

#[test]
fn a_deadlock_is_reported_not_waited_for() {
    // main finished, but a task waits on a channel nobody else holds.
    check(
        r#"
async fn main() {
    let never = Channel.new<i64>(0)
    go { println(f"never {<-never}") }
    println("main done")
}
"#,
        expect![[r#"
            main done
            stderr: deadlock: 1 task waits forever and nothing can wake it
            exit 101
        "#]],
    );
    // main itself waits on two tasks waiting on each other.
    check(
        r#"
async fn relay(input: Channel<i64>, output: Channel<i64>) { output <- <-input }

async fn main() {
    let a = Channel.new<i64>(0)
    let b = Channel.new<i64>(0)
    let x = relay(a, b)
    let y = relay(b, a)
    await x
    println("unreachable")
}
"#,
        expect![[r#"
            stderr: deadlock: 3 tasks wait forever and nothing can wake them
            exit 101
        "#]],
    );
}
