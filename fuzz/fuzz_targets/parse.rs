//! Fuzz target `parse`: any byte string that is UTF-8 must parse without panicking, and
//! the tree must give back exactly the input text (and print and dump without trouble);
//! cut into pieces parsed on several threads, as large files are, it must give the same
//! tree and errors; and re-parsing after an edit (a slice of the input removed, then put
//! back) must give the tree and errors of parsing the edited text.

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
        let in_pieces = vex_syntax::parse_in_pieces(text, 1, 4);
        assert!(in_pieces == parse, "parsing in pieces changed the tree or the errors");

        let boundary = |mut at: usize| {
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let (cut_start, cut_end) = (boundary(text.len() / 3), boundary(text.len() / 2));
        let edited = format!("{}{}", &text[..cut_start], &text[cut_end..]);
        let reparsed = vex_syntax::reparse(&parse, text, &edited);
        assert!(reparsed == vex_syntax::parse(&edited), "re-parsing the edit differs");
        let back = vex_syntax::reparse(&reparsed, &edited, text);
        assert!(back == parse, "re-parsing the edit undone differs");
    }
});
