//! Target machines for the host: LLVM initialisation (once per process), the host
//! triple, CPU and features, the optimisation level and the data layout every module
//! must carry. It must not generate code; it only describes where code will run.

use crate::Error;
use inkwell::OptimizationLevel;
use inkwell::attributes::AttributeLoc;
use inkwell::module::Module;
use inkwell::targets::{
    CodeModel, InitializationConfig, RelocMode, Target, TargetData, TargetMachine, TargetTriple,
};
use std::sync::OnceLock;

pub use vex_async_lower::backend::OptLevel;

/// The new pass manager's pipeline text for `level` (`default<O2>`).
pub fn pipeline(level: OptLevel) -> &'static str {
    match level {
        OptLevel::O0 => "default<O0>",
        OptLevel::O1 => "default<O1>",
        OptLevel::O2 => "default<O2>",
        _ => "default<O3>",
    }
}

/// The code generator's level for `level`.
pub fn codegen_level(level: OptLevel) -> OptimizationLevel {
    match level {
        OptLevel::O0 => OptimizationLevel::None,
        OptLevel::O1 => OptimizationLevel::Less,
        OptLevel::O2 => OptimizationLevel::Default,
        _ => OptimizationLevel::Aggressive,
    }
}

/// Options of a [`HostTarget`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TargetOptions {
    /// Code generator level (the IR pipeline is chosen separately, see `opt`).
    pub opt_level: OptLevel,
    /// Tune for and use every feature of this machine's CPU (JIT); otherwise generic
    /// code for the host architecture (portable executables).
    pub native_cpu: bool,
}

/// A target machine for the machine this process runs on. Position-independent code,
/// so objects can be linked into PIE executables.
#[derive(Debug)]
pub struct HostTarget {
    machine: TargetMachine,
    options: TargetOptions,
}

/// Initialises LLVM's native target, asm printer and parser once per process.
pub fn initialize_native() -> Result<(), Error> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| Target::initialize_native(&InitializationConfig::default()))
        .clone()
        .map_err(Error::Llvm)
}

impl HostTarget {
    /// Creates a target machine for the host.
    pub fn new(options: TargetOptions) -> Result<HostTarget, Error> {
        initialize_native()?;
        let triple = TargetMachine::get_default_triple();
        let target = Target::from_triple(&triple).map_err(Error::llvm)?;
        let (cpu, features) = if options.native_cpu {
            (
                TargetMachine::get_host_cpu_name().to_string(),
                TargetMachine::get_host_cpu_features().to_string(),
            )
        } else {
            (String::new(), String::new())
        };
        let machine = target
            .create_target_machine(
                &triple,
                &cpu,
                &features,
                codegen_level(options.opt_level),
                RelocMode::PIC,
                CodeModel::Default,
            )
            .ok_or_else(|| Error::Llvm(format!("no target machine for {triple}")))?;
        Ok(HostTarget { machine, options })
    }

    /// The LLVM target machine.
    pub fn machine(&self) -> &TargetMachine {
        &self.machine
    }

    /// The options this target was created with.
    pub fn options(&self) -> &TargetOptions {
        &self.options
    }

    /// The target triple (`x86_64-pc-linux-gnu`, ...).
    pub fn triple(&self) -> TargetTriple {
        self.machine.get_triple()
    }

    /// Sizes, alignments and offsets of types on this target.
    pub fn target_data(&self) -> TargetData {
        self.machine.get_target_data()
    }

    /// Gives `module` this target's triple and data layout. Every module must get them
    /// before its types are measured or its code is emitted.
    pub fn configure(&self, module: &Module<'_>) {
        module.set_triple(&self.triple());
        module.set_data_layout(&self.target_data().get_data_layout());
    }

    /// For a target of this machine's own CPU (`native_cpu`), marks every function
    /// defined in `module` with the CPU and its features (`target-cpu`,
    /// `target-features`), as clang does. MCJIT makes its own target machine for the
    /// generic host CPU; these attributes are what make its code generator use the
    /// instructions the optimiser planned for (AVX2 vectors rather than SSE2). Call it
    /// after code generation, before optimising.
    pub fn mark_functions(&self, module: &Module<'_>) {
        if !self.options.native_cpu {
            return;
        }
        let context = module.get_context();
        let cpu = self.machine.get_cpu().to_string();
        let features = self.machine.get_feature_string().to_string_lossy().into_owned();
        let cpu = context.create_string_attribute("target-cpu", &cpu);
        let features = context.create_string_attribute("target-features", &features);
        for function in module.get_functions() {
            if function.count_basic_blocks() > 0 {
                function.add_attribute(AttributeLoc::Function, cpu);
                function.add_attribute(AttributeLoc::Function, features);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inkwell::context::Context;

    /// JIT code is marked for this machine's CPU (so MCJIT emits its instructions);
    /// portable executables are not; declarations never are.
    #[test]
    fn native_targets_mark_defined_functions() {
        let context = Context::create();
        for native_cpu in [true, false] {
            let module = context.create_module("m");
            let fn_type = context.void_type().fn_type(&[], false);
            let defined = module.add_function("defined", fn_type, None);
            let builder = context.create_builder();
            builder.position_at_end(context.append_basic_block(defined, "entry"));
            builder.build_return(None).unwrap();
            let declared = module.add_function("declared", fn_type, None);
            let target =
                HostTarget::new(TargetOptions { opt_level: OptLevel::O2, native_cpu }).unwrap();
            target.mark_functions(&module);
            let cpu = |f: inkwell::values::FunctionValue<'_>| {
                f.get_string_attribute(AttributeLoc::Function, "target-cpu")
                    .map(|a| a.get_string_value().to_string_lossy().into_owned())
            };
            if native_cpu {
                let host = TargetMachine::get_host_cpu_name().to_string();
                assert_eq!(cpu(defined), Some(host));
            } else {
                assert_eq!(cpu(defined), None);
            }
            assert_eq!(cpu(declared), None);
        }
    }
}
