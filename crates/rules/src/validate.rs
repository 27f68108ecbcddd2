//! Pack validation: every rule the format states beyond what the types already enforce.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use crate::compile::is_url;
use crate::diag::{Collector, Diagnostic, MAX_DIAGNOSTICS, codes};
use crate::model::{ApiKind, ApiUser, CheckParams, PiType, SecretCharset};
use crate::pack::{Origin, Pack};

/// Packages too generic to be an SDK prefix: they hold the platform, a language runtime, a
/// whole vendor or many unrelated libraries, so attributing every class under them to one SDK
/// would be wrong. A package prefix equal to one of these is rejected (`E033`); a longer one
/// (`com.google.android.gms.ads.`) is fine. Keep in step with `GENERIC_PREFIXES` in
/// `tools/rulepack_common.py`.
pub const GENERIC_PREFIXES: &[&str] = &[
    // Platform and language runtimes.
    "android.",
    "androidx.",
    "java.",
    "javax.",
    "kotlin.",
    "kotlinx.",
    "dalvik.",
    "sun.",
    "com.android.",
    "com.android.internal.",
    "com.sun.",
    "org.android.",
    // Top-level domains.
    "org.",
    "com.",
    "cn.",
    "net.",
    "io.",
    "me.",
    "cn.com.",
    // Whole vendors or shared library namespaces (many unrelated SDKs below each).
    "com.google.",
    "com.google.android.",
    "com.google.android.gms.",
    "com.google.firebase.",
    "org.apache.",
    "org.json.",
    "org.w3c.",
    "org.xml.",
    "org.chromium.",
    "com.github.",
    "com.facebook.",
    "com.tencent.",
    "com.alibaba.",
    "com.taobao.",
    "com.baidu.",
    "com.huawei.",
    "com.xiaomi.",
    "com.bytedance.",
    "com.ss.",
    "com.ss.android.",
    "com.amazon.",
    "com.microsoft.",
    "com.samsung.",
    "com.sina.",
    "com.netease.",
    "com.qq.",
    "com.jd.",
    "com.kwai.",
    "com.meituan.",
    "com.example.",
    "com.sdk.",
    "com.cmcc.",
    "com.oppo.",
    "com.vivo.",
    "com.meizu.",
    "com.heytap.",
    "com.hihonor.",
];

/// Android protection-level bases (`android:protectionLevel`, `R.attr#protectionLevel`).
const PROTECTION_BASES: &[&str] = &[
    "normal",
    "dangerous",
    "signature",
    "signatureOrSystem",
    "internal",
];

/// Android protection-level flags (`R.attr#protectionLevel`, `PermissionInfo.PROTECTION_FLAG_*`).
const PROTECTION_FLAGS: &[&str] = &[
    "privileged",
    "system",
    "development",
    "appop",
    "pre23",
    "installer",
    "verifier",
    "preinstalled",
    "setup",
    "instant",
    "runtime",
    "oem",
    "vendorPrivileged",
    "textClassifier",
    "wellbeing",
    "documenter",
    "configurator",
    "incidentReportApprover",
    "appPredictor",
    "module",
    "companion",
    "retailDemo",
    "recents",
    "role",
    "knownSigner",
];

/// Most array dimensions a dex type descriptor may have (dex format: `[` × 255).
const MAX_ARRAY_DIMENSIONS: usize = 255;

/// Least literal text a native-library pattern must keep beside `lib`, `.so` and `*`: `lib*.so`
/// would match every library.
const MIN_NATIVE_LIB_LITERAL: usize = 2;

/// Highest API level a permission or an API's permission range may name: a guard against typos
/// (`230` for `23`). Android 16 is API 36; raise this when the platform gets near it.
const MAX_API_LEVEL: u32 = 40;

/// Least literal text an asset pattern's file name must keep beside `*`: `assets/*` would
/// match every asset.
const MIN_ASSET_LITERAL: usize = 3;

/// Longest DNS name and label (RFC 1035 §2.3.4).
const MAX_DOMAIN_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

/// Shortest `[[secret]]` prefix or meta-data name.
const MIN_SECRET_LITERAL: usize = 3;
/// Longest run a `[[secret]]` shape may allow after its prefix.
pub(crate) const MAX_SECRET_RUN: u32 = 1024;
/// Shortest run a `[[secret]]` shape may require (except `pem-label`, whose label is checked
/// by its `PRIVATE KEY-----` ending): fewer random characters match ordinary words.
const MIN_SECRET_RUN: u32 = 8;

impl Pack {
    /// Every problem of the pack, sorted by file, line and column. The pack compiles when none
    /// of them is an error ([`Diagnostic::is_error`]).
    ///
    /// At most [`MAX_DIAGNOSTICS`] are returned (the first ones), then one
    /// [`codes::MORE_ERRORS`] and one [`codes::MORE_WARNINGS`] diagnostic counting the others,
    /// so a pack with errors left out still fails. Time and memory are linear in the pack
    /// (`n log n` for the sort), whatever it holds.
    pub fn validate(&self) -> Vec<Diagnostic> {
        let mut v = Validator {
            out: Collector::new(MAX_DIAGNOSTICS, true),
            reference_ids: self.references.iter().map(|r| r.id.clone()).collect(),
            source_ids: self.sources_.iter().map(|s| s.id.clone()).collect(),
        };
        v.ids(self);
        v.permissions(self);
        v.sdks(self);
        v.libraries(self);
        v.packers(self);
        v.apis(self);
        v.pi_types(self);
        v.secrets(self);
        v.checks(self);
        v.overlapping_checks(self);
        v.sources(self);
        v.messages(self);
        v.call_graph(self);
        v.tests(self);
        v.out.finish()
    }
}

struct Validator {
    /// Sorted and deduplicated as it fills.
    out: Collector,
    /// Ids of the `[[reference]]` tables.
    reference_ids: HashSet<String>,
    /// Ids of the `[[source]]` tables.
    source_ids: HashSet<String>,
}

impl Validator {
    fn push(&mut self, o: &Origin, code: &'static str, kind: &str, path: &str, msg: String) {
        self.out.push(o.diag(code, kind, path, msg));
    }

    /// `references` must be non-empty and resolve: a check cites `[[reference]]` or
    /// `[[source]]` ids; other tables may also cite `<source>:<anything>` or a web address.
    fn references(&mut self, o: &Origin, kind: &str, refs: &[String]) {
        let strict = kind == "check";
        for (i, r) in refs.iter().enumerate() {
            if r.trim().is_empty() || self.resolves(r, strict) {
                continue;
            }
            let hint = if strict {
                "a check cites a `[[reference]]` or `[[source]]` id"
            } else {
                "cite a `[[reference]]` or `[[source]]` id, `<source>:<clause>` or a web address"
            };
            self.push(
                o,
                codes::UNKNOWN_REFERENCE,
                kind,
                &format!("references[{i}]"),
                format!("reference `{}` is not defined: {hint}", abbreviated(r)),
            );
        }
        if refs.is_empty() {
            self.push(
                o,
                codes::NO_REFERENCES,
                kind,
                "references",
                "`references` is empty: name \
                where the facts come from"
                    .into(),
            );
        }
        for (i, r) in refs.iter().enumerate() {
            if r.trim().is_empty() {
                self.push(
                    o,
                    codes::NO_REFERENCES,
                    kind,
                    &format!("references[{i}]"),
                    "empty \
                    reference"
                        .into(),
                );
            }
        }
    }

    fn resolves(&self, r: &str, strict: bool) -> bool {
        // A pack that defines no source cites free text: there is nothing to resolve against
        // (a stand-alone test pack). The default pack, and every pack added to it, resolves.
        if self.source_ids.is_empty()
            || self.reference_ids.contains(r)
            || self.source_ids.contains(r)
        {
            return true;
        }
        if strict {
            return false;
        }
        is_url(r)
            || r.split_once([':', '#'])
                .is_some_and(|(source, rest)| !rest.is_empty() && self.source_ids.contains(source))
    }

    fn text(&mut self, o: &Origin, kind: &str, key: &str, value: &str) {
        if value.trim().is_empty() {
            self.push(o, codes::EMPTY_TEXT, kind, key, format!("`{key}` is empty"));
        }
    }

    /// Warns about values listed twice in one list (every repeat after the first).
    fn dup_values<T: Eq + Hash + std::fmt::Display>(
        &mut self,
        o: &Origin,
        kind: &str,
        key: &str,
        values: &[T],
    ) {
        let mut seen = HashSet::with_capacity(values.len());
        for (i, v) in values.iter().enumerate() {
            if !seen.insert(v) {
                self.push(
                    o,
                    codes::DUPLICATE_VALUE,
                    kind,
                    &format!("{key}[{i}]"),
                    format!("`{v}` is listed twice in `{key}`"),
                );
            }
        }
    }

