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
mod html;
mod html_browser;
mod sarif;
mod summary;
