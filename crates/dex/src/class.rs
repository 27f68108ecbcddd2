//! Class definitions (`class_def_item`) and their `class_data_item`.

use crate::dex::{Dex, NO_INDEX};
use crate::read::{Cursor, off64, u16_at, u32_at, us};
use crate::{Anomaly, codes};

/// Cap on the entries of one `type_list` (interfaces, parameters).
pub const MAX_TYPE_LIST: u32 = 1 << 16;
/// Cap on each of the four member counts of one `class_data_item`.
pub const MAX_CLASS_MEMBERS: u32 = 1 << 20;

/// A borrowed `type_list`: 16-bit type indices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TypeList<'a> {
    bytes: &'a [u8],
}

impl<'a> TypeList<'a> {
    /// The list at `off` (0 → empty). `None` when out of bounds or longer than
    /// [`MAX_TYPE_LIST`].
    pub(crate) fn at(data: &'a [u8], off: u32) -> Option<Self> {
        if off == 0 {
            return Some(Self::default());
        }
        let start = us(off);
        let size = u32_at(data, start)?;
        if size > MAX_TYPE_LIST {
            return None;
        }
        let bytes = data
            .get(start.checked_add(4)?..)?
            .get(..us(size).checked_mul(2)?)?;
        Some(Self { bytes })
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len() / 2
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.bytes.len() < 2
    }

    /// The type indices.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = u32> + 'a {
        self.bytes
            .chunks_exact(2)
            .map(|c| u32::from(u16_at(c, 0).unwrap_or_default()))
    }

    /// The type indices, collected.
    pub fn to_vec(&self) -> Vec<u32> {
        self.iter().collect()
    }
}

/// A field defined by a class (`encoded_field`, index deltas resolved).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedField {
    /// Index into the field ids.
    pub field_idx: u32,
    /// Access flags (`ACC_*`).
    pub access_flags: u32,
}

/// A method defined by a class (`encoded_method`, index deltas resolved).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedMethod {
    /// Index into the method ids.
    pub method_idx: u32,
    /// Access flags (`ACC_*`).
    pub access_flags: u32,
    /// File offset of the `code_item`, 0 for abstract and native methods.
    pub code_off: u32,
}

/// A class definition with its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassDef<'a> {
    /// Index of this entry in the `class_defs` table.
    pub index: u32,
    /// Type index of the class.
    pub class_idx: u32,
    /// Access flags (`ACC_*`).
    pub access_flags: u32,
    /// Type index of the superclass (`None` for `java.lang.Object`).
    pub superclass_idx: Option<u32>,
    /// Implemented interfaces (type indices). Empty when the list is out of
    /// bounds (reported as [`codes::TYPE_LIST_INVALID`]).
    pub interfaces: TypeList<'a>,
    /// File offset of the interfaces' `type_list` (0: none). Classes may share a list; an
    /// index that copies lists keys them by this offset.
    pub interfaces_off: u32,
    /// String index of the source file name.
    pub source_file_idx: Option<u32>,
    /// Offset of the `class_data_item` (0 = no members, e.g. marker
    /// interfaces).
    pub class_data_off: u32,
    /// Offset of the static fields' initial values (`encoded_array_item`, 0 = none); see
    /// [`Dex::static_values`](crate::Dex::static_values).
    pub static_values_off: u32,
    /// Static fields.
    pub static_fields: Vec<EncodedField>,
    /// Instance fields.
    pub instance_fields: Vec<EncodedField>,
    /// Direct methods (constructors, static and private methods).
    pub direct_methods: Vec<EncodedMethod>,
    /// Virtual methods.
    pub virtual_methods: Vec<EncodedMethod>,
    /// What was wrong with this class's entry or data.
    pub anomalies: Vec<Anomaly>,
}

impl<'a> ClassDef<'a> {
    /// Decodes the 32-byte `raw` entry found at file offset `off`.
    pub(crate) fn read(dex: &Dex<'a>, raw: &[u8], index: u32, off: usize) -> Self {
        let at = |field: usize| u32_at(raw, field).unwrap_or(NO_INDEX);
        let opt = |v: u32| (v != NO_INDEX).then_some(v);
        let mut class = Self {
            index,
            class_idx: at(0),
            access_flags: at(4),
            superclass_idx: opt(at(8)),
            interfaces: TypeList::default(),
            interfaces_off: at(12),
            source_file_idx: opt(at(16)),
            class_data_off: at(24),
            static_values_off: at(28),
            static_fields: Vec::new(),
            instance_fields: Vec::new(),
            direct_methods: Vec::new(),
            virtual_methods: Vec::new(),
            anomalies: Vec::new(),
        };
        if class.class_idx >= dex.types_len() {
            class.anomalies.push(Anomaly::new(
                codes::INDEX_OUT_OF_RANGE,
                off64(off),
                format!("class_idx {} of {} types", class.class_idx, dex.types_len()),
            ));
        }
        let interfaces_off = class.interfaces_off;
        match dex.type_list(interfaces_off) {
            Some(list) => class.interfaces = list,
            None => class.anomalies.push(Anomaly::new(
                codes::TYPE_LIST_INVALID,
                off64(off.saturating_add(12)),
                format!("interfaces_off {interfaces_off:#x} is out of bounds"),
            )),
        }
        if class.class_data_off != 0 {
            class.read_class_data(dex);
        }
        class
    }

