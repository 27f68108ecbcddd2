//! Personal-information access: every site of every sensitive API of the pack, grouped by API
//! and owner (`pi_access`), the unknown components that reach personal information, and the
//! `pi-api-used` evaluator: one finding per owner and PI type, graded by the type.

use std::collections::{BTreeMap, BTreeSet};

use apkscope_facts::code::{CodeIndex, CodeRefKind, MethodId, Site};
use apkscope_facts::{
    AppFacts, CodeLocation, Evidence, Finding, OwnerFacts, PiAccess, UnknownComponent,
};
use apkscope_rules::{
    Api, ApiKind, ApiPermission, ApiUser, CompiledCheck, CompiledPack, PiType, PiTypeInfo, Severity,
};
use rayon::prelude::*;

use super::message::{Arg, Lang, Msg};
use super::{MAX_EXAMPLES, count};
use crate::attribution::{
    Attribution, KIND_APP, KIND_OPEN_SOURCE_LIBRARY, KIND_PLATFORM_LIBRARY, KIND_SDK,
    KIND_UNATTRIBUTED, Owner, class_of, owner_kind, owner_name,
};

/// Levels of a package name kept to group unattributed code (`com.zzz.collector`).
const UNKNOWN_PACKAGE_LEVELS: usize = 3;
/// How the report names the package of classes outside any package (`La;`).
const DEFAULT_PACKAGE: &str = "(default package)";
/// APIs named in a finding's message before "and N more".
const APIS_IN_MESSAGE: usize = 3;

/// Calls of one API by one owner (for unattributed code, by one package).
#[derive(Debug, Clone)]
pub(crate) struct Access {
    pub(super) api: usize,
    pub(super) owner: Owner,
    /// The package of unattributed code.
    pub(super) package: Option<String>,
    pub(super) sites: Vec<(MethodId, u32)>,
}

impl Access {
    /// Whether the access gives the code personal information (sending an SMS does not).
    pub(super) fn collects(&self, pack: &CompiledPack) -> bool {
        pack.apis().get(self.api).is_some_and(|a| a.collects)
    }

    pub(super) fn to_facts(&self, index: &CodeIndex, pack: &CompiledPack) -> PiAccess {
        let api = pack.apis().get(self.api);
        PiAccess {
            api: api.map(|a| a.id.clone()).unwrap_or_default(),
            pi_type: api
                .map(|a| a.pi_type.as_str().to_owned())
                .unwrap_or_default(),
            signature: api.map(|a| a.signature.clone()).unwrap_or_default(),
            by: owner_name(self.owner, pack),
            owner: owner_kind(self.owner, pack).to_owned(),
            package: self.package.clone(),
            sites: count(self.sites.len()),
            examples: self
                .sites
                .iter()
                .take(MAX_EXAMPLES)
                .map(|&(method, pc)| location(index, method, pc))
                .collect(),
            triggers: Vec::new(),
        }
    }
}

pub(super) fn location(index: &CodeIndex, method: MethodId, pc: u32) -> CodeLocation {
    let dex = index.dex_of(method.dex);
    CodeLocation {
        entry: dex.map(|d| d.entry.clone()).unwrap_or_default(),
        class: class_of(index, method).unwrap_or_default().to_owned(),
        method: index.method_signature(method).unwrap_or_default(),
        pc,
    }
}

/// Every use of every sensitive API, grouped by API and owner, in pack order. APIs are looked
/// up in parallel; the reverse indexes they read were built beforehand.
pub(super) fn find_pi_access(
    index: &CodeIndex,
    pack: &CompiledPack,
    attribution: &Attribution<'_>,
) -> Vec<Access> {
    let per_api: Vec<Vec<Access>> = pack
        .apis()
        .par_iter()
        .enumerate()
        .map(|(api_index, api)| api_access(index, api_index, api, attribution))
        .collect();
    per_api.into_iter().flatten().collect()
}

/// Sites by owner, and by package for unattributed code.
type SitesByOwner = BTreeMap<(Owner, Option<String>), Vec<(MethodId, u32)>>;

