//! The text report: one app's facts, readable in a terminal, in English or Chinese.

use std::fmt::Write as _;

use apkscope_facts::{AppFacts, ChainHop, CheckFacts, Component, Finding, ReferenceFacts};

use crate::locale::{Lang, label, tr};

/// Most locations a finding lists in the text report (the JSON report has the first five).
const LOCATIONS_SHOWN: usize = 3;

/// Where a finding's details start: under its message.
const INDENT: &str = "                    ";

/// Severities from the least to the most severe.
pub(crate) const SEVERITIES: [&str; 5] = ["info", "low", "medium", "high", "critical"];

/// Renders `facts` as a text summary in `lang`.
pub(crate) fn render_text(facts: &AppFacts, lang: Lang) -> String {
    // Writing to a String cannot fail; the `let _ =` below keep clippy and the reader honest.
    let mut s = String::new();
    let input = &facts.input;
    let _ = writeln!(
        s,
        "{}  ({} {}, sha256 {})",
        input.path,
        input.size,
        tr(lang, "bytes"),
        input.sha256
    );

    let app = &facts.app;
    let _ = writeln!(s, "\n{}", tr(lang, "App"));
    row(&mut s, tr(lang, "package"), opt(app.package.as_deref()));
    row(&mut s, tr(lang, "label"), opt(app.label.as_deref()));
    let version_code = app.version_code.map(|v| v.to_string());
    row(
        &mut s,
        tr(lang, "version"),
        &format!(
            "{} ({} {})",
            opt(app.version_name.as_deref()),
            tr(lang, "code"),
            opt(version_code.as_deref())
        ),
    );
    row(
        &mut s,
        tr(lang, "sdk"),
        &format!(
            "min {}, target {}, compile {}",
            opt_num(app.min_sdk),
            opt_num(app.target_sdk),
            opt_num(app.compile_sdk)
        ),
    );
    let application = &facts.manifest.application;
    if let Some(name) = &application.name {
        row(&mut s, tr(lang, "application"), name);
    }
    let flags = [
        ("debuggable", application.debuggable),
        ("allowBackup", application.allow_backup),
        ("usesCleartextTraffic", application.uses_cleartext_traffic),
        ("testOnly", application.test_only),
    ];
    let set: Vec<String> = flags
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
        .collect();
    if !set.is_empty() {
        row(&mut s, tr(lang, "flags"), &set.join(", "));
    }
    if let Some(config) = &application.network_security_config {
        row(&mut s, tr(lang, "network cfg"), config);
    }

    render_permissions(&mut s, facts, lang);
    render_sdks(&mut s, facts, lang);
    render_unknown_components(&mut s, facts, lang);
    render_startup(&mut s, facts, lang);
    render_behaviour(&mut s, facts, lang);
    render_findings(&mut s, facts, lang);
    render_checks(&mut s, facts, lang);
    render_components(&mut s, facts, lang);
    render_code(&mut s, facts, lang);
    render_native(&mut s, facts, lang);
    render_signing(&mut s, facts, lang);
    crate::network::render_network(&mut s, facts, lang);
    render_container(&mut s, facts, lang);

    let _ = writeln!(s, "\n{} ({})", tr(lang, "Anomalies"), facts.anomalies.len());
    for a in &facts.anomalies {
        let place = a
            .entry
            .as_deref()
            .map(|e| format!(" [{e}]"))
            .unwrap_or_default();
        let _ = writeln!(s, "  {}/{}{}: {}", a.source, a.kind, place, a.detail);
    }
    s
}

/// A `  label         value` line: labels padded to 14 columns (by characters, so Chinese
/// labels line up too).
pub(crate) fn row(s: &mut String, label: &str, value: &str) {
    let width = label.chars().map(display_width).sum::<usize>();
    let pad = 14usize.saturating_sub(width).max(1);
    let _ = writeln!(s, "  {label}{}{value}", " ".repeat(pad));
}

/// Terminal columns of a character: CJK and full-width characters take two.
fn display_width(c: char) -> usize {
    let wide = matches!(u32::from(c),
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6);
    if wide { 2 } else { 1 }
}

