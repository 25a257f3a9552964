//! Checking a generated 100,000-line program: from scratch, and again after an edit
//! inside one function's body (the incremental path an editor takes on every keystroke).
//!
//! Prints both times and their ratio; `cargo bench -p vex-hir` (criterion) runs it.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use salsa::{Durability, Setter};
use vex_hir::testing::large_program;
use vex_hir::{Program, RootDatabase, SourceFile};

const LINES: usize = 100_000;

// The allocator the `vex` binary uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
const LINES_PER_FILE: usize = 1_000;

fn load(files: &[(String, String)]) -> (RootDatabase, Vec<SourceFile>) {
    let mut db = RootDatabase::default();
    // The durability policy of `vex::Compiler`: files start medium-durable and become
    // low-durable when edited.
    let inputs: Vec<SourceFile> = files
        .iter()
        .map(|(path, text)| {
            SourceFile::builder(path.clone(), text.clone())
                .path_durability(Durability::MEDIUM)
                .text_durability(Durability::MEDIUM)
                .new(&db)
        })
        .collect();
    Program::get(&db).set_files(&mut db).with_durability(Durability::MEDIUM).to(inputs.clone());
    (db, inputs)
}

fn check_all(db: &RootDatabase, files: &[SourceFile]) -> usize {
    files.iter().map(|&f| vex_hir::file_diagnostics(db, f).len()).sum()
}

fn bench(c: &mut Criterion) {
    let files = large_program(LINES, LINES_PER_FILE, 2026);
    let lines: usize = files.iter().map(|(_, t)| t.lines().count()).sum();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();

    // One measured run of each, printed as the headline numbers.
    let started = Instant::now();
    let (mut db, inputs) = load(&files);
    let errors = check_all(&db, &inputs);
    let scratch = started.elapsed();
    assert_eq!(errors, 0, "the generated program must check cleanly");

    let target = files.len() / 2;
    let original = files[target].1.clone();
    let mut flip = false;
    let mut edit = |db: &mut RootDatabase| {
        flip = !flip;
        // Change a literal inside the first function body of one file.
        let text = if flip {
            original.replacen(
                "(a: i64, b!: i64): i64 {",
                "(a: i64, b!: i64): i64 {\n    let edited = 1",
                1,
            )
        } else {
            original.clone()
        };
        inputs[target].set_text(db).with_durability(Durability::LOW).to(text);
    };
    let mut recheck = Duration::ZERO;
    const EDITS: u32 = 20;
    for _ in 0..EDITS {
        edit(&mut db);
        let started = Instant::now();
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

    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.bench_function("from_scratch_100k_lines", |b| {
        b.iter(|| {
            let (db, inputs) = load(&files);
            check_all(&db, &inputs)
        })
    });
    group.bench_function("recheck_after_one_function_edit", |b| {
        b.iter(|| {
            edit(&mut db);
            check_all(&db, &inputs)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
