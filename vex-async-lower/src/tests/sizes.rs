//! The future-size table: state-struct bytes of the shapes below next to rustc 1.95's
//! `size_of` of the equivalent Rust futures (`[i64; 128]` stands for 1 KB; Rust's
//! `String`, `Vec<i64>` and `Box<dyn Fn(i64) -> i64>` for Vex's `string`, `Vec<i64>`
//! and `fn(i64): i64`). Vex awaits children through a pointer to their own task, so
//! nesting does not grow a state; `Option` and `Result` are stored inline (an
//! `Option<i64>` is 16 bytes), a vector is one pointer, a function value two.

use expect_test::expect;

use crate::queries::module_ir;

const SHAPES: &str = "
fn use_array(a: [i64; 128]): i64 { a[0] }
async fn leaf(): [i64; 128] { [7; 128] }

async fn no_locals_across() { let x = 1; $println(x); await yield_now() }
async fn one_u64_across() { let x: u64 = 7; await yield_now(); $println(x) }
async fn two_across_two_awaits() {
    let a = 1
    await yield_now()
    let b = 2
    await yield_now()
    $println(a + b)
}
async fn disjoint_1k_scopes() {
    {
        let a = [1; 128]
        await yield_now()
        $println(a[1])
    }
    {
        let b = [2; 128]
        await yield_now()
        $println(b[2])
    }
}
async fn both_1k_live() {
    let a = [1; 128]
    let b = [2; 128]
    await yield_now()
    $println(a[1] + b[2])
}
async fn arg_1k_used_after(a: [i64; 128]) { await yield_now(); $println(a[3]) }
async fn arg_1k_not_used_after(a: [i64; 128]) { $println(a[3]); await yield_now() }
async fn local_1k_moved_before() {
    let a = [1; 128]
    $println(use_array(a))
    await yield_now()
}
async fn branches_1k_or_512(c: bool) {
    if c {
        let a = [1; 128]
        await yield_now()
        $println(a[1])
    } else {
        let b = [2; 64]
        await yield_now()
        $println(b[1])
    }
}
async fn loop_accumulator() {
    let! acc = 0
    for i in 0..10 {
        acc += i
        await yield_now()
    }
    $println(acc)
}
async fn local_1k_rebound() {
    let a = [1; 128]
    await yield_now()
    $println(a[1])
    let a = [2; 128]
    await yield_now()
    $println(a[2])
}
async fn direct_call_await() { let v = await leaf(); $println(v[0]) }
async fn wrap1(): [i64; 128] { await leaf() }
async fn wrap2(): [i64; 128] { await wrap1() }
async fn wrap3(): [i64; 128] { await wrap2() }
async fn wrap4(): [i64; 128] { await wrap3() }
async fn wrap5(): [i64; 128] { await wrap4() }
async fn option_across() { let x: Option<i64> = Some(3); await yield_now(); $println(x) }
async fn result_across() {
    let x: Result<i64, string> = Ok(3)
    await yield_now()
    $println(x)
}
async fn vec_across() { let v = Vec.from([1]); await yield_now(); $println(v) }
async fn closure_across() { let k = 3; let f = |x: i64| x + k; await yield_now(); $println(f(1)) }
async fn main() {}
";

/// (shape, state struct, rustc 1.95 bytes). For `wrapN` the result slot (1 KB) is the
/// value the future produces, which rustc also stores inline.
const ROWS: &[(&str, &str, u64)] = &[
    ("no locals across an await", "no_locals_across", 2),
    ("one u64 across", "one_u64_across", 24),
    ("two across two awaits", "two_across_two_awaits", 48),
    ("two disjoint 1 KB scopes", "disjoint_1k_scopes", 1048),
    ("both 1 KB live", "both_1k_live", 2050),
    ("1 KB argument used after the await", "arg_1k_used_after", 2050),
    ("1 KB argument not used after", "arg_1k_not_used_after", 1040),
    ("1 KB local moved out before", "local_1k_moved_before", 16),
    ("branches 1 KB | 512 B", "branches_1k_or_512", 1027),
    ("loop accumulator", "loop_accumulator", 40),
    ("1 KB local rebound", "local_1k_rebound", 1027),
    ("direct call await", "direct_call_await", 1027),
    ("wrap^1", "wrap1", 2053),
    ("wrap^2", "wrap2", 4107),
    ("wrap^3", "wrap3", 8215),
    ("wrap^4", "wrap4", 16431),
    ("wrap^5", "wrap5", 32863),
    ("Option<i64> across", "option_across", 24),
    ("Result<i64, string> across", "result_across", 32),
    ("Vec<i64> across", "vec_across", 32),
    ("closure capturing an i64 across", "closure_across", 24),
];

#[test]
fn future_sizes_against_rustc() {
    let (db, _) = super::db_with(&[("sizes.vx", SHAPES)]);
    let module = module_ir(&db);
    let mut table = String::from("shape                                  vex  rustc\n");
    for (shape, function, rustc) in ROWS {
        let state = format!("{function}.state");
        let def = module.structs.iter().find(|s| *s.name == *state).expect("state struct");
        table.push_str(&format!("{shape:<36} {:>5} {rustc:>6}\n", def.size));
        assert!(def.size <= *rustc, "{shape}: {} > {rustc}", def.size);
    }
    expect![[r#"
        shape                                  vex  rustc
        no locals across an await                1      2
        one u64 across                           9     24
        two across two awaits                   17     48
        two disjoint 1 KB scopes              1025   1048
        both 1 KB live                        2049   2050
        1 KB argument used after the await    1025   2050
        1 KB argument not used after          1025   1040
        1 KB local moved out before              1     16
        branches 1 KB | 512 B                 1025   1027
        loop accumulator                        25     40
        1 KB local rebound                    1025   1027
        direct call await                        9   1027
        wrap^1                                1033   2053
        wrap^2                                1033   4107
        wrap^3                                1033   8215
        wrap^4                                1033  16431
        wrap^5                                1033  32863
        Option<i64> across                      17     24
        Result<i64, string> across              17     32
        Vec<i64> across                          9     32
        closure capturing an i64 across         17     24
    "#]]
    .assert_eq(&table);
}
