//! The `vex` command-line interface.
//!
//! Exit codes: 0 when the command succeeded and found no error, 1 when the source has
//! errors, 2 for usage and I/O errors. All work is done by the `vex` library; this file
//! only reads files, calls it and prints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use vex::diagnostics::{self, Diagnostic};
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
        /// The `.vx` files of the program.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print an intermediate form of a program.
    Emit {
        /// What to print.
        what: Emit,
        /// The `.vx` file.
        file: PathBuf,
        /// With `async-ir`: print a Graphviz graph of each state machine instead.
        #[arg(long)]
        dot: bool,
    },
    /// Run a program: check it, lower it and run `main`.
    Run {
        /// The `.vx` file to run.
        file: PathBuf,
        /// Run in the reference evaluator (deterministic: one worker, virtual clock).
        /// This is the only engine until the LLVM backend lands.
        #[arg(long)]
        interp: bool,
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse { file, dump } => parse(&file, dump),
        Command::Check { files, format } => match load(&files) {
            Some(compiler) => check(&compiler, format),
            None => ExitCode::from(2),
        },
        Command::Emit { what, file, dot } => {
            let Some(compiler) = load(std::slice::from_ref(&file)) else {
                return ExitCode::from(2);
            };
            let status = check(&compiler, Format::Text);
            match what {
                Emit::Hir => print!("{}", compiler.hir_dump(&display(&file)).unwrap_or_default()),
                // Lowering needs a program without errors.
                _ if status != ExitCode::SUCCESS => {}
                Emit::Ir => print!("{}", compiler.emit_ir()),
                Emit::AsyncIr if dot => print!("{}", compiler.emit_async_dot()),
                Emit::AsyncIr => print!("{}", compiler.emit_async_ir()),
            }
            status
        }
        Command::Run { file, interp: _ } => {
            let Some(compiler) = load(std::slice::from_ref(&file)) else {
                return ExitCode::from(2);
            };
            run(&compiler)
        }
    }
}

/// Runs the program in the evaluator and exits as the program did.
fn run(compiler: &Compiler) -> ExitCode {
    match compiler.run_interpreted() {
        Ok(output) => {
            use std::io::Write as _;
            let _ = std::io::stdout().write_all(output.stdout.as_bytes());
            let _ = std::io::stderr().write_all(output.stderr.as_bytes());
            // Like the OS: an exit status is the low byte of the code.
            ExitCode::from((output.exit_code & 0xFF) as u8)
        }
        Err(vex::RunError::Diagnostics(_)) => check(compiler, Format::Text),
        Err(error) => {
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

fn load(files: &[PathBuf]) -> Option<Compiler> {
    let mut compiler = Compiler::new();
    for file in files {
        let text = read(file)?;
        compiler.set_file(display(file), text);
    }
    Some(compiler)
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
