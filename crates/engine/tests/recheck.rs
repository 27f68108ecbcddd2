//! Findings recomputed from a report read back (`check_facts`) equal the scan's: what a result
//! cache relies on to re-judge dates without rescanning.

use apkscope_engine::{Day, ScanOptions, check_facts, scan_path};
use apkscope_facts::AppFacts;

use crate::corpus;

fn options(as_of: &str) -> ScanOptions {
    let mut options = ScanOptions::default();
    options.rules = Some(crate::default_pack());
    options.as_of = Day::parse(as_of);
    options
}

fn assert_recheck_is_identical(path: &std::path::Path, options: &ScanOptions) {
    let Ok(facts) = scan_path(path, options) else {
        return;
    };
    let json = serde_json::to_string(&facts).unwrap();
    let mut read_back: AppFacts = serde_json::from_str(&json).unwrap();
    check_facts(&mut read_back, options);
    assert_eq!(
        serde_json::to_string(&read_back).unwrap(),
        json,
        "{}: findings differ when recomputed from the report",
        path.display()
    );
}

#[test]
fn rechecking_a_report_gives_the_scan_findings() {
    let demo =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo/demo.apk");
    let options = options("2026-11-28");
    assert_recheck_is_identical(&demo, &options);
    let Some(shared) = corpus::shared_dir("recheck over the corpus") else {
        return;
    };
    for (path, _kind) in corpus::manifest(&shared).iter().step_by(5) {
        assert_recheck_is_identical(path, &options);
    }
}

#[test]
fn a_bare_dex_gets_the_sdk_inventory_but_no_container_findings() {
    use apkscope_testkit::dex::{ClassSpec, DexBuilder};
    let dex = DexBuilder::new()
        .class(ClassSpec::new(
            "Lcom/tencent/bugly/crashreport/CrashReport;",
        ))
        .build();
    let facts = apkscope_engine::scan_bytes(&dex, "classes.dex", &options("2026-11-28")).unwrap();
    assert!(
        facts.sdks.iter().any(|s| s.id == "bugly"),
        "{:?}",
        facts.sdks
    );
    assert!(facts.rule_pack.is_some());
    // No zip, so no signature and no network security config to judge.
    assert!(
        facts
            .findings
            .iter()
            .all(|f| !f.rule.starts_with("SIGN") && !f.rule.starts_with("NET")),
        "{:?}",
        facts.findings.iter().map(|f| &f.rule).collect::<Vec<_>>()
    );
}
