//! The rule pack through the binary: SDKs, permission matrix, findings, SDK lists, and the
//! `rules` subcommands.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn apkscope_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_apkscope"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn apkscope(args: &[&str]) -> Output {
    apkscope_in(&repo(), args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn demo_report(extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["scan", "--format", "json"];
    args.extend_from_slice(extra);
    args.push("fixtures/demo/demo.apk");
    let output = apkscope(&args);
    assert!(output.status.success(), "{}", text(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn scan_reports_sdks_permission_matrix_and_findings() {
    let report = demo_report(&[]);
    let sdks = report["sdks"].as_array().unwrap();
    let ids: Vec<&str> = sdks.iter().map(|s| s["id"].as_str().unwrap()).collect();
    for expected in ["bugly", "jpush", "umeng"] {
        assert!(ids.contains(&expected), "{expected} missing from {ids:?}");
    }
    let jpush = sdks.iter().find(|s| s["id"] == "jpush").unwrap();
    for field in ["name", "vendor", "category", "evidence"] {
        assert!(!jpush[field].is_null(), "{field}");
    }
    assert!(jpush["exodus_id"].is_u64(), "JPush is Exodus tracker #343");
    assert!(jpush["evidence"]["classes"].as_u64().unwrap() >= 1);
    assert!(
        jpush["pi_types"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "imsi")
    );

    let requested = report["permissions"]["requested"].as_array().unwrap();
    let phone = requested
        .iter()
        .find(|p| p["name"] == "android.permission.READ_PHONE_STATE")
        .unwrap();
    assert_eq!(phone["group"], "phone");
    assert_eq!(phone["protection_level"], "dangerous");
    let used_by: Vec<&str> = phone["used_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert!(
        used_by.contains(&"app") && used_by.contains(&"jpush"),
        "{used_by:?}"
    );
    let camera = requested
        .iter()
        .find(|p| p["name"] == "android.permission.CAMERA")
        .unwrap();
    assert_eq!(camera["used"], false);

    let findings = report["findings"].as_array().unwrap();
    for f in findings {
        for field in ["rule", "severity", "message", "evidence", "fingerprint"] {
            assert!(!f[field].is_null(), "{field} in {f}");
        }
        assert!(
            ["info", "low", "medium", "high", "critical"]
                .contains(&f["severity"].as_str().unwrap())
        );
    }
    let sdk_imsi = findings
        .iter()
        .find(|f| f["rule"] == "API001" && f["evidence"]["sdk"] == "jpush")
        .expect("JPush's IMSI read is a finding attributed to JPush");
    assert!(
        sdk_imsi["evidence"]["class"]
            .as_str()
            .unwrap()
            .starts_with("Lcn/jpush/")
    );
    assert!(
        findings.iter().any(|f| f["rule"] == "PERM101"
            && f["evidence"]["permission"] == "android.permission.CAMERA")
    );
    assert!(
        findings
            .iter()
            .any(|f| f["evidence"]["component"] == "com.example.apkscope.demo.data.ShareProvider")
    );

    let no_rules = demo_report(&["--no-rules"]);
    assert!(no_rules["sdks"].as_array().unwrap().is_empty());
    assert!(no_rules["packers"].as_array().unwrap().is_empty());
    assert!(no_rules["rule_pack"].is_null());
}

#[test]
fn scan_reports_packers_as_an_array() {
    let report = demo_report(&[]);
    let packers = report["packers"].as_array().unwrap();
    assert!(
        packers.is_empty(),
        "the demo app is not packed: {packers:?}"
    );
    assert!(
        !report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "PACK001")
    );
    assert!(report["container"]["assets"].is_array());
    let output = apkscope(&["rules", "list"]);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("packer\tpacker-360-jiagu\t360 Jiagu\tpacker\t"),
        "{stdout}"
    );
}

#[test]
fn sdk_list_formats() {
    let output = apkscope(&["scan", "--format", "sdk-list", "fixtures/demo/demo.apk"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let markdown = text(&output.stdout);
    assert!(
        markdown.contains("| 深圳市和讯华谷信息技术有限公司 | JPush | Push notifications |"),
        "{markdown}"
    );
    let output = apkscope(&[
        "scan",
        "--format",
        "sdk-list",
        "--lang",
        "zh",
        "fixtures/demo/demo.apk",
    ]);
    let markdown = text(&output.stdout);
    assert!(markdown.starts_with("# 第三方信息共享清单"), "{markdown}");
    assert!(
        markdown.contains("| 深圳市和讯华谷信息技术有限公司 | 极光推送 (JPush) | 消息推送 |"),
        "{markdown}"
    );
    let output = apkscope(&["scan", "--format", "sdk-list-csv", "fixtures/demo/demo.apk"]);
    let csv = text(&output.stdout);
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.lines().nth(1).unwrap().contains("Bugly"));
}

#[test]
fn the_default_packs_own_tests_pass() {
    let output = apkscope(&["rules", "test"]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn rules_list_counts_the_pack() {
    let output = apkscope(&["rules", "list"]);
    assert!(output.status.success());
    let stdout = text(&output.stdout);
    let sdks = stdout.lines().filter(|l| l.starts_with("sdk\t")).count();
    let apis = stdout.lines().filter(|l| l.starts_with("api\t")).count();
    assert!(sdks >= 550, "{sdks} SDKs");
    assert!(apis >= 80, "{apis} APIs");
    assert!(stdout.contains("sdk\tjpush\tJPush\tpush\t"));
}

fn temp_rules(name: &str, toml: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apkscope-rules-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("extra.toml"), toml).unwrap();
    dir
}

const EXTRA_SDK: &str = r#"
[[sdk]]
id = "demo-native-bridge"
name = "Demo native bridge"
vendor = "Example"
category = "other"
purpose = "Test SDK added with --rules"
class_prefixes = ["com.example.apkscope.demo.NativeBridge"]
references = ["https://example.com/demo-native-bridge"]
"#;

#[test]
fn rules_adds_and_rules_only_replaces() {
    let dir = temp_rules("add", EXTRA_SDK);
    let added = demo_report(&["--rules", dir.to_str().unwrap()]);
    let ids: Vec<&str> = added["sdks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"demo-native-bridge") && ids.contains(&"jpush"),
        "{ids:?}"
    );
    let only = demo_report(&["--rules-only", dir.to_str().unwrap()]);
    let ids: Vec<&str> = only["sdks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["demo-native-bridge"]);
}

#[test]
fn rules_validate_reports_file_line_and_field() {
    let good = temp_rules("good", EXTRA_SDK);
    let output = apkscope(&["rules", "validate", good.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output.stdout));
    // A valid folder is valid: the default pack's own warnings are not its problems.
    assert_eq!(text(&output.stdout), format!("{}: valid\n", good.display()));

    let bad = temp_rules(
        "bad",
        "[[sdk]]\nid = \"jpush\"\nname = \"Dup\"\ncategory = \"push\"\npurpose = \"x\"\nclass_prefixes = [\"com\"]\nreferences = [\"https://example.com/sdk\"]\n",
    );
    let output = apkscope(&["rules", "validate", bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let report = text(&output.stdout);
    assert!(report.contains("extra.toml"), "{report}");
    assert!(report.contains("jpush"), "{report}");
}

/// The repository's own `rules/` is a whole pack, validated on its own: this is the one
/// validator (`tools/check_rule_pack.py` and the generators run it), and the pack has no error.
#[test]
fn rules_validate_of_the_default_pack_folder_is_clean() {
    let output = apkscope(&["rules", "validate", "rules"]);
    let report = text(&output.stdout);
    assert!(output.status.success(), "{report}");
    assert!(!report.contains("error["), "{report}");
    assert!(!report.contains("E010"), "{report}");
}

/// `rules validate DIR` lists every problem of every file of DIR at once — a file that is not
/// TOML does not hide the others, a reused id does not hide the next one or the validation
/// errors — and only DIR's: none of the default pack's warnings. Each names its file by its
/// path from here.
#[test]
fn rules_validate_lists_every_problem_of_the_folder_only() {
    let dir = std::env::temp_dir().join(format!("apkscope-rules-all-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("more")).unwrap();
    std::fs::write(dir.join("a.toml"), "[[sdk]\nid = \n").unwrap();
    let sdk = |id: &str, prefix: &str| {
        format!(
            "[[sdk]]\nid = \"{id}\"\nname = \"X\"\nvendor = \"X\"\ncategory = \"push\"\npurpose = \"x\"\n\
             class_prefixes = [\"{prefix}\"]\nreferences = [\"https://example.com/sdk\"]\n"
        )
    };
    std::fs::write(
        dir.join("b.toml"),
        format!(
            "{}\n{}",
            sdk("jpush", "com.dup.one."),
            sdk("umeng", "com.dup.two.")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("more/c.toml"),
        format!(
            "[[sdk]]\nid = \"no-purpose\"\nname = \"X\"\nvendor = \"X\"\ncategory = \"push\"\n\
             class_prefixes = [\"com.x.\"]\nreferences = [\"https://example.com/sdk\"]\n\n{}",
            sdk("generic", "com")
        ),
    )
    .unwrap();
    // Run from elsewhere: the names are paths one can open from here.
    let output = apkscope_in(
        &std::env::temp_dir(),
        &["rules", "validate", dir.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let report = text(&output.stdout);
    let at = |file: &str| format!("--> {}", dir.join(file).display());
    for (file, says) in [
        ("a.toml", "error[E001]"),
        ("b.toml", "duplicate id `jpush`"),
        ("b.toml", "duplicate id `umeng`"),
        ("more/c.toml", "missing field `purpose`"),
        ("more/c.toml", "package prefix `com`"),
    ] {
        let block = report
            .split("\n\n")
            .find(|block| block.contains(says))
            .unwrap_or_else(|| panic!("no {says:?} in {report}"));
        assert!(block.contains(&at(file)), "{says:?} not at {file}: {block}");
    }
    // The summary counts them all (at least those five: the pack's rules may ask for more).
    let total = report.lines().last().unwrap();
    let errors: usize = total.split(' ').next().unwrap().parse().unwrap();
    assert!(errors >= 5 && total.contains(" error(s), "), "{report}");
    assert!(
        !report.contains("--> rules/"),
        "the default pack's own problems: {report}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A rule folder with a copy of the demo app beside its rule file: its tests name the fixture
/// relative to the folder.
fn rules_with_fixture(name: &str, expect: bool) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apkscope-rules-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("apps")).unwrap();
    std::fs::copy(
        repo().join("fixtures/demo/demo.apk"),
        dir.join("apps/demo.apk"),
    )
    .unwrap();
    std::fs::write(
        dir.join("extra.toml"),
        format!(
            "{EXTRA_SDK}\n[[test]]\nrule = \"demo-native-bridge\"\nfixture = \"apps/demo.apk\"\n\
             expect = {expect}\n"
        ),
    )
    .unwrap();
    dir
}

/// `rules test DIR` runs DIR's tests from anywhere (their fixtures are relative to DIR) along
/// with the default pack's (relative to the repository), and names each failing test: rule,
/// fixture, where it is defined, what was expected and what was got.
#[test]
fn rules_test_runs_the_cases_of_an_added_folder() {
    let elsewhere = std::env::temp_dir();
    let passing = rules_with_fixture("test-pass", true);
    for cwd in [repo(), elsewhere.clone()] {
        let output = apkscope_in(&cwd, &["rules", "test", passing.to_str().unwrap()]);
        let stdout = text(&output.stdout);
        assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
        assert!(stdout.ends_with(" passed, 0 failed\n"), "{stdout}");
        // The default pack's tests ran too.
        let passed: usize = stdout.split(' ').next().unwrap().parse().unwrap();
        assert!(passed > 1, "{stdout}");
    }

    let failing = rules_with_fixture("test-fail", false);
    let output = apkscope_in(&elsewhere, &["rules", "test", failing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    let fail: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL ")).collect();
    assert_eq!(
        fail,
        [format!(
            "FAIL demo-native-bridge on {} ({}:11:1): expected no match, got a match",
            failing.join("apps/demo.apk").display(),
            failing.join("extra.toml").display()
        )],
        "{stdout}"
    );
    assert!(stdout.ends_with(" passed, 1 failed\n"), "{stdout}");
    for dir in [passing, failing] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

/// A rule test whose fixture is a FIFO (or a device) fails that test and goes on; it never
/// waits for a writer that does not come.
#[test]
fn rules_test_fixtures_are_read_without_blocking() {
    let dir = std::env::temp_dir().join(format!("apkscope-rules-fifo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    let fifo = dir.join("rules/fifo.json");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        crate::skip::skip("mkfifo failed");
        return;
    }
    std::fs::write(
        dir.join("rules/extra.toml"),
        format!(
            "{EXTRA_SDK}\n[[test]]\nrule = \"demo-native-bridge\"\nfixture = \"fifo.json\"\nexpect = true\n"
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_apkscope"))
        .args(["rules", "test", "rules"])
        .current_dir(&dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("`rules test` hung on a FIFO fixture");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "FAIL demo-native-bridge on {} (",
            Path::new("rules/fifo.json").display()
        )) && stdout.contains("expected a match, got an error: cannot scan it:")
            && stdout.contains("FIFO"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
