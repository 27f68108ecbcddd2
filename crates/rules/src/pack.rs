//! Loading rule files into a [`Pack`]: every entry typed and located in its file.

use std::borrow::Cow;
use std::io::Read as _;
use std::ops::{Deref, Range};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::diag::{Collector, Diagnostic, LineIndex, Location, MAX_DIAGNOSTICS, Summary, codes};
use crate::error::{Error, Result};
use crate::model::{
    Api, Async, BehaviourApi, Check, ConsentGate, Entry, Library, Message, Packer, Permission,
    PiTypeInfo, Reference, RuleTest, Sdk, Secret, Source,
};

/// The top-level table names of a rule file, in the order the format documents them.
pub const TABLE_KINDS: &[&str] = &[
    "permission",
    "sdk",
    "library",
    "packer",
    "api",
    "pi_type",
    "secret",
    "check",
    "source",
    "reference",
    "message",
    "entry",
    "async",
    "consent_gate",
    "behaviour_api",
    "test",
];

/// Most `*.toml` files `Pack::read_dir` reads from one folder tree: a guard against pointing
/// `--rules` at the wrong folder (the default pack has a few dozen).
pub const MAX_RULE_FILES: usize = 10_000;

/// Largest rule file read or loaded, in bytes (4 MiB). The largest file of the default pack
/// is under 80 KB; parsing TOML costs up to about 50 times the file's size in memory (a file
/// of empty comment lines), so this bounds one file's cost at about 200 MB. A larger file is
/// a [`codes::TOO_LARGE`] problem and is never read whole.
pub const MAX_RULE_FILE_BYTES: u64 = 4 << 20;

/// Largest total of the rule files [`Pack::read_dir`] reads from one folder tree, in bytes
/// (16 MiB, about 80 times the default pack): the texts stay in memory with the pack.
pub const MAX_PACK_BYTES: u64 = 16 << 20;

/// One rule file.
#[derive(Debug)]
pub(crate) struct SourceFile {
    /// Name shown in diagnostics (`rules/sdks/push.toml`).
    pub(crate) name: String,
    /// Name the pack hash uses: relative to the pack folder, `/`-separated.
    pub(crate) key: String,
    /// The text.
    pub(crate) text: String,
    /// Where its lines are, built on the first diagnostic.
    lines: OnceLock<LineIndex>,
}

impl SourceFile {
    pub(crate) fn new(name: String, key: String, text: String) -> Self {
        Self {
            name,
            key,
            text,
            lines: OnceLock::new(),
        }
    }

    /// Line, column, snippet and caret width of byte range `span` (see
    /// [`LineIndex::locate`]).
    pub(crate) fn locate(&self, span: Range<usize>) -> (u32, u32, String, u32) {
        self.lines
            .get_or_init(|| LineIndex::new(&self.text))
            .locate(&self.text, span)
    }
}

/// Where an entry was defined: its file, and the spans of its keys and values.
#[derive(Clone, Debug)]
pub struct Origin {
    file: Arc<SourceFile>,
    span: Range<usize>,
    /// `(path, value span)` sorted by path: `class_prefixes`, `class_prefixes[0]`,
    /// `permissions[1].name`, `params.groups`.
    fields: Arc<[(String, Range<usize>)]>,
}

impl Origin {
    /// The file, as given to the loader.
    pub fn file(&self) -> &str {
        &self.file.name
    }

    /// Where the entry's table starts.
    pub fn location(&self) -> Location {
        self.location_of(self.span.clone())
    }

    /// Where the value at `path` (`class_prefixes[2]`, `params.groups`) is, if it was written.
    pub fn field_location(&self, path: &str) -> Option<Location> {
        self.field_span(path).map(|s| self.location_of(s))
    }

    fn location_of(&self, span: Range<usize>) -> Location {
        let (line, column, _, _) = self.file.locate(span);
        Location {
            file: self.file.name.clone(),
            line,
            column,
        }
    }

    fn field_span(&self, path: &str) -> Option<Range<usize>> {
        let i = self
            .fields
            .binary_search_by(|(p, _)| p.as_str().cmp(path))
            .ok()?;
        self.fields.get(i).map(|(_, s)| s.clone())
    }