/// The uses of one sensitive API, grouped by owner (and by package for unattributed code).
fn api_access(
    index: &CodeIndex,
    api_index: usize,
    api: &Api,
    attribution: &Attribution<'_>,
) -> Vec<Access> {
    let mut by_owner: SitesByOwner = BTreeMap::new();
    for site in api_sites(index, api) {
        let class = class_of(index, site.method);
        let owner = class.map_or(Owner::Unattributed, |c| attribution.owner(c));
        let package = (owner == Owner::Unattributed).then(|| unknown_package(class.unwrap_or("")));
        by_owner
            .entry((owner, package))
            .or_default()
            .push((site.method, site.pc));
    }
    by_owner
        .into_iter()
        .map(|((owner, package), sites)| Access {
            api: api_index,
            owner,
            package,
            sites,
        })
        .collect()
}

/// Every use of `api`: call sites, field reads, string loads or content-URI strings, by kind;
/// for an API that needs a string argument, only the methods that load it.
pub(super) fn api_sites(index: &CodeIndex, api: &Api) -> Vec<Site> {
    let sites: Vec<Site> = match api.kind {
        ApiKind::Method => index.call_sites(&api.signature),
        ApiKind::Field => index.field_sites(&api.signature),
        ApiKind::String => index.string_sites(&api.signature),
        ApiKind::ContentUri => content_uri_sites(index, &api.signature),
    };
    sites
        .into_iter()
        .filter(|site| {
            api.with_string
                .as_deref()
                .is_none_or(|needed| method_loads_string(index, site.method, needed))
                && !api
                    .without_strings
                    .iter()
                    .any(|s| method_loads_string(index, site.method, s))
        })
        .collect()
}

/// The dotted package of a class descriptor, cut to [`UNKNOWN_PACKAGE_LEVELS`] levels.
pub(super) fn unknown_package(descriptor: &str) -> String {
    let body = descriptor
        .strip_prefix('L')
        .and_then(|d| d.strip_suffix(';'))
        .unwrap_or(descriptor);
    let Some((package, _)) = body.rsplit_once('/') else {
        return DEFAULT_PACKAGE.to_owned();
    };
    package
        .split('/')
        .take(UNKNOWN_PACKAGE_LEVELS)
        .collect::<Vec<_>>()
        .join(".")
}

/// Whether `method`'s code loads the string `text` (`const-string`).
fn method_loads_string(index: &CodeIndex, method: MethodId, text: &str) -> bool {
    let Some(dex) = index.dex_of(method.dex) else {
        return false;
    };
    dex.method_refs_of(method.method)
        .iter()
        .any(|r| r.kind == CodeRefKind::ConstString && dex.string(r.index) == Some(text))
}

fn content_uri_sites(index: &CodeIndex, prefix: &str) -> Vec<Site> {
    let mut sites = Vec::new();
    for (dex_index, dex) in (0u32..).zip(&index.dex) {
        for string in dex.strings_with_prefix(prefix) {
            sites.extend(
                dex.string_sites_of(string)
                    .into_iter()
                    .map(|(method, pc)| Site {
                        method: MethodId {
                            dex: dex_index,
                            method,
                        },
                        pc,
                    }),
            );
        }
    }
    sites
}

/// The packages of unattributed code that reaches personal information, with the types it
/// reaches, its classes and the hosts its URLs name.
pub(super) fn unknown_components(
    facts: &AppFacts,
    accesses: &[Access],
    pack: &CompiledPack,
) -> Vec<UnknownComponent> {
    let mut by_package: BTreeMap<&str, (BTreeSet<String>, Vec<CodeLocation>)> = BTreeMap::new();
    for access in accesses {
        let Some(package) = &access.package else {
            continue;
        };
        let Some(api) = pack.apis().get(access.api) else {
            continue;
        };
        if !api.collects || !is_personal(pack, api.pi_type) {
            continue;
        }
        let (types, examples) = by_package.entry(package).or_default();
        types.insert(api.pi_type.as_str().to_owned());
        for &(method, pc) in &access.sites {
            if examples.len() < MAX_EXAMPLES {
                examples.push(location(&facts.code_index, method, pc));
            }
        }
    }
    if by_package.is_empty() {
        return Vec::new();
    }
    // Classes and hosts per package, in one pass over the code.
    let mut classes: BTreeMap<&str, u64> = BTreeMap::new();
    for id in facts.code_index.classes() {
        if let Some(descriptor) = facts.code_index.class_descriptor(id) {
            let package = unknown_package(descriptor);
            if let Some((key, _)) = by_package.get_key_value(package.as_str()) {
                *classes.entry(key).or_default() += 1;
            }
        }
    }
    let hosts = hosts_by_package(&facts.code_index, &by_package);
    by_package
        .into_iter()
        .map(|(package, (types, mut examples))| {
            examples.sort();
            UnknownComponent {
                package: package.to_owned(),
                classes: classes.get(package).copied().unwrap_or(0),
                pi_types: types.into_iter().collect(),
                hosts: hosts.get(package).cloned().unwrap_or_default(),
                examples,
            }
        })
        .collect()
}

