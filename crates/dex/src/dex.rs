//! The [`Dex`] view: header, id tables and lookups by index.

use std::borrow::Cow;
use std::fmt::Write as _;

use sha1::{Digest, Sha1};

use crate::class::{ClassDef, Classes, TypeList};
use crate::code::{Code, Reference};
use crate::header::{
    ENDIAN_CONSTANT, HEADER_SIZE, HEADER_SIZE_V41, Header, KNOWN_VERSIONS, VERSION_CONTAINER,
};
use crate::read::{Cursor, adler32, off64, u16_at, u32_at, us};
use crate::{Anomaly, Result, codes, mutf8};

/// Cap on `string_ids_size` (const-string/jumbo allows 2^32; real dex files
/// stay far below 2^24).
pub const MAX_STRING_IDS: u32 = 1 << 24;
/// Cap on `type_ids_size`: type indices are 16-bit (dex-format `type_ids`).
pub const MAX_TYPE_IDS: u32 = 1 << 16;
/// Cap on `proto_ids_size`: proto indices are 16-bit.
pub const MAX_PROTO_IDS: u32 = 1 << 16;
/// Cap on `field_ids_size`.
pub const MAX_FIELD_IDS: u32 = 1 << 24;
/// Cap on `method_ids_size`.
pub const MAX_METHOD_IDS: u32 = 1 << 24;
/// Cap on `class_defs_size`: each class def names a distinct 16-bit type.
pub const MAX_CLASS_DEFS: u32 = 1 << 16;
/// Cap on the map list's item count (the format defines about 20 item types).
pub const MAX_MAP_ITEMS: u32 = 256;

/// `NO_INDEX` in dex-format: "no value" for an optional index.
pub(crate) const NO_INDEX: u32 = 0xffff_ffff;

const STRING_ID_SIZE: usize = 4;
const TYPE_ID_SIZE: usize = 4;
const PROTO_ID_SIZE: usize = 12;
const FIELD_ID_SIZE: usize = 8;
const METHOD_ID_SIZE: usize = 8;
pub(crate) const CLASS_DEF_SIZE: usize = 32;
const MAP_ITEM_SIZE: usize = 12;
/// `map_item.type` of the `string_id_item` table.
const TYPE_STRING_ID_ITEM: u16 = 0x0001;
/// `map_item.type` of the `class_def_item` table.
const TYPE_CLASS_DEF_ITEM: u16 = 0x0006;
/// Offset of the adler32-covered region.
const CHECKSUM_START: usize = 12;
/// Offset of the SHA-1-covered region.
const SIGNATURE_START: usize = 32;

/// How much checking [`parse_with`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Verify the adler32 checksum and the SHA-1 signature (reported as
    /// [`codes::CHECKSUM_MISMATCH`] / [`codes::SIGNATURE_MISMATCH`]). Costs a
    /// pass over the whole file (SHA-1 dominates); see the crate README for
    /// measurements. Default `true`.
    pub verify_checksums: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            verify_checksums: true,
        }
    }
}

impl ParseOptions {
    /// Options with checksum verification switched on or off.
    #[must_use]
    pub fn verify_checksums(mut self, on: bool) -> Self {
        self.verify_checksums = on;
        self
    }
}

/// One validated id table: a byte range of whole items.
#[derive(Debug, Clone, Copy, Default)]
struct Table<'a> {
    bytes: &'a [u8],
    len: u32,
}

impl<'a> Table<'a> {
    #[inline]
    fn item(&self, idx: u32, size: usize) -> Option<&'a [u8]> {
        let start = us(idx).checked_mul(size)?;
        self.bytes.get(start..)?.get(..size)
    }
}

/// An entry of the map list (dex-format `map_item`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapItem {
    /// Item type code (e.g. 0x0001 string ids, 0x2001 code items).
    pub item_type: u16,
    /// Number of items.
    pub size: u32,
    /// File offset of the first item.
    pub offset: u32,
}

/// A `proto_id_item`: a method prototype.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtoId {
    /// String index of the shorty descriptor.
    pub shorty_idx: u32,
    /// Type index of the return type.
    pub return_type_idx: u32,
    /// Offset of the parameter `type_list`, 0 for none.
    pub parameters_off: u32,
}

/// A `method_id_item`: the identity of a method (defined here or elsewhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodRef {
    /// Type index of the defining class.
    pub class_idx: u32,
    /// Proto index of the signature.
    pub proto_idx: u32,
    /// String index of the name.
    pub name_idx: u32,
}

