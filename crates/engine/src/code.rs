//! Code: every dex file of the APK → [`CodeIndex`] and the report's `code` section.
//!
//! Each dex is inflated, parsed and indexed on its own rayon task, and its inflated bytes are
//! dropped as soon as its index is built, so peak memory is the index plus the dex files in
//! flight, not every dex at once.

use apkscope_apk::{Apk, Entry};
use apkscope_dex::{Dex, InvokeKind, ParseOptions, Reference, TypeUse, decode_mutf8};
use apkscope_facts::code::{
    ClassRecord, CodeRef, CodeRefKind, DexCode, MemberRef, MethodRecord, Proto, StringTable,
};
use apkscope_facts::{AnomalyFact, CodeFacts, CodeIndex, DexFacts, HiddenPayload};
use rayon::prelude::*;

use crate::collect::multidex_index;
use crate::{Deadline, hex};

const SOURCE_DEX: &str = "dex";
const DEX_MAGIC: &[u8] = b"dex\n";
const ODEX_MAGIC: &[u8] = b"dey\n";
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// How many bytes identify a payload's format.
const SNIFF_LEN: usize = 8;
/// Nested archives are opened one level deep: an APK inside an APK inside an APK is reported,
/// not unpacked, so a recursive zip cannot multiply work.
const MAX_NESTED_DEX_PER_ARCHIVE: usize = 256;
/// Extensions that promise code.
const CODE_EXTENSIONS: &[&str] = &[".dex", ".jar", ".apk", ".zip", ".odex", ".vdex", ".oat"];

/// A dex to index: where it is, and how to get its bytes.
enum DexSource<'e> {
    /// An entry of the APK.
    Entry(&'e Entry),
    /// A dex inside a nested archive, already extracted.
    Nested { path: String, bytes: Vec<u8> },
}

impl DexSource<'_> {
    fn name(&self) -> &str {
        match self {
            DexSource::Entry(entry) => &entry.name,
            DexSource::Nested { path, .. } => path,
        }
    }
}

/// The result of indexing one dex.
struct Indexed {
    facts: DexFacts,
    code: Option<DexCode>,
}

/// Reads every dex of `apk` (root `classes*.dex` in multidex order, then dex hidden elsewhere)
/// into the index and the report's code section.
///
/// Once `deadline` has passed, the dex files not yet started are skipped: the caller checks the
/// deadline again and discards the partial result.
pub(crate) fn collect_code(
    apk: &Apk<'_>,
    verify_checksums: bool,
    deadline: Deadline,
) -> (CodeFacts, CodeIndex) {
    let mut root: Vec<(u32, &Entry)> = apk
        .entries()
        .iter()
        .filter_map(|e| multidex_index(&e.name).map(|i| (i, e)))
        .collect();
    root.sort_by_key(|(i, e)| (*i, e.index));
    // A duplicate `classesN.dex` name: the first is what the lookup (and this report) uses.
    root.dedup_by_key(|(i, _)| *i);

    let (hidden_payloads, nested) = find_hidden_code(apk);
    let mut sources: Vec<DexSource<'_>> =
        root.into_iter().map(|(_, e)| DexSource::Entry(e)).collect();
    sources.extend(nested);

    let options = ParseOptions::default().verify_checksums(verify_checksums);
    let indexed: Vec<Indexed> = sources
        .into_par_iter()
        .map(|source| {
            if deadline.expired() {
                unreadable(
                    source.name(),
                    "dex_skipped_timeout",
                    "the scan ran out of time",
                )
            } else {
                index_source(apk, source, options)
            }
        })
        .collect();

    let mut facts = CodeFacts {
        analysed: true,
        hidden_payloads,
        ..CodeFacts::default()
    };
    let mut dex_codes = Vec::with_capacity(indexed.len());
    for Indexed {
        facts: dex_facts,
        code,
    } in indexed
    {
        facts.total_classes = facts.total_classes.saturating_add(dex_facts.classes);
        facts.total_methods = facts.total_methods.saturating_add(dex_facts.methods);
        facts.dex.push(dex_facts);
        if let Some(code) = code {
            dex_codes.push(code);
        }
    }
    (facts, CodeIndex::new(dex_codes))
}

