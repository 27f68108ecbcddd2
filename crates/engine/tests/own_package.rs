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
