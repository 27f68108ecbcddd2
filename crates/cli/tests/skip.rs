//! Tests that cannot run here say so, visibly.
//!
//! A test that needs what this machine lacks (`../shared` beside the checkout, a Debian tool)
//! calls [`skip`] and returns: one line `SKIPPED <test>: <reason>` goes to stderr past the test
//! harness's output capture, so `cargo test` shows it under a test reported `ok`, and `.ci/run`
//! counts these lines. What `.ci/run` installs (dexdump, chromium) is [`required_in_ci`]: under
//! CI (`CI` set) its absence fails the test instead.
//!
//! Every crate's `tests/skip.rs` is this same file (`crates/cli/tests/deps.rs` checks it).

#![allow(dead_code, reason = "not every test binary needs every helper")]

use std::io::Write as _;

/// How every skip line starts; `.ci/run` counts the lines holding it.
pub(crate) const MARK: &str = "SKIPPED";

/// Says that the running test (or `part` of it, when not empty) did not run, and why.
pub(crate) fn skip(reason: &str) {
    skip_part("", reason);
}

/// Says that a part of the running test did not run, and why; the rest of it ran.
pub(crate) fn skip_part(part: &str, reason: &str) {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    let part = if part.is_empty() {
        String::new()
    } else {
        format!(" ({part})")
    };
    // `eprintln!` is captured by the harness and shown only for failing tests; a write to the
    // stderr handle is not. One write of the whole line, so that it is not torn.
    let line = format!("{MARK} {test}{part}: {reason}\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// As [`skip`], for what `.ci/run` installs: with `CI` set its absence is a failure.
#[track_caller]
pub(crate) fn required_in_ci(reason: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{reason}, but CI is set and .ci/run installs it"
    );
    skip(reason);
}
