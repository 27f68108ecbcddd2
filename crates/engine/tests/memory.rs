//! What a scan allocates, whatever the input: at most a fixed multiple of its memory budget.
//!
//! This binary's global allocator counts every allocation of every thread (`cap`), and before
//! each scan its limit is set to what is allocated already plus [`MULTIPLE`] × the scan's
//! budget. A scan that allocates beyond that gets a failed allocation, which aborts this binary
//! with the name of the input printed just before: the test fails loudly rather than quietly
//! using gigabytes. The inputs are the hostile set of the testkit (each under 1 MB on disk),
//! the demo and small fixtures, the fuzz corpora and regressions of `scan_apk` and
//! `scan_memory`, and the corpus APKs under 1 MB when `../shared` is present.

// A test binary: panics are how it fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

mod skip;

use std::alloc::System;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use apkscope_engine::ScanOptions;
use apkscope_testkit::hostile;
use apkscope_testkit::zip::ZipEntry;
use cap::Cap;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

const MIB: u64 = 1 << 20;
/// The budget every scan here runs with.
const BUDGET: u64 = 48 * MIB;
/// What a scan may allocate beyond what was allocated before it, in budgets: the budget covers
/// the input, inflated entries and the code index; the manifest tree, the facts and the
/// analysis come on top, and are linear in what the budget covers.
const MULTIPLE: u64 = 2;
/// Inputs larger than this are not part of the property (it is stated for inputs under 1 MB).
const MAX_INPUT: u64 = 1 << 20;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// The files under `dir` no larger than [`MAX_INPUT`]: every file, or only `*.apk` and `*.dex`.
fn files_in(dir: &Path, any_name: bool, out: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            files_in(&path, any_name, out);
            continue;
        }
        let wanted = any_name
            || path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("apk") || e.eq_ignore_ascii_case("dex"));
        if wanted && path.metadata().is_ok_and(|m| m.len() <= MAX_INPUT) {
            out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
}

/// An APK whose manifest holds `elements` permission elements (80 bytes each).
fn manifest_apk(elements: usize) -> Vec<u8> {
    apkscope_testkit::zip::ZipBuilder::new()
        .deflated("AndroidManifest.xml", hostile::huge_manifest(elements))
        .build()
}

fn inputs() -> Vec<(String, Vec<u8>)> {
    let dex = |d: Vec<u8>| hostile::apk(vec![ZipEntry::deflated("classes.dex", d)]);
    let mut inputs = vec![
        (
            "shared type list".to_owned(),
            dex(hostile::shared_type_list_dex(65_535, 0, 65_535)),
        ),
        (
            "shared interfaces".to_owned(),
            dex(hostile::shared_type_list_dex(0, 16_384, 65_535)),
        ),
        (
            "overlapping type lists".to_owned(),
            dex(hostile::overlapping_type_lists_dex(65_535, 32_768)),
        ),
        (
            "nested dex bombs".to_owned(),
            hostile::nested_dex_bombs(6, 96 * MIB),
        ),
        (
            "records sharing a local header".to_owned(),
            hostile::shared_local_header_bombs(200, 32 * MIB),
        ),
        (
            "dex bomb".to_owned(),
            hostile::apk(vec![hostile::dex_bomb_entry("classes2.dex", 256 * MIB)]),
        ),
        (
            "many native libraries".to_owned(),
            hostile::many_native_libs(20_000),
        ),
        ("huge manifest".to_owned(), manifest_apk(100_000)),
        ("large manifest".to_owned(), manifest_apk(40_000)),
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    files_in(&root.join("fixtures"), false, &mut inputs);
    for target in ["scan_apk", "scan_memory"] {
        files_in(&root.join("fuzz/corpus").join(target), true, &mut inputs);
        files_in(
            &root.join("fuzz/regressions").join(target),
            true,
            &mut inputs,
        );
    }
    let corpus = shared().join("corpus");
    if corpus.is_dir() {
        files_in(&corpus, false, &mut inputs);
    } else {
        skip::skip_part(
            "corpus APKs",
            &format!("{} absent, the other inputs were scanned", corpus.display()),
        );
    }
    inputs
}

#[test]
fn every_scan_allocates_at_most_a_multiple_of_its_budget() {
    let mut options = ScanOptions::default();
    options.rules = Some(Arc::new(
        apkscope_rules::default_pack().unwrap().compile().unwrap(),
    ));
    options.max_app_memory = BUDGET;
    options.as_of = apkscope_engine::Day::parse("2026-01-01");
    let inputs = inputs();
    // Warm up what is allocated once per process (the thread pool, lazy tables) outside the
    // measured scans.
    let _ = apkscope_engine::scan_bytes(&hostile::many_native_libs(1), "warm-up", &options);
    // An allocation over the limit aborts the process, so nothing after it runs: the input in
    // progress is written to a file first, and the file named once on stderr (uncaptured).
    let current = Path::new(env!("CARGO_TARGET_TMPDIR")).join("memory-test-current-input.txt");
    let _ = std::io::stderr().write_all(
        format!(
            "memory: if this test aborts, {} names the input\n",
            current.display()
        )
        .as_bytes(),
    );
    let mut over_budget: Vec<&str> = Vec::new();
    for (name, bytes) in &inputs {
        std::fs::write(&current, name).unwrap();
        let before = ALLOCATOR.allocated();
        let limit = u64::try_from(before).unwrap() + MULTIPLE * BUDGET;
        ALLOCATOR
            .set_limit(usize::try_from(limit).unwrap())
            .unwrap();
        let outcome = apkscope_engine::scan_bytes(bytes, name, &options);
        ALLOCATOR.set_limit(usize::MAX).unwrap();
        if let Err(err) = &outcome
            && err.kind() == "over_budget"
        {
            over_budget.push(name);
        }
        drop(outcome);
    }
    eprintln!(
        "memory: {} inputs scanned within {MULTIPLE} × {} MiB each ({} over budget); \
         largest total allocated at once {} MiB",
        inputs.len(),
        BUDGET / MIB,
        over_budget.len(),
        ALLOCATOR.max_allocated() / (1 << 20)
    );
    let _ = std::fs::remove_file(&current);
    // Bombs larger than the budget must hit it, not slip past it.
    for bomb in ["nested dex bombs", "dex bomb", "huge manifest"] {
        assert!(over_budget.contains(&bomb), "{bomb}: {over_budget:?}");
    }
}
