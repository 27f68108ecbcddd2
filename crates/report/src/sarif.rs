//! SARIF 2.1.0 logs, for code-scanning services (GitHub code scanning, Azure DevOps, IDEs).
//!
//! One run per scanned app, one result per finding. A result is located in the APK itself
//! (`physicalLocation` names the APK as an artifact; APKs have no source lines) and in the
//! places inside it that the evidence names (`logicalLocations`: the entry, component,
//! permission, class, method, SDK, packer or API). `partialFingerprints` carries the finding's
//! fingerprint, which hashes the rule and the evidence names but no offsets, so services track a
//! finding across builds.
//!
//! [`SarifWriter`] streams a batch: the log's header is written first, then each run as soon as
//! its app is scanned, then the footer; only one run is in memory at a time.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};

use crate::locale::{Lang, tr};
use apkscope_facts::{AppFacts, Evidence, Finding, SCHEMA_VERSION, ToolFacts};
use serde::Serialize;

/// Metadata of one check for SARIF's `tool.driver.rules`; the CLI fills it from the rule pack.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleDescriptor {
    /// Check id, e.g. `PERM001`.
    pub id: String,
    /// Kebab-case name, e.g. `sensitive-permission-requested`.
    pub name: String,
    /// One-line title (`shortDescription`).
    pub title: String,
    /// What the check finds (`fullDescription`).
    pub what: String,
    /// Why it matters (first part of `help`).
    pub why: String,
    /// How to fix it (second part of `help`).
    pub remediation: String,
    /// `info`, `low`, `medium`, `high` or `critical` (`defaultConfiguration.level`).
    pub severity: String,
    /// Regulation clauses, standards and documentation (end of `help`, and `properties`).
    pub references: Vec<String>,
}

/// The schema SARIF consumers (editors, GitHub) recognise for 2.1.0.
const SARIF_SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SARIF_VERSION: &str = "2.1.0";
const APK_MIME_TYPE: &str = "application/vnd.android.package-archive";
const TOOL_NAME: &str = "apkscope";
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");
/// Runs are written inside the `runs` array, two levels deep.
const RUN_INDENT: &[u8] = b"    ";
/// GitHub shows rules tagged `security` with their `security-severity`.
const RULE_TAGS: [&str; 2] = ["privacy", "security"];

/// Streams one SARIF log; one run per app (so a batch is one log with many runs).
///
/// Call [`finish`](Self::finish): a writer dropped without it leaves the log unterminated.
pub struct SarifWriter<W: Write> {
    out: BufWriter<W>,
    rules: Vec<PreparedRule>,
    rule_index: HashMap<String, usize>,
    runs: usize,
    lang: Lang,
}

impl<W: Write> SarifWriter<W> {
    /// Writes the log's header; `rules` become every run's `tool.driver.rules`, in this order
    /// (a repeated id keeps its first descriptor).
    pub fn new(out: W, rules: Vec<RuleDescriptor>) -> io::Result<Self> {
        Self::new_in(out, rules, Lang::En)
    }

    /// As [`new`](Self::new), with result messages and the rules' help in `lang` (the
    /// descriptors' own texts are taken as given: pass them in that language).
    pub fn new_in(out: W, rules: Vec<RuleDescriptor>, lang: Lang) -> io::Result<Self> {
        let mut prepared = Vec::with_capacity(rules.len());
        let mut rule_index = HashMap::with_capacity(rules.len());
        for rule in rules {
            if !rule_index.contains_key(&rule.id) {
                rule_index.insert(rule.id.clone(), prepared.len());
                prepared.push(PreparedRule::new(rule, lang));
            }
        }
        let mut out = BufWriter::new(out);
        write!(
            out,
            "{{\n  \"$schema\": \"{SARIF_SCHEMA_URI}\",\n  \"version\": \"{SARIF_VERSION}\",\n  \"runs\": ["
        )?;
        Ok(Self {
            out,
            rules: prepared,
            rule_index,
            runs: 0,
            lang,
        })
    }

