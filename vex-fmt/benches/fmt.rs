//! Formatter throughput: formats a generated 100,000-line Vex Core program (laid out
//! badly first, so the formatter has work to do) and reports MB/s, best of 10 runs, then
//! criterion's statistics. The goal (issue 16) is at least 20 MB/s. Parsing the same
//! text (and dropping its tree), which `format` starts with, is measured too: it bounds
//! what the formatter's own work can reach.

use criterion::{Criterion, Throughput};
use std::hint::black_box;
use std::time::{Duration, Instant};

const LINES: usize = 100_000;

// The allocator the `vex` binary uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let text = vex_syntax::testing::large_program(LINES, 7);
    let bytes = text.len();
    let mut best = f64::INFINITY;
    let mut best_parse = f64::INFINITY;
    for _ in 0..10 {
        let start = Instant::now();
        let formatted = vex_fmt::format(black_box(&text)).expect("the generated program parses");
        best = best.min(start.elapsed().as_secs_f64());
        black_box(formatted.len());
        let start = Instant::now();
        drop(black_box(vex_syntax::parse(black_box(&text))));
        best_parse = best_parse.min(start.elapsed().as_secs_f64());
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "vex fmt: {:.2} MB, {} lines formatted in {:.1} ms (best of 10): {:.1} MB/s",
        mb,
        text.lines().count(),
        best * 1e3,
        mb / best
    );
    println!(
        "vex_syntax::parse alone (and dropping the tree): {:.1} ms (best of 10): {:.1} MB/s",
        best_parse * 1e3,
        mb / best_parse
    );

    let mut criterion = Criterion::default()
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    let mut group = criterion.benchmark_group("fmt");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("format_100k_lines", |b| b.iter(|| vex_fmt::format(black_box(&text))));
    group.finish();
    criterion.final_summary();
}
