//! [`Compiler`]: the embedding entry point. It owns the incremental database; a host
//! adds or updates source files and asks for results, and only what an edit affects
//! is recomputed.

use std::collections::BTreeMap;
use std::sync::Arc;

use salsa::{Durability, Setter};
use vex_hir::{Db as _, Program as HirProgram, RootDatabase, SourceFile};

use vex_async_lower::backend::{Backend, Compiled, HostBinding, HostFunction, host_signature};

use crate::diagnostics::{Diagnostic, Severity};
use crate::program::{Config, Engine, OptLevel, Program};

/// Why a program could not be compiled, built or run. How a run *ended* (a panic, `exit`,
/// a deadlock, an interrupt) is not an error: it is the [`crate::Ending`] of its
/// [`crate::Outcome`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The program has errors; nothing was compiled.
    #[error("the program has {} error(s)", .0.len())]
    Diagnostics(Vec<FileDiagnostic>),
    /// No file defines `fn main`.
    #[error("the program has no `main` function")]
    NoMain,
    /// The engine failed (LLVM or the linker reported an error, a host function does
    /// not match the program, or the evaluator found a broken invariant of the lowered
    /// program: a compiler bug).
    #[error("{engine}: {message}")]
    Engine {
        /// Which engine.
        engine: &'static str,
        /// What it reported.
        message: String,
    },
    /// The engine is not available in this build, or cannot do what was asked.
    #[error("{0}")]
    Unavailable(String),
    /// The program has no free function of that name that a host can call (one whose
    /// parameters and result are scalars, `bool`, `string`, `()` or tuples of them).
    #[error("the program has no function `{0}` that a host can call")]
    NoFunction(String),
    /// The function exists with another signature than the one asked for.
    #[error("`{function}` is `{declared}`, not `{requested}`")]
    Signature {
        /// The function.
        function: String,
        /// Its signature in the program.
        declared: String,
        /// The signature the host asked for.
        requested: String,
    },
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
    files: Arc<BTreeMap<String, SourceFile>>,
    host_functions: Vec<(String, usize)>,
    #[cfg(feature = "llvm")]
    host_closures: Vec<crate::call::RegisteredClosure>,
    /// Whether the files as added so far were checked on all CPUs (see `diagnostics`).
    checked_in_parallel: std::sync::atomic::AtomicBool,
    /// Files whose text is a low-durability input (edited, or opened for editing).
    editing: std::collections::HashSet<SourceFile>,
}

impl Default for Compiler {
    fn default() -> Compiler {
        Compiler::new()
    }
}

impl Compiler {
    /// A compiler with no files.
    pub fn new() -> Compiler {
        Compiler {
            db: RootDatabase::default(),
            files: Arc::default(),
            host_functions: Vec::new(),
            #[cfg(feature = "llvm")]
            host_closures: Vec::new(),
            checked_in_parallel: std::sync::atomic::AtomicBool::new(false),
            editing: std::collections::HashSet::new(),
        }
    }

    /// Adds the file at `path`, or replaces its text if it is already part of the
    /// program.
    ///
    /// Files start out as medium-durability inputs and become low-durability once
    /// edited (or [opened for editing](Compiler::open_for_editing)): after an edit,
    /// salsa then skips re-validating what depends only on files that were never
    /// edited, which keeps re-checking a large program fast.
    pub fn set_file(&mut self, path: impl Into<String>, text: impl Into<String>) {
        let path = path.into();
        let text = text.into();
        match self.files.get(&path) {
            Some(&file) => {
                if file.text(&self.db) != &text {
                    file.set_text(&mut self.db).with_durability(Durability::LOW).to(text);
                    self.editing.insert(file);
                }
            }
            None => {
                let file = SourceFile::builder(path.clone(), text)
                    .path_durability(Durability::MEDIUM)
                    .text_durability(Durability::MEDIUM)
                    .new(&self.db);
                Arc::make_mut(&mut self.files).insert(path, file);
                self.update_program();
                *self.checked_in_parallel.get_mut() = false;
            }
        }
    }