    fn ids(&mut self, pack: &Pack) {
        let mut seen: HashMap<&str, &Origin> = HashMap::new();
        let entries = pack
            .sdks
            .iter()
            .map(|s| (s.id.as_str(), &s.origin, "sdk"))
            .chain(
                pack.packers
                    .iter()
                    .map(|p| (p.id.as_str(), &p.origin, "packer")),
            )
            .chain(pack.apis.iter().map(|a| (a.id.as_str(), &a.origin, "api")))
            .chain(
                pack.secrets
                    .iter()
                    .map(|s| (s.id.as_str(), &s.origin, "secret")),
            )
            .chain(
                pack.checks
                    .iter()
                    .map(|c| (c.id.as_str(), &c.origin, "check")),
            )
            .chain(
                pack.libraries
                    .iter()
                    .map(|l| (l.id.as_str(), &l.origin, "library")),
            )
            .chain(
                pack.pi_types
                    .iter()
                    .map(|t| (t.id.as_str(), &t.origin, "pi_type")),
            )
            .chain(
                pack.sources_
                    .iter()
                    .map(|s| (s.id.as_str(), &s.origin, "source")),
            )
            .chain(
                pack.references
                    .iter()
                    .map(|r| (r.id.as_str(), &r.origin, "reference")),
            )
            .chain(
                pack.messages
                    .iter()
                    .map(|m| (m.id.as_str(), &m.origin, "message")),
            )
            .chain(
                pack.entries
                    .iter()
                    .map(|e| (e.id.as_str(), &e.origin, "entry")),
            )
            .chain(
                pack.asyncs
                    .iter()
                    .map(|a| (a.id.as_str(), &a.origin, "async")),
            )
            .chain(
                pack.consent_gates
                    .iter()
                    .map(|g| (g.id.as_str(), &g.origin, "consent_gate")),
            )
            .chain(
                pack.behaviour_apis
                    .iter()
                    .map(|b| (b.id.as_str(), &b.origin, "behaviour_api")),
            );
        for (id, origin, kind) in entries {
            if let Some(first) = seen.get(id) {
                let msg = format!("duplicate id `{id}`: first defined at {}", first.location());
                self.push(origin, codes::DUPLICATE_ID, kind, "id", msg);
            } else {
                seen.insert(id, origin);
            }
        }
        let mut names: HashMap<&str, &Origin> = HashMap::new();
        for p in &pack.permissions {
            if let Some(first) = names.get(p.name.as_str()) {
                let msg = format!(
                    "permission `{}` is defined twice: first at {}",
                    p.name,
                    first.location()
                );
                self.push(
                    &p.origin,
                    codes::DUPLICATE_PERMISSION,
                    "permission",
                    "name",
                    msg,
                );
            } else {
                names.insert(&p.name, &p.origin);
            }
        }
    }

    fn permissions(&mut self, pack: &Pack) {
        const K: &str = "permission";
        for p in &pack.permissions {
            let o = &p.origin;
            if !is_permission_name(&p.name) {
                self.push(
                    o,
                    codes::BAD_PERMISSION_NAME,
                    K,
                    "name",
                    format!(
                        "`{}` is not a permission name (dotted, at least two segments)",
                        p.name
                    ),
                );
            }
            if let Some(problem) = protection_level_problem(&p.protection_level) {
                self.push(
                    o,
                    codes::BAD_PROTECTION_LEVEL,
                    K,
                    "protection_level",
                    problem,
                );
            }
            if p.added_in == 0 {
                self.push(
                    o,
                    codes::BAD_API_LEVEL,
                    K,
                    "added_in",
                    "`added_in` is an API level, \
                    at least 1"
                        .into(),
                );
            }
            self.level_ceiling(
                o,
                K,
                None,
                [
                    ("added_in", Some(p.added_in)),
                    ("deprecated_in", p.deprecated_in),
                ],
            );
            if let Some(d) = p.deprecated_in
                && d < p.added_in
            {
                self.push(
                    o,
                    codes::BAD_API_LEVEL,
                    K,
                    "deprecated_in",
                    format!(
                        "`deprecated_in` ({d}) is before `added_in` ({})",
                        p.added_in
                    ),
                );
            }
            if p.group.is_some() && p.special.is_some() {
                self.push(
                    o,
                    codes::GROUP_AND_SPECIAL,
                    K,
                    "special",
                    "a permission has either a \
                    TC260 `group` or a `special` class, never both"
                        .into(),
                );
            }
            self.dup_values(o, K, "pi_types", &p.pi_types);
            self.references(o, K, &p.references);
        }
    }

    #[expect(clippy::too_many_lines, reason = "one flat list of the [[sdk]] rules")]
    fn sdks(&mut self, pack: &Pack) {
        const K: &str = "sdk";
        // value -> (sdk index, path) of its first claimant, per signature list.
        let mut claims: [HashMap<&str, (usize, String)>; 6] = Default::default();
        let mut names: HashMap<String, usize> = HashMap::new();
        for (n, s) in pack.sdks.iter().enumerate() {
            let o = &s.origin;
            if !is_kebab_id(&s.id) {
                self.push(
                    o,
                    codes::BAD_ID,
                    K,
                    "id",
                    format!(
                        "SDK id `{}` must be lowercase letters, digits and single dashes",
                        s.id
                    ),
                );
            }
            self.text(o, K, "name", &s.name);
            self.text(o, K, "purpose", &s.purpose);
            for (i, p) in s.class_prefixes.iter().enumerate() {
                if let Some((code, msg)) = prefix_problem(p) {
                    self.push(o, code, K, &format!("class_prefixes[{i}]"), msg);
                }
            }
            for (i, c) in s.components.iter().enumerate() {
                if !is_class_name(c) {
                    self.push(
                        o,
                        codes::BAD_COMPONENT,
                        K,
                        &format!("components[{i}]"),
                        format!("component `{c}` is not a fully qualified class name"),
                    );
                }
            }
            for (i, a) in s.intent_actions.iter().enumerate() {
                if let Some(msg) = action_problem(a) {
                    self.push(
                        o,
                        codes::BAD_ACTION,
                        K,
                        &format!("intent_actions[{i}]"),
                        msg,
                    );
                }
            }
            for (i, l) in s.native_libs.iter().enumerate() {
                if let Some(msg) = native_lib_problem(l) {
                    self.push(
                        o,
                        codes::BAD_NATIVE_LIB,
                        K,
                        &format!("native_libs[{i}]"),
                        msg,
                    );
                }
            }
            for (i, d) in s.domains.iter().enumerate() {
                if let Some(msg) = domain_problem(d) {
                    self.push(o, codes::BAD_DOMAIN, K, &format!("domains[{i}]"), msg);
                }
            }
            for (i, k) in s.meta_data.iter().enumerate() {
                if k.is_empty() || k.chars().any(char::is_whitespace) {
                    self.push(
                        o,
                        codes::INVALID_VALUE,
                        K,
                        &format!("meta_data[{i}]"),
                        format!("meta-data key `{k}` is empty or contains white space"),
                    );
                }
            }
            self.sdk_strings(o, s);
            self.sdk_versions(o, s);
            self.sdk_same_name(o, s, n, &mut names, pack);
            let lists: [(&str, &[String]); 6] = [
                ("class_prefixes", &s.class_prefixes),
                ("components", &s.components),
                ("intent_actions", &s.intent_actions),
                ("native_libs", &s.native_libs),
                ("domains", &s.domains),
                ("meta_data", &s.meta_data),
            ];
            if lists.iter().all(|(_, l)| l.is_empty()) && s.strings.is_empty() {
                self.push(
                    o,
                    codes::SDK_WITHOUT_SIGNATURE,
                    K,
                    "id",
                    format!(
                        "SDK `{}` has no class prefix, component, action, native library, domain, \
                     meta-data key or string marker: it can never be detected",
                        s.id
                    ),
                );
            }
            for ((key, list), seen) in lists.iter().zip(claims.iter_mut()) {
                self.dup_values(o, K, key, list);
                for (i, v) in list.iter().enumerate() {
                    let path = format!("{key}[{i}]");
                    match seen.get(v.as_str()) {
                        Some((first, first_path)) if *first != n => {
                            let Some(other) = pack.sdks.get(*first) else {
                                continue;
                            };
                            let (code, what) = match *key {
                                "domains" => (codes::DOMAIN_CLAIMED_TWICE, "domain"),
                                "class_prefixes" => (codes::CLAIMED_TWICE, "class prefix"),
                                "components" => (codes::CLAIMED_TWICE, "component"),
                                "intent_actions" => (codes::CLAIMED_TWICE, "intent action"),
                                "meta_data" => (codes::CLAIMED_TWICE, "meta-data key"),
                                _ => (codes::CLAIMED_TWICE, "native library"),
                            };
                            let msg = format!(
                                "{what} `{v}` of SDK `{}` is already claimed by SDK `{}` ({} {})",
                                abbreviated(&s.id),
                                abbreviated(&other.id),
                                other
                                    .origin
                                    .field_location(first_path)
                                    .unwrap_or_else(|| other.origin.location()),
                                first_path,
                            );
                            self.push(o, code, K, &path, msg);
                        }
                        Some(_) => {}
                        None => {
                            seen.insert(v, (n, path));
                        }
                    }
                }
            }
            self.sdk_provider(o, s);
            self.references(o, K, &s.references);
        }
    }

