//! `vex lsp`: a language server over stdio, built on `vex::ide`.
//!
//! The main loop owns the [`Compiler`] and applies every change the client sends (open,
//! incremental edits, close) in order. Each request is answered on a thread of its own
//! from an [`Analysis`](vex::ide::Analysis) snapshot; the next change cancels the
//! snapshots still working (salsa's cancellation), whose requests are answered with
//! `ContentModified` so the client asks again, never with stale data. A panic while
//! answering is an `InternalError` response: the server runs on.
//!
//! After each change the diagnostics of the changed document, then of the other open
//! documents (a changed signature can break them), are published from a snapshot.
//!
//! When the client names a workspace folder, every `.vx` file under it joins the
//! program (the files of a program share one namespace); open documents take the
//! editor's text instead of the disk's.

mod convert;
mod handlers;

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use vex::Compiler;

use convert::{Encoding, LineMap, Paths};
use handlers::{Failure, Snapshot};

/// At most this many `.vx` files are read from the workspace folder.
const MAX_WORKSPACE_FILES: usize = 20_000;

/// Runs the server on stdin/stdout until the client says `exit`.
pub fn run() -> ExitCode {
    let (connection, io_threads) = Connection::stdio();
    let status = match serve(&connection) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("vex lsp: {message}");
            ExitCode::FAILURE
        }
    };
    drop(connection);
    let _ = io_threads.join();
    status
}

fn serve(connection: &Connection) -> Result<(), String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: lsp::InitializeParams =
        serde_json::from_value(params).map_err(|e| format!("bad initialize request: {e}"))?;
    let encoding = negotiate_encoding(&params);
    let capabilities = capabilities(encoding);
    let result = lsp::InitializeResult {
        capabilities,
        server_info: Some(lsp::ServerInfo {
            name: "vex".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    let result = serde_json::to_value(result).map_err(|e| e.to_string())?;
    connection.initialize_finish(id, result).map_err(|e| e.to_string())?;

    let mut server = Server {
        sender: connection.sender.clone(),
        compiler: Compiler::new(),
        paths: Arc::new(Paths::default()),
        open: HashMap::new(),
        encoding,
    };
    if let Some(root) = workspace_root(&params) {
        server.load_workspace(&root);
    }
    if can_watch_files(&params) {
        server.watch_files();
    }
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request).map_err(|e| e.to_string())? {
                    return Ok(());
                }
                server.request(request);
            }
            Message::Notification(notification) => {
                if notification.method == lsp::notification::Exit::METHOD {
                    return Ok(());
                }
                server.notification(notification);
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// UTF-8 columns if the client accepts them (no conversion), else UTF-16.
fn negotiate_encoding(params: &lsp::InitializeParams) -> Encoding {
    let offered = params.capabilities.general.as_ref().and_then(|g| g.position_encodings.as_ref());
    if offered.is_some_and(|o| o.contains(&lsp::PositionEncodingKind::UTF8)) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

fn capabilities(encoding: Encoding) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![".".to_owned(), "$".to_owned()]),
            ..Default::default()
        }),
        rename_provider: Some(lsp::OneOf::Left(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                ..Default::default()
            },
        )),
        ..Default::default()
    }
}

/// Whether the client watches files for us when asked (`client/registerCapability`).
fn can_watch_files(params: &lsp::InitializeParams) -> bool {
    let workspace = params.capabilities.workspace.as_ref();
    let watched = workspace.and_then(|w| w.did_change_watched_files.as_ref());
    watched.and_then(|w| w.dynamic_registration).unwrap_or(false)
}

fn workspace_root(params: &lsp::InitializeParams) -> Option<String> {
    let folder = params.workspace_folders.as_ref().and_then(|f| f.first()).map(|f| &f.uri);
    #[allow(deprecated)] // Older clients send only `rootUri`.
    let uri = folder.or(params.root_uri.as_ref())?;
    (uri.scheme().map(|s| s.as_str()) == Some("file"))
        .then(|| uri.path().as_estr().decode().into_string_lossy().into_owned())
}

struct Server {
    sender: crossbeam_channel::Sender<Message>,
    compiler: Compiler,
    /// Shared with the snapshots; copied on write when a new document appears.
    paths: Arc<Paths>,
    /// The open documents by path, with their versions.
    open: HashMap<String, i32>,
    encoding: Encoding,
}

