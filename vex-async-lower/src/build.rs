//! HIR → IR: lowering one typed function body into a CFG.
//!
//! Input is a type-checked body (`vex_hir::lower::body` + `vex_hir::infer::infer`);
//! output is one [`Function`] plus one synthetic async function per `go { … }` block.
//! This module must not re-check the program: it trusts inference and lowers what
//! inference accepted.
//!
//! How constructs become control flow:
//! - `&&`/`||` short-circuit through branches; `if`/`while`/`loop`/`for` are blocks with
//!   explicit joins; `break v` writes the loop's result local;
//! - `match` is a `Switch` over integer values or enum tags when every arm is a plain
//!   literal or variant pattern without guard (a decision tree of one level), and a
//!   chain of tests otherwise (strings compare through the runtime, enum payloads are
//!   tested after the tag, guards after the bindings); an or-pattern with bindings
//!   (every alternative binds the same locals) records which alternative matched in a
//!   selector local, and binding switches on it to read each name from that
//!   alternative's place;
//! - `==`/`!=` on tuples, structs and arrays compare element by element, on enums the
//!   tags and then (a `Switch` on the tag) the payload of the variant both hold, all
//!   recursively, strings through the runtime;
//! - `async_sleep(ms)`/`yield_now()` awaited directly become `Sleep`/`Yield` waits;
//!   anywhere else they are real futures from the runtime ([`RtOp::SleepFuture`],
//!   [`RtOp::YieldFuture`]) that can be stored, awaited later and cancelled;
//! - `/`, `%` and `a[i]` check their operands first and branch to a [`Terminator::Panic`]
//!   with the message of `examples/README.md` and the expression's start position;
//! - `await` becomes a wait terminator whose `cancel` edge leads to a cancel path built
//!   here: run the pending defers, release every value held at that point, end in
//!   [`Terminator::CancelExit`].
//!
//! Ownership: every local or temporary of a type that holds references (strings,
//! futures) owns one reference. A *drop stack* mirrors what is held at each point:
//! named locals are pushed when bound and released when their block ends; temporaries
//! are pushed when created and removed when consumed (moved into a local, a call, a
//! return). Early exits (`return`, `break`, `continue`, cancel paths) release what the
//! stack holds above their target, so no path leaks (panics excluded). Copying a string
//! retains it; a future is move-only: moving it out of a local stores NULL there, and
//! releasing NULL is a no-op.
//!
//! `defer` (LANGUAGE.md §4): each *execution* of a `defer` statement registers one
//! deferred action, and every exit of the function (or `go` block) — normal return,
//! early `return`, cancellation — runs the registered actions, last registered first.
//! The semantics fixed here:
//! - a deferred expression reads the values its locals had when the `defer` executed:
//!   they are captured by copy at registration, like `go` captures (strings retained),
//!   so block-scoped locals and loop variables are safe to use, and assignments inside
//!   the deferred expression change only its own copies;
//! - futures are move-only and cannot be copied: a future local a deferred expression
//!   uses is *pinned* instead — it lives in one IR local from entry (NULL) to the end,
//!   after the defers ran, and the deferred expression sees it as it is at exit (NULL
//!   once awaited; `cancel` of NULL does nothing);
//! - a `return` inside a deferred expression ends that expression only; a `defer`
//!   inside one registers a record that runs next; a cancellation while a deferred
//!   expression waits releases what it holds and carries on with the remaining defers on
//!   the cancel path.
//!
//! Lowering: a function with any `defer` has a [`Type::DeferList`] local, empty at
//! entry (and saved across suspensions like any local). Each `defer` is a numbered
//! *site*; executing it pushes a record (site, tuple of captured values) with
//! [`RtOp::DeferPush`]. Every exit first releases what it holds (except parameters and
//! pinned futures), stores a returned value in the return slot, and jumps to one of two
//! *runners* (one for returns, one for cancellation): a loop that reads the newest
//! record's site ([`RtOp::DeferTop`]), moves its captures out ([`RtOp::DeferTake`]),
//! pops it ([`RtOp::DeferPop`]) and runs the site's expression on the copies, until the
//! list is empty; then it releases the parameters and ends in `Return`/`CancelExit`.
//! Functions without `defer` keep their direct exits.

use rustc_hash::FxHashMap;
use vex_hir::Db;
use vex_hir::body::{
    ArithOp, BinaryOp, Body, BodySourceMap, CmpOp, Expr, ExprId, ForIter, FormatPiece, LabelId,
    Literal, Pat, PatId, Stmt as HirStmt, TemplatePiece, UnaryOp, split_template,
};
use vex_hir::builtins::Builtin;
use vex_hir::infer::{InferenceResult, Resolution};
use vex_hir::ty::Ty;
use vex_syntax::{LineCol, LineIndex};

use crate::ir::layout::ENUM_TAG;
use crate::ir::*;

/// The 1-based location of byte `offset` of the file `path` indexed by `lines`.
pub fn source_loc(path: &str, lines: &LineIndex, offset: u32) -> SourceLoc {
    let LineCol { line, col } = lines.line_col(offset.into());
    SourceLoc { file: path.into(), line, col }
}

/// Everything the builder needs about one body.
pub struct BodyInput<'a> {
    /// The database (for signatures and item names).
    pub db: &'a dyn Db,
    /// The function's IR name.
    pub name: Box<str>,
    /// Whether it is an `async fn`.
    pub is_async: bool,
    /// The declared result type (`T` of an async fn).
    pub ret: Ty,
    /// The HIR.
    pub body: &'a Body,
    /// Inference results.
    pub infer: &'a InferenceResult,
    /// Spans.
    pub source_map: &'a BodySourceMap,
    /// The file's path as given, for panic locations.
    pub path: &'a str,
    /// Lines of the file, for panic and statement locations.
    pub lines: &'a LineIndex,
    /// Byte offset of the body's definition (the function's or constant's name): the
    /// origin of its functions' locations.
    pub def_offset: u32,
    /// The program's user types.
    pub types: &'a TypeDefs,
}

/// Lowers one body: the function first, then its `go` blocks.
pub fn build_body(input: &BodyInput<'_>) -> Vec<Function> {
    let mut extra = Vec::new();
    let mut counter = 0;
    let ret = lower_ty(input.db, &input.ret);
    let kind = if input.is_async { FunctionKind::Async } else { FunctionKind::Sync };
    let def = source_loc(input.path, input.lines, input.def_offset);
    let mut builder =
        Builder::new(input, input.name.clone(), kind, ret, def, &mut extra, &mut counter);
    for &param in &input.body.params {
        builder.add_param(param);
    }
    builder.lower_root(input.body.root);
    let function = builder.finish();
    let entry = (&*input.name == SYNC_MAIN_BODY).then(|| sync_main_task(&function));
    let mut out = vec![function];
    out.extend(entry);
    out.extend(extra);
    out
}

/// The IR name of a synchronous `main`'s own body. The program's entry is always an
/// async function named `main` (so every engine starts a program the same way: spawn
/// `main`'s task, drain, take its result); for `fn main()` lowering generates that
/// function (`sync_main_task`) around the body, which keeps this name.
pub const SYNC_MAIN_BODY: &str = "main.sync";

/// `async fn main(): T { main.sync() }`: the task a synchronous `main` runs in, so it
/// runs on a worker like all Vex code, goes through the coroutine transform like a `go`
/// block, and its panics land where every task's do.
fn sync_main_task(body: &Function) -> Function {
    let at = Loc { line: 0, col: body.loc.col };
    let call = |dest| Stmt::Call { dest, func: SYNC_MAIN_BODY.into(), args: Vec::new() };
    let (locals, block) = match body.ret {
        Type::Unit => (Vec::new(), Block::at(vec![call(None)], Terminator::Return(None), at)),
        _ => {
            let result = LocalId(0);
            let stmts = vec![call(Some(Place::local(result)))];
            let ret = Terminator::Return(Some(Operand::local(result)));
            (
                vec![LocalDecl { name: "result".into(), ty: body.ret.clone() }],
                Block::at(stmts, ret, at),
            )
        }
    };
    Function {
        name: "main".into(),
        kind: FunctionKind::Async,
        params: Vec::new(),
        ret: body.ret.clone(),
        locals,
        blocks: vec![block],
        loc: body.loc.clone(),
    }
}

/// The IR type of a HIR type.
pub fn lower_ty(db: &dyn Db, ty: &Ty) -> Type {
    match ty {
        Ty::Int(int) => Type::Int(*int),
        Ty::Float(float) => Type::Float(*float),
        Ty::Bool => Type::Bool,
        Ty::String => Type::String,
        Ty::Unit | Ty::Never | Ty::Error | Ty::Var(..) => Type::Unit,
        Ty::Tuple(elems) => Type::Tuple(elems.iter().map(|e| lower_ty(db, e)).collect()),
        Ty::Array(elem, n) => Type::Array(Box::new(lower_ty(db, elem)), *n),
        Ty::Struct(_) | Ty::Enum(_) => {
            let name = vex_hir::signature::type_name(db, ty).unwrap_or_default();
            if matches!(ty, Ty::Struct(_)) {
                Type::Struct(name.into())
            } else {
                Type::Enum(name.into())
            }
        }
        Ty::Future(inner) => Type::Future(Box::new(lower_ty(db, inner))),
    }
}

/// The IR name of a function (a synchronous `main` is [`SYNC_MAIN_BODY`]).
pub fn function_name(db: &dyn Db, loc: vex_hir::ids::FunctionLoc) -> Box<str> {
    let tree = vex_hir::item_tree::item_tree(db, loc.file);
    match tree.functions.get(loc.index as usize) {
        Some(data) => match (&data.owner, &data.receiver) {
            (Some(owner), _) => format!("{owner}.{}", data.name).into(),
            (None, Some(receiver)) => {
                format!("{}::{}", vex_hir::item_tree::type_ref_text(&receiver.ty), data.name).into()
            }
            (None, None) if &*data.name == "main" && !data.is_async => SYNC_MAIN_BODY.into(),
            (None, None) => data.name.clone(),
        },
        None => "{missing}".into(),
    }
}

/// A value produced by an expression.
#[derive(Debug, Clone)]
enum Val {
    /// A constant, a scalar, or a borrowed place (not owned by the user).
    Op(Operand),
    /// A temporary that owns its references and is on the drop stack.
    Temp(LocalId),
}

impl Val {
    fn op(&self) -> Operand {
        match self {
            Val::Op(op) => op.clone(),
            Val::Temp(t) => Operand::local(*t),
        }
    }
}

const UNIT: Val = Val::Op(Operand::Const(Const::Unit));

struct LoopCtx {
    label: Option<LabelId>,
    break_block: BlockId,
    continue_block: BlockId,
    result: Option<LocalId>,
    /// Drop-stack height at loop entry.
    mark: usize,
    broken: bool,
}

/// One `defer` statement of a function.
struct DeferSite {
    /// The deferred expression.
    body: ExprId,
    /// Locals it reads that are bound outside it and copied into each record (futures
    /// excluded: see the module doc).
    captures: Vec<vex_hir::body::LocalId>,
}

/// The `defer` machinery of one function (empty when it has no `defer`).
#[derive(Default)]
struct Defers {
    sites: Vec<DeferSite>,
    /// The site number of each `defer` expression.
    site_of: FxHashMap<ExprId, u32>,
    /// Future locals read by some deferred expression: they live until the function's
    /// end (see the module doc), in the IR locals created at entry.
    pinned: FxHashMap<vex_hir::body::LocalId, LocalId>,
    /// The activation's `DeferList` local.
    list: Option<LocalId>,
    /// Drop-stack height of what lives until after the defers ran (parameters and
    /// pinned futures).
    base: usize,
    /// Where a returned value waits while the defers run.
    ret_slot: Option<LocalId>,
    /// The defer-running loops for returns and for cancellation, created on first use.
    return_runner: Option<BlockId>,
    cancel_runner: Option<BlockId>,
    /// While lowering a deferred expression inside a runner: the runner's loop block and
    /// the drop-stack height of the deferred expression's scope.
    running: Option<(BlockId, usize)>,
}

