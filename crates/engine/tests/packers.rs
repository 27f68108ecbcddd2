//! Packer detection, table-driven over the `[[packer]]` entries of the default pack: an APK
//! built with each packer's traits reports it (with evidence) and fires `PACK001`; unpacked
//! APKs report no packer.

use std::sync::Arc;

use apkscope_engine::{ScanOptions, scan_bytes};
use apkscope_facts::AppFacts;
use apkscope_rules::{CompiledPack, Packer};
use apkscope_testkit::axml::{ANDROID_NS, Attr, AttrValue, AxmlBuilder};
use apkscope_testkit::dex::{ClassSpec, DexBuilder};
use apkscope_testkit::zip::ZipBuilder;

/// `android:name` (`R.attr.name`).
const ATTR_NAME: u32 = 0x0101_0003;
/// `android:appComponentFactory` (`R.attr.appComponentFactory`).
const ATTR_APP_COMPONENT_FACTORY: u32 = 0x0101_057a;

fn options(pack: &Arc<CompiledPack>) -> ScanOptions {
    let mut options = ScanOptions::default();
    options.rules = Some(Arc::clone(pack));
    options
}

fn manifest(application: Option<&str>, factory: Option<&str>) -> Vec<u8> {
    let mut attrs = Vec::new();
    if let Some(name) = application {
        attrs.push(Attr::android("name", ATTR_NAME, AttrValue::str(name)));
    }
    if let Some(name) = factory {
        attrs.push(Attr::android(
            "appComponentFactory",
            ATTR_APP_COMPONENT_FACTORY,
            AttrValue::str(name),
        ));
    }
    AxmlBuilder::new()
        .ns("android", ANDROID_NS)
        .start(
            "manifest",
            vec![Attr::plain("package", AttrValue::str("com.example.packed"))],
        )
        .start("application", attrs)
        .end("application")
        .end("manifest")
        .end_ns("android", ANDROID_NS)
        .build()
}

/// A concrete name a `*` pattern matches.
fn concrete(pattern: &str) -> String {
    pattern.replace('*', "X")
}

/// A class descriptor a class prefix matches (`com.a.` → `Lcom/a/Stub;`, `com.a.B` → `Lcom/a/B;`).
fn class_under(prefix: &str) -> String {
    let dotted = if prefix.ends_with('.') {
        format!("{prefix}Stub")
    } else {
        prefix.to_owned()
    };
    format!("L{};", dotted.replace('.', "/"))
}

/// An APK carrying every trait of `p`; returns it with the evidence items expected.
fn packed_apk(p: &Packer) -> (Vec<u8>, Vec<String>) {
    let mut expected = Vec::new();
    let app_class = p.application_classes.first().map(String::as_str);
    if let Some(c) = app_class {
        expected.push(format!("application class {c}"));
    }
    let mut zip = ZipBuilder::new().deflated("AndroidManifest.xml", manifest(app_class, None));
    let mut dex = DexBuilder::new().class(ClassSpec::new("Lcom/example/packed/Main;"));
    let mut classes: Vec<String> = p
        .application_classes
        .iter()
        .map(|c| format!("L{};", c.replace('.', "/")))
        .collect();
    classes.extend(p.class_prefixes.iter().map(|c| class_under(c)));
    classes.sort();
    classes.dedup();
    for c in &classes {
        dex = dex.class(ClassSpec::new(c));
        expected.push(format!("class {c}"));
    }
    zip = zip.deflated("classes.dex", dex.build());
    for lib in &p.native_libs {
        let entry = format!("lib/arm64-v8a/{}", concrete(lib));
        expected.push(format!("native library {entry}"));
        zip = zip.stored(entry, b"not an ELF");
    }
    for asset in &p.asset_files {
        let entry = concrete(asset);
        expected.push(format!("asset {entry}"));
        zip = zip.stored(entry, b"encrypted");
    }
    (zip.build(), expected)
}

fn scan(apk: &[u8], name: &str, pack: &Arc<CompiledPack>) -> AppFacts {
    scan_bytes(apk, name, &options(pack)).unwrap()
}

#[test]
fn the_default_pack_has_packers_of_every_evidence_kind() {
    let pack = crate::default_pack();
    let packers = pack.packers();
    assert!(packers.len() >= 12, "{} packers", packers.len());
    assert!(packers.iter().any(|p| !p.application_classes.is_empty()));
    assert!(packers.iter().any(|p| !p.class_prefixes.is_empty()));
    assert!(packers.iter().any(|p| !p.native_libs.is_empty()));
    assert!(packers.iter().any(|p| !p.asset_files.is_empty()));
    assert!(pack.check("PACK001").is_some());
}

