//! Batch statistics: what `apkscope summarize RESULTS.jsonl` prints.
//!
//! The output formats (JSON keys, CSV sections, counting rules) are documented on [`Summary`],
//! which the crate re-exports, so that they show in the public documentation.

use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::fmt::Write as _;
use std::io::{self, Write};

use apkscope_facts::{AppFacts, SdkFacts, ToolFacts};
use serde::Serialize;

use crate::csv::{write_header, write_record};

/// Version of the summary layout (JSON keys and CSV sections); bumped whenever a key is renamed
/// or its meaning changes.
pub const SUMMARY_SCHEMA_VERSION: &str = "1";

/// The `kind` field of the summary JSON, which tells it apart from a scan report.
pub const SUMMARY_KIND: &str = "apkscope-summary";

/// Most apps listed under "most findings".
pub const TOP_APPS: usize = 20;

/// Most failed inputs kept as examples.
pub const FAILURE_EXAMPLES: usize = 20;

/// Most distinct permission names tallied; further names are counted under
/// [`OTHER_PERMISSIONS`], so that hostile apps inventing permissions cannot grow the summary
/// without bound.
pub const MAX_PERMISSION_NAMES: usize = 50_000;

/// The row that counts permissions beyond [`MAX_PERMISSION_NAMES`].
pub const OTHER_PERMISSIONS: &str = "(other permissions)";

/// What replaces an app's own package at the start of a permission name, so that permissions
/// every app defines for itself (`com.example.permission.JPUSH_MESSAGE`) add up across apps
/// (`{package}.permission.JPUSH_MESSAGE`) instead of making one row per app.
pub const OWN_PACKAGE: &str = "{package}";

/// Severities from the most to the least severe: the order of the severity table and of the
/// per-severity counts of the apps with the most findings.
const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

/// Columns of the summary CSV.
const CSV_HEADER: [&str; 10] = [
    "section",
    "key",
    "name",
    "class",
    "detail",
    "apps",
    "share",
    "findings",
    "unused_apps",
    "extra",
];

/// Aggregates a batch: memory grows with distinct SDKs/permissions/rules, not with apps.
///
/// Feed it every scanned app ([`add_app`](Self::add_app)) and every input that failed
/// ([`add_failure`](Self::add_failure)), then write it as text, CSV or JSON. Output carries no
/// timestamp, and reports made with one rule pack give the same bytes whatever order the apps
/// come in, except for the failure examples (the first [`FAILURE_EXAMPLES`] failures added) and
/// for which names land in [`OTHER_PERMISSIONS`] once the cap is reached. Names, vendors and
/// severities of SDKs, rules and permissions are taken from the first app that has them.
///
/// # Example
///
/// ```
/// use apkscope_facts::{AppFacts, InputFacts, SdkFacts};
/// use apkscope_report::Summary;
///
/// let mut facts = AppFacts::new(InputFacts { path: "a.apk".into(), ..InputFacts::default() });
/// facts.sdks.push(SdkFacts { id: "jpush".into(), category: "push".into(), ..SdkFacts::default() });
/// let mut summary = Summary::new();
/// summary.add_app(&facts);
/// summary.add_failure("b.apk", "not_apk", "not a zip");
///
/// let mut csv = Vec::new();
/// summary.write_csv(&mut csv).unwrap();
/// let csv = String::from_utf8(csv).unwrap();
/// assert!(csv.contains("\nsdk,jpush,,push,,1,100.00,,,\n"));
/// assert!(csv.contains("\napps,failed,,,,1,50.00,,,\n"));
/// ```
///
/// # Counting
///
/// - `apps` counts apps, each once: an SDK found twice in one app, a permission requested by
///   both `uses-permission` and `uses-permission-sdk-23`, or two SDKs of one vendor count one
///   app. `findings` counts findings.
/// - `share` is a percentage of the apps scanned (failed inputs excluded), rounded to two
///   decimals; for the `failed` and failure-kind rows it is a percentage of all inputs. Apps
///   scanned without a rule pack count in the denominator but can have no SDKs, findings or
///   permission use: `without_rule_pack` says how many there were.
/// - A permission is `unused` in an app when the app requests it and the analysis says no code
///   uses it (`used == false`); when use could not be judged it is neither used nor unused.
/// - Permission names that start with the app's own package have it replaced by
///   [`OWN_PACKAGE`]; past [`MAX_PERMISSION_NAMES`] distinct names, new ones count under
///   [`OTHER_PERMISSIONS`].
/// - Tables are ordered by apps (descending), then by key. Rules: apps, then findings
///   (descending), then id. Severities: from `critical` to `info`, then any other severity by
///   name. The apps with the most findings ([`TOP_APPS`] of them, apps without findings left out)
///   are ordered by findings, then by counts from `critical` down to `info` (all descending), then
///   by path.
///
/// # JSON
///
/// [`write_json`](Self::write_json) writes one pretty-printed object, keys in this order:
///
/// ```text
/// {
///   "kind": "apkscope-summary",
///   "schema_version": "1",
///   "tool": {"name": "apkscope", "version": "0.1.0"},
///   "apps": {"inputs", "scanned", "failed", "failed_share", "without_rule_pack",
///            "without_rule_pack_share", "packed", "packed_share", "with_findings",
///            "with_findings_share", "cleartext", "cleartext_share", "user_certs_trusted",
///            "user_certs_trusted_share", "with_secrets", "with_secrets_share"},
///   "failures": {"by_kind": [{"kind", "inputs", "share"}],
///                "examples": [{"path", "kind", "message"}]},
///   "sdks": [{"id", "name", "name_zh", "vendor", "category", "apps", "share"}],
///   "sdk_vendors": [{"vendor", "apps", "share"}],
///   "sdk_categories": [{"category", "apps", "share"}],
///   "permissions": [{"name", "group", "special", "protection_level", "apps", "share",
///                    "unused_apps", "unused_share"}],
///   "permission_groups": [{"group", "apps", "share"}],
///   "rules": [{"rule", "name", "title", "severity", "findings", "apps", "share"}],
///   "severities": [{"severity", "findings", "apps", "share"}],
///   "packers": [{"id", "name", "vendor", "kind", "apps", "share"}],
///   "top_apps": [{"path", "sha256", "package", "version_name", "findings",
///                 "by_severity": {"critical", "high", "medium", "low", "info"}}]
/// }
/// ```
///
/// Unknown names (an SDK without a vendor, a permission without a group) are `null`. Shares are
/// numbers such as `33.33` (percent). `by_severity` counts the five standard severities only; a
/// finding of any other severity counts in `findings` and in the `severities` table.
///
/// # CSV
///
/// [`write_csv`](Self::write_csv) writes one long table with the header
/// `section,key,name,class,detail,apps,share,findings,unused_apps,extra`, quoted like
/// [`CsvWriter`](crate::CsvWriter) output (RFC 4180, formula-guarded), so a spreadsheet can
/// filter on `section` and pivot. Cells that do not apply are empty.
///
/// | section | key | name | class | detail | other columns |
/// |---|---|---|---|---|---|
/// | `apps` | `inputs`, `scanned`, `failed`, `without_rule_pack`, `packed`, `with_findings`, `cleartext`, `user_certs_trusted`, `with_secrets` | | | | apps, share |
/// | `failure_kind` | failure kind | | | | apps (inputs), share (of inputs) |
/// | `failure_example` | path | | failure kind | message | |
/// | `sdk` | SDK id | name | category | vendor | apps, share; extra: Chinese name |
/// | `sdk_vendor` | vendor | | | | apps, share |
/// | `sdk_category` | category | | | | apps, share |
/// | `permission` | permission | | TC260 group | protection level | apps, share, `unused_apps`; extra: special class |
/// | `permission_group` | TC260 group | | | | apps, share |
/// | `rule` | rule id | rule name | severity | title | apps, share, findings |
/// | `severity` | severity | | | | apps, share, findings |
/// | `packer` | packer id | name | kind | vendor | apps, share |
/// | `top_app` | path | package | version name | `critical=0; high=3; …` | findings; extra: sha256 |
///
/// # Text
///
/// [`write_text`](Self::write_text) writes aligned tables for a terminal, in the order above;
/// control and bidirectional-override characters of untrusted names are escaped.
#[derive(Debug, Default)]
pub struct Summary {
    scanned: u64,
    failed: u64,
    without_rule_pack: u64,
    packed: u64,
    with_findings: u64,
    /// Apps whose effective policy allows plain HTTP to every host.
    cleartext: u64,
    /// Apps that trust user-installed CA certificates.
    user_certs_trusted: u64,
    /// Apps with hard-coded credentials (`network.secrets`).
    with_secrets: u64,
    failure_kinds: BTreeMap<String, u64>,
    failure_examples: Vec<FailureExample>,
    sdks: BTreeMap<String, SdkTally>,
    vendors: BTreeMap<Option<String>, u64>,
    categories: BTreeMap<String, u64>,
    permissions: BTreeMap<String, PermissionTally>,
    permission_groups: BTreeMap<String, u64>,
    rules: BTreeMap<String, RuleTally>,
    severities: BTreeMap<String, FindingTally>,
    packers: BTreeMap<String, PackerTally>,
    /// The best [`TOP_APPS`] apps so far; `Reverse` makes the root the weakest, to evict.
    top_apps: BinaryHeap<Reverse<TopApp>>,
}