    /// Writes the run of one scanned app: its findings as results.
    pub fn write_run(&mut self, facts: &AppFacts) -> io::Result<()> {
        let uri = artifact_uri(&facts.input.path);
        let extra = self.rules_missing_from_the_pack(&facts.findings);
        let mut rules: Vec<&PreparedRule> = self.rules.iter().collect();
        rules.extend(extra.iter());
        let results = facts
            .findings
            .iter()
            .map(|finding| {
                let index = self.rule_index.get(&finding.rule).copied().or_else(|| {
                    extra
                        .iter()
                        .position(|rule| rule.descriptor.id == finding.rule)
                        .map(|position| self.rules.len() + position)
                });
                SarifResult::new(finding, index, &uri, self.lang)
            })
            .collect();
        let sha256 = facts.input.sha256.as_str();
        let run = Run {
            tool: Tool {
                driver: Driver {
                    name: TOOL_NAME,
                    version: &facts.tool.version,
                    information_uri: INFORMATION_URI,
                    rules: rules.into_iter().map(PreparedRule::view).collect(),
                    notifications: Vec::new(),
                },
            },
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: Vec::new(),
            }],
            automation_details: AutomationDetails::new(
                facts.app.package.as_deref().unwrap_or(&facts.input.path),
                sha256,
            ),
            artifacts: [Artifact {
                location: ArtifactLocation {
                    uri: &uri,
                    index: None,
                },
                length: Some(facts.input.size),
                roles: ["analysisTarget"],
                mime_type: APK_MIME_TYPE,
                hashes: (!sha256.is_empty()).then_some(Hashes { sha256 }),
            }],
            results: Some(results),
            properties: RunProperties {
                schema_version: &facts.schema_version,
                package: facts.app.package.as_deref(),
                version_name: facts.app.version_name.as_deref(),
                version_code: facts.app.version_code,
                rule_pack_hash: facts.rule_pack.as_ref().map(|pack| pack.hash.as_str()),
                error_kind: None,
            },
        };
        write_run_value(&mut self.out, &mut self.runs, &run)
    }

    /// A run for an input that could not be analysed: invocation `executionSuccessful` false,
    /// with a `toolExecutionNotification` carrying `kind` and `message`; no results.
    pub fn write_failed_run(&mut self, path: &str, kind: &str, message: &str) -> io::Result<()> {
        let uri = artifact_uri(path);
        let tool = ToolFacts::default();
        let location = Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: &uri,
                    index: Some(0),
                },
            },
            logical_locations: Vec::new(),
        };
        let run = Run {
            tool: Tool {
                driver: Driver {
                    name: TOOL_NAME,
                    version: &tool.version,
                    information_uri: INFORMATION_URI,
                    rules: Vec::new(),
                    notifications: vec![NotificationDescriptor {
                        id: kind,
                        short_description: Message {
                            text: Cow::Owned(format!("The input could not be analysed ({kind}).")),
                        },
                    }],
                },
            },
            invocations: [Invocation {
                execution_successful: false,
                tool_execution_notifications: vec![Notification {
                    level: "error",
                    message: Message {
                        text: non_empty(message, kind),
                    },
                    descriptor: DescriptorReference { id: kind, index: 0 },
                    locations: [location],
                    properties: NotificationProperties { kind },
                }],
            }],
            automation_details: AutomationDetails::new(path, ""),
            artifacts: [Artifact {
                location: ArtifactLocation {
                    uri: &uri,
                    index: None,
                },
                length: None,
                roles: ["analysisTarget"],
                mime_type: APK_MIME_TYPE,
                hashes: None,
            }],
            // Absent, not empty: the input was not analysed, so "no findings" would be a lie.
            results: None,
            properties: RunProperties {
                schema_version: SCHEMA_VERSION,
                package: None,
                version_name: None,
                version_code: None,
                rule_pack_hash: None,
                error_kind: Some(kind),
            },
        };
        write_run_value(&mut self.out, &mut self.runs, &run)
    }

    /// Closes the log and returns the output; a log without runs is valid (an empty batch).
    pub fn finish(mut self) -> io::Result<W> {
        if self.runs == 0 {
            self.out.write_all(b"]\n}\n")?;
        } else {
            self.out.write_all(b"\n  ]\n}\n")?;
        }
        self.out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
    }

    /// Rules that findings name but the descriptors do not (a finding of a rule added after the
    /// descriptors were built still needs its rule), sorted by id.
    fn rules_missing_from_the_pack(&self, findings: &[Finding]) -> Vec<PreparedRule> {
        let mut missing: BTreeMap<&str, &Finding> = BTreeMap::new();
        for finding in findings {
            if !self.rule_index.contains_key(&finding.rule) {
                missing.entry(finding.rule.as_str()).or_insert(finding);
            }
        }
        missing
            .into_values()
            .map(|finding| {
                PreparedRule::new(
                    RuleDescriptor {
                        id: finding.rule.clone(),
                        name: finding.name.clone(),
                        title: finding.title.clone(),
                        severity: finding.severity.clone(),
                        references: finding.references.clone(),
                        ..RuleDescriptor::default()
                    },
                    self.lang,
                )
            })
            .collect()
    }
}

