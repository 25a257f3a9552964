//! The program's item namespace: every file's items in one scope (LANGUAGE.md §3).
//!
//! `program_scope(program)` reads only item trees, so it is recomputed when an item is
//! added, removed or renamed, never for an edit inside a body. Free functions, structs,
//! enums, constants and extern functions share one namespace; associated functions
//! live under their owner type (`Point.new`) and methods under their receiver type
//! (`p.norm2()`). A second item with a taken name is a diagnostic, and the first one
//! keeps the name so that uses still resolve.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::body::{Name, TypeRef};
use crate::db::{Db, Program, SourceFile};
use crate::diagnostics::{Code, Diagnostic};
use crate::ids::{ConstLoc, EnumLoc, ExternLoc, FunctionLoc, StructLoc};
use crate::item_tree::{ItemKind, item_source_map, item_tree};

/// What a top-level name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemRef {
    /// A free function.
    Function(FunctionLoc),
    /// A struct type.
    Struct(StructLoc),
    /// An enum type.
    Enum(EnumLoc),
    /// A constant.
    Const(ConstLoc),
    /// An `extern "C"` function.
    Extern(ExternLoc),
}

/// Every item of a program, by name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProgramScope {
    /// Top-level names.
    pub items: FxHashMap<Name, ItemRef>,
    /// Associated functions by (owner type, name).
    pub associated: FxHashMap<(Name, Name), FunctionLoc>,
    /// Methods by (receiver type name, name).
    pub methods: FxHashMap<(Name, Name), FunctionLoc>,
    /// Every free, associated and method function, in file and source order.
    pub functions: Vec<FunctionLoc>,
    /// Every const, in file and source order.
    pub consts: Vec<ConstLoc>,
}

impl ProgramScope {
    /// Looks up a top-level name.
    pub fn get(&self, name: &str) -> Option<ItemRef> {
        self.items.get(name).copied()
    }
}

/// A name defined twice: which file and where, for the diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Duplicate {
    file: SourceFile,
    kind: ItemKind,
    index: u32,
    first: (SourceFile, ItemKind, u32),
    name: String,
}

/// The scope and the duplicates found while building it.
#[salsa::tracked(returns(ref))]
fn program_scope_with_duplicates(
    db: &dyn Db,
    program: Program,
) -> (Arc<ProgramScope>, Arc<[Duplicate]>) {
    let mut scope = ProgramScope::default();
    let mut duplicates = Vec::new();
    let mut origin: FxHashMap<String, (SourceFile, ItemKind, u32)> = FxHashMap::default();
    let mut define = |key: String,
                      at: (SourceFile, ItemKind, u32),
                      duplicates: &mut Vec<Duplicate>| {
        match origin.get(&key) {
            Some(first) => {
                duplicates.push(Duplicate {
                    file: at.0,
                    kind: at.1,
                    index: at.2,
                    first: *first,
                    name: key,
                });
                false
            }
            None => {
                origin.insert(key, at);
                true
            }
        }
    };
    for &file in program.files(db) {
        let tree = item_tree(db, file);
        for (index, f) in tree.functions.iter().enumerate() {
            let loc = FunctionLoc { file, index: index as u32 };
            let at = (file, ItemKind::Function, index as u32);
            scope.functions.push(loc);
            match (&f.owner, &f.receiver) {
                (Some(owner), _) => {
                    if define(format!("{owner}.{}", f.name), at, &mut duplicates) {
                        scope.associated.insert((owner.clone(), f.name.clone()), loc);
                    }
                }
                (None, Some(receiver)) => {
                    let owner = match &receiver.ty {
                        TypeRef::Named(name) => name.clone(),
                        _ => continue,
                    };
                    if define(format!("({owner}) {}", f.name), at, &mut duplicates) {
                        scope.methods.insert((owner, f.name.clone()), loc);
                    }
                }
                (None, None) => {
                    if define(f.name.to_string(), at, &mut duplicates) {
                        scope.items.insert(f.name.clone(), ItemRef::Function(loc));
                    }
                }
            }
        }
        let index = |i: usize| i as u32;
        for (i, s) in tree.structs.iter().enumerate() {
            if define(s.name.to_string(), (file, ItemKind::Struct, index(i)), &mut duplicates) {
                scope
                    .items
                    .insert(s.name.clone(), ItemRef::Struct(StructLoc { file, index: index(i) }));
            }
        }
        for (i, e) in tree.enums.iter().enumerate() {
            if define(e.name.to_string(), (file, ItemKind::Enum, index(i)), &mut duplicates) {
                scope
                    .items
                    .insert(e.name.clone(), ItemRef::Enum(EnumLoc { file, index: index(i) }));
            }
        }
        for (i, c) in tree.consts.iter().enumerate() {
            scope.consts.push(ConstLoc { file, index: index(i) });
            if define(c.name.to_string(), (file, ItemKind::Const, index(i)), &mut duplicates) {
                scope
                    .items
                    .insert(c.name.clone(), ItemRef::Const(ConstLoc { file, index: index(i) }));
            }
        }
        for (i, x) in tree.externs.iter().enumerate() {
            if define(x.name.to_string(), (file, ItemKind::Extern, index(i)), &mut duplicates) {
                scope
                    .items
                    .insert(x.name.clone(), ItemRef::Extern(ExternLoc { file, index: index(i) }));
            }
        }
    }
    (Arc::new(scope), duplicates.into())
}

/// Every item of `program`, by name.
#[salsa::tracked(returns(ref))]
pub fn program_scope(db: &dyn Db, program: Program) -> Arc<ProgramScope> {
    Arc::clone(&program_scope_with_duplicates(db, program).0)
}

/// "duplicate item" diagnostics, grouped by the file of the second definition.
pub fn duplicate_item_diagnostics(
    db: &dyn Db,
    program: Program,
    file: SourceFile,
) -> Vec<Diagnostic> {
    let duplicates = &program_scope_with_duplicates(db, program).1;
    duplicates
        .iter()
        .filter(|d| d.file == file)
        .map(|d| {
            let range = item_range(db, d.file, d.kind, d.index);
            let mut diagnostic = Diagnostic::error(
                range,
                format!("the name `{}` is defined more than once", d.name),
            )
            .with_code(Code::DuplicateItem);
            let (first_file, first_kind, first_index) = d.first;
            let first_range = item_range(db, first_file, first_kind, first_index);
            if first_file == d.file {
                diagnostic = diagnostic.with_label(first_range, "first defined here");
            } else {
                diagnostic =
                    diagnostic.with_note(format!("first defined in {}", first_file.path(db)));
            }
            diagnostic
        })
        .collect()
}

fn item_range(db: &dyn Db, file: SourceFile, kind: ItemKind, index: u32) -> vex_syntax::TextRange {
    item_source_map(db, file).name(kind, index).unwrap_or_default()
}
