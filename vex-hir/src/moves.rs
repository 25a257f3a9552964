//! Move checking of futures (LANGUAGE.md §6.2): a `Future` is awaited at most once.
//!
//! A local holding a future is *moved* by every use as a value (`await f`, `let g = f`,
//! passing it, returning it, capturing it in a `go` block); `cancel(f)` only looks at
//! it. Using a moved local is an error until it is assigned again. The walk follows
//! evaluation order; after a branch the local counts as moved if it is moved on any
//! path that continues, and a loop body is walked a second time from the state at the
//! end of the first pass, which finds a future moved in one iteration and used in the
//! next.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::body::{
    Body, Expr, ExprId, ForIter, FormatPiece, LocalId, Pat, PatId, SelectArmKind, Stmt,
};
use crate::builtins::Builtin;
use crate::diagnostics::Code;
use crate::infer::{HirNode, InferDiagnostic, InferenceResult, Resolution};

/// Where each moved local was moved; `None` while the code is unreachable.
type State = Option<FxHashMap<LocalId, ExprId>>;

/// Checks the future moves of one body.
pub fn check_moves(body: &Body, infer: &InferenceResult) -> Vec<InferDiagnostic> {
    let mut checker = MoveChecker {
        body,
        infer,
        state: Some(FxHashMap::default()),
        loops: Vec::new(),
        reported: FxHashSet::default(),
        diagnostics: Vec::new(),
    };
    checker.expr(body.root);
    checker.diagnostics
}

struct LoopStates {
    breaks: State,
    continues: State,
}

struct MoveChecker<'a> {
    body: &'a Body,
    infer: &'a InferenceResult,
    state: State,
    loops: Vec<LoopStates>,
    reported: FxHashSet<ExprId>,
    diagnostics: Vec<InferDiagnostic>,
}

fn union(a: State, b: State) -> State {
    match (a, b) {
        (None, s) | (s, None) => s,
        (Some(mut a), Some(b)) => {
            for (local, at) in b {
                a.entry(local).or_insert(at);
            }
            Some(a)
        }
    }
}

