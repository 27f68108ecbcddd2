//! Tolerance behaviour on inputs built with `apkscope_testkit::axml`.

use apkscope_axml::{Manifest, Value, arsc, codes, parse, to_xml, to_xml_with};
use apkscope_testkit::axml::{
    ANDROID_NS, ArscBuilder, ArscValue, Attr, AttrValue, AxmlBuilder, Knobs, raw_chunk,
};

const NAME: u32 = 0x0101_0003;
const LABEL: u32 = 0x0101_0001;
const VERSION_CODE: u32 = 0x0101_021b;
const VERSION_NAME: u32 = 0x0101_021c;
const MIN_SDK: u32 = 0x0101_020c;
const TARGET_SDK: u32 = 0x0101_0270;
const EXPORTED: u32 = 0x0101_0010;
const NSC: u32 = 0x0101_0527;
const DEBUGGABLE: u32 = 0x0101_000f;
const AUTHORITIES: u32 = 0x0101_0018;
const FGS: u32 = 0x0101_0599;
const PROTECTION: u32 = 0x0101_0009;

fn has(anoms: &[apkscope_axml::Anomaly], code: &str) -> bool {
    anoms.iter().any(|a| a.code == code)
}

/// A small manifest; `label` and `nsc` let callers use references.
pub(crate) fn manifest(
    b: AxmlBuilder,
    target: i32,
    label: AttrValue,
    nsc: Option<u32>,
) -> AxmlBuilder {
    let mut app = vec![
        Attr::android("label", LABEL, label),
        Attr::android("debuggable", DEBUGGABLE, AttrValue::str("true")),
    ];
    if let Some(n) = nsc {
        app.push(Attr::android(
            "networkSecurityConfig",
            NSC,
            AttrValue::reference(n),
        ));
    }
    b.ns("android", ANDROID_NS)
        .start(
            "manifest",
            vec![
                Attr::android("versionCode", VERSION_CODE, AttrValue::int(42)),
                Attr::android("versionName", VERSION_NAME, AttrValue::str("1.2.3")),
                Attr::plain("package", AttrValue::str("com.example.app")),
            ],
        )
        .start(
            "uses-sdk",
            vec![
                Attr::android("minSdkVersion", MIN_SDK, AttrValue::int(21)),
                Attr::android("targetSdkVersion", TARGET_SDK, AttrValue::int(target)),
            ],
        )
        .end("uses-sdk")
        .start(
            "uses-permission",
            vec![Attr::android(
                "name",
                NAME,
                AttrValue::str("android.permission.CAMERA"),
            )],
        )
        .end("uses-permission")
        .start(
            "permission",
            vec![
                Attr::android("name", NAME, AttrValue::str("com.example.P")),
                Attr::android("protectionLevel", PROTECTION, AttrValue::hex(0x12)),
            ],
        )
        .end("permission")
        .start("application", app)
        .start(
            "activity",
            vec![Attr::android("name", NAME, AttrValue::str(".Main"))],
        )
        .start("intent-filter", vec![])
        .start(
            "action",
            vec![Attr::android(
                "name",
                NAME,
                AttrValue::str("android.intent.action.MAIN"),
            )],
        )
        .end("action")
        .end("intent-filter")
        .end("activity")
        .start(
            "service",
            vec![
                Attr::android("name", NAME, AttrValue::str("Svc")),
                Attr::android("exported", EXPORTED, AttrValue::int(1)),
                Attr::android("foregroundServiceType", FGS, AttrValue::hex(0x9)),
            ],
        )
        .end("service")
        .start(
            "provider",
            vec![
                Attr::android("name", NAME, AttrValue::str("x.y.Prov")),
                Attr::android("authorities", AUTHORITIES, AttrValue::str("a.one;a.two")),
            ],
        )
        .end("provider")
        .end("application")
        .end("manifest")
        .end_ns("android", ANDROID_NS)
}

