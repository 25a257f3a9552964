//! `cargo xtask api [--update]`: the public API of the crate `vex` (its lib, default
//! features) against the checked-in listing `api/vex.txt`, so that a change of the API
//! is always a deliberate one.
//!
//! How: `cargo rustdoc --output-format json` documents `vex` and the workspace crates it
//! re-exports from (stable toolchain with `RUSTC_BOOTSTRAP=1`, into its own target dir,
//! `<target>/api`, so it never waits for the main build's lock). That JSON is turned into
//! a listing, one line per item, of everything reachable by path from `vex`:
//!
//! - modules, functions and methods with their full signatures (generics, bounds, where
//!   clauses), constants, statics, type aliases, macros;
//! - structs with their public fields (`{ .. }`: it also has private fields), enums with
//!   their variants, `#[non_exhaustive]` and `#[repr]` where present;
//! - traits with their items (`(provided)`: the method has a default body) and their
//!   impls for types outside the listing (`impl vex::VexType for i64`);
//! - every trait impl of a listed type that is not a blanket impl, standard and auto
//!   traits included (`impl Send for vex::Program`, `impl !Sync for ...`), with the
//!   impl's associated types (`impl Future for ... { type Output = ...; }`).
//!
//! Re-exports are resolved: an item re-exported from another workspace crate
//! (`vex::Ending` is `vex_async_lower::backend::Ending`, `vex::syntax` is the crate
//! `vex_syntax`) is listed in full under its `vex` path. An item reachable by several
//! paths is listed once, under the shortest, and each other path is a `pub use OTHER =>
//! PRIMARY` line. Items of crates outside the workspace are `pub use` lines to their
//! definition path. Types in signatures are written by their `vex` path; a workspace type
//! that has none (it leaks through a signature without being nameable) is written by its
//! path in its own crate, `vex_hir::...` (`XTASK_API_LEAKS=1 cargo xtask api` lists
//! them). Whole crates re-exported under `vex::unstable` are one line each and not
//! expanded: that module has no stability promise.
//!
//! Lines are sorted by the path of the item they belong to, then: the item, its fields or
//! variants, associated items, methods, trait impls (by trait).

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::env;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rustdoc_types::{
    Abi, Attribute, Crate, FunctionHeader, FunctionSignature, GenericArg, GenericArgs,
    GenericBound, GenericParamDef, GenericParamDefKind, Generics, Id, Impl, Item, ItemEnum,
    ItemKind, PreciseCapturingArg, ReprKind, StructKind, Term, TraitBoundModifier, Type,
    VariantKind, Visibility, WherePredicate,
};

use crate::{Result, command, project_root};

/// The checked-in listing, relative to the workspace root.
const SNAPSHOT: &str = "api/vex.txt";

/// The crate whose API is listed.
const ROOT_PACKAGE: &str = "vex";

/// Whole crates re-exported under this module are listed as one line, not expanded.
const UNSTABLE_MODULE: &str = "vex::unstable";

const HEADER: &str = "\
# The public API of the crate `vex` (lib, default features), one item per line, sorted.
# `cargo xtask api` (part of `cargo xtask test`) fails when it changes; after an intended
# change run `cargo xtask api --update` and commit this file. Format: xtask/src/api.rs.
";

/// `cargo xtask api [--update]`.
pub(crate) fn api(args: &[String]) -> Result {
    let update = match args {
        [] => false,
        [flag] if flag == "--update" => true,
        _ => return Err("usage: cargo xtask api [--update]".to_owned()),
    };
    crate::deps::ensure_all()?;
    check(update)
}

/// Compares the API with [`SNAPSHOT`] (or rewrites it when `update`).
pub(crate) fn check(update: bool) -> Result {
    let started = Instant::now();
    let listing = listing()?;
    let path = project_root().join(SNAPSHOT);
    let lines = listing.lines().count() - HEADER.lines().count();
    if update {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let unchanged = std::fs::read_to_string(&path).is_ok_and(|old| old == listing);
        std::fs::write(&path, &listing).map_err(|e| format!("{}: {e}", path.display()))?;
        let how = if unchanged { "unchanged" } else { "updated" };
        eprintln!("xtask: {SNAPSHOT} {how}: {lines} lines, in {:.1?}", started.elapsed());
        return Ok(());
    }
    let Ok(old) = std::fs::read_to_string(&path) else {
        return Err(format!("{SNAPSHOT} is missing; create it with `cargo xtask api --update`"));
    };
    if old == listing {
        eprintln!(
            "xtask: the public API of vex matches {SNAPSHOT} ({lines} lines), in {:.1?}",
            started.elapsed()
        );
        return Ok(());
    }
    print!("{}", unified_diff(&old, &listing, SNAPSHOT, "current API of vex"));
    Err(format!(
        "the public API of vex differs from {SNAPSHOT} (diff above: `-` in the file, `+` in \
         the current tree). If the change is intended, run `cargo xtask api --update` and \
         commit {SNAPSHOT}"
    ))
}

// ---------------------------------------------------------------------------------------
// rustdoc JSON

/// Builds the rustdoc JSON and returns the listing, header included.
fn listing() -> Result<String> {
    let libs = workspace_libs()?;
    let target = api_target_dir();
    let mut docs: Vec<Doc> = Vec::new();
    let mut todo = vec![ROOT_PACKAGE.to_owned()];
    while let Some(lib) = todo.pop() {
        let package = libs.get(&lib).ok_or(format!("no workspace lib `{lib}`"))?;
        let doc = Doc::load(&lib, &rustdoc_json(package, &lib, &target)?)?;
        // The workspace crates this one re-exports from are documented too.
        for item in doc.krate.index.values().filter(|i| i.crate_id == 0) {
            let ItemEnum::Use(u) = &item.inner else { continue };
            let Some(summary) = u.id.and_then(|id| doc.krate.paths.get(&id)) else { continue };
            let Some(other) = doc.krate.external_crates.get(&summary.crate_id) else { continue };
            let done = docs.iter().any(|d| d.name == other.name) || todo.contains(&other.name);
            if libs.contains_key(&other.name) && other.name != lib && !done {
                todo.push(other.name.clone());
            }
        }
        docs.push(doc);
    }
    Ok(Api::new(docs).listing())
}

