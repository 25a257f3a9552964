//! `module_ir_for_main`: only the bodies `main` reaches, through every way one function
//! reaches another, and nothing else.

use crate::queries::{module_ir, module_ir_for_main};

fn names(module: &crate::ir::Module) -> Vec<&str> {
    let mut names: Vec<&str> = module.functions.iter().map(|f| &*f.name).collect();
    names.sort();
    names
}

#[test]
fn only_what_main_reaches_is_lowered() {
    let program = r#"
struct Point { x: i64 }
const K: i64 = konst()
fn konst(): i64 { 3 }
fn Point.new(x: i64): Point { Point { x: x } }
fn (self: Point) get(): i64 { self.x + by_method() }
fn by_method(): i64 { 1 }
fn as_value(x: i64): i64 { x * 2 }
fn in_closure(): i64 { 5 }
fn in_go() { println("go") }
async fn awaited(): i64 { await async_sleep(1)
    in_async() }
fn in_async(): i64 { 7 }
fn unused(): i64 { also_unused() }
fn also_unused(): i64 { 0 }
async fn unused_async(): i64 { 1 }
async fn main() {
    println(await awaited())
    let p = Point.new(K)
    let f = as_value
    let g = || in_closure()
    go { in_go() }
    println(p.get() + f(1) + g())
}
"#;
    let (db, files) = super::db_with(&[("main.vx", program)]);
    let errors: Vec<_> = vex_hir::file_diagnostics(&db, files[0])
        .into_iter()
        .filter(|d| d.severity == vex_hir::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let all = module_ir(&db);
    let reached = module_ir_for_main(&db);
    let reached_names = names(&reached);
    for name in names(&all) {
        let unused = name.contains("unused");
        assert_eq!(reached_names.contains(&name), !unused, "{name} in {reached_names:?}");
    }
    let run = |module| {
        crate::eval::run_main(module, crate::eval::Options::new(crate::eval::Mode::Scheduled))
    };
    let output = run(&reached);
    assert!(output.errors.is_empty(), "{:?}", output.errors);
    assert_eq!(output.stdout, "7\n11\ngo\n");
    assert_eq!(output, run(&all));
}
