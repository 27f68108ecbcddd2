//! The self-contained HTML report: one file that opens anywhere, offline, and prints.
//!
//! Everything the page needs is inline (CSS, SVG charts, system fonts only) and a
//! Content-Security-Policy forbids every fetch, so a report can be mailed or archived and an
//! accidental external reference fails loudly in the browser console instead of phoning home.
//! Every string from the app is escaped: labels, class names and URLs come from hostile APKs.
//! The key numbers are repeated as `data-*` attributes on each app's `<section>` so that tools and
//! tests read them without scraping text; they are the same in every language.
//!
//! The page is written in a [`Lang`]: interface text through [`tr`] (keyed by its English
//! wording, Chinese from `locale/zh.tsv`), vocabulary through [`label`], and what the facts carry
//! in two forms (messages, check texts, PI type names, reference titles) through [`Lang::pick`].
//! A finding shows its owner, PI type, confidence and the reason for its severity; each check
//! that fired is explained once (what it looks for, why it matters, what to do, and the texts it
//! cites, expanded), and every finding links to its check.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::io::{self, Write};

use apkscope_facts::{
    AnomalyFact, AppFacts, CheckFacts, Finding, PiTypeFacts, ReferenceFacts, SdkFacts, ToolFacts,
};

use crate::locale::{Lang, label, tr};

mod findings;
mod network;

/// Nothing may load: no scripts, fonts, frames or remote images. Inline `<style>` and `data:`
/// images are the only exceptions the report itself needs.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; \
     img-src data:; base-uri 'none'; form-action 'none'";

/// Severities from the most to the least severe, the order a reader triages in.
const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

/// Google Play refuses new apps signed with a certificate whose validity ends before this day.
const PLAY_MINIMUM_VALIDITY_END: &str = "2033-10-22";

/// Streams one HTML document: a header, one section per app, a footer. One app or a batch.
///
/// Each app is rendered and written as it comes, so a batch never holds more than one app's
/// page in memory; only a line per app is kept for the batch index written by
/// [`HtmlWriter::finish`].
pub struct HtmlWriter<W: Write> {
    out: W,
    lang: Lang,
    entries: Vec<IndexEntry>,
}

/// What the batch index says about one input.
struct IndexEntry {
    anchor: String,
    name: String,
    outcome: Outcome,
}

enum Outcome {
    Analysed {
        package: String,
        by_severity: [usize; 5],
        findings: usize,
        sdks: usize,
        packed: bool,
    },
    Failed {
        kind: String,
    },
}

impl<W: Write> HtmlWriter<W> {
    /// Writes the document head (title, security policy, styles) and the page header, in
    /// English.
    pub fn new(out: W, title: &str) -> io::Result<Self> {
        Self::new_in(out, title, Lang::En)
    }

    /// Writes the document head and the page header of a report in `lang` (`<html lang>`
    /// follows it); every app and failure section, the batch index and the footer are then
    /// written in `lang` too.
    pub fn new_in(mut out: W, title: &str, lang: Lang) -> io::Result<Self> {
        let mut s = String::new();
        render_head(&mut s, title, lang).map_err(format_error)?;
        out.write_all(s.as_bytes())?;
        Ok(Self {
            out,
            lang,
            entries: Vec::new(),
        })
    }

    /// Writes one app's section.
    pub fn write_app(&mut self, facts: &AppFacts) -> io::Result<()> {
        let anchor = self.next_anchor();
        let mut s = String::new();
        let page = Page::new(facts, &anchor, self.lang);
        render_app(&mut s, &page).map_err(format_error)?;
        self.out.write_all(s.as_bytes())?;
        let counts = SeverityCounts::of(&facts.findings);
        self.entries.push(IndexEntry {
            anchor,
            name: display_name(facts).to_owned(),
            outcome: Outcome::Analysed {
                package: facts.app.package.clone().unwrap_or_default(),
                by_severity: counts.known,
                findings: facts.findings.len(),
                sdks: facts.sdks.len(),
                packed: !facts.packers.is_empty(),
            },
        });
        Ok(())
    }

    /// Writes a short section for an input that could not be analysed.
    pub fn write_failure(&mut self, path: &str, kind: &str, message: &str) -> io::Result<()> {
        let anchor = self.next_anchor();
        let mut s = String::new();
        render_failure(&mut s, self.lang, &anchor, path, kind, message).map_err(format_error)?;
        self.out.write_all(s.as_bytes())?;
        self.entries.push(IndexEntry {
            anchor,
            name: path.to_owned(),
            outcome: Outcome::Failed {
                kind: kind.to_owned(),
            },
        });
        Ok(())
    }

    /// Writes the batch index (when there was more than one input) and the footer, closes the
    /// document and hands the writer back.
    pub fn finish(mut self) -> io::Result<W> {
        let mut s = String::new();
        render_end(&mut s, self.lang, &self.entries).map_err(format_error)?;
        self.out.write_all(s.as_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn next_anchor(&self) -> String {
        format!("app-{}", self.entries.len() + 1)
    }
}

/// The one-page form, on a writer to any `&mut dyn Write`: `HtmlWriter::write_page(…)` needs no
/// type annotation.
impl HtmlWriter<&mut dyn Write> {
    /// One app, one page, in `lang` (the title names the app).
    pub fn write_page(facts: &AppFacts, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
        let title = fill(
            tr(lang, "apkscope report: {name}"),
            &[("name", display_name(facts))],
        );
        let mut writer = HtmlWriter::new_in(out, &title, lang)?;
        writer.write_app(facts)?;
        writer.finish()?;
        Ok(())
    }

    /// The title of a batch's page in `lang`: `apkscope — 3 apps`.
    pub fn batch_title(lang: Lang, apps: usize) -> String {
        fill(tr(lang, "apkscope — {n} apps"), &[("n", &apps.to_string())])
    }
}

/// One app, one page, in English.
pub fn write_html(facts: &AppFacts, out: &mut dyn Write) -> io::Result<()> {
    HtmlWriter::write_page(facts, Lang::En, out)
}

/// Formatting into a `String` only fails if a `Display` impl does; surface that as I/O.
fn format_error(_: fmt::Error) -> io::Error {
    io::Error::other("formatting the HTML report failed")
}

/// One app's page: its language, its anchor and lookups into its facts.
struct Page<'a> {
    lang: Lang,
    facts: &'a AppFacts,
    anchor: &'a str,
    pi_types: BTreeMap<&'a str, &'a PiTypeFacts>,
    checks: BTreeMap<&'a str, &'a CheckFacts>,
    references: BTreeMap<&'a str, &'a ReferenceFacts>,
    sdks: BTreeMap<&'a str, &'a SdkFacts>,
    /// Names of the libraries findings name as owners (`osmdroid`, `AndroidX`).
    library_names: BTreeMap<&'a str, &'a str>,
}

impl<'a> Page<'a> {
    fn new(facts: &'a AppFacts, anchor: &'a str, lang: Lang) -> Self {
        Self {
            lang,
            facts,
            anchor,
            pi_types: facts.pi_types.iter().map(|t| (t.id.as_str(), t)).collect(),
            checks: facts.checks.iter().map(|c| (c.id.as_str(), c)).collect(),
            references: facts
                .references
                .iter()
                .map(|r| (r.id.as_str(), r))
                .collect(),
            sdks: facts.sdks.iter().map(|s| (s.id.as_str(), s)).collect(),
            library_names: facts
                .findings
                .iter()
                .filter_map(|f| f.owner.as_ref())
                .filter(|o| o.kind.ends_with("library"))
                .filter_map(|o| Some((o.id.as_str(), o.name.as_deref()?)))
                .collect(),
        }
    }

