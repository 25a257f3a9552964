//! The salsa database: inputs and the database trait every query takes.
//!
//! The inputs are the program's files ([`SourceFile`]: path and text) and the set of
//! files that make up the program ([`Program`]). Everything else is derived by the
//! queries of this crate, each memoised and re-run only when what it read changed;
//! [`line_index`], the one line table of a file, is the first of them.

use std::sync::{Arc, Mutex};

use crate::caches::Caches;

pub use inputs::{Program, SourceFile};

// Salsa's macros generate undocumented constructors and getters; the structs are
// documented here and the generated items inherit this module's allowance.
mod inputs {
    #![allow(missing_docs)]

    /// One source file of a program.
    #[salsa::input(debug)]
    pub struct SourceFile {
        /// The path as given by the user; diagnostics print it.
        #[returns(ref)]
        pub path: String,
        /// The full text.
        #[returns(ref)]
        pub text: String,
    }

    /// The files of the program; they share one namespace (LANGUAGE.md §3). A database
    /// holds one program: [`RootDatabase::default`] creates it empty.
    #[salsa::input(singleton, debug)]
    pub struct Program {
        /// The files, in the order they were added.
        #[returns(ref)]
        pub files: Vec<SourceFile>,
    }
}

/// The line starts (and multi-byte characters) of a file, for turning byte offsets into
/// the 1-based lines and columns that diagnostics, panic sites and debug line tables
/// print. Its result stays equal, and is backdated, while an edit keeps every line
/// start and wide character in place, so an edit inside one line re-runs nothing that
/// reads only this.
#[salsa::tracked(returns(ref))]
pub fn line_index(db: &dyn Db, file: SourceFile) -> Arc<vex_syntax::LineIndex> {
    Arc::new(vex_syntax::LineIndex::new(file.text(db)))
}

/// The database trait of the front end: every query takes `&dyn Db`.
#[salsa::db]
pub trait Db: salsa::Database {
    /// What the queries of each file kept from their last run, for redoing only what an
    /// edit touched.
    fn caches(&self) -> &Caches;
}

/// The concrete database. One made by [`RootDatabase::with_query_log`] can record which
/// queries executed, for tests of incrementality (see [`RootDatabase::enable_logging`]).
#[salsa::db]
#[derive(Clone)]
pub struct RootDatabase {
    storage: salsa::Storage<Self>,
    executed: Arc<Mutex<Option<Vec<String>>>>,
    caches: Arc<Caches>,
}

impl Default for RootDatabase {
    /// A database without a query log: salsa then reports no events, which would
    /// otherwise cost a fifth of re-verifying a large program after an edit.
    fn default() -> RootDatabase {
        RootDatabase::new(false)
    }
}

impl RootDatabase {
    /// A database that can record the queries that execute, once
    /// [`RootDatabase::enable_logging`] is called.
    pub fn with_query_log() -> RootDatabase {
        RootDatabase::new(true)
    }

    fn new(query_log: bool) -> RootDatabase {
        let executed: Arc<Mutex<Option<Vec<String>>>> = Arc::default();
        let log = Arc::clone(&executed);
        let on_event = move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind
                && let Some(log) = log.lock().unwrap_or_else(|e| e.into_inner()).as_mut()
            {
                log.push(format!("{database_key:?}"));
            }
        };
        let on_event: Option<Box<dyn Fn(salsa::Event) + Send + Sync>> =
            if query_log { Some(Box::new(on_event)) } else { None };
        let db = RootDatabase {
            storage: salsa::Storage::new(on_event),
            executed,
            caches: Arc::default(),
        };
        Program::new(&db, Vec::new());
        db
    }

    /// Starts recording the queries that execute (not those whose memo is reused), on a
    /// database made by [`RootDatabase::with_query_log`]; on others nothing is recorded.
    pub fn enable_logging(&self) {
        let mut log = self.executed.lock().unwrap_or_else(|e| e.into_inner());
        log.get_or_insert_with(Vec::new);
    }

    /// The queries executed since the last call, as `query_name(key)` strings.
    pub fn take_executed(&self) -> Vec<String> {
        let mut log = self.executed.lock().unwrap_or_else(|e| e.into_inner());
        log.as_mut().map(std::mem::take).unwrap_or_default()
    }
}

#[salsa::db]
impl salsa::Database for RootDatabase {}

#[salsa::db]
impl Db for RootDatabase {
    fn caches(&self) -> &Caches {
        &self.caches
    }
}
