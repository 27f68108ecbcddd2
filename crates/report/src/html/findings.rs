//! The HTML findings and checks: every finding with its owner, PI type, confidence, severity
//! reason and code sites; every check that fired once, with why it matters, what to do and the
//! texts it cites, expanded. A finding links to its check and to each cited text there.

use std::fmt::{self, Write as _};

use apkscope_facts::{CheckFacts, Evidence, Finding, ReferenceFacts};

use super::{
    Esc, Page, SEVERITIES, SeverityCounts, count, empty, fill, fill_html, heading, java_name, link,
    severity_badge,
};
use crate::locale::{Lang, label};

pub(super) fn render_findings(
    s: &mut String,
    p: &Page<'_>,
    counts: &SeverityCounts,
) -> fmt::Result {
    let facts = p.facts;
    heading(
        s,
        p,
        "findings",
        p.tr("Findings ({n})"),
        facts.findings.len(),
    )?;
    if facts.findings.is_empty() {
        let why = if facts.rule_pack.is_none() {
            p.tr("Not evaluated (no rule pack).")
        } else {
            p.tr("No check found anything.")
        };
        return empty(s, why);
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
        findings_table(s, p, severity, &group)?;
    }
    if counts.other > 0 {
        let group: Vec<&Finding> = facts
            .findings
            .iter()
            .filter(|f| !SEVERITIES.contains(&f.severity.as_str()))
            .collect();
        findings_table(s, p, "other", &group)?;
    }
    Ok(())
}

fn findings_table(
    s: &mut String,
    p: &Page<'_>,
    severity: &str,
    findings: &[&Finding],
) -> fmt::Result {
    writeln!(
        s,
        "<h4>{badge} {n}</h4>\n<table class=\"findings\" data-severity=\"{sev}\">\n\
         <thead><tr><th>{rule}</th><th>{finding}</th><th>{evidence}</th><th>{refs}</th></tr>\
         </thead>\n<tbody>",
        badge = severity_badge(p.lang, severity),
        n = Esc(&count(
            findings.len(),
            p.tr("1 finding"),
            p.tr("{n} findings")
        )),
        sev = Esc(severity),
        rule = Esc(p.tr("Rule")),
        finding = Esc(p.tr("Finding")),
        evidence = Esc(p.tr("Where")),
        refs = Esc(p.tr("References")),
    )?;
    for finding in findings {
        finding_row(s, p, finding)?;
    }
    s.push_str("</tbody>\n</table>\n");
    Ok(())
}

/// The check's title in the page's language.
fn check_title(lang: Lang, check: &CheckFacts) -> &str {
    lang.pick(&check.title, check.zh.as_ref().map(|zh| zh.title.as_str()))
}

/// `app-1-check-API001`: where a check is explained.
fn check_anchor(p: &Page<'_>, rule: &str) -> String {
    format!("{}-check-{rule}", p.anchor)
}

fn finding_row(s: &mut String, p: &Page<'_>, finding: &Finding) -> fmt::Result {
    let check = p.checks.get(finding.rule.as_str()).copied();
    let title = match check {
        Some(check) => check_title(p.lang, check),
        None => &finding.title,
    };
    write!(
        s,
        "<tr data-rule=\"{rule}\"><td><strong>{rule}</strong> {badge}<br>\
         <span class=\"small muted\">{name}</span>",
        rule = Esc(&finding.rule),
        badge = severity_badge(p.lang, &finding.severity),
        name = Esc(&finding.name),
    )?;
    if check.is_some() {
        write!(
            s,
            "<br><a class=\"small\" href=\"#{}\">{}</a>",
            Esc(&check_anchor(p, &finding.rule)),
            Esc(p.tr("why it matters, what to do"))
        )?;
    }
    write!(
        s,
        "</td><td><strong>{title}</strong><br>{message}",
        title = Esc(title),
        message = Esc(p.lang.pick(&finding.message, finding.message_zh.as_deref())),
    )?;
    facets(s, p, finding)?;
    s.push_str("</td><td>");
    sites(s, p, finding)?;
    s.push_str("</td><td>");
    for reference in &finding.references {
        s.push_str("<div>");
        match (check, p.references.get(reference.as_str())) {
            (Some(check), Some(resolved)) if check.references.contains(reference) => write!(
                s,
                "<a href=\"#{}\" title=\"{}\">{}</a>",
                Esc(&reference_anchor(p, &check.id, reference)),
                Esc(&reference_title(p.lang, resolved)),
                Esc(reference)
            )?,
            (_, Some(resolved)) => match &resolved.url {
                Some(url) => link(s, url, reference)?,
                None => write!(s, "{}", Esc(reference))?,
            },
            (_, None) => link(s, reference, reference)?,
        }
        s.push_str("</div>");
    }
    writeln!(
        s,
        "<div class=\"small muted\">{} {}</div></td></tr>",
        Esc(p.tr("fingerprint")),
        Esc(&finding.fingerprint)
    )
}

