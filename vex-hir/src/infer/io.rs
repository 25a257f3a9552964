//! The signatures of LANGUAGE.md §13: the file and TCP operations (free builtins, the
//! associated functions of `File`, `TcpListener` and `TcpStream`, and the methods of the
//! handles and of `IoError`) and the process builtins `args`, `getEnv` and `exit`.
//!
//! Every operation that can wait gives a `Future` (it starts at once, like calling an
//! `async fn`), so none of them is a suspension point of its own: only `await` waits.
//! Operations that can fail give `Result<T, IoError>`.

use super::InferCtx;
use crate::body::ExprId;
use crate::builtins::{Builtin, BuiltinMethod};
use crate::ty::{IntTy, IoTy, Ty};

/// `Future<Result<ok, IoError>>`.
fn io_future(ok: Ty) -> Ty {
    Ty::Future(Box::new(Ty::Result(Box::new(ok), Box::new(Ty::Io(IoTy::Error)))))
}

/// Parameter and result types of a §13 builtin (free or associated); `None` for the
/// builtins of other sections.
pub(crate) fn io_builtin_signature(builtin: Builtin) -> Option<(Vec<Ty>, Ty)> {
    let string = || Ty::String;
    let port = Ty::Int(IntTy::I64);
    Some(match builtin {
        Builtin::ReadFile => (vec![string()], io_future(Ty::String)),
        Builtin::WriteFile | Builtin::AppendFile => (vec![string(), string()], io_future(Ty::Unit)),
        Builtin::RemoveFile => (vec![string()], io_future(Ty::Unit)),
        Builtin::Exists => (vec![string()], Ty::Future(Box::new(Ty::Bool))),
        Builtin::FileOpen | Builtin::FileCreate | Builtin::FileOpenAppend => {
            (vec![string()], io_future(Ty::Io(IoTy::File)))
        }
        Builtin::TcpBind => (vec![string(), port], io_future(Ty::Io(IoTy::TcpListener))),
        Builtin::TcpConnect => (vec![string(), port], io_future(Ty::Io(IoTy::TcpStream))),
        Builtin::Args => (vec![], Ty::Vec(Box::new(Ty::String))),
        Builtin::GetEnv => (vec![string()], Ty::Option(Box::new(Ty::String))),
        // The exit status, like the result of `main(): i32`.
        Builtin::Exit => (vec![Ty::Int(IntTy::I32)], Ty::Never),
        _ => return None,
    })
}

/// Parameter and result types of a method of an I/O type; `None` for other methods.
pub(crate) fn io_method_signature(method: BuiltinMethod) -> Option<(Vec<Ty>, Ty)> {
    use BuiltinMethod as M;
    let i64_ty = || Ty::Int(IntTy::I64);
    Some(match method {
        M::IoErrorCode => (vec![], i64_ty()),
        M::IoErrorMessage => (vec![], Ty::String),
        M::FileRead | M::StreamRead => (vec![i64_ty()], io_future(Ty::String)),
        M::FileReadAll => (vec![], io_future(Ty::String)),
        // Both write every byte or fail; a file's write also gives the count (§13).
        M::FileWrite => (vec![Ty::String], io_future(i64_ty())),
        M::StreamWrite => (vec![Ty::String], io_future(Ty::Unit)),
        M::FileClose | M::ListenerClose | M::StreamClose => (vec![], Ty::Unit),
        M::ListenerAccept => (vec![], io_future(Ty::Io(IoTy::TcpStream))),
        M::ListenerPort => (vec![], i64_ty()),
        _ => return None,
    })
}

impl InferCtx<'_> {
    /// A call of a §13 builtin with signature `(params, ret)`.
    pub(super) fn infer_io_call(
        &mut self,
        expr: ExprId,
        sig: (Vec<Ty>, Ty),
        args: &[ExprId],
    ) -> Ty {
        let (params, ret) = sig;
        self.check_args(expr, &params, args);
        ret
    }
}
