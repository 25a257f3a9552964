//! A readable dump of bodies with the inferred type of every node (`vex emit hir`, and
//! the snapshot format of the type tests).
//!
//! One line per expression, statement and pattern, indented by nesting:
//!
//! ```text
//! fn add(a: i32, b: i32): i32
//!   Block: i32
//!     Binary +: i32
//!       Local a: i32
//!       Local b: i32
//! ```

use std::fmt::Write as _;

use crate::body::{
    Body, Expr, ExprId, ForIter, FormatPiece, Literal, Pat, PatId, SelectArmKind, Stmt,
};
use crate::db::{Db, SourceFile};
use crate::ids::{ConstLoc, FunctionLoc};
use crate::infer::{InferenceResult, Resolution, infer};
use crate::item_tree::item_tree;
use crate::lower::{BodyId, BodyOwner, body};
use crate::signature::{const_type, display_ty, signature_of};

/// Dumps every function and constant of `file`.
pub fn file_hir(db: &dyn Db, file: SourceFile) -> String {
    let tree = item_tree(db, file);
    let mut out = String::new();
    for (index, function) in tree.functions.iter().enumerate() {
        let loc = FunctionLoc { file, index: index as u32 };
        let sig = signature_of(db, loc);
        let id = BodyId::new(db, BodyOwner::Function(loc));
        let body = body(db, id);
        let params: Vec<String> = body
            .params
            .iter()
            .zip(sig.params.iter())
            .map(|(&local, ty)| format!("{}: {}", body.locals[local].name, display_ty(db, ty)))
            .collect();
        let prefix = if sig.is_async { "async fn" } else { "fn" };
        let _ = writeln!(
            out,
            "{prefix} {}({}): {}",
            function.display_name(),
            params.join(", "),
            display_ty(db, &sig.ret)
        );
        Printer::new(db, body, infer(db, id), &mut out).expr(body.root, 1);
    }
    for (index, constant) in tree.consts.iter().enumerate() {
        let loc = ConstLoc { file, index: index as u32 };
        let id = BodyId::new(db, BodyOwner::Const(loc));
        let body = body(db, id);
        let _ = writeln!(out, "const {}: {}", constant.name, display_ty(db, &const_type(db, loc)));
        Printer::new(db, body, infer(db, id), &mut out).expr(body.root, 1);
    }
    out
}

struct Printer<'a> {
    db: &'a dyn Db,
    body: &'a Body,
    infer: &'a InferenceResult,
    callees: rustc_hash::FxHashSet<ExprId>,
    out: &'a mut String,
}

impl<'a> Printer<'a> {
    fn new(
        db: &'a dyn Db,
        body: &'a Body,
        infer: &'a InferenceResult,
        out: &'a mut String,
    ) -> Self {
        let callees = body
            .exprs
            .iter()
            .filter_map(|(_, e)| match e {
                Expr::Call { callee, .. } => Some(*callee),
                _ => None,
            })
            .collect();
        Printer { db, body, infer, callees, out }
    }
}

