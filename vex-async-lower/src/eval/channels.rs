//! Channels and `select` as the evaluator implements them: the specification of
//! `vex-rt`'s `chan.c` under the deterministic scheduler (one worker, FIFO wake-ups,
//! the virtual clock), down to the order in which waiting tasks are matched and woken
//! and the random choice of a `select` among ready arms — the same xorshift generator
//! with the same fixed seed as the runtime's deterministic mode, one draw per `select`
//! that finds more than one arm ready.
//!
//! A wait record ([`Type::Waiter`]) is an object of `Machine::waiters`, a `select`'s
//! record one of `Machine::selects`; a pinned local holds its object's index. In a
//! resume function the object belongs to the local's state field (`Machine::pinned`),
//! so every resume of the task finds the same record, as the runtime finds it at the
//! same address; the field's bytes are not touched (other locals may share them while
//! the record is not in use).

use super::*;
use crate::ir::chan_status as status;

/// A channel: its buffer and the wait records queued on it.
pub(super) struct ChanObj {
    cap: usize,
    buf: VecDeque<Value>,
    closed: bool,
    refs: u32,
    recvq: VecDeque<usize>,
    sendq: VecDeque<usize>,
}

/// A wait record and its slot.
pub(super) struct WaiterObj {
    pub(super) slot: Value,
    status: i128,
    task: Option<usize>,
    /// The select it belongs to, and its arm there.
    select: Option<(usize, usize)>,
    queued: bool,
}

/// A `select`'s record while it runs.
pub(super) struct SelectObj {
    /// The arm that won (`n` for the timer); `None` while nobody has.
    fired: Option<i128>,
    deadline: Option<i64>,
    /// Each arm's channel, wait record and kind.
    arms: Vec<(usize, usize, i128)>,
}

/// The runtime's deterministic seed of worker 0 (`sched.c`).
pub(super) const RNG_SEED: u64 = 0x9E37_79B9_7F4A_7C15;

impl<'m> Machine<'m> {
    /// A new object for a pinned local of type `ty`.
    pub(super) fn new_pinned(&mut self, ty: &Type) -> Value {
        match ty {
            Type::Select(_) => {
                self.selects.push(SelectObj { fired: None, deadline: None, arms: Vec::new() });
                Value::Select(self.selects.len() - 1)
            }
            _ => {
                self.waiters.push(WaiterObj {
                    slot: Value::Undef,
                    status: status::PENDING,
                    task: None,
                    select: None,
                    queued: false,
                });
                Value::Waiter(self.waiters.len() - 1)
            }
        }
    }

    /// Gives the pinned locals of a new frame their objects: in a resume function the
    /// ones kept in the state (made the first time), elsewhere new ones.
    pub(super) fn init_pinned(&mut self, frame: &mut Frame<'m>) -> Res<()> {
        let f = frame.f;
        let pinned: &[(LocalId, u32)] = match &f.kind {
            FunctionKind::Resume { pinned, .. } => pinned,
            _ => &[],
        };
        let state = match (pinned.is_empty(), f.params.first()) {
            (false, Some(p)) => match frame.locals[p.index()] {
                Value::State(s) => Some(s),
                _ => None,
            },
            _ => None,
        };
        for (i, decl) in f.locals.iter().enumerate() {
            if !decl.ty.is_pinned() {
                continue;
            }
            let field = pinned.iter().find(|(l, _)| l.index() == i).map(|(_, field)| *field);
            frame.locals[i] = match (state, field) {
                (Some(s), Some(field)) => {
                    let offset = self.state_field(s, field)?.offset;
                    let key = (s, offset, matches!(decl.ty, Type::Select(_)));
                    match self.pinned.get(&key) {
                        Some(v) => v.clone(),
                        None => {
                            let v = self.new_pinned(&decl.ty);
                            self.pinned.insert(key, v.clone());
                            v
                        }
                    }
                }
                _ => self.new_pinned(&decl.ty),
            };
        }
        Ok(())
    }

