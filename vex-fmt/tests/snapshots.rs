//! Snapshot tests of the canonical layout on tricky inputs. Each case also checks the
//! formatter's promises (`vex_fmt::verify`): same tree modulo trivia, comments kept in
//! order, idempotent. Refresh with `UPDATE_EXPECT=1 cargo test -p vex-fmt`.

use expect_test::{Expect, expect};

fn check(input: &str, expected: Expect) {
    let formatted = vex_fmt::format(input).expect("the input parses");
    if let Err(violation) = vex_fmt::verify::verify(input, &formatted) {
        panic!("{violation}\n--- formatted:\n{formatted}");
    }
    expected.assert_eq(&formatted);
}

#[test]
fn spacing_is_canonical() {
    check(
        "fn  add( a:i32,b : i32 ):i32{a+b*2}\nfn main(){let! x=[1,2,3];x[0]=-x[1];$println( x[ 0 ] )}",
        expect![[r#"
            fn add(a: i32, b: i32): i32 { a + b * 2 }
            fn main() {
                let! x = [1, 2, 3];
                x[0] = -x[1];
                $println(x[0])
            }
        "#]],
    );
}

#[test]
fn statements_separated_by_semicolons_are_split() {
    check(
        "async fn fetch(id: i32): i32 { await async_sleep(10); id * 2 }\n",
        expect![[r#"
            async fn fetch(id: i32): i32 {
                await async_sleep(10);
                id * 2
            }
        "#]],
    );
}

#[test]
fn comments_stay_where_they_were() {
    check(
        "// file header\n\n/// doc\nfn main() { // after brace\n    // own line\n    let x = 1 // trailing\n    /* block */ let y = x /* inline */ + 2\n\n\n    // before close\n}\n// at the end\n",
        expect![[r#"
            // file header

            /// doc
            fn main() { // after brace
                // own line
                let x = 1 // trailing
                /* block */ let y = x /* inline */ + 2

                // before close
            }
            // at the end
        "#]],
    );
}

#[test]
fn comments_inside_lists_break_them() {
    check(
        "fn main() {\n    f(a, // first\n      b)\n    g(/* none */)\n    let v = [1, /* two */ 2]\n}\n",
        expect![[r#"
            fn main() {
                f(
                    a, // first
                    b,
                )
                g(/* none */)
                let v = [1, /* two */ 2]
            }
        "#]],
    );
}

#[test]
fn comment_inside_an_expression_keeps_its_line() {
    check(
        "fn main() {\n    let x = a + // why\n        b\n    let y = a +\n        // own line\n        b\n}\n",
        expect![[r#"
            fn main() {
                let x = a + // why
                    b
                let y = a +
                    // own line
                    b
            }
        "#]],
    );
}

#[test]
fn long_lines_break_their_outermost_list() {
    check(
        "fn main() {\n    let total = compute_something(first_argument_value, second_argument_value, third_argument(100, 200))\n    println(parse_all(Vec.from([\"a very long string literal number one\", \"another long string literal\", \"x\"])))\n}\n",
        expect![[r#"
            fn main() {
                let total = compute_something(
                    first_argument_value,
                    second_argument_value,
                    third_argument(100, 200),
                )
                println(parse_all(Vec.from([
                    "a very long string literal number one",
                    "another long string literal",
                    "x",
                ])))
            }
        "#]],
    );
}

#[test]
fn a_line_that_cannot_break_stays_long() {
    check(
        "fn main() {\n    let s = \"a string literal that is far too long to fit on one line of a hundred characters, really\"\n}\n",
        expect![[r#"
            fn main() {
                let s = "a string literal that is far too long to fit on one line of a hundred characters, really"
            }
        "#]],
    );
}

#[test]
fn user_multi_line_lists_stay_multi_line() {
    check(
        "fn main() {\n    let sum = add3(\n        10, 20,\n        30\n    )\n    let p = Point { x: 1.0,\n        y: 2.0 }\n}\n",
        expect![[r#"
            fn main() {
                let sum = add3(
                    10,
                    20,
                    30,
                )
                let p = Point {
                    x: 1.0,
                    y: 2.0,
                }
            }
        "#]],
    );
}

#[test]
fn trailing_commas_only_in_broken_lists() {
    check(
        "struct Point { x: f64, y: f64, }\nenum Shape {\n    Circle(f64)\n    Rect(f64, f64,)\n    Empty\n}\nfn main() { let t = (1,); let u = (1, 2,); f(a, b,) }\n",
        expect![[r#"
            struct Point { x: f64, y: f64 }
            enum Shape {
                Circle(f64),
                Rect(f64, f64,),
                Empty,
            }
            fn main() {
                let t = (1,);
                let u = (1, 2);
                f(a, b)
            }
        "#]],
    );
}

#[test]
fn nested_lists_and_closures_hug_the_last_argument() {
    check(
        "fn main() {\n    members = members.map(|x: Member| {\n        if x.id == id { return x }\n        x\n    })\n    let f = |a, b| a + b\n    let g = async |x: i64|: i64 { await async_sleep(x); x }\n    let h = || 1\n    h(| | 2)\n}\n",
        expect![[r#"
            fn main() {
                members = members.map(|x: Member| {
                    if x.id == id { return x }
                    x
                })
                let f = |a, b| a + b
                let g = async |x: i64|: i64 {
                    await async_sleep(x);
                    x
                }
                let h = || 1
                h(| | 2)
            }
        "#]],
    );
}

#[test]
fn match_arms() {
    check(
        "fn main() {\n    match x { 0 => \"zero\", 1 | 2 => \"small\", n if n < 0 => { neg() }, _ => \"big\" }\n    match t {\n        Shape.Rect(w, h) => w * h\n        Shape.Empty => 0.0,\n        _ => { 1.0 },\n    }\n    let v = match o { Some(v) => v, None => 0 }\n}\n",
        expect![[r#"
            fn main() {
                match x { 0 => "zero", 1 | 2 => "small", n if n < 0 => { neg() }, _ => "big" }
                match t {
                    Shape.Rect(w, h) => w * h,
                    Shape.Empty => 0.0,
                    _ => { 1.0 }
                }
                let v = match o { Some(v) => v, None => 0 }
            }
        "#]],
    );
}

#[test]
fn select_arms() {
    check(
        "async fn main() {\n    let v = select { x = <-a => x, after 1000 => \"late\" }\n    select {\n        v = <-a => println(v)\n        ch <- 7 => {}\n        default => {}\n    }\n    ch <- 1\n    <-ch\n}\n",
        expect![[r#"
            async fn main() {
                let v = select { x = <-a => x, after 1000 => "late" }
                select {
                    v = <-a => println(v),
                    ch <- 7 => {}
                    default => {}
                }
                ch <- 1
                <-ch
            }
        "#]],
    );
}

#[test]
fn fstrings_keep_their_text() {
    check(
        "fn main() {\n    println(f\"x = {x}, sum = {a+b}, {{literal}} { {1} }\")\n    println(f\"{f(1,2)}\")\n}\n",
        expect![[r#"
            fn main() {
                println(f"x = {x}, sum = {a + b}, {{literal}} { { 1 } }")
                println(f"{f(1, 2)}")
            }
        "#]],
    );
}

#[test]
fn blank_lines_at_most_one_and_none_at_block_edges() {
    check(
        "\n\n\nconst A: i64 = 1\n\n\n\nconst B: i64 = 2\nfn main() {\n\n\n    let x = 1\n\n\n\n    let y = 2\n\n\n}\n\n\n",
        expect![[r#"
            const A: i64 = 1

            const B: i64 = 2
            fn main() {
                let x = 1

                let y = 2
            }
        "#]],
    );
}

#[test]
fn deeply_nested_blocks() {
    check(
        "fn main() { loop { while a { for i in 0..10 { if i == 3 { 'outer: loop { break 'outer } } elif i < 2 { continue } else { go { await yield_now() } } } } } }\n",
        expect![[r#"
            fn main() {
                loop {
                    while a {
                        for i in 0..10 {
                            if i == 3 {
                                'outer: loop { break 'outer }
                            } elif i < 2 {
                                continue
                            } else {
                                go { await yield_now() }
                            }
                        }
                    }
                }
            }
        "#]],
    );
}

#[test]
fn empty_blocks_and_files() {
    check("", expect![[""]]);
    check("\n\n  \n", expect![[""]]);
    check(
        "// only a comment",
        expect![[r#"
        // only a comment
    "#]],
    );
    check(
        "fn main() {\n}\nstruct S {}\nfn f() { // nothing\n}\n",
        expect![[r#"
            fn main() {}
            struct S {}
            fn f() { // nothing
            }
        "#]],
    );
}

#[test]
fn crlf_input_becomes_lf() {
    check(
        "fn main() {\r\n    let x = 1 // one\r\n\r\n    println(x)\r\n}\r\n",
        expect![[r#"
            fn main() {
                let x = 1 // one

                println(x)
            }
        "#]],
    );
}

#[test]
fn continuation_lines_are_kept_after_operators_and_before_dots() {
    check(
        "fn main() {\n    let ok = first_condition &&\n    second_condition\n    let v = xs\n            .map(|x| x * 2)\n        .filter(|x| x > 2)\n    let j = (a\n        + b)\n    if a {\n    }\n    else {\n    }\n}\n",
        expect![[r#"
            fn main() {
                let ok = first_condition &&
                    second_condition
                let v = xs
                    .map(|x| x * 2)
                    .filter(|x| x > 2)
                let j = (a + b)
                if a {} else {}
            }
        "#]],
    );
}

#[test]
fn items_of_every_kind() {
    check(
        "extern \"C\" fn host_log(code: i64)\nextern \"C\" { fn abs(x: i32): i32  fn labs(x: i64): i64 }\nfn Point.new(x: f64, y: f64): Point { Point { x, y } }\nfn (self: Point) norm2(): f64 { self.x * self.x + self.y * self.y }\nfn apply(f: fn(i64): bool, v: Vec<Vec<i64>>): Option<i64> { let w = Vec.new<i64>(); let c = Channel.new<string>(8); None }\nconst LIMIT: i64 = 1_000\n",
        expect![[r#"
            extern "C" fn host_log(code: i64)
            extern "C" {
                fn abs(x: i32): i32
                fn labs(x: i64): i64
            }
            fn Point.new(x: f64, y: f64): Point { Point { x, y } }
            fn (self: Point) norm2(): f64 { self.x * self.x + self.y * self.y }
            fn apply(f: fn(i64): bool, v: Vec<Vec<i64>>): Option<i64> {
                let w = Vec.new<i64>();
                let c = Channel.new<string>(8);
                None
            }
            const LIMIT: i64 = 1_000
        "#]],
    );
}

#[test]
fn operators_and_postfix_forms() {
    check(
        "fn main() { let a = - -x; let b = !y; let c = r?.len(); let d = x ?? 0; let e = x as i64; let f = 1..=n; let g = ..n; let h = (await f())?; defer close(x) }\n",
        expect![[r#"
            fn main() {
                let a = - -x;
                let b = !y;
                let c = r?.len();
                let d = x ?? 0;
                let e = x as i64;
                let f = 1..=n;
                let g = ..n;
                let h = (await f())?;
                defer close(x)
            }
        "#]],
    );
}

#[test]
fn syntax_errors_leave_the_file_alone() {
    let errors = vex_fmt::format("fn main( {").unwrap_err();
    assert!(!errors.is_empty());
}

/// A field of an integer literal keeps its space: `0.25` would be a float (found by the
/// `fmt` fuzz target); tuple fields after a dot and methods of literals are glued.
#[test]
fn a_field_of_an_integer_literal_keeps_its_space() {
    check(
        "fn main() {\n    println(0 .25)\n    println(t . 0 . 1)\n    println(3 .toString())\n}\n",
        expect![[r#"
            fn main() {
                println(0 .25)
                println(t.0.1)
                println(3.toString())
            }
        "#]],
    );
}