    /// Tells the compiler that the file at `path` is about to be edited (an editor opened
    /// it), so that the cost of its first edit is paid now; returns whether the file is
    /// part of the program.
    ///
    /// A file's first edit turns its text from a medium- into a low-durability input,
    /// and salsa cannot reuse a result that became less durable even when it is equal:
    /// every body of the file is lowered again, and every function in the program that
    /// calls into it is inferred again (0.3 s for a file of a 100,000-line program). Here
    /// the text is made low-durable as it is, so the edits that follow re-check only what
    /// they change.
    pub fn open_for_editing(&mut self, path: &str) -> bool {
        let Some(&file) = self.files.get(path) else { return false };
        if self.editing.insert(file) {
            let text = file.text(&self.db).clone();
            file.set_text(&mut self.db).with_durability(Durability::LOW).to(text);
        }
        true
    }

    fn update_program(&mut self) {
        let files: Vec<SourceFile> = self.files.values().copied().collect();
        HirProgram::get(&self.db)
            .set_files(&mut self.db)
            .with_durability(Durability::MEDIUM)
            .to(files);
    }

    /// Removes the file at `path` from the program; returns whether it was there.
    pub fn remove_file(&mut self, path: &str) -> bool {
        let Some(file) = Arc::make_mut(&mut self.files).remove(path) else { return false };
        self.editing.remove(&file);
        self.db.caches().forget(file);
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

    /// Every diagnostic of every file: syntax errors, name and type errors. The first
    /// call after files were added checks on every CPU of the machine; after an edit,
    /// only what the edit affects is checked again.
    pub fn diagnostics(&self) -> Vec<FileDiagnostic> {
        if !self.checked_in_parallel.swap(true, std::sync::atomic::Ordering::Relaxed) {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            vex_hir::check_in_parallel(&self.db, threads);
        }
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

    /// Compiles the program as `config` says, once: the returned [`Program`] runs
    /// `main` any number of times, from any thread. The program must check without
    /// errors and have a `main`.
    ///
    /// ```
    /// let mut compiler = vex::Compiler::new();
    /// compiler.set_file("main.vx", "async fn main(): i32 {\n    await async_sleep(5)\n    println(\"hi\")\n    7\n}\n");
    /// let program = compiler.compile(&vex::Config::default()).unwrap();
    /// let outcome = program.run(&vex::RunOptions::default()).unwrap();
    /// assert_eq!((outcome.stdout.as_str(), outcome.exit_code()), ("hi\n", 7));
    ///
    /// compiler.set_file("main.vx", "fn main() {\n    let ch = Channel.new<i64>(0)\n    println(<-ch)\n}\n");
    /// let outcome = compiler.compile(&vex::Config::default()).unwrap().run(&vex::RunOptions::default()).unwrap();
    /// assert_eq!(outcome.ending, vex::Ending::Deadlocked { tasks: 1 });
    /// assert_eq!(outcome.stderr, "deadlock: 1 task waits forever and nothing can wake it\n");
    /// ```
    pub fn compile(&self, config: &Config) -> Result<Program, Error> {
        // Lowering and compiling what will run start at once on another thread, while
        // the whole program is checked here (which may take most of the time in a large
        // program): their results are used only if the check finds no error. A program
        // with errors may lower to anything, so the speculative module is validated
        // before a backend sees it; if lowering fails, it is redone after the check.
        let db = self.db.clone();
        let host = (&self.host_functions[..], self.host_closures());
        let (checked, speculated) = std::thread::scope(|scope| {
            let speculative = std::thread::Builder::new().name("vex-compile".into()).spawn_scoped(
                scope,
                move || {
                    let lowered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        lower(&db, config)
                    }));
                    let module = lowered.ok()?;
                    vex_async_lower::ir::validate::validate_module(
                        &module,
                        vex_async_lower::ir::validate::Stage::Transformed,
                    )
                    .ok()?;
                    Some(build(module, config, host))
                },
            );
            let checked = self.ready_to_lower();
            let speculated = speculative.ok().and_then(|handle| handle.join().ok().flatten());
            (checked, speculated)
        });
        checked?;
        let (module, compiled, engine) = match speculated {
            Some(built) => built?,
            None => build(lower(&self.db, config), config, host)?,
        };
        let signatures = module
            .functions
            .iter()
            .filter_map(|f| Some((f.name.to_string(), host_signature(f)?)))
            .filter(|(name, _)| self.is_free_function(name))
            .collect();
        #[cfg(feature = "llvm")]
        let keep = self.host_closures.iter().map(|c| c.keep.clone()).collect();
        #[cfg(not(feature = "llvm"))]
        let keep = Vec::new();
        Ok(Program::new(compiled, engine, config.clone(), signatures, keep))
    }

    /// The host closures given to [`Compiler::define_host_fn`].
    #[cfg(feature = "llvm")]
    fn host_closures(&self) -> &[RegisteredClosure] {
        &self.host_closures
    }

    #[cfg(not(feature = "llvm"))]
    fn host_closures(&self) -> &[RegisteredClosure] {
        &[]
    }

    /// Provides the `extern "C"` function `name` of the program (LANGUAGE.md §3) as a
    /// Rust closure, with state if it likes: `A` is `()` or a tuple of the parameter
    /// types, `R` the result type. [`Compiler::compile`] checks them against the
    /// declaration (a missing declaration or another signature is an error before
    /// anything runs). A panic of the closure becomes a panic of the calling Vex task, at
    /// the call (`host function `NAME` panicked: MESSAGE`). Works in the JIT and the
    /// evaluator; the executable engine refuses host functions.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicI64, Ordering};
    /// let mut compiler = vex::Compiler::new();
    /// compiler.set_file("main.vx", "extern \"C\" fn record(x: i64): i64\nfn main() {\n    println(record(2) + record(3))\n}\n");
    /// let total = Arc::new(AtomicI64::new(0));
    /// let seen = total.clone();
    /// compiler.define_host_fn("record", move |(x,): (i64,)| seen.fetch_add(x, Ordering::SeqCst) + x);
    /// let outcome = compiler.compile(&vex::Config::default()).unwrap().run(&vex::RunOptions::default()).unwrap();
    /// assert_eq!(outcome.stdout, "7\n");
    /// assert_eq!(total.load(Ordering::SeqCst), 5);
    /// ```
    #[cfg(feature = "llvm")]
    pub fn define_host_fn<A, R, F>(&mut self, name: &str, function: F)
    where
        A: crate::call::HostArgs + 'static,
        R: crate::call::Param + 'static,
        F: Fn(A) -> R + Send + Sync + 'static,
    {
        self.host_closures.retain(|c| c.name != name);
        self.host_closures.push(crate::call::RegisteredClosure::new::<A, R, F>(name, function));
    }

    /// Provides the `extern "C"` function `name` of the program (LANGUAGE.md §3) from the
    /// host, for the JIT: bound when the program is compiled, which fails if the program
    /// declares no such function. Functions not provided are looked up in the process
    /// (libc).
    ///
    /// # Safety
    /// `address` must be a function with exactly the C signature the program declares
    /// (scalars only), callable from any thread while programs run.
    pub unsafe fn provide_host_function(&mut self, name: impl Into<String>, address: *const ()) {
        let name = name.into();
        self.host_functions.retain(|(n, _)| *n != name);
        self.host_functions.push((name, address as usize));
    }

    /// Builds a standalone executable of the program at `output` (feature `llvm`). An
    /// executable only ever starts at `main`: only the code `main` reaches is compiled.
    pub fn build_executable(
        &self,
        output: &std::path::Path,
        opt_level: OptLevel,
    ) -> Result<(), Error> {
        self.ready_to_lower()?;
        #[cfg(feature = "llvm")]
        {
            let backend = vex_llvm::AotBackend { opt_level };
            let module = vex_async_lower::module_ir_for_main(&self.db);
            backend
                .build(&module, output)
                .map_err(|e| Error::Engine { engine: "aot", message: e.to_string() })
        }
        #[cfg(not(feature = "llvm"))]
        {
            let _ = (output, opt_level);
            Err(Error::Unavailable("building executables needs the `llvm` feature".into()))
        }
    }

    /// The program's LLVM IR after optimisation at `opt_level` (`vex emit llvm`).
    pub fn emit_llvm(&self, opt_level: OptLevel) -> Result<String, Error> {
        self.ready_to_lower()?;
        #[cfg(feature = "llvm")]
        {
            let module = vex_async_lower::module_ir(&self.db);
            vex_llvm::emit_llvm_ir(&module, opt_level)
                .map_err(|e| Error::Engine { engine: "llvm", message: e.to_string() })
        }
        #[cfg(not(feature = "llvm"))]
        {
            let _ = opt_level;
            Err(Error::Unavailable("LLVM output needs the `llvm` feature".into()))
        }
    }

    /// Errors stop lowering (a missing `main` does not; see `ready_to_lower`).
    pub(crate) fn check_for_lowering(&self) -> Result<(), Error> {
        let errors: Vec<FileDiagnostic> = self
            .diagnostics()
            .into_iter()
            .filter(|d| d.diagnostic.severity == Severity::Error)
            .collect();
        if errors.is_empty() { Ok(()) } else { Err(Error::Diagnostics(errors)) }
    }

    /// Errors and a missing `main` stop lowering.
    fn ready_to_lower(&self) -> Result<(), Error> {
        self.check_for_lowering()?;
        if !self.has_main() {
            return Err(Error::NoMain);
        }
        Ok(())
    }

    /// Whether `name` is a free function of the program (not a constant's initialiser).
    fn is_free_function(&self, name: &str) -> bool {
        let scope = vex_hir::scope::program_scope(&self.db, HirProgram::get(&self.db));
        matches!(scope.get(name), Some(vex_hir::scope::ItemRef::Function(_)))
    }

    /// Whether some file defines a free function `main`.
    pub fn has_main(&self) -> bool {
        self.is_free_function("main")
    }

    /// The database, for tools that run their own queries on top of Vex's (see
    /// [`crate::unstable::database`]).
    pub(crate) fn db(&self) -> &RootDatabase {
        &self.db
    }

    /// The program's files by path, shared with analysis snapshots.
    pub(crate) fn file_map(&self) -> &Arc<BTreeMap<String, SourceFile>> {
        &self.files
    }
}

