//! The IR validator: run by every test after every pass.
//!
//! It checks that blocks and locals referenced exist, that every statement and
//! terminator is well typed, that every local is defined on every path before it is
//! read (a forward must-be-initialised dataflow), that wait terminators appear only in
//! `async` functions before the transform, and — with [`Stage::Transformed`] — that none
//! is left, and that nothing follows an `exit`. It reports every problem found, never
//! panics.

use std::fmt::Display;

use rustc_hash::FxHashMap;

use super::*;

/// Which stage the module is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Straight out of `build`: async functions still have wait terminators.
    Built,
    /// After the coroutine transform: no wait terminators, no `CancelExit`.
    Transformed,
}

/// A problem found by the validator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The function.
    pub function: String,
    /// What is wrong, with the block.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "in {}: {}", self.function, self.message)
    }
}

/// Signatures of callable functions: name → (params, result as seen by a caller).
pub type Signatures = FxHashMap<Name, (Vec<Type>, Type)>;

/// The caller-visible signature of each function of a module (an async function's
/// call returns its future).
pub fn signatures(module: &Module) -> Signatures {
    let mut out = FxHashMap::default();
    for function in &module.functions {
        let params = function.params.iter().map(|p| function.local_ty(*p).clone()).collect();
        let ret = match function.kind {
            FunctionKind::Async => Type::Future(Box::new(function.ret.clone())),
            _ => function.ret.clone(),
        };
        out.insert(function.name.clone(), (params, ret));
    }
    out
}