    /// String markers name an SDK only when they are specific: at least two, each at least
    /// eight characters, and `strings_min` between 2 and their number.
    fn sdk_strings(&mut self, o: &Origin, s: &crate::model::Sdk) {
        const K: &str = "sdk";
        if s.strings.is_empty() {
            if s.strings_min.is_some() {
                self.push(
                    o,
                    codes::WEAK_SDK_STRINGS,
                    K,
                    "strings_min",
                    "`strings_min` without `strings`".to_owned(),
                );
            }
            return;
        }
        self.dup_values(o, K, "strings", &s.strings);
        if s.strings.len() < 2 {
            self.push(
                o,
                codes::WEAK_SDK_STRINGS,
                K,
                "strings",
                format!(
                    "SDK `{}` has one string marker: one string names no SDK, list at least two",
                    abbreviated(&s.id)
                ),
            );
        }
        for (i, v) in s.strings.iter().enumerate() {
            if v.chars().count() < 8 {
                self.push(o, codes::WEAK_SDK_STRINGS, K, &format!("strings[{i}]"), format!(
                    "string marker `{v}` is shorter than eight characters: too common to name an SDK"
                ));
            }
        }
        if let Some(min) = s.strings_min
            && (min < 2 || usize::try_from(min).unwrap_or(usize::MAX) > s.strings.len())
        {
            self.push(
                o,
                codes::WEAK_SDK_STRINGS,
                K,
                "strings_min",
                format!(
                    "`strings_min = {min}` must be at least 2 and at most the {} markers listed",
                    s.strings.len()
                ),
            );
        }
    }

    /// Each version source names exactly one location, well formed, and compiles.
    fn sdk_versions(&mut self, o: &Origin, s: &crate::model::Sdk) {
        const K: &str = "sdk";
        for (i, v) in s.versions.iter().enumerate() {
            let path = format!("versions[{i}]");
            let set = [&v.field, &v.method, &v.string_prefix, &v.native_lib]
                .iter()
                .filter(|x| x.is_some())
                .count();
            let problem = if set != 1 {
                Some(format!(
                    "a version source names exactly one of `field`, `method`, `string_prefix`, \
                     `native_lib` ({set} given)"
                ))
            } else if let Some(f) = &v.field {
                field_signature_problem(f).map(|e| format!("field `{f}`: {e}"))
            } else if let Some(m) = &v.method {
                method_signature_problem(m).map(|e| format!("method `{m}`: {e}"))
            } else if v
                .string_prefix
                .as_deref()
                .is_some_and(|p| p.chars().count() < 4)
            {
                Some("a `string_prefix` of fewer than four characters matches too much".to_owned())
            } else if let Some(l) = &v.native_lib {
                match regex::Regex::new(l) {
                    Err(e) => Some(format!("`native_lib` does not compile: {e}")),
                    Ok(r) if r.captures_len() < 2 => {
                        Some("`native_lib` needs a capture group: the version".to_owned())
                    }
                    Ok(_) => None,
                }
            } else {
                None
            };
            let problem = problem.or_else(|| {
                let p = v.pattern.as_deref()?;
                regex::Regex::new(p)
                    .err()
                    .map(|e| format!("`pattern` does not compile: {e}"))
            });
            if let Some(msg) = problem {
                self.push(o, codes::BAD_VERSION_SOURCE, K, &path, msg);
            }
        }
    }

    /// One SDK, one id: two entries with the same name (English or Chinese) are one SDK listed
    /// twice.
    fn sdk_same_name(
        &mut self,
        o: &Origin,
        s: &crate::model::Sdk,
        n: usize,
        names: &mut HashMap<String, usize>,
        pack: &Pack,
    ) {
        let keys = std::iter::once(("name", s.name.trim().to_lowercase())).chain(
            s.name_zh
                .iter()
                .map(|z| ("name_zh", z.trim().to_lowercase())),
        );
        for (field, key) in keys {
            if key.is_empty() {
                continue;
            }
            match names.get(&key) {
                Some(&first)
                    if first != n && pack.sdks.get(first).is_some_and(|x| x.id != s.id) =>
                {
                    // (Two entries with one id are already a duplicate id.)
                    let other = pack.sdks.get(first).map_or("?", |x| x.id.as_str());
                    self.push(o, codes::SDK_OVERLAP, "sdk", field, format!(
                        "SDK `{}` has the name `{key}` of SDK `{}`: one SDK is listed under two \
                         ids; merge them",
                        abbreviated(&s.id),
                        abbreviated(other)
                    ));
                }
                Some(_) => {}
                None => {
                    names.insert(key, n);
                }
            }
        }
    }

    /// An SDK names who makes it; a curated Chinese SDK (one with a `name_zh`) also names its
    /// legal entity and its privacy policy, which the third-party sharing list an app publishes
    /// (第三方信息共享清单) needs. Optional texts, when given, are not empty; links are web
    /// addresses; an Exodus id is positive.
    fn sdk_provider(&mut self, o: &Origin, s: &crate::model::Sdk) {
        const K: &str = "sdk";
        let id = abbreviated(&s.id);
        let blank = |v: &str| v.trim().is_empty();
        match s.vendor.as_deref() {
            None => self.push(
                o,
                codes::SDK_WITHOUT_VENDOR,
                K,
                "id",
                format!("SDK `{id}` does not say who makes it: add `vendor`"),
            ),
            Some(v) if blank(v) => self.push(
                o,
                codes::SDK_WITHOUT_VENDOR,
                K,
                "vendor",
                format!("SDK `{id}` has an empty `vendor`: name the company that makes it"),
            ),
            Some(_) => {}
        }
        let curated = match s.name_zh.as_deref() {
            Some(n) if blank(n) => {
                self.text(o, K, "name_zh", n);
                false
            }
            Some(_) => true,
            None => false,
        };
        for (key, value, what) in [
            (
                "legal_entity",
                &s.legal_entity,
                "the registered name of the company that provides it",
            ),
            (
                "privacy_policy",
                &s.privacy_policy,
                "the address of its privacy policy",
            ),
        ] {
            match value.as_deref() {
                None if curated => self.push(
                    o,
                    codes::SDK_WITHOUT_VENDOR,
                    K,
                    "id",
                    format!(
                        "SDK `{id}` has a `name_zh`, so the third-party sharing list names it: add \
                         `{key}` ({what})"
                    ),
                ),
                Some(v) if blank(v) && curated => self.push(
                    o,
                    codes::SDK_WITHOUT_VENDOR,
                    K,
                    key,
                    format!("SDK `{id}` has an empty `{key}`: give {what}"),
                ),
                Some(v) if blank(v) => self.text(o, K, key, v),
                _ => {}
            }
        }
        for (key, value) in [
            ("homepage", &s.homepage),
            ("privacy_policy", &s.privacy_policy),
        ] {
            if let Some(v) = value.as_deref()
                && !blank(v)
                && !is_url(v)
            {
                self.push(
                    o,
                    codes::INVALID_VALUE,
                    K,
                    key,
                    format!(
                        "`{key}` = `{}` is not a web address (`https://…` or `http://…`)",
                        abbreviated(v)
                    ),
                );
            }
        }
        if s.exodus_id == Some(0) {
            self.push(
                o,
                codes::INVALID_VALUE,
                K,
                "exodus_id",
                "`exodus_id` is an Exodus tracker id, at least 1".into(),
            );
        }
    }

    /// `[[library]]` tables: ids, names, prefixes (no prefix claimed by an SDK or another
    /// library), references.
    fn libraries(&mut self, pack: &Pack) {
        const K: &str = "library";
        // prefix -> ("SDK" or "library", id) of its first claimant
        let mut claimed: HashMap<&str, (&str, &str)> = HashMap::new();
        for s in &pack.sdks {
            for p in &s.class_prefixes {
                claimed.entry(p).or_insert(("SDK", &s.id));
            }
        }
        for l in &pack.libraries {
            let o = &l.origin;
            if !is_kebab_id(&l.id) {
                self.push(
                    o,
                    codes::BAD_ID,
                    K,
                    "id",
                    format!(
                        "library id `{}` must be lowercase letters, digits and single dashes",
                        abbreviated(&l.id)
                    ),
                );
            }
            self.text(o, K, "name", &l.name);
            if l.class_prefixes.is_empty() {
                self.push(
                    o,
                    codes::EMPTY_TEXT,
                    K,
                    "class_prefixes",
                    "a library needs at least one class prefix".into(),
                );
            }
            self.dup_values(o, K, "class_prefixes", &l.class_prefixes);
            for (i, p) in l.class_prefixes.iter().enumerate() {
                let path = format!("class_prefixes[{i}]");
                if let Some((code, msg)) = library_prefix_problem(p) {
                    self.push(o, code, K, &path, msg);
                }
                match claimed.get(p.as_str()) {
                    Some((what, id)) if !(*what == "library" && *id == l.id) => {
                        let msg = format!(
                            "class prefix `{p}` is already claimed by {what} `{}`",
                            abbreviated(id)
                        );
                        self.push(o, codes::CLAIMED_TWICE, K, &path, msg);
                    }
                    Some(_) => {}
                    None => {
                        claimed.insert(p, ("library", &l.id));
                    }
                }
            }
            self.references(o, K, &l.references);
        }
    }

