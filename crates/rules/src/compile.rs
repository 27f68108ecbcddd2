//! The compiled pack: matchers built once, shared by every scan.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};

use apkscope_facts::ReferenceFacts;

use crate::error::{Error, Result};
use crate::model::{
    Api, ApiKind, Async, BehaviourApi, Check, CheckParams, ConsentGate, Entry, Library, Message,
    Packer, Permission, PiType, PiTypeInfo, Reference, RuleTest, Sdk, Secret, SecretCharset,
    Source, VersionSource,
};
use crate::pack::Pack;

/// Index of an SDK in a [`CompiledPack`] (load order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SdkId(u32);

impl SdkId {
    /// The index into [`CompiledPack::sdks`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of a library in a [`CompiledPack`] (load order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LibraryId(u32);

impl LibraryId {
    /// The index into [`CompiledPack::libraries`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Who a class belongs to by its name: the SDK or library with its longest prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClassOwner {
    /// A third-party SDK.
    Sdk(SdkId),
    /// A platform or open-source library.
    Library(LibraryId),
}

/// Index of a packer in a [`CompiledPack`] (load order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackerId(u32);

impl PackerId {
    /// The index into [`CompiledPack::packers`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of an API in a [`CompiledPack`] (load order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiId(u32);

impl ApiId {
    /// The index into [`CompiledPack::apis`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of a secret in a [`CompiledPack`] (load order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretId(u32);

impl SecretId {
    /// The index into [`CompiledPack::secrets`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One literal prefix of a `[[secret]]` with its validated shape: the value is the prefix,
/// then `min_len..=max_len` bytes of `charset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretPrefix {
    /// The literal.
    pub prefix: String,
    /// The secret it belongs to.
    pub secret: SecretId,
    /// Characters allowed after the prefix.
    pub charset: SecretCharset,
    /// Shortest run of `charset`.
    pub min_len: usize,
    /// Longest run of `charset`.
    pub max_len: usize,
}

/// A check with its typed parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct CompiledCheck {
    /// The check as written.
    pub check: Check,
    /// Its parameters, typed for its kind.
    pub params: CheckParams,
}

/// A file-name pattern split at its `*`s, and who it belongs to.
#[derive(Debug)]
struct Glob<T> {
    /// Literal pieces; a `*` sits between each two.
    parts: Vec<String>,
    /// Literal characters: the most specific matching pattern wins.
    literal_len: usize,
    owner: T,
}

impl<T: Copy> Glob<T> {
    fn new(pattern: &str, owner: T) -> Self {
        let parts: Vec<String> = pattern.split('*').map(str::to_owned).collect();
        let literal_len = parts.iter().map(String::len).sum();
        Self {
            parts,
            literal_len,
            owner,
        }
    }

    fn matches(&self, name: &str) -> bool {
        let Some((first, rest)) = self.parts.split_first() else {
            return false;
        };
        let Some(mut tail) = name.strip_prefix(first.as_str()) else {
            return false;
        };
        let Some((last, middle)) = rest.split_last() else {
            // No `*`: the whole name must equal the pattern.
            return tail.is_empty();
        };
        for part in middle {
            match tail.find(part.as_str()) {
                Some(i) => tail = tail.get(i.saturating_add(part.len())..).unwrap_or(""),
                None => return false,
            }
        }
        tail.ends_with(last.as_str())
    }
}

/// Exact names and `*` patterns, each owned by one packer: an exact name wins, then the
/// pattern with the most literal characters, then the first in load order.
#[derive(Debug, Default)]
struct NameMatcher {
    exact: HashMap<String, PackerId>,
    globs: Vec<Glob<PackerId>>,
}

impl NameMatcher {
    fn insert(&mut self, pattern: &str, owner: PackerId) {
        if pattern.contains('*') {
            self.globs.push(Glob::new(pattern, owner));
        } else {
            self.exact.entry(pattern.to_owned()).or_insert(owner);
        }
    }

