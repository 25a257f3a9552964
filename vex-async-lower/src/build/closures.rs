//! Function values (LANGUAGE.md §10): closures, named functions used as values, and
//! calls through a value.
//!
//! A function value is `{ code, env }` ([`Type::Fn`]); its code is a function whose
//! first parameter is the environment ([`Type::EnvPtr`]):
//! - a closure `|x| body` becomes the function `F.closureN(env, x)` (an async one goes
//!   through the coroutine transform like a `go` block) and, when it captures
//!   anything, an environment struct `F.closureN.env` holding copies of the captured
//!   locals, made where the closure is written ([`Stmt::EnvAlloc`]), with a drop
//!   function that releases them ([`FunctionKind::EnvDrop`]). The code copies the
//!   captures into locals of its own at entry (futures are moved out: a closure that
//!   holds one is called once);
//! - an async closure's code `F.closureN(env, x)` retains the environment and calls the
//!   async function `F.closureN.async(env, x)`, whose task owns that reference until it
//!   finishes (the caller may drop the closure before awaiting the future);
//! - a named function `f` used as a value is the code `f.fn(env, args…)`, which calls
//!   `f` and ignores its (NULL) environment;
//! - a call through a value ([`Stmt::CallValue`]) borrows the value, like a call of a
//!   Rust `Fn` borrows `&self`: calling a closure touches no reference count, so a
//!   closure in a loop (`v.map(f)`) costs what a C function pointer with a context
//!   argument costs.

use super::*;

impl<'a, 'b> Builder<'a, 'b> {
    /// Builds a function for code nested in this body (a `go` block, a closure), named
    /// `name`, defined where lowering is now: `params` adds its parameters to the
    /// child builder, then `root` is its body.
    pub(super) fn nested_function(
        &mut self,
        name: Box<str>,
        kind: FunctionKind,
        ret: Type,
        root: ExprId,
        params: impl FnOnce(&mut Builder<'a, '_>),
    ) {
        let mut sub = Built::default();
        let def = SourceLoc {
            file: self.def.file.clone(),
            line: self.def.line + self.cur.line,
            col: self.cur.col,
        };
        let function = {
            let mut child = Builder::new(self.input, name, kind, ret, def, &mut sub, self.counter);
            params(&mut child);
            child.lower_root(root);
            child.finish()
        };
        self.extra.functions.push(function);
        self.extra.functions.extend(sub.functions);
        self.extra.structs.extend(sub.structs);
    }

    /// A fresh name for a function nested in this body: `F.goN`, `F.closureN`.
    pub(super) fn nested_name(&mut self, what: &str) -> Box<str> {
        let name = format!("{}.{what}{}", self.input.name, *self.counter).into();
        *self.counter += 1;
        name
    }

    /// Owned copies of the captured locals, for a task or an environment: strings and
    /// other counted values are retained, futures move (the local is cleared; the move
    /// checker made sure it is not used again).
    pub(super) fn captured_values(&mut self, captures: &[vex_hir::body::LocalId]) -> Vec<Operand> {
        let locals: Vec<LocalId> =
            captures.iter().filter_map(|c| self.locals.get(c).copied()).collect();
        locals
            .into_iter()
            .map(|l| self.owned_operand(Val::Op(Operand::Copy(Place::local(l)))))
            .collect()
    }

