//! Diagnostics as data: what every stage of the front end reports.
//!
//! A [`Diagnostic`] has a severity, a stable code, a message, a primary span, secondary
//! labels and notes. Nothing here renders text for people; that happens at the edges
//! (the `vex` crate's CLI and renderer). Codes are stable: tools may match on them.

use vex_syntax::TextRange;

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// The program is rejected.
    Error,
    /// The program is accepted, but something looks wrong.
    Warning,
}

impl Severity {
    /// The lower-case word printed before the message (`error`, `warning`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A secondary span with a short explanation ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where, as byte offsets into the file's text.
    pub range: TextRange,
    /// What this place has to do with the diagnostic.
    pub message: String,
}

/// One change to a file's text: `range` is replaced by `insert` (an empty range inserts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    /// What is replaced, as byte offsets into the file's text.
    pub range: TextRange,
    /// The new text.
    pub insert: String,
}

/// A mechanical fix of a diagnostic: what it does ("await it") and the edits that do it,
/// for a tool to apply (an editor's quick fix) or a person to read (`help:` lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// One short imperative sentence, lower case.
    pub message: String,
    /// The edits, in the same file, not overlapping.
    pub edits: Vec<TextEdit>,
}

/// One problem found in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable code ([`Code`], printed as `E0001`); syntax errors have none.
    pub code: Option<Code>,
    /// One sentence, lower case, no final full stop.
    pub message: String,
    /// The primary span, as byte offsets into the file's text.
    pub range: TextRange,
    /// Secondary spans in the same file.
    pub labels: Vec<Label>,
    /// Extra lines printed after the snippet ("help: …", "note: …").
    pub notes: Vec<String>,
    /// Mechanical fixes, each also shown as a `help:` line.
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    /// An error at `range` with no code, labels or notes.
    pub fn error(range: TextRange, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code: None,
            message: message.into(),
            range,
            labels: Vec::new(),
            notes: Vec::new(),
            fixes: Vec::new(),
        }
    }

    /// The same diagnostic with a fix.
    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fixes.push(fix);
        self
    }

    /// The same diagnostic with a code.
    pub fn with_code(mut self, code: Code) -> Diagnostic {
        self.code = Some(code);
        self
    }

    /// The same diagnostic with a secondary label.
    pub fn with_label(mut self, range: TextRange, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { range, message: message.into() });
        self
    }

    /// The same diagnostic with a note line.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// The same diagnostic with every span (primary, labels, fix edits) moved `by` bytes
    /// later: a body's diagnostics are found relative to its item and placed in the file
    /// this way.
    pub fn shifted(mut self, by: vex_syntax::TextSize) -> Diagnostic {
        self.range += by;
        for label in &mut self.labels {
            label.range += by;
        }
        for edit in self.fixes.iter_mut().flat_map(|f| &mut f.edits) {
            edit.range += by;
        }
        self
    }

    /// The diagnostic for one syntax error of the parser.
    pub fn from_syntax_error(error: &vex_syntax::SyntaxError) -> Diagnostic {
        Diagnostic::error(error.range(), error.message())
    }
}

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $name:ident = $code:literal,)*) => {
        /// The stable codes of semantic diagnostics.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $($(#[doc = $doc])* $name,)*
        }

        impl Code {
            /// The code as printed (`E0001`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $code,)*
                }
            }

            /// The code printed as `text` (`E0001`), if there is one.
            pub fn parse(text: &str) -> Option<Code> {
                match text {
                    $($code => Some(Code::$name),)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for Code {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

codes! {
    /// A name that resolves to nothing.
    UnknownName = "E0001",
    /// Two items with one name.
    DuplicateItem = "E0002",
    /// A value of one type where another is expected.
    TypeMismatch = "E0003",
    /// A call with the wrong number of arguments.
    ArgumentCount = "E0004",
    /// `await` outside an `async fn` or `go` block.
    AwaitOutsideAsync = "E0005",
    /// A `Future` used after it was moved.
    UseOfMovedFuture = "E0006",
    /// Assignment to an immutable binding.
    AssignToImmutable = "E0007",
    /// A `match` that does not cover every value.
    NonExhaustiveMatch = "E0008",
    /// `break`/`continue` outside a loop or with an unknown label.
    BreakOutsideLoop = "E0009",
    /// A construct that parses but is not part of Vex Core.
    NotSupported = "E0010",
    /// A field, method or variant that the type does not have.
    UnknownMember = "E0011",
    /// `main` missing or with a signature outside the four allowed forms.
    InvalidMain = "E0012",
    /// An `extern "C"` function with a non-scalar parameter or result, or with a body.
    InvalidExtern = "E0013",
    /// An operator applied to operands it does not accept.
    InvalidOperands = "E0014",
    /// A call of something that is not a function.
    NotCallable = "E0015",
    /// A type that inference could not determine.
    CannotInfer = "E0016",
    /// A literal that does not fit its type, or is malformed.
    InvalidLiteral = "E0017",
    /// An assignment whose left side is not a place.
    InvalidPlace = "E0018",
    /// An `as` conversion between types that do not convert.
    InvalidCast = "E0019",
    /// A struct literal with missing, unknown or repeated fields.
    InvalidStructLiteral = "E0020",
    /// A format template whose `{}` count differs from its arguments.
    FormatArguments = "E0021",
    /// A type annotation naming no type, or malformed.
    UnknownType = "E0022",
    /// A struct or enum that contains itself by value (it would have infinite size).
    RecursiveType = "E0023",
    /// A function declared without a body (only `extern "C"` functions have none).
    MissingBody = "E0024",
    /// `?` on a value that is not an `Option` or `Result`, or where the enclosing
    /// function's result cannot carry its `None`/`Err` (LANGUAGE.md §8).
    InvalidTry = "E0025",
    /// An assignment to, or a mutating method call on, a local a closure captured
    /// (captures are read-only copies: LANGUAGE.md §10).
    AssignToCapture = "E0026",
    /// A use of a `Vec` of move-only values that would copy an element (LANGUAGE.md §9.1).
    MoveOnlyElement = "E0027",
    /// A channel operation that waits (`send`, `recv`, `<-`, `for v in ch`, `select`)
    /// where no task runs (LANGUAGE.md §11).
    WaitOutsideAsync = "E0028",
    /// A malformed `select`: an arm that waits for nothing it can, two `default` or
    /// `after` arms, or both (LANGUAGE.md §11).
    InvalidSelect = "E0029",
    /// A future combinator called with the wrong number or kind of futures
    /// (LANGUAGE.md §12).
    InvalidCombinator = "E0030",
}
