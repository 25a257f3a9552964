//! Completion: what may be written at a position.
//!
//! After `value.` the members of the value's type (fields, the program's methods on
//! it, the builtin types' methods); after `Type.` its variants and associated
//! functions; anywhere else the locals in scope, the program's items, the builtins and
//! the keywords. The editor filters by the prefix typed so far; the list is sorted by
//! kind, then name.

use vex_hir::body::{Expr, LocalId};
use vex_hir::builtins::{Builtin, BuiltinMethod, MethodReceiver};
use vex_hir::item_tree::item_tree;
use vex_hir::scope::{ItemRef, program_scope};
use vex_hir::signature::{display_ty, struct_fields};
use vex_hir::{Program, SourceFile, Ty};
use vex_syntax::{SyntaxKind, TextRange, TextSize};

use super::Ctx;
use super::classify::{BodyView, Definition, body_at};
use super::hover::signature;

/// One completion candidate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Completion {
    /// What it is (sorts before the label: locals first, keywords last).
    pub kind: CompletionKind,
    /// The text to insert.
    pub label: String,
    /// Its type or signature.
    pub detail: Option<String>,
}

/// The kind of a [`Completion`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CompletionKind {
    /// A local variable or parameter.
    Local,
    /// A field of a struct.
    Field,
    /// A method (of the program, or of a builtin type).
    Method,
    /// A variant of an enum.
    Variant,
    /// A function of the program (free or associated).
    Function,
    /// A struct.
    Struct,
    /// An enum.
    Enum,
    /// A constant.
    Const,
    /// An `extern "C"` function.
    Extern,
    /// A builtin function.
    Builtin,
    /// A keyword.
    Keyword,
}

pub(super) fn completions(ctx: &Ctx<'_>, file: SourceFile, offset: TextSize) -> Vec<Completion> {
    let text = file.text(ctx.db);
    let Some(offset) = clamp_to_char(text, offset) else { return Vec::new() };
    let before = &text[..usize::from(offset)];
    let prefix_start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_alphanumeric() || c == '_')
        .last()
        .map_or(before.len(), |(i, _)| i);
    // The part of the name typed so far filters the candidates as editors do: its
    // characters in order, case-insensitively, the first one first. It is applied
    // before a candidate's detail is computed: in a large program most names fail it.
    let typed = &before[prefix_start..];
    let accept = |label: &str| fuzzy_match(typed, label);
    let mut out = if before[..prefix_start].ends_with('.') {
        let dot = TextSize::new(prefix_start as u32 - 1);
        members(ctx, file, dot)
    } else if before[..prefix_start].ends_with('$') {
        builtins()
    } else {
        let mut out = locals(ctx, file, offset);
        out.extend(items(ctx, &accept));
        out.extend(builtins());
        out.extend(keywords());
        out
    };
    out.retain(|c| accept(&c.label));
    out.sort_unstable_by(|a, b| (a.kind, &a.label).cmp(&(b.kind, &b.label)));
    out.dedup_by(|a, b| a.kind == b.kind && a.label == b.label);
    out
}

/// Whether `label` starts with the first character of `typed` and contains the rest in
/// order (case-insensitively); an empty `typed` matches everything.
fn fuzzy_match(typed: &str, label: &str) -> bool {
    if typed.is_empty() {
        return true;
    }
    let mut wanted = typed.chars().flat_map(char::to_lowercase).peekable();
    let mut chars = label.chars().flat_map(char::to_lowercase);
    if let Some(&first) = wanted.peek()
        && chars.next() != Some(first)
    {
        return false;
    }
    wanted.next();
    for c in chars {
        if wanted.peek() == Some(&c) {
            wanted.next();
        }
    }
    wanted.peek().is_none()
}

/// `offset` moved back onto a character boundary, or `None` past the end.
fn clamp_to_char(text: &str, offset: TextSize) -> Option<TextSize> {
    let mut at = usize::from(offset);
    if at > text.len() {
        return None;
    }
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    Some(TextSize::new(at as u32))
}