    /// Whether the value at `path` was written.
    pub(crate) fn has_field(&self, path: &str) -> bool {
        self.field_span(path).is_some()
    }

    /// A diagnostic pointing at `path` inside this entry (at the entry when `path` was not
    /// written); `kind` prefixes the reported field (`sdk.class_prefixes[0]`).
    pub(crate) fn diag(
        &self,
        code: &'static str,
        kind: &str,
        path: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        let span = self.field_span(path).unwrap_or_else(|| self.span.clone());
        let field = if path.is_empty() {
            kind.to_owned()
        } else {
            format!("{kind}.{path}")
        };
        Diagnostic::at(code, &self.file, Some(span), field, message)
    }
}

/// A rule-file entry and where it was defined.
#[derive(Clone, Debug)]
pub struct Located<T> {
    /// The entry.
    pub value: T,
    /// Its file and spans.
    pub origin: Origin,
}

impl<T> Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// Every entry of a set of rule files, with provenance; not yet validated.
///
/// Build one with [`Pack::from_dir`], [`Pack::from_sources`] or [`crate::default_pack`]; check
/// it with [`Pack::validate`]; turn it into matchers with [`Pack::compile`].
#[derive(Clone, Debug, Default)]
pub struct Pack {
    pub(crate) sources: Vec<Arc<SourceFile>>,
    pub(crate) permissions: Vec<Located<Permission>>,
    pub(crate) sdks: Vec<Located<Sdk>>,
    pub(crate) libraries: Vec<Located<Library>>,
    pub(crate) packers: Vec<Located<Packer>>,
    pub(crate) apis: Vec<Located<Api>>,
    pub(crate) pi_types: Vec<Located<PiTypeInfo>>,
    pub(crate) secrets: Vec<Located<Secret>>,
    pub(crate) checks: Vec<Located<Check>>,
    pub(crate) sources_: Vec<Located<Source>>,
    pub(crate) references: Vec<Located<Reference>>,
    pub(crate) messages: Vec<Located<Message>>,
    pub(crate) entries: Vec<Located<Entry>>,
    pub(crate) asyncs: Vec<Located<Async>>,
    pub(crate) consent_gates: Vec<Located<ConsentGate>>,
    pub(crate) behaviour_apis: Vec<Located<BehaviourApi>>,
    pub(crate) tests: Vec<Located<RuleTest>>,
}

impl Pack {
    /// An empty pack.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads every `*.toml` file under `dir` (sorted by path). Stops at the first file that is
    /// not valid TOML or does not fit the format; does not validate (see [`Pack::validate`]).
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let files = Self::read_dir(dir)?;
        let named: Vec<(String, String, Cow<'_, str>)> = files
            .into_iter()
            .map(|(rel, text)| (dir.join(&rel).display().to_string(), rel, Cow::Owned(text)))
            .collect();
        strict(Self::load_named(named))
    }

    /// Loads rule files given as `(name, text)`. Stops at the first file that is not valid
    /// TOML or does not fit the format; does not validate.
    pub fn from_sources<N: AsRef<str>, T: AsRef<str>>(sources: &[(N, T)]) -> Result<Self> {
        strict(Self::load(sources))
    }

    /// Loads rule files given as `(name, text)` leniently: every file is read, and the
    /// problems of those that cannot be loaded come back as diagnostics (one per bad entry),
    /// like a compiler's, sorted by file, line and column. The pack holds every entry that
    /// did load.
    ///
    /// A text longer than [`MAX_RULE_FILE_BYTES`] is not parsed: it is one
    /// [`codes::TOO_LARGE`] diagnostic. At most [`MAX_DIAGNOSTICS`] diagnostics are returned
    /// (the first ones), then a count of the others ([`codes::MORE_ERRORS`]).
    pub fn load<N: AsRef<str>, T: AsRef<str>>(sources: &[(N, T)]) -> (Self, Vec<Diagnostic>) {
        Self::load_named(
            sources
                .iter()
                .map(|(n, t)| {
                    (
                        n.as_ref().to_owned(),
                        n.as_ref().to_owned(),
                        Cow::Borrowed(t.as_ref()),
                    )
                })
                .collect(),
        )
    }

