//! Files, TCP and the process builtins (LANGUAGE.md §13).
//!
//! Every operation that can wait is one runtime call that spawns the operation's task
//! and returns its future ([`RtOp::IoReadFile`] …), awaited like any other future, so
//! nothing here suspends: `await readFile(p)?` is a call, an `Await` and a `?`. The
//! operands (paths, hosts, data, handles) are borrowed by the runtime, which keeps what
//! it needs: temporaries are dropped after the call as usual. Handles and `IoError`s
//! are reference counted ([`Type::Io`]); `close()`, `port()`, `code()` and `message()`
//! are plain calls.
//!
//! `exit(code)` ends the program: its block ends in [`Terminator::Unreachable`] after
//! the call, as a panic ends its block, and nothing is released on the way (a program
//! that exits is abandoned whole, like one that panics).

use super::*;

impl<'a, 'b> Builder<'a, 'b> {
    /// A §13 builtin: the free functions, `File.open`/`create`/`openAppend`,
    /// `TcpListener.bind`, `TcpStream.connect`, `args`, `getEnv` and `exit`.
    pub(super) fn io_builtin(&mut self, builtin: Builtin, args: &[ExprId], ty: Type) -> Val {
        let op = match builtin {
            Builtin::ReadFile => RtOp::IoReadFile,
            Builtin::WriteFile => RtOp::IoWriteFile,
            Builtin::AppendFile => RtOp::IoAppendFile,
            Builtin::RemoveFile => RtOp::IoRemoveFile,
            Builtin::Exists => RtOp::IoExists,
            Builtin::FileOpen => RtOp::IoFileOpen,
            Builtin::FileCreate => RtOp::IoFileCreate,
            Builtin::FileOpenAppend => RtOp::IoFileOpenAppend,
            Builtin::TcpBind => RtOp::IoTcpBind,
            Builtin::TcpConnect => RtOp::IoTcpConnect,
            Builtin::Args => RtOp::Args,
            Builtin::GetEnv => RtOp::GetEnv,
            _ => return self.exit_call(args),
        };
        let operands = self.borrowed_operands(args);
        self.io_call(op, Vec::new(), operands, ty)
    }

    /// A method of `IoError`, `File`, `TcpListener` or `TcpStream`.
    pub(super) fn io_method(
        &mut self,
        method: BuiltinMethod,
        receiver: ExprId,
        args: &[ExprId],
        ty: Type,
    ) -> Val {
        use BuiltinMethod as M;
        let op = match method {
            M::IoErrorCode => RtOp::IoErrorCode,
            M::IoErrorMessage => RtOp::IoErrorMessage,
            M::FileRead => RtOp::IoFileRead,
            M::FileReadAll => RtOp::IoFileReadAll,
            M::FileWrite => RtOp::IoFileWrite,
            M::ListenerAccept => RtOp::IoTcpAccept,
            M::ListenerPort => RtOp::IoListenerPort,
            M::StreamRead => RtOp::IoTcpRead,
            M::StreamWrite => RtOp::IoTcpWrite,
            _ => RtOp::IoClose,
        };
        let handle = self.expr(receiver);
        let handle = self.hold(handle, args);
        let operands = self.borrowed_operands(args);
        self.io_call(op, vec![handle], operands, ty)
    }

    /// The operands of a call, left to right, each kept as it was when it
    /// was evaluated (see [`Self::hold`]); borrowed, not owned.
    fn borrowed_operands(&mut self, args: &[ExprId]) -> Vec<Val> {
        (0..args.len())
            .map(|i| {
                let v = self.expr(args[i]);
                self.hold(v, &args[i + 1..])
            })
            .collect()
    }

    /// Calls `op` on the receiver (if any) and the operands, then drops the temporaries
    /// among them: the runtime retains what it keeps. The result (a future, a string,
    /// a vector, an option, an integer) is a new temporary.
    fn io_call(&mut self, op: RtOp, receiver: Vec<Val>, operands: Vec<Val>, ty: Type) -> Val {
        let all: Vec<Val> = receiver.into_iter().chain(operands).collect();
        let ops = all.iter().map(Val::op).collect();
        let value = if ty == Type::Unit {
            self.push(Stmt::Runtime { dest: None, op, args: ops });
            UNIT
        } else {
            self.runtime_value(op, ops, ty)
        };
        for v in all {
            self.drop_val(v);
        }
        value
    }

    /// `exit(code)`: the call, then the end of the block.
    fn exit_call(&mut self, args: &[ExprId]) -> Val {
        let code = match args.first() {
            Some(&a) => self.expr_operand(a),
            None => Operand::int(0, IntTy::I32),
        };
        self.push(Stmt::Runtime { dest: None, op: RtOp::Exit, args: vec![code] });
        self.terminate(Terminator::Unreachable);
        UNIT
    }
}
