//! Batch summaries of real scans of the demo APK.

use apkscope_report::{SUMMARY_KIND, SUMMARY_SCHEMA_VERSION, Summary};
use serde_json::Value;

use crate::csv::{demo, parse_csv};

/// The demo app twice and one failure, as `apkscope summarize` would see a small batch.
fn batch() -> Summary {
    let mut summary = Summary::new();
    summary.add_app(demo());
    summary.add_failure("broken.apk", "not_apk", "not a zip");
    summary.add_app(demo());
    summary
}

fn json(summary: &Summary) -> Value {
    let mut out = Vec::new();
    summary.write_json(&mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn find<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|item| item[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {list}"))
}

/// How many PERM001 findings one demo app has (at least one), and their severity.
fn perm001_in_demo() -> (u64, String) {
    let perm001: Vec<_> = demo()
        .findings
        .iter()
        .filter(|f| f.rule == "PERM001")
        .collect();
    assert!(
        !perm001.is_empty(),
        "the demo requests sensitive permissions"
    );
    (perm001.len() as u64, perm001[0].severity.clone())
}

#[test]
fn counts_apps_sdks_and_findings() {
    let summary = batch();
    assert_eq!(summary.apps_scanned(), 2);
    assert_eq!(summary.apps_failed(), 1);
    let value = json(&summary);

    assert_eq!(value["apps"]["scanned"], 2);
    assert_eq!(value["apps"]["failed"], 1);
    assert_eq!(value["apps"]["inputs"], 3);
    assert_eq!(value["apps"]["failed_share"], 33.33);
    assert_eq!(value["apps"]["without_rule_pack"], 0);
    assert_eq!(value["failures"]["by_kind"][0]["kind"], "not_apk");
    assert_eq!(value["failures"]["examples"][0]["path"], "broken.apk");

    let jpush = find(&value["sdks"], "id", "jpush");
    assert_eq!(jpush["apps"], 2);
    assert_eq!(jpush["share"], 100.0);
    assert_eq!(jpush["name_zh"], "极光推送");
    assert_eq!(jpush["category"], "push");
    assert_eq!(value["sdks"].as_array().unwrap().len(), 3);
    // Ties on apps fall back to the id.
    let ids: Vec<&str> = value["sdks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["bugly", "jpush", "umeng"]);
    assert_eq!(
        find(&value["sdk_categories"], "category", "push")["apps"],
        2
    );
    assert_eq!(
        find(&value["sdk_vendors"], "vendor", "Aurora Mobile (极光)")["share"],
        100.0
    );

    // The counts follow the demo's findings under the current pack, whatever they are.
    let findings = demo().findings.len() as u64;
    assert!(findings > 0);
    let severities = value["severities"].as_array().unwrap();
    let by_severity: u64 = severities
        .iter()
        .map(|s| s["findings"].as_u64().unwrap())
        .sum();
    assert_eq!(by_severity, 2 * findings);
    let by_rule: u64 = value["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["findings"].as_u64().unwrap())
        .sum();
    assert_eq!(by_rule, 2 * findings);
    let order: Vec<&str> = severities
        .iter()
        .map(|s| s["severity"].as_str().unwrap())
        .collect();
    let present: Vec<&str> = ["critical", "high", "medium", "low", "info"]
        .into_iter()
        .filter(|s| demo().findings.iter().any(|f| f.severity == *s))
        .collect();
    assert_eq!(order, present);
    for severity in severities {
        assert_eq!(severity["apps"], 2);
    }
    let (perm001_count, perm001_severity) = perm001_in_demo();
    let perm001 = find(&value["rules"], "rule", "PERM001");
    assert_eq!(perm001["findings"], 2 * perm001_count);
    assert_eq!(perm001["apps"], 2);
    assert_eq!(perm001["severity"], perm001_severity);

    let top = value["top_apps"].as_array().unwrap();
    assert_eq!(top.len(), 2);
    assert_eq!(top[0]["findings"], findings);
    assert_eq!(top[0]["package"], "com.example.apkscope.demo");
    assert_eq!(top[0]["version_name"], "1.2.0");
    let counted: u64 = top[0]["by_severity"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(counted, findings);
}

#[test]
fn counts_permissions_by_name_and_group() {
    let value = json(&batch());
    let phone = find(
        &value["permissions"],
        "name",
        "android.permission.READ_PHONE_STATE",
    );
    assert_eq!(phone["apps"], 2);
    assert_eq!(phone["share"], 100.0);
    assert_eq!(phone["group"], "phone");
    assert_eq!(phone["unused_apps"], 0);
    let camera = find(&value["permissions"], "name", "android.permission.CAMERA");
    assert_eq!(camera["unused_apps"], 2);
    assert_eq!(camera["unused_share"], 100.0);
    let overlay = find(
        &value["permissions"],
        "name",
        "android.permission.SYSTEM_ALERT_WINDOW",
    );
    assert_eq!(overlay["special"], "overlay");
    assert_eq!(overlay["group"], Value::Null);
    // Two location permissions, one app each time.
    assert_eq!(
        find(&value["permission_groups"], "group", "location")["apps"],
        2
    );
    assert_eq!(
        value["permissions"].as_array().unwrap().len(),
        demo().permissions.requested.len()
    );
}

#[test]
fn json_has_the_documented_keys() {
    let mut out = Vec::new();
    batch().write_json(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("{\n  \"kind\": \"apkscope-summary\",\n  \"schema_version\": \"1\",\n"),
        "{text}"
    );
    assert!(text.ends_with("}\n"));
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["kind"], SUMMARY_KIND);
    assert_eq!(value["kind"], "apkscope-summary");
    assert_eq!(value["schema_version"], SUMMARY_SCHEMA_VERSION);
    assert_eq!(value["tool"]["name"], "apkscope");
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = [
        "kind",
        "schema_version",
        "tool",
        "apps",
        "failures",
        "sdks",
        "sdk_vendors",
        "sdk_categories",
        "permissions",
        "permission_groups",
        "rules",
        "severities",
        "packers",
        "top_apps",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
}

#[test]
fn json_sections_have_the_documented_fields() {
    let value = json(&batch());
    let fields = |pointer: &str| -> Vec<String> {
        let mut keys: Vec<String> = value
            .pointer(pointer)
            .unwrap_or_else(|| panic!("missing {pointer}"))
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        keys.sort_unstable();
        keys
    };
    assert_eq!(
        fields("/apps"),
        [
            "cleartext",
            "cleartext_share",
            "failed",
            "failed_share",
            "inputs",
            "packed",
            "packed_share",
            "scanned",
            "user_certs_trusted",
            "user_certs_trusted_share",
            "with_findings",
            "with_findings_share",
            "with_secrets",
            "with_secrets_share",
            "without_rule_pack",
            "without_rule_pack_share"
        ]
    );
    // The demo app's network security config allows plain HTTP and trusts user CAs; it holds
    // SDK app keys in its meta-data. The batch has it twice.
    assert_eq!(value["apps"]["cleartext"], 2);
    assert_eq!(value["apps"]["user_certs_trusted"], 2);
    assert_eq!(value["apps"]["with_secrets"], 2);
    assert_eq!(fields("/failures/examples/0"), ["kind", "message", "path"]);
    assert_eq!(fields("/failures/by_kind/0"), ["inputs", "kind", "share"]);
    assert_eq!(
        fields("/sdks/0"),
        [
            "apps", "category", "id", "name", "name_zh", "share", "vendor"
        ]
    );
    assert_eq!(fields("/sdk_vendors/0"), ["apps", "share", "vendor"]);
    assert_eq!(fields("/sdk_categories/0"), ["apps", "category", "share"]);
    assert_eq!(
        fields("/permissions/0"),
        [
            "apps",
            "group",
            "name",
            "protection_level",
            "share",
            "special",
            "unused_apps",
            "unused_share"
        ]
    );
    assert_eq!(fields("/permission_groups/0"), ["apps", "group", "share"]);
    assert_eq!(
        fields("/rules/0"),
        [
            "apps", "findings", "name", "rule", "severity", "share", "title"
        ]
    );
    assert_eq!(
        fields("/severities/0"),
        ["apps", "findings", "severity", "share"]
    );
    assert_eq!(
        fields("/top_apps/0"),
        [
            "by_severity",
            "findings",
            "package",
            "path",
            "sha256",
            "version_name"
        ]
    );
    assert_eq!(
        fields("/top_apps/0/by_severity"),
        ["critical", "high", "info", "low", "medium"]
    );
    assert_eq!(value["packers"], Value::Array(Vec::new()));
}

#[test]
fn output_is_deterministic() {
    let render = |summary: &Summary| {
        let (mut json, mut csv, mut text) = (Vec::new(), Vec::new(), Vec::new());
        summary.write_json(&mut json).unwrap();
        summary.write_csv(&mut csv).unwrap();
        summary.write_text(&mut text).unwrap();
        (json, csv, text)
    };
    assert_eq!(render(&batch()), render(&batch()));
}

#[test]
fn csv_is_one_long_table() {
    let mut out = Vec::new();
    batch().write_csv(&mut out).unwrap();
    let records = parse_csv(&String::from_utf8(out).unwrap());
    let header = &records[0];
    assert_eq!(
        header,
        &[
            "section",
            "key",
            "name",
            "class",
            "detail",
            "apps",
            "share",
            "findings",
            "unused_apps",
            "extra"
        ]
    );
    for record in &records {
        assert_eq!(record.len(), header.len(), "{record:?}");
    }
    let row = |section: &str, key: &str| {
        records
            .iter()
            .find(|r| r[0] == section && r[1] == key)
            .unwrap_or_else(|| panic!("no {section}/{key}"))
    };
    assert_eq!(row("apps", "scanned")[5], "2");
    assert_eq!(row("apps", "failed")[5], "1");
    assert_eq!(row("apps", "failed")[6], "33.33");
    assert_eq!(row("failure_kind", "not_apk")[5], "1");
    assert_eq!(row("failure_example", "broken.apk")[4], "not a zip");
    let jpush = row("sdk", "jpush");
    assert_eq!(
        jpush[2..7],
        ["JPush", "push", "Aurora Mobile (极光)", "2", "100.00"]
    );
    assert_eq!(jpush[9], "极光推送");
    let camera = row("permission", "android.permission.CAMERA");
    assert_eq!(camera[3], "camera");
    assert_eq!(camera[8], "2");
    assert_eq!(row("permission_group", "location")[5], "2");
    let (perm001_count, perm001_severity) = perm001_in_demo();
    let perm001 = row("rule", "PERM001");
    assert_eq!(perm001[3], perm001_severity);
    assert_eq!(perm001[7], (2 * perm001_count).to_string());
    let severity_findings: u64 = records
        .iter()
        .filter(|r| r[0] == "severity")
        .map(|r| r[7].parse::<u64>().unwrap())
        .sum();
    let findings = demo().findings.len() as u64;
    assert_eq!(severity_findings, 2 * findings);
    let top: Vec<_> = records.iter().filter(|r| r[0] == "top_app").collect();
    assert_eq!(top.len(), 2);
    assert_eq!(top[0][2], "com.example.apkscope.demo");
    assert!(top[0][4].starts_with("critical=0; high="), "{}", top[0][4]);
    assert_eq!(top[0][7], findings.to_string());
}

#[test]
fn text_shows_aligned_tables() {
    let mut out = Vec::new();
    batch().write_text(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("apkscope summary: 2 apps scanned, 1 failed (3 inputs)\n"));
    for heading in [
        "\nFailures by kind\n",
        "\nSDKs (3 distinct)\n",
        "\nSDK vendors\n",
        "\nPermissions (",
        "\nPermission groups (TC260)\n",
        "\nFindings by severity\n",
        "\nFindings by rule\n",
        "\nApps with the most findings\n",
    ] {
        assert!(text.contains(heading), "no {heading:?} in\n{text}");
    }
    assert!(text.contains("     2  100.0%  jpush  push"), "{text}");
    // A table's rows line up: the share column ends at the same place on every row.
    let sdk_table: Vec<&str> = text
        .split("\nSDKs (3 distinct)\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(sdk_table.len(), 4);
    let ends: Vec<usize> = sdk_table.iter().map(|l| l.find('%').unwrap_or(0)).collect();
    assert!(ends[1..].iter().all(|e| *e == ends[1]), "{sdk_table:?}");
}
