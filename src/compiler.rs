//! [`Compiler`]: the embedding entry point. It owns the incremental database; a host
//! adds or updates source files and asks for results, and only what an edit affects
//! is recomputed.

use std::collections::BTreeMap;

use salsa::{Durability, Setter};
use vex_hir::{Program, RootDatabase, SourceFile};

use vex_async_lower::backend::{Backend, RunConfig};

use crate::diagnostics::{Diagnostic, Severity};

pub use vex_async_lower::backend::RunOutput;

/// The engine that runs a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Engine {
    /// The reference evaluator: no LLVM needed; always deterministic.
    Interpreter,
    /// LLVM, compiled in memory and run in this process (feature `llvm`).
    #[cfg(feature = "llvm")]
    Jit,
    /// LLVM, linked into a standalone executable and run as a child process (feature
    /// `llvm`).
    #[cfg(feature = "llvm")]
    Executable,
}

impl Default for Engine {
    /// The JIT when LLVM is available, else the evaluator.
    fn default() -> Engine {
        #[cfg(feature = "llvm")]
        return Engine::Jit;
        #[cfg(not(feature = "llvm"))]
        return Engine::Interpreter;
    }
}

/// How [`Compiler::run`] runs `main`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunOptions {
    /// The engine.
    pub engine: Engine,
    /// LLVM optimisation level, 0 to 3.
    pub opt_level: u8,
    /// Worker threads; 0 means one per CPU.
    pub workers: u32,
    /// Deterministic mode: one worker and a virtual clock (LANGUAGE.md §6.9).
    pub virtual_clock: bool,
    /// Collect stdout and stderr in the result instead of printing them.
    pub capture_output: bool,
    /// The program's arguments: what `args()` gives (LANGUAGE.md §13).
    pub args: Vec<String>,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            engine: Engine::default(),
            opt_level: 2,
            workers: 0,
            virtual_clock: false,
            capture_output: true,
            args: Vec::new(),
        }
    }
}

impl RunOptions {
    /// The default options with another engine.
    pub fn with_engine(engine: Engine) -> RunOptions {
        RunOptions { engine, ..RunOptions::default() }
    }
}

/// Why a program could not be run to a normal end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The program has errors; nothing was run.
    #[error("the program has {} error(s)", .0.len())]
    Diagnostics(Vec<FileDiagnostic>),
    /// No file defines `fn main`.
    #[error("the program has no `main` function")]
    NoMain,
    /// The program panicked (LANGUAGE.md §7). `output` holds what it printed, its
    /// stderr ending with the panic line.
    #[error("{message}")]
    Panicked {
        /// `panic at FILE:LINE:COL: MESSAGE`.
        message: String,
        /// Everything captured, exit code 101.
        output: RunOutput,
    },
    /// Every task left waits and nothing can wake one (LANGUAGE.md §11): the run was
    /// ended, in every engine, with the same line on stderr and exit code 101.
    #[error("{message}")]
    Deadlocked {
        /// `deadlock: N tasks wait forever and nothing can wake them`.
        message: String,
        /// Everything captured, exit code 101.
        output: RunOutput,
    },
    /// The engine failed (LLVM or the linker reported an error, or the evaluator found
    /// a broken invariant of the lowered program: a compiler bug).
    #[error("{engine}: {message}")]
    Engine {
        /// Which engine.
        engine: &'static str,
        /// What it reported.
        message: String,
    },
    /// The engine is not available in this build.
    #[error("{0}")]
    Unavailable(String),
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
    host_functions: Vec<(String, usize)>,
}

impl Default for Compiler {
    fn default() -> Compiler {
        Compiler::new()
    }
}

