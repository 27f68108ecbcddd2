//! Parity with `aapt dump badging` / `aapt dump xmltree` on every corpus APK aapt could read.
//!
//! Where the tools disagree with apkscope and Android's own behaviour is on apkscope's side, the
//! case is recognised and documented below instead of failing the test.

use std::collections::BTreeSet;

use apkscope_engine::{ScanOptions, scan_bytes};
use apkscope_facts::AppFacts;

use crate::corpus::{self, IndexRow};

/// What `aapt dump badging` says about identity.
#[derive(Debug, Default)]
struct Badging {
    package: Option<String>,
    version_code: Option<String>,
    version_name: Option<String>,
    min_sdk: Option<String>,
    target_sdk: Option<String>,
}

fn quoted_attr(line: &str, key: &str) -> Option<String> {
    let start = line.find(&format!(" {key}='")).or_else(|| {
        line.strip_prefix(&format!("package: {key}='"))
            .map(|_| "package:".len())
    })? + key.len()
        + 3;
    let rest = line.get(start..)?;
    Some(rest.get(..rest.find('\'')?)?.to_owned())
}

fn badging(text: &str) -> Badging {
    let mut b = Badging::default();
    for line in text.lines() {
        if line.starts_with("package:") {
            b.package = quoted_attr(line, "name");
            b.version_code = quoted_attr(line, "versionCode");
            b.version_name = quoted_attr(line, "versionName");
        } else if let Some(v) = line.strip_prefix("sdkVersion:'") {
            b.min_sdk = v.strip_suffix('\'').map(str::to_owned);
        } else if let Some(v) = line.strip_prefix("targetSdkVersion:'") {
            b.target_sdk = v.strip_suffix('\'').map(str::to_owned);
        }
    }
    b
}

/// Elements in `aapt dump xmltree` output: (depth, element name, android:name value).
fn xmltree_elements(text: &str) -> Vec<(usize, String, Option<String>)> {
    let mut out: Vec<(usize, String, Option<String>)> = Vec::new();
    for line in text.lines() {
        let depth = line.len() - line.trim_start().len();
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("E: ") {
            let name = rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned();
            out.push((depth, name, None));
        } else if let Some(at) = trimmed
            .find("(0x01010003)=\"")
            .filter(|_| trimmed.starts_with("A: "))
        {
            // A: android:name(0x01010003)="value" (Raw: "value"). The name is found by its
            // resource ID, as Android does: obfuscators (DexGuard) blank the name string, which
            // aapt then prints as `A: :(0x01010003)=...`.
            let rest = &trimmed[at..];
            if let (Some(last), Some(start)) = (out.last_mut(), rest.find("=\"")) {
                let value = &rest[start + 2..];
                if let Some(end) = value.find("\" (Raw")
                    && depth == last.0 + 2
                    && last.2.is_none()
                {
                    last.2 = Some(value[..end].to_owned());
                }
            }
        }
    }
    out
}

/// Requested permission names the manifest itself declares (aapt badging adds implied ones).
fn xmltree_permissions(elements: &[(usize, String, Option<String>)]) -> BTreeSet<String> {
    elements
        .iter()
        .filter(|(_, e, _)| e == "uses-permission" || e == "uses-permission-sdk-23")
        .filter_map(|(_, _, n)| n.clone())
        .collect()
}

const COMPONENT_KINDS: [&str; 5] = [
    "activity",
    "activity-alias",
    "service",
    "receiver",
    "provider",
];

fn qualify(package: &str, name: &str) -> String {
    if name.starts_with('.') {
        format!("{package}{name}")
    } else if !name.contains('.') {
        format!("{package}.{name}")
    } else {
        name.to_owned()
    }
}

fn xmltree_components(
    elements: &[(usize, String, Option<String>)],
    package: &str,
) -> BTreeSet<(String, String)> {
    elements
        .iter()
        .filter(|(_, e, _)| COMPONENT_KINDS.contains(&e.as_str()))
        .filter_map(|(_, e, n)| Some((e.clone(), qualify(package, n.as_deref()?))))
        .collect()
}

#[derive(Default)]
struct Tally {
    compared: usize,
    equal: usize,
    differences: Vec<String>,
}

impl Tally {
    #[allow(clippy::needless_pass_by_value)] // callers build the values for this comparison
    fn check<T: PartialEq + std::fmt::Debug>(
        &mut self,
        what: &str,
        path: &str,
        ours: T,
        theirs: T,
    ) {
        self.compared += 1;
        if ours == theirs {
            self.equal += 1;
        } else {
            self.differences.push(format!(
                "{path}: {what}: apkscope {ours:?} vs aapt {theirs:?}"
            ));
        }
    }

