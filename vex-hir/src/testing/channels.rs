//! Channels and `select` in generated programs (LANGUAGE.md §11).
//!
//! Waiting operations appear only in scenarios that cannot deadlock, under normal runs
//! and under a cancellation of any task at any of its suspensions (the evaluator's
//! cancellation check):
//!
//! - a channel that another task waits on is created fresh by its scenario, and every
//!   task taking part in the scenario registers `defer ch.close()` before it first
//!   suspends, so a cancelled participant wakes the others (senders see `false`,
//!   receivers `None` or the end of their `for` loop);
//! - producers that may find the channel closed in a normal run send with
//!   `if !ch.send(v) { break }`; `ch <- v` and `<-ch`, which panic on a closed channel,
//!   appear only where the channel is open in a normal run (a cancelled participant may
//!   still make them panic, which ends the run without a leak check);
//! - a channel becomes a local that later code may use only once its scenario is over,
//!   and later code uses it only without waiting (`trySend`, `tryRecv`, `len`, `cap`,
//!   `isClosed`, `close`) or in a `select` with an `after` or `default` arm;
//! - a buffered channel used by one task alone holds every value sent before a receive.
//!
//! Received values are printed, strings sent are built at run time (reference counted,
//! so a leaked or doubly released value is caught), and some tasks are cancelled while
//! they wait on a channel.

use super::generator::{GenLocal, GenTy, Generator};

/// The element type of a generated channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Elem {
    Int,
    Str,
}

impl Elem {
    fn ty(self) -> GenTy {
        match self {
            Elem::Int => GenTy::Int,
            Elem::Str => GenTy::Str,
        }
    }

    fn chan(self) -> GenTy {
        match self {
            Elem::Int => GenTy::ChanInt,
            Elem::Str => GenTy::ChanStr,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Elem::Int => "i64",
            Elem::Str => "string",
        }
    }

    /// `i64` helpers end in `_int`, `string` helpers in `_str`.
    fn suffix(self) -> &'static str {
        match self {
            Elem::Int => "int",
            Elem::Str => "str",
        }
    }
}

/// How the task on the other side of a scenario's channel is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spawn {
    /// `go { … }`.
    GoBlock,
    /// `go helper(ch, …)`.
    GoCall,
    /// `let f = helper(ch, …)`, awaited at the end of the scenario (or dropped).
    Future,
    /// `let c = async |…| { … }` and `let f = c(…)`, likewise.
    AsyncClosure,
}

impl Generator {
    /// Async helpers taking channels: producers and consumers that close their channel
    /// when they stop (normally or cancelled), a bounded poll, and tasks that wait on a
    /// channel until they are cancelled.
    pub(super) fn channel_helpers(&mut self) {
        let p = self.config.prefix.clone();
        for (elem, value) in [(Elem::Int, "base + i * 3"), (Elem::Str, "f\"{base}{i}\"")] {
            let (t, s) = (elem.name(), elem.suffix());
            let base = if elem == Elem::Int { "i64" } else { "string" };
            self.line(&format!(
                "async fn {p}send_{s}(ch: Channel<{t}>, n: i64, base: {base}): i64 {{"
            ));
            self.line("    defer ch.close()");
            self.line("    let! sent = 0");
            self.line("    for i in 0..n {");
            self.line(&format!("        if !ch.send({value}) {{ break }}"));
            self.line("        sent += 1");
            self.line("    }");
            self.line("    sent");
            self.line("}");
        }
        self.line(&format!("async fn {p}drain_int(ch: Channel<i64>, name: string): i64 {{"));
        self.line("    defer ch.close()");
        self.line("    let! total = 0");
        self.line("    for v in ch {");
        self.line("        println(f\"{name} got {v}\")");
        self.line("        total += v");
        self.line("    }");
        self.line("    total");
        self.line("}");
        self.line(&format!("async fn {p}drain_str(ch: Channel<string>, name: string): string {{"));
        self.line("    defer ch.close()");
        self.line("    let! all = name");
        self.line("    while let Some(v) = ch.recv() {");
        self.line("        println(v)");
        self.line("        all = all + \",\" + v");
        self.line("    }");
        self.line("    all");
        self.line("}");
        self.line(&format!("async fn {p}poll_int(ch: Channel<i64>, ms: i64): i64 {{"));
        self.line("    select { v = <-ch => v, after ms => -1 }");
        self.line("}");
        self.line(&format!("async fn {p}wait_int(ch: Channel<i64>, name: string): i64 {{"));
        self.line("    defer println(f\"{name} stops\")");
        self.line("    let v = select { x = <-ch => x, after 1000 => -1 }");
        self.line("    println(f\"{name} got {v}\")");
        self.line("    v");
        self.line("}");
        self.line(&format!("async fn {p}wait_str(ch: Channel<string>, name: string): string {{"));
        self.line("    defer println(f\"{name} stops\")");
        self.line("    let v = ch.recv() ?? \"closed\"");
        self.line("    println(f\"{name} got {v}\")");
        self.line("    v");
        self.line("}");
        self.line(&format!("async fn {p}give_str(ch: Channel<string>, v: string): bool {{"));
        self.line("    defer println(\"giver stops\")");
        self.line("    let ok = ch.send(v)");
        self.line("    println(f\"gave {ok}\")");
        self.line("    ok");
        self.line("}");
    }

