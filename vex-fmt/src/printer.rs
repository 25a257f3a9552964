//! Printing a layout: decides each group flat or broken, from left to right, and writes
//! the tokens with their gaps, comments and indentation.
//!
//! A group is broken when the layout forces it, or when its flat form, together with
//! what follows it up to the next place a line may break, would pass the line width
//! (the outermost list of an overlong line breaks first; the lists inside it are then
//! measured on their own lines). Indentation is relative to the line where a bracket
//! opens: a broken group's elements go one step deeper than that line and its closing
//! bracket comes back to it, so a block that is the last argument of a flat call reads
//! `f(x, |y| {` … `})`. Continuation lines go one step deeper than the line where their
//! element starts. This module must not look at the syntax tree.

use crate::layout::{Cond, Gap, GroupKind, Layout, NO_GROUP, Trivia};

/// The maximal line width, in characters.
pub(crate) const MAX_WIDTH: u32 = 100;

/// Spaces per indentation level.
const INDENT: &str = "    ";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Undecided,
    Flat,
    Broken,
}

/// An open group while printing.
struct Frame {
    group: u32,
    broken: bool,
    /// Indentation of the line where the group opened.
    base: u32,
    /// Indentation of the line where the current element starts.
    element_indent: u32,
}

/// Prints the parts of a layout one after the other (see `Builder::next_part`).
pub(crate) struct Printer {
    out: String,
    column: u32,
    line_indent: u32,
    line_empty: bool,
    /// The mode of every group seen so far; groups not opened yet are undecided.
    modes: Vec<Mode>,
    stack: Vec<Frame>,
}

impl Printer {
    /// A printer for a file of `len` bytes.
    pub(crate) fn new(len: usize) -> Printer {
        Printer {
            out: String::with_capacity(len + len / 8 + 16),
            column: 0,
            line_indent: 0,
            line_empty: true,
            modes: vec![Mode::Broken],
            stack: vec![Frame { group: 0, broken: true, base: 0, element_indent: 0 }],
        }
    }

    /// Prints a part of the layout (after the last part, also the end of the file).
    pub(crate) fn print(&mut self, layout: &Layout<'_>) {
        self.modes.resize(layout.groups.len(), Mode::Undecided);
        let mut carry: Option<u32> = None;
        for (index, token) in layout.tokens[..layout.ready].iter().enumerate() {
            let start = carry.take().unwrap_or(token.trivia_start);
            let trivia = &layout.trivia[start as usize..token.trivia_end as usize];
            if !self.printed(token.cond) {
                // Its comments move on to the next token's gap.
                carry = Some(start);
                continue;
            }
            self.gap(layout, token.gap, trivia);
            self.text(token.text, token.width, token.tail_width);
            if token.opens != NO_GROUP {
                self.open(layout, index, token.opens);
            }
            if token.closes != NO_GROUP {
                let frame = self.stack.pop();
                debug_assert_eq!(frame.map(|f| f.group), Some(token.closes));
            }
        }
        if let Some((start, end)) = layout.trailing {
            let start = carry.unwrap_or(start);
            self.end(&layout.trivia[start as usize..end as usize]);
        } else {
            debug_assert!(carry.is_none(), "a part ends with a token printed in any layout");
        }
    }

    /// The text printed: it ends with one newline (it is empty for an empty file).
    pub(crate) fn finish(self) -> String {
        self.out
    }

    fn printed(&self, cond: Cond) -> bool {
        match cond {
            Cond::Always => true,
            Cond::Never => false,
            Cond::IfBroken(group) => self.modes[group as usize] == Mode::Broken,
            Cond::IfFlat(group) => self.modes[group as usize] != Mode::Broken,
        }
    }

    fn open(&mut self, layout: &Layout<'_>, index: usize, group: u32) {
        let info = layout.groups[group as usize];
        let head = info.chain_head;
        let broken = if head != NO_GROUP && head != group {
            info.forced || self.modes[head as usize] == Mode::Broken
        } else {
            info.forced || (!info.no_break && !self.fits(layout, index, group))
        };
        self.modes[group as usize] = if broken { Mode::Broken } else { Mode::Flat };
        self.stack.push(Frame {
            group,
            broken,
            base: self.line_indent,
            element_indent: self.line_indent,
        });
    }