/// Runs rustdoc with JSON output on one workspace lib; returns the JSON's path.
///
/// `cargo rustdoc --output-format json` rather than the same flag passed to rustdoc:
/// cargo then knows the output and does not document again when nothing changed (with
/// rustdoc's flag, cargo looks for `index.html`, never finds it, and documents every
/// time). Each crate is documented with its default features, which is what `vex`
/// enables (`workspace_libs` fails when that stops being true).
fn rustdoc_json(package: &str, lib: &str, target: &Path) -> Result<PathBuf> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    command(
        Command::new(cargo)
            .args(["rustdoc", "--quiet", "--lib", "--locked", "--package", package])
            .args(["-Z", "unstable-options", "--output-format", "json", "--target-dir"])
            .arg(target)
            // Unstable output on the stable toolchain (cargo's flag and rustdoc's).
            .env("RUSTC_BOOTSTRAP", "1")
            // Doc-link warnings are not this check's business and would drown its output.
            .env("RUSTDOCFLAGS", "-A warnings")
            .current_dir(project_root()),
    )?;
    Ok(target.join("doc").join(format!("{lib}.json")))
}

/// `<target dir>/api`: beside the main build, with its own lock.
fn api_target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => project_root().join(dir).join("api"),
        None => project_root().join("target/api"),
    }
}

/// The workspace's lib crates that `vex` depends on, directly or not: lib name
/// (`vex_syntax`) to package name (`vex-syntax`).
///
/// Fails when one of them enables a non-default feature of another (in its dependency
/// table or through its default features): the crates are documented one by one with
/// their default features, and the listing would miss that feature's items.
fn workspace_libs() -> Result<HashMap<String, String>> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let shown = "cargo metadata --format-version 1 --no-deps --locked";
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--locked"])
        .current_dir(project_root())
        .output()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{shown} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("{shown}: {e}"))?;
    let packages = meta["packages"].as_array().ok_or(format!("{shown}: no packages"))?;
    let by_name: HashMap<&str, &serde_json::Value> =
        packages.iter().filter_map(|p| Some((p["name"].as_str()?, p))).collect();
    let mut libs = HashMap::new();
    let mut queue = vec![ROOT_PACKAGE];
    let mut seen = HashSet::from([ROOT_PACKAGE]);
    while let Some(name) = queue.pop() {
        let package = by_name[name];
        let lib = package["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "lib")))
            .and_then(|t| t["name"].as_str())
            .ok_or(format!("package {name} has no lib target"))?;
        libs.insert(lib.replace('-', "_"), name.to_owned());
        let not_default = |what: String| {
            format!(
                "{name} enables {what}, but `cargo xtask api` documents each workspace crate \
                 with its default features: teach xtask/src/api.rs (`rustdoc_json`) to pass it"
            )
        };
        for dep in package["dependencies"].as_array().into_iter().flatten() {
            let dep_name = dep["name"].as_str().unwrap_or_default();
            if !by_name.contains_key(dep_name) || dep["kind"].is_string() {
                continue; // not a workspace crate, or a dev or build dependency
            }
            let features = dep["features"].as_array().map_or(0, Vec::len);
            if features > 0 || dep["uses_default_features"] == false {
                return Err(not_default(format!("non-default features of {dep_name}")));
            }
            if seen.insert(dep_name) {
                queue.push(dep_name);
            }
        }
        // The features on by default, and no `dep/feature` of a workspace crate among them.
        let table = &package["features"];
        let mut enabled = vec!["default"];
        let mut i = 0;
        while i < enabled.len() {
            for entry in table[enabled[i]].as_array().into_iter().flatten() {
                let entry = entry.as_str().unwrap_or_default();
                if let Some((dep, _)) = entry.split_once('/')
                    && by_name.contains_key(dep.trim_end_matches('?'))
                {
                    return Err(not_default(format!("the feature {entry} by default")));
                }
                if !enabled.contains(&entry) {
                    enabled.push(entry);
                }
            }
            i += 1;
        }
    }
    Ok(libs)
}

/// One crate's rustdoc JSON.
struct Doc {
    name: String,
    krate: Crate,
    /// The crate's own items by (path, kind), to resolve other crates' references.
    by_path: HashMap<(Vec<String>, ItemKind), Id>,
}

impl Doc {
    fn load(name: &str, path: &Path) -> Result<Doc> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        // Check the format version before parsing: another version fails to parse with
        // an unhelpful message. rustdoc writes it as the last field.
        let version = text
            .rfind("\"format_version\":")
            .map(|at| &text[at + "\"format_version\":".len()..])
            .map(|rest| rest.trim_start().chars().take_while(char::is_ascii_digit).collect())
            .and_then(|digits: String| digits.parse::<u32>().ok());
        if version != Some(rustdoc_types::FORMAT_VERSION) {
            // rustdoc-types 0.N reads format version N.
            let wanted = version.map_or("the release for it".to_owned(), |v| format!("\"0.{v}\""));
            return Err(format!(
                "{} is rustdoc JSON format version {}, xtask reads version {}: this toolchain \
                 changed the format; set rustdoc-types in xtask/Cargo.toml to {wanted}",
                path.display(),
                version.map_or("?".to_owned(), |v| v.to_string()),
                rustdoc_types::FORMAT_VERSION,
            ));
        }
        let krate: Crate =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let by_path = krate
            .paths
            .iter()
            .filter(|(_, summary)| summary.crate_id == 0)
            .map(|(id, summary)| ((summary.path.clone(), summary.kind), *id))
            .collect();
        Ok(Doc { name: name.to_owned(), krate, by_path })
    }
}

// ---------------------------------------------------------------------------------------
// The listing

/// An item: which crate's JSON it is in (index into `Api::docs`) and its id there.
type G = (usize, Id);

/// What one path of the API is.
enum Entry {
    /// An item listed in full under this path (its primary path).
    Item(G, String),
    /// Another path to an item listed elsewhere: (this path, primary path).
    Alias(String, String),
    /// An item outside the workspace: (this path, what it is).
    Foreign(String, String),
}

/// A line of the listing after its sort key: the owner's path (by segment), a rank (the
/// item itself, fields and variants, associated items, methods, impls), and a name (see
/// `sort_name`; the trait for impls: `impl !Sync` sorts with `impl Sync`).
type Line = (Vec<String>, u8, String, String);

struct Api {
    docs: Vec<Doc>,
    by_name: HashMap<String, usize>,
    /// Each listed item's primary path.
    public: HashMap<G, String>,
    /// The `vex` path of items outside the workspace that `vex` re-exports, by their own
    /// path (`text_size::range::TextRange` is `vex::syntax::TextRange`).
    foreign_public: HashMap<String, String>,
    /// Workspace types named in signatures that have no path in `vex`.
    leaks: RefCell<BTreeSet<String>>,
}

impl Api {
    fn new(docs: Vec<Doc>) -> Api {
        let by_name = docs.iter().enumerate().map(|(i, d)| (d.name.clone(), i)).collect();
        Api {
            docs,
            by_name,
            public: HashMap::new(),
            foreign_public: HashMap::new(),
            leaks: RefCell::new(BTreeSet::new()),
        }
    }

    fn item(&self, g: G) -> Option<&Item> {
        self.docs[g.0].krate.index.get(&g.1)
    }

