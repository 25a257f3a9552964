//! Parser throughput benchmark: parses a generated 100,000-line Vex Core program and
//! reports MB/s and lines/s (a direct measurement first, then criterion's statistics).

use criterion::{Criterion, Throughput};
use std::hint::black_box;
use std::time::{Duration, Instant};

const LINES: usize = 100_000;

// The allocator the `vex` binary uses (src/main.rs). Parsing allocates many small tree
// nodes; with glibc's malloc the same run measured 28 MB/s mean (32 MB/s best) instead.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let text = vex_syntax::testing::large_program(LINES, 7);
    let lines = text.lines().count();
    let bytes = text.len();

    // Direct measurement, best of 10: `parse()` alone, and `parse()` plus dropping the tree.
    let mut best_parse = f64::INFINITY;
    let mut best_with_drop = f64::INFINITY;
    for _ in 0..10 {
        let start = Instant::now();
        let parse = vex_syntax::parse(black_box(&text));
        let parsed = start.elapsed().as_secs_f64();
        black_box(parse.errors().len());
        drop(parse);
        best_parse = best_parse.min(parsed);
        best_with_drop = best_with_drop.min(start.elapsed().as_secs_f64());
    }
    let errors = vex_syntax::parse(&text).errors().len();
    let mb = bytes as f64 / 1e6;
    println!("parse: {lines} lines, {mb:.2} MB, {errors} errors");
    for (what, secs) in [("parse", best_parse), ("parse + drop", best_with_drop)] {
        println!(
            "  {what}: best {:.1} ms = {:.1} MB/s, {:.0} lines/s",
            secs * 1e3,
            mb / secs,
            lines as f64 / secs
        );
    }

    let mut criterion = Criterion::default().sample_size(10).configure_from_args();
    let mut group = criterion.benchmark_group("parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    // Times `parse()` only; each tree is dropped outside the timed region.
    group.bench_function("generated_100k_lines", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let parse = vex_syntax::parse(black_box(&text));
                total += start.elapsed();
                drop(parse);
            }
            total
        })
    });
    group.bench_function("generated_100k_lines_with_drop", |b| {
        b.iter(|| drop(vex_syntax::parse(black_box(&text))))
    });
    group.finish();
    let mut lex_group = criterion.benchmark_group("lex");
    lex_group.throughput(Throughput::Bytes(bytes as u64));
    lex_group
        .bench_function("generated_100k_lines", |b| b.iter(|| vex_syntax::lex(black_box(&text))));
    lex_group.finish();
    criterion.final_summary();
}
