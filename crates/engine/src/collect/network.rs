//! Network facts: endpoints named by dex strings, string resources, manifest meta-data and
//! native strings (each attributed to the SDK or app code that holds it), the network security
//! config the manifest names, and hard-coded credentials found by pattern.
//!
//! The secret patterns are rule-pack data (`[[secret]]`, `rules/secrets.toml`): each is a
//! literal prefix plus a character class and length, which one aho-corasick pass over every
//! string (URL schemes and the pack's prefixes together) finds without a regex engine, or a
//! manifest meta-data name. Without a rule pack no secret is looked for.

use std::collections::{BTreeMap, BTreeSet};

use aho_corasick::{AhoCorasick, MatchKind};
use apkscope_apk::Apk;
use apkscope_axml::{Document, Element, Node, ResourceTable, Value};
use apkscope_facts::code::{CodeIndex, MethodId};
use apkscope_facts::network::{
    CleartextPolicy, DomainFacts, Endpoint, NetworkConfigFacts, NetworkFacts, PinFacts,
    PinSetFacts, SecretFacts, SecurityConfigFacts, TrustAnchorFacts,
};
use apkscope_facts::{AnomalyFact, AppFacts};
use apkscope_rules::{CompiledPack, Secret, SecretCharset, SecretPrefix};
use rayon::prelude::*;

use crate::attribution::{Attribution, BY_APP, BY_UNATTRIBUTED, Owner};
use crate::{Guard, ScanOptions};

/// Most endpoints a report lists; the rest are counted in `endpoints_truncated`.
pub(crate) const MAX_ENDPOINTS: usize = 500;
/// Most distinct endpoints gathered before further ones are only counted (bounds memory on
/// hostile inputs with millions of URL strings).
const MAX_ENDPOINTS_GATHERED: usize = 50_000;
/// Most secrets a report lists; the rest are counted in `secrets_truncated`.
pub(crate) const MAX_SECRETS: usize = 200;
/// Most sources kept per endpoint.
const MAX_SOURCES: usize = 5;
/// Most `const-string` sites of one string looked at to find who loads it.
const MAX_SITES_PER_STRING: usize = 64;
/// The scan's deadline and budget are checked once per this many dex strings...
const STRINGS_PER_CHECK: u32 = 1 << 14;
/// ... and once per this many strings that look like an endpoint or a secret.
const HITS_PER_CHECK: usize = 256;
/// Longest URL kept (bytes).
const MAX_URL_LEN: usize = 256;
/// Most `domain-config` elements read (nested ones included) and deepest nesting followed.
const MAX_DOMAIN_CONFIGS: usize = 256;
const MAX_NESTING: usize = 8;
/// Most `<domain>`, `<pin>` and `<certificates>` children kept per config.
const MAX_CHILDREN: usize = 64;
/// First target SDK at which cleartext traffic is refused by default (Android 9).
const CLEARTEXT_DEFAULT_OFF_SDK: i64 = 28;
/// First target SDK at which user-added CAs are not trusted by default (Android 7).
const USER_CA_DEFAULT_OFF_SDK: i64 = 24;

/// Hosts of XML namespaces and schema URLs: names, not endpoints.
const NAMESPACE_HOSTS: &[&str] = &[
    "schemas.android.com",
    "www.w3.org",
    "w3.org",
    "xmlpull.org",
    "www.xmlpull.org",
    "ns.adobe.com",
    "schemas.xmlsoap.org",
    "schemas.microsoft.com",
    "xml.org",
    "xml.apache.org",
    "purl.org",
    "java.sun.com",
    "xmlns.jcp.org",
];

/// First labels of Java package names: a dotted string starting with one is code, not a host
/// (`android.app`, `com.example.io`).
const PACKAGE_ROOTS: &[&str] = &[
    "android",
    "androidx",
    "java",
    "javax",
    "kotlin",
    "kotlinx",
    "dalvik",
    "com",
    "org",
    "net",
    "io",
    "cn",
    "me",
    "co",
    "de",
    "okhttp3",
    "retrofit2",
    "sun",
    "libcore",
];

