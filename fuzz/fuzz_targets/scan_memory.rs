//! Fuzz target: the memory property of a whole scan. Any input under 1 MB, scanned with a
//! 32 MiB budget and the default rule pack, allocates at most twice its budget: the global
//! allocator's limit is set before each scan, so an allocation past it fails, which aborts —
//! a crash libFuzzer records with the input. The no-panic property comes with it.
//!
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run scan_memory corpus/scan_memory -- -max_len=1048576`
//! Inputs found are replayed by `crates/engine/tests/memory.rs` from `corpus/scan_memory` and
//! `regressions/scan_memory`.
#![no_main]

use std::alloc::System;
use std::sync::{Arc, OnceLock};

use apkscope_engine::ScanOptions;
use cap::Cap;
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

const BUDGET: u64 = 32 << 20;
const MULTIPLE: usize = 2;
const MAX_INPUT: usize = 1 << 20;

fn options() -> &'static ScanOptions {
    static OPTIONS: OnceLock<ScanOptions> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut options = ScanOptions::default();
        let pack = apkscope_rules::default_pack().ok().and_then(|p| p.compile().ok());
        options.rules = pack.map(Arc::new);
        options.as_of = apkscope_engine::Day::parse("2026-01-01");
        options.max_app_memory = BUDGET;
        options
    })
}

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_INPUT {
        return;
    }
    let options = options();
    let before = ALLOCATOR.allocated();
    let limit = before.saturating_add(MULTIPLE * BUDGET as usize);
    let _ = ALLOCATOR.set_limit(limit);
    let outcome = apkscope_engine::scan_bytes(data, "fuzz.apk", options);
    let _ = ALLOCATOR.set_limit(usize::MAX);
    drop(outcome);
});