    fn chan(&self, v: &Value) -> Res<usize> {
        match v {
            Value::Channel(Some(c)) if self.chans[*c].refs > 0 => Ok(*c),
            other => err(format!("expected a live channel, found {other:?}")),
        }
    }

    fn waiter(v: &Value) -> Res<usize> {
        match v {
            Value::Waiter(w) => Ok(*w),
            other => err(format!("expected a wait record, found {other:?}")),
        }
    }

    pub(super) fn chan_retain(&mut self, c: usize) -> Res<()> {
        if self.chans[c].refs == 0 {
            return err(format!("retain of released channel {c}"));
        }
        self.chans[c].refs += 1;
        Ok(())
    }

    pub(super) fn chan_release(&mut self, c: usize) -> Res<()> {
        if self.chans[c].refs == 0 {
            return err(format!("channel {c} released more often than retained"));
        }
        self.chans[c].refs -= 1;
        if self.chans[c].refs == 0 {
            for v in std::mem::take(&mut self.chans[c].buf) {
                self.release(&v)?;
            }
        }
        Ok(())
    }

    /// Channels still referenced at the end of the program.
    pub(super) fn leaked_channels(&self) -> Vec<String> {
        let live = self.chans.iter().enumerate().filter(|(_, c)| c.refs > 0);
        live.map(|(i, c)| format!("channel {i} leaked ({} references)", c.refs)).collect()
    }

    /// The current task, for an operation that has to wait.
    fn waiting_task(&self) -> Res<usize> {
        match (self.options.mode, self.current) {
            (Mode::Scheduled, Some(t)) => Ok(t),
            _ => err("a channel operation would wait outside a scheduled task"),
        }
    }

    /// Whether record `w` can still be matched (a select's that fired cannot).
    fn waiter_live(&self, w: usize) -> bool {
        match self.waiters[w].select {
            Some((s, _)) => self.selects[s].fired.is_none(),
            None => true,
        }
    }

    /// Takes the oldest matchable record of a queue (`chan.c` `q_take`): a select's
    /// record wins only if its select has not fired yet, and fires it.
    fn q_take(&mut self, c: usize, send_queue: bool) -> Option<usize> {
        loop {
            let q = if send_queue { &mut self.chans[c].sendq } else { &mut self.chans[c].recvq };
            let w = q.pop_front()?;
            self.waiters[w].queued = false;
            match self.waiters[w].select {
                None => return Some(w),
                Some((s, arm)) if self.selects[s].fired.is_none() => {
                    self.selects[s].fired = Some(arm as i128);
                    return Some(w);
                }
                Some(_) => {}
            }
        }
    }

    /// Whether a queue holds a matchable record (dead ones at its head are dropped).
    fn q_live(&mut self, c: usize, send_queue: bool) -> bool {
        loop {
            let q = if send_queue { &self.chans[c].sendq } else { &self.chans[c].recvq };
            let Some(&w) = q.front() else { return false };
            if self.waiter_live(w) {
                return true;
            }
            let q = if send_queue { &mut self.chans[c].sendq } else { &mut self.chans[c].recvq };
            q.pop_front();
            self.waiters[w].queued = false;
        }
    }

    /// Ends record `w`'s operation with `result` and wakes its task.
    fn finish(&mut self, w: usize, result: i128) {
        self.waiters[w].status = result;
        if let Some(t) = self.waiters[w].task {
            self.wake(t);
        }
    }

    /// Wakes a task parked on a channel (a no-op for one queued or running).
    pub(super) fn wake(&mut self, t: usize) {
        if matches!(self.tasks[t].waiting, Waiting::Park) {
            self.timers.retain(|timer| timer.2 != t);
            self.tasks[t].waiting = Waiting::Queue;
            self.queue.push_back(t);
        }
    }

    /// Completes a send of `value` if it can (`send_now`); gives the value back if not.
    fn send_now(&mut self, c: usize, value: Value) -> Result<(), Value> {
        if let Some(r) = self.q_take(c, false) {
            self.waiters[r].slot = value;
            self.finish(r, status::OK);
            return Ok(());
        }
        if self.chans[c].buf.len() < self.chans[c].cap {
            self.chans[c].buf.push_back(value);
            return Ok(());
        }
        Err(value)
    }

