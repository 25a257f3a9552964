//! Tests of the front end: inferred types (snapshots of the HIR dump), one fixture per
//! diagnostic with its exact span, and incrementality from salsa's execution log.

mod concurrency;
mod diagnostics;
mod incremental;
mod io;
mod properties;
mod scaling;
mod types;
mod values;

use salsa::Setter;

use crate::db::{Program, RootDatabase, SourceFile};

/// A database holding the given files.
fn db_with(files: &[(&str, &str)]) -> (RootDatabase, Vec<SourceFile>) {
    let mut db = RootDatabase::with_query_log();
    let files: Vec<SourceFile> = files
        .iter()
        .map(|(path, text)| SourceFile::new(&db, path.to_string(), text.to_string()))
        .collect();
    Program::get(&db).set_files(&mut db).to(files.clone());
    (db, files)
}

/// The diagnostics of the one-file program `text`, one per line as
/// `CODE START..END "spanned text": message`, each followed by its labels and notes.
fn render_diagnostics(text: &str) -> String {
    let (db, files) = db_with(&[("main.vx", text)]);
    let mut out = String::new();
    for d in crate::file_diagnostics(&db, files[0]) {
        let range = d.range;
        let code = d.code.map_or("syntax", crate::Code::as_str);
        out += &format!("{code} {range:?} {:?}: {}\n", &text[range], d.message);
        for label in &d.labels {
            out +=
                &format!("  label {:?} {:?}: {}\n", label.range, &text[label.range], label.message);
        }
        for note in &d.notes {
            out += &format!("  {note}\n");
        }
        for fix in &d.fixes {
            out += &format!("  fix: {}", fix.message);
            for edit in &fix.edits {
                out += &format!(" [{:?} {:?}]", edit.range, edit.insert);
            }
            out += "\n";
        }
    }
    out
}
