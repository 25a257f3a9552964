//! Collecting every diagnostic of a file: syntax, items, and each body.
//!
//! This is where positionless results (inference diagnostics pointing at HIR nodes,
//! signature types that failed to resolve) meet the source maps and become
//! [`Diagnostic`]s with spans. It runs per file. The diagnostics of items and of bodies
//! are found relative to their item, so an edit that only moves items finds nothing
//! again: the items' part is a query that reads no positions (`item_diagnostics`), and
//! the bodies' part is kept from the last run with each body's syntax
//! ([`BodyDiagnosticsCache`]), so that after an edit only the bodies whose syntax
//! changed are looked at (each through the memoised lowering and inference). Both are
//! then placed by the item source map.

use std::sync::Arc;

use vex_syntax::TextRange;

use crate::body::BodySourceMap;
use crate::db::{Db, Program, SourceFile};
use crate::diagnostics::{Code, Diagnostic, Fix, TextEdit};
use crate::ids::{ConstLoc, EnumLoc, FunctionLoc, StructLoc};
use crate::infer::{FixAt, HirNode, InferDiagnostic, infer};
use crate::item_tree::{
    ItemKind, ItemSourceMap, ItemTree, SharedGreen, item_greens, item_layout, item_source_map,
    item_tree, parse,
};
use crate::lower::{BodyId, BodyOwner, body_offset, body_source_map};
use crate::scope::duplicate_item_diagnostics;
use crate::signature::{
    display_ty, enum_variants, extern_signature, resolve_type, signature_of, struct_fields,
};
use crate::ty::{IntTy, Ty};

/// Every diagnostic of `file`, in source order.
pub fn file_diagnostics(db: &dyn Db, file: SourceFile) -> Vec<Diagnostic> {
    file_diagnostics_query(db, file).clone()
}

/// The memoised form of [`file_diagnostics`].
#[salsa::tracked(returns(ref))]
fn file_diagnostics_query(db: &dyn Db, file: SourceFile) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> =
        parse(db, file).errors().iter().map(Diagnostic::from_syntax_error).collect();
    let map = item_source_map(db, file);
    diagnostics.extend(
        item_diagnostics(db, file)
            .iter()
            .map(|(ordinal, d)| d.clone().shifted(map.start_of_item(*ordinal))),
    );
    diagnostics.extend(duplicate_item_diagnostics(db, Program::get(db), file));
    bodies_diagnostics(db, file, map, &mut diagnostics);
    diagnostics.sort_by_key(|d| (d.range.start(), d.range.end()));
    diagnostics
}

/// The item trees of every file of the program. With a body's syntax they decide the
/// body's diagnostics: inference reads only its own body and the program's items.
#[derive(Debug, PartialEq, Eq)]
struct ProgramItems(Vec<(SourceFile, Arc<ItemTree>)>);

impl ProgramItems {
    fn of(db: &dyn Db) -> ProgramItems {
        let files = Program::get(db).files(db);
        ProgramItems(files.iter().map(|&file| (file, Arc::clone(item_tree(db, file)))).collect())
    }
}

/// The diagnostics of a file's bodies from the last run of `file_diagnostics`, relative
/// to their items, with each body's syntax and the program's items they were found with.
/// A body whose syntax is the same green node (or an equal one) in a program with equal
/// items has the same diagnostics: taking them from here spares salsa a check of each
/// body's memos (lowering, inference) after every edit, which in a file of thousands of
/// functions costs far more than the edit's own work.
#[derive(Debug)]
pub(crate) struct BodyDiagnosticsCache {
    program: ProgramItems,
    functions: Vec<(SharedGreen, Arc<[Diagnostic]>)>,
    consts: Vec<(SharedGreen, Arc<[Diagnostic]>)>,
}

