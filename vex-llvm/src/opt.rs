//! The optimisation pipeline: LLVM's new pass manager with the standard `default<ON>`
//! pipelines, run on a whole module for the host target, and the one decision taken
//! before LLVM sees the code: which small self-recursive functions codegen emits twice
//! so that the inliner unrolls their recursion ([`unrolls_recursion`]), and the one
//! step taken after it: placing the loop checks of in-process code. It must not change
//! what a module means, only how fast it runs.

use crate::{Error, HostTarget, OptLevel};
use inkwell::module::Module;
use inkwell::passes::PassBuilderOptions;
use vex_async_lower::ir::{self, FunctionKind, Stmt};

/// Largest function (in IR statements) whose recursion [`unrolls_recursion`] unrolls.
pub const MAX_UNROLLED_RECURSION_STMTS: usize = 48;

/// Whether codegen should emit `function` with a twin at `level`: at -O 2 and -O 3, an
/// ordinary function that calls itself and is small. The original calls the twin and
/// the twin calls the original, so LLVM's inliner folds the twin in and every level of
/// the recursion does two levels of work (gcc's recursive inlining); pure calls that
/// then repeat (fib's `f(n - 3)`) are merged by GVN.
pub fn unrolls_recursion(function: &ir::Function, level: OptLevel) -> bool {
    if !matches!(level, OptLevel::O2 | OptLevel::O3) || function.kind != FunctionKind::Sync {
        return false;
    }
    let stmts = || function.blocks.iter().flat_map(|b| b.stmts.iter());
    stmts().count() <= MAX_UNROLLED_RECURSION_STMTS
        && stmts().any(|s| matches!(s, Stmt::Call { func, .. } if *func == function.name))
}

/// Runs the `default<ON>` pipeline of `level` over `module` for `target`, then places
/// the loop checks codegen asked for (they must not exist while the pipeline runs: see
/// `codegen::loop_checks`). The module must already be valid; with `verify_each`, LLVM
/// checks it after every pass (slow, for debugging the backend).
pub fn optimize(
    module: &Module<'_>,
    target: &HostTarget,
    level: OptLevel,
    verify_each: bool,
) -> Result<(), Error> {
    target.configure(module);
    let options = PassBuilderOptions::create();
    options.set_verify_each(verify_each);
    // Vectorisation belongs to the levels that ask for it (clang's choice).
    let vectorize = matches!(level, OptLevel::O2 | OptLevel::O3);
    options.set_loop_vectorization(vectorize);
    options.set_loop_slp_vectorization(vectorize);
    options.set_loop_interleaving(vectorize);
    module
        .run_passes(crate::target::pipeline(level), target.machine(), options)
        .map_err(Error::llvm)?;
    crate::codegen::add_loop_checks(module, target.machine(), level != OptLevel::O0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TargetOptions;
    use crate::testing::{Ending, loop_module, sleepy_program};
    use inkwell::context::Context;
    use inkwell::values::AnyValue;

    #[test]
    fn every_level_keeps_the_module_valid() {
        let target = HostTarget::new(TargetOptions::default()).unwrap();
        for level in OptLevel::ALL {
            let context = Context::create();
            let module = sleepy_program(&context, Ending::Exit(3), true);
            optimize(&module, &target, level, true).unwrap();
            module.verify().unwrap();
        }
    }

    #[test]
    fn higher_levels_promote_stack_slots_and_keep_the_meaning() {
        let target = HostTarget::new(TargetOptions::default()).unwrap();
        for level in OptLevel::ALL {
            let context = Context::create();
            let module = loop_module(&context);
            optimize(&module, &target, level, false).unwrap();
            let function = module.get_function("sum_below").unwrap();
            let text = function.print_to_string().to_string();
            let allocas = text.matches(" = alloca ").count();
            let expected = if level == OptLevel::O0 { 2 } else { 0 };
            assert_eq!(allocas, expected, "{level:?}:\n{text}");
            let jit = crate::Jit::new(module, OptLevel::O0).unwrap();
            // SAFETY: sum_below is i64 (i64).
            let sum = unsafe { jit.function::<unsafe extern "C" fn(i64) -> i64>("sum_below") };
            // SAFETY: as above.
            assert_eq!(unsafe { sum.unwrap().call(10) }, 45, "{level:?}");
        }
    }
}