    /// Decodes `class_data_item` (dex-format `class_data_item`): four uleb128
    /// counts, then fields and methods with index deltas.
    fn read_class_data(&mut self, dex: &Dex<'a>) {
        let start = us(self.class_data_off);
        let data = dex.data();
        let mut cur = Cursor::new(data, start);
        let fail = |anomalies: &mut Vec<Anomaly>, at: usize, what: &str| {
            anomalies.push(Anomaly::new(
                codes::CLASS_DATA_INVALID,
                off64(at),
                what.to_owned(),
            ));
        };
        let mut counts = [0u32; 4];
        for c in &mut counts {
            let Some(v) = cur.uleb128() else {
                fail(
                    &mut self.anomalies,
                    cur.pos(),
                    "truncated or malformed class_data header",
                );
                return;
            };
            if v > MAX_CLASS_MEMBERS {
                self.anomalies.push(Anomaly::new(
                    codes::COUNT_CAPPED,
                    off64(start),
                    format!("class_data member count {v} exceeds the cap {MAX_CLASS_MEMBERS}"),
                ));
            }
            *c = v.min(MAX_CLASS_MEMBERS);
        }
        let [n_static, n_instance, n_direct, n_virtual] = counts;
        let (fields_len, methods_len) = (dex.fields_len(), dex.methods_len());
        let mut bad_index = false;
        let result = read_members(
            &mut cur,
            n_static,
            false,
            fields_len,
            &mut bad_index,
            &mut self.static_fields,
            new_field,
        )
        .and_then(|()| {
            read_members(
                &mut cur,
                n_instance,
                false,
                fields_len,
                &mut bad_index,
                &mut self.instance_fields,
                new_field,
            )
        })
        .and_then(|()| {
            read_members(
                &mut cur,
                n_direct,
                true,
                methods_len,
                &mut bad_index,
                &mut self.direct_methods,
                new_method,
            )
        })
        .and_then(|()| {
            read_members(
                &mut cur,
                n_virtual,
                true,
                methods_len,
                &mut bad_index,
                &mut self.virtual_methods,
                new_method,
            )
        });
        if let Err(what) = result {
            fail(&mut self.anomalies, cur.pos(), what);
        }
        if bad_index {
            self.anomalies.push(Anomaly::new(
                codes::INDEX_OUT_OF_RANGE,
                off64(start),
                format!(
                    "class_data names a field or method past its table ({fields_len} fields, \
                     {methods_len} methods)"
                ),
            ));
        }
    }

    /// Direct then virtual methods.
    pub fn methods(&self) -> impl Iterator<Item = &EncodedMethod> + '_ {
        self.direct_methods.iter().chain(&self.virtual_methods)
    }

    /// Number of static fields.
    pub fn static_fields_len(&self) -> usize {
        self.static_fields.len()
    }

    /// Number of instance fields.
    pub fn instance_fields_len(&self) -> usize {
        self.instance_fields.len()
    }
}

fn new_field(field_idx: u32, access_flags: u32, _code_off: u32) -> EncodedField {
    EncodedField {
        field_idx,
        access_flags,
    }
}

fn new_method(method_idx: u32, access_flags: u32, code_off: u32) -> EncodedMethod {
    EncodedMethod {
        method_idx,
        access_flags,
        code_off,
    }
}

/// Reads `n` `encoded_field`s (`with_code` false: index delta, flags) or
/// `encoded_method`s (`with_code` true: index delta, flags, `code_off`).
fn read_members<T>(
    cur: &mut Cursor<'_>,
    n: u32,
    with_code: bool,
    limit: u32,
    bad_index: &mut bool,
    out: &mut Vec<T>,
    make: impl Fn(u32, u32, u32) -> T,
) -> Result<(), &'static str> {
    // Each member takes at least one byte per uleb128: the reservation can
    // never exceed what the buffer could hold.
    let min_size: usize = if with_code { 3 } else { 2 };
    out.reserve(us(n).min(cur.remaining().checked_div(min_size).unwrap_or(0)));
    let mut idx: u32 = 0;
    for i in 0..n {
        let diff = cur
            .uleb128()
            .ok_or("truncated or malformed class_data member")?;
        let flags = cur
            .uleb128()
            .ok_or("truncated or malformed class_data member")?;
        let code_off = if with_code {
            cur.uleb128()
                .ok_or("truncated or malformed class_data member")?
        } else {
            0
        };
        // The first index is absolute, the others are deltas. ART's verifier
        // (dex_file_verifier.cc, CheckIntraClassDataItem) requires strictly
        // increasing indices inside the table, so a zero delta or an index
        // past the table ends the list: without this, classes sharing one
        // corrupt class_data would each decode it in full, multiplying work.
        idx = if i == 0 {
            diff
        } else if diff == 0 {
            return Err("class_data member index does not increase");
        } else {
            idx.checked_add(diff).ok_or("member index overflows")?
        };
        if idx >= limit {
            *bad_index = true;
            return Ok(());
        }
        out.push(make(idx, flags, code_off));
    }
    Ok(())
}

/// Iterator over the class definitions of a [`Dex`], in table order.
#[derive(Debug, Clone)]
pub struct Classes<'d, 'a> {
    dex: &'d Dex<'a>,
    next: u32,
}

impl<'d, 'a> Classes<'d, 'a> {
    pub(crate) fn new(dex: &'d Dex<'a>) -> Self {
        Self { dex, next: 0 }
    }
}

impl<'a> Iterator for Classes<'_, 'a> {
    type Item = ClassDef<'a>;

    fn next(&mut self) -> Option<ClassDef<'a>> {
        let idx = self.next;
        let class = self.dex.class_def(idx)?;
        self.next = idx.saturating_add(1);
        Some(class)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = us(self.dex.class_defs_len().saturating_sub(self.next));
        (n, Some(n))
    }
}

impl ExactSizeIterator for Classes<'_, '_> {}
