//! The editor features of `vex::ide`, on small fixtures: `$0` marks the cursor, and
//! `//- name.vx` lines split a fixture into files of one program.

use expect_test::{Expect, expect};
use vex::Compiler;
use vex::ide::{Analysis, Cancelled};
use vex::syntax::TextSize;

/// The program of `fixture`, and the file and offset of its `$0`.
fn fixture(fixture: &str) -> (Compiler, String, TextSize) {
    let mut compiler = Compiler::new();
    let mut cursor = None;
    let mut files: Vec<(String, String)> = Vec::new();
    for line in fixture.lines() {
        if let Some(name) = line.trim().strip_prefix("//- ") {
            files.push((name.to_owned(), String::new()));
            continue;
        }
        if files.is_empty() {
            files.push(("main.vx".to_owned(), String::new()));
        }
        let (name, text) = files.last_mut().unwrap();
        if let Some(at) = line.find("$0") {
            cursor = Some((name.clone(), TextSize::new((text.len() + at) as u32)));
        }
        text.push_str(&line.replace("$0", ""));
        text.push('\n');
    }
    for (name, text) in files {
        compiler.set_file(name, text);
    }
    let (path, offset) = cursor.expect("the fixture has a $0");
    (compiler, path, offset)
}

/// `text` with the range replaced by `[text]`, for snapshots of ranges.
fn mark(analysis: &Analysis, path: &str, range: vex::syntax::TextRange) -> String {
    let text = analysis.file_text(path).unwrap();
    let line_start = text[..usize::from(range.start())].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[usize::from(range.end())..]
        .find('\n')
        .map_or(text.len(), |i| i + usize::from(range.end()));
    format!(
        "{path}: {}[{}]{}",
        &text[line_start..usize::from(range.start())],
        &text[range],
        &text[usize::from(range.end())..line_end]
    )
    .trim_end()
    .to_owned()
}

fn check_hover(source: &str, expect: Expect) {
    let (compiler, path, offset) = fixture(source);
    let analysis = compiler.analysis();
    let actual = match analysis.hover(&path, offset).unwrap() {
        Some(hover) => format!("{}\n{}", mark(&analysis, &path, hover.range), hover.markdown),
        None => "no hover".to_owned(),
    };
    expect.assert_eq(&actual);
}

fn check_definition(source: &str, expect: Expect) {
    let (compiler, path, offset) = fixture(source);
    let analysis = compiler.analysis();
    let targets = analysis.definition(&path, offset).unwrap();
    let actual: Vec<String> =
        targets.iter().map(|t| mark(&analysis, &t.path, t.focus_range)).collect();
    expect.assert_eq(&actual.join("\n"));
}

fn check_references(source: &str, expect: Expect) {
    let (compiler, path, offset) = fixture(source);
    let analysis = compiler.analysis();
    let refs = analysis.references(&path, offset, true).unwrap();
    let actual: Vec<String> = refs.iter().map(|r| mark(&analysis, &r.path, r.range)).collect();
    expect.assert_eq(&actual.join("\n"));
}

fn check_rename(source: &str, new_name: &str, expect: Expect) {
    let (mut compiler, path, offset) = fixture(source);
    let analysis = compiler.analysis();
    let actual = match analysis.rename(&path, offset, new_name).unwrap() {
        Ok(files) => {
            drop(analysis);
            let mut out = String::new();
            for file in files {
                let mut text = compiler.file_text(&file.path).unwrap().to_owned();
                for edit in file.edits.iter().rev() {
                    text.replace_range(std::ops::Range::<usize>::from(edit.range), &edit.insert);
                }
                out.push_str(&format!("//- {}\n{text}", file.path));
                compiler.set_file(file.path, text);
            }
            // A rename keeps a correct program correct.
            let errors: Vec<String> =
                compiler.diagnostics().iter().map(|d| d.diagnostic.message.clone()).collect();
            assert!(errors.is_empty(), "the renamed program has errors: {errors:?}\n{out}");
            out
        }
        Err(error) => format!("error: {error}"),
    };
    expect.assert_eq(&actual);
}

