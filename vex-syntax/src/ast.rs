//! Typed AST: zero-cost wrappers over `SyntaxNode` with accessors for every construct.
//!
//! The node types and their simple accessors (`Fn::name()`, `BlockExpr::statements()`, …)
//! are generated from `description.rs`; the hand-written accessors below cover what needs
//! position or text: operators, literal values, f-string pieces, "the second expression".
//! Accessors return `Option` because the tree may be incomplete after syntax errors.
//!
//! How Vex constructs appear in the tree (what a resolver or type checker must know):
//! - Names in expressions are `PathExpr(NameRef)`; a `$builtin` is a `NameRef` with
//!   `is_builtin()`. Dotted uses are not paths: `Shape.Circle(1.0)` is
//!   `CallExpr(FieldExpr(PathExpr Shape, Circle))`, `Shape.Empty` is a `FieldExpr`, and
//!   `Point.new(1.0)` is a `MethodCallExpr` whose receiver is `PathExpr Point`; the resolver
//!   decides whether the receiver names a type. In patterns, `Shape.Rect(w, h)` is a
//!   `TupleStructPat` with a real `Path`.
//! - A block's last expression without `;` is `BlockExpr::tail_expr()`; all other
//!   statements are `Stmt`s (`ExprStmt` has `semicolon_token()`).
//! - `if/elif/else if/else` is one flat `IfExpr` with `elif_branches()` and
//!   `else_branch()`.
//! - Assignments are `BinExpr`s whose `op_kind()` `is_assignment()`; `x += e` has
//!   `compound_base() == Some(Add)`. Comparisons are non-associative (a chain is an error).
//! - `let! x` / `x!: T` are `LetStmt::is_mut()` / `Param::is_mut()`.
//! - Labels: `Label` before loops (`label()`), `label_ident_token()` on `break`/`continue`.
//! - Methods have `Fn::receiver()` (`(self: T)`), associated functions `Fn::owner()`
//!   (`T.` in `fn T.new`), extern functions `Fn::is_extern()` and no body.
//! - (v0.2) `e?` is a `TryExpr` (`expr()`), in postfix position like a call:
//!   `f()?.len()` is `MethodCallExpr(TryExpr(CallExpr))`. The operand of `await` stops
//!   before its first `?`: `await f()?` is `TryExpr(AwaitExpr(CallExpr))` and
//!   `await f().g()` is `AwaitExpr(MethodCallExpr)`. A `?` followed on the same line by
//!   an operand is the non-Core ternary instead (`TernaryExpr`).
//! - (v0.2) `a ?? b` is a `BinExpr` with `op_kind() == Some(BinaryOp::Coalesce)`, the
//!   loosest binary operator, grouping to the right (`a ?? b ?? c` is `a ?? (b ?? c)`).
//! - (v0.2) Closures are `ClosureExpr`: `is_async()`, `param_list()` (the `|…|`, whose
//!   `Param`s may lack a type: `Param::ty()` is `None`), `ret_type()` for `|x|: T body`,
//!   and `body()`. Function types are `Type::FnType`: `param_types()` (inside
//!   `param_list()`, a `FnTypeParamList`) and `ret_type()` / `result_type()` (`None`
//!   means unit). Generic types and arguments are `PathType::generic_arg_list()`,
//!   `PathExpr::generic_arg_list()` and `MethodCallExpr::generic_arg_list()`
//!   (`Vec.new<i64>()`).
//! - (v0.2) `if let` / `elif let` / `while let`: the condition (`IfExpr::condition()`,
//!   `ElifBranch::condition()`, `WhileExpr::condition()`) is an `Expr::LetExpr` with
//!   `pat()` and `expr()` (the scrutinee, which like any condition takes no unparenthesised
//!   struct literal).
//! - Variant patterns: a call-like pattern is a `TupleStructPat` with a `Path` and its
//!   `fields()`, qualified or bare (`Shape.Rect(w, h)`, `Option.Some(3)`, `Some(x)`,
//!   `Ok(v)`, `Err(e)`, `Some((a, b))`); a dotted name is a `PathPat`
//!   (`Shape.Empty`, `Option.None`). A bare name is always an `IdentPat`, for `None` as
//!   for `x`: the parser cannot tell a binding from a unit variant. A later stage tells
//!   them apart by name resolution: an `IdentPat` whose name is a unit variant in scope
//!   without qualification (in Core v0.2 only `None`) is that variant, anything else
//!   binds a new local.
//! - Forms outside Vex Core have their own nodes so they can be reported with a span:
//!   `TernaryExpr`, `GenericParamList` (generics on user items), `RefType`, `PtrType`,
//!   `PrefixExpr` with `Ref`/`Deref`, `Impl`, `Import`, `UnsafeExpr`, `RecordPat`.
//!   Closures, `if let`/`while let`, `?`, `??`, function types, builtin generic types
//!   (`Option<T>`, `Vec<T>`, …), `select` and `<-` are Core since v0.2 (§8–§11).
//! - Unparsable input is wrapped in `ERROR` nodes (see `ErrorNode`); the matching
//!   messages are in `Parse::errors()`.

