//! `await` (a wait terminator with its cancel path; sleeps and yields awaited directly
//! become `Sleep`/`Yield`) and `go` (a synthetic async function with its captures).

use super::*;

impl<'a, 'b> Builder<'a, 'b> {
    pub(super) fn await_expr(&mut self, inner: ExprId, ty: Type) -> Val {
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

    pub(super) fn go_expr(&mut self, inner: ExprId, captures: &[vex_hir::body::LocalId]) {
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
        // Nested `go` blocks are named after the outermost function too; a `go` block is
        // defined where it is written (the current location: the `go`).
        let name = self.nested_name("go");
        self.nested_function(name.clone(), FunctionKind::Async, Type::Unit, inner, |child| {
            for &c in captures {
                child.add_param(c);
            }
        });
        // Captured values are copies the task owns; a captured future moves into it, so
        // its handle is released exactly once.
        let ops = self.captured_values(captures);
        let t = self.new_local("go", Type::Future(Box::new(Type::Unit)));
        self.push(Stmt::Call { dest: Some(Place::local(t)), func: name, args: ops.clone() });
        for op in &ops {
            self.forget(op);
        }
        self.push(Stmt::Release(Place::local(t)));
    }
}