    /// `[[pi_type]]` tables: labels and reasons present, every type described once the pack
    /// describes any.
    fn pi_types(&mut self, pack: &Pack) {
        const K: &str = "pi_type";
        for t in &pack.pi_types {
            let o = &t.origin;
            self.text(o, K, "name", &t.name);
            self.text(o, K, "name_zh", &t.name_zh);
            self.text(o, K, "severity_reason", &t.severity_reason);
            self.text(o, K, "severity_reason_zh", &t.severity_reason_zh);
            self.references(o, K, &t.references);
        }
        let Some(first) = pack.pi_types.first() else {
            return;
        };
        let described: HashSet<PiType> = pack.pi_types.iter().map(|t| t.id).collect();
        for t in PiType::ALL {
            if !described.contains(t) {
                self.push(
                    &first.origin,
                    codes::MISSING_PI_TYPE,
                    K,
                    "id",
                    format!("personal-information type `{t}` has no [[pi_type]] table"),
                );
            }
        }
    }

    /// `[[source]]` and `[[reference]]` tables: texts, dates, every reference's source defined.
    fn sources(&mut self, pack: &Pack) {
        for s in &pack.sources_ {
            let o = &s.origin;
            self.text(o, "source", "id", &s.id);
            self.text(o, "source", "title", &s.title);
            if let Some(date) = &s.date
                && !crate::model::is_iso_day(date)
            {
                self.push(
                    o,
                    codes::BAD_DATE,
                    "source",
                    "date",
                    format!("date `{date}` is not YYYY-MM-DD"),
                );
            }
        }
        for r in &pack.references {
            let o = &r.origin;
            self.text(o, "reference", "id", &r.id);
            self.text(o, "reference", "clause", &r.clause);
            if !self.source_ids.contains(&r.source) {
                self.push(
                    o,
                    codes::UNKNOWN_SOURCE,
                    "reference",
                    "source",
                    format!(
                        "reference `{}` names source `{}`, which no [[source]] table defines",
                        abbreviated(&r.id),
                        abbreviated(&r.source)
                    ),
                );
            }
        }
    }

    /// The call graph's configuration: `[[entry]]`, `[[async]]` and `[[consent_gate]]` tables,
    /// and the SDKs' `init_apis` and `privacy_switches`: ids, non-empty lists, well-formed
    /// method signatures (E040) and selectors.
    fn call_graph(&mut self, pack: &Pack) {
        for e in &pack.entries {
            let o = &e.origin;
            self.id_and_list(o, "entry", &e.id, "methods", &e.methods);
            self.selectors(o, "entry", "methods", &e.methods);
            self.references(o, "entry", &e.references);
        }
        for a in &pack.asyncs {
            let o = &a.origin;
            self.id_and_list(o, "async", &a.id, "apis", &a.apis);
            self.id_and_list(o, "async", &a.id, "callbacks", &a.callbacks);
            self.signatures(o, "async", "apis", &a.apis);
            self.selectors(o, "async", "callbacks", &a.callbacks);
            self.references(o, "async", &a.references);
        }
        for g in &pack.consent_gates {
            let o = &g.origin;
            self.id_and_list(o, "consent_gate", &g.id, "apis", &g.apis);
            self.signatures(o, "consent_gate", "apis", &g.apis);
            self.references(o, "consent_gate", &g.references);
        }
        for b in &pack.behaviour_apis {
            let o = &b.origin;
            self.id_and_list(o, "behaviour_api", &b.id, "apis", &b.apis);
            self.signatures(o, "behaviour_api", "apis", &b.apis);
            self.references(o, "behaviour_api", &b.references);
        }
        for s in &pack.sdks {
            self.signatures(&s.origin, "sdk", "init_apis", &s.init_apis);
            self.signatures(&s.origin, "sdk", "privacy_switches", &s.privacy_switches);
        }
    }

    fn id_and_list(&mut self, o: &Origin, kind: &str, id: &str, key: &str, list: &[String]) {
        if !is_kebab_id(id) {
            self.push(
                o,
                codes::BAD_ID,
                kind,
                "id",
                format!("id `{}` must be lowercase `[a-z0-9-]`", abbreviated(id)),
            );
        }
        if list.is_empty() {
            self.push(
                o,
                codes::BAD_PARAMS,
                kind,
                key,
                format!("`{key}` is empty: it must list at least one"),
            );
        }
    }

    fn signatures(&mut self, o: &Origin, kind: &str, key: &str, list: &[String]) {
        for (i, s) in list.iter().enumerate() {
            if let Some(problem) = method_signature_problem(s) {
                self.push(
                    o,
                    codes::BAD_METHOD_SIGNATURE,
                    kind,
                    &format!("{key}[{i}]"),
                    format!("`{}`: {problem}", abbreviated(s)),
                );
            }
        }
    }

    /// Selectors are signatures without their class: `name(params)ret`.
    fn selectors(&mut self, o: &Origin, kind: &str, key: &str, list: &[String]) {
        for (i, s) in list.iter().enumerate() {
            if let Some(problem) = method_signature_problem(&format!("La;->{s}")) {
                self.push(
                    o,
                    codes::BAD_METHOD_SIGNATURE,
                    kind,
                    &format!("{key}[{i}]"),
                    format!(
                        "`{}` is not a selector `name(params)return`: {problem}",
                        abbreviated(s)
                    ),
                );
            }
        }
    }

    /// `[[message]]` tables: both texts present, placeholders well formed and the same in both.
    fn messages(&mut self, pack: &Pack) {
        const K: &str = "message";
        for m in &pack.messages {
            let o = &m.origin;
            self.text(o, K, "text", &m.text);
            self.text(o, K, "text_zh", &m.text_zh);
            match (
                crate::message::placeholders(&m.text),
                crate::message::placeholders(&m.text_zh),
            ) {
                (Err(e), _) => self.push(o, codes::BAD_MESSAGE, K, "text", e),
                (_, Err(e)) => self.push(o, codes::BAD_MESSAGE, K, "text_zh", e),
                (Ok(en), Ok(zh)) if en != zh => self.push(
                    o,
                    codes::BAD_MESSAGE,
                    K,
                    "text_zh",
                    format!(
                        "placeholders differ: `text` uses {{{}}}, `text_zh` uses {{{}}}",
                        en.into_iter().collect::<Vec<_>>().join("}, {"),
                        zh.into_iter().collect::<Vec<_>>().join("}, {"),
                    ),
                ),
                _ => {}
            }
        }
    }

    /// Two checks must not report the same fact: `pi-api-used` checks the same (owner, PI
    /// type); `permission-requested` checks the same permission name, special class or group
    /// (a name beats a special class beats a group, so only equal specificity overlaps);
    /// `sdk-present` checks the same category, or two with no category.
    fn overlapping_checks(&mut self, pack: &Pack) {
        self.overlapping_pi_checks(pack);
        // (kind of key, key) -> the first check that names it.
        let mut first: HashMap<(&str, String), &str> = HashMap::new();
        for c in &pack.checks {
            let keys: Vec<(&str, String)> = match CheckParams::parse(c.kind, &c.params) {
                Ok(CheckParams::PermissionRequested {
                    groups,
                    special,
                    names,
                }) => names
                    .into_iter()
                    .map(|n| ("permission", n))
                    .chain(
                        special
                            .iter()
                            .map(|s| ("special class", s.as_str().to_owned())),
                    )
                    .chain(groups.iter().map(|g| ("group", g.as_str().to_owned())))
                    .collect(),
                Ok(CheckParams::SdkPresent { categories }) if categories.is_empty() => {
                    vec![("SDK category", "(any)".to_owned())]
                }
                Ok(CheckParams::SdkPresent { categories }) => categories
                    .iter()
                    .map(|cat| ("SDK category", cat.as_str().to_owned()))
                    .collect(),
                _ => continue,
            };
            for (what, key) in keys {
                let label = format!("{what} `{key}`");
                match first.get(&(what, key.clone())) {
                    Some(other) if *other != c.id => {
                        let msg = format!(
                            "check `{}` names {label}, which `{other}` names already: one fact, \
                             one finding",
                            abbreviated(&c.id)
                        );
                        self.push(&c.origin, codes::OVERLAPPING_CHECKS, "check", "params", msg);
                    }
                    Some(_) => {}
                    None => {
                        first.insert((what, key), &c.id);
                    }
                }
            }
        }
    }

