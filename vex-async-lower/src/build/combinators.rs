//! The future combinators (LANGUAGE.md §12).
//!
//! `join`, `joinAll`, `race`, `raceAll`, `timeout` and `ready` are runtime tasks
//! ([`RtOp::Join`] …): the futures move into them and the call returns the
//! combinator's future. `f.map(g)` and `f.then(g)` call a function value, so they are
//! small async functions of their own, made per call site like a `go` block:
//!
//! ```text
//! async fn F.mapN(f: Future<T>, g: fn(T): U): U { g(await f) }
//! async fn F.thenN(f: Future<T>, g: fn(T): Future<U>): U { await g(await f) }
//! ```
//!
//! whose awaits give them the cancellation rules of §12 (an input cancelled cancels the
//! combinator; cancelling the combinator cancels the future it awaits, §6.7).
//! `f.isReady()` asks the runtime without consuming `f`.

use super::*;

impl<'a, 'b> Builder<'a, 'b> {
    /// `join(…)`, `joinAll(v)`, `race(…)`, `raceAll(v)`, `timeout(f, ms)`, `ready(x)`.
    pub(super) fn combinator_call(
        &mut self,
        e: ExprId,
        builtin: Builtin,
        args: &[ExprId],
        ty: Type,
    ) -> Val {
        let ops = self.exprs_owned(args);
        let op = match builtin {
            Builtin::Join => RtOp::Join,
            Builtin::JoinAll => RtOp::JoinAll,
            Builtin::Race => RtOp::Race,
            Builtin::RaceAll => RtOp::RaceAll,
            Builtin::Timeout => RtOp::Timeout,
            _ => RtOp::ReadyFuture,
        };
        if op == RtOp::RaceAll
            && let Some(v) = ops.first()
        {
            let len = self.vec_len(v.clone());
            let zero = Operand::int(0, IntTy::I64);
            let empty = self.temp(Type::Bool, Rvalue::Binary(BinOp::Eq, Operand::local(len), zero));
            self.guard(Operand::local(empty), true, e, |_| Operand::str("raceAll of an empty Vec"));
        }
        // The inputs move into the combinator.
        for op in &ops {
            self.forget(op);
        }
        self.runtime_value(op, ops, ty)
    }

    /// `f.isReady()`, `f.map(g)`, `f.then(g)`.
    pub(super) fn future_method(
        &mut self,
        method: BuiltinMethod,
        receiver: ExprId,
        args: &[ExprId],
        ty: Type,
    ) -> Val {
        if method == BuiltinMethod::FutureIsReady {
            let f = self.expr(receiver);
            let ready = self.new_local("ready", Type::Bool);
            self.push(Stmt::Runtime {
                dest: Some(ready),
                op: RtOp::FutureIsReady,
                args: vec![f.op()],
            });
            self.drop_val(f);
            return Val::Op(Operand::local(ready));
        }
        let mut all = vec![receiver];
        all.extend_from_slice(args);
        let ops = self.exprs_owned(&all);
        let input_ty = self.operand_ty(&ops[0]);
        let fn_ty = ops.get(1).map_or(Type::Unit, |g| self.operand_ty(g));
        let then = method == BuiltinMethod::FutureThen;
        let name = self.nested_name(if then { "then" } else { "map" });
        let result = match &ty {
            Type::Future(result) => (**result).clone(),
            _ => Type::Unit,
        };
        let function =
            future_step_function(&name, input_ty, fn_ty, result, then, self.func.loc.clone());
        self.extra.functions.push(function);
        let dest = self.new_local("combined", ty);
        self.push(Stmt::Call { dest: Some(Place::local(dest)), func: name, args: ops.clone() });
        for op in &ops {
            self.forget(op);
        }
        self.register_temp(dest)
    }
}

/// `async fn name(f: Future<T>, g: fn(T): R): U`, where `U` is `R` (`map`) or the
/// value of the future `R` (`then`).
fn future_step_function(
    name: &str,
    input_ty: Type,
    fn_ty: Type,
    result: Type,
    then: bool,
    loc: SourceLoc,
) -> Function {
    let value_ty = match &input_ty {
        Type::Future(t) => (**t).clone(),
        _ => Type::Unit,
    };
    let called_ty = match &fn_ty {
        Type::Fn(_, ret) => (**ret).clone(),
        _ => Type::Unit,
    };
    let mut locals = vec![
        LocalDecl { name: "f".into(), ty: input_ty },
        LocalDecl { name: "g".into(), ty: fn_ty.clone() },
    ];
    let mut local = |name: &str, ty: Type| {
        locals.push(LocalDecl { name: name.into(), ty });
        LocalId(locals.len() as u32 - 1)
    };
    let (f, g) = (LocalId(0), LocalId(1));
    let value = (value_ty != Type::Unit).then(|| local("value", value_ty));
    let called = (called_ty != Type::Unit).then(|| local("called", called_ty));
    let output = (then && result != Type::Unit).then(|| local("output", result.clone()));
    let at = Loc { line: 0, col: loc.col };
    // bb0: await f; bb1: call g, release it; then: bb2 awaits its future; the cancel
    // paths release g while it is still held.
    let mut blocks = Vec::new();
    let cancel_holding_g = BlockId(if then { 3 } else { 2 });
    blocks.push(Block::at(
        Vec::new(),
        Terminator::Await {
            future: Operand::local(f),
            dest: value,
            next: BlockId(1),
            cancel: cancel_holding_g,
        },
        at,
    ));
    let arg = match (value, &fn_ty) {
        (Some(v), _) => vec![Operand::local(v)],
        // A `Future<()>`'s value is `()`, still passed to a one-parameter function.
        (None, Type::Fn(params, _)) if params.len() == 1 => vec![Operand::Const(Const::Unit)],
        (None, _) => Vec::new(),
    };
    let call =
        Stmt::CallValue { dest: called.map(Place::local), callee: Operand::local(g), args: arg };
    let release_g = Stmt::Release(Place::local(g));
    if then {
        let future = called.unwrap_or(LocalId(0));
        blocks.push(Block::at(
            vec![call, release_g.clone()],
            Terminator::Await {
                future: Operand::local(future),
                dest: output,
                next: BlockId(2),
                cancel: BlockId(4),
            },
            at,
        ));
        blocks.push(Block::at(Vec::new(), Terminator::Return(output.map(Operand::local)), at));
    } else {
        blocks.push(Block::at(
            vec![call, release_g.clone()],
            Terminator::Return(called.map(Operand::local)),
            at,
        ));
    }
    blocks.push(Block::at(vec![release_g], Terminator::CancelExit, at));
    if then {
        blocks.push(Block::at(Vec::new(), Terminator::CancelExit, at));
    }
    Function {
        name: name.into(),
        kind: FunctionKind::Async,
        params: vec![f, g],
        ret: result,
        locals,
        blocks,
        loc,
    }
}
