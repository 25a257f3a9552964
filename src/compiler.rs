//! [`Compiler`]: the embedding entry point. It owns the incremental database; a host
//! adds or updates source files and asks for results, and only what an edit affects
//! is recomputed.

use std::collections::BTreeMap;

use salsa::{Durability, Setter};
use vex_hir::{Program, RootDatabase, SourceFile};

use crate::diagnostics::{Diagnostic, Severity};

/// What a finished program printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunOutput {
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr (including a panic message).
    pub stderr: String,
    /// `main`'s result (0 for unit), or 101 after a panic.
    pub exit_code: i32,
}

/// Why a program could not be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The program has errors; nothing was run.
    #[error("the program has {} error(s)", .0.len())]
    Diagnostics(Vec<FileDiagnostic>),
    /// No file defines `fn main`.
    #[error("the program has no `main` function")]
    NoMain,
    /// The evaluator found a broken invariant of the lowered program (a compiler bug).
    #[error("internal error while running the program: {0}")]
    Internal(String),
}

/// A diagnostic together with the path of the file it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiagnostic {
    /// The path the file was added under.
    pub path: String,
    /// The diagnostic; its spans are byte offsets into that file's text.
    pub diagnostic: Diagnostic,
}

/// A Vex program being compiled: a set of source files sharing one namespace, and the
/// incremental database that analyses them.
///
/// ```
/// let mut compiler = vex::Compiler::new();
/// compiler.set_file("main.vx", "fn main() { let x: i32 = \"no\" }\n");
/// let diagnostics = compiler.diagnostics();
/// assert_eq!(diagnostics.len(), 1);
/// assert_eq!(diagnostics[0].diagnostic.message, "expected `i32`, found `string`");
///
/// // Fix the file: only the edited function is checked again.
/// compiler.set_file("main.vx", "fn main() { let x: i32 = 1 }\n");
/// assert!(compiler.diagnostics().is_empty());
/// ```
pub struct Compiler {
    db: RootDatabase,
    files: BTreeMap<String, SourceFile>,
}

impl Default for Compiler {
    fn default() -> Compiler {
        Compiler::new()
    }
}

impl Compiler {
    /// A compiler with no files.
    pub fn new() -> Compiler {
        Compiler { db: RootDatabase::default(), files: BTreeMap::new() }
    }

    /// Adds the file at `path`, or replaces its text if it is already part of the
    /// program.
    ///
    /// Files start out as medium-durability inputs and become low-durability once
    /// edited: after an edit, salsa then skips re-validating what depends only on files
    /// that were never edited, which keeps re-checking a large program fast.
    pub fn set_file(&mut self, path: impl Into<String>, text: impl Into<String>) {
        let path = path.into();
        let text = text.into();
        match self.files.get(&path) {
            Some(&file) => {
                if file.text(&self.db) != &text {
                    file.set_text(&mut self.db).with_durability(Durability::LOW).to(text);
                }
            }
            None => {
                let file = SourceFile::builder(path.clone(), text)
                    .path_durability(Durability::MEDIUM)
                    .text_durability(Durability::MEDIUM)
                    .new(&self.db);
                self.files.insert(path, file);
                self.update_program();
            }
        }
    }

    fn update_program(&mut self) {
        let files: Vec<SourceFile> = self.files.values().copied().collect();
        Program::get(&self.db)
            .set_files(&mut self.db)
            .with_durability(Durability::MEDIUM)
            .to(files);
    }

    /// Removes the file at `path` from the program; returns whether it was there.
    pub fn remove_file(&mut self, path: &str) -> bool {
        if self.files.remove(path).is_none() {
            return false;
        }
        self.update_program();
        true
    }

    /// The text of the file at `path`.
    pub fn file_text(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(|f| f.text(&self.db).as_str())
    }

    /// The paths of the program's files, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Every diagnostic of every file: syntax errors, name and type errors.
    pub fn diagnostics(&self) -> Vec<FileDiagnostic> {
        self.files
            .iter()
            .flat_map(|(path, &file)| {
                vex_hir::file_diagnostics(&self.db, file)
                    .into_iter()
                    .map(move |diagnostic| FileDiagnostic { path: path.clone(), diagnostic })
            })
            .collect()
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics().iter().any(|d| d.diagnostic.severity == Severity::Error)
    }

    /// The HIR of every function in the file at `path`, with the type of every
    /// expression, as text (`vex emit hir`).
    pub fn hir_dump(&self, path: &str) -> Option<String> {
        let file = *self.files.get(path)?;
        Some(vex_hir::pretty::file_hir(&self.db, file))
    }

    /// The program's IR before the coroutine transform (`vex emit ir`).
    pub fn emit_ir(&self) -> String {
        vex_async_lower::emit::emit_ir(&self.db)
    }

    /// The program's IR after the coroutine transform: state structs, resume functions
    /// and wrappers (`vex emit async-ir`).
    pub fn emit_async_ir(&self) -> String {
        vex_async_lower::emit::emit_async_ir(&self.db)
    }

    /// A Graphviz graph of every state machine (`vex emit async-ir --dot`).
    pub fn emit_async_dot(&self) -> String {
        vex_async_lower::emit::emit_dot(&self.db)
    }

    /// Runs `main` in the reference evaluator, deterministically (one worker, virtual
    /// clock), capturing its output. The program must check without errors.
    pub fn run_interpreted(&self) -> Result<RunOutput, RunError> {
        let errors: Vec<FileDiagnostic> = self
            .diagnostics()
            .into_iter()
            .filter(|d| d.diagnostic.severity == Severity::Error)
            .collect();
        if !errors.is_empty() {
            return Err(RunError::Diagnostics(errors));
        }
        if !self.has_main() {
            return Err(RunError::NoMain);
        }
        let result = vex_async_lower::eval::run_program(&self.db);
        if !result.errors.is_empty() {
            return Err(RunError::Internal(result.errors.join("; ")));
        }
        Ok(RunOutput { stdout: result.stdout, stderr: result.stderr, exit_code: result.exit_code })
    }

    /// Whether some file defines a free function `main`.
    pub fn has_main(&self) -> bool {
        let scope = vex_hir::scope::program_scope(&self.db, Program::get(&self.db));
        matches!(scope.get("main"), Some(vex_hir::scope::ItemRef::Function(_)))
    }

    /// The database, for tools that run their own queries on top of Vex's.
    pub fn db(&self) -> &RootDatabase {
        &self.db
    }
}
