//! The CFG IR: typed locals, basic blocks of statements, one terminator per block.
//!
//! This is the one representation shared by the coroutine transform, the reference
//! evaluator and the backends. Everything a backend needs is explicit here: struct and
//! enum layouts ([`layout`]), string literals (inline in [`Const::Str`], collected by
//! [`Module::string_literals`]), every runtime operation ([`RtOp`], one-to-one with a
//! function of `vex_rt.h`), reference counting ([`Stmt::Retain`]/[`Stmt::Release`]),
//! and panics with their source location ([`Terminator::Panic`]).
//!
//! Source positions (for debug line tables): every function has its definition's
//! location ([`Function::loc`]) and every statement and terminator a [`Loc`] relative to
//! it ([`Block::locs`], [`Block::term_loc`]): lines counted from the definition's line,
//! so a function's statements keep their locations when code above it moves.
//!
//! Two stages use it:
//! - *before* the coroutine transform, an `async fn` is a [`FunctionKind::Async`]
//!   function whose waits are terminators ([`Terminator::Await`], [`Terminator::Sleep`],
//!   [`Terminator::Yield`]) and whose cancel paths end in [`Terminator::CancelExit`];
//! - *after* it ([`crate::coro`]), no wait terminator is left: each async fn is a state
//!   struct, a [`FunctionKind::Resume`] function and a [`FunctionKind::Wrapper`], all
//!   ordinary code over [`Stmt::LoadState`]/[`Stmt::StoreState`] and runtime calls.
//!
//! Every Vex function (and every resume function) receives the current
//! `WorkerContext *` as a hidden first parameter; runtime operations whose C function
//! takes `ctx` use it. The IR must not know about LLVM.

pub mod layout;
mod print;
mod rt;
mod ty;
pub mod validate;

use std::fmt;

pub use rt::{RtOp, chan_status};
pub use ty::{EnumDef, FieldDef, StructDef, Type, TypeDefs, VariantDef};
pub use vex_hir::ty::{FloatTy, IntTy, IoTy};

/// A name: functions, structs and enums are referred to by name.
pub type Name = Box<str>;

/// A local of a function, an index into [`Function::locals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(pub u32);

/// A block of a function, an index into [`Function::blocks`]; block 0 is the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlockId(pub u32);

impl LocalId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl BlockId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An `extern "C"` function declaration (scalars only).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExternDecl {
    /// The C symbol.
    pub name: Name,
    /// Parameter types.
    pub params: Vec<Type>,
    /// Result type.
    pub ret: Type,
}

/// A whole program.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Module {
    /// Struct definitions (user structs, then state structs), sorted by name.
    pub structs: Vec<StructDef>,
    /// Enum definitions, sorted by name.
    pub enums: Vec<EnumDef>,
    /// Functions in program order.
    pub functions: Vec<Function>,
    /// Extern declarations.
    pub externs: Vec<ExternDecl>,
}

impl Module {
    /// The type definitions as a lookup table.
    pub fn type_defs(&self) -> TypeDefs {
        TypeDefs {
            structs: self.structs.iter().map(|s| (s.name.clone(), s.clone())).collect(),
            enums: self.enums.iter().map(|e| (e.name.clone(), e.clone())).collect(),
        }
    }

    /// Finds a function by name.
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| &*f.name == name)
    }

    /// Every string literal used by the module, in order of first use, without
    /// duplicates: a backend emits each once as a static `VexString`.
    pub fn string_literals(&self) -> Vec<&str> {
        let mut seen = rustc_hash::FxHashSet::default();
        let mut out = Vec::new();
        for function in &self.functions {
            function.for_each_const(|c| {
                if let Const::Str(s) = c
                    && seen.insert(&**s as *const str)
                    && !out.contains(&&**s)
                {
                    out.push(&**s);
                }
            });
        }
        out
    }
}