    /// Whether the code being generated may wait on a channel: an async fn, a `go`
    /// block, an async closure or `main` (not a closure inside it: closures get
    /// expressions only, and channel waits are statements).
    pub(super) fn can_wait(&self) -> bool {
        self.in_async || self.sync_main
    }

    fn elem(&mut self) -> Elem {
        if self.chance(50) { Elem::Int } else { Elem::Str }
    }

    /// A channel local of any element type, if there is one.
    fn some_channel(&mut self) -> Option<(String, Elem)> {
        let mut all: Vec<(String, Elem)> = Vec::new();
        for elem in [Elem::Int, Elem::Str] {
            all.extend(self.locals_of(elem.chan(), false).into_iter().map(|n| (n, elem)));
        }
        (!all.is_empty()).then(|| all[self.below(all.len())].clone())
    }

    /// A value to send: strings are mostly built at run time, so they are counted.
    fn send_value(&mut self, elem: Elem, depth: u32) -> String {
        match elem {
            Elem::Int => self.int_expr(depth.min(1)),
            Elem::Str => match self.below(3) {
                0 => {
                    let n = self.int_expr(0);
                    format!("f\"s{{{n}}}\"")
                }
                1 => format!("({} + \"!\")", self.str_expr(depth.min(1))),
                _ => self.str_expr(depth.min(1)),
            },
        }
    }

    /// A value to send from inside a loop over `i`.
    fn loop_value(&mut self, elem: Elem, i: &str) -> String {
        match elem {
            Elem::Int => {
                let k = self.below(10) + 1;
                let offset = self.int_expr(0);
                format!("{i} * {k} + {offset}")
            }
            Elem::Str => {
                let tag = ["p", "q", "msg", "x y"][self.below(4)];
                format!("f\"{tag}{{{i}}}\"")
            }
        }
    }

    fn new_channel(&mut self, elem: Elem, cap: usize) -> String {
        let name = self.fresh("ch");
        if self.chance(20) {
            self.line(&format!("let {name}: Channel<{}> = Channel.new({cap})", elem.name()));
        } else {
            self.line(&format!("let {name} = Channel.new<{}>({cap})", elem.name()));
        }
        name
    }

    /// Runs `body` with `name: ty` in a new innermost scope.
    fn with_local<T>(&mut self, name: &str, ty: GenTy, body: impl FnOnce(&mut Self) -> T) -> T {
        self.scopes.push(vec![GenLocal { name: name.to_owned(), ty, mutable: false }]);
        let out = body(self);
        self.scopes.pop();
        out
    }

    /// Opens the body of a task (a `go` block or an async closure), which may await.
    fn enter_task(&mut self) -> (bool, bool, bool, Option<GenTy>, usize) {
        let saved = (
            std::mem::replace(&mut self.in_async, true),
            std::mem::replace(&mut self.sync_main, false),
            std::mem::replace(&mut self.in_loop, false),
            self.try_into.take(),
            std::mem::replace(&mut self.block_depth, 0),
        );
        self.indent += 1;
        saved
    }

    fn leave_task(&mut self, saved: (bool, bool, bool, Option<GenTy>, usize)) {
        self.indent -= 1;
        (self.in_async, self.sync_main, self.in_loop, self.try_into, self.block_depth) = saved;
    }

    // ---- statements ----