/// Every expression and pattern of a subtree, without the bodies of `go` blocks (whose
/// captures stand for what they read).
#[derive(Default)]
struct Subtree {
    exprs: Vec<ExprId>,
    pats: Vec<PatId>,
    go_captures: Vec<vex_hir::body::LocalId>,
}

fn subtree(body: &Body, root: ExprId) -> Subtree {
    let mut out = Subtree::default();
    let mut stack = vec![root];
    let mut pat_roots = Vec::new();
    while let Some(e) = stack.pop() {
        out.exprs.push(e);
        match &body.exprs[e] {
            Expr::Missing
            | Expr::Unsupported(_)
            | Expr::Literal(_)
            | Expr::Local(_)
            | Expr::Name(_)
            | Expr::Path { .. }
            | Expr::Continue { .. } => {}
            Expr::Call { callee, args } => {
                stack.push(*callee);
                stack.extend(args.iter().copied());
            }
            Expr::MethodCall { receiver, args, .. } => {
                stack.push(*receiver);
                stack.extend(args.iter().copied());
            }
            Expr::Field { base, .. } | Expr::TupleField { base, .. } => stack.push(*base),
            Expr::Index { base, index } => stack.extend([*base, *index]),
            Expr::Unary { expr, .. }
            | Expr::Cast { expr, .. }
            | Expr::Await(expr)
            | Expr::Defer(expr) => stack.push(*expr),
            Expr::Binary { lhs, rhs, .. } => stack.extend([*lhs, *rhs]),
            Expr::Assign { place, value, .. } => stack.extend([*place, *value]),
            Expr::If { cond, then_branch, else_branch } => {
                stack.extend([*cond, *then_branch]);
                stack.extend(*else_branch);
            }
            Expr::While { cond, body: b, .. } => stack.extend([*cond, *b]),
            Expr::Loop { body: b, .. } => stack.push(*b),
            Expr::For { pat, iter, body: b, .. } => {
                pat_roots.push(*pat);
                match iter {
                    ForIter::Range { start, end, .. } => stack.extend([*start, *end]),
                    ForIter::Array(a) => stack.push(*a),
                }
                stack.push(*b);
            }
            Expr::Break { value, .. } | Expr::Return(value) => stack.extend(*value),
            Expr::Block { stmts, tail } => {
                for s in stmts {
                    match &body.stmts[*s] {
                        HirStmt::Let { pat, init, .. } => {
                            pat_roots.push(*pat);
                            stack.extend(*init);
                        }
                        HirStmt::Expr(x) => stack.push(*x),
                    }
                }
                stack.extend(*tail);
            }
            Expr::Match { scrutinee, arms } => {
                stack.push(*scrutinee);
                for arm in arms {
                    pat_roots.push(arm.pat);
                    stack.extend(arm.guard);
                    stack.push(arm.expr);
                }
            }
            Expr::Tuple(elems) | Expr::Array(elems) => stack.extend(elems.iter().copied()),
            Expr::ArrayRepeat { value, .. } => stack.push(*value),
            Expr::StructLit { fields, .. } => stack.extend(fields.iter().map(|f| f.1)),
            Expr::Format(pieces) => {
                for piece in pieces {
                    if let FormatPiece::Value(x) = piece {
                        stack.push(*x);
                    }
                }
            }
            Expr::Go { captures, .. } => out.go_captures.extend(captures.iter().copied()),
        }
    }
    while let Some(p) = pat_roots.pop() {
        out.pats.push(p);
        match &body.pats[p] {
            Pat::Or(pats) | Pat::Tuple(pats) => pat_roots.extend(pats.iter().copied()),
            Pat::Variant { fields: Some(fields), .. } => pat_roots.extend(fields.iter().copied()),
            _ => {}
        }
    }
    out
}

