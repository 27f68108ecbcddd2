//! A zero-copy, panic-free parser for Dalvik executables (`classes*.dex`).
//!
//! # Overview
//!
//! [`parse`] validates the header and the placement of the id tables once and
//! returns a [`Dex`] view that borrows the input bytes. Everything else is
//! decoded lazily and by index:
//!
//! - strings ([`Dex::string`], MUTF-8 → `Cow<str>`, borrowed whenever the bytes
//!   are plain UTF-8) and raw string bytes ([`Dex::string_bytes`]) for fast
//!   comparisons, plus binary search over the sorted string table
//!   ([`Dex::find_string`], [`Dex::find_type`]);
//! - type, proto, field and method ids ([`Dex::method_ref`],
//!   [`Dex::method_ref_string`] in smali form, [`Dex::field_ref`] …);
//! - class definitions with their `class_data` ([`Dex::classes`]);
//! - code items ([`Dex::code`]) and their instruction stream
//!   ([`Code::instructions`]), with the constant-pool reference of every
//!   instruction ([`Insn::reference`], [`Code::references`]): invokes of all
//!   kinds, field reads and writes, `const-string`, `const-class`, type uses.
//!
//! Oddities that Android tolerates (an unknown version, a wrong checksum, a
//! table that runs past the end …) never make the parse fail: they are
//! reported as [`Anomaly`] values with a stable code from [`codes`]. An
//! [`Error`] is returned only when nothing usable remains (not a dex at all,
//! a truncated header, big-endian layout).
//!
//! Every offset read from the input is checked, every count is capped by a
//! named constant before it sizes an allocation, nothing recurses on input
//! and no input makes the parser panic.
//!
//! # Example
//!
//! ```
//! # fn demo(bytes: &[u8]) -> apkscope_dex::Result<()> {
//! let dex = apkscope_dex::parse(bytes)?;
//! for class in dex.classes() {
//!     let name = dex.type_descriptor(class.class_idx).unwrap_or_default();
//!     for method in class.methods() {
//!         let Some(code) = dex.code(method) else { continue };
//!         for (pc, reference) in code.references() {
//!             if let apkscope_dex::Reference::Method { method_idx, .. } = reference {
//!                 let callee = dex.method_ref_string(method_idx);
//!                 let _ = (&name, pc, callee);
//!             }
//!         }
//!     }
//! }
//! # Ok(()) }
//! ```
#![warn(clippy::arithmetic_side_effects)]

mod class;
mod code;
mod dex;
mod header;
mod mutf8;
mod read;
mod static_values;
pub mod values;

pub use class::{
    ClassDef, Classes, EncodedField, EncodedMethod, MAX_CLASS_MEMBERS, MAX_TYPE_LIST, TypeList,
};
pub use code::{
    Code, Format, Insn, InsnIter, InvokeKind, OpInfo, Payload, RefKind, Reference, TypeUse, op_info,
};
pub use dex::{
    CodeReferences, Dex, FieldRef, MAX_CLASS_DEFS, MAX_FIELD_IDS, MAX_MAP_ITEMS, MAX_METHOD_IDS,
    MAX_PROTO_IDS, MAX_STRING_IDS, MAX_TYPE_IDS, MapItem, MethodRef, ParseOptions, ProtoId, parse,
    parse_with,
};
pub use header::Header;
pub use mutf8::decode as decode_mutf8;
pub use static_values::StaticValue;

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Why a buffer could not be read as a dex file at all.
///
/// Everything short of these is an [`Anomaly`] on a usable [`Dex`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The buffer is shorter than the fixed dex header.
    #[error("dex header needs {need} bytes, buffer has {len}")]
    TooShort {
        /// Buffer length.
        len: usize,
        /// Bytes the header needs.
        need: usize,
    },
    /// The first bytes are not `dex\n`.
    #[error("not a dex file: magic {found:02x?}")]
    BadMagic {
        /// The first eight bytes of the buffer.
        found: [u8; 8],
    },
    /// The header's endian tag says big-endian, which Android never shipped.
    #[error("big-endian dex (endian_tag {tag:#010x} at offset 40) is not supported")]
    BigEndian {
        /// The endian tag read.
        tag: u32,
    },
    /// The caller passed an argument that does not belong to this view.
    #[error("API misuse: {0}")]
    ApiMisuse(&'static str),
    /// A bug in this crate; please report it.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// Something odd about the input that did not stop the parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// Stable `snake_case` code, one of the constants in [`codes`].
    pub code: &'static str,
    /// File offset the anomaly refers to, when there is one.
    pub offset: Option<u64>,
    /// Human-readable detail (values found, limits).
    pub detail: String,
}