#[test]
fn every_packer_is_reported_with_its_evidence_and_fires_pack001() {
    let pack = crate::default_pack();
    for p in pack.packers() {
        let (apk, expected) = packed_apk(p);
        let facts = scan(&apk, &format!("{}.apk", p.id), &pack);
        let found = facts
            .packers
            .iter()
            .find(|f| f.id == p.id)
            .unwrap_or_else(|| panic!("{} not reported: {:?}", p.id, facts.packers));
        assert_eq!(found.name, p.name);
        assert_eq!(found.kind, p.kind.as_str());
        assert_eq!(found.vendor, p.vendor);
        for item in &expected {
            assert!(
                found.evidence.contains(item),
                "{}: evidence {item:?} missing from {:?}",
                p.id,
                found.evidence
            );
        }
        assert_eq!(
            facts.packers.len(),
            1,
            "{}: one packer's traits name one packer: {:?}",
            p.id,
            facts.packers
        );
        let finding = facts
            .findings
            .iter()
            .find(|f| f.rule == "PACK001" && f.evidence.packer.as_deref() == Some(p.id.as_str()))
            .unwrap_or_else(|| panic!("{}: PACK001 did not fire", p.id));
        assert_eq!(finding.severity, "high");
        assert!(finding.message.contains(&p.name), "{}", finding.message);
        assert!(
            finding.message.contains(&expected[0]),
            "{}",
            finding.message
        );
        assert!(!finding.references.is_empty());
    }
}

#[test]
fn each_kind_of_trait_alone_is_enough() {
    let pack = crate::default_pack();
    let jiagu = pack
        .packer(pack.packer_by_id("packer-360-jiagu").unwrap())
        .unwrap();
    // Manifest only (the stub class is not in the dex).
    let apk = ZipBuilder::new()
        .deflated(
            "AndroidManifest.xml",
            manifest(Some(&jiagu.application_classes[0]), None),
        )
        .build();
    let facts = scan(&apk, "manifest-only.apk", &pack);
    assert_eq!(facts.packers.len(), 1);
    assert_eq!(facts.packers[0].id, "packer-360-jiagu");
    // appComponentFactory.
    let apk = ZipBuilder::new()
        .deflated(
            "AndroidManifest.xml",
            manifest(None, Some("com.shell.SuperApplication")),
        )
        .build();
    let facts = scan(&apk, "factory.apk", &pack);
    assert_eq!(
        facts.packers[0].evidence,
        ["app component factory com.shell.SuperApplication"]
    );
    // An asset alone.
    let apk = ZipBuilder::new()
        .deflated("AndroidManifest.xml", manifest(None, None))
        .stored("assets/ijiami.dat", b"x")
        .build();
    let facts = scan(&apk, "asset.apk", &pack);
    assert_eq!(facts.packers[0].id, "packer-ijiami");
    assert_eq!(facts.container.assets, ["assets/ijiami.dat"]);
    let pack001 = facts
        .findings
        .iter()
        .filter(|f| f.rule == "PACK001")
        .count();
    assert_eq!(pack001, 1);
}

#[test]
fn unpacked_apks_report_no_packer() {
    let pack = crate::default_pack();
    let apk = ZipBuilder::new()
        .deflated(
            "AndroidManifest.xml",
            manifest(Some("com.example.packed.App"), None),
        )
        .deflated(
            "classes.dex",
            DexBuilder::new()
                .class(ClassSpec::new("Lcom/example/packed/App;"))
                .build(),
        )
        .stored("lib/arm64-v8a/libnative-lib.so", b"x")
        .stored("assets/config.json", b"{}")
        .build();
    let facts = scan(&apk, "plain.apk", &pack);
    assert!(facts.packers.is_empty(), "{:?}", facts.packers);
    assert!(!facts.findings.iter().any(|f| f.rule == "PACK001"));
    assert_eq!(facts.container.assets, ["assets/config.json"]);

    let demo =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo/demo.apk");
    let bytes = std::fs::read(&demo).unwrap();
    let facts = scan(&bytes, "demo.apk", &pack);
    assert!(facts.packers.is_empty(), "{:?}", facts.packers);
    assert!(!facts.findings.iter().any(|f| f.rule == "PACK001"));
}

#[test]
fn packer_present_filters_by_kind() {
    let toml = r#"
[[packer]]
id = "p-one"
name = "One"
kind = "obfuscator"
native_libs = ["libone*.so"]
references = ["r"]

[[check]]
id = "PACK009"
name = "protector-only"
kind = "packer-present"
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
kinds = ["protector"]
"#;
    let pack = Arc::new(
        apkscope_rules::Pack::from_sources(&[("p.toml", toml)])
            .unwrap()
            .compile()
            .unwrap(),
    );
    let apk = ZipBuilder::new()
        .deflated("AndroidManifest.xml", manifest(None, None))
        .stored("lib/x86/libone_2.so", b"x")
        .build();
    let facts = scan(&apk, "one.apk", &pack);
    assert_eq!(facts.packers.len(), 1);
    assert_eq!(facts.packers[0].kind, "obfuscator");
    assert!(facts.findings.is_empty(), "{:?}", facts.findings);
}
