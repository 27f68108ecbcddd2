//! CI gating: `--fail-on SEVERITY` and `--baseline FILE` (written by `apkscope baseline`).
//!
//! A baseline lists, per package, the fingerprints of findings already known and accepted.
//! Fingerprints hash a finding's rule and evidence names (not offsets), so they survive
//! rebuilds; keying them by package keeps one app's accepted findings from hiding another's
//! in a batch.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write};
use std::path::Path;

use anyhow::Context as _;
use apkscope_facts::{AppFacts, Finding, ToolFacts};
use clap::ValueEnum;
use serde::{Deserialize, Serialize};

/// Finding severities, lowest first.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    fn of(finding: &Finding) -> Option<Self> {
        Self::from_str(&finding.severity, true).ok()
    }
}

/// The `kind` a baseline file carries, so a report passed by mistake is refused.
const BASELINE_KIND: &str = "apkscope-baseline";
/// Layout version of baseline files.
const BASELINE_VERSION: &str = "1";

/// A baseline file: accepted findings per package.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Baseline {
    kind: String,
    version: String,
    tool: ToolFacts,
    /// Package name (empty when the manifest names none) -> accepted findings.
    apps: BTreeMap<String, BTreeMap<String, BaselineEntry>>,
}

/// One accepted finding: its fingerprint is the key; rule and message help a reviewer.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct BaselineEntry {
    rule: String,
    message: String,
}

impl Baseline {
    pub(crate) fn new() -> Self {
        Self {
            kind: BASELINE_KIND.to_owned(),
            version: BASELINE_VERSION.to_owned(),
            tool: ToolFacts::default(),
            apps: BTreeMap::new(),
        }
    }

    pub(crate) fn load(path: &Path) -> anyhow::Result<Self> {
        let bytes = fs::read(path)
            .with_context(|| format!("cannot read the baseline {}", path.display()))?;
        let baseline: Self = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{} is not a baseline (write one with `apkscope baseline APP.apk > FILE`)",
                path.display()
            )
        })?;
        if baseline.kind != BASELINE_KIND {
            anyhow::bail!(
                "{} is not a baseline: its kind is `{}`, not `{BASELINE_KIND}`",
                path.display(),
                baseline.kind
            );
        }
        if baseline.version != BASELINE_VERSION {
            anyhow::bail!(
                "{}: baseline version {} is not supported (this apkscope reads {BASELINE_VERSION})",
                path.display(),
                baseline.version
            );
        }
        Ok(baseline)
    }

    /// Accepts every finding of `facts`.
    pub(crate) fn add(&mut self, facts: &AppFacts) {
        let app = self
            .apps
            .entry(facts.app.package.clone().unwrap_or_default())
            .or_default();
        for finding in &facts.findings {
            app.insert(
                finding.fingerprint.clone(),
                BaselineEntry {
                    rule: finding.rule.clone(),
                    message: finding.message.clone(),
                },
            );
        }
    }

    /// Removes the findings of `facts` the baseline accepts; returns how many.
    pub(crate) fn suppress(&self, facts: &mut AppFacts) -> usize {
        let Some(accepted) = self.apps.get(facts.app.package.as_deref().unwrap_or("")) else {
            return 0;
        };
        let before = facts.findings.len();
        facts
            .findings
            .retain(|f| !accepted.contains_key(&f.fingerprint));
        before.saturating_sub(facts.findings.len())
    }

    pub(crate) fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        out.write_all(b"\n")
    }

    /// Accepted findings over all packages.
    pub(crate) fn len(&self) -> usize {
        self.apps.values().map(BTreeMap::len).sum()
    }

    /// Packages with accepted findings.
    pub(crate) fn packages(&self) -> BTreeSet<&str> {
        self.apps.keys().map(String::as_str).collect()
    }
}

/// Findings at or above `threshold` (unknown severities count: a custom pack's typo must not
/// let a build pass).
pub(crate) fn count_at_or_above(facts: &AppFacts, threshold: Severity) -> usize {
    facts
        .findings
        .iter()
        .filter(|f| Severity::of(f).is_none_or(|s| s >= threshold))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use apkscope_facts::InputFacts;

    fn facts(package: &str, findings: &[(&str, &str)]) -> AppFacts {
        let mut facts = AppFacts::new(InputFacts::default());
        facts.app.package = Some(package.to_owned());
        facts.findings = findings
            .iter()
            .map(|(fingerprint, severity)| Finding {
                rule: "X001".into(),
                severity: (*severity).to_owned(),
                fingerprint: (*fingerprint).to_owned(),
                ..Finding::default()
            })
            .collect();
        facts
    }

    #[test]
    fn baseline_suppresses_only_its_package_fingerprints() {
        let mut baseline = Baseline::new();
        baseline.add(&facts("a", &[("f1", "high"), ("f2", "low")]));
        let mut same = facts("a", &[("f1", "high"), ("f3", "high")]);
        assert_eq!(baseline.suppress(&mut same), 1);
        assert_eq!(same.findings.len(), 1);
        assert_eq!(same.findings[0].fingerprint, "f3");
        let mut other = facts("b", &[("f1", "high")]);
        assert_eq!(baseline.suppress(&mut other), 0);
        assert_eq!(baseline.len(), 2);
    }

    #[test]
    fn baseline_round_trips_and_refuses_other_json() {
        let mut baseline = Baseline::new();
        baseline.add(&facts("a", &[("f1", "high")]));
        let mut bytes = Vec::new();
        baseline.write(&mut bytes).unwrap();
        let dir = std::env::temp_dir().join(format!("apkscope-gate-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("baseline.json");
        fs::write(&file, &bytes).unwrap();
        let loaded = Baseline::load(&file).unwrap();
        assert_eq!(loaded.len(), 1);
        fs::write(&file, br#"{"schema_version": "0.1"}"#).unwrap();
        let err = Baseline::load(&file).unwrap_err();
        assert!(format!("{err:#}").contains("not a baseline"), "{err:#}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn threshold_counts_at_or_above() {
        let f = facts(
            "a",
            &[
                ("1", "info"),
                ("2", "medium"),
                ("3", "critical"),
                ("4", "bogus"),
            ],
        );
        assert_eq!(count_at_or_above(&f, Severity::Info), 4);
        assert_eq!(count_at_or_above(&f, Severity::Medium), 3);
        assert_eq!(count_at_or_above(&f, Severity::High), 2);
    }
}
