//! Typed AST accessors: what a name resolver or type checker reads from the tree.

use vex_syntax::ast::{self, AstNode, BinaryOp, FStringPiece, LiteralKind, UnaryOp};
use vex_syntax::{LineCol, LineIndex, TextSize, parse};

/// Parses `text` (which must be error-free) and returns the first node of type `N`.
fn first<N: AstNode>(text: &str) -> N {
    let parse = parse(text);
    assert!(parse.errors().is_empty(), "{:?}", parse.errors());
    parse.syntax_node().descendants().find_map(N::cast).expect("node of the requested kind")
}

fn text_of(node: &impl AstNode) -> String {
    node.syntax().text().to_string()
}

#[test]
fn function_signature_parts() {
    let func: ast::Fn = first("async fn fetch(id: i32, n!: i64): Future<i32> { await f(id) }");
    assert!(func.is_async());
    assert!(!func.is_extern());
    assert_eq!(func.name().unwrap().text(), "fetch");
    let params: Vec<ast::Param> = func.param_list().unwrap().params().collect();
    assert_eq!(params.len(), 2);
    assert_eq!(params[0].name().unwrap().text(), "id");
    assert!(!params[0].is_mut());
    assert!(params[1].is_mut());
    assert_eq!(text_of(&params[1].ty().unwrap()), "i64");
    let ret = func.ret_type().unwrap().ty().unwrap();
    let ast::Type::PathType(path_type) = ret else { panic!("expected a path type") };
    assert_eq!(path_type.path().unwrap().text(), "Future");
    assert_eq!(path_type.generic_arg_list().unwrap().args().count(), 1);
    let body = func.body().unwrap();
    assert!(matches!(body.tail_expr(), Some(ast::Expr::AwaitExpr(_))));
}

#[test]
fn methods_associated_and_extern_functions() {
    let file = parse(
        "fn Point.new(x: f64): Point { Point { x, y: 0.0 } }\nfn (self: Point) norm(): f64 { self.x }\nextern \"C\" { fn abs(x: i32): i32 }\nextern \"C\" fn log(c: i64)",
    )
    .tree();
    let fns: Vec<ast::Fn> = file.syntax().descendants().filter_map(ast::Fn::cast).collect();
    assert_eq!(fns.len(), 4);
    assert_eq!(fns[0].owner().unwrap().name_ref().unwrap().text(), "Point");
    assert_eq!(fns[0].name().unwrap().text(), "new");
    let receiver = fns[1].receiver().unwrap().param().unwrap();
    assert_eq!(receiver.name().unwrap().text(), "self");
    assert_eq!(text_of(&receiver.ty().unwrap()), "Point");
    assert!(fns[2].is_extern() && fns[2].body().is_none());
    assert!(fns[3].is_extern());
    let ast::Item::ExternBlock(block) = file.items().nth(2).unwrap() else {
        panic!("extern block")
    };
    assert_eq!(block.abi().unwrap().abi_name().as_deref(), Some("C"));
    let record: ast::RecordExpr = first("fn f() { Point { x, y: 0.0 } }");
    let fields: Vec<_> = record.field_list().unwrap().fields().collect();
    assert!(fields[0].is_shorthand());
    assert_eq!(fields[1].name_ref().unwrap().text(), "y");
    assert!(!fields[1].is_shorthand());
}

#[test]
fn structs_enums_consts() {
    let file = parse(
        "struct P { x: f64, y: f64 }\nenum S { C(f64), R(f64, f64), E }\nconst N: i64 = 1_000",
    )
    .tree();
    let items: Vec<ast::Item> = file.items().collect();
    let ast::Item::Struct(s) = &items[0] else { panic!() };
    let fields: Vec<_> = s.record_field_list().unwrap().fields().collect();
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[1].name().unwrap().text(), "y");
    let ast::Item::Enum(e) = &items[1] else { panic!() };
    let variants: Vec<_> = e.variant_list().unwrap().variants().collect();
    assert_eq!(variants.len(), 3);
    assert_eq!(variants[1].tuple_field_list().unwrap().types().count(), 2);
    assert!(variants[2].tuple_field_list().is_none());
    let ast::Item::Const(c) = &items[2] else { panic!() };
    let ast::Expr::Literal(lit) = c.value().unwrap() else { panic!() };
    assert_eq!(lit.kind(), Some(LiteralKind::Int { value: Some(1000), suffix: None }));
}