/// A `field_id_item`: the identity of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRef {
    /// Type index of the defining class.
    pub class_idx: u32,
    /// Type index of the field's type.
    pub type_idx: u32,
    /// String index of the name.
    pub name_idx: u32,
}

/// The references of one method's code, with indices checked against the
/// tables ([`Dex::references`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeReferences {
    /// `(pc in code units, reference)` in instruction order.
    pub refs: Vec<(u32, Reference)>,
    /// Unused opcodes, truncation, out-of-range indices.
    pub anomalies: Vec<Anomaly>,
}

/// A zero-copy view of one dex file.
#[derive(Debug, Clone)]
pub struct Dex<'a> {
    data: &'a [u8],
    header: Header,
    strings: Table<'a>,
    types: Table<'a>,
    protos: Table<'a>,
    fields: Table<'a>,
    methods: Table<'a>,
    class_defs: Table<'a>,
    map: Vec<MapItem>,
    anomalies: Vec<Anomaly>,
}

/// Parses `data` as a dex file with default [`ParseOptions`].
pub fn parse(data: &[u8]) -> Result<Dex<'_>> {
    parse_with(data, ParseOptions::default())
}

/// Parses `data` as a dex file.
pub fn parse_with(data: &[u8], options: ParseOptions) -> Result<Dex<'_>> {
    Dex::parse_with(data, options)
}

impl<'a> Dex<'a> {
    /// Same as [`parse`].
    pub fn parse(data: &'a [u8]) -> Result<Self> {
        Self::parse_with(data, ParseOptions::default())
    }

    /// Same as [`parse_with`].
    pub fn parse_with(data: &'a [u8], options: ParseOptions) -> Result<Self> {
        let header = Header::read(data)?;
        let mut anomalies = Vec::new();
        check_header(data, &header, &mut anomalies);
        if options.verify_checksums {
            verify_checksums(data, &header, &mut anomalies);
        }
        let h = &header;
        let mut table =
            |name, size, off, item, cap| table(data, name, size, off, item, cap, &mut anomalies);
        let strings = table(
            "string_ids",
            h.string_ids_size,
            h.string_ids_off,
            STRING_ID_SIZE,
            MAX_STRING_IDS,
        );
        let types = table(
            "type_ids",
            h.type_ids_size,
            h.type_ids_off,
            TYPE_ID_SIZE,
            MAX_TYPE_IDS,
        );
        let protos = table(
            "proto_ids",
            h.proto_ids_size,
            h.proto_ids_off,
            PROTO_ID_SIZE,
            MAX_PROTO_IDS,
        );
        let fields = table(
            "field_ids",
            h.field_ids_size,
            h.field_ids_off,
            FIELD_ID_SIZE,
            MAX_FIELD_IDS,
        );
        let methods = table(
            "method_ids",
            h.method_ids_size,
            h.method_ids_off,
            METHOD_ID_SIZE,
            MAX_METHOD_IDS,
        );
        let class_defs = table(
            "class_defs",
            h.class_defs_size,
            h.class_defs_off,
            CLASS_DEF_SIZE,
            MAX_CLASS_DEFS,
        );
        let map = read_map(data, &header, &mut anomalies);
        Ok(Self {
            data,
            header,
            strings,
            types,
            protos,
            fields,
            methods,
            class_defs,
            map,
            anomalies,
        })
    }

    /// The decoded header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The format version from the magic (35 … 41; 0 when unreadable).
    pub fn version(&self) -> u32 {
        self.header.version
    }

    /// File-level anomalies found by the parse (per-class and per-method
    /// anomalies are on [`ClassDef::anomalies`] and [`Dex::references`]).
    pub fn anomalies(&self) -> &[Anomaly] {
        &self.anomalies
    }

    /// The whole input buffer.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The map list (empty when it is missing or unreadable).
    pub fn map(&self) -> &[MapItem] {
        &self.map
    }

    /// Number of usable string ids.
    pub fn strings_len(&self) -> u32 {
        self.strings.len
    }
    /// Number of usable type ids.
    pub fn types_len(&self) -> u32 {
        self.types.len
    }
    /// Number of usable proto ids.
    pub fn protos_len(&self) -> u32 {
        self.protos.len
    }
    /// Number of usable field ids.
    pub fn fields_len(&self) -> u32 {
        self.fields.len
    }
    /// Number of usable method ids.
    pub fn methods_len(&self) -> u32 {
        self.methods.len
    }
    /// Number of usable class defs.
    pub fn class_defs_len(&self) -> u32 {
        self.class_defs.len
    }

