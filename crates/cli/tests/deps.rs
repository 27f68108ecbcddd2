//! The crate graph follows the table in docs/ARCHITECTURE.md: no back-edges, no parser → parser.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Internal edges each crate may have (normal dependencies; dev-dependencies on the test kit
/// are allowed everywhere).
const ALLOWED: &[(&str, &[&str])] = &[
    ("apkscope-apk", &[]),
    ("apkscope-axml", &[]),
    ("apkscope-dex", &[]),
    ("apkscope-native", &[]),
    ("apkscope-signing", &[]),
    ("apkscope-facts", &[]),
    ("apkscope-testkit", &[]),
    ("apkscope-rules", &["apkscope-facts"]),
    ("apkscope-graph", &["apkscope-facts"]),
    (
        "apkscope-engine",
        &[
            "apkscope-apk",
            "apkscope-axml",
            "apkscope-dex",
            "apkscope-facts",
            "apkscope-graph",
            "apkscope-native",
            "apkscope-rules",
            "apkscope-signing",
        ],
    ),
    ("apkscope-report", &["apkscope-facts"]),
    (
        "apkscope-cli",
        &[
            "apkscope-engine",
            "apkscope-facts",
            "apkscope-report",
            "apkscope-rules",
        ],
    ),
];

/// Test-only edges: the signing tests find real signing blocks with the container reader instead
/// of duplicating it; the report tests render real scans of the demo APK.
const DEV_ONLY_ALLOWED: &[(&str, &str)] = &[
    ("apkscope-signing", "apkscope-apk"),
    ("apkscope-report", "apkscope-engine"),
    ("apkscope-report", "apkscope-rules"),
];

#[test]
fn internal_dependencies_follow_the_architecture() {
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(output.status.success(), "cargo metadata failed");
    let meta: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let allowed: BTreeMap<&str, BTreeSet<&str>> = ALLOWED
        .iter()
        .map(|(k, v)| (*k, v.iter().copied().collect()))
        .collect();
    let mut violations = Vec::new();
    for package in meta["packages"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap();
        let Some(permitted) = allowed.get(name) else {
            violations.push(format!("{name} is not in the architecture table"));
            continue;
        };
        for dep in package["dependencies"].as_array().unwrap() {
            let dep_name = dep["name"].as_str().unwrap();
            let is_dev = dep["kind"].as_str() == Some("dev");
            if !dep_name.starts_with("apkscope-") || is_dev && dep_name == "apkscope-testkit" {
                continue;
            }
            if is_dev
                && (permitted.contains(dep_name) || DEV_ONLY_ALLOWED.contains(&(name, dep_name)))
            {
                continue;
            }
            if !permitted.contains(dep_name) {
                violations.push(format!("{name} -> {dep_name}"));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "edges not in docs/ARCHITECTURE.md: {violations:#?}"
    );
}

/// Every crate's skip helper (`tests/skip.rs`) is the same file, so that every skip line has
/// the form `.ci/run` counts.
#[test]
fn every_crate_shares_the_skip_helper() {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let ours = std::fs::read(crates.join("cli/tests/skip.rs")).unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(&crates).unwrap() {
        let tests = entry.unwrap().path().join("tests");
        let Ok(sources) = std::fs::read_dir(&tests) else {
            continue;
        };
        let mut uses_it = false;
        for source in sources {
            let source = source.unwrap().path();
            if source.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&source).unwrap();
                uses_it |= text.contains("skip::") || text.contains("mod skip;");
            }
        }
        let helper = tests.join("skip.rs");
        if uses_it || helper.exists() {
            assert_eq!(
                std::fs::read(&helper).ok().as_ref(),
                Some(&ours),
                "{} differs from crates/cli/tests/skip.rs",
                helper.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 9, "{checked} crates checked");
}