/// Hosts of the `http(s)://` URLs loaded (`const-string`) by code of the given packages.
fn hosts_by_package<T>(
    index: &CodeIndex,
    packages: &BTreeMap<&str, T>,
) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (dex_index, dex) in (0u32..).zip(&index.dex) {
        for scheme in ["http://", "https://"] {
            for string in dex.strings_with_prefix(scheme) {
                let Some(host) = dex.string(string).and_then(crate::urls::host) else {
                    continue;
                };
                for (method, _) in dex.string_sites_of(string) {
                    let id = MethodId {
                        dex: dex_index,
                        method,
                    };
                    let Some(class) = class_of(index, id) else {
                        continue;
                    };
                    let package = unknown_package(class);
                    if packages.contains_key(package.as_str()) {
                        out.entry(package).or_default().insert(host.clone());
                    }
                }
            }
        }
    }
    out.into_iter()
        .map(|(p, hosts)| (p, hosts.into_iter().collect()))
        .collect()
}

/// Whether the pack says the type is personal information (types it does not describe are).
pub(super) fn is_personal(pack: &CompiledPack, pi_type: PiType) -> bool {
    pack.pi_type(pi_type).is_none_or(|t| t.personal)
}

/// The sites of one owner reaching one PI type, gathered from `pi_access`.
#[derive(Default)]
struct Collection<'f> {
    owner_kind: &'f str,
    by: &'f str,
    package: Option<&'f str>,
    sites: u64,
    apis: BTreeSet<&'f str>,
    api_ids: BTreeSet<&'f str>,
    locations: Vec<&'f CodeLocation>,
    /// When the sites run (the call graph's triggers); empty when no graph was built.
    triggers: BTreeSet<&'f str>,
}

/// Findings of one `pi-api-used` check: one per owner (per package for unknown code) and PI
/// type, with every site counted and the first ones listed, graded by the type and by whether
/// the platform lets this app have the value at all.
pub(super) fn pi_findings(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
    by: ApiUser,
    pi_types: &[PiType],
) -> Vec<Finding> {
    let mut groups: BTreeMap<(&str, Option<&str>, &str), Collection<'_>> = BTreeMap::new();
    for access in &facts.pi_access {
        let kind = if access.owner.is_empty() {
            legacy_owner_kind(&access.by)
        } else {
            access.owner.as_str()
        };
        if !owner_matches(by, kind) {
            continue;
        }
        let Some(pi_type) = PiType::parse(&access.pi_type) else {
            continue;
        };
        if !(pi_types.is_empty() || pi_types.contains(&pi_type)) || !is_personal(pack, pi_type) {
            continue;
        }
        let c = groups
            .entry((
                access.by.as_str(),
                access.package.as_deref(),
                access.pi_type.as_str(),
            ))
            .or_default();
        c.owner_kind = kind;
        c.by = &access.by;
        c.package = access.package.as_deref();
        c.sites = c.sites.saturating_add(access.sites);
        c.apis.insert(&access.signature);
        c.api_ids.insert(&access.api);
        c.locations.extend(&access.examples);
        c.triggers
            .extend(access.triggers.iter().map(String::as_str));
    }
    groups
        .into_iter()
        .filter_map(|((_, _, pi_type), c)| {
            let pi_type = PiType::parse(pi_type)?;
            Some(pi_finding(facts, pack, check, pi_type, c))
        })
        .collect()
}

/// Reports written before owner kinds existed name only `by`.
fn legacy_owner_kind(by: &str) -> &'static str {
    match by {
        "app" => KIND_APP,
        "unattributed" => KIND_UNATTRIBUTED,
        _ => KIND_SDK,
    }
}

fn owner_matches(by: ApiUser, kind: &str) -> bool {
    match by {
        ApiUser::Sdk => kind == KIND_SDK,
        ApiUser::App => kind == KIND_APP,
        ApiUser::PlatformLibrary => kind == KIND_PLATFORM_LIBRARY,
        ApiUser::OpenSourceLibrary => kind == KIND_OPEN_SOURCE_LIBRARY,
        ApiUser::Unattributed => kind == KIND_UNATTRIBUTED,
        ApiUser::Any => true,
    }
}

