//! Integration tests: committed fixtures, the demo APK, the shared corpus, hostile inputs and
//! the fuzz folders.
// Test helpers outside `#[test]` fns: unwrapping, indexing and printing SKIP reasons is the point.
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::case_sensitive_file_extension_comparisons
)]

mod skip;

use std::io::Read;
use std::path::{Path, PathBuf};

use apkscope_native::{AndroidAbi, ElfClass, ElfType, Endianness, Relro, parse};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

#[test]
fn arm64_full_fixture() {
    let f = parse(&fixture("arm64-full.so")).unwrap();
    assert_eq!(f.class, ElfClass::Elf64);
    assert_eq!(f.endianness, Endianness::Little);
    assert_eq!(f.abi, AndroidAbi::Arm64V8a);
    assert_eq!(f.machine_name, "aarch64");
    assert_eq!(f.elf_type, ElfType::SharedObject);
    assert_eq!(f.soname.as_deref(), Some("libjnifix.so"));
    assert!(f.has_jni_onload && f.has_jni_onunload);
    assert_eq!(f.jni_exports.len(), 2);
    let overloaded = f
        .jni_exports
        .iter()
        .find(|m| m.signature.is_some())
        .unwrap();
    assert_eq!(overloaded.class, "com.example.fix.Native$Inner");
    assert_eq!(overloaded.method, "get_mac");
    assert_eq!(overloaded.signature.as_deref(), Some("Ljava/lang/String;I"));
    let plain = f
        .jni_exports
        .iter()
        .find(|m| m.signature.is_none())
        .unwrap();
    assert_eq!(
        (plain.class.as_str(), plain.method.as_str()),
        ("com.example.fix.Native", "url")
    );
    assert!(f.exported_symbol_count >= 4);
    assert!(f.exports_of_interest.contains(&"JNI_OnLoad".to_owned()));
    for want in [
        "SSL_write",
        "__system_property_get",
        "dlopen",
        "ptrace",
        "socket",
    ] {
        assert!(
            f.imports_of_interest.contains(&want.to_owned()),
            "{want}: {:?}",
            f.imports_of_interest
        );
    }
    assert!(f.imported_symbol_count >= 6);
    let h = f.hardening;
    assert!(
        h.nx && h.pie && h.stack_protector && h.fortify && !h.stripped,
        "{h:?}"
    );
    assert_eq!(h.relro, Relro::Full);
    assert_eq!(h.fortified_functions, 1);
    assert_eq!(
        f.strings.urls,
        ["https://native-tracker.example.com/beacon"]
    );
    assert!(
        f.strings
            .hosts
            .contains(&"native-tracker.example.com".to_owned())
    );
    assert_eq!(f.strings.ipv4, ["203.0.113.7"]);
    assert_eq!(f.strings.paths, ["/sys/class/net/wlan0/address"]);
    assert!(f.anomalies.is_empty(), "{:?}", f.anomalies);
}

#[test]
fn armv7_weak_fixture() {
    let f = parse(&fixture("armv7-weak.so")).unwrap();
    assert_eq!(f.class, ElfClass::Elf32);
    assert_eq!(f.abi, AndroidAbi::ArmeabiV7a);
    assert!(f.abi.matches_folder("armeabi") && f.abi.matches_folder("armeabi-v7a"));
    assert_eq!(f.jni_exports.len(), 2);
    let h = f.hardening;
    assert!(!h.nx && h.stripped && h.stack_protector, "{h:?}");
    assert_eq!(h.relro, Relro::None);
    assert_eq!(f.strings.paths, ["/sys/class/net/wlan0/address"]);
}

#[test]
fn no_section_headers_scans_whole_file() {
    let mut data = fixture("arm64-full.so");
    // e_shoff (64-bit, offset 40) and e_shnum (offset 60) zeroed, as sstrip does.
    data[40..48].fill(0);
    data[60..62].fill(0);
    let f = parse(&data).unwrap();
    assert!(f.anomalies.iter().any(|a| a.code == "no_section_headers"));
    assert!(f.hardening.stripped);
    assert_eq!(
        f.jni_exports.len(),
        2,
        "dynamic symbols come from PT_DYNAMIC"
    );
    assert!(
        f.strings
            .urls
            .contains(&"https://native-tracker.example.com/beacon".to_owned())
    );
}

