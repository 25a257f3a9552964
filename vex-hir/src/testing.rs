//! A generator of well-typed Vex Core programs, for property tests of this crate and of
//! the stages after it (feature `testing`).
//!
//! Programs are built from a seed by a type-directed walk that tracks the locals in
//! scope, so every name resolves and every expression has the type its position needs.
//! They terminate (loops are bounded, calls only go to earlier functions), never panic
//! (no division, no out-of-range index, integer arithmetic wraps) and print what they
//! compute, so two ways of running one program can be compared by output. `await`
//! appears in every position LANGUAGE.md §6.5 allows: `let` initialisers, arguments,
//! operands, `if`/`while`/`match` conditions, loop bodies, nested blocks, `return` and
//! tail expressions.
//!
//! ```
//! let program = vex_hir::testing::well_typed_program(7, &vex_hir::testing::GenConfig::default());
//! assert!(program.contains("async fn main()"));
//! ```

use std::fmt::Write as _;

use proptest::prelude::*;

/// What a generated program may contain.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GenConfig {
    /// Futures bound with `let f = g(x)` and awaited later, after other statements.
    /// Their tasks then interleave with the spawner, so output order depends on the
    /// scheduler; turn this off for differential tests against sequential evaluation.
    pub deferred_awaits: bool,
    /// `go { … }` blocks (detached tasks; same caveat as `deferred_awaits`).
    pub go_blocks: bool,
    /// `defer` statements.
    pub defers: bool,
    /// `defer` also in nested blocks and loop bodies (by default only at the top of a
    /// function or `go` block, where it registers once per call), printing values of
    /// any type, loop variables and block-scoped locals included: each execution
    /// registers one deferred action, which reads the values at registration.
    pub defers_anywhere: bool,
    /// Plain functions may call themselves (about half of them do): a guard returns
    /// at once unless `0 < a <= 4`, and the tail adds `fN(a - 1, …)` and `fN(a - 2, …)`,
    /// so every call terminates after at most a few dozen nested calls.
    pub recursion: bool,
    /// Number of plain functions.
    pub functions: usize,
    /// Number of async functions (besides `main`).
    pub async_functions: usize,
    /// Statements per block, at most.
    pub block_len: usize,
    /// Nesting depth of expressions and blocks, at most.
    pub depth: u32,
    /// Prepended to the generated function names (`{prefix}f0`, `{prefix}g0`), so that
    /// several generated files can form one program.
    pub prefix: String,
    /// Whether to generate `async fn main()`.
    pub with_main: bool,
    /// The value layer of LANGUAGE.md §8–§10: `Option<i64>`, `Result<i64, string>`,
    /// `Vec<i64>`, closures and named functions as `fn(i64): i64` values, string
    /// methods, `?` (in functions `hN(a: i64): Option<i64>` and
    /// `kN(a: i64): Result<i64, string>`), `??`, `if let`, `while let`, and their
    /// printing. Every operation is one that cannot panic.
    pub values: bool,
}

impl Default for GenConfig {
    fn default() -> GenConfig {
        GenConfig {
            deferred_awaits: true,
            go_blocks: true,
            defers: true,
            defers_anywhere: false,
            recursion: true,
            functions: 3,
            async_functions: 3,
            block_len: 5,
            depth: 3,
            prefix: String::new(),
            with_main: true,
            values: true,
        }
    }
}

impl GenConfig {
    /// Programs whose output does not depend on scheduling: every future is awaited
    /// where it is created and no `go` block spawns a task.
    pub fn sequential() -> GenConfig {
        GenConfig { deferred_awaits: false, go_blocks: false, ..GenConfig::default() }
    }
}

/// A proptest strategy of well-typed programs.
pub fn well_typed_programs(config: GenConfig) -> impl Strategy<Value = String> {
    any::<u64>().prop_map(move |seed| well_typed_program(seed, &config))
}