    fn tr(&self, en: &'static str) -> &'static str {
        tr(self.lang, en)
    }

    /// A PI type's name in the page's language; the id when the facts do not describe it.
    fn pi_label<'s>(&'s self, id: &'s str) -> &'s str {
        self.pi_types
            .get(id)
            .map_or(id, |t| self.lang.pick(&t.name, Some(t.name_zh.as_str())))
    }

    /// A PI type as a chip, with its id as a tooltip and a mark when it is sensitive.
    fn pi_chip(&self, id: &str) -> String {
        let mut out = format!(
            "<span class=\"chip\" title=\"{}\">{}</span>",
            Esc(id),
            Esc(self.pi_label(id))
        );
        if self.pi_types.get(id).is_some_and(|t| t.sensitive) {
            out.push_str(&self.sensitive_mark());
        }
        out
    }

    fn pi_chips(&self, ids: &[String]) -> String {
        let mut out = String::new();
        for id in ids {
            out.push_str(&self.pi_chip(id));
            out.push(' ');
        }
        out
    }

    fn sensitive_mark(&self) -> String {
        format!(
            "<span class=\"flag sensitive\" title=\"{}\">{}</span>",
            Esc(self.tr("Sensitive personal information as GB/T 35273-2020 annex B lists it")),
            Esc(self.tr("sensitive"))
        )
    }

    /// An SDK's name in the page's language.
    fn sdk_name<'s>(&'s self, sdk: &'s SdkFacts) -> &'s str {
        self.lang.pick(&sdk.name, sdk.name_zh.as_deref())
    }

    /// The name of an owner id (`PiAccess::by`, `used_by`, endpoint owners) as text.
    fn owner_text<'s>(&'s self, id: &'s str) -> &'s str {
        match id {
            "app" => self.tr("the app's own code"),
            "unattributed" => self.tr("unattributed code"),
            other => match self.sdks.get(other) {
                Some(sdk) => self.sdk_name(sdk),
                None => self.library_names.get(other).copied().unwrap_or(other),
            },
        }
    }

    /// Owner ids as HTML: SDK and library names, the two special owners in italics.
    fn owners(&self, ids: &[String]) -> String {
        let mut out = Vec::new();
        for id in ids {
            out.push(match id.as_str() {
                "app" | "unattributed" => format!("<em>{}</em>", Esc(self.owner_text(id))),
                other if self.owner_text(other) == other => format!("<code>{}</code>", Esc(id)),
                other => format!(
                    "<span title=\"{}\">{}</span>",
                    Esc(other),
                    Esc(self.owner_text(other))
                ),
            });
        }
        out.join(", ")
    }

    /// A protection level (`signature|privileged`) in the page's language, as HTML that may
    /// wrap after each `|`.
    fn protection(&self, level: &str) -> String {
        let parts: Vec<String> = level
            .split('|')
            .map(|part| Esc(label(self.lang, "protection", part)).to_string())
            .collect();
        parts.join("|<wbr>")
    }

    /// What follows a label ending in a colon: a space after `Note:`, nothing after `注：`.
    fn after_colon(&self) -> &'static str {
        match self.lang {
            Lang::En => " ",
            Lang::Zh => "",
        }
    }

    /// `a, b, c` in English, `a、b、c` in Chinese.
    fn join(&self, items: &[&str]) -> String {
        items.join(match self.lang {
            Lang::En => ", ",
            Lang::Zh => "、",
        })
    }
}

/// Escapes text for HTML element content and quoted attribute values.
///
/// Control characters and bidirectional overrides are shown as `[U+XXXX]`: a label carrying
/// U+202E could otherwise display a different name than the one the app really has.
pub(crate) struct Esc<'a>(pub(crate) &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '&' => f.write_str("&amp;")?,
                '<' => f.write_str("&lt;")?,
                '>' => f.write_str("&gt;")?,
                '"' => f.write_str("&quot;")?,
                '\'' => f.write_str("&#39;")?,
                '\n' | '\t' => f.write_char(c)?,
                c if c.is_control() || is_bidi_control(c) => {
                    write!(f, "[U+{:04X}]", u32::from(c))?;
                }
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `template` with each `{name}` replaced by its value, in one pass (a value holding `{…}` is
/// not expanded again); a `{` that names no value stays as it is.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        let named = after.split_once('}').and_then(|(name, tail)| {
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, value)| (*value, tail))
        });
        if let Some((value, tail)) = named {
            out.push_str(value);
            rest = tail;
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// [`fill`] for HTML: the template is escaped, the values are inserted as given (HTML the
/// caller built or escaped).
fn fill_html(template: &str, values: &[(&str, &str)]) -> String {
    fill(&Esc(template).to_string(), values)
}

/// `1 class` or `2 classes`: `one` and `many` are interface texts, `many` holds `{n}`.
fn count<N: fmt::Display + PartialEq + From<u8> + Copy>(n: N, one: &str, many: &str) -> String {
    if n == N::from(1) {
        one.to_owned()
    } else {
        fill(many, &[("n", &n.to_string())])
    }
}

/// The name a reader knows the app by: its label, else its package, else the file.
fn display_name(facts: &AppFacts) -> &str {
    facts
        .app
        .label
        .as_deref()
        .filter(|l| !l.trim().is_empty())
        .or(facts.app.package.as_deref())
        .unwrap_or(&facts.input.path)
}

/// Findings counted by severity, in [`SEVERITIES`] order; `other` holds unknown severities.
struct SeverityCounts {
    known: [usize; 5],
    other: usize,
}

impl SeverityCounts {
    fn of(findings: &[Finding]) -> Self {
        let mut counts = Self {
            known: [0; 5],
            other: 0,
        };
        for finding in findings {
            match SEVERITIES
                .iter()
                .position(|s| *s == finding.severity)
                .and_then(|slot| counts.known.get_mut(slot))
            {
                Some(n) => *n += 1,
                None => counts.other += 1,
            }
        }
        counts
    }
}

/// A severity as a coloured badge with its label in `lang`.
fn severity_badge(lang: Lang, severity: &str) -> String {
    let class = if SEVERITIES.contains(&severity) {
        severity
    } else {
        "other"
    };
    format!(
        "<span class=\"sev sev-{class}\">{}</span>",
        Esc(label(lang, "severity", severity))
    )
}

fn render_head(s: &mut String, title: &str, lang: Lang) -> fmt::Result {
    let version = ToolFacts::default().version;
    writeln!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light\">\n\
         <meta name=\"generator\" content=\"apkscope {v}\">\n\
         <title>{t}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<div class=\"page\">\n\
         <header class=\"report-header\">\n<h1>{t}</h1>\n<p class=\"muted\">{intro}</p>\n\
         </header>",
        code = lang.code(),
        t = Esc(title),
        v = Esc(&version),
        intro = fill_html(
            tr(
                lang,
                "apkscope {version} · static analysis of the APK file: what its code and manifest can do, not what was observed at run time. Signatures are reported, not verified."
            ),
            &[("version", &Esc(&version).to_string())]
        ),
    )
}

fn render_end(s: &mut String, lang: Lang, entries: &[IndexEntry]) -> fmt::Result {
    let failures = entries
        .iter()
        .filter(|e| matches!(e.outcome, Outcome::Failed { .. }))
        .count();
    let apps = entries.len() - failures;
    if entries.len() > 1 {
        render_batch_index(s, lang, entries, apps, failures)?;
    }
    let version = ToolFacts::default().version;
    writeln!(
        s,
        "<footer class=\"report-footer\" data-apps=\"{apps}\" data-failures=\"{failures}\">\n\
         <p>{}</p>\n</footer>\n</div>\n</body>\n</html>",
        fill_html(
            tr(
                lang,
                "{apps} app(s) analysed, {failures} input(s) failed. Generated by apkscope {version}. This file is self-contained: it loads nothing from the network."
            ),
            &[
                ("apps", &apps.to_string()),
                ("failures", &failures.to_string()),
                ("version", &Esc(&version).to_string()),
            ]
        ),
    )
}

