//! Invariant checkers for property tests (feature `testing`), run on programs from
//! `vex_hir::testing`'s generator (the one program generator of the project; see
//! [`sequential_config`] for the configuration the differential check needs).
//!
//! [`check_invariants`] checks the coroutine transform's contract on every async
//! function of a module, [`check_cancellation`] cancels each coroutine at each of its
//! suspension points and checks that everything held is released exactly once, and
//! [`check_differential`] compares sequential evaluation of the built IR with scheduled
//! evaluation of the transformed IR.

use crate::coro::{self, liveness::liveness};
use crate::eval::{Mode, Options, RunResult, run_main};
use crate::ir::layout::layout_of;
use crate::ir::validate::{Stage, validate_function, validate_module};
use crate::ir::*;
use vex_hir::testing::GenConfig;

/// Programs whose sequential and scheduled runs must print the same (every future
/// awaited where it is created, no `go` block), with `defer`s anywhere — in loops and
/// nested blocks, reading block-scoped locals.
pub fn sequential_config() -> GenConfig {
    let mut config = GenConfig::sequential();
    config.defers_anywhere = true;
    config
}

/// Everything the generator can produce (detached tasks, futures awaited late, `go`
/// blocks, `defer`s anywhere): for checks that do not compare output.
pub fn full_config() -> GenConfig {
    let mut config = GenConfig::default();
    config.defers_anywhere = true;
    config
}

/// Checks the transform's contract on every async function of a built module.
pub fn check_invariants(built: &Module) -> Result<(), String> {
    let types = built.type_defs();
    for f in built.functions.iter().filter(|f| f.kind == FunctionKind::Async) {
        let t = coro::transform(f, &types);
        let info = &t.info;
        let waits: Vec<usize> = (0..info.function.blocks.len())
            .filter(|b| info.function.blocks[*b].term.is_wait())
            .collect();
        // Each wait is exactly one state; states are dense.
        if waits.len() != info.saved.suspensions.len() {
            return Err(format!(
                "{}: {} waits, {} states",
                f.name,
                waits.len(),
                info.saved.suspensions.len()
            ));
        }
        for (i, s) in info.saved.suspensions.iter().enumerate() {
            if s.state != i as u32 + 1 || s.block.index() != waits[i] {
                return Err(format!("{}: state numbering broken at {i}", f.name));
            }
        }
        // The dispatch covers exactly the reachable states and traps otherwise.
        let Terminator::Switch { cases, default, .. } = &t.resume.blocks[0].term else {
            return Err(format!("{}: no dispatch switch", f.name));
        };
        let values: Vec<i128> = cases.iter().map(|c| c.0).collect();
        let want: Vec<i128> = (0..=waits.len() as i128).collect();
        if values != want {
            return Err(format!("{}: dispatch cases {values:?}", f.name));
        }
        if t.resume.blocks[default.index()].term != Terminator::Unreachable
            || values.contains(&info.layout.tag.done)
            || values.contains(&info.layout.tag.poisoned)
        {
            return Err(format!("{}: dispatch does not trap on reserved states", f.name));
        }
        // The state is poisoned while a resume runs.
        let poisons = t.resume.blocks[0].stmts.iter().any(|s| {
            matches!(s, Stmt::StoreState { field, value: Operand::Const(Const::Int(v, _)), .. }
                if *field == info.layout.tag_field && *v == info.layout.tag.poisoned)
        });
        if !poisons {
            return Err(format!("{}: resume entry does not poison the state", f.name));
        }
        // Every local read in the resume function is loaded or defined first.
        let errors = validate_function(
            &t.resume,
            &state_types(&types, &t),
            None,
            &Default::default(),
            Stage::Transformed,
        );
        if let Some(e) = errors.first() {
            return Err(e.to_string());
        }
        let sets: Vec<&[LocalId]> = std::iter::once(info.saved.start.as_slice())
            .chain(info.saved.suspensions.iter().map(|s| s.saved.as_slice()))
            .collect();
        // Locals sharing bytes are never saved at the same suspension.
        let def = &info.layout.def;
        let range = |l: LocalId| {
            let field = &def.fields[info.layout.local_fields[&l] as usize];
            (field.offset, field.offset + layout_of(&field.ty, &types).size)
        };
        for set in &sets {
            for (i, a) in set.iter().enumerate() {
                for b in &set[i + 1..] {
                    let (ra, rb) = (range(*a), range(*b));
                    if ra.0 < rb.1 && rb.0 < ra.1 && ra.0 != ra.1 && rb.0 != rb.1 {
                        return Err(format!(
                            "{}: {a} and {b} share bytes but are saved together",
                            f.name
                        ));
                    }
                }
            }
        }
        // Size bounds.
        let bytes = |l: &LocalId| layout_of(info.function.local_ty(*l), &types).size;
        let max_saved = sets.iter().map(|s| s.iter().map(bytes).sum::<u64>()).max().unwrap_or(0);
        let mut all: Vec<LocalId> = sets.iter().flat_map(|s| s.iter().copied()).collect();
        all.sort();
        all.dedup();
        let sum_saved: u64 = all.iter().map(bytes).sum();
        let header = info.layout.header_bytes;
        if !(header + max_saved <= def.size && def.size <= header + sum_saved) {
            return Err(format!(
                "{}: size {} outside [{}, {}]",
                f.name,
                def.size,
                header + max_saved,
                header + sum_saved
            ));
        }
        // No dead local saved: each is read after the resume point before being written.
        for s in &info.saved.suspensions {
            for l in &s.saved {
                if Some(*l) != s.child && !read_later(&info.function, s.block.index(), *l) {
                    return Err(format!("{}: dead local {l} saved at state {}", f.name, s.state));
                }
            }
        }
        let live = liveness(&info.function);
        for l in &info.saved.start {
            if !live.live_in[0].contains(*l) {
                return Err(format!("{}: dead parameter {l} saved at the start", f.name));
            }
        }
    }
    Ok(())
}

