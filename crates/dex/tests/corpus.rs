//! Parity with dexdump (ART 11) over the real corpus in `../shared`.
//!
//! - standalone `.dex` files (kind `dex` in MANIFEST.tsv): the oracles are
//!   keyed by APK, so these are compared with a live `dexdump` run when the
//!   tool is installed;
//! - APKs: `classes*.dex` entries that dexdump read (`dexdump_rc == 0`) are
//!   compared with `oracles/dexdump/<sha256>.json.gz`.
//!
//! Compared: the set of class descriptors and, per class, the number of
//! direct and virtual methods. Every instruction of every method is walked
//! too, so the corpus doubles as a no-panic test.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};

type ClassCounts = BTreeMap<String, (u64, u64)>;

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if p.join("corpus/MANIFEST.tsv").is_file() {
        Some(p)
    } else {
        None
    }
}

/// Our view: descriptor → (direct, virtual), after walking every instruction.
fn ours(bytes: &[u8]) -> Result<ClassCounts, String> {
    let dex = apkscope_dex::parse(bytes).map_err(|e| e.to_string())?;
    let mut out = ClassCounts::new();
    for class in dex.classes() {
        for m in class.methods() {
            if let Some(code) = dex.code(m) {
                let _ = dex.references(&code);
            }
        }
        let name = dex.type_descriptor(class.class_idx).map_or_else(
            || format!("<bad type {}>", class.class_idx),
            std::borrow::Cow::into_owned,
        );
        out.insert(
            name,
            (
                class.direct_methods.len() as u64,
                class.virtual_methods.len() as u64,
            ),
        );
    }
    Ok(out)
}

