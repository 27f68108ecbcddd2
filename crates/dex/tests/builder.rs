//! Dex files written by `apkscope_testkit::dex`, read back.

use apkscope_dex::{InvokeKind, Payload, Reference, TypeUse, codes};
use apkscope_testkit::dex::{
    ClassSpec, DexBuilder, FieldRef, Insn, MethodRef, MethodSpec, fix_checksums, op,
};

pub(crate) fn sample() -> Vec<u8> {
    let log = MethodRef::new(
        "Landroid/util/Log;",
        "d",
        "I",
        &["Ljava/lang/String;", "Ljava/lang/String;"],
    );
    let imei = MethodRef::new(
        "Landroid/telephony/TelephonyManager;",
        "getDeviceId",
        "Ljava/lang/String;",
        &[],
    );
    let sdk = FieldRef::new("Landroid/os/Build$VERSION;", "SDK_INT", "I");
    let own = FieldRef::new("Lcom/example/Main;", "count", "I");
    DexBuilder::new()
        .class(
            ClassSpec::new("Lcom/example/Main;")
                .superclass(Some("Landroid/app/Activity;"))
                .interface("Ljava/lang/Runnable;")
                .interface("Ljava/io/Serializable;")
                .source_file("Main.java")
                .static_field("TAG", "Ljava/lang/String;", 0x19)
                .instance_field("count", "I", 0x2)
                .direct_method(MethodSpec::new("<init>", "V", &[]).access(0x10001).code(
                    1,
                    1,
                    1,
                    vec![
                        Insn::invoke(
                            op::INVOKE_DIRECT,
                            &[0],
                            MethodRef::new("Landroid/app/Activity;", "<init>", "V", &[]),
                        ),
                        Insn::return_void(),
                    ],
                ))
                .virtual_method(MethodSpec::new("run", "V", &[]).code(
                    4,
                    1,
                    2,
                    vec![
                        Insn::const_string(0, "tag"),
                        Insn::const_string_jumbo(1, "héllo \u{1F600} wörld"),
                        Insn::invoke(op::INVOKE_STATIC, &[0, 1], log.clone()),
                        Insn::sfield(op::SGET, 2, sdk),
                        Insn::ifield(op::IGET, 2, 3, own.clone()),
                        Insn::ifield(op::IPUT, 2, 3, own),
                        Insn::type_op(op::CONST_CLASS, 0, "Landroid/telephony/TelephonyManager;"),
                        Insn::type_op(op::NEW_INSTANCE, 0, "Ljava/lang/StringBuilder;"),
                        Insn::type_op(op::CHECK_CAST, 0, "Landroid/telephony/TelephonyManager;"),
                        Insn::instance_of(1, 0, "Ljava/lang/String;"),
                        Insn::invoke(op::INVOKE_VIRTUAL, &[0], imei.clone()),
                        Insn::invoke_range(op::INVOKE_VIRTUAL_RANGE, 0, 1, imei.clone()),
                        Insn::invoke_range(op::INVOKE_STATIC_RANGE, 0, 2, log),
                        Insn::invoke_range(
                            op::INVOKE_INTERFACE_RANGE,
                            0,
                            1,
                            MethodRef::new("Ljava/lang/Runnable;", "run", "V", &[]),
                        ),
                        Insn::invoke(
                            op::INVOKE_SUPER,
                            &[3],
                            MethodRef::new("Landroid/app/Activity;", "onResume", "V", &[]),
                        ),
                        Insn::invoke_polymorphic(
                            &[0, 1],
                            MethodRef::new(
                                "Ljava/lang/invoke/MethodHandle;",
                                "invoke",
                                "Ljava/lang/Object;",
                                &["[Ljava/lang/Object;"],
                            ),
                            0,
                        ),
                        Insn::invoke_custom(&[0], 7),
                        Insn::invoke_custom_range(0, 2, 8),
                        Insn::op31t(op::PACKED_SWITCH, 0, 4),
                        Insn::return_void(),
                        Insn::nop(), // align the payload to 4 bytes (pc 0x2d -> 0x2e? see test)
                        Insn::packed_switch_payload(10, &[1, 2, 3]),
                        Insn::sparse_switch_payload(&[1, 100], &[5, 6]),
                        Insn::fill_array_data_payload(4, &[1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]),
                        Insn::fill_array_data_payload(1, &[7, 8, 9]),
                        Insn::invoke(
                            op::INVOKE_INTERFACE,
                            &[0],
                            MethodRef::new("Ljava/lang/Runnable;", "run", "V", &[]),
                        ),
                    ],
                ))
                .virtual_method(
                    MethodSpec::new("abs", "I", &["J", "[Ljava/lang/String;"]).access(0x401),
                ),
        )
        .class(
            ClassSpec::new("Lcom/example/Marker;")
                .access(0x601)
                .superclass(Some("Ljava/lang/Object;")),
        )
        .class(ClassSpec::new("Ljava/lang/Object;").superclass(None))
        .build()
}

