//! Typed calls of a compiled program's functions from Rust (JIT engine).
//!
//! [`Program::func`] looks up a synchronous function by name and checks its signature
//! against Rust types once; [`Func::call`] then calls it on the calling thread.
//! [`Program::async_func`] does the same for an `async fn`, whose [`AsyncFunc::call`]
//! spawns the task and returns an [`AsyncCall`]: a Rust [`Future`] (awaitable under any
//! executor, e.g. tokio) that can also be waited on synchronously.
//!
//! Values cross as the types of [`Value`] / [`Param`]: integers, floats, `bool`, `String`
//! (`&str` as a parameter), `()` and tuples of them. Calls run on the program's *serving
//! runtime* — made on first use, with the program's workers, running until the last
//! handle of the program is gone — where a panic (a failed check, a stack overflow,
//! `exit`) ends only the call or task that panicked: it comes back as
//! [`CallError::Panicked`] and the program stays usable.

use std::ffi::c_void;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use vex_async_lower::backend::{HostSignature, Panic, SourceLocation};
use vex_async_lower::ir::layout::fields_layout;
use vex_async_lower::ir::{FloatTy, IntTy, Type, TypeDefs};
use vex_rt_sys::ffi;

use crate::program::{Program, ProgramInner};

/// Why a call produced no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// The called function (or the task it spawned) panicked: a failed check, a stack
    /// overflow, `exit`. The program stays usable.
    #[error("{0}")]
    Panicked(Panic),
    /// The task was cancelled ([`AsyncCall::cancel`]) before it finished.
    #[error("the call was cancelled")]
    Cancelled,
}

mod sealed {
    pub trait Sealed {}
}

/// A Rust type that stands for a Vex type at a call: what a parameter or a result is.
pub trait VexType: sealed::Sealed {
    /// The Vex (IR) type.
    #[doc(hidden)]
    fn vex_type() -> Type;
}

/// A value a host can pass to a Vex function.
pub trait Param: VexType {
    /// Writes the value at `dst` as Vex lays it out, moving references (a new string)
    /// to the callee.
    ///
    /// # Safety
    /// `dst` must be valid for writes of the type's size and aligned for it.
    #[doc(hidden)]
    unsafe fn store(self, dst: *mut u8);
}

/// A value a host can receive from a Vex function.
pub trait Value: VexType + Sized {
    /// Reads a value Vex stored at `src`, taking over its references (a string is
    /// copied and released).
    ///
    /// # Safety
    /// `src` must hold a value of the type, owned by the caller.
    #[doc(hidden)]
    unsafe fn load(src: *const u8) -> Self;
}

macro_rules! scalars {
    ($($rust:ty => $vex:expr),* $(,)?) => {$(
        impl sealed::Sealed for $rust {}
        impl VexType for $rust {
            fn vex_type() -> Type { $vex }
        }
        impl Param for $rust {
            unsafe fn store(self, dst: *mut u8) {
                // SAFETY: the caller guarantees room and alignment.
                unsafe { dst.cast::<$rust>().write(self) }
            }
        }
        impl Value for $rust {
            unsafe fn load(src: *const u8) -> Self {
                // SAFETY: the caller guarantees a value of the type.
                unsafe { src.cast::<$rust>().read() }
            }
        }
    )*};
}

scalars! {
    i8 => Type::Int(IntTy::I8),
    i16 => Type::Int(IntTy::I16),
    i32 => Type::Int(IntTy::I32),
    i64 => Type::Int(IntTy::I64),
    u8 => Type::Int(IntTy::U8),
    u16 => Type::Int(IntTy::U16),
    u32 => Type::Int(IntTy::U32),
    u64 => Type::Int(IntTy::U64),
    f32 => Type::Float(FloatTy::F32),
    f64 => Type::Float(FloatTy::F64),
}

