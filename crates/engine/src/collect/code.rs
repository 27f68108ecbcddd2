//! Code: every dex file of the APK → [`CodeIndex`] and the report's `code` section.
//!
//! Each dex is inflated, parsed and indexed on its own rayon task, and its inflated bytes are
//! dropped as soon as its index is built, so peak memory is the index plus the dex files in
//! flight, not every dex at once. Dex found elsewhere (hidden in assets, in nested archives) is
//! only sniffed up front and read in its own task too; nested archives are opened one at a time.
//! The index is charged to the app's memory budget as it grows, and every loop over classes,
//! methods or entries stops early when the scan's deadline passes or its budget is exceeded.

use std::collections::HashMap;

use apkscope_apk::{Apk, Entry};
use apkscope_dex::{Dex, InvokeKind, ParseOptions, Reference, TypeList, TypeUse, decode_mutf8};
use apkscope_facts::code::{
    ClassRecord, CodeRef, CodeRefKind, DexCode, MemberRef, MethodRecord, Proto, StringTable,
};
use apkscope_facts::{AnomalyFact, CodeFacts, CodeIndex, DexFacts, HiddenPayload};
use rayon::prelude::*;

use super::multidex_index;
use super::values::{DexRoles, Sinks};
use super::versions::DexVersionTargets;
use crate::{Guard, hex};

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
/// Bytes of decoded text the string table makes room for at most per string, at first.
const STRING_BYTES_GUESS: usize = 64;
/// Loops check the deadline and the budget once per this many items.
const CHECK_EVERY: usize = 256;
/// What the class lookup map built on the first query holds per class besides the descriptor
/// text: the key's `String` header, the id and the table's own overhead.
const CLASS_MAP_BYTES_PER_CLASS: u64 = 64;

/// A dex to index: where it is, and how to get its bytes.
#[derive(Clone, Copy)]
enum DexSource<'e, 'a> {
    /// An entry of the APK, read in the task that indexes it.
    Entry(&'e Entry),
    /// Bytes of the input itself (a dex prepended to the zip).
    Input { path: &'static str, bytes: &'a [u8] },
}

impl DexSource<'_, '_> {
    fn name(&self) -> &str {
        match self {
            DexSource::Entry(entry) => &entry.name,
            DexSource::Input { path, .. } => path,
        }
    }
}

/// How each dex is indexed: the parser's options, and which calls get their arguments rebuilt.
#[derive(Clone, Copy)]
pub(crate) struct Indexing<'s> {
    pub(crate) parse: ParseOptions,
    pub(crate) sinks: &'s Sinks,
}

impl<'s> Indexing<'s> {
    pub(crate) fn new(verify_checksums: bool, sinks: &'s Sinks) -> Self {
        Self {
            parse: ParseOptions::default().verify_checksums(verify_checksums),
            sinks,
        }
    }
}

/// The result of indexing one dex.
struct Indexed {
    facts: DexFacts,
    code: Option<DexCode>,
    /// Bytes of the dex (its declared size when it could not be read).
    size: u64,
    /// Why its bytes could not be read.
    read_error: Option<String>,
}

/// Where a hidden payload or a hidden dex sits in the report's order: the prepended dex first,
/// then entries in central-directory order, a nested archive's dex before the archive itself.
type Order = (usize, usize, usize);
/// Items with their place in the report's order.
type Placed<T> = Vec<(Order, T)>;

const PREPENDED_ORDER: Order = (0, 0, 0);

fn entry_order(entry: &Entry, within: usize) -> Order {
    (1, entry.index, within)
}

