//! Hostile inputs: never a panic, anomalies instead of errors where the rest
//! stays usable, and fuzz reproducers replayed.

use std::path::Path;

use apkscope_dex::{Error, codes};
use apkscope_testkit::dex::{ClassSpec, DexBuilder, Insn, MethodSpec, fix_checksums, op};

use crate::builder::sample;

/// Looks at every call's arguments.
struct Touch;

impl apkscope_dex::values::ValueVisitor for Touch {
    fn invoke(&mut self, call: &apkscope_dex::values::Call<'_>) {
        for a in call.args {
            if let apkscope_dex::values::Value::Array(id) = a {
                let _ = call.frame.array(*id);
            }
        }
    }
}

/// Parses and touches everything the API exposes (and tracks every method's register
/// values); returns the anomaly codes.
pub(crate) fn walk(bytes: &[u8]) -> Vec<&'static str> {
    let Ok(dex) = apkscope_dex::parse(bytes) else {
        return Vec::new();
    };
    let mut tracker = apkscope_dex::values::Tracker::new();
    let mut seen: Vec<&'static str> = dex.anomalies().iter().map(|a| a.code).collect();
    for i in 0..dex.strings_len().min(10_000) {
        let _ = dex.string(i);
    }
    for class in dex.classes() {
        seen.extend(class.anomalies.iter().map(|a| a.code));
        let _ = dex.type_descriptor(class.class_idx);
        let _ = class.interfaces.to_vec();
        for m in class.methods() {
            let _ = dex.method_ref_string(m.method_idx);
            if m.code_off != 0
                && let Err(a) = dex.code_at(m.code_off)
            {
                seen.push(a.code);
            }
            let Some(code) = dex.code(m) else { continue };
            let shape = apkscope_dex::values::MethodShape {
                method_idx: m.method_idx,
                is_static: m.access_flags & 0x8 != 0,
            };
            tracker.track(&dex, &code, shape, &mut Touch);
            let refs = dex.references(&code);
            seen.extend(refs.anomalies.iter().map(|a| a.code));
            for (_, r) in refs.refs {
                if let apkscope_dex::Reference::FieldRead { field_idx, .. } = r {
                    let _ = dex.field_ref_string(field_idx);
                }
            }
        }
    }
    seen
}

