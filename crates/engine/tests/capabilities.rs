//! Special capabilities of manifest components (`component-capability`): accessibility
//! services, notification listeners, device admins, VPN, input methods; on the behaviour
//! fixture and on real apps of the corpus.

use std::path::Path;

use apkscope_engine::{ScanOptions, scan_bytes};
use apkscope_facts::{AppFacts, Finding};

use crate::corpus;

fn scan(path: &Path) -> AppFacts {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut options = ScanOptions::default();
    options.rules = Some(crate::default_pack());
    options.verify_dex_checksums = false;
    scan_bytes(&data, &path.display().to_string(), &options).unwrap()
}

fn capability_findings(facts: &AppFacts) -> Vec<&Finding> {
    facts
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("CAP"))
        .collect()
}

#[test]
fn one_finding_per_bound_component_with_its_owner() {
    let facts = scan(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/behaviour/capabilities.apk"),
    );
    let found: Vec<(&str, &str, &str)> = capability_findings(&facts)
        .iter()
        .map(|f| {
            (
                f.rule.as_str(),
                f.evidence.component.as_deref().unwrap(),
                f.owner.as_ref().unwrap().id.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("CAP001", "com.example.behaviour.capabilities.Helper", "app"),
            (
                "CAP002",
                "com.example.behaviour.capabilities.Notifications",
                "app"
            ),
            ("CAP003", "cn.jpush.android.service.AdminReceiver", "jpush"),
            (
                "CAP005",
                "com.example.behaviour.capabilities.Keyboard",
                "app"
            ),
        ]
    );
    let admin = capability_findings(&facts)
        .into_iter()
        .find(|f| f.rule == "CAP003")
        .unwrap();
    assert_eq!(
        admin.evidence.permission.as_deref(),
        Some("android.permission.BIND_DEVICE_ADMIN")
    );
    assert!(
        admin.message.starts_with("SDK JPush declares the receiver"),
        "{}",
        admin.message
    );
    assert!(
        admin.message_zh.as_deref().unwrap().contains("设备管理") || admin.title.contains("device")
    );
}

/// Real apps: dexguard1 (an accessibility service and a device admin), a2dp.Vol (a
/// notification listener).
#[test]
fn corpus_apps_with_special_components() {
    let Some(shared) = corpus::shared_dir("special components") else {
        return;
    };
    for (path, expected) in [
        // Its device admin is also requested in code (ADD_DEVICE_ADMIN): CAP006.
        (
            "github/APKiD/dexguard1.apk",
            &["CAP001", "CAP003", "CAP006"][..],
        ),
        // It sends the user to the notification-listener settings for it: CAP006.
        (
            "github/androguard/tests/data/APK/a2dp.Vol_137.apk",
            &["CAP002", "CAP006"][..],
        ),
    ] {
        let facts = scan(&shared.join("corpus").join(path));
        let rules: Vec<&str> = capability_findings(&facts)
            .iter()
            .map(|f| f.rule.as_str())
            .collect();
        assert_eq!(rules, expected, "{path}");
    }
}

fn self_start(facts: &AppFacts) -> Vec<&Finding> {
    facts
        .findings
        .iter()
        .filter(|f| f.rule == "SELF001")
        .collect()
}

/// The demo app's boot receiver also listens for `USER_PRESENT`, which Android 8+ no longer
/// delivers to manifest receivers of an app targeting API 30: one finding, the boot named as
/// what wakes it, `USER_PRESENT` named apart.
#[test]
fn self_start_names_the_receivers_and_what_android_delivers() {
    let facts = scan(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo/demo.apk"));
    let found = self_start(&facts);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f.severity, "low");
    assert_eq!(f.owner.as_ref().unwrap().kind, "app");
    assert_eq!(
        f.evidence.component.as_deref(),
        Some("com.example.apkscope.demo.BootReceiver")
    );
    assert!(
        f.message.contains("starts itself on BOOT_COMPLETED"),
        "{}",
        f.message
    );
    assert!(f.message.contains("also USER_PRESENT"), "{}", f.message);
    // No longer keyed on the permission alone: PERM006 is retired.
    assert!(facts.findings.iter().all(|f| f.rule != "PERM006"));
}

/// jpush.apk (targetSdk 28): `JCore`'s `PushReceiver` listens for `CONNECTIVITY_CHANGE` and package
/// broadcasts, none delivered to a manifest receiver any more: an `info` finding that says so.
#[test]
fn jpush_push_receiver_is_marked_not_delivered() {
    let Some(shared) = corpus::shared_dir("self-start") else {
        return;
    };
    let facts = scan(&shared.join("corpus/sdk-apks/jpush.apk"));
    let found = self_start(&facts);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f.severity, "info");
    assert_eq!(
        f.evidence.component.as_deref(),
        Some("cn.jpush.android.service.PushReceiver")
    );
    for action in ["CONNECTIVITY_CHANGE", "PACKAGE_ADDED", "no longer deliver"] {
        assert!(f.message.contains(action), "{action}: {}", f.message);
    }
}