/// The label of a personal-information type: from the report's `pi_types`, else its id.
pub(crate) fn pi_label<'a>(facts: &'a AppFacts, lang: Lang, id: &'a str) -> &'a str {
    facts
        .pi_types
        .iter()
        .find(|t| t.id == id)
        .map_or(id, |t| lang.pick(&t.name, Some(&t.name_zh)))
}

fn render_permissions(s: &mut String, facts: &AppFacts, lang: Lang) {
    let requested = &facts.permissions.requested;
    let _ = writeln!(
        s,
        "\n{} ({})",
        tr(lang, "Permissions requested"),
        requested.len()
    );
    for p in requested {
        let mut line = format!("  {}", p.name);
        if let Some(group) = p.group.as_deref() {
            let _ = write!(line, "  [{}]", label(lang, "group", group));
        } else if let Some(special) = p.special.as_deref() {
            let _ = write!(line, "  [{}]", label(lang, "special", special));
        }
        if let Some(max) = p.max_sdk {
            let _ = write!(line, "  ({} {max})", tr(lang, "up to API"));
        }
        if p.element != "uses-permission" {
            let _ = write!(line, "  [{}]", p.element);
        }
        match p.used {
            Some(true) => {
                let _ = write!(line, "  {} {}", tr(lang, "used by"), p.used_by.join(", "));
            }
            Some(false) => {
                let _ = write!(line, "  {}", tr(lang, "NOT USED by any code"));
            }
            None => {}
        }
        let _ = writeln!(s, "{line}");
    }
    if !facts.permissions.declared.is_empty() {
        let _ = writeln!(
            s,
            "\n{} ({})",
            tr(lang, "Permissions declared"),
            facts.permissions.declared.len()
        );
        for p in &facts.permissions.declared {
            let _ = writeln!(s, "  {}  ({})", p.name, p.protection_level);
        }
    }
}

fn render_sdks(s: &mut String, facts: &AppFacts, lang: Lang) {
    if facts.rule_pack.is_none() {
        return;
    }
    let _ = writeln!(
        s,
        "\n{} ({})",
        tr(lang, "Third-party SDKs"),
        facts.sdks.len()
    );
    for sdk in &facts.sdks {
        let name_zh = sdk
            .name_zh
            .as_deref()
            .map_or_else(String::new, |n| format!(" {n}"));
        let vendor = sdk
            .vendor
            .as_deref()
            .unwrap_or_else(|| tr(lang, "unknown vendor"));
        let _ = writeln!(
            s,
            "  {}{name_zh}  ({}, {vendor})",
            sdk.name,
            label(lang, "category", &sdk.category)
        );
        if let Some(entity) = &sdk.legal_entity {
            let _ = writeln!(s, "      {} {entity}", tr(lang, "legal entity:"));
        }
        if let Some(policy) = &sdk.privacy_policy {
            let _ = writeln!(s, "      {} {policy}", tr(lang, "privacy policy:"));
        }
        let e = &sdk.evidence;
        let mut evidence = Vec::new();
        if e.classes > 0 {
            evidence.push(format!("{} {}", e.classes, tr(lang, "classes")));
        }
        for (what, list) in [
            (tr(lang, "components"), &e.components),
            (tr(lang, "actions"), &e.intent_actions),
            (tr(lang, "libs"), &e.native_libs),
            (tr(lang, "hosts"), &e.domains),
        ] {
            if !list.is_empty() {
                evidence.push(format!("{what} {}", list.join(", ")));
            }
        }
        let _ = writeln!(s, "      {} {}", tr(lang, "evidence:"), evidence.join("; "));
        if !sdk.pi_types.is_empty() {
            let types: Vec<&str> = sdk
                .pi_types
                .iter()
                .map(|t| pi_label(facts, lang, t))
                .collect();
            let _ = writeln!(
                s,
                "      {} {}",
                tr(lang, "reaches:"),
                types.join(list_separator(lang))
            );
        }
    }
}

/// What separates the items of a list in running text.
pub(crate) fn list_separator(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ", ",
        Lang::Zh => "、",
    }
}