#[test]
fn binary_operators_and_precedence() {
    let bin: ast::BinExpr = first("fn f() { a + b * c }");
    assert_eq!(bin.op_kind(), Some(BinaryOp::Add));
    assert_eq!(text_of(&bin.lhs().unwrap()), "a");
    let ast::Expr::BinExpr(rhs) = bin.rhs().unwrap() else { panic!() };
    assert_eq!(rhs.op_kind(), Some(BinaryOp::Mul));

    let shifted: ast::BinExpr = first("fn f() { x >>= a >> b }");
    assert_eq!(shifted.op_kind(), Some(BinaryOp::ShrAssign));
    assert!(shifted.op_kind().unwrap().is_assignment());
    assert_eq!(shifted.op_kind().unwrap().compound_base(), Some(BinaryOp::Shr));
    let ast::Expr::BinExpr(inner) = shifted.rhs().unwrap() else { panic!() };
    assert_eq!(inner.op_kind(), Some(BinaryOp::Shr));

    let ge: ast::BinExpr = first("fn f() { a >= b }");
    assert_eq!(ge.op_kind(), Some(BinaryOp::Ge));
    let await_first: ast::BinExpr = first("async fn f() { await g() + 1 }");
    assert!(matches!(await_first.lhs(), Some(ast::Expr::AwaitExpr(_))));
    let cast: ast::BinExpr = first("fn f() { -x as i64 + 1 }");
    let ast::Expr::CastExpr(cast) = cast.lhs().unwrap() else { panic!("as binds tighter than +") };
    assert!(matches!(cast.expr(), Some(ast::Expr::PrefixExpr(_))));
    let prefix: ast::PrefixExpr = first("fn f() { !done }");
    assert_eq!(prefix.op_kind(), Some(UnaryOp::Not));
}

#[test]
fn literal_values() {
    let cases = [
        ("255u8", LiteralKind::Int { value: Some(255), suffix: Some("u8".into()) }),
        ("0xFF", LiteralKind::Int { value: Some(255), suffix: None }),
        ("0b1010_1010", LiteralKind::Int { value: Some(170), suffix: None }),
        ("0o77i64", LiteralKind::Int { value: Some(63), suffix: Some("i64".into()) }),
        ("1.5e10", LiteralKind::Float { value: Some(1.5e10), suffix: None }),
        ("2.0f32", LiteralKind::Float { value: Some(2.0), suffix: Some("f32".into()) }),
        ("\"a\\n\\u{1F600}\"", LiteralKind::String { value: Some("a\n\u{1F600}".into()) }),
        ("true", LiteralKind::Bool(true)),
    ];
    for (text, expected) in cases {
        let lit: ast::Literal = first(&format!("fn f() {{ {text} }}"));
        assert_eq!(lit.kind(), Some(expected), "{text}");
    }
}

#[test]
fn fstring_pieces() {
    let fstring: ast::FStringExpr = first("fn f() { f\"x = {x}, {{sum}} = {a + b}\\n\" }");
    let pieces = fstring.pieces();
    assert_eq!(pieces.len(), 5);
    assert!(matches!(&pieces[0], FStringPiece::Text { value: Some(v), .. } if v == "x = "));
    let FStringPiece::Hole(hole) = &pieces[1] else { panic!() };
    assert!(matches!(hole.expr(), Some(ast::Expr::PathExpr(_))));
    assert!(matches!(&pieces[2], FStringPiece::Text { value: Some(v), .. } if v == ", {sum} = "));
    let FStringPiece::Hole(sum) = &pieces[3] else { panic!() };
    assert!(matches!(sum.expr(), Some(ast::Expr::BinExpr(_))));
    assert!(matches!(&pieces[4], FStringPiece::Text { value: Some(v), .. } if v == "\n"));
    assert!(fstring.is_terminated());
}

