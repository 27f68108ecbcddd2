//! Code items and the Dalvik instruction stream.
//!
//! The opcode table follows "Dalvik bytecode" (source.android.com,
//! dalvik-bytecode and instruction-formats); sizes match ART's
//! `libdexfile/dex/dex_instruction_list.h`, where unused opcodes are format
//! 10x (one code unit).

use crate::read::{off64, u16_at, u32_at, us};
use crate::{Anomaly, codes};

/// Size of the fixed part of a `code_item`.
const CODE_ITEM_HEADER: usize = 16;
/// `nop` opcode; with a non-zero high byte it may start a payload.
const OP_NOP: u8 = 0x00;
/// High byte of `packed-switch-payload` (ident 0x0100).
const PACKED_SWITCH_IDENT: u8 = 0x01;
/// High byte of `sparse-switch-payload` (ident 0x0200).
const SPARSE_SWITCH_IDENT: u8 = 0x02;
/// High byte of `fill-array-data-payload` (ident 0x0300).
const FILL_ARRAY_DATA_IDENT: u8 = 0x03;

/// Dalvik instruction formats (dex "instruction-formats"): the name says the
/// size in code units (first digit) and the operand layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // the variant names are the format ids of the spec
#[non_exhaustive]
pub enum Format {
    F10x,
    F12x,
    F11n,
    F11x,
    F10t,
    F20t,
    F20bc,
    F22x,
    F21t,
    F21s,
    F21h,
    F21c,
    F23x,
    F22b,
    F22t,
    F22s,
    F22c,
    F22cs,
    F30t,
    F32x,
    F31i,
    F31t,
    F31c,
    F35c,
    F35ms,
    F35mi,
    F3rc,
    F3rms,
    F3rmi,
    F45cc,
    F4rcc,
    F51l,
}

impl Format {
    /// Size in 16-bit code units.
    pub const fn units(self) -> usize {
        use Format::{
            F3rc, F3rmi, F3rms, F4rcc, F10t, F10x, F11n, F11x, F12x, F20bc, F20t, F21c, F21h, F21s,
            F21t, F22b, F22c, F22cs, F22s, F22t, F22x, F23x, F30t, F31c, F31i, F31t, F32x, F35c,
            F35mi, F35ms, F45cc, F51l,
        };
        match self {
            F10x | F12x | F11n | F11x | F10t => 1,
            F20t | F20bc | F22x | F21t | F21s | F21h | F21c | F23x | F22b | F22t | F22s | F22c
            | F22cs => 2,
            F30t | F32x | F31i | F31t | F31c | F35c | F35ms | F35mi | F3rc | F3rms | F3rmi => 3,
            F45cc | F4rcc => 4,
            F51l => 5,
        }
    }
}

/// The invoke kinds that name a method id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvokeKind {
    /// `invoke-virtual` (0x6e) and `/range` (0x74).
    Virtual,
    /// `invoke-super` (0x6f, 0x75).
    Super,
    /// `invoke-direct` (0x70, 0x76).
    Direct,
    /// `invoke-static` (0x71, 0x77).
    Static,
    /// `invoke-interface` (0x72, 0x78).
    Interface,
    /// `invoke-polymorphic` (0xfa, 0xfb).
    Polymorphic,
}

/// How an instruction uses a type reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeUse {
    /// `const-class` (0x1c): reflection, class literals.
    ConstClass,
    /// `check-cast` (0x1f).
    CheckCast,
    /// `instance-of` (0x20).
    InstanceOf,
    /// `new-instance` (0x22).
    NewInstance,
    /// `new-array` (0x23).
    NewArray,
    /// `filled-new-array` and `/range` (0x24, 0x25).
    FilledNewArray,
}

/// What kind of constant-pool index an opcode carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// No index.
    None,
    /// A string index (16-bit, or 32-bit for `const-string/jumbo`).
    String,
    /// A type index.
    Type(TypeUse),
    /// A field read (`iget*`, `sget*`).
    FieldRead {
        /// `sget*`.
        is_static: bool,
    },
    /// A field write (`iput*`, `sput*`).
    FieldWrite {
        /// `sput*`.
        is_static: bool,
    },
    /// A method index.
    Method(InvokeKind),
    /// A call-site index (`invoke-custom`).
    CallSite,
    /// A method-handle index (`const-method-handle`).
    MethodHandle,
    /// A proto index (`const-method-type`).
    Proto,
}

