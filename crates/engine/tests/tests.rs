//! Engine tests on built fixtures and on the shared corpus of real APKs.

// Test helpers may panic: a panic is how a test reports failure. clippy.toml relaxes these lints
// inside #[test] functions only, so the helpers they call need the same allowance here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

mod analysis;
mod apkid_parity;
mod behaviour;
mod capabilities;
mod chinese_sdks;
mod code;
mod corpus;
mod dex_parity;
mod findings;
mod hostile;
mod network;
mod never_panic;
mod obfuscation;
mod own_package;
mod packers;
mod parity;
mod recheck;
mod report_schema;
mod sdk_parity;
mod signing_checks;
mod signing_parity;
mod skip;
mod startup;
mod time_limit;

/// The default rule pack, compiled once for every test of this binary.
pub(crate) fn default_pack() -> std::sync::Arc<apkscope_rules::CompiledPack> {
    static PACK: std::sync::OnceLock<std::sync::Arc<apkscope_rules::CompiledPack>> =
        std::sync::OnceLock::new();
    std::sync::Arc::clone(PACK.get_or_init(|| {
        std::sync::Arc::new(apkscope_rules::default_pack().unwrap().compile().unwrap())
    }))
}