/// Indexes a bare dex file (not inside an APK); `name` is how the report names it.
pub(crate) fn collect_bare_dex(
    name: &str,
    data: &[u8],
    verify_checksums: bool,
) -> (CodeFacts, CodeIndex) {
    let options = ParseOptions::default().verify_checksums(verify_checksums);
    let Indexed {
        facts: dex_facts,
        code,
    } = index_dex(name, data, options);
    let facts = CodeFacts {
        analysed: true,
        total_classes: dex_facts.classes,
        total_methods: dex_facts.methods,
        dex: vec![dex_facts],
        hidden_payloads: Vec::new(),
        ..CodeFacts::default()
    };
    (facts, CodeIndex::new(code.into_iter().collect()))
}

/// Whether `data` is a bare dex file rather than an APK.
pub(crate) fn is_bare_dex(data: &[u8]) -> bool {
    data.starts_with(DEX_MAGIC)
}

fn index_source(apk: &Apk<'_>, source: DexSource<'_>, options: ParseOptions) -> Indexed {
    match source {
        DexSource::Entry(entry) => match apk.read(entry) {
            Ok(bytes) => index_dex(&entry.name, &bytes, options),
            Err(err) => unreadable(&entry.name, "dex_entry_unreadable", &err.to_string()),
        },
        DexSource::Nested { path, bytes } => index_dex(&path, &bytes, options),
    }
}

fn unreadable(path: &str, kind: &str, detail: &str) -> Indexed {
    Indexed {
        facts: DexFacts {
            entry: path.to_owned(),
            anomalies: vec![dex_anomaly(path, kind, detail.to_owned(), None)],
            ..DexFacts::default()
        },
        code: None,
    }
}

fn dex_anomaly(path: &str, kind: &str, detail: String, offset: Option<u64>) -> AnomalyFact {
    AnomalyFact {
        source: SOURCE_DEX.to_owned(),
        kind: kind.to_owned(),
        detail,
        entry: Some(path.to_owned()),
        offset,
    }
}

/// Parses one dex and builds its index.
fn index_dex(path: &str, bytes: &[u8], options: ParseOptions) -> Indexed {
    let dex = match Dex::parse_with(bytes, options) {
        Ok(dex) => dex,
        Err(err) => return unreadable(path, "dex_unparseable", &err.to_string()),
    };
    let mut anomalies: Vec<AnomalyFact> = dex
        .anomalies()
        .iter()
        .map(|a| dex_anomaly(path, a.code, a.detail.clone(), a.offset))
        .collect();
    let code = build_dex_code(path, &dex, &mut anomalies);
    let compiler = crate::compiler::detect(&dex.layout(), dex.string_data_in_id_order(), &code);
    let mut facts = DexFacts {
        entry: path.to_owned(),
        version: dex.version(),
        classes: to_u64(code.classes.len()),
        methods: to_u64(code.methods.len()),
        strings: to_u64(code.strings.len()),
        method_refs: to_u64(code.method_refs.len()),
        code_refs: to_u64(code.refs.len()),
        anomalies,
        ..DexFacts::default()
    };
    compiler.fill(&mut facts);
    Indexed {
        facts,
        code: Some(code),
    }
}

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Cap on anomalies kept per dex and code: a corrupt file could otherwise produce one per
/// method.
const MAX_ANOMALIES_PER_DEX: usize = 200;

fn build_dex_code(path: &str, dex: &Dex<'_>, anomalies: &mut Vec<AnomalyFact>) -> DexCode {
    let mut code = DexCode::default();
    path.clone_into(&mut code.entry);
    decode_tables(dex, &mut code);
    index_classes(path, dex, &mut code, anomalies);
    code
}

