//! Program generators and invariant checkers for property tests (feature `testing`).
//!
//! [`program`] turns a seed into a well-typed Vex Core program whose async functions
//! hold integers, strings, arrays and futures across `await`s inside `if`, `for` and
//! `match`, with `defer`s; every future is awaited (so sequential and scheduled runs must
//! print the same), and only functions that do not print are ever left running while
//! their caller continues. [`check_invariants`] checks the coroutine transform's
//! contract on every async function of a module, [`check_cancellation`] cancels each
//! coroutine at each of its suspension points and checks that everything held is
//! released exactly once, and [`check_differential`] compares sequential evaluation of
//! the built IR with scheduled evaluation of the transformed IR.

use std::fmt::Write as _;

use proptest::prelude::*;

use crate::coro::{self, liveness::liveness};
use crate::eval::{Mode, Options, RunResult, run_main};
use crate::ir::layout::layout_of;
use crate::ir::validate::{Stage, validate_function, validate_module};
use crate::ir::*;

/// A strategy of generated programs (seeded; shrinking picks smaller seeds).
pub fn programs() -> impl Strategy<Value = String> {
    any::<u64>().prop_map(program)
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

#[derive(Clone)]
enum Var {
    Int(String, bool),
    Str(String),
    Arr(String),
    Future(String),
}

struct Gen {
    rng: Rng,
    out: String,
    scopes: Vec<Vec<Var>>,
    counter: u32,
    /// Async functions callable from the current one: (name, takes a string, prints).
    callable: Vec<(String, bool, bool)>,
    prints: bool,
    indent: usize,
}

impl Gen {
    fn fresh(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}", self.counter)
    }

    fn vars(&self) -> Vec<Var> {
        self.scopes.iter().flatten().cloned().collect()
    }

    fn ints(&self) -> Vec<(String, bool)> {
        self.vars()
            .into_iter()
            .filter_map(|v| match v {
                Var::Int(n, m) => Some((n, m)),
                _ => None,
            })
            .collect()
    }

    fn strs(&self) -> Vec<String> {
        self.vars()
            .into_iter()
            .filter_map(|v| match v {
                Var::Str(n) => Some(n),
                _ => None,
            })
            .collect()
    }

    fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "{}{text}", "    ".repeat(self.indent));
    }

    fn int_expr(&mut self, depth: u32) -> String {
        let ints = self.ints();
        let arrays: Vec<String> = self
            .vars()
            .into_iter()
            .filter_map(|v| if let Var::Arr(n) = v { Some(n) } else { None })
            .collect();
        match self.rng.below(if depth > 1 { 3 } else { 6 }) {
            0 => format!("{}", self.rng.below(20)),
            1 | 2 if !ints.is_empty() => ints[self.rng.below(ints.len() as u64) as usize].0.clone(),
            3 if !arrays.is_empty() => {
                format!(
                    "{}[{}]",
                    arrays[self.rng.below(arrays.len() as u64) as usize],
                    self.rng.below(3)
                )
            }
            4 => {
                let op = ["+", "-", "*"][self.rng.below(3) as usize];
                format!("({} {op} {})", self.int_expr(depth + 1), self.int_expr(depth + 1))
            }
            _ => format!("{}", self.rng.below(100)),
        }
    }

    fn str_expr(&mut self) -> String {
        let strs = self.strs();
        match self.rng.below(4) {
            0 if !strs.is_empty() => strs[self.rng.below(strs.len() as u64) as usize].clone(),
            1 if !strs.is_empty() => {
                let s = strs[self.rng.below(strs.len() as u64) as usize].clone();
                format!("{s} + \"-\"")
            }
            2 => {
                let e = self.int_expr(1);
                format!("f\"n{{{e}}}\"")
            }
            _ => format!("\"s{}\"", self.rng.below(10)),
        }
    }

    fn await_call(&mut self) -> Option<String> {
        let candidates: Vec<(String, bool, bool)> =
            self.callable.iter().filter(|c| self.prints || !c.2).cloned().collect();
        if candidates.is_empty() {
            return None;
        }
        let (name, takes_str, _) =
            candidates[self.rng.below(candidates.len() as u64) as usize].clone();
        let arg = self.int_expr(1);
        Some(if takes_str {
            let s = self.str_expr();
            format!("await {name}({arg}, {s})")
        } else {
            format!("await {name}({arg})")
        })
    }

    fn stmts(&mut self, depth: u32, count: u64) {
        for _ in 0..count {
            self.stmt(depth);
        }
    }

    fn block(&mut self, header: &str, depth: u32, extra: Vec<Var>) {
        self.line(&format!("{header} {{"));
        self.indent += 1;
        self.scopes.push(extra);
        let n = 1 + self.rng.below(3);
        self.stmts(depth + 1, n);
        self.scopes.pop();
        self.indent -= 1;
        self.line("}");
    }

    fn stmt(&mut self, depth: u32) {
        let choice = self.rng.below(if depth >= 2 { 9 } else { 13 });
        match choice {
            0 | 1 => {
                let name = self.fresh("v");
                let mutable = self.rng.chance(50);
                let e = self.int_expr(0);
                self.line(&format!("let{} {name} = {e}", if mutable { "!" } else { "" }));
                self.scopes.last_mut().unwrap().push(Var::Int(name, mutable));
            }
            2 => {
                let name = self.fresh("s");
                let e = self.str_expr();
                self.line(&format!("let {name} = {e}"));
                self.scopes.last_mut().unwrap().push(Var::Str(name));
            }
            3 => {
                let muts: Vec<String> =
                    self.ints().into_iter().filter(|v| v.1).map(|v| v.0).collect();
                if let Some(v) =
                    muts.get(self.rng.below(muts.len().max(1) as u64) as usize).cloned()
                {
                    let e = self.int_expr(1);
                    self.line(&format!("{v} += {e}"));
                }
            }
            4 => {
                let ms = self.rng.below(5);
                self.line(&format!("await async_sleep({ms})"))
            }
            5 => self.line("await yield_now()"),
            6 => {
                if let Some(call) = self.await_call() {
                    let name = self.fresh("v");
                    self.line(&format!("let {name} = {call}"));
                    if self.prints {
                        self.line(&format!("$println(f\"{name} = {{{name}}}\")"));
                    }
                    self.scopes.last_mut().unwrap().push(Var::Int(name, false));
                }
            }
            7 => {
                if self.prints {
                    let e = if self.rng.chance(50) { self.int_expr(0) } else { self.str_expr() };
                    self.line(&format!("$println({e})"));
                }
            }
            8 => {
                let name = self.fresh("a");
                let (x, y) = (self.int_expr(1), self.int_expr(1));
                self.line(&format!("let {name} = [{x}, {y}, 3]"));
                self.scopes.last_mut().unwrap().push(Var::Arr(name));
            }
            9 => {
                let c = format!("{} < {}", self.int_expr(1), self.int_expr(1));
                self.block(&format!("if {c}"), depth, vec![]);
                if self.rng.chance(50) {
                    self.block("else", depth, vec![]);
                }
            }
            10 => {
                let i = self.fresh("i");
                let n = self.rng.below(3);
                self.block(&format!("for {i} in 0..{n}"), depth, vec![Var::Int(i, false)]);
            }
            11 => {
                // A future held across other awaits, awaited later in the same block.
                let quiet: Vec<String> =
                    self.callable.iter().filter(|c| !c.2 && !c.1).map(|c| c.0.clone()).collect();
                if let Some(f) = quiet.first().cloned() {
                    let name = self.fresh("f");
                    let arg = self.int_expr(1);
                    self.line(&format!("let {name} = {f}({arg})"));
                    self.scopes.last_mut().unwrap().push(Var::Future(name.clone()));
                    self.stmt(depth + 1);
                    let v = self.fresh("v");
                    self.line(&format!("let {v} = await {name}"));
                    self.scopes
                        .last_mut()
                        .unwrap()
                        .retain(|x| !matches!(x, Var::Future(n) if *n == name));
                    self.scopes.last_mut().unwrap().push(Var::Int(v, false));
                }
            }
            _ => {
                let e = self.int_expr(1);
                self.line(&format!("match {e} % 3 {{"));
                self.indent += 1;
                for arm in ["0", "1", "_"] {
                    self.line(&format!("{arm} => {{"));
                    self.indent += 1;
                    self.scopes.push(Vec::new());
                    let n = 1 + self.rng.below(2);
                    self.stmts(depth + 1, n);
                    self.scopes.pop();
                    self.indent -= 1;
                    self.line("},");
                }
                self.indent -= 1;
                self.line("}");
            }
        }
    }

    fn function(&mut self, name: &str, takes_str: bool, prints: bool, is_main: bool) {
        self.prints = prints;
        self.scopes = vec![vec![]];
        if is_main {
            self.line("async fn main() {");
        } else if takes_str {
            self.line(&format!("async fn {name}(x: i64, name: string): i64 {{"));
            self.scopes[0].push(Var::Int("x".into(), false));
            self.scopes[0].push(Var::Str("name".into()));
        } else {
            self.line(&format!("async fn {name}(x: i64): i64 {{"));
            self.scopes[0].push(Var::Int("x".into(), false));
        }
        self.indent = 1;
        if prints && self.rng.chance(40) {
            let s = self.str_expr();
            self.line(&format!("defer $println({s})"));
        }
        let n = 2 + self.rng.below(5);
        self.stmts(0, n);
        if prints {
            // Print what is visible at the end: values carried across the awaits.
            for v in self.vars() {
                match v {
                    Var::Int(n, _) | Var::Str(n) => self.line(&format!("$println({n})")),
                    Var::Arr(n) => self.line(&format!("$println({n}[0] + {n}[1])")),
                    Var::Future(_) => {}
                }
            }
        }
        if !is_main {
            let e = self.int_expr(0);
            self.line(&e);
        }
        self.indent = 0;
        self.line("}");
        self.line("");
    }
}