fn render_unknown_components(s: &mut String, facts: &AppFacts, lang: Lang) {
    if facts.unknown_components.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\n{} ({})",
        tr(lang, "Unknown components reaching personal information"),
        facts.unknown_components.len()
    );
    for u in &facts.unknown_components {
        let types: Vec<&str> = u
            .pi_types
            .iter()
            .map(|t| pi_label(facts, lang, t))
            .collect();
        let _ = writeln!(
            s,
            "  {}  ({} {})",
            u.package,
            u.classes,
            tr(lang, "classes")
        );
        let _ = writeln!(
            s,
            "      {} {}",
            tr(lang, "reaches:"),
            types.join(list_separator(lang))
        );
        if !u.hosts.is_empty() {
            let _ = writeln!(s, "      {} {}", tr(lang, "hosts:"), u.hosts.join(", "));
        }
        for e in &u.examples {
            let _ = writeln!(s, "      {} {} @{}", tr(lang, "at"), e.method, e.pc);
        }
    }
}

/// What the code asks of the user and of other apps (`behaviour`): one line per permission
/// request, start of another app, receiver registered in code, keep-alive mechanism, probe,
/// SMS sent, settings screen and capture in a service.
fn render_behaviour(s: &mut String, facts: &AppFacts, lang: Lang) {
    let b = &facts.behaviour;
    if b.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n{}", tr(lang, "Behaviour"));
    let when = |site: &apkscope_facts::CallSiteFacts| {
        site.grade
            .as_deref()
            .map(|g| format!(" ({})", label(lang, "confidence", g)))
            .unwrap_or_default()
    };
    for r in &b.permission_requests {
        let _ = writeln!(
            s,
            "  {} {}: {} [{}]{}{}",
            tr(lang, "permission request"),
            r.site.owner.id,
            if r.permissions.is_empty() {
                "?".to_owned()
            } else {
                r.permissions.join(", ")
            },
            r.groups.join(", "),
            r.library
                .as_deref()
                .map(|l| format!(" via {l}"))
                .unwrap_or_default(),
            when(&r.site)
        );
        let _ = writeln!(
            s,
            "      {} {} @{}",
            tr(lang, "at"),
            r.site.method,
            r.site.pc
        );
    }
    for a in &b.associated_starts {
        let target = a
            .package
            .clone()
            .or_else(|| a.query.clone())
            .or_else(|| a.uri.clone())
            .unwrap_or_else(|| a.target.clone());
        let _ = writeln!(
            s,
            "  {} {}: {} {} ({}){}",
            tr(lang, "starts another app"),
            a.site.owner.id,
            a.how,
            target,
            a.target,
            when(&a.site)
        );
    }
    render_behaviour_inventory(s, b, lang);
}

/// The `behaviour` lists with one line per item: owner and what.
fn render_behaviour_inventory(s: &mut String, b: &apkscope_facts::BehaviourFacts, lang: Lang) {
    let mut item = |heading: &'static str, owner: &str, what: String| {
        let _ = writeln!(s, "  {} {owner}: {what}", tr(lang, heading));
    };
    let or_unknown = |list: &[String]| {
        if list.is_empty() {
            "?".to_owned()
        } else {
            list.join(", ")
        }
    };
    for r in &b.registered_receivers {
        item(
            "receiver registered in code",
            &r.site.owner.id,
            r.actions.join(", "),
        );
    }
    for k in &b.keep_alive {
        let what = [
            k.component.as_deref(),
            k.detail.as_deref(),
            k.method.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
        item("keep-alive", &k.owner.id, format!("{} {what}", k.mechanism));
    }
    for p in &b.package_probes {
        item("apps probed", &p.site.owner.id, p.packages.join(", "));
    }
    for m in &b.sms_sends {
        item("SMS sent", &m.site.owner.id, or_unknown(&m.destinations));
    }
    for x in &b.settings_intents {
        item("settings screen", &x.site.owner.id, x.action.clone());
    }
    for c in &b.background_capture {
        item(
            "capture in a service",
            &c.site.owner.id,
            format!("{} {}", c.pi_type, c.service),
        );
    }
    for e in &b.permission_result_exits {
        item(
            "exits on a permission result",
            &e.owner.id,
            format!("{} → {}", e.method, e.api),
        );
    }
}

