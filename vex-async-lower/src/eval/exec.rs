//! Running functions: calls with their depth limit, the blocks of a function in
//! either mode, and the statements.

use super::*;

impl<'m> Machine<'m> {
    pub(super) fn call(&mut self, name: &str, args: Vec<Value>) -> Res<Value> {
        let f = self.function(name)?;
        if f.kind == FunctionKind::Async && self.options.mode == Mode::Sequential {
            self.tasks.push(Task {
                call: Some((f.name.clone(), args)),
                ..Task::new(f.name.clone(), Waiting::Nothing)
            });
            return Ok(Value::Future(Some(self.tasks.len() - 1)));
        }
        if self.depth >= MAX_CALL_DEPTH {
            return Err(Stop::Panic(Panic {
                message: format!(
                    "stack overflow: more than {MAX_CALL_DEPTH} nested calls (calling `{}`)",
                    f.name
                ),
                location: SourceLocation {
                    file: f.loc.file.to_string(),
                    line: f.loc.line,
                    column: f.loc.col,
                },
            }));
        }
        self.depth += 1;
        let result = vex_hir::ensure_stack(|| self.exec(f, args));
        self.depth -= 1;
        result
    }

    /// Calls a host closure for the extern `func`: the arguments go in a buffer laid out
    /// like the IR tuple of the declared parameter types, the result comes back in
    /// another; a panic of the closure is a panic of the calling task.
    fn call_host(
        &mut self,
        caller: &Function,
        func: &str,
        dispatch: HostDispatch,
        data: usize,
        args: &[Value],
    ) -> Res<Value> {
        let Some(decl) = self.externs.iter().find(|e| &*e.name == func) else {
            return err(format!("unknown extern function {func}"));
        };
        let (layout, offsets) = layout::fields_layout(decl.params.iter(), &self.types);
        let mut buffer = vec![0u64; (layout.size as usize).div_ceil(8).max(1)];
        let bytes: &mut [u8] = words_as_bytes(&mut buffer);
        for ((value, ty), offset) in args.iter().zip(&decl.params).zip(&offsets) {
            write_scalar(&mut bytes[*offset as usize..], ty, value)?;
        }
        let ret_size = layout::layout_of(&decl.ret, &self.types).size;
        let mut ret = vec![0u64; (ret_size as usize).div_ceil(8).max(1)];
        // SAFETY: the dispatcher reads the parameters of the declared types from the
        // buffer and writes a value of the declared result type (see `HostDispatch`).
        let message = unsafe {
            dispatch(
                data as *const std::ffi::c_void,
                buffer.as_mut_ptr().cast(),
                ret.as_mut_ptr().cast(),
            )
        };
        if !message.is_null() {
            // SAFETY: a non-null result is a C string (see `HostDispatch`).
            let text = unsafe { std::ffi::CStr::from_ptr(message) }.to_string_lossy().into_owned();
            return Err(Stop::Panic(Panic {
                message: text,
                location: SourceLocation {
                    file: caller.loc.file.to_string(),
                    line: caller.loc.line,
                    column: caller.loc.col,
                },
            }));
        }
        read_scalar(words_as_bytes(&mut ret), &decl.ret)
    }

    /// Takes one step: spends fuel, and every [`INTERRUPT_POLL_STEPS`] steps looks at
    /// the interrupt.
    fn tick(&mut self) -> Res<()> {
        if let Some(fuel) = &mut self.fuel {
            if *fuel == 0 {
                return Err(Stop::Interrupted(Interruption::Fuel));
            }
            *fuel -= 1;
        }
        self.steps += 1;
        if self.steps.is_multiple_of(INTERRUPT_POLL_STEPS)
            && let Some(why) = self.options.interrupt.as_ref().and_then(Interrupt::reason)
        {
            return Err(Stop::Interrupted(why));
        }
        Ok(())
    }