fn render_batch_index(
    s: &mut String,
    lang: Lang,
    entries: &[IndexEntry],
    apps: usize,
    failures: usize,
) -> fmt::Result {
    write!(
        s,
        "<nav class=\"batch-index\" aria-label=\"{}\">\n<h2>{}</h2>\n\
         <table class=\"compact\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th>",
        Esc(tr(lang, "Batch index")),
        fill_html(
            tr(lang, "Batch: {apps} app(s) analysed, {failures} failed"),
            &[
                ("apps", &apps.to_string()),
                ("failures", &failures.to_string())
            ]
        ),
        Esc(tr(lang, "App")),
        Esc(tr(lang, "Package")),
        Esc(tr(lang, "Findings")),
    )?;
    for severity in SEVERITIES {
        write!(s, "<th>{}</th>", Esc(label(lang, "severity", severity)))?;
    }
    write!(
        s,
        "<th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        Esc(tr(lang, "SDKs")),
        Esc(tr(lang, "Notes"))
    )?;
    for entry in entries {
        write!(
            s,
            "<tr><td><a href=\"#{a}\">{n}</a></td>",
            a = Esc(&entry.anchor),
            n = Esc(&entry.name)
        )?;
        match &entry.outcome {
            Outcome::Analysed {
                package,
                by_severity,
                findings,
                sdks,
                packed,
            } => {
                write!(
                    s,
                    "<td><code>{}</code></td><td class=\"num\">{findings}</td>",
                    Esc(package)
                )?;
                for (severity, n) in SEVERITIES.iter().zip(by_severity) {
                    if *n == 0 {
                        s.push_str("<td class=\"num muted\">0</td>");
                    } else {
                        write!(
                            s,
                            "<td class=\"num\"><span class=\"sev sev-{severity}\">{n}</span></td>"
                        )?;
                    }
                }
                write!(s, "<td class=\"num\">{sdks}</td><td>")?;
                if *packed {
                    write!(
                        s,
                        "<span class=\"flag bad\">{}</span>",
                        Esc(tr(lang, "packed"))
                    )?;
                }
                s.push_str("</td></tr>\n");
            }
            Outcome::Failed { kind } => {
                writeln!(
                    s,
                    "<td colspan=\"{}\"><span class=\"flag bad\">{}</span> {}</td></tr>",
                    SEVERITIES.len() + 4,
                    Esc(tr(lang, "failed")),
                    Esc(kind)
                )?;
            }
        }
    }
    s.push_str("</tbody>\n</table>\n</nav>\n");
    Ok(())
}

fn render_failure(
    s: &mut String,
    lang: Lang,
    anchor: &str,
    path: &str,
    kind: &str,
    message: &str,
) -> fmt::Result {
    writeln!(
        s,
        "<section class=\"failure\" id=\"{a}\" data-path=\"{p}\" data-error-kind=\"{k}\">\n\
         <h2>{h}</h2>\n\
         <p><span class=\"flag bad\">{k}</span> {m}</p>\n</section>",
        a = Esc(anchor),
        p = Esc(path),
        k = Esc(kind),
        m = Esc(message),
        h = fill_html(
            tr(lang, "Not analysed: {path}"),
            &[("path", &Esc(path).to_string())]
        ),
    )
}

/// Numbers the section repeats as data attributes and in its summary.
struct AppNumbers {
    severities: SeverityCounts,
    sensitive_permissions: usize,
    unused_permissions: usize,
    pi_types: BTreeSet<String>,
}

impl AppNumbers {
    fn of(facts: &AppFacts) -> Self {
        let requested = &facts.permissions.requested;
        Self {
            severities: SeverityCounts::of(&facts.findings),
            sensitive_permissions: requested.iter().filter(|p| is_sensitive(p)).count(),
            unused_permissions: requested.iter().filter(|p| p.used == Some(false)).count(),
            pi_types: facts.pi_access.iter().map(|a| a.pi_type.clone()).collect(),
        }
    }
}

/// Sensitive as TC260 counts it: one of the ten permission groups, or a special permission.
fn is_sensitive(p: &apkscope_facts::RequestedPermission) -> bool {
    p.group.is_some() || p.special.is_some()
}

fn render_app(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let facts = p.facts;
    let numbers = AppNumbers::of(facts);
    let counts = &numbers.severities;
    write!(
        s,
        "<section class=\"app\" id=\"{a}\" data-package=\"{package}\" data-label=\"{label}\" \
         data-findings=\"{findings}\"",
        a = Esc(p.anchor),
        package = Esc(facts.app.package.as_deref().unwrap_or_default()),
        label = Esc(facts.app.label.as_deref().unwrap_or_default()),
        findings = facts.findings.len(),
    )?;
    for (severity, n) in SEVERITIES.iter().zip(counts.known) {
        write!(s, " data-{severity}=\"{n}\"")?;
    }
    writeln!(
        s,
        " data-sdks=\"{}\" data-permissions=\"{}\" data-sensitive-permissions=\"{}\" \
         data-unused-permissions=\"{}\" data-pi-types=\"{}\" data-unknown-components=\"{}\" \
         data-checks=\"{}\" data-packers=\"{}\" data-packed=\"{}\" data-native-libs=\"{}\" \
         data-anomalies=\"{}\">",
        facts.sdks.len(),
        facts.permissions.requested.len(),
        numbers.sensitive_permissions,
        numbers.unused_permissions,
        numbers.pi_types.len(),
        facts.unknown_components.len(),
        facts.checks.len(),
        facts.packers.len(),
        !facts.packers.is_empty(),
        facts.native.len(),
        all_anomalies(facts).len(),
    )?;
    render_identity(s, p)?;
    render_summary(s, p, &numbers)?;
    render_permissions(s, p)?;
    render_sdks(s, p)?;
    render_pi_access(s, p)?;
    render_unknown_components(s, p)?;
    findings::render_findings(s, p, counts)?;
    findings::render_checks(s, p)?;
    render_native(s, p)?;
    network::render_network(s, p)?;
    render_anomalies(s, p)?;
    s.push_str("</section>\n");
    Ok(())
}

fn render_identity(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let facts = p.facts;
    let app = &facts.app;
    writeln!(
        s,
        "<header class=\"app-header\">\n<h2>{}</h2>",
        Esc(display_name(facts))
    )?;
    if let Some(package) = &app.package {
        writeln!(s, "<p class=\"package\"><code>{}</code></p>", Esc(package))?;
    }
    write!(
        s,
        "<nav class=\"toc\" aria-label=\"{}\">",
        Esc(p.tr("Sections"))
    )?;
    for (id, text) in [
        ("permissions", p.tr("Permissions requested")),
        ("sdks", p.tr("SDKs")),
        ("pi", p.tr("Personal-information access")),
        ("unknown", p.tr("Unknown components")),
        ("findings", p.tr("Findings")),
        ("checks", p.tr("Checks")),
        ("native", p.tr("Native code")),
        ("network", p.tr("Network")),
        ("anomalies", p.tr("Anomalies")),
    ] {
        write!(s, "<a href=\"#{}-{id}\">{}</a> ", Esc(p.anchor), Esc(text))?;
    }
    s.push_str("</nav>\n</header>\n<dl class=\"meta\">\n");

    render_versions(s, p)?;
    let application = &facts.manifest.application;
    if let Some(name) = &application.name {
        writeln!(
            s,
            "<dt>{}</dt><dd><code>{}</code></dd>",
            Esc(p.tr("Application class")),
            Esc(name)
        )?;
    }
    render_app_flags(s, p)?;
    render_signing(s, p)?;

    let input = &facts.input;
    writeln!(
        s,
        "<dt>{}</dt><dd><code>{}</code></dd>",
        Esc(p.tr("Input")),
        Esc(&input.path)
    )?;
    writeln!(
        s,
        "<dt>SHA-256</dt><dd><code class=\"hash\">{}</code></dd>",
        Esc(&input.sha256)
    )?;
    meta_row(s, p.tr("Size"), &human_size(p.lang, input.size))?;
    if let Some(pack) = &facts.rule_pack {
        writeln!(
            s,
            "<dt>{}</dt><dd>{} · <code class=\"hash\">{}</code></dd>",
            Esc(p.tr("Rule pack")),
            fill_html(
                p.tr("{sdks} SDKs, {apis} APIs, {checks} checks, {packers} packers"),
                &[
                    ("sdks", &pack.sdks.to_string()),
                    ("apis", &pack.apis.to_string()),
                    ("checks", &pack.checks.to_string()),
                    ("packers", &pack.packers.to_string()),
                ]
            ),
            Esc(&pack.hash)
        )?;
    }
    s.push_str("</dl>\n");
    Ok(())
}

