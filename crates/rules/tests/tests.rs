//! Integration tests of apkscope-rules: diagnostics goldens, every validation code, every
//! matcher, the embedded default pack, a timing run, and hostile rule folders (sizes, special
//! files, floods of diagnostics).

// Test helpers may panic: a panic is how a test reports failure. clippy.toml relaxes these lints
// inside #[test] functions only, so the helpers they call need the same allowance here. The
// timing test and the skip notice print to stderr.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

mod default_pack;
mod golden;
mod hostile;
mod matchers;
mod references;
mod skip;
mod validation;
