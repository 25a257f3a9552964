//! The item tree: a position-independent summary of the items of one file.
//!
//! `item_tree(file)` reads the syntax tree and keeps what other files and other
//! functions can see of each item: names, parameter and field types as written,
//! async-ness, owners of associated functions and receivers of methods. It keeps no
//! bodies and no offsets, so typing inside a function body or in a comment produces an
//! equal tree and salsa does not re-run anything that depends only on signatures. This
//! makes it the invalidation barrier between bodies and the rest of the program.
//!
//! Spans of items live in [`ItemSourceMap`] (query `item_source_map`), produced by the
//! same walk (`item_tree_with_source_map`) but returned separately for that reason.

use std::sync::Arc;

use vex_syntax::ast::{self, AstNode};
use vex_syntax::{SyntaxNode, SyntaxNodePtr as NodePtr, TextRange};

use crate::body::{Name, TypeRef};
use crate::db::{Db, SourceFile};

/// The items of one file, grouped by kind; an item's index in its list is its id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemTree {
    /// Functions: free, associated and methods, in source order.
    pub functions: Vec<FunctionData>,
    /// Structs.
    pub structs: Vec<StructData>,
    /// Enums.
    pub enums: Vec<EnumData>,
    /// Constants.
    pub consts: Vec<ConstData>,
    /// `extern "C"` functions, from single declarations and blocks.
    pub externs: Vec<ExternData>,
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
        std::ptr::addr_eq(&*self.0, &*other.0) || self.0 == other.0
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

/// Spans of the items of one file, parallel to the lists of [`ItemTree`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemSourceMap {
    /// Name span of each function.
    pub functions: Vec<TextRange>,
    /// The node of each function, for the body queries.
    pub function_nodes: Vec<NodePtr>,
    /// The node of each const, for the body queries.
    pub const_nodes: Vec<NodePtr>,
    /// Name span of each struct.
    pub structs: Vec<TextRange>,
    /// Span of each struct's whole declaration.
    pub struct_items: Vec<TextRange>,
    /// Name spans of each struct's fields, in declaration order.
    pub fields: Vec<Vec<TextRange>>,
    /// Name span of each enum.
    pub enums: Vec<TextRange>,
    /// Span of each enum's whole declaration.
    pub enum_items: Vec<TextRange>,
    /// Name spans of each enum's variants, in declaration order.
    pub variants: Vec<Vec<TextRange>>,
    /// Name span of each const.
    pub consts: Vec<TextRange>,
    /// Name span of each extern function.
    pub externs: Vec<TextRange>,
    /// Span of each extern function's whole declaration.
    pub extern_items: Vec<TextRange>,
    /// Span of each unsupported item.
    pub unsupported: Vec<TextRange>,
    /// Type annotations that could not be understood, with their spans.
    pub type_errors: Vec<(TextRange, String)>,
    /// Every type annotation of every signature, field and payload, with its span, so
    /// that names which resolve to no type are reported where they are written.
    pub annotations: Vec<(TextRange, TypeRef)>,
    /// Spans of generic parameter lists (not in Vex Core).
    pub generics: Vec<TextRange>,
}

/// The parse of a file, shared by the queries that walk it. After an edit only the items
/// it touched are parsed again (see [`crate::db::ParseCache`]).
#[salsa::tracked(returns(ref), no_eq)]
pub fn parse(db: &dyn Db, file: SourceFile) -> vex_syntax::Parse {
    db.parse_cache().parse(file, file.text(db))
}

/// The item tree, its source map and the syntax of its bodies' items, computed together.
#[salsa::tracked(returns(ref))]
pub fn item_tree_with_source_map(
    db: &dyn Db,
    file: SourceFile,
) -> (Arc<ItemTree>, Arc<ItemSourceMap>, Arc<ItemGreens>) {
    let root = parse(db, file).tree();
    let mut collector = Collector::default();
    for item in root.items() {
        collector.item(item);
    }
    (Arc::new(collector.tree), Arc::new(collector.map), Arc::new(collector.greens))
}

/// The position-independent item tree of `file`.
#[salsa::tracked(returns(ref))]
pub fn item_tree(db: &dyn Db, file: SourceFile) -> Arc<ItemTree> {
    Arc::clone(&item_tree_with_source_map(db, file).0)
}