#[derive(Debug)]
struct FailureExample {
    path: String,
    kind: String,
    message: String,
}

#[derive(Debug)]
struct SdkTally {
    name: String,
    name_zh: Option<String>,
    vendor: Option<String>,
    category: String,
    apps: u64,
}

#[derive(Debug, Default)]
struct PermissionTally {
    group: Option<String>,
    special: Option<String>,
    protection_level: Option<String>,
    apps: u64,
    unused_apps: u64,
}

#[derive(Debug)]
struct RuleTally {
    name: String,
    title: String,
    severity: String,
    findings: u64,
    apps: u64,
}

#[derive(Debug, Default)]
struct FindingTally {
    findings: u64,
    apps: u64,
}

#[derive(Debug)]
struct PackerTally {
    name: String,
    vendor: Option<String>,
    kind: String,
    apps: u64,
}

/// An app with findings; ordered so that greater means "ranks higher" in the top list.
#[derive(Debug, PartialEq, Eq)]
struct TopApp {
    findings: u64,
    /// Counts in [`SEVERITIES`] order.
    by_severity: [u64; SEVERITIES.len()],
    path: String,
    sha256: String,
    package: Option<String>,
    version_name: Option<String>,
}

impl Ord for TopApp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.findings
            .cmp(&other.findings)
            .then_with(|| self.by_severity.cmp(&other.by_severity))
            // The earlier path ranks higher, so the remaining comparisons are reversed.
            .then_with(|| other.path.cmp(&self.path))
            .then_with(|| other.sha256.cmp(&self.sha256))
            .then_with(|| other.package.cmp(&self.package))
            .then_with(|| other.version_name.cmp(&self.version_name))
    }
}

impl PartialOrd for TopApp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// What one app says about one permission, before it is added to the tallies.
#[derive(Default)]
struct PermissionSeen<'a> {
    group: Option<&'a str>,
    special: Option<&'a str>,
    protection_level: Option<&'a str>,
    used: bool,
    unused: bool,
}

impl Summary {
    /// An empty summary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one scanned app.
    pub fn add_app(&mut self, facts: &AppFacts) {
        self.scanned += 1;
        if facts.rule_pack.is_none() {
            self.without_rule_pack += 1;
        }
        self.add_sdks(&facts.sdks);
        self.add_permissions(facts);
        self.add_findings(facts);
        self.add_packers(facts);
        self.add_network(facts);
    }

    fn add_network(&mut self, facts: &AppFacts) {
        let network = &facts.network;
        if network.cleartext.permitted {
            self.cleartext += 1;
        }
        if network.user_certs_trusted {
            self.user_certs_trusted += 1;
        }
        if !network.secrets.is_empty() {
            self.with_secrets += 1;
        }
    }

    /// Adds one input that could not be analysed; `kind` is the failure class (`io`,
    /// `not_apk` …).
    pub fn add_failure(&mut self, path: &str, kind: &str, message: &str) {
        self.failed += 1;
        bump(&mut self.failure_kinds, kind);
        if self.failure_examples.len() < FAILURE_EXAMPLES {
            self.failure_examples.push(FailureExample {
                path: path.to_owned(),
                kind: kind.to_owned(),
                message: message.to_owned(),
            });
        }
    }

    fn add_sdks(&mut self, sdks: &[SdkFacts]) {
        let mut seen = BTreeSet::new();
        let mut vendors = BTreeSet::new();
        let mut categories = BTreeSet::new();
        for sdk in sdks {
            if !seen.insert(sdk.id.as_str()) {
                continue;
            }
            vendors.insert(sdk.vendor.as_deref());
            categories.insert(sdk.category.as_str());
            if let Some(tally) = self.sdks.get_mut(&sdk.id) {
                tally.apps += 1;
            } else {
                self.sdks.insert(
                    sdk.id.clone(),
                    SdkTally {
                        name: sdk.name.clone(),
                        name_zh: sdk.name_zh.clone(),
                        vendor: sdk.vendor.clone(),
                        category: sdk.category.clone(),
                        apps: 1,
                    },
                );
            }
        }
        for vendor in vendors {
            *self.vendors.entry(vendor.map(str::to_owned)).or_default() += 1;
        }
        for category in categories {
            bump(&mut self.categories, category);
        }
    }