    /// A channel statement: a scenario with waits where waits are allowed, else an
    /// operation that never waits on a channel in scope.
    pub(super) fn channel_statement(&mut self, depth: u32) {
        if !self.can_wait() || self.scenarios_left == 0 {
            return self.channel_poke(depth);
        }
        self.scenarios_left -= 1;
        // Scenarios whose tasks wait on each other need `defer` to stay deadlock-free
        // when one of them is cancelled.
        let kinds = if self.config.defers { 7 } else { 3 };
        match self.below(kinds) {
            0 => self.local_buffered(depth),
            1 => self.select_statement(depth),
            2 => self.channel_poke(depth),
            3 => self.producer_task(depth),
            4 => self.consumer_task(depth),
            5 => self.cancel_waiting(depth),
            _ => self.fan_in(depth),
        }
    }

    /// An operation on a channel in scope that never waits.
    fn channel_poke(&mut self, depth: u32) {
        let Some((ch, elem)) = self.some_channel() else { return self.print(depth) };
        match self.below(6) {
            0 => self.line(&format!("println({ch}.tryRecv())")),
            1 => {
                let value = self.send_value(elem, depth);
                self.line(&format!("println({ch}.trySend({value}))"));
            }
            2 => self.line(&format!("println(\"{{}} of {{}}\", {ch}.len(), {ch}.cap())")),
            3 => self.line(&format!("println({ch}.isClosed())")),
            4 => self.line(&format!("{ch}.close()")),
            _ => {
                let value = self.send_value(elem, depth);
                self.line(&format!("if !{ch}.trySend({value}) {{ println(\"no room\") }}"));
            }
        }
    }

    /// A buffered channel used by the current task alone: every send finds room, every
    /// `<-ch` finds a value; some values may stay in the buffer when it is released.
    fn local_buffered(&mut self, depth: u32) {
        let elem = self.elem();
        let sends = self.below(3) + 1;
        let cap = sends + self.below(2);
        let ch = self.new_channel(elem, cap);
        let mut queued: usize = 0;
        for _ in 0..sends {
            let value = self.send_value(elem, depth);
            match self.below(4) {
                0 => self.line(&format!("println({ch}.send({value}))")),
                1 => self.line(&format!("println({ch}.trySend({value}))")),
                _ => self.line(&format!("{ch} <- {value}")),
            }
            queued += 1;
        }
        if self.chance(40) {
            self.line(&format!("println(\"{{}} of {{}}\", {ch}.len(), {ch}.cap())"));
        }
        let mut closed = false;
        for _ in 0..self.below(sends + 2) {
            if !closed && self.chance(15) {
                self.line(&format!("{ch}.close()"));
                closed = true;
            }
            match self.below(5) {
                0 if queued > 0 => {
                    let name = self.fresh("got");
                    self.line(&format!("let {name} = <-{ch}"));
                    self.line(&format!("println({name})"));
                    self.define(name, elem.ty(), false);
                }
                1 => self.line(&format!("println({ch}.tryRecv())")),
                2 => {
                    let other = if elem == Elem::Int { "-1" } else { "\"empty\"" };
                    self.line(&format!(
                        "println(select {{ v = <-{ch} => v, default => {other} }})"
                    ));
                }
                3 if queued > 0 || closed => self.line(&format!("println({ch}.recv())")),
                _ if queued > 0 => self.line(&format!("println(<-{ch})")),
                _ => self.line(&format!("println({ch}.tryRecv())")),
            }
            queued = queued.saturating_sub(1);
        }
        if self.chance(40) {
            if !closed {
                self.line(&format!("{ch}.close()"));
            }
            match self.below(3) {
                0 => {
                    let value = self.send_value(elem, depth);
                    // The value is dropped: the channel is closed.
                    self.line(&format!("println({ch}.send({value}))"));
                }
                1 => self.line(&format!("for v in {ch} {{ println(v) }}")),
                _ => self.line(&format!("println({ch}.isClosed())")),
            }
        }
        self.define(ch, elem.chan(), false);
    }

