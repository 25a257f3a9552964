//! Types of Vex Core (LANGUAGE.md §2) as plain data.
//!
//! [`Ty`] is what inference produces for every expression and what signatures are made
//! of. Named types refer to their declaration through position-independent ids
//! ([`StructLoc`], [`EnumLoc`]), so a type computed in one revision stays equal in the
//! next unless the declaration itself moved between item slots. `Ty::Error` unifies
//! with everything: one mistake yields one diagnostic, not a cascade.

use std::fmt;

use crate::ids::{EnumLoc, StructLoc};

/// A fixed-size integer type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum IntTy {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
}

impl IntTy {
    /// All integer types, in declaration order.
    pub const ALL: [IntTy; 8] = [
        IntTy::I8,
        IntTy::I16,
        IntTy::I32,
        IntTy::I64,
        IntTy::U8,
        IntTy::U16,
        IntTy::U32,
        IntTy::U64,
    ];

    /// Width in bits.
    pub fn bits(self) -> u32 {
        match self {
            IntTy::I8 | IntTy::U8 => 8,
            IntTy::I16 | IntTy::U16 => 16,
            IntTy::I32 | IntTy::U32 => 32,
            IntTy::I64 | IntTy::U64 => 64,
        }
    }

    /// Whether the type is two's-complement signed.
    pub fn is_signed(self) -> bool {
        matches!(self, IntTy::I8 | IntTy::I16 | IntTy::I32 | IntTy::I64)
    }

    /// The source spelling (`i32`), also used as literal suffix.
    pub fn name(self) -> &'static str {
        match self {
            IntTy::I8 => "i8",
            IntTy::I16 => "i16",
            IntTy::I32 => "i32",
            IntTy::I64 => "i64",
            IntTy::U8 => "u8",
            IntTy::U16 => "u16",
            IntTy::U32 => "u32",
            IntTy::U64 => "u64",
        }
    }

    /// Parses a type name or literal suffix.
    pub fn from_name(name: &str) -> Option<IntTy> {
        IntTy::ALL.into_iter().find(|ty| ty.name() == name)
    }

    /// Whether a literal of magnitude `value`, negated when `negated`, fits the type.
    pub fn fits(self, value: u128, negated: bool) -> bool {
        let bits = self.bits();
        if self.is_signed() {
            let limit = 1u128 << (bits - 1);
            if negated { value <= limit } else { value < limit }
        } else {
            value == 0 || (!negated && value < (1u128 << bits))
        }
    }
}

/// A floating-point type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum FloatTy {
    F32,
    F64,
}

impl FloatTy {
    /// The source spelling (`f64`).
    pub fn name(self) -> &'static str {
        match self {
            FloatTy::F32 => "f32",
            FloatTy::F64 => "f64",
        }
    }

    /// Parses a type name or literal suffix.
    pub fn from_name(name: &str) -> Option<FloatTy> {
        match name {
            "f32" => Some(FloatTy::F32),
            "f64" => Some(FloatTy::F64),
            _ => None,
        }
    }
}

/// The I/O types of LANGUAGE.md §13: an error and three kinds of handle. Handles are
/// shared like channels (copies refer to one open file or socket); an `IoError` is an
/// immutable, reference-counted value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IoTy {
    /// `IoError`: `code()` and `message()`; prints as its message.
    Error,
    /// `File`: an open file.
    File,
    /// `TcpListener`: a bound, listening socket.
    TcpListener,
    /// `TcpStream`: a connected socket.
    TcpStream,
}

impl IoTy {
    /// All of them, in declaration order.
    pub const ALL: [IoTy; 4] = [IoTy::Error, IoTy::File, IoTy::TcpListener, IoTy::TcpStream];

    /// The source name (`TcpStream`).
    pub fn name(self) -> &'static str {
        match self {
            IoTy::Error => "IoError",
            IoTy::File => "File",
            IoTy::TcpListener => "TcpListener",
            IoTy::TcpStream => "TcpStream",
        }
    }

    /// The type a name denotes when no program item has the name.
    pub fn from_name(name: &str) -> Option<IoTy> {
        IoTy::ALL.into_iter().find(|ty| ty.name() == name)
    }
}

/// A type variable of the inference table. Only inference results that could not be
/// resolved keep one, and those have already been reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TyVar(pub u32);

