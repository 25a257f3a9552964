//! The requests, each a function from a snapshot of the program and the request's
//! parameters to its result. They run on worker threads; `Cancelled` means the program
//! changed under them.

use std::collections::HashMap;
use std::sync::Arc;

use lsp_types as lsp;
use vex::Severity;
use vex::ide::{Analysis, Cancellable, CompletionKind, FileRange, SymbolKind};
use vex::syntax::TextRange;

use super::convert::{Encoding, LineMap, Paths, location};

/// What a request is answered from.
pub struct Snapshot {
    pub analysis: Analysis,
    pub paths: Arc<Paths>,
    pub encoding: Encoding,
}

/// Why a request got no result.
pub enum Failure {
    /// The program changed while answering.
    Cancelled,
    /// The request cannot be answered as asked (shown to the user).
    Refused(String),
}

impl From<vex::ide::Cancelled> for Failure {
    fn from(_: vex::ide::Cancelled) -> Failure {
        Failure::Cancelled
    }
}

type Answer<T> = Result<T, Failure>;

impl Snapshot {
    /// The path and line map of a document, for a request about it.
    fn document(&self, uri: &lsp::Uri) -> Answer<(String, Arc<vex::syntax::LineIndex>)> {
        let path = self
            .paths
            .known_path(uri)
            .ok_or_else(|| Failure::Refused(format!("unknown document {}", uri.as_str())))?
            .to_owned();
        let index = self
            .analysis
            .line_index(&path)?
            .ok_or_else(|| Failure::Refused(format!("unknown document {}", uri.as_str())))?;
        Ok((path, index))
    }

    fn map<'a>(&'a self, path: &str, index: &'a vex::syntax::LineIndex) -> LineMap<'a> {
        let text = self.analysis.file_text(path).unwrap_or_default();
        LineMap { text, index, encoding: self.encoding }
    }

    fn location(&self, at: &FileRange) -> Option<lsp::Location> {
        location(&self.paths, &self.analysis, self.encoding, at)
    }
}

pub fn hover(s: &Snapshot, params: lsp::HoverParams) -> Answer<Option<lsp::Hover>> {
    let at = params.text_document_position_params;
    let (path, index) = s.document(&at.text_document.uri)?;
    let map = s.map(&path, &index);
    let Some(hover) = s.analysis.hover(&path, map.offset(at.position))? else { return Ok(None) };
    Ok(Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: hover.markdown,
        }),
        range: Some(map.range(hover.range)),
    }))
}

pub fn definition(
    s: &Snapshot,
    params: lsp::GotoDefinitionParams,
) -> Answer<Option<lsp::GotoDefinitionResponse>> {
    let at = params.text_document_position_params;
    let (path, index) = s.document(&at.text_document.uri)?;
    let offset = s.map(&path, &index).offset(at.position);
    let locations: Vec<lsp::Location> = s
        .analysis
        .definition(&path, offset)?
        .into_iter()
        .filter_map(|t| s.location(&FileRange { path: t.path, range: t.focus_range }))
        .collect();
    Ok((!locations.is_empty()).then_some(lsp::GotoDefinitionResponse::Array(locations)))
}

pub fn references(
    s: &Snapshot,
    params: lsp::ReferenceParams,
) -> Answer<Option<Vec<lsp::Location>>> {
    let at = params.text_document_position;
    let (path, index) = s.document(&at.text_document.uri)?;
    let offset = s.map(&path, &index).offset(at.position);
    let include = params.context.include_declaration;
    let found = s.analysis.references(&path, offset, include)?;
    Ok(Some(found.iter().filter_map(|r| s.location(r)).collect()))
}

