//! SDK detection against exodus-core's verdicts on the corpus and against the ground truth of
//! the APKs built around real vendor SDK binaries (`../shared/corpus/sdk-apks`).

use std::collections::{BTreeMap, BTreeSet};

use apkscope_engine::{ScanOptions, scan_bytes};
use apkscope_facts::AppFacts;

use crate::corpus;

fn scan(shared: &std::path::Path, path: &str) -> Option<AppFacts> {
    let data = std::fs::read(shared.join("corpus").join(path)).ok()?;
    let mut options = ScanOptions::default();
    options.rules = Some(crate::default_pack());
    options.verify_dex_checksums = false;
    scan_bytes(&data, path, &options).ok()
}

/// Exodus tracker name → id, from the reference list the oracle was made with.
fn exodus_ids(shared: &std::path::Path) -> BTreeMap<String, u32> {
    let text = std::fs::read_to_string(shared.join("reference/exodus-trackers.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let list: Vec<&serde_json::Value> = match &value {
        serde_json::Value::Array(items) => items.iter().collect(),
        serde_json::Value::Object(map) => match map.get("trackers") {
            Some(serde_json::Value::Array(items)) => items.iter().collect(),
            Some(serde_json::Value::Object(items)) => items.values().collect(),
            _ => map.values().collect(),
        },
        _ => Vec::new(),
    };
    list.iter()
        .filter_map(|t| {
            let id = t["id"]
                .as_u64()
                .or_else(|| t["id"].as_str()?.parse().ok())?;
            Some((t["name"].as_str()?.to_owned(), u32::try_from(id).ok()?))
        })
        .collect()
}

#[test]
fn every_tracker_exodus_found_is_detected() {
    let Some(shared) = corpus::shared_dir("exodus parity") else {
        return;
    };
    let ids = exodus_ids(&shared);
    assert!(ids.len() >= 400, "read {} tracker ids", ids.len());
    let mut missed = Vec::new();
    let (mut apps, mut expected_total, mut extra_total) = (0, 0, 0);
    for file in [
        "oracles/exodus/trackers.jsonl",
        "oracles/exodus/trackers-sdk-apks.jsonl",
    ] {
        let Ok(text) = std::fs::read_to_string(shared.join(file)) else {
            continue;
        };
        for line in text.lines() {
            let row: serde_json::Value = serde_json::from_str(line).unwrap();
            let (Some(path), Some(trackers)) = (row["path"].as_str(), row["trackers"].as_array())
            else {
                continue;
            };
            let Some(facts) = scan(&shared, path) else {
                continue;
            };
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
            for sdk in facts
                .sdks
                .iter()
                .filter(|s| !s.exodus_id.is_some_and(|id| expected.contains(&id)))
            {
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
            .filter(|w| w.chars().count() >= 4 || !w.is_ascii())
            .map(str::to_lowercase)
            .collect()
    };
    !words(ours).is_disjoint(&words(truth))
}

/// Where the pack knowingly departs from the ground truth: (truth SDK, class prefix, the SDK the
/// pack gives it, why).
const TRUTH_DEVIATIONS: &[(&str, &str, &str, &str)] = &[(
    "alipay",
    "com.ut.device.",
    "alibaba-utdid",
    "UTDID's API package; it ships inside Umeng and Aliyun SDKs too, so giving it to Alipay \
     would report Alipay in every app that embeds Umeng",
)];

/// The truth's owner of a dotted class name: the longest matching `java_package_prefixes`
/// entry over all SDKs of the file (`kind = class` entries match one class exactly).
fn truth_owner<'t>(truth: &'t serde_json::Value, class: &str) -> Option<&'t str> {
    let mut best: Option<(usize, &str)> = None;
    for sdk in truth["sdks"].as_array()? {
        let id = sdk["id"].as_str()?;
        for prefix in sdk["java_package_prefixes"].as_array()? {
            let p = prefix["prefix"].as_str()?;
            let matches = if prefix["kind"].as_str() == Some("class") {
                class == p
            } else {
                class
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.starts_with('.'))
            };
            if matches && best.is_none_or(|(len, _)| p.len() > len) {
                best = Some((p.len(), id));
            }
        }
    }
    best.map(|(_, id)| id)
}

