//! Evaluates the compiled rule pack over an app's facts: SDK inventory, sensitive-API use
//! attributed to SDKs or the app, the permission matrix, and the checks' findings. One module
//! per evaluator family; this one runs them in order and makes findings of what they return.

mod behaviour;
pub(crate) mod explain;
mod manifest;
pub(crate) mod message;
mod network;
mod obfuscation;
mod packers;
mod permissions;
mod pi;
mod sdks;
pub(crate) mod signing;
pub(crate) mod startup;

use std::collections::{BTreeSet, HashMap};

use apkscope_facts::{
    AppFacts, CheckFacts, CheckTextFacts, Evidence, Finding, PiTypeFacts, ReferenceFacts,
    RulePackFacts,
};
use apkscope_rules::{CheckParams, CompiledCheck, CompiledPack, SdkId};
use sha2::{Digest, Sha256};

use rayon::prelude::*;

use self::message::{Lang, Msg};
use self::signing::{Day, SigningCheck};
use crate::Guard;
use crate::attribution::{Attribution, Owner, native_lib_owner};

/// How many examples of a kind of evidence a report keeps.
const MAX_EXAMPLES: usize = 5;

/// Fills `sdks`, `pi_access`, `unknown_components`, the permission matrix, `findings`,
/// `checks` and `references` of `facts`; certificate validity is judged on `as_of`; code under
/// `app_packages` (dotted) is the app's own besides its manifest and Application packages.
/// Returns early, leaving the rest empty, once `guard` says stop: the caller then fails the
/// scan.
pub(crate) fn analyze(
    facts: &mut AppFacts,
    pack: &std::sync::Arc<CompiledPack>,
    as_of: &Day,
    app_packages: &[String],
    guard: &Guard,
    graph: Option<startup::Pending>,
    call_graph: bool,
) {
    let mut sdks = sdks::detect_sdks(facts, pack, app_packages);
    if guard.should_stop() {
        return;
    }
    let present: Vec<SdkId> = sdks.keys().copied().collect();
    let attribution = Attribution::new(facts, pack, app_packages, &present);
    facts
        .code_index
        .dex
        .par_iter()
        .for_each(apkscope_facts::code::DexCode::prepare_queries);
    if guard.should_stop() {
        return;
    }
    let accesses = pi::find_pi_access(&facts.code_index, pack, &attribution);
    let behaviour_sites = behaviour::find_sites(&facts.code_index);
    if guard.should_stop() {
        return;
    }
    // When each site runs: the call graph from the manifest's entry points (its searches
    // started with the code index, or now). Only with code.
    let graph = graph.or_else(|| {
        call_graph
            .then(|| startup::Pending::start(facts, pack, guard))
            .flatten()
    });
    let site_queries: Vec<apkscope_facts::code::Site> = behaviour_sites
        .iter()
        .map(behaviour::BehaviourSite::site)
        .collect();
    let startup = graph.and_then(|g| g.finish(&accesses, &site_queries));
    for access in &accesses {
        if let Owner::Sdk(id) = access.owner {
            sdks.entry(id).or_default();
        }
    }
    permissions::fill_permission_matrix(facts, pack, &accesses);
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
    facts.sdks = sdks::sdk_facts(facts, pack, &sdks, &accesses);
    facts.packers = packers::detect_packers(facts, pack);
    // Accesses that collect nothing (sending an SMS) count towards permission use only.
    facts.pi_access = accesses
        .iter()
        .enumerate()
        .filter(|(_, a)| a.collects(pack))
        .map(|(i, a)| {
            let mut access = a.to_facts(&facts.code_index, pack);
            if let Some(triggers) = startup.as_ref().and_then(|s| s.triggers.get(i)) {
                access.triggers.clone_from(triggers);
            }
            access
        })
        .collect();
    facts.behaviour = behaviour::behaviour_facts(
        facts,
        pack,
        &attribution,
        &behaviour_sites,
        startup.as_ref().map(|s| s.sites.as_slice()),
        &accesses,
    );
    facts.startup = startup.map(|s| s.facts);
    facts.unknown_components = pi::unknown_components(facts, &accesses, pack);
    facts.findings = run_checks(facts, pack, as_of);
    (facts.checks, facts.references) = explain(&facts.findings, pack);
    facts.pi_types = pi_type_labels(facts, pack);
    facts.rule_pack = Some(RulePackFacts {
        hash: pack.pack_hash_hex(),
        sdks: count(pack.sdks().len()),
        apis: count(pack.apis().len()),
        checks: count(pack.checks().len()),
        packers: count(pack.packers().len()),
        secrets: count(pack.secrets().len()),
    });
}

pub(super) fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