const URL_SCHEMES: &[&str] = &["https://", "http://", "wss://", "ws://", "ftp://"];

/// One automaton over URL schemes and the pack's secret prefixes: a string without any of
/// them is dismissed in one pass. Built per scan (a few dozen literals: microseconds).
struct Literals<'p> {
    matcher: Option<AhoCorasick>,
    /// Pattern `URL_SCHEMES.len() + i` is `secrets[i]`.
    secrets: &'p [SecretPrefix],
    pack: Option<&'p CompiledPack>,
}

impl<'p> Literals<'p> {
    fn new(pack: Option<&'p CompiledPack>) -> Self {
        let secrets = pack.map_or(&[][..], CompiledPack::secret_prefixes);
        let literals = URL_SCHEMES
            .iter()
            .copied()
            .chain(secrets.iter().map(|p| p.prefix.as_str()));
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(literals)
            .ok();
        Self {
            matcher,
            secrets,
            pack,
        }
    }

    fn has_literal(&self, text: &str) -> bool {
        self.matcher.as_ref().is_some_and(|m| m.is_match(text))
    }
}

/// Collects the network facts of an app whose manifest facts, code index and native facts are
/// filled. `document` is the decoded manifest; `pack` attributes code to SDKs when given.
pub(crate) fn collect(
    apk: &Apk<'_>,
    resources: Option<&ResourceTable>,
    document: &Document,
    facts: &AppFacts,
    options: &ScanOptions,
    anomalies: &mut Vec<AnomalyFact>,
    guard: &Guard,
) -> NetworkFacts {
    let pack = options.rules.as_deref();
    let app_packages = &options.app_packages;
    let mut out = NetworkFacts {
        security_config: security_config(apk, resources, document, facts, anomalies),
        ..NetworkFacts::default()
    };
    policy(&mut out, facts);
    let literals = Literals::new(pack);
    let mut found = Found::new(&literals);
    if let Some(res) = resources {
        for (id, text) in res.string_values() {
            // File resources hold their path as a string; no endpoint or key there.
            if text.starts_with("res/") || !literals.has_literal(text) && !maybe_bare(text) {
                continue;
            }
            let name = res.name(id).unwrap_or_else(|| format!("@0x{id:08x}"));
            found.scan(text, &format!("resources {name}"), BY_APP);
        }
    }
    let manifest = &facts.manifest;
    let meta = manifest
        .meta_data
        .iter()
        .chain(manifest.components.iter().flat_map(|c| c.meta_data.iter()));
    for m in meta {
        let Some(value) = m.value.as_deref() else {
            continue;
        };
        let location = format!("meta-data {}", m.name);
        if let Some(secret) =
            pack.and_then(|p| p.secret_for_meta_data(&m.name).and_then(|id| p.secret(id)))
        {
            // Unfilled build placeholders and unresolved references are not keys.
            if is_key_value(value) {
                found.secret(secret, value, &location, BY_APP);
            }
            continue;
        }
        found.scan(value, &location, BY_APP);
    }
    for lib in &facts.native {
        let by = pack
            .and_then(|p| crate::attribution::native_lib_owner(p, lib).map(|id| (p, id)))
            .map_or_else(
                || BY_UNATTRIBUTED.to_owned(),
                |(p, id)| crate::attribution::owner_name(Owner::Sdk(id), p),
            );
        for s in &lib.strings_of_interest {
            if !s.starts_with('/') {
                found.scan(s, &lib.path, &by);
            }
        }
    }
    if guard.should_stop() {
        return out;
    }
    // SDKs are not detected yet: libraries that belong to an embedding SDK stay libraries here.
    let attribution = pack.map(|p| Attribution::new(facts, p, app_packages, &[]));
    scan_dex(&facts.code_index, attribution.as_ref(), &mut found, guard);
    found.finish(&mut out);
    out
}

