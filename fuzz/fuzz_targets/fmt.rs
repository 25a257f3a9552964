//! Fuzz target `fmt`: any UTF-8 input that parses without errors formats without
//! panicking, and the result keeps every promise of the formatter: it parses to the same
//! tree modulo trivia (and the optional commas of lists), keeps the comments in order,
//! and formats to itself.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(formatted) = vex_fmt::format(text) else { return };
    if let Err(violation) = vex_fmt::verify::verify(text, &formatted) {
        panic!("{violation}\n--- input:\n{text}\n--- formatted:\n{formatted}");
    }
});
