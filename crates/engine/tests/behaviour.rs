//! Behaviour (`behaviour` facts and the `permission-request`, `associated-start` and
//! `registered-receiver` checks): the arguments rebuilt from the code's constants, on the
//! behaviour fixtures, the SDK APKs and real apps of the corpus.

use std::path::Path;

use apkscope_engine::{ScanOptions, scan_bytes};
use apkscope_facts::{AppFacts, Finding, PermissionRequestFacts};

use crate::corpus;

fn scan_with(path: &Path, call_graph: bool) -> AppFacts {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut options = ScanOptions::default();
    options.rules = Some(crate::default_pack());
    options.verify_dex_checksums = false;
    options.call_graph = call_graph;
    scan_bytes(&data, &path.display().to_string(), &options).unwrap()
}

fn fixture(name: &str) -> AppFacts {
    scan_with(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../fixtures/behaviour/{name}")),
        true,
    )
}

fn rules<'f>(facts: &'f AppFacts, prefix: &str) -> Vec<&'f Finding> {
    facts
        .findings
        .iter()
        .filter(|f| f.rule.starts_with(prefix))
        .collect()
}

fn request<'f>(facts: &'f AppFacts, method: &str) -> &'f PermissionRequestFacts {
    facts
        .behaviour
        .permission_requests
        .iter()
        .find(|r| r.site.method.contains(method))
        .unwrap_or_else(|| panic!("no request in {method}: {:#?}", facts.behaviour))
}

#[test]
fn permission_requests_are_rebuilt_with_their_lifecycle_owner_and_trigger() {
    let facts = fixture("requests.apk");
    let main = request(&facts, "MainActivity;->onCreate");
    assert_eq!(
        main.permissions,
        [
            "android.permission.READ_PHONE_STATE",
            "android.permission.ACCESS_FINE_LOCATION",
            "android.permission.WRITE_EXTERNAL_STORAGE"
        ]
    );
    assert!(main.complete);
    assert_eq!(main.groups, ["location", "phone", "storage"]);
    assert_eq!(main.lifecycle.as_deref(), Some("onCreate"));
    assert_eq!(main.site.owner.kind, "app");
    assert_eq!(main.site.grade.as_deref(), Some("on-launch"));
    assert!(!main.site.chain.is_empty());
    assert_eq!(
        main.site.api,
        "Landroidx/core/app/ActivityCompat;->requestPermissions(Landroid/app/Activity;[Ljava/lang/String;I)V"
    );
    // A static final array from a class initialiser, through RxPermissions.
    let rx = facts
        .behaviour
        .permission_requests
        .iter()
        .find(|r| r.library.as_deref() == Some("RxPermissions"))
        .unwrap();
    assert_eq!(
        rx.permissions,
        [
            "android.permission.READ_CONTACTS",
            "android.permission.WRITE_CONTACTS"
        ]
    );
    // Every wrapper library, each recognised once.
    let mut libraries: Vec<&str> = facts
        .behaviour
        .permission_requests
        .iter()
        .filter_map(|r| r.library.as_deref())
        .collect();
    libraries.sort_unstable();
    assert_eq!(
        libraries,
        [
            "Dexter",
            "EasyPermissions",
            "PermissionX",
            "RxPermissions",
            "XXPermissions"
        ]
    );
    // XXPermissions' chained permission() calls are one request.
    let xx = facts
        .behaviour
        .permission_requests
        .iter()
        .find(|r| r.library.as_deref() == Some("XXPermissions"))
        .unwrap();
    assert_eq!(
        xx.permissions,
        [
            "android.permission.CAMERA",
            "android.permission.RECORD_AUDIO"
        ]
    );
}