    fn find(&self, name: &str) -> Option<PackerId> {
        if let Some(id) = self.exact.get(name) {
            return Some(*id);
        }
        let mut best: Option<&Glob<PackerId>> = None;
        for g in &self.globs {
            if g.matches(name) && best.is_none_or(|b| g.literal_len > b.literal_len) {
                best = Some(g);
            }
        }
        best.map(|g| g.owner)
    }
}

/// The packer matchers of a [`CompiledPack`].
#[derive(Debug)]
struct PackerMatchers {
    /// Application classes, dotted (`com.stub.StubApp`).
    app_classes: HashMap<String, PackerId>,
    /// Application classes as descriptors (`Lcom/stub/StubApp;`).
    app_descriptors: HashMap<String, PackerId>,
    /// Anchored leftmost-longest automata over the class prefixes, dotted and slashed.
    class_dotted: AhoCorasick,
    class_slashed: AhoCorasick,
    class_owner: Vec<PackerId>,
    native_libs: NameMatcher,
    assets: NameMatcher,
}

/// A validated rule pack turned into matchers. Built once ([`Pack::compile`]); immutable,
/// `Send + Sync`, so share it by reference (or `Arc`) across threads and scans.
#[derive(Debug)]
pub struct CompiledPack {
    hash: [u8; 32],
    permissions: Vec<Permission>,
    permission_by_name: HashMap<String, usize>,
    sdks: Vec<Sdk>,
    sdk_by_id: HashMap<String, SdkId>,
    packers: Vec<Packer>,
    packer_by_id: HashMap<String, PackerId>,
    packer_matchers: PackerMatchers,
    /// Anchored leftmost-longest automata over the class prefixes, dotted and in descriptor
    /// form (`cn/jpush/`); pattern i belongs to `class_owner[i]`.
    class_dotted: AhoCorasick,
    class_slashed: AhoCorasick,
    class_owner: Vec<SdkId>,
    libraries: Vec<Library>,
    library_by_id: HashMap<String, LibraryId>,
    /// The libraries' class prefixes, as for SDKs.
    lib_class_dotted: AhoCorasick,
    lib_class_slashed: AhoCorasick,
    lib_class_owner: Vec<LibraryId>,
    /// One entry per [`PiType`] the pack describes, by [`PiType::ALL`] position.
    pi_types: Vec<Option<PiTypeInfo>>,
    sources: HashMap<String, Source>,
    references: HashMap<String, Reference>,
    messages: HashMap<String, Message>,
    entries: Vec<Entry>,
    asyncs: Vec<Async>,
    consent_gates: Vec<ConsentGate>,
    behaviour_apis: Vec<BehaviourApi>,
    components: HashMap<String, SdkId>,
    actions: HashMap<String, SdkId>,
    lib_exact: HashMap<String, SdkId>,
    lib_globs: Vec<Glob<SdkId>>,
    domains: HashMap<String, SdkId>,
    /// Manifest meta-data keys of SDKs (exact).
    sdk_meta_data: HashMap<String, SdkId>,
    /// SDKs with string markers: (SDK, how many of its `strings` must be present).
    sdk_string_sets: Vec<(SdkId, usize)>,
    /// Version sources of every SDK, in SDK then rule order.
    version_probes: Vec<(SdkId, VersionProbe)>,
    /// Each SDK's run in `version_probes` (by [`SdkId`] index).
    sdk_version_runs: Vec<std::ops::Range<usize>>,
    apis: Vec<Api>,
    apis_by_kind: [Vec<ApiId>; 4],
    methods: HashMap<String, Vec<ApiId>>,
    fields: HashMap<String, Vec<ApiId>>,
    strings: HashMap<String, Vec<ApiId>>,
    /// Content-URI prefixes, in load order.
    content_uris: Vec<(String, ApiId)>,
    /// Owner class descriptors of method and field APIs: a cheap first filter.
    api_classes: HashMap<String, Vec<ApiId>>,
    secrets: Vec<Secret>,
    secret_by_id: HashMap<String, SecretId>,
    /// Every prefix of every secret, in load order.
    secret_prefixes: Vec<SecretPrefix>,
    /// Manifest meta-data names (exact).
    secret_meta_data: HashMap<String, SecretId>,
    checks: Vec<CompiledCheck>,
    tests: Vec<RuleTest>,
}

/// How many of an SDK's `strings` must be in the app: `strings_min`, else all of them.
pub(crate) fn strings_needed(s: &Sdk) -> usize {
    s.strings_min
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(s.strings.len())
        .clamp(1, s.strings.len().max(1))
}

/// The default `pattern` of a version source: a dotted version of two to four numbers.
pub const DEFAULT_VERSION_PATTERN: &str = r"^[vV]?(\d+(?:\.\d+){1,3})$";

/// Where an SDK's version is read ([`VersionSource`], compiled).
#[derive(Debug, Clone)]
pub enum VersionLocation {
    /// A static field (`Lcls;->NAME:Ljava/lang/String;`).
    Field(String),
    /// A method returning a constant string (`Lcls;->name()Ljava/lang/String;`).
    Method(String),
    /// Dex strings starting with this text.
    StringPrefix(String),
    /// Native-library file names matching this expression; the groups are the version.
    NativeLib(regex::Regex),
}

/// One compiled version source of an SDK.
#[derive(Debug, Clone)]
pub struct VersionProbe {
    /// Where the text is read.
    pub location: VersionLocation,
    pattern: regex::Regex,
}

impl VersionProbe {
    /// Compiles a validated source (an invalid expression is a message).
    pub(crate) fn new(source: &VersionSource) -> std::result::Result<Self, String> {
        let compile = |p: &str| regex::Regex::new(p).map_err(|e| e.to_string());
        let location = if let Some(f) = &source.field {
            VersionLocation::Field(f.clone())
        } else if let Some(m) = &source.method {
            VersionLocation::Method(m.clone())
        } else if let Some(p) = &source.string_prefix {
            VersionLocation::StringPrefix(p.clone())
        } else if let Some(l) = &source.native_lib {
            VersionLocation::NativeLib(compile(l)?)
        } else {
            return Err("a version source names no location".to_owned());
        };
        let pattern = compile(source.pattern.as_deref().unwrap_or(DEFAULT_VERSION_PATTERN))?;
        Ok(Self { location, pattern })
    }

