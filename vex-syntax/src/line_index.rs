//! `LineIndex`: converts byte offsets to line/column positions and back.
//!
//! Lines and columns are 1-based for display (`file.vx:3:7`); columns count Unicode
//! scalar values, not bytes. Only `\n` ends a line (a preceding `\r` belongs to the line).

use crate::{TextRange, TextSize};

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

/// Line start offsets of one text, for offset → line/column conversion.
///
/// ```
/// use vex_syntax::{LineCol, LineIndex, TextSize};
/// let index = LineIndex::new("fn main() {\n    $println(\"hé\")\n}\n");
/// assert_eq!(index.line_col(TextSize::new(16)), LineCol { line: 2, col: 5 });
/// assert_eq!(index.offset(LineCol { line: 2, col: 5 }), Some(TextSize::new(16)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LineIndex {
    /// Byte offset of the start of each line.
    line_starts: Vec<TextSize>,
    /// Every character longer than one byte: its offset and its length in bytes, in
    /// text order. Columns count characters, so each one counts `len - 1` bytes less.
    wide_chars: Vec<(TextSize, u8)>,
    /// The length of the text.
    len: TextSize,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![TextSize::new(0)];
        let mut wide_chars = Vec::new();
        for (offset, c) in text.char_indices() {
            if c == '\n' {
                line_starts.push(TextSize::new(offset as u32 + 1));
            } else if c.len_utf8() > 1 {
                wide_chars.push((TextSize::new(offset as u32), c.len_utf8() as u8));
            }
        }
        LineIndex { line_starts, wide_chars, len: TextSize::of(text) }
    }

    /// The number of lines (a text ending in `\n` has an empty last line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 1-based line and column of `offset` (clamped to the text; offsets inside a
    /// multi-byte character map to that character).
    pub fn line_col(&self, offset: TextSize) -> LineCol {
        let mut offset = offset.min(self.len);
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let mut narrower = 0;
        for &(at, len) in self.wide_chars_between(start, offset) {
            if offset < at + TextSize::from(u32::from(len)) {
                // Inside this character: it is the one.
                offset = at;
                break;
            }
            narrower += u32::from(len) - 1;
        }
        let col = u32::from(offset - start) - narrower;
        LineCol { line: line as u32 + 1, col: col + 1 }
    }

    /// The offset of a 1-based line and column, if it lies inside the text (the column
    /// after a line's last character, its line break, is inside).
    pub fn offset(&self, line_col: LineCol) -> Option<TextSize> {
        let line = usize::try_from(line_col.line.checked_sub(1)?).ok()?;
        let start = *self.line_starts.get(line)?;
        let end = self.line_starts.get(line + 1).copied().unwrap_or(self.len);
        let mut chars_left = line_col.col.checked_sub(1)?;
        let mut at = start;
        for &(wide, len) in self.wide_chars_between(start, end) {
            let narrow = u32::from(wide - at);
            if chars_left <= narrow {
                return Some(at + TextSize::new(chars_left));
            }
            chars_left -= narrow + 1;
            at = wide + TextSize::from(u32::from(len));
        }
        (chars_left <= u32::from(end - at)).then(|| at + TextSize::new(chars_left))
    }

    /// The text range of a whole 1-based line, without its line break.
    pub fn line_range(&self, line: u32) -> Option<TextRange> {
        let index = usize::try_from(line.checked_sub(1)?).ok()?;
        let start = *self.line_starts.get(index)?;
        let end = match self.line_starts.get(index + 1) {
            Some(&next) => next - TextSize::new(1),
            None => self.len,
        };
        Some(TextRange::new(start, end))
    }

    /// The wide characters that start in `start..end`.
    fn wide_chars_between(&self, start: TextSize, end: TextSize) -> &[(TextSize, u8)] {
        let from = self.wide_chars.partition_point(|&(at, _)| at < start);
        let to = self.wide_chars.partition_point(|&(at, _)| at < end);
        &self.wide_chars[from..to]
    }
}