/// The app's version and the Android SDK levels it declares.
fn render_versions(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let app = &p.facts.app;
    let name = opt(app.version_name.as_deref());
    let version = match (app.version_code, app.version_code_major) {
        (Some(code), Some(major)) => fill(
            p.tr("{name} (code {code}, major {major})"),
            &[
                ("name", name),
                ("code", &code.to_string()),
                ("major", &major.to_string()),
            ],
        ),
        (Some(code), None) => fill(
            p.tr("{name} (code {code})"),
            &[("name", name), ("code", &code.to_string())],
        ),
        _ => name.to_owned(),
    };
    meta_row(s, p.tr("Version"), &version)?;
    let mut sdk = fill(
        p.tr("min {min} · target {target} · compile {compile}"),
        &[
            ("min", &opt_num(app.min_sdk)),
            ("target", &opt_num(app.target_sdk)),
            ("compile", &opt_num(app.compile_sdk)),
        ],
    );
    if let Some(codename) = &app.sdk_codename {
        sdk = fill(
            p.tr("{levels} (preview {codename})"),
            &[("levels", &sdk), ("codename", codename)],
        );
    }
    meta_row(s, p.tr("Android SDK"), &sdk)?;
    Ok(())
}

fn render_app_flags(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let application = &p.facts.manifest.application;
    // Flags the platform defaults to true are shown when absent too: the default is the risk.
    let flags = [
        ("debuggable", application.debuggable == Some(true), true),
        ("testOnly", application.test_only == Some(true), true),
        (
            "allowBackup",
            application.allow_backup != Some(false),
            false,
        ),
        (
            "usesCleartextTraffic",
            application.uses_cleartext_traffic == Some(true),
            false,
        ),
    ];
    let set: Vec<_> = flags.iter().filter(|(_, on, _)| *on).collect();
    if set.is_empty() {
        return Ok(());
    }
    write!(s, "<dt>{}</dt><dd>", Esc(p.tr("Manifest flags")))?;
    for (name, _, severe) in set {
        let class = if *severe { "flag bad" } else { "flag warn" };
        write!(s, "<span class=\"{class}\">{name}</span> ")?;
    }
    s.push_str("</dd>\n");
    Ok(())
}

fn render_signing(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let signing = &p.facts.signing;
    write!(s, "<dt>{}</dt><dd>", Esc(p.tr("Signing")))?;
    if signing.schemes.is_empty() {
        write!(
            s,
            "<span class=\"flag bad\">{}</span>",
            Esc(p.tr("unsigned"))
        )?;
    } else {
        s.push_str(&fill_html(
            p.tr("schemes {schemes}"),
            &[("schemes", &Esc(&signing.schemes.join(", ")).to_string())],
        ));
    }
    // v1, v2 and v3 usually carry the same certificate: show each certificate once.
    let mut by_fingerprint: BTreeMap<&str, Vec<&apkscope_facts::CertificateFacts>> =
        BTreeMap::new();
    let mut order = Vec::new();
    for cert in &signing.certificates {
        let entry = by_fingerprint.entry(cert.sha256.as_str()).or_default();
        if entry.is_empty() {
            order.push(cert.sha256.as_str());
        }
        entry.push(cert);
    }
    for fingerprint in order {
        let Some(certs) = by_fingerprint.get(fingerprint) else {
            continue;
        };
        let Some(cert) = certs.first() else {
            continue;
        };
        let schemes: Vec<&str> = certs.iter().map(|c| c.scheme.as_str()).collect();
        let bits = cert.key_bits.map_or_else(String::new, |b| format!(" {b}"));
        write!(
            s,
            "<div class=\"cert\"><div>{subject}</div>\
             <div class=\"muted\">{key}{bits} · {alg} · {valid} · {schemes}</div>\
             <div><code class=\"hash\">SHA-256 {sha}</code></div>",
            subject = Esc(&cert.subject),
            key = Esc(&cert.key_type),
            alg = Esc(&cert.signature_algorithm),
            valid = fill_html(
                p.tr("valid {from} to {to}"),
                &[
                    ("from", &Esc(&cert.not_before).to_string()),
                    ("to", &Esc(&cert.not_after).to_string())
                ]
            ),
            schemes = Esc(&schemes.join(", ")),
            sha = Esc(&cert.sha256),
        )?;
        if cert.debug {
            write!(
                s,
                "<span class=\"flag bad\">{}</span> ",
                Esc(p.tr("debug certificate"))
            )?;
        }
        if cert.not_after.as_str() < PLAY_MINIMUM_VALIDITY_END {
            write!(
                s,
                "<span class=\"flag warn\">{}</span>",
                fill_html(
                    p.tr("validity ends before {day} (Google Play minimum)"),
                    &[("day", PLAY_MINIMUM_VALIDITY_END)]
                )
            )?;
        }
        s.push_str("</div>");
    }
    s.push_str("</dd>\n");
    Ok(())
}

/// What limits the analysis: a packer, code not analysed, no rule pack.
fn render_alerts(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let facts = p.facts;
    if !facts.packers.is_empty() {
        let names: Vec<&str> = facts.packers.iter().map(|p| p.name.as_str()).collect();
        write!(
            s,
            "<div class=\"alert\" role=\"alert\">{}<ul>",
            fill_html(
                p.tr("{headline}. The real code is encrypted or loaded at run time, so SDKs, personal-information access and permission use below are a lower bound."),
                &[(
                    "headline",
                    &format!(
                        "<strong>{}</strong>",
                        fill_html(
                            p.tr("Code analysis incomplete: hidden by {packers}"),
                            &[("packers", &Esc(&names.join(", ")).to_string())]
                        )
                    )
                )]
            ),
        )?;
        for packer in &facts.packers {
            write!(
                s,
                "<li>{} ({}{}): {}</li>",
                Esc(&packer.name),
                Esc(label(p.lang, "packer", &packer.kind)),
                packer
                    .vendor
                    .as_deref()
                    .map_or_else(String::new, |v| format!(", {}", Esc(v))),
                Esc(&packer.evidence.join("; "))
            )?;
        }
        s.push_str("</ul></div>\n");
    }
    if !facts.code.analysed {
        writeln!(
            s,
            "<div class=\"note\">{}</div>",
            Esc(p.tr("Code was not analysed: permission use, SDK code and personal-information access are unknown."))
        )?;
    }
    if facts.rule_pack.is_none() {
        writeln!(
            s,
            "<div class=\"note\">{}</div>",
            Esc(p.tr("No rule pack ran: SDKs, personal-information access and findings were not evaluated."))
        )?;
    }

    Ok(())
}

fn render_summary(s: &mut String, p: &Page<'_>, numbers: &AppNumbers) -> fmt::Result {
    let facts = p.facts;
    render_alerts(s, p)?;
    let requested = facts.permissions.requested.len();
    s.push_str("<div class=\"summary\">\n<div class=\"card wide\">\n");
    writeln!(
        s,
        "<div class=\"big\">{}</div><div class=\"label\">{}</div>",
        facts.findings.len(),
        Esc(p.tr("findings"))
    )?;
    severity_chart(s, p.lang, &numbers.severities)?;
    s.push_str("</div>\n");
    let sdk_names: Vec<&str> = facts.sdks.iter().map(|sdk| p.sdk_name(sdk)).collect();
    summary_card(
        s,
        facts.sdks.len(),
        p.tr("third-party SDKs"),
        &p.join(&sdk_names),
    )?;
    summary_card(
        s,
        numbers.sensitive_permissions,
        p.tr("sensitive permissions"),
        &fill(
            p.tr("of {requested} requested · {unused} unused by code"),
            &[
                ("requested", &requested.to_string()),
                ("unused", &numbers.unused_permissions.to_string()),
            ],
        ),
    )?;
    let pi_labels: Vec<&str> = numbers.pi_types.iter().map(|t| p.pi_label(t)).collect();
    summary_card(
        s,
        numbers.pi_types.len(),
        p.tr("personal-information types reached"),
        &p.join(&pi_labels),
    )?;
    let unknown: Vec<&str> = facts
        .unknown_components
        .iter()
        .map(|u| u.package.as_str())
        .collect();
    summary_card(
        s,
        unknown.len(),
        p.tr("unknown components reaching personal information"),
        &p.join(&unknown),
    )?;
    let packers = if facts.packers.is_empty() {
        p.tr("none detected").to_owned()
    } else {
        let names: Vec<&str> = facts.packers.iter().map(|p| p.name.as_str()).collect();
        p.join(&names)
    };
    summary_card(s, facts.packers.len(), p.tr("packers"), &packers)?;
    s.push_str("</div>\n");
    Ok(())
}

fn summary_card(s: &mut String, number: usize, label: &str, detail: &str) -> fmt::Result {
    write!(
        s,
        "<div class=\"card\"><div class=\"big\">{number}</div><div class=\"label\">{}</div>",
        Esc(label)
    )?;
    if !detail.is_empty() {
        write!(s, "<div class=\"detail\">{}</div>", Esc(detail))?;
    }
    s.push_str("</div>\n");
    Ok(())
}

