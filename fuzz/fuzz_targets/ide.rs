//! Fuzz target `ide`: any UTF-8 input, as a one-file program, answers every editor
//! request of `vex::ide` at positions spread over it (inside characters and past the end
//! included) without panicking, and a definition's focus is its name.

#![no_main]

use libfuzzer_sys::fuzz_target;
use vex::syntax::TextSize;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut compiler = vex::Compiler::new();
    compiler.set_file("main.vx", text);
    let analysis = compiler.analysis();
    let end = text.len() as u32 + 1;
    for i in 0..8u32 {
        let offset = TextSize::new(i.wrapping_mul(2_654_435_761).wrapping_add(i * 7) % (end + 1));
        let _ = analysis.hover("main.vx", offset).unwrap();
        for target in analysis.definition("main.vx", offset).unwrap() {
            let source = analysis.file_text(&target.path).unwrap();
            if target.name != "{missing}" {
                assert_eq!(&source[target.focus_range], target.name, "definition at {offset:?}");
            }
        }
        let _ = analysis.completions("main.vx", offset).unwrap();
        let _ = analysis.references("main.vx", offset, true).unwrap();
        let _ = analysis.rename("main.vx", offset, "renamed").unwrap();
    }
    let _ = analysis.symbols("main.vx").unwrap();
    let _ = analysis.diagnostics("main.vx").unwrap();
    let _ = analysis.format("main.vx").unwrap();
});
