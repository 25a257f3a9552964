//! The builtins of LANGUAGE.md §5, the variants of the builtin enums `Option` and
//! `Result` (§8), the associated functions of `Vec` (§9.1) and `Channel` (§11), the
//! future combinators (§12), the I/O and process builtins and the associated functions of
//! `File`, `TcpListener` and `TcpStream` (§13), and the methods of the builtin types (§8,
//! §9, §11, §12, §13).
//!
//! `$name` always means the builtin; the bare `name` means it unless a program item
//! has that name (the item shadows the builtin). The same holds for the bare variant
//! names `Some`, `None`, `Ok` and `Err`.

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
    /// `Vec.new<T>()`.
    VecNew,
    /// `Vec.withCapacity<T>(n)`.
    VecWithCapacity,
    /// `Vec.from(array)`.
    VecFrom,
    /// `Channel.new<T>(cap)`.
    ChannelNew,
    /// `join(a, b, …)`: 2 to 8 futures.
    Join,
    /// `joinAll(v)`.
    JoinAll,
    /// `race(a, b, …)`: 2 to 8 futures.
    Race,
    /// `raceAll(v)`.
    RaceAll,
    /// `timeout(f, ms)`.
    Timeout,
    /// `ready(x)`.
    Ready,
    /// `readFile(path)`.
    ReadFile,
    /// `writeFile(path, s)`.
    WriteFile,
    /// `appendFile(path, s)`.
    AppendFile,
    /// `removeFile(path)`.
    RemoveFile,
    /// `exists(path)`.
    Exists,
    /// `File.open(path)`: for reading.
    FileOpen,
    /// `File.create(path)`: for writing, created or truncated.
    FileCreate,
    /// `File.openAppend(path)`: for appending, created if missing.
    FileOpenAppend,
    /// `TcpListener.bind(host, port)`.
    TcpBind,
    /// `TcpStream.connect(host, port)`.
    TcpConnect,
    /// `args()`: the program's arguments.
    Args,
    /// `getEnv(name)`.
    GetEnv,
    /// `exit(code)`.
    Exit,
}

