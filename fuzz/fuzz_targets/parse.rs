//! Fuzz target `parse`: any byte string that is UTF-8 must parse without panicking, and
//! the tree must give back exactly the input text (and print and dump without trouble).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let parse = vex_syntax::parse(text);
        let root = parse.syntax_node();
        assert_eq!(root.to_string(), text);
        let dump = vex_syntax::debug_dump(&root);
        assert!(dump.starts_with("SOURCE_FILE@"));
        for error in parse.errors() {
            assert!(usize::from(error.range().end()) <= text.len());
        }
    }
});
