//! The item tree: a position-independent summary of the items of one file.
//!
//! `item_tree(file)` reads the syntax tree and keeps what other files and other
//! functions can see of each item: names, parameter and field types as written,
//! async-ness, owners of associated functions and receivers of methods. It keeps no
//! bodies and no offsets, so typing inside a function body or in a comment produces an
//! equal tree and salsa does not re-run anything that depends only on signatures. This
//! makes it the invalidation barrier between bodies and the rest of the program.
//!
//! Spans of items live apart, in two layers: [`ItemLayout`] (query `item_layout`) holds
//! each item's spans relative to the item's own start, so it too stays equal when an
//! edit only moves items; [`ItemSourceMap`] (query `item_source_map`) adds where each
//! item starts and answers with positions in the file.
//!
//! All of it comes from one walk over the file's top-level items
//! (`item_tree_with_source_map`), and that walk summarises only the items an edit
//! touched: the others are the previous parse's very green nodes (see
//! [`vex_syntax::reparse`]), and their summaries are taken from the walk before (see
//! `collect.rs`). So re-checking a large file after an edit in one function costs a few
//! pointer comparisons per item, not a walk over the syntax of every item.

mod collect;
mod source_map;

use std::sync::Arc;

use crate::body::{Name, TypeRef};
use crate::db::{Db, SourceFile};

pub(crate) use collect::ItemSummaries;
pub(crate) use collect::lower_type;
pub use collect::type_ref_text;
pub use source_map::EntryPlace;
pub use source_map::{EntrySpans, ItemKind, ItemLayout, ItemSourceMap, ItemSpans};

/// The items of one file, grouped by kind; an item's index in its list is its id.
///
/// Each item is shared (`Arc`): an item the last edit did not touch is the previous
/// tree's very value, which makes comparing two trees for salsa's backdating a
/// pointer comparison per item.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemTree {
    /// Functions: free, associated and methods, in source order.
    pub functions: Vec<Arc<FunctionData>>,
    /// Structs.
    pub structs: Vec<Arc<StructData>>,
    /// Enums.
    pub enums: Vec<Arc<EnumData>>,
    /// Constants.
    pub consts: Vec<Arc<ConstData>>,
    /// `extern "C"` functions, from single declarations and blocks.
    pub externs: Vec<Arc<ExternData>>,
    /// Items outside Vex Core (`impl`, `import`), by kind, for diagnostics.
    pub unsupported: Vec<&'static str>,
}

/// A parameter as declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamData {
    /// Its name.
    pub name: Name,
    /// Declared `x!: T`.
    pub mutable: bool,
    /// Its type as written.
    pub ty: TypeRef,
}

/// A function's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionData {
    /// Its name.
    pub name: Name,
    /// `Point` in `fn Point.new()`.
    pub owner: Option<Name>,
    /// `self: Point` in `fn (self: Point) norm2()`.
    pub receiver: Option<ParamData>,
    /// The parameters after the receiver.
    pub params: Vec<ParamData>,
    /// The declared result type; `None` is unit.
    pub ret: Option<TypeRef>,
    /// `async fn`.
    pub is_async: bool,
    /// Whether a `{ … }` body follows the signature (only `extern "C"` functions may
    /// lack one).
    pub has_body: bool,
}

impl FunctionData {
    /// The key under which the function is visible: `name` for free functions,
    /// `Owner.name` for associated functions, `Type::name` for methods.
    pub fn display_name(&self) -> String {
        match (&self.owner, &self.receiver) {
            (Some(owner), _) => format!("{owner}.{}", self.name),
            (None, Some(receiver)) => format!("({}) {}", type_ref_text(&receiver.ty), self.name),
            (None, None) => self.name.to_string(),
        }
    }
}

/// A struct declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructData {
    /// Its name.
    pub name: Name,
    /// Fields in declaration order.
    pub fields: Vec<(Name, TypeRef)>,
}

/// An enum declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumData {
    /// Its name.
    pub name: Name,
    /// Variants with their payload types, in declaration order.
    pub variants: Vec<(Name, Vec<TypeRef>)>,
}

