//! Salsa queries: lowering is per function, so an edit inside one body re-lowers only
//! that body.
//!
//! - [`fn_ir`]`(body)`: the built IR of one function and its `go` blocks;
//! - [`lowered`]`(body)`: the same after the coroutine transform;
//! - [`module_ir`] / [`module_built`]: whole modules assembled from the above, with the
//!   program's types and externs.
//!
//! Panic locations need line and column numbers; they come from
//! [`vex_hir::line_index`], which stays equal (and is backdated) while an edit keeps
//! every line start in place.
//!
//! Statement locations (for debug line tables) are relative: each function's
//! [`Function::loc`] counts lines from the body's definition line, and each statement's
//! [`crate::ir::Loc`] from its function's. So when an edit moves a body without changing
//! it, `fn_ir` re-runs (vex-hir's source map holds file offsets) but produces an equal
//! result, which salsa backdates: `lowered` does not re-run. Only the modules assembled
//! here ([`module_ir`], [`module_built`]) add the body's current line ([`body_def`]).
//! Panic sites' lines count from the body's definition line too, until then.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use vex_hir::lower::{BodyId, BodyOwner};
use vex_hir::{Db, Program, SourceFile};

use crate::build::{BodyInput, Built, build_body, function_name, lower_ty, source_loc};
use crate::coro::{self, Lowered};
use crate::ir::layout::struct_def;
use crate::ir::validate::{Stage, validate_module};
use crate::ir::{EnumDef, ExternDecl, Function, Module, StructDef, TypeDefs, VariantDef};

/// The program's structs and enums with layouts (no state structs).
#[salsa::tracked(returns(ref))]
pub fn type_defs(db: &dyn Db, program: Program) -> Arc<TypeDefs> {
    let mut defs = TypeDefs::default();
    type Fields = Vec<(Box<str>, crate::ir::Type)>;
    let mut pending: Vec<(Box<str>, Fields)> = Vec::new();
    for &file in program.files(db) {
        let tree = vex_hir::item_tree::item_tree(db, file);
        for index in 0..tree.structs.len() {
            let loc = vex_hir::ids::StructLoc { file, index: index as u32 };
            let fields = vex_hir::signature::struct_fields(db, loc)
                .into_iter()
                .map(|(name, ty)| (name, lower_ty(db, &ty)))
                .collect();
            pending.push((tree.structs[index].name.clone(), fields));
        }
        for index in 0..tree.enums.len() {
            let loc = vex_hir::ids::EnumLoc { file, index: index as u32 };
            let variants = vex_hir::signature::enum_variants(db, loc)
                .into_iter()
                .map(|(name, tys)| VariantDef {
                    name,
                    fields: tys.iter().map(|t| lower_ty(db, t)).collect(),
                })
                .collect();
            let name = tree.enums[index].name.clone();
            defs.enums.insert(name.clone(), EnumDef { name, variants });
        }
    }
    // Structs may contain structs: lay out those whose field types are known first.
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|(name, fields)| {
            let ready = fields.iter().all(|(_, ty)| known(ty, &defs));
            if ready {
                let def = struct_def(name, fields.clone(), &defs);
                defs.structs.insert(name.clone(), def);
            }
            !ready
        });
        if pending.len() == before {
            // A cycle (reported by the checker): lay out the rest as they are.
            for (name, fields) in pending.drain(..) {
                let def = struct_def(&name, fields, &defs);
                defs.structs.insert(name, def);
            }
        }
    }
    Arc::new(defs)
}

fn known(ty: &crate::ir::Type, defs: &TypeDefs) -> bool {
    use crate::ir::Type;
    match ty {
        Type::Struct(name) => defs.structs.contains_key(name),
        Type::Tuple(elems) => elems.iter().all(|t| known(t, defs)),
        Type::Array(elem, _) => known(elem, defs),
        Type::Enum(name) => defs
            .enums
            .get(name)
            .is_some_and(|e| e.variants.iter().flat_map(|v| &v.fields).all(|t| known(t, defs))),
        _ => true,
    }
}

