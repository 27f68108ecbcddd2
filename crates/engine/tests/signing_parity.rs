//! Signer certificate fingerprints through the engine equal `apksigner verify --print-certs` on
//! every corpus APK apksigner reads.

use std::collections::BTreeSet;

use apkscope_engine::{ScanOptions, scan_bytes};

use crate::corpus;

#[test]
fn certificate_fingerprints_match_apksigner() {
    let Some(shared) = corpus::shared_dir("apksigner parity") else {
        return;
    };
    let mut options = ScanOptions::default();
    options.code = false;
    let (mut apks, mut certs, mut equal) = (0, 0, 0);
    let mut differences = Vec::new();
    let mut seen = BTreeSet::new();
    for row in corpus::index(&shared) {
        if !row.read_by("apksigner_verify") || !seen.insert(row.sha256.clone()) {
            continue;
        }
        let Some(text) = corpus::oracle_stdout(&shared, "apksigner_verify", &row.sha256) else {
            continue;
        };
        let expected: BTreeSet<String> = text
            .lines()
            .filter(|l| l.starts_with("Signer #") && l.contains("certificate SHA-256 digest: "))
            .filter_map(|l| l.rsplit(": ").next().map(str::to_owned))
            .collect();
        if expected.is_empty() {
            continue;
        }
        let data = std::fs::read(shared.join("corpus").join(&row.path)).unwrap();
        let Ok(facts) = scan_bytes(&data, &row.path, &options) else {
            differences.push(format!("{}: apkscope could not scan it", row.path));
            continue;
        };
        apks += 1;
        let ours: BTreeSet<String> = facts
            .signing
            .certificates
            .iter()
            .map(|c| c.sha256.clone())
            .collect();
        for digest in &expected {
            certs += 1;
            if ours.contains(digest) {
                equal += 1;
            } else {
                differences.push(format!(
                    "{}: apksigner signer {digest} not reported",
                    row.path
                ));
            }
        }
    }
    eprintln!("apksigner parity: {equal}/{certs} signer certificates found, over {apks} APKs");
    assert!(apks > 0, "no apksigner verdicts read");
    assert!(differences.is_empty(), "{differences:#?}");
}