pub(crate) fn run_checks(facts: &AppFacts, pack: &CompiledPack, as_of: &Day) -> Vec<Finding> {
    let claims = Claims::new(facts, pack);
    let mut findings: Vec<Finding> = pack
        .checks()
        .iter()
        .filter(|check| applies(&check.params, facts))
        .flat_map(|check| match &check.params {
            CheckParams::PiApiUsed { by, pi_types } => {
                pi::pi_findings(facts, pack, check, *by, pi_types)
            }
            CheckParams::BeforeConsent { condition } => {
                startup::before_consent(facts, pack, check, *condition)
            }
            CheckParams::ComponentCapability { permissions, kinds } => {
                manifest::component_capability(facts, pack, check, permissions, kinds)
            }
            CheckParams::SelfStart {
                actions,
                exempt_actions,
            } => manifest::self_start(facts, pack, check, actions, exempt_actions),
            CheckParams::PermissionRequest { condition } => {
                behaviour::permission_request(facts, pack, check, *condition)
            }
            CheckParams::AssociatedStart {
                direction,
                components,
                exempt_packages,
            } => behaviour::associated_start(
                facts,
                pack,
                check,
                *direction,
                components,
                exempt_packages,
            ),
            CheckParams::RegisteredReceiver { actions } => {
                behaviour::registered_receiver(facts, pack, check, actions)
            }
            CheckParams::KeepAlive { mechanisms } => {
                behaviour::keep_alive(facts, pack, check, mechanisms)
            }
            CheckParams::SmsSend {} => behaviour::sms_send(facts, pack, check),
            CheckParams::BackgroundCapture {} => {
                behaviour::background_capture_findings(facts, pack, check)
            }
            CheckParams::SettingsIntent { actions } => {
                behaviour::settings_intent(facts, pack, check, actions)
            }
            CheckParams::PackageProbe {
                min_packages,
                exempt_packages,
            } => behaviour::package_probe(facts, pack, check, *min_packages, exempt_packages),
            CheckParams::PermissionRequested { .. } => {
                permissions::permission_requested(facts, &check.check.id, &claims.permissions)
                    .into_iter()
                    .map(|(message, evidence)| finding(pack, check, &message, evidence))
                    .collect()
            }
            CheckParams::SdkPresent { .. } => {
                sdks::sdk_present(facts, &check.check.id, &claims.sdks)
                    .into_iter()
                    .map(|(message, evidence)| finding(pack, check, &message, evidence))
                    .collect()
            }
            params => evaluate(params, facts, as_of)
                .into_iter()
                .map(|(message, evidence)| finding(pack, check, &message, evidence))
                .collect(),
        })
        .collect();
    findings.sort_by(|a, b| (&a.rule, &a.message).cmp(&(&b.rule, &b.message)));
    findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    findings
}

/// What a report needs to explain its findings without the pack: the checks that fired, and
/// every reference they cite, expanded (a reference the pack cannot expand is kept by its id).
pub(crate) fn explain(
    findings: &[Finding],
    pack: &CompiledPack,
) -> (Vec<CheckFacts>, Vec<ReferenceFacts>) {
    let fired: BTreeSet<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    let mut cited: BTreeSet<&str> = BTreeSet::new();
    let checks: Vec<CheckFacts> = fired
        .iter()
        .filter_map(|id| pack.check(id))
        .map(|c| {
            let c = &c.check;
            cited.extend(c.references.iter().map(String::as_str));
            CheckFacts {
                id: c.id.clone(),
                name: c.name.clone(),
                severity: c.severity.as_str().to_owned(),
                title: c.title.clone(),
                what: c.what.clone(),
                why: c.why.clone(),
                remediation: c.remediation.clone(),
                references: c.references.clone(),
                zh: c.zh.as_ref().map(|t| CheckTextFacts {
                    title: t.title.clone(),
                    what: t.what.clone(),
                    why: t.why.clone(),
                    remediation: t.remediation.clone(),
                }),
            }
        })
        .collect();
    let references = cited
        .into_iter()
        .map(|id| {
            pack.reference(id).unwrap_or_else(|| ReferenceFacts {
                id: id.to_owned(),
                title: id.to_owned(),
                ..ReferenceFacts::default()
            })
        })
        .collect();
    (checks, references)
}

/// The labels of every personal-information type the report names (in `pi_access`,
/// `unknown_components`, `findings`, `sdks` or the requested permissions), sorted by id.
pub(crate) fn pi_type_labels(facts: &AppFacts, pack: &CompiledPack) -> Vec<PiTypeFacts> {
    let named: BTreeSet<&str> = facts
        .pi_access
        .iter()
        .map(|a| a.pi_type.as_str())
        .chain(
            facts
                .unknown_components
                .iter()
                .flat_map(|u| u.pi_types.iter().map(String::as_str)),
        )
        .chain(facts.findings.iter().filter_map(|f| f.pi_type.as_deref()))
        .chain(
            facts
                .sdks
                .iter()
                .flat_map(|s| s.pi_types.iter().map(String::as_str)),
        )
        .chain(
            facts
                .permissions
                .requested
                .iter()
                .flat_map(|p| p.pi_types.iter().map(String::as_str)),
        )
        .collect();
    named
        .into_iter()
        .filter_map(|id| {
            let info = pack.pi_type(apkscope_rules::PiType::parse(id)?)?;
            Some(PiTypeFacts {
                id: id.to_owned(),
                name: info.name.clone(),
                name_zh: info.name_zh.clone(),
                class: info.class.as_str().to_owned(),
                sensitive: info.sensitive,
            })
        })
        .collect()
}

