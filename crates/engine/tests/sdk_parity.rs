//! SDK detection against exodus-core's verdicts on the corpus and against the ground truth of
//! the APKs built around real vendor SDK binaries (`../shared/corpus/sdk-apks`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

use apkscope_engine::{CompiledPack, ScanOptions, scan_bytes};
use apkscope_facts::AppFacts;

use crate::corpus;

fn pack() -> Arc<CompiledPack> {
    static PACK: OnceLock<Arc<CompiledPack>> = OnceLock::new();
    Arc::clone(PACK.get_or_init(|| {
        Arc::new(apkscope_rules::default_pack().unwrap().compile().unwrap())
    }))
}

fn scan(shared: &std::path::Path, path: &str) -> Option<AppFacts> {
    let data = std::fs::read(shared.join("corpus").join(path)).ok()?;
    let mut options = ScanOptions::default();
    options.rules = Some(pack());
    options.verify_dex_checksums = false;
    scan_bytes(&data, path, &options).ok()
}

/// Exodus tracker name → id, from the reference list the oracle was made with.
fn exodus_ids(shared: &std::path::Path) -> BTreeMap<String, u32> {
    let text = std::fs::read_to_string(shared.join("reference/exodus-trackers.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let list: Vec<&serde_json::Value> = match &value {
        serde_json::Value::Array(items) => items.iter().collect(),
        serde_json::Value::Object(map) => {
            map.get("trackers").and_then(|t| t.as_object()).map_or_else(
                || map.values().collect(),
                |t| t.values().collect(),
            )
        }
        _ => Vec::new(),
    };
    list.iter()
        .filter_map(|t| {
            let id = t["id"].as_u64().or_else(|| t["id"].as_str()?.parse().ok())?;
            Some((t["name"].as_str()?.to_owned(), u32::try_from(id).ok()?))
        })
        .collect()
}

#[test]
fn every_tracker_exodus_found_is_detected() {
    let Some(shared) = corpus::shared_dir("exodus parity") else { return };
    let ids = exodus_ids(&shared);
    assert!(ids.len() >= 400, "read {} tracker ids", ids.len());
    let mut missed = Vec::new();
    let (mut apps, mut expected_total, mut extra_total) = (0, 0, 0);
    for file in ["oracles/exodus/trackers.jsonl", "oracles/exodus/trackers-sdk-apks.jsonl"] {
        let Ok(text) = std::fs::read_to_string(shared.join(file)) else { continue };
        for line in text.lines() {
            let row: serde_json::Value = serde_json::from_str(line).unwrap();
            let (Some(path), Some(trackers)) = (row["path"].as_str(), row["trackers"].as_array())
            else {
                continue;
            };
            let Some(facts) = scan(&shared, path) else { continue };
            apps += 1;
            let ours: BTreeSet<u32> = facts.sdks.iter().filter_map(|s| s.exodus_id).collect();
            let expected: BTreeSet<u32> = trackers
                .iter()
                .filter_map(|t| ids.get(t.as_str()?).copied())
                .collect();
            expected_total += expected.len();
            for id in expected.difference(&ours) {
                missed.push(format!("{path}: exodus tracker #{id} not detected"));
            }
            for sdk in facts.sdks.iter().filter(|s| !s.exodus_id.is_some_and(|id| expected.contains(&id))) {
                extra_total += 1;
                if std::env::var_os("APKSCOPE_VERBOSE").is_some() {
                    eprintln!(
                        "extra: {path}: {} ({} classes, e.g. {:?}; components {:?}; libs {:?})",
                        sdk.id,
                        sdk.evidence.classes,
                        sdk.evidence.class_examples.first(),
                        sdk.evidence.components,
                        sdk.evidence.native_libs
                    );
                }
            }
        }
    }
    eprintln!(
        "exodus parity: {apps} apps, {} of {expected_total} exodus detections matched, \
         {extra_total} extra SDK detections (APKSCOPE_VERBOSE=1 lists them)",
        expected_total - missed.len()
    );
    assert!(missed.is_empty(), "{missed:#?}");
}

/// Whether two vendor names share a distinctive word.
fn same_vendor(ours: &str, truth: &str) -> bool {
    let words = |s: &str| -> BTreeSet<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 4 || w.chars().any(|c| !c.is_ascii()))
            .map(str::to_lowercase)
            .collect()
    };
    !words(ours).is_disjoint(&words(truth))
}

#[test]
fn sdk_apks_ground_truth() {
    let Some(shared) = corpus::shared_dir("sdk-apks ground truth") else { return };
    let dir = shared.join("corpus/sdk-apks");
    let mut checked = 0;
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        if !path.to_string_lossy().ends_with(".truth.json") {
            continue;
        }
        let truth: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let apk = format!("sdk-apks/{}", truth["apk"].as_str().unwrap());
        let facts = scan(&shared, &apk).unwrap_or_else(|| panic!("cannot scan {apk}"));
        let detected: BTreeMap<&str, &apkscope_facts::SdkFacts> =
            facts.sdks.iter().map(|s| (s.id.as_str(), s)).collect();
        for sdk in truth["sdks"].as_array().unwrap() {
            checked += 1;
            let id = sdk["id"].as_str().unwrap();
            let vendor = sdk["vendor"].as_str().unwrap_or_default();
            match detected.get(id) {
                None => problems.push(format!("{apk}: {id} not detected")),
                Some(ours) if !same_vendor(ours.vendor.as_deref().unwrap_or(""), vendor) => {
                    problems.push(format!("{apk}: {id} vendor {:?} vs truth {vendor:?}", ours.vendor));
                }
                Some(_) => {}
            }
            // Every class under the SDK's prefixes is attributed to it, or, for code the truth
            // lists as embedded third-party code, to some SDK (never to the app or nobody).
            let embedded: Vec<String> = sdk["embedded_third_party"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e["prefix"].as_str())
                .map(|p| format!("L{}", p.replace('.', "/")))
                .collect();
            for prefix in sdk["java_package_prefixes"].as_array().unwrap() {
                let dotted = prefix["prefix"].as_str().unwrap();
                let descriptor_prefix = format!("L{}", dotted.replace('.', "/"));
                let owner_ok = |class: &str| match pack().sdk_for_class(class).and_then(|s| pack().sdk(s).cloned()) {
                    Some(owner) if owner.id == id => true,
                    Some(_) => embedded.iter().any(|e| class.starts_with(e.as_str())),
                    None => false,
                };
                let index = &facts.code_index;
                let wrong: Vec<String> = index
                    .classes()
                    .filter_map(|c| index.class_descriptor(c))
                    .filter(|d| d.starts_with(&descriptor_prefix))
                    .filter(|d| !owner_ok(d))
                    .map(str::to_owned)
                    .collect();
                if let Some(example) = wrong.first() {
                    problems.push(format!(
                        "{apk}: {} classes under {dotted} not attributed to {id}, e.g. {example}",
                        wrong.len()
                    ));
                }
            }
        }
    }
    eprintln!("sdk-apks: {checked} ground-truth SDKs checked, {} problems", problems.len());
    assert!(checked >= 7, "only {checked} truth SDKs found");
    assert!(problems.is_empty(), "{problems:#?}");
}