    /// Two `pi-api-used` checks must not report the same (owner, PI type) fact.
    fn overlapping_pi_checks(&mut self, pack: &Pack) {
        const OWNERS: &[ApiUser] = &[
            ApiUser::Sdk,
            ApiUser::App,
            ApiUser::PlatformLibrary,
            ApiUser::OpenSourceLibrary,
            ApiUser::Unattributed,
        ];
        // (owner, type) -> the first check that reports it.
        let mut first: HashMap<(ApiUser, PiType), &str> = HashMap::new();
        for c in &pack.checks {
            let Ok(CheckParams::PiApiUsed { by, pi_types }) = CheckParams::parse(c.kind, &c.params)
            else {
                continue;
            };
            let owners: Vec<ApiUser> = if by == ApiUser::Any {
                OWNERS.to_vec()
            } else {
                vec![by]
            };
            let types: &[PiType] = if pi_types.is_empty() {
                PiType::ALL
            } else {
                &pi_types
            };
            let mut reported = false;
            for owner in &owners {
                for t in types {
                    match first.get(&(*owner, *t)) {
                        Some(other) if !reported => {
                            reported = true;
                            let msg = format!(
                                "check `{}` would report what `{other}` reports ({owner} code reading `{t}`): \
                                 one fact, one finding: narrow `by` or `pi_types`",
                                abbreviated(&c.id)
                            );
                            self.push(&c.origin, codes::OVERLAPPING_CHECKS, "check", "params", msg);
                        }
                        Some(_) => {}
                        None => {
                            first.insert((*owner, *t), &c.id);
                        }
                    }
                }
            }
        }
    }

    fn packers(&mut self, pack: &Pack) {
        const K: &str = "packer";
        for p in &pack.packers {
            let o = &p.origin;
            if !is_kebab_id(&p.id) {
                self.push(
                    o,
                    codes::BAD_ID,
                    K,
                    "id",
                    format!(
                        "packer id `{}` must be lowercase letters, digits and single dashes",
                        p.id
                    ),
                );
            }
            self.text(o, K, "name", &p.name);
            if let Some(v) = &p.vendor {
                self.text(o, K, "vendor", v);
            }
            for (i, c) in p.application_classes.iter().enumerate() {
                if !is_class_name(c) {
                    self.push(
                        o,
                        codes::BAD_COMPONENT,
                        K,
                        &format!("application_classes[{i}]"),
                        format!("application class `{c}` is not a fully qualified class name"),
                    );
                }
            }
            for (i, c) in p.class_prefixes.iter().enumerate() {
                if let Some((code, msg)) = prefix_problem(c) {
                    self.push(o, code, K, &format!("class_prefixes[{i}]"), msg);
                }
            }
            for (i, l) in p.native_libs.iter().enumerate() {
                if let Some(msg) = native_lib_problem(l) {
                    self.push(
                        o,
                        codes::BAD_NATIVE_LIB,
                        K,
                        &format!("native_libs[{i}]"),
                        msg,
                    );
                }
            }
            for (i, a) in p.asset_files.iter().enumerate() {
                if let Some(msg) = asset_problem(a) {
                    self.push(o, codes::BAD_ASSET, K, &format!("asset_files[{i}]"), msg);
                }
            }
            let lists: [(&str, &[String]); 4] = [
                ("application_classes", &p.application_classes),
                ("class_prefixes", &p.class_prefixes),
                ("native_libs", &p.native_libs),
                ("asset_files", &p.asset_files),
            ];
            if lists.iter().all(|(_, l)| l.is_empty()) {
                self.push(
                    o,
                    codes::PACKER_WITHOUT_EVIDENCE,
                    K,
                    "id",
                    format!(
                        "packer `{}` has no application class, class prefix, native library or \
                         asset file: it can never be detected",
                        p.id
                    ),
                );
            }
            for (key, list) in lists {
                self.dup_values(o, K, key, list);
            }
            self.references(o, K, &p.references);
        }
    }

    fn apis(&mut self, pack: &Pack) {
        const K: &str = "api";
        let known: HashSet<&str> = pack.permissions.iter().map(|p| p.name.as_str()).collect();
        let mut seen: HashMap<(ApiKind, &str, PiType), &Origin> = HashMap::new();
        for a in &pack.apis {
            let o = &a.origin;
            if !is_kebab_id(&a.id) {
                self.push(
                    o,
                    codes::BAD_ID,
                    K,
                    "id",
                    format!(
                        "API id `{}` must be lowercase letters, digits and single dashes",
                        a.id
                    ),
                );
            }
            let problem =
                match a.kind {
                    ApiKind::Method => method_signature_problem(&a.signature)
                        .map(|m| (codes::BAD_METHOD_SIGNATURE, m)),
                    ApiKind::Field => field_signature_problem(&a.signature)
                        .map(|m| (codes::BAD_FIELD_SIGNATURE, m)),
                    ApiKind::String => a.signature.is_empty().then(|| {
                        (
                            codes::BAD_STRING_SIGNATURE,
                            "the string is empty".to_owned(),
                        )
                    }),
                    ApiKind::ContentUri => {
                        content_uri_problem(&a.signature).map(|m| (codes::BAD_STRING_SIGNATURE, m))
                    }
                };
            if let Some((code, msg)) = problem {
                let msg = format!("{} signature `{}`: {msg}", a.kind, a.signature);
                self.push(o, code, K, "signature", msg);
            }
            if let Some(first) = seen.get(&(a.kind, a.signature.as_str(), a.pi_type)) {
                let msg = format!(
                    "API `{}` repeats the {} `{}` ({}) of {}",
                    a.id,
                    a.kind,
                    a.signature,
                    a.pi_type,
                    first.location()
                );
                self.push(o, codes::DUPLICATE_API, K, "signature", msg);
            } else {
                seen.insert((a.kind, &a.signature, a.pi_type), o);
            }
            for (i, p) in a.permissions.iter().enumerate() {
                if !is_permission_name(&p.name) {
                    self.push(
                        o,
                        codes::BAD_PERMISSION_NAME,
                        K,
                        &format!("permissions[{i}].name"),
                        format!("`{}` is not a permission name", p.name),
                    );
                } else if !known.is_empty() && !known.contains(p.name.as_str()) {
                    self.push(
                        o,
                        codes::UNKNOWN_PERMISSION,
                        K,
                        &format!("permissions[{i}].name"),
                        format!("permission `{}` has no [[permission]] table", p.name),
                    );
                }
                if let (Some(lo), Some(hi)) = (p.min_sdk, p.max_sdk)
                    && lo > hi
                {
                    self.push(
                        o,
                        codes::BAD_API_LEVEL,
                        K,
                        &format!("permissions[{i}]"),
                        format!("`min_sdk` ({lo}) is above `max_sdk` ({hi})"),
                    );
                }
                if p.min_sdk == Some(0) || p.max_sdk == Some(0) {
                    self.push(
                        o,
                        codes::BAD_API_LEVEL,
                        K,
                        &format!("permissions[{i}]"),
                        "API levels start at 1".into(),
                    );
                }
                let path = format!("permissions[{i}]");
                let levels = [("min_sdk", p.min_sdk), ("max_sdk", p.max_sdk)];
                self.level_ceiling(o, K, Some(&path), levels);
            }
            self.references(o, K, &a.references);
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one flat list of the [[secret]] rules"
    )]
    fn secrets(&mut self, pack: &Pack) {
        const K: &str = "secret";
        // prefix or meta-data name -> id of its first claimant.
        let mut claims: HashMap<&str, &str> = HashMap::new();
        for s in &pack.secrets {
            let o = &s.origin;
            if !is_kebab_id(&s.id) {
                self.push(
                    o,
                    codes::BAD_ID,
                    K,
                    "id",
                    format!(
                        "secret id `{}` must be lowercase letters, digits and single dashes",
                        s.id
                    ),
                );
            }
            self.text(o, K, "vendor", &s.vendor);
            if s.prefixes.is_empty() == s.meta_data.is_empty() {
                self.push(
                    o,
                    codes::SECRET_WITHOUT_PATTERN,
                    K,
                    "id",
                    format!(
                        "secret `{}` needs either `prefixes` (with a shape) or `meta_data`, not \
                         {}",
                        s.id,
                        if s.prefixes.is_empty() {
                            "neither"
                        } else {
                            "both"
                        }
                    ),
                );
            }
            let lists: [(&str, &[String]); 2] =
                [("prefixes", &s.prefixes), ("meta_data", &s.meta_data)];
            for (key, list) in lists {
                self.dup_values(o, K, key, list);
                for (i, v) in list.iter().enumerate() {
                    let path = format!("{key}[{i}]");
                    if let Some(msg) = secret_literal_problem(v, key == "meta_data") {
                        self.push(o, codes::BAD_SECRET_PATTERN, K, &path, msg);
                    }
                    match claims.get(v.as_str()) {
                        Some(first) if *first != s.id => {
                            let msg = format!(
                                "`{v}` of secret `{}` is already claimed by secret `{}`",
                                abbreviated(&s.id),
                                abbreviated(first),
                            );
                            self.push(o, codes::CLAIMED_TWICE, K, &path, msg);
                        }
                        Some(_) => {}
                        None => {
                            claims.insert(v, &s.id);
                        }
                    }
                }
            }
            let shape = [
                ("charset", s.charset.is_some()),
                ("min_len", s.min_len.is_some()),
                ("max_len", s.max_len.is_some()),
            ];
            if s.prefixes.is_empty() {
                for (key, _) in shape.iter().filter(|(_, set)| *set) {
                    self.push(
                        o,
                        codes::BAD_SECRET_SHAPE,
                        K,
                        key,
                        format!(
                            "`{key}` applies only to `prefixes`; a meta-data value is taken whole"
                        ),
                    );
                }
            } else if let Some((key, _)) = shape.iter().find(|(_, set)| !*set) {
                self.push(
                    o,
                    codes::BAD_SECRET_SHAPE,
                    K,
                    "prefixes",
                    format!(
                        "secret `{}` has `prefixes` but no `{key}`: a prefix needs `charset`, \
                         `min_len` and `max_len`",
                        s.id
                    ),
                );
            }
            if let (Some(charset), Some(lo), Some(hi)) = (s.charset, s.min_len, s.max_len) {
                let problem = if lo > hi {
                    Some((
                        "min_len",
                        format!("`min_len` ({lo}) is above `max_len` ({hi})"),
                    ))
                } else if hi == 0 || hi > MAX_SECRET_RUN {
                    Some((
                        "max_len",
                        format!("`max_len` ({hi}) must be between 1 and {MAX_SECRET_RUN}"),
                    ))
                } else if charset != SecretCharset::PemLabel && lo < MIN_SECRET_RUN {
                    Some((
                        "min_len",
                        format!(
                            "`min_len` ({lo}) is below {MIN_SECRET_RUN}: so short a run matches \
                             ordinary text"
                        ),
                    ))
                } else {
                    None
                };
                if let Some((key, msg)) = problem {
                    self.push(o, codes::BAD_SECRET_SHAPE, K, key, msg);
                }
            }
            self.references(o, K, &s.references);
        }
    }