/// Owner, PI type, confidence and the reason for the severity, as far as the finding has them.
fn facets(s: &mut String, p: &Page<'_>, finding: &Finding) -> fmt::Result {
    let lang = p.lang;
    let reason = finding
        .severity_reason
        .as_deref()
        .map(|en| lang.pick(en, finding.severity_reason_zh.as_deref()));
    if finding.owner.is_none()
        && finding.pi_type.is_none()
        && finding.confidence.is_none()
        && reason.is_none()
    {
        return Ok(());
    }
    s.push_str("<dl class=\"facets\">");
    if let Some(owner) = &finding.owner {
        write!(
            s,
            "<dt>{}</dt><dd><span class=\"chip owner\">{}</span> ",
            Esc(p.tr("Owner")),
            Esc(label(lang, "owner", &owner.kind))
        )?;
        match owner.kind.as_str() {
            "unattributed" => write!(
                s,
                "<a href=\"#{}-unknown\"><code>{}</code></a>",
                Esc(p.anchor),
                Esc(&owner.id)
            )?,
            "sdk" => {
                let name = p.sdks.get(owner.id.as_str()).map_or_else(
                    || owner.name.as_deref().unwrap_or(&owner.id),
                    |sdk| p.sdk_name(sdk),
                );
                write!(s, "{}", Esc(name))?;
            }
            _ => write!(s, "{}", Esc(owner.name.as_deref().unwrap_or(&owner.id)))?,
        }
        s.push_str("</dd>");
    }
    if let Some(pi_type) = &finding.pi_type {
        write!(
            s,
            "<dt>{}</dt><dd>{}</dd>",
            Esc(p.tr("Personal information")),
            p.pi_chip(pi_type)
        )?;
    }
    if let Some(confidence) = &finding.confidence {
        write!(
            s,
            "<dt>{}</dt><dd><strong>{}</strong>",
            Esc(p.tr("Confidence")),
            Esc(label(lang, "confidence", confidence))
        )?;
        if let Some(meaning) = confidence_meaning(p, confidence) {
            write!(s, " <span class=\"muted\">— {}</span>", Esc(meaning))?;
        }
        s.push_str("</dd>");
    }
    if let Some(reason) = reason {
        write!(
            s,
            "<dt>{}</dt><dd>{}</dd>",
            Esc(p.tr("Why this severity")),
            Esc(reason)
        )?;
    }
    s.push_str("</dl>");
    Ok(())
}

