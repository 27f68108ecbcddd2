//! Manifest evaluators: `manifest-flag`, `exported-unprotected`, `component-capability` and
//! `self-start`.

use std::collections::BTreeMap;

use apkscope_facts::{AppFacts, Component, Evidence, Finding, OwnerFacts};
use apkscope_rules::{CompiledCheck, CompiledPack, ComponentKind, FlagValue, SdkId};

use super::fingerprinted_finding;
use super::message::{Arg, Msg};
use super::pi::{owner_facts, owner_msg, unknown_package};
use crate::attribution::{Attribution, owner_kind, owner_name};

pub(super) fn manifest_flag_set(
    facts: &AppFacts,
    attribute: &str,
    equals: &FlagValue,
) -> Vec<(Msg, Evidence)> {
    let state = manifest_flag(facts, attribute);
    let hit = match (equals, state) {
        (FlagValue::Bool(b), FlagState::Set(v)) => v == *b,
        (FlagValue::Str(s), FlagState::Absent) => s == "absent",
        _ => false,
    };
    if !hit {
        return Vec::new();
    }
    let message = match state {
        FlagState::Set(v) => Msg::new("manifest.flag-set")
            .text("attribute", attribute)
            .text("value", v.to_string()),
        _ => Msg::new("manifest.flag-absent").text("attribute", attribute),
    };
    vec![(
        message,
        Evidence {
            entry: Some(crate::MANIFEST_ENTRY.to_owned()),
            component: Some(format!("application@android:{attribute}")),
            ..Evidence::default()
        },
    )]
}

pub(super) fn exported_unprotected(
    facts: &AppFacts,
    kinds: &[ComponentKind],
) -> Vec<(Msg, Evidence)> {
    facts
        .manifest
        .components
        .iter()
        .filter(|c| kinds.is_empty() || kinds.iter().any(|k| k.as_str() == c.kind))
        .filter(|c| c.exported && is_unprotected(c) && !is_launcher(c))
        .map(|c| {
            (
                Msg::new("manifest.exported")
                    .msg("kind", component_kind(&c.kind))
                    .text("component", c.name.clone()),
                Evidence {
                    entry: Some(crate::MANIFEST_ENTRY.to_owned()),
                    component: Some(c.name.clone()),
                    ..Evidence::default()
                },
            )
        })
        .collect()
}

