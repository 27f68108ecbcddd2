//! The collector: parser views and anomalies → [`AppFacts`]. One module per source of facts;
//! nothing here judges them (that is `analyze`).

pub(crate) mod code;
mod compiler;
mod native;
mod network;
pub(crate) mod obfuscation;
mod signing;
pub(crate) mod values;
mod versions;

use apkscope_apk::Apk;
use apkscope_axml::manifest::{self, Manifest};
use apkscope_axml::{Document, ResourceTable};
use apkscope_facts::{
    AnomalyFact, AppFacts, ApplicationFacts, Component, ContainerFacts, DeclaredPermission,
    InputFacts, IntentData, IntentFilter, ManifestFacts, MetaData, Queries, RequestedPermission,
    SigningBlockEntry, SigningBlockFacts, UsesFeature, UsesLibrary,
};

use crate::{Error, Guard, MANIFEST_ENTRY, RESOURCES_ENTRY, Result, ScanOptions};

/// What a decoded manifest (element tree, typed manifest, the facts made of it) or resource
/// table holds per byte of its binary form, at most: measured up to 6.5 on real and hostile
/// files (`tests/memory.rs` checks the scan as a whole).
const DECODED_PER_BYTE: u64 = 8;

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Anomaly sources, as they appear in reports.
const SOURCE_CONTAINER: &str = "container";
const SOURCE_MANIFEST: &str = "manifest";
const SOURCE_RESOURCES: &str = "resources";

/// The decoded manifest and, when present and readable, the resource table.
struct DecodedManifest {
    document: Document,
    resources: Option<ResourceTable>,
}

pub(crate) fn collect(
    data: &[u8],
    input: InputFacts,
    options: &ScanOptions,
    guard: &Guard,
) -> Result<AppFacts> {
    let apk = match Apk::parse_with_budget(data, container_options(options, guard), guard.budget())
    {
        Ok(apk) => apk,
        // A dex magic with no zip behind it is a bare dex; with a zip behind it (Janus), the APK
        // is read and the prepended dex becomes a hidden payload.
        Err(_) if code::is_bare_dex(data) => {
            return collect_bare_dex(data, input, options, guard);
        }
        Err(err) => return Err(Error::Container(err)),
    };
    let mut facts = AppFacts::new(input);
    facts.container = container_facts(&apk);
    facts
        .anomalies
        .extend(apk.anomalies().iter().map(container_anomaly));

    guard.check("decoding the manifest")?;
    let decoded = decode_manifest(&apk, &mut facts.anomalies, guard).map_err(|err| {
        // A manifest refused for want of time or memory is a limit, not a broken manifest.
        guard.check("decoding the manifest").err().unwrap_or(err)
    })?;
    let manifest = Manifest::from_document(&decoded.document, decoded.resources.as_ref());
    facts.anomalies.extend(
        decoded
            .document
            .anomalies
            .iter()
            .map(|a| parser_anomaly(SOURCE_MANIFEST, a)),
    );
    facts.anomalies.extend(
        manifest
            .anomalies
            .iter()
            .map(|a| parser_anomaly(SOURCE_MANIFEST, a)),
    );
    fill_manifest_facts(&mut facts, &manifest);
    let mut graph = None;
    if options.code {
        guard.check("reading the code")?;
        let sinks = sinks(options);
        let indexing = code::Indexing::new(options.verify_dex_checksums, &sinks);
        let (code, index) = code::collect_code(&apk, indexing, guard);
        guard.check("reading the code")?;
        facts.code = code;
        facts.code_index = std::sync::Arc::new(index);
        // The call graph needs only the code and the manifest: its searches run on their own
        // thread while the rest is read.
        graph = options
            .rules
            .as_ref()
            .filter(|_| options.call_graph)
            .and_then(|pack| crate::analyze::startup::Pending::start(&facts, pack, guard));
        facts.code.obfuscation = obfuscation::detect(
            &facts.code_index,
            &facts.code.dex,
            &facts.container.native_libs,
            guard,
        );
        guard.check("looking for obfuscation")?;
    }
    guard.check("reading the native libraries")?;
    facts.native = native::collect_native(&apk, &facts.container.native_libs, guard);
    guard.check("reading the signatures")?;
    facts.signing = signing::collect_signing(&apk, &mut facts.anomalies);
    guard.check("reading the network facts")?;
    let mut network_anomalies = Vec::new();
    facts.network = network::collect(
        &apk,
        decoded.resources.as_ref(),
        &decoded.document,
        &facts,
        options,
        &mut network_anomalies,
        guard,
    );
    facts.anomalies.extend(network_anomalies);
    if let Some(pack) = &options.rules {
        guard.check("analysing with the rule pack")?;
        crate::analyze::analyze(
            &mut facts,
            pack,
            &options.judged_on(),
            &options.app_packages,
            guard,
            graph,
            options.call_graph,
        );
        guard.check("analysing with the rule pack")?;
    }
    Ok(facts)
}

