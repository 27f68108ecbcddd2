//! Network facts: the fixture APK (`fixtures/network`) and built edge cases (unresolvable
//! config, hostile config bytes, thousands of URLs).

use std::path::Path;

use apkscope_engine::{ScanOptions, scan_bytes, scan_path};
use apkscope_facts::AppFacts;
use apkscope_testkit::axml::{ANDROID_NS, ArscBuilder, Attr, AttrValue, AxmlBuilder};
use apkscope_testkit::zip::ZipBuilder;

const NETWORK_SECURITY_CONFIG: u32 = 0x0101_0527;

fn options() -> ScanOptions {
    let mut options = ScanOptions::default();
    options.rules = Some(crate::default_pack());
    options
}

fn fixture() -> AppFacts {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/network/network.apk");
    scan_path(&path, &options()).unwrap()
}

fn rules(facts: &AppFacts) -> Vec<&str> {
    facts.findings.iter().map(|f| f.rule.as_str()).collect()
}

#[test]
fn fixture_security_config_is_resolved_and_read() {
    let facts = fixture();
    let net = &facts.network;
    let config = net.security_config.as_ref().unwrap();
    assert_eq!(config.reference, "@xml/network_security_config");
    assert_eq!(
        config.entry.as_deref(),
        Some("res/xml/network_security_config.xml")
    );
    assert_eq!(config.problem, None);
    let base = config.base_config.as_ref().unwrap();
    assert_eq!(base.cleartext_permitted, Some(false));
    assert_eq!(base.trust_anchors[0].src, "system");
    assert_eq!(config.domain_configs.len(), 2);
    let legacy = &config.domain_configs[0];
    assert_eq!(legacy.domains[0].name, "legacy.example.com");
    assert!(legacy.domains[0].include_subdomains);
    assert_eq!(legacy.trust_anchors[0].src, "user");
    let pins = config.domain_configs[1].pin_set.as_ref().unwrap();
    assert_eq!(pins.expiration.as_deref(), Some("2020-01-01"));
    assert_eq!(pins.pins.len(), 2);
    assert_eq!(pins.pins[0].digest, "SHA-256");
    assert!(config.debug_overrides.is_some());
    assert!(!net.cleartext.permitted);
    assert_eq!(net.cleartext.decided_by, "network-security-config");
    assert_eq!(net.cleartext.domains, ["legacy.example.com"]);
    assert!(net.user_certs_trusted);
}

#[test]
fn fixture_endpoints_are_attributed_and_namespaces_skipped() {
    let facts = fixture();
    let endpoints = &facts.network.endpoints;
    let find = |v: &str| endpoints.iter().find(|e| e.value == v).unwrap();
    let jpush = find("https://api.jpush.cn/v3/push");
    assert_eq!(jpush.by, ["jpush"]);
    assert_eq!(
        jpush.sources,
        ["classes.dex Lcn/jpush/android/api/JPushInterface;"]
    );
    assert_eq!(find("tsis.jpush.cn").kind, "host");
    let app = find("http://legacy.example.com/login?u=1");
    assert_eq!(app.by, ["app"]);
    assert_eq!(app.host, "legacy.example.com");
    assert_eq!(find("10.20.30.40").kind, "ip");
    assert_eq!(
        find("https://api.example.com/v2/").sources,
        ["resources @string/api_base"]
    );
    assert!(
        endpoints
            .iter()
            .all(|e| !e.host.contains("schemas.android.com") && !e.host.contains("w3.org")),
        "{endpoints:#?}"
    );
    assert_eq!(facts.network.endpoints_truncated, 0);
}

