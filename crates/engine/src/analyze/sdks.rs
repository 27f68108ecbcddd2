//! The SDK inventory: evidence by kind (classes, components, actions, native libraries;
//! hosts only corroborate), the SDK facts, and the `sdk-present` evaluator.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use apkscope_facts::code::CodeIndex;
use apkscope_facts::{AppFacts, Evidence, SdkEvidence, SdkFacts, SdkVersion};
use apkscope_rules::{Category, CompiledPack, SdkId, VersionLocation};

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
    meta_data: BTreeSet<String>,
    strings: Vec<String>,
}

impl Found {
    /// The kinds of evidence that found the SDK, strongest first (hosts only corroborate).
    fn kinds(&self) -> Vec<String> {
        [
            ("classes", self.classes > 0),
            ("components", !self.components.is_empty()),
            ("intent-actions", !self.actions.is_empty()),
            ("native-libs", !self.native_libs.is_empty()),
            ("meta-data", !self.meta_data.is_empty()),
            ("strings", !self.strings.is_empty()),
        ]
        .into_iter()
        .filter(|(_, found)| *found)
        .map(|(kind, _)| kind.to_owned())
        .collect()
    }

    /// `high` when the vendor's own class or component names are there; `medium` when only its
    /// actions, native libraries or manifest keys are (its code may be renamed); `low` when only
    /// string markers are.
    fn confidence(&self) -> &'static str {
        if self.classes > 0 || !self.components.is_empty() {
            "high"
        } else if !self.actions.is_empty()
            || !self.native_libs.is_empty()
            || !self.meta_data.is_empty()
        {
            "medium"
        } else {
            "low"
        }
    }
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
    // String markers: renamed code keeps its constants.
    for &(sdk, needed) in pack.sdk_string_sets() {
        let Some(rule) = pack.sdk(sdk) else { continue };
        let present: Vec<String> = rule
            .strings
            .iter()
            .filter(|s| index.has_string(s))
            .cloned()
            .collect();
        if present.len() >= needed {
            found.entry(sdk).or_default().strings = present;
        }
    }
    // Manifest keys of the vendor's setup, under <application> or a component.
    let keys = facts.manifest.meta_data.iter().chain(
        facts
            .manifest
            .components
            .iter()
            .flat_map(|c| c.meta_data.iter()),
    );
    // A key names an SDK found otherwise; alone, only when the code reads it by name (renamed
    // code still asks for `CNZZ_APP_KEY`): a key left behind by a removed SDK is not evidence.
    for key in keys {
        let Some(sdk) = pack.sdk_for_meta_data(&key.name) else {
            continue;
        };
        if found.contains_key(&sdk) || index.has_string(&key.name) {
            found
                .entry(sdk)
                .or_default()
                .meta_data
                .insert(key.name.clone());
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
                version: version(facts, pack, id),
                confidence: evidence.confidence().to_owned(),
                evidence: SdkEvidence {
                    classes: evidence.classes,
                    class_examples: evidence.class_examples.clone(),
                    components: evidence.components.iter().cloned().collect(),
                    intent_actions: evidence.actions.iter().cloned().collect(),
                    native_libs: evidence.native_libs.iter().cloned().collect(),
                    domains: evidence.domains.iter().cloned().collect(),
                    meta_data: evidence.meta_data.iter().cloned().collect(),
                    strings: evidence.strings.clone(),
                    kinds: evidence.kinds(),
                },
                pi_types: pi_types.into_iter().collect(),
                permissions: permissions.into_iter().collect(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The SDK's version from the first of its rule's sources that gives one.
fn version(facts: &AppFacts, pack: &CompiledPack, id: SdkId) -> Option<SdkVersion> {
    let index = &facts.code_index;
    for (position, probe) in pack.sdk_versions(id) {
        // What indexing read for this source (`field` and `method` sources).
        let indexed = || {
            index
                .dex
                .iter()
                .flat_map(|d| d.version_texts.iter())
                .filter(|(p, _)| *p == position)
                .find_map(|(_, text)| probe.version(text))
        };
        let found = match &probe.location {
            VersionLocation::Field(member) => indexed().map(|v| (v, format!("field {member}"))),
            VersionLocation::Method(member) => indexed().map(|v| (v, format!("method {member}"))),
            VersionLocation::StringPrefix(prefix) => index.dex.iter().find_map(|d| {
                d.strings_with_prefix(prefix).into_iter().find_map(|i| {
                    let text = d.string(i)?;
                    probe
                        .version(text)
                        .map(|v| (v, format!("string \"{text}\"")))
                })
            }),
            VersionLocation::NativeLib(_) => facts.container.native_libs.iter().find_map(|lib| {
                probe
                    .version(lib)
                    .map(|v| (v, format!("native library {lib}")))
            }),
        };
        if let Some((value, source)) = found {
            return Some(SdkVersion { value, source });
        }
    }
    None
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
