//! Step 2: the locals saved at each suspension point.
//!
//! Suspension points are the wait terminators, numbered densely from 1 in block order
//! (0 is the start). At suspension `k` the state must hold every local live after the
//! wait — on the `next` edge without the await's destination (the result arrives
//! there), and on the `cancel` edge (the cancel path releases what is held) — plus the
//! awaited child future. At the start, it holds the parameters live at entry; a
//! parameter read only before the first suspension is saved at the start alone, and
//! its slot is shared with locals saved later (see `layout`).

use super::liveness::{Liveness, LocalSet};
use crate::ir::{BlockId, Function, LocalId, Operand, Terminator};

/// One suspension point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspension {
    /// Its state number (1-based, dense, in block order).
    pub state: u32,
    /// The block ending in the wait (in the original function).
    pub block: BlockId,
    /// Locals saved, in increasing order (the child included).
    pub saved: Vec<LocalId>,
    /// The awaited future's local, for an `Await`.
    pub child: Option<LocalId>,
}

/// Saved locals at the start (state 0) and at every suspension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedLocals {
    /// Parameters live at entry.
    pub start: Vec<LocalId>,
    /// Every suspension, in state order.
    pub suspensions: Vec<Suspension>,
}

/// Computes the saved sets. Await futures must already be whole locals.
pub fn saved_locals(function: &Function, liveness: &Liveness) -> SavedLocals {
    let start = liveness.live_in[0].iter().collect();
    let mut suspensions = Vec::new();
    for (b, block) in function.blocks.iter().enumerate() {
        if !block.term.is_wait() {
            continue;
        }
        let mut set: LocalSet = liveness.live_out[b].clone();
        let child = match &block.term {
            Terminator::Await { future: Operand::Copy(place), .. } if place.proj.is_empty() => {
                Some(place.local)
            }
            _ => None,
        };
        if let Some(c) = child {
            set.insert(c);
        }
        suspensions.push(Suspension {
            state: suspensions.len() as u32 + 1,
            block: BlockId(b as u32),
            saved: set.iter().collect(),
            child,
        });
    }
    SavedLocals { start, suspensions }
}
