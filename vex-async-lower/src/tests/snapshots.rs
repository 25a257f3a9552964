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
