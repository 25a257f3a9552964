//! Property tests: generated well-typed programs check without errors, and broken
//! programs (tokens deleted, identifiers swapped) never make the checker panic.

use proptest::prelude::*;

use super::db_with;
use crate::testing::{GenConfig, proptest_cases, well_typed_program, well_typed_programs};

fn diagnostics_of(text: &str) -> Vec<String> {
    let (db, files) = db_with(&[("gen.vx", text)]);
    crate::file_diagnostics(&db, files[0])
        .into_iter()
        .map(|d| format!("{:?} {}: {}", d.range, &text[d.range], d.message))
        .collect()
}

#[test]
fn a_fixed_seed_program_is_well_typed() {
    let program = well_typed_program(1, &GenConfig::default());
    assert_eq!(diagnostics_of(&program), Vec::<String>::new(), "{program}");
}

/// The generator really produces the value layer: across a few seeds, every construct
/// of §8–§10 it knows appears.
#[test]
fn generated_programs_use_the_value_layer() {
    let text: String =
        (1..40u64).map(|seed| well_typed_program(seed, &GenConfig::default())).collect();
    for construct in [
        "?\n",
        " ?? ",
        "if let Some(",
        "while let Some(",
        "Vec.new<i64>()",
        ".push(",
        ".map(|",
        ".filter(|",
        "Option<i64>",
        "Result<i64, string>",
        "fn(i64): i64",
        ").toInt()",
        ".okOr(",
        "|p",
    ] {
        assert!(text.contains(construct), "no `{construct}` in 39 generated programs");
    }
}

/// The generator really produces channels (LANGUAGE.md §11): across a few seeds, every
/// channel construct it knows appears, in programs that check without errors; the
/// sequential configuration has none.
#[test]
fn generated_programs_use_channels() {
    let programs: Vec<String> =
        (1..40u64).map(|seed| well_typed_program(seed, &GenConfig::default())).collect();
    for program in &programs {
        assert_eq!(diagnostics_of(program), Vec::<String>::new(), "{program}");
    }
    let text = programs.concat();
    for construct in [
        "Channel.new<i64>(",
        "Channel.new<string>(",
        ": Channel<",
        " <- ",
        "println(<-",
        ".send(",
        ".recv()",
        ".trySend(",
        ".tryRecv()",
        ".len(), ",
        ".isClosed()",
        ".close()",
        "defer ch",
        "for v in ",
        "select {",
        "after ",
        "default => ",
        "go {",
        "async |",
        "async || {",
        "cancel(",
        "fn main() {",
        "_str(ch",
        "_int(ch",
        "poll_int(",
        ": i64| if ch",
    ] {
        assert!(text.contains(construct), "no `{construct}` in 39 generated programs");
    }
    let sequential: String =
        (1..40u64).map(|seed| well_typed_program(seed, &GenConfig::sequential())).collect();
    assert!(!sequential.contains("Channel"), "channels in sequential programs");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(proptest_cases(256)))]

    #[test]
    fn generated_programs_check_without_errors(program in well_typed_programs(GenConfig::default())) {
        let diagnostics = diagnostics_of(&program);
        prop_assert!(diagnostics.is_empty(), "{diagnostics:#?}\n{program}");
    }

    #[test]
    fn mutated_programs_never_panic(
        program in well_typed_programs(GenConfig::default()),
        cuts in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..12), 1..4),
        swap in any::<bool>(),
    ) {
        let mut text = program;
        for (at, len) in cuts {
            let start = at.index(text.len().max(1)).min(text.len());
            let mut end = (start + len).min(text.len());
            let mut start = start;
            while !text.is_char_boundary(start) { start -= 1; }
            while !text.is_char_boundary(end) { end += 1; }
            text.replace_range(start..end, "");
        }
        if swap {
            text = text.replace("g0", "f0").replace("v1", "a");
        }
        let _ = diagnostics_of(&text);
    }
}

/// Checking on several threads first gives exactly the diagnostics of checking on one,
/// for a program of several files with errors in some of them (a broken call, a type
/// mismatch, a syntax error, a duplicate name across files).
#[test]
fn checking_in_parallel_gives_the_same_diagnostics() {
    let mut files: Vec<(String, String)> = (0..6)
        .map(|i| {
            (
                format!("part{i}.vx"),
                well_typed_program(
                    i,
                    &GenConfig {
                        prefix: format!("p{i}_"),
                        with_main: i == 0,
                        ..GenConfig::default()
                    },
                ),
            )
        })
        .collect();
    files[1].1.push_str("\nfn broken(): i64 { p0_missing(1) + \"no\" }\n");
    files[2].1.push_str("\nfn syntax( { }\n");
    files[3].1.push_str("\nfn dup() {}\n");
    files[4].1.push_str("\nfn dup() {}\nfn mismatch(): bool { 1 }\n");
    let inputs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let all = |db: &crate::RootDatabase, files: &[crate::SourceFile]| -> Vec<String> {
        files
            .iter()
            .flat_map(|&f| crate::file_diagnostics(db, f))
            .map(|d| format!("{:?} {:?} {}", d.code, d.range, d.message))
            .collect()
    };
    let (sequential_db, sequential_files) = super::db_with(&inputs);
    let expected = all(&sequential_db, &sequential_files);
    assert!(expected.len() >= 4, "{expected:?}");
    for threads in [2, 3, 8] {
        let (db, files) = super::db_with(&inputs);
        crate::check_in_parallel(&db, threads);
        assert_eq!(all(&db, &files), expected, "{threads} threads");
    }
}