/// What a function is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FunctionKind {
    /// An ordinary function (also a `const` initialiser, named after the constant).
    Sync,
    /// An `async fn` (or `go` block) before the coroutine transform: called, it spawns;
    /// its body may contain wait terminators. `ret` is the value type `T`.
    Async,
    /// The resume function of a coroutine: params `[state]`, returns `CoroStatus`.
    Resume {
        /// The state struct's name.
        state: Name,
        /// The pinned locals ([`Type::is_pinned`]) and the state fields they live in:
        /// every use of such a local addresses that field in place.
        pinned: Vec<(LocalId, u32)>,
    },
    /// Releases the references inside a finished coroutine's result slot: called by the
    /// runtime when a task finished with a value that no handle will take (every handle
    /// released). Params `[state]`, returns `()`.
    DropResult {
        /// The state struct's name.
        state: Name,
    },
    /// Releases the references held by the captures of a closure environment: called
    /// by the runtime when the environment's last reference goes, with the C signature
    /// `void drop(void *captures)` — no worker context, so it must not use runtime
    /// operations that take one. Params `[captures: StatePtr(env)]`, returns `()`.
    EnvDrop {
        /// The environment's struct.
        env: Name,
    },
    /// The wrapper of a coroutine: allocates and spawns, returns `Future<T>`.
    Wrapper {
        /// The resume function's name.
        resume: Name,
        /// The state struct's name.
        state: Name,
    },
}

/// A local's declaration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocalDecl {
    /// A name for people (`x`, `tmp`); not unique.
    pub name: Name,
    /// Its type.
    pub ty: Type,
}

/// A function: typed locals, parameters among them, blocks (entry is block 0).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Function {
    /// Unique name: `f`, `Point.new` (associated), `Point::norm2` (method),
    /// `main.go0` (a `go` block), `f.resume` (after the transform).
    pub name: Name,
    /// The kind.
    pub kind: FunctionKind,
    /// Parameters, in order; each is a local.
    pub params: Vec<LocalId>,
    /// Result type; for [`FunctionKind::Async`] the value the task produces.
    pub ret: Type,
    /// Every local.
    pub locals: Vec<LocalDecl>,
    /// Every block; block 0 is the entry.
    pub blocks: Vec<Block>,
    /// Where the function is defined (its name, or the `go` keyword of a `go` block);
    /// the origin of every [`Loc`] in it. Resume functions, wrappers and drop-result
    /// functions share their coroutine's. Inside the per-body queries
    /// ([`crate::queries::fn_ir`], [`crate::queries::lowered`]) `line` is counted from
    /// the body's own definition line (0-based, so the queries' results do not change
    /// when code above the body moves); the modules they assemble
    /// ([`crate::queries::module_ir`]) hold 1-based file lines.
    pub loc: SourceLoc,
}

impl Function {
    /// The 1-based file line and column of a location in this function.
    pub fn line_col(&self, loc: Loc) -> (u32, u32) {
        (self.loc.line + loc.line, loc.col)
    }

    /// The type of a local.
    pub fn local_ty(&self, local: LocalId) -> &Type {
        &self.locals[local.index()].ty
    }

    /// Calls `f` on every constant operand.
    pub fn for_each_const<'a>(&'a self, mut f: impl FnMut(&'a Const)) {
        for block in &self.blocks {
            for stmt in &block.stmts {
                stmt.for_each_operand(|op| {
                    if let Operand::Const(c) = op {
                        f(c)
                    }
                });
            }
            block.term.for_each_operand(|op| {
                if let Operand::Const(c) = op {
                    f(c)
                }
            });
        }
    }

    /// Calls `f` with the name of every Vex function this one calls or takes as a value
    /// (not extern functions, not the runtime).
    pub fn for_each_callee<'a>(&'a self, mut f: impl FnMut(&'a str)) {
        for stmt in self.blocks.iter().flat_map(|b| &b.stmts) {
            match stmt {
                Stmt::Call { func, .. } | Stmt::Assign(_, Rvalue::FnValue { func, .. }) => f(func),
                _ => {}
            }
        }
    }

    /// Whether any wait terminator is left.
    pub fn has_waits(&self) -> bool {
        self.blocks.iter().any(|b| b.term.is_wait())
    }
}

