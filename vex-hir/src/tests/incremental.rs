//! Incrementality: which queries execute again after an edit (salsa's event log).

use salsa::Setter;

use crate::db::{Program, RootDatabase, SourceFile};

use super::db_with;

fn executed_infers(log: &[String]) -> Vec<&String> {
    log.iter().filter(|l| l.starts_with("infer(")).collect()
}

const PROGRAM: &str = "\
fn one(): i32 {
    1 + 1
}

fn two(): i32 {
    // a comment
    one() * 2
}

async fn three(): i32 {
    await async_sleep(1)
    two()
}
";

#[test]
fn editing_one_body_reinfers_only_that_function() {
    let (mut db, files) = db_with(&[("main.vx", PROGRAM)]);
    crate::file_diagnostics(&db, files[0]);
    db.enable_logging();
    let edited = PROGRAM.replace("1 + 1", "1 + 2");
    files[0].set_text(&mut db).to(edited);
    assert!(crate::file_diagnostics(&db, files[0]).is_empty());
    let log = db.take_executed();
    let infers = executed_infers(&log);
    assert_eq!(infers.len(), 1, "expected only `one` to be re-inferred: {log:#?}");
}

#[test]
fn editing_whitespace_or_a_comment_reinfers_nothing() {
    let (mut db, files) = db_with(&[("main.vx", PROGRAM)]);
    crate::file_diagnostics(&db, files[0]);
    db.enable_logging();
    let edited = PROGRAM.replace("// a comment", "// another, longer comment\n   ");
    files[0].set_text(&mut db).to(edited);
    assert!(crate::file_diagnostics(&db, files[0]).is_empty());
    let log = db.take_executed();
    assert!(executed_infers(&log).is_empty(), "no infer should run: {log:#?}");
    // The file was re-parsed and bodies re-lowered, which is what makes this a test of
    // backdating rather than of nothing happening.
    assert!(log.iter().any(|l| l.starts_with("body_with_source_map(")), "{log:#?}");
}

#[test]
fn editing_one_body_relowers_only_that_body_and_moves_the_others_diagnostics() {
    let program = PROGRAM.replace("    two()\n}", "    let x: bool = two()\n    x\n}");
    let (mut db, files) = db_with(&[("main.vx", &program)]);
    let before = crate::file_diagnostics(&db, files[0]);
    assert_eq!(before.len(), 2, "{before:#?}");
    db.enable_logging();
    // A longer body for `one` moves `two` and `three` (and the errors in `three`).
    let edited = program.replace("    1 + 1\n", "    let y = 1\n    y + 1\n");
    files[0].set_text(&mut db).to(edited.clone());
    let after = crate::file_diagnostics(&db, files[0]);
    let log = db.take_executed();
    let lowered: Vec<&String> =
        log.iter().filter(|l| l.starts_with("body_with_source_map(")).collect();
    assert_eq!(lowered.len(), 1, "only `one` should be lowered again: {log:#?}");
    assert_eq!(executed_infers(&log).len(), 1, "{log:#?}");
    // The same errors, at the same text in the edited file.
    let texts = |text: &str, diagnostics: &[crate::Diagnostic]| -> Vec<String> {
        diagnostics.iter().map(|d| text[d.range].to_owned() + ": " + &d.message).collect()
    };
    assert_eq!(texts(&edited, &after), texts(&program, &before));
    assert!(after[0].range.start() > before[0].range.start());
}

/// A program of two files loaded as `vex::Compiler` loads them (medium-durability texts):
/// `lib.vx` defines `one`, `two` and `three`; `main.vx` calls each of them.
fn medium_durability_program() -> (RootDatabase, SourceFile) {
    use salsa::Durability;
    let mut db = RootDatabase::with_query_log();
    let main =
        "fn a(): i32 { one() }\nfn b(): i32 { two() }\nasync fn c(): i32 { await three() }\n";
    let files: Vec<SourceFile> = [("lib.vx", PROGRAM), ("main.vx", main)]
        .iter()
        .map(|(path, text)| {
            SourceFile::builder(path.to_string(), text.to_string())
                .path_durability(Durability::MEDIUM)
                .text_durability(Durability::MEDIUM)
                .new(&db)
        })
        .collect();
    Program::get(&db).set_files(&mut db).with_durability(Durability::MEDIUM).to(files.clone());
    for &file in &files {
        assert!(crate::file_diagnostics(&db, file).is_empty());
    }
    (db, files[0])
}

fn check_all(db: &RootDatabase) {
    for &file in Program::get(db).files(db) {
        assert!(crate::file_diagnostics(db, file).is_empty());
    }
}

/// Salsa does not reuse a result that became less durable, even an equal one: the
/// first edit that turns a file's text low-durable re-infers every caller of the file's
/// functions. That is why `vex::Compiler::open_for_editing` lowers the durability before
/// the first edit; the edits after it re-infer only what they change.
#[test]
fn lowering_durability_before_the_first_edit_keeps_that_edit_local() {
    use salsa::Durability;
    let edited = PROGRAM.replace("1 + 1", "1 + 2");

    let (mut db, lib) = medium_durability_program();
    db.enable_logging();
    lib.set_text(&mut db).with_durability(Durability::LOW).to(edited.clone());
    check_all(&db);
    let log = db.take_executed();
    assert!(executed_infers(&log).len() > 3, "the callers are re-inferred: {log:#?}");

    let (mut db, lib) = medium_durability_program();
    lib.set_text(&mut db).with_durability(Durability::LOW).to(PROGRAM.to_owned());
    check_all(&db);
    db.enable_logging();
    lib.set_text(&mut db).with_durability(Durability::LOW).to(edited);
    check_all(&db);
    let log = db.take_executed();
    assert_eq!(executed_infers(&log).len(), 1, "only `one` is re-inferred: {log:#?}");
}

/// After an edit inside one body, the file's new tree shares the other items' nodes
/// with the old one (`ParseCache`), and is the tree of a whole parse.
#[test]
fn an_edit_reparses_only_the_items_it_touches() {
    let (mut db, files) = db_with(&[("main.vx", PROGRAM)]);
    let items = |db: &RootDatabase| -> Vec<vex_syntax::GreenNode> {
        let parse = crate::item_tree::parse(db, files[0]);
        parse.green().children().filter_map(|c| c.into_node()).map(|n| n.to_owned()).collect()
    };
    let before = items(&db);
    let edited = PROGRAM.replace("one() * 2", "one() * 3");
    files[0].set_text(&mut db).to(edited.clone());
    let after = items(&db);
    assert_eq!(crate::item_tree::parse(&db, files[0]), &vex_syntax::parse(&edited));
    let shared: Vec<bool> =
        before.iter().zip(&after).map(|(b, a)| std::ptr::addr_eq(&**b, &**a)).collect();
    // The edited `two` is re-parsed with the item before it (so that the piece starts
    // with untouched tokens); `three` is shared.
    assert_eq!(shared, [false, false, true]);
    // A file that leaves the program leaves the cache.
    use crate::db::Db;
    assert!(db.parse_cache().forget(files[0]));
    assert!(!db.parse_cache().forget(files[0]));
}