/// What runs before the user can consent: SDKs initialised and personal information reached
/// from startup and launch, by grade; privacy switches nothing calls; the graph's size.
fn render_startup(s: &mut String, facts: &AppFacts, lang: Lang) {
    let Some(startup) = &facts.startup else {
        return;
    };
    let _ = writeln!(s, "\n{}", tr(lang, "Before consent (call graph)"));
    let g = &startup.graph;
    let _ = writeln!(
        s,
        "  {}: {} / {} · {}: {} · {}: {}{}",
        tr(lang, "methods reached"),
        g.reached,
        g.methods,
        tr(lang, "entry points"),
        g.entries,
        tr(lang, "calls resolved"),
        g.edges,
        if startup.truncated {
            format!(" — {}", tr(lang, "search cut short: paths may be missing"))
        } else {
            String::new()
        }
    );
    for init in &startup.sdk_init {
        let _ = writeln!(
            s,
            "  {} {}: {} → {} ({})",
            tr(lang, "SDK initialised"),
            init.sdk,
            init.entry,
            init.call,
            label(lang, "confidence", &init.grade)
        );
    }
    let mut by_grade: std::collections::BTreeMap<&str, Vec<String>> =
        std::collections::BTreeMap::new();
    for p in &startup.pi_paths {
        by_grade.entry(p.grade.as_str()).or_default().push(format!(
            "{} {}",
            p.owner,
            pi_label(facts, lang, &p.pi_type)
        ));
    }
    for grade in [
        "before-any-ui",
        "on-launch",
        "conditional",
        "after-user-action",
    ] {
        let Some(list) = by_grade.get_mut(grade) else {
            continue;
        };
        list.sort();
        list.dedup();
        let _ = writeln!(
            s,
            "  {}: {}",
            label(lang, "confidence", grade),
            list.join(list_separator(lang))
        );
    }
    for sw in &startup.privacy_switches_uncalled {
        let _ = writeln!(
            s,
            "  {} {}: {}",
            tr(lang, "privacy switch never called"),
            sw.sdk,
            sw.api
        );
    }
}

fn render_findings(s: &mut String, facts: &AppFacts, lang: Lang) {
    if facts.rule_pack.is_none() {
        return;
    }
    let mut by_severity = [0usize; 5];
    for f in &facts.findings {
        if let Some(slot) = SEVERITIES.iter().position(|x| *x == f.severity)
            && let Some(n) = by_severity.get_mut(slot)
        {
            *n += 1;
        }
    }
    let summary: Vec<String> = SEVERITIES
        .iter()
        .zip(by_severity)
        .rev()
        .filter(|(_, n)| *n > 0)
        .map(|(sev, n)| format!("{n} {}", label(lang, "severity", sev)))
        .collect();
    let _ = writeln!(
        s,
        "\n{} ({}: {})",
        tr(lang, "Findings"),
        facts.findings.len(),
        summary.join(", ")
    );
    for sev in SEVERITIES.iter().rev() {
        for f in facts.findings.iter().filter(|f| f.severity == *sev) {
            render_finding(s, facts, f, lang);
        }
    }
}

fn render_finding(s: &mut String, facts: &AppFacts, f: &Finding, lang: Lang) {
    let severity = label(lang, "severity", &f.severity);
    let pad = 8usize.saturating_sub(severity.chars().map(display_width).sum::<usize>());
    let _ = writeln!(
        s,
        "  {severity}{} {:<8} {}",
        " ".repeat(pad),
        f.rule,
        lang.pick(&f.message, f.message_zh.as_deref())
    );
    let mut details = Vec::new();
    if let Some(owner) = &f.owner {
        let kind = label(lang, "owner", &owner.kind);
        let name_zh = facts
            .sdks
            .iter()
            .find(|sdk| owner.kind == "sdk" && sdk.id == owner.id)
            .and_then(|sdk| sdk.name_zh.as_deref());
        let name = lang.pick(owner.name.as_deref().unwrap_or(&owner.id), name_zh);
        details.push(if owner.kind == "app" {
            format!("{} {kind}", tr(lang, "owner:"))
        } else {
            format!("{} {kind} {name}", tr(lang, "owner:"))
        });
    }
    if let Some(pi) = &f.pi_type {
        let sensitive = facts.pi_types.iter().any(|t| t.id == *pi && t.sensitive);
        let mark = if sensitive {
            format!(" ({})", tr(lang, "sensitive personal information"))
        } else {
            String::new()
        };
        details.push(format!(
            "{} {}{mark}",
            tr(lang, "personal information:"),
            pi_label(facts, lang, pi)
        ));
    }
    if let Some(confidence) = &f.confidence {
        details.push(format!(
            "{} {}",
            tr(lang, "confidence:"),
            label(lang, "confidence", confidence)
        ));
    }
    if !details.is_empty() {
        let _ = writeln!(s, "{INDENT}{}", details.join(" · "));
    }
    if let Some(reason) = &f.severity_reason {
        let _ = writeln!(
            s,
            "{INDENT}{} {}",
            tr(lang, "severity:"),
            lang.pick(reason, f.severity_reason_zh.as_deref())
        );
    }
    if !f.chain.is_empty() {
        let _ = writeln!(s, "{INDENT}{}", tr(lang, "call chain:"));
        s.push_str(&chain_lines(&f.chain, &format!("{INDENT}  "), lang));
    }
    let sites = f.sites.unwrap_or(0);
    for l in f.locations.iter().take(LOCATIONS_SHOWN) {
        let _ = writeln!(s, "{INDENT}{} {} @{}", tr(lang, "at"), l.method, l.pc);
    }
    let shown = f.locations.len().min(LOCATIONS_SHOWN);
    let more = usize::try_from(sites)
        .unwrap_or(usize::MAX)
        .saturating_sub(shown);
    if more > 0 && shown > 0 {
        let _ = writeln!(
            s,
            "{INDENT}{} {more} {}",
            tr(lang, "and"),
            tr(lang, "more sites (see the JSON report)")
        );
    }
}