    /// The version `text` carries: for a native library, its name's groups joined by `.`;
    /// otherwise the pattern's first group, else its whole match (a string prefix is cut off
    /// first). `None` when it does not match.
    pub fn version(&self, text: &str) -> Option<String> {
        match &self.location {
            VersionLocation::NativeLib(names) => {
                let name = text.rsplit('/').next().unwrap_or(text);
                let caps = names.captures(name)?;
                let parts: Vec<&str> = caps.iter().skip(1).flatten().map(|m| m.as_str()).collect();
                (!parts.is_empty()).then(|| parts.join("."))
            }
            VersionLocation::StringPrefix(prefix) => {
                self.matched(text.strip_prefix(prefix.as_str())?)
            }
            _ => self.matched(text),
        }
    }

    fn matched(&self, text: &str) -> Option<String> {
        let caps = self.pattern.captures(text)?;
        let m = caps.get(1).or_else(|| caps.get(0))?;
        (!m.as_str().is_empty()).then(|| m.as_str().to_owned())
    }
}

/// Whether a reference is a web address cited as is.
pub(crate) fn is_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() > "https://".len()
        && !s.chars().any(char::is_whitespace)
}

/// Scheme every content-URI API starts with.
const CONTENT_SCHEME: &str = "content://";

fn kind_slot(kind: ApiKind) -> usize {
    match kind {
        ApiKind::Method => 0,
        ApiKind::Field => 1,
        ApiKind::String => 2,
        ApiKind::ContentUri => 3,
    }
}

impl Pack {
    /// Validates the pack and builds its matchers. Fails with [`Error::Invalid`] (carrying
    /// every diagnostic, warnings included) when validation finds an error.
    pub fn compile(&self) -> Result<CompiledPack> {
        let diagnostics = self.validate();
        if diagnostics.iter().any(crate::Diagnostic::is_error) {
            return Err(Error::Invalid { diagnostics });
        }
        CompiledPack::build(self)
    }
}

impl CompiledPack {
    #[expect(clippy::too_many_lines, reason = "one pass per matcher, in one place")]
    fn build(pack: &Pack) -> Result<Self> {
        let id32 = |i: usize| u32::try_from(i).map_err(|_| Error::TooLarge { what: "entries" });

        let permissions: Vec<Permission> =
            pack.permissions.iter().map(|p| p.value.clone()).collect();
        let mut permission_by_name = HashMap::new();
        for (i, p) in permissions.iter().enumerate() {
            permission_by_name.entry(p.name.clone()).or_insert(i);
        }

        let sdks: Vec<Sdk> = pack.sdks.iter().map(|s| s.value.clone()).collect();
        let mut sdk_by_id = HashMap::new();
        let mut dotted = Vec::new();
        let mut slashed = Vec::new();
        let mut class_owner = Vec::new();
        let mut seen_prefix = std::collections::HashSet::new();
        let mut components = HashMap::new();
        let mut actions = HashMap::new();
        let mut lib_exact = HashMap::new();
        let mut lib_globs = Vec::new();
        let mut domains = HashMap::new();
        let mut sdk_meta_data = HashMap::new();
        let mut sdk_string_sets = Vec::new();
        let mut version_probes = Vec::new();
        let mut sdk_version_runs = Vec::with_capacity(sdks.len());
        for (i, s) in sdks.iter().enumerate() {
            let id = SdkId(id32(i)?);
            sdk_by_id.entry(s.id.clone()).or_insert(id);
            for k in &s.meta_data {
                sdk_meta_data.entry(k.clone()).or_insert(id);
            }
            if !s.strings.is_empty() {
                sdk_string_sets.push((id, strings_needed(s)));
            }
            let start = version_probes.len();
            for v in &s.versions {
                let probe = VersionProbe::new(v).map_err(|message| Error::Matcher {
                    what: "SDK version sources",
                    message,
                })?;
                version_probes.push((id, probe));
            }
            sdk_version_runs.push(start..version_probes.len());
            for p in &s.class_prefixes {
                // The first claimant keeps a prefix (validation rejects two claimants).
                if seen_prefix.insert(p.as_str()) {
                    dotted.push(p.clone());
                    slashed.push(p.replace('.', "/"));
                    class_owner.push(id);
                }
            }
            for c in &s.components {
                components.entry(c.clone()).or_insert(id);
            }
            for a in &s.intent_actions {
                actions.entry(a.clone()).or_insert(id);
            }
            for l in &s.native_libs {
                if l.contains('*') {
                    lib_globs.push(Glob::new(l, id));
                } else {
                    lib_exact.entry(l.clone()).or_insert(id);
                }
            }
            for d in &s.domains {
                domains.entry(d.clone()).or_insert(id);
            }
        }
        let automaton = |patterns: &[String]| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .start_kind(StartKind::Anchored)
                .build(patterns)
                .map_err(|e| Error::Matcher {
                    what: "class prefixes",
                    message: e.to_string(),
                })
        };
        let class_dotted = automaton(&dotted)?;
        let class_slashed = automaton(&slashed)?;