/// The spans of `file`'s items.
#[salsa::tracked(returns(ref))]
pub fn item_source_map(db: &dyn Db, file: SourceFile) -> Arc<ItemSourceMap> {
    Arc::clone(&item_tree_with_source_map(db, file).1)
}

/// The syntax of `file`'s functions and consts, for the body queries.
#[salsa::tracked(returns(ref))]
pub fn item_greens(db: &dyn Db, file: SourceFile) -> Arc<ItemGreens> {
    Arc::clone(&item_tree_with_source_map(db, file).2)
}

#[derive(Default)]
struct Collector {
    tree: ItemTree,
    map: ItemSourceMap,
    greens: ItemGreens,
    /// Inside a generic item: its annotations name type parameters, which are
    /// reported once as "generic parameters", not as unknown types.
    in_generic_item: bool,
}

impl Collector {
    fn item(&mut self, item: ast::Item) {
        let generics = match &item {
            ast::Item::Fn(f) => f.generic_param_list(),
            ast::Item::Struct(s) => s.generic_param_list(),
            ast::Item::Enum(e) => e.generic_param_list(),
            _ => None,
        };
        self.in_generic_item = generics.is_some();
        if let Some(generics) = generics {
            self.map.generics.push(generics.syntax().text_range());
        }
        match item {
            ast::Item::Fn(f) if f.abi().is_some() => self.extern_fn(&f),
            ast::Item::Fn(f) => {
                let data = FunctionData {
                    name: name_text(f.name()),
                    owner: f.owner().and_then(|o| o.name_ref()).map(|n| name_ref_text(&n)),
                    receiver: f.receiver().and_then(|r| r.param()).map(|p| self.param(&p)),
                    params: self.params(f.param_list()),
                    ret: f.ret_type().map(|r| self.type_ref(r.ty(), r.syntax())),
                    is_async: f.async_token().is_some(),
                    has_body: f.body().is_some(),
                };
                self.tree.functions.push(data);
                self.map.functions.push(name_range(f.name(), f.syntax()));
                self.map.function_nodes.push(NodePtr::new(f.syntax()));
                self.greens.functions.push(SharedGreen(f.syntax().green().into_owned()));
            }
            ast::Item::Struct(s) => {
                let mut spans = Vec::new();
                let fields = s
                    .record_field_list()
                    .into_iter()
                    .flat_map(|l| l.fields())
                    .map(|field| {
                        spans.push(name_range(field.name(), field.syntax()));
                        (name_text(field.name()), self.type_ref(field.ty(), field.syntax()))
                    })
                    .collect();
                self.tree.structs.push(StructData { name: name_text(s.name()), fields });
                self.map.structs.push(name_range(s.name(), s.syntax()));
                self.map.struct_items.push(s.syntax().text_range());
                self.map.fields.push(spans);
            }
            ast::Item::Enum(e) => {
                let mut spans = Vec::new();
                let variants = e
                    .variant_list()
                    .into_iter()
                    .flat_map(|l| l.variants())
                    .map(|v| {
                        spans.push(name_range(v.name(), v.syntax()));
                        let payload = v
                            .tuple_field_list()
                            .into_iter()
                            .flat_map(|l| l.types())
                            .map(|ty| {
                                let node = ty.syntax().clone();
                                self.type_ref(Some(ty), &node)
                            })
                            .collect();
                        (name_text(v.name()), payload)
                    })
                    .collect();
                self.tree.enums.push(EnumData { name: name_text(e.name()), variants });
                self.map.enums.push(name_range(e.name(), e.syntax()));
                self.map.enum_items.push(e.syntax().text_range());
                self.map.variants.push(spans);
            }
            ast::Item::Const(c) => {
                let ty = self.type_ref(c.ty(), c.syntax());
                self.tree.consts.push(ConstData { name: name_text(c.name()), ty });
                self.map.consts.push(name_range(c.name(), c.syntax()));
                self.map.const_nodes.push(NodePtr::new(c.syntax()));
                self.greens.consts.push(SharedGreen(c.syntax().green().into_owned()));
            }
            ast::Item::ExternBlock(block) => {
                for inner in block.item_list().into_iter().flat_map(|l| l.items()) {
                    match inner {
                        ast::Item::Fn(f) => self.extern_fn(&f),
                        other => self.unsupported(
                            "items other than functions in extern blocks",
                            other.syntax(),
                        ),
                    }
                }
            }
            ast::Item::Impl(i) => self.unsupported("impl blocks", i.syntax()),
            ast::Item::Import(i) => self.unsupported("import", i.syntax()),
        }
    }

