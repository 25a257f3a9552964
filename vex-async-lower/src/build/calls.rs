//! Calls: of Vex functions (an async one's call spawns it), of `extern "C"` functions,
//! and of the builtins (printing with its formatting, assertions, panics, time,
//! cancellation; the I/O builtins are in `io`).

use super::*;

impl<'a, 'b> Builder<'a, 'b> {
    pub(super) fn call(&mut self, e: ExprId, callee: ExprId, args: &[ExprId]) -> Val {
        let ty = self.ty_of(e);
        match self.input.infer.resolutions.get(callee).copied() {
            Some(Resolution::Function(loc)) => self.call_function(loc, args, ty),
            Some(Resolution::Extern(loc)) => {
                let name = vex_hir::item_tree::item_tree(self.input.db, loc.file).externs
                    [loc.index as usize]
                    .name
                    .clone();
                let ops = self.exprs_owned(args);
                let t = self.new_local("ret", ty);
                self.push(Stmt::CallExtern { dest: Some(Place::local(t)), func: name, args: ops });
                Val::Op(Operand::local(t))
            }
            Some(Resolution::Variant(_, index)) => {
                let ops = self.exprs_owned(args);
                self.aggregate(AggregateKind::Variant(ty.clone(), index), ops, ty)
            }
            Some(Resolution::BuiltinVariant(variant)) => {
                let ops = self.exprs_owned(args);
                self.aggregate(AggregateKind::Variant(ty.clone(), variant.index()), ops, ty)
            }
            Some(Resolution::Builtin(builtin)) => self.builtin(e, builtin, args, ty),
            // A function value: a local, a field, the result of a call, a closure.
            _ => {
                let value = self.expr(callee);
                self.call_value(value, args, ty)
            }
        }
    }

    pub(super) fn call_function(
        &mut self,
        loc: vex_hir::ids::FunctionLoc,
        args: &[ExprId],
        ty: Type,
    ) -> Val {
        let name = function_name(self.input.db, loc);
        let ops = self.exprs_owned(args);
        let t = self.new_local("ret", ty);
        self.push(Stmt::Call { dest: Some(Place::local(t)), func: name, args: ops.clone() });
        for op in &ops {
            self.forget(op);
        }
        self.register_temp(t)
    }

    pub(super) fn builtin(
        &mut self,
        e: ExprId,
        builtin: Builtin,
        args: &[ExprId],
        ty: Type,
    ) -> Val {
        match builtin {
            Builtin::VecNew | Builtin::VecWithCapacity | Builtin::VecFrom => {
                self.vec_constructor(builtin, args, ty)
            }
            Builtin::ChannelNew => self.channel_new(e, args, ty),
            Builtin::ReadFile
            | Builtin::WriteFile
            | Builtin::AppendFile
            | Builtin::RemoveFile
            | Builtin::Exists
            | Builtin::FileOpen
            | Builtin::FileCreate
            | Builtin::FileOpenAppend
            | Builtin::TcpBind
            | Builtin::TcpConnect
            | Builtin::Args
            | Builtin::GetEnv
            | Builtin::Exit => self.io_builtin(builtin, args, ty),
            Builtin::Join
            | Builtin::JoinAll
            | Builtin::Race
            | Builtin::RaceAll
            | Builtin::Timeout
            | Builtin::Ready => self.combinator_call(e, builtin, args, ty),
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
                let message = args.get(1).copied();
                self.guard(cond, false, e, |b| match message {
                    Some(msg) => match &b.input.body.exprs[msg] {
                        Expr::Literal(Literal::String(s)) => {
                            Operand::str(&format!("assertion failed: {s}"))
                        }
                        _ => {
                            let m = b.expr_operand(msg);
                            let prefix = Operand::str("assertion failed: ");
                            Operand::local(b.concat("panic_message", prefix, m))
                        }
                    },
                    None => Operand::str("assertion failed"),
                });
                UNIT
            }
            Builtin::Panic => {
                let message = match args.first() {
                    Some(&m) => self.expr_operand(m),
                    None => Operand::str("explicit panic"),
                };
                self.panic_at(e, message);
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
    pub(super) fn print_text(&mut self, args: &[ExprId]) -> Val {
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
            None => Val::Op(Operand::str("")),
        }
    }

    /// The display form of a value (strings as themselves).
    pub(super) fn display_string(&mut self, v: Val) -> Val {
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
            Type::Unit => return Val::Op(Operand::str("()")),
            Type::Option(_) | Type::Result(..) => return self.display_variants(v, &ty),
            // An `IoError` shows its message (LANGUAGE.md §13).
            Type::Io(IoTy::Error) => {
                let text = self.runtime_value(RtOp::IoErrorMessage, vec![op], Type::String);
                self.drop_val(v);
                return text;
            }
            Type::Vec(_) => return self.display_vec(v),
            _ => {
                self.drop_val(v);
                return Val::Op(Operand::str("<value>"));
            }
        };
        let t = self.new_local("text", Type::String);
        self.push(Stmt::Runtime { dest: Some(t), op: rt, args: vec![arg] });
        self.register_temp(t)
    }