    /// The raw MUTF-8 bytes of string `idx` (without the NUL terminator).
    ///
    /// `None` when the index or the string data is out of bounds, or when no
    /// terminator lies within the 3 × `utf16_size` bytes the format allows.
    pub fn string_bytes(&self, idx: u32) -> Option<&'a [u8]> {
        let off = us(u32_at(self.strings.item(idx, STRING_ID_SIZE)?, 0)?);
        let mut cur = Cursor::new(self.data, off);
        let utf16_len = cur.uleb128()?;
        let rest = self.data.get(cur.pos()..)?;
        // A UTF-16 unit takes at most 3 MUTF-8 bytes: bound the NUL search so
        // a hostile length cannot make every lookup scan the whole file.
        let bound = us(utf16_len)
            .saturating_mul(3)
            .saturating_add(1)
            .min(rest.len());
        let window = rest.get(..bound)?;
        let end = window.iter().position(|&b| b == 0)?;
        window.get(..end)
    }

    /// The file offset of string `idx`'s `string_data_item` (`None` when the index is out of
    /// range).
    pub fn string_data_offset(&self, idx: u32) -> Option<u32> {
        u32_at(self.strings.item(idx, STRING_ID_SIZE)?, 0)
    }

    /// Whether the string data lies in the file in string-id order. dx, d8/r8 and dexlib2 write
    /// it so; dexlib 1.x (old smali/apktool) groups it by class, which is how a rebuild by those
    /// tools shows.
    pub fn string_data_in_id_order(&self) -> bool {
        let mut previous = 0u32;
        for idx in 0..self.strings.len {
            let Some(off) = self.string_data_offset(idx) else {
                return true;
            };
            if off < previous {
                return false;
            }
            previous = off;
        }
        true
    }

    /// The map list's item types in file order: the section layout, which differs between the
    /// tools that write dex files (see [`MapItem::item_type`] codes).
    pub fn layout(&self) -> Vec<u16> {
        let mut items: Vec<&MapItem> = self.map.iter().collect();
        items.sort_by_key(|m| m.offset);
        items.iter().map(|m| m.item_type).collect()
    }

    /// String `idx`, decoded from MUTF-8 (borrowed when it is plain UTF-8).
    pub fn string(&self, idx: u32) -> Option<Cow<'a, str>> {
        self.string_bytes(idx).map(mutf8::decode)
    }

    /// Finds the index of a string by binary search over the sorted string
    /// table (compares MUTF-8 bytes; no decoding, no allocation for plain
    /// strings).
    pub fn find_string(&self, s: &str) -> Option<u32> {
        let key = mutf8::encode(s);
        let (mut lo, mut hi) = (0u32, self.strings.len);
        while lo < hi {
            let mid = lo.checked_add(hi.checked_sub(lo)? / 2)?;
            match self.string_bytes(mid)?.cmp(key.as_ref()) {
                std::cmp::Ordering::Equal => return Some(mid),
                std::cmp::Ordering::Less => lo = mid.checked_add(1)?,
                std::cmp::Ordering::Greater => hi = mid,
            }
        }
        None
    }

    /// The string index of type `idx`'s descriptor.
    pub fn type_descriptor_idx(&self, idx: u32) -> Option<u32> {
        u32_at(self.types.item(idx, TYPE_ID_SIZE)?, 0)
    }

    /// The raw MUTF-8 descriptor of type `idx` (e.g. `Ljava/lang/String;`).
    pub fn type_descriptor_bytes(&self, idx: u32) -> Option<&'a [u8]> {
        self.string_bytes(self.type_descriptor_idx(idx)?)
    }

    /// The descriptor of type `idx` (e.g. `Ljava/lang/String;`, `[I`).
    pub fn type_descriptor(&self, idx: u32) -> Option<Cow<'a, str>> {
        self.string(self.type_descriptor_idx(idx)?)
    }

    /// Finds the type index of a descriptor (type ids are sorted by string
    /// index, so this is two binary searches).
    pub fn find_type(&self, descriptor: &str) -> Option<u32> {
        let sidx = self.find_string(descriptor)?;
        let (mut lo, mut hi) = (0u32, self.types.len);
        while lo < hi {
            let mid = lo.checked_add(hi.checked_sub(lo)? / 2)?;
            match self.type_descriptor_idx(mid)?.cmp(&sidx) {
                std::cmp::Ordering::Equal => return Some(mid),
                std::cmp::Ordering::Less => lo = mid.checked_add(1)?,
                std::cmp::Ordering::Greater => hi = mid,
            }
        }
        None
    }

    /// The `proto_id_item` at `idx`.
    pub fn proto(&self, idx: u32) -> Option<ProtoId> {
        let b = self.protos.item(idx, PROTO_ID_SIZE)?;
        Some(ProtoId {
            shorty_idx: u32_at(b, 0)?,
            return_type_idx: u32_at(b, 4)?,
            parameters_off: u32_at(b, 8)?,
        })
    }

    /// The parameter types of proto `idx` (empty list when it has none).
    pub fn proto_parameters(&self, idx: u32) -> Option<TypeList<'a>> {
        self.type_list(self.proto(idx)?.parameters_off)
    }

    /// The `type_list` at file offset `off`; offset 0 is the empty list.
    /// `None` when the list runs out of bounds.
    pub fn type_list(&self, off: u32) -> Option<TypeList<'a>> {
        TypeList::at(self.data, off)
    }

    /// The `method_id_item` at `idx`.
    pub fn method_ref(&self, idx: u32) -> Option<MethodRef> {
        let b = self.methods.item(idx, METHOD_ID_SIZE)?;
        Some(MethodRef {
            class_idx: u32::from(u16_at(b, 0)?),
            proto_idx: u32::from(u16_at(b, 2)?),
            name_idx: u32_at(b, 4)?,
        })
    }

    /// The `field_id_item` at `idx`.
    pub fn field_ref(&self, idx: u32) -> Option<FieldRef> {
        let b = self.fields.item(idx, FIELD_ID_SIZE)?;
        Some(FieldRef {
            class_idx: u32::from(u16_at(b, 0)?),
            type_idx: u32::from(u16_at(b, 2)?),
            name_idx: u32_at(b, 4)?,
        })
    }

    /// Proto `idx` in smali form: `(ILjava/lang/String;)V`.
    pub fn proto_string(&self, idx: u32) -> Option<String> {
        let p = self.proto(idx)?;
        let mut out = String::with_capacity(32);
        out.push('(');
        for t in self.type_list(p.parameters_off)?.iter() {
            out.push_str(&self.type_descriptor(t)?);
        }
        out.push(')');
        out.push_str(&self.type_descriptor(p.return_type_idx)?);
        Some(out)
    }

    /// Method `idx` in smali form: `Lcom/a/B;->name(ILjava/lang/String;)V`.
    pub fn method_ref_string(&self, idx: u32) -> Option<String> {
        let m = self.method_ref(idx)?;
        let mut out = String::with_capacity(64);
        out.push_str(&self.type_descriptor(m.class_idx)?);
        out.push_str("->");
        out.push_str(&self.string(m.name_idx)?);
        out.push_str(&self.proto_string(m.proto_idx)?);
        Some(out)
    }

    /// Field `idx` in smali form: `Lcom/a/B;->name:I`.
    pub fn field_ref_string(&self, idx: u32) -> Option<String> {
        let f = self.field_ref(idx)?;
        let mut out = String::with_capacity(48);
        out.push_str(&self.type_descriptor(f.class_idx)?);
        out.push_str("->");
        out.push_str(&self.string(f.name_idx)?);
        out.push(':');
        out.push_str(&self.type_descriptor(f.type_idx)?);
        Some(out)
    }

    /// The class definition at `idx` with its `class_data` decoded.
    pub fn class_def(&self, idx: u32) -> Option<ClassDef<'a>> {
        let raw = self.class_defs.item(idx, CLASS_DEF_SIZE)?;
        let off =
            us(self.header.class_defs_off).checked_add(us(idx).checked_mul(CLASS_DEF_SIZE)?)?;
        Some(ClassDef::read(self, raw, idx, off))
    }

    /// All class definitions in table order.
    pub fn classes(&self) -> Classes<'_, 'a> {
        Classes::new(self)
    }

    /// The initial values of `class`'s static fields, in `static_fields` order: the list may
    /// be shorter (trailing fields with default values are omitted by the format, and a
    /// malformed value ends it).
    pub fn static_values(&self, class: &ClassDef<'_>) -> Vec<crate::StaticValue> {
        crate::static_values::decode(
            self.data,
            class.static_values_off,
            class.static_fields.len(),
        )
    }

    /// The code of `method`, `None` when it is abstract/native or its
    /// `code_item` is out of bounds (see [`Dex::code_at`] for the reason).
    pub fn code(&self, method: &crate::EncodedMethod) -> Option<Code<'a>> {
        match method.code_off {
            0 => None,
            off => self.code_at(off).ok(),
        }
    }

    /// The `code_item` at file offset `off`.
    pub fn code_at(&self, off: u32) -> std::result::Result<Code<'a>, Anomaly> {
        Code::read(self.data, off)
    }

    /// The references of `code` with every index checked against its table:
    /// out-of-range indices are dropped and reported, as are unused opcodes
    /// (once per method) and truncated instructions.
    pub fn references(&self, code: &Code<'a>) -> CodeReferences {
        let mut out = CodeReferences::default();
        let mut insns = code.instructions();
        let mut bad_index: Option<(u32, Reference)> = None;
        for insn in insns.by_ref() {
            let Some(r) = insn.reference() else { continue };
            if self.reference_in_range(r) {
                out.refs.push((insn.pc, r));
            } else if bad_index.is_none() {
                bad_index = Some((insn.pc, r));
            }
        }
        out.anomalies = insns.anomalies(code);
        if let Some((pc, r)) = bad_index {
            out.anomalies.push(Anomaly::new(
                codes::INDEX_OUT_OF_RANGE,
                code.insn_offset(pc),
                format!("{r:?} at pc {pc:#x} is past its table (first of this method)"),
            ));
        }
        out
    }

    /// Whether the index a reference carries exists in this dex.
    pub fn reference_in_range(&self, r: Reference) -> bool {
        match r {
            Reference::Method { method_idx, .. } => method_idx < self.methods.len,
            Reference::FieldRead { field_idx, .. } | Reference::FieldWrite { field_idx, .. } => {
                field_idx < self.fields.len
            }
            Reference::String(i) => i < self.strings.len,
            Reference::Type { type_idx, .. } => type_idx < self.types.len,
            Reference::Proto(i) => i < self.protos.len,
            // Call sites and method handles live in the map's data section;
            // their tables are not decoded here.
            Reference::CallSite(_) | Reference::MethodHandle(_) => true,
        }
    }
}

