//! Function bodies as arena HIR, and the source map that ties them back to syntax.
//!
//! A [`Body`] holds the expressions, statements, patterns and local bindings of one
//! function in arenas. It carries no positions: every span lives in the separate
//! [`BodySourceMap`], so an edit that only moves a function (text inserted above it,
//! a comment changed) produces an equal `Body` and salsa stops recomputation there.
//!
//! Lowering from the syntax tree (see `lower`) resolves local names through block
//! scopes with shadowing, and desugars:
//! - `if a {} elif b {} else {}` (and `else if`) into nested [`Expr::If`];
//! - `for x in a..b` / `a..=b` into [`Expr::For`] with [`ForIter::Range`], and
//!   `for x in array` into [`ForIter::Array`]: the range bounds and the array are
//!   evaluated once, before the first iteration; the loop variable is a fresh immutable
//!   local per iteration;
//! - compound assignment `p op= e` into [`Expr::Assign`] with `op: Some(op)`: the place
//!   `p` is evaluated once (so `a[f()] += 1` calls `f` once);
//! - f-strings into [`Expr::Format`] with literal and value pieces, in order
//!   (`$println("{} {}", a, b)` templates stay calls: whether `println` is the builtin
//!   is known only after name resolution, so inference checks the template against its
//!   arguments and [`split_template`] splits it for later stages);
//! - `go { … }` into [`Expr::Go`] with the computed capture list (locals of the
//!   enclosing function used inside the block, in first-use order), copied at spawn;
//!   closures into [`Expr::Closure`] with their capture list computed the same way;
//! - `if let p = e` / `while let p = e` into an [`Expr::If`] / [`Expr::While`] whose
//!   condition is an [`Expr::Let`]; the pattern's bindings are scoped to the guarded
//!   block;
//! - the bare variants `Some(x)`, `None`, `Ok(v)`, `Err(e)` in patterns into
//!   [`Pat::Variant`] of the builtin enum (`Option.Some(x)`); in expressions they stay
//!   names, resolved by inference (a program item of that name shadows them);
//!   `go f(x)` into [`Expr::Go`] around the call;
//! - `x.f` into [`Expr::Field`] when `x` is a local, and into [`Expr::Path`]
//!   (`Type.member`) when `x` names no local (`Shape.Empty`, `Point.new`);
//! - forms that parse but are not in Vex Core into [`Expr::Unsupported`], reported with
//!   their span by inference.

use la_arena::{Arena, ArenaMap, Idx};
use vex_syntax::TextRange;

use crate::ty::{FloatTy, IntTy};

/// A name as written in the source.
pub type Name = Box<str>;

/// Index of an expression in [`Body::exprs`].
pub type ExprId = Idx<Expr>;
/// Index of a statement in [`Body::stmts`].
pub type StmtId = Idx<Stmt>;
/// Index of a pattern in [`Body::pats`].
pub type PatId = Idx<Pat>;
/// Index of a local binding in [`Body::locals`].
pub type LocalId = Idx<Local>;
/// Index of a loop label in [`Body::labels`].
pub type LabelId = Idx<Label>;

/// The body of one function (or one `go` block inside it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// Expressions.
    pub exprs: Arena<Expr>,
    /// Statements.
    pub stmts: Arena<Stmt>,
    /// Patterns.
    pub pats: Arena<Pat>,
    /// Local bindings: parameters first, in order, then `let`s, pattern and loop
    /// variables.
    pub locals: Arena<Local>,
    /// Loop labels.
    pub labels: Arena<Label>,
    /// The parameters, as locals, in signature order (`self` first for methods).
    pub params: Vec<LocalId>,
    /// The block that is the function's body.
    pub root: ExprId,
    /// For each [`Expr::Name`] (a name that is not a local in scope), the locals in
    /// scope there: what a "did you mean" suggestion may offer.
    pub locals_in_scope: ArenaMap<ExprId, Box<[LocalId]>>,
}

impl Default for Body {
    /// An empty body whose root is a missing expression.
    fn default() -> Body {
        let mut exprs = Arena::new();
        let root = exprs.alloc(Expr::Missing);
        Body {
            exprs,
            stmts: Arena::new(),
            pats: Arena::new(),
            locals: Arena::new(),
            labels: Arena::new(),
            params: Vec::new(),
            root,
            locals_in_scope: ArenaMap::default(),
        }
    }
}

/// A local variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Local {
    /// Its name.
    pub name: Name,
    /// Declared with `let!` or `x!: T`.
    pub mutable: bool,
}