#[test]
fn request_findings_one_per_fact() {
    let facts = fixture("requests.apk");
    let found: Vec<(&str, &str)> = rules(&facts, "PREQ")
        .iter()
        .map(|f| (f.rule.as_str(), f.evidence.method.as_deref().unwrap()))
        .collect();
    let has =
        |rule: &str, method: &str| found.iter().any(|(r, m)| *r == rule && m.contains(method));
    assert!(has("PREQ001", "MainActivity;->onCreate"), "{found:#?}");
    assert!(has("PREQ001", "WrappersActivity;->onCreate"), "{found:#?}");
    assert!(has("PREQ002", "MainActivity;->onCreate"), "{found:#?}");
    assert!(has("PREQ003", "CameraActivity;->onResume"), "{found:#?}");
    assert!(
        has("PREQ004", "cn/jpush/android/ui/PermissionActivity"),
        "{found:#?}"
    );
    assert!(
        has("PREQ005", "MainActivity;->onRequestPermissionsResult"),
        "{found:#?}"
    );
    // Only the launcher's request runs before any user action; the wrappers' activity is a
    // component the user opens.
    assert_eq!(found.iter().filter(|(r, _)| *r == "PREQ002").count(), 1);
    let early = rules(&facts, "PREQ002")[0];
    assert!(!early.chain.is_empty(), "the chain is the evidence");
    let sdk = rules(&facts, "PREQ004")[0];
    assert_eq!(sdk.owner.as_ref().unwrap().id, "jpush");
    // Fingerprints are distinct: one finding per fact.
    let mut prints: Vec<&str> = facts
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    prints.sort_unstable();
    let before = prints.len();
    prints.dedup();
    assert_eq!(before, prints.len());
}

#[test]
fn a_request_from_a_click_only_is_not_a_finding() {
    let facts = fixture("onclick.apk");
    let r = request(&facts, "MainActivity$1;->onClick");
    assert_eq!(r.permissions, ["android.permission.CAMERA"]);
    assert_eq!(r.site.triggers, ["user"]);
    assert!(
        rules(&facts, "PREQ").is_empty(),
        "{:#?}",
        rules(&facts, "PREQ")
    );
}

/// Without the call graph, the launcher activity's lifecycle methods still count as early.
#[test]
fn early_requests_without_the_call_graph() {
    let facts = scan_with(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/behaviour/requests.apk"),
        false,
    );
    let early: Vec<&str> = rules(&facts, "PREQ002")
        .iter()
        .filter_map(|f| f.evidence.method.as_deref())
        .collect();
    assert_eq!(early.len(), 1, "{early:?}");
    assert!(early[0].contains("MainActivity;->onCreate"));
}

#[test]
fn associated_start_names_targets_and_how_they_are_chosen() {
    let facts = fixture("wake.apk");
    let starts = &facts.behaviour.associated_starts;
    let named = starts.iter().find(|s| s.how == "start-service").unwrap();
    assert_eq!(named.target, "constant");
    assert_eq!(named.package.as_deref(), Some("com.other.app"));
    assert_eq!(named.class.as_deref(), Some("com.other.app.PushService"));
    let installed = starts.iter().find(|s| s.how == "send-broadcast").unwrap();
    assert_eq!(installed.target, "installed-apps");
    assert_eq!(installed.query.as_deref(), Some("getInstalledPackages"));
    let provider = starts.iter().find(|s| s.how == "provider-call").unwrap();
    assert_eq!(
        provider.uri.as_deref(),
        Some("content://com.other.app.provider/wake")
    );
    let found = rules(&facts, "ASSOC001");
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f.confidence.as_deref(), Some("high"));
    assert!(
        f.message
            .contains("com.other.app/com.other.app.PushService"),
        "{}",
        f.message
    );
    assert!(f.message.contains("getInstalledPackages"), "{}", f.message);
    // The partner app opened on a click and the Play Store (a system app) are in the facts,
    // not in the finding.
    assert!(
        starts
            .iter()
            .any(|s| s.package.as_deref() == Some("com.example.partner"))
    );
    assert!(!f.message.contains("com.example.partner"), "{}", f.message);
    assert!(!f.message.contains("com.android.vending"), "{}", f.message);

    let inbound = rules(&facts, "ASSOC002");
    assert_eq!(inbound.len(), 1);
    assert_eq!(
        inbound[0].evidence.component.as_deref(),
        Some("cn.jpush.android.service.DActivity")
    );
    let receivers = rules(&facts, "SELF002");
    assert_eq!(receivers.len(), 1);
    assert!(
        receivers[0].message.contains("USER_PRESENT"),
        "{}",
        receivers[0].message
    );
}

