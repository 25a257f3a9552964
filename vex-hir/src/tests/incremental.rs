//! Incrementality: which queries execute again after an edit (salsa's event log).

use salsa::Setter;

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