pub fn rename(s: &Snapshot, params: lsp::RenameParams) -> Answer<Option<lsp::WorkspaceEdit>> {
    let at = params.text_document_position;
    let (path, index) = s.document(&at.text_document.uri)?;
    let offset = s.map(&path, &index).offset(at.position);
    let files = s.analysis.rename(&path, offset, &params.new_name)?;
    let files = files.map_err(|e| Failure::Refused(e.to_string()))?;
    // The protocol's type keys the edits by URI; a URI is never mutated while a key.
    #[allow(clippy::mutable_key_type)]
    let mut changes = HashMap::new();
    for file in files {
        let Some(index) = s.analysis.line_index(&file.path)? else { continue };
        let map = s.map(&file.path, &index);
        let Some(uri) = s.paths.uri(&file.path) else { continue };
        let edits = file
            .edits
            .iter()
            .map(|e| lsp::TextEdit { range: map.range(e.range), new_text: e.insert.clone() })
            .collect();
        changes.insert(uri, edits);
    }
    Ok(Some(lsp::WorkspaceEdit { changes: Some(changes), ..Default::default() }))
}

pub fn document_symbols(
    s: &Snapshot,
    params: lsp::DocumentSymbolParams,
) -> Answer<Option<lsp::DocumentSymbolResponse>> {
    let (path, index) = s.document(&params.text_document.uri)?;
    let map = s.map(&path, &index);
    #[allow(deprecated)] // `deprecated` is a required field of the protocol's struct.
    fn convert(map: &LineMap<'_>, symbol: vex::ide::Symbol) -> lsp::DocumentSymbol {
        lsp::DocumentSymbol {
            name: symbol.name,
            detail: symbol.detail,
            kind: symbol_kind(symbol.kind),
            tags: None,
            deprecated: None,
            range: map.range(symbol.range),
            selection_range: map.range(symbol.selection_range),
            children: (!symbol.children.is_empty())
                .then(|| symbol.children.into_iter().map(|c| convert(map, c)).collect()),
        }
    }
    let symbols = s.analysis.symbols(&path)?.into_iter().map(|sym| convert(&map, sym)).collect();
    Ok(Some(lsp::DocumentSymbolResponse::Nested(symbols)))
}

fn symbol_kind(kind: SymbolKind) -> lsp::SymbolKind {
    match kind {
        SymbolKind::Function => lsp::SymbolKind::FUNCTION,
        SymbolKind::Method => lsp::SymbolKind::METHOD,
        SymbolKind::Struct => lsp::SymbolKind::STRUCT,
        SymbolKind::Field => lsp::SymbolKind::FIELD,
        SymbolKind::Enum => lsp::SymbolKind::ENUM,
        SymbolKind::Variant => lsp::SymbolKind::ENUM_MEMBER,
        SymbolKind::Const => lsp::SymbolKind::CONSTANT,
        SymbolKind::Extern => lsp::SymbolKind::FUNCTION,
        _ => lsp::SymbolKind::OBJECT,
    }
}

pub fn completion(
    s: &Snapshot,
    params: lsp::CompletionParams,
) -> Answer<Option<lsp::CompletionResponse>> {
    let at = params.text_document_position;
    let (path, index) = s.document(&at.text_document.uri)?;
    let offset = s.map(&path, &index).offset(at.position);
    let items = s
        .analysis
        .completions(&path, offset)?
        .into_iter()
        .enumerate()
        .map(|(i, c)| lsp::CompletionItem {
            label: c.label,
            kind: Some(completion_kind(c.kind)),
            detail: c.detail,
            // Keep the library's order (locals first, keywords last).
            sort_text: Some(format!("{i:05}")),
            ..Default::default()
        })
        .collect();
    Ok(Some(lsp::CompletionResponse::Array(items)))
}

fn completion_kind(kind: CompletionKind) -> lsp::CompletionItemKind {
    match kind {
        CompletionKind::Local => lsp::CompletionItemKind::VARIABLE,
        CompletionKind::Field => lsp::CompletionItemKind::FIELD,
        CompletionKind::Method => lsp::CompletionItemKind::METHOD,
        CompletionKind::Variant => lsp::CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Function | CompletionKind::Extern | CompletionKind::Builtin => {
            lsp::CompletionItemKind::FUNCTION
        }
        CompletionKind::Struct => lsp::CompletionItemKind::STRUCT,
        CompletionKind::Enum => lsp::CompletionItemKind::ENUM,
        CompletionKind::Const => lsp::CompletionItemKind::CONSTANT,
        CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
        _ => lsp::CompletionItemKind::TEXT,
    }
}

