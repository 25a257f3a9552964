//! The lexer: turns source text into a flat list of tokens (trivia included) and errors.
//!
//! Every byte of the input belongs to exactly one token, so concatenating the tokens gives
//! back the text. The lexer never fails: unknown characters become `ERROR_TOKEN`,
//! unterminated strings and comments run to the end of input and are reported.
//! f-strings are split into `FSTRING_START`, `FSTRING_TEXT`, `FSTRING_HOLE_OPEN`, the
//! ordinary tokens of the hole expression, `FSTRING_HOLE_CLOSE` and `FSTRING_END`, so the
//! parser can build real expression nodes for the holes. Punctuation is lexed by maximal
//! munch (`??` is one token, so `x??` is `x ??`, never `(x?)?`), except that `>` is always
//! a single token; the parser glues adjacent `>` `>` / `>` `=` into `>>`, `>=`, `>>=`
//! where it needs them, so that `Vec<Vec<i64>>` closes two generic argument lists.

use crate::{SyntaxError, SyntaxKind, TextRange, TextSize};
use SyntaxKind::*;

/// One token: its kind and its byte range in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// The token kind.
    pub kind: SyntaxKind,
    /// The byte range of the token text.
    pub range: TextRange,
}

/// Splits `text` into tokens, trivia included, and reports lexical errors.
///
/// ```
/// use vex_syntax::{lex, SyntaxKind};
/// let (tokens, errors) = lex("let! x = 255u8");
/// assert!(errors.is_empty());
/// assert_eq!(tokens[0].kind, SyntaxKind::LET_KW);
/// assert_eq!(tokens[1].kind, SyntaxKind::BANG);
/// ```
pub fn lex(text: &str) -> (Vec<Token>, Vec<SyntaxError>) {
    let mut lexer = Lexer {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        // Real code has fewer than one token per two bytes; untouched capacity of a large
        // buffer is never paged in, while growing it would copy every token.
        tokens: Vec::with_capacity(text.len() / 2 + 16),
        errors: Vec::new(),
        modes: Vec::new(),
        last_significant: EOF,
    };
    lexer.run();
    (lexer.tokens, lexer.errors)
}

/// Where the lexer is inside nested f-strings.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// Inside the text part of an f-string started at the given offset.
    FStringText { start: usize },
    /// Inside a `{ … }` hole; `depth` counts ordinary braces opened inside it.
    Hole { depth: u32 },
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    errors: Vec<SyntaxError>,
    modes: Vec<Mode>,
    last_significant: SyntaxKind,
}

fn is_ident_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

fn is_ident_continue(byte: u8) -> bool {
    IDENT_CONTINUE[usize::from(byte)]
}

/// `[A-Za-z0-9_]` as a table: identifiers are the most common tokens.
static IDENT_CONTINUE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || b == b'_';
        byte += 1;
    }
    table
};