/// A well-typed program from a seed.
pub fn program(seed: u64) -> String {
    let mut g = Gen {
        rng: Rng(seed | 1),
        out: String::new(),
        scopes: Vec::new(),
        counter: 0,
        callable: Vec::new(),
        prints: false,
        indent: 0,
    };
    let leaves = 1 + g.rng.below(2);
    for i in 0..leaves {
        let name = format!("leaf{i}");
        g.function(&name, false, false, false);
        g.callable.push((name, false, false));
    }
    let mids = g.rng.below(3);
    for i in 0..mids {
        let name = format!("mid{i}");
        g.function(&name, true, true, false);
        g.callable.push((name, true, true));
    }
    g.function("main", false, true, true);
    g.out
}

/// Checks the transform's contract on every async function of a built module.
pub fn check_invariants(built: &Module) -> Result<(), String> {
    let types = built.type_defs();
    for f in built.functions.iter().filter(|f| f.kind == FunctionKind::Async) {
        let t = coro::transform(f, &types);
        let info = &t.info;
        let waits: Vec<usize> = (0..info.function.blocks.len())
            .filter(|b| info.function.blocks[*b].term.is_wait())
            .collect();
        // Each wait is exactly one state; states are dense.
        if waits.len() != info.saved.suspensions.len() {
            return Err(format!(
                "{}: {} waits, {} states",
                f.name,
                waits.len(),
                info.saved.suspensions.len()
            ));
        }
        for (i, s) in info.saved.suspensions.iter().enumerate() {
            if s.state != i as u32 + 1 || s.block.index() != waits[i] {
                return Err(format!("{}: state numbering broken at {i}", f.name));
            }
        }
        // The dispatch covers exactly the reachable states and traps otherwise.
        let Terminator::Switch { cases, default, .. } = &t.resume.blocks[0].term else {
            return Err(format!("{}: no dispatch switch", f.name));
        };
        let values: Vec<i128> = cases.iter().map(|c| c.0).collect();
        let want: Vec<i128> = (0..=waits.len() as i128).collect();
        if values != want {
            return Err(format!("{}: dispatch cases {values:?}", f.name));
        }
        if t.resume.blocks[default.index()].term != Terminator::Unreachable
            || values.contains(&info.layout.tag.done)
            || values.contains(&info.layout.tag.poisoned)
        {
            return Err(format!("{}: dispatch does not trap on reserved states", f.name));
        }
        // Every local read in the resume function is loaded or defined first.
        let errors = validate_function(
            &t.resume,
            &state_types(&types, &t),
            None,
            &Default::default(),
            Stage::Transformed,
        );
        if let Some(e) = errors.first() {
            return Err(e.to_string());
        }
        let sets: Vec<&[LocalId]> = std::iter::once(info.saved.start.as_slice())
            .chain(info.saved.suspensions.iter().map(|s| s.saved.as_slice()))
            .collect();
        // Locals sharing bytes are never saved at the same suspension.
        let def = &info.layout.def;
        let range = |l: LocalId| {
            let field = &def.fields[info.layout.local_fields[&l] as usize];
            (field.offset, field.offset + layout_of(&field.ty, &types).size)
        };
        for set in &sets {
            for (i, a) in set.iter().enumerate() {
                for b in &set[i + 1..] {
                    let (ra, rb) = (range(*a), range(*b));
                    if ra.0 < rb.1 && rb.0 < ra.1 && ra.0 != ra.1 && rb.0 != rb.1 {
                        return Err(format!(
                            "{}: {a} and {b} share bytes but are saved together",
                            f.name
                        ));
                    }
                }
            }
        }
        // Size bounds.
        let bytes = |l: &LocalId| layout_of(info.function.local_ty(*l), &types).size;
        let max_saved = sets.iter().map(|s| s.iter().map(bytes).sum::<u64>()).max().unwrap_or(0);
        let mut all: Vec<LocalId> = sets.iter().flat_map(|s| s.iter().copied()).collect();
        all.sort();
        all.dedup();
        let sum_saved: u64 = all.iter().map(bytes).sum();
        let header = info.layout.header_bytes;
        if !(header + max_saved <= def.size && def.size <= header + sum_saved) {
            return Err(format!(
                "{}: size {} outside [{}, {}]",
                f.name,
                def.size,
                header + max_saved,
                header + sum_saved
            ));
        }
        // No dead local saved: each is read after the resume point before being written.
        for s in &info.saved.suspensions {
            for l in &s.saved {
                if Some(*l) != s.child && !read_later(&info.function, s.block.index(), *l) {
                    return Err(format!("{}: dead local {l} saved at state {}", f.name, s.state));
                }
            }
        }
        let live = liveness(&info.function);
        for l in &info.saved.start {
            if !live.live_in[0].contains(*l) {
                return Err(format!("{}: dead parameter {l} saved at the start", f.name));
            }
        }
    }
    Ok(())
}