#[test]
fn well_formed_utf16_and_utf8() {
    for b in [AxmlBuilder::new(), AxmlBuilder::new().utf8()] {
        let utf8 = b.clone().build();
        let data = manifest(b, 30, AttrValue::str("My App"), None).build();
        let doc = parse(&data).unwrap();
        assert!(doc.anomalies.is_empty(), "{:?}", doc.anomalies);
        let m = Manifest::from_document(&doc, None);
        assert_eq!(m.package.as_deref(), Some("com.example.app"));
        assert_eq!(m.version_code, Some(42));
        assert_eq!(m.long_version_code, Some(42));
        assert_eq!(m.version_name.as_deref(), Some("1.2.3"));
        assert_eq!(
            (m.min_sdk_version, m.target_sdk_version),
            (Some(21), Some(30))
        );
        assert_eq!(m.uses_permissions[0].name, "android.permission.CAMERA");
        assert_eq!(
            m.permissions[0].protection_level_names,
            "signature|privileged"
        );
        let app = m.application.unwrap();
        assert_eq!(app.label.as_deref(), Some("My App"));
        assert_eq!(
            app.debuggable,
            Some(true),
            "string \"true\" accepted as boolean"
        );
        let c = &app.components;
        assert_eq!(c[0].name, "com.example.app.Main");
        assert!(c[0].exported, "intent filter implies exported before 31");
        assert_eq!(c[1].name, "com.example.app.Svc");
        assert!(c[1].exported);
        assert_eq!(
            c[1].foreground_service_type_names.as_deref(),
            Some("dataSync|location")
        );
        assert_eq!(c[2].name, "x.y.Prov");
        assert!(!c[2].exported);
        assert_eq!(c[2].authorities, ["a.one", "a.two"]);
        let _ = utf8;
    }
}

#[test]
fn exported_rules_follow_target_sdk() {
    let doc = parse(&manifest(AxmlBuilder::new(), 31, AttrValue::str("x"), None).build()).unwrap();
    let app = Manifest::from_document(&doc, None).application.unwrap();
    assert!(
        !app.components[0].exported,
        "targetSdk 31: intent filter no longer implies export"
    );
    let doc = parse(&manifest(AxmlBuilder::new(), 16, AttrValue::str("x"), None).build()).unwrap();
    let app = Manifest::from_document(&doc, None).application.unwrap();
    assert!(
        app.components[2].exported,
        "provider exported by default for targetSdk 16"
    );
}

#[test]
fn label_and_nsc_resolve_through_resources() {
    let mut t = ArscBuilder::new("com.example.app", 0x7f);
    let label = t.string("app_name", "Resolved Label");
    t.add(
        "string",
        "app_name",
        Some("fr"),
        ArscValue::Str("Nom".into()),
    );
    let nsc = t.xml(
        "network_security_config",
        "res/xml/network_security_config.xml",
    );
    let alias = t.add(
        "string",
        "alias",
        None,
        ArscValue::Typed {
            data_type: 1,
            data: label,
        },
    );
    for (sparse, compact, offset16) in [
        (false, false, false),
        (true, false, false),
        (false, true, false),
        (false, false, true),
    ] {
        let mut tb = t.clone();
        tb.sparse = sparse;
        tb.compact = compact;
        tb.offset16 = offset16;
        tb.add("style", "Bag", None, ArscValue::Bag);
        tb.extra_package_chunks.push(raw_chunk(0x0299, 8, &[0; 8]));
        let table = arsc::parse(&tb.build()).unwrap();
        assert!(has(&table.anomalies, codes::UNKNOWN_CHUNK));
        assert_eq!(
            table.resolve_string(label).as_deref(),
            Some("Resolved Label"),
            "{sparse} {compact}"
        );
        assert_eq!(
            table.resolve_string(alias).as_deref(),
            Some("Resolved Label")
        );
        assert_eq!(
            table.name(nsc).as_deref(),
            Some("@xml/network_security_config")
        );
        assert_eq!(table.name(label).as_deref(), Some("@string/app_name"));
        let doc = parse(
            &manifest(
                AxmlBuilder::new(),
                30,
                AttrValue::reference(label),
                Some(nsc),
            )
            .build(),
        )
        .unwrap();
        let m = Manifest::from_document(&doc, Some(&table));
        let app = m.application.unwrap();
        assert_eq!(app.label.as_deref(), Some("Resolved Label"));
        assert_eq!(app.label_resource, Some(label));
        assert_eq!(
            app.network_security_config.as_deref(),
            Some("@xml/network_security_config")
        );
        let xml = to_xml_with(&doc, Some(&table));
        assert!(xml.contains("android:label=\"@string/app_name\""), "{xml}");
        // Without resources the reference is kept.
        let app = Manifest::from_document(&doc, None).application.unwrap();
        assert_eq!(
            app.network_security_config.as_deref(),
            Some(format!("@0x{nsc:08x}").as_str())
        );
    }
}

