//! Resolved signatures: item declarations with their types looked up.
//!
//! Each query here reads the item tree and the program scope, never a body, so the
//! results stay equal while bodies are edited and inference of callers is not re-run.
//! Problems with a type annotation become `Ty::Error` here and are reported once, by
//! `item_diagnostics`, with the annotation's span.

use std::sync::Arc;

use crate::body::TypeRef;
use crate::db::{Db, Program};
use crate::ids::{ConstLoc, EnumLoc, ExternLoc, FunctionId, FunctionLoc, StructLoc};
use crate::item_tree::item_tree;
use crate::scope::{ItemRef, program_scope};
use crate::ty::{FloatTy, IntTy, IoTy, Ty};

/// A function's resolved signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Parameter types, the receiver first for methods.
    pub params: Vec<Ty>,
    /// The declared result type (unit when omitted); for an `async fn` the body's type.
    pub ret: Ty,
    /// `async fn`: a call spawns a task and returns `Future<ret>`.
    pub is_async: bool,
}

impl Signature {
    /// The type a call expression has: `Future<ret>` for `async fn`.
    pub fn call_result(&self) -> Ty {
        if self.is_async { Ty::Future(Box::new(self.ret.clone())) } else { self.ret.clone() }
    }
}

/// Resolves a type annotation against the program's items; `Err` describes why it does
/// not name a type.
pub fn resolve_type(db: &dyn Db, type_ref: &TypeRef) -> Result<Ty, String> {
    Ok(match type_ref {
        TypeRef::Named(name) => match &**name {
            "bool" => Ty::Bool,
            "string" => Ty::String,
            other => {
                if let Some(int) = IntTy::from_name(other) {
                    Ty::Int(int)
                } else if let Some(float) = FloatTy::from_name(other) {
                    Ty::Float(float)
                } else {
                    match program_scope(db, Program::get(db)).get(other) {
                        Some(ItemRef::Struct(loc)) => Ty::Struct(loc),
                        Some(ItemRef::Enum(loc)) => Ty::Enum(loc),
                        Some(_) => return Err(format!("`{other}` is not a type")),
                        None => match IoTy::from_name(other) {
                            Some(io) => Ty::Io(io),
                            None => return Err(missing_type_arguments(other)),
                        },
                    }
                }
            }
        },
        TypeRef::Unit => Ty::Unit,
        TypeRef::Tuple(fields) => {
            Ty::Tuple(fields.iter().map(|f| resolve_type(db, f)).collect::<Result<_, _>>()?)
        }
        TypeRef::Array(elem, len) => {
            let elem = resolve_type(db, elem)?;
            match len {
                Some(len) => Ty::Array(Box::new(elem), *len),
                None => return Err("array length must be an integer literal".to_owned()),
            }
        }
        TypeRef::Future(inner) => Ty::Future(Box::new(resolve_type(db, inner)?)),
        TypeRef::Option(inner) => Ty::Option(Box::new(resolve_type(db, inner)?)),
        TypeRef::Vec(elem) => Ty::Vec(Box::new(resolve_type(db, elem)?)),
        TypeRef::Channel(elem) => Ty::Channel(Box::new(resolve_type(db, elem)?)),
        TypeRef::Result(ok, err) => {
            Ty::Result(Box::new(resolve_type(db, ok)?), Box::new(resolve_type(db, err)?))
        }
        TypeRef::Fn(params, ret) => Ty::Fn(crate::ty::FnTy {
            params: params.iter().map(|p| resolve_type(db, p)).collect::<Result<_, _>>()?,
            ret: Box::new(resolve_type(db, ret)?),
            once: false,
        }),
        TypeRef::Unsupported(what) => return Err(format!("not supported in Vex Core: {what}")),
        TypeRef::Missing => Ty::Error,
    })
}

