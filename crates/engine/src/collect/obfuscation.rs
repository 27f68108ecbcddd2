//! Signs of obfuscation over the code index: short names, string decryptors, reflection and
//! dynamic loading, `DexGuard`'s traits.
//!
//! One pass over each dex (in parallel) counts everything; the verdicts are thresholds over the
//! sums. Only the app's own code is counted (classes outside the platform and language
//! packages): an obfuscated app still links an unobfuscated framework.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use apkscope_facts::code::{CodeRefKind, DexCode};
use apkscope_facts::{CodeIndex, DexFacts, ObfuscationFacts, StringDecryptor};
use rayon::prelude::*;

use crate::Guard;

/// Packages that belong to the platform or the language, not to the app.
const PLATFORM_PREFIXES: &[&str] = &[
    "Landroid/",
    "Landroidx/",
    "Lkotlin/",
    "Lkotlinx/",
    "Ljava/",
    "Ljavax/",
    "Ldalvik/",
    "Lsun/",
    "Lorg/json/",
    "Lorg/xml/",
    "Lorg/w3c/",
];

const STRING: &str = "Ljava/lang/String;";
/// Parameter types a decryptor takes: the constant (string, bytes, chars) or an index or key.
const DECRYPTOR_PARAMS: &[&str] = &[STRING, "[B", "[C", "I", "J", "S", "C", "B", "[I"];
const MAX_DECRYPTOR_PARAMS: usize = 3;
/// Call sites below which a static `…→String` method is not worth reporting.
const MIN_DECRYPTOR_SITES: u64 = 10;
/// Call sites from which a decryptor fed with opaque constants makes a verdict.
const DECRYPTOR_VERDICT_SITES: u64 = 20;
/// Call sites from which an index-taking decryptor with a short name makes a verdict.
const INDEXED_DECRYPTOR_VERDICT_SITES: u64 = 50;
const MAX_DECRYPTORS: usize = 5;

/// Short-name verdict: at least this many classes, this share (percent) of them short.
const MIN_CLASSES: u64 = 10;
const SHORT_CLASS_PERCENT: u64 = 30;
const MIN_METHODS: u64 = 50;
const SHORT_METHOD_PERCENT: u64 = 40;
/// Reflection verdict: at least this many reflective sites, this share (per mille) of calls.
const MIN_REFLECTION_SITES: u64 = 20;
const REFLECTION_PER_MILLE: u64 = 10;
/// `DexGuard`: classes flattened into the one-letter package `o`.
const DEXGUARD_PACKAGE: &str = "Lo/";
const MIN_DEXGUARD_CLASSES: u64 = 10;
const MIN_NON_ASCII_NAMES: u64 = 3;
/// Cap on library names kept.
const MAX_FOREIGN_LIBRARIES: usize = 32;

const CLASS_FOR_NAME: &[&str] = &[
    "Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;",
    "Ljava/lang/Class;->forName(Ljava/lang/String;ZLjava/lang/ClassLoader;)Ljava/lang/Class;",
];
const REFLECTIVE_CALLS: &[&str] = &[
    "Ljava/lang/reflect/Method;->invoke(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;",
    "Ljava/lang/reflect/Constructor;->newInstance([Ljava/lang/Object;)Ljava/lang/Object;",
];
const LOAD_CLASS: &[&str] = &[
    "Ljava/lang/ClassLoader;->loadClass(Ljava/lang/String;)Ljava/lang/Class;",
    "Ldalvik/system/DexClassLoader;->loadClass(Ljava/lang/String;)Ljava/lang/Class;",
    "Ldalvik/system/PathClassLoader;->loadClass(Ljava/lang/String;)Ljava/lang/Class;",
];
const LOAD_LIBRARY: &str = "Ljava/lang/System;->loadLibrary(Ljava/lang/String;)V";
const CLASS_LOADERS: &[&str] = &[
    "Ldalvik/system/DexClassLoader;",
    "Ldalvik/system/InMemoryDexClassLoader;",
    "Ldalvik/system/PathClassLoader;",
    "Ldalvik/system/BaseDexClassLoader;",
    "Ldalvik/system/DelegateLastClassLoader;",
];

/// What a reflective call site counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reflective {
    ForName,
    Call,
    LoadClass,
    LoadLibrary,
}

