//! DWARF line information for generated code: one compile unit per module, a file per
//! source path, a subprogram per function and a location (file, line, column) for each
//! instruction, so debuggers, profilers and backtraces map machine code back to `.vx`
//! source. Code generation calls [`DebugInfo::subprogram`] when it starts a function and
//! [`DebugInfo::set_location`] before the instructions of each statement.
//!
//! Subprograms and line tables are emitted (no variable or type descriptions yet):
//! debuggers name frames after the Vex functions (`helper`, `work.resume`) rather than
//! the ELF symbols (`vex.helper`). This file must
//! not decide where locations come from; it receives plain file/line/column numbers
//! (1-based, as the IR carries them).

use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::debug_info::{
    AsDIScope, DICompileUnit, DIFile, DIFlags, DIFlagsConstants, DILocation, DISubprogram,
    DWARFEmissionKind, DWARFSourceLanguage, DebugInfoBuilder, debug_metadata_version,
};
use inkwell::module::{FlagBehavior, Module};
use inkwell::values::FunctionValue;
use std::collections::HashMap;
use std::path::Path;

/// The DWARF version written into objects.
pub const DWARF_VERSION: u64 = 5;

/// The debug-information builder of one module.
#[derive(Debug)]
pub struct DebugInfo<'ctx> {
    context: &'ctx Context,
    builder: DebugInfoBuilder<'ctx>,
    compile_unit: DICompileUnit<'ctx>,
    files: HashMap<String, DIFile<'ctx>>,
    optimized: bool,
}

/// Splits a path into the (file name, directory) pair DWARF wants.
fn split_path(path: &str) -> (String, String) {
    let path = Path::new(path);
    let name = path
        .file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let dir = path.parent().map(|d| d.display().to_string()).unwrap_or_default();
    (name, dir)
}