    /// The item that `id` (as seen from crate `d`) is, when its JSON is loaded.
    fn resolve(&self, d: usize, id: Id) -> Option<G> {
        let krate = &self.docs[d].krate;
        if let Some(item) = krate.index.get(&id)
            && item.crate_id == 0
        {
            return Some((d, id));
        }
        let summary = krate.paths.get(&id)?;
        if summary.crate_id == 0 {
            return None;
        }
        let crate_name = &krate.external_crates.get(&summary.crate_id)?.name;
        let &other = self.by_name.get(crate_name)?;
        let found = self.docs[other].by_path.get(&(summary.path.clone(), summary.kind))?;
        Some((other, *found))
    }

    fn listing(mut self) -> String {
        let entries = self.walk();
        let mut lines: Vec<Line> = Vec::new();
        for entry in &entries {
            match entry {
                Entry::Item(g, path) => self.item_lines(*g, path, &mut lines),
                Entry::Alias(path, primary) => {
                    let text = format!("pub use {path} => {primary}");
                    lines.push((segments(path), 0, text.clone(), text));
                }
                Entry::Foreign(path, what) => {
                    let text = format!("pub use {path} => {what}");
                    lines.push((segments(path), 0, text.clone(), text));
                }
            }
        }
        lines.sort();
        lines.dedup();
        let mut out = HEADER.to_owned();
        for (_, _, _, text) in lines {
            out.push_str(&text);
            out.push('\n');
        }
        if env::var_os("XTASK_API_LEAKS").is_some() {
            for leak in self.leaks.borrow().iter() {
                eprintln!("xtask: named in the API but not reachable from vex: {leak}");
            }
        }
        out
    }

    /// Every path reachable from the root, breadth first: the first (shortest) path to an
    /// item becomes its primary path.
    fn walk(&mut self) -> Vec<Entry> {
        let root = (0, self.docs[0].krate.root);
        let mut entries = vec![Entry::Item(root, ROOT_PACKAGE.to_owned())];
        self.public.insert(root, ROOT_PACKAGE.to_owned());
        let mut queue = VecDeque::from([(root, ROOT_PACKAGE.to_owned())]);
        while let Some((module, path)) = queue.pop_front() {
            for (name, child) in self.module_children(module) {
                let child_path = format!("{path}::{name}");
                let g = match child {
                    Child::Item(g) => g,
                    Child::Foreign(what) => {
                        self.foreign_public.entry(what.clone()).or_insert(child_path.clone());
                        entries.push(Entry::Foreign(child_path, what));
                        continue;
                    }
                };
                if let Some(primary) = self.public.get(&g) {
                    if *primary != child_path {
                        entries.push(Entry::Alias(child_path, primary.clone()));
                    }
                    continue;
                }
                let Some(item) = self.item(g) else { continue };
                if let ItemEnum::Module(m) = &item.inner {
                    let unstable = child_path.starts_with(&format!("{UNSTABLE_MODULE}::"));
                    if m.is_crate && g.0 != 0 && unstable {
                        let what = format!(
                            "crate {} (not listed: {UNSTABLE_MODULE} has no stability promise)",
                            self.docs[g.0].name
                        );
                        entries.push(Entry::Foreign(child_path, what));
                        continue;
                    }
                    queue.push_back((g, child_path.clone()));
                }
                self.public.insert(g, child_path.clone());
                entries.push(Entry::Item(g, child_path));
            }
        }
        entries
    }

    /// The named public children of a module, glob re-exports expanded.
    fn module_children(&self, module: G) -> Vec<(String, Child)> {
        let Some(ItemEnum::Module(m)) = self.item(module).map(|i| &i.inner) else {
            return Vec::new();
        };
        let d = module.0;
        let krate = &self.docs[d].krate;
        let mut named = Vec::new();
        let mut globs = Vec::new();
        for id in &m.items {
            let Some(item) = krate.index.get(id) else { continue };
            match &item.inner {
                ItemEnum::Use(u) if u.is_glob => globs.push(u),
                ItemEnum::Use(u) => {
                    let child = match u.id.and_then(|id| self.resolve(d, id)) {
                        Some(g) => Child::Item(g),
                        None => Child::Foreign(match u.id {
                            Some(id) => self.foreign_path(d, id).unwrap_or(u.source.clone()),
                            None => u.source.clone(),
                        }),
                    };
                    named.push((u.name.clone(), child));
                }
                ItemEnum::Impl(_) | ItemEnum::Primitive(_) => {}
                ItemEnum::ExternCrate { name, .. } => {
                    let Some(own) = &item.name else { continue };
                    named.push((own.clone(), Child::Foreign(format!("crate {name}"))));
                }
                _ => {
                    let Some(name) = &item.name else { continue };
                    named.push((name.clone(), Child::Item((d, *id))));
                }
            }
        }
        for u in globs {
            let target = u.id.and_then(|id| self.resolve(d, id));
            let is_module = target
                .and_then(|g| self.item(g))
                .is_some_and(|i| matches!(i.inner, ItemEnum::Module(_)));
            match target {
                Some(g) if is_module => {
                    for (name, child) in self.module_children(g) {
                        if !named.iter().any(|(n, _)| *n == name) {
                            named.push((name, child));
                        }
                    }
                }
                _ => named.push(("*".to_owned(), Child::Foreign(format!("{}::*", u.source)))),
            }
        }
        named
    }

    // -- items ----------------------------------------------------------------------------