    fn extern_fn(&mut self, f: &ast::Fn) {
        let data = ExternData {
            name: name_text(f.name()),
            params: self.params(f.param_list()),
            ret: f.ret_type().map(|r| self.type_ref(r.ty(), r.syntax())),
            has_body: f.body().is_some(),
        };
        self.tree.externs.push(data);
        self.map.externs.push(name_range(f.name(), f.syntax()));
        self.map.extern_items.push(f.syntax().text_range());
    }

    fn unsupported(&mut self, what: &'static str, node: &SyntaxNode) {
        self.tree.unsupported.push(what);
        self.map.unsupported.push(node.text_range());
    }

    fn params(&mut self, list: Option<ast::ParamList>) -> Vec<ParamData> {
        list.into_iter().flat_map(|l| l.params()).map(|p| self.param(&p)).collect()
    }

    fn param(&mut self, param: &ast::Param) -> ParamData {
        ParamData {
            name: name_text(param.name()),
            mutable: param.bang_token().is_some(),
            ty: self.type_ref(param.ty(), param.syntax()),
        }
    }

    fn type_ref(&mut self, ty: Option<ast::Type>, owner: &SyntaxNode) -> TypeRef {
        let range = ty.as_ref().map_or(owner.text_range(), |t| t.syntax().text_range());
        let (type_ref, error) = lower_type(ty);
        if let Some(error) = error {
            self.map.type_errors.push((range, error));
        }
        if !self.in_generic_item {
            self.map.annotations.push((range, type_ref.clone()));
        }
        type_ref
    }
}

/// Lowers a type annotation; the second value describes a malformed annotation (such as
/// an array length that is not an integer literal).
pub(crate) fn lower_type(ty: Option<ast::Type>) -> (TypeRef, Option<String>) {
    let Some(ty) = ty else { return (TypeRef::Missing, None) };
    match ty {
        ast::Type::PathType(path) => {
            let segments: Vec<ast::NameRef> =
                path.path().into_iter().flat_map(|p| p.segments()).collect();
            let args: Vec<ast::Type> =
                path.generic_arg_list().into_iter().flat_map(|l| l.args()).collect();
            let [segment] = segments.as_slice() else {
                return (TypeRef::Unsupported("qualified type paths"), None);
            };
            let name = name_ref_text(segment);
            let arity = match &*name {
                "Future" | "Option" | "Vec" | "Channel" => 1,
                "Result" => 2,
                _ if args.is_empty() => return (TypeRef::Named(name), None),
                _ => return (TypeRef::Unsupported("generic types"), None),
            };
            if args.len() != arity {
                let what = if arity == 1 { "one type argument" } else { "two type arguments" };
                return (TypeRef::Missing, Some(format!("`{name}` takes {what}")));
            }
            let mut error = None;
            let mut args: Vec<Box<TypeRef>> = args
                .into_iter()
                .map(|arg| {
                    let (t, e) = lower_type(Some(arg));
                    error = error.take().or(e);
                    Box::new(t)
                })
                .collect();
            let first = args.remove(0);
            let ty = match &*name {
                "Future" => TypeRef::Future(first),
                "Option" => TypeRef::Option(first),
                "Vec" => TypeRef::Vec(first),
                "Channel" => TypeRef::Channel(first),
                _ => TypeRef::Result(first, args.remove(0)),
            };
            (ty, error)
        }
        ast::Type::TupleType(tuple) => {
            let mut error = None;
            let fields: Vec<TypeRef> = tuple
                .fields()
                .map(|f| {
                    let (t, e) = lower_type(Some(f));
                    error = error.take().or(e);
                    t
                })
                .collect();
            match fields.len() {
                0 => (TypeRef::Unit, error),
                1 => (fields.into_iter().next().unwrap_or(TypeRef::Missing), error),
                _ => (TypeRef::Tuple(fields), error),
            }
        }
        ast::Type::ArrayType(array) => {
            let (elem, mut error) = lower_type(array.ty());
            let len = array.len().and_then(|len| parse_int_text(&len.syntax().text().to_string()));
            if len.is_none() {
                error = error.or(Some("array length must be an integer literal".into()));
            }
            (TypeRef::Array(Box::new(elem), len), error)
        }
        ast::Type::FnType(fn_type) => {
            let mut error = None;
            let params = fn_type
                .param_types()
                .map(|p| {
                    let (t, e) = lower_type(Some(p));
                    error = error.take().or(e);
                    t
                })
                .collect();
            let ret = match fn_type.result_type() {
                Some(ret) => {
                    let (t, e) = lower_type(Some(ret));
                    error = error.take().or(e);
                    t
                }
                None => TypeRef::Unit,
            };
            (TypeRef::Fn(params, Box::new(ret)), error)
        }
        ast::Type::RefType(_) => (TypeRef::Unsupported("references"), None),
        ast::Type::PtrType(_) => (TypeRef::Unsupported("raw pointers"), None),
    }
}

