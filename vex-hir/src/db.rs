//! The salsa database: inputs and the database trait every query takes.
//!
//! The inputs are the program's files ([`SourceFile`]: path and text) and the set of
//! files that make up the program ([`Program`]). Everything else is derived by the
//! queries of this crate, each memoised and re-run only when what it read changed;
//! [`line_index`], the one line table of a file, is the first of them.

use std::sync::{Arc, Mutex};

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
pub trait Db: salsa::Database {}

/// The concrete database. It can record which queries executed, for tests of
/// incrementality (see [`RootDatabase::enable_logging`]).
#[salsa::db]
#[derive(Clone)]
pub struct RootDatabase {
    storage: salsa::Storage<Self>,
    executed: Arc<Mutex<Option<Vec<String>>>>,
}

impl Default for RootDatabase {
    fn default() -> RootDatabase {
        let executed: Arc<Mutex<Option<Vec<String>>>> = Arc::default();
        let log = Arc::clone(&executed);
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind
                && let Some(log) = log.lock().unwrap_or_else(|e| e.into_inner()).as_mut()
            {
                log.push(format!("{database_key:?}"));
            }
        })));
        let db = RootDatabase { storage, executed };
        Program::new(&db, Vec::new());
        db
    }
}

impl RootDatabase {
    /// Starts recording the queries that execute (not those whose memo is reused).
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
impl Db for RootDatabase {}