    /// `|params| body` (or `async |params| { … }`): its code, its environment, and the
    /// function value.
    pub(super) fn closure(&mut self, e: ExprId) -> Val {
        let Expr::Closure { params, body, is_async, captures, .. } = &self.input.body.exprs[e]
        else {
            return UNIT;
        };
        let (params, body, is_async, captures) =
            (params.clone(), *body, *is_async, captures.clone());
        let fn_ty = self.ty_of(e);
        let Type::Fn(_, ret) = &fn_ty else { return UNIT };
        let (kind, ret) = match (is_async, &**ret) {
            (true, Type::Future(value)) => (FunctionKind::Async, (**value).clone()),
            _ => (FunctionKind::Sync, (**ret).clone()),
        };
        let name = self.nested_name("closure");
        let fields: Vec<(Box<str>, Type)> = captures
            .iter()
            .map(|&c| {
                let ty = lower_ty(self.input.db, self.input.infer.type_of_local(c));
                (self.input.body.locals[c].name.clone(), ty)
            })
            .collect();
        let env = (!captures.is_empty()).then(|| {
            let env: Box<str> = format!("{name}.env").into();
            let def = layout::struct_def(&env, fields.clone(), self.input.types);
            if fields.iter().any(|(_, ty)| self.needs_drop(ty)) {
                let drop = env_drop_function(&def, self.input.types, self.func.loc.clone());
                self.extra.functions.push(drop);
            }
            self.extra.structs.push(def);
            env
        });
        let env_ty = Type::EnvPtr(env.clone());
        // The function that runs the body: the code itself, or for an async closure the
        // coroutine the code starts (which owns its reference to the environment).
        let body_name: Box<str> =
            if is_async { format!("{name}.async").into() } else { name.clone() };
        self.nested_function(body_name.clone(), kind, ret.clone(), body, |child| {
            let env_local = child.new_local("env", env_ty.clone());
            child.func.params.push(env_local);
            if is_async {
                child.register(env_local);
            }
            for &p in &params {
                child.add_param(p);
            }
            // The captures become locals of the closure, copied out of the environment.
            for (i, (&c, (capture, ty))) in captures.iter().zip(&fields).enumerate() {
                let local = child.new_local(capture, ty.clone());
                let field = i as u32;
                child.push(Stmt::LoadState { dest: local, state: env_local, field });
                if ty.is_move_only(child.input.types) {
                    // A move-only capture moves out (the closure is called once): the
                    // environment keeps a cleared copy, which its drop releases safely.
                    let cleared = child.temp(ty.clone(), Rvalue::Use(Operand::local(local)));
                    child.clear_moved(&Place::local(cleared), ty);
                    let value = Operand::local(cleared);
                    child.push(Stmt::StoreState { state: env_local, field, value });
                } else if child.needs_drop(ty) {
                    child.push(Stmt::Retain(Place::local(local)));
                }
                child.locals.insert(c, local);
                child.register(local);
            }
        });
        if is_async {
            let Type::Fn(params, future) = &fn_ty else { return UNIT };
            let target = ThunkTarget::AsyncClosure(env_ty);
            let code =
                thunk_function(&name, &body_name, target, params, future, self.func.loc.clone());
            self.extra.functions.push(code);
        }
        let env = env.map(|env| {
            let values = self.captured_values(&captures);
            let env_local = self.new_local("env", Type::EnvPtr(Some(env)));
            self.push(Stmt::EnvAlloc { dest: env_local });
            for (i, value) in values.into_iter().enumerate() {
                let field = i as u32;
                self.push(Stmt::StoreState { state: env_local, field, value: value.clone() });
                self.forget(&value);
            }
            Operand::local(env_local)
        });
        let t = self.temp(fn_ty, Rvalue::FnValue { func: name, env });
        self.register_temp(t)
    }

    /// A named function (or `extern "C"` function) used as a value: the code `F.fn`,
    /// made the first time this body needs it, with no environment.
    pub(super) fn function_value(&mut self, resolution: Resolution, ty: Type) -> Val {
        let (target, kind) = match resolution {
            Resolution::Function(loc) => (function_name(self.input.db, loc), ThunkTarget::Function),
            Resolution::Extern(loc) => {
                let tree = vex_hir::item_tree::item_tree(self.input.db, loc.file);
                (tree.externs[loc.index as usize].name.clone(), ThunkTarget::Extern)
            }
            _ => return UNIT,
        };
        let Type::Fn(params, ret) = &ty else { return UNIT };
        let code: Box<str> = format!("{target}.fn").into();
        if !self.extra.functions.iter().any(|f| f.name == code) {
            let thunk = thunk_function(&code, &target, kind, params, ret, self.func.loc.clone());
            self.extra.functions.push(thunk);
        }
        let t = self.temp(ty, Rvalue::FnValue { func: code, env: None });
        self.register_temp(t)
    }

    /// `callee(args)` where `callee` is a function value (released after the call when
    /// it is a temporary).
    pub(super) fn call_value(&mut self, callee: Val, args: &[ExprId], ty: Type) -> Val {
        let callee = self.hold(callee, args);
        let args = self.exprs_owned(args);
        let result = self.call_through(callee.op(), args, ty);
        self.drop_val(callee);
        result
    }