/// Validates a whole module.
pub fn validate_module(module: &Module, stage: Stage) -> Result<(), Vec<ValidationError>> {
    let types = module.type_defs();
    let sigs = signatures(module);
    let externs: FxHashMap<Name, (Vec<Type>, Type)> = module
        .externs
        .iter()
        .map(|e| (e.name.clone(), (e.params.clone(), e.ret.clone())))
        .collect();
    let mut errors = Vec::new();
    for function in &module.functions {
        errors.extend(validate_function(function, &types, Some(&sigs), &externs, stage));
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Validates one function. Calls are checked against `sigs` when given.
pub fn validate_function(
    function: &Function,
    types: &TypeDefs,
    sigs: Option<&Signatures>,
    externs: &FxHashMap<Name, (Vec<Type>, Type)>,
    stage: Stage,
) -> Vec<ValidationError> {
    let mut v = Validator { function, types, sigs, externs, stage, errors: Vec::new() };
    v.run();
    v.errors
}

struct Validator<'a> {
    function: &'a Function,
    types: &'a TypeDefs,
    sigs: Option<&'a Signatures>,
    externs: &'a FxHashMap<Name, (Vec<Type>, Type)>,
    stage: Stage,
    errors: Vec<ValidationError>,
}

impl Validator<'_> {
    fn error(&mut self, block: usize, message: String) {
        self.errors.push(ValidationError {
            function: self.function.name.to_string(),
            message: format!("bb{block}: {message}"),
        });
    }

    fn run(&mut self) {
        let f = self.function;
        if f.blocks.is_empty() {
            self.error(0, "function has no blocks".into());
            return;
        }
        for p in &f.params {
            if p.index() >= f.locals.len() {
                self.error(0, format!("parameter {p} is not a local"));
                return;
            }
        }
        for (i, block) in f.blocks.iter().enumerate() {
            if block.locs.len() != block.stmts.len() {
                self.error(
                    i,
                    format!("{} statements but {} locations", block.stmts.len(), block.locs.len()),
                );
            }
            for stmt in &block.stmts {
                self.check_stmt(i, stmt);
            }
            // `exit` does not return: nothing may follow it.
            let exits =
                block.stmts.iter().position(|s| matches!(s, Stmt::Runtime { op: RtOp::Exit, .. }));
            if let Some(at) = exits
                && (at + 1 != block.stmts.len() || block.term != Terminator::Unreachable)
            {
                self.error(i, "`exit` is not the last statement before `unreachable`".into());
            }
            self.check_terminator(i, &block.term);
        }
        if self.errors.is_empty() {
            self.check_definitions();
        }
    }

    fn local_ty(&mut self, block: usize, local: LocalId) -> Option<Type> {
        match self.function.locals.get(local.index()) {
            Some(decl) => Some(decl.ty.clone()),
            None => {
                self.error(block, format!("unknown local {local}"));
                None
            }
        }
    }

    fn place_ty(&mut self, block: usize, place: &Place) -> Option<Type> {
        let mut ty = self.local_ty(block, place.local)?;
        for proj in &place.proj {
            if let Proj::Index(index) | Proj::Elem(index) = proj
                && self.local_ty(block, *index)?.int().is_none()
            {
                self.error(block, format!("index {index} of {place} is not an integer"));
            }
            match self.types.project(&ty, proj) {
                Some(next) => ty = next,
                None => {
                    self.error(block, format!("bad projection in {place}"));
                    return None;
                }
            }
        }
        Some(ty)
    }

    fn operand_ty(&mut self, block: usize, op: &Operand) -> Option<Type> {
        match op {
            Operand::Copy(place) => self.place_ty(block, place),
            Operand::Const(c) => Some(c.ty()),
        }
    }

    fn expect(&mut self, block: usize, what: &dyn Display, found: Option<Type>, want: &Type) {
        if let Some(found) = found
            && &found != want
        {
            self.error(block, format!("{what}: expected {want}, found {found}"));
        }
    }

    fn rvalue_ty(&mut self, block: usize, rvalue: &Rvalue) -> Option<Type> {
        Some(match rvalue {
            Rvalue::Use(op) => self.operand_ty(block, op)?,
            Rvalue::Unary(op, a) => {
                let ty = self.operand_ty(block, a)?;
                let ok = match op {
                    UnOp::Neg => matches!(ty, Type::Int(_) | Type::Float(_)),
                    UnOp::Not => matches!(ty, Type::Int(_) | Type::Bool),
                };
                if !ok {
                    self.error(block, format!("{rvalue}: operand of type {ty}"));
                }
                ty
            }
            Rvalue::Binary(op, a, b) => {
                let ta = self.operand_ty(block, a)?;
                let tb = self.operand_ty(block, b)?;
                let ok = match op {
                    BinOp::Shl | BinOp::Shr => ta.int().is_some() && tb.int().is_some(),
                    BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                        ta == tb && matches!(ta, Type::Int(_) | Type::Float(_))
                    }
                    BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
                        ta == tb && matches!(ta, Type::Int(_) | Type::Bool)
                    }
                    _ => ta == tb && matches!(ta, Type::Int(_) | Type::Float(_) | Type::Bool),
                };
                if !ok {
                    self.error(block, format!("{rvalue}: operands of types {ta} and {tb}"));
                }
                if op.is_comparison() { Type::Bool } else { ta }
            }
            Rvalue::Cast(a, ty) => {
                let from = self.operand_ty(block, a)?;
                let numeric = |t: &Type| matches!(t, Type::Int(_) | Type::Float(_));
                if !(numeric(&from) && numeric(ty)) {
                    self.error(block, format!("{rvalue}: cast from {from}"));
                }
                ty.clone()
            }
            Rvalue::Aggregate(kind, ops) => {
                let tys: Vec<Option<Type>> =
                    ops.iter().map(|o| self.operand_ty(block, o)).collect();
                match kind {
                    AggregateKind::Tuple => Type::Tuple(tys.into_iter().collect::<Option<_>>()?),
                    AggregateKind::Array(elem) => {
                        for t in tys {
                            self.expect(block, rvalue, t, elem);
                        }
                        Type::Array(Box::new(elem.clone()), ops.len() as u64)
                    }
                    AggregateKind::Struct(name) => {
                        let fields: Vec<Type> = match self.types.structs.get(name) {
                            Some(def) => def.fields.iter().map(|f| f.ty.clone()).collect(),
                            None => {
                                self.error(block, format!("unknown struct {name}"));
                                return None;
                            }
                        };
                        self.expect_list(block, rvalue, tys, &fields);
                        Type::Struct(name.clone())
                    }
                    AggregateKind::Variant(ty, v) => {
                        let variants = self.types.variants(ty).unwrap_or_default();
                        let Some(fields) = variants.get(*v as usize) else {
                            self.error(block, format!("unknown variant {ty}#{v}"));
                            return None;
                        };
                        self.expect_list(block, rvalue, tys, fields);
                        ty.clone()
                    }
                }
            }
            Rvalue::Repeat(op, n) => Type::Array(Box::new(self.operand_ty(block, op)?), *n),
            Rvalue::Discriminant(place) => {
                let ty = self.place_ty(block, place)?;
                if self.types.variants(&ty).is_none() {
                    self.error(block, format!("{rvalue}: not an enum"));
                }
                Type::Int(layout::ENUM_TAG)
            }
            Rvalue::FnValue { func, env } => {
                let env_ty = match env {
                    Some(env) => self.operand_ty(block, env)?,
                    None => Type::EnvPtr(None),
                };
                let sigs = self.sigs?;
                let Some((params, ret)) = sigs.get(func).cloned() else {
                    self.error(block, format!("{rvalue}: unknown function {func}"));
                    return None;
                };
                match params.split_first() {
                    Some((first @ Type::EnvPtr(_), rest)) => {
                        if env.is_some() && *first != env_ty {
                            self.error(
                                block,
                                format!("{rvalue}: environment {env_ty}, code wants {first}"),
                            );
                        }
                        Type::Fn(rest.to_vec(), Box::new(ret))
                    }
                    _ => {
                        self.error(block, format!("{rvalue}: {func} takes no environment"));
                        return None;
                    }
                }
            }
        })
    }

    fn expect_list(
        &mut self,
        block: usize,
        what: &dyn Display,
        found: Vec<Option<Type>>,
        want: &[Type],
    ) {
        if found.len() != want.len() {
            self.error(block, format!("{what}: {} operands, expected {}", found.len(), want.len()));
            return;
        }
        for (f, w) in found.into_iter().zip(want) {
            self.expect(block, what, f, w);
        }
    }

    fn check_dest(&mut self, block: usize, stmt: &Stmt, dest: Option<&Place>, ret: &Type) {
        if let Some(place) = dest {
            let ty = self.place_ty(block, place);
            self.expect(block, stmt, Some(ret.clone()), &ty.unwrap_or(ret.clone()));
        }
    }

    fn check_stmt(&mut self, block: usize, stmt: &Stmt) {
        match stmt {
            Stmt::Assign(place, rvalue) => {
                let want = self.place_ty(block, place);
                let found = self.rvalue_ty(block, rvalue);
                if let Some(want) = want {
                    self.expect(block, stmt, found, &want);
                }
            }
            Stmt::Call { dest, func, args } => {
                let tys: Vec<Option<Type>> =
                    args.iter().map(|a| self.operand_ty(block, a)).collect();
                if let Some(sigs) = self.sigs {
                    match sigs.get(func) {
                        Some((params, ret)) => {
                            let (params, ret) = (params.clone(), ret.clone());
                            self.expect_list(block, stmt, tys, &params);
                            self.check_dest(block, stmt, dest.as_ref(), &ret);
                        }
                        None => self.error(block, format!("{stmt}: unknown function")),
                    }
                }
            }
            Stmt::CallExtern { dest, func, args } => {
                let tys: Vec<Option<Type>> =
                    args.iter().map(|a| self.operand_ty(block, a)).collect();
                match self.externs.get(func) {
                    Some((params, ret)) => {
                        let (params, ret) = (params.clone(), ret.clone());
                        self.expect_list(block, stmt, tys, &params);
                        self.check_dest(block, stmt, dest.as_ref(), &ret);
                    }
                    None => self.error(block, format!("{stmt}: unknown extern")),
                }
            }
            Stmt::Runtime { dest, op, args } => {
                let tys: Vec<Option<Type>> =
                    args.iter().map(|a| self.operand_ty(block, a)).collect();
                let ret = match op {
                    RtOp::FutureCancel | RtOp::FuturePollOrRegister => {
                        if tys.len() != 1 || !matches!(tys[0], Some(Type::Future(_)) | None) {
                            self.error(block, format!("{stmt}: expects one future"));
                        }
                        if *op == RtOp::FutureCancel { Type::Unit } else { Type::Bool }
                    }
                    RtOp::TaskSpawn => {
                        let ret = match self.function.kind.clone() {
                            FunctionKind::Wrapper { .. } => Type::Future(Box::new(Type::Unit)),
                            _ => {
                                self.error(block, format!("{stmt}: spawn outside a wrapper"));
                                Type::Unit
                            }
                        };
                        if tys.len() != 1 || !matches!(tys[0], Some(Type::StatePtr(_)) | None) {
                            self.error(block, format!("{stmt}: expects a state pointer"));
                        }
                        // The future's value type is the wrapper's.
                        match &self.function.ret {
                            Type::Future(_) => self.function.ret.clone(),
                            _ => ret,
                        }
                    }
                    RtOp::DeferPush => {
                        // The captures are any type: the site's tuple.
                        let (params, ret) = op.signature();
                        if tys.len() != 3 {
                            self.error(block, format!("{stmt}: expects list, site, captures"));
                        } else {
                            self.expect_list(block, stmt, tys[..2].to_vec(), &params);
                        }
                        ret
                    }
                    RtOp::DeferTake => {
                        let (params, _) = op.signature();
                        self.expect_list(block, stmt, tys, &params);
                        if dest.is_none() {
                            self.error(block, format!("{stmt}: takes into nothing"));
                        }
                        dest.and_then(|d| self.local_ty(block, d)).unwrap_or(Type::Unit)
                    }
                    op if op.is_generic() => {
                        let Some(ret) = self.generic_runtime(block, stmt, *op, &tys) else {
                            return;
                        };
                        ret
                    }
                    RtOp::TaskSetDropResult => {
                        if !matches!(self.function.kind, FunctionKind::Wrapper { .. }) {
                            self.error(block, format!("{stmt}: outside a wrapper"));
                        }
                        if tys.len() != 1 || !matches!(tys[0], Some(Type::StatePtr(_)) | None) {
                            self.error(block, format!("{stmt}: expects a state pointer"));
                        }
                        Type::Unit
                    }
                    _ => {
                        let (params, ret) = op.signature();
                        self.expect_list(block, stmt, tys, &params);
                        ret
                    }
                };
                if let Some(dest) = dest {
                    let ty = self.local_ty(block, *dest);
                    if let Some(ty) = ty {
                        self.expect(block, stmt, Some(ret), &ty);
                    }
                }
            }
            Stmt::Retain(place) | Stmt::Release(place) => {
                if let Some(ty) = self.place_ty(block, place)
                    && !ty.needs_drop(self.types)
                {
                    self.error(block, format!("{stmt}: type {ty} holds no references"));
                }
            }
            Stmt::TakeFuture { outcome, future, result } => {
                let fty = self.operand_ty(block, future);
                let oty = self.local_ty(block, *outcome);
                self.expect(block, stmt, oty, &Type::Int(IntTy::I32));
                match fty {
                    Some(Type::Future(inner)) => {
                        if let Some(result) = result {
                            let rty = self.local_ty(block, *result);
                            self.expect(block, stmt, rty, &inner);
                        }
                    }
                    Some(other) => self.error(block, format!("{stmt}: takes a {other}")),
                    None => {}
                }
            }
            Stmt::LoadState { dest, state, field } => {
                let fty = self.state_field(block, *state, *field);
                let dty = self.local_ty(block, *dest);
                if let Some(fty) = fty {
                    self.expect(block, stmt, dty, &fty);
                }
            }
            Stmt::StoreState { state, field, value } => {
                let fty = self.state_field(block, *state, *field);
                let vty = self.operand_ty(block, value);
                if let Some(fty) = fty {
                    self.expect(block, stmt, vty, &fty);
                }
            }
            Stmt::TaskAlloc { dest } => {
                let ty = self.local_ty(block, *dest);
                match &self.function.kind {
                    FunctionKind::Wrapper { state, .. } => {
                        let want = Type::StatePtr(state.clone());
                        self.expect(block, stmt, ty, &want);
                    }
                    _ => self.error(block, format!("{stmt}: allocation outside a wrapper")),
                }
            }
            Stmt::CallValue { dest, callee, args } => {
                let tys: Vec<Option<Type>> =
                    args.iter().map(|a| self.operand_ty(block, a)).collect();
                match self.operand_ty(block, callee) {
                    Some(Type::Fn(params, ret)) => {
                        self.expect_list(block, stmt, tys, &params);
                        self.check_dest(block, stmt, dest.as_ref(), &ret);
                    }
                    Some(other) => self.error(block, format!("{stmt}: calls a {other}")),
                    None => {}
                }
            }
            Stmt::EnvAlloc { dest } => match self.local_ty(block, *dest) {
                Some(Type::EnvPtr(Some(name))) if self.types.structs.contains_key(&name) => {}
                Some(other) => {
                    self.error(block, format!("{stmt}: allocates into a {other}"));
                }
                None => {}
            },
            Stmt::Update { place, op, args, dest } => {
                let Some(ty) = self.place_ty(block, place) else { return };
                let tys: Vec<Option<Type>> =
                    args.iter().map(|a| self.operand_ty(block, a)).collect();
                let (params, result) = match (op, &ty) {
                    (UpdateOp::StrAppend, Type::String) => (vec![Type::String], None),
                    (UpdateOp::VecPush, Type::Vec(elem)) => (vec![(**elem).clone()], None),
                    (UpdateOp::VecPop, Type::Vec(elem)) => (Vec::new(), Some((**elem).clone())),
                    (UpdateOp::VecSort, Type::Vec(elem))
                        if matches!(
                            **elem,
                            Type::Int(_) | Type::Float(_) | Type::Bool | Type::String
                        ) =>
                    {
                        (Vec::new(), None)
                    }
                    (
                        UpdateOp::VecClear | UpdateOp::VecReverse | UpdateOp::VecMakeUnique,
                        Type::Vec(_),
                    ) => (Vec::new(), None),
                    _ => {
                        self.error(block, format!("{stmt}: {} of a {ty}", op.name()));
                        return;
                    }
                };
                self.expect_list(block, stmt, tys, &params);
                match (dest, result) {
                    (Some(dest), Some(want)) => {
                        let found = self.local_ty(block, *dest);
                        self.expect(block, stmt, found, &want);
                    }
                    (None, None) => {}
                    _ => self.error(block, format!("{stmt}: wrong destination")),
                }
            }
        }
    }

    /// The result type of a runtime operation whose types depend on an element type.
    fn generic_runtime(
        &mut self,
        block: usize,
        stmt: &Stmt,
        op: RtOp,
        tys: &[Option<Type>],
    ) -> Option<Type> {
        let Stmt::Runtime { dest, .. } = stmt else { return None };
        let dest_ty = dest.and_then(|d| self.local_ty(block, d));
        let i64_ty = Type::Int(IntTy::I64);
        match (op, tys) {
            (RtOp::VecWithCapacity, [count]) => {
                self.expect(block, stmt, count.clone(), &i64_ty);
                match dest_ty {
                    Some(ty @ Type::Vec(_)) => Some(ty),
                    _ => {
                        self.error(block, format!("{stmt}: makes a vector into a non-vector"));
                        None
                    }
                }
            }
            (RtOp::VecFromArray, [Some(Type::Array(elem, _))]) => Some(Type::Vec(elem.clone())),
            (RtOp::VecLen, [Some(Type::Vec(_))]) => Some(i64_ty),
            (RtOp::VecSlice, [Some(vec @ Type::Vec(_)), from, to]) => {
                self.expect(block, stmt, from.clone(), &i64_ty);
                self.expect(block, stmt, to.clone(), &i64_ty);
                Some(vec.clone())
            }
            (RtOp::ChanNew, [cap]) => {
                self.expect(block, stmt, cap.clone(), &i64_ty);
                match dest_ty {
                    Some(ty @ Type::Channel(_)) => Some(ty),
                    _ => {
                        self.error(block, format!("{stmt}: makes a channel into a non-channel"));
                        None
                    }
                }
            }
            (
                RtOp::ChanSend
                | RtOp::ChanSendResume
                | RtOp::ChanRecv
                | RtOp::ChanRecvResume
                | RtOp::ChanTrySend
                | RtOp::ChanTryRecv,
                [Some(Type::Channel(elem)), Some(Type::Waiter(slot))],
            ) => {
                if elem != slot {
                    self.error(block, format!("{stmt}: a waiter for another element type"));
                }
                Some(op.signature().1)
            }
            (
                RtOp::ChanClose | RtOp::ChanLen | RtOp::ChanCap | RtOp::ChanIsClosed,
                [Some(Type::Channel(_))],
            ) => Some(op.signature().1),
            (RtOp::Join, futures) => {
                let results: Option<Vec<Type>> = futures
                    .iter()
                    .map(|f| match f {
                        Some(Type::Future(t)) => Some((**t).clone()),
                        _ => None,
                    })
                    .collect();
                match (results, dest_ty) {
                    (Some(results), Some(Type::Future(tuple)))
                        if *tuple == Type::Tuple(results.clone())
                            || (results.len() == 1 && *tuple == results[0]) =>
                    {
                        Some(Type::Future(tuple))
                    }
                    _ => {
                        self.error(block, format!("{stmt}: joins futures into another type"));
                        None
                    }
                }
            }
            (RtOp::Race, [first, rest @ ..]) => {
                let Some(ty @ Type::Future(_)) = first.clone() else {
                    self.error(block, format!("{stmt}: races a non-future"));
                    return None;
                };
                for other in rest {
                    self.expect(block, stmt, other.clone(), &ty);
                }
                Some(ty)
            }
            (RtOp::JoinAll, [Some(Type::Vec(elem))]) => match &**elem {
                Type::Future(t) => Some(Type::Future(Box::new(Type::Vec(t.clone())))),
                _ => {
                    self.error(block, format!("{stmt}: joins a vector of non-futures"));
                    None
                }
            },
            (RtOp::RaceAll, [Some(Type::Vec(elem))]) => match &**elem {
                ty @ Type::Future(_) => Some(ty.clone()),
                _ => {
                    self.error(block, format!("{stmt}: races a vector of non-futures"));
                    None
                }
            },
            (RtOp::Timeout, [Some(Type::Future(t)), ms]) => {
                self.expect(block, stmt, ms.clone(), &i64_ty);
                Some(Type::Future(Box::new(Type::Option(t.clone()))))
            }
            (RtOp::ReadyFuture, [Some(value)]) => Some(Type::Future(Box::new(value.clone()))),
            (RtOp::FutureIsReady, [Some(Type::Future(_))]) => Some(Type::Bool),
            (RtOp::IoClose, [Some(Type::Io(io))]) if *io != IoTy::Error => Some(Type::Unit),
            (
                RtOp::SelectStart | RtOp::SelectResume,
                [Some(Type::Select(n)), after, has_default, arms @ ..],
            ) => {
                self.expect(block, stmt, after.clone(), &i64_ty);
                self.expect(block, stmt, has_default.clone(), &Type::Bool);
                if arms.len() != 3 * *n as usize {
                    self.error(block, format!("{stmt}: {n} arms need {} operands", 3 * n));
                }
                for arm in arms.chunks(3) {
                    let [Some(Type::Channel(elem)), Some(Type::Waiter(slot)), kind] = arm else {
                        self.error(block, format!("{stmt}: an arm is channel, waiter, kind"));
                        continue;
                    };
                    if elem != slot {
                        self.error(block, format!("{stmt}: a waiter for another element type"));
                    }
                    self.expect(block, stmt, kind.clone(), &Type::Int(IntTy::I32));
                }
                Some(op.signature().1)
            }
            _ => {
                self.error(block, format!("{stmt}: operands of the wrong types"));
                None
            }
        }
    }

    fn state_field(&mut self, block: usize, state: LocalId, field: u32) -> Option<Type> {
        match self.local_ty(block, state)? {
            Type::StatePtr(name) | Type::EnvPtr(Some(name)) => {
                let ty = self
                    .types
                    .structs
                    .get(&name)
                    .and_then(|s| s.fields.get(field as usize))
                    .map(|f| f.ty.clone());
                if ty.is_none() {
                    self.error(block, format!("state {name} has no field {field}"));
                }
                ty
            }
            other => {
                self.error(block, format!("{state} of type {other} is not a state pointer"));
                None
            }
        }
    }

    fn check_target(&mut self, block: usize, target: BlockId) {
        if target.index() >= self.function.blocks.len() {
            self.error(block, format!("jump to missing {target}"));
        }
    }

    fn check_terminator(&mut self, block: usize, term: &Terminator) {
        for target in term.successors() {
            self.check_target(block, target);
        }
        let is_async = self.function.kind == FunctionKind::Async;
        if term.is_wait() || matches!(term, Terminator::CancelExit) {
            if self.stage == Stage::Transformed {
                self.error(block, format!("`{term}` left after the coroutine transform"));
            } else if !is_async {
                self.error(block, format!("`{term}` outside an async function"));
            }
        }
        match term {
            Terminator::Branch { cond, .. } => {
                let ty = self.operand_ty(block, cond);
                self.expect(block, term, ty, &Type::Bool);
            }
            Terminator::Switch { value, cases, .. } => {
                let ty = self.operand_ty(block, value);
                if let Some(ty) = ty
                    && ty.int().is_none()
                {
                    self.error(block, format!("{term}: switch on {ty}"));
                }
                let mut seen = rustc_hash::FxHashSet::default();
                for (v, _) in cases {
                    if !seen.insert(*v) {
                        self.error(block, format!("{term}: duplicate case {v}"));
                    }
                }
            }
            Terminator::Return(value) => {
                let ret = self.function.ret.clone();
                match value {
                    Some(v) => {
                        let ty = self.operand_ty(block, v);
                        self.expect(block, term, ty, &ret);
                    }
                    None => {
                        if ret != Type::Unit {
                            self.error(block, format!("return without a value of type {ret}"));
                        }
                    }
                }
            }
            Terminator::Panic { message, .. } => {
                let ty = self.operand_ty(block, message);
                self.expect(block, term, ty, &Type::String);
            }
            Terminator::Await { future, dest, .. } => {
                let fty = self.operand_ty(block, future);
                match fty {
                    Some(Type::Future(inner)) => {
                        if let Some(dest) = dest {
                            let dty = self.local_ty(block, *dest);
                            self.expect(block, term, dty, &inner);
                        }
                    }
                    Some(other) => self.error(block, format!("{term}: awaits a {other}")),
                    None => {}
                }
            }
            Terminator::Sleep { ms, .. } => {
                let ty = self.operand_ty(block, ms);
                self.expect(block, term, ty, &Type::Int(IntTy::I64));
            }
            _ => {}
        }
    }

    /// Forward must-be-defined analysis: a local is defined at a point when every path
    /// from the entry assigns it first.
    fn check_definitions(&mut self) {
        let f = self.function;
        let n = f.blocks.len();
        let locals = f.locals.len();
        let mut entry_defs = vec![false; locals];
        for p in &f.params {
            entry_defs[p.index()] = true;
        }
        // A pinned local of a resume function is its state field: always there.
        if let FunctionKind::Resume { pinned, .. } = &f.kind {
            for (l, _) in pinned {
                entry_defs[l.index()] = true;
            }
        }
        let mut ins: Vec<Option<Vec<bool>>> = vec![None; n];
        ins[0] = Some(entry_defs);
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, b) in f.blocks.iter().enumerate() {
            for s in b.term.successors() {
                preds[s.index()].push(i);
            }
        }
        // Iterate to a fixpoint: outs start at "everything" (top) for unvisited blocks.
        let mut outs: Vec<Option<Vec<bool>>> = vec![None; n];
        let mut changed = true;
        while changed {
            changed = false;
            for i in 0..n {
                let input = if i == 0 {
                    ins[0].clone()
                } else {
                    let mut acc: Option<Vec<bool>> = None;
                    for &p in &preds[i] {
                        if let Some(out) = &outs[p] {
                            let mut out = out.clone();
                            if let Terminator::Await { dest: Some(d), next, .. } = &f.blocks[p].term
                                && next.index() == i
                            {
                                out[d.index()] = true;
                            }
                            acc = Some(match acc {
                                None => out,
                                Some(a) => a.iter().zip(&out).map(|(x, y)| *x && *y).collect(),
                            });
                        }
                    }
                    acc
                };
                let Some(mut state) = input else { continue };
                ins[i] = Some(state.clone());
                for stmt in &f.blocks[i].stmts {
                    for d in stmt.defs() {
                        state[d.index()] = true;
                    }
                }
                if outs[i].as_ref() != Some(&state) {
                    outs[i] = Some(state);
                    changed = true;
                }
            }
        }
        for (i, input) in ins.iter().enumerate() {
            let Some(mut state) = input.clone() else { continue };
            let block = &f.blocks[i];
            for stmt in &block.stmts {
                for u in stmt.uses() {
                    if !state[u.index()] {
                        self.error(i, format!("`{stmt}` reads {u} before it is defined"));
                    }
                }
                for d in stmt.defs() {
                    state[d.index()] = true;
                }
            }
            for u in block.term.uses() {
                if !state[u.index()] {
                    self.error(i, format!("`{}` reads {u} before it is defined", block.term));
                }
            }
        }
    }
}
