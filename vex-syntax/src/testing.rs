//! Generators of well-formed Vex Core programs for property tests (feature `testing`).
//!
//! The strategies produce source text that must parse without errors: functions, async
//! functions with `await`, structs, enums, consts, associated functions, methods, extern
//! declarations, `let`/`let!`, assignments, loops with labels, `if`/`elif`/`else`,
//! `match` with alternatives and guards, calls, method calls, f-strings, `defer` and `go`,
//! and the v0.2 forms: `?`, `??`, closures and async closures, `Option`/`Result` values
//! and patterns, `if let`/`while let`, generic calls (`Vec.new<i64>()`), builtin generic
//! types and function types (`fn(i64): bool`).
//! They are syntactic only: names are not resolved and types do not line up. Later crates
//! build well-typed generators on top of the pieces here ([`expr`], [`stmt`], [`item`]).
//!
//! ```
//! use proptest::strategy::{Strategy, ValueTree};
//! use proptest::test_runner::TestRunner;
//!
//! let mut runner = TestRunner::deterministic();
//! let program = vex_syntax::testing::program().new_tree(&mut runner).unwrap().current();
//! assert!(vex_syntax::parse(&program).errors().is_empty(), "{program}");
//! ```

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Where an expression or statement is generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ctx {
    /// Inside an `async fn` or a `go` block, where `await` is allowed.
    pub in_async: bool,
    /// Inside a loop, where `break` and `continue` are allowed.
    pub in_loop: bool,
}

/// A generated expression and whether it may be used as an operand without parentheses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenExpr {
    /// The source text (always on one line).
    pub text: String,
    /// True for atoms and postfix expressions; false for binary, prefix, cast, range.
    pub atomic: bool,
}

impl GenExpr {
    fn atom(text: String) -> GenExpr {
        GenExpr { text, atomic: true }
    }

    fn compound(text: String) -> GenExpr {
        GenExpr { text, atomic: false }
    }

    /// The text, parenthesised unless atomic.
    pub fn operand(&self) -> String {
        if self.atomic { self.text.clone() } else { format!("({})", self.text) }
    }

    /// The text as an operand in an `if`/`while`/`match`/`for` head: parenthesised unless
    /// atomic and free of braces.
    pub fn head_operand(&self) -> String {
        if self.atomic && !self.text.contains('{') {
            self.text.clone()
        } else {
            format!("({})", self.text)
        }
    }

    /// The text, usable as an `if`/`while`/`match`/`for` head (struct literals and
    /// blocks parenthesised).
    pub fn condition(&self) -> String {
        if self.text.contains('{') { format!("({})", self.text) } else { self.text.clone() }
    }
}

/// Lowercase identifiers that are not keywords.
pub fn ident() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(vec!["x", "y", "n", "i", "count", "total", "value", "p", "acc", "item"])
            .prop_map(str::to_string),
        1 => "[a-z][a-z0-9_]{0,7}".prop_filter("keywords are not identifiers", |s| {
            crate::SyntaxKind::from_keyword(s).is_none()
        }),
    ]
    .boxed()
}

/// Names of user types (struct and enum names).
pub fn type_ident() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["Point", "Shape", "Pair", "Config", "Node"]).prop_map(str::to_string)
}

/// A Vex Core type.
pub fn type_ref() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        prop::sample::select(vec![
            "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "bool", "string",
        ])
        .prop_map(str::to_string),
        type_ident(),
        Just("()".to_string()),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|ts| format!("({})", ts.join(", "))),
            (inner.clone(), 1u32..64).prop_map(|(t, n)| format!("[{t}; {n}]")),
            inner.clone().prop_map(|t| format!("Future<{t}>")),
            inner.clone().prop_map(|t| format!("Option<{t}>")),
            inner.clone().prop_map(|t| format!("Vec<{t}>")),
            inner.clone().prop_map(|t| format!("Result<{t}, IoError>")),
            (prop::collection::vec(inner.clone(), 0..3), prop::option::of(inner)).prop_map(
                |(params, ret)| match ret {
                    Some(ret) => format!("fn({}): {ret}", params.join(", ")),
                    None => format!("fn({})", params.join(", ")),
                }
            ),
        ]
    })
}

