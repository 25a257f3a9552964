//! The parts of LANGUAGE.md v0.2 that the checker understands but the later stages do
//! not compile yet. v0.2 lands in parts, and until a part has landed in every engine
//! the checker reports its first use in each body as "not supported yet", with a span,
//! rather than letting a program through that no engine runs.
//!
//! [`LANDED`] lists the parts that compile in every engine; the rest are reported.

use crate::body::{Body, ExprId};
use crate::builtins::Builtin;
use crate::diagnostics::Code;
use crate::infer::{HirNode, InferDiagnostic, InferenceResult, Resolution};
use crate::ty::Ty;

/// A part of v0.2, landed as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Files, TCP, `IoError` and the process builtins (§13).
    Io,
}

impl Part {
    fn describe(self) -> &'static str {
        match self {
            Part::Io => "file and TCP I/O, `args`, `getEnv` and `exit`",
        }
    }
}

/// The parts every engine compiles.
pub const LANDED: &[Part] = &[];

/// The first use in `body` of a part that has not landed, as a diagnostic.
pub(crate) fn not_yet_supported(body: &Body, infer: &InferenceResult) -> Option<InferDiagnostic> {
    let (expr, part) = body.exprs.iter().find_map(|(expr, _)| {
        let part = part_of(infer, expr)?;
        (!LANDED.contains(&part)).then_some((expr, part))
    })?;
    Some(InferDiagnostic {
        code: Code::NotSupported,
        message: format!("not supported yet: {} (Vex Core v0.2 lands in parts)", part.describe()),
        at: HirNode::Expr(expr),
        label: None,
        note: None,
        fix: None,
    })
}

/// The part of v0.2 that `expr` uses, if any.
fn part_of(infer: &InferenceResult, expr: ExprId) -> Option<Part> {
    let io = match infer.resolutions.get(expr) {
        Some(Resolution::Builtin(builtin)) => {
            builtin.is_io() || matches!(builtin, Builtin::Args | Builtin::GetEnv | Builtin::Exit)
        }
        Some(Resolution::Method(method)) => method.of_io_type(),
        _ => false,
    };
    (io || type_has_io(infer.type_of_expr(expr))).then_some(Part::Io)
}

/// Whether values of `ty` are or hold I/O values.
fn type_has_io(ty: &Ty) -> bool {
    matches!(ty, Ty::Io(_)) || ty.children().any(type_has_io)
}
