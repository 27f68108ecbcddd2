//! The per-app time limit: a scan over it stops with a timeout error a batch can record.

use std::path::Path;
use std::time::Duration;

use apkscope_engine::{Error, ScanOptions, scan_path};

fn demo() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo/demo.apk")
}

#[test]
fn a_scan_over_its_time_limit_is_a_timeout_error() {
    let mut options = ScanOptions::default();
    options.time_limit = Some(Duration::ZERO);
    let err = scan_path(&demo(), &options).unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert_eq!(err.kind(), "timeout");
    assert!(err.to_string().contains("gave up after 0.0 s"), "{err}");
}

#[test]
fn a_generous_time_limit_changes_nothing() {
    let mut limited = ScanOptions::default();
    limited.time_limit = Some(Duration::from_secs(3600));
    let with_limit = scan_path(&demo(), &limited).unwrap();
    let without = scan_path(&demo(), &ScanOptions::default()).unwrap();
    assert_eq!(
        serde_json::to_string(&with_limit).unwrap(),
        serde_json::to_string(&without).unwrap()
    );
}

#[test]
fn error_kinds_are_stable() {
    let missing = scan_path(Path::new("/nonexistent/app.apk"), &ScanOptions::default());
    assert_eq!(missing.unwrap_err().kind(), "io");
    let not_zip = apkscope_engine::scan_bytes(b"hello", "x.apk", &ScanOptions::default());
    assert_eq!(not_zip.unwrap_err().kind(), "not_apk");
}
