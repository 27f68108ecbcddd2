//! Every matcher of the compiled pack.

use std::time::Instant;

use apkscope_rules::{
    ApiKind, CheckParams, CompiledPack, Pack, PiType, SdkId, Severity, default_pack,
};

const PACK: &str = r#"
[[permission]]
name = "android.permission.READ_SMS"
protection_level = "dangerous"
added_in = 1
group = "sms"
pi_types = ["sms"]
references = ["r"]

[[sdk]]
id = "vendor"
vendor = "Vendor Inc."
name = "Vendor core"
category = "analytics"
purpose = "p"
class_prefixes = ["com.vendor."]
components = ["com.other.Receiver"]
intent_actions = ["com.vendor.action.PING"]
native_libs = ["libvendor*.so", "libvx*.so"]
domains = ["vendor.com"]
references = ["r"]

[[sdk]]
id = "vendor-push"
vendor = "Vendor Inc."
name = "Vendor push"
category = "push"
purpose = "p"
class_prefixes = ["com.vendor.push."]
native_libs = ["libvendorpush.so"]
domains = ["push.vendor.com"]
references = ["r"]

[[sdk]]
id = "vendor-service"
vendor = "Vendor Inc."
name = "Vendor push service"
category = "push"
purpose = "p"
class_prefixes = ["com.vendor.push.PushService"]
references = ["r"]

[[api]]
id = "imei"
pi_type = "imei"
kind = "method"
signature = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
references = ["r"]

[[api]]
id = "imei-too"
pi_type = "device-info"
kind = "method"
signature = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
references = ["r"]

[[api]]
id = "serial"
pi_type = "serial"
kind = "field"
signature = "Landroid/os/Build;->SERIAL:Ljava/lang/String;"
references = ["r"]

[[api]]
id = "android-id"
pi_type = "android-id"
kind = "string"
signature = "android_id"
references = ["r"]

[[api]]
id = "sms-uri"
pi_type = "sms"
kind = "content-uri"
signature = "content://sms"
permissions = [{ name = "android.permission.READ_SMS" }]
references = ["r"]

[[api]]
id = "sms-inbox-uri"
pi_type = "sms"
kind = "content-uri"
signature = "content://sms/inbox"
references = ["r"]

[[check]]
id = "PI001"
name = "sdk-reads-personal-information"
kind = "pi-api-used"
severity = "high"
status = "preview"
since = "0.1"
title = "t"
what = "w"
why = "y"
example = "e"
remediation = "r"
references = ["r"]
[check.params]
by = "sdk"
pi_types = ["imei"]
"#;

fn compiled() -> CompiledPack {
    Pack::from_sources(&[("m.toml", PACK)])
        .unwrap()
        .compile()
        .unwrap()
}

fn sdk_name(c: &CompiledPack, id: Option<SdkId>) -> Option<&str> {
    id.map(|id| c.sdk(id).unwrap().id.as_str())
}

#[test]
fn class_longest_prefix_wins() {
    let c = compiled();
    let cases = [
        ("com.vendor.Core", Some("vendor")),
        ("com.vendor.a.b.C", Some("vendor")),
        ("com.vendor.push.Receiver", Some("vendor-push")),
        ("com.vendor.push.PushService", Some("vendor-service")),
        ("com.vendor.push.PushService$1", Some("vendor-service")),
        ("com.vendor.push.PushServiceImpl", Some("vendor-service")),
        ("com.vendor.pushx.A", Some("vendor")),
        ("com.vendorx.A", None),
        ("com.vendor", None),
        ("com.example.Main", None),
        ("", None),
    ];
    for (dotted, want) in cases {
        assert_eq!(sdk_name(&c, c.sdk_for_class(dotted)), want, "{dotted}");
        let desc = format!("L{};", dotted.replace('.', "/"));
        assert_eq!(sdk_name(&c, c.sdk_for_class(&desc)), want, "{desc}");
        let array = format!("[[{desc}");
        assert_eq!(sdk_name(&c, c.sdk_for_class(&array)), want, "{array}");
    }
    // Half-converted names match nothing rather than the wrong SDK.
    assert_eq!(c.sdk_for_class("Lcom.vendor.Core;"), None);
    assert_eq!(c.sdk_for_class("com/vendor/Core"), None);
}