    /// Whether group `group`, opened by token `index`, fits flat on the current line
    /// together with what follows it up to the next possible line break (at the latest,
    /// the token after the part, on a line of the file's group).
    fn fits(&self, layout: &Layout<'_>, index: usize, group: u32) -> bool {
        let last_nested = layout.groups[group as usize].last_descendant;
        // Groups nested in this one (for the head of an `if` chain: in any of its blocks)
        // are measured flat unless forced, so a flat group never holds a broken one that
        // would force it on the next run.
        let mode = |id: u32| -> Mode {
            if id == group {
                Mode::Flat
            } else if id > group && id <= last_nested {
                if layout.groups[id as usize].forced { Mode::Broken } else { Mode::Flat }
            } else {
                self.modes[id as usize]
            }
        };
        let mut column = self.column;
        for token in &layout.tokens[index + 1..] {
            match token.gap {
                Gap::None => {}
                Gap::Space => column += 1,
                Gap::Open(id) | Gap::Sep(id) | Gap::Close(id) => {
                    if mode(id) != Mode::Flat {
                        return column <= MAX_WIDTH;
                    }
                    column += flat_width(layout.groups[id as usize].kind, token.gap);
                }
                Gap::Start | Gap::Hard(_) | Gap::Continue(_) => return column <= MAX_WIDTH,
            }
            for trivia in &layout.trivia[token.trivia_start as usize..token.trivia_end as usize] {
                if let Trivia::Comment { text, .. } = trivia {
                    column += text.chars().count() as u32 + 1;
                }
            }
            let printed = match token.cond {
                Cond::Always => true,
                Cond::Never => false,
                Cond::IfBroken(id) => mode(id) == Mode::Broken,
                Cond::IfFlat(id) => mode(id) != Mode::Broken,
            };
            if printed {
                column += token.width;
                if token.tail_width.is_some() {
                    return column <= MAX_WIDTH;
                }
            }
            if column > MAX_WIDTH {
                return false;
            }
        }
        true
    }

