//! Loading rule files into a [`Pack`]: every entry typed and located in its file.

use std::ops::{Deref, Range};
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::diag::{Diagnostic, Location, codes};
use crate::error::{Error, Result};
use crate::model::{Api, Check, Packer, Permission, RuleTest, Sdk, Secret};

/// The top-level table names of a rule file, in the order the format documents them.
pub const TABLE_KINDS: &[&str] = &[
    "permission",
    "sdk",
    "packer",
    "api",
    "secret",
    "check",
    "test",
];

/// Most `*.toml` files `Pack::read_dir` reads from one folder tree: a guard against pointing
/// `--rules` at the wrong folder (the default pack has a few dozen).
pub const MAX_RULE_FILES: usize = 10_000;

/// One rule file.
#[derive(Debug)]
pub(crate) struct SourceFile {
    /// Name shown in diagnostics (`rules/sdks/push.toml`).
    pub(crate) name: String,
    /// Name the pack hash uses: relative to the pack folder, `/`-separated.
    pub(crate) key: String,
    /// The text.
    pub(crate) text: String,
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
        let (line, column, _, _) = crate::diag::locate(&self.file.text, span);
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
        Diagnostic::at(
            code,
            &self.file.name,
            &self.file.text,
            Some(span),
            field,
            message,
        )
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
    pub(crate) packers: Vec<Located<Packer>>,
    pub(crate) apis: Vec<Located<Api>>,
    pub(crate) secrets: Vec<Located<Secret>>,
    pub(crate) checks: Vec<Located<Check>>,
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
        let named: Vec<(String, String, String)> = files
            .into_iter()
            .map(|(rel, text)| (dir.join(&rel).display().to_string(), rel, text))
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
    pub fn load<N: AsRef<str>, T: AsRef<str>>(sources: &[(N, T)]) -> (Self, Vec<Diagnostic>) {
        Self::load_named(
            sources
                .iter()
                .map(|(n, t)| {
                    (
                        n.as_ref().to_owned(),
                        n.as_ref().to_owned(),
                        t.as_ref().to_owned(),
                    )
                })
                .collect(),
        )
    }

    /// Reads every `*.toml` file under `dir`, recursively, as `(path relative to dir with '/'
    /// separators, text)`, sorted by that path.
    pub fn read_dir(dir: impl AsRef<Path>) -> Result<Vec<(String, String)>> {
        let dir = dir.as_ref();
        let mut paths = Vec::new();
        walk(dir, dir, &mut paths)?;
        paths.sort();
        paths
            .into_iter()
            .map(|(rel, path)| {
                let text =
                    std::fs::read_to_string(&path).map_err(|source| Error::Io { path, source })?;
                Ok((rel, text))
            })
            .collect()
    }

    /// `(name shown in diagnostics, hash key, text)`.
    pub(crate) fn load_named(files: Vec<(String, String, String)>) -> (Self, Vec<Diagnostic>) {
        let mut pack = Self::new();
        let mut diags = Vec::new();
        for (name, key, text) in files {
            let file = Arc::new(SourceFile { name, key, text });
            let first = diags.len();
            pack.load_file(&file, &mut diags);
            // Keys come in table order, not file order: sort this file's diagnostics by place.
            if let Some(mine) = diags.get_mut(first..) {
                mine.sort();
            }
            pack.sources.push(file);
        }
        (pack, diags)
    }

    fn load_file(&mut self, file: &Arc<SourceFile>, diags: &mut Vec<Diagnostic>) {
        let text = file.text.as_str();
        let doc = match DeTable::parse(text) {
            Ok(doc) => doc,
            Err(e) => {
                diags.push(Diagnostic::at(
                    codes::SYNTAX,
                    &file.name,
                    text,
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
                    &file.name,
                    text,
                    Some(key.span()),
                    kind,
                    format!(
                        "unknown table `{kind}`, expected one of `[[permission]]`, `[[sdk]]`, \
                         `[[packer]]`, `[[api]]`, `[[secret]]`, `[[check]]`, `[[test]]`"
                    ),
                ));
                continue;
            };
            let DeValue::Array(items) = value.get_ref() else {
                diags.push(Diagnostic::at(
                    codes::INVALID_VALUE,
                    &file.name,
                    text,
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
                    "packer" => push(&mut self.packers, file, kind, item, diags),
                    "api" => push(&mut self.apis, file, kind, item, diags),
                    "secret" => push(&mut self.secrets, file, kind, item, diags),
                    "check" => push(&mut self.checks, file, kind, item, diags),
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
        self.packers.extend(other.packers);
        self.apis.extend(other.apis);
        self.secrets.extend(other.secrets);
        self.checks.extend(other.checks);
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
        perms
            .chain(sdks)
            .chain(packers)
            .chain(apis)
            .chain(secrets)
            .chain(checks)
    }

    /// `[[permission]]` entries, in load order.
    pub fn permissions(&self) -> &[Located<Permission>] {
        &self.permissions
    }
    /// `[[sdk]]` entries, in load order.
    pub fn sdks(&self) -> &[Located<Sdk>] {
        &self.sdks
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
    diags: &mut Vec<Diagnostic>,
) {
    let text = file.text.as_str();
    let mut fields = Vec::new();
    if let DeValue::Table(t) = item.get_ref() {
        flatten_table("", t, &mut fields);
    } else {
        diags.push(Diagnostic::at(
            codes::INVALID_VALUE,
            &file.name,
            text,
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
            diags.push(Diagnostic::at(code, &file.name, text, span, field, message));
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

/// Collects `(relative path, full path)` of the `*.toml` files under `dir`.
fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, std::path::PathBuf)>) -> Result<()> {
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
        } else if path.extension().is_some_and(|e| e == "toml")
            && std::fs::metadata(&path).map_err(io(&path))?.is_file()
        {
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
            out.push((rel.join("/"), path));
        }
    }
    Ok(())
}
