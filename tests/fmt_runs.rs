//! Formatting keeps what a program does: the formatted text of a program prints the same
//! and ends the same way (exit code, and the message of a panic) as the program it came
//! from, run in the evaluator in deterministic mode (one worker, virtual clock). The
//! formatted text is also checked to format to itself.
//!
//! Checked on generated well-typed programs (`vex::unstable`, feature
//! `unstable-testing`), as the generator writes them and with their layout scrambled
//! first (whitespace, line breaks and comments between tokens, so that the formatter
//! has work to do), and on every example program of the repository.
//!
//! `vex-fmt`'s own tests check the promise behind this one (same tree modulo trivia);
//! this test checks what a user relies on, through the whole compiler.

use std::path::Path;
use std::time::Duration;

use proptest::prelude::*;
use vex::syntax::SyntaxKind;
use vex::unstable::hir::testing::{example_files, well_typed_programs};
use vex::unstable::lower::testing::full_config;
use vex::{Compiler, Config, Ending, Engine, Error, RunOptions};

/// The evaluator's steps per run: generated programs end well within it; a run that
/// uses it up ends the same way (interrupted) with or without formatting, since the
/// formatted program has the same statements.
const FUEL: u64 = 2_000_000;

/// What a run shows from outside. A panic's location is left out: it moves with the
/// layout.
#[derive(Debug, PartialEq, Eq)]
enum Observed {
    /// The program did not compile: the codes and messages of its diagnostics.
    Rejected(Vec<String>),
    /// The program ran.
    Ran {
        stdout: String,
        exit_code: i32,
        /// How the run ended (for a panic, its message).
        ending: String,
    },
}

/// Compiles `text` as the file `path` and runs it in the evaluator, deterministic.
fn observe(path: &str, text: &str, deadline: Option<Duration>) -> Observed {
    let mut compiler = Compiler::new();
    compiler.set_file(path, text);
    let config =
        Config::new().engine(Engine::Interpreter).workers(1).deterministic(true).fuel(Some(FUEL));
    let program = match compiler.compile(&config) {
        Ok(program) => program,
        Err(Error::Diagnostics(diagnostics)) => {
            return Observed::Rejected(
                diagnostics
                    .iter()
                    .map(|d| format!("{:?} {}", d.diagnostic.code, d.diagnostic.message))
                    .collect(),
            );
        }
        Err(error) => return Observed::Rejected(vec![error.to_string()]),
    };
    let mut options = RunOptions::new().capture_output(true);
    if let Some(deadline) = deadline {
        options = options.deadline(deadline);
    }
    let outcome = program.run(&options).unwrap_or_else(|e| panic!("{path}: cannot run: {e}"));
    let ending = match &outcome.ending {
        Ending::Panicked(panic) => format!("panicked: {}", panic.message),
        other => format!("{other:?}"),
    };
    Observed::Ran { stdout: outcome.stdout.clone(), exit_code: outcome.exit_code(), ending }
}

