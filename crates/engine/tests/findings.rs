//! Findings quality on an app built by the test kit: one finding per (owner, PI type) with all
//! its call sites, owners people recognise, and code of no known SDK grouped by package.
//!
//! The app `com.example.shop` reads the IMEI from two methods of its own code; `AndroidX`'s
//! `TelephonyManagerCompat` reads it too; and `com.zzz.collector` — a package no rule names,
//! declared as a manifest service like a real SDK would be — reads the SMS inbox, the contacts
//! and the IMEI and names an upload host.

use apkscope_engine::{ScanOptions, scan_bytes};
use apkscope_facts::{AppFacts, Finding};
use apkscope_testkit::axml::{ANDROID_NS, Attr, AttrValue, AxmlBuilder};
use apkscope_testkit::dex::{ClassSpec, DexBuilder, FieldRef, Insn, MethodRef, MethodSpec};
use apkscope_testkit::zip::ZipBuilder;

const NAME: u32 = 0x0101_0003;
const TARGET_SDK_VERSION: u32 = 0x0101_0270;
/// `invoke-virtual`.
const INVOKE_VIRTUAL: u8 = 0x6e;
/// `sget-object`.
const SGET_OBJECT: u8 = 0x62;

const PERMISSIONS: [&str; 3] = [
    "android.permission.READ_PHONE_STATE",
    "android.permission.READ_SMS",
    "android.permission.READ_CONTACTS",
];

fn manifest(permissions: &[&str]) -> Vec<u8> {
    let named = |name: &str| vec![Attr::android("name", NAME, AttrValue::str(name))];
    let mut b = AxmlBuilder::new()
        .ns("android", ANDROID_NS)
        .start(
            "manifest",
            vec![Attr::plain("package", AttrValue::str("com.example.shop"))],
        )
        .start(
            "uses-sdk",
            vec![Attr::android(
                "targetSdkVersion",
                TARGET_SDK_VERSION,
                AttrValue::int(28),
            )],
        )
        .end("uses-sdk");
    for p in permissions {
        b = b.start("uses-permission", named(p)).end("uses-permission");
    }
    b.start("application", named("com.example.shop.ShopApp"))
        .start("activity", named(".MainActivity"))
        .end("activity")
        // A component of an unknown package does not make that package the app's own.
        .start("service", named("com.zzz.collector.CollectService"))
        .end("service")
        .end("application")
        .end("manifest")
        .end_ns("android", ANDROID_NS)
        .build()
}

fn get_device_id() -> Insn {
    Insn::invoke(
        INVOKE_VIRTUAL,
        &[0],
        MethodRef::new(
            "Landroid/telephony/TelephonyManager;",
            "getDeviceId",
            "Ljava/lang/String;",
            &[],
        ),
    )
}

fn method(name: &str, insns: Vec<Insn>) -> MethodSpec {
    let mut insns = insns;
    insns.push(Insn::return_void());
    MethodSpec::new(name, "V", &[])
        .access(0x9)
        .code(2, 0, 1, insns)
}

fn dex() -> Vec<u8> {
    DexBuilder::new()
        .class(
            ClassSpec::new("Lcom/example/shop/ShopApp;")
                .direct_method(method("onLogin", vec![get_device_id()]))
                .direct_method(method("onPay", vec![get_device_id()])),
        )
        .class(ClassSpec::new("Lcom/example/shop/MainActivity;"))
        .class(
            ClassSpec::new("Landroidx/core/telephony/TelephonyManagerCompat;")
                .direct_method(method("getImei", vec![get_device_id()])),
        )
        .class(
            ClassSpec::new("Lcom/zzz/collector/Reporter;")
                .direct_method(method(
                    "sms",
                    vec![Insn::const_string(0, "content://sms/inbox")],
                ))
                .direct_method(method(
                    "contacts",
                    vec![Insn::sfield(
                        SGET_OBJECT,
                        0,
                        FieldRef::new(
                            "Landroid/provider/ContactsContract$Contacts;",
                            "CONTENT_URI",
                            "Landroid/net/Uri;",
                        ),
                    )],
                ))
                .direct_method(method("device", vec![get_device_id()])),
        )
        .class(
            ClassSpec::new("Lcom/zzz/collector/CollectService;").direct_method(method(
                "upload",
                vec![Insn::const_string(0, "https://c.zzz-collect.net/v1/upload")],
            )),
        )
        .build()
}