/// The calls whose arguments indexing rebuilds (the rule pack's `[[behaviour_api]]`s) and the
/// members its SDK version sources read.
fn sinks(options: &ScanOptions) -> values::Sinks {
    options
        .rules
        .as_ref()
        .map(|pack| {
            let mut sinks = values::Sinks::new(pack.behaviour_apis());
            sinks.versions = versions::VersionMembers::new(pack);
            sinks
        })
        .unwrap_or_default()
}

/// The container's limits with the scan's deadline.
fn container_options(options: &ScanOptions, guard: &Guard) -> apkscope_apk::Options {
    let mut container = options.container;
    container.deadline = guard.deadline();
    container
}

/// A bare dex file has code and nothing else: no manifest, no container.
fn collect_bare_dex(
    data: &[u8],
    input: InputFacts,
    options: &ScanOptions,
    guard: &Guard,
) -> Result<AppFacts> {
    let name = std::path::Path::new(&input.path)
        .file_name()
        .map_or_else(|| input.path.clone(), |n| n.to_string_lossy().into_owned());
    let mut facts = AppFacts::new(input);
    let sinks = sinks(options);
    let indexing = code::Indexing::new(options.verify_dex_checksums, &sinks);
    let (code, index) = code::collect_bare_dex(&name, data, indexing, guard);
    guard.check("reading the code")?;
    facts.code = code;
    facts.code_index = std::sync::Arc::new(index);
    facts.code.obfuscation = obfuscation::detect(&facts.code_index, &facts.code.dex, &[], guard);
    // SDK inventory, API use and the checks that apply to code alone.
    if let Some(pack) = &options.rules {
        guard.check("analysing with the rule pack")?;
        crate::analyze::analyze(
            &mut facts,
            pack,
            &options.judged_on(),
            &options.app_packages,
            guard,
            None,
            options.call_graph,
        );
    }
    guard.check("analysing with the rule pack")?;
    Ok(facts)
}

/// Indexes only the code of an APK or a bare dex file: the manifest is not needed.
pub(crate) fn code_only(
    data: &[u8],
    path: &str,
    options: &ScanOptions,
) -> Result<apkscope_facts::CodeIndex> {
    let guard = Guard::for_command(options);
    guard.charge(
        u64::try_from(data.len()).unwrap_or(u64::MAX),
        "reading the input",
    )?;
    if code::is_bare_dex(data) {
        let name = std::path::Path::new(path)
            .file_name()
            .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned());
        let sinks = sinks(options);
        let indexing = code::Indexing::new(options.verify_dex_checksums, &sinks);
        let index = code::collect_bare_dex(&name, data, indexing, &guard).1;
        guard.check("reading the code")?;
        return Ok(index);
    }
    let apk = Apk::parse_with_budget(data, container_options(options, &guard), guard.budget())
        .map_err(Error::Container)?;
    let sinks = sinks(options);
    let indexing = code::Indexing::new(options.verify_dex_checksums, &sinks);
    let index = code::collect_code(&apk, indexing, &guard).1;
    guard.check("reading the code")?;
    Ok(index)
}

