//! Prints what DWARF line tables cost the JIT's start-up on real programs: for every
//! program under `examples/`, code generation (`compile_module_with`), the O2 pipeline
//! where asked, JIT engine creation and code generation of `vex_run_main`, with and
//! without `debug_info` — `cargo run --release -p vex-llvm --example debug_info_cost`.
//! It measures; it must not assert anything (the tests do that).

use inkwell::context::Context;
use salsa::Setter;
use std::path::Path;
use std::time::{Duration, Instant};
use vex_async_lower::ir;
use vex_hir::{Program, RootDatabase, SourceFile};
use vex_llvm::codegen::{CodegenOptions, compile_module_with};
use vex_llvm::{HostTarget, Jit, OptLevel, TargetOptions};

const ROUNDS: usize = 5;

fn lower(path: &str, text: &str) -> ir::Module {
    let mut db = RootDatabase::default();
    let file = SourceFile::new(&db, path.to_string(), text.to_string());
    Program::get(&db).set_files(&mut db).to(vec![file]);
    vex_async_lower::module_ir(&db)
}

/// Start-up of one module: IR to LLVM, optimisation, engine, first function.
fn start_up(module: &ir::Module, level: OptLevel, debug_info: bool) -> Duration {
    let target = HostTarget::new(TargetOptions::default()).unwrap();
    let context = Context::create();
    let start = Instant::now();
    let options = CodegenOptions { with_c_main: false, debug_info, ..CodegenOptions::default() };
    let llvm = compile_module_with(&context, &target, module, options).unwrap();
    if level != OptLevel::O0 {
        vex_llvm::opt::optimize(&llvm, &target, level, false).unwrap();
    }
    let jit = Jit::new(llvm, level).unwrap();
    jit.function_address("vex_run_main").unwrap();
    start.elapsed()
}

fn main() {
    let mut modules = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "vx") {
                let text = std::fs::read_to_string(&path).unwrap();
                modules.push(lower(&path.file_name().unwrap().to_string_lossy(), &text));
            }
        }
    }
    println!("{} programs, each the median of {ROUNDS} rounds, summed", modules.len());
    for level in [OptLevel::O0, OptLevel::O2] {
        let mut totals = [Duration::ZERO; 2];
        for module in &modules {
            for (i, debug_info) in [false, true].into_iter().enumerate() {
                let mut samples: Vec<Duration> =
                    (0..ROUNDS).map(|_| start_up(module, level, debug_info)).collect();
                samples.sort();
                totals[i] += samples[ROUNDS / 2];
            }
        }
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let per = |d: Duration| ms(d) / modules.len() as f64;
        println!(
            "JIT {level:?}: without {:>8.1} ms ({:.2} ms/program), with line tables {:>8.1} ms \
             ({:.2} ms/program): {:+.1}%",
            ms(totals[0]),
            per(totals[0]),
            ms(totals[1]),
            per(totals[1]),
            (ms(totals[1]) / ms(totals[0]) - 1.0) * 100.0
        );
    }
}
