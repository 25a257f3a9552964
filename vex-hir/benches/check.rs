//! Checking a generated 100,000-line program, as 100 files of 1,000 lines and as one
//! file: from scratch, and again after an edit inside one function's body (the
//! incremental path an editor takes on every keystroke).
//!
//! Prints both times and their ratio; `cargo bench -p vex-hir` (criterion) runs it.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use salsa::{Durability, Setter};
use vex_hir::testing::{large_program, load_program};
use vex_hir::{RootDatabase, SourceFile};

const LINES: usize = 100_000;

// The allocator the `vex` binary uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn check_all(db: &RootDatabase, files: &[SourceFile]) -> usize {
    files.iter().map(|&f| vex_hir::file_diagnostics(db, f).len()).sum()
}

/// Edits one file, alternating between an edit inside its first function body and the
/// original text.
struct Editor {
    target: usize,
    original: String,
    edited: String,
    flip: bool,
}

impl Editor {
    fn new(files: &[(String, String)]) -> Editor {
        let target = files.len() / 2;
        let original = files[target].1.clone();
        let edited = original.replacen(
            "(a: i64, b!: i64): i64 {",
            "(a: i64, b!: i64): i64 {\n    let edited = 1",
            1,
        );
        Editor { target, original, edited, flip: false }
    }

    /// The file's next text, built as an editor builds it before handing it over (not
    /// part of the measured time).
    fn next_text(&mut self) -> String {
        self.flip = !self.flip;
        if self.flip { self.edited.clone() } else { self.original.clone() }
    }

    /// Hands the new text to the database.
    fn apply(&self, db: &mut RootDatabase, inputs: &[SourceFile], text: String) {
        inputs[self.target].set_text(db).with_durability(Durability::LOW).to(text);
    }
}

/// The program in `lines_per_file` pieces: measured once from scratch and after 20
/// one-function edits (printed as the headline), then under criterion as `name`.
fn scenario(c: &mut Criterion, name: &str, lines_per_file: usize) {
    let files = large_program(LINES, lines_per_file, 2026);
    let lines: usize = files.iter().map(|(_, t)| t.lines().count()).sum();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();

    let started = Instant::now();
    let (mut db, inputs) = load_program(&files);
    let errors = check_all(&db, &inputs);
    let scratch = started.elapsed();
    assert_eq!(errors, 0, "the generated program must check cleanly");

    let mut editor = Editor::new(&files);
    // Opening the file in an editor makes its text low-durable before the first edit
    // (`vex::Compiler::open_for_editing`); that re-validation is not an edit's cost.
    let target = inputs[editor.target];
    target.set_text(&mut db).with_durability(Durability::LOW).to(editor.original.clone());
    check_all(&db, &inputs);
    let mut recheck = Duration::ZERO;
    const EDITS: u32 = 20;
    for _ in 0..EDITS {
        let text = editor.next_text();
        let started = Instant::now();
        editor.apply(&mut db, &inputs, text);
        check_all(&db, &inputs);
        recheck += started.elapsed();
    }
    let recheck = recheck / EDITS;
    println!(
        "check {lines} lines ({:.1} MB, {} files) from scratch: {scratch:.2?}; re-check after a one-function edit: {recheck:.2?}; ratio {:.0}x",
        bytes as f64 / 1e6,
        files.len(),
        scratch.as_secs_f64() / recheck.as_secs_f64()
    );

    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.bench_function("from_scratch_100k_lines", |b| {
        b.iter(|| {
            let (db, inputs) = load_program(&files);
            check_all(&db, &inputs)
        })
    });
    group.bench_function("recheck_after_one_function_edit", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let text = editor.next_text();
                let started = Instant::now();
                editor.apply(&mut db, &inputs, text);
                check_all(&db, &inputs);
                total += started.elapsed();
            }
            total
        })
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    scenario(c, "check_100_files", 1_000);
    scenario(c, "check_one_file", LINES);
}

criterion_group!(benches, bench);
criterion_main!(benches);