/// A component kind's word.
fn component_kind(kind: &str) -> Msg {
    match kind {
        "service" => Msg::new("component.service"),
        "receiver" => Msg::new("component.receiver"),
        "provider" => Msg::new("component.provider"),
        _ => Msg::new("component.activity"),
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

/// Findings of one `component-capability` check: one per manifest component protected by one
/// of `permissions` (the system binds it through that permission: an accessibility service, a
/// notification listener, a device admin receiver…), owned by the SDK, library or app whose
/// package holds its class.
pub(super) fn component_capability(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
    permissions: &[String],
    kinds: &[ComponentKind],
) -> Vec<Finding> {
    let attribution = found_sdks_attribution(facts, pack);
    facts
        .manifest
        .components
        .iter()
        .filter(|c| kinds.is_empty() || kinds.iter().any(|k| k.as_str() == c.kind))
        .filter_map(|c| {
            let permission = c
                .permission
                .as_deref()
                .filter(|p| permissions.iter().any(|want| want == p))?;
            let owner = component_owner(facts, pack, &attribution, &c.name);
            let message = Msg::new("manifest.capability")
                .msg("owner", owner_msg(pack, &owner))
                .msg("kind", component_kind(&c.kind))
                .text("component", c.name.clone())
                .text("permission", permission.to_owned());
            let evidence = Evidence {
                entry: Some(crate::MANIFEST_ENTRY.to_owned()),
                component: Some(c.name.clone()),
                permission: Some(permission.to_owned()),
                sdk: (owner.kind == crate::attribution::KIND_SDK).then(|| owner.id.clone()),
                ..Evidence::default()
            };
            let fingerprint =
                super::fingerprint(&[check.check.id.as_str(), c.name.as_str(), permission]);
            Some(Finding {
                owner: Some(owner),
                ..fingerprinted_finding(pack, check, &message, evidence, fingerprint)
            })
        })
        .collect()
}

/// The API level whose manifest receivers no longer get implicit broadcasts (Android 8).
const IMPLICIT_BROADCAST_LIMIT: i64 = 26;

/// Findings of one `self-start` check: one per owner whose manifest receivers listen for any of
/// `actions`, naming the receivers and the actions Android delivers to them for this app's
/// targetSdk; when it delivers none of them (an app targeting API 26 or later whose receivers
/// only listen for implicit broadcasts that are not exempt), the finding is `info` and says so.
pub(super) fn self_start(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
    actions: &[String],
    exempt: &[String],
) -> Vec<Finding> {
    let target = facts.app.target_sdk.or(facts.app.min_sdk).unwrap_or(1);
    let limited = target >= IMPLICIT_BROADCAST_LIMIT;
    let by_owner = wakes_by_owner(facts, pack, actions, exempt, limited);
    by_owner
        .into_iter()
        .map(|((kind, id, name), receivers)| {
            let owner = OwnerFacts { kind, id, name };
            let mut delivered: Vec<&str> = receivers.iter().flat_map(|r| r.1.clone()).collect();
            let mut dropped: Vec<&str> = receivers.iter().flat_map(|r| r.2.clone()).collect();
            delivered.sort_unstable();
            delivered.dedup();
            dropped.sort_unstable();
            dropped.dedup();
            let names = Arg::list(
                receivers.iter().map(|r| Arg::Text(r.0.to_owned())),
                4,
                false,
            );
            let short = |list: &[&str]| {
                Arg::list(
                    list.iter().map(|a| Arg::Text(short_action(a).to_owned())),
                    6,
                    false,
                )
            };
            let message = match (delivered.is_empty(), dropped.is_empty()) {
                (false, true) => Msg::new("self-start.wakes"),
                (false, false) => Msg::new("self-start.wakes-partly"),
                (true, _) => Msg::new("self-start.not-delivered"),
            }
            .msg("owner", owner_msg(pack, &owner))
            .arg("receivers", names)
            .arg("actions", short(&delivered))
            .arg("dropped", short(&dropped))
            .text("target", target.to_string());
            let evidence = Evidence {
                entry: Some(crate::MANIFEST_ENTRY.to_owned()),
                component: receivers.first().map(|r| r.0.to_owned()),
                sdk: (owner.kind == crate::attribution::KIND_SDK).then(|| owner.id.clone()),
                ..Evidence::default()
            };
            let fingerprint = super::fingerprint(&[
                check.check.id.as_str(),
                owner.kind.as_str(),
                owner.id.as_str(),
            ]);
            let severity = if delivered.is_empty() {
                apkscope_rules::Severity::Info
            } else {
                check.check.severity
            };
            Finding {
                severity: severity.as_str().to_owned(),
                owner: Some(owner),
                ..fingerprinted_finding(pack, check, &message, evidence, fingerprint)
            }
        })
        .collect()
}

/// An owner's fields (kind, id, name), in an order that sorts.
type OwnerKey = (String, String, Option<String>);
/// Receivers of one owner: (class, actions delivered, actions no longer delivered).
type Wakes<'f> = Vec<(&'f str, Vec<&'f str>, Vec<&'f str>)>;

/// The enabled manifest receivers that listen for any of `actions`, by owner; with `limited`
/// (targetSdk 26+) only `exempt` actions are delivered.
fn wakes_by_owner<'f>(
    facts: &'f AppFacts,
    pack: &CompiledPack,
    actions: &[String],
    exempt: &[String],
    limited: bool,
) -> BTreeMap<OwnerKey, Wakes<'f>> {
    let attribution = found_sdks_attribution(facts, pack);
    let mut by_owner: BTreeMap<OwnerKey, Wakes<'f>> = BTreeMap::new();
    for c in &facts.manifest.components {
        if c.kind != "receiver" || c.enabled == Some(false) {
            continue;
        }
        let mut heard: Vec<&str> = c
            .intent_filters
            .iter()
            .flat_map(|f| &f.actions)
            .map(String::as_str)
            .filter(|a| actions.iter().any(|w| w == a))
            .collect();
        heard.sort_unstable();
        heard.dedup();
        if heard.is_empty() {
            continue;
        }
        let (delivered, dropped): (Vec<&str>, Vec<&str>) = heard
            .into_iter()
            .partition(|a| !limited || exempt.iter().any(|e| e == a));
        let owner = component_owner(facts, pack, &attribution, &c.name);
        by_owner
            .entry((owner.kind, owner.id, owner.name))
            .or_default()
            .push((c.name.as_str(), delivered, dropped));
    }
    by_owner
}

/// Who owns the code of manifest components, by the SDKs the scan found (the app's own
/// packages: its manifest and Application packages).
pub(super) fn found_sdks_attribution<'p>(
    facts: &AppFacts,
    pack: &'p CompiledPack,
) -> Attribution<'p> {
    let present: Vec<SdkId> = facts
        .sdks
        .iter()
        .filter_map(|s| pack.sdk_by_id(&s.id))
        .collect();
    Attribution::new(facts, pack, &[], &present)
}

/// The owner of component class `class` (dotted), as findings name it: unattributed code by
/// its package.
pub(super) fn component_owner(
    facts: &AppFacts,
    pack: &CompiledPack,
    attribution: &Attribution<'_>,
    class: &str,
) -> OwnerFacts {
    class_owner(facts, pack, attribution, &super::startup::descriptor(class))
}

/// The owner of the class `descriptor` (`Lcom/x/Y;`), as findings name it: unattributed code
/// by its package.
pub(super) fn class_owner(
    facts: &AppFacts,
    pack: &CompiledPack,
    attribution: &Attribution<'_>,
    descriptor: &str,
) -> OwnerFacts {
    let who = attribution.owner(descriptor);
    let kind = owner_kind(who, pack);
    let package =
        (kind == crate::attribution::KIND_UNATTRIBUTED).then(|| unknown_package(descriptor));
    owner_facts(
        facts,
        pack,
        kind,
        &owner_name(who, pack),
        package.as_deref(),
    )
}

/// `android.intent.action.BOOT_COMPLETED` → `BOOT_COMPLETED`.
fn short_action(action: &str) -> &str {
    action.rsplit('.').next().unwrap_or(action)
}
