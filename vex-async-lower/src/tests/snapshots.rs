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
                %6: bool // torn_down
                %7: CoroStatus // status
                %8: bool // cancelled
                %9: CoroStatus // status
              bb0:
                %5 = load %4->0
                store %4->0 = 255u8
                switch %5 [0 => bb6, 1 => bb8, _ => bb4]
              bb1:
                store %4->2 = %0
                store %4->0 = 1u8
                rt worker_await_after(10i64)
                goto bb9
              bb2:
                %1 = add %0, 1i64
                %2 = %1
                %3 = %2
                store %4->1 = %3
                store %4->0 = 254u8
                return DONE
              bb3:
                store %4->0 = 254u8
                %9 = rt task_finish_cancelled()
                return %9
              bb4:
                unreachable
              bb5:
                store %4->0 = 254u8
                %7 = rt task_finish_cancelled()
                return %7
              bb6:
                %0 = load %4->2
                %6 = rt torn_down()
                branch %6, bb5, bb1
              bb7:
                %8 = rt is_cancelled()
                branch %8, bb3, bb2
              bb8:
                %0 = load %4->2
                goto bb7
              bb9:
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
                %1: DeferList // defers
                %2: string // tmp
                %3: (string) // tmp
                %4: Future<i64> // ret
                %5: i64 // awaited
                %6: i64 // v
                %7: i64 // tmp
                %8: i64 // tmp
                %9: i64 // tmp
                %10: i64 // ret
                %11: i64 // defer_site
                %12: (string) // captures
                %13: string // name
                %14: i64 // defer_site
                %15: (string) // captures
                %16: string // name
              bb0:
                %1 = no_defers
                %2 = %0
                retain %2
                %3 = tuple(%2)
                %1 = rt defer_push(%1, 0u32, %3)
                %4 = call child()
                await %4 -> %5, bb1, cancel bb2
              bb1:
                %6 = %5
                %7 = add %6, 1i64
                %8 = %7
                %9 = %8
                %10 = %9
                goto bb4
              bb2:
                goto bb3
              bb3:
                %14 = rt defer_top(%1)
                switch %14 [0 => bb8, _ => bb7]
              bb4:
                %11 = rt defer_top(%1)
                switch %11 [0 => bb6, _ => bb5]
              bb5:
                release %0
                return %10
              bb6:
                %12 = rt defer_take(%1)
                %1 = rt defer_pop(%1)
                %13 = %12.0
                rt println(%13)
                release %13
                goto bb4
              bb7:
                release %0
                cancel_exit
              bb8:
                %15 = rt defer_take(%1)
                %1 = rt defer_pop(%1)
                %16 = %15.0
                rt println(%16)
                release %16
                goto bb3
            }

            ==== after the coroutine transform ====
            struct child.state size 9 align 8 {
                @8 tag: u8
                @0 result: i64
            }
            struct parent.state size 33 align 8 {
                @32 tag: u8
                @0 result: i64
                @8 name%0: string
                @16 defers%1: DeferList
                @24 ret%4: Future<i64>
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
                %4: bool // torn_down
                %5: CoroStatus // status
              bb0:
                %3 = load %2->0
                store %2->0 = 255u8
                switch %3 [0 => bb4, _ => bb2]
              bb1:
                %0 = 5i64
                %1 = %0
                store %2->1 = %1
                store %2->0 = 254u8
                return DONE
              bb2:
                unreachable
              bb3:
                store %2->0 = 254u8
                %5 = rt task_finish_cancelled()
                return %5
              bb4:
                %4 = rt torn_down()
                branch %4, bb3, bb1
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

            resume fn parent.resume(%17: *parent.state) -> CoroStatus {
                %0: string // name
                %1: DeferList // defers
                %2: string // tmp
                %3: (string) // tmp
                %4: Future<i64> // ret
                %5: i64 // awaited
                %6: i64 // v
                %7: i64 // tmp
                %8: i64 // tmp
                %9: i64 // tmp
                %10: i64 // ret
                %11: i64 // defer_site
                %12: (string) // captures
                %13: string // name
                %14: i64 // defer_site
                %15: (string) // captures
                %16: string // name
                %17: *parent.state // state
                %18: u8 // tag
                %19: bool // torn_down
                %20: CoroStatus // status
                %21: bool // cancelled
                %22: i32 // outcome
                %23: bool // ok
                %24: bool // ready
                %25: CoroStatus // status
              bb0:
                %18 = load %17->0
                store %17->0 = 255u8
                switch %18 [0 => bb12, 1 => bb16, _ => bb10]
              bb1:
                %1 = no_defers
                %2 = %0
                retain %2
                %3 = tuple(%2)
                %1 = rt defer_push(%1, 0u32, %3)
                %4 = call child()
                store %17->2 = %0
                store %17->3 = %1
                store %17->4 = %4
                store %17->0 = 1u8
                %24 = rt future_poll_or_register(%4)
                branch %24, bb18, bb17
              bb2:
                %6 = %5
                %7 = add %6, 1i64
                %8 = %7
                %9 = %8
                %10 = %9
                goto bb5
              bb3:
                goto bb4
              bb4:
                %14 = rt defer_top(%1)
                switch %14 [0 => bb9, _ => bb8]
              bb5:
                %11 = rt defer_top(%1)
                switch %11 [0 => bb7, _ => bb6]
              bb6:
                release %0
                store %17->1 = %10
                store %17->0 = 254u8
                return DONE
              bb7:
                %12 = rt defer_take(%1)
                %1 = rt defer_pop(%1)
                %13 = %12.0
                rt println(%13)
                release %13
                goto bb5
              bb8:
                release %0
                store %17->0 = 254u8
                %25 = rt task_finish_cancelled()
                return %25
              bb9:
                %15 = rt defer_take(%1)
                %1 = rt defer_pop(%1)
                %16 = %15.0
                rt println(%16)
                release %16
                goto bb4
              bb10:
                unreachable
              bb11:
                release %0
                store %17->0 = 254u8
                %20 = rt task_finish_cancelled()
                return %20
              bb12:
                %0 = load %17->2
                %19 = rt torn_down()
                branch %19, bb11, bb1
              bb13:
                %22 = rt future_take(%4, &%5)
                %23 = eq %22, 1i32
                branch %23, bb2, bb3
              bb14:
                rt future_cancel(%4)
                release %4
                goto bb3
              bb15:
                %21 = rt is_cancelled()
                branch %21, bb14, bb13
              bb16:
                %0 = load %17->2
                %1 = load %17->3
                %4 = load %17->4
                goto bb15
              bb17:
                return YIELDED
              bb18:
                store %17->0 = 255u8
                goto bb15
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

#[test]
fn defer_in_a_loop_pushes_a_record_per_iteration() {
    check(
        "fn f(n: i64) {\n    for i in 0..n {\n        defer $println(i)\n    }\n}\n",
        expect![[r#"

            fn f(%0: i64) -> () {
                %0: i64 // n
                %1: DeferList // defers
                %2: i64 // tmp
                %3: i64 // tmp
                %4: bool // tmp
                %5: i64 // i
                %6: (i64) // tmp
                %7: i64 // defer_site
                %8: (i64) // captures
                %9: i64 // i
                %10: string // text
              bb0:
                %1 = no_defers
                %2 = 0i64
                %3 = %0
                goto bb1
              bb1:
                %4 = lt %2, %3
                branch %4, bb2, bb4
              bb2:
                %5 = %2
                %6 = tuple(%5)
                %1 = rt defer_push(%1, 0u32, %6)
                goto bb3
              bb3:
                %2 = add %2, 1i64
                goto bb1
              bb4:
                goto bb5
              bb5:
                %7 = rt defer_top(%1)
                switch %7 [0 => bb7, _ => bb6]
              bb6:
                return
              bb7:
                %8 = rt defer_take(%1)
                %1 = rt defer_pop(%1)
                %9 = %8.0
                %10 = rt string_from_i64(%9)
                rt println(%10)
                release %10
                goto bb5
            }

            ==== after the coroutine transform ====

            fn f(%0: i64) -> () {
                %0: i64 // n
                %1: DeferList // defers
                %2: i64 // tmp
                %3: i64 // tmp
                %4: bool // tmp
                %5: i64 // i
                %6: (i64) // tmp
                %7: i64 // defer_site
                %8: (i64) // captures
                %9: i64 // i
                %10: string // text
              bb0:
                %1 = no_defers
                %2 = 0i64
                %3 = %0
                goto bb1
              bb1:
                %4 = lt %2, %3
                branch %4, bb2, bb4
              bb2:
                %5 = %2
                %6 = tuple(%5)
                %1 = rt defer_push(%1, 0u32, %6)
                goto bb3
              bb3:
                %2 = add %2, 1i64
                goto bb1
              bb4:
                goto bb5
              bb5:
                %7 = rt defer_top(%1)
                switch %7 [0 => bb7, _ => bb6]
              bb6:
                return
              bb7:
                %8 = rt defer_take(%1)
                %1 = rt defer_pop(%1)
                %9 = %8.0
                %10 = rt string_from_i64(%9)
                rt println(%10)
                release %10
                goto bb5
            }
        "#]],
    );
}

#[test]
fn wrapper_registers_drop_result_and_stored_sleep_is_a_future() {
    check(
        "async fn f(): string {\n    let t = async_sleep(5)\n    await t\n    \"x\" + \"y\"\n}\n",
        expect![[r#"
            string s0 = "x"
            string s1 = "y"

            async fn f() -> string {
                %0: Future<()> // timer
                %1: Future<()> // t
                %2: Future<()> // tmp
                %3: string // text
                %4: string // tmp
                %5: string // tmp
              bb0:
                %0 = rt sleep_future(5i64)
                %1 = %0
                %2 = %1
                %1 = null
                await %2, bb1, cancel bb2
              bb1:
                %3 = rt string_concat("x", "y")
                %4 = %3
                release %1
                %5 = %4
                return %5
              bb2:
                release %1
                cancel_exit
            }

            ==== after the coroutine transform ====
            struct f.state size 25 align 8 {
                @24 tag: u8
                @0 result: string
                @8 t%1: Future<()>
                @16 tmp%2: Future<()>
            }
            string s0 = "x"
            string s1 = "y"

            wrapper fn f() -> Future<string> {
                %0: *f.state // state
                %1: Future<string> // future
              bb0:
                %0 = rt task_alloc()
                store %0->0 = 0u8
                rt task_set_drop_result(%0)
                %1 = rt task_spawn(%0)
                return %1
            }

            resume fn f.resume(%6: *f.state) -> CoroStatus {
                %0: Future<()> // timer
                %1: Future<()> // t
                %2: Future<()> // tmp
                %3: string // text
                %4: string // tmp
                %5: string // tmp
                %6: *f.state // state
                %7: u8 // tag
                %8: bool // torn_down
                %9: CoroStatus // status
                %10: bool // cancelled
                %11: i32 // outcome
                %12: bool // ok
                %13: bool // ready
                %14: CoroStatus // status
              bb0:
                %7 = load %6->0
                store %6->0 = 255u8
                switch %7 [0 => bb6, 1 => bb10, _ => bb4]
              bb1:
                %0 = rt sleep_future(5i64)
                %1 = %0
                %2 = %1
                %1 = null
                store %6->2 = %1
                store %6->3 = %2
                store %6->0 = 1u8
                %13 = rt future_poll_or_register(%2)
                branch %13, bb12, bb11
              bb2:
                %3 = rt string_concat("x", "y")
                %4 = %3
                release %1
                %5 = %4
                store %6->1 = %5
                store %6->0 = 254u8
                return DONE
              bb3:
                release %1
                store %6->0 = 254u8
                %14 = rt task_finish_cancelled()
                return %14
              bb4:
                unreachable
              bb5:
                store %6->0 = 254u8
                %9 = rt task_finish_cancelled()
                return %9
              bb6:
                %8 = rt torn_down()
                branch %8, bb5, bb1
              bb7:
                %11 = rt future_take(%2)
                %12 = eq %11, 1i32
                branch %12, bb2, bb3
              bb8:
                rt future_cancel(%2)
                release %2
                goto bb3
              bb9:
                %10 = rt is_cancelled()
                branch %10, bb8, bb7
              bb10:
                %1 = load %6->2
                %2 = load %6->3
                goto bb9
              bb11:
                return YIELDED
              bb12:
                store %6->0 = 255u8
                goto bb9
            }

            drop_result fn f.drop_result(%0: *f.state) -> () {
                %0: *f.state // state
                %1: string // result
              bb0:
                %1 = load %0->1
                release %1
                return
            }
        "#]],
    );
}

/// The alternate form shows where each function is defined and where each statement
/// and terminator comes from: `go` blocks, resume functions and wrappers included.
#[test]
fn locations_of_statements_and_coroutine_pieces() {
    let input = "\
fn add(a: i64, b: i64): i64 {
    let s = a + b
    s * 2
}

async fn main() {
    await async_sleep(1)
    go {
        $println(\"hi\")
    }
    $println(add(1, 2))
}
";
    let (db, _) = super::db_with(&[("main.vx", input)]);
    let lowered = module_ir(&db);
    validate_module(&lowered, Stage::Transformed).unwrap();
    expect![[r#"
        struct main.state size 1 align 1 {
            @0 tag: u8
        }
        struct main.go0.state size 1 align 1 {
            @0 tag: u8
        }
        string s0 = "hi"

        fn add(%0: i64, %1: i64) -> i64 { @ main.vx:1:4
            %0: i64 // a
            %1: i64 // b
            %2: i64 // tmp
            %3: i64 // s
            %4: i64 // tmp
            %5: i64 // tmp
            %6: i64 // tmp
          bb0:
            %2 = add %0, %1 @ 2:13
            %3 = %2 @ 2:5
            %4 = mul %3, 2i64 @ 3:5
            %5 = %4 @ 1:29
            %6 = %5 @ 4:1
            return %6 @ 4:1
        }

        wrapper fn main() -> Future<()> { @ main.vx:6:10
            %0: *main.state // state
            %1: Future<()> // future
          bb0:
            %0 = rt task_alloc() @ 6:10
            store %0->0 = 0u8 @ 6:10
            %1 = rt task_spawn(%0) @ 6:10
            return %1 @ 6:10
        }

        resume fn main.resume(%3: *main.state) -> CoroStatus { @ main.vx:6:10
            %0: Future<()> // go
            %1: i64 // ret
            %2: string // text
            %3: *main.state // state
            %4: u8 // tag
            %5: bool // torn_down
            %6: CoroStatus // status
            %7: bool // cancelled
            %8: CoroStatus // status
          bb0:
            %4 = load %3->0 @ 6:10
            store %3->0 = 255u8 @ 6:10
            switch %4 [0 => bb6, 1 => bb8, _ => bb4] @ 6:10
          bb1:
            store %3->0 = 1u8 @ 7:5
            rt worker_await_after(1i64) @ 7:5
            goto bb9 @ 7:5
          bb2:
            %0 = call main.go0() @ 8:5
            release %0 @ 8:5
            %1 = call add(1i64, 2i64) @ 11:14
            %2 = rt string_from_i64(%1) @ 11:5
            rt println(%2) @ 11:5
            release %2 @ 11:5
            store %3->0 = 254u8 @ 12:1
            return DONE @ 12:1
          bb3:
            store %3->0 = 254u8 @ 7:5
            %8 = rt task_finish_cancelled() @ 7:5
            return %8 @ 7:5
          bb4:
            unreachable @ 6:10
          bb5:
            store %3->0 = 254u8 @ 6:10
            %6 = rt task_finish_cancelled() @ 6:10
            return %6 @ 6:10
          bb6:
            %5 = rt torn_down() @ 6:10
            branch %5, bb5, bb1 @ 6:10
          bb7:
            %7 = rt is_cancelled() @ 7:5
            branch %7, bb3, bb2 @ 7:5
          bb8:
            goto bb7 @ 7:5
          bb9:
            return YIELDED @ 7:5
        }

        wrapper fn main.go0() -> Future<()> { @ main.vx:8:5
            %0: *main.go0.state // state
            %1: Future<()> // future
          bb0:
            %0 = rt task_alloc() @ 8:5
            store %0->0 = 0u8 @ 8:5
            %1 = rt task_spawn(%0) @ 8:5
            return %1 @ 8:5
        }

        resume fn main.go0.resume(%0: *main.go0.state) -> CoroStatus { @ main.vx:8:5
            %0: *main.go0.state // state
            %1: u8 // tag
            %2: bool // torn_down
            %3: CoroStatus // status
          bb0:
            %1 = load %0->0 @ 8:5
            store %0->0 = 255u8 @ 8:5
            switch %1 [0 => bb4, _ => bb2] @ 8:5
          bb1:
            rt println("hi") @ 9:9
            store %0->0 = 254u8 @ 10:5
            return DONE @ 10:5
          bb2:
            unreachable @ 8:5
          bb3:
            store %0->0 = 254u8 @ 8:5
            %3 = rt task_finish_cancelled() @ 8:5
            return %3 @ 8:5
          bb4:
            %2 = rt torn_down() @ 8:5
            branch %2, bb3, bb1 @ 8:5
        }
    "#]]
    .assert_eq(&format!("{lowered:#}"));
}

#[test]
fn invalid_ir_is_reported_with_the_function_and_where_it_is_defined() {
    use crate::ir::*;
    let function = Function {
        name: "f".into(),
        kind: FunctionKind::Sync,
        params: Vec::new(),
        ret: Type::Int(IntTy::I64),
        locals: Vec::new(),
        blocks: vec![Block::at(
            Vec::new(),
            Terminator::Return(Some(Operand::Const(Const::Bool(true)))),
            Loc::default(),
        )],
        loc: SourceLoc { file: "main.vx".into(), line: 3, col: 4 },
    };
    let module = Module { functions: vec![function], ..Module::default() };
    let report = crate::queries::validation_report(&module, Stage::Built).unwrap_err();
    expect!["main.vx:3: in f: bb0: return true: expected i64, found bool"].assert_eq(&report);
}