impl Printer<'_> {
    fn line(&mut self, depth: usize, text: &str) {
        let _ = writeln!(self.out, "{:width$}{text}", "", width = depth * 2);
    }

    fn expr(&mut self, expr: ExprId, depth: usize) {
        crate::ensure_stack(|| self.expr_here(expr, depth))
    }

    fn expr_here(&mut self, expr: ExprId, depth: usize) {
        // Callees have no value type; show what they resolved to instead.
        let ty = match self.infer.resolutions.get(expr) {
            Some(Resolution::Function(_)) if self.is_callee(expr) => "fn".to_owned(),
            Some(Resolution::Extern(_)) => "extern fn".to_owned(),
            Some(Resolution::Builtin(_)) => "builtin".to_owned(),
            Some(Resolution::Variant(..) | Resolution::BuiltinVariant(_))
                if self.is_callee(expr) =>
            {
                "variant".to_owned()
            }
            _ => display_ty(self.db, self.infer.type_of_expr(expr)),
        };
        let body = self.body;
        let head = match &body.exprs[expr] {
            Expr::Missing => "Missing".to_owned(),
            Expr::Literal(literal) => format!("Literal {}", literal_text(literal)),
            Expr::Local(local) => format!("Local {}", body.locals[*local].name),
            Expr::Name(name) => format!("Name {name}"),
            Expr::Path { ty, member, type_args } if type_args.is_empty() => {
                format!("Path {ty}.{member}")
            }
            Expr::Path { ty, member, type_args } => {
                let args: Vec<String> =
                    type_args.iter().map(crate::item_tree::type_ref_text).collect();
                format!("Path {ty}.{member}<{}>", args.join(", "))
            }
            Expr::Call { .. } => "Call".to_owned(),
            Expr::MethodCall { method, .. } => format!("MethodCall .{method}"),
            Expr::Field { name, .. } => format!("Field .{name}"),
            Expr::TupleField { index, .. } => format!("TupleField .{index}"),
            Expr::Index { .. } => "Index".to_owned(),
            Expr::Unary { op, .. } => format!("Unary {op:?}"),
            Expr::Binary { op, .. } => format!("Binary {}", binary_text(*op)),
            Expr::Assign { op: Some(op), .. } => format!("Assign {}=", op.as_str()),
            Expr::Assign { op: None, .. } => "Assign =".to_owned(),
            Expr::Cast { .. } => "Cast".to_owned(),
            Expr::Await(_) => "Await".to_owned(),
            Expr::If { .. } => "If".to_owned(),
            Expr::While { .. } => "While".to_owned(),
            Expr::Loop { .. } => "Loop".to_owned(),
            Expr::For { iter: ForIter::Range { inclusive: true, .. }, .. } => "For ..=".to_owned(),
            Expr::For { iter: ForIter::Range { .. }, .. } => "For ..".to_owned(),
            Expr::For { .. } => "For array".to_owned(),
            Expr::Break { .. } => "Break".to_owned(),
            Expr::Continue { .. } => "Continue".to_owned(),
            Expr::Return(_) => "Return".to_owned(),
            Expr::Block { .. } => "Block".to_owned(),
            Expr::Match { .. } => "Match".to_owned(),
            Expr::Tuple(_) => "Tuple".to_owned(),
            Expr::Array(_) => "Array".to_owned(),
            Expr::ArrayRepeat { count, .. } => match count {
                Some(count) => format!("ArrayRepeat ; {count}"),
                None => "ArrayRepeat ; ?".to_owned(),
            },
            Expr::StructLit { name, .. } => format!("StructLit {name}"),
            Expr::Format(_) => "Format".to_owned(),
            Expr::Go { captures, .. } => {
                let names: Vec<&str> = captures.iter().map(|&l| &*body.locals[l].name).collect();
                format!("Go captures [{}]", names.join(", "))
            }
            Expr::Defer(_) => "Defer".to_owned(),
            Expr::Closure { is_async, params, captures, .. } => {
                let params: Vec<&str> = params.iter().map(|&l| &*body.locals[l].name).collect();
                let captures: Vec<&str> = captures.iter().map(|&l| &*body.locals[l].name).collect();
                format!(
                    "Closure{} |{}| captures [{}]",
                    if *is_async { " async" } else { "" },
                    params.join(", "),
                    captures.join(", ")
                )
            }
            Expr::Try(_) => "Try".to_owned(),
            Expr::Let { .. } => "Let".to_owned(),
            Expr::Recv(_) => "Recv".to_owned(),
            Expr::Send { .. } => "Send".to_owned(),
            Expr::Select { .. } => "Select".to_owned(),
            Expr::Unsupported(what) => format!("Unsupported {what}"),
        };
        self.line(depth, &format!("{head}: {ty}"));
        let depth = depth + 1;
        match &body.exprs[expr] {
            Expr::Call { callee, args } => {
                self.expr(*callee, depth);
                args.iter().for_each(|&a| self.expr(a, depth));
            }
            Expr::MethodCall { receiver, args, .. } => {
                self.expr(*receiver, depth);
                args.iter().for_each(|&a| self.expr(a, depth));
            }
            Expr::Field { base, .. } | Expr::TupleField { base, .. } => self.expr(*base, depth),
            Expr::Index { base, index } => {
                self.expr(*base, depth);
                self.expr(*index, depth);
            }
            Expr::Unary { expr: operand, .. }
            | Expr::Cast { expr: operand, .. }
            | Expr::Await(operand)
            | Expr::Try(operand)
            | Expr::Recv(operand)
            | Expr::Closure { body: operand, .. }
            | Expr::Defer(operand) => self.expr(*operand, depth),
            Expr::Let { pat, expr: value } => {
                self.pat(*pat, depth);
                self.expr(*value, depth);
            }
            Expr::Binary { lhs, rhs, .. } => {
                self.expr(*lhs, depth);
                self.expr(*rhs, depth);
            }
            Expr::Send { channel, value } => {
                self.expr(*channel, depth);
                self.expr(*value, depth);
            }
            Expr::Select { arms } => {
                for arm in arms {
                    match &arm.kind {
                        SelectArmKind::Recv { channel, binding } => {
                            self.line(depth, "Arm recv");
                            if let Some(binding) = binding {
                                self.pat(*binding, depth + 1);
                            }
                            self.expr(*channel, depth + 1);
                        }
                        SelectArmKind::Send { channel, value } => {
                            self.line(depth, "Arm send");
                            self.expr(*channel, depth + 1);
                            self.expr(*value, depth + 1);
                        }
                        SelectArmKind::After(ms) => {
                            self.line(depth, "Arm after");
                            self.expr(*ms, depth + 1);
                        }
                        SelectArmKind::Default => self.line(depth, "Arm default"),
                    }
                    self.expr(arm.body, depth + 1);
                }
            }
            Expr::Assign { place, value, .. } => {
                self.expr(*place, depth);
                self.expr(*value, depth);
            }
            Expr::If { cond, then_branch, else_branch } => {
                self.expr(*cond, depth);
                self.expr(*then_branch, depth);
                if let Some(else_branch) = else_branch {
                    self.expr(*else_branch, depth);
                }
            }
            Expr::While { cond, body: loop_body, .. } => {
                self.expr(*cond, depth);
                self.expr(*loop_body, depth);
            }
            Expr::Loop { body: loop_body, .. } => self.expr(*loop_body, depth),
            Expr::For { pat, iter, body: loop_body, .. } => {
                self.pat(*pat, depth);
                match iter {
                    ForIter::Range { start, end, .. } => {
                        self.expr(*start, depth);
                        self.expr(*end, depth);
                    }
                    ForIter::Array(array) => self.expr(*array, depth),
                }
                self.expr(*loop_body, depth);
            }
            Expr::Break { value: Some(value), .. } | Expr::Return(Some(value)) => {
                self.expr(*value, depth)
            }
            Expr::Block { stmts, tail } => {
                for &stmt in stmts {
                    match &body.stmts[stmt] {
                        Stmt::Let { pat, init, .. } => {
                            self.line(depth, "Let");
                            self.pat(*pat, depth + 1);
                            if let Some(init) = init {
                                self.expr(*init, depth + 1);
                            }
                        }
                        Stmt::Expr(e) => self.expr(*e, depth),
                    }
                }
                if let Some(tail) = tail {
                    self.expr(*tail, depth);
                }
            }
            Expr::Match { scrutinee, arms } => {
                self.expr(*scrutinee, depth);
                for arm in arms {
                    self.line(depth, "Arm");
                    self.pat(arm.pat, depth + 1);
                    if let Some(guard) = arm.guard {
                        self.expr(guard, depth + 1);
                    }
                    self.expr(arm.expr, depth + 1);
                }
            }
            Expr::Tuple(elems) | Expr::Array(elems) => {
                elems.iter().for_each(|&e| self.expr(e, depth));
            }
            Expr::ArrayRepeat { value, .. } => self.expr(*value, depth),
            Expr::StructLit { fields, .. } => {
                fields.iter().for_each(|&(_, e)| self.expr(e, depth));
            }
            Expr::Format(pieces) => {
                for piece in pieces {
                    match piece {
                        FormatPiece::Text(text) => self.line(depth, &format!("Text {text:?}")),
                        FormatPiece::Value(value) => self.expr(*value, depth),
                    }
                }
            }
            Expr::Go { body: go_body, .. } => self.expr(*go_body, depth),
            _ => {}
        }
    }

    fn is_callee(&self, expr: ExprId) -> bool {
        self.callees.contains(&expr)
    }

    fn pat(&mut self, pat: PatId, depth: usize) {
        let ty = self.infer.pat_types.get(pat).map_or("?".to_owned(), |t| display_ty(self.db, t));
        let body = self.body;
        let head = match &body.pats[pat] {
            Pat::Missing => "Missing".to_owned(),
            Pat::Wild => "_".to_owned(),
            Pat::Bind(local) => {
                let local = &body.locals[*local];
                format!("Bind {}{}", local.name, if local.mutable { "!" } else { "" })
            }
            Pat::Literal(literal, negated) => {
                format!("Literal {}{}", if *negated { "-" } else { "" }, literal_text(literal))
            }
            Pat::Or(_) => "Or".to_owned(),
            Pat::Tuple(_) => "Tuple".to_owned(),
            Pat::Variant { ty, variant, .. } => format!("Variant {ty}.{variant}"),
            Pat::Unsupported(what) => format!("Unsupported {what}"),
        };
        self.line(depth, &format!("Pat {head}: {ty}"));
        match &body.pats[pat] {
            Pat::Or(pats) | Pat::Tuple(pats) | Pat::Variant { fields: Some(pats), .. } => {
                pats.iter().for_each(|&p| self.pat(p, depth + 1));
            }
            _ => {}
        }
    }
}

fn literal_text(literal: &Literal) -> String {
    match literal {
        Literal::Int(Some(value), suffix) => {
            format!("{value}{}", suffix.map_or("", |s| s.name()))
        }
        Literal::Int(None, _) => "<too large>".to_owned(),
        Literal::Float(bits, suffix) => {
            format!("{:?}{}", f64::from_bits(*bits), suffix.map_or("", |s| s.name()))
        }
        Literal::Bool(b) => b.to_string(),
        Literal::String(s) => format!("{s:?}"),
    }
}

fn binary_text(op: crate::body::BinaryOp) -> &'static str {
    match op {
        crate::body::BinaryOp::Arith(op) => op.as_str(),
        crate::body::BinaryOp::Cmp(op) => op.as_str(),
        crate::body::BinaryOp::And => "&&",
        crate::body::BinaryOp::Or => "||",
        crate::body::BinaryOp::Coalesce => "??",
    }
}
