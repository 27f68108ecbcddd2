//! Renders an app's facts for people and programs.
//!
//! # Overview
//!
//! Reports never parse: they take [`AppFacts`] from the engine and write them in one format.
//! JSON is deterministic (field order fixed by the schema, no timestamps), so the same input and
//! the same tool version give byte-identical output.
//!
//! # Example
//!
//! ```
//! use apkscope_facts::{AppFacts, InputFacts};
//!
//! let facts = AppFacts::new(InputFacts { path: "a.apk".into(), sha256: String::new(), size: 3 });
//! let mut out = Vec::new();
//! apkscope_report::write_json(&facts, &mut out).unwrap();
//! assert!(String::from_utf8(out).unwrap().contains("\"path\": \"a.apk\""));
//! ```

mod classes;
mod csv;
mod html;
mod network;
mod sarif;
mod sdk_list;
mod summary;

use std::fmt::Write as _;
use std::io::{self, Write};

use apkscope_facts::{AppFacts, Component};

pub use classes::{write_classes_json, write_classes_text};
pub use csv::{CSV_COLUMNS, CsvWriter, UTF8_BOM, write_permission_matrix_csv, write_sdk_table_csv};
pub use html::{HtmlWriter, write_html};
pub use sarif::{RuleDescriptor, SarifWriter, write_sarif};
pub use sdk_list::{
    SDK_LIST_BATCH_COLUMNS, SdkListCsvWriter, write_sdk_list_csv, write_sdk_list_markdown,
    write_sdk_list_markdown_failure,
};
pub use summary::{
    FAILURE_EXAMPLES, MAX_PERMISSION_NAMES, OTHER_PERMISSIONS, OWN_PACKAGE, SUMMARY_KIND,
    SUMMARY_SCHEMA_VERSION, Summary, TOP_APPS,
};

/// Writes `facts` as pretty-printed JSON followed by a newline.
pub fn write_json(facts: &AppFacts, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, facts)?;
    out.write_all(b"\n")
}

/// Writes `facts` as a human-readable text summary.
pub fn write_text(facts: &AppFacts, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(render_text(facts).as_bytes())
}