    /// Reads every `*.toml` file under `dir`, recursively, as `(path relative to dir with '/'
    /// separators, text)`, sorted by that path.
    ///
    /// Meant for folders from anywhere, so it bounds what it reads. Only regular files (and
    /// symbolic links to them) are read: a FIFO, socket or device named `*.toml` is an
    /// [`Error::Io`] ("not a regular file (FIFO)") and is never read, nor can opening it
    /// block. A file larger than [`MAX_RULE_FILE_BYTES`], or files together larger than
    /// [`MAX_PACK_BYTES`], are an [`Error::SizeLimit`], found from the file sizes before
    /// anything is read; reading stops at the limit too, so a file growing meanwhile cannot
    /// exceed it. Symbolic links to folders are not followed; more than [`MAX_RULE_FILES`]
    /// files are an [`Error::Io`].
    pub fn read_dir(dir: impl AsRef<Path>) -> Result<Vec<(String, String)>> {
        let dir = dir.as_ref();
        let mut paths = Vec::new();
        walk(dir, dir, &mut paths)?;
        paths.sort();
        // Every size is checked before the first file is read.
        let mut total: u64 = 0;
        for (_, path, size) in &paths {
            if *size > MAX_RULE_FILE_BYTES {
                return Err(Error::SizeLimit {
                    path: path.clone(),
                    what: FILE,
                    size: *size,
                    limit: MAX_RULE_FILE_BYTES,
                });
            }
            total = total.saturating_add(*size);
        }
        if total > MAX_PACK_BYTES {
            return Err(Error::SizeLimit {
                path: dir.to_path_buf(),
                what: FOLDER,
                size: total,
                limit: MAX_PACK_BYTES,
            });
        }
        let mut budget = MAX_PACK_BYTES;
        let mut out = Vec::with_capacity(paths.len());
        for (rel, path, _) in paths {
            let text = read_rule_file(dir, &path, &mut budget)?;
            out.push((rel, text));
        }
        Ok(out)
    }