fn pi_finding(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
    pi_type: PiType,
    c: Collection<'_>,
) -> Finding {
    let info = pack.pi_type(pi_type);
    let label = info.map_or_else(
        || Arg::Text(pi_type.as_str().to_owned()),
        |t| Arg::Both {
            en: t.name.clone(),
            zh: t.name_zh.clone(),
        },
    );
    let owner = owner_facts(facts, pack, c.owner_kind, c.by, c.package);
    let who = owner_msg(pack, &owner);
    let blocked = blocked_reason(facts, pack, &c.api_ids);
    let (severity, severity_reason, confidence) =
        graded(pack, check, info, blocked.as_ref(), &c.triggers);
    let apis = Arg::list(
        c.apis.iter().map(|a| Arg::Text(short_api(a))),
        APIS_IN_MESSAGE,
        false,
    );
    let message = match &blocked {
        Some(why) => Msg::new("pi.collects-blocked").arg("reason", why.clone()),
        None => Msg::new("pi.collects"),
    }
    .msg("owner", who)
    .arg("pi_type", label)
    .count("sites", c.sites)
    .arg("apis", apis);
    let mut locations: Vec<CodeLocation> = c.locations.into_iter().cloned().collect();
    locations.sort();
    locations.dedup();
    locations.truncate(MAX_EXAMPLES);
    let first = locations.first();
    let evidence = Evidence {
        entry: first.map(|l| l.entry.clone()),
        sdk: (c.owner_kind == KIND_SDK).then(|| c.by.to_owned()),
        class: first.map(|l| l.class.clone()),
        method: first.map(|l| l.method.clone()),
        api: c.apis.iter().next().map(|a| (*a).to_owned()),
        ..Evidence::default()
    };
    let fingerprint = super::fingerprint(&[
        check.check.id.as_str(),
        owner.kind.as_str(),
        owner.id.as_str(),
        pi_type.as_str(),
    ]);
    Finding {
        severity: severity.as_str().to_owned(),
        owner: Some(owner),
        pi_type: Some(pi_type.as_str().to_owned()),
        confidence: Some(confidence.to_owned()),
        severity_reason_zh: severity_reason.as_ref().map(|(_, zh)| zh.clone()),
        severity_reason: severity_reason.map(|(en, _)| en),
        sites: Some(c.sites),
        apis: c.apis.iter().map(|a| (*a).to_owned()).collect(),
        locations,
        ..super::fingerprinted_finding(pack, check, &message, evidence, fingerprint)
    }
}

/// A finding's severity, the reason shown for it, and its confidence: `info` when the
/// platform does not give the value (`blocked`); the type's own severity when an entry point
/// reaches a site (`reachable`); one level lower when nothing shows the code runs
/// (`capability`: no entry reaches it, or no call graph was built).
fn graded(
    pack: &CompiledPack,
    check: &CompiledCheck,
    info: Option<&PiTypeInfo>,
    blocked: Option<&Arg>,
    all_triggers: &BTreeSet<&str>,
) -> (Severity, Option<(String, String)>, &'static str) {
    let triggers: Vec<&str> = all_triggers
        .iter()
        .copied()
        .filter(|t| *t != "unreachable")
        .collect();
    let reached = triggers.iter().any(|t| *t != "periodic");
    match (blocked, info) {
        (Some(why), _) => {
            let reason = Msg::new("pi.blocked-severity").arg("reason", why.clone());
            (
                Severity::Info,
                Some((reason.render(pack, Lang::En), reason.render(pack, Lang::Zh))),
                "blocked",
            )
        }
        // An entry point reaches a call site: the code runs, the type's own severity.
        (None, Some(t)) if reached => {
            let reason = Msg::new("pi.reachable-severity")
                .both(
                    "reason",
                    t.severity_reason.clone(),
                    t.severity_reason_zh.clone(),
                )
                .text("triggers", triggers.join(", "));
            (
                t.severity,
                Some((reason.render(pack, Lang::En), reason.render(pack, Lang::Zh))),
                "reachable",
            )
        }
        (None, None) if reached => (check.check.severity, None, "reachable"),
        // The code is there, but nothing shows that it runs (no entry point reaches it, or no
        // call graph was built): one level below the type's severity.
        (None, Some(t)) => {
            let reason = if all_triggers.is_empty() {
                Msg::new("pi.capability-severity")
            } else {
                Msg::new("pi.unreachable-severity")
            }
            .both(
                "reason",
                t.severity_reason.clone(),
                t.severity_reason_zh.clone(),
            )
            .msg("severity", severity_word(t.severity));
            (
                t.severity.one_below(),
                Some((reason.render(pack, Lang::En), reason.render(pack, Lang::Zh))),
                "capability",
            )
        }
        (None, None) => (check.check.severity.one_below(), None, "capability"),
    }
}

