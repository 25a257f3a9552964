//! Step 4: splitting a coroutine into its resume function and its wrapper.
//!
//! Resume function `F.resume(state) -> CoroStatus`: block 0 loads the tag, stores the
//! reserved *poisoned* tag and switches to the start (0) or to the resume block of
//! suspension `k` (1..n); any other value — the reserved done and poisoned tags
//! included — traps. While a resume runs, the tag is poisoned (an await that continues
//! in place, its child already finished, poisons it again after storing `k`); every
//! suspension and every exit overwrite it just before returning. So a task whose resume
//! panicked halfway, if it were ever resumed again (the runtime abandons it; a host
//! might not), traps instead of re-running from a stale state. The cost is one byte
//! store per resume. The original blocks follow,
//! shifted by one. Each wait becomes, in this order: store the saved locals, store the
//! tag `k`, hand the wait to the runtime, return `YIELDED`; nothing touches the state
//! after the hand-off. An await first asks `future_poll_or_register`: if the child has
//! finished, the code continues in place. After the wait (in place or resumed after the
//! loads), a cancelled task takes the cancel path (cancelling the still-owned child and
//! releasing it first: cancellation flows down, LANGUAGE.md §6.7); otherwise `future_take` moves the value out, and a cancelled child sends the
//! awaiter down its cancel path too. Returns store the result, set the done tag and
//! return `DONE`; the cancel paths end in `task_finish_cancelled`.
//!
//! Wrapper `F(args) -> Future<T>`: allocate task and state in one block, store the
//! arguments the start needs, store tag 0, register `F.drop_result` with the runtime
//! when the result holds references (`task_set_drop_result`), spawn, return the future.

use super::CoroInfo;
use crate::ir::*;

struct Split<'a> {
    info: &'a CoroInfo,
    out: Function,
    state: LocalId,
}

impl Split<'_> {
    fn new_local(&mut self, name: &str, ty: Type) -> LocalId {
        self.out.locals.push(LocalDecl { name: name.into(), ty });
        LocalId(self.out.locals.len() as u32 - 1)
    }

    fn new_block(&mut self, stmts: Vec<Stmt>, term: Terminator, loc: Loc) -> BlockId {
        self.out.blocks.push(Block::at(stmts, term, loc));
        BlockId(self.out.blocks.len() as u32 - 1)
    }

    fn tag_const(&self, value: i128) -> Operand {
        Operand::Const(Const::Int(value, self.info.layout.tag.ty))
    }

    fn store_tag(&self, value: i128) -> Stmt {
        Stmt::StoreState {
            state: self.state,
            field: self.info.layout.tag_field,
            value: self.tag_const(value),
        }
    }

    /// Whether `local` lives in the state in place (see [`Type::is_pinned`]): it is
    /// neither stored nor loaded at suspensions.
    fn pinned(&self, local: LocalId) -> bool {
        self.info.function.local_ty(local).is_pinned()
    }

    fn loads(&self, locals: &[LocalId]) -> Vec<Stmt> {
        locals
            .iter()
            .filter(|l| !self.pinned(**l))
            .map(|l| Stmt::LoadState {
                dest: *l,
                state: self.state,
                field: self.info.layout.local_fields[l],
            })
            .collect()
    }

    fn stores(&self, locals: &[LocalId]) -> Vec<Stmt> {
        locals
            .iter()
            .filter(|l| !self.pinned(**l))
            .map(|l| Stmt::StoreState {
                state: self.state,
                field: self.info.layout.local_fields[l],
                value: Operand::local(*l),
            })
            .collect()
    }
}

fn shift(b: BlockId) -> BlockId {
    BlockId(b.0 + 1)
}