/// A loop label (`'outer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The name without the quote.
    pub name: Name,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// Integer magnitude and optional suffix; `None` if it does not fit 64 bits
    /// (reported).
    Int(Option<u64>, Option<IntTy>),
    /// Float bits (as `f64::to_bits`, so the literal is `Eq`) and optional suffix.
    Float(u64, Option<FloatTy>),
    /// `true`, `false`.
    Bool(bool),
    /// A string with its escapes processed.
    String(Box<str>),
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-e`
    Neg,
    /// `!e`
    Not,
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum BinaryOp {
    Arith(ArithOp),
    Cmp(CmpOp),
    /// `&&`
    And,
    /// `||`
    Or,
    /// `??` (LANGUAGE.md §8): the value in a `Some`/`Ok`, else the right side.
    Coalesce,
}

/// Operators that compute a value of their operands' type; also the `op` of `op=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

impl ArithOp {
    /// The operator's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Rem => "%",
            ArithOp::BitAnd => "&",
            ArithOp::BitOr => "|",
            ArithOp::BitXor => "^",
            ArithOp::Shl => "<<",
            ArithOp::Shr => ">>",
        }
    }
}

/// Comparison operators; their result is `bool`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The operator's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A type as written in a body or signature, before resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    /// A name: a primitive (`i32`, `string`, `bool`) or a struct or enum.
    Named(Name),
    /// `()`.
    Unit,
    /// `(A, B, …)`.
    Tuple(Vec<TypeRef>),
    /// `[T; N]`; `None` length when it is not a literal (reported).
    Array(Box<TypeRef>, Option<u64>),
    /// `Future<T>`.
    Future(Box<TypeRef>),
    /// `Option<T>`.
    Option(Box<TypeRef>),
    /// `Result<T, E>`.
    Result(Box<TypeRef>, Box<TypeRef>),
    /// `Vec<T>`.
    Vec(Box<TypeRef>),
    /// `Channel<T>`.
    Channel(Box<TypeRef>),
    /// `fn(A, B): R` (`R` is `()` when not written).
    Fn(Vec<TypeRef>, Box<TypeRef>),
    /// A form outside Vex Core (`&T`, `*T`, generic arguments of user types); the string
    /// names the feature for the diagnostic.
    Unsupported(&'static str),
    /// Missing from the source (a syntax error was reported).
    Missing,
}

/// What a `for` loop iterates over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForIter {
    /// `start..end` or `start..=end`, integers.
    Range {
        /// First value.
        start: ExprId,
        /// Bound.
        end: ExprId,
        /// `..=`: the bound is included.
        inclusive: bool,
    },
    /// Each element of an array or `Vec`, by value, or each value received from a
    /// `Channel` until it is closed and drained (the checker knows which).
    Array(ExprId),
}

/// One piece of a formatted string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatPiece {
    /// Literal text, escapes processed, `{{`/`}}` already collapsed.
    Text(Box<str>),
    /// A value printed in its display form.
    Value(ExprId),
}

/// One `match` arm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchArm {
    /// The pattern.
    pub pat: PatId,
    /// `if guard`.
    pub guard: Option<ExprId>,
    /// The arm's value.
    pub expr: ExprId,
}

