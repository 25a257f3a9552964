//! What a name in the source refers to: the one question behind hover, go to
//! definition, references and rename.
//!
//! A position is classified in three steps. The identifier token at the position is
//! found in the file's syntax tree. If the token lies in a function or constant body,
//! the body's source map says which local definition, expression or pattern it belongs
//! to, and inference says what that resolves to (a local, a function, a field, a
//! variant, a builtin). Outside bodies, and in type annotations, the token is an item's
//! defining name (the item source map knows where each name is) or a type name, looked
//! up in the program's namespace.

use la_arena::{ArenaMap, Idx};
use vex_hir::body::{Body, BodySourceMap, Expr, ExprId, LocalId, Pat};
use vex_hir::builtins::{Builtin, BuiltinMethod};
use vex_hir::ids::{ConstLoc, EnumLoc, ExternLoc, FunctionLoc, StructLoc};
use vex_hir::infer::{InferenceResult, Resolution, infer};
use vex_hir::item_tree::{ItemKind, item_source_map, item_tree, parse};
use vex_hir::lower::{BodyId, BodyOwner, body, body_offset, body_source_map};
use vex_hir::scope::{ItemRef, program_scope};
use vex_hir::{Program, SourceFile, Ty};
use vex_syntax::{SyntaxKind, SyntaxToken, TextRange, TextSize};

use super::{Ctx, NavigationTarget};

/// What a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Definition {
    /// A local variable or parameter of a body.
    Local(BodyOwner, LocalId),
    /// A function: free, associated or method.
    Function(FunctionLoc),
    /// A struct type.
    Struct(StructLoc),
    /// A field of a struct, by index.
    Field(StructLoc, u32),
    /// An enum type.
    Enum(EnumLoc),
    /// A variant of an enum, by index.
    Variant(EnumLoc, u32),
    /// A constant.
    Const(ConstLoc),
    /// An `extern "C"` function.
    Extern(ExternLoc),
    /// A builtin function.
    Builtin(Builtin),
    /// A method of a builtin type.
    BuiltinMethod(BuiltinMethod),
}

/// A classified position.
pub(super) struct Found<'db> {
    /// What the name there refers to.
    pub definition: Definition,
    /// The identifier's range in the file.
    pub range: TextRange,
    /// The body and innermost expression at the position, if any (for types on hover).
    pub expr: Option<(BodyId<'db>, ExprId)>,
}

/// The identifier (or `$builtin`) at `offset`, preferring one that ends or starts there.
pub(super) fn ident_at(ctx: &Ctx<'_>, file: SourceFile, offset: TextSize) -> Option<SyntaxToken> {
    let root = parse(ctx.db, file).syntax_node();
    if offset > root.text_range().end() {
        return None;
    }
    root.token_at_offset(offset)
        .find(|t| matches!(t.kind(), SyntaxKind::IDENT | SyntaxKind::BUILTIN_IDENT))
}

/// The body (function or constant) whose item contains `offset`.
pub(super) fn body_at<'db>(
    ctx: &Ctx<'db>,
    file: SourceFile,
    offset: TextSize,
) -> Option<BodyId<'db>> {
    let map = item_source_map(ctx.db, file);
    if let Some(index) = map.entry_at(ItemKind::Function, offset) {
        let owner = BodyOwner::Function(FunctionLoc { file, index });
        return Some(BodyId::new(ctx.db, owner));
    }
    let index = map.entry_at(ItemKind::Const, offset)?;
    Some(BodyId::new(ctx.db, BodyOwner::Const(ConstLoc { file, index })))
}

/// The parts of one body that positions are looked up in.
pub(super) struct BodyView<'db> {
    pub id: BodyId<'db>,
    pub body: &'db Body,
    pub map: &'db BodySourceMap,
    pub infer: &'db InferenceResult,
    /// Where the body's item starts: the source map's ranges are relative to it.
    pub offset: TextSize,
}

