//! The self-contained HTML report: one file that opens anywhere, offline, and prints.
//!
//! Everything the page needs is inline (CSS, SVG charts, system fonts only) and a
//! Content-Security-Policy forbids every fetch, so a report can be mailed or archived and an
//! accidental external reference fails loudly in the browser console instead of phoning home.
//! Every string from the app is escaped: labels, class names and URLs come from hostile APKs.
//! The key numbers are repeated as `data-*` attributes on each app's `<section>` so that tools and
//! tests read them without scraping text.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::io::{self, Write};

use apkscope_facts::{AnomalyFact, AppFacts, Evidence, Finding, SdkFacts, ToolFacts};

mod network;

/// Nothing may load: no scripts, fonts, frames or remote images. Inline `<style>` and `data:`
/// images are the only exceptions the report itself needs.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; \
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
    /// Writes the document head (title, security policy, styles) and the page header.
    pub fn new(mut out: W, title: &str) -> io::Result<Self> {
        let mut s = String::new();
        render_head(&mut s, title).map_err(format_error)?;
        out.write_all(s.as_bytes())?;
        Ok(Self {
            out,
            entries: Vec::new(),
        })
    }

    /// Writes one app's section.
    pub fn write_app(&mut self, facts: &AppFacts) -> io::Result<()> {
        let anchor = self.next_anchor();
        let mut s = String::new();
        render_app(&mut s, facts, &anchor).map_err(format_error)?;
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
        render_failure(&mut s, &anchor, path, kind, message).map_err(format_error)?;
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
        render_end(&mut s, &self.entries).map_err(format_error)?;
        self.out.write_all(s.as_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn next_anchor(&self) -> String {
        format!("app-{}", self.entries.len() + 1)
    }
}

/// One app, one page.
pub fn write_html(facts: &AppFacts, out: &mut dyn Write) -> io::Result<()> {
    let title = format!("apkscope report: {}", display_name(facts));
    let mut writer = HtmlWriter::new(out, &title)?;
    writer.write_app(facts)?;
    writer.finish()?;
    Ok(())
}

/// Formatting into a `String` only fails if a `Display` impl does; surface that as I/O.
fn format_error(_: fmt::Error) -> io::Error {
    io::Error::other("formatting the HTML report failed")
}

/// Escapes text for HTML element content and quoted attribute values.
///
/// Control characters and bidirectional overrides are shown as `[U+XXXX]`: a label carrying
/// U+202E could otherwise display a different name than the one the app really has.
struct Esc<'a>(&'a str);

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

fn render_head(s: &mut String, title: &str) -> fmt::Result {
    let version = ToolFacts::default().version;
    writeln!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light\">\n\
         <meta name=\"generator\" content=\"apkscope {v}\">\n\
         <title>{t}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<div class=\"page\">\n\
         <header class=\"report-header\">\n<h1>{t}</h1>\n\
         <p class=\"muted\">apkscope {v} · static analysis of the APK file: what its code and \
         manifest can do, not what was observed at run time. Signatures are reported, not \
         verified.</p>\n</header>",
        t = Esc(title),
        v = Esc(&version),
    )
}

fn render_end(s: &mut String, entries: &[IndexEntry]) -> fmt::Result {
    let failures = entries
        .iter()
        .filter(|e| matches!(e.outcome, Outcome::Failed { .. }))
        .count();
    let apps = entries.len() - failures;
    if entries.len() > 1 {
        render_batch_index(s, entries, apps, failures)?;
    }
    let version = ToolFacts::default().version;
    writeln!(
        s,
        "<footer class=\"report-footer\" data-apps=\"{apps}\" data-failures=\"{failures}\">\n\
         <p>{apps} app(s) analysed, {failures} input(s) failed. Generated by apkscope {v}. \
         This file is self-contained: it loads nothing from the network.</p>\n</footer>\n\
         </div>\n</body>\n</html>",
        v = Esc(&version),
    )
}