#[test]
fn attribute_name_from_resource_id() {
    // Name strings blanked or faked; Android identifies attributes by resource ID.
    let data = AxmlBuilder::new()
        .ns("android", ANDROID_NS)
        .start(
            "manifest",
            vec![
                Attr::android("", VERSION_CODE, AttrValue::int(7)),
                Attr::android("foo", VERSION_NAME, AttrValue::str("9.9")).without_ns(),
                Attr::plain("package", AttrValue::str("p.q")),
            ],
        )
        .end("manifest")
        .build();
    let doc = parse(&data).unwrap();
    assert!(has(&doc.anomalies, codes::ATTRIBUTE_NAME_FROM_RESOURCE_ID));
    let root = doc.root.as_ref().unwrap();
    assert_eq!(root.attributes[1].name, "versionName");
    assert_eq!(root.attributes[1].raw_name.as_deref(), Some("foo"));
    let m = Manifest::from_document(&doc, None);
    assert_eq!(m.version_code, Some(7));
    assert_eq!(m.version_name.as_deref(), Some("9.9"));
}

#[test]
fn wrong_magic_bad_sizes_unknown_chunks() {
    let knobs = Knobs {
        file_type: Some(0x0000),
        file_header_size: Some(0x20),
        file_size: Some(0xffff_fff0),
        pool_header_size: Some(0x30),
        node_header_size: Some(0x20),
        chunk_after_pool: Some(raw_chunk(0x0777, 8, &[1, 2, 3, 4])),
        ..Knobs::default()
    };
    let data = manifest(
        AxmlBuilder::new().with_knobs(knobs),
        30,
        AttrValue::str("L"),
        None,
    )
    .raw(raw_chunk(0x0199, 8, &[0; 4]))
    .build();
    let doc = parse(&data).unwrap();
    for c in [
        codes::BAD_MAGIC,
        codes::BAD_HEADER_SIZE,
        codes::CHUNK_SIZE_PAST_END,
        codes::UNKNOWN_CHUNK,
    ] {
        assert!(has(&doc.anomalies, c), "{c}: {:?}", doc.anomalies);
    }
    let m = Manifest::from_document(&doc, None);
    assert_eq!(m.package.as_deref(), Some("com.example.app"));
    assert_eq!(m.application.unwrap().components.len(), 3);
}

#[test]
fn bogus_string_count_and_out_of_range_indexes() {
    let knobs = Knobs {
        pool_string_count: Some(u32::MAX),
        ..Knobs::default()
    };
    let data = AxmlBuilder::new()
        .with_knobs(knobs)
        .ns("android", ANDROID_NS)
        .start(
            "manifest",
            vec![
                Attr::plain("package", AttrValue::str("p.q")),
                Attr::android("versionName", VERSION_NAME, AttrValue::StrIndex(99_999)),
                Attr::plain("x", AttrValue::str("y")).with_name_index(1_000_000),
            ],
        )
        .end("manifest")
        .build();
    let doc = parse(&data).unwrap();
    assert!(
        has(&doc.anomalies, codes::STRING_COUNT_CLAMPED),
        "{:?}",
        doc.anomalies
    );
    let m = Manifest::from_document(&doc, None);
    assert_eq!(m.package.as_deref(), Some("p.q"));
    // With a clamped count, the index is either out of range or points into garbage; never fatal.
    let data = AxmlBuilder::new()
        .start(
            "manifest",
            vec![
                Attr::plain("package", AttrValue::str("p.q")),
                Attr::android("versionName", VERSION_NAME, AttrValue::StrIndex(99_999)),
            ],
        )
        .end("manifest")
        .build();
    let doc = parse(&data).unwrap();
    assert!(has(&doc.anomalies, codes::STRING_INDEX_OUT_OF_RANGE));
    assert_eq!(
        doc.root.as_ref().unwrap().attributes[1].value,
        Value::String(String::new())
    );
}

#[test]
fn element_size_too_small_and_trailing() {
    let knobs = Knobs {
        element_size_delta: -12,
        trailing: vec![0xaa; 6],
        ..Knobs::default()
    };
    let data = manifest(
        AxmlBuilder::new().with_knobs(knobs),
        30,
        AttrValue::str("L"),
        None,
    )
    .build();
    let doc = parse(&data);
    // Shrunk element chunks lose attributes and desynchronise; never a panic.
    if let Ok(doc) = doc {
        assert!(!doc.anomalies.is_empty());
    }
}

#[test]
fn deep_nesting_is_bounded() {
    let mut b = AxmlBuilder::new().start("manifest", vec![]);
    for _ in 0..3000 {
        b = b.start("a", vec![]);
    }
    for _ in 0..3000 {
        b = b.end("a");
    }
    let doc = parse(&b.end("manifest").build()).unwrap();
    assert!(has(&doc.anomalies, codes::DEPTH_LIMIT));
    let _ = to_xml(&doc);
    // Unclosed elements are closed.
    let doc = parse(
        &AxmlBuilder::new()
            .start("manifest", vec![])
            .start("x", vec![])
            .build(),
    )
    .unwrap();
    assert!(has(&doc.anomalies, codes::UNCLOSED_ELEMENT));
}