/// Whether a meta-data value looks like a filled-in key.
fn is_key_value(value: &str) -> bool {
    let v = value.trim();
    v.len() >= 4 && !v.starts_with("${") && !v.starts_with('@') && !v.contains(' ')
}

/// Cheap test before the bare host / IP checks: short, dotted, no spaces or slashes.
fn maybe_bare(text: &str) -> bool {
    (7..=253).contains(&text.len())
        && text.contains('.')
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':')
}

/// A dex string that holds a URL, host, IP or secret.
struct DexHit {
    dex: u32,
    string: u32,
}

fn scan_dex(
    index: &CodeIndex,
    attribution: Option<&Attribution<'_>>,
    found: &mut Found<'_>,
    guard: &Guard,
) {
    let pack = found.literals.pack;
    let literals = found.literals;
    let hits: Vec<Vec<DexHit>> = (0u32..)
        .zip(&index.dex)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(d, dex)| {
            let count = u32::try_from(dex.strings.len()).unwrap_or(u32::MAX);
            (0..count)
                .take_while(|&i| i % STRINGS_PER_CHECK != 0 || !guard.should_stop())
                .filter(|&i| {
                    dex.string(i).is_some_and(|s| {
                        literals.has_literal(s) || maybe_bare(s) && bare_kind(s).is_some()
                    })
                })
                .map(|string| DexHit { dex: d, string })
                .collect()
        })
        .collect();
    if hits.iter().all(Vec::is_empty) {
        return;
    }
    // Who loads a string comes from the reverse index; build it for every dex in parallel
    // now (the analysis would build it next anyway).
    index
        .dex
        .par_iter()
        .for_each(apkscope_facts::code::DexCode::prepare_queries);
    for (n, hit) in hits.into_iter().flatten().enumerate() {
        if n % HITS_PER_CHECK == 0 && guard.should_stop() {
            return;
        }
        let Some(dex) = index.dex_of(hit.dex) else {
            continue;
        };
        let Some(text) = dex.string(hit.string) else {
            continue;
        };
        let mut owners: BTreeMap<String, String> = BTreeMap::new();
        for (method, _) in dex
            .string_sites_of(hit.string)
            .into_iter()
            .take(MAX_SITES_PER_STRING)
        {
            let id = MethodId {
                dex: hit.dex,
                method,
            };
            let Some(class) = crate::attribution::class_of(index, id) else {
                continue;
            };
            let by = match (attribution, pack) {
                (Some(a), Some(p)) => crate::attribution::owner_name(a.owner(class), p),
                _ => BY_UNATTRIBUTED.to_owned(),
            };
            owners
                .entry(by)
                .or_insert_with(|| format!("{} {class}", dex.entry));
        }
        if owners.is_empty() {
            found.scan(text, &dex.entry, BY_UNATTRIBUTED);
        }
        for (by, location) in &owners {
            found.scan(text, location, by);
        }
    }
}

#[derive(Default)]
struct EndpointAcc {
    kind: &'static str,
    host: String,
    sources: BTreeSet<String>,
    by: BTreeSet<String>,
}

/// Endpoints and secrets gathered so far.
struct Found<'l> {
    literals: &'l Literals<'l>,
    endpoints: BTreeMap<String, EndpointAcc>,
    endpoints_dropped: u64,
    /// (vendor, location, id, kind, masked value, holder, public)
    secrets: BTreeSet<(String, String, String, String, String, String, bool)>,
    secrets_dropped: u64,
}

impl<'l> Found<'l> {
    fn new(literals: &'l Literals<'l>) -> Self {
        Self {
            literals,
            endpoints: BTreeMap::new(),
            endpoints_dropped: 0,
            secrets: BTreeSet::new(),
            secrets_dropped: 0,
        }
    }

