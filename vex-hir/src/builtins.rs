//! The builtins of LANGUAGE.md §5.
//!
//! `$name` always means the builtin; the bare `name` means it unless a program item
//! has that name (the item shadows the builtin).

/// A builtin function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Builtin {
    Print,
    Println,
    Eprint,
    Eprintln,
    Assert,
    Panic,
    /// `async_sleep` and its alias `async_delay`.
    AsyncSleep,
    YieldNow,
    NowMs,
    Cancel,
    IsCancelled,
}

impl Builtin {
    /// Looks up a builtin by its name without `$`.
    pub fn from_name(name: &str) -> Option<Builtin> {
        Some(match name {
            "print" => Builtin::Print,
            "println" => Builtin::Println,
            "eprint" => Builtin::Eprint,
            "eprintln" => Builtin::Eprintln,
            "assert" => Builtin::Assert,
            "panic" => Builtin::Panic,
            "async_sleep" | "async_delay" => Builtin::AsyncSleep,
            "yield_now" => Builtin::YieldNow,
            "now_ms" => Builtin::NowMs,
            "cancel" => Builtin::Cancel,
            "is_cancelled" => Builtin::IsCancelled,
            _ => return None,
        })
    }

    /// The canonical name, without `$`.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Print => "print",
            Builtin::Println => "println",
            Builtin::Eprint => "eprint",
            Builtin::Eprintln => "eprintln",
            Builtin::Assert => "assert",
            Builtin::Panic => "panic",
            Builtin::AsyncSleep => "async_sleep",
            Builtin::YieldNow => "yield_now",
            Builtin::NowMs => "now_ms",
            Builtin::Cancel => "cancel",
            Builtin::IsCancelled => "is_cancelled",
        }
    }

    /// Whether this is one of the printing builtins, which take a value or a `{}`
    /// template with arguments.
    pub fn is_print(self) -> bool {
        matches!(self, Builtin::Print | Builtin::Println | Builtin::Eprint | Builtin::Eprintln)
    }
}
