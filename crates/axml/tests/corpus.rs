//! Parity with aapt on the shared corpus (skipped when `../shared` is absent).
#![allow(clippy::print_stdout)] // tests report skips and agreement figures

use apkscope_axml::{Manifest, arsc, codes, parse, to_xml_with};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if p.join("corpus/MANIFEST.tsv").is_file() {
        Some(p)
    } else {
        crate::skip::skip(&format!("{} not present", p.display()));
        None
    }
}

/// `(path, kind, sha256)` rows of MANIFEST.tsv.
pub(crate) fn rows(shared: &Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(shared.join("corpus/MANIFEST.tsv")).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((
                (*f.first()?).to_owned(),
                (*f.get(1)?).to_owned(),
                (*f.get(3)?).to_owned(),
            ))
        })
        .collect()
}

#[test]
fn corpus_axml_files_decode() {
    let Some(shared) = shared() else { return };
    let mut n = 0;
    for (path, kind, _) in rows(&shared) {
        if kind != "axml" {
            continue;
        }
        let data = std::fs::read(shared.join("corpus").join(&path)).unwrap();
        let doc = parse(&data).unwrap_or_else(|e| panic!("{path}: {e}"));
        for a in doc.anomalies.iter().filter(|a| {
            a.code == codes::ANDROID_BAD_DOCUMENT || a.code == codes::NONSTANDARD_HEADER_SIZE
        }) {
            println!("{path}: {} @{:?}: {}", a.code, a.offset, a.detail);
        }
        let m = Manifest::from_document(&doc, None);
        let xml = to_xml_with(&doc, None);
        if let Err(e) = roxmltree::Document::parse(&xml) {
            panic!("{path}: rendered XML is not well-formed: {e}");
        }
        assert!(
            m.package.is_some() || !path.contains("AndroidManifest"),
            "{path}: no package; {:?}",
            doc.anomalies
        );
        n += 1;
    }
    println!("decoded {n} standalone AXML files");
}

/// Entries of a well-formed zip.
pub(crate) fn entries(apk: &Path) -> Option<(Vec<u8>, Option<Vec<u8>>)> {
    let f = std::fs::File::open(apk).ok()?;
    let mut z = zip::ZipArchive::new(f).ok()?;
    let mut read = |name: &str| -> Option<Vec<u8>> {
        let mut e = z.by_name(name).ok()?;
        let mut v = Vec::new();
        e.read_to_end(&mut v).ok()?;
        Some(v)
    };
    let m = read("AndroidManifest.xml")?;
    Some((m, read("resources.arsc")))
}

/// What aapt says: badging fields and the manifest's own uses-permission names.
#[derive(Debug, Default)]
struct Aapt {
    package: Option<String>,
    version_code: Option<String>,
    version_name: Option<String>,
    sdk: Option<String>,
    target: Option<String>,
    permissions: Vec<String>,
    label: Option<String>,
}

fn quoted(line: &str, key: &str) -> Option<String> {
    let i = line.find(&format!("{key}='"))? + key.len() + 2;
    let rest = line.get(i..)?;
    Some(rest.get(..rest.find('\'')?)?.to_owned())
}

fn aapt(shared: &Path, sha: &str) -> Option<Aapt> {
    let badging =
        std::fs::read_to_string(shared.join(format!("oracles/aapt_badging/{sha}.txt"))).ok()?;
    let xmltree =
        std::fs::read_to_string(shared.join(format!("oracles/aapt_xmltree/{sha}.txt"))).ok()?;
    let mut a = Aapt::default();
    for l in badging.lines() {
        if l == "--- stderr ---" {
            break;
        }
        if l.starts_with("package:") {
            a.package = quoted(l, "name");
            a.version_code = quoted(l, "versionCode").filter(|s| !s.is_empty());
            a.version_name = quoted(l, "versionName");
        } else if let Some(v) = l.strip_prefix("sdkVersion:'") {
            a.sdk = v.strip_suffix('\'').map(str::to_owned);
        } else if let Some(v) = l.strip_prefix("application-label:'") {
            a.label = v.strip_suffix('\'').map(str::to_owned);
        } else if let Some(v) = l.strip_prefix("targetSdkVersion:'") {
            a.target = v.strip_suffix('\'').map(str::to_owned);
        }
    }
    a.package.as_ref()?;
    let mut in_perm = false;
    for l in xmltree.lines() {
        if l == "--- stderr ---" {
            break;
        }
        if l.starts_with("    E: ") {
            in_perm = l.starts_with("    E: uses-permission");
        } else if in_perm && l.starts_with("      A: android:name(") {
            if let Some(i) = l.find("=\"") {
                let v = &l[i + 2..];
                if let Some(j) = v.find("\" (Raw") {
                    a.permissions.push(v[..j].to_owned());
                }
            }
        } else if !l.starts_with("      ") {
            in_perm = false;
        }
    }
    Some(a)
}

