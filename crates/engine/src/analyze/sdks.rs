//! The SDK inventory: evidence by kind (classes, components, actions, native libraries;
//! hosts only corroborate), the SDK facts, and the `sdk-present` evaluator.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use apkscope_facts::code::CodeIndex;
use apkscope_facts::{AppFacts, Evidence, SdkEvidence, SdkFacts};
use apkscope_rules::{Category, CompiledPack, SdkId};

use super::MAX_EXAMPLES;
use super::message::Msg;
use super::pi::Access;
use crate::attribution::{Attribution, Owner};

/// Evidence gathered per SDK while scanning.
#[derive(Debug, Default)]
pub(super) struct Found {
    classes: u64,
    class_examples: Vec<String>,
    components: BTreeSet<String>,
    actions: BTreeSet<String>,
    native_libs: BTreeSet<String>,
    domains: BTreeSet<String>,
}

/// The SDKs the app embeds, with their evidence. The app's own packages (its manifest package,
/// its Application class's package, `app_packages`) are never an SDK's, even under a vendor's
/// prefix (`cn.jiguang.demo`, `com.umeng.sample`): their classes and components are not
/// evidence; the vendor's own classes elsewhere still are.
pub(super) fn detect_sdks(
    facts: &AppFacts,
    pack: &CompiledPack,
    app_packages: &[String],
) -> BTreeMap<SdkId, Found> {
    let mut found: BTreeMap<SdkId, Found> = BTreeMap::new();
    let index = &facts.code_index;
    let own = Attribution::new(facts, pack, app_packages, &[]);
    let is_own = |descriptor: &str| own.owner(descriptor) == Owner::App;
    for id in index.classes() {
        let Some(descriptor) = index.class_descriptor(id) else {
            continue;
        };
        if is_own(descriptor) {
            continue;
        }
        if let Some(sdk) = pack.sdk_for_class(descriptor) {
            let entry = found.entry(sdk).or_default();
            entry.classes += 1;
            if entry.class_examples.len() < MAX_EXAMPLES {
                entry.class_examples.push(descriptor.to_owned());
            }
        }
    }
    for component in &facts.manifest.components {
        // A component the pack names exactly is the SDK's; one matched by class prefix only
        // when it is not in the app's own packages.
        let sdk = if is_own(&super::startup::descriptor(&component.name)) {
            pack.sdk_for_component_exact(&component.name)
        } else {
            pack.sdk_for_component(&component.name)
        };
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

pub(super) fn sdk_facts(
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
                // What the SDK's code reaches of personal information (network state is a
                // fact about the device, not the user's information).
                if api.collects && super::pi::is_personal(pack, api.pi_type) {
                    pi_types.insert(api.pi_type.as_str().to_owned());
                }
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
                legal_entity: sdk.legal_entity.clone(),
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

/// How specifically an `sdk-present` check names an SDK: by its category (2), as a catch-all
/// with no categories (1), not at all (0). Each SDK is reported by the most specific check.
pub(super) fn specificity(sdk: &SdkFacts, categories: &[Category]) -> u8 {
    if categories.iter().any(|c| c.as_str() == sdk.category) {
        2
    } else {
        u8::from(categories.is_empty())
    }
}

/// The SDKs this check reports: those it names most specifically among the pack's
/// `sdk-present` checks (`claims`: SDK id → check id).
pub(super) fn sdk_present(
    facts: &AppFacts,
    check: &str,
    claims: &HashMap<&str, &str>,
) -> Vec<(Msg, Evidence)> {
    facts
        .sdks
        .iter()
        .filter(|sdk| claims.get(sdk.id.as_str()) == Some(&check))
        .map(|sdk| {
            let name_zh = sdk.name_zh.clone().unwrap_or_else(|| sdk.name.clone());
            let message = match &sdk.vendor {
                Some(vendor) => Msg::new("sdk.embeds")
                    .both("name", sdk.name.clone(), name_zh)
                    .text("vendor", vendor.clone()),
                None => Msg::new("sdk.embeds-no-vendor").both("name", sdk.name.clone(), name_zh),
            };
            (
                message,
                Evidence {
                    sdk: Some(sdk.id.clone()),
                    ..Evidence::default()
                },
            )
        })
        .collect()
}
