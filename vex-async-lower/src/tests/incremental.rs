//! Incrementality: editing one function's body re-lowers only that function.

use salsa::Setter;

use crate::queries::module_ir;

const PROGRAM: &str = "\
fn one(): i64 {
    1 + 1
}

async fn two(): i64 {
    await async_sleep(1)
    one() * 2
}

async fn main() {
    $println(await two())
}
";

fn executed(log: &[String], query: &str) -> usize {
    log.iter().filter(|l| l.starts_with(&format!("{query}("))).count()
}

#[test]
fn editing_one_body_relowers_only_that_function() {
    let (mut db, files) = super::db_with(&[("main.vx", PROGRAM)]);
    let before = module_ir(&db);
    db.enable_logging();
    files[0].set_text(&mut db).to(PROGRAM.replace("1 + 1", "1 + 2"));
    let after = module_ir(&db);
    let log = db.take_executed();
    assert_eq!(executed(&log, "fn_ir"), 1, "{log:#?}");
    assert_eq!(executed(&log, "lowered"), 1, "{log:#?}");
    assert_eq!(executed(&log, "infer"), 1, "{log:#?}");
    assert_ne!(before, after);
}

#[test]
fn editing_an_async_body_relowers_only_it() {
    let (mut db, files) = super::db_with(&[("main.vx", PROGRAM)]);
    module_ir(&db);
    db.enable_logging();
    files[0].set_text(&mut db).to(PROGRAM.replace("one() * 2", "one() * 3"));
    module_ir(&db);
    let log = db.take_executed();
    assert_eq!(executed(&log, "fn_ir"), 1, "{log:#?}");
    assert_eq!(executed(&log, "lowered"), 1, "{log:#?}");
}