    fn checks(&mut self, pack: &Pack) {
        const K: &str = "check";
        let known: HashSet<&str> = pack.permissions.iter().map(|p| p.name.as_str()).collect();
        self.unique_check_names(pack);
        for c in &pack.checks {
            let o = &c.origin;
            self.empty_param_lists(o, &c.params);
            if !is_check_id(&c.id) {
                self.push(
                    o,
                    codes::BAD_ID,
                    K,
                    "id",
                    format!(
                        "check id `{}` must be upper-case letters then three digits (`PERM001`)",
                        c.id
                    ),
                );
            }
            if !is_kebab_name(&c.name) || c.name.starts_with("disallow-") {
                self.push(o, codes::BAD_CHECK_NAME, K, "name", format!(
                    "check name `{}` must be kebab-case, read as \"allow <name>\" and not start \
                     with `disallow-`",
                    c.name
                ));
            }
            if !is_version(&c.since) {
                self.push(
                    o,
                    codes::BAD_SINCE,
                    K,
                    "since",
                    format!("`since` = `{}` is not a version such as `0.1`", c.since),
                );
            }
            for (key, value) in [
                ("title", &c.title),
                ("what", &c.what),
                ("why", &c.why),
                ("example", &c.example),
                ("remediation", &c.remediation),
            ] {
                self.text(o, K, key, value);
            }
            if let Some(zh) = &c.zh {
                for (key, value) in [
                    ("zh.title", &zh.title),
                    ("zh.what", &zh.what),
                    ("zh.why", &zh.why),
                    ("zh.remediation", &zh.remediation),
                ] {
                    self.text(o, K, key, value);
                }
            } else {
                self.push(
                    o,
                    codes::MISSING_TRANSLATION,
                    K,
                    "id",
                    format!(
                        "check `{}` has no `[check.zh]` texts: Chinese reports show it in English",
                        c.id
                    ),
                );
            }
            match CheckParams::parse(c.kind, &c.params) {
                Err(msg) => {
                    let path = quoted(&msg)
                        .map(|k| format!("params.{k}"))
                        .filter(|p| o.has_field(p))
                        .unwrap_or_else(|| "params".to_owned());
                    self.push(
                        o,
                        codes::BAD_PARAMS,
                        K,
                        &path,
                        format!("parameters of a `{}` check: {msg}", c.kind),
                    );
                }
                Ok(CheckParams::PermissionRequested { names, .. }) if !known.is_empty() => {
                    for (i, n) in names.iter().enumerate() {
                        if !known.contains(n.as_str()) {
                            self.push(
                                o,
                                codes::UNKNOWN_PERMISSION,
                                K,
                                &format!("params.names[{i}]"),
                                format!("permission `{n}` has no [[permission]] table"),
                            );
                        }
                    }
                }
                Ok(_) => {}
            }
            self.references(o, K, &c.references);
        }
    }

    /// Two checks never share a `name` (what suppressions and reports call a check by).
    fn unique_check_names(&mut self, pack: &Pack) {
        // name -> id of the first check that uses it.
        let mut names: HashMap<&str, &str> = HashMap::new();
        for c in &pack.checks {
            match names.get(c.name.as_str()) {
                Some(first) => {
                    let msg = format!(
                        "check name `{}` is already the name of check `{}`: a name selects one \
                         check",
                        abbreviated(&c.name),
                        abbreviated(first)
                    );
                    self.push(&c.origin, codes::DUPLICATE_ID, "check", "name", msg);
                }
                None => {
                    names.insert(&c.name, &c.id);
                }
            }
        }
    }

    /// API levels above [`MAX_API_LEVEL`] (`path`: where the levels are, else each key).
    fn level_ceiling(
        &mut self,
        o: &Origin,
        kind: &str,
        path: Option<&str>,
        levels: [(&str, Option<u32>); 2],
    ) {
        for (key, level) in levels {
            if let Some(level) = level
                && level > MAX_API_LEVEL
            {
                let msg = format!(
                    "`{key}` ({level}) is above API level {MAX_API_LEVEL}, the highest the format \
                     accepts"
                );
                self.push(o, codes::BAD_API_LEVEL, kind, path.unwrap_or(key), msg);
            }
        }
    }

    /// A list parameter given empty (`pi_types = []`) means the same as leaving it out, which
    /// reads as if it selected nothing: say so.
    fn empty_param_lists(&mut self, o: &Origin, params: &toml::Table) {
        for (key, value) in params {
            if value.as_array().is_some_and(Vec::is_empty) {
                let path = format!("params.{key}");
                let path = if o.has_field(&path) {
                    path
                } else {
                    "params".to_owned()
                };
                self.push(
                    o,
                    codes::BAD_PARAMS,
                    "check",
                    &path,
                    format!(
                        "`{key} = []` means the same as leaving `{key}` out: remove it, or list \
                         what the check is about"
                    ),
                );
            }
        }
    }

    fn tests(&mut self, pack: &Pack) {
        const K: &str = "test";
        let ids: HashSet<&str> = pack
            .sdks
            .iter()
            .map(|s| s.id.as_str())
            .chain(pack.packers.iter().map(|p| p.id.as_str()))
            .chain(pack.apis.iter().map(|a| a.id.as_str()))
            .chain(pack.secrets.iter().map(|s| s.id.as_str()))
            .chain(pack.checks.iter().map(|c| c.id.as_str()))
            .chain(pack.permissions.iter().map(|p| p.name.as_str()))
            .collect();
        for t in &pack.tests {
            let o = &t.origin;
            if !ids.contains(t.rule.as_str()) {
                self.push(
                    o,
                    codes::UNKNOWN_TEST_RULE,
                    K,
                    "rule",
                    format!("test names `{}`, which is not an id of the pack", t.rule),
                );
            }
            let f = t.fixture.as_str();
            if f.trim().is_empty()
                || f.starts_with('/')
                || f.starts_with('\\')
                || f.get(1..2) == Some(":")
                || f.split(['/', '\\']).any(|seg| seg == "..")
            {
                self.push(
                    o,
                    codes::BAD_FIXTURE,
                    K,
                    "fixture",
                    format!(
                        "fixture `{f}` must be a path relative to the repository root, without `..`"
                    ),
                );
            }
        }
    }
}

/// Longest id quoted whole in a message about another value: such a message is repeated for
/// each value of an entry, so a huge id must not be copied into every one of them.
const MAX_QUOTED_ID: usize = 128;

/// `id`, or its first [`MAX_QUOTED_ID`] bytes (at a character boundary) and `…` when longer.
fn abbreviated(id: &str) -> Cow<'_, str> {
    if id.len() <= MAX_QUOTED_ID {
        return Cow::Borrowed(id);
    }
    let mut end = MAX_QUOTED_ID;
    while !id.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    Cow::Owned(format!("{}…", id.get(..end).unwrap_or("")))
}

/// The first backquoted word of a message.
fn quoted(message: &str) -> Option<&str> {
    let rest = message.split_once('`')?.1;
    Some(rest.split_once('`')?.0)
}

fn is_kebab_id(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn is_kebab_name(s: &str) -> bool {
    is_kebab_id(s) && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
}

/// Upper-case letters, then three digits (`PERM001`): ids sort by family, then by number.
fn is_check_id(s: &str) -> bool {
    let letters = s.bytes().take_while(u8::is_ascii_uppercase).count();
    let digits = s.get(letters..).unwrap_or("");
    letters > 0 && digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Why an intent action cannot name an SDK, or `None`: it must be a dotted name of at least two
/// Java segments, and not a platform action (`android.…`), which any app may handle.
fn action_problem(a: &str) -> Option<String> {
    if !is_class_name(a) {
        return Some(format!(
            "intent action `{}` must be a dotted name of at least two segments \
             (`cn.jpush.android.intent.REGISTER`)",
            abbreviated(a)
        ));
    }
    a.starts_with("android.").then(|| {
        format!(
            "intent action `{}` is a platform action: any app may handle it, so it names no SDK",
            abbreviated(a)
        )
    })
}

fn is_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A Java identifier segment as the rule format accepts it (`[A-Za-z_$][A-Za-z0-9_$]*`).
fn is_java_segment(s: &str) -> bool {
    let mut b = s.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_' || c == b'$')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
}

/// A fully qualified class name: at least two Java segments.
fn is_class_name(s: &str) -> bool {
    s.split('.').count() >= 2 && s.split('.').all(is_java_segment)
}

fn is_permission_name(s: &str) -> bool {
    s.split('.').count() >= 2
        && s.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b'-')
        })
}