impl Builtin {
    /// The builtins called by a bare name (`$name` or `name`), with their aliases
    /// (`async_delay`): what name lookup and "did you mean" suggestions search.
    pub const BY_NAME: &'static [(&'static str, Builtin)] = &[
        ("print", Builtin::Print),
        ("println", Builtin::Println),
        ("eprint", Builtin::Eprint),
        ("eprintln", Builtin::Eprintln),
        ("assert", Builtin::Assert),
        ("panic", Builtin::Panic),
        ("async_sleep", Builtin::AsyncSleep),
        ("async_delay", Builtin::AsyncSleep),
        ("yield_now", Builtin::YieldNow),
        ("now_ms", Builtin::NowMs),
        ("cancel", Builtin::Cancel),
        ("is_cancelled", Builtin::IsCancelled),
        ("join", Builtin::Join),
        ("joinAll", Builtin::JoinAll),
        ("race", Builtin::Race),
        ("raceAll", Builtin::RaceAll),
        ("timeout", Builtin::Timeout),
        ("ready", Builtin::Ready),
        ("readFile", Builtin::ReadFile),
        ("writeFile", Builtin::WriteFile),
        ("appendFile", Builtin::AppendFile),
        ("removeFile", Builtin::RemoveFile),
        ("exists", Builtin::Exists),
        ("args", Builtin::Args),
        ("getEnv", Builtin::GetEnv),
        ("exit", Builtin::Exit),
    ];

    /// Looks up a builtin by its name without `$`.
    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::BY_NAME.iter().find(|(n, _)| *n == name).map(|&(_, builtin)| builtin)
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
            Builtin::VecNew => "Vec.new",
            Builtin::VecWithCapacity => "Vec.withCapacity",
            Builtin::VecFrom => "Vec.from",
            Builtin::ChannelNew => "Channel.new",
            Builtin::Join => "join",
            Builtin::JoinAll => "joinAll",
            Builtin::Race => "race",
            Builtin::RaceAll => "raceAll",
            Builtin::Timeout => "timeout",
            Builtin::Ready => "ready",
            Builtin::ReadFile => "readFile",
            Builtin::WriteFile => "writeFile",
            Builtin::AppendFile => "appendFile",
            Builtin::RemoveFile => "removeFile",
            Builtin::Exists => "exists",
            Builtin::FileOpen => "File.open",
            Builtin::FileCreate => "File.create",
            Builtin::FileOpenAppend => "File.openAppend",
            Builtin::TcpBind => "TcpListener.bind",
            Builtin::TcpConnect => "TcpStream.connect",
            Builtin::Args => "args",
            Builtin::GetEnv => "getEnv",
            Builtin::Exit => "exit",
        }
    }

    /// The associated functions of the builtin types: (type, member, builtin).
    pub const ASSOCIATED: &'static [(&'static str, &'static str, Builtin)] = &[
        ("Vec", "new", Builtin::VecNew),
        ("Vec", "withCapacity", Builtin::VecWithCapacity),
        ("Vec", "from", Builtin::VecFrom),
        ("Channel", "new", Builtin::ChannelNew),
        ("File", "open", Builtin::FileOpen),
        ("File", "create", Builtin::FileCreate),
        ("File", "openAppend", Builtin::FileOpenAppend),
        ("TcpListener", "bind", Builtin::TcpBind),
        ("TcpStream", "connect", Builtin::TcpConnect),
    ];

    /// The associated function `ty.member` of a builtin type (`Vec.new`).
    pub fn associated(ty: &str, member: &str) -> Option<Builtin> {
        Builtin::ASSOCIATED
            .iter()
            .find(|&&(t, m, _)| t == ty && m == member)
            .map(|&(_, _, builtin)| builtin)
    }

    /// Whether this is one of the printing builtins, which take a value or a `{}`
    /// template with arguments.
    pub fn is_print(self) -> bool {
        matches!(self, Builtin::Print | Builtin::Println | Builtin::Eprint | Builtin::Eprintln)
    }

    /// Whether this is a future combinator of LANGUAGE.md §12, which takes its futures
    /// by move and starts at once.
    pub fn is_combinator(self) -> bool {
        matches!(
            self,
            Builtin::Join
                | Builtin::JoinAll
                | Builtin::Race
                | Builtin::RaceAll
                | Builtin::Timeout
                | Builtin::Ready
        )
    }

    /// Whether this is an I/O operation of LANGUAGE.md §13 that starts at once and gives
    /// a future (the runtime's I/O tasks).
    pub fn is_io(self) -> bool {
        matches!(
            self,
            Builtin::ReadFile
                | Builtin::WriteFile
                | Builtin::AppendFile
                | Builtin::RemoveFile
                | Builtin::Exists
                | Builtin::FileOpen
                | Builtin::FileCreate
                | Builtin::FileOpenAppend
                | Builtin::TcpBind
                | Builtin::TcpConnect
        )
    }

    /// The builtin types with associated functions (`Vec.new`, `Channel.new`,
    /// `File.open`), unless a program item has the name.
    pub const TYPES: [&'static str; 7] =
        ["Option", "Result", "Vec", "Channel", "File", "TcpListener", "TcpStream"];
}

/// A variant of a builtin generic enum (LANGUAGE.md §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum BuiltinVariant {
    Some,
    None,
    Ok,
    Err,
}

impl BuiltinVariant {
    /// The variant written bare (`Some`) or qualified by its enum (`Option.Some`);
    /// `enum_name` is `None` for the bare form.
    pub fn from_name(enum_name: Option<&str>, name: &str) -> Option<BuiltinVariant> {
        let variant = match name {
            "Some" => BuiltinVariant::Some,
            "None" => BuiltinVariant::None,
            "Ok" => BuiltinVariant::Ok,
            "Err" => BuiltinVariant::Err,
            _ => return None,
        };
        match enum_name {
            None => Some(variant),
            Some(name) if name == variant.enum_name() => Some(variant),
            Some(_) => None,
        }
    }