    fn item_lines(&self, g: G, path: &str, out: &mut Vec<Line>) {
        let Some(item) = self.item(g) else { return };
        let d = g.0;
        let key = segments(path);
        let attrs = attributes(item);
        let mut push =
            |rank: u8, text: String| out.push((key.clone(), rank, sort_name(&text), text));
        match &item.inner {
            ItemEnum::Module(m) => {
                let text = if m.is_crate && d != 0 {
                    format!("pub mod {path} => crate {}", self.docs[d].name)
                } else {
                    format!("pub mod {path}")
                };
                push(0, text);
            }
            ItemEnum::Struct(s) => {
                let params = self.generic_params(d, &s.generics.params);
                let wh = self.where_clause(d, &s.generics, &[]);
                let shape = match &s.kind {
                    StructKind::Unit => ";".to_owned(),
                    StructKind::Tuple(fields) => format!("({})", self.tuple_fields(d, fields)),
                    StructKind::Plain { has_stripped_fields: true, .. } => " { .. }".to_owned(),
                    StructKind::Plain { .. } => String::new(),
                };
                push(0, format!("{attrs}pub struct {path}{params}{shape}{wh}"));
                if let StructKind::Plain { fields, .. } = &s.kind {
                    for text in self.named_fields(d, path, fields) {
                        push(1, text);
                    }
                }
                self.impl_lines(d, &s.impls, path, out);
            }
            ItemEnum::Union(u) => {
                let params = self.generic_params(d, &u.generics.params);
                let wh = self.where_clause(d, &u.generics, &[]);
                let shape = if u.has_stripped_fields { " { .. }" } else { "" };
                push(0, format!("{attrs}pub union {path}{params}{shape}{wh}"));
                for text in self.named_fields(d, path, &u.fields) {
                    push(1, text);
                }
                self.impl_lines(d, &u.impls, path, out);
            }
            ItemEnum::Enum(e) => {
                let params = self.generic_params(d, &e.generics.params);
                let wh = self.where_clause(d, &e.generics, &[]);
                let shape = if e.has_stripped_variants { " { .. }" } else { "" };
                push(0, format!("{attrs}pub enum {path}{params}{shape}{wh}"));
                for id in &e.variants {
                    if let Some(text) = self.variant(d, *id, path) {
                        push(1, text);
                    }
                }
                self.impl_lines(d, &e.impls, path, out);
            }
            ItemEnum::Trait(t) => {
                let params = self.generic_params(d, &t.generics.params);
                let wh = self.where_clause(d, &t.generics, &[]);
                let supertraits = if t.bounds.is_empty() {
                    String::new()
                } else {
                    format!(": {}", self.bounds(d, &t.bounds))
                };
                let unsafety = if t.is_unsafe { "unsafe " } else { "" };
                let auto = if t.is_auto { "auto " } else { "" };
                push(
                    0,
                    format!("{attrs}pub {unsafety}{auto}trait {path}{params}{supertraits}{wh}"),
                );
                for id in &t.items {
                    let Some(member) = self.docs[d].krate.index.get(id) else { continue };
                    let name = member.name.as_deref().unwrap_or("_");
                    let member_path = format!("{path}::{name}");
                    let member_attrs = attributes(member);
                    match &member.inner {
                        ItemEnum::Function(f) => {
                            let provided = if f.has_body { " (provided)" } else { "" };
                            let sig = self.function(d, &member_path, f, &[]);
                            push(3, format!("{member_attrs}{sig}{provided}"));
                        }
                        ItemEnum::AssocType { generics, bounds, type_ } => {
                            let params = self.generic_params(d, &generics.params);
                            let bounds = if bounds.is_empty() {
                                String::new()
                            } else {
                                format!(": {}", self.bounds(d, bounds))
                            };
                            let default = type_.as_ref().map(|t| format!(" = {}", self.ty(d, t)));
                            let wh = self.where_clause(d, generics, &[]);
                            let default = default.unwrap_or_default();
                            push(2, format!("type {member_path}{params}{bounds}{wh}{default}"));
                        }
                        ItemEnum::AssocConst { type_, value } => {
                            let default = value.as_ref().map(|v| format!(" = {v}"));
                            let default = default.unwrap_or_default();
                            push(2, format!("const {member_path}: {}{default}", self.ty(d, type_)));
                        }
                        _ => {}
                    }
                }
                // Impls of the trait for types not in the listing (impls for listed types
                // are listed with the type, from the same crate's JSON).
                for id in &t.implementations {
                    let Some(ItemEnum::Impl(imp)) =
                        self.docs[d].krate.index.get(id).map(|i| &i.inner)
                    else {
                        continue;
                    };
                    let for_listed = match &imp.for_ {
                        Type::ResolvedPath(p) => self
                            .resolve(d, p.id)
                            .is_some_and(|g| g.0 == d && self.public.contains_key(&g)),
                        _ => false,
                    };
                    if !for_listed {
                        let (trait_, text) = self.impl_header(d, imp);
                        out.push((key.clone(), 4, trait_, text));
                    }
                }
            }
            ItemEnum::Function(f) => {
                push(0, format!("{attrs}{}", self.function(d, path, f, &[])));
            }
            ItemEnum::TypeAlias(t) => {
                let params = self.generic_params(d, &t.generics.params);
                let wh = self.where_clause(d, &t.generics, &[]);
                push(0, format!("{attrs}pub type {path}{params}{wh} = {}", self.ty(d, &t.type_)));
            }
            ItemEnum::Constant { type_, const_ } => {
                let ty = self.ty(d, type_);
                push(0, format!("{attrs}pub const {path}: {ty} = {}", const_.expr));
            }
            ItemEnum::Static(s) => {
                let m = if s.is_mutable { "mut " } else { "" };
                let unsafety = if s.is_unsafe { "unsafe " } else { "" };
                push(0, format!("{attrs}pub {unsafety}static {m}{path}: {}", self.ty(d, &s.type_)));
            }
            ItemEnum::Macro(_) => push(0, format!("{attrs}macro_rules! {path}")),
            ItemEnum::ProcMacro(p) => {
                push(0, format!("{attrs}pub proc_macro {path} ({:?})", p.kind))
            }
            ItemEnum::TraitAlias(t) => {
                let params = self.generic_params(d, &t.generics.params);
                push(0, format!("{attrs}pub trait {path}{params} = {}", self.bounds(d, &t.params)));
            }
            ItemEnum::ExternType => push(0, format!("{attrs}pub extern type {path}")),
            ItemEnum::Variant(_) => {
                if let Some(text) = self.variant(d, g.1, path.rsplit_once("::").map_or("", |p| p.0))
                {
                    push(0, text);
                }
            }
            ItemEnum::ExternCrate { .. }
            | ItemEnum::Use(_)
            | ItemEnum::StructField(_)
            | ItemEnum::Impl(_)
            | ItemEnum::Primitive(_)
            | ItemEnum::AssocConst { .. }
            | ItemEnum::AssocType { .. } => {}
        }
    }

    /// `pub PATH::field: Type` for each public field.
    fn named_fields(&self, d: usize, path: &str, fields: &[Id]) -> Vec<String> {
        let krate = &self.docs[d].krate;
        let mut out = Vec::new();
        for id in fields {
            let Some(field) = krate.index.get(id) else { continue };
            if let (ItemEnum::StructField(ty), Some(name)) = (&field.inner, &field.name) {
                out.push(format!("{}pub {path}::{name}: {}", attributes(field), self.ty(d, ty)));
            }
        }
        out
    }

    /// `pub T, _` (a private field is `_`).
    fn tuple_fields(&self, d: usize, fields: &[Option<Id>]) -> String {
        let krate = &self.docs[d].krate;
        let shown: Vec<String> = fields
            .iter()
            .map(|id| match id.and_then(|id| krate.index.get(&id)).map(|f| &f.inner) {
                Some(ItemEnum::StructField(ty)) => format!("pub {}", self.ty(d, ty)),
                _ => "_".to_owned(),
            })
            .collect();
        shown.join(", ")
    }

