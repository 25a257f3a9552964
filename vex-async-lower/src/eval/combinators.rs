//! The future combinators of LANGUAGE.md §12 as the evaluator implements them: the
//! specification of the runtime's combinator tasks under the deterministic scheduler.
//!
//! A combinator is a runtime-provided task holding its inputs' handles. Created, it is
//! queued like a spawned task (`ready` finishes at once, as does `joinAll` of nothing).
//! Each time it runs it first looks at its own cancellation, then takes its finished
//! inputs in argument order; unless that decided the result, it becomes the awaiter of
//! every unfinished input and parks (a `timeout` also waits for its deadline, armed at
//! the call). Cancelling ("the cancel procedure") cancels every unfinished input in
//! argument order, then releases every handle and value it still holds.

use super::*;

/// What a combinator computes.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum CombKind {
    /// `join` (`tuple`: the result is a tuple, else the one value) or `joinAll`
    /// (`vec`: the result is a vector).
    Join { vec: bool },
    /// `race` and `raceAll`.
    Race,
    /// `timeout`, with its deadline.
    Timeout(i64),
}

/// A combinator task's own state.
pub(super) struct CombObj {
    kind: CombKind,
    /// The handles still held (`None` once taken or dropped).
    inputs: Vec<Option<usize>>,
    /// `join`: the values taken so far, by input.
    values: Vec<Option<Value>>,
}

impl<'m> Machine<'m> {
    /// A combinator of `kind` over the futures `inputs` (moved in), as a future.
    pub(super) fn combinator(&mut self, kind: CombKind, inputs: Vec<usize>) -> Res<Value> {
        if self.options.mode != Mode::Scheduled {
            return err("future combinators need the scheduler (sequential mode)");
        }
        let n = inputs.len();
        let timeout = match kind {
            CombKind::Timeout(at) => Some(at),
            _ => None,
        };
        self.combs.push(CombObj {
            kind,
            inputs: inputs.into_iter().map(Some).collect(),
            values: vec![None; n],
        });
        let c = self.combs.len() - 1;
        let function: Name = "combinator".into();
        self.tasks.push(Task {
            builtin: Some(BuiltinTask::Combinator(c)),
            ..Task::new(function, Waiting::Queue)
        });
        let t = self.tasks.len() - 1;
        if n == 0 {
            // `joinAll` of nothing: the empty vector at once.
            self.tasks[t].outcome = Outcome::Value(Value::Vec(None));
            self.tasks[t].waiting = Waiting::Nothing;
            return Ok(Value::Future(Some(t)));
        }
        self.queue.push_back(t);
        if let Some(at) = timeout {
            self.timer_seq += 1;
            self.timers.push((at, self.timer_seq, t));
        }
        Ok(Value::Future(Some(t)))
    }

    /// `ready(x)`: a task finished with `value`.
    pub(super) fn ready_future(&mut self, value: Value) -> Value {
        let mut task = Task::new("ready".into(), Waiting::Nothing);
        task.outcome = Outcome::Value(value);
        self.tasks.push(task);
        Value::Future(Some(self.tasks.len() - 1))
    }

    /// The futures of a `Vec<Future<T>>` (moved in: the vector is freed, its elements
    /// are now the caller's).
    pub(super) fn futures_of(&mut self, v: &Value) -> Res<Vec<usize>> {
        let elems = match v {
            Value::Vec(None) => Vec::new(),
            Value::Vec(Some(i)) => {
                let i = *i;
                let elems = std::mem::take(&mut self.vecs[i].elems);
                self.release(&Value::Vec(Some(i)))?;
                elems
            }
            other => return err(format!("futures of {other:?}")),
        };
        elems
            .into_iter()
            .map(|e| match e {
                Value::Future(Some(t)) => Ok(t),
                other => err(format!("a moved future {other:?} in a combinator's inputs")),
            })
            .collect()
    }

    /// Takes the finished input `t`: its outcome (the handle is consumed).
    fn take_input(&mut self, t: usize) -> Outcome {
        self.tasks[t].handles -= 1;
        self.tasks[t].taken = true;
        std::mem::replace(&mut self.tasks[t].outcome, Outcome::Cancelled)
    }

    /// The cancel procedure: cancel the unfinished inputs in order, then release every
    /// handle and value still held.
    fn comb_abandon(&mut self, c: usize) -> Res<()> {
        let inputs = self.combs[c].inputs.clone();
        for t in inputs.iter().flatten() {
            if self.tasks[*t].outcome == Outcome::Pending {
                self.cancel_task(*t);
            }
        }
        for t in inputs.into_iter().flatten() {
            self.release(&Value::Future(Some(t)))?;
        }
        self.combs[c].inputs.iter_mut().for_each(|i| *i = None);
        for v in std::mem::take(&mut self.combs[c].values).into_iter().flatten() {
            self.release(&v)?;
        }
        Ok(())
    }

