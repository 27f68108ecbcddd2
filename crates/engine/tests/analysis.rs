//! Rule-pack analysis details on APKs built by the test kit.

use apkscope_engine::{ScanOptions, scan_bytes};
use apkscope_testkit::axml::{ANDROID_NS, Attr, AttrValue, AxmlBuilder};
use apkscope_testkit::dex::{ClassSpec, DexBuilder, Insn, MethodRef, MethodSpec};
use apkscope_testkit::zip::ZipBuilder;

/// `invoke-static`.
const INVOKE_STATIC: u8 = 0x71;

fn manifest() -> Vec<u8> {
    AxmlBuilder::new()
        .ns("android", ANDROID_NS)
        .start(
            "manifest",
            vec![Attr::plain("package", AttrValue::str("com.example.ids"))],
        )
        .start("application", vec![])
        .end("application")
        .end("manifest")
        .end_ns("android", ANDROID_NS)
        .build()
}

/// A method calling `Settings.Secure.getString(resolver, key)` with `key` loaded just before.
fn reads_setting(name: &str, key: &str) -> MethodSpec {
    let get_string = MethodRef::new(
        "Landroid/provider/Settings$Secure;",
        "getString",
        "Ljava/lang/String;",
        &["Landroid/content/ContentResolver;", "Ljava/lang/String;"],
    );
    MethodSpec::new(name, "V", &[]).access(0x9).code(
        2,
        0,
        2,
        vec![
            Insn::const_string(1, key),
            Insn::invoke(INVOKE_STATIC, &[0, 1], get_string),
            Insn::return_void(),
        ],
    )
}

#[test]
fn settings_get_string_is_an_android_id_read_only_with_the_android_id_key() {
    let dex = DexBuilder::new()
        .class(
            ClassSpec::new("Lcom/example/ids/Reads;")
                .direct_method(reads_setting("androidId", "android_id")),
        )
        .class(
            ClassSpec::new("Lcom/example/ids/Other;")
                .direct_method(reads_setting("deviceName", "bluetooth_name")),
        )
        .build();
    let apk = ZipBuilder::new()
        .deflated("AndroidManifest.xml", manifest())
        .deflated("classes.dex", dex)
        .build();
    let mut options = ScanOptions::default();
    options.rules = Some(crate::default_pack());
    let facts = scan_bytes(&apk, "ids.apk", &options).unwrap();
    let access = facts
        .pi_access
        .iter()
        .find(|a| a.api == "android-id-secure-get-string")
        .unwrap();
    assert_eq!(
        access.sites, 1,
        "only the call with the android_id key counts"
    );
    assert_eq!(access.examples[0].class, "Lcom/example/ids/Reads;");
}

#[test]
fn native_libraries_are_attributed_to_their_sdk_and_bad_ones_reported() {
    let dex = DexBuilder::new()
        .class(ClassSpec::new("Lcom/example/ids/Main;"))
        .build();
    let apk = ZipBuilder::new()
        .deflated("AndroidManifest.xml", manifest())
        .deflated("classes.dex", dex)
        .stored("lib/arm64-v8a/libjcore322.so", b"not an ELF file at all")
        .build();
    let mut options = ScanOptions::default();
    options.rules = Some(crate::default_pack());
    let facts = scan_bytes(&apk, "native.apk", &options).unwrap();
    let lib = &facts.native[0];
    assert_eq!(lib.sdk.as_deref(), Some("jcore"), "{lib:?}");
    assert_eq!(lib.anomalies[0].kind, "native_not_elf");
    let jcore = facts.sdks.iter().find(|s| s.id == "jcore").unwrap();
    assert_eq!(jcore.evidence.native_libs, ["lib/arm64-v8a/libjcore322.so"]);
}