/// A call chain as text: one line a hop (method and pc), each indented one step further than
/// the one that calls it, with how it was reached after the first.
pub(crate) fn chain_lines(chain: &[ChainHop], margin: &str, lang: Lang) -> String {
    let mut s = String::new();
    for (depth, hop) in chain.iter().enumerate() {
        let via = if depth == 0 {
            String::new()
        } else {
            format!(" [{}]", label(lang, "via", &hop.via))
        };
        let _ = writeln!(
            s,
            "{margin}{:indent$}{} @{}{via}",
            "",
            hop.method,
            hop.pc,
            indent = depth.min(12) * 2
        );
    }
    s
}

/// What each check that fired means: why it matters, what to do, and what it cites.
fn render_checks(s: &mut String, facts: &AppFacts, lang: Lang) {
    if facts.checks.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\n{} ({})",
        tr(lang, "What the findings mean"),
        facts.checks.len()
    );
    for c in &facts.checks {
        let zh = c.zh.as_ref().filter(|_| lang == Lang::Zh);
        let (title, why, remediation) = check_texts(c, zh.is_some());
        let _ = writeln!(
            s,
            "  {}  {title}  [{}]",
            c.id,
            label(lang, "severity", &c.severity)
        );
        let _ = writeln!(s, "      {} {why}", tr(lang, "why:"));
        let _ = writeln!(s, "      {} {remediation}", tr(lang, "do:"));
        for id in &c.references {
            let shown = facts
                .references
                .iter()
                .find(|r| r.id == *id)
                .map_or_else(|| id.clone(), |r| reference_text(r, lang));
            let _ = writeln!(s, "      {} {shown}", tr(lang, "cites:"));
        }
    }
}

fn check_texts(c: &CheckFacts, zh: bool) -> (&str, &str, &str) {
    match (&c.zh, zh) {
        (Some(t), true) => (&t.title, &t.why, &t.remediation),
        _ => (&c.title, &c.why, &c.remediation),
    }
}

/// A cited reference as one line: document (number), clause and its title, note, link.
pub(crate) fn reference_text(r: &ReferenceFacts, lang: Lang) -> String {
    let mut out = match (lang, &r.title_zh) {
        (Lang::Zh, Some(zh)) => format!("《{zh}》"),
        _ => r.title.clone(),
    };
    if let Some(number) = &r.number
        && !out.contains(number.as_str())
    {
        let _ = write!(out, " ({number})");
    }
    if let Some(clause) = &r.clause {
        let title = lang.pick(
            r.clause_title.as_deref().unwrap_or(""),
            r.clause_title_zh.as_deref(),
        );
        if title.is_empty() {
            let _ = write!(out, " {clause}");
        } else {
            let _ = write!(out, " {clause} {title}");
        }
    }
    if let Some(note) = &r.note {
        let by_analogy = note.to_ascii_lowercase().contains("by analogy");
        if by_analogy {
            let _ = write!(out, " [{}]", tr(lang, "by analogy"));
        }
    }
    if let Some(url) = &r.url {
        let _ = write!(out, " <{url}>");
    }
    out
}