/// Who, as a message names them: the app, an SDK, a library, or an unknown package.
pub(super) fn owner_msg(pack: &CompiledPack, owner: &OwnerFacts) -> Msg {
    match owner.kind.as_str() {
        KIND_APP => Msg::new("owner.app"),
        KIND_UNATTRIBUTED => Msg::new("owner.unattributed").text("package", owner.id.clone()),
        KIND_SDK => Msg::new("owner.sdk").arg("name", owner_name_arg(pack, owner)),
        _ => Msg::new("owner.library").text(
            "name",
            owner.name.clone().unwrap_or_else(|| owner.id.clone()),
        ),
    }
}

/// A severity's word, in the message table's languages.
fn severity_word(severity: Severity) -> Msg {
    match severity {
        Severity::Info => Msg::new("severity.info"),
        Severity::Low => Msg::new("severity.low"),
        Severity::Medium => Msg::new("severity.medium"),
        Severity::High => Msg::new("severity.high"),
        Severity::Critical => Msg::new("severity.critical"),
    }
}

/// An SDK owner's name: its Chinese name where the pack has one.
pub(super) fn owner_name_arg(pack: &CompiledPack, owner: &OwnerFacts) -> Arg {
    let en = owner.name.clone().unwrap_or_else(|| owner.id.clone());
    let zh = pack
        .sdk_by_id(&owner.id)
        .and_then(|id| pack.sdk(id))
        .and_then(|s| s.name_zh.clone())
        .unwrap_or_else(|| en.clone());
    Arg::Both { en, zh }
}

pub(super) fn owner_facts(
    facts: &AppFacts,
    pack: &CompiledPack,
    kind: &str,
    by: &str,
    package: Option<&str>,
) -> OwnerFacts {
    match kind {
        KIND_APP => OwnerFacts {
            kind: KIND_APP.to_owned(),
            id: by.to_owned(),
            name: facts.app.label.clone(),
        },
        KIND_UNATTRIBUTED => OwnerFacts {
            kind: KIND_UNATTRIBUTED.to_owned(),
            id: package.unwrap_or(DEFAULT_PACKAGE).to_owned(),
            name: None,
        },
        KIND_SDK => OwnerFacts {
            kind: KIND_SDK.to_owned(),
            id: by.to_owned(),
            name: facts
                .sdks
                .iter()
                .find(|s| s.id == by)
                .map(|s| s.name.clone())
                .or_else(|| {
                    pack.sdk_by_id(by)
                        .and_then(|id| pack.sdk(id))
                        .map(|s| s.name.clone())
                }),
        },
        _ => OwnerFacts {
            kind: kind.to_owned(),
            id: by.to_owned(),
            name: pack
                .library_by_id(by)
                .and_then(|id| pack.library(id))
                .map(|l| l.name.clone()),
        },
    }
}

/// `Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;` →
/// `TelephonyManager.getDeviceId()`; strings and content URIs are shown as they are.
pub(super) fn short_api(signature: &str) -> String {
    let Some((class, member)) = signature.split_once("->") else {
        return signature.to_owned();
    };
    let class = class
        .trim_start_matches('L')
        .trim_end_matches(';')
        .rsplit('/')
        .next()
        .unwrap_or(class);
    let name = member.split_once('(').map_or_else(
        || member.split(':').next().unwrap_or(member).to_owned(),
        |(name, _)| format!("{name}()"),
    );
    format!("{class}.{name}")
}