    /// The display form of an `Option` or `Result`: `Some(3)`, `None`, `Ok(())`,
    /// `Err(no)` (LANGUAGE.md §5).
    fn display_variants(&mut self, v: Val, ty: &Type) -> Val {
        let place = self.materialize(v.op());
        let variants = self.input.types.variants(ty).unwrap_or_default();
        let names: [&str; 2] =
            if matches!(ty, Type::Option(_)) { ["Some", "None"] } else { ["Ok", "Err"] };
        let result = self.new_local("text", Type::String);
        let tag = self.temp(Type::Int(ENUM_TAG), Rvalue::Discriminant(place.clone()));
        let blocks = [self.new_block(), self.new_block()];
        let join = self.new_block();
        self.terminate(Terminator::Switch {
            value: Operand::local(tag),
            cases: vec![(0, blocks[0])],
            default: blocks[1],
        });
        for (variant, block) in blocks.into_iter().enumerate() {
            self.switch_to(block);
            let text = match variants[variant].first() {
                Some(_) => {
                    let payload =
                        place.project(Proj::Payload { variant: variant as u32, field: 0 });
                    let inner = self.display_string(Val::Op(Operand::Copy(payload)));
                    let open = Val::Op(Operand::str(&format!("{}(", names[variant])));
                    let close = Val::Op(Operand::str(")"));
                    self.concat_all(vec![open, inner, close])
                }
                None => Val::Op(Operand::str(names[variant])),
            };
            let text = self.owned_operand(text);
            self.assign(Place::local(result), Rvalue::Use(text.clone()));
            self.forget(&text);
            self.goto(join);
        }
        self.switch_to(join);
        self.drop_val(v);
        self.register_temp(result)
    }

    pub(super) fn concat_all(&mut self, parts: Vec<Val>) -> Val {
        let mut acc: Option<Val> = None;
        for part in parts {
            acc = Some(match acc {
                None => part,
                Some(prev) => {
                    let t = self.concat("text", prev.op(), part.op());
                    self.drop_val(part);
                    self.drop_val(prev);
                    self.register_temp(t)
                }
            });
        }
        acc.unwrap_or(Val::Op(Operand::str("")))
    }

    /// A call of a method of a builtin type.
    pub(super) fn builtin_method(
        &mut self,
        method: BuiltinMethod,
        e: ExprId,
        receiver: ExprId,
        args: &[ExprId],
        ty: Type,
    ) -> Val {
        use BuiltinMethod as M;
        match method {
            M::OptionIsSome
            | M::OptionIsNone
            | M::OptionOr
            | M::OptionOkOr
            | M::ResultIsOk
            | M::ResultIsErr
            | M::ResultOr
            | M::ResultOk
            | M::ResultErr => self.option_method(method, receiver, args, ty),
            M::OptionMap
            | M::OptionAndThen
            | M::OptionOrElse
            | M::OptionFilter
            | M::ResultMap
            | M::ResultMapErr
            | M::ResultAndThen
            | M::ResultOrElse => self.option_call_method(method, receiver, args, ty),
            M::VecPush
            | M::VecPop
            | M::VecLen
            | M::VecIsEmpty
            | M::VecClear
            | M::VecContains
            | M::VecIndexOf
            | M::VecSlice
            | M::VecReverse
            | M::VecSort
            | M::VecMap
            | M::VecFilter
            | M::VecJoin => self.vec_method(method, e, receiver, args, ty),
            M::ChanSend
            | M::ChanRecv
            | M::ChanTrySend
            | M::ChanTryRecv
            | M::ChanClose
            | M::ChanLen
            | M::ChanCap
            | M::ChanIsClosed => self.channel_method(method, receiver, args, ty),
            M::FutureMap | M::FutureThen | M::FutureIsReady => {
                self.future_method(method, receiver, args, ty)
            }
            m if m.of_io_type() => self.io_method(method, receiver, args, ty),
            _ => self.string_method(method, e, receiver, args, ty),
        }
    }
}
