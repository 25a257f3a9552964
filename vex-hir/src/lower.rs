//! Lowering a function's (or constant's) syntax into [`Body`] HIR, and the per-body
//! queries `body(id)` and `body_source_map(id)`.
//!
//! Both queries project one computation, `body_with_source_map`, which lowers the item's
//! syntax detached from its file ([`body_syntax`]): its spans are relative to the item's
//! start ([`body_offset`]). So an edit elsewhere in the file, even one that moves this
//! item, re-lowers nothing: the detached syntax comes out equal, salsa backdates it, and
//! neither the body, its source map nor `infer` and the body's diagnostics run again.
//! `body` holds no positions at all, so a whitespace or comment edit inside the item
//! re-lowers it but re-infers nothing. See the module doc of [`crate::body`] for the
//! desugarings.

use std::sync::Arc;

use vex_syntax::ast::{self, AstNode, FStringPiece, LiteralKind};
use vex_syntax::{SyntaxNode, TextRange, TextSize};

use crate::body::{
    ArithOp, BinaryOp, Body, BodySourceMap, CmpOp, Expr, ExprId, ForIter, FormatPiece, Label,
    LabelId, Literal, Local, LocalId, MatchArm, Name, Pat, PatId, SelectArm, SelectArmKind, Stmt,
    StmtId, UnaryOp,
};
use crate::db::Db;
use crate::diagnostics::{Code, Diagnostic};
use crate::ids::{ConstLoc, FunctionLoc};
use crate::item_tree::{ItemKind, SharedGreen, item_greens, item_source_map, lower_type};
use crate::ty::{FloatTy, IntTy};

/// What owns a body: a function or a constant's initialiser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyOwner {
    /// A function (free, associated or method).
    Function(FunctionLoc),
    /// A `const` item's value.
    Const(ConstLoc),
}

pub use interned::BodyId;

// Salsa's macros generate undocumented constructors and getters; the structs are
// documented here and the generated items inherit this module's allowance.
mod interned {
    #![allow(missing_docs)]
    use super::BodyOwner;

    /// A body as a salsa query key.
    #[salsa::interned(debug)]
    pub struct BodyId<'db> {
        /// The owner of the body.
        #[returns(copy)]
        pub owner: BodyOwner,
    }
}

/// The syntax of a body's item (the function or the const), detached from its file: equal
/// across edits elsewhere in the file, which is what keeps those edits from re-lowering
/// every body after them. Taken from [`item_greens`] rather than found through a
/// pointer into the file: an edit moves every item after it, and this runs again for
/// each of them.
#[salsa::tracked]
pub fn body_syntax<'db>(db: &'db dyn Db, id: BodyId<'db>) -> Option<SharedGreen> {
    let (file, index, consts) = match id.owner(db) {
        BodyOwner::Function(loc) => (loc.file, loc.index, false),
        BodyOwner::Const(loc) => (loc.file, loc.index, true),
    };
    let greens = item_greens(db, file);
    let greens = if consts { &greens.consts } else { &greens.functions };
    greens.get(index as usize).cloned()
}

/// Where a body's item starts in its file: the spans of [`body_source_map`] are relative
/// to it.
pub fn body_offset(db: &dyn Db, id: BodyId<'_>) -> TextSize {
    let (file, index, kind) = match id.owner(db) {
        BodyOwner::Function(loc) => (loc.file, loc.index, ItemKind::Function),
        BodyOwner::Const(loc) => (loc.file, loc.index, ItemKind::Const),
    };
    item_source_map(db, file).item_start(kind, index).unwrap_or_default()
}

/// The body and its source map, computed together from the detached syntax.
#[salsa::tracked(returns(ref))]
pub fn body_with_source_map<'db>(
    db: &'db dyn Db,
    id: BodyId<'db>,
) -> (Arc<Body>, Arc<BodySourceMap>) {
    let mut lowerer = Lowerer::default();
    let root = body_syntax(db, id).clone().map(|green| SyntaxNode::new_root(green.0));
    match id.owner(db) {
        BodyOwner::Function(_) => lowerer.lower_function(root.and_then(ast::Fn::cast)),
        BodyOwner::Const(_) => {
            let value = root.and_then(ast::Const::cast).and_then(|c| c.value());
            lowerer.body.root = lowerer.lower_opt_expr(value);
        }
    }
    (Arc::new(lowerer.body), Arc::new(lowerer.map))
}

/// The positionless HIR of one body.
#[salsa::tracked(returns(ref))]
pub fn body<'db>(db: &'db dyn Db, id: BodyId<'db>) -> Arc<Body> {
    Arc::clone(&body_with_source_map(db, id).0)
}

/// The spans of one body's HIR nodes, relative to [`body_offset`].
#[salsa::tracked(returns(ref))]
pub fn body_source_map<'db>(db: &'db dyn Db, id: BodyId<'db>) -> Arc<BodySourceMap> {
    Arc::clone(&body_with_source_map(db, id).1)
}

struct LoopEntry {
    label: Option<(Name, LabelId)>,
}

/// A `go` block or closure being lowered: the code inside copies what it reads from
/// outside.
struct CaptureFrame {
    /// Number of scopes that belong to the enclosing code; locals in them are captures.
    outer_scopes: usize,
    captures: Vec<LocalId>,
    outer_loops: Vec<LoopEntry>,
    /// A closure (not a `go` block), for messages.
    closure: bool,
}

#[derive(Default)]
struct Lowerer {
    body: Body,
    map: BodySourceMap,
    scopes: Vec<Vec<(Name, LocalId)>>,
    loops: Vec<LoopEntry>,
    capture_frames: Vec<CaptureFrame>,
    /// Inside the second and later alternatives of an or-pattern: the names the first
    /// alternative bound, their locals, and whether this alternative bound them too.
    or_bindings: Vec<Vec<(Name, LocalId, bool)>>,
}