    /// `(name shown in diagnostics, hash key, text)`.
    pub(crate) fn load_named(
        files: Vec<(String, String, Cow<'_, str>)>,
    ) -> (Self, Vec<Diagnostic>) {
        let mut pack = Self::new();
        let mut out = Vec::new();
        let mut left_out = Summary::default();
        for (name, key, text) in files {
            // One budget of diagnostics for all files: a file gets what the earlier ones left.
            let mut diags = Collector::new(MAX_DIAGNOSTICS.saturating_sub(out.len()), false);
            let size = u64::try_from(text.len()).unwrap_or(u64::MAX);
            if size > MAX_RULE_FILE_BYTES {
                diags.push(Diagnostic::new(
                    codes::TOO_LARGE,
                    Location {
                        file: name,
                        line: 0,
                        column: 0,
                    },
                    "",
                    crate::error::size_message(FILE, size, MAX_RULE_FILE_BYTES),
                ));
            } else {
                let file = Arc::new(SourceFile::new(name, key, text.into_owned()));
                pack.load_file(&file, &mut diags);
                pack.sources.push(file);
            }
            // Keys come in table order, not file order: the collector sorts this file's
            // diagnostics by place.
            let (mine, dropped) = diags.into_sorted();
            out.extend(mine);
            left_out.add(dropped);
        }
        left_out.append_to(&mut out);
        (pack, out)
    }

    fn load_file(&mut self, file: &Arc<SourceFile>, diags: &mut Collector) {
        let doc = match DeTable::parse(&file.text) {
            Ok(doc) => doc,
            Err(e) => {
                diags.push(Diagnostic::at(
                    codes::SYNTAX,
                    file,
                    e.span(),
                    "",
                    e.message(),
                ));
                return;
            }
        };
        for (key, value) in doc.get_ref() {
            let kind = key.get_ref().as_ref();
            let Some(&kind) = TABLE_KINDS.iter().find(|k| **k == kind) else {
                diags.push(Diagnostic::at(
                    codes::UNKNOWN_FIELD,
                    file,
                    Some(key.span()),
                    kind,
                    format!(
                        "unknown table `{kind}`, expected one of {}",
                        TABLE_KINDS
                            .iter()
                            .map(|k| format!("`[[{k}]]`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
                continue;
            };
            let DeValue::Array(items) = value.get_ref() else {
                diags.push(Diagnostic::at(
                    codes::INVALID_VALUE,
                    file,
                    Some(value.span()),
                    kind,
                    format!("`{kind}` must be an array of tables: write `[[{kind}]]`"),
                ));
                continue;
            };
            for item in items {
                match kind {
                    "permission" => push(&mut self.permissions, file, kind, item, diags),
                    "sdk" => push(&mut self.sdks, file, kind, item, diags),
                    "library" => push(&mut self.libraries, file, kind, item, diags),
                    "packer" => push(&mut self.packers, file, kind, item, diags),
                    "api" => push(&mut self.apis, file, kind, item, diags),
                    "pi_type" => push(&mut self.pi_types, file, kind, item, diags),
                    "secret" => push(&mut self.secrets, file, kind, item, diags),
                    "check" => push(&mut self.checks, file, kind, item, diags),
                    "source" => push(&mut self.sources_, file, kind, item, diags),
                    "reference" => push(&mut self.references, file, kind, item, diags),
                    "message" => push(&mut self.messages, file, kind, item, diags),
                    "entry" => push(&mut self.entries, file, kind, item, diags),
                    "async" => push(&mut self.asyncs, file, kind, item, diags),
                    "consent_gate" => push(&mut self.consent_gates, file, kind, item, diags),
                    "behaviour_api" => push(&mut self.behaviour_apis, file, kind, item, diags),
                    _ => push(&mut self.tests, file, kind, item, diags),
                }
            }
        }
    }

    /// Adds `other`'s entries (`--rules DIR`). An id or permission name that `self` already
    /// defines is an error naming both files, and nothing is added. (`--rules-only DIR` is
    /// simply a pack loaded from that folder alone.)
    pub fn merge(&mut self, other: Self) -> Result<()> {
        let mut ids: std::collections::HashMap<&str, &Origin> = std::collections::HashMap::new();
        for (id, origin) in self.ids() {
            ids.entry(id).or_insert(origin);
        }
        for (id, origin) in other.ids() {
            if let Some(first) = ids.get(id) {
                return Err(Error::DuplicateId {
                    id: id.to_owned(),
                    first: first.location(),
                    second: origin.location(),
                });
            }
        }
        self.sources.extend(other.sources);
        self.permissions.extend(other.permissions);
        self.sdks.extend(other.sdks);
        self.libraries.extend(other.libraries);
        self.packers.extend(other.packers);
        self.apis.extend(other.apis);
        self.pi_types.extend(other.pi_types);
        self.secrets.extend(other.secrets);
        self.checks.extend(other.checks);
        self.sources_.extend(other.sources_);
        self.references.extend(other.references);
        self.messages.extend(other.messages);
        self.entries.extend(other.entries);
        self.asyncs.extend(other.asyncs);
        self.consent_gates.extend(other.consent_gates);
        self.behaviour_apis.extend(other.behaviour_apis);
        self.tests.extend(other.tests);
        Ok(())
    }

    /// Every id (SDK, packer, API, secret, check) and permission name, with where it was defined.
    fn ids(&self) -> impl Iterator<Item = (&str, &Origin)> {
        let perms = self
            .permissions
            .iter()
            .map(|p| (p.name.as_str(), &p.origin));
        let sdks = self.sdks.iter().map(|s| (s.id.as_str(), &s.origin));
        let packers = self.packers.iter().map(|p| (p.id.as_str(), &p.origin));
        let apis = self.apis.iter().map(|a| (a.id.as_str(), &a.origin));
        let secrets = self.secrets.iter().map(|s| (s.id.as_str(), &s.origin));
        let checks = self.checks.iter().map(|c| (c.id.as_str(), &c.origin));
        let libraries = self.libraries.iter().map(|l| (l.id.as_str(), &l.origin));
        let pi_types = self.pi_types.iter().map(|t| (t.id.as_str(), &t.origin));
        let sources = self.sources_.iter().map(|s| (s.id.as_str(), &s.origin));
        let references = self.references.iter().map(|r| (r.id.as_str(), &r.origin));
        let messages = self.messages.iter().map(|m| (m.id.as_str(), &m.origin));
        let entries = self.entries.iter().map(|e| (e.id.as_str(), &e.origin));
        let asyncs = self.asyncs.iter().map(|a| (a.id.as_str(), &a.origin));
        let gates = self
            .consent_gates
            .iter()
            .map(|g| (g.id.as_str(), &g.origin));
        let behaviours = self
            .behaviour_apis
            .iter()
            .map(|b| (b.id.as_str(), &b.origin));
        perms
            .chain(sdks)
            .chain(packers)
            .chain(apis)
            .chain(secrets)
            .chain(checks)
            .chain(libraries)
            .chain(pi_types)
            .chain(sources)
            .chain(references)
            .chain(messages)
            .chain(entries)
            .chain(asyncs)
            .chain(gates)
            .chain(behaviours)
    }

    /// `[[permission]]` entries, in load order.
    pub fn permissions(&self) -> &[Located<Permission>] {
        &self.permissions
    }
    /// `[[sdk]]` entries, in load order.
    pub fn sdks(&self) -> &[Located<Sdk>] {
        &self.sdks
    }
    /// `[[library]]` entries, in load order.
    pub fn libraries(&self) -> &[Located<Library>] {
        &self.libraries
    }
    /// `[[pi_type]]` entries, in load order.
    pub fn pi_types(&self) -> &[Located<PiTypeInfo>] {
        &self.pi_types
    }
    /// `[[source]]` entries, in load order.
    pub fn reference_sources(&self) -> &[Located<Source>] {
        &self.sources_
    }
    /// `[[reference]]` entries, in load order.
    pub fn references(&self) -> &[Located<Reference>] {
        &self.references
    }
    /// `[[entry]]` tables, in load order.
    pub fn entries(&self) -> &[Located<Entry>] {
        &self.entries
    }
    /// `[[async]]` tables, in load order.
    pub fn asyncs(&self) -> &[Located<Async>] {
        &self.asyncs
    }
    /// `[[consent_gate]]` tables, in load order.
    pub fn consent_gates(&self) -> &[Located<ConsentGate>] {
        &self.consent_gates
    }
    /// `[[behaviour_api]]` tables, in load order.
    pub fn behaviour_apis(&self) -> &[Located<BehaviourApi>] {
        &self.behaviour_apis
    }
    /// `[[message]]` entries, in load order.
    pub fn messages(&self) -> &[Located<Message>] {
        &self.messages
    }
    /// `[[packer]]` entries, in load order.
    pub fn packers(&self) -> &[Located<Packer>] {
        &self.packers
    }
    /// `[[api]]` entries, in load order.
    pub fn apis(&self) -> &[Located<Api>] {
        &self.apis
    }
    /// `[[secret]]` entries, in load order.
    pub fn secrets(&self) -> &[Located<Secret>] {
        &self.secrets
    }
    /// `[[check]]` entries, in load order.
    pub fn checks(&self) -> &[Located<Check>] {
        &self.checks
    }
    /// `[[test]]` entries, in load order.
    pub fn tests(&self) -> &[Located<RuleTest>] {
        &self.tests
    }

    /// The loaded files as `(name, text)`, in load order.
    pub fn sources(&self) -> impl Iterator<Item = (&str, &str)> {
        self.sources
            .iter()
            .map(|s| (s.name.as_str(), s.text.as_str()))
    }

    /// SHA-256 over the sources sorted by their pack-relative path (length-prefixed path and
    /// text of each): a stable key for result caches. It does not depend on where the folder
    /// sits on disk, only on the files' relative paths and contents.
    pub fn hash(&self) -> [u8; 32] {
        let mut files: Vec<&SourceFile> = self.sources.iter().map(AsRef::as_ref).collect();
        files.sort_by(|a, b| a.key.cmp(&b.key));
        let mut h = Sha256::new();
        for f in files {
            h.update((f.key.len() as u64).to_le_bytes());
            h.update(f.key.as_bytes());
            h.update((f.text.len() as u64).to_le_bytes());
            h.update(f.text.as_bytes());
        }
        h.finalize().into()
    }
}

/// Turns the lenient loader's first problem into an [`Error`].
pub(crate) fn strict((pack, diags): (Pack, Vec<Diagnostic>)) -> Result<Pack> {
    let Some(d) = diags.into_iter().next() else {
        return Ok(pack);
    };
    let location = d.location();
    Err(if d.code == codes::SYNTAX {
        Error::Syntax {
            location,
            message: d.message,
        }
    } else {
        Error::Schema {
            location,
            code: d.code,
            field: d.field,
            message: d.message,
        }
    })
}

/// Deserialises one `[[kind]]` table into `out`, or reports why it does not fit.
fn push<T: for<'de> Deserialize<'de>>(
    out: &mut Vec<Located<T>>,
    file: &Arc<SourceFile>,
    kind: &str,
    item: &toml::Spanned<DeValue<'_>>,
    diags: &mut Collector,
) {
    let mut fields = Vec::new();
    if let DeValue::Table(t) = item.get_ref() {
        flatten_table("", t, &mut fields);
    } else {
        diags.push(Diagnostic::at(
            codes::INVALID_VALUE,
            file,
            Some(item.span()),
            kind,
            format!(
                "`{kind}` entries must be tables, found {}",
                item.get_ref().type_str()
            ),
        ));
        return;
    }
    match T::deserialize(ValueDeserializer::from(item.clone())) {
        Ok(value) => {
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            let fields: Vec<(String, Range<usize>)> =
                fields.into_iter().map(|f| (f.0, f.2)).collect();
            out.push(Located {
                value,
                origin: Origin {
                    file: Arc::clone(file),
                    span: item.span(),
                    fields: fields.into(),
                },
            });
        }
        Err(e) => {
            let message = e.message();
            let code = if message.starts_with("unknown field") {
                codes::UNKNOWN_FIELD
            } else if message.starts_with("missing field") {
                codes::MISSING_FIELD
            } else {
                codes::INVALID_VALUE
            };
            let span = e.span();
            let path = span
                .as_ref()
                .and_then(|s| field_at(&fields, s))
                .or_else(|| quoted_name(message).map(str::to_owned))
                .unwrap_or_default();
            let field = if path.is_empty() {
                kind.to_owned()
            } else {
                format!("{kind}.{path}")
            };
            let span = span.or_else(|| Some(item.span()));
            diags.push(Diagnostic::at(code, file, span, field, message));
        }
    }
}

/// `(path, key span, value span)` of every key and element under a table.
type Flat = Vec<(String, Option<Range<usize>>, Range<usize>)>;

fn flatten_table(prefix: &str, table: &DeTable<'_>, out: &mut Flat) {
    for (k, v) in table {
        let path = if prefix.is_empty() {
            k.get_ref().to_string()
        } else {
            format!("{prefix}.{}", k.get_ref())
        };
        flatten_value(path, Some(k.span()), v, out);
    }
}

fn flatten_value(
    path: String,
    key_span: Option<Range<usize>>,
    v: &toml::Spanned<DeValue<'_>>,
    out: &mut Flat,
) {
    match v.get_ref() {
        DeValue::Table(t) => flatten_table(&path, t, out),
        DeValue::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                flatten_value(format!("{path}[{i}]"), None, e, out);
            }
        }
        _ => {}
    }
    out.push((path, key_span, v.span()));
}

/// The path of the key whose name is at `span` (unknown keys), else of the innermost value
/// containing it.
fn field_at(fields: &Flat, span: &Range<usize>) -> Option<String> {
    if let Some(f) = fields.iter().find(|f| f.1.as_ref() == Some(span)) {
        return Some(f.0.clone());
    }
    fields
        .iter()
        .filter(|f| f.2.start <= span.start && span.end <= f.2.end)
        .min_by_key(|f| f.2.end.saturating_sub(f.2.start))
        .map(|f| f.0.clone())
}

/// The first backquoted word of a serde message (`id` in ``missing field `id` ``).
fn quoted_name(message: &str) -> Option<&str> {
    let rest = message.split_once('`')?.1;
    Some(rest.split_once('`')?.0)
}

/// [`Error::SizeLimit`]'s `what` for one file.
const FILE: &str = "rule file";
/// [`Error::SizeLimit`]'s `what` for the files of a folder together.
const FOLDER: &str = "rule folder";

/// Collects `(relative path, full path, size)` of the `*.toml` files under `dir`.
fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf, u64)>) -> Result<()> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        // `file_type` does not follow symbolic links, so a link cannot make the walk loop;
        // `metadata` (which does) lets a linked file in.
        let ft = entry.file_type().map_err(io(&path))?;
        if ft.is_dir() {
            walk(root, &path, out)?;
            continue;
        }
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let meta = std::fs::metadata(&path).map_err(io(&path))?;
        if meta.is_dir() {
            // A symbolic link to a folder: not followed.
            continue;
        }
        if !meta.is_file() {
            return Err(Error::Io {
                path,
                source: not_regular(meta.file_type()),
            });
        }
        if out.len() >= MAX_RULE_FILES {
            return Err(Error::Io {
                path,
                source: std::io::Error::other(format!("more than {MAX_RULE_FILES} rule files")),
            });
        }
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        out.push((rel.join("/"), path, meta.len()));
    }
    Ok(())
}

