//! Evaluates the compiled rule pack over an app's facts: SDK inventory, sensitive-API use
//! attributed to SDKs or the app, the permission matrix, and the checks' findings.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use apkscope_facts::code::{CodeIndex, MethodId, Site};
use apkscope_facts::{
    AppFacts, CodeLocation, Component, Evidence, Finding, NativeLibFacts, PackerFacts, PiAccess,
    RulePackFacts, SdkEvidence, SdkFacts,
};
use apkscope_rules::{
    ApiKind, ApiUser, Category, CheckParams, CompiledCheck, CompiledPack, ComponentKind, FlagValue,
    ObfuscationVerdict, PackerId, PackerKind, PiType, SdkId, Special, Tc260Group,
};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::Guard;
use crate::signing_checks::{Day, SigningCheck};

/// Who owns a piece of code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Owner {
    Sdk(SdkId),
    App,
    Unattributed,
}

/// How many examples of a kind of evidence a report keeps.
const MAX_EXAMPLES: usize = 5;
/// `by` value for the app's own code.
pub(crate) const BY_APP: &str = "app";
/// `by` value for code neither an SDK nor the app's packages own.
pub(crate) const BY_UNATTRIBUTED: &str = "unattributed";

/// Fills `sdks`, `pi_access`, the permission matrix and `findings` of `facts`; certificate
/// validity is judged on `as_of`. Returns early, leaving the rest empty, once `guard` says
/// stop: the caller then fails the scan.
pub(crate) fn analyze(facts: &mut AppFacts, pack: &CompiledPack, as_of: &Day, guard: &Guard) {
    let attribution = Attribution::new(facts, pack);
    let mut sdks = detect_sdks(facts, pack);
    if guard.should_stop() {
        return;
    }
    facts
        .code_index
        .dex
        .par_iter()
        .for_each(apkscope_facts::code::DexCode::prepare_queries);
    if guard.should_stop() {
        return;
    }
    let accesses = find_pi_access(&facts.code_index, pack, &attribution);
    if guard.should_stop() {
        return;
    }
    for access in &accesses {
        if let Owner::Sdk(id) = access.owner {
            sdks.entry(id).or_default();
        }
    }
    fill_permission_matrix(facts, pack, &accesses);
    let owners: Vec<Option<String>> = facts
        .native
        .iter()
        .map(|lib| {
            native_lib_owner(pack, lib)
                .and_then(|id| pack.sdk(id))
                .map(|s| s.id.clone())
        })
        .collect();
    for (lib, owner) in facts.native.iter_mut().zip(owners) {
        lib.sdk = owner;
    }
    if guard.should_stop() {
        return;
    }
    facts.sdks = sdk_facts(facts, pack, &sdks, &accesses);
    facts.packers = detect_packers(facts, pack);
    facts.pi_access = accesses
        .iter()
        .map(|a| a.to_facts(&facts.code_index, pack))
        .collect();
    facts.findings = run_checks(facts, pack, as_of);
    facts.rule_pack = Some(RulePackFacts {
        hash: pack.pack_hash_hex(),
        sdks: count(pack.sdks().len()),
        apis: count(pack.apis().len()),
        checks: count(pack.checks().len()),
        packers: count(pack.packers().len()),
        secrets: count(pack.secrets().len()),
    });
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Decides who owns a class: the SDK with the longest matching prefix, else the app when the
/// class is under one of the app's own packages, else nobody known.
pub(crate) struct Attribution<'p> {
    pack: &'p CompiledPack,
    /// Descriptor prefixes of the app's own packages (`Lcom/example/app/`), looked up by each
    /// package prefix of a class (so a manifest naming 100,000 packages costs nothing more per
    /// class than one naming a few).
    app_prefixes: HashSet<String>,
}

