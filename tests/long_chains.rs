//! Long operator chains (generated sums, string building, method chains) go through
//! every stage — parse, check, lowering, the evaluator and LLVM — on the default 2 MB
//! test-thread stack: the parser takes up to 4096 chain links, the stages after it
//! recurse on them with a growable stack.

use vex::{Compiler, Config, Engine, OptLevel, RunOptions};

fn run(text: &str, engine: Engine, opt_level: OptLevel) -> (String, i32) {
    let mut compiler = Compiler::new();
    compiler.set_file("chain.vx", text.to_string());
    let diagnostics = compiler.diagnostics();
    assert!(diagnostics.is_empty(), "{:?}", diagnostics.first());
    let config = Config::new().engine(engine).opt_level(opt_level).workers(1).deterministic(true);
    let out = compiler
        .compile(&config)
        .and_then(|program| program.run(&RunOptions::new()))
        .unwrap_or_else(|e| panic!("{engine:?}: {e}"));
    let code = out.exit_code();
    (out.stdout, code)
}

fn engines() -> Vec<(Engine, OptLevel)> {
    #[cfg(feature = "llvm")]
    return vec![
        (Engine::Interpreter, OptLevel::O0),
        (Engine::Jit, OptLevel::O0),
        (Engine::Jit, OptLevel::O2),
    ];
    #[cfg(not(feature = "llvm"))]
    return vec![(Engine::Interpreter, OptLevel::O0)];
}

#[test]
fn a_sum_of_four_thousand_terms() {
    let terms: Vec<String> = (1..=4000).map(|i| i.to_string()).collect();
    let text = format!(
        "fn main(): i32 {{\n    let x: i64 = {}\n    $println(x)\n    0\n}}\n",
        terms.join(" + ")
    );
    for (engine, opt) in engines() {
        assert_eq!(run(&text, engine, opt), ("8002000\n".to_string(), 0), "{engine:?} {opt:?}");
    }
}

#[test]
fn string_building_and_method_chains() {
    let pieces: Vec<String> = (0..1500).map(|i| format!("\"{}\"", i % 10)).collect();
    let expected: String = (0..1500).map(|i| char::from(b'0' + (i % 10) as u8)).collect();
    let calls = ".add(1)".repeat(2000);
    let text = format!(
        "struct C {{ n: i64 }}\nfn (self: C) add(k: i64): C {{ C {{ n: self.n + k }} }}\n\
         async fn main() {{\n    let s = {}\n    $println(s)\n    let c = C {{ n: 0 }}{calls}\n    $println(c.n)\n}}\n",
        pieces.join(" + ")
    );
    for (engine, opt) in engines() {
        assert_eq!(
            run(&text, engine, opt),
            (format!("{expected}\n2000\n"), 0),
            "{engine:?} {opt:?}"
        );
    }
}

#[test]
fn a_chain_past_the_limit_is_an_error_not_a_crash() {
    let text = format!("fn main() {{ let x = 1{} }}", " + 1".repeat(5000));
    let mut compiler = Compiler::new();
    compiler.set_file("chain.vx", text);
    let diagnostics = compiler.diagnostics();
    assert!(
        diagnostics.iter().any(|d| d.diagnostic.message.contains("nesting too deep")),
        "{diagnostics:?}"
    );
}