/// Static facts about one opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpInfo {
    /// Mnemonic (`invoke-virtual`), `unused-XX` for unused opcodes.
    pub name: &'static str,
    /// Instruction format (fixes the size).
    pub format: Format,
    /// Constant-pool index the instruction carries.
    pub ref_kind: RefKind,
    /// The opcode is unused in dex 035–041 (counted as one code unit).
    pub unused: bool,
}

/// What an instruction refers to, by index (unresolved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reference {
    /// An invoke of a method id.
    Method {
        /// Which invoke.
        kind: InvokeKind,
        /// Index into the method ids.
        method_idx: u32,
    },
    /// `invoke-custom`: index into the call-site ids.
    CallSite(u32),
    /// A field read.
    FieldRead {
        /// Index into the field ids.
        field_idx: u32,
        /// `sget*` rather than `iget*`.
        is_static: bool,
    },
    /// A field write.
    FieldWrite {
        /// Index into the field ids.
        field_idx: u32,
        /// `sput*` rather than `iput*`.
        is_static: bool,
    },
    /// `const-string` / `const-string/jumbo`: index into the string ids.
    String(u32),
    /// A type use: index into the type ids.
    Type {
        /// How the type is used.
        kind: TypeUse,
        /// Index into the type ids.
        type_idx: u32,
    },
    /// `const-method-handle`: index into the method handles.
    MethodHandle(u32),
    /// `const-method-type`: index into the proto ids.
    Proto(u32),
}

/// The payload pseudo-instructions (data inside the instruction stream).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Payload {
    /// `packed-switch-payload` (ident 0x0100).
    PackedSwitch,
    /// `sparse-switch-payload` (ident 0x0200).
    SparseSwitch,
    /// `fill-array-data-payload` (ident 0x0300).
    FillArrayData,
}