pub use crate::description::nodes::*;
use crate::{SyntaxKind, SyntaxNode, SyntaxNodeChildren, SyntaxToken};
use SyntaxKind::*;
use std::marker::PhantomData;

/// A typed view of a syntax node.
pub trait AstNode: Sized {
    /// Whether a node of `kind` can be viewed as `Self`.
    fn can_cast(kind: SyntaxKind) -> bool;
    /// Views `syntax` as `Self` if its kind matches.
    fn cast(syntax: SyntaxNode) -> Option<Self>;
    /// The underlying syntax node.
    fn syntax(&self) -> &SyntaxNode;
}

/// An iterator over the children of a node that can be viewed as `N`.
#[derive(Debug, Clone)]
pub struct AstChildren<N> {
    inner: SyntaxNodeChildren,
    ph: PhantomData<N>,
}

impl<N: AstNode> Iterator for AstChildren<N> {
    type Item = N;
    fn next(&mut self) -> Option<N> {
        self.inner.by_ref().find_map(visit::<N>)
    }
}

thread_local! {
    static VISITS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many child nodes and tokens the typed accessors of this thread have looked at so
/// far. Tests compare it between inputs of different sizes: a query that walks a file
/// from the start for each item shows up as work that grows quadratically, whatever the
/// machine's speed.
pub fn visits() -> u64 {
    VISITS.with(std::cell::Cell::get)
}

fn count_visit() {
    VISITS.with(|v| v.set(v.get() + 1));
}

fn visit<N: AstNode>(node: SyntaxNode) -> Option<N> {
    count_visit();
    N::cast(node)
}

/// Helpers used by the generated accessors.
pub mod support {
    use super::{AstChildren, AstNode};
    use crate::{SyntaxKind, SyntaxNode, SyntaxToken};
    use std::marker::PhantomData;

    /// The first child of `parent` that is an `N`.
    pub fn child<N: AstNode>(parent: &SyntaxNode) -> Option<N> {
        parent.children().find_map(super::visit::<N>)
    }

    /// All children of `parent` that are `N`s.
    pub fn children<N: AstNode>(parent: &SyntaxNode) -> AstChildren<N> {
        AstChildren { inner: parent.children(), ph: PhantomData }
    }

    /// The first direct token child of `parent` with `kind`.
    pub fn token(parent: &SyntaxNode, kind: SyntaxKind) -> Option<SyntaxToken> {
        parent
            .children_with_tokens()
            .inspect(|_| super::count_visit())
            .filter_map(|it| it.into_token())
            .find(|it| it.kind() == kind)
    }
}

/// The `n`th direct child of `node` that is an `N`.
fn nth_child<N: AstNode>(node: &SyntaxNode, n: usize) -> Option<N> {
    node.children().filter_map(visit::<N>).nth(n)
}

/// The first non-trivia direct token child of `node` whose kind satisfies `pred`.
fn token_where(
    node: &SyntaxNode,
    pred: impl std::ops::Fn(SyntaxKind) -> bool,
) -> Option<SyntaxToken> {
    node.children_with_tokens().filter_map(|it| it.into_token()).find(|it| pred(it.kind()))
}

/// The `Expr` children of `node` that come before / after its first token of `kind`.
fn exprs_around(
    node: &SyntaxNode,
    is_op: impl std::ops::Fn(SyntaxKind) -> bool,
) -> (Option<Expr>, Option<Expr>) {
    let mut before = None;
    let mut after = None;
    let mut seen_op = false;
    for element in node.children_with_tokens() {
        match element {
            rowan::NodeOrToken::Token(token) if !seen_op && is_op(token.kind()) => seen_op = true,
            rowan::NodeOrToken::Token(_) => {}
            rowan::NodeOrToken::Node(child) => {
                if let Some(expr) = Expr::cast(child) {
                    if !seen_op && before.is_none() {
                        before = Some(expr);
                    } else if seen_op && after.is_none() {
                        after = Some(expr);
                    }
                }
            }
        }
    }
    (before, after)
}

impl Name {
    /// The identifier text.
    pub fn text(&self) -> String {
        self.ident_token().map(|t| t.text().to_string()).unwrap_or_default()
    }
}

impl NameRef {
    /// The name's text as written (`x`, `$println`, `0`).
    pub fn text(&self) -> String {
        self.token().map(|t| t.text().to_string()).unwrap_or_default()
    }

    /// The single token of the name reference.
    pub fn token(&self) -> Option<SyntaxToken> {
        token_where(&self.syntax, |k| matches!(k, IDENT | BUILTIN_IDENT | INT_NUMBER))
    }

    /// Whether this is a `$builtin` name.
    pub fn is_builtin(&self) -> bool {
        self.builtin_token().is_some()
    }

    /// The tuple index, for `t.0`.
    pub fn as_tuple_index(&self) -> Option<usize> {
        self.int_token()?.text().parse().ok()
    }
}

impl Path {
    /// The dotted text of the path, e.g. `Shape.Rect`.
    pub fn text(&self) -> String {
        self.segments().map(|s| s.text()).collect::<Vec<_>>().join(".")
    }
}

impl Fn {
    /// `async fn`.
    pub fn is_async(&self) -> bool {
        self.async_token().is_some()
    }

    /// Whether the function is declared `extern`, directly or inside an extern block.
    pub fn is_extern(&self) -> bool {
        self.abi().is_some()
            || self
                .syntax
                .parent()
                .and_then(|p| p.parent())
                .is_some_and(|p| p.kind() == EXTERN_BLOCK)
    }
}

impl Abi {
    /// The ABI name without quotes, e.g. `C`.
    pub fn abi_name(&self) -> Option<String> {
        let token = self.string_token()?;
        unescape_string(token.text()).ok()
    }
}

impl Param {
    /// `x!: T`: the parameter is mutable.
    pub fn is_mut(&self) -> bool {
        self.bang_token().is_some()
    }
}

impl ClosureExpr {
    /// `async |x| …`: an async closure, whose calls return a `Future`.
    pub fn is_async(&self) -> bool {
        self.async_token().is_some()
    }
}

impl FnType {
    /// The parameter types of `fn(A, B): R`, in order (empty for `fn(): R`).
    pub fn param_types(&self) -> impl Iterator<Item = Type> {
        self.param_list().into_iter().flat_map(|list| list.types())
    }

    /// The result type `R` of `fn(A): R`; `None` for `fn(A)`, whose result is unit (and
    /// when the type after `:` is missing, which is a reported syntax error).
    pub fn result_type(&self) -> Option<Type> {
        self.ret_type()?.ty()
    }
}

impl LetStmt {
    /// `let! x = …`: the binding is mutable.
    pub fn is_mut(&self) -> bool {
        self.bang_token().is_some()
    }
}

impl ArrayType {
    /// The element type (same as `ty()`).
    pub fn element_type(&self) -> Option<Type> {
        self.ty()
    }
}

/// The value of a literal.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum LiteralKind {
    /// An integer; `value` is `None` if it does not fit in `u128` or is malformed.
    Int {
        /// The numeric value.
        value: Option<u128>,
        /// `i8` … `u64`, if written.
        suffix: Option<String>,
    },
    /// A float; `value` is `None` if malformed.
    Float {
        /// The numeric value.
        value: Option<f64>,
        /// `f32` or `f64`, if written.
        suffix: Option<String>,
    },
    /// A string; `value` is `None` if it contains an invalid escape.
    String {
        /// The unescaped text.
        value: Option<String>,
    },
    /// `true` or `false`.
    Bool(bool),
}