/// What a confidence level says about the evidence.
fn confidence_meaning(p: &Page<'_>, confidence: &str) -> Option<&'static str> {
    Some(match confidence {
        "capability" => p.tr("the code is in the app; nothing yet shows that it runs"),
        "reachable" => p.tr("an entry point of the app reaches the code"),
        "startup" => p.tr("the code runs when the app starts, before any screen is shown"),
        "blocked" => p.tr("the platform refuses or blanks the value for this app"),
        "before-any-ui" => p.tr("a startup entry point reaches it before any screen is shown"),
        "on-launch" => p.tr("the launcher activity reaches it before the user can act"),
        "conditional" => {
            p.tr("reached at startup after a stored flag is read: confirm it is the user's consent")
        }
        "after-user-action" => p.tr("only a user action reaches it"),
        _ => return None,
    })
}

/// The code sites (count, APIs, the first locations) and the rest of the evidence.
fn sites(s: &mut String, p: &Page<'_>, finding: &Finding) -> fmt::Result {
    if let Some(n) = finding.sites {
        write!(
            s,
            "<div><strong>{}</strong></div>",
            Esc(&count(n, p.tr("1 code site"), p.tr("{n} code sites")))
        )?;
    }
    if !finding.apis.is_empty() {
        s.push_str("<div class=\"small\">");
        for api in &finding.apis {
            write!(s, "<div><code>{}</code></div>", Esc(api))?;
        }
        s.push_str("</div>");
    }
    if !finding.locations.is_empty() {
        s.push_str("<ol class=\"locations\">");
        for location in &finding.locations {
            write!(
                s,
                "<li><code>{}</code> <span class=\"muted\">{} @{}</span></li>",
                Esc(&location.method),
                Esc(&location.entry),
                location.pc
            )?;
        }
        s.push_str("</ol>");
        let shown = u64::try_from(finding.locations.len()).unwrap_or(u64::MAX);
        if let Some(more) = finding.sites.and_then(|n| n.checked_sub(shown))
            && more > 0
        {
            write!(
                s,
                "<div class=\"small muted\">{}</div>",
                fill_html(p.tr("and {n} more"), &[("n", &more.to_string())])
            )?;
        }
    }
    if !finding.chain.is_empty() {
        write!(
            s,
            "<details class=\"chain\"><summary>{}</summary><ol class=\"locations chain\">",
            fill_html(
                p.tr("call chain ({n} steps)"),
                &[("n", &finding.chain.len().to_string())]
            )
        )?;
        for (depth, hop) in finding.chain.iter().enumerate() {
            write!(
                s,
                "<li><code>{}</code> <span class=\"muted\">@{}{}</span></li>",
                Esc(&hop.method),
                hop.pc,
                if depth == 0 {
                    String::new()
                } else {
                    format!(" · {}", label(p.lang, "via", &hop.via))
                }
            )?;
        }
        s.push_str("</ol></details>");
    }
    // The locations and APIs already show the class, method and API of the first site.
    let mut evidence = finding.evidence.clone();
    if !finding.locations.is_empty() {
        evidence.class = None;
        evidence.method = None;
    }
    if !finding.apis.is_empty() {
        evidence.api = None;
    }
    evidence_list(s, p, &evidence)
}

fn evidence_list(s: &mut String, p: &Page<'_>, evidence: &Evidence) -> fmt::Result {
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
        (p.tr("entry"), evidence.entry.as_deref()),
        ("SDK", evidence.sdk.as_deref()),
        (p.tr("packer"), evidence.packer.as_deref()),
        (p.tr("certificate"), evidence.certificate.as_deref()),
        (p.tr("permission"), evidence.permission.as_deref()),
        (p.tr("component"), evidence.component.as_deref()),
        (p.tr("class"), class.as_deref()),
        (p.tr("method"), evidence.method.as_deref()),
        ("API", evidence.api.as_deref()),
    ];
    if fields.iter().all(|(_, value)| value.is_none()) {
        return Ok(());
    }
    s.push_str("<dl class=\"evidence\">");
    for (name, value) in fields {
        if let Some(value) = value {
            write!(
                s,
                "<dt>{}</dt><dd><code>{}</code></dd>",
                Esc(name),
                Esc(value)
            )?;
        }
    }
    s.push_str("</dl>");
    Ok(())
}