    /// Looks for URLs, secrets and (for a whole string) a bare host or IP in `text`.
    fn scan(&mut self, text: &str, location: &str, by: &str) {
        let literals = self.literals;
        if let Some(matcher) = literals.matcher.as_ref() {
            for m in matcher.find_iter(text) {
                let pattern = m.pattern().as_usize();
                if let Some(p) = pattern
                    .checked_sub(URL_SCHEMES.len())
                    .and_then(|i| literals.secrets.get(i))
                {
                    if let Some(value) = secret_at(text, m.start(), p)
                        && looks_live(value.get(p.prefix.len()..).unwrap_or(""))
                        && let Some(secret) = literals.pack.and_then(|k| k.secret(p.secret))
                    {
                        self.secret(secret, value, location, by);
                    }
                } else if let Some((url, host)) = url_at(text, m.start()) {
                    let kind = if is_ipv4(&host) { "ip" } else { "url" };
                    self.endpoint(url, kind, host, location, by);
                }
            }
        }
        if maybe_bare(text)
            && let Some(kind) = bare_kind(text)
        {
            let host = text.split(':').next().unwrap_or(text).to_ascii_lowercase();
            self.endpoint(text.to_owned(), kind, host, location, by);
        }
    }

    fn endpoint(&mut self, value: String, kind: &'static str, host: String, at: &str, by: &str) {
        let full = self.endpoints.len() >= MAX_ENDPOINTS_GATHERED;
        if full && !self.endpoints.contains_key(&value) {
            self.endpoints_dropped = self.endpoints_dropped.saturating_add(1);
            return;
        }
        let acc = self.endpoints.entry(value).or_insert_with(|| EndpointAcc {
            kind,
            host,
            ..EndpointAcc::default()
        });
        if acc.sources.len() < MAX_SOURCES {
            acc.sources.insert(at.to_owned());
        }
        acc.by.insert(by.to_owned());
    }

    fn secret(&mut self, secret: &Secret, value: &str, at: &str, by: &str) {
        if self.secrets.len() > MAX_SECRETS.saturating_mul(4) {
            self.secrets_dropped = self.secrets_dropped.saturating_add(1);
            return;
        }
        let public = secret.public
            || at
                .strip_prefix("resources @string/")
                .is_some_and(|name| secret.public_in_resources.iter().any(|r| r == name));
        self.secrets.insert((
            secret.vendor.clone(),
            at.to_owned(),
            secret.id.clone(),
            secret.kind.as_str().to_owned(),
            mask(value),
            by.to_owned(),
            public,
        ));
    }

    fn finish(self, out: &mut NetworkFacts) {
        let total = self.endpoints.len();
        out.endpoints = self
            .endpoints
            .into_iter()
            .take(MAX_ENDPOINTS)
            .map(|(value, acc)| Endpoint {
                value,
                kind: acc.kind.to_owned(),
                host: acc.host,
                sources: acc.sources.into_iter().collect(),
                by: acc.by.into_iter().collect(),
            })
            .collect();
        out.endpoints_truncated = u64::try_from(total.saturating_sub(MAX_ENDPOINTS))
            .unwrap_or(u64::MAX)
            .saturating_add(self.endpoints_dropped);
        let total = self.secrets.len();
        out.secrets = self
            .secrets
            .into_iter()
            .take(MAX_SECRETS)
            .map(
                |(vendor, location, id, kind, masked, by, public)| SecretFacts {
                    id,
                    vendor,
                    kind,
                    masked,
                    location,
                    by,
                    public,
                },
            )
            .collect();
        out.secrets_truncated = u64::try_from(total.saturating_sub(MAX_SECRETS))
            .unwrap_or(u64::MAX)
            .saturating_add(self.secrets_dropped);
    }
}