#[test]
fn components_actions_libs_domains() {
    let c = compiled();
    assert_eq!(
        sdk_name(&c, c.sdk_for_component("com.other.Receiver")),
        Some("vendor")
    );
    assert_eq!(
        sdk_name(&c, c.sdk_for_component("com.vendor.push.Receiver")),
        Some("vendor-push")
    );
    assert_eq!(c.sdk_for_component("com.other.Else"), None);
    assert_eq!(
        sdk_name(&c, c.sdk_for_action("com.vendor.action.PING")),
        Some("vendor")
    );
    assert_eq!(c.sdk_for_action("com.vendor.action.PONG"), None);

    assert_eq!(
        sdk_name(&c, c.sdk_for_native_lib("libvendorpush.so")),
        Some("vendor-push")
    );
    assert_eq!(
        sdk_name(&c, c.sdk_for_native_lib("lib/arm64-v8a/libvendor3.so")),
        Some("vendor")
    );
    assert_eq!(
        sdk_name(&c, c.sdk_for_native_lib("libvx1.so")),
        Some("vendor")
    );
    assert_eq!(c.sdk_for_native_lib("libother.so"), None);
    assert_eq!(c.sdk_for_native_lib("libvendor.so.txt"), None);

    assert_eq!(sdk_name(&c, c.sdk_for_domain("vendor.com")), Some("vendor"));
    assert_eq!(
        sdk_name(&c, c.sdk_for_domain("api.vendor.com")),
        Some("vendor")
    );
    assert_eq!(
        sdk_name(&c, c.sdk_for_domain("a.push.vendor.com")),
        Some("vendor-push")
    );
    assert_eq!(
        sdk_name(&c, c.sdk_for_domain("PUSH.Vendor.COM.")),
        Some("vendor-push")
    );
    assert_eq!(c.sdk_for_domain("xvendor.com"), None);
    assert_eq!(c.sdk_for_domain("vendor.com.evil.net"), None);
    assert_eq!(c.sdk_for_domain("com"), None);
    assert_eq!(c.sdk_for_domain(""), None);
    assert_eq!(c.sdk_by_id("vendor-push").map(SdkId::index), Some(1));
}

#[test]
fn permissions_apis_checks() {
    let c = compiled();
    assert_eq!(
        c.permission("android.permission.READ_SMS")
            .unwrap()
            .pi_types,
        [PiType::Sms]
    );
    assert!(c.permission("android.permission.READ_CONTACTS").is_none());

    let ids = |v: Vec<apkscope_rules::ApiId>| -> Vec<String> {
        v.into_iter()
            .map(|i| c.api(i).unwrap().id.clone())
            .collect()
    };
    let m =
        c.api_for_method("Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;");
    assert_eq!(ids(m.to_vec()), ["imei", "imei-too"]);
    assert!(
        c.api_for_method("Landroid/telephony/TelephonyManager;->getImei()Ljava/lang/String;")
            .is_empty()
    );
    assert_eq!(
        ids(c
            .api_for_field("Landroid/os/Build;->SERIAL:Ljava/lang/String;")
            .to_vec()),
        ["serial"]
    );
    assert_eq!(
        c.apis_of_class("Landroid/telephony/TelephonyManager;")
            .len(),
        2
    );
    assert_eq!(c.apis_of_class("Landroid/os/Build;").len(), 1);
    assert!(c.apis_of_class("Ljava/lang/Object;").is_empty());

    assert_eq!(
        ids(c.api_for_string("android_id").collect()),
        ["android-id"]
    );
    assert_eq!(
        ids(c.api_for_string("content://sms/inbox/3").collect()),
        ["sms-uri", "sms-inbox-uri"]
    );
    assert_eq!(
        ids(c.api_for_string("content://sms").collect()),
        ["sms-uri"]
    );
    assert!(c.api_for_string("content://contacts").next().is_none());
    assert!(c.api_for_string("android_id2").next().is_none());

    assert_eq!(c.apis_of_kind(ApiKind::Method).len(), 2);
    assert_eq!(c.apis_of_kind(ApiKind::Field).len(), 1);
    assert_eq!(c.apis_of_kind(ApiKind::String).len(), 1);
    assert_eq!(c.apis_of_kind(ApiKind::ContentUri).len(), 2);

    let check = c.check("PI001").unwrap();
    assert_eq!(check.check.severity, Severity::High);
    assert!(
        matches!(&check.params, CheckParams::PiApiUsed { pi_types, .. } if pi_types == &[PiType::Imei])
    );
    assert!(c.check("PI002").is_none());
}

