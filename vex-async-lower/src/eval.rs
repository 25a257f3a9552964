//! The reference evaluator: runs IR before the coroutine transform (sequential
//! semantics) and after it (state machines under the deterministic scheduler).
//!
//! - [`Mode::Sequential`]: calling an async function records the call; `await` runs the
//!   callee to completion in place; `sleep` advances the virtual clock; `yield` does
//!   nothing. Futures never awaited do not run.
//! - [`Mode::Scheduled`]: wrappers allocate states and spawn tasks; one worker runs
//!   ready tasks first-in first-out; spawned and woken tasks go to the back of the run
//!   queue; when none is ready, the virtual clock jumps to the earliest timer and every
//!   timer due then fires, ties in the order they were set (LANGUAGE.md §6.9,
//!   `examples/README.md`). Each resume starts with every local undefined, so reading a
//!   local the state did not save is an error, not a silent success.
//!
//! Both print through the runtime's formatting rules (floats in the shortest form that
//! reads back, no trailing `.0`), and both count references: a string released more
//! often than retained, a future released twice, or anything still held when the
//! program ends is reported in [`RunResult::errors`]. This module must not call the C
//! runtime: it is the specification the runtime and the backends are tested against.

use std::collections::VecDeque;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::ir::*;

/// Which IR the evaluator runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Built IR: `await` runs the callee in place.
    Sequential,
    /// Transformed IR under the deterministic scheduler.
    Scheduled,
}

/// Options of a run.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// The mode.
    pub mode: Mode,
    /// Stop after this many executed statements (a guard against endless loops).
    pub fuel: u64,
    /// Scheduled mode: cancel the task running function `.0` when it reaches its
    /// suspension number `.1` (for cancellation tests).
    pub cancel_at: Option<(String, u32)>,
}

impl Options {
    /// Default options for a mode.
    pub fn new(mode: Mode) -> Options {
        Options { mode, fuel: 50_000_000, cancel_at: None }
    }
}

/// What a run produced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunResult {
    /// Everything printed to stdout.
    pub stdout: String,
    /// Everything printed to stderr.
    pub stderr: String,
    /// The exit code: main's `i32`, 0 for unit, 101 after a panic.
    pub exit_code: i32,
    /// Evaluation errors: undefined reads, reference-count violations, leaks, fuel.
    pub errors: Vec<String>,
    /// Number of string releases that dropped a reference.
    pub string_releases: u64,
    /// Number of future handles released (not taken).
    pub future_releases: u64,
    /// Number of times a suspended task was resumed.
    pub resumes: u64,
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Undef,
    Unit,
    Bool(bool),
    Int(i128, IntTy),
    Float(f64, FloatTy),
    Str(Option<usize>),
    Future(Option<usize>),
    Agg(Vec<Value>),
    Enum(u32, Vec<Value>),
    State(usize),
    Status(CoroStatus),
    /// A defer list: the index of its newest record.
    DeferList(Option<usize>),
}

#[derive(Debug)]
enum Stop {
    Panic(String),
    Error(String),
}

type Res<T> = Result<T, Stop>;

fn err<T>(msg: impl Into<String>) -> Res<T> {
    Err(Stop::Error(msg.into()))
}

struct StrObj {
    text: Rc<str>,
    refs: u32,
    is_static: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Pending,
    Value(Value),
    Cancelled,
}

struct Task {
    /// Sequential mode: the call to run when awaited.
    call: Option<(Name, Vec<Value>)>,
    /// Scheduled mode: resume function and state.
    resume: Option<(Name, usize)>,
    outcome: Outcome,
    cancelled: bool,
    /// Handles held by the program (the wrapper's).
    handles: u32,
    waiter: Option<usize>,
    /// What the task waits for while suspended.
    waiting: Waiting,
    /// The coroutine's name.
    function: Name,
    /// Whether a handle took the value.
    taken: bool,
    /// A runtime-provided task (`vex_sleep_future`, `vex_yield_future`).
    builtin: Option<BuiltinTask>,
}

impl Task {
    /// A pending task with one handle, not awaited by anyone yet.
    fn new(function: Name, waiting: Waiting) -> Task {
        Task {
            call: None,
            resume: None,
            outcome: Outcome::Pending,
            cancelled: false,
            handles: 1,
            waiter: None,
            waiting,
            function,
            taken: false,
            builtin: None,
        }
    }
}

/// What a runtime-provided task does.
#[derive(Debug, Clone, Copy, PartialEq)]
enum BuiltinTask {
    /// Completes at this virtual time (sequential mode: awaiting moves the clock there).
    Sleep(i64),
    /// Completes the first time it runs.
    Yield,
}

/// One record of a defer list.
struct DeferRecord {
    site: u32,
    captures: Value,
    taken: bool,
    next: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Waiting {
    Nothing,
    Timer,
    Future(usize),
    Queue,
}

#[derive(Debug, Clone, Copy)]
enum Wait {
    After(i64),
    Yield,
    Future(usize),
}

struct StateObj {
    def: Name,
    /// Offset → (field that wrote it, value).
    bytes: FxHashMap<u64, (u32, Value)>,
    /// What `vex_task_set_drop_result` registered.
    drop_result: Option<Name>,
}

struct Machine<'m> {
    funcs: FxHashMap<&'m str, &'m Function>,
    types: TypeDefs,
    options: Options,
    strings: Vec<StrObj>,
    literals: FxHashMap<&'m str, usize>,
    tasks: Vec<Task>,
    states: Vec<StateObj>,
    queue: VecDeque<usize>,
    timers: Vec<(i64, u64, usize)>,
    timer_seq: u64,
    now: i64,
    current: Option<usize>,
    wait: Option<Wait>,
    fuel: u64,
    /// Nested calls of ordinary functions now running (see `MAX_CALL_DEPTH`).
    depth: u32,
    defer_records: Vec<Option<DeferRecord>>,
    out: RunResult,
}

