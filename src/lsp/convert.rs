//! Between the library's byte offsets and paths and the protocol's lines, columns
//! (UTF-16 code units unless the client accepts UTF-8) and URIs.

use std::collections::HashMap;
use std::str::FromStr;

use lsp_types as lsp;
use vex::ide::FileRange;
use vex::syntax::{LineIndex, TextRange, TextSize};

/// How the client counts columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 code units (bytes): our own offsets.
    Utf8,
    /// UTF-16 code units: the protocol's default.
    Utf16,
}

/// A file's text and line table, for converting positions.
pub struct LineMap<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub encoding: Encoding,
}

impl LineMap<'_> {
    /// The protocol position of `offset`.
    pub fn position(&self, offset: TextSize) -> lsp::Position {
        let offset = offset.min(TextSize::of(self.text));
        let line = self.index.line_col(offset).line;
        let start = self.index.line_range(line).map_or(TextSize::new(0), |r| r.start());
        let before = &self.text[usize::from(start)..floor_char(self.text, offset)];
        let character = match self.encoding {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.encode_utf16().count(),
        };
        lsp::Position { line: line - 1, character: character as u32 }
    }

    /// The protocol range of `range`.
    pub fn range(&self, range: TextRange) -> lsp::Range {
        lsp::Range { start: self.position(range.start()), end: self.position(range.end()) }
    }

    /// The offset of a protocol position: a column past the end of its line means the
    /// line's end, a line past the end of the text means the text's end (as the
    /// protocol asks).
    pub fn offset(&self, position: lsp::Position) -> TextSize {
        let Some(line) = self.index.line_range(position.line + 1) else {
            return TextSize::of(self.text);
        };
        let text = &self.text[line];
        let mut units = 0u32;
        for (i, c) in text.char_indices() {
            if units >= position.character {
                return line.start() + TextSize::new(i as u32);
            }
            units += match self.encoding {
                Encoding::Utf8 => c.len_utf8() as u32,
                Encoding::Utf16 => c.len_utf16() as u32,
            };
        }
        line.end()
    }

    /// The byte range of a protocol range.
    pub fn text_range(&self, range: lsp::Range) -> TextRange {
        let start = self.offset(range.start);
        let end = self.offset(range.end).max(start);
        TextRange::new(start, end)
    }
}

fn floor_char(text: &str, offset: TextSize) -> usize {
    let mut at = usize::from(offset);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The program's paths and the URIs the client knows them by.
#[derive(Default, Clone)]
pub struct Paths {
    to_path: HashMap<String, String>,
    to_uri: HashMap<String, lsp::Uri>,
}

impl Paths {
    /// The path a document is kept under: its file system path for `file:` URIs (so
    /// that it is the same file as the one read from the workspace), else the URI.
    pub fn path(&mut self, uri: &lsp::Uri) -> String {
        if let Some(path) = self.to_path.get(uri.as_str()) {
            return path.clone();
        }
        let path = match uri.scheme().map(|s| s.as_str()) {
            Some("file") => uri.path().as_estr().decode().into_string_lossy().into_owned(),
            _ => uri.as_str().to_owned(),
        };
        self.to_path.insert(uri.as_str().to_owned(), path.clone());
        self.to_uri.insert(path.clone(), uri.clone());
        path
    }

    /// The URI of a path: the client's own if it sent one, else a `file:` URI.
    pub fn uri(&self, path: &str) -> Option<lsp::Uri> {
        if let Some(uri) = self.to_uri.get(path) {
            return Some(uri.clone());
        }
        lsp::Uri::from_str(&file_uri(path)).ok()
    }

    /// The path of a URI the client sent before (or its file path).
    pub fn known_path(&self, uri: &lsp::Uri) -> Option<&str> {
        self.to_path.get(uri.as_str()).map(String::as_str)
    }
}

/// A `file:` URI for an absolute path, with every byte outside the unreserved set and
/// `/` percent-encoded.
pub fn file_uri(path: &str) -> String {
    let mut out = String::from("file://");
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A location of the protocol.
pub fn location(
    paths: &Paths,
    analysis: &vex::ide::Analysis,
    encoding: Encoding,
    at: &FileRange,
) -> Option<lsp::Location> {
    let text = analysis.file_text(&at.path)?;
    let index = analysis.line_index(&at.path).ok()??;
    let map = LineMap { text, index: &index, encoding };
    Some(lsp::Location { uri: paths.uri(&at.path)?, range: map.range(at.range) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_in_both_encodings() {
        let text = "fn main() {\n    println(\"h€llo 😀\")\n}\n";
        let index = LineIndex::new(text);
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let map = LineMap { text, index: &index, encoding };
            for (offset, _) in text.char_indices() {
                let offset = TextSize::new(offset as u32);
                assert_eq!(map.offset(map.position(offset)), offset, "{encoding:?} at {offset:?}");
            }
        }
        let map = LineMap { text, index: &index, encoding: Encoding::Utf16 };
        let quote = TextSize::new(text.find("\")").unwrap() as u32);
        // "    println("h€llo 😀" is 21 UTF-16 units: € is one, 😀 two.
        assert_eq!(map.position(quote), lsp::Position { line: 1, character: 21 });
        // Past the end of a line, past the end of the text.
        assert_eq!(map.offset(lsp::Position { line: 0, character: 99 }), TextSize::new(11));
        assert_eq!(map.offset(lsp::Position { line: 9, character: 0 }), TextSize::of(text));
    }

    #[test]
    fn file_uris_encode_what_they_must() {
        assert_eq!(file_uri("/tmp/a b/ü.vx"), "file:///tmp/a%20b/%C3%BC.vx");
        let mut paths = Paths::default();
        let uri = lsp::Uri::from_str("file:///tmp/a%20b/%C3%BC.vx").unwrap();
        assert_eq!(paths.path(&uri), "/tmp/a b/ü.vx");
        assert_eq!(paths.uri("/tmp/a b/ü.vx").unwrap(), uri);
    }
}