/// A basic block.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Block {
    /// Statements, in order.
    pub stmts: Vec<Stmt>,
    /// How the block ends.
    pub term: Terminator,
    /// The source location of each statement, parallel to `stmts` (the validator checks
    /// the lengths).
    pub locs: Vec<Loc>,
    /// The source location of the terminator.
    pub term_loc: Loc,
}

impl Block {
    /// A block of `stmts`, all at `loc`, ending in `term` at `loc`.
    pub fn at(stmts: Vec<Stmt>, term: Terminator, loc: Loc) -> Block {
        let locs = vec![loc; stmts.len()];
        Block { stmts, term, locs, term_loc: loc }
    }

    /// Appends a statement at `loc`.
    pub fn push(&mut self, stmt: Stmt, loc: Loc) {
        self.stmts.push(stmt);
        self.locs.push(loc);
    }

    /// Appends statements, all at `loc`.
    pub fn extend(&mut self, stmts: impl IntoIterator<Item = Stmt>, loc: Loc) {
        for stmt in stmts {
            self.push(stmt, loc);
        }
    }

    /// The statements with their locations.
    pub fn stmts_with_locs(&self) -> impl Iterator<Item = (&Stmt, Loc)> {
        self.stmts.iter().zip(self.locs.iter().copied())
    }
}

/// A source position inside a function, relative to its definition
/// ([`Function::loc`]): `line` lines below the definition's line (0 is that line),
/// 1-based `col` in characters (0 when only the line is known). Statements the
/// transform adds take the location of the code they stand for (a suspension's stores
/// that of its `await`, a resume's dispatch the definition).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Loc {
    /// Lines below the function's definition line.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub col: u32,
}

/// A projection from a place.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Proj {
    /// Field `n` of a struct or tuple.
    Field(u32),
    /// Element of an array; the index was checked against the length before.
    Index(LocalId),
    /// Element of the `Vec` the place holds (through its pointer); the index was
    /// checked against the length before, and a write goes to a vector made unique
    /// before ([`UpdateOp::VecMakeUnique`]).
    Elem(LocalId),
    /// The value slot of a [`Type::Waiter`]: the value being sent or received.
    Slot,
    /// Payload field of an enum value known to hold that variant.
    Payload {
        /// The variant.
        variant: u32,
        /// The payload field.
        field: u32,
    },
}

/// A memory location: a local and projections into it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Place {
    /// The local.
    pub local: LocalId,
    /// Projections, outermost first.
    pub proj: Vec<Proj>,
}

impl Place {
    /// The whole local.
    pub fn local(local: LocalId) -> Place {
        Place { local, proj: Vec::new() }
    }

    /// This place with one more projection.
    pub fn project(&self, proj: Proj) -> Place {
        let mut place = self.clone();
        place.proj.push(proj);
        place
    }
}

/// A constant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Const {
    /// `()`.
    Unit,
    /// `true`/`false`.
    Bool(bool),
    /// An integer, stored sign-extended (signed) or zero-extended (unsigned).
    Int(i128, IntTy),
    /// A float as `f64::to_bits` (an `f32` is stored widened).
    Float(u64, FloatTy),
    /// A string literal: a static `VexString` (retain/release are no-ops on it).
    Str(Box<str>),
    /// The NULL future (a moved-out future local).
    NullFuture(Type),
    /// A `CoroStatus` value.
    Status(CoroStatus),
    /// The empty defer list (NULL `VexDeferList *`).
    NullDeferList,
    /// The empty vector of the given `Vec` type (NULL `VexVec *`).
    EmptyVec(Type),
}

/// `CoroStatus` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CoroStatus {
    /// `CORO_STATUS_YIELDED`: one wait registered.
    Yielded,
    /// `CORO_STATUS_DONE`.
    Done,
}

/// A value read by a statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Operand {
    /// A bitwise copy of a place (no retain).
    Copy(Place),
    /// A constant.
    Const(Const),
}

impl Operand {
    /// A copy of a whole local.
    pub fn local(local: LocalId) -> Operand {
        Operand::Copy(Place::local(local))
    }

