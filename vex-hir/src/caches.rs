//! What a file's queries keep from their last run, beside salsa's memos, so that the
//! next run after an edit redoes only what the edit touched.
//!
//! Salsa re-runs a query whose inputs changed as a whole. For a large file that is too
//! coarse: after typing in one function, the parse, the walk over the items and the
//! diagnostics of the file would each be redone for every item. Each of these three keeps
//! what it computed last, per file, and its next run reuses the parts whose syntax is the
//! very same green node (or an equal one) as before:
//!
//! - the parse: the last text and tree, for [`vex_syntax::reparse`];
//! - the items: each top-level item's summary (`item_tree::collect`);
//! - the diagnostics of the bodies, with the item trees of the program they were found
//!   in (`check.rs`): a body's diagnostics depend only on its syntax and on the program's
//!   items.
//!
//! Every result stays a function of the query's inputs (what is reused is what would
//! be computed again), so salsa's view is unchanged. A cache entry is taken out while a
//! query runs and put back after, so concurrent handles of a database never share one;
//! a query that unwinds just leaves the entry out.

use std::sync::Mutex;

use rustc_hash::FxHashMap;

use crate::check::BodyDiagnosticsCache;
use crate::db::SourceFile;
use crate::item_tree::{FileItems, ItemSummaries};

/// One value per file, taken out for a query's run and put back after.
struct PerFile<T>(Mutex<FxHashMap<SourceFile, T>>);

impl<T> Default for PerFile<T> {
    fn default() -> PerFile<T> {
        PerFile(Mutex::default())
    }
}

impl<T> PerFile<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, FxHashMap<SourceFile, T>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the file's last value (if any), keeps the value it returns for the
    /// next run, and returns its result.
    fn update<R>(&self, file: SourceFile, f: impl FnOnce(Option<T>) -> (R, T)) -> R {
        let last = self.lock().remove(&file);
        let (result, next) = f(last);
        self.lock().insert(file, next);
        result
    }

    fn forget(&self, file: SourceFile) -> bool {
        self.lock().remove(&file).is_some()
    }
}

/// What the queries of each file kept from their last run (see the module doc). Shared
/// by a database's handles.
#[derive(Default)]
pub struct Caches {
    parses: PerFile<(String, vex_syntax::Parse)>,
    items: PerFile<ItemSummaries>,
    bodies: PerFile<BodyDiagnosticsCache>,
}

impl Caches {
    /// The parse of `text`, the text of `file`: from the file's last parse when there
    /// is one, then remembered for the next.
    pub(crate) fn parse(&self, file: SourceFile, text: &str) -> vex_syntax::Parse {
        self.parses.update(file, |last| {
            let parse = match &last {
                Some((old_text, old)) => vex_syntax::reparse(old, old_text, text),
                None => vex_syntax::parse(text),
            };
            // The text's buffer is reused when the file had one.
            let mut remembered = last.map(|(old_text, _)| old_text).unwrap_or_default();
            remembered.clear();
            remembered.push_str(text);
            (parse.clone(), (remembered, parse))
        })
    }

    /// The items of `file`, computed by `walk` from the summaries of its last walk.
    pub(crate) fn summarise_items(
        &self,
        file: SourceFile,
        walk: impl FnOnce(ItemSummaries) -> (FileItems, ItemSummaries),
    ) -> FileItems {
        self.items.update(file, |last| walk(last.unwrap_or_default()))
    }

    /// Runs `f` with the body diagnostics kept for `file`, keeping what it returns.
    pub(crate) fn body_diagnostics<R>(
        &self,
        file: SourceFile,
        f: impl FnOnce(Option<BodyDiagnosticsCache>) -> (R, BodyDiagnosticsCache),
    ) -> R {
        self.bodies.update(file, f)
    }

    /// Drops what is kept for `file` (a file that left the program); returns whether
    /// anything was.
    pub fn forget(&self, file: SourceFile) -> bool {
        let parse = self.parses.forget(file);
        let items = self.items.forget(file);
        let bodies = self.bodies.forget(file);
        parse || items || bodies
    }
}
