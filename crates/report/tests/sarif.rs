//! SARIF logs and JSON reports of real scans of the demo APK, validated against the official
//! SARIF 2.1.0 schema and the committed report schemas.

use std::collections::HashSet;

use apkscope_facts::{AppFacts, Evidence, Finding, InputFacts, ScanFailure};
use apkscope_report::{RuleDescriptor, SarifWriter, write_json, write_sarif};
use apkscope_testkit::schema::{validate_failure, validate_report, validate_sarif};
use serde_json::Value;

use crate::{pack, scan_demo};

/// The descriptors the CLI builds from the pack.
fn descriptors() -> Vec<RuleDescriptor> {
    pack()
        .checks()
        .iter()
        .map(|compiled| {
            let check = &compiled.check;
            RuleDescriptor {
                id: check.id.clone(),
                name: check.name.clone(),
                title: check.title.clone(),
                what: check.what.clone(),
                why: check.why.clone(),
                remediation: check.remediation.clone(),
                severity: check.severity.to_string(),
                references: check.references.clone(),
            }
        })
        .collect()
}

fn sarif_of(facts: &AppFacts, rules: &[RuleDescriptor]) -> (Vec<u8>, Value) {
    let mut out = Vec::new();
    write_sarif(facts, rules, &mut out).unwrap();
    let log = serde_json::from_slice(&out).unwrap();
    (out, log)
}

fn assert_valid_sarif(log: &Value) {
    if let Err(err) = validate_sarif(log) {
        panic!(
            "invalid SARIF: {err}\n{}",
            serde_json::to_string_pretty(log).unwrap()
        );
    }
}

fn expected_level(severity: &str) -> &'static str {
    match severity {
        "critical" | "high" => "error",
        "medium" => "warning",
        "low" | "info" => "note",
        other => panic!("unexpected severity {other}"),
    }
}

fn fingerprints(log: &Value) -> Vec<String> {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["apkscopeFindingHash/v1"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// Each rule of `driver.rules` carries its descriptor's metadata, in the descriptors' order.
fn assert_rules_describe(driver_rules: &[Value], rules: &[RuleDescriptor]) {
    assert_eq!(driver_rules.len(), rules.len());
    for (rule, descriptor) in driver_rules.iter().zip(rules) {
        assert_eq!(rule["id"], descriptor.id.as_str());
        assert_eq!(rule["name"], descriptor.name.as_str());
        assert_eq!(rule["shortDescription"]["text"], descriptor.title.as_str());
        assert_eq!(rule["fullDescription"]["text"], descriptor.what.as_str());
        let help = rule["help"]["text"].as_str().unwrap();
        let markdown = rule["help"]["markdown"].as_str().unwrap();
        for reference in &descriptor.references {
            assert!(help.contains(reference.as_str()), "{help}");
            assert!(
                markdown.contains(reference.as_str().split(':').next().unwrap()),
                "{markdown}"
            );
        }
        assert_eq!(
            rule["defaultConfiguration"]["level"],
            expected_level(&descriptor.severity)
        );
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert!(tags.contains(&Value::from("security")));
        if descriptor.severity == "info" {
            assert!(rule["properties"].get("security-severity").is_none());
        } else {
            let score: f64 = rule["properties"]["security-severity"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(score > 0.0 && score <= 10.0);
        }
    }
}

#[test]
fn demo_report_matches_the_report_schema() {
    let facts = scan_demo();
    let mut out = Vec::new();
    write_json(&facts, &mut out).unwrap();
    let report: Value = serde_json::from_slice(&out).unwrap();
    validate_report(&report).unwrap();
    assert!(!facts.findings.is_empty());
}

#[test]
fn failure_records_match_the_failure_schema() {
    let record = ScanFailure::new("dir/bad \"one\".apk", "not_apk", "no AndroidManifest.xml");
    validate_failure(&serde_json::to_value(&record).unwrap()).unwrap();
    // A report is not a failure record, nor the other way round.
    let report = serde_json::to_value(scan_demo()).unwrap();
    assert!(validate_failure(&report).is_err());
    assert!(validate_report(&serde_json::to_value(&record).unwrap()).is_err());
}

#[test]
fn demo_sarif_is_valid_and_complete() {
    let facts = scan_demo();
    let rules = descriptors();
    let (_, log) = sarif_of(&facts, &rules);
    assert_valid_sarif(&log);

    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "apkscope");
    assert_eq!(driver["version"], facts.tool.version.as_str());
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );

    let driver_rules = driver["rules"].as_array().unwrap();
    assert_rules_describe(driver_rules, &rules);
    let rule_ids: Vec<&str> = driver_rules
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), facts.findings.len());
    let artifact_uri = run["artifacts"][0]["location"]["uri"].as_str().unwrap();
    assert!(artifact_uri.starts_with("file:///"), "{artifact_uri}");
    assert!(
        artifact_uri.ends_with("/fixtures/demo/demo.apk"),
        "{artifact_uri}"
    );
    assert_eq!(
        run["artifacts"][0]["hashes"]["sha-256"],
        facts.input.sha256.as_str()
    );
    assert_eq!(run["artifacts"][0]["length"], facts.input.size);
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    assert_eq!(
        run["properties"]["package"],
        facts.app.package.as_deref().unwrap()
    );
    assert_eq!(
        run["properties"]["rulePackHash"],
        facts.rule_pack.as_ref().unwrap().hash.as_str()
    );

    let mut severities = HashSet::new();
    for (result, finding) in results.iter().zip(&facts.findings) {
        let rule_id = result["ruleId"].as_str().unwrap();
        assert_eq!(rule_id, finding.rule);
        assert!(rule_ids.contains(&rule_id), "{rule_id} not in driver.rules");
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rule_ids[index], rule_id);
        assert_eq!(result["level"], expected_level(&finding.severity));
        severities.insert(finding.severity.clone());
        assert_eq!(result["message"]["text"], finding.message.as_str());
        assert_eq!(
            result["partialFingerprints"]["apkscopeFindingHash/v1"],
            finding.fingerprint.as_str()
        );
        assert!(!finding.fingerprint.is_empty());
        let location = &result["locations"][0];
        assert_eq!(
            location["physicalLocation"]["artifactLocation"]["uri"],
            artifact_uri
        );
        if let Some(class) = &finding.evidence.class {
            let logical = location["logicalLocations"].as_array().unwrap();
            assert!(
                logical
                    .iter()
                    .any(|l| l["kind"] == "type" && l["name"] == class.as_str())
            );
        }
    }
    // The demo covers several severities, so the mapping is exercised, not assumed.
    assert!(severities.len() >= 3, "{severities:?}");
}