#[test]
fn header_and_tables() {
    let bytes = sample();
    let dex = apkscope_dex::parse(&bytes).unwrap();
    assert_eq!(dex.version(), 35);
    assert!(dex.anomalies().is_empty(), "{:?}", dex.anomalies());
    assert_eq!(dex.header().file_size as usize, bytes.len());
    assert_eq!(dex.class_defs_len(), 3);
    assert!(!dex.map().is_empty());
    // Strings are sorted: find_string agrees with a linear scan.
    for i in 0..dex.strings_len() {
        let s = dex.string(i).unwrap();
        assert_eq!(dex.find_string(&s), Some(i), "{s}");
    }
    assert_eq!(dex.find_string("not there"), None);
    let t = dex
        .find_type("Landroid/telephony/TelephonyManager;")
        .unwrap();
    assert_eq!(
        dex.type_descriptor(t).unwrap(),
        "Landroid/telephony/TelephonyManager;"
    );
    assert!(dex.find_string("héllo \u{1F600} wörld").is_some());
}

#[test]
fn layout_and_string_data_order() {
    let mut bytes = sample();
    let dex = apkscope_dex::parse(&bytes).unwrap();
    // The builder writes ids, then type lists, code, string data, class data and the map.
    assert_eq!(
        dex.layout(),
        [
            0x0000, 0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x1001, 0x2001, 0x2002, 0x2000,
            0x1000
        ]
    );
    assert!(dex.string_data_in_id_order());
    let first = dex.string_data_offset(0).unwrap();
    assert!(first > 0x70);
    assert_eq!(dex.string_data_offset(dex.strings_len()), None);
    // Swap the first two string ids: the data no longer lies in id order (as dexlib 1.x writes
    // it).
    let ids = dex.header().string_ids_off as usize;
    drop(dex);
    let (a, b) = (
        bytes[ids..ids + 4].to_vec(),
        bytes[ids + 4..ids + 8].to_vec(),
    );
    bytes[ids..ids + 4].copy_from_slice(&b);
    bytes[ids + 4..ids + 8].copy_from_slice(&a);
    let dex = apkscope_dex::parse(&bytes).unwrap();
    assert!(!dex.string_data_in_id_order());
}

#[test]
fn classes_and_members() {
    let bytes = sample();
    let dex = apkscope_dex::parse(&bytes).unwrap();
    let classes: Vec<_> = dex.classes().collect();
    assert_eq!(classes.len(), 3);
    let main = &classes[0];
    assert!(main.anomalies.is_empty(), "{:?}", main.anomalies);
    assert_eq!(
        dex.type_descriptor(main.class_idx).unwrap(),
        "Lcom/example/Main;"
    );
    assert_eq!(
        dex.type_descriptor(main.superclass_idx.unwrap()).unwrap(),
        "Landroid/app/Activity;"
    );
    let ifaces: Vec<_> = main
        .interfaces
        .iter()
        .map(|t| dex.type_descriptor(t).unwrap().into_owned())
        .collect();
    assert_eq!(
        ifaces,
        vec!["Ljava/lang/Runnable;", "Ljava/io/Serializable;"]
    );
    assert_eq!(
        dex.string(main.source_file_idx.unwrap()).unwrap(),
        "Main.java"
    );
    assert_eq!(main.static_fields_len(), 1);
    assert_eq!(main.instance_fields_len(), 1);
    assert_eq!(main.direct_methods.len(), 1);
    assert_eq!(main.virtual_methods.len(), 2);
    assert_eq!(
        dex.method_ref_string(main.direct_methods[0].method_idx)
            .unwrap(),
        "Lcom/example/Main;-><init>()V"
    );
    assert_eq!(main.direct_methods[0].access_flags, 0x10001);
    let names: Vec<_> = main
        .virtual_methods
        .iter()
        .map(|m| dex.method_ref_string(m.method_idx).unwrap())
        .collect();
    assert!(names.contains(&"Lcom/example/Main;->abs(J[Ljava/lang/String;)I".to_string()));
    let abs = main
        .virtual_methods
        .iter()
        .find(|m| m.access_flags == 0x401)
        .unwrap();
    assert_eq!(abs.code_off, 0);
    assert!(dex.code(abs).is_none());
    assert_eq!(
        dex.field_ref_string(main.instance_fields[0].field_idx)
            .unwrap(),
        "Lcom/example/Main;->count:I"
    );
    assert_eq!(
        dex.field_ref_string(main.static_fields[0].field_idx)
            .unwrap(),
        "Lcom/example/Main;->TAG:Ljava/lang/String;"
    );
    // Marker interface: no class data.
    assert_eq!(classes[1].class_data_off, 0);
    assert_eq!(classes[1].methods().count(), 0);
    assert_eq!(classes[1].access_flags, 0x601);
    // java.lang.Object: no superclass.
    assert_eq!(classes[2].superclass_idx, None);
}

