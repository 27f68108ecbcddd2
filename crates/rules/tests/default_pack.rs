//! The embedded default pack (whatever files `rules/` holds) loads and validates.

use apkscope_rules::{Pack, default_pack, default_sources, render};

#[test]
fn default_pack_loads_validates_and_compiles() {
    let sources = default_sources();
    if sources.is_empty() {
        crate::skip::skip("rules/ holds no *.toml file");
        return;
    }
    let mut names: Vec<&str> = sources.iter().map(|(n, _)| *n).collect();
    let sorted = {
        let mut s = names.clone();
        s.sort_unstable();
        s
    };
    assert_eq!(names, sorted, "embedded files are sorted by path");
    names.dedup();
    assert_eq!(names.len(), sources.len());

    // Lenient load + validation: every problem at once, rendered as `rules validate` would.
    let (pack, mut diags) = Pack::load(sources);
    diags.extend(pack.validate());
    let errors = diags.iter().filter(|d| d.is_error()).count();
    assert!(
        errors == 0,
        "default pack has problems:\n{}",
        render(&diags)
    );

    // Warnings are allowed; say how many of each (run with --nocapture to read them).
    let mut by_code = std::collections::BTreeMap::new();
    for d in &diags {
        *by_code.entry(d.code).or_insert(0usize) += 1;
    }
    eprintln!(
        "default pack: {} files, warnings by code: {by_code:?}",
        sources.len()
    );

    let start = std::time::Instant::now();
    let pack = default_pack().unwrap();
    let compiled = pack.compile().unwrap();
    eprintln!(
        "default pack: loaded, validated and compiled in {:?} ({} permissions, {} SDKs, {} APIs, \
         {} checks, {} tests)",
        start.elapsed(),
        pack.permissions().len(),
        pack.sdks().len(),
        pack.apis().len(),
        pack.checks().len(),
        pack.tests().len(),
    );
    assert_eq!(compiled.sdks().len(), pack.sdks().len());
    assert_eq!(compiled.pack_hash(), pack.hash());
    assert!(pack.sdks()[0].origin.file().starts_with("rules/"));

    // The embedded pack and the folder it came from hash the same (relative paths only).
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    if let Ok(from_disk) = Pack::from_dir(&dir) {
        assert_eq!(from_disk.hash(), pack.hash());
    }
}

#[test]
#[ignore = "prints the default pack's warnings"]
fn print_default_pack_warnings() {
    let (pack, mut diags) = Pack::load(default_sources());
    diags.extend(pack.validate());
    for d in diags {
        eprintln!(
            "{} {}:{} {} | {}",
            d.code, d.file, d.line, d.field, d.message
        );
    }
}