pub fn formatting(
    s: &Snapshot,
    params: lsp::DocumentFormattingParams,
) -> Answer<Option<Vec<lsp::TextEdit>>> {
    let (path, index) = s.document(&params.text_document.uri)?;
    let map = s.map(&path, &index);
    let Some(formatted) = s.analysis.format(&path)? else {
        // Syntax errors: nothing is changed, the diagnostics say why.
        return Ok(None);
    };
    if formatted == map.text {
        return Ok(Some(Vec::new()));
    }
    let whole = TextRange::up_to(vex::syntax::TextSize::of(map.text));
    Ok(Some(vec![lsp::TextEdit { range: map.range(whole), new_text: formatted }]))
}

pub fn code_actions(
    s: &Snapshot,
    params: lsp::CodeActionParams,
) -> Answer<Option<lsp::CodeActionResponse>> {
    let uri = params.text_document.uri;
    let (path, index) = s.document(&uri)?;
    let map = s.map(&path, &index);
    let wanted = map.text_range(params.range);
    let mut actions = Vec::new();
    for diagnostic in s.analysis.diagnostics(&path)? {
        if diagnostic.fixes.is_empty() || !touches(diagnostic.range, wanted) {
            continue;
        }
        let converted = to_lsp_diagnostic(&s.paths, &path, &map, &diagnostic);
        for fix in &diagnostic.fixes {
            let edits = fix
                .edits
                .iter()
                .map(|e| lsp::TextEdit { range: map.range(e.range), new_text: e.insert.clone() })
                .collect();
            actions.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: capitalise(&fix.message),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![converted.clone()]),
                edit: Some(lsp::WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..Default::default()
                }),
                is_preferred: Some(diagnostic.fixes.len() == 1),
                ..Default::default()
            }));
        }
    }
    Ok(Some(actions))
}

/// Whether two ranges overlap or touch (a cursor at either end of a span is on it).
fn touches(a: TextRange, b: TextRange) -> bool {
    a.start() <= b.end() && b.start() <= a.end()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The protocol form of a diagnostic: notes and `help:` lines follow the message,
/// labels become related information.
pub fn to_lsp_diagnostic(
    paths: &Paths,
    path: &str,
    map: &LineMap<'_>,
    d: &vex::Diagnostic,
) -> lsp::Diagnostic {
    let mut message = d.message.clone();
    for note in &d.notes {
        message.push('\n');
        message.push_str(note);
    }
    for fix in &d.fixes {
        message.push_str("\nhelp: ");
        message.push_str(&fix.message);
    }
    let related = paths.uri(path).map(|uri| {
        d.labels
            .iter()
            .map(|label| lsp::DiagnosticRelatedInformation {
                location: lsp::Location { uri: uri.clone(), range: map.range(label.range) },
                message: label.message.clone(),
            })
            .collect::<Vec<_>>()
    });
    lsp::Diagnostic {
        range: map.range(d.range),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            _ => lsp::DiagnosticSeverity::WARNING,
        }),
        code: d.code.map(|c| lsp::NumberOrString::String(c.to_string())),
        source: Some("vex".to_owned()),
        message,
        related_information: related.filter(|r| !r.is_empty()),
        ..Default::default()
    }
}

/// The diagnostics of the document at `path`, for `textDocument/publishDiagnostics`.
pub fn publish_diagnostics(
    s: &Snapshot,
    path: &str,
    version: Option<i32>,
) -> Cancellable<Option<lsp::PublishDiagnosticsParams>> {
    let Some(index) = s.analysis.line_index(path)? else { return Ok(None) };
    let map = s.map(path, &index);
    let diagnostics = s.analysis.diagnostics(path)?;
    let Some(uri) = s.paths.uri(path) else { return Ok(None) };
    let diagnostics =
        diagnostics.iter().map(|d| to_lsp_diagnostic(&s.paths, path, &map, d)).collect();
    Ok(Some(lsp::PublishDiagnosticsParams { uri, diagnostics, version }))
}