impl Lowerer {
    fn lower_function(&mut self, syntax: Option<ast::Fn>) {
        let Some(function) = syntax else {
            self.body.root = self.body.exprs.alloc(Expr::Missing);
            return;
        };
        self.scopes.push(Vec::new());
        self.map.fn_keyword = function.fn_token().map(|t| t.text_range().start());
        let receiver = function.receiver().and_then(|r| r.param());
        let params = function.param_list().into_iter().flat_map(|l| l.params());
        for param in receiver.into_iter().chain(params) {
            let name: Name = param.name().map_or_else(|| "{missing}".into(), |n| n.text().into());
            let range =
                param.name().map_or(param.syntax().text_range(), |n| n.syntax().text_range());
            let local = self.new_local(name, param.is_mut(), range);
            if param.name().is_some() {
                self.map.mut_sites.insert(local, range.end());
            }
            self.body.params.push(local);
        }
        self.body.root = match function.body() {
            Some(block) => self.lower_block(&block),
            None => self.body.exprs.alloc(Expr::Missing),
        };
        self.scopes.pop();
    }

    // ---- allocation ----

    fn alloc_expr(&mut self, expr: Expr, range: TextRange) -> ExprId {
        let id = self.body.exprs.alloc(expr);
        self.map.exprs.insert(id, range);
        id
    }

    fn alloc_pat(&mut self, pat: Pat, range: TextRange) -> PatId {
        let id = self.body.pats.alloc(pat);
        self.map.pats.insert(id, range);
        id
    }

    fn alloc_stmt(&mut self, stmt: Stmt, range: TextRange) -> StmtId {
        let id = self.body.stmts.alloc(stmt);
        self.map.stmts.insert(id, range);
        id
    }