    /// The variant's name.
    pub fn name(self) -> &'static str {
        match self {
            BuiltinVariant::Some => "Some",
            BuiltinVariant::None => "None",
            BuiltinVariant::Ok => "Ok",
            BuiltinVariant::Err => "Err",
        }
    }

    /// `Option` or `Result`.
    pub fn enum_name(self) -> &'static str {
        match self {
            BuiltinVariant::Some | BuiltinVariant::None => "Option",
            BuiltinVariant::Ok | BuiltinVariant::Err => "Result",
        }
    }

    /// The tag of the variant in its enum's layout: the order of LANGUAGE.md §8
    /// (`Some`, `None`; `Ok`, `Err`).
    pub fn index(self) -> u32 {
        match self {
            BuiltinVariant::Some | BuiltinVariant::Ok => 0,
            BuiltinVariant::None | BuiltinVariant::Err => 1,
        }
    }

    /// Whether the variant carries a value.
    pub fn has_payload(self) -> bool {
        self != BuiltinVariant::None
    }
}

/// A method of a builtin type: the receiver's kind is part of the name, because
/// lowering differs (`Option.map` and `Vec.map` have nothing in common but the name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum BuiltinMethod {
    OptionIsSome,
    OptionIsNone,
    OptionOr,
    OptionOrElse,
    OptionMap,
    OptionAndThen,
    OptionFilter,
    OptionOkOr,
    ResultIsOk,
    ResultIsErr,
    ResultOr,
    ResultOrElse,
    ResultMap,
    ResultMapErr,
    ResultAndThen,
    ResultOk,
    ResultErr,
    VecPush,
    VecPop,
    VecLen,
    VecIsEmpty,
    VecClear,
    VecContains,
    VecIndexOf,
    VecSlice,
    VecReverse,
    VecSort,
    VecMap,
    VecFilter,
    VecJoin,
    StrLen,
    StrIsEmpty,
    StrByteAt,
    StrSlice,
    StrFind,
    StrContains,
    StrStartsWith,
    StrEndsWith,
    StrTrim,
    StrSplit,
    StrLines,
    StrToUpper,
    StrToLower,
    StrRepeat,
    StrToInt,
    StrToFloat,
    ChanSend,
    ChanRecv,
    ChanTrySend,
    ChanTryRecv,
    ChanClose,
    ChanLen,
    ChanCap,
    ChanIsClosed,
    FutureMap,
    FutureThen,
    FutureIsReady,
    /// `e.code()` of an `IoError`.
    IoErrorCode,
    /// `e.message()` of an `IoError`.
    IoErrorMessage,
    /// `f.read(max)`.
    FileRead,
    /// `f.readAll()`.
    FileReadAll,
    /// `f.write(s)`.
    FileWrite,
    /// `f.close()`.
    FileClose,
    /// `l.accept()`.
    ListenerAccept,
    /// `l.port()`.
    ListenerPort,
    /// `l.close()`.
    ListenerClose,
    /// `s.read(max)`.
    StreamRead,
    /// `s.write(s)`.
    StreamWrite,
    /// `s.close()`.
    StreamClose,
    /// `x.toString()` of any printable value.
    ToString,
}

/// What kind of builtin type a method is looked up on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MethodReceiver {
    /// `Option<T>`.
    Option,
    /// `Result<T, E>`.
    Result,
    /// `Vec<T>`.
    Vec,
    /// `string`.
    Str,
    /// `Channel<T>`.
    Channel,
    /// `Future<T>`.
    Future,
    /// `IoError`, `File`, `TcpListener` or `TcpStream`.
    Io(crate::ty::IoTy),
    /// Any other type (only `toString`).
    Other,
}

