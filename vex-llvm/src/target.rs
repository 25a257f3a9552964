//! Target machines for the host: LLVM initialisation (once per process), the host
//! triple, CPU and features, the optimisation level and the data layout every module
//! must carry. It must not generate code; it only describes where code will run.

use crate::Error;
use inkwell::OptimizationLevel;
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
}
