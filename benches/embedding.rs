//! What one run of a compiled program costs a Rust host: `Program::run` of a program
//! compiled once (JIT, O2), with its output captured (the default `RunOptions`).
//!
//! - `run_hello/workers=1` and `run_hello/workers=default` (one per CPU): `main` prints
//!   one line.
//! - `run_hello_async/...`: an `async fn main` that awaits `async_sleep(0)` first, so the
//!   run goes through a suspension and the timer before it prints.
//!
//! - `call/add`: a typed call of `fn add(a: i64, b: i64): i64` from Rust;
//!   `call/async_wait`: a call of a trivial `async fn` and a blocking wait for its future.
//!
//! - `host_fn_x1000/*`: 1000 calls from Vex of a host closure against 1000 calls of a
//!   Vex function (-O0, so neither is inlined away): the difference per call is the
//!   overhead of calling into the host.
//!
//! The project's goals: at most 50 µs per run, 100 ns per typed call, 2 µs per async
//! call. `cargo bench --bench embedding`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const HELLO: &str = "fn main() { println(\"hello\") }\n";
const HELLO_ASYNC: &str =
    "async fn main() {\n    await async_sleep(0)\n    println(\"hello\")\n}\n";

/// Compiles `source` as `main.vx` with `config` and checks that one run prints `hello`.
fn compile(source: &str, config: &vex::Config) -> vex::Program {
    let mut compiler = vex::Compiler::new();
    compiler.set_file("main.vx", source);
    let program = compiler.compile(config).expect("the program compiles");
    let outcome = program.run(&vex::RunOptions::new()).expect("the program runs");
    assert_eq!(outcome.stdout, "hello\n", "unexpected output: {outcome:?}");
    program
}

fn bench_runs(c: &mut Criterion, group: &str, source: &str) {
    let mut group = c.benchmark_group(group);
    for (name, config) in
        [("workers=1", vex::Config::new().workers(1)), ("workers=default", vex::Config::new())]
    {
        let program = compile(source, &config);
        let options = vex::RunOptions::new();
        group.bench_function(name, |b| {
            b.iter(|| black_box(program.run(&options).expect("the program runs")));
        });
    }
    group.finish();
}

fn run_hello(c: &mut Criterion) {
    bench_runs(c, "run_hello", HELLO);
}

fn run_hello_async(c: &mut Criterion) {
    bench_runs(c, "run_hello_async", HELLO_ASYNC);
}

/// A typed call of `fn add(a: i64, b: i64): i64` (goal: <= 100 ns) and of an async
/// function whose future the host waits for (goal: <= 2 µs).
fn calls(c: &mut Criterion) {
    let mut compiler = vex::Compiler::new();
    compiler.set_file(
        "main.vx",
        "fn add(a: i64, b: i64): i64 { a + b }\nasync fn inc(x: i64): i64 { x + 1 }\nfn main() {}\n",
    );
    let program = compiler.compile(&vex::Config::new()).expect("the program compiles");
    let add = program.func::<(i64, i64), i64>("add").expect("add");
    let inc = program.async_func::<(i64,), i64>("inc").expect("inc");
    assert_eq!(add.call((1, 2)), Ok(3));
    assert_eq!(inc.call((1,)).wait(), Ok(2));
    let mut group = c.benchmark_group("call");
    group.bench_function("add", |b| {
        b.iter(|| black_box(add.call(black_box((20, 22)))));
    });
    group.bench_function("async_wait", |b| {
        b.iter(|| black_box(inc.call(black_box((41,))).wait()));
    });
    group.finish();
}

/// What a call of a host closure costs Vex code (goal: <= 20 ns over a call of a Vex
/// function): a loop of 1000 calls of `host_id` against one of 1000 calls of the same
/// function written in Vex (kept out of line).
fn host_function_calls(c: &mut Criterion) {
    let mut compiler = vex::Compiler::new();
    compiler.set_file(
        "main.vx",
        "extern \"C\" fn host_id(x: i64): i64\nfn vex_id(x: i64): i64 {\n    if x < 0 { $panic(\"negative\") }\n    x\n}\nfn through_host(n: i64): i64 {\n    let! s = 0\n    for i in 0..n { s = s + host_id(i) }\n    s\n}\nfn through_vex(n: i64): i64 {\n    let! s = 0\n    for i in 0..n { s = s + vex_id(i) }\n    s\n}\nfn main() {}\n",
    );
    compiler.define_host_fn("host_id", |(x,): (i64,)| x);
    let program = compiler.compile(&vex::Config::new().opt_level(vex::OptLevel::O0)).unwrap();
    let through_host = program.func::<(i64,), i64>("through_host").unwrap();
    let through_vex = program.func::<(i64,), i64>("through_vex").unwrap();
    assert_eq!(through_host.call((1000,)), through_vex.call((1000,)));
    let mut group = c.benchmark_group("host_fn_x1000");
    group.bench_function("host_closure", |b| b.iter(|| black_box(through_host.call((1000,)))));
    group.bench_function("vex_function", |b| b.iter(|| black_box(through_vex.call((1000,)))));
    group.finish();
}

criterion_group!(benches, run_hello, run_hello_async, calls, host_function_calls);
criterion_main!(benches);
