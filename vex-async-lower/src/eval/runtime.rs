//! The runtime operations of the IR ([`RtOp`]) as the evaluator implements them: the
//! specification the C runtime is tested against.

use super::*;

impl<'m> Machine<'m> {
    pub(super) fn runtime(&mut self, op: RtOp, args: Vec<Value>) -> Res<Value> {
        Ok(match op {
            RtOp::ChanNew
            | RtOp::ChanSend
            | RtOp::ChanSendResume
            | RtOp::ChanRecv
            | RtOp::ChanRecvResume
            | RtOp::ChanTrySend
            | RtOp::ChanTryRecv
            | RtOp::ChanClose
            | RtOp::ChanLen
            | RtOp::ChanCap
            | RtOp::ChanIsClosed
            | RtOp::SelectStart
            | RtOp::SelectResume => self.chan_op(op, args)?,
            RtOp::Join
            | RtOp::JoinAll
            | RtOp::Race
            | RtOp::RaceAll
            | RtOp::Timeout
            | RtOp::ReadyFuture
            | RtOp::FutureIsReady => self.combinator_op(op, args)?,
            RtOp::IoReadFile
            | RtOp::IoWriteFile
            | RtOp::IoAppendFile
            | RtOp::IoRemoveFile
            | RtOp::IoExists
            | RtOp::IoFileOpen
            | RtOp::IoFileCreate
            | RtOp::IoFileOpenAppend
            | RtOp::IoFileRead
            | RtOp::IoFileReadAll
            | RtOp::IoFileWrite
            | RtOp::IoTcpBind
            | RtOp::IoTcpAccept
            | RtOp::IoTcpConnect
            | RtOp::IoTcpRead
            | RtOp::IoTcpWrite
            | RtOp::IoClose
            | RtOp::IoListenerPort
            | RtOp::IoErrorCode
            | RtOp::IoErrorMessage
            | RtOp::Args
            | RtOp::GetEnv
            | RtOp::Exit => self.io_op(op, args)?,
            RtOp::VecWithCapacity
            | RtOp::VecFromArray
            | RtOp::VecLen
            | RtOp::VecSlice
            | RtOp::VecJoin
            | RtOp::StrLen
            | RtOp::StrByteAt
            | RtOp::StrSlice
            | RtOp::StrFind
            | RtOp::StrContains
            | RtOp::StrStartsWith
            | RtOp::StrEndsWith
            | RtOp::StrTrim
            | RtOp::StrSplit
            | RtOp::StrLines
            | RtOp::StrToUpper
            | RtOp::StrToLower
            | RtOp::StrRepeat
            | RtOp::StrToInt
            | RtOp::StrToFloat => self.value_op(op, &args)?,
            RtOp::StringConcat => {
                let a = self.text(&args[0])?;
                let b = self.text(&args[1])?;
                self.new_string(&[&a[..], &b[..]].concat())
            }
            RtOp::StringCompare => {
                let a = self.text(&args[0])?;
                let b = self.text(&args[1])?;
                Value::Int(a.cmp(&b) as i128, IntTy::I32)
            }
            RtOp::StringFromI64 | RtOp::StringFromU64 => match &args[0] {
                Value::Int(v, _) => self.new_string(v.to_string().as_bytes()),
                other => return err(format!("format of {other:?}")),
            },
            RtOp::StringFromF64 | RtOp::StringFromF32 => match &args[0] {
                Value::Float(v, FloatTy::F32) => {
                    self.new_string(format!("{}", *v as f32).as_bytes())
                }
                Value::Float(v, _) => self.new_string(format!("{v}").as_bytes()),
                other => return err(format!("format of {other:?}")),
            },
            RtOp::StringFromBool => match &args[0] {
                Value::Bool(b) => self.new_string(if *b { b"true" } else { b"false" }),
                other => return err(format!("format of {other:?}")),
            },
            RtOp::Print | RtOp::Println | RtOp::Eprint | RtOp::Eprintln => {
                let text = self.text(&args[0])?;
                let stream = if matches!(op, RtOp::Print | RtOp::Println) {
                    Stream::Stdout
                } else {
                    Stream::Stderr
                };
                self.emit(stream, &text, matches!(op, RtOp::Println | RtOp::Eprintln));
                Value::Unit
            }
            RtOp::NowMs => Value::Int(i128::from(self.now), IntTy::I64),
            RtOp::IsCancelled => Value::Bool(self.current.is_some_and(|t| self.tasks[t].cancelled)),
            // The evaluator never tears a run down (see `runtime_teardown` in vex_rt.h).
            RtOp::TornDown => Value::Bool(false),
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

    pub(super) fn set_wait(&mut self, wait: Wait) -> Res<()> {
        if self.current.is_none() {
            return err("wait outside a task");
        }
        if self.wait.is_some() {
            return err("two waits registered in one resume");
        }
        self.wait = Some(wait);
        Ok(())
    }
}