/// Appends the diagnostics of `file`'s bodies to `out`, placed in the file by `map`.
fn bodies_diagnostics(
    db: &dyn Db,
    file: SourceFile,
    map: &ItemSourceMap,
    out: &mut Vec<Diagnostic>,
) {
    let program = ProgramItems::of(db);
    let greens = item_greens(db, file);
    db.caches().body_diagnostics(file, |last| {
        // Updated in place: a body whose syntax is unchanged costs a comparison of two
        // pointers, with no reference count touched.
        let mut cache = match last {
            Some(last) if last.program == program => last,
            _ => BodyDiagnosticsCache { program, functions: Vec::new(), consts: Vec::new() },
        };
        let kinds = [
            (ItemKind::Function, &greens.functions, &mut cache.functions),
            (ItemKind::Const, &greens.consts, &mut cache.consts),
        ];
        for (kind, greens, kept) in kinds {
            kept.truncate(greens.len());
            for (index, green) in greens.iter().enumerate() {
                if kept.get(index).is_none_or(|(kept_green, _)| kept_green != green) {
                    let index = index as u32;
                    let owner = match kind {
                        ItemKind::Function => BodyOwner::Function(FunctionLoc { file, index }),
                        _ => BodyOwner::Const(ConstLoc { file, index }),
                    };
                    let relative = body_diagnostics_relative(db, BodyId::new(db, owner));
                    let entry = (green.clone(), Arc::from(relative));
                    match kept.get_mut(index as usize) {
                        Some(slot) => *slot = entry,
                        None => kept.push(entry),
                    }
                }
                let relative = &kept[index].1;
                if !relative.is_empty() {
                    let start = map.item_start(kind, index as u32).unwrap_or_default();
                    out.extend(relative.iter().map(|d| d.clone().shifted(start)));
                }
            }
        }
        ((), cache)
    });
}

/// Computes what [`file_diagnostics`] reports for every file of the program on
/// `threads` threads, each with its own handle of `db`: first the files' parses and
/// item trees, then every body (lowering, inference, move checking), dealt out in turn
/// so that the threads get the same share of small and large files. The results are
/// memoised, so the `file_diagnostics` calls that follow only collect them. One thread
/// (or a program of one body) computes nothing here.
pub fn check_in_parallel(db: &crate::RootDatabase, threads: usize) {
    let files = Program::get(db).files(db).clone();
    let threads = threads.max(1);
    if threads == 1 {
        return;
    }
    let on_threads = |count: usize, work: &(dyn Fn(&crate::RootDatabase, usize) + Sync)| {
        std::thread::scope(|scope| {
            for first in 0..threads.min(count) {
                let db = db.clone();
                scope.spawn(move || {
                    for index in (first..count).step_by(threads) {
                        work(&db, index);
                    }
                });
            }
        });
    };
    on_threads(files.len(), &|db, index| {
        item_tree(db, files[index]);
    });
    let owners: Vec<BodyOwner> = files
        .iter()
        .flat_map(|&file| {
            let tree = item_tree(db, file);
            let functions = (0..tree.functions.len() as u32)
                .map(move |index| BodyOwner::Function(FunctionLoc { file, index }));
            let consts = (0..tree.consts.len() as u32)
                .map(move |index| BodyOwner::Const(ConstLoc { file, index }));
            functions.chain(consts).collect::<Vec<_>>()
        })
        .collect();
    on_threads(owners.len(), &|db, index| {
        infer(db, BodyId::new(db, owners[index]));
    });
}

/// Every diagnostic of every file of the program, with the file each belongs to.
pub fn program_diagnostics(db: &dyn Db) -> Vec<(SourceFile, Diagnostic)> {
    let files = Program::get(db).files(db).clone();
    files
        .into_iter()
        .flat_map(|file| file_diagnostics(db, file).into_iter().map(move |d| (file, d)))
        .collect()
}

