//! A Rust host gives a Vex program its `extern "C"` functions as closures with state: a
//! counter shared with the host and a lookup that panics on bad input. The closures are
//! checked against the declarations when compiling; a panic in one is a panic of the
//! calling Vex task (with its location), and the host runs on.
//!
//! `cargo run --example host_closures`

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use vex::{Compiler, Config, Ending, RunOptions};

const PROGRAM: &str = r#"
extern "C" fn count(n: i64): i64
extern "C" fn price(item: i32): f64

fn main() {
    let! total = 0.0
    for item in 0..3 {
        count(1)
        total = total + price(item as i32)
    }
    println(f"total {total}")
    if args().len() > 0 {
        println(price(99))
    }
}
"#;

fn main() {
    let mut compiler = Compiler::new();
    compiler.set_file("shop.vx", PROGRAM);
    let counted = Arc::new(AtomicI64::new(0));
    let counter = counted.clone();
    compiler
        .define_host_fn("count", move |(n,): (i64,)| counter.fetch_add(n, Ordering::SeqCst) + n);
    let prices = [1.5, 2.25, 4.0];
    compiler.define_host_fn("price", move |(item,): (i32,)| prices[item as usize]);
    let program = compiler.compile(&Config::new()).expect("the program compiles");

    let outcome = program.run(&RunOptions::new()).unwrap();
    print!("{}", outcome.stdout);
    assert_eq!(outcome.stdout, "total 7.75\n");
    assert_eq!(counted.load(Ordering::SeqCst), 3);

    // price(99) indexes out of bounds in Rust: the calling Vex task panics, not the host.
    let outcome = program.run(&RunOptions::new().args(["bad"])).unwrap();
    let Ending::Panicked(panic) = &outcome.ending else { unreachable!() };
    println!("{panic}");
    assert!(panic.message.starts_with("host function `price` panicked"));
    assert_eq!(counted.load(Ordering::SeqCst), 6);
}