fn check_completions(source: &str, expect: Expect) {
    let (compiler, path, offset) = fixture(source);
    let analysis = compiler.analysis();
    let completions = analysis.completions(&path, offset).unwrap();
    let actual: Vec<String> = completions
        .iter()
        .filter(|c| c.kind != vex::ide::CompletionKind::Keyword)
        .filter(|c| c.kind != vex::ide::CompletionKind::Builtin || source.contains("$0)"))
        .map(|c| match &c.detail {
            Some(detail) => format!("{:?} {} — {detail}", c.kind, c.label),
            None => format!("{:?} {}", c.kind, c.label),
        })
        .collect();
    expect.assert_eq(&actual.join("\n"));
}

const SHAPES: &str = r#"
    struct Point { x: f64, y: f64 }
    enum Shape { Circle(f64), Rect(Point, Point), Empty }
    fn Point.new(x: f64, y: f64): Point { Point { x: x, y: y } }
    fn (self: Point) norm2(): f64 { self.x * self.x + self.y * self.y }
    fn area(s: Shape): f64 {
        match s {
            Shape.Circle(r) => 3.14 * r * r,
            Shape.Rect(a, b) => (b.x - a.x) * (b.y - a.y),
            Shape.Empty => 0.0,
        }
    }
"#;

fn shapes(main: &str) -> String {
    format!("//- shapes.vx\n{SHAPES}\n//- main.vx\n{main}")
}