    /// A `select` with an `after` or `default` arm over channels in scope (a fresh,
    /// partly filled one when there are none): it never waits for long.
    fn select_statement(&mut self, depth: u32) {
        if self.some_channel().is_none() {
            let elem = self.elem();
            let cap = self.below(3);
            let ch = self.new_channel(elem, cap);
            for _ in 0..self.below(cap + 1) {
                let value = self.send_value(elem, depth);
                self.line(&format!("{ch} <- {value}"));
            }
            self.define(ch, elem.chan(), false);
        }
        let to_string = self.chance(50);
        let mut arms = Vec::new();
        for _ in 0..self.below(3) + 1 {
            let Some((ch, elem)) = self.some_channel() else { break };
            let arm = match self.below(4) {
                0 => {
                    // Not generated: `await` in the operands of a `select` after a send
                    // arm. Cancelled at that `await`, the evaluator reports the value
                    // of the send arm as leaked (a bug in the lowering of `select`). So
                    // only the first arm's operand may await.
                    let first = arms.is_empty();
                    let saved = self.in_async;
                    self.in_async = saved && first;
                    let value = self.send_value(elem, depth);
                    self.in_async = saved;
                    let result = self.arm_result(to_string, None);
                    format!("{ch} <- {value} => {result}")
                }
                1 => {
                    let result = self.arm_result(to_string, None);
                    format!("<-{ch} => {result}")
                }
                _ => {
                    let v = self.fresh("sv");
                    let result = self.arm_result(to_string, Some((&v, elem)));
                    format!("{v} = <-{ch} => {result}")
                }
            };
            arms.push(arm);
        }
        let fallback = self.arm_result(to_string, None);
        if self.chance(50) {
            arms.push(format!("after {} => {fallback}", self.below(20)));
        } else {
            arms.push(format!("default => {fallback}"));
        }
        let name = self.fresh("sel");
        if self.chance(50) {
            self.line(&format!("let {name} = select {{ {} }}", arms.join(", ")));
        } else {
            self.line(&format!("let {name} = select {{"));
            for arm in &arms {
                self.line(&format!("    {arm},"));
            }
            self.line("}");
        }
        self.line(&format!("println({name})"));
        if self.chance(20) {
            self.line("println(now_ms())");
        }
        self.define(name, if to_string { GenTy::Str } else { GenTy::Int }, false);
    }

    /// The value of a `select` arm, with the arm's binding (if any) in scope.
    fn arm_result(&mut self, to_string: bool, binding: Option<(&str, Elem)>) -> String {
        let Some((v, elem)) = binding else {
            return if to_string { self.str_expr(0) } else { self.int_expr(0) };
        };
        match (to_string, elem) {
            (true, Elem::Int) => format!("f\"got {{{v}}}\""),
            (true, Elem::Str) => {
                if self.chance(50) {
                    v.to_owned()
                } else {
                    format!("{v} + \"!\"")
                }
            }
            (false, Elem::Int) => {
                let other = self.with_local(v, GenTy::Int, |g| g.int_expr(0));
                format!("{v} + {other}")
            }
            (false, Elem::Str) => format!("{v}.len()"),
        }
    }

    /// Another task produces, this one consumes.
    fn producer_task(&mut self, depth: u32) {
        let elem = self.elem();
        let count = self.below(4) + 1;
        let cap = self.below(count + 2);
        let ch = self.new_channel(elem, cap);
        self.line(&format!("defer {ch}.close()"));
        // How this task consumes: 0 `for`, 1 `while let`, 2 count + 1 `recv()`s,
        // 3 a few receives then `close` (the producer then sees `false`), 4 `select`
        // with `after` in a loop (a producer may find the channel closed after it).
        let consumer = self.below(5);
        // `ch <- v` only where the channel stays open until every value is taken.
        let panicking_send = consumer < 3 && self.chance(30);
        let spawn = self.spawn_kind();
        let future = self.start_producer(&ch, elem, count, spawn, panicking_send, depth);
        match consumer {
            0 => {
                let v = self.fresh("v");
                if elem == Elem::Int && self.chance(50) {
                    let sum = self.fresh("sum");
                    self.line(&format!("let! {sum} = 0"));
                    self.line(&format!("for {v} in {ch} {{"));
                    self.line(&format!("    println({v})"));
                    self.line(&format!("    {sum} += {v}"));
                    self.line("}");
                    self.line(&format!("println({sum})"));
                } else {
                    self.line(&format!("for {v} in {ch} {{ println({v}) }}"));
                }
            }
            1 => {
                let v = self.fresh("v");
                self.line(&format!("while let Some({v}) = {ch}.recv() {{"));
                self.line(&format!("    println(f\"recv {{{v}}}\")"));
                self.line("}");
            }
            2 => {
                for k in 0..=count {
                    if k < count && self.chance(30) {
                        self.line(&format!("println(<-{ch})"));
                    } else {
                        self.line(&format!("println({ch}.recv())"));
                    }
                }
            }
            3 => {
                for _ in 0..self.below(count) {
                    self.line(&format!("println({ch}.recv())"));
                }
                self.line(&format!("{ch}.close()"));
                if self.chance(50) {
                    self.line(&format!("for v in {ch} {{ println(f\"left {{v}}\") }}"));
                }
            }
            _ => {
                let i = self.fresh("i");
                let after = self.below(20) + 1;
                self.line(&format!("for {i} in 0..{} {{", count + 1));
                self.line(&format!(
                    "    println(select {{ v = <-{ch} => v, after {after} => {} }})",
                    if elem == Elem::Int { "-1" } else { "\"idle\"" }
                ));
                self.line("}");
                self.line(&format!("{ch}.close()"));
            }
        }
        self.finish_future(future);
        self.define(ch, elem.chan(), false);
    }

