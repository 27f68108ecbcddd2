//! A CycloneDX 1.6 software bill of materials (JSON) of one app: the app is the root
//! component, each embedded SDK and each native library a component, with the evidence that
//! found it. What goes where follows the CycloneDX 1.6 JSON schema (`bom-1.6.schema.json`, in
//! `schemas/third-party/cyclonedx/`): `supplier` is the company that provides an SDK (its
//! registered name when the pack gives one, else its vendor), `evidence.identity` says how each
//! SDK was identified and how sure that is, `evidence.occurrences` where.
//!
//! The document is deterministic: its serial number is derived from the input's SHA-256 (the
//! same APK gives the same SBOM), and there is no timestamp.

use std::io::{self, Write};

use apkscope_facts::{AppFacts, NativeLibFacts, SdkFacts};
use serde_json::{Value, json};

/// Most occurrences listed per SDK: the report keeps a few class examples already.
const MAX_OCCURRENCES: usize = 16;

/// Writes `facts` as a CycloneDX 1.6 JSON document (one line, then a newline).
pub fn write_cyclonedx(facts: &AppFacts, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &cyclonedx(facts))?;
    out.write_all(b"\n")
}

/// The CycloneDX 1.6 document of one app.
pub fn cyclonedx(facts: &AppFacts) -> Value {
    let app_ref = "app".to_owned();
    let mut components = Vec::new();
    let mut app_depends = Vec::new();
    let mut dependencies = Vec::new();
    for sdk in &facts.sdks {
        let bom_ref = format!("sdk:{}", sdk.id);
        let libs: Vec<&NativeLibFacts> = facts
            .native
            .iter()
            .filter(|l| l.sdk.as_deref() == Some(sdk.id.as_str()))
            .collect();
        dependencies.push(json!({
            "ref": bom_ref,
            "dependsOn": libs.iter().map(|l| lib_ref(l)).collect::<Vec<_>>(),
        }));
        app_depends.push(bom_ref.clone());
        components.push(sdk_component(sdk, &bom_ref));
    }
    for lib in &facts.native {
        if lib
            .sdk
            .as_ref()
            .is_none_or(|id| !facts.sdks.iter().any(|s| &s.id == id))
        {
            app_depends.push(lib_ref(lib));
        }
        dependencies.push(json!({"ref": lib_ref(lib), "dependsOn": []}));
        components.push(lib_component(lib));
    }
    dependencies.insert(0, json!({"ref": app_ref, "dependsOn": app_depends}));
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial_number(&facts.input.sha256),
        "version": 1,
        "metadata": {
            "tools": {"components": [{
                "type": "application",
                "name": facts.tool.name,
                "version": facts.tool.version,
            }]},
            "component": app_component(facts, &app_ref),
        },
        "components": components,
        "dependencies": dependencies,
    })
}

fn app_component(facts: &AppFacts, bom_ref: &str) -> Value {
    let name = facts
        .app
        .package
        .clone()
        .or_else(|| facts.app.label.clone())
        .unwrap_or_else(|| facts.input.path.clone());
    let mut app = json!({
        "type": "application",
        "bom-ref": bom_ref,
        "name": name,
        "properties": [
            {"name": "apkscope:input.path", "value": facts.input.path},
        ],
    });
    if let Some(version) = &facts.app.version_name {
        set(&mut app, "version", json!(version));
    }
    if let Some(label) = &facts.app.label {
        set(&mut app, "description", json!(label));
    }
    if is_sha256(&facts.input.sha256) {
        set(
            &mut app,
            "hashes",
            json!([{"alg": "SHA-256", "content": facts.input.sha256}]),
        );
    }
    if let Some(code) = facts.app.version_code {
        push_property(&mut app, "android:versionCode", &code.to_string());
    }
    app
}

fn sdk_component(sdk: &SdkFacts, bom_ref: &str) -> Value {
    let mut c = json!({
        "type": "library",
        "bom-ref": bom_ref,
        "name": sdk.name,
        "description": sdk.purpose,
        "properties": [
            {"name": "apkscope:sdk.id", "value": sdk.id},
            {"name": "apkscope:sdk.category", "value": sdk.category},
            {"name": "apkscope:sdk.confidence", "value": sdk.confidence},
        ],
    });
    if let Some(version) = &sdk.version {
        set(&mut c, "version", json!(version.value));
        push_property(&mut c, "apkscope:sdk.version.source", &version.source);
    }
    if let Some(supplier) = sdk.legal_entity.as_ref().or(sdk.vendor.as_ref()) {
        set(&mut c, "supplier", json!({"name": supplier}));
    }
    if let Some(vendor) = &sdk.vendor {
        set(&mut c, "publisher", json!(vendor));
    }
    if let Some(zh) = &sdk.name_zh {
        push_property(&mut c, "apkscope:sdk.name_zh", zh);
    }
    let mut links = Vec::new();
    if let Some(home) = &sdk.homepage {
        links.push(json!({"type": "website", "url": home}));
    }
    if let Some(policy) = &sdk.privacy_policy {
        links.push(json!({"type": "other", "url": policy, "comment": "privacy policy"}));
    }
    if !links.is_empty() {
        set(&mut c, "externalReferences", json!(links));
    }
    set(&mut c, "evidence", sdk_evidence(sdk));
    c
}