/// Counts of one dex.
#[derive(Debug, Default)]
struct Counts {
    classes: u64,
    short_classes: u64,
    methods: u64,
    short_methods: u64,
    fields: u64,
    short_fields: u64,
    non_ascii: u64,
    dexguard_classes: u64,
    calls: u64,
    class_for_name: u64,
    reflective_calls: u64,
    load_class: u64,
    class_loaders: u64,
    libraries: BTreeSet<String>,
    /// Decryptor candidates by signature: (sites, const-string arguments, opaque ones).
    decryptors: BTreeMap<String, (u64, u64, u64)>,
}

impl Counts {
    fn add(mut self, other: Self) -> Self {
        self.classes += other.classes;
        self.short_classes += other.short_classes;
        self.methods += other.methods;
        self.short_methods += other.short_methods;
        self.fields += other.fields;
        self.short_fields += other.short_fields;
        self.non_ascii += other.non_ascii;
        self.dexguard_classes += other.dexguard_classes;
        self.calls += other.calls;
        self.class_for_name += other.class_for_name;
        self.reflective_calls += other.reflective_calls;
        self.load_class += other.load_class;
        self.class_loaders += other.class_loaders;
        self.libraries.extend(other.libraries);
        for (method, (a, b, c)) in other.decryptors {
            let entry = self.decryptors.entry(method).or_default();
            entry.0 += a;
            entry.1 += b;
            entry.2 += c;
        }
        self
    }
}

/// Obfuscation signals of the app whose code is `index`; `dex` are its dex facts (for the
/// compiler), `native_libs` the `*.so` entries of the APK.
/// Dex files not started when `guard` says stop are not counted (the caller then fails the
/// scan).
pub(crate) fn detect(
    index: &CodeIndex,
    dex: &[DexFacts],
    native_libs: &[String],
    guard: &Guard,
) -> ObfuscationFacts {
    let counts = index
        .dex
        .par_iter()
        .map(|code| {
            if guard.should_stop() {
                Counts::default()
            } else {
                count_dex(code)
            }
        })
        .reduce(Counts::default, Counts::add);
    verdicts(counts, dex, native_libs)
}

fn is_platform(descriptor: &str) -> bool {
    PLATFORM_PREFIXES.iter().any(|p| descriptor.starts_with(p))
}

/// The simple name of a class descriptor: after the last `/` and `$`, without `;`.
fn simple_name(descriptor: &str) -> &str {
    let inner = descriptor.strip_suffix(';').unwrap_or(descriptor);
    let after_slash = inner.rsplit('/').next().unwrap_or(inner);
    let after_slash = after_slash
        .strip_prefix('L')
        .filter(|_| !inner.contains('/'))
        .unwrap_or(after_slash);
    after_slash.rsplit('$').next().unwrap_or(after_slash)
}

/// Resource classes (`R`, `R$id` …) have short names by design.
fn is_resource_class(descriptor: &str) -> bool {
    descriptor.ends_with("/R;") || descriptor.contains("/R$") || descriptor == "LR;"
}

fn is_short(name: &str) -> bool {
    !name.is_empty() && name.chars().count() <= 2
}

fn count_dex(code: &DexCode) -> Counts {
    let mut c = Counts::default();
    // Which of this dex's classes are the app's own.
    let mut app_class = vec![false; code.classes.len()];
    for (class, own) in code.classes.iter().zip(app_class.iter_mut()) {
        let Some(descriptor) = code.type_descriptor(class.type_idx) else {
            continue;
        };
        if is_platform(descriptor) {
            continue;
        }
        *own = true;
        let name = simple_name(descriptor);
        if is_resource_class(descriptor) || name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        c.classes += 1;
        if is_short(name) {
            c.short_classes += 1;
            c.non_ascii += u64::from(!name.is_ascii());
            if descriptor.starts_with(DEXGUARD_PACKAGE) {
                c.dexguard_classes += 1;
            }
        }
    }
    for method in &code.methods {
        if !index_flag(&app_class, method.class) {
            continue;
        }
        let Some(name) = code
            .method_refs
            .get(usize_of(method.method_ref))
            .and_then(|m| code.string(m.name))
        else {
            continue;
        };
        if name.starts_with('<') {
            continue;
        }
        c.methods += 1;
        if is_short(name) {
            c.short_methods += 1;
            c.non_ascii += u64::from(!name.is_ascii());
        }
    }
    for field in &code.field_refs {
        let own = code
            .type_descriptor(field.class)
            .is_some_and(|d| !is_platform(d) && !is_resource_class(d));
        if !own {
            continue;
        }
        let Some(name) = code.string(field.name) else {
            continue;
        };
        c.fields += 1;
        if is_short(name) {
            c.short_fields += 1;
            c.non_ascii += u64::from(!name.is_ascii());
        }
    }
    count_calls(code, &app_class, &mut c);
    c
}