#[test]
fn control_flow() {
    let if_expr: ast::IfExpr =
        first("fn f() { if (a) { 1 } elif b { 2 } else if c { 3 } else { 4 } }");
    assert_eq!(text_of(&if_expr.condition().unwrap()), "(a)");
    assert_eq!(text_of(&if_expr.then_branch().unwrap()), "{ 1 }");
    let elifs: Vec<_> = if_expr.elif_branches().collect();
    assert_eq!(elifs.len(), 2);
    assert_eq!(text_of(&elifs[1].condition().unwrap()), "c");
    assert_eq!(text_of(&elifs[1].block().unwrap()), "{ 3 }");
    assert_eq!(text_of(&if_expr.else_block().unwrap()), "{ 4 }");

    let for_expr: ast::ForExpr = first("fn f() { 'outer: for i in 0..=n { break 'outer } }");
    assert_eq!(for_expr.label().unwrap().text(), "outer");
    assert_eq!(text_of(&for_expr.pat().unwrap()), "i");
    let ast::Expr::RangeExpr(range) = for_expr.iterable().unwrap() else { panic!() };
    assert!(range.is_inclusive());
    assert_eq!(text_of(&range.start().unwrap()), "0");
    assert_eq!(text_of(&range.end().unwrap()), "n");
    let brk: ast::BreakExpr = first("fn f() { loop { break 'a 5 } }");
    assert_eq!(brk.label_ident_token().unwrap().text(), "'a");
    assert_eq!(text_of(&brk.expr().unwrap()), "5");

    let while_expr: ast::WhileExpr = first("fn f() { while x < 3 { x += 1 } }");
    assert_eq!(text_of(&while_expr.condition().unwrap()), "x < 3");
    assert_eq!(while_expr.body().unwrap().statements().count(), 0);
    assert!(while_expr.body().unwrap().tail_expr().is_some());
}

#[test]
fn match_arms_and_patterns() {
    let m: ast::MatchExpr = first(
        "fn f() { match s { 1 | 2 => a, n if n < 0 => b, Shape.Rect(w, _) => w, -1 => c, _ => {} } }",
    );
    assert_eq!(text_of(&m.expr().unwrap()), "s");
    let arms: Vec<ast::MatchArm> = m.match_arm_list().unwrap().arms().collect();
    assert_eq!(arms.len(), 5);
    let ast::Pat::OrPat(or) = arms[0].pat().unwrap() else { panic!() };
    assert_eq!(or.pats().count(), 2);
    assert_eq!(text_of(&arms[0].expr().unwrap()), "a");
    assert_eq!(text_of(&arms[1].guard().unwrap().condition().unwrap()), "n < 0");
    let ast::Pat::TupleStructPat(variant) = arms[2].pat().unwrap() else { panic!() };
    assert_eq!(variant.path().unwrap().text(), "Shape.Rect");
    let fields: Vec<_> = variant.fields().collect();
    assert!(matches!(fields[1], ast::Pat::WildcardPat(_)));
    let ast::Pat::LiteralPat(neg) = arms[3].pat().unwrap() else { panic!() };
    assert!(neg.minus_token().is_some());
    assert!(matches!(arms[4].expr(), Some(ast::Expr::BlockExpr(_))));
}