/// A finding's stable identity: a hash of the parts that make it the same fact.
pub(super) fn fingerprint(parts: &[&str]) -> String {
    let digest = Sha256::digest(parts.join("\u{1f}").as_bytes());
    crate::hex(digest.get(..16).unwrap_or(&digest))
}

/// Which check reports each requested permission and each SDK: the one that names it most
/// specifically (by name, special class or group; by category or as a catch-all), the first in
/// pack order on a tie (which `rules validate` rejects). One fact, one finding.
struct Claims<'f> {
    permissions: HashMap<&'f str, &'f str>,
    sdks: HashMap<&'f str, &'f str>,
}

impl<'f> Claims<'f> {
    fn new(facts: &'f AppFacts, pack: &'f CompiledPack) -> Self {
        let mut permissions = HashMap::new();
        for p in &facts.permissions.requested {
            let mut best = (0u8, None);
            for c in pack.checks() {
                if let CheckParams::PermissionRequested {
                    groups,
                    special,
                    names,
                } = &c.params
                {
                    let s = permissions::specificity(p, groups, special, names);
                    if s > best.0 {
                        best = (s, Some(c.check.id.as_str()));
                    }
                }
            }
            if let (_, Some(id)) = best {
                permissions.insert(p.name.as_str(), id);
            }
        }
        let mut sdks = HashMap::new();
        for sdk in &facts.sdks {
            let mut best = (0u8, None);
            for c in pack.checks() {
                if let CheckParams::SdkPresent { categories } = &c.params {
                    let s = sdks::specificity(sdk, categories);
                    if s > best.0 {
                        best = (s, Some(c.check.id.as_str()));
                    }
                }
            }
            if let (_, Some(id)) = best {
                sdks.insert(sdk.id.as_str(), id);
            }
        }
        Self { permissions, sdks }
    }
}

/// A bare dex file has no container, so no manifest, signature or network security config:
/// checks of those would report their absence (no `allowBackup`, no signature, cleartext by
/// default) as if an APK lacked them. A bare dex is code read with no zip around it (an APK
/// always has entries: at least its manifest). What its code does (PI APIs, SDKs, packers,
/// secrets, obfuscation) is still checked.
fn applies(params: &CheckParams, facts: &AppFacts) -> bool {
    !(is_bare_dex(facts)
        && matches!(
            params,
            CheckParams::Signing { .. }
                | CheckParams::NetworkConfig { .. }
                | CheckParams::ManifestFlag { .. }
                | CheckParams::ExportedUnprotected { .. }
                | CheckParams::PermissionRequested { .. }
                | CheckParams::PermissionUnused { .. }
        ))
}

/// Whether the facts are of a bare dex file: code with no zip, so no manifest around it.
pub(super) fn is_bare_dex(facts: &AppFacts) -> bool {
    facts.container.entries == 0 && !facts.code.dex.is_empty()
}

/// One evaluator per check kind: what it found, as (message, evidence) pairs.
fn evaluate(params: &CheckParams, facts: &AppFacts, as_of: &Day) -> Vec<(Msg, Evidence)> {
    match params {
        CheckParams::PermissionUnused { groups } => permissions::permission_unused(facts, groups),
        CheckParams::ManifestFlag { attribute, equals } => {
            manifest::manifest_flag_set(facts, attribute, equals)
        }
        CheckParams::ExportedUnprotected { kinds } => manifest::exported_unprotected(facts, kinds),
        CheckParams::PackerPresent { kinds } => packers::packer_present(facts, kinds),
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
            signing::evaluate(facts, check, as_of)
        }
        CheckParams::NetworkConfig { condition } => {
            network::network_config(facts, *condition, as_of)
        }
        CheckParams::SecretPresent { kinds } => network::secret_present(facts, kinds),
        CheckParams::Obfuscation { verdicts } => obfuscation::obfuscated(facts, verdicts),
        _ => Vec::new(),
    }
}

fn finding(
    pack: &CompiledPack,
    check: &CompiledCheck,
    message: &Msg,
    evidence: Evidence,
) -> Finding {
    let key = serde_json_key(&check.check.id, &evidence);
    let digest = Sha256::digest(key.as_bytes());
    let fingerprint = crate::hex(digest.get(..16).unwrap_or(&digest));
    fingerprinted_finding(pack, check, message, evidence, fingerprint)
}

/// A finding of `check` with the check's severity, title and references, `message` rendered in
/// both languages, and a fingerprint the evaluator made of what makes it the same fact; the
/// evaluator fills the fields that apply (owner, confidence, chain…) with struct update.
pub(super) fn fingerprinted_finding(
    pack: &CompiledPack,
    check: &CompiledCheck,
    message: &Msg,
    evidence: Evidence,
    fingerprint: String,
) -> Finding {
    Finding {
        rule: check.check.id.clone(),
        name: check.check.name.clone(),
        severity: check.check.severity.as_str().to_owned(),
        title: check.check.title.clone(),
        message: message.render(pack, Lang::En),
        message_zh: Some(message.render(pack, Lang::Zh)),
        references: check.check.references.clone(),
        evidence,
        fingerprint,
        ..Finding::default()
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