/// A literal: integers (suffixed, hex, octal, binary, with `_`), floats, strings with
/// escapes, booleans.
pub fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u64..100_000).prop_map(|n| n.to_string()),
        (0u8..=255, prop::sample::select(vec!["u8", "i32", "i64", "u64", "i16"]))
            .prop_map(|(n, s)| format!("{n}{s}")),
        Just("1_000_000".to_string()),
        (0u32..0xFFFF).prop_map(|n| format!("0x{n:X}")),
        Just("0o755".to_string()),
        Just("0b1010_1010".to_string()),
        (0u32..1000, 0u32..1000).prop_map(|(a, b)| format!("{a}.{b}")),
        Just("1.5e10".to_string()),
        Just("2.0e-5".to_string()),
        Just("2.0f32".to_string()),
        "[a-zA-Z0-9 ,.!?]{0,12}".prop_map(|s| format!("\"{s}\"")),
        Just(r#""tab\tnewline\n quote\" slash\\ nul\0 smile\u{1F600}""#.to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
    ]
}

const BINARY_OPS: &[&str] = &[
    "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "&", "|", "^", "<<",
    ">>",
];

/// An expression (on one line) for the given context.
pub fn expr(ctx: Ctx) -> BoxedStrategy<GenExpr> {
    let leaf = prop_oneof![
        3 => literal().prop_map(GenExpr::atom),
        3 => ident().prop_map(GenExpr::atom),
        1 => (type_ident(), ident()).prop_map(|(t, v)| GenExpr::atom(format!("{t}.{v}"))),
        1 => Just(GenExpr::atom("None".to_string())),
        1 => prop::sample::select(vec![
            "Vec.new<i64>()",
            "Vec.new<Vec<string>>()",
            "Channel.new<i64>(8)",
        ])
        .prop_map(|call| GenExpr::atom(call.to_string())),
    ];
    leaf.prop_recursive(3, 24, 4, move |inner| {
        let mut options: Vec<BoxedStrategy<GenExpr>> = vec![
            (inner.clone(), prop::sample::select(BINARY_OPS), inner.clone())
                .prop_map(|(l, op, r)| {
                    GenExpr::compound(format!("{} {op} {}", l.operand(), r.operand()))
                })
                .boxed(),
            (prop::sample::select(vec!["-", "!"]), inner.clone())
                .prop_map(|(op, e)| GenExpr::compound(format!("{op}{}", e.operand())))
                .boxed(),
            (ident(), prop::collection::vec(inner.clone(), 0..4))
                .prop_map(|(f, args)| GenExpr::atom(format!("{f}({})", args_text(&args))))
                .boxed(),
            (
                prop::sample::select(vec!["$println", "$print", "$assert", "println"]),
                prop::collection::vec(inner.clone(), 1..3),
            )
                .prop_map(|(f, args)| GenExpr::atom(format!("{f}({})", args_text(&args))))
                .boxed(),
            (inner.clone(), ident(), prop::collection::vec(inner.clone(), 0..3))
                .prop_map(|(r, m, args)| {
                    GenExpr::atom(format!("{}.{m}({})", r.operand(), args_text(&args)))
                })
                .boxed(),
            (inner.clone(), ident())
                .prop_map(|(r, f)| GenExpr::atom(format!("{}.{f}", r.operand())))
                .boxed(),
            (inner.clone(), 0u8..4)
                .prop_map(|(r, i)| GenExpr::atom(format!("{}.{i}", r.operand())))
                .boxed(),
            (inner.clone(), inner.clone())
                .prop_map(|(a, i)| GenExpr::atom(format!("{}[{}]", a.operand(), i.text)))
                .boxed(),
            (inner.clone(), prop::sample::select(vec!["i64", "f64", "u8", "i32"]))
                .prop_map(|(e, t)| GenExpr::compound(format!("{} as {t}", e.operand())))
                .boxed(),
            (type_ident(), prop::collection::vec((ident(), prop::option::of(inner.clone())), 1..4))
                .prop_map(|(t, fields)| {
                    let fields: Vec<String> = fields
                        .into_iter()
                        .map(|(f, v)| match v {
                            Some(v) => format!("{f}: {}", v.text),
                            None => f,
                        })
                        .collect();
                    GenExpr::atom(format!("{t} {{ {} }}", fields.join(", ")))
                })
                .boxed(),
            (type_ident(), ident(), prop::collection::vec(inner.clone(), 1..3))
                .prop_map(|(t, v, args)| GenExpr::atom(format!("{t}.{v}({})", args_text(&args))))
                .boxed(),
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|items| GenExpr::atom(format!("({})", args_text(&items))))
                .boxed(),
            prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|items| GenExpr::atom(format!("[{}]", args_text(&items))))
                .boxed(),
            (inner.clone(), 1u32..32)
                .prop_map(|(v, n)| GenExpr::atom(format!("[{}; {n}]", v.text)))
                .boxed(),
            (prop::collection::vec(("[a-z =,]{0,6}", inner.clone()), 1..3), "[a-z ]{0,4}")
                .prop_map(|(parts, tail)| {
                    let body: String =
                        parts.iter().map(|(text, e)| format!("{text}{{{}}}", e.text)).collect();
                    GenExpr::atom(format!("f\"{body}{{{{{tail}}}}}\""))
                })
                .boxed(),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| {
                    GenExpr::atom(format!(
                        "if {} {{ {} }} else {{ {} }}",
                        c.condition(),
                        a.text,
                        b.text
                    ))
                })
                .boxed(),
            (inner.clone(), prop::collection::vec(inner.clone(), 1..3))
                .prop_map(|(s, arms)| {
                    let arms: Vec<String> = arms
                        .iter()
                        .enumerate()
                        .map(|(i, a)| format!("{i} | {} => {}", i + 10, a.text))
                        .collect();
                    GenExpr::atom(format!(
                        "match {} {{ {}, _ => 0 }}",
                        s.condition(),
                        arms.join(", ")
                    ))
                })
                .boxed(),
            // v0.2: `?` (compound, so that `x? - 1` is never generated: that is a ternary),
            // `??`, variants, and closures (parenthesised: their bodies reach right).
            inner.clone().prop_map(|e| GenExpr::compound(format!("{}?", e.operand()))).boxed(),
            (inner.clone(), ident())
                .prop_map(|(r, m)| GenExpr::compound(format!("{}?.{m}()?", r.operand())))
                .boxed(),
            (inner.clone(), inner.clone())
                .prop_map(|(l, r)| GenExpr::compound(format!("{} ?? {}", l.operand(), r.operand())))
                .boxed(),
            (
                prop::sample::select(vec!["Some", "Ok", "Err", "Option.Some", "Result.Err"]),
                inner.clone(),
            )
                .prop_map(|(v, e)| GenExpr::atom(format!("{v}({})", e.text)))
                .boxed(),
            (prop::collection::vec((ident(), prop::option::of(type_ref())), 0..3), inner.clone())
                .prop_map(|(params, body)| {
                    let params: Vec<String> = params
                        .into_iter()
                        .map(|(x, t)| t.map_or(x.clone(), |t| format!("{x}: {t}")))
                        .collect();
                    GenExpr::atom(format!("(|{}| {})", params.join(", "), body.text))
                })
                .boxed(),
            (ident(), type_ref(), inner.clone())
                .prop_map(|(x, t, body)| GenExpr::atom(format!("(|{x}|: {t} {{ {} }})", body.text)))
                .boxed(),
        ];
        if ctx.in_async {
            // Async closures are written in async code only, so their `await` stays legal
            // wherever the generator puts an `await`.
            options.push(
                (ident(), inner.clone())
                    .prop_map(|(x, body)| {
                        GenExpr::atom(format!("(async |{x}: i64| {{ await {} }})", body.operand()))
                    })
                    .boxed(),
            );
            options.push(
                (ident(), prop::collection::vec(inner.clone(), 0..3), ident())
                    .prop_map(|(f, args, m)| {
                        GenExpr::compound(format!("await {f}({})?.{m}()", args_text(&args)))
                    })
                    .boxed(),
            );
            options.push(
                (ident(), prop::collection::vec(inner.clone(), 0..3))
                    .prop_map(|(f, args)| {
                        GenExpr::compound(format!("await {f}({})", args_text(&args)))
                    })
                    .boxed(),
            );
            options.push(
                (1u32..100)
                    .prop_map(|ms| GenExpr::compound(format!("await async_sleep({ms})")))
                    .boxed(),
            );
        }
        prop::strategy::Union::new(options)
    })
    .boxed()
}