impl Anomaly {
    pub(crate) fn new(code: &'static str, offset: Option<u64>, detail: impl Into<String>) -> Self {
        Self {
            code,
            offset,
            detail: detail.into(),
        }
    }
}

impl std::fmt::Display for Anomaly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.offset {
            Some(off) => write!(f, "{} at {off:#x}: {}", self.code, self.detail),
            None => write!(f, "{}: {}", self.code, self.detail),
        }
    }
}

/// The stable anomaly codes of this crate.
///
/// Codes never change meaning; new ones may be added.
pub mod codes {
    /// The version in the magic is not one of 035–041 (e.g. `dex\n099\0`).
    /// The file is still parsed with the 035 layout.
    pub const UNKNOWN_VERSION: &str = "unknown_version";
    /// The adler32 checksum (header offset 8, over bytes `12..file_size`) does
    /// not match. Android's installer rejects such files unless they are
    /// re-verified; tools that patch dex files often forget to update it.
    pub const CHECKSUM_MISMATCH: &str = "checksum_mismatch";
    /// The SHA-1 signature (header offset 12, over bytes `32..file_size`) does
    /// not match. ART does not check it; a mismatch shows post-build editing.
    pub const SIGNATURE_MISMATCH: &str = "signature_mismatch";
    /// `header.file_size` differs from the buffer length (data appended to or
    /// cut from the dex).
    pub const FILE_SIZE_MISMATCH: &str = "file_size_mismatch";
    /// `header_size` is not 0x70 (0x78 for version 041).
    pub const HEADER_SIZE_UNUSUAL: &str = "header_size_unusual";
    /// The endian tag is neither `0x12345678` nor its reverse.
    pub const ENDIAN_TAG_UNUSUAL: &str = "endian_tag_unusual";
    /// A version 041 container holds more than this first dex; only the first
    /// is parsed.
    pub const DEX_CONTAINER: &str = "dex_container";
    /// An id table (`string_ids` … `class_defs`) does not fit in the buffer;
    /// it was cut to the items that fit.
    pub const TABLE_OUT_OF_BOUNDS: &str = "table_out_of_bounds";
    /// A count exceeds this crate's cap (e.g. [`MAX_STRING_IDS`](crate::MAX_STRING_IDS)
    /// or the format's own 65535 limit) and was cut.
    pub const COUNT_CAPPED: &str = "count_capped";
    /// The map list is missing, out of bounds, or disagrees with the header.
    pub const MAP_LIST_INVALID: &str = "map_list_invalid";
    /// A class's `interfaces_off` type list is out of bounds.
    pub const TYPE_LIST_INVALID: &str = "type_list_invalid";
    /// A `class_data_item` is truncated or holds a malformed uleb128; the
    /// members read before the fault are kept.
    pub const CLASS_DATA_INVALID: &str = "class_data_invalid";
    /// An index (class, method, field, string, type …) is past its table.
    pub const INDEX_OUT_OF_RANGE: &str = "index_out_of_range";
    /// A `code_item` or its instruction array is out of bounds.
    pub const CODE_ITEM_INVALID: &str = "code_item_invalid";
    /// The instruction stream holds an opcode that the format leaves unused
    /// (0x3e–0x43, 0x73, 0x79–0x7a, 0xe3–0xf9); it is counted as one code unit.
    /// Reported once per method.
    pub const UNUSED_OPCODE: &str = "unused_opcode";
    /// An instruction or payload runs past the end of `insns`; the walk stops.
    pub const TRUNCATED_INSTRUCTION: &str = "truncated_instruction";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anomaly_display() {
        let a = Anomaly::new(codes::COUNT_CAPPED, Some(0x38), "x");
        assert_eq!(a.to_string(), "count_capped at 0x38: x");
        let b = Anomaly::new(codes::UNKNOWN_VERSION, None, "y");
        assert_eq!(b.to_string(), "unknown_version: y");
    }

    #[test]
    fn views_are_send_and_sync() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Dex<'static>>();
        check::<ClassDef<'static>>();
        check::<Code<'static>>();
    }

    #[test]
    fn error_display() {
        let e = Error::TooShort { len: 3, need: 112 };
        assert_eq!(e.to_string(), "dex header needs 112 bytes, buffer has 3");
    }
}