impl MethodReceiver {
    /// The kind of receiver a value of type `ty` is (shallow: `ty` should be resolved).
    pub fn of(ty: &crate::ty::Ty) -> MethodReceiver {
        use crate::ty::Ty;
        match ty {
            Ty::Option(_) => MethodReceiver::Option,
            Ty::Result(..) => MethodReceiver::Result,
            Ty::Vec(_) => MethodReceiver::Vec,
            Ty::String => MethodReceiver::Str,
            Ty::Channel(_) => MethodReceiver::Channel,
            Ty::Future(_) => MethodReceiver::Future,
            Ty::Io(io) => MethodReceiver::Io(*io),
            _ => MethodReceiver::Other,
        }
    }
}

impl BuiltinMethod {
    /// Every builtin method by receiver kind and name (aliases are rows of their own);
    /// `toString`, which every printable type has, is not listed.
    const TABLE: &[(MethodReceiver, &str, BuiltinMethod)] = {
        use crate::ty::IoTy;
        use BuiltinMethod::*;
        use MethodReceiver as R;
        &[
            (R::Option, "isSome", OptionIsSome),
            (R::Option, "isNone", OptionIsNone),
            (R::Option, "or", OptionOr),
            (R::Option, "orElse", OptionOrElse),
            (R::Option, "map", OptionMap),
            (R::Option, "andThen", OptionAndThen),
            (R::Option, "flatMap", OptionAndThen),
            (R::Option, "filter", OptionFilter),
            (R::Option, "okOr", OptionOkOr),
            (R::Result, "isOk", ResultIsOk),
            (R::Result, "isErr", ResultIsErr),
            (R::Result, "or", ResultOr),
            (R::Result, "orElse", ResultOrElse),
            (R::Result, "map", ResultMap),
            (R::Result, "mapErr", ResultMapErr),
            (R::Result, "andThen", ResultAndThen),
            (R::Result, "flatMap", ResultAndThen),
            (R::Result, "ok", ResultOk),
            (R::Result, "err", ResultErr),
            (R::Vec, "push", VecPush),
            (R::Vec, "pop", VecPop),
            (R::Vec, "len", VecLen),
            (R::Vec, "isEmpty", VecIsEmpty),
            (R::Vec, "clear", VecClear),
            (R::Vec, "contains", VecContains),
            (R::Vec, "indexOf", VecIndexOf),
            (R::Vec, "slice", VecSlice),
            (R::Vec, "reverse", VecReverse),
            (R::Vec, "sort", VecSort),
            (R::Vec, "map", VecMap),
            (R::Vec, "filter", VecFilter),
            (R::Vec, "join", VecJoin),
            (R::Str, "len", StrLen),
            (R::Str, "isEmpty", StrIsEmpty),
            (R::Str, "byteAt", StrByteAt),
            (R::Str, "slice", StrSlice),
            (R::Str, "find", StrFind),
            (R::Str, "indexOf", StrFind),
            (R::Str, "contains", StrContains),
            (R::Str, "startsWith", StrStartsWith),
            (R::Str, "endsWith", StrEndsWith),
            (R::Str, "trim", StrTrim),
            (R::Str, "split", StrSplit),
            (R::Str, "lines", StrLines),
            (R::Str, "toUpper", StrToUpper),
            (R::Str, "toLower", StrToLower),
            (R::Str, "repeat", StrRepeat),
            (R::Str, "toInt", StrToInt),
            (R::Str, "toFloat", StrToFloat),
            (R::Channel, "send", ChanSend),
            (R::Channel, "recv", ChanRecv),
            (R::Channel, "trySend", ChanTrySend),
            (R::Channel, "tryRecv", ChanTryRecv),
            (R::Channel, "close", ChanClose),
            (R::Channel, "len", ChanLen),
            (R::Channel, "cap", ChanCap),
            (R::Channel, "isClosed", ChanIsClosed),
            (R::Future, "map", FutureMap),
            (R::Future, "then", FutureThen),
            (R::Future, "isReady", FutureIsReady),
            (R::Io(IoTy::Error), "code", IoErrorCode),
            (R::Io(IoTy::Error), "message", IoErrorMessage),
            (R::Io(IoTy::File), "read", FileRead),
            (R::Io(IoTy::File), "readAll", FileReadAll),
            (R::Io(IoTy::File), "write", FileWrite),
            (R::Io(IoTy::File), "close", FileClose),
            (R::Io(IoTy::TcpListener), "accept", ListenerAccept),
            (R::Io(IoTy::TcpListener), "port", ListenerPort),
            (R::Io(IoTy::TcpListener), "close", ListenerClose),
            (R::Io(IoTy::TcpStream), "read", StreamRead),
            (R::Io(IoTy::TcpStream), "write", StreamWrite),
            (R::Io(IoTy::TcpStream), "close", StreamClose),
        ]
    };

