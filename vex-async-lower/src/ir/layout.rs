//! Sizes, alignments and field offsets of IR types: the one source of truth for
//! layouts that the coroutine layout, the evaluator and backends share.
//!
//! Scalars have their C sizes; strings, futures, vectors, channels, I/O values and state
//! pointers are pointers (8 bytes), function values two pointers; structs and tuples are
//! laid out in declaration order with C padding; arrays are `N` elements at a stride of
//! the element's (padded) size; an enum (and `Option`, `Result`) is a `u32` tag followed
//! by the largest payload (each payload laid out like a tuple), so an `Option<i64>` is 16
//! bytes, and so is every `Result<T, IoError>` the runtime's I/O operations produce
//! (`VEX_IO_RESULT_SIZE`, the payload at `VEX_IO_PAYLOAD_OFFSET`).

use super::{IntTy, StructDef, Type, TypeDefs};

/// Size and alignment in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Size, a multiple of `align`.
    pub size: u64,
    /// Alignment, a power of two.
    pub align: u64,
}

/// Rounds `offset` up to a multiple of `align`.
pub fn align_to(offset: u64, align: u64) -> u64 {
    offset.div_ceil(align) * align
}

/// The layout of a type.
pub fn layout_of(ty: &Type, types: &TypeDefs) -> Layout {
    let scalar = |n: u64| Layout { size: n, align: n.max(1) };
    match ty {
        Type::Unit => Layout { size: 0, align: 1 },
        Type::Bool => scalar(1),
        Type::Int(int) => scalar(u64::from(int.bits() / 8)),
        Type::Float(vex_hir::ty::FloatTy::F32) => scalar(4),
        Type::Float(vex_hir::ty::FloatTy::F64) => scalar(8),
        Type::String
        | Type::Future(_)
        | Type::StatePtr(_)
        | Type::DeferList
        | Type::Vec(_)
        | Type::EnvPtr(_) => scalar(8),
        Type::Fn(..) => Layout { size: 16, align: 8 },
        Type::Channel(_) | Type::Io(_) => scalar(8),
        Type::Waiter(elem) => {
            let slot = layout_of(elem, types);
            Layout { size: align_to(CHAN_WAITER_SIZE + slot.size, 16), align: 16 }
        }
        Type::Select(n) => {
            Layout { size: align_to(SELECT_SIZE + u64::from(*n) * SELECT_ARM_SIZE, 16), align: 16 }
        }
        Type::CoroStatus => scalar(4),
        Type::Tuple(elems) => fields_layout(elems.iter(), types).0,
        Type::Array(elem, n) => {
            let elem = layout_of(elem, types);
            Layout { size: elem.size * n, align: elem.align }
        }
        Type::Struct(name) => match types.structs.get(name) {
            Some(def) => Layout { size: align_to(def.size, def.align), align: def.align },
            None => Layout { size: 0, align: 1 },
        },
        Type::Enum(_) | Type::Option(_) | Type::Result(..) => {
            let mut size = 4;
            let mut align = 4;
            for fields in types.variants(ty).unwrap_or_default() {
                let (payload, _) = fields_layout(fields.iter(), types);
                let start = align_to(4, payload.align);
                size = size.max(start + payload.size);
                align = align.max(payload.align);
            }
            Layout { size: align_to(size, align), align }
        }
    }
}

/// The layout of fields in order with C padding, and each field's offset.
pub fn fields_layout<'a>(
    fields: impl Iterator<Item = &'a Type>,
    types: &TypeDefs,
) -> (Layout, Vec<u64>) {
    let mut offset = 0;
    let mut align = 1;
    let mut offsets = Vec::new();
    for field in fields {
        let layout = layout_of(field, types);
        offset = align_to(offset, layout.align);
        offsets.push(offset);
        offset += layout.size;
        align = align.max(layout.align);
    }
    (Layout { size: align_to(offset, align), align }, offsets)
}

/// A struct definition with C layout from named fields.
pub fn struct_def(name: &str, fields: Vec<(Box<str>, Type)>, types: &TypeDefs) -> StructDef {
    let (layout, offsets) = fields_layout(fields.iter().map(|f| &f.1), types);
    StructDef {
        name: name.into(),
        fields: fields
            .into_iter()
            .zip(offsets)
            .map(|((name, ty), offset)| super::FieldDef { name, ty, offset })
            .collect(),
        size: layout.size,
        align: layout.align,
    }
}

/// The byte offset of payload field `field` of `variant` inside a value of the
/// enum-like type `ty` (a user enum, `Option`, `Result`).
pub fn payload_offset(ty: &Type, variant: u32, field: u32, types: &TypeDefs) -> u64 {
    let variants = types.variants(ty).unwrap_or_default();
    let Some(fields) = variants.get(variant as usize) else { return 0 };
    let (payload, offsets) = fields_layout(fields.iter(), types);
    align_to(4, payload.align) + offsets.get(field as usize).copied().unwrap_or(0)
}

/// Where a function value (`fn(A…): R`, 16 bytes) keeps its code pointer.
pub const FN_CODE_OFFSET: u64 = 0;
/// Where a function value keeps its environment pointer.
pub const FN_ENV_OFFSET: u64 = 8;
/// `VEX_CHAN_WAITER_SIZE`: the bytes of a `VexChanWaiter`; a [`Type::Waiter`]'s value
/// slot follows at this offset (a multiple of 16, so any value is aligned there).
pub const CHAN_WAITER_SIZE: u64 = 48;
/// `VEX_SELECT_SIZE`: the bytes of a `VexSelect`; a [`Type::Select`]'s arms follow.
pub const SELECT_SIZE: u64 = 16;
/// `sizeof(VexSelectArm)`: channel, wait record, kind, and a word for the runtime.
pub const SELECT_ARM_SIZE: u64 = 24;

/// The integer type of an enum tag.
pub const ENUM_TAG: IntTy = IntTy::U32;
