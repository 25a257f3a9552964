//! Inference of what the builtin types offer: the variants of `Option` and `Result`,
//! the associated functions of `Vec`, the methods of `Option`, `Result`, `Vec` and
//! `string` (LANGUAGE.md §8–§9) with their generic signatures, and which values print
//! (§5).
//!
//! A method's signature is instantiated with fresh variables for its own type
//! parameters (`U` of `map(f: fn(T): U)`), so arguments are checked against the
//! receiver's element types and closures get their parameter types from them.

use super::{HirNode, InferCtx, InferDiagnostic, Resolution};
use crate::body::{ExprId, TypeRef};
use crate::builtins::{Builtin, BuiltinMethod, BuiltinVariant, MethodReceiver};
use crate::diagnostics::Code;
use crate::ty::{FnTy, IntTy, IoTy, Ty, VarKind};

impl InferCtx<'_> {
    /// `Some(x)`, `Ok(v)`, `Err(e)` (and `Option.Some(x)`, …) as calls.
    pub(super) fn infer_variant_call(
        &mut self,
        expr: ExprId,
        variant: BuiltinVariant,
        args: &[ExprId],
    ) -> Ty {
        let payload = self.new_var(VarKind::General);
        let params = if variant.has_payload() { vec![payload.clone()] } else { Vec::new() };
        self.check_args(expr, &params, args);
        self.variant_type(variant, payload)
    }

    /// The type of a value of `variant` whose payload (if any) has type `payload`.
    pub(super) fn variant_type(&mut self, variant: BuiltinVariant, payload: Ty) -> Ty {
        match variant {
            BuiltinVariant::Some => Ty::Option(Box::new(payload)),
            BuiltinVariant::None => Ty::Option(Box::new(self.new_var(VarKind::General))),
            BuiltinVariant::Ok => {
                Ty::Result(Box::new(payload), Box::new(self.new_var(VarKind::General)))
            }
            BuiltinVariant::Err => {
                Ty::Result(Box::new(self.new_var(VarKind::General)), Box::new(payload))
            }
        }
    }

    /// The type arguments written on a builtin associated function (`Vec.new<i64>`),
    /// or fresh variables for those left out.
    fn type_args(&mut self, expr: ExprId, written: &[TypeRef], count: usize) -> Vec<Ty> {
        if written.len() > count {
            let message = format!(
                "this function takes {count} type argument{}, but {} were supplied",
                if count == 1 { "" } else { "s" },
                written.len()
            );
            self.report(Code::ArgumentCount, HirNode::Expr(expr), message);
        }
        (0..count)
            .map(|i| match written.get(i) {
                Some(type_ref) => match crate::signature::resolve_type(self.db, type_ref) {
                    Ok(ty) => ty,
                    Err(message) => {
                        self.report(Code::UnknownType, HirNode::Expr(expr), message);
                        Ty::Error
                    }
                },
                None => self.new_var(VarKind::General),
            })
            .collect()
    }

    /// `Vec.new<T>()`, `Vec.withCapacity<T>(n)`, `Vec.from(array)`.
    pub(super) fn infer_associated_builtin(
        &mut self,
        expr: ExprId,
        callee: ExprId,
        builtin: Builtin,
        type_args: &[TypeRef],
        args: &[ExprId],
    ) -> Ty {
        let i64_ty = Ty::Int(IntTy::I64);
        match builtin {
            Builtin::VecNew => {
                let elem = self.type_args(callee, type_args, 1).remove(0);
                self.check_args(expr, &[], args);
                Ty::Vec(Box::new(elem))
            }
            Builtin::VecWithCapacity => {
                let elem = self.type_args(callee, type_args, 1).remove(0);
                self.check_args(expr, &[i64_ty], args);
                Ty::Vec(Box::new(elem))
            }
            Builtin::VecFrom => {
                let elem = self.type_args(callee, type_args, 1).remove(0);
                if args.len() != 1 {
                    self.check_args(expr, &[Ty::Error], args);
                    return Ty::Vec(Box::new(elem));
                }
                let array_ty = self.infer_expr(args[0]);
                match self.shallow(&array_ty) {
                    Ty::Array(inner, _) => {
                        self.coerce(args[0], &inner, &elem);
                    }
                    Ty::Error | Ty::Never => {}
                    other => {
                        let message = format!(
                            "`Vec.from` takes a fixed array `[T; N]`, found `{}`",
                            self.display(&other)
                        );
                        self.report(Code::TypeMismatch, HirNode::Expr(args[0]), message);
                    }
                }
                Ty::Vec(Box::new(elem))
            }
            Builtin::ChannelNew => {
                let elem = self.type_args(callee, type_args, 1).remove(0);
                self.infer_channel_new(expr, elem, args)
            }
            b => match super::io::io_builtin_signature(b) {
                Some(sig) => {
                    self.type_args(callee, type_args, 0);
                    self.infer_io_call(expr, sig, args)
                }
                None => Ty::Error,
            },
        }
    }

    /// A method of a builtin type, if the receiver's type has one called `name`.
    pub(super) fn builtin_method(&self, receiver: &Ty, name: &str) -> Option<BuiltinMethod> {
        let kind = MethodReceiver::of(receiver);
        let method = BuiltinMethod::lookup(kind, name)?;
        // `toString` is defined on what prints.
        (method != BuiltinMethod::ToString || self.printable(receiver)).then_some(method)
    }

    /// Checks a call of a builtin method on `receiver` (of type `receiver_ty`, shallow
    /// resolved) and returns its result type.
    pub(super) fn infer_builtin_method(
        &mut self,
        expr: ExprId,
        receiver: ExprId,
        receiver_ty: &Ty,
        method: BuiltinMethod,
        args: &[ExprId],
    ) -> Ty {
        use BuiltinMethod as M;
        self.result.resolutions.insert(expr, Resolution::Method(method));
        if method.mutates() {
            self.check_place_for(receiver, &format!("call `{}` on", method_name(method)));
        }
        if method.waits() {
            self.check_can_wait(expr, &format!("`{}`", method_name(method)));
        }
        let elem = match receiver_ty {
            Ty::Vec(elem) => Some((**elem).clone()),
            _ => None,
        };
        if method.copies_elements()
            && let Some(elem) = &elem
            && self.resolve(elem).contains_future()
        {
            let message = format!(
                "`{}` would copy elements of a `{}`, which are move-only",
                method_name(method),
                self.display(receiver_ty)
            );
            self.report(Code::MoveOnlyElement, HirNode::Expr(expr), message);
        }
        let i64_ty = Ty::Int(IntTy::I64);
        let fn_ty =
            |params: Vec<Ty>, ret: Ty| Ty::Fn(FnTy { params, ret: Box::new(ret), once: false });
        let (inner, err) = match receiver_ty {
            Ty::Option(inner) | Ty::Vec(inner) | Ty::Channel(inner) | Ty::Future(inner) => {
                ((**inner).clone(), Ty::Error)
            }
            Ty::Result(ok, err) => ((**ok).clone(), (**err).clone()),
            _ => (Ty::Error, Ty::Error),
        };
        let (params, ret) = match method {
            M::OptionIsSome | M::OptionIsNone | M::ResultIsOk | M::ResultIsErr => {
                (vec![], Ty::Bool)
            }
            M::OptionOr | M::ResultOr => (vec![inner.clone()], inner),
            M::OptionOrElse => (vec![fn_ty(vec![], inner.clone())], inner),
            M::ResultOrElse => (vec![fn_ty(vec![err], inner.clone())], inner),
            M::OptionMap => {
                let u = self.new_var(VarKind::General);
                (vec![fn_ty(vec![inner], u.clone())], Ty::Option(Box::new(u)))
            }
            M::OptionAndThen => {
                let u = Ty::Option(Box::new(self.new_var(VarKind::General)));
                (vec![fn_ty(vec![inner], u.clone())], u)
            }
            M::OptionFilter => {
                (vec![fn_ty(vec![inner.clone()], Ty::Bool)], Ty::Option(Box::new(inner)))
            }
            M::OptionOkOr => {
                let e = self.new_var(VarKind::General);
                (vec![e.clone()], Ty::Result(Box::new(inner), Box::new(e)))
            }
            M::ResultMap => {
                let u = self.new_var(VarKind::General);
                (vec![fn_ty(vec![inner], u.clone())], Ty::Result(Box::new(u), Box::new(err)))
            }
            M::ResultMapErr => {
                let f = self.new_var(VarKind::General);
                (vec![fn_ty(vec![err], f.clone())], Ty::Result(Box::new(inner), Box::new(f)))
            }
            M::ResultAndThen => {
                let u = self.new_var(VarKind::General);
                let result = Ty::Result(Box::new(u), Box::new(err));
                (vec![fn_ty(vec![inner], result.clone())], result)
            }
            M::ResultOk => (vec![], Ty::Option(Box::new(inner))),
            M::ResultErr => (vec![], Ty::Option(Box::new(err))),
            M::VecPush => (vec![inner], Ty::Unit),
            M::VecPop => (vec![], Ty::Option(Box::new(inner))),
            M::VecLen | M::StrLen => (vec![], i64_ty),
            M::VecIsEmpty | M::StrIsEmpty => (vec![], Ty::Bool),
            M::VecClear | M::VecReverse => (vec![], Ty::Unit),
            M::VecContains => (vec![inner], Ty::Bool),
            M::VecIndexOf => (vec![inner], Ty::Option(Box::new(i64_ty))),
            M::VecSlice => (vec![i64_ty.clone(), i64_ty], receiver_ty.clone()),
            M::VecSort => {
                let resolved = self.resolve(&inner);
                if !(resolved.is_numeric() || matches!(resolved, Ty::String | Ty::Error)) {
                    let message = format!(
                        "`sort` orders integers, floats and strings, not `{}`",
                        self.display(&inner)
                    );
                    self.report(Code::InvalidOperands, HirNode::Expr(expr), message);
                }
                (vec![], Ty::Unit)
            }
            M::VecMap => {
                let u = self.new_var(VarKind::General);
                (vec![fn_ty(vec![inner], u.clone())], Ty::Vec(Box::new(u)))
            }
            M::VecFilter => (vec![fn_ty(vec![inner], Ty::Bool)], receiver_ty.clone()),
            M::VecJoin => {
                if !self.unify(&inner, &Ty::String) {
                    let message = format!(
                        "`join` concatenates a `Vec<string>`, not a `{}`",
                        self.display(receiver_ty)
                    );
                    self.report(Code::InvalidOperands, HirNode::Expr(expr), message);
                }
                (vec![Ty::String], Ty::String)
            }
            M::StrByteAt => (vec![i64_ty], Ty::Int(IntTy::U8)),
            M::StrSlice => (vec![i64_ty.clone(), i64_ty], Ty::String),
            M::StrFind => (vec![Ty::String], Ty::Option(Box::new(i64_ty))),
            M::StrContains | M::StrStartsWith | M::StrEndsWith => (vec![Ty::String], Ty::Bool),
            M::StrTrim | M::StrToUpper | M::StrToLower | M::ToString => (vec![], Ty::String),
            M::StrSplit => (vec![Ty::String], Ty::Vec(Box::new(Ty::String))),
            M::StrLines => (vec![], Ty::Vec(Box::new(Ty::String))),
            M::StrRepeat => (vec![i64_ty], Ty::String),
            M::StrToInt => (vec![], Ty::Option(Box::new(i64_ty))),
            M::StrToFloat => (vec![], Ty::Option(Box::new(Ty::Float(crate::ty::FloatTy::F64)))),
            M::ChanSend | M::ChanTrySend => (vec![inner], Ty::Bool),
            M::ChanRecv | M::ChanTryRecv => (vec![], Ty::Option(Box::new(inner))),
            M::ChanClose => (vec![], Ty::Unit),
            M::ChanLen | M::ChanCap => (vec![], Ty::Int(IntTy::I64)),
            M::ChanIsClosed | M::FutureIsReady => (vec![], Ty::Bool),
            M::FutureMap => {
                let u = self.new_var(VarKind::General);
                (vec![fn_ty(vec![inner], u.clone())], Ty::Future(Box::new(u)))
            }
            M::FutureThen => {
                let u = Ty::Future(Box::new(self.new_var(VarKind::General)));
                (vec![fn_ty(vec![inner], u.clone())], u)
            }
            M::IoErrorCode
            | M::IoErrorMessage
            | M::FileRead
            | M::FileReadAll
            | M::FileWrite
            | M::FileClose
            | M::ListenerAccept
            | M::ListenerPort
            | M::ListenerClose
            | M::StreamRead
            | M::StreamWrite
            | M::StreamClose => {
                super::io::io_method_signature(method).expect("the signature of an I/O method")
            }
        };
        self.check_args(expr, &params, args);
        ret
    }

    /// Whether values of `ty` print (LANGUAGE.md §5): primitives, strings, `()`, an
    /// `IoError` (as its message, §13), and `Option`, `Result` and `Vec` of printable
    /// values.
    pub(super) fn printable(&self, ty: &Ty) -> bool {
        match self.shallow(ty) {
            Ty::Int(_)
            | Ty::Float(_)
            | Ty::Bool
            | Ty::String
            | Ty::Unit
            | Ty::Var(..)
            | Ty::Error
            | Ty::Never
            | Ty::Io(IoTy::Error) => true,
            Ty::Option(inner) | Ty::Vec(inner) => self.printable(&inner),
            Ty::Result(ok, err) => self.printable(&ok) && self.printable(&err),
            _ => false,
        }
    }

    pub(super) fn check_printable(&mut self, expr: ExprId, ty: &Ty) {
        if !self.printable(ty) {
            self.result.diagnostics.push(InferDiagnostic {
                code: Code::InvalidOperands,
                message: format!("cannot print a value of type `{}`", self.display(ty)),
                at: HirNode::Expr(expr),
                label: None,
                note: Some(
                    "note: primitive types, `string`, `()`, `IoError`, and `Option`, `Result` and `Vec` of printable values print"
                        .to_owned(),
                ),
                fix: None,
            });
        }
    }
}

/// The source name of a builtin method, for messages.
fn method_name(method: BuiltinMethod) -> &'static str {
    use BuiltinMethod as M;
    match method {
        M::VecPush => "push",
        M::VecPop => "pop",
        M::VecClear => "clear",
        M::VecReverse => "reverse",
        M::VecContains => "contains",
        M::VecIndexOf => "indexOf",
        M::VecSlice => "slice",
        M::VecSort => "sort",
        M::VecMap => "map",
        M::VecFilter => "filter",
        M::VecJoin => "join",
        M::ChanSend => "send",
        M::ChanRecv => "recv",
        _ => "this method",
    }
}