impl Literal {
    /// The literal's single token.
    pub fn token(&self) -> Option<SyntaxToken> {
        token_where(&self.syntax, SyntaxKind::is_literal)
    }

    /// The literal's kind and value.
    pub fn kind(&self) -> Option<LiteralKind> {
        let token = self.token()?;
        let text = token.text();
        Some(match token.kind() {
            INT_NUMBER => {
                let (value, suffix) = parse_int(text);
                LiteralKind::Int { value, suffix }
            }
            FLOAT_NUMBER => {
                let (value, suffix) = parse_float(text);
                LiteralKind::Float { value, suffix }
            }
            STRING => LiteralKind::String { value: unescape_string(text).ok() },
            TRUE_KW => LiteralKind::Bool(true),
            _ => LiteralKind::Bool(false),
        })
    }
}

fn split_suffix(text: &str, suffixes: &[&'static str]) -> (String, Option<String>) {
    for suffix in suffixes {
        if let Some(body) = text.strip_suffix(suffix) {
            return (body.replace('_', ""), Some(suffix.to_string()));
        }
    }
    (text.replace('_', ""), None)
}

/// Parses an integer literal's text into its value and suffix.
pub fn parse_int(text: &str) -> (Option<u128>, Option<String>) {
    let lower = text.get(..2).map(str::to_ascii_lowercase);
    let (radix, digits) = match lower.as_deref() {
        Some("0x") => (16, &text[2..]),
        Some("0o") => (8, &text[2..]),
        Some("0b") => (2, &text[2..]),
        _ => (10, text),
    };
    let (body, suffix) =
        split_suffix(digits, &["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"]);
    (u128::from_str_radix(&body, radix).ok(), suffix)
}

/// Parses a float literal's text into its value and suffix.
pub fn parse_float(text: &str) -> (Option<f64>, Option<String>) {
    let (body, suffix) = split_suffix(text, &["f32", "f64"]);
    (body.parse().ok(), suffix)
}

/// Unescapes a quoted string literal (`"a\n"` → `a` + newline).
pub fn unescape_string(text: &str) -> Result<String, String> {
    let inner = text.strip_prefix('"').ok_or("missing opening quote")?;
    let inner = inner.strip_suffix('"').ok_or("unterminated string")?;
    unescape(inner, false)
}

/// Unescapes string contents; with `fstring`, `{{`/`}}` become single braces.
fn unescape(text: &str, fstring: bool) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => out.push(match chars.next() {
                Some('n') => '\n',
                Some('t') => '\t',
                Some('r') => '\r',
                Some('\\') => '\\',
                Some('"') => '"',
                Some('\'') => '\'',
                Some('0') => '\0',
                Some('u') => {
                    let rest = chars.as_str();
                    let close = rest.find('}').ok_or("unterminated unicode escape")?;
                    let hex = rest
                        .get(1..close)
                        .filter(|_| rest.starts_with('{'))
                        .ok_or("bad unicode escape")?;
                    let value = u32::from_str_radix(hex, 16).map_err(|e| e.to_string())?;
                    chars = rest[close + 1..].chars();
                    char::from_u32(value).ok_or("invalid unicode scalar")?
                }
                other => return Err(format!("invalid escape {other:?}")),
            }),
            '{' | '}' if fstring => {
                out.push(ch);
                chars.next();
            }
            _ => out.push(ch),
        }
    }
    Ok(out)
}