    fn add_permissions(&mut self, facts: &AppFacts) {
        let own_prefix = facts
            .app
            .package
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(|p| format!("{p}."));
        let mut seen: BTreeMap<Cow<'_, str>, PermissionSeen<'_>> = BTreeMap::new();
        let mut groups = BTreeSet::new();
        for permission in &facts.permissions.requested {
            let mut name: Cow<'_, str> = match own_prefix
                .as_deref()
                .and_then(|prefix| permission.name.strip_prefix(prefix))
            {
                Some(rest) => format!("{OWN_PACKAGE}.{rest}").into(),
                None => permission.name.as_str().into(),
            };
            if !self.permissions.contains_key(name.as_ref())
                && self.permissions.len() >= MAX_PERMISSION_NAMES
            {
                name = OTHER_PERMISSIONS.into();
            }
            let entry = seen.entry(name).or_insert_with(|| PermissionSeen {
                group: permission.group.as_deref(),
                special: permission.special.as_deref(),
                protection_level: permission.protection_level.as_deref(),
                ..PermissionSeen::default()
            });
            match permission.used {
                Some(true) => entry.used = true,
                Some(false) => entry.unused = true,
                None => {}
            }
            if let Some(group) = permission.group.as_deref() {
                groups.insert(group);
            }
        }
        for (name, permission) in seen {
            let tally = match self.permissions.get_mut(name.as_ref()) {
                Some(tally) => tally,
                None => self
                    .permissions
                    .entry(name.into_owned())
                    .or_insert_with(|| PermissionTally {
                        group: permission.group.map(str::to_owned),
                        special: permission.special.map(str::to_owned),
                        protection_level: permission.protection_level.map(str::to_owned),
                        ..PermissionTally::default()
                    }),
            };
            tally.apps += 1;
            if permission.unused && !permission.used {
                tally.unused_apps += 1;
            }
        }
        for group in groups {
            bump(&mut self.permission_groups, group);
        }
    }

    fn add_findings(&mut self, facts: &AppFacts) {
        if facts.findings.is_empty() {
            return;
        }
        self.with_findings += 1;
        let mut by_rule = BTreeMap::new();
        let mut by_severity: BTreeMap<&str, u64> = BTreeMap::new();
        let mut severity_counts = [0u64; SEVERITIES.len()];
        for finding in &facts.findings {
            by_rule
                .entry(finding.rule.as_str())
                .or_insert((finding, 0u64))
                .1 += 1;
            *by_severity.entry(finding.severity.as_str()).or_default() += 1;
            if let Some(slot) = SEVERITIES
                .iter()
                .position(|s| *s == finding.severity)
                .and_then(|i| severity_counts.get_mut(i))
            {
                *slot += 1;
            }
        }
        for (rule, (first, findings)) in by_rule {
            let tally = match self.rules.get_mut(rule) {
                Some(tally) => tally,
                None => self.rules.entry(rule.to_owned()).or_insert(RuleTally {
                    name: first.name.clone(),
                    title: first.title.clone(),
                    severity: first.severity.clone(),
                    findings: 0,
                    apps: 0,
                }),
            };
            tally.findings += findings;
            tally.apps += 1;
        }
        for (severity, findings) in by_severity {
            let tally = match self.severities.get_mut(severity) {
                Some(tally) => tally,
                None => self.severities.entry(severity.to_owned()).or_default(),
            };
            tally.findings += findings;
            tally.apps += 1;
        }
        self.offer_top_app(TopApp {
            findings: count(facts.findings.len()),
            by_severity: severity_counts,
            path: facts.input.path.clone(),
            sha256: facts.input.sha256.clone(),
            package: facts.app.package.clone(),
            version_name: facts.app.version_name.clone(),
        });
    }

    fn offer_top_app(&mut self, app: TopApp) {
        if self.top_apps.len() >= TOP_APPS {
            match self.top_apps.peek() {
                Some(Reverse(weakest)) if app > *weakest => {
                    self.top_apps.pop();
                }
                _ => return,
            }
        }
        self.top_apps.push(Reverse(app));
    }

    fn add_packers(&mut self, facts: &AppFacts) {
        let mut seen = BTreeSet::new();
        for packer in &facts.packers {
            if !seen.insert(packer.id.as_str()) {
                continue;
            }
            if let Some(tally) = self.packers.get_mut(&packer.id) {
                tally.apps += 1;
            } else {
                self.packers.insert(
                    packer.id.clone(),
                    PackerTally {
                        name: packer.name.clone(),
                        vendor: packer.vendor.clone(),
                        kind: packer.kind.clone(),
                        apps: 1,
                    },
                );
            }
        }
        if !seen.is_empty() {
            self.packed += 1;
        }
    }

    /// Apps scanned so far (failed inputs excluded).
    pub fn apps_scanned(&self) -> u64 {
        self.scanned
    }

    /// Inputs that failed so far.
    pub fn apps_failed(&self) -> u64 {
        self.failed
    }

    fn inputs(&self) -> u64 {
        self.scanned.saturating_add(self.failed)
    }

    fn share(&self, apps: u64) -> f64 {
        percent(apps, self.scanned)
    }

    fn sorted_sdks(&self) -> Vec<(&String, &SdkTally)> {
        by_apps(&self.sdks, |t| t.apps)
    }

    fn sorted_permissions(&self) -> Vec<(&String, &PermissionTally)> {
        by_apps(&self.permissions, |t| t.apps)
    }

    fn sorted_packers(&self) -> Vec<(&String, &PackerTally)> {
        by_apps(&self.packers, |t| t.apps)
    }

    fn sorted_rules(&self) -> Vec<(&String, &RuleTally)> {
        let mut rules: Vec<_> = self.rules.iter().collect();
        rules.sort_by(|a, b| {
            (b.1.apps, b.1.findings)
                .cmp(&(a.1.apps, a.1.findings))
                .then_with(|| a.0.cmp(b.0))
        });
        rules
    }

    fn sorted_severities(&self) -> Vec<(&String, &FindingTally)> {
        let mut severities: Vec<_> = self.severities.iter().collect();
        severities.sort_by_key(|(severity, _)| {
            SEVERITIES
                .iter()
                .position(|s| s == severity)
                .unwrap_or(SEVERITIES.len())
        });
        severities
    }

    fn sorted_top_apps(&self) -> Vec<&TopApp> {
        let mut apps: Vec<&TopApp> = self.top_apps.iter().map(|Reverse(app)| app).collect();
        apps.sort_by(|a, b| b.cmp(a));
        apps
    }

    /// The `apps` section: name, value and share.
    fn app_counts(&self) -> [(&'static str, u64, Option<f64>); 9] {
        [
            ("inputs", self.inputs(), None),
            ("scanned", self.scanned, None),
            (
                "failed",
                self.failed,
                Some(percent(self.failed, self.inputs())),
            ),
            (
                "without_rule_pack",
                self.without_rule_pack,
                Some(self.share(self.without_rule_pack)),
            ),
            ("packed", self.packed, Some(self.share(self.packed))),
            (
                "with_findings",
                self.with_findings,
                Some(self.share(self.with_findings)),
            ),
            (
                "cleartext",
                self.cleartext,
                Some(self.share(self.cleartext)),
            ),
            (
                "user_certs_trusted",
                self.user_certs_trusted,
                Some(self.share(self.user_certs_trusted)),
            ),
            (
                "with_secrets",
                self.with_secrets,
                Some(self.share(self.with_secrets)),
            ),
        ]
    }

    /// Writes the summary as one JSON object (see [`Summary`] for the keys), pretty-printed,
    /// followed by a newline.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &self.to_json())?;
        out.write_all(b"\n")
    }