    fn variant(&self, d: usize, id: Id, enum_path: &str) -> Option<String> {
        let krate = &self.docs[d].krate;
        let item = krate.index.get(&id)?;
        let ItemEnum::Variant(v) = &item.inner else { return None };
        let name = item.name.as_deref()?;
        let shape = match &v.kind {
            VariantKind::Plain => String::new(),
            VariantKind::Tuple(fields) => {
                let shown: Vec<String> = fields
                    .iter()
                    .map(|id| match id.and_then(|id| krate.index.get(&id)).map(|f| &f.inner) {
                        Some(ItemEnum::StructField(ty)) => self.ty(d, ty),
                        _ => "_".to_owned(),
                    })
                    .collect();
                format!("({})", shown.join(", "))
            }
            VariantKind::Struct { fields, has_stripped_fields } => {
                let mut shown: Vec<String> = fields
                    .iter()
                    .filter_map(|id| krate.index.get(id))
                    .filter_map(|f| match (&f.inner, &f.name) {
                        (ItemEnum::StructField(ty), Some(n)) => {
                            Some(format!("{n}: {}", self.ty(d, ty)))
                        }
                        _ => None,
                    })
                    .collect();
                if *has_stripped_fields {
                    shown.push("..".to_owned());
                }
                format!(" {{ {} }}", shown.join(", "))
            }
        };
        let discriminant =
            v.discriminant.as_ref().map(|x| format!(" = {}", x.expr)).unwrap_or_default();
        Some(format!("{}pub {enum_path}::{name}{shape}{discriminant}", attributes(item)))
    }

    /// Inherent methods and associated items, then trait impls, of the type at `path`.
    fn impl_lines(&self, d: usize, impls: &[Id], path: &str, out: &mut Vec<Line>) {
        let krate = &self.docs[d].krate;
        let key = segments(path);
        for id in impls {
            let Some(ItemEnum::Impl(imp)) = krate.index.get(id).map(|i| &i.inner) else {
                continue;
            };
            match &imp.trait_ {
                None => {
                    let owner = self.ty(d, &imp.for_);
                    for member_id in &imp.items {
                        let Some(member) = krate.index.get(member_id) else { continue };
                        if member.visibility != Visibility::Public {
                            continue;
                        }
                        let name = member.name.as_deref().unwrap_or("_");
                        let member_path = format!("{owner}::{name}");
                        let member_attrs = attributes(member);
                        let (rank, text) = match &member.inner {
                            ItemEnum::Function(f) => {
                                let preds = &imp.generics;
                                (3, self.function(d, &member_path, f, &[preds]))
                            }
                            ItemEnum::AssocConst { type_, value } => {
                                let value = value.as_ref().map(|v| format!(" = {v}"));
                                let ty = self.ty(d, type_);
                                (
                                    2,
                                    format!(
                                        "pub const {member_path}: {ty}{}",
                                        value.unwrap_or_default()
                                    ),
                                )
                            }
                            ItemEnum::AssocType { type_: Some(t), .. } => {
                                (2, format!("pub type {member_path} = {}", self.ty(d, t)))
                            }
                            _ => continue,
                        };
                        out.push((
                            key.clone(),
                            rank,
                            sort_name(&text),
                            format!("{member_attrs}{text}"),
                        ));
                    }
                }
                Some(trait_path) => {
                    if imp.blanket_impl.is_some() || !self.listed_trait(d, trait_path.id) {
                        continue;
                    }
                    // `impl From<ThisType> for OtherType` is listed with `OtherType`.
                    if let Type::ResolvedPath(p) = &imp.for_
                        && let Some(g) = self.resolve(d, p.id)
                        && self.public.get(&g).is_some_and(|other| other != path)
                    {
                        continue;
                    }
                    let (trait_, text) = self.impl_header(d, imp);
                    out.push((key.clone(), 4, trait_, text));
                }
            }
        }
    }

    /// Whether impls of this trait belong in the listing: not for unstable marker traits
    /// (`Freeze`, `StructuralPartialEq`, `UnsafeUnpin`), nor for workspace traits that are not public
    /// (a sealed trait's private supertrait).
    fn listed_trait(&self, d: usize, id: Id) -> bool {
        if let Some(g) = self.resolve(d, id) {
            return self.public.contains_key(&g);
        }
        let Some(summary) = self.docs[d].krate.paths.get(&id) else { return true };
        let path = summary.path.join("::");
        !matches!(
            path.as_str(),
            "core::marker::Freeze"
                | "core::marker::StructuralPartialEq"
                | "core::marker::UnsafeUnpin"
        )
    }

    /// `impl<..> Trait for Type where .. { type X = ..; }`.
    /// Returns the trait too, to sort by.
    fn impl_header(&self, d: usize, imp: &Impl) -> (String, String) {
        let params = self.generic_params(d, &imp.generics.params);
        let wh = self.where_clause(d, &imp.generics, &[]);
        let unsafety = if imp.is_unsafe { "unsafe " } else { "" };
        let negative = if imp.is_negative { "!" } else { "" };
        let trait_ = imp.trait_.as_ref().map(|p| self.path(d, p)).unwrap_or_default();
        let for_ = self.ty(d, &imp.for_);
        let mut assoc = Vec::new();
        for id in &imp.items {
            let Some(member) = self.docs[d].krate.index.get(id) else { continue };
            let name = member.name.as_deref().unwrap_or("_");
            match &member.inner {
                ItemEnum::AssocType { type_: Some(t), generics, .. } => {
                    let params = self.generic_params(d, &generics.params);
                    assoc.push(format!("type {name}{params} = {};", self.ty(d, t)));
                }
                ItemEnum::AssocConst { type_, value } => {
                    let value = value.as_ref().map(|v| format!(" = {v}")).unwrap_or_default();
                    assoc.push(format!("const {name}: {}{value};", self.ty(d, type_)));
                }
                _ => {}
            }
        }
        assoc.sort();
        let body =
            if assoc.is_empty() { String::new() } else { format!(" {{ {} }}", assoc.join(" ")) };
        let text = format!("{unsafety}impl{params} {negative}{trait_} for {for_}{wh}{body}");
        (trait_, text)
    }

    /// `pub fn PATH<..>(..) -> .. where ..`; `outer`: the enclosing impl's generics,
    /// whose bounds join the where clause.
    fn function(
        &self,
        d: usize,
        path: &str,
        f: &rustdoc_types::Function,
        outer: &[&Generics],
    ) -> String {
        let header = fn_header(&f.header);
        let params = self.generic_params(d, &f.generics.params);
        let sig = self.signature(d, &f.sig);
        let wh = self.where_clause(d, &f.generics, outer);
        format!("pub {header}fn {path}{params}{sig}{wh}")
    }