/// One piece of an f-string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FStringPiece {
    /// Literal text with escapes and `{{`/`}}` resolved (`None` if an escape is invalid).
    Text {
        /// The `FSTRING_TEXT` token.
        token: SyntaxToken,
        /// The unescaped text.
        value: Option<String>,
    },
    /// An interpolated `{expr}`.
    Hole(FStringHole),
}

impl FStringExpr {
    /// Text pieces and holes, in source order.
    pub fn pieces(&self) -> Vec<FStringPiece> {
        self.syntax
            .children_with_tokens()
            .filter_map(|element| match element {
                rowan::NodeOrToken::Token(token) if token.kind() == FSTRING_TEXT => {
                    let value = unescape(token.text(), true).ok();
                    Some(FStringPiece::Text { token, value })
                }
                rowan::NodeOrToken::Node(node) => FStringHole::cast(node).map(FStringPiece::Hole),
                rowan::NodeOrToken::Token(_) => None,
            })
            .collect()
    }

    /// Whether the closing quote is present.
    pub fn is_terminated(&self) -> bool {
        token_where(&self.syntax, |k| k == FSTRING_END).is_some()
    }
}

/// A binary operator, including assignments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum BinaryOp {
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
    And,
    Or,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Assign,
    AddAssign,
    SubAssign,
    MulAssign,
    DivAssign,
    RemAssign,
    BitAndAssign,
    BitOrAssign,
    BitXorAssign,
    ShlAssign,
    ShrAssign,
    /// `a ?? b` (v0.2): the value in `a` if `Some`/`Ok`, else `b`.
    Coalesce,
}