fn check_header(data: &[u8], h: &Header, anomalies: &mut Vec<Anomaly>) {
    let v = h.version;
    if !KNOWN_VERSIONS.contains(&v) && v != VERSION_CONTAINER {
        anomalies.push(Anomaly::new(
            codes::UNKNOWN_VERSION,
            Some(4),
            format!(
                "magic {:02x?} (version {v}); parsed with the 035 layout",
                h.magic
            ),
        ));
    }
    let want_header = if v >= VERSION_CONTAINER {
        HEADER_SIZE_V41
    } else {
        HEADER_SIZE
    };
    let size = us(h.header_size);
    // Versions past 041 are unknown: either header layout is plausible.
    let plausible = size == want_header || (v > VERSION_CONTAINER && size == HEADER_SIZE);
    if !plausible {
        anomalies.push(Anomaly::new(
            codes::HEADER_SIZE_UNUSUAL,
            Some(36),
            format!(
                "header_size {:#x}, expected {want_header:#x}",
                h.header_size
            ),
        ));
    }
    if h.endian_tag != ENDIAN_CONSTANT {
        anomalies.push(Anomaly::new(
            codes::ENDIAN_TAG_UNUSUAL,
            Some(40),
            format!("endian_tag {:#010x}", h.endian_tag),
        ));
    }
    let container = h.container_size.filter(|&c| us(c) > us(h.file_size));
    if let Some(c) = container {
        anomalies.push(Anomaly::new(
            codes::DEX_CONTAINER,
            Some(0x70),
            format!(
                "container of {c} bytes, first dex is {} bytes; only the first is parsed",
                h.file_size
            ),
        ));
    }
    let expected_len = container.unwrap_or(h.file_size);
    if us(expected_len) != data.len() {
        anomalies.push(Anomaly::new(
            codes::FILE_SIZE_MISMATCH,
            Some(32),
            format!(
                "header says {expected_len} bytes, buffer has {}",
                data.len()
            ),
        ));
    }
}

