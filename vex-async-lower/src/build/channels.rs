//! Channels and `select` (LANGUAGE.md §11).
//!
//! A channel is a handle ([`Type::Channel`]); the runtime does the rest. An operation
//! that may wait uses a wait record, a pinned local of type [`Type::Waiter`] whose slot
//! holds the value being sent or received: the operation's runtime call either finishes
//! at once or records the wait and reports `PENDING`, and then the task parks
//! ([`Terminator::Park`]) and, resumed, asks the operation's `*_resume` call how it
//! ended — again pending (park again), cancelled (the cancel path), or done:
//!
//! ```text
//!     status = chan_recv(ch, w)            // or chan_send, select
//!     switch status [PENDING => park], done
//! park:
//!     park resumed
//! resumed:
//!     status = chan_recv_resume(ch, w)
//!     switch status [PENDING => park, CANCELLED => cancel], done
//! done:                                    // status is OK or CLOSED
//! ```
//!
//! A received value arrives in the slot and moves out of it; a value to send moves into
//! the slot before the call, and from then on the runtime owns it (it releases it when
//! the channel is closed or the task is cancelled).

use super::*;
use crate::ir::chan_status as status;

/// The `i32` type of the runtime's status codes.
const STATUS: Type = Type::Int(IntTy::I32);

impl<'a, 'b> Builder<'a, 'b> {
    /// Runs the operation `start` (resumed with `resume`) on the channel `ch` with the
    /// wait record `waiter` until it is no longer pending; returns the local holding its
    /// final status (`OK` or `CLOSED`; a cancelled task has left on its cancel path).
    fn wait_on(&mut self, start: RtOp, resume: RtOp, args: Vec<Operand>) -> LocalId {
        let result = self.new_local("status", STATUS);
        self.push(Stmt::Runtime { dest: Some(result), op: start, args: args.clone() });
        self.park_until_done(result, resume, args, status::PENDING, status::CANCELLED)
    }

    /// The waiting part of [`Self::wait_on`] (also of a `select`): `result` holds the
    /// first call's status; while it is `pending`, park and ask `resume` again;
    /// `cancelled` leaves on the cancel path.
    fn park_until_done(
        &mut self,
        result: LocalId,
        resume: RtOp,
        args: Vec<Operand>,
        pending: i128,
        cancelled: i128,
    ) -> LocalId {
        let park = self.new_block();
        let resumed = self.new_block();
        let done = self.new_block();
        self.terminate(Terminator::Switch {
            value: Operand::local(result),
            cases: vec![(pending, park)],
            default: done,
        });
        self.switch_to(park);
        self.terminate(Terminator::Park { next: resumed });
        self.switch_to(resumed);
        self.push(Stmt::Runtime { dest: Some(result), op: resume, args });
        let cancel = self.cancel_block();
        self.terminate(Terminator::Switch {
            value: Operand::local(result),
            cases: vec![(pending, park), (cancelled, cancel)],
            default: done,
        });
        self.switch_to(done);
        result
    }

    /// Whether `result` holds `value`, as a new `bool` local.
    fn status_is(&mut self, result: LocalId, value: i128) -> LocalId {
        let value = Operand::Const(Const::Int(value, IntTy::I32));
        self.temp(Type::Bool, Rvalue::Binary(BinOp::Eq, Operand::local(result), value))
    }

    /// The element type of a channel type.
    fn chan_elem(ty: &Type) -> Type {
        match ty {
            Type::Channel(elem) => (**elem).clone(),
            _ => Type::Unit,
        }
    }

    /// A new wait record for values of type `elem`.
    fn new_waiter(&mut self, elem: Type) -> LocalId {
        self.new_local("wait", Type::Waiter(Box::new(elem)))
    }

    /// Moves the value out of `waiter`'s slot into a new registered temporary.
    fn take_slot(&mut self, waiter: LocalId, elem: Type) -> LocalId {
        let slot = Place::local(waiter).project(Proj::Slot);
        let t = self.temp(elem, Rvalue::Use(Operand::Copy(slot)));
        self.register_temp(t);
        t
    }

    /// A registered temporary as a [`Val`].
    fn val_of(&self, local: LocalId) -> Val {
        if self.temps.contains(&local) { Val::Temp(local) } else { Val::Op(Operand::local(local)) }
    }