/// Whether the part of a credential after its prefix looks like a live value rather than a
/// documentation example or a placeholder: no `EXAMPLE` or `YOUR`, no run of six equal
/// characters, and for 16 characters or more at least 2 bits of entropy per character.
/// Random keys score far higher (a 16-character hex key under 2.2 bits once in 100,000
/// draws), filler like `xxxxxyyyyyzzzzz` lower.
fn looks_live(body: &str) -> bool {
    const MIN_BITS_PER_CHAR: f64 = 2.0;
    const MAX_RUN: usize = 6;
    let upper = body.to_ascii_uppercase();
    if upper.contains("EXAMPLE") || upper.contains("YOUR") {
        return false;
    }
    let bytes = body.as_bytes();
    let mut run = 1usize;
    for pair in bytes.windows(2) {
        if let [a, b] = pair
            && a == b
        {
            run += 1;
            if run >= MAX_RUN {
                return false;
            }
        } else {
            run = 1;
        }
    }
    if bytes.len() < 16 {
        return true;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        if let Some(c) = counts.get_mut(usize::from(b)) {
            *c += 1;
        }
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "lengths of keys, far below 2^52"
    )]
    let len = bytes.len() as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum();
    entropy >= MIN_BITS_PER_CHAR
}

/// The first four and last two characters of `value`, never more than half of it.
pub(crate) fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 12 {
        let head: String = chars.iter().take(2).collect();
        return format!("{head}…");
    }
    let head: String = chars.iter().take(4).collect();
    let tail: String = chars.iter().skip(chars.len().saturating_sub(2)).collect();
    format!("{head}…{tail}")
}

/// The secret of pattern `p` starting at byte `start` of `text`, if the text there matches.
fn secret_at<'t>(text: &'t str, start: usize, p: &SecretPrefix) -> Option<&'t str> {
    let bytes = text.as_bytes();
    if let Some(before) = start.checked_sub(1).and_then(|i| bytes.get(i))
        && before.is_ascii_alphanumeric()
        && p.charset != SecretCharset::PemLabel
    {
        return None;
    }
    let body_start = start.checked_add(p.prefix.len())?;
    let body = bytes.get(body_start..)?;
    let run = body
        .iter()
        .take(p.max_len.saturating_add(1))
        .take_while(|&&b| p.charset.accepts(b))
        .count();
    if p.charset == SecretCharset::PemLabel {
        // `-----BEGIN RSA PRIVATE KEY-----`: the label must end in `PRIVATE KEY-----`.
        let label_end = body_start.checked_add(run)?;
        let header = text.get(start..label_end)?;
        let tail = text.get(label_end..)?;
        if header.ends_with("PRIVATE KEY") && tail.starts_with("-----") {
            return text.get(start..label_end.checked_add(5)?);
        }
        return None;
    }
    if run < p.min_len || run > p.max_len {
        return None;
    }
    text.get(start..body_start.checked_add(run)?)
}

