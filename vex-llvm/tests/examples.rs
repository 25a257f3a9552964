//! Every example program in every compiled form, against its expected output and the
//! reference evaluator; and as executables linked with an AddressSanitizer and
//! LeakSanitizer build of the runtime, which must report nothing.

mod common;

use common::{
    asan_runtime, examples, lower, root, run_aot, run_eval, run_jit, run_leak_checked, temp_dir,
};
use std::path::Path;
use vex_hir::testing::Expected;
use vex_llvm::OptLevel;

/// Programs that exercise every path by which a reference could leak, beyond the
/// examples: a detached task's string result (drop-result hook), a cancelled task's
/// pending defer holding a string, a defer run on normal return, a stored sleep that
/// is cancelled and one that is dropped, a stored yield, I/O values and operations.
/// `(name, source, stdout)`.
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
    (
        "cancelled_values.vx",
        // Cancelled tasks holding vectors, strings, an `Option` of a vector, and closures
        // (one in a pending defer, one an async closure's task).
        "async fn hold(tag: string) {\n\
             let! items = Vec.new<string>(); items.push(tag + \"-a\"); items.push(tag + \"-b\")\n\
             let suffix = \"!\"; let shout = |s: string| s.toUpper() + suffix\n\
             let maybe: Option<Vec<string>> = Some(items)\n\
             defer println(f\"cancelled {tag} holding {shout(tag)}\")\n\
             await async_sleep(1000); println(maybe) }\n\
         async fn main() {\n\
             let a = hold(\"x\"); let b = hold(\"y\"); await async_sleep(1); cancel(a); cancel(b)\n\
             await async_sleep(1)\n\
             let! nums = Vec.from([1, 2, 3]); let doubled = nums.map(|n: i64| n * 2)\n\
             let keep = async || { await async_sleep(500); doubled.len() }\n\
             let f = keep(); await async_sleep(1); cancel(f); nums.push(4); println(nums) }",
        "cancelled x holding X!\ncancelled y holding Y!\n[1, 2, 3, 4]\n",
    ),
    (
        "io_values.vx",
        // I/O results nobody takes (a dropped future, a cancelled operation), handles in
        // a vector and an option, errors in a vector, a listener closed while a task
        // waits in accept and one whose waiter is cancelled.
        "async fn main() {\n\
             let dropped = readFile(\"/dev/null\"); let c = readFile(\"/dev/null\"); cancel(c)\n\
             match await File.open(\"/dev/null\") {\n\
                 Ok(file) => { let! files = Vec.new<File>(); files.push(file); files.push(file)\n\
                     let kept: Option<File> = Some(file); println(files.len()); file.close() }\n\
                 Err(e) => println(e) }\n\
             let errors = Vec.from([(await readFile(\"/nonexistent\")).err()]); println(errors)\n\
             match await TcpListener.bind(\"127.0.0.1\", 0) {\n\
                 Ok(l) => { let a = l.accept(); let b = l.accept(); await async_sleep(1)\n\
                     cancel(b); l.close(); println((await a).isErr()) }\n\
                 Err(e) => println(e) }\n\
             await async_sleep(1) }",
        "2\n[Some(No such file or directory)]\ntrue\n",
    ),
];

/// Every example (and [`LEAK_PROGRAMS`]) as an executable linked against an ASan/LSan
/// build of vex-rt, run deterministically: it must behave as expected and the
/// sanitizers must report nothing (LeakSanitizer runs at exit, after the program
/// entry destroyed the runtime, so any string or defer record still allocated is a
/// leak). Examples that panic (exit 101) or call `exit` are skipped: both abandon the
/// unfinished tasks without running their cancel exits (vex_rt.h, vex_panic and
/// vex_exit), so the references they hold are never released.
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
        if calls_exit(&lower(&relative(&path), &text)) {
            continue;
        }
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

/// Whether the program calls `exit` somewhere (LANGUAGE.md §13).
fn calls_exit(module: &vex_async_lower::ir::Module) -> bool {
    use vex_async_lower::ir::{RtOp, Stmt};
    module
        .functions
        .iter()
        .flat_map(|f| &f.blocks)
        .flat_map(|b| &b.stmts)
        .any(|s| matches!(s, Stmt::Runtime { op: RtOp::Exit, .. }))
}