/// Builds the resume function.
pub fn resume_function(function: &Function, info: &CoroInfo, types: &TypeDefs) -> Function {
    let state_name = info.layout.def.name.clone();
    // Pinned locals saved at some suspension live in their fields; the others never
    // wait, so they stay ordinary locals.
    let mut pinned: Vec<(LocalId, u32)> = info
        .layout
        .local_fields
        .iter()
        .filter(|(l, _)| function.local_ty(**l).is_pinned())
        .map(|(l, f)| (*l, *f))
        .collect();
    pinned.sort();
    let out = Function {
        name: format!("{}.resume", function.name).into(),
        kind: FunctionKind::Resume { state: state_name.clone(), pinned },
        params: Vec::new(),
        ret: Type::CoroStatus,
        locals: function.locals.clone(),
        blocks: Vec::new(),
        loc: function.loc.clone(),
    };
    let mut split = Split { info, out, state: LocalId(0) };
    split.state = split.new_local("state", Type::StatePtr(state_name));
    split.out.params = vec![split.state];
    let tag_ty = Type::Int(info.layout.tag.ty);
    let tag = split.new_local("tag", tag_ty);
    // Block 0: dispatch (its switch is filled in below); original blocks at 1..=n.
    // Dispatch code stands for the function's entry: the definition's line.
    let entry = Loc { line: 0, col: function.loc.col };
    split.new_block(Vec::new(), Terminator::Unreachable, entry);
    for block in &function.blocks {
        let mut block = block.clone();
        for target in block.term.successors_mut() {
            *target = shift(*target);
        }
        split.out.blocks.push(block);
    }
    let trap = split.new_block(Vec::new(), Terminator::Unreachable, entry);
    // A task that starts while the runtime tears a stopped run down only releases its
    // arguments and finishes as cancelled (`runtime_teardown` in vex_rt.h).
    let torn_down = split.new_local("torn_down", Type::Bool);
    let status = split.new_local("status", Type::CoroStatus);
    let mut releases: Vec<Stmt> = info
        .saved
        .start
        .iter()
        .filter(|l| function.local_ty(**l).needs_drop(types))
        .map(|l| Stmt::Release(Place::local(*l)))
        .collect();
    releases.push(split.store_tag(info.layout.tag.done));
    releases.push(Stmt::Runtime {
        dest: Some(status),
        op: RtOp::TaskFinishCancelled,
        args: vec![],
    });
    let finish_unstarted =
        split.new_block(releases, Terminator::Return(Some(Operand::local(status))), entry);
    let mut start_stmts = split.loads(&info.saved.start);
    start_stmts.push(Stmt::Runtime { dest: Some(torn_down), op: RtOp::TornDown, args: vec![] });
    let start = split.new_block(
        start_stmts,
        Terminator::Branch {
            cond: Operand::local(torn_down),
            then_block: finish_unstarted,
            else_block: BlockId(1),
        },
        entry,
    );
    let mut cases = vec![(0, start)];
    for suspension in &info.saved.suspensions {
        let b = shift(suspension.block).index();
        // Everything the suspension turns into is at the wait's location.
        let at = split.out.blocks[b].term_loc;
        let term = std::mem::replace(&mut split.out.blocks[b].term, Terminator::Unreachable);
        let k = i128::from(suspension.state);
        if let Terminator::Park { next } = term {
            // The runtime operation before it recorded the wait; on resume, the code at
            // `next` asks the operation how it ended (cancellation included).
            let resume =
                split.new_block(split.loads(&suspension.saved), Terminator::Goto(next), at);
            cases.push((k, resume));
            let yielded = split.new_block(
                Vec::new(),
                Terminator::Return(Some(Operand::Const(Const::Status(CoroStatus::Yielded)))),
                at,
            );
            let mut stmts = split.stores(&suspension.saved);
            stmts.push(split.store_tag(k));
            split.out.blocks[b].extend(stmts, at);
            split.out.blocks[b].term = Terminator::Goto(yielded);
            continue;
        }
        let (next, cancel) = match &term {
            Terminator::Await { next, cancel, .. }
            | Terminator::Sleep { next, cancel, .. }
            | Terminator::Yield { next, cancel } => (*next, *cancel),
            _ => unreachable!("suspensions are waits"),
        };
        // After the wait: check cancellation, then take the value (awaits).
        let cancelled = split.new_local("cancelled", Type::Bool);
        let (continue_block, cancel_block) = match (&term, suspension.child) {
            (Terminator::Await { dest, .. }, Some(child)) => {
                let outcome = split.new_local("outcome", Type::Int(IntTy::I32));
                let ok = split.new_local("ok", Type::Bool);
                let take = split.new_block(
                    vec![
                        Stmt::TakeFuture { outcome, future: Operand::local(child), result: *dest },
                        Stmt::Assign(
                            Place::local(ok),
                            Rvalue::Binary(
                                BinOp::Eq,
                                Operand::local(outcome),
                                Operand::int(outcome::VALUE, IntTy::I32),
                            ),
                        ),
                    ],
                    Terminator::Branch {
                        cond: Operand::local(ok),
                        then_block: next,
                        else_block: cancel,
                    },
                    at,
                );
                // Cancelled while waiting: the cancellation flows down to the child
                // (LANGUAGE.md §6.7), whose handle is then released.
                let release = split.new_block(
                    vec![
                        Stmt::Runtime {
                            dest: None,
                            op: RtOp::FutureCancel,
                            args: vec![Operand::local(child)],
                        },
                        Stmt::Release(Place::local(child)),
                    ],
                    Terminator::Goto(cancel),
                    at,
                );
                (take, release)
            }
            _ => (next, cancel),
        };
        let after = split.new_block(
            vec![Stmt::Runtime { dest: Some(cancelled), op: RtOp::IsCancelled, args: vec![] }],
            Terminator::Branch {
                cond: Operand::local(cancelled),
                then_block: cancel_block,
                else_block: continue_block,
            },
            at,
        );
        let resume = split.new_block(split.loads(&suspension.saved), Terminator::Goto(after), at);
        cases.push((k, resume));
        let yielded = split.new_block(
            Vec::new(),
            Terminator::Return(Some(Operand::Const(Const::Status(CoroStatus::Yielded)))),
            at,
        );
        let mut stmts = split.stores(&suspension.saved);
        stmts.push(split.store_tag(k));
        let new_term = match term {
            Terminator::Await { .. } => {
                let child = suspension.child.expect("await futures are locals");
                let ready = split.new_local("ready", Type::Bool);
                stmts.push(Stmt::Runtime {
                    dest: Some(ready),
                    op: RtOp::FuturePollOrRegister,
                    args: vec![Operand::local(child)],
                });
                // Continuing in place: the state is being run again, so it is poisoned
                // again until the next suspension or the end.
                let poison = split.new_block(
                    vec![split.store_tag(info.layout.tag.poisoned)],
                    Terminator::Goto(after),
                    at,
                );
                Terminator::Branch {
                    cond: Operand::local(ready),
                    then_block: poison,
                    else_block: yielded,
                }
            }
            Terminator::Sleep { ms, .. } => {
                stmts.push(Stmt::Runtime {
                    dest: None,
                    op: RtOp::WorkerAwaitAfter,
                    args: vec![ms],
                });
                Terminator::Goto(yielded)
            }
            _ => {
                stmts.push(Stmt::Runtime { dest: None, op: RtOp::WorkerYield, args: vec![] });
                Terminator::Goto(yielded)
            }
        };
        split.out.blocks[b].extend(stmts, at);
        split.out.blocks[b].term = new_term;
    }
    // Completion and cancel exits.
    for b in 1..=function.blocks.len() {
        let term = split.out.blocks[b].term.clone();
        let at = split.out.blocks[b].term_loc;
        match term {
            Terminator::Return(value) => {
                let mut stmts = Vec::new();
                if let (Some(v), Some(field)) = (value, info.layout.result_field) {
                    stmts.push(Stmt::StoreState { state: split.state, field, value: v });
                }
                stmts.push(split.store_tag(info.layout.tag.done));
                split.out.blocks[b].extend(stmts, at);
                split.out.blocks[b].term =
                    Terminator::Return(Some(Operand::Const(Const::Status(CoroStatus::Done))));
            }
            Terminator::CancelExit => {
                let status = split.new_local("status", Type::CoroStatus);
                let stmts = vec![
                    split.store_tag(info.layout.tag.done),
                    Stmt::Runtime {
                        dest: Some(status),
                        op: RtOp::TaskFinishCancelled,
                        args: vec![],
                    },
                ];
                split.out.blocks[b].extend(stmts, at);
                split.out.blocks[b].term = Terminator::Return(Some(Operand::local(status)));
            }
            _ => {}
        }
    }
    split.out.blocks[0] = Block::at(
        vec![
            Stmt::LoadState { dest: tag, state: split.state, field: info.layout.tag_field },
            split.store_tag(info.layout.tag.poisoned),
        ],
        Terminator::Switch { value: Operand::local(tag), cases, default: trap },
        entry,
    );
    split.out
}