#[test]
fn missing_package_and_wrong_root() {
    let doc = parse(
        &AxmlBuilder::new()
            .start("notmanifest", vec![])
            .end("notmanifest")
            .build(),
    )
    .unwrap();
    let m = Manifest::from_document(&doc, None);
    assert!(has(&m.anomalies, codes::ROOT_NOT_MANIFEST));
    assert!(has(&m.anomalies, codes::MISSING_PACKAGE));
}

#[test]
fn too_short_and_empty() {
    assert!(parse(&[]).is_err());
    assert!(parse(&[3, 0, 8, 0, 8, 0, 0, 0]).is_err());
    assert!(arsc::parse(&[2, 0]).is_err());
}

#[test]
fn writer_escapes_and_types() {
    let data = AxmlBuilder::new()
        .ns("android", ANDROID_NS)
        .start(
            "manifest",
            vec![
                Attr::plain("package", AttrValue::str("a<b>&\"c\u{1}")),
                Attr::android("debuggable", DEBUGGABLE, AttrValue::boolean(true)),
                Attr::android("label", LABEL, AttrValue::reference(0x7f04_0001)),
                Attr::plain("bad name!", AttrValue::hex(0xff)),
            ],
        )
        .text("t & u")
        .end("manifest")
        .build();
    let doc = parse(&data).unwrap();
    let xml = to_xml(&doc);
    assert!(
        xml.contains("xmlns:android=\"http://schemas.android.com/apk/res/android\""),
        "{xml}"
    );
    assert!(
        xml.contains("package=\"a&lt;b&gt;&amp;&quot;c\u{fffd}\""),
        "{xml}"
    );
    assert!(xml.contains("android:debuggable=\"true\""));
    assert!(xml.contains("android:label=\"@0x7f040001\""));
    assert!(xml.contains("bad_name_=\"0xff\""));
    assert!(xml.contains("t &amp; u"));
    // Output is well-formed XML.
    assert!(well_formed(&xml), "{xml}");
}

/// Whether a strict namespace-aware parser (roxmltree) accepts `xml`.
fn well_formed(xml: &str) -> bool {
    roxmltree::Document::parse(xml).is_ok()
}

/// Regenerates the fuzz seeds: `cargo test -p apkscope-axml -- --ignored write_fuzz_seeds`.
#[test]
#[ignore = "writes files into fuzz/corpus"]
fn write_fuzz_seeds() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let ax = root.join("axml_decode");
    let ar = root.join("arsc_decode");
    std::fs::create_dir_all(&ax).unwrap();
    std::fs::create_dir_all(&ar).unwrap();
    let mut t = ArscBuilder::new("com.example.app", 0x7f);
    let label = t.string("app_name", "Seed");
    t.add(
        "string",
        "app_name",
        Some("fr"),
        ArscValue::Str("Graine".into()),
    );
    let nsc = t.xml("network_security_config", "res/xml/nsc.xml");
    std::fs::write(
        ax.join("manifest_utf16"),
        manifest(
            AxmlBuilder::new(),
            30,
            AttrValue::reference(label),
            Some(nsc),
        )
        .build(),
    )
    .unwrap();
    std::fs::write(
        ax.join("manifest_utf8"),
        manifest(AxmlBuilder::new().utf8(), 33, AttrValue::str("L"), None).build(),
    )
    .unwrap();
    let knobs = Knobs {
        file_type: Some(0),
        node_header_size: Some(0x20),
        chunk_after_pool: Some(raw_chunk(0x0777, 8, &[1, 2, 3, 4])),
        ..Knobs::default()
    };
    std::fs::write(
        ax.join("manifest_hostile"),
        manifest(
            AxmlBuilder::new().with_knobs(knobs),
            16,
            AttrValue::str("L"),
            None,
        )
        .build(),
    )
    .unwrap();
    std::fs::write(
        ax.join("manifest_hostile_names"),
        hostile_names_manifest(AxmlBuilder::new()).build(),
    )
    .unwrap();
    let reg = root.join("../regressions/axml_decode");
    std::fs::create_dir_all(&reg).unwrap();
    std::fs::write(reg.join("stride0_amplification"), stride0_amplification()).unwrap();
    std::fs::write(
        ax.join("manifest_decoy_headers"),
        decoy_manifest(AxmlBuilder::new().with_knobs(Knobs {
            pool_decoy_offsets: true,
            file_header_pad: vec![0xff; 8],
            attribute_size: Some(8),
            ..Knobs::default()
        }))
        .build(),
    )
    .unwrap();
    for (name, sparse, compact, offset16) in [
        ("plain", false, false, false),
        ("sparse", true, false, false),
        ("compact", false, true, false),
        ("offset16", false, false, true),
    ] {
        let mut tb = t.clone();
        tb.sparse = sparse;
        tb.compact = compact;
        tb.offset16 = offset16;
        tb.add("style", "Bag", None, ArscValue::Bag);
        std::fs::write(ar.join(name), tb.build()).unwrap();
    }
}