impl BinaryOp {
    fn from_kind(kind: SyntaxKind) -> Option<BinaryOp> {
        use BinaryOp::*;
        Some(match kind {
            PLUS => Add,
            MINUS => Sub,
            STAR => Mul,
            SLASH => Div,
            PERCENT => Rem,
            AMP => BitAnd,
            PIPE => BitOr,
            CARET => BitXor,
            SHL => Shl,
            SHR => Shr,
            AMP2 => And,
            PIPE2 => Or,
            EQ2 => Eq,
            NEQ => Ne,
            L_ANGLE => Lt,
            LTEQ => Le,
            R_ANGLE => Gt,
            GTEQ => Ge,
            EQ => Assign,
            PLUSEQ => AddAssign,
            MINUSEQ => SubAssign,
            STAREQ => MulAssign,
            SLASHEQ => DivAssign,
            PERCENTEQ => RemAssign,
            AMPEQ => BitAndAssign,
            PIPEEQ => BitOrAssign,
            CARETEQ => BitXorAssign,
            SHLEQ => ShlAssign,
            SHREQ => ShrAssign,
            QUESTION2 => Coalesce,
            _ => return None,
        })
    }

    /// `=` or a compound assignment.
    pub fn is_assignment(self) -> bool {
        self.compound_base().is_some() || self == BinaryOp::Assign
    }

    /// For `x op= e`, the arithmetic operator `op`.
    pub fn compound_base(self) -> Option<BinaryOp> {
        use BinaryOp::*;
        Some(match self {
            AddAssign => Add,
            SubAssign => Sub,
            MulAssign => Mul,
            DivAssign => Div,
            RemAssign => Rem,
            BitAndAssign => BitAnd,
            BitOrAssign => BitOr,
            BitXorAssign => BitXor,
            ShlAssign => Shl,
            ShrAssign => Shr,
            _ => return None,
        })
    }

    /// `== != < <= > >=`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }

    /// `&&` or `||`.
    pub fn is_logical(self) -> bool {
        matches!(self, BinaryOp::And | BinaryOp::Or)
    }
}

impl BinExpr {
    /// The left operand.
    pub fn lhs(&self) -> Option<Expr> {
        exprs_around(&self.syntax, |k| BinaryOp::from_kind(k).is_some()).0
    }

    /// The right operand.
    pub fn rhs(&self) -> Option<Expr> {
        exprs_around(&self.syntax, |k| BinaryOp::from_kind(k).is_some()).1
    }

    /// The operator token.
    pub fn op_token(&self) -> Option<SyntaxToken> {
        token_where(&self.syntax, |k| BinaryOp::from_kind(k).is_some())
    }

    /// The operator.
    pub fn op_kind(&self) -> Option<BinaryOp> {
        BinaryOp::from_kind(self.op_token()?.kind())
    }
}

impl SendExpr {
    /// The channel, left of `<-`.
    pub fn channel(&self) -> Option<Expr> {
        exprs_around(&self.syntax, |k| k == LEFT_ARROW).0
    }

    /// The value sent, right of `<-`.
    pub fn value(&self) -> Option<Expr> {
        exprs_around(&self.syntax, |k| k == LEFT_ARROW).1
    }
}

/// A prefix operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UnaryOp {
    /// `-e`
    Neg,
    /// `!e`
    Not,
    /// `&e` (not in Vex Core)
    Ref,
    /// `*e` (not in Vex Core)
    Deref,
    /// `<-ch` (v0.2, LANGUAGE.md §11)
    Recv,
}

impl PrefixExpr {
    /// The operator token.
    pub fn op_token(&self) -> Option<SyntaxToken> {
        token_where(&self.syntax, |k| matches!(k, MINUS | BANG | AMP | STAR | LEFT_ARROW))
    }

    /// The operator.
    pub fn op_kind(&self) -> Option<UnaryOp> {
        Some(match self.op_token()?.kind() {
            MINUS => UnaryOp::Neg,
            BANG => UnaryOp::Not,
            AMP => UnaryOp::Ref,
            STAR => UnaryOp::Deref,
            _ => UnaryOp::Recv,
        })
    }
}

impl RangeExpr {
    /// The start, if written.
    pub fn start(&self) -> Option<Expr> {
        exprs_around(&self.syntax, |k| matches!(k, DOT2 | DOT2EQ)).0
    }

    /// The end, if written.
    pub fn end(&self) -> Option<Expr> {
        exprs_around(&self.syntax, |k| matches!(k, DOT2 | DOT2EQ)).1
    }

    /// `a..=b`.
    pub fn is_inclusive(&self) -> bool {
        support::token(&self.syntax, DOT2EQ).is_some()
    }
}

impl IndexExpr {
    /// The indexed expression.
    pub fn base(&self) -> Option<Expr> {
        exprs_around(&self.syntax, |k| k == L_BRACK).0
    }