    /// Moves `value` (owned) into `waiter`'s slot: the operation owns it from then on.
    fn fill_slot(&mut self, waiter: LocalId, value: Operand) {
        let slot = Place::local(waiter).project(Proj::Slot);
        self.assign(slot, Rvalue::Use(value.clone()));
        self.forget(&value);
    }

    /// `Channel.new<T>(cap)`: panics when `cap` is negative.
    pub(super) fn channel_new(&mut self, e: ExprId, args: &[ExprId], ty: Type) -> Val {
        let cap = match args.first() {
            Some(&a) => self.expr_operand(a),
            None => Operand::int(0, IntTy::I64),
        };
        let zero = Operand::int(0, IntTy::I64);
        let negative = self.temp(Type::Bool, Rvalue::Binary(BinOp::Lt, cap.clone(), zero));
        self.guard(Operand::local(negative), true, e, |b| {
            let parts = vec![
                Val::Op(Operand::str("channel capacity is negative: ")),
                b.display_string(Val::Op(cap.clone())),
            ];
            b.concat_all(parts).op()
        });
        self.runtime_value(RtOp::ChanNew, vec![cap], ty)
    }

    /// `<-ch`: the value received; panics once the channel is closed and drained.
    pub(super) fn recv_expr(&mut self, e: ExprId, channel: ExprId, ty: Type) -> Val {
        let ch = self.expr(channel);
        let waiter = self.new_waiter(ty.clone());
        let args = vec![ch.op(), Operand::local(waiter)];
        let result = self.wait_on(RtOp::ChanRecv, RtOp::ChanRecvResume, args);
        let closed = self.status_is(result, status::CLOSED);
        self.guard(Operand::local(closed), true, e, |_| Operand::str("receive on closed channel"));
        let value = self.take_slot(waiter, ty);
        self.drop_val(ch);
        self.val_of(value)
    }

    /// `ch <- value`: panics if the channel is closed (the value is dropped).
    pub(super) fn send_expr(&mut self, e: ExprId, channel: ExprId, value: ExprId) -> Val {
        let ch = self.expr(channel);
        let ch = self.hold(ch, &[value]);
        let elem = Self::chan_elem(&self.operand_ty(&ch.op()));
        let v = self.expr_owned(value);
        let waiter = self.new_waiter(elem);
        self.fill_slot(waiter, v);
        let args = vec![ch.op(), Operand::local(waiter)];
        let result = self.wait_on(RtOp::ChanSend, RtOp::ChanSendResume, args);
        let closed = self.status_is(result, status::CLOSED);
        self.guard(Operand::local(closed), true, e, |_| Operand::str("send on closed channel"));
        self.drop_val(ch);
        UNIT
    }

    /// The methods of `Channel<T>` (LANGUAGE.md §11).
    pub(super) fn channel_method(
        &mut self,
        method: BuiltinMethod,
        receiver: ExprId,
        args: &[ExprId],
        ty: Type,
    ) -> Val {
        use BuiltinMethod as M;
        let ch = self.expr(receiver);
        let ch = self.hold(ch, args);
        let elem = Self::chan_elem(&self.operand_ty(&ch.op()));
        let value = match method {
            M::ChanSend | M::ChanTrySend => {
                let v = match args.first() {
                    Some(&a) => self.expr_owned(a),
                    None => Operand::Const(Const::Unit),
                };
                let waiter = self.new_waiter(elem);
                self.fill_slot(waiter, v);
                let args = vec![ch.op(), Operand::local(waiter)];
                if method == M::ChanSend {
                    let result = self.wait_on(RtOp::ChanSend, RtOp::ChanSendResume, args);
                    Val::Op(Operand::local(self.status_is(result, status::OK)))
                } else {
                    let sent = self.new_local("sent", Type::Bool);
                    self.push(Stmt::Runtime { dest: Some(sent), op: RtOp::ChanTrySend, args });
                    Val::Op(Operand::local(sent))
                }
            }
            M::ChanRecv | M::ChanTryRecv => {
                let waiter = self.new_waiter(elem.clone());
                let args = vec![ch.op(), Operand::local(waiter)];
                let got = if method == M::ChanRecv {
                    let result = self.wait_on(RtOp::ChanRecv, RtOp::ChanRecvResume, args);
                    self.status_is(result, status::OK)
                } else {
                    let got = self.new_local("got", Type::Bool);
                    self.push(Stmt::Runtime { dest: Some(got), op: RtOp::ChanTryRecv, args });
                    got
                };
                self.slot_option(got, waiter, ty)
            }
            _ => {
                let op = match method {
                    M::ChanClose => RtOp::ChanClose,
                    M::ChanLen => RtOp::ChanLen,
                    M::ChanCap => RtOp::ChanCap,
                    _ => RtOp::ChanIsClosed,
                };
                let dest = (ty != Type::Unit).then(|| self.new_local("value", ty));
                self.push(Stmt::Runtime { dest, op, args: vec![ch.op()] });
                dest.map_or(UNIT, |d| Val::Op(Operand::local(d)))
            }
        };
        self.drop_val(ch);
        value
    }

