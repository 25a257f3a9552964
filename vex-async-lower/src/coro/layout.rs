//! Step 3: the state struct's layout.
//!
//! Fields: one per saved local (the child futures among them), the result slot, and the
//! tag. Locals that are never saved at the same suspension (start included) may share
//! bytes: an interference graph over the saved sets is coloured greedily, largest local
//! first (ties by local index, so the layout is deterministic), each colour a *slot* as
//! large and as aligned as its largest member. Slots and the result are then placed by
//! decreasing alignment, and the tag — one byte while there are fewer than 253
//! suspension points, two bytes beyond — goes last, where it needs no padding. The
//! size is the end of the last field (the state is allocated once, never in an array).

use rustc_hash::FxHashMap;

use super::saved_locals::SavedLocals;
use crate::ir::layout::{align_to, layout_of};
use crate::ir::{FieldDef, Function, IntTy, LocalId, StructDef, Type, TypeDefs};

/// The tag type and its reserved values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagInfo {
    /// `u8` or `u16`.
    pub ty: IntTy,
    /// The finished state (traps if resumed).
    pub done: i128,
    /// The poisoned state (traps if resumed).
    pub poisoned: i128,
}

impl TagInfo {
    /// The tag for a coroutine with `suspensions` suspension points.
    pub fn for_suspensions(suspensions: usize) -> TagInfo {
        if suspensions < 253 {
            TagInfo { ty: IntTy::U8, done: 254, poisoned: 255 }
        } else {
            TagInfo { ty: IntTy::U16, done: 0xFFFE, poisoned: 0xFFFF }
        }
    }
}

/// Where everything lives in the state struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateLayout {
    /// The struct (fields may overlap).
    pub def: StructDef,
    /// Field index of the tag.
    pub tag_field: u32,
    /// The tag's type and reserved values.
    pub tag: TagInfo,
    /// Field index of the result slot, when the result is not `()`.
    pub result_field: Option<u32>,
    /// Field index of each saved local.
    pub local_fields: FxHashMap<LocalId, u32>,
    /// Slot (colour) of each saved local.
    pub local_slots: FxHashMap<LocalId, u32>,
    /// Bytes of tag and result ("header").
    pub header_bytes: u64,
}

/// Lays out the state of `function` (named `state_name`).
pub fn layout(
    function: &Function,
    saved: &SavedLocals,
    state_name: &str,
    types: &TypeDefs,
) -> StateLayout {
    let sets: Vec<&[LocalId]> = std::iter::once(saved.start.as_slice())
        .chain(saved.suspensions.iter().map(|s| s.saved.as_slice()))
        .collect();
    let mut all: Vec<LocalId> = sets.iter().flat_map(|s| s.iter().copied()).collect();
    all.sort();
    all.dedup();
    let size = |l: LocalId| layout_of(function.local_ty(l), types);
    // Largest first; ties by index.
    all.sort_by(|a, b| size(*b).size.cmp(&size(*a).size).then(a.cmp(b)));
    let interferes = |a: LocalId, b: LocalId| sets.iter().any(|s| s.contains(&a) && s.contains(&b));
    let mut slots: Vec<Vec<LocalId>> = Vec::new();
    let mut local_slots = FxHashMap::default();
    for &l in &all {
        let slot = slots.iter().position(|members| members.iter().all(|m| !interferes(*m, l)));
        let slot = match slot {
            Some(s) => s,
            None => {
                slots.push(Vec::new());
                slots.len() - 1
            }
        };
        slots[slot].push(l);
        local_slots.insert(l, slot as u32);
    }
    // Units to place: (size, align, what).
    enum Unit {
        Result,
        Slot(usize),
    }
    let mut units: Vec<(u64, u64, Unit)> = Vec::new();
    let result = layout_of(&function.ret, types);
    if function.ret != Type::Unit {
        units.push((result.size, result.align, Unit::Result));
    }
    for (i, members) in slots.iter().enumerate() {
        let slot_size = members.iter().map(|m| size(*m).size).max().unwrap_or(0);
        let slot_align = members.iter().map(|m| size(*m).align).max().unwrap_or(1);
        units.push((slot_size, slot_align, Unit::Slot(i)));
    }
    units.sort_by_key(|u| std::cmp::Reverse(u.1));
    let mut offset = 0;
    let mut align = 1;
    let mut result_offset = 0;
    let mut slot_offsets = vec![0; slots.len()];
    for (size, unit_align, unit) in &units {
        offset = align_to(offset, *unit_align);
        match unit {
            Unit::Result => result_offset = offset,
            Unit::Slot(i) => slot_offsets[*i] = offset,
        }
        offset += size;
        align = align.max(*unit_align);
    }
    let tag = TagInfo::for_suspensions(saved.suspensions.len());
    let tag_size = u64::from(tag.ty.bits() / 8);
    let tag_offset = align_to(offset, tag_size);
    let end = tag_offset + tag_size;
    let mut fields =
        vec![FieldDef { name: "tag".into(), ty: Type::Int(tag.ty), offset: tag_offset }];
    let mut result_field = None;
    if function.ret != Type::Unit {
        result_field = Some(fields.len() as u32);
        fields.push(FieldDef {
            name: "result".into(),
            ty: function.ret.clone(),
            offset: result_offset,
        });
    }
    let mut local_fields = FxHashMap::default();
    let mut by_index = all.clone();
    by_index.sort();
    for l in by_index {
        let slot = local_slots[&l] as usize;
        local_fields.insert(l, fields.len() as u32);
        fields.push(FieldDef {
            name: format!("{}{}", function.locals[l.index()].name, l).into(),
            ty: function.local_ty(l).clone(),
            offset: slot_offsets[slot],
        });
    }
    let header_bytes = tag_size + if function.ret != Type::Unit { result.size } else { 0 };
    StateLayout {
        def: StructDef { name: state_name.into(), fields, size: end, align: align.max(tag_size) },
        tag_field: 0,
        tag,
        result_field,
        local_fields,
        local_slots,
        header_bytes,
    }
}