/// Mnemonics of all 256 opcodes.
#[rustfmt::skip]
const NAMES: [&str; 256] = [
    // 0x00
    "nop", "move", "move/from16", "move/16", "move-wide", "move-wide/from16", "move-wide/16",
    "move-object", "move-object/from16", "move-object/16", "move-result", "move-result-wide",
    "move-result-object", "move-exception", "return-void", "return",
    // 0x10
    "return-wide", "return-object", "const/4", "const/16", "const", "const/high16",
    "const-wide/16", "const-wide/32", "const-wide", "const-wide/high16", "const-string",
    "const-string/jumbo", "const-class", "monitor-enter", "monitor-exit", "check-cast",
    // 0x20
    "instance-of", "array-length", "new-instance", "new-array", "filled-new-array",
    "filled-new-array/range", "fill-array-data", "throw", "goto", "goto/16", "goto/32",
    "packed-switch", "sparse-switch", "cmpl-float", "cmpg-float", "cmpl-double",
    // 0x30
    "cmpg-double", "cmp-long", "if-eq", "if-ne", "if-lt", "if-ge", "if-gt", "if-le", "if-eqz",
    "if-nez", "if-ltz", "if-gez", "if-gtz", "if-lez", "unused-3e", "unused-3f",
    // 0x40
    "unused-40", "unused-41", "unused-42", "unused-43", "aget", "aget-wide", "aget-object",
    "aget-boolean", "aget-byte", "aget-char", "aget-short", "aput", "aput-wide", "aput-object",
    "aput-boolean", "aput-byte",
    // 0x50
    "aput-char", "aput-short", "iget", "iget-wide", "iget-object", "iget-boolean", "iget-byte",
    "iget-char", "iget-short", "iput", "iput-wide", "iput-object", "iput-boolean", "iput-byte",
    "iput-char", "iput-short",
    // 0x60
    "sget", "sget-wide", "sget-object", "sget-boolean", "sget-byte", "sget-char", "sget-short",
    "sput", "sput-wide", "sput-object", "sput-boolean", "sput-byte", "sput-char", "sput-short",
    "invoke-virtual", "invoke-super",
    // 0x70
    "invoke-direct", "invoke-static", "invoke-interface", "unused-73", "invoke-virtual/range",
    "invoke-super/range", "invoke-direct/range", "invoke-static/range",
    "invoke-interface/range", "unused-79", "unused-7a", "neg-int", "not-int", "neg-long",
    "not-long", "neg-float",
    // 0x80
    "neg-double", "int-to-long", "int-to-float", "int-to-double", "long-to-int",
    "long-to-float", "long-to-double", "float-to-int", "float-to-long", "float-to-double",
    "double-to-int", "double-to-long", "double-to-float", "int-to-byte", "int-to-char",
    "int-to-short",
    // 0x90
    "add-int", "sub-int", "mul-int", "div-int", "rem-int", "and-int", "or-int", "xor-int",
    "shl-int", "shr-int", "ushr-int", "add-long", "sub-long", "mul-long", "div-long", "rem-long",
    // 0xa0
    "and-long", "or-long", "xor-long", "shl-long", "shr-long", "ushr-long", "add-float",
    "sub-float", "mul-float", "div-float", "rem-float", "add-double", "sub-double",
    "mul-double", "div-double", "rem-double",
    // 0xb0
    "add-int/2addr", "sub-int/2addr", "mul-int/2addr", "div-int/2addr", "rem-int/2addr",
    "and-int/2addr", "or-int/2addr", "xor-int/2addr", "shl-int/2addr", "shr-int/2addr",
    "ushr-int/2addr", "add-long/2addr", "sub-long/2addr", "mul-long/2addr", "div-long/2addr",
    "rem-long/2addr",
    // 0xc0
    "and-long/2addr", "or-long/2addr", "xor-long/2addr", "shl-long/2addr", "shr-long/2addr",
    "ushr-long/2addr", "add-float/2addr", "sub-float/2addr", "mul-float/2addr",
    "div-float/2addr", "rem-float/2addr", "add-double/2addr", "sub-double/2addr",
    "mul-double/2addr", "div-double/2addr", "rem-double/2addr",
    // 0xd0
    "add-int/lit16", "rsub-int", "mul-int/lit16", "div-int/lit16", "rem-int/lit16",
    "and-int/lit16", "or-int/lit16", "xor-int/lit16", "add-int/lit8", "rsub-int/lit8",
    "mul-int/lit8", "div-int/lit8", "rem-int/lit8", "and-int/lit8", "or-int/lit8",
    "xor-int/lit8",
    // 0xe0
    "shl-int/lit8", "shr-int/lit8", "ushr-int/lit8", "unused-e3", "unused-e4", "unused-e5",
    "unused-e6", "unused-e7", "unused-e8", "unused-e9", "unused-ea", "unused-eb", "unused-ec",
    "unused-ed", "unused-ee", "unused-ef",
    // 0xf0
    "unused-f0", "unused-f1", "unused-f2", "unused-f3", "unused-f4", "unused-f5", "unused-f6",
    "unused-f7", "unused-f8", "unused-f9", "invoke-polymorphic", "invoke-polymorphic/range",
    "invoke-custom", "invoke-custom/range", "const-method-handle", "const-method-type",
];

