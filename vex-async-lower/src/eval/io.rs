//! Files, TCP and the process builtins (LANGUAGE.md §13) as the evaluator implements
//! them: the specification of `vex-rt`'s `io.c`, `fs.c`, `net.c` and `process.c` under
//! the deterministic scheduler, doing real I/O.
//!
//! Values: an `IoError` is a reference-counted object (its errno and its message, a
//! counted string); a `File`, `TcpListener` or `TcpStream` is a reference-counted handle
//! whose descriptor is released by `close()` or by the last release, but never while an
//! operation uses it (then `close()` marks it closed, shuts a socket down to wake the
//! operation waiting on it, and the last user releases the descriptor).
//!
//! Every operation that can wait is an *op task* (a runtime-provided task, like a
//! combinator): the call retains its operands and queues the task at the back; the task
//! does the work in its first run, never during the call, so even an operation whose
//! result is known at once (a negative `max`, a closed handle) finishes in that run.
//! - File operations are *jobs*: the first run performs the system calls (with `std::fs`,
//!   at once: the job has finished when it reports) and the task waits until the job is
//!   delivered. As in the runtime's deterministic mode, jobs are delivered only when no
//!   task is ready and no timer is due, all jobs in flight at once, in the order they
//!   started, before the clock may jump; the clock never jumps over a job in flight. A
//!   cancelled op task whose job has finished releases what the job produced and finishes
//!   cancelled when it runs; its job still counts as in flight until delivery.
//! - Socket operations use non-blocking descriptors (`libc`, as `net.c` does): the task
//!   tries the system call and, when the socket is not ready, waits for it. Sockets are
//!   polled (`poll(2)`, without waiting) when nothing is ready and every 61st task run,
//!   like the runtime's reactor; a socket wait does not hold the virtual clock (with a
//!   timer armed the clock jumps after a poll that found nothing), and with no timer and
//!   no job the evaluator blocks in `poll` until a socket is ready. Socket readiness is
//!   real time, so its order is not deterministic (the runtime's is not either).
//!
//! Error values carry the errno and `strerror`'s text, or code 0 and a description
//! (`invalid address: HOST`, `invalid port: N`), exactly as the runtime makes them.
//! `exit(code)` stops the run ([`Stop::Exit`]): nothing more runs or prints, and like a
//! panic it is left out of the leak checks.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;

use super::*;

/// What one `s.read` gives at most (`READ_CHUNK` in `net.c`).
const READ_CHUNK: i64 = 64 << 10;
/// `accept` errors that concern only the connection being accepted are retried this
/// often (`ACCEPT_RETRIES` in `net.c`).
const ACCEPT_RETRIES: usize = 64;
/// Task runs between two polls of the sockets while tasks are ready (the runtime's
/// `FAIRNESS_INTERVAL`).
pub(super) const POLL_INTERVAL: u64 = 61;

/// An `IoError`.
pub(super) struct IoErrorObj {
    code: i64,
    /// A counted string, released with the error.
    message: Value,
    refs: u32,
}

/// What a handle is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HandleKind {
    File,
    Listener,
    Stream,
}

/// A `File`, `TcpListener` or `TcpStream`.
pub(super) struct HandleObj {
    kind: HandleKind,
    refs: u32,
    closed: bool,
    /// Operations using the descriptor now.
    busy: u32,
    /// The descriptor, until it is released.
    fd: Option<OwnedFd>,
    /// A listener's port.
    port: i64,
}

/// How an operation failed: an errno, or code 0 with a description (bytes).
#[derive(Debug)]
enum IoFail {
    Errno(i32),
    Text(Vec<u8>),
}

type IoResult = Result<Value, IoFail>;

/// An op task's own state.
pub(super) struct IoOpObj {
    op: RtOp,
    /// The handle operand (retained).
    handle: Option<usize>,
    /// The path or host (a retained string), `Unit` when the operation has none.
    text: Value,
    /// The data to write (a retained string), `Unit` when none.
    data: Value,
    /// `max`, the port, or (writes) the bytes sent so far.
    num: i64,
    /// Whether the first run has happened.
    started: bool,
    /// Whether it holds a use of its handle's descriptor.
    holds_use: bool,
    /// `connect`: the stream made in the first run, while the connection completes.
    connecting: Option<usize>,
    /// A file job's result, until the task finishes.
    job_result: Option<IoResult>,
    /// The descriptor and `poll` events a socket operation waits for.
    wait: Option<(RawFd, i16)>,
}

/// The last `errno`.
fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)
}

/// The errno of an I/O error of the standard library.
fn code_of(e: &std::io::Error) -> i32 {
    e.raw_os_error().unwrap_or(libc::EIO)
}

/// `strerror`'s text for `code` (the runtime's `errno_text`).
fn errno_text(code: i32) -> String {
    let text = std::io::Error::from_raw_os_error(code).to_string();
    match text.strip_suffix(&format!(" (os error {code})")) {
        Some(plain) => plain.to_string(),
        None => text,
    }
}