fn state_types(types: &TypeDefs, t: &coro::Transformed) -> TypeDefs {
    let mut types = types.clone();
    types.structs.insert(t.info.layout.def.name.clone(), t.info.layout.def.clone());
    types
}

/// Whether some path from the wait in `block` (its `next` or `cancel` edge) reads `l`
/// before writing it; found by a search independent of the liveness pass.
fn read_later(f: &Function, block: usize, l: LocalId) -> bool {
    let term = &f.blocks[block].term;
    let mut stack: Vec<(usize, bool)> = term
        .successors()
        .into_iter()
        .map(|s| {
            (
                s.index(),
                term.wait_dest() == Some(l) && Some(s) == term.successors().first().copied(),
            )
        })
        .collect();
    let mut seen = rustc_hash::FxHashSet::default();
    while let Some((b, killed)) = stack.pop() {
        if killed || !seen.insert(b) {
            continue;
        }
        let block = &f.blocks[b];
        let mut dead = false;
        for stmt in &block.stmts {
            if stmt.uses().contains(&l) {
                return true;
            }
            if stmt.defs().contains(&l) {
                dead = true;
                break;
            }
        }
        if dead {
            continue;
        }
        if block.term.uses().contains(&l) {
            return true;
        }
        let next = block.term.successors();
        for s in &next {
            let kill = block.term.wait_dest() == Some(l) && Some(s) == next.first();
            stack.push((s.index(), kill));
        }
    }
    false
}

