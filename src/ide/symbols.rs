//! The outline of a file: its items, with fields and variants as children.

use vex_hir::SourceFile;
use vex_hir::item_tree::{ItemKind, item_source_map, item_tree};
use vex_syntax::TextRange;

use super::Ctx;
use super::classify::Definition;
use super::hover::signature;
use vex_hir::ids::{ConstLoc, EnumLoc, ExternLoc, FunctionLoc, StructLoc};

/// One entry of a file's outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// The name: `main`, `Point.new` for an associated function, `norm2` for a method.
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// Its declaration (the signature of a function, the type of a field or constant).
    pub detail: Option<String>,
    /// The whole item.
    pub range: TextRange,
    /// Its defining name.
    pub selection_range: TextRange,
    /// Fields of a struct, variants of an enum.
    pub children: Vec<Symbol>,
}

/// The kind of a [`Symbol`] (and of a completion).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SymbolKind {
    /// A free or associated function.
    Function,
    /// A method (`fn (self: T) name`).
    Method,
    /// A struct.
    Struct,
    /// A field of a struct.
    Field,
    /// An enum.
    Enum,
    /// A variant of an enum.
    Variant,
    /// A constant.
    Const,
    /// An `extern "C"` function.
    Extern,
}

pub(super) fn symbols(ctx: &Ctx<'_>, file: SourceFile) -> Vec<Symbol> {
    let tree = item_tree(ctx.db, file);
    let map = item_source_map(ctx.db, file);
    let detail = |definition: Definition| signature(ctx, &definition);
    let mut out = Vec::new();
    for (i, f) in tree.functions.iter().enumerate() {
        let index = i as u32;
        let Some(place) = map.place(ItemKind::Function, index) else { continue };
        let kind = if f.receiver.is_some() { SymbolKind::Method } else { SymbolKind::Function };
        let name = match &f.owner {
            Some(owner) => format!("{owner}.{}", f.name),
            None => f.name.to_string(),
        };
        out.push(Symbol {
            name,
            kind,
            detail: detail(Definition::Function(FunctionLoc { file, index })),
            range: place.range,
            selection_range: place.name,
            children: Vec::new(),
        });
    }
    for (i, s) in tree.structs.iter().enumerate() {
        let loc = StructLoc { file, index: i as u32 };
        let Some(place) = map.place(ItemKind::Struct, loc.index) else { continue };
        let children = s
            .fields
            .iter()
            .zip(&place.members)
            .enumerate()
            .map(|(field, ((name, _), &range))| Symbol {
                name: name.to_string(),
                kind: SymbolKind::Field,
                detail: detail(Definition::Field(loc, field as u32)),
                range,
                selection_range: range,
                children: Vec::new(),
            })
            .collect();
        out.push(Symbol {
            name: s.name.to_string(),
            kind: SymbolKind::Struct,
            detail: None,
            range: place.range,
            selection_range: place.name,
            children,
        });
    }
    for (i, e) in tree.enums.iter().enumerate() {
        let loc = EnumLoc { file, index: i as u32 };
        let Some(place) = map.place(ItemKind::Enum, loc.index) else { continue };
        let children = e
            .variants
            .iter()
            .zip(&place.members)
            .enumerate()
            .map(|(variant, ((name, _), &range))| Symbol {
                name: name.to_string(),
                kind: SymbolKind::Variant,
                detail: detail(Definition::Variant(loc, variant as u32)),
                range,
                selection_range: range,
                children: Vec::new(),
            })
            .collect();
        out.push(Symbol {
            name: e.name.to_string(),
            kind: SymbolKind::Enum,
            detail: None,
            range: place.range,
            selection_range: place.name,
            children,
        });
    }
    for (i, c) in tree.consts.iter().enumerate() {
        let Some(place) = map.place(ItemKind::Const, i as u32) else { continue };
        out.push(Symbol {
            name: c.name.to_string(),
            kind: SymbolKind::Const,
            detail: detail(Definition::Const(ConstLoc { file, index: i as u32 })),
            range: place.range,
            selection_range: place.name,
            children: Vec::new(),
        });
    }
    for (i, e) in tree.externs.iter().enumerate() {
        let Some(place) = map.place(ItemKind::Extern, i as u32) else { continue };
        out.push(Symbol {
            name: e.name.to_string(),
            kind: SymbolKind::Extern,
            detail: detail(Definition::Extern(ExternLoc { file, index: i as u32 })),
            range: place.range,
            selection_range: place.name,
            children: Vec::new(),
        });
    }
    out.sort_by_key(|s| s.range.start());
    out
}