/// Problems with the items themselves: types that name nothing, unsupported items,
/// extern functions with non-scalar types, a malformed `main`. Each with the ordinal of
/// its item and a span relative to the item's start, so that an edit that only moves
/// items (typing in a body) does not run this again. (Duplicates are found with the
/// program's scope: [`duplicate_item_diagnostics`].)
#[salsa::tracked(returns(ref))]
fn item_diagnostics(db: &dyn Db, file: SourceFile) -> Arc<Vec<(u32, Diagnostic)>> {
    let layout = item_layout(db, file);
    let tree = item_tree(db, file);
    let mut out = Vec::new();
    for (ordinal, spans) in layout.items.iter().enumerate() {
        let ordinal = ordinal as u32;
        for (range, message) in &spans.type_errors {
            let diagnostic = Diagnostic::error(*range, message.clone());
            out.push((ordinal, diagnostic.with_code(Code::UnknownType)));
        }
        for (range, type_ref) in &spans.annotations {
            if let Err(message) = resolve_type(db, type_ref) {
                let code = if message.starts_with("not supported") {
                    Code::NotSupported
                } else {
                    Code::UnknownType
                };
                out.push((ordinal, Diagnostic::error(*range, message).with_code(code)));
            }
        }
        if let Some(range) = spans.generics {
            let diagnostic =
                Diagnostic::error(range, "not supported in Vex Core: generic parameters");
            out.push((ordinal, diagnostic.with_code(Code::NotSupported)));
        }
    }
    // The entry `index` of `kind`: its item's ordinal and its spans.
    let entry = |kind, index: usize| layout.entry(kind, index as u32);
    for (index, what) in tree.unsupported.iter().enumerate() {
        if let Some((ordinal, spans)) = entry(ItemKind::Unsupported, index) {
            // Unsupported entries have no name: `name` is the whole entry.
            let diagnostic =
                Diagnostic::error(spans.name, format!("not supported in Vex Core: {what}"));
            out.push((ordinal, diagnostic.with_code(Code::NotSupported)));
        }
    }
    for (index, data) in tree.externs.iter().enumerate() {
        let Some((ordinal, spans)) = entry(ItemKind::Extern, index) else { continue };
        if data.has_body {
            out.push((
                ordinal,
                Diagnostic::error(
                    spans.name,
                    "an `extern \"C\"` function has no body: the host or a C library provides it",
                )
                .with_code(Code::InvalidExtern)
                .with_note(
                    "help: remove the body, or remove `extern \"C\"` to define a Vex function",
                ),
            ));
        }
        let sig = extern_signature(db, crate::ids::ExternLoc { file, index: index as u32 });
        let bad = sig.params.iter().chain(std::iter::once(&sig.ret)).find(|t| !t.is_c_scalar());
        if let Some(bad) = bad {
            out.push((
                ordinal,
                Diagnostic::error(
                    spans.name,
                    format!(
                        "`extern \"C\"` functions take and return scalars only, found `{}`",
                        display_ty(db, bad)
                    ),
                )
                .with_code(Code::InvalidExtern),
            ));
        }
    }
    for index in 0..tree.structs.len() {
        let ty = Ty::Struct(StructLoc { file, index: index as u32 });
        if let Some((ordinal, spans)) = entry(ItemKind::Struct, index)
            && contains_itself(db, &ty)
        {
            out.push((ordinal, recursive_type(db, spans.name, &ty)));
        }
    }
    for index in 0..tree.enums.len() {
        let ty = Ty::Enum(EnumLoc { file, index: index as u32 });
        if let Some((ordinal, spans)) = entry(ItemKind::Enum, index)
            && contains_itself(db, &ty)
        {
            out.push((ordinal, recursive_type(db, spans.name, &ty)));
        }
    }
    for (index, function) in tree.functions.iter().enumerate() {
        let Some((ordinal, spans)) = entry(ItemKind::Function, index) else { continue };
        if !function.has_body {
            out.push((
                ordinal,
                Diagnostic::error(spans.name, format!("function `{}` has no body", function.name))
                    .with_code(Code::MissingBody)
                    .with_note("help: add a body `{ … }`, or declare it `extern \"C\"` if the host or the C library provides it"),
            ));
        }
        if &*function.name != "main" || function.owner.is_some() || function.receiver.is_some() {
            continue;
        }
        let sig = signature_of(db, FunctionLoc { file, index: index as u32 });
        let ret_ok = matches!(sig.ret, Ty::Unit | Ty::Int(IntTy::I32) | Ty::Error);
        if !sig.params.is_empty() || !ret_ok {
            out.push((
                ordinal,
                Diagnostic::error(spans.name, "`main` has an invalid signature")
                    .with_code(Code::InvalidMain)
                    .with_note(
                        "help: `main` is one of `fn main()`, `fn main(): i32`, `async fn main()`, `async fn main(): i32`",
                    ),
            ));
        }
    }
    Arc::new(out)
}

fn recursive_type(db: &dyn Db, range: vex_syntax::TextRange, ty: &Ty) -> Diagnostic {
    Diagnostic::error(
        range,
        format!("`{}` contains itself by value and would have infinite size", display_ty(db, ty)),
    )
    .with_code(Code::RecursiveType)
    .with_note("note: Vex Core values are stored inline; there are no references or boxes")
}

