//! The one description of Vex syntax: every token kind, every node kind and every typed
//! AST node with its accessors, written once and expanded by the `vex_syntax!` macro.
//!
//! The macro produces `SyntaxKind` (tokens first, then nodes) and, for every `struct`
//! entry, a typed wrapper over `SyntaxNode` with its simple accessors; every `enum` entry
//! becomes a sum type over other AST nodes. Accessors that need position or text
//! (operators, literal values, "the second expression") live in `ast::ext`, not here.
//! This module must not contain hand-written per-node code.

/// Expands the syntax description; see the module documentation.
macro_rules! vex_syntax {
    (
        tokens { $($tok:ident $(= $tok_text:literal)?),* $(,)? }
        keywords { $($kw:ident = $kw_text:literal),* $(,)? }
        nodes { $(
            $(#[doc = $ndoc:literal])*
            struct $Node:ident = $NODE_KIND:ident { $($field:ident : $fty:tt),* $(,)? }
        )* }
        enums { $(
            $(#[doc = $edoc:literal])*
            enum $Enum:ident { $($Variant:ident),* $(,)? }
        )* }
    ) => {
        /// The kind of every token and node in a Vex syntax tree.
        ///
        /// Tokens come first (`WHITESPACE` … `UNDERSCORE`), then nodes. Unknown characters
        /// are `ERROR_TOKEN` tokens; input the parser could not use is wrapped in `ERROR` nodes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(u16)]
        #[allow(non_camel_case_types, missing_docs)]
        pub enum SyntaxKind {
            $($tok,)*
            $($kw,)*
            $($NODE_KIND,)*
        }

        impl SyntaxKind {
            /// Every kind, indexed by its `u16` value.
            pub const ALL: &'static [SyntaxKind] = &[
                $(SyntaxKind::$tok,)* $(SyntaxKind::$kw,)* $(SyntaxKind::$NODE_KIND,)*
            ];

            /// The fixed source text of a punctuation or keyword token, if it has one.
            pub fn fixed_text(self) -> Option<&'static str> {
                match self {
                    $($(SyntaxKind::$tok => Some($tok_text),)?)*
                    $(SyntaxKind::$kw => Some($kw_text),)*
                    _ => None,
                }
            }

            /// The keyword kind spelled `text`, if `text` is a keyword.
            pub fn from_keyword(text: &str) -> Option<SyntaxKind> {
                match text {
                    $($kw_text => Some(SyntaxKind::$kw),)*
                    _ => None,
                }
            }

            /// Whether this is a keyword kind.
            pub fn is_keyword(self) -> bool {
                matches!(self, $(SyntaxKind::$kw)|*)
            }

            /// The kind with the given raw value; out-of-range values map to `ERROR`.
            pub fn from_raw(raw: u16) -> SyntaxKind {
                Self::ALL.get(usize::from(raw)).copied().unwrap_or(SyntaxKind::ERROR_TOKEN)
            }
        }

        /// Typed AST nodes generated from the syntax description.
        pub mod nodes {
            #![allow(clippy::all)]
            use crate::ast::{support, AstChildren, AstNode};
            use crate::{SyntaxKind, SyntaxNode, SyntaxToken};

            $(
                $(#[doc = $ndoc])*
                #[derive(Debug, Clone, PartialEq, Eq, Hash)]
                pub struct $Node {
                    pub(crate) syntax: SyntaxNode,
                }

                impl AstNode for $Node {
                    fn can_cast(kind: SyntaxKind) -> bool {
                        kind == SyntaxKind::$NODE_KIND
                    }
                    fn cast(syntax: SyntaxNode) -> Option<Self> {
                        Self::can_cast(syntax.kind()).then_some(Self { syntax })
                    }
                    fn syntax(&self) -> &SyntaxNode {
                        &self.syntax
                    }
                }

                impl $Node {
                    $( vex_syntax!(@accessor $field : $fty); )*
                }
            )*

            $(
                $(#[doc = $edoc])*
                #[derive(Debug, Clone, PartialEq, Eq, Hash)]
                #[allow(missing_docs)]
                pub enum $Enum {
                    $($Variant($Variant),)*
                }

                impl AstNode for $Enum {
                    fn can_cast(kind: SyntaxKind) -> bool {
                        $(<$Variant as AstNode>::can_cast(kind))||*
                    }
                    fn cast(syntax: SyntaxNode) -> Option<Self> {
                        let kind = syntax.kind();
                        $(
                            if <$Variant as AstNode>::can_cast(kind) {
                                return <$Variant as AstNode>::cast(syntax).map($Enum::$Variant);
                            }
                        )*
                        None
                    }
                    fn syntax(&self) -> &SyntaxNode {
                        match self {
                            $($Enum::$Variant(it) => it.syntax(),)*
                        }
                    }
                }

                $(
                    impl From<$Variant> for $Enum {
                        fn from(node: $Variant) -> $Enum {
                            $Enum::$Variant(node)
                        }
                    }
                )*
            )*

            // Keeps the imports used even when no token accessor is declared.
            #[allow(dead_code)]
            fn _uses(token: Option<SyntaxToken>) -> Option<SyntaxToken> {
                token
            }
        }
    };
    (@accessor $field:ident : [$Child:ident]) => {
        #[doc = concat!("All `", stringify!($Child), "` children.")]
        pub fn $field(&self) -> AstChildren<$Child> {
            support::children(&self.syntax)
        }
    };
    (@accessor $field:ident : ($TOKEN:ident)) => {
        #[doc = concat!("The first `", stringify!($TOKEN), "` token child, if present.")]
        pub fn $field(&self) -> Option<SyntaxToken> {
            support::token(&self.syntax, SyntaxKind::$TOKEN)
        }
    };
    (@accessor $field:ident : $Child:ident) => {
        #[doc = concat!("The first `", stringify!($Child), "` child, if present.")]
        pub fn $field(&self) -> Option<$Child> {
            support::child(&self.syntax)
        }
    };
}

vex_syntax! {
    tokens {
        // Trivia.
        WHITESPACE, NEWLINE, COMMENT, DOC_COMMENT,
        // The parser's end-of-input marker; never stored in a tree.
        EOF,
        // An unknown character.
        ERROR_TOKEN,
        // Tokens with variable text.
        IDENT, BUILTIN_IDENT, LABEL_IDENT, INT_NUMBER, FLOAT_NUMBER, STRING,
        FSTRING_START = "f\"", FSTRING_TEXT, FSTRING_HOLE_OPEN = "{", FSTRING_HOLE_CLOSE = "}",
        FSTRING_END = "\"",
        // Punctuation.
        L_PAREN = "(", R_PAREN = ")", L_BRACE = "{", R_BRACE = "}", L_BRACK = "[", R_BRACK = "]",
        COMMA = ",", SEMICOLON = ";", COLON = ":", DOT = ".", DOT2 = "..", DOT2EQ = "..=",
        FAT_ARROW = "=>", THIN_ARROW = "->", LEFT_ARROW = "<-", QUESTION = "?", QUESTION2 = "??",
        EQ = "=", EQ2 = "==", NEQ = "!=", L_ANGLE = "<", R_ANGLE = ">", LTEQ = "<=", GTEQ = ">=",
        PLUS = "+", MINUS = "-", STAR = "*", SLASH = "/", PERCENT = "%",
        AMP = "&", PIPE = "|", CARET = "^", BANG = "!", SHL = "<<", SHR = ">>",
        AMP2 = "&&", PIPE2 = "||",
        PLUSEQ = "+=", MINUSEQ = "-=", STAREQ = "*=", SLASHEQ = "/=", PERCENTEQ = "%=",
        AMPEQ = "&=", PIPEEQ = "|=", CARETEQ = "^=", SHLEQ = "<<=", SHREQ = ">>=",
    }
    keywords {
        FN_KW = "fn", ASYNC_KW = "async", AWAIT_KW = "await", LET_KW = "let", CONST_KW = "const",
        STRUCT_KW = "struct", ENUM_KW = "enum", EXTERN_KW = "extern", IF_KW = "if",
        ELIF_KW = "elif", ELSE_KW = "else", WHILE_KW = "while", LOOP_KW = "loop", FOR_KW = "for",
        IN_KW = "in", BREAK_KW = "break", CONTINUE_KW = "continue", RETURN_KW = "return",
        MATCH_KW = "match", DEFER_KW = "defer", GO_KW = "go", SELECT_KW = "select",
        TRUE_KW = "true", FALSE_KW = "false", AS_KW = "as", UNDERSCORE = "_",
    }
    nodes {
        /// Input the parser could not make sense of, kept verbatim.
        struct ErrorNode = ERROR {}
        /// A whole file: a sequence of items.
        struct SourceFile = SOURCE_FILE { items: [Item] }
        /// `async? extern "C"? fn (self: T)? Owner.? name<T>? (params) (: T)? { body }?`
        struct Fn = FN {
            abi: Abi, receiver: Receiver, owner: FnOwner, name: Name,
            generic_param_list: GenericParamList, param_list: ParamList, ret_type: RetType,
            body: BlockExpr, async_token: (ASYNC_KW), fn_token: (FN_KW),
        }
        /// `extern "C"`.
        struct Abi = ABI { extern_token: (EXTERN_KW), string_token: (STRING) }
        /// The receiver of a method: `(self: Point)`.
        struct Receiver = RECEIVER { param: Param }
        /// The owner type of an associated function: `Point.` in `fn Point.new()`.
        struct FnOwner = FN_OWNER { name_ref: NameRef }
        /// `struct Name<T>? { fields }`.
        struct Struct = STRUCT {
            name: Name, generic_param_list: GenericParamList, record_field_list: RecordFieldList,
        }
        /// `{ x: f64, y: f64 }` in a struct definition.
        struct RecordFieldList = RECORD_FIELD_LIST { fields: [RecordField] }
        /// `x: f64` in a struct definition.
        struct RecordField = RECORD_FIELD { name: Name, ty: Type }
        /// `enum Name<T>? { variants }`.
        struct Enum = ENUM { name: Name, generic_param_list: GenericParamList, variant_list: VariantList }
        /// `{ Circle(f64), Empty }`.
        struct VariantList = VARIANT_LIST { variants: [Variant] }
        /// `Circle(f64)` or `Empty`.
        struct Variant = VARIANT { name: Name, tuple_field_list: TupleFieldList }
        /// `(f64, f64)` after a variant name.
        struct TupleFieldList = TUPLE_FIELD_LIST { types: [Type] }
        /// `const NAME: T = value`.
        struct Const = CONST { name: Name, ty: Type, value: Expr }
        /// `extern "C" { fn ... }`.
        struct ExternBlock = EXTERN_BLOCK { abi: Abi, item_list: ItemList }
        /// `{ items }` of an extern block or an `impl` block.
        struct ItemList = ITEM_LIST { items: [Item] }
        /// `impl<T>? Type { items }` (not in Vex Core).
        struct Impl = IMPL { generic_param_list: GenericParamList, self_ty: Type, item_list: ItemList }
        /// `import a.b` or `import "file"` (not in Vex Core).
        struct Import = IMPORT { path: Path, string_token: (STRING) }
        /// A defining occurrence of a name.
        struct Name = NAME { ident_token: (IDENT) }
        /// A use of a name: an identifier, a `$builtin`, or a tuple index such as `0`.
        struct NameRef = NAME_REF { ident_token: (IDENT), builtin_token: (BUILTIN_IDENT), int_token: (INT_NUMBER) }
        /// Dot-separated names: `Shape.Rect`.
        struct Path = PATH { segments: [NameRef] }
        /// `<T, U>` on an item (not in Vex Core).
        struct GenericParamList = GENERIC_PARAM_LIST { params: [GenericParam] }
        /// `T` in a generic parameter list.
        struct GenericParam = GENERIC_PARAM { name: Name }
        /// `<T, U>` after a type name.
        struct GenericArgList = GENERIC_ARG_LIST { args: [Type] }
        /// `(a: i32, b!: i64)` or `|x, y|` of a closure.
        struct ParamList = PARAM_LIST { params: [Param] }
        /// `x: T`, `x!: T` (mutable), or `x` in a closure (where `ty()` is `None`).
        struct Param = PARAM { name: Name, bang_token: (BANG), ty: Type }
        /// `: T` (or `-> T`) after a parameter list, a closure's `|params|` or the
        /// `(params)` of a function type.
        struct RetType = RET_TYPE { ty: Type }

        /// A type name with optional generic arguments: `i32`, `Point`, `Future<T>`.
        struct PathType = PATH_TYPE { path: Path, generic_arg_list: GenericArgList }
        /// `(T, U)`; `()` is the unit type.
        struct TupleType = TUPLE_TYPE { fields: [Type] }
        /// `[T; N]`.
        struct ArrayType = ARRAY_TYPE { ty: Type, len: Expr }
        /// `&T` (not in Vex Core).
        struct RefType = REF_TYPE { ty: Type }
        /// `*T` (not in Vex Core).
        struct PtrType = PTR_TYPE { ty: Type }
        /// `fn(A, B): R`, `fn(): R`, or `fn(A)` (unit result): the type of a function value.
        struct FnType = FN_TYPE {
            fn_token: (FN_KW), param_list: FnTypeParamList, ret_type: RetType,
        }
        /// `(A, B)` of a function type: the parameter types, without names.
        struct FnTypeParamList = FN_TYPE_PARAM_LIST { types: [Type] }

        /// `let x = e`, `let! x: T = e`, `let (a, b) = e`.
        struct LetStmt = LET_STMT { let_token: (LET_KW), bang_token: (BANG), pat: Pat, ty: Type, initializer: Expr }
        /// An expression used as a statement (not the tail of its block).
        struct ExprStmt = EXPR_STMT { expr: Expr, semicolon_token: (SEMICOLON) }
        /// `defer expr` or `defer { ... }`.
        struct DeferStmt = DEFER_STMT { expr: Expr }

        /// A number, string, `true` or `false`.
        struct Literal = LITERAL {}
        /// A name used as an expression: `x`, `$println`, `Point`.
        struct PathExpr = PATH_EXPR { name_ref: NameRef, generic_arg_list: GenericArgList }
        /// `f"text {expr} text"`.
        struct FStringExpr = FSTRING_EXPR { holes: [FStringHole] }
        /// `{expr}` inside an f-string.
        struct FStringHole = FSTRING_HOLE { expr: Expr }
        /// `(e)`.
        struct ParenExpr = PAREN_EXPR { expr: Expr }
        /// `()`, `(a,)`, `(a, b)`.
        struct TupleExpr = TUPLE_EXPR { fields: [Expr] }
        /// `[a, b, c]`.
        struct ArrayExpr = ARRAY_EXPR { elements: [Expr] }
        /// `[value; len]`.
        struct ArrayRepeatExpr = ARRAY_REPEAT_EXPR {}
        /// `Point { x: 1.0, y }`.
        struct RecordExpr = RECORD_EXPR { name_ref: NameRef, field_list: RecordExprFieldList }
        /// `{ x: 1.0, y }` of a struct literal.
        struct RecordExprFieldList = RECORD_EXPR_FIELD_LIST { fields: [RecordExprField] }
        /// `x: 1.0` or the shorthand `x`.
        struct RecordExprField = RECORD_EXPR_FIELD { name_ref: NameRef, expr: Expr }
        /// `{ statements tail? }`; the tail expression is a direct `Expr` child.
        struct BlockExpr = BLOCK_EXPR { statements: [Stmt], tail_expr: Expr }
        /// `unsafe { ... }` (not in Vex Core).
        struct UnsafeExpr = UNSAFE_EXPR { block: BlockExpr }
        /// `if c { } elif c2 { } else { }`; `else if` is an `ElifBranch` too.
        struct IfExpr = IF_EXPR { elif_branches: [ElifBranch], else_branch: ElseBranch }
        /// `elif c { }` or `else if c { }`.
        struct ElifBranch = ELIF_BRANCH {}
        /// `else { }`.
        struct ElseBranch = ELSE_BRANCH { block: BlockExpr }
        /// `'label: while c { }`.
        struct WhileExpr = WHILE_EXPR { label: Label }
        /// `'label: loop { }`.
        struct LoopExpr = LOOP_EXPR { label: Label, body: BlockExpr }
        /// `'label: for pat in iterable { }`.
        struct ForExpr = FOR_EXPR { label: Label, pat: Pat }
        /// `'outer:` before a loop.
        struct Label = LABEL { label_ident_token: (LABEL_IDENT) }
        /// `break 'label? value?`.
        struct BreakExpr = BREAK_EXPR { label_ident_token: (LABEL_IDENT), expr: Expr }
        /// `continue 'label?`.
        struct ContinueExpr = CONTINUE_EXPR { label_ident_token: (LABEL_IDENT) }
        /// `return value?`.
        struct ReturnExpr = RETURN_EXPR { expr: Expr }
        /// `match scrutinee { arms }`.
        struct MatchExpr = MATCH_EXPR { expr: Expr, match_arm_list: MatchArmList }
        /// `{ arms }` of a match.
        struct MatchArmList = MATCH_ARM_LIST { arms: [MatchArm] }
        /// `pat (if guard)? => expr`.
        struct MatchArm = MATCH_ARM { pat: Pat, guard: MatchGuard, expr: Expr }
        /// `if cond` in a match arm.
        struct MatchGuard = MATCH_GUARD { condition: Expr }
        /// `callee(args)`.
        struct CallExpr = CALL_EXPR { callee: Expr, arg_list: ArgList }
        /// `(a, b)` of a call.
        struct ArgList = ARG_LIST { args: [Expr] }
        /// `receiver.name(args)`.
        struct MethodCallExpr = METHOD_CALL_EXPR {
            receiver: Expr, name_ref: NameRef, generic_arg_list: GenericArgList, arg_list: ArgList,
        }
        /// `receiver.name` or `receiver.0`.
        struct FieldExpr = FIELD_EXPR { receiver: Expr, name_ref: NameRef }
        /// `base[index]`.
        struct IndexExpr = INDEX_EXPR {}
        /// `-e`, `!e`, `&e`, `*e`, `<-e`.
        struct PrefixExpr = PREFIX_EXPR { expr: Expr }
        /// `await e`. Its operand is the postfix chain up to the first `?`:
        /// `await f()?` is `TryExpr(AwaitExpr(f()))`.
        struct AwaitExpr = AWAIT_EXPR { expr: Expr }
        /// `e?`: unwraps an `Option`/`Result` or returns its `None`/`Err` early.
        struct TryExpr = TRY_EXPR { expr: Expr, question_token: (QUESTION) }
        /// `lhs op rhs`, including assignments `x = e`, `x += e` and `a ?? b`.
        struct BinExpr = BIN_EXPR {}
        /// `ch <- v` (v0.2, LANGUAGE.md §11): a send, as a statement or a `select` arm.
        struct SendExpr = SEND_EXPR {}
        /// `e as T`.
        struct CastExpr = CAST_EXPR { expr: Expr, ty: Type }
        /// `a..b`, `a..=b`, `a..`, `..b`.
        struct RangeExpr = RANGE_EXPR {}
        /// `c ? a : b` (not in Vex Core).
        struct TernaryExpr = TERNARY_EXPR {}
        /// `|x, y: i64| body`, `|| body`, `|x|: T { ... }`, `async |x| { ... }`.
        struct ClosureExpr = CLOSURE_EXPR {
            async_token: (ASYNC_KW), param_list: ParamList, ret_type: RetType, body: Expr,
        }
        /// `go { ... }` or `go f(x)`.
        struct GoExpr = GO_EXPR { expr: Expr }
        /// `select { arms }` (v0.2, LANGUAGE.md §11).
        struct SelectExpr = SELECT_EXPR { arm_list: SelectArmList }
        /// `{ arms }` of a select.
        struct SelectArmList = SELECT_ARM_LIST { arms: [SelectArm] }
        /// `head => body` in a select, e.g. `v = <-ch => ...`, `after 10 => ...`.
        struct SelectArm = SELECT_ARM {}
        /// `let pat = e` as the condition of `if let`, `elif let` or `while let`.
        struct LetExpr = LET_EXPR { pat: Pat, expr: Expr }

        /// A binding `x` in a pattern, or a bare unit variant such as `None` (the parser
        /// cannot tell them apart; see the `ast` module documentation).
        struct IdentPat = IDENT_PAT { name: Name }
        /// `_`.
        struct WildcardPat = WILDCARD_PAT {}
        /// `0`, `-1`, `"s"`, `true`.
        struct LiteralPat = LITERAL_PAT { literal: Literal, minus_token: (MINUS) }
        /// `Shape.Empty`, `Option.None`: a dotted path (a bare name is an `IdentPat`).
        struct PathPat = PATH_PAT { path: Path }
        /// `Shape.Rect(w, h)`, `Some(x)`, `Result.Err(e)`.
        struct TupleStructPat = TUPLE_STRUCT_PAT { path: Path, fields: [Pat] }
        /// `(a, b)`.
        struct TuplePat = TUPLE_PAT { fields: [Pat] }
        /// `Point { x, y: p }` (not in Vex Core).
        struct RecordPat = RECORD_PAT { path: Path, field_list: RecordPatFieldList }
        /// `{ x, y: p }` of a struct pattern.
        struct RecordPatFieldList = RECORD_PAT_FIELD_LIST { fields: [RecordPatField] }
        /// `x` or `y: p`.
        struct RecordPatField = RECORD_PAT_FIELD { name_ref: NameRef, pat: Pat }
        /// `1 | 2`.
        struct OrPat = OR_PAT { pats: [Pat] }
    }
    enums {
        /// An item: anything that may appear at the top level of a file.
        enum Item { Fn, Struct, Enum, Const, ExternBlock, Impl, Import }
        /// A statement inside a block.
        enum Stmt { LetStmt, ExprStmt, DeferStmt, Item }
        /// Any expression.
        enum Expr {
            Literal, PathExpr, FStringExpr, ParenExpr, TupleExpr, ArrayExpr, ArrayRepeatExpr,
            RecordExpr, BlockExpr, UnsafeExpr, IfExpr, WhileExpr, LoopExpr, ForExpr, BreakExpr,
            ContinueExpr, ReturnExpr, MatchExpr, CallExpr, MethodCallExpr, FieldExpr, IndexExpr,
            PrefixExpr, AwaitExpr, BinExpr, CastExpr, RangeExpr, TernaryExpr, ClosureExpr, GoExpr,
            SelectExpr, LetExpr, TryExpr, SendExpr,
        }
        /// Any type.
        enum Type { PathType, TupleType, ArrayType, RefType, PtrType, FnType }
        /// Any pattern.
        enum Pat {
            IdentPat, WildcardPat, LiteralPat, PathPat, TupleStructPat, TuplePat, RecordPat, OrPat,
        }
    }
}
