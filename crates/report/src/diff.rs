//! What changed between two builds of an app: the re-test view of `apkscope diff`.
//!
//! When an app comes back after rectification, a testing agency compares the build it tested
//! with the new one: which third-party SDKs came and went, which permissions, which findings
//! are new, which were fixed and which are still there. [`Diff::new`] compares two
//! [`AppFacts`] (scanned or read back from reports) and nothing else: it is pure, and its
//! result serialises to the documented, deterministic JSON of `apkscope diff --format json`
//! (every list sorted, no timestamps). [`Diff::render_text`] and [`Diff::render_html`] show it
//! in English or Chinese.
//!
//! Matching:
//! - SDKs by rule-pack id. An SDK on both sides is *changed* when its name, vendor or version
//!   differs, or when the personal-information types or permissions its code reaches differ.
//!   Versions are compared only when both sides know one (an unknown version is not a change).
//!   An SDK's permissions are those the app requests that its code relies on, so they follow
//!   the manifest too: only permissions both builds request count as a change of the SDK (one
//!   the app stopped requesting is listed once, under permissions removed).
//! - Permissions requested by name.
//! - Findings by `fingerprint` (a hash of the check and the evidence's names, stable across
//!   rebuilds; personal-information findings are keyed by check, owner and PI type). A
//!   fingerprint on both sides is *still present*, or *severity changed* when its severity
//!   differs; the two lists are disjoint.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::io::{self, Write};

use apkscope_facts::{AppFacts, CheckFacts, Finding, PiTypeFacts, SdkFacts, ToolFacts};
use serde::{Deserialize, Serialize};

use crate::html::{CONTENT_SECURITY_POLICY, Esc, STYLE};
use crate::locale::{Lang, label, tr};

/// The `kind` of the diff JSON, which tells it apart from a scan report.
pub const DIFF_KIND: &str = "apkscope-diff";

/// Version of the diff JSON layout; bumped whenever a field is renamed or its meaning changes.
pub const DIFF_SCHEMA_VERSION: &str = "1";

/// Two builds compared: `apkscope diff --format json` writes this object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diff {
    /// Always [`DIFF_KIND`] (`apkscope-diff`).
    pub kind: String,
    /// Version of this layout ([`DIFF_SCHEMA_VERSION`]).
    pub schema_version: String,
    /// The tool that compared them.
    pub tool: ToolFacts,
    /// The build tested before.
    pub old: DiffSide,
    /// The build that came back.
    pub new: DiffSide,
    /// Counts of every list below, and what a reader must know before reading them.
    pub summary: DiffSummary,
    /// Third-party SDKs added, removed, changed and unchanged, each sorted by id.
    pub sdks: SdkChanges,
    /// Permissions requested added and removed, each sorted by name.
    pub permissions: PermissionChanges,
    /// Findings new, fixed, with a changed severity and still present, each sorted by severity
    /// (most severe first), then rule, message and fingerprint.
    pub findings: FindingChanges,
    /// Labels of the personal-information types the lists above name, sorted by id (the new
    /// side's labels where both sides have one).
    pub pi_types: Vec<PiTypeFacts>,
}

/// The identity of one side.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffSide {
    /// The input's path as the report records it (the path given to the scan).
    pub path: String,
    /// SHA-256 of the APK, lowercase hex.
    pub sha256: String,
    /// The manifest package.
    pub package: Option<String>,
    /// The application label.
    pub label: Option<String>,
    /// `android:versionName`.
    pub version_name: Option<String>,
    /// `android:versionCode`.
    pub version_code: Option<i64>,
    /// `android:versionCodeMajor`.
    pub version_code_major: Option<i64>,
    /// `targetSdkVersion`.
    pub target_sdk: Option<i64>,
    /// The apkscope version that produced the facts.
    pub tool_version: String,
    /// Hash of the rule pack that judged this side; null when none ran.
    pub rule_pack: Option<String>,
}

/// Counts, and the caveats that go with them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[allow(clippy::struct_excessive_bools)] // independent facts about the comparison
pub struct DiffSummary {
    /// Whether anything differs: an SDK added, removed or changed, a permission added or
    /// removed, a finding new, fixed or of a changed severity.
    pub changed: bool,
    /// Whether both sides name the same package (a diff of two different apps is allowed, but
    /// rarely what was meant).
    pub same_package: bool,
    /// Whether both sides were judged by the same rule pack; when not, a difference in SDKs or
    /// findings may come from the rules rather than from the app.
    pub same_rule_pack: bool,
    /// Whether both sides were judged by a rule pack at all (without one, SDKs and findings
    /// were not evaluated and cannot be compared).
    pub both_judged: bool,
    /// `sdks.added`.
    pub sdks_added: usize,
    /// `sdks.removed`.
    pub sdks_removed: usize,
    /// `sdks.changed`.
    pub sdks_changed: usize,
    /// `sdks.unchanged`.
    pub sdks_unchanged: usize,
    /// `permissions.added`.
    pub permissions_added: usize,
    /// `permissions.removed`.
    pub permissions_removed: usize,
    /// `findings.new`.
    pub findings_new: usize,
    /// `findings.fixed`.
    pub findings_fixed: usize,
    /// `findings.severity_changed`.
    pub findings_severity_changed: usize,
    /// `findings.still_present`.
    pub findings_still_present: usize,
}

/// SDKs by what happened to them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdkChanges {
    /// In the new build only.
    pub added: Vec<SdkEntry>,
    /// In the old build only.
    pub removed: Vec<SdkEntry>,
    /// In both, with a different name, vendor, version, or reach (as the new build has it).
    pub changed: Vec<SdkChange>,
    /// In both, alike (as the new build has it).
    pub unchanged: Vec<SdkEntry>,
}

/// An SDK as one side has it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdkEntry {
    /// Rule-pack id, e.g. `jpush`.
    pub id: String,
    /// Name, e.g. `JPush`.
    pub name: String,
    /// Chinese name, e.g. `极光推送`.
    pub name_zh: Option<String>,
    /// Who makes it.
    pub vendor: Option<String>,
    /// Category (`push`, `analytics` …).
    pub category: String,
    /// Its version, when the facts carry one.
    pub version: Option<String>,
    /// Personal-information types its code reaches, sorted.
    pub pi_types: Vec<String>,
    /// Requested permissions its code relies on, sorted.
    pub permissions: Vec<String>,
}

/// An SDK in both builds that differs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdkChange {
    /// The SDK as the new build has it.
    #[serde(flatten)]
    pub sdk: SdkEntry,
    /// Name, vendor or version changes, in that order.
    pub fields: Vec<FieldChange>,
    /// Personal-information types its code reaches now and did not before, sorted.
    pub pi_types_gained: Vec<String>,
    /// Personal-information types its code reached before and no longer does, sorted.
    pub pi_types_lost: Vec<String>,
    /// Permissions both builds request that its code relies on now and did not before, sorted
    /// (a permission only one build requests is in [`Diff::permissions`] instead).
    pub permissions_gained: Vec<String>,
    /// Permissions both builds request that its code relied on before and no longer does,
    /// sorted.
    pub permissions_lost: Vec<String>,
}

/// One field of an SDK that differs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// `name`, `vendor` or `version`.
    pub field: String,
    /// The old build's value.
    pub old: Option<String>,
    /// The new build's value.
    pub new: Option<String>,
}

/// Permissions requested, by what happened to them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionChanges {
    /// Requested by the new build only.
    pub added: Vec<PermissionEntry>,
    /// Requested by the old build only.
    pub removed: Vec<PermissionEntry>,
}

/// A requested permission.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionEntry {
    /// Permission name, e.g. `android.permission.READ_SMS`.
    pub name: String,
    /// `dangerous`, `signature` …; null for permissions the rule pack does not know.
    pub protection_level: Option<String>,
    /// TC260 permission group (`sms`, `location` …).
    pub group: Option<String>,
    /// Special-permission class (`overlay` …).
    pub special: Option<String>,
}

