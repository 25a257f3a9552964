//! The coroutine transform: each `async fn` (and `go` block) becomes a state struct, a
//! resume function and a wrapper.
//!
//! Input: a [`FunctionKind::Async`] function straight from `build`, whose suspension
//! points are wait terminators (`Await`, `Sleep`, `Yield`), each with a `next` and a
//! `cancel` edge, and whose cancel paths end in `CancelExit`.
//!
//! Output, for `async fn F(args) -> T`:
//! - `F.state`: tag (`u8`; `u16` beyond 252 suspension points), result slot, one field
//!   per saved local (fields of locals never saved at the same suspension share bytes);
//! - `F.resume(state) -> CoroStatus`: state 0 is the start, states 1..=n follow the
//!   suspension points in block order, tag values `done` and `poisoned` are reserved
//!   and trap like any other unknown value; `poisoned` is written at resume entry and
//!   stays until the resume suspends or finishes (see [`split`]);
//! - `F(args) -> Future<T>`: the wrapper.
//!
//! The steps, each in its module: [`liveness`] → [`saved_locals`] → [`layout`] →
//! [`split`]. After them no wait terminator is left, and state access is explicit
//! (`LoadState`/`StoreState`), so a backend needs no knowledge of coroutines.

pub mod layout;
pub mod liveness;
pub mod saved_locals;
pub mod split;

use crate::ir::*;

pub use layout::StateLayout;
pub use saved_locals::{SavedLocals, Suspension};

/// Everything the transform decided about one coroutine (for tests and tools).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoroInfo {
    /// The normalised input function (await futures are whole locals).
    pub function: Function,
    /// Saved locals at the start and at each suspension.
    pub saved: SavedLocals,
    /// The state layout.
    pub layout: StateLayout,
}

/// The result of transforming one coroutine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transformed {
    /// What was decided.
    pub info: CoroInfo,
    /// The resume function.
    pub resume: Function,
    /// The wrapper.
    pub wrapper: Function,
    /// `F.drop_result`, when the result holds references.
    pub drop_result: Option<Function>,
}

/// Makes every awaited future a whole local (a temporary when it is not).
fn normalise(function: &Function, types: &TypeDefs) -> Function {
    let mut f = function.clone();
    for b in 0..f.blocks.len() {
        if let Terminator::Await { future, .. } = &f.blocks[b].term {
            let whole = matches!(future, Operand::Copy(p) if p.proj.is_empty());
            if !whole {
                let ty = f.operand_ty(future, types).unwrap_or(Type::Unit);
                f.locals.push(LocalDecl { name: "child".into(), ty });
                let t = LocalId(f.locals.len() as u32 - 1);
                let Terminator::Await { future, .. } = &mut f.blocks[b].term else { continue };
                let old = std::mem::replace(future, Operand::local(t));
                let loc = f.blocks[b].term_loc;
                f.blocks[b].push(Stmt::Assign(Place::local(t), Rvalue::Use(old)), loc);
            }
        }
    }
    f
}

/// One body after the coroutine transform: functions and the state structs they use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lowered {
    /// Sync functions as built; for each coroutine its resume function and wrapper.
    pub functions: Vec<Function>,
    /// The structs its functions use: the state struct of each coroutine, and the
    /// environments of its closures.
    pub structs: Vec<StructDef>,
}

/// Runs the pipeline on one async function.
pub fn transform(function: &Function, types: &TypeDefs) -> Transformed {
    let function = normalise(function, types);
    let liveness = liveness::liveness(&function);
    let saved = saved_locals::saved_locals(&function, &liveness);
    let layout = layout::layout(&function, &saved, &format!("{}.state", function.name), types);
    let info = CoroInfo { function, saved, layout };
    let resume = split::resume_function(&info.function, &info, types);
    let wrapper = split::wrapper_function(&info.function, &info, types);
    let drop_result = split::drop_result_function(&info.function, &info, types);
    Transformed { info, resume, wrapper, drop_result }
}

/// Transforms every async function of a list; others are kept as they are.
pub fn transform_all(functions: &[Function], types: &TypeDefs) -> Lowered {
    let mut out = Lowered::default();
    for function in functions {
        if function.kind == FunctionKind::Async {
            let t = transform(function, types);
            out.structs.push(t.info.layout.def.clone());
            out.functions.push(t.wrapper);
            out.functions.push(t.resume);
            out.functions.extend(t.drop_result);
        } else {
            out.functions.push(function.clone());
        }
    }
    out
}
