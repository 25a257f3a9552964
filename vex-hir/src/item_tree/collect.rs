//! Summarising a file's top-level items, one item at a time, reusing the previous
//! walk's summary of every item whose green node is unchanged.

use std::sync::Arc;

use vex_syntax::ast::{self, AstNode};
use vex_syntax::{GreenNode, GreenNodeData, SyntaxNode, TextRange, TextSize};

use super::{
    ConstData, EnumData, ExternData, FileItems, FunctionData, ItemGreens, ItemKind, ItemLayout,
    ItemSourceMap, ItemSpans, ItemTree, ParamData, SharedGreen, StructData, source_map::EntrySpans,
};
use crate::body::{Name, TypeRef};

/// What one top-level item contributes to its file's [`FileItems`], from its syntax
/// alone, with spans relative to its start.
#[derive(Debug)]
struct ItemSummary {
    /// The item's syntax; its identity is the key for reuse.
    green: SharedGreen,
    /// Its entries of the item tree, in source order (parallel to `spans.entries`).
    entries: Vec<Entry>,
    spans: Arc<ItemSpans>,
}

#[derive(Debug, PartialEq, Eq)]
enum Entry {
    Function(Arc<FunctionData>),
    Struct(Arc<StructData>),
    Enum(Arc<EnumData>),
    Const(Arc<ConstData>),
    Extern(Arc<ExternData>),
    Unsupported(&'static str),
}

impl Entry {
    /// The list of the item tree the entry goes to.
    fn kind(&self) -> ItemKind {
        match self {
            Entry::Function(_) => ItemKind::Function,
            Entry::Struct(_) => ItemKind::Struct,
            Entry::Enum(_) => ItemKind::Enum,
            Entry::Const(_) => ItemKind::Const,
            Entry::Extern(_) => ItemKind::Extern,
            Entry::Unsupported(_) => ItemKind::Unsupported,
        }
    }
}

/// What the last walk over a file's items left for the next one.
#[derive(Debug, Default)]
pub(crate) struct ItemSummaries {
    /// Each item's summary, in source order.
    summaries: Vec<Arc<ItemSummary>>,
    /// The address of each item's green node: comparing these touches no node.
    nodes: Vec<usize>,
    /// What the walk returned.
    items: Option<FileItems>,
}

/// The address of a green node, its identity.
fn address(node: &GreenNodeData) -> usize {
    node as *const GreenNodeData as usize
}

/// Summarises the items of the file whose syntax tree is `root`, reusing `last` (the
/// previous walk's summaries) for the items that are the same green nodes, or equal
/// ones. Returns the file's items and the summaries for the next walk.
///
/// An incremental re-parse keeps the items before and after the edit, in order: the
/// items that are the same nodes at the start and at the end are kept as they are (moved,
/// not copied), and only the ones between are summarised, or taken from an equal old
/// item at the same place. When the items between declare what the old ones declared,
/// the last item tree and layout are the result again, so an edit inside a body costs a
/// comparison of addresses per item and the few items it touched.
pub(crate) fn file_items(root: &GreenNode, last: ItemSummaries) -> (FileItems, ItemSummaries) {
    let ItemSummaries { mut summaries, mut nodes, items: last_items } = last;
    let mut ranges = Vec::with_capacity(nodes.len());
    let mut new_nodes: Vec<&GreenNodeData> = Vec::with_capacity(nodes.len());
    let mut offset = TextSize::new(0);
    for child in root.children() {
        let at = offset;
        offset += child.text_len();
        if let Some(node) = child.into_node().filter(|n| is_item(n.kind().0)) {
            new_nodes.push(node);
            ranges.push(TextRange::at(at, node.text_len()));
        }
    }

    // The items kept at the start and at the end, and the old and new ones between.
    let common = nodes.len().min(new_nodes.len());
    let prefix =
        nodes.iter().zip(&new_nodes).take_while(|(old, new)| **old == address(new)).count();
    let suffix = nodes
        .iter()
        .rev()
        .zip(new_nodes.iter().rev())
        .take(common - prefix)
        .take_while(|(old, new)| **old == address(new))
        .count();
    let old_middle = prefix..nodes.len() - suffix;
    let new_middle = &new_nodes[prefix..new_nodes.len() - suffix];
    let middle: Vec<Arc<ItemSummary>> = new_middle
        .iter()
        .enumerate()
        .map(|(k, &node)| {
            // An equal old item at the same place from the start or from the end of the
            // middle (after a whole parse, every node is new).
            let from_start = (k < old_middle.len()).then(|| old_middle.start + k);
            let from_end = (old_middle.end + k).checked_sub(new_middle.len());
            let from_end = from_end.filter(|&i| i >= old_middle.start);
            let equal = [from_start, from_end]
                .into_iter()
                .flatten()
                .find(|&i| *summaries[i].green.0 == *node);
            match equal {
                Some(i) => Arc::clone(&summaries[i]),
                None => Arc::new(summarise(node.to_owned())),
            }
        })
        .collect();
    // Whether the items between declare what the old ones did, with the same spans: then
    // the last tree and layout are this walk's too.
    let unchanged = middle.len() == old_middle.len()
        && middle
            .iter()
            .zip(&summaries[old_middle.clone()])
            .all(|(new, old)| new.entries == old.entries && new.spans == old.spans);
    nodes.splice(old_middle.clone(), new_middle.iter().map(|&node| address(node)));
    summaries.splice(old_middle, middle);

    let (tree, layout) = match last_items.filter(|_| unchanged) {
        Some(last) => (last.tree, last.layout),
        None => tree_and_layout(&summaries),
    };
    let mut greens = ItemGreens {
        functions: Vec::with_capacity(tree.functions.len()),
        consts: Vec::with_capacity(tree.consts.len()),
    };
    for summary in &summaries {
        for entry in &summary.entries {
            match entry {
                Entry::Function(_) => greens.functions.push(summary.green.clone()),
                Entry::Const(_) => greens.consts.push(summary.green.clone()),
                _ => {}
            }
        }
    }
    let items = FileItems {
        tree,
        source_map: Arc::new(ItemSourceMap { layout: Arc::clone(&layout), items: ranges }),
        layout,
        greens: Arc::new(greens),
    };
    (items.clone(), ItemSummaries { summaries, nodes, items: Some(items) })
}

/// The item tree and layout of the items `summaries`.
fn tree_and_layout(summaries: &[Arc<ItemSummary>]) -> (Arc<ItemTree>, Arc<ItemLayout>) {
    let mut tree = ItemTree::default();
    let mut layout = ItemLayout::default();
    for summary in summaries {
        for entry in &summary.entries {
            match entry {
                Entry::Function(data) => tree.functions.push(Arc::clone(data)),
                Entry::Struct(data) => tree.structs.push(Arc::clone(data)),
                Entry::Enum(data) => tree.enums.push(Arc::clone(data)),
                Entry::Const(data) => tree.consts.push(Arc::clone(data)),
                Entry::Extern(data) => tree.externs.push(Arc::clone(data)),
                Entry::Unsupported(what) => tree.unsupported.push(what),
            }
        }
        layout.push(Arc::clone(&summary.spans));
    }
    (Arc::new(tree), Arc::new(layout))
}

fn is_item(raw_kind: u16) -> bool {
    ast::Item::can_cast(vex_syntax::SyntaxKind::from_raw(raw_kind))
}

/// Summarises one top-level item, detached from its file.
fn summarise(green: GreenNode) -> ItemSummary {
    let node = SyntaxNode::new_root(green.clone());
    let mut collector = Collector::default();
    if let Some(item) = ast::Item::cast(node) {
        collector.item(item);
    }
    ItemSummary {
        green: SharedGreen(green),
        entries: collector.entries,
        spans: Arc::new(collector.spans),
    }
}

#[derive(Default)]
struct Collector {
    entries: Vec<Entry>,
    spans: ItemSpans,
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
        self.spans.generics = generics.map(|g| g.syntax().text_range());
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
                self.push(Entry::Function(Arc::new(data)), f.name(), f.syntax(), Vec::new());
            }
            ast::Item::Struct(s) => {
                let mut members = Vec::new();
                let fields = s
                    .record_field_list()
                    .into_iter()
                    .flat_map(|l| l.fields())
                    .map(|field| {
                        members.push(name_range(field.name(), field.syntax()));
                        (name_text(field.name()), self.type_ref(field.ty(), field.syntax()))
                    })
                    .collect();
                let data = StructData { name: name_text(s.name()), fields };
                self.push(Entry::Struct(Arc::new(data)), s.name(), s.syntax(), members);
            }
            ast::Item::Enum(e) => {
                let mut members = Vec::new();
                let variants = e
                    .variant_list()
                    .into_iter()
                    .flat_map(|l| l.variants())
                    .map(|v| {
                        members.push(name_range(v.name(), v.syntax()));
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
                let data = EnumData { name: name_text(e.name()), variants };
                self.push(Entry::Enum(Arc::new(data)), e.name(), e.syntax(), members);
            }
            ast::Item::Const(c) => {
                let ty = self.type_ref(c.ty(), c.syntax());
                let data = ConstData { name: name_text(c.name()), ty };
                self.push(Entry::Const(Arc::new(data)), c.name(), c.syntax(), Vec::new());
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

    fn push(
        &mut self,
        entry: Entry,
        name: Option<ast::Name>,
        node: &SyntaxNode,
        members: Vec<TextRange>,
    ) {
        let kind = entry.kind();
        self.entries.push(entry);
        let name = name_range(name, node);
        // The item itself is the root of the detached tree.
        let range = node.parent().map(|_| node.text_range());
        self.spans.entries.push(EntrySpans { kind, name, range, members });
    }

    fn extern_fn(&mut self, f: &ast::Fn) {
        let data = ExternData {
            name: name_text(f.name()),
            params: self.params(f.param_list()),
            ret: f.ret_type().map(|r| self.type_ref(r.ty(), r.syntax())),
            has_body: f.body().is_some(),
        };
        self.push(Entry::Extern(Arc::new(data)), f.name(), f.syntax(), Vec::new());
    }

    fn unsupported(&mut self, what: &'static str, node: &SyntaxNode) {
        self.push(Entry::Unsupported(what), None, node, Vec::new());
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
            self.spans.type_errors.push((range, error));
        }
        if !self.in_generic_item {
            self.spans.annotations.push((range, type_ref.clone()));
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
