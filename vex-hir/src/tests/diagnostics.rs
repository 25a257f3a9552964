//! One fixture per diagnostic, asserting its code, message and exact span.

use expect_test::{Expect, expect};

use super::render_diagnostics;

/// Checks the diagnostics of `text` ([`render_diagnostics`]).
fn check(text: &str, expect: Expect) {
    expect.assert_eq(&render_diagnostics(text));
}

#[test]
fn unknown_name() {
    check(
        "fn main() { let x = y + 1 }\n",
        expect![[r#"
            E0001 20..21 "y": cannot find `y` in this scope
        "#]],
    );
}

#[test]
fn duplicate_item() {
    check(
        "fn f() {}\nstruct f { x: i32 }\nfn main() {}\n",
        expect![[r#"
            E0002 17..18 "f": the name `f` is defined more than once
              label 3..4 "f": first defined here
        "#]],
    );
}

#[test]
fn type_mismatch() {
    check(
        "fn main() { let x: i32 = \"no\" }\n",
        expect![[r#"
        E0003 25..29 "\"no\"": expected `i32`, found `string`
    "#]],
    );
}

#[test]
fn wrong_argument_count() {
    check(
        "fn add(a: i32, b: i32): i32 { a + b }\nfn main() { add(1) }\n",
        expect![[r#"
        E0004 50..56 "add(1)": this call takes 2 arguments but 1 was supplied
    "#]],
    );
}

#[test]
fn await_outside_async() {
    check(
        "async fn f(): i32 { 1 }\nfn main() { let x = await f() }\n",
        expect![[r#"
            E0005 44..53 "await f()": `await` is only allowed inside an `async fn`, a `go` block or an async closure
              fix: make the function an `async fn` [24..24 "async "]
        "#]],
    );
}

#[test]
fn use_of_moved_future() {
    check(
        "async fn f(): i32 { 1 }\nasync fn main() {\n    let a = f()\n    let x = await a\n    let y = await a\n}\n",
        expect![[r#"
            E0006 96..97 "a": use of moved future `a`
              label 76..77 "a": moved here
              note: a future is awaited at most once; `await`, passing or copying `a` moves it
        "#]],
    );
}

#[test]
fn future_moved_in_a_loop() {
    check(
        "async fn f(): i32 { 1 }\nasync fn main() {\n    let a = f()\n    while true {\n        await a\n    }\n}\n",
        expect![[r#"
            E0006 89..90 "a": use of moved future `a`
              note: a future is awaited at most once; `await`, passing or copying `a` moves it (it is moved in every iteration of the loop)
        "#]],
    );
}

#[test]
fn reassigned_future_is_usable_until_moved_again() {
    check(
        "async fn f(): i32 { 1 }\nasync fn main() {\n    let! a = f()\n    if true { await a; a = f() }\n    await a\n    cancel(a)\n}\n",
        expect![[r#"
            E0006 115..116 "a": use of moved future `a`
              label 102..103 "a": moved here
              note: a future is awaited at most once; `await`, passing or copying `a` moves it
        "#]],
    );
}

#[test]
fn cancel_does_not_move() {
    check(
        "async fn f(): i32 { 1 }\nasync fn main() {\n    let a = f()\n    cancel(a)\n    let x = await a\n}\n",
        expect![""],
    );
}

#[test]
fn assign_to_immutable() {
    check(
        "fn main() {\n    let x = 1\n    x += 2\n}\n",
        expect![[r#"
            E0007 30..31 "x": cannot assign to `x`: it is not mutable
              label 20..21 "x": `x` is declared here
              fix: declare it mutable: `let! x` [19..19 "!"]
        "#]],
    );
}

#[test]
fn non_exhaustive_match_names_the_missing_variant() {
    check(
        "enum Shape { Circle(f64), Rect(f64, f64), Empty }\nfn area(s: Shape): f64 {\n    match s {\n        Shape.Circle(r) => r * r,\n        Shape.Empty => 0.0,\n    }\n}\nfn main() {}\n",
        expect![[r#"
            E0008 79..156 "match s {\n        Shape.Circle(r) => r * r,\n        Shape.Empty => 0.0,\n    }": non-exhaustive match: `Shape.Rect(..)` not covered
              help: add arms for the missing values, or a `_` arm
        "#]],
    );
}

#[test]
fn exhaustive_match_through_nested_patterns() {
    // Every value is covered only by looking inside `Some(..)`, the tuple and `Ok(..)`.
    check(
        "enum E { A(i64), B, C(bool) }\nfn f(x: Option<E>, t: (bool, bool), r: Result<(), string>): i64 {\n    let a = match x { None => 0, Some(E.A(n)) => n, Some(E.B) => 1, Some(E.C(true)) => 2, Some(E.C(false)) => 3 }\n    let b = match t { (true, _) => 1, (false, true) => 2, (_, false) => 3 }\n    let c = match r { Ok(()) => 1, Err(\"x\") | Err(_) => 2 }\n    a + b + c\n}\nfn main() {}\n",
        expect![""],
    );
}

#[test]
fn non_exhaustive_nested_match_names_a_missing_value() {
    check(
        "enum E { A(i64), B, C(bool) }\nfn f(x: Option<E>, t: (bool, bool)): i64 {\n    let a = match x { None => 0, Some(E.A(_)) => 1, Some(E.C(true)) => 2 }\n    let b = match t { (true, _) => 1, (false, false) => 2 }\n    let c = match x { Some(E.A(0)) => 0, Some(E.B) | None => 1, Some(E.C(_)) => 2 }\n    a + b + c\n}\nfn main() {}\n",
        expect![[r#"
            E0008 85..147 "match x { None => 0, Some(E.A(_)) => 1, Some(E.C(true)) => 2 }": non-exhaustive match: `Some(E.B)` not covered
              help: add arms for the missing values, or a `_` arm
            E0008 160..207 "match t { (true, _) => 1, (false, false) => 2 }": non-exhaustive match: `(false, true)` not covered
              help: add arms for the missing values, or a `_` arm
            E0008 220..291 "match x { Some(E.A(0)) => 0, Some(E.B) | None => 1, Some(E.C(_)) => 2 }": non-exhaustive match: `Some(E.A(..))` not covered
              help: add arms for the missing values, or a `_` arm
        "#]],
    );
}

#[test]
fn non_exhaustive_match_on_integers() {
    check(
        "fn main() {\n    let x = match 3 { 0 => 1, 1 | 2 => 2, n if n < 0 => 3 }\n}\n",
        expect![[r#"
        E0008 24..71 "match 3 { 0 => 1, 1 | 2 => 2, n if n < 0 => 3 }": non-exhaustive match: integers other than the listed ones not covered
          help: add arms for the missing values, or a `_` arm
    "#]],
    );
}

#[test]
fn break_outside_loop_and_unknown_label() {
    check(
        "fn main() {\n    break\n    'outer: loop { continue 'inner }\n}\n",
        expect![[r#"
            E0009 16..21 "break": `break` outside of a loop
            E0009 50..56 "'inner": unknown label `'inner`
        "#]],
    );
}

#[test]
fn constructs_outside_vex_core() {
    check(
        "import foo\nfn id<T>(x: T): T { x }\nfn main() {\n    let f = |x| x\n    let y = true ? 1 : 2\n    let r: &i32 = 1\n}\n",
        expect![[r#"
            E0010 0..10 "import foo": not supported in Vex Core: import
            E0010 16..19 "<T>": not supported in Vex Core: generic parameters
            E0016 63..64 "x": cannot infer the type of this expression; add a type annotation
            E0010 77..89 "true ? 1 : 2": not supported in Vex Core: the conditional operator `c ? a : b` (write `if c { a } else { b }`)
            E0010 101..105 "&i32": not supported in Vex Core: references
        "#]],
    );
}

#[test]
fn unknown_field_method_and_variant() {
    check(
        "struct P { x: i32 }\nenum E { A }\nfn main() {\n    let p = P { x: 1 }\n    let a = p.y\n    p.m()\n    let e = E.B\n}\n",
        expect![[r#"
            E0011 80..83 "p.y": no field `y` on type `P`
            E0011 88..93 "p.m()": no method `m` on type `P`
            E0011 106..109 "E.B": no variant or associated function `B` in `E`
        "#]],
    );
}

#[test]
fn invalid_main() {
    check(
        "fn main(x: i32): string { \"\" }\n",
        expect![[r#"
        E0012 3..7 "main": `main` has an invalid signature
          help: `main` is one of `fn main()`, `fn main(): i32`, `async fn main()`, `async fn main(): i32`
    "#]],
    );
}

#[test]
fn extern_with_non_scalar() {
    check(
        "extern \"C\" fn puts(s: string): i32\nfn main() {}\n",
        expect![[r#"
        E0013 14..18 "puts": `extern "C"` functions take and return scalars only, found `string`
    "#]],
    );
}

/// A body on an `extern "C"` declaration would be ignored (the host's or C's function
/// is called): an error, not a silent surprise.
#[test]
fn extern_with_a_body() {
    check(
        "extern \"C\" fn scale(x: i64): i64 {\n    x * 2\n}\nextern \"C\" {\n    fn ok(x: i64): i64\n}\nfn main() {}\n",
        expect![[r#"
            E0013 14..19 "scale": an `extern "C"` function has no body: the host or a C library provides it
              help: remove the body, or remove `extern "C"` to define a Vex function
        "#]],
    );
}

#[test]
fn invalid_operands_and_casts() {
    check(
        "fn main() {\n    let a = \"s\" - 1\n    let b = true as i32\n    let c = -(1u8)\n}\n",
        expect![[r#"
            E0014 24..31 "\"s\" - 1": cannot apply `-` to values of type `string`
            E0019 44..55 "true as i32": cannot convert `bool` to `i32` with `as`; only numeric types convert
            E0014 68..74 "-(1u8)": cannot negate a value of type `u8`
        "#]],
    );
}

#[test]
fn not_callable() {
    check(
        "const C: i32 = 1\nfn main() { C(2) }\n",
        expect![[r#"
        E0015 29..30 "C": `C` is not a function
    "#]],
    );
}

#[test]
fn literal_out_of_range() {
    check(
        "fn main() {\n    let a: u8 = 256\n    let b: i8 = -128\n    let c: i8 = -129\n}\n",
        expect![[r#"
            E0017 28..31 "256": the literal `256` does not fit in `u8`
            E0017 69..73 "-129": the literal `-129` does not fit in `i8`
        "#]],
    );
}

#[test]
fn invalid_place() {
    check(
        "fn f(): i32 { 1 }\nfn main() { f() = 2 }\n",
        expect![[r#"
        E0018 30..33 "f()": cannot assign to this expression; assign to a variable, a field or an array element
    "#]],
    );
}

#[test]
fn struct_literal_fields() {
    check(
        "struct P { x: i32, y: i32 }\nfn main() {\n    let p = P { x: 1, z: 2 }\n}\n",
        expect![[r#"
            E0020 52..68 "P { x: 1, z: 2 }": missing field `y` in struct literal of `P`
            E0020 65..66 "2": struct `P` has no field `z`
        "#]],
    );
}

#[test]
fn format_arguments() {
    check(
        "fn main() {\n    println(\"{} and {}\", 1)\n}\n",
        expect![[r#"
        E0021 16..39 "println(\"{} and {}\", 1)": the template has 2 `{}` placeholders but 1 value was supplied
    "#]],
    );
}

#[test]
fn unknown_type() {
    check(
        "fn f(p: Pointt) {}\nfn main() {}\n",
        expect![[r#"
        E0022 8..14 "Pointt": unknown type `Pointt`
    "#]],
    );
}

#[test]
fn cannot_infer() {
    check(
        "fn main() {\n    let a = []\n}\n",
        expect![[r#"
        E0016 24..26 "[]": cannot infer the type of this expression; add a type annotation
    "#]],
    );
}

#[test]
fn one_error_does_not_cascade() {
    check(
        "fn main() {\n    let x = unknown_thing\n    let y = x + 1\n    let z: string = y.field\n    println(z)\n}\n",
        expect![[r#"
            E0001 24..37 "unknown_thing": cannot find `unknown_thing` in this scope
        "#]],
    );
}

#[test]
fn recursive_types() {
    check(
        "struct Node { value: i32, next: Node }\nenum List { Nil, Cons(i32, (i32, List)) }\nstruct A { b: [B; 2] }\nstruct B { a: A }\nfn main() {}\n",
        expect![[r#"
            E0023 7..11 "Node": `Node` contains itself by value and would have infinite size
              note: Vex Core values are stored inline; there are no references or boxes
            E0023 44..48 "List": `List` contains itself by value and would have infinite size
              note: Vex Core values are stored inline; there are no references or boxes
            E0023 88..89 "A": `A` contains itself by value and would have infinite size
              note: Vex Core values are stored inline; there are no references or boxes
            E0023 111..112 "B": `B` contains itself by value and would have infinite size
              note: Vex Core values are stored inline; there are no references or boxes
        "#]],
    );
}

#[test]
fn or_patterns_bind_the_same_names() {
    check(
        "enum S { A(i32), B(i32), C(i32, i32) }\nfn f(s: S): i32 {\n    match s {\n        S.A(x) | S.B(x) => x,\n        S.C(x, y) | S.A(y) => x + y,\n        _ => 0,\n    }\n}\nfn main() {}\n",
        expect![[r#"
            E0001 121..127 "S.A(y)": variable `x` is not bound in every alternative of this pattern
        "#]],
    );
}

#[test]
fn function_without_body() {
    check(
        "fn helper(n: i64): i64\nfn main() {}\n",
        expect![[r#"
        E0024 3..9 "helper": function `helper` has no body
          help: add a body `{ … }`, or declare it `extern "C"` if the host or the C library provides it
    "#]],
    );
}

/// Diagnostics that suggest a mechanical fix carry its edits (issue #16): await a
/// future where its value is expected, make a function or closure async for `await`,
/// a misspelt name, a local assigned without `let!`.
#[test]
fn fixes_are_suggested_with_edits() {
    check(
        r#"async fn fetch_data(): i64 { 1 }
fn sync_caller(p: i64): i64 {
    let x = await fetch_data()
    p = 2
    x
}
async fn main() {
    let a: i64 = fetch_data()
    let b = fetch_dat()
    let (c, d) = (1, 2)
    c = 2
    let f = || await fetch_data()
    let e: Option<i64> = fetch_data()
    $printn(a)
    let count = 3
    println(cuont + { let inner = 1; inner } + inne)
}
"#,
        expect![[r#"
            E0005 75..93 "await fetch_data()": `await` is only allowed inside an `async fn`, a `go` block or an async closure
              fix: make the function an `async fn` [33..33 "async "]
            E0007 98..99 "p": cannot assign to `p`: it is not mutable
              label 48..49 "p": `p` is declared here
              fix: make the parameter mutable: `p!` [49..49 "!"]
            E0003 147..159 "fetch_data()": expected `i64`, found `Future<i64>`
              fix: await it [147..147 "await "]
            E0001 172..181 "fetch_dat": cannot find `fetch_dat` in this scope
              fix: did you mean `fetch_data`? [172..181 "fetch_data"]
            E0007 212..213 "c": cannot assign to `c`: it is not mutable
              label 193..194 "c": `c` is declared here
              fix: declare it mutable: `let! c` [191..191 "!"]
            E0005 233..251 "await fetch_data()": `await` is only allowed in an async closure: write `async |…| { … }`
              fix: make it an async closure [230..230 "async "]
            E0003 277..289 "fetch_data()": expected `Option<i64>`, found `Future<i64>`
            E0001 294..301 "$printn": unknown builtin `$printn`
              fix: did you mean `$print`? [294..301 "$print"]
            E0001 335..340 "cuont": cannot find `cuont` in this scope
              fix: did you mean `count`? [335..340 "count"]
            E0001 370..374 "inne": cannot find `inne` in this scope
        "#]],
    );
}

#[test]
fn a_method_called_on_a_constant_suggests_parentheses() {
    check(
        "const BODY: string = \"hi\"\nfn main() {\n    let n = BODY.len()\n}\n",
        expect![[r#"
            E0001 50..58 "BODY.len": `BODY` is a constant, not a type: `BODY.len` is read as a path
              fix: use the constant's value: `(BODY).len` [50..58 "(BODY).len"]
        "#]],
    );
}