        let libraries: Vec<Library> = pack.libraries.iter().map(|l| l.value.clone()).collect();
        let mut library_by_id = HashMap::new();
        let (mut l_dotted, mut l_slashed, mut l_owner) = (Vec::new(), Vec::new(), Vec::new());
        let mut l_seen = std::collections::HashSet::new();
        for (i, l) in libraries.iter().enumerate() {
            let id = LibraryId(id32(i)?);
            library_by_id.entry(l.id.clone()).or_insert(id);
            for p in &l.class_prefixes {
                if l_seen.insert(p.as_str()) {
                    l_dotted.push(p.clone());
                    l_slashed.push(p.replace('.', "/"));
                    l_owner.push(id);
                }
            }
        }
        let lib_class_dotted = automaton(&l_dotted)?;
        let lib_class_slashed = automaton(&l_slashed)?;

        let mut pi_types: Vec<Option<PiTypeInfo>> = vec![None; PiType::ALL.len()];
        for t in &pack.pi_types {
            if let Some(slot) = PiType::ALL
                .iter()
                .position(|p| *p == t.id)
                .and_then(|i| pi_types.get_mut(i))
                && slot.is_none()
            {
                *slot = Some(t.value.clone());
            }
        }
        let mut sources = HashMap::new();
        for src in &pack.sources_ {
            sources
                .entry(src.id.clone())
                .or_insert_with(|| src.value.clone());
        }
        let mut references = HashMap::new();
        for r in &pack.references {
            references
                .entry(r.id.clone())
                .or_insert_with(|| r.value.clone());
        }
        let entries: Vec<Entry> = pack.entries.iter().map(|e| e.value.clone()).collect();
        let asyncs: Vec<Async> = pack.asyncs.iter().map(|a| a.value.clone()).collect();
        let consent_gates: Vec<ConsentGate> =
            pack.consent_gates.iter().map(|g| g.value.clone()).collect();
        let behaviour_apis: Vec<BehaviourApi> = pack
            .behaviour_apis
            .iter()
            .map(|b| b.value.clone())
            .collect();
        let mut messages = HashMap::new();
        for m in &pack.messages {
            messages
                .entry(m.id.clone())
                .or_insert_with(|| m.value.clone());
        }

        let packers: Vec<Packer> = pack.packers.iter().map(|p| p.value.clone()).collect();
        let mut packer_by_id = HashMap::new();
        let mut stub_classes = HashMap::new();
        let mut app_descriptors = HashMap::new();
        let (mut p_dotted, mut p_slashed, mut p_owner) = (Vec::new(), Vec::new(), Vec::new());
        let mut p_seen = std::collections::HashSet::new();
        let mut native_libs = NameMatcher::default();
        let mut assets = NameMatcher::default();
        for (i, p) in packers.iter().enumerate() {
            let id = PackerId(id32(i)?);
            packer_by_id.entry(p.id.clone()).or_insert(id);
            for c in &p.application_classes {
                stub_classes.entry(c.clone()).or_insert(id);
                app_descriptors
                    .entry(format!("L{};", c.replace('.', "/")))
                    .or_insert(id);
            }
            for c in &p.class_prefixes {
                if p_seen.insert(c.as_str()) {
                    p_dotted.push(c.clone());
                    p_slashed.push(c.replace('.', "/"));
                    p_owner.push(id);
                }
            }
            for l in &p.native_libs {
                native_libs.insert(l, id);
            }
            for a in &p.asset_files {
                assets.insert(a, id);
            }
        }
        let packer_matchers = PackerMatchers {
            app_classes: stub_classes,
            app_descriptors,
            class_dotted: automaton(&p_dotted)?,
            class_slashed: automaton(&p_slashed)?,
            class_owner: p_owner,
            native_libs,
            assets,
        };

        let apis: Vec<Api> = pack.apis.iter().map(|a| a.value.clone()).collect();
        let mut apis_by_kind: [Vec<ApiId>; 4] = Default::default();
        let mut methods: HashMap<String, Vec<ApiId>> = HashMap::new();
        let mut fields: HashMap<String, Vec<ApiId>> = HashMap::new();
        let mut strings: HashMap<String, Vec<ApiId>> = HashMap::new();
        let mut content_uris = Vec::new();
        let mut api_classes: HashMap<String, Vec<ApiId>> = HashMap::new();
        for (i, a) in apis.iter().enumerate() {
            let id = ApiId(id32(i)?);
            if let Some(slot) = apis_by_kind.get_mut(kind_slot(a.kind)) {
                slot.push(id);
            }
            match a.kind {
                ApiKind::Method | ApiKind::Field => {
                    let map = if a.kind == ApiKind::Method {
                        &mut methods
                    } else {
                        &mut fields
                    };
                    map.entry(a.signature.clone()).or_default().push(id);
                    if let Some((class, _)) = a.signature.split_once("->") {
                        api_classes.entry(class.to_owned()).or_default().push(id);
                    }
                }
                ApiKind::String => strings.entry(a.signature.clone()).or_default().push(id),
                ApiKind::ContentUri => content_uris.push((a.signature.clone(), id)),
            }
        }