/// What may follow the `.` at `dot`.
fn members(ctx: &Ctx<'_>, file: SourceFile, dot: TextSize) -> Vec<Completion> {
    let text = file.text(ctx.db);
    let word_start = text[..usize::from(dot)]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_alphanumeric() || c == '_')
        .last()
        .map(|(i, _)| i);
    let word = word_start.map(|i| &text[i..usize::from(dot)]);
    if let Some(id) = body_at(ctx, file, dot) {
        let view = BodyView::new(ctx, id);
        // The receiver: the access whose `.` this is (`x.` lowers to a field access
        // with a missing name), or the expression that ends at the dot.
        let receiver = match view.expr_at(TextRange::at(dot, 1.into())).map(|e| &view.body.exprs[e])
        {
            Some(Expr::Field { base, .. } | Expr::MethodCall { receiver: base, .. }) => Some(*base),
            Some(Expr::Path { ty, .. }) if Some(&**ty) == word => None,
            _ => ending_at(&view, dot),
        };
        if let Some(receiver) = receiver {
            let ty = view.expr_type(receiver);
            if *ty != Ty::Error {
                return members_of(ctx, ty);
            }
        }
    }
    // `Type.`: variants and associated functions.
    word.map(|w| associated(ctx, w)).unwrap_or_default()
}

/// The outermost expression of `view` that ends right at `at` (file coordinates).
fn ending_at(view: &BodyView<'_>, at: TextSize) -> Option<vex_hir::body::ExprId> {
    view.map
        .exprs
        .iter()
        .filter(|(_, r)| view.absolute(**r).end() == at)
        .max_by_key(|(_, r)| r.len())
        .map(|(id, _)| id)
}

/// Fields and methods of a value of type `ty`.
fn members_of(ctx: &Ctx<'_>, ty: &Ty) -> Vec<Completion> {
    let db = ctx.db;
    let mut out = Vec::new();
    if let Ty::Struct(loc) = ty {
        for (name, field_ty) in struct_fields(db, *loc) {
            out.push(Completion {
                kind: CompletionKind::Field,
                label: name.to_string(),
                detail: Some(display_ty(db, &field_ty)),
            });
        }
    }
    if let Some(type_name) = vex_hir::signature::type_name(db, ty) {
        let scope = program_scope(db, Program::get(db));
        for ((receiver, name), &loc) in &scope.methods {
            if **receiver == *type_name {
                out.push(Completion {
                    kind: CompletionKind::Method,
                    label: name.to_string(),
                    detail: signature(ctx, &Definition::Function(loc)),
                });
            }
        }
    }
    let receiver = MethodReceiver::of(ty);
    for name in BuiltinMethod::names(receiver).chain(["toString"]) {
        out.push(Completion {
            kind: CompletionKind::Method,
            label: name.to_owned(),
            detail: Some(format!("(builtin method of {})", display_ty(db, ty))),
        });
    }
    out
}

/// Variants and associated functions of the type called `name`.
fn associated(ctx: &Ctx<'_>, name: &str) -> Vec<Completion> {
    let db = ctx.db;
    let scope = program_scope(db, Program::get(db));
    let mut out = Vec::new();
    if let Some(ItemRef::Enum(loc)) = scope.get(name) {
        let variants = &item_tree(db, loc.file).enums[loc.index as usize].variants;
        for index in 0..variants.len() as u32 {
            let definition = Definition::Variant(loc, index);
            out.push(Completion {
                kind: CompletionKind::Variant,
                label: variants[index as usize].0.to_string(),
                detail: signature(ctx, &definition),
            });
        }
    }
    for ((owner, member), &loc) in &scope.associated {
        if **owner == *name {
            out.push(Completion {
                kind: CompletionKind::Function,
                label: member.to_string(),
                detail: signature(ctx, &Definition::Function(loc)),
            });
        }
    }
    for &(ty, member, builtin) in Builtin::ASSOCIATED {
        if ty == name {
            out.push(Completion {
                kind: CompletionKind::Builtin,
                label: member.to_owned(),
                detail: Some(format!("(builtin) {}", builtin.name())),
            });
        }
    }
    out
}

