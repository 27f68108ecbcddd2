//! The HTML report on real scans of the demo APK and the fixtures, in English and Chinese, on
//! hostile facts, and a golden Chinese page of `umeng.apk`.

use std::path::{Path, PathBuf};

use apkscope_engine::{Day, ScanOptions};
use apkscope_facts::{
    AnomalyFact, AppFacts, Evidence, Finding, InputFacts, PackerFacts, RequestedPermission,
    SdkFacts,
};
use apkscope_report::{HtmlWriter, Lang, write_html};

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

/// The one-app page in `lang`.
pub(crate) fn render_in(facts: &AppFacts, lang: Lang) -> String {
    let mut out = Vec::new();
    HtmlWriter::write_page(facts, lang, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The day date-dependent checks are judged on, so that the pages do not change with the date.
const AS_OF: &str = "2026-12-01";

fn options() -> ScanOptions {
    let mut options = ScanOptions::default();
    options.rules = Some(crate::pack());
    options.as_of = Day::parse(AS_OF);
    options
}

/// `fixtures/<name>/<name>.apk` scanned with the default pack on [`AS_OF`], recorded under a
/// relative name.
pub(crate) fn scan_fixture(name: &str) -> AppFacts {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
        .join(format!("{name}.apk"));
    let data = std::fs::read(&path).unwrap();
    apkscope_engine::scan_bytes(&data, &format!("{name}.apk"), &options()).unwrap()
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

#[test]
fn the_page_follows_its_language() {
    let facts = demo_facts();
    let en = render_in(&facts, Lang::En);
    let zh = render_in(&facts, Lang::Zh);
    assert_eq!(en, render(&facts), "English is the default");
    assert!(en.contains("<html lang=\"en\">"));
    assert!(zh.contains("<html lang=\"zh-CN\">"));
    assert!(zh.contains("<title>apkscope 报告：Apkscope Demo</title>"));
    assert!(zh.contains(&format!(">问题（{}）</h3>", facts.findings.len())));
    assert_self_contained(&zh);
    // The same page in both languages: the same numbers, rows, checks and references.
    let section = |html: &str| {
        let start = html.find("<section class=\"app\"").unwrap();
        html[start..start + html[start..].find('>').unwrap()].to_owned()
    };
    assert_eq!(section(&en), section(&zh));
    for element in ["<tr", "<article", "<li", "<dt", "<a ", "<svg", "<h3", "<h4"] {
        assert_eq!(
            en.matches(element).count(),
            zh.matches(element).count(),
            "{element}"
        );
    }
    for tag in [
        "section", "table", "svg", "dl", "div", "tr", "td", "ol", "article",
    ] {
        let open =
            zh.matches(&format!("<{tag}>")).count() + zh.matches(&format!("<{tag} ")).count();
        assert_eq!(open, zh.matches(&format!("</{tag}>")).count(), "<{tag}>");
    }
}

/// Every in-page link lands on an element of the page.
fn assert_anchors_resolve(html: &str) {
    for (at, _) in html.match_indices("href=\"#") {
        let target = &html[at + 7..];
        let target = &target[..target.find('"').unwrap()];
        assert!(
            html.contains(&format!(" id=\"{target}\"")),
            "#{target} leads nowhere"
        );
    }
}

#[test]
fn every_finding_links_to_its_check_explained_once() {
    let facts = demo_facts();
    assert!(!facts.checks.is_empty());
    for lang in Lang::ALL {
        let html = render_in(&facts, lang);
        assert_anchors_resolve(&html);
        for check in &facts.checks {
            let anchor = format!("app-1-check-{}", check.id);
            assert_eq!(
                html.matches(&format!("<article class=\"check\" id=\"{anchor}\""))
                    .count(),
                1,
                "{}",
                check.id
            );
            let findings = facts.findings.iter().filter(|f| f.rule == check.id).count();
            assert_eq!(
                html.matches(&format!("href=\"#{anchor}\"")).count(),
                findings,
                "{}",
                check.id
            );
            // Each reference of the check is expanded in its block, once.
            let block = &html[html.find(&format!("id=\"{anchor}\"")).unwrap()..];
            let block = &block[..block.find("</article>").unwrap()];
            for id in &check.references {
                let reference = facts.references.iter().find(|r| &r.id == id).unwrap();
                assert_eq!(
                    block
                        .matches(&format!("data-reference=\"{}\"", id.replace('"', "&quot;")))
                        .count(),
                    1,
                    "{id}"
                );
                let title = match (lang, &reference.title_zh) {
                    (Lang::Zh, Some(zh)) => format!("《{zh}》"),
                    _ => reference.title.clone(),
                };
                assert!(block.contains(&title.replace('\'', "&#39;")), "{title}");
            }
        }
    }
}

/// The collector fixture: an unknown collector, the app's own code, an open-source library,
/// sensitive PI types and expanded Chinese citations.
#[test]
fn chinese_page_explains_each_finding() {
    let facts = scan_fixture("collector");
    let html = render_in(&facts, Lang::Zh);
    assert_self_contained(&html);
    assert_anchors_resolve(&html);
    // Every finding's message and every check's texts, in Chinese.
    for finding in &facts.findings {
        let zh = finding.message_zh.as_deref().expect("a Chinese message");
        assert!(html.contains(&esc(zh)), "{zh}");
        if let Some(reason) = &finding.severity_reason_zh {
            assert!(html.contains(&esc(reason)), "{reason}");
        }
    }
    for check in &facts.checks {
        let zh = check.zh.as_ref().expect("Chinese check texts");
        for text in [&zh.title, &zh.what, &zh.why, &zh.remediation] {
            assert!(html.contains(&esc(text)), "{}: {text}", check.id);
        }
    }
    // PI type labels, with the sensitive mark on sensitive ones.
    assert!(html.contains(">设备识别码（IMEI/MEID）</span>"));
    assert!(html.contains(">通讯录</span><span class=\"flag sensitive\""));
    assert!(html.contains(">敏感个人信息</span>"));
    // Owners, confidence and its meaning.
    assert!(html.contains("<span class=\"chip owner\">未知来源代码</span>"));
    assert!(html.contains("<span class=\"chip owner\">开源库</span> osmdroid"));
    assert!(html.contains("<span class=\"chip owner\">应用自身</span> Shop"));
    assert!(html.contains("<strong>代码存在</strong> <span class=\"muted\">— 应用中存在相关代码"));
    assert!(html.contains(">置信度</dt>") && html.contains(">定级理由</dt>"));
    // Vocabulary: protection levels, severities.
    assert!(
        html.contains("<td>危险</td>") && html.contains("<span class=\"sev sev-high\">高</span>")
    );
    // The unknown collector has its own section.
    let unknown = &html[html.find("id=\"app-1-unknown\"").unwrap()..];
    let unknown = &unknown[..unknown.find("</table>").unwrap()];
    assert!(unknown.contains(">未知来源组件（1）</h3>"));
    assert!(unknown.contains("<tr data-package=\"com.zzz.collector\">"));
    assert!(unknown.contains("c.zzz-collect.net"));
    for label in ["通讯录", "设备识别码（IMEI/MEID）", "短信"] {
        assert!(unknown.contains(&format!(">{label}</span>")), "{label}");
    }
    // Citations expanded: document, number, clause and its title, issuer in Chinese, link.
    assert!(html.contains("<cite>《App违法违规收集使用个人信息行为认定方法》</cite>"));
    assert!(html.contains(
        "<cite>《信息安全技术 移动互联网应用程序（App）收集个人信息基本要求》</cite> — \
         <strong>6.1</strong> 最小必要收集"
    ));
    assert!(
        html.contains("GB/T 41391-2022 · 国家市场监督管理总局、国家标准化管理委员会 · 2022-04-15")
    );
    assert!(html.contains("<strong>第 5 项</strong> APP强制、频繁、过度索取权限"));
    assert!(html.contains("<strong>附录 F</strong>"));
    assert!(html.contains(">查看原文</a>"));
    // The sections a reviewer looks for, by their Chinese headings.
    for heading in [
        ">申请的权限（",
        ">第三方 SDK（",
        ">个人信息访问（",
        ">未知来源组件（",
        ">问题（",
        ">检查项说明：风险与整改建议（",
        ">原生库（",
        ">网络</h3>",
        ">异常（",
    ] {
        assert!(html.contains(heading), "{heading}");
    }
}

#[test]
fn english_page_explains_each_finding() {
    let facts = scan_fixture("collector");
    let html = render(&facts);
    for check in &facts.checks {
        for text in [&check.title, &check.why, &check.remediation] {
            assert!(html.contains(&esc(text)), "{}: {text}", check.id);
        }
    }
    for finding in &facts.findings {
        assert!(html.contains(&esc(&finding.message)), "{}", finding.message);
    }
    assert!(html.contains(">IMEI / MEID (device identifier)</span>"));
    assert!(html.contains(">Contacts</span><span class=\"flag sensitive\""));
    assert!(html.contains("<span class=\"chip owner\">unknown code</span>"));
    assert!(
        html.contains(
            "<strong>code present</strong> <span class=\"muted\">— the code is in the app"
        )
    );
    assert!(html.contains(">Unknown components (1)</h3>"));
    assert!(
        html.contains("<td>dangerous</td>")
            && html.contains("<span class=\"sev sev-high\">high</span>")
    );
    assert!(html.contains("<strong>item 5</strong> "));
    assert!(html.contains("<strong>annex F</strong>"));
    // A Chinese document keeps its Chinese title beside the English one.
    assert!(html.contains(
        "<span class=\"muted\" lang=\"zh-CN\">《App违法违规收集使用个人信息行为认定方法》</span>"
    ));
    assert!(html.contains(">Why it matters</dt>") && html.contains(">What to do</dt>"));
}

/// Secrets, the network policy and an SDK's legal entity and privacy policy, in Chinese.
#[test]
fn chinese_page_shows_network_secrets_and_sdk_entities() {
    let facts = scan_fixture("network");
    assert!(
        !facts.network.secrets.is_empty(),
        "the network fixture changed"
    );
    let html = render_in(&facts, Lang::Zh);
    assert_self_contained(&html);
    assert!(html.contains(&format!(
        ">硬编码密钥（{}）</h4>",
        facts.network.secrets.len()
    )));
    assert!(html.contains("<p>明文 HTTP：<strong>"));
    for secret in &facts.network.secrets {
        assert!(html.contains(&esc(&secret.masked)), "{}", secret.masked);
    }
    for check in &facts.checks {
        let zh = check.zh.as_ref().unwrap();
        assert!(html.contains(&esc(&zh.remediation)), "{}", check.id);
    }
    for sdk in &facts.sdks {
        if let Some(zh) = &sdk.name_zh {
            assert!(
                html.contains(&format!("<strong>{}</strong>", esc(zh))),
                "{zh}"
            );
        }
        if let Some(entity) = &sdk.legal_entity {
            assert!(
                html.contains(&format!("运营主体：</span>{}", esc(entity))),
                "{entity}"
            );
        }
        if let Some(url) = &sdk.privacy_policy {
            assert!(html.contains(&format!(
                "<a href=\"{}\" rel=\"noopener noreferrer\">隐私政策</a>",
                esc(url)
            )));
        }
    }
}

/// The page's interface texts as its sources write them (`tr(lang, "…")`, `p.tr("…")`).
fn interface_texts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut texts = Vec::new();
    for file in ["html.rs", "html/findings.rs", "html/network.rs"] {
        let source = std::fs::read_to_string(dir.join(file)).unwrap();
        let source = source.split("#[cfg(test)]").next().unwrap();
        for (at, _) in source.match_indices("tr(") {
            if source[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                continue;
            }
            let rest = &source[at + 3..];
            let Some(open) = rest.find('"') else { continue };
            let before = rest[..open].trim();
            if before.is_empty() || before.ends_with(',') && !before.contains(')') {
                let text = &rest[open + 1..];
                texts.push(text[..text.find('"').unwrap()].to_owned());
            }
        }
    }
    texts
}

/// The English interface texts of the page's own (`texts`) that `page` shows: a whole text as
/// an element's text or a tooltip, a template's wording before its first placeholder as the
/// start of an element's text.
fn english_left_on(page: &str, texts: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for text in texts {
        let zh = apkscope_report::tr(Lang::Zh, Box::leak(text.clone().into_boxed_str()));
        let needles: Vec<String> = match text.split_once('{') {
            None => vec![
                format!(">{}<", esc(text)),
                format!("title=\"{}\"", esc(text)),
                format!("aria-label=\"{}\"", esc(text)),
            ],
            Some((head, _)) => {
                let head = head.trim_end();
                // `apkscope — {n} apps`: the Chinese starts the same way.
                if zh.starts_with(head) || head.split_whitespace().count() < 2 {
                    continue;
                }
                vec![format!(">{}", esc(head))]
            }
        };
        found.extend(needles.into_iter().filter(|n| page.contains(n.as_str())));
    }
    found
}

/// No English interface text of the page's own is left on the Chinese page: no heading, table
/// header, label, summary or empty state starts with the English wording.
#[test]
fn chinese_page_has_no_english_interface_text() {
    let texts = interface_texts();
    assert!(texts.len() > 150, "{}", texts.len());
    let mut bare = AppFacts::new(InputFacts {
        path: "bare.apk".into(),
        ..InputFacts::default()
    });
    bare.packers.push(PackerFacts {
        id: "jiagu-360".into(),
        name: "360 Jiagu".into(),
        kind: "packer".into(),
        ..PackerFacts::default()
    });
    let mut batch = HtmlWriter::new_in(Vec::new(), "批量", Lang::Zh).unwrap();
    batch.write_app(&bare).unwrap();
    batch
        .write_failure("broken.apk", "not_apk", "no central directory")
        .unwrap();
    let batch = String::from_utf8(batch.finish().unwrap()).unwrap();
    let pages = [
        render_in(&demo_facts(), Lang::Zh),
        render_in(&scan_fixture("collector"), Lang::Zh),
        render_in(&scan_fixture("network"), Lang::Zh),
        batch,
    ];
    for page in &pages {
        let left = english_left_on(page, &texts);
        assert!(left.is_empty(), "English on the Chinese page: {left:?}");
    }
    // The check sees English where there is some.
    let english = english_left_on(&render(&demo_facts()), &texts);
    assert!(english.len() > 50, "{english:?}");
    for page in &pages {
        assert!(!page.contains(">Findings<") && !page.contains(">Findings ("));
    }
}

#[test]
fn chinese_batch_and_failures() {
    let mut writer =
        HtmlWriter::new_in(Vec::new(), &HtmlWriter::batch_title(Lang::Zh, 2), Lang::Zh).unwrap();
    writer.write_app(&demo_facts()).unwrap();
    writer
        .write_failure("broken<1>.apk", "not_apk", "no central directory <EOCD>")
        .unwrap();
    writer.write_app(&hostile_facts()).unwrap();
    let html = String::from_utf8(writer.finish().unwrap()).unwrap();
    assert_self_contained(&html);
    assert!(html.contains("<title>apkscope — 2 个应用</title>"));
    assert!(html.contains("<h2>批量：已分析 2 个应用，1 个失败</h2>"));
    assert!(html.contains("<h2>未能分析：broken&lt;1&gt;.apk</h2>"));
    assert!(html.contains("<th>严重</th><th>高</th><th>中</th><th>低</th><th>提示</th>"));
    assert!(html.contains("已分析 2 个应用，1 个输入失败。"));
    assert!(!html.contains(HOSTILE_LABEL));
    assert!(html.contains("<h2>&lt;script&gt;alert(1)&lt;/script&gt;</h2>"));
}

/// Escapes text as the page does, to look for facts' strings in it.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn shared_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// The Chinese page of `umeng.apk`, byte for byte (`APKSCOPE_BLESS=1` rewrites the golden file).
/// The rule pack's hash is pinned: it changes with every edit of any rule, which says nothing
/// about this page; what the rules find in umeng is compared in full.
#[test]
fn umeng_chinese_page_matches_its_golden() {
    let apk = shared_corpus().join("sdk-apks/umeng.apk");
    if !apk.is_file() {
        crate::skip::skip(&format!(
            "{} not found (../shared is absent)",
            apk.display()
        ));
        return;
    }
    let data = std::fs::read(&apk).unwrap();
    let mut facts = apkscope_engine::scan_bytes(&data, "sdk-apks/umeng.apk", &options()).unwrap();
    if let Some(pack) = &mut facts.rule_pack {
        pack.hash = "(pinned by the golden test)".into();
    }
    let html = render_in(&facts, Lang::Zh);
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/umeng.zh.html");
    if std::env::var_os("APKSCOPE_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &html).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&golden)
        .unwrap_or_else(|e| panic!("{}: {e} (APKSCOPE_BLESS=1 writes it)", golden.display()));
    if html != expected {
        let line = html
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| html.lines().count().min(expected.lines().count()));
        panic!(
            "the Chinese page of umeng.apk differs from {} from line {}:\n  got:      {}\n  expected: {}\n\
             (APKSCOPE_BLESS=1 rewrites the golden file)",
            golden.display(),
            line + 1,
            html.lines().nth(line).unwrap_or("<end>"),
            expected.lines().nth(line).unwrap_or("<end>"),
        );
    }
    // What the acceptance asks of it, checked here too so a re-bless cannot lose it.
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("第三方 SDK 收集个人信息"));
    assert!(html.contains("友盟同欣（北京）科技有限公司"));
}
