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

/// Every body of the program, inferred (as lowering to IR or hovering reads them).
fn infer_all(db: &RootDatabase) {
    use crate::ids::FunctionLoc;
    use crate::lower::{BodyId, BodyOwner};
    for &file in Program::get(db).files(db) {
        for index in 0..crate::item_tree::item_tree(db, file).functions.len() as u32 {
            let owner = BodyOwner::Function(FunctionLoc { file, index });
            crate::infer::infer(db, BodyId::new(db, owner));
        }
    }
}

/// Salsa does not reuse a result that became less durable, even an equal one: the
/// first edit that turns a file's text low-durable re-infers every caller of the file's
/// functions. That is why `vex::Compiler::open_for_editing` lowers the durability before
/// the first edit; the edits after it re-infer only what they change. The diagnostics of
/// a file are spared either way: they are kept with the program's items they were found
/// with (`check.rs`), and those items are equal.
#[test]
fn lowering_durability_before_the_first_edit_keeps_that_edit_local() {
    use salsa::Durability;
    let edited = PROGRAM.replace("1 + 1", "1 + 2");

    let (mut db, lib) = medium_durability_program();
    infer_all(&db);
    db.enable_logging();
    lib.set_text(&mut db).with_durability(Durability::LOW).to(edited.clone());
    check_all(&db);
    let log = db.take_executed();
    assert_eq!(executed_infers(&log).len(), 1, "diagnostics re-infer only `one`: {log:#?}");
    infer_all(&db);
    let log = db.take_executed();
    assert!(executed_infers(&log).len() > 3, "the callers are re-inferred: {log:#?}");

    let (mut db, lib) = medium_durability_program();
    lib.set_text(&mut db).with_durability(Durability::LOW).to(PROGRAM.to_owned());
    check_all(&db);
    infer_all(&db);
    db.enable_logging();
    lib.set_text(&mut db).with_durability(Durability::LOW).to(edited);
    check_all(&db);
    infer_all(&db);
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
    assert!(db.caches().forget(files[0]));
    assert!(!db.caches().forget(files[0]));
}

/// What the edits of `edited_files_check_as_fresh_ones` insert: pieces of statements,
/// items, types, broken brackets and comments.
const SNIPPETS: &[&str] = &[
    "",
    "\nfn shared(x: bool): bool { x }\n",
    "\nfn extra(): i64 { shared(true) }\n",
    "let y = 1\n",
    "}",
    "{",
    " + 1",
    ": bool",
    "i64",
    "\"s\"",
    "\nstruct S { a: i64 }\n",
    "// c\n",
];

/// Edits that change what other functions and files see: a signature, a call, a type.
const REPLACEMENTS: &[(&str, &str)] = &[
    ("fn shared(x: i64)", "fn shared(x: bool)"),
    ("fn shared(x: bool)", "fn shared(x: i64)"),
    ("shared(1)", "shared(true)"),
    ("i64", "bool"),
    ("fn ", "fn\n"),
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(
        crate::testing::proptest_cases(48)
    ))]

    /// A program whose files are edited again and again has, after each edit, exactly the
    /// diagnostics, item trees and source maps of its texts checked afresh: what the
    /// caches beside salsa reuse (parses, item summaries, body diagnostics) is always
    /// what would be computed again, across files too.
    #[test]
    fn edited_files_check_as_fresh_ones(
        seed in 0u64..1000,
        edits in proptest::collection::vec(
            (
                0usize..2,
                proptest::prelude::any::<proptest::sample::Index>(),
                0usize..24,
                0usize..SNIPPETS.len() + REPLACEMENTS.len(),
                proptest::prelude::any::<bool>(),
            ),
            1..10,
        ),
    ) {
        use crate::testing::{GenConfig, well_typed_program};
        let config = |prefix: &str, with_main| GenConfig {
            prefix: prefix.to_owned(),
            with_main,
            ..GenConfig::default()
        };
        let mut texts = [
            well_typed_program(seed, &config("p0_", false))
                + "\nfn shared(x: i64): i64 {\n    x\n}\n",
            well_typed_program(seed + 1, &config("p1_", true))
                + "\nfn use_shared(): i64 {\n    shared(1)\n}\n",
        ];
        let inputs: Vec<(&str, &str)> = vec![("lib.vx", &texts[0]), ("main.vx", &texts[1])];
        let (mut db, files) = db_with(&inputs);
        check_all(&db);
        for (file, at, len, what, check) in edits {
            let text = &mut texts[file];
            if what < SNIPPETS.len() {
                let mut start = at.index(text.len() + 1).min(text.len());
                let mut end = (start + len).min(text.len());
                while !text.is_char_boundary(start) { start -= 1; }
                while !text.is_char_boundary(end) { end += 1; }
                text.replace_range(start..end, SNIPPETS[what]);
            } else {
                let (from, to) = REPLACEMENTS[what - SNIPPETS.len()];
                *text = text.replacen(from, to, 1);
            }
            files[file].set_text(&mut db).to(text.clone());
            if !check {
                continue;
            }
            let inputs: Vec<(&str, &str)> =
                vec![("lib.vx", &texts[0]), ("main.vx", &texts[1])];
            let (fresh, fresh_files) = db_with(&inputs);
            for (&edited, &new) in files.iter().zip(&fresh_files) {
                proptest::prop_assert_eq!(
                    crate::file_diagnostics(&db, edited),
                    crate::file_diagnostics(&fresh, new)
                );
                proptest::prop_assert_eq!(
                    crate::item_tree::item_tree(&db, edited),
                    crate::item_tree::item_tree(&fresh, new)
                );
                proptest::prop_assert_eq!(
                    crate::item_tree::item_source_map(&db, edited),
                    crate::item_tree::item_source_map(&fresh, new)
                );
            }
        }
    }
}