/// Copies the id tables (strings decoded once) and notes whether they are sorted.
fn decode_tables(dex: &Dex<'_>, code: &mut DexCode) {
    let strings_len = dex.strings_len();
    // Strings are decoded once here; the table is bounded by the dex size, which the container
    // already capped.
    let mut strings = StringTable::with_capacity(
        usize::try_from(strings_len).unwrap_or(0),
        dex.data().len() / 4,
    );
    let mut sorted = true;
    let mut previous: Option<&[u8]> = None;
    for idx in 0..strings_len {
        let raw = dex.string_bytes(idx);
        if let (Some(prev), Some(raw)) = (previous, raw) {
            // MUTF-8 byte order equals code-point order except around U+0000 and supplementary
            // characters, which real tables rarely hold; a false "unsorted" only costs speed.
            // The format sorts by UTF-16 code units; MUTF-8 byte order agrees except where a
            // string holds U+0000 (encoded C0 80), so only a byte-order violation is re-checked
            // on the decoded strings.
            if prev >= raw {
                let (a, b) = (
                    dex.string_bytes(idx - 1).map(decode_mutf8),
                    Some(decode_mutf8(raw)),
                );
                if !matches!((a, b), (Some(a), Some(b)) if a.encode_utf16().cmp(b.encode_utf16()).is_lt())
                {
                    sorted = false;
                }
            }
        }
        previous = raw;
        strings.push(&dex.string(idx).unwrap_or_default());
    }
    code.strings = strings;

    code.types = (0..dex.types_len())
        .map(|t| dex.type_descriptor_idx(t).unwrap_or(u32::MAX))
        .collect();
    sorted &= code.types.windows(2).all(|w| matches!(w, [a, b] if a < b));

    for p in 0..dex.protos_len() {
        let Some(proto) = dex.proto(p) else {
            code.protos.push(Proto::default());
            continue;
        };
        let start = to_u32(code.proto_params.len());
        if let Some(params) = dex.proto_parameters(p) {
            code.proto_params.extend(params.iter());
        }
        let len = to_u32(code.proto_params.len()).saturating_sub(start);
        code.protos.push(Proto {
            return_type: proto.return_type_idx,
            params_start: start,
            params_len: len,
        });
    }

    code.method_refs = (0..dex.methods_len())
        .map(|m| {
            dex.method_ref(m)
                .map_or(MemberRef::default(), |r| MemberRef {
                    class: r.class_idx,
                    name: r.name_idx,
                    descriptor: r.proto_idx,
                })
        })
        .collect();
    sorted &= code
        .method_refs
        .windows(2)
        .all(|w| matches!(w, [a, b] if a <= b));
    code.field_refs = (0..dex.fields_len())
        .map(|f| {
            dex.field_ref(f)
                .map_or(MemberRef::default(), |r| MemberRef {
                    class: r.class_idx,
                    name: r.name_idx,
                    descriptor: r.type_idx,
                })
        })
        .collect();
    sorted &= code
        .field_refs
        .windows(2)
        .all(|w| matches!(w, [a, b] if a <= b));
    code.sorted = sorted;
}