pub(crate) fn manifest_xml(data: &[u8], options: &ScanOptions) -> Result<crate::ManifestXml> {
    let guard = Guard::for_command(options);
    guard.charge(
        u64::try_from(data.len()).unwrap_or(u64::MAX),
        "reading the input",
    )?;
    let apk = Apk::parse_with_budget(data, container_options(options, &guard), guard.budget())
        .map_err(Error::Container)?;
    let mut ignored = Vec::new();
    let decoded = decode_manifest(&apk, &mut ignored, &guard)
        .map_err(|err| guard.check("decoding the manifest").err().unwrap_or(err))?;
    let rendered = apkscope_axml::render_xml(&decoded.document, decoded.resources.as_ref());
    Ok(crate::ManifestXml {
        xml: rendered.xml,
        repairs: rendered
            .anomalies
            .iter()
            .map(|a| parser_anomaly(SOURCE_MANIFEST, a))
            .collect(),
    })
}

/// Reads and decodes `AndroidManifest.xml` (required) and `resources.arsc` (optional: its
/// problems become anomalies, and references stay unresolved).
///
/// What the decoded trees will hold is charged to the budget before they are decoded: a 270 KB
/// APK can carry an 80 MB manifest of a million identical elements.
fn decode_manifest(
    apk: &Apk<'_>,
    anomalies: &mut Vec<AnomalyFact>,
    guard: &Guard,
) -> Result<DecodedManifest> {
    let entry = apk.entry(MANIFEST_ENTRY).ok_or(Error::MissingManifest)?;
    let bytes = apk.read(entry).map_err(Error::ManifestEntry)?;
    guard.charge(
        to_u64(bytes.len()).saturating_mul(DECODED_PER_BYTE),
        "decoding the manifest",
    )?;
    let document = apkscope_axml::parse(&bytes).map_err(Error::Manifest)?;

    let resources = match apk.entry(RESOURCES_ENTRY) {
        None => None,
        Some(entry) => match apk.read(entry) {
            Err(err) => {
                anomalies.push(resources_problem("resources_unreadable", &err.to_string()));
                None
            }
            Ok(bytes) => match guard
                .charge(
                    to_u64(bytes.len()).saturating_mul(DECODED_PER_BYTE),
                    "decoding the resource table",
                )
                .map(|()| apkscope_axml::arsc::parse(&bytes))?
            {
                Err(err) => {
                    anomalies.push(resources_problem("resources_undecodable", &err.to_string()));
                    None
                }
                Ok(table) => {
                    anomalies.extend(
                        table
                            .anomalies
                            .iter()
                            .map(|a| parser_anomaly(SOURCE_RESOURCES, a)),
                    );
                    Some(table)
                }
            },
        },
    };
    Ok(DecodedManifest {
        document,
        resources,
    })
}

fn resources_problem(kind: &str, detail: &str) -> AnomalyFact {
    AnomalyFact {
        source: SOURCE_RESOURCES.to_owned(),
        kind: kind.to_owned(),
        detail: format!("{detail}; resource references stay unresolved"),
        entry: Some(RESOURCES_ENTRY.to_owned()),
        offset: None,
    }
}

fn container_anomaly(anomaly: &apkscope_apk::Anomaly) -> AnomalyFact {
    AnomalyFact {
        source: SOURCE_CONTAINER.to_owned(),
        kind: anomaly.code.to_owned(),
        detail: anomaly.detail.clone(),
        entry: anomaly.entry.clone(),
        offset: anomaly.offset,
    }
}

fn parser_anomaly(source: &str, anomaly: &apkscope_axml::Anomaly) -> AnomalyFact {
    let entry = match source {
        SOURCE_RESOURCES => RESOURCES_ENTRY,
        _ => MANIFEST_ENTRY,
    };
    AnomalyFact {
        source: source.to_owned(),
        kind: anomaly.code.to_owned(),
        detail: anomaly.detail.clone(),
        entry: Some(entry.to_owned()),
        offset: anomaly.offset,
    }
}