/// The locals `e` reads or writes that are bound outside it, in a stable order.
fn free_locals(body: &Body, e: ExprId) -> Vec<vex_hir::body::LocalId> {
    let tree = subtree(body, e);
    let bound: rustc_hash::FxHashSet<_> = tree
        .pats
        .iter()
        .filter_map(|p| match &body.pats[*p] {
            Pat::Bind(l) => Some(*l),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    let used = tree
        .exprs
        .iter()
        .filter_map(|x| match &body.exprs[*x] {
            Expr::Local(l) => Some(*l),
            _ => None,
        })
        .chain(tree.go_captures.iter().copied());
    for l in used {
        if !bound.contains(&l) && !out.contains(&l) {
            out.push(l);
        }
    }
    out.sort_by_key(|l| u32::from(l.into_raw()));
    out
}

/// The blocks of one `for` loop besides its header.
struct ForBlocks {
    body: BlockId,
    step: BlockId,
    exit: BlockId,
}

struct Builder<'a, 'b> {
    input: &'a BodyInput<'a>,
    func: Function,
    /// Where this function is defined (absolute; `func.loc` is made relative to the
    /// body's definition in `finish`).
    def: SourceLoc,
    /// The location of what is being lowered: statements and terminators get it.
    cur: Loc,
    current: Option<BlockId>,
    locals: FxHashMap<vex_hir::body::LocalId, LocalId>,
    drops: Vec<LocalId>,
    temps: rustc_hash::FxHashSet<LocalId>,
    scope_marks: Vec<usize>,
    loops: Vec<LoopCtx>,
    defers: Defers,
    /// For or-patterns with bindings: a local holding the index of the alternative that
    /// matched, written by `test_pat` and read by `bind_pat`.
    or_selectors: FxHashMap<PatId, LocalId>,
    extra: &'b mut Vec<Function>,
    counter: &'b mut u32,
}

impl<'a, 'b> Builder<'a, 'b> {
    fn new(
        input: &'a BodyInput<'a>,
        name: Box<str>,
        kind: FunctionKind,
        ret: Type,
        def: SourceLoc,
        extra: &'b mut Vec<Function>,
        counter: &'b mut u32,
    ) -> Self {
        let func = Function {
            name,
            kind,
            params: Vec::new(),
            ret,
            locals: Vec::new(),
            blocks: vec![Block::at(Vec::new(), Terminator::Unreachable, Loc::default())],
            loc: def.clone(),
        };
        // Until an expression says otherwise, code is at the definition.
        let cur = Loc { line: 0, col: def.col };
        Builder {
            input,
            func,
            def,
            cur,
            current: Some(BlockId(0)),
            locals: FxHashMap::default(),
            drops: Vec::new(),
            temps: Default::default(),
            scope_marks: Vec::new(),
            loops: Vec::new(),
            defers: Defers::default(),
            or_selectors: FxHashMap::default(),
            extra,
            counter,
        }
    }

    // ---- plumbing ----

    fn new_local(&mut self, name: &str, ty: Type) -> LocalId {
        self.func.locals.push(LocalDecl { name: name.into(), ty });
        LocalId(self.func.locals.len() as u32 - 1)
    }

    fn new_block(&mut self) -> BlockId {
        self.func.blocks.push(Block::at(Vec::new(), Terminator::Unreachable, self.cur));
        BlockId(self.func.blocks.len() as u32 - 1)
    }

    fn push(&mut self, stmt: Stmt) {
        if let Some(b) = self.current {
            self.func.blocks[b.index()].push(stmt, self.cur);
        }
    }

    fn terminate(&mut self, term: Terminator) {
        if let Some(b) = self.current.take() {
            let block = &mut self.func.blocks[b.index()];
            block.term = term;
            block.term_loc = self.cur;
        }
    }

    /// The location of a byte offset relative to this function's definition.
    fn rel_loc(&self, offset: u32) -> Loc {
        let at = source_loc(self.input.path, self.input.lines, offset);
        Loc { line: at.line.saturating_sub(self.def.line), col: at.col }
    }

    /// Makes `range`'s start (or its last character, with `end`) the current location
    /// and returns the previous one.
    fn move_to(&mut self, range: Option<vex_syntax::TextRange>, end: bool) -> Loc {
        let loc = match range {
            Some(r) if end => self.rel_loc(u32::from(r.end()).saturating_sub(1)),
            Some(r) => self.rel_loc(u32::from(r.start())),
            None => self.cur,
        };
        std::mem::replace(&mut self.cur, loc)
    }

    fn goto(&mut self, target: BlockId) -> bool {
        let reached = self.current.is_some();
        self.terminate(Terminator::Goto(target));
        reached
    }

    fn switch_to(&mut self, b: BlockId) {
        self.current = Some(b);
    }

    fn assign(&mut self, place: Place, rvalue: Rvalue) {
        self.push(Stmt::Assign(place, rvalue));
    }

    fn temp(&mut self, ty: Type, rvalue: Rvalue) -> LocalId {
        let t = self.new_local("tmp", ty);
        self.assign(Place::local(t), rvalue);
        t
    }

    fn ty_of(&self, e: ExprId) -> Type {
        lower_ty(self.input.db, self.input.infer.type_of_expr(e))
    }

    fn needs_drop(&self, ty: &Type) -> bool {
        ty.needs_drop(self.input.types)
    }

    fn loc(&self, e: ExprId) -> SourceLoc {
        let offset = self.input.source_map.exprs.get(e).map_or(0, |r| u32::from(r.start()));
        source_loc(self.input.path, self.input.lines, offset)
    }

    /// The type of a place; built places are well typed, so a place that is not (only
    /// after an error the checker reported) is `()`.
    fn place_ty(&self, place: &Place) -> Type {
        self.func.place_ty(place, self.input.types).unwrap_or(Type::Unit)
    }

    fn operand_ty(&self, op: &Operand) -> Type {
        self.func.operand_ty(op, self.input.types).unwrap_or(Type::Unit)
    }

    // ---- ownership ----

    fn register(&mut self, local: LocalId) {
        if self.needs_drop(&self.func.local_ty(local).clone()) {
            self.drops.push(local);
        }
    }

    fn register_temp(&mut self, local: LocalId) -> Val {
        if self.needs_drop(&self.func.local_ty(local).clone()) {
            self.drops.push(local);
            self.temps.insert(local);
            Val::Temp(local)
        } else {
            Val::Op(Operand::local(local))
        }
    }

    /// Removes a consumed temporary from the drop stack.
    fn forget(&mut self, op: &Operand) {
        if let Operand::Copy(place) = op
            && place.proj.is_empty()
            && self.temps.contains(&place.local)
            && let Some(pos) = self.drops.iter().rposition(|l| *l == place.local)
        {
            self.drops.remove(pos);
        }
    }

    /// Releases `op` now if it is a registered temporary.
    fn drop_temp_op(&mut self, op: &Operand) {
        if let Operand::Copy(p) = op
            && p.proj.is_empty()
            && self.temps.contains(&p.local)
            && self.drops.contains(&p.local)
        {
            self.drop_val(Val::Temp(p.local));
        }
    }

    /// Releases a temporary now (after a borrowed use).
    fn drop_val(&mut self, v: Val) {
        if let Val::Temp(t) = v {
            self.push(Stmt::Release(Place::local(t)));
            self.forget(&Operand::local(t));
        }
    }

    /// An operand that owns its references (a registered temporary when the type needs
    /// drop): copies of borrowed strings are retained, futures are moved out.
    fn owned_operand(&mut self, v: Val) -> Operand {
        match v {
            Val::Temp(t) => Operand::local(t),
            Val::Op(Operand::Copy(place)) => {
                let ty = self.place_ty(&place);
                if !self.needs_drop(&ty) {
                    return Operand::Copy(place);
                }
                let t = self.temp(ty.clone(), Rvalue::Use(Operand::Copy(place.clone())));
                if matches!(ty, Type::Future(_)) {
                    self.assign(place, Rvalue::Use(Operand::Const(Const::NullFuture(ty))));
                } else {
                    self.push(Stmt::Retain(Place::local(t)));
                }
                self.register_temp(t);
                Operand::local(t)
            }
            Val::Op(op) => op,
        }
    }

    fn release_down_to(&mut self, mark: usize) {
        for i in (mark..self.drops.len()).rev() {
            let local = self.drops[i];
            self.push(Stmt::Release(Place::local(local)));
        }
    }

    fn push_scope(&mut self) {
        self.scope_marks.push(self.drops.len());
    }

    fn pop_scope(&mut self) {
        let mark = self.scope_marks.pop().unwrap_or(0);
        self.release_down_to(mark);
        self.drops.truncate(mark);
    }

    /// The cancel path of a wait: release what is held, run the pending defers, end in
    /// [`Terminator::CancelExit`].
    fn cancel_block(&mut self) -> BlockId {
        let saved = self.current;
        let block = self.new_block();
        self.switch_to(block);
        if self.defers.list.is_none() {
            self.release_down_to(0);
            self.terminate(Terminator::CancelExit);
        } else {
            self.release_down_to(self.defers.base);
            let runner = self.runner_block(|d| &mut d.cancel_runner);
            self.goto(runner);
        }
        self.current = saved;
        block
    }

    /// Lowers a defer runner at `entry`: pop the newest record, run its site's
    /// expression on the captured copies, repeat until the list is empty; then release
    /// the parameters and pinned futures and end with `end`. `extra` (the return slot) is
    /// held while the defers run, so a cancel path inside them releases it.
    fn lower_runner(&mut self, entry: BlockId, extra: Option<LocalId>, end: Terminator) {
        let Some(list) = self.defers.list else { return };
        let base = self.defers.base;
        self.drops.truncate(base);
        let saved_loops = std::mem::take(&mut self.loops);
        let mut held = self.drops.clone();
        if let Some(slot) = extra
            && self.needs_drop(&self.func.local_ty(slot).clone())
        {
            held.push(slot);
        }
        self.switch_to(entry);
        let top = self.new_local("defer_site", Type::Int(IntTy::I64));
        self.push(Stmt::Runtime {
            dest: Some(top),
            op: RtOp::DeferTop,
            args: vec![Operand::local(list)],
        });
        let done = self.new_block();
        let blocks: Vec<BlockId> = (0..self.defers.sites.len()).map(|_| self.new_block()).collect();
        let cases = blocks.iter().enumerate().map(|(i, b)| (i as i128, *b)).collect();
        self.terminate(Terminator::Switch { value: Operand::local(top), cases, default: done });
        for (site, block) in blocks.into_iter().enumerate() {
            self.switch_to(block);
            self.drops = held.clone();
            let captures = self.defers.sites[site].captures.clone();
            let body = self.defers.sites[site].body;
            let tys: Vec<Type> = captures
                .iter()
                .map(|c| lower_ty(self.input.db, self.input.infer.type_of_local(*c)))
                .collect();
            let record = if captures.is_empty() {
                None
            } else {
                let r = self.new_local("captures", Type::Tuple(tys.clone()));
                self.push(Stmt::Runtime {
                    dest: Some(r),
                    op: RtOp::DeferTake,
                    args: vec![Operand::local(list)],
                });
                Some(r)
            };
            self.push(Stmt::Runtime {
                dest: Some(list),
                op: RtOp::DeferPop,
                args: vec![Operand::local(list)],
            });
            self.push_scope();
            let mark = self.drops.len();
            let mut shadowed = Vec::new();
            for (i, (c, ty)) in captures.iter().zip(tys).enumerate() {
                let name = self.input.body.locals[*c].name.clone();
                let local = self.new_local(&name, ty);
                let record = record.expect("captures were taken");
                self.assign(
                    Place::local(local),
                    Rvalue::Use(Operand::Copy(Place::local(record).project(Proj::Field(i as u32)))),
                );
                self.register(local);
                shadowed.push((*c, self.locals.insert(*c, local)));
            }
            self.defers.running = Some((entry, mark));
            let v = self.expr(body);
            self.drop_val(v);
            self.defers.running = None;
            self.pop_scope();
            for (c, old) in shadowed {
                match old {
                    Some(old) => self.locals.insert(c, old),
                    None => self.locals.remove(&c),
                };
            }
            self.goto(entry);
        }
        self.switch_to(done);
        self.drops.truncate(base);
        self.release_down_to(0);
        self.terminate(end);
        self.loops = saved_loops;
    }

    // ---- entry and exit ----

    fn add_param(&mut self, param: vex_hir::body::LocalId) {
        let ty = lower_ty(self.input.db, self.input.infer.type_of_local(param));
        let name = self.input.body.locals[param].name.clone();
        let local = self.new_local(&name, ty);
        self.locals.insert(param, local);
        self.func.params.push(local);
        self.register(local);
    }

    /// Numbers the `defer` statements of the body (not those of its `go` blocks), works
    /// out what each captures, and creates the defer list and the pinned futures.
    fn prepare_defers(&mut self, root: ExprId) {
        let body = self.input.body;
        let tree = subtree(body, root);
        let mut pinned = Vec::new();
        for &e in &tree.exprs {
            let Expr::Defer(inner) = &body.exprs[e] else { continue };
            let mut captures = Vec::new();
            for l in free_locals(body, *inner) {
                if matches!(self.input.infer.type_of_local(l), Ty::Future(_)) {
                    if !pinned.contains(&l) {
                        pinned.push(l);
                    }
                } else {
                    captures.push(l);
                }
            }
            self.defers.site_of.insert(e, self.defers.sites.len() as u32);
            self.defers.sites.push(DeferSite { body: *inner, captures });
        }
        if self.defers.sites.is_empty() {
            return;
        }
        let list = self.new_local("defers", Type::DeferList);
        self.assign(Place::local(list), Rvalue::Use(Operand::Const(Const::NullDeferList)));
        self.defers.list = Some(list);
        for l in pinned {
            if self.locals.contains_key(&l) {
                // A parameter: it lives until the end already.
                continue;
            }
            let ty = lower_ty(self.input.db, self.input.infer.type_of_local(l));
            let name = self.input.body.locals[l].name.clone();
            let local = self.new_local(&name, ty.clone());
            self.assign(Place::local(local), Rvalue::Use(Operand::Const(Const::NullFuture(ty))));
            self.register(local);
            self.defers.pinned.insert(l, local);
            // Bound from the start, so a deferred expression finds it even on paths
            // that never reach its `let`.
            self.locals.insert(l, local);
        }
        self.defers.base = self.drops.len();
    }

    fn lower_root(&mut self, root: ExprId) {
        self.prepare_defers(root);
        let ret_ty = self.func.ret.clone();
        let v = self.expr(root);
        // The implicit return and the exit code (defers, releases) are at the body's
        // last character (its closing brace).
        self.move_to(self.input.source_map.exprs.get(root).copied(), true);
        if ret_ty == Type::Unit {
            self.drop_val(v);
            self.emit_return(None);
        } else {
            let op = self.owned_operand(v);
            if self.current.is_some() && self.operand_ty(&op) != ret_ty {
                // No value of the declared type: a declaration without a body, which
                // the checker lets through. Calling it is a runtime error, not bad IR.
                self.drop_temp_op(&op);
                let loc = self.loc(root);
                let message = format!("function `{}` has no body", self.func.name);
                self.terminate(Terminator::Panic {
                    loc,
                    message: Operand::Const(Const::Str(message.into())),
                });
            } else {
                self.emit_return(Some(op));
            }
        }
        // The runners, lowered after the body: each may create the other (an `await`
        // inside a deferred expression has a cancel path).
        let mut lowered = (false, false);
        loop {
            if let (Some(entry), false) = (self.defers.return_runner, lowered.0) {
                lowered.0 = true;
                let slot = self.defers.ret_slot;
                self.lower_runner(entry, slot, Terminator::Return(slot.map(Operand::local)));
            } else if let (Some(entry), false) = (self.defers.cancel_runner, lowered.1) {
                lowered.1 = true;
                self.lower_runner(entry, None, Terminator::CancelExit);
            } else {
                break;
            }
        }
    }

    fn emit_return(&mut self, value: Option<Operand>) {
        if self.current.is_none() {
            return;
        }
        if let Some((runner, mark)) = self.defers.running {
            // `return` inside a deferred expression ends that expression only.
            if let Some(op) = value {
                self.drop_temp_op(&op);
            }
            self.release_down_to(mark);
            self.goto(runner);
            return;
        }
        let value = value.map(|op| {
            // Keep the value in a local of its own: it must outlive every local released
            // on the way out.
            self.forget(&op);
            let ty = self.operand_ty(&op);
            let t = self.temp(ty, Rvalue::Use(op));
            Operand::local(t)
        });
        if self.defers.list.is_none() {
            self.release_down_to(0);
            self.terminate(Terminator::Return(value));
            return;
        }
        if let Some(op) = value {
            let slot = match self.defers.ret_slot {
                Some(slot) => slot,
                None => {
                    let ty = self.func.ret.clone();
                    let slot = self.new_local("ret", ty);
                    self.defers.ret_slot = Some(slot);
                    slot
                }
            };
            self.assign(Place::local(slot), Rvalue::Use(op));
        }
        self.release_down_to(self.defers.base);
        let runner = self.runner_block(|d| &mut d.return_runner);
        self.goto(runner);
    }

    /// The defer-running block selected by `slot` (for returns or for cancellation),
    /// created the first time an exit needs it.
    fn runner_block(&mut self, slot: fn(&mut Defers) -> &mut Option<BlockId>) -> BlockId {
        if let Some(block) = *slot(&mut self.defers) {
            return block;
        }
        let block = self.new_block();
        *slot(&mut self.defers) = Some(block);
        block
    }

    fn finish(mut self) -> Function {
        // Relative to the body's definition (see `Function::loc`), panic sites too.
        let body_line = self.input.lines.line_col(self.input.def_offset.into()).line;
        self.func.loc.line = self.def.line.saturating_sub(body_line);
        for block in &mut self.func.blocks {
            if let Terminator::Panic { loc, .. } = &mut block.term {
                loc.line = loc.line.saturating_sub(body_line);
            }
        }
        self.func
    }

    // ---- expressions ----

    fn expr_operand(&mut self, e: ExprId) -> Operand {
        let v = self.expr(e);
        v.op()
    }

    fn expr_owned(&mut self, e: ExprId) -> Operand {
        let v = self.expr(e);
        self.owned_operand(v)
    }

    /// Lowers `e` for its value. The result may borrow a place (`Val::Op`) or be a
    /// temporary the caller must consume or drop.
    fn expr(&mut self, e: ExprId) -> Val {
        let outer = self.move_to(self.input.source_map.exprs.get(e).copied(), false);
        let v = vex_hir::ensure_stack(|| self.expr_here(e));
        self.cur = outer;
        v
    }

    /// [`Builder::expr`] with the current location already at `e`.
    fn expr_here(&mut self, e: ExprId) -> Val {
        let body = self.input.body;
        let ty = self.ty_of(e);
        match &body.exprs[e] {
            Expr::Missing | Expr::Unsupported(_) => UNIT,
            Expr::Literal(lit) => Val::Op(Operand::Const(self.literal(lit, &ty))),
            Expr::Local(l) => match self.locals.get(l) {
                Some(local) => Val::Op(Operand::local(*local)),
                None => UNIT,
            },
            Expr::Name(_) | Expr::Path { .. } => match self.input.infer.resolutions.get(e) {
                Some(Resolution::Const(loc)) => {
                    let name = vex_hir::item_tree::item_tree(self.input.db, loc.file).consts
                        [loc.index as usize]
                        .name
                        .clone();
                    let t = self.new_local("const", ty.clone());
                    self.push(Stmt::Call { dest: Some(Place::local(t)), func: name, args: vec![] });
                    self.register_temp(t)
                }
                Some(Resolution::Variant(_, index)) => {
                    let Type::Enum(name) = ty.clone() else { return UNIT };
                    let t = self
                        .temp(ty, Rvalue::Aggregate(AggregateKind::Variant(name, *index), vec![]));
                    self.register_temp(t)
                }
                _ => UNIT,
            },
            Expr::Call { callee, args } => self.call(e, *callee, args),
            Expr::MethodCall { receiver, args, .. } => {
                let Some(Resolution::Function(loc)) = self.input.infer.resolutions.get(e).copied()
                else {
                    return UNIT;
                };
                let mut all = vec![*receiver];
                all.extend(args.iter().copied());
                self.call_function(loc, &all, ty)
            }
            Expr::Field { base, .. } => {
                let index = match self.input.infer.resolutions.get(e) {
                    Some(Resolution::Field(i)) => *i,
                    _ => return UNIT,
                };
                self.projection(*base, Proj::Field(index))
            }
            Expr::TupleField { base, index } => self.projection(*base, Proj::Field(*index)),
            Expr::Index { .. } => {
                if let Some(place) = self.place_of(e) {
                    return Val::Op(Operand::Copy(place));
                }
                let Expr::Index { base, index } = &body.exprs[e] else { return UNIT };
                let base_val = self.expr(*base);
                let base_op = self.owned_operand(base_val);
                let Operand::Copy(base_place) = base_op.clone() else { return UNIT };
                let place = self.checked_index(e, base_place, *index);
                let r = self.copy_owned(place, ty);
                self.drop_temp_op(&base_op);
                r
            }
            Expr::Unary { op, expr } => {
                let v = self.expr_operand(*expr);
                let op = match op {
                    UnaryOp::Neg => UnOp::Neg,
                    UnaryOp::Not => UnOp::Not,
                };
                let t = self.temp(ty, Rvalue::Unary(op, v));
                Val::Op(Operand::local(t))
            }
            Expr::Binary { op, lhs, rhs } => self.binary(e, *op, *lhs, *rhs, ty),
            Expr::Assign { op, place, value } => {
                self.assignment(e, *op, *place, *value);
                UNIT
            }
            Expr::Cast { expr, .. } => {
                let v = self.expr_operand(*expr);
                let from = self.operand_ty(&v);
                if from == ty {
                    return Val::Op(v);
                }
                let t = self.temp(ty.clone(), Rvalue::Cast(v, ty));
                Val::Op(Operand::local(t))
            }
            Expr::Await(inner) => self.await_expr(*inner, ty),
            Expr::If { cond, then_branch, else_branch } => {
                self.if_expr(*cond, *then_branch, *else_branch, ty)
            }
            Expr::While { label, cond, body: b } => {
                self.while_loop(*label, *cond, *b);
                UNIT
            }
            Expr::Loop { label, body: b } => self.loop_expr(*label, *b, ty),
            Expr::For { label, pat, iter, body: b } => {
                self.for_loop(*label, *pat, iter, *b);
                UNIT
            }
            Expr::Break { label, value } => {
                self.break_expr(*label, *value);
                UNIT
            }
            Expr::Continue { label } => {
                if let Some(i) = self.find_loop(*label) {
                    let (mark, target) = (self.loops[i].mark, self.loops[i].continue_block);
                    self.release_down_to(mark);
                    self.goto(target);
                }
                UNIT
            }
            Expr::Return(value) => {
                match value {
                    Some(v) if self.func.ret != Type::Unit => {
                        let op = self.expr_owned(*v);
                        self.emit_return(Some(op));
                    }
                    Some(v) => {
                        let val = self.expr(*v);
                        self.drop_val(val);
                        self.emit_return(None);
                    }
                    None => self.emit_return(None),
                }
                UNIT
            }
            Expr::Block { stmts, tail } => self.block(stmts, *tail, ty),
            Expr::Match { scrutinee, arms } => self.match_expr(*scrutinee, arms, ty),
            Expr::Tuple(elems) => {
                let ops: Vec<Operand> = elems.iter().map(|x| self.expr_owned(*x)).collect();
                self.aggregate(AggregateKind::Tuple, ops, ty)
            }
            Expr::Array(elems) => {
                let Type::Array(elem, _) = ty.clone() else { return UNIT };
                let ops: Vec<Operand> = elems.iter().map(|x| self.expr_owned(*x)).collect();
                self.aggregate(AggregateKind::Array(*elem), ops, ty)
            }
            Expr::ArrayRepeat { value, count } => {
                let v = self.expr_owned(*value);
                let n = count.unwrap_or(0);
                let elem_ty = self.operand_ty(&v);
                let t = self.temp(ty, Rvalue::Repeat(v.clone(), n));
                // Each copy of a string holds a reference: n copies from one.
                if self.needs_drop(&elem_ty)
                    && let Operand::Copy(p) = &v
                {
                    if n == 0 {
                        self.drop_temp_op(&v);
                    } else {
                        for _ in 1..n {
                            self.push(Stmt::Retain(p.clone()));
                        }
                        self.forget(&v);
                    }
                }
                self.register_temp(t)
            }
            Expr::StructLit { fields, .. } => {
                let Type::Struct(name) = ty.clone() else { return UNIT };
                let def = self.input.types.structs.get(&name).cloned();
                let Some(def) = def else { return UNIT };
                // Evaluate in source order, store in declaration order.
                let mut values: FxHashMap<&str, Operand> = FxHashMap::default();
                for (field_name, value) in fields {
                    let op = self.expr_owned(*value);
                    values.insert(field_name, op);
                }
                let ops: Vec<Operand> = def
                    .fields
                    .iter()
                    .map(|f| values.remove(&*f.name).unwrap_or(Operand::Const(Const::Unit)))
                    .collect();
                self.aggregate(AggregateKind::Struct(name), ops, ty)
            }
            Expr::Format(pieces) => {
                let mut parts = Vec::new();
                for piece in pieces {
                    match piece {
                        FormatPiece::Text(text) => {
                            parts.push(Val::Op(Operand::Const(Const::Str(text.clone()))))
                        }
                        FormatPiece::Value(x) => {
                            let v = self.expr(*x);
                            let s = self.display_string(v);
                            parts.push(s);
                        }
                    }
                }
                self.concat_all(parts)
            }
            Expr::Go { body: inner, captures } => {
                self.go_expr(*inner, captures);
                UNIT
            }
            Expr::Defer(inner) => {
                self.register_defer(e, *inner);
                UNIT
            }
        }
    }

    /// One execution of a `defer`: push a record of its site with copies of what it
    /// captures (strings retained; the record owns them).
    fn register_defer(&mut self, e: ExprId, _inner: ExprId) {
        let (Some(list), Some(&site)) = (self.defers.list, self.defers.site_of.get(&e)) else {
            return;
        };
        let captures = self.defers.sites[site as usize].captures.clone();
        let mut ops = Vec::new();
        let mut tys = Vec::new();
        for c in captures {
            let ty = lower_ty(self.input.db, self.input.infer.type_of_local(c));
            let op = match self.locals.get(&c).copied() {
                Some(local) if self.needs_drop(&ty) => {
                    self.copy_owned(Place::local(local), ty.clone()).op()
                }
                Some(local) => Operand::local(local),
                // Not bound on this path (an error inference already reported).
                None => return,
            };
            ops.push(op);
            tys.push(ty);
        }
        let record = if ops.is_empty() {
            Operand::Const(Const::Unit)
        } else {
            let t =
                self.temp(Type::Tuple(tys), Rvalue::Aggregate(AggregateKind::Tuple, ops.clone()));
            for op in &ops {
                self.forget(op);
            }
            Operand::local(t)
        };
        self.push(Stmt::Runtime {
            dest: Some(list),
            op: RtOp::DeferPush,
            args: vec![Operand::local(list), Operand::int(i128::from(site), IntTy::U32), record],
        });
    }

    fn literal(&self, lit: &Literal, ty: &Type) -> Const {
        match lit {
            Literal::Int(v, _) => {
                let v = i128::from(v.unwrap_or(0));
                match ty {
                    Type::Int(int) => Const::Int(normalize(v, *int), *int),
                    Type::Float(float) => Const::Float((v as f64).to_bits(), *float),
                    _ => Const::Int(v, IntTy::I64),
                }
            }
            Literal::Float(bits, _) => {
                let float = match ty {
                    Type::Float(f) => *f,
                    _ => FloatTy::F64,
                };
                let value = f64::from_bits(*bits);
                let value = if float == FloatTy::F32 { f64::from(value as f32) } else { value };
                Const::Float(value.to_bits(), float)
            }
            Literal::Bool(b) => Const::Bool(*b),
            Literal::String(s) => Const::Str(s.clone()),
        }
    }

    fn aggregate(&mut self, kind: AggregateKind, ops: Vec<Operand>, ty: Type) -> Val {
        let t = self.temp(ty, Rvalue::Aggregate(kind, ops.clone()));
        for op in &ops {
            self.forget(op);
        }
        self.register_temp(t)
    }

    /// A copy of `place` that owns its references.
    fn copy_owned(&mut self, place: Place, ty: Type) -> Val {
        let t = self.temp(ty.clone(), Rvalue::Use(Operand::Copy(place)));
        if self.needs_drop(&ty) && !matches!(ty, Type::Future(_)) {
            self.push(Stmt::Retain(Place::local(t)));
        }
        self.register_temp(t)
    }

    fn projection(&mut self, base: ExprId, proj: Proj) -> Val {
        if let Some(place) = self.place_of(base) {
            return Val::Op(Operand::Copy(place.project(proj)));
        }
        let v = self.expr(base);
        let op = self.owned_operand(v);
        match op {
            Operand::Copy(place) => {
                let projected = place.project(proj);
                let ty = self.place_ty(&projected);
                let r = self.copy_owned(projected, ty);
                if self.temps.contains(&place.local) {
                    self.drop_val(Val::Temp(place.local));
                }
                r
            }
            Operand::Const(_) => UNIT,
        }
    }

    /// The place an expression denotes, when it is a local or a field/element of one.
    /// Emits the bounds check of an index.
    fn place_of(&mut self, e: ExprId) -> Option<Place> {
        match &self.input.body.exprs[e] {
            Expr::Local(l) => self.locals.get(l).map(|l| Place::local(*l)),
            Expr::Field { base, .. } => {
                let Some(Resolution::Field(i)) = self.input.infer.resolutions.get(e).copied()
                else {
                    return None;
                };
                Some(self.place_of(*base)?.project(Proj::Field(i)))
            }
            Expr::TupleField { base, index } => {
                Some(self.place_of(*base)?.project(Proj::Field(*index)))
            }
            Expr::Index { base, index } => {
                if !self.is_place_expr(*base) {
                    return None;
                }
                let base_place = self.place_of(*base)?;
                Some(self.checked_index(e, base_place, *index))
            }
            _ => None,
        }
    }

    fn is_place_expr(&self, e: ExprId) -> bool {
        match &self.input.body.exprs[e] {
            Expr::Local(_) => true,
            Expr::Field { base, .. } | Expr::TupleField { base, .. } | Expr::Index { base, .. } => {
                self.is_place_expr(*base)
            }
            _ => false,
        }
    }

    /// `base[index]` after checking `0 <= index < len` (panic otherwise).
    fn checked_index(&mut self, e: ExprId, base: Place, index: ExprId) -> Place {
        let len = match self.place_ty(&base) {
            Type::Array(_, n) => n,
            _ => 0,
        };
        let idx = self.expr_operand(index);
        let i64_ty = Type::Int(IntTy::I64);
        let idx = if self.operand_ty(&idx) == i64_ty {
            self.temp(i64_ty.clone(), Rvalue::Use(idx))
        } else {
            self.temp(i64_ty.clone(), Rvalue::Cast(idx, i64_ty.clone()))
        };
        let below = self.temp(
            Type::Bool,
            Rvalue::Binary(BinOp::Lt, Operand::local(idx), Operand::int(0, IntTy::I64)),
        );
        let above = self.temp(
            Type::Bool,
            Rvalue::Binary(BinOp::Ge, Operand::local(idx), Operand::int(len as i128, IntTy::I64)),
        );
        let bad = self.temp(
            Type::Bool,
            Rvalue::Binary(BinOp::BitOr, Operand::local(below), Operand::local(above)),
        );
        let fail = self.new_block();
        let ok = self.new_block();
        self.terminate(Terminator::Branch {
            cond: Operand::local(bad),
            then_block: fail,
            else_block: ok,
        });
        self.switch_to(fail);
        let text = self.new_local("index_text", Type::String);
        self.push(Stmt::Runtime {
            dest: Some(text),
            op: RtOp::StringFromI64,
            args: vec![Operand::local(idx)],
        });
        let head = self.new_local("panic_message", Type::String);
        self.push(Stmt::Runtime {
            dest: Some(head),
            op: RtOp::StringConcat,
            args: vec![
                Operand::Const(Const::Str("index out of bounds: index ".into())),
                Operand::local(text),
            ],
        });
        let message = self.new_local("panic_message", Type::String);
        self.push(Stmt::Runtime {
            dest: Some(message),
            op: RtOp::StringConcat,
            args: vec![
                Operand::local(head),
                Operand::Const(Const::Str(format!(", length {len}").into())),
            ],
        });
        let loc = self.loc(e);
        self.terminate(Terminator::Panic { loc, message: Operand::local(message) });
        self.switch_to(ok);
        base.project(Proj::Index(idx))
    }

    // ---- calls ----

    fn call(&mut self, e: ExprId, callee: ExprId, args: &[ExprId]) -> Val {
        let ty = self.ty_of(e);
        match self.input.infer.resolutions.get(callee).copied() {
            Some(Resolution::Function(loc)) => self.call_function(loc, args, ty),
            Some(Resolution::Extern(loc)) => {
                let name = vex_hir::item_tree::item_tree(self.input.db, loc.file).externs
                    [loc.index as usize]
                    .name
                    .clone();
                let ops: Vec<Operand> = args.iter().map(|a| self.expr_operand(*a)).collect();
                let t = self.new_local("ret", ty);
                self.push(Stmt::CallExtern { dest: Some(Place::local(t)), func: name, args: ops });
                Val::Op(Operand::local(t))
            }
            Some(Resolution::Variant(_, index)) => {
                let Type::Enum(name) = ty.clone() else { return UNIT };
                let ops: Vec<Operand> = args.iter().map(|a| self.expr_owned(*a)).collect();
                self.aggregate(AggregateKind::Variant(name, index), ops, ty)
            }
            Some(Resolution::Builtin(builtin)) => self.builtin(e, builtin, args, ty),
            _ => UNIT,
        }
    }

    fn call_function(&mut self, loc: vex_hir::ids::FunctionLoc, args: &[ExprId], ty: Type) -> Val {
        let name = function_name(self.input.db, loc);
        let ops: Vec<Operand> = args.iter().map(|a| self.expr_owned(*a)).collect();
        let t = self.new_local("ret", ty);
        self.push(Stmt::Call { dest: Some(Place::local(t)), func: name, args: ops.clone() });
        for op in &ops {
            self.forget(op);
        }
        self.register_temp(t)
    }

    fn builtin(&mut self, e: ExprId, builtin: Builtin, args: &[ExprId], ty: Type) -> Val {
        match builtin {
            Builtin::Print | Builtin::Println | Builtin::Eprint | Builtin::Eprintln => {
                let op = match builtin {
                    Builtin::Print => RtOp::Print,
                    Builtin::Println => RtOp::Println,
                    Builtin::Eprint => RtOp::Eprint,
                    _ => RtOp::Eprintln,
                };
                let text = self.print_text(args);
                self.push(Stmt::Runtime { dest: None, op, args: vec![text.op()] });
                self.drop_val(text);
                UNIT
            }
            Builtin::Assert => {
                let cond = self.expr_operand(args[0]);
                let fail = self.new_block();
                let ok = self.new_block();
                self.terminate(Terminator::Branch { cond, then_block: ok, else_block: fail });
                self.switch_to(fail);
                let message = match args.get(1) {
                    Some(&msg) => match &self.input.body.exprs[msg] {
                        Expr::Literal(Literal::String(s)) => {
                            Operand::Const(Const::Str(format!("assertion failed: {s}").into()))
                        }
                        _ => {
                            let m = self.expr_operand(msg);
                            let t = self.new_local("panic_message", Type::String);
                            self.push(Stmt::Runtime {
                                dest: Some(t),
                                op: RtOp::StringConcat,
                                args: vec![
                                    Operand::Const(Const::Str("assertion failed: ".into())),
                                    m,
                                ],
                            });
                            Operand::local(t)
                        }
                    },
                    None => Operand::Const(Const::Str("assertion failed".into())),
                };
                let loc = self.loc(e);
                self.terminate(Terminator::Panic { loc, message });
                self.switch_to(ok);
                UNIT
            }
            Builtin::Panic => {
                let message = match args.first() {
                    Some(&m) => self.expr_operand(m),
                    None => Operand::Const(Const::Str("explicit panic".into())),
                };
                let loc = self.loc(e);
                self.terminate(Terminator::Panic { loc, message });
                UNIT
            }
            Builtin::NowMs => {
                let t = self.new_local("now", Type::Int(IntTy::I64));
                self.push(Stmt::Runtime { dest: Some(t), op: RtOp::NowMs, args: vec![] });
                Val::Op(Operand::local(t))
            }
            Builtin::IsCancelled => {
                let t = self.new_local("cancelled", Type::Bool);
                self.push(Stmt::Runtime { dest: Some(t), op: RtOp::IsCancelled, args: vec![] });
                Val::Op(Operand::local(t))
            }
            Builtin::Cancel => {
                let f = self.expr(args[0]);
                self.push(Stmt::Runtime { dest: None, op: RtOp::FutureCancel, args: vec![f.op()] });
                self.drop_val(f);
                UNIT
            }
            Builtin::AsyncSleep | Builtin::YieldNow => {
                // A future of its own: a runtime timer (or yield) task that starts now.
                // `await async_sleep(ms)` does not come here (see `await_expr`).
                let (op, ops) = if builtin == Builtin::AsyncSleep {
                    let ms = match args.first() {
                        Some(&a) => self.expr_operand(a),
                        None => Operand::int(0, IntTy::I64),
                    };
                    (RtOp::SleepFuture, vec![ms])
                } else {
                    (RtOp::YieldFuture, vec![])
                };
                let future_ty = match ty {
                    Type::Future(_) => ty,
                    _ => Type::Future(Box::new(Type::Unit)),
                };
                let t = self.new_local("timer", future_ty);
                self.push(Stmt::Runtime { dest: Some(t), op, args: ops });
                self.register_temp(t)
            }
        }
    }

    /// The text a print builtin prints: the single value as a string, or a `{}`
    /// template filled with the further arguments.
    fn print_text(&mut self, args: &[ExprId]) -> Val {
        if args.len() >= 2
            && let Expr::Literal(Literal::String(template)) = &self.input.body.exprs[args[0]]
        {
            let template = template.clone();
            let mut parts = Vec::new();
            let mut rest = args[1..].iter();
            for piece in split_template(&template) {
                match piece {
                    TemplatePiece::Text(text) => {
                        parts.push(Val::Op(Operand::Const(Const::Str(text.as_ref().into()))))
                    }
                    TemplatePiece::Placeholder => {
                        if let Some(&arg) = rest.next() {
                            let v = self.expr(arg);
                            let s = self.display_string(v);
                            parts.push(s);
                        }
                    }
                }
            }
            return self.concat_all(parts);
        }
        match args.first() {
            Some(&arg) => {
                let v = self.expr(arg);
                self.display_string(v)
            }
            None => Val::Op(Operand::Const(Const::Str("".into()))),
        }
    }

    /// The display form of a value (strings as themselves).
    fn display_string(&mut self, v: Val) -> Val {
        let op = v.op();
        let ty = self.operand_ty(&op);
        let (rt, arg) = match ty {
            Type::String => return v,
            Type::Int(int) if int.is_signed() => {
                if int == IntTy::I64 {
                    (RtOp::StringFromI64, op)
                } else {
                    let t =
                        self.temp(Type::Int(IntTy::I64), Rvalue::Cast(op, Type::Int(IntTy::I64)));
                    (RtOp::StringFromI64, Operand::local(t))
                }
            }
            Type::Int(int) => {
                if int == IntTy::U64 {
                    (RtOp::StringFromU64, op)
                } else {
                    let t =
                        self.temp(Type::Int(IntTy::U64), Rvalue::Cast(op, Type::Int(IntTy::U64)));
                    (RtOp::StringFromU64, Operand::local(t))
                }
            }
            Type::Float(FloatTy::F64) => (RtOp::StringFromF64, op),
            Type::Float(FloatTy::F32) => (RtOp::StringFromF32, op),
            Type::Bool => (RtOp::StringFromBool, op),
            Type::Unit => return Val::Op(Operand::Const(Const::Str("()".into()))),
            _ => {
                self.drop_val(v);
                return Val::Op(Operand::Const(Const::Str("<value>".into())));
            }
        };
        let t = self.new_local("text", Type::String);
        self.push(Stmt::Runtime { dest: Some(t), op: rt, args: vec![arg] });
        self.register_temp(t)
    }

    fn concat_all(&mut self, parts: Vec<Val>) -> Val {
        let mut acc: Option<Val> = None;
        for part in parts {
            acc = Some(match acc {
                None => part,
                Some(prev) => {
                    let t = self.new_local("text", Type::String);
                    self.push(Stmt::Runtime {
                        dest: Some(t),
                        op: RtOp::StringConcat,
                        args: vec![prev.op(), part.op()],
                    });
                    self.drop_val(part);
                    self.drop_val(prev);
                    self.register_temp(t)
                }
            });
        }
        acc.unwrap_or(Val::Op(Operand::Const(Const::Str("".into()))))
    }

    // ---- operators ----

    fn binary(&mut self, e: ExprId, op: BinaryOp, lhs: ExprId, rhs: ExprId, ty: Type) -> Val {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let result = self.new_local("cond", Type::Bool);
                let a = self.expr_operand(lhs);
                self.assign(Place::local(result), Rvalue::Use(a));
                let rhs_block = self.new_block();
                let join = self.new_block();
                let (then_block, else_block) =
                    if op == BinaryOp::And { (rhs_block, join) } else { (join, rhs_block) };
                self.terminate(Terminator::Branch {
                    cond: Operand::local(result),
                    then_block,
                    else_block,
                });
                self.switch_to(rhs_block);
                let b = self.expr_operand(rhs);
                self.assign(Place::local(result), Rvalue::Use(b));
                self.goto(join);
                self.switch_to(join);
                Val::Op(Operand::local(result))
            }
            BinaryOp::Cmp(cmp) => {
                let a = self.expr(lhs);
                let b = self.expr(rhs);
                let r = self.compare(cmp, a.op(), b.op());
                self.drop_val(b);
                self.drop_val(a);
                Val::Op(r)
            }
            BinaryOp::Arith(arith) => {
                let a = self.expr(lhs);
                let b = self.expr(rhs);
                let r = self.arith(e, arith, a.op(), b.op(), ty);
                self.drop_val(b);
                self.drop_val(a);
                r
            }
        }
    }

    fn arith(&mut self, e: ExprId, op: ArithOp, a: Operand, b: Operand, ty: Type) -> Val {
        if ty == Type::String {
            let t = self.new_local("text", Type::String);
            self.push(Stmt::Runtime { dest: Some(t), op: RtOp::StringConcat, args: vec![a, b] });
            return self.register_temp(t);
        }
        let bin = match op {
            ArithOp::Add => BinOp::Add,
            ArithOp::Sub => BinOp::Sub,
            ArithOp::Mul => BinOp::Mul,
            ArithOp::Div => BinOp::Div,
            ArithOp::Rem => BinOp::Rem,
            ArithOp::BitAnd => BinOp::BitAnd,
            ArithOp::BitOr => BinOp::BitOr,
            ArithOp::BitXor => BinOp::BitXor,
            ArithOp::Shl => BinOp::Shl,
            ArithOp::Shr => BinOp::Shr,
        };
        if let (BinOp::Div | BinOp::Rem, Type::Int(int)) = (bin, &ty) {
            let zero =
                self.temp(Type::Bool, Rvalue::Binary(BinOp::Eq, b.clone(), Operand::int(0, *int)));
            let fail = self.new_block();
            let ok = self.new_block();
            self.terminate(Terminator::Branch {
                cond: Operand::local(zero),
                then_block: fail,
                else_block: ok,
            });
            self.switch_to(fail);
            let message = if bin == BinOp::Div { "division by zero" } else { "remainder by zero" };
            let loc = self.loc(e);
            self.terminate(Terminator::Panic {
                loc,
                message: Operand::Const(Const::Str(message.into())),
            });
            self.switch_to(ok);
        }
        let t = self.temp(ty, Rvalue::Binary(bin, a, b));
        Val::Op(Operand::local(t))
    }

    fn compare(&mut self, cmp: CmpOp, a: Operand, b: Operand) -> Operand {
        let bin = match cmp {
            CmpOp::Eq => BinOp::Eq,
            CmpOp::Ne => BinOp::Ne,
            CmpOp::Lt => BinOp::Lt,
            CmpOp::Le => BinOp::Le,
            CmpOp::Gt => BinOp::Gt,
            CmpOp::Ge => BinOp::Ge,
        };
        let ty = self.operand_ty(&a);
        match &ty {
            Type::String => {
                let c = self.new_local("order", Type::Int(IntTy::I32));
                self.push(Stmt::Runtime {
                    dest: Some(c),
                    op: RtOp::StringCompare,
                    args: vec![a, b],
                });
                let t = self.temp(
                    Type::Bool,
                    Rvalue::Binary(bin, Operand::local(c), Operand::int(0, IntTy::I32)),
                );
                Operand::local(t)
            }
            Type::Struct(_) | Type::Tuple(_) | Type::Enum(_) | Type::Array(..) => {
                let a = self.materialize(a);
                let b = self.materialize(b);
                let eq = self.equal(&ty, a, b);
                if bin == BinOp::Ne {
                    let t = self.temp(Type::Bool, Rvalue::Unary(UnOp::Not, eq));
                    Operand::local(t)
                } else {
                    eq
                }
            }
            Type::Unit => {
                Operand::Const(Const::Bool(matches!(cmp, CmpOp::Eq | CmpOp::Le | CmpOp::Ge)))
            }
            _ => {
                let t = self.temp(Type::Bool, Rvalue::Binary(bin, a, b));
                Operand::local(t)
            }
        }
    }

    fn materialize(&mut self, op: Operand) -> Place {
        match op {
            Operand::Copy(place) => place,
            Operand::Const(c) => {
                let ty = c.ty();
                Place::local(self.temp(ty, Rvalue::Use(Operand::Const(c))))
            }
        }
    }

    /// Structural equality of two places of type `ty`: field by field for tuples and
    /// structs, element by element for arrays, and for enums the tags and then the
    /// payloads of the variant both hold (a `Switch` on the tag); strings compare
    /// through the runtime. Produces a `bool` operand.
    fn equal(&mut self, ty: &Type, a: Place, b: Place) -> Operand {
        let fields: Vec<Proj> = match ty {
            Type::Tuple(elems) => (0..elems.len() as u32).map(Proj::Field).collect(),
            Type::Struct(name) => {
                (0..self.input.types.structs[name].fields.len() as u32).map(Proj::Field).collect()
            }
            Type::Enum(name) => return self.enum_equal(name, a, b),
            Type::Array(_, n) => {
                // Element by element through index locals.
                let mut acc = Operand::Const(Const::Bool(true));
                for i in 0..*n {
                    let idx = self.temp(
                        Type::Int(IntTy::I64),
                        Rvalue::Use(Operand::int(i as i128, IntTy::I64)),
                    );
                    let e = self.compare(
                        CmpOp::Eq,
                        Operand::Copy(a.project(Proj::Index(idx))),
                        Operand::Copy(b.project(Proj::Index(idx))),
                    );
                    let t = self.temp(Type::Bool, Rvalue::Binary(BinOp::BitAnd, acc, e));
                    acc = Operand::local(t);
                }
                return acc;
            }
            _ => return self.compare(CmpOp::Eq, Operand::Copy(a), Operand::Copy(b)),
        };
        let mut acc = Operand::Const(Const::Bool(true));
        for proj in fields {
            let e = self.compare(
                CmpOp::Eq,
                Operand::Copy(a.project(proj.clone())),
                Operand::Copy(b.project(proj)),
            );
            let t = self.temp(Type::Bool, Rvalue::Binary(BinOp::BitAnd, acc, e));
            acc = Operand::local(t);
        }
        acc
    }

    /// Enum equality: equal tags, then (switching on the tag) equal payload fields of
    /// that variant. Payload projections are only read once the tag is known.
    fn enum_equal(&mut self, name: &Name, a: Place, b: Place) -> Operand {
        let def = self.input.types.enums[name].clone();
        let result = self.new_local("equal", Type::Bool);
        let da = self.temp(Type::Int(ENUM_TAG), Rvalue::Discriminant(a.clone()));
        let db = self.temp(Type::Int(ENUM_TAG), Rvalue::Discriminant(b.clone()));
        let same = self
            .temp(Type::Bool, Rvalue::Binary(BinOp::Eq, Operand::local(da), Operand::local(db)));
        self.assign(Place::local(result), Rvalue::Use(Operand::local(same)));
        let with_payload: Vec<u32> = def
            .variants
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.fields.is_empty())
            .map(|(i, _)| i as u32)
            .collect();
        if with_payload.is_empty() {
            return Operand::local(result);
        }
        let payloads = self.new_block();
        let join = self.new_block();
        self.terminate(Terminator::Branch {
            cond: Operand::local(same),
            then_block: payloads,
            else_block: join,
        });
        self.switch_to(payloads);
        let blocks: Vec<BlockId> = with_payload.iter().map(|_| self.new_block()).collect();
        self.terminate(Terminator::Switch {
            value: Operand::local(da),
            cases: with_payload.iter().zip(&blocks).map(|(v, b)| (i128::from(*v), *b)).collect(),
            default: join,
        });
        for (variant, block) in with_payload.into_iter().zip(blocks) {
            self.switch_to(block);
            let mut acc = Operand::Const(Const::Bool(true));
            for field in 0..def.variants[variant as usize].fields.len() as u32 {
                let proj = Proj::Payload { variant, field };
                let e = self.compare(
                    CmpOp::Eq,
                    Operand::Copy(a.project(proj.clone())),
                    Operand::Copy(b.project(proj)),
                );
                let t = self.temp(Type::Bool, Rvalue::Binary(BinOp::BitAnd, acc, e));
                acc = Operand::local(t);
            }
            self.assign(Place::local(result), Rvalue::Use(acc));
            self.goto(join);
        }
        self.switch_to(join);
        Operand::local(result)
    }

    fn assignment(&mut self, e: ExprId, op: Option<ArithOp>, place: ExprId, value: ExprId) {
        let Some(target) = self.place_of(place) else {
            let v = self.expr(value);
            self.drop_val(v);
            return;
        };
        let ty = self.place_ty(&target);
        let new = match op {
            None => self.expr_owned(value),
            Some(arith) => {
                let rhs = self.expr(value);
                let r = self.arith(e, arith, Operand::Copy(target.clone()), rhs.op(), ty.clone());
                self.drop_val(rhs);
                self.owned_operand(r)
            }
        };
        if self.needs_drop(&ty) {
            self.push(Stmt::Release(target.clone()));
        }
        self.assign(target, Rvalue::Use(new.clone()));
        self.forget(&new);
    }

    // ---- async ----

    fn await_expr(&mut self, inner: ExprId, ty: Type) -> Val {
        let builtin = match &self.input.body.exprs[inner] {
            Expr::Call { callee, args } => match self.input.infer.resolutions.get(*callee) {
                Some(Resolution::Builtin(b @ (Builtin::AsyncSleep | Builtin::YieldNow))) => {
                    Some((*b, args.clone()))
                }
                _ => None,
            },
            _ => None,
        };
        if let Some((builtin, args)) = builtin {
            let ms = match args.first() {
                Some(&a) => self.expr_operand(a),
                None => Operand::int(0, IntTy::I64),
            };
            let next = self.new_block();
            let cancel = self.cancel_block();
            if builtin == Builtin::AsyncSleep {
                self.terminate(Terminator::Sleep { ms, next, cancel });
            } else {
                self.terminate(Terminator::Yield { next, cancel });
            }
            self.switch_to(next);
            return UNIT;
        }
        let future = self.expr_owned(inner);
        self.forget(&future);
        let dest = if ty == Type::Unit { None } else { Some(self.new_local("awaited", ty)) };
        let next = self.new_block();
        let cancel = self.cancel_block();
        self.terminate(Terminator::Await { future, dest, next, cancel });
        self.switch_to(next);
        match dest {
            Some(d) => self.register_temp(d),
            None => UNIT,
        }
    }

    fn go_expr(&mut self, inner: ExprId, captures: &[vex_hir::body::LocalId]) {
        // `go f(x)` on an async fn spawns exactly like the call.
        if let Expr::Call { callee, .. } = &self.input.body.exprs[inner]
            && let Some(Resolution::Function(loc)) =
                self.input.infer.resolutions.get(*callee).copied()
            && vex_hir::signature::signature_of(self.input.db, loc).is_async
        {
            let v = self.expr(inner);
            self.drop_val(v);
            return;
        }
        // Nested `go` blocks are named after the outermost function too.
        let name: Box<str> = format!("{}.go{}", self.input.name, *self.counter).into();
        *self.counter += 1;
        let mut sub_extra = Vec::new();
        // A `go` block is defined where it is written (the current location: the `go`).
        let def = SourceLoc {
            file: self.def.file.clone(),
            line: self.def.line + self.cur.line,
            col: self.cur.col,
        };
        let function = {
            let mut child = Builder::new(
                self.input,
                name.clone(),
                FunctionKind::Async,
                Type::Unit,
                def,
                &mut sub_extra,
                self.counter,
            );
            for &c in captures {
                child.add_param(c);
            }
            child.lower_root(inner);
            child.finish()
        };
        self.extra.push(function);
        self.extra.extend(sub_extra);
        let capture_locals: Vec<LocalId> =
            captures.iter().filter_map(|c| self.locals.get(c).copied()).collect();
        // Captured strings are copied (retained); a captured future moves into the
        // task (the move checker made sure the spawner does not use it again), so the
        // spawner's local is cleared and the handle is released exactly once.
        let ops: Vec<Operand> = capture_locals
            .into_iter()
            .map(|l| self.owned_operand(Val::Op(Operand::Copy(Place::local(l)))))
            .collect();
        let t = self.new_local("go", Type::Future(Box::new(Type::Unit)));
        self.push(Stmt::Call { dest: Some(Place::local(t)), func: name, args: ops.clone() });
        for op in &ops {
            self.forget(op);
        }
        self.push(Stmt::Release(Place::local(t)));
    }

    // ---- control flow ----

    fn block(&mut self, stmts: &[vex_hir::body::StmtId], tail: Option<ExprId>, ty: Type) -> Val {
        self.push_scope();
        for &s in stmts {
            let outer = self.move_to(self.input.source_map.stmts.get(s).copied(), false);
            match &self.input.body.stmts[s] {
                HirStmt::Let { pat, init, .. } => {
                    if let Some(init) = *init {
                        self.let_binding(*pat, init);
                    }
                }
                HirStmt::Expr(x) => {
                    let v = self.expr(*x);
                    self.drop_val(v);
                }
            }
            self.cur = outer;
        }
        let result = match tail {
            Some(t) if ty != Type::Unit => {
                let op = self.expr_owned(t);
                self.forget(&op);
                Some(op)
            }
            Some(t) => {
                let v = self.expr(t);
                self.drop_val(v);
                None
            }
            None => None,
        };
        // The tail must outlive the block's locals: copy it out before they go.
        let result = result.map(|op| {
            let ty = self.operand_ty(&op);
            self.temp(ty, Rvalue::Use(op))
        });
        self.pop_scope();
        match result {
            Some(t) => self.register_temp(t),
            None => UNIT,
        }
    }

    fn let_binding(&mut self, pat: PatId, init: ExprId) {
        if let Pat::Bind(l) = &self.input.body.pats[pat] {
            let l = *l;
            let value = self.expr_owned(init);
            let local = self.binding_local(l);
            self.assign(Place::local(local), Rvalue::Use(value.clone()));
            self.forget(&value);
            self.locals.insert(l, local);
            if !self.defers.pinned.contains_key(&l) {
                self.register(local);
            }
            return;
        }
        let v = self.expr_owned(init);
        let place = self.materialize(v.clone());
        self.bind_pat(pat, &place);
        if let Operand::Copy(p) = &v
            && self.temps.contains(&p.local)
        {
            self.drop_val(Val::Temp(p.local));
        }
    }

    /// The IR local a binding of `l` writes: a new one, or for a pinned future the
    /// function-long local, whose previous value is released first.
    fn binding_local(&mut self, l: vex_hir::body::LocalId) -> LocalId {
        if let Some(&local) = self.defers.pinned.get(&l) {
            self.push(Stmt::Release(Place::local(local)));
            return local;
        }
        let ty = lower_ty(self.input.db, self.input.infer.type_of_local(l));
        let name = self.input.body.locals[l].name.clone();
        self.new_local(&name, ty)
    }

    fn bind_pat(&mut self, pat: PatId, place: &Place) {
        self.bind_pat_into(pat, place, false)
    }

    /// Whether a pattern binds any name.
    fn pat_binds(&self, pat: PatId) -> bool {
        match &self.input.body.pats[pat] {
            Pat::Bind(_) => true,
            Pat::Or(pats) | Pat::Tuple(pats) => pats.iter().any(|p| self.pat_binds(*p)),
            Pat::Variant { fields: Some(fields), .. } => fields.iter().any(|p| self.pat_binds(*p)),
            _ => false,
        }
    }

    /// The names a pattern binds, in order (for an or-pattern: its first alternative's;
    /// every alternative binds the same locals).
    fn pat_locals(&self, pat: PatId, out: &mut Vec<vex_hir::body::LocalId>) {
        match &self.input.body.pats[pat] {
            Pat::Bind(l) => out.push(*l),
            Pat::Or(pats) => {
                if let Some(first) = pats.first() {
                    self.pat_locals(*first, out)
                }
            }
            Pat::Tuple(pats) | Pat::Variant { fields: Some(pats), .. } => {
                for p in pats {
                    self.pat_locals(*p, out)
                }
            }
            _ => {}
        }
    }

    /// Binds the names of `pat` from `place`. With `existing`, the names already have
    /// their IR locals (an or-pattern's alternatives all write the same ones) and are
    /// registered by the caller.
    fn bind_pat_into(&mut self, pat: PatId, place: &Place, existing: bool) {
        match &self.input.body.pats[pat] {
            Pat::Bind(l) => {
                let l = *l;
                let ty = lower_ty(self.input.db, self.input.infer.type_of_local(l));
                let local = match self.locals.get(&l) {
                    Some(local) if existing => *local,
                    _ => self.binding_local(l),
                };
                self.assign(Place::local(local), Rvalue::Use(Operand::Copy(place.clone())));
                if self.needs_drop(&ty) {
                    if matches!(ty, Type::Future(_)) {
                        self.assign(
                            place.clone(),
                            Rvalue::Use(Operand::Const(Const::NullFuture(ty))),
                        );
                    } else {
                        self.push(Stmt::Retain(Place::local(local)));
                    }
                }
                self.locals.insert(l, local);
                if !existing && !self.defers.pinned.contains_key(&l) {
                    self.register(local);
                }
            }
            Pat::Tuple(pats) => {
                for (i, p) in pats.clone().into_iter().enumerate() {
                    self.bind_pat_into(p, &place.project(Proj::Field(i as u32)), existing);
                }
            }
            Pat::Variant { fields: Some(fields), .. } => {
                let Some(variant) = self.variant_index(pat) else { return };
                for (i, p) in fields.clone().into_iter().enumerate() {
                    let field = place.project(Proj::Payload { variant, field: i as u32 });
                    self.bind_pat_into(p, &field, existing);
                }
            }
            Pat::Or(alts) => {
                let alts = alts.clone();
                let Some(&selector) = self.or_selectors.get(&pat) else {
                    // Not tested first (an irrefutable context): the first alternative.
                    if let Some(first) = alts.first() {
                        self.bind_pat_into(*first, place, existing);
                    }
                    return;
                };
                // One IR local per name, written by whichever alternative matched.
                let mut names = Vec::new();
                self.pat_locals(pat, &mut names);
                let mut fresh = Vec::new();
                if !existing {
                    for l in &names {
                        let local = self.binding_local(*l);
                        self.locals.insert(*l, local);
                        fresh.push((*l, local));
                    }
                }
                let join = self.new_block();
                let blocks: Vec<BlockId> = alts.iter().map(|_| self.new_block()).collect();
                let trap = self.new_block();
                self.terminate(Terminator::Switch {
                    value: Operand::local(selector),
                    cases: blocks.iter().enumerate().map(|(i, b)| (i as i128, *b)).collect(),
                    default: trap,
                });
                for (alt, block) in alts.into_iter().zip(blocks) {
                    self.switch_to(block);
                    self.bind_pat_into(alt, place, true);
                    self.goto(join);
                }
                self.switch_to(join);
                for (l, local) in fresh {
                    if !self.defers.pinned.contains_key(&l) {
                        self.register(local);
                    }
                }
            }
            _ => {}
        }
    }

    fn variant_index(&self, pat: PatId) -> Option<u32> {
        let Pat::Variant { variant, .. } = &self.input.body.pats[pat] else { return None };
        let Some(Ty::Enum(loc)) = self.input.infer.pat_types.get(pat) else { return None };
        vex_hir::signature::enum_variants(self.input.db, *loc)
            .iter()
            .position(|(n, _)| n == variant)
            .map(|i| i as u32)
    }

    /// Emits tests of `pat` against `place`; falls through on a match, jumps to `fail`
    /// otherwise.
    fn test_pat(&mut self, pat: PatId, place: &Place, fail: BlockId) {
        match self.input.body.pats[pat].clone() {
            Pat::Literal(lit, negated) => {
                let ty = self.place_ty(place);
                let mut c = self.literal(&lit, &ty);
                if negated {
                    c = match c {
                        Const::Int(v, int) => Const::Int(normalize(-v, int), int),
                        Const::Float(bits, f) => Const::Float((-f64::from_bits(bits)).to_bits(), f),
                        other => other,
                    };
                }
                let eq = self.compare(CmpOp::Eq, Operand::Copy(place.clone()), Operand::Const(c));
                self.branch_or_fail(eq, fail);
            }
            Pat::Or(alts) => {
                let success = self.new_block();
                let selector = if self.pat_binds(pat) {
                    let s = self.new_local("alternative", Type::Int(IntTy::U32));
                    self.or_selectors.insert(pat, s);
                    Some(s)
                } else {
                    None
                };
                for (i, alt) in alts.into_iter().enumerate() {
                    let next = self.new_block();
                    self.test_pat(alt, place, next);
                    if let Some(s) = selector {
                        self.assign(
                            Place::local(s),
                            Rvalue::Use(Operand::int(i as i128, IntTy::U32)),
                        );
                    }
                    self.goto(success);
                    self.switch_to(next);
                }
                self.goto(fail);
                self.switch_to(success);
            }
            Pat::Tuple(pats) => {
                for (i, p) in pats.into_iter().enumerate() {
                    self.test_pat(p, &place.project(Proj::Field(i as u32)), fail);
                }
            }
            Pat::Variant { fields, .. } => {
                let Some(variant) = self.variant_index(pat) else { return };
                let d = self.temp(Type::Int(ENUM_TAG), Rvalue::Discriminant(place.clone()));
                let eq = self.temp(
                    Type::Bool,
                    Rvalue::Binary(
                        BinOp::Eq,
                        Operand::local(d),
                        Operand::int(variant as i128, ENUM_TAG),
                    ),
                );
                self.branch_or_fail(Operand::local(eq), fail);
                for (i, p) in fields.unwrap_or_default().into_iter().enumerate() {
                    self.test_pat(
                        p,
                        &place.project(Proj::Payload { variant, field: i as u32 }),
                        fail,
                    );
                }
            }
            _ => {}
        }
    }

    fn branch_or_fail(&mut self, cond: Operand, fail: BlockId) {
        let ok = self.new_block();
        self.terminate(Terminator::Branch { cond, then_block: ok, else_block: fail });
        self.switch_to(ok);
    }

    fn is_irrefutable(&self, pat: PatId) -> bool {
        match &self.input.body.pats[pat] {
            Pat::Wild | Pat::Bind(_) | Pat::Missing => true,
            Pat::Tuple(pats) => pats.iter().all(|p| self.is_irrefutable(*p)),
            _ => false,
        }
    }

    /// Switch cases for a match that is one level of literal or variant tests.
    fn switch_cases(&self, arms: &[vex_hir::body::MatchArm], ty: &Type) -> Option<Vec<Vec<i128>>> {
        let mut out = Vec::new();
        for (i, arm) in arms.iter().enumerate() {
            if arm.guard.is_some() {
                return None;
            }
            let last = i + 1 == arms.len();
            let mut values = Vec::new();
            let alts = match &self.input.body.pats[arm.pat] {
                // Which alternative matched decides what is bound: tested one by one.
                Pat::Or(_) if self.pat_binds(arm.pat) => return None,
                Pat::Or(alts) => alts.clone(),
                _ => vec![arm.pat],
            };
            for alt in alts {
                match (&self.input.body.pats[alt], ty) {
                    (Pat::Literal(Literal::Int(v, _), negated), Type::Int(int)) => {
                        let v = i128::from(v.unwrap_or(0));
                        values.push(normalize(if *negated { -v } else { v }, *int));
                    }
                    (Pat::Variant { fields, .. }, Type::Enum(_)) => {
                        if !fields.iter().flatten().all(|p| self.is_irrefutable(*p)) {
                            return None;
                        }
                        values.push(i128::from(self.variant_index(alt)?));
                    }
                    (Pat::Wild | Pat::Bind(_), _) if last => {}
                    _ => return None,
                }
            }
            out.push(values);
        }
        Some(out)
    }

    fn match_expr(&mut self, scrutinee: ExprId, arms: &[vex_hir::body::MatchArm], ty: Type) -> Val {
        let (place, temp) = match self.place_of(scrutinee) {
            Some(p) if self.is_place_expr(scrutinee) => (p, None),
            _ => {
                let op = self.expr_owned(scrutinee);
                let place = self.materialize(op.clone());
                let temp = match &op {
                    Operand::Copy(p) if self.temps.contains(&p.local) => Some(p.local),
                    _ => None,
                };
                (place, temp)
            }
        };
        let scrutinee_ty = self.place_ty(&place);
        let result = if ty == Type::Unit { None } else { Some(self.new_local("match", ty)) };
        let join = self.new_block();
        let mut reached = false;
        if let Some(cases) = self.switch_cases(arms, &scrutinee_ty) {
            let value = match scrutinee_ty {
                Type::Enum(_) => Operand::local(
                    self.temp(Type::Int(ENUM_TAG), Rvalue::Discriminant(place.clone())),
                ),
                _ => Operand::Copy(place.clone()),
            };
            let blocks: Vec<BlockId> = arms.iter().map(|_| self.new_block()).collect();
            let mut switch_cases = Vec::new();
            let mut seen = rustc_hash::FxHashSet::default();
            let mut default = None;
            for (i, values) in cases.iter().enumerate() {
                if values.is_empty() {
                    default = Some(blocks[i]);
                }
                for v in values {
                    if seen.insert(*v) {
                        switch_cases.push((*v, blocks[i]));
                    }
                }
            }
            let default = match default {
                Some(d) => d,
                None => {
                    let b = self.new_block();
                    self.func.blocks[b.index()].term = Terminator::Unreachable;
                    b
                }
            };
            self.terminate(Terminator::Switch { value, cases: switch_cases, default });
            for (arm, block) in arms.iter().zip(blocks) {
                self.switch_to(block);
                reached |= self.arm_body(arm, &place, result, join, None);
            }
        } else {
            for arm in arms {
                let next = self.new_block();
                self.test_pat(arm.pat, &place, next);
                reached |= self.arm_body(arm, &place, result, join, Some(next));
                self.switch_to(next);
            }
            self.terminate(Terminator::Unreachable);
        }
        if reached {
            self.switch_to(join);
        }
        if let Some(t) = temp {
            self.drop_val(Val::Temp(t));
        }
        match result {
            Some(r) => self.register_temp(r),
            None => UNIT,
        }
    }

    fn arm_body(
        &mut self,
        arm: &vex_hir::body::MatchArm,
        place: &Place,
        result: Option<LocalId>,
        join: BlockId,
        next: Option<BlockId>,
    ) -> bool {
        self.push_scope();
        self.bind_pat(arm.pat, place);
        if let Some(guard) = arm.guard {
            let cond = self.expr_operand(guard);
            let body = self.new_block();
            let fail = self.new_block();
            self.terminate(Terminator::Branch { cond, then_block: body, else_block: fail });
            self.switch_to(fail);
            let mark = *self.scope_marks.last().unwrap_or(&0);
            self.release_down_to(mark);
            if let Some(next) = next {
                self.goto(next);
            }
            self.switch_to(body);
        }
        match result {
            Some(r) => {
                let v = self.expr_owned(arm.expr);
                self.assign(Place::local(r), Rvalue::Use(v.clone()));
                self.forget(&v);
            }
            None => {
                let v = self.expr(arm.expr);
                self.drop_val(v);
            }
        }
        self.pop_scope();
        self.goto(join)
    }

    fn if_expr(
        &mut self,
        cond: ExprId,
        then_branch: ExprId,
        else_branch: Option<ExprId>,
        ty: Type,
    ) -> Val {
        let c = self.expr_operand(cond);
        let then_block = self.new_block();
        let else_block = self.new_block();
        let join = self.new_block();
        self.terminate(Terminator::Branch { cond: c, then_block, else_block });
        let result = if ty == Type::Unit { None } else { Some(self.new_local("if", ty)) };
        let mut reached = false;
        for (block, branch) in [(then_block, Some(then_branch)), (else_block, else_branch)] {
            self.switch_to(block);
            match (branch, result) {
                (Some(b), Some(r)) => {
                    let v = self.expr_owned(b);
                    self.assign(Place::local(r), Rvalue::Use(v.clone()));
                    self.forget(&v);
                }
                (Some(b), None) => {
                    let v = self.expr(b);
                    self.drop_val(v);
                }
                (None, _) => {}
            }
            reached |= self.goto(join);
        }
        if reached {
            self.switch_to(join);
        }
        match result {
            Some(r) => self.register_temp(r),
            None => UNIT,
        }
    }

    fn find_loop(&self, label: Option<LabelId>) -> Option<usize> {
        match label {
            None => self.loops.len().checked_sub(1),
            Some(l) => self.loops.iter().rposition(|c| c.label == Some(l)),
        }
    }

    fn break_expr(&mut self, label: Option<LabelId>, value: Option<ExprId>) {
        let Some(i) = self.find_loop(label) else { return };
        if let Some(v) = value {
            match self.loops[i].result {
                Some(r) => {
                    let op = self.expr_owned(v);
                    self.assign(Place::local(r), Rvalue::Use(op.clone()));
                    self.forget(&op);
                }
                None => {
                    let val = self.expr(v);
                    self.drop_val(val);
                }
            }
        }
        let (mark, target) = (self.loops[i].mark, self.loops[i].break_block);
        self.release_down_to(mark);
        if self.goto(target) {
            self.loops[i].broken = true;
        }
    }

    fn while_loop(&mut self, label: Option<LabelId>, cond: ExprId, body: ExprId) {
        let header = self.new_block();
        let body_block = self.new_block();
        let exit = self.new_block();
        self.goto(header);
        self.switch_to(header);
        let c = self.expr_operand(cond);
        self.terminate(Terminator::Branch { cond: c, then_block: body_block, else_block: exit });
        self.switch_to(body_block);
        self.loops.push(LoopCtx {
            label,
            break_block: exit,
            continue_block: header,
            result: None,
            mark: self.drops.len(),
            broken: false,
        });
        let v = self.expr(body);
        self.drop_val(v);
        self.goto(header);
        self.loops.pop();
        self.switch_to(exit);
    }

    fn loop_expr(&mut self, label: Option<LabelId>, body: ExprId, ty: Type) -> Val {
        let body_block = self.new_block();
        let exit = self.new_block();
        let result = if ty == Type::Unit { None } else { Some(self.new_local("loop", ty)) };
        self.goto(body_block);
        self.switch_to(body_block);
        self.loops.push(LoopCtx {
            label,
            break_block: exit,
            continue_block: body_block,
            result,
            mark: self.drops.len(),
            broken: false,
        });
        let v = self.expr(body);
        self.drop_val(v);
        self.goto(body_block);
        let ctx = self.loops.pop();
        if ctx.is_some_and(|c| c.broken) {
            self.switch_to(exit);
        }
        match result {
            Some(r) => self.register_temp(r),
            None => UNIT,
        }
    }

    /// The part of a `for` loop both iteration kinds share: branch on `cond` into the
    /// body or out, bind the loop variable to `element`, lower the body as a loop whose
    /// `continue` goes to the step block, and leave the builder in the step block.
    fn for_iteration(
        &mut self,
        cond: LocalId,
        blocks: ForBlocks,
        label: Option<LabelId>,
        pat: PatId,
        element: Place,
        body: ExprId,
    ) {
        self.terminate(Terminator::Branch {
            cond: Operand::local(cond),
            then_block: blocks.body,
            else_block: blocks.exit,
        });
        self.switch_to(blocks.body);
        self.loops.push(LoopCtx {
            label,
            break_block: blocks.exit,
            continue_block: blocks.step,
            result: None,
            mark: self.drops.len(),
            broken: false,
        });
        self.push_scope();
        self.bind_pat(pat, &element);
        let v = self.expr(body);
        self.drop_val(v);
        self.pop_scope();
        self.goto(blocks.step);
        self.loops.pop();
        self.switch_to(blocks.step);
    }

    fn for_loop(&mut self, label: Option<LabelId>, pat: PatId, iter: &ForIter, body: ExprId) {
        match iter {
            ForIter::Range { start, end, inclusive } => {
                let start_op = self.expr_operand(*start);
                let ty = self.operand_ty(&start_op);
                let Type::Int(int) = ty.clone() else { return };
                let counter = self.temp(ty.clone(), Rvalue::Use(start_op));
                let end_op = self.expr_operand(*end);
                let end_local = self.temp(ty.clone(), Rvalue::Use(end_op));
                let header = self.new_block();
                let body_block = self.new_block();
                let step = self.new_block();
                let exit = self.new_block();
                self.goto(header);
                self.switch_to(header);
                let cmp = if *inclusive { BinOp::Le } else { BinOp::Lt };
                let c = self.temp(
                    Type::Bool,
                    Rvalue::Binary(cmp, Operand::local(counter), Operand::local(end_local)),
                );
                let blocks = ForBlocks { body: body_block, step, exit };
                self.for_iteration(c, blocks, label, pat, Place::local(counter), body);
                if *inclusive {
                    // Stop at the bound before stepping, so `..=MAX` does not wrap.
                    let last = self.temp(
                        Type::Bool,
                        Rvalue::Binary(
                            BinOp::Eq,
                            Operand::local(counter),
                            Operand::local(end_local),
                        ),
                    );
                    let inc = self.new_block();
                    self.terminate(Terminator::Branch {
                        cond: Operand::local(last),
                        then_block: exit,
                        else_block: inc,
                    });
                    self.switch_to(inc);
                }
                self.assign(
                    Place::local(counter),
                    Rvalue::Binary(BinOp::Add, Operand::local(counter), Operand::int(1, int)),
                );
                self.goto(header);
                self.switch_to(exit);
            }
            ForIter::Array(array) => {
                let op = self.expr_owned(*array);
                let place = self.materialize(op.clone());
                let len = match self.place_ty(&place) {
                    Type::Array(_, n) => n,
                    _ => 0,
                };
                let i64_ty = Type::Int(IntTy::I64);
                let index = self.temp(i64_ty, Rvalue::Use(Operand::int(0, IntTy::I64)));
                let header = self.new_block();
                let body_block = self.new_block();
                let step = self.new_block();
                let exit = self.new_block();
                self.goto(header);
                self.switch_to(header);
                let c = self.temp(
                    Type::Bool,
                    Rvalue::Binary(
                        BinOp::Lt,
                        Operand::local(index),
                        Operand::int(len as i128, IntTy::I64),
                    ),
                );
                let blocks = ForBlocks { body: body_block, step, exit };
                let element = place.project(Proj::Index(index));
                self.for_iteration(c, blocks, label, pat, element, body);
                self.assign(
                    Place::local(index),
                    Rvalue::Binary(BinOp::Add, Operand::local(index), Operand::int(1, IntTy::I64)),
                );
                self.goto(header);
                self.switch_to(exit);
                if let Operand::Copy(p) = &op
                    && self.temps.contains(&p.local)
                {
                    self.drop_val(Val::Temp(p.local));
                }
            }
        }
    }
}
