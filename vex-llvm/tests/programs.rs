//! Small whole programs through the JIT at -O 0 and -O 2, compared with the reference
//! evaluator on the same IR and with their expected output.

mod common;

use common::{lower, run_eval, run_jit, target_options};
use inkwell::context::Context;
use vex_llvm::codegen::compile_module;
use vex_llvm::{HostTarget, OptLevel};

fn check(text: &str, expected_stdout: &str, expected_code: i32) {
    let module = lower("test.vx", text);
    let eval = run_eval(&module);
    for level in [OptLevel::O0, OptLevel::O2] {
        let jit = run_jit(&module, level).unwrap();
        assert_eq!(jit, eval, "JIT at {level:?} differs from the evaluator");
        assert_eq!((jit.0.as_str(), jit.2), (expected_stdout, expected_code));
    }
}

#[test]
fn recursion_is_unrolled_at_o2_and_keeps_its_meaning() {
    // Pure (fib), printing (walk: order of effects), aggregate results (pair) and
    // a function too large to unroll (big).
    let lets: String = (0..vex_llvm::opt::MAX_UNROLLED_RECURSION_STMTS)
        .map(|i| format!("let x{i} = n * {i}; "))
        .collect();
    let big =
        format!("fn big(n: i64): i64 {{ {lets} if n < 1 {{ x1 }} else {{ big(n - 1) + x2 }} }}\n");
    let text = big
        + "struct P { a: i64, b: i64 }\n\
         fn fib(n: i64): i64 { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }\n\
         fn walk(n: i64) { if n > 0 { $println(\"in {}\", n); walk(n - 1); walk(n - 2); $println(\"out {}\", n) } }\n\
         fn pair(n: i64): P { if n == 0 { P { a: 0, b: 1 } } else { let p = pair(n - 1); P { a: p.b, b: p.a + p.b } } }\n\
         fn main(): i32 { $println(\"{} {}\", fib(20), big(3)); walk(4); $println(\"{}\", pair(30).a); 0 }";
    let mut expected = String::from("6765 12\n");
    fn walk(n: i64, out: &mut String) {
        if n > 0 {
            out.push_str(&format!("in {n}\n"));
            walk(n - 1, out);
            walk(n - 2, out);
            out.push_str(&format!("out {n}\n"));
        }
    }
    walk(4, &mut expected);
    expected.push_str("832040\n");
    check(&text, &expected, 0);
    let module = lower("test.vx", &text);
    for (level, twins) in [(OptLevel::O0, 0), (OptLevel::O2, 3)] {
        let context = Context::create();
        let target = HostTarget::new(target_options(level, false)).unwrap();
        let llvm = compile_module(&context, &target, &module, false).unwrap();
        let names: Vec<String> = llvm
            .get_functions()
            .map(|f| f.get_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".rec"))
            .collect();
        assert_eq!(names.len(), twins, "{level:?}: {names:?}");
    }
}

#[test]
fn sync_main_with_arithmetic_and_strings() {
    check(
        "fn add(a: i32, b: i32): i32 { a + b }\n\
         fn main(): i32 { let s = \"x\" + \"y\"; $println(\"{} {}\", add(2, 3), s); add(40, 2) }",
        "5 xy\n",
        42,
    );
}

#[test]
fn async_main_awaits_spawned_tasks_and_sleeps() {
    check(
        "async fn twice(x: i64): i64 { await async_sleep(x); x * 2 }\n\
         async fn main() { let a = twice(3); let b = twice(1);\n\
         $println(\"{} {}\", await a, await b); $println(\"t={}\", now_ms()) }",
        "6 2\nt=3\n",
        0,
    );
}

#[test]
fn a_panic_reports_the_source_location() {
    let module = lower("p.vx", "fn main() {\n  $panic(\"no\")\n}");
    let (stdout, stderr, code) = run_jit(&module, OptLevel::O0).unwrap();
    assert_eq!((stdout.as_str(), code), ("", 101));
    assert!(stderr.starts_with("panic at p.vx:2:3: no"), "{stderr}");
}