fn scan(permissions: &[&str]) -> AppFacts {
    let apk = ZipBuilder::new()
        .deflated("AndroidManifest.xml", manifest(permissions))
        .deflated("classes.dex", dex())
        .build();
    let mut options = ScanOptions::default();
    options.rules = Some(crate::default_pack());
    scan_bytes(&apk, "shop.apk", &options).unwrap()
}

/// Findings of the `pi-api-used` checks (`API*`); the `before-consent` ones (`CONS*`) carry a
/// type too, but they are about when, not what.
fn pi_findings(facts: &AppFacts) -> Vec<&Finding> {
    facts
        .findings
        .iter()
        .filter(|f| f.pi_type.is_some() && f.rule.starts_with("API"))
        .collect()
}

#[test]
fn unknown_collector_is_one_component_with_its_types_and_hosts() {
    let facts = scan(&PERMISSIONS);
    assert_eq!(facts.unknown_components.len(), 1, "{facts:#?}");
    let collector = &facts.unknown_components[0];
    assert_eq!(collector.package, "com.zzz.collector");
    assert_eq!(collector.classes, 2);
    assert_eq!(collector.pi_types, ["contacts", "imei", "sms"]);
    assert_eq!(collector.hosts, ["c.zzz-collect.net"]);
    assert!(
        collector
            .examples
            .iter()
            .all(|e| e.class == "Lcom/zzz/collector/Reporter;")
    );
}