#[test]
fn section_headers_out_of_bounds() {
    let mut data = fixture("arm64-full.so");
    data[40..48].copy_from_slice(&0xffff_ffff_0000u64.to_le_bytes());
    let f = parse(&data).unwrap();
    assert!(
        f.anomalies
            .iter()
            .any(|a| a.code == "section_headers_out_of_bounds"),
        "{:?}",
        f.anomalies
    );
    assert!(f.has_jni_onload);
}

fn demo_libs() -> Vec<(String, Vec<u8>)> {
    let apk = std::fs::read(root().join("fixtures/demo/demo.apk")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(apk)).unwrap();
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        if name.starts_with("lib/") && name.ends_with(".so") {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            out.push((name, bytes));
        }
    }
    out
}

fn folder_abi(path: &str) -> Option<&str> {
    let mut parts = path.rsplit('/');
    parts.next()?;
    let abi = parts.next()?;
    parts
        .next()
        .filter(|p| *p == "lib" || *p == "libs" || *p == "local")
        .map(|_| abi)
}

#[test]
fn demo_apk_libraries() {
    let libs = demo_libs();
    assert!(libs.iter().any(|(n, _)| n.starts_with("lib/arm64-v8a/")));
    assert!(libs.iter().any(|(n, _)| n.starts_with("lib/armeabi-v7a/")));
    for (name, bytes) in &libs {
        let f = parse(bytes).unwrap();
        let abi = folder_abi(name).unwrap();
        assert!(f.abi.matches_folder(abi), "{name}: {:?}", f.abi);
        assert!(f.has_jni_onload, "{name}");
        let jni = f
            .jni_exports
            .iter()
            .find(|m| m.symbol == "Java_com_example_apkscope_demo_NativeBridge_collect")
            .unwrap();
        assert_eq!(jni.class, "com.example.apkscope.demo.NativeBridge");
        assert_eq!(jni.method, "collect");
        assert!(
            f.strings
                .paths
                .contains(&"/sys/class/net/wlan0/address".to_owned()),
            "{name}"
        );
        assert!(!f.strings.urls.is_empty(), "{name}");
    }
}

#[test]
fn shared_corpus_libraries() {
    let corpus = root().join("../shared/corpus");
    let Ok(manifest) = std::fs::read_to_string(corpus.join("MANIFEST.tsv")) else {
        skip::skip("../shared/corpus/MANIFEST.tsv absent");
        return;
    };
    let mut n = 0;
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.get(1) != Some(&"so") {
            continue;
        }
        let Ok(bytes) = std::fs::read(corpus.join(cols[0])) else {
            skip::skip_part(cols[0], "listed in MANIFEST.tsv but missing");
            continue;
        };
        let f = parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", cols[0]));
        if let Some(abi) = folder_abi(cols[0]) {
            assert!(
                f.abi.matches_folder(abi),
                "{}: {:?} vs {abi}",
                cols[0],
                f.abi
            );
        }
        assert!(
            !f.anomalies.iter().any(|a| a.code.starts_with("goblin_")),
            "{}: {:?}",
            cols[0],
            f.anomalies
        );
        hostile(&bytes, 32);
        n += 1;
    }
    println!("parsed {n} corpus libraries");
}

/// Truncations and byte flips never panic.
fn hostile(data: &[u8], steps: usize) {
    let step = (data.len() / steps).max(1);
    for cut in (0..data.len()).step_by(step) {
        let _ = parse(&data[..cut]);
    }
    let mut copy = data.to_vec();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..steps * 4 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // Header bytes most of the time: that is where the interesting offsets live.
        let pos = if i % 2 == 0 {
            (seed as usize) % 64.min(copy.len())
        } else {
            (seed as usize) % copy.len()
        };
        let old = copy[pos];
        copy[pos] = (seed >> 32) as u8;
        let _ = parse(&copy);
        if i % 3 != 0 {
            copy[pos] = old;
        }
    }
}

#[test]
fn hostile_fixtures() {
    for name in ["arm64-full.so", "armv7-weak.so"] {
        let data = fixture(name);
        for cut in 0..data.len() {
            let _ = parse(&data[..cut]);
        }
        hostile(&data, 512);
    }
    for (_, bytes) in demo_libs() {
        hostile(&bytes, 256);
    }
}

#[test]
fn fuzz_corpus_and_regressions() {
    for dir in ["fuzz/corpus/native_elf", "fuzz/regressions/native_elf"] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            skip::skip_part(dir, "absent");
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let _ = parse(&std::fs::read(&path).unwrap());
        }
    }
}
