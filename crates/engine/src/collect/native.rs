//! Native libraries: every `*.so` entry → [`NativeLibFacts`].

use apkscope_apk::Apk;
use apkscope_facts::{AnomalyFact, Hardening, NativeLibFacts};
use apkscope_native::{ElfFacts, Relro};
use rayon::prelude::*;

use crate::Guard;

const SOURCE_NATIVE: &str = "native";

/// Reads and parses every native library of `apk`, in central-directory order. Libraries not
/// started when `guard` says stop are left unread (the caller then fails the scan).
pub(crate) fn collect_native(apk: &Apk<'_>, libs: &[String], guard: &Guard) -> Vec<NativeLibFacts> {
    libs.par_iter()
        .map(|path| {
            if guard.should_stop() {
                return unreadable(
                    path,
                    "native_skipped_limit",
                    "the scan ran out of time or memory",
                );
            }
            let Some(entry) = apk.entry(path) else {
                return unreadable(path, "native_entry_missing", "listed but not found again");
            };
            match apk.read(entry) {
                Err(err) => unreadable(path, "native_entry_unreadable", &err.to_string()),
                Ok(bytes) => match apkscope_native::parse(&bytes) {
                    Err(err) => unreadable(path, "native_not_elf", &err.to_string()),
                    Ok(elf) => NativeLibFacts {
                        sha256: crate::sha256_hex(&bytes),
                        ..native_facts(path, &elf)
                    },
                },
            }
        })
        .collect()
}

fn unreadable(path: &str, kind: &str, detail: &str) -> NativeLibFacts {
    NativeLibFacts {
        path: path.to_owned(),
        anomalies: vec![anomaly(path, kind, detail.to_owned(), None)],
        ..NativeLibFacts::default()
    }
}

fn anomaly(path: &str, kind: &str, detail: String, offset: Option<u64>) -> AnomalyFact {
    AnomalyFact {
        source: SOURCE_NATIVE.to_owned(),
        kind: kind.to_owned(),
        detail,
        entry: Some(path.to_owned()),
        offset,
    }
}

fn native_facts(path: &str, elf: &ElfFacts) -> NativeLibFacts {
    let strings = &elf.strings;
    let strings_of_interest = strings
        .urls
        .iter()
        .chain(&strings.hosts)
        .chain(&strings.ipv4)
        .chain(&strings.paths)
        .cloned()
        .collect();
    let mut anomalies: Vec<AnomalyFact> = elf
        .anomalies
        .iter()
        .map(|a| anomaly(path, a.code, a.detail.clone(), a.offset))
        .collect();
    // lib/<abi>/libx.so must hold code for that ABI: Android would not load it otherwise.
    if let Some(folder) = path
        .strip_prefix("lib/")
        .and_then(|rest| rest.split('/').next())
        && !elf.abi.matches_folder(folder)
    {
        anomalies.push(anomaly(
            path,
            "native_abi_mismatch",
            format!("{} code in the {folder} folder", elf.abi.as_str()),
            None,
        ));
    }
    NativeLibFacts {
        path: path.to_owned(),
        sha256: String::new(),
        abi: Some(elf.abi.as_str().to_owned()),
        machine: elf.machine_name.to_owned(),
        soname: elf.soname.clone(),
        needed: elf.needed.clone(),
        exported_symbols: u64::try_from(elf.exported_symbol_count).unwrap_or(u64::MAX),
        jni_methods: elf
            .jni_exports
            .iter()
            .map(|j| format!("{}.{}", j.class, j.method))
            .collect(),
        jni_onload: elf.has_jni_onload,
        imports_of_interest: elf.imports_of_interest.clone(),
        hardening: Hardening {
            nx: elf.hardening.nx,
            pie: elf.hardening.pie,
            relro: match elf.hardening.relro {
                Relro::Full => "full",
                Relro::Partial => "partial",
                Relro::None => "none",
            }
            .to_owned(),
            stack_protector: elf.hardening.stack_protector,
            fortify: elf.hardening.fortify,
            stripped: elf.hardening.stripped,
        },
        strings_of_interest,
        sdk: None,
        anomalies,
    }
}
