//! CycloneDX SBOMs of real scans, validated against the official CycloneDX 1.6 JSON schema:
//! the fixtures, the shared SDK APKs (versions, suppliers, evidence) and every APK of the shared
//! corpus.

use std::path::{Path, PathBuf};

use apkscope_engine::ScanOptions;
use apkscope_report::cyclonedx;
use apkscope_testkit::schema::validate_cyclonedx;
use serde_json::Value;

use crate::{pack, scan_demo, skip};

fn scan(path: &Path) -> Option<apkscope_facts::AppFacts> {
    let mut options = ScanOptions::default();
    options.rules = Some(pack());
    options.verify_dex_checksums = false;
    apkscope_engine::scan_path(path, &options).ok()
}

fn assert_valid(bom: &Value, what: &str) {
    if let Err(err) = validate_cyclonedx(bom) {
        panic!("invalid CycloneDX for {what}: {err}");
    }
}

#[test]
fn the_demo_sbom_is_valid_and_deterministic() {
    let facts = scan_demo();
    let bom = cyclonedx(&facts);
    assert_valid(&bom, "the demo APK");
    assert_eq!(bom, cyclonedx(&scan_demo()));
    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(
        bom["metadata"]["component"]["name"],
        facts.app.package.clone().unwrap()
    );
    let refs: Vec<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    for sdk in &facts.sdks {
        assert!(
            refs.contains(&format!("sdk:{}", sdk.id).as_str()),
            "{}",
            sdk.id
        );
    }
    // Native libraries are files with their hash.
    for lib in &facts.native {
        let c = bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["bom-ref"] == format!("file:{}", lib.path))
            .unwrap();
        assert_eq!(c["type"], "file");
        if !lib.sha256.is_empty() {
            assert_eq!(c["hashes"][0]["content"], lib.sha256);
        }
    }
    // The app depends on every SDK.
    assert_eq!(bom["dependencies"][0]["ref"], "app");
}

#[test]
fn sdk_apks_sboms_name_versions_suppliers_and_evidence() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/sdk-apks");
    if !dir.is_dir() {
        skip::skip("../shared/corpus/sdk-apks is absent");
        return;
    }
    let facts = scan(&dir.join("jpush.apk")).unwrap();
    let bom = cyclonedx(&facts);
    assert_valid(&bom, "jpush.apk");
    let component = |id: &str| {
        bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["bom-ref"] == format!("sdk:{id}"))
            .cloned()
            .unwrap()
    };
    let jpush = component("jpush");
    assert_eq!(jpush["version"], "5.0.4");
    assert_eq!(jpush["supplier"]["name"], "深圳市和讯华谷信息技术有限公司");
    let jcore = component("jcore");
    assert_eq!(jcore["version"], "3.2.2");
    let methods = jcore["evidence"]["identity"][0]["methods"]
        .as_array()
        .unwrap();
    assert!(
        methods.iter().any(|m| m["technique"] == "filename"),
        "{methods:?}"
    );
    // JCore's .so files depend from JCore.
    let jcore_deps = bom["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == "sdk:jcore")
        .unwrap();
    assert!(
        jcore_deps["dependsOn"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d.as_str().unwrap().ends_with("libjcore322.so"))
    );
}

/// Every APK of the shared corpus (the hostile ones included) gives a valid SBOM.
#[test]
fn every_corpus_app_gives_a_valid_sbom() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if !corpus.is_dir() {
        skip::skip("../shared/corpus is absent");
        return;
    }
    let mut apks: Vec<PathBuf> = Vec::new();
    let mut dirs = vec![corpus];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "apk") {
                apks.push(path);
            }
        }
    }
    apks.sort();
    assert!(!apks.is_empty());
    let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let chunk = apks.len().div_ceil(threads);
    let checked: usize = std::thread::scope(|s| {
        let handles: Vec<_> = apks
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    let mut n = 0;
                    for apk in part {
                        // An input the engine refuses has no SBOM (the CLI reports the error).
                        let Some(facts) = scan(apk) else { continue };
                        assert_valid(&cyclonedx(&facts), &apk.display().to_string());
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert!(
        checked * 2 > apks.len(),
        "{checked} of {} scanned",
        apks.len()
    );
}