    fn new_local(&mut self, name: Name, mutable: bool, range: TextRange) -> LocalId {
        let id = self.body.locals.alloc(Local { name: name.clone(), mutable });
        self.map.locals.insert(id, range);
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name, id));
        }
        id
    }

    fn error(&mut self, code: Code, range: TextRange, message: impl Into<String>) {
        self.map.diagnostics.push(Diagnostic::error(range, message).with_code(code));
    }

    // ---- names ----

    /// Resolves a local by name, recording it as a capture of every `go` block and
    /// closure between the use and the definition.
    fn lookup_local(&mut self, name: &str) -> Option<LocalId> {
        let (depth, local) = self.scopes.iter().enumerate().rev().find_map(|(depth, scope)| {
            scope.iter().rev().find(|(n, _)| &**n == name).map(|&(_, local)| (depth, local))
        })?;
        for frame in self.capture_frames.iter_mut().rev() {
            if depth < frame.outer_scopes && !frame.captures.contains(&local) {
                frame.captures.push(local);
            }
        }
        Some(local)
    }

    fn name_expr(&mut self, name_ref: &ast::NameRef, range: TextRange) -> ExprId {
        let text = name_ref.text();
        if !name_ref.is_builtin()
            && let Some(local) = self.lookup_local(&text)
        {
            return self.alloc_expr(Expr::Local(local), range);
        }
        let id = self.alloc_expr(Expr::Name(text.into()), range);
        let visible: Box<[LocalId]> = self.scopes.iter().flatten().map(|&(_, l)| l).collect();
        if !visible.is_empty() {
            self.body.locals_in_scope.insert(id, visible);
        }
        id
    }

    /// If `expr` is a bare name that is not a local, the name: `Shape` in `Shape.Empty`.
    fn type_name_of(&mut self, expr: &ast::Expr) -> Option<Name> {
        let ast::Expr::PathExpr(path) = expr else { return None };
        let name_ref = path.name_ref()?;
        if name_ref.is_builtin()
            || self.scopes.iter().flatten().any(|(n, _)| **n == *name_ref.text())
        {
            return None;
        }
        Some(name_ref.text().into())
    }

    // ---- expressions ----

    fn lower_opt_expr(&mut self, expr: Option<ast::Expr>) -> ExprId {
        match expr {
            Some(expr) => self.lower_expr(&expr),
            None => self.body.exprs.alloc(Expr::Missing),
        }
    }

    fn lower_expr(&mut self, expr: &ast::Expr) -> ExprId {
        crate::ensure_stack(|| self.lower_expr_here(expr))
    }

    fn lower_expr_here(&mut self, expr: &ast::Expr) -> ExprId {
        let range = expr.syntax().text_range();
        match expr {
            ast::Expr::Literal(literal) => {
                let value = self.lower_literal(literal, range);
                self.alloc_expr(Expr::Literal(value), range)
            }
            ast::Expr::PathExpr(path) => match path.name_ref() {
                Some(name_ref) => self.name_expr(&name_ref, range),
                None => self.alloc_expr(Expr::Missing, range),
            },
            ast::Expr::FStringExpr(fstring) => {
                let mut pieces = Vec::new();
                for piece in fstring.pieces() {
                    match piece {
                        FStringPiece::Text { value: Some(text), .. } => {
                            pieces.push(FormatPiece::Text(text.into()))
                        }
                        FStringPiece::Text { value: None, token } => {
                            self.error(
                                Code::InvalidLiteral,
                                token.text_range(),
                                "invalid escape in string",
                            );
                        }
                        FStringPiece::Hole(hole) => {
                            let value = self.lower_opt_expr(hole.expr());
                            pieces.push(FormatPiece::Value(value));
                        }
                    }
                }
                self.alloc_expr(Expr::Format(pieces), range)
            }
            ast::Expr::ParenExpr(paren) => self.lower_opt_expr(paren.expr()),
            ast::Expr::TupleExpr(tuple) => {
                let fields = tuple.fields().map(|f| self.lower_expr(&f)).collect();
                self.alloc_expr(Expr::Tuple(fields), range)
            }
            ast::Expr::ArrayExpr(array) => {
                let elements = array.elements().map(|e| self.lower_expr(&e)).collect();
                self.alloc_expr(Expr::Array(elements), range)
            }
            ast::Expr::ArrayRepeatExpr(repeat) => {
                let value = self.lower_opt_expr(repeat.value());
                let count = repeat.len().and_then(|len| match len {
                    ast::Expr::Literal(l) => match l.kind() {
                        Some(LiteralKind::Int { value: Some(v), .. }) => u64::try_from(v).ok(),
                        _ => None,
                    },
                    _ => None,
                });
                if count.is_none() {
                    let at = repeat.len().map_or(range, |l| l.syntax().text_range());
                    self.error(Code::InvalidLiteral, at, "array length must be an integer literal");
                }
                self.alloc_expr(Expr::ArrayRepeat { value, count }, range)
            }
            ast::Expr::RecordExpr(record) => {
                let name: Name =
                    record.name_ref().map_or_else(|| "{missing}".into(), |n| n.text().into());
                let mut fields = Vec::new();
                for field in record.field_list().into_iter().flat_map(|l| l.fields()) {
                    let Some(name_ref) = field.name_ref() else { continue };
                    let value = if field.is_shorthand() {
                        self.name_expr(&name_ref, field.syntax().text_range())
                    } else {
                        self.lower_opt_expr(field.expr())
                    };
                    fields.push((name_ref.text().into(), value));
                }
                self.alloc_expr(Expr::StructLit { name, fields }, range)
            }
            ast::Expr::BlockExpr(block) => self.lower_block(block),
            ast::Expr::UnsafeExpr(_) => self.unsupported("`unsafe` blocks", range),
            ast::Expr::IfExpr(if_expr) => self.lower_if(if_expr),
            ast::Expr::WhileExpr(while_expr) => {
                let label = self.define_label(while_expr.label());
                self.loops.push(LoopEntry { label: label.clone() });
                // `while let`: the pattern's bindings are scoped to the body.
                self.scopes.push(Vec::new());
                let cond = self.lower_condition(while_expr.condition());
                let body = self.lower_opt_block(while_expr.body());
                self.scopes.pop();
                self.loops.pop();
                let label = label.map(|(_, id)| id);
                self.alloc_expr(Expr::While { label, cond, body }, range)
            }
            ast::Expr::LoopExpr(loop_expr) => {
                let label = self.define_label(loop_expr.label());
                self.loops.push(LoopEntry { label: label.clone() });
                let body = self.lower_opt_block(loop_expr.body());
                self.loops.pop();
                let label = label.map(|(_, id)| id);
                self.alloc_expr(Expr::Loop { label, body }, range)
            }
            ast::Expr::ForExpr(for_expr) => self.lower_for(for_expr, range),
            ast::Expr::BreakExpr(break_expr) => {
                let label = self.resolve_label(break_expr.label_ident_token(), range, "break");
                let value = break_expr.expr().map(|e| self.lower_expr(&e));
                self.alloc_expr(Expr::Break { label, value }, range)
            }
            ast::Expr::ContinueExpr(continue_expr) => {
                let label =
                    self.resolve_label(continue_expr.label_ident_token(), range, "continue");
                self.alloc_expr(Expr::Continue { label }, range)
            }
            ast::Expr::ReturnExpr(ret) => {
                let value = ret.expr().map(|e| self.lower_expr(&e));
                self.alloc_expr(Expr::Return(value), range)
            }
            ast::Expr::MatchExpr(match_expr) => {
                let scrutinee = self.lower_condition(match_expr.expr());
                let mut arms = Vec::new();
                for arm in match_expr.match_arm_list().into_iter().flat_map(|l| l.arms()) {
                    self.scopes.push(Vec::new());
                    let pat = self.lower_pat(arm.pat(), false, false);
                    let guard = arm.guard().map(|g| self.lower_opt_expr(g.condition()));
                    let expr = self.lower_opt_expr(arm.expr());
                    self.scopes.pop();
                    arms.push(MatchArm { pat, guard, expr });
                }
                self.alloc_expr(Expr::Match { scrutinee, arms }, range)
            }
            ast::Expr::CallExpr(call) => {
                let callee = self.lower_opt_expr(call.callee());
                let args = self.lower_args(call.arg_list());
                self.alloc_expr(Expr::Call { callee, args }, range)
            }
            ast::Expr::MethodCallExpr(call) => {
                let method: Name =
                    call.name_ref().map_or_else(|| "{missing}".into(), |n| n.text().into());
                let receiver = call.receiver();
                if let Some(ty) = receiver.as_ref().and_then(|r| self.type_name_of(r)) {
                    // `Point.new(…)`, `Shape.Circle(…)`, `Vec.new<i64>()`: a path, not a
                    // method call.
                    let type_args = self.lower_type_args(call.generic_arg_list());
                    let end = match (call.generic_arg_list(), call.name_ref()) {
                        (Some(args), _) => args.syntax().text_range().end(),
                        (None, Some(name)) => name.syntax().text_range().end(),
                        (None, None) => range.end(),
                    };
                    let path_range = TextRange::new(range.start(), end);
                    let path = Expr::Path { ty, member: method, type_args };
                    let callee = self.alloc_expr(path, path_range);
                    let args = self.lower_args(call.arg_list());
                    return self.alloc_expr(Expr::Call { callee, args }, range);
                }
                if let Some(args) = call.generic_arg_list() {
                    self.error(
                        Code::NotSupported,
                        args.syntax().text_range(),
                        "methods take no type arguments",
                    );
                }
                let receiver = self.lower_opt_expr(receiver);
                let args = self.lower_args(call.arg_list());
                self.alloc_expr(Expr::MethodCall { receiver, method, args }, range)
            }
            ast::Expr::FieldExpr(field) => {
                let Some(name_ref) = field.name_ref() else {
                    let base = self.lower_opt_expr(field.receiver());
                    return self.alloc_expr(Expr::Field { base, name: "{missing}".into() }, range);
                };
                if let Some(index) = name_ref.as_tuple_index() {
                    let base = self.lower_opt_expr(field.receiver());
                    return self.alloc_expr(Expr::TupleField { base, index: index as u32 }, range);
                }
                let receiver = field.receiver();
                if let Some(ty) = receiver.as_ref().and_then(|r| self.type_name_of(r)) {
                    let member = name_ref.text().into();
                    return self
                        .alloc_expr(Expr::Path { ty, member, type_args: Vec::new() }, range);
                }
                let base = self.lower_opt_expr(receiver);
                self.alloc_expr(Expr::Field { base, name: name_ref.text().into() }, range)
            }
            ast::Expr::IndexExpr(index) => {
                let base = self.lower_opt_expr(index.base());
                let index = self.lower_opt_expr(index.index());
                self.alloc_expr(Expr::Index { base, index }, range)
            }
            ast::Expr::PrefixExpr(prefix) => {
                let op = match prefix.op_kind() {
                    Some(ast::UnaryOp::Neg) => UnaryOp::Neg,
                    Some(ast::UnaryOp::Not) => UnaryOp::Not,
                    Some(ast::UnaryOp::Ref) => return self.unsupported("references `&`", range),
                    Some(ast::UnaryOp::Deref) => {
                        return self.unsupported("dereferencing `*`", range);
                    }
                    Some(ast::UnaryOp::Recv) => {
                        let channel = self.lower_opt_expr(prefix.expr());
                        return self.alloc_expr(Expr::Recv(channel), range);
                    }
                    Some(_) => return self.unsupported("this prefix operator", range),
                    None => return self.alloc_expr(Expr::Missing, range),
                };
                let operand = self.lower_opt_expr(prefix.expr());
                self.alloc_expr(Expr::Unary { op, expr: operand }, range)
            }
            ast::Expr::AwaitExpr(await_expr) => {
                let future = self.lower_opt_expr(await_expr.expr());
                self.alloc_expr(Expr::Await(future), range)
            }
            ast::Expr::BinExpr(bin) => self.lower_binary(bin, range),
            ast::Expr::CastExpr(cast) => {
                let operand = self.lower_opt_expr(cast.expr());
                let (ty, error) = lower_type(cast.ty());
                let ty_range = cast.ty().map_or(range, |t| t.syntax().text_range());
                if let Some(error) = error {
                    self.error(Code::UnknownType, ty_range, error);
                }
                let id = self.alloc_expr(Expr::Cast { expr: operand, ty }, range);
                self.map.cast_types.insert(id, ty_range);
                id
            }
            ast::Expr::RangeExpr(_) => self.unsupported("ranges outside `for` loops", range),
            ast::Expr::TernaryExpr(_) => self.unsupported(
                "the conditional operator `c ? a : b` (write `if c { a } else { b }`)",
                range,
            ),
            ast::Expr::ClosureExpr(closure) => self.lower_closure(closure, range),
            ast::Expr::TryExpr(try_expr) => {
                let operand = self.lower_opt_expr(try_expr.expr());
                self.alloc_expr(Expr::Try(operand), range)
            }
            ast::Expr::GoExpr(go) => self.lower_go(go, range),
            ast::Expr::SelectExpr(select) => self.lower_select(select, range),
            ast::Expr::SendExpr(send) => {
                let channel = self.lower_opt_expr(send.channel());
                let value = self.lower_opt_expr(send.value());
                self.alloc_expr(Expr::Send { channel, value }, range)
            }
            ast::Expr::LetExpr(_) => self.unsupported(
                "`let` outside the condition of `if` or `while` (write `if let p = e { … }`)",
                range,
            ),
        }
    }

    fn unsupported(&mut self, what: &'static str, range: TextRange) -> ExprId {
        self.alloc_expr(Expr::Unsupported(what), range)
    }

    fn lower_type_args(&mut self, list: Option<ast::GenericArgList>) -> Vec<crate::body::TypeRef> {
        let args: Vec<ast::Type> = list.into_iter().flat_map(|l| l.args()).collect();
        args.into_iter().map(|t| self.lower_type_annotation(t)).collect()
    }

    fn lower_args(&mut self, list: Option<ast::ArgList>) -> Vec<ExprId> {
        list.into_iter().flat_map(|l| l.args()).map(|a| self.lower_expr(&a)).collect()
    }

    /// Conditions of `if`, `elif` and `while`, and `match` scrutinees. A `let` here is
    /// `if let`/`while let`: its bindings go into the innermost scope, which the caller
    /// opened for the guarded block.
    fn lower_condition(&mut self, expr: Option<ast::Expr>) -> ExprId {
        match expr {
            Some(ast::Expr::LetExpr(let_expr)) => {
                let range = let_expr.syntax().text_range();
                // The value is evaluated before the pattern's names exist.
                let value = self.lower_opt_expr(let_expr.expr());
                let pat = self.lower_pat(let_expr.pat(), false, false);
                self.alloc_expr(Expr::Let { pat, expr: value }, range)
            }
            other => self.lower_opt_expr(other),
        }
    }

    fn lower_literal(&mut self, literal: &ast::Literal, range: TextRange) -> Literal {
        match literal.kind() {
            Some(LiteralKind::Int { value, suffix }) => {
                let ty = suffix.as_deref().and_then(IntTy::from_name);
                let value = value.and_then(|v| u64::try_from(v).ok());
                Literal::Int(value, ty)
            }
            Some(LiteralKind::Float { value, suffix }) => {
                let ty = suffix.as_deref().and_then(FloatTy::from_name);
                if value.is_none() {
                    self.error(Code::InvalidLiteral, range, "malformed float literal");
                }
                Literal::Float(value.unwrap_or(0.0).to_bits(), ty)
            }
            Some(LiteralKind::String { value }) => {
                if value.is_none() {
                    self.error(Code::InvalidLiteral, range, "invalid escape in string literal");
                }
                Literal::String(value.unwrap_or_default().into())
            }
            Some(LiteralKind::Bool(b)) => Literal::Bool(b),
            Some(_) | None => Literal::Bool(false),
        }
    }

    /// `select { head => body, … }`: each head is `v = <-ch`, `<-ch`, `ch <- x`,
    /// `after ms` or `default`; `v` is a new local scoped to its arm.
    fn lower_select(&mut self, select: &ast::SelectExpr, range: TextRange) -> ExprId {
        let mut arms = Vec::new();
        for arm in select.arm_list().into_iter().flat_map(|l| l.arms()) {
            let arm_range = arm.syntax().text_range();
            let keyword = arm.keyword().map(|k| k.text().to_owned());
            let mut exprs: Vec<ast::Expr> = arm.exprs().collect();
            let body_ast = if exprs.len() >= 2 || keyword.as_deref() == Some("default") {
                exprs.pop()
            } else {
                None
            };
            self.scopes.push(Vec::new());
            let kind = match (keyword.as_deref(), exprs.first()) {
                (Some("default"), _) => Some(SelectArmKind::Default),
                (Some("after"), head) => {
                    Some(SelectArmKind::After(self.lower_opt_expr(head.cloned())))
                }
                (_, Some(head)) => self.lower_select_head(head),
                (_, None) => None,
            };
            let body = self.lower_opt_expr(body_ast);
            self.scopes.pop();
            match kind {
                Some(kind) => arms.push(SelectArm { kind, body }),
                None => self.error(
                    Code::InvalidSelect,
                    arm_range,
                    "a `select` arm waits for `v = <-ch`, `<-ch`, `ch <- value`, `after ms` or `default`",
                ),
            }
        }
        self.alloc_expr(Expr::Select { arms }, range)
    }

    /// The head of a channel arm of a `select`, if it is one.
    fn lower_select_head(&mut self, head: &ast::Expr) -> Option<SelectArmKind> {
        match head {
            ast::Expr::PrefixExpr(prefix) if prefix.op_kind() == Some(ast::UnaryOp::Recv) => {
                let channel = self.lower_opt_expr(prefix.expr());
                Some(SelectArmKind::Recv { channel, binding: None })
            }
            ast::Expr::SendExpr(send) => {
                let channel = self.lower_opt_expr(send.channel());
                let value = self.lower_opt_expr(send.value());
                Some(SelectArmKind::Send { channel, value })
            }
            ast::Expr::BinExpr(bin) if bin.op_kind() == Some(ast::BinaryOp::Assign) => {
                let Some(ast::Expr::PrefixExpr(prefix)) = bin.rhs() else { return None };
                if prefix.op_kind() != Some(ast::UnaryOp::Recv) {
                    return None;
                }
                let Some(ast::Expr::PathExpr(path)) = bin.lhs() else { return None };
                let name_ref = path.name_ref()?;
                // The channel is evaluated before the binding exists.
                let channel = self.lower_opt_expr(prefix.expr());
                let name_range = name_ref.syntax().text_range();
                let local = self.new_local(name_ref.text().into(), false, name_range);
                let binding = self.alloc_pat(Pat::Bind(local), name_range);
                Some(SelectArmKind::Recv { channel, binding: Some(binding) })
            }
            _ => None,
        }
    }

    fn lower_binary(&mut self, bin: &ast::BinExpr, range: TextRange) -> ExprId {
        let lhs = self.lower_opt_expr(bin.lhs());
        let rhs = self.lower_opt_expr(bin.rhs());
        let Some(op) = bin.op_kind() else {
            return self.alloc_expr(Expr::Missing, range);
        };
        if op == ast::BinaryOp::Assign {
            return self.alloc_expr(Expr::Assign { op: None, place: lhs, value: rhs }, range);
        }
        if let Some(base) = op.compound_base() {
            let arith = arith_op(base).unwrap_or(ArithOp::Add);
            return self
                .alloc_expr(Expr::Assign { op: Some(arith), place: lhs, value: rhs }, range);
        }
        let op = match op {
            ast::BinaryOp::And => BinaryOp::And,
            ast::BinaryOp::Or => BinaryOp::Or,
            ast::BinaryOp::Coalesce => BinaryOp::Coalesce,
            ast::BinaryOp::Eq => BinaryOp::Cmp(CmpOp::Eq),
            ast::BinaryOp::Ne => BinaryOp::Cmp(CmpOp::Ne),
            ast::BinaryOp::Lt => BinaryOp::Cmp(CmpOp::Lt),
            ast::BinaryOp::Le => BinaryOp::Cmp(CmpOp::Le),
            ast::BinaryOp::Gt => BinaryOp::Cmp(CmpOp::Gt),
            ast::BinaryOp::Ge => BinaryOp::Cmp(CmpOp::Ge),
            other => BinaryOp::Arith(arith_op(other).unwrap_or(ArithOp::Add)),
        };
        self.alloc_expr(Expr::Binary { op, lhs, rhs }, range)
    }

    fn lower_if(&mut self, if_expr: &ast::IfExpr) -> ExprId {
        let range = if_expr.syntax().text_range();
        let (cond, then_branch) = self.lower_guarded(if_expr.condition(), if_expr.then_branch());
        // `elif` chains become nested `if`s, built from the last branch backwards.
        let elifs: Vec<ast::ElifBranch> = if_expr.elif_branches().collect();
        let mut lowered = Vec::new();
        for elif in &elifs {
            let (cond, block) = self.lower_guarded(elif.condition(), elif.block());
            lowered.push((cond, block, elif.syntax().text_range()));
        }
        let mut else_branch = if_expr.else_block().map(|b| self.lower_block(&b));
        for (cond, block, elif_range) in lowered.into_iter().rev() {
            let nested_range = TextRange::new(elif_range.start(), range.end());
            let nested = Expr::If { cond, then_branch: block, else_branch };
            else_branch = Some(self.alloc_expr(nested, nested_range));
        }
        self.alloc_expr(Expr::If { cond, then_branch, else_branch }, range)
    }

    /// A condition and the block it guards; an `if let`'s bindings are visible in the
    /// block only.
    fn lower_guarded(
        &mut self,
        cond: Option<ast::Expr>,
        block: Option<ast::BlockExpr>,
    ) -> (ExprId, ExprId) {
        self.scopes.push(Vec::new());
        let cond = self.lower_condition(cond);
        let block = self.lower_opt_block(block);
        self.scopes.pop();
        (cond, block)
    }

    fn lower_for(&mut self, for_expr: &ast::ForExpr, range: TextRange) -> ExprId {
        let label = self.define_label(for_expr.label());
        let iter = match for_expr.iterable() {
            Some(ast::Expr::RangeExpr(r)) => {
                if r.end().is_none() || r.start().is_none() {
                    self.error(
                        Code::NotSupported,
                        r.syntax().text_range(),
                        "a `for` range needs both a start and an end",
                    );
                }
                let start = self.lower_opt_expr(r.start());
                let end = self.lower_opt_expr(r.end());
                ForIter::Range { start, end, inclusive: r.is_inclusive() }
            }
            other => ForIter::Array(self.lower_opt_expr(other)),
        };
        self.scopes.push(Vec::new());
        let pat = self.lower_pat(for_expr.pat(), false, true);
        self.loops.push(LoopEntry { label: label.clone() });
        let body = self.lower_opt_block(for_expr.body());
        self.loops.pop();
        self.scopes.pop();
        let label = label.map(|(_, id)| id);
        self.alloc_expr(Expr::For { label, pat, iter, body }, range)
    }

    fn lower_go(&mut self, go: &ast::GoExpr, range: TextRange) -> ExprId {
        self.push_capture_frame(false);
        let body = match go.expr() {
            Some(ast::Expr::BlockExpr(block)) => self.lower_block(&block),
            Some(call @ ast::Expr::CallExpr(_)) => self.lower_expr(&call),
            Some(call @ ast::Expr::MethodCallExpr(_)) => self.lower_expr(&call),
            Some(other) => {
                let at = other.syntax().text_range();
                self.error(
                    Code::NotSupported,
                    at,
                    "`go` takes a block `go { … }` or a call `go f(x)`",
                );
                self.lower_expr(&other)
            }
            None => self.body.exprs.alloc(Expr::Missing),
        };
        let captures = self.pop_capture_frame();
        self.alloc_expr(Expr::Go { body, captures }, range)
    }

    /// Starts a `go` block or closure: what it reads from the scopes open now is
    /// captured, and loops outside it are out of reach.
    fn push_capture_frame(&mut self, closure: bool) {
        self.capture_frames.push(CaptureFrame {
            outer_scopes: self.scopes.len(),
            captures: Vec::new(),
            outer_loops: std::mem::take(&mut self.loops),
            closure,
        });
    }

    /// Ends the innermost `go` block or closure; returns its captures.
    fn pop_capture_frame(&mut self) -> Vec<LocalId> {
        match self.capture_frames.pop() {
            Some(frame) => {
                self.loops = frame.outer_loops;
                frame.captures
            }
            None => Vec::new(),
        }
    }

    fn lower_closure(&mut self, closure: &ast::ClosureExpr, range: TextRange) -> ExprId {
        self.push_capture_frame(true);
        self.scopes.push(Vec::new());
        let mut params = Vec::new();
        let mut param_types = Vec::new();
        for param in closure.param_list().into_iter().flat_map(|l| l.params()) {
            let name: Name = param.name().map_or_else(|| "{missing}".into(), |n| n.text().into());
            let name_range =
                param.name().map_or(param.syntax().text_range(), |n| n.syntax().text_range());
            if param.is_mut() {
                self.error(
                    Code::NotSupported,
                    name_range,
                    "closure parameters cannot be mutable; copy the value into a `let!`",
                );
            }
            params.push(self.new_local(name, false, name_range));
            param_types.push(param.ty().map(|t| self.lower_type_annotation(t)));
        }
        let ret = closure.ret_type().and_then(|r| r.ty()).map(|t| self.lower_type_annotation(t));
        let body = self.lower_opt_expr(closure.body());
        self.scopes.pop();
        let captures = self.pop_capture_frame();
        let is_async = closure.is_async();
        let closure = Expr::Closure { params, param_types, ret, body, is_async, captures };
        self.alloc_expr(closure, range)
    }

    /// A type annotation, with its syntax errors reported.
    fn lower_type_annotation(&mut self, ty: ast::Type) -> crate::body::TypeRef {
        let (lowered, error) = lower_type(Some(ty.clone()));
        if let Some(error) = error {
            self.error(Code::UnknownType, ty.syntax().text_range(), error);
        }
        lowered
    }

    // ---- labels ----

    fn define_label(&mut self, label: Option<ast::Label>) -> Option<(Name, LabelId)> {
        let label = label?;
        let name: Name = label.text().into();
        let id = self.body.labels.alloc(Label { name: name.clone() });
        self.map.labels.insert(id, label.syntax().text_range());
        Some((name, id))
    }

    fn resolve_label(
        &mut self,
        token: Option<vex_syntax::SyntaxToken>,
        range: TextRange,
        keyword: &str,
    ) -> Option<LabelId> {
        if self.loops.is_empty() {
            let message = match self.capture_frames.last() {
                None => format!("`{keyword}` outside of a loop"),
                Some(frame) if frame.closure => {
                    format!("`{keyword}` outside of a loop (a closure is a function of its own)")
                }
                Some(_) => {
                    format!("`{keyword}` outside of a loop (a `go` block is a task of its own)")
                }
            };
            self.error(Code::BreakOutsideLoop, range, message);
            return None;
        }
        let token = token?;
        let name = token.text().trim_start_matches('\'');
        let found = self.loops.iter().rev().find_map(|l| match &l.label {
            Some((n, id)) if &**n == name => Some(*id),
            _ => None,
        });
        if found.is_none() {
            self.error(
                Code::BreakOutsideLoop,
                token.text_range(),
                format!("unknown label `'{name}`"),
            );
        }
        found
    }

    // ---- blocks and statements ----

    fn lower_opt_block(&mut self, block: Option<ast::BlockExpr>) -> ExprId {
        match block {
            Some(block) => self.lower_block(&block),
            None => self.body.exprs.alloc(Expr::Missing),
        }
    }

    fn lower_block(&mut self, block: &ast::BlockExpr) -> ExprId {
        self.scopes.push(Vec::new());
        let mut stmts = Vec::new();
        for stmt in block.statements() {
            if let Some(stmt) = self.lower_stmt(&stmt) {
                stmts.push(stmt);
            }
        }
        let tail = block.tail_expr().map(|e| self.lower_expr(&e));
        self.scopes.pop();
        self.alloc_expr(Expr::Block { stmts, tail }, block.syntax().text_range())
    }

    fn lower_stmt(&mut self, stmt: &ast::Stmt) -> Option<StmtId> {
        let range = stmt.syntax().text_range();
        let lowered = match stmt {
            ast::Stmt::LetStmt(let_stmt) => {
                // The initialiser sees the bindings in scope before this `let`.
                let init = let_stmt.initializer().map(|e| self.lower_expr(&e));
                let annotation = let_stmt.ty();
                let ty = annotation.clone().map(|t| {
                    let (ty, error) = lower_type(Some(t.clone()));
                    if let Some(error) = error {
                        self.error(Code::UnknownType, t.syntax().text_range(), error);
                    }
                    ty
                });
                let first_local = self.body.locals.len();
                let pat = self.lower_pat(let_stmt.pat(), let_stmt.is_mut(), true);
                if let Some(keyword) = let_stmt.let_token() {
                    // Every binding of the pattern becomes mutable with `let!`.
                    let bound: Vec<LocalId> =
                        self.body.locals.iter().skip(first_local).map(|(id, _)| id).collect();
                    for local in bound {
                        self.map.mut_sites.insert(local, keyword.text_range().end());
                    }
                }
                let id = self.alloc_stmt(Stmt::Let { pat, ty, init }, range);
                if let Some(annotation) = annotation {
                    self.map.let_types.insert(id, annotation.syntax().text_range());
                }
                return Some(id);
            }
            ast::Stmt::ExprStmt(expr_stmt) => Stmt::Expr(self.lower_opt_expr(expr_stmt.expr())),
            ast::Stmt::DeferStmt(defer) => {
                let deferred = self.lower_opt_expr(defer.expr());
                Stmt::Expr(self.alloc_expr(Expr::Defer(deferred), range))
            }
            ast::Stmt::Item(_) => {
                Stmt::Expr(self.unsupported("items inside function bodies", range))
            }
        };
        Some(self.alloc_stmt(lowered, range))
    }

    // ---- patterns ----

    /// Lowers a pattern, defining its bindings in the current scope. `irrefutable`
    /// patterns (`let`, `for`) accept only bindings, `_` and tuples of them.
    fn lower_pat(&mut self, pat: Option<ast::Pat>, mutable: bool, irrefutable: bool) -> PatId {
        let Some(pat) = pat else { return self.body.pats.alloc(Pat::Missing) };
        let range = pat.syntax().text_range();
        let lowered = match &pat {
            ast::Pat::IdentPat(ident)
                if !irrefutable
                    && ident.name().is_some_and(|n| n.text() == "None")
                    && !self
                        .or_bindings
                        .last()
                        .is_some_and(|b| b.iter().any(|e| &*e.0 == "None")) =>
            {
                // A bare `None` is the variant, not a binding (LANGUAGE.md §8).
                Pat::Variant { ty: "Option".into(), variant: "None".into(), fields: None }
            }
            ast::Pat::IdentPat(ident) => {
                let name: Name =
                    ident.name().map_or_else(|| "{missing}".into(), |n| n.text().into());
                let name_range = ident.name().map_or(range, |n| n.syntax().text_range());
                let shared = self.or_bindings.last_mut().map(|bound| {
                    match bound.iter_mut().find(|(n, _, _)| *n == name) {
                        Some(entry) => {
                            entry.2 = true;
                            Some(entry.1)
                        }
                        None => None,
                    }
                });
                match shared {
                    Some(Some(local)) => Pat::Bind(local),
                    Some(None) => {
                        self.error(
                            Code::UnknownName,
                            name_range,
                            format!(
                                "variable `{name}` is not bound in the first alternative of this pattern"
                            ),
                        );
                        Pat::Bind(self.new_local(name, mutable, name_range))
                    }
                    None => Pat::Bind(self.new_local(name, mutable, name_range)),
                }
            }
            ast::Pat::WildcardPat(_) => Pat::Wild,
            ast::Pat::TuplePat(tuple) if irrefutable => {
                let fields: Vec<ast::Pat> = tuple.fields().collect();
                Pat::Tuple(
                    fields.into_iter().map(|f| self.lower_pat(Some(f), mutable, true)).collect(),
                )
            }
            _ if irrefutable => {
                self.error(
                    Code::NotSupported,
                    range,
                    "this pattern can fail to match; `let` and `for` take a name, `_` or a tuple of them",
                );
                Pat::Missing
            }
            ast::Pat::LiteralPat(literal) => match literal.literal() {
                Some(lit) => {
                    let value = self.lower_literal(&lit, range);
                    Pat::Literal(value, literal.minus_token().is_some())
                }
                None => Pat::Missing,
            },
            ast::Pat::PathPat(path) => self.variant_pat(path.path(), None, range),
            ast::Pat::TupleStructPat(tuple_struct) => {
                let fields: Vec<ast::Pat> = tuple_struct.fields().collect();
                let fields =
                    fields.into_iter().map(|f| self.lower_pat(Some(f), false, false)).collect();
                self.variant_pat(tuple_struct.path(), Some(fields), range)
            }
            ast::Pat::OrPat(or) => {
                // Every alternative binds the same names to the same locals, so the arm
                // body sees one `x` whichever alternative matched.
                let pats: Vec<ast::Pat> = or.pats().collect();
                let mut alternatives = Vec::new();
                let scope_len = self.scopes.last().map_or(0, Vec::len);
                let mut iter = pats.into_iter();
                if let Some(first) = iter.next() {
                    alternatives.push(self.lower_pat(Some(first), false, false));
                }
                let bound: Vec<(Name, LocalId, bool)> = self
                    .scopes
                    .last()
                    .map(|s| s[scope_len..].iter().map(|(n, l)| (n.clone(), *l, false)).collect())
                    .unwrap_or_default();
                for alternative in iter {
                    let alt_range = alternative.syntax().text_range();
                    self.or_bindings.push(bound.clone());
                    alternatives.push(self.lower_pat(Some(alternative), false, false));
                    let seen = self.or_bindings.pop().unwrap_or_default();
                    for (name, _, used) in seen {
                        if !used {
                            self.error(
                                Code::UnknownName,
                                alt_range,
                                format!("variable `{name}` is not bound in every alternative of this pattern"),
                            );
                        }
                    }
                }
                Pat::Or(alternatives)
            }
            ast::Pat::TuplePat(tuple) => {
                let fields: Vec<ast::Pat> = tuple.fields().collect();
                Pat::Tuple(
                    fields.into_iter().map(|f| self.lower_pat(Some(f), false, false)).collect(),
                )
            }
            ast::Pat::RecordPat(_) => Pat::Unsupported("struct patterns"),
        };
        self.alloc_pat(lowered, range)
    }

    fn variant_pat(
        &mut self,
        path: Option<ast::Path>,
        fields: Option<Vec<PatId>>,
        range: TextRange,
    ) -> Pat {
        let segments: Vec<String> =
            path.into_iter().flat_map(|p| p.segments()).map(|s| s.text()).collect();
        match segments.as_slice() {
            [ty, variant] => {
                Pat::Variant { ty: ty.as_str().into(), variant: variant.as_str().into(), fields }
            }
            // `Some(x)`, `Ok(v)`, `Err(e)`, `None`: the builtin enums' variants, bare.
            [variant] if crate::builtins::BuiltinVariant::from_name(None, variant).is_some() => {
                let builtin = crate::builtins::BuiltinVariant::from_name(None, variant);
                let ty = builtin.map_or("Option", |b| b.enum_name());
                Pat::Variant { ty: ty.into(), variant: variant.as_str().into(), fields }
            }
            _ => {
                self.error(
                    Code::NotSupported,
                    range,
                    "a variant pattern is written `Enum.Variant`, `Enum.Variant(…)` or, for `Option` and `Result`, `Some(…)`, `None`, `Ok(…)`, `Err(…)`",
                );
                Pat::Missing
            }
        }
    }
}

fn arith_op(op: ast::BinaryOp) -> Option<ArithOp> {
    Some(match op {
        ast::BinaryOp::Add => ArithOp::Add,
        ast::BinaryOp::Sub => ArithOp::Sub,
        ast::BinaryOp::Mul => ArithOp::Mul,
        ast::BinaryOp::Div => ArithOp::Div,
        ast::BinaryOp::Rem => ArithOp::Rem,
        ast::BinaryOp::BitAnd => ArithOp::BitAnd,
        ast::BinaryOp::BitOr => ArithOp::BitOr,
        ast::BinaryOp::BitXor => ArithOp::BitXor,
        ast::BinaryOp::Shl => ArithOp::Shl,
        ast::BinaryOp::Shr => ArithOp::Shr,
        _ => return None,
    })
}