    /// A string literal.
    pub fn str(text: &str) -> Operand {
        Operand::Const(Const::Str(text.into()))
    }

    /// An integer constant, wrapped into the range of `ty` (see [`normalize`]).
    pub fn int(value: i128, ty: IntTy) -> Operand {
        Operand::Const(Const::Int(normalize(value, ty), ty))
    }
}

/// Wraps `value` into the range of `ty`, the way two's-complement arithmetic does: the
/// one representation of an integer of type `ty` in [`Const::Int`] (sign-extended for
/// signed types, zero-extended for unsigned ones), shared by the builder and the
/// evaluator.
pub fn normalize(value: i128, ty: IntTy) -> i128 {
    let bits = ty.bits();
    let mask = (1i128 << bits) - 1;
    let low = value & mask;
    if ty.is_signed() && low >= 1i128 << (bits - 1) { low - (1i128 << bits) } else { low }
}

/// The exit code of a program whose `main` task did not finish with a value (it was
/// cancelled by the host, or waits for something that never happens). LANGUAGE.md does
/// not define this case; every engine (the evaluator, the compiled program entry) uses
/// this conventional "failed" status.
pub const UNFINISHED_MAIN_EXIT_CODE: i32 = 1;

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// Wrapping integer negation, float negation.
    Neg,
    /// Logical not of `bool`, bitwise not of integers.
    Not,
}

/// A binary operator. Integer `Add`/`Sub`/`Mul`/`Shl`/`Shr` wrap (shift amounts are
/// taken modulo the width); `Div`/`Rem` are only emitted after a zero check, and on
/// signed types `MIN / -1 == MIN` (wraps, like `* -1`) and `MIN % -1 == 0`, never a trap:
/// a backend whose division instruction traps or is undefined there (LLVM `sdiv`/`srem`)
/// must guard the `-1` divisor.
/// Comparisons produce `bool`; on strings use [`RtOp::StringCompare`] instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinOp {
    /// Whether the result is `bool`.
    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
    }

    /// The lower-case name used by the printer.
    pub fn name(self) -> &'static str {
        match self {
            BinOp::Add => "add",
            BinOp::Sub => "sub",
            BinOp::Mul => "mul",
            BinOp::Div => "div",
            BinOp::Rem => "rem",
            BinOp::BitAnd => "and",
            BinOp::BitOr => "or",
            BinOp::BitXor => "xor",
            BinOp::Shl => "shl",
            BinOp::Shr => "shr",
            BinOp::Eq => "eq",
            BinOp::Ne => "ne",
            BinOp::Lt => "lt",
            BinOp::Le => "le",
            BinOp::Gt => "gt",
            BinOp::Ge => "ge",
        }
    }
}

/// What an aggregate builds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AggregateKind {
    /// A tuple.
    Tuple,
    /// An array of the element type.
    Array(Type),
    /// A struct, fields in declaration order.
    Struct(Name),
    /// A variant of an enum-like type (a user enum, `Option`, `Result`) with its
    /// payload.
    Variant(Type, u32),
}

/// The right-hand side of an assignment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Rvalue {
    /// A copy or constant.
    Use(Operand),
    /// A unary operation.
    Unary(UnOp, Operand),
    /// A binary operation on two operands of one type.
    Binary(BinOp, Operand, Operand),
    /// A numeric conversion: float → int truncates toward zero (saturating), int →
    /// narrower int keeps the low bits.
    Cast(Operand, Type),
    /// A tuple, array, struct or enum value from its parts.
    Aggregate(AggregateKind, Vec<Operand>),
    /// `[value; count]`.
    Repeat(Operand, u64),
    /// The tag (`u32`) of an enum place.
    Discriminant(Place),
    /// A function value (`fn(A…): R`): the code of `func`, whose first parameter is an
    /// environment, and that environment (an [`Type::EnvPtr`] operand, moved in), or
    /// NULL for `None`.
    FnValue {
        /// The code: a function whose first parameter is the environment.
        func: Name,
        /// The environment.
        env: Option<Operand>,
    },
}