    /// Calls the function value `callee` (borrowed) with `args` (owned, consumed).
    pub(super) fn call_through(&mut self, callee: Operand, args: Vec<Operand>, ty: Type) -> Val {
        let dest = (ty != Type::Unit).then(|| self.new_local("ret", ty));
        let call = Stmt::CallValue { dest: dest.map(Place::local), callee, args: args.clone() };
        self.push(call);
        for arg in &args {
            self.forget(arg);
        }
        match dest {
            Some(d) => self.register_temp(d),
            None => UNIT,
        }
    }
}

/// `S.drop(captures)`: releases what the environment struct `def` holds.
fn env_drop_function(def: &StructDef, types: &TypeDefs, loc: SourceLoc) -> Function {
    let mut locals = vec![LocalDecl { name: "env".into(), ty: Type::StatePtr(def.name.clone()) }];
    let mut block = Block::at(Vec::new(), Terminator::Return(None), Loc::default());
    for (i, field) in def.fields.iter().enumerate() {
        if field.ty.needs_drop(types) {
            let local = LocalId(locals.len() as u32);
            locals.push(LocalDecl { name: field.name.clone(), ty: field.ty.clone() });
            block.push(
                Stmt::LoadState { dest: local, state: LocalId(0), field: i as u32 },
                Loc::default(),
            );
            block.push(Stmt::Release(Place::local(local)), Loc::default());
        }
    }
    Function {
        name: format!("{}.drop", def.name).into(),
        kind: FunctionKind::EnvDrop { env: def.name.clone() },
        params: vec![LocalId(0)],
        ret: Type::Unit,
        locals,
        blocks: vec![block],
        loc,
    }
}

/// What the code of a function value made by [`thunk_function`] calls.
enum ThunkTarget {
    /// A Vex function, without the environment.
    Function,
    /// An `extern "C"` function, without the environment.
    Extern,
    /// The coroutine of an async closure whose environment has this type: the code
    /// retains the (borrowed) environment and passes that reference on.
    AsyncClosure(Type),
}

/// `F.fn(env, args…) = F(args…)`: the code of the named function `target` as a value;
/// or `F.closureN(env, args…) = F.closureN.async(env, args…)` for an async closure.
fn thunk_function(
    name: &str,
    target: &str,
    kind: ThunkTarget,
    params: &[Type],
    ret: &Type,
    loc: SourceLoc,
) -> Function {
    let env_ty = match &kind {
        ThunkTarget::AsyncClosure(env) => env.clone(),
        _ => Type::EnvPtr(None),
    };
    let mut locals = vec![LocalDecl { name: "env".into(), ty: env_ty.clone() }];
    for (i, ty) in params.iter().enumerate() {
        locals.push(LocalDecl { name: format!("arg{i}").into(), ty: ty.clone() });
    }
    let mut args: Vec<Operand> =
        (1..=params.len()).map(|i| Operand::local(LocalId(i as u32))).collect();
    let result = (*ret != Type::Unit).then(|| {
        locals.push(LocalDecl { name: "result".into(), ty: ret.clone() });
        LocalId(locals.len() as u32 - 1)
    });
    let dest = result.map(Place::local);
    let mut stmts = Vec::new();
    let env = LocalId(0);
    match kind {
        ThunkTarget::Function => stmts.push(Stmt::Call { dest, func: target.into(), args }),
        ThunkTarget::Extern => stmts.push(Stmt::CallExtern { dest, func: target.into(), args }),
        ThunkTarget::AsyncClosure(_) => {
            if env_ty != Type::EnvPtr(None) {
                stmts.push(Stmt::Retain(Place::local(env)));
            }
            args.insert(0, Operand::local(env));
            stmts.push(Stmt::Call { dest, func: target.into(), args });
        }
    }
    let at = Loc { line: 0, col: loc.col };
    let block = Block::at(stmts, Terminator::Return(result.map(Operand::local)), at);
    Function {
        name: name.into(),
        kind: FunctionKind::Sync,
        params: (0..=params.len()).map(|i| LocalId(i as u32)).collect(),
        ret: ret.clone(),
        locals,
        blocks: vec![block],
        loc,
    }
}