    fn to_json(&self) -> SummaryJson<'_> {
        let apps = |n: u64| AppsShare {
            apps: n,
            share: self.share(n),
        };
        SummaryJson {
            kind: SUMMARY_KIND,
            schema_version: SUMMARY_SCHEMA_VERSION,
            tool: ToolFacts::default(),
            apps: self.apps_json(),
            failures: self.failures_json(),
            sdks: self
                .sorted_sdks()
                .into_iter()
                .map(|(id, t)| SdkJson {
                    id,
                    name: &t.name,
                    name_zh: t.name_zh.as_deref(),
                    vendor: t.vendor.as_deref(),
                    category: &t.category,
                    counts: apps(t.apps),
                })
                .collect(),
            sdk_vendors: by_apps(&self.vendors, |n| *n)
                .into_iter()
                .map(|(vendor, n)| VendorJson {
                    vendor: vendor.as_deref(),
                    counts: apps(*n),
                })
                .collect(),
            sdk_categories: by_apps(&self.categories, |n| *n)
                .into_iter()
                .map(|(category, n)| CategoryJson {
                    category,
                    counts: apps(*n),
                })
                .collect(),
            permissions: self
                .sorted_permissions()
                .into_iter()
                .map(|(name, t)| PermissionJson {
                    name,
                    group: t.group.as_deref(),
                    special: t.special.as_deref(),
                    protection_level: t.protection_level.as_deref(),
                    counts: apps(t.apps),
                    unused_apps: t.unused_apps,
                    unused_share: self.share(t.unused_apps),
                })
                .collect(),
            permission_groups: by_apps(&self.permission_groups, |n| *n)
                .into_iter()
                .map(|(group, n)| GroupJson {
                    group,
                    counts: apps(*n),
                })
                .collect(),
            rules: self
                .sorted_rules()
                .into_iter()
                .map(|(rule, t)| RuleJson {
                    rule,
                    name: &t.name,
                    title: &t.title,
                    severity: &t.severity,
                    findings: t.findings,
                    counts: apps(t.apps),
                })
                .collect(),
            severities: self
                .sorted_severities()
                .into_iter()
                .map(|(severity, t)| SeverityJson {
                    severity,
                    findings: t.findings,
                    counts: apps(t.apps),
                })
                .collect(),
            packers: self
                .sorted_packers()
                .into_iter()
                .map(|(id, t)| PackerJson {
                    id,
                    name: &t.name,
                    vendor: t.vendor.as_deref(),
                    kind: &t.kind,
                    counts: apps(t.apps),
                })
                .collect(),
            top_apps: self.top_apps_json(),
        }
    }

    fn apps_json(&self) -> AppsJson {
        AppsJson {
            inputs: self.inputs(),
            scanned: self.scanned,
            failed: self.failed,
            failed_share: percent(self.failed, self.inputs()),
            without_rule_pack: self.without_rule_pack,
            without_rule_pack_share: self.share(self.without_rule_pack),
            packed: self.packed,
            packed_share: self.share(self.packed),
            with_findings: self.with_findings,
            with_findings_share: self.share(self.with_findings),
            cleartext: self.cleartext,
            cleartext_share: self.share(self.cleartext),
            user_certs_trusted: self.user_certs_trusted,
            user_certs_trusted_share: self.share(self.user_certs_trusted),
            with_secrets: self.with_secrets,
            with_secrets_share: self.share(self.with_secrets),
        }
    }

    fn failures_json(&self) -> FailuresJson<'_> {
        FailuresJson {
            by_kind: by_apps(&self.failure_kinds, |n| *n)
                .into_iter()
                .map(|(kind, n)| FailureKindJson {
                    kind,
                    inputs: *n,
                    share: percent(*n, self.inputs()),
                })
                .collect(),
            examples: self
                .failure_examples
                .iter()
                .map(|e| FailureExampleJson {
                    path: &e.path,
                    kind: &e.kind,
                    message: &e.message,
                })
                .collect(),
        }
    }

    fn top_apps_json(&self) -> Vec<TopAppJson<'_>> {
        self.sorted_top_apps()
            .into_iter()
            .map(|app| TopAppJson {
                path: &app.path,
                sha256: &app.sha256,
                package: app.package.as_deref(),
                version_name: app.version_name.as_deref(),
                findings: app.findings,
                by_severity: SEVERITIES.iter().copied().zip(app.by_severity).collect(),
            })
            .collect()
    }

    /// Writes the summary as one long CSV table (see [`Summary`] for the sections), after a
    /// UTF-8 byte-order mark ([`crate::UTF8_BOM`]).
    pub fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        write_header(out, &CSV_HEADER)?;
        self.csv_apps(out)?;
        self.csv_sdks(out)?;
        self.csv_permissions(out)?;
        self.csv_findings(out)?;
        self.csv_packers(out)
    }

    fn csv_apps(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut row = |cells: CsvRow<'_>| write_record(out, &cells.cells());
        for (name, value, share) in self.app_counts() {
            row(CsvRow {
                section: "apps",
                key: name.into(),
                apps: value.to_string(),
                share: share.map(share_cell).unwrap_or_default(),
                ..CsvRow::default()
            })?;
        }
        for (kind, n) in by_apps(&self.failure_kinds, |n| *n) {
            row(CsvRow {
                section: "failure_kind",
                key: kind.into(),
                apps: n.to_string(),
                share: share_cell(percent(*n, self.inputs())),
                ..CsvRow::default()
            })?;
        }
        for example in &self.failure_examples {
            row(CsvRow {
                section: "failure_example",
                key: example.path.as_str().into(),
                class: &example.kind,
                detail: &example.message,
                ..CsvRow::default()
            })?;
        }
        Ok(())
    }

    fn csv_sdks(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut row = |cells: CsvRow<'_>| write_record(out, &cells.cells());
        for (id, t) in self.sorted_sdks() {
            row(CsvRow {
                section: "sdk",
                key: id.into(),
                name: &t.name,
                class: &t.category,
                detail: t.vendor.as_deref().unwrap_or_default(),
                extra: t.name_zh.as_deref().unwrap_or_default(),
                ..self.apps_row(t.apps)
            })?;
        }
        for (vendor, n) in by_apps(&self.vendors, |n| *n) {
            row(CsvRow {
                section: "sdk_vendor",
                key: vendor.as_deref().unwrap_or_default().into(),
                ..self.apps_row(*n)
            })?;
        }
        for (category, n) in by_apps(&self.categories, |n| *n) {
            row(CsvRow {
                section: "sdk_category",
                key: category.into(),
                ..self.apps_row(*n)
            })?;
        }
        Ok(())
    }

    fn csv_permissions(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut row = |cells: CsvRow<'_>| write_record(out, &cells.cells());
        for (name, t) in self.sorted_permissions() {
            row(CsvRow {
                section: "permission",
                key: name.into(),
                class: t.group.as_deref().unwrap_or_default(),
                detail: t.protection_level.as_deref().unwrap_or_default(),
                unused_apps: t.unused_apps.to_string(),
                extra: t.special.as_deref().unwrap_or_default(),
                ..self.apps_row(t.apps)
            })?;
        }
        for (group, n) in by_apps(&self.permission_groups, |n| *n) {
            row(CsvRow {
                section: "permission_group",
                key: group.into(),
                ..self.apps_row(*n)
            })?;
        }
        Ok(())
    }

    fn csv_findings(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut row = |cells: CsvRow<'_>| write_record(out, &cells.cells());
        for (rule, t) in self.sorted_rules() {
            row(CsvRow {
                section: "rule",
                key: rule.into(),
                name: &t.name,
                class: &t.severity,
                detail: &t.title,
                findings: t.findings.to_string(),
                ..self.apps_row(t.apps)
            })?;
        }
        for (severity, t) in self.sorted_severities() {
            row(CsvRow {
                section: "severity",
                key: severity.into(),
                findings: t.findings.to_string(),
                ..self.apps_row(t.apps)
            })?;
        }
        for app in self.sorted_top_apps() {
            let counts = severity_counts_text(app, "=", "; ");
            row(CsvRow {
                section: "top_app",
                key: app.path.as_str().into(),
                name: app.package.as_deref().unwrap_or_default(),
                class: app.version_name.as_deref().unwrap_or_default(),
                detail: &counts,
                findings: app.findings.to_string(),
                extra: &app.sha256,
                ..CsvRow::default()
            })?;
        }
        Ok(())
    }

    fn csv_packers(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut row = |cells: CsvRow<'_>| write_record(out, &cells.cells());
        for (id, t) in self.sorted_packers() {
            row(CsvRow {
                section: "packer",
                key: id.into(),
                name: &t.name,
                class: &t.kind,
                detail: t.vendor.as_deref().unwrap_or_default(),
                ..self.apps_row(t.apps)
            })?;
        }
        Ok(())
    }

    fn apps_row(&self, apps: u64) -> CsvRow<'static> {
        CsvRow {
            apps: apps.to_string(),
            share: share_cell(self.share(apps)),
            ..CsvRow::default()
        }
    }

    /// Writes the summary as aligned tables for a terminal.
    pub fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.render_text().as_bytes())
    }

    fn render_text(&self) -> String {
        let mut s = String::new();
        self.text_overview(&mut s);
        self.text_failures(&mut s);
        self.text_sdks(&mut s);
        self.text_permissions(&mut s);
        self.text_findings(&mut s);
        self.text_packers(&mut s);
        self.text_top_apps(&mut s);
        s
    }

    fn text_overview(&self, s: &mut String) {
        let _ = writeln!(
            s,
            "apkscope summary: {} apps scanned, {} failed ({} inputs)",
            self.scanned,
            self.failed,
            self.inputs()
        );
        if self.without_rule_pack > 0 {
            let _ = writeln!(
                s,
                "  {} apps were scanned without a rule pack: no SDKs, findings or permission use",
                self.without_rule_pack
            );
        }
        let _ = writeln!(
            s,
            "  {} apps with findings ({}), {} packed ({})",
            self.with_findings,
            percent_text(self.share(self.with_findings)),
            self.packed,
            percent_text(self.share(self.packed)),
        );
        let _ = writeln!(
            s,
            "  {} allow plain HTTP to every host ({}), {} trust user CAs ({}), {} hold \
             hard-coded credentials ({})",
            self.cleartext,
            percent_text(self.share(self.cleartext)),
            self.user_certs_trusted,
            percent_text(self.share(self.user_certs_trusted)),
            self.with_secrets,
            percent_text(self.share(self.with_secrets)),
        );
    }

    fn text_failures(&self, s: &mut String) {
        if self.failed > 0 {
            let _ = writeln!(s, "\nFailures by kind");
            let rows: Vec<Vec<String>> = by_apps(&self.failure_kinds, |n| *n)
                .into_iter()
                .map(|(kind, n)| {
                    vec![
                        n.to_string(),
                        percent_text(percent(*n, self.inputs())),
                        plain(kind).into_owned(),
                    ]
                })
                .collect();
            table(s, &["inputs", "share", "kind"], 2, &rows);
            let _ = writeln!(
                s,
                "\nFailed inputs (first {} of {})",
                self.failure_examples.len(),
                self.failed
            );
            let rows: Vec<Vec<String>> = self
                .failure_examples
                .iter()
                .map(|e| {
                    vec![
                        plain(&e.kind).into_owned(),
                        plain(&e.path).into_owned(),
                        plain(&e.message).into_owned(),
                    ]
                })
                .collect();
            table(s, &["kind", "path", "message"], 0, &rows);
        }
    }

    fn text_sdks(&self, s: &mut String) {
        let _ = writeln!(s, "\nSDKs ({} distinct)", self.sdks.len());
        let rows: Vec<Vec<String>> = self
            .sorted_sdks()
            .into_iter()
            .map(|(id, t)| {
                let mut rows = self.apps_cells(t.apps);
                rows.extend([
                    plain(id).into_owned(),
                    plain(&t.category).into_owned(),
                    plain(&t.name).into_owned(),
                    plain(t.vendor.as_deref().unwrap_or("-")).into_owned(),
                ]);
                rows
            })
            .collect();
        table(
            s,
            &["apps", "share", "id", "category", "name", "vendor"],
            2,
            &rows,
        );

        let _ = writeln!(s, "\nSDK vendors");
        let rows: Vec<Vec<String>> = by_apps(&self.vendors, |n| *n)
            .into_iter()
            .map(|(vendor, n)| {
                let mut row = self.apps_cells(*n);
                row.push(plain(vendor.as_deref().unwrap_or("(unknown)")).into_owned());
                row
            })
            .collect();
        table(s, &["apps", "share", "vendor"], 2, &rows);

        let _ = writeln!(s, "\nSDK categories");
        let rows: Vec<Vec<String>> = self.simple_rows(&self.categories);
        table(s, &["apps", "share", "category"], 2, &rows);
    }

    fn text_permissions(&self, s: &mut String) {
        let _ = writeln!(s, "\nPermissions ({} distinct)", self.permissions.len());
        let rows: Vec<Vec<String>> = self
            .sorted_permissions()
            .into_iter()
            .map(|(name, t)| {
                let mut row = self.apps_cells(t.apps);
                let class = match (&t.group, &t.special) {
                    (Some(group), _) => plain(group).into_owned(),
                    (None, Some(special)) => format!("special: {}", plain(special)),
                    (None, None) => "-".to_owned(),
                };
                row.extend([t.unused_apps.to_string(), class, plain(name).into_owned()]);
                row
            })
            .collect();
        table(
            s,
            &["apps", "share", "unused", "group", "permission"],
            3,
            &rows,
        );

        let _ = writeln!(s, "\nPermission groups (TC260)");
        let rows: Vec<Vec<String>> = self.simple_rows(&self.permission_groups);
        table(s, &["apps", "share", "group"], 2, &rows);
    }

    fn text_findings(&self, s: &mut String) {
        let _ = writeln!(s, "\nFindings by severity");
        let rows: Vec<Vec<String>> = self
            .sorted_severities()
            .into_iter()
            .map(|(severity, t)| {
                let mut row = vec![t.findings.to_string()];
                row.extend(self.apps_cells(t.apps));
                row.push(plain(severity).into_owned());
                row
            })
            .collect();
        table(s, &["findings", "apps", "share", "severity"], 3, &rows);

        let _ = writeln!(s, "\nFindings by rule");
        let rows: Vec<Vec<String>> = self
            .sorted_rules()
            .into_iter()
            .map(|(rule, t)| {
                let mut row = vec![t.findings.to_string()];
                row.extend(self.apps_cells(t.apps));
                row.extend([
                    plain(rule).into_owned(),
                    plain(&t.severity).into_owned(),
                    plain(&t.title).into_owned(),
                ]);
                row
            })
            .collect();
        table(
            s,
            &["findings", "apps", "share", "rule", "severity", "title"],
            3,
            &rows,
        );
    }

    fn text_packers(&self, s: &mut String) {
        if !self.packers.is_empty() {
            let _ = writeln!(s, "\nPackers");
            let rows: Vec<Vec<String>> = self
                .sorted_packers()
                .into_iter()
                .map(|(id, t)| {
                    let mut row = self.apps_cells(t.apps);
                    row.extend([
                        plain(id).into_owned(),
                        plain(&t.kind).into_owned(),
                        plain(&t.name).into_owned(),
                    ]);
                    row
                })
                .collect();
            table(s, &["apps", "share", "id", "kind", "name"], 2, &rows);
        }
    }

    fn text_top_apps(&self, s: &mut String) {
        let _ = writeln!(s, "\nApps with the most findings");
        let rows: Vec<Vec<String>> = self
            .sorted_top_apps()
            .into_iter()
            .map(|app| {
                let mut row = vec![app.findings.to_string()];
                row.extend(app.by_severity.iter().map(u64::to_string));
                row.extend([
                    plain(app.package.as_deref().unwrap_or("-")).into_owned(),
                    plain(app.version_name.as_deref().unwrap_or("-")).into_owned(),
                    plain(&app.path).into_owned(),
                ]);
                row
            })
            .collect();
        let mut headers = vec!["findings"];
        headers.extend(SEVERITIES);
        headers.extend(["package", "version", "path"]);
        table(s, &headers, 1 + SEVERITIES.len(), &rows);
    }

    fn apps_cells(&self, apps: u64) -> Vec<String> {
        vec![apps.to_string(), percent_text(self.share(apps))]
    }

    fn simple_rows(&self, map: &BTreeMap<String, u64>) -> Vec<Vec<String>> {
        by_apps(map, |n| *n)
            .into_iter()
            .map(|(key, n)| {
                let mut row = self.apps_cells(*n);
                row.push(plain(key).into_owned());
                row
            })
            .collect()
    }
}