    fn spawn_kind(&mut self) -> Spawn {
        match self.below(4) {
            0 if self.config.go_blocks => Spawn::GoBlock,
            1 if self.config.go_blocks => Spawn::GoCall,
            2 => Spawn::AsyncClosure,
            _ => Spawn::Future,
        }
    }

    /// Starts a task sending `count` values into `ch` and closing it; returns the
    /// future to await, if there is one.
    fn start_producer(
        &mut self,
        ch: &str,
        elem: Elem,
        count: usize,
        spawn: Spawn,
        panicking_send: bool,
        depth: u32,
    ) -> Option<String> {
        let p = self.config.prefix.clone();
        let s = elem.suffix();
        match spawn {
            Spawn::GoCall | Spawn::Future => {
                let base = match elem {
                    Elem::Int => self.int_expr(depth.min(1)),
                    Elem::Str => self.str_expr(depth.min(1)),
                };
                let call = format!("{p}send_{s}({ch}, {count}, {base})");
                if spawn == Spawn::GoCall {
                    self.line(&format!("go {call}"));
                    return None;
                }
                let f = self.fresh("pf");
                self.line(&format!("let {f} = {call}"));
                Some(f)
            }
            Spawn::GoBlock | Spawn::AsyncClosure => {
                let closure = self.fresh("pc");
                let n = self.fresh("n");
                if spawn == Spawn::GoBlock {
                    self.line("go {");
                } else {
                    self.line(&format!("let {closure} = async |{n}: i64| {{"));
                }
                let saved = self.enter_task();
                self.line(&format!("defer {ch}.close()"));
                let i = self.fresh("i");
                let bound = if spawn == Spawn::GoBlock { count.to_string() } else { n.clone() };
                self.line(&format!("for {i} in 0..{bound} {{"));
                self.indent += 1;
                let value = self.with_local(&i, GenTy::Int, |g| g.loop_value(elem, &i));
                if panicking_send {
                    self.line(&format!("{ch} <- {value}"));
                } else {
                    self.line(&format!("if !{ch}.send({value}) {{ break }}"));
                }
                if self.chance(30) {
                    self.line(&format!("println(f\"sent {{{i}}}\")"));
                }
                if self.chance(15) {
                    let ms = self.below(5);
                    self.line(&format!("await async_sleep({ms})"));
                }
                self.indent -= 1;
                self.line("}");
                if spawn == Spawn::AsyncClosure {
                    self.line(&n);
                }
                self.leave_task(saved);
                self.line("}");
                if spawn == Spawn::GoBlock {
                    return None;
                }
                let f = self.fresh("pf");
                self.line(&format!("let {f} = {closure}({count})"));
                Some(f)
            }
        }
    }

    /// Awaits a scenario's future (where this task may await), or drops it.
    fn finish_future(&mut self, future: Option<String>) {
        if let Some(f) = future
            && self.in_async
            && self.chance(80)
        {
            self.line(&format!("println(await {f})"));
        }
    }