impl<'db> BodyView<'db> {
    pub fn new(ctx: &Ctx<'db>, id: BodyId<'db>) -> BodyView<'db> {
        BodyView {
            id,
            body: body(ctx.db, id),
            map: body_source_map(ctx.db, id),
            infer: infer(ctx.db, id),
            offset: body_offset(ctx.db, id),
        }
    }

    /// A range of the source map in file coordinates.
    pub fn absolute(&self, range: TextRange) -> TextRange {
        range + self.offset
    }

    /// The innermost expression whose range contains `range` (file coordinates).
    pub fn expr_at(&self, range: TextRange) -> Option<ExprId> {
        innermost(&self.map.exprs, range.checked_sub(self.offset)?)
    }

    /// The local whose defining name covers `range` (file coordinates).
    pub fn local_defined_at(&self, range: TextRange) -> Option<LocalId> {
        let relative = range.checked_sub(self.offset)?;
        self.map.locals.iter().find(|(_, r)| r.contains_range(relative)).map(|(local, _)| local)
    }

    /// The type of `expr`, as Vex spells it.
    pub fn expr_type(&self, expr: ExprId) -> &'db Ty {
        self.infer.type_of_expr(expr)
    }
}

/// The smallest range of `map` containing `range`; among equal ranges the first node
/// (lowering allocates children before their parents).
fn innermost<T>(map: &ArenaMap<Idx<T>, TextRange>, range: TextRange) -> Option<Idx<T>> {
    let mut best: Option<(Idx<T>, TextSize)> = None;
    for (id, r) in map.iter() {
        if r.contains_range(range) && best.is_none_or(|(_, len)| r.len() < len) {
            best = Some((id, r.len()));
        }
    }
    best.map(|(id, _)| id)
}

/// Classifies the name at `offset` (see the module docs).
pub(super) fn classify<'db>(
    ctx: &Ctx<'db>,
    file: SourceFile,
    offset: TextSize,
) -> Option<Found<'db>> {
    let token = ident_at(ctx, file, offset)?;
    let range = token.text_range();
    let text = token.text().trim_start_matches('$');
    let in_type = token.parent_ancestors().any(|n| {
        matches!(n.kind(), SyntaxKind::PATH_TYPE | SyntaxKind::FN_TYPE)
            || (n.kind() == SyntaxKind::PATH
                && n.parent().is_some_and(|p| p.kind() == SyntaxKind::FN))
    });
    if !in_type && let Some(id) = body_at(ctx, file, range.start()) {
        let view = BodyView::new(ctx, id);
        if let Some(local) = view.local_defined_at(range) {
            return Some(Found {
                definition: Definition::Local(id.owner(ctx.db), local),
                range,
                expr: None,
            });
        }
        if let Some(found) = in_pattern(ctx, &view, range, text) {
            return Some(Found { definition: found, range, expr: None });
        }
        if let Some(expr) = view.expr_at(range) {
            let definition = in_expr(ctx, &view, expr, range, text);
            if definition.is_some() || !is_item_name(ctx, file, range) {
                return definition.map(|definition| Found {
                    definition,
                    range,
                    expr: Some((id, expr)),
                });
            }
        }
    }
    if let Some(definition) = item_named_at(ctx, file, range) {
        return Some(Found { definition, range, expr: None });
    }
    let scope = program_scope(ctx.db, Program::get(ctx.db));
    let definition = match scope.get(text) {
        Some(ItemRef::Struct(loc)) => Definition::Struct(loc),
        Some(ItemRef::Enum(loc)) => Definition::Enum(loc),
        // Outside types, a name only resolves in a body (handled above), or as the owner
        // of an associated function (`fn Point.new`), which is a type too.
        _ => return None,
    };
    Some(Found { definition, range, expr: None })
}