impl sealed::Sealed for bool {}
impl VexType for bool {
    fn vex_type() -> Type {
        Type::Bool
    }
}
impl Param for bool {
    unsafe fn store(self, dst: *mut u8) {
        // SAFETY: one byte of room.
        unsafe { dst.write(u8::from(self)) }
    }
}
impl Value for bool {
    unsafe fn load(src: *const u8) -> Self {
        // SAFETY: a Vex bool is one byte, 0 or 1.
        unsafe { src.read() != 0 }
    }
}

impl sealed::Sealed for () {}
impl VexType for () {
    fn vex_type() -> Type {
        Type::Unit
    }
}
impl Param for () {
    unsafe fn store(self, _dst: *mut u8) {}
}
impl Value for () {
    unsafe fn load(_src: *const u8) -> Self {}
}

/// Stores a new Vex string holding `text` at `dst`.
///
/// # Safety
/// `dst` must be valid for a pointer-sized, aligned write.
unsafe fn store_string(text: &str, dst: *mut u8) {
    // SAFETY: the bytes are valid for the call, which copies them.
    let s = unsafe { ffi::vex_string_from_bytes(text.as_ptr().cast(), text.len()) };
    // SAFETY: the caller guarantees room.
    unsafe { dst.cast::<*mut ffi::VexString>().write(s) }
}

impl sealed::Sealed for String {}
impl VexType for String {
    fn vex_type() -> Type {
        Type::String
    }
}
impl Param for String {
    unsafe fn store(self, dst: *mut u8) {
        // SAFETY: forwarded.
        unsafe { store_string(&self, dst) }
    }
}
impl Value for String {
    unsafe fn load(src: *const u8) -> Self {
        // SAFETY: the caller guarantees an owned `VexString *` (NULL is "").
        unsafe {
            let s = src.cast::<*mut ffi::VexString>().read();
            if s.is_null() {
                return String::new();
            }
            let bytes = std::slice::from_raw_parts(
                ffi::vex_string_bytes(s).cast::<u8>(),
                ffi::vex_string_len(s),
            );
            let text = String::from_utf8_lossy(bytes).into_owned();
            ffi::vex_string_release(s);
            text
        }
    }
}

impl sealed::Sealed for &str {}
impl VexType for &str {
    fn vex_type() -> Type {
        Type::String
    }
}
impl Param for &str {
    unsafe fn store(self, dst: *mut u8) {
        // SAFETY: forwarded.
        unsafe { store_string(self, dst) }
    }
}

/// The offsets of the fields of a tuple of `types`, laid out as Vex lays it out.
fn offsets(types: &[Type]) -> (u64, Vec<u64>) {
    let (layout, offsets) = fields_layout(types.iter(), &TypeDefs::default());
    (layout.size, offsets)
}

macro_rules! tuples {
    ($(($($name:ident $index:tt),+)),* $(,)?) => {$(
        impl<$($name: VexType),+> sealed::Sealed for ($($name,)+) {}
        impl<$($name: VexType),+> VexType for ($($name,)+) {
            fn vex_type() -> Type { Type::Tuple(vec![$($name::vex_type()),+]) }
        }
        impl<$($name: Param),+> Param for ($($name,)+) {
            unsafe fn store(self, dst: *mut u8) {
                let (_, at) = offsets(&[$($name::vex_type()),+]);
                // SAFETY: the offsets are within the tuple's layout at dst.
                unsafe { $( self.$index.store(dst.add(at[$index] as usize)); )+ }
            }
        }
        impl<$($name: Value),+> Value for ($($name,)+) {
            unsafe fn load(src: *const u8) -> Self {
                let (_, at) = offsets(&[$($name::vex_type()),+]);
                // SAFETY: the offsets are within the tuple's layout at src.
                unsafe { ($($name::load(src.add(at[$index] as usize)),)+) }
            }
        }
        impl<$($name: Param),+> Params for ($($name,)+) {
            fn types() -> Vec<Type> { vec![$($name::vex_type()),+] }
            unsafe fn store_all(self, dst: *mut u8, at: &[u64]) {
                // SAFETY: the offsets are those of `types()` at dst.
                unsafe { $( self.$index.store(dst.add(at[$index] as usize)); )+ }
            }
        }
    )*};
}