/// Format, reference kind and "unused" flag of `op`.
const fn classify(op: u8) -> (Format, RefKind, bool) {
    use Format::{
        F3rc, F4rcc, F10t, F10x, F11n, F11x, F12x, F20t, F21c, F21h, F21s, F21t, F22b, F22c, F22s,
        F22t, F22x, F23x, F30t, F31c, F31i, F31t, F32x, F35c, F45cc, F51l,
    };
    let none = RefKind::None;
    match op {
        0x00 | 0x0e => (F10x, none, false),
        0x01 | 0x04 | 0x07 | 0x21 | 0x7b..=0x8f | 0xb0..=0xcf => (F12x, none, false),
        0x02 | 0x05 | 0x08 => (F22x, none, false),
        0x03 | 0x06 | 0x09 => (F32x, none, false),
        0x0a..=0x0d | 0x0f..=0x11 | 0x1d | 0x1e | 0x27 => (F11x, none, false),
        0x12 => (F11n, none, false),
        0x13 | 0x16 => (F21s, none, false),
        0x14 | 0x17 => (F31i, none, false),
        0x15 | 0x19 => (F21h, none, false),
        0x18 => (F51l, none, false),
        0x1a => (F21c, RefKind::String, false),
        0x1b => (F31c, RefKind::String, false),
        0x1c => (F21c, RefKind::Type(TypeUse::ConstClass), false),
        0x1f => (F21c, RefKind::Type(TypeUse::CheckCast), false),
        0x20 => (F22c, RefKind::Type(TypeUse::InstanceOf), false),
        0x22 => (F21c, RefKind::Type(TypeUse::NewInstance), false),
        0x23 => (F22c, RefKind::Type(TypeUse::NewArray), false),
        0x24 => (F35c, RefKind::Type(TypeUse::FilledNewArray), false),
        0x25 => (F3rc, RefKind::Type(TypeUse::FilledNewArray), false),
        0x26 | 0x2b | 0x2c => (F31t, none, false),
        0x28 => (F10t, none, false),
        0x29 => (F20t, none, false),
        0x2a => (F30t, none, false),
        0x2d..=0x31 | 0x44..=0x51 | 0x90..=0xaf => (F23x, none, false),
        0x32..=0x37 => (F22t, none, false),
        0x38..=0x3d => (F21t, none, false),
        0x52..=0x58 => (F22c, RefKind::FieldRead { is_static: false }, false),
        0x59..=0x5f => (F22c, RefKind::FieldWrite { is_static: false }, false),
        0x60..=0x66 => (F21c, RefKind::FieldRead { is_static: true }, false),
        0x67..=0x6d => (F21c, RefKind::FieldWrite { is_static: true }, false),
        0x6e | 0x74 => (
            invoke_format(op),
            RefKind::Method(InvokeKind::Virtual),
            false,
        ),
        0x6f | 0x75 => (invoke_format(op), RefKind::Method(InvokeKind::Super), false),
        0x70 | 0x76 => (
            invoke_format(op),
            RefKind::Method(InvokeKind::Direct),
            false,
        ),
        0x71 | 0x77 => (
            invoke_format(op),
            RefKind::Method(InvokeKind::Static),
            false,
        ),
        0x72 | 0x78 => (
            invoke_format(op),
            RefKind::Method(InvokeKind::Interface),
            false,
        ),
        0xd0..=0xd7 => (F22s, none, false),
        0xd8..=0xe2 => (F22b, none, false),
        0xfa => (F45cc, RefKind::Method(InvokeKind::Polymorphic), false),
        0xfb => (F4rcc, RefKind::Method(InvokeKind::Polymorphic), false),
        0xfc => (F35c, RefKind::CallSite, false),
        0xfd => (F3rc, RefKind::CallSite, false),
        0xfe => (F21c, RefKind::MethodHandle, false),
        0xff => (F21c, RefKind::Proto, false),
        // 0x3e..=0x43, 0x73, 0x79, 0x7a, 0xe3..=0xf9
        _ => (F10x, none, true),
    }
}

const fn invoke_format(op: u8) -> Format {
    if op < 0x74 {
        Format::F35c
    } else {
        Format::F3rc
    }
}

const fn build_table() -> [OpInfo; 256] {
    let mut table = [OpInfo {
        name: "",
        format: Format::F10x,
        ref_kind: RefKind::None,
        unused: true,
    }; 256];
    let mut i = 0;
    while i < 256 {
        #[allow(clippy::cast_possible_truncation)] // i < 256
        let (format, ref_kind, unused) = classify(i as u8);
        #[allow(clippy::indexing_slicing)] // const loop bounded by the array length
        {
            table[i] = OpInfo {
                name: NAMES[i],
                format,
                ref_kind,
                unused,
            };
        }
        #[allow(clippy::arithmetic_side_effects)] // i < 256
        {
            i += 1;
        }
    }
    table
}