/// Little-endian field of `n` bytes (2 or 4) at `off`; 0 past the end.
fn le(data: &[u8], off: usize, n: usize) -> usize {
    data.get(off..off + n).map_or(0, |b| {
        b.iter()
            .rev()
            .fold(0, |acc, &x| (acc << 8) | usize::from(x))
    })
}

/// The first chunk of type `ty` after the document header: its offset.
fn find_chunk(data: &[u8], ty: usize) -> usize {
    let mut pos = le(data, 2, 2);
    while le(data, pos, 2) != ty {
        assert!(pos < data.len(), "no chunk of type {ty:#x}");
        pos += le(data, pos + 4, 4);
    }
    pos
}

fn set_header_size(data: &mut [u8], chunk: usize, hs: u16) {
    if let Some(f) = data.get_mut(chunk + 2..chunk + 4) {
        f.copy_from_slice(&hs.to_le_bytes());
    }
}

fn android_refuses(doc: &apkscope_axml::Document) -> bool {
    doc.anomalies
        .iter()
        .any(|a| a.code == codes::ANDROID_BAD_DOCUMENT && a.detail.contains("would refuse"))
}

/// A manifest whose names, prefixes, URIs and text XML cannot carry as they are (the text
/// XML writer repairs each): a LIAPP-style `xmlns:Liapp_Empty_00=""` on the application's
/// attributes, bad and reserved prefixes, an undeclared namespace, names with spaces, colons
/// and control characters, a duplicate attribute, control characters in values and text.
pub(crate) fn hostile_names_manifest(b: AxmlBuilder) -> AxmlBuilder {
    b.ns("android", ANDROID_NS)
        .ns("Liapp_Empty_00", "")
        .ns("1 bad", "urn:bad")
        .ns("xmlns", "urn:reserved")
        .ns("dup", "urn:one")
        .ns("dup", "urn:two\u{1}")
        .start(
            "manifest",
            vec![
                Attr::plain("package", AttrValue::str("com.example.hostile")),
                Attr::plain("package", AttrValue::str("com.example.second")),
                Attr::android("versionCode", VERSION_CODE, AttrValue::int(3)),
                Attr::in_ns("urn:bad", "x y", AttrValue::str("a\u{0}b")),
                Attr::in_ns("urn:reserved", "xmlns", AttrValue::str("v")),
                Attr::in_ns("urn:two\u{1}", "n", AttrValue::str("2")),
                Attr::in_ns("urn:undeclared", "n", AttrValue::str("3")),
            ],
        )
        .start_in(
            "",
            "application",
            vec![
                Attr {
                    ns: Some(String::new()),
                    ..Attr::android("name", NAME, AttrValue::str(".App"))
                },
                Attr::in_ns("", "label", AttrValue::str("L")),
            ],
        )
        .start("1st element", vec![])
        .text("text \u{1f}]]> <&")
        .end("1st element")
        .start("a:b\u{ffff}", vec![])
        .end("a:b\u{ffff}")
        .end_in("", "application")
        .end("manifest")
        .end_ns("android", ANDROID_NS)
}

/// `<manifest>` whose start-element header is enlarged to hide a decoy extension.
pub(crate) fn decoy_manifest(b: AxmlBuilder) -> AxmlBuilder {
    b.ns("android", ANDROID_NS)
        .start_with_decoy(
            "manifest",
            vec![
                Attr::android("versionCode", VERSION_CODE, AttrValue::int(7)),
                Attr::plain("package", AttrValue::str("com.real.app")),
            ],
            "manifest",
            vec![
                Attr::android("versionCode", VERSION_CODE, AttrValue::int(1)),
                Attr::plain("package", AttrValue::str("com.decoy.app")),
                Attr::android("debuggable", DEBUGGABLE, AttrValue::boolean(false)),
            ],
        )
        .start(
            "uses-permission",
            vec![Attr::android(
                "name",
                NAME,
                AttrValue::str("android.permission.READ_SMS"),
            )],
        )
        .end("uses-permission")
        .end("manifest")
        .end_ns("android", ANDROID_NS)
}