/// Why none of the APIs gives this app the value, or `None` when one of them can: an API
/// gives it unless every permission it needs is missing, cannot be granted to an app, or does
/// not apply on the Android versions the app runs on, or the platform returns a placeholder.
fn blocked_reason(facts: &AppFacts, pack: &CompiledPack, api_ids: &BTreeSet<&str>) -> Option<Arg> {
    // A bare dex has no manifest: which permissions and Android versions the app has is
    // unknown, not empty.
    if super::is_bare_dex(facts) {
        return None;
    }
    let mut reasons: Vec<(String, Msg)> = Vec::new();
    for id in api_ids {
        let api = pack.apis().iter().find(|a| a.id == *id)?;
        let why = api_blocked(facts, pack, api)?;
        let key = why.render(pack, Lang::En);
        if !reasons.iter().any(|(k, _)| *k == key) {
            reasons.push((key, why));
        }
    }
    reasons.sort_by(|a, b| a.0.cmp(&b.0));
    (!reasons.is_empty()).then(|| {
        Arg::list(
            reasons.into_iter().map(|(_, m)| Arg::Msg(m)),
            usize::MAX,
            false,
        )
    })
}

/// Why this API gives the app nothing, if it does.
pub(super) fn api_blocked(facts: &AppFacts, pack: &CompiledPack, api: &Api) -> Option<Msg> {
    let min_sdk = u32::try_from(facts.app.min_sdk.unwrap_or(1)).unwrap_or(1);
    let target_sdk = facts
        .app
        .target_sdk
        .and_then(|t| u32::try_from(t).ok())
        .unwrap_or(min_sdk);
    if let Some(from) = api.blanked_from_device_sdk
        && min_sdk >= from
    {
        return Some(
            Msg::new("pi.blocked-device")
                .text("api", short_api(&api.signature))
                .text("level", from.to_string())
                .text("min_sdk", min_sdk.to_string()),
        );
    }
    if let Some(from) = api.blanked_from_target_sdk
        && target_sdk >= from
    {
        return Some(
            Msg::new("pi.blocked-target")
                .text("api", short_api(&api.signature))
                .text("level", from.to_string())
                .text("target_sdk", target_sdk.to_string()),
        );
    }
    // Permissions whose absence only filters the answer never make the API useless.
    let needed: Vec<&ApiPermission> = api.permissions.iter().filter(|p| !p.filters).collect();
    // On a version the app runs on where no permission applies, the API needs none.
    let applies_at = |level: u32| {
        needed
            .iter()
            .any(|p| p.min_sdk.unwrap_or(1) <= level && level <= p.max_sdk.unwrap_or(u32::MAX))
    };
    let free_version = std::iter::once(min_sdk)
        .chain(
            needed
                .iter()
                .filter_map(|p| p.max_sdk?.checked_add(1))
                .filter(|&l| l >= min_sdk),
        )
        .any(|level| !applies_at(level));
    if free_version {
        return None;
    }
    let usable = needed.iter().any(|p| {
        let Some(requested) = facts
            .permissions
            .requested
            .iter()
            .find(|r| r.name == p.name)
        else {
            return false;
        };
        let grantable = pack.permission(&p.name).is_none_or(|perm| {
            let level = perm.protection_level.as_str();
            !(level.starts_with("signature") || level.contains("privileged"))
        });
        // The Android versions the app runs on where this permission gives the API.
        let low = min_sdk.max(p.min_sdk.unwrap_or(1));
        let high = [
            p.max_sdk,
            requested.max_sdk.and_then(|m| u32::try_from(m).ok()),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(u32::MAX);
        grantable && low <= high
    });
    if usable {
        return None;
    }
    let needs = needed.iter().map(|p| {
        let name = p.name.rsplit('.').next().unwrap_or(&p.name);
        let (low, high) = (
            p.min_sdk.map(|l| l.to_string()),
            p.max_sdk.map(|h| h.to_string()),
        );
        Arg::Msg(match (low, high) {
            (Some(low), Some(high)) => Msg::new("pi.permission-between")
                .text("permission", name)
                .text("low", low)
                .text("high", high),
            (Some(low), None) => Msg::new("pi.permission-from")
                .text("permission", name)
                .text("low", low),
            (None, Some(high)) => Msg::new("pi.permission-up-to")
                .text("permission", name)
                .text("high", high),
            (None, None) => return Arg::Text(name.to_owned()),
        })
    });
    Some(
        Msg::new("pi.blocked-permission")
            .text("api", short_api(&api.signature))
            .arg("needs", Arg::list(needs, usize::MAX, true))
            .text("min_sdk", min_sdk.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack() -> CompiledPack {
        let rules = r#"
[[permission]]
name = "android.permission.READ_PHONE_STATE"
protection_level = "dangerous"
added_in = 1
references = ["r"]

[[permission]]
name = "android.permission.READ_PRIVILEGED_PHONE_STATE"
protection_level = "signature|privileged"
added_in = 29
references = ["r"]

[[api]]
id = "imei"
pi_type = "imei"
kind = "method"
signature = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
permissions = [
  { name = "android.permission.READ_PHONE_STATE", max_sdk = 28 },
  { name = "android.permission.READ_PRIVILEGED_PHONE_STATE", min_sdk = 29 },
]
references = ["r"]

[[api]]
id = "apps"
pi_type = "installed-apps"
kind = "method"
signature = "Landroid/content/pm/PackageManager;->getInstalledPackages(I)Ljava/util/List;"
permissions = [{ name = "android.permission.QUERY_ALL_PACKAGES", min_sdk = 30, filters = true }]
references = ["r"]

[[api]]
id = "mac"
pi_type = "mac"
kind = "method"
signature = "Landroid/net/wifi/WifiInfo;->getMacAddress()Ljava/lang/String;"
blanked_from_device_sdk = 23
references = ["r"]

[[api]]
id = "serial"
pi_type = "serial"
kind = "field"
signature = "Landroid/os/Build;->SERIAL:Ljava/lang/String;"
blanked_from_target_sdk = 26
references = ["r"]
"#;
        // The default pack's wording, for the reasons' text.
        let messages = apkscope_rules::default_sources()
            .iter()
            .find(|(path, _)| *path == "messages.toml")
            .unwrap()
            .1;
        apkscope_rules::Pack::from_sources(&[("t.toml", rules), ("messages.toml", messages)])
            .unwrap()
            .compile()
            .unwrap()
    }

    fn app(min: i64, target: i64, permissions: &[&str]) -> AppFacts {
        let mut facts = AppFacts::default();
        facts.app.min_sdk = Some(min);
        facts.app.target_sdk = Some(target);
        facts.permissions.requested = permissions
            .iter()
            .map(|p| apkscope_facts::RequestedPermission {
                name: (*p).to_owned(),
                ..apkscope_facts::RequestedPermission::default()
            })
            .collect();
        facts
    }

    fn blocked(facts: &AppFacts, api: &str) -> Option<String> {
        let pack = pack();
        let api = pack.apis().iter().find(|a| a.id == api).unwrap();
        api_blocked(facts, &pack, api).map(|m| m.render(&pack, Lang::En))
    }

    #[test]
    fn what_the_platform_refuses_is_blocked() {
        let phone = "android.permission.READ_PHONE_STATE";
        // IMEI: READ_PHONE_STATE until Android 9, a privileged permission from Android 10.
        assert!(
            blocked(&app(21, 33, &[phone]), "imei").is_none(),
            "old devices"
        );
        let why = blocked(&app(21, 33, &[]), "imei").unwrap();
        assert!(why.contains("READ_PHONE_STATE (up to API 28)"), "{why}");
        assert!(
            blocked(&app(29, 33, &[phone]), "imei").is_some(),
            "Android 10+ only"
        );
        // The installed-app list is filtered, never refused.
        assert!(blocked(&app(30, 34, &[]), "apps").is_none());
        // Placeholders by device version and by target version.
        assert!(blocked(&app(21, 33, &[]), "mac").is_none());
        assert!(
            blocked(&app(23, 33, &[]), "mac")
                .unwrap()
                .contains("placeholder")
        );
        assert!(blocked(&app(21, 25, &[]), "serial").is_none());
        assert!(blocked(&app(21, 26, &[]), "serial").is_some());
    }

    #[test]
    fn packages_and_apis_read_well() {
        assert_eq!(
            unknown_package("Lcom/zzz/collector/net/Up;"),
            "com.zzz.collector"
        );
        assert_eq!(unknown_package("Lcom/zzz/Up;"), "com.zzz");
        assert_eq!(unknown_package("La;"), DEFAULT_PACKAGE);
        assert_eq!(
            short_api("Landroid/telephony/TelephonyManager;->getDeviceId(I)Ljava/lang/String;"),
            "TelephonyManager.getDeviceId()"
        );
        assert_eq!(
            short_api("Landroid/os/Build;->SERIAL:Ljava/lang/String;"),
            "Build.SERIAL"
        );
        assert_eq!(short_api("content://sms"), "content://sms");
    }
}