impl<'p> Attribution<'p> {
    pub(crate) fn new(facts: &AppFacts, pack: &'p CompiledPack) -> Self {
        let mut packages = BTreeSet::new();
        if let Some(package) = &facts.app.package {
            packages.insert(package.clone());
        }
        // The application class and the app's components name its code packages, which can
        // differ from the manifest package (build flavours, renamed applicationId).
        let app_class = facts.manifest.application.name.iter();
        let components = facts.manifest.components.iter().map(|c| &c.name);
        for class in app_class.chain(components) {
            // A component the pack knows (by prefix or by exact name) is SDK code: its package
            // must not become the app's.
            if pack.sdk_for_component(class).is_some() {
                continue;
            }
            if let Some((package, _)) = class.rsplit_once('.') {
                packages.insert(package.to_owned());
            }
        }
        let app_prefixes = packages
            .into_iter()
            .filter(|p| p.contains('.'))
            .map(|p| format!("L{}/", p.replace('.', "/")))
            .collect();
        Self { pack, app_prefixes }
    }

    pub(crate) fn owner(&self, descriptor: &str) -> Owner {
        if let Some(id) = self.pack.sdk_for_class(descriptor) {
            Owner::Sdk(id)
        } else if self.is_app_class(descriptor) {
            Owner::App
        } else {
            Owner::Unattributed
        }
    }

    /// Whether the class is under one of the app's packages: every prefix of its descriptor
    /// that ends at a `/` is looked up.
    fn is_app_class(&self, descriptor: &str) -> bool {
        descriptor.match_indices('/').any(|(at, _)| {
            descriptor
                .get(..=at)
                .is_some_and(|p| self.app_prefixes.contains(p))
        })
    }
}

/// Evidence gathered per SDK while scanning.
#[derive(Debug, Default)]
struct Found {
    classes: u64,
    class_examples: Vec<String>,
    components: BTreeSet<String>,
    actions: BTreeSet<String>,
    native_libs: BTreeSet<String>,
    domains: BTreeSet<String>,
}

fn detect_sdks(facts: &AppFacts, pack: &CompiledPack) -> BTreeMap<SdkId, Found> {
    let mut found: BTreeMap<SdkId, Found> = BTreeMap::new();
    let index = &facts.code_index;
    for id in index.classes() {
        let Some(descriptor) = index.class_descriptor(id) else {
            continue;
        };
        if let Some(sdk) = pack.sdk_for_class(descriptor) {
            let entry = found.entry(sdk).or_default();
            entry.classes += 1;
            if entry.class_examples.len() < MAX_EXAMPLES {
                entry.class_examples.push(descriptor.to_owned());
            }
        }
    }
    for component in &facts.manifest.components {
        let sdk = pack
            .sdk_for_component(&component.name)
            .or_else(|| pack.sdk_for_class(&component.name));
        if let Some(sdk) = sdk {
            found
                .entry(sdk)
                .or_default()
                .components
                .insert(component.name.clone());
        }
        for filter in &component.intent_filters {
            for action in &filter.actions {
                if let Some(sdk) = pack.sdk_for_action(action) {
                    found.entry(sdk).or_default().actions.insert(action.clone());
                }
            }
        }
    }
    for lib in &facts.container.native_libs {
        let file = lib.rsplit('/').next().unwrap_or(lib);
        if let Some(sdk) = pack.sdk_for_native_lib(file) {
            found
                .entry(sdk)
                .or_default()
                .native_libs
                .insert(lib.clone());
        }
    }
    // Hosts only corroborate: several SDKs of one vendor share its domains, so a host alone
    // would name one of them at random.
    for host in code_hosts(index) {
        if let Some(entry) = pack
            .sdk_for_domain(&host)
            .and_then(|sdk| found.get_mut(&sdk))
        {
            entry.domains.insert(host);
        }
    }
    found
}