/// An address to bind or connect to.
enum SockAddr {
    V4(libc::sockaddr_in),
    V6(libc::sockaddr_in6),
}

impl SockAddr {
    fn family(&self) -> libc::c_int {
        match self {
            SockAddr::V4(_) => libc::AF_INET,
            SockAddr::V6(_) => libc::AF_INET6,
        }
    }

    fn raw(&self) -> (*const libc::sockaddr, libc::socklen_t) {
        match self {
            SockAddr::V4(a) => (
                (a as *const libc::sockaddr_in).cast(),
                size_of::<libc::sockaddr_in>() as libc::socklen_t,
            ),
            SockAddr::V6(a) => (
                (a as *const libc::sockaddr_in6).cast(),
                size_of::<libc::sockaddr_in6>() as libc::socklen_t,
            ),
        }
    }
}

/// Parses a host (an IPv4 or IPv6 literal, IPv6 also in brackets, or `localhost`) and a
/// port (0 only for `bind`), with `net.c`'s messages for what is not one.
fn parse_addr(host: &[u8], port: i64, for_bind: bool) -> Result<SockAddr, IoFail> {
    let n = host.len();
    // INET6_ADDRSTRLEN + 2, the C buffer.
    let text =
        (n > 0 && n < 48 && !host.contains(&0)).then(|| std::str::from_utf8(host).ok()).flatten();
    let v4 = |ip: Ipv4Addr| {
        // SAFETY: sockaddr_in is plain data; all zeroes is a valid value.
        let mut a: libc::sockaddr_in = unsafe { std::mem::zeroed() };
        a.sin_family = libc::AF_INET as libc::sa_family_t;
        a.sin_addr.s_addr = u32::from_ne_bytes(ip.octets());
        SockAddr::V4(a)
    };
    let addr = match text {
        Some("localhost") => Some(v4(Ipv4Addr::LOCALHOST)),
        Some(t) => match t.parse::<Ipv4Addr>() {
            Ok(ip) => Some(v4(ip)),
            Err(_) => {
                let bare = match t.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
                    Some(inner) if n >= 2 => inner,
                    _ => t,
                };
                bare.parse::<Ipv6Addr>().ok().map(|ip| {
                    // SAFETY: sockaddr_in6 is plain data; all zeroes is a valid value.
                    let mut a: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
                    a.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                    a.sin6_addr.s6_addr = ip.octets();
                    SockAddr::V6(a)
                })
            }
        },
        None => None,
    };
    let Some(mut addr) = addr else {
        // `%.*s` of at most 200 bytes, which stops at a 0 byte.
        let shown = &host[..n.min(200)];
        let shown = &shown[..shown.iter().position(|&b| b == 0).unwrap_or(shown.len())];
        return Err(IoFail::Text([&b"invalid address: "[..], shown].concat()));
    };
    if port < i64::from(!for_bind) || port > 65535 {
        return Err(IoFail::Text(format!("invalid port: {port}").into_bytes()));
    }
    let port = (port as u16).to_be();
    match &mut addr {
        SockAddr::V4(a) => a.sin_port = port,
        SockAddr::V6(a) => a.sin6_port = port,
    }
    Ok(addr)
}

/// A new non-blocking, close-on-exec TCP socket of the address's family.
fn new_socket(addr: &SockAddr) -> Result<OwnedFd, IoFail> {
    let flags = libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC;
    // SAFETY: plain system call.
    let fd = unsafe { libc::socket(addr.family(), flags, 0) };
    if fd < 0 {
        return Err(IoFail::Errno(errno()));
    }
    // SAFETY: a new descriptor nobody else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn set_int_option(fd: RawFd, level: libc::c_int, name: libc::c_int) {
    let one: libc::c_int = 1;
    // SAFETY: the option value is a live int of the size given.
    unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&one as *const libc::c_int).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
}

/// The port a socket is bound to.
fn local_port(fd: RawFd) -> Result<i64, IoFail> {
    // SAFETY: sockaddr_storage is plain data; getsockname writes at most `len` bytes.
    let mut bound: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let rc = unsafe {
        libc::getsockname(fd, (&mut bound as *mut libc::sockaddr_storage).cast(), &mut len)
    };
    if rc != 0 {
        return Err(IoFail::Errno(errno()));
    }
    let port = if i32::from(bound.ss_family) == libc::AF_INET {
        // SAFETY: the family says the storage holds a sockaddr_in.
        unsafe { (*(&bound as *const libc::sockaddr_storage).cast::<libc::sockaddr_in>()).sin_port }
    } else {
        // SAFETY: the family says the storage holds a sockaddr_in6.
        unsafe {
            (*(&bound as *const libc::sockaddr_storage).cast::<libc::sockaddr_in6>()).sin6_port
        }
    };
    Ok(i64::from(u16::from_be(port)))
}

