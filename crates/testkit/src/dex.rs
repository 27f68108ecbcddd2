//! A small DEX writer for tests and fixtures.
//!
//! Describe classes (descriptor, superclass, interfaces, fields, methods with
//! simple bytecode) and [`DexBuilder::build`] writes a valid dex file: header,
//! sorted string/type/proto/field/method ids, class defs, type lists, code
//! items, string data, class data, map list, adler32 checksum and SHA-1
//! signature. Instructions name their constant-pool targets symbolically
//! ([`Ref`]); the writer interns them and patches the final indices.
//!
//! ```
//! use apkscope_testkit::dex::{ClassSpec, DexBuilder, Insn, MethodRef, MethodSpec, op};
//! let log = MethodRef::new("Landroid/util/Log;", "d", "I", &["Ljava/lang/String;", "Ljava/lang/String;"]);
//! let bytes = DexBuilder::new()
//!     .class(
//!         ClassSpec::new("Lcom/example/Main;").direct_method(
//!             MethodSpec::new("run", "V", &[]).access(0x9).code(2, 0, 2, vec![
//!                 Insn::const_string(0, "tag"),
//!                 Insn::const_string(1, "hello"),
//!                 Insn::invoke(op::INVOKE_STATIC, &[0, 1], log),
//!                 Insn::return_void(),
//!             ]),
//!         ),
//!     )
//!     .build();
//! assert_eq!(&bytes[..8], b"dex\n035\0");
//! ```
//!
//! Hostile variants: mutate the bytes (the [`Layout`] from
//! [`DexBuilder::build_with_layout`] says where things are), then call
//! [`fix_checksums`] if the mutation should not also break the checksum.
// Test-support code: inputs are the test author's own, so panicking on a
// nonsensical spec (e.g. more than 65535 types) is the right behaviour, and
// the writer does plain arithmetic on sizes it computed itself.
#![allow(
    clippy::indexing_slicing,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::missing_panics_doc,
    clippy::must_use_candidate,
    clippy::return_self_not_must_use,
    clippy::too_many_lines // the writer is one linear layout pass
)]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sha1::{Digest, Sha1};

/// Opcodes used by the [`Insn`] constructors.
#[allow(missing_docs)]
pub mod op {
    pub const NOP: u8 = 0x00;
    pub const RETURN_VOID: u8 = 0x0e;
    pub const CONST_STRING: u8 = 0x1a;
    pub const CONST_STRING_JUMBO: u8 = 0x1b;
    pub const CONST_CLASS: u8 = 0x1c;
    pub const CHECK_CAST: u8 = 0x1f;
    pub const INSTANCE_OF: u8 = 0x20;
    pub const NEW_INSTANCE: u8 = 0x22;
    pub const FILL_ARRAY_DATA: u8 = 0x26;
    pub const PACKED_SWITCH: u8 = 0x2b;
    pub const SPARSE_SWITCH: u8 = 0x2c;
    pub const IGET: u8 = 0x52;
    pub const IGET_OBJECT: u8 = 0x54;
    pub const IPUT: u8 = 0x59;
    pub const IPUT_OBJECT: u8 = 0x5b;
    pub const SGET: u8 = 0x60;
    pub const SGET_OBJECT: u8 = 0x62;
    pub const SPUT: u8 = 0x67;
    pub const SPUT_OBJECT: u8 = 0x69;
    pub const INVOKE_VIRTUAL: u8 = 0x6e;
    pub const INVOKE_SUPER: u8 = 0x6f;
    pub const INVOKE_DIRECT: u8 = 0x70;
    pub const INVOKE_STATIC: u8 = 0x71;
    pub const INVOKE_INTERFACE: u8 = 0x72;
    pub const INVOKE_VIRTUAL_RANGE: u8 = 0x74;
    pub const INVOKE_SUPER_RANGE: u8 = 0x75;
    pub const INVOKE_DIRECT_RANGE: u8 = 0x76;
    pub const INVOKE_STATIC_RANGE: u8 = 0x77;
    pub const INVOKE_INTERFACE_RANGE: u8 = 0x78;
    pub const INVOKE_POLYMORPHIC: u8 = 0xfa;
    pub const INVOKE_POLYMORPHIC_RANGE: u8 = 0xfb;
    pub const INVOKE_CUSTOM: u8 = 0xfc;
    pub const INVOKE_CUSTOM_RANGE: u8 = 0xfd;
}

/// A method identity: class descriptor, name, return type, parameter types.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MethodRef {
    /// Defining class descriptor (`Lcom/a/B;`).
    pub class: String,
    /// Method name.
    pub name: String,
    /// Return type descriptor.
    pub ret: String,
    /// Parameter type descriptors.
    pub params: Vec<String>,
}