    /// Completes a receive if it can (`recv_now`).
    fn recv_now(&mut self, c: usize) -> Option<Value> {
        if let Some(s) = self.q_take(c, true) {
            let sent = std::mem::replace(&mut self.waiters[s].slot, Value::Undef);
            let value = match self.chans[c].buf.pop_front() {
                Some(oldest) => {
                    self.chans[c].buf.push_back(sent);
                    oldest
                }
                None => sent,
            };
            self.finish(s, status::OK);
            return Some(value);
        }
        self.chans[c].buf.pop_front()
    }

    /// Queues record `w` of the current task (and records the wait).
    fn park_on(
        &mut self,
        c: usize,
        w: usize,
        send_queue: bool,
        select: Option<(usize, usize)>,
    ) -> Res<()> {
        let task = self.waiting_task()?;
        let rec = &mut self.waiters[w];
        rec.task = Some(task);
        rec.select = select;
        rec.status = status::PENDING;
        rec.queued = true;
        let q = if send_queue { &mut self.chans[c].sendq } else { &mut self.chans[c].recvq };
        q.push_back(w);
        Ok(())
    }

    fn unlink(&mut self, c: usize, w: usize, send_queue: bool) {
        let q = if send_queue { &mut self.chans[c].sendq } else { &mut self.chans[c].recvq };
        q.retain(|x| *x != w);
        self.waiters[w].queued = false;
    }

    fn current_cancelled(&self) -> bool {
        self.current.is_some_and(|t| self.tasks[t].cancelled)
    }

    /// The resume of a plain wait (`plain_resume`).
    fn plain_resume(&mut self, c: usize, w: usize, send_queue: bool) -> i128 {
        let st = self.waiters[w].status;
        if st != status::PENDING {
            return st;
        }
        if self.current_cancelled() {
            self.unlink(c, w, send_queue);
            return status::CANCELLED;
        }
        self.wait = Some(Wait::Park(None));
        status::PENDING
    }