impl Compiler {
    /// A compiler with no files.
    pub fn new() -> Compiler {
        Compiler { db: RootDatabase::default(), files: BTreeMap::new(), host_functions: Vec::new() }
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

    /// Runs `main` and returns what it printed and its exit code; a panic of the program
    /// is returned as [`RunError::Panicked`] and a deadlock as [`RunError::Deadlocked`]
    /// (with captured output: the host keeps running). The program must check without
    /// errors.
    ///
    /// ```
    /// let mut compiler = vex::Compiler::new();
    /// compiler.set_file("main.vx", "async fn main(): i32 {\n    await async_sleep(5)\n    println(\"hi\")\n    7\n}\n");
    /// let output = compiler.run(&vex::RunOptions::default()).unwrap();
    /// assert_eq!((output.stdout.as_str(), output.exit_code), ("hi\n", 7));
    ///
    /// compiler.set_file("main.vx", "fn main() { $panic(\"boom\") }\n");
    /// let error = compiler.run(&vex::RunOptions::default()).unwrap_err();
    /// assert_eq!(error.to_string(), "panic at main.vx:1:13: boom");
    ///
    /// compiler.set_file("main.vx", "fn main() {\n    let ch = Channel.new<i64>(0)\n    println(<-ch)\n}\n");
    /// let error = compiler.run(&vex::RunOptions::default()).unwrap_err();
    /// assert_eq!(error.to_string(), "deadlock: 1 task waits forever and nothing can wake it");
    /// ```
    pub fn run(&self, options: &RunOptions) -> Result<RunOutput, RunError> {
        self.ready_to_lower()?;
        let module = vex_async_lower::module_ir(&self.db);
        let mut config = RunConfig::default();
        config.workers = options.workers;
        config.virtual_clock = options.virtual_clock;
        config.capture_output = options.capture_output;
        config.host_functions = self.host_functions.clone();
        config.args = options.args.clone();
        let backend = self.backend(options)?;
        let output = backend
            .run_main(&module, &config)
            .map_err(|e| RunError::Engine { engine: backend.name(), message: e.to_string() })?;
        match last_stderr_line(&output) {
            Some(message) if message.starts_with("panic at ") => {
                Err(RunError::Panicked { message, output })
            }
            Some(message) if message.starts_with("deadlock: ") => {
                Err(RunError::Deadlocked { message, output })
            }
            _ => Ok(output),
        }
    }

    fn backend(&self, options: &RunOptions) -> Result<Box<dyn Backend>, RunError> {
        Ok(match options.engine {
            Engine::Interpreter => Box::new(vex_async_lower::backend::Evaluator),
            #[cfg(feature = "llvm")]
            Engine::Jit => {
                Box::new(vex_llvm::JitBackend { opt_level: opt_level(options.opt_level)? })
            }
            #[cfg(feature = "llvm")]
            Engine::Executable => {
                Box::new(vex_llvm::AotBackend { opt_level: opt_level(options.opt_level)? })
            }
        })
    }

    /// Provides the `extern "C"` function `name` of the program (LANGUAGE.md §3) from the
    /// host, for the JIT. Functions not provided are looked up in the process (libc).
    ///
    /// # Safety
    /// `address` must be a function with exactly the C signature the program declares
    /// (scalars only), callable from any thread while programs run.
    pub unsafe fn provide_host_function(&mut self, name: impl Into<String>, address: *const ()) {
        let name = name.into();
        self.host_functions.retain(|(n, _)| *n != name);
        self.host_functions.push((name, address as usize));
    }

    /// Builds a standalone executable of the program at `output` (feature `llvm`).
    pub fn build_executable(
        &self,
        output: &std::path::Path,
        opt_level: u8,
    ) -> Result<(), RunError> {
        self.ready_to_lower()?;
        #[cfg(feature = "llvm")]
        {
            let backend = vex_llvm::AotBackend { opt_level: self::opt_level(opt_level)? };
            let module = vex_async_lower::module_ir(&self.db);
            backend
                .build(&module, output)
                .map_err(|e| RunError::Engine { engine: "aot", message: e.to_string() })
        }
        #[cfg(not(feature = "llvm"))]
        {
            let _ = (output, opt_level);
            Err(RunError::Unavailable("building executables needs the `llvm` feature".into()))
        }
    }

    /// The program's LLVM IR after optimisation at `opt_level` (`vex emit llvm`).
    pub fn emit_llvm(&self, opt_level: u8) -> Result<String, RunError> {
        self.ready_to_lower()?;
        #[cfg(feature = "llvm")]
        {
            let module = vex_async_lower::module_ir(&self.db);
            vex_llvm::emit_llvm_ir(&module, self::opt_level(opt_level)?)
                .map_err(|e| RunError::Engine { engine: "llvm", message: e.to_string() })
        }
        #[cfg(not(feature = "llvm"))]
        {
            let _ = opt_level;
            Err(RunError::Unavailable("LLVM output needs the `llvm` feature".into()))
        }
    }

    /// Errors and a missing `main` stop lowering.
    fn ready_to_lower(&self) -> Result<(), RunError> {
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
        Ok(())
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

/// The last stderr line of a run that ended with exit code 101: a panic (`panic at …`,
/// LANGUAGE.md §7) or a deadlock (`deadlock: …`, §11) when the runtime or the evaluator
/// wrote it.
fn last_stderr_line(output: &RunOutput) -> Option<String> {
    if output.exit_code != 101 {
        return None;
    }
    output.stderr.lines().last().map(str::to_owned)
}

#[cfg(feature = "llvm")]
fn opt_level(level: u8) -> Result<vex_llvm::OptLevel, RunError> {
    match level {
        0 => Ok(vex_llvm::OptLevel::O0),
        1 => Ok(vex_llvm::OptLevel::O1),
        2 => Ok(vex_llvm::OptLevel::O2),
        3 => Ok(vex_llvm::OptLevel::O3),
        _ => Err(RunError::Unavailable(format!("no optimisation level {level}; use 0 to 3"))),
    }
}