    /// Writes the gap before a token: its comments and its spacing or line break.
    fn gap(&mut self, layout: &Layout<'_>, gap: Gap, trivia: &[Trivia<'_>]) {
        match gap {
            Gap::Start => self.broken_gap(trivia, 0, 0, false, true),
            Gap::None => self.flat_gap(trivia, false),
            Gap::Space => self.flat_gap(trivia, true),
            Gap::Continue(space) => {
                let indent = self.top().element_indent + 1;
                self.continue_gap(trivia, space, indent);
            }
            Gap::Open(_) | Gap::Sep(_) | Gap::Close(_) | Gap::Hard(_) => {
                let frame = self.top();
                debug_assert!(
                    matches!(gap, Gap::Open(g) | Gap::Sep(g) | Gap::Close(g) | Gap::Hard(g) if g == frame.group)
                );
                if frame.broken {
                    // The file's items are not indented.
                    let content = if frame.group == 0 { 0 } else { frame.base + 1 };
                    let (last, blank_first, blank_last) = match gap {
                        Gap::Open(_) => (content, false, true),
                        Gap::Close(_) => (frame.base, true, false),
                        _ => (content, true, true),
                    };
                    self.broken_gap(trivia, content, last, blank_first, blank_last);
                } else {
                    let kind = layout.groups[frame.group as usize].kind;
                    self.flat_gap(trivia, flat_width(kind, gap) == 1);
                }
                if !matches!(gap, Gap::Close(_)) {
                    let indent = self.line_indent;
                    self.top_mut().element_indent = indent;
                }
            }
        }
    }

    fn top(&self) -> &Frame {
        self.stack.last().expect("the file group is always open")
    }

    fn top_mut(&mut self) -> &mut Frame {
        self.stack.last_mut().expect("the file group is always open")
    }

    /// A gap that is a line break: comments on their own lines (or trailing the previous
    /// token), at most one blank line kept where blank lines are allowed, then a line
    /// break to `last_indent`.
    fn broken_gap(
        &mut self,
        trivia: &[Trivia<'_>],
        comment_indent: u32,
        last_indent: u32,
        blank_first: bool,
        blank_last: bool,
    ) {
        let mut newlines = 0;
        let mut first = true;
        let mut after_line_comment = false;
        let mut own_line_block = false;
        for trivia in trivia {
            match *trivia {
                Trivia::Newlines(count) => newlines += count,
                Trivia::Comment { text, line } => {
                    own_line_block = false;
                    if newlines == 0 && !after_line_comment && !self.line_empty {
                        self.space();
                    } else {
                        self.newline(newlines >= 2 && (blank_first || !first), comment_indent);
                        own_line_block = !line;
                    }
                    self.comment(text);
                    first = false;
                    newlines = 0;
                    after_line_comment = line;
                }
            }
        }
        if own_line_block && newlines == 0 {
            // `/* note */ let x = 1` on a line of its own stays one line.
            self.space();
            return;
        }
        let blank = newlines >= 2 && if first { blank_first && blank_last } else { blank_last };
        self.newline(blank, last_indent);
    }

    /// A gap on one line, a space if `space`; its comments are inline block comments.
    fn flat_gap(&mut self, trivia: &[Trivia<'_>], space: bool) {
        let mut commented = false;
        for trivia in trivia {
            if let Trivia::Comment { text, .. } = *trivia {
                if !self.line_empty && !self.out.ends_with(['(', '[']) {
                    self.space();
                }
                self.comment(text);
                commented = true;
            }
        }
        // No space after a comment that starts a line.
        if space && !(commented && self.line_empty) {
            self.space();
        }
    }

    /// A line break kept from the source, or needed by comments, inside an element.
    fn continue_gap(&mut self, trivia: &[Trivia<'_>], space: bool, indent: u32) {
        let mut newlines = 0;
        let mut after_line_comment = false;
        for trivia in trivia {
            match *trivia {
                Trivia::Newlines(count) => newlines += count,
                Trivia::Comment { text, line } => {
                    if (newlines > 0 || after_line_comment) && !self.line_empty {
                        self.newline(false, indent);
                    } else if !self.line_empty {
                        self.space();
                    }
                    self.comment(text);
                    newlines = 0;
                    after_line_comment = line;
                }
            }
        }
        if newlines > 0 || after_line_comment {
            self.newline(false, indent);
        } else if space {
            self.space();
        }
    }

    /// The trivia after the last token, and the final newline.
    fn end(&mut self, trivia: &[Trivia<'_>]) {
        let mut newlines = 0;
        let mut after_line_comment = false;
        for trivia in trivia {
            match *trivia {
                Trivia::Newlines(count) => newlines += count,
                Trivia::Comment { text, line } => {
                    if newlines == 0 && !after_line_comment && !self.line_empty {
                        self.space();
                    } else {
                        self.newline(newlines >= 2, 0);
                    }
                    self.comment(text);
                    newlines = 0;
                    after_line_comment = line;
                }
            }
        }
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    /// Starts a new line at `indent` (a blank line first if `blank`); nothing at the
    /// start of the file.
    fn newline(&mut self, blank: bool, indent: u32) {
        if self.out.is_empty() {
            return;
        }
        self.out.push('\n');
        if blank {
            self.out.push('\n');
        }
        for _ in 0..indent {
            self.out.push_str(INDENT);
        }
        self.column = indent * INDENT.len() as u32;
        self.line_indent = indent;
        self.line_empty = true;
    }

    fn space(&mut self) {
        self.out.push(' ');
        self.column += 1;
    }

    fn comment(&mut self, text: &str) {
        self.out.push_str(text);
        self.line_empty = false;
        match text.rfind('\n') {
            Some(last) => self.column = text[last + 1..].chars().count() as u32,
            None => self.column += text.chars().count() as u32,
        }
    }

    fn text(&mut self, text: &str, width: u32, tail_width: Option<u32>) {
        self.out.push_str(text);
        self.line_empty = false;
        match tail_width {
            Some(tail) => self.column = tail,
            None => self.column += width,
        }
    }
}

/// The width of a group line printed flat: nothing or a space.
fn flat_width(kind: GroupKind, gap: Gap) -> u32 {
    match gap {
        Gap::Sep(_) => 1,
        Gap::Open(_) | Gap::Close(_) if kind != GroupKind::Paren => 1,
        _ => 0,
    }
}