/// The opcode table, built at compile time.
static OPS: [OpInfo; 256] = build_table();

/// Static facts about opcode `op`.
#[inline]
pub fn op_info(op: u8) -> &'static OpInfo {
    // A u8 always indexes a 256-entry table; `get` keeps the no-indexing rule.
    OPS.get(usize::from(op)).unwrap_or(&OPS_FALLBACK)
}

static OPS_FALLBACK: OpInfo = OpInfo {
    name: "unused",
    format: Format::F10x,
    ref_kind: RefKind::None,
    unused: true,
};

/// A method's `code_item` (dex-format `code_item`); tries and debug info are
/// not decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code<'a> {
    /// File offset of the `code_item`.
    pub off: u32,
    /// Number of registers.
    pub registers_size: u16,
    /// Words of incoming arguments.
    pub ins_size: u16,
    /// Words of outgoing argument space for invocations.
    pub outs_size: u16,
    /// Number of try items (not decoded).
    pub tries_size: u16,
    /// Offset of the debug info (not decoded).
    pub debug_info_off: u32,
    /// The instruction array: `insns_size` code units, little-endian.
    pub insns: &'a [u8],
}

impl<'a> Code<'a> {
    pub(crate) fn read(data: &'a [u8], off: u32) -> Result<Self, Anomaly> {
        let start = us(off);
        let bad = |detail: String| Anomaly::new(codes::CODE_ITEM_INVALID, off64(start), detail);
        let head = data
            .get(start..)
            .and_then(|d| d.get(..CODE_ITEM_HEADER))
            .ok_or_else(|| bad(format!("code_item at {off:#x} is past the end")))?;
        let h16 = |o| u16_at(head, o).unwrap_or_default();
        let insns_size = u32_at(head, 12).unwrap_or_default();
        let insns = start
            .checked_add(CODE_ITEM_HEADER)
            .and_then(|s| data.get(s..))
            .and_then(|d| d.get(..us(insns_size).checked_mul(2)?))
            .ok_or_else(|| {
                bad(format!(
                    "insns of {insns_size} code units at {off:#x} run past the end"
                ))
            })?;
        Ok(Self {
            off,
            registers_size: h16(0),
            ins_size: h16(2),
            outs_size: h16(4),
            tries_size: h16(6),
            debug_info_off: u32_at(head, 8).unwrap_or_default(),
            insns,
        })
    }

    /// Number of code units in `insns`.
    pub fn insns_units(&self) -> usize {
        self.insns.len() / 2
    }

    /// The instruction stream.
    pub fn instructions(&self) -> InsnIter<'a> {
        InsnIter::new(self.insns)
    }

    /// `(pc, reference)` of every instruction that carries an index.
    /// Indices are not checked (see [`Dex::references`](crate::Dex::references)).
    pub fn references(&self) -> impl Iterator<Item = (u32, Reference)> + 'a {
        self.instructions()
            .filter_map(|i| Some((i.pc, i.reference()?)))
    }

    /// File offset of the instruction at `pc`.
    pub fn insn_offset(&self, pc: u32) -> Option<u64> {
        u64::from(self.off)
            .checked_add(16)
            .and_then(|o| o.checked_add(u64::from(pc).checked_mul(2)?))
    }
}

/// One decoded instruction or payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insn<'a> {
    /// Position in code units from the start of `insns`.
    pub pc: u32,
    /// The opcode byte (0x00 for payloads).
    pub opcode: u8,
    /// Set when this is a payload pseudo-instruction.
    pub payload: Option<Payload>,
    /// The instruction's bytes (2 × its size in code units).
    pub raw: &'a [u8],
}