/// The parameter list of a call: `()` or a tuple of [`Param`]s, one per parameter.
pub trait Params: sealed::Sealed {
    /// The parameter types.
    #[doc(hidden)]
    fn types() -> Vec<Type>;
    /// Stores the parameters at their offsets.
    ///
    /// # Safety
    /// `dst` must hold the tuple layout of `types()`, whose field offsets are `at`.
    #[doc(hidden)]
    unsafe fn store_all(self, dst: *mut u8, at: &[u64]);
}

impl Params for () {
    fn types() -> Vec<Type> {
        Vec::new()
    }
    unsafe fn store_all(self, _dst: *mut u8, _at: &[u64]) {}
}

tuples! {
    (A 0),
    (A 0, B 1),
    (A 0, B 1, C 2),
    (A 0, B 1, C 2, D 3),
    (A 0, B 1, C 2, D 3, E 4),
    (A 0, B 1, C 2, D 3, E 4, F 5),
}

/// The parameters of a host function as the host receives them: `()` or a tuple of
/// [`Value`]s, one per parameter of the `extern "C"` declaration.
pub trait HostArgs: sealed::Sealed + Sized {
    /// The parameter types.
    #[doc(hidden)]
    fn types() -> Vec<Type>;
    /// Reads the arguments from their offsets.
    ///
    /// # Safety
    /// `src` must hold the tuple layout of `types()`, whose field offsets are `at`.
    #[doc(hidden)]
    unsafe fn load_all(src: *const u8, at: &[u64]) -> Self;
}

impl HostArgs for () {
    fn types() -> Vec<Type> {
        Vec::new()
    }
    unsafe fn load_all(_src: *const u8, _at: &[u64]) -> Self {}
}

macro_rules! host_args {
    ($(($($name:ident $index:tt),+)),* $(,)?) => {$(
        impl<$($name: Value),+> HostArgs for ($($name,)+) {
            fn types() -> Vec<Type> { vec![$($name::vex_type()),+] }
            unsafe fn load_all(src: *const u8, at: &[u64]) -> Self {
                // SAFETY: the offsets are those of `types()` at src.
                unsafe { ($($name::load(src.add(at[$index] as usize)),)+) }
            }
        }
    )*};
}

host_args! {
    (A 0),
    (A 0, B 1),
    (A 0, B 1, C 2),
    (A 0, B 1, C 2, D 3),
    (A 0, B 1, C 2, D 3, E 4),
    (A 0, B 1, C 2, D 3, E 4, F 5),
}

/// A host closure as a program sees it: the closure and the offsets of its arguments.
pub(crate) struct HostClosure<F> {
    function: F,
    offsets: Vec<u64>,
    name: String,
}

/// A host closure registered with a [`crate::Compiler`], type-erased.
#[derive(Clone)]
pub(crate) struct RegisteredClosure {
    pub(crate) name: String,
    pub(crate) params: Vec<Type>,
    pub(crate) ret: Type,
    pub(crate) dispatch: vex_async_lower::backend::HostDispatch,
    /// Keeps the closure alive; `data` points into it.
    pub(crate) keep: Arc<dyn std::any::Any + Send + Sync>,
    pub(crate) data: usize,
}

impl RegisteredClosure {
    pub(crate) fn new<A, R, F>(name: &str, function: F) -> RegisteredClosure
    where
        A: HostArgs + 'static,
        R: Param + 'static,
        F: Fn(A) -> R + Send + Sync + 'static,
    {
        let params = A::types();
        let (_, offsets) = offsets(&params);
        let closure = Arc::new(HostClosure { function, offsets, name: name.to_string() });
        let data = Arc::as_ptr(&closure) as usize;
        RegisteredClosure {
            name: name.to_string(),
            params,
            ret: R::vex_type(),
            dispatch: dispatch::<A, R, F>,
            keep: closure,
            data,
        }
    }
}

