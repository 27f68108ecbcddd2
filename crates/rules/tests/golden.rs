//! Golden tests for rule-pack diagnostics (yara-x `compiler/tests/testdata/errors`): each
//! `tests/errors/N.toml` is loaded and validated on its own, and the rendered diagnostics must
//! equal `N.out`. `APKSCOPE_BLESS=1 cargo test -p apkscope-rules` rewrites the `.out` files.

use std::path::Path;

use apkscope_rules::{Error, Pack, codes, render};

#[test]
fn error_goldens() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors");
    let bless = std::env::var_os("APKSCOPE_BLESS").is_some_and(|v| v == "1");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    let mut failures = Vec::new();
    for input in inputs {
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&input).unwrap();
        let (pack, mut diags) = Pack::load(&[(name.as_str(), text.as_str())]);
        diags.extend(pack.validate());
        assert!(!diags.is_empty(), "{name} triggers nothing");
        let got = render(&diags);
        let out = input.with_extension("out");
        if bless {
            std::fs::write(&out, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&out).unwrap_or_default();
        if got != want {
            failures.push(format!("{name}: got\n{got}\nwant\n{want}"));
        }
    }
    assert!(
        failures.is_empty(),
        "APKSCOPE_BLESS=1 rewrites the goldens\n{}",
        failures.join("\n")
    );
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("apkscope-rules-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn from_dir_reads_every_toml_sorted() {
    let dir = scratch("dir");
    std::fs::create_dir_all(dir.join("b/c")).unwrap();
    let sdk = |id: &str| {
        format!(
            "[[sdk]]\nid = \"{id}\"\nname = \"N\"\ncategory = \"ads\"\npurpose = \"p\"\n\
             domains = [\"{id}.cn\"]\nreferences = [\"r\"]\n"
        )
    };
    std::fs::write(dir.join("z.toml"), sdk("z")).unwrap();
    std::fs::write(dir.join("b/c/y.toml"), sdk("y")).unwrap();
    std::fs::write(dir.join("b/a.toml"), sdk("a")).unwrap();
    std::fs::write(dir.join("README.md"), "not a rule").unwrap();
    let pack = Pack::from_dir(&dir).unwrap();
    let ids: Vec<&str> = pack.sdks().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["a", "y", "z"]);
    assert_eq!(
        pack.sdks()[1].origin.file(),
        dir.join("b/c/y.toml").display().to_string()
    );
    let hash = pack.hash();
    // The hash depends on relative paths only.
    let moved = scratch("moved");
    std::fs::create_dir_all(moved.join("b/c")).unwrap();
    for rel in ["z.toml", "b/c/y.toml", "b/a.toml"] {
        std::fs::copy(dir.join(rel), moved.join(rel)).unwrap();
    }
    assert_eq!(Pack::from_dir(&moved).unwrap().hash(), hash);

    std::fs::write(dir.join("b/bad.toml"), "[[sdk]]\nid = 3\n").unwrap();
    let err = Pack::from_dir(&dir).unwrap_err();
    assert!(
        matches!(&err, Error::Schema { location, .. } if location.file.ends_with("bad.toml")),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&moved);
}

#[test]
fn io_error() {
    let err = Pack::from_dir("/nonexistent/apkscope/rules").unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert_eq!(err.diagnostics()[0].code, codes::IO);
}
