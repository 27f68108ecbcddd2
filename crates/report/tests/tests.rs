//! Report tests on real scans of the demo APK and on hostile facts.

// Test helpers may panic: a panic is how a test reports failure. clippy.toml relaxes these lints
// inside #[test] functions only, so the helpers they call need the same allowance here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod csv;
mod cyclonedx;
mod html;
mod html_browser;
mod sarif;
mod skip;
mod summary;
mod text;

use std::sync::{Arc, OnceLock};

use apkscope_engine::{CompiledPack, ScanOptions};
use apkscope_facts::AppFacts;

/// The default rule pack, compiled once for every test of this binary.
pub(crate) fn pack() -> Arc<CompiledPack> {
    static PACK: OnceLock<Arc<CompiledPack>> = OnceLock::new();
    Arc::clone(
        PACK.get_or_init(|| Arc::new(apkscope_rules::default_pack().unwrap().compile().unwrap())),
    )
}

/// A fresh scan of the demo APK with the default rule pack, as the CLI scans it.
pub(crate) fn scan_demo() -> AppFacts {
    let apk = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo/demo.apk");
    let mut options = ScanOptions::default();
    options.rules = Some(pack());
    apkscope_engine::scan_path(&apk, &options).unwrap()
}