impl MethodRef {
    /// A method reference.
    pub fn new(class: &str, name: &str, ret: &str, params: &[&str]) -> Self {
        Self {
            class: class.into(),
            name: name.into(),
            ret: ret.into(),
            params: params.iter().map(|&p| p.into()).collect(),
        }
    }
}

/// A field identity: class descriptor, name, type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldRef {
    /// Defining class descriptor.
    pub class: String,
    /// Field name.
    pub name: String,
    /// Field type descriptor.
    pub ty: String,
}

impl FieldRef {
    /// A field reference.
    pub fn new(class: &str, name: &str, ty: &str) -> Self {
        Self {
            class: class.into(),
            name: name.into(),
            ty: ty.into(),
        }
    }
}

/// The constant-pool target of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ref {
    /// No index to patch.
    None,
    /// A string (patched as a string index).
    String(String),
    /// A type descriptor.
    Type(String),
    /// A field.
    Field(FieldRef),
    /// A method.
    Method(MethodRef),
}

/// One instruction: code units with a symbolic index at unit 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insn {
    /// The code units; unit 1 (and 2 when `wide_index`) is overwritten with
    /// the final index of `reference`.
    pub units: Vec<u16>,
    /// What the index refers to.
    pub reference: Ref,
    /// The index is 32-bit (units 1–2), as in `const-string/jumbo`.
    pub wide_index: bool,
}

fn lo(v: u8) -> u16 {
    u16::from(v)
}

impl Insn {
    /// Literal code units, nothing patched.
    pub fn raw(units: &[u16]) -> Self {
        Self {
            units: units.to_vec(),
            reference: Ref::None,
            wide_index: false,
        }
    }

    fn with(units: Vec<u16>, reference: Ref) -> Self {
        Self {
            units,
            reference,
            wide_index: false,
        }
    }

    /// `nop`.
    pub fn nop() -> Self {
        Self::raw(&[0x0000])
    }

    /// `return-void`.
    pub fn return_void() -> Self {
        Self::raw(&[lo(op::RETURN_VOID)])
    }

    /// `const-string vA, "s"` (21c).
    pub fn const_string(reg: u8, s: &str) -> Self {
        Self::with(
            vec![lo(op::CONST_STRING) | lo(reg) << 8, 0],
            Ref::String(s.into()),
        )
    }

    /// `const-string/jumbo vA, "s"` (31c).
    pub fn const_string_jumbo(reg: u8, s: &str) -> Self {
        Self {
            units: vec![lo(op::CONST_STRING_JUMBO) | lo(reg) << 8, 0, 0],
            reference: Ref::String(s.into()),
            wide_index: true,
        }
    }

    /// A 21c type instruction: `const-class`, `check-cast`, `new-instance`.
    pub fn type_op(opcode: u8, reg: u8, descriptor: &str) -> Self {
        Self::with(
            vec![lo(opcode) | lo(reg) << 8, 0],
            Ref::Type(descriptor.into()),
        )
    }

    /// `instance-of vA, vB, type` (22c).
    pub fn instance_of(a: u8, b: u8, descriptor: &str) -> Self {
        Self::with(
            vec![
                lo(op::INSTANCE_OF) | lo(a & 0xf) << 8 | lo(b & 0xf) << 12,
                0,
            ],
            Ref::Type(descriptor.into()),
        )
    }

    /// An instance field op `iget*`/`iput*` `vA, vB, field` (22c).
    pub fn ifield(opcode: u8, a: u8, b: u8, field: FieldRef) -> Self {
        Self::with(
            vec![lo(opcode) | lo(a & 0xf) << 8 | lo(b & 0xf) << 12, 0],
            Ref::Field(field),
        )
    }

    /// A static field op `sget*`/`sput*` `vAA, field` (21c).
    pub fn sfield(opcode: u8, reg: u8, field: FieldRef) -> Self {
        Self::with(vec![lo(opcode) | lo(reg) << 8, 0], Ref::Field(field))
    }

    /// A 35c invoke `{args}` (up to 5 registers of 4 bits).
    pub fn invoke(opcode: u8, args: &[u8], method: MethodRef) -> Self {
        Self::with(invoke_units(opcode, args), Ref::Method(method))
    }

    /// A 3rc invoke `{vFIRST .. vFIRST+count-1}`.
    pub fn invoke_range(opcode: u8, first: u16, count: u8, method: MethodRef) -> Self {
        Self::with(
            vec![lo(opcode) | lo(count) << 8, 0, first],
            Ref::Method(method),
        )
    }

    /// `invoke-polymorphic {args}, method, proto@proto_idx` (45cc).
    pub fn invoke_polymorphic(args: &[u8], method: MethodRef, proto_idx: u16) -> Self {
        let mut units = invoke_units(op::INVOKE_POLYMORPHIC, args);
        units.push(proto_idx);
        Self::with(units, Ref::Method(method))
    }