/// The well-typed program for `seed`.
pub fn well_typed_program(seed: u64, config: &GenConfig) -> String {
    let mut generator = Generator {
        rng: seed ^ 0x9E37_79B9_7F4A_7C15,
        config: config.clone(),
        out: String::new(),
        scopes: Vec::new(),
        next_name: 0,
        functions: 0,
        async_functions: 0,
        option_functions: 0,
        result_functions: 0,
        try_into: None,
        in_async: false,
        in_loop: false,
        indent: 0,
        block_depth: 0,
    };
    generator.program();
    generator.out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GenTy {
    Int,
    Bool,
    Str,
    /// `Option<i64>`.
    Opt,
    /// `Result<i64, string>`.
    Res,
    /// `Vec<i64>`.
    Vec,
    /// `fn(i64): i64`.
    Fun,
}

impl GenTy {
    /// The types a `let` may bind.
    const ALL: [GenTy; 7] =
        [GenTy::Int, GenTy::Bool, GenTy::Str, GenTy::Opt, GenTy::Res, GenTy::Vec, GenTy::Fun];

    fn annotation(self) -> &'static str {
        match self {
            GenTy::Int => "i64",
            GenTy::Bool => "bool",
            GenTy::Str => "string",
            GenTy::Opt => "Option<i64>",
            GenTy::Res => "Result<i64, string>",
            GenTy::Vec => "Vec<i64>",
            GenTy::Fun => "fn(i64): i64",
        }
    }
}

#[derive(Debug, Clone)]
struct GenLocal {
    name: String,
    ty: GenTy,
    mutable: bool,
}

struct Generator {
    rng: u64,
    config: GenConfig,
    out: String,
    scopes: Vec<Vec<GenLocal>>,
    next_name: usize,
    /// Plain functions `f0 … f{n-1}` defined so far: `fN(a: i64, b: i64): i64`.
    functions: usize,
    /// Async functions `g0 …` defined so far: `gN(a: i64): i64`.
    async_functions: usize,
    /// Option functions `h0 …` defined so far: `hN(a: i64): Option<i64>`.
    option_functions: usize,
    /// Result functions `k0 …` defined so far: `kN(a: i64): Result<i64, string>`.
    result_functions: usize,
    /// The result type `?` may return into, in the function being generated.
    try_into: Option<GenTy>,
    in_async: bool,
    in_loop: bool,
    indent: usize,
    /// Blocks opened since the start of the current function or `go` block; `defer`
    /// is generated only at the top (0), so it registers once per call.
    block_depth: usize,
}

impl Generator {
    // ---- randomness (splitmix64: small, deterministic, no dependency) ----

    fn next(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next_name += 1;
        format!("{prefix}{}", self.next_name)
    }

    // ---- output ----

    fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "{:width$}{text}", "", width = self.indent * 4);
    }

    fn define(&mut self, name: String, ty: GenTy, mutable: bool) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(GenLocal { name, ty, mutable });
        }
    }

    fn locals_of(&self, ty: GenTy, mutable: bool) -> Vec<String> {
        self.scopes
            .iter()
            .flatten()
            .filter(|l| l.ty == ty && (l.mutable || !mutable))
            .map(|l| l.name.clone())
            .collect()
    }

    // ---- items ----

    fn program(&mut self) {
        if self.config.values {
            let prefix = self.config.prefix.clone();
            self.line(&format!("fn {prefix}neg1(x: i64): i64 {{ 0 - x }}"));
            self.line(&format!("fn {prefix}fold1(f: fn(i64): i64, x: i64): i64 {{ f(f(x)) }}"));
            // Typed constructors, so no generated expression needs a type annotation.
            self.line(&format!("fn {prefix}none(): Option<i64> {{ None }}"));
            self.line(&format!("fn {prefix}ok(x: i64): Result<i64, string> {{ Ok(x) }}"));
            self.line(&format!("fn {prefix}err(e: string): Result<i64, string> {{ Err(e) }}"));
        }
        for _ in 0..self.config.functions {
            self.function(false);
        }
        if self.config.values {
            for _ in 0..2 {
                self.try_function(GenTy::Opt);
                self.try_function(GenTy::Res);
            }
        }
        for _ in 0..self.config.async_functions {
            self.function(true);
        }
        if !self.config.with_main {
            return;
        }
        self.line("async fn main() {");
        self.indent += 1;
        self.in_async = true;
        self.scopes.push(Vec::new());
        let len = self.config.block_len + 2;
        self.statements(len, self.config.depth);
        let a = self.expr(GenTy::Int, 2);
        self.line(&format!("println({a})"));
        self.scopes.pop();
        self.indent -= 1;
        self.line("}");
    }

    fn function(&mut self, is_async: bool) {
        let name = if is_async {
            format!("{}g{}", self.config.prefix, self.async_functions)
        } else {
            format!("{}f{}", self.config.prefix, self.functions)
        };
        let header = if is_async {
            format!("async fn {name}(a: i64): i64 {{")
        } else {
            format!("fn {name}(a: i64, b!: i64): i64 {{")
        };
        self.line(&header);
        self.indent += 1;
        self.in_async = is_async;
        self.try_into = None;
        self.scopes.push(vec![GenLocal { name: "a".into(), ty: GenTy::Int, mutable: false }]);
        if !is_async {
            self.define("b".into(), GenTy::Int, true);
        }
        // `a` is immutable, so the guard bounds the recursion depth by 4.
        let recursive = !is_async && self.config.recursion && self.chance(50);
        if recursive {
            let value = self.expr(GenTy::Int, 1);
            self.line(&format!("if a <= 0 || a > 4 {{ return {value} }}"));
        }
        let len = self.below(self.config.block_len) + 1;
        self.statements(len, self.config.depth);
        if self.chance(30) {
            let cond = self.expr(GenTy::Bool, 1);
            let value = self.expr(GenTy::Int, 1);
            self.line(&format!("if {cond} {{ return {value} }}"));
        }
        let mut tail = self.expr(GenTy::Int, self.config.depth);
        if recursive {
            let (x, y) = (self.expr(GenTy::Int, 1), self.expr(GenTy::Int, 1));
            let op = ["+", "-", "^"][self.below(3)];
            tail = format!("({tail}) {op} {name}(a - 1, {x}) {op} {name}(a - 2, {y})");
        }
        self.line(&tail);
        self.scopes.pop();
        self.indent -= 1;
        self.line("}");
        if is_async {
            self.async_functions += 1;
        } else {
            self.functions += 1;
        }
    }

    /// `hN(a: i64): Option<i64>` or `kN(a: i64): Result<i64, string>`, which use `?`.
    fn try_function(&mut self, ty: GenTy) {
        let name = match ty {
            GenTy::Opt => format!("{}h{}", self.config.prefix, self.option_functions),
            _ => format!("{}k{}", self.config.prefix, self.result_functions),
        };
        self.line(&format!("fn {name}(a: i64): {} {{", ty.annotation()));
        self.indent += 1;
        self.in_async = false;
        self.try_into = Some(ty);
        self.scopes.push(vec![GenLocal { name: "a".into(), ty: GenTy::Int, mutable: false }]);
        let len = self.below(self.config.block_len) + 1;
        self.statements(len, self.config.depth.min(2));
        let value = self.expr(GenTy::Int, 1);
        let tail = match ty {
            GenTy::Opt if self.chance(30) => "None".to_owned(),
            GenTy::Opt => format!("Some({value})"),
            _ if self.chance(30) => format!("Err(\"k{}\")", self.result_functions),
            _ => format!("Ok({value})"),
        };
        self.line(&tail);
        self.scopes.pop();
        self.try_into = None;
        self.indent -= 1;
        self.line("}");
        match ty {
            GenTy::Opt => self.option_functions += 1,
            _ => self.result_functions += 1,
        }
    }

    // ---- statements ----

    fn statements(&mut self, count: usize, depth: u32) {
        let mut pending: Vec<String> = Vec::new();
        for _ in 0..count {
            self.statement(depth, &mut pending);
            if !pending.is_empty() && self.chance(40) {
                let future = pending.remove(0);
                self.await_pending(&future);
            }
        }
        for future in pending {
            self.await_pending(&future);
        }
    }

    fn await_pending(&mut self, future: &str) {
        let name = self.fresh("r");
        self.line(&format!("let {name} = await {future}"));
        self.line(&format!("println({name})"));
        self.define(name, GenTy::Int, false);
    }

    fn statement(&mut self, depth: u32, pending: &mut Vec<String>) {
        let choice = self.below(if self.config.values { 16 } else { 12 });
        match choice {
            0 | 1 => {
                let ty = self.any_ty();
                let value = self.expr(ty, depth);
                let name = self.fresh("v");
                if ty == GenTy::Int || ty == GenTy::Bool || ty == GenTy::Str || self.chance(50) {
                    self.line(&format!("let {name} = {value}"));
                } else {
                    self.line(&format!("let {name}: {} = {value}", ty.annotation()));
                }
                self.define(name, ty, false);
            }
            12 => {
                // A vector built by pushing, then drained with `while let`.
                let name = self.fresh("vec");
                self.line(&format!("let! {name} = Vec.new<i64>()"));
                let count = self.below(4);
                for _ in 0..count {
                    let value = self.expr(GenTy::Int, depth.min(1));
                    self.line(&format!("{name}.push({value})"));
                }
                if self.chance(50) {
                    let item = self.fresh("x");
                    self.line(&format!("while let Some({item}) = {name}.pop() {{"));
                    self.indent += 1;
                    self.scopes.push(vec![GenLocal {
                        name: item.clone(),
                        ty: GenTy::Int,
                        mutable: false,
                    }]);
                    let shown = self.expr(GenTy::Int, 0);
                    self.line(&format!("println({item} + {shown})"));
                    self.scopes.pop();
                    self.indent -= 1;
                    self.line("}");
                }
                self.define(name, GenTy::Vec, true);
            }
            13 => {
                // `if let` over an option or result.
                let (ty, pattern) =
                    if self.chance(50) { (GenTy::Opt, "Some") } else { (GenTy::Res, "Ok") };
                let value = self.expr(ty, depth.min(2));
                let item = self.fresh("y");
                self.line(&format!("if let {pattern}({item}) = {value} {{"));
                self.indent += 1;
                self.scopes.push(vec![GenLocal {
                    name: item.clone(),
                    ty: GenTy::Int,
                    mutable: false,
                }]);
                self.print(depth.saturating_sub(1));
                self.scopes.pop();
                self.indent -= 1;
                self.line("} else {");
                self.block(depth.saturating_sub(1));
                self.line("}");
            }
            14 if self.try_into.is_some() => {
                // `?` on a value of the function's own result type.
                let ty = self.try_into.unwrap_or(GenTy::Opt);
                let value = self.expr(ty, depth.min(2));
                let name = self.fresh("q");
                self.line(&format!("let {name} = {value}?"));
                self.define(name, GenTy::Int, false);
            }
            15 => {
                let targets = self.locals_of(GenTy::Vec, true);
                if targets.is_empty() {
                    return self.print(depth);
                }
                let target = targets[self.below(targets.len())].clone();
                match self.below(4) {
                    0 => {
                        let value = self.expr(GenTy::Int, depth.min(1));
                        self.line(&format!("{target}.push({value})"));
                    }
                    1 => self.line(&format!("{target}.reverse()")),
                    2 => self.line(&format!("{target}.sort()")),
                    _ => {
                        // A bounds-checked write that cannot fail.
                        let value = self.expr(GenTy::Int, depth.min(1));
                        self.line(&format!("if {target}.len() > 0 {{ {target}[0] = {value} }}"));
                    }
                }
            }
            2 => {
                let value = self.expr(GenTy::Int, depth);
                let name = self.fresh("m");
                self.line(&format!("let! {name}: i64 = {value}"));
                self.define(name, GenTy::Int, true);
            }
            3 => {
                let targets = self.locals_of(GenTy::Int, true);
                if targets.is_empty() {
                    return self.print(depth);
                }
                let target = targets[self.below(targets.len())].clone();
                let op = ["=", "+=", "-=", "*=", "^=", "|=", "&="][self.below(7)];
                let value = self.expr(GenTy::Int, depth);
                self.line(&format!("{target} {op} {value}"));
            }
            4 | 5 => self.print(depth),
            6 if depth > 0 => {
                let cond = self.expr(GenTy::Bool, depth - 1);
                self.line(&format!("if {cond} {{"));
                self.block(depth - 1);
                if self.chance(50) {
                    let cond = self.expr(GenTy::Bool, depth - 1);
                    self.line(&format!("}} elif {cond} {{"));
                    self.block(depth - 1);
                }
                if self.chance(50) {
                    self.line("} else {");
                    self.block(depth - 1);
                }
                self.line("}");
            }
            7 if depth > 0 => {
                let var = self.fresh("i");
                let end = self.below(4);
                let range = if self.chance(50) { ".." } else { "..=" };
                self.line(&format!("for {var} in 0{range}{end} {{"));
                self.indent += 1;
                self.scopes.push(vec![GenLocal { name: var, ty: GenTy::Int, mutable: false }]);
                let saved = std::mem::replace(&mut self.in_loop, true);
                self.loop_body(depth - 1);
                self.in_loop = saved;
                self.scopes.pop();
                self.indent -= 1;
                self.line("}");
            }
            8 if depth > 0 => {
                let counter = self.fresh("w");
                self.line(&format!("let! {counter} = 0"));
                let bound = self.below(4);
                self.line(&format!("while {counter} < {bound} {{"));
                self.indent += 1;
                self.line(&format!("{counter} += 1"));
                self.scopes.push(Vec::new());
                let saved = std::mem::replace(&mut self.in_loop, true);
                self.loop_body(depth - 1);
                self.in_loop = saved;
                self.scopes.pop();
                self.indent -= 1;
                self.line("}");
            }
            9 if self.in_async && self.async_functions > 0 && self.config.deferred_awaits => {
                let callee = self.below(self.async_functions);
                let arg = self.expr(GenTy::Int, depth.min(1));
                let name = self.fresh("fut");
                self.line(&format!("let {name} = {}g{callee}({arg})", self.config.prefix));
                pending.push(name);
            }
            10 if self.config.go_blocks && depth > 0 => {
                self.line("go {");
                let saved_async = std::mem::replace(&mut self.in_async, true);
                // A `go` block's result is discarded: no `?` in it.
                let saved_try = self.try_into.take();
                let saved_loop = std::mem::replace(&mut self.in_loop, false);
                // The go block is a task of its own: its top level may `defer`.
                let saved_depth = self.block_depth;
                self.indent += 1;
                self.scopes.push(Vec::new());
                self.block_depth = 0;
                let len = self.below(self.config.block_len) + 1;
                self.statements(len, depth - 1);
                self.scopes.pop();
                self.indent -= 1;
                self.block_depth = saved_depth;
                self.in_async = saved_async;
                self.in_loop = saved_loop;
                self.try_into = saved_try;
                self.line("}");
            }
            11 if self.config.defers && self.block_depth == 0 => {
                let value = self.expr(GenTy::Str, 0);
                self.line(&format!("defer println({value})"));
            }
            11 if self.config.defers && self.config.defers_anywhere => {
                let ty = [GenTy::Int, GenTy::Bool, GenTy::Str][self.below(3)];
                let value = self.expr(ty, 0);
                self.line(&format!("defer println({value})"));
            }
            _ => self.print(depth),
        }
    }

    /// A type for a `let` or a print: the scalars, and the value types when enabled.
    fn any_ty(&mut self) -> GenTy {
        let n = if self.config.values { GenTy::ALL.len() } else { 3 };
        GenTy::ALL[self.below(n)]
    }

    fn print(&mut self, depth: u32) {
        let mut ty = self.any_ty();
        if ty == GenTy::Fun {
            ty = GenTy::Int;
        }
        let value = self.expr(ty, depth);
        if self.chance(30) {
            let other = self.expr(GenTy::Int, depth.min(1));
            self.line(&format!("println(\"{{}} / {{}}\", {value}, {other})"));
        } else {
            self.line(&format!("println({value})"));
        }
    }

    fn block(&mut self, depth: u32) {
        self.indent += 1;
        self.block_depth += 1;
        self.scopes.push(Vec::new());
        let len = self.below(self.config.block_len) + 1;
        self.statements(len, depth);
        self.scopes.pop();
        self.block_depth -= 1;
        self.indent -= 1;
    }

    fn loop_body(&mut self, depth: u32) {
        self.block_depth += 1;
        let len = self.below(self.config.block_len) + 1;
        self.statements(len, depth);
        self.block_depth -= 1;
        if self.chance(30) {
            let cond = self.expr(GenTy::Bool, 0);
            let jump = if self.chance(50) { "break" } else { "continue" };
            self.line(&format!("if {cond} {{ {jump} }}"));
        }
    }

    // ---- expressions ----

    fn expr(&mut self, ty: GenTy, depth: u32) -> String {
        match ty {
            GenTy::Int => self.int_expr(depth),
            GenTy::Bool => self.bool_expr(depth),
            GenTy::Str => self.str_expr(depth),
            GenTy::Opt => self.opt_expr(depth),
            GenTy::Res => self.res_expr(depth),
            GenTy::Vec => self.vec_expr(depth),
            GenTy::Fun => self.fun_expr(depth),
        }
    }

    /// A local of type `ty`, if there is one (chosen at random).
    fn some_local(&mut self, ty: GenTy) -> Option<String> {
        let locals = self.locals_of(ty, false);
        (!locals.is_empty()).then(|| locals[self.below(locals.len())].clone())
    }

    /// An `i64` computed from a value of the value layer.
    fn int_from_values(&mut self, depth: u32) -> String {
        let d = depth.saturating_sub(1);
        match self.below(8) {
            0 => format!("({} ?? {})", self.opt_expr(d), self.int_expr(d)),
            1 => format!("({}).or({})", self.res_expr(d), self.int_expr(d)),
            2 => format!("({}).len()", self.vec_expr(d)),
            3 => format!("({}).len()", self.str_expr(d)),
            4 => {
                let f = self.fun_expr(d);
                let arg = self.int_expr(d);
                match self.some_local(GenTy::Fun) {
                    Some(local) if self.chance(50) => format!("{local}({arg})"),
                    _ => format!("{}fold1({f}, {arg})", self.config.prefix),
                }
            }
            5 => {
                let item = self.fresh("z");
                let value = self.opt_expr(d);
                self.scopes.push(vec![GenLocal {
                    name: item.clone(),
                    ty: GenTy::Int,
                    mutable: false,
                }]);
                let some = self.int_expr(d);
                self.scopes.pop();
                let none = self.int_expr(d);
                format!("(match {value} {{ Some({item}) => {some}, None => {none} }})")
            }
            6 => format!("(({}).toInt() ?? {})", self.str_expr(d), self.int_expr(0)),
            _ => {
                let v = self.vec_expr(d);
                let x = self.int_expr(0);
                format!("(({v}).indexOf({x}) ?? -1)")
            }
        }
    }

    fn opt_expr(&mut self, depth: u32) -> String {
        if let Some(local) = self.some_local(GenTy::Opt)
            && self.chance(40)
        {
            return local;
        }
        let d = depth.saturating_sub(1);
        match self.below(if depth == 0 { 2 } else { 8 }) {
            0 => format!("Some({})", self.int_expr(0)),
            1 => format!("{}none()", self.config.prefix),
            2 if self.option_functions > 0 => {
                let callee = self.below(self.option_functions);
                let arg = self.int_expr(d);
                format!("{}h{callee}({arg})", self.config.prefix)
            }
            3 => format!("({}).map(|x| x + {})", self.opt_expr(d), self.closure_int()),
            4 => format!("({}).filter(|x| x > {})", self.opt_expr(d), self.closure_int()),
            5 => format!("({}).ok()", self.res_expr(d)),
            6 => format!("({}).find({})", self.str_expr(d), self.str_expr(0)),
            _ => format!("({}).indexOf({})", self.vec_expr(d), self.int_expr(0)),
        }
    }

    fn res_expr(&mut self, depth: u32) -> String {
        if let Some(local) = self.some_local(GenTy::Res)
            && self.chance(40)
        {
            return local;
        }
        let d = depth.saturating_sub(1);
        match self.below(if depth == 0 { 2 } else { 5 }) {
            0 => {
                let value = self.int_expr(0);
                format!("{}ok({value})", self.config.prefix)
            }
            1 => {
                let error = self.str_expr(0);
                format!("{}err({error})", self.config.prefix)
            }
            2 if self.result_functions > 0 => {
                let callee = self.below(self.result_functions);
                let arg = self.int_expr(d);
                format!("{}k{callee}({arg})", self.config.prefix)
            }
            3 => format!("({}).okOr(\"none\")", self.opt_expr(d)),
            _ => format!("({}).map(|x| x * {})", self.res_expr(d), self.closure_int()),
        }
    }

    fn vec_expr(&mut self, depth: u32) -> String {
        if let Some(local) = self.some_local(GenTy::Vec)
            && self.chance(40)
        {
            return local;
        }
        let d = depth.saturating_sub(1);
        match self.below(if depth == 0 { 2 } else { 5 }) {
            0 => "Vec.new<i64>()".to_owned(),
            1 => {
                let (a, b) = (self.int_expr(0), self.int_expr(0));
                format!("Vec.from([{a}, {b}])")
            }
            2 => format!("({}).map(|x| x * {})", self.vec_expr(d), self.closure_int()),
            3 => format!("({}).filter(|x| x > {})", self.vec_expr(d), self.closure_int()),
            _ => {
                let v = self.vec_expr(d);
                format!("({v}).slice(0, 0)")
            }
        }
    }

    /// A small `i64` expression for the body of a (non-async) closure: no `await`.
    fn closure_int(&mut self) -> String {
        let saved = std::mem::replace(&mut self.in_async, false);
        let value = self.int_expr(0);
        self.in_async = saved;
        value
    }

    fn fun_expr(&mut self, depth: u32) -> String {
        if let Some(local) = self.some_local(GenTy::Fun)
            && self.chance(40)
        {
            return local;
        }
        let d = depth.saturating_sub(1);
        match self.below(3) {
            0 => {
                // A closure that captures what is in scope.
                let param = self.fresh("p");
                self.scopes.push(vec![GenLocal {
                    name: param.clone(),
                    ty: GenTy::Int,
                    mutable: false,
                }]);
                let saved = std::mem::replace(&mut self.in_async, false);
                let body = self.int_expr(d.min(1));
                self.in_async = saved;
                self.scopes.pop();
                format!("|{param}: i64| {body}")
            }
            1 if self.option_functions > 0 => {
                let callee = self.below(self.option_functions);
                format!("(|x: i64| ({}h{callee}(x) ?? 0))", self.config.prefix)
            }
            _ => format!("{}neg1", self.config.prefix),
        }
    }

    fn int_expr(&mut self, depth: u32) -> String {
        let locals = self.locals_of(GenTy::Int, false);
        if depth == 0 {
            return match self.below(3) {
                0 if !locals.is_empty() => locals[self.below(locals.len())].clone(),
                1 if self.in_async && self.async_functions > 0 && self.chance(30) => {
                    let callee = self.below(self.async_functions);
                    let value = self.below(50);
                    format!("(await {}g{callee}({value}))", self.config.prefix)
                }
                _ => {
                    let value = self.below(100);
                    if self.chance(15) { format!("(0 - {value})") } else { value.to_string() }
                }
            };
        }
        let d = depth - 1;
        match self.below(12) {
            0 | 1 => {
                let op = ["+", "-", "*", "&", "|", "^"][self.below(6)];
                let (a, b) = (self.int_expr(d), self.int_expr(d));
                format!("({a} {op} {b})")
            }
            2 => {
                let (c, a, b) = (self.bool_expr(d), self.int_expr(d), self.int_expr(d));
                format!("(if {c} {{ {a} }} else {{ {b} }})")
            }
            3 if self.functions > 0 => {
                let callee = self.below(self.functions);
                let (a, b) = (self.int_expr(d), self.int_expr(d));
                format!("{}f{callee}({a}, {b})", self.config.prefix)
            }
            4 if self.in_async && self.async_functions > 0 => {
                let callee = self.below(self.async_functions);
                let arg = self.int_expr(d);
                format!("(await {}g{callee}({arg}))", self.config.prefix)
            }
            5 => {
                let scrutinee = self.int_expr(d);
                let (a, b, c) = (self.int_expr(d), self.int_expr(d), self.int_expr(d));
                let binding = self.fresh("n");
                self.scopes.push(vec![GenLocal {
                    name: binding.clone(),
                    ty: GenTy::Int,
                    mutable: false,
                }]);
                let guarded = self.int_expr(d);
                self.scopes.pop();
                format!(
                    "(match ({scrutinee}) {{ 0 => {a}, 1 | 2 => {b}, {binding} if {binding} > 5 => {guarded}, _ => {c} }})"
                )
            }
            6 => {
                let value = self.int_expr(d);
                let name = self.fresh("t");
                self.scopes.push(vec![GenLocal {
                    name: name.clone(),
                    ty: GenTy::Int,
                    mutable: false,
                }]);
                let body = self.int_expr(d);
                self.scopes.pop();
                format!("{{ let {name} = {value}; {body} }}")
            }
            7 => {
                let value = self.int_expr(d);
                let ty = ["i32", "u8", "i16", "u64"][self.below(4)];
                format!("({value} as {ty} as i64)")
            }
            8 => {
                let (a, b, c) = (self.int_expr(d), self.int_expr(d), self.int_expr(d));
                let index = self.below(3);
                format!("[{a}, {b}, {c}][{index}]")
            }
            9 => {
                let (a, b) = (self.int_expr(d), self.int_expr(d));
                format!("({a}, {b}).{}", self.below(2))
            }
            10 => {
                let value = self.int_expr(d);
                format!("loop {{ break {value} }}")
            }
            11 if self.config.values => self.int_from_values(depth),
            _ => self.int_expr(0),
        }
    }

    fn bool_expr(&mut self, depth: u32) -> String {
        let locals = self.locals_of(GenTy::Bool, false);
        if depth == 0 {
            return match self.below(3) {
                0 if !locals.is_empty() => locals[self.below(locals.len())].clone(),
                1 => ["true", "false"][self.below(2)].to_owned(),
                _ => {
                    let op = ["<", "<=", ">", ">=", "==", "!="][self.below(6)];
                    let (a, b) = (self.int_expr(0), self.int_expr(0));
                    format!("({a} {op} {b})")
                }
            };
        }
        let d = depth - 1;
        match self.below(5) {
            0 => {
                let op = ["<", "<=", ">", ">=", "==", "!="][self.below(6)];
                let (a, b) = (self.int_expr(d), self.int_expr(d));
                format!("({a} {op} {b})")
            }
            1 => format!("!{}", self.bool_expr(0)),
            2 => {
                let op = ["&&", "||"][self.below(2)];
                let (a, b) = (self.bool_expr(d), self.bool_expr(d));
                format!("({a} {op} {b})")
            }
            3 => {
                let (a, b) = (self.str_expr(0), self.str_expr(0));
                format!("({a} == {b})")
            }
            _ => self.bool_expr(0),
        }
    }

    fn str_expr(&mut self, depth: u32) -> String {
        let locals = self.locals_of(GenTy::Str, false);
        match self.below(if depth == 0 { 2 } else { 4 }) {
            0 if !locals.is_empty() => locals[self.below(locals.len())].clone(),
            2 => {
                // Holes stay simple: a name, a literal or an awaited call.
                let value = self.int_expr(0);
                let flag = self.bool_expr(0);
                format!("f\"n={{{value}}} b={{{flag}}}\"")
            }
            3 if self.config.values && self.chance(40) => {
                let s = self.str_expr(depth - 1);
                match self.below(5) {
                    0 => format!("({s}).toUpper()"),
                    1 => format!("({s}).trim()"),
                    2 => format!("({s}).repeat(2)"),
                    3 => format!("({s}).split(\" \").join(\"-\")"),
                    _ => format!("({}).toString()", self.int_expr(0)),
                }
            }
            3 => {
                let (a, b) = (self.str_expr(depth - 1), self.str_expr(depth - 1));
                format!("({a} + {b})")
            }
            _ => ["\"a\"", "\"bc\"", "\"\"", "\"x y\""][self.below(4)].to_owned(),
        }
    }
}