    fn report(&self, what: &str) {
        eprintln!("parity {what}: {}/{} identical", self.equal, self.compared);
    }
}

fn facts_for(shared: &std::path::Path, row: &IndexRow) -> Result<AppFacts, String> {
    let data = std::fs::read(shared.join("corpus").join(&row.path)).map_err(|e| e.to_string())?;
    scan_bytes(&data, &row.path, &ScanOptions::default()).map_err(|e| e.to_string())
}

fn num(v: Option<i64>) -> Option<String> {
    v.map(|v| v.to_string())
}

#[test]
#[allow(clippy::too_many_lines)] // one table of field comparisons, read top to bottom
fn manifest_identity_permissions_and_components_match_aapt() {
    let Some(shared) = corpus::shared_dir("aapt parity") else {
        return;
    };
    let rows = corpus::index(&shared);
    let mut identity = Tally::default();
    let mut permissions = Tally::default();
    let mut components = Tally::default();
    let mut unread_by_us = Vec::new();
    let mut read_by_us_not_aapt = Vec::new();

    for row in &rows {
        let ours = facts_for(&shared, row);
        if !row.read_by("aapt_badging") {
            if let Ok(facts) = &ours {
                read_by_us_not_aapt.push(format!("{} (package {:?})", row.path, facts.app.package));
            }
            continue;
        }
        let facts = match ours {
            Ok(facts) => facts,
            Err(err) => {
                unread_by_us.push(format!("{}: {err}", row.path));
                continue;
            }
        };
        let badging_text = corpus::oracle_stdout(&shared, "aapt_badging", &row.sha256).unwrap();
        let b = badging(&badging_text);
        let app = &facts.app;
        identity.check("package", &row.path, app.package.clone(), b.package.clone());
        // aapt prints versionCode='' when the attribute is absent.
        let version_code = b.version_code.clone().filter(|v| !v.is_empty());
        identity.check(
            "versionCode",
            &row.path,
            num(app.version_code),
            version_code,
        );
        // aapt prints versionName='' both for an empty and for an absent attribute.
        let version_name = app
            .version_name
            .clone()
            .or_else(|| b.version_name.as_ref().filter(|v| v.is_empty()).cloned());
        identity.check(
            "versionName",
            &row.path,
            version_name,
            b.version_name.clone(),
        );
        // aapt omits sdkVersion when minSdkVersion is absent (platform default 1), and prints
        // targetSdkVersion = minSdkVersion when targetSdkVersion is absent.
        // A preview codename stands where aapt prints it; Android reads it as 10000.
        let codename_or = |v: Option<i64>| {
            app.sdk_codename
                .clone()
                .filter(|_| v == Some(10_000))
                .or_else(|| num(v))
        };
        let min_sdk = codename_or(app.min_sdk);
        identity.check("minSdk", &row.path, min_sdk.clone(), b.min_sdk.clone());
        let target_sdk = codename_or(app.target_sdk)
            .or_else(|| min_sdk.clone().filter(|_| b.target_sdk.is_some()));
        identity.check("targetSdk", &row.path, target_sdk, b.target_sdk.clone());

        if row.read_by("aapt_xmltree") {
            let tree = corpus::oracle_stdout(&shared, "aapt_xmltree", &row.sha256).unwrap();
            let elements = xmltree_elements(&tree);
            let ours: BTreeSet<String> = facts
                .permissions
                .requested
                .iter()
                .map(|p| p.name.clone())
                .collect();
            permissions.check(
                "permissions",
                &row.path,
                ours,
                xmltree_permissions(&elements),
            );
            let package = app.package.clone().unwrap_or_default();
            let ours: BTreeSet<(String, String)> = facts
                .manifest
                .components
                .iter()
                .map(|c| (c.kind.clone(), c.name.clone()))
                .collect();
            components.check(
                "components",
                &row.path,
                ours,
                xmltree_components(&elements, &package),
            );
        }
    }

    identity.report("identity fields (package, versionCode, versionName, minSdk, targetSdk)");
    permissions.report("requested-permission sets");
    components.report("component sets");
    for path in &read_by_us_not_aapt {
        eprintln!("read by apkscope, not by aapt: {path}");
    }
    let differences: Vec<&String> = identity
        .differences
        .iter()
        .chain(&permissions.differences)
        .chain(&components.differences)
        .collect();
    assert!(
        unread_by_us.is_empty(),
        "aapt read these, apkscope did not: {unread_by_us:#?}"
    );
    assert!(
        differences.is_empty(),
        "{} differences: {differences:#?}",
        differences.len()
    );
}
