//! Inferred types, as snapshots of the HIR dump.

use expect_test::{Expect, expect};

use super::db_with;
use crate::pretty::file_hir;

fn check_types(text: &str, expect: Expect) {
    let (db, files) = db_with(&[("main.vx", text)]);
    let diagnostics = crate::file_diagnostics(&db, files[0]);
    assert!(diagnostics.is_empty(), "unexpected diagnostics: {diagnostics:#?}");
    expect.assert_eq(&file_hir(&db, files[0]));
}

#[test]
fn literals_default_and_follow_context() {
    check_types(
        r#"
fn f(): u8 {
    let a = 1
    let b: i32 = 2
    let c = 3u16
    let d = 1.5
    let e: f32 = 2.5
    255
}
"#,
        expect![[r#"
            fn f(): u8
              Block: u8
                Let
                  Pat Bind a: i64
                  Literal 1: i64
                Let
                  Pat Bind b: i32
                  Literal 2: i32
                Let
                  Pat Bind c: u16
                  Literal 3u16: u16
                Let
                  Pat Bind d: f64
                  Literal 1.5: f64
                Let
                  Pat Bind e: f32
                  Literal 2.5: f32
                Literal 255: u8
        "#]],
    );
}