/// The URL starting at byte `start` of `text` and its lowercase host, unless it names no
/// usable host or a namespace.
fn url_at(text: &str, start: usize) -> Option<(String, String)> {
    let rest = text.get(start..)?;
    let end = rest
        .char_indices()
        .find(|&(_, c)| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`' | '\\'))
        .map_or(rest.len(), |(i, _)| i);
    let mut url = rest.get(..end)?;
    if url.len() > MAX_URL_LEN {
        let mut cut = MAX_URL_LEN;
        while !url.is_char_boundary(cut) {
            cut = cut.checked_sub(1)?;
        }
        url = url.get(..cut)?;
    }
    let host = crate::urls::host(url)?;
    if NAMESPACE_HOSTS.contains(&host.as_str()) {
        return None;
    }
    Some((url.to_owned(), host))
}

/// Whether a whole string is a host name (`api.example.com`) or an IPv4 address
/// (optionally with a port): `host` or `ip`.
fn bare_kind(text: &str) -> Option<&'static str> {
    let (host, port) = match text.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (text, None),
    };
    if port.is_some_and(|p| p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    if is_ipv4(host) {
        return Some("ip");
    }
    let labels: Vec<&str> = host.split('.').collect();
    let (first, last) = (labels.first()?, labels.last()?);
    let tld = last.to_ascii_lowercase();
    let is_host = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-'))
        && host.bytes().all(|b| b != b'_')
        && !labels.iter().any(|l| l.bytes().all(|b| b.is_ascii_digit()))
        && apkscope_native::HOST_TLDS.contains(&tld.as_str())
        && !PACKAGE_ROOTS.contains(&first.to_ascii_lowercase().as_str())
        && !NAMESPACE_HOSTS.contains(&host.to_ascii_lowercase().as_str());
    is_host.then_some("host")
}

/// A dotted quad that is not a version number: octets 0–255, the first not 0, and not every
/// octet a single digit (`1.0.2.3`).
fn is_ipv4(text: &str) -> bool {
    let octets: Vec<&str> = text.split('.').collect();
    if octets.len() != 4 {
        return false;
    }
    let valid = octets.iter().all(|o| {
        !o.is_empty()
            && o.len() <= 3
            && o.bytes().all(|b| b.is_ascii_digit())
            && o.parse::<u16>().is_ok_and(|n| n <= 255)
    });
    valid && octets.first().is_some_and(|o| *o != "0") && !octets.iter().all(|o| o.len() == 1)
}

/// The effective cleartext policy and whether user CAs are trusted.
fn policy(out: &mut NetworkFacts, facts: &AppFacts) {
    // Without a targetSdkVersion Android assumes the minSdkVersion, else 1.
    let target = facts.app.target_sdk.or(facts.app.min_sdk).unwrap_or(1);
    let platform_default = target < CLEARTEXT_DEFAULT_OFF_SDK;
    let config = out.security_config.as_ref().filter(|c| c.problem.is_none());
    // With a network security config, Android 7+ ignores usesCleartextTraffic: the config's
    // base-config, else the platform default, decides.
    let (permitted, decided_by) = match config {
        Some(c) => match c.base_config.as_ref().and_then(|b| b.cleartext_permitted) {
            Some(v) => (v, "network-security-config"),
            None => (platform_default, "default"),
        },
        None => match facts.manifest.application.uses_cleartext_traffic {
            Some(v) => (v, "manifest"),
            None => (platform_default, "default"),
        },
    };
    let mut domains = BTreeSet::new();
    let mut user = target < USER_CA_DEFAULT_OFF_SDK;
    if let Some(c) = config {
        if let Some(base) = &c.base_config
            && !base.trust_anchors.is_empty()
        {
            user = base.trust_anchors.iter().any(|t| t.src == "user");
        }
        for d in &c.domain_configs {
            if d.cleartext_permitted == Some(true) {
                domains.extend(d.domains.iter().map(|x| x.name.clone()));
            }
            if d.trust_anchors.iter().any(|t| t.src == "user") {
                user = true;
            }
        }
    }
    out.cleartext = CleartextPolicy {
        permitted,
        decided_by: decided_by.to_owned(),
        domains: domains.into_iter().collect(),
    };
    out.user_certs_trusted = user;
}

/// Resolves and reads the config the manifest names.
fn security_config(
    apk: &Apk<'_>,
    resources: Option<&ResourceTable>,
    document: &Document,
    facts: &AppFacts,
    anomalies: &mut Vec<AnomalyFact>,
) -> Option<SecurityConfigFacts> {
    let reference = facts.manifest.application.network_security_config.clone()?;
    let attribute = document
        .root
        .as_ref()
        .and_then(|r| r.elements_named("application").next())
        .and_then(|a| a.android_attr("networkSecurityConfig"));
    let entry = attribute.and_then(|a| match &a.value {
        Value::String(path) => Some(path.clone()),
        v => v
            .as_reference()
            .and_then(|id| resources.and_then(|r| r.resolve_string(id))),
    });
    let mut config = SecurityConfigFacts {
        reference,
        entry: entry.clone(),
        ..SecurityConfigFacts::default()
    };
    let problem = match entry {
        None => Some(if resources.is_none() {
            "no resources.arsc to resolve the reference".to_owned()
        } else {
            "the reference names no file resource in resources.arsc".to_owned()
        }),
        Some(path) => match apk.entry(&path) {
            None => Some(format!("{path} is not in the APK")),
            Some(e) => match apk.read(e) {
                Err(err) => Some(format!("{path}: {err}")),
                Ok(bytes) => match apkscope_axml::parse(&bytes) {
                    Err(err) => Some(format!("{path}: {err}")),
                    Ok(doc) => {
                        read_config(&doc, resources, &mut config);
                        None
                    }
                },
            },
        },
    };
    if let Some(p) = &problem {
        anomalies.push(AnomalyFact {
            source: "resources".to_owned(),
            kind: "network_security_config_unreadable".to_owned(),
            detail: format!("network security config {}: {p}", config.reference),
            entry: config.entry.clone(),
            offset: None,
        });
    }
    config.problem = problem;
    Some(config)
}

fn read_config(doc: &Document, res: Option<&ResourceTable>, out: &mut SecurityConfigFacts) {
    let Some(root) = &doc.root else { return };
    for el in root.elements() {
        match el.name.as_str() {
            "base-config" => out.base_config = Some(config_of(el, res, None)),
            "debug-overrides" => out.debug_overrides = Some(config_of(el, res, None)),
            "domain-config" => domain_configs(el, res, None, 0, &mut out.domain_configs),
            _ => {}
        }
    }
}

/// A domain config and its nested ones, which inherit what they do not set.
fn domain_configs(
    el: &Element,
    res: Option<&ResourceTable>,
    parent: Option<&NetworkConfigFacts>,
    depth: usize,
    out: &mut Vec<NetworkConfigFacts>,
) {
    if depth > MAX_NESTING || out.len() >= MAX_DOMAIN_CONFIGS {
        return;
    }
    let config = config_of(el, res, parent);
    for nested in el.elements_named("domain-config") {
        domain_configs(nested, res, Some(&config), depth.saturating_add(1), out);
    }
    out.push(config);
}

fn config_of(
    el: &Element,
    res: Option<&ResourceTable>,
    parent: Option<&NetworkConfigFacts>,
) -> NetworkConfigFacts {
    let mut c = NetworkConfigFacts {
        cleartext_permitted: attr_bool(el, "cleartextTrafficPermitted")
            .or_else(|| parent.and_then(|p| p.cleartext_permitted)),
        ..NetworkConfigFacts::default()
    };
    for d in el.elements_named("domain").take(MAX_CHILDREN) {
        let name = text_of(d).to_ascii_lowercase();
        if !name.is_empty() {
            c.domains.push(DomainFacts {
                name,
                include_subdomains: attr_bool(d, "includeSubdomains").unwrap_or(false),
            });
        }
    }
    for anchors in el.elements_named("trust-anchors") {
        for cert in anchors.elements_named("certificates").take(MAX_CHILDREN) {
            c.trust_anchors.push(TrustAnchorFacts {
                src: attr_text(cert, "src", res).unwrap_or_default(),
                override_pins: attr_bool(cert, "overridePins").unwrap_or(false),
            });
        }
    }
    if c.trust_anchors.is_empty()
        && let Some(p) = parent
    {
        c.trust_anchors.clone_from(&p.trust_anchors);
    }
    if let Some(pins) = el.elements_named("pin-set").next() {
        c.pin_set = Some(PinSetFacts {
            expiration: attr_text(pins, "expiration", res),
            pins: pins
                .elements_named("pin")
                .take(MAX_CHILDREN)
                .map(|p| PinFacts {
                    digest: attr_text(p, "digest", res).unwrap_or_default(),
                    value: text_of(p),
                })
                .collect(),
        });
    } else if let Some(p) = parent {
        c.pin_set.clone_from(&p.pin_set);
    }
    c
}

fn text_of(el: &Element) -> String {
    let mut text = String::new();
    for node in &el.children {
        if let Node::Text(t) = node {
            text.push_str(&t.text);
        }
    }
    text.trim().to_owned()
}

fn attr_text(el: &Element, name: &str, res: Option<&ResourceTable>) -> Option<String> {
    let a = el.attr(name)?;
    if let Some(id) = a.value.as_reference() {
        return Some(
            res.and_then(|r| r.name(id))
                .unwrap_or_else(|| a.value.to_string()),
        );
    }
    match &a.value {
        Value::String(s) => Some(s.clone()),
        Value::Null | Value::Empty => a.raw_value.clone(),
        v => Some(a.raw_value.clone().unwrap_or_else(|| v.to_string())),
    }
}

fn attr_bool(el: &Element, name: &str) -> Option<bool> {
    let a = el.attr(name)?;
    if let Some(b) = a.value.as_bool() {
        return Some(b);
    }
    let text = a.value.as_str().or(a.raw_value.as_deref())?;
    match text.trim() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_four_and_two() {
        assert_eq!(mask("AKIAIOSFODNN7EXAMPLE"), "AKIA…LE");
        assert_eq!(mask("short"), "sh…");
    }

    #[test]
    fn examples_and_filler_are_not_live_keys() {
        // AWS's documented example, placeholders, runs and filler.
        assert!(!looks_live("IOSFODNN7EXAMPLE"));
        assert!(!looks_live("YOUR_KEY_HERE_123"));
        assert!(!looks_live("0000000000001234"));
        assert!(!looks_live("xxxxxyyyyyzzzzzw"));
        assert!(!looks_live("ababababababababab"));
        // Random-looking values of either alphabet, short values (no entropy test).
        assert!(looks_live("4QZ7R2MJ8WKV3NPD"));
        assert!(looks_live("3f9a0c61d27e4b85"));
        assert!(looks_live("0123456789abcdef"));
        assert!(looks_live("abc12"));
    }

    #[test]
    fn secret_patterns_need_exact_shapes() {
        let pack = apkscope_rules::default_pack().unwrap().compile().unwrap();
        let prefix = |s: &str| {
            pack.secret_prefixes()
                .iter()
                .find(|p| p.prefix == s)
                .unwrap()
                .clone()
        };
        let p = &prefix("AKIA");
        assert_eq!(
            secret_at("key=AKIAIOSFODNN7EXAMPLE;", 4, p),
            Some("AKIAIOSFODNN7EXAMPLE")
        );
        assert_eq!(secret_at("AKIAIOSFODNN7EXAMPLEX", 0, p), None);
        assert_eq!(secret_at("xAKIAIOSFODNN7EXAMPLE", 1, p), None);
        assert_eq!(secret_at("AKIASHORT", 0, p), None);
        let pem = &prefix("-----BEGIN ");
        let text = "-----BEGIN RSA PRIVATE KEY-----\nMIIE";
        assert_eq!(
            secret_at(text, 0, pem),
            Some("-----BEGIN RSA PRIVATE KEY-----")
        );
        assert_eq!(secret_at("-----BEGIN CERTIFICATE-----", 0, pem), None);
    }

    #[test]
    fn urls_skip_namespaces_and_templates() {
        assert_eq!(
            url_at("see https://api.example.com/v1?x=1 now", 4),
            Some((
                "https://api.example.com/v1?x=1".to_owned(),
                "api.example.com".to_owned()
            ))
        );
        assert_eq!(
            url_at("http://schemas.android.com/apk/res/android", 0),
            None
        );
        assert_eq!(url_at("http://%s/path", 0), None);
        assert_eq!(url_at("https://", 0), None);
    }

    #[test]
    fn bare_hosts_and_ips() {
        assert_eq!(bare_kind("api.weixin.qq.com"), Some("host"));
        assert_eq!(bare_kind("10.0.0.1:8080"), Some("ip"));
        assert_eq!(bare_kind("android.app"), None);
        assert_eq!(bare_kind("com.example.io"), None);
        assert_eq!(bare_kind("1.0.2.3"), None);
        assert_eq!(bare_kind("libfoo.so"), None);
        assert_eq!(bare_kind("300.1.1.1"), None);
    }
}
