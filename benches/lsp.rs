//! `vex lsp` on a 100,000-line workspace (100 generated files of 1,000 lines): the
//! latency a user feels, measured through the protocol as an editor sees it.
//!
//! - diagnostics after a keystroke: from sending `didChange` (one character typed or
//!   deleted inside a function body) to receiving that version's diagnostics;
//! - hover, definition and completion: request to response, at identifiers of the open
//!   file (completion after the first three characters of a name, and before its first,
//!   where every item of the workspace is a candidate);
//! - memory: the server's resident set after the run (and its peak).
//!
//! Prints p50 and p95 of each against the goals of issue 16. `cargo bench --bench lsp`
//! (or `cargo xtask bench lsp`) runs it.

#[path = "../tests/common/lsp_client.rs"]
mod lsp_client;

use std::time::{Duration, Instant};

use lsp_client::Session;
use serde_json::json;

// The client's side (reading and parsing the answers) is part of every measured time:
// the allocator of the `vex` binary keeps it small.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const LINES: usize = 100_000;
const LINES_PER_FILE: usize = 1_000;
const SAMPLES: usize = 200;

fn main() {
    // `cargo bench` passes `--bench`; a filter that excludes this benchmark skips it.
    if std::env::args().skip(1).any(|a| !a.starts_with('-') && !"lsp".contains(a.as_str())) {
        return;
    }
    let root = std::env::temp_dir().join(format!("vex-lsp-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let files = vex_hir::testing::large_program(LINES, LINES_PER_FILE, 2026);
    let lines: usize = files.iter().map(|(_, t)| t.lines().count()).sum();
    for (name, text) in &files {
        std::fs::write(root.join(name), text).unwrap();
    }
    let (name, text) = &files[files.len() / 2];
    let path = root.join(name);
    let uri = format!("file://{}", path.display());

    let started = Instant::now();
    let mut s = Session::start(Some(&root), false);
    s.open(&uri, text);
    let first = s.diagnostics(&uri, 1);
    assert_eq!(first, json!([]), "the generated workspace checks cleanly");
    let startup = started.elapsed();
    println!(
        "vex lsp, {lines} lines in {} files: initialize, load and first diagnostics {startup:.0?}",
        files.len()
    );

    // Keystrokes: type `x` into a `let` name inside a function body, then delete it.
    let (line, column) = position_after(text, "    let ").expect("a let in a body");
    let mut keystrokes = Vec::new();
    for i in 0..SAMPLES {
        let version = i as i64 + 2;
        let change = if i % 2 == 0 {
            json!({ "range": range(line, column, line, column), "text": "x" })
        } else {
            json!({ "range": range(line, column, line, column + 1), "text": "" })
        };
        let sent = Instant::now();
        s.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] }),
        );
        let diagnostics = s.diagnostics(&uri, version);
        keystrokes.push(sent.elapsed());
        assert_eq!(diagnostics, json!([]), "the edit keeps the program correct");
    }

    // Identifiers of the open file that name something (calls of functions).
    let calls: Vec<(u32, u32)> = text
        .lines()
        .enumerate()
        .filter_map(|(l, t)| {
            let at = t.find("_f")?;
            let start = t[..at].rfind(|c: char| !c.is_alphanumeric() && c != '_')? + 1;
            Some((l as u32, start as u32 + 1))
        })
        .take(SAMPLES)
        .collect();
    assert!(calls.len() >= 20, "the file has calls to hover over");
    let mut measure = |method: &str, make: &dyn Fn(u32, u32) -> serde_json::Value| {
        let mut times = Vec::new();
        for i in 0..SAMPLES {
            let (line, column) = calls[i % calls.len()];
            let sent = Instant::now();
            let result = s.request(method, make(line, column));
            times.push(sent.elapsed());
            assert!(result.get("error").is_none(), "{method} failed: {result}");
        }
        times
    };
    let at = |line: u32, column: u32| Session::at(&uri, line, column);
    let hover = measure("textDocument/hover", &at);
    let definition = measure("textDocument/definition", &at);
    // Completion as a name is typed: after its first three characters (the editor
    // asks again as the user types; the server filters by what is typed).
    let completion =
        measure("textDocument/completion", &|line, column| Session::at(&uri, line, column + 2));
    // Before the first character, every local, item, builtin and keyword is a candidate.
    let completion_line = line;
    let everything =
        measure("textDocument/completion", &|_, _| Session::at(&uri, completion_line, 4));
    let candidates = s.request("textDocument/completion", Session::at(&uri, line, 4));
    let candidates = candidates.as_array().map_or(0, Vec::len);

    let (rss, peak) = memory(s.pid());
    s.shutdown();
    let _ = std::fs::remove_dir_all(&root);

    println!("| measure | p50 | p95 | goal (p95) | p95 / goal |");
    println!("|---|---|---|---|---|");
    report("diagnostics after a keystroke", &mut keystrokes, 20.0);
    report("hover", &mut hover.clone(), 10.0);
    report("definition", &mut definition.clone(), 10.0);
    report("completion after three characters", &mut completion.clone(), 30.0);
    report(
        &format!("completion before any ({candidates} candidates)"),
        &mut everything.clone(),
        30.0,
    );
    println!(
        "| server memory (resident, after the run) | {rss:.0} MB | peak {peak:.0} MB | 300 MB | {:.2} |",
        peak / 300.0
    );
}

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> serde_json::Value {
    json!({ "start": { "line": l1, "character": c1 }, "end": { "line": l2, "character": c2 } })
}

/// The 0-based line and column right after the first `needle` in `text`.
fn position_after(text: &str, needle: &str) -> Option<(u32, u32)> {
    text.lines()
        .enumerate()
        .find_map(|(l, t)| Some((l as u32, (t.find(needle)? + needle.len()) as u32)))
}

fn report(name: &str, times: &mut [Duration], goal_ms: f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let p50 = ms(times[times.len() / 2]);
    let p95 = ms(times[times.len() * 95 / 100]);
    println!("| {name} | {p50:.2} ms | {p95:.2} ms | {goal_ms} ms | {:.2} |", p95 / goal_ms);
}

/// The resident set and its peak, in MB, from `/proc`.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
