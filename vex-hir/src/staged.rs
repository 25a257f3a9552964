//! The parts of LANGUAGE.md v0.2 that the checker understands but the later stages do
//! not compile yet. v0.2 lands in parts, and until a part has landed in every engine
//! the checker reports its first use in each body as "not supported yet", with a span,
//! rather than letting a program through that no engine runs.
//!
//! [`LANDED`] lists the parts that compile in every engine; the rest are reported.

use crate::body::{Body, Expr, ExprId, ForIter};
use crate::builtins::{Builtin, BuiltinMethod};
use crate::diagnostics::Code;
use crate::infer::{HirNode, InferDiagnostic, InferenceResult, Resolution};
use crate::ty::Ty;

/// A part of the v0.2 concurrency layer, landed as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `Channel<T>`, its methods, `<-`, sends, `for v in ch` and `select` (§11).
    Channels,
    /// The future combinators and the methods of `Future` (§12).
    Combinators,
}

impl Part {
    fn describe(self) -> &'static str {
        match self {
            Part::Channels => "channels and `select`",
            Part::Combinators => "future combinators",
        }
    }
}

/// The parts every engine compiles.
pub const LANDED: &[Part] = &[Part::Channels];

/// The first use in `body` of a part that has not landed, as a diagnostic.
pub(crate) fn not_yet_supported(body: &Body, infer: &InferenceResult) -> Option<InferDiagnostic> {
    let (expr, part) = body.exprs.iter().find_map(|(expr, _)| {
        let mut parts = Vec::new();
        parts_of(body, infer, expr, &mut parts);
        parts.into_iter().find(|part| !LANDED.contains(part)).map(|part| (expr, part))
    })?;
    Some(InferDiagnostic {
        code: Code::NotSupported,
        message: format!("not supported yet: {} (Vex Core v0.2 lands in parts)", part.describe()),
        at: HirNode::Expr(expr),
        label: None,
        note: None,
    })
}

/// The parts of v0.2 that `expr` uses.
fn parts_of(body: &Body, infer: &InferenceResult, expr: ExprId, out: &mut Vec<Part>) {
    match &body.exprs[expr] {
        Expr::Recv(_) | Expr::Send { .. } | Expr::Select { .. } => out.push(Part::Channels),
        Expr::For { iter: ForIter::Array(iterated), .. }
            if matches!(infer.type_of_expr(*iterated), Ty::Channel(_)) =>
        {
            out.push(Part::Channels)
        }
        _ => {}
    }
    match infer.resolutions.get(expr) {
        Some(Resolution::Builtin(Builtin::ChannelNew)) => out.push(Part::Channels),
        Some(Resolution::Builtin(builtin)) if builtin.is_combinator() => {
            out.push(Part::Combinators)
        }
        Some(Resolution::Method(method)) => {
            use BuiltinMethod as M;
            match method {
                M::ChanSend
                | M::ChanRecv
                | M::ChanTrySend
                | M::ChanTryRecv
                | M::ChanClose
                | M::ChanLen
                | M::ChanCap
                | M::ChanIsClosed => out.push(Part::Channels),
                M::FutureMap | M::FutureThen | M::FutureIsReady => out.push(Part::Combinators),
                _ => {}
            }
        }
        _ => {}
    }
    if type_has_channel(infer.type_of_expr(expr)) {
        out.push(Part::Channels);
    }
}

/// Whether values of `ty` are or hold channels.
fn type_has_channel(ty: &Ty) -> bool {
    matches!(ty, Ty::Channel(_)) || ty.children().any(type_has_channel)
}
