//! What an editor asks of a compiler: types on hover, definitions, references, symbols,
//! completion, rename, formatting and diagnostics with their fixes, answered from the
//! same incremental database that checks the program.
//!
//! An [`Analysis`] is a snapshot of a [`Compiler`]'s database taken with
//! [`Compiler::analysis`]. It is `Send`, so requests run on other threads while the
//! compiler keeps the program; every answer is a [`Cancellable`]: when the compiler's
//! files change (`set_file`, `remove_file`), the snapshots still computing are cancelled
//! (their queries unwind with [`Cancelled`]) and the change goes through once they are
//! dropped. A request is never answered from a program that no longer exists: it is
//! answered before the change or cancelled, and asked again.
//!
//! Positions are byte offsets into a file's text ([`TextSize`]); an editor's lines and
//! columns are converted at the edge (the language server does it for UTF-16 columns).
//!
//! ```
//! use vex::syntax::TextSize;
//! let mut compiler = vex::Compiler::new();
//! compiler.set_file("main.vx", "fn double(x: i64): i64 { x * 2 }\nfn main() { println(double(21)) }\n");
//! let analysis = compiler.analysis();
//! // Hover over the call of `double`.
//! let hover = analysis.hover("main.vx", TextSize::new(55)).unwrap().unwrap();
//! assert!(hover.markdown.contains("fn double(x: i64): i64"));
//! // Its definition is the name in `fn double`.
//! let targets = analysis.definition("main.vx", TextSize::new(55)).unwrap();
//! assert_eq!(targets[0].focus_range, vex::syntax::TextRange::new(3.into(), 9.into()));
//! ```

mod classify;
mod completion;
mod hover;
mod references;
mod symbols;

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use vex_hir::{RootDatabase, SourceFile};
use vex_syntax::{LineIndex, TextRange, TextSize};

use crate::Compiler;
use crate::diagnostics::{Diagnostic, TextEdit};

pub use completion::{Completion, CompletionKind};
pub use hover::Hover;
pub use references::RenameError;
pub use symbols::{Symbol, SymbolKind};

/// The answer to a request, or [`Cancelled`] when the program changed while it was
/// computed.
pub type Cancellable<T> = Result<T, Cancelled>;

/// A request was cancelled because the program changed under it; ask again on the new
/// program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the request was cancelled: the program changed")]
pub struct Cancelled;

/// A range in one file of the program.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileRange {
    /// The path the file was added under.
    pub path: String,
    /// Byte offsets into that file's text.
    pub range: TextRange,
}

/// Where something is defined: for go to definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavigationTarget {
    /// The file.
    pub path: String,
    /// The name it is known by.
    pub name: String,
    /// The whole definition (a function with its body, a struct with its fields).
    pub full_range: TextRange,
    /// The defining name inside it, where an editor puts the cursor.
    pub focus_range: TextRange,
}

/// The edits of one file that a rename (or another change) makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEdits {
    /// The file.
    pub path: String,
    /// Non-overlapping edits, in text order.
    pub edits: Vec<TextEdit>,
}

/// A read-only snapshot of a program's analysis, for answering an editor's requests on
/// any thread (see the [module docs](self)).
pub struct Analysis {
    db: RootDatabase,
    files: Arc<BTreeMap<String, SourceFile>>,
}

impl Compiler {
    /// A snapshot of the program for editor requests. While a snapshot is alive, the
    /// next `set_file` or `remove_file` cancels its running requests and waits for it to
    /// be dropped: drop snapshots once their request is answered.
    pub fn analysis(&self) -> Analysis {
        Analysis { db: self.db().clone(), files: Arc::clone(self.file_map()) }
    }
}

