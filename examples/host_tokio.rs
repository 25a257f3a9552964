//! A tokio application awaits Vex futures: calls of `async fn`s of a compiled program
//! run on the program's own runtime and wake the tokio task when they finish.
//!
//! `cargo run --example host_tokio`

use std::time::Duration;

use vex::{Compiler, Config};

const PROGRAM: &str = r#"
async fn slow_square(x: i64): i64 {
    await async_sleep(20)
    x * x
}

fn main() {}
"#;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut compiler = Compiler::new();
    compiler.set_file("lib.vx", PROGRAM);
    let program = compiler.compile(&Config::new()).expect("the program compiles");
    let square = program.async_func::<(i64,), i64>("slow_square").unwrap();

    // Three Vex calls awaited together: about 20 ms, not 60.
    let started = std::time::Instant::now();
    let (a, b, c) = tokio::join!(square.call((2,)), square.call((3,)), square.call((4,)));
    assert_eq!((a, b, c), (Ok(4), Ok(9), Ok(16)));
    println!("3 calls in {:?}", started.elapsed());

    // Vex futures compose with tokio's: a timeout around a Vex call.
    let quick = tokio::time::timeout(Duration::from_secs(5), square.call((12,))).await;
    assert_eq!(quick.unwrap(), Ok(144));
}
