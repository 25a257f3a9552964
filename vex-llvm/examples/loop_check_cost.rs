//! Prints what the interrupt checks at loop heads cost on the CPU benchmarks of `bench/`
//! (loops, sieve, sum, fib at their `bench/run.sh` sizes): every program is compiled at
//! -O 2 with the loop checks in-process code gets and without them (entry checks only),
//! and the two builds run in alternating pairs (the machine is noisy: only paired ratios
//! mean much).
//!
//! Where a tight loop lies relative to 64-byte lines of code changes its speed by up to
//! +-15% on its own (a loop that straddles a line runs slower), and a check makes a loop
//! a few bytes longer. So each pair of builds is made `placements` times, the program's
//! functions shifted by 0, 16, 32 and 48 bytes (`jmp 1f; .fill N; 1:` at the entry of the
//! first function), and the overhead printed per program is the median of the pair
//! ratios over all placements, with the median per placement beside it.
//!
//! `cargo run -p vex-llvm --example loop_check_cost -- [jit|aot] [pairs=N] [placements=N]
//! [quick] [only=TEMPLATE,...]`: `jit` (the default) times `run_main` of JIT-compiled
//! programs (optimised for this CPU, compilation not timed); `aot` builds executables
//! (generic x86-64, the checked build with `VEX_GUARD_CHECKS=loops`) and times their
//! processes. Times are CPU time (user + system), which the other load of a shared machine
//! disturbs less than wall time. It measures; it must not assert anything (the tests do
//! that).

use inkwell::context::Context;
use inkwell::module::Module;
use salsa::Setter;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use vex_async_lower::backend::RunRequest;
use vex_async_lower::ir;
use vex_hir::{Program, RootDatabase, SourceFile};
use vex_llvm::codegen::{CodegenOptions, compile_module_with};
use vex_llvm::{HostTarget, Jit, OptLevel, TargetOptions};

/// A placeholder of a template and its values: (name, full size, quick size).
type Placeholder = (&'static str, u64, u64);

/// The benchmarks: label, template under `bench/vex/`, placeholder values, as
/// `bench/driver.py` has them.
const BENCHMARKS: &[(&str, &str, &[Placeholder])] = &[
    ("loops 2000x2000", "loops", &[("N", 2000, 2000), ("R", 150, 10)]),
    ("sieve [bool; 2M]", "sieve", &[("N", 2_000_000, 2_000_000), ("R", 100, 10)]),
    ("sum [i64; 1M]", "arraysum", &[("N", 1_000_000, 1_000_000), ("R", 2000, 100)]),
    ("fib(35)", "fib", &[("N", 35, 35)]),
    ("fib(40)", "fib", &[("N", 40, 32)]),
];

/// What one run gave: its stdout and CPU time (user + system).
struct Run {
    stdout: String,
    cpu: Duration,
}

/// One way of running a compiled program.
trait Runner {
    /// Runs the program once.
    fn run(&self) -> Run;
}

/// User + system CPU time of this process (`RUSAGE_SELF`) or of its waited-for
/// children (`RUSAGE_CHILDREN`) so far.
fn cpu_time(who: libc::c_int) -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut usage) };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// A JIT-compiled program, run in this process on one worker.
struct JitRun(Jit<'static>);

impl Runner for JitRun {
    fn run(&self) -> Run {
        let mut request = RunRequest::default();
        request.workers = 1;
        request.capture_output = true;
        let cpu = cpu_time(libc::RUSAGE_SELF);
        let outcome = self.0.run_main(&request).expect("runs");
        Run { stdout: outcome.stdout, cpu: cpu_time(libc::RUSAGE_SELF) - cpu }
    }
}

/// An executable, run as a child process on one worker.
struct ExeRun(PathBuf);

impl Runner for ExeRun {
    fn run(&self) -> Run {
        let cpu = cpu_time(libc::RUSAGE_CHILDREN);
        let out = Command::new(&self.0).env("VEX_WORKERS", "1").output().expect("runs");
        let cpu = cpu_time(libc::RUSAGE_CHILDREN) - cpu;
        Run { stdout: String::from_utf8_lossy(&out.stdout).into_owned(), cpu }
    }
}

/// The lowered IR of one source file named `path`.
fn lower(path: &str, text: &str) -> ir::Module {
    let mut db = RootDatabase::default();
    let file = SourceFile::new(&db, path.to_string(), text.to_string());
    Program::get(&db).set_files(&mut db).to(vec![file]);
    vex_async_lower::module_ir(&db)
}

/// The source of a benchmark with its placeholders filled in.
fn source(template: &str, values: &[Placeholder], quick: bool) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/vex").join(template);
    let mut text = std::fs::read_to_string(path.with_extension("vx")).expect("template");
    for (name, full, small) in values {
        let value = if quick { small } else { full };
        text = text.replace(&format!("__{name}__"), &value.to_string());
    }
    text
}

/// Shifts every function of `module` but the first by `bytes` (a multiple of 16, the
/// alignment of functions): the first defined function starts by jumping over that many
/// bytes.
fn shift_code(module: &Module<'_>, bytes: u32) {
    let context = module.get_context();
    let first = module.get_functions().find(|f| f.count_basic_blocks() > 0).expect("code");
    let entry = first.get_first_basic_block().expect("a body");
    let builder = context.create_builder();
    builder.position_before(&entry.get_first_instruction().expect("a terminator"));
    let asm_type = context.void_type().fn_type(&[], false);
    let padding = format!("jmp 1f\n.fill {bytes},1,0x90\n1:");
    let asm = context.create_inline_asm(asm_type, padding, String::new(), true, false, None, false);
    builder.build_indirect_call(asm_type, asm, &[], "").expect("a call");
}

