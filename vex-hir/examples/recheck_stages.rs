//! Where the time of a re-check goes: checks a generated 100,000-line program, then edits
//! one function body 20 times and prints the average time of each stage of the re-check
//! (parse, item tree, bodies, inference, body diagnostics, then every file's diagnostics,
//! which is mostly salsa verifying the files that did not change).
//!
//! `cargo run --profile bench -p vex-hir --example recheck_stages [LINES_PER_FILE]`
//! (default 100000: one file; 1000 gives 100 files).

use std::time::{Duration, Instant};

use salsa::{Durability, Setter};
use vex_hir::RootDatabase;
use vex_hir::ids::FunctionLoc;
use vex_hir::lower::{BodyId, BodyOwner};
use vex_hir::testing::{large_program, load_program};

// The allocator the `vex` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EDITS: u32 = 20;
const STAGES: [&str; 6] =
    ["parse", "item tree", "bodies", "infer", "body diagnostics", "all files' diagnostics"];

fn main() {
    let per_file = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let files = large_program(100_000, per_file, 2026);
    let (mut db, inputs) = load_program(&files);
    let check_all = |db: &RootDatabase| -> usize {
        inputs.iter().map(|&f| vex_hir::file_diagnostics(db, f).len()).sum()
    };
    assert_eq!(check_all(&db), 0, "the generated program checks cleanly");

    let target = inputs[files.len() / 2];
    let original = files[files.len() / 2].1.clone();
    let edited = original.replacen(
        "(a: i64, b!: i64): i64 {",
        "(a: i64, b!: i64): i64 {\n    let edited = 1",
        1,
    );
    let mut stages = [Duration::ZERO; STAGES.len()];
    let started = Instant::now();
    for i in 0..EDITS {
        let text = if i % 2 == 0 { edited.clone() } else { original.clone() };
        target.set_text(&mut db).with_durability(Durability::LOW).to(text);
        let mut lap = Instant::now();
        let mut done = |stage: usize| {
            stages[stage] += lap.elapsed();
            lap = Instant::now();
        };
        vex_hir::item_tree::parse(&db, target);
        done(0);
        let functions = vex_hir::item_tree::item_tree(&db, target).functions.len() as u32;
        done(1);
        let ids: Vec<BodyId> = (0..functions)
            .map(|index| BodyId::new(&db, BodyOwner::Function(FunctionLoc { file: target, index })))
            .collect();
        ids.iter().for_each(|&id| {
            vex_hir::lower::body(&db, id);
        });
        done(2);
        ids.iter().for_each(|&id| {
            vex_hir::infer::infer(&db, id);
        });
        done(3);
        ids.iter().for_each(|&id| {
            vex_hir::check::body_diagnostics(&db, id);
        });
        done(4);
        check_all(&db);
        done(5);
    }
    println!(
        "{} files: re-check after a one-function edit {:.2?} on average",
        inputs.len(),
        started.elapsed() / EDITS
    );
    for (name, time) in STAGES.iter().zip(stages) {
        println!("  {name:<24} {:>10.2?}", time / EDITS);
    }
}