    /// The method `name` of a receiver of kind `receiver`, if it has one.
    pub fn lookup(receiver: MethodReceiver, name: &str) -> Option<BuiltinMethod> {
        if name == "toString" {
            return Some(BuiltinMethod::ToString);
        }
        BuiltinMethod::TABLE
            .iter()
            .find(|&&(r, n, _)| r == receiver && n == name)
            .map(|&(_, _, method)| method)
    }

    /// The names of the methods a receiver of kind `receiver` has (aliases included,
    /// `toString` not), in the order LANGUAGE.md lists them: what completion offers.
    pub fn names(receiver: MethodReceiver) -> impl Iterator<Item = &'static str> {
        BuiltinMethod::TABLE.iter().filter(move |&&(r, _, _)| r == receiver).map(|&(_, n, _)| n)
    }

    /// Whether the method changes its receiver, which must then be a mutable place
    /// (LANGUAGE.md §9.1).
    pub fn mutates(self) -> bool {
        use BuiltinMethod::*;
        matches!(self, VecPush | VecPop | VecClear | VecReverse | VecSort)
    }

    /// Whether the method waits (a suspension point without `await`, LANGUAGE.md §11):
    /// allowed only where a task runs.
    pub fn waits(self) -> bool {
        matches!(self, BuiltinMethod::ChanSend | BuiltinMethod::ChanRecv)
    }

    /// Whether the method works on its receiver in place (every method of a `Vec`,
    /// `string` or `Channel`, and those that only look) rather than taking it by value
    /// (an `Option`'s or `Result`'s methods that may move their contents out, a
    /// future's `map` and `then`, which consume it).
    pub fn works_in_place(self) -> bool {
        use BuiltinMethod::*;
        !matches!(
            self,
            FutureMap
                | FutureThen
                | OptionOr
                | OptionOrElse
                | OptionMap
                | OptionAndThen
                | OptionFilter
                | OptionOkOr
                | ResultOr
                | ResultOrElse
                | ResultMap
                | ResultMapErr
                | ResultAndThen
                | ResultOk
                | ResultErr
        )
    }

    /// Whether the method is an I/O operation that starts at once and gives a future
    /// (LANGUAGE.md §13).
    pub fn is_io(self) -> bool {
        use BuiltinMethod::*;
        matches!(
            self,
            FileRead | FileReadAll | FileWrite | ListenerAccept | StreamRead | StreamWrite
        )
    }

    /// Whether the method is one of `IoError`, `File`, `TcpListener` or `TcpStream`.
    pub fn of_io_type(self) -> bool {
        use BuiltinMethod::*;
        self.is_io()
            || matches!(
                self,
                IoErrorCode
                    | IoErrorMessage
                    | FileClose
                    | ListenerPort
                    | ListenerClose
                    | StreamClose
            )
    }

    /// Whether the method reads the elements of a `Vec` (so it cannot be used when
    /// they are move-only: LANGUAGE.md §9.1).
    pub fn copies_elements(self) -> bool {
        use BuiltinMethod::*;
        matches!(self, VecContains | VecIndexOf | VecSlice | VecSort | VecMap | VecFilter | VecJoin)
    }
}