/// Renders `facts` as a human-readable text summary.
pub fn render_text(facts: &AppFacts) -> String {
    // Writing to a String cannot fail; the `let _ =` below keep clippy and the reader honest.
    let mut s = String::new();
    let input = &facts.input;
    let _ = writeln!(
        s,
        "{}  ({} bytes, sha256 {})",
        input.path, input.size, input.sha256
    );

    let app = &facts.app;
    let _ = writeln!(s, "\nApp");
    let _ = writeln!(s, "  package       {}", opt(app.package.as_deref()));
    let _ = writeln!(s, "  label         {}", opt(app.label.as_deref()));
    let version_code = app.version_code.map(|v| v.to_string());
    let _ = writeln!(
        s,
        "  version       {} (code {})",
        opt(app.version_name.as_deref()),
        opt(version_code.as_deref())
    );
    let _ = writeln!(
        s,
        "  sdk           min {}, target {}, compile {}",
        opt_num(app.min_sdk),
        opt_num(app.target_sdk),
        opt_num(app.compile_sdk)
    );
    let application = &facts.manifest.application;
    if let Some(name) = &application.name {
        let _ = writeln!(s, "  application   {name}");
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
        let _ = writeln!(s, "  flags         {}", set.join(", "));
    }
    if let Some(config) = &application.network_security_config {
        let _ = writeln!(s, "  network cfg   {config}");
    }

    render_permissions(&mut s, facts);
    render_sdks(&mut s, facts);
    render_findings(&mut s, facts);
    render_components(&mut s, facts);
    render_code(&mut s, facts);
    render_native(&mut s, facts);
    render_signing(&mut s, facts);
    network::render_network(&mut s, facts);
    render_container(&mut s, facts);

    let _ = writeln!(s, "\nAnomalies ({})", facts.anomalies.len());
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

fn render_permissions(s: &mut String, facts: &AppFacts) {
    let requested = &facts.permissions.requested;
    let _ = writeln!(s, "\nPermissions requested ({})", requested.len());
    for p in requested {
        let mut line = format!("  {}", p.name);
        if let Some(class) = p.group.as_deref().or(p.special.as_deref()) {
            let _ = write!(line, "  [{class}]");
        }
        if let Some(max) = p.max_sdk {
            let _ = write!(line, "  (up to API {max})");
        }
        if p.element != "uses-permission" {
            let _ = write!(line, "  [{}]", p.element);
        }
        match p.used {
            Some(true) => {
                let _ = write!(line, "  used by {}", p.used_by.join(", "));
            }
            Some(false) => line.push_str("  NOT USED by any code"),
            None => {}
        }
        let _ = writeln!(s, "{line}");
    }
    if !facts.permissions.declared.is_empty() {
        let _ = writeln!(
            s,
            "\nPermissions declared ({})",
            facts.permissions.declared.len()
        );
        for p in &facts.permissions.declared {
            let _ = writeln!(s, "  {}  ({})", p.name, p.protection_level);
        }
    }
}

fn render_sdks(s: &mut String, facts: &AppFacts) {
    if facts.rule_pack.is_none() {
        return;
    }
    let _ = writeln!(s, "\nThird-party SDKs ({})", facts.sdks.len());
    for sdk in &facts.sdks {
        let name_zh = sdk
            .name_zh
            .as_deref()
            .map_or_else(String::new, |n| format!(" {n}"));
        let vendor = sdk.vendor.as_deref().unwrap_or("unknown vendor");
        let _ = writeln!(s, "  {}{name_zh}  ({}, {vendor})", sdk.name, sdk.category);
        let e = &sdk.evidence;
        let mut evidence = Vec::new();
        if e.classes > 0 {
            evidence.push(format!("{} classes", e.classes));
        }
        for (what, list) in [
            ("components", &e.components),
            ("actions", &e.intent_actions),
            ("libs", &e.native_libs),
            ("hosts", &e.domains),
        ] {
            if !list.is_empty() {
                evidence.push(format!("{what} {}", list.join(", ")));
            }
        }
        let _ = writeln!(s, "      evidence: {}", evidence.join("; "));
        if !sdk.pi_types.is_empty() {
            let _ = writeln!(s, "      reaches:  {}", sdk.pi_types.join(", "));
        }
    }
    let unattributed: Vec<&str> = facts
        .pi_access
        .iter()
        .filter(|a| a.by == "unattributed")
        .map(|a| a.pi_type.as_str())
        .collect();
    if !unattributed.is_empty() {
        let _ = writeln!(
            s,
            "  (code of no known SDK outside the app's packages reaches: {})",
            unattributed.join(", ")
        );
    }
}

fn render_findings(s: &mut String, facts: &AppFacts) {
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
        .map(|(sev, n)| format!("{n} {sev}"))
        .collect();
    let _ = writeln!(
        s,
        "\nFindings ({}: {})",
        facts.findings.len(),
        summary.join(", ")
    );
    for sev in SEVERITIES.iter().rev() {
        for f in facts.findings.iter().filter(|f| f.severity == *sev) {
            let _ = writeln!(s, "  {:<8} {:<8} {}", f.severity, f.rule, f.message);
        }
    }
}

/// Severities from the least to the most severe.
const SEVERITIES: [&str; 5] = ["info", "low", "medium", "high", "critical"];

fn render_components(s: &mut String, facts: &AppFacts) {
    let components = &facts.manifest.components;
    let _ = writeln!(s, "\nComponents ({})", components.len());
    for c in components {
        let _ = writeln!(s, "  {:<15} {}{}", c.kind, c.name, component_notes(c));
    }
}

fn render_code(s: &mut String, facts: &AppFacts) {
    let code = &facts.code;
    if !code.analysed {
        return;
    }
    let _ = writeln!(
        s,
        "\nCode ({} dex, {} classes, {} methods)",
        code.dex.len(),
        code.total_classes,
        code.total_methods
    );
    for dex in &code.dex {
        let _ = writeln!(
            s,
            "  {:<15} v{:03}  {} classes, {} methods, {} strings{}{}",
            dex.entry,
            dex.version,
            dex.classes,
            dex.methods,
            dex.strings,
            compiler_note(dex),
            if dex.anomalies.is_empty() {
                String::new()
            } else {
                format!(", {} anomalies", dex.anomalies.len())
            }
        );
        for a in &dex.anomalies {
            let _ = writeln!(s, "{:<18}{}: {}", "", a.kind, a.detail);
        }
    }
    render_obfuscation(s, facts);
    for p in &code.hidden_payloads {
        let _ = writeln!(
            s,
            "  hidden {}  {}  ({} bytes{}): {}",
            p.format,
            p.path,
            p.size,
            if p.parsed { ", indexed" } else { "" },
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

/// The obfuscation verdicts as one phrase, for the text and HTML reports.
fn obfuscation_verdicts(o: &apkscope_facts::ObfuscationFacts) -> String {
    if o.verdicts.is_empty() {
        "none seen".to_owned()
    } else {
        o.verdicts.join(", ")
    }
}

/// The obfuscation line: verdicts and the figures behind them.
fn render_obfuscation(s: &mut String, facts: &AppFacts) {
    let o = &facts.code.obfuscation;
    if !facts.code.analysed || o.classes == 0 {
        return;
    }
    let _ = writeln!(
        s,
        "  obfuscation   {} ({} of {} classes, {} of {} methods short-named)",
        obfuscation_verdicts(o),
        o.short_class_names,
        o.classes,
        o.short_method_names,
        o.methods
    );
    for e in &o.evidence {
        let _ = writeln!(s, "{:<16}{e}", "");
    }
}

fn render_native(s: &mut String, facts: &AppFacts) {
    if facts.native.is_empty() {
        return;
    }
    let _ = writeln!(s, "\nNative libraries ({})", facts.native.len());
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
            let _ = writeln!(s, "      JNI: {} methods{onload}", lib.jni_methods.len());
        }
        if !lib.imports_of_interest.is_empty() {
            let _ = writeln!(s, "      imports: {}", lib.imports_of_interest.join(", "));
        }
        if !lib.strings_of_interest.is_empty() {
            let _ = writeln!(s, "      strings: {}", lib.strings_of_interest.join(", "));
        }
        if !weak.is_empty() {
            let _ = writeln!(s, "      missing hardening: {}", weak.join(", "));
        }
        for a in &lib.anomalies {
            let _ = writeln!(s, "      {}: {}", a.kind, a.detail);
        }
    }
}

fn render_signing(s: &mut String, facts: &AppFacts) {
    let signing = &facts.signing;
    let schemes = if signing.schemes.is_empty() {
        "none".to_owned()
    } else {
        signing.schemes.join(", ")
    };
    let _ = writeln!(s, "\nSigning (schemes: {schemes}; reported, not verified)");
    for c in &signing.certificates {
        let debug = if c.debug { "  DEBUG CERTIFICATE" } else { "" };
        let bits = c.key_bits.map_or_else(String::new, |b| format!(" {b}"));
        let _ = writeln!(s, "  {}: {}{debug}", c.scheme, c.subject);
        let _ = writeln!(
            s,
            "      {}{bits}, {}, valid {} to {}",
            c.key_type, c.signature_algorithm, c.not_before, c.not_after
        );
        let _ = writeln!(s, "      SHA-256 {}", c.sha256);
        let _ = writeln!(s, "      SHA-1   {}", c.sha1);
        let _ = writeln!(s, "      MD5     {}", c.md5);
    }
}

fn render_container(s: &mut String, facts: &AppFacts) {
    let container = &facts.container;
    let _ = writeln!(s, "\nContainer");
    let _ = writeln!(s, "  entries       {}", container.entries);
    if !container.dex_entries.is_empty() {
        let _ = writeln!(s, "  dex           {}", container.dex_entries.join(", "));
    }
    match &container.signing_block {
        Some(block) => {
            let names: Vec<String> = block
                .blocks
                .iter()
                .map(|b| b.name.clone().unwrap_or_else(|| b.id.clone()))
                .collect();
            let _ = writeln!(s, "  signing block {}", names.join(", "));
        }
        None => {
            let _ = writeln!(s, "  signing block none (v1 or unsigned)");
        }
    }
}

fn component_notes(c: &Component) -> String {
    let mut notes = Vec::new();
    if c.exported {
        notes.push(if c.exported_explicit {
            "exported"
        } else {
            "exported (implicit)"
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
            let _ = write!(out, "\n{:<18}actions: {}", "", filter.actions.join(", "));
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

#[cfg(test)]
mod tests {
    use super::*;
    use apkscope_facts::{InputFacts, RequestedPermission};

    fn sample() -> AppFacts {
        let mut facts = AppFacts::new(InputFacts {
            path: "x.apk".into(),
            sha256: "ab".into(),
            size: 9,
        });
        facts.app.package = Some("com.example".into());
        facts.permissions.requested.push(RequestedPermission {
            name: "android.permission.CAMERA".into(),
            max_sdk: Some(28),
            element: "uses-permission".into(),
            ..RequestedPermission::default()
        });
        facts.manifest.components.push(Component {
            kind: "activity".into(),
            name: "com.example.Main".into(),
            exported: true,
            ..Component::default()
        });
        facts
    }

    #[test]
    fn json_is_deterministic() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        write_json(&sample(), &mut a).unwrap();
        write_json(&sample(), &mut b).unwrap();
        assert_eq!(a, b);
        let value: serde_json::Value = serde_json::from_slice(&a).unwrap();
        assert_eq!(value["app"]["package"], "com.example");
    }

    #[test]
    fn text_shows_permissions_and_components() {
        let text = render_text(&sample());
        assert!(text.contains("android.permission.CAMERA  (up to API 28)"));
        assert!(text.contains("com.example.Main  [exported (implicit)]"));
        assert_eq!(text.matches("Anomalies (").count(), 1);
    }
}