fn render_components(s: &mut String, facts: &AppFacts, lang: Lang) {
    let components = &facts.manifest.components;
    let _ = writeln!(s, "\n{} ({})", tr(lang, "Components"), components.len());
    for c in components {
        let _ = writeln!(s, "  {:<15} {}{}", c.kind, c.name, component_notes(c, lang));
    }
}

fn render_code(s: &mut String, facts: &AppFacts, lang: Lang) {
    let code = &facts.code;
    if !code.analysed {
        return;
    }
    let _ = writeln!(
        s,
        "\n{} ({} dex, {} {}, {} {})",
        tr(lang, "Code"),
        code.dex.len(),
        code.total_classes,
        tr(lang, "classes"),
        code.total_methods,
        tr(lang, "methods")
    );
    for dex in &code.dex {
        let _ = writeln!(
            s,
            "  {:<15} v{:03}  {} {}, {} {}, {} {}{}{}",
            dex.entry,
            dex.version,
            dex.classes,
            tr(lang, "classes"),
            dex.methods,
            tr(lang, "methods"),
            dex.strings,
            tr(lang, "strings"),
            compiler_note(dex),
            if dex.anomalies.is_empty() {
                String::new()
            } else {
                format!(", {} {}", dex.anomalies.len(), tr(lang, "anomalies"))
            }
        );
        for a in &dex.anomalies {
            let _ = writeln!(s, "{:<18}{}: {}", "", a.kind, a.detail);
        }
    }
    render_obfuscation(s, facts, lang);
    for p in &code.hidden_payloads {
        let _ = writeln!(
            s,
            "  {} {}  {}  ({} {}{}): {}",
            tr(lang, "hidden"),
            p.format,
            p.path,
            p.size,
            tr(lang, "bytes"),
            if p.parsed { tr(lang, ", indexed") } else { "" },
            p.detail
        );
    }
}

/// `, d8 8.2.33 min-api 21` for the dex line of the text report.
fn compiler_note(dex: &apkscope_facts::DexFacts) -> String {
    let Some(compiler) = &dex.compiler else {
        return String::new();
    };
    let mut note = format!(", {compiler}");
    if let Some(version) = &dex.compiler_version {
        let _ = write!(note, " {version}");
    }
    if let Some(api) = dex.min_api {
        let _ = write!(note, " min-api {api}");
    }
    note
}

/// The obfuscation verdicts as one phrase in `lang`.
fn obfuscation_verdicts_in(o: &apkscope_facts::ObfuscationFacts, lang: Lang) -> String {
    if o.verdicts.is_empty() {
        tr(lang, "none seen").to_owned()
    } else {
        o.verdicts.join(", ")
    }
}

/// The obfuscation line: verdicts and the figures behind them.
fn render_obfuscation(s: &mut String, facts: &AppFacts, lang: Lang) {
    let o = &facts.code.obfuscation;
    if !facts.code.analysed || o.classes == 0 {
        return;
    }
    row(
        s,
        tr(lang, "obfuscation"),
        &format!(
            "{} ({} / {} {}, {} / {} {})",
            obfuscation_verdicts_in(o, lang),
            o.short_class_names,
            o.classes,
            tr(lang, "classes short-named"),
            o.short_method_names,
            o.methods,
            tr(lang, "methods short-named")
        ),
    );
    for e in &o.evidence {
        let _ = writeln!(s, "{:<16}{e}", "");
    }
}