#[test]
#[allow(clippy::too_many_lines)] // one table of field comparisons
fn corpus_apks_match_aapt() {
    let Some(shared) = shared() else { return };
    let mut stats: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    let mut mismatches: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut bump = |field: &'static str, ok: bool, what: String, mismatches: &mut Vec<String>| {
        let e = stats.entry(field).or_default();
        e.0 += 1;
        if ok {
            e.1 += 1;
        } else {
            mismatches.push(what);
        }
    };
    for (path, kind, sha) in rows(&shared) {
        if kind != "apk" || !seen.insert(sha.clone()) {
            continue;
        }
        let Some(oracle) = aapt(&shared, &sha) else {
            continue;
        };
        let Some((manifest, arsc_bytes)) = entries(&shared.join("corpus").join(&path)) else {
            continue;
        };
        let table = arsc_bytes.as_deref().and_then(|b| arsc::parse(b).ok());
        if arsc_bytes.is_some() {
            bump(
                "arsc",
                table.is_some(),
                format!("{path}: resources.arsc did not parse"),
                &mut mismatches,
            );
        }
        let Ok(doc) = parse(&manifest) else {
            bump(
                "parse",
                false,
                format!("{path}: parse failed"),
                &mut mismatches,
            );
            continue;
        };
        bump("parse", true, String::new(), &mut mismatches);
        let m = Manifest::from_document(&doc, table.as_ref());
        let xml = to_xml_with(&doc, table.as_ref());
        if let Err(e) = roxmltree::Document::parse(&xml) {
            panic!("{path}: rendered XML is not well-formed: {e}");
        }
        let cmp = |a: &Option<String>, b: &Option<String>| a == b;
        bump(
            "package",
            cmp(&m.package, &oracle.package),
            format!("{path}: package {:?} vs {:?}", m.package, oracle.package),
            &mut mismatches,
        );
        let vc = m.version_code.filter(|&v| v > 0).map(|v| v.to_string());
        if oracle.version_code.is_some() {
            bump(
                "versionCode",
                cmp(&vc, &oracle.version_code),
                format!("{path}: versionCode {vc:?} vs {:?}", oracle.version_code),
                &mut mismatches,
            );
        }
        let vn = m.version_name.clone().or(Some(String::new()));
        bump(
            "versionName",
            cmp(&vn, &oracle.version_name),
            format!("{path}: versionName {vn:?} vs {:?}", oracle.version_name),
            &mut mismatches,
        );
        if let Some(s) = &oracle.sdk {
            let ours = m
                .sdk_codename
                .clone()
                .filter(|_| m.min_sdk_version == Some(10_000))
                .or(m.min_sdk_version.map(|v| v.to_string()));
            bump(
                "minSdk",
                ours.as_ref() == Some(s),
                format!("{path}: minSdk {ours:?} vs {s}"),
                &mut mismatches,
            );
        }
        if let Some(s) = &oracle.target {
            let ours = m
                .sdk_codename
                .clone()
                .filter(|_| m.target_sdk_version == Some(10_000))
                .or(m.target_sdk_version.map(|v| v.to_string()));
            bump(
                "targetSdk",
                ours.as_ref() == Some(s),
                format!("{path}: targetSdk {ours:?} vs {s}"),
                &mut mismatches,
            );
        }
        if let Some(l) = &oracle.label {
            let ours = m.application.as_ref().and_then(|a| a.label.clone());
            // Reported, not asserted: aapt picks a locale-specific value in some tables.
            bump(
                "label(info)",
                ours.as_ref() == Some(l),
                format!("{path}: label {ours:?} vs {l:?}"),
                &mut mismatches,
            );
        }
        let ours: Vec<String> = m.uses_permissions.iter().map(|p| p.name.clone()).collect();
        bump(
            "permissions",
            ours == oracle.permissions,
            format!("{path}: permissions {ours:?} vs {:?}", oracle.permissions),
            &mut mismatches,
        );
    }
    for (k, (n, ok)) in &stats {
        println!("{k}: {ok}/{n}");
    }
    for m in mismatches.iter().take(40) {
        println!("MISMATCH {m}");
    }
    for (k, (n, ok)) in stats.iter().filter(|(k, _)| !k.ends_with("(info)")) {
        assert!(
            f64::from(*ok) >= f64::from(*n) * 0.97,
            "{k}: only {ok}/{n} agree"
        );
    }
}

/// `path → aapt_xmltree_rc` from the oracles' INDEX.tsv.
fn xmltree_ok(shared: &Path) -> BTreeMap<String, bool> {
    let text = std::fs::read_to_string(shared.join("oracles/INDEX.tsv")).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some(((*f.first()?).to_owned(), *f.get(3)? == "0"))
        })
        .collect()
}

/// Every manifest aapt (which uses the same `ResXMLTree` as Android) dumps without error is
/// one Android accepts: the decoder must not claim Android would refuse it, so it decoded it in
/// Android's layout throughout.
#[test]
fn corpus_manifests_aapt_reads_are_android_accepted() {
    let Some(shared) = shared() else { return };
    let ok = xmltree_ok(&shared);
    let (mut checked, mut nonstandard, mut bad_after_root) = (0, 0, 0);
    let mut seen = std::collections::HashSet::new();
    let mut refused = Vec::new();
    for (path, kind, sha) in rows(&shared) {
        if kind != "apk" || !seen.insert(sha) || ok.get(&path) != Some(&true) {
            continue;
        }
        let Some((manifest, _)) = entries(&shared.join("corpus").join(&path)) else {
            continue;
        };
        let Ok(doc) = parse(&manifest) else {
            refused.push(format!("{path}: no root"));
            continue;
        };
        checked += 1;
        for a in &doc.anomalies {
            if a.code == codes::NONSTANDARD_HEADER_SIZE {
                nonstandard += 1;
            } else if a.code == codes::ANDROID_BAD_DOCUMENT {
                if a.detail.contains("would refuse") {
                    refused.push(format!("{path}: {}", a.detail));
                } else {
                    bad_after_root += 1;
                }
            }
        }
    }
    println!(
        "{checked} aapt-readable manifests: {nonstandard} nonstandard header sizes honoured, \
         {bad_after_root} stop after the root closes, {} refused",
        refused.len()
    );
    assert!(refused.is_empty(), "{refused:#?}");
}
