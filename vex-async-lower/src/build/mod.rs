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
//!
//! Layout: this file holds the entry points ([`build_body`], [`lower_ty`],
//! [`function_name`]) and the `Builder` with its plumbing (blocks, locals, locations,
//! runtime checks); each concern of the walk has its file: `ownership` (the drop stack,
//! cancel paths, defer runners), `exits` (entry, returns, finishing), `expressions`,
//! `calls` (functions and builtins), `io` (files, TCP, `args`, `getEnv`, `exit`),
//! `operators`, `tasks` (`await`, `go`), `patterns`
//! (bindings, tests, `match`), `control_flow` (blocks, `if`, loops) and `captures`
//! (what a `defer` or `go` body reads).

mod calls;
mod captures;
mod channels;
mod closures;
mod combinators;
mod control_flow;
mod exits;
mod expressions;
mod io;
mod operators;
mod options;
mod ownership;
mod patterns;
mod strings;
mod tasks;
mod vecs;

use rustc_hash::FxHashMap;
use vex_hir::Db;
use vex_hir::body::{
    ArithOp, BinaryOp, Body, BodySourceMap, CmpOp, Expr, ExprId, ForIter, FormatPiece, LabelId,
    Literal, Pat, PatId, SelectArmKind, Stmt as HirStmt, TemplatePiece, UnaryOp, split_template,
};
use vex_hir::builtins::{Builtin, BuiltinMethod};
use vex_hir::infer::{InferenceResult, Resolution};
use vex_hir::ty::Ty;
use vex_syntax::{LineCol, LineIndex};

use crate::ir::layout::ENUM_TAG;
use crate::ir::*;
use captures::{free_locals, subtree};

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
    /// Spans, relative to `body_offset`.
    pub source_map: &'a BodySourceMap,
    /// Byte offset of the body's item in its file (`vex_hir::lower::body_offset`).
    pub body_offset: u32,
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

/// What lowering one body produces: its function, then the functions made for its
/// `go` blocks, closures and function values, and the structs they use (closure
/// environments).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Built {
    /// The body's function first.
    pub functions: Vec<Function>,
    /// Closure environments.
    pub structs: Vec<StructDef>,
}

/// Lowers one body: the function first, then its `go` blocks and closures.
pub fn build_body(input: &BodyInput<'_>) -> Built {
    let mut extra = Built::default();
    let mut counter = 0;
    let ret = lower_ty(input.db, &input.ret);
    // A synchronous `main` that waits on channels (LANGUAGE.md §11) is the entry task
    // itself, built as an async function.
    let waiting_main = &*input.name == SYNC_MAIN_BODY && waits_on_channels(input);
    let kind =
        if input.is_async || waiting_main { FunctionKind::Async } else { FunctionKind::Sync };
    let def = source_loc(input.path, input.lines, input.def_offset);
    let mut builder =
        Builder::new(input, input.name.clone(), kind, ret, def, &mut extra, &mut counter);
    for &param in &input.body.params {
        builder.add_param(param);
    }
    builder.lower_root(input.body.root);
    let mut function = builder.finish();
    let mut entry = None;
    if waiting_main {
        function.name = "main".into();
    } else if &*input.name == SYNC_MAIN_BODY {
        entry = Some(sync_main_task(&function));
    }
    let mut functions = vec![function];
    functions.extend(entry);
    functions.extend(extra.functions);
    Built { functions, structs: extra.structs }
}

/// Whether the body (not counting the `go` blocks and closures in it) has a channel
/// operation that may wait.
fn waits_on_channels(input: &BodyInput<'_>) -> bool {
    let body = input.body;
    subtree(body, body.root).exprs.iter().any(|&e| match &body.exprs[e] {
        Expr::Recv(_) | Expr::Send { .. } | Expr::Select { .. } => true,
        Expr::For { iter: ForIter::Array(iterated), .. } => {
            matches!(input.infer.type_of_expr(*iterated), Ty::Channel(_))
        }
        Expr::MethodCall { .. } => matches!(
            input.infer.resolutions.get(e),
            Some(Resolution::Method(m)) if m.waits()
        ),
        _ => false,
    })
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
        Ty::Io(io) => Type::Io(*io),
        Ty::Channel(elem) => Type::Channel(Box::new(lower_ty(db, elem))),
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
        Ty::Option(inner) => Type::Option(Box::new(lower_ty(db, inner))),
        Ty::Result(ok, err) => {
            Type::Result(Box::new(lower_ty(db, ok)), Box::new(lower_ty(db, err)))
        }
        Ty::Vec(elem) => Type::Vec(Box::new(lower_ty(db, elem))),
        Ty::Fn(fn_ty) => Type::Fn(
            fn_ty.params.iter().map(|p| lower_ty(db, p)).collect(),
            Box::new(lower_ty(db, &fn_ty.ret)),
        ),
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
    /// The functions and structs made besides the function being built.
    extra: &'b mut Built,
    counter: &'b mut u32,
}

impl<'a, 'b> Builder<'a, 'b> {
    fn new(
        input: &'a BodyInput<'a>,
        name: Box<str>,
        kind: FunctionKind,
        ret: Type,
        def: SourceLoc,
        extra: &'b mut Built,
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
        let at = self.input.body_offset;
        let loc = match range {
            Some(r) if end => self.rel_loc(at + u32::from(r.end()).saturating_sub(1)),
            Some(r) => self.rel_loc(at + u32::from(r.start())),
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
        let relative = self.input.source_map.exprs.get(e).map_or(0, |r| u32::from(r.start()));
        let offset = self.input.body_offset + relative;
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

    /// Ends the current block in a panic at `e`'s location.
    fn panic_at(&mut self, e: ExprId, message: Operand) {
        let loc = self.loc(e);
        self.terminate(Terminator::Panic { loc, message });
    }

    /// A runtime check: when `cond` is `panics_when`, panic at `e` with the message
    /// `message` builds (in the failing block); otherwise carry on in a new block.
    fn guard(
        &mut self,
        cond: Operand,
        panics_when: bool,
        e: ExprId,
        message: impl FnOnce(&mut Self) -> Operand,
    ) {
        let fail = self.new_block();
        let ok = self.new_block();
        let (then_block, else_block) = if panics_when { (fail, ok) } else { (ok, fail) };
        self.terminate(Terminator::Branch { cond, then_block, else_block });
        self.switch_to(fail);
        let message = message(self);
        // The panic takes the message (a temporary of the failing path only).
        self.forget(&message);
        self.panic_at(e, message);
        self.switch_to(ok);
    }

    /// `a + b` of two strings, in a new local called `name` (not registered for
    /// dropping).
    fn concat(&mut self, name: &str, a: Operand, b: Operand) -> LocalId {
        let t = self.new_local(name, Type::String);
        self.push(Stmt::Runtime { dest: Some(t), op: RtOp::StringConcat, args: vec![a, b] });
        t
    }
}
