//! The app's own package is never an SDK, even under a vendor's class prefix; the vendor's
//! own classes elsewhere in the APK still are.

use std::path::Path;

use apkscope_engine::{ScanOptions, scan_bytes};
use apkscope_facts::AppFacts;

fn scan(name: &str) -> AppFacts {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../fixtures/sdks/{name}"));
    let data = std::fs::read(&path).unwrap();
    let mut options = ScanOptions::default();
    options.rules = Some(crate::default_pack());
    scan_bytes(&data, &path.display().to_string(), &options).unwrap()
}

#[test]
fn a_vendor_sample_app_is_not_the_vendor_sdk() {
    let facts = scan("own-prefix.apk");
    assert!(facts.sdks.is_empty(), "{:#?}", facts.sdks);
    assert!(facts.findings.iter().all(|f| !f.rule.starts_with("SDK")));
}

#[test]
fn a_vendor_demo_app_embedding_the_sdk_still_reports_it() {
    let facts = scan("own-prefix-sdk.apk");
    let ids: Vec<&str> = facts.sdks.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["jcore"]);
    // The app's own activity is not the SDK's evidence.
    assert_eq!(
        facts.sdks[0].evidence.class_examples,
        ["Lcn/jiguang/api/JCoreInterface;"]
    );
}

#[test]
fn a_renamed_sdk_is_found_by_its_manifest_key_with_lower_confidence() {
    let facts = scan("renamed.apk");
    let ids: Vec<&str> = facts.sdks.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["umeng-cnzz"]);
    let cnzz = &facts.sdks[0];
    assert_eq!(cnzz.confidence, "medium");
    assert_eq!(cnzz.evidence.kinds, ["meta-data"]);
    assert_eq!(cnzz.evidence.meta_data, ["CNZZ_APP_KEY"]);
    assert_eq!(cnzz.evidence.domains, ["s.cnzz.com"]);
    assert_eq!(cnzz.evidence.classes, 0);
}

#[test]
fn old_namespaces_and_family_products_are_found_and_a_leftover_key_is_not() {
    let facts = scan("legacy.apk");
    let ids: Vec<&str> = facts.sdks.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["aliyun-push", "sharerec", "umeng", "umeng-exchange"]);
    assert!(facts.sdks.iter().all(|s| s.confidence == "high"));
}
