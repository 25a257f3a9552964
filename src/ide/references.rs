//! Find references and rename: every identifier spelled like the definition's name, in
//! the files where it can be used, that classifies to the same definition.
//!
//! Searching by text first and resolving second (as rust-analyzer does) keeps the cost
//! proportional to the occurrences of the name, not to the size of the program: files
//! that do not contain the name are skipped by a substring test.

use std::collections::BTreeMap;

use vex_hir::item_tree::parse;
use vex_hir::{Program, SourceFile};
use vex_syntax::{SyntaxKind, TextRange, TextSize};

use super::classify::{Definition, classify, owner_file};
use super::{Ctx, FileEdits, FileRange};
use crate::diagnostics::TextEdit;

/// Why a rename was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenameError {
    /// There is no local or item name at the position.
    #[error("there is nothing to rename here")]
    NothingToRename,
    /// The name is a builtin, which is not defined in the program.
    #[error("`{0}` is a builtin and cannot be renamed")]
    Builtin(String),
    /// The new name is not an identifier (or is a keyword).
    #[error("`{0}` is not a valid name")]
    InvalidName(String),
}

pub(super) fn references(
    ctx: &Ctx<'_>,
    file: SourceFile,
    offset: TextSize,
    include_declaration: bool,
) -> Option<Vec<FileRange>> {
    let found = classify(ctx, file, offset)?;
    let target = ctx.navigation_target(&found.definition)?;
    let mut out = Vec::new();
    let declaration = FileRange { path: target.path.clone(), range: target.focus_range };
    for (file, range) in uses(ctx, &found.definition, &target.name) {
        let reference = FileRange { path: ctx.path(file), range };
        if reference != declaration {
            out.push(reference);
        }
    }
    out.sort_by(|a, b| {
        (&a.path, a.range.start(), a.range.end()).cmp(&(&b.path, b.range.start(), b.range.end()))
    });
    if include_declaration {
        out.insert(0, declaration);
    }
    Some(out)
}

/// The ranges of the identifiers spelled `name` that refer to `definition` (its
/// defining name included), file by file in the program's order.
fn uses(ctx: &Ctx<'_>, definition: &Definition, name: &str) -> Vec<(SourceFile, TextRange)> {
    let (files, within) = match definition {
        // A local is visible only in its body.
        Definition::Local(owner, _) => {
            let file = owner_file(*owner);
            let body = body_at_owner(ctx, file, *owner);
            (vec![file], body)
        }
        _ => (Program::get(ctx.db).files(ctx.db).clone(), None),
    };
    let mut out = Vec::new();
    for file in files {
        if !file.text(ctx.db).contains(name) {
            continue;
        }
        let root = parse(ctx.db, file).syntax_node();
        for token in root.descendants_with_tokens().filter_map(|e| e.into_token()) {
            if token.kind() != SyntaxKind::IDENT || token.text() != name {
                continue;
            }
            let range = token.text_range();
            if within.is_some_and(|w| !w.contains_range(range)) {
                continue;
            }
            if classify(ctx, file, range.start()).is_some_and(|f| f.definition == *definition) {
                out.push((file, range));
            }
        }
    }
    out
}

/// The range of the item that owns a body.
fn body_at_owner(
    ctx: &Ctx<'_>,
    file: SourceFile,
    owner: vex_hir::lower::BodyOwner,
) -> Option<TextRange> {
    use vex_hir::item_tree::ItemKind;
    let map = vex_hir::item_tree::item_source_map(ctx.db, file);
    match owner {
        vex_hir::lower::BodyOwner::Function(loc) => map.range(ItemKind::Function, loc.index),
        vex_hir::lower::BodyOwner::Const(loc) => map.range(ItemKind::Const, loc.index),
    }
}

pub(super) fn rename(
    ctx: &Ctx<'_>,
    file: SourceFile,
    offset: TextSize,
    new_name: &str,
) -> Result<Vec<FileEdits>, RenameError> {
    if !is_identifier(new_name) {
        return Err(RenameError::InvalidName(new_name.to_owned()));
    }
    let found = classify(ctx, file, offset).ok_or(RenameError::NothingToRename)?;
    if let Definition::Builtin(_) | Definition::BuiltinMethod(_) = found.definition {
        let text = &file.text(ctx.db)[found.range];
        return Err(RenameError::Builtin(text.trim_start_matches('$').to_owned()));
    }
    let target = ctx.navigation_target(&found.definition).ok_or(RenameError::NothingToRename)?;
    let mut by_file: BTreeMap<String, Vec<TextEdit>> = BTreeMap::new();
    for (file, range) in uses(ctx, &found.definition, &target.name) {
        let edit = TextEdit { range, insert: new_name.to_owned() };
        by_file.entry(ctx.path(file)).or_default().push(edit);
    }
    let declaration = TextEdit { range: target.focus_range, insert: new_name.to_owned() };
    let edits = by_file.entry(target.path).or_default();
    if !edits.contains(&declaration) {
        edits.push(declaration);
    }
    Ok(by_file
        .into_iter()
        .map(|(path, mut edits)| {
            edits.sort_by_key(|e| e.range.start());
            FileEdits { path, edits }
        })
        .collect())
}

/// Whether `name` lexes as exactly one identifier (keywords are not identifiers).
fn is_identifier(name: &str) -> bool {
    let (tokens, errors) = vex_syntax::lex(name);
    errors.is_empty()
        && matches!(tokens.as_slice(), [token] if token.kind == SyntaxKind::IDENT
            && usize::from(token.range.len()) == name.len())
}