/// An expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Missing from the source; a syntax error was reported.
    Missing,
    /// A literal.
    Literal(Literal),
    /// A local variable or parameter.
    Local(LocalId),
    /// A name that is not a local: a function, constant, extern function or builtin,
    /// resolved by inference against the program's items.
    Name(Name),
    /// `Type.member`: an enum variant or an associated function.
    Path {
        /// The type's name.
        ty: Name,
        /// The member's name.
        member: Name,
        /// Generic arguments written after the member (`Vec.new<i64>`).
        type_args: Vec<TypeRef>,
    },
    /// `callee(args)`.
    Call {
        /// What is called.
        callee: ExprId,
        /// The arguments.
        args: Vec<ExprId>,
    },
    /// `receiver.method(args)`.
    MethodCall {
        /// The receiver, passed as `self` by value.
        receiver: ExprId,
        /// The method's name.
        method: Name,
        /// The other arguments.
        args: Vec<ExprId>,
    },
    /// `base.field`.
    Field {
        /// The struct value.
        base: ExprId,
        /// The field's name.
        name: Name,
    },
    /// `base.0`.
    TupleField {
        /// The tuple value.
        base: ExprId,
        /// The element index.
        index: u32,
    },
    /// `base[index]`, bounds-checked.
    Index {
        /// The array.
        base: ExprId,
        /// The index.
        index: ExprId,
    },
    /// `-e`, `!e`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        expr: ExprId,
    },
    /// `lhs op rhs`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        lhs: ExprId,
        /// Right operand.
        rhs: ExprId,
    },
    /// `place = value` or `place op= value`.
    Assign {
        /// `Some` for compound assignment.
        op: Option<ArithOp>,
        /// A local, a field of one, or an array element of one.
        place: ExprId,
        /// The new value.
        value: ExprId,
    },
    /// `expr as ty`.
    Cast {
        /// The value.
        expr: ExprId,
        /// The target numeric type.
        ty: TypeRef,
    },
    /// `await future`.
    Await(ExprId),
    /// `if cond { then } else { else_ }`.
    If {
        /// The condition.
        cond: ExprId,
        /// The block taken when true.
        then_branch: ExprId,
        /// The `else`/`elif` branch.
        else_branch: Option<ExprId>,
    },
    /// `'label: while cond { body }`.
    While {
        /// Optional label.
        label: Option<LabelId>,
        /// The condition.
        cond: ExprId,
        /// The body.
        body: ExprId,
    },
    /// `'label: loop { body }`; its value is that of `break v`.
    Loop {
        /// Optional label.
        label: Option<LabelId>,
        /// The body.
        body: ExprId,
    },
    /// `'label: for pat in iter { body }`.
    For {
        /// Optional label.
        label: Option<LabelId>,
        /// The loop variable's pattern.
        pat: PatId,
        /// What is iterated.
        iter: ForIter,
        /// The body.
        body: ExprId,
    },
    /// `break 'label value`.
    Break {
        /// Target label; `None` for the innermost loop.
        label: Option<LabelId>,
        /// The loop's value.
        value: Option<ExprId>,
    },
    /// `continue 'label`.
    Continue {
        /// Target label; `None` for the innermost loop.
        label: Option<LabelId>,
    },
    /// `return value`.
    Return(Option<ExprId>),
    /// `{ stmts; tail }`.
    Block {
        /// The statements.
        stmts: Vec<StmtId>,
        /// The value of the block.
        tail: Option<ExprId>,
    },
    /// `match scrutinee { arms }`.
    Match {
        /// The value matched.
        scrutinee: ExprId,
        /// The arms, in order.
        arms: Vec<MatchArm>,
    },
    /// `(a, b)`.
    Tuple(Vec<ExprId>),
    /// `[a, b, c]`.
    Array(Vec<ExprId>),
    /// `[value; count]`.
    ArrayRepeat {
        /// The element.
        value: ExprId,
        /// The length; `None` when not an integer literal (reported).
        count: Option<u64>,
    },
    /// `Name { field: value, shorthand }`.
    StructLit {
        /// The struct's name.
        name: Name,
        /// Fields in source order.
        fields: Vec<(Name, ExprId)>,
    },
    /// A formatted string (f-string or `{}` template).
    Format(Vec<FormatPiece>),
    /// `go { … }` or `go f(x)`: spawn a detached task.
    Go {
        /// The block or call to run in the new task.
        body: ExprId,
        /// Locals of the enclosing function read inside, copied at spawn.
        captures: Vec<LocalId>,
    },
    /// `defer expr` / `defer { … }`.
    Defer(ExprId),
    /// `|a, b: T| body` or `async |a| { … }` (LANGUAGE.md §10).
    Closure {
        /// The parameters, as locals of this body.
        params: Vec<LocalId>,
        /// Their annotations, when written.
        param_types: Vec<Option<TypeRef>>,
        /// The annotated result type, when written.
        ret: Option<TypeRef>,
        /// The body.
        body: ExprId,
        /// `async |…| { … }`: calling it spawns a task.
        is_async: bool,
        /// Locals of the enclosing code read inside, copied when the closure is made.
        captures: Vec<LocalId>,
    },
    /// `e?` (LANGUAGE.md §8): the value in a `Some`/`Ok`, or an early return of the
    /// `None`/`Err`.
    Try(ExprId),
    /// `let pat = e` as the condition of `if` or `while` (`if let`, `while let`): true
    /// when the value matches, and the pattern's bindings are in scope in the branch or
    /// loop body it guards.
    Let {
        /// The pattern.
        pat: PatId,
        /// The value matched.
        expr: ExprId,
    },
    /// `<-ch` (LANGUAGE.md §11): waits for a value; panics once the channel is closed
    /// and drained.
    Recv(ExprId),
    /// `ch <- value`: waits for room; panics if the channel is closed.
    Send {
        /// The channel.
        channel: ExprId,
        /// The value, moved in.
        value: ExprId,
    },
    /// `select { arms }`: waits until one arm can proceed and has its value.
    Select {
        /// The arms, in source order.
        arms: Vec<SelectArm>,
    },
    /// A construct outside Vex Core; `what` names it for the diagnostic.
    Unsupported(&'static str),
}

