//! Every example program and benchmark program of the repository formats without
//! breaking a promise (same tree modulo trivia, comments kept, idempotent), and is
//! already in the canonical layout (CI fails on an unformatted example).

use std::path::{Path, PathBuf};

fn vx_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            vx_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "vx") {
            out.push(path);
        }
    }
}

fn repository_programs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    vx_files(&root.join("examples"), &mut files);
    vx_files(&root.join("bench/vex"), &mut files);
    files.sort();
    assert!(files.len() > 100, "expected the example programs, found {}", files.len());
    files
}

#[test]
fn examples_keep_every_promise() {
    let mut failures = Vec::new();
    for path in repository_programs() {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(formatted) = vex_fmt::format(&text) else {
            // Examples of syntax errors are left alone.
            continue;
        };
        if let Err(violation) = vex_fmt::verify::verify(&text, &formatted) {
            failures.push(format!("{}: {violation}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn examples_are_formatted() {
    let mut unformatted = Vec::new();
    for path in repository_programs() {
        let text = std::fs::read_to_string(&path).unwrap();
        if let Ok(formatted) = vex_fmt::format(&text)
            && formatted != text
        {
            let line = text
                .lines()
                .zip(formatted.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(text.lines().count().min(formatted.lines().count()));
            unformatted.push(format!("{}:{}", path.display(), line + 1));
        }
    }
    assert!(
        unformatted.is_empty(),
        "not in the canonical layout (run `vex fmt` on them):\n{}",
        unformatted.join("\n")
    );
}