        let secrets: Vec<Secret> = pack.secrets.iter().map(|s| s.value.clone()).collect();
        let mut secret_by_id = HashMap::new();
        let mut secret_prefixes = Vec::new();
        let mut secret_meta_data = HashMap::new();
        let len = |n: Option<u32>| {
            n.and_then(|n| usize::try_from(n).ok())
                .ok_or(Error::Internal("a validated secret has no shape"))
        };
        for (i, s) in secrets.iter().enumerate() {
            let id = SecretId(id32(i)?);
            secret_by_id.entry(s.id.clone()).or_insert(id);
            for p in &s.prefixes {
                secret_prefixes.push(SecretPrefix {
                    prefix: p.clone(),
                    secret: id,
                    charset: s
                        .charset
                        .ok_or(Error::Internal("a validated secret has no shape"))?,
                    min_len: len(s.min_len)?,
                    max_len: len(s.max_len)?,
                });
            }
            for m in &s.meta_data {
                secret_meta_data.entry(m.clone()).or_insert(id);
            }
        }

        let mut checks = Vec::new();
        for c in &pack.checks {
            let params = CheckParams::parse(c.kind, &c.params)
                .map_err(|_| Error::Internal("a validated check has invalid parameters"))?;
            checks.push(CompiledCheck {
                check: c.value.clone(),
                params,
            });
        }
        let tests = pack.tests.iter().map(|t| t.value.clone()).collect();

        Ok(Self {
            hash: pack.hash(),
            permissions,
            permission_by_name,
            sdks,
            sdk_by_id,
            packers,
            packer_by_id,
            packer_matchers,
            class_dotted,
            class_slashed,
            class_owner,
            libraries,
            library_by_id,
            lib_class_dotted,
            lib_class_slashed,
            lib_class_owner: l_owner,
            pi_types,
            sources,
            references,
            messages,
            entries,
            asyncs,
            consent_gates,
            behaviour_apis,
            components,
            actions,
            lib_exact,
            lib_globs,
            domains,
            sdk_meta_data,
            sdk_string_sets,
            version_probes,
            sdk_version_runs,
            apis,
            apis_by_kind,
            methods,
            fields,
            strings,
            content_uris,
            api_classes,
            secrets,
            secret_by_id,
            secret_prefixes,
            secret_meta_data,
            checks,
            tests,
        })
    }

    /// SHA-256 of the pack's sources (see [`Pack::hash`]): a key for result caches.
    pub fn pack_hash(&self) -> [u8; 32] {
        self.hash
    }

    /// [`CompiledPack::pack_hash`] as 64 lowercase hex digits.
    pub fn pack_hash_hex(&self) -> String {
        self.hash
            .iter()
            .fold(String::with_capacity(64), |mut s, b| {
                let _ = write!(s, "{b:02x}");
                s
            })
    }

    // ---- permissions -------------------------------------------------------------------

    /// Every permission, in load order.
    pub fn permissions(&self) -> &[Permission] {
        &self.permissions
    }

    /// The permission with this exact name.
    pub fn permission(&self, name: &str) -> Option<&Permission> {
        self.permission_by_name
            .get(name)
            .and_then(|&i| self.permissions.get(i))
    }

    // ---- SDKs --------------------------------------------------------------------------

    /// Every SDK, in load order ([`SdkId::index`] indexes this).
    pub fn sdks(&self) -> &[Sdk] {
        &self.sdks
    }

    /// The SDK behind an id returned by a matcher.
    pub fn sdk(&self, id: SdkId) -> Option<&Sdk> {
        self.sdks.get(id.index())
    }

    /// The SDK whose `id` is this string.
    pub fn sdk_by_id(&self, id: &str) -> Option<SdkId> {
        self.sdk_by_id.get(id).copied()
    }

    /// The SDK a class belongs to: the one with the longest class prefix of `name`.
    ///
    /// `name` is a type descriptor (`Lcn/jpush/android/api/JPushInterface;`, array
    /// descriptors too) or a dotted name (`cn.jpush.android.api.JPushInterface`). No
    /// allocation; one anchored automaton walk over the name.
    pub fn sdk_for_class(&self, name: &str) -> Option<SdkId> {
        Self::longest_prefix(
            name,
            &self.class_dotted,
            &self.class_slashed,
            &self.class_owner,
        )
        .map(|(id, _)| id)
    }

    /// The library a class belongs to: the one with the longest class prefix of `name`.
    pub fn library_for_class(&self, name: &str) -> Option<LibraryId> {
        Self::longest_prefix(
            name,
            &self.lib_class_dotted,
            &self.lib_class_slashed,
            &self.lib_class_owner,
        )
        .map(|(id, _)| id)
    }

    /// Who a class belongs to by its name: the SDK or library with the longest prefix of it
    /// (an SDK when both have one of the same length).
    pub fn class_owner(&self, name: &str) -> Option<ClassOwner> {
        self.class_owner_match(name).map(|(owner, _)| owner)
    }

    /// [`CompiledPack::class_owner`] with the length in bytes of the prefix that matched (the
    /// same in dotted and descriptor form), so that a caller can compare it with its own
    /// prefixes (the app's packages).
    pub fn class_owner_match(&self, name: &str) -> Option<(ClassOwner, usize)> {
        let sdk = Self::longest_prefix(
            name,
            &self.class_dotted,
            &self.class_slashed,
            &self.class_owner,
        );
        let lib = Self::longest_prefix(
            name,
            &self.lib_class_dotted,
            &self.lib_class_slashed,
            &self.lib_class_owner,
        );
        match (sdk, lib) {
            (Some((s, sl)), Some((l, ll))) => Some(if ll > sl {
                (ClassOwner::Library(l), ll)
            } else {
                (ClassOwner::Sdk(s), sl)
            }),
            (Some((s, sl)), None) => Some((ClassOwner::Sdk(s), sl)),
            (None, Some((l, ll))) => Some((ClassOwner::Library(l), ll)),
            (None, None) => None,
        }
    }