/// Each check that fired, once: what it looks for, why it matters, what to do, its references.
pub(super) fn render_checks(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let facts = p.facts;
    heading(
        s,
        p,
        "checks",
        p.tr("Checks: why they matter and what to do ({n})"),
        facts.checks.len(),
    )?;
    if facts.checks.is_empty() {
        let why = if facts.rule_pack.is_none() {
            p.tr("Not evaluated (no rule pack).")
        } else {
            p.tr("No check fired.")
        };
        return empty(s, why);
    }
    for check in &facts.checks {
        render_check(s, p, check)?;
    }
    Ok(())
}

fn render_check(s: &mut String, p: &Page<'_>, check: &CheckFacts) -> fmt::Result {
    let lang = p.lang;
    let zh = check.zh.as_ref();
    let findings = p
        .facts
        .findings
        .iter()
        .filter(|f| f.rule == check.id)
        .count();
    writeln!(
        s,
        "<article class=\"check\" id=\"{anchor}\" data-check=\"{id}\">\n\
         <h4>{id} {title}</h4>\n<p class=\"small muted\"><code>{name}</code> · {default} · \
         {findings}</p>\n<dl class=\"explain\">",
        anchor = Esc(&check_anchor(p, &check.id)),
        id = Esc(&check.id),
        title = Esc(check_title(lang, check)),
        name = Esc(&check.name),
        default = fill_html(
            p.tr("default severity {severity}"),
            &[("severity", &severity_badge(lang, &check.severity))]
        ),
        findings = Esc(&count(
            findings,
            p.tr("1 finding in this app"),
            p.tr("{n} findings in this app")
        )),
    )?;
    for (term, en, zh) in [
        (
            p.tr("What it looks for"),
            &check.what,
            zh.map(|t| t.what.as_str()),
        ),
        (
            p.tr("Why it matters"),
            &check.why,
            zh.map(|t| t.why.as_str()),
        ),
        (
            p.tr("What to do"),
            &check.remediation,
            zh.map(|t| t.remediation.as_str()),
        ),
    ] {
        writeln!(
            s,
            "<dt>{}</dt><dd>{}</dd>",
            Esc(term),
            Esc(lang.pick(en, zh))
        )?;
    }
    write!(s, "<dt>{}</dt><dd>", Esc(p.tr("References")))?;
    if check.references.is_empty() {
        write!(
            s,
            "<span class=\"muted\">{}</span>",
            Esc(p.tr("The check cites no text."))
        )?;
    } else {
        s.push_str("<ol class=\"refs\">\n");
        for id in &check.references {
            write!(
                s,
                "<li id=\"{}\" data-reference=\"{}\">",
                Esc(&reference_anchor(p, &check.id, id)),
                Esc(id)
            )?;
            if let Some(reference) = p.references.get(id.as_str()) {
                render_reference(s, p, reference)?;
            } else {
                link(s, id, id)?;
                write!(
                    s,
                    " <span class=\"muted\">{}</span>",
                    Esc(p.tr("(not described in this report)"))
                )?;
            }
            s.push_str("</li>\n");
        }
        s.push_str("</ol>");
    }
    s.push_str("</dd>\n</dl>\n</article>\n");
    Ok(())
}

/// `app-1-check-API001-ref-2`: where a check's reference is expanded; numbered by its place in
/// the check's list, since reference ids hold characters no one wants in a URL fragment.
fn reference_anchor(p: &Page<'_>, check: &str, reference: &str) -> String {
    let index = p
        .checks
        .get(check)
        .and_then(|c| c.references.iter().position(|r| r == reference))
        .unwrap_or(0);
    format!("{}-ref-{}", check_anchor(p, check), index + 1)
}

/// The document's title in `lang`: `《…》` for a Chinese title.
fn reference_title(lang: Lang, reference: &ReferenceFacts) -> String {
    match (lang, &reference.title_zh) {
        (Lang::Zh, Some(zh)) if !zh.is_empty() => format!("《{zh}》"),
        _ => reference.title.clone(),
    }
}