    fn signature(&self, d: usize, sig: &FunctionSignature) -> String {
        let mut inputs: Vec<String> = sig
            .inputs
            .iter()
            .map(|(name, ty)| {
                if name == "self" {
                    match ty {
                        Type::Generic(s) if s == "Self" => return "self".to_owned(),
                        Type::BorrowedRef { lifetime, is_mutable, type_ }
                            if matches!(&**type_, Type::Generic(s) if s == "Self") =>
                        {
                            let lt = lifetime.as_ref().map(|l| format!("{l} ")).unwrap_or_default();
                            let m = if *is_mutable { "mut " } else { "" };
                            return format!("&{lt}{m}self");
                        }
                        _ => {}
                    }
                }
                format!("{name}: {}", self.ty(d, ty))
            })
            .collect();
        if sig.is_c_variadic {
            inputs.push("...".to_owned());
        }
        let output = sig.output.as_ref().map(|t| format!(" -> {}", self.ty(d, t)));
        format!("({}){}", inputs.join(", "), output.unwrap_or_default())
    }

    // -- generics -------------------------------------------------------------------------

    /// `<'a, T: Bound, const N: usize>` (without `impl Trait` arguments' hidden params).
    fn generic_params(&self, d: usize, params: &[GenericParamDef]) -> String {
        let shown: Vec<String> = params
            .iter()
            .filter(|p| !matches!(p.kind, GenericParamDefKind::Type { is_synthetic: true, .. }))
            .map(|p| self.generic_param(d, p))
            .collect();
        if shown.is_empty() { String::new() } else { format!("<{}>", shown.join(", ")) }
    }

    fn generic_param(&self, d: usize, p: &GenericParamDef) -> String {
        match &p.kind {
            GenericParamDefKind::Lifetime { outlives } if outlives.is_empty() => p.name.clone(),
            GenericParamDefKind::Lifetime { outlives } => {
                format!("{}: {}", p.name, outlives.join(" + "))
            }
            GenericParamDefKind::Type { bounds, default, .. } => {
                let mut s = p.name.clone();
                if !bounds.is_empty() {
                    let _ = write!(s, ": {}", self.bounds(d, bounds));
                }
                if let Some(t) = default {
                    let _ = write!(s, " = {}", self.ty(d, t));
                }
                s
            }
            GenericParamDefKind::Const { type_, default } => {
                let default = default.as_ref().map(|v| format!(" = {v}")).unwrap_or_default();
                format!("const {}: {}{default}", p.name, self.ty(d, type_))
            }
        }
    }

    /// ` where A: B, ..`: the item's predicates after those of `outer` generics (an
    /// impl's), whose parameters' inline bounds count as predicates too.
    fn where_clause(&self, d: usize, generics: &Generics, outer: &[&Generics]) -> String {
        let mut preds = Vec::new();
        for g in outer {
            for p in &g.params {
                if let GenericParamDefKind::Type { bounds, .. } = &p.kind
                    && !bounds.is_empty()
                {
                    preds.push(format!("{}: {}", p.name, self.bounds(d, bounds)));
                }
            }
            preds.extend(g.where_predicates.iter().map(|w| self.where_predicate(d, w)));
        }
        preds.extend(generics.where_predicates.iter().map(|w| self.where_predicate(d, w)));
        if preds.is_empty() { String::new() } else { format!(" where {}", preds.join(", ")) }
    }

    fn where_predicate(&self, d: usize, w: &WherePredicate) -> String {
        match w {
            WherePredicate::BoundPredicate { type_, bounds, generic_params } => {
                format!(
                    "{}{}: {}",
                    self.hrtb(d, generic_params),
                    self.ty(d, type_),
                    self.bounds(d, bounds)
                )
            }
            WherePredicate::LifetimePredicate { lifetime, outlives } => {
                format!("{lifetime}: {}", outlives.join(" + "))
            }
            WherePredicate::EqPredicate { lhs, rhs } => {
                format!("{} = {}", self.ty(d, lhs), self.term(d, rhs))
            }
        }
    }

    /// `for<'a> ` or nothing.
    fn hrtb(&self, d: usize, params: &[GenericParamDef]) -> String {
        if params.is_empty() {
            return String::new();
        }
        let shown: Vec<String> = params.iter().map(|p| self.generic_param(d, p)).collect();
        format!("for<{}> ", shown.join(", "))
    }

    fn bounds(&self, d: usize, bounds: &[GenericBound]) -> String {
        let shown: Vec<String> = bounds.iter().map(|b| self.bound(d, b)).collect();
        shown.join(" + ")
    }

    fn bound(&self, d: usize, b: &GenericBound) -> String {
        match b {
            GenericBound::TraitBound { trait_, generic_params, modifier } => {
                let m = match modifier {
                    TraitBoundModifier::None => "",
                    TraitBoundModifier::Maybe => "?",
                    TraitBoundModifier::MaybeConst => "~const ",
                };
                format!("{}{m}{}", self.hrtb(d, generic_params), self.path(d, trait_))
            }
            GenericBound::Outlives(lifetime) => lifetime.clone(),
            GenericBound::Use(args) => {
                let shown: Vec<&str> = args
                    .iter()
                    .map(|a| match a {
                        PreciseCapturingArg::Lifetime(s) | PreciseCapturingArg::Param(s) => {
                            s.as_str()
                        }
                    })
                    .collect();
                format!("use<{}>", shown.join(", "))
            }
        }
    }

    // -- types ----------------------------------------------------------------------------

    fn ty(&self, d: usize, t: &Type) -> String {
        match t {
            Type::ResolvedPath(p) => self.path(d, p),
            Type::DynTrait(dt) => {
                let mut parts: Vec<String> = dt
                    .traits
                    .iter()
                    .map(|pt| {
                        format!("{}{}", self.hrtb(d, &pt.generic_params), self.path(d, &pt.trait_))
                    })
                    .collect();
                parts.extend(dt.lifetime.clone());
                format!("dyn {}", parts.join(" + "))
            }
            Type::Generic(name) | Type::Primitive(name) => name.clone(),
            Type::Array { type_, len } => format!("[{}; {len}]", self.ty(d, type_)),
            Type::Pat { type_, .. } => self.ty(d, type_),
            Type::ImplTrait(bounds) => format!("impl {}", self.bounds(d, bounds)),
            Type::Infer => "_".to_owned(),
            Type::RawPointer { is_mutable, type_ } => {
                let m = if *is_mutable { "mut" } else { "const" };
                format!("*{m} {}", self.ty(d, type_))
            }
            Type::BorrowedRef { lifetime, is_mutable, type_ } => {
                let lt = lifetime.as_ref().map(|l| format!("{l} ")).unwrap_or_default();
                let m = if *is_mutable { "mut " } else { "" };
                format!("&{lt}{m}{}", self.ty(d, type_))
            }
            Type::QualifiedPath { name, args, self_type, trait_ } => {
                let args = args.as_ref().map(|a| self.generic_args(d, a)).unwrap_or_default();
                match (&**self_type, trait_) {
                    (Type::Generic(s), _) if s == "Self" => format!("Self::{name}{args}"),
                    (self_type, Some(tr)) => {
                        format!("<{} as {}>::{name}{args}", self.ty(d, self_type), self.path(d, tr))
                    }
                    (self_type, None) => format!("{}::{name}{args}", self.ty(d, self_type)),
                }
            }
            Type::Tuple(types) if types.len() == 1 => format!("({},)", self.ty(d, &types[0])),
            Type::Tuple(types) => {
                let shown: Vec<String> = types.iter().map(|t| self.ty(d, t)).collect();
                format!("({})", shown.join(", "))
            }
            Type::Slice(t) => format!("[{}]", self.ty(d, t)),
            Type::FunctionPointer(fp) => {
                let hrtb = self.hrtb(d, &fp.generic_params);
                format!("{hrtb}{}fn{}", fn_header(&fp.header), self.signature(d, &fp.sig))
            }
        }
    }