    pub(super) fn exec(&mut self, f: &'m Function, args: Vec<Value>) -> Res<Value> {
        let mut locals = vec![Value::Undef; f.locals.len()];
        if args.len() != f.params.len() {
            return err(format!("{} called with {} arguments", f.name, args.len()));
        }
        for (p, a) in f.params.iter().zip(args) {
            locals[p.index()] = a;
        }
        let mut frame = Frame { f, locals };
        self.init_pinned(&mut frame)?;
        let mut block = 0usize;
        loop {
            let b = &f.blocks[block];
            for stmt in &b.stmts {
                self.tick()?;
                self.stmt(&mut frame, stmt)?;
            }
            self.tick()?;
            block = match &b.term {
                Terminator::Goto(t) => t.index(),
                Terminator::Branch { cond, then_block, else_block } => {
                    match self.operand(&frame, cond)? {
                        Value::Bool(true) => then_block.index(),
                        Value::Bool(false) => else_block.index(),
                        other => return err(format!("{}: branch on {other:?}", f.name)),
                    }
                }
                Terminator::Switch { value, cases, default } => {
                    let v = match self.operand(&frame, value)? {
                        Value::Int(v, _) => v,
                        other => return err(format!("{}: switch on {other:?}", f.name)),
                    };
                    cases.iter().find(|c| c.0 == v).map_or(default.index(), |c| c.1.index())
                }
                Terminator::Return(v) => {
                    return match v {
                        Some(v) => self.operand(&frame, v),
                        None => Ok(Value::Unit),
                    };
                }
                Terminator::Panic { loc, message } => {
                    let m = self.operand(&frame, message)?;
                    let text = String::from_utf8_lossy(&self.text(&m)?).into_owned();
                    return Err(Stop::Panic(Panic {
                        message: text,
                        location: SourceLocation {
                            file: loc.file.to_string(),
                            line: loc.line,
                            column: loc.col,
                        },
                    }));
                }
                Terminator::Unreachable => {
                    return err(format!("{}: reached unreachable code (bb{block})", f.name));
                }
                Terminator::Await { future, dest, next, .. } => {
                    let fv = self.operand(&frame, future)?;
                    let Value::Future(Some(t)) = fv else { return err(format!("await of {fv:?}")) };
                    if let Some(builtin) = self.tasks[t].builtin {
                        if self.tasks[t].outcome != Outcome::Pending {
                            return err("future awaited twice");
                        }
                        if let BuiltinTask::Sleep(at) = builtin {
                            self.now = self.now.max(at);
                        }
                        self.tasks[t].outcome = Outcome::Value(Value::Unit);
                        self.tasks[t].handles -= 1;
                        next.index()
                    } else if let Outcome::Value(v) = self.tasks[t].outcome.clone() {
                        // `ready(x)`: finished already.
                        self.tasks[t].handles -= 1;
                        self.tasks[t].taken = true;
                        if let Some(d) = dest {
                            frame.locals[d.index()] = v;
                        }
                        next.index()
                    } else {
                        let Some((name, args)) = self.tasks[t].call.take() else {
                            return err("future awaited twice");
                        };
                        let v = self.call_body(&name, args)?;
                        self.tasks[t].handles -= 1;
                        if let Some(d) = dest {
                            frame.locals[d.index()] = v;
                        }
                        next.index()
                    }
                }
                Terminator::Sleep { ms, next, .. } => {
                    if let Value::Int(ms, _) = self.operand(&frame, ms)? {
                        self.now += ms.max(0) as i64;
                    }
                    next.index()
                }
                Terminator::Yield { next, .. } => next.index(),
                // Sequential mode runs no other task that could complete the operation.
                Terminator::Park { .. } => {
                    return err("a channel operation would wait in sequential mode");
                }
                Terminator::CancelExit => return err("cancel exit in sequential mode"),
            };
        }
    }

    pub(super) fn call_body(&mut self, name: &str, args: Vec<Value>) -> Res<Value> {
        let f = self.function(name)?;
        self.exec(f, args)
    }

