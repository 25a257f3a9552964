//! The types of the IR and the one answer to "what type is this?" for every constant,
//! operand and place: [`Const::ty`], [`TypeDefs::project`], [`Function::place_ty`],
//! [`Function::operand_ty`]. The builder, the coroutine transform, the validator and
//! every backend ask here instead of working it out again.
//!
//! Sizes and offsets are not here: they live in [`super::layout`].

use super::{Const, FloatTy, Function, IntTy, IoTy, Name, Operand, Place, Proj};

/// The type of a local or value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    /// `()`: zero bytes.
    Unit,
    /// `bool`: one byte, 0 or 1.
    Bool,
    /// A two's-complement integer.
    Int(IntTy),
    /// An IEEE float.
    Float(FloatTy),
    /// `VexString *` (NULL is the empty string); owned values hold one reference.
    String,
    /// `VexFuture *` of a task producing the type; NULL once moved.
    Future(Box<Type>),
    /// A tuple, laid out like a struct with fields `0, 1, …`.
    Tuple(Vec<Type>),
    /// `[T; N]`.
    Array(Box<Type>, u64),
    /// A user struct (see [`StructDef`]).
    Struct(Name),
    /// A user enum (see [`EnumDef`]): a `u32` tag and a union of payloads.
    Enum(Name),
    /// `Option<T>`: an enum with variants `Some(T)` (tag 0) and `None` (tag 1), laid out
    /// like a user enum.
    Option(Box<Type>),
    /// `Result<T, E>`: an enum with variants `Ok(T)` (tag 0) and `Err(E)` (tag 1).
    Result(Box<Type>, Box<Type>),
    /// `Vec<T>`: `VexVec *` (NULL is the empty vector); owned values hold one
    /// reference.
    Vec(Box<Type>),
    /// An owning pointer to the captures of a closure's environment (a reference-counted
    /// heap block: `vex_env_*`), whose fields are those of the named struct; `None` for
    /// the environment parameter of a function that ignores it (the code of a named
    /// function used as a value), always NULL.
    EnvPtr(Option<Name>),
    /// `fn(A…): R`: a function value, `{ code, env }` — the code of a function whose
    /// first parameter (after the worker context) is the environment, and the
    /// environment (`NULL` for named functions); owned values hold one reference to
    /// the environment.
    Fn(Vec<Type>, Box<Type>),
    /// `Channel<T>`: `VexChannel *`, a shared handle; owned values hold one reference.
    Channel(Box<Type>),
    /// An I/O value of LANGUAGE.md §13: `IoError` is a `VexIoError *`, `File`,
    /// `TcpListener` and `TcpStream` a `VexIoHandle *` (a shared handle); owned values
    /// hold one reference (`vex_io_error_retain`/`_release`,
    /// `vex_io_handle_retain`/`_release`, both ignore NULL).
    Io(IoTy),
    /// The wait record of one channel operation (`VexChanWaiter`) followed by a slot for
    /// one `T`: the value being sent or received. A *pinned* local: the runtime links
    /// it into a channel's wait queue while the task is suspended, so in a resume
    /// function it lives at a fixed field of the state and is never copied
    /// ([`super::FunctionKind::Resume`]'s `pinned`). Used only as the operand of
    /// channel operations and through [`Proj::Slot`]; it owns nothing by itself.
    Waiter(Box<Type>),
    /// The record of one `select` over `n` channel arms (`VexSelect` followed by `n`
    /// `VexSelectArm`s), pinned like [`Type::Waiter`].
    Select(u32),
    /// A pointer to a coroutine state struct (the named [`StructDef`]).
    StatePtr(Name),
    /// `CoroStatus`, what a resume function returns.
    CoroStatus,
    /// `VexDeferList *`: the pending `defer` records of one function activation, newest
    /// first; NULL is the empty list. Built by [`super::RtOp::DeferPush`], drained at
    /// every exit by [`super::RtOp::DeferTop`]/[`super::RtOp::DeferTake`]/
    /// [`super::RtOp::DeferPop`]; never retained or released (every exit empties it).
    DeferList,
}

impl Type {
    /// Whether values of this type hold references that must be released: strings,
    /// futures, vectors, closure environments and function values (their
    /// environments), channels and I/O values, directly or inside aggregates.
    pub fn needs_drop(&self, types: &TypeDefs) -> bool {
        match self {
            Type::String
            | Type::Future(_)
            | Type::Vec(_)
            | Type::Fn(..)
            | Type::EnvPtr(_)
            | Type::Channel(_)
            | Type::Io(_) => true,
            Type::Option(inner) => inner.needs_drop(types),
            Type::Result(ok, err) => ok.needs_drop(types) || err.needs_drop(types),
            Type::Tuple(elems) => elems.iter().any(|t| t.needs_drop(types)),
            Type::Array(elem, n) => *n > 0 && elem.needs_drop(types),
            Type::Struct(name) => types
                .structs
                .get(name)
                .is_some_and(|s| s.fields.iter().any(|f| f.ty.needs_drop(types))),
            Type::Enum(name) => types.enums.get(name).is_some_and(|e| {
                e.variants.iter().flat_map(|v| &v.fields).any(|t| t.needs_drop(types))
            }),
            _ => false,
        }
    }

