//! Hover: the signature of the item a name refers to, the type of a local, or the type
//! of the innermost expression under the cursor.

use vex_hir::item_tree::{ParamData, item_tree, type_ref_text};
use vex_hir::lower::BodyId;
use vex_hir::signature::display_ty;
use vex_hir::{SourceFile, Ty};
use vex_syntax::{TextRange, TextSize};

use super::Ctx;
use super::classify::{BodyView, Definition, body_at, classify};

/// What an editor shows on hover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    /// The range the hover is about (a name, or an expression).
    pub range: TextRange,
    /// Markdown: a `vex` code block with the signature or type, then what the thing is.
    pub markdown: String,
}

pub(super) fn hover(ctx: &Ctx<'_>, file: SourceFile, offset: TextSize) -> Option<Hover> {
    if let Some(found) = classify(ctx, file, offset) {
        let code = match found.definition {
            Definition::Builtin(builtin) => {
                // Builtins have no declaration to show; their type at this use, if a
                // value, says how they are called.
                let ty = found.expr.and_then(|(id, expr)| {
                    let view = BodyView::new(ctx, id);
                    match view.expr_type(expr) {
                        ty @ Ty::Fn(_) => Some(display_ty(ctx.db, ty)),
                        _ => None,
                    }
                });
                match ty {
                    Some(ty) => format!("(builtin) {}: {ty}", builtin.name()),
                    None => format!("(builtin) {}", builtin.name()),
                }
            }
            Definition::BuiltinMethod(_) => {
                let (id, expr) = found.expr?;
                let view = BodyView::new(ctx, id);
                let vex_hir::body::Expr::MethodCall { receiver, method, .. } =
                    &view.body.exprs[expr]
                else {
                    return None;
                };
                let receiver = display_ty(ctx.db, view.expr_type(*receiver));
                let result = display_ty(ctx.db, view.expr_type(expr));
                format!("(builtin method) {receiver}.{method}(…): {result}")
            }
            definition => signature(ctx, &definition)?,
        };
        return Some(Hover { range: found.range, markdown: block(&code) });
    }
    // Not a name: the type of the innermost expression, when the cursor is on a token
    // of it (not on blank space or a comment, and not just inside a block).
    let root = vex_hir::item_tree::parse(ctx.db, file).syntax_node();
    if offset >= root.text_range().end() {
        return None;
    }
    let token = root.token_at_offset(offset).right_biased()?;
    if token.kind().is_trivia() {
        return None;
    }
    let id: BodyId<'_> = body_at(ctx, file, offset)?;
    let view = BodyView::new(ctx, id);
    let expr = view.expr_at(TextRange::empty(offset))?;
    let ty = view.expr_type(expr);
    if *ty == Ty::Error || matches!(view.body.exprs[expr], vex_hir::body::Expr::Block { .. }) {
        return None;
    }
    let range = view.absolute(*view.map.exprs.get(expr)?);
    Some(Hover { range, markdown: block(&display_ty(ctx.db, ty)) })
}

fn block(code: &str) -> String {
    format!("```vex\n{code}\n```")
}

/// The declaration of `definition` as Vex source writes it (without bodies).
pub(super) fn signature(ctx: &Ctx<'_>, definition: &Definition) -> Option<String> {
    let db = ctx.db;
    Some(match *definition {
        Definition::Local(owner, local) => {
            let view = BodyView::new(ctx, BodyId::new(db, owner));
            let data = &view.body.locals[local];
            let bang = if data.mutable { "!" } else { "" };
            let ty = display_ty(db, view.infer.type_of_local(local));
            format!("let{bang} {}: {ty}", data.name)
        }
        Definition::Function(loc) => {
            let tree = item_tree(db, loc.file);
            let f = tree.functions.get(loc.index as usize)?;
            let mut out = String::with_capacity(64);
            if f.is_async {
                out.push_str("async ");
            }
            out.push_str("fn ");
            if let Some(receiver) = &f.receiver {
                out.push('(');
                param(&mut out, receiver);
                out.push_str(") ");
            }
            if let Some(owner) = &f.owner {
                out.push_str(owner);
                out.push('.');
            }
            out.push_str(&f.name);
            params(&mut out, &f.params);
            ret(&mut out, f.ret.as_ref());
            out
        }
        Definition::Extern(loc) => {
            let tree = item_tree(db, loc.file);
            let f = tree.externs.get(loc.index as usize)?;
            let mut out = format!("extern \"C\" fn {}", f.name);
            params(&mut out, &f.params);
            ret(&mut out, f.ret.as_ref());
            out
        }
        Definition::Struct(loc) => {
            let tree = item_tree(db, loc.file);
            let s = tree.structs.get(loc.index as usize)?;
            let fields: Vec<String> =
                s.fields.iter().map(|(n, t)| format!("    {n}: {},", type_ref_text(t))).collect();
            if fields.is_empty() {
                format!("struct {} {{}}", s.name)
            } else {
                format!("struct {} {{\n{}\n}}", s.name, fields.join("\n"))
            }
        }
        Definition::Field(loc, field) => {
            let tree = item_tree(db, loc.file);
            let s = tree.structs.get(loc.index as usize)?;
            let (name, ty) = s.fields.get(field as usize)?;
            format!("{}.{name}: {}", s.name, type_ref_text(ty))
        }
        Definition::Enum(loc) => {
            let tree = item_tree(db, loc.file);
            let e = tree.enums.get(loc.index as usize)?;
            let variants: Vec<String> = (0..e.variants.len())
                .map(|i| format!("    {},", variant(&e.variants[i])))
                .collect();
            format!("enum {} {{\n{}\n}}", e.name, variants.join("\n"))
        }
        Definition::Variant(loc, index) => {
            let tree = item_tree(db, loc.file);
            let e = tree.enums.get(loc.index as usize)?;
            format!("{}.{}", e.name, variant(e.variants.get(index as usize)?))
        }
        Definition::Const(loc) => {
            let tree = item_tree(db, loc.file);
            let c = tree.consts.get(loc.index as usize)?;
            format!("const {}: {}", c.name, type_ref_text(&c.ty))
        }
        Definition::Builtin(builtin) => format!("(builtin) {}", builtin.name()),
        Definition::BuiltinMethod(_) => return None,
    })
}

/// Appends `name!: T`.
fn param(out: &mut String, p: &ParamData) {
    out.push_str(&p.name);
    if p.mutable {
        out.push('!');
    }
    out.push_str(": ");
    out.push_str(&type_ref_text(&p.ty));
}

/// Appends `(a: T, b: U)`.
fn params(out: &mut String, list: &[ParamData]) {
    out.push('(');
    for (i, p) in list.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        param(out, p);
    }
    out.push(')');
}

/// Appends `: R` for a declared result type.
fn ret(out: &mut String, ty: Option<&vex_hir::body::TypeRef>) {
    if let Some(ty) = ty {
        out.push_str(": ");
        out.push_str(&type_ref_text(ty));
    }
}

fn variant((name, payload): &(Box<str>, Vec<vex_hir::body::TypeRef>)) -> String {
    if payload.is_empty() {
        name.to_string()
    } else {
        let types: Vec<String> = payload.iter().map(type_ref_text).collect();
        format!("{name}({})", types.join(", "))
    }
}