#[test]
fn sarif_is_deterministic_and_fingerprints_are_stable() {
    let rules = descriptors();
    let (first_bytes, first) = sarif_of(&scan_demo(), &rules);
    let (second_bytes, second) = sarif_of(&scan_demo(), &rules);
    assert_eq!(fingerprints(&first), fingerprints(&second));
    assert!(!fingerprints(&first).is_empty());
    assert!(
        first_bytes == second_bytes,
        "two scans gave different SARIF bytes"
    );
}

#[test]
fn a_batch_with_a_failed_run_is_one_valid_log() {
    let facts = scan_demo();
    let mut writer = SarifWriter::new(Vec::new(), descriptors()).unwrap();
    writer.write_run(&facts).unwrap();
    writer
        .write_failed_run("inputs/broken one.apk", "not_apk", "not a zip archive")
        .unwrap();
    let out = writer.finish().unwrap();
    let log: Value = serde_json::from_slice(&out).unwrap();
    assert_valid_sarif(&log);

    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(
        runs[0]["results"].as_array().unwrap().len(),
        facts.findings.len()
    );
    let failed = &runs[1];
    let invocation = &failed["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "error");
    assert_eq!(notification["message"]["text"], "not a zip archive");
    assert_eq!(notification["properties"]["kind"], "not_apk");
    assert_eq!(notification["descriptor"]["id"], "not_apk");
    assert_eq!(
        failed["tool"]["driver"]["notifications"][0]["id"],
        "not_apk"
    );
    assert!(failed.get("results").is_none());
    assert_eq!(
        failed["artifacts"][0]["location"]["uri"],
        "inputs/broken%20one.apk"
    );
    // GitHub keeps the runs of one upload apart by category.
    assert_ne!(
        runs[0]["automationDetails"]["id"],
        failed["automationDetails"]["id"]
    );
}

#[test]
fn an_empty_batch_is_a_valid_log() {
    let writer = SarifWriter::new(Vec::new(), descriptors()).unwrap();
    let out = writer.finish().unwrap();
    let log: Value = serde_json::from_slice(&out).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(log["runs"], Value::Array(Vec::new()));

    let writer = SarifWriter::new(Vec::new(), Vec::new()).unwrap();
    let log: Value = serde_json::from_slice(&writer.finish().unwrap()).unwrap();
    assert_valid_sarif(&log);
}

const HOSTILE: &str = "a \"quoted\" <b>&amp;</b> \\ \u{0} \u{1b}[31m \n\t 名字 😀 \u{202e}";

fn hostile_facts() -> AppFacts {
    let mut facts = AppFacts::new(InputFacts {
        path: format!("/tmp/dir with spaces/{HOSTILE}#?%.apk"),
        sha256: "ab".repeat(32),
        size: 7,
    });
    facts.app.package = Some(format!("com.{HOSTILE}"));
    facts.app.label = Some(HOSTILE.to_owned());
    facts.findings.push(Finding {
        rule: "PERM001".into(),
        name: "sensitive-permission-requested".into(),
        severity: "medium".into(),
        title: HOSTILE.into(),
        message: HOSTILE.into(),
        references: vec![HOSTILE.into()],
        evidence: Evidence {
            entry: Some(HOSTILE.into()),
            permission: Some(HOSTILE.into()),
            component: Some(HOSTILE.into()),
            class: Some(format!("L{HOSTILE};")),
            method: Some(format!("L{HOSTILE};->m()V")),
            api: Some(HOSTILE.into()),
            ..Evidence::default()
        },
        fingerprint: HOSTILE.into(),
        ..Finding::default()
    });
    // A rule the descriptors do not know, with hostile metadata.
    facts.findings.push(Finding {
        rule: format!("X{HOSTILE}"),
        name: HOSTILE.into(),
        severity: "critical".into(),
        title: String::new(),
        message: String::new(),
        references: vec!["https://example.com/<x>".into(), HOSTILE.into()],
        evidence: Evidence {
            sdk: Some(HOSTILE.into()),
            packer: Some(HOSTILE.into()),
            ..Evidence::default()
        },
        fingerprint: "ff".repeat(32),
        ..Finding::default()
    });
    facts
}

#[test]
fn hostile_strings_still_give_a_valid_log() {
    let facts = hostile_facts();
    let mut rules = descriptors();
    rules.push(RuleDescriptor {
        id: format!("Y{HOSTILE}"),
        name: HOSTILE.into(),
        title: HOSTILE.into(),
        what: HOSTILE.into(),
        why: HOSTILE.into(),
        remediation: HOSTILE.into(),
        severity: "bogus".into(),
        references: vec![HOSTILE.into(), format!("https://example.com/{HOSTILE}")],
    });
    // A repeated id must not produce a duplicate rule.
    rules.push(rules[0].clone());
    let (bytes, log) = sarif_of(&facts, &rules);
    assert_valid_sarif(&log);
    assert!(std::str::from_utf8(&bytes).is_ok());
    assert!(!bytes.contains(&0x1b), "raw control characters leaked");

    let run = &log["runs"][0];
    let driver_rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(driver_rules.len(), rules.len() - 1 + 1);
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    // Strings survive the round trip unchanged.
    assert_eq!(results[0]["message"]["text"], HOSTILE);
    assert_eq!(
        results[0]["partialFingerprints"]["apkscopeFindingHash/v1"],
        HOSTILE
    );
    // The unknown rule got a minimal entry that its result points to.
    let unknown = format!("X{HOSTILE}");
    let index = usize::try_from(results[1]["ruleIndex"].as_u64().unwrap()).unwrap();
    assert_eq!(driver_rules[index]["id"], unknown.as_str());
    assert_eq!(
        driver_rules[index]["defaultConfiguration"]["level"],
        "error"
    );
    assert_eq!(results[1]["level"], "error");
    assert!(!results[1]["message"]["text"].as_str().unwrap().is_empty());

    let uri = run["artifacts"][0]["location"]["uri"].as_str().unwrap();
    assert!(uri.starts_with("file:///tmp/dir%20with%20spaces/"), "{uri}");
    assert!(
        uri.bytes().all(|b| b.is_ascii_graphic()),
        "unencoded byte in {uri}"
    );
    assert!(uri.ends_with("%23%3F%25.apk"), "{uri}");

    // The JSON report of the same facts is valid too.
    let mut out = Vec::new();
    write_json(&facts, &mut out).unwrap();
    validate_report(&serde_json::from_slice(&out).unwrap()).unwrap();

    // And a failed run with hostile path, kind and message.
    let mut writer = SarifWriter::new(Vec::new(), Vec::new()).unwrap();
    writer.write_failed_run(HOSTILE, HOSTILE, HOSTILE).unwrap();
    writer.write_failed_run("", "", "").unwrap();
    let log: Value = serde_json::from_slice(&writer.finish().unwrap()).unwrap();
    assert_valid_sarif(&log);
}

/// A finding about when code runs carries its chain as a code flow GitHub can show: one thread
/// flow, one location per hop, entry first, each a function.
#[test]
fn a_before_consent_finding_carries_its_chain_as_a_code_flow() {
    let apk = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/consent/provider-init.apk");
    let mut options = apkscope_engine::ScanOptions::default();
    options.rules = Some(pack());
    let facts = apkscope_engine::scan_path(&apk, &options).unwrap();
    let (_, log) = sarif_of(&facts, &descriptors());
    assert_valid_sarif(&log);
    let result = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "CONS001")
        .expect("a CONS001 result");
    let hops = result["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .unwrap();
    let names: Vec<&str> = hops
        .iter()
        .map(|h| {
            h["location"]["logicalLocations"][0]["name"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        names,
        [
            "Lcom/example/consent/providerinit/sdk/AutoInitProvider;->onCreate()Z",
            "Lcom/example/consent/providerinit/sdk/DeviceInfo;->androidId(Landroid/content/Context;)Ljava/lang/String;"
        ]
    );
    assert_eq!(hops[0]["executionOrder"], 1);
    assert_eq!(hops[1]["nestingLevel"], 1);
    // A finding with no chain has no code flow.
    assert!(
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ruleId"] == "MAN003")
            .all(|r| r.get("codeFlows").is_none())
    );
}
