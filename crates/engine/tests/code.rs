//! The code index and the `code` section, on APKs built by the test kit.

use apkscope_engine::{ScanOptions, scan_bytes};
use apkscope_facts::code::CodeRefKind;
use apkscope_testkit::axml::{ANDROID_NS, Attr, AttrValue, AxmlBuilder};
use apkscope_testkit::dex::{ClassSpec, DexBuilder, Insn, MethodRef, MethodSpec, fix_checksums};
use apkscope_testkit::zip::ZipBuilder;

const GET_DEVICE_ID: &str = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;";
/// `invoke-virtual`.
const INVOKE_VIRTUAL: u8 = 0x6e;

fn manifest() -> Vec<u8> {
    AxmlBuilder::new()
        .ns("android", ANDROID_NS)
        .start(
            "manifest",
            vec![Attr::plain("package", AttrValue::str("com.example.code"))],
        )
        .start("application", vec![])
        .end("application")
        .end("manifest")
        .end_ns("android", ANDROID_NS)
        .build()
}

/// `Lcom/example/Main;` reads the IMEI and the Android ID; `Lcom/umeng/Agent;` extends it.
fn app_dex() -> Vec<u8> {
    let get_device_id = MethodRef::new(
        "Landroid/telephony/TelephonyManager;",
        "getDeviceId",
        "Ljava/lang/String;",
        &[],
    );
    DexBuilder::new()
        .class(
            ClassSpec::new("Lcom/example/Main;")
                .superclass(Some("Landroid/app/Activity;"))
                .virtual_method(MethodSpec::new("onCreate", "V", &[]).code(
                    2,
                    1,
                    1,
                    vec![
                        Insn::invoke(INVOKE_VIRTUAL, &[0], get_device_id),
                        Insn::const_string(1, "android_id"),
                        Insn::return_void(),
                    ],
                )),
        )
        .class(
            ClassSpec::new("Lcom/umeng/Agent;")
                .superclass(Some("Lcom/example/Main;"))
                .virtual_method(MethodSpec::new("onCreate", "V", &[]).code(
                    1,
                    1,
                    0,
                    vec![Insn::return_void()],
                )),
        )
        .build()
}

fn scan(apk: &[u8]) -> apkscope_facts::AppFacts {
    scan_bytes(apk, "built.apk", &ScanOptions::default()).unwrap()
}

#[test]
fn indexes_multidex_and_answers_queries() {
    let second = DexBuilder::new()
        .class(
            ClassSpec::new("Lcom/example/Other;").direct_method(MethodSpec::new(
                "<init>",
                "V",
                &[],
            )),
        )
        .build();
    let apk = ZipBuilder::new()
        .deflated("AndroidManifest.xml", manifest())
        .deflated("classes2.dex", &second)
        .deflated("classes.dex", app_dex())
        .build();
    let facts = scan(&apk);
    let entries: Vec<&str> = facts.code.dex.iter().map(|d| d.entry.as_str()).collect();
    assert_eq!(
        entries,
        ["classes.dex", "classes2.dex"],
        "multidex order, not zip order"
    );
    assert_eq!(facts.code.total_classes, 3);
    assert_eq!(facts.code.dex[0].methods, 2);
    assert!(
        facts.code.dex[0].anomalies.is_empty(),
        "{:?}",
        facts.code.dex[0].anomalies
    );

    let index = &facts.code_index;
    let sites = index.call_sites(GET_DEVICE_ID);
    assert_eq!(sites.len(), 1);
    assert_eq!(
        index.method_signature(sites[0].method).unwrap(),
        "Lcom/example/Main;->onCreate()V"
    );
    let refs = index.dex[0].method_refs_of(sites[0].method.method);
    assert!(
        refs.iter()
            .any(|r| r.kind == CodeRefKind::InvokeVirtual && r.pc == sites[0].pc)
    );
    assert_eq!(
        index.methods_referencing_string("android_id"),
        vec![sites[0].method]
    );
    assert_eq!(
        index.superclass_chain("Lcom/umeng/Agent;"),
        ["Lcom/example/Main;", "Landroid/app/Activity;"]
    );
    assert_eq!(index.overriders("Lcom/example/Main;->onCreate()V").len(), 1);
}