#[test]
fn enlarged_node_header_decoy_is_skipped_as_android_does() {
    let data = decoy_manifest(AxmlBuilder::new()).build();
    let doc = parse(&data).unwrap();
    assert!(
        has(&doc.anomalies, codes::NONSTANDARD_HEADER_SIZE),
        "{:?}",
        doc.anomalies
    );
    assert!(!has(&doc.anomalies, codes::ANDROID_BAD_DOCUMENT));
    assert!(!has(&doc.anomalies, codes::BAD_HEADER_SIZE));
    let m = Manifest::from_document(&doc, None);
    assert_eq!(m.package.as_deref(), Some("com.real.app"));
    assert_eq!(m.version_code, Some(7));
    let root = doc.root.as_ref().unwrap();
    assert_eq!(root.attributes.len(), 2);
    assert_eq!(m.uses_permissions[0].name, "android.permission.READ_SMS");

    // The decoy is really there: with the standard headerSize (as a naive tool assumes) the
    // same bytes decode to it, and Android would read it too.
    let mut naive = data.clone();
    let at = find_chunk(&naive, 0x0102);
    set_header_size(&mut naive, at, 16);
    let doc = parse(&naive).unwrap();
    assert!(!has(&doc.anomalies, codes::ANDROID_BAD_DOCUMENT));
    let m = Manifest::from_document(&doc, None);
    assert_eq!(m.package.as_deref(), Some("com.decoy.app"));
    assert_eq!(m.version_code, Some(1));
}

#[test]
fn padded_headers_decode_like_standard_ones() {
    let plain = manifest(AxmlBuilder::new(), 30, AttrValue::str("L"), None).build();
    let plain = to_xml(&parse(&plain).unwrap());
    // Junk that a standard-size reader would take for a chunk header / node extension.
    let junk = vec![0xff; 12];
    for knobs in [
        Knobs {
            node_header_pad: junk.clone(),
            ..Knobs::default()
        },
        Knobs {
            pool_header_pad: junk.clone(),
            ..Knobs::default()
        },
        Knobs {
            file_header_pad: junk.clone(),
            ..Knobs::default()
        },
        Knobs {
            file_header_pad: junk.clone(),
            pool_header_pad: junk.clone(),
            node_header_pad: junk.clone(),
            ..Knobs::default()
        },
    ] {
        let data = manifest(
            AxmlBuilder::new().with_knobs(knobs.clone()),
            30,
            AttrValue::str("L"),
            None,
        )
        .build();
        let doc = parse(&data).unwrap();
        let codes_seen: Vec<&str> = doc.anomalies.iter().map(|a| a.code).collect();
        assert!(
            codes_seen
                .iter()
                .all(|&c| c == codes::NONSTANDARD_HEADER_SIZE),
            "{knobs:?}: {:?}",
            doc.anomalies
        );
        assert!(!codes_seen.is_empty());
        assert_eq!(to_xml(&doc), plain, "{knobs:?}");
    }
    // The document header's padding: the anomaly is at offset 0.
    let data = manifest(
        AxmlBuilder::new().with_knobs(Knobs {
            file_header_pad: junk,
            ..Knobs::default()
        }),
        30,
        AttrValue::str("L"),
        None,
    )
    .build();
    let doc = parse(&data).unwrap();
    assert_eq!(doc.anomalies[0].offset, Some(0));
}

#[test]
fn enlarged_string_pool_header_decoy_offsets_are_skipped() {
    let knobs = Knobs {
        pool_decoy_offsets: true,
        ..Knobs::default()
    };
    let data = manifest(
        AxmlBuilder::new().with_knobs(knobs),
        30,
        AttrValue::str("My App"),
        None,
    )
    .build();
    let doc = parse(&data).unwrap();
    assert!(has(&doc.anomalies, codes::NONSTANDARD_HEADER_SIZE));
    assert!(!has(&doc.anomalies, codes::ANDROID_BAD_DOCUMENT));
    let m = Manifest::from_document(&doc, None);
    assert_eq!(m.package.as_deref(), Some("com.example.app"));
    assert_eq!(m.version_name.as_deref(), Some("1.2.3"));
    assert_eq!(m.uses_permissions[0].name, "android.permission.CAMERA");

    // A reader assuming a 28-byte pool header gets the reversed (decoy) offsets.
    let mut naive = data.clone();
    let pool = find_chunk(&naive, 0x0001);
    set_header_size(&mut naive, pool, 28);
    let doc = parse(&naive).unwrap();
    let m = Manifest::from_document(&doc, None);
    assert_ne!(m.package.as_deref(), Some("com.example.app"));
}

