//! Property tests on generated programs (`vex_syntax::testing`): formatting keeps the
//! tree modulo trivia, keeps every comment and is idempotent, for the generated programs
//! as they are and for the same programs with their layout scrambled (whitespace runs
//! changed, lines re-indented, blank lines and comments added).

use proptest::prelude::*;
use vex_syntax::SyntaxKind;

/// Rewrites the trivia between the tokens of `program`, choosing from `choices` in
/// turn: spaces stay spaces (or become an inline comment), line breaks stay line
/// breaks (re-indented, doubled, or with a comment before or after them). Tokens that
/// touch stay touching, so the program means the same.
fn scramble(program: &str, choices: &[u8]) -> String {
    let (tokens, _) = vex_syntax::lex(program);
    let mut out = String::with_capacity(program.len() * 2);
    let mut choice = choices.iter().cycle();
    let mut pending = String::new();
    for token in &tokens {
        let text = &program[token.range];
        match token.kind {
            SyntaxKind::WHITESPACE | SyntaxKind::NEWLINE => pending.push_str(text),
            SyntaxKind::COMMENT | SyntaxKind::DOC_COMMENT => {
                flush(&mut out, &mut pending, *choice.next().unwrap());
                out.push_str(text);
            }
            _ => {
                flush(&mut out, &mut pending, *choice.next().unwrap());
                out.push_str(text);
            }
        }
    }
    flush(&mut out, &mut pending, *choice.next().unwrap());
    out
}

fn flush(out: &mut String, pending: &mut String, choice: u8) {
    if pending.is_empty() {
        return;
    }
    if pending.contains('\n') {
        out.push_str(match choice % 6 {
            0 => "\n",
            1 => "\n\n\n",
            2 => " // note\n",
            3 => "\n// own line\n  ",
            4 => "\n          ",
            _ => pending,
        });
    } else {
        out.push_str(match choice % 5 {
            0 => " ",
            1 => "   ",
            2 => "\t",
            3 => " /* c */ ",
            _ => pending,
        });
    }
    pending.clear();
}

fn check_promises(text: &str) -> Result<(), TestCaseError> {
    let formatted = vex_fmt::format(text)
        .map_err(|errors| TestCaseError::fail(format!("{errors:?}\n{text}")))?;
    vex_fmt::verify::verify(text, &formatted).map_err(|violation| {
        TestCaseError::fail(format!("{violation}\n--- input:\n{text}\n--- formatted:\n{formatted}"))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_programs_keep_every_promise(program in vex_syntax::testing::program()) {
        check_promises(&program)?;
    }

    #[test]
    fn scrambled_programs_keep_every_promise(
        program in vex_syntax::testing::program(),
        choices in prop::collection::vec(any::<u8>(), 64),
    ) {
        let scrambled = scramble(&program, &choices);
        let parse = vex_syntax::parse(&scrambled);
        // A scrambled line break can end a statement early (`a\n// c\n+ b` is fine, but
        // a comment cannot join two statements); only inputs that mean the same count.
        prop_assume!(parse.errors().is_empty());
        prop_assume!(vex_fmt::verify::structure(&scrambled) == vex_fmt::verify::structure(&program));
        check_promises(&scrambled)?;
    }
}
