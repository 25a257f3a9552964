//! The deterministic scheduler of scheduled mode: the run queue, timers and the
//! virtual clock, file jobs and socket waits (`io`), resuming a task and acting on the
//! wait it registered, waking awaiters, cancellation, and the memory of coroutine states.

use super::*;

impl<'m> Machine<'m> {
    /// Runs tasks until none is left to run: ready tasks first-in first-out (with a
    /// look at the sockets every `io::POLL_INTERVAL` runs); when none is ready, in the
    /// runtime's order: timers due now and ready sockets, then the file jobs in flight,
    /// then the clock jumps to the next timer; with nothing of that left but socket
    /// waits, it waits for a socket.
    pub(super) fn drain(&mut self) -> Res<()> {
        loop {
            self.ticks += 1;
            if self.ticks.is_multiple_of(io::POLL_INTERVAL) {
                self.poll_sockets(0);
            }
            if let Some(task) = self.queue.pop_front() {
                self.step(task)?;
                continue;
            }
            self.fire_timers_due();
            self.poll_sockets(0);
            if !self.queue.is_empty() || self.deliver_jobs() {
                continue;
            }
            if let Some(next) = self.timers.iter().map(|t| t.0).min() {
                // Sockets do not hold the clock (LANGUAGE.md §13).
                self.now = self.now.max(next);
                self.fire_timers_due();
                continue;
            }
            if self.socket_waits.is_empty() {
                return Ok(());
            }
            self.poll_sockets(-1);
        }
    }

    /// Queues the tasks of every timer due now, in deadline order, ties in the order
    /// they were set.
    fn fire_timers_due(&mut self) {
        let mut due: Vec<(i64, u64, usize)> =
            self.timers.iter().copied().filter(|t| t.0 <= self.now).collect();
        due.sort_by_key(|t| (t.0, t.1));
        self.timers.retain(|t| t.0 > self.now);
        for (_, _, task) in due {
            // A combinator's deadline wakes it only while it is parked.
            if matches!(self.tasks[task].builtin, Some(BuiltinTask::Combinator(_)))
                && self.tasks[task].waiting != Waiting::Park
            {
                continue;
            }
            self.tasks[task].waiting = Waiting::Nothing;
            self.queue.push_back(task);
        }
    }

    pub(super) fn step(&mut self, task: usize) -> Res<()> {
        match self.tasks[task].builtin {
            Some(BuiltinTask::Combinator(c)) => return self.step_combinator(task, c),
            Some(BuiltinTask::Io(i)) => return self.step_io(task, i),
            _ => {}
        }
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
                    Wait::Park(deadline) => {
                        if self.tasks[task].cancelled {
                            self.queue.push_back(task);
                            self.tasks[task].waiting = Waiting::Queue;
                        } else {
                            if let Some(at) = deadline {
                                self.timer_seq += 1;
                                self.timers.push((at, self.timer_seq, task));
                            }
                            self.tasks[task].waiting = Waiting::Park;
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

    pub(super) fn wake_waiter(&mut self, task: usize) {
        if let Some(waiter) = self.tasks[task].waiter.take()
            && (self.tasks[waiter].waiting == Waiting::Future(task)
                || (self.tasks[waiter].waiting == Waiting::Park
                    && matches!(self.tasks[waiter].builtin, Some(BuiltinTask::Combinator(_)))))
        {
            self.tasks[waiter].waiting = Waiting::Queue;
            self.queue.push_back(waiter);
        }
    }

    /// A runtime-provided task, its one handle held by the caller.
    pub(super) fn builtin_task(&mut self, builtin: BuiltinTask) -> Value {
        let scheduled = self.options.mode == Mode::Scheduled;
        let function = match builtin {
            BuiltinTask::Sleep(_) => "async_sleep",
            BuiltinTask::Yield => "yield_now",
            BuiltinTask::Combinator(_) => "combinator",
            BuiltinTask::Io(_) => "io",
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
                BuiltinTask::Yield | BuiltinTask::Combinator(_) | BuiltinTask::Io(_) => {
                    self.queue.push_back(t);
                    self.tasks[t].waiting = Waiting::Queue;
                }
            }
        }
        Value::Future(Some(t))
    }

    pub(super) fn state_tag(&self, state: usize) -> Option<i128> {
        let def = self.types.structs.get(&self.states[state].def)?;
        let offset = def.fields.first()?.offset;
        match self.states[state].bytes.get(&offset) {
            Some((0, Value::Int(v, _))) => Some(*v),
            _ => None,
        }
    }

    /// The runtime's part of detaching: a value nobody can take any more is released
    /// through the coroutine's `drop_result`.
    pub(super) fn drop_unclaimed_result(&mut self, task: usize) -> Res<()> {
        let t = &self.tasks[task];
        if t.handles > 0 || t.taken || !matches!(t.outcome, Outcome::Value(_)) {
            return Ok(());
        }
        let Some((_, state)) = self.tasks[task].resume.clone() else {
            // A runtime-provided task (a combinator, `ready`) releases its own value.
            return self.drop_unclaimed_builtin(task);
        };
        self.tasks[task].taken = true;
        if let Some(name) = self.states[state].drop_result.clone() {
            let saved = (self.current, self.wait.take());
            self.call(&name, vec![Value::State(state)])?;
            self.current = saved.0;
            self.wait = saved.1;
        }
        Ok(())
    }

    pub(super) fn cancel_task(&mut self, task: usize) {
        if self.tasks[task].outcome != Outcome::Pending {
            return;
        }
        self.tasks[task].cancelled = true;
        match self.tasks[task].waiting {
            Waiting::Timer | Waiting::Park => {
                self.timers.retain(|t| t.2 != task);
                self.tasks[task].waiting = Waiting::Queue;
                self.queue.push_back(task);
            }
            Waiting::Future(child) => {
                self.tasks[child].waiter = None;
                self.tasks[task].waiting = Waiting::Queue;
                self.queue.push_back(task);
            }
            // A socket wait is withdrawn; a file job cannot be interrupted, but the task
            // runs (and finishes cancelled, its job having finished).
            Waiting::Io | Waiting::Blocking => {
                self.withdraw_socket_wait(task);
                self.tasks[task].waiting = Waiting::Queue;
                self.queue.push_back(task);
            }
            _ => {}
        }
    }

    pub(super) fn state_field(&self, state: usize, field: u32) -> Res<FieldDef> {
        let def = &self.states[state].def;
        match self.types.structs.get(def).and_then(|s| s.fields.get(field as usize)) {
            Some(f) => Ok(f.clone()),
            None => err(format!("state {def} has no field {field}")),
        }
    }

    pub(super) fn load_state(&self, state: usize, field: u32) -> Res<Value> {
        let def = self.state_field(state, field)?;
        match self.states[state].bytes.get(&def.offset) {
            Some((writer, v)) if *writer == field => Ok(v.clone()),
            // Bytes written through another field sharing the slot: garbage.
            _ => Ok(Value::Undef),
        }
    }
}