/// Writes one run after the previous ones; a free function so that the run may borrow the
/// writer's rules while the output is borrowed mutably.
fn write_run_value<W: Write>(out: &mut W, runs: &mut usize, run: &Run<'_>) -> io::Result<()> {
    out.write_all(if *runs == 0 { b"\n" } else { b",\n" })?;
    out.write_all(RUN_INDENT)?;
    serde_json::to_writer_pretty(Indented(out), run)?;
    *runs += 1;
    Ok(())
}

/// One app, one log.
pub fn write_sarif(
    facts: &AppFacts,
    rules: &[RuleDescriptor],
    out: &mut dyn Write,
) -> io::Result<()> {
    write_sarif_in(facts, rules, Lang::En, out)
}

/// One app, one log, with messages in `lang`.
pub fn write_sarif_in(
    facts: &AppFacts,
    rules: &[RuleDescriptor],
    lang: Lang,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut writer = SarifWriter::new_in(out, rules.to_vec(), lang)?;
    writer.write_run(facts)?;
    writer.finish()?.flush()
}

/// A rule with its help rendered once for every run of the log.
struct PreparedRule {
    descriptor: RuleDescriptor,
    help_text: String,
    help_markdown: String,
}

impl PreparedRule {
    fn new(descriptor: RuleDescriptor, lang: Lang) -> Self {
        let mut text = Vec::new();
        let mut markdown = Vec::new();
        if !descriptor.why.is_empty() {
            text.push(descriptor.why.clone());
            markdown.push(markdown_escape(&descriptor.why));
        }
        if !descriptor.remediation.is_empty() {
            let remediation = tr(lang, "Remediation");
            text.push(format!("{remediation}: {}", descriptor.remediation));
            markdown.push(format!(
                "**{remediation}.** {}",
                markdown_escape(&descriptor.remediation)
            ));
        }
        if !descriptor.references.is_empty() {
            let references = tr(lang, "References");
            text.push(format!(
                "{references}: {}",
                descriptor.references.join("; ")
            ));
            let items: Vec<String> = descriptor
                .references
                .iter()
                .map(|reference| format!("- {}", markdown_reference(reference)))
                .collect();
            markdown.push(format!("**{references}**\n\n{}", items.join("\n")));
        }
        Self {
            help_text: text.join("\n\n"),
            help_markdown: markdown.join("\n\n"),
            descriptor,
        }
    }