impl UpdateOp {
    /// The printer's name.
    pub fn name(self) -> &'static str {
        match self {
            UpdateOp::VecPush => "vec_push",
            UpdateOp::VecPop => "vec_pop",
            UpdateOp::VecClear => "vec_clear",
            UpdateOp::VecReverse => "vec_reverse",
            UpdateOp::VecSort => "vec_sort",
            UpdateOp::VecMakeUnique => "vec_make_unique",
            UpdateOp::StrAppend => "str_append",
        }
    }
}

/// What a [`Stmt::Update`] does to the value at its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UpdateOp {
    /// `v.push(x)`: one operand, moved in (`vex_vec_push`; backends may inline the
    /// case of a unique vector with room).
    VecPush,
    /// `v.pop()`: moves the last element into `dest` (the length was checked to be
    /// positive before).
    VecPop,
    /// `v.clear()`.
    VecClear,
    /// `v.reverse()`.
    VecReverse,
    /// `v.sort()` (integers, floats by total order, strings bytewise).
    VecSort,
    /// Makes the vector's buffer unique (copy-on-write) before an element is written.
    VecMakeUnique,
    /// `s = s + t`: appends the operand (borrowed) to the string, in place when the
    /// string is held once and has room (`vex_string_append`).
    StrAppend,
}

/// `VexOutcome` values returned by [`Stmt::TakeFuture`].
pub mod outcome {
    /// `VEX_OUTCOME_VALUE`.
    pub const VALUE: i128 = 1;
    /// `VEX_OUTCOME_CANCELLED`.
    pub const CANCELLED: i128 = 2;
}

/// A statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Stmt {
    /// `place = rvalue` (a bitwise store; ownership is handled by Retain/Release).
    Assign(Place, Rvalue),
    /// A call of a Vex function (an async one's wrapper returns its future). Arguments
    /// are moved into the callee (it releases them); the result is owned by `dest`.
    Call {
        /// Where the result goes.
        dest: Option<Place>,
        /// The function's name.
        func: Name,
        /// Arguments.
        args: Vec<Operand>,
    },
    /// A call of an `extern "C"` function (scalars only).
    CallExtern {
        /// Where the result goes.
        dest: Option<Place>,
        /// The C symbol.
        func: Name,
        /// Arguments.
        args: Vec<Operand>,
    },
    /// A runtime operation (see [`RtOp`]); string operands are borrowed. For
    /// `FutureCancel`, `FuturePollOrRegister` and `TaskSpawn` the first operand is the
    /// future or state pointer.
    Runtime {
        /// Where the result goes.
        dest: Option<LocalId>,
        /// The operation.
        op: RtOp,
        /// Operands.
        args: Vec<Operand>,
    },
    /// Adds one reference to everything the place refers to: strings, vectors, closure
    /// environments (of environment pointers and function values). Futures are
    /// move-only and are never retained.
    Retain(Place),
    /// Drops every reference inside the place: strings, vectors and environments lose
    /// one (the last release frees them, releasing what they hold), non-NULL futures
    /// are released (NULL is skipped).
    Release(Place),
    /// `outcome = vex_future_take(ctx, future, &result)`: `outcome` is an `i32`
    /// ([`outcome`]); the future handle is consumed.
    TakeFuture {
        /// Receives the `VexOutcome`.
        outcome: LocalId,
        /// The finished future.
        future: Operand,
        /// Receives the value when the outcome is VALUE.
        result: Option<LocalId>,
    },
    /// `dest = state->field` (a field of the state struct `state` points to).
    LoadState {
        /// Destination local.
        dest: LocalId,
        /// A local of type [`Type::StatePtr`].
        state: LocalId,
        /// Field index in the state struct.
        field: u32,
    },
    /// `state->field = value`.
    StoreState {
        /// A local of type [`Type::StatePtr`].
        state: LocalId,
        /// Field index in the state struct.
        field: u32,
        /// The value stored.
        value: Operand,
    },
    /// `dest = vex_task_alloc(sizeof(S), offsetof(S, result), sizeof(result),
    /// resume)` for the state struct `S` of the wrapper's coroutine; the state is
    /// zero-filled.
    TaskAlloc {
        /// Receives the state pointer.
        dest: LocalId,
    },
    /// A call of a function value: `callee` (a `fn(A…): R`, borrowed: the code gets
    /// its environment without a reference of its own) with `args` (moved); the result
    /// is owned by `dest`.
    CallValue {
        /// Where the result goes.
        dest: Option<Place>,
        /// The function value.
        callee: Operand,
        /// Arguments.
        args: Vec<Operand>,
    },
    /// `dest = vex_env_alloc(sizeof(S), S.drop)` for the struct `S` that
    /// `dest: EnvPtr(Some(S))` names: zero-filled captures, one reference; the
    /// [`FunctionKind::EnvDrop`] function of `S` (when `S` holds references) releases
    /// them when the last reference goes.
    EnvAlloc {
        /// Receives the environment.
        dest: LocalId,
    },
    /// Changes the value at `place` in place (see [`UpdateOp`]); an element taken out
    /// goes to `dest`.
    Update {
        /// The vector or string.
        place: Place,
        /// What to do.
        op: UpdateOp,
        /// Operands.
        args: Vec<Operand>,
        /// Receives what the operation gives back.
        dest: Option<LocalId>,
    },
}