/// Why a class prefix is unacceptable: `(code, message)`, or `None`.
///
/// A prefix ending with `.` is a package prefix; one whose last segment starts with an
/// upper-case letter is a class-name prefix (`cn.jpush.android.service.PushService`); any
/// other is a package prefix missing its final dot.
pub(crate) fn prefix_problem(p: &str) -> Option<(&'static str, String)> {
    let (body, package) = match p.strip_suffix('.') {
        Some(body) => (body, true),
        None => (p, false),
    };
    let segments: Vec<&str> = body.split('.').collect();
    if !segments.iter().all(|s| is_java_segment(s)) {
        return Some((
            codes::BAD_PREFIX,
            format!("class prefix `{p}` is not a dotted Java name"),
        ));
    }
    if !package
        && !segments
            .last()
            .is_some_and(|s| s.starts_with(|c: char| c.is_ascii_uppercase()))
    {
        return Some((
            codes::PREFIX_NO_DOT,
            format!(
                "package prefix `{p}` must end with `.` (write `{p}.`; a class-name prefix ends \
                 with a capitalised class name)"
            ),
        ));
    }
    if package && GENERIC_PREFIXES.contains(&p) {
        return Some((
            codes::GENERIC_PREFIX,
            format!("class prefix `{p}` is too generic to name one SDK; use a longer package"),
        ));
    }
    if segments.len() < 2 {
        return Some((
            codes::SHORT_PREFIX,
            format!("class prefix `{p}` has fewer than two segments"),
        ));
    }
    None
}

/// Top-level domains: no library owns everything under them.
const TOP_LEVEL_PREFIXES: &[&str] = &["com.", "org.", "cn.", "net.", "io.", "me.", "cn.com."];

/// A library's prefix follows the SDK rules, except that a library may own a whole shared
/// namespace (`androidx.`, `kotlin.`, `okhttp3.`): that is what it is for. A top-level domain
/// stays too generic.
fn library_prefix_problem(p: &str) -> Option<(&'static str, String)> {
    let problem = prefix_problem(p)?;
    let namespace_rule = problem.0 == codes::GENERIC_PREFIX || problem.0 == codes::SHORT_PREFIX;
    if namespace_rule && !TOP_LEVEL_PREFIXES.contains(&p) {
        return None;
    }
    Some((
        problem.0,
        problem.1.replace("to name one SDK", "to name one library"),
    ))
}

fn protection_level_problem(level: &str) -> Option<String> {
    let mut parts = level.split('|');
    let base = parts.next().unwrap_or("");
    if !PROTECTION_BASES.contains(&base) {
        return Some(format!(
            "protection level `{level}` must start with one of {}",
            list(PROTECTION_BASES)
        ));
    }
    for flag in parts {
        if !PROTECTION_FLAGS.contains(&flag) {
            return Some(format!(
                "unknown protection flag `{flag}` in `{level}` (expected one of {})",
                list(PROTECTION_FLAGS)
            ));
        }
    }
    None
}

fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn native_lib_problem(l: &str) -> Option<String> {
    if l.contains(['/', '\\']) {
        return Some(format!(
            "native library `{l}` must be a file name, not a path"
        ));
    }
    if l.contains(['?', '[', ']', '{', '}', '!']) || l.chars().any(char::is_whitespace) {
        return Some(format!(
            "native library pattern `{l}`: only `*` is a wildcard"
        ));
    }
    let Some(core) = l.strip_prefix("lib").and_then(|c| c.strip_suffix(".so")) else {
        return Some(format!(
            "native library `{l}` must be named `lib….so`: the package manager installs no other \
             file from an APK's `lib/<abi>/`"
        ));
    };
    if core.chars().filter(|c| *c != '*').count() < MIN_NATIVE_LIB_LITERAL {
        return Some(format!(
            "native library pattern `{l}` would match almost any library"
        ));
    }
    None
}

/// Why a `[[secret]]` prefix (or, with `meta_data`, a meta-data name) is unusable, or `None`.
fn secret_literal_problem(v: &str, meta_data: bool) -> Option<String> {
    let what = if meta_data {
        "meta-data name"
    } else {
        "prefix"
    };
    if v.trim().chars().count() < MIN_SECRET_LITERAL {
        return Some(format!(
            "{what} `{v}` is shorter than {MIN_SECRET_LITERAL} characters: it would match almost \
             anywhere"
        ));
    }
    if !v.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        return Some(format!("{what} `{v}` must be printable ASCII"));
    }
    if meta_data && v.contains(' ') {
        return Some(format!("{what} `{v}` contains white space"));
    }
    None
}

/// Why a packer's `asset_files` pattern is unacceptable, or `None`.
fn asset_problem(a: &str) -> Option<String> {
    let Some(rest) = a.strip_prefix("assets/") else {
        return Some(format!(
            "asset file `{a}` must be an APK entry path under `assets/`"
        ));
    };
    if a.contains('\\') || rest.split('/').any(|seg| seg.is_empty() || seg == "..") {
        return Some(format!(
            "asset file `{a}` must be a relative `/`-separated path without empty or `..` segments"
        ));
    }
    if a.contains(['?', '[', ']', '{', '}', '!']) || a.chars().any(char::is_whitespace) {
        return Some(format!("asset file pattern `{a}`: only `*` is a wildcard"));
    }
    let file = rest.rsplit('/').next().unwrap_or(rest);
    if file.chars().filter(|c| *c != '*').count() < MIN_ASSET_LITERAL {
        return Some(format!(
            "asset file pattern `{a}` would match almost any asset"
        ));
    }
    None
}

fn domain_problem(d: &str) -> Option<String> {
    let labels: Vec<&str> = d.split('.').collect();
    let ok = d.len() <= MAX_DOMAIN_LEN
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= MAX_LABEL_LEN
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    (!ok).then(|| {
        format!(
            "domain `{d}` must be a lowercase host name of at least two labels (no scheme, \
             path, port or wildcard)"
        )
    })
}

fn content_uri_problem(s: &str) -> Option<String> {
    let Some(rest) = s.strip_prefix("content://") else {
        return Some("a content-uri starts with `content://`".to_owned());
    };
    let authority = rest.split('/').next().unwrap_or("");
    if authority.is_empty()
        || !authority
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        return Some("the authority after `content://` is missing or malformed".to_owned());
    }
    if s.chars().any(char::is_whitespace) {
        return Some("white space in a URI".to_owned());
    }
    None
}

/// Checks a smali method reference `Lcls;->name(params)ret`.
pub(crate) fn method_signature_problem(s: &str) -> Option<String> {
    let Some((class, rest)) = s.split_once("->") else {
        return Some("expected `Lclass;->name(params)return`: `->` is missing".to_owned());
    };
    if let Err(e) = whole_type(class, false) {
        return Some(format!("owner `{class}`: {e}"));
    }
    let Some((name, proto)) = rest.split_once('(') else {
        return Some("`(` is missing after the method name".to_owned());
    };
    if !is_member_name(name, true) {
        return Some(format!("`{name}` is not a method name"));
    }
    let Some((params, returns)) = proto.split_once(')') else {
        return Some("`)` is missing after the parameters".to_owned());
    };
    let mut rest = params;
    while !rest.is_empty() {
        match type_descriptor(rest, false) {
            Ok(n) => rest = rest.get(n..).unwrap_or(""),
            Err(e) => return Some(format!("parameters `{params}`: {e}")),
        }
    }
    if returns.is_empty() {
        return Some("the return type is missing after `)`".to_owned());
    }
    whole_type(returns, true)
        .err()
        .map(|e| format!("return type `{returns}`: {e}"))
}

/// Checks a smali field reference `Lcls;->name:Type`.
pub(crate) fn field_signature_problem(s: &str) -> Option<String> {
    let Some((class, rest)) = s.split_once("->") else {
        return Some("expected `Lclass;->name:Type`: `->` is missing".to_owned());
    };
    if let Err(e) = whole_type(class, false) {
        return Some(format!("owner `{class}`: {e}"));
    }
    let Some((name, ty)) = rest.split_once(':') else {
        return Some("`:Type` is missing after the field name".to_owned());
    };
    if !is_member_name(name, false) {
        return Some(format!("`{name}` is not a field name"));
    }
    whole_type(ty, false)
        .err()
        .map(|e| format!("type `{ty}`: {e}"))
}

/// A dex member name: `<init>`/`<clinit>` for methods, otherwise a non-empty run of characters
/// that cannot end or split a descriptor.
fn is_member_name(name: &str, method: bool) -> bool {
    if method && (name == "<init>" || name == "<clinit>") {
        return true;
    }
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || ";[/().<>:".contains(c) || c == '-')
}