/// Parses an unsuffixed integer literal's text (`16`, `0x10`, `1_000`).
pub(crate) fn parse_int_text(text: &str) -> Option<u64> {
    let text = text.trim().replace('_', "");
    let (digits, radix) = if let Some(rest) = text.strip_prefix("0x") {
        (rest.to_owned(), 16)
    } else if let Some(rest) = text.strip_prefix("0o") {
        (rest.to_owned(), 8)
    } else if let Some(rest) = text.strip_prefix("0b") {
        (rest.to_owned(), 2)
    } else {
        (text, 10)
    };
    u64::from_str_radix(&digits, radix).ok()
}

/// The text of a defining name, or `{missing}` when the parser found none.
pub(crate) fn name_text(name: Option<ast::Name>) -> Name {
    name.and_then(|n| n.ident_token()).map_or_else(|| "{missing}".into(), |t| t.text().into())
}

/// The text of a name use: an identifier, a builtin without its `$`, or a tuple index.
pub(crate) fn name_ref_text(name: &ast::NameRef) -> Name {
    if let Some(ident) = name.ident_token() {
        ident.text().into()
    } else if let Some(builtin) = name.builtin_token() {
        builtin.text().trim_start_matches('$').into()
    } else if let Some(int) = name.int_token() {
        int.text().into()
    } else {
        "{missing}".into()
    }
}

fn name_range(name: Option<ast::Name>, item: &SyntaxNode) -> TextRange {
    name.map_or_else(|| item.text_range(), |n| n.syntax().text_range())
}

/// A type annotation as text, for messages.
pub fn type_ref_text(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(name) => name.to_string(),
        TypeRef::Unit => "()".to_owned(),
        TypeRef::Tuple(fields) => {
            let fields: Vec<String> = fields.iter().map(type_ref_text).collect();
            format!("({})", fields.join(", "))
        }
        TypeRef::Array(elem, len) => match len {
            Some(len) => format!("[{}; {len}]", type_ref_text(elem)),
            None => format!("[{}; _]", type_ref_text(elem)),
        },
        TypeRef::Future(inner) => format!("Future<{}>", type_ref_text(inner)),
        TypeRef::Option(inner) => format!("Option<{}>", type_ref_text(inner)),
        TypeRef::Vec(elem) => format!("Vec<{}>", type_ref_text(elem)),
        TypeRef::Channel(elem) => format!("Channel<{}>", type_ref_text(elem)),
        TypeRef::Result(ok, err) => {
            format!("Result<{}, {}>", type_ref_text(ok), type_ref_text(err))
        }
        TypeRef::Fn(params, ret) => {
            let params: Vec<String> = params.iter().map(type_ref_text).collect();
            match &**ret {
                TypeRef::Unit => format!("fn({})", params.join(", ")),
                ret => format!("fn({}): {}", params.join(", "), type_ref_text(ret)),
            }
        }
        TypeRef::Unsupported(what) => format!("{{{what}}}"),
        TypeRef::Missing => "{missing}".to_owned(),
    }
}