/// Horizontal bars, one per severity, each with its name and count as text so the chart reads
/// in greyscale and on paper.
fn severity_chart(s: &mut String, lang: Lang, counts: &SeverityCounts) -> fmt::Result {
    const ROW: usize = 22;
    const LABEL: usize = 64;
    const BAR: usize = 220;
    let max = counts.known.iter().copied().max().unwrap_or(0).max(1);
    let height = ROW * SEVERITIES.len() + 4;
    let width = LABEL + BAR + 40;
    write!(
        s,
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" \
         height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title>{}</title>",
        Esc(tr(lang, "Findings by severity"))
    )?;
    for (row, (severity, n)) in SEVERITIES.iter().zip(counts.known).enumerate() {
        let y = row * ROW + 2;
        let bar = if n == 0 { 0 } else { (n * BAR / max).max(2) };
        write!(
            s,
            "<text x=\"0\" y=\"{ty}\" class=\"axis\">{name}</text>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{BAR}\" height=\"16\" class=\"track\"/>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{bar}\" height=\"16\" class=\"bar-{severity}\"/>\
             <text x=\"{tx}\" y=\"{ty}\" class=\"value\">{n}</text>",
            ty = y + 13,
            tx = LABEL + BAR + 6,
            name = Esc(label(lang, "severity", severity)),
        )?;
    }
    s.push_str("</svg>\n");
    if counts.other > 0 {
        writeln!(
            s,
            "<div class=\"detail\">{}</div>",
            fill_html(
                tr(lang, "{n} of unknown severity"),
                &[("n", &counts.other.to_string())]
            )
        )?;
    }
    Ok(())
}

/// `<p class="muted">…</p>` for an empty section.
fn empty(s: &mut String, text: &str) -> fmt::Result {
    writeln!(s, "<p class=\"muted\">{}</p>", Esc(text))
}

/// A section heading `<h3 id="app-1-x">Title (n)</h3>`; `template` holds `{n}`.
fn heading(s: &mut String, p: &Page<'_>, id: &str, template: &str, n: usize) -> fmt::Result {
    writeln!(
        s,
        "<h3 id=\"{}-{id}\">{}</h3>",
        Esc(p.anchor),
        fill_html(template, &[("n", &n.to_string())])
    )
}

fn header_row(s: &mut String, names: &[&str]) {
    s.push_str("<thead><tr>");
    for name in names {
        let _ = write!(s, "<th>{}</th>", Esc(name));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
}

fn render_permissions(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let requested = &p.facts.permissions.requested;
    heading(
        s,
        p,
        "permissions",
        p.tr("Permissions requested ({n})"),
        requested.len(),
    )?;
    if requested.is_empty() {
        empty(s, p.tr("The app requests no permission."))?;
    } else {
        s.push_str("<table class=\"matrix\">\n");
        header_row(
            s,
            &[
                p.tr("Permission"),
                p.tr("TC260 group"),
                p.tr("Protection"),
                p.tr("Personal information"),
                p.tr("Used by code"),
                p.tr("Used by"),
            ],
        );
        for perm in requested {
            let row_class = match (is_sensitive(perm), perm.used) {
                (true, Some(false)) => " class=\"unused sensitive\"",
                (true, _) => " class=\"sensitive\"",
                (false, Some(false)) => " class=\"unused\"",
                _ => "",
            };
            write!(s, "<tr{row_class}><td><code>{}</code>", Esc(&perm.name))?;
            if let Some(max) = perm.max_sdk {
                write!(
                    s,
                    " <span class=\"muted\">{}</span>",
                    fill_html(p.tr("up to API {max}"), &[("max", &max.to_string())])
                )?;
            }
            if perm.element != "uses-permission" {
                write!(s, " <span class=\"muted\">({})</span>", Esc(&perm.element))?;
            }
            s.push_str("</td><td>");
            match (&perm.group, &perm.special) {
                (Some(group), _) => write!(
                    s,
                    "<span class=\"flag warn\" title=\"{}\">{}</span>",
                    Esc(group),
                    Esc(label(p.lang, "group", group))
                )?,
                (None, Some(special)) => {
                    write!(
                        s,
                        "<span class=\"flag warn\" title=\"{}\">{}</span>",
                        Esc(special),
                        fill_html(
                            p.tr("special: {name}"),
                            &[("name", &Esc(label(p.lang, "special", special)).to_string())]
                        )
                    )?;
                }
                (None, None) => s.push_str("<span class=\"muted\">—</span>"),
            }
            write!(
                s,
                "</td><td>{}</td><td>{}</td><td class=\"used\">",
                perm.protection_level
                    .as_deref()
                    .map_or_else(|| Esc(p.tr("unknown")).to_string(), |l| p.protection(l)),
                p.pi_chips(&perm.pi_types)
            )?;
            match perm.used {
                Some(true) => s.push_str(&Esc(p.tr("yes")).to_string()),
                Some(false) => write!(s, "<strong>{}</strong>", Esc(p.tr("no")))?,
                None => write!(s, "<span class=\"muted\">{}</span>", Esc(p.tr("unknown")))?,
            }
            writeln!(s, "</td><td>{}</td></tr>", p.owners(&perm.used_by))?;
        }
        s.push_str("</tbody>\n</table>\n");
        writeln!(
            s,
            "<p class=\"muted small\">{}</p>",
            Esc(p.tr("Used: some code references an API that needs the permission (no: none does; unknown: code not analysed or no API known for it). Used by: SDKs, the app's own code and unattributed code (code of no known SDK outside the app's packages, e.g. obfuscated)."))
        )?;
    }
    render_declared_permissions(s, p)
}

/// Permissions the app defines, folded.
fn render_declared_permissions(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let declared = &p.facts.permissions.declared;
    if !declared.is_empty() {
        writeln!(
            s,
            "<details><summary>{}</summary>\n<table class=\"compact\">",
            fill_html(
                p.tr("Permissions the app defines ({n})"),
                &[("n", &declared.len().to_string())]
            )
        )?;
        header_row(s, &[p.tr("Permission"), p.tr("Protection"), p.tr("Group")]);
        for perm in declared {
            writeln!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                Esc(&perm.name),
                p.protection(&perm.protection_level),
                Esc(opt(perm.group.as_deref()))
            )?;
        }
        s.push_str("</tbody></table></details>\n");
    }
    Ok(())
}

fn render_sdks(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let facts = p.facts;
    heading(
        s,
        p,
        "sdks",
        p.tr("Third-party SDKs ({n})"),
        facts.sdks.len(),
    )?;
    if facts.sdks.is_empty() {
        let why = if facts.rule_pack.is_none() {
            p.tr("Not evaluated (no rule pack).")
        } else {
            p.tr("None detected.")
        };
        return empty(s, why);
    }
    s.push_str("<table class=\"sdks\">\n");
    header_row(
        s,
        &[
            "SDK",
            p.tr("Provider"),
            p.tr("Category"),
            p.tr("Purpose"),
            p.tr("Evidence"),
            p.tr("Can reach"),
        ],
    );
    for sdk in &facts.sdks {
        render_sdk_row(s, p, sdk)?;
    }
    s.push_str("</tbody>\n</table>\n");
    Ok(())
}