    fn view(&self) -> Rule<'_> {
        let d = &self.descriptor;
        let short = [d.title.as_str(), d.name.as_str(), d.id.as_str()]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or_default();
        Rule {
            id: &d.id,
            name: (!d.name.is_empty()).then_some(d.name.as_str()),
            short_description: Message {
                text: Cow::Borrowed(short),
            },
            full_description: (!d.what.is_empty()).then_some(Message {
                text: Cow::Borrowed(d.what.as_str()),
            }),
            help: (!self.help_text.is_empty()).then(|| MultiformatMessage {
                text: &self.help_text,
                markdown: &self.help_markdown,
            }),
            default_configuration: Configuration {
                level: level(&d.severity),
            },
            properties: RuleProperties {
                tags: RULE_TAGS,
                security_severity: security_severity(&d.severity),
                severity: &d.severity,
                references: &d.references,
            },
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation<'a>; 1],
    automation_details: AutomationDetails,
    artifacts: [Artifact<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    results: Option<Vec<SarifResult<'a>>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    information_uri: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rules: Vec<Rule<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notifications: Vec<NotificationDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    short_description: Message<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Message<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<MultiformatMessage<'a>>,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    tags: [&'static str; 2],
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
    severity: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    references: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationDescriptor<'a> {
    id: &'a str,
    short_description: Message<'a>,
}

#[derive(Serialize)]
struct Message<'a> {
    text: Cow<'a, str>,
}

#[derive(Serialize)]
struct MultiformatMessage<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Serialize)]
struct Notification<'a> {
    level: &'static str,
    message: Message<'a>,
    descriptor: DescriptorReference<'a>,
    locations: [Location<'a>; 1],
    properties: NotificationProperties<'a>,
}

#[derive(Serialize)]
struct DescriptorReference<'a> {
    id: &'a str,
    index: usize,
}

#[derive(Serialize)]
struct NotificationProperties<'a> {
    kind: &'a str,
}

/// `runAutomationDetails`: its id (`category/run`) keeps the runs of a batch apart, since GitHub
/// refuses a log with two runs of the same tool and category.
#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

impl AutomationDetails {
    fn new(subject: &str, run: &str) -> Self {
        Self {
            id: format!("{TOOL_NAME}/{subject}/{run}"),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Artifact<'a> {
    location: ArtifactLocation<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    length: Option<u64>,
    roles: [&'static str; 1],
    mime_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    hashes: Option<Hashes<'a>>,
}

#[derive(Serialize)]
struct Hashes<'a> {
    #[serde(rename = "sha-256")]
    sha256: &'a str,
}

#[derive(Serialize)]
struct ArtifactLocation<'a> {
    uri: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    schema_version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    package: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_pack_hash: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_kind: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message<'a>,
    locations: [Location<'a>; 1],
    /// The call chain of a finding about when code runs: one thread flow, a location per hop.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    code_flows: Vec<CodeFlow<'a>>,
    partial_fingerprints: Fingerprints<'a>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CodeFlow<'a> {
    thread_flows: [ThreadFlow<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ThreadFlow<'a> {
    locations: Vec<ThreadFlowLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ThreadFlowLocation<'a> {
    location: HopLocation<'a>,
    nesting_level: usize,
    execution_order: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HopLocation<'a> {
    physical_location: PhysicalLocation<'a>,
    logical_locations: [LogicalLocation<'a>; 1],
    message: Message<'a>,
}

/// A finding's chain as a SARIF code flow: each hop a function, in call order, its message
/// how it was reached and the pc of the call it makes.
fn code_flows<'a>(finding: &'a Finding, uri: &'a str) -> Vec<CodeFlow<'a>> {
    if finding.chain.is_empty() {
        return Vec::new();
    }
    let locations = finding
        .chain
        .iter()
        .enumerate()
        .map(|(i, hop)| ThreadFlowLocation {
            location: HopLocation {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri,
                        index: Some(0),
                    },
                },
                logical_locations: [LogicalLocation {
                    name: &hop.method,
                    fully_qualified_name: Some(&hop.method),
                    kind: "function",
                }],
                message: Message {
                    text: non_empty(&hop.via, "call"),
                },
            },
            nesting_level: i,
            execution_order: i + 1,
        })
        .collect();
    vec![CodeFlow {
        thread_flows: [ThreadFlow { locations }],
    }]
}

impl<'a> SarifResult<'a> {
    fn new(finding: &'a Finding, rule_index: Option<usize>, uri: &'a str, lang: Lang) -> Self {
        let message = [
            lang.pick(&finding.message, finding.message_zh.as_deref()),
            finding.title.as_str(),
            finding.rule.as_str(),
        ]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_default();
        Self {
            rule_id: &finding.rule,
            rule_index,
            level: level(&finding.severity),
            message: Message {
                text: non_empty(message, "finding"),
            },
            locations: [Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri,
                        index: Some(0),
                    },
                },
                logical_locations: logical_locations(&finding.evidence),
            }],
            code_flows: code_flows(finding, uri),
            partial_fingerprints: Fingerprints {
                finding_hash: &finding.fingerprint,
            },
            properties: ResultProperties {
                severity: &finding.severity,
                evidence: &finding.evidence,
            },
        }
    }
}