/// The built IR (before the coroutine transform) of one body: the function and its `go`
/// blocks.
#[salsa::tracked(returns(ref))]
pub fn fn_ir<'db>(db: &'db dyn Db, id: BodyId<'db>) -> Arc<Built> {
    let body = vex_hir::lower::body(db, id);
    let source_map = vex_hir::lower::body_source_map(db, id);
    let infer = vex_hir::infer::infer(db, id);
    let types = type_defs(db, Program::get(db));
    let (file, name, is_async, ret) = match id.owner(db) {
        BodyOwner::Function(loc) => {
            let sig = vex_hir::signature::signature_of(db, loc);
            (loc.file, function_name(db, loc), sig.is_async, sig.ret.clone())
        }
        BodyOwner::Const(loc) => {
            let tree = vex_hir::item_tree::item_tree(db, loc.file);
            let name =
                tree.consts.get(loc.index as usize).map_or("{missing}".into(), |c| c.name.clone());
            (loc.file, name, false, vex_hir::signature::const_type(db, loc))
        }
    };
    let lines = vex_hir::line_index(db, file);
    let path = file.path(db);
    let (_, def_offset) = body_def_offset(db, id);
    let input = BodyInput {
        db,
        name,
        is_async,
        ret,
        body,
        infer,
        source_map,
        body_offset: u32::from(vex_hir::lower::body_offset(db, id)),
        path,
        lines,
        def_offset,
        types,
    };
    Arc::new(build_body(&input))
}

/// The transformed IR of one body.
#[salsa::tracked(returns(ref))]
pub fn lowered<'db>(db: &'db dyn Db, id: BodyId<'db>) -> Arc<Lowered> {
    let types = type_defs(db, Program::get(db));
    let built = fn_ir(db, id);
    let mut lowered = coro::transform_all(&built.functions, types);
    lowered.structs.extend(built.structs.iter().cloned());
    Arc::new(lowered)
}

/// The file of a body and the byte offset of its definition (the item's name).
fn body_def_offset(db: &dyn Db, id: BodyId<'_>) -> (SourceFile, u32) {
    use vex_hir::item_tree::{ItemKind, item_source_map};
    let (file, kind, index) = match id.owner(db) {
        BodyOwner::Function(loc) => (loc.file, ItemKind::Function, loc.index),
        BodyOwner::Const(loc) => (loc.file, ItemKind::Const, loc.index),
    };
    let range = item_source_map(db, file).name(kind, index);
    (file, range.map_or(0, |r| u32::from(r.start())))
}

/// Where a body is defined: the item's name, as a 1-based file location.
pub fn body_def(db: &dyn Db, id: BodyId<'_>) -> crate::ir::SourceLoc {
    let (file, offset) = body_def_offset(db, id);
    source_loc(file.path(db), vex_hir::line_index(db, file), offset)
}

/// `functions` of the body `id` with their definition and panic lines made absolute.
fn placed(db: &dyn Db, id: BodyId<'_>, functions: &[Function]) -> Vec<Function> {
    let line = body_def(db, id).line;
    functions
        .iter()
        .map(|f| {
            let mut f = f.clone();
            f.loc.line += line;
            for block in &mut f.blocks {
                if let crate::ir::Terminator::Panic { loc, .. } = &mut block.term {
                    loc.line += line;
                }
            }
            f
        })
        .collect()
}

fn bodies(db: &dyn Db) -> Vec<BodyId<'_>> {
    let scope = vex_hir::scope::program_scope(db, Program::get(db));
    let mut out: Vec<BodyId<'_>> =
        scope.functions.iter().map(|loc| BodyId::new(db, BodyOwner::Function(*loc))).collect();
    out.extend(scope.consts.iter().map(|loc| BodyId::new(db, BodyOwner::Const(*loc))));
    out
}

fn module_base(db: &dyn Db) -> Module {
    let program = Program::get(db);
    let types = type_defs(db, program);
    let mut structs: Vec<StructDef> = types.structs.values().cloned().collect();
    structs.sort_by(|a, b| a.name.cmp(&b.name));
    let mut enums: Vec<EnumDef> = types.enums.values().cloned().collect();
    enums.sort_by(|a, b| a.name.cmp(&b.name));
    let mut externs = Vec::new();
    for &file in program.files(db) {
        let tree = vex_hir::item_tree::item_tree(db, file);
        for index in 0..tree.externs.len() {
            let loc = vex_hir::ids::ExternLoc { file, index: index as u32 };
            let sig = vex_hir::signature::extern_signature(db, loc);
            externs.push(ExternDecl {
                name: tree.externs[index].name.clone(),
                params: sig.params.iter().map(|t| lower_ty(db, t)).collect(),
                ret: lower_ty(db, &sig.ret),
            });
        }
    }
    Module { structs, enums, functions: Vec::new(), externs }
}

/// The whole program before the coroutine transform (`vex emit ir`). Validated in
/// debug builds (see [`module_ir`]).
pub fn module_built(db: &dyn Db) -> Module {
    let mut module = module_base(db);
    for id in bodies(db) {
        let built = fn_ir(db, id);
        add_to(&mut module, placed(db, id, &built.functions), &built.structs);
    }
    validated(db, module, Stage::Built)
}