/// Whether the struct or enum `root` contains itself by value, through fields, enum
/// payloads, tuples, arrays, `Option`s and `Result`s.
fn contains_itself(db: &dyn Db, root: &Ty) -> bool {
    let mut stack = vec![root.clone()];
    let mut seen: Vec<Ty> = Vec::new();
    while let Some(ty) = stack.pop() {
        let parts: Vec<Ty> = match &ty {
            Ty::Struct(loc) => struct_fields(db, *loc).into_iter().map(|(_, t)| t).collect(),
            Ty::Enum(loc) => enum_variants(db, *loc).into_iter().flat_map(|(_, p)| p).collect(),
            // `Option` and `Result` hold their values inline; a `Vec`'s are on the heap.
            Ty::Tuple(_) | Ty::Array(..) | Ty::Option(_) | Ty::Result(..) => {
                ty.children().cloned().collect()
            }
            _ => Vec::new(),
        };
        for part in parts {
            if &part == root {
                return true;
            }
            if matches!(
                part,
                Ty::Struct(_)
                    | Ty::Enum(_)
                    | Ty::Tuple(_)
                    | Ty::Array(..)
                    | Ty::Option(_)
                    | Ty::Result(..)
            ) && !seen.contains(&part)
            {
                seen.push(part.clone());
                stack.push(part);
            }
        }
    }
    false
}

/// The diagnostics of one body, from lowering, inference and move checking, with their
/// spans in the file. Not memoised: it only places what the memoised lowering and
/// inference found (mostly nothing).
pub fn body_diagnostics(db: &dyn Db, id: BodyId<'_>) -> Vec<Diagnostic> {
    let relative = body_diagnostics_relative(db, id);
    if relative.is_empty() {
        return relative;
    }
    let offset = body_offset(db, id);
    relative.into_iter().map(|d| d.shifted(offset)).collect()
}

/// [`body_diagnostics`] with spans relative to the body's item ([`body_offset`]).
fn body_diagnostics_relative(db: &dyn Db, id: BodyId<'_>) -> Vec<Diagnostic> {
    let source_map = body_source_map(db, id);
    let result = infer(db, id);
    source_map
        .diagnostics
        .iter()
        .cloned()
        .chain(result.diagnostics.iter().map(|d| to_diagnostic(source_map, d)))
        .collect()
}

fn node_range(map: &BodySourceMap, node: HirNode) -> vex_syntax::TextRange {
    node_range_opt(map, node).unwrap_or_default()
}

fn node_range_opt(map: &BodySourceMap, node: HirNode) -> Option<TextRange> {
    let range = match node {
        HirNode::Expr(id) => map.exprs.get(id),
        HirNode::Pat(id) => map.pats.get(id),
        HirNode::Local(id) => map.locals.get(id),
        HirNode::Stmt(id) => map.stmts.get(id),
        HirNode::Label(id) => map.labels.get(id),
        HirNode::LetType(id) => map.let_types.get(id).or_else(|| map.stmts.get(id)),
        HirNode::CastType(id) => map.cast_types.get(id).or_else(|| map.exprs.get(id)),
    };
    range.copied()
}

fn to_diagnostic(map: &BodySourceMap, diagnostic: &InferDiagnostic) -> Diagnostic {
    let mut out = Diagnostic::error(node_range(map, diagnostic.at), diagnostic.message.clone())
        .with_code(diagnostic.code);
    if let Some((node, message)) = &diagnostic.label {
        out = out.with_label(node_range(map, *node), message.clone());
    }
    if let Some(note) = &diagnostic.note {
        out = out.with_note(note.clone());
    }
    if let Some(fix) = &diagnostic.fix {
        // A place the source map does not know (a node from a malformed tree) drops the
        // fix rather than offering a wrong edit.
        let edits: Option<Vec<TextEdit>> = fix
            .edits
            .iter()
            .map(|(at, text)| {
                let range = match *at {
                    FixAt::Before(node) => TextRange::empty(node_range_opt(map, node)?.start()),
                    FixAt::Replace(node) => node_range_opt(map, node)?,
                    FixAt::MutSite(local) => TextRange::empty(*map.mut_sites.get(local)?),
                    FixAt::FnKeyword => TextRange::empty(map.fn_keyword?),
                };
                Some(TextEdit { range, insert: text.clone() })
            })
            .collect();
        if let Some(edits) = edits {
            out = out.with_fix(Fix { message: fix.message.clone(), edits });
        }
    }
    out
}