thread_local! {
    /// The message of the last host closure that panicked on this thread.
    static HOST_PANIC: std::cell::RefCell<std::ffi::CString> = std::cell::RefCell::default();
}

/// The dispatcher of a host closure (see `vex_async_lower::backend::HostDispatch`): reads
/// the arguments, calls the closure and stores its result; a panic of the closure is
/// caught and its message returned, for the calling Vex task to panic with.
unsafe extern "C" fn dispatch<A, R, F>(
    data: *const c_void,
    args: *mut u8,
    ret: *mut u8,
) -> *const std::ffi::c_char
where
    A: HostArgs,
    R: Param,
    F: Fn(A) -> R,
{
    // SAFETY: `data` is the `HostClosure<F>` this dispatcher was registered with, kept
    // alive by the program; the buffers have the layouts of A and R.
    let closure = unsafe { &*data.cast::<HostClosure<F>>() };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: as above.
        let args = unsafe { A::load_all(args, &closure.offsets) };
        (closure.function)(args)
    }));
    match result {
        Ok(value) => {
            // SAFETY: `ret` has room for an R.
            unsafe { value.store(ret) };
            std::ptr::null()
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_string());
            let text = format!("host function `{}` panicked: {what}", closure.name);
            let text = std::ffi::CString::new(text.replace('\0', " ")).unwrap_or_default();
            HOST_PANIC.with(|slot| {
                *slot.borrow_mut() = text;
                slot.borrow().as_ptr()
            })
        }
    }
}

/// A buffer aligned for every value a host passes (at most 8-byte alignment).
struct Buffer(Vec<u64>);

impl Buffer {
    fn new(size: u64) -> Buffer {
        Buffer(vec![0; (size as usize).div_ceil(8).max(1)])
    }
    fn ptr(&mut self) -> *mut u8 {
        self.0.as_mut_ptr().cast()
    }
}

/// The Vex spelling of a signature after `prefix` (`async `, `extern "C" ` or nothing),
/// for messages.
pub(crate) fn describe(prefix: &str, params: &[Type], ret: &Type) -> String {
    let params: Vec<String> = params.iter().map(ToString::to_string).collect();
    format!("{prefix}fn({}): {ret}", params.join(", "))
}

fn async_prefix(is_async: bool) -> &'static str {
    if is_async { "async " } else { "" }
}

/// What a lookup found: the entry and the layout of the parameters.
struct Entry {
    program: Arc<ProgramInner>,
    /// The program's serving runtime, where calls run.
    runtime: vex_rt_sys::Runtime,
    entry: ffi::VexHostEntry,
    args_size: u64,
    offsets: Vec<u64>,
    ret_size: u64,
}

impl Program {
    fn lookup<P: Params, R: Value>(
        &self,
        name: &str,
        is_async: bool,
    ) -> Result<Entry, crate::Error> {
        let inner = self.inner();
        let no_function = || crate::Error::NoFunction(name.to_string());
        let signature: &HostSignature = inner.signatures.get(name).ok_or_else(no_function)?;
        let params = P::types();
        let ret = R::vex_type();
        if signature.params != params || signature.ret != ret || signature.is_async != is_async {
            return Err(crate::Error::Signature {
                function: name.to_string(),
                declared: describe(
                    async_prefix(signature.is_async),
                    &signature.params,
                    &signature.ret,
                ),
                requested: describe(async_prefix(is_async), &params, &ret),
            });
        }
        let address = inner.compiled.host_call_address(name).ok_or_else(|| {
            crate::Error::Unavailable(format!(
                "the {} engine cannot call functions from the host (use Engine::Jit)",
                inner.engine
            ))
        })?;
        // SAFETY: the engine generated the host entry with exactly this signature.
        let entry = unsafe { std::mem::transmute::<usize, ffi::VexHostEntry>(address) };
        let runtime = inner.serving_runtime()?.clone();
        let (args_size, offsets) = offsets(&params);
        let ret_size = if is_async { 8 } else { size_of_value(&ret) };
        Ok(Entry { program: inner.clone(), runtime, entry, args_size, offsets, ret_size })
    }