/// One row of the summary CSV; see [`CSV_HEADER`].
#[derive(Default)]
struct CsvRow<'a> {
    section: &'a str,
    key: Cow<'a, str>,
    name: &'a str,
    class: &'a str,
    detail: &'a str,
    apps: String,
    share: String,
    findings: String,
    unused_apps: String,
    extra: &'a str,
}

impl CsvRow<'_> {
    fn cells(&self) -> [&str; CSV_HEADER.len()] {
        [
            self.section,
            &self.key,
            self.name,
            self.class,
            self.detail,
            &self.apps,
            &self.share,
            &self.findings,
            &self.unused_apps,
            self.extra,
        ]
    }
}

/// The summary JSON, fields in output order; see [`Summary`].
#[derive(Serialize)]
struct SummaryJson<'a> {
    kind: &'static str,
    schema_version: &'static str,
    tool: ToolFacts,
    apps: AppsJson,
    failures: FailuresJson<'a>,
    sdks: Vec<SdkJson<'a>>,
    sdk_vendors: Vec<VendorJson<'a>>,
    sdk_categories: Vec<CategoryJson<'a>>,
    permissions: Vec<PermissionJson<'a>>,
    permission_groups: Vec<GroupJson<'a>>,
    rules: Vec<RuleJson<'a>>,
    severities: Vec<SeverityJson<'a>>,
    packers: Vec<PackerJson<'a>>,
    top_apps: Vec<TopAppJson<'a>>,
}

