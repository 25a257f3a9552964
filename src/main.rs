//! The `vex` command-line interface.
//!
//! Exit codes: 0 when the command succeeded and found no error, 1 when the source has
//! errors, 2 for usage and I/O errors. All work is done by the `vex` library; this file
//! only reads files, calls it and prints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod lsp;

use vex::diagnostics::{self, Diagnostic};

// Syntax trees, salsa memos and IR are many small allocations; mimalloc makes parsing
// about 30% faster than glibc's malloc (see vex-syntax/benches/parse.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use vex::{Compiler, Severity};

#[derive(Parser)]
#[command(name = "vex", version, about = "The Vex Core compiler")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse a file and report syntax errors.
    Parse {
        /// The `.vx` file to parse.
        file: PathBuf,
        /// Print the syntax tree as indented `KIND@START..END` lines.
        #[arg(long)]
        dump: bool,
    },
    /// Check a program (all files together): syntax, names and types.
    Check {
        /// The `.vx` files of the program (a directory means its `.vx` files).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Format files in the canonical layout (4-space indent, 100 columns, trailing
    /// commas in broken lists), rewriting the files that change. Files with syntax
    /// errors are reported and left untouched.
    Fmt {
        /// The `.vx` files to format (a directory means the `.vx` files under it).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Change nothing: print the files that are not formatted, with their first
        /// differing line, and exit with status 1 if there is any.
        #[arg(long)]
        check: bool,
    },
    /// Print an intermediate form of a program.
    Emit {
        /// What to print.
        what: Emit,
        /// The `.vx` files of the program (a directory means its `.vx` files).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// With `async-ir`: print a Graphviz graph of each state machine instead.
        #[arg(long)]
        dot: bool,
        /// With `llvm`: the optimisation level.
        #[arg(short = 'O', default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=3))]
        opt_level: u8,
    },
    /// Run a program: check it, lower it, compile it with LLVM in memory and run
    /// `main`. `VEX_WORKERS=N` sets the workers, `VEX_CLOCK=virtual` the deterministic
    /// mode (one worker, virtual clock). Arguments after `--` go to the program
    /// (`vex run prog.vx -- a b`).
    Run {
        /// The `.vx` files of the program (a directory means its `.vx` files); one of
        /// them defines `main`.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Run in the reference evaluator instead (deterministic, no LLVM).
        #[arg(long, conflicts_with = "aot")]
        interp: bool,
        /// Build a standalone executable in a temporary directory and run that.
        #[arg(long)]
        aot: bool,
        /// LLVM optimisation level. The default, 0, starts fastest (measured on a
        /// hello-async program: 23 ms at -O 0 against 34 ms at -O 2); use -O 2 for
        /// compute-heavy programs, as `vex build` does.
        #[arg(short = 'O', default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=3))]
        opt_level: u8,
        /// Worker threads (default: `VEX_WORKERS`, else one per CPU).
        #[arg(long)]
        workers: Option<u32>,
        /// Stop the program after this many milliseconds: its tasks are abandoned and
        /// `vex` exits with status 124 (as `timeout(1)` does).
        #[arg(long, value_name = "MS")]
        timeout: Option<u64>,
        /// The program's arguments, after `--` (what `args()` gives).
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Run the language server on stdin/stdout (the Language Server Protocol):
    /// diagnostics as you type, hover, go to definition, references, symbols,
    /// completion, rename, formatting and quick fixes.
    Lsp,
    /// Build a standalone executable that depends only on libc.
    Build {
        /// The `.vx` files of the program (a directory means its `.vx` files).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Where to write the executable.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// LLVM optimisation level.
        #[arg(short = 'O', default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=3))]
        opt_level: u8,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// `FILE:LINE:COL: error[CODE]: message` with the source line and a caret.
    Text,
    /// One JSON object per line: file, line, column, end, severity, code, message.
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Emit {
    /// Function bodies as HIR with the type of every expression.
    Hir,
    /// The CFG IR before the coroutine transform.
    Ir,
    /// The IR after the coroutine transform (state structs, resume functions, wrappers).
    AsyncIr,
    /// LLVM IR (optimised at `-O`).
    Llvm,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse { file, dump } => parse(&file, dump),
        Command::Check { files, format } => match load_program(&files) {
            Some((compiler, _)) => {
                let status = check(&compiler, format);
                // The process ends here: freeing every tree and memo one by one would
                // only delay the exit (about a fifth of checking a large program).
                std::mem::forget(compiler);
                status
            }
            None => ExitCode::from(2),
        },
        Command::Fmt { files, check } => fmt(&files, check),
        Command::Emit { what, files, dot, opt_level } => {
            let Some((compiler, paths)) = load_program(&files) else {
                return ExitCode::from(2);
            };
            let status = check(&compiler, Format::Text);
            match what {
                Emit::Hir => {
                    for path in &paths {
                        if paths.len() > 1 {
                            println!("// {path}");
                        }
                        print!("{}", compiler.hir_dump(path).unwrap_or_default());
                    }
                }
                // Lowering needs a program without errors.
                _ if status != ExitCode::SUCCESS => {}
                Emit::Ir => print!("{}", compiler.emit_ir()),
                Emit::AsyncIr if dot => print!("{}", compiler.emit_async_dot()),
                Emit::AsyncIr => print!("{}", compiler.emit_async_ir()),
                Emit::Llvm => match compiler.emit_llvm(opt_level_of(opt_level)) {
                    Ok(text) => print!("{text}"),
                    Err(error) => return fail(&compiler, error),
                },
            }
            status
        }
        Command::Run { files, interp, aot, opt_level, workers, timeout, args } => {
            let Some((compiler, _)) = load_program(&files) else {
                return ExitCode::from(2);
            };
            let engine = match (interp, aot) {
                (true, _) => vex::Engine::Interpreter,
                #[cfg(feature = "llvm")]
                (false, true) => vex::Engine::Executable,
                _ => vex::Engine::default(),
            };
            let config = vex::Config::new()
                .engine(engine)
                .opt_level(opt_level_of(opt_level))
                .workers(workers.or_else(env_workers).unwrap_or(0))
                .deterministic(std::env::var("VEX_CLOCK").is_ok_and(|c| c == "virtual"))
                // Only a timeout needs loops that can be interrupted; without one,
                // loops keep their full speed.
                .interruptible_loops(timeout.is_some())
                // A run enters at `main`: what it cannot reach is not compiled.
                .main_only(true);
            let mut options = vex::RunOptions::new().capture_output(false).args(args);
            if let Some(ms) = timeout {
                options = options.deadline(std::time::Duration::from_millis(ms));
            }
            run(&compiler, &config, &options)
        }
        Command::Lsp => lsp::run(),
        Command::Build { files, output, opt_level } => {
            let Some((compiler, _)) = load_program(&files) else {
                return ExitCode::from(2);
            };
            let status = match compiler.build_executable(&output, opt_level_of(opt_level)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => fail(&compiler, error),
            };
            // As for `check`: the process ends, nothing needs freeing.
            std::mem::forget(compiler);
            status
        }
    }
}

/// The level of `-O N` (clap has checked that N is 0 to 3).
fn opt_level_of(n: u8) -> vex::OptLevel {
    vex::OptLevel::from_number(n).unwrap_or(vex::OptLevel::O3)
}

fn env_workers() -> Option<u32> {
    std::env::var("VEX_WORKERS").ok()?.trim().parse().ok()
}

/// Compiles and runs the program and exits as it did: its exit code, 101 after a panic
/// or a deadlock, 124 when the timeout stopped it.
fn run(compiler: &Compiler, config: &vex::Config, options: &vex::RunOptions) -> ExitCode {
    let outcome = match compiler.compile(config).and_then(|program| program.run(options)) {
        Ok(outcome) => outcome,
        Err(error) => return fail(compiler, error),
    };
    use std::io::Write as _;
    let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
    if let vex::Ending::Interrupted(vex::Interruption::Deadline) = outcome.ending {
        eprintln!("vex: the program ran out of time and was stopped");
    }
    // Like the OS: an exit status is the low byte of the code.
    ExitCode::from((outcome.exit_code() & 0xFF) as u8)
}

/// Reports why a program could not be built or run.
fn fail(compiler: &Compiler, error: vex::Error) -> ExitCode {
    match error {
        vex::Error::Diagnostics(_) => check(compiler, Format::Text),
        error => {
            eprintln!("vex: {error}");
            ExitCode::from(2)
        }
    }
}

fn parse(file: &Path, dump: bool) -> ExitCode {
    let Some(text) = read(file) else { return ExitCode::from(2) };
    let parse = vex::syntax::parse(&text);
    if dump {
        print!("{}", vex::syntax::debug_dump(&parse.syntax_node()));
    }
    let diagnostics: Vec<Diagnostic> =
        parse.errors().iter().map(Diagnostic::from_syntax_error).collect();
    let name = display(file);
    for diagnostic in &diagnostics {
        eprint!("{}", diagnostics::render(diagnostic, &name, &text));
    }
    summary(diagnostics.iter())
}

/// `vex fmt`: formats each file (rewriting it only if it changes) or, with `check`,
/// reports the files that would change. Exit status 1 if a file has syntax errors or,
/// with `check`, is not formatted; 2 if a file cannot be read or written.
fn fmt(args: &[PathBuf], check: bool) -> ExitCode {
    let mut files = Vec::new();
    for arg in args {
        if let Err(err) = vx_files(arg, &mut files) {
            eprintln!("vex: cannot read {}: {err}", arg.display());
            return ExitCode::from(2);
        }
    }
    let mut status = ExitCode::SUCCESS;
    let mut unformatted = 0;
    for file in files {
        let Some(text) = read(&file) else { return ExitCode::from(2) };
        let name = display(&file);
        let formatted = match vex::format(&text) {
            Ok(formatted) => formatted,
            Err(errors) => {
                for error in &errors {
                    let diagnostic = Diagnostic::from_syntax_error(error);
                    eprint!("{}", diagnostics::render(&diagnostic, &name, &text));
                }
                eprintln!("{name}: not formatted: it has syntax errors");
                status = ExitCode::FAILURE;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if check {
            unformatted += 1;
            println!("{name}: not formatted");
            print!("{}", first_difference(&text, &formatted));
            continue;
        }
        if let Err(err) = std::fs::write(&file, &formatted) {
            eprintln!("vex: cannot write {name}: {err}");
            return ExitCode::from(2);
        }
    }
    if unformatted > 0 {
        eprintln!("{unformatted} file{} not formatted", if unformatted == 1 { "" } else { "s" });
        status = ExitCode::FAILURE;
    }
    status
}

/// `path` if it is a file, else the `.vx` files under the directory `path`, at any
/// depth, sorted.
fn vx_files(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        out.push(path.to_owned());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(path)?.filter_map(|entry| entry.ok().map(|e| e.path())).collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            vx_files(&entry, out)?;
        } else if entry.extension().is_some_and(|ext| ext == "vx") {
            out.push(entry);
        }
    }
    Ok(())
}

/// The first line where `before` and `after` differ, as a short diff.
fn first_difference(before: &str, after: &str) -> String {
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    let line = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let mut out = format!(
        "  line {}:
",
        line + 1
    );
    for text in old.iter().skip(line).take(3) {
        out.push_str(&format!("  - {text}\n"));
    }
    for text in new.iter().skip(line).take(3) {
        out.push_str(&format!("  + {text}\n"));
    }
    out
}

/// Loads the program made of `args`: files, and directories standing for their `.vx`
/// files (sorted). Returns the compiler and the paths as diagnostics show them; `None`
/// (after a message) when a file cannot be read or a directory holds no `.vx` file.
fn load_program(args: &[PathBuf]) -> Option<(Compiler, Vec<String>)> {
    let mut compiler = Compiler::new();
    let mut paths = Vec::new();
    for file in expand(args)? {
        let text = read(&file)?;
        let path = display(&file);
        compiler.set_file(path.clone(), text);
        paths.push(path);
    }
    Some((compiler, paths))
}

/// Replaces each directory in `args` by its `.vx` files, sorted.
fn expand(args: &[PathBuf]) -> Option<Vec<PathBuf>> {
    let mut files = Vec::new();
    for arg in args {
        if !arg.is_dir() {
            files.push(arg.clone());
            continue;
        }
        let entries = match std::fs::read_dir(arg) {
            Ok(entries) => entries,
            Err(error) => {
                eprintln!("error: cannot read {}: {error}", arg.display());
                return None;
            }
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "vx"))
            .collect();
        if found.is_empty() {
            eprintln!("error: {} holds no .vx file", arg.display());
            return None;
        }
        found.sort();
        files.extend(found);
    }
    Some(files)
}

fn check(compiler: &Compiler, format: Format) -> ExitCode {
    let diagnostics = compiler.diagnostics();
    for d in &diagnostics {
        let text = compiler.file_text(&d.path).unwrap_or_default();
        match format {
            Format::Text => eprint!("{}", diagnostics::render(&d.diagnostic, &d.path, text)),
            Format::Json => println!("{}", diagnostics::render_json(&d.diagnostic, &d.path, text)),
        }
    }
    summary(diagnostics.iter().map(|d| &d.diagnostic))
}

/// Prints the error count; exit status 1 if there is any error.
fn summary<'a>(diagnostics: impl Iterator<Item = &'a Diagnostic>) -> ExitCode {
    let errors = diagnostics.filter(|d| d.severity == Severity::Error).count();
    if errors == 0 {
        return ExitCode::SUCCESS;
    }
    eprintln!("{errors} error{}", if errors == 1 { "" } else { "s" });
    ExitCode::FAILURE
}

fn read(file: &Path) -> Option<String> {
    match std::fs::read_to_string(file) {
        Ok(text) => Some(text),
        Err(err) => {
            eprintln!("vex: cannot read {}: {err}", file.display());
            None
        }
    }
}

fn display(file: &Path) -> String {
    file.display().to_string()
}