#[test]
fn statements_and_blocks() {
    let block: ast::BlockExpr =
        first("fn f() { let! x: i64 = 1; let (a, b) = t\n defer g()\n go { h() }\n x }");
    let stmts: Vec<ast::Stmt> = block.statements().collect();
    assert_eq!(stmts.len(), 4);
    let ast::Stmt::LetStmt(first_let) = &stmts[0] else { panic!() };
    assert!(first_let.is_mut());
    assert_eq!(text_of(&first_let.ty().unwrap()), "i64");
    assert_eq!(text_of(&first_let.initializer().unwrap()), "1");
    let ast::Stmt::LetStmt(tuple_let) = &stmts[1] else { panic!() };
    assert!(matches!(tuple_let.pat(), Some(ast::Pat::TuplePat(_))));
    assert!(matches!(&stmts[2], ast::Stmt::DeferStmt(_)));
    let ast::Stmt::ExprStmt(go) = &stmts[3] else { panic!() };
    assert!(matches!(go.expr(), Some(ast::Expr::GoExpr(_))));
    assert_eq!(text_of(&block.tail_expr().unwrap()), "x");

    let call: ast::MethodCallExpr = first("fn f() { p.norm2(1, 2) }");
    assert_eq!(call.name_ref().unwrap().text(), "norm2");
    assert_eq!(call.arg_list().unwrap().args().count(), 2);
    let field: ast::FieldExpr = first("fn f() { t.1 }");
    assert_eq!(field.name_ref().unwrap().as_tuple_index(), Some(1));
    let index: ast::IndexExpr = first("fn f() { a[i + 1] }");
    assert_eq!(text_of(&index.base().unwrap()), "a");
    assert_eq!(text_of(&index.index().unwrap()), "i + 1");
    let repeat: ast::ArrayRepeatExpr = first("fn f() { [0; 16] }");
    assert_eq!(text_of(&repeat.len().unwrap()), "16");
    let builtin: ast::PathExpr = first("fn f() { $println }");
    assert!(builtin.name_ref().unwrap().is_builtin());
    let ternary: ast::TernaryExpr = first("fn f() { c ? a : b }");
    assert_eq!(text_of(&ternary.else_expr().unwrap()), "b");
}

#[test]
fn line_index_positions() {
    let text = "fn main() {\n    $println(\"héllo\")\n}\n";
    let index = LineIndex::new(text);
    assert_eq!(index.line_count(), 4);
    assert_eq!(index.line_col(TextSize::new(0)), LineCol { line: 1, col: 1 });
    assert_eq!(index.line_col(TextSize::new(16)), LineCol { line: 2, col: 5 });
    // `)` after a two-byte `é`: byte 31, character column 19.
    assert_eq!(index.line_col(TextSize::new(31)), LineCol { line: 2, col: 19 });
    assert_eq!(index.offset(LineCol { line: 2, col: 19 }), Some(TextSize::new(31)));
    assert_eq!(index.offset(LineCol { line: 9, col: 1 }), None);
    assert_eq!(index.line_col(TextSize::new(1000)), LineCol { line: 4, col: 1 });
    assert_eq!(&text[index.line_range(2).unwrap()], "    $println(\"héllo\")");
}

#[test]
fn v02_operators_try_and_coalesce() {
    let coalesce: ast::BinExpr = first("fn f() { a ?? b ?? c }");
    assert_eq!(coalesce.op_kind(), Some(BinaryOp::Coalesce));
    assert_eq!(coalesce.op_token().unwrap().text(), "??");
    assert_eq!(text_of(&coalesce.lhs().unwrap()), "a");
    let ast::Expr::BinExpr(rhs) = coalesce.rhs().unwrap() else { panic!("groups right") };
    assert_eq!(text_of(&rhs), "b ?? c");
    assert!(!BinaryOp::Coalesce.is_assignment() && !BinaryOp::Coalesce.is_logical());

    let try_expr: ast::TryExpr = first("fn f() { g()?.len() }");
    assert!(matches!(try_expr.expr(), Some(ast::Expr::CallExpr(_))));
    assert_eq!(try_expr.question_token().unwrap().text(), "?");
    let method: ast::MethodCallExpr = first("fn f() { g()?.len() }");
    assert!(matches!(method.receiver(), Some(ast::Expr::TryExpr(_))));

    // The `await` rule: the `?` applies to the awaited value.
    let awaited: ast::TryExpr = first("async fn f() { await readFile(p)? }");
    let Some(ast::Expr::AwaitExpr(await_expr)) = awaited.expr() else { panic!("await in ?") };
    assert_eq!(text_of(&await_expr.expr().unwrap()), "readFile(p)");
}