fn args_text(args: &[GenExpr]) -> String {
    args.iter().map(|a| a.text.clone()).collect::<Vec<_>>().join(", ")
}

/// A block body: statements, one per line, indented by `indent` levels.
pub fn block(ctx: Ctx, depth: u32, indent: usize) -> BoxedStrategy<String> {
    prop::collection::vec(stmt(ctx, depth), 0..5)
        .prop_map(move |stmts| {
            if stmts.is_empty() {
                return "{}".to_string();
            }
            let pad = "    ".repeat(indent + 1);
            let body: String = stmts
                .iter()
                .map(|s| format!("{pad}{}\n", s.replace('\n', &format!("\n{pad}"))))
                .collect();
            format!("{{\n{body}{}}}", "    ".repeat(indent))
        })
        .boxed()
}

/// One statement (possibly spanning lines, using `\n` and relative indentation).
pub fn stmt(ctx: Ctx, depth: u32) -> BoxedStrategy<String> {
    let e = expr(ctx);
    let mut options: Vec<BoxedStrategy<String>> = vec![
        (ident(), e.clone()).prop_map(|(x, v)| format!("let {x} = {}", v.text)).boxed(),
        (ident(), e.clone()).prop_map(|(x, v)| format!("let! {x} = {}", v.text)).boxed(),
        (ident(), type_ref(), e.clone())
            .prop_map(|(x, t, v)| format!("let {x}: {t} = {}", v.text))
            .boxed(),
        (ident(), ident(), e.clone())
            .prop_map(|(a, b, v)| format!("let ({a}, {b}) = {}", v.text))
            .boxed(),
        (
            ident(),
            prop::sample::select(vec![
                "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=",
            ]),
            e.clone(),
        )
            .prop_map(|(x, op, v)| format!("{x} {op} {}", v.text))
            .boxed(),
        (ident(), ident(), e.clone()).prop_map(|(p, f, v)| format!("{p}.{f} = {}", v.text)).boxed(),
        (ident(), e.clone(), e.clone())
            .prop_map(|(a, i, v)| format!("{a}[{}] = {}", i.text, v.text))
            .boxed(),
        e.clone().prop_map(|v| format!("$println({})", v.text)).boxed(),
        e.clone().prop_map(|v| format!("$println(f\"value = {{{}}}\");", v.text)).boxed(),
        e.clone().prop_map(|v| format!("return {}", v.text)).boxed(),
        (ident(), e.clone()).prop_map(|(f, v)| format!("defer {f}({})", v.text)).boxed(),
    ];
    if ctx.in_loop {
        options.push(Just("break".to_string()).boxed());
        options.push(Just("continue".to_string()).boxed());
    }
    if depth > 0 {
        let inner = |c: Ctx| block(c, depth - 1, 0);
        let looped = Ctx { in_loop: true, ..ctx };
        options.extend([
            (e.clone(), inner(ctx), prop::option::of((e.clone(), inner(ctx))), prop::option::of(inner(ctx)))
                .prop_map(|(c, then, elif, els)| {
                    let mut text = format!("if {} {then}", c.condition());
                    if let Some((c2, b2)) = elif {
                        text.push_str(&format!(" elif {} {b2}", c2.condition()));
                    }
                    if let Some(b3) = els {
                        text.push_str(&format!(" else {b3}"));
                    }
                    text
                })
                .boxed(),
            (e.clone(), inner(looped)).prop_map(|(c, b)| format!("while {} {b}", c.condition())).boxed(),
            inner(looped).prop_map(|b| format!("loop {b}")).boxed(),
            (ident(), e.clone(), e.clone(), any::<bool>(), inner(looped))
                .prop_map(|(i, a, b, incl, body)| {
                    let op = if incl { "..=" } else { ".." };
                    format!("for {i} in {}{op}{} {body}", a.head_operand(), b.head_operand())
                })
                .boxed(),
            (ident(), ident(), inner(looped))
                .prop_map(|(x, arr, body)| format!("'outer: for {x} in {arr} {body}"))
                .boxed(),
            (e.clone(), inner(ctx), e.clone())
                .prop_map(|(s, b, other)| {
                    format!(
                        "match {} {{\n    0 => {b}\n    1 | 2 => {},\n    n if n < 0 => 0\n    Shape.Rect(w, h) => w * h\n    Shape.Empty => 1,\n    _ => {{}}\n}}",
                        s.condition(),
                        other.text
                    )
                })
                .boxed(),
            inner(Ctx { in_async: true, in_loop: false }).prop_map(|b| format!("go {b}")).boxed(),
            (ident(), e.clone(), inner(ctx), prop::option::of(inner(ctx)))
                .prop_map(|(x, v, then, els)| {
                    let mut text = format!("if let Some({x}) = {} {then}", v.condition());
                    if let Some(els) = els {
                        text.push_str(&format!(" elif let None = {x} {els} else {{}}"));
                    }
                    text
                })
                .boxed(),
            (ident(), e.clone(), inner(looped))
                .prop_map(|(x, v, b)| format!("while let Ok(({x}, _)) = {} {b}", v.condition()))
                .boxed(),
            (e.clone(), ident(), e.clone())
                .prop_map(|(s, x, other)| {
                    format!(
                        "match {} {{\n    Some(({x}, _)) => {x}\n    Option.Some(0) | None => {},\n    Err(e) => e\n}}",
                        s.condition(),
                        other.text
                    )
                })
                .boxed(),
            (ident(), e.clone()).prop_map(|(f, v)| format!("go {f}({})", v.text)).boxed(),
            inner(ctx).prop_map(|b| format!("defer {b}")).boxed(),
        ]);
    }
    prop::strategy::Union::new(options).boxed()
}