fn container_facts(apk: &Apk<'_>) -> ContainerFacts {
    let mut dex_entries: Vec<(u32, String)> = apk
        .entries()
        .iter()
        .filter_map(|e| multidex_index(&e.name).map(|i| (i, e.name.clone())))
        .collect();
    dex_entries.sort();
    dex_entries.dedup();
    let native_libs = apk
        .entries()
        .iter()
        .filter(|e| {
            !e.is_dir
                && e.name
                    .rsplit('.')
                    .next()
                    .is_some_and(|ext| ext.eq_ignore_ascii_case("so"))
        })
        .map(|e| e.name.clone())
        .collect();
    let assets = apk
        .entries()
        .iter()
        .filter(|e| !e.is_dir && e.name.starts_with("assets/"))
        .take(apkscope_facts::MAX_ASSET_NAMES)
        .map(|e| e.name.clone())
        .collect();
    ContainerFacts {
        native_libs,
        assets,
        entries: u64::try_from(apk.entries().len()).unwrap_or(u64::MAX),
        dex_entries: dex_entries.into_iter().map(|(_, name)| name).collect(),
        signing_block: apk.signing_block().map(|block| SigningBlockFacts {
            offset: block.offset,
            size: block.size,
            blocks: block
                .pairs
                .iter()
                .map(|p| SigningBlockEntry {
                    id: format!("{:#010x}", p.id),
                    name: p.name.map(str::to_owned),
                    size: p.size,
                })
                .collect(),
        }),
    }
}

/// The position of a root `classes*.dex` entry in ART's multidex order: `classes.dex` is 1,
/// `classesN.dex` is N (N ≥ 2, no leading zero), anything else is not loaded as primary code.
pub(crate) fn multidex_index(name: &str) -> Option<u32> {
    let middle = name.strip_prefix("classes")?.strip_suffix(".dex")?;
    if middle.is_empty() {
        return Some(1);
    }
    if middle.starts_with('0') || !middle.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    middle.parse().ok().filter(|n| *n >= 2)
}

fn fill_manifest_facts(facts: &mut AppFacts, m: &Manifest) {
    let app = &mut facts.app;
    app.package.clone_from(&m.package);
    app.version_code = m.version_code.map(i64::from);
    app.version_code_major = m.version_code_major.map(i64::from);
    app.version_name.clone_from(&m.version_name);
    app.min_sdk = m.min_sdk_version.map(i64::from);
    app.target_sdk = m.target_sdk_version.map(i64::from);
    app.max_sdk = m.max_sdk_version.map(i64::from);
    app.sdk_codename.clone_from(&m.sdk_codename);
    app.compile_sdk = m.compile_sdk_version.map(i64::from).or_else(|| {
        m.platform_build_version_code
            .as_deref()
            .and_then(|v| v.trim().parse().ok())
    });
    app.label = m.application.as_ref().and_then(|a| a.label.clone());

    facts.permissions.requested = m
        .uses_permissions
        .iter()
        .map(|p| RequestedPermission {
            name: p.name.clone(),
            max_sdk: p.max_sdk_version.map(i64::from),
            element: permission_element(p.element).to_owned(),
            ..RequestedPermission::default()
        })
        .collect();
    facts.permissions.declared = m
        .permissions
        .iter()
        .map(|p| DeclaredPermission {
            name: p.name.clone(),
            protection_level: p.protection_level_names.clone(),
            group: p.permission_group.clone(),
        })
        .collect();

    let mut manifest_facts = ManifestFacts {
        uses_features: m
            .uses_features
            .iter()
            .map(|f| UsesFeature {
                name: f.name.clone(),
                required: f.required,
                gl_es_version: f.gl_es_version.map(gl_es_version),
            })
            .collect(),
        queries: Queries {
            packages: m.queries.packages.clone(),
            intents: m.queries.intents.iter().map(intent_filter).collect(),
            providers: m.queries.providers.clone(),
        },
        ..ManifestFacts::default()
    };
    if let Some(application) = &m.application {
        manifest_facts.application = application_facts(application);
        manifest_facts.uses_libraries = application
            .uses_libraries
            .iter()
            .map(|l| UsesLibrary {
                name: l.name.clone(),
                required: l.required,
            })
            .collect();
        manifest_facts.meta_data = application.meta_data.iter().filter_map(meta_data).collect();
        manifest_facts.components = application.components.iter().map(component).collect();
    }
    facts.manifest = manifest_facts;
}

