//! Inferred types, as snapshots of the HIR dump.

use expect_test::{Expect, expect};

use super::db_with;
use crate::pretty::file_hir;

fn check_types(text: &str, expect: Expect) {
    let (db, files) = db_with(&[("main.vx", text)]);
    let diagnostics = crate::file_diagnostics(&db, files[0]);
    assert!(diagnostics.is_empty(), "unexpected diagnostics: {diagnostics:#?}");
    expect.assert_eq(&file_hir(&db, files[0]));
}

#[test]
fn literals_default_and_follow_context() {
    check_types(
        r#"
fn f(): u8 {
    let a = 1
    let b: i32 = 2
    let c = 3u16
    let d = 1.5
    let e: f32 = 2.5
    255
}
"#,
        expect![[r#"
            fn f(): u8
              Block: u8
                Let
                  Pat Bind a: i64
                  Literal 1: i64
                Let
                  Pat Bind b: i32
                  Literal 2: i32
                Let
                  Pat Bind c: u16
                  Literal 3u16: u16
                Let
                  Pat Bind d: f64
                  Literal 1.5: f64
                Let
                  Pat Bind e: f32
                  Literal 2.5: f32
                Literal 255: u8
        "#]],
    );
}

#[test]
fn structs_enums_methods_and_match() {
    check_types(
        r#"
struct Point { x: f64, y: f64 }
enum Shape { Circle(f64), Rect(f64, f64), Empty }
fn Point.new(x: f64, y: f64): Point { Point { x, y } }
fn (self: Point) norm2(): f64 { self.x * self.x + self.y * self.y }
fn area(s: Shape): f64 {
    match s {
        Shape.Circle(r) => 3.0 * r * r,
        Shape.Rect(w, h) => w * h,
        Shape.Empty => 0.0,
    }
}
fn main() {
    let p = Point.new(1.0, 2.0)
    let n = p.norm2()
    let a = area(Shape.Rect(2.0, n))
}
"#,
        expect![[r#"
            fn Point.new(x: f64, y: f64): Point
              Block: Point
                StructLit Point: Point
                  Local x: f64
                  Local y: f64
            fn (Point) norm2(self: Point): f64
              Block: f64
                Binary +: f64
                  Binary *: f64
                    Field .x: f64
                      Local self: Point
                    Field .x: f64
                      Local self: Point
                  Binary *: f64
                    Field .y: f64
                      Local self: Point
                    Field .y: f64
                      Local self: Point
            fn area(s: Shape): f64
              Block: f64
                Match: f64
                  Local s: Shape
                  Arm
                    Pat Variant Shape.Circle: Shape
                      Pat Bind r: f64
                    Binary *: f64
                      Binary *: f64
                        Literal 3.0: f64
                        Local r: f64
                      Local r: f64
                  Arm
                    Pat Variant Shape.Rect: Shape
                      Pat Bind w: f64
                      Pat Bind h: f64
                    Binary *: f64
                      Local w: f64
                      Local h: f64
                  Arm
                    Pat Variant Shape.Empty: Shape
                    Literal 0.0: f64
            fn main(): ()
              Block: ()
                Let
                  Pat Bind p: Point
                  Call: Point
                    Path Point.new: fn
                    Literal 1.0: f64
                    Literal 2.0: f64
                Let
                  Pat Bind n: f64
                  MethodCall .norm2: f64
                    Local p: Point
                Let
                  Pat Bind a: f64
                  Call: f64
                    Name area: fn
                    Call: Shape
                      Path Shape.Rect: variant
                      Literal 2.0: f64
                      Local n: f64
        "#]],
    );
}

#[test]
fn futures_await_and_never() {
    check_types(
        r#"
async fn fetch(id: i32): i32 { await async_sleep(10); id * 2 }
async fn main(): i32 {
    let f = fetch(1)
    let g = fetch(2)
    let total = await f + await g
    if total > 100 { return 1 }
    let v = loop { if total > 3 { break total } }
    go { $println("in a task") }
    v
}
"#,
        expect![[r#"
            async fn fetch(id: i32): i32
              Block: i32
                Await: ()
                  Call: Future<()>
                    Name async_sleep: builtin
                    Literal 10: i64
                Binary *: i32
                  Local id: i32
                  Literal 2: i32
            async fn main(): i32
              Block: i32
                Let
                  Pat Bind f: Future<i32>
                  Call: Future<i32>
                    Name fetch: fn
                    Literal 1: i32
                Let
                  Pat Bind g: Future<i32>
                  Call: Future<i32>
                    Name fetch: fn
                    Literal 2: i32
                Let
                  Pat Bind total: i32
                  Binary +: i32
                    Await: i32
                      Local f: Future<i32>
                    Await: i32
                      Local g: Future<i32>
                If: ()
                  Binary >: bool
                    Local total: i32
                    Literal 100: i32
                  Block: !
                    Return: !
                      Literal 1: i32
                Let
                  Pat Bind v: i32
                  Loop: i32
                    Block: ()
                      If: ()
                        Binary >: bool
                          Local total: i32
                          Literal 3: i32
                        Block: !
                          Break: !
                            Local total: i32
                Go captures []: ()
                  Block: ()
                    Call: ()
                      Name $println: builtin
                      Literal "in a task": string
                Local v: i32
        "#]],
    );
}

#[test]
fn tuples_arrays_loops_and_strings() {
    check_types(
        r#"
fn main() {
    let t = (1, "two", 3.0)
    let (a, b, c) = t
    let! xs = [0; 4]
    for i in 0..4 { xs[i] = i * 2 }
    let! sum = 0
    for x in xs { sum += x }
    let s = f"sum = {sum}, first = {t.0}" + b
    $println("{} {}", s, c as i64)
}
"#,
        expect![[r#"
            fn main(): ()
              Block: ()
                Let
                  Pat Bind t: (i64, string, f64)
                  Tuple: (i64, string, f64)
                    Literal 1: i64
                    Literal "two": string
                    Literal 3.0: f64
                Let
                  Pat Tuple: (i64, string, f64)
                    Pat Bind a: i64
                    Pat Bind b: string
                    Pat Bind c: f64
                  Local t: (i64, string, f64)
                Let
                  Pat Bind xs!: [i64; 4]
                  ArrayRepeat ; 4: [i64; 4]
                    Literal 0: i64
                For ..: ()
                  Pat Bind i: i64
                  Literal 0: i64
                  Literal 4: i64
                  Block: ()
                    Assign =: ()
                      Index: i64
                        Local xs: [i64; 4]
                        Local i: i64
                      Binary *: i64
                        Local i: i64
                        Literal 2: i64
                Let
                  Pat Bind sum!: i64
                  Literal 0: i64
                For array: ()
                  Pat Bind x: i64
                  Local xs: [i64; 4]
                  Block: ()
                    Assign +=: ()
                      Local sum: i64
                      Local x: i64
                Let
                  Pat Bind s: string
                  Binary +: string
                    Format: string
                      Text "sum = "
                      Local sum: i64
                      Text ", first = "
                      TupleField .0: i64
                        Local t: (i64, string, f64)
                    Local b: string
                Call: ()
                  Name $println: builtin
                  Literal "{} {}": string
                  Local s: string
                  Cast: i64
                    Local c: f64
        "#]],
    );
}

/// A type that would have to contain itself (`?0 = [?0; 0]`, from comparing an array's
/// element with the array) is a mismatch, not an endless type: found by fuzzing, this
/// overflowed the stack of `vex check`.
#[test]
fn the_occurs_check_rejects_a_type_containing_itself() {
    for text in [
        "fn main() {\n    let arr = []\n    let b = arr[0] == arr\n}\n",
        "fn main() {\n    let t = (1, [])\n    let u = [t.1[0], t.1]\n}\n",
    ] {
        let (db, files) = db_with(&[("main.vx", text)]);
        let messages: Vec<String> =
            crate::file_diagnostics(&db, files[0]).iter().map(|d| d.message.clone()).collect();
        assert!(messages.iter().any(|m| m.contains("found `[_; 0]`")), "{text}: {messages:?}");
        // The HIR dump walks every inferred type: it must end.
        assert!(file_hir(&db, files[0]).contains("fn main()"));
    }
}