    /// A path to a type or trait, with its generic arguments.
    fn path(&self, d: usize, p: &rustdoc_types::Path) -> String {
        let args = p.args.as_ref().map(|a| self.generic_args(d, a)).unwrap_or_default();
        format!("{}{args}", self.type_name(d, p.id, &p.path))
    }

    /// The `vex` path of a type or trait; otherwise its path in its own crate (the
    /// standard library's by its public module: `std::task::Context`, and the prelude's
    /// bare: `Option`).
    fn type_name(&self, d: usize, id: Id, written: &str) -> String {
        if let Some(g) = self.resolve(d, id) {
            if let Some(public) = self.public.get(&g) {
                return public.clone();
            }
            let own = self.docs[g.0].krate.paths.get(&g.1).map(|s| s.path.join("::"));
            let own = own.unwrap_or_else(|| written.to_owned());
            self.leaks.borrow_mut().insert(own.clone());
            return own;
        }
        let own = self.foreign_path(d, id).unwrap_or_else(|| written.to_owned());
        self.foreign_public.get(&own).cloned().unwrap_or(own)
    }

    /// The path of an item outside the loaded crates, from the `paths` table.
    fn foreign_path(&self, d: usize, id: Id) -> Option<String> {
        let summary = self.docs[d].krate.paths.get(&id)?;
        let path = &summary.path;
        let full = path.join("::");
        if !matches!(path[0].as_str(), "core" | "alloc" | "std") {
            return Some(full);
        }
        if PRELUDE.contains(&full.as_str()) {
            return path.last().cloned();
        }
        // rustdoc gives the defining path, private modules included
        // (`core::task::wake::Context`): keep the first module, as std exports it.
        let keep = match path.get(1).map(String::as_str) {
            Some("os") => path.len(),
            _ if path.get(2).is_some_and(|m| m == "mpsc") => 3,
            _ => 2,
        };
        let mut shown = vec!["std"];
        shown.extend(path[1..keep.min(path.len() - 1)].iter().map(String::as_str));
        shown.push(path.last()?);
        Some(shown.join("::"))
    }

    fn generic_args(&self, d: usize, args: &GenericArgs) -> String {
        match args {
            GenericArgs::AngleBracketed { args, constraints } => {
                let mut shown: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        GenericArg::Lifetime(l) => l.clone(),
                        GenericArg::Type(t) => self.ty(d, t),
                        GenericArg::Const(c) => c.expr.clone(),
                        GenericArg::Infer => "_".to_owned(),
                    })
                    .collect();
                for c in constraints {
                    let args = c.args.as_ref().map(|a| self.generic_args(d, a)).unwrap_or_default();
                    shown.push(match &c.binding {
                        rustdoc_types::AssocItemConstraintKind::Equality(term) => {
                            format!("{}{args} = {}", c.name, self.term(d, term))
                        }
                        rustdoc_types::AssocItemConstraintKind::Constraint(bounds) => {
                            format!("{}{args}: {}", c.name, self.bounds(d, bounds))
                        }
                    });
                }
                if shown.is_empty() { String::new() } else { format!("<{}>", shown.join(", ")) }
            }
            GenericArgs::Parenthesized { inputs, output } => {
                let shown: Vec<String> = inputs.iter().map(|t| self.ty(d, t)).collect();
                let output = output.as_ref().map(|t| format!(" -> {}", self.ty(d, t)));
                format!("({}){}", shown.join(", "), output.unwrap_or_default())
            }
            GenericArgs::ReturnTypeNotation => "(..)".to_owned(),
        }
    }

    fn term(&self, d: usize, term: &Term) -> String {
        match term {
            Term::Type(t) => self.ty(d, t),
            Term::Constant(c) => c.expr.clone(),
        }
    }
}

/// A module's child: a loaded item, or one outside the workspace (described).
enum Child {
    Item(G),
    Foreign(String),
}

/// Standard library items written bare, as in the prelude.
const PRELUDE: &[&str] = &[
    "core::option::Option",
    "core::result::Result",
    "alloc::string::String",
    "alloc::vec::Vec",
    "alloc::boxed::Box",
    "core::marker::Send",
    "core::marker::Sync",
    "core::marker::Sized",
    "core::marker::Unpin",
    "core::marker::Copy",
    "core::clone::Clone",
    "core::default::Default",
    "core::cmp::Eq",
    "core::cmp::PartialEq",
    "core::cmp::Ord",
    "core::cmp::PartialOrd",
    "core::ops::function::Fn",
    "core::ops::function::FnMut",
    "core::ops::function::FnOnce",
    "core::ops::drop::Drop",
    "core::iter::traits::iterator::Iterator",
    "core::iter::traits::collect::IntoIterator",
    "core::iter::traits::collect::Extend",
    "core::iter::traits::double_ended::DoubleEndedIterator",
    "core::iter::traits::exact_size::ExactSizeIterator",
    "core::convert::From",
    "core::convert::Into",
    "core::convert::TryFrom",
    "core::convert::TryInto",
    "core::convert::AsRef",
    "core::convert::AsMut",
    "alloc::borrow::ToOwned",
    "alloc::string::ToString",
];

