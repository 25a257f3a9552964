//! The parts of LANGUAGE.md v0.2 that the checker understands but the later stages do
//! not compile yet. v0.2 lands in parts, and until a part has landed everywhere the
//! checker reports its first use in each body as "not supported yet", with a span
//! (LANGUAGE.md, introduction), rather than letting a program through that no engine
//! runs.
//!
//! [`LANDED`] lists the parts that compile in every engine; the rest are reported.

use crate::body::{BinaryOp, Body, Expr, ExprId};
use crate::builtins::{Builtin, BuiltinMethod};
use crate::diagnostics::Code;
use crate::infer::{HirNode, InferDiagnostic, InferenceResult, Resolution};
use crate::ty::Ty;

/// A part of the v0.2 value layer, landed as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `Option`, `Result`, `?`, `??`, `if let`, `while let` and their methods.
    OptionResult,
    /// Function types, named functions as values, closures.
    Functions,
    /// `Vec<T>` and its methods.
    Vecs,
    /// The methods of `string` and `toString`.
    StringMethods,
}

impl Part {
    fn describe(self) -> &'static str {
        match self {
            Part::OptionResult => "`Option` and `Result`",
            Part::Functions => "function values and closures",
            Part::Vecs => "`Vec`",
            Part::StringMethods => "string methods",
        }
    }
}

/// The parts every engine compiles.
pub const LANDED: &[Part] = &[Part::OptionResult, Part::Functions, Part::Vecs, Part::StringMethods];

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
        Expr::Closure { .. } => out.push(Part::Functions),
        Expr::Try(_) | Expr::Let { .. } => out.push(Part::OptionResult),
        Expr::Binary { op: BinaryOp::Coalesce, .. } => out.push(Part::OptionResult),
        _ => {}
    }
    match infer.resolutions.get(expr) {
        Some(Resolution::BuiltinVariant(_)) => out.push(Part::OptionResult),
        Some(Resolution::Builtin(
            Builtin::VecNew | Builtin::VecWithCapacity | Builtin::VecFrom,
        )) => out.push(Part::Vecs),
        Some(Resolution::Method(method)) => out.push(method_part(*method)),
        _ => {}
    }
    type_parts(infer.type_of_expr(expr), out);
}

fn method_part(method: BuiltinMethod) -> Part {
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
        | M::ResultErr => Part::OptionResult,
        // They call a function value.
        M::OptionOrElse
        | M::OptionMap
        | M::OptionAndThen
        | M::OptionFilter
        | M::ResultOrElse
        | M::ResultMap
        | M::ResultMapErr
        | M::ResultAndThen => Part::Functions,
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
        | M::VecJoin => Part::Vecs,
        _ => Part::StringMethods,
    }
}

/// The parts values of type `ty` need.
fn type_parts(ty: &Ty, out: &mut Vec<Part>) {
    match ty {
        Ty::Option(_) | Ty::Result(..) => out.push(Part::OptionResult),
        Ty::Fn(_) => out.push(Part::Functions),
        Ty::Vec(_) => out.push(Part::Vecs),
        _ => {}
    }
    for child in ty.children() {
        type_parts(child, out);
    }
}