/// Reads one rule file found by [`walk`], taking its size from `budget` (what is left of
/// [`MAX_PACK_BYTES`]): opened without blocking, refused unless the open handle is a regular
/// file (the path may have been swapped since the walk), read up to the limit and no further.
fn read_rule_file(dir: &Path, path: &Path, budget: &mut u64) -> Result<String> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = open_nonblocking(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(io(not_regular(meta.file_type())));
    }
    let too_large = |size: u64| {
        if size > MAX_RULE_FILE_BYTES {
            Some(Error::SizeLimit {
                path: path.to_path_buf(),
                what: FILE,
                size,
                limit: MAX_RULE_FILE_BYTES,
            })
        } else if size > *budget {
            Some(Error::SizeLimit {
                path: dir.to_path_buf(),
                what: FOLDER,
                size: MAX_PACK_BYTES.saturating_sub(*budget).saturating_add(size),
                limit: MAX_PACK_BYTES,
            })
        } else {
            None
        }
    };
    if let Some(err) = too_large(meta.len()) {
        return Err(err);
    }
    let limit = MAX_RULE_FILE_BYTES.min(*budget);
    // The size can change between `metadata` and the read: one byte past the limit is enough
    // to know it is exceeded.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if let Some(err) = too_large(size) {
        return Err(err);
    }
    *budget = budget.saturating_sub(size);
    String::from_utf8(bytes).map_err(|_| {
        // The message `std::fs::read_to_string` gives.
        io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))
    })
}

