//! The text report and the SDK list in both languages: on the collector fixture (owners,
//! unknown components, explanations) and, as goldens, on the SDK APKs built around real vendor
//! SDK binaries (`../shared/corpus/sdk-apks`).

use std::path::{Path, PathBuf};

use apkscope_engine::{Day, ScanOptions, scan_bytes};
use apkscope_facts::AppFacts;
use apkscope_report::{Lang, render_text_in, write_sdk_list_csv_in, write_sdk_list_markdown_in};

fn options() -> ScanOptions {
    let mut options = ScanOptions::default();
    options.rules = Some(crate::pack());
    options.as_of = Day::parse("2026-12-01");
    options
}

/// A fixture of the repository, scanned under a name that is the same on every machine.
fn fixture(name: &str) -> AppFacts {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name);
    scan_bytes(&std::fs::read(path).unwrap(), name, &options()).unwrap()
}

/// An SDK APK of the shared corpus, or `None` (said) when the corpus is absent.
fn sdk_apk(name: &str) -> Option<AppFacts> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/sdk-apks")
        .join(name);
    let Ok(data) = std::fs::read(&path) else {
        crate::skip::skip("../shared/corpus/sdk-apks is absent");
        return None;
    };
    let mut options = options();
    options.verify_dex_checksums = false;
    Some(scan_bytes(&data, &format!("sdk-apks/{name}"), &options).unwrap())
}

fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// Compares `got` with the golden file, or writes it with `APKSCOPE_BLESS=1`.
fn golden(name: &str, got: &str) {
    let path = golden_path(name);
    if std::env::var_os("APKSCOPE_BLESS").is_some() {
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with APKSCOPE_BLESS=1", path.display()));
    assert!(
        want == got,
        "{name} differs from its golden (APKSCOPE_BLESS=1 to accept):\n{got}"
    );
}

fn sdk_list(facts: &AppFacts, lang: Lang) -> String {
    let mut out = Vec::new();
    write_sdk_list_markdown_in(facts, lang, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn the_text_report_explains_findings_in_either_language() {
    let facts = fixture("collector/collector.apk");
    let en = render_text_in(&facts, Lang::En);
    for want in [
        "Unknown components reaching personal information (1)",
        "com.zzz.collector  (2 classes)",
        "Unknown code in com.zzz.collector collects SMS",
        "owner: unknown code com.zzz.collector",
        "confidence: code present",
        "What the findings mean",
        "why: ",
        "do: ",
        "cites: Methods for identifying the illegal collection and use of personal information by apps (国信办秘字〔2019〕191号) 2.1",
    ] {
        assert!(en.contains(want), "missing `{want}`:\n{en}");
    }
    let zh = render_text_in(&facts, Lang::Zh);
    for want in [
        "涉及个人信息的未知来源组件 (1)",
        "未知来源代码（com.zzz.collector）收集短信",
        "应用自身代码收集设备识别码（IMEI/MEID）：2 处调用",
        "置信度： 代码存在",
        "问题说明",
        "原因： ",
        "建议： ",
        "依据： 《App违法违规收集使用个人信息行为认定方法》 (国信办秘字〔2019〕191号) 2.1",
        "（实际运行时为“高”）",
    ] {
        assert!(zh.contains(want), "missing `{want}`:\n{zh}");
    }
    // No English section heading is left in the Chinese report.
    for heading in [
        "\nFindings",
        "\nPermissions requested",
        "\nWhat the findings mean",
    ] {
        assert!(!zh.contains(heading), "`{heading}` in:\n{zh}");
    }
}

#[test]
fn umeng_in_chinese_matches_its_goldens() {
    let Some(facts) = sdk_apk("umeng.apk") else {
        return;
    };
    golden("umeng.zh.txt", &render_text_in(&facts, Lang::Zh));
    golden("umeng.zh.sdk-list.md", &sdk_list(&facts, Lang::Zh));
}

/// The Alipay APK's list names the legal entity and privacy policy of Alipay and of UTDID,
/// the device-ID SDK it embeds.
#[test]
fn the_alipay_sdk_list_names_legal_entities_and_policies() {
    let Some(facts) = sdk_apk("alipay.apk") else {
        return;
    };
    for id in ["alipay", "alibaba-utdid"] {
        let sdk = facts
            .sdks
            .iter()
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("{id} not detected: {:?}", facts.sdks));
        assert!(sdk.legal_entity.is_some(), "{sdk:?}");
        assert!(sdk.privacy_policy.is_some(), "{sdk:?}");
    }
    for lang in Lang::ALL {
        let list = sdk_list(&facts, lang);
        for sdk in facts
            .sdks
            .iter()
            .filter(|s| ["alipay", "alibaba-utdid"].contains(&s.id.as_str()))
        {
            let row = list
                .lines()
                .find(|l| l.contains(sdk.name.as_str()))
                .unwrap_or_else(|| panic!("no row for {}:\n{list}", sdk.name));
            assert!(row.contains(sdk.legal_entity.as_deref().unwrap()), "{row}");
            assert!(
                row.contains(sdk.privacy_policy.as_deref().unwrap()),
                "{row}"
            );
        }
    }
    let mut csv = Vec::new();
    write_sdk_list_csv_in(&facts, Lang::Zh, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("第三方名称"), "{csv}");
}