/// The lengths of Vex keywords (`_` and `if` … `continue`): longer or shorter words are
/// identifiers without a table lookup.
const KEYWORD_LENGTHS: std::ops::RangeInclusive<usize> = 1..=8;

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: SyntaxKind, start: usize) {
        debug_assert!(self.pos > start);
        let range = TextRange::new(offset(start), offset(self.pos));
        self.tokens.push(Token { kind, range });
        if !kind.is_trivia() {
            self.last_significant = kind;
        }
    }

    fn error(&mut self, message: impl Into<String>, start: usize, end: usize) {
        self.errors.push(SyntaxError::new(message, TextRange::new(offset(start), offset(end))));
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            match self.modes.last().copied() {
                Some(Mode::FStringText { .. }) => self.fstring_text(),
                _ => self.normal_token(),
            }
        }
        // Report only the outermost unterminated f-string: the inner ones are its echoes.
        if let Some(Mode::FStringText { start }) = self.modes.first().copied() {
            self.error("unterminated f-string", start, self.pos);
        }
    }

    /// Lexes the text part of an f-string up to a hole, the closing quote or the end.
    fn fstring_text(&mut self) {
        let start = self.pos;
        match self.peek(0) {
            b'"' => {
                self.pos += 1;
                self.modes.pop();
                self.push(FSTRING_END, start);
                return;
            }
            b'{' if self.peek(1) != b'{' => {
                self.pos += 1;
                self.modes.push(Mode::Hole { depth: 0 });
                self.push(FSTRING_HOLE_OPEN, start);
                return;
            }
            _ => {}
        }
        while self.pos < self.bytes.len() {
            match self.peek(0) {
                b'"' => break,
                b'{' if self.peek(1) == b'{' => self.pos += 2,
                b'{' => break,
                b'}' if self.peek(1) == b'}' => self.pos += 2,
                b'}' => {
                    self.error(
                        "a single `}` in an f-string must be written `}}`",
                        self.pos,
                        self.pos + 1,
                    );
                    self.pos += 1;
                }
                b'\\' => self.escape(),
                _ => self.bump_char(),
            }
        }
        self.push(FSTRING_TEXT, start);
    }

    fn bump_char(&mut self) {
        let ch_len = self.text[self.pos..].chars().next().map_or(1, char::len_utf8);
        self.pos += ch_len;
    }

    /// Consumes one escape sequence starting at a backslash and checks it.
    fn escape(&mut self) {
        let start = self.pos;
        self.pos += 1;
        match self.peek(0) {
            b'n' | b't' | b'r' | b'\\' | b'"' | b'0' | b'\'' => self.pos += 1,
            b'u' if self.peek(1) == b'{' => {
                self.pos += 2;
                let digits = self.pos;
                while self.peek(0).is_ascii_hexdigit() {
                    self.pos += 1;
                }
                let valid = self.pos > digits
                    && self.pos - digits <= 6
                    && u32::from_str_radix(&self.text[digits..self.pos], 16)
                        .ok()
                        .and_then(char::from_u32)
                        .is_some();
                if self.peek(0) == b'}' {
                    self.pos += 1;
                    if !valid {
                        self.error("invalid unicode escape", start, self.pos);
                    }
                } else {
                    self.error("unterminated unicode escape, expected `}`", start, self.pos);
                }
            }
            0 if self.pos >= self.bytes.len() => {}
            _ => {
                self.bump_char();
                self.error("invalid escape sequence", start, self.pos);
            }
        }
    }

    fn normal_token(&mut self) {
        let start = self.pos;
        let byte = self.peek(0);
        let kind = match byte {
            b'\n' | b' ' | b'\t' | b'\r' => {
                let mut has_newline = false;
                let mut end = start;
                while let Some(&b @ (b'\n' | b' ' | b'\t' | b'\r')) = self.bytes.get(end) {
                    has_newline |= b == b'\n';
                    end += 1;
                }
                self.pos = end;
                if has_newline { NEWLINE } else { WHITESPACE }
            }
            b'/' if self.peek(1) == b'/' => {
                let doc = self.peek(2) == b'/' && self.peek(3) != b'/';
                while self.pos < self.bytes.len() && self.peek(0) != b'\n' {
                    self.pos += 1;
                }
                if doc { DOC_COMMENT } else { COMMENT }
            }
            b'/' if self.peek(1) == b'*' => self.block_comment(),
            b'"' => self.string(),
            b'f' if self.peek(1) == b'"' => {
                self.pos += 2;
                self.modes.push(Mode::FStringText { start });
                FSTRING_START
            }
            b'0'..=b'9' => self.number(),
            b'$' if is_ident_start(self.peek(1)) => {
                self.pos += 1;
                self.ident_tail();
                BUILTIN_IDENT
            }
            b'\'' if is_ident_start(self.peek(1)) => {
                self.pos += 1;
                self.ident_tail();
                LABEL_IDENT
            }
            _ if is_ident_start(byte) => {
                self.ident_tail();
                if byte.is_ascii_uppercase() || !KEYWORD_LENGTHS.contains(&(self.pos - start)) {
                    IDENT
                } else {
                    SyntaxKind::from_keyword(&self.text[start..self.pos]).unwrap_or(IDENT)
                }
            }
            b'{' => {
                self.pos += 1;
                if let Some(Mode::Hole { depth, .. }) = self.modes.last_mut() {
                    *depth += 1;
                }
                L_BRACE
            }
            b'}' => {
                self.pos += 1;
                match self.modes.last_mut() {
                    Some(Mode::Hole { depth: 0, .. }) => {
                        self.modes.pop();
                        FSTRING_HOLE_CLOSE
                    }
                    Some(Mode::Hole { depth, .. }) => {
                        *depth -= 1;
                        R_BRACE
                    }
                    _ => R_BRACE,
                }
            }
            _ => self.punct(),
        };
        self.push(kind, start);
    }

    fn ident_tail(&mut self) {
        let mut end = self.pos + 1;
        while self.bytes.get(end).is_some_and(|&b| is_ident_continue(b)) {
            end += 1;
        }
        self.pos = end;
    }

    fn block_comment(&mut self) -> SyntaxKind {
        let start = self.pos;
        self.pos += 2;
        let mut depth = 1u32;
        while self.pos < self.bytes.len() {
            if self.peek(0) == b'/' && self.peek(1) == b'*' {
                depth += 1;
                self.pos += 2;
            } else if self.peek(0) == b'*' && self.peek(1) == b'/' {
                depth -= 1;
                self.pos += 2;
                if depth == 0 {
                    return COMMENT;
                }
            } else {
                self.pos += 1;
            }
        }
        self.error("unterminated block comment", start, self.pos);
        COMMENT
    }

    fn string(&mut self) -> SyntaxKind {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek(0) {
                _ if self.pos >= self.bytes.len() => {
                    self.error("unterminated string literal", start, self.pos);
                    return STRING;
                }
                b'"' => {
                    self.pos += 1;
                    return STRING;
                }
                b'\\' => self.escape(),
                _ => self.bump_char(),
            }
        }
    }

    fn number(&mut self) -> SyntaxKind {
        let start = self.pos;
        let radix = match (self.peek(0), self.peek(1)) {
            (b'0', b'x' | b'X') => 16,
            (b'0', b'o' | b'O') => 8,
            (b'0', b'b' | b'B') => 2,
            _ => 10,
        };
        let mut is_float = false;
        if radix != 10 {
            self.pos += 2;
            let digits = self.pos;
            while self.peek(0).is_ascii_hexdigit() && (radix == 16 || self.peek(0).is_ascii_digit())
                || self.peek(0) == b'_'
            {
                self.pos += 1;
            }
            let digit_text = &self.text[digits..self.pos];
            if digit_text.bytes().all(|b| b == b'_') {
                self.error("missing digits after the integer base prefix", start, self.pos);
            } else if digit_text.bytes().any(|b| b != b'_' && !(b as char).is_digit(radix)) {
                self.error(format!("invalid digit for a base {radix} literal"), start, self.pos);
            }
        } else {
            self.digits();
            // `t.0.1` is two tuple fields, not a float; `1..2` is a range.
            let after_dot = self.last_significant == DOT;
            if !after_dot && self.peek(0) == b'.' && self.peek(1).is_ascii_digit() {
                is_float = true;
                self.pos += 1;
                self.digits();
            }
            if !after_dot && matches!(self.peek(0), b'e' | b'E') {
                let sign = usize::from(matches!(self.peek(1), b'+' | b'-'));
                if self.peek(1 + sign).is_ascii_digit() {
                    is_float = true;
                    self.pos += 1 + sign;
                    self.digits();
                }
            }
        }
        if is_ident_start(self.peek(0)) {
            let suffix_start = self.pos;
            self.ident_tail();
            let suffix = &self.text[suffix_start..self.pos];
            match suffix {
                "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" if !is_float => {}
                "f32" | "f64" if radix == 10 => is_float = true,
                _ => self.error(
                    format!("invalid suffix `{suffix}` on a number literal"),
                    start,
                    self.pos,
                ),
            }
        }
        if is_float { FLOAT_NUMBER } else { INT_NUMBER }
    }

    fn digits(&mut self) {
        while self.peek(0).is_ascii_digit() || self.peek(0) == b'_' {
            self.pos += 1;
        }
    }

    fn punct(&mut self) -> SyntaxKind {
        let (kind, len) = match (self.peek(0), self.peek(1), self.peek(2)) {
            (b'(', _, _) => (L_PAREN, 1),
            (b')', _, _) => (R_PAREN, 1),
            (b'[', _, _) => (L_BRACK, 1),
            (b']', _, _) => (R_BRACK, 1),
            (b',', _, _) => (COMMA, 1),
            (b';', _, _) => (SEMICOLON, 1),
            (b':', _, _) => (COLON, 1),
            (b'?', b'?', _) => (QUESTION2, 2),
            (b'?', _, _) => (QUESTION, 1),
            (b'.', b'.', b'=') => (DOT2EQ, 3),
            (b'.', b'.', _) => (DOT2, 2),
            (b'.', _, _) => (DOT, 1),
            (b'=', b'=', _) => (EQ2, 2),
            (b'=', b'>', _) => (FAT_ARROW, 2),
            (b'=', _, _) => (EQ, 1),
            (b'!', b'=', _) => (NEQ, 2),
            (b'!', _, _) => (BANG, 1),
            (b'<', b'<', b'=') => (SHLEQ, 3),
            (b'<', b'<', _) => (SHL, 2),
            (b'<', b'=', _) => (LTEQ, 2),
            (b'<', b'-', _) => (LEFT_ARROW, 2),
            (b'<', _, _) => (L_ANGLE, 1),
            (b'>', _, _) => (R_ANGLE, 1),
            (b'+', b'=', _) => (PLUSEQ, 2),
            (b'+', _, _) => (PLUS, 1),
            (b'-', b'=', _) => (MINUSEQ, 2),
            (b'-', b'>', _) => (THIN_ARROW, 2),
            (b'-', _, _) => (MINUS, 1),
            (b'*', b'=', _) => (STAREQ, 2),
            (b'*', _, _) => (STAR, 1),
            (b'/', b'=', _) => (SLASHEQ, 2),
            (b'/', _, _) => (SLASH, 1),
            (b'%', b'=', _) => (PERCENTEQ, 2),
            (b'%', _, _) => (PERCENT, 1),
            (b'&', b'&', _) => (AMP2, 2),
            (b'&', b'=', _) => (AMPEQ, 2),
            (b'&', _, _) => (AMP, 1),
            (b'|', b'|', _) => (PIPE2, 2),
            (b'|', b'=', _) => (PIPEEQ, 2),
            (b'|', _, _) => (PIPE, 1),
            (b'^', b'=', _) => (CARETEQ, 2),
            (b'^', _, _) => (CARET, 1),
            _ => {
                let start = self.pos;
                self.bump_char();
                let ch = &self.text[start..self.pos];
                self.error(
                    format!("unexpected character `{}`", ch.escape_debug()),
                    start,
                    self.pos,
                );
                return ERROR_TOKEN;
            }
        };
        self.pos += len;
        kind
    }
}

fn offset(pos: usize) -> TextSize {
    TextSize::try_from(pos).unwrap_or(TextSize::new(u32::MAX))
}