/// What one step of a socket operation came to.
enum NetStep {
    Done(IoResult),
    /// Wait until the descriptor is ready for these `poll` events.
    Wait(RawFd, i16),
}

/// Reads the file at `fd` up to `max` bytes (`None`: to its end).
fn read_up_to(file: &mut std::fs::File, max: Option<u64>) -> Result<Vec<u8>, IoFail> {
    let mut out = Vec::new();
    let result = match max {
        Some(max) => file.take(max).read_to_end(&mut out),
        None => file.read_to_end(&mut out),
    };
    result.map(|_| out).map_err(|e| IoFail::Errno(code_of(&e)))
}

impl<'m> Machine<'m> {
    // ---- values ----

    /// A new `IoError` value with one reference.
    fn new_io_error(&mut self, fail: IoFail) -> Value {
        let (code, text) = match fail {
            IoFail::Errno(code) => (i64::from(code), errno_text(code).into_bytes()),
            IoFail::Text(text) => (0, text),
        };
        let message = self.new_string(&text);
        self.io_errors.push(IoErrorObj { code, message, refs: 1 });
        Value::IoError(Some(self.io_errors.len() - 1))
    }

    fn io_error(&self, v: &Value) -> Res<&IoErrorObj> {
        match v {
            Value::IoError(Some(e)) if self.io_errors[*e].refs > 0 => Ok(&self.io_errors[*e]),
            Value::IoError(Some(e)) => err(format!("use of released IoError {e}")),
            other => err(format!("expected an IoError, found {other:?}")),
        }
    }

    fn new_handle(&mut self, kind: HandleKind, fd: OwnedFd) -> usize {
        self.io_handles.push(HandleObj {
            kind,
            refs: 1,
            closed: false,
            busy: 0,
            fd: Some(fd),
            port: 0,
        });
        self.io_handles.len() - 1
    }

    fn handle_of(&self, v: &Value) -> Res<usize> {
        match v {
            Value::IoHandle(Some(h)) if self.io_handles[*h].refs > 0 => Ok(*h),
            Value::IoHandle(Some(h)) => err(format!("use of released handle {h}")),
            other => err(format!("expected an I/O handle, found {other:?}")),
        }
    }

    pub(super) fn io_retain(&mut self, v: &Value) -> Res<()> {
        match v {
            Value::IoError(Some(e)) => {
                if self.io_errors[*e].refs == 0 {
                    return err(format!("retain of released IoError {e}"));
                }
                self.io_errors[*e].refs += 1;
            }
            Value::IoHandle(Some(h)) => {
                if self.io_handles[*h].refs == 0 {
                    return err(format!("retain of released handle {h}"));
                }
                self.io_handles[*h].refs += 1;
            }
            _ => {}
        }
        Ok(())
    }