    /// The index.
    pub fn index(&self) -> Option<Expr> {
        exprs_around(&self.syntax, |k| k == L_BRACK).1
    }
}

impl ArrayRepeatExpr {
    /// The repeated value.
    pub fn value(&self) -> Option<Expr> {
        exprs_around(&self.syntax, |k| k == SEMICOLON).0
    }

    /// The length.
    pub fn len(&self) -> Option<Expr> {
        exprs_around(&self.syntax, |k| k == SEMICOLON).1
    }
}

impl TernaryExpr {
    /// The condition before `?`.
    pub fn condition(&self) -> Option<Expr> {
        nth_child(&self.syntax, 0)
    }

    /// The value after `?`.
    pub fn then_expr(&self) -> Option<Expr> {
        exprs_around(&self.syntax, |k| k == QUESTION).1
    }

    /// The value after `:`.
    pub fn else_expr(&self) -> Option<Expr> {
        exprs_around(&self.syntax, |k| k == COLON).1
    }
}

/// The condition (first `Expr` child unless it is the body) and body (last block child).
fn condition_and_body(node: &SyntaxNode) -> (Option<Expr>, Option<BlockExpr>) {
    let body: Option<BlockExpr> = node.children().filter_map(BlockExpr::cast).last();
    let condition = node
        .children()
        .filter(|child| {
            child.kind() != BLOCK_EXPR || body.as_ref().is_none_or(|b| b.syntax() != child)
        })
        .find_map(Expr::cast);
    (condition, body)
}

impl IfExpr {
    /// The condition after `if`.
    pub fn condition(&self) -> Option<Expr> {
        condition_and_body(&self.syntax).0
    }

    /// The block after the condition.
    pub fn then_branch(&self) -> Option<BlockExpr> {
        condition_and_body(&self.syntax).1
    }

    /// The `else { }` block, if any.
    pub fn else_block(&self) -> Option<BlockExpr> {
        self.else_branch()?.block()
    }
}

impl ElifBranch {
    /// The condition.
    pub fn condition(&self) -> Option<Expr> {
        condition_and_body(&self.syntax).0
    }

    /// The block.
    pub fn block(&self) -> Option<BlockExpr> {
        condition_and_body(&self.syntax).1
    }
}

impl WhileExpr {
    /// The loop condition.
    pub fn condition(&self) -> Option<Expr> {
        condition_and_body(&self.syntax).0
    }

    /// The loop body.
    pub fn body(&self) -> Option<BlockExpr> {
        condition_and_body(&self.syntax).1
    }
}

impl ForExpr {
    /// The iterated expression after `in`.
    pub fn iterable(&self) -> Option<Expr> {
        condition_and_body(&self.syntax).0
    }

    /// The loop body.
    pub fn body(&self) -> Option<BlockExpr> {
        condition_and_body(&self.syntax).1
    }
}

impl Label {
    /// The label name without the quote (`outer` for `'outer:`).
    pub fn text(&self) -> String {
        self.label_ident_token()
            .map(|t| t.text().trim_start_matches('\'').to_string())
            .unwrap_or_default()
    }
}

impl RecordExprField {
    /// `Point { x }`: the value is the local of the same name.
    pub fn is_shorthand(&self) -> bool {
        support::token(&self.syntax, COLON).is_none()
    }
}

impl RecordPatField {
    /// `Point { x }`: binds the field to a local of the same name.
    pub fn is_shorthand(&self) -> bool {
        support::token(&self.syntax, COLON).is_none()
    }
}

impl SelectArm {
    /// The expressions of the arm: the head (unless `default`) and then the body.
    pub fn exprs(&self) -> AstChildren<Expr> {
        support::children(&self.syntax)
    }

    /// The leading contextual keyword `after` or `default`, if present.
    pub fn keyword(&self) -> Option<SyntaxToken> {
        token_where(&self.syntax, |k| k == IDENT)
    }
}

impl Expr {
    /// Whether the expression ends in a block (`if`, `match`, loops, blocks); such
    /// expression statements need no `;` or line break after them.
    pub fn is_block_like(&self) -> bool {
        matches!(
            self,
            Expr::BlockExpr(_)
                | Expr::IfExpr(_)
                | Expr::WhileExpr(_)
                | Expr::LoopExpr(_)
                | Expr::ForExpr(_)
                | Expr::MatchExpr(_)
                | Expr::UnsafeExpr(_)
                | Expr::SelectExpr(_)
        )
    }
}