    pub(super) fn stmt(&mut self, frame: &mut Frame<'m>, stmt: &'m Stmt) -> Res<()> {
        match stmt {
            Stmt::Assign(place, rvalue) => {
                let v = self.rvalue(frame, rvalue)?;
                self.write(frame, place, v)
            }
            Stmt::Call { dest, func, args } => {
                let args = args.iter().map(|a| self.operand(frame, a)).collect::<Res<Vec<_>>>()?;
                let saved = (self.current, self.wait.take());
                let v = self.call(func, args)?;
                self.current = saved.0;
                self.wait = saved.1;
                if let Some(d) = dest {
                    self.write(frame, d, v)?;
                }
                Ok(())
            }
            Stmt::CallExtern { dest, func, args } => {
                let args = args.iter().map(|a| self.operand(frame, a)).collect::<Res<Vec<_>>>()?;
                let host = self.options.host.iter().find(|h| *h.0 == **func).map(|h| (h.1, h.2));
                if let Some((dispatch, data)) = host {
                    let v = self.call_host(frame.f, func, dispatch, data, &args)?;
                    if let Some(d) = dest {
                        self.write(frame, d, v)?;
                    }
                    return Ok(());
                }
                let v = match (&**func, args.as_slice()) {
                    ("abs", [Value::Int(x, ty)]) => Value::Int(normalize(x.abs(), *ty), *ty),
                    ("labs" | "llabs", [Value::Int(x, ty)]) => {
                        Value::Int(normalize(x.abs(), *ty), *ty)
                    }
                    _ => return err(format!("unknown extern function {func}")),
                };
                if let Some(d) = dest {
                    self.write(frame, d, v)?;
                }
                Ok(())
            }
            Stmt::Runtime { dest, op, args } => {
                let args = args.iter().map(|a| self.operand(frame, a)).collect::<Res<Vec<_>>>()?;
                let v = self.runtime(*op, args)?;
                if let Some(d) = dest {
                    frame.locals[d.index()] = v;
                }
                Ok(())
            }
            Stmt::Retain(place) => {
                let v = self.read(frame, place)?;
                self.retain(&v)
            }
            Stmt::Release(place) => {
                let v = self.read(frame, place)?;
                self.release(&v)
            }
            Stmt::TakeFuture { outcome, future, result } => {
                let fv = self.operand(frame, future)?;
                let Value::Future(Some(t)) = fv else { return err(format!("take of {fv:?}")) };
                if self.tasks[t].handles == 0 {
                    return err("take of a released future");
                }
                self.tasks[t].handles -= 1;
                self.tasks[t].taken = true;
                let code = match self.tasks[t].outcome.clone() {
                    Outcome::Value(v) => {
                        if let Some(r) = result {
                            frame.locals[r.index()] = v;
                        }
                        outcome::VALUE
                    }
                    Outcome::Cancelled => {
                        if let Some(cur) = self.current {
                            self.tasks[cur].cancelled = true;
                        }
                        outcome::CANCELLED
                    }
                    Outcome::Pending => return err("take of a pending future"),
                };
                frame.locals[outcome.index()] = Value::Int(code, IntTy::I32);
                Ok(())
            }
            Stmt::LoadState { dest, state, field } => {
                frame.locals[dest.index()] = match frame.locals[state.index()] {
                    Value::State(s) => self.load_state(s, *field)?,
                    Value::Env(Some(e)) => match &self.envs[e].fields[*field as usize] {
                        Value::Undef => return err(format!("load of unset capture {field}")),
                        v => v.clone(),
                    },
                    ref other => return err(format!("load through {other:?}")),
                };
                Ok(())
            }
            Stmt::StoreState { state, field, value } => {
                let v = self.operand(frame, value)?;
                match frame.locals[state.index()] {
                    Value::State(s) => {
                        let def = self.state_field(s, *field)?;
                        self.states[s].bytes.insert(def.offset, (*field, v));
                    }
                    Value::Env(Some(e)) => self.envs[e].fields[*field as usize] = v,
                    ref other => return err(format!("store through {other:?}")),
                }
                Ok(())
            }
            Stmt::CallValue { dest, callee, args } => {
                let Value::Fn(code, env) = self.operand(frame, callee)? else {
                    return err("call of a value that is not a function");
                };
                let mut all = vec![Value::Env(env)];
                for a in args {
                    all.push(self.operand(frame, a)?);
                }
                let saved = (self.current, self.wait.take());
                let v = self.call(&code, all)?;
                self.current = saved.0;
                self.wait = saved.1;
                if let Some(d) = dest {
                    self.write(frame, d, v)?;
                }
                Ok(())
            }
            Stmt::EnvAlloc { dest } => {
                let Type::EnvPtr(Some(def)) = frame.f.local_ty(*dest) else {
                    return err("environment of an untyped local");
                };
                frame.locals[dest.index()] = self.new_env(def)?;
                Ok(())
            }
            Stmt::Update { place, op, args, dest } => {
                let current = self.read(frame, place)?;
                let args = args.iter().map(|a| self.operand(frame, a)).collect::<Res<Vec<_>>>()?;
                let elem = match frame.f.place_ty(place, &self.types) {
                    Some(Type::Vec(elem)) => *elem,
                    _ => Type::Unit,
                };
                let (value, out) = self.update(*op, current, args, &elem)?;
                self.write(frame, place, value)?;
                if let (Some(d), Some(out)) = (dest, out) {
                    frame.locals[d.index()] = out;
                }
                Ok(())
            }
            Stmt::TaskAlloc { dest } => {
                let FunctionKind::Wrapper { state, .. } = &frame.f.kind else {
                    return err("alloc outside a wrapper");
                };
                self.states.push(StateObj {
                    def: state.clone(),
                    bytes: FxHashMap::default(),
                    drop_result: None,
                });
                frame.locals[dest.index()] = Value::State(self.states.len() - 1);
                Ok(())
            }
        }
    }
}