fn verify_checksums(data: &[u8], h: &Header, anomalies: &mut Vec<Anomaly>) {
    let end = us(h.file_size).min(data.len());
    let covered = data.get(..end).unwrap_or(data);
    let adler = adler32(covered.get(CHECKSUM_START..).unwrap_or_default());
    if adler != h.checksum {
        anomalies.push(Anomaly::new(
            codes::CHECKSUM_MISMATCH,
            Some(8),
            format!("header {:#010x}, computed {adler:#010x}", h.checksum),
        ));
    }
    let sha: [u8; 20] = Sha1::digest(covered.get(SIGNATURE_START..).unwrap_or_default()).into();
    if sha != h.signature {
        anomalies.push(Anomaly::new(
            codes::SIGNATURE_MISMATCH,
            Some(12),
            format!("header {}, computed {}", hex(&h.signature), hex(&sha)),
        ));
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(40), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Validates one id table: caps the count, then keeps the whole items that
/// fit in the buffer (dex-format `header_item`: `*_ids_off`, `*_ids_size`).
fn table<'a>(
    data: &'a [u8],
    name: &str,
    size: u32,
    off: u32,
    item: usize,
    cap: u32,
    anomalies: &mut Vec<Anomaly>,
) -> Table<'a> {
    if size == 0 {
        return Table::default();
    }
    let mut count = size;
    if count > cap {
        anomalies.push(Anomaly::new(
            codes::COUNT_CAPPED,
            None,
            format!("{name}_size {size} exceeds the cap {cap}"),
        ));
        count = cap;
    }
    let start = us(off);
    let avail = data.get(start..).unwrap_or_default();
    let fit = u32::try_from(avail.len().checked_div(item).unwrap_or(0)).unwrap_or(u32::MAX);
    if fit < count {
        anomalies.push(Anomaly::new(
            codes::TABLE_OUT_OF_BOUNDS,
            off64(start),
            format!("{name}: {count} items of {item} bytes at {off:#x}, only {fit} fit"),
        ));
        count = fit;
    }
    let bytes = us(count)
        .checked_mul(item)
        .and_then(|n| avail.get(..n))
        .unwrap_or_default();
    Table { bytes, len: count }
}