    /// Whether values of this type are move-only (LANGUAGE.md §2): futures and what
    /// holds them inline or in a vector. Moving one out of a place leaves the place
    /// without them (so the place's release does not release them again), where a
    /// copy of any other value retains what it refers to.
    pub fn is_move_only(&self, types: &TypeDefs) -> bool {
        match self {
            Type::Future(_) => true,
            Type::Vec(elem) | Type::Option(elem) | Type::Array(elem, _) => elem.is_move_only(types),
            Type::Result(ok, err) => ok.is_move_only(types) || err.is_move_only(types),
            Type::Tuple(elems) => elems.iter().any(|t| t.is_move_only(types)),
            Type::Struct(name) => types
                .structs
                .get(name)
                .is_some_and(|s| s.fields.iter().any(|f| f.ty.is_move_only(types))),
            Type::Enum(name) => types.enums.get(name).is_some_and(|e| {
                e.variants.iter().flat_map(|v| &v.fields).any(|t| t.is_move_only(types))
            }),
            _ => false,
        }
    }

    /// Whether locals of this type are pinned: they must not move while a task is
    /// suspended, so the coroutine transform gives them a state field that every use
    /// addresses in place.
    pub fn is_pinned(&self) -> bool {
        matches!(self, Type::Waiter(_) | Type::Select(_))
    }

    /// Whether this is an integer type.
    pub fn int(&self) -> Option<IntTy> {
        match self {
            Type::Int(int) => Some(*int),
            _ => None,
        }
    }
}

/// A field of a struct with its byte offset.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldDef {
    /// The field's name.
    pub name: Name,
    /// Its type.
    pub ty: Type,
    /// Byte offset from the start of the struct.
    pub offset: u64,
}

/// A struct with its layout. State structs of coroutines may have fields that share
/// bytes (locals never saved at the same suspension); ordinary structs never do.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StructDef {
    /// The struct's name (`Point`, `fetch.state`).
    pub name: Name,
    /// Fields in declaration order (for state structs: tag, result, slots).
    pub fields: Vec<FieldDef>,
    /// Size in bytes.
    pub size: u64,
    /// Alignment in bytes.
    pub align: u64,
}

/// One variant of an enum.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VariantDef {
    /// The variant's name.
    pub name: Name,
    /// Payload types.
    pub fields: Vec<Type>,
}

/// An enum: a `u32` tag at offset 0 followed by the payload of the active variant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EnumDef {
    /// The enum's name.
    pub name: Name,
    /// Variants in declaration order; the tag is the index.
    pub variants: Vec<VariantDef>,
}

/// The user types of a program, by name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TypeDefs {
    /// Structs, including state structs after the transform.
    pub structs: rustc_hash::FxHashMap<Name, StructDef>,
    /// Enums.
    pub enums: rustc_hash::FxHashMap<Name, EnumDef>,
}

impl Const {
    /// The type of the constant.
    pub fn ty(&self) -> Type {
        match self {
            Const::Unit => Type::Unit,
            Const::Bool(_) => Type::Bool,
            Const::Int(_, ty) => Type::Int(*ty),
            Const::Float(_, ty) => Type::Float(*ty),
            Const::Str(_) => Type::String,
            Const::NullFuture(ty) => ty.clone(),
            Const::Status(_) => Type::CoroStatus,
            Const::NullDeferList => Type::DeferList,
            Const::EmptyVec(ty) => ty.clone(),
        }
    }
}

impl TypeDefs {
    /// The payload types of each variant of an enum-like type (a user enum, `Option`,
    /// `Result`), in tag order; `None` for other types.
    pub fn variants(&self, ty: &Type) -> Option<Vec<Vec<Type>>> {
        match ty {
            Type::Enum(name) => {
                Some(self.enums.get(name)?.variants.iter().map(|v| v.fields.clone()).collect())
            }
            Type::Option(inner) => Some(vec![vec![(**inner).clone()], Vec::new()]),
            Type::Result(ok, err) => Some(vec![vec![(**ok).clone()], vec![(**err).clone()]]),
            _ => None,
        }
    }

    /// The type `proj` selects from a value of type `ty`: a field of a tuple or struct,
    /// an element of an array, a payload field of an enum variant. `None` when the
    /// projection does not apply to the type (or names a field, variant or type that
    /// does not exist), which the validator reports.
    pub fn project(&self, ty: &Type, proj: &Proj) -> Option<Type> {
        match (proj, ty) {
            (Proj::Field(n), Type::Tuple(elems)) => elems.get(*n as usize).cloned(),
            (Proj::Field(n), Type::Struct(name)) => {
                self.structs.get(name)?.fields.get(*n as usize).map(|f| f.ty.clone())
            }
            (Proj::Index(_), Type::Array(elem, _))
            | (Proj::Elem(_), Type::Vec(elem))
            | (Proj::Slot, Type::Waiter(elem)) => Some((**elem).clone()),
            (Proj::Payload { variant, field }, ty) => {
                self.variants(ty)?.get(*variant as usize)?.get(*field as usize).cloned()
            }
            _ => None,
        }
    }
}

impl Function {
    /// The type of a place of this function: its local's type through every
    /// projection (see [`TypeDefs::project`]); `None` if the local does not exist or a
    /// projection does not apply.
    pub fn place_ty(&self, place: &Place, types: &TypeDefs) -> Option<Type> {
        let mut ty = self.locals.get(place.local.index())?.ty.clone();
        for proj in &place.proj {
            ty = types.project(&ty, proj)?;
        }
        Some(ty)
    }

    /// The type of an operand of this function (see [`Function::place_ty`]).
    pub fn operand_ty(&self, operand: &Operand, types: &TypeDefs) -> Option<Type> {
        match operand {
            Operand::Copy(place) => self.place_ty(place, types),
            Operand::Const(c) => Some(c.ty()),
        }
    }
}