fn render_sdk_row(s: &mut String, p: &Page<'_>, sdk: &SdkFacts) -> fmt::Result {
    // The reader's name first, the other one under it.
    let first = p.sdk_name(sdk);
    let second = [Some(sdk.name.as_str()), sdk.name_zh.as_deref()]
        .into_iter()
        .flatten()
        .find(|n| *n != first && !n.is_empty());
    write!(s, "<tr><td><strong>{}</strong>", Esc(first))?;
    if let Some(second) = second {
        write!(s, "<br>{}", Esc(second))?;
    }
    write!(s, "<br><code class=\"muted\">{}</code>", Esc(&sdk.id))?;
    if let Some(url) = &sdk.homepage {
        s.push_str("<br>");
        link(s, url, p.tr("home page"))?;
    }
    write!(s, "</td><td>{}", Esc(opt(sdk.vendor.as_deref())))?;
    if let Some(entity) = &sdk.legal_entity {
        write!(
            s,
            "<div class=\"small\"><span class=\"muted\">{}</span>{}{}</div>",
            Esc(p.tr("Legal entity:")),
            p.after_colon(),
            Esc(entity)
        )?;
    }
    s.push_str("<div class=\"small\">");
    match &sdk.privacy_policy {
        Some(url) => link(s, url, p.tr("privacy policy"))?,
        None => write!(
            s,
            "<span class=\"muted\">{}</span>",
            Esc(p.tr("privacy policy not known"))
        )?,
    }
    write!(
        s,
        "</div></td><td>{}</td><td>{}</td><td>",
        Esc(label(p.lang, "category", &sdk.category)),
        Esc(&sdk.purpose)
    )?;
    let e = &sdk.evidence;
    let mut parts = Vec::new();
    if e.classes > 0 {
        parts.push(count(e.classes, p.tr("1 class"), p.tr("{n} classes")));
    }
    for (one, many, list) in [
        (p.tr("1 component"), p.tr("{n} components"), &e.components),
        (
            p.tr("1 intent action"),
            p.tr("{n} intent actions"),
            &e.intent_actions,
        ),
        (
            p.tr("1 native library"),
            p.tr("{n} native libraries"),
            &e.native_libs,
        ),
        (p.tr("1 host"), p.tr("{n} hosts"), &e.domains),
    ] {
        if !list.is_empty() {
            parts.push(count(list.len(), one, many));
        }
    }
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    write!(s, "{}", Esc(&p.join(&parts)))?;
    let examples: Vec<String> = e
        .class_examples
        .iter()
        .map(|c| java_name(c))
        .chain(e.components.iter().cloned())
        .chain(e.native_libs.iter().cloned())
        .chain(e.domains.iter().cloned())
        .collect();
    if !examples.is_empty() {
        write!(
            s,
            "<div class=\"examples\"><code>{}</code></div>",
            Esc(&examples.join("\n"))
        )?;
    }
    write!(s, "</td><td>{}", p.pi_chips(&sdk.pi_types))?;
    if !sdk.permissions.is_empty() {
        let short: Vec<&str> = sdk
            .permissions
            .iter()
            .map(|p| short_permission(p))
            .collect();
        write!(
            s,
            "<div class=\"small\">{}{}{}</div>",
            Esc(p.tr("Permissions:")),
            p.after_colon(),
            Esc(&short.join(", "))
        )?;
    }
    s.push_str("</td></tr>\n");
    Ok(())
}

struct HeatmapCells<'a> {
    sites: BTreeMap<(&'a str, &'a str), u64>,
    types: BTreeSet<&'a str>,
    owners: Vec<&'a str>,
}

/// Call sites summed by (owner, PI type); the PI types in order; the owners in the order the
/// SDK table lists them, then the app, unattributed code and any other owner.
fn heatmap_cells(facts: &AppFacts) -> HeatmapCells<'_> {
    let mut sites: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    let mut types = BTreeSet::new();
    let mut seen_owners = BTreeSet::new();
    for access in &facts.pi_access {
        let total = sites
            .entry((access.by.as_str(), access.pi_type.as_str()))
            .or_default();
        *total = total.saturating_add(access.sites);
        types.insert(access.pi_type.as_str());
        seen_owners.insert(access.by.as_str());
    }
    let mut owners: Vec<&str> = facts
        .sdks
        .iter()
        .map(|sdk| sdk.id.as_str())
        .filter(|id| seen_owners.contains(id))
        .collect();
    for special in ["app", "unattributed"] {
        if seen_owners.contains(special) {
            owners.push(special);
        }
    }
    for owner in &seen_owners {
        if !owners.contains(owner) {
            owners.push(owner);
        }
    }
    HeatmapCells {
        sites,
        types,
        owners,
    }
}

/// Who reaches which personal information: owners (SDKs, the app, unattributed code) by PI
/// type, each cell the number of call sites written in it.
fn pi_heatmap(s: &mut String, page: &Page<'_>) -> fmt::Result {
    const CELL: usize = 34;
    /// Width of a narrow character at the chart's 12px font; wide (CJK) characters count twice.
    const CHAR: usize = 7;
    let facts = page.facts;
    if facts.pi_access.is_empty() {
        return Ok(());
    }
    let HeatmapCells {
        sites,
        types,
        owners,
    } = heatmap_cells(facts);
    let owner_label = |owner: &str| clip(page.owner_text(owner), 28);
    let type_label = |pi_type: &str| clip(page.pi_label(pi_type), 24);

    let label_width = owners
        .iter()
        .map(|o| text_width(&owner_label(o)))
        .max()
        .unwrap_or(0)
        * CHAR
        + 12;
    let header_height = types
        .iter()
        .map(|t| text_width(&type_label(t)))
        .max()
        .unwrap_or(0)
        * 5
        + 16;
    let width = label_width + types.len() * CELL + header_height;
    let height = header_height + owners.len() * CELL + 4;
    write!(
        s,
        "<figure class=\"heatmap\"><svg class=\"chart\" role=\"img\" viewBox=\"0 0 {width} \
         {height}\" width=\"{width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title>{}</title>",
        Esc(page.tr("Personal-information types reached, by owner (call sites)"))
    )?;
    for (column, pi_type) in types.iter().enumerate() {
        let x = label_width + column * CELL + CELL / 2;
        write!(
            s,
            "<text class=\"axis\" transform=\"translate({x},{y}) rotate(-45)\">{t}</text>",
            y = header_height - 6,
            t = Esc(&type_label(pi_type))
        )?;
    }
    for (row, owner) in owners.iter().enumerate() {
        let y = header_height + row * CELL;
        write!(
            s,
            "<text class=\"axis\" x=\"0\" y=\"{ty}\">{label}</text>",
            ty = y + CELL / 2 + 4,
            label = Esc(&owner_label(owner))
        )?;
        for (column, pi_type) in types.iter().enumerate() {
            let x = label_width + column * CELL;
            let n = sites.get(&(*owner, *pi_type)).copied().unwrap_or(0);
            let level = match n {
                0 => 0,
                1 => 1,
                2..=4 => 2,
                5..=9 => 3,
                _ => 4,
            };
            write!(
                s,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{w}\" class=\"heat-{level}\">\
                 <title>{o} · {t}: {sites}</title></rect>",
                w = CELL - 2,
                o = Esc(page.owner_text(owner)),
                t = Esc(page.pi_label(pi_type)),
                sites = Esc(&count(n, page.tr("1 call site"), page.tr("{n} call sites"))),
            )?;
            if n > 0 {
                write!(
                    s,
                    "<text x=\"{tx}\" y=\"{ty}\" class=\"cell heat-text-{level}\">{n}</text>",
                    tx = x + (CELL - 2) / 2,
                    ty = y + CELL / 2 + 3,
                )?;
            }
        }
    }
    writeln!(
        s,
        "</svg><figcaption>{}</figcaption></figure>",
        Esc(page.tr("Call sites of personal-information APIs by owner and type (static: code that can run, not observed collection)."))
    )
}

fn render_pi_access(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let facts = p.facts;
    heading(
        s,
        p,
        "pi",
        p.tr("Personal-information access ({n})"),
        facts.pi_access.len(),
    )?;
    if facts.pi_access.is_empty() {
        return empty(s, p.tr("No code reaches a known personal-information API."));
    }
    pi_heatmap(s, p)?;
    s.push_str("<table class=\"pi\">\n");
    header_row(
        s,
        &[
            p.tr("PI type"),
            "API",
            p.tr("By"),
            p.tr("Sites"),
            p.tr("When it runs · example"),
        ],
    );
    for access in &facts.pi_access {
        write!(
            s,
            "<tr><td>{pi}</td><td>{api}<br><code>{sig}</code></td>\
             <td class=\"owner\">{by}",
            pi = p.pi_chip(&access.pi_type),
            api = Esc(&access.api),
            sig = Esc(&access.signature),
            by = p.owners(std::slice::from_ref(&access.by)),
        )?;
        if let Some(package) = &access.package {
            write!(s, "<br><code>{}</code>", Esc(package))?;
        }
        write!(s, "</td><td class=\"num\">{}</td><td>", access.sites)?;
        if !access.triggers.is_empty() {
            let when: Vec<&str> = access
                .triggers
                .iter()
                .map(|t| label(p.lang, "trigger", t))
                .collect();
            write!(
                s,
                "<span class=\"small\" data-triggers=\"{}\">{}</span><br>",
                Esc(&access.triggers.join(" ")),
                Esc(&when.join(", "))
            )?;
        }
        if let Some(example) = access.examples.first() {
            write!(
                s,
                "<code>{}</code> <span class=\"muted\">{} @{}</span>",
                Esc(&example.method),
                Esc(&example.entry),
                example.pc
            )?;
            if access.examples.len() > 1 {
                write!(
                    s,
                    " <span class=\"muted\">{}</span>",
                    fill_html(
                        p.tr("(+{n} more)"),
                        &[("n", &(access.examples.len() - 1).to_string())]
                    )
                )?;
            }
        }
        s.push_str("</td></tr>\n");
    }
    s.push_str("</tbody>\n</table>\n");
    Ok(())
}