    /// The owner and length of the longest prefix of `name` in one pair of automata.
    fn longest_prefix<T: Copy>(
        name: &str,
        dotted: &AhoCorasick,
        slashed: &AhoCorasick,
        owners: &[T],
    ) -> Option<(T, usize)> {
        let bytes = name.as_bytes();
        let (hay, ac) = match descriptor_body(bytes) {
            Some(body) => (body, slashed),
            None => (bytes, dotted),
        };
        let m = ac.find(Input::new(hay).anchored(Anchored::Yes))?;
        let owner = owners.get(m.pattern().as_usize()).copied()?;
        Some((owner, m.len()))
    }

    // ---- libraries, PI types, references ------------------------------------------------

    /// Every library, in load order.
    pub fn libraries(&self) -> &[Library] {
        &self.libraries
    }

    /// The library with this index.
    pub fn library(&self, id: LibraryId) -> Option<&Library> {
        self.libraries.get(id.index())
    }

    /// The library whose `id` is this string.
    pub fn library_by_id(&self, id: &str) -> Option<LibraryId> {
        self.library_by_id.get(id).copied()
    }

    /// The `[[entry]]` tables: the call graph's roots.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The `[[async]]` tables: platform APIs that run app callbacks later.
    pub fn asyncs(&self) -> &[Async] {
        &self.asyncs
    }

    /// The `[[consent_gate]]` tables: APIs that read a stored consent flag.
    pub fn consent_gates(&self) -> &[ConsentGate] {
        &self.consent_gates
    }

    /// The `[[behaviour_api]]` tables: calls whose argument the collector rebuilds.
    pub fn behaviour_apis(&self) -> &[BehaviourApi] {
        &self.behaviour_apis
    }

    /// The `[[message]]` template with this id.
    pub fn message(&self, id: &str) -> Option<&Message> {
        self.messages.get(id)
    }

    /// What the pack says of a personal-information type (`[[pi_type]]`), when it says.
    pub fn pi_type(&self, pi_type: PiType) -> Option<&PiTypeInfo> {
        PiType::ALL
            .iter()
            .position(|p| *p == pi_type)
            .and_then(|i| self.pi_types.get(i))
            .and_then(Option::as_ref)
    }

    /// A cited reference, expanded: a `[[reference]]` with its `[[source]]`, a `[[source]]`
    /// cited whole, `<source>:<anchor>` (data tables only; `rules validate` holds checks to
    /// defined references), or a URL cited as is. `None` for anything else.
    pub fn reference(&self, id: &str) -> Option<ReferenceFacts> {
        if let Some(r) = self.references.get(id) {
            let source = self.sources.get(&r.source)?;
            return Some(ReferenceFacts {
                id: id.to_owned(),
                title: source.title.clone(),
                title_zh: source.title_zh.clone(),
                issuer: source.issuer.clone(),
                number: source.number.clone(),
                date: source.date.clone(),
                clause: Some(r.clause.clone()),
                clause_title: r.clause_title.clone(),
                clause_title_zh: r.clause_title_zh.clone(),
                url: r.url.clone().or_else(|| source.url.clone()),
                note: r.note.clone().or_else(|| source.note.clone()),
            });
        }
        if let Some(source) = self.sources.get(id) {
            return Some(ReferenceFacts {
                id: id.to_owned(),
                title: source.title.clone(),
                title_zh: source.title_zh.clone(),
                issuer: source.issuer.clone(),
                number: source.number.clone(),
                date: source.date.clone(),
                url: source.url.clone(),
                note: source.note.clone(),
                ..ReferenceFacts::default()
            });
        }
        if is_url(id) {
            return Some(ReferenceFacts {
                id: id.to_owned(),
                title: id.to_owned(),
                url: Some(id.to_owned()),
                ..ReferenceFacts::default()
            });
        }
        // `<source>:<anchor>` in data tables (an API's documentation page, a permission's
        // constant): the source, with the anchor as the clause.
        let (source_id, anchor) = id.split_once([':', '#'])?;
        let source = self.sources.get(source_id).filter(|_| !anchor.is_empty())?;
        Some(ReferenceFacts {
            id: id.to_owned(),
            title: source.title.clone(),
            title_zh: source.title_zh.clone(),
            issuer: source.issuer.clone(),
            number: source.number.clone(),
            date: source.date.clone(),
            clause: Some(anchor.to_owned()),
            url: source.url.clone(),
            note: source.note.clone(),
            ..ReferenceFacts::default()
        })
    }

    /// The SDK a manifest component (dotted class name) belongs to: an exact `components`
    /// entry, else the SDK of its class ([`CompiledPack::sdk_for_class`]).
    pub fn sdk_for_component(&self, name: &str) -> Option<SdkId> {
        self.sdk_for_component_exact(name)
            .or_else(|| self.sdk_for_class(name))
    }

