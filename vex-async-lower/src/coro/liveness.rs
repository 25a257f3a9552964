//! Step 1: liveness, a backward dataflow over the CFG.
//!
//! A local is live at a point when some path from there reads it before writing it as a
//! whole. Reads are operands, index locals, places retained or released, and writes to
//! a projection (they keep the rest of the local). An `Await`'s destination is written
//! on its `next` edge only, so it is not live into the wait from `next`.

use crate::ir::{Function, LocalId, Terminator};

/// A set of locals as a bit vector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalSet(Vec<u64>);

impl LocalSet {
    /// An empty set able to hold `n` locals.
    pub fn new(n: usize) -> LocalSet {
        LocalSet(vec![0; n.div_ceil(64)])
    }

    /// Adds a local.
    pub fn insert(&mut self, l: LocalId) {
        self.0[l.index() / 64] |= 1 << (l.index() % 64);
    }

    /// Removes a local.
    pub fn remove(&mut self, l: LocalId) {
        self.0[l.index() / 64] &= !(1 << (l.index() % 64));
    }

    /// Whether the local is in the set.
    pub fn contains(&self, l: LocalId) -> bool {
        self.0[l.index() / 64] & (1 << (l.index() % 64)) != 0
    }

    /// Adds every local of `other`; returns whether anything changed.
    pub fn union(&mut self, other: &LocalSet) -> bool {
        let mut changed = false;
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            let new = *a | *b;
            changed |= new != *a;
            *a = new;
        }
        changed
    }

    /// The locals, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = LocalId> + '_ {
        self.0.iter().enumerate().flat_map(|(w, bits)| {
            (0..64).filter(move |b| bits & (1 << b) != 0).map(move |b| LocalId((w * 64 + b) as u32))
        })
    }
}

/// Live-in and live-out sets of every block.
#[derive(Debug, Clone)]
pub struct Liveness {
    /// Live at block entry.
    pub live_in: Vec<LocalSet>,
    /// Live at block exit (before the terminator's edge-specific kills).
    pub live_out: Vec<LocalSet>,
}

/// What flows along the edge `from → to`.
pub fn edge_live(function: &Function, live_in: &[LocalSet], from: usize, to: usize) -> LocalSet {
    let mut set = live_in[to].clone();
    if let Terminator::Await { dest: Some(d), next, .. } = &function.blocks[from].term
        && next.index() == to
    {
        set.remove(*d);
    }
    set
}

/// Computes liveness to a fixpoint.
pub fn liveness(function: &Function) -> Liveness {
    let n = function.blocks.len();
    let locals = function.locals.len();
    let mut live_in = vec![LocalSet::new(locals); n];
    let mut live_out = vec![LocalSet::new(locals); n];
    let mut changed = true;
    while changed {
        changed = false;
        for b in (0..n).rev() {
            let block = &function.blocks[b];
            let mut out = LocalSet::new(locals);
            for s in block.term.successors() {
                out.union(&edge_live(function, &live_in, b, s.index()));
            }
            let mut live = out.clone();
            for u in block.term.uses() {
                live.insert(u);
            }
            for stmt in block.stmts.iter().rev() {
                for d in stmt.defs() {
                    live.remove(d);
                }
                for u in stmt.uses() {
                    live.insert(u);
                }
            }
            live_out[b] = out;
            if live != live_in[b] {
                live_in[b] = live;
                changed = true;
            }
        }
    }
    Liveness { live_in, live_out }
}