/// Findings, by what happened to them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingChanges {
    /// In the new build only.
    pub new: Vec<FindingEntry>,
    /// In the old build only: fixed (or no longer seen).
    pub fixed: Vec<FindingEntry>,
    /// In both, with a different severity (as the new build has it).
    pub severity_changed: Vec<SeverityChange>,
    /// In both, with the same severity (as the new build has it).
    pub still_present: Vec<FindingEntry>,
}

/// A finding as one side has it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingEntry {
    /// What matches it across builds.
    pub fingerprint: String,
    /// Check id, e.g. `API001`.
    pub rule: String,
    /// Check name, e.g. `sdk-collects-personal-information`.
    pub name: String,
    /// `info`, `low`, `medium`, `high` or `critical`.
    pub severity: String,
    /// The check's title.
    pub title: String,
    /// The check's title in Chinese, when the rule pack words it.
    pub title_zh: Option<String>,
    /// What was found, in one sentence.
    pub message: String,
    /// The same in Chinese, when the rule pack words it.
    pub message_zh: Option<String>,
    /// Whose code or declaration it is about: an SDK or library id, `app`, or a package.
    pub owner: Option<String>,
    /// The personal-information type, for findings about personal information.
    pub pi_type: Option<String>,
}

/// A finding in both builds whose severity differs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityChange {
    /// The old build's severity (`severity` is the new one).
    pub old_severity: String,
    /// The finding as the new build has it.
    #[serde(flatten)]
    pub finding: FindingEntry,
}

impl Diff {
    /// Compares the `old` build with the `new` one.
    pub fn new(old: &AppFacts, new: &AppFacts) -> Self {
        let permissions = compare_permissions(old, new);
        let sdks = compare_sdks(old, new, &permissions);
        let findings = compare_findings(old, new);
        let old_side = side(old);
        let new_side = side(new);
        let summary = DiffSummary {
            changed: !(sdks.added.is_empty()
                && sdks.removed.is_empty()
                && sdks.changed.is_empty()
                && permissions.added.is_empty()
                && permissions.removed.is_empty()
                && findings.new.is_empty()
                && findings.fixed.is_empty()
                && findings.severity_changed.is_empty()),
            same_package: old_side.package == new_side.package,
            same_rule_pack: old_side.rule_pack == new_side.rule_pack,
            both_judged: old_side.rule_pack.is_some() && new_side.rule_pack.is_some(),
            sdks_added: sdks.added.len(),
            sdks_removed: sdks.removed.len(),
            sdks_changed: sdks.changed.len(),
            sdks_unchanged: sdks.unchanged.len(),
            permissions_added: permissions.added.len(),
            permissions_removed: permissions.removed.len(),
            findings_new: findings.new.len(),
            findings_fixed: findings.fixed.len(),
            findings_severity_changed: findings.severity_changed.len(),
            findings_still_present: findings.still_present.len(),
        };
        let mut diff = Self {
            kind: DIFF_KIND.to_owned(),
            schema_version: DIFF_SCHEMA_VERSION.to_owned(),
            tool: ToolFacts::default(),
            old: old_side,
            new: new_side,
            summary,
            sdks,
            permissions,
            findings,
            pi_types: Vec::new(),
        };
        diff.pi_types = pi_type_labels(&diff, old, new);
        diff
    }

    /// Whether nothing differs (see [`DiffSummary::changed`]).
    pub fn is_empty(&self) -> bool {
        !self.summary.changed
    }