fn usize_of(i: u32) -> usize {
    usize::try_from(i).unwrap_or(usize::MAX)
}

fn index_flag(flags: &[bool], i: u32) -> bool {
    flags.get(usize_of(i)).copied().unwrap_or(false)
}

/// Whether method ref `m` looks like a decryptor: the app's own static-callable method that
/// turns a constant into a string.
fn is_decryptor_shape(code: &DexCode, m: &apkscope_facts::code::MemberRef) -> bool {
    let Some(class) = code.type_descriptor(m.class) else {
        return false;
    };
    if is_platform(class) {
        return false;
    }
    let Some(proto) = code.protos.get(usize_of(m.descriptor)) else {
        return false;
    };
    if code.type_descriptor(proto.return_type) != Some(STRING) {
        return false;
    }
    let len = usize_of(proto.params_len);
    if len == 0 || len > MAX_DECRYPTOR_PARAMS {
        return false;
    }
    let start = usize_of(proto.params_start);
    let Some(params) = start
        .checked_add(len)
        .and_then(|end| code.proto_params.get(start..end))
    else {
        return false;
    };
    params.iter().all(|&p| {
        code.type_descriptor(p)
            .is_some_and(|d| DECRYPTOR_PARAMS.contains(&d))
    })
}

fn count_calls(code: &DexCode, app_class: &[bool], c: &mut Counts) {
    let decryptor: Vec<bool> = code
        .method_refs
        .iter()
        .map(|m| is_decryptor_shape(code, m))
        .collect();
    if !decryptor.iter().any(|&d| d)
        && code.find_type("Ljava/lang/Class;").is_none()
        && code.find_type("Ljava/lang/System;").is_none()
        && code.find_type("Ljava/lang/reflect/Method;").is_none()
        && CLASS_LOADERS.iter().all(|l| code.find_type(l).is_none())
    {
        // Nothing to find: count only the calls.
        for (i, method) in (0u32..).zip(&code.methods) {
            if index_flag(app_class, method.class) {
                c.calls += code
                    .method_refs_of(i)
                    .iter()
                    .filter(|r| r.kind.is_method_call())
                    .count() as u64;
            }
        }
        return;
    }
    let mut reflective: HashMap<u32, Reflective> = HashMap::new();
    for (sigs, kind) in [
        (CLASS_FOR_NAME, Reflective::ForName),
        (REFLECTIVE_CALLS, Reflective::Call),
        (LOAD_CLASS, Reflective::LoadClass),
        (&[LOAD_LIBRARY][..], Reflective::LoadLibrary),
    ] {
        for sig in sigs {
            if let Some(i) = code.find_method_ref(sig) {
                reflective.insert(i, kind);
            }
        }
    }
    let loaders: Vec<u32> = CLASS_LOADERS
        .iter()
        .filter_map(|l| code.find_type(l))
        .collect();
    let mut sites: HashMap<u32, (u64, u64, u64)> = HashMap::new();
    for (i, method) in (0u32..).zip(&code.methods) {
        if !index_flag(app_class, method.class) {
            continue;
        }
        let mut previous_string: Option<u32> = None;
        for r in code.method_refs_of(i) {
            match r.kind {
                CodeRefKind::ConstString => {
                    previous_string = Some(r.index);
                    continue;
                }
                CodeRefKind::NewInstance if loaders.contains(&r.index) => c.class_loaders += 1,
                kind if kind.is_method_call() => {
                    c.calls += 1;
                    if kind == CodeRefKind::InvokeStatic && index_flag(&decryptor, r.index) {
                        let entry = sites.entry(r.index).or_default();
                        entry.0 += 1;
                        if let Some(s) = previous_string.and_then(|s| code.string(s)) {
                            entry.1 += 1;
                            entry.2 += u64::from(looks_opaque(s));
                        }
                    }
                    match reflective.get(&r.index) {
                        Some(Reflective::ForName) => c.class_for_name += 1,
                        Some(Reflective::Call) => c.reflective_calls += 1,
                        Some(Reflective::LoadClass) => c.load_class += 1,
                        Some(Reflective::LoadLibrary) => {
                            if let Some(s) = previous_string.and_then(|s| code.string(s)) {
                                c.libraries.insert(s.to_owned());
                            }
                        }
                        None => {}
                    }
                }
                _ => {}
            }
            previous_string = None;
        }
    }
    for (method, counts) in sites {
        if counts.0 >= MIN_DECRYPTOR_SITES
            && let Some(signature) = code.method_ref_string(method)
        {
            c.decryptors.insert(signature, counts);
        }
    }
}