#[test]
fn one_finding_per_owner_and_type_with_every_site() {
    let facts = scan(&PERMISSIONS);
    let findings = pi_findings(&facts);
    let keys: Vec<(&str, &str, &str, &str)> = findings
        .iter()
        .map(|f| {
            let owner = f.owner.as_ref().unwrap();
            (
                f.rule.as_str(),
                owner.kind.as_str(),
                owner.id.as_str(),
                f.pi_type.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            ("API002", "app", "app", "imei"),
            ("API009", "unattributed", "com.zzz.collector", "contacts"),
            ("API009", "unattributed", "com.zzz.collector", "imei"),
            ("API009", "unattributed", "com.zzz.collector", "sms"),
        ],
        "{findings:#?}"
    );
    // The app's two reads are one finding carrying both sites.
    let app = findings.iter().find(|f| f.rule == "API002").unwrap();
    assert_eq!(app.sites, Some(2));
    let methods: Vec<&str> = app.locations.iter().map(|l| l.method.as_str()).collect();
    assert_eq!(methods.len(), 2, "{:?}", app.locations);
    assert!(methods.iter().any(|m| m.contains("onLogin")), "{methods:?}");
    assert!(methods.iter().any(|m| m.contains("onPay")), "{methods:?}");
    // The IMEI is an unchangeable identifier: high when it runs; the code alone is one level
    // lower, with the reason.
    assert_eq!(app.confidence.as_deref(), Some("capability"));
    assert_eq!(app.severity, "medium");
    let reason = app.severity_reason.as_deref().unwrap();
    assert!(reason.contains("cannot change"), "{reason}");
    assert!(reason.contains("one level lower"), "{reason}");
    assert!(
        app.severity_reason_zh
            .as_deref()
            .unwrap()
            .contains("降低一级")
    );
    assert!(
        app.message_zh
            .as_deref()
            .unwrap()
            .starts_with("应用自身代码收集设备识别码")
    );
    // Fingerprints name the fact, so each is distinct.
    let mut prints: Vec<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
    prints.sort_unstable();
    prints.dedup();
    assert_eq!(prints.len(), findings.len());
}

#[test]
fn platform_library_code_is_owned_by_the_library_and_not_a_finding() {
    let facts = scan(&PERMISSIONS);
    let androidx = facts
        .pi_access
        .iter()
        .flat_map(|a| a.examples.iter().map(move |e| (a, e)))
        .find(|(_, e)| e.class.starts_with("Landroidx/"))
        .map(|(a, _)| a)
        .unwrap();
    assert_eq!(androidx.owner, "platform-library", "{androidx:?}");
    assert_eq!(androidx.by, "androidx", "{androidx:?}");
    assert!(pi_findings(&facts).iter().all(|f| {
        f.locations
            .iter()
            .all(|l| !l.class.starts_with("Landroidx/"))
    }),);
}

#[test]
fn a_read_whose_permission_is_not_requested_is_blocked_and_graded_down() {
    // READ_SMS and READ_CONTACTS requested, READ_PHONE_STATE not: the IMEI reads cannot succeed.
    let facts = scan(&PERMISSIONS[1..]);
    let app = facts
        .findings
        .iter()
        .find(|f| f.rule == "API002" && f.pi_type.as_deref() == Some("imei"))
        .unwrap();
    assert_eq!(app.confidence.as_deref(), Some("blocked"));
    assert_ne!(app.severity, "high");
    let sms = facts
        .findings
        .iter()
        .find(|f| f.rule == "API009" && f.pi_type.as_deref() == Some("sms"))
        .unwrap();
    assert_eq!(sms.confidence.as_deref(), Some("capability"));
}

/// Scans a corpus APK (`../shared/corpus/<path>`), or says why not.
fn corpus_scan(path: &str) -> Option<AppFacts> {
    let shared = crate::corpus::shared_dir(path)?;
    let data = std::fs::read(shared.join("corpus").join(path)).unwrap();
    let mut options = ScanOptions::default();
    options.rules = Some(crate::default_pack());
    options.verify_dex_checksums = false;
    Some(scan_bytes(&data, path, &options).unwrap())
}

/// `jpush.apk` (the `JPush` and `JCore` SDKs around a host app): one finding per owner and type, at most
/// 18, carrying every call site of every personal-information API the SDKs use.
#[test]
fn jpush_has_one_finding_per_owner_and_type() {
    let Some(facts) = corpus_scan("sdk-apks/jpush.apk") else {
        return;
    };
    let findings = pi_findings(&facts);
    assert!(
        (1..=18).contains(&findings.len()),
        "{} PI findings",
        findings.len()
    );
    // Every call site in `pi_access` of a personal type is counted by exactly one finding.
    for access in &facts.pi_access {
        let personal = facts.pi_types.iter().any(|t| t.id == access.pi_type)
            && access.pi_type != "network-state";
        if !personal {
            continue;
        }
        let carrying: Vec<&&Finding> = findings
            .iter()
            .filter(|f| {
                f.pi_type.as_deref() == Some(access.pi_type.as_str())
                    && f.owner.as_ref().is_some_and(|o| o.id == access.by)
                    && f.apis.contains(&access.signature)
            })
            .collect();
        assert_eq!(carrying.len(), 1, "{access:?}");
    }
    let sites: u64 = findings.iter().filter_map(|f| f.sites).sum();
    let accessed: u64 = facts
        .pi_access
        .iter()
        .filter(|a| a.pi_type != "network-state" && a.owner == "sdk")
        .map(|a| a.sites)
        .sum();
    assert_eq!(sites, accessed);
    assert!(
        facts
            .findings
            .iter()
            .all(|f| f.pi_type.as_deref() != Some("network-state"))
    );
}

/// instapaper (Exodus' test app): Facebook and Firebase code is never the app's own, `AndroidX`
/// code is the platform library's, and Firebase's public `google_api_key` is no secret finding.
#[test]
fn instapaper_owners_are_the_ones_people_recognise() {
    let Some(facts) = corpus_scan("github/exodus-core/apks/instapaper.apk") else {
        return;
    };
    for f in &facts.findings {
        let Some(owner) = &f.owner else { continue };
        if owner.kind == "app" {
            assert!(
                f.locations.iter().all(|l| {
                    !l.class.starts_with("Lcom/facebook/")
                        && !l.class.starts_with("Lcom/google/firebase/")
                }),
                "{f:#?}"
            );
        }
    }
    for a in &facts.pi_access {
        for e in &a.examples {
            if e.class.starts_with("Landroidx/") || e.class.starts_with("Landroid/support/") {
                assert_eq!(a.owner, "platform-library", "{a:?}");
            }
            if e.class.starts_with("Lcom/facebook/") || e.class.starts_with("Lcom/google/firebase/")
            {
                assert_ne!(a.owner, "app", "{a:?}");
            }
        }
    }
    assert!(
        facts
            .findings
            .iter()
            .filter(|f| f.severity == "high" || f.severity == "critical")
            .all(|f| f.rule != "SEC001" && f.pi_type.as_deref() != Some("network-state")),
        "{:#?}",
        facts.findings
    );
    let google_key = facts
        .network
        .secrets
        .iter()
        .find(|s| s.id == "google-api-key");
    assert!(google_key.is_none_or(|s| s.public), "{google_key:?}");
}
