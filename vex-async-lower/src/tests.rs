//! Tests: IR snapshots, the examples through the evaluator, incrementality.

mod channels;
mod combinators;
mod examples;
mod incremental;
mod io;
mod properties;
mod reachable;
mod runs;
mod scaling;
mod sequential;
mod sizes;
mod snapshots;

use salsa::Setter;
use vex_hir::{Program, RootDatabase, SourceFile};

/// A database holding the given files.
pub(crate) fn db_with(files: &[(&str, &str)]) -> (RootDatabase, Vec<SourceFile>) {
    let mut db = RootDatabase::with_query_log();
    let files: Vec<SourceFile> = files
        .iter()
        .map(|(path, text)| SourceFile::new(&db, path.to_string(), text.to_string()))
        .collect();
    Program::get(&db).set_files(&mut db).to(files.clone());
    (db, files)
}

/// Runs the one-file program `input` (which must check without errors) under the
/// deterministic scheduler, after validating both IR stages; its stdout, stderr (when
/// any) and exit code, and no evaluator error. `repeat`: a second run must give the
/// same result.
pub(crate) fn run_scheduled(input: &str, repeat: bool) -> String {
    run_scheduled_with(input, repeat, crate::eval::Options::new(crate::eval::Mode::Scheduled))
}

/// [`run_scheduled`] with the evaluator's options given.
pub(crate) fn run_scheduled_with(
    input: &str,
    repeat: bool,
    options: crate::eval::Options,
) -> String {
    use crate::eval::run_main;
    use crate::ir::validate::{Stage, validate_module};
    use crate::queries::{module_built, module_ir};
    let (db, files) = db_with(&[("main.vx", input)]);
    let errors: Vec<_> = vex_hir::file_diagnostics(&db, files[0])
        .into_iter()
        .filter(|d| d.severity == vex_hir::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    validate_module(&module_built(&db), Stage::Built).unwrap();
    let lowered = module_ir(&db);
    validate_module(&lowered, Stage::Transformed).unwrap();
    let run = run_main(&lowered, options.clone());
    assert!(run.errors.is_empty(), "{:?}\n{}", run.errors, run.stdout);
    if repeat {
        let again = run_main(&lowered, options);
        assert_eq!(run, again, "a deterministic run repeats exactly");
    }
    let mut out = run.stdout;
    if !run.stderr.is_empty() {
        out += &format!("stderr: {}", run.stderr);
    }
    format!("{out}exit {}\n", run.exit_code)
}
