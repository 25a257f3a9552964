//! Re-parsing after an edit gives exactly the tree and errors of a whole parse, reuses
//! the untouched items' green nodes, and takes the incremental path for clean edits.

use crate::reparse::incremental;
use crate::{Parse, parse, reparse};
use proptest::prelude::*;

const PROGRAM: &str = "\
fn one(): i32 {
    1 + 1
}

struct Point {
    x: i32,
}

fn two(): i32 {
    one() * 2
}

async fn three(): i32 {
    two()
}
";

fn same(a: &Parse, b: &Parse) -> bool {
    a.green() == b.green() && a.errors() == b.errors()
}

#[test]
fn an_edit_inside_a_body_reparses_it_and_shares_the_other_items() {
    let old = parse(PROGRAM);
    let text = PROGRAM.replace("one() * 2", "one() * 2 + 40");
    let new = incremental(&old, PROGRAM, &text).expect("a clean edit in a body is incremental");
    assert!(same(&new, &parse(&text)));
    let items = |p: &Parse| -> Vec<*const rowan::GreenNodeData> {
        p.green().children().filter_map(|c| c.into_node()).map(|n| n as *const _).collect()
    };
    let (before, after) = (items(&old), items(&new));
    assert_eq!(after.len(), 4);
    // `one` is before the re-parsed items, `three` after them.
    assert_eq!(before[0], after[0]);
    assert_eq!(before[3], after[3]);
    assert_ne!(before[2], after[2]);
}

#[test]
fn edits_that_break_the_structure_fall_back_to_a_whole_parse() {
    let old = parse(PROGRAM);
    for (from, to) in
        [("one() * 2", "one() * (2"), ("    x: i32,\n}", "    x: i32,\n"), ("fn two", "fn")]
    {
        let text = PROGRAM.replacen(from, to, 1);
        assert!(incremental(&old, PROGRAM, &text).is_none(), "{to:?}");
        assert!(same(&reparse(&old, PROGRAM, &text), &parse(&text)));
    }
}

#[test]
fn clean_edits_of_generated_programs_are_incremental_and_exact() {
    let mut incremental_count = 0;
    for seed in 0..6 {
        let text = crate::testing::large_program(200, seed);
        let old = parse(&text);
        for (at, _) in text.match_indices("{\n").step_by(7) {
            let edited = format!("{}{{\n    let edited = 1{}", &text[..at], &text[at + 1..]);
            let new = reparse(&old, &text, &edited);
            assert!(same(&new, &parse(&edited)), "seed {seed}, edit at {at}");
            incremental_count += usize::from(incremental(&old, &text, &edited).is_some());
        }
    }
    assert!(incremental_count > 20, "only {incremental_count} edits were incremental");
}

/// Edits that change how items nest, or nothing much.
const EDITS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "\"",
    "f\"{",
    "/*",
    "*/",
    "@",
    "\nfn g() {\n",
    "\n}\n",
    "\n",
    "1",
    " ",
    "\nstruct S {}\n",
    "x",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn reparsing_any_edit_equals_parsing(
        seed in 0u64..1000,
        at in 0.0f64..1.0,
        edit in 0..EDITS.len(),
        delete in 0usize..4,
    ) {
        let text = crate::testing::large_program(80, seed);
        let old = parse(&text);
        let mut at = (at * text.len() as f64) as usize;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + delete).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let edited = format!("{}{}{}", &text[..at], EDITS[edit], &text[end..]);
        prop_assert!(same(&reparse(&old, &text, &edited), &parse(&edited)), "edit at {}: {:?}", at, EDITS[edit]);
        // And back again, from a tree that may have errors.
        let again = reparse(&parse(&edited), &edited, &text);
        prop_assert!(same(&again, &old));
    }
}
