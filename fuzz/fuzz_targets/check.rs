//! Fuzz target `check`: any UTF-8 text, split into up to three files at `\u{0}` bytes,
//! parses and checks (names, types, moves) without panicking, and every diagnostic's
//! span lies inside its file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use salsa::Setter;
use vex_hir::{Program, RootDatabase, SourceFile};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut db = RootDatabase::default();
    let files: Vec<SourceFile> = text
        .splitn(3, '\u{0}')
        .enumerate()
        .map(|(i, part)| SourceFile::new(&db, format!("f{i}.vx"), part.to_owned()))
        .collect();
    Program::get(&db).set_files(&mut db).to(files.clone());
    for file in files {
        let len = file.text(&db).len();
        for diagnostic in vex_hir::file_diagnostics(&db, file) {
            assert!(usize::from(diagnostic.range.end()) <= len, "{diagnostic:?}");
            for label in &diagnostic.labels {
                assert!(usize::from(label.range.end()) <= len, "{diagnostic:?}");
            }
        }
        let _ = vex_hir::pretty::file_hir(&db, file);
    }
});