#[test]
fn fixture_secrets_are_masked_and_findings_raised() {
    let facts = fixture();
    let secrets = &facts.network.secrets;
    let ids: Vec<&str> = secrets.iter().map(|s| s.id.as_str()).collect();
    for id in [
        "aws-access-key-id",
        "google-api-key",
        "aliyun-access-key-id",
        "jpush-app-key",
        "amap-api-key",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    // The unfilled ${UMENG_APPKEY} placeholder is no key.
    assert!(!ids.contains(&"umeng-app-key"));
    // App keys and Firebase's resource key are public identifiers; the push secret is not.
    let public = |id: &str| secrets.iter().find(|s| s.id == id).unwrap().public;
    assert!(public("jpush-app-key"));
    assert!(public("amap-api-key"));
    assert!(public("google-api-key"));
    assert!(!public("umeng-message-secret"));
    assert!(!public("aws-access-key-id"));
    let aws = secrets
        .iter()
        .find(|s| s.id == "aws-access-key-id")
        .unwrap();
    assert_eq!(aws.masked, "AKIA…PD");
    assert_eq!(aws.location, "resources @string/aws_key_id");
    let aliyun = secrets
        .iter()
        .find(|s| s.id == "aliyun-access-key-id")
        .unwrap();
    assert_eq!(
        aliyun.location,
        "classes.dex Lcom/example/nettest/MainActivity;"
    );
    assert_eq!(aliyun.by, "app");
    // No full value in the network facts (manifest meta-data values stay in `manifest`, as
    // the manifest says them).
    let json = serde_json::to_string(&facts.network).unwrap();
    for full in [
        "AKIA4QZ7R2MJ8WKV3NPD",
        "AIzaSyFAKE-FAKE_FAKE0123456789abcdefghi",
        "LTAIabcdefghijkl1234",
        "0123456789abcdef01234567",
    ] {
        assert!(!json.contains(full), "{full} leaked");
    }
    let rules = rules(&facts);
    for rule in ["NET002", "NET003", "NET004", "NET005", "SEC001", "SEC002"] {
        assert!(rules.contains(&rule), "{rule} missing from {rules:?}");
    }
    assert!(!rules.contains(&"NET001"));
    assert!(!rules.contains(&"NET006"));
    // One SEC001 per live cloud key (AWS in resources, Aliyun in code), none for the public
    // Google key; one SEC002 for the push secret, none for the app keys.
    assert_eq!(rules.iter().filter(|r| **r == "SEC001").count(), 2);
    assert_eq!(rules.iter().filter(|r| **r == "SEC002").count(), 1);
}

/// A manifest whose application names `@xml/nsc` (resource `nsc_id`), target SDK `target`.
fn manifest(nsc_id: Option<u32>, target: i32) -> Vec<u8> {
    let mut app = vec![];
    if let Some(id) = nsc_id {
        app.push(Attr::android(
            "networkSecurityConfig",
            NETWORK_SECURITY_CONFIG,
            AttrValue::reference(id),
        ));
    }
    AxmlBuilder::new()
        .ns("android", ANDROID_NS)
        .start(
            "manifest",
            vec![Attr::plain("package", AttrValue::str("com.example.net"))],
        )
        .start(
            "uses-sdk",
            vec![Attr::android(
                "targetSdkVersion",
                0x0101_0270,
                AttrValue::int(target),
            )],
        )
        .end("uses-sdk")
        .start("application", app)
        .end("application")
        .end("manifest")
        .end_ns("android", ANDROID_NS)
        .build()
}

#[test]
fn a_missing_config_file_is_a_problem_and_an_anomaly() {
    let mut arsc = ArscBuilder::new("com.example.net", 0x7f);
    let id = arsc.xml("nsc", "res/xml/nsc.xml");
    let apk = ZipBuilder::new()
        .stored("AndroidManifest.xml", manifest(Some(id), 30))
        .stored("resources.arsc", arsc.build())
        .build();
    let facts = scan_bytes(&apk, "missing.apk", &options()).unwrap();
    let config = facts.network.security_config.as_ref().unwrap();
    assert_eq!(config.entry.as_deref(), Some("res/xml/nsc.xml"));
    assert!(
        config
            .problem
            .as_deref()
            .unwrap()
            .contains("not in the APK")
    );
    assert!(
        facts
            .anomalies
            .iter()
            .any(|a| a.kind == "network_security_config_unreadable")
    );
    assert!(rules(&facts).contains(&"NET006"));
    // An unreadable config decides nothing: the target SDK's default (30: no cleartext).
    assert!(!facts.network.cleartext.permitted);
    assert_eq!(facts.network.cleartext.decided_by, "default");
}

#[test]
fn hostile_config_bytes_do_not_stop_the_scan() {
    let mut arsc = ArscBuilder::new("com.example.net", 0x7f);
    let id = arsc.xml("nsc", "res/xml/nsc.xml");
    for garbage in [&b""[..], b"\x03\x00\x08\x00", &[0xff; 64][..]] {
        let apk = ZipBuilder::new()
            .stored("AndroidManifest.xml", manifest(Some(id), 27))
            .stored("resources.arsc", arsc.build())
            .stored("res/xml/nsc.xml", garbage)
            .build();
        let facts = scan_bytes(&apk, "hostile.apk", &options()).unwrap();
        let config = facts.network.security_config.as_ref().unwrap();
        assert!(config.problem.is_some());
        // Target 27: cleartext allowed by default.
        assert!(facts.network.cleartext.permitted);
        assert!(rules(&facts).contains(&"NET001"));
    }
}

#[test]
fn no_config_follows_the_manifest_and_target_defaults() {
    let apk = ZipBuilder::new()
        .stored("AndroidManifest.xml", manifest(None, 23))
        .build();
    let facts = scan_bytes(&apk, "plain.apk", &options()).unwrap();
    assert!(facts.network.security_config.is_none());
    assert!(facts.network.cleartext.permitted);
    // Below API 24 user CAs are trusted by default.
    assert!(facts.network.user_certs_trusted);
}

/// Sixteen characters of AWS's key alphabet that look random (a key made of a counter has too
/// little entropy and is rightly taken for a placeholder), distinct for each `seed`.
fn random_looking_key(seed: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1);
    (0..16)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(ALPHABET[usize::try_from(state % 32).unwrap()])
        })
        .collect()
}

#[test]
fn thousands_of_urls_are_capped_with_a_count() {
    let mut arsc = ArscBuilder::new("com.example.net", 0x7f);
    for i in 0..3000 {
        arsc.string(
            &format!("u{i}"),
            &format!("https://h{i}.example.com/p AKIA{}", random_looking_key(i)),
        );
    }
    let apk = ZipBuilder::new()
        .stored("AndroidManifest.xml", manifest(None, 30))
        .stored("resources.arsc", arsc.build())
        .build();
    let facts = scan_bytes(&apk, "many.apk", &options()).unwrap();
    let net = &facts.network;
    assert_eq!(net.endpoints.len(), 500);
    assert_eq!(net.endpoints_truncated, 2500);
    assert_eq!(net.secrets.len(), 200);
    assert_eq!(net.secrets_truncated, 2800);
    let mut sorted = net.endpoints.clone();
    sorted.sort_by(|a, b| a.value.cmp(&b.value));
    assert_eq!(sorted, net.endpoints);
}