/// The host at -O 2, tuned for this CPU (the JIT) or generic (executables).
fn host_target(native_cpu: bool) -> HostTarget {
    let mut options = TargetOptions::default();
    options.opt_level = OptLevel::O2;
    options.native_cpu = native_cpu;
    HostTarget::new(options).expect("a host target")
}

/// Compiles `module` for the JIT at -O 2, with loop checks or without, its code shifted
/// by `shift` bytes.
fn jit_build(module: &ir::Module, loop_checks: bool, shift: u32) -> Box<dyn Runner> {
    // The engine borrows its context for as long as the program runs.
    let context: &'static Context = Box::leak(Box::new(Context::create()));
    let target = host_target(true);
    let options = CodegenOptions { no_loop_checks: !loop_checks, ..CodegenOptions::default() };
    let llvm = compile_module_with(context, &target, module, options).expect("compiles");
    vex_llvm::opt::optimize(&llvm, &target, OptLevel::O2, false).expect("optimises");
    shift_code(&llvm, shift);
    let jit = Jit::new(llvm, OptLevel::O2).expect("a JIT");
    jit.entry().expect("code");
    Box::new(JitRun(jit))
}

/// Builds `module` as an executable at -O 2 (as `vex build` does), with loop checks or
/// without, its code shifted by `shift` bytes, at `exe`. Called before any run starts a
/// thread: it sets the environment.
fn exe_build(module: &ir::Module, loop_checks: bool, shift: u32, exe: &Path) -> Box<dyn Runner> {
    // SAFETY: no other thread runs yet (every build precedes every run).
    unsafe {
        if loop_checks {
            std::env::set_var("VEX_GUARD_CHECKS", "loops");
        } else {
            std::env::remove_var("VEX_GUARD_CHECKS");
        }
    }
    let context = Context::create();
    let target = host_target(false);
    let options =
        CodegenOptions { with_c_main: true, debug_info: true, ..CodegenOptions::default() };
    let llvm = compile_module_with(&context, &target, module, options).expect("compiles");
    vex_llvm::opt::optimize(&llvm, &target, OptLevel::O2, false).expect("optimises");
    shift_code(&llvm, shift);
    let object = exe.with_extension("o");
    vex_llvm::aot::write_object(&llvm, &target, &object).expect("an object file");
    let link = vex_llvm::aot::LinkOptions::default();
    vex_llvm::aot::link_executable(std::slice::from_ref(&object), exe, &link).expect("links");
    Box::new(ExeRun(exe.to_path_buf()))
}

/// The median of `values` (the mean of the middle two for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let aot = args.iter().any(|a| a == "aot");
    let quick = args.iter().any(|a| a == "quick");
    let number = |name: &str, default: usize| {
        args.iter()
            .find_map(|a| a.strip_prefix(name).map(|n| n.parse().expect("a number")))
            .unwrap_or(default)
    };
    let pairs = number("pairs=", 5);
    let placements = number("placements=", 4).clamp(1, 4);
    // `only=NAME,...` keeps the benchmarks whose template is named.
    let only: Option<Vec<&str>> =
        args.iter().find_map(|a| a.strip_prefix("only=").map(|names| names.split(',').collect()));
    let dir = std::env::temp_dir().join(format!("vex-loop-check-cost-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // Per benchmark and placement: the build with loop checks and the one without.
    type Builds = Vec<[Box<dyn Runner>; 2]>;
    let builds: Vec<(&str, Builds)> = BENCHMARKS
        .iter()
        .filter(|(_, template, _)| only.as_ref().is_none_or(|names| names.contains(template)))
        .enumerate()
        .map(|(idx, (label, template, values))| {
            let module = lower(&format!("{template}.vx"), &source(template, values, quick));
            let shifted = (0..placements as u32)
                .map(|placement| {
                    let shift = 16 * placement;
                    [true, false].map(|checks| {
                        if aot {
                            let exe = dir.join(format!("{idx}-{shift}-{checks}"));
                            exe_build(&module, checks, shift, &exe)
                        } else {
                            jit_build(&module, checks, shift)
                        }
                    })
                })
                .collect();
            (*label, shifted)
        })
        .collect();
    println!(
        "{} -O2, {pairs} alternating pairs x {placements} placements; overhead = median of the \
         ratios of CPU times (with loop checks / entry checks only)",
        if aot { "executables" } else { "JIT" }
    );
    for (label, shifted) in &builds {
        let mut all = Vec::new();
        let mut per_placement = Vec::new();
        let mut times = [Vec::new(), Vec::new()];
        for [checked, unchecked] in shifted {
            let mut ratios = Vec::new();
            for pair in 0..pairs {
                // Alternate which build goes first, so that a trend hits both alike.
                let (first, second) =
                    if pair % 2 == 0 { (checked, unchecked) } else { (unchecked, checked) };
                let (a, b) = (first.run(), second.run());
                let (with, without) = if pair % 2 == 0 { (a, b) } else { (b, a) };
                if with.stdout != without.stdout {
                    println!("{label}: outputs differ: {:?} vs {:?}", with.stdout, without.stdout);
                }
                times[0].push(with.cpu.as_secs_f64() * 1e3);
                times[1].push(without.cpu.as_secs_f64() * 1e3);
                ratios.push(with.cpu.as_secs_f64() / without.cpu.as_secs_f64());
            }
            all.extend(&ratios);
            per_placement.push(median(ratios));
        }
        let percent = |ratio: f64| format!("{:+.1}%", (ratio - 1.0) * 100.0);
        let placed: Vec<String> = per_placement.into_iter().map(percent).collect();
        println!(
            "{label:<18} {:>9.2} / {:>9.2} ms  overhead {:>7}  (per placement {})",
            median(times[0].clone()),
            median(times[1].clone()),
            percent(median(all)),
            placed.join(" "),
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