    /// Looks up the synchronous free function `name` with parameters `P` (a tuple, or
    /// `()`) and result `R`, checking the signature: a missing function or another
    /// signature is an error here, never at the call.
    ///
    /// ```
    /// let mut compiler = vex::Compiler::new();
    /// compiler.set_file("main.vx", "fn add(a: i64, b: i64): i64 { a + b }\nfn greet(name: string): string { f\"hi {name}\" }\nfn main() {}\n");
    /// let program = compiler.compile(&vex::Config::default()).unwrap();
    /// let add = program.func::<(i64, i64), i64>("add").unwrap();
    /// assert_eq!(add.call((2, 40)), Ok(42));
    /// let greet = program.func::<(&str,), String>("greet").unwrap();
    /// assert_eq!(greet.call(("vex",)).unwrap(), "hi vex");
    /// assert!(program.func::<(i32, i32), i64>("add").is_err());
    /// ```
    pub fn func<P: Params, R: Value>(&self, name: &str) -> Result<Func<P, R>, crate::Error> {
        Ok(Func { entry: self.lookup::<P, R>(name, false)?, _types: PhantomData })
    }

    /// Looks up the `async fn` `name` with parameters `P` and result `R` (the type of
    /// its value), checking the signature.
    ///
    /// ```
    /// let mut compiler = vex::Compiler::new();
    /// compiler.set_file("main.vx", "async fn slow_double(x: i64): i64 {\n    await async_sleep(5)\n    x * 2\n}\nfn main() {}\n");
    /// let program = compiler.compile(&vex::Config::default()).unwrap();
    /// let double = program.async_func::<(i64,), i64>("slow_double").unwrap();
    /// assert_eq!(double.call((21,)).wait(), Ok(42));
    /// ```
    pub fn async_func<P: Params, R: Value>(
        &self,
        name: &str,
    ) -> Result<AsyncFunc<P, R>, crate::Error> {
        Ok(AsyncFunc { entry: self.lookup::<P, R>(name, true)?, _types: PhantomData })
    }
}

/// The size of a value of type `ty` (for the result buffers).
fn size_of_value(ty: &Type) -> u64 {
    vex_async_lower::ir::layout::layout_of(ty, &TypeDefs::default()).size
}

/// Calls `entry` on this thread with the serving runtime current, the thread's stack
/// guard set and a panic landing pad; returns `vex_catch_call`'s code.
fn call_entry(entry: &Entry, args: *mut u8, ret: *mut u8) -> Result<(), CallError> {
    let runtime = &entry.runtime;
    // SAFETY: the runtime lives while `entry.program` does; the entry was generated for
    // this layout of `args` and `ret`; the previous runtime and guard are restored.
    let code = unsafe {
        let previous = ffi::runtime_current();
        ffi::runtime_set_current(runtime.as_raw());
        let guard = ffi::vex_guard_set(ffi::vex_guard_thread_limit());
        let code = ffi::vex_catch_call(entry.entry, args.cast(), ret.cast());
        ffi::vex_guard_set(guard);
        ffi::runtime_set_current(previous);
        code
    };
    match code {
        0 => Ok(()),
        _ => {
            let mut info = std::mem::MaybeUninit::<ffi::VexPanicInfo>::zeroed();
            // SAFETY: a valid out pointer; the strings live until this thread's next panic.
            let panic = unsafe {
                ffi::vex_thread_panic_info(info.as_mut_ptr())
                    .then(|| panic_of(info.assume_init_ref()))
            };
            Err(CallError::Panicked(panic.unwrap_or_else(|| unlocated_panic("stopped"))))
        }
    }
}

/// A panic the runtime kept no record of (it could not allocate one).
fn unlocated_panic(message: &str) -> Panic {
    Panic {
        message: message.to_string(),
        location: SourceLocation { file: "<unknown>".to_string(), line: 0, column: 0 },
    }
}