/// A top-level item.
pub fn item() -> BoxedStrategy<String> {
    let params = prop::collection::vec((ident(), any::<bool>(), type_ref()), 0..4)
        .prop_map(|ps| {
            ps.iter()
                .map(|(n, m, t)| format!("{n}{}: {t}", if *m { "!" } else { "" }))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .boxed();
    let ret = prop::option::of(type_ref())
        .prop_map(|t| t.map(|t| format!(": {t}")).unwrap_or_default())
        .boxed();
    let body = |in_async| {
        (
            block(Ctx { in_async, in_loop: false }, 2, 0),
            prop::option::of(expr(Ctx { in_async, in_loop: false })),
        )
            .prop_map(|(b, tail)| match tail {
                Some(tail) if b == "{}" => format!("{{ {} }}", tail.text),
                Some(tail) => format!("{}    {}\n}}", &b[..b.len() - 1], tail.text),
                None => b,
            })
    };
    prop_oneof![
        4 => (ident(), params.clone(), ret.clone(), body(false))
            .prop_map(|(n, p, r, b)| format!("fn {n}({p}){r} {b}")),
        3 => (ident(), params.clone(), ret.clone(), body(true))
            .prop_map(|(n, p, r, b)| format!("async fn {n}({p}){r} {b}")),
        1 => (type_ident(), prop::collection::vec((ident(), type_ref()), 0..4)).prop_map(|(n, fs)| {
            let fields: Vec<String> = fs.iter().map(|(f, t)| format!("{f}: {t}")).collect();
            format!("struct {n} {{ {} }}", fields.join(", "))
        }),
        1 => (type_ident(), prop::collection::vec((ident(), type_ref()), 1..4)).prop_map(|(n, fs)| {
            let fields: String = fs.iter().map(|(f, t)| format!("    {f}: {t},\n")).collect();
            format!("struct {n} {{\n{fields}}}")
        }),
        1 => (type_ident(), prop::collection::vec((type_ident(), prop::collection::vec(type_ref(), 0..3)), 1..4))
            .prop_map(|(n, vs)| {
                let variants: Vec<String> = vs
                    .iter()
                    .map(|(v, ts)| if ts.is_empty() { v.clone() } else { format!("{v}({})", ts.join(", ")) })
                    .collect();
                format!("enum {n} {{ {} }}", variants.join(", "))
            }),
        1 => (ident(), type_ref(), literal()).prop_map(|(n, t, v)| format!("const {}: {t} = {v}", n.to_uppercase())),
        1 => (type_ident(), ident(), params.clone(), body(false))
            .prop_map(|(t, n, p, b)| format!("fn {t}.{n}({p}): {t} {b}")),
        1 => (type_ident(), ident(), ret.clone(), body(false))
            .prop_map(|(t, n, r, b)| format!("fn (self: {t}) {n}(){r} {b}")),
        1 => (ident(), params.clone()).prop_map(|(n, p)| format!("extern \"C\" fn {n}({p})")),
        1 => (ident(), ident()).prop_map(|(a, b)| format!("extern \"C\" {{ fn {a}(x: i32): i32  fn {b}(x: i64): i64 }}")),
    ]
    .boxed()
}

/// A whole program: items, separated by blank lines and comments, and a `main`.
pub fn program() -> BoxedStrategy<String> {
    (
        prop::collection::vec(item(), 1..8),
        any::<bool>(),
        block(Ctx { in_async: true, in_loop: false }, 2, 0),
    )
        .prop_map(|(items, async_main, main_body)| {
            let mut text = String::from("// generated Vex Core program\n");
            for item in items {
                text.push_str(&item);
                text.push_str("\n\n");
            }
            text.push_str("/// The entry point.\n");
            text.push_str(if async_main { "async fn main(): i32 " } else { "fn main() " });
            text.push_str(&main_body);
            text.push('\n');
            text
        })
        .boxed()
}

/// A deterministic program of at least `min_lines` lines, built from `program()` with a
/// fixed seed; used by benchmarks.
pub fn large_program(min_lines: usize, seed: u64) -> String {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner =
        TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &key));
    let strategy = program();
    let mut text = String::new();
    let mut lines = 0;
    while lines < min_lines {
        let Ok(tree) = strategy.new_tree(&mut runner) else { break };
        let chunk = tree.current();
        lines += chunk.lines().count();
        text.push_str(&chunk);
    }
    text
}
