//! Data-driven parser tests: every `test_data/{ok,err}/*.vx` file is parsed and its tree
//! dump plus errors are compared with the `.rast` file beside it. Run with
//! `UPDATE_EXPECT=1` to (re)write the `.rast` files. Files under `ok/` must parse without
//! errors, files under `err/` with at least one.

use std::fs;
use std::path::{Path, PathBuf};

fn dump_with_errors(text: &str) -> (String, usize) {
    let parse = vex_syntax::parse(text);
    assert_eq!(parse.syntax_node().to_string(), text, "parse must be lossless");
    let mut out = vex_syntax::debug_dump(&parse.syntax_node());
    for error in parse.errors() {
        out.push_str(&format!("error {:?}: {}\n", error.range(), error.message()));
    }
    (out, parse.errors().len())
}

fn vx_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "vx"))
        .collect();
    files.sort();
    files
}

#[test]
fn test_data_files_match_their_dumps() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    let mut count = 0;
    for (subdir, expect_errors) in [("ok", false), ("err", true)] {
        for path in vx_files(&root.join(subdir)) {
            count += 1;
            let text = fs::read_to_string(&path).expect("test file is UTF-8");
            let (actual, n_errors) = dump_with_errors(&text);
            if (n_errors > 0) != expect_errors {
                failures.push(format!(
                    "{}: {n_errors} errors, expected errors: {expect_errors}",
                    path.display()
                ));
            }
            let rast = path.with_extension("rast");
            let expected = fs::read_to_string(&rast).unwrap_or_default();
            if expected != actual {
                if update {
                    fs::write(&rast, &actual).expect("write .rast file");
                } else {
                    failures.push(format!(
                        "{} differs from its dump (run with UPDATE_EXPECT=1)",
                        rast.display()
                    ));
                }
            }
        }
    }
    assert!(count >= 4, "expected test data files under {}", root.display());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