impl Analysis {
    /// Runs `f` on the database, turning salsa's cancellation into [`Cancelled`].
    fn with_db<T>(&self, f: impl FnOnce(&Ctx<'_>) -> T) -> Cancellable<T> {
        let ctx = Ctx { db: &self.db, files: &self.files };
        salsa::Cancelled::catch(AssertUnwindSafe(|| f(&ctx))).map_err(|_| Cancelled)
    }

    /// The paths of the program's files, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The text of the file at `path`.
    pub fn file_text(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(|f| f.text(&self.db).as_str())
    }

    /// The line table of the file at `path`.
    pub fn line_index(&self, path: &str) -> Cancellable<Option<Arc<LineIndex>>> {
        self.with_db(|ctx| {
            let file = ctx.file(path)?;
            Some(Arc::clone(vex_hir::line_index(ctx.db, file)))
        })
    }

    /// Every diagnostic of the file at `path` (syntax, names, types, moves), in source
    /// order, with their notes and mechanical fixes.
    pub fn diagnostics(&self, path: &str) -> Cancellable<Vec<Diagnostic>> {
        self.with_db(|ctx| {
            ctx.file(path).map(|file| vex_hir::file_diagnostics(ctx.db, file)).unwrap_or_default()
        })
    }

    /// The file at `path` in the canonical layout of `vex fmt`, or `None` when it has
    /// syntax errors (which are left for [`Analysis::diagnostics`] to report) or is not
    /// part of the program.
    pub fn format(&self, path: &str) -> Cancellable<Option<String>> {
        self.with_db(|ctx| {
            let file = ctx.file(path)?;
            let parse = vex_hir::item_tree::parse(ctx.db, file);
            if !parse.errors().is_empty() {
                return None;
            }
            vex_fmt::format(file.text(ctx.db)).ok()
        })
    }

    /// The type or signature of what is at `offset`: a name's item signature, a local's
    /// type, or the type of the innermost expression there.
    pub fn hover(&self, path: &str, offset: TextSize) -> Cancellable<Option<Hover>> {
        self.with_db(|ctx| hover::hover(ctx, ctx.file(path)?, offset))
    }

    /// Where the name at `offset` is defined (empty for builtins and for what is not a
    /// name).
    pub fn definition(&self, path: &str, offset: TextSize) -> Cancellable<Vec<NavigationTarget>> {
        self.with_db(|ctx| {
            let Some(file) = ctx.file(path) else { return Vec::new() };
            classify::classify(ctx, file, offset)
                .and_then(|found| ctx.navigation_target(&found.definition))
                .into_iter()
                .collect()
        })
    }

    /// Every use of the local or item named at `offset`, in every file, with its
    /// definition first when `include_declaration` is set.
    pub fn references(
        &self,
        path: &str,
        offset: TextSize,
        include_declaration: bool,
    ) -> Cancellable<Vec<FileRange>> {
        self.with_db(|ctx| {
            let Some(file) = ctx.file(path) else { return Vec::new() };
            references::references(ctx, file, offset, include_declaration).unwrap_or_default()
        })
    }

    /// The edits that rename the local or item named at `offset` (its definition and
    /// every use) to `new_name`.
    pub fn rename(
        &self,
        path: &str,
        offset: TextSize,
        new_name: &str,
    ) -> Cancellable<Result<Vec<FileEdits>, RenameError>> {
        self.with_db(|ctx| match ctx.file(path) {
            Some(file) => references::rename(ctx, file, offset, new_name),
            None => Err(RenameError::NothingToRename),
        })
    }

    /// The items of the file at `path` as an outline: functions, structs with their
    /// fields, enums with their variants, constants and extern functions.
    pub fn symbols(&self, path: &str) -> Cancellable<Vec<Symbol>> {
        self.with_db(|ctx| ctx.file(path).map(|f| symbols::symbols(ctx, f)).unwrap_or_default())
    }

    /// What may be written at `offset`: after `value.`, the fields and methods of its
    /// type (builtin types' methods included); after `Type.`, its variants and
    /// associated functions; elsewhere the locals in scope, the program's items, the
    /// builtins and the keywords.
    pub fn completions(&self, path: &str, offset: TextSize) -> Cancellable<Vec<Completion>> {
        self.with_db(|ctx| {
            ctx.file(path).map(|f| completion::completions(ctx, f, offset)).unwrap_or_default()
        })
    }
}

/// What every feature reads: the database and the program's files.
struct Ctx<'a> {
    db: &'a RootDatabase,
    files: &'a BTreeMap<String, SourceFile>,
}

impl Ctx<'_> {
    fn file(&self, path: &str) -> Option<SourceFile> {
        self.files.get(path).copied()
    }

    fn path(&self, file: SourceFile) -> String {
        file.path(self.db).clone()
    }
}
