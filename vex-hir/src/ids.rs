//! Position-independent ids of items.
//!
//! An item is named by its file and its index among the items of the same kind in that
//! file's [`ItemTree`](crate::item_tree::ItemTree). Byte offsets never enter an id, so
//! an edit inside a body, or in whitespace and comments, leaves every id (and every
//! value holding ids) equal, and salsa can reuse what depends on them.

use crate::db::SourceFile;

macro_rules! item_loc {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name {
            /// The file that declares the item.
            pub file: SourceFile,
            /// The item's index among the items of its kind in that file.
            pub index: u32,
        }
    )*};
}

item_loc! {
    /// A function: free, associated (`fn Point.new`) or method (`fn (self: Point) m`).
    FunctionLoc,
    /// A struct declaration.
    StructLoc,
    /// An enum declaration.
    EnumLoc,
    /// A `const` item.
    ConstLoc,
    /// A function declared in an `extern "C"` item or block.
    ExternLoc,
}

pub use interned::FunctionId;

// Salsa's macros generate undocumented constructors and getters; the structs are
// documented here and the generated items inherit this module's allowance.
mod interned {
    #![allow(missing_docs)]
    use super::FunctionLoc;

    /// A function as a salsa query key: per-function queries (`body`, `infer`) take this.
    #[salsa::interned(debug)]
    pub struct FunctionId<'db> {
        /// Where the function is declared.
        #[returns(copy)]
        pub loc: FunctionLoc,
    }
}
