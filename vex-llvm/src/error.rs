//! The backend's error type. Errors are data; this file must not print or log them.

use std::path::PathBuf;

/// Everything that can fail in the backend.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// LLVM reported an error (target creation, verification, passes, emission).
    #[error("LLVM: {0}")]
    Llvm(String),
    /// A generated module did not pass LLVM's verifier.
    #[error("invalid LLVM module: {0}")]
    InvalidModule(String),
    /// The IR uses something this backend cannot generate (or is not lowered yet).
    #[error("unsupported IR: {0}")]
    Unsupported(String),
    /// The IR uses a runtime operation whose C function `vex_rt.h` does not declare yet.
    #[error("runtime operation {op} needs {c_name}, which vex_rt.h does not declare")]
    MissingRuntimeFunction {
        /// The IR's name of the operation.
        op: &'static str,
        /// The C function it maps to.
        c_name: &'static str,
    },
    /// The runtime for a run could not be made.
    #[error("runtime: {0}")]
    Runtime(String),
    /// A host function was given for a name the program declares differently.
    #[error("host function `{0}`: the program has no `extern \"C\"` declaration of that name")]
    UnknownHostFunction(String),
    /// The program declares an `extern "C"` function that neither the host provides nor
    /// the process contains.
    #[error("`extern \"C\" fn {0}` is not provided by the host and not found in this process")]
    UnresolvedFunction(String),
    /// A symbol the caller asked for is not in the compiled code.
    #[error("no function `{0}` in the compiled code")]
    MissingFunction(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The system C compiler failed to link an executable.
    #[error("linking {output} failed ({status}): {stderr}")]
    Link {
        /// The executable that was being produced.
        output: PathBuf,
        /// The linker's exit status, as text.
        status: String,
        /// What the linker printed on stderr.
        stderr: String,
    },
}

impl From<inkwell::builder::BuilderError> for Error {
    fn from(error: inkwell::builder::BuilderError) -> Error {
        Error::Llvm(format!("IR builder: {error}"))
    }
}

impl Error {
    /// Wraps an LLVM message (`LLVMString`, `String`, `&str`).
    pub(crate) fn llvm(message: impl std::fmt::Display) -> Error {
        Error::Llvm(message.to_string())
    }
}