    fn draw(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    /// Whether arm `(c, kind)` can complete now, must wait, or never will.
    fn arm_state(&mut self, c: usize, kind: i128) -> ArmState {
        if kind == status::SELECT_SEND {
            if self.chans[c].closed {
                return ArmState::Disabled;
            }
            let room = self.chans[c].buf.len() < self.chans[c].cap;
            return if room || self.q_live(c, false) { ArmState::Ready } else { ArmState::Wait };
        }
        if !self.chans[c].buf.is_empty() || self.q_live(c, true) {
            return ArmState::Ready;
        }
        if self.chans[c].closed { ArmState::Disabled } else { ArmState::Wait }
    }

    /// Releases the values of the send arms other than `fired`.
    fn release_unsent(&mut self, s: usize, fired: i128) -> Res<()> {
        let arms = self.selects[s].arms.clone();
        for (i, &(_, w, kind)) in arms.iter().enumerate() {
            if i as i128 != fired && kind == status::SELECT_SEND {
                let v = std::mem::replace(&mut self.waiters[w].slot, Value::Undef);
                self.release(&v)?;
            }
        }
        Ok(())
    }

    fn select_start(&mut self, args: Vec<Value>) -> Res<Value> {
        let [Value::Select(s), Value::Int(after_ms, _), Value::Bool(has_default), rest @ ..] =
            args.as_slice()
        else {
            return err(format!("select of {args:?}"));
        };
        let (s, after_ms, has_default) = (*s, *after_ms as i64, *has_default);
        let mut arms = Vec::new();
        for arm in rest.chunks(3) {
            let [ch, w, Value::Int(kind, _)] = arm else { return err("select arm") };
            arms.push((self.chan(ch)?, Self::waiter(w)?, *kind));
        }
        let n = arms.len() as i128;
        self.selects[s].arms = arms.clone();
        self.selects[s].fired = None;
        loop {
            let states: Vec<ArmState> =
                arms.iter().map(|&(c, _, k)| self.arm_state(c, k)).collect();
            let ready = states.iter().filter(|s| **s == ArmState::Ready).count() as u64;
            let disabled = states.iter().filter(|s| **s == ArmState::Disabled).count();
            if ready == 0 {
                let result = if has_default {
                    n + 1
                } else if after_ms == 0 {
                    n
                } else if after_ms < 0 && disabled == arms.len() {
                    status::SELECT_ALL_CLOSED
                } else {
                    break;
                };
                self.release_unsent(s, result)?;
                return Ok(Value::Int(result, IntTy::I32));
            }
            let mut pick = if ready == 1 { 0 } else { self.draw() % ready };
            for (i, &(c, w, kind)) in arms.iter().enumerate() {
                if self.arm_state(c, kind) != ArmState::Ready {
                    continue;
                }
                if pick > 0 {
                    pick -= 1;
                    continue;
                }
                let done = if kind == status::SELECT_SEND {
                    let v = std::mem::replace(&mut self.waiters[w].slot, Value::Undef);
                    match self.send_now(c, v) {
                        Ok(()) => true,
                        Err(v) => {
                            self.waiters[w].slot = v;
                            false
                        }
                    }
                } else {
                    match self.recv_now(c) {
                        Some(v) => {
                            self.waiters[w].slot = v;
                            true
                        }
                        None => false,
                    }
                };
                if done {
                    self.release_unsent(s, i as i128)?;
                    return Ok(Value::Int(i as i128, IntTy::I32));
                }
                break;
            }
        }
        // Nothing ready: queue a record on every enabled arm.
        self.waiting_task()?;
        self.selects[s].deadline = (after_ms > 0).then(|| self.now + after_ms);
        for (i, &(c, w, kind)) in arms.iter().enumerate() {
            if self.arm_state(c, kind) == ArmState::Disabled {
                self.waiters[w].task = self.current;
                self.waiters[w].select = Some((s, i));
                self.waiters[w].status = status::CLOSED;
            } else {
                self.park_on(c, w, kind == status::SELECT_SEND, Some((s, i)))?;
            }
        }
        self.wait = Some(Wait::Park(self.selects[s].deadline));
        Ok(Value::Int(status::SELECT_PENDING, IntTy::I32))
    }

    fn select_resume(&mut self, s: usize) -> Res<Value> {
        let arms = self.selects[s].arms.clone();
        let n = arms.len() as i128;
        let fired = match self.selects[s].fired {
            Some(f) => f,
            None => {
                let cancelled = self.current_cancelled();
                let deadline = self.selects[s].deadline;
                let timed_out = deadline.is_some_and(|d| self.now >= d);
                let all_closed = deadline.is_none()
                    && arms.iter().all(|&(_, w, _)| self.waiters[w].status == status::CLOSED);
                if !cancelled && !timed_out && !all_closed {
                    self.wait = Some(Wait::Park(deadline));
                    return Ok(Value::Int(status::SELECT_PENDING, IntTy::I32));
                }
                let f = if cancelled {
                    status::SELECT_CANCELLED
                } else if timed_out {
                    n
                } else {
                    status::SELECT_ALL_CLOSED
                };
                self.selects[s].fired = Some(f);
                f
            }
        };
        for (i, &(c, w, kind)) in arms.iter().enumerate() {
            if self.waiters[w].queued {
                self.unlink(c, w, kind == status::SELECT_SEND);
            }
            let _ = i;
        }
        self.release_unsent(s, fired)?;
        Ok(Value::Int(fired, IntTy::I32))
    }

    /// The channel operations of [`RtOp`].
    pub(super) fn chan_op(&mut self, op: RtOp, args: Vec<Value>) -> Res<Value> {
        let status_value = |v: i128| Value::Int(v, IntTy::I32);
        Ok(match op {
            RtOp::ChanNew => {
                let cap = match args.first() {
                    Some(Value::Int(cap, _)) if *cap >= 0 => *cap as usize,
                    other => return err(format!("channel capacity {other:?}")),
                };
                self.chans.push(ChanObj {
                    cap,
                    buf: VecDeque::new(),
                    closed: false,
                    refs: 1,
                    recvq: VecDeque::new(),
                    sendq: VecDeque::new(),
                });
                Value::Channel(Some(self.chans.len() - 1))
            }
            RtOp::ChanSend | RtOp::ChanTrySend => {
                let (c, w) = (self.chan(&args[0])?, Self::waiter(&args[1])?);
                let value = std::mem::replace(&mut self.waiters[w].slot, Value::Undef);
                let sent = if self.chans[c].closed { Err(value) } else { self.send_now(c, value) };
                match (op, sent) {
                    (RtOp::ChanTrySend, Ok(())) => Value::Bool(true),
                    (RtOp::ChanTrySend, Err(v)) => {
                        self.release(&v)?;
                        Value::Bool(false)
                    }
                    (_, Ok(())) => status_value(status::OK),
                    (_, Err(v)) if self.chans[c].closed => {
                        self.release(&v)?;
                        status_value(status::CLOSED)
                    }
                    (_, Err(v)) => {
                        self.waiters[w].slot = v;
                        self.park_on(c, w, true, None)?;
                        self.wait = Some(Wait::Park(None));
                        status_value(status::PENDING)
                    }
                }
            }
            RtOp::ChanSendResume => {
                let (c, w) = (self.chan(&args[0])?, Self::waiter(&args[1])?);
                let st = self.plain_resume(c, w, true);
                if st == status::CLOSED || st == status::CANCELLED {
                    let v = std::mem::replace(&mut self.waiters[w].slot, Value::Undef);
                    self.release(&v)?;
                }
                status_value(st)
            }
            RtOp::ChanRecv | RtOp::ChanTryRecv => {
                let (c, w) = (self.chan(&args[0])?, Self::waiter(&args[1])?);
                match (op, self.recv_now(c)) {
                    (RtOp::ChanTryRecv, Some(v)) => {
                        self.waiters[w].slot = v;
                        Value::Bool(true)
                    }
                    (RtOp::ChanTryRecv, None) => Value::Bool(false),
                    (_, Some(v)) => {
                        self.waiters[w].slot = v;
                        status_value(status::OK)
                    }
                    (_, None) if self.chans[c].closed => status_value(status::CLOSED),
                    (_, None) => {
                        self.park_on(c, w, false, None)?;
                        self.wait = Some(Wait::Park(None));
                        status_value(status::PENDING)
                    }
                }
            }
            RtOp::ChanRecvResume => {
                let (c, w) = (self.chan(&args[0])?, Self::waiter(&args[1])?);
                status_value(self.plain_resume(c, w, false))
            }
            RtOp::ChanClose => {
                let c = self.chan(&args[0])?;
                if !self.chans[c].closed {
                    self.chans[c].closed = true;
                    for send_queue in [false, true] {
                        loop {
                            let q = if send_queue {
                                &mut self.chans[c].sendq
                            } else {
                                &mut self.chans[c].recvq
                            };
                            let Some(w) = q.pop_front() else { break };
                            self.waiters[w].queued = false;
                            if self.waiter_live(w) {
                                self.finish(w, status::CLOSED);
                            }
                        }
                    }
                }
                Value::Unit
            }
            RtOp::ChanLen => {
                let c = self.chan(&args[0])?;
                Value::Int(self.chans[c].buf.len() as i128, IntTy::I64)
            }
            RtOp::ChanCap => {
                let c = self.chan(&args[0])?;
                Value::Int(self.chans[c].cap as i128, IntTy::I64)
            }
            RtOp::ChanIsClosed => Value::Bool(self.chans[self.chan(&args[0])?].closed),
            RtOp::SelectStart => self.select_start(args)?,
            RtOp::SelectResume => match args.first() {
                Some(Value::Select(s)) => self.select_resume(*s)?,
                other => return err(format!("select resume of {other:?}")),
            },
            other => return err(format!("{other:?} is not a channel operation")),
        })
    }
}

/// What a select arm can do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArmState {
    Wait,
    Ready,
    Disabled,
}