/// Cancels every coroutine at every suspension it reaches (one run each) and checks that
/// the evaluator reports no leak, double release or undefined read. Returns the number
/// of cancelling runs that reached their suspension.
pub fn check_cancellation(lowered: &Module) -> Result<usize, String> {
    let mut runs = 0;
    for f in lowered.functions.iter() {
        let FunctionKind::Resume { .. } = &f.kind else { continue };
        let name = f.name.strip_suffix(".resume").unwrap_or(&f.name).to_string();
        let Terminator::Switch { cases, .. } = &f.blocks[0].term else { continue };
        for k in 1..cases.len() as u32 {
            let mut options = Options::new(Mode::Scheduled);
            options.cancel_at = Some((name.clone(), k));
            options.fuel = 2_000_000;
            let result = run_main(lowered, options);
            if !result.errors.is_empty() {
                return Err(format!("cancel {name} at {k}: {:?}", result.errors));
            }
            runs += 1;
        }
    }
    Ok(runs)
}

/// Sequential evaluation of the built IR and scheduled evaluation of the transformed IR
/// print the same and end with the same code, both without evaluator errors.
pub fn check_differential(built: &Module, lowered: &Module) -> Result<RunResult, String> {
    validate_module(built, Stage::Built).map_err(|e| format!("built: {}", e[0]))?;
    validate_module(lowered, Stage::Transformed).map_err(|e| format!("lowered: {}", e[0]))?;
    let mut options = Options::new(Mode::Sequential);
    options.fuel = 2_000_000;
    let sequential = run_main(built, options.clone());
    options.mode = Mode::Scheduled;
    let scheduled = run_main(lowered, options);
    if !sequential.errors.is_empty() || !scheduled.errors.is_empty() {
        return Err(format!("errors: {:?} / {:?}", sequential.errors, scheduled.errors));
    }
    if sequential.stdout != scheduled.stdout || sequential.exit_code != scheduled.exit_code {
        return Err(format!("sequential {sequential:?}\nscheduled {scheduled:?}"));
    }
    Ok(scheduled)
}