/// A source location (of a panic, of a function's definition): the path as given,
/// 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourceLoc {
    /// The file's path.
    pub file: Name,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

/// How a block ends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Terminator {
    /// Jump.
    Goto(BlockId),
    /// Two-way branch on a `bool`.
    Branch {
        /// The condition.
        cond: Operand,
        /// Taken when true.
        then_block: BlockId,
        /// Taken when false.
        else_block: BlockId,
    },
    /// Multi-way branch on an integer (or enum tag).
    Switch {
        /// The scrutinee, an integer.
        value: Operand,
        /// Values and their targets, values distinct.
        cases: Vec<(i128, BlockId)>,
        /// Taken when no case matches.
        default: BlockId,
    },
    /// Return from the function (with a value unless it returns `()`).
    Return(Option<Operand>),
    /// `vex_panic(file, line, col, message)`: prints `panic at FILE:LINE:COL: MSG` and
    /// abandons the program.
    Panic {
        /// Where: a file line in assembled modules ([`crate::queries::module_ir`]);
        /// in the per-body queries' results the line counts from the body's definition
        /// line, like [`Function::loc`], so moving a body leaves them equal.
        loc: SourceLoc,
        /// The message, a string.
        message: Operand,
    },
    /// Never reached; a backend emits a trap.
    Unreachable,
    /// Before the transform only: wait for a future, move its value into `dest`, go to
    /// `next`; when the task is cancelled here (or the future was cancelled), go to
    /// `cancel`. The future is consumed in both cases.
    Await {
        /// The awaited future (moved).
        future: Operand,
        /// Receives the value.
        dest: Option<LocalId>,
        /// Continue here.
        next: BlockId,
        /// The cancel path: runs pending defers and releases held values.
        cancel: BlockId,
    },
    /// Before the transform only: `await async_sleep(ms)`.
    Sleep {
        /// Milliseconds, an `i64`.
        ms: Operand,
        /// Continue here.
        next: BlockId,
        /// The cancel path.
        cancel: BlockId,
    },
    /// Before the transform only: `await yield_now()`.
    Yield {
        /// Continue here.
        next: BlockId,
        /// The cancel path.
        cancel: BlockId,
    },
    /// Before the transform only: suspend the task after a runtime operation that
    /// recorded its own wait (a channel operation or `select` that returned pending),
    /// then continue at `next` when it is resumed. Unlike the other waits it has no
    /// cancel edge: the code at `next` calls the operation's `*_resume`, which withdraws
    /// the wait and reports the cancellation (checking the flag first would leave the
    /// wait record queued).
    Park {
        /// Continue here when resumed.
        next: BlockId,
    },
    /// Before the transform only: the end of a cancel path; the task finishes as
    /// cancelled.
    CancelExit,
}