#[test]
fn hover_shows_signatures_and_types() {
    check_hover(
        &shapes("fn main() {\n    let p = Point.n$0ew(1.0, 2.0)\n}\n"),
        expect![[r#"
            main.vx:     let p = Point.[new](1.0, 2.0)
            ```vex
            fn Point.new(x: f64, y: f64): Point
            ```"#]],
    );
    check_hover(
        &shapes("fn main() {\n    let p = Point.new(1.0, 2.0)\n    println(p$0.norm2())\n}\n"),
        expect![[r#"
            main.vx:     println([p].norm2())
            ```vex
            let p: Point
            ```"#]],
    );
    check_hover(
        &shapes("fn main() {\n    let p = Point.new(1.0, 2.0)\n    println(p.no$0rm2())\n}\n"),
        expect![[r#"
            main.vx:     println(p.[norm2]())
            ```vex
            fn (self: Point) norm2(): f64
            ```"#]],
    );
    check_hover(
        &shapes("fn main() {\n    let p = Point.new(1.0, 2.0)\n    println(p.$0x)\n}\n"),
        expect![[r#"
            main.vx:     println(p.[x])
            ```vex
            Point.x: f64
            ```"#]],
    );
    check_hover(
        &shapes("fn f(s: Sh$0ape) {}\n"),
        expect![[r#"
            main.vx: fn f(s: [Shape]) {}
            ```vex
            enum Shape {
                Circle(f64),
                Rect(Point, Point),
                Empty,
            }
            ```"#]],
    );
    check_hover(
        "async fn fetch(): i64 { 1 }\nasync fn main() {\n    let v = Vec.new<i64>()\n    println(v.l$0en())\n    let f = fetch()\n}\n",
        expect![[r#"
            main.vx:     println(v.[len]())
            ```vex
            (builtin method) Vec<i64>.len(…): i64
            ```"#]],
    );
    check_hover(
        "async fn fetch(): i64 { 1 }\nasync fn main() {\n    let f = fetch()\n    println(1 +$0 2)\n}\n",
        expect!["no hover"],
    );
    check_hover(
        "async fn fetch(): i64 { 1 }\nasync fn main() {\n    let f$0 = fetch()\n}\n",
        expect![[r#"
            main.vx:     let [f] = fetch()
            ```vex
            let f: Future<i64>
            ```"#]],
    );
}

#[test]
fn definition_across_files() {
    check_definition(
        &shapes("fn main() {\n    println(area(Shape.Cir$0cle(1.0)))\n}\n"),
        expect!["shapes.vx:     enum Shape { [Circle](f64), Rect(Point, Point), Empty }"],
    );
    check_definition(
        &shapes("fn main() {\n    println(ar$0ea(Shape.Empty))\n}\n"),
        expect!["shapes.vx:     fn [area](s: Shape): f64 {"],
    );
    check_definition(
        &shapes("fn main() {\n    let p = Point { x: 1.0, $0y: 2.0 }\n}\n"),
        expect!["shapes.vx:     struct Point { x: f64, [y]: f64 }"],
    );
    check_definition(
        &shapes(
            "fn main() {\n    let p = Point { x: 1.0, y: 2.0 }\n    let q = p\n    println(q$0.x)\n}\n",
        ),
        expect!["main.vx:     let [q] = p"],
    );
    // In a pattern, and on a type annotation.
    check_definition(
        SHAPES.replace("Shape.Rect(a, b) =>", "Shape.Re$0ct(a, b) =>").as_str(),
        expect!["main.vx:     enum Shape { Circle(f64), [Rect](Point, Point), Empty }"],
    );
    check_definition(
        &shapes("fn f(p: Po$0int) {}\n"),
        expect!["shapes.vx:     struct [Point] { x: f64, y: f64 }"],
    );
    // Builtins have no definition in the program.
    check_definition("fn main() {\n    print$0ln(1)\n}\n", expect![""]);
}

#[test]
fn references_in_every_file() {
    check_references(
        &shapes("fn main() {\n    let p = Poi$0nt.new(1.0, 2.0)\n    let q: Point = p\n}\n"),
        expect![[r#"
            shapes.vx:     struct [Point] { x: f64, y: f64 }
            main.vx:     let p = [Point].new(1.0, 2.0)
            main.vx:     let q: [Point] = p
            shapes.vx:     enum Shape { Circle(f64), Rect([Point], Point), Empty }
            shapes.vx:     enum Shape { Circle(f64), Rect(Point, [Point]), Empty }
            shapes.vx:     fn [Point].new(x: f64, y: f64): Point { Point { x: x, y: y } }
            shapes.vx:     fn Point.new(x: f64, y: f64): [Point] { Point { x: x, y: y } }
            shapes.vx:     fn Point.new(x: f64, y: f64): Point { [Point] { x: x, y: y } }
            shapes.vx:     fn (self: [Point]) norm2(): f64 { self.x * self.x + self.y * self.y }"#]],
    );
}

#[test]
fn references_of_a_local_stay_in_its_body() {
    check_references(
        "fn f(x: i64): i64 {\n    let y$0 = x + 1\n    y * y\n}\nfn g(): i64 {\n    let y = 2\n    y\n}\n",
        expect![[r#"
            main.vx:     let [y] = x + 1
            main.vx:     [y] * y
            main.vx:     y * [y]"#]],
    );
}

#[test]
fn rename_locals_and_items() {
    check_rename(
        "fn f(x: i64): i64 {\n    let y$0 = x + 1\n    y * y\n}\nfn main() {\n    let y = 2\n    println(f(y))\n}\n",
        "z",
        expect![[r#"
            //- main.vx
            fn f(x: i64): i64 {
                let z = x + 1
                z * z
            }
            fn main() {
                let y = 2
                println(f(y))
            }
        "#]],
    );
    check_rename(
        &shapes("fn main() {\n    let p = Point.new(1.0, 2.0)\n    println(p.nor$0m2())\n}\n"),
        "length2",
        expect![[r#"
            //- main.vx
            fn main() {
                let p = Point.new(1.0, 2.0)
                println(p.length2())
            }
            //- shapes.vx

                struct Point { x: f64, y: f64 }
                enum Shape { Circle(f64), Rect(Point, Point), Empty }
                fn Point.new(x: f64, y: f64): Point { Point { x: x, y: y } }
                fn (self: Point) length2(): f64 { self.x * self.x + self.y * self.y }
                fn area(s: Shape): f64 {
                    match s {
                        Shape.Circle(r) => 3.14 * r * r,
                        Shape.Rect(a, b) => (b.x - a.x) * (b.y - a.y),
                        Shape.Empty => 0.0,
                    }
                }

        "#]],
    );
    check_rename(
        "fn main() {\n    let y$0 = 1\n}\n",
        "fn",
        expect!["error: `fn` is not a valid name"],
    );
    check_rename(
        "fn main() {\n    print$0ln(1)\n}\n",
        "say",
        expect!["error: `println` is a builtin and cannot be renamed"],
    );
}

#[test]
fn completion_of_members() {
    check_completions(
        &shapes("fn main() {\n    let p = Point.new(1.0, 2.0)\n    println(p.$0)\n}\n"),
        expect![[r#"
            Field x — f64
            Field y — f64
            Method norm2 — fn (self: Point) norm2(): f64
            Method toString — (builtin method of Point)"#]],
    );
    check_completions(
        &shapes("fn main() {\n    let s = Shape.$0\n}\n"),
        expect![[r#"
            Variant Circle — Shape.Circle(f64)
            Variant Empty — Shape.Empty
            Variant Rect — Shape.Rect(Point, Point)"#]],
    );
    check_completions(
        "fn main() {\n    let v = Vec.new<string>()\n    v.$0\n}\n",
        expect![[r#"
            Method clear — (builtin method of Vec<string>)
            Method contains — (builtin method of Vec<string>)
            Method filter — (builtin method of Vec<string>)
            Method indexOf — (builtin method of Vec<string>)
            Method isEmpty — (builtin method of Vec<string>)
            Method join — (builtin method of Vec<string>)
            Method len — (builtin method of Vec<string>)
            Method map — (builtin method of Vec<string>)
            Method pop — (builtin method of Vec<string>)
            Method push — (builtin method of Vec<string>)
            Method reverse — (builtin method of Vec<string>)
            Method slice — (builtin method of Vec<string>)
            Method sort — (builtin method of Vec<string>)
            Method toString — (builtin method of Vec<string>)"#]],
    );
}

#[test]
fn completion_of_names_in_scope() {
    check_completions(
        "const LIMIT: i64 = 3\nfn helper(n: i64): i64 { n }\nfn main() {\n    let a = 1\n    if a > 0 {\n        let inner = 2\n    }\n    let b = \"x\"\n    let a = 2.5\n    $0\n}\n",
        expect![[r#"
            Local a — f64
            Local b — string
            Function helper — fn helper(n: i64): i64
            Function main — fn main()
            Const LIMIT — const LIMIT: i64"#]],
    );
}

#[test]
fn completion_filters_by_what_is_typed() {
    check_completions(
        "fn fetch_data(): i64 { 1 }\nfn format_all() {}\nfn main() {\n    let fd = 1\n    fda$0\n}\n",
        expect!["Function fetch_data — fn fetch_data(): i64"],
    );
    check_completions(
        "struct Point { x: f64, y: f64 }\nfn (self: Point) norm2(): f64 { self.x }\nfn main() {\n    let p = Point { x: 1.0, y: 2.0 }\n    println(p.NO$0)\n}\n",
        expect!["Method norm2 — fn (self: Point) norm2(): f64"],
    );
}

#[test]
fn symbols_outline_a_file() {
    let (compiler, _, _) = fixture(&format!("{SHAPES}\nconst N: i64 = 3\n$0"));
    let analysis = compiler.analysis();
    let symbols = analysis.symbols("main.vx").unwrap();
    let mut out = String::new();
    for symbol in &symbols {
        out.push_str(&format!("{:?} {} {:?}\n", symbol.kind, symbol.name, symbol.detail));
        for child in &symbol.children {
            out.push_str(&format!("    {:?} {} {:?}\n", child.kind, child.name, child.detail));
        }
    }
    expect![[r#"
        Struct Point None
            Field x Some("Point.x: f64")
            Field y Some("Point.y: f64")
        Enum Shape None
            Variant Circle Some("Shape.Circle(f64)")
            Variant Rect Some("Shape.Rect(Point, Point)")
            Variant Empty Some("Shape.Empty")
        Function Point.new Some("fn Point.new(x: f64, y: f64): Point")
        Method norm2 Some("fn (self: Point) norm2(): f64")
        Function area Some("fn area(s: Shape): f64")
        Const N Some("const N: i64")
    "#]]
    .assert_eq(&out);
}

#[test]
fn formatting_and_diagnostics_through_a_snapshot() {
    let mut compiler = Compiler::new();
    compiler.set_file("main.vx", "fn main(){println( 1+2 )}");
    compiler.set_file("bad.vx", "fn f( {");
    let analysis = compiler.analysis();
    assert_eq!(
        analysis.format("main.vx").unwrap().as_deref(),
        Some("fn main() { println(1 + 2) }\n")
    );
    assert_eq!(analysis.format("bad.vx").unwrap(), None);
    assert!(!analysis.diagnostics("bad.vx").unwrap().is_empty());
    assert!(analysis.diagnostics("main.vx").unwrap().is_empty());
}

/// A change to the program cancels a snapshot that is still answering, and goes
/// through once the snapshot is dropped.
#[test]
fn a_change_cancels_running_requests() {
    let mut compiler = Compiler::new();
    compiler.set_file("main.vx", "fn main() {\n    let x = 1\n    println(x)\n}\n");
    let analysis = compiler.analysis();
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        let mut answered = 0u64;
        loop {
            match analysis.hover("main.vx", TextSize::new(38)) {
                Ok(hover) => {
                    assert!(hover.is_some());
                    answered += 1;
                    if answered == 1 {
                        started_tx.send(()).unwrap();
                    }
                }
                Err(Cancelled) => return answered,
            }
        }
    });
    started_rx.recv().unwrap();
    // Blocks until the worker sees the cancellation and drops its snapshot.
    compiler.set_file("main.vx", "fn main() {\n    let x = 2\n    println(x)\n}\n");
    assert!(worker.join().unwrap() >= 1);
    assert_eq!(
        compiler.analysis().hover("main.vx", TextSize::new(38)).unwrap().map(|h| h.markdown),
        Some("```vex\nlet x: i64\n```".to_owned())
    );
}

/// Every request at every position of real programs, whole and cut short (so with
/// syntax errors), answers without panicking; and what it answers is consistent: a
/// definition's focus is a name, a rename changes only identifiers.
#[test]
fn every_position_of_the_examples_is_answered() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let programs: Vec<String> = vex_hir::testing::example_files(&root)
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    assert!(programs.len() > 100);
    for (i, text) in programs.iter().enumerate().step_by(3) {
        // The whole program, and the program cut in the middle of a line.
        let cut = text.char_indices().map(|(at, _)| at).nth(text.chars().count() * 2 / 3).unwrap();
        for text in [text.as_str(), &text[..cut]] {
            let mut compiler = Compiler::new();
            compiler.set_file("main.vx", text);
            let analysis = compiler.analysis();
            let step = (i % 5) + 1;
            for offset in (0..=text.len() as u32).step_by(step) {
                let offset = TextSize::new(offset);
                analysis.hover("main.vx", offset).unwrap();
                for target in analysis.definition("main.vx", offset).unwrap() {
                    let name = &analysis.file_text(&target.path).unwrap()[target.focus_range];
                    assert_eq!(name, target.name, "definition at {offset:?} of program {i}");
                }
                analysis.completions("main.vx", offset).unwrap();
                if u32::from(offset) % 7 == 0 {
                    analysis.references("main.vx", offset, true).unwrap();
                    if let Ok(files) = analysis.rename("main.vx", offset, "renamed").unwrap() {
                        for edit in files.iter().flat_map(|f| &f.edits) {
                            let old = &text[edit.range];
                            assert!(
                                old.chars().all(|c| c.is_alphanumeric() || c == '_'),
                                "rename replaces `{old}` at {offset:?} of program {i}"
                            );
                        }
                    }
                }
            }
            analysis.symbols("main.vx").unwrap();
            analysis.format("main.vx").unwrap();
        }
    }
}

#[test]
fn no_hover_on_blank_space_or_comments() {
    check_hover(
        "fn main() {\n    let x = 1\n  $0  // a comment\n    println(x)\n}\n",
        expect!["no hover"],
    );
    check_hover(
        "fn main() {\n    let x = 1\n    // a com$0ment\n    println(x)\n}\n",
        expect!["no hover"],
    );
    check_hover(
        "fn main() {\n    let x = \"a\" $0+ \"b\"\n}\n",
        expect![[r#"
        main.vx:     let x = ["a" + "b"]
        ```vex
        string
        ```"#]],
    );
}

#[test]
fn opening_a_file_for_editing_keeps_the_program_and_its_diagnostics() {
    let mut compiler = Compiler::new();
    compiler.set_file("lib.vx", "fn one(): i64 {\n    1\n}\n");
    compiler.set_file("main.vx", "fn main() {\n    println(one())\n}\n");
    assert!(compiler.diagnostics().is_empty());
    assert!(!compiler.open_for_editing("other.vx"));
    assert!(compiler.open_for_editing("lib.vx"));
    assert!(compiler.open_for_editing("lib.vx"), "opening twice is harmless");
    assert_eq!(compiler.file_text("lib.vx"), Some("fn one(): i64 {\n    1\n}\n"));
    assert!(compiler.diagnostics().is_empty());
    compiler.set_file("lib.vx", "fn one(): i64 {\n    true\n}\n");
    let messages: Vec<String> =
        compiler.diagnostics().iter().map(|d| d.diagnostic.message.clone()).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(compiler.remove_file("lib.vx"));
    assert!(!compiler.open_for_editing("lib.vx"));
}
