//! Every corpus file, every fixture and damaged copies of them give a report or a typed error.
//!
//! A panic anywhere below fails the test; the assertions only check that errors say something.
//! `APKSCOPE_TRACE=1` prints each input before it is scanned, to find the one that hangs.

use std::path::{Path, PathBuf};

use apkscope_engine::{ScanOptions, scan_bytes};

use crate::corpus;

/// A small deterministic generator: damage must be the same on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap()).unwrap()
    }
}

fn scan(data: &[u8], label: &str) {
    if std::env::var_os("APKSCOPE_TRACE").is_some() {
        eprintln!("scanning {label}");
    }
    match scan_bytes(data, label, &ScanOptions::default()) {
        Ok(facts) => {
            for anomaly in &facts.anomalies {
                assert!(
                    !anomaly.kind.is_empty() && !anomaly.detail.is_empty(),
                    "{label}: {anomaly:?}"
                );
            }
        }
        Err(err) => assert!(!err.to_string().is_empty(), "{label}: empty error"),
    }
}

/// The copies: truncations at spread offsets (always including the tail, where the end records
/// live) and byte flips in the head, the central directory region and at random places.
fn damaged_copies(data: &[u8], seed: u64) -> Vec<(String, Vec<u8>)> {
    let mut rng = XorShift(seed | 1);
    let mut copies = Vec::new();
    let len = data.len();
    let mut cuts: Vec<usize> = (1..12).map(|i| len * i / 12).collect();
    cuts.extend([
        len.saturating_sub(1),
        len.saturating_sub(22),
        len.saturating_sub(100),
        30,
        4,
    ]);
    for cut in cuts {
        if cut < len {
            copies.push((format!("truncated at {cut}"), data[..cut].to_vec()));
        }
    }
    let tail_start = len.saturating_sub(4096.min(len));
    for round in 0..12 {
        let mut copy = data.to_vec();
        for _ in 0..=(round % 4) {
            let at = match round % 3 {
                0 => rng.below(64.min(len)),
                1 => tail_start + rng.below(len - tail_start),
                _ => rng.below(len),
            };
            if let Some(byte) = copy.get_mut(at) {
                *byte ^= u8::try_from(1 + rng.below(255)).unwrap();
            }
        }
        copies.push((format!("flipped round {round}"), copy));
    }
    copies
}

fn fixture_apks() -> Vec<PathBuf> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut found = Vec::new();
    let mut stack = vec![fixtures];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "apk") {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn fixtures_and_their_damaged_copies_never_panic() {
    let apks = fixture_apks();
    assert!(
        !apks.is_empty(),
        "fixtures/ holds no APK: run fixtures/demo/build.sh"
    );
    for path in apks {
        let data = std::fs::read(&path).unwrap();
        let label = path.display().to_string();
        scan(&data, &label);
        for (how, copy) in damaged_copies(&data, 0x9e37_79b9_7f4a_7c15) {
            scan(&copy, &format!("{label} {how}"));
        }
    }
}

#[test]
fn corpus_files_and_damaged_copies_never_panic() {
    let Some(shared) = corpus::shared_dir("never-panic over the corpus") else {
        return;
    };
    let files = corpus::manifest(&shared);
    let (mut reports, mut errors) = (0, 0);
    for (index, (path, _kind)) in files.iter().enumerate() {
        let Ok(data) = std::fs::read(path) else {
            continue;
        };
        let label = path.display().to_string();
        match scan_bytes(&data, &label, &ScanOptions::default()) {
            Ok(_) => reports += 1,
            Err(_) => errors += 1,
        }
        // Damage a spread subset: all of them would cost minutes for little extra coverage.
        if index % 7 == 0 && data.len() < 4 << 20 {
            for (how, copy) in damaged_copies(&data, u64::try_from(index).unwrap() + 1) {
                scan(&copy, &format!("{label} {how}"));
            }
        }
    }
    eprintln!("corpus: {reports} reports, {errors} typed errors, no panic");
}

#[test]
fn damaged_manifests_and_resource_tables_never_panic() {
    let Some(shared) = corpus::shared_dir("damaged manifests") else {
        return;
    };
    let files = corpus::manifest(&shared);
    let mut decoded = 0;
    for (index, (path, kind)) in files.iter().enumerate().filter(|(i, _)| i % 5 == 0) {
        let Ok(data) = std::fs::read(path) else {
            continue;
        };
        let mut parts: Vec<Vec<u8>> = Vec::new();
        if kind == "axml" {
            parts.push(data.clone());
        } else if let Ok(apk) = apkscope_apk::Apk::parse(&data) {
            for name in ["AndroidManifest.xml", "resources.arsc"] {
                if let Some(Ok(bytes)) = apk.entry(name).map(|entry| apk.read(entry)) {
                    parts.push(bytes.to_vec());
                }
            }
        }
        for part in parts {
            let mut rng = XorShift(u64::try_from(index).unwrap() + 7);
            for round in 0..24 {
                let mut copy = part.clone();
                let window = if round % 2 == 0 {
                    96.min(copy.len())
                } else {
                    4096.min(copy.len())
                };
                for _ in 0..=(round % 3) {
                    let at = rng.below(window);
                    if let Some(byte) = copy.get_mut(at) {
                        *byte = u8::try_from(rng.below(256)).unwrap();
                    }
                }
                if round % 6 == 5 {
                    copy.truncate(rng.below(copy.len()));
                }
                if let Ok(doc) = apkscope_axml::parse(&copy) {
                    let _ = apkscope_axml::manifest::Manifest::from_document(&doc, None);
                    let _ = apkscope_axml::to_xml(&doc);
                    decoded += 1;
                }
                let _ = apkscope_axml::arsc::parse(&copy);
            }
        }
    }
    eprintln!("damaged manifests: {decoded} still decoded, no panic");
}

/// The same with the default rule pack: the analysis (SDKs, API use, network, compilers,
/// obfuscation, every check) over damaged fixtures, and the `scan_apk` fuzz target's saved
/// inputs.
#[test]
fn damaged_fixtures_with_the_rule_pack_never_panic() {
    let mut options = ScanOptions::default();
    options.rules = Some(crate::default_pack());
    options.as_of = apkscope_engine::Day::parse("2026-01-01");
    let scan_with_pack = |data: &[u8], label: &str| {
        if let Err(err) = scan_bytes(data, label, &options) {
            assert!(!err.to_string().is_empty(), "{label}: empty error");
        }
    };
    for path in fixture_apks() {
        let data = std::fs::read(&path).unwrap();
        let label = path.display().to_string();
        scan_with_pack(&data, &label);
        for (how, copy) in damaged_copies(&data, 0x5151_7eed_0bad_cafe) {
            scan_with_pack(&copy, &format!("{label} {how}"));
        }
    }
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    for dir in ["regressions/scan_apk", "corpus/scan_apk"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let data = std::fs::read(entry.path()).unwrap();
            scan_with_pack(&data, &entry.path().display().to_string());
        }
    }
}