/// Packers, protectors and obfuscators whose traces the app carries: its manifest stub
/// classes, dex classes, native libraries, assets and hidden payloads. Sorted by id; each
/// packer keeps at most [`MAX_EXAMPLES`] dex classes as evidence.
fn detect_packers(facts: &AppFacts, pack: &CompiledPack) -> Vec<PackerFacts> {
    let mut found: BTreeMap<PackerId, (Vec<String>, usize)> = BTreeMap::new();
    // Evidence already listed, so that an app with 100,000 matching libraries is not quadratic.
    let mut seen: HashSet<(PackerId, String)> = HashSet::new();
    let mut add = |id: Option<PackerId>, what: String| {
        if let Some(id) = id
            && seen.insert((id, what.clone()))
        {
            found.entry(id).or_default().0.push(what);
        }
    };
    let app = &facts.manifest.application;
    if let Some(name) = &app.name {
        add(
            pack.packer_for_application_class(name),
            format!("application class {name}"),
        );
    }
    if let Some(name) = &app.app_component_factory {
        add(
            pack.packer_for_application_class(name),
            format!("app component factory {name}"),
        );
    }
    for lib in &facts.container.native_libs {
        add(
            pack.packer_for_native_lib(lib),
            format!("native library {lib}"),
        );
    }
    for asset in &facts.container.assets {
        add(pack.packer_for_asset(asset), format!("asset {asset}"));
    }
    for payload in &facts.code.hidden_payloads {
        let outer = payload.path.split('!').next().unwrap_or(&payload.path);
        add(
            pack.packer_for_asset(outer),
            format!("hidden payload {}", payload.path),
        );
    }
    if !pack.packers().is_empty() {
        let index = &facts.code_index;
        for id in index.classes() {
            let Some(descriptor) = index.class_descriptor(id) else {
                continue;
            };
            let Some(packer) = pack.packer_for_class(descriptor) else {
                continue;
            };
            let (evidence, classes) = found.entry(packer).or_default();
            if *classes < MAX_EXAMPLES {
                let what = format!("class {descriptor}");
                if seen.insert((packer, what.clone())) {
                    evidence.push(what);
                    *classes += 1;
                }
            }
        }
    }
    let mut out: Vec<PackerFacts> = found
        .into_iter()
        .filter_map(|(id, (evidence, _))| {
            let p = pack.packer(id)?;
            Some(PackerFacts {
                id: p.id.clone(),
                name: p.name.clone(),
                vendor: p.vendor.clone(),
                kind: p.kind.as_str().to_owned(),
                evidence,
            })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The SDK a native library belongs to: by its file name, else by the Java classes its JNI
/// exports implement.
pub(crate) fn native_lib_owner(pack: &CompiledPack, lib: &NativeLibFacts) -> Option<SdkId> {
    let path = lib.path.as_str();
    let file = path.rsplit('/').next().unwrap_or(path);
    pack.sdk_for_native_lib(file).or_else(|| {
        lib.jni_methods.iter().find_map(|m| {
            let class = m.rsplit_once('.').map_or(m.as_str(), |(class, _)| class);
            pack.sdk_for_class(class)
        })
    })
}

/// Host names of the `http://` and `https://` URLs among the dex strings.
fn code_hosts(index: &CodeIndex) -> BTreeSet<String> {
    let mut hosts = BTreeSet::new();
    for dex in &index.dex {
        for scheme in ["http://", "https://"] {
            for i in dex.strings_with_prefix(scheme) {
                let Some(url) = dex.string(i) else { continue };
                let rest = url.get(scheme.len()..).unwrap_or("");
                let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
                let host = authority
                    .rsplit('@')
                    .next()
                    .unwrap_or("")
                    .split(':')
                    .next()
                    .unwrap_or("");
                if !host.is_empty() && host.contains('.') && host.len() <= 253 {
                    hosts.insert(host.to_ascii_lowercase());
                }
            }
        }
    }
    hosts
}

/// Calls of one API by one owner.
#[derive(Debug)]
struct Access {
    api: usize,
    owner: Owner,
    sites: Vec<(MethodId, u32)>,
}

impl Access {
    fn to_facts(&self, index: &CodeIndex, pack: &CompiledPack) -> PiAccess {
        let api = pack.apis().get(self.api);
        PiAccess {
            api: api.map(|a| a.id.clone()).unwrap_or_default(),
            pi_type: api
                .map(|a| a.pi_type.as_str().to_owned())
                .unwrap_or_default(),
            signature: api.map(|a| a.signature.clone()).unwrap_or_default(),
            by: owner_name(self.owner, pack),
            sites: count(self.sites.len()),
            examples: self
                .sites
                .iter()
                .take(MAX_EXAMPLES)
                .map(|&(method, pc)| location(index, method, pc))
                .collect(),
        }
    }
}

pub(crate) fn owner_name(owner: Owner, pack: &CompiledPack) -> String {
    match owner {
        Owner::Sdk(id) => pack.sdk(id).map(|s| s.id.clone()).unwrap_or_default(),
        Owner::App => BY_APP.to_owned(),
        Owner::Unattributed => BY_UNATTRIBUTED.to_owned(),
    }
}

fn location(index: &CodeIndex, method: MethodId, pc: u32) -> CodeLocation {
    let record = index.method_record(method);
    let dex = index.dex_of(method.dex);
    let class = record
        .and_then(|r| dex.and_then(|d| d.classes.get(usize::try_from(r.class).ok()?)))
        .and_then(|c| dex.and_then(|d| d.type_descriptor(c.type_idx)))
        .unwrap_or_default();
    CodeLocation {
        entry: dex.map(|d| d.entry.clone()).unwrap_or_default(),
        class: class.to_owned(),
        method: index.method_signature(method).unwrap_or_default(),
        pc,
    }
}

pub(crate) fn class_of(index: &CodeIndex, method: MethodId) -> Option<&str> {
    let dex = index.dex_of(method.dex)?;
    let record = index.method_record(method)?;
    let class = dex.classes.get(usize::try_from(record.class).ok()?)?;
    dex.type_descriptor(class.type_idx)
}

/// Every use of every sensitive API, grouped by API and owner, in pack order. APIs are looked
/// up in parallel; the reverse indexes they read were built beforehand.
fn find_pi_access(
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

/// The uses of one sensitive API, grouped by owner.
fn api_access(
    index: &CodeIndex,
    api_index: usize,
    api: &apkscope_rules::Api,
    attribution: &Attribution<'_>,
) -> Vec<Access> {
    let sites: Vec<Site> = match api.kind {
        ApiKind::Method => index.call_sites(&api.signature),
        ApiKind::Field => index.field_sites(&api.signature),
        ApiKind::String => index.string_sites(&api.signature),
        ApiKind::ContentUri => content_uri_sites(index, &api.signature),
    };
    let mut by_owner: BTreeMap<Owner, Vec<(MethodId, u32)>> = BTreeMap::new();
    let with_string = api.with_string.as_deref();
    for site in sites {
        if let Some(needed) = with_string
            && !method_loads_string(index, site.method, needed)
        {
            continue;
        }
        let owner =
            class_of(index, site.method).map_or(Owner::Unattributed, |c| attribution.owner(c));
        by_owner
            .entry(owner)
            .or_default()
            .push((site.method, site.pc));
    }
    by_owner
        .into_iter()
        .map(|(owner, sites)| Access {
            api: api_index,
            owner,
            sites,
        })
        .collect()
}

/// Whether `method`'s code loads the string `text` (`const-string`).
fn method_loads_string(index: &CodeIndex, method: MethodId, text: &str) -> bool {
    let Some(dex) = index.dex_of(method.dex) else {
        return false;
    };
    dex.method_refs_of(method.method).iter().any(|r| {
        r.kind == apkscope_facts::code::CodeRefKind::ConstString
            && dex.string(r.index) == Some(text)
    })
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

fn fill_permission_matrix(facts: &mut AppFacts, pack: &CompiledPack, accesses: &[Access]) {
    let analysed = facts.code.analysed;
    for requested in &mut facts.permissions.requested {
        if let Some(permission) = pack.permission(&requested.name) {
            requested.protection_level = Some(permission.protection_level.clone());
            requested.group = permission.group.map(|g| g.as_str().to_owned());
            requested.special = permission.special.map(|s| s.as_str().to_owned());
            requested.pi_types = permission
                .pi_types
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect();
        }
        let needs = |api: usize| {
            pack.apis()
                .get(api)
                .is_some_and(|a| a.permissions.iter().any(|p| p.name == requested.name))
        };
        let mapped = (0..pack.apis().len()).any(needs);
        let users: BTreeSet<String> = accesses
            .iter()
            .filter(|a| needs(a.api))
            .map(|a| owner_name(a.owner, pack))
            .collect();
        requested.used = (analysed && mapped).then_some(!users.is_empty());
        requested.used_by = users.into_iter().collect();
    }
}

fn sdk_facts(
    facts: &AppFacts,
    pack: &CompiledPack,
    found: &BTreeMap<SdkId, Found>,
    accesses: &[Access],
) -> Vec<SdkFacts> {
    let requested: BTreeSet<&str> = facts
        .permissions
        .requested
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let mut out: Vec<SdkFacts> = found
        .iter()
        .filter_map(|(&id, evidence)| {
            let sdk = pack.sdk(id)?;
            let own = accesses.iter().filter(|a| a.owner == Owner::Sdk(id));
            let mut pi_types = BTreeSet::new();
            let mut permissions = BTreeSet::new();
            for access in own {
                let Some(api) = pack.apis().get(access.api) else {
                    continue;
                };
                pi_types.insert(api.pi_type.as_str().to_owned());
                for p in &api.permissions {
                    if requested.contains(p.name.as_str()) {
                        permissions.insert(p.name.clone());
                    }
                }
            }
            Some(SdkFacts {
                id: sdk.id.clone(),
                name: sdk.name.clone(),
                name_zh: sdk.name_zh.clone(),
                vendor: sdk.vendor.clone(),
                category: sdk.category.as_str().to_owned(),
                purpose: sdk.purpose.clone(),
                exodus_id: sdk.exodus_id,
                homepage: sdk.homepage.clone(),
                privacy_policy: sdk.privacy_policy.clone(),
                evidence: SdkEvidence {
                    classes: evidence.classes,
                    class_examples: evidence.class_examples.clone(),
                    components: evidence.components.iter().cloned().collect(),
                    intent_actions: evidence.actions.iter().cloned().collect(),
                    native_libs: evidence.native_libs.iter().cloned().collect(),
                    domains: evidence.domains.iter().cloned().collect(),
                },
                pi_types: pi_types.into_iter().collect(),
                permissions: permissions.into_iter().collect(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

pub(crate) fn run_checks(facts: &AppFacts, pack: &CompiledPack, as_of: &Day) -> Vec<Finding> {
    let mut findings: Vec<Finding> = pack
        .checks()
        .iter()
        .filter(|check| applies(&check.params, facts))
        .flat_map(|check| {
            evaluate(&check.params, facts, as_of)
                .into_iter()
                .map(move |(message, evidence)| finding(check, message, evidence))
        })
        .collect();
    findings.sort_by(|a, b| (&a.rule, &a.message).cmp(&(&b.rule, &b.message)));
    findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    findings
}

/// A bare dex file has no container, so no signature or network security config: checks of
/// those would report their absence as if an APK lacked them. A bare dex is code read with no
/// zip around it (an APK always has entries: at least its manifest).
fn applies(params: &CheckParams, facts: &AppFacts) -> bool {
    let bare_dex = facts.container.entries == 0 && !facts.code.dex.is_empty();
    !(bare_dex
        && matches!(
            params,
            CheckParams::Signing { .. } | CheckParams::NetworkConfig { .. }
        ))
}

/// One evaluator per check kind: what it found, as (message, evidence) pairs.
fn evaluate(params: &CheckParams, facts: &AppFacts, as_of: &Day) -> Vec<(String, Evidence)> {
    match params {
        CheckParams::PermissionRequested {
            groups,
            special,
            names,
        } => permission_requested(facts, groups, special, names),
        CheckParams::PermissionUnused { groups } => permission_unused(facts, groups),
        CheckParams::PiApiUsed { by, pi_types } => pi_api_used(facts, *by, pi_types),
        CheckParams::ManifestFlag { attribute, equals } => {
            manifest_flag_set(facts, attribute, equals)
        }
        CheckParams::ExportedUnprotected { kinds } => exported_unprotected(facts, kinds),
        CheckParams::SdkPresent { categories } => sdk_present(facts, categories),
        CheckParams::PackerPresent { kinds } => packer_present(facts, kinds),
        CheckParams::Signing {
            condition,
            date,
            min_key_bits,
        } => {
            let check = SigningCheck {
                condition: *condition,
                date: date.as_deref(),
                min_key_bits: *min_key_bits,
            };
            crate::signing_checks::evaluate(facts, check, as_of)
        }
        CheckParams::NetworkConfig { condition } => {
            crate::network::checks::network_config(facts, *condition, as_of)
        }
        CheckParams::SecretPresent { kinds } => {
            crate::network::checks::secret_present(facts, kinds)
        }
        CheckParams::Obfuscation { verdicts } => obfuscated(facts, verdicts),
        _ => Vec::new(),
    }
}

fn in_groups(group: Option<&str>, groups: &[Tc260Group]) -> bool {
    group.is_some_and(|g| groups.iter().any(|x| x.as_str() == g))
}

fn permission_requested(
    facts: &AppFacts,
    groups: &[Tc260Group],
    special: &[Special],
    names: &[String],
) -> Vec<(String, Evidence)> {
    let mut out = Vec::new();
    for p in &facts.permissions.requested {
        let is_special = p
            .special
            .as_deref()
            .is_some_and(|s| special.iter().any(|x| x.as_str() == s));
        if in_groups(p.group.as_deref(), groups) || is_special || names.contains(&p.name) {
            let class = p
                .group
                .as_deref()
                .or(p.special.as_deref())
                .map_or_else(String::new, |c| format!(" ({c})"));
            out.push((
                format!("requests {}{class}", p.name),
                permission_evidence(&p.name),
            ));
        }
    }
    out
}

fn permission_unused(facts: &AppFacts, groups: &[Tc260Group]) -> Vec<(String, Evidence)> {
    facts
        .permissions
        .requested
        .iter()
        .filter(|p| {
            (groups.is_empty() || in_groups(p.group.as_deref(), groups)) && p.used == Some(false)
        })
        .map(|p| {
            (
                format!("requests {} but no code calls an API that needs it", p.name),
                permission_evidence(&p.name),
            )
        })
        .collect()
}

fn pi_api_used(facts: &AppFacts, by: ApiUser, pi_types: &[PiType]) -> Vec<(String, Evidence)> {
    let mut out = Vec::new();
    for access in &facts.pi_access {
        let is_sdk = access.by != BY_APP && access.by != BY_UNATTRIBUTED;
        let by_matches = match by {
            ApiUser::Sdk => is_sdk,
            ApiUser::App => access.by == BY_APP,
            ApiUser::Any => true,
        };
        let type_matches =
            pi_types.is_empty() || pi_types.iter().any(|t| t.as_str() == access.pi_type);
        if !(by_matches && type_matches) {
            continue;
        }
        let first = access.examples.first();
        let who = match access.by.as_str() {
            BY_APP => "the app's own code".to_owned(),
            BY_UNATTRIBUTED => "code of no known SDK".to_owned(),
            sdk => format!("SDK {sdk}"),
        };
        out.push((
            format!(
                "{who} reads {} through {} ({} call sites)",
                access.pi_type, access.signature, access.sites
            ),
            Evidence {
                entry: first.map(|l| l.entry.clone()),
                sdk: is_sdk.then(|| access.by.clone()),
                class: first.map(|l| l.class.clone()),
                method: first.map(|l| l.method.clone()),
                api: Some(access.signature.clone()),
                ..Evidence::default()
            },
        ));
    }
    out
}

fn manifest_flag_set(
    facts: &AppFacts,
    attribute: &str,
    equals: &FlagValue,
) -> Vec<(String, Evidence)> {
    let state = manifest_flag(facts, attribute);
    let hit = match (equals, state) {
        (FlagValue::Bool(b), FlagState::Set(v)) => v == *b,
        (FlagValue::Str(s), FlagState::Absent) => s == "absent",
        _ => false,
    };
    if !hit {
        return Vec::new();
    }
    let shown = match state {
        FlagState::Set(v) => v.to_string(),
        _ => "absent".to_owned(),
    };
    vec![(
        format!("<application android:{attribute}> is {shown}"),
        Evidence {
            entry: Some(crate::MANIFEST_ENTRY.to_owned()),
            component: Some(format!("application@android:{attribute}")),
            ..Evidence::default()
        },
    )]
}

fn exported_unprotected(facts: &AppFacts, kinds: &[ComponentKind]) -> Vec<(String, Evidence)> {
    facts
        .manifest
        .components
        .iter()
        .filter(|c| kinds.is_empty() || kinds.iter().any(|k| k.as_str() == c.kind))
        .filter(|c| c.exported && is_unprotected(c) && !is_launcher(c))
        .map(|c| {
            (
                format!("{} {} is exported without a permission", c.kind, c.name),
                Evidence {
                    entry: Some(crate::MANIFEST_ENTRY.to_owned()),
                    component: Some(c.name.clone()),
                    ..Evidence::default()
                },
            )
        })
        .collect()
}

fn sdk_present(facts: &AppFacts, categories: &[Category]) -> Vec<(String, Evidence)> {
    facts
        .sdks
        .iter()
        .filter(|sdk| {
            categories.is_empty() || categories.iter().any(|c| c.as_str() == sdk.category)
        })
        .map(|sdk| {
            let vendor = sdk
                .vendor
                .as_deref()
                .map_or_else(String::new, |v| format!(" by {v}"));
            (
                format!("embeds {} ({}){vendor}", sdk.name, sdk.category),
                Evidence {
                    sdk: Some(sdk.id.clone()),
                    ..Evidence::default()
                },
            )
        })
        .collect()
}

/// One finding when the code shows any of `verdicts` (any verdict when empty): the analysis of
/// obfuscated code sees calls but may miss what decrypted strings and reflection hide.
fn obfuscated(facts: &AppFacts, verdicts: &[ObfuscationVerdict]) -> Vec<(String, Evidence)> {
    let obfuscation = &facts.code.obfuscation;
    let seen: Vec<&str> = obfuscation
        .verdicts
        .iter()
        .map(String::as_str)
        .filter(|v| verdicts.is_empty() || verdicts.iter().any(|w| w.as_str() == *v))
        .collect();
    if seen.is_empty() {
        return Vec::new();
    }
    let mut message = format!("the code is obfuscated ({})", seen.join(", "));
    if let Some(first) = obfuscation.evidence.first() {
        message.push_str(": ");
        message.push_str(first);
    }
    // Where to look: the busiest string decryptor, else the first dex file.
    let evidence = match obfuscation.string_decryptors.first() {
        Some(decryptor) => Evidence {
            method: Some(decryptor.method.clone()),
            class: decryptor
                .method
                .split_once("->")
                .map(|(class, _)| class.to_owned()),
            ..Evidence::default()
        },
        None => Evidence {
            entry: facts.code.dex.first().map(|d| d.entry.clone()),
            ..Evidence::default()
        },
    };
    vec![(message, evidence)]
}

fn packer_present(facts: &AppFacts, kinds: &[PackerKind]) -> Vec<(String, Evidence)> {
    facts
        .packers
        .iter()
        .filter(|p| kinds.is_empty() || kinds.iter().any(|k| k.as_str() == p.kind))
        .map(|p| {
            let vendor = p
                .vendor
                .as_deref()
                .map_or_else(String::new, |v| format!(" by {v}"));
            let first = p.evidence.first();
            let entry = first.and_then(|e| {
                ["native library ", "asset ", "hidden payload "]
                    .iter()
                    .find_map(|k| e.strip_prefix(k))
                    .map(|path| path.split('!').next().unwrap_or(path).to_owned())
            });
            (
                format!(
                    "packed with {} ({}){vendor}: {}",
                    p.name,
                    p.kind,
                    p.evidence.join("; ")
                ),
                Evidence {
                    entry,
                    component: first
                        .and_then(|e| {
                            e.strip_prefix("application class ")
                                .or_else(|| e.strip_prefix("app component factory "))
                        })
                        .map(str::to_owned),
                    class: first
                        .and_then(|e| e.strip_prefix("class "))
                        .map(str::to_owned),
                    packer: Some(p.id.clone()),
                    ..Evidence::default()
                },
            )
        })
        .collect()
}

fn permission_evidence(name: &str) -> Evidence {
    Evidence {
        entry: Some(crate::MANIFEST_ENTRY.to_owned()),
        permission: Some(name.to_owned()),
        ..Evidence::default()
    }
}

/// What the manifest says of a boolean `<application>` attribute.
#[derive(Debug, Clone, Copy)]
enum FlagState {
    /// An attribute the evaluator does not know.
    Unknown,
    /// Not written.
    Absent,
    /// Written with this value.
    Set(bool),
}

fn manifest_flag(facts: &AppFacts, attribute: &str) -> FlagState {
    let a = &facts.manifest.application;
    let value = match attribute {
        "debuggable" => a.debuggable,
        "allowBackup" => a.allow_backup,
        "usesCleartextTraffic" => a.uses_cleartext_traffic,
        "testOnly" => a.test_only,
        "extractNativeLibs" => a.extract_native_libs,
        "requestLegacyExternalStorage" => a.request_legacy_external_storage,
        _ => return FlagState::Unknown,
    };
    value.map_or(FlagState::Absent, FlagState::Set)
}

fn is_unprotected(c: &Component) -> bool {
    c.permission.is_none()
        && !(c.kind == "provider" && (c.read_permission.is_some() || c.write_permission.is_some()))
}

/// A launcher entry point must be exported: an activity whose only intent filters are
/// MAIN/LAUNCHER is not a finding. One that also takes other intents (deep links) still is.
fn is_launcher(c: &Component) -> bool {
    !c.intent_filters.is_empty()
        && c.intent_filters.iter().all(|f| {
            f.actions.iter().any(|a| a == "android.intent.action.MAIN")
                && f.categories
                    .iter()
                    .any(|c| c == "android.intent.category.LAUNCHER")
        })
}

fn finding(check: &CompiledCheck, message: String, evidence: Evidence) -> Finding {
    let key = serde_json_key(&check.check.id, &evidence);
    let digest = Sha256::digest(key.as_bytes());
    let fingerprint = crate::hex(digest.get(..16).unwrap_or(&digest));
    Finding {
        rule: check.check.id.clone(),
        name: check.check.name.clone(),
        severity: check.check.severity.as_str().to_owned(),
        title: check.check.title.clone(),
        message,
        references: check.check.references.clone(),
        evidence,
        fingerprint,
    }
}

/// What identifies a finding across builds: the rule and the evidence's names, not offsets.
fn serde_json_key(rule: &str, e: &Evidence) -> String {
    let parts = [
        &e.entry,
        &e.permission,
        &e.component,
        &e.sdk,
        &e.class,
        &e.method,
        &e.api,
    ];
    let mut key = rule.to_owned();
    for part in parts {
        key.push('\u{1f}');
        key.push_str(part.as_deref().unwrap_or(""));
    }
    // Appended only when set, so the fingerprints of other findings do not change.
    if let Some(packer) = &e.packer {
        key.push('\u{1f}');
        key.push_str(packer);
    }
    if let Some(certificate) = &e.certificate {
        key.push('\u{1f}');
        key.push_str(certificate);
    }
    key
}
