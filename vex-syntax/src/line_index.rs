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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    text: String,
    line_starts: Vec<TextSize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![TextSize::new(0)];
        for (offset, byte) in text.bytes().enumerate() {
            if byte == b'\n' {
                line_starts.push(TextSize::new(offset as u32 + 1));
            }
        }
        LineIndex { text: text.to_string(), line_starts }
    }

    /// The number of lines (a text ending in `\n` has an empty last line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 1-based line and column of `offset` (clamped to the text; offsets inside a
    /// multi-byte character map to that character).
    pub fn line_col(&self, offset: TextSize) -> LineCol {
        let offset = offset.min(TextSize::of(self.text.as_str()));
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = usize::from(self.line_starts[line]);
        let mut end = usize::from(offset);
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.text[start..end].chars().count();
        LineCol { line: line as u32 + 1, col: col as u32 + 1 }
    }

    /// The offset of a 1-based line and column, if it lies inside the text.
    pub fn offset(&self, line_col: LineCol) -> Option<TextSize> {
        let line = usize::try_from(line_col.line.checked_sub(1)?).ok()?;
        let start = usize::from(*self.line_starts.get(line)?);
        let end = self.line_starts.get(line + 1).map_or(self.text.len(), |&end| usize::from(end));
        let skip = usize::try_from(line_col.col.checked_sub(1)?).ok()?;
        let mut chars = self.text[start..end].char_indices();
        let within = match chars.nth(skip) {
            Some((within, _)) => within,
            None if self.text[start..end].chars().count() == skip => end - start,
            None => return None,
        };
        Some(TextSize::new((start + within) as u32))
    }

    /// The text range of a whole 1-based line, without its line break.
    pub fn line_range(&self, line: u32) -> Option<TextRange> {
        let index = usize::try_from(line.checked_sub(1)?).ok()?;
        let start = *self.line_starts.get(index)?;
        let end = match self.line_starts.get(index + 1) {
            Some(&next) => next - TextSize::new(1),
            None => TextSize::of(self.text.as_str()),
        };
        Some(TextRange::new(start, end))
    }
}