/// Adds one body's functions and structs to `module`. A function every body that uses
/// it makes for itself (the code of a named function used as a value, `F.fn`) is kept
/// once.
fn add_to(module: &mut Module, functions: Vec<Function>, structs: &[StructDef]) {
    for function in functions {
        if !function.name.ends_with(".fn") || module.function(&function.name).is_none() {
            module.functions.push(function);
        }
    }
    module.structs.extend(structs.iter().cloned());
}

/// The whole program after the coroutine transform (`vex emit async-ir`): what a backend
/// consumes.
///
/// In debug builds (every test among them) the module is validated
/// ([`crate::ir::validate`]) before it is returned, when the program checks without
/// errors: an invalid IR is a compiler bug, reported the moment it is built with the
/// function, its definition and the block, not a crash in LLVM or the evaluator later.
pub fn module_ir(db: &dyn Db) -> Module {
    let mut module = module_base(db);
    for id in bodies(db) {
        let lowered = lowered(db, id);
        add_to(&mut module, placed(db, id, &lowered.functions), &lowered.structs);
    }
    validated(db, module, Stage::Transformed)
}

/// What [`module_ir`] holds of the functions `main` can reach (through calls and
/// function values, transitively), and nothing else: what a run of the program needs.
/// Only those bodies are lowered, so the work grows with the code a run can execute,
/// not with the size of the program. The types and extern declarations are all kept.
pub fn module_ir_for_main(db: &dyn Db) -> Module {
    let by_name: FxHashMap<Box<str>, BodyId<'_>> = bodies(db)
        .into_iter()
        .map(|id| {
            let name = match id.owner(db) {
                BodyOwner::Function(loc) => source_name(db, loc),
                BodyOwner::Const(loc) => vex_hir::item_tree::item_tree(db, loc.file)
                    .consts
                    .get(loc.index as usize)
                    .map_or("{missing}".into(), |c| c.name.clone()),
            };
            (name, id)
        })
        .collect();
    let mut module = module_base(db);
    let mut seen: FxHashSet<BodyId<'_>> = FxHashSet::default();
    let mut work: Vec<BodyId<'_>> = by_name.get("main").copied().into_iter().collect();
    while let Some(id) = work.pop() {
        if !seen.insert(id) {
            continue;
        }
        let lowered = lowered(db, id);
        for function in &lowered.functions {
            function.for_each_callee(|callee| {
                // A body's own functions (its resume function, `go` blocks, `F.fn`)
                // are lowered with it; other names are bodies of their own.
                if let Some(&next) = by_name.get(callee.strip_suffix(".fn").unwrap_or(callee))
                    && !seen.contains(&next)
                {
                    work.push(next);
                }
            });
        }
        add_to(&mut module, placed(db, id, &lowered.functions), &lowered.structs);
    }
    validated(db, module, Stage::Transformed)
}

/// The name calls use for a function (the IR name of its body's function, except for a
/// synchronous `main`, whose body function has an internal name).
fn source_name(db: &dyn Db, loc: vex_hir::ids::FunctionLoc) -> Box<str> {
    let name = function_name(db, loc);
    if &*name == crate::build::SYNC_MAIN_BODY { "main".into() } else { name }
}

/// `module`, after validating it in debug builds when the program has no errors (the
/// builder trusts the checker, so a program with errors may lower to anything).
fn validated(db: &dyn Db, module: Module, stage: Stage) -> Module {
    if !cfg!(debug_assertions) {
        return module;
    }
    let has_errors = vex_hir::program_diagnostics(db)
        .iter()
        .any(|(_, d)| d.severity == vex_hir::Severity::Error);
    if has_errors {
        return module;
    }
    if let Err(report) = validation_report_with_ir(&module, stage) {
        panic!("internal compiler error: lowering produced invalid IR ({stage:?}):\n{report}");
    }
    module
}

/// The validator's findings on `module`, one per line, each prefixed with the file and
/// line where the function is defined.
pub(crate) fn validation_report(module: &Module, stage: Stage) -> Result<(), String> {
    let errors = validate_module(module, stage).err().unwrap_or_default();
    if errors.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = errors
        .iter()
        .map(|e| match module.function(&e.function) {
            Some(f) => format!("{}:{}: {e}", f.loc.file, f.loc.line),
            None => e.to_string(),
        })
        .collect();
    Err(lines.join("\n"))
}

/// [`validation_report`] followed by the first invalid function, printed with its
/// locations: what a compiler engineer needs to find the bug.
fn validation_report_with_ir(module: &Module, stage: Stage) -> Result<(), String> {
    validation_report(module, stage).map_err(|report| {
        let first = validate_module(module, stage)
            .err()
            .and_then(|errors| errors.first().and_then(|e| module.function(&e.function)));
        match first {
            Some(f) => format!("{report}\n\n{f:#}"),
            None => report,
        }
    })
}
