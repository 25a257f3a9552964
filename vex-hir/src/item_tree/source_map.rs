//! Where a file's items are: spans relative to each item ([`ItemLayout`]) and in the
//! file ([`ItemSourceMap`]).

use std::sync::Arc;

use vex_syntax::{TextRange, TextSize};

use crate::body::TypeRef;

/// The kinds of entries of an [`ItemTree`](super::ItemTree), one list each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// [`ItemTree::functions`](super::ItemTree::functions).
    Function,
    /// [`ItemTree::structs`](super::ItemTree::structs).
    Struct,
    /// [`ItemTree::enums`](super::ItemTree::enums).
    Enum,
    /// [`ItemTree::consts`](super::ItemTree::consts).
    Const,
    /// [`ItemTree::externs`](super::ItemTree::externs).
    Extern,
    /// [`ItemTree::unsupported`](super::ItemTree::unsupported).
    Unsupported,
}

impl ItemKind {
    const COUNT: usize = 6;
}

/// The spans of one entry of the item tree, relative to the start of the top-level item
/// that declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySpans {
    /// Which list of the item tree the entry is in.
    pub kind: ItemKind,
    /// Its defining name (the whole entry when it has none).
    pub name: TextRange,
    /// The whole declaration, when it is not the whole top-level item (a function of an
    /// `extern "C"` block). Not kept for a whole item, whose length changes with every
    /// edit of its body: see [`ItemSourceMap::items`].
    pub range: Option<TextRange>,
    /// The names of a struct's fields or of an enum's variants, in declaration order.
    pub members: Vec<TextRange>,
}

/// The spans of one top-level item, relative to its start. Most items declare one entry
/// of the item tree; an `extern "C"` block declares one per function inside.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemSpans {
    /// The entries the item declares, in source order.
    pub entries: Vec<EntrySpans>,
    /// Type annotations that could not be understood, with their spans.
    pub type_errors: Vec<(TextRange, String)>,
    /// Every type annotation of the item's signatures, fields and payloads, with its
    /// span, so that names which resolve to no type are reported where they are written.
    pub annotations: Vec<(TextRange, TypeRef)>,
    /// The span of its generic parameter list (not in Vex Core).
    pub generics: Option<TextRange>,
}

/// The spans of a file's items, each relative to its item: equal after an edit that only
/// moves items, so what reads only this (the diagnostics about items) is not redone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemLayout {
    /// Each top-level item's spans, in source order (an item's position here is its
    /// ordinal).
    pub items: Vec<Arc<ItemSpans>>,
    /// Per [`ItemKind`], per index in the item tree's list: the ordinal of the item that
    /// declares the entry, and the entry's position among that item's entries.
    entries: [Vec<(u32, u32)>; ItemKind::COUNT],
}

impl ItemLayout {
    /// Appends an item's spans; its entries are appended to their kinds' lists.
    pub(super) fn push(&mut self, spans: Arc<ItemSpans>) {
        let ordinal = self.items.len() as u32;
        for (position, entry) in spans.entries.iter().enumerate() {
            self.entries[entry.kind as usize].push((ordinal, position as u32));
        }
        self.items.push(spans);
    }

    /// The number of entries of `kind`.
    pub fn count(&self, kind: ItemKind) -> usize {
        self.entries[kind as usize].len()
    }

    /// The ordinal of the item declaring entry `index` of `kind`, and the entry's spans
    /// (relative to that item).
    pub fn entry(&self, kind: ItemKind, index: u32) -> Option<(u32, &EntrySpans)> {
        let &(ordinal, position) = self.entries[kind as usize].get(index as usize)?;
        Some((ordinal, &self.items[ordinal as usize].entries[position as usize]))
    }
}

/// The spans of a file's items in the file: the [`ItemLayout`] and where each item is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemSourceMap {
    /// The spans relative to each item.
    pub layout: Arc<ItemLayout>,
    /// Each top-level item, by ordinal.
    pub items: Vec<TextRange>,
}

/// An entry's spans in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPlace {
    /// Its defining name (the whole entry when it has none).
    pub name: TextRange,
    /// The whole declaration.
    pub range: TextRange,
    /// The names of a struct's fields or of an enum's variants.
    pub members: Vec<TextRange>,
}

impl ItemSourceMap {
    /// Where the item with this ordinal starts.
    pub fn start_of_item(&self, ordinal: u32) -> TextSize {
        self.items.get(ordinal as usize).map_or(TextSize::new(0), |item| item.start())
    }

    /// The whole declaration of an entry of the item with this ordinal, in the file.
    fn entry_range(&self, ordinal: u32, entry: &EntrySpans) -> TextRange {
        match entry.range {
            Some(range) => range + self.start_of_item(ordinal),
            None => self.items.get(ordinal as usize).copied().unwrap_or_default(),
        }
    }

    /// Where the top-level item declaring entry `index` of `kind` starts: spans relative
    /// to that item (a body's, say) become positions in the file by adding it.
    pub fn item_start(&self, kind: ItemKind, index: u32) -> Option<TextSize> {
        let (ordinal, _) = self.layout.entry(kind, index)?;
        Some(self.start_of_item(ordinal))
    }

    /// The defining name of entry `index` of `kind`, in the file.
    pub fn name(&self, kind: ItemKind, index: u32) -> Option<TextRange> {
        let (ordinal, entry) = self.layout.entry(kind, index)?;
        Some(entry.name + self.start_of_item(ordinal))
    }

    /// The whole declaration of entry `index` of `kind`, in the file.
    pub fn range(&self, kind: ItemKind, index: u32) -> Option<TextRange> {
        let (ordinal, entry) = self.layout.entry(kind, index)?;
        Some(self.entry_range(ordinal, entry))
    }

    /// All spans of entry `index` of `kind`, in the file.
    pub fn place(&self, kind: ItemKind, index: u32) -> Option<EntryPlace> {
        let (ordinal, entry) = self.layout.entry(kind, index)?;
        let start = self.start_of_item(ordinal);
        Some(EntryPlace {
            name: entry.name + start,
            range: self.entry_range(ordinal, entry),
            members: entry.members.iter().map(|&member| member + start).collect(),
        })
    }

    /// The entry of `kind` whose declaration contains `offset` (ends included).
    pub fn entry_at(&self, kind: ItemKind, offset: TextSize) -> Option<u32> {
        // Entries are in source order: the candidate is the last one starting at or
        // before the offset.
        let count = self.layout.count(kind);
        let (mut low, mut high) = (0, count);
        while low < high {
            let mid = (low + high) / 2;
            let start = self.range(kind, mid as u32).map_or(TextSize::new(0), |r| r.start());
            if start <= offset {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        let index = low.checked_sub(1)? as u32;
        self.range(kind, index)?.contains_inclusive(offset).then_some(index)
    }

    /// The entry of `kind` whose defining name is exactly `range`.
    pub fn entry_named_at(&self, kind: ItemKind, range: TextRange) -> Option<u32> {
        let index = self.entry_at(kind, range.start())?;
        (self.name(kind, index)? == range).then_some(index)
    }

    /// The struct field or enum variant whose name is exactly `range`: the entry's index
    /// and the member's.
    pub fn member_named_at(&self, kind: ItemKind, range: TextRange) -> Option<(u32, u32)> {
        let index = self.entry_at(kind, range.start())?;
        let (ordinal, entry) = self.layout.entry(kind, index)?;
        let start = self.start_of_item(ordinal);
        let member = entry.members.iter().position(|&m| m + start == range)?;
        Some((index, member as u32))
    }
}
