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

/// Statement locations are relative to their function, and functions' lines relative to
/// their body, so moving a body down (a line inserted above it) gives an equal `fn_ir`
/// result: salsa backdates it and the coroutine transform does not run again. The
/// assembled module still has the new lines.
#[test]
fn moving_a_body_down_does_not_transform_it_again() {
    let (mut db, files) = super::db_with(&[("main.vx", PROGRAM)]);
    let before = module_ir(&db);
    db.enable_logging();
    files[0].set_text(&mut db).to(PROGRAM.replace("    1 + 1\n", "    let a = 1\n    a + 1\n"));
    let after = module_ir(&db);
    let log = db.take_executed();
    // `fn_ir` re-runs below the edit (vex-hir's source map holds file offsets) ...
    assert!(executed(&log, "fn_ir") >= 1, "{log:#?}");
    // ... but only the edited body is transformed again.
    assert_eq!(executed(&log, "lowered"), 1, "{log:#?}");
    let line = |m: &crate::ir::Module, name: &str| m.function(name).unwrap().loc.line;
    assert_eq!((line(&before, "one"), line(&after, "one")), (1, 1));
    for name in ["two", "two.resume", "main", "main.resume"] {
        assert_eq!(line(&after, name), line(&before, name) + 1, "{name}");
    }
    let resume = after.function("two.resume").unwrap();
    let lines: Vec<u32> = resume
        .blocks
        .iter()
        .flat_map(|b| b.locs.iter().chain([&b.term_loc]))
        .map(|l| resume.line_col(*l).0)
        .collect();
    // `async fn two` is now on line 6, its body on lines 7 and 8.
    assert_eq!(lines.iter().min(), Some(&6), "{resume:#}");
    assert_eq!(lines.iter().max(), Some(&9), "{resume:#}");
    assert!(lines.contains(&7) && lines.contains(&8), "{resume:#}");
}

/// Panic sites count their lines from the body too: moving a body with a division
/// check does not transform it again, and its panic still names the new line.
#[test]
fn moving_a_body_with_a_panic_site_does_not_transform_it_again() {
    const WITH_PANIC: &str = "\
fn one(): i64 {
    1 + 1
}

async fn two(d: i64): i64 {
    await async_sleep(1)
    100 / d
}

async fn main() {
    $println(await two(one()))
    $println(await two(0))
}
";
    let stderr = |module: &crate::ir::Module| {
        crate::eval::run_main(module, crate::eval::Options::new(crate::eval::Mode::Scheduled))
            .stderr
    };
    let (mut db, files) = super::db_with(&[("main.vx", WITH_PANIC)]);
    let before = module_ir(&db);
    assert!(stderr(&before).starts_with("panic at main.vx:7:5: "), "{}", stderr(&before));
    db.enable_logging();
    files[0].set_text(&mut db).to(WITH_PANIC.replace("    1 + 1\n", "    let a = 1\n    a + 1\n"));
    let after = module_ir(&db);
    let log = db.take_executed();
    assert_eq!(executed(&log, "lowered"), 1, "{log:#?}");
    assert!(stderr(&after).starts_with("panic at main.vx:8:5: "), "{}", stderr(&after));
}