/// Why a builtin or unknown type name is not a type on its own.
fn missing_type_arguments(name: &str) -> String {
    match name {
        "Future" | "Option" | "Vec" | "Channel" => {
            format!("`{name}` needs a type argument: `{name}<T>`")
        }
        "Result" => "`Result` needs two type arguments: `Result<T, E>`".to_owned(),
        _ => format!("unknown type `{name}`"),
    }
}

/// Like [`resolve_type`], with errors turned into `Ty::Error` (reported elsewhere).
pub fn lower_type(db: &dyn Db, type_ref: &TypeRef) -> Ty {
    resolve_type(db, type_ref).unwrap_or(Ty::Error)
}

/// The signature of a function.
#[salsa::tracked(returns(ref))]
pub fn fn_signature<'db>(db: &'db dyn Db, func: FunctionId<'db>) -> Arc<Signature> {
    let loc = func.loc(db);
    let tree = item_tree(db, loc.file);
    let Some(data) = tree.functions.get(loc.index as usize) else {
        return Arc::new(Signature { params: Vec::new(), ret: Ty::Error, is_async: false });
    };
    let params = data.receiver.iter().chain(&data.params).map(|p| lower_type(db, &p.ty)).collect();
    let ret = data.ret.as_ref().map_or(Ty::Unit, |r| lower_type(db, r));
    Arc::new(Signature { params, ret, is_async: data.is_async })
}

/// The signature of a function by location.
pub fn signature_of(db: &dyn Db, loc: FunctionLoc) -> Arc<Signature> {
    Arc::clone(fn_signature(db, FunctionId::new(db, loc)))
}

/// The signature of an `extern "C"` function.
pub fn extern_signature(db: &dyn Db, loc: ExternLoc) -> Signature {
    let tree = item_tree(db, loc.file);
    match tree.externs.get(loc.index as usize) {
        Some(data) => Signature {
            params: data.params.iter().map(|p| lower_type(db, &p.ty)).collect(),
            ret: data.ret.as_ref().map_or(Ty::Unit, |r| lower_type(db, r)),
            is_async: false,
        },
        None => Signature { params: Vec::new(), ret: Ty::Error, is_async: false },
    }
}

/// The fields of a struct with their types, in declaration order.
pub fn struct_fields(db: &dyn Db, loc: StructLoc) -> Vec<(crate::body::Name, Ty)> {
    let tree = item_tree(db, loc.file);
    tree.structs
        .get(loc.index as usize)
        .map(|s| s.fields.iter().map(|(n, t)| (n.clone(), lower_type(db, t))).collect())
        .unwrap_or_default()
}

/// The variants of an enum with their payload types, in declaration order.
pub fn enum_variants(db: &dyn Db, loc: EnumLoc) -> Vec<(crate::body::Name, Vec<Ty>)> {
    let tree = item_tree(db, loc.file);
    tree.enums
        .get(loc.index as usize)
        .map(|e| {
            e.variants
                .iter()
                .map(|(n, payload)| {
                    (n.clone(), payload.iter().map(|t| lower_type(db, t)).collect())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The declared type of a constant.
pub fn const_type(db: &dyn Db, loc: ConstLoc) -> Ty {
    let tree = item_tree(db, loc.file);
    tree.consts.get(loc.index as usize).map_or(Ty::Error, |c| lower_type(db, &c.ty))
}

/// The source name of a struct or enum type, for messages.
pub fn type_name(db: &dyn Db, ty: &Ty) -> Option<String> {
    match ty {
        Ty::Struct(loc) => {
            item_tree(db, loc.file).structs.get(loc.index as usize).map(|s| s.name.to_string())
        }
        Ty::Enum(loc) => {
            item_tree(db, loc.file).enums.get(loc.index as usize).map(|e| e.name.to_string())
        }
        _ => None,
    }
}

/// A type as Vex source spells it.
pub fn display_ty(db: &dyn Db, ty: &Ty) -> String {
    ty.display(|t| type_name(db, t)).to_string()
}