/// Builds the wrapper: allocate, store arguments and tag 0, spawn.
pub fn wrapper_function(function: &Function, info: &CoroInfo, types: &TypeDefs) -> Function {
    let state_name = info.layout.def.name.clone();
    let future_ty = Type::Future(Box::new(function.ret.clone()));
    let mut locals: Vec<LocalDecl> =
        function.params.iter().map(|p| function.locals[p.index()].clone()).collect();
    let params: Vec<LocalId> = (0..locals.len() as u32).map(LocalId).collect();
    locals.push(LocalDecl { name: "state".into(), ty: Type::StatePtr(state_name.clone()) });
    let state = LocalId(locals.len() as u32 - 1);
    locals.push(LocalDecl { name: "future".into(), ty: future_ty.clone() });
    let future = LocalId(locals.len() as u32 - 1);
    let mut stmts = vec![Stmt::TaskAlloc { dest: state }];
    for (i, p) in function.params.iter().enumerate() {
        match info.layout.local_fields.get(p) {
            Some(field) if info.saved.start.contains(p) => stmts.push(Stmt::StoreState {
                state,
                field: *field,
                value: Operand::local(params[i]),
            }),
            // Never read: nothing to keep, but references must not leak.
            _ => {
                if function.local_ty(*p).needs_drop(types) {
                    stmts.push(Stmt::Release(Place::local(params[i])));
                }
            }
        }
    }
    stmts.push(Stmt::StoreState {
        state,
        field: info.layout.tag_field,
        value: Operand::Const(Const::Int(0, info.layout.tag.ty)),
    });
    if info.layout.result_field.is_some() && function.ret.needs_drop(types) {
        // A result nobody takes (every handle released first) is released by
        // `F.drop_result`, which the runtime must know before the task can finish.
        stmts.push(Stmt::Runtime {
            dest: None,
            op: RtOp::TaskSetDropResult,
            args: vec![Operand::local(state)],
        });
    }
    stmts.push(Stmt::Runtime {
        dest: Some(future),
        op: RtOp::TaskSpawn,
        args: vec![Operand::local(state)],
    });
    Function {
        name: function.name.clone(),
        kind: FunctionKind::Wrapper {
            resume: format!("{}.resume", function.name).into(),
            state: state_name,
        },
        params,
        ret: future_ty,
        locals,
        // The wrapper is the call of the coroutine: all of it at the definition.
        blocks: vec![Block::at(
            stmts,
            Terminator::Return(Some(Operand::local(future))),
            Loc { line: 0, col: function.loc.col },
        )],
        loc: function.loc.clone(),
    }
}

/// Builds `F.drop_result(state)` when the result holds references.
pub fn drop_result_function(
    function: &Function,
    info: &CoroInfo,
    types: &TypeDefs,
) -> Option<Function> {
    let field = info.layout.result_field?;
    if !function.ret.needs_drop(types) {
        return None;
    }
    let state_name = info.layout.def.name.clone();
    let locals = vec![
        LocalDecl { name: "state".into(), ty: Type::StatePtr(state_name.clone()) },
        LocalDecl { name: "result".into(), ty: function.ret.clone() },
    ];
    Some(Function {
        name: format!("{}.drop_result", function.name).into(),
        kind: FunctionKind::DropResult { state: state_name },
        params: vec![LocalId(0)],
        ret: Type::Unit,
        locals,
        blocks: vec![Block::at(
            vec![
                Stmt::LoadState { dest: LocalId(1), state: LocalId(0), field },
                Stmt::Release(Place::local(LocalId(1))),
            ],
            Terminator::Return(None),
            Loc { line: 0, col: function.loc.col },
        )],
        loc: function.loc.clone(),
    })
}