/// Opens `path` for reading. On Unix with `O_NONBLOCK`, so that a FIFO swapped in for a rule
/// file cannot block the open (the caller then refuses it, as it is not a regular file), and
/// `O_NOCTTY`, so that a terminal swapped in does not become the process's controlling
/// terminal; neither flag changes how a regular file is read.
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// The error for a path that is not a regular file: "not a regular file (FIFO)".
fn not_regular(ft: std::fs::FileType) -> std::io::Error {
    #[cfg(unix)]
    let kind = {
        use std::os::unix::fs::FileTypeExt as _;
        if ft.is_fifo() {
            "FIFO"
        } else if ft.is_socket() {
            "socket"
        } else if ft.is_block_device() {
            "block device"
        } else if ft.is_char_device() {
            "character device"
        } else if ft.is_dir() {
            "folder"
        } else {
            "special file"
        }
    };
    #[cfg(not(unix))]
    let kind = if ft.is_dir() {
        "folder"
    } else {
        "special file"
    };
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("not a regular file ({kind})"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check on the open handle, for a FIFO that replaced a rule file after the walk:
    /// opening does not block, and it is refused unread.
    #[cfg(unix)]
    #[test]
    #[expect(clippy::print_stderr, reason = "the skip notice")]
    fn a_fifo_swapped_in_is_refused_on_the_open_handle() {
        let dir = std::env::temp_dir().join(format!("apkscope-rules-swap-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("x.toml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("SKIP: mkfifo failed");
            return;
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let (d, f) = (dir.clone(), fifo.clone());
        std::thread::spawn(move || {
            let mut budget = MAX_PACK_BYTES;
            let _ = tx.send(read_rule_file(&d, &f, &mut budget).map_err(|e| e.to_string()));
        });
        let got = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("opening a FIFO blocked");
        assert_eq!(
            got,
            Err(format!(
                "cannot read {}: not a regular file (FIFO)",
                fifo.display()
            ))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