/// A [`Panic`] from the runtime's record.
///
/// # Safety
/// The record's strings must be valid C strings.
unsafe fn panic_of(info: &ffi::VexPanicInfo) -> Panic {
    let text = |p: *const std::ffi::c_char| {
        // SAFETY: the caller guarantees the strings.
        unsafe { std::ffi::CStr::from_ptr(p) }.to_string_lossy().into_owned()
    };
    Panic {
        message: text(info.message),
        location: SourceLocation { file: text(info.file), line: info.line, column: info.col },
    }
}

/// A synchronous function of a compiled program, looked up with [`Program::func`].
/// Cheap to clone, `Send` and `Sync`.
pub struct Func<P, R> {
    entry: Entry,
    _types: PhantomData<fn(P) -> R>,
}

impl<P: Params, R: Value> Func<P, R> {
    /// Calls the function on this thread. A panic of the function (a failed check, a
    /// stack overflow, `exit`) is [`CallError::Panicked`]; the program stays usable.
    pub fn call(&self, args: P) -> Result<R, CallError> {
        let mut buffer = Buffer::new(self.entry.args_size);
        let mut ret = Buffer::new(self.entry.ret_size);
        // SAFETY: the buffer holds the parameters' tuple layout (offsets from lookup).
        unsafe { args.store_all(buffer.ptr(), &self.entry.offsets) };
        call_entry(&self.entry, buffer.ptr(), ret.ptr())?;
        // SAFETY: the call stored an owned R at ret.
        Ok(unsafe { R::load(ret.ptr()) })
    }
}

/// An `async fn` of a compiled program, looked up with [`Program::async_func`].
pub struct AsyncFunc<P, R> {
    entry: Entry,
    _types: PhantomData<fn(P) -> R>,
}

impl<P: Params, R: Value> AsyncFunc<P, R> {
    /// Calls the function: spawns its task on the program's serving runtime and returns
    /// its future, which runs whether or not it is polled.
    pub fn call(&self, args: P) -> AsyncCall<R> {
        let mut buffer = Buffer::new(self.entry.args_size);
        let mut ret = Buffer::new(8);
        // SAFETY: as for Func::call.
        unsafe { args.store_all(buffer.ptr(), &self.entry.offsets) };
        // Spawning does not panic (only allocating could fail, which aborts).
        let spawned = call_entry(&self.entry, buffer.ptr(), ret.ptr());
        // SAFETY: an async entry stores the new task's `VexFuture *`.
        let future = unsafe { ret.ptr().cast::<*mut ffi::VexFuture>().read() };
        AsyncCall {
            future: spawned.ok().and_then(|()| NonNull::new(future)),
            _program: self.entry.program.clone(),
            waker: Arc::new(Mutex::new(None)),
            notifying: false,
            _result: PhantomData,
        }
    }
}

/// A running call of an `async fn`: a [`Future`] of its result, which can also be waited
/// on with [`AsyncCall::wait`]. Dropping it detaches the task (its value is dropped when
/// it finishes).
pub struct AsyncCall<R> {
    future: Option<NonNull<ffi::VexFuture>>,
    _program: Arc<ProgramInner>,
    waker: Arc<Mutex<Option<Waker>>>,
    notifying: bool,
    _result: PhantomData<fn() -> R>,
}

// SAFETY: the future handle is reference counted with atomics and every operation on it
// is thread-safe; R is moved out once.
unsafe impl<R> Send for AsyncCall<R> {}

impl<R> Unpin for AsyncCall<R> {}

unsafe extern "C" fn wake_slot(user: *mut c_void) {
    // SAFETY: `user` is the Arc handed over by AsyncCall::poll, taken back once.
    let slot = unsafe { Arc::from_raw(user.cast_const().cast::<Mutex<Option<Waker>>>()) };
    let waker = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(waker) = waker {
        waker.wake();
    }
}

