//! DWARF from IR locations: every instruction of a Vex function carries its Vex line,
//! the JIT accepts described code, and gdb stops an executable at a Vex file:line and
//! names the Vex functions in its backtrace.

mod common;

use common::{deterministic, lower, temp_dir};
use inkwell::context::Context;
use vex_llvm::codegen::{CodegenOptions, compile_module_with};
use vex_llvm::{HostTarget, Jit, OptLevel, TargetOptions};

/// A program with known lines: `add` on line 1 (body on 2 and 3), the async `child`
/// on line 6 (its call of `add` on line 8), `main` on line 11.
const LOCATED: &str = "\
fn add(a: i64, b: i64): i64 {
let s = a + b
s * 2
}

async fn child(n: i64): i64 {
await async_sleep(1)
add(n, 1)
}

async fn main(): i32 {
let v = await child(20)
$println(\"{}\", v)
0
}
";

/// The printed module's subprogram named `name`: its metadata id and line.
fn subprogram(text: &str, name: &str) -> (String, u32) {
    let needle = format!("!DISubprogram(name: \"{name}\",");
    let line = text.lines().find(|l| l.contains(&needle)).unwrap_or_else(|| {
        panic!("no subprogram {name}:\n{text}");
    });
    let id = line.split(' ').next().unwrap().to_string();
    let at = line.split("line: ").nth(1).unwrap();
    (id, at.split(',').next().unwrap().parse().unwrap())
}

/// The lines of the `!DILocation`s whose scope is `scope`.
fn location_lines(text: &str, scope: &str) -> Vec<u32> {
    let scope = format!("scope: {scope})");
    text.lines()
        .filter(|l| l.contains("!DILocation(line: ") && l.contains(&scope))
        .map(|l| {
            let at = l.split("line: ").nth(1).unwrap();
            at.split(',').next().unwrap().parse().unwrap()
        })
        .collect()
}

#[test]
fn debug_info_gives_every_instruction_its_vex_line() {
    let module = lower("located.vx", LOCATED);
    let target = HostTarget::new(TargetOptions::default()).unwrap();
    let context = Context::create();
    let options =
        CodegenOptions { with_c_main: true, debug_info: true, ..CodegenOptions::default() };
    let llvm = compile_module_with(&context, &target, &module, options).unwrap();
    let text = llvm.print_to_string().to_string();
    assert!(text.contains("!DIFile(filename: \"located.vx\""), "{text}");
    assert!(text.contains("!\"Dwarf Version\", i32 5"), "{text}");
    // One subprogram per IR function, at its definition, named like it.
    let (add, line) = subprogram(&text, "add");
    assert_eq!(line, 1);
    for (name, expected) in [("child", 6), ("child.resume", 6), ("main.resume", 11)] {
        assert_eq!(subprogram(&text, name).1, expected, "{name}");
    }
    let mut add_lines = location_lines(&text, &add);
    add_lines.sort_unstable();
    add_lines.dedup();
    assert_eq!(add_lines, [1, 2, 3, 4], "{text}");
    let (resume, _) = subprogram(&text, "child.resume");
    let resume_lines = location_lines(&text, &resume);
    for line in [6, 7, 8, 9] {
        assert!(resume_lines.contains(&line), "child.resume has no line {line}:\n{text}");
    }
    // Every instruction of a Vex function carries a location.
    let mut in_vex_function = false;
    for line in text.lines() {
        if line.starts_with("define ") {
            in_vex_function = line.contains("@\"vex.");
        } else if line == "}" {
            in_vex_function = false;
        } else if in_vex_function && line.starts_with("  ") {
            assert!(line.contains("!dbg !"), "no location: {line}\n{text}");
        }
    }
    // Optimisation keeps the module valid and the lines.
    vex_llvm::opt::optimize(&llvm, &target, OptLevel::O2, true).unwrap();
    llvm.verify().unwrap();
    let optimized = llvm.print_to_string().to_string();
    assert!(optimized.contains("!DILocation(line: 8,"), "{optimized}");
}

#[test]
fn the_jit_runs_code_with_debug_info() {
    let module = lower("located.vx", LOCATED);
    for level in [OptLevel::O0, OptLevel::O2] {
        let context = Context::create();
        let target = HostTarget::new(TargetOptions::default()).unwrap();
        let options =
            CodegenOptions { with_c_main: false, debug_info: true, ..CodegenOptions::default() };
        let llvm = compile_module_with(&context, &target, &module, options).unwrap();
        if level != OptLevel::O0 {
            vex_llvm::opt::optimize(&llvm, &target, level, false).unwrap();
        }
        let jit = Jit::new(llvm, level).unwrap();
        let outcome = jit.run_main(&deterministic()).unwrap();
        assert_eq!((outcome.stdout.as_str(), outcome.exit_code()), ("42\n", 0));
    }
}

/// `gdb` stops an executable at a Vex file:line and names the Vex functions in the
/// backtrace.
#[test]
fn gdb_breaks_at_vex_lines_of_an_executable() {
    let dir = temp_dir("gdb");
    let exe = dir.join("located");
    let module = lower("located.vx", LOCATED);
    vex_llvm::backend::AotBackend { opt_level: OptLevel::O0 }.build(&module, &exe).unwrap();
    let gdb = |line: u32| {
        let out = std::process::Command::new("gdb")
            .args(["-batch", "-nx", "-ex", &format!("break located.vx:{line}")])
            .args(["-ex", "run", "-ex", "bt"])
            .arg(&exe)
            .env("VEX_WORKERS", "1")
            .env("VEX_CLOCK", "virtual")
            .output()
            .expect("gdb runs");
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    };
    // A statement of a plain function, called from a resume function; frames carry
    // the Vex names from the DWARF subprograms (not the ELF symbols `vex.F`).
    let frame = |bt: &str, n: usize| -> String {
        bt.lines().find(|l| l.starts_with(&format!("#{n} "))).unwrap_or_default().to_string()
    };
    let bt = gdb(2);
    assert!(bt.contains("Breakpoint 1, ") && bt.contains("file located.vx, line 2."), "{bt}");
    let top = frame(&bt, 0);
    assert!(top.contains(" add (") && top.ends_with(" at located.vx:2"), "{bt}");
    let caller = frame(&bt, 1);
    assert!(caller.contains(" child.resume (") && caller.ends_with(" at located.vx:8"), "{bt}");
    // A statement after an `await`, inside a resume function.
    let bt = gdb(13);
    let top = frame(&bt, 0);
    assert!(top.contains(" main.resume (") && top.ends_with(" at located.vx:13"), "{bt}");
    let _ = std::fs::remove_dir_all(&dir);
}
