//! Parity with dexdump (ART 11) through apkscope's own container: for every corpus APK, each
//! `classes*.dex` dexdump read must give the same class descriptors and, per class, the same
//! numbers of direct and virtual methods in the code index.

use std::collections::BTreeMap;
use std::io::Read as _;

use apkscope_engine::{ScanOptions, code_index_bytes};

use crate::corpus;

type Classes = BTreeMap<String, (u64, u64)>;

/// dexdump's verdict for one APK: entry name → (exit code, classes).
fn oracle(shared: &std::path::Path, sha256: &str) -> Option<Vec<(String, i64, Classes)>> {
    let path = shared
        .join("oracles/dexdump")
        .join(format!("{sha256}.json.gz"));
    let file = std::fs::File::open(path).ok()?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    let mut out = Vec::new();
    for dex in value["dex"].as_array()? {
        let mut classes = Classes::new();
        if let Some(map) = dex["classes"].as_object() {
            for (descriptor, counts) in map {
                let direct = counts["direct"].as_u64().unwrap_or(0);
                let virtual_ = counts["virtual"].as_u64().unwrap_or(0);
                classes.insert(descriptor.clone(), (direct, virtual_));
            }
        }
        out.push((
            dex["entry"].as_str()?.to_owned(),
            dex["dexdump_rc"].as_i64().unwrap_or(-1),
            classes,
        ));
    }
    Some(out)
}

#[test]
fn class_sets_and_method_counts_match_dexdump() {
    let Some(shared) = corpus::shared_dir("dexdump parity") else {
        return;
    };
    let (mut dex_equal, mut dex_total, mut classes_total, mut methods_total) = (0, 0, 0u64, 0u64);
    let mut differences = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for row in corpus::index(&shared) {
        if !seen.insert(row.sha256.clone()) {
            continue;
        }
        let Some(verdicts) = oracle(&shared, &row.sha256) else {
            continue;
        };
        let data = std::fs::read(shared.join("corpus").join(&row.path)).unwrap();
        let index = match code_index_bytes(&data, &row.path, &ScanOptions::default()) {
            Ok(index) => index,
            Err(err) => {
                if verdicts.iter().any(|(_, rc, _)| *rc == 0) {
                    differences.push(format!("{}: apkscope could not open it: {err}", row.path));
                }
                continue;
            }
        };
        for (entry, rc, expected) in verdicts {
            if rc != 0 {
                continue;
            }
            dex_total += 1;
            let Some(dex) = index.dex.iter().find(|d| d.entry == entry) else {
                differences.push(format!("{}!{entry}: not indexed", row.path));
                continue;
            };
            let mut ours = Classes::new();
            for class in &dex.classes {
                let descriptor = dex
                    .type_descriptor(class.type_idx)
                    .unwrap_or_default()
                    .to_owned();
                ours.insert(
                    descriptor,
                    (
                        u64::from(class.direct_methods),
                        u64::from(class.virtual_methods),
                    ),
                );
            }
            if ours == expected {
                dex_equal += 1;
                classes_total += u64::try_from(ours.len()).unwrap();
                methods_total += ours.values().map(|(d, v)| d + v).sum::<u64>();
            } else {
                let missing = expected.keys().filter(|k| !ours.contains_key(*k)).count();
                let extra = ours.keys().filter(|k| !expected.contains_key(*k)).count();
                differences.push(format!(
                    "{}!{entry}: {missing} classes missing, {extra} extra, counts differ on {}",
                    row.path,
                    expected
                        .iter()
                        .filter(|(k, v)| ours.get(*k).is_some_and(|o| o != *v))
                        .count()
                ));
            }
        }
    }
    eprintln!(
        "dexdump parity: {dex_equal}/{dex_total} dex files identical \
         ({classes_total} classes, {methods_total} methods)"
    );
    assert!(dex_total > 0, "no dexdump verdict found");
    assert!(differences.is_empty(), "{differences:#?}");
}