/// `jpush.apk`: `JCore`'s wake routine (a loop over wake targets: `ComponentName` →
/// `setComponent` → `startService` / `bindService`, then the targets' `content://` URIs), the
/// exported wake activity, and the receivers it registers in code.
#[test]
fn jpush_wake_routine_and_wake_activity() {
    let Some(shared) = corpus::shared_dir("jpush wake") else {
        return;
    };
    let facts = scan_with(&shared.join("corpus/sdk-apks/jpush.apk"), true);
    let wake: Vec<(&str, &str)> = facts
        .behaviour
        .associated_starts
        .iter()
        .filter(|s| {
            s.site
                .method
                .starts_with("Lcn/jiguang/ar/a;->a(Landroid/content/Context;Ljava/util/List;)")
        })
        .map(|s| (s.how.as_str(), s.target.as_str()))
        .collect();
    for how in ["start-service", "bind-service", "provider-call"] {
        assert!(wake.contains(&(how, "list")), "{how}: {wake:?}");
    }
    let jcore = rules(&facts, "ASSOC001")
        .into_iter()
        .find(|f| f.owner.as_ref().is_some_and(|o| o.id == "jcore"))
        .expect("JCore's associated start");
    assert_eq!(jcore.confidence.as_deref(), Some("medium"));
    let inbound = rules(&facts, "ASSOC002");
    assert_eq!(inbound.len(), 1);
    assert_eq!(
        inbound[0].evidence.component.as_deref(),
        Some("cn.jpush.android.service.DActivity")
    );
    // JCore registers for screen and package broadcasts in code.
    let registered = rules(&facts, "SELF002");
    assert!(
        registered.iter().any(|f| f.message.contains("SCREEN_ON")),
        "{registered:#?}"
    );
}

/// Real apps: a2dp.Vol's permission-result callback finishes the activity (a lead); dexguard1
/// registers for `USER_PRESENT` in code; no app of the corpus gets an associated-start
/// finding for opening a system app.
#[test]
fn corpus_apps() {
    let Some(shared) = corpus::shared_dir("behaviour") else {
        return;
    };
    let a2dp = scan_with(
        &shared.join("corpus/github/androguard/tests/data/APK/a2dp.Vol_137.apk"),
        true,
    );
    assert_eq!(rules(&a2dp, "PREQ005").len(), 1);
    let dexguard = scan_with(&shared.join("corpus/github/APKiD/dexguard1.apk"), true);
    assert!(
        rules(&dexguard, "SELF002")
            .iter()
            .any(|f| f.message.contains("USER_PRESENT")),
        "{:#?}",
        rules(&dexguard, "SELF002")
    );
    let xposed = scan_with(
        &shared.join("corpus/github/MobSF/mobsf/DynamicAnalyzer/tools/onDevice/xposed/XposedInstaller_3.1.5.apk"),
        true,
    );
    assert!(
        xposed
            .behaviour
            .associated_starts
            .iter()
            .any(|s| s.package.as_deref() == Some("com.android.vending"))
    );
    assert!(rules(&xposed, "ASSOC001").is_empty());
}