#[derive(Serialize)]
struct Fingerprints<'a> {
    #[serde(rename = "apkscopeFindingHash/v1")]
    finding_hash: &'a str,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    severity: &'a str,
    evidence: &'a Evidence,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
}

#[derive(Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fully_qualified_name: Option<&'a str>,
    kind: &'static str,
}

/// The places inside the APK a finding names, with SARIF's well-known kinds where one fits.
fn logical_locations(evidence: &Evidence) -> Vec<LogicalLocation<'_>> {
    // (value, kind, whether the value is already fully qualified)
    let places = [
        (&evidence.entry, "resource", false),
        (&evidence.component, "element", true),
        (&evidence.permission, "element", false),
        (&evidence.class, "type", true),
        (&evidence.method, "function", true),
        (&evidence.sdk, "module", false),
        (&evidence.packer, "module", false),
        (&evidence.api, "member", true),
        (&evidence.certificate, "object", false),
    ];
    let mut locations: Vec<LogicalLocation<'_>> = Vec::with_capacity(places.len());
    for (value, kind, qualified) in places {
        let Some(name) = value.as_deref() else {
            continue;
        };
        let location = LogicalLocation {
            name,
            fully_qualified_name: qualified.then_some(name),
            kind,
        };
        // SARIF wants the list without repeats; an SDK and a packer, or a component and a
        // permission, may carry the same name.
        if !locations.contains(&location) {
            locations.push(location);
        }
    }
    locations
}

/// SARIF `level` of an apkscope severity.
fn level(severity: &str) -> &'static str {
    match severity {
        "critical" | "high" => "error",
        "low" | "info" => "note",
        // `medium`, and anything a future pack may add, is worth a look.
        _ => "warning",
    }
}

/// GitHub's `security-severity` (0.1–10, CVSS bands: 9+ critical, 7+ high, 4+ medium, else
/// low); `info` has none so that it is not shown as a security alert.
fn security_severity(severity: &str) -> Option<&'static str> {
    match severity {
        "critical" => Some("9.5"),
        "high" => Some("8.0"),
        "medium" => Some("5.5"),
        "low" => Some("3.0"),
        _ => None,
    }
}

fn non_empty<'a>(text: &'a str, fallback: &'a str) -> Cow<'a, str> {
    Cow::Borrowed(if text.is_empty() { fallback } else { text })
}

