//! Evaluates the compiled rule pack over an app's facts: SDK inventory, sensitive-API use
//! attributed to SDKs or the app, the permission matrix, and the checks' findings. One module
//! per evaluator family; this one runs them in order and makes findings of what they return.

mod manifest;
mod network;
mod obfuscation;
mod packers;
mod permissions;
mod pi;
mod sdks;
pub(crate) mod signing;

use apkscope_facts::{AppFacts, Evidence, Finding, RulePackFacts};
use apkscope_rules::{CheckParams, CompiledCheck, CompiledPack};
use sha2::{Digest, Sha256};

use rayon::prelude::*;

use self::signing::{Day, SigningCheck};
use crate::Guard;
use crate::attribution::{Attribution, BY_APP, BY_UNATTRIBUTED, Owner, native_lib_owner};

/// How many examples of a kind of evidence a report keeps.
const MAX_EXAMPLES: usize = 5;

/// Fills `sdks`, `pi_access`, the permission matrix and `findings` of `facts`; certificate
/// validity is judged on `as_of`. Returns early, leaving the rest empty, once `guard` says
/// stop: the caller then fails the scan.
pub(crate) fn analyze(facts: &mut AppFacts, pack: &CompiledPack, as_of: &Day, guard: &Guard) {
    let attribution = Attribution::new(facts, pack);
    let mut sdks = sdks::detect_sdks(facts, pack);
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
    let accesses = pi::find_pi_access(&facts.code_index, pack, &attribution);
    if guard.should_stop() {
        return;
    }
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

pub(super) fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
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
        } => permissions::permission_requested(facts, groups, special, names),
        CheckParams::PermissionUnused { groups } => permissions::permission_unused(facts, groups),
        CheckParams::PiApiUsed { by, pi_types } => pi::pi_api_used(facts, *by, pi_types),
        CheckParams::ManifestFlag { attribute, equals } => {
            manifest::manifest_flag_set(facts, attribute, equals)
        }
        CheckParams::ExportedUnprotected { kinds } => manifest::exported_unprotected(facts, kinds),
        CheckParams::SdkPresent { categories } => sdks::sdk_present(facts, categories),
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