/// The API table's gaps: contacts read only through `PhoneLookup` count (and use
/// `READ_CONTACTS`), received SMS count, a sent SMS and a calendar insert intent read nothing,
/// and named apps probed are listed.
#[test]
fn api_gaps_and_package_probes() {
    let facts = fixture("apis.apk");
    let mut read: Vec<(&str, &str)> = facts
        .pi_access
        .iter()
        .map(|a| (a.api.as_str(), a.pi_type.as_str()))
        .collect();
    read.sort_unstable();
    assert_eq!(
        read,
        [
            ("contacts-phone-lookup-filter-uri", "contacts"),
            ("microphone-media-recorder-set-audio-source", "microphone"),
            ("sms-receive-messages-from-intent", "sms"),
        ]
    );
    for name in [
        "android.permission.READ_CONTACTS",
        "android.permission.RECEIVE_SMS",
        "android.permission.SEND_SMS",
    ] {
        let p = facts
            .permissions
            .requested
            .iter()
            .find(|p| p.name == name)
            .unwrap();
        assert_eq!(p.used, Some(true), "{name}");
    }
    assert!(facts.pi_access.iter().all(|a| a.pi_type != "calendar"));
    let probed: Vec<&str> = facts
        .behaviour
        .package_probes
        .iter()
        .flat_map(|p| p.packages.iter().map(String::as_str))
        .collect();
    assert_eq!(probed, ["com.tencent.mm", "com.eg.android.AlipayGphone"]);
    // Sending an SMS is its own behaviour, not an SMS read.
    let sent: Vec<&str> = facts
        .behaviour
        .sms_sends
        .iter()
        .flat_map(|s| s.destinations.iter().map(String::as_str))
        .collect();
    assert_eq!(sent, ["10086"]);
    assert_eq!(rules(&facts, "SMS001").len(), 1);
    let settings: Vec<&str> = facts
        .behaviour
        .settings_intents
        .iter()
        .map(|s| s.action.as_str())
        .collect();
    assert_eq!(
        settings,
        ["android.settings.action.MANAGE_OVERLAY_PERMISSION"]
    );
    assert_eq!(rules(&facts, "CAP006").len(), 1);
    // A service recording audio with no foregroundServiceType.
    let capture: Vec<(&str, &str)> = facts
        .behaviour
        .background_capture
        .iter()
        .map(|b| (b.service.as_str(), b.pi_type.as_str()))
        .collect();
    assert_eq!(
        capture,
        [("com.example.behaviour.apis.RecorderService", "microphone")]
    );
    assert_eq!(rules(&facts, "BG001").len(), 1);
    let probe = rules(&facts, "PROBE001");
    assert_eq!(probe.len(), 1);
    assert!(
        probe[0].message.contains("2 named apps are installed"),
        "{}",
        probe[0].message
    );
}

#[test]
fn keep_alive_mechanisms_with_their_evidence() {
    let facts = fixture("wake.apk");
    let mut found: Vec<(&str, Option<&str>, Option<&str>)> = facts
        .behaviour
        .keep_alive
        .iter()
        .map(|k| {
            (
                k.mechanism.as_str(),
                k.component.as_deref(),
                k.detail.as_deref(),
            )
        })
        .collect();
    found.sort_unstable();
    assert_eq!(
        found,
        [
            (
                "extra-process",
                Some("com.example.behaviour.wake.SyncService"),
                Some(":sync")
            ),
            ("foreground-from-receiver", None, None),
            (
                "repeating-schedule",
                None,
                Some("android.app.AlarmManager.setRepeating()")
            ),
            (
                "restarting-service",
                Some("com.example.behaviour.wake.KeepService"),
                Some("START_STICKY")
            ),
            (
                "sync-adapter",
                Some("com.example.behaviour.wake.SyncService"),
                None
            ),
        ]
    );
    let keep = rules(&facts, "KEEP001");
    assert_eq!(keep.len(), 1, "one finding per owner: {keep:#?}");
    assert_eq!(keep[0].severity, "low");
    assert!(
        keep[0].message.contains("START_STICKY"),
        "{}",
        keep[0].message
    );
    assert!(rules(&fixture("onclick.apk"), "KEEP001").is_empty());
}
