//! Printed IR before and after the coroutine transform, pinned by snapshots.

use expect_test::{Expect, expect};

use crate::ir::validate::{Stage, validate_module};
use crate::queries::{module_built, module_ir};

fn check(input: &str, expect: Expect) {
    let (db, _) = super::db_with(&[("main.vx", input)]);
    let diagnostics = vex_hir::file_diagnostics(&db, vex_hir::Program::get(&db).files(&db)[0]);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let built = module_built(&db);
    validate_module(&built, Stage::Built).unwrap();
    let lowered = module_ir(&db);
    validate_module(&lowered, Stage::Transformed).unwrap();
    expect.assert_eq(&format!("{built}\n==== after the coroutine transform ====\n{lowered}"));
}

#[test]
fn sleep_then_return() {
    check(
        "async fn f(x: i64): i64 {\n    await async_sleep(10)\n    x + 1\n}\n",
        expect![[r#"

            async fn f(%0: i64) -> i64 {
                %0: i64 // x
                %1: i64 // tmp
                %2: i64 // tmp
                %3: i64 // tmp
              bb0:
                sleep 10i64, bb1, cancel bb2
              bb1:
                %1 = add %0, 1i64
                %2 = %1
                %3 = %2
                return %3
              bb2:
                cancel_exit
            }

            ==== after the coroutine transform ====
            struct f.state size 17 align 8 {
                @16 tag: u8
                @0 result: i64
                @8 x%0: i64
            }

            wrapper fn f(%0: i64) -> Future<i64> {
                %0: i64 // x
                %1: *f.state // state
                %2: Future<i64> // future
              bb0:
                %1 = rt task_alloc()
                store %1->2 = %0
                store %1->0 = 0u8
                %2 = rt task_spawn(%1)
                return %2
            }

            resume fn f.resume(%4: *f.state) -> CoroStatus {
                %0: i64 // x
                %1: i64 // tmp
                %2: i64 // tmp
                %3: i64 // tmp
                %4: *f.state // state
                %5: u8 // tag
                %6: bool // cancelled
                %7: CoroStatus // status
              bb0:
                %5 = load %4->0
                switch %5 [0 => bb5, 1 => bb7, _ => bb4]
              bb1:
                store %4->2 = %0
                store %4->0 = 1u8
                rt worker_await_after(10i64)
                goto bb8
              bb2:
                %1 = add %0, 1i64
                %2 = %1
                %3 = %2
                store %4->1 = %3
                store %4->0 = 254u8
                return DONE
              bb3:
                store %4->0 = 254u8
                %7 = rt task_finish_cancelled()
                return %7
              bb4:
                unreachable
              bb5:
                %0 = load %4->2
                goto bb1
              bb6:
                %6 = rt is_cancelled()
                branch %6, bb3, bb2
              bb7:
                %0 = load %4->2
                goto bb6
              bb8:
                return YIELDED
            }
        "#]],
    );
}

#[test]
fn await_child_holding_a_string() {
    check(
        "async fn child(): i64 { 5 }\nasync fn parent(name: string): i64 {\n    defer $println(name)\n    let v = await child()\n    v + 1\n}\n",
        expect![[r#"

            async fn child() -> i64 {
                %0: i64 // tmp
                %1: i64 // tmp
              bb0:
                %0 = 5i64
                %1 = %0
                return %1
            }

            async fn parent(%0: string) -> i64 {
                %0: string // name
                %1: bool // defer_flag
                %2: Future<i64> // ret
                %3: i64 // awaited
                %4: i64 // v
                %5: i64 // tmp
                %6: i64 // tmp
                %7: i64 // tmp
              bb0:
                %1 = false
                %1 = true
                %2 = call child()
                await %2 -> %3, bb1, cancel bb2
              bb1:
                %4 = %3
                %5 = add %4, 1i64
                %6 = %5
                %7 = %6
                branch %1, bb5, bb6
              bb2:
                branch %1, bb3, bb4
              bb3:
                rt println(%0)
                goto bb4
              bb4:
                release %0
                cancel_exit
              bb5:
                rt println(%0)
                goto bb6
              bb6:
                release %0
                return %7
            }

            ==== after the coroutine transform ====
            struct child.state size 9 align 8 {
                @8 tag: u8
                @0 result: i64
            }
            struct parent.state size 26 align 8 {
                @25 tag: u8
                @0 result: i64
                @8 name%0: string
                @24 defer_flag%1: bool
                @16 ret%2: Future<i64>
            }

            wrapper fn child() -> Future<i64> {
                %0: *child.state // state
                %1: Future<i64> // future
              bb0:
                %0 = rt task_alloc()
                store %0->0 = 0u8
                %1 = rt task_spawn(%0)
                return %1
            }

            resume fn child.resume(%2: *child.state) -> CoroStatus {
                %0: i64 // tmp
                %1: i64 // tmp
                %2: *child.state // state
                %3: u8 // tag
              bb0:
                %3 = load %2->0
                switch %3 [0 => bb3, _ => bb2]
              bb1:
                %0 = 5i64
                %1 = %0
                store %2->1 = %1
                store %2->0 = 254u8
                return DONE
              bb2:
                unreachable
              bb3:
                goto bb1
            }

            wrapper fn parent(%0: string) -> Future<i64> {
                %0: string // name
                %1: *parent.state // state
                %2: Future<i64> // future
              bb0:
                %1 = rt task_alloc()
                store %1->2 = %0
                store %1->0 = 0u8
                %2 = rt task_spawn(%1)
                return %2
            }

            resume fn parent.resume(%8: *parent.state) -> CoroStatus {
                %0: string // name
                %1: bool // defer_flag
                %2: Future<i64> // ret
                %3: i64 // awaited
                %4: i64 // v
                %5: i64 // tmp
                %6: i64 // tmp
                %7: i64 // tmp
                %8: *parent.state // state
                %9: u8 // tag
                %10: bool // cancelled
                %11: i32 // outcome
                %12: bool // ok
                %13: bool // ready
                %14: CoroStatus // status
              bb0:
                %9 = load %8->0
                switch %9 [0 => bb9, 1 => bb13, _ => bb8]
              bb1:
                %1 = false
                %1 = true
                %2 = call child()
                store %8->2 = %0
                store %8->3 = %1
                store %8->4 = %2
                store %8->0 = 1u8
                %13 = rt future_poll_or_register(%2)
                branch %13, bb12, bb14
              bb2:
                %4 = %3
                %5 = add %4, 1i64
                %6 = %5
                %7 = %6
                branch %1, bb6, bb7
              bb3:
                branch %1, bb4, bb5
              bb4:
                rt println(%0)
                goto bb5
              bb5:
                release %0
                store %8->0 = 254u8
                %14 = rt task_finish_cancelled()
                return %14
              bb6:
                rt println(%0)
                goto bb7
              bb7:
                release %0
                store %8->1 = %7
                store %8->0 = 254u8
                return DONE
              bb8:
                unreachable
              bb9:
                %0 = load %8->2
                goto bb1
              bb10:
                %11 = rt future_take(%2, &%3)
                %12 = eq %11, 1i32
                branch %12, bb2, bb3
              bb11:
                release %2
                goto bb3
              bb12:
                %10 = rt is_cancelled()
                branch %10, bb11, bb10
              bb13:
                %0 = load %8->2
                %1 = load %8->3
                %2 = load %8->4
                goto bb12
              bb14:
                return YIELDED
            }
        "#]],
    );
}

#[test]
fn match_on_integers_is_a_switch() {
    check(
        "fn grade(n: i64): string {\n    match n {\n        9 | 10 => \"A\",\n        7 => \"B\",\n        _ => \"C\",\n    }\n}\n",
        expect![[r#"
            string s0 = "A"
            string s1 = "B"
            string s2 = "C"

            fn grade(%0: i64) -> string {
                %0: i64 // n
                %1: string // match
                %2: string // tmp
                %3: string // tmp
              bb0:
                switch %0 [9 => bb2, 10 => bb2, 7 => bb3, _ => bb4]
              bb1:
                %2 = %1
                %3 = %2
                return %3
              bb2:
                %1 = "A"
                goto bb1
              bb3:
                %1 = "B"
                goto bb1
              bb4:
                %1 = "C"
                goto bb1
            }

            ==== after the coroutine transform ====
            string s0 = "A"
            string s1 = "B"
            string s2 = "C"

            fn grade(%0: i64) -> string {
                %0: i64 // n
                %1: string // match
                %2: string // tmp
                %3: string // tmp
              bb0:
                switch %0 [9 => bb2, 10 => bb2, 7 => bb3, _ => bb4]
              bb1:
                %2 = %1
                %3 = %2
                return %3
              bb2:
                %1 = "A"
                goto bb1
              bb3:
                %1 = "B"
                goto bb1
              bb4:
                %1 = "C"
                goto bb1
            }
        "#]],
    );
}