/// What the name at `range` means in the innermost expression `expr` around it.
fn in_expr(
    ctx: &Ctx<'_>,
    view: &BodyView<'_>,
    expr: ExprId,
    range: TextRange,
    text: &str,
) -> Option<Definition> {
    let starts_expr =
        view.map.exprs.get(expr).map(|r| r.start() + view.offset) == Some(range.start());
    match &view.body.exprs[expr] {
        Expr::Local(local) => Some(Definition::Local(view.id.owner(ctx.db), *local)),
        // `Shape.Circle`, `Point.new`: the first segment names the type.
        Expr::Path { ty, .. } if starts_expr && **ty == *text => type_named(ctx, text),
        Expr::StructLit { name, .. } => {
            if starts_expr && **name == *text {
                return type_named(ctx, text);
            }
            let Ty::Struct(loc) = view.expr_type(expr) else { return None };
            let fields = &item_tree(ctx.db, loc.file).structs.get(loc.index as usize)?.fields;
            let field = fields.iter().position(|(f, _)| **f == *text)?;
            Some(Definition::Field(*loc, field as u32))
        }
        Expr::Field { base, .. } | Expr::MethodCall { receiver: base, .. } => {
            match view.infer.resolutions.get(expr)? {
                Resolution::Field(index) => match view.expr_type(*base) {
                    Ty::Struct(loc) => Some(Definition::Field(*loc, *index)),
                    _ => None,
                },
                other => resolution(*other),
            }
        }
        _ => resolution(*view.infer.resolutions.get(expr)?),
    }
}

/// The definition a resolution of inference names.
fn resolution(resolution: Resolution) -> Option<Definition> {
    Some(match resolution {
        Resolution::Function(loc) => Definition::Function(loc),
        Resolution::Extern(loc) => Definition::Extern(loc),
        Resolution::Const(loc) => Definition::Const(loc),
        Resolution::Builtin(builtin) => Definition::Builtin(builtin),
        Resolution::Variant(loc, index) => Definition::Variant(loc, index),
        Resolution::Method(method) => Definition::BuiltinMethod(method),
        // A field needs the base's type; a builtin variant is not in the source.
        Resolution::Field(_) | Resolution::BuiltinVariant(_) => return None,
    })
}

/// `Shape.Circle(r)` in a pattern: the enum or the variant.
fn in_pattern(
    ctx: &Ctx<'_>,
    view: &BodyView<'_>,
    range: TextRange,
    text: &str,
) -> Option<Definition> {
    let pat = innermost(&view.map.pats, range.checked_sub(view.offset)?)?;
    let Pat::Variant { ty, variant, .. } = &view.body.pats[pat] else { return None };
    let starts = view.map.pats.get(pat).map(|r| r.start() + view.offset) == Some(range.start());
    if starts && &**ty == text && !ty.is_empty() {
        return type_named(ctx, text);
    }
    if &**variant != text {
        return None;
    }
    let Some(ItemRef::Enum(loc)) = program_scope(ctx.db, Program::get(ctx.db)).get(ty) else {
        return None;
    };
    let variants = &item_tree(ctx.db, loc.file).enums[loc.index as usize].variants;
    let index = variants.iter().position(|(v, _)| **v == *text)?;
    Some(Definition::Variant(loc, index as u32))
}

/// The struct or enum called `name`.
fn type_named(ctx: &Ctx<'_>, name: &str) -> Option<Definition> {
    match program_scope(ctx.db, Program::get(ctx.db)).get(name)? {
        ItemRef::Struct(loc) => Some(Definition::Struct(loc)),
        ItemRef::Enum(loc) => Some(Definition::Enum(loc)),
        _ => None,
    }
}

/// Whether `range` is the defining name of an item of `file`.
fn is_item_name(ctx: &Ctx<'_>, file: SourceFile, range: TextRange) -> bool {
    item_named_at(ctx, file, range).is_some()
}