/// Code of no known owner that reaches personal information, by package.
fn render_unknown_components(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let facts = p.facts;
    let unknown = &facts.unknown_components;
    heading(
        s,
        p,
        "unknown",
        p.tr("Unknown components ({n})"),
        unknown.len(),
    )?;
    writeln!(
        s,
        "<p class=\"muted small\">{}</p>",
        Esc(p.tr("Code of no known SDK, library or app package that reaches personal information, grouped by package: a collector the privacy policy cannot have named."))
    )?;
    if unknown.is_empty() {
        let why = if facts.rule_pack.is_none() {
            p.tr("Not evaluated (no rule pack).")
        } else {
            p.tr("None: all code that reaches personal information belongs to a known SDK, library or the app.")
        };
        return empty(s, why);
    }
    s.push_str("<table class=\"unknown\">\n");
    header_row(
        s,
        &[
            p.tr("Package"),
            p.tr("Classes"),
            p.tr("Personal information"),
            p.tr("Hosts in its code"),
            p.tr("Examples"),
        ],
    );
    for component in unknown {
        write!(
            s,
            "<tr data-package=\"{pkg}\"><td><code>{pkg}</code></td><td class=\"num\">{classes}</td>\
             <td>{pi}</td><td><code>{hosts}</code></td><td>",
            pkg = Esc(&component.package),
            classes = component.classes,
            pi = p.pi_chips(&component.pi_types),
            hosts = Esc(&component.hosts.join("\n")),
        )?;
        for example in &component.examples {
            write!(
                s,
                "<div><code>{}</code> <span class=\"muted\">{} @{}</span></div>",
                Esc(&example.method),
                Esc(&example.entry),
                example.pc
            )?;
        }
        s.push_str("</td></tr>\n");
    }
    s.push_str("</tbody>\n</table>\n");
    Ok(())
}

fn render_native(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let facts = p.facts;
    heading(
        s,
        p,
        "native",
        p.tr("Native libraries ({n})"),
        facts.native.len(),
    )?;
    if facts.native.is_empty() {
        empty(s, p.tr("The APK has no native library."))?;
    } else {
        s.push_str("<table class=\"compact\">\n");
        header_row(
            s,
            &[
                p.tr("Library"),
                "ABI",
                "SDK",
                "JNI",
                p.tr("Imports of interest"),
                p.tr("Missing hardening"),
                p.tr("Strings of interest"),
            ],
        );
        for lib in &facts.native {
            let h = &lib.hardening;
            let mut weak: Vec<String> = [
                ("NX", h.nx),
                ("PIE", h.pie),
                (p.tr("stack protector"), h.stack_protector),
            ]
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(flag, _)| (*flag).to_owned())
            .collect();
            if h.relro != "full" {
                weak.push(format!("RELRO {}", h.relro));
            }
            let methods = count(lib.jni_methods.len(), p.tr("1 method"), p.tr("{n} methods"));
            let jni = match (lib.jni_methods.len(), lib.jni_onload) {
                (0, false) => String::new(),
                (0, true) => "JNI_OnLoad".to_owned(),
                (_, false) => methods,
                (_, true) => format!("{methods} + JNI_OnLoad"),
            };
            let sdk = lib.sdk.as_deref().map(|id| p.owner_text(id));
            writeln!(
                s,
                "<tr><td><code>{path}</code></td><td>{abi}</td><td>{sdk}</td><td>{jni}</td>\
                 <td><code>{imports}</code></td><td>{weak}</td><td><code>{strings}</code></td></tr>",
                path = Esc(&lib.path),
                abi = Esc(lib.abi.as_deref().unwrap_or(&lib.machine)),
                sdk = Esc(opt(sdk)),
                jni = Esc(&jni),
                imports = Esc(&lib.imports_of_interest.join(", ")),
                weak = Esc(&weak.join(", ")),
                strings = Esc(&lib.strings_of_interest.join("\n")),
            )?;
        }
        s.push_str("</tbody>\n</table>\n");
    }
    obfuscation_block(s, p)?;
    render_hidden_payloads(s, p)
}

/// Code found outside the `classes*.dex` entries.
fn render_hidden_payloads(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let payloads = &p.facts.code.hidden_payloads;
    if !payloads.is_empty() {
        writeln!(
            s,
            "<h4>{}</h4>\n<table class=\"compact\">",
            fill_html(
                p.tr("Code outside classes*.dex ({n})"),
                &[("n", &payloads.len().to_string())]
            )
        )?;
        header_row(
            s,
            &[
                p.tr("Path"),
                p.tr("Format"),
                p.tr("Size"),
                p.tr("Indexed"),
                p.tr("Detail"),
            ],
        );
        for payload in payloads {
            writeln!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td>{}</td>\
                 <td>{}</td></tr>",
                Esc(&payload.path),
                Esc(&payload.format),
                payload.size,
                Esc(if payload.parsed {
                    p.tr("yes")
                } else {
                    p.tr("no")
                }),
                Esc(&payload.detail)
            )?;
        }
        s.push_str("</tbody>\n</table>\n");
    }
    Ok(())
}

/// Compilers of the dex files and the obfuscation verdicts with their evidence.
fn obfuscation_block(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let code = &p.facts.code;
    let o = &code.obfuscation;
    if !code.analysed || code.dex.is_empty() {
        return Ok(());
    }
    let mut compilers: Vec<String> = code
        .dex
        .iter()
        .filter_map(|d| {
            d.compiler.as_ref().map(|c| match &d.compiler_version {
                Some(v) => format!("{c} {v}"),
                None => c.clone(),
            })
        })
        .collect();
    compilers.sort();
    compilers.dedup();
    let compilers = if compilers.is_empty() {
        p.tr("not recognised").to_owned()
    } else {
        compilers.join(", ")
    };
    let verdicts = if o.verdicts.is_empty() {
        p.tr("none seen").to_owned()
    } else {
        let labels: Vec<&str> = o
            .verdicts
            .iter()
            .map(|v| label(p.lang, "obfuscation", v))
            .collect();
        p.join(&labels)
    };
    writeln!(
        s,
        "<h4>{}</h4>\n<p>{}</p>",
        Esc(p.tr("Compiler and obfuscation")),
        fill_html(
            p.tr("Compiled by: {compilers}. Obfuscation: {verdicts} ({short_classes} of {classes} classes, {short_methods} of {methods} methods short-named)."),
            &[
                ("compilers", &Esc(&compilers).to_string()),
                ("verdicts", &format!("<strong>{}</strong>", Esc(&verdicts))),
                ("short_classes", &o.short_class_names.to_string()),
                ("classes", &o.classes.to_string()),
                ("short_methods", &o.short_method_names.to_string()),
                ("methods", &o.methods.to_string()),
            ]
        )
    )?;
    if !o.evidence.is_empty() {
        s.push_str("<ul>\n");
        for e in &o.evidence {
            writeln!(s, "<li>{}</li>", Esc(e))?;
        }
        s.push_str("</ul>\n");
    }
    Ok(())
}

/// The app's anomalies, then each dex file's and each native library's, tagged with where.
fn all_anomalies(facts: &AppFacts) -> Vec<(&AnomalyFact, Option<&str>)> {
    let mut all: Vec<(&AnomalyFact, Option<&str>)> = facts
        .anomalies
        .iter()
        .map(|a| (a, a.entry.as_deref()))
        .collect();
    for dex in &facts.code.dex {
        all.extend(dex.anomalies.iter().map(|a| (a, Some(dex.entry.as_str()))));
    }
    for lib in &facts.native {
        all.extend(lib.anomalies.iter().map(|a| (a, Some(lib.path.as_str()))));
    }
    all
}

