//! Typed calls from Rust into a compiled program (JIT): synchronous functions return
//! their value, async ones a future awaitable under tokio or waited on; signatures are
//! checked at lookup; a panic is an error of that call only.

#![cfg(feature = "llvm")]

use std::time::Duration;

use vex::{CallError, Compiler, Config, Engine, Error, OptLevel, Program};

const SOURCE: &str = "\
fn add(a: i64, b: i64): i64 { a + b }
fn scale(x: f64, by: f32): f64 { x * (by as f64) }
fn negate(b: bool): bool { !b }
fn small(a: i8, b: u16, c: u32, d: u64): u64 { (a as u64) + (b as u64) + (c as u64) + d }
fn greet(name: string): string { f\"hello, {name}\" }
fn swap(p: (i64, string)): (string, i64) { (p.1, p.0) }
fn nothing() {}
fn check(i: i64): i64 {
    let a = [1, 2, 3]
    a[i]
}
fn down(n: i64): i64 {
    if n == 0 { return 0 }
    (down(n - 1) + n) % 7
}
fn quit() { exit(3) }
async fn slow_double(x: i64): i64 {
    await async_sleep(5)
    x * 2
}
async fn slow_fail(ms: i64): i64 {
    await async_sleep(ms)
    $panic(\"late\")
    0
}
async fn forever(): string {
    await async_sleep(100000)
    \"never\"
}
const LIMIT: i64 = 7
fn main() {}
";

fn program(level: OptLevel) -> Program {
    let mut compiler = Compiler::new();
    compiler.set_file("main.vx", SOURCE);
    compiler.compile(&Config::new().opt_level(level).workers(2)).unwrap()
}

#[test]
fn synchronous_calls_pass_every_host_type_at_every_level() {
    for level in [OptLevel::O0, OptLevel::O2] {
        let p = program(level);
        assert_eq!(p.func::<(i64, i64), i64>("add").unwrap().call((40, 2)), Ok(42));
        assert_eq!(p.func::<(f64, f32), f64>("scale").unwrap().call((1.5, 2.0)), Ok(3.0));
        assert_eq!(p.func::<(bool,), bool>("negate").unwrap().call((false,)), Ok(true));
        let small = p.func::<(i8, u16, u32, u64), u64>("small").unwrap();
        assert_eq!(small.call((1, 2, 3, 4)), Ok(10));
        let greet = p.func::<(&str,), String>("greet").unwrap();
        assert_eq!(greet.call(("vex",)).unwrap(), "hello, vex");
        let owned = p.func::<(String,), String>("greet").unwrap();
        assert_eq!(owned.call(("ünï".to_string(),)).unwrap(), "hello, ünï");
        let swap = p.func::<((i64, String),), (String, i64)>("swap").unwrap();
        assert_eq!(swap.call(((7, "x".to_string()),)).unwrap(), ("x".to_string(), 7));
        assert_eq!(p.func::<(), ()>("nothing").unwrap().call(()), Ok(()));
    }
}

#[test]
fn signatures_are_checked_at_lookup() {
    let p = program(OptLevel::O0);
    let error = p.func::<(i32, i64), i64>("add").err().unwrap();
    assert_eq!(error.to_string(), "`add` is `fn(i64, i64): i64`, not `fn(i32, i64): i64`");
    assert!(matches!(p.func::<(i64, i64), String>("add"), Err(Error::Signature { .. })));
    let error = p.func::<(i64,), i64>("slow_double").err().unwrap();
    assert_eq!(error.to_string(), "`slow_double` is `async fn(i64): i64`, not `fn(i64): i64`");
    assert!(matches!(p.async_func::<(i64, i64), i64>("add"), Err(Error::Signature { .. })));
    assert!(matches!(p.func::<(), i64>("missing"), Err(Error::NoFunction(_))));
    // A constant's initialiser is not a function.
    assert!(matches!(p.func::<(), i64>("LIMIT"), Err(Error::NoFunction(_))));
}

#[test]
fn a_panic_is_an_error_of_that_call_and_the_program_stays_usable() {
    for level in [OptLevel::O0, OptLevel::O2] {
        let p = program(level);
        let check = p.func::<(i64,), i64>("check").unwrap();
        for _ in 0..3 {
            let Err(CallError::Panicked(panic)) = check.call((5,)) else { panic!("no panic") };
            assert_eq!(panic.message, "index out of bounds: index 5, length 3");
            assert_eq!((panic.location.line, panic.location.column), (10, 5));
            assert_eq!(check.call((1,)), Ok(2));
        }
        let down = p.func::<(i64,), i64>("down").unwrap();
        let Err(CallError::Panicked(panic)) = down.call((1 << 40,)) else { panic!("no overflow") };
        assert_eq!(panic.to_string(), "panic at main.vx:12:4: stack overflow");
        assert_eq!(down.call((3,)), Ok(6));
        let Err(CallError::Panicked(panic)) = p.func::<(), ()>("quit").unwrap().call(()) else {
            panic!("exit is not an error")
        };
        assert_eq!(panic.message, "exit(3) called outside a program's run");
        assert_eq!(p.func::<(i64, i64), i64>("add").unwrap().call((1, 1)), Ok(2));
    }
}

#[test]
fn async_calls_are_futures_that_can_be_waited_on() {
    let p = program(OptLevel::O2);
    let double = p.async_func::<(i64,), i64>("slow_double").unwrap();
    assert_eq!(double.call((21,)).wait(), Ok(42));
    let calls: Vec<_> = (0..100).map(|i| double.call((i,))).collect();
    for (i, call) in calls.into_iter().enumerate() {
        assert_eq!(call.wait(), Ok(2 * i as i64));
    }
    let fail = p.async_func::<(i64,), i64>("slow_fail").unwrap();
    let Err(CallError::Panicked(panic)) = fail.call((1,)).wait() else { panic!("no panic") };
    assert_eq!(panic.to_string(), "panic at main.vx:23:5: late");
    // The panic ended only its task.
    assert_eq!(double.call((5,)).wait(), Ok(10));
    let forever = p.async_func::<(), String>("forever").unwrap();
    let call = forever.call(());
    call.cancel();
    assert_eq!(call.wait(), Err(CallError::Cancelled));
    // Dropping a call detaches its task.
    drop(forever.call(()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_awaits_vex_futures() {
    let p = program(OptLevel::O2);
    let double = p.async_func::<(i64,), i64>("slow_double").unwrap();
    let (a, b) = tokio::join!(double.call((1,)), double.call((2,)));
    assert_eq!((a, b), (Ok(2), Ok(4)));
    let forever = p.async_func::<(), String>("forever").unwrap();
    let timed_out = tokio::time::timeout(Duration::from_millis(20), forever.call(())).await;
    assert!(timed_out.is_err());
}

#[test]
fn calls_run_concurrently_from_many_threads() {
    let p = program(OptLevel::O2);
    std::thread::scope(|scope| {
        for t in 0..4i64 {
            let p = p.clone();
            scope.spawn(move || {
                let add = p.func::<(i64, i64), i64>("add").unwrap();
                let greet = p.func::<(String,), String>("greet").unwrap();
                let double = p.async_func::<(i64,), i64>("slow_double").unwrap();
                for i in 0..200 {
                    assert_eq!(add.call((t, i)), Ok(t + i));
                    assert_eq!(
                        greet.call((format!("{t}/{i}"),)).unwrap(),
                        format!("hello, {t}/{i}")
                    );
                }
                assert_eq!(double.call((t,)).wait(), Ok(2 * t));
            });
        }
    });
}

#[test]
fn engines_that_cannot_call_say_so() {
    let mut compiler = Compiler::new();
    compiler.set_file("main.vx", SOURCE);
    for engine in [Engine::Interpreter, Engine::Executable] {
        let p = compiler.compile(&Config::new().engine(engine)).unwrap();
        let error = p.func::<(i64, i64), i64>("add").err().unwrap();
        assert!(matches!(error, Error::Unavailable(_)), "{engine:?}: {error}");
    }
}

/// With `Config::main_only`, what `main` cannot reach is not compiled: a run behaves the
/// same, and typed calls find only the reachable functions.
#[test]
fn main_only_compiles_what_main_reaches() {
    let mut compiler = Compiler::new();
    compiler.set_file(
        "main.vx",
        "fn used(x: i64): i64 { x + 1 }\nfn unused(x: i64): i64 { x - 1 }\nfn main() { println(used(1)) }\n",
    );
    let program = compiler.compile(&Config::new().main_only(true)).unwrap();
    let outcome = program.run(&vex::RunOptions::default()).unwrap();
    assert_eq!(outcome.stdout, "2\n");
    assert_eq!(program.func::<(i64,), i64>("used").unwrap().call((41,)), Ok(42));
    assert!(
        matches!(program.func::<(i64,), i64>("unused"), Err(Error::NoFunction(name)) if name == "unused")
    );
    // The whole program, by default.
    let program = compiler.compile(&Config::new()).unwrap();
    assert_eq!(program.func::<(i64,), i64>("unused").unwrap().call((43,)), Ok(42));
}
