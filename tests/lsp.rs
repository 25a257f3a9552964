//! Scripted sessions with `vex lsp`: JSON-RPC over the server's stdin and stdout, one
//! session per feature, with the responses as snapshots. Every wait is bounded.

#[path = "common/lsp_client.rs"]
mod lsp_client;

use expect_test::{Expect, expect};
use lsp_client::Session;
use serde_json::{Value, json};

/// Pretty JSON with each range written `line:character-line:character` (0-based).
fn check(actual: &Value, expect: Expect) {
    expect.assert_eq(&serde_json::to_string_pretty(&compact(actual)).unwrap());
}

fn compact(value: &Value) -> Value {
    let position = |p: &Value| Some(format!("{}:{}", p.get("line")?, p.get("character")?));
    match value {
        Value::Object(map) => {
            if map.len() == 2
                && let (Some(start), Some(end)) =
                    (map.get("start").and_then(position), map.get("end").and_then(position))
            {
                return Value::String(format!("{start}-{end}"));
            }
            Value::Object(map.iter().map(|(k, v)| (k.clone(), compact(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(compact).collect()),
        other => other.clone(),
    }
}

const MAIN: &str = "file:///vex-test/main.vx";
const LIB: &str = "file:///vex-test/lib.vx";

const LIB_TEXT: &str = "struct Point { x: f64, y: f64 }\nfn Point.new(x: f64, y: f64): Point { Point { x: x, y: y } }\nfn (self: Point) norm2(): f64 { self.x * self.x + self.y * self.y }\nasync fn fetch(n: i64): i64 { n * 2 }\n";

#[test]
fn diagnostics_on_open_and_on_incremental_edits() {
    let mut s = Session::start(None, false);
    s.open(MAIN, "fn main() {\n    let x: i32 = \"no\"\n}\n");
    check(
        &s.diagnostics(MAIN, 1),
        expect![[r#"
            [
              {
                "code": "E0003",
                "message": "expected `i32`, found `string`",
                "range": "1:17-1:21",
                "severity": 1,
                "source": "vex"
              }
            ]"#]],
    );
    // Replace `"no"` by `1`: an incremental edit of one range.
    s.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": MAIN, "version": 2 },
            "contentChanges": [{
                "range": { "start": { "line": 1, "character": 17 }, "end": { "line": 1, "character": 21 } },
                "text": "1",
            }],
        }),
    );
    check(&s.diagnostics(MAIN, 2), expect!["[]"]);
    // A syntax error, with a non-ASCII character before it on the line (UTF-16 columns).
    s.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": MAIN, "version": 3 },
            "contentChanges": [{ "text": "fn main() {\n    println(\"😀\") let\n}\n" }],
        }),
    );
    check(
        &s.diagnostics(MAIN, 3),
        expect![[r#"
        [
          {
            "message": "expected `;` or a line break after the statement",
            "range": "1:18-1:21",
            "severity": 1,
            "source": "vex"
          }
        ]"#]],
    );
    s.shutdown();
}

#[test]
fn hover_definition_and_references_across_files() {
    let mut s = Session::start(None, false);
    s.open(LIB, LIB_TEXT);
    s.open(MAIN, "fn main() {\n    let p = Point.new(3.0, 4.0)\n    println(p.norm2())\n}\n");
    check(&s.diagnostics(MAIN, 1), expect!["[]"]);
    check(
        &s.request("textDocument/hover", Session::at(MAIN, 2, 15)),
        expect![[r#"
        {
          "contents": {
            "kind": "markdown",
            "value": "```vex\nfn (self: Point) norm2(): f64\n```"
          },
          "range": "2:14-2:19"
        }"#]],
    );
    check(
        &s.request("textDocument/hover", Session::at(MAIN, 1, 9)),
        expect![[r#"
        {
          "contents": {
            "kind": "markdown",
            "value": "```vex\nlet p: Point\n```"
          },
          "range": "1:8-1:9"
        }"#]],
    );
    check(
        &s.request("textDocument/definition", Session::at(MAIN, 2, 15)),
        expect![[r#"
        [
          {
            "range": "2:17-2:22",
            "uri": "file:///vex-test/lib.vx"
          }
        ]"#]],
    );
    let mut references = Session::at(LIB, 0, 8);
    references["context"] = json!({ "includeDeclaration": true });
    check(
        &s.request("textDocument/references", references),
        expect![[r#"
        [
          {
            "range": "0:7-0:12",
            "uri": "file:///vex-test/lib.vx"
          },
          {
            "range": "1:3-1:8",
            "uri": "file:///vex-test/lib.vx"
          },
          {
            "range": "1:30-1:35",
            "uri": "file:///vex-test/lib.vx"
          },
          {
            "range": "1:38-1:43",
            "uri": "file:///vex-test/lib.vx"
          },
          {
            "range": "2:10-2:15",
            "uri": "file:///vex-test/lib.vx"
          },
          {
            "range": "1:12-1:17",
            "uri": "file:///vex-test/main.vx"
          }
        ]"#]],
    );
    s.shutdown();
}

#[test]
fn symbols_completion_and_rename() {
    let mut s = Session::start(None, true);
    s.open(LIB, LIB_TEXT);
    s.open(MAIN, "fn main() {\n    let p = Point.new(3.0, 4.0)\n    let total = p.\n}\n");
    check(
        &s.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": LIB } })),
        expect![[r#"
            [
              {
                "children": [
                  {
                    "detail": "Point.x: f64",
                    "kind": 8,
                    "name": "x",
                    "range": "0:15-0:16",
                    "selectionRange": "0:15-0:16"
                  },
                  {
                    "detail": "Point.y: f64",
                    "kind": 8,
                    "name": "y",
                    "range": "0:23-0:24",
                    "selectionRange": "0:23-0:24"
                  }
                ],
                "kind": 23,
                "name": "Point",
                "range": "0:0-0:31",
                "selectionRange": "0:7-0:12"
              },
              {
                "detail": "fn Point.new(x: f64, y: f64): Point",
                "kind": 12,
                "name": "Point.new",
                "range": "1:0-1:60",
                "selectionRange": "1:9-1:12"
              },
              {
                "detail": "fn (self: Point) norm2(): f64",
                "kind": 6,
                "name": "norm2",
                "range": "2:0-2:67",
                "selectionRange": "2:17-2:22"
              },
              {
                "detail": "async fn fetch(n: i64): i64",
                "kind": 12,
                "name": "fetch",
                "range": "3:0-3:37",
                "selectionRange": "3:9-3:14"
              }
            ]"#]],
    );
    let completions = s.request("textDocument/completion", Session::at(MAIN, 2, 18));
    let labels: Vec<&str> =
        completions.as_array().unwrap().iter().map(|c| c["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["x", "y", "norm2", "toString"]);
    let mut rename = Session::at(LIB, 0, 8);
    rename["newName"] = json!("Vec2");
    check(
        &s.request("textDocument/rename", rename),
        expect![[r#"
        {
          "changes": {
            "file:///vex-test/lib.vx": [
              {
                "newText": "Vec2",
                "range": "0:7-0:12"
              },
              {
                "newText": "Vec2",
                "range": "1:3-1:8"
              },
              {
                "newText": "Vec2",
                "range": "1:30-1:35"
              },
              {
                "newText": "Vec2",
                "range": "1:38-1:43"
              },
              {
                "newText": "Vec2",
                "range": "2:10-2:15"
              }
            ],
            "file:///vex-test/main.vx": [
              {
                "newText": "Vec2",
                "range": "1:12-1:17"
              }
            ]
          }
        }"#]],
    );
    let mut bad = Session::at(MAIN, 1, 9);
    bad["newName"] = json!("let");
    check(
        &s.request("textDocument/rename", bad),
        expect![[r#"
        {
          "error": {
            "code": -32803,
            "message": "`let` is not a valid name"
          }
        }"#]],
    );
    s.shutdown();
}

#[test]
fn formatting_and_quick_fixes() {
    let mut s = Session::start(None, false);
    s.open(MAIN, "fn main(){\n    let x = 1\n    x = 2\n  println( x )\n}\n");
    let diagnostics = s.diagnostics(MAIN, 1);
    check(
        &diagnostics,
        expect![[r#"
        [
          {
            "code": "E0007",
            "message": "cannot assign to `x`: it is not mutable\nhelp: declare it mutable: `let! x`",
            "range": "2:4-2:5",
            "relatedInformation": [
              {
                "location": {
                  "range": "1:8-1:9",
                  "uri": "file:///vex-test/main.vx"
                },
                "message": "`x` is declared here"
              }
            ],
            "severity": 1,
            "source": "vex"
          }
        ]"#]],
    );
    check(
        &s.request(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": MAIN }, "options": { "tabSize": 4, "insertSpaces": true } }),
        ),
        expect![[r#"
            [
              {
                "newText": "fn main() {\n    let x = 1\n    x = 2\n    println(x)\n}\n",
                "range": "0:0-5:0"
              }
            ]"#]],
    );
    check(
        &s.request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": MAIN },
                "range": { "start": { "line": 2, "character": 4 }, "end": { "line": 2, "character": 4 } },
                "context": { "diagnostics": diagnostics },
            }),
        ),
        expect![[r#"
            [
              {
                "diagnostics": [
                  {
                    "code": "E0007",
                    "message": "cannot assign to `x`: it is not mutable\nhelp: declare it mutable: `let! x`",
                    "range": "2:4-2:5",
                    "relatedInformation": [
                      {
                        "location": {
                          "range": "1:8-1:9",
                          "uri": "file:///vex-test/main.vx"
                        },
                        "message": "`x` is declared here"
                      }
                    ],
                    "severity": 1,
                    "source": "vex"
                  }
                ],
                "edit": {
                  "changes": {
                    "file:///vex-test/main.vx": [
                      {
                        "newText": "!",
                        "range": "1:7-1:7"
                      }
                    ]
                  }
                },
                "isPreferred": true,
                "kind": "quickfix",
                "title": "Declare it mutable: `let! x`"
              }
            ]"#]],
    );
    // A file with syntax errors is not formatted.
    s.open(LIB, "fn broken( {\n");
    check(
        &s.request(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": LIB }, "options": { "tabSize": 4, "insertSpaces": true } }),
        ),
        expect!["null"],
    );
    s.shutdown();
}

#[test]
fn bad_requests_and_panics_are_errors_and_the_server_runs_on() {
    let mut s = Session::start(None, false);
    s.open(MAIN, "fn main() {\n    println(1)\n}\n");
    check(
        &s.request("vex/panic", Value::Null),
        expect![[r#"
        {
          "error": {
            "code": -32603,
            "message": "vex lsp panicked while answering: asked to panic"
          }
        }"#]],
    );
    check(
        &s.request("textDocument/hover", json!({ "nonsense": true })),
        expect![[r#"
        {
          "error": {
            "code": -32602,
            "message": "bad parameters for textDocument/hover: missing field `textDocument`"
          }
        }"#]],
    );
    check(
        &s.request("vex/unknown", json!({})),
        expect![[r#"
        {
          "error": {
            "code": -32601,
            "message": "unknown request vex/unknown"
          }
        }"#]],
    );
    check(
        &s.request("textDocument/hover", Session::at("file:///vex-test/never-opened.vx", 0, 0)),
        expect![[r#"
            {
              "error": {
                "code": -32803,
                "message": "unknown document file:///vex-test/never-opened.vx"
              }
            }"#]],
    );
    // Positions past the end of a line or of the file are clamped, not a crash.
    check(&s.request("textDocument/hover", Session::at(MAIN, 99, 99)), expect!["null"]);
    check(
        &s.request("textDocument/hover", Session::at(MAIN, 1, 6)),
        expect![[r#"
        {
          "contents": {
            "kind": "markdown",
            "value": "```vex\n(builtin) println\n```"
          },
          "range": "1:4-1:11"
        }"#]],
    );
    s.shutdown();
}

#[test]
fn a_workspace_folder_is_one_program() {
    let root = std::env::temp_dir().join(format!("vex-lsp-workspace-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/lib.vx"), LIB_TEXT).unwrap();
    let main = root.join("main.vx");
    let text = "fn main() {\n    println(Point.new(1.0, 2.0).norm2())\n}\n";
    std::fs::write(&main, text).unwrap();
    let mut s = Session::start(Some(&root), false);
    let uri = format!("file://{}", main.display());
    s.open(&uri, text);
    // `Point` comes from a file that was never opened: no diagnostics.
    check(&s.diagnostics(&uri, 1), expect!["[]"]);
    let definition = s.request("textDocument/definition", Session::at(&uri, 1, 18));
    let lib = format!("file://{}", root.join("src/lib.vx").display());
    assert_eq!(definition[0]["uri"].as_str().unwrap(), lib);
    // The file that defines `Point` changes on disk: the open file's diagnostics follow.
    std::fs::write(root.join("src/lib.vx"), LIB_TEXT.replace("norm2", "length2")).unwrap();
    s.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": lib, "type": 2 }] }));
    check(
        &s.diagnostics(&uri, 1),
        expect![[r#"
            [
              {
                "code": "E0011",
                "message": "no method `norm2` on type `Point`",
                "range": "1:12-1:39",
                "severity": 1,
                "source": "vex"
              }
            ]"#]],
    );
    s.shutdown();
    let _ = std::fs::remove_dir_all(&root);
}