/// Formats `text`, checks that the result formats to itself, and returns it.
fn format_idempotent(text: &str) -> Result<String, String> {
    let formatted = vex::format(text).map_err(|errors| format!("does not format: {errors:?}"))?;
    let twice = vex::format(&formatted)
        .map_err(|errors| format!("the formatted text does not parse: {errors:?}"))?;
    if twice != formatted {
        let line = formatted
            .lines()
            .zip(twice.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(formatted.lines().count().min(twice.lines().count()));
        return Err(format!(
            "formatting is not idempotent from line {}:\n--- once:\n{formatted}\n--- twice:\n{twice}",
            line + 1
        ));
    }
    Ok(formatted)
}

/// Rewrites the whitespace between the tokens of `text`, choosing from `choices` in
/// turn, without changing what the program means: a run of spaces becomes other spaces,
/// a tab or a block comment; a line break becomes several, gets another indentation, or
/// a line comment before it. Line breaks stay line breaks, since they end statements.
fn scramble(text: &str, choices: &[u8]) -> String {
    let (tokens, _) = vex::syntax::lex(text);
    let mut out = String::with_capacity(text.len() * 2);
    let mut choice = choices.iter().cycle();
    for token in &tokens {
        let piece = &text[token.range];
        let pick = *choice.next().expect("choices are not empty");
        match token.kind {
            SyntaxKind::WHITESPACE => out.push_str(match pick % 5 {
                0 => " ",
                1 => "   ",
                2 => "\t",
                3 => " /* c */ ",
                _ => piece,
            }),
            SyntaxKind::NEWLINE => out.push_str(match pick % 5 {
                0 => "\n\n\n",
                1 => "\n            ",
                2 => " // note\n",
                3 => "\n",
                _ => piece,
            }),
            _ => out.push_str(piece),
        }
    }
    out
}

/// Whether `scrambled` parses cleanly to the same tree as `text`, trivia aside.
fn same_program(text: &str, scrambled: &str) -> bool {
    vex::syntax::parse(scrambled).errors().is_empty()
        && vex_fmt::verify::structure(scrambled) == vex_fmt::verify::structure(text)
}

proptest! {
    // Each case compiles and runs three programs in the evaluator: 64 cases take about
    // ten seconds in a debug build.
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn generated_programs_run_the_same_formatted(
        program in well_typed_programs(full_config()),
        choices in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let scrambled = scramble(&program, &choices);
        // A comment where the grammar looks at line breaks could change the parse; only
        // scrambles that keep the program count.
        prop_assume!(same_program(&program, &scrambled));
        let fail = |error: String| {
            TestCaseError::fail(format!("{error}\n--- program:\n{program}\n--- scrambled:\n{scrambled}"))
        };
        let formatted = format_idempotent(&program).map_err(fail)?;
        let formatted_scrambled = format_idempotent(&scrambled).map_err(fail)?;
        let before = observe("gen.vx", &program, None);
        let after = observe("gen.vx", &formatted, None);
        prop_assert_eq!(&before, &after, "formatted:\n{}\n--- program:\n{}", formatted, program);
        let after_scrambled = observe("gen.vx", &formatted_scrambled, None);
        prop_assert_eq!(
            &before,
            &after_scrambled,
            "formatted from the scrambled layout:\n{}\n--- scrambled:\n{}",
            formatted_scrambled,
            scrambled
        );
    }
}

/// Every example program runs the same formatted, from a scrambled layout (the examples
/// are already formatted, so formatting them as they are proves nothing). Examples that
/// serve or fetch over TCP or read files run too (from the repository root, as
/// `tests/examples.rs` runs them); the deadline only guards against a hang, and a run it
/// stops is not compared.
#[test]
fn examples_run_the_same_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = example_files(&root.join("examples"));
    assert!(files.len() >= 30, "expected the example programs, found {}", files.len());
    let deadline = Some(Duration::from_secs(20));
    let (mut compared, mut failures) = (0, Vec::new());
    for file in files {
        let path = file.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        if !vex::syntax::parse(&text).errors().is_empty() {
            // Examples of syntax errors are not formatted.
            continue;
        }
        // The first of a few fixed scrambles that keeps the program.
        let scrambled = (1..=8u8)
            .map(|seed| {
                let choices: Vec<u8> =
                    (0..61u8).map(|i| i.wrapping_mul(37).wrapping_add(seed)).collect();
                scramble(&text, &choices)
            })
            .find(|scrambled| same_program(&text, scrambled))
            .unwrap_or_else(|| text.clone());
        let formatted = match format_idempotent(&scrambled) {
            Ok(formatted) => formatted,
            Err(error) => {
                failures.push(format!("{path}: {error}"));
                continue;
            }
        };
        let before = observe(&path, &text, deadline);
        let after = observe(&path, &formatted, deadline);
        let stopped = |observed: &Observed| matches!(observed, Observed::Ran { ending, .. } if ending.starts_with("Interrupted"));
        if stopped(&before) || stopped(&after) {
            continue;
        }
        compared += 1;
        if before != after {
            failures.push(format!("{path}:\nbefore formatting: {before:?}\nafter: {after:?}"));
        }
    }
    assert!(compared >= 30, "only {compared} examples compared");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