/// A `const` item's declaration (its value is a body of its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstData {
    /// Its name.
    pub name: Name,
    /// Its declared type.
    pub ty: TypeRef,
}

/// An `extern "C"` function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternData {
    /// Its (C) name.
    pub name: Name,
    /// Parameters.
    pub params: Vec<ParamData>,
    /// Result type; `None` is unit.
    pub ret: Option<TypeRef>,
    /// Whether it was written with a body (an error: the host or C provides it).
    pub has_body: bool,
}

/// A green node compared by identity first, then by content. After an edit the file is
/// re-parsed incrementally (`vex_syntax::reparse`), and the items the edit did not touch
/// are the previous tree's very nodes: comparing them for salsa's backdating then costs
/// nothing, instead of a walk over every item of the file.
#[derive(Clone, Debug, Eq)]
pub struct SharedGreen(pub vex_syntax::GreenNode);

impl PartialEq for SharedGreen {
    fn eq(&self, other: &SharedGreen) -> bool {
        self.same_node(other) || self.0 == other.0
    }
}

impl SharedGreen {
    /// Whether both are the very same node (not only equal ones).
    pub fn same_node(&self, other: &SharedGreen) -> bool {
        std::ptr::addr_eq(&*self.0, &*other.0)
    }
}

/// The syntax of the bodies' items of one file, parallel to the function and const lists
/// of [`ItemTree`]: apart from the spans, so that an edit that moves nothing leaves the
/// source map equal, and apart from the tree, whose equality is what spares the program.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemGreens {
    /// The syntax of each function.
    pub functions: Vec<SharedGreen>,
    /// The syntax of each const.
    pub consts: Vec<SharedGreen>,
}

/// What the walk over a file's items produces; the queries below each return one part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileItems {
    /// The position-independent summary.
    pub tree: Arc<ItemTree>,
    /// The spans of each item, relative to its start.
    pub layout: Arc<ItemLayout>,
    /// The spans in the file.
    pub source_map: Arc<ItemSourceMap>,
    /// The syntax of the functions and consts.
    pub greens: Arc<ItemGreens>,
}

/// The parse of a file, shared by the queries that walk it. After an edit only the items
/// it touched are parsed again (see [`crate::db::Caches`]).
#[salsa::tracked(returns(ref), no_eq)]
pub fn parse(db: &dyn Db, file: SourceFile) -> vex_syntax::Parse {
    db.caches().parse(file, file.text(db))
}

/// The item tree, its layout and source map, and the syntax of its bodies' items,
/// computed together.
#[salsa::tracked(returns(ref))]
pub fn item_tree_with_source_map(db: &dyn Db, file: SourceFile) -> FileItems {
    let parse = parse(db, file);
    db.caches().summarise_items(file, |last| collect::file_items(parse.green(), last))
}

/// The position-independent item tree of `file`.
#[salsa::tracked(returns(ref))]
pub fn item_tree(db: &dyn Db, file: SourceFile) -> Arc<ItemTree> {
    Arc::clone(&item_tree_with_source_map(db, file).tree)
}

/// The spans of `file`'s items, each relative to its item's start: equal after an edit
/// that only moves items.
#[salsa::tracked(returns(ref))]
pub fn item_layout(db: &dyn Db, file: SourceFile) -> Arc<ItemLayout> {
    Arc::clone(&item_tree_with_source_map(db, file).layout)
}

/// The spans of `file`'s items in the file.
#[salsa::tracked(returns(ref))]
pub fn item_source_map(db: &dyn Db, file: SourceFile) -> Arc<ItemSourceMap> {
    Arc::clone(&item_tree_with_source_map(db, file).source_map)
}

/// The syntax of `file`'s functions and consts, for the body queries.
#[salsa::tracked(returns(ref))]
pub fn item_greens(db: &dyn Db, file: SourceFile) -> Arc<ItemGreens> {
    Arc::clone(&item_tree_with_source_map(db, file).greens)
}