impl Insn<'_> {
    /// Static facts about the opcode.
    pub fn info(&self) -> &'static OpInfo {
        op_info(self.opcode)
    }

    /// Size in code units.
    pub fn units(&self) -> usize {
        self.raw.len() / 2
    }

    /// Code unit `i` of the instruction.
    pub fn unit(&self, i: usize) -> Option<u16> {
        u16_at(self.raw, i.checked_mul(2)?)
    }

    /// The constant-pool index this instruction carries, if any.
    #[inline]
    pub fn reference(&self) -> Option<Reference> {
        if self.payload.is_some() {
            return None;
        }
        let info = op_info(self.opcode);
        if matches!(info.ref_kind, RefKind::None) {
            return None;
        }
        let idx = match info.format {
            Format::F31c => u32_at(self.raw, 2)?,
            _ => u32::from(u16_at(self.raw, 2)?),
        };
        Some(match info.ref_kind {
            RefKind::None => return None,
            RefKind::String => Reference::String(idx),
            RefKind::Type(kind) => Reference::Type {
                kind,
                type_idx: idx,
            },
            RefKind::FieldRead { is_static } => Reference::FieldRead {
                field_idx: idx,
                is_static,
            },
            RefKind::FieldWrite { is_static } => Reference::FieldWrite {
                field_idx: idx,
                is_static,
            },
            RefKind::Method(kind) => Reference::Method {
                kind,
                method_idx: idx,
            },
            RefKind::CallSite => Reference::CallSite(idx),
            RefKind::MethodHandle => Reference::MethodHandle(idx),
            RefKind::Proto => Reference::Proto(idx),
        })
    }
}

/// Iterator over the instructions of a code item.
///
/// Payloads are yielded with [`Insn::payload`] set and their real size.
/// Unused opcodes count as one code unit. An instruction that runs past the
/// end stops the walk. Both are summarised by [`InsnIter::anomalies`].
#[derive(Debug, Clone)]
pub struct InsnIter<'a> {
    insns: &'a [u8],
    pos: usize,
    first_unused: Option<(u32, u8)>,
    unused_count: u32,
    truncated_at: Option<u32>,
}

impl<'a> InsnIter<'a> {
    /// Walks `insns` (little-endian code units).
    pub fn new(insns: &'a [u8]) -> Self {
        Self {
            insns,
            pos: 0,
            first_unused: None,
            unused_count: 0,
            truncated_at: None,
        }
    }

    /// `(pc, opcode)` of the first unused opcode met so far, and how many.
    pub fn unused_opcodes(&self) -> Option<(u32, u8, u32)> {
        self.first_unused
            .map(|(pc, op)| (pc, op, self.unused_count))
    }

    /// The pc of the instruction that ran past the end, if one did.
    pub fn truncated_at(&self) -> Option<u32> {
        self.truncated_at
    }

    /// Anomalies met so far: at most one [`codes::UNUSED_OPCODE`] and one
    /// [`codes::TRUNCATED_INSTRUCTION`]; offsets are file offsets in `code`.
    pub fn anomalies(&self, code: &Code<'_>) -> Vec<Anomaly> {
        let mut out = Vec::new();
        if let Some((pc, op, n)) = self.unused_opcodes() {
            out.push(Anomaly::new(
                codes::UNUSED_OPCODE,
                code.insn_offset(pc),
                format!("unused opcode {op:#04x} at pc {pc:#x} ({n} in this method)"),
            ));
        }
        if let Some(pc) = self.truncated_at {
            out.push(Anomaly::new(
                codes::TRUNCATED_INSTRUCTION,
                code.insn_offset(pc),
                format!(
                    "instruction at pc {pc:#x} runs past insns_size {:#x}",
                    code.insns_units()
                ),
            ));
        }
        out
    }

    /// Size in code units of the payload starting at `rest`, if it is one.
    fn payload_units(rest: &[u8], ident: u8) -> Option<(Payload, Option<u64>)> {
        let size16 = u64::from(u16_at(rest, 2).unwrap_or_default());
        match ident {
            // ident, size, first_key (2 units), targets (2 units each)
            PACKED_SWITCH_IDENT => Some((
                Payload::PackedSwitch,
                size16.checked_mul(2).and_then(|n| n.checked_add(4)),
            )),
            // ident, size, keys and targets (2 units each)
            SPARSE_SWITCH_IDENT => Some((
                Payload::SparseSwitch,
                size16.checked_mul(4).and_then(|n| n.checked_add(2)),
            )),
            // ident, element_width, size (2 units), data padded to a unit
            FILL_ARRAY_DATA_IDENT => {
                let width = size16;
                let units = u32_at(rest, 4).and_then(|count| {
                    let bytes = u64::from(count).checked_mul(width)?;
                    bytes.checked_add(1)?.checked_div(2)?.checked_add(4)
                });
                Some((Payload::FillArrayData, units))
            }
            _ => None,
        }
    }
}