/// `s` is exactly one type descriptor.
fn whole_type(s: &str, allow_void: bool) -> Result<(), String> {
    let n = type_descriptor(s, allow_void)?;
    if n == s.len() {
        Ok(())
    } else {
        Err(format!("trailing `{}`", s.get(n..).unwrap_or("")))
    }
}

/// Length of the type descriptor at the start of `s`.
fn type_descriptor(s: &str, allow_void: bool) -> Result<usize, String> {
    let dims = s.bytes().take_while(|b| *b == b'[').count();
    if dims > MAX_ARRAY_DIMENSIONS {
        return Err(format!("more than {MAX_ARRAY_DIMENSIONS} array dimensions"));
    }
    let rest = s.get(dims..).unwrap_or("");
    match rest.bytes().next() {
        Some(b'V') if allow_void && dims == 0 => Ok(1),
        Some(b'Z' | b'B' | b'S' | b'C' | b'I' | b'J' | b'F' | b'D') => Ok(dims.saturating_add(1)),
        Some(b'L') => {
            let Some(end) = rest.find(';') else {
                return Err(format!("class descriptor `{rest}` has no closing `;`"));
            };
            let body = rest.get(1..end).unwrap_or("");
            let ok = !body.is_empty()
                && body.split('/').all(|seg| {
                    !seg.is_empty()
                        && !seg
                            .chars()
                            .any(|c| c.is_whitespace() || ";[().<>:".contains(c))
                });
            if ok {
                Ok(dims.saturating_add(end).saturating_add(1))
            } else {
                Err(format!(
                    "`{}` is not a class descriptor (`Lpkg/Name;`)",
                    rest.get(..=end).unwrap_or(rest)
                ))
            }
        }
        Some(_) => Err(format!(
            "`{}` is not a type descriptor (V Z B S C I J F D, Lpkg/Name; or [type)",
            rest.chars().next().unwrap_or(' ')
        )),
        None => Err("a type descriptor is missing".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(prefix_problem("cn.jpush."), None);
        assert_eq!(prefix_problem("cn.jpush.android.service.PushService"), None);
        assert_eq!(
            prefix_problem("com.mob").map(|p| p.0),
            Some(codes::PREFIX_NO_DOT)
        );
        assert_eq!(
            prefix_problem("com.").map(|p| p.0),
            Some(codes::GENERIC_PREFIX)
        );
        assert_eq!(
            prefix_problem("jpush.").map(|p| p.0),
            Some(codes::SHORT_PREFIX)
        );
        assert_eq!(
            prefix_problem("Foo").map(|p| p.0),
            Some(codes::SHORT_PREFIX)
        );
        assert_eq!(
            prefix_problem("com.google.").map(|p| p.0),
            Some(codes::GENERIC_PREFIX)
        );
        assert_eq!(
            prefix_problem("com.android.").map(|p| p.0),
            Some(codes::GENERIC_PREFIX)
        );
        assert_eq!(prefix_problem("com.google.android.gms.ads."), None);
        assert_eq!(
            prefix_problem("cn/jpush/").map(|p| p.0),
            Some(codes::BAD_PREFIX)
        );
        assert_eq!(
            prefix_problem("cn..jpush.").map(|p| p.0),
            Some(codes::BAD_PREFIX)
        );
        assert_eq!(prefix_problem("").map(|p| p.0), Some(codes::BAD_PREFIX));
        assert_eq!(prefix_problem(".").map(|p| p.0), Some(codes::BAD_PREFIX));
        for g in GENERIC_PREFIXES {
            assert!(g.ends_with('.'), "{g}");
        }
    }

    #[test]
    fn method_signatures() {
        let ok = [
            "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;",
            "Landroid/telephony/TelephonyManager;->getDeviceId(I)Ljava/lang/String;",
            "Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;\
             Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;",
            "Ljava/lang/Object;-><init>()V",
            "[Ljava/lang/Object;->clone()Ljava/lang/Object;",
            "La/b$c;->d(JDZ[[I)[B",
        ];
        for s in ok {
            assert_eq!(method_signature_problem(s), None, "{s}");
        }
        let bad = [
            (
                "Landroid/telephony/TelephonyManager;getDeviceId()V",
                "`->` is missing",
            ),
            (
                "Landroid/telephony/TelephonyManager;->getDeviceId()",
                "return type is missing",
            ),
            (
                "Landroid/telephony/TelephonyManager->getDeviceId()V",
                "no closing",
            ),
            (
                "android.telephony.TelephonyManager;->getDeviceId()V",
                "not a type descriptor",
            ),
            ("La/B;->f(V)V", "parameters"),
            ("La/B;->f(Q)V", "`Q` is not a type descriptor"),
            ("La/B;->f()VV", "trailing `V`"),
            ("La/B;->(I)V", "not a method name"),
            ("La/B;->f(I", "`)` is missing"),
            ("La/B;->f", "`(` is missing"),
            ("L;->f()V", "not a class descriptor"),
            ("La//B;->f()V", "not a class descriptor"),
            ("La/B;->f()[V", "not a type descriptor"),
        ];
        for (s, why) in bad {
            let p = method_signature_problem(s).unwrap_or_default();
            assert!(p.contains(why), "{s}: {p}");
        }
        let deep = format!("La/B;->f({}I)V", "[".repeat(256));
        assert!(method_signature_problem(&deep).unwrap().contains("255"));
    }

    #[test]
    fn field_signatures() {
        assert_eq!(
            field_signature_problem("Landroid/os/Build;->SERIAL:Ljava/lang/String;"),
            None
        );
        assert_eq!(field_signature_problem("La/B;->x:[I"), None);
        let bad = [
            ("Landroid/os/Build;->SERIAL", "`:Type` is missing"),
            ("Landroid/os/Build;->SERIAL:V", "not a type descriptor"),
            ("Landroid/os/Build;->:I", "not a field name"),
            ("Landroid/os/Build;SERIAL:I", "`->` is missing"),
            ("Landroid/os/Build;->A:II", "trailing"),
        ];
        for (s, why) in bad {
            let p = field_signature_problem(s).unwrap_or_default();
            assert!(p.contains(why), "{s}: {p}");
        }
    }

    #[test]
    fn asset_patterns() {
        assert_eq!(asset_problem("assets/ijiami.dat"), None);
        assert_eq!(asset_problem("assets/libjiagu*.so"), None);
        assert_eq!(asset_problem("assets/dir/x*.bin"), None);
        assert!(asset_problem("lib/x.so").is_some());
        assert!(asset_problem("assets/*").is_some());
        assert!(asset_problem("assets/a*").is_some());
        assert!(asset_problem("assets/../x.dat").is_some());
        assert!(asset_problem("assets//x.dat").is_some());
        assert!(asset_problem("assets/x?.dat").is_some());
        assert!(asset_problem("assets/x .dat").is_some());
    }

    #[test]
    fn small_predicates() {
        assert!(is_kebab_id("jpush") && is_kebab_id("a1-b2") && is_kebab_id("360-sdk"));
        assert!(
            !is_kebab_id("JPush") && !is_kebab_id("a--b") && !is_kebab_id("-a") && !is_kebab_id("")
        );
        assert!(is_kebab_name("sensitive-permission-requested") && !is_kebab_name("1-a"));
        assert!(
            is_check_id("PERM001")
                && !is_check_id("PERM")
                && !is_check_id("001")
                && !is_check_id("perm1")
        );
        assert!(is_version("0.1") && is_version("1.2.3") && !is_version("1") && !is_version("0.x"));
        assert!(
            is_class_name("cn.jpush.android.service.PushService") && !is_class_name("PushService")
        );
        assert!(
            is_permission_name("android.permission.READ_SMS") && !is_permission_name("READ_SMS")
        );
        assert_eq!(native_lib_problem("libjcore*.so"), None);
        assert_eq!(native_lib_problem("libBugly.so"), None);
        assert!(native_lib_problem("lib*.so").is_some());
        assert!(native_lib_problem("lib/arm64/libx.so").is_some());
        assert!(native_lib_problem("libx?.so").is_some());
        assert_eq!(domain_problem("jpush.cn"), None);
        assert_eq!(domain_problem("a-b.c1.example"), None);
        for d in [
            "JPush.cn",
            "*.jpush.cn",
            "https://jpush.cn",
            "cn",
            "a..cn",
            "-a.cn",
            "a.cn.",
            "a.cn:80",
        ] {
            assert!(domain_problem(d).is_some(), "{d}");
        }
        assert_eq!(content_uri_problem("content://sms"), None);
        assert_eq!(
            content_uri_problem("content://com.android.contacts/contacts"),
            None
        );
        assert!(content_uri_problem("content://").is_some());
        assert!(content_uri_problem("sms://x").is_some());
        assert_eq!(
            protection_level_problem("signature|privileged|development|role"),
            None
        );
        assert!(
            protection_level_problem("dangerous|sometimes")
                .unwrap()
                .contains("sometimes")
        );
        assert!(protection_level_problem("risky").is_some());
    }
}