/// One arm of a `select`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectArm {
    /// What the arm waits for.
    pub kind: SelectArmKind,
    /// The arm's value, evaluated when it is chosen.
    pub body: ExprId,
}

/// What a `select` arm waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectArmKind {
    /// `v = <-ch` or `<-ch`: a value from `channel`, bound to `binding` (a
    /// [`Pat::Bind`] scoped to the arm) when there is one.
    Recv {
        /// The channel.
        channel: ExprId,
        /// `v` of `v = <-ch`.
        binding: Option<PatId>,
    },
    /// `ch <- value`: room in `channel` for `value` (evaluated when the select
    /// starts).
    Send {
        /// The channel.
        channel: ExprId,
        /// The value.
        value: ExprId,
    },
    /// `after ms`: `ms` milliseconds after the select started.
    After(ExprId),
    /// `default`: nothing else is ready when the select starts.
    Default,
}

/// A statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stmt {
    /// `let pat: ty = init`.
    Let {
        /// The binding pattern.
        pat: PatId,
        /// The annotation.
        ty: Option<TypeRef>,
        /// The initialiser.
        init: Option<ExprId>,
    },
    /// An expression evaluated for its effect.
    Expr(ExprId),
}

/// A pattern, in `let`, `for` and `match`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pat {
    /// Missing from the source.
    Missing,
    /// `_`.
    Wild,
    /// A new binding.
    Bind(LocalId),
    /// A literal (`0`, `-1`, `true`, `"s"`).
    Literal(Literal, bool),
    /// `a | b`.
    Or(Vec<PatId>),
    /// `(a, b)`.
    Tuple(Vec<PatId>),
    /// `Enum.Variant(p…)` or `Enum.Variant`.
    Variant {
        /// The enum's name.
        ty: Name,
        /// The variant's name.
        variant: Name,
        /// Payload patterns; `None` when written without parentheses.
        fields: Option<Vec<PatId>>,
    },
    /// A form outside Vex Core.
    Unsupported(&'static str),
}

/// Spans of the HIR nodes of one [`Body`], kept apart from it (see module doc).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BodySourceMap {
    /// Span of each expression.
    pub exprs: ArenaMap<ExprId, TextRange>,
    /// Span of each statement.
    pub stmts: ArenaMap<StmtId, TextRange>,
    /// Span of each pattern.
    pub pats: ArenaMap<PatId, TextRange>,
    /// Span of each local's name at its definition.
    pub locals: ArenaMap<LocalId, TextRange>,
    /// Span of each label's definition.
    pub labels: ArenaMap<LabelId, TextRange>,
    /// Span of the target type of each `as` cast.
    pub cast_types: ArenaMap<ExprId, TextRange>,
    /// Span of the type annotation of each `let` that has one.
    pub let_types: ArenaMap<StmtId, TextRange>,
    /// Where a `!` makes a local mutable: right after the `let` of its statement, or
    /// after a parameter's name (for the fix "declare it `let!`").
    pub mut_sites: ArenaMap<LocalId, vex_syntax::TextSize>,
    /// Where the function's `fn` keyword starts (for the fix "make it `async fn`").
    pub fn_keyword: Option<vex_syntax::TextSize>,
    /// Problems found while lowering (malformed literals and annotations).
    pub diagnostics: Vec<crate::diagnostics::Diagnostic>,
}

/// One piece of a `{}` print template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplatePiece<'a> {
    /// Literal text (with `{{`/`}}` collapsed to one brace).
    Text(std::borrow::Cow<'a, str>),
    /// A `{}` placeholder: the next argument.
    Placeholder,
}

/// Splits a print template such as `"a = {}, b = {{x}}"` into text and placeholders.
/// `{{` and `}}` are literal braces; any other brace is kept as text.
pub fn split_template(template: &str) -> Vec<TemplatePiece<'_>> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match (c, chars.peek().map(|&(_, n)| n)) {
            ('{', Some('}')) => {
                chars.next();
                if !text.is_empty() {
                    pieces.push(TemplatePiece::Text(std::mem::take(&mut text).into()));
                }
                pieces.push(TemplatePiece::Placeholder);
            }
            ('{', Some('{')) | ('}', Some('}')) => {
                chars.next();
                text.push(c);
            }
            _ => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(TemplatePiece::Text(text.into()));
    }
    pieces
}