fn render_batch_index(
    s: &mut String,
    entries: &[IndexEntry],
    apps: usize,
    failures: usize,
) -> fmt::Result {
    write!(
        s,
        "<nav class=\"batch-index\" aria-label=\"Batch index\">\n\
         <h2>Batch: {apps} app(s) analysed, {failures} failed</h2>\n\
         <table class=\"compact\">\n<thead><tr><th>App</th><th>Package</th><th>Findings</th>"
    )?;
    for severity in SEVERITIES {
        write!(s, "<th>{severity}</th>")?;
    }
    s.push_str("<th>SDKs</th><th>Notes</th></tr></thead>\n<tbody>\n");
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
                    s.push_str("<span class=\"flag bad\">packed</span>");
                }
                s.push_str("</td></tr>\n");
            }
            Outcome::Failed { kind } => {
                writeln!(
                    s,
                    "<td colspan=\"{}\"><span class=\"flag bad\">failed</span> {}</td></tr>",
                    SEVERITIES.len() + 4,
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
    anchor: &str,
    path: &str,
    kind: &str,
    message: &str,
) -> fmt::Result {
    writeln!(
        s,
        "<section class=\"failure\" id=\"{a}\" data-path=\"{p}\" data-error-kind=\"{k}\">\n\
         <h2>Not analysed: {p}</h2>\n\
         <p><span class=\"flag bad\">{k}</span> {m}</p>\n</section>",
        a = Esc(anchor),
        p = Esc(path),
        k = Esc(kind),
        m = Esc(message),
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

fn render_app(s: &mut String, facts: &AppFacts, anchor: &str) -> fmt::Result {
    let numbers = AppNumbers::of(facts);
    let counts = &numbers.severities;
    write!(
        s,
        "<section class=\"app\" id=\"{a}\" data-package=\"{package}\" data-label=\"{label}\" \
         data-findings=\"{findings}\"",
        a = Esc(anchor),
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
         data-unused-permissions=\"{}\" data-pi-types=\"{}\" data-packers=\"{}\" \
         data-packed=\"{}\" data-native-libs=\"{}\" data-anomalies=\"{}\">",
        facts.sdks.len(),
        facts.permissions.requested.len(),
        numbers.sensitive_permissions,
        numbers.unused_permissions,
        numbers.pi_types.len(),
        facts.packers.len(),
        !facts.packers.is_empty(),
        facts.native.len(),
        all_anomalies(facts).len(),
    )?;
    render_identity(s, facts, anchor)?;
    render_summary(s, facts, &numbers)?;
    render_permissions(s, facts, anchor)?;
    render_sdks(s, facts, anchor)?;
    render_pi_access(s, facts, anchor)?;
    render_findings(s, facts, anchor, counts)?;
    render_native(s, facts, anchor)?;
    network::render_network(s, facts, anchor)?;
    render_anomalies(s, facts, anchor)?;
    s.push_str("</section>\n");
    Ok(())
}

fn render_identity(s: &mut String, facts: &AppFacts, anchor: &str) -> fmt::Result {
    let app = &facts.app;
    writeln!(
        s,
        "<header class=\"app-header\">\n<h2>{}</h2>",
        Esc(display_name(facts))
    )?;
    if let Some(package) = &app.package {
        writeln!(s, "<p class=\"package\"><code>{}</code></p>", Esc(package))?;
    }
    writeln!(
        s,
        "<nav class=\"toc\" aria-label=\"Sections\"><a href=\"#{a}-permissions\">Permissions</a> \
         <a href=\"#{a}-sdks\">SDKs</a> <a href=\"#{a}-pi\">Personal information</a> \
         <a href=\"#{a}-findings\">Findings</a> <a href=\"#{a}-native\">Native code</a> \
         <a href=\"#{a}-anomalies\">Anomalies</a></nav>\n</header>\n<dl class=\"meta\">",
        a = Esc(anchor)
    )?;

    let mut version = opt(app.version_name.as_deref()).to_owned();
    match (app.version_code, app.version_code_major) {
        (Some(code), Some(major)) => write!(version, " (code {code}, major {major})")?,
        (Some(code), None) => write!(version, " (code {code})")?,
        _ => {}
    }
    meta_row(s, "Version", &version)?;
    let mut sdk = format!(
        "min {} · target {} · compile {}",
        opt_num(app.min_sdk),
        opt_num(app.target_sdk),
        opt_num(app.compile_sdk)
    );
    if let Some(codename) = &app.sdk_codename {
        write!(sdk, " (preview {codename})")?;
    }
    meta_row(s, "Android SDK", &sdk)?;
    let application = &facts.manifest.application;
    if let Some(name) = &application.name {
        writeln!(
            s,
            "<dt>Application class</dt><dd><code>{}</code></dd>",
            Esc(name)
        )?;
    }
    render_app_flags(s, facts)?;
    render_signing(s, facts)?;

    let input = &facts.input;
    writeln!(
        s,
        "<dt>Input</dt><dd><code>{}</code></dd>",
        Esc(&input.path)
    )?;
    writeln!(
        s,
        "<dt>SHA-256</dt><dd><code class=\"hash\">{}</code></dd>",
        Esc(&input.sha256)
    )?;
    meta_row(s, "Size", &human_size(input.size))?;
    if let Some(pack) = &facts.rule_pack {
        writeln!(
            s,
            "<dt>Rule pack</dt><dd>{} SDKs, {} APIs, {} checks, {} packers · \
             <code class=\"hash\">{}</code></dd>",
            pack.sdks,
            pack.apis,
            pack.checks,
            pack.packers,
            Esc(&pack.hash)
        )?;
    }
    s.push_str("</dl>\n");
    Ok(())
}

fn render_app_flags(s: &mut String, facts: &AppFacts) -> fmt::Result {
    let application = &facts.manifest.application;
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
    s.push_str("<dt>Manifest flags</dt><dd>");
    for (name, _, severe) in set {
        let class = if *severe { "flag bad" } else { "flag warn" };
        write!(s, "<span class=\"{class}\">{name}</span> ")?;
    }
    s.push_str("</dd>\n");
    Ok(())
}

fn render_signing(s: &mut String, facts: &AppFacts) -> fmt::Result {
    let signing = &facts.signing;
    s.push_str("<dt>Signing</dt><dd>");
    if signing.schemes.is_empty() {
        s.push_str("<span class=\"flag bad\">unsigned</span>");
    } else {
        write!(s, "schemes {}", Esc(&signing.schemes.join(", ")))?;
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
             <div class=\"muted\">{key}{bits} · {alg} · valid {from} to {to} · {schemes}</div>\
             <div><code class=\"hash\">SHA-256 {sha}</code></div>",
            subject = Esc(&cert.subject),
            key = Esc(&cert.key_type),
            alg = Esc(&cert.signature_algorithm),
            from = Esc(&cert.not_before),
            to = Esc(&cert.not_after),
            schemes = Esc(&schemes.join(", ")),
            sha = Esc(&cert.sha256),
        )?;
        if cert.debug {
            s.push_str("<span class=\"flag bad\">debug certificate</span> ");
        }
        if cert.not_after.as_str() < PLAY_MINIMUM_VALIDITY_END {
            write!(
                s,
                "<span class=\"flag warn\">validity ends before {PLAY_MINIMUM_VALIDITY_END} \
                 (Google Play minimum)</span>"
            )?;
        }
        s.push_str("</div>");
    }
    s.push_str("</dd>\n");
    Ok(())
}

fn render_summary(s: &mut String, facts: &AppFacts, numbers: &AppNumbers) -> fmt::Result {
    if !facts.packers.is_empty() {
        let names: Vec<&str> = facts.packers.iter().map(|p| p.name.as_str()).collect();
        write!(
            s,
            "<div class=\"alert\" role=\"alert\"><strong>Code analysis incomplete: hidden by \
             {}</strong>. The real code is encrypted or loaded at run time, so SDKs, \
             personal-information access and permission use below are a lower bound.<ul>",
            Esc(&names.join(", "))
        )?;
        for packer in &facts.packers {
            write!(
                s,
                "<li>{} ({}{}): {}</li>",
                Esc(&packer.name),
                Esc(&packer.kind),
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
        s.push_str(
            "<div class=\"note\">Code was not analysed: permission use, SDK code and \
             personal-information access are unknown.</div>\n",
        );
    }
    if facts.rule_pack.is_none() {
        s.push_str(
            "<div class=\"note\">No rule pack ran: SDKs, personal-information access and \
             findings were not evaluated.</div>\n",
        );
    }

    let requested = facts.permissions.requested.len();
    s.push_str("<div class=\"summary\">\n<div class=\"card wide\">\n");
    writeln!(
        s,
        "<div class=\"big\">{}</div><div class=\"label\">findings</div>",
        facts.findings.len()
    )?;
    severity_chart(s, &numbers.severities)?;
    s.push_str("</div>\n");
    summary_card(s, facts.sdks.len(), "third-party SDKs", "")?;
    summary_card(
        s,
        numbers.sensitive_permissions,
        "sensitive permissions",
        &format!(
            "of {requested} requested · {} unused by code",
            numbers.unused_permissions
        ),
    )?;
    summary_card(
        s,
        numbers.pi_types.len(),
        "personal-information types reached",
        &numbers
            .pi_types
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", "),
    )?;
    let packers = if facts.packers.is_empty() {
        "none detected".to_owned()
    } else {
        facts
            .packers
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    summary_card(s, facts.packers.len(), "packers", &packers)?;
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
fn severity_chart(s: &mut String, counts: &SeverityCounts) -> fmt::Result {
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
         <title>Findings by severity</title>"
    )?;
    for (row, (severity, n)) in SEVERITIES.iter().zip(counts.known).enumerate() {
        let y = row * ROW + 2;
        let bar = if n == 0 { 0 } else { (n * BAR / max).max(2) };
        write!(
            s,
            "<text x=\"0\" y=\"{ty}\" class=\"axis\">{severity}</text>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{BAR}\" height=\"16\" class=\"track\"/>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{bar}\" height=\"16\" class=\"bar-{severity}\"/>\
             <text x=\"{tx}\" y=\"{ty}\" class=\"value\">{n}</text>",
            ty = y + 13,
            tx = LABEL + BAR + 6,
        )?;
    }
    s.push_str("</svg>\n");
    if counts.other > 0 {
        writeln!(
            s,
            "<div class=\"detail\">{} of unknown severity</div>",
            counts.other
        )?;
    }
    Ok(())
}

fn render_permissions(s: &mut String, facts: &AppFacts, anchor: &str) -> fmt::Result {
    let requested = &facts.permissions.requested;
    writeln!(
        s,
        "<h3 id=\"{}-permissions\">Permissions requested ({})</h3>",
        Esc(anchor),
        requested.len()
    )?;
    if requested.is_empty() {
        s.push_str("<p class=\"muted\">None.</p>\n");
    } else {
        s.push_str(
            "<table class=\"matrix\">\n<thead><tr><th>Permission</th><th>TC260 group</th>\
             <th>Protection</th><th>Personal information</th><th>Used by code</th>\
             <th>Used by</th></tr></thead>\n<tbody>\n",
        );
        for p in requested {
            let row_class = match (is_sensitive(p), p.used) {
                (true, Some(false)) => " class=\"unused sensitive\"",
                (true, _) => " class=\"sensitive\"",
                (false, Some(false)) => " class=\"unused\"",
                _ => "",
            };
            write!(s, "<tr{row_class}><td><code>{}</code>", Esc(&p.name))?;
            if let Some(max) = p.max_sdk {
                write!(s, " <span class=\"muted\">up to API {max}</span>")?;
            }
            if p.element != "uses-permission" {
                write!(s, " <span class=\"muted\">({})</span>", Esc(&p.element))?;
            }
            s.push_str("</td><td>");
            match (&p.group, &p.special) {
                (Some(group), _) => write!(s, "<span class=\"flag warn\">{}</span>", Esc(group))?,
                (None, Some(special)) => {
                    write!(
                        s,
                        "<span class=\"flag warn\">special: {}</span>",
                        Esc(special)
                    )?;
                }
                (None, None) => s.push_str("<span class=\"muted\">—</span>"),
            }
            write!(
                s,
                "</td><td>{}</td><td>{}</td><td class=\"used\">",
                Esc(p.protection_level.as_deref().unwrap_or("unknown"))
                    .to_string()
                    .replace('|', "|<wbr>"),
                chips(&p.pi_types)
            )?;
            match p.used {
                Some(true) => s.push_str("yes"),
                Some(false) => s.push_str("<strong>no</strong>"),
                None => s.push_str("<span class=\"muted\">unknown</span>"),
            }
            writeln!(s, "</td><td>{}</td></tr>", owners(&p.used_by))?;
        }
        s.push_str("</tbody>\n</table>\n");
        s.push_str(
            "<p class=\"muted small\">Used: some code references an API that needs the \
             permission (no: none does; unknown: code not analysed or no API known for it). \
             Used by: SDK ids, <em>app</em> (the app's own packages) and <em>unattributed</em> \
             (code of no known SDK outside them, e.g. obfuscated).</p>\n",
        );
    }
    let declared = &facts.permissions.declared;
    if !declared.is_empty() {
        writeln!(
            s,
            "<details><summary>Permissions the app defines ({})</summary>\n\
             <table class=\"compact\"><thead><tr><th>Permission</th><th>Protection</th>\
             <th>Group</th></tr></thead><tbody>",
            declared.len()
        )?;
        for p in declared {
            writeln!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                Esc(&p.name),
                Esc(&p.protection_level),
                Esc(opt(p.group.as_deref()))
            )?;
        }
        s.push_str("</tbody></table></details>\n");
    }
    Ok(())
}

fn render_sdks(s: &mut String, facts: &AppFacts, anchor: &str) -> fmt::Result {
    writeln!(
        s,
        "<h3 id=\"{}-sdks\">Third-party SDKs ({})</h3>",
        Esc(anchor),
        facts.sdks.len()
    )?;
    if facts.sdks.is_empty() {
        let why = if facts.rule_pack.is_none() {
            "Not evaluated (no rule pack)."
        } else {
            "None detected."
        };
        writeln!(s, "<p class=\"muted\">{why}</p>")?;
    } else {
        s.push_str(
            "<table class=\"sdks\">\n<thead><tr><th>SDK</th><th>Vendor</th><th>Category</th>\
             <th>Purpose</th><th>Evidence</th><th>Can reach</th></tr></thead>\n<tbody>\n",
        );
        for sdk in &facts.sdks {
            render_sdk_row(s, sdk)?;
        }
        s.push_str("</tbody>\n</table>\n");
    }
    Ok(())
}

fn render_sdk_row(s: &mut String, sdk: &SdkFacts) -> fmt::Result {
    write!(s, "<tr><td><strong>{}</strong>", Esc(&sdk.name))?;
    if let Some(zh) = sdk.name_zh.as_deref().filter(|zh| *zh != sdk.name) {
        write!(s, "<br>{}", Esc(zh))?;
    }
    write!(s, "<br><code class=\"muted\">{}</code>", Esc(&sdk.id))?;
    if let Some(url) = &sdk.homepage {
        s.push_str("<br>");
        link(s, url, "home page")?;
    }
    if let Some(url) = &sdk.privacy_policy {
        s.push_str("<br>");
        link(s, url, "privacy policy")?;
    }
    write!(
        s,
        "</td><td>{}</td><td>{}</td><td>{}</td><td>",
        Esc(opt(sdk.vendor.as_deref())),
        Esc(&sdk.category),
        Esc(&sdk.purpose)
    )?;
    let e = &sdk.evidence;
    let mut parts = Vec::new();
    if e.classes > 0 {
        parts.push(count(e.classes, "class", "classes"));
    }
    for (one, many, list) in [
        ("component", "components", &e.components),
        ("intent action", "intent actions", &e.intent_actions),
        ("native library", "native libraries", &e.native_libs),
        ("host", "hosts", &e.domains),
    ] {
        if !list.is_empty() {
            parts.push(count(list.len(), one, many));
        }
    }
    write!(s, "{}", Esc(&parts.join(", ")))?;
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
    write!(s, "</td><td>{}", chips(&sdk.pi_types))?;
    if !sdk.permissions.is_empty() {
        let short: Vec<&str> = sdk
            .permissions
            .iter()
            .map(|p| short_permission(p))
            .collect();
        write!(
            s,
            "<div class=\"small\">permissions: {}</div>",
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
fn pi_heatmap(s: &mut String, facts: &AppFacts) -> fmt::Result {
    const CELL: usize = 34;
    const CHAR: usize = 7;
    if facts.pi_access.is_empty() {
        return Ok(());
    }
    let HeatmapCells {
        sites,
        types,
        owners,
    } = heatmap_cells(facts);
    let names: BTreeMap<&str, &str> = facts
        .sdks
        .iter()
        .map(|sdk| (sdk.id.as_str(), sdk.name.as_str()))
        .collect();
    let label_of = |owner: &str| -> String {
        let name = match owner {
            "app" => "the app's own code",
            "unattributed" => "unattributed code",
            other => names.get(other).copied().unwrap_or(other),
        };
        clip(name, 28)
    };

    let label_width = owners
        .iter()
        .map(|o| label_of(o).chars().count())
        .max()
        .unwrap_or(0)
        * CHAR
        + 12;
    let header_height = types
        .iter()
        .map(|t| clip(t, 24).chars().count())
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
         <title>Personal-information types reached, by owner (call sites)</title>"
    )?;
    for (column, pi_type) in types.iter().enumerate() {
        let x = label_width + column * CELL + CELL / 2;
        write!(
            s,
            "<text class=\"axis\" transform=\"translate({x},{y}) rotate(-45)\">{t}</text>",
            y = header_height - 6,
            t = Esc(&clip(pi_type, 24))
        )?;
    }
    for (row, owner) in owners.iter().enumerate() {
        let y = header_height + row * CELL;
        write!(
            s,
            "<text class=\"axis\" x=\"0\" y=\"{ty}\">{label}</text>",
            ty = y + CELL / 2 + 4,
            label = Esc(&label_of(owner))
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
                 <title>{o} · {t}: {n} call site(s)</title></rect>",
                w = CELL - 2,
                o = Esc(&label_of(owner)),
                t = Esc(pi_type),
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
    s.push_str(
        "</svg><figcaption>Call sites of personal-information APIs by owner and type (static: \
         code that can run, not observed collection).</figcaption></figure>\n",
    );
    Ok(())
}

fn render_pi_access(s: &mut String, facts: &AppFacts, anchor: &str) -> fmt::Result {
    writeln!(
        s,
        "<h3 id=\"{}-pi\">Personal-information access ({})</h3>",
        Esc(anchor),
        facts.pi_access.len()
    )?;
    if facts.pi_access.is_empty() {
        s.push_str("<p class=\"muted\">No code reaches a known personal-information API.</p>\n");
        return Ok(());
    }
    pi_heatmap(s, facts)?;
    s.push_str(
        "<table class=\"pi\">\n<thead><tr><th>PI type</th><th>API</th><th>By</th>\
         <th>Sites</th><th>Example</th></tr></thead>\n<tbody>\n",
    );
    for access in &facts.pi_access {
        write!(
            s,
            "<tr><td><span class=\"chip\">{pi}</span></td><td>{api}<br><code>{sig}</code></td>\
             <td class=\"owner\">{by}</td><td class=\"num\">{sites}</td><td>",
            pi = Esc(&access.pi_type),
            api = Esc(&access.api),
            sig = Esc(&access.signature),
            by = owners(std::slice::from_ref(&access.by)),
            sites = access.sites,
        )?;
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
                    " <span class=\"muted\">(+{} more)</span>",
                    access.examples.len() - 1
                )?;
            }
        }
        s.push_str("</td></tr>\n");
    }
    s.push_str("</tbody>\n</table>\n");
    Ok(())
}

fn render_findings(
    s: &mut String,
    facts: &AppFacts,
    anchor: &str,
    counts: &SeverityCounts,
) -> fmt::Result {
    writeln!(
        s,
        "<h3 id=\"{}-findings\">Findings ({})</h3>",
        Esc(anchor),
        facts.findings.len()
    )?;
    if facts.findings.is_empty() {
        let why = if facts.rule_pack.is_none() {
            "Not evaluated (no rule pack)."
        } else {
            "None."
        };
        writeln!(s, "<p class=\"muted\">{why}</p>")?;
        return Ok(());
    }
    for (severity, n) in SEVERITIES.iter().zip(counts.known) {
        if n == 0 {
            continue;
        }
        let group: Vec<&Finding> = facts
            .findings
            .iter()
            .filter(|f| f.severity == *severity)
            .collect();
        findings_table(s, severity, &group)?;
    }
    if counts.other > 0 {
        let group: Vec<&Finding> = facts
            .findings
            .iter()
            .filter(|f| !SEVERITIES.contains(&f.severity.as_str()))
            .collect();
        findings_table(s, "other", &group)?;
    }
    Ok(())
}

fn findings_table(s: &mut String, severity: &str, findings: &[&Finding]) -> fmt::Result {
    writeln!(
        s,
        "<h4><span class=\"sev sev-{sev}\">{sev}</span> {n} finding(s)</h4>\n\
         <table class=\"findings\" data-severity=\"{sev}\">\n<thead><tr><th>Rule</th>\
         <th>Finding</th><th>Evidence</th><th>References</th></tr></thead>\n<tbody>",
        sev = Esc(severity),
        n = findings.len()
    )?;
    for finding in findings {
        write!(
            s,
            "<tr><td><strong>{rule}</strong><br><span class=\"small muted\">{name}</span></td>\
             <td><strong>{title}</strong><br>{message}</td><td>",
            rule = Esc(&finding.rule),
            name = Esc(&finding.name),
            title = Esc(&finding.title),
            message = Esc(&finding.message),
        )?;
        evidence_list(s, &finding.evidence)?;
        s.push_str("</td><td>");
        for reference in &finding.references {
            s.push_str("<div>");
            link(s, reference, reference)?;
            s.push_str("</div>");
        }
        writeln!(
            s,
            "<div class=\"small muted\">fingerprint {}</div></td></tr>",
            Esc(&finding.fingerprint)
        )?;
    }
    s.push_str("</tbody>\n</table>\n");
    Ok(())
}

fn evidence_list(s: &mut String, evidence: &Evidence) -> fmt::Result {
    // A method's smali signature starts with its class: show the class only when it adds something.
    let class = evidence
        .class
        .as_deref()
        .filter(|class| {
            evidence
                .method
                .as_deref()
                .is_none_or(|method| !method.starts_with(&format!("{class}->")))
        })
        .map(java_name);
    let fields = [
        ("entry", evidence.entry.as_deref()),
        ("sdk", evidence.sdk.as_deref()),
        ("packer", evidence.packer.as_deref()),
        ("certificate", evidence.certificate.as_deref()),
        ("permission", evidence.permission.as_deref()),
        ("component", evidence.component.as_deref()),
        ("class", class.as_deref()),
        ("method", evidence.method.as_deref()),
        ("api", evidence.api.as_deref()),
    ];
    s.push_str("<dl class=\"evidence\">");
    for (name, value) in fields {
        if let Some(value) = value {
            write!(s, "<dt>{name}</dt><dd><code>{}</code></dd>", Esc(value))?;
        }
    }
    s.push_str("</dl>");
    Ok(())
}

fn render_native(s: &mut String, facts: &AppFacts, anchor: &str) -> fmt::Result {
    writeln!(
        s,
        "<h3 id=\"{}-native\">Native libraries ({})</h3>",
        Esc(anchor),
        facts.native.len()
    )?;
    if facts.native.is_empty() {
        s.push_str("<p class=\"muted\">None.</p>\n");
    } else {
        s.push_str(
            "<table class=\"compact\">\n<thead><tr><th>Library</th><th>ABI</th><th>SDK</th>\
             <th>JNI</th><th>Imports of interest</th><th>Missing hardening</th>\
             <th>Strings of interest</th></tr></thead>\n<tbody>\n",
        );
        for lib in &facts.native {
            let h = &lib.hardening;
            let mut weak: Vec<String> = [
                ("NX", h.nx),
                ("PIE", h.pie),
                ("stack protector", h.stack_protector),
            ]
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(flag, _)| (*flag).to_owned())
            .collect();
            if h.relro != "full" {
                weak.push(format!("RELRO {}", h.relro));
            }
            let jni = match (lib.jni_methods.len(), lib.jni_onload) {
                (0, false) => String::new(),
                (0, true) => "JNI_OnLoad".to_owned(),
                (n, false) => count(n, "method", "methods"),
                (n, true) => format!("{} + JNI_OnLoad", count(n, "method", "methods")),
            };
            writeln!(
                s,
                "<tr><td><code>{path}</code></td><td>{abi}</td><td>{sdk}</td><td>{jni}</td>\
                 <td><code>{imports}</code></td><td>{weak}</td><td><code>{strings}</code></td></tr>",
                path = Esc(&lib.path),
                abi = Esc(lib.abi.as_deref().unwrap_or(&lib.machine)),
                sdk = Esc(opt(lib.sdk.as_deref())),
                jni = Esc(&jni),
                imports = Esc(&lib.imports_of_interest.join(", ")),
                weak = Esc(&weak.join(", ")),
                strings = Esc(&lib.strings_of_interest.join("\n")),
            )?;
        }
        s.push_str("</tbody>\n</table>\n");
    }
    obfuscation_block(s, facts)?;
    let payloads = &facts.code.hidden_payloads;
    if !payloads.is_empty() {
        writeln!(
            s,
            "<h4>Code outside classes*.dex ({})</h4>\n<table class=\"compact\">\n<thead><tr>\
             <th>Path</th><th>Format</th><th>Size</th><th>Indexed</th><th>Detail</th></tr>\
             </thead>\n<tbody>",
            payloads.len()
        )?;
        for p in payloads {
            writeln!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td>{}</td>\
                 <td>{}</td></tr>",
                Esc(&p.path),
                Esc(&p.format),
                p.size,
                if p.parsed { "yes" } else { "no" },
                Esc(&p.detail)
            )?;
        }
        s.push_str("</tbody>\n</table>\n");
    }
    Ok(())
}

/// Compilers of the dex files and the obfuscation verdicts with their evidence.
fn obfuscation_block(s: &mut String, facts: &AppFacts) -> fmt::Result {
    let code = &facts.code;
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
    writeln!(
        s,
        "<h4>Compiler and obfuscation</h4>\n<p>Compiled by: {}. Obfuscation: <strong>{}</strong> \
         ({} of {} classes, {} of {} methods short-named).</p>",
        Esc(&if compilers.is_empty() {
            "not recognised".to_owned()
        } else {
            compilers.join(", ")
        }),
        Esc(&crate::obfuscation_verdicts(o)),
        o.short_class_names,
        o.classes,
        o.short_method_names,
        o.methods
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

fn render_anomalies(s: &mut String, facts: &AppFacts, anchor: &str) -> fmt::Result {
    let all = all_anomalies(facts);
    writeln!(
        s,
        "<h3 id=\"{}-anomalies\">Anomalies ({})</h3>",
        Esc(anchor),
        all.len()
    )?;
    if all.is_empty() {
        s.push_str("<p class=\"muted\">None: the container, manifest and code read cleanly.</p>\n");
        return Ok(());
    }
    s.push_str(
        "<table class=\"compact\">\n<thead><tr><th>Source</th><th>Kind</th><th>Where</th>\
         <th>Offset</th><th>Detail</th></tr></thead>\n<tbody>\n",
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

fn chips(items: &[String]) -> String {
    let mut out = String::new();
    for item in items {
        let _ = write!(out, "<span class=\"chip\">{}</span> ", Esc(item));
    }
    out
}

/// SDK ids and the two special owners, with the special ones in italics.
fn owners(ids: &[String]) -> String {
    let mut out = Vec::new();
    for id in ids {
        out.push(match id.as_str() {
            "app" | "unattributed" => format!("<em>{}</em>", Esc(id)),
            _ => format!("<code>{}</code>", Esc(id)),
        });
    }
    out.join(", ")
}

/// `Lcom/example/Foo;` → `com.example.Foo`; anything else unchanged.
fn java_name(descriptor: &str) -> String {
    descriptor
        .strip_prefix('L')
        .and_then(|d| d.strip_suffix(';'))
        .map_or_else(|| descriptor.to_owned(), |d| d.replace('/', "."))
}

/// `1 class`, `2 classes`.
fn count<N: fmt::Display + PartialEq + From<u8> + Copy>(n: N, one: &str, many: &str) -> String {
    if n == N::from(1) {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn short_permission(name: &str) -> &str {
    name.strip_prefix("android.permission.").unwrap_or(name)
}

/// At most `max` characters, with an ellipsis when cut (SVG text does not wrap).
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    const KIB: u64 = 1024;
    let grouped = group_digits(bytes);
    if bytes >= MIB {
        let tenths = bytes * 10 / MIB;
        format!("{grouped} bytes ({}.{} MiB)", tenths / 10, tenths % 10)
    } else if bytes >= KIB {
        let tenths = bytes * 10 / KIB;
        format!("{grouped} bytes ({}.{} KiB)", tenths / 10, tenths % 10)
    } else if bytes == 1 {
        "1 byte".to_owned()
    } else {
        format!("{grouped} bytes")
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
const STYLE: &str = r#"
:root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--soft:#f6f8fa;--accent:#0b57d0;
--critical:#7a0916;--high:#c4320a;--medium:#b35900;--low:#1f6feb;--info:#57606a}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;color:var(--fg);background:#fff;font:14px/1.45 system-ui,-apple-system,"Segoe UI",
Roboto,"Noto Sans","PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",
"Source Han Sans SC","WenQuanYi Micro Hei",sans-serif}
.page{max-width:1280px;margin:0 auto;padding:20px 28px;display:flex;flex-direction:column}
.report-header{order:-2;border-bottom:3px solid var(--fg);margin-bottom:8px}
.batch-index{order:-1}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:20px;margin:0}
h3{font-size:16px;margin:26px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h4{font-size:14px;margin:16px 0 6px}
code{font:12px/1.4 ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,
"Noto Sans Mono CJK SC","PingFang SC","Microsoft YaHei",monospace;
overflow-wrap:anywhere;white-space:pre-wrap}
a{color:var(--accent)}
.muted{color:var(--muted)}
.small{font-size:12px}
section.app,section.failure{margin:18px 0 30px;padding-top:10px;border-top:2px solid var(--line)}
.report-header+section{border-top:none;padding-top:0}
td.owner,td.owner code,td.used{white-space:nowrap;overflow-wrap:normal}
.app-header{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 16px}
.app-header .package{margin:0}
.toc{flex-basis:100%;font-size:12px}
.toc a{margin-right:10px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:12px 0;
padding:10px 14px;background:var(--soft);border:1px solid var(--line);border-radius:6px}
dl.meta dt{font-weight:600;color:var(--muted)}
dl.meta dd{margin:0;min-width:0}
.cert{margin-top:4px}
.hash{font-size:11px}
.flag{display:inline-block;white-space:nowrap;padding:0 6px;border-radius:10px;font-size:12px;font-weight:600;
border:1px solid currentColor}
.flag.bad{color:var(--critical);background:#ffebe9}
.flag.warn{color:var(--medium);background:#fff8c5}
.alert{margin:12px 0;padding:10px 14px;border:2px solid var(--critical);background:#ffebe9;
border-radius:6px;font-size:15px}
.alert ul{margin:6px 0 0;font-size:13px}
.note{margin:10px 0;padding:8px 12px;border-left:4px solid var(--medium);background:#fff8c5}
.summary{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:10px;
margin:12px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 12px;break-inside:avoid}
.card.wide{grid-column:span 2;min-width:340px}
.card .big{font-size:28px;font-weight:700;line-height:1.1}
.card .label{font-weight:600}
.card .detail{color:var(--muted);font-size:12px;overflow-wrap:anywhere}
svg.chart{display:block;max-width:100%;height:auto;margin-top:6px;font-size:12px}
svg .axis{fill:var(--fg);font-size:12px}
svg .value{fill:var(--fg);font-size:12px;font-weight:700}
svg .track{fill:#eef1f4}
svg .bar-critical{fill:var(--critical)}svg .bar-high{fill:var(--high)}
svg .bar-medium{fill:#e8a317}svg .bar-low{fill:var(--low)}svg .bar-info{fill:#8c959f}
svg .heat-0{fill:#f3f4f6}svg .heat-1{fill:#ffe8cc}svg .heat-2{fill:#ffc078}
svg .heat-3{fill:#f76707}svg .heat-4{fill:#a61e4d}
svg .cell{font-size:11px;text-anchor:middle;font-weight:700}
svg .heat-text-1,svg .heat-text-2{fill:#1f2328}svg .heat-text-3,svg .heat-text-4{fill:#fff}
figure.heatmap{margin:14px 0}
figcaption{color:var(--muted);font-size:12px}
table{width:100%;border-collapse:collapse;margin:6px 0 10px;font-size:13px}
th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid var(--line)}
th{background:var(--soft);font-weight:600;position:sticky;top:0}
td{overflow-wrap:anywhere}
td.num,th.num{text-align:right;white-space:nowrap}
table.compact{font-size:12px}
tr.sensitive td:first-child{border-left:3px solid var(--medium)}
tr.unused td{background:#fff8f0}
.chip{display:inline-block;padding:0 6px;margin:1px 0;border-radius:10px;background:#ddf4ff;
font-size:12px;white-space:nowrap}
.sev{display:inline-block;min-width:54px;padding:0 6px;border-radius:4px;color:#fff;
font-size:12px;font-weight:700;text-align:center;text-transform:uppercase}
.sev-critical{background:var(--critical)}.sev-high{background:var(--high)}
.sev-medium{background:#e8a317;color:#1f2328}.sev-low{background:var(--low)}
.sev-info,.sev-other{background:var(--info)}
table.findings td:first-child{width:150px}
table.findings td:nth-child(3){width:34%}
table.findings td:last-child{width:170px;font-size:12px}
dl.evidence{display:grid;grid-template-columns:max-content 1fr;gap:0 8px;margin:0}
dl.evidence dt{color:var(--muted);font-size:12px}
dl.evidence dd{margin:0;min-width:0}
.examples{margin-top:2px;color:var(--muted)}
details summary{cursor:pointer;margin:8px 0}
.report-footer{margin-top:24px;padding-top:8px;border-top:1px solid var(--line);
color:var(--muted);font-size:12px}
@media print{
.page{display:block;max-width:none;padding:0}
body{font-size:10.5px}
code{font-size:9.5px}
table{font-size:10px}
table.matrix td:first-child{width:36%}
.chip,.flag,.sev,.hash{font-size:9.5px}
th{position:static}
.toc{display:none}
section.app{break-before:page}
section.app:first-of-type{break-before:auto}
tr,.card,figure,.alert{break-inside:avoid}
h3,h4{break-after:avoid}
a{color:inherit;text-decoration:none}
}
"#;

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
        assert_eq!(human_size(1_234_567), "1,234,567 bytes (1.1 MiB)");
        assert_eq!(human_size(999), "999 bytes");
        assert_eq!(java_name("Lcom/a/B;"), "com.a.B");
        assert_eq!(clip("abcdef", 4), "abc…");
    }
}