/// The locals visible at `offset`: parameters, and bindings defined before it whose
/// scope (the innermost block, loop, `if`, `match` or closure around the definition)
/// contains it; of two with the same name, the later one (it shadows).
fn locals(ctx: &Ctx<'_>, file: SourceFile, offset: TextSize) -> Vec<Completion> {
    let Some(id) = body_at(ctx, file, offset) else { return Vec::new() };
    let view = BodyView::new(ctx, id);
    let mut visible: Vec<(TextSize, LocalId)> = Vec::new();
    for (local, &range) in view.map.locals.iter() {
        let range = view.absolute(range);
        let is_param = view.body.params.contains(&local);
        if !is_param && (range.end() > offset || !in_scope(&view, range, offset)) {
            continue;
        }
        visible.push((range.start(), local));
    }
    visible.sort();
    let mut out: Vec<Completion> = Vec::new();
    for (_, local) in visible.into_iter().rev() {
        let name = view.body.locals[local].name.to_string();
        if out.iter().any(|c| c.label == name) {
            continue;
        }
        let ty = view.infer.type_of_local(local);
        out.push(Completion {
            kind: CompletionKind::Local,
            label: name,
            detail: (*ty != Ty::Error).then(|| display_ty(ctx.db, ty)),
        });
    }
    out
}

/// Whether the scope of the binding defined at `definition` contains `offset`.
fn in_scope(view: &BodyView<'_>, definition: TextRange, offset: TextSize) -> bool {
    let scope = view
        .map
        .exprs
        .iter()
        .filter(|(id, r)| {
            view.absolute(**r).contains_range(definition)
                && matches!(
                    view.body.exprs[*id],
                    Expr::Block { .. }
                        | Expr::For { .. }
                        | Expr::While { .. }
                        | Expr::If { .. }
                        | Expr::Match { .. }
                        | Expr::Closure { .. }
                        | Expr::Go { .. }
                )
        })
        .min_by_key(|(_, r)| r.len());
    scope.is_none_or(|(_, r)| view.absolute(*r).contains_inclusive(offset))
}

/// The program's items whose names `accept` takes.
fn items(ctx: &Ctx<'_>, accept: &dyn Fn(&str) -> bool) -> Vec<Completion> {
    let scope = program_scope(ctx.db, Program::get(ctx.db));
    scope
        .items
        .iter()
        .filter(|(name, _)| accept(name))
        .map(|(name, &item)| {
            let (kind, definition) = match item {
                ItemRef::Function(loc) => (CompletionKind::Function, Definition::Function(loc)),
                ItemRef::Struct(loc) => (CompletionKind::Struct, Definition::Struct(loc)),
                ItemRef::Enum(loc) => (CompletionKind::Enum, Definition::Enum(loc)),
                ItemRef::Const(loc) => (CompletionKind::Const, Definition::Const(loc)),
                ItemRef::Extern(loc) => (CompletionKind::Extern, Definition::Extern(loc)),
            };
            let detail = match definition {
                // A type's whole declaration is too long for a completion line.
                Definition::Struct(_) | Definition::Enum(_) => None,
                _ => signature(ctx, &definition),
            };
            Completion { kind, label: name.to_string(), detail }
        })
        .collect()
}

/// The builtin functions (without `$`).
fn builtins() -> Vec<Completion> {
    Builtin::BY_NAME
        .iter()
        .map(|&(name, builtin)| Completion {
            kind: CompletionKind::Builtin,
            label: name.to_owned(),
            detail: Some(format!("(builtin) {}", builtin.name())),
        })
        .collect()
}

/// The keywords.
fn keywords() -> Vec<Completion> {
    SyntaxKind::ALL
        .iter()
        .filter(|k| k.is_keyword())
        .filter_map(|k| k.fixed_text())
        .filter(|t| *t != "_")
        .map(|t| Completion { kind: CompletionKind::Keyword, label: t.to_owned(), detail: None })
        .collect()
}