    /// The SDK whose rule names this component class exactly (no class-prefix match).
    pub fn sdk_for_component_exact(&self, name: &str) -> Option<SdkId> {
        self.components.get(name).copied()
    }

    /// The SDK whose setup declares this manifest meta-data key (exact).
    pub fn sdk_for_meta_data(&self, key: &str) -> Option<SdkId> {
        self.sdk_meta_data.get(key).copied()
    }

    /// The SDKs with string markers, with how many of their `strings` must be present.
    pub fn sdk_string_sets(&self) -> &[(SdkId, usize)] {
        &self.sdk_string_sets
    }

    /// Every SDK's version sources, in SDK then rule order: a position in this list is how
    /// the code index names a source.
    pub fn version_probes(&self) -> &[(SdkId, VersionProbe)] {
        &self.version_probes
    }

    /// Where an SDK's version is read, in the rule's order, each with its position in
    /// [`CompiledPack::version_probes`] (how the code index names it).
    pub fn sdk_versions(&self, id: SdkId) -> impl Iterator<Item = (u32, &VersionProbe)> + '_ {
        let run = self
            .sdk_version_runs
            .get(id.index())
            .cloned()
            .unwrap_or(0..0);
        let start = run.start;
        self.version_probes
            .get(run)
            .unwrap_or(&[])
            .iter()
            .zip(start..)
            .filter_map(|((_, probe), i)| Some((u32::try_from(i).ok()?, probe)))
    }

    /// The SDK that declares this intent-filter action (exact).
    pub fn sdk_for_action(&self, action: &str) -> Option<SdkId> {
        self.actions.get(action).copied()
    }

    /// The SDK a native library belongs to. `file_name` may be an APK entry path
    /// (`lib/arm64-v8a/libjcore300.so`): only the part after the last `/` counts. An exact
    /// name wins over a pattern; among patterns the one with the most literal characters wins.
    pub fn sdk_for_native_lib(&self, file_name: &str) -> Option<SdkId> {
        let name = file_name.rsplit('/').next().unwrap_or(file_name);
        if let Some(id) = self.lib_exact.get(name) {
            return Some(*id);
        }
        let mut best: Option<&Glob<SdkId>> = None;
        for g in &self.lib_globs {
            if g.matches(name) && best.is_none_or(|b| g.literal_len > b.literal_len) {
                best = Some(g);
            }
        }
        best.map(|g| g.owner)
    }

    /// The SDK a host name belongs to: a domain matches itself and its subdomains
    /// (`api.jpush.cn` → `jpush.cn`); the longest matching domain wins. Case and a final
    /// `.` are ignored.
    pub fn sdk_for_domain(&self, host: &str) -> Option<SdkId> {
        let host = host.strip_suffix('.').unwrap_or(host);
        let host: Cow<'_, str> = if host.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(host.to_ascii_lowercase())
        } else {
            Cow::Borrowed(host)
        };
        let mut rest: &str = &host;
        loop {
            if let Some(id) = self.domains.get(rest) {
                return Some(*id);
            }
            rest = rest.split_once('.')?.1;
        }
    }

    // ---- packers -----------------------------------------------------------------------

    /// Every packer, in load order ([`PackerId::index`] indexes this).
    pub fn packers(&self) -> &[Packer] {
        &self.packers
    }

    /// The packer behind an id returned by a matcher.
    pub fn packer(&self, id: PackerId) -> Option<&Packer> {
        self.packers.get(id.index())
    }

    /// The packer whose `id` is this string.
    pub fn packer_by_id(&self, id: &str) -> Option<PackerId> {
        self.packer_by_id.get(id).copied()
    }

    /// The packer whose stub this manifest `<application android:name>` or
    /// `android:appComponentFactory` class is (exact dotted name).
    pub fn packer_for_application_class(&self, name: &str) -> Option<PackerId> {
        self.packer_matchers.app_classes.get(name).copied()
    }

    /// The packer a class belongs to: one of its application classes (exact), else the
    /// packer with the longest class prefix of `name`. `name` is a type descriptor
    /// (`Lcom/stub/StubApp;`) or a dotted name.
    pub fn packer_for_class(&self, name: &str) -> Option<PackerId> {
        let m = &self.packer_matchers;
        let bytes = name.as_bytes();
        let (hay, ac, exact) = match descriptor_body(bytes) {
            Some(body) => (body, &m.class_slashed, &m.app_descriptors),
            None => (bytes, &m.class_dotted, &m.app_classes),
        };
        if let Some(id) = exact.get(name) {
            return Some(*id);
        }
        let found = ac.find(Input::new(hay).anchored(Anchored::Yes))?;
        m.class_owner.get(found.pattern().as_usize()).copied()
    }

    /// The packer a native library belongs to; only the part of `file_name` after the last
    /// `/` counts. An exact name wins over a pattern; among patterns the one with the most
    /// literal characters wins.
    pub fn packer_for_native_lib(&self, file_name: &str) -> Option<PackerId> {
        let name = file_name.rsplit('/').next().unwrap_or(file_name);
        self.packer_matchers.native_libs.find(name)
    }

    /// The packer an APK entry (`assets/ijiami.dat`) belongs to, matched against the whole
    /// entry path; `*` also matches `/`.
    pub fn packer_for_asset(&self, entry: &str) -> Option<PackerId> {
        self.packer_matchers.assets.find(entry)
    }

    // ---- APIs --------------------------------------------------------------------------

    /// Every API, in load order ([`ApiId::index`] indexes this).
    pub fn apis(&self) -> &[Api] {
        &self.apis
    }

    /// The API behind an id returned by a matcher.
    pub fn api(&self, id: ApiId) -> Option<&Api> {
        self.apis.get(id.index())
    }

    /// The APIs of one kind, in load order.
    pub fn apis_of_kind(&self, kind: ApiKind) -> &[ApiId] {
        self.apis_by_kind
            .get(kind_slot(kind))
            .map_or(&[], Vec::as_slice)
    }

    /// The method APIs with this exact smali reference (`Lcls;->name(params)ret`).
    pub fn api_for_method(&self, signature: &str) -> &[ApiId] {
        self.methods.get(signature).map_or(&[], Vec::as_slice)
    }

    /// The field APIs with this exact smali reference (`Lcls;->name:Type`).
    pub fn api_for_field(&self, signature: &str) -> &[ApiId] {
        self.fields.get(signature).map_or(&[], Vec::as_slice)
    }

    /// The method and field APIs whose owner is this class descriptor (`Lcls;`): a cheap
    /// filter before building a full reference string.
    pub fn apis_of_class(&self, descriptor: &str) -> &[ApiId] {
        self.api_classes.get(descriptor).map_or(&[], Vec::as_slice)
    }

    /// Every string API equal to `s` and every content-uri API that is a prefix of `s`, in
    /// load order within each group.
    pub fn api_for_string<'a>(&'a self, s: &'a str) -> impl Iterator<Item = ApiId> + 'a {
        let exact = self.strings.get(s).map_or(&[][..], Vec::as_slice);
        let uris = if s.starts_with(CONTENT_SCHEME) {
            &self.content_uris[..]
        } else {
            &[]
        };
        exact.iter().copied().chain(
            uris.iter()
                .filter(move |(p, _)| s.starts_with(p.as_str()))
                .map(|(_, id)| *id),
        )
    }

    // ---- secrets -----------------------------------------------------------------------

    /// Every secret, in load order ([`SecretId::index`] indexes this).
    pub fn secrets(&self) -> &[Secret] {
        &self.secrets
    }

    /// The secret behind an id.
    pub fn secret(&self, id: SecretId) -> Option<&Secret> {
        self.secrets.get(id.index())
    }

    /// The secret whose `id` is this string.
    pub fn secret_by_id(&self, id: &str) -> Option<SecretId> {
        self.secret_by_id.get(id).copied()
    }

    /// Every literal prefix with its shape, in load order: the engine puts them in one
    /// automaton with the URL schemes and checks the shape after each match.
    pub fn secret_prefixes(&self) -> &[SecretPrefix] {
        &self.secret_prefixes
    }

    /// The secret whose value a manifest `<meta-data>` of this exact name holds.
    pub fn secret_for_meta_data(&self, name: &str) -> Option<SecretId> {
        self.secret_meta_data.get(name).copied()
    }

    // ---- checks and tests --------------------------------------------------------------

    /// Every check, in load order.
    pub fn checks(&self) -> &[CompiledCheck] {
        &self.checks
    }

    /// The check with this id.
    pub fn check(&self, id: &str) -> Option<&CompiledCheck> {
        self.checks.iter().find(|c| c.check.id == id)
    }

    /// Every rule test, in load order.
    pub fn tests(&self) -> &[RuleTest] {
        &self.tests
    }
}

