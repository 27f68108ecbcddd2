//! Integration tests of the `apkscope` binary.

// Test helpers may panic: a panic is how a test reports failure. clippy.toml relaxes these lints
// inside #[test] functions only, so the helpers they call need the same allowance here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

mod batch;
mod deps;
mod diff;
mod exit_codes;
mod hostile;
mod rules;
mod run;
mod skip;
mod uploads;