/// The program's IR after the coroutine transform: what `main` reaches, or all of it.
fn lower(db: &RootDatabase, config: &Config) -> vex_async_lower::ir::Module {
    if config.main_only {
        vex_async_lower::module_ir_for_main(db)
    } else {
        vex_async_lower::module_ir(db)
    }
}

/// The host's functions of a compile: addresses given with `provide_host_function`
/// and closures given with `define_host_fn`.
type HostGiven<'a> = (&'a [(String, usize)], &'a [RegisteredClosure]);

#[cfg(feature = "llvm")]
use crate::call::RegisteredClosure;

/// Without LLVM there are no host closures (`define_host_fn` needs the JIT's types).
#[cfg(not(feature = "llvm"))]
enum RegisteredClosure {}

/// Compiles `module` with the engine `config` names, binding the host's functions
/// (checked against the module's `extern "C"` declarations); returns the module too,
/// for the signatures of typed calls, and the engine's name.
fn build(
    module: vex_async_lower::ir::Module,
    config: &Config,
    (addresses, closures): HostGiven<'_>,
) -> Result<(vex_async_lower::ir::Module, std::sync::Arc<dyn Compiled>, &'static str), Error> {
    let backend = backend(config)?;
    let mut host: Vec<HostFunction<'_>> = addresses
        .iter()
        .map(|(name, address)| HostFunction { name, binding: HostBinding::Address(*address) })
        .collect();
    #[cfg(not(feature = "llvm"))]
    let _ = (closures, &mut host);
    #[cfg(feature = "llvm")]
    for closure in closures {
        let declared = module.externs.iter().find(|e| *e.name == *closure.name);
        let Some(declared) = declared else {
            return Err(Error::NoFunction(format!("extern \"C\" fn {}", closure.name)));
        };
        if declared.params != closure.params || declared.ret != closure.ret {
            return Err(Error::Signature {
                function: closure.name.clone(),
                declared: crate::call::describe("extern \"C\" ", &declared.params, &declared.ret),
                requested: crate::call::describe("extern \"C\" ", &closure.params, &closure.ret),
            });
        }
        host.push(HostFunction {
            name: &closure.name,
            binding: HostBinding::Closure { dispatch: closure.dispatch, data: closure.data },
        });
    }
    let compiled = backend
        .compile(&module, &host)
        .map_err(|e| Error::Engine { engine: backend.name(), message: e.to_string() })?;
    Ok((module, compiled, backend.name()))
}

/// The engine `config` names.
fn backend(config: &Config) -> Result<Box<dyn Backend>, Error> {
    Ok(match config.engine {
        Engine::Interpreter => Box::new(vex_async_lower::backend::Evaluator),
        #[cfg(feature = "llvm")]
        Engine::Jit => Box::new(vex_llvm::JitBackend {
            opt_level: config.opt_level,
            loop_checks: config.interruptible_loops,
        }),
        #[cfg(feature = "llvm")]
        Engine::Executable => Box::new(vex_llvm::AotBackend { opt_level: config.opt_level }),
    })
}