    /// `Some(value in the slot of waiter)` when `got`, else `None` (of the `Option` type
    /// `ty`), as a registered temporary.
    fn slot_option(&mut self, got: LocalId, waiter: LocalId, ty: Type) -> Val {
        let elem = match &ty {
            Type::Option(elem) => (**elem).clone(),
            _ => Type::Unit,
        };
        let result = self.new_local("received", ty.clone());
        let (some, none, join) = (self.new_block(), self.new_block(), self.new_block());
        self.terminate(Terminator::Branch {
            cond: Operand::local(got),
            then_block: some,
            else_block: none,
        });
        self.switch_to(some);
        let slot = Place::local(waiter).project(Proj::Slot);
        let value = self.temp(elem, Rvalue::Use(Operand::Copy(slot)));
        let some_value = AggregateKind::Variant(ty.clone(), 0);
        self.assign(
            Place::local(result),
            Rvalue::Aggregate(some_value, vec![Operand::local(value)]),
        );
        self.goto(join);
        self.switch_to(none);
        let none_value = AggregateKind::Variant(ty, 1);
        self.assign(Place::local(result), Rvalue::Aggregate(none_value, Vec::new()));
        self.goto(join);
        self.switch_to(join);
        self.register_temp(result)
    }

    /// `for pat in ch { body }`: receives until the channel is closed and drained.
    pub(super) fn for_channel(
        &mut self,
        ch: Operand,
        label: Option<LabelId>,
        pat: PatId,
        body: ExprId,
    ) {
        let elem = Self::chan_elem(&self.operand_ty(&ch));
        let waiter = self.new_waiter(elem.clone());
        let header = self.new_block();
        let body_block = self.new_block();
        let step = self.new_block();
        let exit = self.new_block();
        self.goto(header);
        self.switch_to(header);
        let args = vec![ch, Operand::local(waiter)];
        let result = self.wait_on(RtOp::ChanRecv, RtOp::ChanRecvResume, args);
        let open = self.status_is(result, status::OK);
        let blocks = ForBlocks { body: body_block, step, exit };
        // Each value moves out of the slot into a temporary the iteration binds.
        self.for_iteration(open, blocks, label, pat, body, |b| {
            let slot = Place::local(waiter).project(Proj::Slot);
            let value = b.temp(elem, Rvalue::Use(Operand::Copy(slot)));
            b.register_temp(value);
            Place::local(value)
        });
        self.goto(header);
        self.switch_to(exit);
    }