/// A program of about `lines` lines, split into files of about `lines_per_file` lines,
/// for benchmarks: `(path, text)` pairs; the first file has `main`.
pub fn large_program(lines: usize, lines_per_file: usize, seed: u64) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut total = 0;
    while total < lines {
        let index = files.len();
        let mut text = String::new();
        let mut part = 0;
        while text.lines().count() < lines_per_file {
            let config = GenConfig {
                prefix: format!("m{index}p{part}_"),
                with_main: index == 0 && part == 0,
                ..GenConfig::default()
            };
            text += &well_typed_program(seed ^ ((index as u64) << 20) ^ part as u64, &config);
            part += 1;
        }
        total += text.lines().count();
        files.push((format!("file{index}.vx"), text));
    }
    files
}

/// The number of proptest cases to run: `VEX_PROPTEST_CASES` when set (as
/// `cargo xtask proptest` does for long runs), else `default` (the CI budget).
pub fn proptest_cases(default: u32) -> u32 {
    std::env::var("VEX_PROPTEST_CASES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// The Vex programs of a corpus laid out like the repository's `examples/`: every
/// `*.vx` file in the subfolders of `dir` (one level deep), sorted. The stages' test
/// suites all walk the examples through this.
pub fn example_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let sections = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for section in sections {
        let section = section.expect("directory entry").path();
        if !section.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&section).expect("readable folder") {
            let file = file.expect("directory entry").path();
            if file.extension().is_some_and(|e| e == "vx") {
                out.push(file);
            }
        }
    }
    out.sort();
    out
}