impl Terminator {
    /// Whether this is a wait (a suspension point).
    pub fn is_wait(&self) -> bool {
        matches!(
            self,
            Terminator::Await { .. }
                | Terminator::Sleep { .. }
                | Terminator::Yield { .. }
                | Terminator::Park { .. }
        )
    }

    /// Successor blocks, in order.
    pub fn successors(&self) -> Vec<BlockId> {
        match self {
            Terminator::Goto(b) | Terminator::Park { next: b } => vec![*b],
            Terminator::Branch { then_block, else_block, .. } => vec![*then_block, *else_block],
            Terminator::Switch { cases, default, .. } => {
                let mut out: Vec<BlockId> = cases.iter().map(|c| c.1).collect();
                out.push(*default);
                out
            }
            Terminator::Await { next, cancel, .. }
            | Terminator::Sleep { next, cancel, .. }
            | Terminator::Yield { next, cancel } => vec![*next, *cancel],
            Terminator::Return(_)
            | Terminator::Panic { .. }
            | Terminator::Unreachable
            | Terminator::CancelExit => vec![],
        }
    }

    /// Mutable successor blocks.
    pub fn successors_mut(&mut self) -> Vec<&mut BlockId> {
        match self {
            Terminator::Goto(b) | Terminator::Park { next: b } => vec![b],
            Terminator::Branch { then_block, else_block, .. } => vec![then_block, else_block],
            Terminator::Switch { cases, default, .. } => {
                let mut out: Vec<&mut BlockId> = cases.iter_mut().map(|c| &mut c.1).collect();
                out.push(default);
                out
            }
            Terminator::Await { next, cancel, .. }
            | Terminator::Sleep { next, cancel, .. }
            | Terminator::Yield { next, cancel } => vec![next, cancel],
            _ => vec![],
        }
    }

    /// Calls `f` on every operand read.
    pub fn for_each_operand<'a>(&'a self, mut f: impl FnMut(&'a Operand)) {
        match self {
            Terminator::Branch { cond, .. } => f(cond),
            Terminator::Switch { value, .. } => f(value),
            Terminator::Return(Some(v)) => f(v),
            Terminator::Panic { message, .. } => f(message),
            Terminator::Await { future, .. } => f(future),
            Terminator::Sleep { ms, .. } => f(ms),
            _ => {}
        }
    }
}

impl Stmt {
    /// Calls `f` on every operand read (not on written places).
    pub fn for_each_operand<'a>(&'a self, mut f: impl FnMut(&'a Operand)) {
        match self {
            Stmt::Assign(_, rvalue) => match rvalue {
                Rvalue::Use(a)
                | Rvalue::Unary(_, a)
                | Rvalue::Cast(a, _)
                | Rvalue::Repeat(a, _) => f(a),
                Rvalue::Binary(_, a, b) => {
                    f(a);
                    f(b)
                }
                Rvalue::Aggregate(_, ops) => ops.iter().for_each(f),
                Rvalue::FnValue { env, .. } => env.iter().for_each(f),
                Rvalue::Discriminant(_) => {}
            },
            Stmt::Call { args, .. }
            | Stmt::CallExtern { args, .. }
            | Stmt::Runtime { args, .. }
            | Stmt::Update { args, .. } => args.iter().for_each(f),
            Stmt::CallValue { callee, args, .. } => {
                f(callee);
                args.iter().for_each(f)
            }
            Stmt::TakeFuture { future, .. } => f(future),
            Stmt::StoreState { value, .. } => f(value),
            Stmt::Retain(_)
            | Stmt::Release(_)
            | Stmt::LoadState { .. }
            | Stmt::TaskAlloc { .. }
            | Stmt::EnvAlloc { .. } => {}
        }
    }