fn oracle_classes(v: &serde_json::Value) -> ClassCounts {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, c)| {
                    (
                        k.clone(),
                        (
                            c["direct"].as_u64().unwrap_or(0),
                            c["virtual"].as_u64().unwrap_or(0),
                        ),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Parses `dexdump FILE` text output into class counts.
fn dexdump_text(text: &str) -> ClassCounts {
    let mut out = ClassCounts::new();
    let mut current: Option<String> = None;
    let mut section = "";
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("  Class descriptor  : '") {
            let name = rest.trim_end_matches('\'').to_string();
            out.insert(name.clone(), (0, 0));
            current = Some(name);
            section = "";
        } else if line.starts_with("  Direct methods") {
            section = "direct";
        } else if line.starts_with("  Virtual methods") {
            section = "virtual";
        } else if line.starts_with("  ") && !line.starts_with("   ") {
            section = "";
        } else if line.starts_with("    #")
            && line.contains(": (in ")
            && let Some(c) = current.as_ref().and_then(|c| out.get_mut(c))
        {
            match section {
                "direct" => c.0 += 1,
                "virtual" => c.1 += 1,
                _ => {}
            }
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    dex_total: usize,
    dex_equal: usize,
    classes_oracle: usize,
    classes_equal: usize,
    methods_oracle: u64,
    methods_equal: u64,
    skipped: Vec<String>,
    diffs: Vec<String>,
}

impl Tally {
    fn compare(&mut self, what: &str, ours: &ClassCounts, oracle: &ClassCounts) {
        self.dex_total += 1;
        self.classes_oracle += oracle.len();
        let mut equal = ours.len() == oracle.len();
        for (name, &(d, v)) in oracle {
            self.methods_oracle += d + v;
            if let Some(&(od, ov)) = ours.get(name) {
                self.classes_equal += 1;
                self.methods_equal += d.min(od) + v.min(ov);
                if (od, ov) != (d, v) {
                    equal = false;
                    self.diffs.push(format!(
                        "{what}: {name}: ours direct/virtual {od}/{ov}, dexdump {d}/{v}"
                    ));
                }
            } else {
                equal = false;
                self.diffs.push(format!("{what}: {name} missing from ours"));
            }
        }
        for name in ours.keys().filter(|n| !oracle.contains_key(*n)) {
            self.diffs.push(format!("{what}: {name} only in ours"));
        }
        if equal {
            self.dex_equal += 1;
        }
    }

    fn report(&self, label: &str) {
        println!(
            "{label}: dex files equal {}/{}, classes {}/{}, methods {}/{}, skipped {}",
            self.dex_equal,
            self.dex_total,
            self.classes_equal,
            self.classes_oracle,
            self.methods_equal,
            self.methods_oracle,
            self.skipped.len()
        );
        for s in &self.skipped {
            println!("  skipped: {s}");
        }
        for d in self.diffs.iter().take(50) {
            println!("  diff: {d}");
        }
    }
}

fn manifest(shared: &Path, kind: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(shared.join("corpus/MANIFEST.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.get(1) == Some(&kind)).then(|| (f[0].to_string(), f[3].to_string()))
        })
        .collect()
}

#[test]
fn standalone_dex_matches_dexdump() {
    let Some(shared) = shared() else {
        crate::skip::skip("../shared/corpus is absent");
        return;
    };
    if std::process::Command::new("dexdump")
        .arg("-h")
        .output()
        .is_err()
    {
        crate::skip::required_in_ci(
            "dexdump is not installed (the oracles hold no standalone dex)",
        );
        return;
    }
    let mut tally = Tally::default();
    for (path, _sha) in manifest(&shared, "dex") {
        let full = shared.join("corpus").join(&path);
        let bytes = std::fs::read(&full).unwrap();
        let out = std::process::Command::new("dexdump")
            .arg(&full)
            .output()
            .unwrap();
        if !out.status.success() {
            tally
                .skipped
                .push(format!("{path}: dexdump exit {:?}", out.status.code()));
            let _ = ours(&bytes);
            continue;
        }
        let oracle = dexdump_text(&String::from_utf8_lossy(&out.stdout));
        match ours(&bytes) {
            Ok(o) => tally.compare(&path, &o, &oracle),
            Err(e) => tally.diffs.push(format!("{path}: we failed: {e}")),
        }
    }
    tally.report("standalone dex vs live dexdump");
    assert!(tally.diffs.is_empty(), "{:#?}", tally.diffs);
}

#[test]
fn apk_dex_matches_dexdump_oracle() {
    let Some(shared) = shared() else {
        crate::skip::skip("../shared/corpus is absent");
        return;
    };
    let paths: BTreeMap<String, String> = manifest(&shared, "apk")
        .into_iter()
        .map(|(p, s)| (s, p))
        .collect();
    let mut tally = Tally::default();
    let mut oracles: Vec<PathBuf> = std::fs::read_dir(shared.join("oracles/dexdump"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    oracles.sort();
    for oracle_path in oracles {
        let mut json = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&oracle_path).unwrap())
            .read_to_string(&mut json)
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let sha = v["sha256"].as_str().unwrap_or_default().to_string();
        let Some(path) = paths.get(&sha) else {
            tally.skipped.push(format!("{sha}: not in MANIFEST"));
            continue;
        };
        let entries = v["dex"].as_array().cloned().unwrap_or_default();
        if entries.is_empty() {
            continue;
        }
        let file = std::fs::File::open(shared.join("corpus").join(path)).unwrap();
        let mut zip = match zip::ZipArchive::new(file) {
            Ok(z) => z,
            Err(e) => {
                tally
                    .skipped
                    .push(format!("{path}: zip crate cannot open it ({e})"));
                continue;
            }
        };
        for entry in entries {
            let name = entry["entry"].as_str().unwrap_or_default();
            if entry["dexdump_rc"].as_i64() != Some(0) {
                tally.skipped.push(format!("{path}!{name}: dexdump failed"));
                continue;
            }
            let mut bytes = Vec::new();
            match zip.by_name(name).map(|mut f| f.read_to_end(&mut bytes)) {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tally
                        .skipped
                        .push(format!("{path}!{name}: zip crate cannot inflate ({e})"));
                    continue;
                }
                Err(e) => {
                    tally
                        .skipped
                        .push(format!("{path}!{name}: zip crate cannot find it ({e})"));
                    continue;
                }
            }
            let oracle = oracle_classes(&entry["classes"]);
            match ours(&bytes) {
                Ok(o) => tally.compare(&format!("{path}!{name}"), &o, &oracle),
                Err(e) => tally.diffs.push(format!("{path}!{name}: we failed: {e}")),
            }
        }
    }
    tally.report("APK dex entries vs dexdump oracle");
    assert!(tally.dex_total > 0 || !tally.skipped.is_empty());
    assert!(tally.diffs.is_empty(), "{:#?}", tally.diffs);
}
