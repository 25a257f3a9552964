//! Every example program in every compiled form, against its expected output and the
//! reference evaluator; and as executables linked with an AddressSanitizer and
//! LeakSanitizer build of the runtime, which must report nothing.

mod common;

use common::{Observed, examples, lower, root, run_aot, run_eval, run_jit, temp_dir};
use inkwell::context::Context;
use std::path::{Path, PathBuf};
use vex_async_lower::ir;
use vex_hir::testing::Expected;
use vex_llvm::codegen::compile_module;
use vex_llvm::{HostTarget, OptLevel, TargetOptions};

/// Compiles vex-rt's C sources with AddressSanitizer + LeakSanitizer (+ UBSan, as in
/// `make -C vex-rt check-asan`) into `dir/libvexrt-asan.a`.
fn asan_runtime(dir: &Path) -> PathBuf {
    let rt = root().join("vex-rt");
    let cc = std::env::var_os("CC").filter(|cc| !cc.is_empty()).unwrap_or_else(|| "cc".into());
    let mut objects = Vec::new();
    let mut sources: Vec<PathBuf> = std::fs::read_dir(rt.join("src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    sources.sort();
    for source in &sources {
        let object = dir.join(source.file_stem().unwrap()).with_extension("o");
        let out = std::process::Command::new(&cc)
            .args(["-std=c11", "-pthread", "-g", "-O1", "-fno-omit-frame-pointer"])
            .args(["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"])
            .arg("-I")
            .arg(rt.join("include"))
            .arg("-I")
            .arg(rt.join("src"))
            .arg("-c")
            .arg(source)
            .arg("-o")
            .arg(&object)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        objects.push(object);
    }
    let lib = dir.join("libvexrt-asan.a");
    let out = std::process::Command::new("ar").arg("rcs").arg(&lib).args(&objects).output();
    assert!(out.unwrap().status.success(), "ar failed");
    lib
}

/// Programs that exercise every path by which a reference could leak, beyond the
/// examples: a detached task's string result (drop-result hook), a cancelled task's
/// pending defer holding a string, a defer run on normal return, a stored sleep that
/// is cancelled and one that is dropped, a stored yield. `(name, source, stdout)`.
const LEAK_PROGRAMS: &[(&str, &str, &str)] = &[
    (
        "detached_string_result.vx",
        "async fn s(x: string, n: i64): string { await async_sleep(n); x + \"!\" }\n\
         async fn main() { let f = s(\"dropped\", 1); let g = s(\"kept\", 2);\n\
         $println(\"{}\", await g) }",
        "kept!\n",
    ),
    (
        "cancelled_defer.vx",
        "async fn w(name: string) { let tag = name + \"?\"; defer $println(\"bye {}\", tag);\n\
         await async_sleep(100); $println(\"never\") }\n\
         async fn main() { let f = w(\"x\"); await async_sleep(1); cancel(f);\n\
         await async_sleep(1); $println(\"t={}\", now_ms()) }",
        "bye x?\nt=2\n",
    ),
    (
        "stored_sleeps_and_yield.vx",
        "fn label(n: i64): string { \"n\" + \"=\" }\n\
         async fn main() { let a = async_sleep(1000); cancel(a); let b = async_sleep(5);\n\
         let y = yield_now(); await y; let l = label(1); defer $println(\"{}{}\", l, now_ms());\n\
         await b; $println(\"slept\") }",
        "slept\nn=5\n",
    ),
];

/// Builds `module` as an executable against `link` and runs it deterministically
/// with leak detection.
fn run_leak_checked(
    module: &ir::Module,
    dir: &Path,
    link: &vex_llvm::aot::LinkOptions,
) -> Observed {
    let context = Context::create();
    let target = HostTarget::new(TargetOptions::default()).unwrap();
    let llvm = compile_module(&context, &target, module, true).unwrap();
    let exe = dir.join("program");
    vex_llvm::aot::build_executable(&llvm, &exe, OptLevel::O0, link).unwrap();
    let out = std::process::Command::new(&exe)
        .env("VEX_CLOCK", "virtual")
        .env("VEX_WORKERS", "1")
        .env("ASAN_OPTIONS", "detect_leaks=1:exitcode=86")
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (text(&out.stdout), text(&out.stderr), out.status.code().unwrap_or(-1))
}

/// Every example (and [`LEAK_PROGRAMS`]) as an executable linked against an ASan/LSan
/// build of vex-rt, run deterministically: it must behave as expected and the
/// sanitizers must report nothing (LeakSanitizer runs at exit, after the program
/// entry destroyed the runtime, so any string or defer record still allocated is a
/// leak). Examples that panic (exit 101) are skipped: a panic abandons the unfinished
/// tasks without running their cancel exits (vex_rt.h, vex_panic), so the references
/// they hold are never released.
#[test]
fn examples_do_not_leak_under_leak_sanitizer() {
    let dir = temp_dir("lsan");
    let mut link = vex_llvm::aot::LinkOptions::default();
    link.runtime_library = asan_runtime(&dir);
    link.extra_args = vec!["-fsanitize=address,undefined".to_string()];
    let mut programs = Vec::new();
    for path in examples() {
        let expected = Expected::of(&path);
        if expected.code == vex_llvm::abi::PANIC_EXIT_CODE {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        programs.push((relative(&path), text, expected.stdout, expected.code));
    }
    let examples_checked = programs.len();
    for (name, text, out) in LEAK_PROGRAMS {
        programs.push((name.to_string(), text.to_string(), out.to_string(), 0));
    }
    let mut failures = Vec::new();
    for (name, text, expected_out, expected_code) in &programs {
        let module = lower(name, text);
        let eval = run_eval(&module);
        if (&eval.0, eval.2) != (expected_out, *expected_code) {
            failures.push(format!("{name}: the evaluator gives {eval:?}"));
        }
        let (stdout, stderr, code) = run_leak_checked(&module, &dir, &link);
        if code != *expected_code || stderr.contains("Sanitizer") || stdout != *expected_out {
            failures.push(format!(
                "{name}: exit {code} (expected {expected_code}), stdout {stdout:?} \
                 (expected {expected_out:?})\n{stderr}"
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(examples_checked >= 40, "only {examples_checked} examples were leak-checked");
    assert!(
        failures.is_empty(),
        "{} of {} programs leak or fail:\n{}",
        failures.len(),
        programs.len(),
        failures.join("\n")
    );
}

/// Every example through the JIT (O0, O2) and as an executable with line tables (O2),
/// compared with its expected output and exit code and with the reference evaluator
/// on the same IR.
#[test]
fn examples_match_their_expected_output_and_the_evaluator() {
    let mut failures = Vec::new();
    let examples = examples();
    let dir = temp_dir("examples");
    assert!(!examples.is_empty());
    for path in &examples {
        let rel = relative(path);
        let text = std::fs::read_to_string(path).unwrap();
        let module = lower(&rel, &text);
        let expected = Expected::of(path);
        let eval = run_eval(&module);
        let runs = [
            ("JIT O0", run_jit(&module, OptLevel::O0)),
            ("JIT O2", run_jit(&module, OptLevel::O2)),
            ("AOT O2", run_aot(&module, &dir, OptLevel::O2)),
        ];
        for (how, observed) in runs {
            let (stdout, stderr, code) = match observed {
                Ok(observed) => observed,
                Err(e) => {
                    failures.push(format!("{rel} ({how}): {e}"));
                    continue;
                }
            };
            for problem in expected.mismatches(&stdout, &stderr, code) {
                failures.push(format!("{rel} ({how}): {problem}"));
            }
            if (&stdout, &stderr, code) != (&eval.0, &eval.1, eval.2) {
                failures.push(format!("{rel} ({how}): differs from the evaluator {eval:?}"));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "{} of {} examples failed:\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    );
}

/// An example's path relative to the repository, as panics print it.
fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap().to_string_lossy().into_owned()
}