#[test]
fn every_instruction_kind() {
    let bytes = sample();
    let dex = apkscope_dex::parse(&bytes).unwrap();
    let main = dex.class_def(0).unwrap();
    let run = main
        .virtual_methods
        .iter()
        .find(|m| {
            dex.method_ref_string(m.method_idx)
                .unwrap()
                .ends_with("->run()V")
        })
        .unwrap();
    let code = dex.code(run).unwrap();
    assert_eq!(
        (code.registers_size, code.ins_size, code.outs_size),
        (4, 1, 2)
    );
    let refs = dex.references(&code);
    assert!(refs.anomalies.is_empty(), "{:?}", refs.anomalies);
    let shown: Vec<String> = refs
        .refs
        .iter()
        .map(|(_, r)| match *r {
            Reference::Method { kind, method_idx } => {
                format!("{kind:?} {}", dex.method_ref_string(method_idx).unwrap())
            }
            Reference::FieldRead {
                field_idx,
                is_static,
            } => {
                format!(
                    "read static={is_static} {}",
                    dex.field_ref_string(field_idx).unwrap()
                )
            }
            Reference::FieldWrite {
                field_idx,
                is_static,
            } => {
                format!(
                    "write static={is_static} {}",
                    dex.field_ref_string(field_idx).unwrap()
                )
            }
            Reference::String(i) => format!("string {}", dex.string(i).unwrap()),
            Reference::Type { kind, type_idx } => {
                format!("{kind:?} {}", dex.type_descriptor(type_idx).unwrap())
            }
            Reference::CallSite(i) => format!("call_site {i}"),
            other => format!("{other:?}"),
        })
        .collect();
    let want = [
        "string tag",
        "string héllo \u{1F600} wörld",
        "Static Landroid/util/Log;->d(Ljava/lang/String;Ljava/lang/String;)I",
        "read static=true Landroid/os/Build$VERSION;->SDK_INT:I",
        "read static=false Lcom/example/Main;->count:I",
        "write static=false Lcom/example/Main;->count:I",
        "ConstClass Landroid/telephony/TelephonyManager;",
        "NewInstance Ljava/lang/StringBuilder;",
        "CheckCast Landroid/telephony/TelephonyManager;",
        "InstanceOf Ljava/lang/String;",
        "Virtual Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;",
        "Virtual Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;",
        "Static Landroid/util/Log;->d(Ljava/lang/String;Ljava/lang/String;)I",
        "Interface Ljava/lang/Runnable;->run()V",
        "Super Landroid/app/Activity;->onResume()V",
        "Polymorphic Ljava/lang/invoke/MethodHandle;->invoke([Ljava/lang/Object;)Ljava/lang/Object;",
        "call_site 7",
        "call_site 8",
        // After the four payloads: proves they were skipped by their real size.
        "Interface Ljava/lang/Runnable;->run()V",
    ];
    assert_eq!(shown, want);
    let payloads: Vec<_> = code.instructions().filter_map(|i| i.payload).collect();
    assert_eq!(
        payloads,
        vec![
            Payload::PackedSwitch,
            Payload::SparseSwitch,
            Payload::FillArrayData,
            Payload::FillArrayData
        ]
    );
    let last = code.instructions().last().unwrap();
    assert_eq!(last.info().name, "invoke-interface");
    assert_eq!(
        usize::try_from(last.pc).unwrap() + last.units(),
        code.insns_units()
    );
    // The zero-copy iterator gives the same references without index checks.
    assert_eq!(code.references().collect::<Vec<_>>(), refs.refs);
    let _ = (InvokeKind::Direct, TypeUse::NewArray);
}

#[test]
fn unused_opcodes_reported_once_per_method() {
    let bytes = DexBuilder::new()
        .class(
            ClassSpec::new("LA;").direct_method(MethodSpec::new("f", "V", &[]).code(
                1,
                0,
                0,
                vec![
                    Insn::raw(&[0x003e]),
                    Insn::raw(&[0x00e3, 0x00f9]),
                    Insn::const_string(0, "x"),
                    Insn::return_void(),
                ],
            )),
        )
        .build();
    let dex = apkscope_dex::parse(&bytes).unwrap();
    let class = dex.class_def(0).unwrap();
    let code = dex.code(&class.direct_methods[0]).unwrap();
    let refs = dex.references(&code);
    assert_eq!(refs.refs.len(), 1);
    assert_eq!(refs.anomalies.len(), 1);
    assert_eq!(refs.anomalies[0].code, codes::UNUSED_OPCODE);
    assert!(
        refs.anomalies[0].detail.contains("3 in this method"),
        "{}",
        refs.anomalies[0]
    );
}