    /// Writes the diff as pretty-printed JSON followed by a newline.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        out.write_all(b"\n")
    }

    /// Writes the diff as text in `lang`.
    pub fn write_text(&self, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.render_text(lang).as_bytes())
    }

    /// Writes the diff as one self-contained HTML page in `lang`.
    pub fn write_html(&self, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.render_html(lang).as_bytes())
    }

    /// The one-line summary: counts of SDKs, permissions and findings by what happened.
    pub fn summary_line(&self, lang: Lang) -> String {
        let p = Punct::of(lang);
        let s = &self.summary;
        let sdks = [
            counted(lang, s.sdks_added, tr(lang, "added")),
            counted(lang, s.sdks_removed, tr(lang, "removed")),
            counted(lang, s.sdks_changed, tr(lang, "changed")),
            counted(lang, s.sdks_unchanged, tr(lang, "unchanged")),
        ];
        let permissions = [
            counted(lang, s.permissions_added, tr(lang, "added")),
            counted(lang, s.permissions_removed, tr(lang, "removed")),
        ];
        let findings = [
            counted(lang, s.findings_new, tr(lang, "new")),
            counted(lang, s.findings_fixed, tr(lang, "fixed")),
            counted(
                lang,
                s.findings_severity_changed,
                tr(lang, "severity changed"),
            ),
            counted(lang, s.findings_still_present, tr(lang, "still present")),
        ];
        format!(
            "{sdk}{colon}{}{semi}{perm}{colon}{}{semi}{find}{colon}{}",
            sdks.join(p.comma),
            permissions.join(p.comma),
            findings.join(p.comma),
            sdk = tr(lang, "SDKs"),
            perm = tr(lang, "permissions"),
            find = tr(lang, "findings"),
            colon = p.colon,
            semi = p.semicolon,
        )
    }

    /// The caveats a reader must know before reading the lists, in `lang`.
    pub fn notes(&self, lang: Lang) -> Vec<&'static str> {
        let mut notes = Vec::new();
        if !self.summary.same_package {
            notes.push(tr(
                lang,
                "The two builds name different packages: this compares two apps, not two builds of one.",
            ));
        }
        if !self.summary.both_judged {
            notes.push(tr(
                lang,
                "A side was scanned without a rule pack: its SDKs and findings were not evaluated, so they cannot be compared.",
            ));
        } else if !self.summary.same_rule_pack {
            notes.push(tr(
                lang,
                "The two sides were judged by different rule packs: a difference in SDKs or findings may come from the rules, not from the app.",
            ));
        }
        notes
    }

    /// Renders the diff as text in `lang`.
    pub fn render_text(&self, lang: Lang) -> String {
        // Writing to a String cannot fail.
        let mut s = String::new();
        let _ = self.text(&mut s, lang);
        s
    }

    fn text(&self, s: &mut String, lang: Lang) -> fmt::Result {
        let p = Punct::of(lang);
        writeln!(
            s,
            "{}{}{} → {}",
            tr(lang, "apkscope diff"),
            p.colon,
            side_name(&self.old),
            side_name(&self.new)
        )?;
        for (role, side) in [(tr(lang, "Old"), &self.old), (tr(lang, "New"), &self.new)] {
            writeln!(s, "{role}{}{}", p.colon, identity_line(side, lang))?;
            writeln!(s, "    {}", side.path)?;
            writeln!(s, "    sha256 {}", side.sha256)?;
        }
        writeln!(
            s,
            "\n{}{}{}",
            tr(lang, "Summary"),
            p.colon,
            self.summary_line(lang)
        )?;
        for note in self.notes(lang) {
            writeln!(s, "{}{}{note}", tr(lang, "Note"), p.colon)?;
        }
        if self.is_empty() {
            writeln!(
                s,
                "\n{}",
                tr(lang, "No changes: the same SDKs, permissions and findings.")
            )?;
        }
        self.text_sdks(s, lang)?;
        self.text_permissions(s, lang)?;
        self.text_findings(s, lang)
    }

    fn text_sdks(&self, s: &mut String, lang: Lang) -> fmt::Result {
        let p = Punct::of(lang);
        let sdks = &self.sdks;
        for (title, mark, list) in [
            (tr(lang, "SDKs added"), '+', &sdks.added),
            (tr(lang, "SDKs removed"), '-', &sdks.removed),
        ] {
            if list.is_empty() {
                continue;
            }
            heading(s, lang, title, list.len())?;
            for sdk in list {
                writeln!(s, "  {mark} {}", sdk_line(sdk, lang))?;
                self.sdk_reach(s, sdk, lang)?;
            }
        }
        if !sdks.changed.is_empty() {
            heading(s, lang, tr(lang, "SDKs changed"), sdks.changed.len())?;
            for change in &sdks.changed {
                writeln!(s, "  ~ {}", sdk_line(&change.sdk, lang))?;
                for field in &change.fields {
                    writeln!(
                        s,
                        "      {}{}{} → {}",
                        field_label(lang, &field.field),
                        p.colon,
                        field.old.as_deref().unwrap_or("-"),
                        field.new.as_deref().unwrap_or("-")
                    )?;
                }
                for (what, list) in [
                    (
                        tr(lang, "now reaches"),
                        self.pi_labels(&change.pi_types_gained, lang),
                    ),
                    (
                        tr(lang, "no longer reaches"),
                        self.pi_labels(&change.pi_types_lost, lang),
                    ),
                    (
                        tr(lang, "permissions gained"),
                        change.permissions_gained.clone(),
                    ),
                    (
                        tr(lang, "permissions lost"),
                        change.permissions_lost.clone(),
                    ),
                ] {
                    if !list.is_empty() {
                        writeln!(s, "      {what}{}{}", p.colon, list.join(p.comma))?;
                    }
                }
            }
        }
        if !sdks.unchanged.is_empty() {
            heading(s, lang, tr(lang, "SDKs unchanged"), sdks.unchanged.len())?;
            for sdk in &sdks.unchanged {
                writeln!(s, "  = {}", sdk_line(sdk, lang))?;
            }
        }
        Ok(())
    }

    fn text_permissions(&self, s: &mut String, lang: Lang) -> fmt::Result {
        for (title, mark, list) in [
            (tr(lang, "Permissions added"), '+', &self.permissions.added),
            (
                tr(lang, "Permissions removed"),
                '-',
                &self.permissions.removed,
            ),
        ] {
            if list.is_empty() {
                continue;
            }
            heading(s, lang, title, list.len())?;
            for permission in list {
                match permission_class(permission, lang) {
                    Some(class) => writeln!(s, "  {mark} {}  [{class}]", permission.name)?,
                    None => writeln!(s, "  {mark} {}", permission.name)?,
                }
            }
        }
        Ok(())
    }

    fn text_findings(&self, s: &mut String, lang: Lang) -> fmt::Result {
        let findings = &self.findings;
        for (title, mark, list) in [
            (tr(lang, "New findings"), '+', &findings.new),
            (tr(lang, "Fixed findings"), '-', &findings.fixed),
        ] {
            if list.is_empty() {
                continue;
            }
            heading(s, lang, title, list.len())?;
            for finding in list {
                finding_line(
                    s,
                    mark,
                    &severity_label(lang, &finding.severity),
                    finding,
                    lang,
                )?;
            }
        }
        if !findings.severity_changed.is_empty() {
            let title = tr(lang, "Findings whose severity changed");
            heading(s, lang, title, findings.severity_changed.len())?;
            for change in &findings.severity_changed {
                let severity = format!(
                    "{} → {}",
                    severity_label(lang, &change.old_severity),
                    severity_label(lang, &change.finding.severity)
                );
                finding_line(s, '~', &severity, &change.finding, lang)?;
            }
        }
        if !findings.still_present.is_empty() {
            let title = tr(lang, "Findings still present");
            heading(s, lang, title, findings.still_present.len())?;
            for finding in &findings.still_present {
                finding_line(
                    s,
                    '=',
                    &severity_label(lang, &finding.severity),
                    finding,
                    lang,
                )?;
            }
        }
        Ok(())
    }

    fn sdk_reach(&self, s: &mut String, sdk: &SdkEntry, lang: Lang) -> fmt::Result {
        let p = Punct::of(lang);
        if !sdk.pi_types.is_empty() {
            writeln!(
                s,
                "      {}{}{}",
                tr(lang, "reaches"),
                p.colon,
                self.pi_labels(&sdk.pi_types, lang).join(p.comma)
            )?;
        }
        if !sdk.permissions.is_empty() {
            writeln!(
                s,
                "      {}{}{}",
                tr(lang, "relies on"),
                p.colon,
                sdk.permissions.join(p.comma)
            )?;
        }
        Ok(())
    }

    /// The label of each PI type in `lang`, its id where the diff has no label for it.
    fn pi_labels(&self, ids: &[String], lang: Lang) -> Vec<String> {
        ids.iter()
            .map(|id| self.pi_label(id, lang).to_owned())
            .collect()
    }

    fn pi_label<'a>(&'a self, id: &'a str, lang: Lang) -> &'a str {
        self.pi_types
            .iter()
            .find(|t| t.id == id)
            .map_or(id, |t| lang.pick(&t.name, Some(&t.name_zh)))
    }

    /// Renders the diff as one self-contained HTML page in `lang`, in the style of the HTML
    /// report (its styles, its escaping, its Content-Security-Policy). The counts are repeated
    /// as `data-*` attributes of the `<section class="diff">` for tools and tests.
    pub fn render_html(&self, lang: Lang) -> String {
        let mut s = String::new();
        let _ = self.html(&mut s, lang);
        s
    }

    fn html(&self, s: &mut String, lang: Lang) -> fmt::Result {
        let title = format!(
            "{}{}{} → {}",
            tr(lang, "apkscope diff"),
            Punct::of(lang).colon,
            side_name(&self.old),
            side_name(&self.new)
        );
        writeln!(
            s,
            "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
             <meta name=\"referrer\" content=\"no-referrer\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"color-scheme\" content=\"light\">\n\
             <meta name=\"generator\" content=\"apkscope {v}\">\n\
             <title>{t}</title>\n<style>{STYLE}{DIFF_STYLE}</style>\n</head>\n<body>\n\
             <div class=\"page\">\n<header class=\"report-header\">\n<h1>{t}</h1>\n\
             <p class=\"muted\">{about}</p>\n</header>",
            code = lang.code(),
            t = Esc(&title),
            v = Esc(&self.tool.version),
            about = Esc(tr(
                lang,
                "What changed between two builds of an app: SDKs, permissions and findings, matched by SDK id, permission name and finding fingerprint."
            )),
        )?;
        let sm = &self.summary;
        writeln!(
            s,
            "<section class=\"app diff\" data-changed=\"{}\" data-same-package=\"{}\" \
             data-same-rule-pack=\"{}\" data-sdks-added=\"{}\" data-sdks-removed=\"{}\" \
             data-sdks-changed=\"{}\" data-sdks-unchanged=\"{}\" data-permissions-added=\"{}\" \
             data-permissions-removed=\"{}\" data-findings-new=\"{}\" data-findings-fixed=\"{}\" \
             data-findings-severity-changed=\"{}\" data-findings-still-present=\"{}\">",
            sm.changed,
            sm.same_package,
            sm.same_rule_pack,
            sm.sdks_added,
            sm.sdks_removed,
            sm.sdks_changed,
            sm.sdks_unchanged,
            sm.permissions_added,
            sm.permissions_removed,
            sm.findings_new,
            sm.findings_fixed,
            sm.findings_severity_changed,
            sm.findings_still_present,
        )?;
        self.html_identity(s, lang)?;
        self.html_summary(s, lang)?;
        self.html_sdks(s, lang)?;
        self.html_permissions(s, lang)?;
        self.html_findings(s, lang)?;
        writeln!(
            s,
            "</section>\n<footer class=\"report-footer\">\n<p>{} apkscope {}. {}</p>\n\
             </footer>\n</div>\n</body>\n</html>",
            Esc(tr(lang, "Generated by")),
            Esc(&self.tool.version),
            Esc(tr(
                lang,
                "This file is self-contained: it loads nothing from the network."
            )),
        )
    }

    fn html_identity(&self, s: &mut String, lang: Lang) -> fmt::Result {
        writeln!(
            s,
            "<table class=\"identity\">\n<thead><tr><th></th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
            Esc(tr(lang, "Old")),
            Esc(tr(lang, "New"))
        )?;
        let (old, new) = (&self.old, &self.new);
        let rows: [(&str, String, String); 8] = [
            (
                tr(lang, "Label"),
                opt(old.label.as_deref()),
                opt(new.label.as_deref()),
            ),
            (
                tr(lang, "Package"),
                opt(old.package.as_deref()),
                opt(new.package.as_deref()),
            ),
            (tr(lang, "Version"), version(old, lang), version(new, lang)),
            (
                tr(lang, "Target SDK"),
                opt_num(old.target_sdk),
                opt_num(new.target_sdk),
            ),
            (tr(lang, "Input"), old.path.clone(), new.path.clone()),
            (tr(lang, "SHA-256"), old.sha256.clone(), new.sha256.clone()),
            (
                tr(lang, "Rule pack"),
                opt(old.rule_pack.as_deref()),
                opt(new.rule_pack.as_deref()),
            ),
            (
                tr(lang, "apkscope version"),
                old.tool_version.clone(),
                new.tool_version.clone(),
            ),
        ];
        for (name, old, new) in rows {
            let class = if old == new { "" } else { " class=\"differs\"" };
            writeln!(
                s,
                "<tr{class}><th>{}</th><td><code>{}</code></td><td><code>{}</code></td></tr>",
                Esc(name),
                Esc(&old),
                Esc(&new)
            )?;
        }
        s.push_str("</tbody>\n</table>\n");
        Ok(())
    }

    fn html_summary(&self, s: &mut String, lang: Lang) -> fmt::Result {
        writeln!(
            s,
            "<p class=\"summary-line\"><strong>{}</strong></p>",
            Esc(&self.summary_line(lang))
        )?;
        for note in self.notes(lang) {
            writeln!(s, "<div class=\"note\">{}</div>", Esc(note))?;
        }
        if self.is_empty() {
            writeln!(
                s,
                "<div class=\"note same\">{}</div>",
                Esc(tr(
                    lang,
                    "No changes: the same SDKs, permissions and findings."
                ))
            )?;
        }
        let sm = &self.summary;
        s.push_str("<div class=\"summary\">\n");
        for (n, what, class) in [
            (sm.findings_new, tr(lang, "new findings"), "worse"),
            (sm.findings_fixed, tr(lang, "fixed findings"), "better"),
            (
                sm.findings_severity_changed,
                tr(lang, "findings whose severity changed"),
                "",
            ),
            (
                sm.findings_still_present,
                tr(lang, "findings still present"),
                "",
            ),
            (sm.sdks_added, tr(lang, "SDKs added"), "worse"),
            (sm.sdks_removed, tr(lang, "SDKs removed"), "better"),
            (sm.permissions_added, tr(lang, "permissions added"), "worse"),
            (
                sm.permissions_removed,
                tr(lang, "permissions removed"),
                "better",
            ),
        ] {
            let class = if n == 0 { "" } else { class };
            writeln!(
                s,
                "<div class=\"card {class}\"><div class=\"big\">{n}</div>\
                 <div class=\"label\">{}</div></div>",
                Esc(what)
            )?;
        }
        s.push_str("</div>\n");
        Ok(())
    }

    fn html_sdks(&self, s: &mut String, lang: Lang) -> fmt::Result {
        let sdks = &self.sdks;
        writeln!(
            s,
            "<h3 id=\"sdks\">{}</h3>",
            Esc(tr(lang, "Third-party SDKs"))
        )?;
        if sdks.added.is_empty()
            && sdks.removed.is_empty()
            && sdks.changed.is_empty()
            && sdks.unchanged.is_empty()
        {
            writeln!(
                s,
                "<p class=\"muted\">{}</p>",
                Esc(tr(lang, "None on either side."))
            )?;
            return Ok(());
        }
        writeln!(
            s,
            "<table class=\"diff-sdks\">\n<thead><tr><th>{}</th><th>SDK</th><th>{}</th>\
             <th>{}</th><th>{}</th></tr></thead>\n<tbody>",
            Esc(tr(lang, "Change")),
            Esc(tr(lang, "Vendor")),
            Esc(tr(lang, "Personal information")),
            Esc(tr(lang, "Permissions")),
        )?;
        let rows = sdks
            .added
            .iter()
            .map(|sdk| ("added", tr(lang, "added"), sdk, None))
            .chain(
                sdks.removed
                    .iter()
                    .map(|sdk| ("removed", tr(lang, "removed"), sdk, None)),
            )
            .chain(
                sdks.changed
                    .iter()
                    .map(|c| ("changed", tr(lang, "changed"), &c.sdk, Some(c))),
            )
            .chain(
                sdks.unchanged
                    .iter()
                    .map(|sdk| ("unchanged", tr(lang, "unchanged"), sdk, None)),
            );
        for (class, change_label, sdk, change) in rows {
            write!(
                s,
                "<tr class=\"{class}\" data-sdk=\"{id}\"><td><span class=\"change {class}\">{}\
                 </span></td><td><strong>{}</strong> <code>{id}</code><br>\
                 <span class=\"small muted\">{}",
                Esc(change_label),
                Esc(lang.pick(&sdk.name, sdk.name_zh.as_deref())),
                Esc(label(lang, "category", &sdk.category)),
                id = Esc(&sdk.id),
            )?;
            if let Some(version) = &sdk.version {
                write!(s, " · {} {}", Esc(tr(lang, "version")), Esc(version))?;
            }
            s.push_str("</span>");
            if let Some(change) = change {
                for field in &change.fields {
                    write!(
                        s,
                        "<div class=\"small\">{}: <del>{}</del> → <ins>{}</ins></div>",
                        Esc(field_label(lang, &field.field)),
                        Esc(field.old.as_deref().unwrap_or("—")),
                        Esc(field.new.as_deref().unwrap_or("—"))
                    )?;
                }
            }
            write!(
                s,
                "</td><td>{}</td><td>",
                Esc(sdk.vendor.as_deref().unwrap_or("—"))
            )?;
            let no_change: Vec<String> = Vec::new();
            let (pi_gained, pi_lost, gained, lost) =
                change.map_or((Vec::new(), Vec::new(), &no_change, &no_change), |c| {
                    (
                        self.pi_labels(&c.pi_types_gained, lang),
                        self.pi_labels(&c.pi_types_lost, lang),
                        &c.permissions_gained,
                        &c.permissions_lost,
                    )
                });
            gained_lost(
                s,
                &self.pi_labels(&sdk.pi_types, lang),
                &pi_gained,
                &pi_lost,
            )?;
            s.push_str("</td><td>");
            gained_lost(s, &sdk.permissions, gained, lost)?;
            s.push_str("</td></tr>\n");
        }
        s.push_str("</tbody>\n</table>\n");
        Ok(())
    }

    fn html_permissions(&self, s: &mut String, lang: Lang) -> fmt::Result {
        let permissions = &self.permissions;
        writeln!(
            s,
            "<h3 id=\"permissions\">{}</h3>",
            Esc(tr(lang, "Permissions requested"))
        )?;
        if permissions.added.is_empty() && permissions.removed.is_empty() {
            writeln!(s, "<p class=\"muted\">{}</p>", Esc(tr(lang, "No change.")))?;
            return Ok(());
        }
        writeln!(
            s,
            "<table class=\"diff-permissions\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th>\
             </tr></thead>\n<tbody>",
            Esc(tr(lang, "Change")),
            Esc(tr(lang, "Permission")),
            Esc(tr(lang, "Group")),
        )?;
        let rows = permissions
            .added
            .iter()
            .map(|p| ("added", tr(lang, "added"), p))
            .chain(
                permissions
                    .removed
                    .iter()
                    .map(|p| ("removed", tr(lang, "removed"), p)),
            );
        for (class, change, permission) in rows {
            writeln!(
                s,
                "<tr class=\"{class}\"><td><span class=\"change {class}\">{}</span></td>\
                 <td><code>{}</code></td><td>{}</td></tr>",
                Esc(change),
                Esc(&permission.name),
                Esc(permission_class(permission, lang).unwrap_or_default()),
            )?;
        }
        s.push_str("</tbody>\n</table>\n");
        Ok(())
    }

    fn html_findings(&self, s: &mut String, lang: Lang) -> fmt::Result {
        let findings = &self.findings;
        writeln!(s, "<h3 id=\"findings\">{}</h3>", Esc(tr(lang, "Findings")))?;
        if findings.new.is_empty()
            && findings.fixed.is_empty()
            && findings.severity_changed.is_empty()
            && findings.still_present.is_empty()
        {
            writeln!(
                s,
                "<p class=\"muted\">{}</p>",
                Esc(tr(lang, "None on either side."))
            )?;
            return Ok(());
        }
        let groups: [(&str, &str, Vec<Row<'_>>); 4] = [
            (
                "new",
                tr(lang, "New findings"),
                findings.new.iter().map(|f| (None, f)).collect(),
            ),
            (
                "fixed",
                tr(lang, "Fixed findings"),
                findings.fixed.iter().map(|f| (None, f)).collect(),
            ),
            (
                "severity-changed",
                tr(lang, "Findings whose severity changed"),
                findings
                    .severity_changed
                    .iter()
                    .map(|c| (Some(c.old_severity.as_str()), &c.finding))
                    .collect(),
            ),
            (
                "still-present",
                tr(lang, "Findings still present"),
                findings.still_present.iter().map(|f| (None, f)).collect(),
            ),
        ];
        for (class, heading, list) in groups {
            if list.is_empty() {
                continue;
            }
            writeln!(
                s,
                "<h4>{} ({})</h4>\n<table class=\"diff-findings\" data-change=\"{class}\">\n\
                 <thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
                Esc(heading),
                list.len(),
                Esc(tr(lang, "Severity")),
                Esc(tr(lang, "Rule")),
                Esc(tr(lang, "Finding")),
            )?;
            for (old_severity, finding) in list {
                s.push_str("<tr><td>");
                if let Some(old) = old_severity {
                    write!(
                        s,
                        "<span class=\"sev sev-{}\">{}</span> → ",
                        severity_class(old),
                        Esc(&severity_label(lang, old))
                    )?;
                }
                write!(
                    s,
                    "<span class=\"sev sev-{}\">{}</span></td><td><strong>{}</strong><br>\
                     <span class=\"small muted\">{}</span></td><td><strong>{}</strong><br>{}\
                     <div class=\"small muted\">{} {}</div></td></tr>",
                    severity_class(&finding.severity),
                    Esc(&severity_label(lang, &finding.severity)),
                    Esc(&finding.rule),
                    Esc(&finding.name),
                    Esc(lang.pick(&finding.title, finding.title_zh.as_deref())),
                    Esc(lang.pick(&finding.message, finding.message_zh.as_deref())),
                    Esc(tr(lang, "fingerprint")),
                    Esc(&finding.fingerprint),
                )?;
                s.push('\n');
            }
            s.push_str("</tbody>\n</table>\n");
        }
        Ok(())
    }
}

