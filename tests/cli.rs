//! The `vex` command line: output formats and exit codes, run as a user would.

use std::path::Path;
use std::process::Command;

use expect_test::{Expect, expect};

/// Runs `vex ARGS` in a temporary directory holding `files`; returns
/// `exit: N`, stdout and stderr as one string.
fn run(files: &[(&str, &str)], args: &[&str], expect: Expect) {
    let dir = std::env::temp_dir().join(format!("vex-cli-{}-{}", std::process::id(), unique()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let output =
        Command::new(env!("CARGO_BIN_EXE_vex")).args(args).current_dir(&dir).output().unwrap();
    std::fs::remove_dir_all(&dir).ok();
    let actual = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    expect.assert_eq(&actual);
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[test]
fn parse_reports_syntax_errors_with_a_caret() {
    run(
        &[("bad.vx", "fn main() {\n    let x = (1 +\n}\n")],
        &["parse", "bad.vx"],
        expect![[r#"
        exit: 1
        --- stdout
        --- stderr
        bad.vx:2:17: error: expected an expression, found `}`
           2 |     let x = (1 +
             |                 ^
        1 error
    "#]],
    );
}

#[test]
fn parse_dump_prints_the_tree() {
    run(
        &[("ok.vx", "fn f() {}\n")],
        &["parse", "ok.vx", "--dump"],
        expect![[r#"
        exit: 0
        --- stdout
        SOURCE_FILE@0..10
          FN@0..9
            FN_KW@0..2 "fn"
            WHITESPACE@2..3 " "
            NAME@3..4
              IDENT@3..4 "f"
            PARAM_LIST@4..6
              L_PAREN@4..5 "("
              R_PAREN@5..6 ")"
            WHITESPACE@6..7 " "
            BLOCK_EXPR@7..9
              L_BRACE@7..8 "{"
              R_BRACE@8..9 "}"
          NEWLINE@9..10 "\n"
        --- stderr
    "#]],
    );
}

#[test]
fn check_reports_type_errors_and_exits_1() {
    run(
        &[("main.vx", "fn main() {\n    let x: i32 = \"no\"\n    let y = z\n}\n")],
        &["check", "main.vx"],
        expect![[r#"
            exit: 1
            --- stdout
            --- stderr
            main.vx:2:18: error[E0003]: expected `i32`, found `string`
               2 |     let x: i32 = "no"
                 |                  ^^^^
            main.vx:3:13: error[E0001]: cannot find `z` in this scope
               3 |     let y = z
                 |             ^
                  = help: did you mean `x`?
            2 errors
        "#]],
    );
}

#[test]
fn check_json_lines() {
    run(
        &[("main.vx", "fn main() {\n    let x: i32 = \"no\"\n}\n")],
        &["check", "--format", "json", "main.vx"],
        expect![[r#"
            exit: 1
            --- stdout
            {"file":"main.vx","line":2,"column":18,"end_line":2,"end_column":22,"severity":"error","code":"E0003","message":"expected `i32`, found `string`","fixes":[]}
            --- stderr
            1 error
        "#]],
    );
}

/// A diagnostic with a mechanical fix shows it as a `help:` line, and in JSON as edits
/// an editor can apply.
#[test]
fn check_prints_fixes() {
    let files = [("main.vx", "fn main() {\n    let total = 1\n    total = totl + 1\n}\n")];
    run(
        &files,
        &["check", "main.vx"],
        expect![[r#"
            exit: 1
            --- stdout
            --- stderr
            main.vx:3:5: error[E0007]: cannot assign to `total`: it is not mutable
               3 |     total = totl + 1
                 |     ^^^^^
               2 |     let total = 1
                 |         ^^^^^ `total` is declared here
                  = help: declare it mutable: `let! total`
            main.vx:3:13: error[E0001]: cannot find `totl` in this scope
               3 |     total = totl + 1
                 |             ^^^^
                  = help: did you mean `total`?
            2 errors
        "#]],
    );
    run(
        &files,
        &["check", "--format", "json", "main.vx"],
        expect![[r#"
            exit: 1
            --- stdout
            {"file":"main.vx","line":3,"column":5,"end_line":3,"end_column":10,"severity":"error","code":"E0007","message":"cannot assign to `total`: it is not mutable","fixes":[{"message":"declare it mutable: `let! total`","edits":[{"line":2,"column":8,"end_line":2,"end_column":8,"insert":"!"}]}]}
            {"file":"main.vx","line":3,"column":13,"end_line":3,"end_column":17,"severity":"error","code":"E0001","message":"cannot find `totl` in this scope","fixes":[{"message":"did you mean `total`?","edits":[{"line":3,"column":13,"end_line":3,"end_column":17,"insert":"total"}]}]}
            --- stderr
            2 errors
        "#]],
    );
}

#[test]
fn check_several_files_share_one_namespace() {
    run(
        &[
            ("a.vx", "fn helper(): i32 { 1 }\n"),
            ("b.vx", "fn main() { let x: i32 = helper() }\nfn helper(): i32 { 2 }\n"),
        ],
        &["check", "a.vx", "b.vx"],
        expect![[r#"
            exit: 1
            --- stdout
            --- stderr
            b.vx:2:4: error[E0002]: the name `helper` is defined more than once
               2 | fn helper(): i32 { 2 }
                 |    ^^^^^^
                  = first defined in a.vx
            1 error
        "#]],
    );
}

const MAIN_USES_UTIL: &str = "fn main() {\n    println(twice(21))\n}\n";
const UTIL: &str = "fn twice(x: i64): i64 {\n    x * 2\n}\n";

#[test]
fn run_emit_and_build_take_several_files() {
    let files = [("main.vx", MAIN_USES_UTIL), ("util.vx", UTIL)];
    run(
        &files,
        &["run", "--interp", "main.vx", "util.vx"],
        expect![[r#"
            exit: 0
            --- stdout
            42
            --- stderr
        "#]],
    );
    run(
        &files,
        &["emit", "hir", "main.vx", "util.vx"],
        expect![[r#"
            exit: 0
            --- stdout
            // main.vx
            fn main(): ()
              Block: ()
                Call: ()
                  Name println: builtin
                  Call: i64
                    Name twice: fn
                    Literal 21: i64
            // util.vx
            fn twice(x: i64): i64
              Block: i64
                Binary *: i64
                  Local x: i64
                  Literal 2: i64
            --- stderr
        "#]],
    );
    // One file alone does not define `twice`.
    run(
        &files,
        &["run", "--interp", "main.vx"],
        expect![[r#"
            exit: 1
            --- stdout
            --- stderr
            main.vx:2:13: error[E0001]: cannot find `twice` in this scope
               2 |     println(twice(21))
                 |             ^^^^^
            1 error
        "#]],
    );
}

#[test]
fn a_directory_stands_for_its_vx_files() {
    let files = [("prog/main.vx", MAIN_USES_UTIL), ("prog/util.vx", UTIL), ("prog/notes.txt", "x")];
    run(
        &files,
        &["run", "--interp", "prog"],
        expect![[r#"
            exit: 0
            --- stdout
            42
            --- stderr
        "#]],
    );
    run(
        &files,
        &["check", "prog"],
        expect![[r#"
            exit: 0
            --- stdout
            --- stderr
        "#]],
    );
    run(
        &[("empty/notes.txt", "x")],
        &["run", "empty"],
        expect![[r#"
            exit: 2
            --- stdout
            --- stderr
            error: empty holds no .vx file
        "#]],
    );
}

/// `vex run --aot` builds an executable of both files (as `vex build` does) and runs it.
#[cfg(feature = "llvm")]
#[test]
fn executables_are_built_from_several_files() {
    run(
        &[("main.vx", MAIN_USES_UTIL), ("util.vx", UTIL)],
        &["run", "--aot", "main.vx", "util.vx"],
        expect![[r#"
            exit: 0
            --- stdout
            42
            --- stderr
        "#]],
    );
}

#[test]
fn missing_file_is_exit_2() {
    run(
        &[],
        &["check", "nope.vx"],
        expect![[r#"
        exit: 2
        --- stdout
        --- stderr
        vex: cannot read nope.vx: No such file or directory (os error 2)
    "#]],
    );
}

#[test]
fn usage_error_is_exit_2() {
    let output = Command::new(env!("CARGO_BIN_EXE_vex")).arg("frobnicate").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn every_example_checks_without_diagnostics() {
    let files =
        vex_hir::testing::example_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"));
    for file in &files {
        let mut compiler = vex::Compiler::new();
        let text = std::fs::read_to_string(file).unwrap();
        compiler.set_file(file.display().to_string(), text);
        let diagnostics = compiler.diagnostics();
        assert!(diagnostics.is_empty(), "{}: {diagnostics:#?}", file.display());
    }
    assert!(files.len() >= 30, "expected at least 30 examples, found {}", files.len());
}

/// `vex run FILES -- ARGS` gives the program its arguments (`args()`, LANGUAGE.md §13) in
/// every engine (the executable gets them as its `argv`), and `exit(code)` is the exit
/// status.
#[test]
fn run_passes_arguments_after_a_double_dash() {
    let program = "fn main() {\n    let a = args()\n    println(f\"{a.len()}: {a}\")\n    exit(a.len() as i32 + 40)\n}\n";
    let mut engines = vec![vec!["--interp"]];
    if cfg!(feature = "llvm") {
        engines.push(vec![]);
        engines.push(vec!["--aot"]);
    }
    for engine in engines {
        let mut args = vec!["run"];
        args.extend(engine);
        args.extend(["main.vx", "--", "one", "two words", "--flag"]);
        run(
            &[("main.vx", program)],
            &args,
            expect![[r#"
                exit: 43
                --- stdout
                3: [one, two words, --flag]
                --- stderr
            "#]],
        );
    }
}

/// `vex fmt --check` reports a file out of layout and changes nothing, `vex fmt` rewrites
/// it (after which `--check` passes), and a file with a syntax error is reported and
/// left as it is.
#[test]
fn fmt_checks_rewrites_and_leaves_broken_files_alone() {
    let dir = std::env::temp_dir().join(format!("vex-cli-fmt-{}-{}", std::process::id(), unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let messy = "fn main(){let x=[1,2,3]\n\n\n  println( x[0] )}\n";
    let broken = "fn main( {\n";
    std::fs::write(dir.join("a.vx"), messy).unwrap();
    std::fs::write(dir.join("b.vx"), broken).unwrap();
    let vex = |args: &[&str]| {
        let output =
            Command::new(env!("CARGO_BIN_EXE_vex")).args(args).current_dir(&dir).output().unwrap();
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    };
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let check = vex(&["fmt", "--check", "a.vx"]);
    assert!(check.starts_with("exit: 1\n"), "{check}");
    assert_eq!(read("a.vx"), messy);
    expect![[r#"
        exit: 1
        --- stdout
        --- stderr
        b.vx:1:9: error: expected `)`, found `{`
           1 | fn main( {
             |         ^
        b.vx:1:11: error: expected `}`, found end of file
           1 | fn main( {
             |           ^
        b.vx: not formatted: it has syntax errors
    "#]]
    .assert_eq(&vex(&["fmt", "a.vx", "b.vx"]));
    expect![[r#"
        fn main() {
            let x = [1, 2, 3]

            println(x[0])
        }
    "#]]
    .assert_eq(&read("a.vx"));
    assert_eq!(read("b.vx"), broken);
    expect![[r#"
        exit: 0
        --- stdout
        --- stderr
    "#]]
    .assert_eq(&vex(&["fmt", "--check", "a.vx"]));
    std::fs::remove_dir_all(&dir).ok();
}

/// `vex run --timeout MS` stops a program that does not end, in every engine, with exit
/// status 124 and a line on stderr; what it printed before stays.
#[test]
fn run_timeout_stops_a_runaway_program() {
    let files = [(
        "spin.vx",
        "fn main() {\n    println(\"start\")\n    let! n = 0\n    while true { n = n + 1 }\n}\n",
    )];
    for engine in ["--interp", "--aot", "-O2"] {
        run(
            &files,
            &["run", engine, "--timeout", "500", "spin.vx"],
            expect![[r#"
                exit: 124
                --- stdout
                start
                --- stderr
                vex: the program ran out of time and was stopped
            "#]],
        );
    }
}