impl Server {
    /// Adds every `.vx` file under `root` to the program.
    fn load_workspace(&mut self, root: &str) {
        let mut stack = vec![Path::new(root).to_path_buf()];
        let mut count = 0;
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.') || name == "target" {
                    continue;
                }
                let Ok(kind) = entry.file_type() else { continue };
                if kind.is_dir() {
                    stack.push(path);
                } else if name.ends_with(".vx")
                    && count < MAX_WORKSPACE_FILES
                    && let (Ok(text), Some(path)) = (std::fs::read_to_string(&path), path.to_str())
                {
                    self.compiler.set_file(path, text);
                    count += 1;
                }
            }
        }
    }

    /// Asks the client to report changes of `.vx` files on disk
    /// (`workspace/didChangeWatchedFiles`), so closed files stay current.
    fn watch_files(&self) {
        let options = lsp::DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String("**/*.vx".to_owned()),
                kind: None,
            }],
        };
        let registration = lsp::Registration {
            id: "vex-watch-files".to_owned(),
            method: lsp::notification::DidChangeWatchedFiles::METHOD.to_owned(),
            register_options: serde_json::to_value(options).ok(),
        };
        let params = lsp::RegistrationParams { registrations: vec![registration] };
        let method = <lsp::request::RegisterCapability as lsp::request::Request>::METHOD;
        let request =
            Request::new(RequestId::from("vex-watch-files".to_owned()), method.to_owned(), params);
        let _ = self.sender.send(request.into());
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            analysis: self.compiler.analysis(),
            paths: Arc::clone(&self.paths),
            encoding: self.encoding,
        }
    }

    fn request(&mut self, request: Request) {
        use lsp::request::*;
        match request.method.as_str() {
            HoverRequest::METHOD => self.spawn::<HoverRequest>(request, handlers::hover),
            GotoDefinition::METHOD => self.spawn::<GotoDefinition>(request, handlers::definition),
            References::METHOD => self.spawn::<References>(request, handlers::references),
            Rename::METHOD => self.spawn::<Rename>(request, handlers::rename),
            DocumentSymbolRequest::METHOD => {
                self.spawn::<DocumentSymbolRequest>(request, handlers::document_symbols)
            }
            Completion::METHOD => self.spawn::<Completion>(request, handlers::completion),
            Formatting::METHOD => self.spawn::<Formatting>(request, handlers::formatting),
            CodeActionRequest::METHOD => {
                self.spawn::<CodeActionRequest>(request, handlers::code_actions)
            }
            // For tests: a request whose handler panics, to show that the server answers
            // it with an error and runs on.
            "vex/panic" => self.spawn::<PanicRequest>(request, |_, ()| panic!("asked to panic")),
            _ => self.respond(Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("unknown request {}", request.method),
            )),
        }
    }

    /// Answers `request` with `handler` on a thread of its own.
    fn spawn<R>(
        &self,
        request: Request,
        handler: fn(&Snapshot, R::Params) -> Result<R::Result, Failure>,
    ) where
        R: lsp::request::Request,
        R::Params: DeserializeOwned + Send + 'static,
        R::Result: Serialize,
    {
        let id = request.id.clone();
        let params: R::Params = match serde_json::from_value(request.params) {
            Ok(params) => params,
            Err(e) => {
                let message = format!("bad parameters for {}: {e}", request.method);
                return self.respond(Response::new_err(
                    id,
                    ErrorCode::InvalidParams as i32,
                    message,
                ));
            }
        };
        let snapshot = self.snapshot();
        let sender = self.sender.clone();
        let spawned =
            std::thread::Builder::new().name(format!("vex-lsp {}", R::METHOD)).spawn(move || {
                let response = answer(id, &snapshot, params, handler);
                let _ = sender.send(response.into());
                // The snapshot is dropped only now, after the answer is sent: a change
                // waits for it, so an answer never arrives after the change it predates.
                drop(snapshot);
            });
        if let Err(e) = spawned {
            eprintln!("vex lsp: cannot start a thread for {}: {e}", R::METHOD);
        }
    }

    fn respond(&self, response: Response) {
        let _ = self.sender.send(response.into());
    }

    fn notify<N: lsp::notification::Notification>(&self, params: N::Params) {
        let _ = self.sender.send(Notification::new(N::METHOD.to_owned(), params).into());
    }

    fn notification(&mut self, notification: Notification) {
        use lsp::notification::*;
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(params) = parse::<DidOpenTextDocument>(notification) else { return };
                let document = params.text_document;
                let path = self.path_of(&document.uri);
                self.open.insert(path.clone(), document.version);
                self.compiler.set_file(path.clone(), document.text);
                // Pay for the file becoming low-durable now rather than on the first
                // keystroke (see `Compiler::open_for_editing`).
                self.compiler.open_for_editing(&path);
                self.publish_after_change(path);
            }
            DidChangeTextDocument::METHOD => {
                let Ok(params) = parse::<DidChangeTextDocument>(notification) else { return };
                let path = self.path_of(&params.text_document.uri);
                let Some(mut text) = self.compiler.file_text(&path).map(str::to_owned) else {
                    return;
                };
                for change in params.content_changes {
                    apply_change(&mut text, change, self.encoding);
                }
                self.open.insert(path.clone(), params.text_document.version);
                self.compiler.set_file(path.clone(), text);
                self.publish_after_change(path);
            }
            DidCloseTextDocument::METHOD => {
                let Ok(params) = parse::<DidCloseTextDocument>(notification) else { return };
                let path = self.path_of(&params.text_document.uri);
                self.open.remove(&path);
                // The file goes back to what the disk says, or leaves the program.
                match std::fs::read_to_string(&path) {
                    Ok(text) => self.compiler.set_file(path, text),
                    Err(_) => {
                        self.compiler.remove_file(&path);
                    }
                }
                self.notify::<PublishDiagnostics>(lsp::PublishDiagnosticsParams {
                    uri: params.text_document.uri,
                    diagnostics: Vec::new(),
                    version: None,
                });
            }
            DidChangeWatchedFiles::METHOD => {
                let Ok(params) = parse::<DidChangeWatchedFiles>(notification) else { return };
                let mut changed = None;
                for event in params.changes {
                    let path = self.path_of(&event.uri);
                    if !path.ends_with(".vx") || self.open.contains_key(&path) {
                        // An open document is what the editor says, not the disk.
                        continue;
                    }
                    match std::fs::read_to_string(&path) {
                        Ok(text) if event.typ != lsp::FileChangeType::DELETED => {
                            self.compiler.set_file(path.clone(), text)
                        }
                        _ => {
                            self.compiler.remove_file(&path);
                        }
                    }
                    changed = Some(path);
                }
                if let Some(path) = changed {
                    self.publish_after_change(path);
                }
            }
            _ => {}
        }
    }

    /// The path of a document, remembering its URI.
    fn path_of(&mut self, uri: &lsp::Uri) -> String {
        if let Some(path) = self.paths.known_path(uri) {
            return path.to_owned();
        }
        Arc::make_mut(&mut self.paths).path(uri)
    }

    /// Publishes the diagnostics of `changed`, then of the other open documents, from a
    /// snapshot on a thread of its own (dropped silently if the next change cancels it).
    fn publish_after_change(&self, changed: String) {
        let snapshot = self.snapshot();
        let sender = self.sender.clone();
        let mut documents: Vec<(String, i32)> =
            self.open.iter().map(|(p, v)| (p.clone(), *v)).collect();
        documents.sort_by_key(|(p, _)| *p != changed);
        let spawned =
            std::thread::Builder::new().name("vex-lsp diagnostics".into()).spawn(move || {
                for (path, version) in documents {
                    let published = catch_unwind(AssertUnwindSafe(|| {
                        handlers::publish_diagnostics(&snapshot, &path, Some(version))
                    }));
                    match published {
                        Ok(Ok(Some(params))) => {
                            let method = lsp::notification::PublishDiagnostics::METHOD;
                            let _ =
                                sender.send(Notification::new(method.to_owned(), params).into());
                        }
                        Ok(Ok(None)) => {}
                        Ok(Err(_cancelled)) => return,
                        Err(_panic) => {
                            eprintln!("vex lsp: computing diagnostics of {path} panicked")
                        }
                    }
                }
                drop(snapshot);
            });
        if let Err(e) = spawned {
            eprintln!("vex lsp: cannot start a thread for diagnostics: {e}");
        }
    }
}