    /// Locals read by the statement: operands, index locals of places, places read
    /// whole (retain, release, discriminant), partially written places, state pointers.
    pub fn uses(&self) -> Vec<LocalId> {
        let mut out = Vec::new();
        let started = match self {
            Stmt::Runtime { op, args, .. } => op.started_records(args.len()),
            _ => Vec::new(),
        };
        let mut i = 0;
        self.for_each_operand(|op| {
            if let Operand::Copy(place) = op
                && !started.contains(&i)
            {
                place_uses(place, &mut out, true)
            }
            i += 1;
        });
        match self {
            Stmt::Assign(place, rvalue) => {
                place_uses(place, &mut out, false);
                if let Rvalue::Discriminant(p) = rvalue {
                    place_uses(p, &mut out, true)
                }
            }
            Stmt::Call { dest: Some(place), .. }
            | Stmt::CallExtern { dest: Some(place), .. }
            | Stmt::CallValue { dest: Some(place), .. } => place_uses(place, &mut out, false),
            // The value at the place is read and changed.
            Stmt::Update { place, .. } => place_uses(place, &mut out, true),
            Stmt::Retain(place) | Stmt::Release(place) => place_uses(place, &mut out, true),
            Stmt::LoadState { state, .. } | Stmt::StoreState { state, .. } => out.push(*state),
            _ => {}
        }
        out
    }

    /// The local this statement defines as a whole (kills for liveness), if any.
    pub fn def(&self) -> Option<LocalId> {
        match self {
            Stmt::Assign(place, _)
            | Stmt::Call { dest: Some(place), .. }
            | Stmt::CallExtern { dest: Some(place), .. }
            | Stmt::CallValue { dest: Some(place), .. }
                if place.proj.is_empty() =>
            {
                Some(place.local)
            }
            Stmt::Runtime { dest, .. } | Stmt::Update { dest, .. } => *dest,
            Stmt::LoadState { dest, .. } | Stmt::TaskAlloc { dest } | Stmt::EnvAlloc { dest } => {
                Some(*dest)
            }
            _ => None,
        }
    }

    /// Every local defined as a whole (a take defines its outcome and result; a channel
    /// operation or select the wait records it starts using, and a write into a record's
    /// slot that record).
    pub fn defs(&self) -> Vec<LocalId> {
        match self {
            Stmt::TakeFuture { outcome, result, .. } => {
                let mut out = vec![*outcome];
                out.extend(*result);
                out
            }
            Stmt::Runtime { dest, op, args } if !op.started_records(args.len()).is_empty() => {
                let started = op.started_records(args.len());
                let records = args.iter().enumerate().filter(|(i, _)| started.contains(i));
                let mut out: Vec<LocalId> = records
                    .filter_map(|(_, a)| match a {
                        Operand::Copy(p) if p.proj.is_empty() => Some(p.local),
                        _ => None,
                    })
                    .collect();
                out.extend(*dest);
                out
            }
            Stmt::Assign(place, _) if place.proj == [Proj::Slot] => vec![place.local],
            other => other.def().into_iter().collect(),
        }
    }
}

fn place_uses(place: &Place, out: &mut Vec<LocalId>, whole: bool) {
    // A write to a projection reads the rest of the local: it stays live. (Not a write
    // into a wait record's slot: the record is storage, not a value.)
    if whole || !(place.proj.is_empty() || place.proj == [Proj::Slot]) {
        out.push(place.local);
    }
    for proj in &place.proj {
        if let Proj::Index(local) | Proj::Elem(local) = proj {
            out.push(*local);
        }
    }
}

impl Terminator {
    /// Locals read by the terminator.
    pub fn uses(&self) -> Vec<LocalId> {
        let mut out = Vec::new();
        self.for_each_operand(|op| {
            if let Operand::Copy(place) = op {
                place_uses(place, &mut out, true)
            }
        });
        out
    }

    /// The local a wait defines when it completes (`Await`'s destination).
    pub fn wait_dest(&self) -> Option<LocalId> {
        match self {
            Terminator::Await { dest, .. } => *dest,
            _ => None,
        }
    }
}

impl fmt::Display for LocalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "%{}", self.0)
    }
}

impl fmt::Display for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bb{}", self.0)
    }
}
