//! `apkscope diff OLD NEW` end to end, on the committed fixtures (and, when `../shared` is
//! there, on the SDK APKs of the acceptance).

use std::path::{Path, PathBuf};

use crate::run::{apkscope, demo_apk, stderr};

/// Date-judged checks are pinned, so that a run across midnight gives the same bytes.
const AS_OF: &str = "2026-06-01";

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../fixtures/{name}/{name}.apk"))
        .to_str()
        .unwrap()
        .to_owned()
}

fn demo() -> String {
    demo_apk().to_str().unwrap().to_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apkscope-diff-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `apkscope diff ARGS`: its output, which must be a success.
fn diff_ok(args: &[&str]) -> Vec<u8> {
    let mut all = vec!["diff", "--as-of", AS_OF];
    all.extend_from_slice(args);
    let output = apkscope(&all);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    output.stdout
}

fn diff_json(old: &str, new: &str) -> serde_json::Value {
    serde_json::from_slice(&diff_ok(&["--format", "json", old, new])).unwrap()
}

fn ids(list: &serde_json::Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item[key].as_str().unwrap().to_owned())
        .collect()
}

/// Findings of a scan judged on `as_of` (today when None).
fn findings_of_scan(path: &str, as_of: Option<&str>) -> usize {
    let mut args = vec!["scan", "--format", "json", path];
    if let Some(day) = as_of {
        args.extend(["--as-of", day]);
    }
    let output = apkscope(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    report["findings"].as_array().unwrap().len()
}

#[test]
fn an_app_against_itself_has_no_changes() {
    let demo = demo();
    let diff = diff_json(&demo, &demo);
    assert_eq!(diff["kind"], "apkscope-diff");
    assert_eq!(diff["summary"]["changed"], false);
    assert_eq!(diff["summary"]["same_package"], true);
    for list in ["added", "removed", "changed"] {
        assert_eq!(diff["sdks"][list], serde_json::json!([]), "sdks.{list}");
    }
    assert_eq!(
        ids(&diff["sdks"]["unchanged"], "id"),
        ["bugly", "jpush", "umeng"]
    );
    assert_eq!(diff["permissions"]["added"], serde_json::json!([]));
    assert_eq!(diff["permissions"]["removed"], serde_json::json!([]));
    for list in ["new", "fixed", "severity_changed"] {
        assert_eq!(
            diff["findings"][list],
            serde_json::json!([]),
            "findings.{list}"
        );
    }
    let still = diff["findings"]["still_present"].as_array().unwrap().len();
    assert!(still > 0);
    assert_eq!(still, findings_of_scan(&demo, Some(AS_OF)));
    assert_eq!(diff["old"], diff["new"]);

    let text = String::from_utf8(diff_ok(&[&demo, &demo])).unwrap();
    assert!(
        text.contains("No changes: the same SDKs, permissions and findings."),
        "{text}"
    );
    assert!(!text.contains("Note:"), "{text}");
}

#[test]
fn demo_against_collector_shows_sdks_permissions_and_findings() {
    let (demo, collector) = (demo(), fixture("collector"));
    let diff = diff_json(&demo, &collector);
    let summary = &diff["summary"];
    assert_eq!(summary["changed"], true);
    // Two different apps: allowed, and said.
    assert_eq!(summary["same_package"], false);
    assert_eq!(diff["old"]["package"], "com.example.apkscope.demo");
    assert_eq!(diff["new"]["package"], "com.example.shop");
    assert_eq!(diff["old"]["version_name"], "1.2.0");
    assert_eq!(diff["old"]["version_code"], 7);
    assert_eq!(diff["new"]["sha256"].as_str().unwrap().len(), 64);

    assert_eq!(
        ids(&diff["sdks"]["removed"], "id"),
        ["bugly", "jpush", "umeng"]
    );
    assert_eq!(diff["sdks"]["added"], serde_json::json!([]));
    assert!(
        ids(&diff["permissions"]["added"], "name")
            .contains(&"android.permission.READ_SMS".to_owned())
    );
    assert!(
        ids(&diff["permissions"]["removed"], "name")
            .contains(&"android.permission.CAMERA".to_owned())
    );

    let new_rules = ids(&diff["findings"]["new"], "rule");
    assert!(new_rules.contains(&"API009".to_owned()), "{new_rules:?}");
    let fixed_rules = ids(&diff["findings"]["fixed"], "rule");
    assert!(
        fixed_rules.contains(&"EXP003".to_owned()),
        "{fixed_rules:?}"
    );
    // Every entry says what it is, and the lists are sorted, most severe first.
    let rank = |s: &str| {
        ["info", "low", "medium", "high", "critical"]
            .iter()
            .position(|x| *x == s)
    };
    for list in ["new", "fixed", "still_present"] {
        let entries = diff["findings"][list].as_array().unwrap();
        let ranks: Vec<_> = entries
            .iter()
            .map(|f| rank(f["severity"].as_str().unwrap()).unwrap())
            .collect();
        assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{list}: {ranks:?}");
        for f in entries {
            for key in ["fingerprint", "rule", "title", "message"] {
                assert!(!f[key].as_str().unwrap().is_empty(), "{list}: {f}");
            }
        }
    }
    // The counts are those of the lists.
    for (count, list) in [
        ("findings_new", &diff["findings"]["new"]),
        ("findings_fixed", &diff["findings"]["fixed"]),
        ("findings_still_present", &diff["findings"]["still_present"]),
        ("sdks_removed", &diff["sdks"]["removed"]),
        ("permissions_added", &diff["permissions"]["added"]),
    ] {
        assert_eq!(summary[count], list.as_array().unwrap().len(), "{count}");
    }

    let text = String::from_utf8(diff_ok(&[&demo, &collector])).unwrap();
    for expected in [
        "apkscope diff: com.example.apkscope.demo → com.example.shop",
        "Summary: SDKs: 0 added, 3 removed,",
        "Note: The two builds name different packages",
        "SDKs removed (3)\n  - bugly  Tencent Bugly",
        "  + android.permission.READ_SMS  [SMS]",
        "New findings (",
        "  + medium   API009   Unknown code in com.zzz.collector collects",
        "Fixed findings (",
        "  - high     EXP003   provider com.example.apkscope.demo.data.ShareProvider",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn json_is_byte_identical_across_runs() {
    let (demo, network) = (demo(), fixture("network"));
    let args = ["--format", "json", demo.as_str(), network.as_str()];
    let first = diff_ok(&args);
    let second = diff_ok(&args);
    assert_eq!(first, second);
    let diff: serde_json::Value = serde_json::from_slice(&first).unwrap();
    // network.apk embeds jpush as the demo does.
    assert!(ids(&diff["sdks"]["removed"], "id").contains(&"umeng".to_owned()));
    assert!(!ids(&diff["sdks"]["removed"], "id").contains(&"jpush".to_owned()));
    // Text and HTML are deterministic too.
    assert_eq!(diff_ok(&[&demo, &network]), diff_ok(&[&demo, &network]));
    let html = ["--format", "html", demo.as_str(), network.as_str()];
    assert_eq!(diff_ok(&html), diff_ok(&html));
}

#[test]
fn a_saved_report_is_a_side() {
    let dir = temp_dir("report");
    let (demo, collector) = (demo(), fixture("collector"));
    let report = dir.join("demo.json");
    let report_path = report.to_str().unwrap();
    let scan = apkscope(&[
        "scan",
        "--format",
        "json",
        "--as-of",
        AS_OF,
        "--out",
        report_path,
        &demo,
    ]);
    assert!(scan.status.success(), "{}", stderr(&scan));

    // The report records the path it was scanned from: the diff is the APK's, byte for byte.
    let from_report = diff_ok(&["--format", "json", report_path, &collector]);
    let from_apk = diff_ok(&["--format", "json", &demo, &collector]);
    assert_eq!(
        String::from_utf8(from_report).unwrap(),
        String::from_utf8(from_apk).unwrap()
    );
    // Mixed the other way, and a report against its own APK: no change.
    let diff = diff_json(&demo, report_path);
    assert_eq!(diff["summary"]["changed"], false);
    // Two reports.
    let diff = diff_json(report_path, report_path);
    assert_eq!(diff["summary"]["changed"], false);

    // --app-package cannot change a report's owners: said on stderr, the diff still runs.
    let output = apkscope(&[
        "diff",
        "--app-package",
        "com.zzz.collector",
        report_path,
        &collector,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--app-package does not apply to OLD"),
        "{}",
        stderr(&output)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A report's findings are taken as written; `--recheck` judges them again with this run's
/// pack. A report whose findings were taken out shows every finding as new, until rechecked.
#[test]
fn recheck_judges_a_report_again() {
    let dir = temp_dir("recheck");
    let demo = demo();
    let output = apkscope(&["scan", "--format", "json", "--as-of", AS_OF, &demo]);
    assert!(output.status.success(), "{}", stderr(&output));
    let mut report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    report["findings"] = serde_json::json!([]);
    let stripped = dir.join("stripped.json");
    std::fs::write(&stripped, serde_json::to_vec_pretty(&report).unwrap()).unwrap();
    let stripped = stripped.to_str().unwrap();

    let as_written = apkscope(&["diff", "--format", "json", stripped, &demo]);
    assert_eq!(as_written.status.code(), Some(0), "{}", stderr(&as_written));
    let as_written: serde_json::Value = serde_json::from_slice(&as_written.stdout).unwrap();
    let new = as_written["findings"]["new"].as_array().unwrap().len();
    // Judged today, as the diff without --as-of judges its scanned side.
    assert_eq!(new, findings_of_scan(&demo, None));

    // --as-of implies --recheck; so does --recheck itself.
    for flag in ["--recheck", "--as-of"] {
        let mut args = vec!["diff", "--format", "json", flag];
        if flag == "--as-of" {
            args.push(AS_OF);
        }
        args.extend([stripped, demo.as_str()]);
        let output = apkscope(&args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let rechecked: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(rechecked["summary"]["changed"], false, "{flag}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_inputs_are_named_with_the_right_exit_code() {
    let dir = temp_dir("bad");
    let demo = demo();
    let text = dir.join("notes.txt");
    std::fs::write(&text, "not an app\n").unwrap();
    let json = dir.join("other.json");
    std::fs::write(&json, "{\"name\": \"not a report\"}").unwrap();
    let array = dir.join("batch.json");
    std::fs::write(&array, "[]").unwrap();
    let missing = dir.join("missing.apk");

    for (old, new, expected) in [
        (text.to_str().unwrap(), demo.as_str(), "OLD"),
        (demo.as_str(), text.to_str().unwrap(), "NEW"),
    ] {
        let output = apkscope(&["diff", old, new]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        let err = stderr(&output);
        assert!(
            err.contains(&format!("{expected} {}", text.display())),
            "{err}"
        );
        assert!(err.contains("not an APK"), "{err}");
        assert!(err.contains("nor a saved report"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(output.stdout.is_empty());
    }
    for (path, reason) in [
        (&json, "not an apkscope report"),
        (&array, "a JSON array"),
        (&missing, "cannot open"),
    ] {
        let output = apkscope(&["diff", path.to_str().unwrap(), &demo]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(stderr(&output).contains(reason), "{}", stderr(&output));
    }
    // Usage errors: nothing compared.
    for args in [
        vec!["diff", demo.as_str()],
        vec!["diff", "--format", "sarif", demo.as_str(), demo.as_str()],
        vec!["diff", "--lang", "fr", demo.as_str(), demo.as_str()],
        vec![
            "diff",
            "--fail-on-new",
            "severe",
            demo.as_str(),
            demo.as_str(),
        ],
    ] {
        let output = apkscope(&args);
        assert_eq!(
            output.status.code(),
            Some(3),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fail_on_new_gates_on_new_findings_only() {
    let (demo, collector) = (demo(), fixture("collector"));
    let run = |old: &str, new: &str, severity: &str| {
        let output = apkscope(&["diff", "--fail-on-new", severity, old, new]);
        output.status.code()
    };
    // collector brings a new high finding (PERM005: READ_SMS), and nothing critical.
    assert_eq!(run(&demo, &collector, "high"), Some(1));
    assert_eq!(run(&demo, &collector, "critical"), Some(0));
    // Findings still present do not count: an app against itself passes at any threshold.
    assert_eq!(run(&demo, &demo, "info"), Some(0));
}

#[test]
fn html_and_out_and_chinese() {
    let dir = temp_dir("html");
    let (demo, collector) = (demo(), fixture("collector"));
    let out = dir.join("diff.html");
    let output = apkscope(&[
        "diff",
        "--format",
        "html",
        "--out",
        out.to_str().unwrap(),
        &demo,
        &collector,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("Content-Security-Policy"));
    assert!(html.contains("data-sdks-removed=\"3\""), "{html}");
    assert!(html.contains("data-sdk=\"jpush\""));
    assert!(html.contains("<table class=\"diff-findings\" data-change=\"new\">"));
    assert!(!html.contains("<script"), "nothing runs in the page");
    assert!(html.trim_end().ends_with("</html>"));

    let zh = String::from_utf8(diff_ok(&[
        "--format", "html", "--lang", "zh", &demo, &collector,
    ]))
    .unwrap();
    assert!(zh.contains("<html lang=\"zh-CN\">"));
    assert!(zh.contains("新增的问题"), "{zh}");
    assert!(zh.contains("极光推送"), "the facts' Chinese SDK name");

    let text = String::from_utf8(diff_ok(&["--lang", "zh", &demo, &collector])).unwrap();
    for expected in [
        "apkscope 版本比对：",
        "移除的 SDK（3）",
        "已整改的问题",
        "极光推送",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The acceptance: `diff jpush.apk janalytics.apk` shows jpush removed, janalytics
/// added and jcore (the core both embed) unchanged, the same bytes every time.
#[test]
fn jpush_to_janalytics_swaps_the_sdk_and_keeps_jcore() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/sdk-apks");
    let (jpush, janalytics) = (dir.join("jpush.apk"), dir.join("janalytics.apk"));
    if !jpush.is_file() || !janalytics.is_file() {
        crate::skip::skip("../shared/corpus/sdk-apks/{jpush,janalytics}.apk are absent");
        return;
    }
    let (jpush, janalytics) = (jpush.to_str().unwrap(), janalytics.to_str().unwrap());
    let args = ["--format", "json", jpush, janalytics];
    let first = diff_ok(&args);
    assert_eq!(first, diff_ok(&args), "deterministic");
    let diff: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(ids(&diff["sdks"]["removed"], "id"), ["jpush"]);
    assert_eq!(ids(&diff["sdks"]["added"], "id"), ["janalytics"]);
    assert_eq!(ids(&diff["sdks"]["unchanged"], "id"), ["jcore"]);
    assert_eq!(diff["sdks"]["changed"], serde_json::json!([]));

    let text = String::from_utf8(diff_ok(&[jpush, janalytics])).unwrap();
    for expected in [
        "SDKs added (1)\n  + janalytics",
        "SDKs removed (1)\n  - jpush",
        "SDKs unchanged (1)\n  = jcore",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}