    /// `invoke-polymorphic/range` (4rcc).
    pub fn invoke_polymorphic_range(first: u16, count: u8, method: MethodRef, proto: u16) -> Self {
        Self::with(
            vec![
                lo(op::INVOKE_POLYMORPHIC_RANGE) | lo(count) << 8,
                0,
                first,
                proto,
            ],
            Ref::Method(method),
        )
    }

    /// `invoke-custom {args}, call_site@idx` (35c, raw index).
    pub fn invoke_custom(args: &[u8], call_site: u16) -> Self {
        let mut units = invoke_units(op::INVOKE_CUSTOM, args);
        units[1] = call_site;
        Self::raw(&units)
    }

    /// `invoke-custom/range` (3rc, raw index).
    pub fn invoke_custom_range(first: u16, count: u8, call_site: u16) -> Self {
        Self::raw(&[
            lo(op::INVOKE_CUSTOM_RANGE) | lo(count) << 8,
            call_site,
            first,
        ])
    }

    /// A 31t instruction (`packed-switch`, `sparse-switch`, `fill-array-data`)
    /// with a branch offset in code units relative to this instruction.
    pub fn op31t(opcode: u8, reg: u8, offset: i32) -> Self {
        let o = offset as u32;
        Self::raw(&[lo(opcode) | lo(reg) << 8, o as u16, (o >> 16) as u16])
    }

    /// A `packed-switch-payload`.
    pub fn packed_switch_payload(first_key: i32, targets: &[i32]) -> Self {
        let mut u = vec![0x0100, targets.len() as u16];
        push_i32(&mut u, first_key);
        for &t in targets {
            push_i32(&mut u, t);
        }
        Self::raw(&u)
    }

    /// A `sparse-switch-payload`.
    pub fn sparse_switch_payload(keys: &[i32], targets: &[i32]) -> Self {
        let mut u = vec![0x0200, keys.len() as u16];
        for &k in keys {
            push_i32(&mut u, k);
        }
        for &t in targets {
            push_i32(&mut u, t);
        }
        Self::raw(&u)
    }

    /// A `fill-array-data-payload` of `count` elements of `width` bytes.
    pub fn fill_array_data_payload(width: u16, data: &[u8]) -> Self {
        let count = data.len() / usize::from(width.max(1));
        let mut u = vec![0x0300, width];
        push_i32(&mut u, count as i32);
        for pair in data.chunks(2) {
            u.push(u16::from(pair[0]) | u16::from(*pair.get(1).unwrap_or(&0)) << 8);
        }
        Self::raw(&u)
    }
}

fn invoke_units(opcode: u8, args: &[u8]) -> Vec<u16> {
    assert!(args.len() <= 5, "35c takes at most 5 registers");
    let r = |i: usize| lo(args.get(i).copied().unwrap_or(0) & 0xf);
    vec![
        lo(opcode) | (args.len() as u16) << 12 | r(4) << 8,
        0,
        r(0) | r(1) << 4 | r(2) << 8 | r(3) << 12,
    ]
}

fn push_i32(u: &mut Vec<u16>, v: i32) {
    let v = v as u32;
    u.push(v as u16);
    u.push((v >> 16) as u16);
}

/// A field defined by a class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// Name.
    pub name: String,
    /// Type descriptor.
    pub ty: String,
    /// Access flags.
    pub access_flags: u32,
}

/// Code of a method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSpec {
    /// `registers_size`.
    pub registers: u16,
    /// `ins_size`.
    pub ins: u16,
    /// `outs_size`.
    pub outs: u16,
    /// The instructions, in order.
    pub insns: Vec<Insn>,
}

/// A method defined by a class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodSpec {
    /// Name.
    pub name: String,
    /// Return type descriptor.
    pub ret: String,
    /// Parameter type descriptors.
    pub params: Vec<String>,
    /// Access flags (default `ACC_PUBLIC`).
    pub access_flags: u32,
    /// Code (`None` for abstract/native).
    pub code: Option<CodeSpec>,
}

impl MethodSpec {
    /// A public method without code (add it with [`MethodSpec::code`]).
    pub fn new(name: &str, ret: &str, params: &[&str]) -> Self {
        Self {
            name: name.into(),
            ret: ret.into(),
            params: params.iter().map(|&p| p.into()).collect(),
            access_flags: 0x1,
            code: None,
        }
    }

    /// Sets the access flags.
    pub fn access(mut self, flags: u32) -> Self {
        self.access_flags = flags;
        self
    }

    /// Sets the code.
    pub fn code(mut self, registers: u16, ins: u16, outs: u16, insns: Vec<Insn>) -> Self {
        self.code = Some(CodeSpec {
            registers,
            ins,
            outs,
            insns,
        });
        self
    }
}