#[test]
fn sdk_apks_ground_truth() {
    let Some(shared) = corpus::shared_dir("sdk-apks ground truth") else {
        return;
    };
    let dir = shared.join("corpus/sdk-apks");
    let (mut sdks_checked, mut classes_checked) = (0, 0);
    let mut problems = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for path in files {
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
            sdks_checked += 1;
            let id = sdk["id"].as_str().unwrap();
            let vendor = sdk["vendor"].as_str().unwrap_or_default();
            match detected.get(id) {
                None => problems.push(format!("{apk}: {id} not detected")),
                Some(ours) if !same_vendor(ours.vendor.as_deref().unwrap_or(""), vendor) => {
                    problems.push(format!(
                        "{apk}: {id} vendor {:?} vs truth {vendor:?}",
                        ours.vendor
                    ));
                }
                Some(_) => {}
            }
        }
        // Every class the truth gives an SDK is attributed to it, or, for code the truth lists as
        // that SDK's embedded third-party code, to some SDK (never to the app or to nobody).
        let index = &facts.code_index;
        let pack = crate::default_pack();
        for class in index.classes().filter_map(|c| index.class_descriptor(c)) {
            let dotted = class
                .trim_start_matches('L')
                .trim_end_matches(';')
                .replace('/', ".");
            let Some(expected) = truth_owner(&truth, &dotted) else {
                continue;
            };
            classes_checked += 1;
            let ours = pack
                .sdk_for_class(class)
                .and_then(|s| pack.sdk(s))
                .map(|s| s.id.as_str());
            if ours == Some(expected) {
                continue;
            }
            let embedded = truth["sdks"].as_array().unwrap().iter().any(|s| {
                s["id"].as_str() == Some(expected)
                    && s["embedded_third_party"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|e| {
                            e["prefix"]
                                .as_str()
                                .is_some_and(|p| dotted.starts_with(&format!("{p}.")))
                        })
            });
            let deviation = TRUTH_DEVIATIONS.iter().any(|(sdk, prefix, owner, _)| {
                *sdk == expected && dotted.starts_with(prefix) && ours == Some(*owner)
            });
            if !((embedded && ours.is_some()) || deviation) {
                problems.push(format!(
                    "{apk}: {dotted}: truth {expected}, apkscope {ours:?}"
                ));
            }
        }
    }
    eprintln!(
        "sdk-apks: {sdks_checked} ground-truth SDKs and {classes_checked} classes checked, {} problems",
        problems.len()
    );
    assert!(sdks_checked >= 7, "only {sdks_checked} truth SDKs found");
    assert!(
        problems.is_empty(),
        "{} problems: {:#?}",
        problems.len(),
        &problems[..problems.len().min(40)]
    );
}

/// The versions the shared SDK APKs' binaries carry, each with where it was read.
#[test]
fn sdk_apks_versions() {
    let Some(shared) = corpus::shared_dir("sdk-apks versions") else {
        return;
    };
    let version = |apk: &str, sdk: &str| {
        let facts = scan(&shared, &format!("sdk-apks/{apk}")).unwrap();
        let found = facts.sdks.into_iter().find(|s| s.id == sdk).unwrap();
        found.version.map(|v| (v.value, v.source)).unwrap()
    };
    let (jpush, source) = version("jpush.apk", "jpush");
    assert_eq!(jpush, "5.0.4");
    assert!(
        source.starts_with("field Lcn/jpush/android/local/JPushConstants;"),
        "{source}"
    );
    let (jcore, source) = version("jpush.apk", "jcore");
    assert_eq!(jcore, "3.2.2");
    assert!(
        source.starts_with("field Lcn/jiguang/internal/JConstants;"),
        "{source}"
    );
    let (umeng, source) = version("umeng.apk", "umeng");
    assert_eq!(umeng, "5.6.7");
    assert!(
        source.starts_with("method Lcom/umeng/analytics/AnalyticsConfig;"),
        "{source}"
    );
    assert_eq!(version("janalytics.apk", "janalytics").0, "2.1.8");
    assert_eq!(version("jshare.apk", "jshare").0, "2.0.0");
    assert_eq!(version("wechat.apk", "wechat").0, "2.1.3");
}