/// What an example program must do, from the files beside it: `NAME.out` (its stdout;
/// empty when missing), `NAME.code` (its exit status; 0 when missing) and `NAME.err`
/// (its exact stderr, checked only when present).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The whole standard output.
    pub stdout: String,
    /// The exit status.
    pub code: i32,
    /// The whole standard error, when the example pins it.
    pub stderr: Option<String>,
}

impl Expected {
    /// The expectations of the example at `path` (a `.vx` file).
    pub fn of(path: &std::path::Path) -> Expected {
        let read = |ext: &str| std::fs::read_to_string(path.with_extension(ext)).ok();
        let code = read("code").map_or(0, |c| {
            c.trim().parse().unwrap_or_else(|e| panic!("{}: bad .code file: {e}", path.display()))
        });
        Expected { stdout: read("out").unwrap_or_default(), code, stderr: read("err") }
    }

    /// How `(stdout, stderr, code)` differs from what is expected, one line per
    /// difference; empty when it matches.
    pub fn mismatches(&self, stdout: &str, stderr: &str, code: i32) -> Vec<String> {
        let mut out = Vec::new();
        if stdout != self.stdout {
            out.push(format!("stdout\n{stdout}\nexpected\n{}", self.stdout));
        }
        if code != self.code {
            out.push(format!("exit code {code}, expected {} (stderr: {stderr})", self.code));
        }
        if let Some(err) = &self.stderr
            && stderr != err
        {
            out.push(format!("stderr {stderr:?}, expected {err:?}"));
        }
        out
    }
}

/// The examples whose output does not depend on scheduling, listed one path per line
/// (relative to `root`, the repository) in `root/examples/order_independent.txt`.
pub fn order_independent_files(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let list = root.join("examples/order_independent.txt");
    let list = std::fs::read_to_string(&list).unwrap_or_else(|e| panic!("{}: {e}", list.display()));
    list.lines().map(str::trim).filter(|l| l.ends_with(".vx")).map(|l| root.join(l)).collect()
}
