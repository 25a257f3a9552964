//! Parser throughput benchmark: parses a generated 100,000-line Vex Core program and
//! reports MB/s and lines/s (a direct measurement first, then criterion's statistics).

use criterion::{Criterion, Throughput};
use std::hint::black_box;
use std::time::Instant;

const LINES: usize = 100_000;

fn main() {
    let text = vex_syntax::testing::large_program(LINES, 7);
    let lines = text.lines().count();
    let bytes = text.len();

    // Direct measurement: best of a few full parses (tree built and dropped each time).
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let start = Instant::now();
        let parse = vex_syntax::parse(black_box(&text));
        black_box(parse.errors().len());
        drop(parse);
        best = best.min(start.elapsed().as_secs_f64());
    }
    let errors = vex_syntax::parse(&text).errors().len();
    println!(
        "parse: {lines} lines, {:.2} MB, {errors} errors; best {:.1} ms = {:.1} MB/s, {:.0} lines/s",
        bytes as f64 / 1e6,
        best * 1e3,
        bytes as f64 / 1e6 / best,
        lines as f64 / best
    );

    let mut criterion = Criterion::default().sample_size(10).configure_from_args();
    let mut group = criterion.benchmark_group("parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    group
        .bench_function("generated_100k_lines", |b| b.iter(|| vex_syntax::parse(black_box(&text))));
    group.finish();
    let mut lex_group = criterion.benchmark_group("lex");
    lex_group.throughput(Throughput::Bytes(bytes as u64));
    lex_group
        .bench_function("generated_100k_lines", |b| b.iter(|| vex_syntax::lex(black_box(&text))));
    lex_group.finish();
    criterion.final_summary();
}