/// A row of a findings table: the old severity (for a change of severity) and the finding.
type Row<'a> = (Option<&'a str>, &'a FindingEntry);

/// Styles the diff adds to the HTML report's.
const DIFF_STYLE: &str = r"
table.identity th:first-child{width:160px}
table.identity tr.differs td{background:#fff8c5}
.summary-line{margin:14px 0 6px}
.card.worse .big{color:var(--high)}
.card.better .big{color:#1a7f37}
.note.same{border-left-color:#1a7f37;background:#dafbe1}
.change{display:inline-block;white-space:nowrap;min-width:72px;padding:0 6px;border-radius:4px;font-size:12px;
font-weight:700;text-align:center;border:1px solid currentColor}
.change.added{color:var(--high)}.change.removed{color:#1a7f37}
.change.changed{color:var(--medium)}.change.unchanged{color:var(--muted)}
ins.chip{text-decoration:none;background:#ffebe9}
del.chip{background:#dafbe1}
table.diff-findings td:first-child{width:170px;white-space:nowrap}
table.diff-findings td:nth-child(2){width:260px}
table.diff-sdks td:first-child,table.diff-permissions td:first-child{width:100px}
table.diff-sdks td:nth-child(2){width:22%}
table.diff-sdks td:nth-child(3){width:14%}
";

/// Punctuation of running text: ASCII in English, full-width in Chinese.
struct Punct {
    colon: &'static str,
    comma: &'static str,
    semicolon: &'static str,
    open: &'static str,
    close: &'static str,
}

impl Punct {
    const fn of(lang: Lang) -> Self {
        match lang {
            Lang::En => Self {
                colon: ": ",
                comma: ", ",
                semicolon: "; ",
                open: " (",
                close: ")",
            },
            Lang::Zh => Self {
                colon: "：",
                comma: "，",
                semicolon: "；",
                open: "（",
                close: "）",
            },
        }
    }
}

/// `jpush  JPush (Aurora Mobile, push, version 5.0)`.
fn sdk_line(sdk: &SdkEntry, lang: Lang) -> String {
    let p = Punct::of(lang);
    let mut line = format!(
        "{}  {}",
        sdk.id,
        lang.pick(&sdk.name, sdk.name_zh.as_deref())
    );
    let mut about = Vec::new();
    if let Some(vendor) = &sdk.vendor {
        about.push(vendor.clone());
    }
    about.push(label(lang, "category", &sdk.category).to_owned());
    if let Some(version) = &sdk.version {
        about.push(format!("{} {version}", tr(lang, "version")));
    }
    let _ = write!(line, "{}{}{}", p.open, about.join(p.comma), p.close);
    line
}

/// The items a side has as chips, those it gained marked inserted, then those it lost marked
/// deleted.
fn gained_lost(
    s: &mut String,
    current: &[String],
    gained: &[String],
    lost: &[String],
) -> fmt::Result {
    for item in current {
        if gained.contains(item) {
            write!(s, "<ins class=\"chip\">+ {}</ins> ", Esc(item))?;
        } else {
            write!(s, "<span class=\"chip\">{}</span> ", Esc(item))?;
        }
    }
    for item in lost {
        write!(s, "<del class=\"chip\">− {}</del> ", Esc(item))?;
    }
    Ok(())
}

/// A section's heading: `SDKs added (2)`.
fn heading(s: &mut String, lang: Lang, title: &str, n: usize) -> fmt::Result {
    let p = Punct::of(lang);
    writeln!(s, "\n{title}{}{n}{}", p.open, p.close)
}

/// `3 added` in English, `新增 3` in Chinese.
fn counted(lang: Lang, n: usize, word: &str) -> String {
    match lang {
        Lang::En => format!("{n} {word}"),
        Lang::Zh => format!("{word} {n}"),
    }
}

/// A severity's label in `lang`; an unknown severity as written.
fn severity_label(lang: Lang, severity: &str) -> String {
    label(lang, "severity", severity).to_owned()
}

/// The CSS class suffix of a severity (`sev-high`); `other` for one the report does not know.
fn severity_class(severity: &str) -> &'static str {
    match severity {
        "critical" => "critical",
        "high" => "high",
        "medium" => "medium",
        "low" => "low",
        "info" => "info",
        _ => "other",
    }
}

fn field_label(lang: Lang, field: &str) -> &'static str {
    match field {
        "name" => tr(lang, "name"),
        "vendor" => tr(lang, "vendor"),
        _ => tr(lang, "version"),
    }
}

/// The permission's TC260 group or special class, labelled in `lang`.
fn permission_class(permission: &PermissionEntry, lang: Lang) -> Option<&str> {
    permission
        .group
        .as_deref()
        .map(|g| label(lang, "group", g))
        .or_else(|| {
            permission
                .special
                .as_deref()
                .map(|s| label(lang, "special", s))
        })
}

fn finding_line(
    s: &mut String,
    mark: char,
    severity: &str,
    finding: &FindingEntry,
    lang: Lang,
) -> fmt::Result {
    writeln!(
        s,
        "  {mark} {severity:<8} {:<8} {}",
        finding.rule,
        lang.pick(&finding.message, finding.message_zh.as_deref())
    )
}

/// The name a reader knows a side by: its package, else its file.
fn side_name(side: &DiffSide) -> &str {
    side.package.as_deref().unwrap_or(&side.path)
}

/// `Apkscope Demo (com.example.apkscope.demo) 1.2.0 (code 7), target SDK 30`.
fn identity_line(side: &DiffSide, lang: Lang) -> String {
    let p = Punct::of(lang);
    let mut line = String::new();
    if let Some(label) = &side.label {
        line.push_str(label);
    }
    let package = side.package.as_deref().unwrap_or("-");
    let _ = write!(
        line,
        "{}{package}{} {}",
        p.open,
        p.close,
        version(side, lang)
    );
    if let Some(target) = side.target_sdk {
        let _ = write!(line, "{}{} {target}", p.comma, tr(lang, "target SDK"));
    }
    line.trim_start().to_owned()
}

/// `1.2.0 (code 7)`, `1.2.0 (code 7, major 1)`.
fn version(side: &DiffSide, lang: Lang) -> String {
    let p = Punct::of(lang);
    let mut version = side.version_name.clone().unwrap_or_else(|| "-".to_owned());
    if let Some(code) = side.version_code {
        let _ = write!(version, "{}{} {code}", p.open, tr(lang, "code"));
        if let Some(major) = side.version_code_major {
            let _ = write!(version, "{}major {major}", p.comma);
        }
        version.push_str(p.close);
    }
    version
}

fn opt(value: Option<&str>) -> String {
    value.unwrap_or("—").to_owned()
}

fn opt_num(value: Option<i64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| v.to_string())
}

fn side(facts: &AppFacts) -> DiffSide {
    let app = &facts.app;
    DiffSide {
        path: facts.input.path.clone(),
        sha256: facts.input.sha256.clone(),
        package: app.package.clone(),
        label: app.label.clone(),
        version_name: app.version_name.clone(),
        version_code: app.version_code,
        version_code_major: app.version_code_major,
        target_sdk: app.target_sdk,
        tool_version: facts.tool.version.clone(),
        rule_pack: facts.rule_pack.as_ref().map(|pack| pack.hash.clone()),
    }
}

/// The SDK's version, when the facts carry one.
///
/// `SdkFacts` of report schema 0.2 has no version. Rather than name a field that does not
/// exist, the diff reads the `version` member of the SDK's serialised form: it is absent today,
/// and compared as soon as the facts carry it (as a string or a number), with no change here.
fn sdk_version(sdk: &SdkFacts) -> Option<String> {
    match serde_json::to_value(sdk).ok()?.get("version")? {
        serde_json::Value::String(v) if !v.trim().is_empty() => Some(v.clone()),
        serde_json::Value::Number(v) => Some(v.to_string()),
        _ => None,
    }
}

fn sdk_entry(sdk: &SdkFacts) -> SdkEntry {
    SdkEntry {
        id: sdk.id.clone(),
        name: sdk.name.clone(),
        name_zh: sdk.name_zh.clone(),
        vendor: sdk.vendor.clone(),
        category: sdk.category.clone(),
        version: sdk_version(sdk),
        pi_types: sorted(&sdk.pi_types),
        permissions: sorted(&sdk.permissions),
    }
}

fn sorted(items: &[String]) -> Vec<String> {
    items
        .iter()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Items of `a` not in `b`, sorted (both are sorted and deduplicated).
fn minus(a: &[String], b: &[String]) -> Vec<String> {
    a.iter()
        .filter(|x| b.binary_search(x).is_err())
        .cloned()
        .collect()
}

/// Compares SDKs by id. An SDK's `permissions` are the requested permissions its code relies
/// on, so they follow the manifest too: a permission the app stopped (or started) requesting is
/// in `permissions` of the diff, and not counted again as a change of every SDK that needs it.
fn compare_sdks(old: &AppFacts, new: &AppFacts, permissions: &PermissionChanges) -> SdkChanges {
    // The first of an id wins, should a report list one twice.
    let mut old_by_id: BTreeMap<&str, SdkEntry> = BTreeMap::new();
    for sdk in &old.sdks {
        old_by_id.entry(&sdk.id).or_insert_with(|| sdk_entry(sdk));
    }
    let mut new_by_id: BTreeMap<&str, SdkEntry> = BTreeMap::new();
    for sdk in &new.sdks {
        new_by_id.entry(&sdk.id).or_insert_with(|| sdk_entry(sdk));
    }
    let in_one_build: BTreeSet<&str> = permissions
        .added
        .iter()
        .chain(&permissions.removed)
        .map(|p| p.name.as_str())
        .collect();
    let code_change = |a: &[String], b: &[String]| {
        let mut list = minus(a, b);
        list.retain(|p| !in_one_build.contains(p.as_str()));
        list
    };
    let mut changes = SdkChanges::default();
    for (id, old_sdk) in &old_by_id {
        if !new_by_id.contains_key(id) {
            changes.removed.push(old_sdk.clone());
        }
    }
    for (id, new_sdk) in new_by_id {
        let Some(old_sdk) = old_by_id.get(id) else {
            changes.added.push(new_sdk);
            continue;
        };
        let mut fields = Vec::new();
        if old_sdk.name != new_sdk.name {
            fields.push(FieldChange {
                field: "name".to_owned(),
                old: Some(old_sdk.name.clone()),
                new: Some(new_sdk.name.clone()),
            });
        }
        if old_sdk.vendor != new_sdk.vendor {
            fields.push(FieldChange {
                field: "vendor".to_owned(),
                old: old_sdk.vendor.clone(),
                new: new_sdk.vendor.clone(),
            });
        }
        // An unknown version on one side says what the scan could see, not what the app has.
        if let (Some(old_version), Some(new_version)) = (&old_sdk.version, &new_sdk.version)
            && old_version != new_version
        {
            fields.push(FieldChange {
                field: "version".to_owned(),
                old: Some(old_version.clone()),
                new: Some(new_version.clone()),
            });
        }
        let change = SdkChange {
            fields,
            pi_types_gained: minus(&new_sdk.pi_types, &old_sdk.pi_types),
            pi_types_lost: minus(&old_sdk.pi_types, &new_sdk.pi_types),
            permissions_gained: code_change(&new_sdk.permissions, &old_sdk.permissions),
            permissions_lost: code_change(&old_sdk.permissions, &new_sdk.permissions),
            sdk: new_sdk,
        };
        if change.fields.is_empty()
            && change.pi_types_gained.is_empty()
            && change.pi_types_lost.is_empty()
            && change.permissions_gained.is_empty()
            && change.permissions_lost.is_empty()
        {
            changes.unchanged.push(change.sdk);
        } else {
            changes.changed.push(change);
        }
    }
    changes
}

fn compare_permissions(old: &AppFacts, new: &AppFacts) -> PermissionChanges {
    let by_name = |facts: &AppFacts| {
        let mut map = BTreeMap::new();
        for p in &facts.permissions.requested {
            map.entry(p.name.clone())
                .or_insert_with(|| PermissionEntry {
                    name: p.name.clone(),
                    protection_level: p.protection_level.clone(),
                    group: p.group.clone(),
                    special: p.special.clone(),
                });
        }
        map
    };
    let old = by_name(old);
    let new = by_name(new);
    PermissionChanges {
        added: new
            .iter()
            .filter(|(name, _)| !old.contains_key(*name))
            .map(|(_, p)| p.clone())
            .collect(),
        removed: old
            .iter()
            .filter(|(name, _)| !new.contains_key(*name))
            .map(|(_, p)| p.clone())
            .collect(),
    }
}

/// Ranks severities for sorting: most severe highest, unknown lowest.
fn rank(severity: &str) -> u8 {
    match severity {
        "critical" => 5,
        "high" => 4,
        "medium" => 3,
        "low" => 2,
        "info" => 1,
        _ => 0,
    }
}

fn finding_entry(finding: &Finding, checks: &[CheckFacts]) -> FindingEntry {
    FindingEntry {
        fingerprint: finding.fingerprint.clone(),
        rule: finding.rule.clone(),
        name: finding.name.clone(),
        severity: finding.severity.clone(),
        title: finding.title.clone(),
        title_zh: checks
            .iter()
            .find(|c| c.id == finding.rule)
            .and_then(|c| c.zh.as_ref())
            .map(|zh| zh.title.clone()),
        message: finding.message.clone(),
        message_zh: finding.message_zh.clone(),
        owner: finding.owner.as_ref().map(|o| o.id.clone()),
        pi_type: finding.pi_type.clone(),
    }
}

fn finding_order(f: &FindingEntry) -> (Reverse<u8>, &str, &str, &str) {
    (
        Reverse(rank(&f.severity)),
        &f.rule,
        &f.message,
        &f.fingerprint,
    )
}

fn compare_findings(old: &AppFacts, new: &AppFacts) -> FindingChanges {
    // Fingerprints are unique within a report; should one repeat, its copies pair up in order
    // and the extra ones are new or fixed.
    let mut by_fingerprint: BTreeMap<&str, (Vec<&Finding>, Vec<&Finding>)> = BTreeMap::new();
    for f in &old.findings {
        by_fingerprint.entry(&f.fingerprint).or_default().0.push(f);
    }
    for f in &new.findings {
        by_fingerprint.entry(&f.fingerprint).or_default().1.push(f);
    }
    let mut changes = FindingChanges::default();
    for (olds, news) in by_fingerprint.values() {
        let mut olds = olds.iter();
        let mut news = news.iter();
        loop {
            match (olds.next(), news.next()) {
                (Some(o), Some(n)) => {
                    let entry = finding_entry(n, &new.checks);
                    if o.severity == n.severity {
                        changes.still_present.push(entry);
                    } else {
                        changes.severity_changed.push(SeverityChange {
                            old_severity: o.severity.clone(),
                            finding: entry,
                        });
                    }
                }
                (Some(o), None) => changes.fixed.push(finding_entry(o, &old.checks)),
                (None, Some(n)) => changes.new.push(finding_entry(n, &new.checks)),
                (None, None) => break,
            }
        }
    }
    changes
        .new
        .sort_by(|a, b| finding_order(a).cmp(&finding_order(b)));
    changes
        .fixed
        .sort_by(|a, b| finding_order(a).cmp(&finding_order(b)));
    changes
        .still_present
        .sort_by(|a, b| finding_order(a).cmp(&finding_order(b)));
    changes
        .severity_changed
        .sort_by(|a, b| finding_order(&a.finding).cmp(&finding_order(&b.finding)));
    changes
}

/// The labels of every PI type the diff names: the new side's where both have one.
fn pi_type_labels(diff: &Diff, old: &AppFacts, new: &AppFacts) -> Vec<PiTypeFacts> {
    let mut named: BTreeSet<&str> = BTreeSet::new();
    let sdks = &diff.sdks;
    for sdk in sdks
        .added
        .iter()
        .chain(&sdks.removed)
        .chain(&sdks.unchanged)
    {
        named.extend(sdk.pi_types.iter().map(String::as_str));
    }
    for change in &sdks.changed {
        named.extend(change.sdk.pi_types.iter().map(String::as_str));
        named.extend(change.pi_types_lost.iter().map(String::as_str));
    }
    let f = &diff.findings;
    for finding in f
        .new
        .iter()
        .chain(&f.fixed)
        .chain(&f.still_present)
        .chain(f.severity_changed.iter().map(|c| &c.finding))
    {
        named.extend(finding.pi_type.as_deref());
    }
    let mut labels: BTreeMap<&str, &PiTypeFacts> = BTreeMap::new();
    for t in old.pi_types.iter().chain(&new.pi_types) {
        if named.contains(t.id.as_str()) {
            labels.insert(&t.id, t);
        }
    }
    labels.into_values().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use apkscope_facts::{InputFacts, OwnerFacts, RequestedPermission, RulePackFacts};

    fn app(package: &str, sha: &str) -> AppFacts {
        let mut facts = AppFacts::new(InputFacts {
            path: format!("{package}.apk"),
            sha256: sha.into(),
            size: 1,
        });
        facts.app.package = Some(package.into());
        facts.app.version_name = Some("1.0".into());
        facts.app.version_code = Some(1);
        facts.rule_pack = Some(RulePackFacts {
            hash: "pack".into(),
            ..RulePackFacts::default()
        });
        facts
    }

    fn sdk(id: &str, pi_types: &[&str], permissions: &[&str]) -> SdkFacts {
        SdkFacts {
            id: id.into(),
            name: id.to_uppercase(),
            name_zh: Some(format!("{id}中文")),
            vendor: Some("Vendor".into()),
            category: "push".into(),
            pi_types: pi_types.iter().map(|s| (*s).to_owned()).collect(),
            permissions: permissions.iter().map(|s| (*s).to_owned()).collect(),
            ..SdkFacts::default()
        }
    }

    fn finding(rule: &str, severity: &str, fingerprint: &str) -> Finding {
        Finding {
            rule: rule.into(),
            name: "a-check".into(),
            severity: severity.into(),
            title: format!("{rule} title"),
            message: format!("{rule} found {fingerprint}"),
            message_zh: Some(format!("{rule} 发现 {fingerprint}")),
            fingerprint: fingerprint.into(),
            owner: Some(OwnerFacts {
                kind: "sdk".into(),
                id: "jpush".into(),
                name: None,
            }),
            pi_type: Some("imei".into()),
            ..Finding::default()
        }
    }

    fn permission(name: &str, group: Option<&str>) -> RequestedPermission {
        RequestedPermission {
            name: name.into(),
            element: "uses-permission".into(),
            group: group.map(str::to_owned),
            ..RequestedPermission::default()
        }
    }

    /// The build tested before: jpush and jcore, two permissions, three findings.
    fn before() -> AppFacts {
        let mut facts = app("com.example", "aa");
        facts.sdks = vec![
            sdk("jcore", &["android-id"], &[]),
            sdk("jpush", &["imei"], &["android.permission.READ_PHONE_STATE"]),
            sdk(
                "umeng",
                &["imei", "mac"],
                &[
                    "android.permission.CAMERA",
                    "android.permission.READ_PHONE_STATE",
                ],
            ),
        ];
        facts.permissions.requested = vec![
            permission("android.permission.READ_PHONE_STATE", Some("phone")),
            permission("android.permission.CAMERA", Some("camera")),
            // Listed twice (uses-permission-sdk-23 too): one permission.
            permission("android.permission.CAMERA", Some("camera")),
        ];
        facts.findings = vec![
            finding("API001", "high", "f-imei"),
            finding("PERM001", "medium", "f-phone"),
            finding("MAN001", "low", "f-backup"),
            finding("API002", "low", "f-upgraded"),
        ];
        facts.pi_types = vec![PiTypeFacts {
            id: "imei".into(),
            name: "IMEI".into(),
            name_zh: "设备识别码".into(),
            class: "unchangeable-identifier".into(),
            sensitive: true,
        }];
        facts
    }

    /// The build that came back: jpush gone, janalytics added, umeng reaches less.
    fn after() -> AppFacts {
        let mut facts = app("com.example", "bb");
        facts.app.version_name = Some("1.1".into());
        facts.app.version_code = Some(2);
        facts.sdks = vec![
            sdk("janalytics", &["android-id"], &[]),
            sdk("jcore", &["android-id"], &[]),
            sdk("umeng", &["mac", "oaid"], &[]),
        ];
        facts.permissions.requested = vec![
            permission("android.permission.CAMERA", Some("camera")),
            permission("android.permission.READ_SMS", Some("sms")),
        ];
        facts.findings = vec![
            finding("API002", "high", "f-upgraded"),
            finding("MAN001", "low", "f-backup"),
            finding("SMS001", "critical", "f-sms"),
        ];
        facts
    }

    #[test]
    fn a_build_against_itself_is_empty() {
        let diff = Diff::new(&before(), &before());
        assert!(diff.is_empty());
        assert!(diff.sdks.added.is_empty() && diff.sdks.removed.is_empty());
        assert!(diff.sdks.changed.is_empty());
        assert_eq!(diff.sdks.unchanged.len(), 3);
        assert!(diff.permissions.added.is_empty() && diff.permissions.removed.is_empty());
        assert!(diff.findings.new.is_empty() && diff.findings.fixed.is_empty());
        assert_eq!(diff.findings.still_present.len(), 4);
        assert!(diff.summary.same_package && diff.summary.same_rule_pack);
        let text = diff.render_text(Lang::En);
        assert!(text.contains("No changes"), "{text}");
    }

    #[test]
    fn sdks_are_added_removed_changed_and_unchanged() {
        let diff = Diff::new(&before(), &after());
        let ids = |list: &[SdkEntry]| list.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&diff.sdks.added), ["janalytics"]);
        assert_eq!(ids(&diff.sdks.removed), ["jpush"]);
        assert_eq!(ids(&diff.sdks.unchanged), ["jcore"]);
        let [umeng] = diff.sdks.changed.as_slice() else {
            panic!("{:?}", diff.sdks.changed)
        };
        assert_eq!(umeng.sdk.id, "umeng");
        assert!(umeng.fields.is_empty());
        assert_eq!(umeng.pi_types_gained, ["oaid"]);
        assert_eq!(umeng.pi_types_lost, ["imei"]);
        assert!(umeng.permissions_gained.is_empty());
        // READ_PHONE_STATE is no longer requested at all: a permission removed, not an SDK's
        // change; CAMERA is still requested, and umeng's code no longer relies on it.
        assert_eq!(umeng.permissions_lost, ["android.permission.CAMERA"]);
    }

    #[test]
    fn name_vendor_and_known_versions_make_a_change() {
        let old = before();
        let mut new = before();
        new.sdks[0].vendor = Some("Aurora".into());
        new.sdks[1].name = "JPush".into();
        let diff = Diff::new(&old, &new);
        let fields: Vec<(&str, &str)> = diff
            .sdks
            .changed
            .iter()
            .flat_map(|c| {
                c.fields
                    .iter()
                    .map(move |f| (c.sdk.id.as_str(), f.field.as_str()))
            })
            .collect();
        assert_eq!(fields, [("jcore", "vendor"), ("jpush", "name")]);
        // Schema 0.2 carries no SDK version: nothing to compare, nothing reported.
        assert!(diff.sdks.unchanged.iter().all(|s| s.version.is_none()));
    }

    #[test]
    fn permissions_are_added_and_removed_once() {
        let diff = Diff::new(&before(), &after());
        let names =
            |list: &[PermissionEntry]| list.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&diff.permissions.added),
            ["android.permission.READ_SMS"]
        );
        assert_eq!(
            names(&diff.permissions.removed),
            ["android.permission.READ_PHONE_STATE"]
        );
        assert_eq!(diff.permissions.added[0].group.as_deref(), Some("sms"));
    }

    #[test]
    fn findings_match_by_fingerprint() {
        let diff = Diff::new(&before(), &after());
        let prints = |list: &[FindingEntry]| {
            list.iter()
                .map(|f| f.fingerprint.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(prints(&diff.findings.new), ["f-sms"]);
        // Most severe first.
        assert_eq!(prints(&diff.findings.fixed), ["f-imei", "f-phone"]);
        assert_eq!(prints(&diff.findings.still_present), ["f-backup"]);
        let [upgraded] = diff.findings.severity_changed.as_slice() else {
            panic!("{:?}", diff.findings.severity_changed)
        };
        assert_eq!(upgraded.old_severity, "low");
        assert_eq!(upgraded.finding.severity, "high");
        assert_eq!(upgraded.finding.fingerprint, "f-upgraded");
        assert_eq!(diff.findings.fixed[0].owner.as_deref(), Some("jpush"));
        let s = &diff.summary;
        assert!(s.changed);
        assert_eq!(
            (
                s.findings_new,
                s.findings_fixed,
                s.findings_severity_changed,
                s.findings_still_present
            ),
            (1, 2, 1, 1)
        );
    }

    #[test]
    fn repeated_fingerprints_pair_up() {
        let old = before();
        let mut new = before();
        new.findings.push(finding("API001", "high", "f-imei"));
        let diff = Diff::new(&old, &new);
        assert_eq!(diff.findings.new.len(), 1);
        assert_eq!(diff.findings.still_present.len(), 4);
    }

    #[test]
    fn json_is_sorted_stable_and_round_trips() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        Diff::new(&before(), &after()).write_json(&mut a).unwrap();
        Diff::new(&before(), &after()).write_json(&mut b).unwrap();
        assert_eq!(a, b);
        let value: serde_json::Value = serde_json::from_slice(&a).unwrap();
        assert_eq!(value["kind"], DIFF_KIND);
        assert_eq!(value["schema_version"], DIFF_SCHEMA_VERSION);
        assert_eq!(value["old"]["sha256"], "aa");
        assert_eq!(value["new"]["version_name"], "1.1");
        assert_eq!(value["summary"]["sdks_added"], 1);
        assert_eq!(value["sdks"]["changed"][0]["id"], "umeng");
        assert_eq!(value["sdks"]["changed"][0]["pi_types_gained"][0], "oaid");
        assert_eq!(
            value["sdks"]["added"][0]["version"],
            serde_json::Value::Null
        );
        assert_eq!(
            value["findings"]["severity_changed"][0]["old_severity"],
            "low"
        );
        assert_eq!(value["findings"]["severity_changed"][0]["severity"], "high");
        assert_eq!(value["pi_types"][0]["id"], "imei");
        let back: Diff = serde_json::from_slice(&a).unwrap();
        assert_eq!(back, Diff::new(&before(), &after()));
    }

    #[test]
    fn text_lists_every_change() {
        let text = Diff::new(&before(), &after()).render_text(Lang::En);
        for expected in [
            "apkscope diff: com.example → com.example",
            "Old: (com.example) 1.0 (code 1)",
            "New: (com.example) 1.1 (code 2)",
            "Summary: SDKs: 1 added, 1 removed, 1 changed, 1 unchanged; permissions: 1 added, \
             1 removed; findings: 1 new, 2 fixed, 1 severity changed, 1 still present",
            "SDKs added (1)\n  + janalytics  JANALYTICS (Vendor, push)",
            "SDKs removed (1)\n  - jpush  JPUSH (Vendor, push)\n      reaches: IMEI\n      \
             relies on: android.permission.READ_PHONE_STATE",
            "  ~ umeng  UMENG (Vendor, push)\n      now reaches: oaid\n      no longer reaches: IMEI",
            "SDKs unchanged (1)\n  = jcore",
            "Permissions added (1)\n  + android.permission.READ_SMS  [SMS]",
            "New findings (1)\n  + critical SMS001   SMS001 found f-sms",
            "  ~ low → high API002   API002 found f-upgraded",
            "Findings still present (1)\n  = low      MAN001   MAN001 found f-backup",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        assert!(!text.contains("Note:"), "{text}");
    }

    #[test]
    fn text_in_chinese_uses_the_facts_chinese() {
        let text = Diff::new(&before(), &after()).render_text(Lang::Zh);
        for expected in [
            "jpush  jpush中文",
            "设备识别码",
            "SMS001 发现 f-sms",
            "短信",
            "严重",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        assert!(!text.contains("SDKs added"), "{text}");
    }

    #[test]
    fn notes_say_when_sides_are_not_comparable() {
        let mut other = after();
        other.app.package = Some("com.other".into());
        other.rule_pack.as_mut().unwrap().hash = "other-pack".into();
        let diff = Diff::new(&before(), &other);
        assert!(!diff.summary.same_package && !diff.summary.same_rule_pack);
        assert_eq!(diff.notes(Lang::En).len(), 2);
        other.rule_pack = None;
        let diff = Diff::new(&before(), &other);
        assert!(!diff.summary.both_judged);
        assert!(diff.render_text(Lang::En).contains("without a rule pack"));
    }

    #[test]
    fn html_is_self_contained_and_escaped() {
        let mut new = after();
        new.findings[2].message = "<script>alert(1)</script>".into();
        let html = Diff::new(&before(), &new).render_html(Lang::En);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(html.contains(CONTENT_SECURITY_POLICY));
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("data-sdks-added=\"1\""));
        assert!(html.contains("data-findings-new=\"1\""));
        assert!(html.contains("data-sdk=\"janalytics\""));
        assert!(
            html.contains("<span class=\"sev sev-low\">low</span> → <span class=\"sev sev-high\">")
        );
        assert!(html.trim_end().ends_with("</html>"));
        let zh = Diff::new(&before(), &new).render_html(Lang::Zh);
        assert!(zh.contains("<html lang=\"zh-CN\">"));
        assert!(zh.contains("jpush中文"));
    }
}
