//! Obfuscation signals and compiler facts on bare dex files built to mimic an obfuscator's traits
//! (`DexGuard`-style flattened package `o`, a string decryptor fed opaque constants, reflection,
//! a dex class loader) and a plain app.

use apkscope_engine::{ScanOptions, scan_bytes};
use apkscope_testkit::dex::{ClassSpec, DexBuilder, Insn, MethodRef, MethodSpec, op};

const STRING: &str = "Ljava/lang/String;";

fn decrypt() -> MethodRef {
    MethodRef::new("Lo/a;", "a", STRING, &[STRING])
}

/// A dex whose code calls `o/a.a(String)` on `sites` opaque constants, `Class.forName` and
/// `Method.invoke` `reflective` times each, and builds a `DexClassLoader`.
fn obfuscated(sites: usize, reflective: usize) -> Vec<u8> {
    let mut insns = Vec::new();
    for i in 0..sites {
        insns.push(Insn::const_string(
            0,
            &format!("\u{f000}\u{f001}\u{1}x{i}\u{f002}"),
        ));
        insns.push(Insn::invoke(op::INVOKE_STATIC, &[0], decrypt()));
    }
    let for_name = MethodRef::new(
        "Ljava/lang/Class;",
        "forName",
        "Ljava/lang/Class;",
        &[STRING],
    );
    let invoke = MethodRef::new(
        "Ljava/lang/reflect/Method;",
        "invoke",
        "Ljava/lang/Object;",
        &["Ljava/lang/Object;", "[Ljava/lang/Object;"],
    );
    for _ in 0..reflective {
        insns.push(Insn::invoke(op::INVOKE_STATIC, &[0], for_name.clone()));
        insns.push(Insn::invoke(op::INVOKE_VIRTUAL, &[0, 1, 2], invoke.clone()));
    }
    insns.push(Insn::type_op(
        op::NEW_INSTANCE,
        0,
        "Ldalvik/system/DexClassLoader;",
    ));
    insns.push(Insn::return_void());
    let mut builder = DexBuilder::new()
        .string(r#"~~R8{"compilation-mode":"release","min-api":21,"version":"8.6.2-dev"}"#)
        .class(
            ClassSpec::new("Lo/a;")
                .direct_method(MethodSpec::new("a", STRING, &[STRING]).access(0x9).code(
                    1,
                    1,
                    0,
                    vec![Insn::raw(&[0x0011])],
                ))
                .direct_method(
                    MethodSpec::new("b", "V", &[])
                        .access(0x9)
                        .code(3, 0, 3, insns),
                ),
        );
    for name in [
        "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "ʼ", "ˊ", "ﹳ",
    ] {
        builder = builder.class(
            ClassSpec::new(&format!("Lo/{name};"))
                .direct_method(MethodSpec::new("a", "V", &[]).access(0x9)),
        );
    }
    builder.build()
}

#[test]
fn obfuscator_traits_give_verdicts_with_evidence() {
    let facts = scan_bytes(&obfuscated(25, 15), "o.dex", &ScanOptions::default()).unwrap();
    let dex = &facts.code.dex[0];
    assert_eq!(
        dex.compiler.as_deref(),
        Some("r8"),
        "{:?}",
        dex.compiler_evidence
    );
    assert_eq!(dex.compiler_version.as_deref(), Some("8.6.2-dev"));
    assert_eq!(dex.min_api, Some(21));
    let o = &facts.code.obfuscation;
    assert_eq!(
        o.verdicts,
        [
            "dexguard",
            "dynamic-loading",
            "reflection",
            "short-names",
            "string-encryption"
        ],
        "{o:#?}"
    );
    assert_eq!(o.classes, 14);
    assert_eq!(o.short_class_names, 14);
    assert_eq!(o.class_for_name, 15);
    assert_eq!(o.reflective_calls, 15);
    assert_eq!(o.class_loaders, 1);
    let d = &o.string_decryptors[0];
    assert_eq!(d.method, "Lo/a;->a(Ljava/lang/String;)Ljava/lang/String;");
    assert_eq!(
        (d.call_sites, d.const_string_args, d.opaque_args),
        (25, 25, 25)
    );
    assert!(o.non_ascii_names >= 3);
    assert!(
        o.evidence
            .iter()
            .any(|e| e.starts_with("string decryptor Lo/a;"))
    );
}

#[test]
fn few_sites_and_readable_names_give_no_verdict() {
    let facts = scan_bytes(&obfuscated(5, 2), "o.dex", &ScanOptions::default()).unwrap();
    let o = &facts.code.obfuscation;
    assert!(!o.verdicts.contains(&"string-encryption".to_owned()));
    assert!(!o.verdicts.contains(&"reflection".to_owned()));

    let mut builder = DexBuilder::new();
    for name in [
        "MainActivity",
        "Settings",
        "Network",
        "Store",
        "Util",
        "Account",
        "Login",
    ] {
        builder = builder.class(
            ClassSpec::new(&format!("Lcom/example/{name};"))
                .direct_method(MethodSpec::new("load", "V", &[]).access(0x9)),
        );
    }
    let facts = scan_bytes(&builder.build(), "plain.dex", &ScanOptions::default()).unwrap();
    let o = &facts.code.obfuscation;
    assert!(o.verdicts.is_empty(), "{o:#?}");
    assert_eq!((o.classes, o.short_class_names), (7, 0));
}
