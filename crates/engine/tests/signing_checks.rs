//! The `signing` checks (SIGN001…SIGN009) on the fixtures of `fixtures/signing` (built by its
//! `build.sh`), on hand-made facts for edge cases, and on apksig's test APKs from the shared
//! corpus when it is present. Dates are pinned with `ScanOptions::as_of`, so no test depends on
//! the day it runs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use apkscope_engine::{Day, ScanOptions, check_facts, scan_path};
use apkscope_facts::{AppFacts, CertificateFacts, InputFacts};

fn options(as_of: &str) -> ScanOptions {
    let mut options = ScanOptions::default();
    options.rules = Some(crate::default_pack());
    options.as_of = Some(Day::parse(as_of).unwrap());
    options
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/signing")
        .join(name)
}

fn sign_rules(facts: &AppFacts) -> BTreeSet<String> {
    facts
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("SIGN"))
        .map(|f| f.rule.clone())
        .collect()
}

fn set(rules: &[&str]) -> BTreeSet<String> {
    rules.iter().map(|r| (*r).to_owned()).collect()
}

#[test]
fn fixtures_fire_exactly_their_checks() {
    let options = options("2025-01-01");
    let cases: &[(&str, &[&str])] = &[
        ("good.apk", &[]),
        ("debug.apk", &["SIGN002"]),
        (
            "legacy.apk",
            &[
                "SIGN003", "SIGN005", "SIGN006", "SIGN007", "SIGN008", "SIGN009",
            ],
        ),
        ("future.apk", &["SIGN004", "SIGN005"]),
        ("v2only.apk", &["SIGN008"]),
        ("unsigned.apk", &["SIGN001"]),
    ];
    for (name, expected) in cases {
        let facts = scan_path(&fixture(name), &options).unwrap();
        assert_eq!(sign_rules(&facts), set(expected), "{name}");
    }
}

#[test]
fn certificate_findings_name_the_certificate_and_entry() {
    let facts = scan_path(&fixture("legacy.apk"), &options("2025-01-01")).unwrap();
    let sha256 = &facts.signing.certificates[0].sha256;
    let weak_key: Vec<_> = facts
        .findings
        .iter()
        .filter(|f| f.rule == "SIGN006")
        .collect();
    // The v1 certificate once, even though a PKCS#7 block may list it with others.
    assert_eq!(weak_key.len(), 1);
    let finding = weak_key[0];
    assert_eq!(
        finding.evidence.certificate.as_deref(),
        Some(sha256.as_str())
    );
    assert_eq!(
        finding.evidence.entry.as_deref(),
        Some("META-INF/LEGACY.RSA")
    );
    assert!(
        finding.message.contains("1024-bit RSA key"),
        "{}",
        finding.message
    );
    let json = serde_json::to_value(finding).unwrap();
    assert_eq!(json["evidence"]["certificate"], serde_json::json!(sha256));

    // A certificate is named once although v1, v2 and v3 all carry it, at its first entry.
    let facts = scan_path(&fixture("debug.apk"), &options("2025-01-01")).unwrap();
    let debug: Vec<_> = facts
        .findings
        .iter()
        .filter(|f| f.rule == "SIGN002")
        .collect();
    assert_eq!(debug.len(), 1);
    assert_eq!(
        debug[0].evidence.entry.as_deref(),
        Some("META-INF/DEBUG.RSA")
    );
    assert!(
        debug[0].message.contains("CN=Android Debug"),
        "{}",
        debug[0].message
    );
}

#[test]
fn validity_is_judged_on_the_reference_day() {
    // legacy.apk's certificate: 2000-01-01T00:00:00Z to 2001-01-01T00:00:00Z.
    let expired = |day: &str| {
        let facts = scan_path(&fixture("legacy.apk"), &options(day)).unwrap();
        facts.findings.into_iter().find(|f| f.rule == "SIGN003")
    };
    assert!(expired("2000-06-01").is_none());
    assert!(
        expired("2001-01-01").is_none(),
        "day granularity: valid on its last day"
    );
    let a = expired("2001-01-02").unwrap();
    let b = expired("2030-05-05").unwrap();
    assert!(
        a.message
            .contains("expired on 2001-01-01 (judged on 2001-01-02, UTC)"),
        "{}",
        a.message
    );
    assert!(b.message.contains("judged on 2030-05-05"), "{}", b.message);
    // The day is in the message, not in the identity a baseline matches on.
    assert_eq!(a.fingerprint, b.fingerprint);

    // future.apk's certificate starts 2099-01-01.
    let not_yet = |day: &str| {
        let facts = scan_path(&fixture("future.apk"), &options(day)).unwrap();
        facts.findings.iter().any(|f| f.rule == "SIGN004")
    };
    assert!(not_yet("2098-12-31"));
    assert!(!not_yet("2099-01-01"));
    // SIGN009 compares with a fixed day from the pack, whatever the reference day.
    for day in ["1990-01-01", "2200-01-01"] {
        let facts = scan_path(&fixture("good.apk"), &options(day)).unwrap();
        assert!(!facts.findings.iter().any(|f| f.rule == "SIGN009"));
    }
}