/// Records every class, its methods and the references their bytecode makes.
///
/// Work is bounded by the file, whatever its tables claim: ART defines each method id at most
/// once (its verifier rejects a class defining another class's method), so more method
/// definitions than method ids means class data is shared or corrupt and indexing stops; and the
/// bytecode scanned over all methods is capped at twice the file's size in code units, so code
/// items shared by many methods cannot multiply the work.
fn index_classes(path: &str, dex: &Dex<'_>, code: &mut DexCode, anomalies: &mut Vec<AnomalyFact>) {
    let method_budget = usize::try_from(dex.methods_len()).unwrap_or(usize::MAX);
    let mut code_budget = dex.data().len();
    let mut code_budget_spent = false;
    'classes: for class in dex.classes() {
        let class_index = to_u32(code.classes.len());
        for a in &class.anomalies {
            push_capped(
                anomalies,
                dex_anomaly(path, a.code, a.detail.clone(), a.offset),
            );
        }
        let interfaces_start = to_u32(code.class_interfaces.len());
        code.class_interfaces.extend(class.interfaces.iter());
        let methods_start = to_u32(code.methods.len());
        let class_refs_start = code.refs.len();
        for method in class.direct_methods.iter().chain(&class.virtual_methods) {
            if code.methods.len() >= method_budget {
                // Drop this class's partial records: every record keeps a valid class index.
                code.methods
                    .truncate(usize::try_from(methods_start).unwrap_or(usize::MAX));
                code.refs.truncate(class_refs_start);
                code.class_interfaces
                    .truncate(usize::try_from(interfaces_start).unwrap_or(usize::MAX));
                push_capped(
                    anomalies,
                    dex_anomaly(
                        path,
                        "method_definitions_exceed_ids",
                        format!(
                            "class data defines more methods than the {method_budget} method ids; \
                             indexing stopped at class {class_index} (ART would refuse this file)"
                        ),
                        None,
                    ),
                );
                break 'classes;
            }
            let refs_start = to_u32(code.refs.len());
            let mut code_units = 0;
            if let Some(body) = dex.code(method) {
                code_units = to_u32(body.insns_units());
                if let Some(left) = code_budget.checked_sub(body.insns_units()) {
                    code_budget = left;
                    let references = dex.references(&body);
                    code.refs
                        .extend(references.refs.iter().map(|&(pc, r)| code_ref(pc, r)));
                    for a in &references.anomalies {
                        push_capped(
                            anomalies,
                            dex_anomaly(path, a.code, a.detail.clone(), a.offset),
                        );
                    }
                } else if !code_budget_spent {
                    code_budget_spent = true;
                    push_capped(
                        anomalies,
                        dex_anomaly(
                            path,
                            "code_scan_budget_exceeded",
                            "methods share code items so often that scanning them all would read \
                             the bytecode many times over; the rest of the code is not indexed"
                                .to_owned(),
                            None,
                        ),
                    );
                }
            }
            code.methods.push(MethodRecord {
                class: class_index,
                method_ref: method.method_idx,
                access_flags: method.access_flags,
                code_units,
                refs_start,
                refs_len: to_u32(code.refs.len()).saturating_sub(refs_start),
            });
        }
        code.classes.push(ClassRecord {
            type_idx: class.class_idx,
            access_flags: class.access_flags,
            superclass: class.superclass_idx,
            interfaces_start,
            interfaces_len: to_u32(code.class_interfaces.len()).saturating_sub(interfaces_start),
            source_file: class.source_file_idx,
            methods_start,
            direct_methods: to_u32(class.direct_methods.len()),
            virtual_methods: to_u32(class.virtual_methods.len()),
        });
    }
}

fn push_capped(anomalies: &mut Vec<AnomalyFact>, anomaly: AnomalyFact) {
    if anomalies.len() < MAX_ANOMALIES_PER_DEX {
        anomalies.push(anomaly);
    }
}