    /// `select { arms }` (LANGUAGE.md §11): the channels, values to send and the `after`
    /// duration are evaluated in arm order; then one arm fires and its body is the
    /// value.
    pub(super) fn select_expr(
        &mut self,
        e: ExprId,
        arms: &[vex_hir::body::SelectArm],
        ty: Type,
    ) -> Val {
        use vex_hir::body::SelectArmKind as K;
        // Start: evaluate the arms' operands in order.
        let mut channels: Vec<(usize, Val, LocalId, i128)> = Vec::new();
        let mut after = None;
        let mut default = None;
        for (i, arm) in arms.iter().enumerate() {
            match &arm.kind {
                K::Recv { channel, .. } => {
                    let ch = self.expr(*channel);
                    let elem = Self::chan_elem(&self.operand_ty(&ch.op()));
                    let waiter = self.new_waiter(elem);
                    channels.push((i, ch, waiter, status::SELECT_RECV));
                }
                K::Send { channel, value } => {
                    let ch = self.expr(*channel);
                    let ch = self.hold(ch, &[*value]);
                    let elem = Self::chan_elem(&self.operand_ty(&ch.op()));
                    let v = self.expr_owned(*value);
                    let waiter = self.new_waiter(elem);
                    self.fill_slot(waiter, v);
                    channels.push((i, ch, waiter, status::SELECT_SEND));
                }
                K::After(ms) => {
                    // `after` with a negative duration is ready at once, like 0; the
                    // runtime reads a negative duration as "no after arm".
                    let ms = self.expr_operand(*ms);
                    let zero = Operand::int(0, IntTy::I64);
                    let negative =
                        self.temp(Type::Bool, Rvalue::Binary(BinOp::Lt, ms.clone(), zero.clone()));
                    let clamped = self.new_local("after", Type::Int(IntTy::I64));
                    self.assign(Place::local(clamped), Rvalue::Use(ms));
                    let (fix, ok) = (self.new_block(), self.new_block());
                    self.terminate(Terminator::Branch {
                        cond: Operand::local(negative),
                        then_block: fix,
                        else_block: ok,
                    });
                    self.switch_to(fix);
                    self.assign(Place::local(clamped), Rvalue::Use(zero));
                    self.goto(ok);
                    self.switch_to(ok);
                    after = Some((i, Operand::local(clamped)));
                }
                K::Default => default = Some(i),
            }
        }
        let n = channels.len() as u32;
        let select = self.new_local("select", Type::Select(n));
        let after_ms = after.as_ref().map_or(Operand::int(-1, IntTy::I64), |a| a.1.clone());
        let mut args =
            vec![Operand::local(select), after_ms, Operand::Const(Const::Bool(default.is_some()))];
        for (_, ch, waiter, kind) in &channels {
            args.extend([
                ch.op(),
                Operand::local(*waiter),
                Operand::Const(Const::Int(*kind, IntTy::I32)),
            ]);
        }
        let result = self.new_local("fired", STATUS);
        self.push(Stmt::Runtime { dest: Some(result), op: RtOp::SelectStart, args: args.clone() });
        // The resume names every record again: they stay in use until the select ends.
        self.park_until_done(
            result,
            RtOp::SelectResume,
            args,
            status::SELECT_PENDING,
            status::SELECT_CANCELLED,
        );
        // The channels are no longer needed, whichever arm fired.
        for (_, ch, _, _) in &channels {
            if let Val::Temp(t) = ch {
                self.drop_val(Val::Temp(*t));
            }
        }
        // Dispatch on what fired: a channel arm's index, `n` for after, `n + 1` for
        // default; anything else is "every arm disabled".
        let value = (ty != Type::Unit).then(|| self.new_local("selected", ty.clone()));
        let join = self.new_block();
        let mut cases = Vec::new();
        let mut bodies = Vec::new();
        for (k, (i, _, waiter, kind)) in channels.iter().enumerate() {
            let block = self.new_block();
            cases.push((k as i128, block));
            bodies.push((block, *i, (*kind == status::SELECT_RECV).then_some(*waiter)));
        }
        if let Some((i, _)) = &after {
            let block = self.new_block();
            cases.push((i128::from(n), block));
            bodies.push((block, *i, None));
        }
        if let Some(i) = default {
            let block = self.new_block();
            cases.push((i128::from(n) + 1, block));
            bodies.push((block, i, None));
        }
        let closed = self.new_block();
        self.terminate(Terminator::Switch {
            value: Operand::local(result),
            cases,
            default: closed,
        });
        self.switch_to(closed);
        self.panic_at(e, Operand::str("select on closed channels"));
        let mut reached = false;
        for (block, i, waiter) in bodies {
            self.switch_to(block);
            self.push_scope();
            if let (Some(waiter), K::Recv { binding, .. }) = (waiter, &arms[i].kind) {
                let elem = match self.func.local_ty(waiter) {
                    Type::Waiter(elem) => (**elem).clone(),
                    _ => Type::Unit,
                };
                let received = self.take_slot(waiter, elem);
                match binding {
                    Some(pat) => self.bind_pat(*pat, &Place::local(received)),
                    None => {
                        let v = self.val_of(received);
                        self.drop_val(v);
                    }
                }
            }
            match value {
                Some(r) => {
                    let v = self.expr_owned(arms[i].body);
                    self.assign(Place::local(r), Rvalue::Use(v.clone()));
                    self.forget(&v);
                }
                None => {
                    let v = self.expr(arms[i].body);
                    self.drop_val(v);
                }
            }
            self.pop_scope();
            reached |= self.goto(join);
        }
        self.switch_to(join);
        if !reached {
            self.terminate(Terminator::Unreachable);
        }
        match value {
            Some(r) => self.register_temp(r),
            None => UNIT,
        }
    }
}
