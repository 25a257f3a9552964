//! A generator of well-typed Vex Core programs, for property tests of this crate and of
//! the stages after it (feature `testing`).
//!
//! Programs are built from a seed by a type-directed walk that tracks the locals in
//! scope, so every name resolves and every expression has the type its position needs.
//! They terminate (loops are bounded, calls only go to earlier functions), never panic
//! (no division, no out-of-range index, integer arithmetic wraps) and print what they
//! compute, so two ways of running one program can be compared by output. `await`
//! appears in every position LANGUAGE.md §6.5 allows: `let` initialisers, arguments,
//! operands, `if`/`while`/`match` conditions, loop bodies, nested blocks, `return` and
//! tail expressions. Tasks that exchange values over channels never deadlock, even when
//! one of them is cancelled anywhere (see [`GenConfig::channels`]).
//!
//! ```
//! let program = vex_hir::testing::well_typed_program(7, &vex_hir::testing::GenConfig::default());
//! assert!(program.contains("fn main()"));
//! ```

use proptest::prelude::*;

/// What a generated program may contain.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GenConfig {
    /// Futures bound with `let f = g(x)` and awaited later, after other statements.
    /// Their tasks then interleave with the spawner, so output order depends on the
    /// scheduler; turn this off for differential tests against sequential evaluation.
    pub deferred_awaits: bool,
    /// `go { … }` blocks (detached tasks; same caveat as `deferred_awaits`).
    pub go_blocks: bool,
    /// `defer` statements.
    pub defers: bool,
    /// `defer` also in nested blocks and loop bodies (by default only at the top of a
    /// function or `go` block, where it registers once per call), printing values of
    /// any type, loop variables and block-scoped locals included: each execution
    /// registers one deferred action, which reads the values at registration.
    pub defers_anywhere: bool,
    /// Plain functions may call themselves (about half of them do): a guard returns
    /// at once unless `0 < a <= 4`, and the tail adds `fN(a - 1, …)` and `fN(a - 2, …)`,
    /// so every call terminates after at most a few dozen nested calls.
    pub recursion: bool,
    /// Number of plain functions.
    pub functions: usize,
    /// Number of async functions (besides `main`).
    pub async_functions: usize,
    /// Statements per block, at most.
    pub block_len: usize,
    /// Nesting depth of expressions and blocks, at most.
    pub depth: u32,
    /// Prepended to the generated function names (`{prefix}f0`, `{prefix}g0`), so that
    /// several generated files can form one program.
    pub prefix: String,
    /// Whether to generate `async fn main()`.
    pub with_main: bool,
    /// The value layer of LANGUAGE.md §8–§10: `Option<i64>`, `Result<i64, string>`,
    /// `Vec<i64>`, closures and named functions as `fn(i64): i64` values, string
    /// methods, `?` (in functions `hN(a: i64): Option<i64>` and
    /// `kN(a: i64): Result<i64, string>`), `??`, `if let`, `while let`, and their
    /// printing. Every operation is one that cannot panic.
    pub values: bool,
    /// Channels and `select` (LANGUAGE.md §11): `Channel<i64>` and `Channel<string>`
    /// between tasks (`go` blocks, async fns and async closures that produce or
    /// consume), buffered channels used by one task, `select` with an `after` or
    /// `default` arm, the operations that never wait, tasks cancelled while they wait,
    /// and sometimes a synchronous `main`. Programs still never deadlock, also when any
    /// task is cancelled at any suspension (every task of a scenario closes its
    /// channels when it stops). Output depends on scheduling: off in
    /// [`GenConfig::sequential`].
    pub channels: bool,
}

impl Default for GenConfig {
    fn default() -> GenConfig {
        GenConfig {
            deferred_awaits: true,
            go_blocks: true,
            defers: true,
            defers_anywhere: false,
            recursion: true,
            functions: 3,
            async_functions: 3,
            block_len: 5,
            depth: 3,
            prefix: String::new(),
            with_main: true,
            values: true,
            channels: true,
        }
    }
}

impl GenConfig {
    /// Programs whose output does not depend on scheduling: every future is awaited
    /// where it is created, no `go` block spawns a task and no channel is used.
    pub fn sequential() -> GenConfig {
        GenConfig {
            deferred_awaits: false,
            go_blocks: false,
            channels: false,
            ..GenConfig::default()
        }
    }
}

/// A proptest strategy of well-typed programs.
pub fn well_typed_programs(config: GenConfig) -> impl Strategy<Value = String> {
    any::<u64>().prop_map(move |seed| well_typed_program(seed, &config))
}

/// The well-typed program for `seed`.
pub fn well_typed_program(seed: u64, config: &GenConfig) -> String {
    let mut generator = Generator {
        rng: seed ^ 0x9E37_79B9_7F4A_7C15,
        config: config.clone(),
        out: String::new(),
        scopes: Vec::new(),
        next_name: 0,
        functions: 0,
        async_functions: 0,
        option_functions: 0,
        result_functions: 0,
        try_into: None,
        in_async: false,
        sync_main: false,
        scenarios_left: 0,
        in_loop: false,
        indent: 0,
        block_depth: 0,
    };
    generator.program();
    generator.out
}