impl MoveChecker<'_> {
    fn is_future_local(&self, local: LocalId) -> bool {
        self.infer.type_of_local(local).contains_future()
    }

    /// A use of `local` at `expr`; `moves` when the use consumes it.
    fn use_local(&mut self, expr: ExprId, local: LocalId, moves: bool) {
        if !self.is_future_local(local) {
            return;
        }
        let Some(state) = &mut self.state else { return };
        if let Some(&moved_at) = state.get(&local) {
            if self.reported.insert(expr) {
                let name = &self.body.locals[local].name;
                let label = if moved_at == expr {
                    "moved here, in an earlier iteration of the loop".to_owned()
                } else {
                    "moved here".to_owned()
                };
                self.diagnostics.push(InferDiagnostic {
                    code: Code::UseOfMovedFuture,
                    message: format!("use of moved future `{name}`"),
                    at: HirNode::Expr(expr),
                    label: (moved_at != expr).then_some((HirNode::Expr(moved_at), label.clone())),
                    note: Some(format!(
                        "note: a future is awaited at most once; `await`, passing or copying `{name}` moves it{}",
                        if moved_at == expr { " (it is moved in every iteration of the loop)" } else { "" }
                    )),
                    fix: None,
                });
            }
        } else if moves {
            state.insert(local, expr);
        }
    }

    fn reinit(&mut self, local: LocalId) {
        if let Some(state) = &mut self.state {
            state.remove(&local);
        }
    }

    fn bind_pat(&mut self, pat: PatId) {
        match &self.body.pats[pat] {
            Pat::Bind(local) => self.reinit(*local),
            Pat::Or(pats) | Pat::Tuple(pats) => {
                for &p in pats.clone().iter() {
                    self.bind_pat(p);
                }
            }
            Pat::Variant { fields: Some(fields), .. } => {
                for &p in fields.clone().iter() {
                    self.bind_pat(p);
                }
            }
            _ => {}
        }
    }

    /// Visits a place read without moving it (the base of `x.f`, `a[i]`).
    fn place(&mut self, expr: ExprId) {
        match &self.body.exprs[expr] {
            Expr::Local(local) => self.use_local(expr, *local, false),
            Expr::Field { base, .. } | Expr::TupleField { base, .. } => self.place(*base),
            Expr::Index { base, index } => {
                let (base, index) = (*base, *index);
                self.place(base);
                self.expr(index);
            }
            _ => self.expr(expr),
        }
    }

    fn expr(&mut self, expr: ExprId) {
        crate::ensure_stack(|| self.expr_here(expr))
    }

    fn expr_here(&mut self, expr: ExprId) {
        let body = self.body;
        match &body.exprs[expr] {
            Expr::Local(local) => self.use_local(expr, *local, true),
            Expr::Missing
            | Expr::Literal(_)
            | Expr::Name(_)
            | Expr::Path { .. }
            | Expr::Unsupported(_) => {}
            Expr::Call { callee, args } => {
                let is_cancel = self.infer.resolutions.get(*callee)
                    == Some(&Resolution::Builtin(Builtin::Cancel));
                self.expr(*callee);
                for &arg in args {
                    if is_cancel {
                        self.place(arg);
                    } else {
                        self.expr(arg);
                    }
                }
            }
            Expr::MethodCall { receiver, args, .. } => {
                // A `Vec`'s and a `string`'s methods work on the receiver in place;
                // every other method takes `self` by value.
                let in_place =
                    matches!(
                        self.infer.resolutions.get(expr),
                        Some(Resolution::Method(method)) if method.works_in_place()
                    ) || matches!(self.infer.resolutions.get(expr), Some(Resolution::Field(_)));
                if in_place {
                    self.place(*receiver);
                } else {
                    self.expr(*receiver);
                }
                for &arg in args {
                    self.expr(arg);
                }
            }
            Expr::Field { .. } | Expr::TupleField { .. } | Expr::Index { .. } => self.place(expr),
            Expr::Unary { expr: operand, .. } | Expr::Cast { expr: operand, .. } => {
                self.expr(*operand)
            }
            Expr::Await(operand) | Expr::Try(operand) | Expr::Recv(operand) => self.expr(*operand),
            Expr::Send { channel, value } => {
                self.expr(*channel);
                self.expr(*value);
            }
            Expr::Select { arms } => {
                // The channels, values to send and durations are evaluated when the
                // select starts, in arm order; then one arm runs (like a `match`).
                for arm in arms {
                    match &arm.kind {
                        SelectArmKind::Recv { channel, .. } => self.expr(*channel),
                        SelectArmKind::Send { channel, value } => {
                            self.expr(*channel);
                            self.expr(*value);
                        }
                        SelectArmKind::After(ms) => self.expr(*ms),
                        SelectArmKind::Default => {}
                    }
                }
                let start = self.state.clone();
                let mut end: State = None;
                for arm in arms {
                    self.state = start.clone();
                    if let SelectArmKind::Recv { binding: Some(binding), .. } = &arm.kind {
                        self.bind_pat(*binding);
                    }
                    self.expr(arm.body);
                    end = union(end, self.state.take());
                }
                self.state = if arms.is_empty() { None } else { end };
            }
            Expr::Let { pat, expr: value } => {
                // Like a `match` arm: the value is looked at in place, bindings take
                // what they bind.
                self.place(*value);
                self.bind_pat(*pat);
            }
            Expr::Binary { lhs, rhs, .. } => {
                self.expr(*lhs);
                self.expr(*rhs);
            }
            Expr::Assign { op, place, value } => {
                self.expr(*value);
                match (&body.exprs[*place], op) {
                    (Expr::Local(local), None) => self.reinit(*local),
                    _ => self.place(*place),
                }
            }
            Expr::If { cond, then_branch, else_branch } => {
                self.expr(*cond);
                let start = self.state.clone();
                self.expr(*then_branch);
                let after_then = std::mem::replace(&mut self.state, start);
                if let Some(else_branch) = else_branch {
                    self.expr(*else_branch);
                }
                let after_else = self.state.take();
                self.state = union(after_then, after_else);
            }
            Expr::Match { scrutinee, arms } => {
                self.place(*scrutinee);
                let start = self.state.clone();
                let mut end: State = None;
                for arm in arms {
                    self.state = start.clone();
                    self.bind_pat(arm.pat);
                    if let Some(guard) = arm.guard {
                        self.expr(guard);
                    }
                    self.expr(arm.expr);
                    end = union(end, self.state.take());
                }
                self.state = if arms.is_empty() { start } else { end };
            }
            Expr::While { cond, body: loop_body, .. } => {
                let (cond, loop_body) = (*cond, *loop_body);
                self.in_loop(|this| {
                    this.expr(cond);
                    let exit = this.state.clone();
                    this.expr(loop_body);
                    exit
                });
            }
            Expr::Loop { body: loop_body, .. } => {
                let loop_body = *loop_body;
                self.in_loop(|this| {
                    this.expr(loop_body);
                    None
                });
            }
            Expr::For { pat, iter, body: loop_body, .. } => {
                match iter {
                    ForIter::Range { start, end, .. } => {
                        self.expr(*start);
                        self.expr(*end);
                    }
                    ForIter::Array(array) => self.expr(*array),
                }
                let (pat, loop_body) = (*pat, *loop_body);
                self.in_loop(|this| {
                    let exit = this.state.clone();
                    this.bind_pat(pat);
                    this.expr(loop_body);
                    exit
                });
            }
            Expr::Break { value, .. } => {
                if let Some(value) = value {
                    self.expr(*value);
                }
                let state = self.state.take();
                if let Some(target) = self.loops.last_mut() {
                    target.breaks = union(target.breaks.take(), state);
                }
            }
            Expr::Continue { .. } => {
                let state = self.state.take();
                if let Some(target) = self.loops.last_mut() {
                    target.continues = union(target.continues.take(), state);
                }
            }
            Expr::Return(value) => {
                if let Some(value) = value {
                    self.expr(*value);
                }
                self.state = None;
            }
            Expr::Block { stmts, tail } => {
                for &stmt in stmts {
                    match &body.stmts[stmt] {
                        Stmt::Let { pat, init, .. } => {
                            if let Some(init) = init {
                                self.expr(*init);
                            }
                            self.bind_pat(*pat);
                        }
                        Stmt::Expr(e) => self.expr(*e),
                    }
                }
                if let Some(tail) = tail {
                    self.expr(*tail);
                }
            }
            Expr::Tuple(elems) | Expr::Array(elems) => {
                for &e in elems {
                    self.expr(e);
                }
            }
            Expr::ArrayRepeat { value, .. } => self.expr(*value),
            Expr::StructLit { fields, .. } => {
                for &(_, value) in fields {
                    self.expr(value);
                }
            }
            Expr::Format(pieces) => {
                for piece in pieces {
                    if let FormatPiece::Value(value) = piece {
                        self.expr(*value);
                    }
                }
            }
            Expr::Go { body: go_body, captures } => {
                for &local in captures {
                    self.use_local(expr, local, true);
                }
                // The task runs on copies of the captures: its own moves are checked
                // from a fresh state and do not affect the spawner.
                let saved = self.state.replace(FxHashMap::default());
                let saved_loops = std::mem::take(&mut self.loops);
                self.expr(*go_body);
                self.loops = saved_loops;
                self.state = saved;
            }
            Expr::Closure { body: closure_body, captures, .. } => {
                // Move-only captures move into the closure; its body runs later, on
                // its copies, as a function of its own.
                for &local in captures {
                    self.use_local(expr, local, true);
                }
                let saved = self.state.replace(FxHashMap::default());
                let saved_loops = std::mem::take(&mut self.loops);
                self.expr(*closure_body);
                self.loops = saved_loops;
                self.state = saved;
            }
            Expr::Defer(deferred) => {
                // Runs at exit; checked against the state here, without effect on it.
                let saved = self.state.clone();
                self.expr(*deferred);
                self.state = saved;
            }
        }
        if self.infer.type_of_expr(expr) == &crate::ty::Ty::Never {
            self.state = None;
        }
    }

    /// Walks a loop twice; `iteration` walks one iteration and returns the state in which
    /// the loop exits normally (`None` for `loop`).
    fn in_loop(&mut self, mut iteration: impl FnMut(&mut Self) -> State) {
        let entry = self.state.clone();
        self.loops.push(LoopStates { breaks: None, continues: None });
        let first_exit = iteration(self);
        let first_end = self.state.take();
        let continues = self.loops.last_mut().and_then(|l| l.continues.take());
        self.state = union(union(entry, first_end), continues);
        let second_exit = iteration(self);
        self.state = None;
        let states = self.loops.pop().map(|l| l.breaks).unwrap_or(None);
        self.state = union(union(first_exit, second_exit), states);
    }
}