/// The most nested calls the evaluator runs; one more is a panic (`stack overflow`)
/// rather than an overflow of the host's stack. Calls run on a growable stack
/// (`vex_hir::ensure_stack`), so the limit does not depend on the thread.
pub const MAX_CALL_DEPTH: u32 = 10_000;

/// Runs `main` of a module and returns what it printed and its exit code.
pub fn run_main(module: &Module, options: Options) -> RunResult {
    let mut m = Machine {
        funcs: module.functions.iter().map(|f| (&*f.name, f)).collect(),
        types: module.type_defs(),
        fuel: options.fuel,
        options,
        strings: Vec::new(),
        literals: FxHashMap::default(),
        tasks: Vec::new(),
        states: Vec::new(),
        queue: VecDeque::new(),
        timers: Vec::new(),
        timer_seq: 0,
        now: 0,
        current: None,
        wait: None,
        depth: 0,
        defer_records: Vec::new(),
        out: RunResult::default(),
    };
    match m.run() {
        Ok(code) => {
            m.out.exit_code = code;
            m.check_leaks();
        }
        Err(Stop::Panic(msg)) => {
            m.out.stderr.push_str(&msg);
            m.out.stderr.push('\n');
            m.out.exit_code = 101;
        }
        Err(Stop::Error(e)) => {
            m.out.errors.push(e);
            m.out.exit_code = 102;
        }
    }
    m.out
}

