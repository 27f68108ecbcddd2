//! Fuzz target: a whole scan with the default rule pack — container, manifest, resources, code,
//! native libraries, signatures, the network security config, compilers, obfuscation and every
//! check — over arbitrary bytes. Seed it with the fixture APKs:
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run scan_apk corpus/scan_apk ../fixtures/demo ../fixtures/network ../fixtures/signing`
#![no_main]

use std::sync::{Arc, OnceLock};

use apkscope_engine::ScanOptions;
use libfuzzer_sys::fuzz_target;

fn options() -> &'static ScanOptions {
    static OPTIONS: OnceLock<ScanOptions> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut options = ScanOptions::default();
        let pack = apkscope_rules::default_pack().ok().and_then(|p| p.compile().ok());
        options.rules = pack.map(Arc::new);
        options.as_of = apkscope_engine::Day::parse("2026-01-01");
        options
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = apkscope_engine::scan_bytes(data, "fuzz.apk", options());
});