/// Whether a string constant looks encrypted or encoded rather than written: mostly control,
/// private-use or other non-ASCII characters, or a long high-entropy token.
fn looks_opaque(s: &str) -> bool {
    let total = s.chars().count();
    if total < 4 {
        return false;
    }
    let odd = s
        .chars()
        .filter(|&ch| ch.is_control() || !ch.is_ascii())
        .count();
    if odd * 2 >= total {
        // Text in a non-Latin script is written, not encrypted: count only characters that no
        // script uses (control, private use, specials).
        let unreadable = s
            .chars()
            .filter(|&ch| {
                ch.is_control()
                    || ('\u{E000}'..='\u{F8FF}').contains(&ch)
                    || ('\u{FFF0}'..='\u{FFFF}').contains(&ch)
            })
            .count();
        if unreadable * 4 >= total {
            return true;
        }
    }
    if total < 16 || s.contains([' ', '.', ':', '_', '<', '%']) {
        return false;
    }
    let has = |f: fn(&char) -> bool| s.chars().any(|ch| f(&ch));
    if !(has(char::is_ascii_digit)
        && has(char::is_ascii_uppercase)
        && has(char::is_ascii_lowercase))
    {
        return false;
    }
    entropy_bits_x100(s) >= 400
}

/// Shannon entropy of the characters of `s`, in hundredths of a bit per character.
fn entropy_bits_x100(s: &str) -> u64 {
    let mut counts: HashMap<char, u32> = HashMap::new();
    let mut total = 0u32;
    for ch in s.chars() {
        *counts.entry(ch).or_default() += 1;
        total += 1;
    }
    if total == 0 {
        return 0;
    }
    let n = f64::from(total);
    let bits: f64 = counts
        .values()
        .map(|&k| {
            let p = f64::from(k) / n;
            -p * p.log2()
        })
        .sum();
    // Rounded to an integer so that no float reaches the report.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let hundredths = (bits * 100.0).round() as u64;
    hundredths
}

fn percent(part: u64, whole: u64) -> u64 {
    part.saturating_mul(100).checked_div(whole).unwrap_or(0)
}

