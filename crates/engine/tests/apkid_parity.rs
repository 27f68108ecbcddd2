//! Compiler and `DexGuard` verdicts against `APKiD` 3.2.0's (`oracles/apkid`): agreement on the
//! writer family of every dex `APKiD` named, and the disagreements sorted by cause. Where they
//! differ `APKiD` is mostly wrong: see `docs/apkid-comparison.md`.

use std::collections::BTreeMap;

use apkscope_engine::{ScanOptions, scan_bytes};

use crate::corpus;

/// Share (percent) of the dex files with a single `APKiD` family on which apkscope must agree;
/// measured 100 % (557 of 557) on the shared corpus.
const AGREEMENT_FLOOR_PERCENT: usize = 98;

/// `APKiD`'s verdicts for one APK: entry → (compilers and manipulators, obfuscators).
type Verdicts = BTreeMap<String, (Vec<String>, Vec<String>)>;

fn oracle(shared: &std::path::Path, sha256: &str) -> Option<Verdicts> {
    let file = shared.join("oracles/apkid").join(format!("{sha256}.json"));
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).ok()?).ok()?;
    let mut out = Verdicts::new();
    for f in value["files"].as_array()? {
        // `path-in-corpus!entry`: identical APKs at several paths share one oracle, so only the
        // entry matters.
        let Some((_, entry)) = f["filename"].as_str().and_then(|n| n.split_once('!')) else {
            continue;
        };
        let list = |key: &str| -> Vec<String> {
            f["matches"][key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(ToOwned::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut compilers = list("compiler");
        compilers.extend(list("manipulator"));
        out.insert(entry.to_owned(), (compilers, list("obfuscator")));
    }
    Some(out)
}

/// The writer family an `APKiD` label names (`None` for `unknown`).
fn apkid_family(label: &str) -> Option<&'static str> {
    if label.starts_with("Jack") {
        Some("jack")
    } else if label == "dx (possible dexmerge)" || label == "dexmerge" {
        Some("dexmerge")
    } else if label == "dx" {
        Some("dx")
    } else if label.starts_with("r8") || label.starts_with("d8") {
        Some("d8")
    } else if label.starts_with("dexlib 2") {
        Some("dexlib2")
    } else if label.starts_with("dexlib 1") {
        Some("dexlib1")
    } else {
        None
    }
}

/// The family of apkscope's compiler name.
fn our_family(name: &str) -> &str {
    match name {
        "d8" | "r8" | "l8" | "d8/r8" => "d8",
        other => other,
    }
}

/// Compares one dex: (`APKiD` named one family, apkscope agrees, the class of a noteworthy case).
fn classify(labels: &[String], ours: &str, version: u32) -> (bool, bool, Option<&'static str>) {
    let families: std::collections::BTreeSet<&str> =
        labels.iter().filter_map(|l| apkid_family(l)).collect();
    if families.len() > 1 && !families.contains("jack") {
        return (
            false,
            false,
            Some("APKiD: contradictory verdicts (dx and r8 at once)"),
        );
    }
    if families.is_empty() {
        return (
            false,
            false,
            Some(if version >= 39 {
                "APKiD: unknown, its yara dex module cannot read dex 039+"
            } else {
                "APKiD: unknown, layout outside its fixed map positions"
            }),
        );
    }
    // Jack writes dx's layout: APKiD names both.
    let family = if families.contains("jack") {
        "jack"
    } else {
        families.first().copied().unwrap_or_default()
    };
    if family != our_family(ours) {
        return (true, false, Some("DIFFERENT family"));
    }
    let note = if labels.iter().any(|l| l == "r8") && ours == "d8" {
        Some("agree on D8/R8, but APKiD calls a ~~D8 marker r8")
    } else if labels.iter().any(|l| l.contains("without marker")) && ours != "d8/r8" {
        Some("agree on D8/R8, but APKiD missed a marker without compilation-mode")
    } else {
        None
    };
    (true, true, note)
}

#[test]
fn compilers_agree_with_apkid() {
    let Some(shared) = corpus::shared_dir("APKiD parity") else {
        return;
    };
    let (mut decided, mut agreed, mut dexguard_agreed) = (0usize, 0usize, 0usize);
    let mut classes: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    for row in corpus::index(&shared) {
        if !seen.insert(row.sha256.clone()) {
            continue;
        }
        let Some(verdicts) = oracle(&shared, &row.sha256) else {
            continue;
        };
        let data = std::fs::read(shared.join("corpus").join(&row.path)).unwrap();
        let Ok(facts) = scan_bytes(&data, &row.path, &ScanOptions::default()) else {
            classes
                .entry("apkscope: not an APK (no manifest), not compared")
                .or_default()
                .push(row.path.clone());
            continue;
        };
        let apkid_dexguard = verdicts
            .values()
            .any(|(_, obf)| obf.iter().any(|o| o == "DexGuard"));
        let ours_dexguard = facts
            .code
            .obfuscation
            .verdicts
            .iter()
            .any(|v| v == "dexguard");
        if apkid_dexguard == ours_dexguard {
            dexguard_agreed += usize::from(apkid_dexguard);
        } else {
            classes
                .entry("DexGuard: verdicts differ")
                .or_default()
                .push(format!(
                    "{} apkid={apkid_dexguard} ours={ours_dexguard}",
                    row.path
                ));
        }
        for dex in &facts.code.dex {
            let Some((labels, _)) = verdicts.get(&dex.entry) else {
                continue;
            };
            let ours = dex.compiler.as_deref().unwrap_or("none");
            let what = format!(
                "{}!{} apkid={labels:?} ours={ours} v{:03}",
                row.path, dex.entry, dex.version
            );
            let (is_decided, is_agreed, class) = classify(labels, ours, dex.version);
            decided += usize::from(is_decided);
            agreed += usize::from(is_agreed);
            let Some(class) = class else { continue };
            classes.entry(class).or_default().push(what);
        }
    }
    eprintln!(
        "APKiD parity: {agreed} of {decided} dex files with one APKiD family agree; DexGuard agreed on {dexguard_agreed} APKs"
    );
    for (class, items) in &classes {
        eprintln!("  {class}: {}", items.len());
        for item in items.iter().take(5) {
            eprintln!("    {item}");
        }
    }
    assert!(decided > 0, "no APKiD verdict compared");
    assert!(
        agreed * 100 >= decided * AGREEMENT_FLOOR_PERCENT,
        "agreement {agreed}/{decided} fell below {AGREEMENT_FLOOR_PERCENT} %"
    );
    assert!(!classes.contains_key("DexGuard: verdicts differ"));
    assert_eq!(
        dexguard_agreed, 2,
        "both DexGuard samples of the APKiD repository"
    );
}