impl<'m> Machine<'m> {
    fn function(&self, name: &str) -> Res<&'m Function> {
        match self.funcs.get(name) {
            Some(f) => Ok(f),
            None => err(format!("unknown function {name}")),
        }
    }

    fn run(&mut self) -> Res<i32> {
        let main = self.function("main")?;
        // `main` is always a task (lowering wraps a synchronous one).
        let result = match self.options.mode {
            Mode::Sequential => self.exec(main, Vec::new())?,
            Mode::Scheduled => {
                let f = self.call("main", Vec::new())?;
                let Value::Future(Some(task)) = f else { return err("main did not spawn") };
                self.drain()?;
                let outcome = std::mem::replace(&mut self.tasks[task].outcome, Outcome::Pending);
                self.tasks[task].handles = 0;
                match outcome {
                    Outcome::Value(v) => v,
                    // Cancelled, or waiting for something that never happens: the same
                    // status the compiled program entry uses.
                    _ => return Ok(UNFINISHED_MAIN_EXIT_CODE),
                }
            }
        };
        Ok(match result {
            Value::Int(v, _) => v as i32,
            _ => 0,
        })
    }

    fn check_leaks(&mut self) {
        // Sequential mode: tasks never awaited never ran; their arguments are theirs.
        for t in 0..self.tasks.len() {
            if let Some((_, args)) = self.tasks[t].call.take() {
                for a in args {
                    let _ = self.release(&a);
                }
            }
        }
        let leaked: Vec<String> = self
            .strings
            .iter()
            .filter(|s| !s.is_static && s.refs > 0)
            .map(|s| format!("string {:?} leaked ({} references)", s.text, s.refs))
            .collect();
        self.out.errors.extend(leaked);
        let records = self.defer_records.iter().filter(|r| r.is_some()).count();
        if records > 0 {
            self.out.errors.push(format!("{records} defer records never popped"));
        }
        if self.options.mode == Mode::Scheduled {
            for (i, t) in self.tasks.iter().enumerate() {
                if t.handles > 0 {
                    self.out.errors.push(format!("future of task {i} ({}) leaked", t.function));
                }
            }
        }
    }

    // ---- the scheduler ----

    fn drain(&mut self) -> Res<()> {
        loop {
            if let Some(task) = self.queue.pop_front() {
                self.step(task)?;
                continue;
            }
            if self.timers.is_empty() {
                return Ok(());
            }
            let next = self.timers.iter().map(|t| t.0).min().unwrap_or(self.now);
            self.now = self.now.max(next);
            let mut due: Vec<(i64, u64, usize)> =
                self.timers.iter().copied().filter(|t| t.0 <= self.now).collect();
            due.sort_by_key(|t| (t.0, t.1));
            self.timers.retain(|t| t.0 > self.now);
            for (_, _, task) in due {
                self.tasks[task].waiting = Waiting::Nothing;
                self.queue.push_back(task);
            }
        }
    }

    fn step(&mut self, task: usize) -> Res<()> {
        if self.tasks[task].builtin.is_some() {
            // A runtime timer or yield task: it completes when it runs.
            self.tasks[task].waiting = Waiting::Nothing;
            self.tasks[task].outcome = if self.tasks[task].cancelled {
                Outcome::Cancelled
            } else {
                Outcome::Value(Value::Unit)
            };
            self.wake_waiter(task);
            return Ok(());
        }
        let Some((resume, state)) = self.tasks[task].resume.clone() else {
            return err("task without resume function");
        };
        self.tasks[task].waiting = Waiting::Nothing;
        self.out.resumes += 1;
        self.current = Some(task);
        self.wait = None;
        let status = self.call(&resume, vec![Value::State(state)])?;
        self.current = None;
        match status {
            Value::Status(CoroStatus::Yielded) => {
                let Some(wait) = self.wait.take() else {
                    return err(format!("{resume} yielded without a wait"));
                };
                if let Some((f, k)) = &self.options.cancel_at
                    && **f == *self.tasks[task].function
                    && self.state_tag(state) == Some(i128::from(*k))
                {
                    self.tasks[task].cancelled = true;
                }
                match wait {
                    Wait::After(ms) => {
                        if self.tasks[task].cancelled {
                            self.queue.push_back(task);
                            self.tasks[task].waiting = Waiting::Queue;
                        } else {
                            self.timer_seq += 1;
                            self.timers.push((self.now + ms.max(0), self.timer_seq, task));
                            self.tasks[task].waiting = Waiting::Timer;
                        }
                    }
                    Wait::Yield => {
                        self.queue.push_back(task);
                        self.tasks[task].waiting = Waiting::Queue;
                    }
                    Wait::Future(child) => {
                        if self.tasks[task].cancelled {
                            self.queue.push_back(task);
                            self.tasks[task].waiting = Waiting::Queue;
                        } else {
                            self.tasks[child].waiter = Some(task);
                            self.tasks[task].waiting = Waiting::Future(child);
                        }
                    }
                }
            }
            Value::Status(CoroStatus::Done) => {
                if self.tasks[task].outcome == Outcome::Pending {
                    let def = &self.states[state].def;
                    let sdef = self.types.structs.get(def).cloned();
                    let result = sdef
                        .and_then(|s| s.fields.iter().position(|f| &*f.name == "result"))
                        .map(|i| self.load_state(state, i as u32))
                        .transpose()?
                        .unwrap_or(Value::Unit);
                    self.tasks[task].outcome = Outcome::Value(result);
                }
                self.drop_unclaimed_result(task)?;
                self.wake_waiter(task);
            }
            other => return err(format!("{resume} returned {other:?}")),
        }
        Ok(())
    }

    fn wake_waiter(&mut self, task: usize) {
        if let Some(waiter) = self.tasks[task].waiter.take()
            && self.tasks[waiter].waiting == Waiting::Future(task)
        {
            self.tasks[waiter].waiting = Waiting::Queue;
            self.queue.push_back(waiter);
        }
    }

    /// A runtime-provided task, its one handle held by the caller.
    fn builtin_task(&mut self, builtin: BuiltinTask) -> Value {
        let scheduled = self.options.mode == Mode::Scheduled;
        let function = match builtin {
            BuiltinTask::Sleep(_) => "async_sleep",
            BuiltinTask::Yield => "yield_now",
        };
        self.tasks
            .push(Task { builtin: Some(builtin), ..Task::new(function.into(), Waiting::Nothing) });
        let t = self.tasks.len() - 1;
        if scheduled {
            match builtin {
                BuiltinTask::Sleep(at) => {
                    self.timer_seq += 1;
                    self.timers.push((at, self.timer_seq, t));
                    self.tasks[t].waiting = Waiting::Timer;
                }
                BuiltinTask::Yield => {
                    self.queue.push_back(t);
                    self.tasks[t].waiting = Waiting::Queue;
                }
            }
        }
        Value::Future(Some(t))
    }

    fn state_tag(&self, state: usize) -> Option<i128> {
        let def = self.types.structs.get(&self.states[state].def)?;
        let offset = def.fields.first()?.offset;
        match self.states[state].bytes.get(&offset) {
            Some((0, Value::Int(v, _))) => Some(*v),
            _ => None,
        }
    }

    /// The runtime's part of detaching: a value nobody can take any more is released
    /// through the coroutine's `drop_result`.
    fn drop_unclaimed_result(&mut self, task: usize) -> Res<()> {
        let t = &self.tasks[task];
        if t.handles > 0 || t.taken || !matches!(t.outcome, Outcome::Value(_)) {
            return Ok(());
        }
        self.tasks[task].taken = true;
        let Some((_, state)) = self.tasks[task].resume.clone() else { return Ok(()) };
        if let Some(name) = self.states[state].drop_result.clone() {
            let saved = (self.current, self.wait.take());
            self.call(&name, vec![Value::State(state)])?;
            self.current = saved.0;
            self.wait = saved.1;
        }
        Ok(())
    }

    fn cancel_task(&mut self, task: usize) {
        if self.tasks[task].outcome != Outcome::Pending {
            return;
        }
        self.tasks[task].cancelled = true;
        match self.tasks[task].waiting {
            Waiting::Timer => {
                self.timers.retain(|t| t.2 != task);
                self.tasks[task].waiting = Waiting::Queue;
                self.queue.push_back(task);
            }
            Waiting::Future(child) => {
                self.tasks[child].waiter = None;
                self.tasks[task].waiting = Waiting::Queue;
                self.queue.push_back(task);
            }
            _ => {}
        }
    }

    // ---- state memory ----

    fn state_field(&self, state: usize, field: u32) -> Res<FieldDef> {
        let def = &self.states[state].def;
        match self.types.structs.get(def).and_then(|s| s.fields.get(field as usize)) {
            Some(f) => Ok(f.clone()),
            None => err(format!("state {def} has no field {field}")),
        }
    }

    fn load_state(&self, state: usize, field: u32) -> Res<Value> {
        let def = self.state_field(state, field)?;
        match self.states[state].bytes.get(&def.offset) {
            Some((writer, v)) if *writer == field => Ok(v.clone()),
            // Bytes written through another field sharing the slot: garbage.
            _ => Ok(Value::Undef),
        }
    }

    // ---- strings ----

    fn new_string(&mut self, text: &str) -> Value {
        self.strings.push(StrObj { text: text.into(), refs: 1, is_static: false });
        Value::Str(Some(self.strings.len() - 1))
    }

    fn literal(&mut self, text: &'m str) -> Value {
        if let Some(&i) = self.literals.get(text) {
            return Value::Str(Some(i));
        }
        self.strings.push(StrObj { text: text.into(), refs: 1, is_static: true });
        let i = self.strings.len() - 1;
        self.literals.insert(text, i);
        Value::Str(Some(i))
    }

    fn text(&self, v: &Value) -> Res<Rc<str>> {
        match v {
            Value::Str(None) => Ok("".into()),
            Value::Str(Some(i)) => {
                let s = &self.strings[*i];
                if !s.is_static && s.refs == 0 {
                    return err(format!("use of released string {:?}", s.text));
                }
                Ok(s.text.clone())
            }
            other => err(format!("expected a string, found {other:?}")),
        }
    }

    fn retain(&mut self, v: &Value) -> Res<()> {
        match v {
            Value::Str(Some(i)) => {
                let s = &mut self.strings[*i];
                if s.is_static {
                    return Ok(());
                }
                if s.refs == 0 {
                    return err(format!("retain of released string {:?}", s.text));
                }
                s.refs += 1;
            }
            Value::Agg(items) | Value::Enum(_, items) => {
                for item in items.clone() {
                    self.retain(&item)?;
                }
            }
            Value::Undef => return err("retain of an undefined value"),
            _ => {}
        }
        Ok(())
    }

    fn release(&mut self, v: &Value) -> Res<()> {
        match v {
            Value::Str(Some(i)) => {
                let s = &mut self.strings[*i];
                if s.is_static {
                    return Ok(());
                }
                if s.refs == 0 {
                    return err(format!("string {:?} released more often than retained", s.text));
                }
                s.refs -= 1;
                self.out.string_releases += 1;
            }
            Value::Future(Some(t)) => {
                let t = *t;
                if self.tasks[t].handles == 0 {
                    return err(format!("future of task {t} released twice"));
                }
                self.tasks[t].handles -= 1;
                self.out.future_releases += 1;
                self.drop_unclaimed_result(t)?;
            }
            Value::Agg(items) | Value::Enum(_, items) => {
                for item in items.clone() {
                    self.release(&item)?;
                }
            }
            Value::Undef => return err("release of an undefined value"),
            _ => {}
        }
        Ok(())
    }

    // ---- calls ----

    fn call(&mut self, name: &str, args: Vec<Value>) -> Res<Value> {
        let f = self.function(name)?;
        if f.kind == FunctionKind::Async && self.options.mode == Mode::Sequential {
            self.tasks.push(Task {
                call: Some((f.name.clone(), args)),
                ..Task::new(f.name.clone(), Waiting::Nothing)
            });
            return Ok(Value::Future(Some(self.tasks.len() - 1)));
        }
        if self.depth >= MAX_CALL_DEPTH {
            return Err(Stop::Panic(format!(
                "panic at {}:{}:{}: stack overflow: more than {MAX_CALL_DEPTH} nested calls (calling `{}`)",
                f.loc.file, f.loc.line, f.loc.col, f.name
            )));
        }
        self.depth += 1;
        let result = vex_hir::ensure_stack(|| self.exec(f, args));
        self.depth -= 1;
        result
    }

    fn exec(&mut self, f: &'m Function, args: Vec<Value>) -> Res<Value> {
        let mut locals = vec![Value::Undef; f.locals.len()];
        if args.len() != f.params.len() {
            return err(format!("{} called with {} arguments", f.name, args.len()));
        }
        for (p, a) in f.params.iter().zip(args) {
            locals[p.index()] = a;
        }
        let mut frame = Frame { f, locals };
        let mut block = 0usize;
        loop {
            let b = &f.blocks[block];
            for stmt in &b.stmts {
                if self.fuel == 0 {
                    return err("out of fuel");
                }
                self.fuel -= 1;
                self.stmt(&mut frame, stmt)?;
            }
            block = match &b.term {
                Terminator::Goto(t) => t.index(),
                Terminator::Branch { cond, then_block, else_block } => {
                    match self.operand(&frame, cond)? {
                        Value::Bool(true) => then_block.index(),
                        Value::Bool(false) => else_block.index(),
                        other => return err(format!("{}: branch on {other:?}", f.name)),
                    }
                }
                Terminator::Switch { value, cases, default } => {
                    let v = match self.operand(&frame, value)? {
                        Value::Int(v, _) => v,
                        other => return err(format!("{}: switch on {other:?}", f.name)),
                    };
                    cases.iter().find(|c| c.0 == v).map_or(default.index(), |c| c.1.index())
                }
                Terminator::Return(v) => {
                    return match v {
                        Some(v) => self.operand(&frame, v),
                        None => Ok(Value::Unit),
                    };
                }
                Terminator::Panic { loc, message } => {
                    let m = self.operand(&frame, message)?;
                    let text = self.text(&m)?;
                    return Err(Stop::Panic(format!(
                        "panic at {}:{}:{}: {text}",
                        loc.file, loc.line, loc.col
                    )));
                }
                Terminator::Unreachable => {
                    return err(format!("{}: reached unreachable code (bb{block})", f.name));
                }
                Terminator::Await { future, dest, next, .. } => {
                    let fv = self.operand(&frame, future)?;
                    let Value::Future(Some(t)) = fv else { return err(format!("await of {fv:?}")) };
                    if let Some(builtin) = self.tasks[t].builtin {
                        if self.tasks[t].outcome != Outcome::Pending {
                            return err("future awaited twice");
                        }
                        if let BuiltinTask::Sleep(at) = builtin {
                            self.now = self.now.max(at);
                        }
                        self.tasks[t].outcome = Outcome::Value(Value::Unit);
                        self.tasks[t].handles -= 1;
                        next.index()
                    } else {
                        let Some((name, args)) = self.tasks[t].call.take() else {
                            return err("future awaited twice");
                        };
                        let v = self.call_body(&name, args)?;
                        self.tasks[t].handles -= 1;
                        if let Some(d) = dest {
                            frame.locals[d.index()] = v;
                        }
                        next.index()
                    }
                }
                Terminator::Sleep { ms, next, .. } => {
                    if let Value::Int(ms, _) = self.operand(&frame, ms)? {
                        self.now += ms.max(0) as i64;
                    }
                    next.index()
                }
                Terminator::Yield { next, .. } => next.index(),
                Terminator::CancelExit => return err("cancel exit in sequential mode"),
            };
        }
    }

    fn call_body(&mut self, name: &str, args: Vec<Value>) -> Res<Value> {
        let f = self.function(name)?;
        self.exec(f, args)
    }

    // ---- statements ----

    fn stmt(&mut self, frame: &mut Frame<'m>, stmt: &'m Stmt) -> Res<()> {
        match stmt {
            Stmt::Assign(place, rvalue) => {
                let v = self.rvalue(frame, rvalue)?;
                self.write(frame, place, v)
            }
            Stmt::Call { dest, func, args } => {
                let args = args.iter().map(|a| self.operand(frame, a)).collect::<Res<Vec<_>>>()?;
                let saved = (self.current, self.wait.take());
                let v = self.call(func, args)?;
                self.current = saved.0;
                self.wait = saved.1;
                if let Some(d) = dest {
                    self.write(frame, d, v)?;
                }
                Ok(())
            }
            Stmt::CallExtern { dest, func, args } => {
                let args = args.iter().map(|a| self.operand(frame, a)).collect::<Res<Vec<_>>>()?;
                let v = match (&**func, args.as_slice()) {
                    ("abs", [Value::Int(x, ty)]) => Value::Int(normalize(x.abs(), *ty), *ty),
                    ("labs" | "llabs", [Value::Int(x, ty)]) => {
                        Value::Int(normalize(x.abs(), *ty), *ty)
                    }
                    _ => return err(format!("unknown extern function {func}")),
                };
                if let Some(d) = dest {
                    self.write(frame, d, v)?;
                }
                Ok(())
            }
            Stmt::Runtime { dest, op, args } => {
                let args = args.iter().map(|a| self.operand(frame, a)).collect::<Res<Vec<_>>>()?;
                let v = self.runtime(*op, args)?;
                if let Some(d) = dest {
                    frame.locals[d.index()] = v;
                }
                Ok(())
            }
            Stmt::Retain(place) => {
                let v = self.read(frame, place)?;
                self.retain(&v)
            }
            Stmt::Release(place) => {
                let v = self.read(frame, place)?;
                self.release(&v)
            }
            Stmt::TakeFuture { outcome, future, result } => {
                let fv = self.operand(frame, future)?;
                let Value::Future(Some(t)) = fv else { return err(format!("take of {fv:?}")) };
                if self.tasks[t].handles == 0 {
                    return err("take of a released future");
                }
                self.tasks[t].handles -= 1;
                self.tasks[t].taken = true;
                let code = match self.tasks[t].outcome.clone() {
                    Outcome::Value(v) => {
                        if let Some(r) = result {
                            frame.locals[r.index()] = v;
                        }
                        outcome::VALUE
                    }
                    Outcome::Cancelled => {
                        if let Some(cur) = self.current {
                            self.tasks[cur].cancelled = true;
                        }
                        outcome::CANCELLED
                    }
                    Outcome::Pending => return err("take of a pending future"),
                };
                frame.locals[outcome.index()] = Value::Int(code, IntTy::I32);
                Ok(())
            }
            Stmt::LoadState { dest, state, field } => {
                let Value::State(s) = frame.locals[state.index()] else {
                    return err("load through a non-state");
                };
                frame.locals[dest.index()] = self.load_state(s, *field)?;
                Ok(())
            }
            Stmt::StoreState { state, field, value } => {
                let Value::State(s) = frame.locals[state.index()] else {
                    return err("store through a non-state");
                };
                let v = self.operand(frame, value)?;
                let def = self.state_field(s, *field)?;
                self.states[s].bytes.insert(def.offset, (*field, v));
                Ok(())
            }
            Stmt::TaskAlloc { dest } => {
                let FunctionKind::Wrapper { state, .. } = &frame.f.kind else {
                    return err("alloc outside a wrapper");
                };
                self.states.push(StateObj {
                    def: state.clone(),
                    bytes: FxHashMap::default(),
                    drop_result: None,
                });
                frame.locals[dest.index()] = Value::State(self.states.len() - 1);
                Ok(())
            }
        }
    }

    fn runtime(&mut self, op: RtOp, args: Vec<Value>) -> Res<Value> {
        Ok(match op {
            RtOp::StringConcat => {
                let a = self.text(&args[0])?;
                let b = self.text(&args[1])?;
                self.new_string(&format!("{a}{b}"))
            }
            RtOp::StringCompare => {
                let a = self.text(&args[0])?;
                let b = self.text(&args[1])?;
                Value::Int(a.as_bytes().cmp(b.as_bytes()) as i128, IntTy::I32)
            }
            RtOp::StringFromI64 | RtOp::StringFromU64 => match &args[0] {
                Value::Int(v, _) => self.new_string(&v.to_string()),
                other => return err(format!("format of {other:?}")),
            },
            RtOp::StringFromF64 | RtOp::StringFromF32 => match &args[0] {
                Value::Float(v, FloatTy::F32) => self.new_string(&format!("{}", *v as f32)),
                Value::Float(v, _) => self.new_string(&format!("{v}")),
                other => return err(format!("format of {other:?}")),
            },
            RtOp::StringFromBool => match &args[0] {
                Value::Bool(b) => self.new_string(if *b { "true" } else { "false" }),
                other => return err(format!("format of {other:?}")),
            },
            RtOp::Print | RtOp::Println | RtOp::Eprint | RtOp::Eprintln => {
                let text = self.text(&args[0])?;
                let out = if matches!(op, RtOp::Print | RtOp::Println) {
                    &mut self.out.stdout
                } else {
                    &mut self.out.stderr
                };
                out.push_str(&text);
                if matches!(op, RtOp::Println | RtOp::Eprintln) {
                    out.push('\n');
                }
                Value::Unit
            }
            RtOp::NowMs => Value::Int(i128::from(self.now), IntTy::I64),
            RtOp::IsCancelled => Value::Bool(self.current.is_some_and(|t| self.tasks[t].cancelled)),
            RtOp::FutureCancel => {
                match args[0] {
                    Value::Future(None) => {}
                    Value::Future(Some(t)) => {
                        if self.options.mode == Mode::Scheduled {
                            self.cancel_task(t)
                        } else {
                            self.tasks[t].cancelled = true
                        }
                    }
                    ref other => return err(format!("cancel of {other:?}")),
                }
                Value::Unit
            }
            RtOp::FuturePollOrRegister => match args[0] {
                Value::Future(Some(t)) => {
                    if self.tasks[t].outcome != Outcome::Pending {
                        Value::Bool(true)
                    } else {
                        self.set_wait(Wait::Future(t))?;
                        Value::Bool(false)
                    }
                }
                ref other => return err(format!("poll of {other:?}")),
            },
            RtOp::WorkerYield => {
                self.set_wait(Wait::Yield)?;
                Value::Unit
            }
            RtOp::WorkerAwaitAfter => match args[0] {
                Value::Int(ms, _) => {
                    self.set_wait(Wait::After(ms as i64))?;
                    Value::Unit
                }
                ref other => return err(format!("sleep of {other:?}")),
            },
            RtOp::TaskFinishCancelled => {
                let Some(t) = self.current else { return err("finish outside a task") };
                self.tasks[t].outcome = Outcome::Cancelled;
                Value::Status(CoroStatus::Done)
            }
            RtOp::DeferPush => {
                let Value::DeferList(next) = args[0] else {
                    return err(format!("defer push onto {:?}", args[0]));
                };
                let Value::Int(site, _) = args[1] else { return err("defer site not an int") };
                self.defer_records.push(Some(DeferRecord {
                    site: site as u32,
                    captures: args[2].clone(),
                    taken: false,
                    next,
                }));
                Value::DeferList(Some(self.defer_records.len() - 1))
            }
            RtOp::DeferTop => match args[0] {
                Value::DeferList(None) => Value::Int(-1, IntTy::I64),
                Value::DeferList(Some(r)) => match &self.defer_records[r] {
                    Some(record) => Value::Int(i128::from(record.site), IntTy::I64),
                    None => return err("defer list points to a freed record"),
                },
                ref other => return err(format!("defer top of {other:?}")),
            },
            RtOp::DeferTake => match args[0] {
                Value::DeferList(Some(r)) => match &mut self.defer_records[r] {
                    Some(record) if !record.taken => {
                        record.taken = true;
                        record.captures.clone()
                    }
                    _ => return err("defer take of a taken or freed record"),
                },
                ref other => return err(format!("defer take of {other:?}")),
            },
            RtOp::DeferPop => match args[0] {
                Value::DeferList(Some(r)) => match self.defer_records[r].take() {
                    Some(record) => {
                        if !record.taken && record.captures != Value::Unit {
                            return err("defer record popped without taking its captures");
                        }
                        Value::DeferList(record.next)
                    }
                    None => return err("defer record popped twice"),
                },
                ref other => return err(format!("defer pop of {other:?}")),
            },
            RtOp::SleepFuture => match args[0] {
                Value::Int(ms, _) => {
                    let at = self.now + (ms as i64).max(0);
                    self.builtin_task(BuiltinTask::Sleep(at))
                }
                ref other => return err(format!("sleep of {other:?}")),
            },
            RtOp::YieldFuture => self.builtin_task(BuiltinTask::Yield),
            RtOp::TaskSetDropResult => match args[0] {
                Value::State(s) => {
                    let def = self.states[s].def.clone();
                    let found = self.funcs.values().find(
                        |f| matches!(&f.kind, FunctionKind::DropResult { state } if *state == def),
                    );
                    match found {
                        Some(f) => self.states[s].drop_result = Some(f.name.clone()),
                        None => return err(format!("no drop_result function for {def}")),
                    }
                    Value::Unit
                }
                ref other => return err(format!("set_drop_result of {other:?}")),
            },
            RtOp::TaskSpawn => match args[0] {
                Value::State(s) => {
                    let def = self.states[s].def.clone();
                    let function: Name = def.strip_suffix(".state").unwrap_or(&def).into();
                    self.tasks.push(Task {
                        resume: Some((format!("{function}.resume").into(), s)),
                        ..Task::new(function, Waiting::Queue)
                    });
                    let t = self.tasks.len() - 1;
                    self.queue.push_back(t);
                    Value::Future(Some(t))
                }
                ref other => return err(format!("spawn of {other:?}")),
            },
        })
    }

    fn set_wait(&mut self, wait: Wait) -> Res<()> {
        if self.current.is_none() {
            return err("wait outside a task");
        }
        if self.wait.is_some() {
            return err("two waits registered in one resume");
        }
        self.wait = Some(wait);
        Ok(())
    }

    // ---- values ----

    fn constant(&mut self, c: &'m Const) -> Value {
        match c {
            Const::Unit => Value::Unit,
            Const::Bool(b) => Value::Bool(*b),
            Const::Int(v, ty) => Value::Int(*v, *ty),
            Const::Float(bits, ty) => Value::Float(f64::from_bits(*bits), *ty),
            Const::Str(s) => self.literal(s),
            Const::NullFuture(_) => Value::Future(None),
            Const::Status(s) => Value::Status(*s),
            Const::NullDeferList => Value::DeferList(None),
        }
    }

    fn operand(&mut self, frame: &Frame<'m>, op: &'m Operand) -> Res<Value> {
        match op {
            Operand::Copy(place) => self.read(frame, place),
            Operand::Const(c) => Ok(self.constant(c)),
        }
    }

    fn index_of(&self, frame: &Frame<'m>, local: LocalId) -> Res<usize> {
        match &frame.locals[local.index()] {
            Value::Int(v, _) => Ok(*v as usize),
            other => err(format!("index {local} is {other:?}")),
        }
    }

    fn read(&self, frame: &Frame<'m>, place: &Place) -> Res<Value> {
        let mut v = &frame.locals[place.local.index()];
        for proj in &place.proj {
            v = match (proj, v) {
                (Proj::Field(n), Value::Agg(items)) => &items[*n as usize],
                (Proj::Index(l), Value::Agg(items)) => {
                    let i = self.index_of(frame, *l)?;
                    match items.get(i) {
                        Some(v) => v,
                        None => return err(format!("{}: index {i} out of range", frame.f.name)),
                    }
                }
                (Proj::Payload { variant, field }, Value::Enum(v, items)) if v == variant => {
                    &items[*field as usize]
                }
                (_, other) => {
                    return err(format!(
                        "{}: bad projection of {other:?} in {place}",
                        frame.f.name
                    ));
                }
            };
        }
        if *v == Value::Undef {
            return err(format!("{}: read of undefined {place}", frame.f.name));
        }
        Ok(v.clone())
    }

    fn write(&self, frame: &mut Frame<'m>, place: &Place, value: Value) -> Res<()> {
        let indices: Vec<Option<usize>> = place
            .proj
            .iter()
            .map(|p| match p {
                Proj::Index(l) => self.index_of(frame, *l).map(Some),
                _ => Ok(None),
            })
            .collect::<Res<_>>()?;
        let mut v = &mut frame.locals[place.local.index()];
        for (proj, index) in place.proj.iter().zip(indices) {
            v = match (proj, v) {
                (Proj::Field(n), Value::Agg(items)) => &mut items[*n as usize],
                (Proj::Index(_), Value::Agg(items)) => match items.get_mut(index.unwrap_or(0)) {
                    Some(v) => v,
                    None => return err("index out of range in a write"),
                },
                (Proj::Payload { variant, field }, Value::Enum(v, items)) if v == variant => {
                    &mut items[*field as usize]
                }
                _ => return err(format!("bad projection in a write to {place}")),
            };
        }
        *v = value;
        Ok(())
    }

    fn rvalue(&mut self, frame: &Frame<'m>, rvalue: &'m Rvalue) -> Res<Value> {
        Ok(match rvalue {
            Rvalue::Use(op) => self.operand(frame, op)?,
            Rvalue::Unary(op, a) => match (op, self.operand(frame, a)?) {
                (UnOp::Neg, Value::Int(v, ty)) => Value::Int(normalize(-v, ty), ty),
                (UnOp::Neg, Value::Float(v, ty)) => Value::Float(-v, ty),
                (UnOp::Not, Value::Bool(b)) => Value::Bool(!b),
                (UnOp::Not, Value::Int(v, ty)) => Value::Int(normalize(!v, ty), ty),
                (_, other) => return err(format!("unary op on {other:?}")),
            },
            Rvalue::Binary(op, a, b) => {
                let a = self.operand(frame, a)?;
                let b = self.operand(frame, b)?;
                binary(*op, a, b)?
            }
            Rvalue::Cast(a, ty) => cast(self.operand(frame, a)?, ty)?,
            Rvalue::Aggregate(kind, ops) => {
                let items = ops.iter().map(|o| self.operand(frame, o)).collect::<Res<Vec<_>>>()?;
                match kind {
                    AggregateKind::Variant(_, v) => Value::Enum(*v, items),
                    _ => Value::Agg(items),
                }
            }
            Rvalue::Repeat(op, n) => Value::Agg(vec![self.operand(frame, op)?; *n as usize]),
            Rvalue::Discriminant(place) => match self.read(frame, place)? {
                Value::Enum(v, _) => Value::Int(i128::from(v), layout::ENUM_TAG),
                other => return err(format!("discriminant of {other:?}")),
            },
        })
    }
}