/// A Vex Core type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    /// `i8` … `u64`.
    Int(IntTy),
    /// `f32`, `f64`.
    Float(FloatTy),
    /// `bool`.
    Bool,
    /// `string`: immutable, reference-counted text.
    String,
    /// `()`.
    Unit,
    /// The type of `return`, `break`, `continue` and `$panic(…)`: no value is produced.
    Never,
    /// `(T1, T2, …)`, at least two elements.
    Tuple(Vec<Ty>),
    /// `[T; N]`.
    Array(Box<Ty>, u64),
    /// A user struct.
    Struct(StructLoc),
    /// A user enum.
    Enum(EnumLoc),
    /// `Future<T>`: the handle of a spawned task; move-only.
    Future(Box<Ty>),
    /// `Option<T>` (LANGUAGE.md §8): `Some(T)` or `None`.
    Option(Box<Ty>),
    /// `Result<T, E>` (LANGUAGE.md §8): `Ok(T)` or `Err(E)`.
    Result(Box<Ty>, Box<Ty>),
    /// `Vec<T>` (LANGUAGE.md §9): a growable array with value semantics.
    Vec(Box<Ty>),
    /// `fn(A, B): R` (LANGUAGE.md §10): a named function or a closure as a value.
    Fn(FnTy),
    /// `Channel<T>` (LANGUAGE.md §11): a shared handle; copies refer to one channel.
    Channel(Box<Ty>),
    /// `IoError`, `File`, `TcpListener`, `TcpStream` (LANGUAGE.md §13).
    Io(IoTy),
    /// Inference variable; `kind` restricts what it may become.
    Var(TyVar, VarKind),
    /// Something already reported as wrong; unifies with everything.
    Error,
}

/// The type of a function value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FnTy {
    /// Parameter types.
    pub params: Vec<Ty>,
    /// Result type (`Future<R>` for an async function or closure).
    pub ret: Box<Ty>,
    /// A closure that captured a move-only value (a future): calling it consumes it,
    /// so the value itself is move-only. Named functions and other closures are
    /// copyable.
    pub once: bool,
}

/// What an inference variable may be resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VarKind {
    /// Any type.
    General,
    /// An integer type; defaults to `i64`.
    Int,
    /// A float type; defaults to `f64`.
    Float,
}

impl Ty {
    /// Whether values of this type are integers.
    pub fn is_int(&self) -> bool {
        matches!(self, Ty::Int(_) | Ty::Var(_, VarKind::Int))
    }

    /// Whether values of this type are floats.
    pub fn is_float(&self) -> bool {
        matches!(self, Ty::Float(_) | Ty::Var(_, VarKind::Float))
    }

    /// Integers and floats: the operands of `+ - * / %` and of `as`.
    pub fn is_numeric(&self) -> bool {
        self.is_int() || self.is_float()
    }

    /// Scalars that may cross the `extern "C"` boundary (`iN uN fN bool`).
    pub fn is_c_scalar(&self) -> bool {
        matches!(self, Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Unit | Ty::Error)
    }

    /// Whether the type contains [`Ty::Error`] somewhere, so a diagnostic about it would
    /// repeat an earlier one.
    pub fn references_error(&self) -> bool {
        *self == Ty::Error || self.children().any(Ty::references_error)
    }

    /// Whether a value of this type is a `Future` or holds one, or is a closure that
    /// captured one: such values are move-only (LANGUAGE.md §2), and their moves are
    /// tracked.
    pub fn contains_future(&self) -> bool {
        match self {
            Ty::Future(_) | Ty::Fn(FnTy { once: true, .. }) => true,
            // A function value holds no value of its parameter or result types, and a
            // channel handle is shared: the values in the channel are not the handle's.
            Ty::Fn(_) | Ty::Channel(_) => false,
            _ => self.children().any(Ty::contains_future),
        }
    }

    /// The types written inside this one (elements, type arguments, parameters and
    /// result), in order.
    pub fn children(&self) -> impl Iterator<Item = &Ty> {
        let (first, rest): (Option<&Ty>, &[Ty]) = match self {
            Ty::Tuple(elems) => (None, elems),
            Ty::Array(elem, _)
            | Ty::Future(elem)
            | Ty::Option(elem)
            | Ty::Vec(elem)
            | Ty::Channel(elem) => (Some(&**elem), &[]),
            Ty::Result(ok, err) => (Some(&**ok), std::slice::from_ref(&**err)),
            Ty::Fn(f) => (Some(&*f.ret), &f.params),
            _ => (None, &[]),
        };
        first.into_iter().chain(rest)
    }