/// Reads the map list (dex-format `map_list`) and checks it against the
/// header's string and class tables.
fn read_map(data: &[u8], h: &Header, anomalies: &mut Vec<Anomaly>) -> Vec<MapItem> {
    let off = us(h.map_off);
    let bad = |anomalies: &mut Vec<Anomaly>, detail: String| {
        anomalies.push(Anomaly::new(codes::MAP_LIST_INVALID, off64(off), detail));
    };
    if h.map_off == 0 {
        bad(anomalies, "no map list (map_off is 0)".into());
        return Vec::new();
    }
    let Some(size) = u32_at(data, off) else {
        bad(anomalies, format!("map_off {off:#x} is past the end"));
        return Vec::new();
    };
    let mut count = size;
    if count > MAX_MAP_ITEMS {
        anomalies.push(Anomaly::new(
            codes::COUNT_CAPPED,
            off64(off),
            format!("map list size {size} exceeds the cap {MAX_MAP_ITEMS}"),
        ));
        count = MAX_MAP_ITEMS;
    }
    let items = off
        .checked_add(4)
        .and_then(|s| data.get(s..))
        .unwrap_or_default();
    let fit = u32::try_from(items.len() / MAP_ITEM_SIZE).unwrap_or(u32::MAX);
    if fit < count {
        bad(
            anomalies,
            format!("map list of {count} items, only {fit} fit"),
        );
        count = fit;
    }
    let map: Vec<MapItem> = items
        .chunks_exact(MAP_ITEM_SIZE)
        .take(us(count))
        .filter_map(|c| {
            Some(MapItem {
                item_type: u16_at(c, 0)?,
                size: u32_at(c, 4)?,
                offset: u32_at(c, 8)?,
            })
        })
        .collect();
    for (ty, name, size, offset) in [
        (
            TYPE_STRING_ID_ITEM,
            "string_ids",
            h.string_ids_size,
            h.string_ids_off,
        ),
        (
            TYPE_CLASS_DEF_ITEM,
            "class_defs",
            h.class_defs_size,
            h.class_defs_off,
        ),
    ] {
        if size == 0 {
            continue;
        }
        match map.iter().find(|m| m.item_type == ty) {
            Some(m) if m.size == size && m.offset == offset => {}
            Some(m) => bad(
                anomalies,
                format!(
                    "map says {name} has {} items at {:#x}, header says {size} at {offset:#x}",
                    m.size, m.offset
                ),
            ),
            None => bad(anomalies, format!("map has no {name} entry")),
        }
    }
    map
}