/// How the SDK was identified (one method per kind of evidence) and where.
fn sdk_evidence(sdk: &SdkFacts) -> Value {
    let confidence = match sdk.confidence.as_str() {
        "high" => 0.9,
        "medium" => 0.6,
        _ => 0.3,
    };
    let e = &sdk.evidence;
    let methods: Vec<Value> = e
        .kinds
        .iter()
        .map(|kind| {
            let (technique, value) = match kind.as_str() {
                "classes" => (
                    "binary-analysis",
                    format!("{} classes under the SDK's packages", e.classes),
                ),
                "components" => ("manifest-analysis", e.components.join(", ")),
                "intent-actions" => ("manifest-analysis", e.intent_actions.join(", ")),
                "native-libs" => ("filename", e.native_libs.join(", ")),
                "meta-data" => ("manifest-analysis", e.meta_data.join(", ")),
                _ => ("binary-analysis", e.strings.join(", ")),
            };
            json!({"technique": technique, "confidence": confidence, "value": value})
        })
        .collect();
    let occurrences: Vec<Value> = e
        .class_examples
        .iter()
        .chain(&e.components)
        .chain(&e.native_libs)
        .take(MAX_OCCURRENCES)
        .map(|location| json!({"location": location}))
        .collect();
    let mut evidence = json!({
        "identity": [{"field": "name", "confidence": confidence, "methods": methods}],
    });
    if !occurrences.is_empty() {
        set(&mut evidence, "occurrences", json!(occurrences));
    }
    evidence
}

fn lib_ref(lib: &NativeLibFacts) -> String {
    format!("file:{}", lib.path)
}

fn lib_component(lib: &NativeLibFacts) -> Value {
    let name = lib.path.rsplit('/').next().unwrap_or(&lib.path);
    let mut c = json!({
        "type": "file",
        "bom-ref": lib_ref(lib),
        "name": name,
        "properties": [{"name": "apkscope:apk.entry", "value": lib.path}],
        "evidence": {"occurrences": [{"location": lib.path}]},
    });
    if is_sha256(&lib.sha256) {
        set(
            &mut c,
            "hashes",
            json!([{"alg": "SHA-256", "content": lib.sha256}]),
        );
    }
    if let Some(abi) = &lib.abi {
        push_property(&mut c, "android:abi", abi);
    }
    if let Some(sdk) = &lib.sdk {
        push_property(&mut c, "apkscope:sdk.id", sdk);
    }
    c
}

fn push_property(component: &mut Value, name: &str, value: &str) {
    if let Some(list) = component
        .get_mut("properties")
        .and_then(Value::as_array_mut)
    {
        list.push(json!({"name": name, "value": value}));
    }
}

/// Sets member `key` of the JSON object `object`.
fn set(object: &mut Value, key: &str, value: Value) {
    if let Some(map) = object.as_object_mut() {
        map.insert(key.to_owned(), value);
    }
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `urn:uuid:` from the input's hash, shaped as a version-5 UUID (RFC 9562: the hash's bytes,
/// version and variant bits set), so that the same input gives the same serial number.
fn serial_number(sha256: &str) -> String {
    let mut hex: Vec<u8> = sha256
        .bytes()
        .filter(u8::is_ascii_hexdigit)
        .map(|b| b.to_ascii_lowercase())
        .take(32)
        .collect();
    hex.resize(32, b'0');
    if let Some(v) = hex.get_mut(12) {
        *v = b'5';
    }
    if let Some(v) = hex.get_mut(16) {
        let n = char::from(*v).to_digit(16).unwrap_or(0);
        let variant = b"89ab".get(usize::try_from(n % 4).unwrap_or(0));
        *v = variant.copied().unwrap_or(b'8');
    }
    let hex = String::from_utf8(hex).unwrap_or_default();
    let part = |a: usize, b: usize| hex.get(a..b).unwrap_or("");
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        part(0, 8),
        part(8, 12),
        part(12, 16),
        part(16, 20),
        part(20, 32)
    )
}