fn render_anomalies(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let all = all_anomalies(p.facts);
    heading(s, p, "anomalies", p.tr("Anomalies ({n})"), all.len())?;
    if all.is_empty() {
        return empty(
            s,
            p.tr("None: the container, manifest and code read cleanly."),
        );
    }
    s.push_str("<table class=\"compact\">\n");
    header_row(
        s,
        &[
            p.tr("Source"),
            p.tr("Kind"),
            p.tr("Where"),
            p.tr("Offset"),
            p.tr("Detail"),
        ],
    );
    for (anomaly, place) in all {
        writeln!(
            s,
            "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td class=\"num\">{}\
             </td><td>{}</td></tr>",
            Esc(&anomaly.source),
            Esc(&anomaly.kind),
            Esc(place.unwrap_or_default()),
            anomaly
                .offset
                .map_or_else(String::new, |o| format!("{o:#x}")),
            Esc(&anomaly.detail)
        )?;
    }
    s.push_str("</tbody>\n</table>\n");
    Ok(())
}

fn meta_row(s: &mut String, name: &str, value: &str) -> fmt::Result {
    writeln!(s, "<dt>{}</dt><dd>{}</dd>", Esc(name), Esc(value))
}

/// A link only for `http(s)` URLs (a rule pack from `--rules` is input too: no `javascript:`);
/// anything else is text.
fn link(s: &mut String, url: &str, text: &str) -> fmt::Result {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let is_web = lower.starts_with("https://") || lower.starts_with("http://");
    if is_web && !url.chars().any(char::is_whitespace) {
        write!(
            s,
            "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
            Esc(url),
            Esc(text)
        )
    } else {
        write!(s, "{}", Esc(text))
    }
}

/// `Lcom/example/Foo;` → `com.example.Foo`; anything else unchanged.
fn java_name(descriptor: &str) -> String {
    descriptor
        .strip_prefix('L')
        .and_then(|d| d.strip_suffix(';'))
        .map_or_else(|| descriptor.to_owned(), |d| d.replace('/', "."))
}

fn short_permission(name: &str) -> &str {
    name.strip_prefix("android.permission.").unwrap_or(name)
}

/// Display width in narrow-character units: CJK and other wide characters count twice.
fn text_width(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// East Asian wide and fullwidth characters, roughly: the CJK blocks, Hangul and the fullwidth
/// forms (enough to size SVG labels).
fn is_wide(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{115F}'
        | '\u{2E80}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}')
}

/// At most `max` width units ([`text_width`]), with an ellipsis when cut (SVG text does not
/// wrap).
fn clip(text: &str, max: usize) -> String {
    if text_width(text) <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut width = 0;
    for c in text.chars() {
        let w = if is_wide(c) { 2 } else { 1 };
        if width + w > max.saturating_sub(1) {
            break;
        }
        width += w;
        out.push(c);
    }
    out.push('…');
    out
}

fn human_size(lang: Lang, bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    const KIB: u64 = 1024;
    let grouped = group_digits(bytes);
    let scaled = |unit: u64, name: &str| {
        let tenths = bytes * 10 / unit;
        format!("{}.{} {name}", tenths / 10, tenths % 10)
    };
    if bytes >= MIB {
        fill(
            tr(lang, "{n} bytes ({scaled})"),
            &[("n", &grouped), ("scaled", &scaled(MIB, "MiB"))],
        )
    } else if bytes >= KIB {
        fill(
            tr(lang, "{n} bytes ({scaled})"),
            &[("n", &grouped), ("scaled", &scaled(KIB, "KiB"))],
        )
    } else {
        count(bytes, tr(lang, "1 byte"), tr(lang, "{n} bytes"))
    }
}

fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn opt(value: Option<&str>) -> &str {
    value.unwrap_or("—")
}

fn opt_num(value: Option<i64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| v.to_string())
}

/// System fonts only (no web fonts: the CSP forbids fetching them), with CJK fallbacks for
/// Chinese SDK and app names on macOS (`PingFang SC`, `Hiragino Sans GB`), Windows
/// (`Microsoft YaHei`) and Linux (`Noto Sans CJK SC`, `Source Han Sans SC`, `WenQuanYi Micro
/// Hei`); `code` falls back to them too, after the monospace fonts.
pub(crate) const STYLE: &str = include_str!("html/style.css");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_direction_overrides() {
        let text = Esc("<b a='1' b=\"2\">&\u{202E}\u{0}").to_string();
        assert_eq!(
            text,
            "&lt;b a=&#39;1&#39; b=&quot;2&quot;&gt;&amp;[U+202E][U+0000]"
        );
    }

    #[test]
    fn links_only_web_urls() {
        let mut s = String::new();
        link(&mut s, "javascript:alert(1)", "x").unwrap();
        link(&mut s, "HTTPS://example.com/a?b=\"c\"", "y").unwrap();
        assert_eq!(
            s,
            "x<a href=\"HTTPS://example.com/a?b=&quot;c&quot;\" rel=\"noopener noreferrer\">y</a>"
        );
    }

    #[test]
    fn sizes_and_names_read_well() {
        assert_eq!(human_size(Lang::En, 1_234_567), "1,234,567 bytes (1.1 MiB)");
        assert_eq!(human_size(Lang::En, 999), "999 bytes");
        assert_eq!(human_size(Lang::En, 1), "1 byte");
        assert_eq!(human_size(Lang::Zh, 1_234_567), "1,234,567 字节（1.1 MiB）");
        assert_eq!(java_name("Lcom/a/B;"), "com.a.B");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("设备识别码", 6), "设备…");
        assert_eq!(text_width("a设"), 3);
    }

    /// The interface texts of the page's sources (the literals of its `tr` calls), in order.
    pub(crate) fn page_texts() -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut texts = Vec::new();
        for file in ["html.rs", "html/findings.rs", "html/network.rs"] {
            let source = std::fs::read_to_string(dir.join(file)).unwrap();
            // This test's own literals are not page text.
            let source = source.split("#[cfg(test)]").next().unwrap();
            for (at, _) in source.match_indices("tr(") {
                // `tr(` itself, not `push_str(`.
                if source[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
                {
                    continue;
                }
                let rest = &source[at + 3..];
                let Some(open) = rest.find('"') else { continue };
                // The literal is the first argument (`p.tr("…")`) or follows the language.
                let before = rest[..open].trim();
                if !(before.is_empty() || before.ends_with(',') && !before.contains(')')) {
                    continue;
                }
                let text = &rest[open + 1..];
                let text = text[..text.find('"').unwrap()].to_owned();
                if !texts.contains(&text) {
                    texts.push(text);
                }
            }
        }
        texts
    }

    /// Every interface text of the page has its Chinese, and a Chinese that differs: a text
    /// the same in both languages (`SDK`, `API`) is written without `tr`.
    #[test]
    fn every_page_text_has_its_chinese() {
        let texts = page_texts();
        assert!(texts.len() > 150, "{}", texts.len());
        let untranslated: Vec<&String> = texts
            .iter()
            .filter(|t| tr(Lang::Zh, Box::leak((*t).clone().into_boxed_str())) == t.as_str())
            .collect();
        assert!(untranslated.is_empty(), "no Chinese for {untranslated:?}");
        // Templates keep their placeholders.
        for text in &texts {
            let zh = tr(Lang::Zh, Box::leak(text.clone().into_boxed_str()));
            for (at, _) in text.match_indices('{') {
                let name = &text[at..=at + text[at..].find('}').unwrap()];
                assert!(
                    zh.contains(name),
                    "{name} missing from the Chinese of `{text}`"
                );
            }
        }
    }

    #[test]
    fn templates_fill_once() {
        assert_eq!(
            fill("{a} and {b} {c}", &[("a", "{b}"), ("b", "x")]),
            "{b} and x {c}"
        );
        assert_eq!(fill("{", &[]), "{");
        assert_eq!(fill_html("<{n}>", &[("n", "<b>1</b>")]), "&lt;<b>1</b>&gt;");
        assert_eq!(count(1u64, "1 class", "{n} classes"), "1 class");
        assert_eq!(count(3u64, "1 class", "{n} classes"), "3 classes");
    }
}