#[derive(Serialize)]
#[allow(clippy::struct_field_names)] // the JSON keys say what each count is of
struct AppsJson {
    inputs: u64,
    scanned: u64,
    failed: u64,
    failed_share: f64,
    without_rule_pack: u64,
    without_rule_pack_share: f64,
    packed: u64,
    packed_share: f64,
    with_findings: u64,
    with_findings_share: f64,
    cleartext: u64,
    cleartext_share: f64,
    user_certs_trusted: u64,
    user_certs_trusted_share: f64,
    with_secrets: u64,
    with_secrets_share: f64,
}

/// `apps` and `share`, flattened into each row.
#[derive(Serialize)]
struct AppsShare {
    apps: u64,
    share: f64,
}

#[derive(Serialize)]
struct FailuresJson<'a> {
    by_kind: Vec<FailureKindJson<'a>>,
    examples: Vec<FailureExampleJson<'a>>,
}

#[derive(Serialize)]
struct FailureKindJson<'a> {
    kind: &'a str,
    inputs: u64,
    share: f64,
}

#[derive(Serialize)]
struct FailureExampleJson<'a> {
    path: &'a str,
    kind: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct SdkJson<'a> {
    id: &'a str,
    name: &'a str,
    name_zh: Option<&'a str>,
    vendor: Option<&'a str>,
    category: &'a str,
    #[serde(flatten)]
    counts: AppsShare,
}

#[derive(Serialize)]
struct VendorJson<'a> {
    vendor: Option<&'a str>,
    #[serde(flatten)]
    counts: AppsShare,
}

#[derive(Serialize)]
struct CategoryJson<'a> {
    category: &'a str,
    #[serde(flatten)]
    counts: AppsShare,
}

#[derive(Serialize)]
struct PermissionJson<'a> {
    name: &'a str,
    group: Option<&'a str>,
    special: Option<&'a str>,
    protection_level: Option<&'a str>,
    #[serde(flatten)]
    counts: AppsShare,
    unused_apps: u64,
    unused_share: f64,
}

#[derive(Serialize)]
struct GroupJson<'a> {
    group: &'a str,
    #[serde(flatten)]
    counts: AppsShare,
}

#[derive(Serialize)]
struct RuleJson<'a> {
    rule: &'a str,
    name: &'a str,
    title: &'a str,
    severity: &'a str,
    findings: u64,
    #[serde(flatten)]
    counts: AppsShare,
}

#[derive(Serialize)]
struct SeverityJson<'a> {
    severity: &'a str,
    findings: u64,
    #[serde(flatten)]
    counts: AppsShare,
}

#[derive(Serialize)]
struct PackerJson<'a> {
    id: &'a str,
    name: &'a str,
    vendor: Option<&'a str>,
    kind: &'a str,
    #[serde(flatten)]
    counts: AppsShare,
}

#[derive(Serialize)]
struct TopAppJson<'a> {
    path: &'a str,
    sha256: &'a str,
    package: Option<&'a str>,
    version_name: Option<&'a str>,
    findings: u64,
    /// In [`SEVERITIES`] order: a `Vec` of pairs serialises as a map in that order.
    #[serde(serialize_with = "ordered_map")]
    by_severity: Vec<(&'static str, u64)>,
}