    /// Runs combinator task `task` (its state `c`) once.
    pub(super) fn step_combinator(&mut self, task: usize, c: usize) -> Res<()> {
        self.tasks[task].waiting = Waiting::Nothing;
        let outcome = self.comb_decide(task, c)?;
        match outcome {
            Outcome::Pending => {
                let inputs: Vec<usize> = self.combs[c].inputs.iter().flatten().copied().collect();
                for t in inputs {
                    self.tasks[t].waiter = Some(task);
                }
                self.tasks[task].waiting = Waiting::Park;
            }
            done => {
                self.timers.retain(|timer| timer.2 != task);
                self.tasks[task].outcome = done;
                self.drop_unclaimed_builtin(task)?;
                self.wake_waiter(task);
            }
        }
        Ok(())
    }

    /// What the combinator's result is now, `Pending` while it must wait.
    fn comb_decide(&mut self, task: usize, c: usize) -> Res<Outcome> {
        if self.tasks[task].cancelled {
            self.comb_abandon(c)?;
            return Ok(Outcome::Cancelled);
        }
        let kind = self.combs[c].kind.clone();
        for i in 0..self.combs[c].inputs.len() {
            let Some(t) = self.combs[c].inputs[i] else { continue };
            if self.tasks[t].outcome == Outcome::Pending {
                continue;
            }
            self.combs[c].inputs[i] = None;
            match (&kind, self.take_input(t)) {
                (CombKind::Join { .. }, Outcome::Value(v)) => self.combs[c].values[i] = Some(v),
                (CombKind::Race, Outcome::Value(v)) => {
                    self.comb_abandon(c)?;
                    return Ok(Outcome::Value(v));
                }
                (CombKind::Timeout(_), Outcome::Value(v)) => {
                    return Ok(Outcome::Value(Value::Enum(0, vec![v])));
                }
                // A cancelled input drops out of a race; it cancels a join or timeout.
                (CombKind::Race, _) => {}
                (_, _) => {
                    self.comb_abandon(c)?;
                    return Ok(Outcome::Cancelled);
                }
            }
        }
        let held = self.combs[c].inputs.iter().flatten().count();
        match kind {
            CombKind::Join { vec } if held == 0 => {
                let values = std::mem::take(&mut self.combs[c].values);
                let mut values: Vec<Value> = values.into_iter().flatten().collect();
                Ok(Outcome::Value(if vec {
                    self.new_vec(values)
                } else if values.len() == 1 {
                    values.remove(0)
                } else {
                    Value::Agg(values)
                }))
            }
            CombKind::Race if held == 0 => Ok(Outcome::Cancelled),
            CombKind::Timeout(at) if self.now >= at => {
                self.comb_abandon(c)?;
                Ok(Outcome::Value(Value::Enum(1, Vec::new())))
            }
            _ => Ok(Outcome::Pending),
        }
    }

    /// A runtime task's value that no handle will take is released.
    pub(super) fn drop_unclaimed_builtin(&mut self, task: usize) -> Res<()> {
        let t = &self.tasks[task];
        if t.handles > 0 || t.taken {
            return Ok(());
        }
        if let Outcome::Value(v) = t.outcome.clone() {
            self.tasks[task].taken = true;
            self.release(&v)?;
        }
        Ok(())
    }

    /// The combinator operations of [`RtOp`].
    pub(super) fn combinator_op(&mut self, op: RtOp, args: Vec<Value>) -> Res<Value> {
        let future = |v: &Value| match v {
            Value::Future(Some(t)) => Ok(*t),
            other => err(format!("combinator input {other:?}")),
        };
        match op {
            RtOp::Join => {
                let inputs = args.iter().map(future).collect::<Res<Vec<_>>>()?;
                self.combinator(CombKind::Join { vec: false }, inputs)
            }
            RtOp::Race => {
                let inputs = args.iter().map(future).collect::<Res<Vec<_>>>()?;
                self.combinator(CombKind::Race, inputs)
            }
            RtOp::JoinAll => {
                let inputs = self.futures_of(&args[0])?;
                self.combinator(CombKind::Join { vec: true }, inputs)
            }
            RtOp::RaceAll => {
                let inputs = self.futures_of(&args[0])?;
                self.combinator(CombKind::Race, inputs)
            }
            RtOp::Timeout => {
                let input = future(&args[0])?;
                let ms = match args[1] {
                    Value::Int(ms, _) => ms as i64,
                    ref other => return err(format!("timeout of {other:?} ms")),
                };
                let at = self.now + ms.max(0);
                self.combinator(CombKind::Timeout(at), vec![input])
            }
            RtOp::ReadyFuture => Ok(self.ready_future(args[0].clone())),
            RtOp::FutureIsReady => Ok(Value::Bool(match args[0] {
                Value::Future(Some(t)) => self.tasks[t].outcome != Outcome::Pending,
                _ => false,
            })),
            other => err(format!("{other:?} is not a combinator")),
        }
    }
}