fn put_u32(bytes: &mut [u8], at: usize, v: u32) {
    bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn get_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

#[test]
fn errors_only_when_nothing_is_usable() {
    assert!(matches!(
        apkscope_dex::parse(b""),
        Err(Error::TooShort { len: 0, need: 0x70 })
    ));
    let mut bytes = sample();
    assert!(matches!(
        apkscope_dex::parse(&bytes[..0x6f]),
        Err(Error::TooShort { .. })
    ));
    bytes[0] = b'c';
    assert!(matches!(
        apkscope_dex::parse(&bytes),
        Err(Error::BadMagic { .. })
    ));
    bytes[0] = b'd';
    put_u32(&mut bytes, 40, 0x7856_3412);
    assert!(matches!(
        apkscope_dex::parse(&bytes),
        Err(Error::BigEndian { .. })
    ));
}

#[test]
fn every_truncation() {
    let bytes = sample();
    for len in 0..bytes.len() {
        let _ = walk(&bytes[..len]);
    }
    // A truncated file is still usable: the header parses, tables are cut.
    let codes = walk(&bytes[..bytes.len() / 2]);
    assert!(codes.contains(&codes::FILE_SIZE_MISMATCH), "{codes:?}");
}

#[test]
fn every_byte_flipped() {
    let bytes = sample();
    for at in 0..bytes.len() {
        for x in [0x01u8, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[at] ^= x;
            let _ = walk(&b);
        }
    }
}

#[test]
fn huge_counts_are_capped() {
    let mut bytes = sample();
    for at in [56, 64, 72, 80, 88, 96] {
        put_u32(&mut bytes, at, u32::MAX);
    }
    fix_checksums(&mut bytes);
    let codes = walk(&bytes);
    assert!(codes.contains(&codes::COUNT_CAPPED), "{codes:?}");
    assert!(codes.contains(&codes::TABLE_OUT_OF_BOUNDS), "{codes:?}");
    // Offsets past the end.
    let mut bytes = sample();
    for at in [60, 68, 76, 84, 92, 100, 52] {
        put_u32(&mut bytes, at, u32::MAX - 3);
    }
    let codes = walk(&bytes);
    assert!(codes.contains(&codes::TABLE_OUT_OF_BOUNDS), "{codes:?}");
    assert!(codes.contains(&codes::MAP_LIST_INVALID), "{codes:?}");
    let dex = apkscope_dex::parse(&bytes).unwrap();
    assert_eq!(dex.strings_len(), 0);
    assert_eq!(dex.classes().count(), 0);
}

#[test]
fn hostile_class_data() {
    let (bytes, layout) = DexBuilder::new()
        .class(
            ClassSpec::new("LA;").direct_method(MethodSpec::new("f", "V", &[]).code(
                1,
                0,
                0,
                vec![Insn::return_void()],
            )),
        )
        .build_with_layout();
    let cd = layout.class_data_offs[0] as usize;
    // Four member counts of 2^32-1 (5-byte uleb128 each): capped, and the
    // allocation is bounded by the bytes that remain.
    let mut b = bytes.clone();
    b.truncate(cd);
    for _ in 0..4 {
        b.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
    }
    let dex = apkscope_dex::parse(&b).unwrap();
    let class = dex.class_def(0).unwrap();
    let got: Vec<_> = class.anomalies.iter().map(|a| a.code).collect();
    assert!(got.contains(&codes::COUNT_CAPPED), "{got:?}");
    assert!(got.contains(&codes::CLASS_DATA_INVALID), "{got:?}");
    // A uleb128 longer than 5 bytes.
    let mut b = bytes.clone();
    b[cd..cd + 6].copy_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
    let class = apkscope_dex::parse(&b).unwrap().class_def(0).unwrap();
    assert_eq!(class.anomalies[0].code, codes::CLASS_DATA_INVALID);
    // class_data_off past the end.
    let mut b = bytes.clone();
    put_u32(&mut b, layout.class_defs_off as usize + 24, u32::MAX);
    let class = apkscope_dex::parse(&b).unwrap().class_def(0).unwrap();
    assert_eq!(class.anomalies[0].code, codes::CLASS_DATA_INVALID);
    // interfaces_off past the end.
    let mut b = bytes.clone();
    put_u32(&mut b, layout.class_defs_off as usize + 12, 0xffff_fff0);
    let class = apkscope_dex::parse(&b).unwrap().class_def(0).unwrap();
    assert_eq!(class.anomalies[0].code, codes::TYPE_LIST_INVALID);
    assert!(class.interfaces.is_empty());
    // Method index delta overflowing u32: the second method's delta.
    let b2 = DexBuilder::new()
        .class(
            ClassSpec::new("LA;")
                .direct_method(MethodSpec::new("a", "V", &[]).access(0x9))
                .direct_method(MethodSpec::new("b", "V", &[]).access(0x9)),
        )
        .build_with_layout();
    let (mut b, l) = b2;
    let cd = l.class_data_offs[0] as usize;
    // counts 0,0,2,0 then (idx 0, flags 9, code 0), (delta, 9, 0)
    let mut tail = vec![
        0, 0, 2, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 9, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 9, 0,
    ];
    b.truncate(cd);
    b.append(&mut tail);
    let class = apkscope_dex::parse(&b).unwrap().class_def(0).unwrap();
    let got: Vec<_> = class.anomalies.iter().map(|a| a.code).collect();
    // The first index is already past the method table: the list ends there.
    assert!(got.contains(&codes::INDEX_OUT_OF_RANGE), "{got:?}");
    assert_eq!(class.direct_methods.len(), 0);
    // A zero delta (a method defined twice) ends the list, as ART's verifier
    // refuses it; classes sharing a corrupt class_data cannot multiply work.
    let (mut b, l) = DexBuilder::new()
        .class(
            ClassSpec::new("LA;")
                .direct_method(MethodSpec::new("a", "V", &[]).access(0x9))
                .direct_method(MethodSpec::new("b", "V", &[]).access(0x9)),
        )
        .build_with_layout();
    let cd = l.class_data_offs[0] as usize;
    // Same length as the original item: counts 0,0,2,0 then (0, 9, 0) twice.
    b[cd..cd + 10].copy_from_slice(&[0, 0, 2, 0, 0, 9, 0, 0, 9, 0]);
    let class = apkscope_dex::parse(&b).unwrap().class_def(0).unwrap();
    let got: Vec<_> = class.anomalies.iter().map(|a| a.code).collect();
    assert!(got.contains(&codes::CLASS_DATA_INVALID), "{got:?}");
    assert_eq!(class.direct_methods.len(), 1);
}

#[test]
fn hostile_code_items() {
    let (bytes, layout) = DexBuilder::new()
        .class(
            ClassSpec::new("LA;").direct_method(MethodSpec::new("f", "V", &[]).code(
                1,
                0,
                0,
                vec![Insn::const_string(0, "x"), Insn::return_void()],
            )),
        )
        .build_with_layout();
    let code_off = layout.code_offs[0] as usize;
    // insns_size larger than the file.
    let mut b = bytes.clone();
    put_u32(&mut b, code_off + 12, u32::MAX);
    let dex = apkscope_dex::parse(&b).unwrap();
    let m = dex.class_def(0).unwrap().direct_methods[0];
    assert!(dex.code(&m).is_none());
    assert_eq!(
        dex.code_at(m.code_off).unwrap_err().code,
        codes::CODE_ITEM_INVALID
    );
    // insns_size cut in the middle of const-string.
    let mut b = bytes.clone();
    put_u32(&mut b, code_off + 12, 1);
    let dex = apkscope_dex::parse(&b).unwrap();
    let code = dex.code(&m).unwrap();
    let refs = dex.references(&code);
    assert!(refs.refs.is_empty());
    assert_eq!(refs.anomalies[0].code, codes::TRUNCATED_INSTRUCTION);
    // An index past the string table.
    let mut b = bytes.clone();
    b[code_off + 18..code_off + 20].copy_from_slice(&0xfff0u16.to_le_bytes());
    let dex = apkscope_dex::parse(&b).unwrap();
    let refs = dex.references(&dex.code(&m).unwrap());
    assert!(refs.refs.is_empty());
    assert_eq!(refs.anomalies[0].code, codes::INDEX_OUT_OF_RANGE);
    // code_off past the end.
    let mut b = bytes.clone();
    let cd = layout.class_data_offs[0] as usize;
    // counts 0 0 1 0, idx 0, flags 9, code_off = 0x0fffffff
    b[cd..cd + 11].copy_from_slice(&[0, 0, 1, 0, 0, 9, 0xff, 0xff, 0xff, 0xff, 0x00]);
    let dex = apkscope_dex::parse(&b).unwrap();
    let m = dex.class_def(0).unwrap().direct_methods[0];
    assert!(dex.code(&m).is_none());
}

#[test]
fn hostile_strings() {
    let (mut bytes, layout) = DexBuilder::new()
        .class(ClassSpec::new("LA;"))
        .build_with_layout();
    let sid = layout.string_ids_off as usize;
    // String 0 points past the end; string 1 at a uleb128 length with no NUL.
    put_u32(&mut bytes, sid, u32::MAX);
    let end = bytes.len() as u32;
    bytes.extend_from_slice(&[0x05, b'a', b'b']);
    put_u32(&mut bytes, sid + 4, end);
    let dex = apkscope_dex::parse(&bytes).unwrap();
    assert_eq!(dex.string(0), None);
    assert_eq!(dex.string(1), None);
    assert_eq!(dex.string(u32::MAX), None);
    assert_eq!(dex.type_descriptor(u32::MAX), None);
    assert_eq!(dex.method_ref_string(0), None);
    // Invalid MUTF-8: replacement characters, no panic.
    let (mut bytes, layout) = DexBuilder::new()
        .class(ClassSpec::new("LA;"))
        .build_with_layout();
    let s0 = get_u32(&bytes, layout.string_ids_off as usize) as usize;
    bytes[s0 + 1] = 0xff; // "LA;" -> "\xffA;"
    let dex = apkscope_dex::parse(&bytes).unwrap();
    assert_eq!(dex.string(0).unwrap(), "\u{FFFD}A;");
}

#[test]
fn payload_sizes_from_hostile_headers() {
    // A fill-array-data payload whose size would overflow: walk stops cleanly.
    let bytes = DexBuilder::new()
        .class(
            ClassSpec::new("LA;").direct_method(MethodSpec::new("f", "V", &[]).code(
                1,
                0,
                0,
                vec![
                    Insn::raw(&[0x0300, 0xffff, 0xffff, 0xffff]),
                    Insn::return_void(),
                ],
            )),
        )
        .build();
    let codes = walk(&bytes);
    assert_eq!(codes, vec![codes::TRUNCATED_INSTRUCTION]);
    // A goto over a packed-switch whose size says 0: 4 units.
    let bytes = DexBuilder::new()
        .class(
            ClassSpec::new("LA;").direct_method(MethodSpec::new("f", "V", &[]).code(
                1,
                0,
                0,
                vec![
                    Insn::raw(&[0x0100, 0, 0, 0]),
                    Insn::const_string(0, "after"),
                    Insn::return_void(),
                ],
            )),
        )
        .build();
    let dex = apkscope_dex::parse(&bytes).unwrap();
    let m = dex.class_def(0).unwrap().direct_methods[0];
    let refs = dex.references(&dex.code(&m).unwrap());
    assert_eq!(refs.refs.len(), 1);
    assert_eq!(refs.refs[0].0, 4);
    let _ = op::NOP;
}

fn replay_dir(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for e in entries {
        let path = e.unwrap().path();
        if path.is_file() {
            let _ = walk(&std::fs::read(&path).unwrap());
            n += 1;
        }
    }
    n
}

#[test]
fn fuzz_corpus_and_regressions_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let seeds = replay_dir(&root.join("corpus/dex_parse"));
    let crashes = replay_dir(&root.join("regressions/dex_parse"));
    println!("replayed {seeds} seeds and {crashes} regressions");
}