#[test]
fn header_sizes_android_refuses_are_flagged_and_decoded_best_effort() {
    let cases = [
        // Smaller than a ResXMLTree_node.
        Knobs {
            node_header_size: Some(8),
            ..Knobs::default()
        },
        // Larger than the 24-byte namespace and end-element chunks.
        Knobs {
            node_header_size: Some(0x40),
            ..Knobs::default()
        },
        // Not on a 4-byte boundary.
        Knobs {
            node_header_size: Some(18),
            ..Knobs::default()
        },
        // Smaller than a ResStringPool_header.
        Knobs {
            pool_header_size: Some(20),
            ..Knobs::default()
        },
        // Larger than the pool chunk.
        Knobs {
            pool_header_size: Some(0x7ffc),
            ..Knobs::default()
        },
        // Larger than the document.
        Knobs {
            file_header_size: Some(0xfff0),
            ..Knobs::default()
        },
        // Smaller than a chunk header: Android reads its first chunk inside the header.
        Knobs {
            file_header_size: Some(4),
            ..Knobs::default()
        },
    ];
    for knobs in cases {
        let data = manifest(
            AxmlBuilder::new().with_knobs(knobs.clone()),
            30,
            AttrValue::str("L"),
            None,
        )
        .build();
        let doc = parse(&data).unwrap();
        assert!(android_refuses(&doc), "{knobs:?}: {:?}", doc.anomalies);
        assert!(
            has(&doc.anomalies, codes::BAD_HEADER_SIZE),
            "{knobs:?}: {:?}",
            doc.anomalies
        );
        assert_eq!(
            doc.anomalies
                .iter()
                .filter(|a| a.code == codes::ANDROID_BAD_DOCUMENT)
                .count(),
            1
        );
        let m = Manifest::from_document(&doc, None);
        assert_eq!(m.package.as_deref(), Some("com.example.app"), "{knobs:?}");
        assert_eq!(m.application.unwrap().components.len(), 3, "{knobs:?}");
    }
}

#[test]
fn bad_document_after_the_root_keeps_android_layout() {
    // A decoy manifest followed, after the root closed, by a chunk Android's nextNode rejects
    // (a resource map: headerSize 8 < 16). The package manager never reads that far, so the
    // decoy header must still be decoded as Android decodes it.
    let data = decoy_manifest(AxmlBuilder::new())
        .raw(raw_chunk(0x0180, 8, &[1, 0, 1, 1]))
        .build();
    let doc = parse(&data).unwrap();
    let bad: Vec<_> = doc
        .anomalies
        .iter()
        .filter(|a| a.code == codes::ANDROID_BAD_DOCUMENT)
        .collect();
    assert_eq!(bad.len(), 1, "{:?}", doc.anomalies);
    assert!(bad[0].detail.contains("unaffected"), "{}", bad[0].detail);
    assert!(!android_refuses(&doc));
    let m = Manifest::from_document(&doc, None);
    assert_eq!(m.package.as_deref(), Some("com.real.app"));
}

#[test]
fn missing_pool_and_unclosed_scan_are_refusals() {
    let data = AxmlBuilder::new()
        .start("manifest", vec![])
        .end("manifest")
        .build();
    // Cut the string pool out: header, then the nodes (no resource map is written: no IDs).
    let pool = find_chunk(&data, 0x0001);
    let pool_len = le(&data, pool + 4, 4);
    let mut cut: Vec<u8> = data.iter().take(pool).copied().collect();
    cut.extend(data.iter().skip(pool + pool_len));
    let total = u32::try_from(cut.len()).unwrap_or(0).to_le_bytes();
    for (i, b) in total.into_iter().enumerate() {
        cut[4 + i] = b;
    }
    let doc = parse(&cut).unwrap();
    assert!(has(&doc.anomalies, codes::MISSING_STRING_POOL));
    assert!(android_refuses(&doc), "{:?}", doc.anomalies);
}

