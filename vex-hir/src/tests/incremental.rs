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