fn state_types(types: &TypeDefs, t: &coro::Transformed) -> TypeDefs {
    let mut types = types.clone();
    types.structs.insert(t.info.layout.def.name.clone(), t.info.layout.def.clone());
    types
}

/// Whether some path from the wait in `block` (its `next` or `cancel` edge) reads `l`
/// before writing it; found by a search independent of the liveness pass.
fn read_later(f: &Function, block: usize, l: LocalId) -> bool {
    let term = &f.blocks[block].term;
    let mut stack: Vec<(usize, bool)> = term
        .successors()
        .into_iter()
        .map(|s| {
            (
                s.index(),
                term.wait_dest() == Some(l) && Some(s) == term.successors().first().copied(),
            )
        })
        .collect();
    let mut seen = rustc_hash::FxHashSet::default();
    while let Some((b, killed)) = stack.pop() {
        if killed || !seen.insert(b) {
            continue;
        }
        let block = &f.blocks[b];
        let mut dead = false;
        for stmt in &block.stmts {
            if stmt.uses().contains(&l) {
                return true;
            }
            if stmt.defs().contains(&l) {
                dead = true;
                break;
            }
        }
        if dead {
            continue;
        }
        if block.term.uses().contains(&l) {
            return true;
        }
        let next = block.term.successors();
        for s in &next {
            let kill = block.term.wait_dest() == Some(l) && Some(s) == next.first();
            stack.push((s.index(), kill));
        }
    }
    false
}

/// Cancels every coroutine at every suspension it reaches (one run each) and checks that
/// the evaluator reports no leak, double release or undefined read. Returns the number
/// of cancelling runs that reached their suspension.
pub fn check_cancellation(lowered: &Module) -> Result<usize, String> {
    let mut runs = 0;
    for f in lowered.functions.iter() {
        let FunctionKind::Resume { .. } = &f.kind else { continue };
        let name = f.name.strip_suffix(".resume").unwrap_or(&f.name).to_string();
        let Terminator::Switch { cases, .. } = &f.blocks[0].term else { continue };
        for k in 1..cases.len() as u32 {
            let mut options = Options::new(Mode::Scheduled);
            options.cancel_at = Some((name.clone(), k));
            options.fuel = Some(2_000_000);
            let result = run_main(lowered, options);
            out_of_fuel(&result)?;
            if !result.errors.is_empty() {
                return Err(format!("cancel {name} at {k}: {:?}", result.errors));
            }
            runs += 1;
        }
    }
    Ok(runs)
}

/// A run that used up its fuel proves nothing: reported as the error `out of fuel`.
fn out_of_fuel(result: &RunResult) -> Result<(), String> {
    match result.ending {
        crate::backend::Ending::Interrupted(crate::backend::Interruption::Fuel) => {
            Err("out of fuel".to_string())
        }
        _ => Ok(()),
    }
}

/// Sequential evaluation of the built IR and scheduled evaluation of the transformed IR
/// print the same and end with the same code, both without evaluator errors.
pub fn check_differential(built: &Module, lowered: &Module) -> Result<RunResult, String> {
    validate_module(built, Stage::Built).map_err(|e| format!("built: {}", e[0]))?;
    validate_module(lowered, Stage::Transformed).map_err(|e| format!("lowered: {}", e[0]))?;
    let mut options = Options::new(Mode::Sequential);
    options.fuel = Some(2_000_000);
    let sequential = run_main(built, options.clone());
    options.mode = Mode::Scheduled;
    let scheduled = run_main(lowered, options);
    out_of_fuel(&sequential)?;
    out_of_fuel(&scheduled)?;
    if !sequential.errors.is_empty() || !scheduled.errors.is_empty() {
        return Err(format!("errors: {:?} / {:?}", sequential.errors, scheduled.errors));
    }
    if sequential.stdout != scheduled.stdout || sequential.exit_code != scheduled.exit_code {
        return Err(format!("sequential {sequential:?}\nscheduled {scheduled:?}"));
    }
    Ok(scheduled)
}
