//! The HTML report on real scans of the demo APK and on hostile facts.

use apkscope_facts::{
    AnomalyFact, AppFacts, Evidence, Finding, InputFacts, PackerFacts, RequestedPermission,
    SdkFacts,
};
use apkscope_report::{HtmlWriter, write_html};

/// The label every hostile fixture carries; it must only ever appear escaped.
pub(crate) const HOSTILE_LABEL: &str = "<script>alert(1)</script>";

/// The demo APK scanned with the default rule pack, as the CLI scans it.
pub(crate) fn demo_facts() -> AppFacts {
    crate::scan_demo()
}

pub(crate) fn render(facts: &AppFacts) -> String {
    let mut out = Vec::new();
    write_html(facts, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Facts whose every string an attacker chose.
pub(crate) fn hostile_facts() -> AppFacts {
    let mut facts = AppFacts::new(InputFacts {
        path: "</title><script>alert('path')</script>.apk".into(),
        sha256: "\"><img src=x onerror=alert(1)>".into(),
        size: 1,
    });
    facts.app.label = Some(HOSTILE_LABEL.into());
    facts.app.package = Some("com.evil\" onmouseover=\"alert(1)".into());
    facts.app.version_name = Some("1.0<iframe src=http://evil.example/>".into());
    facts.permissions.requested.push(RequestedPermission {
        name: "<img src=http://evil.example/p.png>".into(),
        element: "uses-permission".into(),
        group: Some("location<style>".into()),
        used_by: vec!["<b>sdk</b>".into()],
        used: Some(true),
        ..RequestedPermission::default()
    });
    facts.sdks.push(SdkFacts {
        id: "evil".into(),
        name: "</td></tr></table><script src=http://evil.example/x.js></script>".into(),
        homepage: Some("javascript:alert(1)".into()),
        privacy_policy: Some("https://example.com/\" onclick=\"alert(1)".into()),
        pi_types: vec!["imei<svg onload=alert(1)>".into()],
        ..SdkFacts::default()
    });
    facts.findings.push(Finding {
        rule: "X<1>".into(),
        severity: "high".into(),
        message: "reads <link rel=stylesheet href=http://evil.example/s.css>".into(),
        references: vec!["javascript:alert(1)".into(), "http://ok.example/ref".into()],
        evidence: Evidence {
            class: Some("Lcom/evil/<X>;".into()),
            ..Evidence::default()
        },
        ..Finding::default()
    });
    facts.anomalies.push(AnomalyFact {
        source: "container".into(),
        kind: "duplicate_entry".into(),
        detail: "name \u{202E}kpa.exe & <b>".into(),
        entry: Some("<entry>".into()),
        offset: Some(16),
    });
    facts
}

fn attribute(html: &str, name: &str) -> String {
    let needle = format!(" {name}=\"");
    let start = html.find(&needle).unwrap_or_else(|| panic!("no {name}")) + needle.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_owned()
}

#[test]
fn demo_report_shows_the_scan() {
    let facts = demo_facts();
    assert!(
        !facts.findings.is_empty() && !facts.sdks.is_empty(),
        "the demo APK changed"
    );
    let html = render(&facts);

    assert!(html.starts_with("<!DOCTYPE html>\n"));
    assert!(html.ends_with("</html>\n"));
    assert!(html.contains("<title>apkscope report: Apkscope Demo</title>"));
    assert_eq!(html.matches("<section class=\"app\"").count(), 1);
    assert_eq!(
        attribute(&html, "data-package"),
        "com.example.apkscope.demo"
    );
    assert_eq!(
        attribute(&html, "data-findings"),
        facts.findings.len().to_string()
    );
    assert_eq!(attribute(&html, "data-sdks"), facts.sdks.len().to_string());
    for severity in ["critical", "high", "medium", "low", "info"] {
        let expected = facts
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .count();
        assert_eq!(
            attribute(&html, &format!("data-{severity}")),
            expected.to_string()
        );
    }
    // Every finding, SDK and PI access is on the page.
    for finding in &facts.findings {
        assert!(html.contains(&finding.fingerprint), "{}", finding.rule);
    }
    for sdk in &facts.sdks {
        assert!(html.contains(&sdk.name), "{}", sdk.id);
    }
    assert!(html.contains("极光推送"));
    let pi_rows = html.split("<table class=\"pi\">").nth(1).unwrap();
    let pi_rows = &pi_rows[..pi_rows.find("</table>").unwrap()];
    assert_eq!(pi_rows.matches("<tr>").count(), facts.pi_access.len() + 1);
    // The charts are there, with text labels.
    assert!(html.contains("<title>Findings by severity</title>"));
    assert!(html.contains("<title>Personal-information types reached"));
    // Signing, native libraries, no packer alert on an unpacked app.
    assert!(html.contains(&facts.signing.certificates[0].sha256));
    assert!(html.contains("libapkscope_demo.so"));
    assert!(!html.contains("Code analysis incomplete"));
    assert!(
        !html.contains("<nav class=\"batch-index\""),
        "one app needs no batch index"
    );
    // Balanced structure.
    for tag in ["section", "table", "svg", "dl", "div", "tr", "td"] {
        let open =
            html.matches(&format!("<{tag}>")).count() + html.matches(&format!("<{tag} ")).count();
        assert_eq!(open, html.matches(&format!("</{tag}>")).count(), "<{tag}>");
    }
}

#[test]
fn rendering_is_deterministic() {
    let facts = demo_facts();
    assert_eq!(render(&facts), render(&facts));
}

/// The start tags of `html` (`<name ...>`), lowercased; text never holds a raw `<`.
fn tags(html: &str) -> Vec<String> {
    html.match_indices('<')
        .filter_map(|(at, _)| {
            let rest = &html[at..];
            let end = rest.find('>')?;
            Some(rest[..=end].to_ascii_lowercase())
        })
        .filter(|tag| !tag.starts_with("</"))
        .collect()
}

/// `<a href="x" title="y">` → `<a href="" title="">`: attribute values are escaped data, so
/// only what is outside them can add an attribute.
fn without_quoted_values(tag: &str) -> String {
    let mut out = String::new();
    for (i, part) in tag.split('"').enumerate() {
        if i % 2 == 0 {
            out.push_str(part);
        } else {
            out.push_str("\"\"");
        }
    }
    out
}

/// The page loads nothing: no scripts, stylesheets, images, frames or fonts, and a policy
/// that would block them anyway. Links to references are plain anchors.
fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    assert!(
        lower.contains(
            "<meta http-equiv=\"content-security-policy\" content=\"default-src 'none'; "
        )
    );
    let style = &lower[lower.find("<style>").unwrap()..lower.find("</style>").unwrap()];
    for forbidden in ["url(", "@import", "@font-face"] {
        assert!(!style.contains(forbidden), "{forbidden} in the stylesheet");
    }
    for tag in tags(html) {
        let bare = without_quoted_values(&tag);
        let name: String = bare[1..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        assert!(
            ![
                "script", "link", "img", "iframe", "object", "embed", "base", "frame"
            ]
            .contains(&name.as_str()),
            "{tag}"
        );
        for attribute in [
            " src=", " srcset=", " style=", " action=", " poster=", " on",
        ] {
            assert!(!bare.contains(attribute), "{attribute} in {tag}");
        }
        if bare.contains(" href=") {
            assert_eq!(name, "a", "href outside an anchor: {tag}");
            let value = &tag[tag.find(" href=\"").unwrap() + 7..];
            assert!(
                value.starts_with('#')
                    || value.starts_with("http://")
                    || value.starts_with("https://"),
                "unexpected link in {tag}"
            );
        }
    }
}

#[test]
fn demo_report_is_self_contained() {
    assert_self_contained(&render(&demo_facts()));
}

/// Chinese SDK and app names render in a CJK font on every desktop system: the inline CSS
/// lists system UI fonts, then CJK fallbacks (no web font: the CSP forbids fetching one).
#[test]
fn fonts_fall_back_to_cjk_families() {
    let html = render(&demo_facts());
    let style_start = html.find("<style>").expect("an inline style sheet");
    let style = &html[style_start..html[style_start..].find("</style>").unwrap() + style_start];
    let body = style
        .split('}')
        .find(|rule| rule.trim_start().starts_with("body{"))
        .expect("a body rule");
    let families: Vec<&str> = body
        .split_once("font:")
        .unwrap()
        .1
        .split(',')
        .map(|f| f.trim().trim_matches('"'))
        .collect();
    let position = |family: &str| {
        families
            .iter()
            .position(|f| f.ends_with(family))
            .unwrap_or_else(|| panic!("{family} missing from {families:?}"))
    };
    let system = position("system-ui");
    for cjk in [
        "PingFang SC",
        "Hiragino Sans GB",
        "Microsoft YaHei",
        "Noto Sans CJK SC",
        "Source Han Sans SC",
    ] {
        assert!(position(cjk) > system, "{cjk} before the system UI font");
    }
    assert_eq!(families.last(), Some(&"sans-serif"), "{families:?}");
    assert!(
        !style.contains("@font-face") && !style.contains("url("),
        "{style}"
    );
}

#[test]
fn hostile_strings_render_as_text() {
    let html = render(&hostile_facts());
    assert_self_contained(&html);
    assert!(!html.contains(HOSTILE_LABEL));
    assert!(html.contains("<h2>&lt;script&gt;alert(1)&lt;/script&gt;</h2>"));
    assert!(html.contains("<title>apkscope report: &lt;script&gt;alert(1)&lt;/script&gt;</title>"));
    assert!(html.contains("data-package=\"com.evil&quot; onmouseover=&quot;alert(1)\""));
    assert!(html.contains("data-label=\"&lt;script&gt;alert(1)&lt;/script&gt;\""));
    assert!(!html.contains("onmouseover=\"alert"));
    assert!(!html.contains("onclick=\"alert"));
    assert!(!html.to_ascii_lowercase().contains("javascript:alert(1)\""));
    // The harmless reference is still a link; the javascript: one is text.
    assert!(html.contains("<a href=\"http://ok.example/ref\""));
    assert!(html.contains("<div>javascript:alert(1)</div>"));
    // A direction override cannot disguise a name.
    assert!(html.contains("name [U+202E]kpa.exe &amp; &lt;b&gt;"));
    assert!(!html.contains('\u{202E}'));
}

#[test]
fn batch_has_an_index_apps_and_failures() {
    let mut writer = HtmlWriter::new(Vec::new(), "Batch <of> apps").unwrap();
    writer.write_app(&demo_facts()).unwrap();
    writer
        .write_failure("broken<1>.apk", "not_apk", "no central directory <EOCD>")
        .unwrap();
    writer.write_app(&hostile_facts()).unwrap();
    let html = String::from_utf8(writer.finish().unwrap()).unwrap();

    assert_self_contained(&html);
    assert!(html.contains("<title>Batch &lt;of&gt; apps</title>"));
    assert_eq!(html.matches("<section class=\"app\"").count(), 2);
    assert!(html.contains(
        "<section class=\"failure\" id=\"app-2\" data-path=\"broken&lt;1&gt;.apk\" \
         data-error-kind=\"not_apk\">"
    ));
    assert!(html.contains("no central directory &lt;EOCD&gt;"));
    assert!(html.contains("id=\"app-1\" data-package=\"com.example.apkscope.demo\""));
    assert!(html.contains("id=\"app-3\""));
    assert!(html.contains("<nav class=\"batch-index\""));
    for anchor in ["#app-1", "#app-2", "#app-3"] {
        assert!(html.contains(&format!("<a href=\"{anchor}\">")), "{anchor}");
    }
    assert!(html.contains("data-apps=\"2\" data-failures=\"1\""));
    assert!(!html.contains(HOSTILE_LABEL));
    assert!(html.ends_with("</html>\n"));
}

#[test]
fn packed_app_is_shouted() {
    let mut facts = AppFacts::new(InputFacts {
        path: "packed.apk".into(),
        ..InputFacts::default()
    });
    facts.packers.push(PackerFacts {
        id: "jiagu-360".into(),
        name: "360 Jiagu".into(),
        vendor: Some("Qihoo 360".into()),
        kind: "packer".into(),
        evidence: vec!["native library lib/armeabi-v7a/libjiagu.so".into()],
    });
    let html = render(&facts);
    assert!(html.contains("<strong>Code analysis incomplete: hidden by 360 Jiagu</strong>"));
    assert!(html.contains("data-packed=\"true\""));
    assert!(html.contains("libjiagu.so"));
}

#[test]
fn facts_without_a_rule_pack_say_so() {
    let html = render(&AppFacts::new(InputFacts {
        path: "bare.apk".into(),
        ..InputFacts::default()
    }));
    assert!(html.contains("No rule pack ran"));
    assert!(html.contains("Code was not analysed"));
    assert!(html.contains("<title>apkscope report: bare.apk</title>"));
    assert_eq!(attribute(&html, "data-findings"), "0");
    assert!(html.contains("<span class=\"flag bad\">unsigned</span>"));
}
