//! Linear-time and bounded-stack guarantees on pathological inputs: deep nesting and
//! very long operator chains must give a tree (with errors where the input is wrong or
//! nests deeper than the parser's limits: 256 levels, 4096 chain links) without
//! overflowing the default 2 MB test-thread stack while parsing, printing or dropping
//! the tree.

use std::time::{Duration, Instant};
use vex_syntax::{debug_dump, parse};

/// Parses, prints, dumps and drops `text`; checks the round trip and the time budget.
fn check_pathological(text: &str, expect_errors: bool) {
    let start = Instant::now();
    let parse = parse(text);
    let root = parse.syntax_node();
    assert_eq!(root.to_string(), text);
    let dump = debug_dump(&root);
    assert!(dump.starts_with("SOURCE_FILE@"));
    assert_eq!(!parse.errors().is_empty(), expect_errors, "errors: {:?}", parse.errors().first());
    drop(root);
    drop(parse);
    // Generous for debug builds on a loaded machine; quadratic behaviour takes minutes.
    assert!(start.elapsed() < Duration::from_secs(60), "took {:?}", start.elapsed());
}

#[test]
fn hundred_thousand_nested_parentheses() {
    let n = 100_000;
    let text = format!("fn main() {{ let x = {}1{} }}", "(".repeat(n), ")".repeat(n));
    check_pathological(&text, true);
    let errors = parse(&text).errors().to_vec();
    assert!(errors.iter().any(|e| e.message().contains("nesting too deep")));
}

#[test]
fn one_megabyte_binary_chain() {
    let mut text = String::from("fn main() { let x = 1");
    while text.len() < 1_000_000 {
        text.push_str(" + 1");
    }
    text.push_str(" }");
    check_pathological(&text, true);
}

#[test]
fn long_chains_of_other_operators() {
    for piece in
        [".f", "()", "[0]", " as i64", " - 1", " && x", " = x", "?", "? ", " ?? x", ".f()?"]
    {
        let text = format!("fn main() {{ x{} }}", piece.repeat(100_000));
        check_pathological(&text, true);
    }
    for prefix in ["-", "!", "await ", "&", "go ", "async ", "|x| ", "async || ", "await -"] {
        let text = format!("fn main() {{ {}x }}", prefix.repeat(100_000));
        check_pathological(&text, true);
    }
}

#[test]
fn ten_thousand_unclosed_braces() {
    let text = format!("fn main() {}", "{".repeat(10_000));
    check_pathological(&text, true);
}

#[test]
fn deep_types_patterns_and_fstrings() {
    let n = 50_000;
    check_pathological(&format!("fn f(x: {}i32{})", "[".repeat(n), "; 1]".repeat(n)), true);
    check_pathological(&format!("fn f() {{ let {}x{} = 1 }}", "(".repeat(n), ")".repeat(n)), true);
    check_pathological(&format!("fn f() {{ {}1{} }}", "f\"{".repeat(n), "}\"".repeat(n)), true);
    check_pathological(&format!("fn f() {{ {} }}", "if x { ".repeat(n)), true);
    check_pathological(&format!("fn f(x: {}i64{})", "fn(".repeat(n), ")".repeat(n)), true);
    check_pathological(&format!("fn f(x: {}i64)", "fn(): ".repeat(n)), true);
    check_pathological(&format!("fn f(x: {}i64{})", "Vec<".repeat(n), ">".repeat(n)), true);
    check_pathological(&format!("fn f() {{ {} }}", "if let Some(x) = y { ".repeat(n)), true);
}

#[test]
fn moderate_nesting_is_fine() {
    let text = format!("fn main() {{ let x = {}1{} }}", "(".repeat(100), ")".repeat(100));
    check_pathological(&text, false);
    let mut chain = String::from("fn main() { let x = 1");
    for _ in 0..200 {
        chain.push_str(" + 1");
    }
    chain.push_str(" }");
    check_pathological(&chain, false);
}

#[test]
fn operator_chains_may_be_4096_links_long() {
    // Operator and postfix chains are parsed by loops; their links count apart from
    // the 256 levels of structural nesting, up to 4096 on one path of the tree. (No
    // debug dump here: its indentation is quadratic in the depth.)
    let parses_cleanly = |text: &str| {
        let parse = parse(text);
        assert_eq!(parse.syntax_node().to_string(), text);
        parse.errors().is_empty()
    };
    // (`"? "`: without the space, `??` would be one token.)
    for piece in [" + 1", ".f", ".m(1)", "[0]", " && x", "? "] {
        assert!(parses_cleanly(&format!("fn main() {{ x{} }}", piece.repeat(4096))), "{piece}");
        assert!(!parses_cleanly(&format!("fn main() {{ x{} }}", piece.repeat(4097))), "{piece}");
    }
    // `f()?` is two links: the call and the `?`.
    assert!(parses_cleanly(&format!("fn main() {{ x{} }}", ".m()?".repeat(2048))));
    assert!(!parses_cleanly(&format!("fn main() {{ x{} }}", ".m()?".repeat(2049))));
    // Right-associative operators nest their right operands instead, like parentheses,
    // so they share the 256 levels of structural nesting.
    assert!(parses_cleanly(&format!("fn main() {{ x{} }}", " ?? x".repeat(200))));
    assert!(!parses_cleanly(&format!("fn main() {{ x{} }}", " ?? x".repeat(300))));
    // Chains inside a chain's operands share the budget of their path; a chain's first
    // operand ends up below all of its links.
    let inner = |n: usize| format!("(1{})", " + 1".repeat(n));
    let text = |n: usize| format!("fn main() {{ x{} }}", format!(" + {}", inner(n)).repeat(50));
    assert!(parses_cleanly(&text(4040)));
    assert!(!parses_cleanly(&text(4050)));
    let first = |n: usize| format!("fn main() {{ {}{} }}", inner(2000), " + 1".repeat(n));
    assert!(parses_cleanly(&first(2000)));
    assert!(!parses_cleanly(&first(2100)));
    let postfix = |n: usize| format!("fn main() {{ {}{} }}", inner(2000), ".f".repeat(n));
    assert!(parses_cleanly(&postfix(2000)));
    assert!(!parses_cleanly(&postfix(2100)));
    // Parenthesised chains nested in the first operand, 200 levels of 200 links: the
    // tree would be 40,000 links deep, so the parser stops it.
    let mut nested = String::from("x");
    for _ in 0..200 {
        nested = format!("({nested}{})", " + 1".repeat(200));
    }
    assert!(!parses_cleanly(&format!("fn main() {{ {nested} }}")));
}