impl<'a> Iterator for InsnIter<'a> {
    type Item = Insn<'a>;

    #[inline]
    fn next(&mut self) -> Option<Insn<'a>> {
        let rest = self.insns.get(self.pos..)?;
        let pc = u32::try_from(self.pos / 2).ok()?;
        let &[op, high, ..] = rest else {
            if !rest.is_empty() {
                self.truncated_at = Some(pc);
                self.pos = self.insns.len();
            }
            return None;
        };
        let mut payload = None;
        let units: Option<u64> = if op == OP_NOP && high != 0 {
            match Self::payload_units(rest, high) {
                Some((kind, units)) => {
                    payload = Some(kind);
                    units
                }
                None => Some(1),
            }
        } else {
            let info = op_info(op);
            if info.unused {
                self.unused_count = self.unused_count.saturating_add(1);
                if self.first_unused.is_none() {
                    self.first_unused = Some((pc, op));
                }
            }
            u64::try_from(info.format.units()).ok()
        };
        let raw = units
            .and_then(|u| usize::try_from(u).ok())
            .and_then(|u| u.checked_mul(2))
            .and_then(|len| rest.get(..len));
        let Some(raw) = raw else {
            self.truncated_at = Some(pc);
            self.pos = self.insns.len();
            return None;
        };
        self.pos = self.pos.saturating_add(raw.len());
        Some(Insn {
            pc,
            opcode: op,
            payload,
            raw,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(units: &[u16]) -> Vec<u8> {
        units.iter().flat_map(|u| u.to_le_bytes()).collect()
    }

    #[test]
    fn table_sizes_match_the_spec() {
        // (opcode, units) spot checks across every format.
        let cases = [
            (0x00, 1),
            (0x01, 1),
            (0x02, 2),
            (0x03, 3),
            (0x12, 1),
            (0x13, 2),
            (0x14, 3),
            (0x15, 2),
            (0x18, 5),
            (0x1a, 2),
            (0x1b, 3),
            (0x1c, 2),
            (0x20, 2),
            (0x24, 3),
            (0x25, 3),
            (0x26, 3),
            (0x28, 1),
            (0x29, 2),
            (0x2a, 3),
            (0x2b, 3),
            (0x2d, 2),
            (0x32, 2),
            (0x38, 2),
            (0x44, 2),
            (0x52, 2),
            (0x60, 2),
            (0x6e, 3),
            (0x74, 3),
            (0x7b, 1),
            (0x90, 2),
            (0xb0, 1),
            (0xd0, 2),
            (0xd8, 2),
            (0xe2, 2),
            (0xfa, 4),
            (0xfb, 4),
            (0xfc, 3),
            (0xfd, 3),
            (0xfe, 2),
            (0xff, 2),
        ];
        for (op, units) in cases {
            assert_eq!(
                op_info(op).format.units(),
                units,
                "{op:#x} {}",
                op_info(op).name
            );
        }
        let unused: Vec<u8> = (0..=255u8).filter(|&o| op_info(o).unused).collect();
        let mut want: Vec<u8> = (0x3e..=0x43).chain([0x73, 0x79, 0x7a]).collect();
        want.extend(0xe3..=0xf9);
        assert_eq!(unused, want);
        for op in 0..=255u8 {
            let info = op_info(op);
            assert_eq!(info.unused, info.name.starts_with("unused"), "{op:#x}");
            assert!(!info.name.is_empty());
        }
        assert_eq!(op_info(0x6e).name, "invoke-virtual");
        assert_eq!(op_info(0x78).name, "invoke-interface/range");
        assert_eq!(op_info(0xe2).name, "ushr-int/lit8");
        assert_eq!(op_info(0xc0).name, "and-long/2addr");
    }

    #[test]
    fn ref_kinds() {
        assert_eq!(
            op_info(0x54).ref_kind,
            RefKind::FieldRead { is_static: false }
        );
        assert_eq!(
            op_info(0x5f).ref_kind,
            RefKind::FieldWrite { is_static: false }
        );
        assert_eq!(
            op_info(0x66).ref_kind,
            RefKind::FieldRead { is_static: true }
        );
        assert_eq!(
            op_info(0x67).ref_kind,
            RefKind::FieldWrite { is_static: true }
        );
        assert_eq!(op_info(0x77).ref_kind, RefKind::Method(InvokeKind::Static));
        assert_eq!(op_info(0x44).ref_kind, RefKind::None);
    }

    #[test]
    fn payloads_are_skipped_by_size() {
        let mut units = vec![0x0000u16]; // nop
        units.extend([0x0100, 2, 0, 0, 1, 0, 2, 0]); // packed-switch, 2 targets: 8 units
        units.extend([0x0200, 1, 5, 0, 9, 0]); // sparse-switch, 1 entry: 6 units
        units.extend([0x0300, 1, 3, 0, 0x0201, 0x0003]); // fill-array 3 bytes: 6 units
        units.extend([0x011a, 7]); // const-string v1, string@7
        let b = bytes(&units);
        let mut it = InsnIter::new(&b);
        let v: Vec<_> = it.by_ref().map(|i| (i.pc, i.payload, i.units())).collect();
        assert_eq!(
            v,
            vec![
                (0, None, 1),
                (1, Some(Payload::PackedSwitch), 8),
                (9, Some(Payload::SparseSwitch), 6),
                (15, Some(Payload::FillArrayData), 6),
                (21, None, 2),
            ]
        );
        assert!(it.truncated_at().is_none());
    }

    #[test]
    fn truncation_and_unused() {
        let b = bytes(&[0x003e, 0x0073, 0x006e, 0x0001]);
        let mut it = InsnIter::new(&b);
        assert_eq!(it.by_ref().count(), 2);
        assert_eq!(it.unused_opcodes(), Some((0, 0x3e, 2)));
        assert_eq!(it.truncated_at(), Some(2));
        // A huge fill-array-data payload.
        let b = bytes(&[0x0300, 0xffff, 0xffff, 0xffff]);
        let mut it = InsnIter::new(&b);
        assert_eq!(it.next(), None);
        assert_eq!(it.truncated_at(), Some(0));
        // Odd trailing byte.
        let mut it = InsnIter::new(&[0x0e, 0x00, 0x0e]);
        assert_eq!(it.by_ref().count(), 1);
        assert_eq!(it.truncated_at(), Some(1));
    }

    #[test]
    fn references_decode() {
        let b = bytes(&[
            0x101b, 0x5678, 0x1234, // const-string/jumbo v16, 0x12345678
            0x106e, 0x0009, 0x0000, // invoke-virtual {v0}, meth@9
            0x0552, 0x0004, // iget v5, v0, field@4
            0x10fa, 3, 0x0000, 4, // invoke-polymorphic {v0}, meth@3, proto@4
        ]);
        let code = Code {
            off: 0,
            registers_size: 0,
            ins_size: 0,
            outs_size: 0,
            tries_size: 0,
            debug_info_off: 0,
            insns: &b,
        };
        let refs: Vec<_> = code.references().collect();
        assert_eq!(
            refs,
            vec![
                (0, Reference::String(0x1234_5678)),
                (
                    3,
                    Reference::Method {
                        kind: InvokeKind::Virtual,
                        method_idx: 9
                    }
                ),
                (
                    6,
                    Reference::FieldRead {
                        field_idx: 4,
                        is_static: false
                    }
                ),
                (
                    8,
                    Reference::Method {
                        kind: InvokeKind::Polymorphic,
                        method_idx: 3
                    }
                ),
            ]
        );
    }
}