/// The item of `file` whose defining name is at `range`.
fn item_named_at(ctx: &Ctx<'_>, file: SourceFile, range: TextRange) -> Option<Definition> {
    let map = item_source_map(ctx.db, file);
    let at = |kind| map.entry_named_at(kind, range);
    if let Some(index) = at(ItemKind::Function) {
        return Some(Definition::Function(FunctionLoc { file, index }));
    }
    if let Some(index) = at(ItemKind::Struct) {
        return Some(Definition::Struct(StructLoc { file, index }));
    }
    if let Some(index) = at(ItemKind::Enum) {
        return Some(Definition::Enum(EnumLoc { file, index }));
    }
    if let Some(index) = at(ItemKind::Const) {
        return Some(Definition::Const(ConstLoc { file, index }));
    }
    if let Some(index) = at(ItemKind::Extern) {
        return Some(Definition::Extern(ExternLoc { file, index }));
    }
    if let Some((index, field)) = map.member_named_at(ItemKind::Struct, range) {
        return Some(Definition::Field(StructLoc { file, index }, field));
    }
    let (index, variant) = map.member_named_at(ItemKind::Enum, range)?;
    Some(Definition::Variant(EnumLoc { file, index }, variant))
}

impl Ctx<'_> {
    /// Where `definition` is written, if it is written in the program.
    pub(super) fn navigation_target(&self, definition: &Definition) -> Option<NavigationTarget> {
        let target = |file: SourceFile, name: &str, full: TextRange, focus: TextRange| {
            Some(NavigationTarget {
                path: self.path(file),
                name: name.to_owned(),
                full_range: full,
                focus_range: focus,
            })
        };
        match *definition {
            Definition::Local(owner, local) => {
                let id = BodyId::new(self.db, owner);
                let view = BodyView::new(self, id);
                let focus = view.absolute(*view.map.locals.get(local)?);
                let file = owner_file(owner);
                target(file, &view.body.locals[local].name, focus, focus)
            }
            Definition::Function(loc) => {
                let map = item_source_map(self.db, loc.file);
                let name = &item_tree(self.db, loc.file).functions.get(loc.index as usize)?.name;
                let place = map.place(ItemKind::Function, loc.index)?;
                target(loc.file, name, place.range, place.name)
            }
            Definition::Struct(loc) => {
                let map = item_source_map(self.db, loc.file);
                let name = &item_tree(self.db, loc.file).structs.get(loc.index as usize)?.name;
                let place = map.place(ItemKind::Struct, loc.index)?;
                target(loc.file, name, place.range, place.name)
            }
            Definition::Field(loc, field) => {
                let map = item_source_map(self.db, loc.file);
                let tree = item_tree(self.db, loc.file);
                let name = &tree.structs.get(loc.index as usize)?.fields.get(field as usize)?.0;
                let focus = *map.place(ItemKind::Struct, loc.index)?.members.get(field as usize)?;
                target(loc.file, name, focus, focus)
            }
            Definition::Enum(loc) => {
                let map = item_source_map(self.db, loc.file);
                let name = &item_tree(self.db, loc.file).enums.get(loc.index as usize)?.name;
                let place = map.place(ItemKind::Enum, loc.index)?;
                target(loc.file, name, place.range, place.name)
            }
            Definition::Variant(loc, variant) => {
                let map = item_source_map(self.db, loc.file);
                let tree = item_tree(self.db, loc.file);
                let name = &tree.enums.get(loc.index as usize)?.variants.get(variant as usize)?.0;
                let focus = *map.place(ItemKind::Enum, loc.index)?.members.get(variant as usize)?;
                target(loc.file, name, focus, focus)
            }
            Definition::Const(loc) => {
                let map = item_source_map(self.db, loc.file);
                let name = &item_tree(self.db, loc.file).consts.get(loc.index as usize)?.name;
                let place = map.place(ItemKind::Const, loc.index)?;
                target(loc.file, name, place.range, place.name)
            }
            Definition::Extern(loc) => {
                let map = item_source_map(self.db, loc.file);
                let name = &item_tree(self.db, loc.file).externs.get(loc.index as usize)?.name;
                let place = map.place(ItemKind::Extern, loc.index)?;
                target(loc.file, name, place.range, place.name)
            }
            Definition::Builtin(_) | Definition::BuiltinMethod(_) => None,
        }
    }
}

/// The file a body belongs to.
pub(super) fn owner_file(owner: BodyOwner) -> SourceFile {
    match owner {
        BodyOwner::Function(loc) => loc.file,
        BodyOwner::Const(loc) => loc.file,
    }
}