    pub(super) fn io_release(&mut self, v: &Value) -> Res<()> {
        match v {
            Value::IoError(Some(e)) => {
                let e = *e;
                if self.io_errors[e].refs == 0 {
                    return err(format!("IoError {e} released more often than retained"));
                }
                self.io_errors[e].refs -= 1;
                if self.io_errors[e].refs == 0 {
                    let message = std::mem::replace(&mut self.io_errors[e].message, Value::Unit);
                    self.release(&message)?;
                }
            }
            Value::IoHandle(Some(h)) => {
                let h = *h;
                if self.io_handles[h].refs == 0 {
                    return err(format!("handle {h} released more often than retained"));
                }
                self.io_handles[h].refs -= 1;
                if self.io_handles[h].refs == 0 {
                    // No operation holds it, so none uses the descriptor.
                    self.io_handles[h].fd = None;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The I/O errors and handles still referenced when the program ended.
    pub(super) fn leaked_io(&self) -> Vec<String> {
        let errors = self.io_errors.iter().filter(|e| e.refs > 0).map(|e| {
            let text = match &e.message {
                Value::Str(Some(s)) => String::from_utf8_lossy(&self.strings[*s].text).into_owned(),
                _ => String::new(),
            };
            format!("IoError {text:?} leaked ({} references)", e.refs)
        });
        let handles = self
            .io_handles
            .iter()
            .enumerate()
            .filter(|(_, h)| h.refs > 0)
            .map(|(i, h)| format!("{:?} handle {i} leaked ({} references)", h.kind, h.refs));
        errors.chain(handles).collect()
    }

    /// `close()`: at once unless an operation uses the descriptor; then a socket is shut
    /// down (which wakes the operation waiting on it) and the last user releases it.
    fn io_close(&mut self, h: usize) {
        let handle = &mut self.io_handles[h];
        if handle.closed {
            return;
        }
        handle.closed = true;
        if handle.busy == 0 {
            handle.fd = None;
        } else if handle.kind != HandleKind::File
            && let Some(fd) = &handle.fd
        {
            // SAFETY: plain system call on a descriptor the handle owns.
            unsafe { libc::shutdown(fd.as_raw_fd(), libc::SHUT_RDWR) };
        }
    }

    // ---- the operations ----

    /// The §13 operations of [`RtOp`].
    pub(super) fn io_op(&mut self, op: RtOp, args: Vec<Value>) -> Res<Value> {
        let int = |v: &Value| match v {
            Value::Int(n, _) => Ok(*n as i64),
            other => err(format!("expected an integer, found {other:?}")),
        };
        match op {
            RtOp::IoClose => {
                let h = self.handle_of(&args[0])?;
                self.io_close(h);
                Ok(Value::Unit)
            }
            RtOp::IoListenerPort => {
                let h = &self.io_handles[self.handle_of(&args[0])?];
                let port = if h.kind == HandleKind::Listener { h.port } else { 0 };
                Ok(Value::Int(i128::from(port), IntTy::I64))
            }
            RtOp::IoErrorCode => {
                Ok(Value::Int(i128::from(self.io_error(&args[0])?.code), IntTy::I64))
            }
            RtOp::IoErrorMessage => {
                let message = self.io_error(&args[0])?.message.clone();
                self.retain(&message)?;
                Ok(message)
            }
            RtOp::Args => {
                let args: Vec<String> = self.options.args.clone();
                let items = args.iter().map(|a| self.new_string(a.as_bytes())).collect();
                Ok(self.new_vec(items))
            }
            RtOp::GetEnv => {
                let name = self.text(&args[0])?;
                let value = (!name.is_empty() && !name.contains(&0) && !name.contains(&b'='))
                    .then(|| std::env::var_os(OsStr::from_bytes(&name)))
                    .flatten();
                Ok(match value {
                    Some(v) => Value::Enum(0, vec![self.new_string(v.as_bytes())]),
                    None => Value::Enum(1, Vec::new()),
                })
            }
            RtOp::Exit => Err(Stop::Exit(int(&args[0])? as i32)),
            _ => {
                let (handle, text, data, num) = match op {
                    RtOp::IoReadFile
                    | RtOp::IoRemoveFile
                    | RtOp::IoExists
                    | RtOp::IoFileOpen
                    | RtOp::IoFileCreate
                    | RtOp::IoFileOpenAppend => (None, args[0].clone(), Value::Unit, 0),
                    RtOp::IoWriteFile | RtOp::IoAppendFile => {
                        (None, args[0].clone(), args[1].clone(), 0)
                    }
                    RtOp::IoTcpBind | RtOp::IoTcpConnect => {
                        (None, args[0].clone(), Value::Unit, int(&args[1])?)
                    }
                    RtOp::IoFileReadAll | RtOp::IoTcpAccept => {
                        (Some(self.handle_of(&args[0])?), Value::Unit, Value::Unit, 0)
                    }
                    RtOp::IoFileRead | RtOp::IoTcpRead => {
                        (Some(self.handle_of(&args[0])?), Value::Unit, Value::Unit, int(&args[1])?)
                    }
                    RtOp::IoFileWrite | RtOp::IoTcpWrite => {
                        (Some(self.handle_of(&args[0])?), Value::Unit, args[1].clone(), 0)
                    }
                    other => return err(format!("{} is not an I/O operation", other.name())),
                };
                self.io_spawn(IoOpObj {
                    op,
                    handle,
                    text,
                    data,
                    num,
                    started: false,
                    holds_use: false,
                    connecting: None,
                    job_result: None,
                    wait: None,
                })
            }
        }
    }

    /// Starts an op task: retains its operands and queues it at the back, like calling
    /// an async fn; returns its future.
    fn io_spawn(&mut self, op: IoOpObj) -> Res<Value> {
        if self.options.mode != Mode::Scheduled {
            return err("I/O operations need the scheduler (sequential mode)");
        }
        if let Some(h) = op.handle {
            self.io_handles[h].refs += 1;
        }
        self.retain(&op.text)?;
        self.retain(&op.data)?;
        let function: Name = op.op.name().into();
        self.io_ops.push(op);
        let i = self.io_ops.len() - 1;
        self.tasks.push(Task {
            builtin: Some(BuiltinTask::Io(i)),
            ..Task::new(function, Waiting::Queue)
        });
        let t = self.tasks.len() - 1;
        self.queue.push_back(t);
        Ok(Value::Future(Some(t)))
    }

    /// Takes a use of the op's handle's descriptor; false if the handle is closed.
    fn io_use(&mut self, i: usize) -> bool {
        let Some(h) = self.io_ops[i].handle else { return false };
        let handle = &mut self.io_handles[h];
        if handle.closed || handle.fd.is_none() {
            return false;
        }
        handle.busy += 1;
        self.io_ops[i].holds_use = true;
        true
    }

    /// Ends the op's use of its handle's descriptor: the last user of a closed handle
    /// releases it.
    fn io_use_end(&mut self, i: usize) {
        if !std::mem::take(&mut self.io_ops[i].holds_use) {
            return;
        }
        let Some(h) = self.io_ops[i].handle else { return };
        let handle = &mut self.io_handles[h];
        handle.busy -= 1;
        if handle.busy == 0 && handle.closed {
            handle.fd = None;
        }
    }

    /// The op's handle's descriptor (while it holds a use).
    fn op_fd(&self, i: usize) -> RawFd {
        let h = self.io_ops[i].handle.expect("an operation on a handle");
        self.io_handles[h].fd.as_ref().map_or(-1, |fd| fd.as_raw_fd())
    }

    fn release_operands(&mut self, i: usize) -> Res<()> {
        self.io_use_end(i);
        if let Some(h) = self.io_ops[i].handle.take() {
            self.io_release(&Value::IoHandle(Some(h)))?;
        }
        let text = std::mem::replace(&mut self.io_ops[i].text, Value::Unit);
        let data = std::mem::replace(&mut self.io_ops[i].data, Value::Unit);
        self.release(&text)?;
        self.release(&data)
    }

    /// Finishes op task `task` with `result` (`io_op_finish`): a `Result<T, IoError>`,
    /// or for `exists` a `bool` (false on any error).
    fn io_finish(&mut self, task: usize, i: usize, result: IoResult) -> Res<()> {
        self.release_operands(i)?;
        if let Some(h) = self.io_ops[i].connecting.take()
            && result.is_err()
        {
            self.io_release(&Value::IoHandle(Some(h)))?;
        }
        let value = match (self.io_ops[i].op, result) {
            (RtOp::IoExists, Ok(Value::Bool(b))) => Value::Bool(b),
            (RtOp::IoExists, _) => Value::Bool(false),
            (_, Ok(v)) => Value::Enum(0, vec![v]),
            (_, Err(fail)) => Value::Enum(1, vec![self.new_io_error(fail)]),
        };
        self.tasks[task].waiting = Waiting::Nothing;
        self.tasks[task].outcome = Outcome::Value(value);
        self.drop_unclaimed_builtin(task)?;
        self.wake_waiter(task);
        Ok(())
    }

    /// Finishes op task `task` as cancelled (`io_op_cancel`), releasing its operands and
    /// whatever it produced.
    fn io_cancel(&mut self, task: usize, i: usize) -> Res<()> {
        self.release_operands(i)?;
        if let Some(h) = self.io_ops[i].connecting.take() {
            self.io_release(&Value::IoHandle(Some(h)))?;
        }
        if let Some(Ok(v)) = self.io_ops[i].job_result.take() {
            self.release(&v)?;
        }
        self.tasks[task].waiting = Waiting::Nothing;
        self.tasks[task].outcome = Outcome::Cancelled;
        self.wake_waiter(task);
        Ok(())
    }

    /// Runs op task `task` (its state `i`) once.
    pub(super) fn step_io(&mut self, task: usize, i: usize) -> Res<()> {
        self.tasks[task].waiting = Waiting::Nothing;
        match self.io_ops[i].op {
            RtOp::IoTcpBind
            | RtOp::IoTcpAccept
            | RtOp::IoTcpConnect
            | RtOp::IoTcpRead
            | RtOp::IoTcpWrite => self.step_net(task, i),
            _ => self.step_file(task, i),
        }
    }

    // ---- files ----

    /// `fs_resume`: the first run checks what it can and runs the job; later runs come
    /// from the job's delivery or a cancellation.
    fn step_file(&mut self, task: usize, i: usize) -> Res<()> {
        if self.io_ops[i].started {
            // The job has finished (it ran in the first run): a cancelled task releases
            // its result, else this run is the delivery.
            if self.tasks[task].cancelled {
                return self.io_cancel(task, i);
            }
            let result = self.io_ops[i].job_result.take().unwrap_or(Ok(Value::Unit));
            return self.io_finish(task, i, result);
        }
        if self.tasks[task].cancelled {
            return self.io_cancel(task, i);
        }
        if let Some(fail) = self.file_check(i)? {
            return self.io_finish(task, i, Err(fail));
        }
        self.io_ops[i].started = true;
        let result = self.file_job(i)?;
        self.io_ops[i].job_result = Some(result);
        self.jobs_in_flight.push(task);
        self.tasks[task].waiting = Waiting::Blocking;
        Ok(())
    }

    /// `fs_check`: what the first run decides without a system call.
    fn file_check(&mut self, i: usize) -> Res<Option<IoFail>> {
        if self.io_ops[i].handle.is_some() {
            if self.io_ops[i].op == RtOp::IoFileRead && self.io_ops[i].num < 0 {
                return Ok(Some(IoFail::Errno(libc::EINVAL)));
            }
            if !self.io_use(i) {
                return Ok(Some(IoFail::Errno(libc::EBADF)));
            }
            return Ok(None);
        }
        // A path the system cannot be given.
        let path = self.text(&self.io_ops[i].text)?;
        Ok(path.contains(&0).then_some(IoFail::Errno(libc::EINVAL)))
    }

    /// `fs_run`: the job's system calls.
    fn file_job(&mut self, i: usize) -> Res<IoResult> {
        let op = self.io_ops[i].op;
        let fail = |e: std::io::Error| IoFail::Errno(code_of(&e));
        if self.io_ops[i].handle.is_some() {
            let h = self.io_ops[i].handle.expect("checked");
            let Some(fd) = self.io_handles[h].fd.as_ref() else {
                return Ok(Err(IoFail::Errno(libc::EBADF)));
            };
            // The handle keeps the descriptor; the job borrows it.
            let mut file = std::mem::ManuallyDrop::new(
                // SAFETY: the descriptor stays open while the op holds its use, and the
                // ManuallyDrop never closes it.
                unsafe { std::fs::File::from_raw_fd(fd.as_raw_fd()) },
            );
            let result = match op {
                RtOp::IoFileRead => {
                    read_up_to(&mut file, Some(self.io_ops[i].num as u64)).map(|b| (Some(b), 0))
                }
                RtOp::IoFileReadAll => read_up_to(&mut file, None).map(|b| (Some(b), 0)),
                _ => {
                    let data = self.text(&self.io_ops[i].data)?;
                    file.write_all(&data).map(|()| (None, data.len() as i64)).map_err(fail)
                }
            };
            return Ok(match result {
                Ok((Some(bytes), _)) => Ok(self.new_string(&bytes)),
                Ok((None, n)) => Ok(Value::Int(i128::from(n), IntTy::I64)),
                Err(e) => Err(e),
            });
        }
        let path_bytes = self.text(&self.io_ops[i].text)?;
        let path = std::path::Path::new(OsStr::from_bytes(&path_bytes));
        let mut options = std::fs::OpenOptions::new();
        match op {
            RtOp::IoWriteFile | RtOp::IoFileCreate => {
                options.write(true).create(true).truncate(true)
            }
            RtOp::IoAppendFile | RtOp::IoFileOpenAppend => options.append(true).create(true),
            _ => options.read(true),
        };
        Ok(match op {
            RtOp::IoRemoveFile => std::fs::remove_file(path).map(|()| Value::Unit).map_err(fail),
            RtOp::IoExists => Ok(Value::Bool(std::fs::metadata(path).is_ok())),
            RtOp::IoReadFile => match options.open(path) {
                Ok(mut file) => match read_up_to(&mut file, None) {
                    Ok(bytes) => Ok(self.new_string(&bytes)),
                    Err(e) => Err(e),
                },
                Err(e) => Err(fail(e)),
            },
            RtOp::IoWriteFile | RtOp::IoAppendFile => match options.open(path) {
                Ok(mut file) => {
                    let data = self.text(&self.io_ops[i].data)?;
                    file.write_all(&data).map(|()| Value::Unit).map_err(fail)
                }
                Err(e) => Err(fail(e)),
            },
            _ => match options.open(path) {
                Ok(file) => {
                    Ok(Value::IoHandle(Some(self.new_handle(HandleKind::File, file.into()))))
                }
                Err(e) => Err(fail(e)),
            },
        })
    }

    /// Delivers every job in flight, in the order they started: their tasks are queued
    /// (the ones still waiting for them; a cancelled one may have finished already).
    pub(super) fn deliver_jobs(&mut self) -> bool {
        let jobs = std::mem::take(&mut self.jobs_in_flight);
        let delivered = !jobs.is_empty();
        for task in jobs {
            if self.tasks[task].waiting == Waiting::Blocking {
                self.tasks[task].waiting = Waiting::Queue;
                self.queue.push_back(task);
            }
        }
        delivered
    }

    // ---- sockets ----

    /// `net_resume`.
    fn step_net(&mut self, task: usize, i: usize) -> Res<()> {
        if self.tasks[task].cancelled {
            return self.io_cancel(task, i);
        }
        let op = self.io_ops[i].op;
        if let Some(h) = self.io_ops[i].handle {
            if !self.io_ops[i].started {
                self.io_ops[i].started = true;
                if op == RtOp::IoTcpRead && self.io_ops[i].num < 0 {
                    return self.io_finish(task, i, Err(IoFail::Errno(libc::EINVAL)));
                }
                if !self.io_use(i) {
                    return self.io_finish(task, i, Err(IoFail::Errno(libc::EBADF)));
                }
            } else if self.io_handles[h].closed {
                // Closed while the operation waited.
                return self.io_finish(task, i, Err(IoFail::Errno(libc::EBADF)));
            }
        }
        let step = match op {
            RtOp::IoTcpBind => self.bind_step(i)?,
            RtOp::IoTcpAccept => self.accept_step(i),
            RtOp::IoTcpConnect => self.connect_step(i)?,
            RtOp::IoTcpRead => self.read_step(i)?,
            _ => self.write_step(i)?,
        };
        match step {
            NetStep::Done(mut result) => {
                // Closed under a system call: report the close.
                if result.is_err()
                    && let Some(h) = self.io_ops[i].handle
                    && self.io_handles[h].closed
                {
                    result = Err(IoFail::Errno(libc::EBADF));
                }
                self.io_finish(task, i, result)
            }
            NetStep::Wait(fd, events) => {
                self.io_ops[i].wait = Some((fd, events));
                self.tasks[task].waiting = Waiting::Io;
                self.socket_waits.push(task);
                Ok(())
            }
        }
    }

    fn bind_step(&mut self, i: usize) -> Res<NetStep> {
        let host = self.text(&self.io_ops[i].text)?;
        let addr = match parse_addr(&host, self.io_ops[i].num, true) {
            Ok(addr) => addr,
            Err(fail) => return Ok(NetStep::Done(Err(fail))),
        };
        let fd = match new_socket(&addr) {
            Ok(fd) => fd,
            Err(fail) => return Ok(NetStep::Done(Err(fail))),
        };
        set_int_option(fd.as_raw_fd(), libc::SOL_SOCKET, libc::SO_REUSEADDR);
        let (ptr, len) = addr.raw();
        // SAFETY: the address is a live sockaddr of `len` bytes.
        let bound = unsafe { libc::bind(fd.as_raw_fd(), ptr, len) } == 0
            && unsafe { libc::listen(fd.as_raw_fd(), libc::SOMAXCONN) } == 0;
        if !bound {
            return Ok(NetStep::Done(Err(IoFail::Errno(errno()))));
        }
        let port = match local_port(fd.as_raw_fd()) {
            Ok(port) => port,
            Err(fail) => return Ok(NetStep::Done(Err(fail))),
        };
        let h = self.new_handle(HandleKind::Listener, fd);
        self.io_handles[h].port = port;
        Ok(NetStep::Done(Ok(Value::IoHandle(Some(h)))))
    }

    fn accept_step(&mut self, i: usize) -> NetStep {
        let listener = self.op_fd(i);
        for _ in 0..ACCEPT_RETRIES {
            let flags = libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC;
            // SAFETY: plain system call; no address is asked for.
            let fd = unsafe {
                libc::accept4(listener, std::ptr::null_mut(), std::ptr::null_mut(), flags)
            };
            if fd >= 0 {
                set_int_option(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY);
                // SAFETY: a new descriptor nobody else owns.
                let fd = unsafe { OwnedFd::from_raw_fd(fd) };
                let h = self.new_handle(HandleKind::Stream, fd);
                return NetStep::Done(Ok(Value::IoHandle(Some(h))));
            }
            match errno() {
                libc::EAGAIN => return NetStep::Wait(listener, libc::POLLIN),
                libc::EINTR | libc::ECONNABORTED | libc::EPROTO | libc::EPERM => continue,
                code => return NetStep::Done(Err(IoFail::Errno(code))),
            }
        }
        NetStep::Wait(listener, libc::POLLIN)
    }

    /// The first run starts connecting; later runs check whether it has completed.
    fn connect_step(&mut self, i: usize) -> Res<NetStep> {
        let Some(h) = self.io_ops[i].connecting else {
            let host = self.text(&self.io_ops[i].text)?;
            let addr = match parse_addr(&host, self.io_ops[i].num, false) {
                Ok(addr) => addr,
                Err(fail) => return Ok(NetStep::Done(Err(fail))),
            };
            let fd = match new_socket(&addr) {
                Ok(fd) => fd,
                Err(fail) => return Ok(NetStep::Done(Err(fail))),
            };
            let raw = fd.as_raw_fd();
            // A handle at once: whatever happens now (cancellation) closes it.
            let h = self.new_handle(HandleKind::Stream, fd);
            self.io_ops[i].connecting = Some(h);
            let (ptr, len) = addr.raw();
            let rc = loop {
                // SAFETY: the address is a live sockaddr of `len` bytes.
                let rc = unsafe { libc::connect(raw, ptr, len) };
                if rc == 0 || errno() != libc::EINTR {
                    break rc;
                }
            };
            if rc == 0 {
                set_int_option(raw, libc::IPPROTO_TCP, libc::TCP_NODELAY);
                return Ok(self.connected(i));
            }
            return Ok(match errno() {
                libc::EINPROGRESS => NetStep::Wait(raw, libc::POLLOUT),
                code => NetStep::Done(Err(IoFail::Errno(code))),
            });
        };
        let fd = self.io_handles[h].fd.as_ref().map_or(-1, |fd| fd.as_raw_fd());
        let mut so_error: libc::c_int = 0;
        let mut len = size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: the option value is a live int of the size given.
        let rc = unsafe {
            libc::getsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_ERROR,
                (&mut so_error as *mut libc::c_int).cast(),
                &mut len,
            )
        };
        if rc != 0 {
            so_error = errno();
        }
        if so_error != 0 {
            return Ok(NetStep::Done(Err(IoFail::Errno(so_error))));
        }
        // SAFETY: sockaddr_storage is plain data; getpeername writes at most `len` bytes.
        let mut peer: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let mut plen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        let rc = unsafe {
            libc::getpeername(fd, (&mut peer as *mut libc::sockaddr_storage).cast(), &mut plen)
        };
        if rc != 0 {
            return Ok(match errno() {
                libc::ENOTCONN => NetStep::Wait(fd, libc::POLLOUT),
                code => NetStep::Done(Err(IoFail::Errno(code))),
            });
        }
        set_int_option(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY);
        Ok(self.connected(i))
    }

    /// A connection has completed: the stream is the result.
    fn connected(&mut self, i: usize) -> NetStep {
        let h = self.io_ops[i].connecting.take().expect("connecting");
        NetStep::Done(Ok(Value::IoHandle(Some(h))))
    }

    fn read_step(&mut self, i: usize) -> Res<NetStep> {
        let num = self.io_ops[i].num;
        if num == 0 {
            return Ok(NetStep::Done(Ok(self.new_string(b""))));
        }
        let fd = self.op_fd(i);
        let mut buf = vec![0u8; num.min(READ_CHUNK) as usize];
        loop {
            // SAFETY: the buffer is live and of the length given.
            let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n >= 0 {
                // 0: the peer has closed, "".
                let s = self.new_string(&buf[..n as usize]);
                return Ok(NetStep::Done(Ok(s)));
            }
            match errno() {
                libc::EINTR => continue,
                libc::EAGAIN => return Ok(NetStep::Wait(fd, libc::POLLIN)),
                code => return Ok(NetStep::Done(Err(IoFail::Errno(code)))),
            }
        }
    }

    /// Sends what is left of the data; `num` counts the bytes sent so far.
    fn write_step(&mut self, i: usize) -> Res<NetStep> {
        let fd = self.op_fd(i);
        let data = self.text(&self.io_ops[i].data)?;
        while (self.io_ops[i].num as usize) < data.len() {
            let rest = &data[self.io_ops[i].num as usize..];
            // SAFETY: the bytes are live and of the length given.
            let n = unsafe { libc::send(fd, rest.as_ptr().cast(), rest.len(), libc::MSG_NOSIGNAL) };
            if n > 0 {
                self.io_ops[i].num += n as i64;
                continue;
            }
            if n == 0 {
                continue;
            }
            match errno() {
                libc::EINTR => continue,
                libc::EAGAIN => return Ok(NetStep::Wait(fd, libc::POLLOUT)),
                code => return Ok(NetStep::Done(Err(IoFail::Errno(code)))),
            }
        }
        Ok(NetStep::Done(Ok(Value::Unit)))
    }

    /// Polls the sockets tasks wait on (`timeout_ms` as for `poll(2)`: 0 does not wait,
    /// -1 waits until one is ready) and queues the tasks whose socket is ready, in the
    /// order they started waiting. Whether any was.
    pub(super) fn poll_sockets(&mut self, timeout_ms: i32) -> bool {
        if self.socket_waits.is_empty() {
            return false;
        }
        let waits: Vec<(usize, (RawFd, i16))> = self
            .socket_waits
            .iter()
            .map(|&t| {
                let Some(BuiltinTask::Io(i)) = self.tasks[t].builtin else { unreachable!() };
                (t, self.io_ops[i].wait.unwrap_or((-1, 0)))
            })
            .collect();
        let mut fds: Vec<libc::pollfd> = waits
            .iter()
            .map(|(_, (fd, events))| libc::pollfd { fd: *fd, events: *events, revents: 0 })
            .collect();
        loop {
            // SAFETY: the array is live and of the length given.
            let rc = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
            if rc >= 0 || errno() != libc::EINTR {
                break;
            }
        }
        let mut woke = false;
        for ((task, _), pollfd) in waits.iter().zip(&fds) {
            if pollfd.revents != 0 {
                self.withdraw_socket_wait(*task);
                self.tasks[*task].waiting = Waiting::Queue;
                self.queue.push_back(*task);
                woke = true;
            }
        }
        woke
    }

    /// Takes a task's socket wait off the list (it was woken, or cancelled).
    pub(super) fn withdraw_socket_wait(&mut self, task: usize) {
        self.socket_waits.retain(|&t| t != task);
        if let Some(BuiltinTask::Io(i)) = self.tasks[task].builtin {
            self.io_ops[i].wait = None;
        }
    }
}
