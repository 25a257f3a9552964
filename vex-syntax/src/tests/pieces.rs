//! A file parsed in pieces on several threads gives exactly the tree and the errors of
//! parsing it in one go: on generated programs, and on the same programs damaged by
//! edits that unbalance brackets, open strings and comments or add items mid-block.

use crate::{debug_dump, parse_in_pieces};
use proptest::prelude::*;

/// The tree dump and errors of `text` cut into at most `max_pieces` pieces (pieces as
/// small as the cuts allow), next to those of one parse.
fn both(text: &str, max_pieces: usize) -> (String, String) {
    let render = |parse: crate::Parse| {
        let mut out = debug_dump(&parse.syntax_node());
        for error in parse.errors() {
            out.push_str(&format!("error {:?}: {}\n", error.range(), error.message()));
        }
        out
    };
    (render(parse_in_pieces(text, 1, max_pieces)), render(parse_in_pieces(text, usize::MAX, 1)))
}

/// Edits that change how items nest when dropped anywhere.
const EDITS: &[&str] =
    &["{", "}", "(", ")", "[", "\"", "f\"{", "/*", "*/", "@", "\nfn g() {\n", "\n}\n", "\n"];

#[test]
fn pieces_of_generated_programs_parse_as_one() {
    for seed in 0..8 {
        let text = crate::testing::large_program(300, seed);
        for max_pieces in [2, 3, 7, 16] {
            let (pieces, whole) = both(&text, max_pieces);
            assert!(pieces == whole, "seed {seed}, {max_pieces} pieces: trees differ");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn pieces_of_damaged_programs_parse_as_one(
        seed in 0u64..1000,
        edits in prop::collection::vec((0.0f64..1.0, 0..EDITS.len(), any::<bool>()), 1..4),
        max_pieces in 2usize..9,
    ) {
        let mut text = crate::testing::large_program(120, seed);
        for (at, edit, delete) in edits {
            let mut at = (at * text.len() as f64) as usize;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            if delete && at < text.len() {
                text.remove(at);
            } else {
                text.insert_str(at, EDITS[edit]);
            }
        }
        let (pieces, whole) = both(&text, max_pieces);
        prop_assert!(pieces == whole, "trees differ for:\n{}", text);
    }
}