#[test]
fn attribute_size_below_a_record_overlaps_as_in_android() {
    let knobs = Knobs {
        attribute_size: Some(0),
        ..Knobs::default()
    };
    let data = AxmlBuilder::new()
        .with_knobs(knobs)
        .ns("android", ANDROID_NS)
        .start(
            "manifest",
            vec![
                Attr::plain("package", AttrValue::str("com.first")),
                Attr::android("versionCode", VERSION_CODE, AttrValue::int(3)),
            ],
        )
        .end("manifest")
        .end_ns("android", ANDROID_NS)
        .build();
    let doc = parse(&data).unwrap();
    assert!(has(&doc.anomalies, codes::BAD_ATTRIBUTE_SIZE));
    assert!(!has(&doc.anomalies, codes::ANDROID_BAD_DOCUMENT));
    // Stride 0: Android reads record 0 for every index; it is kept once.
    let attrs = &doc.root.as_ref().unwrap().attributes;
    assert_eq!(attrs.len(), 1);
    assert_eq!(attrs[0].name, "package");
    assert_eq!(Manifest::from_document(&doc, None).version_code, None);
    // Stride 8: records overlap; record 1 starts 8 bytes into record 0 (its raw value index
    // becomes the namespace, its typed value the name).
    let data = AxmlBuilder::new()
        .with_knobs(Knobs {
            attribute_size: Some(8),
            ..Knobs::default()
        })
        .start(
            "manifest",
            vec![
                Attr::plain("package", AttrValue::str("com.first")),
                Attr::plain("x", AttrValue::str("y")),
            ],
        )
        .end("manifest")
        .build();
    let doc = parse(&data).unwrap();
    assert!(has(&doc.anomalies, codes::BAD_ATTRIBUTE_SIZE));
    assert!(!has(&doc.anomalies, codes::ANDROID_BAD_DOCUMENT));
    let attrs = &doc.root.as_ref().unwrap().attributes;
    assert_eq!(attrs.len(), 2);
    assert_eq!(attrs[0].name, "package");
    assert_eq!(attrs[1].namespace.as_deref(), Some("com.first"));
}

/// Elements claiming 65535 attributes of stride 0 (valid for Android): a small input that must
/// not expand into millions of attributes.
fn stride0_amplification() -> Vec<u8> {
    // Strings: 0 "manifest", 1 "package", 2 "p".
    let mut b = AxmlBuilder::new().start(
        "manifest",
        vec![Attr::plain("package", AttrValue::str("p"))],
    );
    let mut body = Vec::new();
    for v in [1u32, u32::MAX] {
        body.extend_from_slice(&v.to_le_bytes()); // lineNumber, comment
    }
    body.extend_from_slice(&u32::MAX.to_le_bytes()); // ns
    body.extend_from_slice(&0u32.to_le_bytes()); // name
    for v in [20u16, 0, 0xffff, 0, 0, 0] {
        body.extend_from_slice(&v.to_le_bytes()); // start, size, count, id, class, style
    }
    for v in [u32::MAX, 1, 2, 0x0300_0008, 2] {
        body.extend_from_slice(&v.to_le_bytes());
    }
    for _ in 0..300 {
        b = b.raw(raw_chunk(0x0102, 16, &body));
    }
    b.build()
}

#[test]
fn attribute_size_zero_does_not_amplify() {
    let doc = parse(&stride0_amplification()).unwrap();
    let mut n = 0;
    let mut stack = vec![doc.root.as_ref().unwrap()];
    while let Some(e) = stack.pop() {
        n += e.attributes.len();
        stack.extend(e.elements());
    }
    assert_eq!(n, 301);
    assert!(!has(&doc.anomalies, codes::NODE_LIMIT));
    let _ = to_xml(&doc);
}

#[test]
fn enlarged_resource_map_header_decoy_id_is_skipped() {
    // String 0 is "versionName"; the map's real entry 0 is its ID, preceded inside the enlarged
    // header by a decoy ID (android:label) that a reader assuming an 8-byte header would use.
    let mut ids = Vec::new();
    ids.extend_from_slice(&LABEL.to_le_bytes());
    ids.extend_from_slice(&VERSION_NAME.to_le_bytes());
    let knobs = Knobs {
        omit_resource_map: true,
        chunk_after_pool: Some(raw_chunk(0x0180, 12, &ids)),
        ..Knobs::default()
    };
    let data = AxmlBuilder::new()
        .with_knobs(knobs)
        .ns("android", ANDROID_NS)
        .start(
            "manifest",
            vec![
                Attr::android("versionName", VERSION_NAME, AttrValue::str("9.9")),
                Attr::plain("package", AttrValue::str("p.q")),
            ],
        )
        .end("manifest")
        .end_ns("android", ANDROID_NS)
        .build();
    let doc = parse(&data).unwrap();
    assert!(has(&doc.anomalies, codes::NONSTANDARD_HEADER_SIZE));
    assert!(!has(&doc.anomalies, codes::ANDROID_BAD_DOCUMENT));
    let a = &doc.root.as_ref().unwrap().attributes[0];
    assert_eq!(
        (a.name.as_str(), a.resource_id),
        ("versionName", Some(VERSION_NAME))
    );
    let m = Manifest::from_document(&doc, None);
    assert_eq!(m.version_name.as_deref(), Some("9.9"));
}