impl<'ctx> DebugInfo<'ctx> {
    /// Starts debug information for `module`, whose compile unit is named after
    /// `main_file` (the file of the program's entry). `optimized` tells debuggers that
    /// locations may be approximate.
    pub fn new(
        context: &'ctx Context,
        module: &Module<'ctx>,
        main_file: &str,
        optimized: bool,
    ) -> DebugInfo<'ctx> {
        let i32_type = context.i32_type();
        let version = i32_type.const_int(u64::from(debug_metadata_version()), false);
        module.add_basic_value_flag("Debug Info Version", FlagBehavior::Warning, version);
        let dwarf = i32_type.const_int(DWARF_VERSION, false);
        module.add_basic_value_flag("Dwarf Version", FlagBehavior::Warning, dwarf);
        let (name, dir) = split_path(main_file);
        // Vex has no DWARF language code; C is what debuggers handle best for code
        // with C calling conventions and plain structs.
        let (builder, compile_unit) = module.create_debug_info_builder(
            true,
            DWARFSourceLanguage::C,
            &name,
            &dir,
            concat!("vex ", env!("CARGO_PKG_VERSION")),
            optimized,
            "",
            0,
            "",
            // Full, not line-tables-only: only then does LLVM write the subprogram DIEs
            // that give frames their Vex names (no variables are described either way).
            DWARFEmissionKind::Full,
            0,
            false,
            false,
            "",
            "",
        );
        let mut files = HashMap::new();
        files.insert(main_file.to_string(), compile_unit.get_file());
        DebugInfo { context, builder, compile_unit, files, optimized }
    }

    /// The DWARF file for a source path (created once per path).
    pub fn file(&mut self, path: &str) -> DIFile<'ctx> {
        if let Some(file) = self.files.get(path) {
            return *file;
        }
        let (name, dir) = split_path(path);
        let file = self.builder.create_file(&name, &dir);
        self.files.insert(path.to_string(), file);
        file
    }

    /// Describes `function` (named `name` in source, defined at `path:line`) and
    /// attaches the description. Every call instruction in a described function must
    /// then carry a location (LLVM's verifier insists), so set one with
    /// [`DebugInfo::set_location`] before emitting the body.
    pub fn subprogram(
        &mut self,
        function: FunctionValue<'ctx>,
        name: &str,
        path: &str,
        line: u32,
    ) -> DISubprogram<'ctx> {
        let file = self.file(path);
        let signature = self.builder.create_subroutine_type(file, None, &[], DIFlags::ZERO);
        // No linkage name: debuggers and profilers would prefer (and mangle) the
        // symbol `vex.F`; the source name is what people should see.
        let subprogram = self.builder.create_function(
            self.compile_unit.as_debug_info_scope(),
            name,
            None,
            file,
            line,
            signature,
            true,
            true,
            line,
            DIFlags::ZERO,
            self.optimized,
        );
        function.set_subprogram(subprogram);
        subprogram
    }

    /// A location in `scope` (a subprogram).
    pub fn location(&self, scope: DISubprogram<'ctx>, line: u32, column: u32) -> DILocation<'ctx> {
        self.builder.create_debug_location(
            self.context,
            line,
            column,
            scope.as_debug_info_scope(),
            None,
        )
    }

    /// Makes `builder` attach `line:column` in `scope` to the instructions it builds next.
    pub fn set_location(
        &self,
        builder: &Builder<'ctx>,
        scope: DISubprogram<'ctx>,
        line: u32,
        column: u32,
    ) {
        builder.set_current_debug_location(self.location(scope, line, column));
    }

    /// Resolves the descriptions; call once, after the last function was generated and
    /// before the module is verified, optimised or emitted.
    pub fn finalize(self) {
        self.builder.finalize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{RtFn, RuntimeAbi};
    use crate::{HostTarget, OptLevel, TargetOptions};

    /// `fn twice(x: i64): i64` in `src/demo.vx` line 3, with a runtime call on line 4
    /// and the return on line 5.
    fn described_module<'ctx>(context: &'ctx Context, target: &HostTarget) -> Module<'ctx> {
        let module = context.create_module("described");
        target.configure(&module);
        let abi = RuntimeAbi::new(context, &target.target_data());
        let mut debug = DebugInfo::new(context, &module, "src/main.vx", false);
        let i64_type = context.i64_type();
        let function =
            module.add_function("twice", i64_type.fn_type(&[i64_type.into()], false), None);
        let scope = debug.subprogram(function, "twice", "src/demo.vx", 3);
        let builder = context.create_builder();
        builder.position_at_end(context.append_basic_block(function, "entry"));
        let x = function.get_nth_param(0).unwrap().into_int_value();
        debug.set_location(&builder, scope, 4, 9);
        builder.build_call(abi.declare(&module, RtFn::NowMs), &[], "now").unwrap();
        debug.set_location(&builder, scope, 5, 12);
        let doubled = builder.build_int_add(x, x, "doubled").unwrap();
        builder.build_return(Some(&doubled)).unwrap();
        debug.finalize();
        module
    }

    #[test]
    fn functions_and_instructions_carry_their_source_positions() {
        let target = HostTarget::new(TargetOptions::default()).unwrap();
        let context = Context::create();
        let module = described_module(&context, &target);
        module.verify().unwrap();
        let text = module.print_to_string().to_string();
        for expected in [
            "distinct !DISubprogram(name: \"twice\"",
            "!DIFile(filename: \"demo.vx\", directory: \"src\")",
            "!DIFile(filename: \"main.vx\", directory: \"src\")",
            "!DILocation(line: 4, column: 9",
            "!DILocation(line: 5, column: 12",
            "emissionKind: FullDebug",
            "!\"Dwarf Version\", i32 5",
        ] {
            assert!(text.contains(expected), "missing {expected}:\n{text}");
        }
    }

    #[test]
    fn objects_contain_line_tables_and_the_jit_accepts_described_code() {
        let target = HostTarget::new(TargetOptions::default()).unwrap();
        let context = Context::create();
        let module = described_module(&context, &target);
        let object = crate::aot::emit_object(&module, &target).unwrap();
        let contains = |needle: &[u8]| object.windows(needle.len()).any(|w| w == needle);
        assert!(contains(b".debug_line"));
        assert!(contains(b"demo.vx"));
        let jit = crate::Jit::new(module, OptLevel::O0).unwrap();
        // SAFETY: twice is i64 (i64); now_ms works without a runtime.
        let twice = unsafe { jit.function::<unsafe extern "C" fn(i64) -> i64>("twice") }.unwrap();
        // SAFETY: as above.
        assert_eq!(unsafe { twice.call(21) }, 42);
    }

    #[test]
    fn split_path_separates_name_and_directory() {
        assert_eq!(split_path("a/b/c.vx"), ("c.vx".to_string(), "a/b".to_string()));
        assert_eq!(split_path("c.vx"), ("c.vx".to_string(), String::new()));
    }
}
