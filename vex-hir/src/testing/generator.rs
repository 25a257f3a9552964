//! The generator's walk: functions, statements, and the scalar expressions.

use std::fmt::Write as _;

use super::GenConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum GenTy {
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
    /// `Channel<i64>` (never in [`GenTy::ALL`]: channels are made by their scenarios).
    ChanInt,
    /// `Channel<string>`.
    ChanStr,
}

impl GenTy {
    /// The types a `let` may bind.
    pub(super) const ALL: [GenTy; 7] =
        [GenTy::Int, GenTy::Bool, GenTy::Str, GenTy::Opt, GenTy::Res, GenTy::Vec, GenTy::Fun];

    pub(super) fn annotation(self) -> &'static str {
        match self {
            GenTy::Int => "i64",
            GenTy::Bool => "bool",
            GenTy::Str => "string",
            GenTy::Opt => "Option<i64>",
            GenTy::Res => "Result<i64, string>",
            GenTy::Vec => "Vec<i64>",
            GenTy::Fun => "fn(i64): i64",
            GenTy::ChanInt => "Channel<i64>",
            GenTy::ChanStr => "Channel<string>",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct GenLocal {
    pub(super) name: String,
    pub(super) ty: GenTy,
    pub(super) mutable: bool,
}

pub(super) struct Generator {
    pub(super) rng: u64,
    pub(super) config: GenConfig,
    pub(super) out: String,
    pub(super) scopes: Vec<Vec<GenLocal>>,
    pub(super) next_name: usize,
    /// Plain functions `f0 … f{n-1}` defined so far: `fN(a: i64, b: i64): i64`.
    pub(super) functions: usize,
    /// Async functions `g0 …` defined so far: `gN(a: i64): i64`.
    pub(super) async_functions: usize,
    /// Option functions `h0 …` defined so far: `hN(a: i64): Option<i64>`.
    pub(super) option_functions: usize,
    /// Result functions `k0 …` defined so far: `kN(a: i64): Result<i64, string>`.
    pub(super) result_functions: usize,
    /// The result type `?` may return into, in the function being generated.
    pub(super) try_into: Option<GenTy>,
    pub(super) in_async: bool,
    /// At the top of a synchronous `main` (not in a closure in it): channel waits are
    /// allowed there, `await` is not.
    pub(super) sync_main: bool,
    /// Channel scenarios (the ones that wait) the current function may still get:
    /// async functions run many times, so they get fewer than `main`.
    pub(super) scenarios_left: usize,
    pub(super) in_loop: bool,
    pub(super) indent: usize,
    /// Blocks opened since the start of the current function or `go` block; `defer`
    /// is generated only at the top (0), so it registers once per call.
    pub(super) block_depth: usize,
}

impl Generator {
    // ---- randomness (splitmix64: small, deterministic, no dependency) ----

    pub(super) fn next(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub(super) fn fresh(&mut self, prefix: &str) -> String {
        self.next_name += 1;
        format!("{prefix}{}", self.next_name)
    }

    // ---- output ----

    pub(super) fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "{:width$}{text}", "", width = self.indent * 4);
    }

    pub(super) fn define(&mut self, name: String, ty: GenTy, mutable: bool) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(GenLocal { name, ty, mutable });
        }
    }

    pub(super) fn locals_of(&self, ty: GenTy, mutable: bool) -> Vec<String> {
        self.scopes
            .iter()
            .flatten()
            .filter(|l| l.ty == ty && (l.mutable || !mutable))
            .map(|l| l.name.clone())
            .collect()
    }

    // ---- items ----

    pub(super) fn program(&mut self) {
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
        if self.config.channels {
            self.channel_helpers();
        }
        for _ in 0..self.config.async_functions {
            self.function(true);
        }
        if !self.config.with_main {
            return;
        }
        // A synchronous `main` may wait on channels too (it runs as the first task).
        if self.config.channels && self.chance(20) {
            self.line("fn main() {");
            self.in_async = false;
            self.sync_main = true;
        } else {
            self.line("async fn main() {");
            self.in_async = true;
        }
        self.indent += 1;
        self.scenarios_left = 4;
        self.scopes.push(Vec::new());
        let len = self.config.block_len + 2;
        self.statements(len, self.config.depth);
        let a = self.expr(GenTy::Int, 2);
        self.line(&format!("println({a})"));
        self.scopes.pop();
        self.sync_main = false;
        self.indent -= 1;
        self.line("}");
    }

    pub(super) fn function(&mut self, is_async: bool) {
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
        // Plain functions (recursive ones above all) run too often: their `go` blocks
        // get no channel scenario.
        self.scenarios_left = usize::from(is_async);
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

    // ---- statements ----

    pub(super) fn statements(&mut self, count: usize, depth: u32) {
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

    pub(super) fn await_pending(&mut self, future: &str) {
        let name = self.fresh("r");
        self.line(&format!("let {name} = await {future}"));
        self.line(&format!("println({name})"));
        self.define(name, GenTy::Int, false);
    }

    pub(super) fn statement(&mut self, depth: u32, pending: &mut Vec<String>) {
        let kinds = if self.config.values { 16 } else { 12 };
        let channels = if self.config.channels { 3 } else { 0 };
        let choice = self.below(kinds + channels);
        if choice >= kinds {
            return self.channel_statement(depth);
        }
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
    pub(super) fn any_ty(&mut self) -> GenTy {
        let n = if self.config.values { GenTy::ALL.len() } else { 3 };
        GenTy::ALL[self.below(n)]
    }

    pub(super) fn print(&mut self, depth: u32) {
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

    pub(super) fn block(&mut self, depth: u32) {
        self.indent += 1;
        self.block_depth += 1;
        self.scopes.push(Vec::new());
        let len = self.below(self.config.block_len) + 1;
        self.statements(len, depth);
        self.scopes.pop();
        self.block_depth -= 1;
        self.indent -= 1;
    }

    pub(super) fn loop_body(&mut self, depth: u32) {
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

    pub(super) fn expr(&mut self, ty: GenTy, depth: u32) -> String {
        match ty {
            GenTy::Int => self.int_expr(depth),
            GenTy::Bool => self.bool_expr(depth),
            GenTy::Str => self.str_expr(depth),
            GenTy::Opt => self.opt_expr(depth),
            GenTy::Res => self.res_expr(depth),
            GenTy::Vec => self.vec_expr(depth),
            GenTy::Fun => self.fun_expr(depth),
            GenTy::ChanInt | GenTy::ChanStr => match self.some_local(ty) {
                Some(local) => local,
                None if ty == GenTy::ChanInt => "Channel.new<i64>(1)".to_owned(),
                None => "Channel.new<string>(1)".to_owned(),
            },
        }
    }

    /// A local of type `ty`, if there is one (chosen at random).
    pub(super) fn some_local(&mut self, ty: GenTy) -> Option<String> {
        let locals = self.locals_of(ty, false);
        (!locals.is_empty()).then(|| locals[self.below(locals.len())].clone())
    }

    pub(super) fn int_expr(&mut self, depth: u32) -> String {
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
        match self.below(if self.config.channels { 13 } else { 12 }) {
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
            12 => self.int_from_channel(d),
            _ => self.int_expr(0),
        }
    }

    pub(super) fn bool_expr(&mut self, depth: u32) -> String {
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
        match self.below(if self.config.channels { 6 } else { 5 }) {
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
            5 => self.bool_from_channel(),
            _ => self.bool_expr(0),
        }
    }

    pub(super) fn str_expr(&mut self, depth: u32) -> String {
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