/// The `pkg/Name` body of a class descriptor (`[[Lpkg/Name;` too), or `None` for a dotted name.
fn descriptor_body(b: &[u8]) -> Option<&[u8]> {
    let dims = b.iter().take_while(|c| **c == b'[').count();
    b.get(dims..)?.strip_prefix(b"L")?.strip_suffix(b";")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let g = Glob::new("libjcore*.so", SdkId(0));
        assert!(g.matches("libjcore.so") && g.matches("libjcore300.so"));
        assert!(!g.matches("libjcore300.so.bak") && !g.matches("libjcor.so"));
        let g = Glob::new("lib*bugly*.so", SdkId(0));
        assert!(
            g.matches("libBuglybugly.so") && g.matches("libxbuglyy.so") && !g.matches("libbug.so")
        );
        let g = Glob::new("libx.so", SdkId(0));
        assert!(g.matches("libx.so") && !g.matches("libx.so1"));
        // Overlapping prefix and suffix must not share characters.
        let g = Glob::new("ab*ba", SdkId(0));
        assert!(!g.matches("aba") && g.matches("abba"));
    }

    #[test]
    fn descriptors() {
        assert_eq!(descriptor_body(b"La/b/C;"), Some(&b"a/b/C"[..]));
        assert_eq!(descriptor_body(b"[[La/b/C;"), Some(&b"a/b/C"[..]));
        assert_eq!(descriptor_body(b"a.b.C"), None);
        assert_eq!(descriptor_body(b"La.b.C"), None);
        assert_eq!(descriptor_body(b""), None);
    }
}