/// The bytes of a buffer of words.
fn words_as_bytes(words: &mut [u64]) -> &mut [u8] {
    // SAFETY: u8 has no alignment or validity requirements; the length covers the words.
    unsafe { std::slice::from_raw_parts_mut(words.as_mut_ptr().cast(), words.len() * 8) }
}

/// Writes a scalar value of type `ty` at the start of `at` (little endian, the layout of
/// `ir::layout`).
fn write_scalar(at: &mut [u8], ty: &Type, value: &Value) -> Res<()> {
    match (ty, value) {
        (Type::Bool, Value::Bool(b)) => at[0] = u8::from(*b),
        (Type::Int(int), Value::Int(v, _)) => {
            let n = (int.bits() / 8) as usize;
            at[..n].copy_from_slice(&(*v as u64).to_le_bytes()[..n]);
        }
        (Type::Float(FloatTy::F64), Value::Float(v, _)) => {
            at[..8].copy_from_slice(&v.to_le_bytes())
        }
        (Type::Float(FloatTy::F32), Value::Float(v, _)) => {
            at[..4].copy_from_slice(&(*v as f32).to_le_bytes())
        }
        (Type::Unit, _) => {}
        (ty, v) => return err(format!("cannot pass {v:?} to a host function as {ty:?}")),
    }
    Ok(())
}

/// Reads a scalar value of type `ty` from the start of `at`.
fn read_scalar(at: &[u8], ty: &Type) -> Res<Value> {
    Ok(match ty {
        Type::Unit => Value::Unit,
        Type::Bool => Value::Bool(at[0] != 0),
        Type::Int(int) => {
            let n = (int.bits() / 8) as usize;
            let mut raw = [0u8; 8];
            raw[..n].copy_from_slice(&at[..n]);
            let unsigned = u64::from_le_bytes(raw) as i128;
            let bits = int.bits();
            let v = if int.is_signed() && bits < 128 && unsigned >= 1i128 << (bits - 1) {
                unsigned - (1i128 << bits)
            } else {
                unsigned
            };
            Value::Int(v, *int)
        }
        Type::Float(FloatTy::F64) => {
            Value::Float(f64::from_le_bytes(at[..8].try_into().expect("8 bytes")), FloatTy::F64)
        }
        Type::Float(FloatTy::F32) => Value::Float(
            f64::from(f32::from_le_bytes(at[..4].try_into().expect("4 bytes"))),
            FloatTy::F32,
        ),
        other => return err(format!("a host function cannot return {other:?}")),
    })
}