/// `vex/panic`: see [`Server::request`].
enum PanicRequest {}

impl lsp::request::Request for PanicRequest {
    type Params = ();
    type Result = ();
    const METHOD: &'static str = "vex/panic";
}

/// The response to one request: its result, `ContentModified` when the program changed
/// under it, `RequestFailed` when it was refused, `InternalError` when it panicked.
fn answer<P, T: Serialize>(
    id: RequestId,
    snapshot: &Snapshot,
    params: P,
    handler: fn(&Snapshot, P) -> Result<T, Failure>,
) -> Response {
    match catch_unwind(AssertUnwindSafe(|| handler(snapshot, params))) {
        Ok(Ok(result)) => Response::new_ok(id, result),
        Ok(Err(Failure::Cancelled)) => Response::new_err(
            id,
            ErrorCode::ContentModified as i32,
            "the program changed; ask again".to_owned(),
        ),
        Ok(Err(Failure::Refused(message))) => {
            Response::new_err(id, ErrorCode::RequestFailed as i32, message)
        }
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("vex lsp panicked while answering: {message}"),
            )
        }
    }
}

fn parse<N: lsp::notification::Notification>(notification: Notification) -> Result<N::Params, ()>
where
    N::Params: DeserializeOwned,
{
    notification.extract(N::METHOD).map_err(|e| eprintln!("vex lsp: bad {}: {e:?}", N::METHOD))
}

/// Applies one change of `didChange` to `text`: a range edit, or the whole text.
fn apply_change(
    text: &mut String,
    change: lsp::TextDocumentContentChangeEvent,
    encoding: Encoding,
) {
    match change.range {
        Some(range) => {
            let index = vex::syntax::LineIndex::new(text);
            let map = LineMap { text, index: &index, encoding };
            let range = map.text_range(range);
            text.replace_range(std::ops::Range::<usize>::from(range), &change.text);
        }
        None => *text = change.text,
    }
}