fn facts_with(schemes: &[&str], certs: Vec<CertificateFacts>, min: i64, target: i64) -> AppFacts {
    let mut facts = AppFacts::new(InputFacts::default());
    facts.signing.schemes = schemes.iter().map(|s| (*s).to_owned()).collect();
    facts.signing.certificates = certs;
    facts.app.min_sdk = Some(min);
    facts.app.target_sdk = Some(target);
    facts
}

fn cert(scheme: &str, sha256: &str) -> CertificateFacts {
    CertificateFacts {
        scheme: scheme.to_owned(),
        sha256: sha256.to_owned(),
        subject: "CN=Test".to_owned(),
        not_before: "2010-01-01T00:00:00Z".to_owned(),
        not_after: "2100-01-01T00:00:00Z".to_owned(),
        signature_algorithm: "sha256WithRSAEncryption".to_owned(),
        key_type: "RSA".to_owned(),
        key_bits: Some(2048),
        ..CertificateFacts::default()
    }
}

fn checked(mut facts: AppFacts) -> BTreeSet<String> {
    check_facts(&mut facts, &options("2025-01-01"));
    sign_rules(&facts)
}

#[test]
fn scheme_rules_follow_the_sdk_levels() {
    let v1 = || vec![cert("v1 (META-INF/CERT.RSA)", "aa")];
    // Janus reaches Android 7.0-8.0 too: v1-only with minSdk 26 is a finding, 27 is not.
    assert_eq!(
        checked(facts_with(&["v1"], v1(), 26, 26)),
        set(&["SIGN007"])
    );
    assert_eq!(checked(facts_with(&["v1"], v1(), 27, 29)), set(&[]));
    // targetSdk 30 needs v2+; minSdk under 24 needs v1.
    assert_eq!(
        checked(facts_with(&["v1"], v1(), 27, 30)),
        set(&["SIGN008"])
    );
    let v2 = || vec![cert("v2", "aa")];
    assert_eq!(
        checked(facts_with(&["v2"], v2(), 23, 29)),
        set(&["SIGN008"])
    );
    assert_eq!(checked(facts_with(&["v2"], v2(), 24, 34)), set(&[]));
    // A source stamp alone is no signature, and its certificate is not the app's.
    let mut stamp = cert("source-stamp", "bb");
    stamp.debug = true;
    assert_eq!(
        checked(facts_with(&["source-stamp"], vec![stamp], 24, 34)),
        set(&["SIGN001"])
    );
}

#[test]
fn key_and_algorithm_limits() {
    let with = |f: &dyn Fn(&mut CertificateFacts)| {
        let mut c = cert("v2", "aa");
        f(&mut c);
        checked(facts_with(&["v2", "v3"], vec![c], 24, 34))
    };
    assert_eq!(with(&|c| c.key_bits = Some(2047)), set(&["SIGN006"]));
    assert_eq!(with(&|c| c.key_bits = Some(4096)), set(&[]));
    assert_eq!(
        with(&|c| {
            c.key_type = "EC".to_owned();
            c.key_bits = Some(192);
        }),
        set(&["SIGN006"])
    );
    assert_eq!(
        with(&|c| {
            c.key_type = "EC".to_owned();
            c.key_bits = Some(256);
        }),
        set(&[])
    );
    assert_eq!(
        with(&|c| c.signature_algorithm = "ecdsa-with-SHA1".to_owned()),
        set(&["SIGN005"])
    );
    // Unknown dates (a certificate apkscope could not decode) judge nothing.
    assert_eq!(
        with(&|c| {
            c.not_before.clear();
            c.not_after.clear();
        }),
        set(&[])
    );
    assert_eq!(
        with(&|c| c.not_after = "2033-10-21T23:59:59Z".to_owned()),
        set(&["SIGN009"])
    );
}

/// apksig's own test APKs (AOSP), when the shared corpus is present.
#[test]
fn apksig_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/github/androguard/tests/data/APK/apksig");
    if !dir.is_dir() {
        crate::skip::skip(&format!("{} is absent", dir.display()));
        return;
    }
    let options = options("2025-01-01");
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("golden-aligned-in.apk", &["SIGN001"], &["SIGN008"]),
        (
            "v1-only-with-dsa-sha1-1.2.840.10040.4.1-1024.apk",
            &["SIGN006", "SIGN007"],
            &["SIGN001"],
        ),
        (
            "v1-only-with-dsa-sha256-2.16.840.1.101.3.4.3.2-2048.apk",
            &["SIGN007"],
            &["SIGN006"],
        ),
        (
            "golden-aligned-v1v2v3-out.apk",
            &[],
            &["SIGN001", "SIGN007", "SIGN008"],
        ),
        ("golden-aligned-v2v3-out.apk", &[], &["SIGN001", "SIGN007"]),
    ];
    for (name, present, absent) in cases {
        let facts =
            scan_path(&dir.join(name), &options).unwrap_or_else(|err| panic!("{name}: {err}"));
        let rules = sign_rules(&facts);
        for rule in *present {
            assert!(
                rules.contains(*rule),
                "{name}: {rule} missing from {rules:?}"
            );
        }
        for rule in *absent {
            assert!(
                !rules.contains(*rule),
                "{name}: unexpected {rule} in {rules:?}"
            );
        }
    }
}