fn code_ref(pc: u32, reference: Reference) -> CodeRef {
    let (kind, index) = match reference {
        Reference::Method { kind, method_idx } => (
            match kind {
                InvokeKind::Virtual => CodeRefKind::InvokeVirtual,
                InvokeKind::Super => CodeRefKind::InvokeSuper,
                InvokeKind::Direct => CodeRefKind::InvokeDirect,
                InvokeKind::Static => CodeRefKind::InvokeStatic,
                InvokeKind::Interface => CodeRefKind::InvokeInterface,
                InvokeKind::Polymorphic => CodeRefKind::InvokePolymorphic,
            },
            method_idx,
        ),
        Reference::CallSite(idx) => (CodeRefKind::InvokeCustom, idx),
        Reference::FieldRead {
            field_idx,
            is_static,
        } => (
            if is_static {
                CodeRefKind::StaticFieldRead
            } else {
                CodeRefKind::FieldRead
            },
            field_idx,
        ),
        Reference::FieldWrite {
            field_idx,
            is_static,
        } => (
            if is_static {
                CodeRefKind::StaticFieldWrite
            } else {
                CodeRefKind::FieldWrite
            },
            field_idx,
        ),
        Reference::String(idx) => (CodeRefKind::ConstString, idx),
        Reference::Type { kind, type_idx } => (
            match kind {
                TypeUse::ConstClass => CodeRefKind::ConstClass,
                TypeUse::NewInstance => CodeRefKind::NewInstance,
                _ => CodeRefKind::TypeUse,
            },
            type_idx,
        ),
        Reference::MethodHandle(idx) => (CodeRefKind::MethodHandle, idx),
        Reference::Proto(idx) => (CodeRefKind::MethodType, idx),
    };
    CodeRef { kind, index, pc }
}

/// Looks at every entry that is not a root `classes*.dex` and could hold code: entries whose
/// name promises code, everything stored uncompressed (sniffing it is free) and everything under
/// `assets/`. Returns the payloads found and the nested dex files to index.
fn find_hidden_code<'e>(apk: &'e Apk<'_>) -> (Vec<HiddenPayload>, Vec<DexSource<'e>>) {
    let mut payloads = Vec::new();
    let mut nested = Vec::new();
    if let Some(dex) = prepended_dex(apk.data()) {
        // Janus (CVE-2017-13156): Android before 8.1 could run this dex instead of the APK's.
        payloads.push(payload(
            PREPENDED_DEX,
            "dex",
            to_u64(dex.len()),
            true,
            "dex prepended to the zip (Janus): older Android runs it in place of the app's code"
                .to_owned(),
        ));
        nested.push(DexSource::Nested {
            path: PREPENDED_DEX.to_owned(),
            bytes: dex.to_vec(),
        });
    }
    for entry in apk.entries() {
        if entry.is_dir || multidex_index(&entry.name).is_some() {
            continue;
        }
        let lower = entry.name.to_ascii_lowercase();
        let promises_code = CODE_EXTENSIONS.iter().any(|ext| lower.ends_with(ext));
        let worth_sniffing = promises_code || !entry.is_deflated() || lower.starts_with("assets/");
        if !worth_sniffing || entry.uncompressed_size < 4 {
            continue;
        }
        let head = match apk.read_prefix(entry, SNIFF_LEN) {
            Ok(head) => head,
            Err(err) => {
                if promises_code {
                    payloads.push(payload(
                        &entry.name,
                        "unknown",
                        entry.uncompressed_size,
                        false,
                        err.to_string(),
                    ));
                }
                continue;
            }
        };
        if head.starts_with(DEX_MAGIC) {
            match apk.read(entry) {
                Ok(bytes) => {
                    payloads.push(payload(
                        &entry.name,
                        "dex",
                        to_u64(bytes.len()),
                        true,
                        "plain dex, indexed".into(),
                    ));
                    nested.push(DexSource::Nested {
                        path: entry.name.clone(),
                        bytes: bytes.into_owned(),
                    });
                }
                Err(err) => payloads.push(payload(
                    &entry.name,
                    "dex",
                    entry.uncompressed_size,
                    false,
                    err.to_string(),
                )),
            }
        } else if head.starts_with(ODEX_MAGIC) {
            payloads.push(payload(
                &entry.name,
                "odex",
                entry.uncompressed_size,
                false,
                "optimized dex (dey magic): not indexed".into(),
            ));
        } else if head.starts_with(ZIP_MAGIC) {
            open_nested_archive(apk, entry, &mut payloads, &mut nested);
        } else if promises_code {
            payloads.push(payload(
                &entry.name,
                "unknown",
                entry.uncompressed_size,
                false,
                format!(
                    "named like code but starts with {}: encrypted or an unknown format",
                    hex(&head)
                ),
            ));
        }
    }
    (payloads, nested)
}

