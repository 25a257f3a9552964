//! Fuzz target `lower`: any UTF-8 text that checks without errors lowers to IR that
//! validates before and after the coroutine transform, and the evaluator runs it
//! (bounded by fuel; programs doing file or socket I/O are not run) without panicking
//! and without finding a leak, a double release, an undefined read or a defer record
//! left behind.

#![no_main]

use libfuzzer_sys::fuzz_target;
use salsa::Setter;
use vex_async_lower::eval::{Mode, Options, run_main};
use vex_async_lower::ir::validate::{Stage, validate_module};
use vex_hir::{Program, RootDatabase, Severity, SourceFile};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut db = RootDatabase::default();
    let file = SourceFile::new(&db, "fuzz.vx".to_owned(), text.to_owned());
    Program::get(&db).set_files(&mut db).to(vec![file]);
    if vex_hir::file_diagnostics(&db, file).iter().any(|d| d.severity == Severity::Error) {
        return;
    }
    let built = vex_async_lower::module_built(&db);
    if let Err(errors) = validate_module(&built, Stage::Built) {
        panic!("built IR invalid: {errors:?}");
    }
    let lowered = vex_async_lower::module_ir(&db);
    if let Err(errors) = validate_module(&lowered, Stage::Transformed) {
        panic!("lowered IR invalid: {errors:?}");
    }
    // Programs that touch files or sockets are lowered and validated but not run: the
    // evaluator does real I/O (LANGUAGE.md §13), which could write or remove files and
    // wait for a peer forever.
    let does_io =
        lowered.functions.iter().flat_map(|f| &f.blocks).flat_map(|b| &b.stmts).any(|s| match s {
            vex_async_lower::ir::Stmt::Runtime { op, .. } => op.io_future_result().is_some(),
            _ => false,
        });
    if lowered.function("main").is_some() && !does_io {
        let mut options = Options::new(Mode::Scheduled);
        options.fuel = Some(100_000);
        let result = run_main(&lowered, options);
        // Ownership bugs are bugs whatever the program does; running out of fuel or
        // calling an extern the evaluator does not model is not.
        let broken: Vec<&String> = result
            .errors
            .iter()
            .filter(|e| {
                ["leaked", "released more often", "released twice", "undefined", "defer record"]
                    .iter()
                    .any(|what| e.contains(what))
            })
            .collect();
        assert!(broken.is_empty(), "evaluator found: {broken:?}");
    }
});