mod channels;
mod generator;
mod values;

use generator::Generator;

/// A program of about `lines` lines, split into files of about `lines_per_file` lines,
/// for benchmarks: `(path, text)` pairs; the first file has `main`.
pub fn large_program(lines: usize, lines_per_file: usize, seed: u64) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut total = 0;
    while total < lines {
        let index = files.len();
        let mut text = String::new();
        let mut part = 0;
        while text.lines().count() < lines_per_file {
            let config = GenConfig {
                prefix: format!("m{index}p{part}_"),
                with_main: index == 0 && part == 0,
                // The benchmarks' input stays what it was before channels.
                channels: false,
                ..GenConfig::default()
            };
            text += &well_typed_program(seed ^ ((index as u64) << 20) ^ part as u64, &config);
            part += 1;
        }
        total += text.lines().count();
        files.push((format!("file{index}.vx"), text));
    }
    files
}

/// A database holding `files` (`(path, text)` pairs) as the program, with the durability
/// policy of `vex::Compiler`: files start medium-durable, and an editor sets an edited
/// text low-durable. For the re-check benchmarks.
pub fn load_program(files: &[(String, String)]) -> (crate::RootDatabase, Vec<crate::SourceFile>) {
    use salsa::{Durability, Setter};
    let mut db = crate::RootDatabase::default();
    let inputs: Vec<crate::SourceFile> = files
        .iter()
        .map(|(path, text)| {
            crate::SourceFile::builder(path.clone(), text.clone())
                .path_durability(Durability::MEDIUM)
                .text_durability(Durability::MEDIUM)
                .new(&db)
        })
        .collect();
    crate::Program::get(&db)
        .set_files(&mut db)
        .with_durability(Durability::MEDIUM)
        .to(inputs.clone());
    (db, inputs)
}

/// The number of proptest cases to run: `VEX_PROPTEST_CASES` when set (as
/// `cargo xtask proptest` does for long runs), else `default` (the CI budget).
pub fn proptest_cases(default: u32) -> u32 {
    std::env::var("VEX_PROPTEST_CASES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// The Vex programs of a corpus laid out like the repository's `examples/`: every
/// `*.vx` file in the subfolders of `dir` (one level deep), sorted. The stages' test
/// suites all walk the examples through this.
pub fn example_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let sections = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for section in sections {
        let section = section.expect("directory entry").path();
        if !section.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&section).expect("readable folder") {
            let file = file.expect("directory entry").path();
            if file.extension().is_some_and(|e| e == "vx") {
                out.push(file);
            }
        }
    }
    out.sort();
    out
}

/// What an example program must do, from the files beside it: `NAME.out` (its stdout;
/// empty when missing), `NAME.code` (its exit status; 0 when missing) and `NAME.err`
/// (its exact stderr, checked only when present).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The whole standard output.
    pub stdout: String,
    /// The exit status.
    pub code: i32,
    /// The whole standard error, when the example pins it.
    pub stderr: Option<String>,
}

impl Expected {
    /// The expectations of the example at `path` (a `.vx` file).
    pub fn of(path: &std::path::Path) -> Expected {
        let read = |ext: &str| std::fs::read_to_string(path.with_extension(ext)).ok();
        let code = read("code").map_or(0, |c| {
            c.trim().parse().unwrap_or_else(|e| panic!("{}: bad .code file: {e}", path.display()))
        });
        Expected { stdout: read("out").unwrap_or_default(), code, stderr: read("err") }
    }

    /// How `(stdout, stderr, code)` differs from what is expected, one line per
    /// difference; empty when it matches.
    pub fn mismatches(&self, stdout: &str, stderr: &str, code: i32) -> Vec<String> {
        let mut out = Vec::new();
        if stdout != self.stdout {
            out.push(format!("stdout\n{stdout}\nexpected\n{}", self.stdout));
        }
        if code != self.code {
            out.push(format!("exit code {code}, expected {} (stderr: {stderr})", self.code));
        }
        if let Some(err) = &self.stderr
            && stderr != err
        {
            out.push(format!("stderr {stderr:?}, expected {err:?}"));
        }
        out
    }
}

/// The examples whose output does not depend on scheduling, listed one path per line
/// (relative to `root`, the repository) in `root/examples/order_independent.txt`.
pub fn order_independent_files(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let list = root.join("examples/order_independent.txt");
    let list = std::fs::read_to_string(&list).unwrap_or_else(|e| panic!("{}: {e}", list.display()));
    list.lines().map(str::trim).filter(|l| l.ends_with(".vx")).map(|l| root.join(l)).collect()
}