impl<R: Value> AsyncCall<R> {
    /// Requests the task's cancellation (LANGUAGE.md §6.7): it stops at its next
    /// `await`, runs its defers and the call ends with [`CallError::Cancelled`].
    pub fn cancel(&self) {
        if let Some(f) = self.future {
            // SAFETY: the handle holds a reference.
            unsafe { ffi::vex_future_cancel(f.as_ptr()) }
        }
    }

    /// Blocks this thread until the call has ended. A short call is caught by polling
    /// for a few microseconds (a wake-up through a parked thread costs more than most
    /// short calls); then the thread parks until the task's completion wakes it.
    pub fn wait(mut self) -> Result<R, CallError> {
        let spin_until = std::time::Instant::now() + SPIN_BEFORE_PARKING;
        loop {
            if let Some(done) = self.finished() {
                return done;
            }
            if std::time::Instant::now() >= spin_until {
                return block_on(self);
            }
            std::hint::spin_loop();
        }
    }

    /// The result once the task has finished; `None` while it runs.
    fn finished(&mut self) -> Option<Result<R, CallError>> {
        let Some(f) = self.future else {
            return Some(Err(CallError::Cancelled));
        };
        // SAFETY: the handle holds a reference until taken or released below.
        unsafe {
            match ffi::vex_future_outcome(f.as_ptr()) {
                ffi::VEX_OUTCOME_PENDING => None,
                ffi::VEX_OUTCOME_VALUE => {
                    let mut ret = Buffer::new(size_of_value(&R::vex_type()));
                    ffi::vex_future_take(std::ptr::null_mut(), f.as_ptr(), ret.ptr().cast());
                    self.future = None;
                    Some(Ok(R::load(ret.ptr())))
                }
                ffi::VEX_OUTCOME_PANICKED => {
                    let mut info = std::mem::MaybeUninit::<ffi::VexPanicInfo>::zeroed();
                    let panic = ffi::vex_future_panic_info(f.as_ptr(), info.as_mut_ptr())
                        .then(|| panic_of(info.assume_init_ref()));
                    ffi::vex_future_release(f.as_ptr());
                    self.future = None;
                    Some(Err(CallError::Panicked(
                        panic.unwrap_or_else(|| unlocated_panic("the task panicked")),
                    )))
                }
                _ => {
                    ffi::vex_future_release(f.as_ptr());
                    self.future = None;
                    Some(Err(CallError::Cancelled))
                }
            }
        }
    }
}

impl<R: Value> Future for AsyncCall<R> {
    type Output = Result<R, CallError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(done) = self.finished() {
            return Poll::Ready(done);
        }
        *self.waker.lock().unwrap_or_else(|e| e.into_inner()) = Some(cx.waker().clone());
        if !self.notifying
            && let Some(f) = self.future
        {
            self.notifying = true;
            let user = Arc::into_raw(self.waker.clone()).cast_mut().cast::<c_void>();
            // SAFETY: the handle holds a reference; wake_slot takes `user` back once.
            unsafe { ffi::vex_future_notify(f.as_ptr(), wake_slot, user) };
        }
        // Finished between the first look and the waker's registration: the notification
        // fires anyway, but there is no need to wait for it.
        match self.finished() {
            Some(done) => Poll::Ready(done),
            None => Poll::Pending,
        }
    }
}

impl<R> Drop for AsyncCall<R> {
    fn drop(&mut self) {
        if let Some(f) = self.future.take() {
            // SAFETY: we own one reference; a value nobody takes is dropped by the task's
            // drop-result hook when it is freed.
            unsafe { ffi::vex_future_release(f.as_ptr()) }
        }
    }
}

/// How long [`AsyncCall::wait`] polls before it parks the thread.
const SPIN_BEFORE_PARKING: std::time::Duration = std::time::Duration::from_micros(50);

/// Runs a future to completion on this thread (parking between wake-ups).
fn block_on<F: Future>(future: F) -> F::Output {
    struct ThreadWaker(std::thread::Thread);
    impl Wake for ThreadWaker {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        std::thread::park();
    }
}