    /// The same type with every type inside it replaced by `f` of it (one level deep:
    /// `f` decides whether to recurse).
    pub fn map_children(&self, mut f: impl FnMut(&Ty) -> Ty) -> Ty {
        match self {
            Ty::Tuple(elems) => Ty::Tuple(elems.iter().map(f).collect()),
            Ty::Array(elem, len) => Ty::Array(Box::new(f(elem)), *len),
            Ty::Future(inner) => Ty::Future(Box::new(f(inner))),
            Ty::Option(inner) => Ty::Option(Box::new(f(inner))),
            Ty::Vec(elem) => Ty::Vec(Box::new(f(elem))),
            Ty::Channel(elem) => Ty::Channel(Box::new(f(elem))),
            Ty::Result(ok, err) => Ty::Result(Box::new(f(ok)), Box::new(f(err))),
            Ty::Fn(fn_ty) => Ty::Fn(FnTy {
                ret: Box::new(f(&fn_ty.ret)),
                params: fn_ty.params.iter().map(f).collect(),
                once: fn_ty.once,
            }),
            other => other.clone(),
        }
    }
}

/// Displays a type with struct and enum names looked up by `names`.
pub struct TyDisplay<'a, F> {
    ty: &'a Ty,
    names: F,
}

impl Ty {
    /// A displayable form; `names` gives the source name of a struct or enum.
    pub fn display<F: Fn(&Ty) -> Option<String>>(&self, names: F) -> TyDisplay<'_, F> {
        TyDisplay { ty: self, names }
    }
}

impl<F: Fn(&Ty) -> Option<String>> TyDisplay<'_, F> {
    fn write(&self, ty: &Ty, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match ty {
            Ty::Int(int) => f.write_str(int.name()),
            Ty::Float(float) => f.write_str(float.name()),
            Ty::Bool => f.write_str("bool"),
            Ty::String => f.write_str("string"),
            Ty::Unit => f.write_str("()"),
            Ty::Never => f.write_str("!"),
            Ty::Tuple(elems) => {
                f.write_str("(")?;
                for (i, elem) in elems.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    self.write(elem, f)?;
                }
                f.write_str(")")
            }
            Ty::Array(elem, len) => {
                f.write_str("[")?;
                self.write(elem, f)?;
                write!(f, "; {len}]")
            }
            Ty::Struct(_) | Ty::Enum(_) => {
                f.write_str(&(self.names)(ty).unwrap_or_else(|| "?".to_owned()))
            }
            Ty::Future(inner) => self.write_generic(f, "Future", &[inner]),
            Ty::Option(inner) => self.write_generic(f, "Option", &[inner]),
            Ty::Vec(elem) => self.write_generic(f, "Vec", &[elem]),
            Ty::Channel(elem) => self.write_generic(f, "Channel", &[elem]),
            Ty::Result(ok, err) => self.write_generic(f, "Result", &[ok, err]),
            Ty::Io(io) => f.write_str(io.name()),
            Ty::Fn(fn_ty) => {
                if fn_ty.once {
                    f.write_str("move-only ")?;
                }
                f.write_str("fn(")?;
                for (i, param) in fn_ty.params.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    self.write(param, f)?;
                }
                f.write_str(")")?;
                if *fn_ty.ret != Ty::Unit {
                    f.write_str(": ")?;
                    self.write(&fn_ty.ret, f)?;
                }
                Ok(())
            }
            Ty::Var(_, VarKind::Int) => f.write_str("{integer}"),
            Ty::Var(_, VarKind::Float) => f.write_str("{float}"),
            Ty::Var(_, VarKind::General) => f.write_str("_"),
            Ty::Error => f.write_str("{unknown}"),
        }
    }
}

impl<F: Fn(&Ty) -> Option<String>> TyDisplay<'_, F> {
    fn write_generic(&self, f: &mut fmt::Formatter<'_>, name: &str, args: &[&Ty]) -> fmt::Result {
        write!(f, "{name}<")?;
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            self.write(arg, f)?;
        }
        f.write_str(">")
    }
}

impl<F: Fn(&Ty) -> Option<String>> fmt::Display for TyDisplay<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(self.ty, f)
    }
}