#[test]
fn versions() {
    for v in [35, 37, 38, 39, 40] {
        let bytes = DexBuilder::new()
            .version(v)
            .class(ClassSpec::new("LA;"))
            .build();
        let dex = apkscope_dex::parse(&bytes).unwrap();
        assert_eq!(dex.version(), v);
        assert!(dex.anomalies().is_empty(), "{v}: {:?}", dex.anomalies());
    }
    let bytes = DexBuilder::new()
        .version(99)
        .class(ClassSpec::new("LA;"))
        .build();
    let dex = apkscope_dex::parse(&bytes).unwrap();
    let got: Vec<_> = dex.anomalies().iter().map(|a| a.code).collect();
    assert_eq!(got, vec![codes::UNKNOWN_VERSION]);
    assert_eq!(dex.classes().count(), 1);
}

#[test]
fn checksum_and_signature_mismatch_are_anomalies() {
    let mut bytes = sample();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff; // inside the map list's last offset: harmless to parse
    let dex = apkscope_dex::parse(&bytes).unwrap();
    let got: Vec<_> = dex.anomalies().iter().map(|a| a.code).collect();
    assert!(got.contains(&codes::CHECKSUM_MISMATCH), "{got:?}");
    assert!(got.contains(&codes::SIGNATURE_MISMATCH), "{got:?}");
    let fast = apkscope_dex::parse_with(
        &bytes,
        apkscope_dex::ParseOptions::default().verify_checksums(false),
    )
    .unwrap();
    assert!(
        !fast
            .anomalies()
            .iter()
            .any(|a| a.code == codes::CHECKSUM_MISMATCH)
    );
    fix_checksums(&mut bytes);
    let dex = apkscope_dex::parse(&bytes).unwrap();
    assert!(
        !dex.anomalies()
            .iter()
            .any(|a| a.code == codes::CHECKSUM_MISMATCH)
    );
}

#[test]
fn dexdump_accepts_the_builder_output() {
    let Ok(status) = std::process::Command::new("dexdump").arg("-h").output() else {
        crate::skip::required_in_ci("dexdump is not installed");
        return;
    };
    let _ = status;
    let path = std::env::temp_dir().join(format!("apkscope-dex-sample-{}.dex", std::process::id()));
    std::fs::write(&path, sample()).unwrap();
    let out = std::process::Command::new("dexdump")
        .arg("-d")
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "dexdump failed: {err}\n{text}");
    assert!(
        text.contains("Class descriptor  : 'Lcom/example/Main;'"),
        "{text}"
    );
    assert!(
        text.contains("Landroid/util/Log;.d:(Ljava/lang/String;Ljava/lang/String;)I"),
        "{text}"
    );
    assert!(text.contains("packed-switch-data"), "{text}");
}

/// Regenerates the fuzz seeds: `APKSCOPE_WRITE_SEEDS=1 cargo test -p
/// apkscope-dex --test tests write_fuzz_seeds`.
#[test]
fn write_fuzz_seeds() {
    if std::env::var_os("APKSCOPE_WRITE_SEEDS").is_none() {
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/dex_parse");
    std::fs::create_dir_all(&dir).unwrap();
    let minimal = DexBuilder::new().class(ClassSpec::new("LA;")).build();
    let payloads = DexBuilder::new()
        .version(39)
        .class(ClassSpec::new("LB;").direct_method(
            MethodSpec::new("f", "V", &["I"]).access(0x9).code(
                2,
                1,
                0,
                vec![
                    Insn::op31t(op::PACKED_SWITCH, 1, 4),
                    Insn::return_void(),
                    Insn::packed_switch_payload(0, &[3]),
                    Insn::sparse_switch_payload(&[7], &[3]),
                    Insn::fill_array_data_payload(2, &[1, 2, 3, 4]),
                    Insn::raw(&[0x003e, 0x00f0]),
                    Insn::return_void(),
                ],
            ),
        ))
        .build();
    let s = sample();
    for (name, bytes) in [
        ("minimal.dex", minimal),
        ("payloads.dex", payloads),
        ("sample.dex", s.clone()),
        ("sample-truncated.dex", s[..s.len() * 2 / 3].to_vec()),
    ] {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}