#[test]
fn compiled_pack_is_shareable() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<CompiledPack>();
    let c = std::sync::Arc::new(compiled());
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let c = std::sync::Arc::clone(&c);
            std::thread::spawn(move || c.sdk_for_class("Lcom/vendor/push/X;").map(SdkId::index))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), Some(1));
    }
}

/// Times `sdk_for_class` over 100k class names (descriptors and dotted names, a third of them
/// inside an SDK). Prints, never asserts: run with
/// `cargo test -p apkscope-rules --release --test tests -- timing --nocapture`.
#[test]
#[expect(clippy::cast_precision_loss, reason = "a printed average")]
fn timing_sdk_for_class() {
    let (compiled, what) = match default_pack().map(|p| p.compile()) {
        Ok(Ok(c)) => (c, "default pack"),
        _ => (compiled(), "test pack (the default pack does not compile)"),
    };
    let prefixes: Vec<String> = compiled
        .sdks()
        .iter()
        .flat_map(|s| s.class_prefixes.iter().cloned())
        .collect();
    let mut names = Vec::with_capacity(100_000);
    for i in 0..100_000usize {
        let name = match (i % 3, prefixes.get(i % prefixes.len().max(1))) {
            (0, Some(p)) => format!(
                "{p}{}Impl{i}",
                if p.ends_with('.') { "inner.Class" } else { "" }
            ),
            (1, _) => format!("com.example.app.feature{}.Screen{i}", i % 97),
            _ => format!("androidx.core.view.Widget{i}$Inner"),
        };
        names.push(if i % 2 == 0 {
            format!("L{};", name.replace('.', "/"))
        } else {
            name
        });
    }
    let start = Instant::now();
    let hits = names
        .iter()
        .filter(|n| compiled.sdk_for_class(n).is_some())
        .count();
    let elapsed = start.elapsed();
    eprintln!(
        "sdk_for_class: {} names in {:?} ({:.0} ns/name), {hits} attributed; {what}: {} SDKs, {} \
         class prefixes",
        names.len(),
        elapsed,
        elapsed.as_secs_f64() * 1e9 / names.len() as f64,
        compiled.sdks().len(),
        prefixes.len(),
    );
    assert!(hits > 0);
}

#[test]
fn secrets_compile_to_prefixes_and_meta_data_names() {
    let pack = default_pack().unwrap().compile().unwrap();
    assert!(pack.secrets().len() >= 20, "{}", pack.secrets().len());
    let aws = pack
        .secret_prefixes()
        .iter()
        .find(|p| p.prefix == "AKIA")
        .unwrap();
    let secret = pack.secret(aws.secret).unwrap();
    assert_eq!(secret.id, "aws-access-key-id");
    assert_eq!(secret.kind, apkscope_rules::SecretKind::Cloud);
    assert_eq!(
        (aws.charset, aws.min_len, aws.max_len),
        (apkscope_rules::SecretCharset::UpperDigit, 16, 16)
    );
    assert!(aws.charset.accepts(b'Z') && !aws.charset.accepts(b'z'));
    // Two prefixes, one secret.
    let github: Vec<_> = pack
        .secret_prefixes()
        .iter()
        .filter(|p| pack.secret(p.secret).unwrap().id == "github-token")
        .map(|p| p.prefix.as_str())
        .collect();
    assert_eq!(github, ["ghp_", "gho_"]);
    let maps = pack.secret_by_id("google-maps-api-key").unwrap();
    assert_eq!(
        pack.secret_for_meta_data("com.google.android.geo.API_KEY"),
        Some(maps)
    );
    assert_eq!(
        pack.secret_for_meta_data("com.google.android.maps.v2.API_KEY"),
        Some(maps)
    );
    assert_eq!(pack.secret_for_meta_data("com.example.NOT_A_KEY"), None);
    // Meta-data secrets have no prefix.
    assert!(pack.secret_prefixes().iter().all(|p| p.secret != maps));
}