/// Reads every dex of `apk` (root `classes*.dex` in multidex order, then dex hidden elsewhere)
/// into the index and the report's code section.
///
/// Once the guard says stop (deadline passed, budget exceeded), the dex files not yet started
/// are skipped and the one in progress stops at its next check: the caller checks the guard
/// again and discards the partial result.
pub(crate) fn collect_code(
    apk: &Apk<'_>,
    options: Indexing<'_>,
    guard: &Guard,
) -> (CodeFacts, CodeIndex) {
    let mut root: Vec<(u32, &Entry)> = apk
        .entries()
        .iter()
        .filter_map(|e| multidex_index(&e.name).map(|i| (i, e)))
        .collect();
    root.sort_by_key(|(i, e)| (*i, e.index));
    // A duplicate `classesN.dex` name: the first is what the lookup (and this report) uses.
    root.dedup_by_key(|(i, _)| *i);

    let hidden = find_hidden_code(apk, guard);

    // Root dex, the prepended dex and plain dex hidden in entries: one task each.
    let mut sources: Vec<(Option<Order>, DexSource<'_, '_>)> = root
        .into_iter()
        .map(|(_, e)| (None, DexSource::Entry(e)))
        .collect();
    if let Some(bytes) = hidden.prepended {
        sources.push((
            Some(PREPENDED_ORDER),
            DexSource::Input {
                path: PREPENDED_DEX,
                bytes,
            },
        ));
    }
    sources.extend(
        hidden
            .plain
            .iter()
            .map(|&e| (Some(entry_order(e, 0)), DexSource::Entry(e))),
    );
    let mut payloads = hidden.payloads;
    let indexed: Vec<(Option<Order>, Indexed)> = sources
        .into_par_iter()
        .map(|(order, source)| {
            let indexed = if guard.should_stop() {
                unreadable(
                    source.name(),
                    "dex_skipped_limit",
                    "the scan ran out of time or memory",
                )
            } else {
                index_source(apk, source, options, guard)
            };
            (order, indexed)
        })
        .collect();
    let (root_indexed, mut hidden_indexed): (Vec<_>, Vec<_>) =
        indexed.into_iter().partition(|(order, _)| order.is_none());
    for (order, indexed) in &hidden_indexed {
        let Some(order) = *order else { continue };
        let (parsed, detail) = match &indexed.read_error {
            Some(err) => (false, err.clone()),
            None if order == PREPENDED_ORDER => (
                true,
                "dex prepended to the zip (Janus): older Android runs it in place of the app's code"
                    .to_owned(),
            ),
            None => (true, "plain dex, indexed".to_owned()),
        };
        payloads.push((
            order,
            payload(&indexed.facts.entry, "dex", indexed.size, parsed, detail),
        ));
    }

    // Nested archives, one at a time: the archive's bytes and its dex in flight, no more.
    for &archive in &hidden.archives {
        if guard.should_stop() {
            break;
        }
        let (found, indexed) = index_nested_archive(apk, archive, options, guard);
        payloads.extend(found);
        hidden_indexed.extend(indexed.into_iter().map(|(order, i)| (Some(order), i)));
    }
    payloads.sort_by_key(|(order, _)| *order);
    hidden_indexed.sort_by_key(|(order, _)| *order);

    let mut facts = CodeFacts {
        analysed: true,
        hidden_payloads: payloads.into_iter().map(|(_, p)| p).collect(),
        ..CodeFacts::default()
    };
    let mut dex_codes = Vec::with_capacity(root_indexed.len() + hidden_indexed.len());
    // A hidden dex that could not be read is a payload only; a root one is a dex with an anomaly.
    let hidden_read = hidden_indexed
        .into_iter()
        .filter(|(_, indexed)| indexed.read_error.is_none());
    for (
        _,
        Indexed {
            facts: dex_facts,
            code,
            ..
        },
    ) in root_indexed.into_iter().chain(hidden_read)
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
    options: Indexing<'_>,
    guard: &Guard,
) -> (CodeFacts, CodeIndex) {
    let Indexed {
        facts: dex_facts,
        code,
        ..
    } = index_dex(name, data, options, guard);
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

fn index_source(
    apk: &Apk<'_>,
    source: DexSource<'_, '_>,
    options: Indexing<'_>,
    guard: &Guard,
) -> Indexed {
    match source {
        DexSource::Entry(entry) => match apk.read(entry) {
            Ok(bytes) => index_dex(&entry.name, &bytes, options, guard),
            Err(err) => {
                let err = err.to_string();
                let mut indexed = unreadable(&entry.name, "dex_entry_unreadable", &err);
                indexed.size = entry.uncompressed_size;
                indexed.read_error = Some(err);
                indexed
            }
        },
        DexSource::Input { path, bytes } => index_dex(path, bytes, options, guard),
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
        size: 0,
        read_error: None,
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
fn index_dex(path: &str, bytes: &[u8], options: Indexing<'_>, guard: &Guard) -> Indexed {
    let size = to_u64(bytes.len());
    let dex = match Dex::parse_with(bytes, options.parse) {
        Ok(dex) => dex,
        Err(err) => {
            let mut indexed = unreadable(path, "dex_unparseable", &err.to_string());
            indexed.size = size;
            return indexed;
        }
    };
    let mut anomalies: Vec<AnomalyFact> = dex
        .anomalies()
        .iter()
        .map(|a| dex_anomaly(path, a.code, a.detail.clone(), a.offset))
        .collect();
    let code = build_dex_code(path, &dex, &mut anomalies, options.sinks, guard);
    let compiler = super::compiler::detect(&dex.layout(), dex.string_data_in_id_order(), &code);
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
        size,
        read_error: None,
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

/// Charges the app's memory budget for one dex's index as it grows: tables of known length
/// before they are allocated, growing ones at each check. Once the budget refuses or the
/// deadline passes, [`Meter::go_on`] says stop and indexing returns what it has; the scan then
/// fails at its next checkpoint, so the partial index is never reported.
struct Meter<'g> {
    guard: &'g Guard,
    charged: u64,
    stopped: bool,
}

impl<'g> Meter<'g> {
    fn new(guard: &'g Guard) -> Self {
        Self {
            guard,
            charged: 0,
            stopped: false,
        }
    }

    /// Charges `bytes` about to be allocated; false when they do not fit.
    fn reserve(&mut self, bytes: u64) -> bool {
        if self.stopped || self.guard.charge(bytes, "indexing the code").is_err() {
            self.stopped = true;
            return false;
        }
        self.charged = self.charged.saturating_add(bytes);
        true
    }

    /// Brings the charge up to what `code` holds now; false when that does not fit or the
    /// scan must stop for another reason.
    fn sync(&mut self, code: &DexCode) -> bool {
        let held = code.heap_bytes();
        if held > self.charged && !self.reserve(held.saturating_sub(self.charged)) {
            return false;
        }
        self.go_on()
    }

    fn go_on(&mut self) -> bool {
        if !self.stopped && self.guard.should_stop() {
            self.stopped = true;
        }
        !self.stopped
    }
}

fn build_dex_code(
    path: &str,
    dex: &Dex<'_>,
    anomalies: &mut Vec<AnomalyFact>,
    sinks: &Sinks,
    guard: &Guard,
) -> DexCode {
    let mut meter = Meter::new(guard);
    let mut code = DexCode::default();
    path.clone_into(&mut code.entry);
    if decode_tables(path, dex, &mut code, anomalies, &mut meter) {
        let roles = DexRoles::new(&code, sinks);
        let versions = DexVersionTargets::new(&code, &sinks.versions);
        let plan = ClassPlan {
            roles: &roles,
            versions: &versions,
        };
        index_classes(path, dex, &mut code, anomalies, &mut meter, plan);
    }
    // The class lookup map the first query builds holds each loaded class once.
    let _ = meter.reserve(
        to_u64(code.classes.len())
            .saturating_mul(CLASS_MAP_BYTES_PER_CLASS)
            .saturating_add(to_u64(code.classes.len()).saturating_mul(32)),
    );
    code
}

/// Decodes every string once, and says whether they are in the order the format requires.
/// `None` when the meter stopped it.
fn decode_strings(dex: &Dex<'_>, meter: &mut Meter<'_>) -> Option<(StringTable, bool)> {
    let strings_len = dex.strings_len();
    let count = usize::try_from(strings_len).unwrap_or(0);
    // A first guess at the decoded text: a quarter of the file (about what real tables hold),
    // but no more than a generous length per string, so a file of few strings reserves little;
    // it grows as needed, and each growth is charged at the next check.
    let text = count
        .saturating_mul(STRING_BYTES_GUESS)
        .min(dex.data().len() / 4);
    if !meter.reserve(to_u64(
        count
            .saturating_mul(size_of::<usize>())
            .saturating_add(text),
    )) {
        return None;
    }
    let mut strings = StringTable::with_capacity(count, text);
    let mut sorted = true;
    let mut previous: Option<&[u8]> = None;
    for idx in 0..strings_len {
        if usize::try_from(idx).unwrap_or(0) % (CHECK_EVERY * 16) == 0 && !meter.go_on() {
            return None;
        }
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
    Some((strings, sorted))
}

/// Copies the id tables (strings decoded once) and notes whether they are sorted. Returns
/// false when the meter stopped it.
fn decode_tables(
    path: &str,
    dex: &Dex<'_>,
    code: &mut DexCode,
    anomalies: &mut Vec<AnomalyFact>,
    meter: &mut Meter<'_>,
) -> bool {
    let Some((strings, mut sorted)) = decode_strings(dex, meter) else {
        return false;
    };
    code.strings = strings;
    if !meter.sync(code) {
        return false;
    }

    let u32_size = to_u64(size_of::<u32>());
    if !meter.reserve(u64::from(dex.types_len()).saturating_mul(u32_size)) {
        return false;
    }
    code.types = (0..dex.types_len())
        .map(|t| dex.type_descriptor_idx(t).unwrap_or(u32::MAX))
        .collect();
    sorted &= code.types.windows(2).all(|w| matches!(w, [a, b] if a < b));

    let mut lists = TypeLists::new(dex);
    if !meter.reserve(u64::from(dex.protos_len()).saturating_mul(to_u64(size_of::<Proto>()))) {
        return false;
    }
    code.protos
        .reserve_exact(usize::try_from(dex.protos_len()).unwrap_or(0));
    for p in 0..dex.protos_len() {
        let Some(proto) = dex.proto(p) else {
            code.protos.push(Proto::default());
            continue;
        };
        let (params_start, params_len) = lists.copy(
            proto.parameters_off,
            dex.proto_parameters(p),
            &mut code.proto_params,
        );
        code.protos.push(Proto {
            return_type: proto.return_type_idx,
            params_start,
            params_len,
        });
        if usize::try_from(p).unwrap_or(0) % CHECK_EVERY == 0 && !meter.sync(code) {
            return false;
        }
    }
    lists.report(path, "proto parameters", anomalies);

    let member_size = to_u64(size_of::<MemberRef>());
    if !meter.reserve(u64::from(dex.methods_len()).saturating_mul(member_size)) {
        return false;
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
    if !meter.reserve(u64::from(dex.fields_len()).saturating_mul(member_size)) {
        return false;
    }
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
    meter.sync(code)
}

/// Copies `type_list`s into an index table once per file offset, and no more entries in all
/// than the file could hold without overlapping lists.
///
/// Protos and classes often share a list (every `(Landroid/content/Context;)V` proto points at
/// one); copying it per user would let a 35 KB file whose 65,535 protos point at one
/// 65,535-entry list expand to 4 billion entries. ART's verifier requires map items not to
/// overlap, so more entries than the file has room for proves lists overlap: the rest are left
/// empty and the dex gets a `type_lists_overlap` anomaly.
struct TypeLists {
    copied: HashMap<u32, (u32, u32)>,
    entries_left: usize,
    refused: usize,
}

impl TypeLists {
    fn new(dex: &Dex<'_>) -> Self {
        Self {
            copied: HashMap::new(),
            // Each entry takes two bytes in the file.
            entries_left: dex.data().len() / 2,
            refused: 0,
        }
    }

    /// The (start, len) of the list at `offset` in `table`, copying it on first sight.
    fn copy(
        &mut self,
        offset: u32,
        list: Option<TypeList<'_>>,
        table: &mut Vec<u32>,
    ) -> (u32, u32) {
        if let Some(&range) = self.copied.get(&offset) {
            return range;
        }
        let Some(list) = list else {
            return (to_u32(table.len()), 0);
        };
        let Some(left) = self.entries_left.checked_sub(list.len()) else {
            self.refused = self.refused.saturating_add(1);
            return (to_u32(table.len()), 0);
        };
        self.entries_left = left;
        let start = to_u32(table.len());
        table.extend(list.iter());
        let range = (start, to_u32(table.len()).saturating_sub(start));
        self.copied.insert(offset, range);
        range
    }

    fn report(&mut self, path: &str, what: &str, anomalies: &mut Vec<AnomalyFact>) {
        if self.refused > 0 {
            push_capped(
                anomalies,
                dex_anomaly(
                    path,
                    "type_lists_overlap",
                    format!(
                        "{} {what} lists left empty: the type lists hold more entries than the \
                         file has room for, so they overlap (ART refuses overlapping items)",
                        self.refused
                    ),
                    None,
                ),
            );
            self.refused = 0;
        }
    }
}

/// Records every class, its methods and the references their bytecode makes.
///
/// Work is bounded by the file, whatever its tables claim: ART defines each method id at most
/// once (its verifier rejects a class defining another class's method), so more method
/// definitions than method ids means class data is shared or corrupt and indexing stops; and the
/// bytecode scanned over all methods is capped at twice the file's size in code units, so code
/// items shared by many methods cannot multiply the work.
fn index_classes(
    path: &str,
    dex: &Dex<'_>,
    code: &mut DexCode,
    anomalies: &mut Vec<AnomalyFact>,
    meter: &mut Meter<'_>,
    plan: ClassPlan<'_>,
) {
    let roles = plan.roles;
    let mut tracker = apkscope_dex::values::Tracker::new();
    let method_budget = usize::try_from(dex.methods_len()).unwrap_or(usize::MAX);
    let mut bytecode = BytecodeBudget {
        code_units_left: dex.data().len(),
        spent: false,
    };
    let mut lists = TypeLists::new(dex);
    let mut since_check = 0usize;
    'classes: for class in dex.classes() {
        if !meter.sync(code) {
            break;
        }
        let class_index = to_u32(code.classes.len());
        for a in &class.anomalies {
            push_capped(
                anomalies,
                dex_anomaly(path, a.code, a.detail.clone(), a.offset),
            );
        }
        let interfaces_before = code.class_interfaces.len();
        let (interfaces_start, interfaces_len) = lists.copy(
            class.interfaces_off,
            Some(class.interfaces),
            &mut code.class_interfaces,
        );
        let methods_start = to_u32(code.methods.len());
        let class_refs_start = code.refs.len();
        for method in class.direct_methods.iter().chain(&class.virtual_methods) {
            since_check += 1;
            if since_check >= CHECK_EVERY {
                since_check = 0;
                if !meter.sync(code) {
                    break 'classes;
                }
            }
            if code.methods.len() >= method_budget {
                // Drop this class's partial records: every record keeps a valid class index.
                code.methods
                    .truncate(usize::try_from(methods_start).unwrap_or(usize::MAX));
                code.refs.truncate(class_refs_start);
                code.class_interfaces.truncate(interfaces_before);
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
            let code_units = bytecode.index(path, dex, method, code, anomalies);
            code.methods.push(MethodRecord {
                class: class_index,
                method_ref: method.method_idx,
                access_flags: method.access_flags,
                code_units,
                refs_start,
                refs_len: to_u32(code.refs.len()).saturating_sub(refs_start),
            });
            if code_units > 0
                && !bytecode.spent
                && let Some(body) = dex.code(method)
            {
                let record = to_u32(code.methods.len().saturating_sub(1));
                super::values::track_method(dex, &body, method, record, code, roles, &mut tracker);
            }
        }
        plan.versions.read_class(dex, &class, code, &mut tracker);
        code.classes.push(ClassRecord {
            type_idx: class.class_idx,
            access_flags: class.access_flags,
            superclass: class.superclass_idx,
            interfaces_start,
            interfaces_len,
            source_file: class.source_file_idx,
            methods_start,
            direct_methods: to_u32(class.direct_methods.len()),
            virtual_methods: to_u32(class.virtual_methods.len()),
        });
    }
    lists.report(path, "class interface", anomalies);
}

/// What indexing does with each class besides recording it: the calls whose arguments it
/// rebuilds, and the SDK version sources it reads.
#[derive(Clone, Copy)]
struct ClassPlan<'p> {
    roles: &'p DexRoles,
    versions: &'p DexVersionTargets,
}

/// The bytecode one dex may have scanned: twice the file's size in code units, so code items
/// shared by many methods cannot multiply the work.
struct BytecodeBudget {
    code_units_left: usize,
    spent: bool,
}

impl BytecodeBudget {
    /// Appends the references of `method`'s code to `code.refs` while the budget lasts;
    /// returns the method's size in code units.
    fn index(
        &mut self,
        path: &str,
        dex: &Dex<'_>,
        method: &apkscope_dex::EncodedMethod,
        code: &mut DexCode,
        anomalies: &mut Vec<AnomalyFact>,
    ) -> u32 {
        let Some(body) = dex.code(method) else {
            return 0;
        };
        if let Some(left) = self.code_units_left.checked_sub(body.insns_units()) {
            self.code_units_left = left;
            let references = dex.references(&body);
            code.refs
                .extend(references.refs.iter().map(|&(pc, r)| code_ref(pc, r)));
            for a in &references.anomalies {
                push_capped(
                    anomalies,
                    dex_anomaly(path, a.code, a.detail.clone(), a.offset),
                );
            }
        } else if !self.spent {
            self.spent = true;
            push_capped(
                anomalies,
                dex_anomaly(
                    path,
                    "code_scan_budget_exceeded",
                    "methods share code items so often that scanning them all would read the \
                     bytecode many times over; the rest of the code is not indexed"
                        .to_owned(),
                    None,
                ),
            );
        }
        to_u32(body.insns_units())
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

/// What the sniffing pass found outside the root `classes*.dex`.
struct HiddenCode<'e, 'a> {
    /// Payloads already described (odex, unknown formats, unreadable entries).
    payloads: Vec<(Order, HiddenPayload)>,
    /// A dex prepended to the zip (Janus).
    prepended: Option<&'a [u8]>,
    /// Entries that start with the dex magic.
    plain: Vec<&'e Entry>,
    /// Entries that start with the zip magic.
    archives: Vec<&'e Entry>,
}

/// Looks at every entry that is not a root `classes*.dex` and could hold code: entries whose
/// name promises code, everything stored uncompressed (sniffing it is free) and everything under
/// `assets/`. Only the first bytes of each are read here; dex and archives are read later, one
/// task each, so their bytes are never all held at once.
fn find_hidden_code<'e, 'a>(apk: &'e Apk<'a>, guard: &Guard) -> HiddenCode<'e, 'a> {
    let mut hidden = HiddenCode {
        payloads: Vec::new(),
        prepended: prepended_dex(apk.data()),
        plain: Vec::new(),
        archives: Vec::new(),
    };
    for (i, entry) in apk.entries().iter().enumerate() {
        if i % CHECK_EVERY == 0 && guard.should_stop() {
            break;
        }
        if entry.is_dir || multidex_index(&entry.name).is_some() {
            continue;
        }
        let lower = entry.name.to_ascii_lowercase();
        let promises_code = CODE_EXTENSIONS.iter().any(|ext| lower.ends_with(ext));
        let worth_sniffing = promises_code || !entry.is_deflated() || lower.starts_with("assets/");
        if !worth_sniffing || entry.uncompressed_size < 4 {
            continue;
        }
        let order = entry_order(entry, usize::MAX);
        let head = match apk.read_prefix(entry, SNIFF_LEN) {
            Ok(head) => head,
            Err(err) => {
                if promises_code {
                    hidden.payloads.push((
                        order,
                        payload(
                            &entry.name,
                            "unknown",
                            entry.uncompressed_size,
                            false,
                            err.to_string(),
                        ),
                    ));
                }
                continue;
            }
        };
        if head.starts_with(DEX_MAGIC) {
            hidden.plain.push(entry);
        } else if head.starts_with(ODEX_MAGIC) {
            hidden.payloads.push((
                order,
                payload(
                    &entry.name,
                    "odex",
                    entry.uncompressed_size,
                    false,
                    "optimized dex (dey magic): not indexed".into(),
                ),
            ));
        } else if head.starts_with(ZIP_MAGIC) {
            hidden.archives.push(entry);
        } else if promises_code {
            hidden.payloads.push((
                order,
                payload(
                    &entry.name,
                    "unknown",
                    entry.uncompressed_size,
                    false,
                    format!(
                        "named like code but starts with {}: encrypted or an unknown format",
                        hex(&head)
                    ),
                ),
            ));
        }
    }
    hidden
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

/// Opens the archive in `entry` (sharing the app's inflation total, memory budget and
/// deadline) and indexes its dex files, each read in its own task.
fn index_nested_archive(
    apk: &Apk<'_>,
    entry: &Entry,
    options: Indexing<'_>,
    guard: &Guard,
) -> (Placed<HiddenPayload>, Placed<Indexed>) {
    let archive_order = entry_order(entry, usize::MAX);
    let bytes = match apk.read(entry) {
        Ok(bytes) => bytes,
        Err(err) => {
            let described = payload(
                &entry.name,
                "zip",
                entry.uncompressed_size,
                false,
                err.to_string(),
            );
            return (vec![(archive_order, described)], Vec::new());
        }
    };
    let inner = match apk.parse_nested(&bytes) {
        Ok(inner) => inner,
        Err(err) => {
            let described = payload(
                &entry.name,
                "zip",
                to_u64(bytes.len()),
                false,
                format!("zip magic but unreadable: {err}"),
            );
            return (vec![(archive_order, described)], Vec::new());
        }
    };
    let mut payloads = Vec::new();
    let mut dex_entries = Vec::new();
    for inner_entry in inner.entries() {
        let is_dex = inner_entry
            .name
            .rsplit('.')
            .next()
            .is_some_and(|e| e.eq_ignore_ascii_case("dex"));
        if inner_entry.is_dir || !is_dex {
            continue;
        }
        let order = entry_order(entry, inner_entry.index);
        if dex_entries.len() >= MAX_NESTED_DEX_PER_ARCHIVE {
            payloads.push((
                order,
                payload(
                    &nested_path(entry, inner_entry),
                    "dex",
                    inner_entry.uncompressed_size,
                    false,
                    "too many dex files in one nested archive".into(),
                ),
            ));
            continue;
        }
        dex_entries.push(inner_entry);
    }
    let found = dex_entries.len();
    let results: Vec<(Order, HiddenPayload, Option<Indexed>)> = dex_entries
        .into_par_iter()
        .map(|inner_entry| index_nested_dex(&inner, entry, inner_entry, options, guard))
        .collect();
    let mut indexed = Vec::new();
    for (order, described, dex) in results {
        payloads.push((order, described));
        if let Some(dex) = dex {
            indexed.push((order, dex));
        }
    }
    let detail = if found == 0 {
        "nested archive without dex".to_owned()
    } else {
        format!("nested archive with {found} dex file(s)")
    };
    payloads.push((
        archive_order,
        payload(&entry.name, "zip", to_u64(bytes.len()), found > 0, detail),
    ));
    (payloads, indexed)
}

/// Reads and indexes one dex of a nested archive.
fn index_nested_dex(
    inner: &Apk<'_>,
    entry: &Entry,
    inner_entry: &Entry,
    options: Indexing<'_>,
    guard: &Guard,
) -> (Order, HiddenPayload, Option<Indexed>) {
    let path = nested_path(entry, inner_entry);
    let order = entry_order(entry, inner_entry.index);
    if guard.should_stop() {
        let skipped = payload(
            &path,
            "dex",
            inner_entry.uncompressed_size,
            false,
            "not read: the scan ran out of time or memory".into(),
        );
        return (order, skipped, None);
    }
    match inner.read(inner_entry) {
        Ok(dex) if dex.starts_with(DEX_MAGIC) => {
            let described = payload(
                &path,
                "dex",
                to_u64(dex.len()),
                true,
                "plain dex in a nested archive, indexed".into(),
            );
            (
                order,
                described,
                Some(index_dex(&path, &dex, options, guard)),
            )
        }
        Ok(dex) => {
            let described = payload(
                &path,
                "unknown",
                to_u64(dex.len()),
                false,
                format!(
                    "named .dex but starts with {}: encrypted or an unknown format",
                    hex(dex.get(..SNIFF_LEN).unwrap_or(&dex))
                ),
            );
            (order, described, None)
        }
        Err(err) => {
            let described = payload(
                &path,
                "dex",
                inner_entry.uncompressed_size,
                false,
                err.to_string(),
            );
            (order, described, None)
        }
    }
}

fn nested_path(outer: &Entry, inner: &Entry) -> String {
    format!("{}!{}", outer.name, inner.name)
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