/// One reference, expanded: document, clause and clause title; number, issuer, date and link;
/// the caveat.
fn render_reference(s: &mut String, p: &Page<'_>, r: &ReferenceFacts) -> fmt::Result {
    let lang = p.lang;
    write!(s, "<cite>{}</cite>", Esc(&reference_title(lang, r)))?;
    if lang == Lang::En
        && let Some(zh) = r.title_zh.as_deref().filter(|zh| !zh.is_empty())
    {
        write!(
            s,
            " <span class=\"muted\" lang=\"zh-CN\">《{}》</span>",
            Esc(zh)
        )?;
    }
    let clause_title = r
        .clause_title
        .as_deref()
        .map(|en| lang.pick(en, r.clause_title_zh.as_deref()));
    let clause = r
        .clause
        .as_deref()
        .and_then(|c| clause_in(p, c, clause_title));
    if clause.is_some() || clause_title.is_some() {
        s.push_str(" —");
        if let Some(clause) = &clause {
            write!(s, " <strong>{}</strong>", Esc(clause))?;
        }
        if let Some(title) = clause_title {
            write!(s, " {}", Esc(title))?;
        }
    }
    let mut meta = Vec::new();
    if let Some(number) = r.number.as_deref().filter(|n| *n != r.title) {
        meta.push(Esc(number).to_string());
    }
    if let Some(issuer) = &r.issuer {
        meta.push(Esc(issuer_in(lang, issuer)).to_string());
    }
    if let Some(date) = &r.date {
        meta.push(Esc(date).to_string());
    }
    if let Some(url) = &r.url {
        let mut a = String::new();
        link(&mut a, url, p.tr("read the text"))?;
        meta.push(a);
    }
    if !meta.is_empty() {
        write!(s, "<div class=\"small muted\">{}</div>", meta.join(" · "))?;
    }
    let by_analogy = r.id.contains("by-analogy")
        || r.clause
            .as_deref()
            .is_some_and(|c| c.contains("by analogy"));
    if by_analogy || r.note.is_some() {
        s.push_str("<div class=\"refnote\">");
        if by_analogy {
            write!(
                s,
                "<span class=\"flag warn\">{}</span> ",
                Esc(p.tr("by analogy"))
            )?;
        }
        if let Some(note) = &r.note {
            write!(s, "{}{}{}", Esc(p.tr("Note:")), p.after_colon(), Esc(note))?;
        }
        s.push_str("</div>");
    }
    Ok(())
}

/// A clause as the reader's language writes it: `article 23` → `第 23 条`, `item 3` → `第 3 项`,
/// `annex F` / `appendix B` → `附录 F`; numbers (`9.7`) as they are. None when the clause title
/// already says it (`第二十三条 …`).
fn clause_in(p: &Page<'_>, clause: &str, clause_title: Option<&str>) -> Option<String> {
    let (clause, by_analogy) = match clause.strip_suffix(" (by analogy)") {
        Some(bare) => (bare, true),
        None => (clause, false),
    };
    let mut out = match clause.split_once(' ') {
        Some(("article", n)) => {
            if p.lang == Lang::Zh && clause_title.is_some_and(|t| t.starts_with('第')) {
                return None;
            }
            fill(p.tr("article {n}"), &[("n", n)])
        }
        Some(("item", n)) => fill(p.tr("item {n}"), &[("n", n)]),
        Some(("annex", n)) => fill(p.tr("annex {n}"), &[("n", n)]),
        Some(("appendix", n)) => fill(p.tr("appendix {n}"), &[("n", n)]),
        _ => clause.to_owned(),
    };
    if by_analogy {
        out = fill(p.tr("{clause} (by analogy)"), &[("clause", &out)]);
    }
    Some(out)
}

/// The issuer in the reader's language: the Chinese name a pack writes in parentheses after
/// the English one (`SAMR … (国家市场监督管理总局…)`), in Chinese.
fn issuer_in(lang: Lang, issuer: &str) -> &str {
    if lang == Lang::Zh
        && let Some((_, zh)) = issuer.rsplit_once(" (")
        && let Some(zh) = zh.strip_suffix(')')
        && zh.chars().any(super::is_wide)
    {
        return zh;
    }
    issuer
}