/// A class to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassSpec {
    /// Descriptor (`Lcom/a/B;`).
    pub descriptor: String,
    /// Access flags (default `ACC_PUBLIC`).
    pub access_flags: u32,
    /// Superclass descriptor (default `Ljava/lang/Object;`).
    pub superclass: Option<String>,
    /// Interface descriptors.
    pub interfaces: Vec<String>,
    /// Source file name.
    pub source_file: Option<String>,
    /// Static fields.
    pub static_fields: Vec<FieldSpec>,
    /// Instance fields.
    pub instance_fields: Vec<FieldSpec>,
    /// Direct methods.
    pub direct_methods: Vec<MethodSpec>,
    /// Virtual methods.
    pub virtual_methods: Vec<MethodSpec>,
}

impl ClassSpec {
    /// A public class extending `java.lang.Object`.
    pub fn new(descriptor: &str) -> Self {
        Self {
            descriptor: descriptor.into(),
            access_flags: 0x1,
            superclass: Some("Ljava/lang/Object;".into()),
            interfaces: Vec::new(),
            source_file: None,
            static_fields: Vec::new(),
            instance_fields: Vec::new(),
            direct_methods: Vec::new(),
            virtual_methods: Vec::new(),
        }
    }

    /// Sets access flags.
    pub fn access(mut self, flags: u32) -> Self {
        self.access_flags = flags;
        self
    }

    /// Sets (or clears) the superclass.
    pub fn superclass(mut self, descriptor: Option<&str>) -> Self {
        self.superclass = descriptor.map(Into::into);
        self
    }

    /// Adds an interface.
    pub fn interface(mut self, descriptor: &str) -> Self {
        self.interfaces.push(descriptor.into());
        self
    }

    /// Sets the source file name.
    pub fn source_file(mut self, name: &str) -> Self {
        self.source_file = Some(name.into());
        self
    }

    /// Adds a static field.
    pub fn static_field(mut self, name: &str, ty: &str, access_flags: u32) -> Self {
        self.static_fields.push(FieldSpec {
            name: name.into(),
            ty: ty.into(),
            access_flags,
        });
        self
    }

    /// Adds an instance field.
    pub fn instance_field(mut self, name: &str, ty: &str, access_flags: u32) -> Self {
        self.instance_fields.push(FieldSpec {
            name: name.into(),
            ty: ty.into(),
            access_flags,
        });
        self
    }

    /// Adds a direct method.
    pub fn direct_method(mut self, m: MethodSpec) -> Self {
        self.direct_methods.push(m);
        self
    }

    /// Adds a virtual method.
    pub fn virtual_method(mut self, m: MethodSpec) -> Self {
        self.virtual_methods.push(m);
        self
    }
}

/// Where the writer put things (file offsets), for hostile mutations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// `string_ids` table.
    pub string_ids_off: u32,
    /// `type_ids` table.
    pub type_ids_off: u32,
    /// `proto_ids` table.
    pub proto_ids_off: u32,
    /// `field_ids` table.
    pub field_ids_off: u32,
    /// `method_ids` table.
    pub method_ids_off: u32,
    /// `class_defs` table.
    pub class_defs_off: u32,
    /// Map list.
    pub map_off: u32,
    /// `class_data_item` of each class (0 when it has none), in class order.
    pub class_data_offs: Vec<u32>,
    /// Every `code_item`, in class, direct-then-virtual, method order.
    pub code_offs: Vec<u32>,
    /// The sorted strings (index = string idx).
    pub strings: Vec<String>,
}

/// Writes dex files.
#[derive(Debug, Clone)]
pub struct DexBuilder {
    version: u32,
    classes: Vec<ClassSpec>,
    extra_strings: Vec<String>,
}

impl Default for DexBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// MUTF-8 encoding of `s`.
pub fn mutf8(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for ch in s.chars() {
        let c = u32::from(ch);
        if c == 0 {
            out.extend_from_slice(&[0xc0, 0x80]);
        } else if c < 0x1_0000 {
            let mut buf = [0u8; 4];
            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        } else {
            let mut buf = [0u16; 2];
            for &u in ch.encode_utf16(&mut buf).iter() {
                out.extend_from_slice(&[
                    0xe0 | (u >> 12) as u8,
                    0x80 | ((u >> 6) & 0x3f) as u8,
                    0x80 | (u & 0x3f) as u8,
                ]);
            }
        }
    }
    out
}

