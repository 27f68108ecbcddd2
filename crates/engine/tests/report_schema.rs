//! Every report the engine produces fits `schemas/report.schema.json`: the demo, damaged copies
//! of it, and every corpus file scanned with the default rule pack.

use apkscope_engine::{ScanOptions, scan_bytes};
use apkscope_testkit::schema::validate_report;

use crate::corpus;

fn options() -> ScanOptions {
    let mut options = ScanOptions::default();
    options.rules = Some(crate::default_pack());
    options
}

fn check(data: &[u8], label: &str, options: &ScanOptions) -> bool {
    let Ok(facts) = scan_bytes(data, label, options) else {
        return false;
    };
    let report = serde_json::to_value(&facts).unwrap();
    if let Err(violations) = validate_report(&report) {
        panic!("{label}: the report does not fit the schema:\n{violations}");
    }
    true
}

#[test]
fn demo_reports_fit_the_schema() {
    let demo =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo/demo.apk");
    let data = std::fs::read(demo).unwrap();
    let options = options();
    assert!(check(&data, "demo.apk", &options));
    // Damaged copies exercise the anomaly paths.
    for cut in [data.len() / 2, data.len() - 100] {
        let mut copy = data.clone();
        copy.truncate(cut);
        check(&copy, "demo.apk truncated", &options);
    }
}

#[test]
fn corpus_reports_fit_the_schema() {
    let Some(shared) = corpus::shared_dir("report schema over the corpus") else {
        return;
    };
    let options = options();
    let mut reports = 0;
    for (path, _kind) in corpus::manifest(&shared) {
        let Ok(data) = std::fs::read(&path) else {
            continue;
        };
        if check(&data, &path.display().to_string(), &options) {
            reports += 1;
        }
    }
    assert!(reports > 500, "only {reports} corpus reports");
    eprintln!("corpus: {reports} reports fit schemas/report.schema.json");
}
