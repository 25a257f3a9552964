//! Tests of the front end: inferred types (snapshots of the HIR dump), one fixture per
//! diagnostic with its exact span, and incrementality from salsa's execution log.

mod diagnostics;
mod incremental;
mod properties;
mod types;
mod values;

use salsa::Setter;

use crate::db::{Program, RootDatabase, SourceFile};

/// A database holding the given files.
fn db_with(files: &[(&str, &str)]) -> (RootDatabase, Vec<SourceFile>) {
    let mut db = RootDatabase::default();
    let files: Vec<SourceFile> = files
        .iter()
        .map(|(path, text)| SourceFile::new(&db, path.to_string(), text.to_string()))
        .collect();
    Program::get(&db).set_files(&mut db).to(files.clone());
    (db, files)
}