/// Appends `v` as uleb128.
pub fn uleb128(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Adler-32 as zlib computes it.
pub fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

/// Recomputes the SHA-1 signature (bytes 32..) and then the adler32 checksum
/// (bytes 12..) of a dex in place, over the whole buffer.
pub fn fix_checksums(dex: &mut [u8]) {
    if dex.len() < 0x70 {
        return;
    }
    let sig: [u8; 20] = Sha1::digest(&dex[32..]).into();
    dex[12..32].copy_from_slice(&sig);
    let sum = adler32(&dex[12..]);
    dex[8..12].copy_from_slice(&sum.to_le_bytes());
}

fn shorty_char(descriptor: &str) -> char {
    match descriptor.as_bytes().first() {
        Some(b'[' | b'L') => 'L',
        Some(&c) => char::from(c),
        None => 'V',
    }
}

fn utf16_key(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

struct Pools {
    strings: Vec<String>,
    string_idx: HashMap<String, u32>,
    types: Vec<String>,
    type_idx: HashMap<String, u32>,
    /// (shorty, ret, params)
    protos: Vec<(String, String, Vec<String>)>,
    proto_idx: HashMap<(String, Vec<String>), u32>,
    fields: Vec<FieldRef>,
    field_idx: HashMap<FieldRef, u32>,
    methods: Vec<MethodRef>,
    method_idx: HashMap<MethodRef, u32>,
}

impl DexBuilder {
    /// An empty builder writing version 035.
    pub fn new() -> Self {
        Self {
            version: 35,
            classes: Vec::new(),
            extra_strings: Vec::new(),
        }
    }

    /// Sets the version written in the magic (`dex\n0NN\0`). The header is
    /// always the 0x70-byte layout.
    pub fn version(mut self, v: u32) -> Self {
        self.version = v;
        self
    }

    /// Adds a class.
    pub fn class(mut self, c: ClassSpec) -> Self {
        self.classes.push(c);
        self
    }

    /// Adds a string that nothing references.
    pub fn string(mut self, s: &str) -> Self {
        self.extra_strings.push(s.into());
        self
    }

    /// Writes the dex.
    pub fn build(&self) -> Vec<u8> {
        self.build_with_layout().0
    }

    fn collect(&self) -> Pools {
        let mut strings: BTreeSet<(Vec<u16>, String)> = BTreeSet::new();
        let mut types: BTreeSet<String> = BTreeSet::new();
        let mut protos: BTreeSet<(String, Vec<String>)> = BTreeSet::new();
        let mut fields: BTreeSet<FieldRef> = BTreeSet::new();
        let mut methods: BTreeSet<MethodRef> = BTreeSet::new();
        let mut method = |m: &MethodRef, protos: &mut BTreeSet<_>, types: &mut BTreeSet<_>| {
            types.insert(m.class.clone());
            types.insert(m.ret.clone());
            types.extend(m.params.iter().cloned());
            protos.insert((m.ret.clone(), m.params.clone()));
            methods.insert(m.clone());
        };
        let mut extra_strings: Vec<String> = self.extra_strings.clone();
        for c in &self.classes {
            types.insert(c.descriptor.clone());
            types.extend(c.superclass.iter().cloned());
            types.extend(c.interfaces.iter().cloned());
            extra_strings.extend(c.source_file.iter().cloned());
            for f in c.static_fields.iter().chain(&c.instance_fields) {
                types.insert(f.ty.clone());
                fields.insert(FieldRef::new(&c.descriptor, &f.name, &f.ty));
            }
            for m in c.direct_methods.iter().chain(&c.virtual_methods) {
                let r = MethodRef {
                    class: c.descriptor.clone(),
                    name: m.name.clone(),
                    ret: m.ret.clone(),
                    params: m.params.clone(),
                };
                method(&r, &mut protos, &mut types);
                for insn in m.code.iter().flat_map(|c| &c.insns) {
                    match &insn.reference {
                        Ref::None => {}
                        Ref::String(s) => extra_strings.push(s.clone()),
                        Ref::Type(t) => {
                            types.insert(t.clone());
                        }
                        Ref::Field(f) => {
                            types.insert(f.class.clone());
                            types.insert(f.ty.clone());
                            fields.insert(f.clone());
                        }
                        Ref::Method(r) => method(r, &mut protos, &mut types),
                    }
                }
            }
        }
        for t in &types {
            strings.insert((utf16_key(t), t.clone()));
        }
        for (ret, params) in &protos {
            let shorty: String = std::iter::once(ret)
                .chain(params)
                .map(|t| shorty_char(t))
                .collect();
            strings.insert((utf16_key(&shorty), shorty));
        }
        for f in &fields {
            strings.insert((utf16_key(&f.name), f.name.clone()));
        }
        for m in &methods {
            strings.insert((utf16_key(&m.name), m.name.clone()));
        }
        for s in extra_strings {
            strings.insert((utf16_key(&s), s));
        }
        let strings: Vec<String> = strings.into_iter().map(|(_, s)| s).collect();
        let string_idx: HashMap<String, u32> = strings
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        // Type ids sorted by string index.
        let mut types: Vec<String> = types.into_iter().collect();
        types.sort_by_key(|t| string_idx[t]);
        let type_idx: HashMap<String, u32> = types
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        // Protos sorted by return type index, then parameter type indices.
        let mut protos: Vec<(String, Vec<String>)> = protos.into_iter().collect();
        let key = |(ret, params): &(String, Vec<String>)| {
            (
                type_idx[ret],
                params.iter().map(|p| type_idx[p]).collect::<Vec<_>>(),
            )
        };
        protos.sort_by_key(key);
        let proto_idx: HashMap<(String, Vec<String>), u32> = protos
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), i as u32))
            .collect();
        let protos = protos
            .into_iter()
            .map(|(ret, params)| {
                let shorty: String = std::iter::once(&ret)
                    .chain(&params)
                    .map(|t| shorty_char(t))
                    .collect();
                (shorty, ret, params)
            })
            .collect();
        // Fields: class, name, type. Methods: class, name, proto.
        let mut fields: Vec<FieldRef> = fields.into_iter().collect();
        fields.sort_by_key(|f| (type_idx[&f.class], string_idx[&f.name], type_idx[&f.ty]));
        let field_idx = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.clone(), i as u32))
            .collect();
        let mut methods: Vec<MethodRef> = methods.into_iter().collect();
        methods.sort_by_key(|m| {
            (
                type_idx[&m.class],
                string_idx[&m.name],
                proto_idx[&(m.ret.clone(), m.params.clone())],
            )
        });
        let method_idx = methods
            .iter()
            .enumerate()
            .map(|(i, m)| (m.clone(), i as u32))
            .collect();
        Pools {
            strings,
            string_idx,
            types,
            type_idx,
            protos,
            proto_idx,
            fields,
            field_idx,
            methods,
            method_idx,
        }
    }

    /// Writes the dex and says where its parts are.
    pub fn build_with_layout(&self) -> (Vec<u8>, Layout) {
        let p = self.collect();
        let n = |v: usize| v as u32;
        let header_size = 0x70usize;
        let string_ids_off = header_size;
        let type_ids_off = string_ids_off + 4 * p.strings.len();
        let proto_ids_off = type_ids_off + 4 * p.types.len();
        let field_ids_off = proto_ids_off + 12 * p.protos.len();
        let method_ids_off = field_ids_off + 8 * p.fields.len();
        let class_defs_off = method_ids_off + 8 * p.methods.len();
        let data_off = class_defs_off + 32 * self.classes.len();

        let mut out = vec![0u8; data_off];
        let align4 = |out: &mut Vec<u8>| {
            while !out.len().is_multiple_of(4) {
                out.push(0);
            }
        };
        let mut map: BTreeMap<u32, (u16, u32)> = BTreeMap::new(); // off -> (type, count)

        // Type lists (proto parameters, interfaces), deduplicated.
        let mut type_lists: HashMap<Vec<u32>, u32> = HashMap::new();
        let mut lists: Vec<Vec<u32>> = p
            .protos
            .iter()
            .map(|(_, _, params)| params.iter().map(|t| p.type_idx[t]).collect())
            .chain(
                self.classes
                    .iter()
                    .map(|c| c.interfaces.iter().map(|t| p.type_idx[t]).collect()),
            )
            .filter(|l: &Vec<u32>| !l.is_empty())
            .collect();
        lists.sort();
        lists.dedup();
        align4(&mut out);
        if !lists.is_empty() {
            map.insert(n(out.len()), (0x1001, n(lists.len())));
        }
        for l in lists {
            align4(&mut out);
            type_lists.insert(l.clone(), n(out.len()));
            out.extend_from_slice(&n(l.len()).to_le_bytes());
            for t in l {
                out.extend_from_slice(&(t as u16).to_le_bytes());
            }
        }
        let list_off = |l: Vec<u32>| if l.is_empty() { 0 } else { type_lists[&l] };

        // Code items.
        align4(&mut out);
        let mut code_offs = Vec::new();
        let mut code_off_of: HashMap<(usize, bool, usize), u32> = HashMap::new();
        let first_code = out.len();
        for (ci, c) in self.classes.iter().enumerate() {
            for (virt, list) in [(false, &c.direct_methods), (true, &c.virtual_methods)] {
                for (mi, m) in list.iter().enumerate() {
                    let Some(code) = &m.code else { continue };
                    align4(&mut out);
                    let off = n(out.len());
                    code_off_of.insert((ci, virt, mi), off);
                    code_offs.push(off);
                    let insns = self.patch(&p, &code.insns);
                    for v in [code.registers, code.ins, code.outs, 0] {
                        out.extend_from_slice(&v.to_le_bytes());
                    }
                    out.extend_from_slice(&0u32.to_le_bytes()); // debug_info_off
                    out.extend_from_slice(&n(insns.len()).to_le_bytes());
                    for u in insns {
                        out.extend_from_slice(&u.to_le_bytes());
                    }
                }
            }
        }
        if !code_offs.is_empty() {
            map.insert(n(first_code), (0x2001, n(code_offs.len())));
        }

        // String data.
        let mut string_offs = Vec::with_capacity(p.strings.len());
        if !p.strings.is_empty() {
            map.insert(n(out.len()), (0x2002, n(p.strings.len())));
        }
        for s in &p.strings {
            string_offs.push(n(out.len()));
            uleb128(&mut out, n(s.encode_utf16().count()));
            out.extend_from_slice(&mutf8(s));
            out.push(0);
        }

        // Class data.
        let mut class_data_offs = Vec::new();
        let first_class_data = out.len();
        let mut n_class_data = 0;
        for (ci, c) in self.classes.iter().enumerate() {
            let empty = c.static_fields.is_empty()
                && c.instance_fields.is_empty()
                && c.direct_methods.is_empty()
                && c.virtual_methods.is_empty();
            if empty {
                class_data_offs.push(0);
                continue;
            }
            n_class_data += 1;
            class_data_offs.push(n(out.len()));
            for v in [&c.static_fields, &c.instance_fields]
                .iter()
                .map(|l| l.len())
                .chain([c.direct_methods.len(), c.virtual_methods.len()])
            {
                uleb128(&mut out, n(v));
            }
            for list in [&c.static_fields, &c.instance_fields] {
                let mut items: Vec<(u32, u32)> = list
                    .iter()
                    .map(|f| {
                        (
                            p.field_idx[&FieldRef::new(&c.descriptor, &f.name, &f.ty)],
                            f.access_flags,
                        )
                    })
                    .collect();
                items.sort_unstable();
                let mut prev = 0;
                for (i, (idx, flags)) in items.into_iter().enumerate() {
                    uleb128(&mut out, if i == 0 { idx } else { idx - prev });
                    uleb128(&mut out, flags);
                    prev = idx;
                }
            }
            for (virt, list) in [(false, &c.direct_methods), (true, &c.virtual_methods)] {
                let mut items: Vec<(u32, u32, u32)> = list
                    .iter()
                    .enumerate()
                    .map(|(mi, m)| {
                        let r = MethodRef {
                            class: c.descriptor.clone(),
                            name: m.name.clone(),
                            ret: m.ret.clone(),
                            params: m.params.clone(),
                        };
                        let code = code_off_of.get(&(ci, virt, mi)).copied().unwrap_or(0);
                        (p.method_idx[&r], m.access_flags, code)
                    })
                    .collect();
                items.sort_unstable();
                let mut prev = 0;
                for (i, (idx, flags, code)) in items.into_iter().enumerate() {
                    uleb128(&mut out, if i == 0 { idx } else { idx - prev });
                    uleb128(&mut out, flags);
                    uleb128(&mut out, code);
                    prev = idx;
                }
            }
        }
        if n_class_data > 0 {
            map.insert(n(first_class_data), (0x2000, n_class_data));
        }

        // Map list.
        align4(&mut out);
        let map_off = n(out.len());
        map.insert(0, (0x0000, 1));
        for (ty, off, count) in [
            (0x0001u16, string_ids_off, p.strings.len()),
            (0x0002, type_ids_off, p.types.len()),
            (0x0003, proto_ids_off, p.protos.len()),
            (0x0004, field_ids_off, p.fields.len()),
            (0x0005, method_ids_off, p.methods.len()),
            (0x0006, class_defs_off, self.classes.len()),
        ] {
            if count > 0 {
                map.insert(n(off), (ty, n(count)));
            }
        }
        map.insert(map_off, (0x1000, 1));
        out.extend_from_slice(&n(map.len()).to_le_bytes());
        for (off, (ty, count)) in &map {
            out.extend_from_slice(&ty.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(&off.to_le_bytes());
        }
        let file_size = out.len();

        // Id tables.
        let put = |out: &mut Vec<u8>, at: usize, bytes: &[u8]| {
            out[at..at + bytes.len()].copy_from_slice(bytes);
        };
        for (i, off) in string_offs.iter().enumerate() {
            put(&mut out, string_ids_off + 4 * i, &off.to_le_bytes());
        }
        for (i, t) in p.types.iter().enumerate() {
            put(
                &mut out,
                type_ids_off + 4 * i,
                &p.string_idx[t].to_le_bytes(),
            );
        }
        for (i, (shorty, ret, params)) in p.protos.iter().enumerate() {
            let at = proto_ids_off + 12 * i;
            put(&mut out, at, &p.string_idx[shorty].to_le_bytes());
            put(&mut out, at + 4, &p.type_idx[ret].to_le_bytes());
            let l = list_off(params.iter().map(|t| p.type_idx[t]).collect());
            put(&mut out, at + 8, &l.to_le_bytes());
        }
        for (i, f) in p.fields.iter().enumerate() {
            let at = field_ids_off + 8 * i;
            put(&mut out, at, &(p.type_idx[&f.class] as u16).to_le_bytes());
            put(&mut out, at + 2, &(p.type_idx[&f.ty] as u16).to_le_bytes());
            put(&mut out, at + 4, &p.string_idx[&f.name].to_le_bytes());
        }
        for (i, m) in p.methods.iter().enumerate() {
            let at = method_ids_off + 8 * i;
            let proto = p.proto_idx[&(m.ret.clone(), m.params.clone())];
            put(&mut out, at, &(p.type_idx[&m.class] as u16).to_le_bytes());
            put(&mut out, at + 2, &(proto as u16).to_le_bytes());
            put(&mut out, at + 4, &p.string_idx[&m.name].to_le_bytes());
        }
        for (i, c) in self.classes.iter().enumerate() {
            let at = class_defs_off + 32 * i;
            let no = u32::MAX;
            let sup = c.superclass.as_ref().map_or(no, |s| p.type_idx[s]);
            let ifaces = list_off(c.interfaces.iter().map(|t| p.type_idx[t]).collect());
            let src = c.source_file.as_ref().map_or(no, |s| p.string_idx[s]);
            for (k, v) in [
                p.type_idx[&c.descriptor],
                c.access_flags,
                sup,
                ifaces,
                src,
                0,
                class_data_offs[i],
                0,
            ]
            .into_iter()
            .enumerate()
            {
                put(&mut out, at + 4 * k, &v.to_le_bytes());
            }
        }

        // Header.
        put(
            &mut out,
            0,
            format!("dex\n{:03}\0", self.version % 1000).as_bytes(),
        );
        let fields: [(usize, usize); 18] = [
            (32, file_size),
            (36, header_size),
            (40, 0x1234_5678),
            (52, map_off as usize),
            (56, p.strings.len()),
            (
                60,
                if p.strings.is_empty() {
                    0
                } else {
                    string_ids_off
                },
            ),
            (64, p.types.len()),
            (68, if p.types.is_empty() { 0 } else { type_ids_off }),
            (72, p.protos.len()),
            (
                76,
                if p.protos.is_empty() {
                    0
                } else {
                    proto_ids_off
                },
            ),
            (80, p.fields.len()),
            (
                84,
                if p.fields.is_empty() {
                    0
                } else {
                    field_ids_off
                },
            ),
            (88, p.methods.len()),
            (
                92,
                if p.methods.is_empty() {
                    0
                } else {
                    method_ids_off
                },
            ),
            (96, self.classes.len()),
            (
                100,
                if self.classes.is_empty() {
                    0
                } else {
                    class_defs_off
                },
            ),
            (104, file_size - data_off),
            (108, data_off),
        ];
        for (at, v) in fields {
            put(&mut out, at, &n(v).to_le_bytes());
        }
        fix_checksums(&mut out);
        let layout = Layout {
            string_ids_off: n(string_ids_off),
            type_ids_off: n(type_ids_off),
            proto_ids_off: n(proto_ids_off),
            field_ids_off: n(field_ids_off),
            method_ids_off: n(method_ids_off),
            class_defs_off: n(class_defs_off),
            map_off,
            class_data_offs,
            code_offs,
            strings: p.strings.clone(),
        };
        (out, layout)
    }

    /// Code units of `insns` with every symbolic index replaced.
    fn patch(&self, p: &Pools, insns: &[Insn]) -> Vec<u16> {
        let _ = self;
        let mut units = Vec::new();
        for insn in insns {
            let idx = match &insn.reference {
                Ref::None => None,
                Ref::String(s) => Some(p.string_idx[s]),
                Ref::Type(t) => Some(p.type_idx[t]),
                Ref::Field(f) => Some(p.field_idx[f]),
                Ref::Method(m) => Some(p.method_idx[m]),
            };
            let mut u = insn.units.clone();
            if let Some(idx) = idx {
                u[1] = idx as u16;
                if insn.wide_index {
                    u[2] = (idx >> 16) as u16;
                }
            }
            units.extend(u);
        }
        units
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(mutf8("a\0"), vec![b'a', 0xc0, 0x80]);
        assert_eq!(mutf8("\u{1F600}"), vec![0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]);
        let mut v = Vec::new();
        uleb128(&mut v, 0x3b4);
        assert_eq!(v, vec![0xb4, 0x07]);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
    }

    #[test]
    fn writes_a_header() {
        let (bytes, layout) = DexBuilder::new()
            .class(
                ClassSpec::new("LA;").virtual_method(MethodSpec::new("f", "V", &[]).code(
                    1,
                    1,
                    0,
                    vec![Insn::return_void()],
                )),
            )
            .build_with_layout();
        assert_eq!(&bytes[..8], b"dex\n035\0");
        assert_eq!(
            u32::from_le_bytes(bytes[32..36].try_into().unwrap()) as usize,
            bytes.len()
        );
        assert_eq!(layout.strings, vec!["LA;", "Ljava/lang/Object;", "V", "f"]);
        assert_eq!(layout.code_offs.len(), 1);
        assert_eq!(
            adler32(&bytes[12..]),
            u32::from_le_bytes(bytes[8..12].try_into().unwrap())
        );
    }
}