    /// Another task consumes, this one produces.
    fn consumer_task(&mut self, depth: u32) {
        let elem = self.elem();
        let count = self.below(4) + 1;
        let cap = self.below(count + 2);
        let ch = self.new_channel(elem, cap);
        self.line(&format!("defer {ch}.close()"));
        let p = self.config.prefix.clone();
        let s = elem.suffix();
        let future = match self.spawn_kind() {
            Spawn::Future => {
                let f = self.fresh("cf");
                let name = self.fresh("c");
                self.line(&format!("let {f} = {p}drain_{s}({ch}, \"{name}\")"));
                Some(f)
            }
            Spawn::GoCall => {
                let name = self.fresh("c");
                self.line(&format!("go {p}drain_{s}({ch}, \"{name}\")"));
                None
            }
            spawn => {
                let closure = self.fresh("cc");
                if spawn == Spawn::GoBlock {
                    self.line("go {");
                } else {
                    self.line(&format!("let {closure} = async || {{"));
                }
                let saved = self.enter_task();
                self.line(&format!("defer {ch}.close()"));
                let seen = self.fresh("seen");
                self.line(&format!("let! {seen} = 0"));
                let v = self.fresh("v");
                self.line(&format!("for {v} in {ch} {{"));
                self.line(&format!("    println(f\"took {{{v}}}\")"));
                self.line(&format!("    {seen} += 1"));
                if self.chance(20) {
                    self.line("    await yield_now()");
                }
                self.line("}");
                if spawn == Spawn::GoBlock {
                    self.line(&format!("println({seen})"));
                } else {
                    self.line(&seen);
                }
                self.leave_task(saved);
                self.line("}");
                if spawn == Spawn::GoBlock {
                    None
                } else {
                    let f = self.fresh("cf");
                    self.line(&format!("let {f} = {closure}()"));
                    Some(f)
                }
            }
        };
        let panicking_send = self.chance(30);
        for _ in 0..count {
            let value = self.send_value(elem, depth);
            if panicking_send {
                self.line(&format!("{ch} <- {value}"));
            } else if self.chance(50) {
                self.line(&format!("println({ch}.send({value}))"));
            } else {
                self.line(&format!("if !{ch}.send({value}) {{ println(\"refused\") }}"));
            }
        }
        self.line(&format!("{ch}.close()"));
        self.finish_future(future);
        self.define(ch, elem.chan(), false);
    }

    /// A task waits on a channel and is cancelled (after it started waiting, or before
    /// it ran); its future is then dropped, or awaited by a `go` block (which is then
    /// cancelled in turn, unless the task finished first).
    fn cancel_waiting(&mut self, depth: u32) {
        // The canceller awaits before it cancels, so the task waits by then: where this
        // code may not await (a synchronous `main`), the scenario runs in a `go` block.
        if !self.in_async && !self.config.go_blocks {
            return self.local_buffered(depth);
        }
        let wrapped = !self.in_async || (self.config.go_blocks && self.chance(40));
        let saved = if wrapped {
            self.line("go {");
            Some(self.enter_task())
        } else {
            None
        };
        let p = self.config.prefix.clone();
        let cap = if self.chance(70) { 0 } else { 1 };
        let name = self.fresh("w");
        let (elem, call) = match self.below(4) {
            0 => (Elem::Int, None),
            1 => (Elem::Str, None),
            2 => (Elem::Str, Some("give")),
            _ => (Elem::Int, Some("closure")),
        };
        let ch = self.new_channel(elem, cap);
        self.line(&format!("defer {ch}.close()"));
        let w = self.fresh("wf");
        match call {
            None => {
                let s = elem.suffix();
                self.line(&format!("let {w} = {p}wait_{s}({ch}, \"{name}\")"));
            }
            Some("give") => {
                if cap == 1 {
                    // Fill the buffer, so the sender waits.
                    let n = self.below(10);
                    self.line(&format!("{ch} <- f\"first{{{n}}}\""));
                }
                let value = self.send_value(elem, depth);
                self.line(&format!("let {w} = {p}give_str({ch}, {value})"));
            }
            _ => {
                let closure = self.fresh("wc");
                self.line(&format!("let {closure} = async || {{"));
                let inner = self.enter_task();
                self.line(&format!("defer println(\"{name} stops\")"));
                self.line(&format!("let v = {ch}.recv() ?? -1"));
                self.line(&format!("println(f\"{name} got {{v}}\")"));
                self.line("v");
                self.leave_task(inner);
                self.line("}");
                self.line(&format!("let {w} = {closure}()"));
            }
        }
        // Not generated: cancelling the task before it first runs. A task cancelled
        // before it reaches a wait stops there at once in the runtime but is queued once
        // more in the evaluator, so later output interleaves differently (a known
        // difference between the engines, not specific to channels).
        let wait = if self.chance(70) { "yield_now()" } else { "async_sleep(1)" };
        self.line(&format!("await {wait}"));
        self.line(&format!("cancel({w})"));
        if self.chance(50) {
            // A value offered after the cancellation: the wait may not be withdrawn yet.
            let value = self.send_value(elem, depth);
            self.line(&format!("println({ch}.trySend({value}))"));
        }
        if self.in_async && self.chance(50) {
            let ms = self.below(3);
            self.line(&format!("await async_sleep({ms})"));
        }
        match saved {
            Some(saved) => {
                if self.chance(70) {
                    self.line(&format!("println(await {w})"));
                }
                self.leave_task(saved);
                self.line("}");
            }
            None => self.define(ch, elem.chan(), false),
        }
    }