#[test]
fn v02_closures_and_function_types() {
    let closure: ast::ClosureExpr =
        first("async fn f() { let g = async |x: i64, y| { await h(x) } }");
    assert!(closure.is_async());
    let params: Vec<ast::Param> = closure.param_list().unwrap().params().collect();
    assert_eq!(params.len(), 2);
    assert_eq!(params[0].name().unwrap().text(), "x");
    assert_eq!(text_of(&params[0].ty().unwrap()), "i64");
    assert_eq!(params[1].name().unwrap().text(), "y");
    assert!(params[1].ty().is_none());
    assert!(closure.ret_type().is_none());
    assert!(matches!(closure.body(), Some(ast::Expr::BlockExpr(_))));

    let typed: ast::ClosureExpr = first("fn f() { let k = |x|: i64 x + 1 }");
    assert!(!typed.is_async());
    assert_eq!(text_of(&typed.ret_type().unwrap().ty().unwrap()), "i64");
    assert_eq!(text_of(&typed.body().unwrap()), "x + 1");
    let empty: ast::ClosureExpr = first("fn f() { run(|| 1) }");
    assert_eq!(empty.param_list().unwrap().params().count(), 0);

    let fn_type: ast::FnType = first("fn f(g: fn(i64, fn(): bool): Vec<i64>) {}");
    let param_types: Vec<ast::Type> = fn_type.param_types().collect();
    assert_eq!(param_types.len(), 2);
    let ast::Type::FnType(inner) = &param_types[1] else { panic!("a nested fn type") };
    assert_eq!(inner.param_types().count(), 0);
    assert_eq!(text_of(&inner.result_type().unwrap()), "bool");
    let ast::Type::PathType(result) = fn_type.result_type().unwrap() else { panic!() };
    assert_eq!(result.path().unwrap().text(), "Vec");
    assert_eq!(result.generic_arg_list().unwrap().args().count(), 1);
    let unit: ast::LetStmt = first("fn f() { let u: fn(i64) = h }");
    let Some(ast::Type::FnType(unit_fn)) = unit.ty() else { panic!("a fn type") };
    assert!(unit_fn.result_type().is_none() && unit_fn.ret_type().is_none());
    assert_eq!(text_of(&unit.initializer().unwrap()), "h");

    let call: ast::MethodCallExpr = first("fn f() { Vec.new<Vec<i64>>() }");
    let args: Vec<ast::Type> = call.generic_arg_list().unwrap().args().collect();
    assert_eq!(args.len(), 1);
    assert_eq!(text_of(&args[0]), "Vec<i64>");
}

#[test]
fn v02_if_let_while_let_and_variant_patterns() {
    let if_expr: ast::IfExpr =
        first("fn f() { if let Some((a, b)) = x ?? y { a } elif let None = z { 0 } }");
    let Some(ast::Expr::LetExpr(condition)) = if_expr.condition() else { panic!("let condition") };
    let Some(ast::Pat::TupleStructPat(some)) = condition.pat() else { panic!("variant pattern") };
    assert_eq!(some.path().unwrap().text(), "Some");
    let fields: Vec<ast::Pat> = some.fields().collect();
    assert_eq!(fields.len(), 1);
    assert!(matches!(fields[0], ast::Pat::TuplePat(_)));
    assert_eq!(text_of(&condition.expr().unwrap()), "x ?? y");
    assert_eq!(text_of(&if_expr.then_branch().unwrap()), "{ a }");
    let elif = if_expr.elif_branches().next().unwrap();
    let Some(ast::Expr::LetExpr(elif_let)) = elif.condition() else { panic!("let condition") };
    let Some(ast::Pat::IdentPat(none)) = elif_let.pat() else { panic!("a bare name") };
    assert_eq!(none.name().unwrap().text(), "None");

    let while_expr: ast::WhileExpr = first("fn f() { while let Ok(v) = rx.recv() { g(v) } }");
    let Some(ast::Expr::LetExpr(condition)) = while_expr.condition() else { panic!() };
    assert_eq!(text_of(&condition.pat().unwrap()), "Ok(v)");
    assert_eq!(text_of(&while_expr.body().unwrap()), "{ g(v) }");

    let qualified: ast::TupleStructPat =
        first("fn f() { match o { Option.Some(3) => 1, _ => 0 } }");
    assert_eq!(qualified.path().unwrap().segments().count(), 2);
}