fn ordered_map<S: serde::Serializer>(
    pairs: &[(&'static str, u64)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    if let Some(n) = map.get_mut(key) {
        *n += 1;
    } else {
        map.insert(key.to_owned(), 1);
    }
}

/// Entries by count (descending), then by key: a stable sort of the map's key order.
fn by_apps<K: Ord, V>(map: &BTreeMap<K, V>, apps: impl Fn(&V) -> u64) -> Vec<(&K, &V)> {
    let mut entries: Vec<(&K, &V)> = map.iter().collect();
    entries.sort_by_key(|(_, v)| Reverse(apps(v)));
    entries
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// `part` as a percentage of `whole`, rounded to two decimals; 0 when `whole` is 0.
#[allow(clippy::cast_precision_loss)] // counts of apps stay far below 2^52
fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 * 10_000.0 / whole as f64).round() / 100.0
}

fn percent_text(share: f64) -> String {
    format!("{share:.1}%")
}

fn share_cell(share: f64) -> String {
    format!("{share:.2}")
}

fn severity_counts_text(app: &TopApp, equals: &str, separator: &str) -> String {
    SEVERITIES
        .iter()
        .zip(app.by_severity)
        .map(|(severity, n)| format!("{severity}{equals}{n}"))
        .collect::<Vec<_>>()
        .join(separator)
}

/// Escapes what could rewrite a terminal: control characters (ANSI escapes, newlines) and
/// bidirectional overrides, which could make an untrusted name read as something else.
fn plain(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    };
    if !text.contains(unsafe_char) {
        return text.into();
    }
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if unsafe_char(c) {
            escaped.extend(c.escape_unicode());
        } else {
            escaped.push(c);
        }
    }
    escaped.into()
}