/// How the report names a dex prepended to the zip.
const PREPENDED_DEX: &str = "<prepended>";
/// Offset of `file_size` in the dex header.
const DEX_FILE_SIZE_OFFSET: usize = 32;

/// The dex at the very start of an APK's bytes, cut at the size its header declares.
fn prepended_dex(data: &[u8]) -> Option<&[u8]> {
    if !data.starts_with(DEX_MAGIC) {
        return None;
    }
    let size = data.get(DEX_FILE_SIZE_OFFSET..DEX_FILE_SIZE_OFFSET + 4)?;
    let size = usize::try_from(u32::from_le_bytes(size.try_into().ok()?)).ok()?;
    Some(data.get(..size).unwrap_or(data))
}

fn open_nested_archive(
    apk: &Apk<'_>,
    entry: &Entry,
    payloads: &mut Vec<HiddenPayload>,
    nested: &mut Vec<DexSource<'_>>,
) {
    let bytes = match apk.read(entry) {
        Ok(bytes) => bytes,
        Err(err) => {
            payloads.push(payload(
                &entry.name,
                "zip",
                entry.uncompressed_size,
                false,
                err.to_string(),
            ));
            return;
        }
    };
    // The nested archive may inflate only what is left of the outer budget.
    let mut options = *apk.options();
    options.max_total_inflated = options
        .max_total_inflated
        .saturating_sub(apk.inflated_total());
    let inner = match Apk::parse_with(&bytes, options) {
        Ok(inner) => inner,
        Err(err) => {
            payloads.push(payload(
                &entry.name,
                "zip",
                to_u64(bytes.len()),
                false,
                format!("zip magic but unreadable: {err}"),
            ));
            return;
        }
    };
    let mut found = 0usize;
    for inner_entry in inner.entries() {
        let is_dex = inner_entry
            .name
            .rsplit('.')
            .next()
            .is_some_and(|e| e.eq_ignore_ascii_case("dex"));
        if inner_entry.is_dir || !is_dex {
            continue;
        }
        let path = format!("{}!{}", entry.name, inner_entry.name);
        if found >= MAX_NESTED_DEX_PER_ARCHIVE {
            payloads.push(payload(
                &path,
                "dex",
                inner_entry.uncompressed_size,
                false,
                "too many dex files in one nested archive".into(),
            ));
            continue;
        }
        found += 1;
        match inner.read(inner_entry) {
            Ok(dex) if dex.starts_with(DEX_MAGIC) => {
                payloads.push(payload(
                    &path,
                    "dex",
                    to_u64(dex.len()),
                    true,
                    "plain dex in a nested archive, indexed".into(),
                ));
                nested.push(DexSource::Nested {
                    path,
                    bytes: dex.into_owned(),
                });
            }
            Ok(dex) => payloads.push(payload(
                &path,
                "unknown",
                to_u64(dex.len()),
                false,
                format!(
                    "named .dex but starts with {}: encrypted or an unknown format",
                    hex(dex.get(..SNIFF_LEN).unwrap_or(&dex))
                ),
            )),
            Err(err) => payloads.push(payload(
                &path,
                "dex",
                inner_entry.uncompressed_size,
                false,
                err.to_string(),
            )),
        }
    }
    let detail = if found == 0 {
        "nested archive without dex".to_owned()
    } else {
        format!("nested archive with {found} dex file(s)")
    };
    payloads.push(payload(
        &entry.name,
        "zip",
        to_u64(bytes.len()),
        found > 0,
        detail,
    ));
}

fn payload(path: &str, format: &str, size: u64, parsed: bool, detail: String) -> HiddenPayload {
    HiddenPayload {
        path: path.to_owned(),
        format: format.to_owned(),
        size,
        parsed,
        detail,
    }
}