struct Frame<'m> {
    f: &'m Function,
    locals: Vec<Value>,
}

fn binary(op: BinOp, a: Value, b: Value) -> Res<Value> {
    Ok(match (a, b) {
        (Value::Int(x, ty), Value::Int(y, ty2)) => {
            let bits = ty.bits();
            let r = match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x.wrapping_mul(y),
                BinOp::Div | BinOp::Rem => {
                    if y == 0 {
                        return err("division by zero reached the evaluator");
                    }
                    // In i128 and wrapped below: `MIN / -1 == MIN`, `MIN % -1 == 0`.
                    if op == BinOp::Div { x / y } else { x % y }
                }
                BinOp::BitAnd => x & y,
                BinOp::BitOr => x | y,
                BinOp::BitXor => x ^ y,
                BinOp::Shl => x << (y.rem_euclid(i128::from(bits))),
                BinOp::Shr => {
                    let s = y.rem_euclid(i128::from(bits));
                    if ty.is_signed() { x >> s } else { (x & ((1i128 << bits) - 1)) >> s }
                }
                BinOp::Eq => return Ok(Value::Bool(x == y)),
                BinOp::Ne => return Ok(Value::Bool(x != y)),
                BinOp::Lt => return Ok(Value::Bool(x < y)),
                BinOp::Le => return Ok(Value::Bool(x <= y)),
                BinOp::Gt => return Ok(Value::Bool(x > y)),
                BinOp::Ge => return Ok(Value::Bool(x >= y)),
            };
            let _ = ty2;
            Value::Int(normalize(r, ty), ty)
        }
        (Value::Float(x, ty), Value::Float(y, _)) => {
            let r = match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => x / y,
                BinOp::Rem => x % y,
                BinOp::Eq => return Ok(Value::Bool(x == y)),
                BinOp::Ne => return Ok(Value::Bool(x != y)),
                BinOp::Lt => return Ok(Value::Bool(x < y)),
                BinOp::Le => return Ok(Value::Bool(x <= y)),
                BinOp::Gt => return Ok(Value::Bool(x > y)),
                BinOp::Ge => return Ok(Value::Bool(x >= y)),
                _ => return err("bit operation on floats"),
            };
            let r = if ty == FloatTy::F32 { f64::from(r as f32) } else { r };
            Value::Float(r, ty)
        }
        (Value::Bool(x), Value::Bool(y)) => Value::Bool(match op {
            BinOp::BitAnd => x & y,
            BinOp::BitOr => x | y,
            BinOp::BitXor | BinOp::Ne => x ^ y,
            BinOp::Eq => x == y,
            BinOp::Lt => !x & y,
            BinOp::Le => x <= y,
            BinOp::Gt => x & !y,
            BinOp::Ge => x >= y,
            _ => return err("arithmetic on bools"),
        }),
        (a, b) => return err(format!("binary op {op:?} on {a:?} and {b:?}")),
    })
}

fn cast(v: Value, ty: &Type) -> Res<Value> {
    Ok(match (v, ty) {
        (Value::Int(x, _), Type::Int(to)) => Value::Int(normalize(x, *to), *to),
        (Value::Int(x, _), Type::Float(to)) => {
            let f = x as f64;
            Value::Float(if *to == FloatTy::F32 { f64::from(x as f32) } else { f }, *to)
        }
        (Value::Float(x, _), Type::Int(to)) => {
            // Truncate toward zero, saturating at the bounds (NaN is 0).
            let bits = to.bits();
            let (min, max) = if to.is_signed() {
                (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
            } else {
                (0, (1i128 << bits) - 1)
            };
            let t = x.trunc();
            let v = if t.is_nan() {
                0
            } else if t <= min as f64 {
                min
            } else if t >= max as f64 {
                max
            } else {
                t as i128
            };
            Value::Int(v, *to)
        }
        (Value::Float(x, _), Type::Float(to)) => {
            Value::Float(if *to == FloatTy::F32 { f64::from(x as f32) } else { x }, *to)
        }
        (v, ty) => return err(format!("cast of {v:?} to {ty}")),
    })
}
