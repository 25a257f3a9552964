//! Tests: IR snapshots, the examples through the evaluator, incrementality.

mod channels;
mod combinators;
mod examples;
mod incremental;
mod properties;
mod runs;
mod sequential;
mod sizes;
mod snapshots;

use salsa::Setter;
use vex_hir::{Program, RootDatabase, SourceFile};

/// A database holding the given files.
pub(crate) fn db_with(files: &[(&str, &str)]) -> (RootDatabase, Vec<SourceFile>) {
    let mut db = RootDatabase::default();
    let files: Vec<SourceFile> = files
        .iter()
        .map(|(path, text)| SourceFile::new(&db, path.to_string(), text.to_string()))
        .collect();
    Program::get(&db).set_files(&mut db).to(files.clone());
    (db, files)
}