fn permission_element(element: manifest::PermissionElement) -> &'static str {
    match element {
        manifest::PermissionElement::UsesPermission => "uses-permission",
        manifest::PermissionElement::UsesPermissionSdk23 => "uses-permission-sdk-23",
        manifest::PermissionElement::UsesPermissionSdkM => "uses-permission-sdk-m",
    }
}

/// `glEsVersion` packs major in the high 16 bits and minor in the low 16 bits.
fn gl_es_version(packed: i32) -> String {
    let bits = packed.cast_unsigned();
    format!("{}.{}", bits >> 16, bits & 0xffff)
}

fn application_facts(a: &manifest::Application) -> ApplicationFacts {
    ApplicationFacts {
        name: a.name.clone(),
        label_raw: a
            .label_resource
            .map(|id| format!("@{id:#010x}"))
            .or_else(|| a.label.clone()),
        debuggable: a.debuggable,
        allow_backup: a.allow_backup,
        full_backup_content: a.full_backup_content.clone(),
        data_extraction_rules: a.data_extraction_rules.clone(),
        uses_cleartext_traffic: a.uses_cleartext_traffic,
        network_security_config: a.network_security_config.clone(),
        test_only: a.test_only,
        extract_native_libs: a.extract_native_libs,
        request_legacy_external_storage: a.request_legacy_external_storage,
        app_component_factory: a.app_component_factory.clone(),
        process: a.process.clone(),
    }
}

fn component(c: &manifest::Component) -> Component {
    Component {
        kind: component_kind(c.kind).to_owned(),
        name: c.name.clone(),
        exported: c.exported,
        exported_explicit: c.exported_source == manifest::ExportedSource::Explicit,
        permission: c.permission.clone(),
        read_permission: c.read_permission.clone(),
        write_permission: c.write_permission.clone(),
        authorities: c.authorities.clone(),
        grant_uri_permissions: c.grant_uri_permissions,
        target_activity: c.target_activity.clone(),
        process: c.process.clone(),
        enabled: c.enabled,
        direct_boot_aware: c.direct_boot_aware,
        foreground_service_type: c.foreground_service_type_names.clone(),
        intent_filters: c.intent_filters.iter().map(intent_filter).collect(),
        meta_data: c.meta_data.iter().filter_map(meta_data).collect(),
    }
}

fn component_kind(kind: manifest::ComponentKind) -> &'static str {
    match kind {
        manifest::ComponentKind::Activity => "activity",
        manifest::ComponentKind::ActivityAlias => "activity-alias",
        manifest::ComponentKind::Service => "service",
        manifest::ComponentKind::Receiver => "receiver",
        manifest::ComponentKind::Provider => "provider",
    }
}

fn intent_filter(f: &manifest::IntentFilter) -> IntentFilter {
    IntentFilter {
        actions: f.actions.clone(),
        categories: f.categories.clone(),
        data: f
            .data
            .iter()
            .map(|d| IntentData {
                scheme: d.scheme.clone(),
                host: d.host.clone(),
                port: d.port.clone(),
                path: d.path.clone(),
                path_prefix: d.path_prefix.clone(),
                path_pattern: d.path_pattern.clone(),
                mime_type: d.mime_type.clone(),
            })
            .collect(),
        priority: f.priority.map(i64::from),
    }
}

/// A `<meta-data>` without a name cannot be looked up by the app either; it is dropped here and
/// the manifest decoder reports it.
fn meta_data(m: &manifest::MetaData) -> Option<MetaData> {
    Some(MetaData {
        name: m.name.clone()?,
        value: m.value.clone(),
        resource: m.resource.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::multidex_index;

    #[test]
    fn multidex_order_follows_art() {
        assert_eq!(multidex_index("classes.dex"), Some(1));
        assert_eq!(multidex_index("classes2.dex"), Some(2));
        assert_eq!(multidex_index("classes10.dex"), Some(10));
        assert_eq!(multidex_index("classes1.dex"), None);
        assert_eq!(multidex_index("classes02.dex"), None);
        assert_eq!(multidex_index("assets/classes.dex"), None);
        assert_eq!(multidex_index("classesX.dex"), None);
    }
}