    /// Two producers, one consumer looping over a `select` with an `after` arm.
    fn fan_in(&mut self, depth: u32) {
        let mut channels = Vec::new();
        let mut futures = Vec::new();
        let mut total = 0;
        for _ in 0..2 {
            let elem = self.elem();
            let count = self.below(3) + 1;
            let cap = self.below(2);
            let ch = self.new_channel(elem, cap);
            self.line(&format!("defer {ch}.close()"));
            let spawn = self.spawn_kind();
            futures.push(self.start_producer(&ch, elem, count, spawn, false, depth));
            channels.push((ch, elem));
            total += count;
        }
        let i = self.fresh("i");
        let after = self.below(30) + 1;
        self.line(&format!("for {i} in 0..{} {{", total + 1));
        self.line("    let got = select {");
        for (ch, elem) in &channels {
            let shown = if *elem == Elem::Int { format!("f\"{ch}: {{v}}\"") } else { "v".into() };
            self.line(&format!("        v = <-{ch} => {shown},"));
        }
        self.line(&format!("        after {after} => \"idle\","));
        self.line("    }");
        if self.chance(30) {
            self.line("    println(f\"{now_ms()}: {got}\")");
        } else {
            self.line("    println(got)");
        }
        self.line("}");
        for (ch, _) in &channels {
            self.line(&format!("{ch}.close()"));
        }
        for future in futures {
            self.finish_future(future);
        }
        for (ch, elem) in channels {
            self.define(ch, elem.chan(), false);
        }
    }

    // ---- expressions that never wait ----

    /// An `i64` from a channel in scope (`len`, `cap`, `tryRecv`), or from a bounded
    /// poll where this code may await.
    pub(super) fn int_from_channel(&mut self, depth: u32) -> String {
        let Some((ch, elem)) = self.some_channel() else { return self.int_expr(0) };
        let p = self.config.prefix.clone();
        match (self.below(4), elem) {
            (0, _) => format!("{ch}.len()"),
            (1, _) => format!("{ch}.cap()"),
            (2, Elem::Int) if self.in_async => {
                format!("(await {p}poll_int({ch}, {}))", self.below(5))
            }
            (_, Elem::Int) => format!("({ch}.tryRecv() ?? {})", self.int_expr(depth.min(1))),
            (_, Elem::Str) => format!("({ch}.tryRecv() ?? \"\").len()"),
        }
    }

    /// A closure `fn(i64): i64` that captures a channel in scope and uses it without
    /// waiting (a closure may not wait); `neg1` when there is none.
    pub(super) fn channel_closure(&mut self) -> String {
        let Some((ch, elem)) = self.some_channel() else {
            return format!("{}neg1", self.config.prefix);
        };
        let p = self.fresh("p");
        match (elem, self.below(2)) {
            (Elem::Int, 0) => format!("|{p}: i64| {p} + ({ch}.tryRecv() ?? {ch}.len())"),
            (Elem::Int, _) => {
                format!("|{p}: i64| if {ch}.trySend({p}) {{ {ch}.len() }} else {{ {p} }}")
            }
            (Elem::Str, 0) => format!("|{p}: i64| ({ch}.tryRecv() ?? \"\").len() + {p}"),
            (Elem::Str, _) => {
                format!("|{p}: i64| if {ch}.trySend(f\"c{{{p}}}\") {{ {p} }} else {{ {ch}.cap() }}")
            }
        }
    }

    /// A `bool` from a channel in scope: `isClosed` or `trySend`.
    pub(super) fn bool_from_channel(&mut self) -> String {
        let Some((ch, elem)) = self.some_channel() else { return self.bool_expr(0) };
        if self.chance(50) {
            format!("{ch}.isClosed()")
        } else {
            let value = self.send_value(elem, 0);
            format!("{ch}.trySend({value})")
        }
    }
}