/// Appends an aligned table: the first `numeric` columns right-aligned, the last column
/// unpadded. Widths count characters, which is close enough for the mostly ASCII names.
fn table(s: &mut String, headers: &[&str], numeric: usize, rows: &[Vec<String>]) {
    if rows.is_empty() {
        s.push_str("  (none)\n");
        return;
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let header_row: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header_row).chain(rows) {
        let mut line = String::from(" ");
        let last = row.len().saturating_sub(1);
        for (i, (cell, width)) in row.iter().zip(&widths).enumerate() {
            line.push(' ');
            if i < numeric {
                let _ = write!(line, "{cell:>width$}");
            } else if i == last {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<width$}");
            }
            if i != last {
                line.push(' ');
            }
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use apkscope_facts::{Finding, InputFacts, PackerFacts, RequestedPermission, RulePackFacts};
    use serde_json::{Value, json};

    fn app(path: &str) -> AppFacts {
        let mut facts = AppFacts::new(InputFacts {
            path: path.into(),
            sha256: format!("sha-{path}"),
            size: 1,
        });
        facts.app.package = Some(format!("com.example.{path}"));
        facts.rule_pack = Some(RulePackFacts::default());
        facts
    }

    fn sdk(id: &str, vendor: Option<&str>, category: &str) -> SdkFacts {
        SdkFacts {
            id: id.into(),
            name: id.to_uppercase(),
            vendor: vendor.map(str::to_owned),
            category: category.into(),
            ..SdkFacts::default()
        }
    }

    fn finding(rule: &str, severity: &str) -> Finding {
        Finding {
            rule: rule.into(),
            name: format!("{rule}-name"),
            severity: severity.into(),
            title: format!("{rule} title"),
            ..Finding::default()
        }
    }

    fn permission(name: &str, group: Option<&str>, used: Option<bool>) -> RequestedPermission {
        RequestedPermission {
            name: name.into(),
            element: "uses-permission".into(),
            group: group.map(str::to_owned),
            used,
            ..RequestedPermission::default()
        }
    }

    fn json(summary: &Summary) -> Value {
        let mut out = Vec::new();
        summary.write_json(&mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn empty_summary_writes_every_format() {
        let summary = Summary::new();
        let value = json(&summary);
        assert_eq!(value["apps"]["scanned"], 0);
        assert_eq!(value["apps"]["failed_share"], 0.0);
        assert_eq!(value["sdks"], json!([]));
        let mut csv = Vec::new();
        summary.write_csv(&mut csv).unwrap();
        assert!(
            String::from_utf8(csv)
                .unwrap()
                .starts_with("\u{feff}section,key,")
        );
        let text = summary.render_text();
        assert!(text.starts_with("apkscope summary: 0 apps scanned, 0 failed (0 inputs)\n"));
        assert!(text.contains("SDKs (0 distinct)\n  (none)\n"));
    }

    #[test]
    fn an_sdk_twice_in_one_app_counts_once() {
        let mut facts = app("a");
        facts.sdks = vec![
            sdk("jpush", Some("Aurora"), "push"),
            sdk("jpush", Some("Aurora"), "push"),
            sdk("jcore", Some("Aurora"), "push"),
            sdk("anon", None, "ads"),
        ];
        let mut summary = Summary::new();
        summary.add_app(&facts);
        summary.add_app(&app("b"));
        let value = json(&summary);
        let ids: Vec<&str> = value["sdks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["anon", "jcore", "jpush"]);
        assert_eq!(value["sdks"][2]["apps"], 1);
        assert_eq!(value["sdks"][2]["share"], 50.0);
        assert_eq!(value["sdks"].as_array().unwrap().len(), 3);
        // Two SDKs of one vendor, one app.
        assert_eq!(
            value["sdk_vendors"][0],
            json!({"vendor": null, "apps": 1, "share": 50.0})
        );
        assert_eq!(value["sdk_vendors"][1]["vendor"], "Aurora");
        assert_eq!(value["sdk_vendors"][1]["apps"], 1);
        assert_eq!(value["sdk_categories"][0]["category"], "ads");
        assert_eq!(value["sdk_categories"][1]["apps"], 1);
    }

    #[test]
    fn apps_without_rules_count_in_the_denominator() {
        let mut bare = app("bare");
        bare.rule_pack = None;
        bare.permissions.requested.push(permission(
            "android.permission.CAMERA",
            Some("camera"),
            None,
        ));
        let mut summary = Summary::new();
        summary.add_app(&bare);
        let value = json(&summary);
        assert_eq!(value["apps"]["without_rule_pack"], 1);
        assert_eq!(value["apps"]["without_rule_pack_share"], 100.0);
        assert_eq!(value["permissions"][0]["apps"], 1);
        assert_eq!(value["permissions"][0]["unused_apps"], 0);
        assert_eq!(value["rules"], json!([]));
        assert_eq!(value["top_apps"], json!([]));
        assert!(
            summary
                .render_text()
                .contains("1 apps were scanned without a rule pack")
        );
    }

    #[test]
    fn permissions_count_once_per_app_and_own_package_folds() {
        let mut a = app("a");
        a.permissions.requested = vec![
            permission("android.permission.CAMERA", Some("camera"), Some(false)),
            permission("android.permission.CAMERA", Some("camera"), Some(false)),
            permission("com.example.a.permission.JPUSH_MESSAGE", None, None),
            permission(
                "android.permission.READ_CONTACTS",
                Some("contacts"),
                Some(true),
            ),
        ];
        let mut b = app("b");
        b.permissions.requested = vec![
            permission("android.permission.CAMERA", Some("camera"), Some(true)),
            permission("com.example.b.permission.JPUSH_MESSAGE", None, None),
        ];
        let mut summary = Summary::new();
        summary.add_app(&a);
        summary.add_app(&b);
        let value = json(&summary);
        let permissions = value["permissions"].as_array().unwrap();
        assert_eq!(permissions.len(), 3);
        assert_eq!(permissions[0]["name"], "android.permission.CAMERA");
        assert_eq!(permissions[0]["apps"], 2);
        assert_eq!(permissions[0]["unused_apps"], 1);
        assert_eq!(permissions[0]["unused_share"], 50.0);
        assert_eq!(permissions[1]["name"], "{package}.permission.JPUSH_MESSAGE");
        assert_eq!(permissions[1]["apps"], 2);
        assert_eq!(permissions[1]["group"], Value::Null);
        assert_eq!(
            value["permission_groups"][0],
            json!({"group": "camera", "apps": 2, "share": 100.0})
        );
        assert_eq!(value["permission_groups"][1]["group"], "contacts");
    }

    #[test]
    fn findings_tally_by_rule_and_severity() {
        let mut a = app("a");
        a.findings = vec![
            finding("PERM001", "medium"),
            finding("PERM001", "medium"),
            finding("API001", "high"),
            finding("X", "custom"),
        ];
        let mut b = app("b");
        b.findings = vec![finding("API001", "high")];
        let mut summary = Summary::new();
        summary.add_app(&a);
        summary.add_app(&b);
        summary.add_app(&app("c"));
        let value = json(&summary);
        assert_eq!(value["apps"]["with_findings"], 2);
        let rules = value["rules"].as_array().unwrap();
        assert_eq!(rules[0]["rule"], "API001");
        assert_eq!(rules[0]["apps"], 2);
        assert_eq!(rules[0]["findings"], 2);
        assert_eq!(rules[0]["share"], 66.67);
        assert_eq!(rules[1]["rule"], "PERM001");
        assert_eq!(rules[1]["findings"], 2);
        assert_eq!(rules[1]["name"], "PERM001-name");
        let severities: Vec<&str> = value["severities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["severity"].as_str().unwrap())
            .collect();
        assert_eq!(severities, ["high", "medium", "custom"]);
        assert_eq!(value["top_apps"][0]["path"], "a");
        assert_eq!(value["top_apps"][0]["findings"], 4);
        assert_eq!(value["top_apps"][0]["by_severity"]["medium"], 2);
        assert_eq!(value["top_apps"][1]["path"], "b");
        assert_eq!(value["top_apps"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn top_apps_keep_the_most_findings_whatever_the_order() {
        let apps: Vec<AppFacts> = (0..50)
            .map(|i| {
                let mut facts = app(&format!("app{i:02}"));
                facts.findings = (0..(i % 7)).map(|_| finding("R", "low")).collect();
                facts
            })
            .collect();
        let (mut forward, mut backward) = (Summary::new(), Summary::new());
        for a in &apps {
            forward.add_app(a);
        }
        for a in apps.iter().rev() {
            backward.add_app(a);
        }
        assert_eq!(forward.top_apps.len(), TOP_APPS);
        let (f, b) = (json(&forward), json(&backward));
        assert_eq!(f, b);
        let top = f["top_apps"].as_array().unwrap();
        assert_eq!(top.len(), TOP_APPS);
        assert_eq!(
            top[0],
            json!({
                "path": "app06", "sha256": "sha-app06", "package": "com.example.app06",
                "version_name": null, "findings": 6,
                "by_severity": {"critical": 0, "high": 0, "medium": 0, "low": 6, "info": 0},
            })
        );
        assert_eq!(top[1]["path"], "app13");
        let counts: Vec<u64> = top
            .iter()
            .map(|a| a["findings"].as_u64().unwrap())
            .collect();
        assert!(counts.windows(2).all(|w| w[0] >= w[1]));
        assert_eq!(*counts.last().unwrap(), 4);
    }

    #[test]
    fn failures_keep_a_few_examples() {
        let mut summary = Summary::new();
        for i in 0..30 {
            summary.add_failure(
                &format!("bad{i}.apk"),
                if i % 3 == 0 { "io" } else { "not_apk" },
                "no",
            );
        }
        summary.add_app(&app("ok"));
        let value = json(&summary);
        assert_eq!(value["apps"]["inputs"], 31);
        assert_eq!(value["apps"]["failed"], 30);
        assert_eq!(
            value["failures"]["examples"].as_array().unwrap().len(),
            FAILURE_EXAMPLES
        );
        assert_eq!(value["failures"]["examples"][0]["path"], "bad0.apk");
        assert_eq!(
            value["failures"]["by_kind"][0],
            json!({"kind": "not_apk", "inputs": 20, "share": 64.52})
        );
        assert!(
            summary
                .render_text()
                .contains("Failed inputs (first 20 of 30)")
        );
    }

    #[test]
    fn packers_count_packed_apps() {
        let mut a = app("a");
        let packer = PackerFacts {
            id: "jiagu-360".into(),
            name: "360 Jiagu".into(),
            kind: "packer".into(),
            ..PackerFacts::default()
        };
        a.packers = vec![packer.clone(), packer];
        let mut summary = Summary::new();
        summary.add_app(&a);
        summary.add_app(&app("b"));
        let value = json(&summary);
        assert_eq!(value["apps"]["packed"], 1);
        assert_eq!(value["packers"][0]["apps"], 1);
        assert_eq!(value["packers"][0]["share"], 50.0);
    }

    #[test]
    fn permission_names_are_capped() {
        let mut summary = Summary::new();
        for i in 0..MAX_PERMISSION_NAMES {
            summary
                .permissions
                .insert(format!("p{i}"), PermissionTally::default());
        }
        let mut a = app("a");
        a.permissions.requested = vec![
            permission("x.NEW1", None, None),
            permission("x.NEW2", None, None),
            permission("p1", None, None),
        ];
        summary.add_app(&a);
        assert_eq!(summary.permissions.len(), MAX_PERMISSION_NAMES + 1);
        assert_eq!(summary.permissions[OTHER_PERMISSIONS].apps, 1);
        assert_eq!(summary.permissions["p1"].apps, 1);
    }

    #[test]
    fn text_escapes_hostile_names_and_aligns() {
        let mut a = app("evil\u{1b}[31m\n.apk");
        a.sdks = vec![sdk("x", Some("Vendor\u{202e}gpj.exe"), "ads")];
        a.findings = vec![finding("R", "high")];
        let mut summary = Summary::new();
        summary.add_app(&a);
        let text = summary.render_text();
        assert!(!text.contains('\u{1b}'));
        assert!(!text.contains('\u{202e}'));
        assert!(text.contains("evil\\u{1b}[31m\\u{a}.apk"));
        assert!(text.contains("Vendor\\u{202e}gpj.exe"));
        assert!(text.contains("\n  apps   share  id  category  name  vendor\n     1  100.0%  x   ads       X     Vendor"));
        assert!(text.lines().all(|l| l == l.trim_end()));
    }
}
