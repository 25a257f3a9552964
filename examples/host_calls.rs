//! A Rust host calls functions of a compiled Vex program with typed arguments and
//! results: a synchronous call returns the value, an async call returns a future (here
//! waited on); a signature that does not match is an error at lookup, and a panic in
//! Vex is an error of that call only.
//!
//! `cargo run --example host_calls`

use vex::{CallError, Compiler, Config};

const PROGRAM: &str = r#"
fn add(a: i64, b: i64): i64 { a + b }

fn describe(name: string, age: i64): (string, bool) {
    (f"{name} is {age}", age >= 18)
}

fn pick(i: i64): i64 {
    let values = [10, 20, 30]
    values[i]
}

async fn fetch(id: i64): string {
    await async_sleep(10)
    f"record {id}"
}

fn main() {}
"#;

fn main() {
    let mut compiler = Compiler::new();
    compiler.set_file("lib.vx", PROGRAM);
    let program = compiler.compile(&Config::new()).expect("the program compiles");

    let add = program.func::<(i64, i64), i64>("add").unwrap();
    assert_eq!(add.call((40, 2)), Ok(42));

    let describe = program.func::<(&str, i64), (String, bool)>("describe").unwrap();
    let (text, adult) = describe.call(("Ada", 36)).unwrap();
    println!("{text} (adult: {adult})");
    assert_eq!((text.as_str(), adult), ("Ada is 36", true));

    // A signature mismatch is caught when looking the function up.
    let wrong = program.func::<(i32, i32), i32>("add").err().unwrap();
    println!("lookup error: {wrong}");

    // A panic in Vex is an error of that call; the program stays usable.
    let pick = program.func::<(i64,), i64>("pick").unwrap();
    let Err(CallError::Panicked(panic)) = pick.call((7,)) else { unreachable!() };
    println!("call error: {panic}");
    assert_eq!(pick.call((1,)), Ok(20));

    // An async function's call is a future: wait for it, or await it (see host_tokio).
    let fetch = program.async_func::<(i64,), String>("fetch").unwrap();
    let pending: Vec<_> = (1..=3).map(|id| fetch.call((id,))).collect();
    for (id, call) in (1..=3).zip(pending) {
        assert_eq!(call.wait().unwrap(), format!("record {id}"));
    }
    println!("3 async calls done");
}