/// `#[non_exhaustive] `, `#[repr(C)] `, `#[deprecated] ` where present.
fn attributes(item: &Item) -> String {
    let mut out = String::new();
    if item.deprecation.is_some() {
        out.push_str("#[deprecated] ");
    }
    for a in &item.attrs {
        match a {
            Attribute::NonExhaustive => out.push_str("#[non_exhaustive] "),
            Attribute::Repr(r) => {
                let mut parts = Vec::new();
                match r.kind {
                    ReprKind::Rust => {}
                    ReprKind::C => parts.push("C".to_owned()),
                    ReprKind::Transparent => parts.push("transparent".to_owned()),
                    ReprKind::Simd => parts.push("simd".to_owned()),
                }
                parts.extend(r.int.clone());
                parts.extend(r.align.map(|a| format!("align({a})")));
                parts.extend(r.packed.map(|p| format!("packed({p})")));
                if !parts.is_empty() {
                    let _ = write!(out, "#[repr({})] ", parts.join(", "));
                }
            }
            _ => {}
        }
    }
    out
}

/// `const async unsafe extern "C" ` as present.
fn fn_header(h: &FunctionHeader) -> String {
    let mut out = String::new();
    if h.is_const {
        out.push_str("const ");
    }
    if h.is_async {
        out.push_str("async ");
    }
    if h.is_unsafe {
        out.push_str("unsafe ");
    }
    let abi = match &h.abi {
        Abi::Rust => None,
        Abi::C { unwind } => Some(("C", *unwind)),
        Abi::Cdecl { unwind } => Some(("cdecl", *unwind)),
        Abi::Stdcall { unwind } => Some(("stdcall", *unwind)),
        Abi::Fastcall { unwind } => Some(("fastcall", *unwind)),
        Abi::Aapcs { unwind } => Some(("aapcs", *unwind)),
        Abi::Win64 { unwind } => Some(("win64", *unwind)),
        Abi::SysV64 { unwind } => Some(("sysv64", *unwind)),
        Abi::System { unwind } => Some(("system", *unwind)),
        Abi::Other(name) => Some((name.as_str(), false)),
    };
    if let Some((name, unwind)) = abi {
        let unwind = if unwind { "-unwind" } else { "" };
        let _ = write!(out, "extern \"{name}{unwind}\" ");
    }
    out
}

/// `text` to sort by: without its leading `#[...] ` attributes, and a function from
/// `fn` on (`pub unsafe fn X::a` sorts with `pub fn X::b`).
fn sort_name(text: &str) -> String {
    let mut rest = text;
    while rest.starts_with("#[")
        && let Some(end) = rest.find("] ")
    {
        rest = &rest[end + 2..];
    }
    let path_at = rest.find("::").unwrap_or(rest.len());
    match rest.find("fn ") {
        Some(at) if at < path_at => rest[at..].to_owned(),
        _ => rest.to_owned(),
    }
}

fn segments(path: &str) -> Vec<String> {
    path.split("::").map(str::to_owned).collect()
}

// ---------------------------------------------------------------------------------------
// Diff

/// A unified diff (3 lines of context) of two listings. Lines of a listing are unique,
/// so lines that occur once in each are matched, in the longest run that keeps their
/// order (patience diff).
fn unified_diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = diff_ops(&a, &b);
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    const CONTEXT: usize = 3;
    let changed: Vec<usize> =
        ops.iter().enumerate().filter(|(_, op)| op.0 != ' ').map(|(i, _)| i).collect();
    let mut i = 0;
    while i < changed.len() {
        // One hunk: changes closer than 2 * CONTEXT lines apart.
        let start = changed[i].saturating_sub(CONTEXT);
        let mut end = changed[i];
        while i < changed.len() && changed[i] <= end + 2 * CONTEXT {
            end = changed[i];
            i += 1;
        }
        let end = (end + CONTEXT + 1).min(ops.len());
        let old_start = ops[..start].iter().filter(|op| op.0 != '+').count();
        let new_start = ops[..start].iter().filter(|op| op.0 != '-').count();
        let old_len = ops[start..end].iter().filter(|op| op.0 != '+').count();
        let new_len = ops[start..end].iter().filter(|op| op.0 != '-').count();
        let _ = writeln!(out, "@@ -{},{old_len} +{},{new_len} @@", old_start + 1, new_start + 1);
        for (tag, line) in &ops[start..end] {
            let _ = writeln!(out, "{tag}{line}");
        }
    }
    out
}

/// The edit script: (' ' | '-' | '+', line).
fn diff_ops<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<(char, &'a str)> {
    let mut count: HashMap<&str, (usize, usize, usize)> = HashMap::new();
    for (i, line) in a.iter().enumerate() {
        let c = count.entry(line).or_insert((0, 0, i));
        c.0 += 1;
        c.2 = i;
    }
    for line in b {
        count.entry(line).or_insert((0, 0, 0)).1 += 1;
    }
    // (index in b, index in a) of lines unique in both, in b's order.
    let pairs: Vec<(usize, usize)> = b
        .iter()
        .enumerate()
        .filter_map(|(j, line)| match count[line] {
            (1, 1, i) => Some((j, i)),
            _ => None,
        })
        .collect();
    // Longest increasing run of a-indices (patience sorting).
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; pairs.len()];
    for (k, &(_, i)) in pairs.iter().enumerate() {
        let pos = tails.partition_point(|&t| pairs[t].1 < i);
        prev[k] = pos.checked_sub(1).map(|p| tails[p]);
        if pos == tails.len() {
            tails.push(k);
        } else {
            tails[pos] = k;
        }
    }
    let mut anchors = Vec::new();
    let mut k = tails.last().copied();
    while let Some(at) = k {
        anchors.push(pairs[at]);
        k = prev[at];
    }
    anchors.reverse();
    let mut ops = Vec::new();
    let (mut i, mut j) = (0, 0);
    for (bj, ai) in anchors.into_iter().chain([(b.len(), a.len())]) {
        ops.extend(a[i..ai].iter().map(|l| ('-', *l)));
        ops.extend(b[j..bj].iter().map(|l| ('+', *l)));
        if ai < a.len() {
            ops.push((' ', a[ai]));
        }
        (i, j) = (ai + 1, bj + 1);
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_added_and_removed_lines() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\nk\n";
        let diff = unified_diff(old, new, "old", "new");
        assert_eq!(
            diff,
            "--- old\n+++ new\n@@ -2,9 +2,10 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n i\n j\n+k\n"
        );
    }

    #[test]
    fn another_format_version_says_what_to_do() {
        let path = env::temp_dir().join(format!("xtask-api-test-{}.json", std::process::id()));
        std::fs::write(&path, r#"{"root": 0, "format_version": 99}"#).unwrap();
        let error = Doc::load("x", &path).err().unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(error.contains("format version 99"), "{error}");
        assert!(error.contains(r#"set rustdoc-types in xtask/Cargo.toml to "0.99""#), "{error}");
    }

    #[test]
    fn diff_of_equal_texts_is_empty() {
        assert_eq!(unified_diff("a\nb\n", "a\nb\n", "x", "y"), "--- x\n+++ y\n");
    }
}