#[test]
fn finds_hidden_code() {
    let jar = ZipBuilder::new().deflated("classes.dex", app_dex()).build();
    let apk = ZipBuilder::new()
        .deflated("AndroidManifest.xml", manifest())
        .deflated("classes.dex", app_dex())
        .stored("assets/plugin.jar", &jar)
        .deflated("assets/raw.dex", app_dex())
        .deflated(
            "assets/secret.dex",
            b"\x8e\x11\x02\xffencrypted payload bytes",
        )
        .stored("assets/readme.txt", b"not code")
        .build();
    let facts = scan(&apk);
    let payloads: Vec<(&str, &str, bool)> = facts
        .code
        .hidden_payloads
        .iter()
        .map(|p| (p.path.as_str(), p.format.as_str(), p.parsed))
        .collect();
    assert!(
        payloads.contains(&("assets/plugin.jar!classes.dex", "dex", true)),
        "{payloads:?}"
    );
    assert!(
        payloads.contains(&("assets/plugin.jar", "zip", true)),
        "{payloads:?}"
    );
    assert!(
        payloads.contains(&("assets/raw.dex", "dex", true)),
        "{payloads:?}"
    );
    assert!(
        payloads.contains(&("assets/secret.dex", "unknown", false)),
        "{payloads:?}"
    );
    assert!(!payloads.iter().any(|p| p.0 == "assets/readme.txt"));
    // Hidden dex files are indexed after the primary code.
    let entries: Vec<&str> = facts.code.dex.iter().map(|d| d.entry.as_str()).collect();
    assert_eq!(entries[0], "classes.dex");
    assert!(
        entries.contains(&"assets/raw.dex") && entries.contains(&"assets/plugin.jar!classes.dex")
    );
    assert_eq!(facts.code_index.call_sites(GET_DEVICE_ID).len(), 3);
}

#[test]
fn shared_class_data_cannot_multiply_work() {
    // One class with 2 methods and 299 empty ones; then every class_def is pointed at the first
    // class's data, so the file claims 600 method definitions for 2 method ids.
    let mut builder = DexBuilder::new().class(
        ClassSpec::new("Lcom/example/C000;")
            .direct_method(MethodSpec::new("a", "V", &[]).access(0x9))
            .direct_method(MethodSpec::new("b", "V", &[]).access(0x9)),
    );
    for i in 1..300 {
        builder = builder.class(ClassSpec::new(&format!("Lcom/example/C{i:03};")));
    }
    let (mut dex, layout) = builder.build_with_layout();
    let shared = layout.class_data_offs[0].to_le_bytes();
    for i in 0..300usize {
        let at = layout.class_defs_off as usize + i * 32 + 24;
        dex[at..at + 4].copy_from_slice(&shared);
    }
    fix_checksums(&mut dex);
    let apk = ZipBuilder::new()
        .deflated("AndroidManifest.xml", manifest())
        .deflated("classes.dex", &dex)
        .build();
    let facts = scan(&apk);
    let dex = &facts.code.dex[0];
    assert_eq!(dex.methods, 2, "no more method definitions than method ids");
    assert!(
        dex.anomalies
            .iter()
            .any(|a| a.kind == "method_definitions_exceed_ids"),
        "{:?}",
        dex.anomalies
    );
}

#[test]
fn janus_prepended_dex_is_indexed_as_hidden_code() {
    let apk = ZipBuilder::new()
        .prepend(app_dex())
        .deflated("AndroidManifest.xml", manifest())
        .build();
    let facts = scan(&apk);
    assert_eq!(facts.app.package.as_deref(), Some("com.example.code"));
    assert!(facts.anomalies.iter().any(|a| a.kind == "prepended_data"));
    let payload = facts
        .code
        .hidden_payloads
        .iter()
        .find(|p| p.path == "<prepended>")
        .unwrap();
    assert_eq!((payload.format.as_str(), payload.parsed), ("dex", true));
    assert_eq!(facts.code_index.call_sites(GET_DEVICE_ID).len(), 1);
}