/// The input path as a URI reference: relative paths stay relative, absolute ones become
/// `file://` URIs; every byte outside the unreserved set and `/` is percent-encoded, so spaces,
/// `#`, `?`, `%`, `:` (which would read as a scheme) and non-ASCII names survive.
fn artifact_uri(path: &str) -> String {
    let path: Cow<'_, str> = if cfg!(windows) {
        Cow::Owned(path.replace('\\', "/"))
    } else {
        Cow::Borrowed(path)
    };
    let mut uri = String::with_capacity(path.len() + 8);
    let mut rest = path.as_ref();
    if cfg!(windows) && has_drive_letter(rest) {
        uri.push_str("file:///");
        uri.push_str(rest.get(..2).unwrap_or_default());
        rest = rest.get(2..).unwrap_or_default();
    } else if rest.starts_with('/') {
        uri.push_str("file://");
    }
    for byte in rest.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            let _ = write!(uri, "%{byte:02X}");
        }
    }
    uri
}

fn has_drive_letter(path: &str) -> bool {
    let bytes = path.as_bytes();
    matches!(bytes, [letter, b':', b'/', ..] if letter.is_ascii_alphabetic())
}

/// Escapes the characters Markdown would read as markup; rule prose is plain text.
fn markdown_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '&' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A reference as Markdown: a web address becomes a link, anything else (a regulation clause)
/// stays text.
fn markdown_reference(reference: &str) -> String {
    let is_link = (reference.starts_with("https://") || reference.starts_with("http://"))
        && !reference
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if is_link {
        format!("<{reference}>")
    } else {
        markdown_escape(reference)
    }
}

/// Indents every line after the first, so a run serialised at depth 0 sits inside `runs`.
/// JSON strings never hold a raw newline, so only structural line breaks are indented.
struct Indented<'w, W: Write>(&'w mut W);

impl<W: Write> Write for Indented<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for line in buf.split_inclusive(|&b| b == b'\n') {
            self.0.write_all(line)?;
            if line.ends_with(b"\n") {
                self.0.write_all(RUN_INDENT)?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(artifact_uri("app.apk"), "app.apk");
        assert_eq!(artifact_uri("out/my app.apk"), "out/my%20app.apk");
        assert_eq!(
            artifact_uri("/tmp/a#b?c%.apk"),
            "file:///tmp/a%23b%3Fc%25.apk"
        );
        assert_eq!(artifact_uri("c:x.apk"), "c%3Ax.apk");
        assert_eq!(artifact_uri("应用.apk"), "%E5%BA%94%E7%94%A8.apk");
        assert_eq!(artifact_uri("../a\"<b>.apk"), "../a%22%3Cb%3E.apk");
    }

    #[test]
    fn severities_map_to_levels() {
        assert_eq!(level("critical"), "error");
        assert_eq!(level("high"), "error");
        assert_eq!(level("medium"), "warning");
        assert_eq!(level("low"), "note");
        assert_eq!(level("info"), "note");
        assert_eq!(security_severity("info"), None);
        assert_eq!(security_severity("high"), Some("8.0"));
    }

    #[test]
    fn markdown_help_escapes_prose_and_links_addresses() {
        let rule = PreparedRule::new(
            RuleDescriptor {
                id: "X001".into(),
                why: "Reads <uses-permission> *now*".into(),
                remediation: "Drop it".into(),
                references: vec![
                    "https://example.com/a_b".into(),
                    "GB/T 41391-2022:6.5".into(),
                ],
                ..RuleDescriptor::default()
            },
            Lang::En,
        );
        assert_eq!(
            rule.help_markdown,
            "Reads \\<uses-permission\\> \\*now\\*\n\n**Remediation.** Drop it\n\n\
             **References**\n\n- <https://example.com/a_b>\n- GB/T 41391-2022:6.5"
        );
        assert!(
            rule.help_text
                .ends_with("References: https://example.com/a_b; GB/T 41391-2022:6.5")
        );
    }

    #[test]
    fn indentation_skips_nothing() {
        let mut out = Vec::new();
        Indented(&mut out).write_all(b"{\n\"a\": 1\n}").unwrap();
        assert_eq!(out, b"{\n    \"a\": 1\n    }");
    }
}