fn render_native(s: &mut String, facts: &AppFacts, lang: Lang) {
    if facts.native.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\n{} ({})",
        tr(lang, "Native libraries"),
        facts.native.len()
    );
    for lib in &facts.native {
        let sdk = lib
            .sdk
            .as_deref()
            .map_or_else(String::new, |id| format!("  [{id}]"));
        let abi = lib.abi.as_deref().unwrap_or("?");
        let _ = writeln!(s, "  {}  {abi}{sdk}", lib.path);
        let h = &lib.hardening;
        let mut weak = Vec::new();
        for (flag, ok) in [
            ("NX", h.nx),
            ("PIE", h.pie),
            ("stack protector", h.stack_protector),
        ] {
            if !ok {
                weak.push(flag.to_owned());
            }
        }
        if h.relro != "full" {
            weak.push(format!("RELRO {}", h.relro));
        }
        if !lib.jni_methods.is_empty() || lib.jni_onload {
            let onload = if lib.jni_onload { " + JNI_OnLoad" } else { "" };
            let _ = writeln!(
                s,
                "      JNI: {} {}{onload}",
                lib.jni_methods.len(),
                tr(lang, "methods")
            );
        }
        if !lib.imports_of_interest.is_empty() {
            let _ = writeln!(
                s,
                "      {} {}",
                tr(lang, "imports:"),
                lib.imports_of_interest.join(", ")
            );
        }
        if !lib.strings_of_interest.is_empty() {
            let _ = writeln!(
                s,
                "      {} {}",
                tr(lang, "strings:"),
                lib.strings_of_interest.join(", ")
            );
        }
        if !weak.is_empty() {
            let _ = writeln!(
                s,
                "      {} {}",
                tr(lang, "missing hardening:"),
                weak.join(", ")
            );
        }
        for a in &lib.anomalies {
            let _ = writeln!(s, "      {}: {}", a.kind, a.detail);
        }
    }
}

fn render_signing(s: &mut String, facts: &AppFacts, lang: Lang) {
    let signing = &facts.signing;
    let schemes = if signing.schemes.is_empty() {
        tr(lang, "none").to_owned()
    } else {
        signing.schemes.join(", ")
    };
    let _ = writeln!(
        s,
        "\n{} ({} {schemes}; {})",
        tr(lang, "Signing"),
        tr(lang, "schemes:"),
        tr(lang, "reported, not verified")
    );
    for c in &signing.certificates {
        let debug = if c.debug {
            format!("  {}", tr(lang, "DEBUG CERTIFICATE"))
        } else {
            String::new()
        };
        let bits = c.key_bits.map_or_else(String::new, |b| format!(" {b}"));
        let _ = writeln!(s, "  {}: {}{debug}", c.scheme, c.subject);
        let _ = writeln!(
            s,
            "      {}{bits}, {}, {} {} – {}",
            c.key_type,
            c.signature_algorithm,
            tr(lang, "valid"),
            c.not_before,
            c.not_after
        );
        let _ = writeln!(s, "      SHA-256 {}", c.sha256);
        let _ = writeln!(s, "      SHA-1   {}", c.sha1);
        let _ = writeln!(s, "      MD5     {}", c.md5);
    }
}

fn render_container(s: &mut String, facts: &AppFacts, lang: Lang) {
    let container = &facts.container;
    let _ = writeln!(s, "\n{}", tr(lang, "Container"));
    row(s, tr(lang, "entries"), &container.entries.to_string());
    if !container.dex_entries.is_empty() {
        row(s, tr(lang, "dex"), &container.dex_entries.join(", "));
    }
    match &container.signing_block {
        Some(block) => {
            let names: Vec<String> = block
                .blocks
                .iter()
                .map(|b| b.name.clone().unwrap_or_else(|| b.id.clone()))
                .collect();
            row(s, tr(lang, "signing block"), &names.join(", "));
        }
        None => {
            row(
                s,
                tr(lang, "signing block"),
                tr(lang, "none (v1 or unsigned)"),
            );
        }
    }
}

fn component_notes(c: &Component, lang: Lang) -> String {
    let mut notes = Vec::new();
    if c.exported {
        notes.push(if c.exported_explicit {
            tr(lang, "exported")
        } else {
            tr(lang, "exported (implicit)")
        });
    }
    let mut out = if notes.is_empty() {
        String::new()
    } else {
        format!("  [{}]", notes.join(", "))
    };
    if let Some(p) = &c.permission {
        let _ = write!(out, "  permission={p}");
    }
    if !c.authorities.is_empty() {
        let _ = write!(out, "  authorities={}", c.authorities.join(";"));
    }
    for filter in &c.intent_filters {
        if !filter.actions.is_empty() {
            let _ = write!(
                out,
                "\n{:<18}{} {}",
                "",
                tr(lang, "actions:"),
                filter.actions.join(", ")
            );
        }
    }
    out
}

fn opt(value: Option<&str>) -> &str {
    value.unwrap_or("-")
}

fn opt_num(value: Option<i64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}