fn verdicts(c: Counts, dex: &[DexFacts], native_libs: &[String]) -> ObfuscationFacts {
    let dexguard_evidence = dexguard(&c, dex);
    let mut out = ObfuscationFacts {
        classes: c.classes,
        short_class_names: c.short_classes,
        methods: c.methods,
        short_method_names: c.short_methods,
        fields: c.fields,
        short_field_names: c.short_fields,
        non_ascii_names: c.non_ascii,
        class_for_name: c.class_for_name,
        reflective_calls: c.reflective_calls,
        load_class: c.load_class,
        class_loaders: c.class_loaders,
        ..ObfuscationFacts::default()
    };
    let mut verdicts: BTreeSet<&str> = BTreeSet::new();

    let class_share = percent(c.short_classes, c.classes);
    let method_share = percent(c.short_methods, c.methods);
    if (c.classes >= MIN_CLASSES && class_share >= SHORT_CLASS_PERCENT)
        || (c.methods >= MIN_METHODS && method_share >= SHORT_METHOD_PERCENT)
    {
        verdicts.insert("short-names");
        out.evidence.push(format!(
            "short names: {class_share}% of {} classes, {method_share}% of {} methods, {}% of {} fields",
            c.classes,
            c.methods,
            percent(c.short_fields, c.fields),
            c.fields
        ));
    }

    let mut decryptors: Vec<StringDecryptor> = c
        .decryptors
        .into_iter()
        .map(|(method, (sites, consts, opaque))| StringDecryptor {
            method,
            call_sites: sites,
            const_string_args: consts,
            opaque_args: opaque,
        })
        .collect();
    decryptors.sort_by(|a, b| {
        b.call_sites
            .cmp(&a.call_sites)
            .then(a.method.cmp(&b.method))
    });
    decryptors.truncate(MAX_DECRYPTORS);
    for d in &decryptors {
        let fed_opaque =
            d.call_sites >= DECRYPTOR_VERDICT_SITES && d.opaque_args * 2 >= d.call_sites;
        let indexed = d.call_sites >= INDEXED_DECRYPTOR_VERDICT_SITES
            && !d.method.contains(&format!("({STRING}"))
            && short_member_name(&d.method);
        if fed_opaque || indexed {
            verdicts.insert("string-encryption");
            out.evidence.push(format!(
                "string decryptor {}: {} call sites, {} with a constant argument, {} of them opaque",
                d.method, d.call_sites, d.const_string_args, d.opaque_args
            ));
        }
    }
    out.string_decryptors = decryptors;

    let reflective = c.class_for_name + c.reflective_calls + c.load_class;
    if reflective >= MIN_REFLECTION_SITES && reflective * 1000 >= c.calls * REFLECTION_PER_MILLE {
        verdicts.insert("reflection");
        out.evidence.push(format!(
            "reflection: {reflective} sites (Class.forName {}, Method.invoke/newInstance {}, loadClass {}) of {} calls",
            c.class_for_name, c.reflective_calls, c.load_class, c.calls
        ));
    }

    let shipped: BTreeSet<&str> = native_libs
        .iter()
        .filter_map(|p| p.rsplit('/').next())
        .filter_map(|f| f.strip_prefix("lib").and_then(|f| f.strip_suffix(".so")))
        .collect();
    out.foreign_libraries = c
        .libraries
        .into_iter()
        .filter(|l| !shipped.contains(l.as_str()))
        .take(MAX_FOREIGN_LIBRARIES)
        .collect();
    if c.class_loaders > 0 {
        verdicts.insert("dynamic-loading");
        out.evidence.push(format!(
            "dynamic loading: {} class loaders constructed",
            c.class_loaders
        ));
    }

    if let Some(evidence) = dexguard_evidence {
        verdicts.insert("dexguard");
        out.evidence.push(evidence);
    }
    out.verdicts = verdicts.into_iter().map(ToOwned::to_owned).collect();
    out
}

/// `DexGuard`'s traits: many short-named classes flattened into package `o`, with non-ASCII
/// names or a dexlib2 rewrite.
fn dexguard(c: &Counts, dex: &[DexFacts]) -> Option<String> {
    let dexlib2 = dex.iter().any(|d| d.compiler.as_deref() == Some("dexlib2"));
    let non_ascii = c.non_ascii >= MIN_NON_ASCII_NAMES;
    if c.dexguard_classes < MIN_DEXGUARD_CLASSES || !(non_ascii || dexlib2) {
        return None;
    }
    Some(format!(
        "DexGuard: {} short-named classes flattened into package o{}{}",
        c.dexguard_classes,
        if non_ascii {
            format!(", {} non-ASCII names", c.non_ascii)
        } else {
            String::new()
        },
        if dexlib2 {
            ", rewritten by dexlib2"
        } else {
            ""
        }
    ))
}

/// Whether the method name in `Lcls;->name(…)…` is 1–2 characters.
fn short_member_name(signature: &str) -> bool {
    signature
        .split_once("->")
        .and_then(|(_, rest)| rest.split_once('('))
        .is_some_and(|(name, _)| is_short(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(simple_name("Lcom/a/b;"), "b");
        assert_eq!(simple_name("Lcom/a/Outer$ab;"), "ab");
        assert_eq!(simple_name("LTop;"), "Top");
        assert!(is_resource_class("Lcom/x/R$id;"));
        assert!(is_short("ab") && is_short("ȋ") && !is_short("abc") && !is_short(""));
        assert!(short_member_name("Lo/a;->b(I)Ljava/lang/String;"));
        assert!(!short_member_name("Lo/a;->decode(I)Ljava/lang/String;"));
    }

    #[test]
    fn opaque_strings() {
        assert!(looks_opaque("\u{f000}\u{f001}\u{f002}\u{f003}"));
        assert!(looks_opaque("\u{1}\u{2}\u{3}x\u{4}"));
        assert!(looks_opaque("aGVsbG8gV29ybGQxMjM0NTY3ODkwQUJD"));
        assert!(!looks_opaque("Hello world, this is text"));
        assert!(!looks_opaque("验证请求方式失败"));
        assert!(!looks_opaque("com.example.Activity"));
        assert!(!looks_opaque("getDeviceIdentifier"));
        assert!(!looks_opaque("abc"));
    }
}
